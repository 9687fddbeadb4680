//! The command line as a user meets it: `drop` lists and asks, `--help` per command, the
//! rename question's default and its CI flag, `migrate --dry-run` showing the SQL and the
//! database, `--backup` names and the restore hint, `status` alignment, and "1 statement".

mod support;

use std::process::Command;

use support::{Project, rows};

const V1: &str = "#[derive(Table)]\n#[table(name = \"users\")]\npub struct User {\n    #[column(primary_key)]\n    pub id: i64,\n    pub nick: String,\n}\n";

fn with_bio() -> String {
    V1.replace("pub nick: String,", "pub nick: String,\n    pub bio: Option<String>,")
}

/// `schema ARGS` on a terminal (python3's pty), typing `input` once `wait_for` is shown.
/// `None` without python3.
fn on_terminal(p: &Project, args: &[&str], wait_for: &str, input: &str) -> Option<(i32, String)> {
    on_terminal_all(p, args, &[(wait_for, input)])
}

/// Runs `schema args` on a terminal (a pty, through python3), answering each prompt in turn:
/// once `wait_for` has been printed, `input` is typed. Its exit code and output.
fn on_terminal_all(p: &Project, args: &[&str], exchanges: &[(&str, &str)]) -> Option<(i32, String)> {
    if Command::new("python3").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is needed in CI for the terminal tests"
        );
        return None;
    }
    let driver = r#"
import os, pty, sys
bin, n = sys.argv[1], int(sys.argv[2])
pairs = [(sys.argv[3 + 2 * i].encode(), sys.argv[4 + 2 * i].encode()) for i in range(n)]
pid, fd = pty.fork()
if pid == 0:
    os.execv(bin, [bin] + sys.argv[3 + 2 * n:])
out = b""
seen = 0
for wait, answer in pairs:
    while wait not in out[seen:]:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    seen = out.find(wait, seen) + len(wait)
    os.write(fd, answer)
try:
    while True:
        chunk = os.read(fd, 1024)
        if not chunk:
            break
        out += chunk
except OSError:
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode())
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let n = exchanges.len().to_string();
    let out = Command::new("python3")
        .args(["-c", driver, env!("CARGO_BIN_EXE_schema"), &n])
        .args(exchanges.iter().flat_map(|(w, a)| [*w, *a]))
        .args(args)
        .current_dir(p.dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

fn two_migrations() -> Project {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate", "--name", "init"]).expect(0);
    p.write("src/schema.rs", &with_bio());
    p.run(&["generate", "--name", "users_bio"]).expect(0);
    p
}

#[test]
fn drop_lists_the_migrations_and_asks_or_wants_yes() {
    let p = two_migrations();
    let run = p.run(&["drop"]);
    run.expect(2);
    assert!(
        run.stdout()
            .contains("Migrations in migrations:\n   1) 0000_init\n-> 2) 0001_users_bio"),
        "{}",
        run.stdout()
    );
    assert!(
        run.stderr().contains("without a terminal to ask on, pass --yes"),
        "{}",
        run.stderr()
    );
    assert!(p.exists("migrations/0001_users_bio.sql"), "nothing removed");

    let pick = "Which migration to drop? [1-2, Enter for 2] ";
    if let Some((code, out)) = on_terminal_all(&p, &["drop"], &[(pick, "\n"), ("[y/N]", "n\n")]) {
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("   1) 0000_init\r\n-> 2) 0001_users_bio"), "{out}");
        assert!(
            out.contains("Remove 0001_users_bio (its SQL file and its snapshot)? [y/N]"),
            "{out}"
        );
        assert!(out.contains("Nothing removed."), "{out}");
        assert!(p.exists("migrations/0001_users_bio.sql"));
        // Picked from the list: the first has a child, which is said; then the latest, by tag.
        let (code, out) = on_terminal_all(&p, &["drop"], &[(pick, "1\n")]).unwrap();
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("0001_users_bio"), "{out}");
        assert!(p.exists("migrations/0000_init.sql"));
        let (code, out) =
            on_terminal_all(&p, &["drop"], &[(pick, "nope\n"), (pick, "0001\n"), ("[y/N]", "y\n")]).unwrap();
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("`nope` is not in the list"), "{out}");
        assert!(!p.exists("migrations/0001_users_bio.sql"));
    } else {
        eprintln!(
            "SKIPPED the terminal half of drop_lists_the_migrations_and_asks_or_wants_yes: python3 is not installed"
        );
        p.run(&["drop", "--yes"]).expect(0);
    }
    let out = p.run(&["drop", "-y"]).expect(0).stdout();
    assert!(
        out.contains("-> 1) 0000_init") && out.contains("Dropped 0000_init"),
        "{out}"
    );
}

