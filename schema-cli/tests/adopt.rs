//! Around `schema migrate`: adopting a database made without the migrations
//! (`--baseline TAG`), accepting a reviewed edit of an applied migration (`--accept-edit`),
//! and running a folder older than the database (`--allow-unknown-applied`). Real files,
//! with rows, and every refusal leaving the database as it was.

mod support;

use support::{Project, rows};

const V1: &str = r#"use schema_core::Table;

#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(unique)]
    pub email: String,
}
"#;

fn v2() -> String {
    V1.replace(
        "    pub email: String,\n}",
        "    pub email: String,\n    #[column(default = \"\")]\n    pub bio: String,\n}",
    )
}

fn v3() -> String {
    v2().replace(
        "    pub bio: String,\n}",
        "    pub bio: String,\n    pub age: Option<i64>,\n}",
    )
}

/// Three migrations: 0000_init, 0001_users_bio, 0002_users_age.
fn three() -> Project {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate", "--name", "init"]).expect(0);
    p.write("src/schema.rs", &v2());
    p.run(&["generate", "--name", "users_bio"]).expect(0);
    p.write("src/schema.rs", &v3());
    p.run(&["generate", "--name", "users_age"]).expect(0);
    p
}

fn tracked(p: &Project) -> Vec<String> {
    rows(&p.path("app.db"), "SELECT tag FROM __drizzle_migrations ORDER BY id")
}

