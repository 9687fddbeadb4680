//! The migrator against real SQLite files: one transaction per migration, drizzle-orm's
//! tracking table both ways, edited / missing / branch-merged migrations.

use std::path::Path;

use rusqlite::Connection;
use schema_core::{MigrateError, MigrationState, Migrations};

/// The hex SHA-256 drizzle-orm stores, computed here independently of the migrator.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A folder of migrations written by hand: `(tag, when, sql)`.
fn folder(dir: &Path, migrations: &[(&str, i64, &str)]) {
    std::fs::create_dir_all(dir.join("meta")).unwrap();
    let entries: Vec<serde_json::Value> = migrations
        .iter()
        .enumerate()
        .map(|(i, (tag, when, _))| serde_json::json!({"idx": i, "version": "6", "when": when, "tag": tag, "breakpoints": true}))
        .collect();
    let journal = serde_json::json!({"version": "7", "dialect": "sqlite", "entries": entries});
    std::fs::write(
        dir.join("meta/_journal.json"),
        serde_json::to_string_pretty(&journal).unwrap(),
    )
    .unwrap();
    for (tag, _, sql) in migrations {
        std::fs::write(dir.join(format!("{tag}.sql")), sql).unwrap();
    }
}

const FIVE: [(&str, i64, &str); 5] = [
    (
        "0000_users",
        1_700_000_000_000,
        "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);",
    ),
    (
        "0001_seed",
        1_700_000_001_000,
        "INSERT INTO users VALUES (1, 'ann');--> statement-breakpoint\nINSERT INTO users VALUES (2, 'bob');",
    ),
    (
        "0002_broken",
        1_700_000_002_000,
        "CREATE TABLE posts (id integer PRIMARY KEY);--> statement-breakpoint\nINSERT INTO users VALUES (3, 'cat');--> statement-breakpoint\nINSERT INTO nowhere VALUES (1);",
    ),
    ("0003_more", 1_700_000_003_000, "ALTER TABLE users ADD bio text;"),
    (
        "0004_last",
        1_700_000_004_000,
        "CREATE INDEX users_name_idx ON users (name);",
    ),
];

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_failing_statement_in_the_third_of_five_leaves_two_applied_and_nothing_of_the_third() {
    let dir = tempfile::tempdir().unwrap();
    folder(&dir.path().join("m"), &FIVE);
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    let err = Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .run(&mut conn)
        .unwrap_err();
    match &err {
        MigrateError::Statement { tag, number, sql, .. } => {
            assert_eq!(
                (tag.as_str(), *number, sql.as_str()),
                ("0002_broken", 3, "INSERT INTO nowhere VALUES (1);")
            );
        }
        other => panic!("{other}"),
    }
    assert!(
        err.to_string()
            .starts_with("while applying migration 0002_broken: statement 3 failed: no such table: nowhere"),
        "{err}"
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM __drizzle_migrations"), 2);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM users"),
        2,
        "the third migration's insert is rolled back"
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM sqlite_master WHERE name = 'posts'"),
        0
    );
    // Fixed, the run goes on from the third.
    let mut fixed = FIVE;
    fixed[2].2 = "CREATE TABLE posts (id integer PRIMARY KEY);";
    folder(&dir.path().join("m"), &fixed);
    let applied = Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .run(&mut conn)
        .unwrap();
    let tags: Vec<&str> = applied.iter().map(|a| a.tag.as_str()).collect();
    assert_eq!(tags, ["0002_broken", "0003_more", "0004_last"]);
}

/// drizzle-orm's migrator: its table, its rows (NULL ids from `id SERIAL`, `created_at` the
/// journal's `when`, hash the file's sha256).
fn migrate_like_drizzle(conn: &Connection, dir: &Path, upto: usize) {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS \"__drizzle_migrations\" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)",
    )
    .unwrap();
    let m = Migrations::from_dir(dir).unwrap();
    for mig in &m.migrations()[..upto] {
        for s in mig.statements() {
            conn.execute_batch(&s).unwrap();
        }
        conn.execute(
            "INSERT INTO \"__drizzle_migrations\" (\"hash\", \"created_at\") VALUES (?1, ?2)",
            rusqlite::params![mig.hash(), mig.when()],
        )
        .unwrap();
    }
}

