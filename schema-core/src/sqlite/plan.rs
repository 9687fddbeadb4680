//! Plans a list of changes as SQLite statements: ALTER where SQLite's ALTER is exactly right
//! for a table of any size, otherwise one rebuild per table (new table, explicit copy, drop,
//! rename, indexes, `sqlite_sequence`), in an order that respects every dependency.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use schema_model::sql::sqlite::{constraint_name, ident};

use super::render::{
    column_def, create_index, create_table, dependency_order, dependency_order_of, table_and_indexes, type_name,
};
use crate::dialect::{Plan, PlanError, PlanErrors, PlanOptions};
use crate::diff::Change;
use crate::model::{Column, IndexTarget, Schema, Table};

/// The comment line that marks a rebuild in a migration file. The migrator looks for it to
/// turn foreign keys off around the migration and to recreate dependent views and triggers.
pub const REBUILD_MARKER: &str = "-- schema:rebuild ";

/// The marker line of a rebuild of `table`: the name as a JSON string, so that no name (one
/// holding a newline, say) can end the comment early and put the rest of it into the SQL.
pub fn rebuild_marker(table: &str) -> String {
    format!("{REBUILD_MARKER}{}", serde_json::Value::String(table.to_string()))
}

/// The tables a piece of SQL marks as rebuilt; a marker written before names were JSON
/// strings holds the bare name.
pub fn marked_rebuilds(sql: &str) -> Vec<String> {
    // Most migrations have no marker: one search, not a look at every line.
    if !sql.contains(REBUILD_MARKER.trim_end()) {
        return Vec::new();
    }
    sql.lines()
        .filter_map(|l| l.trim_start().strip_prefix(REBUILD_MARKER.trim_end()))
        .map(|rest| {
            let rest = rest.trim();
            serde_json::from_str::<String>(rest).unwrap_or_else(|_| rest.to_string())
        })
        .collect()
}

/// Whether a statement is `PRAGMA foreign_keys=OFF` (any case and spacing), which a plan or a
/// drizzle-kit migration puts where foreign keys must be off.
pub fn turns_foreign_keys_off(statement: &str) -> bool {
    // Each line compared with its spaces left out, without copying it.
    let squeezed_is = |line: &str, want: &str| {
        let mut have = line.chars().filter(|c| !c.is_whitespace());
        let mut want = want.chars();
        loop {
            match (have.next(), want.next()) {
                (None, None) => return true,
                (Some(h), Some(w)) if h.eq_ignore_ascii_case(&w) => {}
                _ => return false,
            }
        }
    };
    statement.lines().any(|l| {
        let l = l.trim().trim_end_matches(';');
        // Its first letter is the squeezed line's: most lines are passed over at it.
        if !l.starts_with(['P', 'p']) {
            return false;
        }
        squeezed_is(l, "PRAGMAforeign_keys=OFF") || squeezed_is(l, "PRAGMAforeign_keys=0")
    })
}

/// The prefix of the temporary table a rebuild copies into.
pub const NEW_PREFIX: &str = "__new_";

/// A statement that fails the migration, instead of letting a DROP TABLE cascade, when
/// foreign keys are still on: a runner that opened a transaction first cannot turn them off.
fn fk_guard(table: &str) -> Vec<String> {
    vec![
        format!(
            "CREATE TEMP TABLE IF NOT EXISTS `__schema_fk_guard` (fk_off INTEGER CONSTRAINT {} CHECK (fk_off = 0));",
            constraint_name(&format!(
                "foreign keys must be OFF to rebuild or drop {table}: run this migration with PRAGMA foreign_keys=OFF set outside its transaction"
            ))
        ),
        "INSERT INTO temp.`__schema_fk_guard` SELECT foreign_keys FROM pragma_foreign_keys;".to_string(),
        "DROP TABLE temp.`__schema_fk_guard`;".to_string(),
    ]
}

