// Written by `schema pull` from fossil.db. Edit freely: `schema generate` diffs this file
// against the baseline snapshot written beside it.

// clippy's `duplicated_attributes` takes a flag repeated across two #[index]es for one
// attribute written twice (rust-clippy#13238).
#![allow(dead_code, non_snake_case, non_camel_case_types, clippy::duplicated_attributes)]

use schema_core::Table;

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "blob")]
#[check(expr = "length(uuid)>=40 AND rid>0")]
pub struct Blob {
    #[column(primary_key, sql_type = "INTEGER")]
    pub rid: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub rcvid: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub size: Option<i64>,
    #[column(sql_type = "TEXT", unique(constraint))]
    pub uuid: String,
    #[column(sql_type = "BLOB")]
    pub content: Option<Vec<u8>>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "delta")]
#[index(name = "delta_i1", columns(srcid))]
pub struct Delta {
    #[column(primary_key, sql_type = "INTEGER")]
    pub rid: Option<i64>,
    #[column(sql_type = "INTEGER", references = Blob)]
    pub srcid: i64,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "rcvfrom")]
pub struct Rcvfrom {
    #[column(primary_key, sql_type = "INTEGER")]
    pub rcvid: Option<i64>,
    #[column(sql_type = "INTEGER", references = User)]
    pub uid: Option<i64>,
    #[column(sql_type = "DATETIME")]
    pub mtime: Option<String>,
    #[column(sql_type = "TEXT", unique(constraint))]
    pub nonce: Option<String>,
    #[column(sql_type = "TEXT")]
    pub ipaddr: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "user")]
pub struct User {
    #[column(primary_key, sql_type = "INTEGER")]
    pub uid: Option<i64>,
    #[column(sql_type = "TEXT", unique(constraint))]
    pub login: Option<String>,
    #[column(sql_type = "TEXT")]
    pub pw: Option<String>,
    #[column(sql_type = "TEXT")]
    pub cap: Option<String>,
    #[column(sql_type = "TEXT")]
    pub cookie: Option<String>,
    #[column(sql_type = "TEXT")]
    pub ipaddr: Option<String>,
    #[column(sql_type = "DATETIME")]
    pub cexpire: Option<String>,
    #[column(sql_type = "TEXT")]
    pub info: Option<String>,
    #[column(sql_type = "DATE")]
    pub mtime: Option<String>,
    #[column(sql_type = "BLOB")]
    pub photo: Option<Vec<u8>>,
    #[column(sql_type = "TEXT", default = "{}")]
    pub jx: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "config")]
#[check(expr = "typeof(name)='text' AND length(name)>=1")]
pub struct Config {
    #[column(primary_key, sql_type = "TEXT")]
    pub name: String,
    #[column(sql_type = "CLOB")]
    pub value: Option<String>,
    #[column(sql_type = "DATE")]
    pub mtime: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "shun")]
pub struct Shun {
    #[column(sql_type = "", unique(constraint))]
    pub uuid: Option<schema_core::Value>,
    #[column(sql_type = "DATE")]
    pub mtime: Option<String>,
    #[column(sql_type = "TEXT")]
    pub scom: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "private")]
pub struct Private {
    #[column(primary_key, sql_type = "INTEGER")]
    pub rid: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "reportfmt")]
pub struct Reportfmt {
    #[column(primary_key, sql_type = "INTEGER")]
    pub rn: Option<i64>,
    #[column(sql_type = "TEXT")]
    pub owner: Option<String>,
    #[column(sql_type = "TEXT", unique(constraint))]
    pub title: Option<String>,
    #[column(sql_type = "DATE")]
    pub mtime: Option<String>,
    #[column(sql_type = "TEXT")]
    pub cols: Option<String>,
    #[column(sql_type = "TEXT")]
    pub sqlcode: Option<String>,
    #[column(sql_type = "TEXT", default = "{}")]
    pub jx: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "concealed")]
