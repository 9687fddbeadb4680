//! SQLite, on rusqlite: the [`Sqlite`] dialect (types, DDL, the rebuild planner, drizzle-kit's
//! snapshot version "6") and the [`SqliteDriver`] (introspection, the migrator, push).
//!
//! Everything that knows SQLite is in this module; the rest of the crate reaches it through
//! [`Dialect`] and [`Driver`](crate::driver::Driver), chosen in [`crate::backend`].

pub mod ddl;
mod driver;
mod introspect;
mod lint;
mod plan;
mod render;
mod rows;
mod runner;
mod snapshot;
mod statements;
mod tracking;

use schema_model::sql::sqlite as text;

pub use driver::{SqliteDriver, database_files, remove_database};
pub use introspect::{introspect, verbatim_objects};
pub use lint::{SQLITE_RULES, SqliteRules, TABLE_REBUILD};
pub use plan::{NEW_PREFIX, REBUILD_MARKER, mentions, rowid_alias, turns_foreign_keys_off};
pub use render::dependency_order;
#[doc(hidden)]
pub use rows::__private;
pub use runner::apply_statements;

use crate::dialect::{Dialect, Forbidden, Plan, PlanErrors, PlanOptions};
use crate::diff::Change;
use crate::model::{LogicalType, Schema, Table, TableOptions};
use crate::snapshot::{Help, Snapshot, SnapshotError};

/// The SQLite dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

/// The dialect, as the trait object workflows take.
pub static SQLITE: Sqlite = Sqlite;