/// The temporary table of the NOT NULL guard: a row inserted into it counts the rows that
/// would be left without a value, and its CHECK fails when there are any.
pub const NULL_GUARD: &str = "__schema_null_guard";

/// Stops the migration, changing nothing, when `filter` finds rows of `table`: plain SQL any
/// runner executes (SQLite's RAISE works only in triggers), failing with the constraint's
/// name, `reason`, as its message. Our runner adds the count (see the runner's `guard_rows`).
fn null_guard(table: &str, filter: Option<&str>, reason: &str) -> Vec<String> {
    let filter = filter
        .map(|c| format!(" WHERE {} IS NULL", ident(c)))
        .unwrap_or_default();
    vec![
        format!(
            "CREATE TEMP TABLE IF NOT EXISTS `{NULL_GUARD}` (n INTEGER CONSTRAINT {} CHECK (n = 0));",
            constraint_name(reason)
        ),
        format!(
            "INSERT INTO temp.`{NULL_GUARD}` SELECT count(*) FROM {}{filter};",
            ident(table)
        ),
        format!("DROP TABLE temp.`{NULL_GUARD}`;"),
    ]
}

/// A column the change leaves NOT NULL without a default, on rows that exist: the guard's
/// reason and which rows it counts (`None`: every row, for a new column).
fn not_null_guard(table: &str, c: &Change) -> Option<(Option<String>, String)> {
    match c {
        Change::AddColumn { column, .. }
            if column.not_null && column.default.is_none() && column.generated.is_none() =>
        {
            Some((
                None,
                format!(
                    "rows of {table} would have no value for the new NOT NULL column {} (it has no default): \
                     give it a default, or add it as an Option, fill it, then make it NOT NULL",
                    column.name
                ),
            ))
        }
        Change::AlterColumn { from, to, .. }
            if to.not_null && !from.not_null && to.default.is_none() && to.generated.is_none() =>
        {
            Some((
                Some(to.name.clone()),
                format!(
                    "rows hold NULL in {table}.{}, which becomes NOT NULL without a default: fill them first \
                     (UPDATE {table} SET {} = .. WHERE {} IS NULL), or give the column a default",
                    to.name, to.name, to.name
                ),
            ))
        }
        _ => None,
    }
}

/// Plans `changes` (from [`crate::diff::diff`] of `prev` and `next`) as statements.
pub fn plan(prev: &Schema, next: &Schema, changes: &[Change], opts: &PlanOptions) -> Result<Plan, PlanErrors> {
    let p = Planner::new(prev, next, changes, opts);
    // Each new table is the target's table of its name.
    let next_names: HashSet<&str> = next.tables.iter().map(|t| t.name.as_str()).collect();
    let missing: Vec<PlanError> = (changes.iter())
        .filter_map(|c| match c {
            Change::CreateTable { table, .. } if !next_names.contains(table.as_str()) => {
                Some(PlanError::CreatedTableMissing { table: table.clone() })
            }
            _ => None,
        })
        .collect();
    if !missing.is_empty() {
        return Err(PlanErrors(missing));
    }
    let mut plan = Plan::default();
    let mut out = Out::default();
    if p.fk_off {
        // NOTE: a no-op inside a transaction; our migrator turns foreign keys off before
        // opening one, and the guard below stops any other runner from cascading.
        out.push("PRAGMA foreign_keys=OFF;".to_string());
    }
    p.drop_indexes(&mut out);
    p.renames(&mut out);
    p.create_tables(&mut out);
    p.alter_tables(&mut out, &mut plan);
    p.drop_tables(&mut out, &mut plan);
    p.create_indexes(&mut out);
    if p.fk_off {
        out.from(Vec::new());
        out.push("PRAGMA foreign_keys=ON;".to_string());
    }
    plan.statements = out.statements;
    plan.origins = out.origins;
    Ok(plan)
}

