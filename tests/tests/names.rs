//! Names drawn from all of Unicode (quotes of every kind, brackets, spaces, keywords, `--`,
//! `;`, newlines, non-Latin scripts) through the whole path: generate, migrate, introspect,
//! then a change that renames a table and a column and rebuilds every table (a check added),
//! with rows in every table. Every migration runs, every name survives, every row stays.
//!
//! `PROPTEST_CASES=2000 cargo test --release -p schema-tests --test names` for a long run.

use proptest::prelude::*;
use rusqlite::Connection;
use schema_core::Migrations;
use schema_core::dialect::Dialect;
use schema_core::diff::diff;
use schema_core::folder::Folder;
use schema_core::generate::{GenerateOptions, GenerateOutcome, generate};
use schema_core::model::{Check, Schema, names as default_names};
use schema_core::sqlite::{SQLITE, introspect};
use schema_tests::generate::{arb_name, arb_schema, distinct, with_names};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One row in every table, each value one its column and its check take.
fn fill(conn: &Connection, s: &Schema) -> usize {
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let mut n = 0;
    for t in &s.tables {
        let cols: Vec<_> = t.columns.iter().filter(|c| c.generated.is_none()).collect();
        let names: Vec<String> = cols.iter().map(|c| SQLITE.quote_ident(&c.name)).collect();
        let values: Vec<&str> = cols
            .iter()
            .map(|c| match SQLITE.column_type(&c.ty).as_str() {
                "integer" => "1",
                "real" => "1.5",
                "blob" => "x'00'",
                _ => "'v'",
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            SQLITE.quote_ident(&t.name),
            names.join(", "),
            values.join(", ")
        );
        conn.execute_batch(&sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
        n += 1;
    }
    n
}

fn write(folder: &Folder, s: &Schema) {
    match generate(folder, s, &GenerateOptions::default(), &mut ()) {
        Ok(GenerateOutcome::Written(_)) => {}
        other => panic!("generate: {other:?}"),
    }
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(
        &format!("SELECT count(*) FROM {}", SQLITE.quote_ident(table)),
        [],
        |r| r.get(0),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_name_survives_every_migration(
        a in arb_schema(),
        names in proptest::collection::vec(arb_name(), 40),
        more in proptest::collection::vec(arb_name(), 2),
    ) {
        let s = with_names(&a, &names);
        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::new(dir.path().join("migrations"), &SQLITE);
        let mut conn = Connection::open(dir.path().join("db.sqlite")).unwrap();
        let migrations = || Migrations::from_dir(dir.path().join("migrations")).unwrap();

        write(&folder, &s);
        migrations().run(&mut conn).unwrap();
        let back = introspect(&conn, &["__drizzle_migrations"]).unwrap();
        let d = diff(&SQLITE.normalize(&s), &back, &Default::default());
        prop_assert!(d.is_empty(), "{:#?}", d);
        let rows = fill(&conn, &s);

        // Rename the first table and its first non-key column to fresh names, and add a check
        // to every table, so every table is rebuilt under its name.
        let mut s2 = s.clone();
        let mut taken: Vec<String> = s.tables.iter().flat_map(|t| {
            std::iter::once(t.name.clone()).chain(t.indexes.iter().map(|i| i.name.clone()))
        }).collect();
        let new_table = distinct(vec![more[0].clone()], &mut taken).remove(0);
        let first = &mut s2.tables[0];
        let old_table = std::mem::replace(&mut first.name, new_table.clone());
        first.renamed_from = Some(old_table.clone());
        let key = first.key_columns().into_iter().map(str::to_string).collect::<Vec<_>>();
        let referenced = s.tables.iter().any(|t| t.foreign_keys.iter().any(|f| f.ref_table == old_table));
        let mut col_taken: Vec<String> = first.columns.iter().map(|c| c.name.clone()).collect();
        let renamed_col = first.columns.iter().position(|c| !key.contains(&c.name) && !c.name.is_empty() && c.generated.is_none()
            && !first.checks.iter().any(|k| k.expr.contains(&format!("\"{}\"", c.name.replace('"', "\"\""))))
            && !first.indexes.iter().any(|i| i.where_clause.as_deref().is_some_and(|w| w.contains(&format!("\"{}\"", c.name.replace('"', "\"\"")))))
            && !first.columns.iter().any(|g| g.generated.as_ref().is_some_and(|g| g.expr.contains(&format!("\"{}\"", c.name.replace('"', "\"\""))))));
        if let Some(i) = renamed_col {
            let new_col = distinct(vec![more[1].clone()], &mut col_taken).remove(0);
            let old_col = std::mem::replace(&mut first.columns[i].name, new_col.clone());
            first.columns[i].renamed_from = Some(old_col.clone());
            for ix in &mut first.indexes {
                if let schema_core::model::IndexTarget::Columns(cols) = &mut ix.target {
                    for c in cols.iter_mut().filter(|c| **c == old_col) {
                        *c = new_col.clone();
                    }
                }
            }
            for fk in &mut first.foreign_keys {
                for c in fk.columns.iter_mut().filter(|c| **c == old_col) {
                    *c = new_col.clone();
                }
            }
        }
        for t in &mut s2.tables {
            for fk in &mut t.foreign_keys {
                if fk.ref_table == old_table {
                    fk.ref_table = new_table.clone();
                }
            }
            let n = t.checks.iter().filter(|c| !c.named).count() + 1;
            t.checks.push(Check { name: default_names::check(&t.name, n), expr: "1 = 1".into(), named: false });
        }
        let _ = referenced;
        write(&folder, &s2);
        migrations().run(&mut conn).unwrap();
        let back = introspect(&conn, &["__drizzle_migrations"]).unwrap();
        let mut expected = SQLITE.normalize(&s2);
        for t in &mut expected.tables {
            t.renamed_from = None;
            for c in &mut t.columns {
                c.renamed_from = None;
            }
        }
        let d = diff(&expected, &back, &Default::default());
        prop_assert!(d.is_empty(), "{:#?}", d);
        let kept: i64 = s2.tables.iter().map(|t| count(&conn, &t.name)).sum();
        prop_assert_eq!(kept, rows as i64);
        let left: i64 = conn.query_row("SELECT count(*) FROM sqlite_master WHERE name LIKE '\\_\\_new\\_%' ESCAPE '\\'", [], |r| r.get(0)).unwrap();
        prop_assert_eq!(left, 0);
    }
}
