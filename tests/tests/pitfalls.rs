//! One test for each row of PITFALLS.md's table of rebuild failures: the situation built with
//! data in a real SQLite file, the migration generated and applied as `schema generate` and
//! `schema migrate` do it, with foreign keys on, and every row shown kept (or the change
//! refused before anything runs).

use schema_core::MigrateError;
use schema_core::generate::{GenerateOptions, GenerateOutcome, generate};
use schema_core::model::Schema;
use schema_core::sqlite::REBUILD_MARKER;
use schema_tests::project::Project;

fn schema(src: &str) -> Schema {
    schema_tests::schema_from_source(src)
}

const PARENT_CHILD: &str = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub name: String,
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

/// The parent rebuilt: `name` becomes nullable and `email` is added with a CURRENT_* default.
const PARENT_REBUILT: &str = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub name: Option<String>,
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    pub seen: String,
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

fn with_parent_and_children() -> Project {
    let p = Project::new(PARENT_CHILD);
    p.exec(
        "INSERT INTO users (name) VALUES ('ann'), ('bob');
         INSERT INTO posts VALUES (1, 1, 2), (2, 2, 1), (3, 1, NULL);",
    );
    p
}

/// Row 1: `PRAGMA foreign_keys=OFF` inside BEGIN is a no-op, so DROP TABLE parent cascades.
/// Our migrator turns them off before its transaction: every child row stays.
#[test]
fn rebuilding_a_parent_keeps_cascade_and_set_null_children() {
    let p = with_parent_and_children();
    let sql = p.generate(PARENT_REBUILT).unwrap();
    assert!(sql.contains(&format!("{REBUILD_MARKER}\"users\"")), "{sql}");
    p.migrate().unwrap();
    assert_eq!(
        p.rows("SELECT id, author_id, editor_id FROM posts ORDER BY id"),
        ["1|1|2", "2|2|1", "3|1|NULL"]
    );
    assert_eq!(p.rows("SELECT id, name FROM users ORDER BY id"), ["1|ann", "2|bob"]);
    assert!(p.rows("PRAGMA foreign_key_check").is_empty());
}

/// Row 1, other runners: drizzle-orm runs a file inside one transaction, where the file's
/// PRAGMA cannot act. The guard makes the migration fail instead of cascading.
#[test]
fn run_inside_a_transaction_with_foreign_keys_on_the_file_fails_instead_of_cascading() {
    let p = with_parent_and_children();
    let sql = p.generate(PARENT_REBUILT).unwrap();
    let mut c = p.conn();
    let tx = c.transaction().unwrap();
    let mut failed = None;
    for stmt in sql.split("--> statement-breakpoint") {
        if let Err(e) = tx.execute_batch(stmt) {
            failed = Some(e.to_string());
            break;
        }
    }
    drop(tx); // rolled back, as drizzle-orm does on an error
    let err = failed.expect("the guard must stop the migration");
    assert!(
        err.contains("foreign keys must be OFF to rebuild or drop users"),
        "{err}"
    );
    assert_eq!(p.rows("SELECT count(*) FROM posts"), ["3"]);
    assert_eq!(p.rows("SELECT editor_id FROM posts WHERE id = 1"), ["2"]);
}

/// Row 1, the same file run the right way by another runner (foreign keys off first, no
/// transaction around the PRAGMA): it succeeds and keeps every row.
#[test]
fn the_file_alone_keeps_every_row_when_run_statement_by_statement() {
    let p = with_parent_and_children();
    let sql = p.generate(PARENT_REBUILT).unwrap();
    let c = p.conn();
    for stmt in sql.split("--> statement-breakpoint") {
        c.execute_batch(stmt).unwrap();
    }
    assert_eq!(p.rows("SELECT count(*) FROM posts WHERE editor_id IS NOT NULL"), ["2"]);
    assert_eq!(p.rows("SELECT count(*) FROM posts"), ["3"]);
}

/// Row 2: `defer_foreign_keys` is not protection, and we do not use it.
#[test]
fn defer_foreign_keys_is_never_used() {
    let p = with_parent_and_children();
    let sql = p.generate(PARENT_REBUILT).unwrap();
    assert!(!sql.to_lowercase().contains("defer_foreign_keys"));
}

