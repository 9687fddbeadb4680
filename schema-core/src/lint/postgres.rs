//! PostgreSQL's locking rules, over a migration's statements: what squawk and strong_migrations
//! check, read with the lexer. Each statement of a migration runs in the migration's one
//! transaction, so a lock a statement takes is held until the migration commits.
//!
//! The hook: the PostgreSQL dialect's `Dialect::lint_rules` returns [`POSTGRES`]; until that
//! dialect lands these rules are tested on hand-written SQL. What they cannot see from one
//! migration (a check validated by an earlier one) they say in the finding, and the file
//! acknowledges it with `-- schema:allow <rule>`.

use std::collections::{BTreeMap, BTreeSet};

use super::read::Tokens;
use super::{Class, DialectFindings, DialectRules, Finding, Rule};

macro_rules! rules {
    ($($id:ident = $name:literal, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub static $id: Rule = Rule { name: $name, class: Class::Locking, dialect: Some("postgresql"), summary: $summary };
        )*
        /// PostgreSQL's rules.
        pub static RULES: &[&Rule] = &[$(&$id),*];
    };
}

rules! {
    INDEX_WITHOUT_CONCURRENTLY = "index-without-concurrently", "an index built on an existing table without CONCURRENTLY: writes wait for the build";
    CONSTRAINT_WITHOUT_NOT_VALID = "constraint-without-not-valid", "a foreign key or check added without NOT VALID, or validated in the migration that adds it: the table is scanned under the lock";
    TYPE_CHANGE_REWRITE = "type-change-rewrite", "a column's type changed: the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock";
    VOLATILE_DEFAULT = "volatile-default", "a new column whose default is volatile (or any default before PostgreSQL 11): every row is rewritten";
    SET_NOT_NULL_SCAN = "set-not-null-scan", "SET NOT NULL without a valid CHECK (col IS NOT NULL) first: the table is scanned under an ACCESS EXCLUSIVE lock";
    MISSING_LOCK_TIMEOUT = "missing-lock-timeout", "a lock taken without SET lock_timeout first: behind a long query it queues every other query of the table";
}

/// PostgreSQL's rule set, for its dialect's `Dialect::lint_rules`.
#[derive(Debug)]
pub struct PostgresRules {
    /// The runner sets `lock_timeout` before every migration (`schema migrate` does, 10 s), so
    /// a migration need not say it.
    pub runner_sets_lock_timeout: bool,
}

/// The rule set, for SQL run by any runner (drizzle-orm's sets no timeout).
pub static POSTGRES: PostgresRules = PostgresRules {
    runner_sets_lock_timeout: false,
};

/// The rule set for migrations `schema migrate` applies: it sets `lock_timeout` itself.
pub static POSTGRES_MIGRATOR: PostgresRules = PostgresRules {
    runner_sets_lock_timeout: true,
};

/// Functions whose value differs row by row: a default calling one is computed for every
/// existing row, so adding the column rewrites the table.
const VOLATILE: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
    "pg_current_xact_id",
];

impl DialectRules for PostgresRules {
    fn rules(&self) -> &'static [&'static Rule] {
        RULES
    }

    fn check(&self, statements: &[String]) -> DialectFindings {
        let mut state = State {
            lock_timeout: self.runner_sets_lock_timeout,
            ..State::default()
        };
        for (i, piece) in statements.iter().enumerate() {
            // PostgreSQL's own lexing: a `$$` body's semicolons end nothing.
            for stmt in crate::postgres::split::statements(piece) {
                state.statement(stmt, i + 1);
            }
        }
        DialectFindings {
            findings: state.findings,
            covered: BTreeSet::new(),
        }
    }
}

/// What the statements read so far in a migration established.
#[derive(Default)]
struct State {
    findings: Vec<Finding>,
    /// Tables this migration creates: nobody else uses them yet, so nothing waits on them.
    created: BTreeSet<String>,
    /// `SET lock_timeout` seen.
    lock_timeout: bool,
    /// A missing lock_timeout was said (once a migration).
    timeout_said: bool,
    /// Constraints this migration adds, by name: their table.
    added: BTreeMap<String, String>,
    /// Tables where a constraint added by an earlier migration was validated: SET NOT NULL
    /// there can use it instead of scanning.
    validated: BTreeSet<String>,
}

impl State {
    fn existing(&self, table: &str) -> bool {
        !self.created.contains(&table.to_ascii_lowercase())
    }

