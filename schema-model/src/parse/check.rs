//! The rules that span more than one attribute: one function a rule, each saying why it exists.

use proc_macro2::Span;
use syn::spanned::Spanned as _;
use syn::{GenericArgument, PathArguments, Type};

use super::attr::{self, ColumnAttrs, ColumnPlaces, DefaultLit, Spanned, TableAttrs};
use super::{Ctxt, Reference, TableInput};
use crate::model::{Column, DefaultValue, FkAction, IntKind, LogicalType, Table};

/// What an SQL attribute must hold.
#[derive(Debug, Clone, Copy)]
pub enum SqlKind {
    /// One expression (`check`, `where`, `generated`, `default_sql`), named by its key.
    Expr(&'static str),
    /// An index's list of expressions, each with an optional COLLATE and ASC/DESC.
    IndexList,
    /// A type name (`sql_type`).
    Type,
    /// A collation name (`collate`).
    Collation,
}

// No name or SQL attribute may hold the statement separator (the statement around it would
// be cut in two).
use crate::sql::BREAKPOINT;

/// An SQL attribute must be exactly what its key says, and never carry a second statement:
/// `where = "1; DELETE FROM users"` is refused here, at the attribute, not at migrate time.
pub fn sql(cx: &Ctxt, value: &Spanned<String>, kind: SqlKind) -> bool {
    use crate::sql::expr;
    let v = value.value.as_str();
    if v.contains(BREAKPOINT) {
        cx.error(
            value.span,
            format!("`{BREAKPOINT}` is how migration files separate statements, so SQL here cannot contain it"),
        );
        return false;
    }
    let (what, result) = match kind {
        SqlKind::Expr(key) => (
            format!("`{key}` must be one SQL expression"),
            expr::parse(v).map(|_| ()),
        ),
        SqlKind::IndexList => (
            "`expr` must be a list of SQL expressions (each with an optional COLLATE and ASC/DESC)".to_string(),
            expr::parse_index_list(v),
        ),
        SqlKind::Type => (
            "`sql_type` must be one type name (words, then an optional `(n)` or `(n, m)`)".to_string(),
            expr::check_type_name(v),
        ),
        SqlKind::Collation => ("`collate` must be one collation name".to_string(), expr::check_name(v)),
    };
    match result {
        Ok(()) => true,
        Err(e) => {
            cx.error(value.span, format!("{what}: {} in {v:?}", e.message));
            false
        }
    }
}

/// A table, column, index or constraint name: anything SQL can quote, but not drizzle-kit's
/// statement separator, and not empty.
pub fn name(cx: &Ctxt, value: &Spanned<String>, what: &str) {
    if value.value.trim().is_empty() {
        cx.error(value.span, format!("a {what} name cannot be empty"));
    } else if value.value.contains(BREAKPOINT) {
        cx.error(
            value.span,
            format!("a {what} name cannot contain `{BREAKPOINT}`: migration files split statements there"),
        );
    } else if value.value.contains('\0') {
        cx.error(value.span, format!("a {what} name cannot contain a NUL character"));
    }
}

/// Names a table may not have: SQLite keeps `sqlite_*` for itself, the migrator keeps
/// drizzle's tracking table, and a rebuild copies into `__new_<table>`.
pub fn table_name(cx: &Ctxt, table: &str, span: Span) {
    let lower = table.to_ascii_lowercase();
    let reason = if lower.starts_with("sqlite_") {
        Some("names starting with `sqlite_` belong to SQLite")
    } else if lower == "__drizzle_migrations" {
        Some("it is the migrations' tracking table")
    } else if lower.starts_with("__new_") {
        Some("names starting with `__new_` are the temporary tables of a rebuild")
    } else {
        None
    };
    if let Some(reason) = reason {
        cx.error(
            span,
            format!("a table cannot be named `{table}`: {reason}; choose another name"),
        );
    }
}

/// A column's SQL attributes, each what its key says.
pub fn column_sql(cx: &Ctxt, attrs: &ColumnAttrs) {
    if let Some(c) = &attrs.check {
        sql(cx, c, SqlKind::Expr("check"));
    }
    if let Some(g) = &attrs.generated
        && !g.value.trim().is_empty()
    {
        sql(cx, g, SqlKind::Expr("generated"));
    }
    if let Some(t) = &attrs.sql_type {
        sql(cx, t, SqlKind::Type);
    }
    if let Some(c) = &attrs.collate {
        sql(cx, c, SqlKind::Collation);
    }
}

/// `Option<T>` → `Some(T)`; anything else → `None`.
pub fn strip_option(ty: &Type) -> Option<&Type> {
    type_argument(ty, "Option")
}

/// `T` of `Wrapper<T>` (by the path's last segment, `std::vec::Vec<T>` as `Vec<T>`).
fn type_argument<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// The logical type of a Rust type the derive knows how to store, by its last path segment
/// (`i64`, `std::string::String`, `Vec<u8>`). A type alias is not followed: neither the derive
/// nor the CLI can see through it the same way, so both ask for `sql_type` instead.
pub fn logical_type_of(ty: &Type) -> Option<LogicalType> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    // Read without an allocation; a name longer than the longest below
    // (`PrimitiveDateTime`) is none of them.
    let name = super::input::Word::<17>::of(&last.ident)?;
    let name = name.as_str();
    // `serde_json::Value` by its path: a bare `Value` may be `schema_core::Value`.
    let n = p.path.segments.len();
    if name == "Value" && n >= 2 && p.path.segments[n - 2].ident == "serde_json" {
        return Some(LogicalType::Json);
    }
    if let PathArguments::AngleBracketed(args) = &last.arguments {
        // chrono's DateTime<Utc> (or another offset): an instant.
        if name == "DateTime" && args.args.len() == 1 {
            return Some(LogicalType::Timestamp);
        }
        // Vec<u8> is a blob; no other generic type maps on its own.
        if name == "Vec"
            && args.args.len() == 1
            && let GenericArgument::Type(Type::Path(inner)) = &args.args[0]
            && inner.path.is_ident("u8")
        {
            return Some(LogicalType::Bytes);
        }
        return None;
    }
    if let Some((_, kind)) = IntKind::ALL.iter().find(|(n, _)| *n == name) {
        return Some(LogicalType::Int(*kind));
    }
    match name {
        "bool" => Some(LogicalType::Bool),
        "f32" => Some(LogicalType::F32),
        "f64" => Some(LogicalType::F64),
        "String" => Some(LogicalType::String),
        // chrono and time (cargo features `chrono` and `time` of schema-core).
        "NaiveDate" | "Date" => Some(LogicalType::Date),
        "NaiveDateTime" | "PrimitiveDateTime" => Some(LogicalType::DateTime),
        "OffsetDateTime" | "UtcDateTime" => Some(LogicalType::Timestamp),
        // uuid (cargo feature `uuid`).
        "Uuid" => Some(LogicalType::Uuid),
        _ => None,
    }
}

