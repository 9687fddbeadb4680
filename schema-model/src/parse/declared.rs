//! What resolving needs of the parsed items, without their syntax trees: names as text, places
//! as lines and columns, types as the text and the key references compare. Plain data (`Send`),
//! and a fraction of the memory of the trees it is read from: the CLI keeps this of every table
//! of a large schema, not the trees, and can read the pieces of a file on threads of their own.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use proc_macro2::Span;
use syn::Type;

use super::{Parsed, ParsedEnum, ParsedSequence, ParsedTable, check, type_string};
use crate::model::{self, EnumType, ForeignKey, Schema, Sequence, Table};

/// Where something is in its file: the line (from 1) and the column (from 0, in characters),
/// as proc-macro2 counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loc {
    pub line: usize,
    pub column: usize,
}

impl Loc {
    /// Where `span` starts, in a text read after `lines_before` lines of its file.
    fn of(span: Span, lines_before: usize) -> Loc {
        let start = span.start();
        Loc {
            line: start.line + lines_before,
            column: start.column,
        }
    }
}

/// A name as written (`r#type` stays raw, for messages), and where.
#[derive(Debug, Clone)]
pub struct Name {
    pub shown: String,
    pub at: Loc,
}

impl Name {
    fn of(ident: &syn::Ident, lines_before: usize) -> Name {
        Name {
            shown: ident.to_string(),
            at: Loc::of(ident.span(), lines_before),
        }
    }

    /// The name as looked up: `type` for `r#type`, as syn's `unraw` has it.
    pub fn key(&self) -> &str {
        unraw(&self.shown)
    }
}

/// An identifier as written, without its `r#`.
fn unraw(shown: &str) -> &str {
    shown.strip_prefix("r#").unwrap_or(shown)
}

/// A field's Rust type, as a reference compares it and an error shows it.
#[derive(Debug, Clone)]
pub struct TypeDecl {
    /// The type as [`type_string`] writes it: `Option<i64>`.
    pub text: String,
    /// What a reference compares: `None` when the type (inside its
    /// `Option`) is not one the parser maps, which agrees with anything; otherwise the last
    /// segment of its path (`None` for a type that is no path).
    agree: Option<Option<String>>,
}

impl TypeDecl {
    fn of(ty: &Type) -> TypeDecl {
        TypeDecl::with_text(ty, type_text(ty))
    }

    /// [`TypeDecl::of`], given `ty`'s [`type_text`].
    fn with_text(ty: &Type, text: String) -> TypeDecl {
        let inner = check::strip_option(ty).unwrap_or(ty);
        let agree = check::logical_type_of(inner).map(|_| match inner {
            Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        });
        TypeDecl { text, agree }
    }

