//! The PostgreSQL row helpers of a table: `PostgresRows`, typed on the `postgres` crate. Only
//! what needs the struct's fields is written here (reading a row, a row's values, an insert
//! struct's values, a key's values); the SQL is made by schema-core from the model. Wrapped in
//! `__postgres_rows!`, so a build of schema-core without the driver drops it.

use proc_macro2::TokenStream;
use quote::quote;
use schema_model::model::{IntKind, LogicalType};
use schema_model::parse::{FieldColumn, ParsedField, ParsedTable, strip_option};

use super::new::{NewField, NewKind};
use super::{Columns, Key};

/// How a field's value travels: as the `postgres` crate maps its type, as `jsonb` through
/// serde, or as a wider signed integer (the kinds PostgreSQL lacks).
enum Codec {
    Plain,
    Json,
    Wide,
}

fn codec(p: &ParsedTable, c: &FieldColumn) -> Codec {
    if c.json {
        return Codec::Json;
    }
    match p.table.column(&c.name).map(|col| &col.ty) {
        Some(LogicalType::Int(
            IntKind::I8 | IntKind::U8 | IntKind::U16 | IntKind::U32 | IntKind::U64 | IntKind::Isize | IntKind::Usize,
        )) => Codec::Wide,
        _ => Codec::Plain,
    }
}

/// The parameter for `v`, a reference to a value of the column's type, or of an `Option` of it.
fn param_of(p: &ParsedTable, c: &FieldColumn, v: TokenStream, nullable: bool) -> TokenStream {
    let pg = quote!(::schema_core::__private::postgres);
    match encoder(p, c, nullable) {
        Some(e) => quote!(#e(#v)),
        None => quote!(::std::boxed::Box::new(#v) as #pg::Param<'_>),
    }
}

/// How a json or widened column's value becomes a parameter (an `Encode` of schema-core's);
/// `None` for a value the `postgres` crate maps as it is.
fn encoder(p: &ParsedTable, c: &FieldColumn, nullable: bool) -> Option<TokenStream> {
    let pg = quote!(::schema_core::__private::postgres);
    match (codec(p, c), nullable) {
        (Codec::Json, false) => Some(quote!(#pg::json)),
        (Codec::Json, true) => Some(quote!(#pg::json_opt)),
        (Codec::Wide, false) => Some(quote!(#pg::wide)),
        (Codec::Wide, true) => Some(quote!(#pg::wide_opt)),
        (Codec::Plain, _) => None,
    }
}

/// The value of `v` (a place of the field's type) as a `ColumnParam`: defaulted (`given`, an
/// `Option` the database fills when `None`) or not.
fn column_param(p: &ParsedTable, f: &ParsedField, c: &FieldColumn, v: TokenStream, given: bool) -> TokenStream {
    let pg = quote!(::schema_core::__private::postgres);
    match (encoder(p, c, strip_option(&f.ty).is_some()), given) {
        (None, false) => quote!(&#v),
        (Some(e), false) => quote!(#pg::Encoded(&#v, #e)),
        (None, true) => quote!(#pg::Given(&#v)),
        (Some(e), true) => quote!(#pg::GivenEncoded(&#v, #e)),
    }
}

/// `pg_from_row`'s body: a json column read as `Json`, a widened one as `Narrow`.
fn from_row_body(p: &ParsedTable) -> TokenStream {
    let pg = quote!(::schema_core::__private::postgres);
    super::read_columns_body(p, &pg, |c, ty| match codec(p, c) {
        Codec::Plain => None,
        Codec::Json => Some(quote!(#pg::postgres::types::Json<#ty>)),
        Codec::Wide => Some(quote!(#pg::Narrow<#ty>)),
    })
}

/// The `PostgresRows` impl of the table.
pub fn rows_impl(p: &ParsedTable, columns: &Columns<'_>, key: &Key<'_>, new_fields: &[NewField<'_>]) -> TokenStream {
    let pg = quote!(::schema_core::__private::postgres);
    let ident = &p.ident;
    let from_row = from_row_body(p);
    let (cols, values): (Vec<&String>, Vec<TokenStream>) = columns
        .iter()
        .filter(|(_, c)| !c.generated)
        .map(|(f, c)| {
            let name = &f.ident;
            (&c.name, column_param(p, f, c, quote!(self.#name), false))
        })
        .unzip();
    let values = super::tuples(&pg, &values);
    let (new_cols, new_values): (Vec<&String>, Vec<TokenStream>) = new_fields
        .iter()
        .map(|nf| {
            let name = &nf.field.ident;
            let given = nf.kind == NewKind::Defaulted;
            (
                &nf.column.name,
                column_param(p, nf.field, nf.column, quote!(new.#name), given),
            )
        })
        .unzip();
    let new_values = super::tuples(&pg, &new_values);
    let key_fields: Vec<(&ParsedField, &FieldColumn)> = key
        .fields
        .iter()
        .filter_map(|f| f.column.as_ref().map(|c| (*f, c)))
        .collect();
    let key_values: Vec<TokenStream> = match key_fields.as_slice() {
        [] => Vec::new(),
        // The key type is each field's type without its `Option`.
        [(_, c)] => vec![param_of(p, c, quote!(key), false)],
        many => many
            .iter()
            .enumerate()
            .map(|(i, (_, c))| {
                let idx = syn::Index::from(i);
                param_of(p, c, quote!(&key.#idx), false)
            })
            .collect(),
    };
    let row_key = key_fields.iter().map(|(f, c)| {
        let name = &f.ident;
        param_of(p, c, quote!(&self.#name), strip_option(&f.ty).is_some())
    });
    quote! {
        ::schema_core::__postgres_rows! {
            impl #pg::PostgresRows for #ident {
                #[inline]
                fn pg_from_row(row: &#pg::postgres::Row) -> ::std::result::Result<Self, #pg::postgres::Error> {
                    #from_row
                }

                #[inline]
                fn pg_values(&self) -> ::std::vec::Vec<(&'static str, #pg::Param<'_>)> {
                    #pg::named(&[#(#cols),*], #values)
                }

                #[inline]
                fn pg_new_values(new: &<Self as ::schema_core::Table>::New) -> ::std::vec::Vec<(&'static str, #pg::Param<'_>)> {
                    #pg::named(&[#(#new_cols),*], #new_values)
                }

                #[inline]
                #[allow(unused_variables)]
                fn pg_key(key: &<Self as ::schema_core::Table>::Key) -> ::std::vec::Vec<#pg::Param<'_>> {
                    ::std::vec![#(#key_values),*]
                }

                #[inline]
                fn pg_row_key(&self) -> ::std::vec::Vec<#pg::Param<'_>> {
                    ::std::vec![#(#row_key),*]
                }
            }
        }
    }
}
