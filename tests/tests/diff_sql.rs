//! The SQL `schema generate` writes for each kind of change, one case a folder under
//! `tests/diff/<case>/` (`before.rs`, `after.rs`, optional `flags` with rename answers),
//! snapshotted with insta and reviewed like code. A refused change snapshots its message.
//!
//! Review a change: `cargo insta review`, or `INSTA_UPDATE=always cargo test --test diff_sql`
//! and read the diff of `tests/snapshots/`.

use std::path::Path;

use schema_core::dialect::Dialect;
use schema_core::diff::{RenameHint, diff, resolve_renames};
use schema_core::model::Schema;
use schema_core::sqlite::SQLITE;

fn schema(path: &Path) -> Schema {
    SQLITE.normalize(&schema_tests::schema_from_file(path))
}

fn flags(dir: &Path) -> Vec<RenameHint> {
    let Ok(text) = std::fs::read_to_string(dir.join("flags")) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (flag, value) = l.trim().split_once(' ').unwrap();
            match flag {
                "--rename" => RenameHint::parse(value).unwrap(),
                "--create" => RenameHint::parse_name(value, true).unwrap(),
                "--drop" => RenameHint::parse_name(value, false).unwrap(),
                other => panic!("unknown flag {other} in {}", dir.display()),
            }
        })
        .collect()
}

/// What generate would write for one case, or the refusal.
fn render(dir: &Path) -> String {
    let (before, after) = (schema(&dir.join("before.rs")), schema(&dir.join("after.rs")));
    let renames = match resolve_renames(&before, &after, &flags(dir), &mut ()) {
        Ok(r) => r,
        Err(e) => return format!("REFUSED (renames):\n{e}\n"),
    };
    let changes = diff(&before, &after, &renames);
    match SQLITE.plan(&before, &after, &changes, &Default::default()) {
        Ok(plan) => {
            let mut out = String::new();
            for w in &plan.warnings {
                out.push_str(&format!("-- warning: {w}\n"));
            }
            out.push_str(&plan.statements.join("--> statement-breakpoint\n"));
            out.push('\n');
            out
        }
        Err(e) => format!("REFUSED:\n{e}\n"),
    }
}

#[test]
fn every_change_kind_renders_as_reviewed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("diff");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 30,
        "expected the whole set of cases, found {}",
        cases.len()
    );
    for dir in cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name, render(&dir));
    }
}

#[test]
fn a_schema_has_no_difference_with_itself() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("diff");
    for dir in std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()) {
        for side in ["before.rs", "after.rs"] {
            let s = schema(&dir.join(side));
            assert!(diff(&s, &s, &Default::default()).is_empty(), "{}/{side}", dir.display());
        }
    }
}

/// A value of the column's type that the common checks accept.
fn sample(ty: &schema_core::model::LogicalType) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    let t = SQLITE.column_type(ty).to_ascii_uppercase();
    if t.contains("INT") {
        Value::Integer(1)
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Value::Real(1.5)
    } else if t.contains("BLOB") {
        Value::Blob(vec![0])
    } else {
        Value::Text("x@y".into())
    }
}

/// One row in every table of `schema` that takes it (parents first, every column given a
/// value a child's foreign key matches); the number of rows written per table.
fn fill(conn: &rusqlite::Connection, schema: &Schema) -> std::collections::BTreeMap<String, i64> {
    let mut written = std::collections::BTreeMap::new();
    let mut tables: Vec<&schema_core::model::Table> = schema.tables.iter().collect();
    tables.sort_by_key(|t| t.foreign_keys.len());
    for t in tables {
        let cols: Vec<&schema_core::model::Column> = t.columns.iter().filter(|c| c.generated.is_none()).collect();
        let names: Vec<String> = cols.iter().map(|c| SQLITE.quote_ident(&c.name)).collect();
        let marks: Vec<&str> = cols.iter().map(|_| "?").collect();
        let values: Vec<rusqlite::types::Value> = cols.iter().map(|c| sample(&c.ty)).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            SQLITE.quote_ident(&t.name),
            names.join(", "),
            marks.join(", ")
        );
        let n = conn.execute(&sql, rusqlite::params_from_iter(values)).unwrap_or(0);
        written.insert(t.name.clone(), n as i64);
    }
    written
}

