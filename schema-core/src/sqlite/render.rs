//! SQLite's DDL: maps logical types, lowers unique constraints to unique indexes as
//! drizzle-kit does, and writes `CREATE TABLE` / `CREATE INDEX` in drizzle-kit's layout.

use std::collections::{BTreeMap, BTreeSet};

use schema_model::sql::sqlite::{constraint_name, ident};

use crate::model::{Column, Deferrable, ForeignKey, Index, IndexTarget, LogicalType, Table, Unique, UniqueKind};

/// The SQLite type name of a logical type (drizzle-kit's lowercase names).
pub fn type_name(ty: &LogicalType) -> String {
    match ty {
        LogicalType::Int(_) | LogicalType::Bool => "integer".into(),
        LogicalType::F32 | LogicalType::F64 => "real".into(),
        LogicalType::String | LogicalType::Json => "text".into(),
        LogicalType::Bytes => "blob".into(),
        // ISO-8601 text, as SQLite's own date functions write it; a UUID as its 16 bytes.
        LogicalType::Date | LogicalType::DateTime | LogicalType::Timestamp => "text".into(),
        LogicalType::Uuid => "blob".into(),
        LogicalType::Epoch { .. } => "integer".into(),
        // The value's text; [`normalize_table`] adds the CHECK that keeps it one of the values.
        LogicalType::Enum(_) => "text".into(),
        // Refused before anything is written (SQLite has no arrays); were it not, the values
        // would be JSON text.
        LogicalType::EnumArray(_) => "text".into(),
        LogicalType::Sql(s) => s.clone(),
    }
}

/// The table as SQLite stores it: drizzle-kit's unique constraints become unique indexes
/// (column ones first, then the declared indexes, then table-level ones: drizzle-kit's
/// order), those declared `constraint` stay in the definition, and every type becomes its
/// SQLite name. Snapshots, SQL and the diff all work on this form.
pub fn normalize_table(table: &Table) -> Table {
    let mut t = table.clone();
    let mut indexes = Vec::new();
    for c in &mut t.columns {
        if c.unique {
            let cols = vec![c.name.clone()];
            indexes.push(Index {
                name: crate::model::names::unique(&table.name, &cols),
                target: IndexTarget::Columns(cols),
                unique: true,
                where_clause: None,
                options: Default::default(),
            });
            c.unique = false;
        }
        if let LogicalType::Enum(e) = &c.ty {
            t.checks.push(enum_check(&table.name, &c.name, &e.values));
        }
        c.ty = LogicalType::Sql(type_name(&c.ty));
    }
    indexes.append(&mut t.indexes);
    let (constraints, as_indexes): (Vec<Unique>, Vec<Unique>) = t.uniques.drain(..).partition(Unique::is_constraint);
    for u in as_indexes {
        indexes.push(Index {
            name: u.name,
            target: IndexTarget::Columns(u.columns),
            unique: true,
            where_clause: None,
            options: Default::default(),
        });
    }
    t.uniques = constraints;
    t.indexes = indexes;
    t
}

/// The CHECK that stands for an enum type on SQLite: the column holds one of the values
/// (or NULL, which a CHECK lets through).
pub fn enum_check(table: &str, column: &str, values: &[String]) -> crate::model::Check {
    let list: Vec<String> = values.iter().map(|v| schema_model::sql::string_literal(v)).collect();
    crate::model::Check {
        name: format!("{table}_{column}_enum_check"),
        expr: format!("{} IN ({})", ident(column), list.join(", ")),
        named: true,
    }
}

/// One column's definition, as `CREATE TABLE` and `ALTER TABLE .. ADD` both write it; `table`
/// says what else is written in the column's definition (an inline `UNIQUE`).
pub fn column_def(table: &Table, c: &Column) -> String {
    let mut line = format!("{} {}", ident(&c.name), type_name(&c.ty));
    if c.primary_key {
        line.push_str(" PRIMARY KEY");
        if c.autoincrement {
            line.push_str(" AUTOINCREMENT");
        }
    }
    if let Some(d) = &c.default {
        line.push_str(" DEFAULT ");
        line.push_str(&d.to_sql());
    }
    if let Some(g) = &c.generated {
        let mode = if g.stored { "STORED" } else { "VIRTUAL" };
        line.push_str(&format!(" GENERATED ALWAYS AS ({}) {mode}", g.expr));
    }
    if let Some(coll) = &c.collate {
        line.push_str(" COLLATE ");
        line.push_str(coll);
    }
    if c.not_null {
        line.push_str(" NOT NULL");
    }
    let inline_unique = table
        .uniques
        .iter()
        .any(|u| u.kind == UniqueKind::Inline && u.columns == [c.name.as_str()]);
    if c.unique || inline_unique {
        line.push_str(" UNIQUE");
    }
    line
}

fn ident_list(names: &[String], sep: &str) -> String {
    names.iter().map(|c| ident(c)).collect::<Vec<_>>().join(sep)
}