/// The column's logical type and whether it is nullable. `sql_type` wins over the Rust type,
/// `json` stores any serde type as text, and a type we cannot map is an error at the field
/// that asks for `sql_type`, never a guess.
pub fn column_type(cx: &Ctxt, ty: &Type, attrs: &ColumnAttrs) -> Option<(LogicalType, bool)> {
    let (inner, nullable) = match strip_option(ty) {
        Some(inner) => (inner, true),
        None => (ty, false),
    };
    if let Some(sql) = &attrs.sql_type {
        // An empty type is SQLite's column without a declared type (BLOB affinity).
        return Some((LogicalType::Sql(sql.value.trim().to_string()), nullable));
    }
    if attrs.json.is_some() {
        return Some((LogicalType::Json, nullable));
    }
    if let Some(e) = &attrs.epoch {
        return match logical_type_of(inner) {
            Some(LogicalType::DateTime) => Some((
                LogicalType::Epoch {
                    millis: e.value,
                    zoned: false,
                },
                nullable,
            )),
            Some(LogicalType::Timestamp) => Some((
                LogicalType::Epoch {
                    millis: e.value,
                    zoned: true,
                },
                nullable,
            )),
            _ => {
                cx.error(
                    e.span,
                    "#[column(epoch)] stores a date-time as a Unix time: it takes `chrono::NaiveDateTime`, \
                     `chrono::DateTime<Utc>`, `time::PrimitiveDateTime` or `time::OffsetDateTime`",
                );
                None
            }
        };
    }
    match logical_type_of(inner) {
        Some(t) => Some((t, nullable)),
        // A plain path (`PostStatus`, `crate::db::Role`) may name an `SqlEnum`: the column's
        // type waits for it (a placeholder enum without values), and the CLI or the compiler
        // says so when it is not one.
        None if let Some((path, array)) = enum_path(ty) => {
            let placeholder = Box::new(crate::model::EnumType {
                name: quote::ToTokens::to_token_stream(path).to_string().replace(' ', ""),
                schema: None,
                values: Vec::new(),
            });
            Some((
                if array {
                    LogicalType::EnumArray(placeholder)
                } else {
                    LogicalType::Enum(placeholder)
                },
                nullable,
            ))
        }
        None => {
            let shown = super::type_string(inner);
            cx.error(ty.span(), unmapped_type(&shown));
            None
        }
    }
}