pub struct Concealed {
    #[column(primary_key, sql_type = "TEXT")]
    pub hash: Option<String>,
    #[column(sql_type = "DATE")]
    pub mtime: Option<String>,
    #[column(sql_type = "TEXT")]
    pub content: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "filename")]
pub struct Filename {
    #[column(primary_key, sql_type = "INTEGER")]
    pub fnid: Option<i64>,
    #[column(sql_type = "TEXT", unique(constraint))]
    pub name: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "mlink")]
#[index(name = "mlink_i1", columns(mid))]
#[index(name = "mlink_i2", columns(fnid))]
#[index(name = "mlink_i3", columns(fid))]
#[index(name = "mlink_i4", columns(pid))]
pub struct Mlink {
    #[column(sql_type = "INTEGER")]
    pub mid: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub fid: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub pmid: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub pid: Option<i64>,
    #[column(sql_type = "INTEGER", references = Filename)]
    pub fnid: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub pfnid: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub mperm: Option<i64>,
    #[column(sql_type = "BOOLEAN", default = 0)]
    pub isaux: Option<bool>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "plink")]
#[index(name = "plink_i2", columns(cid, pid))]
#[unique(columns(pid, cid), constraint)]
pub struct Plink {
    #[column(sql_type = "INTEGER", references = Blob)]
    pub pid: Option<i64>,
    #[column(sql_type = "INTEGER", references = Blob)]
    pub cid: Option<i64>,
    #[column(sql_type = "BOOLEAN")]
    pub isprim: Option<bool>,
    #[column(sql_type = "DATETIME")]
    pub mtime: Option<String>,
    #[column(sql_type = "INTEGER", references = Blob)]
    pub baseid: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "leaf")]
pub struct Leaf {
    #[column(primary_key, sql_type = "INTEGER")]
    pub rid: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "event")]
#[index(name = "event_i1", columns(mtime))]
pub struct Event {
    #[column(sql_type = "TEXT")]
    pub r#type: Option<String>,
    #[column(sql_type = "DATETIME")]
    pub mtime: Option<String>,
    #[column(primary_key, sql_type = "INTEGER")]
    pub objid: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub tagid: Option<i64>,
    #[column(sql_type = "INTEGER", references = User)]
    pub uid: Option<i64>,
    #[column(sql_type = "TEXT")]
    pub bgcolor: Option<String>,
    #[column(sql_type = "TEXT")]
    pub euser: Option<String>,
    #[column(sql_type = "TEXT")]
    pub user: Option<String>,
    #[column(sql_type = "TEXT")]
    pub ecomment: Option<String>,
    #[column(sql_type = "TEXT")]
    pub comment: Option<String>,
    #[column(sql_type = "TEXT")]
    pub brief: Option<String>,
    #[column(sql_type = "DATETIME")]
    pub omtime: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "phantom")]
pub struct Phantom {
    #[column(primary_key, sql_type = "INTEGER")]
    pub rid: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "orphan")]
#[index(name = "orphan_baseline", columns(baseline))]
pub struct Orphan {
    #[column(primary_key, sql_type = "INTEGER")]
    pub rid: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub baseline: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "unclustered")]
pub struct Unclustered {
    #[column(primary_key, sql_type = "INTEGER")]
    pub rid: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "unsent")]
pub struct Unsent {
    #[column(primary_key, sql_type = "INTEGER")]
    pub rid: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "tag")]
pub struct Tag {
    #[column(primary_key, sql_type = "INTEGER")]
    pub tagid: Option<i64>,
    #[column(sql_type = "TEXT", unique(constraint))]
    pub tagname: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "tagxref")]
#[index(name = "tagxref_i1", columns(tagid, mtime))]
#[unique(columns(rid, tagid), constraint)]
pub struct Tagxref {
    #[column(sql_type = "INTEGER", references = Tag)]
    pub tagid: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub tagtype: Option<i64>,
    #[column(sql_type = "INTEGER", references = Blob)]
    pub srcid: Option<i64>,
    #[column(sql_type = "INTEGER", references = Blob)]
    pub origid: Option<i64>,
    #[column(sql_type = "TEXT")]
    pub value: Option<String>,
    #[column(sql_type = "TIMESTAMP")]
    pub mtime: Option<String>,
    #[column(sql_type = "INTEGER REFERENCE blob")]
    pub rid: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "backlink")]
