//! The dialect-free diff: two normalized schemas (and the renames that relate them) → an
//! ordered list of changes. A dialect decides how to carry each change out.

mod describe;
mod renames;

pub use describe::{describe, type_change};

pub use renames::{
    Answer, Question, RenameError, RenameHint, Renames, Resolver, has_persisting_hints, persisting_hints,
    resolve_renames, resolve_renames_after,
};

use crate::halves::in_halves;
use crate::model::{
    Check, Column, EnumType, ForeignKey, Index, PrimaryKey, Schema, Sequence, Table, TableOptions, Unique, UniqueKind,
};

/// One difference between two schemas. Table names are the names after the migration.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A table renamed.
    RenameTable {
        /// Its old name.
        from: String,
        /// Its new name.
        to: String,
    },
    /// A column renamed.
    RenameColumn {
        /// The table.
        table: String,
        /// The column's old name.
        from: String,
        /// Its new name.
        to: String,
    },
    /// A new table: the table of this name (and PostgreSQL namespace) in the schema the
    /// changes lead to. It is named, not copied: a first migration of thousands of tables
    /// would copy every one.
    CreateTable {
        /// The table's name.
        table: String,
        /// Its PostgreSQL namespace, when it is not `public` (always `None` on SQLite).
        schema: Option<String>,
    },
    /// A table gone.
    DropTable {
        /// The table as it was.
        table: Table,
    },
    /// A new column.
    AddColumn {
        /// The table.
        table: String,
        /// The column.
        column: Column,
    },
    /// A column gone.
    DropColumn {
        /// The table.
        table: String,
        /// The column as it was.
        column: Column,
    },
    /// Anything about a column other than its name: type, nullability, default, key,
    /// autoincrement, collation, generated expression.
    AlterColumn {
        /// The table.
        table: String,
        /// The column before (under its new name).
        from: Column,
        /// The column after.
        to: Column,
    },
    /// The composite primary key changed.
    SetPrimaryKey {
        /// The table.
        table: String,
        /// The key before.
        from: Option<PrimaryKey>,
        /// The key after.
        to: Option<PrimaryKey>,
    },
    /// A new foreign key.
    AddForeignKey {
        /// The table.
        table: String,
        /// The foreign key.
        fk: ForeignKey,
    },
    /// A foreign key gone.
    DropForeignKey {
        /// The table.
        table: String,
        /// The foreign key as it was.
        fk: ForeignKey,
    },
    /// A new check.
    AddCheck {
        /// The table.
        table: String,
        /// The check.
        check: Check,
    },
    /// A check gone.
    DropCheck {
        /// The table.
        table: String,
        /// The check as it was.
        check: Check,
    },
    /// A new unique constraint (one the table's definition holds; unique indexes are
    /// [`Change::CreateIndex`]).
    AddUnique {
        /// The table.
        table: String,
        /// The constraint.
        unique: Unique,
    },
    /// A unique constraint gone.
    DropUnique {
        /// The table.
        table: String,
        /// The constraint as it was.
        unique: Unique,
    },
    /// The table's dialect-specific options changed (see [`TableOptions`]).
    SetOptions {
        /// The table.
        table: String,
        /// The options before.
        from: TableOptions,
        /// The options after.
        to: TableOptions,
    },
    /// A new index.
    CreateIndex {
        /// The table.
        table: String,
        /// The index.
        index: Index,
    },
    /// An index gone.
    DropIndex {
        /// The table.
        table: String,
        /// The index as it was.
        index: Index,
    },
    /// A new enum type (PostgreSQL's; SQLite lowers enums to checks before the diff).
    CreateEnum {
        /// The type.
        ty: EnumType,
    },
    /// An enum type gone.
    DropEnum {
        /// The type as it was.
        ty: EnumType,
    },
    /// An enum type whose values changed (added, removed or reordered).
    AlterEnum {
        /// The type before.
        from: EnumType,
        /// The type after.
        to: EnumType,
    },
    /// A new standalone sequence (PostgreSQL's).
    CreateSequence {
        /// The sequence.
        sequence: Sequence,
    },
    /// A standalone sequence gone.
    DropSequence {
        /// The sequence as it was.
        sequence: Sequence,
    },
    /// A sequence whose options changed.
    AlterSequence {
        /// The sequence before.
        from: Sequence,
        /// The sequence after.
        to: Sequence,
    },
}

