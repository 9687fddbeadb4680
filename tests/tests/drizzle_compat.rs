//! drizzle-kit compatibility on the `basic` fixture: the snapshot we write from `schema.rs`
//! equals the one drizzle-kit wrote from `schema.ts`, and the two SQL files build the same
//! database.

use rusqlite::Connection;
use schema_core::Table;
use schema_core::dialect::Dialect;
use schema_core::model::Schema;
use schema_core::snapshot::Snapshot;
use schema_core::sqlite::SQLITE;
use schema_tests::{apply_sql_file, basic, describe, fixtures};
use serde_json::Value;

fn fixture(path: &str) -> String {
    std::fs::read_to_string(fixtures().join("drizzle-compat/basic").join(path)).unwrap()
}

/// The schema as the CLI reads it from the file.
fn parsed_schema() -> Schema {
    schema_tests::schema_from_source(&fixture("schema.rs"))
}

/// The schema as the derive compiled it.
fn derived_schema() -> Schema {
    Schema {
        tables: vec![
            basic::User::table_def().clone(),
            basic::Membership::table_def().clone(),
            basic::Employee::table_def().clone(),
        ],
        ..Default::default()
    }
}

fn snapshot_json(schema: &Schema) -> Value {
    let snap = Snapshot {
        id: "ID".into(),
        prev_id: "PREV".into(),
        schema: SQLITE.normalize(schema),
        renames: Default::default(),
    };
    without_ids(serde_json::from_str(&SQLITE.write_snapshot(&snap)).unwrap())
}

fn without_ids(mut v: Value) -> Value {
    let obj = v.as_object_mut().unwrap();
    obj.remove("id");
    obj.remove("prevId");
    v
}

fn drizzle_snapshot() -> Value {
    without_ids(serde_json::from_str(&fixture("migrations/meta/0000_snapshot.json")).unwrap())
}

/// Lists every path where two JSON values differ, so a failure says which field.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => differences(&format!("{path}.{k}"), p, q, out),
                    (p, q) => out.push(format!("{path}.{k}: {p:?} vs {q:?}")),
                }
            }
        }
        _ if a != b => out.push(format!("{path}: {a} vs {b}")),
        _ => {}
    }
}

#[test]
fn snapshot_from_the_parser_equals_drizzle_kits_field_by_field() {
    let mut diffs = Vec::new();
    differences("", &snapshot_json(&parsed_schema()), &drizzle_snapshot(), &mut diffs);
    assert!(
        diffs.is_empty(),
        "snapshot differs from drizzle-kit's:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn snapshot_from_the_derive_equals_drizzle_kits_field_by_field() {
    let mut diffs = Vec::new();
    differences("", &snapshot_json(&derived_schema()), &drizzle_snapshot(), &mut diffs);
    assert!(
        diffs.is_empty(),
        "snapshot differs from drizzle-kit's:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn snapshot_text_is_byte_identical_apart_from_ids() {
    let ours = SQLITE.write_snapshot(&Snapshot {
        id: "ID".into(),
        prev_id: "PREV".into(),
        schema: SQLITE.normalize(&parsed_schema()),
        renames: Default::default(),
    });
    let theirs = fixture("migrations/meta/0000_snapshot.json");
    let strip = |s: &str| -> String {
        s.lines()
            .filter(|l| !l.trim_start().starts_with("\"id\"") && !l.trim_start().starts_with("\"prevId\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&ours), strip(&theirs));
}

#[test]
fn the_comparison_notices_a_changed_field() {
    // A guard on the test above: change one default and the comparison must report it.
    let mut schema = parsed_schema();
    schema.tables[0].columns[4].default = Some(schema_core::model::DefaultValue::Int(1));
    let mut diffs = Vec::new();
    differences("", &snapshot_json(&schema), &drizzle_snapshot(), &mut diffs);
    assert_eq!(diffs, vec![".tables.users.columns.score.default: 1 vs 0".to_string()]);
}

fn build(sql: &str) -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("db.sqlite")).unwrap();
    apply_sql_file(&conn, sql);
    (dir, conn)
}

#[test]
fn our_sql_builds_the_database_drizzle_kits_sql_builds() {
    let ours = SQLITE
        .create_schema(&SQLITE.normalize(&parsed_schema()))
        .join("--> statement-breakpoint\n");
    let (_a, theirs_db) = build(&fixture("migrations/0000_init.sql"));
    let (_b, ours_db) = build(&ours);
    let (theirs, ours) = (describe(&theirs_db), describe(&ours_db));
    assert_eq!(theirs.keys().collect::<Vec<_>>(), ours.keys().collect::<Vec<_>>());
    for (name, shape) in &theirs {
        assert_eq!(Some(shape), ours.get(name), "table `{name}` differs");
    }
    // Every kind of object is present, so the comparison covered each.
    let users = &ours["users"];
    assert_eq!(users.columns.len(), 9);
    assert_eq!(users.indexes.len(), 3);
    assert_eq!(users.constraints.len(), 1);
    assert_eq!(ours["memberships"].foreign_keys.len(), 1);
    assert_eq!(
        ours["employees"].columns.iter().filter(|c| c.ends_with("|2")).count(),
        1,
        "the generated column"
    );
}

#[test]
fn the_database_comparison_notices_a_missing_index() {
    let ours = SQLITE.create_schema(&SQLITE.normalize(&parsed_schema()));
    let without_last_index: Vec<String> = ours.into_iter().filter(|s| !s.contains("users_lower_email")).collect();
    let (_a, theirs_db) = build(&fixture("migrations/0000_init.sql"));
    let (_b, ours_db) = build(&without_last_index.join("--> statement-breakpoint\n"));
    assert_ne!(describe(&theirs_db)["users"], describe(&ours_db)["users"]);
}