#[index(name = "backlink_src", columns(srcid, srctype))]
#[unique(columns(target, srctype, srcid), constraint)]
pub struct Backlink {
    #[column(sql_type = "TEXT")]
    pub target: Option<String>,
    #[column(sql_type = "INT")]
    pub srctype: Option<i64>,
    #[column(sql_type = "INT")]
    pub srcid: Option<i64>,
    #[column(sql_type = "TIMESTAMP")]
    pub mtime: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "attachment")]
#[index(name = "attachment_idx1", columns(target, filename, mtime))]
#[index(name = "attachment_idx2", columns(src))]
pub struct Attachment {
    #[column(primary_key, sql_type = "INTEGER")]
    pub attachid: Option<i64>,
    #[column(name = "isLatest", sql_type = "BOOLEAN", default = 0)]
    pub is_latest: Option<bool>,
    #[column(sql_type = "TIMESTAMP")]
    pub mtime: Option<String>,
    #[column(sql_type = "TEXT")]
    pub src: Option<String>,
    #[column(sql_type = "TEXT")]
    pub target: Option<String>,
    #[column(sql_type = "TEXT")]
    pub filename: Option<String>,
    #[column(sql_type = "TEXT")]
    pub comment: Option<String>,
    #[column(sql_type = "TEXT")]
    pub user: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "ticket")]
pub struct Ticket {
    #[column(primary_key, sql_type = "INTEGER")]
    pub tkt_id: Option<i64>,
    #[column(sql_type = "TEXT", unique(constraint))]
    pub tkt_uuid: Option<String>,
    #[column(sql_type = "DATE")]
    pub tkt_mtime: Option<String>,
    #[column(sql_type = "DATE")]
    pub tkt_ctime: Option<String>,
    #[column(sql_type = "TEXT")]
    pub r#type: Option<String>,
    #[column(sql_type = "TEXT")]
    pub status: Option<String>,
    #[column(sql_type = "TEXT")]
    pub subsystem: Option<String>,
    #[column(sql_type = "TEXT")]
    pub priority: Option<String>,
    #[column(sql_type = "TEXT")]
    pub severity: Option<String>,
    #[column(sql_type = "TEXT")]
    pub foundin: Option<String>,
    #[column(sql_type = "TEXT")]
    pub private_contact: Option<String>,
    #[column(sql_type = "TEXT")]
    pub resolution: Option<String>,
    #[column(sql_type = "TEXT")]
    pub title: Option<String>,
    #[column(sql_type = "TEXT")]
    pub comment: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "ticketchng")]
#[index(name = "ticketchng_idx1", columns(tkt_id, tkt_mtime))]
pub struct Ticketchng {
    #[column(sql_type = "INTEGER", references = Ticket)]
    pub tkt_id: Option<i64>,
    #[column(sql_type = "INTEGER", references = Blob)]
    pub tkt_rid: Option<i64>,
    #[column(sql_type = "DATE")]
    pub tkt_mtime: Option<String>,
    #[column(sql_type = "TEXT")]
    pub tkt_user: Option<String>,
    #[column(sql_type = "TEXT")]
    pub login: Option<String>,
    #[column(sql_type = "TEXT")]
    pub username: Option<String>,
    #[column(sql_type = "TEXT")]
    pub mimetype: Option<String>,
    #[column(sql_type = "TEXT")]
    pub icomment: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "cherrypick", without_rowid, primary_key(parentid, childid))]
#[index(name = "cherrypick_cid", columns(childid))]
pub struct Cherrypick {
    #[column(sql_type = "INT")]
    pub parentid: i64,
    #[column(sql_type = "INT")]
    pub childid: i64,
    #[column(name = "isExclude", sql_type = "BOOLEAN", default = false)]
    pub is_exclude: Option<bool>,
}
