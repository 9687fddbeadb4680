//! SQLite's lint rule: a table rebuild copies every row while the migration holds the
//! database's write lock. Rebuilds are found in the file itself (the `-- schema:rebuild` marker
//! `schema generate` writes, drizzle-kit's `__new_<table>`), read with the lexer, so generated,
//! drizzle-kit and hand-written rebuilds are all seen; their copy, drop and swap statements are
//! mechanics, which the dialect-free rules must not read as the user dropping a table.

use std::collections::BTreeSet;

use schema_model::sql::lex::{self, Kind};

use super::plan::{NEW_PREFIX, REBUILD_MARKER, marked_rebuilds, turns_foreign_keys_off};
use crate::lint::{Class, DialectFindings, DialectRules, Finding, Rule};

/// `table-rebuild`: SQLite cannot alter this in place.
pub static TABLE_REBUILD: Rule = Rule {
    name: "table-rebuild",
    class: Class::Locking,
    dialect: Some("sqlite"),
    summary: "a table rebuilt (copied into a new table): the write lock is held while every row is copied",
};

static RULES: &[&Rule] = &[&TABLE_REBUILD];

/// SQLite's rule set.
#[derive(Debug)]
pub struct SqliteRules;

/// The rule set, for [`crate::dialect::Dialect::lint_rules`].
pub static SQLITE_RULES: SqliteRules = SqliteRules;

impl DialectRules for SqliteRules {
    fn rules(&self) -> &'static [&'static Rule] {
        RULES
    }

    fn check(&self, statements: &[String]) -> DialectFindings {
        check_pieces(statements, true)
    }
}

/// [`SqliteRules::check`]; `skim` passes over, unread, a piece that [`plainly_no_mechanics`].
fn check_pieces(statements: &[String], skim: bool) -> DialectFindings {
    let mut out = DialectFindings::default();
    // Tables whose rebuild has started (their `__new_` table exists) and not yet swapped in.
    let mut open: BTreeSet<String> = BTreeSet::new();
    let mut said: BTreeSet<String> = BTreeSet::new();
    for (i, piece) in statements.iter().enumerate() {
        if skim && plainly_no_mechanics(piece, &open) {
            continue;
        }
        let marked: Vec<String> = marked_rebuilds(piece);
        let mut all_mechanics = true;
        for stmt in lex::split(piece) {
            let (mechanics, started) = read(stmt.text, &mut open);
            all_mechanics &= mechanics;
            for table in started.into_iter().chain(marked.iter().cloned()) {
                if said.insert(table.to_ascii_lowercase()) {
                    out.findings.push(rebuild(&table, i + 1));
                }
            }
        }
        if all_mechanics || turns_foreign_keys_off(piece) {
            out.covered.insert(i);
        }
    }
    out
}

/// Whether `piece` starts no rebuild and holds a statement that is not a rebuild's mechanics,
/// seen without reading it token by token (most of a large first migration is `CREATE TABLE`s
/// and `CREATE INDEX`es): with no rebuild open, [`read`] says yes only to a statement holding
/// `__new_`, `PRAGMA`, `sqlite_sequence` or `__schema_fk_guard` (as a word, a name or a string,
/// whose text then holds it: unquoting only halves doubled quotes), a piece that starts with a
/// word holds a statement, and one without the marker marks no rebuild; and it does not turn
/// foreign keys off (a check of each line's first letter, mostly).
fn plainly_no_mechanics(piece: &str, open: &BTreeSet<String>) -> bool {
    open.is_empty()
        && piece.trim_start().starts_with(|c: char| c.is_ascii_alphabetic())
        // One pass for all five; case aside for the first two too, which only errs towards
        // the full read.
        && !holds_any_ignoring_case(
            piece,
            &[NEW_PREFIX, REBUILD_MARKER.trim_end(), "pragma", "sqlite_sequence", "__schema_fk_guard"],
        )
        && !turns_foreign_keys_off(piece)
}

/// Whether `text` holds one of `needles` (lowercase ASCII, none empty), ASCII case aside, in
/// one pass.
fn holds_any_ignoring_case(text: &str, needles: &[&str]) -> bool {
    let mut first = [false; 256];
    for n in needles {
        first[usize::from(n.as_bytes()[0])] = true;
    }
    let text = text.as_bytes();
    text.iter().enumerate().any(|(i, b)| {
        first[usize::from(b.to_ascii_lowercase())]
            && needles.iter().any(|n| {
                text.get(i..i + n.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(n.as_bytes()))
            })
    })
}

