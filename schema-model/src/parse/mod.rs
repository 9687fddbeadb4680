//! Turns a `#[derive(Table)]` struct into the schema model: the one parser that both the derive
//! macro and the CLI call, so the compiler and `schema generate` can never disagree.

mod attr;
mod check;
mod declared;
mod enums;
mod fast_attr;
mod input;
mod sequences;

use std::cell::RefCell;

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::{Ident, Type};

pub use declared::{Declared, Loc, Origin, ResolveError};
pub use enums::{EnumColumn, ParsedEnum, derives_sql_enum, from_tokens as enum_from_tokens};
pub use input::{FieldInput, SourceError, TableInput, declare_piece, from_source, pieces};
pub use sequences::{ParsedSequence, derives_sql_sequence, from_tokens as sequence_from_tokens};

use crate::model::{self, Column, Index, IndexTarget, Schema, Table};

/// Collects every error found in one struct, so they are all reported together.
#[derive(Default)]
pub struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
}

impl Ctxt {
    pub fn error(&self, span: Span, msg: impl std::fmt::Display) {
        self.errors.borrow_mut().push(syn::Error::new(span, msg));
    }

    /// Records the error of `res`, if any; returns whether it was `Ok`.
    pub fn result(&self, res: syn::Result<()>) -> bool {
        match res {
            Ok(()) => true,
            Err(e) => {
                self.errors.borrow_mut().push(e);
                false
            }
        }
    }

    fn finish(self) -> Result<(), syn::Error> {
        let mut errors = self.errors.into_inner().into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                first.extend(errors);
                Err(first)
            }
        }
    }
}

/// One field of a table struct, as the derive needs it to write row code.
#[derive(Clone)]
pub struct ParsedField {
    pub ident: Ident,
    pub ty: Type,
    /// `None` for `#[column(skip)]`: not a column, filled with `Default::default()` on read.
    pub column: Option<FieldColumn>,
}

#[derive(Clone)]
pub struct FieldColumn {
    /// The column's SQL name.
    pub name: String,
    pub json: bool,
    /// `#[column(epoch)]`: stored as Unix seconds (`Some(false)`) or milliseconds (`Some(true)`)
    /// on SQLite.
    pub epoch: Option<bool>,
    pub generated: bool,
    pub autoincrement: bool,
    /// Part of the primary key (single or composite).
    pub key: bool,
}

/// A foreign key before its parent is known to be a table: `#[column(references = ..)]` or
/// `#[foreign_key(..)]`.
#[derive(Clone)]
pub struct Reference {
    /// The SQL name and the Rust type of each referencing column, in order (the types are
    /// checked against the parent's).
    pub columns: Vec<(String, Type)>,
    /// The parent struct as written (`User`, `crate::db::User`): the derive hands it to the
    /// compiler, the CLI looks it up.
    pub target: syn::Path,
    /// The parent's fields, paired with `columns`; `None` for the parent's primary key, which
    /// SQL writes `REFERENCES parent` without columns.
    pub to: Option<Vec<Ident>>,
    pub on_delete: model::FkAction,
    pub on_update: model::FkAction,
    pub deferrable: model::Deferrable,
    /// `#[foreign_key(name = "..")]`; otherwise drizzle-kit's default name.
    pub name: Option<String>,
    /// Where it was written, for errors about it.
    pub span: Span,
}

impl Reference {
    /// The struct the target path names (`crate::db::User` → `User`).
    pub fn target_struct(&self) -> Option<&Ident> {
        self.target.segments.last().map(|s| &s.ident)
    }
}

/// A parsed table struct: the model (foreign keys still unresolved) plus what code needs.
#[derive(Clone)]
pub struct ParsedTable {
    pub ident: Ident,
    /// The table, complete but for `foreign_keys`, which [`resolve`] or the derive fills in.
    pub table: Table,
    pub fields: Vec<ParsedField>,
    pub references: Vec<Reference>,
    /// The derived insert struct: `New<Struct>`, or `#[table(new_struct = "..")]`.
    pub new_ident: Ident,
    /// `#[table(new_derive(..))]`: the derives the insert struct gets.
    pub new_derives: Vec<syn::Path>,
    /// The columns whose type is an enum not found yet (their model type a placeholder):
    /// [`resolve`] or the derive fills them in.
    pub enum_columns: Vec<EnumColumn>,
    /// Where the struct is, for errors about it.
    pub span: Span,
}

