//! The lint catalogue: one migration per rule, each made as a user makes it (a change to the
//! structs and `schema generate`, or a custom migration's SQL), linted by `schema lint` against
//! a database with rows, and checked for the rule, its class, the statement, the advice for
//! that very table or column, and the exit code SPEC gives. PostgreSQL's rules, which no
//! dialect runs yet, have one hand-written migration each. Then acknowledgments, exit codes,
//! custom SQL read by the lexer, and what `generate` prints.

mod support;

use schema_core::lint::{Class, DialectRules, GENERIC_RULES, Rule};
use support::{Project, rows};

const BASE: &str = r#"use schema_core::Table;

#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    pub name: String,
    pub age: Option<i64>,
    #[column(default = 0)]
    pub score: i64,
}
"#;

const MEMBERS: &str = r#"
#[derive(Table)]
#[table(name = "members", primary_key(org_id, user_id))]
pub struct Member {
    pub org_id: i64,
    pub user_id: i64,
}
"#;

/// How the migration under test is made, after `before` is generated and migrated.
enum Make {
    /// The structs become this, then `schema generate` (with these flags).
    Schema(fn() -> String, &'static [&'static str]),
    /// A custom migration holding this SQL.
    Custom(&'static str),
}

/// One rule's case.
struct Case {
    rule: &'static str,
    class: Class,
    before: fn() -> String,
    make: Make,
    /// `statement N: rule (class)` must name this statement.
    statement: usize,
    /// Advice (and subject) that must appear.
    shows: &'static [&'static str],
}

fn base() -> String {
    BASE.to_string()
}

fn with_members() -> String {
    format!("{BASE}{MEMBERS}")
}

/// `before` generated and migrated, three users in the database, then the migration under test.
fn project(case: &Case) -> Project {
    let p = Project::new();
    p.write("src/schema.rs", &(case.before)());
    p.run(&["generate"]).expect(0);
    p.run(&["migrate"]).expect(0);
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    conn.execute_batch("INSERT INTO users (id, name, age) VALUES (1, 'ada', 36), (2, 'bob', 41), (3, 'cy', NULL);")
        .unwrap();
    drop(conn);
    match &case.make {
        Make::Schema(after, flags) => {
            p.write("src/schema.rs", &after());
            let mut args = vec!["generate"];
            args.extend_from_slice(flags);
            p.run(&args).expect(0);
        }
        Make::Custom(sql) => {
            p.run(&["generate", "--custom", "--name", "hand"]).expect(0);
            let path = std::fs::read_dir(p.path("migrations"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|f| f.to_string_lossy().ends_with("_hand.sql"))
                .unwrap();
            std::fs::write(path, sql).unwrap();
        }
    }
    p
}

fn check(case: &Case) {
    let p = project(case);
    let run = p.run(&["lint"]);
    let out = run.stdout();
    let expected_code = if case.class == Class::Breaking { 1 } else { 0 };
    assert_eq!(
        run.code(),
        expected_code,
        "{}: exit code\n{out}\n{}",
        case.rule,
        run.stderr()
    );
    let head = format!("statement {}: {} ({})", case.statement, case.rule, case.class);
    assert!(out.contains(&head), "{}: expected `{head}` in:\n{out}", case.rule);
    for s in case.shows {
        assert!(out.contains(s), "{}: expected {s:?} in:\n{out}", case.rule);
    }
    if case.class != Class::Safe {
        let allow = format!("-- schema:allow {}", case.rule);
        assert!(out.contains(&allow), "{}: the acknowledging line in:\n{out}", case.rule);
    }
}

macro_rules! catalogue {
    ($($name:ident: $case:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check(&$case);
            }
        )*
        /// The rules the catalogue has a case for.
        const COVERED: &[&str] = &[$($case.rule),*];
    };
}