impl Sqlite {
    /// The SQLite type name of a logical type (drizzle-kit's lowercase names).
    pub fn type_name(ty: &LogicalType) -> String {
        render::type_name(ty)
    }
}

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn quote_ident(&self, name: &str) -> String {
        text::ident(name)
    }

    fn column_type(&self, ty: &LogicalType) -> String {
        render::type_name(ty)
    }

    fn normalize_table(&self, table: &Table) -> Table {
        render::normalize_table(table)
    }

    // `normalize` is the trait's: the tables normalized, no enums or sequences (SQLite has
    // neither). Here each table is changed in place.
    fn normalize_owned(&self, schema: Schema) -> Schema {
        let mut tables = schema.tables;
        // Table by table: a long schema's two halves at once.
        crate::halves::each_in_halves(&mut tables, |t| {
            *t = render::normalize_table_owned(std::mem::replace(t, Table::new(String::new())));
        });
        Schema {
            tables,
            ..Default::default()
        }
    }

    fn plan(&self, prev: &Schema, next: &Schema, changes: &[Change], opts: &PlanOptions) -> Result<Plan, PlanErrors> {
        plan::plan(prev, next, changes, opts)
    }

    fn create_table_statements(&self, table: &Table) -> Vec<String> {
        render::table_and_indexes(&render::normalize_table(table)).collect()
    }

    fn create_schema(&self, schema: &Schema) -> Vec<String> {
        render::create_schema(&schema.tables)
    }

    fn snapshot_version(&self) -> &'static str {
        "6"
    }

    fn write_snapshot(&self, snapshot: &Snapshot) -> String {
        snapshot::write(snapshot)
    }

    fn write_snapshot_to(
        &self,
        snapshot: &Snapshot,
        out: &mut dyn std::io::Write,
        help: Option<&Help>,
    ) -> std::io::Result<()> {
        snapshot::write_to(snapshot, out, help)
    }

    fn read_snapshot(&self, text: &str) -> Result<Snapshot, SnapshotError> {
        snapshot::read(text)
    }

    fn describe_options(&self, options: &TableOptions) -> String {
        let o = options.sqlite;
        format!(
            "{}{}",
            if o.strict { "STRICT" } else { "not STRICT" },
            if o.without_rowid {
                ", WITHOUT ROWID"
            } else {
                ", with rowid"
            }
        )
    }

    fn options_risk(&self, from: &TableOptions, to: &TableOptions) -> Option<String> {
        (to.sqlite.strict && !from.sqlite.strict)
            .then(|| "STRICT: refused if a value does not fit its column's type".to_string())
    }

    fn rust_type(&self, declared: &str) -> &'static str {
        // SQLite's affinity rules (datatype3.html §3.1).
        let u = declared.to_ascii_uppercase();
        if u.contains("INT") {
            "i64"
        } else if u.contains("CHAR") || u.contains("CLOB") || u.contains("TEXT") {
            "String"
        } else if u.contains("BLOB") {
            "Vec<u8>"
        } else if u.contains("REAL") || u.contains("FLOA") || u.contains("DOUB") {
            "f64"
        } else if u.contains("BOOL") {
            // NUMERIC affinity; what every ORM keeps there is 0 and 1.
            "bool"
        } else if u.contains("DATE") || u.contains("TIME") {
            // NUMERIC affinity, but what applications keep there is ISO text.
            "String"
        } else {
            // No type (BLOB affinity: kept as given), ANY, and the rest of NUMERIC affinity
            // (NUMERIC, DECIMAL, JSON, ...): a value may come back as any storage class.
            "schema_core::Value"
        }
    }

    /// Each value is converted by the new column's affinity (`'12'` becomes 12), and one that
    /// does not convert is kept as it was, or refused by a STRICT table.
    fn type_change_risk(&self, table: &str, from: &crate::model::Column, to: &crate::model::Column) -> String {
        format!(
            "changes the type of `{table}.{}` from {} to {}: each value is converted where the database can, \
             and one that cannot be may be kept as it was or refused (a STRICT table); check the rows first",
            to.name,
            self.column_type(&from.ty),
            self.column_type(&to.ty)
        )
    }

    fn check(&self, schema: &Schema) -> Vec<String> {
        let mut problems: Vec<String> = schema
            .sequences
            .iter()
            .map(|s| {
                format!(
                    "the sequence `{}` (#[derive(SqlSequence)]) is PostgreSQL's: SQLite has no sequences; keep it for the \
                     postgresql dialect's folder",
                    s.name
                )
            })
            .collect();
        for t in &schema.tables {
            for c in &t.columns {
                if let LogicalType::EnumArray(e) = &c.ty {
                    problems.push(format!(
                        "`{}.{}` is an array of the enum `{}` (a `Vec` of an SqlEnum), and SQLite has no arrays: keep it for \
                         the postgresql dialect's folder, or store it as JSON (#[column(json)])",
                        t.name, c.name, e.name
                    ));
                }
            }
            if let Some(s) = &t.options.postgres.schema {
                problems.push(format!(
                    "`{}` is declared in the schema `{s}` (#[table(schema = ..)]), and SQLite has no schemas: \
                     keep that table for the postgresql dialect's folder, or leave the schema out",
                    t.name
                ));
            }
            for ix in &t.indexes {
                if let Some(m) = &ix.options.method {
                    problems.push(format!(
                        "`{}`: the index `{}` uses `{m}` (#[index(using = ..)]), a PostgreSQL index method; SQLite has only its b-tree",
                        t.name, ix.name
                    ));
                }
                if !ix.options.columns.is_empty() || !ix.options.with.is_empty() {
                    problems.push(format!(
                        "`{}`: the index `{}` orders or compares a column (`desc`, `nulls_first`, `opclass`) or has \
                         storage parameters (`with(..)`): written for PostgreSQL here; SQLite's folder needs the plain index",
                        t.name, ix.name
                    ));
                }
                if ix.options.concurrently {
                    problems.push(format!(
                        "`{}`: the index `{}` is `concurrently`, which only PostgreSQL builds; on SQLite leave it out",
                        t.name, ix.name
                    ));
                }
            }
            for c in t.columns.iter().filter(|c| c.identity.is_some()) {
                problems.push(format!(
                    "`{}.{}`: identity(..) sets the options of a PostgreSQL identity sequence; SQLite's autoincrement has none",
                    t.name, c.name
                ));
            }
            for u in t.uniques.iter().filter(|u| u.nulls_not_distinct) {
                problems.push(format!(
                    "`{}`: the unique constraint `{}` is `nulls_not_distinct`, which SQLite cannot say (its NULLs are always distinct)",
                    t.name, u.name
                ));
            }
        }
        problems
    }

    fn forbidden(&self, statements: &[String]) -> Vec<Forbidden> {
        statements::forbidden(statements)
    }

    fn lint_rules(&self) -> &'static dyn crate::lint::DialectRules {
        &SQLITE_RULES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_sqlite_affinity() {
        let t = |d: &str| Sqlite.rust_type(d);
        assert_eq!(t("varchar(150)"), "String");
        assert_eq!(t("BIGINT"), "i64");
        assert_eq!(t("bool"), "bool");
        assert_eq!(t("datetime"), "String");
        assert_eq!(t("decimal"), "schema_core::Value");
        assert_eq!(t("JSON"), "schema_core::Value");
        assert_eq!(t("ANY"), "schema_core::Value");
        assert_eq!(t(""), "schema_core::Value");
        assert_eq!(t("blob"), "Vec<u8>");
    }
}