/// The path of a field's type (inside its `Option`) that may name an `SqlEnum`: one without
/// generic arguments or a `<T as Trait>` qualifier; or, with `true`, the element of a `Vec`
/// of such a path (an array of the enum).
pub fn enum_path(ty: &Type) -> Option<(&syn::Path, bool)> {
    fn plain(t: &Type) -> Option<&syn::Path> {
        let Type::Path(p) = t else { return None };
        let plain = p.qself.is_none() && p.path.segments.iter().all(|s| s.arguments.is_none());
        plain.then_some(&p.path)
    }
    let inner = strip_option(ty).unwrap_or(ty);
    if let Some(p) = plain(inner) {
        return Some((p, false));
    }
    let element = type_argument(inner, "Vec")?;
    // `Vec<u8>` is a blob, `Vec<String>` no enum.
    if logical_type_of(element).is_some() {
        return None;
    }
    Some((plain(element)?, true))
}

/// The message for a type that is neither one the parser maps nor an `SqlEnum`.
pub fn unmapped_type(shown: &str) -> String {
    format!(
        "cannot map the type `{shown}` to a SQL column type; add #[column(sql_type = \"..\")] \
         (a type alias is not followed), #[derive(SqlEnum)] on an enum, #[column(json)] to store it as JSON, \
         or #[column(skip)]"
    )
}

/// `skip` leaves the field out of the table, so every other column attribute would be ignored:
/// say so rather than drop them silently.
pub fn skip_alone(cx: &Ctxt, skip: Span, attrs: &ColumnAttrs) {
    let others = [
        attrs.name.is_some(),
        attrs.primary_key.is_some(),
        attrs.autoincrement.is_some(),
        attrs.unique.is_some(),
        attrs.index.is_some(),
        attrs.default.is_some(),
        attrs.default_sql.is_some(),
        attrs.sql_type.is_some(),
        attrs.references.is_some(),
        attrs.check.is_some(),
        attrs.generated.is_some(),
        attrs.json.is_some(),
        attrs.epoch.is_some(),
        attrs.identity.is_some(),
        attrs.on_delete.is_some(),
        attrs.on_update.is_some(),
        attrs.deferrable.is_some(),
        attrs.collate.is_some(),
        attrs.stored.is_some(),
        attrs.renamed_from.is_some(),
    ];
    if others.iter().any(|b| *b) {
        cx.error(
            skip,
            "a #[column(skip)] field is not a column, so it takes no other column attributes",
        );
    }
}

