// Written by `schema pull` from adversarial.db. Edit freely: `schema generate` diffs this file
// against the baseline snapshot written beside it.

// clippy's `duplicated_attributes` takes a flag repeated across two #[index]es for one
// attribute written twice (rust-clippy#13238).
#![allow(dead_code, non_snake_case, non_camel_case_types, clippy::duplicated_attributes)]

use schema_core::Table;

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "table")]
pub struct TableRow {
    #[column(primary_key, sql_type = "TEXT")]
    pub r#try: Option<String>,
    #[column(sql_type = "JSON")]
    pub r#yield: Option<schema_core::Value>,
    #[column(sql_type = "ANY")]
    pub r#macro: Option<schema_core::Value>,
    #[column(name = "self", sql_type = "NUMERIC")]
    pub self_: Option<schema_core::Value>,
    #[column(sql_type = "")]
    pub r#type: Option<schema_core::Value>,
    #[column(name = "crate", sql_type = "INTEGER")]
    pub crate_: Option<i64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "option")]
#[unique(name = "named_pair", columns(body, sig), constraint)]
pub struct OptionRow {
    #[column(primary_key, sql_type = "INTEGER")]
    pub id: i64,
    #[column(sql_type = "TEXT", references = TableRow, deferrable = "deferred")]
    pub table: Option<String>,
    #[column(sql_type = "TEXT", default = "a --> statement-breakpoint b")]
    pub body: String,
    #[column(sql_type = "TEXT", default = "line one\nline two")]
    pub sig: Option<String>,
    #[column(sql_type = "TEXT", default = "x", unique(constraint))]
    pub code: String,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "string", without_rowid, primary_key(a, b))]
#[check(expr = "c >= 0")]
pub struct StringRow {
    #[column(sql_type = "INTEGER")]
    pub a: i64,
    #[column(sql_type = "TEXT")]
    pub b: String,
    #[column(sql_type = "REAL")]
    pub c: Option<f64>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "vec")]
#[foreign_key(columns(a, b), references = StringRow, on_delete = "cascade", deferrable = "deferred")]
pub struct VecRow {
    #[column(primary_key, sql_type = "INTEGER")]
    pub id: Option<i64>,
    #[column(sql_type = "INTEGER")]
    pub a: Option<i64>,
    #[column(sql_type = "TEXT")]
    pub b: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "result", strict)]
pub struct ResultRow {
    #[column(primary_key, sql_type = "ANY")]
    pub k: schema_core::Value,
    #[column(sql_type = "ANY")]
    pub v: Option<schema_core::Value>,
}
