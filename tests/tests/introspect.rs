//! Introspection gives back the model a database was built from.

use rusqlite::Connection;
use schema_core::Table;
use schema_core::dialect::Dialect;
use schema_core::model::Schema;
use schema_core::sqlite::SQLITE;
use schema_core::sqlite::introspect;
use schema_tests::{basic, blog};

fn round_trip(schema: &Schema) {
    let model = SQLITE.normalize(schema);
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("db.sqlite")).unwrap();
    for sql in SQLITE.create_schema(&model) {
        conn.execute_batch(&sql).unwrap();
    }
    let back = introspect(&conn, &["__drizzle_migrations"]).unwrap();
    assert_eq!(back.tables.len(), model.tables.len());
    for t in &model.tables {
        let b = back
            .table(&t.name)
            .unwrap_or_else(|| panic!("table {} not read back", t.name));
        assert_eq!(b, t, "table `{}` read back differently", t.name);
    }
}

#[test]
fn the_fixture_reads_back_as_built() {
    round_trip(&Schema {
        tables: vec![
            basic::User::table_def().clone(),
            basic::Membership::table_def().clone(),
            basic::Employee::table_def().clone(),
        ],
        ..Default::default()
    });
}

#[test]
fn the_example_reads_back_as_built() {
    round_trip(&Schema {
        tables: blog::tables().into_iter().cloned().collect(),
        ..Default::default()
    });
}

/// A schema long enough that the definitions are parsed on a thread beside the pragmas' reads:
/// the example's tables eight times over, each copy's names its own.
#[test]
fn a_long_schema_reads_back_as_built() {
    round_trip(&Schema {
        tables: blog::copies(0, 8),
        ..Default::default()
    });
}

#[test]
fn tables_written_by_hand_read_as_sqlite_understands_them() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("db.sqlite")).unwrap();
    conn.execute_batch(
        "CREATE TABLE parent (code TEXT PRIMARY KEY, n INTEGER);
         CREATE TABLE \"odd name\" (
             \"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
             \"first-name\" varchar(30) NOT NULL UNIQUE,
             p TEXT REFERENCES parent ON DELETE CASCADE,
             score REAL DEFAULT -2.5 CHECK (score < 100),
             at datetime DEFAULT (datetime('now')),
             UNIQUE (p, score)
         );
         CREATE INDEX odd_lower ON \"odd name\" (lower(\"first-name\")) WHERE score > 0;
         CREATE TABLE __drizzle_migrations (id integer);",
    )
    .unwrap();
    let s = introspect(&conn, &["__drizzle_migrations"]).unwrap();
    assert_eq!(
        s.tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["parent", "odd name"]
    );
    let parent = s.table("parent").unwrap();
    // A TEXT key of a rowid table may hold NULL: SQLite says so, and so does the model.
    assert!(parent.columns[0].primary_key && !parent.columns[0].not_null);
    let t = s.table("odd name").unwrap();
    let c = |n: &str| t.column(n).unwrap();
    assert!(c("id").autoincrement);
    assert_eq!(
        c("first-name").ty,
        schema_core::model::LogicalType::Sql("varchar(30)".into())
    );
    assert_eq!(
        c("score").default,
        Some(schema_core::model::DefaultValue::Real("-2.5".into()))
    );
    assert_eq!(
        c("at").default,
        Some(schema_core::model::DefaultValue::Sql("(datetime('now'))".into()))
    );
    // An unnamed check stays unnamed: the model's name is only its place.
    assert_eq!(t.checks[0].expr, "score < 100");
    assert_eq!(
        (t.checks[0].name.as_str(), t.checks[0].named),
        ("odd name_check_1", false)
    );
    // `REFERENCES parent`: the parent's key, left implied; named as drizzle-kit would.
    let fk = &t.foreign_keys[0];
    assert_eq!(
        (fk.ref_table.as_str(), fk.ref_columns.len(), fk.on_delete),
        ("parent", 0, schema_core::model::FkAction::Cascade)
    );
    assert_eq!(fk.name, "odd name_p_parent_code_fk");
    // UNIQUE constraints stay constraints, inline or at table level; not indexes.
    use schema_core::model::UniqueKind;
    let uniques: Vec<(&[String], UniqueKind)> = t.uniques.iter().map(|u| (u.columns.as_slice(), u.kind)).collect();
    assert_eq!(
        uniques,
        [
            (&["first-name".to_string()][..], UniqueKind::Inline),
            (
                &["p".to_string(), "score".to_string()][..],
                UniqueKind::Constraint { named: false }
            )
        ]
    );
    assert_eq!(t.indexes.len(), 1, "{:?}", t.indexes);
    let expr = t.indexes.iter().find(|i| i.name == "odd_lower").unwrap();
    assert_eq!(
        expr.target,
        schema_core::model::IndexTarget::Expr("lower(\"first-name\")".into())
    );
    assert_eq!(expr.where_clause.as_deref(), Some("score > 0"));
}

/// The first table that cannot be read decides the error, whichever read fails: here the
/// first table's parent key (a view that names a dropped table) before the second table's
/// columns (shadowed by a TEMP view over a dropped table).
#[test]
fn the_first_table_that_cannot_be_read_decides_the_error() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE x (a); CREATE VIEW v AS SELECT a FROM x; DROP TABLE x;
         CREATE TABLE a (id integer PRIMARY KEY, r integer REFERENCES v);
         CREATE TABLE t (a); CREATE TEMP TABLE y (b);
         CREATE TEMP VIEW t AS SELECT b FROM y; DROP TABLE temp.y;",
    )
    .unwrap();
    let err = introspect(&conn, &[]).unwrap_err().to_string();
    assert!(err.contains("main.x"), "{err}");
}