/// The default, checked against the column: a literal must fit the field's type (an `i64`
/// takes an integer, a `bool` takes `true`/`false`, a float takes either number), and an SQL
/// expression must be one SQLite accepts in a DEFAULT clause.
pub fn default_value(cx: &Ctxt, col: &Column, attrs: &ColumnAttrs) -> Option<DefaultValue> {
    if let (Some(_), Some(sql)) = (&attrs.default, &attrs.default_sql) {
        cx.error(sql.span, "give either `default` or `default_sql`, not both");
        return None;
    }
    if let Some(text) = &attrs.default_sql {
        let ok = sql(cx, text, SqlKind::Expr("default_sql")) && check_default_sql(cx, text);
        return ok.then(|| DefaultValue::Sql(text.value.trim().to_string()));
    }
    let lit = attrs.default.as_ref()?;
    let mismatch = |expected: &str| {
        cx.error(
            lit.span,
            format!("the default does not fit the column `{}`: {expected}", col.name),
        );
        None
    };
    match (&col.ty, &lit.value) {
        (LogicalType::Int(kind), DefaultLit::Int(v)) => {
            if kind.fits(*v) {
                Some(DefaultValue::Int(*v as i64))
            } else {
                mismatch(&format!("{v} is out of range for `{}`", kind.rust_name()))
            }
        }
        (LogicalType::Int(kind), _) => mismatch(&format!("`{}` takes an integer literal", kind.rust_name())),
        (LogicalType::Bool, DefaultLit::Bool(b)) => Some(DefaultValue::Bool(*b)),
        (LogicalType::Bool, _) => mismatch("`bool` takes `true` or `false`"),
        (LogicalType::F32 | LogicalType::F64, DefaultLit::Int(v)) => int_default(cx, lit, *v),
        (LogicalType::F32, DefaultLit::Float(f)) if !f.parse::<f32>().is_ok_and(f32::is_finite) => {
            mismatch(&format!("{f} is not a finite `f32`"))
        }
        (LogicalType::F64, DefaultLit::Float(f)) if !f.parse::<f64>().is_ok_and(f64::is_finite) => {
            mismatch(&format!("{f} is not a finite `f64`"))
        }
        (LogicalType::F32 | LogicalType::F64, DefaultLit::Float(f)) => Some(DefaultValue::Real(f.clone())),
        (LogicalType::F32 | LogicalType::F64, _) => mismatch("a float takes a number literal"),
        (LogicalType::String | LogicalType::Json, DefaultLit::Str(s)) => Some(DefaultValue::Text(s.clone())),
        (LogicalType::String, _) => mismatch("`String` takes a string literal"),
        (LogicalType::Json, _) => mismatch("a JSON column takes its default as a string literal of JSON text"),
        (LogicalType::Bytes, _) => mismatch("a blob takes no literal default; use `default_sql = \"x'00ff'\"`"),
        // Dates are stored as ISO-8601 text: a string literal in that form.
        (LogicalType::Date | LogicalType::DateTime | LogicalType::Timestamp, DefaultLit::Str(s)) => {
            Some(DefaultValue::Text(s.clone()))
        }
        (LogicalType::Date | LogicalType::DateTime | LogicalType::Timestamp, _) => mismatch(
            "a date or time takes a string literal in ISO-8601 form (`\"2024-01-31\"`), or `default_sql = \"CURRENT_TIMESTAMP\"`",
        ),
        (LogicalType::Uuid, _) => mismatch("a UUID takes no literal default; give it in the row"),
        // A Unix time: the number itself.
        (LogicalType::Epoch { .. }, DefaultLit::Int(v)) => int_default(cx, lit, *v),
        (LogicalType::Epoch { .. }, _) => {
            mismatch("an epoch column takes an integer (a Unix time), or `default_sql = \"(unixepoch())\"`")
        }
        // Which values the enum has is checked once it is found.
        (LogicalType::Enum(_), DefaultLit::Str(s)) => Some(DefaultValue::Text(s.clone())),
        (LogicalType::Enum(_), _) => mismatch("an enum takes one of its values as a string literal (`\"draft\"`)"),
        (LogicalType::EnumArray(_), _) => mismatch(
            "an array of an enum takes its default as SQL: `default_sql = \"'{draft}'\"` (PostgreSQL's array literal)",
        ),
        // An explicit SQL type: the user knows its literals better than we do.
        (LogicalType::Sql(_), DefaultLit::Int(v)) => int_default(cx, lit, *v),
        (LogicalType::Sql(_), DefaultLit::Float(f)) if !f.parse::<f64>().is_ok_and(f64::is_finite) => {
            mismatch(&format!("{f} is not a finite number"))
        }
        (LogicalType::Sql(_), DefaultLit::Float(f)) => Some(DefaultValue::Real(f.clone())),
        (LogicalType::Sql(_), DefaultLit::Bool(b)) => Some(DefaultValue::Bool(*b)),
        (LogicalType::Sql(_), DefaultLit::Str(s)) => Some(DefaultValue::Text(s.clone())),
    }
}

