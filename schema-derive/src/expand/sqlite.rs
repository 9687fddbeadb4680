//! The SQLite row helpers of a table: `SqliteRows`, typed on rusqlite, its SQL quoted by the
//! one SQLite quoting rule (`schema_model::sql::sqlite`). Wrapped in `__sqlite_rows!`, so a
//! build of schema-core without SQLite drops it.

use proc_macro2::TokenStream;
use quote::quote;
use schema_model::parse::{self, ParsedField, ParsedTable, strip_option};
use schema_model::sql::sqlite::ident;

use super::new::{NewField, NewKind};
use super::{Columns, Key};

/// `?n`, the parameter of the column at position `n` (from 1) of the row.
fn param(columns: &Columns<'_>, name: &str) -> String {
    match columns.iter().position(|(_, c)| c.name == name) {
        Some(i) => format!("?{}", i + 1),
        None => unreachable!("`{name}` is a column of the row"),
    }
}

/// `"a" = ?1 AND "b" = ?2`, the key's columns, each by its position in the row.
fn key_where(key: &Key<'_>, columns: &Columns<'_>) -> String {
    key.fields
        .iter()
        .filter_map(|f| f.column.as_ref())
        .map(|c| format!("{} = {}", ident(&c.name), param(columns, &c.name)))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn column_of(f: &ParsedField) -> String {
    f.column.as_ref().map(|c| ident(&c.name)).unwrap_or_default()
}

/// How a field's value becomes SQLite's and back: as rusqlite maps its type, as JSON text
/// (`json`), or as a Unix time (`epoch`).
enum Codec {
    Plain,
    Json,
    Epoch(bool),
}

fn codec(c: &parse::FieldColumn) -> Codec {
    match (c.json, c.epoch) {
        (true, _) => Codec::Json,
        (false, Some(millis)) => Codec::Epoch(millis),
        (false, None) => Codec::Plain,
    }
}

/// How a json or epoch column's value is encoded (an `Encode` of schema-core's); `None` for a
/// value rusqlite maps as it is.
fn encoder(c: &parse::FieldColumn, nullable: bool) -> Option<TokenStream> {
    let p = quote!(::schema_core::__private::sqlite);
    match (codec(c), nullable) {
        (Codec::Plain, _) => None,
        (Codec::Json, false) => Some(quote!(#p::json_to_sql)),
        (Codec::Json, true) => Some(quote!(#p::json_opt_to_sql)),
        (Codec::Epoch(millis), false) => Some(quote!(#p::epoch::<_, #millis>)),
        (Codec::Epoch(millis), true) => Some(quote!(#p::epoch_opt::<_, #millis>)),
    }
}

/// `sqlite_values`' body: every column's value in column order, a json or epoch one with its
/// encoding.
fn values_body(columns: &Columns<'_>) -> TokenStream {
    let p = quote!(::schema_core::__private::sqlite);
    let values: Vec<TokenStream> = columns
        .iter()
        .map(|(f, c)| {
            let name = &f.ident;
            match encoder(c, strip_option(&f.ty).is_some()) {
                None => quote!(&self.#name),
                Some(e) => quote!(#p::Encoded(&self.#name, #e)),
            }
        })
        .collect();
    super::tuples(&p, &values)
}

/// The statements of the rows: `insert` (every column but generated ones and an autoincrement
/// key), `update` (every column not in the key and not generated, by the key), `delete` (by
/// the key) and `select_all`, their parameters numbered by column position.
fn statements(table: &str, columns: &Columns<'_>, key: &Key<'_>, select_all: &str) -> TokenStream {
    let quoted = ident(table);
    let insertable: Vec<_> = columns
        .iter()
        .filter(|(_, c)| !c.generated && !c.autoincrement)
        .collect();
    let insert = if insertable.is_empty() {
        format!("INSERT INTO {quoted} DEFAULT VALUES")
    } else {
        let names: Vec<String> = insertable.iter().map(|(_, c)| ident(&c.name)).collect();
        let params: Vec<String> = insertable.iter().map(|(_, c)| param(columns, &c.name)).collect();
        format!(
            "INSERT INTO {quoted} ({}) VALUES ({})",
            names.join(", "),
            params.join(", ")
        )
    };
    let keyed = !key.fields.is_empty();
    let settable: Vec<String> = columns
        .iter()
        .filter(|(f, c)| !c.generated && !key.fields.iter().any(|k| k.ident == f.ident))
        .map(|(_, c)| format!("{} = {}", ident(&c.name), param(columns, &c.name)))
        .collect();
    let (update, delete) = if keyed {
        let by = key_where(key, columns);
        let update = if settable.is_empty() {
            String::new()
        } else {
            format!("UPDATE {quoted} SET {} WHERE {by}", settable.join(", "))
        };
        (update, format!("DELETE FROM {quoted} WHERE {by}"))
    } else {
        (String::new(), String::new())
    };
    quote! {
        ::schema_core::__private::sqlite::Statements {
            table: #table,
            keyed: #keyed,
            insert: #insert,
            update: #update,
            delete: #delete,
            select_all: #select_all,
        }
    }
}

/// `from_row`'s body: a json column read as `JsonColumn`, an epoch one as `EpochColumn`.
fn from_row_body(p: &ParsedTable) -> TokenStream {
    let sqlite = quote!(::schema_core::__private::sqlite);
    super::read_columns_body(p, &sqlite, |c, ty| match codec(c) {
        Codec::Plain => None,
        Codec::Json => Some(quote!(#sqlite::JsonColumn<#ty>)),
        Codec::Epoch(millis) => Some(quote!(#sqlite::EpochColumn<#ty, #millis>)),
    })
}

/// `insert_new`: the columns the row gives (a defaulted one only when it is `Some`), then
/// `RETURNING` every column, read back as the table struct. The values are one tuple beside a
/// constant array of the column names, bound by `insert_given`: no statement per field, which
/// is what the compiler pays for.
fn insert_new_body(table: &str, columns: &Columns<'_>, fields: &[NewField<'_>]) -> TokenStream {
    let p = quote!(::schema_core::__private::sqlite);
    let values: Vec<TokenStream> = fields
        .iter()
        .map(|nf| {
            let name = &nf.field.ident;
            let encoder = encoder(nf.column, strip_option(&nf.field.ty).is_some());
            match (nf.kind, encoder) {
                (NewKind::Required | NewKind::Nullable, None) => quote!(&new.#name),
                (NewKind::Required | NewKind::Nullable, Some(e)) => quote!(#p::Encoded(&new.#name, #e)),
                (NewKind::Defaulted, None) => quote!(#p::Given(&new.#name)),
                (NewKind::Defaulted, Some(e)) => quote!(#p::GivenEncoded(&new.#name, #e)),
            }
        })
        .collect();
    let values = super::tuples(&p, &values);
    let names: Vec<String> = fields.iter().map(|nf| ident(&nf.column.name)).collect();
    let returning: Vec<String> = columns.iter().map(|(_, c)| ident(&c.name)).collect();
    let returning = returning.join(", ");
    let table = ident(table);
    quote! {
        #p::insert_given(
            conn,
            #table,
            &[#(#names),*],
            &#values,
            #returning,
            <Self as #p::SqliteRows>::sqlite_from_row,
        )
    }
}

/// The `SqliteRows` impl of the table.
pub fn rows_impl(p: &ParsedTable, columns: &Columns<'_>, key: &Key<'_>, new_fields: &[NewField<'_>]) -> TokenStream {
    let ident_ty = &p.ident;
    let table = &p.table.name;
    let all_cols: Vec<String> = columns.iter().map(|(_, c)| ident(&c.name)).collect();
    let select = format!("SELECT {} FROM {}", all_cols.join(", "), ident(table));
    let order = if key.fields.is_empty() {
        "rowid".to_string()
    } else {
        key.fields.iter().map(|f| column_of(f)).collect::<Vec<_>>().join(", ")
    };
    let select_all_sql = format!("{select} ORDER BY {order}");
    // `find` binds the key alone: `?1, ?2, ..` in key order.
    let find_sql = if key.fields.is_empty() {
        format!("{select} WHERE rowid = ?1")
    } else {
        let by: Vec<String> = key
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| format!("{} = ?{}", column_of(f), i + 1))
            .collect();
        format!("{select} WHERE {}", by.join(" AND "))
    };
    // The key's values as the row's are bound: a json or epoch key column encoded.
    let sqlite = quote!(::schema_core::__private::sqlite);
    let key_value = |f: &ParsedField, v: TokenStream| match f.column.as_ref().and_then(|c| encoder(c, false)) {
        None => quote!(&#v),
        Some(e) => quote!(#sqlite::Encoded(&#v, #e)),
    };
    let find_values = match key.fields.as_slice() {
        [] => quote!((&key,)),
        [one] => {
            let v = key_value(one, quote!(key));
            quote!((#v,))
        }
        many => {
            let vs = many.iter().enumerate().map(|(i, f)| {
                let idx = syn::Index::from(i);
                key_value(f, quote!(key.#idx))
            });
            quote!((#(#vs,)*))
        }
    };
    let statements = statements(table, columns, key, &select_all_sql);
    let values = values_body(columns);
    let from_row = from_row_body(p);
    let insert_new = insert_new_body(table, columns, new_fields);
    let rusqlite = quote!(#sqlite::rusqlite);
    quote! {
        ::schema_core::__sqlite_rows! {
            // Inherent, so `conn.query_row(sql, [], User::from_row)` passes it where rusqlite
            // wants a function of any row lifetime (the generic `Table::from_row` cannot be).
            #[allow(dead_code)]
            impl #ident_ty {
                /// Reads a rusqlite row by column name: [`Table::from_row`] for SQLite.
                #[inline]
                pub fn from_row(row: &#rusqlite::Row<'_>) -> #rusqlite::Result<Self> {
                    <Self as #sqlite::SqliteRows>::sqlite_from_row(row)
                }
            }

            impl #sqlite::SqliteRows for #ident_ty {
                const SQLITE: #sqlite::Statements = #statements;

                #[inline]
                fn sqlite_values(&self) -> impl #sqlite::Values {
                    #values
                }

                #[inline]
                fn sqlite_from_row(row: &#rusqlite::Row<'_>) -> #rusqlite::Result<Self> {
                    #from_row
                }

                #[inline]
                fn sqlite_insert_new(new: &<Self as ::schema_core::Table>::New, conn: &#rusqlite::Connection) -> #rusqlite::Result<Self> {
                    #insert_new
                }

                #[inline]
                fn sqlite_find(conn: &#rusqlite::Connection, key: <Self as ::schema_core::Table>::Key) -> #rusqlite::Result<::std::option::Option<Self>> {
                    #sqlite::find(conn, #find_sql, &#find_values, <Self as #sqlite::SqliteRows>::sqlite_from_row)
                }
            }
        }
    }
}
