//! The `schema` binary, driven as a user drives it, in a temporary project folder.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::Project;

const USERS: &str = r#"use schema_core::Table;

#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(unique)]
    pub email: String,
}

#[derive(Table)]
pub struct Post {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = User::id, on_delete = "cascade")]
    pub author_id: i64,
}
"#;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/drizzle-compat/basic")
}

#[test]
fn generate_writes_a_drizzle_kit_folder_then_reports_no_changes() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    let out = p.run(&["generate"]).expect(0).stdout();
    assert!(out.contains("0000_init.sql (3 statements)"), "{out}");
    let sql = p.read("migrations/0000_init.sql");
    assert!(
        sql.find("CREATE TABLE `users`").unwrap() < sql.find("CREATE TABLE `post`").unwrap(),
        "referenced table first:\n{sql}"
    );
    assert_eq!(sql.matches("--> statement-breakpoint\n").count(), 2);
    let journal: serde_json::Value = serde_json::from_str(&p.read("migrations/meta/_journal.json")).unwrap();
    assert_eq!(journal["version"], "7");
    assert_eq!(journal["entries"][0]["tag"], "0000_init");
    assert_eq!(journal["entries"][0]["version"], "6");
    let snap: serde_json::Value = serde_json::from_str(&p.read("migrations/meta/0000_snapshot.json")).unwrap();
    assert_eq!(snap["prevId"], "00000000-0000-0000-0000-000000000000");
    assert_eq!(
        snap["tables"]["post"]["foreignKeys"]["post_author_id_users_id_fk"]["onDelete"],
        "cascade"
    );

    let again = p.run(&["generate"]).expect(0).stdout();
    assert!(again.contains("No schema changes"), "{again}");
    assert!(!p.path("migrations/0001_init.sql").exists());
}

#[test]
fn generate_on_the_drizzle_fixture_matches_drizzle_kits_snapshot() {
    let p = Project::new();
    std::fs::copy(fixture_dir().join("schema.rs"), p.path("schema.rs")).unwrap();
    p.run(&["generate", "--schema", "schema.rs", "--out", "out", "--name", "init"])
        .expect(0);
    let strip = |s: String| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(&s).unwrap();
        v.as_object_mut().unwrap().remove("id");
        v.as_object_mut().unwrap().remove("prevId");
        v
    };
    let ours = strip(p.read("out/meta/0000_snapshot.json"));
    let theirs = strip(std::fs::read_to_string(fixture_dir().join("migrations/meta/0000_snapshot.json")).unwrap());
    assert_eq!(ours, theirs);
    let journal = p.read("out/meta/_journal.json");
    assert!(journal.contains("\"tag\": \"0000_init\""), "{journal}");
}

#[test]
fn a_syntax_error_exits_2_naming_file_and_line() {
    let p = Project::new();
    p.write(
        "src/schema.rs",
        "use schema_core::Table;\n\n#[derive(Table)]\npub struct User {\n    pub id: i64,,\n}\n",
    );
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(err.contains("src/schema.rs:5:"), "{err}");
    assert!(err.contains("not valid Rust"), "{err}");
}

#[test]
fn a_struct_that_cannot_be_read_exits_2_naming_file_and_line() {
    let p = Project::new();
    p.write(
        "src/schema.rs",
        "use schema_core::Table;\n\n#[derive(Table)]\npub struct Pair(i64, i64);\n",
    );
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(
        err.contains("src/schema.rs:4:12: #[derive(Table)] needs a struct with named fields"),
        "{err}"
    );
}