    /// A statement that takes a lock on an existing table: without a lock_timeout first, the
    /// lock waits behind any long query and every query after it waits too.
    fn locks(&mut self, table: &str, n: usize) {
        if self.lock_timeout || self.timeout_said || !self.existing(table) {
            return;
        }
        self.timeout_said = true;
        self.findings.push(
            Finding::new(&MISSING_LOCK_TIMEOUT, format!("locks `{table}` without a lock_timeout"))
                .on(table, None)
                .at(n)
                .why(format!(
                    "the statement waits for every query on `{table}` to finish before it gets its lock, and while it \
                     waits every new query on `{table}` queues behind it: one slow report stalls the application"
                ))
                .steps([
                    "start the migration with SET lock_timeout = '5s' (the migration fails fast instead of stalling \
                     traffic)"
                        .to_string(),
                    "retry it at a quieter time if it times out".to_string(),
                ]),
        );
    }

    fn statement(&mut self, src: &str, n: usize) {
        let t = Tokens::new(src);
        if t.word(0, "SET") {
            let at = if t.word(1, "LOCAL") || t.word(1, "SESSION") {
                2
            } else {
                1
            };
            if t.word(at, "lock_timeout") {
                self.lock_timeout = true;
            }
            return;
        }
        if t.word(0, "CREATE") {
            self.create(&t, n);
            return;
        }
        if t.words(0, &["ALTER", "TABLE"]) {
            let mut at = t.skip_if_exists(2);
            if t.word(at, "ONLY") {
                at += 1;
            }
            let Some((table, at)) = t.name(at) else { return };
            if !self.existing(&table) {
                return;
            }
            self.locks(&table, n);
            for (a, b) in t.split_commas(at, t.len()) {
                self.alter(&t, &table, a, b, n);
            }
            return;
        }
        let locking = t.words(0, &["DROP", "TABLE"])
            || t.word(0, "TRUNCATE")
            || t.words(0, &["LOCK", "TABLE"])
            || (t.words(0, &["DROP", "INDEX"]) && !t.word(2, "CONCURRENTLY"));
        if locking {
            let mut at = if t.word(0, "TRUNCATE") { 1 } else { 2 };
            if t.word(at, "TABLE") {
                at += 1;
            }
            let at = t.skip_if_exists(at);
            if let Some((name, _)) = t.name(at) {
                self.locks(&name, n);
            }
        }
    }

    fn create(&mut self, t: &Tokens<'_>, n: usize) {
        let mut at = 1;
        if t.word(at, "UNLOGGED") || t.word(at, "TEMP") || t.word(at, "TEMPORARY") {
            at += 1;
        }
        if t.word(at, "TABLE") {
            if let Some((name, _)) = t.name(t.skip_if_exists(at + 1)) {
                self.created.insert(name.to_ascii_lowercase());
            }
            return;
        }
        if t.word(at, "UNIQUE") {
            at += 1;
        }
        if !t.word(at, "INDEX") {
            return;
        }
        let concurrently = t.word(at + 1, "CONCURRENTLY");
        let Some(on) = t.find_top(at, t.len(), |i| t.word(i, "ON")) else {
            return;
        };
        let table_at = if t.word(on + 1, "ONLY") { on + 2 } else { on + 1 };
        let Some((table, _)) = t.name(table_at) else { return };
        if concurrently || !self.existing(&table) {
            return;
        }
        self.locks(&table, n);
        self.findings.push(
            Finding::new(
                &INDEX_WITHOUT_CONCURRENTLY,
                format!("builds an index on `{table}` without CONCURRENTLY"),
            )
            .on(&table, None)
            .at(n)
            .why(format!(
                "CREATE INDEX holds a SHARE lock on `{table}` until the migration commits: every insert, update and \
                     delete waits while the whole table is read and sorted"
            ))
            .steps([
                "build it with CREATE INDEX CONCURRENTLY (`#[index(.., concurrently)]`; the migrator runs it after \
                     the migration's transaction commits)"
                    .to_string(),
                "if a concurrent build fails it leaves an INVALID index: the migrator drops and rebuilds it on the \
                     next run"
                    .to_string(),
            ]),
        );
    }

