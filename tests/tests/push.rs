//! `push` on databases full of rows: each case of PITFALLS.md's rebuild table keeps every row
//! (or is refused before anything changes), with foreign keys on.

use rusqlite::Connection;
use schema_core::diff::RenameHint;
use schema_core::model::Schema;
use schema_core::push::{PushError, PushPlan, apply_push, plan_push};
use schema_core::sqlite::SqliteDriver;

fn schema(src: &str) -> Schema {
    schema_tests::schema_from_source(src)
}

struct Db {
    _dir: tempfile::TempDir,
    conn: Connection,
}

impl Db {
    fn new(src: &str) -> Db {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("app.db")).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        let mut db = Db { _dir: dir, conn };
        db.push(src, &[]).unwrap();
        db
    }

    fn plan(&mut self, src: &str, hints: &[RenameHint]) -> Result<PushPlan, PushError> {
        let mut driver = SqliteDriver::new(&mut self.conn);
        plan_push(&mut driver, &schema(src), &["__drizzle_migrations"], hints, &mut ())
    }

    fn push(&mut self, src: &str, hints: &[RenameHint]) -> Result<PushPlan, PushError> {
        let plan = self.plan(src, hints)?;
        apply_push(&mut SqliteDriver::new(&mut self.conn), &plan)?;
        let fk: bool = self.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert!(fk, "push gives foreign keys back as they were");
        Ok(plan)
    }

    fn rows(&self, sql: &str) -> Vec<String> {
        schema_tests::rows(&self.conn, sql)
    }

    fn in_sync(&mut self, src: &str) {
        let plan = self.plan(src, &[]).unwrap();
        assert!(
            plan.changes.is_empty(),
            "after a push the database is in sync: {:?}",
            plan.changes
        );
        assert!(self.rows("PRAGMA foreign_key_check").is_empty());
        assert_eq!(self.rows("PRAGMA integrity_check"), ["ok"]);
    }
}

const PARENT: &str = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub name: String,
    pub age: Option<i64>,
}
#[derive(Table)]
#[table(name = "posts")]
pub struct Post {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = User::id, on_delete = "cascade")]
    pub author_id: i64,
    #[column(references = User::id, on_delete = "set null")]
    pub editor_id: Option<i64>,
}
"#;

fn filled() -> Db {
    let db = Db::new(PARENT);
    db.conn
        .execute_batch(
            "INSERT INTO users (name, age) VALUES ('ann', 30), ('bob', NULL), ('cat', 5);
             DELETE FROM users WHERE id = 3;
             INSERT INTO posts VALUES (1, 1, 2), (2, 2, 1), (3, 1, NULL);",
        )
        .unwrap();
    db
}

#[test]
fn a_database_in_sync_has_nothing_to_push() {
    let mut db = filled();
    db.in_sync(PARENT);
}

#[test]
fn rebuilding_a_parent_keeps_children_counter_and_nulls_become_the_default() {
    let mut db = filled();
    let after = PARENT.replace("pub age: Option<i64>", "#[column(default = 18)] pub age: i64");
    let plan = db.push(&after, &[]).unwrap();
    assert_eq!(plan.plan.rebuilt, ["users"]);
    assert!(
        plan.may_refuse
            .iter()
            .any(|m| m.contains("makes `users.age` NOT NULL: 1 NULL(s) become its default")),
        "{:?}",
        plan.may_refuse
    );
    assert_eq!(
        db.rows("SELECT id, name, age FROM users ORDER BY id"),
        ["1|ann|30", "2|bob|18"]
    );
    assert_eq!(
        db.rows("SELECT id, author_id, editor_id FROM posts ORDER BY id"),
        ["1|1|2", "2|2|1", "3|1|NULL"]
    );
    db.conn
        .execute_batch("INSERT INTO users (name) VALUES ('dan')")
        .unwrap();
    assert_eq!(
        db.rows("SELECT max(id) FROM users"),
        ["4"],
        "the deleted id 3 is not handed out again"
    );
    db.in_sync(&after);
}

#[test]
fn a_renamed_and_a_new_column_in_one_rebuild_copy_from_their_sources() {
    let mut db = filled();
    let after = PARENT
        .replace("pub name: String,", "#[column(renamed_from = \"name\")] pub handle: String,\n    #[column(default = \"member\")] pub role: String,")
        .replace("pub age: Option<i64>", "pub age: Option<f64>");
    db.push(&after, &[]).unwrap();
    assert_eq!(
        db.rows("SELECT id, handle, role, age, typeof(age) FROM users ORDER BY id"),
        ["1|ann|member|30|real", "2|bob|member|NULL|null"]
    );
    db.in_sync(&after);
}

#[test]
fn generated_columns_rowids_indexes_triggers_and_views_survive() {
    let src = r#"
#[derive(Table)]
#[table(name = "notes")]
#[index(columns(body))]
pub struct Note {
    pub body: Option<String>,
    pub n: i64,
    #[column(generated = "n * 2", stored)]
    pub twice: Option<i64>,
}
#[derive(Table)]
#[table(name = "log")]
pub struct Log {
    pub what: String,
}
"#;
    let mut db = Db::new(src);
    db.conn
        .execute_batch(
            "INSERT INTO notes(rowid, body, n) VALUES (10, 'a', 1), (20, NULL, 2), (35, 'c', 3);
             CREATE VIEW long_notes AS SELECT rowid, body FROM notes WHERE n > 1;
             CREATE TRIGGER notes_log AFTER INSERT ON notes BEGIN INSERT INTO log VALUES (new.body); END;",
        )
        .unwrap();
    let after = src.replace("pub body: Option<String>", "#[column(default = \"\")] pub body: String");
    db.push(&after, &[]).unwrap();
    assert_eq!(
        db.rows("SELECT rowid, body, n, twice FROM notes ORDER BY rowid"),
        ["10|a|1|2", "20||2|4", "35|c|3|6"]
    );
    assert_eq!(db.rows("SELECT rowid FROM long_notes ORDER BY rowid"), ["20", "35"]);
    db.conn
        .execute_batch("INSERT INTO notes (body, n) VALUES ('d', 4)")
        .unwrap();
    assert_eq!(db.rows("SELECT what FROM log"), ["d"]);
    assert_eq!(
        db.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'notes'"),
        ["notes_body_idx"]
    );
    db.in_sync(&after);
}

