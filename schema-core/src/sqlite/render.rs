//! SQLite's DDL: maps logical types, lowers unique constraints to unique indexes as
//! drizzle-kit does, and writes `CREATE TABLE` / `CREATE INDEX` in drizzle-kit's layout.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use schema_model::sql::sqlite::{constraint_name, ident, push_ident};

use crate::model::{Column, Deferrable, ForeignKey, Index, IndexTarget, LogicalType, Table, Unique, UniqueKind};

/// The SQLite type name of a logical type (drizzle-kit's lowercase names).
pub fn type_name(ty: &LogicalType) -> String {
    type_str(ty).to_string()
}

/// [`type_name`], borrowed.
pub(crate) fn type_str(ty: &LogicalType) -> &str {
    match ty {
        LogicalType::Int(_) | LogicalType::Bool => "integer",
        LogicalType::F32 | LogicalType::F64 => "real",
        LogicalType::String | LogicalType::Json => "text",
        LogicalType::Bytes => "blob",
        // ISO-8601 text, as SQLite's own date functions write it; a UUID as its 16 bytes.
        LogicalType::Date | LogicalType::DateTime | LogicalType::Timestamp => "text",
        LogicalType::Uuid => "blob",
        LogicalType::Epoch { .. } => "integer",
        // The value's text; [`normalize_table`] adds the CHECK that keeps it one of the values.
        LogicalType::Enum(_) => "text",
        // Refused before anything is written (SQLite has no arrays); were it not, the values
        // would be JSON text.
        LogicalType::EnumArray(_) => "text",
        LogicalType::Sql(s) => s,
    }
}

/// The table as SQLite stores it: drizzle-kit's unique constraints become unique indexes
/// (column ones first, then the declared indexes, then table-level ones: drizzle-kit's
/// order), those declared `constraint` stay in the definition, and every type becomes its
/// SQLite name. Snapshots, SQL and the diff all work on this form.
pub fn normalize_table(table: &Table) -> Table {
    normalize_table_owned(table.clone())
}

/// [`normalize_table`] of a table given up: changed in place, not copied.
pub fn normalize_table_owned(mut t: Table) -> Table {
    let mut indexes = Vec::new();
    for c in &mut t.columns {
        if c.unique {
            let cols = vec![c.name.clone()];
            indexes.push(Index {
                name: crate::model::names::unique(&t.name, &cols),
                target: IndexTarget::Columns(cols),
                unique: true,
                where_clause: None,
                options: Default::default(),
            });
            c.unique = false;
        }
        if let LogicalType::Enum(e) = &c.ty {
            t.checks.push(enum_check(&t.name, &c.name, &e.values));
        }
        if !matches!(c.ty, LogicalType::Sql(_)) {
            c.ty = LogicalType::Sql(type_name(&c.ty));
        }
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
    let mut line = String::new();
    push_column_def(&mut line, table, c);
    line
}

/// [`column_def`], written at the end of `out`.
fn push_column_def(out: &mut String, table: &Table, c: &Column) {
    push_ident(out, &c.name);
    out.push(' ');
    out.push_str(type_str(&c.ty));
    if c.primary_key {
        out.push_str(" PRIMARY KEY");
        if c.autoincrement {
            out.push_str(" AUTOINCREMENT");
        }
    }
    if let Some(d) = &c.default {
        out.push_str(" DEFAULT ");
        out.push_str(&d.to_sql());
    }
    if let Some(g) = &c.generated {
        let mode = if g.stored { "STORED" } else { "VIRTUAL" };
        out.push_str(" GENERATED ALWAYS AS (");
        out.push_str(&g.expr);
        out.push_str(") ");
        out.push_str(mode);
    }
    if let Some(coll) = &c.collate {
        out.push_str(" COLLATE ");
        out.push_str(coll);
    }
    if c.not_null {
        out.push_str(" NOT NULL");
    }
    let inline_unique = table
        .uniques
        .iter()
        .any(|u| u.kind == UniqueKind::Inline && u.columns == [c.name.as_str()]);
    if c.unique || inline_unique {
        out.push_str(" UNIQUE");
    }
}

fn ident_list(names: &[String], sep: &str) -> String {
    let mut out = String::new();
    push_ident_list(&mut out, names, sep);
    out
}

/// Each name quoted, `sep` between them, at the end of `out`.
fn push_ident_list(out: &mut String, names: &[String], sep: &str) {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        push_ident(out, name);
    }
}

