//! Reads `#[table]`, `#[index]`, `#[unique]`, `#[check]` and `#[column]` into plain values.
//!
//! Each reader returns what it understood and records every problem in the context, so one
//! pass reports all of a struct's mistakes at once.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Ident, LitStr, Token};

use super::Ctxt;
use crate::model::{Deferrable, IndexColumn};

/// A value together with where the user wrote it, for errors that point at it.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A literal given to `default = ..`.
#[derive(Clone)]
pub enum DefaultLit {
    Int(i128),
    Float(String),
    Bool(bool),
    Str(String),
}

/// One attribute key that may be given at most once.
struct Attr<'c, T> {
    cx: &'c Ctxt,
    attr: &'static str,
    key: &'static str,
    value: Option<Spanned<T>>,
}

impl<'c, T> Attr<'c, T> {
    fn new(cx: &'c Ctxt, attr: &'static str, key: &'static str) -> Self {
        Attr {
            cx,
            attr,
            key,
            value: None,
        }
    }

    fn set(&mut self, span: Span, value: T) {
        if self.value.is_some() {
            self.cx
                .error(span, format!("duplicate `{}` in #[{}(..)]", self.key, self.attr));
        } else {
            self.value = Some(Spanned { value, span });
        }
    }

    fn get(self) -> Option<Spanned<T>> {
        self.value
    }
}

/// A flag such as `unique`: `Some(span)` when present.
type Flag<'c> = Attr<'c, ()>;

fn key_name(meta: &ParseNestedMeta) -> String {
    meta.path.get_ident().map(Ident::to_string).unwrap_or_else(|| {
        quote::ToTokens::to_token_stream(&meta.path)
            .to_string()
            .replace(' ', "")
    })
}

fn unknown(meta: &ParseNestedMeta, attr: &str, expected: &str) -> syn::Error {
    meta.error(format!(
        "unknown attribute `{}` in #[{attr}(..)]; expected one of: {expected}",
        key_name(meta)
    ))
}

/// `key = 10` or `key = -10`: an integer literal, with its sign.
pub(super) fn signed_int(meta: &ParseNestedMeta) -> syn::Result<i64> {
    let input = meta.value()?;
    let negative = input.peek(Token![-]);
    if negative {
        input.parse::<Token![-]>()?;
    }
    let lit: syn::LitInt = input.parse()?;
    let v: i64 = lit.base10_parse()?;
    Ok(if negative { -v } else { v })
}

fn string(meta: &ParseNestedMeta) -> syn::Result<String> {
    let lit: LitStr = meta.value()?.parse()?;
    Ok(lit.value())
}

/// `columns(a, b)`: a list of field names.
fn ident_list(meta: &ParseNestedMeta) -> syn::Result<Vec<Ident>> {
    let mut out = Vec::new();
    meta.parse_nested_meta(|inner| match inner.path.get_ident() {
        Some(ident) => {
            out.push(ident.clone());
            Ok(())
        }
        None => Err(inner.error("expected a field name")),
    })?;
    Ok(out)
}

/// `columns(a, b(desc, nulls_last), c(opclass = "text_pattern_ops"))`: each field, with how an
/// index orders and compares it.
fn index_columns(meta: &ParseNestedMeta) -> syn::Result<Vec<(Ident, IndexColumn)>> {
    let mut out = Vec::new();
    meta.parse_nested_meta(|inner| {
        let Some(field) = inner.path.get_ident().cloned() else {
            return Err(inner.error("expected a field name"));
        };
        let mut col = IndexColumn::default();
        if inner.input.peek(syn::token::Paren) {
            let (mut order, mut nulls) = (None::<&str>, None::<&str>);
            inner.parse_nested_meta(|o| {
                let key = key_name(&o);
                // `asc` / `desc`, `nulls_first` / `nulls_last`: one of each pair, once.
                let once = |slot: &mut Option<&str>, which: &'static str| match slot {
                    Some(prev) => Err(o.error(format!(
                        "`{field}` is already `{prev}`: say `{which}` or `{prev}`, once"
                    ))),
                    None => {
                        *slot = Some(which);
                        Ok(())
                    }
                };
                match key.as_str() {
                    "asc" => once(&mut order, "asc"),
                    "desc" => {
                        col.desc = true;
                        once(&mut order, "desc")
                    }
                    "nulls_last" => once(&mut nulls, "nulls_last"),
                    "nulls_first" => {
                        col.nulls_first = true;
                        once(&mut nulls, "nulls_first")
                    }
                    "opclass" => {
                        let class = string(&o)?;
                        let plain = class.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                            && class.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
                        if !plain {
                            return Err(o.error(format!(
                                "opclass = {class:?}: an operator class is a plain name (`text_pattern_ops`, `jsonb_path_ops`)"
                            )));
                        }
                        col.opclass = Some(class);
                        Ok(())
                    }
                    _ => Err(unknown(
                        &o,
                        "index column",
                        "`asc`, `desc`, `nulls_first`, `nulls_last`, `opclass = \"..\"`",
                    )),
                }
            })?;
        }
        out.push((field, col));
        Ok(())
    })?;
    Ok(out)
}

