//! The proc macros of the toolkit. Applications reach them through `schema-core`.
//!
//! Understanding a table (attributes → model, every check) happens in `schema-model`'s
//! parser, the same one the CLI runs; this crate only turns the result into code.

mod expand;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// `#[derive(Table)]`: implements `schema_core::Table` for a struct with named fields.
#[proc_macro_derive(Table, attributes(table, column, index, unique, check))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive_table(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
