//! Lint: what each migration does to the code still running while it deploys, and to traffic.
//!
//! Every change is classified *safe* (the previous release keeps working), *breaking* (it
//! does not: a dropped or renamed table or column, NOT NULL on existing rows, a type change) or
//! *locking* (it holds a lock for a time that grows with the table). Each finding names its
//! migration, the statement, the rule, why it breaks or blocks, the safe way for that very
//! table or column, and the `-- schema:allow <rule>` line that acknowledges it.
//!
//! # Where findings come from
//!
//! - **The diff**, where it is at hand: a migration `generate` wrote has a snapshot, and the
//!   diff of that snapshot against its parent (renames from its `_meta`) says exactly what
//!   changed, types and defaults included. The dialect's plan of that diff carries, beside each
//!   statement, the changes it carries out ([`Plan::origins`](crate::dialect::Plan::origins)),
//!   which names each change's statement in the file.
//! - **The SQL**, read with the lexer ([`schema_model::sql::lex`]), never with patterns over
//!   text: for a custom migration (drizzle-kit's header, or a snapshot equal to its parent's),
//!   for a migration without a snapshot, and for statements a file holds beyond its plan
//!   (a backfill added by hand). Strings and comments are tokens, so a `'DROP TABLE'` in a
//!   string or a comment triggers nothing.
//! - **The dialect** ([`DialectRules`], from [`Dialect::lint_rules`]): how its statements take
//!   locks. SQLite's rebuild copies a whole table under the write lock; PostgreSQL's rules
//!   ([`postgres`]) read its statements for index builds without `CONCURRENTLY`, constraints
//!   without `NOT VALID`, rewrites and a missing `lock_timeout`.
//!
//! With a database at hand, locking findings carry the table's row count.

mod read;
mod rules;

pub mod postgres;

use std::collections::BTreeSet;
use std::fmt;

pub use rules::{GENERIC_RULES, rule_named};

use crate::dialect::{Dialect, Plan, PlanOptions};
use crate::diff::{Change, diff};
use crate::driver::{Driver, RowFilter};
use crate::folder::{Folder, FolderError, Journal};
use crate::generate::{CUSTOM_SQL, same_schema};
use crate::migrate::Migration;
use crate::model::Schema;

/// How a finding bears on a deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// The release still running keeps working while and after it applies.
    Safe,
    /// The release still running, or the migration itself, can fail because of it.
    Breaking,
    /// It holds a lock for a time that grows with the table: traffic waits.
    Locking,
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Safe => "safe",
            Class::Breaking => "breaking",
            Class::Locking => "locking",
        })
    }
}

/// One lint rule: its name (what `-- schema:allow` takes), its class, and the dialect it is
/// about (`None`: every dialect).
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// The name, as `-- schema:allow <name>` spells it.
    pub name: &'static str,
    /// Its class.
    pub class: Class,
    /// The dialect whose statements it reads, or `None` for a rule about the change itself.
    pub dialect: Option<&'static str>,
    /// What it finds, in a few words.
    pub summary: &'static str,
}

/// One finding: a rule that a statement of a migration meets.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The migration's tag.
    pub tag: String,
    /// The statement (the file's breakpoint-separated piece), from 1; `None` where it could not
    /// be placed (the file differs from its snapshot's plan and its SQL does not say).
    pub statement: Option<usize>,
    /// The rule.
    pub rule: &'static Rule,
    /// What the statement does, in words (``drops `users.bio` ``).
    pub subject: String,
    /// Why it breaks running code or blocks traffic (empty for a safe finding).
    pub why: String,
    /// The safe way, step by step, for this very table or column (empty for a safe finding).
    pub safe_way: Vec<String>,
    /// The table it is about, if one.
    pub table: Option<String>,
    /// The column it is about, if one.
    pub column: Option<String>,
    /// The table's rows, for a locking finding when a database was given.
    pub rows: Option<i64>,
    /// Whether the migration's file holds `-- schema:allow <rule>`.
    pub acknowledged: bool,
}

impl Finding {
    /// A finding of `rule`, not yet placed in a migration.
    pub fn new(rule: &'static Rule, subject: impl Into<String>) -> Finding {
        Finding {
            tag: String::new(),
            statement: None,
            rule,
            subject: subject.into(),
            why: String::new(),
            safe_way: Vec::new(),
            table: None,
            column: None,
            rows: None,
            acknowledged: false,
        }
    }

    /// Why it breaks or blocks.
    pub fn why(mut self, why: impl Into<String>) -> Finding {
        self.why = why.into();
        self
    }