/// Row 3: a new foreign key over orphan rows. `foreign_key_check` runs before COMMIT and the
/// migration is rolled back, the database left as it was.
#[test]
fn orphans_under_a_new_foreign_key_roll_the_migration_back() {
    let before = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User { #[column(primary_key)] pub id: i64 }
#[derive(Table)]
#[table(name = "posts")]
pub struct Post { #[column(primary_key)] pub id: i64, pub author_id: i64 }
"#;
    let after = before.replace(
        "pub author_id: i64",
        "#[column(references = User::id)] pub author_id: i64",
    );
    let p = Project::new(before);
    p.exec("INSERT INTO users VALUES (1); INSERT INTO posts VALUES (1, 1), (2, 99);");
    p.generate(&after).unwrap();
    let err = p.migrate().unwrap_err();
    assert!(matches!(err, MigrateError::ForeignKeyViolation { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("a row of `posts` (rowid 2) points at a missing row of `users`"),
        "{err}"
    );
    // Nothing of it stayed: no foreign key, both rows, and the migration still pending.
    assert_eq!(p.rows("SELECT count(*) FROM pragma_foreign_key_list('posts')"), ["0"]);
    assert_eq!(p.rows("SELECT id, author_id FROM posts ORDER BY id"), ["1|1", "2|99"]);
    assert_eq!(p.rows("SELECT count(*) FROM __drizzle_migrations"), ["1"]);
}

const NULLABLE_AGE: &str = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub age: Option<i64>,
}
"#;

/// Row 4: nullable → NOT NULL copies NULLs and fails. With a default, NULLs become it.
#[test]
fn nullable_to_not_null_coalesces_nulls_to_the_default() {
    let p = Project::new(NULLABLE_AGE);
    p.exec("INSERT INTO users (age) VALUES (30), (NULL), (7);");
    p.generate(&NULLABLE_AGE.replace("pub age: Option<i64>", "#[column(default = 18)] pub age: i64"))
        .unwrap();
    p.migrate().unwrap();
    assert_eq!(p.rows("SELECT id, age FROM users ORDER BY id"), ["1|30", "2|18", "3|7"]);
}

/// Row 4, without a default: generated with a guard. While a row holds NULL the migration
/// stops before the copy, with the count, and changes nothing; once the NULLs are filled it
/// goes through.
#[test]
fn nullable_to_not_null_without_default_is_guarded_by_a_null_count() {
    let p = Project::new(NULLABLE_AGE);
    p.exec("INSERT INTO users (age) VALUES (30), (NULL), (7), (NULL);");
    let sql = p
        .generate(&NULLABLE_AGE.replace("pub age: Option<i64>", "pub age: i64"))
        .unwrap();
    assert!(sql.contains("__schema_null_guard"), "{sql}");
    let err = p.migrate().unwrap_err();
    match &err {
        MigrateError::Guarded { rows, reason, .. } => {
            assert_eq!(*rows, 2);
            assert!(reason.starts_with("rows hold NULL in users.age"), "{reason}");
        }
        other => panic!("not the guard: {other}"),
    }
    assert!(
        err.to_string().contains("nothing of it was applied: 2 row(s) counted"),
        "{err}"
    );
    // Nothing changed: the column still takes NULL, every row is there, nothing recorded.
    assert_eq!(
        p.rows("SELECT [notnull] FROM pragma_table_info('users') WHERE name = 'age'"),
        ["0"]
    );
    assert_eq!(p.rows("SELECT count(*) FROM users"), ["4"]);
    assert_eq!(p.rows("SELECT count(*) FROM __drizzle_migrations"), ["1"]);
    p.exec("UPDATE users SET age = 0 WHERE age IS NULL;");
    p.migrate().unwrap();
    assert_eq!(
        p.rows("SELECT [notnull] FROM pragma_table_info('users') WHERE name = 'age'"),
        ["1"]
    );
    assert_eq!(
        p.rows("SELECT id, age FROM users ORDER BY id"),
        ["1|30", "2|0", "3|7", "4|0"]
    );
}

/// Row 5: a column added and another renamed in the migration that also rebuilds the table:
/// the copy names a source for each, so neither is "no such column" nor read by its new name.
#[test]
fn a_rebuild_with_a_new_and_a_renamed_column_copies_each_from_its_source() {
    let before = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    pub nick: Option<String>,
    pub score: i64,
}
"#;
    let after = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    #[column(renamed_from = "nick", default = "anon")]
    pub handle: String,
    pub score: f64,
    #[column(default = "member")]
    pub role: String,
}
"#;
    let p = Project::new(before);
    p.exec("INSERT INTO users VALUES (1, 'ann', 10), (2, NULL, 20);");
    p.generate(after).unwrap();
    p.migrate().unwrap();
    assert_eq!(
        p.rows("SELECT id, handle, score, typeof(score), role FROM users ORDER BY id"),
        ["1|ann|10|real|member", "2|anon|20|real|member"]
    );
}

/// Row 6: generated columns are computed, never inserted into.
#[test]
fn generated_columns_are_left_out_of_the_copy() {
    let before = r#"
#[derive(Table)]
#[table(name = "items")]
pub struct Item {
    #[column(primary_key)]
    pub id: i64,
    pub price: i64,
    pub qty: Option<i64>,
    #[column(generated = "price * 2", stored)]
    pub double_price: Option<i64>,
}
"#;
    let after = before.replace("pub qty: Option<i64>", "#[column(default = 1)] pub qty: i64");
    let p = Project::new(before);
    p.exec("INSERT INTO items (id, price, qty) VALUES (1, 5, NULL), (2, 7, 3);");
    p.generate(&after).unwrap();
    p.migrate().unwrap();
    assert_eq!(
        p.rows("SELECT id, price, qty, double_price FROM items ORDER BY id"),
        ["1|5|1|10", "2|7|3|14"]
    );
}

/// Row 7: indexes, triggers and views of a rebuilt table, including ones made by hand in a
/// custom migration, are all there after it.
#[test]
fn indexes_triggers_and_views_survive_a_rebuild() {
    let before = r#"
#[derive(Table)]
#[table(name = "users")]
#[index(columns(name))]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    pub name: String,
    pub age: Option<i64>,
}
#[derive(Table)]
#[table(name = "audit")]
pub struct Audit {
    pub what: String,
}
"#;
    let p = Project::new(before);
    // A hand-written migration adds a view and a trigger, as users do.
    let custom = GenerateOptions {
        custom: true,
        ..Default::default()
    };
    match generate(&p.folder(), &schema(before), &custom, &mut ()).unwrap() {
        GenerateOutcome::Written(w) => std::fs::write(
            w.sql_path,
            "CREATE VIEW adults AS SELECT id, name FROM users WHERE age >= 18;--> statement-breakpoint\n\
             CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES ('insert ' || new.name); END;",
        )
        .unwrap(),
        GenerateOutcome::NoChanges => unreachable!(),
    }
    p.migrate().unwrap();
    p.exec("INSERT INTO users VALUES (1, 'ann', 30), (2, 'kid', 5);");
    p.generate(&before.replace("pub age: Option<i64>", "#[column(default = 0)] pub age: i64"))
        .unwrap();
    p.migrate().unwrap();
    assert_eq!(p.rows("SELECT name FROM adults"), ["ann"]);
    assert_eq!(
        p.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users'"),
        ["users_name_idx"]
    );
    p.exec("INSERT INTO users VALUES (3, 'cat', 40);");
    assert_eq!(
        p.rows("SELECT what FROM audit ORDER BY rowid"),
        ["insert ann", "insert kid", "insert cat"]
    );
}