/// `with(pages_per_range = 32, fillfactor = 70)`: storage parameters, each value's SQL text.
fn storage_parameters(meta: &ParseNestedMeta) -> syn::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    meta.parse_nested_meta(|p| {
        let key = key_name(&p);
        let value = match p.value()?.parse::<syn::Lit>()? {
            syn::Lit::Int(i) => i.base10_digits().to_string(),
            syn::Lit::Float(f) => f.base10_digits().to_string(),
            syn::Lit::Bool(b) => b.value.to_string(),
            syn::Lit::Str(s) => s.value(),
            _ => return Err(p.error("a storage parameter is a number, `true`/`false` or a string")),
        };
        let plain = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !plain {
            return Err(p.error(format!(
                "with({key} = {value:?}): a storage parameter's value is a plain word or number"
            )));
        }
        out.push((key, value));
        Ok(())
    })?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// #[table(..)]

#[derive(Default)]
pub struct TableAttrs {
    pub name: Option<Spanned<String>>,
    pub strict: Option<Span>,
    pub without_rowid: Option<Span>,
    pub primary_key: Option<Spanned<Vec<Ident>>>,
    pub renamed_from: Option<Spanned<String>>,
    pub schema: Option<Spanned<String>>,
    /// The name of the derived insert struct (default `New<Struct>`).
    pub new_struct: Option<Spanned<String>>,
    /// Derives for the insert struct (`Debug`, `Clone`, `serde::Deserialize`, ...).
    pub new_derive: Option<Spanned<Vec<syn::Path>>>,
}

const TABLE_KEYS: &str = "`name`, `strict`, `without_rowid`, `primary_key(..)`, `renamed_from`, `schema`, `new_struct`, \
                          `new_derive(..)`";

pub fn table(cx: &Ctxt, attrs: &[syn::Attribute]) -> TableAttrs {
    let mut name = Attr::new(cx, "table", "name");
    let mut strict = Flag::new(cx, "table", "strict");
    let mut without_rowid = Flag::new(cx, "table", "without_rowid");
    let mut primary_key = Attr::new(cx, "table", "primary_key");
    let mut renamed_from = Attr::new(cx, "table", "renamed_from");
    let mut schema = Attr::new(cx, "table", "schema");
    let mut new_struct = Attr::new(cx, "table", "new_struct");
    let mut new_derive = Attr::new(cx, "table", "new_derive");
    for attr in attrs.iter().filter(|a| a.path().is_ident("table")) {
        let res = attr.parse_nested_meta(|meta| {
            let span = meta.path.span_of();
            if meta.path.is_ident("name") {
                // #[table(name = "users")]
                name.set(span, string(&meta)?);
            } else if meta.path.is_ident("strict") {
                // #[table(strict)]
                strict.set(span, ());
            } else if meta.path.is_ident("without_rowid") {
                // #[table(without_rowid)]
                without_rowid.set(span, ());
            } else if meta.path.is_ident("primary_key") {
                // #[table(primary_key(org_id, user_id))]
                primary_key.set(span, ident_list(&meta)?);
            } else if meta.path.is_ident("renamed_from") {
                // #[table(renamed_from = "members")]
                renamed_from.set(span, string(&meta)?);
            } else if meta.path.is_ident("schema") {
                // #[table(schema = "auth")]: PostgreSQL's namespace
                schema.set(span, string(&meta)?);
            } else if meta.path.is_ident("new_struct") {
                // #[table(new_struct = "CreateUser")]
                new_struct.set(span, string(&meta)?);
            } else if meta.path.is_ident("new_derive") {
                // #[table(new_derive(Debug, Clone, serde::Deserialize))]
                let mut paths = Vec::new();
                meta.parse_nested_meta(|m| {
                    paths.push(m.path.clone());
                    Ok(())
                })?;
                new_derive.set(span, paths);
            } else {
                return Err(unknown(&meta, "table", TABLE_KEYS));
            }
            Ok(())
        });
        cx.result(res);
    }
    TableAttrs {
        name: name.get(),
        strict: strict.get().map(|s| s.span),
        without_rowid: without_rowid.get().map(|s| s.span),
        primary_key: primary_key.get(),
        renamed_from: renamed_from.get(),
        schema: schema.get(),
        new_struct: new_struct.get(),
        new_derive: new_derive.get(),
    }
}

// ---------------------------------------------------------------------------------------
// #[index(..)], #[unique(..)], #[check(..)]

pub enum IndexOn {
    Columns(Vec<Ident>),
    Expr(Spanned<String>),
}

