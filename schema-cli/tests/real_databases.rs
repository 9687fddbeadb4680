//! `pull`, and the round trip, on databases that no one here designed: created during the
//! test by real software (Django, installed from PyPI by the test itself; Fossil, installed by
//! `.ci/run` from Debian), plus the blog example and a database whose names are not Rust
//! identifiers. The figures go to the test's output and to `target/real-databases-report.txt`.

use std::path::{Path, PathBuf};
use std::process::Command;

use rusqlite::Connection;
use schema_core::diff::{describe, diff};
use schema_core::sqlite::{SQLITE, introspect};
use schema_tests::shape::shape;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn schema(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_schema"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A missing tool skips the case, saying why; in CI it fails, since `.ci/run` installs it.
fn unavailable(what: &str, why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is unavailable in CI: {why}");
    }
    eprintln!("SKIPPED {what}: {why}");
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)))
    }
}

/// A freshly migrated Django project's database.
fn django(dir: &Path) -> Result<PathBuf, String> {
    let site = dir.join("site-packages");
    run(Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
        ])
        .arg(&site)
        .arg("django==5.2.19"))?;
    let proj = dir.join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    run(Command::new("python3")
        .args(["-m", "django", "startproject", "mysite", "."])
        .current_dir(&proj)
        .env("PYTHONPATH", &site))?;
    run(Command::new("python3")
        .args(["manage.py", "migrate", "-v0"])
        .current_dir(&proj)
        .env("PYTHONPATH", &site))?;
    Ok(proj.join("db.sqlite3"))
}

/// A fresh Fossil repository (a SQLite database).
fn fossil(dir: &Path) -> Result<PathBuf, String> {
    let repo = dir.join("repo.fossil");
    run(Command::new("fossil")
        .args(["init", "--admin-user", "tester"])
        .arg(&repo)
        .env("USER", "tester"))?;
    Ok(repo)
}

/// The blog example's database, as its migrations build it.
fn blog(dir: &Path) -> Result<PathBuf, String> {
    let db = dir.join("blog.db");
    let (code, _, err) = schema(
        &root().join("examples/blog"),
        &["migrate", "--url", db.to_str().unwrap()],
    );
    if code != 0 {
        return Err(err);
    }
    // Pulled as a database no folder manages yet (its own folder's tracking rows would
    // rightly show as missing from the new one).
    Connection::open(&db)
        .and_then(|c| c.execute_batch("DROP TABLE __drizzle_migrations"))
        .map_err(|e| e.to_string())?;
    Ok(db)
}

/// Names no Rust identifier can be: spaces, dashes, keywords, leading digits, mixed case.
fn odd(dir: &Path) -> Result<PathBuf, String> {
    let db = dir.join("odd.db");
    let conn = Connection::open(&db).map_err(|e| e.to_string())?;
    conn.execute_batch(
        "CREATE TABLE \"order items\" (
             \"Item ID\" INTEGER PRIMARY KEY,
             \"first-name\" VARCHAR(40) NOT NULL DEFAULT 'n/a',
             \"type\" TEXT,
             \"2fa\" BOOLEAN NOT NULL DEFAULT 0,
             \"self\" REAL CHECK (\"self\" >= 0),
             \"userId\" BIGINT,
             untyped,
             price NUMERIC(10, 2) DEFAULT 0.00,
                          created DATETIME DEFAULT (datetime('now'))
         );
         CREATE TABLE \"type\" (\"match\" TEXT PRIMARY KEY NOT NULL, \"order\" INTEGER REFERENCES \"order items\" (\"Item ID\") ON DELETE SET NULL) WITHOUT ROWID, STRICT;
         CREATE UNIQUE INDEX \"order items by name\" ON \"order items\" (lower(\"first-name\"), \"type\") WHERE \"type\" IS NOT NULL;",
    )
    .map_err(|e| e.to_string())?;
    Ok(db)
}

/// Everything that made `pull` write Rust that did not compile or read values back wrongly:
/// tables named like the prelude and the derive's import, keyword columns, JSON, ANY,
/// NUMERIC and untyped columns, a TEXT key that may hold NULL, constraints as Django and
/// hand-written schemas write them, a default holding the statement separator, a
/// multi-line default, and clauses the model cannot keep (noted).
fn adversarial(dir: &Path) -> Result<PathBuf, String> {
    let db = dir.join("adversarial.db");
    let conn = Connection::open(&db).map_err(|e| e.to_string())?;
    conn.execute_batch(
        "CREATE TABLE \"table\" (\"try\" TEXT PRIMARY KEY, \"yield\" JSON, \"macro\" ANY, \"self\" NUMERIC, \"type\", \"crate\" INTEGER);
         CREATE TABLE option (id INTEGER PRIMARY KEY NOT NULL, \"table\" TEXT REFERENCES \"table\" DEFERRABLE INITIALLY DEFERRED,
             body TEXT NOT NULL DEFAULT 'a --> statement-breakpoint b',
             sig TEXT DEFAULT 'line one
line two',
             code TEXT NOT NULL ON CONFLICT REPLACE DEFAULT 'x' UNIQUE,
             CONSTRAINT named_pair UNIQUE (body, sig));
         CREATE TABLE string (a INTEGER, b TEXT, c REAL CHECK (c >= 0), PRIMARY KEY (a, b)) WITHOUT ROWID;
         CREATE TABLE vec (id INTEGER PRIMARY KEY, a INTEGER, b TEXT,
             FOREIGN KEY (a, b) REFERENCES string ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);
         CREATE TABLE result (k ANY PRIMARY KEY, v ANY) STRICT;",
    )
    .map_err(|e| e.to_string())?;
    Ok(db)
}

