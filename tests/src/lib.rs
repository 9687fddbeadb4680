//! Shared helpers of the integration tests, and the schemas compiled through the derive so
//! tests can compare them with what the CLI reads from the same files.

pub mod generate;
pub mod project;
pub mod shape;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

/// The drizzle-compat `basic` fixture's Rust twin, compiled with `#[derive(Table)]`.
pub mod basic {
    include!("../fixtures/drizzle-compat/basic/schema.rs");
}

/// Every constraint form the attributes can say (`tests/fixtures/constraints/schema.rs`).
pub mod constraints {
    include!("../fixtures/constraints/schema.rs");
}

/// The blog example's schema, compiled here too.
#[allow(dead_code)]
pub mod blog {
    include!("../../examples/blog/src/schema.rs");

    /// Every table of the example, in its file's order.
    pub fn tables() -> Vec<&'static schema_core::model::Table> {
        vec![
            User::table_def(),
            Category::table_def(),
            Post::table_def(),
            Tag::table_def(),
            PostTag::table_def(),
            Comment::table_def(),
            Rating::table_def(),
        ]
    }

    /// Copies `from..to` of the example's tables: copy `k` of `users` is `users_k`, with its
    /// indexes, keys and references renamed with it.
    pub fn copies(from: usize, to: usize) -> Vec<schema_core::model::Table> {
        use schema_core::model::names;
        let copy_of = |copy: usize, t: &schema_core::model::Table| {
            let mut t = t.clone();
            t.name = format!("{}_{copy}", t.name);
            if let Some(pk) = &mut t.primary_key {
                pk.name = names::primary_key(&t.name, &pk.columns);
            }
            for ix in &mut t.indexes {
                ix.name = format!("{}_{copy}", ix.name);
            }
            for fk in &mut t.foreign_keys {
                fk.ref_table = format!("{}_{copy}", fk.ref_table);
                fk.name = names::foreign_key(&t.name, &fk.columns, &fk.ref_table, &fk.ref_columns);
            }
            t
        };
        (from..to)
            .flat_map(|copy| tables().into_iter().map(move |t| copy_of(copy, t)))
            .collect()
    }
}

/// The schema in Rust source `src`, read as `schema generate` reads a schema file.
pub fn schema_from_source(src: &str) -> schema_core::model::Schema {
    let file = syn::parse_file(src).unwrap_or_else(|e| panic!("not valid Rust: {e}"));
    let parsed = schema_model::parse::from_file(&file).unwrap_or_else(|e| panic!("{e}"));
    schema_model::parse::resolve(&parsed).unwrap_or_else(|e| panic!("{}", e[0].message))
}

/// The schema in a Rust file.
pub fn schema_from_file(path: &Path) -> schema_core::model::Schema {
    schema_from_source(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The folder of this crate's fixtures.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Everything SQLite says about a database's tables, as comparable plain data: columns
/// (declared type, NOT NULL, default, key position, hidden/generated), indexes (unique,
/// origin, partial, their columns or expressions and their SQL), foreign keys with actions,
/// table-level constraints (checks and keys as written), and table options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableShape {
    pub columns: Vec<String>,
    pub indexes: BTreeMap<String, String>,
    pub foreign_keys: Vec<String>,
    pub constraints: Vec<String>,
    pub options: String,
}

pub fn describe(conn: &Connection) -> BTreeMap<String, TableShape> {
    let mut out = BTreeMap::new();
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name")
        .unwrap();
    let tables: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (name, sql) in tables {
        let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
        let columns = rows(
            conn,
            &format!(
                "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo({})",
                q(&name)
            ),
        );
        let mut indexes = BTreeMap::new();
        for ix in rows(
            conn,
            &format!(
                "SELECT name, \"unique\", origin, partial FROM pragma_index_list({})",
                q(&name)
            ),
        ) {
            let ix_name = ix.split('|').next().unwrap_or_default().to_string();
            let cols = rows(
                conn,
                &format!(
                    "SELECT seqno, cid, name, \"desc\", coll, key FROM pragma_index_xinfo({})",
                    q(&ix_name)
                ),
            )
            .join(";");
            let ix_sql: Option<String> = conn
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                    [&ix_name],
                    |r| r.get(0),
                )
                .unwrap_or(None);
            // Automatic indexes (behind UNIQUE / PRIMARY KEY) have generated names: key them by content.
            let key = if ix_name.starts_with("sqlite_autoindex_") {
                format!("auto:{cols}")
            } else {
                ix_name.clone()
            };
            indexes.insert(
                key,
                format!("{ix} | {cols} | {}", normalize_sql(ix_sql.as_deref().unwrap_or(""))),
            );
        }
        let foreign_keys = rows(
            conn,
            &format!(
                "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete, match FROM pragma_foreign_key_list({})",
                q(&name)
            ),
        );
        out.insert(
            name.clone(),
            TableShape {
                columns,
                indexes,
                foreign_keys,
                constraints: table_constraints(&sql),
                options: table_options(&sql),
            },
        );
    }
    out
}

/// Every row `sql` returns, its values joined by `|` (NULL as `NULL`, blobs as bytes).
pub fn rows(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => "NULL".to_string(),
                rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                rusqlite::types::ValueRef::Real(v) => v.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
            })
            .collect::<Vec<_>>()
            .join("|"))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Whitespace and identifier quoting do not change what SQL means.
pub fn normalize_sql(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ").replace('`', "\"")
}

/// The table-level clauses of a CREATE TABLE (CHECK, PRIMARY KEY, UNIQUE, FOREIGN KEY lines),
/// normalized and sorted; SQLite has no pragma for checks, so they are read from the SQL.
fn table_constraints(sql: &str) -> Vec<String> {
    let body = sql.find('(').map(|i| &sql[i + 1..]).unwrap_or("");
    let body = body.rfind(')').map(|i| &body[..i]).unwrap_or("");
    let mut parts = Vec::new();
    let (mut depth, mut start, mut in_str) = (0i32, 0usize, false);
    for (i, ch) in body.char_indices() {
        match ch {
            '\'' => in_str = !in_str,
            '(' if !in_str => depth += 1,
            ')' if !in_str => depth -= 1,
            ',' if !in_str && depth == 0 => {
                parts.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&body[start..]);
    let mut out: Vec<String> = parts
        .into_iter()
        .map(normalize_sql)
        .filter(|p| {
            let u = p.to_ascii_uppercase();
            ["CONSTRAINT", "CHECK", "PRIMARY KEY", "UNIQUE", "FOREIGN KEY"]
                .iter()
                .any(|k| u.starts_with(k))
        })
        .collect();
    out.sort();
    out
}

fn table_options(sql: &str) -> String {
    let tail = sql.rfind(')').map(|i| &sql[i + 1..]).unwrap_or("");
    normalize_sql(tail).to_ascii_uppercase()
}

/// Runs a drizzle-kit style migration file: statements split at the breakpoints.
pub fn apply_sql_file(conn: &Connection, sql: &str) {
    for stmt in sql.split("--> statement-breakpoint") {
        if !stmt.trim().is_empty() {
            conn.execute_batch(stmt).unwrap_or_else(|e| panic!("{e}: {stmt}"));
        }
    }
}
