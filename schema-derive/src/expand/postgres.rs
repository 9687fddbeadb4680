//! The PostgreSQL row helpers of a table: `PostgresRows`, typed on the `postgres` crate. Only
//! what needs the struct's fields is written here (reading a row, a row's values, an insert
//! struct's values, a key's values); the SQL is made by schema-core from the model. Wrapped in
//! `__postgres_rows!`, so a build of schema-core without the driver drops it.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use schema_model::model::{IntKind, LogicalType};
use schema_model::parse::{FieldColumn, ParsedField, ParsedTable, strip_option};
use syn::spanned::Spanned;

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

/// The parameter for `v`, a reference to a value of the field's type.
fn param(p: &ParsedTable, f: &ParsedField, c: &FieldColumn, v: TokenStream) -> TokenStream {
    param_of(p, c, v, strip_option(&f.ty).is_some())
}

/// The parameter for `v`, a reference to a value of the column's type, or of an `Option` of it.
fn param_of(p: &ParsedTable, c: &FieldColumn, v: TokenStream, nullable: bool) -> TokenStream {
    let pg = quote!(::schema_core::__private::postgres);
    match (codec(p, c), nullable) {
        (Codec::Json, false) => quote!(#pg::json(#v)),
        (Codec::Json, true) => quote!(#pg::json_opt(#v)),
        (Codec::Wide, false) => quote!(#pg::wide(#v)),
        (Codec::Wide, true) => quote!(#pg::wide_opt(#v)),
        (Codec::Plain, _) => quote!(::std::boxed::Box::new(#v) as #pg::Param<'_>),
    }
}

fn reads(p: &ParsedTable) -> Vec<TokenStream> {
    let pg = quote!(::schema_core::__private::postgres);
    p.fields
        .iter()
        .map(|f| {
            let name = &f.ident;
            let span = f.ty.span();
            let Some(c) = &f.column else {
                return quote_spanned!(span=> #name: ::std::default::Default::default());
            };
            let col = &c.name;
            let inner = strip_option(&f.ty);
            let read = match (codec(p, c), inner) {
                (Codec::Json, Some(inner)) => quote!(#pg::get_json_opt::<#inner>(row, #col)),
                (Codec::Json, None) => quote!(#pg::get_json(row, #col)),
                (Codec::Wide, Some(_)) => quote!(#pg::get_wide_opt(row, #col)),
                (Codec::Wide, None) => quote!(#pg::get_wide(row, #col)),
                (Codec::Plain, _) => quote!(#pg::get(row, #col)),
            };
            quote_spanned!(span=> #name: #read?)
        })
        .collect()
}

/// The `PostgresRows` impl of the table.
pub fn rows_impl(p: &ParsedTable, columns: &Columns<'_>, key: &Key<'_>, new_fields: &[NewField<'_>]) -> TokenStream {
    let pg = quote!(::schema_core::__private::postgres);
    let ident = &p.ident;
    let reads = reads(p);
    let values = columns.iter().filter(|(_, c)| !c.generated).map(|(f, c)| {
        let (name, col) = (&f.ident, &c.name);
        let v = param(p, f, c, quote!(&self.#name));
        quote!((#col, #v))
    });
    let new_values = new_fields.iter().map(|nf| {
        let (name, col) = (&nf.field.ident, &nf.column.name);
        match nf.kind {
            NewKind::Required | NewKind::Nullable => {
                let v = param(p, nf.field, nf.column, quote!(&new.#name));
                quote!(__values.push((#col, #v));)
            }
            NewKind::Defaulted => {
                let v = param(p, nf.field, nf.column, quote!(__v));
                quote! {
                    if let ::std::option::Option::Some(__v) = &new.#name {
                        __values.push((#col, #v));
                    }
                }
            }
        }
    });
    let n = new_fields.len();
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
        param(p, f, c, quote!(&self.#name))
    });
    quote! {
        ::schema_core::__postgres_rows! {
            impl #pg::PostgresRows for #ident {
                fn pg_from_row(row: &#pg::postgres::Row) -> ::std::result::Result<Self, #pg::postgres::Error> {
                    ::std::result::Result::Ok(#ident { #(#reads,)* })
                }

                fn pg_values(&self) -> ::std::vec::Vec<(&'static str, #pg::Param<'_>)> {
                    ::std::vec![#(#values),*]
                }

                fn pg_new_values(new: &<Self as ::schema_core::Table>::New) -> ::std::vec::Vec<(&'static str, #pg::Param<'_>)> {
                    let mut __values = ::std::vec::Vec::with_capacity(#n);
                    #(#new_values)*
                    __values
                }

                #[allow(unused_variables)]
                fn pg_key(key: &<Self as ::schema_core::Table>::Key) -> ::std::vec::Vec<#pg::Param<'_>> {
                    ::std::vec![#(#key_values),*]
                }

                fn pg_row_key(&self) -> ::std::vec::Vec<#pg::Param<'_>> {
                    ::std::vec![#(#row_key),*]
                }
            }
        }
    }
}
