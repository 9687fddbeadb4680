//! PostgreSQL: the [`Postgres`] dialect (types, DDL in drizzle-kit 0.31's layout, the in-place
//! planner, drizzle-kit's snapshot version "7") and, with the `postgres` feature, the
//! [`PgDriver`] on the `postgres` crate (introspection from `pg_catalog`, the migrator under a
//! session advisory lock, push).
//!
//! What this version covers: tables in any schema (`#[table(schema)]`) with every column type
//! (SPEC's table, `sql_type` for the rest), enum types (`#[derive(SqlEnum)]`: created, given
//! values ahead of their use, made anew when they lose one), identity columns for
//! `autoincrement`, defaults, generated stored columns, primary keys, unique and check
//! constraints, foreign keys with actions and DEFERRABLE, indexes (unique, partial,
//! expression), standalone sequences. Not yet: arrays of an enum.

pub mod casts;
#[cfg(feature = "postgres")]
mod driver;
#[cfg(feature = "postgres")]
#[doc(hidden)]
pub mod enum_values;
#[cfg(feature = "postgres")]
mod introspect;
#[cfg(feature = "postgres")]
mod migrator;
mod plan;
pub mod render;
#[cfg(feature = "postgres")]
pub mod rows;
mod snapshot;
pub mod split;

/// The `postgres` crate this build uses: connect with `schema_core::postgres::client::Client`
/// and your versions can never disagree.
#[cfg(feature = "postgres")]
pub use ::postgres as client;
/// The `tokio-postgres` crate this build uses, for [`crate::Migrations::run_tokio_postgres`].
#[cfg(feature = "tokio-postgres")]
pub use ::tokio_postgres as tokio_client;
#[cfg(feature = "postgres")]
pub use driver::{PgDriver, drop_database};
#[cfg(feature = "postgres")]
pub use migrator::LOCK_TIMEOUT;

use crate::dialect::{Dialect, Forbidden, Plan, PlanErrors, PlanOptions, StatementKind};
use crate::diff::Change;
use crate::model::{IntKind, LogicalType, Schema, Table, TableOptions};
use crate::snapshot::{Help, Snapshot, SnapshotError};

/// The PostgreSQL dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