/// Makes a database in the given folder, or says why it cannot.
type MakeDb = fn(&Path) -> Result<PathBuf, String>;

#[test]
fn pull_and_round_trip_databases_made_by_real_software() {
    // (name, how to make it, whether it comes from a tool this machine may lack)
    let cases: [(&str, MakeDb, bool); 5] = [
        ("django", django, true),
        ("fossil", fossil, true),
        ("blog", blog, false),
        ("odd", odd, false),
        ("adversarial", adversarial, false),
    ];
    let mut report = Vec::new();
    for (name, make, external) in cases {
        let dir = tempfile::tempdir().unwrap();
        let db = match make(dir.path()) {
            Ok(db) => db,
            Err(why) if !external => panic!("{name}: cannot make the database: {why}"),
            Err(why) => {
                unavailable(name, &why);
                report.push(format!("{name}: skipped ({why})"));
                continue;
            }
        };
        report.push(check(name, &db));
    }
    let text = report.join("\n");
    println!("{text}");
    let _ = std::fs::write(root().join("target/real-databases-report.txt"), format!("{text}\n"));
}

/// Pull, regenerate, drift, push, and the round trip, with the figures.
fn check(name: &str, db: &Path) -> String {
    let project = tempfile::tempdir().unwrap();
    let p = project.path();
    // Copy the database beside the project so the file's header names it plainly.
    let local = p.join(format!("{name}.db"));
    std::fs::copy(db, &local).unwrap();
    let url = local.file_name().unwrap().to_str().unwrap().to_string();

    let (code, out, err) = schema(p, &["pull", "--url", &url, "--out-schema", "src/schema.rs"]);
    assert_eq!(code, 0, "{name}: pull failed: {err}");
    assert!(out.contains("0 differences not carried over"), "{name}: {out}\n{err}");
    if name == "adversarial" {
        // What the model cannot keep is said, on the terminal and in the baseline.
        let note = "NOT NULL on `option.code` has ON CONFLICT REPLACE, which the model does not keep";
        assert!(err.contains(&format!("note: {note}")), "{err}");
        let baseline = std::fs::read_to_string(p.join("migrations/0000_baseline.sql")).unwrap();
        assert!(baseline.starts_with(&format!("-- NOTE: {note}\n")), "{baseline}");
    }

    // The pulled file is what the compile crate holds (and so it compiles).
    let pulled = std::fs::read_to_string(p.join("src/schema.rs")).unwrap();
    let committed_path = root().join(format!("tests/pulled/src/{name}.rs"));
    if std::env::var_os("SCHEMA_BLESS").is_some() {
        std::fs::write(&committed_path, &pulled).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert_eq!(
        pulled, committed,
        "{name}: the pull output changed; review it and re-bless with SCHEMA_BLESS=1"
    );

    let (code, out, _) = schema(p, &["generate"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("No schema changes"),
        "{name}: generate right after pull: {out}"
    );
    let (code, out, _) = schema(p, &["status", "--url", &url]);
    assert_eq!(code, 0, "{name}: status after pull: {out}");
    let (code, out, _) = schema(p, &["check", "--url", &url]);
    assert_eq!(code, 0, "{name}: check --url after pull: {out}");
    let (code, out, err) = schema(p, &["push", "--url", &url, "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("is in sync with the schema"), "{name}: {out}");

    // The round trip: a fresh database built from the baseline reads back as the original.
    let fresh = p.join("fresh.db");
    let (code, _, err) = schema(p, &["migrate", "--url", fresh.to_str().unwrap()]);
    assert_eq!(code, 0, "{name}: the baseline does not build a database: {err}");
    let original = introspect(&Connection::open(&local).unwrap(), &["__drizzle_migrations"]).unwrap();
    let rebuilt = introspect(&Connection::open(&fresh).unwrap(), &["__drizzle_migrations"]).unwrap();
    let differences: Vec<String> = diff(&original, &rebuilt, &Default::default())
        .iter()
        .map(|c| describe(c, &SQLITE))
        .collect();
    assert!(
        differences.is_empty(),
        "{name}: the round trip differs:\n{}",
        differences.join("\n")
    );
    // Exact: SQLite reports the same objects, fact by fact, for both files.
    let (before, after) = (
        shape(&Connection::open(&local).unwrap()),
        shape(&Connection::open(&fresh).unwrap()),
    );
    let lost: Vec<&String> = before.iter().filter(|f| !after.contains(f)).collect();
    let gained: Vec<&String> = after.iter().filter(|f| !before.contains(f)).collect();
    assert!(
        lost.is_empty() && gained.is_empty(),
        "{name}: the rebuilt database is not the original.\nonly in the original:\n{lost:#?}\nonly in the rebuilt one:\n{gained:#?}"
    );

    let count = |f: fn(&schema_core::model::Table) -> usize| original.tables.iter().map(f).sum::<usize>();
    format!(
        "{name}: {} tables, {} columns, {} primary keys, {} indexes, {} foreign keys, {} checks read; {} facts of sqlite_master and the pragmas compared, all equal; model differences found: {}",
        original.tables.len(),
        count(|t| t.columns.len()),
        original.tables.iter().filter(|t| !t.key_columns().is_empty()).count(),
        count(|t| t.indexes.len()),
        count(|t| t.foreign_keys.len()),
        count(|t| t.checks.len()),
        before.len(),
        if differences.is_empty() {
            "none".to_string()
        } else {
            differences.len().to_string()
        }
    )
}