/// Every case's SQL runs on a real SQLite file: the `before` schema built and filled, the
/// migration applied as the migrator applies it, and the result is exactly the `after`
/// schema, with every row of every table that stays.
#[test]
fn every_case_runs_on_sqlite_and_lands_on_its_after_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("diff");
    let mut ran = 0;
    for dir in std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (before, after) = (schema(&dir.join("before.rs")), schema(&dir.join("after.rs")));
        let Ok(renames) = resolve_renames(&before, &after, &flags(&dir), &mut ()) else {
            continue; // a refusal: nothing to run
        };
        let changes = diff(&before, &after, &renames);
        let Ok(plan) = SQLITE.plan(&before, &after, &changes, &Default::default()) else {
            continue;
        };
        let file = tempfile::NamedTempFile::new().unwrap();
        let conn = rusqlite::Connection::open(file.path()).unwrap();
        for stmt in SQLITE.create_schema(&before) {
            conn.execute_batch(&stmt)
                .unwrap_or_else(|e| panic!("{name}: before: {e}\n{stmt}"));
        }
        let mut written = fill(&conn, &before);
        conn.execute_batch("PRAGMA foreign_keys = OFF; BEGIN").unwrap();
        let failed = plan
            .statements
            .iter()
            .find_map(|stmt| conn.execute_batch(stmt).err().map(|e| (stmt, e)));
        if let Some((stmt, e)) = failed {
            // Only a NOT NULL guard may stop a case: the rows would have no value. Rolled back,
            // the database is its `before`; emptied, the migration goes through.
            assert!(
                stmt.contains("__schema_null_guard") && e.to_string().starts_with("CHECK constraint failed: rows"),
                "{name}: {e}\n{stmt}"
            );
            conn.execute_batch("ROLLBACK").unwrap();
            let read = schema_core::sqlite::introspect(&conn, &[]).unwrap();
            assert!(
                diff(&before, &read, &Default::default()).is_empty(),
                "{name}: rolled back"
            );
            for (table, n) in written.iter_mut() {
                conn.execute_batch(&format!("DELETE FROM {}", SQLITE.quote_ident(table)))
                    .unwrap();
                *n = 0;
            }
            conn.execute_batch("BEGIN").unwrap();
            for stmt in &plan.statements {
                conn.execute_batch(stmt)
                    .unwrap_or_else(|e| panic!("{name}, on no rows: {e}\n{stmt}"));
            }
        }
        conn.execute_batch("COMMIT; PRAGMA foreign_keys = ON").unwrap();
        let read = schema_core::sqlite::introspect(&conn, &[]).unwrap();
        let left = diff(&after, &read, &Default::default());
        assert!(
            left.is_empty(),
            "{name}: the database is not the `after` schema: {left:#?}"
        );
        for (table, n) in written {
            let renamed = renames.tables.iter().find(|(o, _)| *o == table).map(|(_, n)| n.clone());
            let Some(now) = renamed.or_else(|| after.table(&table).map(|t| t.name.clone())) else {
                continue; // dropped by the case
            };
            let count: i64 = conn
                .query_row(&format!("SELECT count(*) FROM {}", SQLITE.quote_ident(&now)), [], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(count, n, "{name}: rows of `{table}`");
        }
        // A new foreign key may find the sample rows pointing nowhere (the migrator refuses
        // those); no other change may leave a row that does.
        let adds_fk = changes
            .iter()
            .any(|c| matches!(c, schema_core::diff::Change::AddForeignKey { .. }));
        let problems: Vec<String> = schema_tests::rows(&conn, "PRAGMA foreign_key_check");
        assert!(adds_fk || problems.is_empty(), "{name}: {problems:?}");
        ran += 1;
    }
    assert!(ran >= 30, "only {ran} cases ran");
}