#[test]
fn orphans_under_a_new_foreign_key_leave_the_database_as_it_was() {
    let before = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User { #[column(primary_key)] pub id: i64 }
#[derive(Table)]
#[table(name = "posts")]
pub struct Post { #[column(primary_key)] pub id: i64, pub author_id: i64 }
"#;
    let mut db = Db::new(before);
    db.conn
        .execute_batch("INSERT INTO users VALUES (1); INSERT INTO posts VALUES (1, 1), (2, 99);")
        .unwrap();
    let after = before.replace(
        "pub author_id: i64",
        "#[column(references = User::id)] pub author_id: i64",
    );
    let err = db.push(&after, &[]).unwrap_err().to_string();
    assert!(err.contains("points at a missing row of `users`"), "{err}");
    assert_eq!(db.rows("SELECT count(*) FROM pragma_foreign_key_list('posts')"), ["0"]);
    assert_eq!(db.rows("SELECT id, author_id FROM posts ORDER BY id"), ["1|1", "2|99"]);
}

/// NOT NULL without a default: push counts the rows that would have no value, refuses with
/// the count before anything runs, and goes through once there are none.
#[test]
fn not_null_without_a_default_is_counted_and_refused_only_over_nulls() {
    let mut db = filled();
    let not_null_age = PARENT.replace("pub age: Option<i64>", "pub age: i64");
    let err = db.plan(&not_null_age, &[]).unwrap_err();
    assert!(matches!(err, PushError::RowsWithoutValue(_)), "{err}");
    let err = err.to_string();
    assert!(
        err.contains("`users.age` becomes NOT NULL without a default, but 1 row(s) hold NULL there")
            && err.contains("nothing was changed"),
        "{err}"
    );
    let with_level = PARENT.replace("pub age: Option<i64>,", "pub age: Option<i64>,\n    pub level: i64,");
    let err = db.plan(&with_level, &[]).unwrap_err().to_string();
    assert!(
        err.contains("`users` has 2 row(s), which would have no value for the new NOT NULL column `level`"),
        "{err}"
    );
    assert_eq!(
        db.rows("SELECT id, name, age FROM users ORDER BY id"),
        ["1|ann|30", "2|bob|NULL"]
    );

    // No NULL left: the same change goes through, every row kept.
    db.conn
        .execute_batch("UPDATE users SET age = 41 WHERE age IS NULL")
        .unwrap();
    db.push(&not_null_age, &[]).unwrap();
    db.in_sync(&not_null_age);
    assert_eq!(
        db.rows("SELECT id, name, age FROM users ORDER BY id"),
        ["1|ann|30", "2|bob|41"]
    );
    assert_eq!(db.rows("SELECT count(*) FROM posts"), ["3"]);

    // A NOT NULL column without a default on an empty table: nothing lacks a value.
    let mut empty = Db::new(PARENT);
    empty.push(&with_level, &[]).unwrap();
    empty.in_sync(&with_level);
}

#[test]
fn drops_are_listed_with_the_rows_they_lose() {
    let mut db = filled();
    let after = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub name: String,
}
"#;
    let hints = [
        RenameHint::parse_name("users.age", false).unwrap(),
        RenameHint::parse_name("posts", false).unwrap(),
    ];
    let plan = db.plan(after, &hints).unwrap();
    assert_eq!(
        plan.drops,
        [
            "drops column `users.age`, which holds a value in 1 row(s)",
            "drops table `posts` and its 3 row(s)"
        ],
        "{:?}",
        plan.drops
    );
    db.push(after, &hints).unwrap();
    assert_eq!(db.rows("SELECT id, name FROM users ORDER BY id"), ["1|ann", "2|bob"]);
    db.in_sync(after);
}

#[test]
fn a_unique_constraint_made_by_other_software_is_rebuilt_away_not_dropped_by_name() {
    let mut db =
        Db::new("#[derive(Table)]\n#[table(name = \"t\")]\npub struct T { #[column(primary_key)] pub id: i64 }\n");
    db.conn.execute_batch("DROP TABLE t; CREATE TABLE t (id integer PRIMARY KEY NOT NULL, code text UNIQUE); INSERT INTO t VALUES (1, 'a'), (2, 'b');").unwrap();
    let after = "#[derive(Table)]\n#[table(name = \"t\")]\npub struct T { #[column(primary_key)] pub id: i64, pub code: Option<String> }\n";
    let plan = db.push(after, &[]).unwrap();
    assert_eq!(plan.plan.rebuilt, ["t"]);
    db.conn.execute_batch("INSERT INTO t VALUES (3, 'a')").unwrap();
    assert_eq!(db.rows("SELECT count(*) FROM t"), ["3"]);
    db.in_sync(after);
}