fn int_default(cx: &Ctxt, lit: &Spanned<DefaultLit>, v: i128) -> Option<DefaultValue> {
    match i64::try_from(v) {
        Ok(v) => Some(DefaultValue::Int(v)),
        Err(_) => {
            cx.error(lit.span, "this integer default is too large for a SQL integer");
            None
        }
    }
}

/// SQLite takes a bare literal, `CURRENT_TIME`/`_DATE`/`_TIMESTAMP` or a parenthesised
/// expression as a default. Anything else (`unixepoch()`) would make a migration that fails
/// to run, so it is refused here with the fix.
fn check_default_sql(cx: &Ctxt, sql: &Spanned<String>) -> bool {
    let v = sql.value.trim();
    let ok = crate::sql::sqlite::is_default_form(v);
    if !ok {
        cx.error(
            sql.span,
            format!("SQLite needs an expression default in parentheses: write `default_sql = \"({v})\"`"),
        );
    }
    ok
}

/// A foreign key action as written (`"cascade"`), or an error at it.
fn action(cx: &Ctxt, a: &Option<Spanned<String>>) -> Option<FkAction> {
    match a {
        None => Some(FkAction::NoAction),
        Some(s) => {
            let parsed = FkAction::parse(&s.value);
            if parsed.is_none() {
                cx.error(
                    s.span,
                    format!(
                        "unknown foreign key action \"{}\"; expected one of: cascade, set null, set default, restrict, no action",
                        s.value
                    ),
                );
            }
            parsed
        }
    }
}

/// Whether a path names a struct (`User`, `db::User`) rather than a field (`User::id`): Rust
/// spells types in UpperCamelCase and fields in snake_case.
/// A path of one segment is a struct either way (`references = 用户`, a script without case).
fn names_struct(path: &syn::Path) -> bool {
    path.segments.len() == 1
        || path
            .segments
            .last()
            .is_some_and(|s| super::unraw_string(&s.ident).starts_with(|c: char| c.is_uppercase()))
}

/// `references = Struct::field` (or `references = Struct`, the parent's primary key) with its
/// actions. The target is checked later: by the compiler for the derive, by
/// [`super::resolve`] for the CLI.
pub fn reference(
    cx: &Ctxt,
    column: &str,
    field_ty: &Type,
    path: &Spanned<syn::Path>,
    attrs: &ColumnAttrs,
) -> Option<Reference> {
    let (target, to) = if names_struct(&path.value) {
        (path.value.clone(), None)
    } else if path.value.segments.len() >= 2 {
        let mut target = path.value.clone();
        let field = target.segments.pop().map(|p| p.ident)?;
        // Drop the `::` the pop leaves behind.
        target.segments = target.segments.into_iter().collect();
        (target, Some(vec![field]))
    } else {
        cx.error(
            path.value.span(),
            "`references` takes `Struct::field` (`references = User::id`), or `Struct` for its primary key",
        );
        return None;
    };
    if attrs.json.is_some() {
        cx.error(path.span, "a #[column(json)] field cannot be a foreign key");
        return None;
    }
    let on_delete = action(cx, &attrs.on_delete);
    let on_update = action(cx, &attrs.on_update);
    Some(Reference {
        columns: vec![(column.to_string(), field_ty.clone())],
        target,
        to,
        on_delete: on_delete?,
        on_update: on_update?,
        deferrable: attrs.deferrable.as_ref().map(|d| d.value).unwrap_or_default(),
        name: None,
        span: path.value.span(),
    })
}