/// Row 8: the AUTOINCREMENT counter survives, so a deleted id is never handed out again.
#[test]
fn the_autoincrement_counter_is_restored() {
    let p = Project::new(NULLABLE_AGE);
    p.exec("INSERT INTO users (age) VALUES (1), (2), (3); DELETE FROM users WHERE id = 3;");
    p.generate(&NULLABLE_AGE.replace("pub age: Option<i64>", "#[column(default = 0)] pub age: i64"))
        .unwrap();
    p.migrate().unwrap();
    p.exec("INSERT INTO users (age) VALUES (4);");
    assert_eq!(p.rows("SELECT id FROM users ORDER BY id"), ["1", "2", "4"]);
    assert_eq!(p.rows("SELECT seq FROM sqlite_sequence WHERE name = 'users'"), ["4"]);
}

/// Row 9: rowids of a table without an INTEGER PRIMARY KEY are kept (FTS `content_rowid`
/// and other references depend on them).
#[test]
fn rowids_are_kept_without_an_integer_primary_key() {
    let before = r#"
#[derive(Table)]
#[table(name = "notes")]
pub struct Note {
    pub body: Option<String>,
}
"#;
    let p = Project::new(before);
    p.exec("INSERT INTO notes(rowid, body) VALUES (10, 'a'), (20, NULL), (35, 'c');");
    p.generate(&before.replace("pub body: Option<String>", "#[column(default = \"\")] pub body: String"))
        .unwrap();
    p.migrate().unwrap();
    assert_eq!(
        p.rows("SELECT rowid, body FROM notes ORDER BY rowid"),
        ["10|a", "20|", "35|c"]
    );
}