#[test]
fn every_attribute_error_of_every_struct_is_reported_with_its_position() {
    let p = Project::new();
    p.write(
        "src/schema.rs",
        "#[derive(Table)]\npub struct A {\n    #[column(primary_kee)]\n    pub id: i64,\n}\n\n#[derive(Table)]\npub struct B {\n    #[column(default = \"x\")]\n    pub n: i64,\n}\n\n#[derive(Table)]\npub struct C {\n    pub when: DateTime,\n}\n",
    );
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(err.contains("2 problems"), "{err}");
    assert!(
        err.contains("src/schema.rs:3:14: unknown attribute `primary_kee` in #[column(..)]"),
        "{err}"
    );
    assert!(
        err.contains("src/schema.rs:9:14: the default does not fit the column `n`"),
        "{err}"
    );
    // A type is looked up among the schema files' SqlEnums once every struct reads.
    p.write(
        "src/schema.rs",
        "#[derive(Table)]\npub struct A {\n    #[column(primary_key)]\n    pub id: i64,\n}\n\n#[derive(Table)]\npub struct B {\n    #[column(default = 1)]\n    pub n: i64,\n}\n\n#[derive(Table)]\npub struct C {\n    pub when: DateTime,\n}\n",
    );
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(
        err.contains("src/schema.rs:15:15: cannot map the type `DateTime`"),
        "{err}"
    );
}

#[test]
fn a_reference_to_a_missing_struct_or_field_is_an_error_at_the_path() {
    let p = Project::new();
    p.write(
        "src/schema.rs",
        "#[derive(Table)]\npub struct A {\n    #[column(references = Missing::id)]\n    pub x: i64,\n    #[column(references = A::nope)]\n    pub y: i64,\n    #[column(references = A::x)]\n    pub z: String,\n}\n",
    );
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(
        err.contains("src/schema.rs:3:27: `references` names `Missing`"),
        "{err}"
    );
    assert!(
        err.contains("src/schema.rs:5:30: `references` names `A::nope`"),
        "{err}"
    );
    assert!(err.contains("src/schema.rs:7:27: foreign key type mismatch"), "{err}");
}

#[test]
fn no_tables_at_all_exits_2_naming_the_file() {
    let p = Project::new();
    p.write("src/schema.rs", "pub struct NotATable { pub id: i64 }\n");
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(
        err.contains("src/schema.rs:1:1: no #[derive(Table)] structs found"),
        "{err}"
    );
}

#[test]
fn a_missing_schema_file_exits_2() {
    let p = Project::new();
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(err.contains("src/schema.rs: no such schema file"), "{err}");
}

#[test]
fn a_named_config_must_exist_but_the_default_one_is_optional() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    let err = p.run(&["--config", "nope.toml", "generate"]).expect(2).stderr();
    assert!(err.contains("cannot read the config file nope.toml"), "{err}");
    p.run(&["generate"]).expect(0);
}

#[test]
fn config_paths_are_relative_to_the_config_file_and_flags_win() {
    let p = Project::new();
    p.write("app/db/tables.rs", USERS);
    p.write("app/schema.toml", "dialect = \"sqlite\"\nschema = [\"db/*.rs\"]\nout = \"drizzle\"\n\n[database]\nurl = \"data.db\"\n\n[migrations]\ntable = \"my_migrations\"\n");
    p.run(&["--config", "app/schema.toml", "generate", "--name", "first"])
        .expect(0);
    assert!(p.path("app/drizzle/0000_first.sql").exists());
    p.run(&["--config", "app/schema.toml", "migrate"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app/data.db")).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM my_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    // DATABASE_URL wins over the file, --url over both.
    p.run_env(
        &["--config", "app/schema.toml", "migrate"],
        &[("DATABASE_URL", "env.db")],
    )
    .expect(0);
    assert!(p.path("env.db").exists());
    p.run_env(
        &["--config", "app/schema.toml", "migrate", "--url", "flag.db"],
        &[("DATABASE_URL", "env.db")],
    )
    .expect(0);
    assert!(p.path("flag.db").exists());
}

#[test]
fn an_unknown_config_key_or_dialect_exits_2() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    p.write("schema.toml", "outt = \"x\"\n");
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(err.contains("schema.toml") && err.contains("outt"), "{err}");
    p.write("schema.toml", "dialect = \"mysql\"\n");
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(err.contains("unsupported dialect \"mysql\""), "{err}");
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let p = Project::new();
    p.run(&["generate", "--frobnicate"]).expect(2);
    p.run(&["--help"]).expect(0);
}

#[test]
fn migrate_applies_once_and_status_reports() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    p.run(&["generate"]).expect(0);
    let status = p.run(&["status"]).expect(0).stdout();
    assert!(status.contains("0000_init") && status.contains("pending"), "{status}");
    let out = p.run(&["migrate", "--dry-run"]).expect(0).stdout();
    assert!(out.contains("would apply 0000_init"), "{out}");
    assert!(
        !rusqlite::Connection::open(p.path("app.db"))
            .unwrap()
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'users'", [], |r| r
                .get::<_, i64>(0))
            .map(|n| n > 0)
            .unwrap()
    );
    let out = p.run(&["migrate"]).expect(0).stdout();
    assert!(out.contains("applied 0000_init"), "{out}");
    let out = p.run(&["migrate"]).expect(0).stdout();
    assert!(out.contains("Nothing to apply"), "{out}");
    let status = p.run(&["status"]).expect(0).stdout();
    assert!(
        status.contains("1 migration: 0 pending, 0 edited, 0 missing"),
        "{status}"
    );
}