    /// Whether a column of this type can reference one of `to`'s.
    fn agrees_with(&self, to: &TypeDecl) -> bool {
        match (&self.agree, &to.agree) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// [`type_string`] of the common shapes (paths whose arguments are types), written directly:
/// `quote` would build and print a token stream for every field of the schema.
fn type_text(ty: &Type) -> String {
    let mut out = String::new();
    write_type_text(ty, &mut out);
    out
}

/// [`type_text`] into `out` (emptied first): a buffer used again allocates nothing for the
/// common shapes.
fn write_type_text(ty: &Type, out: &mut String) {
    fn path(ty: &Type, out: &mut String) -> Option<()> {
        let Type::Path(p) = ty else { return None };
        if p.qself.is_some() {
            return None;
        }
        if p.path.leading_colon.is_some() {
            out.push_str("::");
        }
        for (i, segment) in p.path.segments.iter().enumerate() {
            if i > 0 {
                out.push_str("::");
            }
            write!(out, "{}", segment.ident).ok()?;
            match &segment.arguments {
                syn::PathArguments::None => {}
                syn::PathArguments::AngleBracketed(a) => {
                    if a.colon2_token.is_some() {
                        out.push_str("::");
                    }
                    out.push('<');
                    for (j, arg) in a.args.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        let syn::GenericArgument::Type(t) = arg else {
                            return None;
                        };
                        path(t, out)?;
                    }
                    if a.args.trailing_punct() {
                        out.push(',');
                    }
                    out.push('>');
                }
                syn::PathArguments::Parenthesized(_) => return None,
            }
        }
        Some(())
    }
    out.clear();
    if path(ty, out).is_none() {
        *out = type_string(ty);
    }
}

/// The types of a text's fields, each kept once by its text (most fields share a few types).
#[derive(Default)]
struct Types {
    by_text: HashMap<String, Arc<TypeDecl>>,
    /// The text of the type looked up last.
    scratch: String,
}

impl Types {
    /// `ty`'s declaration: the one kept for its text, or a new one.
    fn of(&mut self, ty: &Type) -> Arc<TypeDecl> {
        write_type_text(ty, &mut self.scratch);
        if let Some(known) = self.by_text.get(self.scratch.as_str()) {
            return known.clone();
        }
        let decl = Arc::new(TypeDecl::with_text(ty, self.scratch.clone()));
        self.by_text.insert(self.scratch.clone(), decl.clone());
        decl
    }
}

/// A table struct: its model (foreign keys still to resolve) and what resolving reads.
#[derive(Debug, Clone)]
pub struct TableDecl {
    pub ident: Name,
    pub table: Table,
    pub fields: Vec<FieldDecl>,
    pub references: Vec<ReferenceDecl>,
    pub enum_columns: Vec<EnumColumnDecl>,
}

/// A field: kept for every field of the schema, so it is small (its type shared with every
/// field of the same type).
#[derive(Debug, Clone)]
pub struct FieldDecl {
    /// The field's name as written, where that is not its column's name (a column named
    /// otherwise, a raw identifier, a skipped field); `None` for most fields, whose name is
    /// not kept twice.
    written: Option<String>,
    /// Its column's index in the table; `None` for `#[column(skip)]`.
    pub column: Option<usize>,
    pub ty: Arc<TypeDecl>,
}

impl FieldDecl {
    /// The field's name as written; `table` is its table's model.
    pub fn ident<'a>(&'a self, table: &'a Table) -> &'a str {
        match (&self.written, self.column) {
            (Some(written), _) => written,
            (None, Some(c)) => &table.columns[c].name,
            (None, None) => "",
        }
    }

    fn key<'a>(&'a self, table: &'a Table) -> &'a str {
        unraw(self.ident(table))
    }
}

/// A `references = ..` or `#[foreign_key(..)]`, its parent named but not yet found.
#[derive(Debug, Clone)]
pub struct ReferenceDecl {
    /// Each referencing column's name and type.
    pub columns: Vec<(String, TypeDecl)>,
    /// The parent struct (the path's last segment); `None` for a path without one.
    pub target: Option<Name>,
    /// The parent's fields, or `None` for its primary key.
    pub to: Option<Vec<Name>>,
    pub on_delete: model::FkAction,
    pub on_update: model::FkAction,
    pub deferrable: model::Deferrable,
    pub name: Option<String>,
    pub at: Loc,
}

/// A column whose type is an enum not found yet.
#[derive(Debug, Clone)]
pub struct EnumColumnDecl {
    pub column: usize,
    /// The enum's name: the type path's last segment.
    pub last: Option<Name>,
    /// The field's type as an error shows it (`Vec<Mood>` for an array).
    pub shown: String,
    pub array: bool,
    pub at: Loc,
    /// `default = ".."` and where it is.
    pub default: Option<(String, Loc)>,
}

#[derive(Debug, Clone)]
pub struct EnumDecl {
    pub ident: Name,
    pub ty: EnumType,
}

#[derive(Debug, Clone)]
pub struct SequenceDecl {
    pub ident: Name,
    pub sequence: Sequence,
}

/// The items of the schema files, in source order, ready to resolve.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    pub tables: Vec<TableDecl>,
    pub enums: Vec<EnumDecl>,
    pub sequences: Vec<SequenceDecl>,
}

/// An error found while resolving references and enum types: the item it concerns (so the
/// CLI can name the file it is in), where in that file, and what.
#[derive(Debug, Clone)]
pub struct ResolveError {
    pub at: Origin,
    pub loc: Loc,
    pub message: String,
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Which item of a [`Declared`] an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `tables[i]`.
    Table(usize),
    /// `enums[i]`.
    Enum(usize),
    /// `sequences[i]`.
    Sequence(usize),
}