/// The statements as they are planned, each with the changes it carries out (what lint
/// needs to name a change's statement). Pushing records the current origin beside each.
#[derive(Default)]
struct Out {
    statements: Vec<String>,
    origins: Vec<Vec<usize>>,
    current: Vec<usize>,
}

impl Out {
    /// The statements pushed from now on carry out these changes (indexes into the changes).
    fn from(&mut self, changes: Vec<usize>) {
        self.current = changes;
    }

    fn push(&mut self, statement: String) {
        self.statements.push(statement);
        self.origins.push(self.current.clone());
    }

    fn extend(&mut self, statements: impl IntoIterator<Item = String>) {
        for s in statements {
            self.push(s);
        }
    }
}

/// What the planning steps share: the changes by table, and which tables are created,
/// dropped, renamed and rebuilt.
struct Planner<'a> {
    prev: &'a Schema,
    next: &'a Schema,
    changes: &'a [Change],
    by_table: BTreeMap<&'a str, Vec<&'a Change>>,
    created: BTreeSet<&'a str>,
    dropped: Vec<&'a Table>,
    /// new name → old name
    renamed_from: BTreeMap<&'a str, &'a str>,
    rebuilds: BTreeSet<&'a str>,
    fk_off: bool,
    /// Indexes that exist only as a constraint's (no DROP INDEX for them).
    constraint_indexes: &'a BTreeSet<String>,
}

impl<'a> Planner<'a> {
    fn new(prev: &'a Schema, next: &'a Schema, changes: &'a [Change], opts: &'a PlanOptions) -> Self {
        let recreate = &opts.recreate;
        let mut by_table: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
        let mut created = BTreeSet::new();
        let mut dropped = Vec::new();
        let mut renamed_from = BTreeMap::new();
        for c in changes {
            by_table.entry(c.table()).or_default().push(c);
            match c {
                Change::CreateTable { table, .. } => {
                    created.insert(table.as_str());
                }
                Change::DropTable { table } => dropped.push(table),
                Change::RenameTable { from, to } => {
                    renamed_from.insert(to.as_str(), from.as_str());
                }
                _ => {}
            }
        }
        let mut p = Planner {
            prev,
            next,
            changes,
            by_table,
            created,
            dropped,
            renamed_from,
            rebuilds: BTreeSet::new(),
            fk_off: false,
            constraint_indexes: &opts.constraint_indexes,
        };
        p.rebuilds = p
            .by_table
            .iter()
            .filter(|(t, cs)| {
                !p.created.contains(*t)
                    && p.prev_of(t).is_some()
                    && (recreate.contains(**t) || needs_rebuild(p.prev_of(t), cs))
            })
            .map(|(t, _)| *t)
            .collect();
        p.fk_off = !p.rebuilds.is_empty() || p.dropped.iter().any(|t| p.referenced(&t.name));
        p
    }

    /// Where `c` is in the changes, for [`Out::from`].
    fn origin(&self, c: &Change) -> Vec<usize> {
        // `c` is one of `self.changes` or none of them: its index follows from its address, as
        // a search by identity would find it, without the search (which made planning
        // quadratic in the changes).
        let size = size_of::<Change>().max(1);
        let (base, addr) = (self.changes.as_ptr() as usize, c as *const Change as usize);
        let offset = addr.wrapping_sub(base);
        if addr >= base && offset.is_multiple_of(size) && offset / size < self.changes.len() {
            vec![offset / size]
        } else {
            Vec::new()
        }
    }

