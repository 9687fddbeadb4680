//! Faults, with figures: a process stopped dead at every write step of `generate`, `drop`,
//! `migrate` and `push` (the `SCHEMA_FAULT=abort-at=N` fault points: `abort()`, no cleanup,
//! as a `kill -9` or a power cut), `generate` killed with SIGKILL at 100 moments on a large
//! schema, full disks under `generate` and `migrate`, and four `generate`s at once. After each:
//! the folder passes `check`, the database passes `integrity_check` and sits at a migration
//! boundary with every row, and the next run completes. Each test prints its figures;
//! docs/RELIABILITY.md collects them.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use rusqlite::Connection;
use schema_core::folder::{Folder, check_folder};
use schema_core::sqlite::SQLITE;

fn schema() -> Command {
    let mut c = Command::new(support::schema_bin());
    c.env_remove("DATABASE_URL").env_remove("SCHEMA_FAULT");
    c.stdin(Stdio::null());
    c
}

/// `schema ARGS` in `dir`, stopped at fault point `fault` if given: (exit code or None when it
/// aborted, stderr).
fn run(dir: &Path, args: &[&str], fault: Option<usize>) -> (Option<i32>, String) {
    let mut c = schema();
    c.args(args).current_dir(dir);
    if let Some(n) = fault {
        c.env("SCHEMA_FAULT", format!("abort-at={n}"));
    }
    let out = c.output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[track_caller]
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = schema().args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "schema {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
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

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A schema of `n` tables of ten columns, a foreign key on every third and an index on every
/// other; `variant` changes table 0 (1: a new column, 2: a change that rebuilds it).
fn big_schema(n: usize, variant: u8) -> String {
    let mut s = String::from("use schema_core::Table;\n");
    for i in 0..n {
        let fk = if i % 3 == 2 {
            format!(
                "    #[column(references = T{}::id, on_delete = \"cascade\")]\n    pub parent: i64,\n",
                i - 1
            )
        } else {
            String::new()
        };
        let index = if i % 2 == 0 { "#[index(columns(a, b))]\n" } else { "" };
        let extra = match (i, variant) {
            (0, 1) => "    pub added: Option<String>,\n",
            _ => "",
        };
        let c_default = if i == 0 && variant == 2 {
            "#[column(default = 7)]\n    "
        } else {
            ""
        };
        s.push_str(&format!(
            "\n#[derive(Table)]\n{index}pub struct T{i} {{\n    #[column(primary_key)]\n    pub id: i64,\n{fk}    pub a: String,\n    pub b: Option<i64>,\n    {c_default}pub c: i64,\n    pub d: Option<f64>,\n    #[column(default = \"x\")]\n    pub e: String,\n    pub f: Option<Vec<u8>>,\n    pub g: bool,\n    pub h: Option<String>,\n{extra}}}\n"
        ));
    }
    s
}

/// What the journal lists, by tag.
fn tags(dir: &Path) -> Vec<String> {
    let folder = Folder::new(dir.join("migrations"), &SQLITE);
    folder
        .read_journal()
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.tag)
        .collect()
}

/// The folder is sound: `check` finds no problem in it.
#[track_caller]
fn sound(dir: &Path, what: &str) {
    let folder = Folder::new(dir.join("migrations"), &SQLITE);
    let problems = check_folder(&folder).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(problems.is_empty(), "{what}: {problems:#?}");
}