catalogue! {
    create_table: Case {
        rule: "create-table", class: Class::Safe, before: base,
        make: Make::Schema(|| format!("{BASE}\n#[derive(Table)]\npub struct Post {{\n    #[column(primary_key)]\n    pub id: i64,\n}}\n"), &[]),
        statement: 1, shows: &["creates `post`"],
    };
    add_nullable_column: Case {
        rule: "add-column", class: Class::Safe, before: base,
        make: Make::Schema(|| BASE.replace("pub age: Option<i64>,", "pub age: Option<i64>,\n    pub bio: Option<String>,"), &[]),
        statement: 1, shows: &["adds `users.bio` text (nullable)"],
    };
    add_column_with_default: Case {
        rule: "add-column", class: Class::Safe, before: base,
        make: Make::Schema(|| BASE.replace("pub age: Option<i64>,", "pub age: Option<i64>,\n    #[column(default = \"member\")]\n    pub role: String,"), &[]),
        statement: 1, shows: &["adds `users.role` text with the default 'member'"],
    };
    add_index: Case {
        rule: "add-index", class: Class::Safe, before: base,
        make: Make::Schema(|| BASE.replace("#[table(name = \"users\")]", "#[table(name = \"users\")]\n#[index(columns(name))]"), &[]),
        statement: 1, shows: &["creates the index `users_name_idx` on `users`"],
    };
    drop_index: Case {
        rule: "drop-index", class: Class::Safe,
        before: || BASE.replace("#[table(name = \"users\")]", "#[table(name = \"users\")]\n#[index(columns(name))]"),
        make: Make::Schema(base, &[]),
        statement: 1, shows: &["drops the index `users_name_idx`"],
    };
    drop_not_null: Case {
        rule: "alter-column", class: Class::Safe, before: base,
        make: Make::Schema(|| BASE.replace("pub name: String,", "pub name: Option<String>,"), &[]),
        statement: 2, shows: &["`users.name`: drops NOT NULL"],
    };
    drop_check: Case {
        rule: "drop-constraint", class: Class::Safe,
        before: || BASE.replace("#[table(name = \"users\")]", "#[table(name = \"users\")]\n#[check(name = \"age_pos\", expr = \"age >= 0\")]"),
        make: Make::Schema(base, &[]),
        statement: 2, shows: &["drops the constraint `age_pos` of `users`"],
    };
    strict_removed: Case {
        rule: "table-options", class: Class::Safe,
        before: || BASE.replace("#[table(name = \"users\")]", "#[table(name = \"users\", strict)]"),
        make: Make::Schema(base, &[]),
        statement: 2, shows: &["sets the options of `users` to not STRICT"],
    };
    drop_table: Case {
        rule: "drop-table", class: Class::Breaking, before: with_members,
        make: Make::Schema(base, &["--drop", "members"]),
        statement: 2, shows: &["drops `members`", "deploy code that no longer uses `members`", "then apply the drop"],
    };
    drop_column: Case {
        rule: "drop-column", class: Class::Breaking, before: base,
        make: Make::Schema(|| BASE.replace("    pub age: Option<i64>,\n", ""), &[]),
        statement: 1,
        shows: &["drops `users.age`", "1. deploy code that no longer reads or writes `users.age`", "2. then apply the drop (this migration) in a later release"],
    };
    rename_table: Case {
        rule: "rename-table", class: Class::Breaking, before: base,
        make: Make::Schema(|| BASE.replace("#[table(name = \"users\")]", "#[table(name = \"people\", renamed_from = \"users\")]"), &[]),
        statement: 1,
        shows: &["renames `users` to `people`", "create `people` beside `users` and copy the rows", "drop `users` in a later release"],
    };
    rename_column: Case {
        rule: "rename-column", class: Class::Breaking, before: base,
        make: Make::Schema(|| BASE.replace("pub name: String,", "pub full_name: String,"), &["--rename", "users.name=full_name"]),
        statement: 1,
        shows: &[
            "renames `users.name` to `full_name`",
            "1. add `full_name` text beside `name` and copy: UPDATE `users` SET `full_name` = `name`",
            "2. deploy code that writes both `name` and `full_name` and reads `full_name`",
            "4. drop `name` later",
        ],
    };
    not_null_without_default: Case {
        rule: "not-null-without-default", class: Class::Breaking, before: base,
        make: Make::Custom("ALTER TABLE `users` ADD COLUMN `email` text NOT NULL;"),
        statement: 1,
        shows: &["adds `users.email` text NOT NULL without a default", "add `users.email` as nullable, or with a default", "deploy code that always writes `users.email`"],
    };
    set_not_null: Case {
        rule: "set-not-null", class: Class::Breaking, before: base,
        make: Make::Schema(|| BASE.replace("pub age: Option<i64>,", "#[column(default = 0)]\n    pub age: i64,"), &[]),
        statement: 2,
        shows: &["makes `users.age` NOT NULL", "deploy code that always writes `users.age`", "UPDATE `users` SET `age` = 0 WHERE `age` IS NULL"],
    };
    change_type: Case {
        rule: "change-type", class: Class::Breaking, before: base,
        make: Make::Schema(|| BASE.replace("pub age: Option<i64>,", "#[column(sql_type = \"text\")]\n    pub age: Option<String>,"), &[]),
        statement: 2,
        shows: &["changes `users.age` from integer to text", "add `age_new` text beside `age`", "drop `age` in a later release"],
    };
    drop_default: Case {
        rule: "drop-default", class: Class::Breaking, before: base,
        make: Make::Schema(|| BASE.replace("#[column(default = 0)]\n    pub score: i64,", "pub score: i64,"), &[]),
        statement: 2,
        shows: &["drops the default of `users.score`", "deploy code that always writes `users.score`"],
    };
    add_unique: Case {
        rule: "add-unique", class: Class::Breaking, before: base,
        make: Make::Schema(|| BASE.replace("pub name: String,", "#[column(unique)]\n    pub name: String,"), &[]),
        statement: 1,
        shows: &["creates the unique index `users_name_unique` on `users`", "SELECT `name`, count(*) FROM `users` GROUP BY `name` HAVING count(*) > 1"],
    };
    add_check: Case {
        rule: "add-check", class: Class::Breaking, before: base,
        make: Make::Schema(|| BASE.replace("#[table(name = \"users\")]", "#[table(name = \"users\")]\n#[check(name = \"age_pos\", expr = \"age >= 0\")]"), &[]),
        statement: 2,
        shows: &["adds the check `age_pos` on `users`: age >= 0", "SELECT count(*) FROM `users` WHERE NOT (age >= 0)"],
    };
    add_foreign_key: Case {
        rule: "add-foreign-key", class: Class::Breaking, before: with_members,
        make: Make::Schema(|| with_members().replace("    pub user_id: i64,\n}", "    #[column(references = User::id)]\n    pub user_id: i64,\n}"), &[]),
        statement: 2,
        shows: &["adds a foreign key `members` (user_id) → `users`", "deploy code that keeps (user_id) pointing at existing rows of `users`"],
    };
    change_primary_key: Case {
        rule: "change-primary-key", class: Class::Breaking, before: with_members,
        make: Make::Schema(|| with_members().replace("primary_key(org_id, user_id)", "primary_key(user_id, org_id)"), &[]),
        statement: 2,
        shows: &["changes the primary key of `members` to (user_id, org_id)", "add a unique index on (user_id, org_id) first"],
    };
    strict_added: Case {
        rule: "change-table-options", class: Class::Breaking, before: base,
        make: Make::Schema(|| BASE.replace("#[table(name = \"users\")]", "#[table(name = \"users\", strict)]"), &[]),
        statement: 2,
        shows: &["sets the options of `users` to STRICT", "check that every row of `users` fits"],
    };
    table_rebuild: Case {
        rule: "table-rebuild", class: Class::Locking, before: base,
        make: Make::Schema(|| BASE.replace("pub name: String,", "pub name: Option<String>,"), &[]),
        statement: 2,
        shows: &["rebuilds `users` (3 rows)", "the table is locked while it copies", "schema migrate --rehearse"],
    };
}