#[test]
fn a_failing_statement_exits_3_naming_migration_and_statement() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    p.run(&["generate"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    conn.execute_batch("CREATE TABLE post (x)").unwrap();
    drop(conn);
    let err = p.run(&["migrate"]).expect(3).stderr();
    assert!(
        err.contains("while applying migration 0000_init: statement 3 failed"),
        "{err}"
    );
    assert!(err.contains("CREATE TABLE `post`"), "{err}");
    // Nothing of the failed migration is left behind.
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    let users: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'users'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(users, 0);
}

#[test]
fn an_edited_migration_is_refused_and_status_says_so() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    p.run(&["generate"]).expect(0);
    p.run(&["migrate"]).expect(0);
    let sql = p.read("migrations/0000_init.sql");
    p.write("migrations/0000_init.sql", &format!("{sql}\n-- edited"));
    let err = p.run(&["migrate"]).expect(3).stderr();
    assert!(
        err.contains("migration 0000_init was applied, but its file has changed"),
        "{err}"
    );
    let status = p.run(&["status"]).expect(1).stdout();
    assert!(status.contains("EDITED"), "{status}");
}

const V1: &str = "#[derive(Table)]\n#[table(name = \"users\")]\npub struct User {\n    #[column(primary_key)]\n    pub id: i64,\n    pub nick: String,\n}\n";

#[test]
fn an_ambiguous_rename_without_a_terminal_exits_2_listing_the_flags() {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate"]).expect(0);
    p.write("src/schema.rs", &V1.replace("nick", "handle"));
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(
        err.contains("is column `users.handle` new, or renamed from `nick`?"),
        "{err}"
    );
    assert!(err.contains("--rename users.nick=handle"), "{err}");
    assert!(!p.path("migrations/0001_users_rename_handle.sql").exists());

    let out = p.run(&["generate", "--rename", "users.nick=handle"]).expect(0).stdout();
    assert!(out.contains("0001_users_rename_handle.sql (1 statement)"), "{out}");
    assert_eq!(
        p.read("migrations/0001_users_rename_handle.sql"),
        "ALTER TABLE `users` RENAME COLUMN `nick` TO `handle`;"
    );
    let snap: serde_json::Value = serde_json::from_str(&p.read("migrations/meta/0001_snapshot.json")).unwrap();
    assert_eq!(snap["_meta"]["columns"]["\"users\".\"nick\""], "\"users\".\"handle\"");
}

#[test]
fn drop_and_create_answer_without_renaming_and_warn_before_losing_data() {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate"]).expect(0);
    p.write(
        "src/schema.rs",
        &V1.replace("pub nick: String", "pub handle: Option<String>"),
    );
    let run = p.run(&["generate", "--drop", "users.nick"]);
    run.expect(0);
    assert!(
        run.stderr()
            .contains("warning: dropping column `users.nick`: its data will be lost"),
        "{}",
        run.stderr()
    );
    let sql = p.read("migrations/0001_users_alter.sql");
    assert!(
        sql.contains("ADD `handle` text") && sql.contains("DROP COLUMN `nick`"),
        "{sql}"
    );
}

