//! PostgreSQL's planner: everything is altered in place, in one transaction (PostgreSQL's DDL
//! is transactional), so there are no rebuilds. A type change casts with `USING`; a column
//! made NOT NULL gets its default written into the NULL rows first; an identity added to a
//! column with rows starts after the largest id, so ids are never reused.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::render::{
    Names, add_foreign_key, column_def, create_enum, create_index, create_namespace, create_table, drop_index, enum_q,
    ident, ident_list, identity_clause, is_identity, namespaces, qualified, sql_type, unique_constraint,
};
use crate::dialect::{Plan, PlanError, PlanErrors};
use crate::diff::Change;
use crate::model::{Column, EnumType, LogicalType, Schema, Table};

/// The statements, each with the changes it carries out.
#[derive(Default)]
struct Out {
    statements: Vec<String>,
    origins: Vec<Vec<usize>>,
}

impl Out {
    fn push(&mut self, origin: usize, sql: String) {
        self.statements.push(sql);
        self.origins.push(vec![origin]);
    }
}

/// The phase of the plan a change's statements belong to: drops of what depends on a table
/// before the table changes, additions after, foreign keys and indexes last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// `CREATE SCHEMA` for a namespace the new schema uses first.
    Namespace,
    /// `CREATE TYPE` and `ALTER TYPE .. ADD VALUE`: before any column uses them.
    CreateType,
    /// `ALTER TABLE .. SET SCHEMA`: a table moved to another namespace, under its old name.
    Move,
    Rename,
    /// Names that follow a renamed table or column, after it is renamed.
    RenameDerived,
    DropDependent,
    DropTable,
    /// An enum type that lost values, made again (its columns cast through text).
    RecreateType,
    CreateTable,
    AddColumn,
    AlterColumn,
    DropColumn,
    /// `DROP TYPE`, once no column uses it.
    DropType,
    AddConstraint,
    AddForeignKey,
    CreateIndex,
}