#[test]
fn each_command_has_its_own_help_with_an_example() {
    let p = Project::new();
    let own: [(&str, &str, &str); 4] = [
        ("migrate", "--baseline", "--two-phase"),
        ("generate", "--two-phase", "--rehearse"),
        ("push", "--force", "--baseline"),
        ("drop", "--yes", "--force"),
    ];
    for (cmd, has, lacks) in own {
        let out = p.run(&[cmd, "--help"]).expect(0).stdout();
        assert!(out.contains(has) && !out.contains(lacks), "{cmd}: {out}");
        assert!(
            out.contains("Example") && out.contains(&format!("  schema {cmd}")),
            "{cmd}: {out}"
        );
        // Only the command's own flags: the settings every command takes are named once, with
        // where to read about them.
        let flags: Vec<&str> = out.lines().filter(|l| l.trim_start().starts_with("--")).collect();
        assert!(
            !flags.iter().any(|l| l.contains("--url") || l.contains("--config")),
            "{cmd}: {out}"
        );
        assert!(out.contains("are listed by `schema --help`"), "{cmd}: {out}");
        for line in flags {
            assert!(line.len() <= 110, "{cmd}: one line a flag: {line}");
        }
        // ... and still taken, after the command as before it.
        p.run(&[cmd, "--url", "x.db", "--help"]).expect(0);
    }
    let top = p.run(&["--help"]).expect(0).stdout();
    assert!(
        top.contains("Settings (every command") && top.contains("--url <URL>"),
        "{top}"
    );
    for cmd in ["status", "check", "pull", "studio", "lint", "reset"] {
        let out = p.run(&[cmd, "--help"]).expect(0).stdout();
        assert!(out.contains("Example"), "{cmd}: {out}");
    }
}

