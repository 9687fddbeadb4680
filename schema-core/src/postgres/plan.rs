//! PostgreSQL's planner: everything is altered in place, in one transaction (PostgreSQL's DDL
//! is transactional), so there are no rebuilds. A type change casts with `USING`; a column
//! made NOT NULL gets its default written into the NULL rows first; an identity added to a
//! column with rows starts after the largest id, so ids are never reused.

use std::collections::BTreeMap;

use super::render::{
    add_foreign_key, column_def, create_index, create_table, ident, ident_list, identity_clause, is_identity, sql_type,
    unique_constraint,
};
use crate::dialect::{Plan, PlanErrors};
use crate::diff::Change;
use crate::model::{Column, Schema};

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
    Rename,
    DropDependent,
    DropTable,
    CreateTable,
    AddColumn,
    AlterColumn,
    DropColumn,
    AddConstraint,
    AddForeignKey,
    CreateIndex,
}

pub fn plan(prev: &Schema, next: &Schema, changes: &[Change]) -> Result<Plan, PlanErrors> {
    let mut keys: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for t in prev.tables.iter().chain(&next.tables) {
        keys.insert(&t.name, t.key_columns().into_iter().map(String::from).collect());
    }
    let key_of = |t: &str| keys.get(t).cloned().unwrap_or_default();
    let mut plan = Plan::default();
    // (phase, change index, statement)
    let mut planned: Vec<(Phase, usize, String)> = Vec::new();
    let mut add = |phase: Phase, i: usize, sql: String| planned.push((phase, i, sql));
    for (i, change) in changes.iter().enumerate() {
        match change {
            Change::RenameTable { from, to } => add(
                Phase::Rename,
                i,
                format!("ALTER TABLE {} RENAME TO {};", ident(from), ident(to)),
            ),
            Change::RenameColumn { table, from, to } => add(
                Phase::Rename,
                i,
                format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {};",
                    ident(table),
                    ident(from),
                    ident(to)
                ),
            ),
            Change::CreateTable { table } => {
                add(Phase::CreateTable, i, create_table(table));
                for fk in &table.foreign_keys {
                    add(Phase::AddForeignKey, i, add_foreign_key(&table.name, fk, &key_of));
                }
                for ix in &table.indexes {
                    add(Phase::CreateIndex, i, create_index(&table.name, ix));
                }
            }
            Change::DropTable { table } => {
                add(Phase::DropTable, i, format!("DROP TABLE {};", ident(&table.name)));
                plan.warnings
                    .push(format!("dropping table `{}`: all its rows will be lost", table.name));
            }
            Change::AddColumn { table, column } => {
                add(
                    Phase::AddColumn,
                    i,
                    format!(
                        "ALTER TABLE {} ADD COLUMN {};",
                        ident(table),
                        column_def(table, column, false)
                    ),
                );
            }
            Change::DropColumn { table, column } => {
                add(
                    Phase::DropColumn,
                    i,
                    format!("ALTER TABLE {} DROP COLUMN {};", ident(table), ident(&column.name)),
                );
                plan.warnings.push(format!(
                    "dropping column `{table}.{}`: its data will be lost",
                    column.name
                ));
            }
            Change::AlterColumn { table, from, to } => {
                for sql in alter_column(table, from, to, &mut plan.warnings) {
                    add(Phase::AlterColumn, i, sql);
                }
            }
            Change::SetPrimaryKey { table, from, to } => {
                if let Some(pk) = from {
                    add(
                        Phase::DropDependent,
                        i,
                        format!("ALTER TABLE {} DROP CONSTRAINT {};", ident(table), ident(&pk.name)),
                    );
                }
                if let Some(pk) = to {
                    add(
                        Phase::AddConstraint,
                        i,
                        format!(
                            "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY({});",
                            ident(table),
                            ident(&pk.name),
                            ident_list(&pk.columns, ",")
                        ),
                    );
                }
            }
            Change::AddForeignKey { table, fk } => add(Phase::AddForeignKey, i, add_foreign_key(table, fk, &key_of)),
            Change::DropForeignKey { table, fk } => add(Phase::DropDependent, i, drop_constraint(table, &fk.name)),
            Change::AddCheck { table, check } => add(
                Phase::AddConstraint,
                i,
                format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({});",
                    ident(table),
                    ident(&check.name),
                    check.expr
                ),
            ),
            Change::DropCheck { table, check } => add(Phase::DropDependent, i, drop_constraint(table, &check.name)),
            Change::AddUnique { table, unique } => add(
                Phase::AddConstraint,
                i,
                format!("ALTER TABLE {} ADD {};", ident(table), unique_constraint(unique)),
            ),
            Change::DropUnique { table, unique } => add(Phase::DropDependent, i, drop_constraint(table, &unique.name)),
            // SQLite's STRICT / WITHOUT ROWID mean nothing here (normalized away).
            Change::SetOptions { .. } => {}
            Change::CreateIndex { table, index } => add(Phase::CreateIndex, i, create_index(table, index)),
            Change::DropIndex { index, .. } => {
                add(Phase::DropDependent, i, format!("DROP INDEX {};", ident(&index.name)))
            }
        }
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

fn drop_constraint(table: &str, name: &str) -> String {
    format!("ALTER TABLE {} DROP CONSTRAINT {};", ident(table), ident(name))
}

/// The statements that change one column in place.
fn alter_column(table: &str, from: &Column, to: &Column, warnings: &mut Vec<String>) -> Vec<String> {
    let t = ident(table);
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
        out.push(format!("ALTER TABLE {t} ADD COLUMN {};", column_def(table, to, false)));
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
        warnings.push(format!(
            "`{table}.{}` changes type: every value is cast to {ty}, and the migration fails, changing nothing, if one does not cast",
            to.name
        ));
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
    match (is_identity(from), is_identity(to)) {
        (false, true) => {
            out.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {c} ADD {};",
                identity_clause(table, to)
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
