//! Properties over random schemas (see `schema_tests::generate` for what is generated):
//! - a migration keeps every row: a database built from `a` and full of rows, migrated to `b`
//!   with foreign keys on, equals a database built fresh from `b`, every kept row still there;
//! - `diff(a, a)` is empty; a snapshot reads back as written;
//! - what `generate` says of the migration it writes is what `schema lint` finds in it later,
//!   reading the folder back;
//! - introspection gives back the model, and `pull` of it parses back to the same model.
//!
//! CI runs `PROPTEST_CASES` cases (256 by default); a long run:
//! `PROPTEST_CASES=20000 cargo test --release -p schema-tests --test properties`.
//! Failures are saved under `proptest-regressions/` and must be committed.

use std::path::Path;

use proptest::prelude::*;
use rusqlite::Connection;
use schema_core::Migrations;
use schema_core::dialect::Dialect;
use schema_core::diff::{Answer, Question, Renames, Resolver, diff};
use schema_core::folder::Folder;
use schema_core::generate::{GenerateError, GenerateOptions, GenerateOutcome, generate};
use schema_core::model::{DefaultValue, Schema, Table};
use schema_core::snapshot::Snapshot;
use schema_core::sqlite::SQLITE;
use schema_core::sqlite::introspect;
use schema_tests::describe;
use schema_tests::generate::{Key, arb_change, arb_schema, key_of, same_value, stored_columns, value};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    }
}

fn build(path: &Path, schema: &Schema) -> Connection {
    let conn = Connection::open(path).unwrap();
    for s in SQLITE.create_schema(schema) {
        conn.execute_batch(&s).unwrap_or_else(|e| panic!("{e}: {s}"));
    }
    conn
}

