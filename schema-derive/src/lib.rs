//! The proc macros of the toolkit. Applications reach them through `schema-core`.
//!
//! Understanding a table (attributes → model, every check) happens in `schema-model`'s
//! parser, the same one the CLI runs; this crate only turns the result into code.

mod embed;
mod expand;

use proc_macro::TokenStream;
use syn::parse_macro_input;

/// `#[derive(Table)]`: implements `schema_core::Table` for a struct with named fields.
#[proc_macro_derive(Table, attributes(table, column, index, unique, check, foreign_key))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    expand::derive_table(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `#[derive(SqlEnum)]`: implements `schema_core::SqlEnum` for an enum of unit variants, a
/// PostgreSQL enum type (`#[sql_enum(name = "..", schema = "..")]`, a variant's value
/// `#[sql_enum(rename = "..")]`), `text` with a CHECK on SQLite.
#[proc_macro_derive(SqlEnum, attributes(sql_enum))]
pub fn derive_sql_enum(input: TokenStream) -> TokenStream {
    expand::derive_sql_enum(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `#[derive(SqlSequence)]`: implements `schema_core::SqlSequence` for a unit struct, a
/// PostgreSQL sequence (`#[sql_sequence(name = "..", schema = "..", increment = n, min_value
/// = n, max_value = n, start_with = n, cache = n, cycle)]`).
#[proc_macro_derive(SqlSequence, attributes(sql_sequence))]
pub fn derive_sql_sequence(input: TokenStream) -> TokenStream {
    expand::derive_sql_sequence(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `embed_migrations!("migrations")`: the migration folder (relative to the crate's
/// manifest) built into the binary, as a `schema_core::Migrations`. Every file is a build
/// input, so a new migration is picked up without touching anything else; a journal that
/// names a missing file, a malformed journal or a repeated tag is a compile error.
///
/// The tracking table: `embed_migrations!("migrations", table = "my_migrations")`; without
/// `table`, the `[migrations] table` of the crate's `schema.toml` (or of the file named by
/// `config = "../schema.toml"`), as `schema migrate` reads it; else `__drizzle_migrations`.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let args = parse_macro_input!(input as embed::EmbedArgs);
    embed::embed_migrations(&args)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