    /// The safe way, step by step.
    pub fn steps<S: Into<String>>(mut self, steps: impl IntoIterator<Item = S>) -> Finding {
        self.safe_way = steps.into_iter().map(Into::into).collect();
        self
    }

    /// About this table (and column).
    pub fn on(mut self, table: &str, column: Option<&str>) -> Finding {
        self.table = Some(table.to_string());
        self.column = column.map(str::to_string);
        self
    }

    /// At statement `n` (from 1).
    pub fn at(mut self, n: usize) -> Finding {
        self.statement = Some(n);
        self
    }

    /// Its class (the rule's).
    pub fn class(&self) -> Class {
        self.rule.class
    }

    /// The line that acknowledges it in the migration's file.
    pub fn allow_line(&self) -> String {
        format!("{ALLOW}{}", self.rule.name)
    }

    /// The subject with the table's size when it is known: ``rebuilds `events` (4.2M rows)``.
    pub fn headline(&self) -> String {
        match self.rows {
            Some(n) => format!("{} ({})", self.subject, rows_said(n)),
            None => self.subject.clone(),
        }
    }

    /// Whether it should stop a deploy: breaking (or, when `strict`, locking) and not
    /// acknowledged.
    pub fn blocks(&self, strict: bool) -> bool {
        !self.acknowledged && (self.class() == Class::Breaking || (strict && self.class() == Class::Locking))
    }
}

/// A row count in words: `950 rows`, `12.5k rows`, `4.2M rows`.
pub fn rows_said(n: i64) -> String {
    let short = |v: f64, unit: &str| {
        let s = format!("{v:.1}");
        format!("{}{unit}", s.strip_suffix(".0").unwrap_or(&s))
    };
    match n {
        1 => "1 row".to_string(),
        n if n < 10_000 => format!("{n} rows"),
        n if n < 1_000_000 => format!("{} rows", short(n as f64 / 1_000.0, "k")),
        n => format!("{} rows", short(n as f64 / 1_000_000.0, "M")),
    }
}

/// The comment that acknowledges a rule in a migration's file: `-- schema:allow drop-column`.
pub const ALLOW: &str = "-- schema:allow ";

/// What a dialect adds to lint: the findings about how its statements take locks, which
/// depend on how it carries a change out, not on the change.
///
/// The hook for a new dialect: implement this beside its `Dialect` and return it from
/// [`Dialect::lint_rules`]. PostgreSQL's rule set is written already ([`postgres::POSTGRES`]);
/// its dialect returns it once it lands.
pub trait DialectRules: fmt::Debug + Sync {
    /// The rules it can find, for the catalogue and to check `-- schema:allow` names.
    fn rules(&self) -> &'static [&'static Rule];

    /// The findings of one migration's statements (its breakpoint-separated pieces), and the
    /// pieces that belong to a mechanism of the dialect (SQLite's rebuild: its copy, drop and
    /// swap), which the dialect-free rules must not read as the user's own drops and creates.
    fn check(&self, statements: &[String]) -> DialectFindings;
}

/// What a dialect's rules found in one migration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DialectFindings {
    /// The findings, each placed at its statement.
    pub findings: Vec<Finding>,
    /// The pieces (from 0) that the dialect-free reading of SQL leaves alone.
    pub covered: BTreeSet<usize>,
}

/// The rules of a dialect that adds none.
#[derive(Debug)]
pub struct NoDialectRules;

/// [`NoDialectRules`], for [`Dialect::lint_rules`]'s default.
pub static NO_DIALECT_RULES: NoDialectRules = NoDialectRules;

impl DialectRules for NoDialectRules {
    fn rules(&self) -> &'static [&'static Rule] {
        &[]
    }

    fn check(&self, _statements: &[String]) -> DialectFindings {
        DialectFindings::default()
    }
}

/// Where a migration's findings came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The diff of its snapshot against its parent's, placed by the plan.
    Diff,
    /// The diff, but the file differs from what the snapshots plan: statements beyond the plan
    /// were read as SQL.
    DiffAndSql,
    /// Its SQL alone (a custom migration, or no snapshot).
    Sql,
}

/// The findings of one migration.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationLint {
    /// The migration's tag.
    pub tag: String,
    /// What was found, in statement order.
    pub findings: Vec<Finding>,
    /// Names in `-- schema:allow` lines of the file that no rule has (a typo acknowledges
    /// nothing).
    pub unknown_allows: Vec<String>,
    /// Where the findings came from.
    pub source: Source,
}