pub struct IndexAttr {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub on: IndexOn,
    pub unique: bool,
    pub where_clause: Option<Spanned<String>>,
    /// `using = "gin"`: PostgreSQL's index method.
    pub using: Option<Spanned<String>>,
    /// `concurrently`: built without locking writes, in a migration of its own.
    pub concurrently: bool,
    /// How each of `columns(..)` is ordered and compared, in their order.
    pub column_options: Vec<IndexColumn>,
    /// `with(..)`: storage parameters.
    pub with: Option<Spanned<Vec<(String, String)>>>,
}

const INDEX_KEYS: &str = "`name`, `columns(..)`, `expr`, `unique`, `where`, `using`, `concurrently`, `with(..)`";

pub fn indexes(cx: &Ctxt, attrs: &[syn::Attribute]) -> Vec<IndexAttr> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("index")) {
        let mut name = Attr::new(cx, "index", "name");
        let mut columns = Attr::new(cx, "index", "columns");
        let mut expr = Attr::new(cx, "index", "expr");
        let mut unique = Flag::new(cx, "index", "unique");
        let mut where_clause = Attr::new(cx, "index", "where");
        let mut using = Attr::new(cx, "index", "using");
        let mut concurrently = Flag::new(cx, "index", "concurrently");
        let mut with = Attr::new(cx, "index", "with");
        let res = attr.parse_nested_meta(|meta| {
            let span = meta.path.span_of();
            if meta.path.is_ident("name") {
                // #[index(name = "users_name_idx", ..)]
                name.set(span, string(&meta)?);
            } else if meta.path.is_ident("columns") {
                // #[index(columns(name, age(desc, nulls_last), title(opclass = "text_pattern_ops")))]
                columns.set(span, index_columns(&meta)?);
            } else if meta.path.is_ident("with") {
                // #[index(.., with(fillfactor = 70))]
                with.set(span, storage_parameters(&meta)?);
            } else if meta.path.is_ident("expr") {
                // #[index(expr = "lower(\"email\")")]
                expr.set(span, string(&meta)?);
            } else if meta.path.is_ident("unique") {
                // #[index(.., unique)]
                unique.set(span, ());
            } else if meta.path.is_ident("where") {
                // #[index(.., where = "role <> 'banned'")]
                where_clause.set(span, string(&meta)?);
            } else if meta.path.is_ident("using") {
                // #[index(.., using = "gin")]
                using.set(span, string(&meta)?);
            } else if meta.path.is_ident("concurrently") {
                // #[index(.., concurrently)]
                concurrently.set(span, ());
            } else {
                return Err(unknown(&meta, "index", INDEX_KEYS));
            }
            Ok(())
        });
        if !cx.result(res) {
            continue;
        }
        let span = attr.path().span_of();
        let mut column_options = Vec::new();
        let on = match (columns.get(), expr.get()) {
            (Some(c), None) if c.value.is_empty() => {
                cx.error(c.span, "#[index(columns())] needs at least one field");
                continue;
            }
            (Some(c), None) => {
                let (fields, options): (Vec<Ident>, Vec<IndexColumn>) = c.value.into_iter().unzip();
                column_options = options;
                IndexOn::Columns(fields)
            }
            (None, Some(e)) => IndexOn::Expr(e),
            (Some(_), Some(e)) => {
                cx.error(e.span, "#[index(..)] takes either `columns(..)` or `expr`, not both");
                continue;
            }
            (None, None) => {
                cx.error(span, "#[index(..)] needs `columns(..)` or `expr = \"..\"`");
                continue;
            }
        };
        out.push(IndexAttr {
            span,
            name: name.get(),
            on,
            unique: unique.get().is_some(),
            where_clause: where_clause.get(),
            using: using.get(),
            concurrently: concurrently.get().is_some(),
            column_options,
            with: with.get(),
        });
    }
    out
}

pub struct UniqueAttr {
    pub name: Option<Spanned<String>>,
    pub columns: Vec<Ident>,
    /// `constraint`: `UNIQUE (..)` in the table, not drizzle-kit's unique index.
    pub constraint: bool,
    /// `nulls_not_distinct`: PostgreSQL's `UNIQUE NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
}