    /// The table as it was before the migration, under its old name if it was renamed.
    fn prev_of(&self, name: &str) -> Option<&'a Table> {
        self.prev.table(self.renamed_from.get(name).copied().unwrap_or(name))
    }

    /// A table another table points at: dropping it with foreign keys on would cascade.
    fn referenced(&self, name: &str) -> bool {
        self.prev
            .tables
            .iter()
            .any(|t| t.name != name && t.foreign_keys.iter().any(|f| f.ref_table == name))
    }

    /// Indexes go first, so none is left on a column about to be dropped or rebuilt away.
    /// An index of a rebuilt table is dropped by name too, although the rebuild's DROP TABLE
    /// would take it: the migrator puts back every index a rebuild takes that the migration
    /// does not drop by name (made by a custom migration), so a dropped one must say so.
    fn drop_indexes(&self, out: &mut Out) {
        for c in self.changes {
            if let Change::DropIndex { index, .. } = c
                && !self.constraint_indexes.contains(&index.name)
            {
                out.from(self.origin(c));
                // No IF EXISTS: an index that is not there means the database is not what the
                // migrations say, and that must stop the migration, not pass silently.
                out.push(format!("DROP INDEX {};", ident(&index.name)));
            }
        }
    }

    /// Renames are ALTERs, which repoint every reference (foreign keys, indexes, triggers).
    /// A swap or a cycle (`a` → `b` while `b` → `a`) goes through temporary names, since a
    /// name can only be taken once it is free.
    fn renames(&self, out: &mut Out) {
        let table_changes: Vec<&Change> = self
            .changes
            .iter()
            .filter(|c| matches!(c, Change::RenameTable { .. }))
            .collect();
        let tables: Vec<(&str, &str)> = table_changes
            .iter()
            .filter_map(|c| match c {
                Change::RenameTable { from, to } => Some((from.as_str(), to.as_str())),
                _ => None,
            })
            .collect();
        let taken: Vec<&str> = self.prev.tables.iter().map(|t| t.name.as_str()).collect();
        // A step through a temporary name serves every rename of the swap.
        out.from(table_changes.iter().flat_map(|c| self.origin(c)).collect());
        for (from, to) in rename_steps(&tables, &taken) {
            out.push(format!("ALTER TABLE {} RENAME TO {};", ident(&from), ident(&to)));
        }
        let mut by_table: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
        for c in self.changes {
            if let Change::RenameColumn { table, .. } = c {
                by_table.entry(table.as_str()).or_default().push(c);
            }
        }
        for (table, changes) in by_table {
            let pairs: Vec<(&str, &str)> = changes
                .iter()
                .filter_map(|c| match c {
                    Change::RenameColumn { from, to, .. } => Some((from.as_str(), to.as_str())),
                    _ => None,
                })
                .collect();
            let taken: Vec<&str> = self
                .prev_of(table)
                .map(|t| t.columns.iter().map(|c| c.name.as_str()).collect())
                .unwrap_or_default();
            out.from(changes.iter().flat_map(|c| self.origin(c)).collect());
            for (from, to) in rename_steps(&pairs, &taken) {
                out.push(format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {};",
                    ident(table),
                    ident(&from),
                    ident(&to)
                ));
            }
        }
    }

    fn create_tables(&self, out: &mut Out) {
        let new_tables: Vec<&Table> = self
            .next
            .tables
            .iter()
            .filter(|t| self.created.contains(t.name.as_str()))
            .collect();
        // Each new table's CreateTable change (the first of its name), found once.
        let mut creates: HashMap<&str, usize> = HashMap::new();
        for (i, c) in self.changes.iter().enumerate() {
            if let Change::CreateTable { table, .. } = c {
                creates.entry(table.as_str()).or_insert(i);
            }
        }
        for t in dependency_order_of(&new_tables) {
            out.from(creates.get(t.name.as_str()).map(|&i| vec![i]).unwrap_or_default());
            out.extend(table_and_indexes(t));
        }
    }

    /// Each changed table that is kept: rebuilt, or altered column by column.
    fn alter_tables(&self, out: &mut Out, plan: &mut Plan) {
        for t in dependency_order(&self.next.tables) {
            let Some(cs) = self.by_table.get(t.name.as_str()) else {
                continue;
            };
            if self.created.contains(t.name.as_str()) {
                continue;
            }
            let Some(p) = self.prev_of(&t.name) else { continue };
            if self.rebuilds.contains(t.name.as_str()) {
                out.from(cs.iter().flat_map(|c| self.origin(c)).collect());
                out.extend(rebuild(p, t, cs, self.referenced(&t.name) || self.referenced(&p.name)));
                plan.rebuilt.push(t.name.clone());
            } else {
                for c in cs {
                    out.from(self.origin(c));
                    match c {
                        Change::AddColumn { column, .. } => {
                            out.push(format!("ALTER TABLE {} ADD {};", ident(&t.name), column_def(t, column)))
                        }
                        Change::DropColumn { column, .. } => out.push(format!(
                            "ALTER TABLE {} DROP COLUMN {};",
                            ident(&t.name),
                            ident(&column.name)
                        )),
                        _ => {}
                    }
                }
            }
            for c in cs {
                if let Change::DropColumn { column, .. } = c {
                    plan.warnings.push(format!(
                        "dropping column `{}.{}`: its data will be lost",
                        t.name, column.name
                    ));
                }
                if let Some((column, _)) = not_null_guard(&t.name, c) {
                    plan.warnings.push(match column {
                        Some(col) => format!(
                            "`{}.{col}` becomes NOT NULL without a default: the migration fails, changing nothing, \
                             while any row holds NULL there (it counts them)",
                            t.name
                        ),
                        None => format!(
                            "`{}` gets a NOT NULL column without a default: the migration fails, changing nothing, \
                             if the table has rows",
                            t.name
                        ),
                    });
                }
            }
        }
    }

    /// Children before parents, so no drop leaves a dangling reference behind it.
    fn drop_tables(&self, out: &mut Out, plan: &mut Plan) {
        let dropped: Vec<Table> = self.dropped.iter().map(|t| (*t).clone()).collect();
        for t in dependency_order(&dropped).into_iter().rev() {
            let dropping = self
                .changes
                .iter()
                .find(|c| matches!(c, Change::DropTable { table } if table.name == t.name));
            out.from(dropping.map(|c| self.origin(c)).unwrap_or_default());
            if self.referenced(&t.name) {
                out.extend(fk_guard(&t.name));
            }
            out.push(format!("DROP TABLE {};", ident(&t.name)));
            plan.warnings
                .push(format!("dropping table `{}`: all its rows will be lost", t.name));
        }
    }

    fn create_indexes(&self, out: &mut Out) {
        for c in self.changes {
            if let Change::CreateIndex { table, index } = c
                && !self.rebuilds.contains(table.as_str())
                && !self.created.contains(table.as_str())
            {
                out.from(self.origin(c));
                out.push(create_index(table, index));
            }
        }
    }
}