/// What a schema file declares: its tables and its enums, in source order.
#[derive(Clone, Default)]
pub struct Parsed {
    pub tables: Vec<ParsedTable>,
    pub enums: Vec<ParsedEnum>,
    pub sequences: Vec<ParsedSequence>,
}

impl Parsed {
    /// Another file's items after this one's.
    pub fn extend(&mut self, other: Parsed) {
        self.tables.extend(other.tables);
        self.enums.extend(other.enums);
        self.sequences.extend(other.sequences);
    }
}

/// Parses one `#[derive(Table)]` item from its tokens, as the derive receives them: a syntax
/// error is syn's, then every problem of the table at once.
pub fn from_tokens(tokens: proc_macro2::TokenStream) -> Result<ParsedTable, syn::Error> {
    from_input(TableInput::parse(tokens)?)
}

/// [`from_tokens`] for an item syn has parsed already.
pub fn from_ast(input: &syn::DeriveInput) -> Result<ParsedTable, syn::Error> {
    from_tokens(quote::ToTokens::to_token_stream(input))
}

/// Parses one `#[derive(Table)]` item, reporting every problem at once. Its fields' names
/// and types are moved into the table's, not copied.
pub fn from_input(mut input: TableInput) -> Result<ParsedTable, syn::Error> {
    let cx = Ctxt::default();
    let parsed = parse_table(&cx, &mut input);
    cx.finish()?;
    // `parse_table` returns `None` only after recording an error.
    parsed.ok_or_else(|| syn::Error::new(input.ident.span(), "could not read this table"))
}

fn parse_table(cx: &Ctxt, input: &mut TableInput) -> Option<ParsedTable> {
    let Some(fields) = input.fields.take() else {
        cx.error(
            input.ident.span(),
            "#[derive(Table)] needs a struct with named fields, one per column",
        );
        return None;
    };
    if let Some(span) = input.generics {
        cx.error(span, "a table struct cannot have generic parameters");
    }
    let tattrs = attr::table(cx, &input.attrs);
    let table_name = tattrs
        .name
        .as_ref()
        .map(|n| n.value.clone())
        .unwrap_or_else(|| model::snake_case(&unraw_string(&input.ident)));
    if let Some(n) = &tattrs.name {
        check::name(cx, n, "table");
    }
    check::table_name(
        cx,
        &table_name,
        tattrs.name.as_ref().map_or(input.ident.span(), |n| n.span),
    );
    // Room for every field up front: a parsed field (its syn type) is large, and growing the
    // vectors one push at a time copied them over and over.
    let mut b = Builder {
        cx,
        input,
        table: Table::new(table_name),
        fields: Vec::with_capacity(fields.len()),
        references: Vec::new(),
        column_attrs: Vec::with_capacity(fields.len()),
        enum_columns: Vec::new(),
    };
    b.table.columns.reserve(fields.len());
    b.table.options.sqlite.strict = tattrs.strict.is_some();
    b.table.options.sqlite.without_rowid = tattrs.without_rowid.is_some();
    b.table.renamed_from = tattrs.renamed_from.as_ref().map(|r| r.value.clone());
    if let Some(s) = &tattrs.schema {
        check::name(cx, s, "schema");
        let lower = s.value.to_ascii_lowercase();
        if lower.starts_with("pg_") || lower == "information_schema" {
            cx.error(s.span, format!("the schema `{}` belongs to PostgreSQL itself", s.value));
        }
        // `public` is where a table without a schema lives: the same table.
        if s.value != "public" {
            b.table.options.postgres.schema = Some(s.value.clone());
        }
    }

    // A field whose type could not be read is already an error; the table is not "empty".
    let mut unreadable_fields = false;
    for field in fields {
        unreadable_fields |= !b.field(field);
    }
    if b.table.columns.is_empty() {
        if !unreadable_fields {
            cx.error(
                input.ident.span(),
                format!(
                    "table `{}` has no columns: a table needs at least one field that is not #[column(skip)]",
                    b.table.name
                ),
            );
        }
        return None;
    }
    b.primary_key(&tattrs);
    b.indexes();
    b.uniques_and_checks();
    b.foreign_keys();
    check::table(cx, input, &tattrs, &b.table, &b.column_attrs);

    let new_ident = match &tattrs.new_struct {
        Some(n) => match syn::parse_str::<Ident>(&n.value) {
            Ok(id) => Ident::new(&id.to_string(), n.span),
            Err(_) => {
                cx.error(
                    n.span,
                    format!("#[table(new_struct = {:?})]: not a Rust identifier; name the insert struct, e.g. `new_struct = \"CreateUser\"`", n.value),
                );
                return None;
            }
        },
        None => quote::format_ident!("New{}", input.ident.unraw()),
    };
    Some(ParsedTable {
        ident: input.ident.clone(),
        table: b.table,
        fields: b.fields,
        references: b.references,
        new_ident,
        new_derives: tattrs.new_derive.map(|d| d.value).unwrap_or_default(),
        enum_columns: b.enum_columns,
        span: input.ident.span(),
    })
}