impl Declared {
    /// What resolving needs of `parsed`, read from a text that came after `lines_before`
    /// lines of its file (0 for a whole file). The syntax trees are dropped as each item is
    /// read.
    pub fn from_parsed(parsed: Parsed, lines_before: usize) -> Declared {
        let mut types = Types::default();
        Declared {
            tables: parsed
                .tables
                .into_iter()
                .map(|t| TableDecl::from_parsed(t, lines_before, &mut types))
                .collect(),
            enums: parsed
                .enums
                .into_iter()
                .map(|e| EnumDecl::from_parsed(e, lines_before))
                .collect(),
            sequences: parsed
                .sequences
                .into_iter()
                .map(|q| SequenceDecl::from_parsed(q, lines_before))
                .collect(),
        }
    }

    /// Another text's items after these.
    pub fn extend(&mut self, other: Declared) {
        self.tables.extend(other.tables);
        self.enums.extend(other.enums);
        self.sequences.extend(other.sequences);
    }
}

impl TableDecl {
    /// `types`: the types read so far, by their text, each kept once.
    fn from_parsed(p: ParsedTable, lines_before: usize, types: &mut Types) -> TableDecl {
        let name = |i: &syn::Ident| Name::of(i, lines_before);
        let mut columns = 0;
        TableDecl {
            ident: Name {
                at: Loc::of(p.span, lines_before),
                ..name(&p.ident)
            },
            fields: p
                .fields
                .iter()
                .map(|f| {
                    // The table has a column for each field that is not skipped, in order;
                    // looked up by name should that ever not be so.
                    let column = f.column.as_ref().and_then(|c| {
                        let at = columns;
                        columns += 1;
                        match p.table.columns.get(at) {
                            Some(col) if col.name == c.name => Some(at),
                            _ => p.table.columns.iter().position(|col| col.name == c.name),
                        }
                    });
                    FieldDecl {
                        written: match column {
                            Some(c) if f.ident == p.table.columns[c].name => None,
                            _ => Some(f.ident.to_string()),
                        },
                        column,
                        ty: types.of(&f.ty),
                    }
                })
                .collect(),
            references: p
                .references
                .iter()
                .map(|r| ReferenceDecl {
                    columns: r.columns.iter().map(|(c, ty)| (c.clone(), TypeDecl::of(ty))).collect(),
                    target: r.target_struct().map(name),
                    to: r.to.as_ref().map(|to| to.iter().map(name).collect()),
                    on_delete: r.on_delete,
                    on_update: r.on_update,
                    deferrable: r.deferrable,
                    name: r.name.clone(),
                    at: Loc::of(r.span, lines_before),
                })
                .collect(),
            enum_columns: p
                .enum_columns
                .iter()
                .map(|e| {
                    let mut shown = quote::ToTokens::to_token_stream(&e.path).to_string().replace(' ', "");
                    if e.array {
                        shown = format!("Vec<{shown}>");
                    }
                    EnumColumnDecl {
                        column: e.column,
                        last: e.path.segments.last().map(|s| name(&s.ident)),
                        shown,
                        array: e.array,
                        at: Loc::of(e.span, lines_before),
                        default: e
                            .default
                            .as_ref()
                            .map(|d| (d.value.clone(), Loc::of(d.span, lines_before))),
                    }
                })
                .collect(),
            table: p.table,
        }
    }
}

impl EnumDecl {
    fn from_parsed(e: ParsedEnum, lines_before: usize) -> EnumDecl {
        EnumDecl {
            // The enum's place is its span (the ident's, as the parser records it).
            ident: Name {
                at: Loc::of(e.span, lines_before),
                ..Name::of(&e.ident, lines_before)
            },
            ty: e.ty,
        }
    }
}

impl SequenceDecl {
    fn from_parsed(q: ParsedSequence, lines_before: usize) -> SequenceDecl {
        SequenceDecl {
            ident: Name {
                at: Loc::of(q.span, lines_before),
                ..Name::of(&q.ident, lines_before)
            },
            sequence: q.sequence,
        }
    }
}

