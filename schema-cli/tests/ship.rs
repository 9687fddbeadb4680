//! Before shipping: `schema migrate --rehearse` on a copy (the database byte for byte the
//! same after, each pending migration reported, a failure reported and nothing changed),
//! `schema reset` (files removed and rebuilt, the seed applied, refusals), and the seed file
//! (only into an empty database, all or nothing, a failure named by file, line and statement).
//! The rehearsal benchmark is here too, ignored by `cargo test`:
//!
//! ```sh
//! cargo test --release -p schema-cli --test ship -- --ignored --nocapture rehearse_benchmark
//! ```

mod support;

use std::time::{Duration, Instant};

use support::{Project, rows};

const BASE: &str = r#"use schema_core::Table;

#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    pub name: String,
    pub age: Option<i64>,
}
"#;

/// `BASE` migrated, with three users.
fn migrated() -> Project {
    let p = Project::new();
    p.write("src/schema.rs", BASE);
    p.run(&["generate"]).expect(0);
    p.run(&["migrate"]).expect(0);
    exec(
        &p,
        "INSERT INTO users VALUES (1, 'ada', 36), (2, 'bob', NULL), (3, 'cy', 7);",
    );
    p
}

fn exec(p: &Project, sql: &str) {
    rusqlite::Connection::open(p.path("app.db"))
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

/// Two pending migrations: a rebuild (`name` made nullable) and a new column.
fn two_pending(p: &Project) {
    p.write(
        "src/schema.rs",
        &BASE.replace("pub name: String,", "pub name: Option<String>,"),
    );
    p.run(&["generate"]).expect(0);
    p.write(
        "src/schema.rs",
        &BASE.replace("pub name: String,", "pub name: Option<String>,").replace(
            "pub age: Option<i64>,",
            "pub age: Option<i64>,\n    pub bio: Option<String>,",
        ),
    );
    p.run(&["generate"]).expect(0);
}

fn bytes(p: &Project, rel: &str) -> Vec<u8> {
    std::fs::read(p.path(rel)).unwrap()
}

/// The files beside the database (`app.db-wal`, ...), which a read must not leave.
fn side_files(p: &Project) -> Vec<String> {
    ["app.db-wal", "app.db-shm", "app.db-journal"]
        .into_iter()
        .filter(|f| p.exists(f))
        .map(str::to_string)
        .collect()
}

/// The temporary copy a rehearsal names in its first line.
fn copy_path(out: &str) -> std::path::PathBuf {
    let after = out.split("online backup into ").nth(1).expect("the copy is named");
    std::path::PathBuf::from(after.split(", made in").next().unwrap())
}

// ---------------------------------------------------------------------------------------
// Rehearse

#[test]
fn rehearse_reports_each_pending_migration_and_leaves_the_database_byte_identical() {
    let p = migrated();
    two_pending(&p);
    let before = bytes(&p, "app.db");
    let run = p.run(&["migrate", "--rehearse"]);
    run.expect(0);
    let out = run.stdout();
    assert!(
        out.contains("Rehearsing 2 pending migrations on a copy of app.db"),
        "{out}"
    );
    let rebuild = out.lines().find(|l| l.contains("0001_users_rebuild")).unwrap();
    assert!(rebuild.contains(" ms") && rebuild.contains("3 rows touched"), "{out}");
    let add = out.lines().find(|l| l.contains("0002_users_add_bio")).unwrap();
    assert!(add.contains(" ms") && add.contains("0 rows touched"), "{out}");
    assert!(out.contains("Longest lock: "), "{out}");
    assert!(out.contains("app.db was not changed."), "{out}");
    assert_eq!(bytes(&p, "app.db"), before, "the database changed");
    assert_eq!(side_files(&p), Vec::<String>::new());
    let copy = copy_path(&out);
    assert!(!copy.exists(), "the copy {} was left behind", copy.display());
    // Still pending, and the real run applies them.
    let status = p.run(&["status"]).stdout();
    assert!(status.contains("2 pending"), "{status}");
    p.run(&["migrate"]).expect(0);
    assert_eq!(
        rows(&p.path("app.db"), "SELECT id, name, age, bio FROM users ORDER BY id"),
        ["1|ada|36|NULL", "2|bob|NULL|NULL", "3|cy|7|NULL"]
    );
    let out = p.run(&["migrate", "--rehearse"]).expect(0).stdout().to_string();
    assert!(out.contains("Nothing to rehearse: app.db is up to date."), "{out}");
}

#[test]
fn a_failing_rehearsal_reports_the_failure_and_changes_nothing() {
    let p = migrated();
    p.write(
        "src/schema.rs",
        &BASE.replace(
            "pub age: Option<i64>,",
            "pub age: Option<i64>,\n    pub bio: Option<String>,",
        ),
    );
    p.run(&["generate"]).expect(0);
    // A custom migration the data refuses: a second row with id 1.
    p.run(&["generate", "--custom", "--name", "dup"]).expect(0);
    std::fs::write(
        p.path("migrations/0002_dup.sql"),
        "UPDATE users SET bio = 'x';--> statement-breakpoint\nINSERT INTO users (id, name) VALUES (1, 'again');",
    )
    .unwrap();
    p.run(&["generate", "--custom", "--name", "after"]).expect(0);
    let before = bytes(&p, "app.db");
    let run = p.run(&["migrate", "--rehearse"]);
    run.expect(3);
    let (out, err) = (run.stdout(), run.stderr());
    assert!(out.contains("Rehearsing 3 pending migrations"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("0001_users_add_bio") && l.contains(" ms")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.contains("0002_dup") && l.contains("FAILED")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("0003_after") && l.contains("not reached")),
        "{out}"
    );
    assert!(out.contains("app.db was not changed."), "{out}");
    assert!(err.contains("the rehearsal failed"), "{err}");
    assert!(
        err.contains("0002_dup: statement 2 failed") && err.contains("UNIQUE constraint failed"),
        "{err}"
    );
    assert_eq!(bytes(&p, "app.db"), before, "the database changed");
    assert_eq!(side_files(&p), Vec::<String>::new());
    assert!(!copy_path(&out).exists());
}

#[test]
fn rehearse_needs_a_database_and_never_creates_one() {
    let p = Project::new();
    p.write("src/schema.rs", BASE);
    p.run(&["generate"]).expect(0);
    let err = p.run(&["migrate", "--rehearse"]).expect(2).stderr().to_string();
    assert!(err.contains("no database at app.db to rehearse on"), "{err}");
    assert!(!p.exists("app.db"));
}

// ---------------------------------------------------------------------------------------
// Reset

const SEED: &str = "-- the default user\nINSERT OR IGNORE INTO users (id, name) VALUES (1, 'admin');\n\
                    INSERT INTO users (id, name) VALUES (2, 'it''s; a name')\n  ON CONFLICT (id) DO NOTHING;\n";

fn with_seed(p: &Project, seed: &str) {
    p.write("schema.toml", "[seed]\nfile = \"db/seed.sql\"\n");
    p.write("db/seed.sql", seed);
}

#[test]
fn reset_deletes_the_database_and_its_files_then_migrates_and_seeds() {
    let p = migrated();
    two_pending(&p);
    with_seed(&p, SEED);
    for f in ["app.db-wal", "app.db-shm", "app.db-journal"] {
        p.write(f, "left behind by a crashed process");
    }
    let run = p.run(&["reset", "--force"]);
    run.expect(0);
    let out = run.stdout();
    assert!(
        out.contains("Deleted app.db, app.db-wal, app.db-shm, app.db-journal."),
        "{out}"
    );
    assert!(out.contains("Applied 3 migrations to app.db."), "{out}");
    assert!(out.contains("Seeded app.db from db/seed.sql (2 statements)."), "{out}");
    assert_eq!(side_files(&p), Vec::<String>::new());
    assert_eq!(
        rows(&p.path("app.db"), "SELECT id, name, bio FROM users ORDER BY id"),
        ["1|admin|NULL", "2|it's; a name|NULL"]
    );
    assert_eq!(
        rows(&p.path("app.db"), "SELECT count(*) FROM __drizzle_migrations"),
        ["3"]
    );
    // Again: the same database, the seed applied once to it.
    p.run(&["reset", "--force"]).expect(0);
    assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM users"), ["2"]);
}

#[test]
fn reset_without_a_terminal_needs_force() {
    let p = migrated();
    let before = bytes(&p, "app.db");
    let err = p.run(&["reset"]).expect(2).stderr().to_string();
    assert!(err.contains("without a terminal to ask on, pass --force"), "{err}");
    assert_eq!(bytes(&p, "app.db"), before);
}

#[test]
fn reset_refuses_a_database_elsewhere_and_a_file_that_is_not_one() {
    let p = migrated();
    let run = p.run(&[
        "reset",
        "--force",
        "--url",
        "postgres://admin:hunter2@db.example.com:5432/app",
    ]);
    run.expect(2);
    let err = run.stderr();
    assert!(
        err.contains("postgres://admin:***@db.example.com:5432/app is not on this machine"),
        "{err}"
    );
    assert!(err.contains("--allow-remote") && !err.contains("hunter2"), "{err}");
    // Told it may, it still cannot reset a PostgreSQL database in this build.
    let err = p
        .run(&[
            "reset",
            "--force",
            "--allow-remote",
            "--url",
            "postgres://admin:hunter2@db.example.com/app",
        ])
        .expect(2)
        .stderr()
        .to_string();
    assert!(err.contains("cannot reset it") && !err.contains("hunter2"), "{err}");
    // A mistyped URL that names a source file is never deleted.
    p.write("src/main.rs", "fn main() {}\n");
    let err = p
        .run(&["reset", "--force", "--url", "src/main.rs"])
        .expect(2)
        .stderr()
        .to_string();
    assert!(err.contains("src/main.rs is not a SQLite database"), "{err}");
    assert_eq!(p.read("src/main.rs"), "fn main() {}\n");
}

// ---------------------------------------------------------------------------------------
// Seed

#[test]
fn migrate_seed_fills_an_empty_database_only() {
    let p = Project::new();
    p.write("src/schema.rs", BASE);
    p.run(&["generate"]).expect(0);
    with_seed(&p, SEED);
    let out = p.run(&["migrate", "--seed"]).expect(0).stdout().to_string();
    assert!(out.contains("Seeded app.db from db/seed.sql"), "{out}");
    assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM users"), ["2"]);
    // Not empty now: the seed is not applied again, even with a migration to apply.
    exec(&p, "DELETE FROM users WHERE id = 2;");
    p.write(
        "src/schema.rs",
        &BASE.replace(
            "pub age: Option<i64>,",
            "pub age: Option<i64>,\n    pub bio: Option<String>,",
        ),
    );
    p.run(&["generate"]).expect(0);
    let out = p.run(&["migrate", "--seed"]).expect(0).stdout().to_string();
    assert!(out.contains("applied 0001_users_add_bio"), "{out}");
    assert!(
        out.contains("Seed db/seed.sql not applied: app.db was not empty"),
        "{out}"
    );
    assert_eq!(rows(&p.path("app.db"), "SELECT id FROM users"), ["1"]);
    // Without --seed, nothing is said of it.
    let out = p.run(&["migrate"]).expect(0).stdout().to_string();
    assert!(!out.contains("Seed"), "{out}");
}

#[test]
fn a_failing_seed_names_its_file_line_and_statement_and_leaves_nothing() {
    let p = Project::new();
    p.write("src/schema.rs", BASE);
    p.run(&["generate"]).expect(0);
    with_seed(
        &p,
        "INSERT INTO users (id, name) VALUES (1, 'admin');\n-- a second admin, by mistake\nINSERT INTO users (id, name)\n  VALUES (1, 'again');\nINSERT INTO users (id, name) VALUES (3, 'never');\n",
    );
    let run = p.run(&["migrate", "--seed"]);
    run.expect(3);
    let err = run.stderr();
    assert!(err.contains("seed db/seed.sql:3 (statement 2) failed"), "{err}");
    assert!(
        err.contains("UNIQUE constraint failed") && err.contains("VALUES (1, 'again')"),
        "{err}"
    );
    assert!(err.contains("nothing of the seed was applied"), "{err}");
    // The migrations were applied; not one row of the seed was.
    assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM users"), ["0"]);
    assert_eq!(
        rows(&p.path("app.db"), "SELECT count(*) FROM __drizzle_migrations"),
        ["1"]
    );
}

#[test]
fn a_seed_may_not_hold_transaction_control_and_must_be_configured() {
    let p = Project::new();
    p.write("src/schema.rs", BASE);
    p.run(&["generate"]).expect(0);
    let err = p.run(&["migrate", "--seed"]).expect(2).stderr().to_string();
    assert!(err.contains("no seed file is configured"), "{err}");
    assert!(!p.exists("app.db"), "nothing is migrated before the seed is known");
    with_seed(
        &p,
        "BEGIN;\nINSERT INTO users (id, name) VALUES (1, 'admin');\nCOMMIT;\n",
    );
    let err = p.run(&["reset", "--force"]).expect(2).stderr().to_string();
    assert!(
        err.contains("db/seed.sql:1: `BEGIN` may not be in a seed file"),
        "{err}"
    );
    assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM users"), ["0"]);
    // `--seed-file` names another, relative to the working directory.
    p.write("other.sql", "INSERT INTO users (id, name) VALUES (5, 'five');");
    p.run(&["reset", "--force", "--seed-file", "other.sql"]).expect(0);
    assert_eq!(rows(&p.path("app.db"), "SELECT id FROM users"), ["5"]);
}

// ---------------------------------------------------------------------------------------
// The benchmark

/// Rehearse against the real migration on a 1,000,000-row table, in the same run: the
/// database is restored from a copy before each real run, so every run starts alike. Prints
/// the table for docs/BENCHMARKS.md ("Rehearse").
#[test]
#[ignore = "a benchmark: run it with --ignored --nocapture (and --release)"]
fn rehearse_benchmark() {
    const ROWS: i64 = 1_000_000;
    const ROUNDS: usize = 5;
    let events = r#"use schema_core::Table;

#[derive(Table)]
#[table(name = "events")]
pub struct Event {
    #[column(primary_key)]
    pub id: i64,
    pub kind: String,
    pub n: Option<i64>,
}
"#;
    let p = Project::new();
    p.write("src/schema.rs", events);
    p.run(&["generate"]).expect(0);
    p.run(&["migrate"]).expect(0);
    exec(
        &p,
        &format!(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {ROWS}) \
             INSERT INTO events SELECT x, 'kind ' || (x % 17), x % 1000 FROM c;"
        ),
    );
    // `n` becomes NOT NULL with a default: a rebuild that copies every row.
    p.write(
        "src/schema.rs",
        &events.replace("pub n: Option<i64>,", "#[column(default = 0)]\n    pub n: i64,"),
    );
    p.run(&["generate"]).expect(0);
    std::fs::copy(p.path("app.db"), p.path("start.db")).unwrap();
    let size = std::fs::metadata(p.path("app.db")).unwrap().len();

    let timed = |args: &[&str]| {
        let started = Instant::now();
        let run = p.run(args);
        let wall = started.elapsed();
        run.expect(0);
        (wall, run.stdout())
    };
    let reported = |out: &str, tag: &str| -> f64 {
        let line = out.lines().find(|l| l.contains(tag) && l.contains(" ms")).unwrap();
        let before_ms = line.split(" ms").next().unwrap();
        before_ms.split_whitespace().last().unwrap().parse().unwrap()
    };
    let (mut rehearse, mut real) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        std::fs::copy(p.path("start.db"), p.path("app.db")).unwrap();
        let before = bytes(&p, "app.db");
        let (wall, out) = timed(&["migrate", "--rehearse"]);
        assert!(out.contains(&format!("{ROWS} rows touched")), "{out}");
        assert!(bytes(&p, "app.db") == before, "the rehearsal changed the database");
        rehearse.push((wall, reported(&out, "0001_events_rebuild")));
        let (wall, out) = timed(&["migrate"]);
        real.push((wall, reported(&out, "0001_events_rebuild")));
    }
    let median = |v: &[(Duration, f64)], pick: fn(&(Duration, f64)) -> f64| {
        let mut xs: Vec<f64> = v.iter().map(pick).collect();
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };
    let wall = |x: &(Duration, f64)| x.0.as_secs_f64() * 1000.0;
    let migration = |x: &(Duration, f64)| x.1;
    let (rw, rm) = (median(&rehearse, wall), median(&rehearse, migration));
    let (mw, mm) = (median(&real, wall), median(&real, migration));
    println!(
        "{ROWS} rows, database {:.1} MB, median of {ROUNDS} rounds\n",
        size as f64 / 1e6
    );
    println!("| run | whole command | the migration's transaction |");
    println!("| --- | ---: | ---: |");
    println!("| `schema migrate` (real) | {mw:.0} ms | {mm:.0} ms |");
    println!("| `schema migrate --rehearse` (copy + apply) | {rw:.0} ms | {rm:.0} ms |");
    println!("| ratio rehearse / real | {:.2} | {:.2} |", rw / mw, rm / mm);
    assert!(rw / mw < 1.5, "the rehearsal took {:.2}x the real migration", rw / mw);
}
