//! Writes the `Table` impl for a parsed table struct: the model and key here, each
//! dialect's row helpers in its own module.

mod new;
mod postgres;
mod sqlite;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use schema_model::model::{Deferrable, FkAction};
use schema_model::parse::{self, ParsedField, ParsedTable, strip_option};
use syn::spanned::Spanned;

/// The derive's input, read by the parser `schema generate` runs on the schema files (the
/// syntax tree only for what the insert struct copies: visibilities).
pub fn derive_table(input: TokenStream) -> syn::Result<TokenStream> {
    let ast: syn::DeriveInput = syn::parse2(input.clone())?;
    let parsed = parse::from_tokens(input)?;
    Ok(expand(&ast, &parsed))
}

fn expand(input: &syn::DeriveInput, p: &ParsedTable) -> TokenStream {
    let ident = &p.ident;
    let table_name = &p.table.name;
    let columns_ty = format_ident!("__{}Columns", ident);
    let columns = columns(p);
    let key = Key::of(p, &columns);
    let key_ty = &key.ty;

    let col_fields = columns.iter().map(|(f, _)| {
        let (name, ty) = (&f.ident, &f.ty);
        quote!(pub #name: ::schema_core::ColumnRef<#ty>)
    });
    let col_inits = columns.iter().map(|(f, c)| {
        let (name, col) = (&f.ident, &c.name);
        quote!(#name: ::schema_core::ColumnRef::new(#col))
    });
    // The model as JSON: one string literal, read back once by `table_def()`.
    let model = serde_json::to_string(&p.table).unwrap_or_default();
    let key_columns = p.table.key_columns();
    let fks = p.references.iter().map(|r| foreign_key_tokens(table_name, r));
    let ref_checks = p.references.iter().map(reference_check);
    let new_fields = new::new_fields(p, &columns);
    let new_struct = new::new_struct(input, p, &new_fields);
    let new_ident = &p.new_ident;
    // A table with an array column is PostgreSQL's alone (SQLite has no arrays, and refuses
    // the table by name): no SQLite row helpers, which could not bind a `Vec` of an enum.
    let sqlite_rows = if !cfg!(feature = "sqlite") || p.enum_columns.iter().any(|e| e.array) {
        TokenStream::new()
    } else {
        sqlite::rows_impl(p, &columns, &key, &new_fields)
    };
    let postgres_rows = if cfg!(feature = "postgres") {
        postgres::rows_impl(p, &columns, &key, &new_fields)
    } else {
        TokenStream::new()
    };
    let enum_types = p.enum_columns.iter().map(enum_column_type);
    let enum_defaults = p.enum_columns.iter().filter_map(enum_default_check);

    let fn_span = Span::call_site();
    quote_spanned! {fn_span=>
        #new_struct

        #[allow(non_upper_case_globals, non_snake_case, unused_qualifications, clippy::all)]
        const _: () = {
            #[doc(hidden)]
            pub struct #columns_ty {
                #(#col_fields,)*
            }

            impl ::schema_core::Table for #ident {
                const TABLE_NAME: &'static str = #table_name;
                const KEY_COLUMNS: &'static [&'static str] = &[#(#key_columns),*];
                type Columns = #columns_ty;
                const COLUMNS: #columns_ty = #columns_ty { #(#col_inits,)* };
                type Key = #key_ty;
                type New = #new_ident;

                #[inline]
                fn table_def() -> &'static ::schema_core::__private::model::Table {
                    static DEF: ::std::sync::OnceLock<::schema_core::__private::model::Table> = ::std::sync::OnceLock::new();
                    DEF.get_or_init(|| {
                        let mut table = ::schema_core::__private::table_from_json(#model);
                        table.foreign_keys = ::std::vec![#(#fks),*];
                        #(#enum_types)*
                        table
                    })
                }
            }

            #sqlite_rows

            #postgres_rows

            // Never called: type-checks every `references = Struct::field` of the table.
            #[allow(dead_code)]
            fn __check_references() {
                #(#ref_checks)*
            }

            #(#enum_defaults)*
        };
    }
}

/// The fields that are columns (not `skip`ped), with their column.
pub(crate) type Columns<'a> = Vec<(&'a ParsedField, &'a parse::FieldColumn)>;

fn columns(p: &ParsedTable) -> Columns<'_> {
    p.fields
        .iter()
        .filter_map(|f| f.column.as_ref().map(|c| (f, c)))
        .collect()
}