/// `CREATE TABLE`, laid out as drizzle-kit lays it out, ending in `;\n`: one line per column,
/// then the primary key, foreign keys, unique constraints and checks, written into one
/// buffer.
pub fn create_table(table: &Table) -> String {
    let mut sql = String::with_capacity(64 + 64 * table.columns.len());
    sql.push_str("CREATE TABLE ");
    push_ident(&mut sql, &table.name);
    sql.push_str(" (\n");
    let mut lines = 0;
    // Each line after the first follows a `,\n`; every line starts with a tab.
    let mut line = |sql: &mut String| {
        sql.push_str(if lines == 0 { "\t" } else { ",\n\t" });
        lines += 1;
    };
    for c in &table.columns {
        line(&mut sql);
        push_column_def(&mut sql, table, c);
    }
    if let Some(pk) = &table.primary_key {
        line(&mut sql);
        sql.push_str("PRIMARY KEY(");
        push_ident_list(&mut sql, &pk.columns, ", ");
        sql.push(')');
    }
    for fk in &table.foreign_keys {
        line(&mut sql);
        push_foreign_key(&mut sql, fk);
    }
    for u in &table.uniques {
        match u.kind {
            UniqueKind::Constraint { named } => {
                line(&mut sql);
                if named {
                    sql.push_str("CONSTRAINT ");
                    sql.push_str(&constraint_name(&u.name));
                    sql.push(' ');
                }
                sql.push_str("UNIQUE(");
                push_ident_list(&mut sql, &u.columns, ", ");
                sql.push(')');
            }
            // In the column's definition; an index is not in the table's (normalized away).
            UniqueKind::Inline | UniqueKind::Index => {}
        }
    }
    for ch in &table.checks {
        line(&mut sql);
        if ch.named {
            sql.push_str("CONSTRAINT ");
            sql.push_str(&constraint_name(&ch.name));
            sql.push(' ');
        }
        sql.push_str("CHECK(");
        sql.push_str(&ch.expr);
        sql.push(')');
    }
    sql.push_str("\n)");
    let sqlite = table.options.sqlite;
    match (sqlite.without_rowid, sqlite.strict) {
        (true, true) => sql.push_str(" WITHOUT ROWID, STRICT"),
        (true, false) => sql.push_str(" WITHOUT ROWID"),
        (false, true) => sql.push_str(" STRICT"),
        (false, false) => {}
    }
    sql.push_str(";\n");
    sql
}