#[test]
fn a_database_drizzle_orm_migrated_is_continued() {
    let dir = tempfile::tempdir().unwrap();
    let mut five = FIVE;
    five[2].2 = "CREATE TABLE posts (id integer PRIMARY KEY);";
    folder(&dir.path().join("m"), &five);
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    migrate_like_drizzle(&conn, &dir.path().join("m"), 3);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM __drizzle_migrations WHERE id IS NULL"),
        3,
        "drizzle's rows have NULL ids"
    );

    let m = Migrations::from_dir(dir.path().join("m")).unwrap();
    let status = m.status(&conn).unwrap();
    let states: Vec<bool> = status
        .migrations
        .iter()
        .map(|(_, s)| matches!(s, MigrationState::Applied { .. }))
        .collect();
    assert_eq!(states, [true, true, true, false, false]);
    let applied = m.run(&mut conn).unwrap();
    assert_eq!(
        applied.iter().map(|a| a.tag.as_str()).collect::<Vec<_>>(),
        ["0003_more", "0004_last"]
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM users"), 2, "nothing applied twice");
    assert_eq!(count(&conn, "SELECT count(*) FROM __drizzle_migrations"), 5);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM __drizzle_migrations WHERE tag IS NOT NULL"),
        2
    );
}

#[test]
fn drizzle_orm_reads_and_appends_to_our_tracking_table() {
    let dir = tempfile::tempdir().unwrap();
    let mut five = FIVE;
    five[2].2 = "CREATE TABLE posts (id integer PRIMARY KEY);";
    folder(&dir.path().join("m"), &five[..4]);
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .run(&mut conn)
        .unwrap();
    // Our ids are real integers, unlike drizzle-orm's SERIAL on SQLite.
    assert_eq!(
        count(&conn, "SELECT count(*) FROM __drizzle_migrations WHERE id IS NULL"),
        0
    );
    // drizzle-orm's migrator: CREATE TABLE IF NOT EXISTS (a no-op on ours), then it reads the
    // newest row and applies every migration whose `when` is later.
    conn.execute_batch("CREATE TABLE IF NOT EXISTS \"__drizzle_migrations\" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)")
        .unwrap();
    let (hash, last): (String, i64) = conn
        .query_row(
            "SELECT hash, created_at FROM \"__drizzle_migrations\" ORDER BY created_at DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(last, FIVE[3].1);
    assert_eq!(hash, sha256_hex(FIVE[3].2.as_bytes()));
    // drizzle-orm then applies the fifth and records it its way, with no tag.
    folder(&dir.path().join("m"), &five);
    conn.execute_batch(FIVE[4].2).unwrap();
    conn.execute(
        "INSERT INTO \"__drizzle_migrations\" (\"hash\", \"created_at\") VALUES (?1, ?2)",
        rusqlite::params![sha256_hex(FIVE[4].2.as_bytes()), FIVE[4].1],
    )
    .unwrap();
    // And we see it as applied.
    let m = Migrations::from_dir(dir.path().join("m")).unwrap();
    assert!(m.run(&mut conn).unwrap().is_empty());
    assert!(
        m.status(&conn)
            .unwrap()
            .migrations
            .iter()
            .all(|(_, s)| matches!(s, MigrationState::Applied { .. }))
    );
}

/// A migration edited since drizzle-orm applied it, with a second row written later with the
/// file's new hash (by hand, or a baseline marked applied): its first row decides, and the
/// edit is still refused.
#[test]
fn the_first_row_of_a_migration_decides_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let old = "CREATE TABLE users (id integer PRIMARY KEY);";
    let new = "CREATE TABLE users (id integer PRIMARY KEY, name text);";
    folder(dir.path(), &[("0000_users", 1_700_000_000_000, new)]);
    let conn = Connection::open(dir.path().join("app.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE \"__drizzle_migrations\" (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric, tag text, applied_at text)",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO \"__drizzle_migrations\" (hash, created_at) VALUES (?1, 1700000000000)",
        [sha256_hex(old.as_bytes())],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO \"__drizzle_migrations\" (hash, created_at, tag) VALUES (?1, 1700000000000, '0000_users')",
        [sha256_hex(new.as_bytes())],
    )
    .unwrap();
    let status = Migrations::from_dir(dir.path()).unwrap().status(&conn).unwrap();
    assert_eq!(status.migrations[0].1, MigrationState::Edited);
}

/// Two migrations generated in the same millisecond share a `when`; drizzle-orm, starting on
/// a new database, applies both and records each by that `when` and its hash, with no tag.
/// Each row is its own migration's: neither is run again.
#[test]
fn drizzle_orm_rows_of_migrations_with_one_when_are_told_apart_by_hash() {
    let dir = tempfile::tempdir().unwrap();
    let when = 1_700_000_000_000;
    let same = [
        ("0000_users", when, FIVE[0].2),
        ("0001_seed", when, FIVE[1].2),
        ("0002_more", when + 1, "INSERT INTO users VALUES (3, 'cy');"),
    ];
    folder(dir.path(), &same);
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE \"__drizzle_migrations\" (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)",
    )
    .unwrap();
    conn.execute_batch(FIVE[0].2).unwrap();
    conn.execute_batch(FIVE[1].2).unwrap();
    // The later migration's row first: the rows' order does not decide.
    for (_, when, sql) in [same[1], same[0]] {
        conn.execute(
            "INSERT INTO \"__drizzle_migrations\" (\"hash\", \"created_at\") VALUES (?1, ?2)",
            rusqlite::params![sha256_hex(sql.as_bytes()), when],
        )
        .unwrap();
    }
    // Each migration's tag, and whether `status` says it is applied.
    let applied_of = |m: &Migrations, conn: &Connection| -> Vec<(String, bool)> {
        let status = m.status(conn).unwrap();
        let applied = |s: &MigrationState| matches!(s, MigrationState::Applied { .. });
        status
            .migrations
            .iter()
            .map(|(m, s)| (m.tag().to_string(), applied(s)))
            .collect()
    };
    let m = Migrations::from_dir(dir.path()).unwrap();
    let states: Vec<bool> = applied_of(&m, &conn).into_iter().map(|(_, a)| a).collect();
    assert_eq!(states, [true, true, false]);
    let applied = m.run(&mut conn).unwrap();
    assert_eq!(
        applied.iter().map(|a| a.tag.as_str()).collect::<Vec<_>>(),
        ["0002_more"]
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM users"), 3, "the seed ran once");

    // The second of them edited since: its row (first in the table) is still its own, and
    // the edit is what a run refuses.
    let mut edited = same;
    edited[1].2 = "INSERT INTO users VALUES (1, 'ann');";
    folder(dir.path(), &edited);
    let m = Migrations::from_dir(dir.path()).unwrap();
    let states: Vec<String> = applied_of(&m, &conn)
        .into_iter()
        .map(|(tag, applied)| format!("{tag} {}", if applied { "applied" } else { "not applied" }))
        .collect();
    assert_eq!(
        states,
        ["0000_users applied", "0001_seed not applied", "0002_more applied"]
    );
    let err = m.run(&mut conn).unwrap_err().to_string();
    assert!(err.contains("0001_seed"), "{err}");
}

#[test]
fn an_edited_migration_is_refused_naming_it_and_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    folder(&dir.path().join("m"), &FIVE[..2]);
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .run(&mut conn)
        .unwrap();
    let mut edited = [FIVE[0], FIVE[1]];
    edited[1].2 = "INSERT INTO users VALUES (1, 'ann');";
    folder(&dir.path().join("m"), &edited);
    let err = Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .run(&mut conn)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("migration 0001_seed was applied, but its file has changed since"),
        "{err}"
    );
    assert!(
        err.contains("restore the file, or put the change in a new migration"),
        "{err}"
    );
}

