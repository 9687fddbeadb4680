//! The example's one body of code on both databases: the binary run on a SQLite file and on a
//! PostgreSQL database (a server this test starts, `tests/pg/pg_server.rs`) says the same
//! thing about its rows. Without PostgreSQL's binaries the PostgreSQL half prints `SKIPPED`
//! on a developer's machine and fails under `CI=true`.

include!("../../../tests/pg/pg_server.rs");

/// What the example printed about its rows: every line but the database's name and the
/// migration timings.
fn run(target: &str) -> Vec<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blog-example"))
        .arg(target)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{target}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("applied 0000_init"), "{stdout}");
    stdout
        .lines()
        .filter(|l| !l.starts_with("database:") && !l.starts_with("applied "))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_example_runs_the_same_on_sqlite_and_postgresql() {
    let dir = std::env::temp_dir().join(format!("blog-example-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = run(dir.join("blog.db").to_str().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        sqlite.iter().any(|l| l.contains("tags [\"sqlite\", \"rust\"]")),
        "{sqlite:?}"
    );
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    server.create_database("blog").unwrap();
    let pg = run(&server.url("blog"));
    assert_eq!(pg, sqlite);
    // The rows are PostgreSQL's, in the tables the PostgreSQL migrations made.
    assert_eq!(server.psql("blog", "SELECT handle FROM users").unwrap(), "ada");
    assert_eq!(
        server
            .psql("blog", "SELECT count(*) FROM drizzle.__drizzle_migrations")
            .unwrap(),
        "1"
    );
}