/// `#[foreign_key(..)]`, its fields already turned into columns (`columns`).
pub fn foreign_key(cx: &Ctxt, fk: attr::ForeignKeyAttr, columns: Vec<(String, Type)>) -> Option<Reference> {
    if names_struct(&fk.references) || fk.to.is_some() {
        // `references = Parent` (with `to(..)` or the parent's key)
    } else {
        let written = quote::ToTokens::to_token_stream(&fk.references)
            .to_string()
            .replace(' ', "");
        let (parent, field) = written.rsplit_once("::").unwrap_or((written.as_str(), ""));
        cx.error(
            fk.references.span(),
            format!(
                "`references = {written}` names a field; #[foreign_key] takes the parent struct and its fields apart: `references = {parent}, to({field})`"
            ),
        );
        return None;
    }
    if let Some(n) = &fk.name {
        name(cx, n, "foreign key");
    }
    let on_delete = action(cx, &fk.on_delete);
    let on_update = action(cx, &fk.on_update);
    Some(Reference {
        columns,
        target: fk.references.clone(),
        to: fk.to,
        on_delete: on_delete?,
        on_update: on_update?,
        deferrable: fk.deferrable,
        name: fk.name.map(|n| n.value),
        span: fk.span,
    })
}

/// `on_delete` / `on_update` mean nothing without `references`.
pub fn actions_need_reference(cx: &Ctxt, attrs: &ColumnAttrs) {
    for a in [&attrs.on_delete, &attrs.on_update].into_iter().flatten() {
        cx.error(
            a.span,
            "`on_delete` / `on_update` need `references = Struct::field` on the same column",
        );
    }
    if let Some(d) = &attrs.deferrable {
        cx.error(
            d.span,
            "`deferrable` needs `references = Struct::field` on the same column",
        );
    }
}

/// Rules over the whole table.
pub fn table(cx: &Ctxt, input: &TableInput, tattrs: &TableAttrs, table: &Table, cols: &[ColumnPlaces]) {
    check_one_primary_key(cx, input, tattrs, table, cols);
    check_autoincrement(cx, tattrs, table, cols);
    check_generated(cx, table, cols);
    check_without_rowid(cx, input, tattrs, table);
    check_strict_types(cx, tattrs, table, cols);
    check_unique_names(cx, input, table);
}

/// A table has one primary key: one `primary_key` field, or one `#[table(primary_key(..))]`.
/// Two would be a CREATE TABLE that SQLite refuses.
fn check_one_primary_key(cx: &Ctxt, input: &TableInput, tattrs: &TableAttrs, table: &Table, cols: &[ColumnPlaces]) {
    let fields: Vec<Span> = cols.iter().filter_map(|c| c.primary_key).collect();
    let composite = tattrs.primary_key.as_ref().map(|p| p.span);
    let count = fields.len() + usize::from(composite.is_some());
    if count > 1 {
        let mut spans = fields.clone();
        spans.extend(composite);
        for span in spans.into_iter().skip(1) {
            cx.error(
                span,
                format!(
                    "table `{}` already has a primary key; for a key over several columns use #[table(primary_key(a, b))] on `{}` instead",
                    table.name, input.ident
                ),
            );
        }
    }
}

/// AUTOINCREMENT exists only on an `INTEGER PRIMARY KEY`: one integer column that is the whole key.
fn check_autoincrement(cx: &Ctxt, tattrs: &TableAttrs, table: &Table, cols: &[ColumnPlaces]) {
    for (col, attrs) in table.columns.iter().zip(cols) {
        let Some(span) = attrs.autoincrement else {
            continue;
        };
        let integer = matches!(&col.ty, LogicalType::Int(_))
            || matches!(&col.ty, LogicalType::Sql(s) if s.eq_ignore_ascii_case("integer"));
        if !integer {
            cx.error(
                span,
                format!("`autoincrement` needs an integer column, but `{}` is not one", col.name),
            );
        } else if !col.primary_key || tattrs.primary_key.is_some() {
            cx.error(
                span,
                format!(
                    "`autoincrement` needs `{}` to be the table's one primary key: add `primary_key`",
                    col.name
                ),
            );
        }
    }
}