/// Stops `args` at each of its fault points in turn, in a copy of `before`; after each stop
/// the folder is as it was or holds the new migration whole, passes `check`, and the command
/// run again completes. Returns how many points were stopped at.
fn every_write_step(before: &Path, schema_text: &str, args: &[&str], expect_after: &[String]) -> usize {
    let old = tags(before);
    let mut n = 1;
    loop {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(before, dir.path());
        write(&dir.path().join("src/schema.rs"), schema_text);
        let (code, err) = run(dir.path(), args, Some(n));
        if code.is_some() {
            // The command ran to its end: every point has been tried.
            assert_eq!(code, Some(0), "{args:?} without a fault: {err}");
            assert_eq!(tags(dir.path()), expect_after);
            sound(dir.path(), "a clean run");
            return n - 1;
        }
        let what = format!("{args:?} stopped at point {n}");
        let now = tags(dir.path());
        assert!(now == old || now == expect_after, "{what}: journal {now:?}");
        sound(dir.path(), &what);
        if now == old {
            // The command run again completes.
            let (code, err) = run(dir.path(), args, None);
            assert_eq!(code, Some(0), "{what}, then again: {err}");
        } else {
            // Done, but for its leftovers: the next writer, whoever it is, clears them.
            drop(Folder::new(dir.path().join("migrations"), &SQLITE).lock().unwrap());
        }
        let last = tags(dir.path());
        assert_eq!(&last, expect_after, "{what}");
        sound(dir.path(), &format!("{what}, then again"));
        let stray: Vec<String> = std::fs::read_dir(dir.path().join("migrations/meta"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.starts_with('.'))
            .collect();
        assert!(stray.is_empty(), "{what}: left {stray:?}");
        n += 1;
    }
}

#[test]
fn generate_and_drop_stopped_at_every_write_step_leave_a_sound_folder() {
    let tables = 300;
    let base = tempfile::tempdir().unwrap();
    let empty = base.path().join("empty");
    std::fs::create_dir_all(empty.join("src")).unwrap();
    let mut points = BTreeMap::new();

    // The first migration of a large schema.
    let v0 = big_schema(tables, 0);
    points.insert(
        "generate: first migration",
        every_write_step(&empty, &v0, &["generate"], &["0000_init".to_string()]),
    );
    let at_v0 = base.path().join("v0");
    copy_dir(&empty, &at_v0);
    write(&at_v0.join("src/schema.rs"), &v0);
    ok(&at_v0, &["generate"]);

    // A column added (ALTER).
    let v1 = big_schema(tables, 1);
    let after: Vec<String> = ["0000_init", "0001_t0_add_added"].map(String::from).to_vec();
    points.insert(
        "generate: add a column",
        every_write_step(&at_v0, &v1, &["generate"], &after),
    );

    // A change that rebuilds a table.
    let v2 = big_schema(tables, 2);
    let after: Vec<String> = ["0000_init", "0001_t0_rebuild"].map(String::from).to_vec();
    points.insert(
        "generate: a rebuild",
        every_write_step(&at_v0, &v2, &["generate"], &after),
    );

    // Dropping the latest migration.
    let at_v1 = base.path().join("v1");
    copy_dir(&at_v0, &at_v1);
    write(&at_v1.join("src/schema.rs"), &v1);
    ok(&at_v1, &["generate"]);
    points.insert(
        "drop: the latest migration",
        every_write_step(&at_v1, &v1, &["drop", "--yes"], &["0000_init".to_string()]),
    );

    let total: usize = points.values().sum();
    eprintln!("FIGURE generate/drop write steps stopped at ({tables} tables): {points:?}, total {total}");
    assert!(total >= 40, "{total} fault points");
}

#[test]
fn generate_killed_at_a_hundred_moments_on_a_large_schema_leaves_a_sound_folder() {
    let tables = 500;
    let base = tempfile::tempdir().unwrap();
    let src = big_schema(tables, 0);
    write(&base.path().join("src/schema.rs"), &src);
    // How long a whole run takes here, to spread the kills across it.
    let started = Instant::now();
    ok(base.path(), &["generate", "--out", "probe"]);
    let full = started.elapsed();
    std::fs::remove_dir_all(base.path().join("probe")).unwrap();

    let moments = 100;
    let (mut before_write, mut whole) = (0, 0);
    for k in 0..moments {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("src/schema.rs"), &src);
        let mut child = schema()
            .arg("generate")
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let at = full.mul_f64((k as f64 + 0.5) / moments as f64);
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
        let what = format!("killed at {at:?}");
        if dir.path().join("migrations").exists() {
            sound(dir.path(), &what);
        }
        match tags(dir.path()).len() {
            0 => before_write += 1,
            1 => whole += 1,
            n => panic!("{what}: {n} entries"),
        }
        let (code, err) = run(dir.path(), &["generate"], None);
        assert_eq!(code, Some(0), "{what}, then again: {err}");
        assert_eq!(tags(dir.path()), ["0000_init"], "{what}");
        sound(dir.path(), &format!("{what}, then again"));
    }
    eprintln!(
        "FIGURE generate of {tables} tables ({full:?} a run) killed at {moments} moments: \
         {before_write} left the folder as it was, {whole} left the migration whole, 0 anything else"
    );
}