    /// One operation of `ALTER TABLE table …` (tokens `a..b`).
    fn alter(&mut self, t: &Tokens<'_>, table: &str, a: usize, b: usize, n: usize) {
        if t.words(a, &["VALIDATE", "CONSTRAINT"]) {
            let Some((name, _)) = t.name(a + 2) else { return };
            if self.added.contains_key(&name) {
                self.findings.push(
                    Finding::new(
                        &CONSTRAINT_WITHOUT_NOT_VALID,
                        format!("validates `{name}` in the migration that adds it"),
                    )
                    .on(table, None)
                    .at(n)
                    .why(format!(
                        "the lock that adding `{name}` took on `{table}` is held until the migration commits, so the \
                         validation's scan of every row runs under it"
                    ))
                    .steps([
                        format!("keep ADD CONSTRAINT {name} … NOT VALID in this migration"),
                        format!("move ALTER TABLE {table} VALIDATE CONSTRAINT {name} to a migration of its own"),
                    ]),
                );
            } else {
                self.validated.insert(table.to_ascii_lowercase());
            }
            return;
        }
        if t.word(a, "ADD") {
            self.add(t, table, a + 1, b, n);
            return;
        }
        if t.word(a, "ALTER") {
            let at = if t.word(a + 1, "COLUMN") { a + 2 } else { a + 1 };
            let Some((column, at)) = t.name(at) else { return };
            if t.word(at, "TYPE") || t.words(at, &["SET", "DATA", "TYPE"]) {
                self.findings.push(
                    Finding::new(&TYPE_CHANGE_REWRITE, format!("changes the type of `{table}.{column}`"))
                        .on(table, Some(&column))
                        .at(n)
                        .why(format!(
                            "most type changes rewrite `{table}` and rebuild its indexes under an ACCESS EXCLUSIVE lock: \
                             no query reads or writes the table until the migration commits (varchar(n) to text or to a \
                             longer varchar do not; acknowledge those)"
                        ))
                        .steps([
                            format!("add a new column of the new type beside `{column}`"),
                            "backfill it in batches, and deploy code that writes both and reads the new one".to_string(),
                            format!("drop `{column}` in a later release"),
                        ]),
                );
            } else if t.words(at, &["SET", "NOT", "NULL"]) && !self.validated.contains(&table.to_ascii_lowercase()) {
                let check = format!("{table}_{column}_not_null");
                self.findings.push(
                    Finding::new(&SET_NOT_NULL_SCAN, format!("sets `{table}.{column}` NOT NULL"))
                        .on(table, Some(&column))
                        .at(n)
                        .why(format!(
                            "SET NOT NULL reads every row of `{table}` under an ACCESS EXCLUSIVE lock, unless a valid \
                             CHECK ({column} IS NOT NULL) proves it first"
                        ))
                        .steps([
                            format!(
                                "one migration: ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) \
                                 NOT VALID"
                            ),
                            format!(
                                "the next: ALTER TABLE {table} VALIDATE CONSTRAINT {check}; then ALTER COLUMN {column} \
                                 SET NOT NULL; then DROP CONSTRAINT {check}"
                            ),
                        ]),
                );
            }
        }
    }

