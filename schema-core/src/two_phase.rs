//! `generate --two-phase`: the expand half of an expand/contract change. A column renamed or
//! dropped, or a table dropped, is kept by this migration (its snapshot still has it), so code
//! of the previous release keeps working; a renamed column's new name is added beside the old
//! one and the values copied. What is deferred is what a later `schema generate` writes, once
//! no running code uses the old name.

use std::fmt;

use crate::dialect::Dialect;
use crate::diff::{Change, Renames};
use crate::model::{Column, IndexTarget, Schema, Table};

/// What the first phase writes instead of the whole change.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The schema after the first phase: the target, with what is deferred kept.
    pub schema: Schema,
    /// The renames the first phase carries out (table renames; no column that is split).
    pub renames: Renames,
    /// Statements after the planned ones: each new column filled from the one it replaces.
    pub copies: Vec<String>,
    /// What a later `schema generate` does.
    pub deferred: Vec<Deferred>,
}

/// A change left for a later migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deferred {
    /// `table.from` was added as `to` and copied; dropping `from` is left.
    Rename {
        /// The table.
        table: String,
        /// The old column, kept.
        from: String,
        /// The new one, added now.
        to: String,
        /// The statement that copies what the previous release wrote since (into the old
        /// column only), to run before the drop.
        recopy: String,
    },
    /// Dropping `table.column` is left.
    DropColumn {
        /// The table.
        table: String,
        /// The column, kept.
        column: String,
    },
    /// Dropping `table` is left.
    DropTable {
        /// The table, kept.
        table: String,
    },
}

impl fmt::Display for Deferred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deferred::Rename {
                table,
                from,
                to,
                recopy,
            } => write!(
                f,
                "drop `{table}.{from}` (now copied into `{to}`), once no running code reads `{from}`; first copy what \
                 the previous release wrote in between, in a custom migration: {recopy}"
            ),
            Deferred::DropColumn { table, column } => {
                write!(f, "drop `{table}.{column}`, once no running code reads or writes it")
            }
            Deferred::DropTable { table } => write!(f, "drop `{table}`, once no running code uses it"),
        }
    }
}

/// Why a change cannot be split.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SplitError {
    /// The new column cannot be added beside the old one.
    #[error(
        "--two-phase adds `{table}.{to}` beside `{table}.{from}`, and a NOT NULL column without a default cannot be added \
         to a table with rows; for the transition give it a default (#[column(default = ..)]) or make the field an \
         Option, and tighten it once `{from}` is dropped"
    )]
    NewNotNull {
        /// The table.
        table: String,
        /// The old column.
        from: String,
        /// The new one.
        to: String,
    },
    /// A key column cannot be kept beside its replacement.
    #[error(
        "--two-phase cannot keep `{table}.{column}` beside its replacement: it is part of the primary key; \
         change the key in one migration (see `schema lint`)"
    )]
    KeyColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
}

/// The first phase of `changes` (the diff `prev` → `target` under `renames`). Where nothing is
/// deferred, the split is the whole change.
pub fn split(
    prev: &Schema,
    target: &Schema,
    renames: &Renames,
    changes: &[Change],
    dialect: &dyn Dialect,
) -> Result<Split, SplitError> {
    let mut schema = target.clone();
    let mut kept_renames = Renames {
        tables: renames.tables.clone(),
        columns: Vec::new(),
    };
    let mut copies = Vec::new();
    let mut deferred = Vec::new();
    let old_table = |new: &str| {
        let old = renames
            .tables
            .iter()
            .find(|(_, n)| n == new)
            .map_or(new, |(o, _)| o.as_str());
        prev.table(old)
    };
    for (table, from, to) in &renames.columns {
        let (Some(before), Some(after)) = (old_table(table), schema.tables.iter_mut().find(|t| t.name == *table))
        else {
            kept_renames.columns.push((table.clone(), from.clone(), to.clone()));
            continue;
        };
        let Some(old) = before.column(from) else { continue };
        if old.primary_key || before.key_columns().contains(&from.as_str()) {
            return Err(SplitError::KeyColumn {
                table: table.clone(),
                column: from.clone(),
            });
        }
        let Some(new) = after.column(to) else { continue };
        if new.not_null && new.default.is_none() && new.generated.is_none() {
            return Err(SplitError::NewNotNull {
                table: table.clone(),
                from: from.clone(),
                to: to.clone(),
            });
        }
        // Rows the previous release inserts after the copy hold the new column's default.
        let unset = match &new.default {
            Some(d) => format!("{} = {}", dialect.quote_ident(to), d.to_sql()),
            None => format!("{} IS NULL", dialect.quote_ident(to)),
        };
        let recopy = format!(
            "UPDATE {} SET {} = {} WHERE {unset};",
            dialect.quote_ident(table),
            dialect.quote_ident(to),
            dialect.quote_ident(from)
        );
        keep_column(before, after, old)?;
        copies.push(format!(
            "UPDATE {} SET {} = {};",
            dialect.quote_ident(table),
            dialect.quote_ident(to),
            dialect.quote_ident(from)
        ));
        deferred.push(Deferred::Rename {
            table: table.clone(),
            from: from.clone(),
            to: to.clone(),
            recopy,
        });
    }
    for c in changes {
        match c {
            Change::DropColumn { table, column } => {
                let (Some(before), Some(after)) =
                    (old_table(table), schema.tables.iter_mut().find(|t| t.name == *table))
                else {
                    continue;
                };
                let Some(old) = before.column(&column.name) else {
                    continue;
                };
                keep_column(before, after, old)?;
                deferred.push(Deferred::DropColumn {
                    table: table.clone(),
                    column: column.name.clone(),
                });
            }
            Change::DropTable { table } => {
                schema.tables.push(table.clone());
                deferred.push(Deferred::DropTable {
                    table: table.name.clone(),
                });
            }
            _ => {}
        }
    }
    Ok(Split {
        schema,
        renames: kept_renames,
        copies,
        deferred,
    })
}