pub fn plan(prev: &Schema, next: &Schema, changes: &[Change]) -> Result<Plan, PlanErrors> {
    let names = Names::of(prev.tables.iter().chain(&next.tables));
    let mut plan = Plan::default();
    // (phase, change index, statement)
    let mut planned: Vec<(Phase, usize, String)> = Vec::new();
    // Names that follow a rename are renamed in place; the drop and re-add the diff says for
    // them (it keys constraints and indexes by name) are left out.
    let (renamed, handled) = renamed_names(&names, prev, next, changes);
    planned.extend(renamed);
    let had = namespaces(prev);
    for ns in namespaces(next) {
        if !had.contains(&ns) {
            let origin = changes
                .iter()
                .position(|c| match c {
                    Change::CreateEnum { ty } => ty.schema.as_deref() == Some(ns.as_str()),
                    Change::CreateSequence { sequence } => sequence.schema.as_deref() == Some(ns.as_str()),
                    _ => next
                        .table(c.table())
                        .is_some_and(|t| t.options.postgres.schema.as_deref() == Some(ns.as_str())),
                })
                .unwrap_or(0);
            planned.push((Phase::Namespace, origin, create_namespace(&ns)));
        }
    }
    let mut add = |phase: Phase, i: usize, sql: String| planned.push((phase, i, sql));
    // The checks dropped and added again around a column's type change, once each.
    let mut rechecked: BTreeSet<(String, String)> = BTreeSet::new();
    // New tables in drizzle-kit's order, by `schema.name` (the diff orders them by name).
    let mut order: Vec<usize> = (0..changes.len()).collect();
    // Each new table is the target's table of its name in its namespace (`public.users` and
    // `auth.users` are two tables).
    let next_by_key: HashMap<(Option<&str>, &str), &Table> = (next.tables.iter())
        .map(|t| ((t.options.postgres.schema.as_deref(), t.name.as_str()), t))
        .collect();
    let created = |table: &str, schema: &Option<String>| next_by_key.get(&(schema.as_deref(), table)).copied();
    let mut missing = Vec::new();
    order.sort_by_key(|&i| match &changes[i] {
        Change::CreateTable { table, schema } => created(table, schema).map(super::render::table_key),
        _ => None,
    });
    for i in order {
        let change = &changes[i];
        let skip = match change {
            Change::DropUnique { unique, .. } | Change::AddUnique { unique, .. } => handled.contains(&unique.name),
            Change::DropIndex { index, .. } | Change::CreateIndex { index, .. } => handled.contains(&index.name),
            Change::DropForeignKey { fk, .. } | Change::AddForeignKey { fk, .. } => handled.contains(&fk.name),
            _ => false,
        };
        if skip {
            continue;
        }
        match change {
            // After a move (which comes first), the old name lives in the new schema.
            Change::RenameTable { from, to } => add(
                Phase::Rename,
                i,
                format!(
                    "ALTER TABLE {} RENAME TO {};",
                    qualified(names.schema(to), from),
                    ident(to)
                ),
            ),
            Change::RenameColumn { table, from, to } => add(
                Phase::Rename,
                i,
                format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {};",
                    names.q(table),
                    ident(from),
                    ident(to)
                ),
            ),
            Change::CreateTable { table: name, schema } => {
                let Some(table) = created(name, schema) else {
                    missing.push(PlanError::CreatedTableMissing {
                        table: match schema {
                            Some(s) => format!("{s}.{name}"),
                            None => name.clone(),
                        },
                    });
                    continue;
                };
                add(Phase::CreateTable, i, create_table(&names, table));
                for fk in &table.foreign_keys {
                    add(Phase::AddForeignKey, i, add_foreign_key(&names, &table.name, fk));
                }
                for ix in &table.indexes {
                    add(Phase::CreateIndex, i, create_index(&names, &table.name, ix));
                }
            }
            Change::DropTable { table } => {
                let q = qualified(table.options.postgres.schema.as_deref(), &table.name);
                add(Phase::DropTable, i, format!("DROP TABLE {q};"));
                plan.warnings
                    .push(format!("dropping table `{}`: all its rows will be lost", table.name));
            }
            Change::AddColumn { table, column } => {
                // A NOT NULL column with nothing to put in it: the table must be empty.
                if column.not_null && column.default.is_none() && column.generated.is_none() && !is_identity(column) {
                    add(
                        Phase::AddColumn,
                        i,
                        null_guard(
                            &names.q(table),
                            "true",
                            &format!(
                                "cannot add the NOT NULL column {table}.{} without a default: {{n}} row(s) would have no value; \
                                 add a default, or make it nullable and fill it first",
                                column.name
                            ),
                        ),
                    );
                }
                add(
                    Phase::AddColumn,
                    i,
                    format!(
                        "ALTER TABLE {} ADD COLUMN {};",
                        names.q(table),
                        column_def(&names, table, column, false)
                    ),
                )
            }
            Change::DropColumn { table, column } => {
                add(
                    Phase::DropColumn,
                    i,
                    format!("ALTER TABLE {} DROP COLUMN {};", names.q(table), ident(&column.name)),
                );
                plan.warnings.push(format!(
                    "dropping column `{table}.{}`: its data will be lost",
                    column.name
                ));
            }
            Change::AlterColumn { table, from, to } => {
                for sql in alter_column(&names, table, from, to, &mut plan.warnings) {
                    add(Phase::AlterColumn, i, sql);
                }
                // PostgreSQL keeps a check as its parsed tree and re-reads it from its text when
                // a column it names changes type: `length(c0)` of a text column would become
                // the bytea `length`, and `(c0)::text` casts it had written lost. Dropped before
                // the type changes and added after, each check means what the schema says.
                if from.ty != to.ty
                    && let Some(t) = next.table(table)
                {
                    for ch in t
                        .checks
                        .iter()
                        .filter(|ch| schema_model::sql::mentions(&ch.expr, &to.name))
                    {
                        let redone = changes.iter().any(|c| {
                            matches!(c, Change::AddCheck { table: ct, check } | Change::DropCheck { table: ct, check }
                                if ct == table && check.name == ch.name)
                        });
                        if redone || !rechecked.insert((table.clone(), ch.name.clone())) {
                            continue;
                        }
                        add(Phase::DropDependent, i, drop_constraint(&names, table, &ch.name));
                        add(Phase::AddConstraint, i, add_check(&names, table, ch));
                    }
                }
            }
            Change::SetPrimaryKey { table, from, to } => {
                if let Some(pk) = from {
                    add(Phase::DropDependent, i, drop_constraint(&names, table, &pk.name));
                }
                if let Some(pk) = to {
                    add(
                        Phase::AddConstraint,
                        i,
                        format!(
                            "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY({});",
                            names.q(table),
                            ident(&pk.name),
                            ident_list(&pk.columns, ",")
                        ),
                    );
                }
            }
            Change::AddForeignKey { table, fk } => add(Phase::AddForeignKey, i, add_foreign_key(&names, table, fk)),
            // drizzle-kit ends this one statement with a newline.
            Change::DropForeignKey { table, fk } => add(
                Phase::DropDependent,
                i,
                format!("{}\n", drop_constraint(&names, table, &fk.name)),
            ),
            Change::AddCheck { table, check } => add(Phase::AddConstraint, i, add_check(&names, table, check)),
            Change::DropCheck { table, check } => {
                add(Phase::DropDependent, i, drop_constraint(&names, table, &check.name))
            }
            Change::AddUnique { table, unique } => add(
                Phase::AddConstraint,
                i,
                format!("ALTER TABLE {} ADD {};", names.q(table), unique_constraint(unique)),
            ),
            Change::DropUnique { table, unique } => {
                add(Phase::DropDependent, i, drop_constraint(&names, table, &unique.name))
            }
            // SQLite's STRICT / WITHOUT ROWID are normalized away; a new schema is a move.
            Change::SetOptions { table, from, to } => {
                if from.postgres.schema != to.postgres.schema {
                    let old_name = changes
                        .iter()
                        .find_map(|c| match c {
                            Change::RenameTable { from, to } if to == table => Some(from.as_str()),
                            _ => None,
                        })
                        .unwrap_or(table);
                    add(
                        Phase::Move,
                        i,
                        format!(
                            "ALTER TABLE {} SET SCHEMA {};",
                            qualified(from.postgres.schema.as_deref(), old_name),
                            ident(to.postgres.schema.as_deref().unwrap_or("public"))
                        ),
                    );
                }
            }
            Change::CreateEnum { ty } => add(Phase::CreateType, i, create_enum(ty)),
            // A sequence is there before any default that calls it, and goes after them.
            Change::CreateSequence { sequence } => add(Phase::CreateType, i, super::render::create_sequence(sequence)),
            Change::AlterSequence { from, to } => {
                if let Some(sql) = super::render::alter_sequence(from, to) {
                    add(Phase::CreateType, i, sql);
                }
            }
            Change::DropSequence { sequence } => add(
                Phase::DropType,
                i,
                format!("DROP SEQUENCE {};", super::render::sequence_q(sequence)),
            ),
            Change::DropEnum { ty } => add(Phase::DropType, i, format!("DROP TYPE {};", enum_q(ty))),
            Change::AlterEnum { from, to } => match added_values(from, to) {
                Some(added) => {
                    for sql in added {
                        add(Phase::CreateType, i, sql);
                    }
                }
                None => {
                    for sql in recreate_enum(&names, prev, next, changes, from, to) {
                        add(Phase::RecreateType, i, sql);
                    }
                }
            },
            Change::CreateIndex { table, index } => add(Phase::CreateIndex, i, create_index(&names, table, index)),
            Change::DropIndex { table, index } => add(Phase::DropDependent, i, drop_index(&names, table, &index.name)),
        }
    }
    if !missing.is_empty() {
        return Err(PlanErrors(missing));
    }
    // A stable sort keeps each phase in the order of the changes.
    planned.sort_by_key(|(phase, _, _)| *phase);
    let mut out = Out::default();
    for (_, i, sql) in planned {
        out.push(i, sql);
    }
    plan.statements = out.statements;
    plan.origins = out.origins;
    Ok(plan)
}