impl MigrationLint {
    /// The findings that stop a deploy (see [`Finding::blocks`]).
    pub fn blocking(&self, strict: bool) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.blocks(strict))
    }
}

/// The rule names a migration's file acknowledges: every `-- schema:allow a, b` comment (read
/// as a comment token, so the text inside a string acknowledges nothing).
pub fn acknowledged(sql: &str) -> Vec<String> {
    use schema_model::sql::lex::tokenize;
    let marker = ALLOW.trim_start_matches("--").trim();
    let mut out = Vec::new();
    // Every acknowledgment holds the marker: a file without it is not tokenized.
    if !sql.contains(marker) {
        return out;
    }
    for t in tokenize(sql).into_iter().filter(|t| t.is_comment()) {
        let text = t.text(sql);
        let Some(body) = text.strip_prefix("--") else { continue };
        let Some(names) = body.trim().strip_prefix(marker) else {
            continue;
        };
        if !names.starts_with(char::is_whitespace) {
            continue; // `schema:allowed`, not an acknowledgment
        }
        out.extend(
            names
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|n| !n.is_empty())
                .map(str::to_string),
        );
    }
    out
}

/// Lints `migrations` (each a migration of `folder`'s journal). With `db`, locking findings
/// carry the row counts of their tables as they are now (a table an earlier pending migration
/// creates has none yet, and gets none).
pub fn lint(
    folder: &Folder,
    migrations: &[&Migration],
    mut db: Option<&mut (dyn Driver + '_)>,
) -> Result<Vec<MigrationLint>, FolderError> {
    let journal = folder.read_journal()?;
    let mut out = Vec::new();
    for m in migrations {
        let mut l = lint_one(folder, &journal, m);
        if let Some(db) = db.as_deref_mut() {
            for f in l.findings.iter_mut().filter(|f| f.class() == Class::Locking) {
                if let Some(t) = &f.table {
                    f.rows = db.count_rows(t, RowFilter::All).ok();
                }
            }
        }
        out.push(l);
    }
    Ok(out)
}

/// One migration's findings.
fn lint_one(folder: &Folder, journal: &Journal, m: &Migration) -> MigrationLint {
    let dialect = folder.dialect();
    match diffed(folder, journal, m) {
        Some((prev, next, renames)) => {
            let changes = diff(&prev, &next, &renames);
            let plan = dialect.plan(&prev, &next, &changes, &PlanOptions::default()).ok();
            lint_text(dialect, m.tag(), m.sql(), Some((&changes, plan.as_ref(), &next)))
        }
        None => lint_text(dialect, m.tag(), m.sql(), None),
    }
}

/// The findings of the migration `generate` has just written (`tag`, its file's text `sql`),
/// from the changes it was written from, their plan and the schema after it: what
/// [`lint`] finds reading the migration's snapshots back, without reading them. The diff is the
/// one the file was planned from, so every planned statement is placed in the file.
pub fn lint_written(
    dialect: &dyn Dialect,
    tag: &str,
    sql: &str,
    changes: &[Change],
    plan: &Plan,
    next: &Schema,
) -> MigrationLint {
    let diffed = (!changes.is_empty() && !sql.contains(CUSTOM_SQL)).then_some((changes, Some(plan), next));
    lint_text(dialect, tag, sql, diffed)
}

/// The changes a migration carries out, their plan (if the dialect could plan them) and the
/// schema after it.
type Diffed<'a> = (&'a [Change], Option<&'a Plan>, &'a Schema);

