//! Reads a live SQLite database back into the schema model, in the normalized form that
//! snapshots and the diff use, so a database can be compared with the structs.

use std::collections::BTreeMap;

use rusqlite::Connection;
use schema_model::sql::string_literal as quote_string;

use super::ddl::{self, parse_create_index, parse_create_table};
use crate::model::{
    Check, Column, DefaultValue, FkAction, ForeignKey, Generated, Index, IndexTarget, LogicalType, PrimaryKey, Schema,
    Table, names,
};

/// The user's ordinary tables of `conn`'s main database, in creation order: not SQLite's own
/// (`sqlite_*`), not virtual tables nor the shadow tables their modules keep (FTS5's `_data`,
/// R*Tree's `_node`, ...), and none that `skip` names (the tracking table, globs of tables
/// the schema does not own). Those are never drift, and push never drops them.
pub fn introspect(conn: &Connection, skip: &[&str]) -> rusqlite::Result<Schema> {
    let mut schema = Schema::default();
    for (name, sql) in ordinary_tables(conn, skip)? {
        schema.tables.push(table(conn, &name, &sql)?);
    }
    Ok(schema)
}

/// (name, sql) of every ordinary table, as [`introspect`] chooses them.
fn ordinary_tables(conn: &Connection, skip: &[&str]) -> rusqlite::Result<Vec<(String, String)>> {
    // `pragma_table_list` knows which tables are virtual and which are a virtual table's
    // shadow tables (SQLite 3.37+, and rusqlite bundles a newer one).
    let mut stmt = conn.prepare(
        "SELECT m.name, m.sql FROM sqlite_master AS m JOIN pragma_table_list AS l ON l.name = m.name AND l.schema = 'main' \
         WHERE m.type = 'table' AND l.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.sql IS NOT NULL \
         ORDER BY m.rowid",
    )?;
    let tables: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(tables
        .into_iter()
        .filter(|(name, _)| !crate::driver::skipped(name, skip))
        .collect())
}

/// What `pull` keeps in its baseline as written, since the model does not describe them:
/// virtual tables, views and triggers (but not those on a skipped table), in creation order.
pub fn verbatim_objects(conn: &Connection, skip: &[&str]) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT m.type, m.name, m.tbl_name, m.sql FROM sqlite_master AS m \
         LEFT JOIN pragma_table_list AS l ON l.name = m.name AND l.schema = 'main' \
         WHERE m.sql IS NOT NULL AND (m.type IN ('view', 'trigger') OR (m.type = 'table' AND l.type = 'virtual')) \
         ORDER BY m.rowid",
    )?;
    let rows: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .filter(|(_, name, tbl, _)| !crate::driver::skipped(name, skip) && !crate::driver::skipped(tbl, skip))
        .map(|(_, _, _, sql)| format!("{sql};"))
        .collect())
}

/// A default as the model holds it: numbers and booleans as values, a string unquoted,
/// anything else (`CURRENT_TIMESTAMP`, `(unixepoch())`) verbatim.
fn default_of(d: &ddl::DefaultTok) -> DefaultValue {
    match d {
        ddl::DefaultTok::Num(n) => n
            .parse::<i64>()
            .map(DefaultValue::Int)
            .unwrap_or_else(|_| DefaultValue::Real(n.clone())),
        ddl::DefaultTok::Str(s) => DefaultValue::Text(s.clone()),
        ddl::DefaultTok::Raw(r) if r.eq_ignore_ascii_case("true") => DefaultValue::Bool(true),
        ddl::DefaultTok::Raw(r) if r.eq_ignore_ascii_case("false") => DefaultValue::Bool(false),
        ddl::DefaultTok::Raw(r) => DefaultValue::Sql(r.clone()),
    }
}

