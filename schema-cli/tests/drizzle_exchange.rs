//! Taking turns with drizzle-kit on one folder, and its migrations beside ours on the same data.
//!
//! Each scenario under `tests/fixtures/drizzle-compat/exchange_*` holds a schema in two
//! versions, in TypeScript and in Rust, and the folder drizzle-kit 0.31 wrote for them. Here,
//! without node: we continue drizzle-kit's folder with no changes, write our own migration for
//! the same change, and run both on the same rows. `tests/drizzle-kit/exchange.sh` checks the
//! other direction (drizzle-kit continuing our folders) with drizzle-kit itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use rusqlite::Connection;

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/drizzle-compat");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("exchange_"))
        .collect();
    out.sort();
    assert!(out.len() >= 2);
    out
}

fn schema(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_schema"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// drizzle-kit's folder as it was after v1: its first migration only.
fn first_migration_only(dir: &Path) {
    let journal_path = dir.join("meta/_journal.json");
    let mut journal: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&journal_path).unwrap()).unwrap();
    let entries = journal["entries"].as_array_mut().unwrap();
    for e in entries.drain(1..) {
        let tag = e["tag"].as_str().unwrap();
        std::fs::remove_file(dir.join(format!("{tag}.sql"))).unwrap();
        std::fs::remove_file(dir.join(format!("meta/{:04}_snapshot.json", e["idx"].as_u64().unwrap()))).unwrap();
    }
    std::fs::write(journal_path, serde_json::to_string_pretty(&journal).unwrap()).unwrap();
}

/// Rows at v1: a user with a NULL age, posts pointing at both users.
const ROWS: &str = "INSERT INTO users (id, name, age) VALUES (1, 'ann', 30), (2, 'bob', NULL);
                    INSERT INTO posts (id, author_id, title) VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 1, 'c');";

/// Runs a migration file as drizzle-orm's migrator does: every statement in one transaction.
fn run_like_drizzle_orm(db: &Path, sql: &str) -> Result<(), String> {
    let mut conn = Connection::open(db).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap(); // better-sqlite3's default
    let tx = conn.transaction().unwrap();
    for stmt in sql.split("--> statement-breakpoint") {
        tx.execute_batch(stmt).map_err(|e| e.to_string())?;
    }
    tx.commit().map_err(|e| e.to_string())
}

fn dump(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let mut out = Vec::new();
    for table in ["users", "posts"] {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1")).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap();
        out.extend(rows.map(|r| format!("{table}: {}", r.unwrap())));
    }
    out
}

#[test]
fn we_continue_drizzle_kits_folders_and_migrate_wherever_drizzle_kit_does() {
    for scenario in scenarios() {
        let name = scenario.file_name().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::copy(scenario.join("v1.rs"), p.join("v1.rs")).unwrap();
        std::fs::copy(scenario.join("v2.rs"), p.join("v2.rs")).unwrap();

        // drizzle-kit's whole folder, continued by us: nothing to add.
        copy_dir(&scenario.join("drizzle"), &p.join("theirs"));
        let (code, out) = schema(p, &["generate", "--schema", "v2.rs", "--out", "theirs"]);
        assert!(code == 0 && out.contains("No schema changes"), "{name}: {out}");
        let (code, out) = schema(p, &["check", "--schema", "v2.rs", "--out", "theirs"]);
        assert_eq!(code, 0, "{name}: check on drizzle-kit's folder: {out}");

        // drizzle-kit's folder after v1, continued by us with v2.
        copy_dir(&scenario.join("drizzle"), &p.join("mixed"));
        first_migration_only(&p.join("mixed"));
        let (code, out) = schema(p, &["generate", "--schema", "v1.rs", "--out", "mixed"]);
        assert!(
            code == 0 && out.contains("No schema changes"),
            "{name}: v1 on drizzle-kit's v1 folder: {out}"
        );
        // The same rows, at v1 (drizzle-kit's first migration applied), for both migrations.
        let (code, out) = schema(p, &["migrate", "--out", "mixed", "--url", "v1.db"]);
        assert_eq!(code, 0, "{name}: {out}");
        Connection::open(p.join("v1.db")).unwrap().execute_batch(ROWS).unwrap();
        let (code, out) = schema(p, &["generate", "--schema", "v2.rs", "--out", "mixed", "--name", "v2"]);
        assert_eq!(code, 0, "{name}: {out}");
        // Ours is now pending on v1.db; a copy of it takes drizzle-kit's.
        std::fs::copy(p.join("v1.db"), p.join("theirs.db")).unwrap();
        let theirs_sql = std::fs::read_to_string(scenario.join("drizzle/0001_v2.sql")).unwrap();
        let theirs = run_like_drizzle_orm(&p.join("theirs.db"), &theirs_sql);

        let (code, out) = schema(p, &["migrate", "--out", "mixed", "--url", "v1.db"]);
        assert_eq!(
            code,
            0,
            "{name}: our migration failed where drizzle-kit's {}: {out}",
            if theirs.is_ok() { "worked" } else { "failed too" }
        );
        let ours = dump(&p.join("v1.db"));
        // Every row kept, the NULL age given its new default where the column became NOT NULL.
        assert_eq!(
            ours.iter().filter(|r| r.starts_with("users")).count(),
            2,
            "{name}: {ours:?}"
        );
        assert_eq!(
            ours.iter().filter(|r| r.starts_with("posts")).count(),
            3,
            "{name}: {ours:?}"
        );
        match theirs {
            Ok(()) => {
                assert_eq!(
                    ours,
                    dump(&p.join("theirs.db")),
                    "{name}: both worked, with different rows"
                );
                eprintln!("{name}: drizzle-kit's migration and ours both work, with the same rows");
            }
            Err(e) => eprintln!("{name}: drizzle-kit's migration fails on these rows ({e}); ours keeps them all"),
        }
    }
}

#[test]
fn drizzle_kit_continues_our_folders() {
    // The live half of the exchange needs node and drizzle-kit from the npm registry.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/drizzle-kit/exchange.sh");
    let has_npm = Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_npm {
        if std::env::var_os("CI").is_some() {
            panic!("npm is needed in CI for the drizzle-kit exchange");
        }
        eprintln!("SKIPPED drizzle_kit_continues_our_folders: npm is not installed");
        return;
    }
    let out = Command::new("bash")
        .arg(&script)
        .env("SCHEMA_BIN", env!("CARGO_BIN_EXE_schema"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.code() == Some(77) {
        // The script could not install drizzle-kit (no registry): a skip that says why.
        assert!(std::env::var_os("CI").is_none(), "{text}");
        eprintln!("SKIPPED drizzle_kit_continues_our_folders: {text}");
        return;
    }
    assert!(out.status.success(), "{text}");
    eprintln!("{text}");
}