/// One migration's findings from its text and, where its snapshots say, its diff.
fn lint_text(dialect: &dyn Dialect, tag: &str, sql: &str, diffed: Option<Diffed<'_>>) -> MigrationLint {
    let pieces = crate::folder::split_statements(sql);
    let dialect_rules = dialect.lint_rules();
    let found = dialect_rules.check(&pieces);
    let mut findings = found.findings;

    let (from_diff, placed, source) = match diffed {
        Some((changes, plan, next)) => {
            let (f, placed) = diff_findings(dialect, changes, plan, next, &pieces);
            let source = if placed.len() == pieces.len() {
                Source::Diff
            } else {
                Source::DiffAndSql
            };
            (f, placed, source)
        }
        None => (Vec::new(), BTreeSet::new(), Source::Sql),
    };
    let mut from_sql = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        if placed.contains(&i) || found.covered.contains(&i) {
            continue;
        }
        for action in read::actions(piece) {
            from_sql.push(rules::finding(&action, dialect).at(i + 1));
        }
    }
    // A change the plan could not place is placed by the statement that reads as it.
    let mut from_diff = from_diff;
    from_sql.retain(|s| {
        match from_diff
            .iter_mut()
            .find(|d| d.statement.is_none() && d.rule == s.rule && d.table == s.table && d.column == s.column)
        {
            Some(d) => {
                d.statement = s.statement;
                false
            }
            None => true,
        }
    });
    findings.extend(from_diff);
    findings.extend(from_sql);
    // In statement order; at one statement what breaks first, then what locks, then the safe.
    let rank = |c: Class| match c {
        Class::Breaking => 0,
        Class::Locking => 1,
        Class::Safe => 2,
    };
    findings.sort_by_key(|f| (f.statement.unwrap_or(usize::MAX), rank(f.class())));

    let allowed = acknowledged(sql);
    let known = |n: &str| rule_named(n).is_some() || dialect_rules.rules().iter().any(|r| r.name == n);
    let unknown_allows = allowed.iter().filter(|n| !known(n)).cloned().collect();
    for f in &mut findings {
        f.tag = tag.to_string();
        f.acknowledged = allowed.iter().any(|a| a == f.rule.name);
    }
    MigrationLint {
        tag: tag.to_string(),
        findings,
        unknown_allows,
        source,
    }
}

/// The schemas before and after `m` and its renames, when its snapshots say what it changes:
/// not for a custom migration, nor one whose snapshot is missing or unreadable.
fn diffed(folder: &Folder, journal: &Journal, m: &Migration) -> Option<(Schema, Schema, crate::diff::Renames)> {
    if m.sql().contains(CUSTOM_SQL) {
        return None;
    }
    let pos = journal.entries.iter().position(|e| e.tag == m.tag())?;
    let next = folder.read_snapshot(journal.entries[pos].idx).ok()?;
    let prev = match pos.checked_sub(1) {
        Some(p) => folder.read_snapshot(journal.entries[p].idx).ok()?.schema,
        None => Schema::default(),
    };
    if same_schema(&prev, &next.schema) {
        return None;
    }
    Some((prev, next.schema, next.renames))
}

/// The findings of `changes` (a diff that ends at `next`), each placed at the piece of `pieces`
/// that holds the first statement their `plan` made for it; and the pieces the plan accounts
/// for.
fn diff_findings(
    dialect: &dyn Dialect,
    changes: &[Change],
    plan: Option<&Plan>,
    next: &Schema,
    pieces: &[String],
) -> (Vec<Finding>, BTreeSet<usize>) {
    // Each planned statement matched, in order, to the piece of the file that is the same text.
    let mut at_piece: Vec<Option<usize>> = Vec::new();
    let mut placed = BTreeSet::new();
    if let Some(plan) = plan {
        let mut from = 0;
        for s in &plan.statements {
            let found = (from..pieces.len()).find(|&i| pieces[i] == s.trim());
            if let Some(i) = found {
                placed.insert(i);
                from = i + 1;
            }
            at_piece.push(found);
        }
    }
    // Each change's statement: the first one in plan order that carries it out and is placed.
    let mut statement_of: Vec<Option<usize>> = vec![None; changes.len()];
    if let Some(plan) = plan {
        for (origins, at) in plan.origins.iter().zip(&at_piece) {
            let Some(at) = at else { continue };
            for &ci in origins {
                if let Some(slot) = statement_of.get_mut(ci)
                    && slot.is_none()
                {
                    *slot = Some(at + 1);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (change, statement) in changes.iter().zip(statement_of) {
        for action in read::from_change(change, next, dialect) {
            let mut f = rules::finding(&action, dialect);
            f.statement = statement;
            out.push(f);
        }
    }
    (out, placed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lines_are_comments_not_strings() {
        let sql = "-- schema:allow drop-column, rename-column\nALTER TABLE t DROP COLUMN a;\n\
                   INSERT INTO n VALUES ('-- schema:allow drop-table');\n/* -- schema:allow x */\n--schema:allow  set-not-null";
        assert_eq!(acknowledged(sql), vec!["drop-column", "rename-column", "set-not-null"]);
    }

    #[test]
    fn row_counts_read_as_people_say_them() {
        assert_eq!(rows_said(1), "1 row");
        assert_eq!(rows_said(950), "950 rows");
        assert_eq!(rows_said(12_500), "12.5k rows");
        assert_eq!(rows_said(4_200_000), "4.2M rows");
        assert_eq!(rows_said(1_000_000), "1M rows");
    }
}