fn table(conn: &Connection, name: &str, sql: &str) -> rusqlite::Result<Table> {
    let def = parse_create_table(sql).unwrap_or_default();
    let mut t = Table::new(name);
    t.options.sqlite.strict = def.strict;
    t.options.sqlite.without_rowid = def.without_rowid;

    // (name, declared type, notnull, pk position, hidden)
    let mut stmt = conn.prepare(&format!(
        "SELECT name, type, \"notnull\", pk, hidden FROM pragma_table_xinfo({}) ORDER BY cid",
        quote_string(name)
    ))?;
    let cols: Vec<(String, String, bool, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<Result<_, _>>()?;
    let mut pk: Vec<(i64, String)> = cols.iter().filter(|c| c.3 > 0).map(|c| (c.3, c.0.clone())).collect();
    pk.sort();
    let pk: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();

    let mut column_checks = Vec::new();
    for (cname, pragma_ty, notnull, pk_pos, hidden) in &cols {
        if *hidden == 1 {
            continue; // a virtual table's hidden column
        }
        let d = def.columns.iter().find(|c| c.name.eq_ignore_ascii_case(cname));
        let ty = d.map_or_else(|| pragma_ty.clone(), |d| d.ty.clone());
        let mut col = Column::new(cname.clone(), LogicalType::Sql(ty));
        // A key column is NOT NULL in the model, as the structs make it.
        col.not_null = *notnull || *pk_pos > 0;
        col.primary_key = *pk_pos > 0 && pk.len() == 1;
        if let Some(d) = d {
            col.autoincrement = d.autoincrement;
            col.default = d.default.as_ref().map(default_of);
            col.collate = d.collate.clone();
            col.generated = d.generated.as_ref().map(|(expr, stored)| Generated {
                expr: expr.clone(),
                stored: *stored,
            });
            for (cn, expr) in &d.checks {
                let check_name = cn.clone().unwrap_or_else(|| names::column_check(name, cname));
                column_checks.push(Check {
                    name: check_name,
                    expr: expr.clone(),
                });
            }
        }
        if col.generated.is_none() && (*hidden == 2 || *hidden == 3) {
            // Generated, but the text did not say how: keep what is known.
            col.generated = Some(Generated {
                expr: String::new(),
                stored: *hidden == 3,
            });
        }
        t.columns.push(col);
    }
    if pk.len() > 1 {
        t.primary_key = Some(PrimaryKey {
            name: names::primary_key(name, &pk),
            columns: pk.clone(),
        });
    }
    for (i, (cn, expr)) in def.checks.iter().enumerate() {
        let check_name = cn.clone().unwrap_or_else(|| format!("{name}_check_{}", i + 1));
        t.checks.push(Check {
            name: check_name,
            expr: expr.clone(),
        });
    }
    t.checks.extend(column_checks);
    t.indexes = indexes(conn, name)?;
    t.foreign_keys = foreign_keys(conn, name)?;
    Ok(t)
}

fn indexes(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Index>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT l.name, l.\"unique\", l.origin, m.sql FROM pragma_index_list({}) AS l \
         LEFT JOIN sqlite_master AS m ON m.type = 'index' AND m.name = l.name ORDER BY coalesce(m.rowid, 0), l.name",
        quote_string(table)
    ))?;
    let list: Vec<(String, bool, String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for (name, unique, origin, sql) in list {
        match origin.as_str() {
            // The key is the table's, not an index of the model.
            "pk" => {}
            // Behind a UNIQUE constraint: the unique index the structs would declare.
            "u" => {
                let mut stmt = conn.prepare(&format!(
                    "SELECT name FROM pragma_index_info({}) ORDER BY seqno",
                    quote_string(&name)
                ))?;
                let cols: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
                out.push(Index {
                    name: names::unique(table, &cols),
                    target: IndexTarget::Columns(cols),
                    unique: true,
                    where_clause: None,
                });
            }
            _ => {
                let Some((inner, where_clause)) = sql.as_deref().and_then(parse_create_index) else {
                    continue;
                };
                let parts = ddl::split_commas_owned(&inner);
                let target = match parts {
                    Some(cols) => IndexTarget::Columns(cols),
                    None => IndexTarget::Expr(inner),
                };
                out.push(Index {
                    name,
                    target,
                    unique,
                    where_clause,
                });
            }
        }
    }
    Ok(out)
}

fn foreign_keys(conn: &Connection, table: &str) -> rusqlite::Result<Vec<ForeignKey>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list({}) ORDER BY id DESC, seq",
        quote_string(table)
    ))?;
    type Row = (i64, i64, String, String, Option<String>, String, String);
    let rows: Vec<Row> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut grouped: BTreeMap<i64, Vec<Row>> = BTreeMap::new();
    let mut order = Vec::new();
    for r in rows {
        if !grouped.contains_key(&r.0) {
            order.push(r.0);
        }
        grouped.entry(r.0).or_default().push(r);
    }
    let mut out = Vec::new();
    for id in order {
        let rows = &grouped[&id];
        let ref_table = rows[0].2.clone();
        let columns: Vec<String> = rows.iter().map(|r| r.3.clone()).collect();
        // `REFERENCES parent` without columns means the parent's primary key.
        let ref_columns: Vec<String> = if rows.iter().all(|r| r.4.is_some()) {
            rows.iter().filter_map(|r| r.4.clone()).collect()
        } else {
            let mut stmt = conn.prepare(&format!(
                "SELECT name FROM pragma_table_info({}) WHERE pk > 0 ORDER BY pk",
                quote_string(&ref_table)
            ))?;
            stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        let action = |s: &str| FkAction::parse(s).unwrap_or_default();
        out.push(ForeignKey::new(
            table,
            columns,
            &ref_table,
            ref_columns,
            action(&rows[0].6),
            action(&rows[0].5),
        ));
    }
    Ok(out)
}
