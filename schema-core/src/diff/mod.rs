//! The dialect-free diff: two normalized schemas (and the renames that relate them) → an
//! ordered list of changes. A dialect decides how to carry each change out.

mod describe;
mod renames;

pub use describe::describe;

pub use renames::{Answer, Question, RenameError, RenameHint, Renames, Resolver, resolve_renames};

use crate::model::{Check, Column, ForeignKey, Index, PrimaryKey, Schema, Table};

/// One difference between two schemas.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    RenameTable {
        from: String,
        to: String,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    CreateTable {
        table: Table,
    },
    DropTable {
        table: Table,
    },
    AddColumn {
        table: String,
        column: Column,
    },
    DropColumn {
        table: String,
        column: Column,
    },
    /// Anything about a column other than its name: type, nullability, default, key,
    /// autoincrement, collation, generated expression.
    AlterColumn {
        table: String,
        from: Column,
        to: Column,
    },
    SetPrimaryKey {
        table: String,
        from: Option<PrimaryKey>,
        to: Option<PrimaryKey>,
    },
    AddForeignKey {
        table: String,
        fk: ForeignKey,
    },
    DropForeignKey {
        table: String,
        fk: ForeignKey,
    },
    AddCheck {
        table: String,
        check: Check,
    },
    DropCheck {
        table: String,
        check: Check,
    },
    SetOptions {
        table: String,
        strict: bool,
        without_rowid: bool,
    },
    CreateIndex {
        table: String,
        index: Index,
    },
    DropIndex {
        table: String,
        index: Index,
    },
}

impl Change {
    /// The table the change is about (its name after the migration, for renames the new one).
    pub fn table(&self) -> &str {
        match self {
            Change::RenameTable { to, .. } => to,
            Change::CreateTable { table } | Change::DropTable { table } => &table.name,
            Change::RenameColumn { table, .. }
            | Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::SetPrimaryKey { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. }
            | Change::SetOptions { table, .. }
            | Change::CreateIndex { table, .. }
            | Change::DropIndex { table, .. } => table,
        }
    }
}

/// The changes that turn `from` into `to`, given how tables and columns were renamed.
/// Both schemas are normalized for the same dialect. Table order and rename hints aside,
/// `diff(a, a, ..)` is empty.
pub fn diff(from: &Schema, to: &Schema, renames: &Renames) -> Vec<Change> {
    let mut changes = Vec::new();
    fn old_name_of<'a>(renames: &'a Renames, new: &'a str) -> &'a str {
        renames
            .tables
            .iter()
            .find(|(_, n)| n == new)
            .map(|(o, _)| o.as_str())
            .unwrap_or(new)
    }

    for (old, new) in &renames.tables {
        changes.push(Change::RenameTable {
            from: old.clone(),
            to: new.clone(),
        });
    }
    let mut to_tables: Vec<&Table> = to.tables.iter().collect();
    to_tables.sort_by(|a, b| a.name.cmp(&b.name));
    for t in &to_tables {
        match from.table(old_name_of(renames, &t.name)) {
            None => changes.push(Change::CreateTable { table: (*t).clone() }),
            Some(prev) => diff_table(prev, t, renames, &mut changes),
        }
    }
    let mut from_tables: Vec<&Table> = from.tables.iter().collect();
    from_tables.sort_by(|a, b| a.name.cmp(&b.name));
    for t in from_tables {
        let renamed = renames.tables.iter().any(|(o, _)| *o == t.name);
        if !renamed && to.table(&t.name).is_none() {
            changes.push(Change::DropTable { table: t.clone() });
        }
    }
    changes
}