/// Puts `old` (a column of `before`) back into `after`, nullable where code that no longer
/// writes it must still insert rows, with the indexes of `before` that name it.
fn keep_column(before: &Table, after: &mut Table, old: &Column) -> Result<(), SplitError> {
    if old.primary_key || before.key_columns().contains(&old.name.as_str()) {
        return Err(SplitError::KeyColumn {
            table: after.name.clone(),
            column: old.name.clone(),
        });
    }
    let mut kept = old.clone();
    if kept.not_null && kept.default.is_none() && kept.generated.is_none() {
        kept.not_null = false;
    }
    after.columns.push(kept);
    for ix in &before.indexes {
        let names_it = matches!(&ix.target, IndexTarget::Columns(cols) if cols.contains(&old.name));
        if names_it && !after.indexes.iter().any(|i| i.name == ix.name) {
            after.indexes.push(ix.clone());
        }
    }
    Ok(())
}

/// [`crate::generate::Pending`] cut to its first phase: the split's schema, diffed and planned,
/// its copies after the planned statements; and what is left for later.
pub(crate) fn first_phase(
    dialect: &dyn Dialect,
    p: crate::generate::Pending,
) -> Result<(crate::generate::Pending, Vec<Deferred>), crate::generate::GenerateError> {
    let empty = Schema::default();
    let before = p.prev.as_ref().map_or(&empty, |s| &s.schema);
    let split = split(before, &p.target, &p.renames, &p.changes, dialect)?;
    if split.deferred.is_empty() {
        return Ok((p, Vec::new()));
    }
    let changes = crate::diff::diff(before, &split.schema, &split.renames);
    let mut plan = dialect.plan(before, &split.schema, &changes, &crate::dialect::PlanOptions::default())?;
    for copy in split.copies {
        plan.statements.push(copy);
        plan.origins.push(Vec::new());
    }
    Ok((
        crate::generate::Pending {
            prev: p.prev,
            renames: split.renames,
            changes,
            plan,
            target: split.schema,
        },
        split.deferred,
    ))
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;
    use crate::diff::diff;
    use crate::model::{Column, LogicalType};

    fn users() -> Table {
        let mut t = Table::new("users");
        let mut id = Column::new("id", LogicalType::Sql("integer".into()));
        id.primary_key = true;
        t.columns.push(id);
        t.columns.push(Column::new("nick", LogicalType::Sql("text".into())));
        t
    }

    #[test]
    fn a_dropped_column_and_table_are_kept_and_the_old_column_relaxed() {
        let mut legacy = Table::new("legacy");
        legacy
            .columns
            .push(Column::new("x", LogicalType::Sql("integer".into())));
        let prev = Schema {
            tables: vec![users(), legacy],
            ..Default::default()
        };
        let mut target = Schema {
            tables: vec![users()],
            ..Default::default()
        };
        target.tables[0].columns.pop();
        let changes = diff(&prev, &target, &Renames::default());
        let dialect = crate::backend::default_dialect();
        let s = split(&prev, &target, &Renames::default(), &changes, dialect).unwrap();
        assert_eq!(
            s.deferred,
            vec![
                Deferred::DropColumn {
                    table: "users".into(),
                    column: "nick".into()
                },
                Deferred::DropTable { table: "legacy".into() }
            ]
        );
        let kept = s.schema.table("users").unwrap().column("nick").unwrap();
        assert!(!kept.not_null, "code that no longer writes it can still insert");
        assert!(s.schema.table("legacy").is_some());
        // Nothing of the split breaks the running release: only the relaxation is left.
        let first = diff(&prev, &s.schema, &s.renames);
        assert!(matches!(first.as_slice(), [Change::AlterColumn { .. }]), "{first:?}");
    }

    #[test]
    fn a_key_column_is_not_split() {
        let prev = Schema {
            tables: vec![users()],
            ..Default::default()
        };
        let mut target = prev.clone();
        target.tables[0].columns[0].name = "uid".into();
        let renames = Renames {
            tables: vec![],
            columns: vec![("users".into(), "id".into(), "uid".into())],
        };
        let changes = diff(&prev, &target, &renames);
        let e = split(&prev, &target, &renames, &changes, crate::backend::default_dialect()).unwrap_err();
        assert!(matches!(e, SplitError::KeyColumn { .. }), "{e}");
    }
}