/// Whether a statement is part of a rebuild's mechanics, and the table whose rebuild it starts.
fn read(src: &str, open: &mut BTreeSet<String>) -> (bool, Option<String>) {
    // The first six words say what a statement is; only `mentions` reads on.
    let toks: Vec<_> = lex::tokens(src).filter(|t| !t.is_comment()).take(6).collect();
    let word = |i: usize, w: &str| toks.get(i).is_some_and(|t| t.is_word(src, w));
    let name = |i: usize| {
        toks.get(i).map(|t| match &t.kind {
            Kind::Quoted(n) | Kind::Str(n) => n.clone(),
            _ => t.text(src).to_string(),
        })
    };
    let rebuilt = |n: &str| n.strip_prefix(NEW_PREFIX).map(str::to_string);
    let mentions = |needle: &str| {
        lex::tokens(src).any(|t| match &t.kind {
            Kind::Quoted(n) | Kind::Str(n) => n.eq_ignore_ascii_case(needle),
            Kind::Word => t.text(src).eq_ignore_ascii_case(needle),
            _ => false,
        })
    };
    if word(0, "CREATE") && word(1, "TABLE") {
        let at = if word(2, "IF") { 5 } else { 2 };
        if let Some(t) = name(at).as_deref().and_then(rebuilt) {
            open.insert(t.to_ascii_lowercase());
            return (true, Some(t));
        }
        return (false, None);
    }
    if word(0, "CREATE") && word(1, "TEMP") && mentions("__schema_fk_guard") {
        return (true, None);
    }
    if word(0, "INSERT") && word(1, "INTO") {
        let target = name(2).unwrap_or_default();
        let mechanics = rebuilt(&target).is_some()
            || target.eq_ignore_ascii_case("sqlite_sequence")
            || target.eq_ignore_ascii_case("temp") && mentions("__schema_fk_guard");
        return (mechanics, None);
    }
    if word(0, "UPDATE") && name(1).is_some_and(|n| n.eq_ignore_ascii_case("sqlite_sequence")) {
        return (true, None);
    }
    if word(0, "DROP") && word(1, "TABLE") {
        let at = if word(2, "IF") { 4 } else { 2 };
        let dropped = name(at).unwrap_or_default();
        let guard = mentions("__schema_fk_guard");
        return (guard || open.contains(&dropped.to_ascii_lowercase()), None);
    }
    if word(0, "ALTER") && word(1, "TABLE") && word(3, "RENAME") && word(4, "TO") {
        if let (Some(from), Some(to)) = (name(2), name(5))
            && rebuilt(&from).is_some_and(|t| t.eq_ignore_ascii_case(&to))
        {
            open.remove(&to.to_ascii_lowercase());
            return (true, None);
        }
        return (false, None);
    }
    if word(0, "PRAGMA") && mentions("foreign_keys") {
        return (true, None);
    }
    (false, None)
}

