//! `#[derive(SqlEnum)]` on SQLite: a column of an enum is `text` with a CHECK listing the
//! values; rows map to the variants both ways; the derive and the CLI read the same type; a
//! new variant rebuilds the table with every row, and a removed one is refused, changing
//! nothing, while a row holds it. (PostgreSQL's enum types: tests/postgres.rs.)

use rusqlite::Connection;
use schema_core::dialect::Dialect as _;
use schema_core::model::{EnumType, LogicalType};
use schema_core::sqlite::SQLITE;
use schema_core::{SqlEnum, Table};
use schema_tests::project::Project;

#[derive(SqlEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[sql_enum(name = "post_status")]
enum PostStatus {
    Draft,
    InReview,
    #[sql_enum(rename = "live!")]
    Published,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "posts")]
struct Post {
    #[column(primary_key, autoincrement)]
    id: i64,
    #[column(default = "in_review")]
    status: PostStatus,
    previous: Option<PostStatus>,
}

#[test]
fn the_derive_gives_the_type_its_values_in_order() {
    assert_eq!(PostStatus::NAME, "post_status");
    assert_eq!(PostStatus::VALUES, ["draft", "in_review", "live!"]);
    assert_eq!(PostStatus::Published.as_value(), "live!");
    assert_eq!(PostStatus::from_value("in_review"), Some(PostStatus::InReview));
    assert_eq!(PostStatus::from_value("Draft"), None);
    let status = &Post::table_def().columns[1];
    assert_eq!(
        status.ty,
        LogicalType::Enum(Box::new(EnumType {
            name: "post_status".into(),
            schema: None,
            values: vec!["draft".into(), "in_review".into(), "live!".into()],
        }))
    );
}

/// The CLI reads this very file: the enum it finds is the one the compiler found.
#[test]
fn the_cli_reads_the_enum_as_the_derive_does() {
    let cli = schema_tests::schema_from_source(include_str!("enums.rs"));
    assert_eq!(&cli.tables[0], Post::table_def());
    assert_eq!(cli.enums, [PostStatus::enum_type()]);
    let sql = SQLITE.create_table_statements(Post::table_def()).join("\n");
    assert!(sql.contains("`status` text DEFAULT 'in_review' NOT NULL"), "{sql}");
    assert!(
        sql.contains("CONSTRAINT \"posts_status_enum_check\" CHECK(`status` IN ('draft', 'in_review', 'live!'))"),
        "{sql}"
    );
}

#[test]
fn rows_map_to_variants_and_the_check_refuses_other_text() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("enums.db")).unwrap();
    Post::create_table(&conn).unwrap();
    let row = Post {
        id: 1,
        status: PostStatus::Published,
        previous: Some(PostStatus::Draft),
    };
    row.insert(&conn).unwrap();
    assert_eq!(Post::find(&conn, 1).unwrap(), Some(row));
    let stored: String = conn
        .query_row("SELECT status FROM posts WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, "live!");
    // The default is the database's.
    conn.execute("INSERT INTO posts DEFAULT VALUES", []).unwrap();
    assert_eq!(Post::find(&conn, 2).unwrap().unwrap().status, PostStatus::InReview);
    let err = conn
        .execute("INSERT INTO posts (status) VALUES ('published')", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("CHECK constraint failed"), "{err}");
}

const V1: &str = r#"
use schema_core::{SqlEnum, Table};

#[derive(SqlEnum)]
pub enum Mood {
    Happy,
    Sad,
}

#[derive(Table)]
#[table(name = "people")]
pub struct Person {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(default = "happy")]
    pub mood: Mood,
}
"#;