/// The rules of enum types and sequences, which only PostgreSQL meets (SQLite's enums are
/// checks, and it has no sequences): their cases are generated PostgreSQL migrations, linted in
/// tests/tests/postgres.rs (`enum_values_are_added_ahead_and_removed_only_when_no_row_holds_them`,
/// `standalone_sequences_are_created_changed_and_dropped_as_drizzle_kit_does`).
const ENUM_RULES: &[&str] = &["enum-type", "remove-enum-value", "sequence", "drop-sequence"];

/// Every rule of the generic set and of SQLite has a case above; PostgreSQL's have theirs below.
#[test]
fn every_rule_has_a_case() {
    let sqlite = schema_core::sqlite::SQLITE_RULES.rules();
    for r in GENERIC_RULES.iter().chain(sqlite) {
        assert!(
            COVERED.contains(&r.name) || ENUM_RULES.contains(&r.name),
            "no catalogue case for {}",
            r.name
        );
    }
    for r in schema_core::lint::postgres::RULES {
        assert!(PG.iter().any(|(name, _, _)| *name == r.name), "no case for {}", r.name);
    }
}

/// PostgreSQL: one hand-written migration a rule, each with the statement it is found at and
/// advice it gives.
const PG: &[(&str, &[&str], &str)] = &[
    (
        "index-without-concurrently",
        &[
            "SET lock_timeout = '5s'",
            "CREATE INDEX users_email_idx ON users (email)",
        ],
        "CREATE INDEX CONCURRENTLY",
    ),
    (
        "constraint-without-not-valid",
        &[
            "SET lock_timeout = '5s'",
            "ALTER TABLE posts ADD CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id)",
        ],
        "ALTER TABLE posts VALIDATE CONSTRAINT posts_user_fk",
    ),
    (
        "type-change-rewrite",
        &[
            "SET lock_timeout = '5s'",
            "ALTER TABLE users ALTER COLUMN age TYPE bigint",
        ],
        "backfill it in batches",
    ),
    (
        "volatile-default",
        &[
            "SET lock_timeout = '5s'",
            "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()",
        ],
        "ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid()",
    ),
    (
        "set-not-null-scan",
        &[
            "SET lock_timeout = '5s'",
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
        ],
        "CHECK (email IS NOT NULL) NOT VALID",
    ),
    (
        "missing-lock-timeout",
        &["", "ALTER TABLE users DROP COLUMN bio"],
        "SET lock_timeout",
    ),
];