fn diff_table(prev: &Table, next: &Table, renames: &Renames, out: &mut Vec<Change>) {
    let table = next.name.clone();
    let col_renames: Vec<(&str, &str)> = renames
        .columns
        .iter()
        .filter(|(t, _, _)| *t == next.name)
        .map(|(_, o, n)| (o.as_str(), n.as_str()))
        .collect();
    fn old_col<'a>(col_renames: &[(&'a str, &'a str)], new: &'a str) -> &'a str {
        col_renames
            .iter()
            .find(|(_, n)| *n == new)
            .map(|(o, _)| *o)
            .unwrap_or(new)
    }

    for (o, n) in &col_renames {
        out.push(Change::RenameColumn {
            table: table.clone(),
            from: o.to_string(),
            to: n.to_string(),
        });
    }
    // Compare columns under their new names.
    let rename_col = |c: &Column| -> Column {
        let mut c = c.clone();
        if let Some((_, n)) = col_renames.iter().find(|(o, _)| *o == c.name) {
            c.name = n.to_string();
        }
        c.renamed_from = None;
        c
    };
    let rename_cols = |cols: &[String]| -> Vec<String> {
        cols.iter()
            .map(|c| {
                col_renames
                    .iter()
                    .find(|(o, _)| o == c)
                    .map_or(c.clone(), |(_, n)| n.to_string())
            })
            .collect()
    };

    for c in &next.columns {
        match prev.columns.iter().find(|p| p.name == old_col(&col_renames, &c.name)) {
            None => out.push(Change::AddColumn {
                table: table.clone(),
                column: strip(c),
            }),
            Some(p) => {
                let (p, c) = (rename_col(p), strip(c));
                if !same_column(&p, &c) {
                    out.push(Change::AlterColumn {
                        table: table.clone(),
                        from: p,
                        to: c,
                    });
                }
            }
        }
    }
    for p in &prev.columns {
        let kept = next.columns.iter().any(|c| old_col(&col_renames, &c.name) == p.name);
        if !kept {
            out.push(Change::DropColumn {
                table: table.clone(),
                column: strip(p),
            });
        }
    }

    // Keys and foreign keys are compared by what they do, not their names: SQLite stores no
    // name for either, and a derived name changes with a table rename that ALTER TABLE
    // already carried into every reference.
    let prev_pk_cols = prev.primary_key.as_ref().map(|pk| rename_cols(&pk.columns));
    if prev_pk_cols != next.primary_key.as_ref().map(|pk| pk.columns.clone()) {
        out.push(Change::SetPrimaryKey {
            table: table.clone(),
            from: prev.primary_key.clone(),
            to: next.primary_key.clone(),
        });
    }

    // Checks and indexes are matched by name; one whose definition changed is dropped and
    // added again.
    let prev_fks: Vec<ForeignKey> = prev
        .foreign_keys
        .iter()
        .map(|f| {
            let mut f = f.clone();
            f.columns = rename_cols(&f.columns);
            if let Some((_, new)) = renames.tables.iter().find(|(o, _)| *o == f.ref_table) {
                f.ref_table = new.clone();
            }
            let ref_table = f.ref_table.clone();
            for c in &mut f.ref_columns {
                if let Some((_, _, n)) = renames.columns.iter().find(|(t, o, _)| *t == ref_table && o == c) {
                    *c = n.clone();
                }
            }
            f.name = String::new();
            f
        })
        .collect();
    let unnamed = |f: &ForeignKey| ForeignKey {
        name: String::new(),
        ..f.clone()
    };
    for (old, f) in prev.foreign_keys.iter().zip(&prev_fks) {
        if !next.foreign_keys.iter().any(|n| unnamed(n) == *f) {
            out.push(Change::DropForeignKey {
                table: table.clone(),
                fk: old.clone(),
            });
        }
    }
    for f in &next.foreign_keys {
        if !prev_fks.contains(&unnamed(f)) {
            out.push(Change::AddForeignKey {
                table: table.clone(),
                fk: f.clone(),
            });
        }
    }
    for c in &prev.checks {
        if !next.checks.contains(c) {
            out.push(Change::DropCheck {
                table: table.clone(),
                check: c.clone(),
            });
        }
    }
    for c in &next.checks {
        if !prev.checks.contains(c) {
            out.push(Change::AddCheck {
                table: table.clone(),
                check: c.clone(),
            });
        }
    }
    if prev.strict != next.strict || prev.without_rowid != next.without_rowid {
        out.push(Change::SetOptions {
            table: table.clone(),
            strict: next.strict,
            without_rowid: next.without_rowid,
        });
    }
    let prev_ix: Vec<Index> = prev
        .indexes
        .iter()
        .map(|i| {
            let mut i = i.clone();
            if let crate::model::IndexTarget::Columns(c) = &i.target {
                i.target = crate::model::IndexTarget::Columns(rename_cols(c));
            }
            i
        })
        .collect();
    for (old, i) in prev.indexes.iter().zip(&prev_ix) {
        if !next.indexes.contains(i) {
            out.push(Change::DropIndex {
                table: table.clone(),
                index: old.clone(),
            });
        }
    }
    for i in &next.indexes {
        if !prev_ix.contains(i) {
            out.push(Change::CreateIndex {
                table: table.clone(),
                index: i.clone(),
            });
        }
    }
}

/// Equal columns, SQL type names compared without case (`INTEGER` is `integer`) and float
/// defaults by value.
fn same_column(a: &Column, b: &Column) -> bool {
    let same_default = match (&a.default, &b.default) {
        (Some(x), Some(y)) => x.same_as(y),
        (x, y) => x == y,
    };
    a.ty.eq_ignore_case(&b.ty)
        && same_default
        && Column {
            ty: b.ty.clone(),
            default: b.default.clone(),
            ..a.clone()
        } == *b
}

/// The column without its rename hint, which is not part of its shape.
fn strip(c: &Column) -> Column {
    let mut c = c.clone();
    c.renamed_from = None;
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LogicalType, Table};

    fn users() -> Table {
        let mut t = Table::new("users");
        let mut id = Column::new("id", LogicalType::Sql("integer".into()));
        id.primary_key = true;
        t.columns.push(id);
        t.columns.push(Column::new("name", LogicalType::Sql("text".into())));
        t
    }

    #[test]
    fn a_schema_has_no_difference_with_itself() {
        let s = Schema { tables: vec![users()] };
        assert!(diff(&s, &s, &Renames::default()).is_empty());
    }

    #[test]
    fn renamed_columns_compare_under_their_new_name() {
        let a = Schema { tables: vec![users()] };
        let mut b = a.clone();
        b.tables[0].columns[1].name = "full_name".into();
        let renames = Renames {
            tables: vec![],
            columns: vec![("users".into(), "name".into(), "full_name".into())],
        };
        assert_eq!(
            diff(&a, &b, &renames),
            vec![Change::RenameColumn {
                table: "users".into(),
                from: "name".into(),
                to: "full_name".into()
            }]
        );
    }
}
