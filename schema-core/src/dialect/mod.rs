//! The dialect boundary: a [`Dialect`] is one database's SQL as pure text, no I/O.
//!
//! # Who owns what
//!
//! - The model (`schema_model`) and the diff ([`crate::diff`]) know no dialect. A table's
//!   dialect-only properties sit in [`TableOptions`](crate::model::TableOptions), one typed
//!   field a dialect; the diff compares them as a whole and a dialect renders its own field.
//! - A [`Dialect`] turns the model into text and back: type names, identifier quoting,
//!   normalisation (the form snapshots and the diff compare), planning a diff into statements,
//!   the snapshot's JSON codec (drizzle-kit's format differs per dialect: SQLite "6",
//!   PostgreSQL "7"), describing what only it can say, and reading what a statement is.
//! - A [`Driver`](crate::driver::Driver) is one client library's I/O on one database:
//!   introspection, the migration lock, the tracking table, applying a migration or a plan,
//!   counting rows. It hands out its dialect, so a workflow that holds a driver never names
//!   a database.
//! - [`crate::backend`] is the one place that maps a dialect's name (`dialect` in the config,
//!   `--dialect`) and a URL to these objects. Workflows (`generate`, `push`, `pull`, drift,
//!   `status`, `check`, `drop`) take them from there.
//!
//! Each dialect lives in its own module (`crate::sqlite`), holding both its `Dialect` and its
//! `Driver`; a new dialect is a new module beside it plus one arm in [`crate::backend`].
//!
//! # Designed for PostgreSQL
//!
//! The traits are shaped by what the second dialect needs, before it lands:
//!
//! - **Schemas (namespaces), enum types and sequences** are objects beside tables. The model
//!   grows them as dialect-free data (a table's namespace, `Schema::enums`), the diff emits
//!   changes for them, and a dialect that has none refuses them in [`Dialect::check`] instead of
//!   silently dropping them.
//! - **Transactional DDL, no rebuilds.** [`Dialect::plan`] owns the whole strategy: SQLite lowers
//!   what ALTER cannot do to a table rebuild; PostgreSQL alters in place
//!   (`ALTER COLUMN .. TYPE .. USING`, `SET NOT NULL` after filling NULLs). The [`Plan`] it
//!   returns is plain statements plus what a runner must know about them.
//! - **Statements that cannot run in a transaction** (`CREATE INDEX CONCURRENTLY`,
//!   `ALTER TYPE .. ADD VALUE` before its first use): a migration file stays a drizzle-kit
//!   statement list, and [`Dialect::classify`] tells the runner which statements must run
//!   after the migration's transaction commits, and which a migration may not contain at all
//!   (`BEGIN`, `COMMIT`, ...).
//! - **Locking.** SQLite serialises migrators with `BEGIN IMMEDIATE` on each migration;
//!   PostgreSQL takes a session advisory lock around the run and sets `lock_timeout`. That is
//!   the driver's business: the runner asks it to lock and to apply one migration.
//! - **The snapshot format** is the dialect's ([`Dialect::write_snapshot`],
//!   [`Dialect::read_snapshot`]), and the journal names the dialect, so a folder written for one
//!   database is never read as another's.

use std::collections::BTreeSet;
use std::fmt;

use crate::diff::Change;
use crate::model::{LogicalType, Schema, Table, TableOptions};
use crate::snapshot::{Help, Snapshot, SnapshotError};

/// One database's SQL, as text: no I/O. See the module docs for the design.
pub trait Dialect: fmt::Debug + Sync {
    /// The dialect's name as the config, the journal and the snapshot spell it
    /// (`"sqlite"`, `"postgresql"`).
    fn name(&self) -> &'static str;

    /// A table, column or index name, quoted.
    fn quote_ident(&self, name: &str) -> String;

    /// A string literal.
    fn quote_str(&self, text: &str) -> String {
        schema_model::sql::string_literal(text)
    }

    /// The type name of a logical type, as this dialect's snapshots and SQL write it.
    fn column_type(&self, ty: &LogicalType) -> String;

    /// The table in the form snapshots and the diff compare: what the database would store for
    /// it (type names resolved, constraints in the shape the dialect keeps them).
    fn normalize_table(&self, table: &Table) -> Table;

    /// [`Dialect::normalize_table`] for every table. A dialect without enum types (this
    /// default) has lowered each enum column in `normalize_table`, and keeps no enums.
    fn normalize(&self, schema: &Schema) -> Schema {
        Schema {
            tables: schema.tables.iter().map(|t| self.normalize_table(t)).collect(),
            ..Default::default()
        }
    }

    /// [`Dialect::normalize`] of a schema the caller is done with: a dialect that can drops
    /// each table once its normalized copy is made, so the two schemas are not held whole at
    /// once.
    fn normalize_owned(&self, schema: Schema) -> Schema {
        self.normalize(&schema)
    }

    /// What this dialect cannot do with a schema that is valid in general (a namespace on a
    /// dialect without namespaces, a reserved name), each said as a problem of the table.
    fn check(&self, _schema: &Schema) -> Vec<String> {
        Vec::new()
    }

    /// The statements that turn `prev` into `next`, given `changes` (their diff).
    fn plan(&self, prev: &Schema, next: &Schema, changes: &[Change], opts: &PlanOptions) -> Result<Plan, PlanErrors>;

    /// The statements that create one table and its indexes.
    fn create_table_statements(&self, table: &Table) -> Vec<String>;