#[test]
fn an_applied_migration_missing_from_the_folder_is_an_error_and_status_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    folder(&dir.path().join("m"), &FIVE[..2]);
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .run(&mut conn)
        .unwrap();
    folder(&dir.path().join("other"), &FIVE[..1]);
    let m = Migrations::from_dir(dir.path().join("other")).unwrap();
    let err = m.run(&mut conn).unwrap_err().to_string();
    assert!(
        err.contains("has applied a migration that is not in the folder (0001_seed)"),
        "{err}"
    );
    assert_eq!(m.status(&conn).unwrap().missing, ["0001_seed"]);
}

#[test]
fn a_migration_merged_from_another_branch_is_applied_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    // This database saw 0000 and 0002 (its branch); 0001 arrives with the merge.
    let ours = [
        FIVE[0],
        (
            "0002_index",
            1_700_000_002_000,
            "CREATE INDEX users_name_idx ON users (name);",
        ),
    ];
    folder(&dir.path().join("m"), &ours);
    Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .run(&mut conn)
        .unwrap();
    let merged = [FIVE[0], FIVE[1], ours[1]];
    folder(&dir.path().join("m"), &merged);
    let applied = Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .run(&mut conn)
        .unwrap();
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0].tag, "0001_seed");
    assert!(applied[0].out_of_order);
    assert_eq!(count(&conn, "SELECT count(*) FROM users"), 2);
}

