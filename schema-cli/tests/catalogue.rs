//! The catalogue of bad inputs and faults: one row a case, each row its own test, each saying
//! what the user did, the exit code and what the user sees, and checking what was left on
//! disk. `docs/CATALOGUE.md` is written from these rows as they run
//! (`SCHEMA_BLESS=1 cargo test -p schema-cli --test catalogue`), and a test keeps it current.

mod support;

use std::path::Path;

use support::{Project, Run, rows};

/// One case: a project made by `setup`, a command, and what must come of it.
struct Case {
    /// The bad input or fault, in words.
    what: &'static str,
    /// Files and state before the command.
    setup: fn(&Project),
    /// The command.
    cmd: Cmd,
    /// Its exit code.
    code: i32,
    /// Text that must appear in its output (stdout and stderr).
    shows: &'static [&'static str],
    /// Text that must not (a password, a panic).
    hides: &'static [&'static str],
    /// Checks on what it left behind.
    after: fn(&Project),
}

enum Cmd {
    /// `schema ARGS` in the project folder.
    Schema(&'static [&'static str]),
    /// `schema ARGS` in a subfolder of it.
    In(&'static str, &'static [&'static str]),
    /// `schema ARGS` with environment variables.
    Env(&'static [&'static str], &'static [(&'static str, &'static str)]),
    /// A shell script, `$SCHEMA` the binary.
    Sh(&'static str),
}

impl Cmd {
    fn shown(&self) -> String {
        match self {
            Cmd::Schema(a) => format!("schema {}", a.join(" ")),
            Cmd::In(dir, a) => format!("(in {dir}/) schema {}", a.join(" ")),
            Cmd::Env(a, env) => format!(
                "{} schema {}",
                env.iter()
                    .map(|(k, v)| format!("{k}={v:?}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                a.join(" ")
            ),
            Cmd::Sh(s) => s.replace("$SCHEMA", "schema"),
        }
    }

    fn run(&self, p: &Project) -> Run {
        match self {
            Cmd::Schema(a) => p.run(a),
            Cmd::In(dir, a) => p.run_in(dir, a, &[]),
            Cmd::Env(a, env) => p.run_env(a, env),
            Cmd::Sh(s) => p.sh(s, &[]),
        }
    }
}

fn nothing(_: &Project) {}

const NO: &[&str] = &["panicked", "RUST_BACKTRACE"];

/// Runs a case and checks it; returns what the user saw, for the catalogue.
fn check(name: &str, case: &Case) -> String {
    let p = Project::new();
    (case.setup)(&p);
    let run = case.cmd.run(&p);
    let all = format!("{}{}", run.stdout(), run.stderr());
    assert_eq!(
        run.code(),
        case.code,
        "{name}: exit code\nstdout:\n{}\nstderr:\n{}",
        run.stdout(),
        run.stderr()
    );
    for s in case.shows {
        assert!(all.contains(s), "{name}: expected {s:?} in:\n{all}");
    }
    for s in case.hides.iter().chain(NO) {
        assert!(!all.contains(s), "{name}: {s:?} must not appear in:\n{all}");
    }
    (case.after)(&p);
    seen(&p, &run)
}

/// The line a user reads first: the error, else the last line of output; the project's
/// temporary path and timings made stable.
fn seen(p: &Project, run: &Run) -> String {
    let err = run.stderr();
    let out = run.stdout();
    let line = err
        .lines()
        .find(|l| l.starts_with("error"))
        .or_else(|| err.lines().find(|l| l.starts_with("warning")))
        .or_else(|| out.lines().rfind(|l| !l.trim().is_empty()))
        .unwrap_or("")
        .to_string();
    let root = p.dir.path().to_string_lossy().into_owned();
    let line = line.replace(&root, "<project>");
    // Timings vary: "in 1.2 ms" is said as "in N ms".
    let words: Vec<&str> = line.split(' ').collect();
    let stable: Vec<&str> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let timing = words.get(i + 1).is_some_and(|n| n.starts_with("ms"))
                && !w.is_empty()
                && w.chars().all(|c| c.is_ascii_digit() || c == '.');
            if timing { "N" } else { w }
        })
        .collect();
    stable.join(" ").replace('|', "\\|")
}

// ---------------------------------------------------------------------------------------
// Fixtures

const USERS: &str = "use schema_core::Table;\n\n#[derive(Table)]\n#[table(name = \"users\")]\npub struct User {\n    #[column(primary_key)]\n    pub id: i64,\n    pub name: String,\n}\n";

fn users(p: &Project) {
    p.write("src/schema.rs", USERS);
}

fn generated(p: &Project) {
    users(p);
    p.run(&["generate"]).expect(0);
}

fn migrated(p: &Project) {
    generated(p);
    p.run(&["migrate"]).expect(0);
    std::fs::write(p.path("victim.sql"), "DELETE FROM users;").unwrap();
}

/// The journal with its one entry's tag replaced by `tag`.
fn retag(p: &Project, tag: &str) {
    let j = p.read("migrations/meta/_journal.json");
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    let old = v["entries"][0]["tag"].as_str().unwrap().to_string();
    let quoted = serde_json::to_string(tag).unwrap();
    p.write(
        "migrations/meta/_journal.json",
        &j.replace(&format!("\"{old}\""), &quoted),
    );
}

/// A database with rows, and the file a traversal would run.
fn with_outside_file(p: &Project) {
    migrated(p);
    p.run(&["migrate"]).expect(0);
    let db = p.path("app.db");
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute("INSERT INTO users VALUES (1, 'ada')", []).unwrap();
    std::fs::create_dir_all(p.path("outside")).unwrap();
    std::fs::write(p.path("outside/evil.sql"), "DELETE FROM users;").unwrap();
}

fn one_user_left(p: &Project) {
    assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM users"), ["1"]);
}

fn outside_file_kept(p: &Project) {
    assert!(
        p.exists("outside/evil.sql"),
        "the file outside the folder is still there"
    );
}

fn no_app_db(p: &Project) {
    assert!(!p.exists("app.db"), "no database was created");
}

fn add_bio(p: &Project) {
    p.write(
        "src/schema.rs",
        &USERS.replace("pub name: String,", "pub name: String,\n    pub bio: Option<String>,"),
    );
}

/// A custom migration holding `sql`, after the first one.
fn custom(p: &Project, sql: &str) {
    generated(p);
    p.run(&["generate", "--custom", "--name", "hand"]).expect(0);
    let path = std::fs::read_dir(p.path("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.to_string_lossy().ends_with("_hand.sql"))
        .unwrap();
    std::fs::write(path, sql).unwrap();
}

fn users_table_absent_or_empty(p: &Project) {
    if p.exists("app.db") {
        let tracked = rows(
            &p.path("app.db"),
            "SELECT count(*) FROM sqlite_master WHERE name = '__drizzle_migrations'",
        );
        if tracked == ["1"] {
            assert_eq!(
                rows(
                    &p.path("app.db"),
                    "SELECT count(*) FROM __drizzle_migrations WHERE tag LIKE '%hand%'"
                ),
                ["0"],
                "the refused migration has no tracking row"
            );
        }
    }
}

fn fts(p: &Project) {
    custom(
        p,
        "CREATE VIRTUAL TABLE docs USING fts5(body);--> statement-breakpoint\nINSERT INTO docs(body) VALUES ('hello world');",
    );
    p.run(&["migrate"]).expect(0);
}

fn fts_still_works(p: &Project) {
    assert_eq!(
        rows(&p.path("app.db"), "SELECT count(*) FROM docs WHERE docs MATCH 'hello'"),
        ["1"]
    );
}

fn db(p: &Project, sql: &str) {
    rusqlite::Connection::open(p.path("app.db"))
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

fn fifo(p: &Project, rel: &str) {
    let path = p.path(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let ok = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo");
}

fn deep(p: &Project, open: &str, close: &str) {
    p.write(
        "src/schema.rs",
        &format!(
            "{USERS}\nfn f() -> i64 {{ let x: i64 = {}1{}; x }}\n",
            open.repeat(3000),
            close.repeat(3000)
        ),
    );
}

fn path_untouched(p: &Project, rel: &str, text: &str) {
    assert_eq!(p.read(rel), text, "{rel} was changed");
}

// ---------------------------------------------------------------------------------------
// The catalogue

macro_rules! catalogue {
    ($($name:ident: $case:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name), &$case);
            }
        )*
        /// Every case, in order, for the document.
        const CASES: &[(&str, fn() -> Case)] = &[$((stringify!($name), || $case)),*];
    };
}

catalogue! {
    // 1. Tags are file names, never paths.
    tag_with_parent_dir_is_not_run: Case {
        what: "journal tag `../outside/evil` (a file outside the folder that deletes every row)",
        setup: |p| { with_outside_file(p); retag(p, "../outside/evil"); },
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["not a safe file name", "no dots, so no `..`"], hides: &[],
        after: |p| { one_user_left(p); outside_file_kept(p); },
    };
    tag_absolute_is_not_dropped: Case {
        what: "journal tag that is an absolute path, then `drop`",
        setup: |p| { with_outside_file(p); let abs = p.path("outside/evil").to_string_lossy().into_owned(); retag(p, &abs); },
        cmd: Cmd::Schema(&["drop"]), code: 2,
        shows: &["not a safe file name"], hides: &[],
        after: outside_file_kept,
    };
    tag_traversal_in_status: Case {
        what: "journal tag `0000_../../x`, then `status`",
        setup: |p| { migrated(p); retag(p, "0000_../../x"); },
        cmd: Cmd::Schema(&["status"]), code: 2,
        shows: &["not a safe file name", "no dots"], hides: &[],
        after: nothing,
    };
    tag_traversal_in_check: Case {
        what: "journal tag with a backslash, then `check`",
        setup: |p| { generated(p); retag(p, "0000_a\\b"); },
        cmd: Cmd::Schema(&["check"]), code: 2,
        shows: &["not a safe file name"], hides: &[],
        after: nothing,
    };
    tag_traversal_in_generate: Case {
        what: "journal tag `/etc/passwd`, then `generate`",
        setup: |p| { generated(p); retag(p, "/etc/passwd"); add_bio(p); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["not a safe file name"], hides: &[],
        after: |p| assert!(!p.exists("migrations/0001_users_add_bio.sql")),
    };
    tag_with_nul_byte: Case {
        what: "journal tag holding a NUL character",
        setup: |p| { generated(p); retag(p, "0000_a\u{0}b"); },
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["control character"], hides: &[],
        after: no_app_db,
    };
    tag_without_number: Case {
        what: "journal tag `init` (no number)",
        setup: |p| { generated(p); retag(p, "init"); },
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["a tag is a number"], hides: &[],
        after: no_app_db,
    };
    table_name_with_slash_makes_a_safe_tag: Case {
        what: "`#[table(name = \"a/b\")]`: the default tag comes from the table name",
        setup: |p| { p.write("src/schema.rs", &USERS.replace("name = \"users\"", "name = \"a/b\"")); },
        cmd: Cmd::Schema(&["generate"]), code: 0,
        shows: &["0000_create_a_b.sql"], hides: &[],
        after: |p| { assert!(p.exists("migrations/0000_create_a_b.sql")); assert!(!p.exists("migrations/0000_create_a")); },
    };
    name_flag_with_dots_is_refused: Case {
        what: "`generate --name ../evil`",
        setup: |p| { generated(p); add_bio(p); },
        cmd: Cmd::Schema(&["generate", "--name", "../evil"]), code: 2,
        shows: &["invalid --name"], hides: &[],
        after: |p| assert!(!p.exists("evil.sql")),
    };

    // 2–3. Folder writes: never in place, never over a file generate did not write.
    untracked_sql_is_not_replaced: Case {
        what: "an untracked `0001_users_add_bio.sql` with hand-written SQL (a teammate's) where generate would write",
        setup: |p| { generated(p); p.write("migrations/0001_users_add_bio.sql", "-- mine\nSELECT 1;"); add_bio(p); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["0001_users_add_bio.sql already exists and is not in the journal"], hides: &[],
        after: |p| { path_untouched(p, "migrations/0001_users_add_bio.sql", "-- mine\nSELECT 1;"); assert!(!p.read("migrations/meta/_journal.json").contains("0001")); },
    };
    untracked_snapshot_is_not_replaced: Case {
        what: "an untracked `meta/0001_snapshot.json` where generate would write",
        setup: |p| { generated(p); p.write("migrations/meta/0001_snapshot.json", "{}"); add_bio(p); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["0001_snapshot.json already exists"], hides: &[],
        after: |p| path_untouched(p, "migrations/meta/0001_snapshot.json", "{}"),
    };
    missing_journal_beside_migrations: Case {
        what: "`meta/_journal.json` deleted, snapshots and SQL still there",
        setup: |p| { generated(p); std::fs::remove_file(p.path("migrations/meta/_journal.json")).unwrap(); add_bio(p); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["there is no journal, but the folder holds migrations"], hides: &[],
        after: |p| assert!(p.exists("migrations/meta/0000_snapshot.json")),
    };
    journal_last_entry_not_highest: Case {
        what: "a journal whose last entry is not its highest idx",
        setup: |p| {
            generated(p); add_bio(p); p.run(&["generate"]).expect(0);
            let j = p.read("migrations/meta/_journal.json");
            let mut v: serde_json::Value = serde_json::from_str(&j).unwrap();
            v["entries"].as_array_mut().unwrap().reverse();
            p.write("migrations/meta/_journal.json", &serde_json::to_string_pretty(&v).unwrap());
            p.write("src/schema.rs", &p.read("src/schema.rs").replace("pub bio", "pub bio2: Option<String>,\n    pub bio"));
        },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["is not its highest"], hides: &[],
        after: |p| assert!(!p.exists("migrations/meta/0002_snapshot.json") && !p.exists("migrations/meta/0000_snapshot.json.tmp")),
    };
    journal_idx_at_u32_max: Case {
        what: "a journal entry with idx 4294967295 (the next would wrap to 0 and overwrite it)",
        setup: |p| {
            generated(p);
            let j = p.read("migrations/meta/_journal.json").replace("\"idx\": 0", "\"idx\": 4294967295");
            p.write("migrations/meta/_journal.json", &j);
            std::fs::rename(p.path("migrations/meta/0000_snapshot.json"), p.path("migrations/meta/4294967295_snapshot.json")).unwrap();
            add_bio(p);
        },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["the highest possible idx"], hides: &[],
        after: |p| assert!(!p.exists("migrations/meta/0000_snapshot.json")),
    };
    journal_not_json: Case {
        what: "a journal that is not JSON",
        setup: |p| { generated(p); p.write("migrations/meta/_journal.json", "{ not json"); },
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["_journal.json is not a valid drizzle-kit journal"], hides: &[],
        after: no_app_db,
    };
    journal_truncated_mid_string: Case {
        what: "a journal cut off mid-string (as a full disk left it, before atomic writes)",
        setup: |p| { generated(p); let j = p.read("migrations/meta/_journal.json"); p.write("migrations/meta/_journal.json", &j[..j.len() / 2]); },
        cmd: Cmd::Schema(&["status"]), code: 2,
        shows: &["is not a valid drizzle-kit journal"], hides: &[],
        after: nothing,
    };
    journal_of_another_version: Case {
        what: "a journal of version \"5\"",
        setup: |p| { generated(p); let j = p.read("migrations/meta/_journal.json").replace("\"version\": \"7\"", "\"version\": \"5\""); p.write("migrations/meta/_journal.json", &j); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["unsupported journal (version \"5\""], hides: &[],
        after: nothing,
    };
    journal_of_another_dialect: Case {
        what: "a PostgreSQL journal read with the sqlite dialect",
        setup: |p| { generated(p); let j = p.read("migrations/meta/_journal.json").replace("\"sqlite\"", "\"postgresql\""); p.write("migrations/meta/_journal.json", &j); add_bio(p); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["dialect \"postgresql\"", "expected version \"7\" and dialect \"sqlite\""], hides: &[],
        after: nothing,
    };
    missing_snapshot_of_last_entry: Case {
        what: "the last entry's snapshot deleted",
        setup: |p| { generated(p); std::fs::remove_file(p.path("migrations/meta/0000_snapshot.json")).unwrap(); add_bio(p); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["cannot read", "0000_snapshot.json"], hides: &[],
        after: nothing,
    };
    snapshot_not_json: Case {
        what: "a snapshot that is not JSON",
        setup: |p| { generated(p); p.write("migrations/meta/0000_snapshot.json", "[1,"); add_bio(p); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["0000_snapshot.json is not a valid drizzle-kit snapshot"], hides: &[],
        after: nothing,
    };
    interrupted_write_is_not_a_problem_for_check: Case {
        what: "a generate killed after placing its SQL but before the journal (its intent record left behind)",
        setup: |p| {
            generated(p);
            p.write("migrations/0001_users_add_bio.sql", "ALTER TABLE `users` ADD `bio` text;");
            p.write("migrations/meta/.schema-write.json", "{\"op\":\"add\",\"tag\":\"0001_users_add_bio\",\"files\":[\"0001_users_add_bio.sql\",\"meta/0001_snapshot.json\"]}");
        },
        cmd: Cmd::Schema(&["check"]), code: 0,
        shows: &["ok:"], hides: &[],
        after: nothing,
    };
    interrupted_write_is_undone_by_the_next_generate: Case {
        what: "the same leftovers, then `generate` with the change",
        setup: |p| {
            generated(p);
            p.write("migrations/0001_users_add_bio.sql", "half");
            p.write("migrations/meta/.schema-write.json", "{\"op\":\"add\",\"tag\":\"0001_users_add_bio\",\"files\":[\"0001_users_add_bio.sql\",\"meta/0001_snapshot.json\"]}");
            p.write("migrations/.0001_users_add_bio.sql.tmp-99", "partial");
            add_bio(p);
        },
        cmd: Cmd::Schema(&["generate"]), code: 0,
        shows: &["Wrote migrations/0001_users_add_bio.sql"], hides: &[],
        after: |p| {
            assert!(p.read("migrations/0001_users_add_bio.sql").contains("ADD `bio`"));
            assert!(!p.exists("migrations/meta/.schema-write.json") && !p.exists("migrations/.0001_users_add_bio.sql.tmp-99"));
            p.run(&["check"]).expect(0);
        },
    };
    interrupted_drop_is_finished: Case {
        what: "a drop killed after rewriting the journal, before removing its files",
        setup: |p| {
            generated(p); add_bio(p); p.run(&["generate"]).expect(0);
            let j = p.read("migrations/meta/_journal.json");
            let mut v: serde_json::Value = serde_json::from_str(&j).unwrap();
            v["entries"].as_array_mut().unwrap().pop();
            p.write("migrations/meta/_journal.json", &serde_json::to_string_pretty(&v).unwrap());
            p.write("migrations/meta/.schema-write.json", "{\"op\":\"drop\",\"tag\":\"0001_users_add_bio\",\"files\":[\"0001_users_add_bio.sql\",\"meta/0001_snapshot.json\"]}");
        },
        cmd: Cmd::Schema(&["generate"]), code: 0,
        shows: &["0001_users_add_bio.sql"], hides: &[],
        after: |p| { assert!(!p.exists("migrations/meta/.schema-write.json")); p.run(&["check"]).expect(0); },
    };

    // 4. One URL parser; never the wrong database.
    sqlx_url_with_mode: Case {
        what: "`--url sqlite:app.db?mode=rwc` (sqlx's form)",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--url", "sqlite:app.db?mode=rwc"]), code: 0,
        shows: &["applied 0000_create_users"], hides: &[],
        after: |p| { assert!(p.exists("app.db")); assert!(!p.exists("app.db?mode=rwc")); },
    };
    file_uri_read_only_refuses_migrate: Case {
        what: "`--url file:app.db?mode=ro` for migrate",
        setup: |p| { migrated(p); add_bio(p); p.run(&["generate"]).expect(0); },
        cmd: Cmd::Schema(&["migrate", "--url", "file:app.db?mode=ro"]), code: 2,
        shows: &["opened read-only by its URL (mode=ro)"], hides: &[],
        after: |p| { assert!(!p.exists("app.db?mode=ro")); assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'bio'"), ["0"]); },
    };
    file_uri_read_only_serves_status: Case {
        what: "`--url file:app.db?mode=ro` for status",
        setup: migrated,
        cmd: Cmd::Schema(&["status", "--url", "file:app.db?mode=ro"]), code: 0,
        shows: &["applied"], hides: &[],
        after: |p| assert!(!p.exists("app.db?mode=ro")),
    };
    sqlite_url_empty_path: Case {
        what: "`--url sqlite://` (no path: a temporary database)",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--url", "sqlite://"]), code: 2,
        shows: &["names a temporary database"], hides: &[],
        after: no_app_db,
    };
    memory_url: Case {
        what: "`--url :memory:`",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--url", ":memory:"]), code: 2,
        shows: &["names a temporary database"], hides: &[],
        after: no_app_db,
    };
    empty_url: Case {
        what: "`--url \"\"`",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--url", ""]), code: 2,
        shows: &["names a temporary database"], hides: &[],
        after: no_app_db,
    };
    memory_mode_url: Case {
        what: "`--url file:x.db?mode=memory`",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--url", "file:x.db?mode=memory"]), code: 2,
        shows: &["names a temporary database"], hides: &[],
        after: |p| assert!(!p.exists("x.db")),
    };
    file_url_in_config_resolves_against_the_config: Case {
        what: "`url = \"file:data/app.db\"` in `conf/schema.toml`, run from the project root",
        setup: |p| {
            p.write("conf/schema.toml", "schema = \"../src/schema.rs\"\nout = \"../migrations\"\n[database]\nurl = \"file:data/app.db\"\n");
            std::fs::create_dir_all(p.path("conf/data")).unwrap();
            generated(p);
        },
        cmd: Cmd::Schema(&["--config", "conf/schema.toml", "migrate"]), code: 0,
        shows: &["applied"], hides: &[],
        after: |p| { assert!(p.exists("conf/data/app.db")); assert!(!p.exists("data/app.db")); },
    };
    postgres_url_on_sqlite_hides_the_password: Case {
        what: "`--url postgres://me:s3cret@db/app` with the sqlite dialect",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--url", "postgres://me:s3cret@db/app"]), code: 2,
        shows: &["is a PostgreSQL URL", "me:***@db"], hides: &["s3cret"],
        after: nothing,
    };
    mysql_url_is_not_supported: Case {
        what: "`DATABASE_URL=mysql://root:hunter2@db/app`",
        setup: generated,
        cmd: Cmd::Env(&["migrate"], &[("DATABASE_URL", "mysql://root:hunter2@db/app")]), code: 2,
        shows: &["is for mysql, which is not supported (yet)"], hides: &["hunter2"],
        after: nothing,
    };
    absolute_sqlite_url: Case {
        what: "`sqlite:///<abs>/other.db`",
        setup: generated,
        cmd: Cmd::Sh("$SCHEMA migrate --url \"sqlite://$PWD/other.db\""), code: 0,
        shows: &["applied"], hides: &[],
        after: |p| assert!(p.exists("other.db")),
    };
    percent_encoded_file_uri: Case {
        what: "`file:` URI with a `%20` in its path",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--url", "file:my%20app.db"]), code: 0,
        shows: &["applied"], hides: &[],
        after: |p| assert!(p.exists("my app.db")),
    };
    rw_mode_does_not_create: Case {
        what: "`--url file:new.db?mode=rw` on a database that does not exist",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--url", "file:new.db?mode=rw"]), code: 2,
        shows: &["no database at new.db"], hides: &[],
        after: |p| assert!(!p.exists("new.db")),
    };
    empty_database_url_env_falls_back_to_the_config: Case {
        what: "`DATABASE_URL=\"\"` (set but empty)",
        setup: |p| { p.write("schema.toml", "[database]\nurl = \"cfg.db\"\n"); generated(p); },
        cmd: Cmd::Env(&["migrate"], &[("DATABASE_URL", "")]), code: 0,
        shows: &["applied"], hides: &[],
        after: |p| assert!(p.exists("cfg.db")),
    };
    unknown_file_uri_host: Case {
        what: "`file://server/share/app.db` (a file on another machine)",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--url", "file://server/share/app.db"]), code: 2,
        shows: &["names a file on this machine, not on `server`"], hides: &[],
        after: nothing,
    };

    // 5. Commands that read never create.
    status_on_mistyped_path: Case {
        what: "`status --url apps.db` (a typo)",
        setup: migrated,
        cmd: Cmd::Schema(&["status", "--url", "apps.db"]), code: 0,
        shows: &["no database at apps.db"], hides: &[],
        after: |p| assert!(!p.exists("apps.db")),
    };
    dry_run_on_missing_database: Case {
        what: "`migrate --dry-run` before the database exists",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--dry-run"]), code: 0,
        shows: &["app.db does not exist yet", "would apply 0000_create_users"], hides: &[],
        after: no_app_db,
    };
    push_dry_run_on_missing_database: Case {
        what: "`push --dry-run` before the database exists",
        setup: users,
        cmd: Cmd::Schema(&["push", "--dry-run"]), code: 0,
        shows: &["push would create it", "CREATE TABLE `users`"], hides: &[],
        after: no_app_db,
    };
    check_url_on_missing_database: Case {
        what: "`check --url nope.db`",
        setup: generated,
        cmd: Cmd::Schema(&["check", "--url", "nope.db"]), code: 1,
        shows: &["no database at nope.db"], hides: &[],
        after: |p| assert!(!p.exists("nope.db")),
    };
    drop_checks_without_creating: Case {
        what: "`drop` with the configured database missing",
        setup: |p| { generated(p); add_bio(p); p.run(&["generate"]).expect(0); },
        cmd: Cmd::Schema(&["drop", "--yes"]), code: 0,
        shows: &["Dropped 0001_users_add_bio"], hides: &[],
        after: no_app_db,
    };
    pull_of_a_missing_database: Case {
        what: "`pull --url nothing.db`",
        setup: nothing,
        cmd: Cmd::Schema(&["pull", "--url", "nothing.db"]), code: 2,
        shows: &["no database at nothing.db"], hides: &[],
        after: |p| assert!(!p.exists("nothing.db")),
    };

    // 6. The wrong folder never looks like success.
    from_a_subfolder_the_config_above_is_used: Case {
        what: "`migrate` run from `src/` of a project with `schema.toml` at its root",
        setup: |p| { p.write("schema.toml", "[database]\nurl = \"app.db\"\n"); generated(p); },
        cmd: Cmd::In("src", &["migrate"]), code: 0,
        shows: &["applied 0000_create_users"], hides: &[],
        after: |p| { assert!(p.exists("app.db")); assert!(!p.exists("src/app.db")); },
    };
    no_config_and_no_folder: Case {
        what: "`migrate` in a folder with no `schema.toml` (here or above) and no migrations",
        setup: |p| { std::fs::create_dir_all(p.path("elsewhere")).unwrap(); },
        cmd: Cmd::In("elsewhere", &["migrate"]), code: 2,
        shows: &["no migrations folder at migrations", "no schema.toml was found"], hides: &["up to date"],
        after: |p| assert!(!p.exists("elsewhere/app.db")),
    };
    out_flag_typo: Case {
        what: "`migrate --out migrationz` (a typo)",
        setup: generated,
        cmd: Cmd::Schema(&["migrate", "--out", "migrationz"]), code: 2,
        shows: &["no migrations folder at migrationz"], hides: &["up to date"],
        after: no_app_db,
    };
    status_with_missing_folder: Case {
        what: "`status` with no migrations folder",
        setup: users,
        cmd: Cmd::Schema(&["status"]), code: 2,
        shows: &["no migrations folder"], hides: &[],
        after: no_app_db,
    };

    // 7. Statements that cannot run inside a migration's transaction.
    commit_in_custom_migration: Case {
        what: "a custom migration with `COMMIT;` between two statements",
        setup: |p| custom(p, "INSERT INTO users VALUES (1, 'a');--> statement-breakpoint\nCOMMIT;--> statement-breakpoint\nINSERT INTO users VALUES (2, 'b');"),
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["statement 2: COMMIT controls the transaction", "nothing was applied"], hides: &[],
        after: |p| { assert!(!p.exists("app.db") || rows(&p.path("app.db"), "SELECT count(*) FROM sqlite_master WHERE name='users'") == ["0"]); },
    };
    commit_hidden_after_a_statement: Case {
        what: "`UPDATE ..; COMMIT;` in one breakpoint piece",
        setup: |p| custom(p, "SELECT 1; COMMIT;"),
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["COMMIT controls the transaction"], hides: &[],
        after: users_table_absent_or_empty,
    };
    begin_in_custom_migration: Case {
        what: "`BEGIN TRANSACTION;` in a custom migration",
        setup: |p| custom(p, "BEGIN TRANSACTION;"),
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["BEGIN controls the transaction"], hides: &[],
        after: users_table_absent_or_empty,
    };
    nul_byte_in_custom_migration: Case {
        what: "a NUL byte in a custom migration (SQLite would stop reading there)",
        setup: |p| custom(p, "CREATE TABLE log (n text);\0\nDROP TABLE users;"),
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["it holds a NUL byte (at byte 26), where SQLite stops reading"], hides: &[],
        after: users_table_absent_or_empty,
    };
    rollback_in_custom_migration: Case {
        what: "`ROLLBACK;` in a custom migration",
        setup: |p| custom(p, "ROLLBACK;"),
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["ROLLBACK controls the transaction"], hides: &[],
        after: users_table_absent_or_empty,
    };
    savepoint_in_custom_migration: Case {
        what: "`SAVEPOINT s; RELEASE s;` in a custom migration",
        setup: |p| custom(p, "SAVEPOINT s; RELEASE s;"),
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["SAVEPOINT controls the transaction"], hides: &[],
        after: users_table_absent_or_empty,
    };
    vacuum_in_custom_migration: Case {
        what: "`VACUUM;` in a custom migration",
        setup: |p| custom(p, "VACUUM;"),
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["VACUUM cannot run inside a transaction"], hides: &[],
        after: users_table_absent_or_empty,
    };
    attach_in_custom_migration: Case {
        what: "`ATTACH 'other.db' AS o;` in a custom migration",
        setup: |p| custom(p, "ATTACH 'other.db' AS o;"),
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["ATTACH cannot run inside a transaction"], hides: &[],
        after: |p| assert!(!p.exists("other.db")),
    };
    foreign_keys_on_alone: Case {
        what: "`PRAGMA foreign_keys=ON;` alone in a custom migration",
        setup: |p| custom(p, "PRAGMA foreign_keys=ON;"),
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["PRAGMA foreign_keys may only frame a rebuild"], hides: &[],
        after: users_table_absent_or_empty,
    };
    journal_mode_in_custom_migration: Case {
        what: "`PRAGMA journal_mode=WAL;` in a custom migration",
        setup: |p| custom(p, "PRAGMA journal_mode=WAL;"),
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["PRAGMA journal_mode cannot change inside a transaction"], hides: &[],
        after: users_table_absent_or_empty,
    };
    commit_inside_a_string_is_data: Case {
        what: "`COMMIT;` inside a string literal and a comment (allowed)",
        setup: |p| custom(p, "INSERT INTO users VALUES (1, 'COMMIT;'); -- COMMIT;"),
        cmd: Cmd::Schema(&["migrate"]), code: 0,
        shows: &["applied 0001_hand"], hides: &[],
        after: |p| assert_eq!(rows(&p.path("app.db"), "SELECT name FROM users"), ["COMMIT;"]),
    };
    trigger_body_is_one_statement: Case {
        what: "a trigger with `BEGIN .. END` and `;` inside (allowed)",
        setup: |p| custom(p, "CREATE TABLE log (n text);--> statement-breakpoint\nCREATE TRIGGER t AFTER INSERT ON users BEGIN INSERT INTO log VALUES (new.name); END;"),
        cmd: Cmd::Schema(&["migrate"]), code: 0,
        shows: &["applied 0001_hand"], hides: &[],
        after: |p| { db(p, "INSERT INTO users VALUES (7, 'x')"); assert_eq!(rows(&p.path("app.db"), "SELECT n FROM log"), ["x"]); },
    };
    check_lists_forbidden_statements: Case {
        what: "`check` on a folder whose custom migration holds `COMMIT`",
        setup: |p| custom(p, "COMMIT;"),
        cmd: Cmd::Schema(&["check"]), code: 1,
        shows: &["0001_hand, statement 1: COMMIT"], hides: &[],
        after: nothing,
    };
    drizzle_rebuild_frame_is_allowed: Case {
        what: "drizzle-kit's `PRAGMA foreign_keys=OFF` .. `ON` frame around a hand-written rebuild",
        setup: |p| custom(p, "PRAGMA foreign_keys=OFF;--> statement-breakpoint\nCREATE TABLE `__new_users` (`id` integer PRIMARY KEY NOT NULL, `name` text NOT NULL);--> statement-breakpoint\nINSERT INTO `__new_users` SELECT * FROM `users`;--> statement-breakpoint\nDROP TABLE `users`;--> statement-breakpoint\nALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint\nPRAGMA foreign_keys=ON;"),
        cmd: Cmd::Schema(&["migrate"]), code: 0,
        shows: &["applied 0001_hand"], hides: &[],
        after: nothing,
    };

    // 8. SQLite's own tables and tables the schema does not own.
    fts_shadow_tables_are_not_drift: Case {
        what: "an FTS5 virtual table made by a custom migration, then `status`",
        setup: fts,
        cmd: Cmd::Schema(&["status"]), code: 0,
        shows: &["0 pending, 0 edited, 0 missing"], hides: &["differs", "docs_data"],
        after: nothing,
    };
    fts_shadow_tables_are_not_drift_for_check: Case {
        what: "the same, then `check --url app.db`",
        setup: fts,
        cmd: Cmd::Schema(&["check", "--url", "app.db"]), code: 0,
        shows: &["ok:"], hides: &["docs_"],
        after: nothing,
    };
    push_force_keeps_virtual_tables: Case {
        what: "`push --force` on a database with an FTS5 table the schema does not declare",
        setup: fts,
        cmd: Cmd::Schema(&["push", "--force"]), code: 0,
        shows: &["in sync with the schema"], hides: &["docs"],
        after: fts_still_works,
    };
    pull_keeps_virtual_tables_views_and_triggers: Case {
        what: "`pull` of a database with an FTS5 table, a view and a trigger",
        setup: |p| {
            db(p, "CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL); CREATE VIRTUAL TABLE search USING fts5(body); \
                   CREATE VIEW long_notes AS SELECT * FROM notes WHERE length(body) > 10; \
                   CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN INSERT INTO search(body) VALUES (new.body); END;");
        },
        cmd: Cmd::Schema(&["pull", "--url", "app.db", "--out-schema", "pulled.rs"]), code: 0,
        shows: &["3 view(s), trigger(s) and virtual table(s) kept as written"], hides: &["search_data", "SearchData"],
        after: |p| {
            let code = p.read("pulled.rs");
            assert!(code.contains("pub struct Note") && !code.contains("Search"), "{code}");
            let sql = std::fs::read_dir(p.path("migrations")).unwrap().map(|e| e.unwrap().path()).find(|f| f.extension().is_some_and(|x| x == "sql")).unwrap();
            let sql = std::fs::read_to_string(sql).unwrap();
            assert!(sql.contains("CREATE VIRTUAL TABLE search") && sql.contains("CREATE VIEW long_notes") && sql.contains("CREATE TRIGGER notes_ai"), "{sql}");
            // The baseline rebuilds the same objects in a new database.
            p.run(&["migrate", "--url", "fresh.db"]).expect(0);
            assert_eq!(rows(&p.path("fresh.db"), "SELECT count(*) FROM sqlite_master WHERE name IN ('search', 'long_notes', 'notes_ai')"), ["3"]);
        },
    };
    excluded_tables_are_not_drift: Case {
        what: "`[introspect] exclude = [\"legacy_*\"]` and a `legacy_orders` table in the database",
        setup: |p| { p.write("schema.toml", "[introspect]\nexclude = [\"legacy_*\"]\n"); migrated(p); db(p, "CREATE TABLE legacy_orders (id integer)"); },
        cmd: Cmd::Schema(&["status"]), code: 0,
        shows: &["0 missing"], hides: &["differs", "legacy_orders"],
        after: nothing,
    };
    excluded_tables_are_not_dropped_by_push: Case {
        what: "the same, then `push --force`",
        setup: |p| { p.write("schema.toml", "[introspect]\nexclude = [\"legacy_*\"]\n"); migrated(p); db(p, "CREATE TABLE legacy_orders (id integer); INSERT INTO legacy_orders VALUES (1)"); },
        cmd: Cmd::Schema(&["push", "--force"]), code: 0,
        shows: &["in sync"], hides: &["legacy"],
        after: |p| assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM legacy_orders"), ["1"]),
    };
    bad_exclude_glob: Case {
        what: "`[introspect] exclude = [\"[\"]` (not a glob)",
        setup: |p| { p.write("schema.toml", "[introspect]\nexclude = [\"[\"]\n"); users(p); },
        cmd: Cmd::Schema(&["status"]), code: 2,
        shows: &["is not a valid glob"], hides: &[],
        after: nothing,
    };

    // 9. A rebuild keeps the indexes custom migrations made.
    rebuild_keeps_a_hand_made_index: Case {
        what: "a custom index on `users`, then a change that rebuilds `users`",
        setup: |p| {
            custom(p, "CREATE INDEX users_name_hand ON users (name);");
            p.run(&["migrate"]).expect(0);
            p.write("src/schema.rs", &USERS.replace("pub name: String,", "#[column(default = \"x\")]\n    pub name: String,"));
        },
        cmd: Cmd::Sh("$SCHEMA generate && $SCHEMA migrate"), code: 0,
        shows: &["drops the index `users_name_hand`", "makes it again after the rebuild"], hides: &[],
        after: |p| assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM sqlite_master WHERE name = 'users_name_hand'"), ["1"]),
    };
    rebuild_loses_an_index_on_a_dropped_column: Case {
        what: "a custom index on a column that a rebuild drops",
        setup: |p| {
            p.write("src/schema.rs", &USERS.replace("pub name: String,", "pub name: String,\n    pub age: i64,"));
            p.run(&["generate"]).expect(0);
            p.run(&["generate", "--custom", "--name", "hand"]).expect(0);
            let f = std::fs::read_dir(p.path("migrations")).unwrap().map(|e| e.unwrap().path()).find(|f| f.to_string_lossy().ends_with("_hand.sql")).unwrap();
            std::fs::write(f, "CREATE INDEX users_age_hand ON users (age);").unwrap();
            p.run(&["migrate"]).expect(0);
            p.write("src/schema.rs", &USERS.replace("pub name: String,", "#[column(default = \"x\")]\n    pub name: String,"));
        },
        cmd: Cmd::Sh("$SCHEMA generate --drop users.age && $SCHEMA migrate"), code: 0,
        shows: &["loses the index `users_age_hand`", "it names `age`, which this migration drops", "is gone"], hides: &[],
        after: |p| assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM sqlite_master WHERE name = 'users_age_hand'"), ["0"]),
    };

    // 10. Tracking tables of the wrong shape.
    tracking_table_is_a_view: Case {
        what: "a view named `__drizzle_migrations`",
        setup: |p| { generated(p); db(p, "CREATE VIEW __drizzle_migrations AS SELECT 1 AS x"); },
        cmd: Cmd::Schema(&["migrate"]), code: 3,
        shows: &["the tracking table `__drizzle_migrations` is not one this migrator can use: it is a view", "hash text NOT NULL"], hides: &[],
        after: nothing,
    };
    tracking_table_without_hash: Case {
        what: "a `__drizzle_migrations` table without a `hash` column",
        setup: |p| { generated(p); db(p, "CREATE TABLE __drizzle_migrations (id integer, version text)"); },
        cmd: Cmd::Schema(&["status"]), code: 3,
        shows: &["it has no `hash` column (its columns: id, version)"], hides: &[],
        after: nothing,
    };
    tracking_row_without_hash: Case {
        what: "a tracking row whose hash is NULL",
        setup: |p| { generated(p); db(p, "CREATE TABLE __drizzle_migrations (id integer PRIMARY KEY, hash text, created_at numeric, tag text, applied_at text); INSERT INTO __drizzle_migrations (hash, tag) VALUES (NULL, '0000_x')"); },
        cmd: Cmd::Schema(&["migrate"]), code: 3,
        shows: &["its row 1 (id 1, tag 0000_x) has no hash"], hides: &[],
        after: nothing,
    };
    tracking_table_with_text_ids: Case {
        what: "a tracking table whose ids are text (rebuilt with real ids, rows kept)",
        setup: |p| {
            generated(p);
            let hash = { use sha2::Digest as _; let sql = p.read("migrations/0000_create_users.sql"); sha2::Sha256::digest(sql.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>() };
            db(p, &format!("CREATE TABLE __drizzle_migrations (id text PRIMARY KEY, hash text NOT NULL, created_at numeric); CREATE TABLE users (id integer PRIMARY KEY NOT NULL, name text NOT NULL); INSERT INTO __drizzle_migrations VALUES ('first', '{hash}', (SELECT 0))"));
            let when = serde_json::from_str::<serde_json::Value>(&p.read("migrations/meta/_journal.json")).unwrap()["entries"][0]["when"].as_i64().unwrap();
            db(p, &format!("UPDATE __drizzle_migrations SET created_at = {when}"));
        },
        cmd: Cmd::Schema(&["migrate"]), code: 0,
        shows: &["Nothing to apply"], hides: &[],
        after: |p| assert_eq!(rows(&p.path("app.db"), "SELECT typeof(id), count(*) FROM __drizzle_migrations"), ["integer|1"]),
    };

    // 11. Extremes.
    generics_nested_three_thousand_deep: Case {
        what: "a schema file with `Option<` nested 3000 deep",
        setup: |p| deep(p, "Option<", ">"),
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["src/schema.rs:", "nested more than 256 deep"], hides: &[],
        after: nothing,
    };
    parentheses_nested_three_thousand_deep: Case {
        what: "a schema file with parentheses nested 3000 deep",
        setup: |p| deep(p, "(", ")"),
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["nested more than 256 deep"], hides: &[],
        after: nothing,
    };
    fifo_in_schema_folder_is_skipped: Case {
        what: "a FIFO named `x.rs` in the schema folder",
        setup: |p| { users(p); fifo(p, "src/x.rs"); },
        cmd: Cmd::Schema(&["generate", "--schema", "src"]), code: 0,
        shows: &["0000_create_users.sql"], hides: &[],
        after: nothing,
    };
    fifo_named_as_schema_file: Case {
        what: "`--schema pipe.rs` where `pipe.rs` is a FIFO",
        setup: |p| fifo(p, "pipe.rs"),
        cmd: Cmd::Schema(&["generate", "--schema", "pipe.rs"]), code: 2,
        shows: &["pipe.rs: not a regular file"], hides: &[],
        after: nothing,
    };
    closed_stdout_on_push_verbose: Case {
        what: "`schema push --verbose | head -1` (stdout closed early)",
        setup: |p| { p.write("src/schema.rs", &format!("{USERS}{}", (0..1000).map(|i| format!("\n#[derive(Table)]\npub struct T{i} {{ #[column(primary_key)] pub id: i64, pub a: String, pub b: Option<String>, #[column(default = \"a long default to make the output longer than a pipe holds\")] pub c: String }}\n")).collect::<String>())); },
        cmd: Cmd::Sh("($SCHEMA push --verbose --force; echo \"schema exit $?\" >&2) | head -1"), code: 0,
        shows: &["changes to push", "schema exit 0"], hides: &["Broken pipe"],
        after: |p| assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 't%'"), ["1000"]),
    };
    closed_stdout_on_migrate: Case {
        what: "`schema migrate | head -1` over many migrations: every one still applied",
        setup: |p| { generated(p); for i in 0..30 { p.write("src/schema.rs", &USERS.replace("pub name: String,", &format!("pub name: String,\n{}", (0..=i).map(|j| format!("    pub c{j}: Option<i64>,\n")).collect::<String>()))); p.run(&["generate"]).expect(0); } },
        cmd: Cmd::Sh("$SCHEMA migrate | true; $SCHEMA status | tail -1"), code: 0,
        shows: &["31 migrations: 0 pending"], hides: &[],
        after: nothing,
    };

    // SQL in attributes is what its key says (issue 9): refused when the schema is read.
    where_with_a_second_statement: Case {
        what: "`#[index(columns(id), where = \"1; DELETE FROM users\")]`",
        setup: |p| { p.write("src/schema.rs", &USERS.replace("#[table(name = \"users\")]", "#[table(name = \"users\")]\n#[index(columns(id), where = \"1; DELETE FROM users\")]")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["src/schema.rs:5:", "`where` must be one SQL expression", "`;` ends the expression"], hides: &[],
        after: |p| assert!(!p.exists("migrations")),
    };
    default_sql_breaking_out: Case {
        what: "`default_sql = \"(0)); DROP TABLE victim; --\"`",
        setup: |p| { p.write("src/schema.rs", &USERS.replace("pub name: String,", "#[column(default_sql = \"(0)); DROP TABLE victim; --\")]\n    pub name: String,")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["`default_sql` must be one SQL expression"], hides: &[],
        after: nothing,
    };
    sql_type_with_a_second_column: Case {
        what: "`sql_type = \"text, injected blob\"`",
        setup: |p| { p.write("src/schema.rs", &USERS.replace("pub name: String,", "#[column(sql_type = \"text, injected blob\")]\n    pub name: String,")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["`sql_type` must be one type name", "found `,`"], hides: &[],
        after: nothing,
    };
    field_declared_twice: Case {
        what: "a field declared twice, under two column names (the compiler refuses it; the CLI reads without compiling)",
        setup: |p| { p.write("src/schema.rs", &USERS.replace("pub name: String,", "#[column(name = \"first\")]\n    pub name: String,\n    #[column(name = \"second\")]\n    pub name: String,")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["src/schema.rs:11:9", "the field `name` is declared twice"], hides: &[],
        after: |p| assert!(!p.exists("migrations")),
    };
    tables_differing_only_in_case: Case {
        what: "two structs for the tables `Users` and `users`",
        setup: |p| { p.write("src/schema.rs", &format!("{USERS}\n#[derive(Table)]\n#[table(name = \"Users\")]\npub struct Shout {{ #[column(primary_key)] pub id: i64 }}\n")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["differ only in case", "are one table in SQL"], hides: &[],
        after: nothing,
    };
    index_named_like_another_table: Case {
        what: "an index of `users` named `posts`, the name of another table",
        setup: |p| { p.write("src/schema.rs", &format!("{}\n#[derive(Table)]\n#[table(name = \"posts\")]\npub struct Post {{ #[column(primary_key)] pub id: i64 }}\n", USERS.replace("#[table(name = \"users\")]", "#[table(name = \"users\")]\n#[index(name = \"posts\", columns(name))]"))); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["the index `posts` of `users` has the name of the table `posts`"], hides: &[],
        after: nothing,
    };
    same_index_name_in_two_tables: Case {
        what: "two tables each with an index named `by_name`",
        setup: |p| { p.write("src/schema.rs", &format!("{}\n#[derive(Table)]\n#[index(name = \"BY_NAME\", columns(label))]\npub struct Post {{ #[column(primary_key)] pub id: i64, pub label: String }}\n", USERS.replace("#[table(name = \"users\")]", "#[table(name = \"users\")]\n#[index(name = \"by_name\", columns(name))]"))); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["both have an index named `BY_NAME`"], hides: &[],
        after: nothing,
    };
    implied_reference_to_a_table_without_key: Case {
        what: "`references = Log` where `Log` has no primary key",
        setup: |p| { p.write("src/schema.rs", &format!("{USERS}\n#[derive(Table)]\npub struct Log {{ pub line: String }}\n\n#[derive(Table)]\npub struct Entry {{ #[column(primary_key)] pub id: i64, #[column(references = Log)] pub log: String }}\n")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["src/schema.rs:15:78:", "`Log` has no primary key to reference"], hides: &[],
        after: nothing,
    };
    two_foreign_keys_of_one_name: Case {
        what: "two `#[foreign_key]`s that derive the same name",
        setup: |p| { p.write("src/schema.rs", &format!("{USERS}\n#[derive(Table)]\n#[foreign_key(columns(author), references = User)]\n#[foreign_key(columns(author), references = User, to(id), on_delete = \"cascade\")]\npub struct Post {{ #[column(primary_key)] pub id: i64, pub author: i64 }}\n")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["already has a foreign key named `post_author_users_id_fk`"], hides: &[],
        after: nothing,
    };
    foreign_key_pairs_do_not_match: Case {
        what: "`#[foreign_key(columns(a, b), references = User)]` where `User`'s key has one column",
        setup: |p| { p.write("src/schema.rs", &format!("{USERS}\n#[derive(Table)]\n#[foreign_key(columns(a, b), references = User)]\npub struct Post {{ #[column(primary_key)] pub id: i64, pub a: i64, pub b: i64 }}\n")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["the foreign key has 2 column(s), but the primary key of `User` has 1"], hides: &[],
        after: nothing,
    };
    table_named_like_the_tracking_table: Case {
        what: "`#[table(name = \"__drizzle_migrations\")]`",
        setup: |p| { p.write("src/schema.rs", &USERS.replace("name = \"users\"", "name = \"__drizzle_migrations\"")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["a table cannot be named `__drizzle_migrations`"], hides: &[],
        after: nothing,
    };
    infinite_float_default: Case {
        what: "`#[column(default = 1e999)]` on an `f64`",
        setup: |p| { p.write("src/schema.rs", &USERS.replace("pub name: String,", "pub name: String,\n    #[column(default = 1e999)]\n    pub score: f64,")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["1e999 is not a finite `f64`"], hides: &[],
        after: nothing,
    };

    // Other bad input, each with its exit code.
    config_with_unknown_key: Case {
        what: "`schema.toml` with an unknown key",
        setup: |p| { p.write("schema.toml", "outt = \"x\"\n"); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["schema.toml", "unknown field `outt`"], hides: &[],
        after: nothing,
    };
    named_config_missing: Case {
        what: "`--config nope.toml` that does not exist",
        setup: nothing,
        cmd: Cmd::Schema(&["--config", "nope.toml", "generate"]), code: 2,
        shows: &["cannot read the config file nope.toml"], hides: &[],
        after: nothing,
    };
    unknown_dialect: Case {
        what: "`dialect = \"mysql\"`",
        setup: |p| { p.write("schema.toml", "dialect = \"mysql\"\n"); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["unsupported dialect \"mysql\""], hides: &[],
        after: nothing,
    };
    schema_file_not_rust: Case {
        what: "a schema file that is not valid Rust",
        setup: |p| { p.write("src/schema.rs", "pub struct {"); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["src/schema.rs:1:", "the file is not valid Rust"], hides: &[],
        after: nothing,
    };
    schema_without_tables: Case {
        what: "a schema file with no `#[derive(Table)]`",
        setup: |p| { p.write("src/schema.rs", "pub struct Plain;"); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["no #[derive(Table)] structs found"], hides: &[],
        after: nothing,
    };
    edited_applied_migration: Case {
        what: "an applied migration edited afterwards",
        setup: |p| { migrated(p); let s = p.read("migrations/0000_create_users.sql"); p.write("migrations/0000_create_users.sql", &format!("{s}\n-- edited")); },
        cmd: Cmd::Schema(&["migrate"]), code: 3,
        shows: &["migration 0000_create_users was applied, but its file has changed since"], hides: &[],
        after: nothing,
    };
    applied_migration_missing_from_folder: Case {
        what: "the database applied a migration the folder no longer has",
        setup: |p| { migrated(p); db(p, "INSERT INTO __drizzle_migrations (hash, created_at, tag) VALUES ('x', 1, '0009_gone')"); },
        cmd: Cmd::Schema(&["migrate"]), code: 3,
        shows: &["has applied a migration that is not in the folder (0009_gone)"], hides: &[],
        after: nothing,
    };
    journal_names_a_missing_file: Case {
        what: "the journal names a `.sql` file that is not there",
        setup: |p| { generated(p); std::fs::remove_file(p.path("migrations/0000_create_users.sql")).unwrap(); },
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["the journal names 0000_create_users, but", "does not exist"], hides: &[],
        after: no_app_db,
    };
    journal_lists_a_tag_twice: Case {
        what: "a journal that lists one tag twice",
        setup: |p| {
            generated(p);
            let j = p.read("migrations/meta/_journal.json");
            let mut v: serde_json::Value = serde_json::from_str(&j).unwrap();
            let e = v["entries"][0].clone();
            v["entries"].as_array_mut().unwrap().push(e);
            p.write("migrations/meta/_journal.json", &serde_json::to_string_pretty(&v).unwrap());
        },
        cmd: Cmd::Schema(&["migrate"]), code: 2,
        shows: &["lists the tag 0000_create_users twice"], hides: &[],
        after: no_app_db,
    };
    failing_statement_changes_nothing: Case {
        what: "a migration whose second statement fails",
        setup: |p| custom(p, "INSERT INTO users VALUES (1, 'a');--> statement-breakpoint\nINSERT INTO nowhere VALUES (1);"),
        cmd: Cmd::Schema(&["migrate"]), code: 3,
        shows: &["while applying migration 0001_hand: statement 2 failed: no such table: nowhere"], hides: &[],
        after: |p| assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM users"), ["0"]),
    };
    not_null_without_default: Case {
        what: "a new NOT NULL column without a default, migrated over a table with rows",
        setup: |p| {
            migrated(p);
            rows(&p.path("app.db"), "INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob') RETURNING id");
            p.write("src/schema.rs", &USERS.replace("pub name: String,", "pub name: String,\n    pub level: i64,"));
            p.run(&["generate"]).expect(0);
        },
        cmd: Cmd::Schema(&["migrate"]), code: 3,
        shows: &["stopped it, so nothing of it was applied: 2 row(s) counted: rows of users would have no value for the new NOT NULL column level"], hides: &[],
        after: |p| {
            assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM pragma_table_info('users')"), ["2"]);
            assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM users"), ["2"]);
        },
    };
    bad_rename_flag: Case {
        what: "`--rename nothing` (no `=`)",
        setup: generated,
        cmd: Cmd::Schema(&["generate", "--rename", "nothing"]), code: 2,
        shows: &["--rename nothing: expected OLD=NEW"], hides: &[],
        after: nothing,
    };
    unknown_flag: Case {
        what: "`generate --frobnicate`",
        setup: nothing,
        cmd: Cmd::Schema(&["generate", "--frobnicate"]), code: 2,
        shows: &["--frobnicate"], hides: &[],
        after: nothing,
    };
    ambiguous_rename_without_terminal: Case {
        what: "a column gone and another new, no terminal and no flag",
        setup: |p| { generated(p); p.write("src/schema.rs", &USERS.replace("pub name: String,", "pub full_name: String,")); },
        cmd: Cmd::Schema(&["generate"]), code: 2,
        shows: &["cannot tell renames from drops", "--rename users.name=full_name"], hides: &[],
        after: |p| assert!(!p.exists("migrations/0001_users_alter.sql")),
    };
    pull_into_a_folder_with_migrations: Case {
        what: "`pull` into a migrations folder that already has migrations",
        setup: |p| { migrated(p); },
        cmd: Cmd::Schema(&["pull", "--out-schema", "p.rs"]), code: 2,
        shows: &["already has migrations"], hides: &[],
        after: |p| assert!(!p.exists("p.rs")),
    };
    push_data_loss_without_terminal: Case {
        what: "`push` that would drop a column, without a terminal or --force",
        setup: |p| { p.write("src/schema.rs", &USERS.replace("pub name: String,", "pub name: String,\n    pub bio: Option<String>,")); p.run(&["push"]).expect(0); db(p, "INSERT INTO users VALUES (1, 'a', 'b')"); users(p); },
        cmd: Cmd::Schema(&["push"]), code: 2,
        shows: &["drops column `users.bio`, which holds a value in 1 row(s)", "nothing was changed"], hides: &[],
        after: |p| assert_eq!(rows(&p.path("app.db"), "SELECT bio FROM users"), ["b"]),
    };
    drop_of_an_applied_migration: Case {
        what: "`drop` of a migration the database applied",
        setup: migrated,
        cmd: Cmd::Schema(&["drop"]), code: 2,
        shows: &["0000_create_users is applied in app.db"], hides: &[],
        after: |p| assert!(p.exists("migrations/0000_create_users.sql")),
    };
    drop_unknown_tag: Case {
        what: "`drop 0042`, a tag the folder does not have",
        setup: generated,
        cmd: Cmd::Schema(&["drop", "0042"]), code: 2,
        shows: &["no migration tagged 0042"], hides: &[],
        after: nothing,
    };
    locked_database_is_said: Case {
        what: "`migrate` while another process holds the write lock (busy timeout)",
        setup: generated,
        cmd: Cmd::Sh("python3 -c \"import sqlite3,time,subprocess,os; c=sqlite3.connect('app.db', isolation_level=None); c.execute('BEGIN IMMEDIATE'); r=subprocess.run([os.environ['SCHEMA'],'migrate','--wait','0.3'], capture_output=True, text=True); print(r.stderr); raise SystemExit(r.returncode)\""), code: 3,
        shows: &["stayed locked by another connection"], hides: &[],
        after: nothing,
    };
}

/// `docs/CATALOGUE.md` is what the rows above show, as they run.
#[test]
fn the_catalogue_document_is_current() {
    let mut doc = String::from(
        "# Catalogue of bad inputs and faults\n\n\
         Written by `SCHEMA_BLESS=1 cargo test -p schema-cli --test catalogue` from the rows of\n\
         `schema-cli/tests/catalogue.rs`, each of which is a test: the input or fault, the command,\n\
         the exit code (0 success, 1 a check found something, 2 input, 3 database) and the line the\n\
         user reads first. Each test also checks what the command left on disk.\n\n\
         | # | case | input or fault | command | exit | what the user sees |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for (i, (name, case)) in CASES.iter().enumerate() {
        let case = case();
        let saw = check(name, &case);
        doc.push_str(&format!(
            "| {} | `{name}` | {} | `{}` | {} | {} |\n",
            i + 1,
            case.what.replace('|', "\\|"),
            case.cmd.shown().replace('|', "\\|"),
            case.code,
            saw
        ));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/CATALOGUE.md");
    if std::env::var_os("SCHEMA_BLESS").is_some() {
        std::fs::write(&path, &doc).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == doc,
        "docs/CATALOGUE.md is not what the catalogue shows; run SCHEMA_BLESS=1 cargo test -p schema-cli --test catalogue"
    );
}