/// The ALTERs that carry out `renames` (old name → new name): one each, unless a new name is
/// still taken by an old one that moves later (a swap, a cycle), in which case every rename goes
/// first to a temporary name no existing name (`taken`) has, then to its new name.
fn rename_steps(renames: &[(&str, &str)], taken: &[&str]) -> Vec<(String, String)> {
    let cyclic = renames
        .iter()
        .any(|(_, to)| renames.iter().any(|(from, _)| from.eq_ignore_ascii_case(to)));
    if !cyclic {
        return renames.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect();
    }
    let mut temps = Vec::new();
    let mut n = 0;
    while temps.len() < renames.len() {
        let candidate = format!("{NEW_PREFIX}rename_{n}");
        n += 1;
        let clash = |x: &&str| x.eq_ignore_ascii_case(&candidate);
        if !taken.iter().any(clash) && !renames.iter().any(|(f, t)| clash(f) || clash(t)) {
            temps.push(candidate);
        }
    }
    let mut steps: Vec<(String, String)> = renames
        .iter()
        .zip(&temps)
        .map(|((from, _), tmp)| (from.to_string(), tmp.clone()))
        .collect();
    steps.extend(
        renames
            .iter()
            .zip(&temps)
            .map(|((_, to), tmp)| (tmp.clone(), to.to_string())),
    );
    steps
}