impl Declared {
    /// Resolves every `references = Struct::field` among the tables and every enum a column
    /// names, as the compiler does for the derive, and returns the finished schema: the
    /// tables' models become the schema's without a copy. Every error is returned together.
    pub fn resolve(mut self) -> Result<Schema, Vec<ResolveError>> {
        let mut enum_errors = self.resolve_enums();
        for (i, q) in self.sequences.iter().enumerate() {
            if self.sequences[..i]
                .iter()
                .any(|o| o.sequence.same_sequence(&q.sequence))
            {
                enum_errors.push(ResolveError {
                    at: Origin::Sequence(i),
                    loc: q.ident.at,
                    message: format!(
                        "`{}` declares the sequence `{}` a second time",
                        q.ident.shown,
                        q.sequence.key()
                    ),
                });
            }
        }
        let fks = match foreign_keys(&self.tables) {
            Ok(fks) if enum_errors.is_empty() => fks,
            Ok(_) => return Err(enum_errors),
            Err(mut errors) => {
                errors.extend(enum_errors);
                return Err(errors);
            }
        };
        Ok(Schema {
            tables: self
                .tables
                .into_iter()
                .zip(fks)
                .map(|(p, fks)| {
                    let mut table = p.table;
                    table.foreign_keys.extend(fks);
                    table
                })
                .collect(),
            enums: self.enums.into_iter().map(|e| e.ty).collect(),
            sequences: self.sequences.into_iter().map(|q| q.sequence).collect(),
        })
    }

    /// Gives every pending enum column its type, found among the enums by the name of the
    /// Rust type; checks that enum types are named once and that a default names a value.
    /// Part of [`Declared::resolve`]; alone, for the errors of the tables that read when
    /// others did not.
    pub fn resolve_enums(&mut self) -> Vec<ResolveError> {
        let mut errors = Vec::new();
        let mut by_ident: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in self.enums.iter().enumerate() {
            by_ident.entry(e.ident.key()).or_default().push(i);
            let first = self.enums[..i].iter().find(|o| o.ty.same_type(&e.ty));
            if let Some(other) = first {
                errors.push(ResolveError {
                    at: Origin::Enum(i),
                    loc: e.ident.at,
                    message: format!(
                        "`{}` and `{}` both declare the enum type `{}`",
                        other.ident.shown,
                        e.ident.shown,
                        e.ty.key()
                    ),
                });
            }
        }
        for (t, table) in self.tables.iter_mut().enumerate() {
            for pending in &table.enum_columns {
                let Some(last) = &pending.last else {
                    continue;
                };
                let error = |loc, message| ResolveError {
                    at: Origin::Table(t),
                    loc,
                    message,
                };
                let found = match by_ident.get(last.key()).map(Vec::as_slice) {
                    Some([i]) => &self.enums[*i],
                    Some(_) => {
                        errors.push(error(
                            pending.at,
                            format!(
                                "more than one SqlEnum is named `{}`; the schema files must name each once",
                                last.shown
                            ),
                        ));
                        continue;
                    }
                    None => {
                        errors.push(error(pending.at, check::unmapped_type(&pending.shown)));
                        continue;
                    }
                };
                if let Some((value, loc)) = &pending.default
                    && !found.ty.values.contains(value)
                {
                    errors.push(error(
                        *loc,
                        format!(
                            "the default `{value}` is not a value of the enum `{}` ({})",
                            found.ident.shown,
                            found.ty.values.join(", ")
                        ),
                    ));
                }
                let ty = Box::new(found.ty.clone());
                table.table.columns[pending.column].ty = if pending.array {
                    model::LogicalType::EnumArray(ty)
                } else {
                    model::LogicalType::Enum(ty)
                };
            }
        }
        errors
    }
}