#[test]
fn postgres_rules_one_migration_each() {
    for (rule, pieces, advice) in PG {
        let pieces: Vec<String> = pieces.iter().filter(|s| !s.is_empty()).map(|s| s.to_string()).collect();
        let found = schema_core::lint::postgres::POSTGRES.check(&pieces).findings;
        let f = found
            .iter()
            .find(|f| f.rule.name == *rule)
            .unwrap_or_else(|| panic!("{rule} not found in {pieces:?}: {found:?}"));
        assert_eq!(f.rule.class, Class::Locking);
        assert_eq!(f.rule.dialect, Some("postgresql"));
        assert_eq!(f.statement, Some(pieces.len()), "{rule}");
        let advice_text = f.safe_way.join("\n");
        assert!(advice_text.contains(advice), "{rule}: {advice:?} in {advice_text}");
        assert!(!f.why.is_empty());
        assert_eq!(f.allow_line(), format!("-- schema:allow {rule}"));
    }
}

/// The README's "Shipping safely" names every rule.
#[test]
fn the_readme_lists_every_rule() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme
        .split("## Shipping safely")
        .nth(1)
        .expect("a Shipping safely section");
    let all: Vec<&Rule> = GENERIC_RULES
        .iter()
        .chain(schema_core::sqlite::SQLITE_RULES.rules())
        .chain(schema_core::lint::postgres::RULES)
        .copied()
        .collect();
    for r in all {
        assert!(
            section.contains(&format!("`{}`", r.name)),
            "README does not name `{}`",
            r.name
        );
    }
}

// ---------------------------------------------------------------------------------------
// Acknowledgments and exit codes