/// A table being read from its struct, field by field, then its struct attributes.
struct Builder<'a> {
    cx: &'a Ctxt,
    input: &'a TableInput,
    table: Table,
    fields: Vec<ParsedField>,
    references: Vec<Reference>,
    /// Where each column's attributes were written, in `table.columns` order.
    column_attrs: Vec<attr::ColumnPlaces>,
    enum_columns: Vec<EnumColumn>,
}

impl Builder<'_> {
    /// Reads one field into a column (or a skipped field). `false` when its type could not be
    /// read (already an error).
    fn field(&mut self, field: FieldInput) -> bool {
        let cx = self.cx;
        let FieldInput {
            mut attrs,
            ident,
            ty: field_ty,
        } = field;
        // The compiler refuses a name given twice; the CLI, which does not compile the file,
        // says so too rather than pick one of the two.
        if self.fields.iter().any(|f| f.ident == ident) {
            cx.error(
                ident.span(),
                format!("the field `{ident}` is declared twice; each field of a struct needs its own name"),
            );
        }
        let cattrs = attr::column(cx, &mut attrs);
        if let Some(skip) = cattrs.skip {
            check::skip_alone(cx, skip, &cattrs);
            self.fields.push(ParsedField {
                ident,
                ty: field_ty,
                column: None,
            });
            return true;
        }
        let name = cattrs
            .name
            .as_ref()
            .map(|n| n.value.clone())
            .unwrap_or_else(|| unraw_string(&ident));
        if let Some(n) = &cattrs.name {
            check::name(cx, n, "column");
        }
        let Some((ty, nullable)) = check::column_type(cx, &field_ty, &cattrs) else {
            return false;
        };
        let table_name = &self.table.name;
        if let Some(e) = ty.enum_type()
            && e.values.is_empty()
            && let Some((path, array)) = check::enum_path(&field_ty)
        {
            self.enum_columns.push(EnumColumn {
                column: self.table.columns.len(),
                path: path.clone(),
                array,
                span: syn::spanned::Spanned::span(&field_ty),
                default: match &cattrs.default {
                    Some(attr::Spanned {
                        value: attr::DefaultLit::Str(s),
                        span,
                    }) => Some(attr::Spanned {
                        value: s.clone(),
                        span: *span,
                    }),
                    _ => None,
                },
            });
        }
        let mut col = Column::new(name.clone(), ty);
        // An `Option` key is a key that SQLite lets hold NULL, as it does for any key but an
        // INTEGER PRIMARY KEY (which is the rowid) in a table with a rowid.
        col.not_null = !nullable;
        col.primary_key = cattrs.primary_key.is_some();
        col.autoincrement = cattrs.autoincrement.is_some();
        if let Some(id) = &cattrs.identity {
            if cattrs.autoincrement.is_none() {
                cx.error(
                    id.span,
                    "#[column(identity(..))] sets the options of an identity column: add `autoincrement` (`#[column(primary_key, autoincrement, identity(..))]`)",
                );
            }
            if id.value.increment == Some(0) {
                cx.error(id.span, "an identity's `increment` cannot be 0");
            }
            if let Some(n) = &id.value.name {
                check::name(
                    cx,
                    &attr::Spanned {
                        value: n.clone(),
                        span: id.span,
                    },
                    "sequence",
                );
            }
            col.identity = Some(Box::new(id.value.clone()));
        }
        col.unique = cattrs.unique.is_some() && !cattrs.unique_constraint;
        if cattrs.unique_constraint {
            let cols = vec![name.clone()];
            self.table.uniques.push(model::Unique {
                name: model::names::unique(table_name, &cols),
                columns: cols,
                kind: model::UniqueKind::Inline,
                nulls_not_distinct: false,
            });
        }
        col.collate = cattrs.collate.as_ref().map(|c| c.value.clone());
        col.renamed_from = cattrs.renamed_from.as_ref().map(|r| r.value.clone());
        col.default = check::default_value(cx, &col, &cattrs);
        check::column_sql(cx, &cattrs);
        col.generated = cattrs.generated.as_ref().map(|g| model::Generated {
            expr: g.value.clone(),
            stored: cattrs.stored.is_some(),
        });
        if let Some(c) = &cattrs.check {
            self.table.checks.push(model::Check {
                name: model::names::column_check(table_name, &name),
                expr: c.value.clone(),
                named: true,
            });
        }
        if cattrs.index.is_some() {
            let cols = vec![name.clone()];
            self.table.indexes.push(Index {
                name: model::names::index(table_name, &cols),
                target: IndexTarget::Columns(cols),
                unique: false,
                where_clause: None,
                options: Default::default(),
            });
        }
        if let Some(r) = &cattrs.references {
            if let Some(reference) = check::reference(cx, &name, &field_ty, r, &cattrs) {
                self.references.push(reference);
            }
        } else {
            check::actions_need_reference(cx, &cattrs);
        }
        // SQLite compares names without case: `Name` and `name` are one column.
        if let Some(other) = self
            .table
            .columns
            .iter()
            .map(|c| &c.name)
            .find(|n| n.eq_ignore_ascii_case(&name))
        {
            let message = if *other == name {
                format!("two fields map to the column `{name}`; give one of them #[column(name = \"..\")]")
            } else {
                format!(
                    "the columns `{other}` and `{name}` differ only in case, and SQL compares names without case; rename one"
                )
            };
            cx.error(cattrs.name.as_ref().map_or(ident.span(), |n| n.span), message);
        }
        self.fields.push(ParsedField {
            ident,
            ty: field_ty,
            column: Some(FieldColumn {
                name,
                // `serde_json::Value` is a JSON column without saying so.
                json: cattrs.json.is_some() || matches!(col.ty, model::LogicalType::Json),
                epoch: cattrs.epoch.as_ref().map(|e| e.value),
                generated: cattrs.generated.is_some(),
                autoincrement: cattrs.autoincrement.is_some(),
                key: cattrs.primary_key.is_some(),
            }),
        });
        self.table.columns.push(col);
        self.column_attrs.push(cattrs.places());
        true
    }

    /// The fields read so far named `ident`, `r#type` and `type` alike, in order: its name
    /// and its raw form are written once, and each field compared with them without copies.
    fn fields_named<'f>(&'f self, ident: &Ident) -> impl Iterator<Item = &'f ParsedField> + use<'f> {
        let name = unraw_string(ident);
        let raw = format!("r#{name}");
        self.fields.iter().filter(move |f| f.ident == name || f.ident == raw)
    }

    /// Field names in `columns(..)` / `primary_key(..)` → column names, each checked to exist.
    fn columns_of(&self, idents: &[Ident], what: &str) -> Option<Vec<String>> {
        let cols: Vec<Option<String>> = idents
            .iter()
            .map(|ident| {
                let found = self
                    .fields_named(ident)
                    .find_map(|f| f.column.as_ref())
                    .map(|c| c.name.clone());
                if found.is_none() {
                    self.cx.error(
                        ident.span(),
                        format!(
                            "{what} names `{ident}`, which is not a column of `{}`",
                            self.input.ident
                        ),
                    );
                }
                found
            })
            .collect();
        cols.into_iter().collect()
    }

    /// `#[table(primary_key(a, b))]`: its columns become the row key (NOT NULL unless `Option`).
    fn primary_key(&mut self, tattrs: &attr::TableAttrs) {
        let Some(pk) = &tattrs.primary_key else { return };
        let Some(cols) = self.columns_of(&pk.value, "#[table(primary_key(..))]") else {
            return;
        };
        if cols.is_empty() {
            self.cx
                .error(pk.span, "#[table(primary_key())] needs at least one field");
        }
        for f in &mut self.fields {
            if let Some(fc) = &mut f.column {
                fc.key |= cols.contains(&fc.name);
            }
        }
        self.table.primary_key = Some(model::PrimaryKey {
            name: model::names::primary_key(&self.table.name, &cols),
            columns: cols,
        });
    }

    /// `#[index(..)]`s, after the `#[column(index)]` ones.
    fn indexes(&mut self) {
        for ix in attr::indexes(self.cx, &self.input.attrs) {
            let target = match ix.on {
                attr::IndexOn::Columns(idents) => match self.columns_of(&idents, "#[index(columns(..))]") {
                    Some(cols) => IndexTarget::Columns(cols),
                    None => continue,
                },
                attr::IndexOn::Expr(e) => {
                    check::sql(self.cx, &e, check::SqlKind::IndexList);
                    IndexTarget::Expr(e.value)
                }
            };
            if let Some(w) = &ix.where_clause {
                check::sql(self.cx, w, check::SqlKind::Expr("where"));
            }
            if let Some(n) = &ix.name {
                check::name(self.cx, n, "index");
            }
            let name = match (&ix.name, &target) {
                (Some(n), _) => n.value.clone(),
                (None, IndexTarget::Columns(cols)) => model::names::index(&self.table.name, cols),
                (None, IndexTarget::Expr(_)) => {
                    self.cx.error(
                        ix.span,
                        "an index on an expression needs a name: #[index(name = \"..\", expr = \"..\")]",
                    );
                    continue;
                }
            };
            if let Some(u) = &ix.using {
                let m = u.value.trim();
                let plain = m.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !plain {
                    self.cx.error(
                        u.span,
                        format!("#[index(using = {:?})]: an index method is a plain name (`btree`, `gin`, `gist`, `brin`, `hash`)", u.value),
                    );
                }
            }
            // btree is the default: the same index whether it is said or not.
            let method = ix
                .using
                .map(|u| u.value.trim().to_ascii_lowercase())
                .filter(|m| m != "btree");
            self.table.indexes.push(Index {
                name,
                target,
                unique: ix.unique,
                where_clause: ix.where_clause.map(|w| w.value),
                options: model::IndexOptions {
                    method,
                    concurrently: ix.concurrently,
                    columns: ix.column_options,
                    with: ix.with.map(|w| w.value).unwrap_or_default(),
                }
                .trimmed(),
            });
        }
    }

    /// `#[unique(..)]`s and `#[check(..)]`s, after the column ones.
    fn uniques_and_checks(&mut self) {
        for u in attr::uniques(self.cx, &self.input.attrs) {
            if let Some(cols) = self.columns_of(&u.columns, "#[unique(columns(..))]") {
                if let Some(n) = &u.name {
                    check::name(self.cx, n, "unique constraint");
                }
                let kind = match (u.constraint, &u.name) {
                    (false, _) => model::UniqueKind::Index,
                    (true, named) => model::UniqueKind::Constraint { named: named.is_some() },
                };
                let name = u
                    .name
                    .map(|n| n.value)
                    .unwrap_or_else(|| model::names::unique(&self.table.name, &cols));
                self.table.uniques.push(model::Unique {
                    name,
                    columns: cols,
                    kind,
                    nulls_not_distinct: u.nulls_not_distinct,
                });
            }
        }
        let mut unnamed = 0;
        for c in attr::checks(self.cx, &self.input.attrs) {
            check::sql(self.cx, &c.expr, check::SqlKind::Expr("expr"));
            let (name, named) = match c.name {
                Some(n) => {
                    check::name(self.cx, &n, "check");
                    (n.value, true)
                }
                None => {
                    unnamed += 1;
                    (model::names::check(&self.table.name, unnamed), false)
                }
            };
            self.table.checks.push(model::Check {
                name,
                expr: c.expr.value,
                named,
            });
        }
    }

    /// `#[foreign_key(..)]`s, after the column references.
    fn foreign_keys(&mut self) {
        for fk in attr::foreign_keys(self.cx, &self.input.attrs) {
            let Some(cols) = self.columns_of(&fk.columns, "#[foreign_key(columns(..))]") else {
                continue;
            };
            let typed: Vec<(String, Type)> = fk
                .columns
                .iter()
                .zip(cols)
                .map(|(ident, col)| {
                    let ty = self
                        .fields_named(ident)
                        .next()
                        .map(|f| f.ty.clone())
                        .unwrap_or_else(|| syn::parse_quote!(()));
                    (col, ty)
                })
                .collect();
            if let Some(r) = check::foreign_key(self.cx, fk, typed) {
                self.references.push(r);
            }
        }
    }
}