#[test]
fn a_journal_naming_a_missing_file_or_a_tag_twice_is_refused_when_read() {
    let dir = tempfile::tempdir().unwrap();
    folder(&dir.path().join("m"), &FIVE[..2]);
    std::fs::remove_file(dir.path().join("m/0001_seed.sql")).unwrap();
    let err = Migrations::from_dir(dir.path().join("m")).unwrap_err().to_string();
    assert!(
        err.contains("the journal names 0001_seed, but") && err.contains("does not exist"),
        "{err}"
    );
    folder(&dir.path().join("d"), &[FIVE[0], FIVE[0]]);
    let err = Migrations::from_dir(dir.path().join("d")).unwrap_err().to_string();
    assert_eq!(err, "the journal lists the tag 0000_users twice");
}

#[test]
fn status_reads_without_creating_the_tracking_table() {
    let dir = tempfile::tempdir().unwrap();
    folder(&dir.path().join("m"), &FIVE[..1]);
    let conn = Connection::open(dir.path().join("app.db")).unwrap();
    let status = Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .status(&conn)
        .unwrap();
    assert_eq!(status.migrations[0].1, MigrationState::Pending);
    assert_eq!(count(&conn, "SELECT count(*) FROM sqlite_master"), 0);
}

#[test]
fn a_renamed_tracking_table_is_used() {
    let dir = tempfile::tempdir().unwrap();
    folder(&dir.path().join("m"), &FIVE[..2]);
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .with_table("schema_history")
        .run(&mut conn)
        .unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM schema_history"), 2);
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM sqlite_master WHERE name = '__drizzle_migrations'"
        ),
        0
    );
}

static EMBEDDED: Migrations = schema_core::embed_migrations!("../examples/blog/migrations");

#[test]
fn embedded_migrations_equal_the_folder_read_at_run_time() {
    let from_dir =
        Migrations::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog/migrations")).unwrap();
    let (a, b) = (EMBEDDED.migrations(), from_dir.migrations());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(
            (x.idx(), x.tag(), x.when(), x.hash()),
            (y.idx(), y.tag(), y.when(), y.hash())
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    assert_eq!(EMBEDDED.run(&mut conn).unwrap().len(), a.len());
}

#[test]
fn a_database_locked_past_the_timeout_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    folder(&dir.path().join("m"), &FIVE[..1]);
    let holder = Connection::open(dir.path().join("app.db")).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE; CREATE TABLE held (x);").unwrap();
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    let m = Migrations::from_dir(dir.path().join("m"))
        .unwrap()
        .with_busy_timeout(std::time::Duration::from_millis(200));
    let err = m.run(&mut conn).unwrap_err();
    assert!(matches!(err, MigrateError::Busy(_)), "{err}");
    assert!(err.to_string().contains("stayed locked by another connection"), "{err}");
    holder.execute_batch("COMMIT").unwrap();
    assert_eq!(
        m.run(&mut conn).unwrap().len(),
        1,
        "once the lock is gone, the run goes through"
    );
}

static EMBEDDED_IN: Migrations =
    schema_core::embed_migrations!("../examples/blog/migrations", table = "app_migrations");
static EMBEDDED_CONFIG: Migrations =
    schema_core::embed_migrations!("../examples/blog/migrations", config = "fixtures/embed/schema.toml");

/// After `schema migrate --table app_migrations` (what the CLI runs: the folder read at run
/// time, the table from the flag or the config), the application's embedded migrations see
/// the work done, instead of applying 0000 again over "table users already exists".
#[test]
fn embedded_migrations_track_in_the_table_they_are_given() {
    assert_eq!(EMBEDDED_IN.table(), "app_migrations");
    assert_eq!(EMBEDDED_CONFIG.table(), "from_config_migrations");
    for embedded in [&EMBEDDED_IN, &EMBEDDED_CONFIG] {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
        let cli = Migrations::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog/migrations"))
            .unwrap()
            .with_table(embedded.table());
        let n = cli.run(&mut conn).unwrap().len();
        assert!(n > 0);
        assert_eq!(embedded.run(&mut conn).unwrap().len(), 0, "nothing is applied twice");
        let rows = count(&conn, &format!("SELECT count(*) FROM \"{}\"", embedded.table()));
        assert_eq!(rows, n as i64);
        let drizzle = count(
            &conn,
            "SELECT count(*) FROM sqlite_master WHERE name = '__drizzle_migrations'",
        );
        assert_eq!(drizzle, 0, "the default table was never made");
    }
    // The default still is drizzle-orm's: the workspace's tests crate has no schema.toml.
    assert_eq!(EMBEDDED.table(), "__drizzle_migrations");
}