pub fn uniques(cx: &Ctxt, attrs: &[syn::Attribute]) -> Vec<UniqueAttr> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("unique")) {
        let mut name = Attr::new(cx, "unique", "name");
        let mut columns = Attr::new(cx, "unique", "columns");
        let mut constraint = Flag::new(cx, "unique", "constraint");
        let mut nulls_not_distinct = Flag::new(cx, "unique", "nulls_not_distinct");
        let res = attr.parse_nested_meta(|meta| {
            let span = meta.path.span_of();
            if meta.path.is_ident("name") {
                // #[unique(name = "memberships_org_role", ..)]
                name.set(span, string(&meta)?);
            } else if meta.path.is_ident("columns") {
                // #[unique(columns(org_id, role))]
                columns.set(span, ident_list(&meta)?);
            } else if meta.path.is_ident("constraint") {
                // #[unique(columns(org_id, role), constraint)]
                constraint.set(span, ());
            } else if meta.path.is_ident("nulls_not_distinct") {
                // #[unique(columns(org_id, email), nulls_not_distinct)]
                nulls_not_distinct.set(span, ());
            } else {
                return Err(unknown(
                    &meta,
                    "unique",
                    "`name`, `columns(..)`, `constraint`, `nulls_not_distinct`",
                ));
            }
            Ok(())
        });
        if !cx.result(res) {
            continue;
        }
        let span = attr.path().span_of();
        match columns.get() {
            Some(c) if !c.value.is_empty() => out.push(UniqueAttr {
                name: name.get(),
                columns: c.value,
                constraint: constraint.get().is_some(),
                nulls_not_distinct: nulls_not_distinct.get().is_some(),
            }),
            _ => cx.error(span, "#[unique(..)] needs `columns(..)` naming at least one field"),
        }
    }
    out
}

pub struct CheckAttr {
    /// `None`: an unnamed `CHECK (..)`.
    pub name: Option<Spanned<String>>,
    pub expr: Spanned<String>,
}

pub fn checks(cx: &Ctxt, attrs: &[syn::Attribute]) -> Vec<CheckAttr> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("check")) {
        let mut name = Attr::new(cx, "check", "name");
        let mut expr = Attr::new(cx, "check", "expr");
        let res = attr.parse_nested_meta(|meta| {
            let span = meta.path.span_of();
            if meta.path.is_ident("name") {
                // #[check(name = "age_nonneg", ..)]
                name.set(span, string(&meta)?);
            } else if meta.path.is_ident("expr") {
                // #[check(.., expr = "age >= 0")]
                expr.set(span, string(&meta)?);
            } else {
                return Err(unknown(&meta, "check", "`name`, `expr`"));
            }
            Ok(())
        });
        if !cx.result(res) {
            continue;
        }
        match expr.get() {
            Some(e) => out.push(CheckAttr {
                name: name.get(),
                expr: e,
            }),
            None => cx.error(
                attr.path().span_of(),
                "#[check(..)] needs `expr = \"..\"` (and, to name it, `name = \"..\"`)",
            ),
        }
    }
    out
}

/// `deferrable` (= `DEFERRABLE INITIALLY IMMEDIATE`, as SQL reads a bare DEFERRABLE), or
/// `deferrable = "deferred"` / `"immediate"`.
fn deferrable_value(meta: &ParseNestedMeta) -> syn::Result<Deferrable> {
    if !meta.input.peek(Token![=]) {
        return Ok(Deferrable::InitiallyImmediate);
    }
    let lit: LitStr = meta.value()?.parse()?;
    match lit.value().to_ascii_lowercase().as_str() {
        "deferred" | "initially deferred" => Ok(Deferrable::InitiallyDeferred),
        "immediate" | "initially immediate" => Ok(Deferrable::InitiallyImmediate),
        other => Err(syn::Error::new(
            lit.span(),
            format!("`deferrable` takes \"deferred\" or \"immediate\", not \"{other}\""),
        )),
    }
}

/// `#[foreign_key(columns(a, b), references = Parent, to(x, y), ..)]`.
pub struct ForeignKeyAttr {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub columns: Vec<Ident>,
    /// The parent struct.
    pub references: syn::Path,
    /// The parent's fields; `None` for its primary key.
    pub to: Option<Vec<Ident>>,
    pub on_delete: Option<Spanned<String>>,
    pub on_update: Option<Spanned<String>>,
    pub deferrable: Deferrable,
}

const FOREIGN_KEY_KEYS: &str = "`name`, `columns(..)`, `references`, `to(..)`, `on_delete`, `on_update`, `deferrable`";