fn dropped_age() -> Project {
    let case = Case {
        rule: "drop-column",
        class: Class::Breaking,
        before: base,
        make: Make::Schema(|| BASE.replace("    pub age: Option<i64>,\n", ""), &[]),
        statement: 1,
        shows: &[],
    };
    project(&case)
}

fn last_sql(p: &Project) -> std::path::PathBuf {
    let mut files: Vec<_> = std::fs::read_dir(p.path("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|f| f.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files.pop().unwrap()
}

#[test]
fn an_acknowledged_breaking_finding_passes_and_a_typo_acknowledges_nothing() {
    let p = dropped_age();
    let path = last_sql(&p);
    let sql = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("-- schema:allow drop-colum\n{sql}")).unwrap();
    let run = p.run(&["lint"]);
    run.expect(1);
    assert!(
        run.stderr().contains("`-- schema:allow drop-colum` names no rule"),
        "{}",
        run.stderr()
    );
    std::fs::write(&path, format!("-- schema:allow drop-column\n{sql}")).unwrap();
    let out = p.run(&["lint"]).expect(0).stdout();
    assert!(out.contains("drop-column (breaking, acknowledged)"), "{out}");
    assert!(out.contains("1 acknowledged"), "{out}");
    // Acknowledged, the migration still applies as written: the comment is only a comment.
    p.run(&["migrate"]).expect(0);
    assert_eq!(rows(&p.path("app.db"), "SELECT count(*) FROM users"), ["3"]);
}

#[test]
fn an_acknowledgment_in_a_string_is_not_one() {
    let p = dropped_age();
    let path = last_sql(&p);
    let sql = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!(
            "{sql}--> statement-breakpoint\nINSERT INTO users (id, name) VALUES (9, '-- schema:allow drop-column');"
        ),
    )
    .unwrap();
    p.run(&["lint"]).expect(1);
}

#[test]
fn locking_findings_fail_only_with_strict() {
    let case = Case {
        rule: "table-rebuild",
        class: Class::Locking,
        before: base,
        make: Make::Schema(|| BASE.replace("pub name: String,", "pub name: Option<String>,"), &[]),
        statement: 2,
        shows: &[],
    };
    let p = project(&case);
    p.run(&["lint"]).expect(0);
    let out = p.run(&["lint", "--strict"]).expect(1).stdout();
    assert!(out.contains("(--strict: locking ones count)"), "{out}");
    let path = last_sql(&p);
    let sql = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{sql}\n-- schema:allow table-rebuild")).unwrap();
    p.run(&["lint", "--strict"]).expect(0);
}

#[test]
fn lint_reads_pending_migrations_the_named_ones_and_never_creates_a_database() {
    let p = dropped_age();
    p.write("migrations/.keep", "");
    // Applied: nothing pending to lint, exit 0.
    p.run(&["migrate"]).expect(0);
    let out = p.run(&["lint"]).expect(0).stdout();
    assert!(out.contains("Nothing to lint"), "{out}");
    // Named, an applied migration is linted all the same.
    let out = p.run(&["lint", "0001"]).expect(1).stdout();
    assert!(out.contains("drop-column (breaking)"), "{out}");
    let out = p.run(&["lint", "0000_create_users"]).expect(0).stdout();
    assert!(
        out.contains("statement 1: create-table (safe): creates `users`"),
        "{out}"
    );
    // A tag the folder does not have is an input error.
    let err = p.run(&["lint", "0042"]).expect(2).stderr();
    assert!(err.contains("no migration tagged 0042"), "{err}");
    // Without a database, every migration is linted and none is created.
    let out = p.run(&["lint", "--url", "nowhere.db"]).expect(1).stdout();
    assert!(
        out.contains("0000_create_users") && out.contains("0001_users_drop_age"),
        "{out}"
    );
    assert!(!p.exists("nowhere.db"), "lint created a database");
    // Without a folder, an input error.
    p.run(&["lint", "--out", "nothing-here"]).expect(2);
}

// ---------------------------------------------------------------------------------------
// Custom migrations, read by the lexer