/// `FOREIGN KEY (..) REFERENCES parent(..) ..`, as drizzle-kit writes it; the parent's columns
/// left out when the model leaves them implied (its primary key), and `DEFERRABLE ..` after.
fn push_foreign_key(out: &mut String, fk: &ForeignKey) {
    out.push_str("FOREIGN KEY (");
    push_ident_list(out, &fk.columns, ", ");
    out.push_str(") REFERENCES ");
    push_ident(out, &fk.ref_table);
    if !fk.ref_columns.is_empty() {
        out.push('(');
        push_ident_list(out, &fk.ref_columns, ", ");
        out.push(')');
    }
    // `FkAction`'s Display is its SQL.
    let _ = write!(out, " ON UPDATE {} ON DELETE {}", fk.on_update, fk.on_delete);
    if fk.deferrable != Deferrable::No {
        out.push(' ');
        out.push_str(fk.deferrable.sql());
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Check, DefaultValue, FkAction, Generated, PrimaryKey};

    /// A table with a line of every kind `CREATE TABLE` writes, and both options.
    fn every_line() -> Table {
        let mut t = Table::new("or`ders");
        // Nullable unless said otherwise.
        let col = |name: &str, ty: &str| Column {
            not_null: false,
            ..Column::new(name, LogicalType::Sql(ty.into()))
        };
        let mut id = col("id", "integer");
        id.not_null = true;
        let mut user = col("user_id", "integer");
        user.default = Some(DefaultValue::Int(0));
        user.not_null = true;
        let mut code = col("code", "text");
        code.collate = Some("NOCASE".into());
        code.unique = true;
        let mut twice = col("twice", "integer");
        twice.generated = Some(Generated {
            expr: "id * 2".into(),
            stored: false,
        });
        let mut note = col("no`te", "text");
        note.default = Some(DefaultValue::Text("it's".into()));
        t.columns = vec![id, user, code, twice, note];
        t.primary_key = Some(PrimaryKey {
            name: String::new(),
            columns: vec!["id".into(), "user_id".into()],
        });
        t.foreign_keys.push(ForeignKey {
            name: "fk".into(),
            columns: vec!["user_id".into()],
            ref_table: "users".into(),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
            deferrable: Deferrable::InitiallyDeferred,
        });
        for (name, named) in [("pair", true), ("", false)] {
            t.uniques.push(Unique {
                name: name.into(),
                columns: vec!["code".into(), "no`te".into()],
                kind: UniqueKind::Constraint { named },
                nulls_not_distinct: false,
            });
        }
        t.checks.push(Check {
            name: "positive".into(),
            expr: "user_id >= 0".into(),
            named: true,
        });
        t.checks.push(Check {
            name: "unnamed".into(),
            expr: "length(code) < 9".into(),
            named: false,
        });
        t.options.sqlite.strict = true;
        t.options.sqlite.without_rowid = true;
        t
    }

    #[test]
    fn create_table_writes_each_line_in_drizzle_kits_layout_and_sqlite_takes_it() {
        let sql = create_table(&every_line());
        assert_eq!(
            sql,
            "CREATE TABLE `or``ders` (\n\
             \t`id` integer NOT NULL,\n\
             \t`user_id` integer DEFAULT 0 NOT NULL,\n\
             \t`code` text COLLATE NOCASE UNIQUE,\n\
             \t`twice` integer GENERATED ALWAYS AS (id * 2) VIRTUAL,\n\
             \t`no``te` text DEFAULT 'it''s',\n\
             \tPRIMARY KEY(`id`, `user_id`),\n\
             \tFOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade DEFERRABLE INITIALLY DEFERRED,\n\
             \tCONSTRAINT \"pair\" UNIQUE(`code`, `no``te`),\n\
             \tUNIQUE(`code`, `no``te`),\n\
             \tCONSTRAINT \"positive\" CHECK(user_id >= 0),\n\
             \tCHECK(length(code) < 9)\n\
             ) WITHOUT ROWID, STRICT;\n"
        );
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE users (id integer PRIMARY KEY);")
            .unwrap();
        db.execute_batch(&sql).unwrap();
        // One option, or none: the same line, shorter.
        for (strict, without_rowid, end) in [
            (true, false, ") STRICT;\n"),
            (false, true, ") WITHOUT ROWID;\n"),
            (false, false, ");\n"),
        ] {
            let mut t = every_line();
            t.options.sqlite.strict = strict;
            t.options.sqlite.without_rowid = without_rowid;
            let sql = create_table(&t);
            assert!(sql.ends_with(&format!("\tCHECK(length(code) < 9)\n{end}")), "{sql}");
        }
    }

    #[test]
    fn a_table_normalized_in_place_is_the_table_normalized_from_a_copy() {
        let mut t = every_line();
        t.columns[1].ty = LogicalType::Int(crate::model::IntKind::I64);
        t.columns[3].ty = LogicalType::Bool;
        t.columns[4].ty = LogicalType::Enum(Box::new(crate::model::EnumType {
            name: "mood".into(),
            schema: None,
            values: vec!["ok".into(), "fi'ne".into()],
        }));
        assert_eq!(normalize_table_owned(t.clone()), normalize_table(&t));
        assert_eq!(normalize_table(&t).columns[4].ty, LogicalType::Sql("text".into()));
    }
}