    /// `ADD [CONSTRAINT n] FOREIGN KEY|CHECK …` and `ADD [COLUMN] … DEFAULT …`.
    fn add(&mut self, t: &Tokens<'_>, table: &str, mut at: usize, b: usize, n: usize) {
        let mut name = None;
        if t.word(at, "CONSTRAINT")
            && let Some((nm, next)) = t.name(at + 1)
        {
            name = Some(nm);
            at = next;
        }
        let fk = t.words(at, &["FOREIGN", "KEY"]);
        if fk || t.word(at, "CHECK") {
            let not_valid = t.find_top(at, b, |i| t.words(i, &["NOT", "VALID"])).is_some();
            if not_valid {
                if let Some(nm) = name {
                    self.added.insert(nm, table.to_string());
                }
                return;
            }
            let what = if fk { "a foreign key" } else { "a check" };
            let nm = name.unwrap_or_else(|| format!("{table}_constraint"));
            self.findings.push(
                Finding::new(&CONSTRAINT_WITHOUT_NOT_VALID, format!("adds {what} to `{table}` without NOT VALID"))
                    .on(table, None)
                    .at(n)
                    .why(format!(
                        "adding {what} checks every row of `{table}` while holding a lock that blocks its writes{} until \
                         the migration commits",
                        if fk { " (and those of the table it references)" } else { "" }
                    ))
                    .steps([
                        format!("add it with NOT VALID: ALTER TABLE {table} ADD CONSTRAINT {nm} … NOT VALID (new rows are checked at once)"),
                        format!("validate it in a later migration: ALTER TABLE {table} VALIDATE CONSTRAINT {nm} (which does not block writes)"),
                    ]),
            );
            return;
        }
        if name.is_some() {
            return;
        }
        if t.word(at, "COLUMN") {
            at += 1;
        }
        at = t.skip_if_exists(at);
        let Some((column, at)) = t.name(at) else { return };
        let Some(d) = t.find_top(at, b, |i| t.word(i, "DEFAULT")) else {
            return;
        };
        let volatile = (d + 1..b).find(|&i| VOLATILE.iter().any(|f| t.word(i, f)) && t.op(i + 1, "("));
        if let Some(f) = volatile {
            let func = t.text(f, f + 1).to_string();
            self.findings.push(
                Finding::new(&VOLATILE_DEFAULT, format!("adds `{table}.{column}` with the volatile default {func}()"))
                    .on(table, Some(&column))
                    .at(n)
                    .why(format!(
                        "{func}() gives each row its own value, so PostgreSQL computes it for every existing row: `{table}` \
                         is rewritten under an ACCESS EXCLUSIVE lock (before PostgreSQL 11, any default does this)"
                    ))
                    .steps([
                        format!("add `{column}` without a default (or with a constant one)"),
                        format!("set the default in a second statement: ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {func}()"),
                        "backfill existing rows in batches".to_string(),
                    ]),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(pieces: &[&str]) -> Vec<(&'static str, usize)> {
        let pieces: Vec<String> = pieces.iter().map(|s| s.to_string()).collect();
        POSTGRES
            .check(&pieces)
            .findings
            .into_iter()
            .map(|f| (f.rule.name, f.statement.unwrap()))
            .collect()
    }

    #[test]
    fn an_index_needs_concurrently_on_an_existing_table_only() {
        assert_eq!(
            rules_of(&[
                "SET lock_timeout = '5s'",
                "CREATE INDEX users_email_idx ON users (email)"
            ]),
            vec![("index-without-concurrently", 2)]
        );
        assert!(rules_of(&["CREATE INDEX CONCURRENTLY users_email_idx ON public.users (email)"]).is_empty());
        assert!(rules_of(&["CREATE TABLE posts (id int)", "CREATE INDEX posts_id_idx ON posts (id)"]).is_empty());
    }

    #[test]
    fn constraints_need_not_valid_and_a_later_validate() {
        let set = "SET LOCAL lock_timeout = '2s'";
        assert_eq!(
            rules_of(&[
                set,
                "ALTER TABLE posts ADD CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id)"
            ]),
            vec![("constraint-without-not-valid", 2)]
        );
        assert_eq!(
            rules_of(&[set, "ALTER TABLE posts ADD CHECK (n > 0)"]),
            vec![("constraint-without-not-valid", 2)]
        );
        assert!(rules_of(&[set, "ALTER TABLE posts ADD CONSTRAINT c CHECK (n > 0) NOT VALID"]).is_empty());
        assert_eq!(
            rules_of(&[
                set,
                "ALTER TABLE posts ADD CONSTRAINT c CHECK (n > 0) NOT VALID",
                "ALTER TABLE posts VALIDATE CONSTRAINT c"
            ]),
            vec![("constraint-without-not-valid", 3)]
        );
        // Validating what an earlier migration added is the safe second step.
        assert!(rules_of(&[set, "ALTER TABLE posts VALIDATE CONSTRAINT c"]).is_empty());
    }

    #[test]
    fn rewrites_and_scans() {
        let set = "SET lock_timeout TO '5s'";
        assert_eq!(
            rules_of(&[set, "ALTER TABLE users ALTER COLUMN age TYPE bigint"]),
            vec![("type-change-rewrite", 2)]
        );
        assert_eq!(
            rules_of(&[set, "ALTER TABLE users ALTER COLUMN age SET DATA TYPE text"]),
            vec![("type-change-rewrite", 2)]
        );
        assert_eq!(
            rules_of(&[
                set,
                "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid() NOT NULL"
            ]),
            vec![("volatile-default", 2)]
        );
        // now() is stable: one value for the statement, no rewrite since PostgreSQL 11.
        assert!(rules_of(&[set, "ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now()"]).is_empty());
        // A function name in a string is not a call.
        assert!(rules_of(&[set, "ALTER TABLE users ADD COLUMN note text DEFAULT 'random()'"]).is_empty());
        assert_eq!(
            rules_of(&[set, "ALTER TABLE users ALTER COLUMN email SET NOT NULL"]),
            vec![("set-not-null-scan", 2)]
        );
        // The recipe's second migration: validate the check an earlier one added, then SET NOT NULL.
        assert!(
            rules_of(&[
                set,
                "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null",
                "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
                "ALTER TABLE users DROP CONSTRAINT users_email_not_null"
            ])
            .is_empty()
        );
    }

    #[test]
    fn a_lock_without_lock_timeout_is_said_once() {
        assert_eq!(
            rules_of(&[
                "ALTER TABLE users ADD COLUMN bio text",
                "ALTER TABLE users DROP COLUMN nick",
                "DROP TABLE old"
            ]),
            vec![("missing-lock-timeout", 1)]
        );
        assert!(
            rules_of(&[
                "CREATE TABLE t (id int)",
                "ALTER TABLE t ADD COLUMN a int",
                "CREATE INDEX i ON t (a)"
            ])
            .is_empty()
        );
        assert_eq!(rules_of(&["TRUNCATE users"]), vec![("missing-lock-timeout", 1)]);
        // Comments and strings say nothing.
        assert!(rules_of(&["-- ALTER TABLE users ADD COLUMN x int\nSELECT 'DROP TABLE users'"]).is_empty());
    }
}
