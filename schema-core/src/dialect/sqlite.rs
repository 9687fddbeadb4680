//! SQLite: maps logical types, lowers unique constraints to unique indexes as drizzle-kit
//! does, and writes `CREATE TABLE` / `CREATE INDEX` in drizzle-kit's layout.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Index, IndexTarget, LogicalType, Schema, Table};

/// The SQLite dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

/// `` `name` ``, with any backtick doubled.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

impl Sqlite {
    /// The SQLite type name of a logical type (drizzle-kit's lowercase names).
    pub fn column_type(ty: &LogicalType) -> String {
        match ty {
            LogicalType::Int(_) | LogicalType::Bool => "integer".into(),
            LogicalType::F32 | LogicalType::F64 => "real".into(),
            LogicalType::String | LogicalType::Json => "text".into(),
            LogicalType::Bytes => "blob".into(),
            LogicalType::Sql(s) => s.clone(),
        }
    }

    /// The table as SQLite stores it: unique constraints become unique indexes (column ones
    /// first, then the declared indexes, then table-level ones: drizzle-kit's order), and
    /// every type becomes its SQLite name. Snapshots, SQL and the diff all work on this form.
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
                });
                c.unique = false;
            }
            c.ty = LogicalType::Sql(Self::column_type(&c.ty));
        }
        indexes.append(&mut t.indexes);
        for u in t.uniques.drain(..) {
            indexes.push(Index {
                name: u.name,
                target: IndexTarget::Columns(u.columns),
                unique: true,
                where_clause: None,
            });
        }
        t.indexes = indexes;
        t
    }

    pub fn normalize(schema: &Schema) -> Schema {
        Schema {
            tables: schema.tables.iter().map(Self::normalize_table).collect(),
        }
    }

    /// `CREATE TABLE`, laid out as drizzle-kit lays it out, ending in `;\n`.
    pub fn create_table(table: &Table) -> String {
        let mut lines = Vec::new();
        for c in &table.columns {
            let mut line = format!("\t{} {}", ident(&c.name), Self::column_type(&c.ty));
            if c.primary_key {
                line.push_str(" PRIMARY KEY");
                if c.autoincrement {
                    line.push_str(" AUTOINCREMENT");
                }
            }
            if let Some(d) = &c.default {
                line.push_str(&format!(" DEFAULT {}", d.to_sql()));
            }
            if let Some(g) = &c.generated {
                let mode = if g.stored { "STORED" } else { "VIRTUAL" };
                line.push_str(&format!(" GENERATED ALWAYS AS ({}) {mode}", g.expr));
            }
            if let Some(coll) = &c.collate {
                line.push_str(&format!(" COLLATE {coll}"));
            }
            if c.not_null {
                line.push_str(" NOT NULL");
            }
            if c.unique {
                line.push_str(" UNIQUE");
            }
            lines.push(line);
        }
        if let Some(pk) = &table.primary_key {
            let cols: Vec<String> = pk.columns.iter().map(|c| ident(c)).collect();
            lines.push(format!("\tPRIMARY KEY({})", cols.join(", ")));
        }
        for fk in &table.foreign_keys {
            let from: Vec<String> = fk.columns.iter().map(|c| ident(c)).collect();
            let to: Vec<String> = fk.ref_columns.iter().map(|c| ident(c)).collect();
            lines.push(format!(
                "\tFOREIGN KEY ({}) REFERENCES {}({}) ON UPDATE {} ON DELETE {}",
                from.join(", "),
                ident(&fk.ref_table),
                to.join(", "),
                fk.on_update,
                fk.on_delete
            ));
        }
        for u in &table.uniques {
            let cols: Vec<String> = u.columns.iter().map(|c| ident(c)).collect();
            lines.push(format!(
                "\tCONSTRAINT \"{}\" UNIQUE({})",
                u.name.replace('"', "\"\""),
                cols.join(", ")
            ));
        }
        for ch in &table.checks {
            lines.push(format!(
                "\tCONSTRAINT \"{}\" CHECK({})",
                ch.name.replace('"', "\"\""),
                ch.expr
            ));
        }
        let mut options = Vec::new();
        if table.without_rowid {
            options.push("WITHOUT ROWID");
        }
        if table.strict {
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

    /// `CREATE [UNIQUE] INDEX`, as drizzle-kit writes it.
    pub fn create_index(table: &str, index: &Index) -> String {
        let unique = if index.unique { "UNIQUE " } else { "" };
        let target = match &index.target {
            IndexTarget::Columns(cols) => cols.iter().map(|c| ident(c)).collect::<Vec<_>>().join(","),
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

    /// The statements that create one table, its unique constraints as indexes: what the
    /// derive's `create_table_sql` gives.
    pub fn create_table_statements(table: &Table) -> Vec<String> {
        let t = Self::normalize_table(table);
        let mut out = vec![Self::create_table(&t)];
        out.extend(t.indexes.iter().map(|i| Self::create_index(&t.name, i)));
        out
    }

    /// The statements that create a whole (normalized) schema: each table after the tables its
    /// foreign keys point at, each followed by its indexes. Ties and cycles fall back to
    /// name order, so the output is the same on every run.
    pub fn create_schema(schema: &Schema) -> Vec<String> {
        let mut out = Vec::new();
        for t in dependency_order(&schema.tables) {
            out.push(Self::create_table(t));
            out.extend(t.indexes.iter().map(|i| Self::create_index(&t.name, i)));
        }
        out
    }
}

/// Tables sorted so that a referenced table comes before the tables referencing it.
pub fn dependency_order(tables: &[Table]) -> Vec<&Table> {
    let by_name: BTreeMap<&str, &Table> = tables.iter().map(|t| (t.name.as_str(), t)).collect();
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