/// `ALTER TYPE .. ADD VALUE` for each value `to` adds, placed as `to` places it (`BEFORE` the
/// next value the type already has, else at the end); `None` when `to` also drops or reorders
/// values, which only a new type can do.
fn added_values(from: &EnumType, to: &EnumType) -> Option<Vec<String>> {
    let kept: Vec<&String> = to.values.iter().filter(|v| from.values.contains(v)).collect();
    if kept.len() != from.values.len() || kept.iter().zip(&from.values).any(|(a, b)| *a != b) {
        return None;
    }
    let lit = |v: &str| schema_model::sql::string_literal(v);
    let mut out = Vec::new();
    for (i, v) in to.values.iter().enumerate() {
        if from.values.contains(v) {
            continue;
        }
        let before = to.values[i + 1..].iter().find(|n| from.values.contains(n));
        out.push(match before {
            Some(b) => format!("ALTER TYPE {} ADD VALUE {} BEFORE {};", enum_q(to), lit(v), lit(b)),
            None => format!("ALTER TYPE {} ADD VALUE {};", enum_q(to), lit(v)),
        });
    }
    Some(out)
}

/// An enum type that loses values (or orders them anew) is made again: every column of it is
/// cast to text, the type dropped and created with its new values, and each column cast back.
/// A guard first fails the migration, changing nothing, while a row holds a value the type
/// loses. Columns the migration drops or gives another type stay text for that change.
fn recreate_enum(
    names: &Names,
    prev: &Schema,
    next: &Schema,
    changes: &[Change],
    from: &EnumType,
    to: &EnumType,
) -> Vec<String> {
    let renamed_table = |old: &str| -> Option<String> {
        changes.iter().find_map(|c| match c {
            Change::RenameTable { from, to } if from == old => Some(to.clone()),
            _ => None,
        })
    };
    let renamed_column = |table: &str, old: &str| -> Option<String> {
        changes.iter().find_map(|c| match c {
            Change::RenameColumn { table: t, from, to } if t == table && from == old => Some(to.clone()),
            _ => None,
        })
    };
    let removed: Vec<String> = from
        .values
        .iter()
        .filter(|v| !to.values.contains(v))
        .map(|v| schema_model::sql::string_literal(v))
        .collect();
    let (mut guards, mut to_text, mut back) = (Vec::new(), Vec::new(), Vec::new());
    for t in &prev.tables {
        let table = renamed_table(&t.name).unwrap_or_else(|| t.name.clone());
        // A table the migration drops goes before the type changes.
        let Some(after) = next.table(&table) else { continue };
        let q = names.q(&table);
        for c in &t.columns {
            // A column of the type, or of an array of it (`[]` on each cast).
            let array = match &c.ty {
                LogicalType::Enum(e) if e.same_type(from) => "",
                LogicalType::EnumArray(e) if e.same_type(from) => "[]",
                _ => continue,
            };
            let name = renamed_column(&table, &c.name).unwrap_or_else(|| c.name.clone());
            let col = ident(&name);
            let stays = after.column(&name).filter(|n| match &n.ty {
                LogicalType::Enum(e) => array.is_empty() && e.same_type(to),
                LogicalType::EnumArray(e) => !array.is_empty() && e.same_type(to),
                _ => false,
            });
            if c.default.is_some() {
                to_text.push(format!("ALTER TABLE {q} ALTER COLUMN {col} DROP DEFAULT;"));
            }
            to_text.push(format!("ALTER TABLE {q} ALTER COLUMN {col} SET DATA TYPE text{array};"));
            let Some(stays) = stays else { continue };
            if !removed.is_empty() {
                let holds = if array.is_empty() {
                    format!("{col}::text IN ({})", removed.join(", "))
                } else {
                    format!("{col}::text[] && ARRAY[{}]::text[]", removed.join(", "))
                };
                guards.push(null_guard(
                    &q,
                    &holds,
                    &format!(
                        "cannot remove {} from the enum type {}: {{n}} row(s) of {table}.{name} hold it; change them first",
                        removed.join(", "),
                        to.key()
                    ),
                ));
            }
            let ty = format!("{}{array}", enum_q(to));
            back.push(format!(
                "ALTER TABLE {q} ALTER COLUMN {col} SET DATA TYPE {ty} USING {col}::{ty};"
            ));
            if let Some(d) = &stays.default {
                back.push(format!(
                    "ALTER TABLE {q} ALTER COLUMN {col} SET DEFAULT {};",
                    d.to_sql()
                ));
            }
        }
    }
    let mut out = guards;
    out.extend(to_text);
    out.push(format!("DROP TYPE {};", enum_q(from)));
    out.push(create_enum(to));
    out.extend(back);
    out
}

