//! The constraints the attributes can say, on a real SQLite file with rows: unique
//! constraints, foreign keys over several columns or to the parent's key left implied,
//! DEFERRABLE, unnamed checks, a key that may hold NULL. Each does in the database what its
//! attribute says, survives a rebuild, and reads back as written.

use schema_core::dialect::Dialect;
use schema_core::diff::diff;
use schema_core::sqlite::SQLITE;
use schema_tests::project::Project;
use schema_tests::shape::shape;

fn fixture() -> String {
    std::fs::read_to_string(schema_tests::fixtures().join("constraints/schema.rs")).unwrap()
}

fn fails(p: &Project, sql: &str) -> String {
    match p.conn().execute_batch(sql) {
        Ok(()) => panic!("accepted: {sql}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn each_constraint_does_what_its_attribute_says() {
    let p = Project::new(&fixture());
    p.exec(
        "INSERT INTO orgs (code, slug, region, name) VALUES ('o1', 'one', 'eu', 'One'), (NULL, 'two', 'us', 'Two'), (NULL, 'three', 'us', 'Three');
         INSERT INTO teams VALUES ('o1', 1, 'core');
         INSERT INTO members (id, org_code, team_number, org_slug) VALUES (1, 'o1', 1, 'one');",
    );
    // The key may hold NULL, more than once, as SQLite's non-integer keys do.
    assert_eq!(p.rows("SELECT count(*) FROM orgs WHERE code IS NULL"), ["2"]);
    // Unique constraints, inline, table-level and named.
    assert!(fails(&p, "INSERT INTO orgs VALUES ('o2', 'one', 'us', 'Other')").contains("UNIQUE"));
    assert!(fails(&p, "INSERT INTO orgs VALUES ('o3', 'new', 'eu', 'One')").contains("UNIQUE"));
    // Unnamed checks.
    assert!(fails(&p, "INSERT INTO orgs VALUES ('o4', '', 'eu', 'Empty')").contains("CHECK"));
    assert!(fails(&p, "INSERT INTO orgs VALUES ('o5', 'five', 'mars', 'Mars')").contains("CHECK"));
    // `references = Org`: the parent's key, implied.
    assert!(fails(&p, "INSERT INTO members (id, org_code) VALUES (2, 'nowhere')").contains("FOREIGN KEY"));
    // Over two columns, with ON DELETE CASCADE: the member goes with its team.
    p.exec("DELETE FROM teams WHERE org_code = 'o1' AND number = 1");
    assert_eq!(p.rows("SELECT count(*) FROM members"), ["0"]);
}

const DEFERRED: &str = r#"
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
}

#[derive(Table)]
#[table(name = "posts")]
pub struct Post {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = User::id, deferrable = "deferred")]
    pub author: i64,
}
"#;

#[test]
fn a_deferred_foreign_key_is_checked_at_commit_and_kept_by_a_rebuild() {
    let p = Project::new(DEFERRED);
    // The child first, its parent later in the same transaction: fine at COMMIT.
    p.exec("BEGIN; INSERT INTO posts VALUES (1, 7); INSERT INTO users VALUES (7); COMMIT;");
    let e = fails(&p, "BEGIN; INSERT INTO posts VALUES (2, 8); COMMIT;");
    assert!(e.contains("FOREIGN KEY"), "{e}");
    assert_eq!(
        p.rows("SELECT count(*) FROM posts"),
        ["1"],
        "the failed COMMIT wrote nothing"
    );
    // A change that rebuilds `posts` (a new check) keeps the clause and every row: the way
    // Django's tables lost DEFERRABLE INITIALLY DEFERRED.
    let before = shape(&p.conn());
    let sql = p
        .generate(&DEFERRED.replace("pub struct Post {", "#[check(expr = \"id > 0\")]\npub struct Post {"))
        .unwrap();
    assert!(sql.contains("DEFERRABLE INITIALLY DEFERRED"), "{sql}");
    p.migrate().unwrap();
    assert_eq!(p.rows("SELECT id, author FROM posts"), ["1|7"]);
    let after = shape(&p.conn());
    let fk = |s: &[String]| s.iter().find(|f| f.contains("foreign key 0")).cloned();
    assert_eq!(fk(&before), fk(&after));
    assert!(fk(&after).unwrap().contains("InitiallyDeferred"));
    p.exec("BEGIN; INSERT INTO posts VALUES (3, 9); INSERT INTO users VALUES (9); COMMIT;");
}

#[test]
fn the_database_reads_back_as_the_structs_say() {
    let p = Project::new(&fixture());
    let read = schema_core::sqlite::introspect(&p.conn(), &["__drizzle_migrations"]).unwrap();
    let declared = SQLITE.normalize(&schema_tests::schema_from_source(&fixture()));
    let differences = diff(&declared, &read, &Default::default());
    assert!(differences.is_empty(), "{differences:#?}");
}

#[test]
fn a_string_default_holding_the_separator_runs_in_both_migrators() {
    let src = r#"
#[derive(Table)]
#[table(name = "notes")]
pub struct Note {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = "x --> statement-breakpoint y\n--> statement-breakpoint")]
    pub body: String,
}
"#;
    let p = Project::new(src);
    p.exec("INSERT INTO notes (id) VALUES (1)");
    assert_eq!(
        p.rows("SELECT body FROM notes"),
        ["x --> statement-breakpoint y\n--> statement-breakpoint"]
    );
    // drizzle-orm's migrator splits the file at every separator and runs each piece.
    let file = std::fs::read_dir(p.dir.path().join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.extension().is_some_and(|e| e == "sql"))
        .unwrap();
    let text = std::fs::read_to_string(file).unwrap();
    let drizzle = rusqlite::Connection::open_in_memory().unwrap();
    schema_tests::apply_sql_file(&drizzle, &text);
    drizzle.execute_batch("INSERT INTO notes (id) VALUES (1)").unwrap();
    assert_eq!(
        schema_tests::rows(&drizzle, "SELECT body FROM notes"),
        ["x --> statement-breakpoint y\n--> statement-breakpoint"]
    );
    // And it reads back as the one string it is: generate finds nothing to do.
    let read = schema_core::sqlite::introspect(&p.conn(), &["__drizzle_migrations"]).unwrap();
    let declared = SQLITE.normalize(&schema_tests::schema_from_source(src));
    assert!(diff(&declared, &read, &Default::default()).is_empty());
}