#[test]
fn four_generates_at_once_write_one_migration_and_readers_never_see_half_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/schema.rs"), &big_schema(50, 0));
    ok(dir.path(), &["generate"]);
    write(&dir.path().join("src/schema.rs"), &big_schema(50, 1));
    let journal = dir.path().join("migrations/meta/_journal.json");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (journal, stop) = (journal.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = std::fs::read_to_string(&journal).unwrap();
                let v: serde_json::Value =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("a reader saw a broken journal: {e}"));
                assert!(v["entries"].as_array().is_some_and(|e| !e.is_empty()));
                reads += 1;
            }
            reads
        })
    };
    let children: Vec<_> = (0..4)
        .map(|_| {
            schema()
                .arg("generate")
                .current_dir(dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut wrote = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        if text.contains("Wrote") {
            wrote += 1;
        } else {
            assert!(text.contains("No schema changes"), "{text}");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reader.join().unwrap();
    assert_eq!(wrote, 1, "one process wrote the migration, the others found it");
    assert_eq!(tags(dir.path()), ["0000_init", "0001_t0_add_added"]);
    sound(dir.path(), "after four generates");
    eprintln!("FIGURE four concurrent generates: 1 migration written, 3 found it; {reads} journal reads, all whole");
}

// ---------------------------------------------------------------------------------------
// Databases

/// Everything a database holds, as text: its schema objects and every row of every table.
fn state(db: &Path) -> String {
    let conn = Connection::open(db).unwrap();
    let mut out = String::new();
    let mut stmt = conn
        .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY type, name")
        .unwrap();
    let objects: Vec<(String, String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (kind, name, sql) in &objects {
        out.push_str(&format!("{kind} {name}: {}\n", sql.as_deref().unwrap_or("")));
        if kind == "table" {
            for row in support::rows(db, &format!("SELECT * FROM \"{name}\" ORDER BY rowid")) {
                out.push_str(&format!("  {row}\n"));
            }
        }
    }
    out
}

/// Where two states first differ, for a failure message that fits on a screen.
fn first_difference(a: &str, b: &str) -> String {
    match a.lines().zip(b.lines()).position(|(x, y)| x != y) {
        Some(i) => format!(
            "line {}: {:?} vs {:?}",
            i + 1,
            a.lines().nth(i).unwrap_or(""),
            b.lines().nth(i).unwrap_or("")
        ),
        None => format!("{} vs {} lines", a.lines().count(), b.lines().count()),
    }
}

#[track_caller]
fn same_state(got: &str, want: &str, what: &str) {
    assert!(got == want, "{what}: {}", first_difference(got, want));
}

fn applied(db: &Path) -> usize {
    support::rows(db, "SELECT count(*) FROM __drizzle_migrations")[0]
        .parse()
        .unwrap()
}

fn integrity(db: &Path) -> String {
    support::rows(db, "PRAGMA integrity_check").join(",")
}

/// A project whose database is at its first migration with rows in every table, and whose
/// folder has `later` more migrations to apply: rebuilds with foreign keys on, added
/// columns, a data migration, indexes.
fn project_with_pending(dir: &Path) -> (PathBuf, usize) {
    // Each step changes the one before it.
    let edits: &[(&str, &str)] = &[
        ("pub score: Option<i64>,", "#[column(default = 0)]\n    pub score: i64,"),
        (
            "pub note: Option<String>,",
            "pub note: Option<String>,\n    pub extra: Option<String>,",
        ),
        ("pub struct Child", "#[index(columns(note))]\npub struct Child"),
        (
            "pub name: String,",
            "#[column(collate = \"NOCASE\")]\n    pub name: String,",
        ),
        (
            "pub struct Child",
            "#[check(name = \"child_note_len\", expr = \"length(note) < 100\")]\npub struct Child",
        ),
        (
            "pub extra: Option<String>,",
            "#[column(default = \"none\")]\n    pub extra: String,",
        ),
        (
            "pub struct Parent",
            "#[index(name = \"parent_lower_name\", expr = \"lower(name)\")]\npub struct Parent",
        ),
        (
            "pub parent_id: i64,",
            "pub parent_id: i64,\n    #[column(default = 1.5)]\n    pub weight: f64,",
        ),
        (
            "",
            "\n#[derive(Table)]\npub struct Tag {\n    #[column(primary_key)]\n    pub id: i64,\n    #[column(references = Parent::id)]\n    pub parent_id: i64,\n    pub label: String,\n}\n",
        ),
        ("    #[column(default = 1.5)]\n    pub weight: f64,\n", ""),
        (
            "    pub label: String,",
            "    #[column(unique)]\n    pub label: String,",
        ),
    ];
    let mut steps = vec![PARENT_CHILD.to_string()];
    for (from, to) in edits {
        let last = steps.last().unwrap();
        // An empty `from` appends.
        let next = if from.is_empty() {
            format!("{last}{to}")
        } else {
            last.replacen(from, to, 1)
        };
        steps.push(next);
    }
    let src = dir.join("src/schema.rs");
    write(&src, &steps[0]);
    ok(dir, &["generate"]);
    ok(dir, &["migrate"]);
    let conn = Connection::open(dir.join("app.db")).unwrap();
    conn.execute_batch(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300)
         INSERT INTO parent (id, name, score) SELECT x, 'p' || x, CASE WHEN x % 4 = 0 THEN NULL ELSE x END FROM c;
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 900)
         INSERT INTO child (id, parent_id, note) SELECT x, 1 + x % 300, 'n' || x FROM c;",
    )
    .unwrap();
    drop(conn);
    for (i, step) in steps.iter().enumerate().skip(1) {
        write(&src, step);
        ok(dir, &["generate"]);
        if i == 2 {
            // A data migration between the schema ones.
            ok(dir, &["generate", "--custom", "--name", "data"]);
            let tag = tags(dir).last().unwrap().clone();
            std::fs::write(
                dir.join(format!("migrations/{tag}.sql")),
                "UPDATE child SET note = upper(note) WHERE id % 2 = 0;--> statement-breakpoint\nINSERT INTO parent (id, name, score) VALUES (1000, 'late', 5);",
            )
            .unwrap();
        }
    }
    let template = dir.join("template.db");
    std::fs::copy(dir.join("app.db"), &template).unwrap();
    (template, tags(dir).len())
}

const PARENT_CHILD: &str = "use schema_core::Table;\n\n#[derive(Table)]\n#[table(name = \"parent\")]\npub struct Parent {\n    #[column(primary_key, autoincrement)]\n    pub id: i64,\n    pub name: String,\n    pub score: Option<i64>,\n}\n\n#[derive(Table)]\n#[table(name = \"child\")]\npub struct Child {\n    #[column(primary_key)]\n    pub id: i64,\n    #[column(references = Parent::id, on_delete = \"cascade\")]\n    pub parent_id: i64,\n    pub note: Option<String>,\n}\n";

/// `push --force` of `schema_text` onto a copy of `template`, stopped at each of its fault
/// points: the database is as it was or as the whole push leaves it, and the push run again
/// completes. Returns the points stopped at.
fn stop_push(dir: &Path, template: &Path, schema_text: &str) -> usize {
    let db = dir.join("app.db");
    write(&dir.join("src/schema.rs"), schema_text);
    std::fs::copy(template, &db).unwrap();
    let before = state(&db);
    ok(dir, &["push", "--force"]);
    let pushed = state(&db);
    for n in 1.. {
        std::fs::copy(template, &db).unwrap();
        let (code, err) = run(dir, &["push", "--force"], Some(n));
        if code.is_some() {
            assert_eq!(code, Some(0), "push without a fault: {err}");
            return n - 1;
        }
        let what = format!("push stopped at point {n}");
        assert_eq!(integrity(&db), "ok", "{what}");
        let now = state(&db);
        assert!(
            now == before || now == pushed,
            "{what}: push is all or nothing: {}",
            first_difference(&now, &before)
        );
        let (code, err) = run(dir, &["push", "--force"], None);
        assert_eq!(code, Some(0), "{what}, then again: {err}");
        same_state(&state(&db), &pushed, &format!("{what}, then again"));
    }
    unreachable!()
}

/// The state of the database after exactly `k` migrations, for each `k`: applied one at a
/// time from the template, in process.
fn boundaries(dir: &Path, template: &Path, total: usize) -> Vec<String> {
    let all = schema_core::Migrations::from_dir(dir.join("migrations")).unwrap();
    (1..=total)
        .map(|k| {
            let db = dir.join(format!("ref{k}.db"));
            std::fs::copy(template, &db).unwrap();
            let first_k = schema_core::Migrations::from_vec(all.migrations()[..k].to_vec());
            let mut conn = Connection::open(&db).unwrap();
            conn.pragma_update(None, "foreign_keys", true).unwrap();
            first_k.run(&mut conn).unwrap();
            drop(conn);
            state(&db)
        })
        .collect()
}

#[test]
fn migrate_and_push_stopped_at_every_step_leave_a_boundary_with_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let (template, total) = project_with_pending(dir.path());
    let reference = boundaries(dir.path(), &template, total);
    let db = dir.path().join("app.db");

    // migrate, stopped at each of its fault points.
    let mut migrate_points = 0;
    let mut reached = BTreeMap::new();
    for n in 1.. {
        std::fs::copy(&template, &db).unwrap();
        let _ = std::fs::remove_file(dir.path().join("app.db-journal"));
        let (code, err) = run(dir.path(), &["migrate"], Some(n));
        if code.is_some() {
            assert_eq!(code, Some(0), "migrate without a fault: {err}");
            break;
        }
        migrate_points += 1;
        let what = format!("migrate stopped at point {n}");
        assert_eq!(integrity(&db), "ok", "{what}");
        let k = applied(&db);
        *reached.entry(k).or_insert(0) += 1;
        same_state(
            &state(&db),
            &reference[k - 1],
            &format!("{what}: the state after {k} migrations"),
        );
        let (code, err) = run(dir.path(), &["migrate"], None);
        assert_eq!(code, Some(0), "{what}, then again: {err}");
        same_state(&state(&db), &reference[total - 1], &format!("{what}, then again"));
    }

    // push, stopped at each of its fault points: all or nothing. Once to the final schema,
    // once to the second one (a rebuild of a parent with its children's foreign keys on).
    let final_schema = std::fs::read_to_string(dir.path().join("src/schema.rs")).unwrap();
    let mut push_points = stop_push(dir.path(), &template, &final_schema);
    push_points += stop_push(
        dir.path(),
        &template,
        &final_schema.replacen("pub score: i64", "pub score: i64,\n    pub late: Option<String>", 1),
    );
    let rows = support::rows(
        &template,
        "SELECT (SELECT count(*) FROM parent) + (SELECT count(*) FROM child)",
    )[0]
    .clone();
    eprintln!(
        "FIGURE migrate of {} migrations over {rows} rows stopped at {migrate_points} points (boundaries reached, \
         migrations applied → stops: {reached:?}); push stopped at {push_points} points; rows lost: 0",
        total - 1
    );
    assert!(
        migrate_points + push_points >= 100,
        "{migrate_points} + {push_points} points"
    );
}

// ---------------------------------------------------------------------------------------
// Full disks

/// A small file system to fill: a tmpfs when this process may mount one (root), else `None`
/// and the tests limit file sizes instead (RLIMIT_FSIZE).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(bytes: u64) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Bytes free.
    fn free(&self) -> u64 {
        let out = Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(self.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    /// Fills the disk so that `free` bytes stay free (to the page).
    fn leave(&self, free: u64) {
        let filler = self.path().join("filler");
        let _ = std::fs::remove_file(&filler);
        let fill = self.free().saturating_sub(free);
        let f = std::fs::File::create(&filler).unwrap();
        // tmpfs allocates pages as they are written.
        use std::io::Write as _;
        let mut w = std::io::BufWriter::new(f);
        let chunk = vec![0u8; 65536];
        let mut left = fill;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            if w.write_all(&chunk[..n]).is_err() {
                break;
            }
            left -= n as u64;
        }
        let _ = w.flush();
    }

    fn unfill(&self) {
        let _ = std::fs::remove_file(self.path().join("filler"));
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// `schema ARGS` in `dir` with every file it writes limited to `limit` bytes (SIGXFSZ ignored,
/// so the write fails with EFBIG as on a full disk).
fn run_limited(dir: &Path, args: &[&str], limit: u64) -> (Option<i32>, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("trap '' XFSZ; exec prlimit --fsize={limit} -- \"$0\" \"$@\""))
        .arg(support::schema_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn generate_and_migrate_on_a_full_disk_change_nothing_and_finish_once_there_is_room() {
    let tables = 120;
    let src = big_schema(tables, 0);
    // What a whole first generate writes.
    let probe = tempfile::tempdir().unwrap();
    write(&probe.path().join("src/schema.rs"), &src);
    ok(probe.path(), &["generate"]);
    let written: u64 = [
        "migrations/0000_init.sql",
        "migrations/meta/0000_snapshot.json",
        "migrations/meta/_journal.json",
    ]
    .iter()
    .map(|f| std::fs::metadata(probe.path().join(f)).unwrap().len())
    .sum();
    let largest = std::fs::metadata(probe.path().join("migrations/meta/0000_snapshot.json"))
        .unwrap()
        .len();

    let disk = SmallDisk::mount(16 << 20);
    let how = if disk.is_some() { "a full tmpfs" } else { "RLIMIT_FSIZE" };
    let points = 24u64;
    let mut failed = 0;
    for i in 0..points {
        let what = format!("generate with {how}, point {i}");
        let dir;
        let (code, err) = match &disk {
            Some(d) => {
                dir = d.path().join(format!("p{i}"));
                std::fs::create_dir_all(&dir).unwrap();
                write(&dir.join("src/schema.rs"), &src);
                // From nothing free to all of it, twice what a run writes (temporary files).
                d.leave(written * 2 * i / points);
                let r = run(&dir, &["generate"], None);
                d.unfill();
                r
            }
            None => {
                dir = probe.path().join(format!("p{i}"));
                write(&dir.join("src/schema.rs"), &src);
                run_limited(&dir, &["generate"], largest * i / points)
            }
        };
        if code != Some(0) {
            failed += 1;
            assert_eq!(code, Some(2), "{what}: {err}");
            assert!(err.contains("cannot write"), "{what}: {err}");
        }
        if dir.join("migrations").exists() {
            sound(&dir, &what);
        }
        assert!(tags(&dir).len() <= 1);
        let (code, err) = run(&dir, &["generate"], None);
        assert_eq!(code, Some(0), "{what}, then with room: {err}");
        assert_eq!(tags(&dir), ["0000_init"], "{what}");
        sound(&dir, &format!("{what}, then with room"));
    }

    // migrate on a full disk: SQLite's own journal keeps the database whole.
    let project = tempfile::tempdir().unwrap();
    let (template, total) = project_with_pending(project.path());
    let reference = boundaries(project.path(), &template, total);
    let db_size = std::fs::metadata(&template).unwrap().len();
    let mut migrate_failed = 0;
    for i in 0..points {
        let what = format!("migrate with {how}, point {i}");
        let (code, err, db) = match &disk {
            Some(d) => {
                let dir = d.path().join(format!("m{i}"));
                copy_dir(&project.path().join("migrations"), &dir.join("migrations"));
                std::fs::copy(&template, dir.join("app.db")).unwrap();
                d.leave(db_size * 3 * i / points);
                let (code, err) = run(&dir, &["migrate"], None);
                d.unfill();
                (code, err, dir.join("app.db"))
            }
            None => {
                let dir = project.path().join(format!("m{i}"));
                copy_dir(&project.path().join("migrations"), &dir.join("migrations"));
                std::fs::copy(&template, dir.join("app.db")).unwrap();
                let (code, err) = run_limited(&dir, &["migrate"], db_size + db_size * i / points);
                (code, err, dir.join("app.db"))
            }
        };
        if code != Some(0) {
            migrate_failed += 1;
            assert_eq!(code, Some(3), "{what}: {err}");
        }
        assert_eq!(integrity(&db), "ok", "{what}");
        let k = applied(&db);
        same_state(&state(&db), &reference[k - 1], &what);
        let dir = db.parent().unwrap();
        let (code, err) = run(dir, &["migrate"], None);
        assert_eq!(code, Some(0), "{what}, then with room: {err}");
        same_state(&state(&db), &reference[total - 1], &format!("{what}, then with room"));
    }
    eprintln!(
        "FIGURE full disk ({how}): generate of {tables} tables at {points} fill levels ({failed} refused with \
         `cannot write`), migrate at {points} fill levels ({migrate_failed} stopped by SQLITE_FULL); every folder \
         sound, every database whole at a boundary, every next run complete"
    );
    assert!(failed > 0 && migrate_failed > 0, "the disk was full at some points");
}

#[test]
fn a_file_in_the_migrations_place_is_the_error_even_when_its_snapshot_cannot_be_written() {
    // The snapshot is written while the migration is planned, before the check for files in
    // its place: a file already there is still what generate reports, not the full disk.
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("src/schema.rs"), &big_schema(6, 0));
    ok(dir.path(), &["generate"]);
    // The tag the change gets, from a copy of the project.
    let probe = tempfile::tempdir().unwrap();
    copy_dir(dir.path(), probe.path());
    write(&probe.path().join("src/schema.rs"), &big_schema(6, 1));
    ok(probe.path(), &["generate"]);
    let tag = tags(probe.path()).pop().unwrap();

    write(&dir.path().join("src/schema.rs"), &big_schema(6, 1));
    let stray = dir.path().join(format!("migrations/{tag}.sql"));
    write(&stray, "-- somebody's\n");
    let before = std::fs::read_to_string(dir.path().join("migrations/meta/_journal.json")).unwrap();
    let (code, err) = run_limited(dir.path(), &["generate"], 300);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&stray).unwrap(), "-- somebody's\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("migrations/meta/_journal.json")).unwrap(),
        before
    );
    // Without the stray file, the same limit is the full disk's error, and nothing is left.
    std::fs::remove_file(&stray).unwrap();
    let (code, err) = run_limited(dir.path(), &["generate"], 300);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot write") && err.contains("snapshot"), "{err}");
    assert_eq!(tags(dir.path()).len(), 1);
    sound(dir.path(), "after the full disk");
}