impl Change {
    /// The table the change is about (its name after the migration, for renames the new one).
    pub fn table(&self) -> &str {
        match self {
            Change::RenameTable { to, .. } => to,
            Change::CreateTable { table, .. } => table,
            Change::DropTable { table } => &table.name,
            Change::RenameColumn { table, .. }
            | Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::SetPrimaryKey { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. }
            | Change::AddUnique { table, .. }
            | Change::DropUnique { table, .. }
            | Change::SetOptions { table, .. }
            | Change::CreateIndex { table, .. }
            | Change::DropIndex { table, .. } => table,
            // An enum type belongs to no table: the change is known by the type's name.
            Change::CreateEnum { ty } | Change::DropEnum { ty } | Change::AlterEnum { to: ty, .. } => &ty.name,
            Change::CreateSequence { sequence }
            | Change::DropSequence { sequence }
            | Change::AlterSequence { to: sequence, .. } => &sequence.name,
        }
    }
}

/// Enum types created, dropped and changed, by qualified name, in the order the schemas list
/// them.
fn diff_enums(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let (before, after) = (from.enum_types(), to.enum_types());
    for ty in &after {
        match before.iter().find(|b| b.same_type(ty)) {
            None => out.push(Change::CreateEnum { ty: (*ty).clone() }),
            Some(b) if b.values != ty.values => out.push(Change::AlterEnum {
                from: (*b).clone(),
                to: (*ty).clone(),
            }),
            Some(_) => {}
        }
    }
    for ty in before.iter().filter(|b| !after.iter().any(|a| a.same_type(b))) {
        out.push(Change::DropEnum { ty: (*ty).clone() });
    }
}