    /// The statements that create a whole (normalized) schema, each table after the tables it
    /// references.
    fn create_schema(&self, schema: &Schema) -> Vec<String>;

    /// The version of this dialect's snapshot format (the journal's `version` of each entry).
    fn snapshot_version(&self) -> &'static str;

    /// A snapshot as this dialect's drizzle-kit snapshot file, byte-stable.
    fn write_snapshot(&self, snapshot: &Snapshot) -> String;

    /// [`Dialect::write_snapshot`]'s bytes into `out`, as a dialect can: a piece at a time,
    /// without the text held whole, and with a second thread's `help` once it is offered.
    fn write_snapshot_to(
        &self,
        snapshot: &Snapshot,
        out: &mut dyn std::io::Write,
        _help: Option<&Help>,
    ) -> std::io::Result<()> {
        out.write_all(self.write_snapshot(snapshot).as_bytes())
    }

    /// A snapshot file of this dialect, read back.
    fn read_snapshot(&self, text: &str) -> Result<Snapshot, SnapshotError>;

    /// Table options said in words, for drift reports (`STRICT, with rowid`).
    fn describe_options(&self, options: &TableOptions) -> String;

    /// Why a change of table options may be refused by the rows already there, if it may.
    fn options_risk(&self, _from: &TableOptions, _to: &TableOptions) -> Option<String> {
        None
    }

    /// A column's type change, said as the risk it is on this database (`generate` and `push`
    /// both say it).
    fn type_change_risk(&self, table: &str, from: &crate::model::Column, to: &crate::model::Column) -> String;

    /// The Rust type `schema pull` writes for a column of this declared type (`i64`,
    /// `String`, ...): one that reads back every value such a column holds.
    fn rust_type(&self, declared: &str) -> &'static str;

    /// A `default_sql` value as the derive takes it, for a default read from a database: the
    /// derive checks defaults in SQLite's form (an expression in parentheses), which PostgreSQL
    /// reads the same.
    fn default_sql_attribute(&self, default: &str) -> String {
        if schema_model::sql::sqlite::is_default_form(default) {
            default.to_string()
        } else {
            format!("({default})")
        }
    }

    /// What a statement of a migration file is, for the runner.
    fn classify(&self, _statement: &str) -> StatementKind {
        StatementKind::Transactional
    }

    /// The statements of a migration (its breakpoint-separated pieces) that it may not hold:
    /// those that would end, nest or escape the transaction it runs in. The migrator refuses
    /// such a migration before it runs anything.
    fn forbidden(&self, _statements: &[String]) -> Vec<Forbidden> {
        Vec::new()
    }

    /// The lint rules that are this dialect's business: how its statements take locks (see
    /// [`crate::lint`]). A dialect that says nothing adds no rules to the dialect-free ones.
    fn lint_rules(&self) -> &'static dyn crate::lint::DialectRules {
        &crate::lint::NO_DIALECT_RULES
    }
}

/// A statement a migration may not hold, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden {
    /// The piece (breakpoint-separated) it is in, from 1.
    pub number: usize,
    /// The statement.
    pub sql: String,
    /// Why it may not be there, and what to do.
    pub reason: String,
}

/// How a runner treats one statement of a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    /// Runs inside the migration's transaction.
    Transactional,
    /// Must run after the migration's transaction commits (PostgreSQL's
    /// `CREATE INDEX CONCURRENTLY`).
    AfterCommit,
}

/// What a planner needs to know beyond the two schemas.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanOptions {
    /// Tables to recreate whatever their changes: a live database can hold what the model
    /// cannot undo by name (SQLite's UNIQUE constraint has no DROP). Ignored by dialects that
    /// alter everything in place.
    pub recreate: BTreeSet<String>,
    /// Indexes the live database has only as part of a constraint (SQLite's autoindex of a
    /// UNIQUE constraint), which have no name to drop them by.
    pub constraint_indexes: BTreeSet<String>,
}

/// What a migration will do, before it is written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// The statements, in order.
    pub statements: Vec<String>,
    /// Beside each statement, the changes it carries out (indexes into the changes planned):
    /// what lets lint name the statement of each change. Empty for a statement that only frames
    /// others (SQLite's `PRAGMA foreign_keys`); a dialect that does not trace leaves it empty.
    pub origins: Vec<Vec<usize>>,
    /// What loses data: dropped tables and columns, by name.
    pub warnings: Vec<String>,
    /// The tables rebuilt (recreated and copied), in order.
    pub rebuilt: Vec<String>,
}

/// A change that would lose or refuse data, refused when planning.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A NOT NULL column added to a table with rows, with nothing to put in it.
    #[error(
        "cannot add the NOT NULL column `{table}.{column}` without a default: the table's existing rows would have no value for it; \
         add #[column(default = ..)] or #[column(default_sql = \"..\")], or make the field an Option"
    )]
    NewNotNullWithoutDefault {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A nullable column made NOT NULL, with nothing to put where it holds NULL.
    #[error(
        "cannot make `{table}.{column}` NOT NULL without a default: rows that hold NULL there would have no value; \
         add #[column(default = ..)] (used for those rows), or keep the field an Option"
    )]
    NotNullWithoutDefault {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A change creates a table the schema the changes lead to does not have: the changes
    /// were not made by diffing into that schema.
    #[error("the changes create the table `{table}`, which the schema they lead to does not have")]
    CreatedTableMissing {
        /// The table's name.
        table: String,
    },
}

/// The problems of a plan, all of them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct PlanErrors(pub Vec<PlanError>);