#[test]
fn custom_sql_is_read_statement_by_statement_and_strings_and_comments_trigger_nothing() {
    let case = Case {
        rule: "drop-column",
        class: Class::Breaking,
        before: base,
        make: Make::Custom(
            "-- Custom SQL migration file, put your code below! --\n\
             -- ALTER TABLE users DROP COLUMN name; (a note, not a statement)\n\
             INSERT INTO users (id, name) VALUES (7, 'DROP TABLE users; ALTER TABLE users RENAME TO x');\n\
             --> statement-breakpoint\n\
             /* DROP TABLE users; */ UPDATE users SET name = 'ALTER TABLE users DROP COLUMN age' WHERE id = 7;\n\
             --> statement-breakpoint\n\
             ALTER TABLE `users` DROP COLUMN `age`;",
        ),
        statement: 3,
        shows: &[],
    };
    let p = project(&case);
    let run = p.run(&["lint"]);
    let out = run.stdout();
    run.expect(1);
    assert!(out.contains("(read from its SQL)"), "{out}");
    assert!(
        out.contains("statement 3: drop-column (breaking): drops `users.age`"),
        "{out}"
    );
    for rule in ["drop-table", "rename-table", "(breaking): drops `users.name`"] {
        assert!(!out.contains(rule), "{rule} found in a string or comment:\n{out}");
    }
    assert!(out.contains("1 breaking, 0 locking, 0 safe"), "{out}");
}

#[test]
fn a_drizzle_kit_rebuild_is_a_rebuild_not_a_dropped_table() {
    let case = Case {
        rule: "table-rebuild",
        class: Class::Locking,
        before: base,
        make: Make::Custom(
            "PRAGMA foreign_keys=OFF;--> statement-breakpoint\n\
             CREATE TABLE `__new_users` (`id` integer PRIMARY KEY NOT NULL, `name` text, `age` integer, `score` integer DEFAULT 0 NOT NULL);\n\
             --> statement-breakpoint\n\
             INSERT INTO `__new_users`(\"id\", \"name\", \"age\", \"score\") SELECT \"id\", \"name\", \"age\", \"score\" FROM `users`;--> statement-breakpoint\n\
             DROP TABLE `users`;--> statement-breakpoint\n\
             ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint\n\
             PRAGMA foreign_keys=ON;",
        ),
        statement: 2,
        shows: &["rebuilds `users` (3 rows)"],
    };
    check(&case);
    let p = project(&case);
    let out = p.run(&["lint"]).expect(0).stdout();
    assert!(!out.contains("drop-table") && !out.contains("create-table"), "{out}");
}