/// Whether SQLite's ALTER TABLE cannot do these changes exactly, so the table is rebuilt.
fn needs_rebuild(prev: Option<&Table>, changes: &[&Change]) -> bool {
    let Some(prev) = prev else { return false };
    changes.iter().any(|c| match c {
        Change::RenameTable { .. }
        | Change::RenameColumn { .. }
        | Change::CreateIndex { .. }
        | Change::DropIndex { .. } => false,
        Change::AddColumn { column, .. } => !can_add_column(column),
        Change::DropColumn { column, .. } => !can_drop_column(prev, column),
        _ => true,
    })
}

/// ALTER TABLE ADD COLUMN's restrictions (lang_altertable.html): no PRIMARY KEY or UNIQUE, no
/// `CURRENT_*` or parenthesised default, NOT NULL only with a non-NULL default, no STORED
/// generated column.
fn can_add_column(c: &Column) -> bool {
    let default_ok = match &c.default {
        None => !c.not_null,
        // A string holding the statement separator is written as a parenthesised expression.
        Some(d) => {
            let u = d.to_sql().trim().to_ascii_uppercase();
            !(u.starts_with('(') || u.starts_with("CURRENT_") || (c.not_null && u == "NULL"))
        }
    };
    !c.primary_key
        && !c.unique
        && c.generated.as_ref().is_none_or(|g| !g.stored)
        && (default_ok || c.generated.is_some())
}

/// ALTER TABLE DROP COLUMN fails on a key column, on one a foreign key, check, generated
/// column or partial or expression index names; those tables are rebuilt instead.
fn can_drop_column(prev: &Table, c: &Column) -> bool {
    let name = &c.name;
    let mentioned = |expr: &str| mentions(expr, name);
    !c.primary_key
        && !prev.key_columns().contains(&name.as_str())
        && !prev.foreign_keys.iter().any(|f| f.columns.contains(name))
        && !prev.uniques.iter().any(|u| u.columns.contains(name))
        && !prev.checks.iter().any(|ch| mentioned(&ch.expr))
        && !prev
            .columns
            .iter()
            .any(|o| o.generated.as_ref().is_some_and(|g| mentioned(&g.expr)))
        && !prev.indexes.iter().any(|i| {
            i.where_clause.as_deref().is_some_and(mentioned)
                || matches!(&i.target, IndexTarget::Expr(e) if mentioned(e))
        })
}

pub use schema_model::sql::mentions;