/// Every table's foreign keys (after the ones it has), its references resolved; or every
/// error of the schema.
fn foreign_keys(tables: &[TableDecl]) -> Result<Vec<Vec<ForeignKey>>, Vec<ResolveError>> {
    let mut errors = Vec::new();
    let mut by_struct: HashMap<&str, Vec<&TableDecl>> = HashMap::new();
    for p in tables {
        by_struct.entry(p.ident.key()).or_default().push(p);
    }
    // Tables, and the indexes of every table, share SQLite's one namespace, where names are
    // compared without case: `Users` and `users` are one table.
    let mut seen_tables: HashMap<String, &TableDecl> = HashMap::new();
    for (i, p) in tables.iter().enumerate() {
        if let Some(other) = seen_tables.insert(p.table.name.to_lowercase(), p) {
            let message = if other.table.name == p.table.name {
                format!(
                    "`{}` and `{}` both declare the table `{}`",
                    other.ident.shown, p.ident.shown, p.table.name
                )
            } else {
                format!(
                    "`{}` declares the table `{}` and `{}` the table `{}`: names that differ only in case are one table in SQL",
                    other.ident.shown, other.table.name, p.ident.shown, p.table.name
                )
            };
            errors.push((i, p.ident.at, message));
        }
    }
    let mut seen_indexes: HashMap<String, &TableDecl> = HashMap::new();
    for (i, p) in tables.iter().enumerate() {
        for ix in check::index_names(&p.table) {
            let key = ix.to_lowercase();
            if let Some(t) = seen_tables.get(&key).filter(|t| !std::ptr::eq(**t, p)) {
                errors.push((
                    i,
                    p.ident.at,
                    format!(
                        "the index `{ix}` of `{}` has the name of the table `{}`",
                        p.table.name, t.table.name
                    ),
                ));
            }
            if let Some(other) = seen_indexes.insert(key, p).filter(|o| !std::ptr::eq(*o, p)) {
                errors.push((
                    i,
                    p.ident.at,
                    format!(
                        "`{}` and `{}` both have an index named `{ix}`; index names are one namespace across tables",
                        other.table.name, p.table.name
                    ),
                ));
            }
        }
    }
    let mut all = Vec::with_capacity(tables.len());
    for (i, p) in tables.iter().enumerate() {
        let mut fks: Vec<ForeignKey> = Vec::new();
        for r in &p.references {
            match resolve_reference(p, r, &by_struct) {
                // Snapshots key foreign keys by name: two of one name would be one.
                Ok(fk) if p.table.foreign_keys.iter().chain(&fks).any(|f| f.name == fk.name) => errors.push((
                    i,
                    r.at,
                    format!(
                        "`{}` already has a foreign key named `{}`; give this one #[foreign_key(name = \"..\", ..)]",
                        p.table.name, fk.name
                    ),
                )),
                Ok(fk) => fks.push(fk),
                Err((loc, message)) => errors.push((i, loc, message)),
            }
        }
        all.push(fks);
    }
    if errors.is_empty() {
        Ok(all)
    } else {
        Err(errors
            .into_iter()
            .map(|(table, loc, message)| ResolveError {
                at: Origin::Table(table),
                loc,
                message,
            })
            .collect())
    }
}