#[test]
fn a_pushed_database_is_adopted_then_migrated() {
    let p = three();
    // The database as `push` made it, at the state of 0001, with rows.
    p.write("src/schema.rs", &v2());
    p.run(&["push"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    conn.execute_batch("INSERT INTO users (email, bio) VALUES ('a@x', 'hi'), ('b@x', '')")
        .unwrap();
    drop(conn);
    p.write("src/schema.rs", &v3());

    // Without a baseline, migrate runs 0000 over the tables that are there.
    let err = p.run(&["migrate"]).expect(3).stderr();
    assert!(err.contains("already exists"), "{err}");

    // 0000 is not what the database is (it has `bio`): refused, nothing recorded.
    let run = p.run(&["migrate", "--baseline", "0000"]);
    run.expect(1);
    let err = run.stderr();
    assert!(
        err.contains("does not match the migrations up to 0000_init, so nothing was recorded") && err.contains("bio"),
        "{err}"
    );
    let n = rows(
        &p.path("app.db"),
        "SELECT count(*) FROM sqlite_master WHERE name = '__drizzle_migrations'",
    );
    assert_eq!(
        n,
        ["0"],
        "neither the failed migrate nor the refused baseline left a tracking table"
    );

    // 0001 is: both recorded, then 0002 applied; the rows are kept.
    let out = p.run(&["migrate", "--baseline", "0001"]).expect(0).stdout();
    assert!(
        out.contains("matches the migrations up to 0001_users_bio: recorded 2 migrations as applied without running them: 0000_init, 0001_users_bio"),
        "{out}"
    );
    assert!(out.contains("applied 0002_users_age"), "{out}");
    assert_eq!(tracked(&p), ["0000_init", "0001_users_bio", "0002_users_age"]);
    assert_eq!(
        rows(&p.path("app.db"), "SELECT email, bio, age FROM users ORDER BY id"),
        ["a@x|hi|NULL", "b@x||NULL"]
    );
    let status = p.run(&["status"]).expect(0).stdout();
    assert!(
        status.contains("3 migrations: 0 pending, 0 edited, 0 missing"),
        "{status}"
    );

    // Past the baseline now: refused, exit 2.
    let err = p.run(&["migrate", "--baseline", "0000_init"]).expect(2).stderr();
    assert!(
        err.contains("has already applied 0001_users_bio, which comes after 0000_init"),
        "{err}"
    );
}

#[test]
fn baseline_refuses_an_unknown_tag_and_a_missing_database() {
    let p = three();
    let err = p.run(&["migrate", "--baseline", "0009"]).expect(2).stderr();
    assert!(err.contains("no database at"), "{err}");
    assert!(!p.exists("app.db"), "a database to adopt is never created");
    p.run(&["push"]).expect(0);
    let err = p.run(&["migrate", "--baseline", "0009"]).expect(2).stderr();
    assert!(err.contains("the folder has no migration 0009"), "{err}");
    // A database that matches the newest: recorded, nothing left to apply.
    let out = p.run(&["migrate", "--baseline", "0002"]).expect(0).stdout();
    assert!(out.contains("recorded 3 migrations as applied"), "{out}");
    assert!(out.contains("Nothing to apply"), "{out}");
}

#[test]
fn a_table_added_by_hand_is_a_difference() {
    let p = three();
    p.run(&["push"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    conn.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        .unwrap();
    drop(conn);
    let err = p.run(&["migrate", "--baseline", "0002"]).expect(1).stderr();
    assert!(err.contains("notes"), "{err}");
    let n = rows(
        &p.path("app.db"),
        "SELECT count(*) FROM sqlite_master WHERE name = '__drizzle_migrations'",
    );
    assert_eq!(n, ["0"], "a refused baseline creates nothing");
}

#[test]
fn an_edit_is_accepted_after_review_and_only_then() {
    let p = three();
    p.run(&["migrate"]).expect(0);
    // A comment added to an applied migration: every run refuses.
    let file = "migrations/0001_users_bio.sql";
    p.write(file, &format!("-- reviewed: adds the bio column\n{}", p.read(file)));
    let err = p.run(&["migrate"]).expect(3).stderr();
    assert!(
        err.contains("migration 0001_users_bio was applied, but its file has changed"),
        "{err}"
    );

    // Only an edited migration's edit can be accepted.
    let err = p.run(&["migrate", "--accept-edit", "0000"]).expect(2).stderr();
    assert!(
        err.contains("cannot accept an edit of migration 0000_init: its file is unchanged"),
        "{err}"
    );
    let err = p.run(&["migrate", "--accept-edit", "0007"]).expect(2).stderr();
    assert!(err.contains("the folder has no migration 0007"), "{err}");

    let out = p.run(&["migrate", "--accept-edit", "0001"]).expect(0).stdout();
    assert!(out.contains("accepted the edit of 0001_users_bio"), "{out}");
    assert!(out.contains("Nothing to apply"), "{out}");
    let hash: Vec<String> = rows(
        &p.path("app.db"),
        "SELECT hash FROM __drizzle_migrations WHERE tag = '0001_users_bio'",
    );
    use sha2::Digest as _;
    let want: String = sha2::Sha256::digest(p.read(file).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hash, [want]);
    let status = p.run(&["status"]).expect(0).stdout();
    assert!(status.contains("0 edited"), "{status}");
    // Accepting it again: nothing to accept.
    let err = p.run(&["migrate", "--accept-edit", "0001"]).expect(2).stderr();
    assert!(err.contains("nothing to accept"), "{err}");

    // A pending migration has nothing to accept either.
    p.write(
        "src/schema.rs",
        &v3().replace(
            "pub age: Option<i64>,",
            "pub age: Option<i64>,\n    pub city: Option<String>,",
        ),
    );
    p.run(&["generate", "--name", "users_city"]).expect(0);
    let err = p.run(&["migrate", "--accept-edit", "0003"]).expect(2).stderr();
    assert!(err.contains("it is not applied to this database"), "{err}");
    assert_eq!(tracked(&p).len(), 3, "a refused accept runs nothing");
}

#[test]
fn an_older_folder_runs_over_a_newer_database_only_when_allowed() {
    let p = three();
    p.run(&["migrate"]).expect(0);
    // The release before: its folder stops at 0001 (a rolled-back deploy).
    let old = Project::new();
    for f in [
        "migrations/0000_init.sql",
        "migrations/0001_users_bio.sql",
        "migrations/meta/0000_snapshot.json",
        "migrations/meta/0001_snapshot.json",
    ] {
        old.write(f, &p.read(f));
    }
    let journal: serde_json::Value = serde_json::from_str(&p.read("migrations/meta/_journal.json")).unwrap();
    let mut journal = journal;
    journal["entries"].as_array_mut().unwrap().truncate(2);
    old.write("migrations/meta/_journal.json", &journal.to_string());
    std::fs::copy(p.path("app.db"), old.path("app.db")).unwrap();

    let err = old.run(&["migrate"]).expect(3).stderr();
    assert!(err.contains("not in the folder (0002_users_age)"), "{err}");
    let run = old.run(&["migrate", "--allow-unknown-applied"]);
    run.expect(0);
    assert!(
        run.stderr()
            .contains("warning: 0002_users_age: applied to this database, but not among these migrations"),
        "{}",
        run.stderr()
    );
    assert!(run.stdout().contains("Nothing to apply"), "{}", run.stdout());
    let dry = old.run(&["migrate", "--dry-run", "--allow-unknown-applied"]);
    dry.expect(0);
    assert!(!dry.stderr().contains("would refuse"), "{}", dry.stderr());
}