/// Values as the driver's `Values` / `Params` take them (`driver`, the path of its
/// `__private` module): tuples of up to 32, joined by its `Chain`.
pub(crate) fn tuples(driver: &TokenStream, values: &[TokenStream]) -> TokenStream {
    let mut tuples = values.chunks(32).map(|c| quote!((#(#c,)*))).rev();
    let last = tuples.next().unwrap_or_else(|| quote!(()));
    tuples.fold(last, |rest, t| quote!(#driver::Chain(#t, #rest)))
}

/// `from_row`'s body for either driver (`driver`, the path of its `__private` module): the
/// columns read by its `ReadColumns`, 32 a call, each as its field's type or, where
/// `wrapper` gives one for the column and the field's type without its `Option` (a json,
/// epoch or widened column), as that wrapper type, unwrapped by `.0`; skipped fields
/// defaulted. One call per 32 columns
/// rather than a read per field: no early return, and no drop code, per field.
pub(crate) fn read_columns_body(
    p: &ParsedTable,
    driver: &TokenStream,
    wrapper: impl Fn(&parse::FieldColumn, &syn::Type) -> Option<TokenStream>,
) -> TokenStream {
    let columns: Vec<(&ParsedField, &parse::FieldColumn)> = p
        .fields
        .iter()
        .filter_map(|f| f.column.as_ref().map(|c| (f, c)))
        .collect();
    let mut reads = Vec::new();
    for (n, chunk) in columns.chunks(32).enumerate() {
        let vars = (0..chunk.len()).map(|i| format_ident!("__c{}", n * 32 + i));
        let tys = chunk.iter().map(|(f, c)| {
            let ty = &f.ty;
            let span = ty.span();
            let inner = strip_option(ty);
            match (wrapper(c, inner.unwrap_or(ty)), inner) {
                (None, _) => quote_spanned!(span=> #ty),
                (Some(w), None) => quote_spanned!(span=> #w),
                (Some(w), Some(_)) => quote_spanned!(span=> ::std::option::Option<#w>),
            }
        });
        let names = chunk.iter().map(|(_, c)| &c.name);
        reads.push(quote! {
            let (#(#vars,)*) = <(#(#tys,)*) as #driver::ReadColumns>::read(row, &[#(#names),*])?;
        });
    }
    let mut at = 0usize;
    let inits = p.fields.iter().map(|f| {
        let name = &f.ident;
        let Some(c) = &f.column else {
            let span = f.ty.span();
            return quote_spanned!(span=> #name: ::std::default::Default::default());
        };
        let var = format_ident!("__c{}", at);
        at += 1;
        let inner = strip_option(&f.ty);
        match (wrapper(c, inner.unwrap_or(&f.ty)), inner) {
            (None, _) => quote!(#name: #var),
            (Some(_), None) => quote!(#name: #var.0),
            (Some(_), Some(_)) => quote!(#name: #var.map(|__w| __w.0)),
        }
    });
    let ident = &p.ident;
    quote! {
        #(#reads)*
        ::std::result::Result::Ok(#ident { #(#inits,)* })
    }
}

/// The primary key as the row helpers see it.
pub(crate) struct Key<'a> {
    /// The key's fields, in key order: the composite key's, else the `primary_key` field;
    /// empty for a table found by rowid.
    pub fields: Vec<&'a ParsedField>,
    /// `Table::Key`: the field's type, a tuple for a composite key, `i64` for the rowid.
    pub ty: TokenStream,
}

impl<'a> Key<'a> {
    fn of(p: &'a ParsedTable, columns: &Columns<'a>) -> Key<'a> {
        let fields: Vec<&ParsedField> = match &p.table.primary_key {
            Some(pk) => pk
                .columns
                .iter()
                .filter_map(|name| columns.iter().find(|(_, c)| c.name == *name).map(|(f, _)| *f))
                .collect(),
            None => columns.iter().filter(|(_, c)| c.key).map(|(f, _)| *f).collect(),
        };
        let types: Vec<&syn::Type> = fields.iter().map(|f| strip_option(&f.ty).unwrap_or(&f.ty)).collect();
        let ty = match types.as_slice() {
            [] => quote!(i64),
            [one] => quote!(#one),
            many => quote!((#(#many),*)),
        };
        Key { fields, ty }
    }
}

/// The model's foreign key for a reference: the parent's names come from its `Table` impl,
/// which only the compiler knows.
fn foreign_key_tokens(table_name: &str, r: &parse::Reference) -> TokenStream {
    let m = quote!(::schema_core::__private::model);
    let span = r.span;
    let target = &r.target;
    let from = r.columns.iter().map(|(c, _)| c);
    let (del, upd) = (action_tokens(r.on_delete), action_tokens(r.on_update));
    let to = match &r.to {
        Some(fields) => quote_spanned! {span=>
            ::std::vec![#(::std::string::String::from(<#target as ::schema_core::Table>::COLUMNS.#fields.name)),*]
        },
        None => quote_spanned! {span=>
            <#target as ::schema_core::Table>::KEY_COLUMNS.iter().map(|c| ::std::string::String::from(*c)).collect()
        },
    };
    let name = match &r.name {
        Some(n) => quote!(fk.name = ::std::string::String::from(#n);),
        None => quote!(),
    };
    // `REFERENCES parent`: the key's names give the default name; the SQL leaves them implied.
    let implied = if r.to.is_none() {
        quote!(fk.ref_columns.clear();)
    } else {
        quote!()
    };
    let deferrable = deferrable_tokens(r.deferrable);
    quote_spanned! {span=>
        {
            let mut fk = #m::ForeignKey::new(
                #table_name,
                ::std::vec![#(::std::string::String::from(#from)),*],
                <#target as ::schema_core::Table>::TABLE_NAME,
                #to,
                #del,
                #upd,
            );
            fk.deferrable = #deferrable;
            #name
            #implied
            fk
        }
    }
}

/// A column of an enum: its type is the `SqlEnum` impl's, which only the compiler knows (and
/// which says what is wrong when the field's type is not an enum).
fn enum_column_type(e: &parse::EnumColumn) -> TokenStream {
    let (i, path) = (e.column, &e.path);
    let enum_type = quote_spanned! {e.span=> <#path as ::schema_core::SqlEnum>::enum_type()};
    let variant = if e.array { quote!(EnumArray) } else { quote!(Enum) };
    quote! {
        table.columns[#i].ty = ::schema_core::__private::model::LogicalType::#variant(::std::boxed::Box::new(#enum_type));
    }
}

/// `default = ".."` on an enum column names one of its values, checked when compiling.
fn enum_default_check(e: &parse::EnumColumn) -> Option<TokenStream> {
    let d = e.default.as_ref()?;
    let (path, value) = (&e.path, &d.value);
    let shown = quote!(#path).to_string().replace(' ', "");
    let message = format!("the default `{value}` is not a value of the enum `{shown}`");
    Some(quote_spanned! {d.span=>
        const _: () = ::std::assert!(
            ::schema_core::__private::enum_has_value(<#path as ::schema_core::SqlEnum>::VALUES, #value),
            #message
        );
    })
}

/// Compile-time checks of a reference: every column's type against the parent column it
/// pairs with, and, for the parent's key, that the key has as many columns.
fn reference_check(r: &parse::Reference) -> TokenStream {
    let span = r.span;
    let target = &r.target;
    // Each field's type is re-spanned to the reference, so a mismatch is reported where the
    // user chose the parent.
    let from_tys: Vec<TokenStream> = r.columns.iter().map(|(_, ty)| respan(quote!(#ty), span)).collect();
    match &r.to {
        Some(fields) => {
            let checks = fields.iter().zip(&from_tys).map(|(field, from_ty)| {
                quote_spanned! {span=>
                    <#target as ::schema_core::Table>::COLUMNS.#field.referenced_by::<#from_ty>();
                }
            });
            quote!(#(#checks)*)
        }
        None => {
            let n = r.columns.len();
            let parent = quote!(#target).to_string().replace(' ', "");
            let message = format!(
                "`references = {parent}` needs `{parent}` to have a primary key of {n} column(s), paired in order with the foreign key's"
            );
            let key = quote_spanned!(span=> <#target as ::schema_core::Table>::Key);
            let checks = from_tys.iter().enumerate().map(|(i, from_ty)| {
                let part = if n == 1 {
                    key.clone()
                } else {
                    quote_spanned!(span=> <#key as ::schema_core::__private::KeyPart<#i>>::Ty)
                };
                quote_spanned! {span=>
                    ::schema_core::__private::references_key::<#from_ty, #part>();
                }
            });
            quote_spanned! {span=>
                const _: () = ::std::assert!(<#target as ::schema_core::Table>::KEY_COLUMNS.len() == #n, #message);
                #(#checks)*
            }
        }
    }
}

/// The same tokens, every one at `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = proc_macro2::TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

fn deferrable_tokens(d: Deferrable) -> TokenStream {
    let v = match d {
        Deferrable::No => quote!(No),
        Deferrable::InitiallyImmediate => quote!(InitiallyImmediate),
        Deferrable::InitiallyDeferred => quote!(InitiallyDeferred),
    };
    quote!(::schema_core::__private::model::Deferrable::#v)
}

fn action_tokens(a: FkAction) -> TokenStream {
    let v = match a {
        FkAction::NoAction => quote!(NoAction),
        FkAction::Restrict => quote!(Restrict),
        FkAction::Cascade => quote!(Cascade),
        FkAction::SetNull => quote!(SetNull),
        FkAction::SetDefault => quote!(SetDefault),
    };
    quote!(::schema_core::__private::model::FkAction::#v)
}

/// `#[derive(SqlEnum)]`: the enum's type and each variant's value, and the dialects' value
/// conversions (each dropped when schema-core is built without that dialect).
pub fn derive_sql_enum(input: TokenStream) -> syn::Result<TokenStream> {
    let parsed = parse::enum_from_tokens(input)?;
    let ident = &parsed.ident;
    let name = &parsed.ty.name;
    let schema = match &parsed.ty.schema {
        Some(s) => quote!(::std::option::Option::Some(#s)),
        None => quote!(::std::option::Option::None),
    };
    let values: Vec<&String> = parsed.variants.iter().map(|(_, v)| v).collect();
    let variants: Vec<&syn::Ident> = parsed.variants.iter().map(|(i, _)| i).collect();
    Ok(quote! {
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            impl ::schema_core::SqlEnum for #ident {
                const NAME: &'static str = #name;
                const SCHEMA: ::std::option::Option<&'static str> = #schema;
                const VALUES: &'static [&'static str] = &[#(#values),*];

                fn as_value(&self) -> &'static str {
                    match self {
                        #(Self::#variants => #values,)*
                    }
                }

                fn from_value(value: &str) -> ::std::option::Option<Self> {
                    match value {
                        #(#values => ::std::option::Option::Some(Self::#variants),)*
                        _ => ::std::option::Option::None,
                    }
                }
            }

            ::schema_core::__sqlite_enum!(#ident);
            ::schema_core::__postgres_enum!(#ident);
        };
    })
}

pub fn derive_sql_sequence(input: TokenStream) -> syn::Result<TokenStream> {
    let parsed = parse::sequence_from_tokens(input)?;
    let ident = &parsed.ident;
    let seq = &parsed.sequence;
    let name = &seq.name;
    let schema = match &seq.schema {
        Some(s) => quote!(::std::option::Option::Some(#s)),
        None => quote!(::std::option::Option::None),
    };
    let opt = |v: Option<i64>| match v {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    };
    let (increment, min_value, max_value, start_with, cache) = (
        opt(seq.increment),
        opt(seq.min_value),
        opt(seq.max_value),
        opt(seq.start_with),
        opt(seq.cache),
    );
    let cycle = seq.cycle;
    Ok(quote! {
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            impl ::schema_core::SqlSequence for #ident {
                const NAME: &'static str = #name;
                const SCHEMA: ::std::option::Option<&'static str> = #schema;

                fn sequence() -> ::schema_core::model::Sequence {
                    ::schema_core::model::Sequence {
                        name: #name.to_string(),
                        schema: Self::SCHEMA.map(::std::string::ToString::to_string),
                        increment: #increment,
                        min_value: #min_value,
                        max_value: #max_value,
                        start_with: #start_with,
                        cache: #cache,
                        cycle: #cycle,
                    }
                }
            }
        };
    })
}