/// A generated column is computed by the database: it has no default, is never a key, and
/// `stored` means nothing without it.
fn check_generated(cx: &Ctxt, _table: &Table, cols: &[ColumnPlaces]) {
    for attrs in cols {
        match attrs.generated {
            Some((span, blank)) => {
                if let Some(d) = attrs.default {
                    cx.error(
                        d,
                        "a `generated` column cannot have a default: its value is always computed",
                    );
                }
                if let Some(pk) = attrs.primary_key {
                    cx.error(pk, "a `generated` column cannot be a primary key");
                }
                if blank {
                    cx.error(span, "`generated` needs an SQL expression");
                }
            }
            None => {
                if let Some(s) = attrs.stored {
                    cx.error(s, "`stored` only applies to a `generated = \"..\"` column");
                }
            }
        }
    }
}

/// SQLite refuses a WITHOUT ROWID table without a primary key, and AUTOINCREMENT on one.
fn check_without_rowid(cx: &Ctxt, input: &TableInput, tattrs: &TableAttrs, table: &Table) {
    let Some(span) = tattrs.without_rowid else {
        return;
    };
    if table.key_columns().is_empty() {
        cx.error(
            span,
            format!("`without_rowid` needs a primary key on `{}`", input.ident),
        );
    }
    if table.columns.iter().any(|c| c.autoincrement) {
        cx.error(span, "`without_rowid` tables cannot use `autoincrement`");
    }
    for key in table.key_columns() {
        if table.column(key).is_some_and(|c| !c.not_null) {
            cx.error(
                span,
                format!(
                    "the key column `{key}` of a `without_rowid` table cannot hold NULL; make its field a non-`Option` type"
                ),
            );
        }
    }
}

/// STRICT tables accept only INT, INTEGER, REAL, TEXT, BLOB and ANY.
fn check_strict_types(cx: &Ctxt, tattrs: &TableAttrs, table: &Table, cols: &[ColumnPlaces]) {
    if tattrs.strict.is_none() {
        return;
    }
    for (col, attrs) in table.columns.iter().zip(cols) {
        if let (LogicalType::Sql(s), Some(span)) = (&col.ty, attrs.sql_type)
            && !crate::sql::sqlite::is_strict_type(s)
        {
            cx.error(
                span,
                format!("a `strict` table only takes the types INT, INTEGER, REAL, TEXT, BLOB and ANY, not `{s}`"),
            );
        }
    }
}

/// Index and constraint names share one namespace in SQLite.
fn check_unique_names(cx: &Ctxt, input: &TableInput, table: &Table) {
    // Compared without case, as SQL compares names; an index may not take its table's name
    // either (tables and indexes share one namespace in SQLite).
    let mut names: Vec<String> = index_names(table);
    names.extend(
        table
            .uniques
            .iter()
            .filter(|u| u.is_constraint())
            .map(|u| u.name.clone()),
    );
    names.extend(table.checks.iter().map(|c| c.name.clone()));
    let mut seen = std::collections::HashSet::new();
    for n in &names {
        if !seen.insert(n.to_lowercase()) {
            cx.error(
                input.ident.span(),
                format!(
                    "two indexes or constraints of `{}` are named `{n}` (names are compared without case)",
                    table.name
                ),
            );
        }
    }
    for n in index_names(table) {
        if n.eq_ignore_ascii_case(&table.name) {
            cx.error(
                input.ident.span(),
                format!("the index `{n}` has its table's name; tables and indexes share one namespace"),
            );
        }
    }
}

/// The names a table's indexes take in the database: declared indexes, `#[unique]`s and
/// `#[column(unique)]`s (which become unique indexes); not unique constraints, whose
/// indexes SQLite names itself.
pub fn index_names(table: &Table) -> Vec<String> {
    let mut names: Vec<String> = table.indexes.iter().map(|i| i.name.clone()).collect();
    names.extend(
        table
            .uniques
            .iter()
            .filter(|u| !u.is_constraint())
            .map(|u| u.name.clone()),
    );
    names.extend(
        table
            .columns
            .iter()
            .filter(|c| c.unique)
            .map(|c| crate::model::names::unique(&table.name, std::slice::from_ref(&c.name))),
    );
    names
}