/// Rows in every table of `a`: distinct per row, foreign keys pointing at parents that exist.
fn fill(conn: &Connection, a: &Schema) {
    for (ti, t) in a.tables.iter().enumerate() {
        let cols = stored_columns(t);
        let names: Vec<String> = cols.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let rowid = !t.options.sqlite.without_rowid && matches!(key_of(t), Key::None);
        let sql = format!(
            "INSERT INTO \"{}\" ({}{}) VALUES ({}{})",
            t.name,
            if rowid { "rowid, " } else { "" },
            names.join(", "),
            if rowid { "?, " } else { "" },
            (1..=cols.len())
                .map(|i| format!("?{}", i + usize::from(rowid)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for r in 0..(ti as i64 % 3 + 4) {
            let mut params: Vec<rusqlite::types::Value> = Vec::new();
            if rowid {
                params.push(rusqlite::types::Value::Integer(r + 1));
            }
            for c in &cols {
                params.push(match c.name.as_str() {
                    "id" => rusqlite::types::Value::Integer(r + 1),
                    "k1" => rusqlite::types::Value::Integer(r),
                    "k2" => rusqlite::types::Value::Text(format!("k{r}")),
                    "ref" => rusqlite::types::Value::Integer(r % 3 + 1),
                    _ => value(c, r),
                });
            }
            conn.execute(&sql, rusqlite::params_from_iter(params))
                .unwrap_or_else(|e| panic!("{e}: {sql}"));
        }
    }
}

/// Each row of a table as (key, column → value as text), values read with CAST so that a
/// type change compares by meaning.
/// A row: its key, and each column's value as text (NULL as `None`).
type Row = (String, Vec<(String, Option<String>)>);

fn rows(conn: &Connection, t: &Table) -> Vec<Row> {
    let key = match key_of(t) {
        Key::Composite { .. } => "CAST(\"k1\" AS TEXT) || '|' || \"k2\"".to_string(),
        _ => "CAST(rowid AS TEXT)".to_string(),
    };
    let cols: Vec<&str> = stored_columns(t).iter().map(|c| c.name.as_str()).collect();
    // Blobs as hex: their bytes need not be text.
    let sel: Vec<String> = cols
        .iter()
        .map(|c| format!("CASE typeof(\"{c}\") WHEN 'blob' THEN 'x' || hex(\"{c}\") ELSE CAST(\"{c}\" AS TEXT) END"))
        .collect();
    let sql = format!("SELECT {key}, {} FROM \"{}\" ORDER BY 1", sel.join(", "), t.name);
    let mut stmt = conn.prepare(&sql).unwrap();
    stmt.query_map([], |r| {
        let k: String = r.get(0)?;
        let vals = cols
            .iter()
            .enumerate()
            .map(|(i, c)| Ok((c.to_string(), r.get(i + 1)?)))
            .collect::<rusqlite::Result<_>>()?;
        Ok((k, vals))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn default_text(d: &DefaultValue) -> Option<String> {
    match d {
        DefaultValue::Int(v) => Some(v.to_string()),
        DefaultValue::Real(v) => Some(v.clone()),
        DefaultValue::Bool(b) => Some(u8::from(*b).to_string()),
        DefaultValue::Text(s) => Some(s.clone()),
        DefaultValue::Sql(_) => None, // CURRENT_TIMESTAMP, x'00ff': only "not NULL" is known
    }
}

/// A folder with two migrations: `a` from nothing, then the plan to `b`.
fn folder(dir: &Path, create: &[String], plan: &[String]) {
    std::fs::create_dir_all(dir.join("meta")).unwrap();
    let journal = serde_json::json!({"version": "7", "dialect": "sqlite", "entries": [
        {"idx": 0, "version": "6", "when": 1, "tag": "0000_a", "breakpoints": true},
        {"idx": 1, "version": "6", "when": 2, "tag": "0001_b", "breakpoints": true},
    ]});
    std::fs::write(dir.join("meta/_journal.json"), journal.to_string()).unwrap();
    std::fs::write(dir.join("0000_a.sql"), create.join("--> statement-breakpoint\n")).unwrap();
    std::fs::write(dir.join("0001_b.sql"), plan.join("--> statement-breakpoint\n")).unwrap();
}

/// Answers rename questions as `Renames` say: renamed where they say so, new otherwise.
struct Answers<'a>(&'a Renames);

impl Resolver for Answers<'_> {
    fn answer(&mut self, q: &Question) -> Option<Answer> {
        let from = match q {
            Question::Table { created, candidates } => self
                .0
                .tables
                .iter()
                .find(|(old, new)| new == created && candidates.contains(old))
                .map(|(old, _)| old),
            Question::Column {
                table,
                created,
                candidates,
            } => self
                .0
                .columns
                .iter()
                .find(|(t, old, new)| t == table && new == created && candidates.contains(old))
                .map(|(_, old, _)| old),
        };
        Some(from.map_or(Answer::Create, |old| Answer::RenameFrom(old.clone())))
    }
}

fn sorted(s: &Schema) -> Schema {
    let mut s = s.clone();
    s.tables.sort_by(|x, y| x.name.cmp(&y.name));
    for t in &mut s.tables {
        t.foreign_keys.sort_by(|x, y| x.name.cmp(&y.name));
    }
    s
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_migration_keeps_every_row_and_gives_the_schema_of_b((a, b, renames) in arb_change()) {
        let (na, nb) = (SQLITE.normalize(&a), SQLITE.normalize(&b));
        let changes = diff(&na, &nb, &renames);
        let plan = match SQLITE.plan(&na, &nb, &changes, &Default::default()) {
            Ok(p) => p,
            Err(e) => {
                // Refused only for a NOT NULL column that existing rows could not fill.
                let why = e.to_string();
                prop_assert!(why.contains("NOT NULL") && why.contains("without a default"), "{why}");
                return Ok(());
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let conn = build(&dir.path().join("migrated.db"), &na);
        fill(&conn, &na);
        let before: Vec<_> = na.tables.iter().map(|t| (t.name.clone(), rows(&conn, t))).collect();
        drop(conn);
        folder(&dir.path().join("m"), &SQLITE.create_schema(&na), &plan.statements);
        // The database already has `a`: record 0000 as applied, then migrate with foreign keys on.
        let mut conn = Connection::open(dir.path().join("migrated.db")).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        let m = Migrations::from_dir(dir.path().join("m")).unwrap();
        m.mark_applied(&conn, "0000_a").unwrap();
        match m.run(&mut conn) {
            Ok(_) => {}
            // A NOT NULL column without a default over rows that have no value for it: the
            // guard stops the migration, and the database is exactly as it was.
            Err(schema_core::MigrateError::Guarded { rows: n, .. }) => {
                prop_assert!(n > 0);
                let untouched = build(&dir.path().join("untouched.db"), &na);
                prop_assert_eq!(describe(&conn), describe(&untouched));
                for (name, old_rows) in &before {
                    let t = na.table(name).unwrap();
                    prop_assert_eq!(&rows(&conn, t), old_rows, "rows of {}", name);
                }
                return Ok(());
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n--- plan:\n{}", plan.statements.join("\n")))),
        }

        // The same shape as a database made from b.
        let fresh = build(&dir.path().join("fresh.db"), &nb);
        let (got, want) = (describe(&conn), describe(&fresh));
        prop_assert_eq!(&got, &want, "plan:\n{}", plan.statements.join("\n"));
        prop_assert_eq!(conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)).unwrap(), "ok");
        prop_assert!(conn.prepare("PRAGMA foreign_key_check").unwrap().query([]).unwrap().next().unwrap().is_none());

        // Every row of every kept table, with its kept values.
        for (old_name, old_rows) in &before {
            let new_name = renames.tables.iter().find(|(o, _)| o == old_name).map_or(old_name.clone(), |(_, n)| n.clone());
            let Some(nt) = nb.table(&new_name) else { continue };
            let after = rows(&conn, nt);
            prop_assert_eq!(after.len(), old_rows.len(), "rows of {} (now {})", old_name, new_name);
            for ((k0, vals0), (k1, vals1)) in old_rows.iter().zip(&after) {
                prop_assert_eq!(k0, k1);
                for (col, v0) in vals0 {
                    let new_col = renames.columns.iter().find(|(t, o, _)| *t == new_name && o == col).map_or(col.clone(), |(_, _, n)| n.clone());
                    let Some(nc) = nt.column(&new_col) else { continue };
                    let Some((_, v1)) = vals1.iter().find(|(c, _)| *c == new_col) else { continue };
                    if v0.is_none() && nc.not_null {
                        let d = nc.default.as_ref().unwrap();
                        match default_text(d) {
                            Some(expected) => prop_assert!(same_value(&Some(expected.clone()), v1), "{}.{}: NULL became {:?}, not the default {}", new_name, new_col, v1, expected),
                            None => prop_assert!(v1.is_some()),
                        }
                    } else {
                        prop_assert!(same_value(v0, v1), "{}.{} row {}: {:?} became {:?}", new_name, new_col, k0, v0, v1);
                    }
                }
            }
        }
    }

    #[test]
    fn generate_lints_its_migration_as_lint_reads_it_back((a, b, renames) in arb_change()) {
        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::new(dir.path(), &SQLITE);
        let opts = GenerateOptions::default();
        prop_assert!(matches!(generate(&folder, &a, &opts, &mut ()), Ok(GenerateOutcome::Written(_))));
        let w = match generate(&folder, &b, &opts, &mut Answers(&renames)) {
            Ok(GenerateOutcome::Written(w)) => w,
            // Refused (a NOT NULL column rows could not fill), or nothing to write.
            Ok(GenerateOutcome::NoChanges) | Err(GenerateError::Refused(_)) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        };
        let migrations = Migrations::from_dir(dir.path()).unwrap();
        let read_back = schema_core::lint::lint(&folder, &[migrations.get(&w.tag).unwrap()], None).unwrap();
        prop_assert_eq!(&read_back[0], &w.lint, "the migration:\n{}", w.statements.join("\n"));
    }

    #[test]
    fn a_schema_given_up_is_normalized_as_one_lent(a in arb_schema()) {
        let lent = SQLITE.normalize(&a);
        prop_assert_eq!(SQLITE.normalize_owned(a), lent);
    }

    #[test]
    fn a_schema_has_no_difference_with_itself(a in arb_schema()) {
        let n = SQLITE.normalize(&a);
        prop_assert!(diff(&n, &n, &Renames::default()).is_empty());
    }

    #[test]
    fn a_snapshot_reads_back_as_written(a in arb_schema()) {
        let n = SQLITE.normalize(&a);
        let snap = Snapshot { id: "i".into(), prev_id: "p".into(), schema: n.clone(), renames: Renames::default() };
        let back = SQLITE.read_snapshot(&SQLITE.write_snapshot(&snap)).unwrap();
        prop_assert!(diff(&back.schema, &n, &Renames::default()).is_empty(), "{:?}", diff(&back.schema, &n, &Renames::default()));
        prop_assert_eq!(sorted(&back.schema), sorted(&n));
    }

    #[test]
    fn introspection_and_pull_give_back_the_model(a in arb_schema()) {
        let n = SQLITE.normalize(&a);
        let dir = tempfile::tempdir().unwrap();
        let conn = build(&dir.path().join("db.sqlite"), &n);
        let back = introspect(&conn, &[]).unwrap();
        prop_assert_eq!(sorted(&back), sorted(&n));

        let pulled = schema_core::pull::render_rust(&back, "db.sqlite", &SQLITE);
        prop_assert!(pulled.notes.is_empty(), "{:?}", pulled.notes);
        let file = syn::parse_file(&pulled.code).unwrap_or_else(|e| panic!("{e}\n{}", pulled.code));
        let parsed = schema_model::parse::from_file(&file).unwrap_or_else(|e| panic!("{e}\n{}", pulled.code));
        let schema = schema_model::parse::resolve(&parsed).unwrap_or_else(|e| panic!("{}\n{}", e[0].message, pulled.code));
        let again = SQLITE.normalize(&schema);
        prop_assert!(diff(&back, &again, &Renames::default()).is_empty(), "{:?}\n{}", diff(&back, &again, &Renames::default()), pulled.code);
    }
}

/// A schema long enough to be normalized in two halves, on two threads: the same tables, in
/// the same order, as normalizing each one lent.
#[test]
fn a_long_schema_given_up_is_normalized_as_one_lent() {
    let long = Schema {
        tables: schema_tests::blog::copies(0, 12),
        ..Default::default()
    };
    assert!(long.tables.len() >= 64, "{} tables", long.tables.len());
    let lent = SQLITE.normalize(&long);
    assert_eq!(SQLITE.normalize_owned(long), lent);
}