pub fn foreign_keys(cx: &Ctxt, attrs: &[syn::Attribute]) -> Vec<ForeignKeyAttr> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("foreign_key")) {
        let mut name = Attr::new(cx, "foreign_key", "name");
        let mut columns = Attr::new(cx, "foreign_key", "columns");
        let mut references = Attr::new(cx, "foreign_key", "references");
        let mut to = Attr::new(cx, "foreign_key", "to");
        let mut on_delete = Attr::new(cx, "foreign_key", "on_delete");
        let mut on_update = Attr::new(cx, "foreign_key", "on_update");
        let mut deferrable = Attr::new(cx, "foreign_key", "deferrable");
        let res = attr.parse_nested_meta(|meta| {
            let span = meta.path.span_of();
            let p = &meta.path;
            if p.is_ident("name") {
                // #[foreign_key(name = "memberships_org_fk", ..)]
                name.set(span, string(&meta)?);
            } else if p.is_ident("columns") {
                // #[foreign_key(columns(org_id, user_id), ..)]
                columns.set(span, ident_list(&meta)?);
            } else if p.is_ident("references") {
                // #[foreign_key(.., references = Membership, ..)]
                let path: syn::Path = meta.value()?.parse()?;
                references.set(span, path);
            } else if p.is_ident("to") {
                // #[foreign_key(.., to(org_id, user_id))]
                to.set(span, ident_list(&meta)?);
            } else if p.is_ident("on_delete") {
                on_delete.set(span, string(&meta)?);
            } else if p.is_ident("on_update") {
                on_update.set(span, string(&meta)?);
            } else if p.is_ident("deferrable") {
                // #[foreign_key(.., deferrable = "deferred")]
                deferrable.set(span, deferrable_value(&meta)?);
            } else {
                return Err(unknown(&meta, "foreign_key", FOREIGN_KEY_KEYS));
            }
            Ok(())
        });
        if !cx.result(res) {
            continue;
        }
        let span = attr.path().span_of();
        let (Some(cols), Some(target)) = (columns.get(), references.get()) else {
            cx.error(
                span,
                "#[foreign_key(..)] needs `columns(..)` and `references = Struct` (and `to(..)` unless it is the parent's primary key)",
            );
            continue;
        };
        if cols.value.is_empty() {
            cx.error(cols.span, "#[foreign_key(columns())] needs at least one field");
            continue;
        }
        let to = to.get();
        if let Some(t) = &to
            && t.value.len() != cols.value.len()
        {
            cx.error(
                t.span,
                format!(
                    "`to(..)` names {} field(s) for {} column(s); they pair up in order",
                    t.value.len(),
                    cols.value.len()
                ),
            );
            continue;
        }
        out.push(ForeignKeyAttr {
            span,
            name: name.get(),
            columns: cols.value,
            references: target.value,
            to: to.map(|t| t.value),
            on_delete: on_delete.get(),
            on_update: on_update.get(),
            deferrable: deferrable.get().map(|d| d.value).unwrap_or_default(),
        });
    }
    out
}

// ---------------------------------------------------------------------------------------
// #[column(..)]

#[derive(Default)]
pub struct ColumnAttrs {
    pub name: Option<Spanned<String>>,
    pub primary_key: Option<Span>,
    pub autoincrement: Option<Span>,
    pub unique: Option<Span>,
    /// `unique(constraint)`: the column's `UNIQUE` is a constraint in its definition.
    pub unique_constraint: bool,
    pub index: Option<Span>,
    pub default: Option<Spanned<DefaultLit>>,
    pub default_sql: Option<Spanned<String>>,
    pub sql_type: Option<Spanned<String>>,
    pub references: Option<Spanned<syn::Path>>,
    pub deferrable: Option<Spanned<Deferrable>>,
    pub on_delete: Option<Spanned<String>>,
    pub on_update: Option<Spanned<String>>,
    pub check: Option<Spanned<String>>,
    pub collate: Option<Spanned<String>>,
    pub generated: Option<Spanned<String>>,
    pub stored: Option<Span>,
    pub json: Option<Span>,
    /// `#[column(epoch)]` (`false`) or `#[column(epoch = "ms")]` (`true`).
    pub epoch: Option<Spanned<bool>>,
    /// `#[column(identity(..))]`: the identity sequence's options.
    pub identity: Option<Spanned<crate::model::IdentityOptions>>,
    pub renamed_from: Option<Spanned<String>>,
    pub skip: Option<Span>,
}

/// Where a column's attributes were written, as the checks of its whole table need them
/// (kept for every column of a table until those checks run).
#[derive(Clone, Copy)]
pub struct ColumnPlaces {
    pub primary_key: Option<Span>,
    pub autoincrement: Option<Span>,
    /// `generated = ".."`, and whether its expression is blank.
    pub generated: Option<(Span, bool)>,
    /// `default` or else `default_sql`.
    pub default: Option<Span>,
    pub stored: Option<Span>,
    pub sql_type: Option<Span>,
}

impl ColumnAttrs {
    pub fn places(&self) -> ColumnPlaces {
        let at = |s: &Option<Spanned<String>>| s.as_ref().map(|s| s.span);
        ColumnPlaces {
            primary_key: self.primary_key,
            autoincrement: self.autoincrement,
            generated: self.generated.as_ref().map(|g| (g.span, g.value.trim().is_empty())),
            default: self.default.as_ref().map(|d| d.span).or(at(&self.default_sql)),
            stored: self.stored,
            sql_type: at(&self.sql_type),
        }
    }
}

const COLUMN_KEYS: &str = "`name`, `primary_key`, `autoincrement`, `unique`, `index`, `default`, \
`default_sql`, `sql_type`, `references`, `on_delete`, `on_update`, `deferrable`, `check`, `collate`, \
`generated`, `stored`, `json`, `epoch`, `identity(..)`, `renamed_from`, `skip`";