#[test]
fn the_rename_question_defaults_to_keeping_the_data_and_says_the_ci_flag() {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate"]).expect(0);
    p.write("src/schema.rs", &V1.replace("nick", "handle"));
    // Without a terminal: exit 2, naming the flag.
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(err.contains("--rename users.nick=handle"), "{err}");
    let Some((code, out)) = on_terminal(&p, &["generate"], "Enter for 1]: ", "\n") else {
        eprintln!(
            "SKIPPED the_rename_question_defaults_to_keeping_the_data_and_says_the_ci_flag: python3 is not installed"
        );
        return;
    };
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1) rename `nick` → `handle`    [--rename users.nick=handle]"),
        "{out}"
    );
    assert!(
        out.contains("0) create `handle` (and drop what is gone)    [--create users.handle]"),
        "{out}"
    );
    assert!(out.contains("answer [0-1, Enter for 1]"), "{out}");
    assert!(
        out.contains("(the same answer without a terminal, as in CI: --rename users.nick=handle)"),
        "{out}"
    );
    let sql = std::fs::read_dir(p.path("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|f| f.file_name().unwrap().to_string_lossy().starts_with("0001_"))
        .find(|f| f.extension().is_some_and(|x| x == "sql"))
        .map(|f| std::fs::read_to_string(f).unwrap())
        .unwrap();
    assert!(sql.contains("RENAME COLUMN `nick` TO `handle`"), "{sql}");
}

#[test]
fn dry_run_shows_the_database_and_each_migrations_sql() {
    let p = two_migrations();
    let out = p.run(&["migrate", "--dry-run"]).expect(0).stdout();
    assert!(
        out.contains("app.db does not exist yet: migrate would create it."),
        "{out}"
    );
    assert!(
        out.contains("would apply 0001_users_bio (1 statement):\n    ALTER TABLE `users` ADD `bio` text;"),
        "{out}"
    );
    assert!(out.contains("CREATE TABLE `users`"), "{out}");
    assert!(!p.exists("app.db"));
    p.run(&["migrate"]).expect(0);
    p.write(
        "src/schema.rs",
        &with_bio().replace(
            "pub bio: Option<String>,",
            "pub bio: Option<String>,\n    pub age: Option<i64>,",
        ),
    );
    p.run(&["generate", "--name", "users_age"]).expect(0);
    let out = p.run(&["migrate", "--dry-run"]).expect(0).stdout();
    assert!(
        out.contains("Database: app.db (tracking table __drizzle_migrations)"),
        "{out}"
    );
    assert!(out.contains("would apply 0002_users_age (1 statement):"), "{out}");
    assert!(!out.contains("0000_init"), "{out}");
    assert!(out.contains("Dry run: nothing was applied."), "{out}");
    assert_eq!(
        rows(&p.path("app.db"), "SELECT count(*) FROM __drizzle_migrations"),
        ["2"]
    );
}

#[test]
fn a_backup_is_named_by_its_utc_time_and_says_how_to_restore() {
    let p = two_migrations();
    p.run(&["migrate"]).expect(0);
    rows(
        &p.path("app.db"),
        "INSERT INTO users (id, nick) VALUES (1, 'ann') RETURNING id",
    );
    p.write(
        "src/schema.rs",
        &with_bio().replace(
            "pub bio: Option<String>,",
            "pub bio: Option<String>,\n    pub age: Option<i64>,",
        ),
    );
    p.run(&["generate", "--name", "users_age"]).expect(0);
    let out = p.run(&["migrate", "--backup"]).expect(0).stdout();
    let name = std::fs::read_dir(p.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("app.db.backup-"))
        .expect("a backup file");
    let stamp = name.trim_start_matches("app.db.backup-");
    let shape: String = stamp
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    assert_eq!(shape, "9999-99-99T99-99-99Z", "{name}");
    assert!(
        out.contains(&format!("backed up app.db to {name}")) || out.contains(&name),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "to restore it: stop what uses the database, then `cp {}",
            p.path(&name).display()
        )) || out.contains(&format!("`cp {name} app.db`")),
        "{out}"
    );
    // The copy is the database before the migration, with its row.
    assert_eq!(rows(&p.path(&name), "SELECT nick FROM users"), ["ann"]);
    assert_eq!(
        rows(
            &p.path(&name),
            "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'age'"
        ),
        ["0"]
    );
}

#[test]
fn status_keeps_its_columns_aligned_past_long_tags() {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    let long = "a_very_long_migration_name_that_goes_well_past_forty_characters";
    p.run(&["generate", "--name", long]).expect(0);
    p.write("src/schema.rs", &with_bio());
    p.run(&["generate", "--name", "bio"]).expect(0);
    p.run(&["migrate"]).expect(0);
    let out = p.run(&["status"]).expect(0).stdout();
    let starts: Vec<usize> = out
        .lines()
        .filter(|l| l.starts_with("000"))
        .map(|l| l.find(" applied ").expect(l) + 1)
        .collect();
    assert_eq!(starts.len(), 2, "{out}");
    assert_eq!(starts[0], starts[1], "{out}");
    assert!(out.contains("2 migrations: 0 pending, 0 edited, 0 missing"), "{out}");
}

#[test]
fn counts_of_one_are_singular() {
    let p = Project::new();
    p.write("src/schema.rs", V1);
    p.run(&["generate"]).expect(0);
    let out = p.run(&["generate"]).expect(0).stdout();
    assert!(out.contains("is up to date with 1 table."), "{out}");
    p.run(&["migrate"]).expect(0);
    let out = p.run(&["status"]).expect(0).stdout();
    assert!(out.contains("1 migration: 0 pending"), "{out}");
    p.write("src/schema.rs", &with_bio());
    let out = p.run(&["push", "--dry-run"]).expect(0).stdout();
    assert!(out.contains("1 change to push"), "{out}");
}
