//! Schema migrations for Rust structs: declare tables with `#[derive(Table)]`, generate
//! drizzle-kit-compatible migration folders, and apply them to SQLite without losing a row.
//!
//! The pieces, each usable alone: [`model`] (the dialect-free schema), [`snapshot`] and
//! [`journal`] (drizzle-kit's files), [`dialect`] (SQL), [`generate`] and [`migrate`].

mod table;

pub mod dialect;
pub mod diff;
pub mod generate;
pub mod introspect;
pub mod journal;
pub mod migrate;
pub mod pull;
pub mod push;
pub mod snapshot;

pub use migrate::{MigrateError, Migration, Migrations};
/// `#[derive(Table)]`: see the crate's README for the attributes.
pub use schema_derive::Table;
/// `embed_migrations!("migrations")`: the folder built into the binary as [`Migrations`].
pub use schema_derive::embed_migrations;
pub use schema_model::model;
pub use table::{ColumnRef, References, Table};

/// What the derive's generated code calls. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use rusqlite;
    pub use schema_model::model;

    use rusqlite::types::{ToSqlOutput, Value};

    /// A `#[column(json)]` value, written as JSON text.
    pub fn json_to_sql<T: serde::Serialize>(value: &T) -> rusqlite::Result<ToSqlOutput<'static>> {
        serde_json::to_string(value)
            .map(|s| ToSqlOutput::Owned(Value::Text(s)))
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
    }

    /// A nullable `#[column(json)]` value: `None` is SQL NULL, not the text `null`.
    pub fn json_opt_to_sql<T: serde::Serialize>(value: &Option<T>) -> rusqlite::Result<ToSqlOutput<'static>> {
        match value {
            None => Ok(ToSqlOutput::Owned(Value::Null)),
            Some(v) => json_to_sql(v),
        }
    }

    pub fn json_from_row<T: serde::de::DeserializeOwned>(row: &rusqlite::Row<'_>, column: &str) -> rusqlite::Result<T> {
        let text: String = row.get(column)?;
        parse_json(row, column, &text)
    }

    pub fn json_opt_from_row<T: serde::de::DeserializeOwned>(
        row: &rusqlite::Row<'_>,
        column: &str,
    ) -> rusqlite::Result<Option<T>> {
        let text: Option<String> = row.get(column)?;
        text.map(|t| parse_json(row, column, &t)).transpose()
    }

    fn parse_json<T: serde::de::DeserializeOwned>(
        row: &rusqlite::Row<'_>,
        column: &str,
        text: &str,
    ) -> rusqlite::Result<T> {
        serde_json::from_str(text).map_err(|e| {
            let idx = row.as_ref().column_index(column).unwrap_or(0);
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        })
    }

    /// The error of `update` / `delete` on a table whose struct has no key to find its row by.
    pub fn no_key(table: &str) -> rusqlite::Error {
        rusqlite::Error::InvalidParameterName(format!(
            "table `{table}` has no primary key, so a row cannot be updated or deleted by its struct; declare a primary key"
        ))
    }
}