/// The application's side of a rolled-back deploy: a binary whose migrations stop before the
/// database's. Refused by default; with `allow_unknown_applied`, the run goes on, applies
/// what it has pending, and reports each unknown migration as a warning.
#[test]
fn unknown_applied_migrations_are_tolerated_only_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let (new, old) = (dir.path().join("new"), dir.path().join("old"));
    folder(&new, &[FIVE[0], FIVE[1], FIVE[3]]);
    folder(&old, &[FIVE[0], FIVE[1]]);
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    assert_eq!(Migrations::from_dir(&new).unwrap().run(&mut conn).unwrap().len(), 3);

    let older = Migrations::from_dir(&old).unwrap();
    assert!(!older.allows_unknown_applied());
    let err = older.run(&mut conn).unwrap_err();
    assert!(matches!(&err, MigrateError::Missing(t) if t == "0003_more"), "{err}");

    let older = older.allow_unknown_applied(true);
    let mut warnings = Vec::new();
    let applied = older
        .run_with(&mut conn, &mut |p| {
            if let schema_core::Progress::Warning { tag, message } = p {
                warnings.push(format!("{tag}: {message}"));
            }
        })
        .unwrap();
    assert!(applied.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("0003_more: applied to this database, but not among these migrations"));
    // Its status still lists it, for `schema status` to report.
    assert_eq!(older.status(&conn).unwrap().missing, ["0003_more"]);
    assert_eq!(count(&conn, "SELECT count(*) FROM users"), 2);
}

/// An edited applied migration blocks every run until its edit is accepted, which records
/// the file's hash now and runs nothing again.
#[test]
fn an_accepted_edit_records_the_new_hash_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m");
    folder(&m, &FIVE[..2]);
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    Migrations::from_dir(&m).unwrap().run(&mut conn).unwrap();
    let edited = format!("-- a comment added after review\n{}", FIVE[1].2);
    std::fs::write(m.join("0001_seed.sql"), &edited).unwrap();
    let ms = Migrations::from_dir(&m).unwrap();
    assert!(matches!(ms.run(&mut conn).unwrap_err(), MigrateError::Edited { .. }));

    let was = ms.accept_edit(&conn, "0001").unwrap();
    assert_eq!(was, sha256_hex(FIVE[1].2.as_bytes()));
    assert_eq!(
        count(
            &conn,
            &format!(
                "SELECT count(*) FROM __drizzle_migrations WHERE tag = '0001_seed' AND hash = '{}'",
                sha256_hex(edited.as_bytes())
            )
        ),
        1
    );
    assert!(ms.run(&mut conn).unwrap().is_empty());
    assert_eq!(
        count(&conn, "SELECT count(*) FROM users"),
        2,
        "the seed did not run twice"
    );
    let e = ms.accept_edit(&conn, "0001_seed").unwrap_err();
    assert!(matches!(e, MigrateError::NotEdited { .. }), "{e}");
    let e = ms.accept_edit(&conn, "0042").unwrap_err();
    assert!(matches!(e, MigrateError::UnknownTag(_)), "{e}");
}

/// A row drizzle-orm wrote (no tag, matched by `created_at`) takes the new hash too.
#[test]
fn an_edit_of_a_migration_drizzle_orm_applied_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m");
    folder(&m, &FIVE[..1]);
    let conn = Connection::open(dir.path().join("app.db")).unwrap();
    conn.execute_batch(FIVE[0].2).unwrap();
    conn.execute_batch(
        "CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric);",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('0ld', ?1)",
        [FIVE[0].1],
    )
    .unwrap();
    let ms = Migrations::from_dir(&m).unwrap();
    assert_eq!(ms.accept_edit(&conn, "0000").unwrap(), "0ld");
    assert_eq!(
        ms.status(&conn).unwrap().migrations[0].1,
        MigrationState::Applied { applied_at: None }
    );
}