/// Standalone sequences created, changed and dropped, by qualified name, in the order
/// drizzle-kit writes them (by `schema.name`).
fn diff_sequences(from: &Schema, to: &Schema, out: &mut Vec<Change>) {
    let mut after: Vec<&Sequence> = to.sequences.iter().collect();
    after.sort_by_key(|s| s.key());
    for q in after {
        match from.sequences.iter().find(|b| b.same_sequence(q)) {
            None => out.push(Change::CreateSequence { sequence: q.clone() }),
            Some(b) if b != q => out.push(Change::AlterSequence {
                from: b.clone(),
                to: q.clone(),
            }),
            Some(_) => {}
        }
    }
    let mut before: Vec<&Sequence> = from.sequences.iter().collect();
    before.sort_by_key(|s| s.key());
    for q in before
        .into_iter()
        .filter(|b| !to.sequences.iter().any(|a| a.same_sequence(b)))
    {
        out.push(Change::DropSequence { sequence: q.clone() });
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

    diff_enums(from, to, &mut changes);
    diff_sequences(from, to, &mut changes);
    for (old, new) in &renames.tables {
        changes.push(Change::RenameTable {
            from: old.clone(),
            to: new.clone(),
        });
    }
    let (from_by_name, to_by_name) = (from.by_name(), to.by_name());
    let mut to_tables: Vec<&Table> = to.tables.iter().collect();
    to_tables.sort_by(|a, b| a.name.cmp(&b.name));
    // Table by table, each half of the list on a thread: a later run compares every table.
    let [first, second] = in_halves(&to_tables, |tables| {
        let mut changes = Vec::new();
        for t in tables {
            match from_by_name.get(old_name_of(renames, &t.name)).copied() {
                None => changes.push(Change::CreateTable {
                    table: t.name.clone(),
                    schema: t.options.postgres.schema.clone(),
                }),
                Some(prev) => diff_table(prev, t, renames, &mut changes),
            }
        }
        changes
    });
    changes.reserve(first.len() + second.len());
    changes.extend(first);
    changes.extend(second);
    let mut from_tables: Vec<&Table> = from.tables.iter().collect();
    from_tables.sort_by(|a, b| a.name.cmp(&b.name));
    for t in from_tables {
        let renamed = renames.tables.iter().any(|(o, _)| *o == t.name);
        if !renamed && !to_by_name.contains_key(t.name.as_str()) {
            changes.push(Change::DropTable { table: t.clone() });
        }
    }
    changes
}

/// The column renames of one table (by its new name): old name → new name.
struct ColumnRenames<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> ColumnRenames<'a> {
    fn of(renames: &'a Renames, table: &str) -> Self {
        ColumnRenames {
            pairs: renames
                .columns
                .iter()
                .filter(|(t, _, _)| t == table)
                .map(|(_, o, n)| (o.as_str(), n.as_str()))
                .collect(),
        }
    }

    /// The old name of the column now called `new`.
    fn old(&self, new: &'a str) -> &'a str {
        self.pairs.iter().find(|(_, n)| *n == new).map_or(new, |(o, _)| *o)
    }

    /// The new name of the column once called `old`.
    fn new_name(&self, old: &str) -> String {
        self.pairs
            .iter()
            .find(|(o, _)| *o == old)
            .map_or_else(|| old.to_string(), |(_, n)| n.to_string())
    }

    fn all(&self, cols: &[String]) -> Vec<String> {
        cols.iter().map(|c| self.new_name(c)).collect()
    }
}

/// `prev`'s items not in `next` and `next`'s not in `prev`, where `prev_cmp` is `prev` said
/// in `next`'s terms (renames applied) and `same` compares one of each.
fn added_dropped<'p, 'n, T, U>(
    prev: &'p [T],
    prev_cmp: &[U],
    next: &'n [T],
    same: impl Fn(&U, &T) -> bool,
) -> (Vec<&'p T>, Vec<&'n T>) {
    let dropped = prev
        .iter()
        .zip(prev_cmp)
        .filter(|(_, p)| !next.iter().any(|n| same(p, n)))
        .map(|(o, _)| o)
        .collect();
    let added = next.iter().filter(|n| !prev_cmp.iter().any(|p| same(p, n))).collect();
    (dropped, added)
}

fn diff_table(prev: &Table, next: &Table, renames: &Renames, out: &mut Vec<Change>) {
    // Without a rename anywhere, every comparison below is between a part of `prev` and the
    // same part of `next`: a table equal field for field has none to report. (A rename of
    // another table reaches this one's foreign keys, so only a diff without any takes this.)
    if renames.tables.is_empty() && renames.columns.is_empty() && prev == next {
        return;
    }
    let table = next.name.clone();
    let cols = ColumnRenames::of(renames, &next.name);
    for (o, n) in &cols.pairs {
        out.push(Change::RenameColumn {
            table: table.clone(),
            from: o.to_string(),
            to: n.to_string(),
        });
    }
    diff_columns(prev, next, &cols, out);

    // Keys and foreign keys are compared by what they do, not their names: SQLite stores no
    // name for either, and a derived name changes with a table rename that ALTER TABLE
    // already carried into every reference.
    let prev_pk_cols = prev.primary_key.as_ref().map(|pk| cols.all(&pk.columns));
    if prev_pk_cols != next.primary_key.as_ref().map(|pk| pk.columns.clone()) {
        out.push(Change::SetPrimaryKey {
            table: table.clone(),
            from: prev.primary_key.clone(),
            to: next.primary_key.clone(),
        });
    }
    diff_foreign_keys(prev, next, &cols, renames, out);

    // Checks, unique constraints and indexes are matched by name (those the definition does
    // not name, by what they say); one whose definition changed is dropped and added again.
    let (dropped, added) = added_dropped(&prev.checks, &prev.checks, &next.checks, same_check);
    out.extend(dropped.into_iter().map(|c| Change::DropCheck {
        table: table.clone(),
        check: c.clone(),
    }));
    out.extend(added.into_iter().map(|c| Change::AddCheck {
        table: table.clone(),
        check: c.clone(),
    }));
    let prev_uniques: Vec<Unique> = prev
        .uniques
        .iter()
        .map(|u| Unique {
            columns: cols.all(&u.columns),
            ..u.clone()
        })
        .collect();
    let (dropped, added) = added_dropped(&prev.uniques, &prev_uniques, &next.uniques, same_unique);
    out.extend(dropped.into_iter().map(|u| Change::DropUnique {
        table: table.clone(),
        unique: u.clone(),
    }));
    out.extend(added.into_iter().map(|u| Change::AddUnique {
        table: table.clone(),
        unique: u.clone(),
    }));
    if prev.options != next.options {
        out.push(Change::SetOptions {
            table: table.clone(),
            from: prev.options.clone(),
            to: next.options.clone(),
        });
    }
    let prev_ix: Vec<Index> = prev
        .indexes
        .iter()
        .map(|i| {
            let mut i = i.clone();
            if let crate::model::IndexTarget::Columns(c) = &i.target {
                i.target = crate::model::IndexTarget::Columns(cols.all(c));
            }
            i
        })
        .collect();
    // `concurrently` says how an index is built, not what it is: the same index either way.
    let same_index = |a: &Index, b: &Index| {
        a.name == b.name
            && a.target == b.target
            && a.unique == b.unique
            && a.where_clause == b.where_clause
            && a.options.method == b.options.method
            && a.options.columns == b.options.columns
            && a.options.with == b.options.with
    };
    let (dropped, added) = added_dropped(&prev.indexes, &prev_ix, &next.indexes, same_index);
    out.extend(dropped.into_iter().map(|i| Change::DropIndex {
        table: table.clone(),
        index: i.clone(),
    }));
    out.extend(added.into_iter().map(|i| Change::CreateIndex {
        table: table.clone(),
        index: i.clone(),
    }));
}

/// Added, altered and dropped columns, each compared under its new name.
fn diff_columns(prev: &Table, next: &Table, cols: &ColumnRenames<'_>, out: &mut Vec<Change>) {
    let table = &next.name;
    for c in &next.columns {
        match prev.columns.iter().find(|p| p.name == cols.old(&c.name)) {
            None => out.push(Change::AddColumn {
                table: table.clone(),
                column: strip(c),
            }),
            // Equal, name and hint included: nothing altered (and nothing to copy to see it).
            Some(p) if p == c => {}
            Some(p) => {
                let mut p = strip(p);
                p.name = c.name.clone();
                let c = strip(c);
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
        if !next.columns.iter().any(|c| cols.old(&c.name) == p.name) {
            out.push(Change::DropColumn {
                table: table.clone(),
                column: strip(p),
            });
        }
    }
}

/// Foreign keys, compared with names left out and renames of both ends applied.
fn diff_foreign_keys(prev: &Table, next: &Table, cols: &ColumnRenames<'_>, renames: &Renames, out: &mut Vec<Change>) {
    let unnamed = |f: &ForeignKey| ForeignKey {
        name: String::new(),
        ..f.clone()
    };
    let prev_fks: Vec<ForeignKey> = prev
        .foreign_keys
        .iter()
        .map(|f| {
            let mut f = unnamed(f);
            f.columns = cols.all(&f.columns);
            if let Some((_, new)) = renames.tables.iter().find(|(o, _)| *o == f.ref_table) {
                f.ref_table = new.clone();
            }
            let ref_cols = ColumnRenames::of(renames, &f.ref_table);
            f.ref_columns = ref_cols.all(&f.ref_columns);
            f
        })
        .collect();
    let (dropped, added) = added_dropped(&prev.foreign_keys, &prev_fks, &next.foreign_keys, |p, n| {
        *p == unnamed(n)
    });
    out.extend(dropped.into_iter().map(|fk| Change::DropForeignKey {
        table: next.name.clone(),
        fk: fk.clone(),
    }));
    out.extend(added.into_iter().map(|fk| Change::AddForeignKey {
        table: next.name.clone(),
        fk: fk.clone(),
    }));
}

/// The same check: a named one by name and expression, an unnamed one (whose model name is
/// only its position) by expression.
fn same_check(a: &Check, b: &Check) -> bool {
    a.named == b.named && a.expr == b.expr && (!a.named || a.name == b.name)
}

/// The same unique constraint: its kind and columns, and its name when the SQL says it.
fn same_unique(a: &Unique, b: &Unique) -> bool {
    let named = matches!(a.kind, UniqueKind::Constraint { named: true } | UniqueKind::Index);
    a.kind == b.kind && a.columns == b.columns && (!named || a.name == b.name)
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
        let s = Schema {
            tables: vec![users()],
            ..Default::default()
        };
        assert!(diff(&s, &s, &Renames::default()).is_empty());
    }

    #[test]
    fn renamed_columns_compare_under_their_new_name() {
        let a = Schema {
            tables: vec![users()],
            ..Default::default()
        };
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

    /// A long schema's tables are diffed in two halves, and the changes come out as one pass
    /// makes them: table by table in name order, each table's as its own diff makes them.
    #[test]
    fn a_long_schema_is_diffed_in_its_order() {
        let named = |name: String| {
            let mut t = users();
            t.name = name;
            t
        };
        let (mut from, mut to) = (Schema::default(), Schema::default());
        let mut one_by_one = Vec::new();
        // Listed out of name order; some created, some changed, some the same, some dropped.
        for i in (0..150).rev() {
            let (before, after) = match i % 4 {
                0 => (None, Some(named(format!("t{i:03}")))),
                1 => {
                    let mut wider = named(format!("t{i:03}"));
                    wider
                        .columns
                        .push(Column::new("extra", LogicalType::Sql("text".into())));
                    (Some(named(format!("t{i:03}"))), Some(wider))
                }
                2 => (Some(named(format!("t{i:03}"))), Some(named(format!("t{i:03}")))),
                _ => (Some(named(format!("t{i:03}"))), None),
            };
            let one = |t: &Option<Table>| Schema {
                tables: t.iter().cloned().collect(),
                ..Default::default()
            };
            one_by_one.push((i, diff(&one(&before), &one(&after), &Renames::default())));
            from.tables.extend(before);
            to.tables.extend(after);
        }
        // A dropped table's change comes after every kept or created one's.
        one_by_one.sort_by_key(|(i, _)| (i % 4 == 3, *i));
        let expected: Vec<Change> = one_by_one.into_iter().flat_map(|(_, c)| c).collect();
        let changes = diff(&from, &to, &Renames::default());
        let unchanged = (0..150).filter(|i| i % 4 == 2).count();
        assert_eq!(changes.len(), 150 - unchanged);
        assert_eq!(changes, expected);
    }
}