fn default_lit(meta: &ParseNestedMeta) -> syn::Result<DefaultLit> {
    let input = meta.value()?;
    let negative = input.peek(Token![-]);
    if negative {
        input.parse::<Token![-]>()?;
    }
    let lit: syn::Lit = input.parse()?;
    let sign = if negative { "-" } else { "" };
    match lit {
        syn::Lit::Int(i) => {
            let v: i128 = i
                .base10_parse()
                .map_err(|_| syn::Error::new(i.span(), "this integer default is too large for a SQL integer"))?;
            Ok(DefaultLit::Int(if negative { -v } else { v }))
        }
        syn::Lit::Float(f) => Ok(DefaultLit::Float(format!("{sign}{}", f.base10_digits()))),
        syn::Lit::Bool(b) if !negative => Ok(DefaultLit::Bool(b.value)),
        syn::Lit::Str(s) if !negative => Ok(DefaultLit::Str(s.value())),
        other => Err(syn::Error::new(
            other.span(),
            "`default` takes an integer, float, string or bool literal; \
             for an SQL expression use `default_sql = \"..\"`",
        )),
    }
}

/// One `key` or `key = value` of a `#[column(..)]`, read: what it sets.
pub(super) enum ColumnEntry {
    Name(String),
    PrimaryKey,
    Autoincrement,
    /// `unique` (`false`) or `unique(constraint)` (`true`).
    Unique(bool),
    Index,
    Default(DefaultLit),
    DefaultSql(String),
    SqlType(String),
    References(syn::Path),
    Deferrable(Deferrable),
    OnDelete(String),
    OnUpdate(String),
    Check(String),
    Collate(String),
    Generated(String),
    Stored,
    Json,
    /// `epoch` or `epoch = "s"` (`false`), `epoch = "ms"` (`true`).
    Epoch(bool),
    Identity(crate::model::IdentityOptions),
    RenamedFrom(String),
    Skip,
}

/// `#[column(..)]`s, read into one [`ColumnAttrs`]. The common shape (keys, strings, plain
/// numbers, `true`/`false`, a `references` path) is read straight off the attribute's tokens,
/// which are moved out of it rather than copied; an attribute with anything else in it
/// (`unique(..)`, `identity(..)`, an escape, a mistake) is read by syn's parser, which gives
/// every message. The two readers give the same entries: a test holds them to it. A
/// `#[column(..)]` read off its tokens is left without them: the caller is done with the
/// field's attributes once they are read.
pub fn column(cx: &Ctxt, attrs: &mut [syn::Attribute]) -> ColumnAttrs {
    let mut c = ColumnReader::new(cx);
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("column")) {
        if let syn::Meta::List(list) = &mut attr.meta
            && matches!(list.delimiter, syn::MacroDelimiter::Paren(_))
        {
            let trees: Vec<proc_macro2::TokenTree> = std::mem::take(&mut list.tokens).into_iter().collect();
            if let Some(entries) = super::fast_attr::column_entries(&trees) {
                for (span, entry) in entries {
                    c.set(span, entry);
                }
                continue;
            }
            list.tokens = trees.into_iter().collect();
        }
        c.read_by_syn(attr);
    }
    c.finish()
}

/// [`column`] with syn's parser alone: what the tests hold the token reader to.
#[cfg(test)]
pub(super) fn column_by_syn(cx: &Ctxt, attrs: &[syn::Attribute]) -> ColumnAttrs {
    let mut c = ColumnReader::new(cx);
    for attr in attrs.iter().filter(|a| a.path().is_ident("column")) {
        c.read_by_syn(attr);
    }
    c.finish()
}

/// Makes the entry of a key that takes a string.
pub(super) type StringEntry = fn(String) -> ColumnEntry;

/// Makes the entry of a key that stands alone.
pub(super) type FlagEntry = fn() -> ColumnEntry;

/// The `#[column(..)]` keys that take a string (`name = "user_name"`), each with the entry
/// it makes: the one list both readers go by.
pub(super) const STRING_KEYS: [(&str, StringEntry); 9] = [
    // #[column(name = "user_name")]
    ("name", ColumnEntry::Name),
    // #[column(default_sql = "CURRENT_TIMESTAMP")]
    ("default_sql", ColumnEntry::DefaultSql),
    // #[column(sql_type = "numeric")]
    ("sql_type", ColumnEntry::SqlType),
    // #[column(references = User::id, on_delete = "cascade")]
    ("on_delete", ColumnEntry::OnDelete),
    // #[column(references = User::id, on_update = "cascade")]
    ("on_update", ColumnEntry::OnUpdate),
    // #[column(check = "age >= 0")]
    ("check", ColumnEntry::Check),
    // #[column(collate = "NOCASE")]
    ("collate", ColumnEntry::Collate),
    // #[column(generated = "price * qty", stored)]
    ("generated", ColumnEntry::Generated),
    // #[column(renamed_from = "nick")]
    ("renamed_from", ColumnEntry::RenamedFrom),
];