/// Recording several migrations as applied is one transaction: a tag the folder lacks
/// records none.
#[test]
fn marking_several_applied_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m");
    folder(&m, &FIVE[..2]);
    let conn = Connection::open(dir.path().join("app.db")).unwrap();
    let ms = Migrations::from_dir(&m).unwrap();
    let e = ms.mark_applied_all(&conn, &["0000_users", "0009_nope"]).unwrap_err();
    assert!(matches!(e, MigrateError::UnknownTag(_)), "{e}");
    assert!(
        ms.status(&conn)
            .unwrap()
            .migrations
            .iter()
            .all(|(_, s)| *s == MigrationState::Pending)
    );
    assert_eq!(
        ms.mark_applied_all(&conn, &["0000_users", "0001_seed"]).unwrap().len(),
        2
    );
    assert!(
        ms.mark_applied_all(&conn, &["0000_users"]).unwrap().is_empty(),
        "already recorded"
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM __drizzle_migrations"), 2);
}

/// A ticker every `every` and what it was told.
fn recording_ticker(
    every: std::time::Duration,
) -> (
    schema_core::Ticker,
    std::sync::Arc<std::sync::Mutex<Vec<schema_core::Tick>>>,
) {
    let told = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let ticker = {
        let told = std::sync::Arc::clone(&told);
        schema_core::Ticker::new(every, move |t| told.lock().unwrap().push(t.clone()))
    };
    (ticker, told)
}

/// A statement that runs long is told about while it runs, from SQLite's progress handler on
/// the migrating thread: its migration, its number and how long the migration has run. A
/// migration that is quick is told nothing, and the handler is gone after the run.
#[test]
fn a_long_statement_is_ticked_while_it_runs_and_a_short_run_is_not() {
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    folder(
        dir.path(),
        &[
            ("0000_quick", 1_700_000_000_000, FIVE[0].2),
            (
                "0001_long",
                1_700_000_001_000,
                "CREATE TABLE n (x integer NOT NULL);--> statement-breakpoint\n\
                 WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) \
                 INSERT INTO n SELECT x FROM c;--> statement-breakpoint\n\
                 CREATE TABLE after_it (id integer PRIMARY KEY);",
            ),
        ],
    );
    let mut conn = Connection::open(dir.path().join("app.db")).unwrap();
    let migrations = Migrations::from_dir(dir.path()).unwrap();
    let every = Duration::from_millis(20);
    let (ticker, told) = recording_ticker(every);
    let mut reported = 0;
    let applied = migrations
        .run_ticking(&mut conn, &mut |_| reported += 1, &ticker)
        .unwrap();
    assert_eq!(applied.len(), 2);
    assert!(reported > 0, "the progress callback is still called");
    assert_eq!(count(&conn, "SELECT count(*) FROM n"), 3_000_000);
    let ticks = told.lock().unwrap().clone();
    assert!(!ticks.is_empty(), "no tick in {:?}", applied[1].elapsed);
    for t in &ticks {
        assert_eq!((t.tag.as_str(), t.statement, t.of), ("0001_long", 2, 3), "{t:?}");
        assert!(t.elapsed >= every, "{t:?}");
    }
    // Ticks come `every` apart at least.
    for pair in ticks.windows(2) {
        assert!(pair[1].elapsed >= pair[0].elapsed + every, "{pair:?}");
    }
    // The handler was cleared: the connection holds no copy of the ticker.
    drop(ticker);
    assert_eq!(
        std::sync::Arc::strong_count(&told),
        1,
        "the progress handler still holds the ticker"
    );

    // A run that fails, or whose progress callback panics, clears the handler too.
    let (ticker, told) = recording_ticker(every);
    let failing = tempfile::tempdir().unwrap();
    folder(failing.path(), &FIVE[..3]);
    let mut conn = Connection::open(failing.path().join("app.db")).unwrap();
    let migrations = Migrations::from_dir(failing.path()).unwrap();
    assert!(migrations.run_ticking(&mut conn, &mut |_| {}, &ticker).is_err());
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = migrations.run_ticking(&mut conn, &mut |_| panic!("a callback that fails"), &ticker);
    }));
    assert!(panicked.is_err());
    drop(ticker);
    assert_eq!(std::sync::Arc::strong_count(&told), 1, "a failed run left its handler");

    // A quick run is told nothing.
    let quick = tempfile::tempdir().unwrap();
    folder(quick.path(), &FIVE[..2]);
    let mut conn = Connection::open(quick.path().join("app.db")).unwrap();
    let (ticker, told) = recording_ticker(Duration::from_secs(2));
    Migrations::from_dir(quick.path())
        .unwrap()
        .run_ticking(&mut conn, &mut |_| {}, &ticker)
        .unwrap();
    assert!(told.lock().unwrap().is_empty());
}