/// Whether an attribute list derives `Table` (`#[derive(Table)]`, `#[derive(schema_core::Table)]`).
pub fn derives_table(attrs: &[syn::Attribute]) -> bool {
    derives(attrs, "Table")
}

/// Whether `#[derive(..)]` lists `name` (by its last path segment).
fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        let mut found = false;
        // A derive list that does not parse is the compiler's to report; it is just not ours.
        let _ = a.parse_nested_meta(|meta| {
            if meta.path.segments.last().is_some_and(|s| s.ident == name) {
                found = true;
            }
            Ok(())
        });
        found
    })
}

/// Every `#[derive(Table)]` struct and `#[derive(SqlEnum)]` enum in a file, inline modules
/// included, in source order. Each item is parsed on its own; the errors of all of them are
/// returned together.
pub fn from_file(file: &syn::File) -> Result<Parsed, syn::Error> {
    let mut parsed = Parsed::default();
    let mut errors: Option<syn::Error> = None;
    collect_items(&file.items, &mut parsed, &mut errors);
    match errors {
        Some(e) => Err(e),
        None => Ok(parsed),
    }
}

fn collect_items(items: &[syn::Item], out: &mut Parsed, errors: &mut Option<syn::Error>) {
    let mut error = |e: syn::Error| match errors {
        Some(all) => all.combine(e),
        None => *errors = Some(e),
    };
    for item in items {
        match item {
            // Read from its tokens, by the parser the derive and `from_source` run.
            syn::Item::Struct(s) if derives_table(&s.attrs) => match from_tokens(quote::ToTokens::to_token_stream(s)) {
                Ok(t) => out.tables.push(t),
                Err(e) => error(e),
            },
            syn::Item::Enum(e) if derives_table(&e.attrs) => error(syn::Error::new(
                e.ident.span(),
                "#[derive(Table)] needs a struct with named fields, one per column",
            )),
            syn::Item::Enum(e) if derives_sql_enum(&e.attrs) => {
                match enum_from_tokens(quote::ToTokens::to_token_stream(e)) {
                    Ok(parsed) => out.enums.push(parsed),
                    Err(e) => error(e),
                }
            }
            syn::Item::Struct(s) if derives_sql_sequence(&s.attrs) => {
                match sequence_from_tokens(quote::ToTokens::to_token_stream(s)) {
                    Ok(parsed) => out.sequences.push(parsed),
                    Err(e) => error(e),
                }
            }
            syn::Item::Struct(s) if derives_sql_enum(&s.attrs) => error(syn::Error::new(
                s.ident.span(),
                "#[derive(SqlEnum)] needs an enum whose variants have no fields, one per value",
            )),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let mut inner_errors = None;
                    collect_items(inner, out, &mut inner_errors);
                    if let Some(e) = inner_errors {
                        error(e);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Resolves every `references = Struct::field` among the parsed tables and every enum a
/// column names, as the compiler does for the derive, and returns the finished schema. Each
/// error carries its place (lines counted from the start of the text `parsed` was read from).
pub fn resolve(parsed: &Parsed) -> Result<Schema, Vec<ResolveError>> {
    Declared::from_parsed(parsed.clone(), 0).resolve()
}

/// An identifier's name without its `r#`, as `unraw` gives it, in one allocation.
fn unraw_string(ident: &Ident) -> String {
    let mut name = ident.to_string();
    if name.starts_with("r#") {
        name.drain(..2);
    }
    name
}

/// A type as the user wrote it, without token spacing: `Option<i64>`.
pub fn type_string(ty: &Type) -> String {
    quote::ToTokens::to_token_stream(ty).to_string().replace(' ', "")
}

#[doc(hidden)]
pub use check::logical_type_of;
pub use check::strip_option;

#[cfg(test)]
mod tests {
    use super::from_tokens;

    #[test]
    fn attribute_lists_name_fields_raw_or_not() {
        // `type` is only a field as `r#type`; `kind` is the same field written `r#kind`.
        let t = from_tokens(quote::quote! {
            #[table(name = "things", primary_key(r#type, kind))]
            #[index(columns(kind, r#type))]
            #[foreign_key(columns(r#kind), references = Other)]
            pub struct Thing {
                pub r#type: String,
                #[column(name = "k")]
                pub r#kind: i64,
                #[column(skip)]
                pub note: String,
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let key = t.table.primary_key.as_ref().unwrap();
        assert_eq!(key.columns, ["type", "k"]);
        assert_eq!(
            t.table.indexes[0].target,
            crate::model::IndexTarget::Columns(vec!["k".into(), "type".into()])
        );
        assert_eq!(t.references[0].columns[0].0, "k");
        assert_eq!(super::type_string(&t.references[0].columns[0].1), "i64");

        // A skipped field is no column to name.
        let e = from_tokens(quote::quote! {
            #[index(columns(note))]
            pub struct Thing {
                pub id: i64,
                #[column(skip)]
                pub note: String,
            }
        })
        .err()
        .unwrap();
        assert!(
            e.to_string().contains("names `note`, which is not a column of `Thing`"),
            "{e}"
        );
    }
}
