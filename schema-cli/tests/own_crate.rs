//! A crate of a user's own, outside the workspace (`tests/own-crate`), made as README's
//! "Use it in your own crate" says: `schema generate` writes its migrations, cargo builds it
//! with `schema-core` as its one dependency (rusqlite through the re-export), and the binary
//! migrates a real SQLite file and inserts through the derived insert structs. Then a column
//! with a default is added: the insert code compiles unchanged and the new migration applies.
//!
//! The build shares one target folder across runs (`CARGO_TARGET_TMPDIR/own-crate-target`),
//! so only the first run compiles SQLite.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{Project, rows};

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// The crate copied into the project, its path dependency made absolute, the workspace's lock
/// beside it so the build resolves offline to the versions the workspace is tested with.
fn copy_crate(p: &Project) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let src = root.join("tests/own-crate");
    let core = root.join("schema-core").canonicalize().unwrap();
    let manifest = std::fs::read_to_string(src.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("path = \"../../schema-core\""), "{manifest}");
    let manifest = manifest.replace(
        "path = \"../../schema-core\"",
        &format!("path = {:?}", core.to_str().unwrap()),
    );
    p.write("Cargo.toml", &manifest);
    for f in ["schema.toml", "src/main.rs", "src/schema.rs"] {
        p.write(f, &std::fs::read_to_string(src.join(f)).unwrap());
    }
    std::fs::copy(root.join("Cargo.lock"), p.path("Cargo.lock")).unwrap();
}

fn build(p: &Project) -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("own-crate-target");
    let out = Command::new(cargo())
        .args(["build", "--offline", "--quiet"])
        .current_dir(p.path(""))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo build of the own crate failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    target
        .join("debug")
        .join(format!("own-crate{}", std::env::consts::EXE_SUFFIX))
}

fn app(bin: &Path, db: &Path, title: &str) -> String {
    let out = Command::new(bin).arg(db).arg(title).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

#[test]
fn a_crate_of_its_own_builds_migrates_and_inserts() {
    if Command::new(cargo()).arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "cargo is needed in CI to build the own crate"
        );
        eprintln!("SKIPPED a_crate_of_its_own_builds_migrates_and_inserts: cargo is not installed");
        return;
    }
    let p = Project::new();
    copy_crate(&p);
    p.run(&["generate", "--name", "init"]).expect(0);
    assert!(p.exists("migrations/0000_init.sql"));
    let bin = build(&p);

    let db = p.path("tasks.db");
    let first = app(&bin, &db, "Write the README");
    assert!(first.contains("applied 1 into task_migrations"), "{first}");
    assert!(
        first.contains("foreign_keys true"),
        "the bundled SQLite has foreign keys on: {first}"
    );
    assert!(first.contains("task 1 done=false created_at=20"), "{first}");
    assert!(first.contains("orphan refused: true"), "{first}");
    // The CLI reads the same tracking table: nothing pending, nothing edited.
    let status = p.run(&["status"]);
    status.expect(0);
    assert!(
        status.stdout().contains("1 migration: 0 pending, 0 edited, 0 missing"),
        "{}",
        status.stdout()
    );
    let second = app(&bin, &db, "Review it");
    assert!(
        second.contains("applied 0 into task_migrations") && second.contains("task 2 "),
        "{second}"
    );
    assert_eq!(rows(&db, "SELECT count(*) FROM task_migrations"), ["1"]);
    assert_eq!(
        rows(
            &db,
            "SELECT count(*) FROM sqlite_master WHERE name = '__drizzle_migrations'"
        ),
        ["0"]
    );

    // A column with a default: `NewTask::new(project, title)` in main.rs is not touched.
    let schema = p.read("src/schema.rs").replace(
        "    pub created_at: String,\n}",
        "    pub created_at: String,\n    #[column(default = 2)]\n    pub priority: i64,\n}",
    );
    assert!(schema.contains("priority"));
    p.write("src/schema.rs", &schema);
    p.run(&["generate", "--name", "tasks_priority"]).expect(0);
    let bin = build(&p);
    let third = app(&bin, &db, "After the new column");
    assert!(
        third.contains("applied 1 into task_migrations") && third.contains("task 3 "),
        "{third}"
    );
    assert_eq!(
        rows(&db, "SELECT id, title, priority FROM tasks ORDER BY id"),
        ["1|Write the README|2", "2|Review it|2", "3|After the new column|2"]
    );
}