/// The rebuild of one table, SQLite's 12-step way: create the new table under a temporary
/// name, copy every row with an explicit source for each column, drop the old, rename.
fn rebuild(prev: &Table, next: &Table, changes: &[&Change], referenced: bool) -> Vec<String> {
    let tmp = format!("{NEW_PREFIX}{}", next.name);
    let mut tmp_table = next.clone();
    tmp_table.name = tmp.clone();
    let mut out = Vec::new();
    out.push(format!("{}\n{}", rebuild_marker(&next.name), create_table(&tmp_table)));

    // Columns are matched by name: renames were done by ALTER before the rebuild.
    let renamed: BTreeMap<&str, &str> = changes
        .iter()
        .filter_map(|c| {
            if let Change::RenameColumn { from, to, .. } = c {
                Some((from.as_str(), to.as_str()))
            } else {
                None
            }
        })
        .collect();
    let prev_col = |name: &str| {
        prev.columns
            .iter()
            .find(|c| renamed.get(c.name.as_str()).copied().unwrap_or(c.name.as_str()) == name)
    };
    let mut targets = Vec::new();
    let mut sources = Vec::new();
    // Keep rowids where no INTEGER PRIMARY KEY carries them: other tables (FTS content_rowid)
    // may point at them.
    if !next.options.sqlite.without_rowid && !prev.options.sqlite.without_rowid && rowid_alias(next).is_none() {
        targets.push("rowid".to_string());
        sources.push("rowid".to_string());
    }
    for c in next.columns.iter().filter(|c| c.generated.is_none()) {
        let Some(p) = prev_col(&c.name) else { continue }; // new: its default applies
        let src = ident(&c.name);
        let src = match (&c.default, c.not_null && !p.not_null) {
            (Some(d), true) => format!("coalesce({src}, {})", d.to_sql()),
            _ => src,
        };
        targets.push(ident(&c.name));
        sources.push(src);
    }
    if referenced {
        out.extend(fk_guard(&next.name));
    }
    // NOTE: before the copy, so the migration stops with the count and a way out rather than
    // SQLite's bare "NOT NULL constraint failed" at the first such row.
    for (column, reason) in changes.iter().filter_map(|c| not_null_guard(&next.name, c)) {
        out.extend(null_guard(&next.name, column.as_deref(), &reason));
    }
    if !targets.is_empty() {
        out.push(format!(
            "INSERT INTO {}({}) SELECT {} FROM {};",
            ident(&tmp),
            targets.join(", "),
            sources.join(", "),
            ident(&next.name)
        ));
    }
    if next.columns.iter().any(|c| c.autoincrement) {
        // A deleted id must not be handed out again: carry the counter over.
        let q = |s: &str| schema_model::sql::string_literal(s);
        out.push(format!(
            "INSERT INTO sqlite_sequence(name, seq) SELECT {}, seq FROM sqlite_sequence WHERE name = {} \
             AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {});",
            q(&tmp),
            q(&next.name),
            q(&tmp)
        ));
        out.push(format!(
            "UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = {}), 0)) WHERE name = {};",
            q(&next.name),
            q(&tmp)
        ));
    }
    out.push(format!("DROP TABLE {};", ident(&next.name)));
    out.push(format!("ALTER TABLE {} RENAME TO {};", ident(&tmp), ident(&next.name)));
    out.extend(next.indexes.iter().map(|i| create_index(&next.name, i)));
    out
}

/// The column that is the table's rowid: a single `integer` primary key.
pub fn rowid_alias(t: &Table) -> Option<&Column> {
    if t.options.sqlite.without_rowid || t.primary_key.is_some() {
        return None;
    }
    t.columns
        .iter()
        .find(|c| c.primary_key && type_name(&c.ty).eq_ignore_ascii_case("integer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_whole_identifiers_only() {
        assert!(mentions("\"age\" >= 0", "age"));
        assert!(mentions("length(age) > 1", "age"));
        assert!(!mentions("page > 1", "age"));
        assert!(!mentions("age_limit > 1", "age"));
    }

    /// A change names the table it creates; one the target does not have is an error, not
    /// a migration without it.
    #[test]
    fn a_created_table_is_the_target_s_table_of_its_name() {
        let mut t = Table::new("users");
        t.columns
            .push(Column::new("id", crate::model::LogicalType::Sql("integer".into())));
        let next = Schema {
            tables: vec![t],
            ..Default::default()
        };
        let create = |name: &str| Change::CreateTable {
            table: name.into(),
            schema: None,
        };
        let made = |changes: &[Change]| plan(&Schema::default(), &next, changes, &PlanOptions::default());
        let planned = made(&[create("users")]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            planned.statements,
            ["CREATE TABLE `users` (\n\t`id` integer NOT NULL\n);\n"]
        );
        let Err(e) = made(&[create("users"), create("posts")]) else {
            panic!("planned a table the target does not have");
        };
        assert_eq!(
            e,
            PlanErrors(vec![PlanError::CreatedTableMissing { table: "posts".into() }])
        );
        assert!(e.to_string().contains("the changes create the table `posts`"), "{e}");
    }
}