#[test]
fn a_bad_rename_flag_exits_2() {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate"]).expect(0);
    p.write("src/schema.rs", &V1.replace("nick", "handle"));
    let err = p.run(&["generate", "--rename", "users.nope=handle"]).expect(2).stderr();
    assert!(
        err.contains("`nope` is not a column that `users` no longer has"),
        "{err}"
    );
}

/// A new NOT NULL column without a default is generated with a guard and a warning; migrate
/// stops over rows with the count (exit 3, nothing changed) and goes through on none.
#[test]
fn a_new_not_null_column_is_guarded_with_what_to_add() {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate"]).expect(0);
    p.run(&["migrate"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    conn.execute_batch("INSERT INTO users (nick) VALUES ('a'), ('b'), ('c')")
        .unwrap();
    drop(conn);
    p.write(
        "src/schema.rs",
        &V1.replace("pub nick: String,", "pub nick: String,\n    pub level: i64,"),
    );
    let err = p.run(&["generate"]).expect(0).stderr();
    assert!(
        err.contains("warning: `users` gets a NOT NULL column without a default: the migration fails"),
        "{err}"
    );
    let err = p.run(&["migrate"]).expect(3).stderr();
    assert!(
        err.contains("3 row(s) counted: rows of users would have no value for the new NOT NULL column level"),
        "{err}"
    );
    assert_eq!(support::rows(&p.path("app.db"), "SELECT count(*) FROM users"), ["3"]);
    support::rows(&p.path("app.db"), "DELETE FROM users RETURNING id");
    p.run(&["migrate"]).expect(0);
}

#[test]
fn custom_migrations_carry_the_snapshot_and_tags_say_what_they_do() {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate"]).expect(0);
    p.run(&["generate", "--custom", "--name", "seed users"]).expect(0);
    assert!(
        p.read("migrations/0001_seed_users.sql")
            .starts_with("-- Custom SQL migration file")
    );
    let s0: serde_json::Value = serde_json::from_str(&p.read("migrations/meta/0000_snapshot.json")).unwrap();
    let s1: serde_json::Value = serde_json::from_str(&p.read("migrations/meta/0001_snapshot.json")).unwrap();
    assert_eq!(s0["tables"], s1["tables"]);
    assert_eq!(s1["prevId"], s0["id"]);
    p.write(
        "src/schema.rs",
        &V1.replace("pub nick: String,", "pub nick: String,\n    pub bio: Option<String>,"),
    );
    let out = p.run(&["generate"]).expect(0).stdout();
    assert!(out.contains("0002_users_add_bio.sql"), "{out}");
    p.run(&["check"]).expect(0);
}

#[test]
fn check_reports_ungenerated_changes_missing_files_and_branches() {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate"]).expect(0);
    let out = p.run(&["check"]).expect(0).stdout();
    assert!(out.starts_with("ok"), "{out}");

    // The structs moved on without a migration.
    p.write(
        "src/schema.rs",
        &V1.replace("pub nick: String,", "pub nick: String,\n    pub bio: Option<String>,"),
    );
    let out = p.run(&["check"]).expect(1).stdout();
    assert!(
        out.contains("1 change not in any migration (run `schema generate`): users"),
        "{out}"
    );

    // Two branches each add a migration after 0000: simulate the merged folder.
    p.run(&["generate", "--name", "add_bio"]).expect(0);
    let branch_snap = p.read("migrations/meta/0001_snapshot.json");
    let journal = p.read("migrations/meta/_journal.json");
    p.write(
        "src/schema.rs",
        &V1.replace(
            "pub nick: String,",
            "pub nick: String,\n    pub avatar: Option<Vec<u8>>,",
        ),
    );
    p.run(&["drop", "--yes"]).expect(0);
    p.run(&["generate", "--name", "add_avatar"]).expect(0);
    // Merge: both entries in the journal, both snapshots following 0000.
    let other = branch_snap.replace("\"id\": \"", "\"id\": \"b");
    p.write("migrations/meta/0002_snapshot.json", &other);
    std::fs::copy(
        p.path("migrations/0001_add_avatar.sql"),
        p.path("migrations/0002_add_bio.sql"),
    )
    .unwrap();
    let mut j: serde_json::Value = serde_json::from_str(&p.read("migrations/meta/_journal.json")).unwrap();
    let mut e: serde_json::Value = serde_json::from_str::<serde_json::Value>(&journal).unwrap()["entries"][1].clone();
    e["idx"] = 2.into();
    e["tag"] = "0002_add_bio".into();
    j["entries"].as_array_mut().unwrap().push(e);
    p.write(
        "migrations/meta/_journal.json",
        &serde_json::to_string_pretty(&j).unwrap(),
    );
    let out = p.run(&["check"]).expect(1).stdout();
    assert!(
        out.contains("0001_add_avatar and 0002_add_bio all follow 0000_create_users: two branches"),
        "{out}"
    );
    assert!(out.contains("`schema drop 0002_add_bio`"), "{out}");

    // A journal entry whose file is gone.
    std::fs::remove_file(p.path("migrations/0002_add_bio.sql")).unwrap();
    let out = p.run(&["check"]).expect(1).stdout();
    assert!(out.contains("0002_add_bio: the journal names it, but"), "{out}");
}

#[test]
fn drop_removes_the_latest_unapplied_migration_and_refuses_an_applied_one() {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate"]).expect(0);
    p.write(
        "src/schema.rs",
        &V1.replace("pub nick: String,", "pub nick: String,\n    pub bio: Option<String>,"),
    );
    p.run(&["generate"]).expect(0);
    // 0000 has a child: refused.
    let err = p.run(&["drop", "0000_create_users"]).expect(2).stderr();
    assert!(err.contains("has children (0001_users_add_bio)"), "{err}");
    p.run(&["drop", "--yes"]).expect(0);
    assert!(!p.path("migrations/0001_users_add_bio.sql").exists());
    assert!(!p.path("migrations/meta/0001_snapshot.json").exists());
    p.run(&["check"]).expect(1); // bio is now un-generated again
    p.run(&["generate"]).expect(0);
    p.run(&["migrate"]).expect(0);
    let err = p.run(&["drop"]).expect(2).stderr();
    assert!(err.contains("0001_users_add_bio is applied in app.db"), "{err}");
}

#[test]
fn push_without_a_terminal_refuses_data_loss_unless_forced() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    p.run(&["push"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    conn.execute_batch("INSERT INTO users (email) VALUES ('a@x'), ('b@x'); INSERT INTO post VALUES (1, 1);")
        .unwrap();
    drop(conn);
    assert!(
        p.run(&["push"])
            .expect(0)
            .stdout()
            .contains("in sync with the schema: nothing to push")
    );

    // The post table goes: data loss.
    p.write(
        "src/schema.rs",
        USERS.split("#[derive(Table)]\npub struct Post").next().unwrap(),
    );
    let run = p.run(&["push"]);
    run.expect(2);
    assert!(
        run.stdout().contains("DATA LOSS: drops table `post` and its 1 row(s)"),
        "{}",
        run.stdout()
    );
    assert!(
        run.stderr().contains("push would lose data; nothing was changed"),
        "{}",
        run.stderr()
    );
    let dry = p.run(&["push", "--dry-run"]).expect(0).stdout();
    assert!(
        dry.contains("DROP TABLE `post`;") && dry.contains("Dry run: nothing changed."),
        "{dry}"
    );
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM post", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "neither the refusal nor the dry run changed anything");
    drop(conn);

    p.run(&["push", "--force"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'post'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let users: i64 = conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0)).unwrap();
    assert_eq!((tables, users), (0, 2));
}

#[test]
fn push_reads_the_database_beside_the_schema_but_never_creates_one_for_a_schema_that_fails() {
    let p = Project::new();
    // A schema that does not load: an error naming the file, and no database left behind
    // (push reads an existing database while it reads the files, and creates one only after).
    p.write(
        "src/schema.rs",
        &USERS.replace("pub email: String", "pub email: std::cell::Cell<u8>"),
    );
    let err = p.run(&["push"]).expect(2).stderr();
    assert!(err.contains("src/schema.rs"), "{err}");
    assert!(!p.path("app.db").exists(), "a failed push created app.db");

    // A database that is not one: the schema's error still comes first when both are wrong.
    std::fs::write(
        p.path("app.db"),
        b"not a database, only text long enough to be read as a header",
    )
    .unwrap();
    let err = p.run(&["push"]).expect(2).stderr();
    assert!(err.contains("src/schema.rs"), "{err}");
    p.write("src/schema.rs", USERS);
    p.run(&["push"]).expect(3);
    std::fs::remove_file(p.path("app.db")).unwrap();

    // Then the same schema, loaded: the database is created and made.
    p.run(&["push"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'post')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn push_parses_a_file_nested_up_to_the_limit_as_generate_does() {
    // 250 levels: under the 256 the CLI reads, and deeper than a default thread's stack lets
    // syn's recursion go in a debug build; push parses beside its database read, on a thread
    // with the command's own stack.
    let p = Project::new();
    p.write(
        "src/schema.rs",
        &format!(
            "{USERS}\nfn f() -> i64 {{ let x: i64 = {}1{}; x }}\n",
            "(".repeat(250),
            ")".repeat(250)
        ),
    );
    p.run(&["push"]).expect(0);
    p.run(&["generate"]).expect(0);
}

/// A schema file nested deep is read as the same schema nested shallowly: the same errors, on
/// the same lines and columns, for one found parsing and one found resolving.
#[test]
fn a_deep_file_gives_the_errors_of_a_shallow_one_on_the_same_lines() {
    let messages = |schema: &str, depth: usize| {
        let p = Project::new();
        let nested = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        p.write(
            "src/schema.rs",
            &format!("{schema}\nfn f() -> i64 {{ let x: i64 = {nested}; x }}\n"),
        );
        let err = p.run(&["generate"]).expect(2).stderr();
        p.write("src/schema.rs", &format!("{USERS}\nconst X: i64 = {nested};\n"));
        p.run(&["generate"]).expect(0);
        err
    };
    // An attribute's error (found parsing) and a reference's (found resolving).
    let attribute = USERS.replace("on_delete = \"cascade\"", "on_delete = \"sometimes\"");
    let reference = USERS.replace("references = User::id", "references = Person::id");
    for (schema, at) in [(attribute, "src/schema.rs:16:37:"), (reference, "src/schema.rs:16:")] {
        let (shallow, deep) = (messages(&schema, 3), messages(&schema, 200));
        assert!(shallow.contains(at), "{shallow}");
        assert_eq!(shallow, deep);
    }
}

#[test]
fn push_strict_asks_even_for_safe_changes_and_pull_refuses_to_overwrite() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    p.run(&["push"]).expect(0);
    p.write(
        "src/schema.rs",
        &USERS.replace("pub email: String,", "pub email: String,\n    pub bio: Option<String>,"),
    );
    let err = p.run(&["push", "--strict"]).expect(2).stderr();
    assert!(err.contains("nothing was changed"), "{err}");
    p.run(&["push", "--verbose"]).expect(0);

    let err = p.run(&["pull"]).expect(2).stderr();
    assert!(err.contains("src/schema.rs exists"), "{err}");
    let err = p
        .run(&["pull", "--url", "nope.db", "--out-schema", "x.rs"])
        .expect(2)
        .stderr();
    assert!(err.contains("no database at nope.db"), "{err}");
}

#[test]
fn migrate_backup_copies_the_database_before_the_first_change() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    p.run(&["generate"]).expect(0);
    p.run(&["migrate"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    conn.execute_batch("INSERT INTO users (email) VALUES ('kept@x')")
        .unwrap();
    drop(conn);
    // Nothing pending: no backup.
    p.run(&["migrate", "--backup"]).expect(0);
    assert!(
        !std::fs::read_dir(p.dir.path()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".backup-"))
    );
    p.write(
        "src/schema.rs",
        &USERS.replace("pub email: String,", "pub email: String,\n    pub bio: Option<String>,"),
    );
    p.run(&["generate"]).expect(0);
    let out = p.run(&["migrate", "--backup"]).expect(0).stdout();
    assert!(
        out.contains("backed up app.db to") && out.contains("applied 0001_users_add_bio"),
        "{out}"
    );
    let backup = std::fs::read_dir(p.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("app.db.backup-"))
        .unwrap();
    let conn = rusqlite::Connection::open(backup).unwrap();
    let email: String = conn.query_row("SELECT email FROM users", [], |r| r.get(0)).unwrap();
    let has_bio: i64 = conn
        .query_row(
            "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'bio'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        (email.as_str(), has_bio),
        ("kept@x", 0),
        "the backup is the database before the migration"
    );
}

#[test]
fn status_and_check_report_drift_table_by_table_and_column_by_column() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    p.run(&["generate"]).expect(0);
    p.run(&["migrate"]).expect(0);
    p.run(&["check", "--url", "app.db"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    conn.execute_batch("ALTER TABLE users ADD nickname text; DROP INDEX users_email_unique; CREATE TABLE stray (x);")
        .unwrap();
    drop(conn);
    let out = p.run(&["status"]).expect(1).stdout();
    assert!(
        out.contains("app.db differs from what its applied migrations say (3 differences)"),
        "{out}"
    );
    assert!(
        out.contains("column `users.nickname`: in the database, not in the migrations"),
        "{out}"
    );
    assert!(
        out.contains("table `users`: index `users_email_unique` in the migrations, missing from the database"),
        "{out}"
    );
    assert!(
        out.contains("table `stray`: in the database, not in the migrations"),
        "{out}"
    );
    let out = p.run(&["check", "--url", "app.db"]).expect(1).stdout();
    assert!(out.contains("users.nickname"), "{out}");
    // Without --url, check looks at the folder and the schema only.
    p.run(&["check"]).expect(0);
}

#[test]
fn on_a_terminal_the_rename_question_is_asked_and_answered() {
    // python3's pty module gives the command a terminal, as a user at a shell has.
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("SKIPPED on_a_terminal_the_rename_question_is_asked_and_answered: python3 is not installed");
        return;
    }
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate"]).expect(0);
    p.write("src/schema.rs", &V1.replace("nick", "handle"));
    let driver = r#"
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "generate"])
out = b""
while b"Enter for 1]: " not in out:
    chunk = os.read(fd, 1024)
    if not chunk:
        break
    out += chunk
os.write(fd, b"1\n")
try:
    while True:
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        out += chunk
except OSError:
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode())
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let out = Command::new("python3")
        .args(["-c", driver, env!("CARGO_BIN_EXE_schema")])
        .current_dir(p.dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("Is column `users.handle` new, or renamed from another column?"),
        "{text}"
    );
    assert!(text.contains("1) rename `nick` → `handle`"), "{text}");
    assert_eq!(
        p.read("migrations/0001_users_rename_handle.sql"),
        "ALTER TABLE `users` RENAME COLUMN `nick` TO `handle`;"
    );
}

/// generate says the risk of a type change as push does, naming the column and both types.
#[test]
fn generate_warns_on_a_type_change_as_push_does() {
    let p = Project::new();
    p.write("src/schema.rs", USERS);
    p.run(&["generate"]).expect(0);
    p.write("src/schema.rs", &USERS.replace("pub email: String,", "pub email: i64,"));
    let run = p.run(&["generate"]);
    run.expect(0);
    let want = "warning: changes the type of `users.email` from text to integer";
    assert!(run.stderr().contains(want), "{}", run.stderr());
    p.run(&["migrate"]).expect(0);
    let push = p.run(&["push", "--dry-run"]).expect(0).stdout();
    assert!(push.contains("nothing to push"), "{push}");
    // push says the same sentence for the same change.
    p.write("src/schema.rs", USERS);
    let push = p.run(&["push", "--dry-run"]).expect(0).stdout();
    assert!(
        push.contains("changes the type of `users.email` from integer to text: each value is converted"),
        "{push}"
    );
}