#[test]
fn a_backfill_added_to_a_generated_migration_is_read_as_sql_and_the_rest_from_the_diff() {
    let p = dropped_age();
    let path = last_sql(&p);
    let sql = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!("UPDATE users SET name = 'x' WHERE name IS NULL;--> statement-breakpoint\n{sql}--> statement-breakpoint\nDROP TABLE `users_old_backup`;"),
    )
    .unwrap();
    let out = p.run(&["lint"]).expect(1).stdout();
    assert!(
        out.contains("(statements beyond what its snapshot plans were read as SQL)"),
        "{out}"
    );
    assert!(
        out.contains("statement 2: drop-column (breaking): drops `users.age`"),
        "{out}"
    );
    assert!(
        out.contains("statement 3: drop-table (breaking): drops `users_old_backup`"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------
// generate

#[test]
fn generate_prints_the_findings_of_what_it_writes_and_keeps_its_lines() {
    let p = Project::new();
    p.write("src/schema.rs", BASE);
    p.run(&["generate"]).expect(0);
    p.write("src/schema.rs", &BASE.replace("    pub age: Option<i64>,\n", ""));
    let run = p.run(&["generate"]);
    run.expect(0);
    assert!(
        run.stdout()
            .starts_with("Wrote migrations/0001_users_drop_age.sql (1 statement)"),
        "{}",
        run.stdout()
    );
    let err = run.stderr();
    assert!(err.contains("warning: dropping column `users.age`"), "{err}");
    assert!(
        err.contains("statement 1: drop-column (breaking): drops `users.age`"),
        "{err}"
    );
    assert!(err.contains("-- schema:allow drop-column"), "{err}");
    assert!(err.contains("`schema generate --two-phase`"), "{err}");
    // Nothing to say about a safe migration.
    p.write(
        "src/schema.rs",
        &BASE.replace("    pub age: Option<i64>,\n", "    pub bio: Option<String>,\n"),
    );
    let err = p.run(&["generate", "--create", "users.bio"]).expect(0).stderr();
    assert!(!err.contains("breaking"), "{err}");
}

#[test]
fn two_phase_adds_and_copies_now_and_the_next_generate_drops() {
    let p = Project::new();
    p.write("src/schema.rs", BASE);
    p.run(&["generate"]).expect(0);
    p.run(&["migrate"]).expect(0);
    rusqlite::Connection::open(p.path("app.db"))
        .unwrap()
        .execute_batch("INSERT INTO users (id, name, age) VALUES (1, 'ada', 36), (2, 'bob', NULL);")
        .unwrap();
    // `name` renamed to `handle` (with a default for the transition), `age` dropped.
    let after = BASE
        .replace(
            "pub name: String,",
            "#[column(renamed_from = \"name\", default = \"\")]\n    pub handle: String,",
        )
        .replace("    pub age: Option<i64>,\n", "");
    p.write("src/schema.rs", &after);
    let run = p.run(&["generate", "--two-phase"]);
    run.expect(0);
    let err = run.stderr();
    assert!(err.contains("Left for a later migration"), "{err}");
    assert!(
        err.contains("drop `users.name` (now copied into `handle`)")
            && err.contains("UPDATE `users` SET `handle` = `name` WHERE `handle` = '';"),
        "{err}"
    );
    assert!(
        err.contains("drop `users.age`, once no running code reads or writes it"),
        "{err}"
    );
    let sql = std::fs::read_to_string(last_sql(&p)).unwrap();
    assert!(sql.ends_with("UPDATE `users` SET `handle` = `name`;"), "{sql}");
    assert!(!sql.contains("DROP COLUMN"), "{sql}");
    // The first phase breaks nothing the running release does: nothing breaking to lint.
    let out = p.run(&["lint"]).expect(0).stdout();
    assert!(!out.contains("(breaking)"), "{out}");
    p.run(&["migrate"]).expect(0);
    assert_eq!(
        rows(&p.path("app.db"), "SELECT id, name, handle, age FROM users ORDER BY id"),
        ["1|ada|ada|36", "2|bob|bob|NULL"]
    );
    // The release still running inserts without `handle`, the new one without `name`.
    rusqlite::Connection::open(p.path("app.db"))
        .unwrap()
        .execute_batch(
            "INSERT INTO users (id, name) VALUES (3, 'cy'); INSERT INTO users (id, handle) VALUES (4, 'di');",
        )
        .unwrap();
    // Later: the drops.
    let run = p.run(&["generate"]);
    run.expect(0);
    assert!(run.stdout().contains("0002_"), "{}", run.stdout());
    let out = p.run(&["lint"]).expect(1).stdout();
    assert!(
        out.contains("drops `users.name`") && out.contains("drops `users.age`"),
        "{out}"
    );
    p.run(&["migrate"]).expect(0);
    assert_eq!(
        rows(&p.path("app.db"), "SELECT id, handle FROM users ORDER BY id"),
        ["1|ada", "2|bob", "3|", "4|di"]
    );
}

#[test]
fn two_phase_refuses_a_new_not_null_column_without_a_default() {
    let p = Project::new();
    p.write("src/schema.rs", BASE);
    p.run(&["generate"]).expect(0);
    p.write(
        "src/schema.rs",
        &BASE.replace(
            "pub name: String,",
            "#[column(renamed_from = \"name\")]\n    pub handle: String,",
        ),
    );
    let err = p.run(&["generate", "--two-phase"]).expect(2).stderr();
    assert!(
        err.contains("--two-phase adds `users.handle` beside `users.name`"),
        "{err}"
    );
    assert!(!p.exists("migrations/0001_users_rename_handle.sql"));
}