/// The dialect, as the trait object workflows take.
pub static POSTGRES: Postgres = Postgres;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgresql"
    }

    fn quote_ident(&self, name: &str) -> String {
        render::ident(name)
    }

    fn column_type(&self, ty: &LogicalType) -> String {
        render::type_name(ty)
    }

    /// Each value is cast with `USING "col"::type`, and one that does not cast fails the
    /// migration whole; between types PostgreSQL has no cast for, it fails on every database.
    fn type_change_risk(&self, table: &str, from: &crate::model::Column, to: &crate::model::Column) -> String {
        let (a, b) = (render::type_name(&from.ty), render::type_name(&to.ty));
        if casts::cast_exists(&from.ty, &to.ty) == Some(false) {
            format!(
                "`{table}.{}` changes from {a} to {b}, which PostgreSQL has no cast for: as written, the migration fails on \
                 every database (changing nothing); edit its `USING {}::{}` into the conversion you mean before \
                 applying it, or add a new column and drop this one",
                to.name,
                render::ident(&to.name),
                render::sql_type(&to.ty)
            )
        } else {
            format!(
                "changes the type of `{table}.{}` from {a} to {b}: every value is cast (`USING`), and the migration fails, \
                 changing nothing, if one does not cast; check the rows first",
                to.name
            )
        }
    }

    fn normalize_table(&self, table: &Table) -> Table {
        let mut t = render::normalize_table(table);
        // SQLite's table options mean nothing here.
        t.options.sqlite = Default::default();
        for c in &mut t.columns {
            // A default given as SQL that is one string literal is that text; the parentheses
            // SQLite needs around an expression (`(now())`) are not PostgreSQL's to keep: the
            // server stores `now()`, and so does drizzle-kit's snapshot.
            if let Some(crate::model::DefaultValue::Sql(s)) = &c.default {
                c.default = Some(snapshot::default_from_sql(
                    schema_model::sql::strip_parens(s.trim()).trim(),
                ));
            }
            // Collations are SQLite's names (NOCASE, RTRIM): PostgreSQL has none by them.
            c.collate = None;
        }
        t
    }

    fn normalize(&self, schema: &Schema) -> Schema {
        let mut out = Schema {
            tables: schema.tables.iter().map(|t| self.normalize_table(t)).collect(),
            // Declared or used, each once: what the database has.
            enums: schema.enum_types().into_iter().cloned().collect(),
            sequences: schema.sequences.iter().map(render::sequence_options).collect(),
        };
        // `REFERENCES parent` means the parent's key: PostgreSQL stores the columns.
        let keys: std::collections::HashMap<String, Vec<String>> = out
            .tables
            .iter()
            .map(|t| (t.name.clone(), t.key_columns().into_iter().map(String::from).collect()))
            .collect();
        for t in &mut out.tables {
            for fk in &mut t.foreign_keys {
                if fk.ref_columns.is_empty()
                    && let Some(k) = keys.get(&fk.ref_table)
                {
                    fk.ref_columns = k.clone();
                }
            }
        }
        out
    }

    fn check(&self, schema: &Schema) -> Vec<String> {
        let mut problems = Vec::new();
        for t in &schema.tables {
            if t.name.len() > 63 {
                problems.push(format!(
                    "the table name `{}` is longer than PostgreSQL's 63 bytes: the server would cut it",
                    t.name
                ));
            }
            for c in &t.columns {
                if matches!(c.ty, LogicalType::Int(IntKind::U64 | IntKind::Usize)) {
                    problems.push(format!(
                        "`{}.{}`: PostgreSQL has no integer type that holds every u64; give it a sql_type (`numeric(20, 0)`) or use i64",
                        t.name, c.name
                    ));
                }
            }
            // Normalized (a copy of the table) only where a column asks for an identity.
            let n = if t.columns.iter().any(|c| c.autoincrement) {
                render::normalize_table(t)
            } else {
                Table::new(&t.name)
            };
            for (c, orig) in n.columns.iter().zip(&t.columns) {
                if orig.autoincrement
                    && !render::is_identity(c)
                    && !matches!(&c.ty, LogicalType::Sql(s) if s.ends_with("serial"))
                {
                    problems.push(format!(
                        "`{}.{}`: autoincrement is an identity column on PostgreSQL, which needs smallint, integer or bigint (it is {})",
                        t.name,
                        c.name,
                        render::type_name(&c.ty)
                    ));
                }
            }
            for name in t
                .indexes
                .iter()
                .map(|i| &i.name)
                .chain(t.foreign_keys.iter().map(|f| &f.name))
                .chain(t.uniques.iter().map(|u| &u.name))
                .chain(t.checks.iter().map(|c| &c.name))
            {
                if name.len() > 63 {
                    problems.push(format!(
                        "`{}`: the name `{name}` is longer than PostgreSQL's 63 bytes: the server would cut it and never find it again by this name; name it shorter",
                        t.name
                    ));
                }
            }
        }
        problems
    }

    fn plan(&self, prev: &Schema, next: &Schema, changes: &[Change], _opts: &PlanOptions) -> Result<Plan, PlanErrors> {
        plan::plan(prev, next, changes)
    }

    fn create_table_statements(&self, table: &Table) -> Vec<String> {
        let t = self.normalize_table(table);
        let names = render::Names::of([&t]);
        let mut out: Vec<String> = t
            .options
            .postgres
            .schema
            .iter()
            .map(|s| render::create_namespace(s))
            .collect();
        out.push(render::create_table(&names, &t));
        out.extend(
            t.foreign_keys
                .iter()
                .map(|fk| render::add_foreign_key(&names, &t.name, fk)),
        );
        out.extend(t.indexes.iter().map(|i| render::create_index(&names, &t.name, i)));
        out
    }

    fn create_schema(&self, schema: &Schema) -> Vec<String> {
        render::create_schema(schema)
    }

    fn snapshot_version(&self) -> &'static str {
        "7"
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
        format!(
            "in the schema `{}`",
            options.postgres.schema.as_deref().unwrap_or("public")
        )
    }

    fn rust_type(&self, declared: &str) -> &'static str {
        let t = render::canonical_type(declared);
        if t.ends_with(']') {
            return "schema_core::Value";
        }
        let base = t.split('(').next().unwrap_or(&t);
        match base {
            "smallint" | "smallserial" => "i16",
            "integer" | "serial" => "i32",
            "bigint" | "bigserial" => "i64",
            "boolean" => "bool",
            "real" => "f32",
            "double precision" => "f64",
            "bytea" => "Vec<u8>",
            "text" | "varchar" | "char" | "uuid" | "date" | "time" | "timestamp" | "citext" => "String",
            _ if base.starts_with("timestamp") || base.starts_with("time") => "String",
            _ => "schema_core::Value",
        }
    }

    fn classify(&self, statement: &str) -> StatementKind {
        let words = schema_model::sql::lex::leading_words(statement, 4);
        let concurrently = (words.first().map(String::as_str) == Some("CREATE")
            && words.iter().any(|w| w == "CONCURRENTLY"))
            || (words.first().map(String::as_str) == Some("DROP")
                && words.get(2).map(String::as_str) == Some("CONCURRENTLY"));
        if concurrently {
            StatementKind::AfterCommit
        } else {
            StatementKind::Transactional
        }
    }

    fn forbidden(&self, statements: &[String]) -> Vec<Forbidden> {
        let mut out = Vec::new();
        for (i, piece) in statements.iter().enumerate() {
            for stmt in split::statements(piece) {
                let words = schema_model::sql::lex::leading_words(stmt, 2);
                let first = words.first().map(String::as_str).unwrap_or("");
                let reason = match first {
                    "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT" | "RELEASE"
                    | "PREPARE" => Some(
                        "transaction control: each migration runs in its own transaction, which this statement would end or nest; remove it",
                    ),
                    "VACUUM" => Some("VACUUM cannot run inside a transaction; run it outside the migrations"),
                    _ => None,
                };
                if let Some(reason) = reason {
                    out.push(Forbidden {
                        number: i + 1,
                        sql: format!("{stmt};"),
                        reason: reason.to_string(),
                    });
                }
            }
        }
        out
    }

    fn lint_rules(&self) -> &'static dyn crate::lint::DialectRules {
        &crate::lint::postgres::POSTGRES_MIGRATOR
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, DefaultValue};

    #[test]
    fn types_map_to_postgresql() {
        let t = |ty| Postgres.column_type(&ty);
        assert_eq!(t(LogicalType::Int(IntKind::I32)), "integer");
        assert_eq!(t(LogicalType::Int(IntKind::U32)), "bigint");
        assert_eq!(t(LogicalType::F64), "double precision");
        assert_eq!(t(LogicalType::Json), "jsonb");
        assert_eq!(t(LogicalType::Sql("timestamptz".into())), "timestamp with time zone");
        assert_eq!(Postgres.rust_type("character varying(20)"), "String");
        assert_eq!(Postgres.rust_type("int8"), "i64");
        assert_eq!(Postgres.rust_type("numeric(10,2)"), "schema_core::Value");
    }

    #[test]
    fn an_autoincrement_key_is_an_identity_written_as_drizzle_kit_writes_it() {
        let mut t = Table::new("events");
        let mut id = Column::new("id", LogicalType::Int(IntKind::I32));
        id.primary_key = true;
        id.autoincrement = true;
        t.columns.push(id);
        let mut name = Column::new("name", LogicalType::String);
        name.default = Some(DefaultValue::Text("it's".into()));
        t.columns.push(name);
        assert_eq!(
            Postgres.create_table_statements(&t)[0],
            "CREATE TABLE \"events\" (\n\t\"id\" integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY (sequence name \"events_id_seq\" \
             INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),\n\t\"name\" text DEFAULT 'it''s' NOT NULL\n);\n"
        );
    }

    #[test]
    fn transaction_control_is_forbidden_and_concurrently_runs_after_commit() {
        let f = Postgres.forbidden(&["CREATE TABLE a (x int);\nCOMMIT;".into()]);
        assert_eq!((f.len(), f[0].number, f[0].sql.as_str()), (1, 1, "COMMIT;"));
        assert_eq!(
            Postgres.classify("CREATE INDEX CONCURRENTLY \"i\" ON \"t\" (\"a\");"),
            StatementKind::AfterCommit
        );
        assert_eq!(
            Postgres.classify("CREATE INDEX \"i\" ON \"t\" (\"a\");"),
            StatementKind::Transactional
        );
    }
}
