//! Several processes, and processes killed mid-migration, on real SQLite files.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use rusqlite::Connection;

fn schema() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schema"));
    c.env_remove("DATABASE_URL");
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn generate(dir: &Path, src: &str, extra: &[&str]) {
    write(dir, "src/schema.rs", src);
    let out = schema().arg("generate").args(extra).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn eight_processes_migrating_one_fresh_database_each_finish_and_apply_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = String::new();
    for i in 0..6 {
        src.push_str(&format!(
            "#[derive(Table)]\npub struct T{i} {{\n    #[column(primary_key)]\n    pub id: i64,\n    pub v: Option<String>,\n}}\n"
        ));
        generate(dir.path(), &src, &["--name", &format!("t{i}")]);
    }
    // A data migration too: applied twice, it would insert twice.
    write(dir.path(), "seed.sql", "");
    generate(dir.path(), &src, &["--custom", "--name", "seed"]);
    std::fs::write(
        dir.path().join("migrations/0006_seed.sql"),
        "INSERT INTO t0 (id, v) VALUES (1, 'once');",
    )
    .unwrap();

    let children: Vec<_> = (0..8)
        .map(|_| {
            schema()
                .arg("migrate")
                .current_dir(dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut applied_total = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a process failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        applied_total += String::from_utf8_lossy(&out.stdout).matches("applied ").count();
    }
    let conn = Connection::open(dir.path().join("app.db")).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM __drizzle_migrations"), 7);
    assert_eq!(count(&conn, "SELECT count(DISTINCT tag) FROM __drizzle_migrations"), 7);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM t0"),
        1,
        "the data migration ran once"
    );
    assert_eq!(
        applied_total, 7,
        "each migration was reported applied by exactly one process"
    );
}

const BIG_V1: &str = "#[derive(Table)]\n#[table(name = \"big\")]\npub struct Big {\n    #[column(primary_key, autoincrement)]\n    pub id: i64,\n    pub name: Option<String>,\n    pub n: Option<i64>,\n}\n";

/// A database at v1 with a million rows, and a folder whose next two migrations rebuild the
/// table (n becomes NOT NULL) and then index it.
fn big_template(dir: &Path) -> PathBuf {
    generate(dir, BIG_V1, &[]);
    let out = schema().arg("migrate").current_dir(dir).output().unwrap();
    assert!(out.status.success());
    let conn = Connection::open(dir.join("app.db")).unwrap();
    conn.execute_batch(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000)
         INSERT INTO big (id, name, n) SELECT x, 'row ' || x, CASE WHEN x % 3 = 0 THEN NULL ELSE x END FROM c;",
    )
    .unwrap();
    drop(conn);
    generate(
        dir,
        &BIG_V1.replace("pub n: Option<i64>", "#[column(default = 0)] pub n: i64"),
        &[],
    );
    generate(
        dir,
        &BIG_V1
            .replace("pub struct Big", "#[index(columns(name))]\npub struct Big")
            .replace("pub n: Option<i64>", "#[column(default = 0)] pub n: i64"),
        &[],
    );
    let template = dir.join("template.db");
    std::fs::rename(dir.join("app.db"), &template).unwrap();
    template
}

/// Which migrations the database says it has, and whether its tables agree.
fn boundary(conn: &Connection) -> i64 {
    let applied = count(conn, "SELECT count(*) FROM __drizzle_migrations");
    let n_not_null = count(
        conn,
        "SELECT \"notnull\" FROM pragma_table_info('big') WHERE name = 'n'",
    );
    let index = count(
        conn,
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'big_name_idx'",
    );
    let leftovers = count(conn, "SELECT count(*) FROM sqlite_master WHERE name LIKE '__new_%'");
    assert_eq!(leftovers, 0, "no half-built table is visible");
    match applied {
        1 => assert_eq!((n_not_null, index), (0, 0)),
        2 => assert_eq!((n_not_null, index), (1, 0)),
        3 => assert_eq!((n_not_null, index), (1, 1)),
        other => panic!("{other} migrations recorded"),
    }
    applied
}

#[test]
fn a_process_killed_during_a_million_row_rebuild_leaves_a_boundary_and_the_next_run_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let template = big_template(dir.path());
    let db = dir.path().join("app.db");

    // How long the whole job takes here, to spread the kills across it.
    std::fs::copy(&template, &db).unwrap();
    let started = Instant::now();
    assert!(
        schema()
            .arg("migrate")
            .current_dir(dir.path())
            .output()
            .unwrap()
            .status
            .success()
    );
    let full = started.elapsed();
    eprintln!("full migration of 1,000,000 rows: {full:?}");

    let moments = 10;
    let mut seen = [0usize; 4];
    for k in 0..moments {
        std::fs::copy(&template, &db).unwrap();
        let _ = std::fs::remove_file(dir.path().join("app.db-journal"));
        let mut child = schema()
            .arg("migrate")
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let at = full.mul_f64((k as f64 + 0.5) / moments as f64);
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL: no cleanup of any kind
        let _ = child.wait();

        let conn = Connection::open(&db).unwrap();
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(integrity, "ok", "killed at {at:?}");
        let reached = boundary(&conn);
        seen[reached as usize] += 1;
        assert_eq!(count(&conn, "SELECT count(*) FROM big"), 1_000_000, "killed at {at:?}");
        drop(conn);

        let out = schema().arg("migrate").current_dir(dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "the run after a kill at {at:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let conn = Connection::open(&db).unwrap();
        assert_eq!(boundary(&conn), 3);
        assert_eq!(count(&conn, "SELECT count(*) FROM big"), 1_000_000);
        assert_eq!(count(&conn, "SELECT count(*) FROM big WHERE n IS NULL"), 0);
        assert_eq!(count(&conn, "SELECT count(*) FROM big WHERE n = 0"), 333_333);
        assert_eq!(
            count(&conn, "SELECT seq FROM sqlite_sequence WHERE name = 'big'"),
            1_000_000
        );
    }
    eprintln!(
        "killed at {moments} moments; boundaries reached (1, 2, 3 migrations applied): {:?}",
        &seen[1..]
    );
    assert!(seen[1] > 0, "some kill landed inside the rebuild");
}