/// `CREATE TABLE`, laid out as drizzle-kit lays it out, ending in `;\n`.
pub fn create_table(table: &Table) -> String {
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("\t{}", column_def(table, c)))
        .collect();
    if let Some(pk) = &table.primary_key {
        lines.push(format!("\tPRIMARY KEY({})", ident_list(&pk.columns, ", ")));
    }
    for fk in &table.foreign_keys {
        lines.push(format!("\t{}", foreign_key(fk)));
    }
    for u in &table.uniques {
        let cols = ident_list(&u.columns, ", ");
        match u.kind {
            UniqueKind::Constraint { named: true } => {
                lines.push(format!("\tCONSTRAINT {} UNIQUE({cols})", constraint_name(&u.name)))
            }
            UniqueKind::Constraint { named: false } => lines.push(format!("\tUNIQUE({cols})")),
            // In the column's definition; an index is not in the table's (normalized away).
            UniqueKind::Inline | UniqueKind::Index => {}
        }
    }
    for ch in &table.checks {
        if ch.named {
            lines.push(format!("\tCONSTRAINT {} CHECK({})", constraint_name(&ch.name), ch.expr));
        } else {
            lines.push(format!("\tCHECK({})", ch.expr));
        }
    }
    let sqlite = table.options.sqlite;
    let mut options = Vec::new();
    if sqlite.without_rowid {
        options.push("WITHOUT ROWID");
    }
    if sqlite.strict {
        options.push("STRICT");
    }
    let options = if options.is_empty() {
        String::new()
    } else {
        format!(" {}", options.join(", "))
    };
    format!(
        "CREATE TABLE {} (\n{}\n){options};\n",
        ident(&table.name),
        lines.join(",\n")
    )
}

/// `FOREIGN KEY (..) REFERENCES parent(..) ..`, as drizzle-kit writes it; the parent's columns
/// left out when the model leaves them implied (its primary key), and `DEFERRABLE ..` after.
pub fn foreign_key(fk: &ForeignKey) -> String {
    let mut sql = format!(
        "FOREIGN KEY ({}) REFERENCES {}",
        ident_list(&fk.columns, ", "),
        ident(&fk.ref_table)
    );
    if !fk.ref_columns.is_empty() {
        sql.push_str(&format!("({})", ident_list(&fk.ref_columns, ", ")));
    }
    sql.push_str(&format!(" ON UPDATE {} ON DELETE {}", fk.on_update, fk.on_delete));
    if fk.deferrable != Deferrable::No {
        sql.push(' ');
        sql.push_str(fk.deferrable.sql());
    }
    sql
}

/// `CREATE [UNIQUE] INDEX`, as drizzle-kit writes it.
pub fn create_index(table: &str, index: &Index) -> String {
    let unique = if index.unique { "UNIQUE " } else { "" };
    let target = match &index.target {
        IndexTarget::Columns(cols) => ident_list(cols, ","),
        IndexTarget::Expr(e) => e.clone(),
    };
    let mut sql = format!(
        "CREATE {unique}INDEX {} ON {} ({target})",
        ident(&index.name),
        ident(table)
    );
    if let Some(w) = &index.where_clause {
        sql.push_str(&format!(" WHERE {w}"));
    }
    sql.push(';');
    sql
}

/// A table's `CREATE TABLE` followed by its indexes.
pub fn table_and_indexes(t: &Table) -> impl Iterator<Item = String> + '_ {
    std::iter::once(create_table(t)).chain(t.indexes.iter().map(|i| create_index(&t.name, i)))
}

/// The statements that create a whole (normalized) schema: each table after the tables its
/// foreign keys point at, each followed by its indexes. Ties and cycles fall back to name
/// order, so the output is the same on every run.
pub fn create_schema(tables: &[Table]) -> Vec<String> {
    dependency_order(tables)
        .into_iter()
        .flat_map(table_and_indexes)
        .collect()
}

/// Tables sorted so that a referenced table comes before the tables referencing it.
pub fn dependency_order(tables: &[Table]) -> Vec<&Table> {
    dependency_order_of(&tables.iter().collect::<Vec<_>>())
}

/// [`dependency_order`] of borrowed tables (a selection of a schema's, not copied).
pub fn dependency_order_of<'a>(tables: &[&'a Table]) -> Vec<&'a Table> {
    let by_name: BTreeMap<&str, &Table> = tables.iter().map(|t| (t.name.as_str(), *t)).collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    fn visit<'a>(
        name: &'a str,
        by_name: &BTreeMap<&'a str, &'a Table>,
        done: &mut BTreeSet<&'a str>,
        visiting: &mut BTreeSet<&'a str>,
        out: &mut Vec<&'a Table>,
    ) {
        if done.contains(name) || !visiting.insert(name) {
            return; // already placed, or a cycle: SQLite resolves foreign keys lazily
        }
        let t = by_name[name];
        let mut deps: Vec<&str> = t.foreign_keys.iter().map(|f| f.ref_table.as_str()).collect();
        deps.sort_unstable();
        for d in deps {
            if d != name && by_name.contains_key(d) {
                visit(d, by_name, done, visiting, out);
            }
        }
        visiting.remove(name);
        if done.insert(name) {
            out.push(t);
        }
    }
    let mut visiting = BTreeSet::new();
    for name in by_name.keys() {
        visit(name, &by_name, &mut done, &mut visiting, &mut out);
    }
    out
}