fn rebuild(table: &str, n: usize) -> Finding {
    Finding::new(&TABLE_REBUILD, format!("rebuilds `{table}`"))
        .on(table, None)
        .at(n)
        .why(format!(
            "the table is locked while it copies: SQLite cannot make this change in place, so the migration copies \
             every row of `{table}` into a new table and swaps it in, holding the database's write lock until it \
             commits; every write to the database waits that long (readers go on in WAL mode)"
        ))
        .steps([
            "rehearse it on a copy to see how long the lock is held: `schema migrate --rehearse`".to_string(),
            "if that is longer than writes can wait, apply it in a quiet window, or choose a change SQLite makes in \
             place (a new nullable column, or one with a default, instead of altering this one)"
                .to_string(),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;
    use crate::diff::{Change, Renames, diff};
    use crate::model::{Column, LogicalType, Schema, Table};

    /// Every `.sql` file under `dir`.
    fn sql_files(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                sql_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "sql") {
                out.push(std::fs::read_to_string(&p).unwrap());
            }
        }
    }

    #[test]
    fn a_piece_passed_over_unread_is_read_as_the_full_read_would() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["tests/fixtures", "examples"] {
            sql_files(&root.join(dir), &mut files);
        }
        assert!(files.len() > 20, "the fixtures are where they were: {}", files.len());
        // Pieces near the line: each is read alone, after a rebuild left open, and in a file.
        let near = [
            "CREATE TABLE `users` (`id` integer);",
            "CREATE TABLE `__new_users` (`id` integer);",
            "CREATE TABLE \"__new_users\" (`id` integer);",
            "CREATE TABLE `__NEW_users` (`id` integer);",
            "INSERT INTO `__new_users`(\"id\") SELECT \"id\" FROM `users`;",
            "INSERT INTO \"SQLITE_SEQUENCE\" VALUES ('t', 1);",
            "UPDATE sqlite_Sequence SET seq = 1;",
            "DROP TABLE `users`;",
            "DROP TABLE `legacy`; DROP TABLE `users`;",
            "ALTER TABLE `__new_users` RENAME TO `users`;",
            "pragma Foreign_Keys = off;",
            "PRAG MA foreign_keys=OFF;",
            "PRAGMA foreign_keys=ON;",
            "CREATE TEMP TABLE __Schema_FK_Guard (x);",
            "INSERT INTO temp.\"__schema_fk_guard\" SELECT 1;",
            "-- schema:rebuild \"users\"\nCREATE TABLE `__new_users` (`id` integer);",
            "-- a note\nCREATE TABLE `t` (`id` integer);",
            "/* a note */ DROP TABLE `users`;",
            "CREATE INDEX `i` ON `users` (`id`);",
            "SELECT 'pragma';",
            "SELECT '__new_x';",
            "x'00';",
            "",
            "   ",
        ];
        let mut cases: Vec<Vec<String>> = Vec::new();
        for piece in near {
            cases.push(vec![piece.to_string()]);
            cases.push(vec![
                "CREATE TABLE `__new_users` (`id` integer);".to_string(),
                piece.to_string(),
            ]);
        }
        cases.push(near.iter().map(|p| p.to_string()).collect());
        cases.extend(files.iter().map(|f| crate::folder::split_statements(f)));
        for pieces in &cases {
            let (skimmed, read) = (check_pieces(pieces, true), check_pieces(pieces, false));
            assert_eq!(skimmed.covered, read.covered, "{pieces:?}");
            let found = |d: &DialectFindings| {
                d.findings
                    .iter()
                    .map(|f| (f.statement, f.table.clone(), f.subject.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(found(&skimmed), found(&read), "{pieces:?}");
        }
        // The skim is taken where it can be: a plain table, not a rebuild's start.
        assert!(plainly_no_mechanics(near[0], &BTreeSet::new()));
        assert!(!plainly_no_mechanics(near[1], &BTreeSet::new()));
        assert!(!plainly_no_mechanics(near[11], &BTreeSet::new()));
    }

    fn check(pieces: &[&str]) -> DialectFindings {
        let v: Vec<String> = pieces.iter().map(|s| s.to_string()).collect();
        SQLITE_RULES.check(&v)
    }

    #[test]
    fn a_drizzle_kit_rebuild_is_one_finding_and_its_mechanics_are_covered() {
        let found = check(&[
            "PRAGMA foreign_keys=OFF;",
            "CREATE TABLE `__new_users` (`id` integer PRIMARY KEY NOT NULL, `age` text);",
            "INSERT INTO `__new_users`(\"id\", \"age\") SELECT \"id\", \"age\" FROM `users`;",
            "DROP TABLE `users`;",
            "ALTER TABLE `__new_users` RENAME TO `users`;",
            "PRAGMA foreign_keys=ON;",
            "DROP TABLE `legacy`;",
        ]);
        let rules: Vec<(&str, Option<usize>, Option<&str>)> = found
            .findings
            .iter()
            .map(|f| (f.rule.name, f.statement, f.table.as_deref()))
            .collect();
        assert_eq!(rules, vec![("table-rebuild", Some(2), Some("users"))]);
        assert_eq!(found.covered, (0..6).collect());
    }

    #[test]
    fn a_generated_rebuild_is_found_by_its_marker_and_every_statement_is_placed() {
        let mut users = Table::new("users");
        let mut id = Column::new("id", LogicalType::Sql("integer".into()));
        id.primary_key = true;
        users.columns.push(id);
        let mut age = Column::new("age", LogicalType::Sql("integer".into()));
        age.not_null = false;
        users.columns.push(age);
        let prev = Schema {
            tables: vec![users],
            ..Default::default()
        };
        let mut next = prev.clone();
        next.tables[0].columns[1].ty = LogicalType::Sql("text".into());
        let changes = diff(&prev, &next, &Renames::default());
        let plan = super::super::SQLITE
            .plan(&prev, &next, &changes, &Default::default())
            .unwrap();
        assert_eq!(plan.origins.len(), plan.statements.len());
        // The rebuild carries the type change out; the PRAGMAs frame it and carry nothing.
        assert!(plan.origins[0].is_empty() && plan.origins.last().unwrap().is_empty());
        assert!(plan.origins[1..plan.origins.len() - 1].iter().all(|o| o == &vec![0]));
        assert!(matches!(changes[0], Change::AlterColumn { .. }));
        let found = SQLITE_RULES.check(&plan.statements);
        assert_eq!(found.findings.len(), 1);
        assert_eq!(found.findings[0].statement, Some(2));
        assert_eq!(found.covered.len(), plan.statements.len());
    }
}