#[test]
fn a_new_variant_keeps_every_row_and_a_removed_one_is_refused_while_rows_hold_it() {
    let p = Project::new(V1);
    let conn = p.conn();
    conn.execute_batch("INSERT INTO people (mood) VALUES ('happy'), ('sad'), ('sad')")
        .unwrap();
    let v2 = V1.replace("    Sad,\n", "    Sad,\n    Calm,\n");
    let sql = p.generate(&v2).unwrap();
    assert!(sql.contains("'happy', 'sad', 'calm'"), "{sql}");
    p.migrate().unwrap();
    conn.execute("INSERT INTO people (mood) VALUES ('calm')", []).unwrap();
    let count = |c: &Connection| -> i64 { c.query_row("SELECT count(*) FROM people", [], |r| r.get(0)).unwrap() };
    assert_eq!(count(&conn), 4);

    // `sad` goes while two rows hold it: the rebuild's copy fails and nothing changes.
    let v3 = v2.replace("    Sad,\n", "");
    p.generate(&v3).unwrap();
    let definitions = |c: &Connection| -> Vec<String> {
        let mut stmt = c.prepare("SELECT sql FROM sqlite_master ORDER BY name").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let schema_before = definitions(&conn);
    let err = p.migrate().unwrap_err().to_string();
    assert!(err.contains("CHECK constraint failed"), "{err}");
    assert_eq!(definitions(&conn), schema_before);
    assert_eq!(count(&conn), 4);
    // Once no row holds it, the same migration applies with every row.
    conn.execute("UPDATE people SET mood = 'calm' WHERE mood = 'sad'", [])
        .unwrap();
    p.migrate().unwrap();
    assert_eq!(count(&conn), 4);
    let err = conn
        .execute("INSERT INTO people (mood) VALUES ('sad')", [])
        .unwrap_err()
        .to_string();
    assert!(err.contains("CHECK constraint failed"), "{err}");
}

#[test]
fn a_type_that_is_no_enum_and_a_default_that_is_no_value_are_refused_by_the_cli() {
    let errors = |src: &str| {
        let file = syn::parse_file(src).unwrap();
        let parsed = schema_model::parse::from_file(&file).unwrap();
        match schema_model::parse::resolve(&parsed) {
            Ok(_) => panic!("accepted: {src}"),
            Err(e) => e.into_iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("\n"),
        }
    };
    let e = errors("#[derive(Table)] struct T { #[column(primary_key)] id: i64, at: std::time::SystemTime }");
    assert!(
        e.contains("cannot map the type `std::time::SystemTime` to a SQL column type") && e.contains("SqlEnum"),
        "{e}"
    );
    let e = errors(
        "#[derive(SqlEnum)] enum Mood { Happy } \
         #[derive(Table)] struct T { #[column(primary_key)] id: i64, #[column(default = \"sad\")] mood: Mood }",
    );
    assert!(
        e.contains("the default `sad` is not a value of the enum `Mood` (happy)"),
        "{e}"
    );
    let e = errors(
        "#[derive(SqlEnum)] enum A { X } #[derive(SqlEnum)] #[sql_enum(name = \"a\")] enum B { Y } \
         #[derive(Table)] struct T { #[column(primary_key)] id: i64, a: A }",
    );
    assert!(e.contains("`A` and `B` both declare the enum type `public.a`"), "{e}");
}

#[test]
fn an_enum_that_cannot_be_one_is_refused_where_it_is_written() {
    let error = |src: &str| match schema_model::parse::enum_from_tokens(src.parse().unwrap()) {
        Ok(_) => panic!("accepted: {src}"),
        Err(e) => e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"),
    };
    assert!(error("enum E { A(i64) }").contains("the variant `A` has fields"));
    assert!(error("enum E {}").contains("needs at least one variant"));
    assert!(error("enum E { A, #[sql_enum(rename = \"a\")] B }").contains("`B` and `A` both stand for the value `a`"));
    assert!(error("#[sql_enum(schema = \"pg_x\")] enum E { A }").contains("belongs to PostgreSQL itself"));
    assert!(error(&format!("enum E {{ #[sql_enum(rename = \"{}\")] A }}", "x".repeat(64))).contains("at most 63"));
    assert!(error("struct S;").contains("needs an enum"));
}