/// A statement that fails the migration, saying `message` (`{n}` is the count), when rows of
/// `table` match `condition`: PostgreSQL's own error would not say how many, nor what to do.
fn null_guard(table: &str, condition: &str, message: &str) -> String {
    // RAISE formats its message: a `%` of a name is doubled, `{n}` becomes the placeholder.
    let message = message.replace('\'', "''").replace('%', "%%").replace("{n}", "%");
    // A tag no name can close early: one not found in the statement.
    let mut tag = String::from("guard");
    while table.contains(&format!("${tag}$")) || message.contains(&format!("${tag}$")) {
        tag.push('_');
    }
    format!(
        "DO ${tag}$ DECLARE n bigint; BEGIN SELECT count(*) INTO n FROM {table} WHERE {condition}; \
         IF n > 0 THEN RAISE EXCEPTION '{message}', n; END IF; END ${tag}$;"
    )
}

fn add_check(names: &Names, table: &str, check: &crate::model::Check) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({});",
        names.q(table),
        ident(&check.name),
        check.expr
    )
}

fn drop_constraint(names: &Names, table: &str, name: &str) -> String {
    format!("ALTER TABLE {} DROP CONSTRAINT {};", names.q(table), ident(name))
}

/// Names derived from a table's or a column's name follow its rename, as drizzle-kit's do:
/// PostgreSQL keeps constraint, index and identity-sequence names as they were, so each one the
/// new schema names differently is renamed (`RENAME CONSTRAINT`, `ALTER INDEX .. RENAME`,
/// `ALTER SEQUENCE .. RENAME`), and the database keeps the names its snapshot says.
fn renamed_names(
    names: &Names,
    prev: &Schema,
    next: &Schema,
    changes: &[Change],
) -> (Vec<(Phase, usize, String)>, BTreeSet<String>) {
    let mut out = Vec::new();
    let mut handled = BTreeSet::new();
    let mut tables: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
    let mut columns: BTreeMap<(&str, &str), (&str, usize)> = BTreeMap::new();
    for (i, c) in changes.iter().enumerate() {
        match c {
            Change::RenameTable { from, to } => {
                tables.insert(to, (from, i));
            }
            Change::RenameColumn { table, from, to } => {
                columns.insert((table, to), (from, i));
            }
            _ => {}
        }
    }
    if tables.is_empty() && columns.is_empty() {
        return (out, handled);
    }
    for t in &next.tables {
        let (old_name, table_change) = tables.get(t.name.as_str()).copied().unwrap_or((&t.name, usize::MAX));
        let Some(old) = prev.table(old_name) else { continue };
        let col_change = |c: &str| columns.get(&(t.name.as_str(), c)).map(|(_, i)| *i);
        // A column's name before the migration.
        let was = |c: &String| -> String {
            columns
                .get(&(t.name.as_str(), c.as_str()))
                .map_or_else(|| c.clone(), |(f, _)| (*f).to_string())
        };
        let was_all = |cs: &[String]| cs.iter().map(&was).collect::<Vec<_>>();
        let was_table = |n: &str| tables.get(n).map_or_else(|| n.to_string(), |(f, _)| (*f).to_string());
        // The change a renamed name comes from: the table's rename, else a column's.
        let origin = |cs: &[String]| {
            if table_change != usize::MAX {
                table_change
            } else {
                cs.iter().find_map(|c| col_change(c)).unwrap_or(0)
            }
        };
        let table_q = names.q(&t.name);
        let schema = t.options.postgres.schema.as_deref();
        let mut rename = |i: usize, from: &str, to: &str, index: bool| {
            if from != to {
                handled.insert(from.to_string());
                handled.insert(to.to_string());
                let sql = if index {
                    format!("ALTER INDEX {} RENAME TO {};", qualified(schema, from), ident(to))
                } else {
                    format!(
                        "ALTER TABLE {table_q} RENAME CONSTRAINT {} TO {};",
                        ident(from),
                        ident(to)
                    )
                };
                out.push((Phase::RenameDerived, i, sql));
            }
        };
        for fk in &t.foreign_keys {
            if let Some(o) = old.foreign_keys.iter().find(|o| {
                o.columns == was_all(&fk.columns) && o.ref_table == was_table(&fk.ref_table) && o.name != fk.name
            }) && !t.foreign_keys.iter().any(|f| f.name == o.name)
            {
                rename(origin(&fk.columns), &o.name, &fk.name, false);
            }
        }
        for u in &t.uniques {
            if let Some(o) = old
                .uniques
                .iter()
                .find(|o| o.columns == was_all(&u.columns) && o.name != u.name)
                && !t.uniques.iter().any(|x| x.name == o.name)
            {
                rename(origin(&u.columns), &o.name, &u.name, false);
            }
        }
        if let (Some(pk), Some(o)) = (&t.primary_key, &old.primary_key)
            && o.columns == was_all(&pk.columns)
        {
            rename(origin(&pk.columns), &o.name, &pk.name, false);
        }
        for ix in &t.indexes {
            let same = |o: &crate::model::Index| match (&o.target, &ix.target) {
                (crate::model::IndexTarget::Columns(a), crate::model::IndexTarget::Columns(b)) => *a == was_all(b),
                _ => false,
            };
            if let Some(o) = old.indexes.iter().find(|o| same(o) && o.name != ix.name)
                && !t.indexes.iter().any(|x| x.name == o.name)
            {
                let cols = match &ix.target {
                    crate::model::IndexTarget::Columns(c) => c.clone(),
                    crate::model::IndexTarget::Expr(_) => Vec::new(),
                };
                rename(origin(&cols), &o.name, &ix.name, true);
            }
        }
        // PostgreSQL's own names for a one-column key and an identity's sequence.
        if table_change != usize::MAX && t.columns.iter().any(|c| c.primary_key) && t.primary_key.is_none() {
            rename(
                table_change,
                &format!("{old_name}_pkey"),
                &format!("{}_pkey", t.name),
                false,
            );
        }
        // An identity's sequence follows a rename as the column's change (alter_column).
    }
    (out, handled)
}