/// Row 10: the new table is created, filled, and renamed into place after the old one is
/// dropped, so children's foreign keys keep naming the parent and keep working.
#[test]
fn children_keep_pointing_at_the_parent_by_its_name() {
    let p = with_parent_and_children();
    p.generate(PARENT_REBUILT).unwrap();
    p.migrate().unwrap();
    let child_sql = p.rows("SELECT sql FROM sqlite_master WHERE name = 'posts'").join("");
    assert!(
        child_sql.contains("REFERENCES `users`") && !child_sql.contains("__new"),
        "{child_sql}"
    );
    // The constraint still acts: cascade on delete, refusal of an orphan.
    p.exec("DELETE FROM users WHERE id = 1;");
    assert_eq!(
        p.rows("SELECT id, author_id, editor_id FROM posts ORDER BY id"),
        ["2|2|NULL"]
    );
    assert!(
        p.conn()
            .execute_batch("INSERT INTO posts VALUES (9, 42, NULL)")
            .is_err()
    );
}

/// Row 11: a type change rebuilds with the data copied, not DROP COLUMN + ADD COLUMN.
#[test]
fn a_type_change_keeps_the_values() {
    let p = Project::new(NULLABLE_AGE);
    p.exec("INSERT INTO users (age) VALUES (30), (NULL);");
    let sql = p
        .generate(&NULLABLE_AGE.replace("pub age: Option<i64>", "pub age: Option<String>"))
        .unwrap();
    assert!(!sql.contains("DROP COLUMN"), "{sql}");
    p.migrate().unwrap();
    assert_eq!(
        p.rows("SELECT id, age, typeof(age) FROM users ORDER BY id"),
        ["1|30|text", "2|NULL|null"]
    );
}

/// Row 12: no made-up zero default for a new NOT NULL column: guarded. A table with rows
/// stops the migration (the count said, nothing changed); an empty one takes the column.
#[test]
fn a_new_not_null_column_without_default_is_guarded_by_a_row_count() {
    let with_level = NULLABLE_AGE.replace("pub age: Option<i64>,", "pub age: Option<i64>,\n    pub level: i64,");
    let p = Project::new(NULLABLE_AGE);
    p.exec("INSERT INTO users (age) VALUES (1), (2), (3);");
    p.generate(&with_level).unwrap();
    let err = p.migrate().unwrap_err();
    assert!(
        matches!(&err, MigrateError::Guarded { rows: 3, reason, .. }
            if reason.starts_with("rows of users would have no value for the new NOT NULL column level")),
        "{err}"
    );
    assert_eq!(p.rows("SELECT count(*) FROM pragma_table_info('users')"), ["2"]);
    assert_eq!(p.rows("SELECT id, age FROM users ORDER BY id"), ["1|1", "2|2", "3|3"]);

    let empty = Project::new(NULLABLE_AGE);
    empty.generate(&with_level).unwrap();
    empty.migrate().unwrap();
    assert_eq!(
        empty.rows("SELECT [notnull] FROM pragma_table_info('users') WHERE name = 'level'"),
        ["1"]
    );
}

/// Row 13: several changes to one table make one rebuild.
#[test]
fn several_changes_to_one_table_rebuild_it_once() {
    let before = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    pub name: Option<String>,
    pub age: Option<i64>,
}
"#;
    let after = r#"
#[derive(Table)]
#[table(name = "users")]
#[check(name = "age_ok", expr = "age >= 0")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = "", collate = "NOCASE")]
    pub name: String,
    #[column(default = 0)]
    pub age: i64,
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    pub created: String,
}
"#;
    let p = Project::new(before);
    p.exec("INSERT INTO users VALUES (1, 'Ann', NULL), (2, NULL, 4);");
    let sql = p.generate(after).unwrap();
    assert_eq!(sql.matches(REBUILD_MARKER).count(), 1, "{sql}");
    assert_eq!(sql.matches("CREATE TABLE").count(), 1, "{sql}");
    p.migrate().unwrap();
    assert_eq!(
        p.rows("SELECT id, name, age FROM users ORDER BY id"),
        ["1|Ann|0", "2||4"]
    );
}
