//! The insert struct of a table (`NewUser` for `User`): every column a new row may be given,
//! the ones the database can fill (a default, an autoincrement key) as `Option`s that mean
//! "the database's value" when `None`, generated columns left out. A constructor takes the
//! columns that have to be given and a setter each sets one of the others, so code written
//! with them keeps compiling when a column with a default is added.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use schema_model::model::DefaultValue;
use schema_model::parse::{FieldColumn, ParsedField, ParsedTable, strip_option};
use syn::spanned::Spanned;

use super::Columns;

/// How a column appears in the insert struct.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum NewKind {
    /// NOT NULL without a default: the field's own type, an argument of `new`.
    Required,
    /// Nullable without a default: the field's own `Option`, `None` is NULL (what the
    /// database would store anyway).
    Nullable,
    /// A default or an autoincrement key: `Option` of the field's type, `None` leaves the
    /// column out of the INSERT so the database fills it.
    Defaulted,
}

/// One column of the insert struct.
pub(crate) struct NewField<'a> {
    pub field: &'a ParsedField,
    pub column: &'a FieldColumn,
    pub kind: NewKind,
    /// What the database fills in, for the field's documentation.
    pub fills: Option<String>,
}

/// The insert struct's columns, in the table struct's order: every column but generated ones.
pub(crate) fn new_fields<'a>(p: &'a ParsedTable, columns: &Columns<'a>) -> Vec<NewField<'a>> {
    columns
        .iter()
        .filter(|(_, c)| !c.generated)
        .map(|(f, c)| {
            let model = p.table.columns.iter().find(|m| m.name == c.name);
            let fills = model.and_then(|m| match &m.default {
                Some(d) => Some(format!("its default, {}", describe_default(d))),
                None if m.autoincrement => Some("the next key (autoincrement)".to_string()),
                None => None,
            });
            let kind = if fills.is_some() {
                NewKind::Defaulted
            } else if strip_option(&f.ty).is_some() {
                NewKind::Nullable
            } else {
                NewKind::Required
            };
            NewField {
                field: f,
                column: c,
                kind,
                fills,
            }
        })
        .collect()
}

fn describe_default(d: &DefaultValue) -> String {
    match d {
        DefaultValue::Int(v) => format!("`{v}`"),
        DefaultValue::Real(v) => format!("`{v}`"),
        DefaultValue::Bool(v) => format!("`{v}`"),
        DefaultValue::Text(v) => format!("`{v:?}`"),
        DefaultValue::Sql(v) => format!("`{v}` (SQL)"),
    }
}

/// The insert struct, its constructor and setters, and its `insert`.
pub(crate) fn new_struct(input: &syn::DeriveInput, p: &ParsedTable, fields: &[NewField<'_>]) -> TokenStream {
    let table_ident = &p.ident;
    let new_ident = &p.new_ident;
    let vis = &input.vis;
    let field_vis = |f: &ParsedField| -> TokenStream {
        match &input.data {
            syn::Data::Struct(s) => s
                .fields
                .iter()
                .find(|x| x.ident.as_ref() == Some(&f.ident))
                .map(|x| {
                    let v = &x.vis;
                    quote!(#v)
                })
                .unwrap_or_default(),
            _ => quote!(),
        }
    };
    let decls = fields.iter().map(|nf| {
        let (name, ty) = (&nf.field.ident, &nf.field.ty);
        let fvis = field_vis(nf.field);
        let col = &nf.column.name;
        let (ty, doc) = match nf.kind {
            NewKind::Required => (quote!(#ty), format!("Column `{col}`.")),
            NewKind::Nullable => (quote!(#ty), format!("Column `{col}`; `None` stores NULL.")),
            NewKind::Defaulted => (
                quote!(::std::option::Option<#ty>),
                format!(
                    "Column `{col}`; `None` lets the database fill in {}.",
                    nf.fills.as_deref().unwrap_or("its default")
                ),
            ),
        };
        let span = nf.field.ty.span();
        quote_spanned!(span=> #[doc = #doc] #fvis #name: #ty)
    });
    let required: Vec<&NewField<'_>> = fields.iter().filter(|f| f.kind == NewKind::Required).collect();
    let args = required.iter().map(|nf| {
        let (name, ty) = (&nf.field.ident, &nf.field.ty);
        quote!(#name: #ty)
    });
    let inits = fields.iter().map(|nf| {
        let name = &nf.field.ident;
        match nf.kind {
            NewKind::Required => quote!(#name),
            NewKind::Nullable | NewKind::Defaulted => quote!(#name: ::std::option::Option::None),
        }
    });
    let setters = fields.iter().map(|nf| {
        let (name, ty) = (&nf.field.ident, &nf.field.ty);
        let setter = match name.to_string().as_str() {
            // The constructor and `insert` keep their names; such a field's setter is `set_..`.
            "new" | "insert" => format_ident!("set_{}", name),
            _ => name.clone(),
        };
        let col = &nf.column.name;
        let (store, doc) = match nf.kind {
            NewKind::Defaulted => (
                quote!(::std::option::Option::Some(value)),
                format!("Sets column `{col}` instead of letting the database fill it."),
            ),
            _ => (quote!(value), format!("Sets column `{col}`.")),
        };
        quote! {
            #[doc = #doc]
            #[must_use]
            #[inline]
            pub fn #setter(mut self, value: #ty) -> Self {
                self.#name = #store;
                self
            }
        }
    });
    let default_impl = if required.is_empty() {
        quote! {
            impl ::std::default::Default for #new_ident {
                #[inline]
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    } else {
        quote!()
    };
    let struct_doc = format!(
        "A new row of [`{table_ident}`] (table `{}`) for [`{new_ident}::insert`], which returns the stored row. \
         Columns the database can fill (a default, an autoincrement key) are `Option`s, `None` meaning the \
         database's value; generated columns are left out. Build it with [`{new_ident}::new`] and the setters, \
         so adding a column with a default to the table does not break the code that inserts.",
        p.table.name
    );
    let new_doc = format!(
        "The row with the columns that have no default (NOT NULL in `{}`); every other column is left to the database until set.",
        p.table.name
    );
    let derives = if p.new_derives.is_empty() {
        quote!()
    } else {
        let d = &p.new_derives;
        quote!(#[derive(#(#d),*)])
    };
    quote! {
        #[doc = #struct_doc]
        #derives
        #[allow(dead_code)]
        #vis struct #new_ident {
            #(#decls,)*
        }

        #[allow(dead_code, clippy::too_many_arguments, clippy::new_without_default)]
        impl #new_ident {
            #[doc = #new_doc]
            #[inline]
            pub fn new(#(#args),*) -> Self {
                #new_ident { #(#inits,)* }
            }

            #(#setters)*

            /// Inserts the row and returns it as stored: the database's defaults, its key and
            /// its generated columns filled in.
            #[inline]
            pub fn insert<E: ::schema_core::Executor<#table_ident>>(&self, conn: E) -> ::std::result::Result<#table_ident, E::Error> {
                <#table_ident as ::schema_core::Table>::insert_new(self, conn)
            }
        }

        #default_impl
    }
}