/// The `#[column(..)]` keys that stand alone (`primary_key`), each with its entry. (`unique`,
/// `epoch` and `deferrable` stand alone too, or take a value: each reader has them apart.)
pub(super) const FLAG_KEYS: [(&str, FlagEntry); 6] = [
    // #[column(primary_key)]
    ("primary_key", || ColumnEntry::PrimaryKey),
    // #[column(primary_key, autoincrement)]
    ("autoincrement", || ColumnEntry::Autoincrement),
    // #[column(index)]
    ("index", || ColumnEntry::Index),
    // #[column(generated = "..", stored)]
    ("stored", || ColumnEntry::Stored),
    // #[column(json)]
    ("json", || ColumnEntry::Json),
    // #[column(skip)]
    ("skip", || ColumnEntry::Skip),
];

/// One `#[column(..)]` entry as syn reads it.
pub(super) fn column_entry(meta: &ParseNestedMeta) -> syn::Result<ColumnEntry> {
    use ColumnEntry as E;
    let p = &meta.path;
    if let Some((_, entry)) = STRING_KEYS.iter().find(|(key, _)| p.is_ident(key)) {
        return Ok(entry(string(meta)?));
    }
    if let Some((_, entry)) = FLAG_KEYS.iter().find(|(key, _)| p.is_ident(key)) {
        return Ok(entry());
    }
    Ok(if p.is_ident("unique") {
        // #[column(unique)], #[column(unique(constraint))]
        let mut constraint = false;
        if meta.input.peek(syn::token::Paren) {
            meta.parse_nested_meta(|inner| {
                if inner.path.is_ident("constraint") {
                    constraint = true;
                    Ok(())
                } else {
                    Err(inner.error("#[column(unique(..))] takes `constraint`: `unique(constraint)`"))
                }
            })?;
        }
        E::Unique(constraint)
    } else if p.is_ident("default") {
        // #[column(default = 0)], #[column(default = "member")], #[column(default = false)]
        E::Default(default_lit(meta)?)
    } else if p.is_ident("references") {
        // #[column(references = User::id)]
        E::References(meta.value()?.parse()?)
    } else if p.is_ident("deferrable") {
        // #[column(references = User::id, deferrable)], #[column(.., deferrable = "deferred")]
        E::Deferrable(deferrable_value(meta)?)
    } else if p.is_ident("epoch") {
        // #[column(epoch)], #[column(epoch = "ms")]
        if meta.input.peek(Token![=]) {
            let unit: LitStr = meta.value()?.parse()?;
            match epoch_unit(&unit.value()) {
                Some(millis) => E::Epoch(millis),
                None => {
                    return Err(syn::Error::new(
                        unit.span(),
                        "`epoch` is in seconds (`epoch`, `epoch = \"s\"`) or milliseconds (`epoch = \"ms\"`)",
                    ));
                }
            }
        } else {
            E::Epoch(false)
        }
    } else if p.is_ident("identity") {
        // #[column(primary_key, autoincrement, identity(increment = 2, start_with = 10, cycle))]
        let mut o = crate::model::IdentityOptions::default();
        meta.parse_nested_meta(|inner| {
            let number = signed_int;
            let k = &inner.path;
            if k.is_ident("name") {
                o.name = Some(inner.value()?.parse::<LitStr>()?.value());
            } else if k.is_ident("increment") {
                o.increment = Some(number(&inner)?);
            } else if k.is_ident("min_value") {
                o.min_value = Some(number(&inner)?);
            } else if k.is_ident("max_value") {
                o.max_value = Some(number(&inner)?);
            } else if k.is_ident("start_with") {
                o.start_with = Some(number(&inner)?);
            } else if k.is_ident("cache") {
                o.cache = Some(number(&inner)?);
            } else if k.is_ident("cycle") {
                o.cycle = true;
            } else {
                return Err(inner.error(
                    "unknown key in #[column(identity(..))]; expected `name`, `increment`, `min_value`, `max_value`, `start_with`, `cache` or `cycle`",
                ));
            }
            Ok(())
        })?;
        E::Identity(o)
    } else {
        return Err(unknown(meta, "column", COLUMN_KEYS));
    })
}

/// `epoch = ".."`'s unit: `Some(true)` for milliseconds, `Some(false)` for seconds.
pub(super) fn epoch_unit(unit: &str) -> Option<bool> {
    match unit {
        "s" => Some(false),
        "ms" => Some(true),
        _ => None,
    }
}

/// What the `#[column(..)]`s of one field set, key by key, each at most once.
struct ColumnReader<'c> {
    cx: &'c Ctxt,
    name: Attr<'c, String>,
    primary_key: Flag<'c>,
    autoincrement: Flag<'c>,
    unique: Attr<'c, bool>,
    index: Flag<'c>,
    default: Attr<'c, DefaultLit>,
    default_sql: Attr<'c, String>,
    sql_type: Attr<'c, String>,
    references: Attr<'c, syn::Path>,
    deferrable: Attr<'c, Deferrable>,
    on_delete: Attr<'c, String>,
    on_update: Attr<'c, String>,
    check: Attr<'c, String>,
    collate: Attr<'c, String>,
    generated: Attr<'c, String>,
    stored: Flag<'c>,
    json: Flag<'c>,
    epoch: Attr<'c, bool>,
    identity: Attr<'c, crate::model::IdentityOptions>,
    renamed_from: Attr<'c, String>,
    skip: Flag<'c>,
}