/// The statements that change one column in place.
fn alter_column(names: &Names, table: &str, from: &Column, to: &Column, warnings: &mut Vec<String>) -> Vec<String> {
    let t = names.q(table);
    let c = ident(&to.name);
    let mut out = Vec::new();
    // A generated expression cannot be altered in place (before PostgreSQL 17): the column is
    // dropped and added again, its values computed anew.
    if from.generated != to.generated {
        if from.generated.is_none() {
            warnings.push(format!(
                "`{table}.{}` becomes a generated column: its stored values are replaced by the expression's",
                to.name
            ));
        }
        out.push(format!("ALTER TABLE {t} DROP COLUMN {c};"));
        out.push(format!(
            "ALTER TABLE {t} ADD COLUMN {};",
            column_def(names, table, to, false)
        ));
        return out;
    }
    let type_changed = !from.ty.eq_ignore_case(&to.ty);
    let default_changed = !match (&from.default, &to.default) {
        (Some(a), Some(b)) => a.same_as(b),
        (None, None) => true,
        _ => false,
    };
    // The old default may not cast to the new type: it goes first, and comes back after.
    if type_changed && from.default.is_some() {
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT;"));
    }
    if type_changed {
        let ty = sql_type(&to.ty);
        out.push(format!(
            "ALTER TABLE {t} ALTER COLUMN {c} SET DATA TYPE {ty} USING {c}::{ty};"
        ));
        // (What the change risks is said by `Dialect::type_change_risk`, for generate and push.)
    }
    if let Some(d) = &to.default
        && (default_changed || type_changed)
    {
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {};", d.to_sql()));
    } else if to.default.is_none() && default_changed {
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT;"));
    }
    if to.not_null && !from.not_null {
        // The rows that hold NULL get the default first; without one, SET NOT NULL fails over
        // them and the migration changes nothing.
        if let Some(d) = &to.default {
            out.push(format!("UPDATE {t} SET {c} = {} WHERE {c} IS NULL;", d.to_sql()));
        }
        if to.default.is_none() {
            out.push(null_guard(
                &t,
                &format!("{c} IS NULL"),
                &format!(
                    "cannot make {table}.{} NOT NULL: {{n}} row(s) hold NULL there; give them a value first, or the column a default",
                    to.name
                ),
            ));
        }
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;"));
    } else if from.not_null && !to.not_null && !to.primary_key {
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;"));
    }
    if from.primary_key != to.primary_key {
        if from.primary_key {
            out.push(format!(
                "ALTER TABLE {t} DROP CONSTRAINT {};",
                ident(&format!("{table}_pkey"))
            ));
        }
        if to.primary_key {
            out.push(format!("ALTER TABLE {t} ADD PRIMARY KEY ({c});"));
        }
    }
    if is_identity(from)
        && is_identity(to)
        && let (Some(a), Some(b)) = (&from.identity, &to.identity)
    {
        // A sequence named after its table and column follows their renames.
        if let (Some(old), Some(new)) = (&a.name, &b.name)
            && old != new
        {
            out.push(format!(
                "ALTER SEQUENCE {} RENAME TO {};",
                qualified(names.schema(table), old),
                ident(new)
            ));
        }
        let changes = super::render::identity_changes(a, b);
        if !changes.is_empty() {
            out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} {};", changes.join(" ")));
        }
    }
    match (is_identity(from), is_identity(to)) {
        (false, true) => {
            out.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {c} ADD {};",
                identity_clause(names, table, to)
            ));
            // Ids already there are never handed out again.
            out.push(format!(
                "SELECT setval(pg_get_serial_sequence({}, {}), coalesce(max({c}), 0) + 1, false) FROM {t};",
                schema_model::sql::string_literal(&t),
                schema_model::sql::string_literal(&to.name)
            ));
        }
        (true, false) => out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP IDENTITY;")),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Renames, diff};
    use crate::model::Column;

    fn table(schema: Option<&str>, name: &str) -> Table {
        let mut t = Table::new(name);
        t.columns.push(Column::new("id", LogicalType::Sql("integer".into())));
        t.options.postgres.schema = schema.map(str::to_string);
        t
    }

    /// As in SQLite's planner: the table a change creates is the target's table of its name
    /// (in its namespace); one the target does not have is an error.
    #[test]
    fn a_created_table_is_the_target_s_table_of_its_name() {
        let next = Schema {
            tables: vec![table(None, "users")],
            ..Default::default()
        };
        let create = |name: &str, schema: Option<&str>| Change::CreateTable {
            table: name.into(),
            schema: schema.map(str::to_string),
        };
        let planned = plan(&Schema::default(), &next, &[create("users", None)]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(planned.statements.len(), 1, "{:?}", planned.statements);
        assert!(
            planned.statements[0].starts_with("CREATE TABLE \"users\""),
            "{:?}",
            planned.statements
        );
        let missing = [
            create("users", None),
            create("posts", None),
            create("users", Some("auth")),
        ];
        let Err(e) = plan(&Schema::default(), &next, &missing) else {
            panic!("planned a table the target does not have");
        };
        assert_eq!(
            e,
            PlanErrors(vec![
                PlanError::CreatedTableMissing { table: "posts".into() },
                PlanError::CreatedTableMissing {
                    table: "auth.users".into()
                },
            ])
        );
    }

    /// `public.users` and `auth.users` are two tables: each is created, once.
    #[test]
    fn new_tables_of_one_name_in_two_namespaces_are_each_created() {
        let next = Schema {
            tables: vec![table(None, "users"), table(Some("auth"), "users")],
            ..Default::default()
        };
        let changes = diff(&Schema::default(), &next, &Renames::default());
        let planned = plan(&Schema::default(), &next, &changes).unwrap_or_else(|e| panic!("{e}"));
        let creates: Vec<&str> = (planned.statements.iter())
            .filter(|s| s.starts_with("CREATE TABLE"))
            .map(|s| s.lines().next().unwrap_or_default())
            .collect();
        assert_eq!(
            creates,
            ["CREATE TABLE \"auth\".\"users\" (", "CREATE TABLE \"users\" ("],
            "{:?}",
            planned.statements
        );
    }
}