/// One reference's foreign key, its parent looked up among the tables.
fn resolve_reference(
    p: &TableDecl,
    r: &ReferenceDecl,
    by_struct: &HashMap<&str, Vec<&TableDecl>>,
) -> Result<ForeignKey, (Loc, String)> {
    let Some(target_struct) = &r.target else {
        return Err((r.at, "`references` names no struct".to_string()));
    };
    let shown = &target_struct.shown;
    let target = match by_struct.get(target_struct.key()).map(Vec::as_slice) {
        Some([t]) => *t,
        Some(_) => {
            return Err((
                target_struct.at,
                format!("more than one table struct is named `{shown}`; the schema files must name each once"),
            ));
        }
        None => {
            return Err((
                target_struct.at,
                format!("`references` names `{shown}`, which is not a #[derive(Table)] struct in the schema files"),
            ));
        }
    };
    // The parent's fields each column pairs with: those `to(..)` names, or its primary key.
    let parent_fields: Vec<&FieldDecl> = match &r.to {
        Some(to) => {
            let mut out = Vec::new();
            for field_ident in to {
                let field_shown = &field_ident.shown;
                let Some(field) = target.fields.iter().find(|f| f.key(&target.table) == field_ident.key()) else {
                    return Err((
                        field_ident.at,
                        format!(
                            "`references` names `{shown}::{field_shown}`, but `{shown}` has no field `{field_shown}`"
                        ),
                    ));
                };
                if field.column.is_none() {
                    return Err((
                        field_ident.at,
                        format!("`{shown}::{field_shown}` is #[column(skip)], so it cannot be referenced"),
                    ));
                }
                out.push(field);
            }
            out
        }
        None => {
            let key = target.table.key_columns();
            if key.is_empty() {
                return Err((
                    r.at,
                    format!(
                        "`{shown}` has no primary key to reference; name its columns (`references = {shown}::field`, or `to(..)`)"
                    ),
                ));
            }
            key.iter()
                .filter_map(|k| {
                    target
                        .fields
                        .iter()
                        .find(|f| f.column.is_some_and(|c| target.table.columns[c].name == **k))
                })
                .collect()
        }
    };
    if parent_fields.len() != r.columns.len() {
        return Err((
            r.at,
            format!(
                "the foreign key has {} column(s), but the primary key of `{shown}` has {}",
                r.columns.len(),
                parent_fields.len()
            ),
        ));
    }
    for ((_, from_ty), field) in r.columns.iter().zip(&parent_fields) {
        if !from_ty.agrees_with(&field.ty) {
            return Err((
                r.at,
                format!(
                    "foreign key type mismatch: `{}` cannot reference `{shown}::{}` of type `{}`",
                    from_ty.text,
                    field.ident(&target.table),
                    field.ty.text
                ),
            ));
        }
    }
    let ref_columns: Vec<String> = parent_fields
        .iter()
        .filter_map(|f| f.column.map(|c| target.table.columns[c].name.clone()))
        .collect();
    let columns: Vec<String> = r.columns.iter().map(|(c, _)| c.clone()).collect();
    let mut fk = ForeignKey::new(
        &p.table.name,
        columns,
        &target.table.name,
        ref_columns,
        r.on_delete,
        r.on_update,
    );
    if let Some(n) = &r.name {
        fk.name = n.clone();
    }
    fk.deferrable = r.deferrable;
    if r.to.is_none() {
        // `REFERENCES parent`: the name is drizzle-kit's, the SQL leaves the columns implied.
        fk.ref_columns.clear();
    }
    Ok(fk)
}

#[cfg(test)]
mod tests {
    use super::{TypeDecl, type_text};
    use crate::parse::{check, type_string};

    #[test]
    fn a_type_is_written_as_quote_writes_it() {
        for text in [
            "i64",
            "Option<i64>",
            "Option<Vec<u8>>",
            "std::vec::Vec<u8>",
            "::std::string::String",
            "Vec::<u8>",
            "HashMap<String,Vec<Option<i64>>>",
            "r#type",
            "crate::db::r#Mood",
            "Option<Vec<u8>,>",
            "&'static str",
            "Cow<'static, str>",
            "[u8; 16]",
            "(i64, String)",
            "<T as Trait>::Out",
            "fn(i64) -> i64",
            "Box<dyn Fn(i64) -> i64>",
        ] {
            let ty: syn::Type = syn::parse_str(text).unwrap();
            assert_eq!(type_text(&ty), type_string(&ty), "{text}");
        }
    }

    /// The rule as resolving applied it to the types themselves: inside their `Option`s, two
    /// types the parser maps agree when their paths end alike; anything else agrees.
    fn agree(from: &syn::Type, to: &syn::Type) -> bool {
        let from = check::strip_option(from).unwrap_or(from);
        let to = check::strip_option(to).unwrap_or(to);
        let last = |t: &syn::Type| match t {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        match (check::logical_type_of(from), check::logical_type_of(to)) {
            (Some(_), Some(_)) => last(from) == last(to),
            _ => true,
        }
    }

    #[test]
    fn types_agree_as_the_parser_decides() {
        let types = [
            "i64",
            "Option<i64>",
            "i32",
            "String",
            "Option<String>",
            "Vec<u8>",
            "uuid::Uuid",
            "Mood",
            "Option<Mood>",
            "&'static str",
            "(i64, i64)",
        ];
        for a in types {
            for b in types {
                let (ta, tb): (syn::Type, syn::Type) = (syn::parse_str(a).unwrap(), syn::parse_str(b).unwrap());
                assert_eq!(
                    TypeDecl::of(&ta).agrees_with(&TypeDecl::of(&tb)),
                    agree(&ta, &tb),
                    "{a} / {b}"
                );
            }
        }
    }
}