impl<'c> ColumnReader<'c> {
    fn new(cx: &'c Ctxt) -> Self {
        ColumnReader {
            cx,
            name: Attr::new(cx, "column", "name"),
            primary_key: Flag::new(cx, "column", "primary_key"),
            autoincrement: Flag::new(cx, "column", "autoincrement"),
            unique: Attr::new(cx, "column", "unique"),
            index: Flag::new(cx, "column", "index"),
            default: Attr::new(cx, "column", "default"),
            default_sql: Attr::new(cx, "column", "default_sql"),
            sql_type: Attr::new(cx, "column", "sql_type"),
            references: Attr::new(cx, "column", "references"),
            deferrable: Attr::new(cx, "column", "deferrable"),
            on_delete: Attr::new(cx, "column", "on_delete"),
            on_update: Attr::new(cx, "column", "on_update"),
            check: Attr::new(cx, "column", "check"),
            collate: Attr::new(cx, "column", "collate"),
            generated: Attr::new(cx, "column", "generated"),
            stored: Flag::new(cx, "column", "stored"),
            json: Flag::new(cx, "column", "json"),
            epoch: Attr::new(cx, "column", "epoch"),
            identity: Attr::new(cx, "column", "identity"),
            renamed_from: Attr::new(cx, "column", "renamed_from"),
            skip: Flag::new(cx, "column", "skip"),
        }
    }

    /// One `#[column(..)]` as syn reads it; its error, if any, recorded.
    fn read_by_syn(&mut self, attr: &syn::Attribute) {
        let res = attr.parse_nested_meta(|meta| {
            let span = meta.path.span_of();
            self.set(span, column_entry(&meta)?);
            Ok(())
        });
        self.cx.result(res);
    }

    /// Records one entry, written at `span` (its key); a key given twice is an error there.
    fn set(&mut self, span: Span, entry: ColumnEntry) {
        use ColumnEntry as E;
        match entry {
            E::Name(v) => self.name.set(span, v),
            E::PrimaryKey => self.primary_key.set(span, ()),
            E::Autoincrement => self.autoincrement.set(span, ()),
            E::Unique(v) => self.unique.set(span, v),
            E::Index => self.index.set(span, ()),
            E::Default(v) => self.default.set(span, v),
            E::DefaultSql(v) => self.default_sql.set(span, v),
            E::SqlType(v) => self.sql_type.set(span, v),
            E::References(v) => self.references.set(span, v),
            E::Deferrable(v) => self.deferrable.set(span, v),
            E::OnDelete(v) => self.on_delete.set(span, v),
            E::OnUpdate(v) => self.on_update.set(span, v),
            E::Check(v) => self.check.set(span, v),
            E::Collate(v) => self.collate.set(span, v),
            E::Generated(v) => self.generated.set(span, v),
            E::Stored => self.stored.set(span, ()),
            E::Json => self.json.set(span, ()),
            E::Epoch(v) => self.epoch.set(span, v),
            E::Identity(v) => self.identity.set(span, v),
            E::RenamedFrom(v) => self.renamed_from.set(span, v),
            E::Skip => self.skip.set(span, ()),
        }
    }

    fn finish(self) -> ColumnAttrs {
        let flag = |f: Flag| f.get().map(|s| s.span);
        let unique = self.unique.get();
        ColumnAttrs {
            name: self.name.get(),
            primary_key: flag(self.primary_key),
            autoincrement: flag(self.autoincrement),
            unique_constraint: unique.as_ref().is_some_and(|u| u.value),
            unique: unique.map(|u| u.span),
            index: flag(self.index),
            default: self.default.get(),
            default_sql: self.default_sql.get(),
            sql_type: self.sql_type.get(),
            references: self.references.get(),
            deferrable: self.deferrable.get(),
            on_delete: self.on_delete.get(),
            on_update: self.on_update.get(),
            check: self.check.get(),
            collate: self.collate.get(),
            generated: self.generated.get(),
            stored: flag(self.stored),
            json: flag(self.json),
            epoch: self.epoch.get(),
            identity: self.identity.get(),
            renamed_from: self.renamed_from.get(),
            skip: flag(self.skip),
        }
    }
}

/// The span of a path, for errors on an attribute key.
trait SpanOf {
    fn span_of(&self) -> Span;
}

impl SpanOf for syn::Path {
    fn span_of(&self) -> Span {
        syn::spanned::Spanned::span(self)
    }
}
