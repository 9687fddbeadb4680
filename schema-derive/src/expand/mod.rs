//! Writes the `Table` impl for a parsed table struct: the model and key here, each
//! dialect's row helpers in its own module.

mod new;
mod sqlite;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use schema_model::model::{
    Check, Column, DefaultValue, Deferrable, FkAction, Generated, Index, IndexTarget, IntKind, LogicalType, PrimaryKey,
    Table, Unique, UniqueKind,
};
use schema_model::parse::{self, ParsedField, ParsedTable, strip_option};

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
    let model = table_tokens(&p.table);
    let key_columns = p.table.key_columns();
    let fks = p.references.iter().map(|r| foreign_key_tokens(table_name, r));
    let ref_checks = p.references.iter().map(reference_check);
    let new_fields = new::new_fields(p, &columns);
    let new_struct = new::new_struct(input, p, &new_fields);
    let new_ident = &p.new_ident;
    let sqlite_rows = sqlite::rows_impl(p, &columns, &key, &new_fields);
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

                fn table_def() -> &'static ::schema_core::__private::model::Table {
                    static DEF: ::std::sync::OnceLock<::schema_core::__private::model::Table> = ::std::sync::OnceLock::new();
                    DEF.get_or_init(|| {
                        let mut table = #model;
                        table.foreign_keys = ::std::vec![#(#fks),*];
                        #(#enum_types)*
                        table
                    })
                }
            }

            #sqlite_rows

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
    quote! {
        table.columns[#i].ty = ::schema_core::__private::model::LogicalType::Enum(::std::boxed::Box::new(#enum_type));
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

fn opt_string(s: &Option<String>) -> TokenStream {
    match s {
        Some(s) => quote!(::std::option::Option::Some(::std::string::String::from(#s))),
        None => quote!(::std::option::Option::None),
    }
}

fn strings(v: &[String]) -> TokenStream {
    quote!(::std::vec![#(::std::string::String::from(#v)),*])
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

fn type_tokens(t: &LogicalType) -> TokenStream {
    let m = quote!(::schema_core::__private::model);
    match t {
        LogicalType::Int(k) => {
            let k = match k {
                IntKind::I8 => quote!(I8),
                IntKind::I16 => quote!(I16),
                IntKind::I32 => quote!(I32),
                IntKind::I64 => quote!(I64),
                IntKind::Isize => quote!(Isize),
                IntKind::U8 => quote!(U8),
                IntKind::U16 => quote!(U16),
                IntKind::U32 => quote!(U32),
                IntKind::U64 => quote!(U64),
                IntKind::Usize => quote!(Usize),
            };
            quote!(#m::LogicalType::Int(#m::IntKind::#k))
        }
        LogicalType::Bool => quote!(#m::LogicalType::Bool),
        LogicalType::F32 => quote!(#m::LogicalType::F32),
        LogicalType::F64 => quote!(#m::LogicalType::F64),
        LogicalType::String => quote!(#m::LogicalType::String),
        LogicalType::Bytes => quote!(#m::LogicalType::Bytes),
        LogicalType::Json => quote!(#m::LogicalType::Json),
        LogicalType::Date => quote!(#m::LogicalType::Date),
        LogicalType::DateTime => quote!(#m::LogicalType::DateTime),
        LogicalType::Timestamp => quote!(#m::LogicalType::Timestamp),
        LogicalType::Uuid => quote!(#m::LogicalType::Uuid),
        LogicalType::Epoch { millis, zoned } => quote!(#m::LogicalType::Epoch { millis: #millis, zoned: #zoned }),
        LogicalType::Enum(e) => {
            let (name, schema, values) = (&e.name, opt_string(&e.schema), strings(&e.values));
            quote!(#m::LogicalType::Enum(::std::boxed::Box::new(#m::EnumType {
                name: ::std::string::String::from(#name),
                schema: #schema,
                values: #values,
            })))
        }
        LogicalType::Sql(s) => quote!(#m::LogicalType::Sql(::std::string::String::from(#s))),
    }
}

fn default_tokens(d: &Option<DefaultValue>) -> TokenStream {
    let m = quote!(::schema_core::__private::model);
    match d {
        None => quote!(::std::option::Option::None),
        Some(DefaultValue::Int(v)) => {
            quote!(::std::option::Option::Some(#m::DefaultValue::Int(#v)))
        }
        Some(DefaultValue::Real(v)) => {
            quote!(::std::option::Option::Some(#m::DefaultValue::Real(::std::string::String::from(#v))))
        }
        Some(DefaultValue::Bool(v)) => {
            quote!(::std::option::Option::Some(#m::DefaultValue::Bool(#v)))
        }
        Some(DefaultValue::Text(v)) => {
            quote!(::std::option::Option::Some(#m::DefaultValue::Text(::std::string::String::from(#v))))
        }
        Some(DefaultValue::Sql(v)) => {
            quote!(::std::option::Option::Some(#m::DefaultValue::Sql(::std::string::String::from(#v))))
        }
    }
}

fn column_tokens(c: &Column) -> TokenStream {
    let m = quote!(::schema_core::__private::model);
    let Column {
        name,
        ty,
        not_null,
        primary_key,
        autoincrement,
        default,
        generated,
        collate,
        unique,
        renamed_from,
    } = c;
    let ty = type_tokens(ty);
    let default = default_tokens(default);
    let generated = match generated {
        Some(Generated { expr, stored }) => {
            quote!(::std::option::Option::Some(#m::Generated { expr: ::std::string::String::from(#expr), stored: #stored }))
        }
        None => quote!(::std::option::Option::None),
    };
    let collate = opt_string(collate);
    let renamed_from = opt_string(renamed_from);
    quote! {
        #m::Column {
            name: ::std::string::String::from(#name),
            ty: #ty,
            not_null: #not_null,
            primary_key: #primary_key,
            autoincrement: #autoincrement,
            default: #default,
            generated: #generated,
            collate: #collate,
            unique: #unique,
            renamed_from: #renamed_from,
        }
    }
}

fn index_tokens(i: &Index) -> TokenStream {
    let m = quote!(::schema_core::__private::model);
    let Index {
        name,
        target,
        unique,
        where_clause,
    } = i;
    let target = match target {
        IndexTarget::Columns(c) => {
            let c = strings(c);
            quote!(#m::IndexTarget::Columns(#c))
        }
        IndexTarget::Expr(e) => quote!(#m::IndexTarget::Expr(::std::string::String::from(#e))),
    };
    let where_clause = opt_string(where_clause);
    quote!(#m::Index { name: ::std::string::String::from(#name), target: #target, unique: #unique, where_clause: #where_clause })
}

/// The table as an expression that builds it; `foreign_keys` are added by the caller, since
/// their targets' names are only known to the compiler.
fn table_tokens(t: &Table) -> TokenStream {
    let m = quote!(::schema_core::__private::model);
    let Table {
        name,
        columns,
        primary_key,
        indexes,
        uniques,
        foreign_keys: _,
        checks,
        options,
        renamed_from,
    } = t;
    let (strict, without_rowid) = (options.sqlite.strict, options.sqlite.without_rowid);
    let pg_schema = opt_string(&options.postgres.schema);
    let columns = columns.iter().map(column_tokens);
    let primary_key = match primary_key {
        Some(PrimaryKey { name, columns }) => {
            let c = strings(columns);
            quote!(::std::option::Option::Some(#m::PrimaryKey { name: ::std::string::String::from(#name), columns: #c }))
        }
        None => quote!(::std::option::Option::None),
    };
    let indexes = indexes.iter().map(index_tokens);
    let uniques = uniques.iter().map(|Unique { name, columns, kind }| {
        let c = strings(columns);
        let kind = match kind {
            UniqueKind::Index => quote!(#m::UniqueKind::Index),
            UniqueKind::Constraint { named } => quote!(#m::UniqueKind::Constraint { named: #named }),
            UniqueKind::Inline => quote!(#m::UniqueKind::Inline),
        };
        quote!(#m::Unique { name: ::std::string::String::from(#name), columns: #c, kind: #kind })
    });
    let checks = checks.iter().map(|Check { name, expr, named }| {
        quote!(#m::Check { name: ::std::string::String::from(#name), expr: ::std::string::String::from(#expr), named: #named })
    });
    let renamed_from = opt_string(renamed_from);
    quote! {
        #m::Table {
            name: ::std::string::String::from(#name),
            columns: ::std::vec![#(#columns),*],
            primary_key: #primary_key,
            indexes: ::std::vec![#(#indexes),*],
            uniques: ::std::vec![#(#uniques),*],
            foreign_keys: ::std::vec::Vec::new(),
            checks: ::std::vec![#(#checks),*],
            options: #m::TableOptions {
                sqlite: #m::SqliteOptions { strict: #strict, without_rowid: #without_rowid },
                postgres: #m::PostgresOptions { schema: #pg_schema },
            },
            renamed_from: #renamed_from,
        }
    }
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
