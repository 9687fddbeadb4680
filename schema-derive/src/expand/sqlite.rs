//! The SQLite row helpers of a table: `SqliteRows`, typed on rusqlite, its SQL quoted by the
//! one SQLite quoting rule (`schema_model::sql::sqlite`). Wrapped in `__sqlite_rows!`, so a
//! build of schema-core without SQLite drops it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use schema_model::parse::{self, ParsedField, ParsedTable, strip_option};
use schema_model::sql::sqlite::ident;
use syn::spanned::Spanned;

use super::new::{NewField, NewKind};
use super::{Columns, Key};

/// `?1, ?2, ..` for `n` parameters, from `first`.
fn params(first: usize, n: usize) -> Vec<String> {
    (first..first + n).map(|i| format!("?{i}")).collect()
}

/// `"a" = ?1 AND "b" = ?2`, the key's columns from parameter `first`.
fn key_where(key: &Key<'_>, first: usize) -> String {
    key.fields
        .iter()
        .zip(params(first, key.fields.len()))
        .map(|(f, p)| format!("{} = {p}", column_of(f)))
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

/// The value `v` (a reference to the field's value) as a `ToSqlOutput`, for a field of a
/// nullable (`Option`) type or not.
fn encode(c: &parse::FieldColumn, v: TokenStream, nullable: bool) -> TokenStream {
    let p = quote!(::schema_core::__private::sqlite);
    match (codec(c), nullable) {
        (Codec::Json, true) => quote!(#p::json_opt_to_sql(#v)?),
        (Codec::Json, false) => quote!(#p::json_to_sql(#v)?),
        (Codec::Epoch(millis), true) => quote!(#p::epoch_opt_to_sql(#v, #millis)?),
        (Codec::Epoch(millis), false) => quote!(#p::epoch_to_sql(#v, #millis)?),
        (Codec::Plain, _) => quote!(#p::rusqlite::ToSql::to_sql(#v)?),
    }
}

/// A value bound as a parameter: json and epoch fields are encoded first.
fn bind(f: &ParsedField, c: &parse::FieldColumn, i: usize) -> (TokenStream, TokenStream) {
    let name = &f.ident;
    let var = format_ident!("__v{}", i);
    match codec(c) {
        Codec::Plain => (
            quote!(),
            quote!(&self.#name as &dyn ::schema_core::__private::sqlite::rusqlite::ToSql),
        ),
        _ => {
            let conv = encode(c, quote!(&self.#name), strip_option(&f.ty).is_some());
            (
                quote!(let #var = #conv;),
                quote!(&#var as &dyn ::schema_core::__private::sqlite::rusqlite::ToSql),
            )
        }
    }
}

fn key_params<'a>(key: &'a Key<'_>) -> impl Iterator<Item = TokenStream> + 'a {
    key.fields.iter().map(|f| {
        let name = &f.ident;
        quote!(&self.#name as &dyn ::schema_core::__private::sqlite::rusqlite::ToSql)
    })
}

/// `from_row`'s body: every column read into a `Result` first, then one match: the fields if
/// every read worked, else the first error. (A `?` per field made each early return drop the
/// fields read before it: drop code quadratic in the fields, which the compiler paid for.)
/// Skipped fields are defaulted, json and epoch ones decoded.
fn from_row_body(p: &ParsedTable) -> TokenStream {
    let sqlite = quote!(::schema_core::__private::sqlite);
    let columns: Vec<(&ParsedField, &parse::FieldColumn)> = p
        .fields
        .iter()
        .filter_map(|f| f.column.as_ref().map(|c| (f, c)))
        .collect();
    // Every column read as rusqlite reads its type, and no more than `ReadColumns` has
    // arities for: one call reads them all.
    if (1..=32).contains(&columns.len()) && columns.iter().all(|(_, c)| !c.json && c.epoch.is_none()) {
        let tys = columns.iter().map(|(f, _)| &f.ty);
        let cols = columns.iter().map(|(_, c)| &c.name);
        let vars: Vec<_> = (0..columns.len()).map(|i| format_ident!("__c{}", i)).collect();
        let mut at = 0;
        let inits = p.fields.iter().map(|f| {
            let name = &f.ident;
            if f.column.is_none() {
                let span = f.ty.span();
                return quote_spanned!(span=> #name: ::std::default::Default::default());
            }
            let var = &vars[at];
            at += 1;
            quote!(#name: #var)
        });
        let ident = &p.ident;
        return quote! {
            let (#(#vars,)*) = <(#(#tys,)*) as #sqlite::ReadColumns>::read(row, &[#(#cols),*])?;
            ::std::result::Result::Ok(#ident { #(#inits,)* })
        };
    }
    let mut reads = Vec::new();
    let mut vars = Vec::new();
    let mut oks = Vec::new();
    let mut errs = Vec::new();
    let mut inits = Vec::new();
    for (i, f) in p.fields.iter().enumerate() {
        let name = &f.ident;
        let span = f.ty.span();
        let Some(c) = &f.column else {
            inits.push(quote_spanned!(span=> #name: ::std::default::Default::default()));
            continue;
        };
        let var = format_ident!("__r{}", i);
        let col = &c.name;
        let read = if c.json {
            match strip_option(&f.ty) {
                Some(inner) => quote_spanned!(span=> #sqlite::json_opt_from_row::<#inner>(row, #col)),
                None => quote_spanned!(span=> #sqlite::json_from_row(row, #col)),
            }
        } else if let Some(millis) = c.epoch {
            match strip_option(&f.ty) {
                Some(inner) => quote_spanned!(span=> #sqlite::epoch_opt_from_row::<#inner>(row, #col, #millis)),
                None => quote_spanned!(span=> #sqlite::epoch_from_row(row, #col, #millis)),
            }
        } else {
            // The type said: the compiler infers nothing per field.
            let ty = &f.ty;
            quote_spanned!(span=> row.get::<&str, #ty>(#col))
        };
        reads.push(read);
        oks.push(quote!(::std::result::Result::Ok(#var)));
        errs.push(quote!(#var.err()));
        inits.push(quote!(#name: #var));
        vars.push(var);
    }
    let ident = &p.ident;
    quote! {
        match (#(#reads,)*) {
            (#(#oks,)*) => ::std::result::Result::Ok(#ident { #(#inits,)* }),
            (#(#vars,)*) => ::std::result::Result::Err(#sqlite::first_error(&mut [#(#errs),*])),
        }
    }
}

/// `insert`: every column but generated ones and an autoincrement key.
fn insert_body(table: &str, columns: &Columns<'_>) -> TokenStream {
    let insertable: Vec<_> = columns
        .iter()
        .filter(|(_, c)| !c.generated && !c.autoincrement)
        .collect();
    let sql = if insertable.is_empty() {
        format!("INSERT INTO {} DEFAULT VALUES", ident(table))
    } else {
        let names: Vec<String> = insertable.iter().map(|(_, c)| ident(&c.name)).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            ident(table),
            names.join(", "),
            params(1, insertable.len()).join(", ")
        )
    };
    let (prep, values): (Vec<_>, Vec<_>) = insertable.iter().enumerate().map(|(i, (f, c))| bind(f, c, i)).unzip();
    quote! {
        #(#prep)*
        ::schema_core::__private::sqlite::execute(conn, #sql, &[#(#values,)*])?;
        ::std::result::Result::Ok(conn.last_insert_rowid())
    }
}

/// `insert_new`: the columns the row gives (a defaulted one only when it is `Some`), then
/// `RETURNING` every column, read back as the table struct. The values are one array of
/// `Option<&dyn ToSql>` (a coercion, or `given` of an `Option`, per field; a json or epoch one
/// encoded first, into a local) beside a constant array of the column names: no statement per
/// field, which is what the compiler pays for.
fn insert_new_body(table: &str, columns: &Columns<'_>, fields: &[NewField<'_>]) -> TokenStream {
    let p = quote!(::schema_core::__private::sqlite);
    let dyn_sql = quote!(&dyn #p::rusqlite::ToSql);
    let mut encoded = Vec::new();
    let values: Vec<TokenStream> = fields
        .iter()
        .enumerate()
        .map(|(i, nf)| {
            let name = &nf.field.ident;
            let nullable = strip_option(&nf.field.ty).is_some();
            let plain = matches!(codec(nf.column), Codec::Plain);
            let var = format_ident!("__e{}", i);
            match (nf.kind, plain) {
                (NewKind::Required | NewKind::Nullable, true) => {
                    quote!(::std::option::Option::Some(&new.#name as #dyn_sql))
                }
                (NewKind::Required | NewKind::Nullable, false) => {
                    let e = encode(nf.column, quote!(&new.#name), nullable);
                    encoded.push(quote!(let #var = #e;));
                    quote!(::std::option::Option::Some(&#var as #dyn_sql))
                }
                (NewKind::Defaulted, true) => quote!(#p::given(&new.#name)),
                (NewKind::Defaulted, false) => {
                    let e = encode(nf.column, quote!(__v), nullable);
                    encoded.push(quote! {
                        let #var = match &new.#name {
                            ::std::option::Option::Some(__v) => ::std::option::Option::Some(#e),
                            ::std::option::Option::None => ::std::option::Option::None,
                        };
                    });
                    quote!(#p::given(&#var))
                }
            }
        })
        .collect();
    let names: Vec<String> = fields.iter().map(|nf| ident(&nf.column.name)).collect();
    let returning: Vec<String> = columns.iter().map(|(_, c)| ident(&c.name)).collect();
    let returning = returning.join(", ");
    let table = ident(table);
    quote! {
        #(#encoded)*
        #p::insert_given(
            conn,
            #table,
            &[#(#names),*],
            &[#(#values),*],
            #returning,
            <Self as #p::SqliteRows>::sqlite_from_row,
        )
    }
}

/// `update`: every non-key, non-generated column, by the key.
fn update_body(table: &str, columns: &Columns<'_>, key: &Key<'_>) -> TokenStream {
    if key.fields.is_empty() {
        return quote!(::std::result::Result::Err(::schema_core::__private::sqlite::no_key(#table)));
    }
    let settable: Vec<_> = columns
        .iter()
        .filter(|(f, c)| !c.generated && !key.fields.iter().any(|k| k.ident == f.ident))
        .collect();
    if settable.is_empty() {
        // Every column is part of the key: there is nothing an update could change.
        return quote!(::std::result::Result::Ok(0));
    }
    let sets: Vec<String> = settable
        .iter()
        .zip(params(1, settable.len()))
        .map(|((_, c), p)| format!("{} = {p}", ident(&c.name)))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        ident(table),
        sets.join(", "),
        key_where(key, settable.len() + 1)
    );
    let (prep, values): (Vec<_>, Vec<_>) = settable.iter().enumerate().map(|(i, (f, c))| bind(f, c, i)).unzip();
    let keys = key_params(key);
    quote! {
        #(#prep)*
        ::schema_core::__private::sqlite::execute(conn, #sql, &[#(#values,)* #(#keys,)*])
    }
}

/// `delete`: by the key.
fn delete_body(table: &str, key: &Key<'_>) -> TokenStream {
    if key.fields.is_empty() {
        return quote!(::std::result::Result::Err(::schema_core::__private::sqlite::no_key(#table)));
    }
    let sql = format!("DELETE FROM {} WHERE {}", ident(table), key_where(key, 1));
    let keys = key_params(key);
    quote!(::schema_core::__private::sqlite::execute(conn, #sql, &[#(#keys,)*]))
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
    let find_sql = if key.fields.is_empty() {
        format!("{select} WHERE rowid = ?1")
    } else {
        format!("{select} WHERE {}", key_where(key, 1))
    };
    let find_params = match key.fields.len() {
        0 | 1 => quote!(&key as &dyn ::schema_core::__private::sqlite::rusqlite::ToSql),
        n => {
            let idx = (0..n).map(syn::Index::from);
            quote!(#(&key.#idx as &dyn ::schema_core::__private::sqlite::rusqlite::ToSql),*)
        }
    };
    let from_row = from_row_body(p);
    let insert = insert_body(table, columns);
    let insert_new = insert_new_body(table, columns, new_fields);
    let update = update_body(table, columns, key);
    let delete = delete_body(table, key);
    let rusqlite = quote!(::schema_core::__private::sqlite::rusqlite);
    quote! {
        ::schema_core::__sqlite_rows! {
            // Inherent, so `conn.query_row(sql, [], User::from_row)` passes it where rusqlite
            // wants a function of any row lifetime (the generic `Table::from_row` cannot be).
            #[allow(dead_code)]
            impl #ident_ty {
                /// Reads a rusqlite row by column name: [`Table::from_row`] for SQLite.
                #[inline]
                pub fn from_row(row: &#rusqlite::Row<'_>) -> #rusqlite::Result<Self> {
                    <Self as ::schema_core::__private::sqlite::SqliteRows>::sqlite_from_row(row)
                }
            }

            impl ::schema_core::__private::sqlite::SqliteRows for #ident_ty {
                #[inline]
                fn sqlite_from_row(row: &#rusqlite::Row<'_>) -> #rusqlite::Result<Self> {
                    #from_row
                }

                #[inline]
                fn sqlite_insert(&self, conn: &#rusqlite::Connection) -> #rusqlite::Result<i64> {
                    #insert
                }

                #[inline]
                fn sqlite_insert_new(new: &<Self as ::schema_core::Table>::New, conn: &#rusqlite::Connection) -> #rusqlite::Result<Self> {
                    #insert_new
                }

                #[inline]
                fn sqlite_select_all(conn: &#rusqlite::Connection) -> #rusqlite::Result<::std::vec::Vec<Self>> {
                    ::schema_core::__private::sqlite::select_all(conn, #select_all_sql, <Self as ::schema_core::__private::sqlite::SqliteRows>::sqlite_from_row)
                }

                #[inline]
                fn sqlite_find(conn: &#rusqlite::Connection, key: <Self as ::schema_core::Table>::Key) -> #rusqlite::Result<::std::option::Option<Self>> {
                    ::schema_core::__private::sqlite::find(conn, #find_sql, &[#find_params], <Self as ::schema_core::__private::sqlite::SqliteRows>::sqlite_from_row)
                }

                #[inline]
                fn sqlite_update(&self, conn: &#rusqlite::Connection) -> #rusqlite::Result<usize> {
                    #update
                }

                #[inline]
                fn sqlite_delete(&self, conn: &#rusqlite::Connection) -> #rusqlite::Result<usize> {
                    #delete
                }
            }
        }
    }
}
