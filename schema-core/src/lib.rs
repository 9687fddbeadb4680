//! Schema migrations for Rust structs: declare tables with `#[derive(Table)]`, generate
//! drizzle-kit-compatible migration folders, and apply them without losing a row.
//!
//! What an application uses: [`Table`] (and its derive), [`Migrations`] with
//! [`embed_migrations!`], and the `run` method of the database's module (SQLite:
//! `Migrations::run(&mut conn)` on a connection of the SQLite client library).
//!
//! What the `schema` command is made of, each usable alone: the [`model`] (dialect-free), the
//! [`diff`], a [`dialect::Dialect`] (SQL as text) and a [`driver::Driver`] (I/O) chosen in
//! [`backend`], the migration [`folder`] and its [`snapshot`]s, and the workflows
//! [`generate`], [`push`], [`pull`] and [`drift`].
#![warn(missing_docs)]

/// `$mac!(T0 0)`, `$mac!(T0 0 T1 1)`, .. up to 32: a tuple trait's impl for every arity the
/// derive uses, each written once by `$mac`.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(unused_macros))]
macro_rules! for_each_arity {
    ($mac:ident) => {
        for_each_arity!(@ $mac []
            T0 0 T1 1 T2 2 T3 3 T4 4 T5 5 T6 6 T7 7 T8 8 T9 9 T10 10 T11 11 T12 12 T13 13 T14 14 T15 15
            T16 16 T17 17 T18 18 T19 19 T20 20 T21 21 T22 22 T23 23 T24 24 T25 25 T26 26 T27 27 T28 28
            T29 29 T30 30 T31 31);
    };
    (@ $mac:ident [$($done:tt)*] $t:ident $i:tt $($rest:tt)*) => {
        $mac!($($done)* $t $i);
        for_each_arity!(@ $mac [$($done)* $t $i] $($rest)*);
    };
    (@ $mac:ident [$($done:tt)*]) => {};
}

mod epoch;
mod fault;
mod halves;
mod json;
mod migrate;
mod room;
mod sql_enum;
mod table;
mod value;

pub mod backend;
pub mod dialect;
pub mod diff;
pub mod drift;
pub mod driver;
pub mod folder;
pub mod generate;
pub mod lint;
pub mod postgres;
pub mod pull;
pub mod push;
pub mod rehearse;
pub mod seed;
pub mod snapshot;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod two_phase;

pub use epoch::EpochTime;
pub use migrate::{
    Applied, DbError, MigrateError, Migration, MigrationState, Migrations, Progress, Status, Tick, Ticker,
};
/// For a binary whose allocator needs no room made in a new thread's heap (the CLI's).
#[doc(hidden)]
pub use room::room_not_needed;
/// `#[derive(SqlEnum)]`: an enum of unit variants as an SQL enum type (see README).
pub use schema_derive::SqlEnum;
/// `#[derive(SqlSequence)]`: a unit struct as a PostgreSQL sequence (see README).
pub use schema_derive::SqlSequence;
/// `#[derive(Table)]`: see the crate's README for the attributes.
pub use schema_derive::Table;
/// `embed_migrations!("migrations")`: the folder built into the binary as [`Migrations`].
pub use schema_derive::embed_migrations;
pub use schema_model::{model, sql};
pub use sql_enum::{SqlEnum, SqlSequence, UnknownValue};
pub use table::{ColumnRef, Executor, References, RowReader, Table};
pub use value::Value;

/// The SQLite client library this crate is built against (version 0.41, SQLite bundled).
/// Use it through this path, or depend on that very version: a second version of it would
/// link a second SQLite, which cargo refuses (`links = "sqlite3"`).
#[cfg(feature = "sqlite")]
pub use rusqlite;

/// What the derive's generated code calls. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use schema_model::model;

    pub use crate::sql_enum::{enum_has_value, parse_value};

    /// A table's model from the JSON the derive wrote from it (the same model types, the same
    /// serde: it always reads back).
    pub fn table_from_json(json: &str) -> model::Table {
        match serde_json::from_str(json) {
            Ok(t) => t,
            Err(e) => panic!(
                "the model #[derive(Table)] wrote does not read back ({e}): schema-derive and schema-core differ in version"
            ),
        }
    }
    pub use crate::table::{KeyPart, references_key};

    #[cfg(feature = "sqlite")]
    pub use crate::sqlite::__private as sqlite;

    #[cfg(feature = "postgres")]
    pub use crate::postgres::rows::__private as postgres;
}

/// Without SQLite, the derive's SQLite impl is dropped.
#[cfg(not(feature = "sqlite"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlite_rows {
    ($($impl:tt)*) => {};
}

/// Without the `sqlite` feature, an SqlEnum has no conversions for its client library.
#[cfg(not(feature = "sqlite"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlite_enum {
    ($ty:ty) => {};
}

/// Without the PostgreSQL driver, the derive's PostgreSQL impl is dropped.
#[cfg(not(feature = "postgres"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __postgres_rows {
    ($($impl:tt)*) => {};
}

/// With it, the derive's PostgreSQL impl is kept.
#[cfg(feature = "postgres")]
#[doc(hidden)]
#[macro_export]
macro_rules! __postgres_rows {
    ($($impl:tt)*) => { $($impl)* };
}

/// Without the PostgreSQL driver, an SqlEnum has no `postgres` conversions.
#[cfg(not(feature = "postgres"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __postgres_enum {
    ($ty:ty) => {};
}
