//! `schema pull`: a model (read from a database) written as `#[derive(Table)]` structs that
//! parse back to the same model.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::dialect::Dialect;
use crate::halves::in_halves;
use crate::model::{
    Column, DefaultValue, Deferrable, FkAction, ForeignKey, IndexTarget, LogicalType, Schema, Table, UniqueKind,
    snake_case,
};

/// The Rust file, and what it could not say (each also written into the file as a comment).
#[derive(Debug, Clone, PartialEq)]
pub struct Pulled {
    /// The Rust source.
    pub code: String,
    /// What it could not carry over.
    pub notes: Vec<String>,
}

/// Every keyword of every edition, strict and reserved: a field named one is written raw.
const KEYWORDS: [&str; 49] = [
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait",
    "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "typeof", "unsized", "virtual", "yield", "try", "gen", "union",
];
const NOT_RAW: [&str; 5] = ["self", "Self", "super", "crate", "_"];

/// Type names a pulled struct must not take: the derive's `Table` (imported by the file) and
/// every name of Rust's prelude, which a struct of that name would shadow for the file's own
/// field types (`String`, `Option`, `Vec`, ...).
const TAKEN_TYPE_NAMES: [&str; 44] = [
    "Table",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "ToString",
    "Vec",
    "Box",
    "Copy",
    "Send",
    "Sized",
    "Sync",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "Default",
    "Iterator",
    "Extend",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "ToOwned",
    "Clone",
    "PartialEq",
    "PartialOrd",
    "Eq",
    "Ord",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "Debug",
    "Hash",
    "Value",
    "Self",
    "AsyncFn",
];

/// A Rust identifier for a SQL name: snake_case, any character Rust does not take in an
/// identifier as `_`, a leading digit prefixed, keywords raw (`r#type`) or, where Rust allows
/// no raw form, suffixed.
pub fn field_ident(name: &str) -> String {
    let mut s: String = snake_case(name)
        .chars()
        .map(|c| if unicode_ident::is_xid_continue(c) { c } else { '_' })
        .collect();
    if s.is_empty() {
        s = "column".into();
    }
    if !s.starts_with(|c: char| c == '_' || unicode_ident::is_xid_start(c)) {
        s.insert(0, '_');
    }
    if NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    } else if KEYWORDS.contains(&s.as_str()) {
        s = format!("r#{s}");
    }
    s
}

/// `order_items` → `OrderItems`: a type name for a table, never one the file's own code
/// needs (`Table`, `String`, `Option`, ...).
pub fn struct_ident(table: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in table.chars() {
        if unicode_ident::is_xid_continue(c) && c != '_' {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if !out.starts_with(unicode_ident::is_xid_start) {
        out.insert_str(0, "Table");
    }
    if TAKEN_TYPE_NAMES.contains(&out.as_str()) {
        out.push_str("Row");
    }
    out
}

/// The SQL type the derive gives a Rust type that `pull` writes, in `dialect`.
fn canonical_of(rust: &str, dialect: &dyn Dialect) -> String {
    let logical = match rust {
        "bool" => LogicalType::Bool,
        "String" => LogicalType::String,
        "Vec<u8>" => LogicalType::Bytes,
        "f32" => LogicalType::F32,
        "f64" => LogicalType::F64,
        other => match crate::model::IntKind::ALL.iter().find(|(n, _)| *n == other) {
            Some((_, k)) => LogicalType::Int(*k),
            None => LogicalType::Sql(other.to_string()),
        },
    };
    dialect.column_type(&logical)
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// Whether the derive takes this default literal on a field of `rust` type (its rules).
fn fits(rust: &str, d: &DefaultValue) -> bool {
    match d {
        DefaultValue::Int(_) => matches!(rust, "i64" | "f64"),
        DefaultValue::Real(r) => rust == "f64" && r.contains(['.', 'e', 'E']),
        DefaultValue::Bool(_) => rust == "bool",
        DefaultValue::Text(_) => rust == "String",
        DefaultValue::Sql(_) => true,
    }
}

/// Writes the schema (read from a database of `dialect`) as Rust. `source` names where it
/// came from, for the header.
pub fn render_rust(schema: &Schema, source: &str, dialect: &dyn Dialect) -> Pulled {
    let mut notes = Vec::new();
    let mut structs: BTreeMap<&str, String> = BTreeMap::new();
    let mut used = BTreeSet::new();
    for t in &schema.tables {
        structs.insert(&t.name, unused(&mut used, struct_ident(&t.name), ""));
    }
    // Each enum type's Rust name: its name in CamelCase, told apart from the structs'.
    let mut enum_names: BTreeMap<String, String> = BTreeMap::new();
    for e in schema.enum_types() {
        enum_names.insert(e.key(), unused(&mut used, struct_ident(&e.name), ""));
    }
    let enum_rust = |e: &crate::model::EnumType| {
        enum_names
            .get(&e.key())
            .cloned()
            .unwrap_or_else(|| struct_ident(&e.name))
    };
    // Every column's field name and Rust type, decided before any reference uses them.
    let [mut fields, more]: [Fields; 2] = in_halves(&schema.tables, |tables| {
        let mut fields = Fields::with_capacity(tables.iter().map(|t| t.columns.len()).sum());
        for t in tables {
            let mut taken = BTreeSet::new();
            for c in &t.columns {
                let f = unused(&mut taken, field_ident(&c.name), "_");
                let rust = match &c.ty {
                    LogicalType::Enum(e) => enum_rust(e),
                    LogicalType::EnumArray(e) => format!("Vec<{}>", enum_rust(e)),
                    _ => dialect.rust_type(&declared(c, dialect)).to_string(),
                };
                fields.insert((&t.name, &c.name), (f, rust));
            }
        }
        fields
    });
    fields.extend(more);
    // A foreign key column takes the Rust type of the parent column it pairs with, as the
    // derive requires.
    for t in &schema.tables {
        for fk in &t.foreign_keys {
            let parent = parent_columns(schema, fk);
            for (from, to) in fk.columns.iter().zip(&parent) {
                if let Some((_, target_ty)) = fields.get(&(fk.ref_table.as_str(), to.as_str())).cloned()
                    && let Some(entry) = fields.get_mut(&(t.name.as_str(), from.as_str()))
                {
                    entry.1 = target_ty;
                }
            }
        }
    }

    let mut out = String::new();
    out.push_str(&format!(
        "// Written by `schema pull` from {source}. Edit freely: `schema generate` diffs this file\n\
         // against the baseline snapshot written beside it.\n\n\
         // clippy's `duplicated_attributes` takes a flag repeated across two #[index]es for one\n\
         // attribute written twice (rust-clippy#13238).\n\
         #![allow(dead_code, non_snake_case, non_camel_case_types, clippy::duplicated_attributes)]\n\n\
         use schema_core::{};\n",
        match (schema.enum_types().is_empty(), schema.sequences.is_empty()) {
            (true, true) => "Table",
            (false, true) => "{SqlEnum, Table}",
            (true, false) => "{SqlSequence, Table}",
            (false, false) => "{SqlEnum, SqlSequence, Table}",
        }
    ));
    for e in schema.enum_types() {
        out.push('\n');
        out.push_str(&render_enum(e, &enum_names[&e.key()]));
    }
    for s in &schema.sequences {
        out.push('\n');
        out.push_str(&render_sequence(s, &structs));
    }
    // The tables, in order.
    let halves = in_halves(&schema.tables, |tables| {
        let mut code = String::with_capacity(tables.len() * 1024);
        let mut notes = Vec::new();
        for t in tables {
            code.push('\n');
            code.push_str(&render_table(schema, t, &structs, &fields, &mut notes, dialect));
        }
        (code, notes)
    });
    for (code, more) in halves {
        out.push_str(&code);
        notes.extend(more);
    }
    Pulled { code: out, notes }
}

/// `base`, or `base` with the first number from 2 on (after `sep`) that makes a name not in
/// `taken`; the name is added to `taken`.
fn unused(taken: &mut BTreeSet<String>, base: String, sep: &str) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}{sep}{n}");
        n += 1;
    }
    name
}

/// `#[derive(SqlSequence)]` for a standalone sequence: every option as the database has it,
/// under a struct name no table took.
fn render_sequence(s: &crate::model::Sequence, taken: &BTreeMap<&str, String>) -> String {
    let mut attr = vec![format!("name = {}", lit(&s.name))];
    if let Some(ns) = &s.schema {
        attr.push(format!("schema = {}", lit(ns)));
    }
    for (key, v) in [
        ("increment", s.increment),
        ("min_value", s.min_value),
        ("max_value", s.max_value),
        ("start_with", s.start_with),
        ("cache", s.cache),
    ] {
        if let Some(v) = v {
            attr.push(format!("{key} = {v}"));
        }
    }
    if s.cycle {
        attr.push("cycle".into());
    }
    let base = format!("{}Seq", struct_ident(&s.name));
    let mut rust = base.clone();
    let mut n = 2;
    while taken.values().any(|t| *t == rust) {
        rust = format!("{base}{n}");
        n += 1;
    }
    format!(
        "#[derive(SqlSequence)]\n#[sql_sequence({})]\npub struct {rust};\n",
        attr.join(", ")
    )
}

/// `#[derive(SqlEnum)]` for an enum type: a variant per value, renamed where the value is not
/// the variant's name in snake_case.
fn render_enum(e: &crate::model::EnumType, rust: &str) -> String {
    let mut attr = vec![format!("name = {}", lit(&e.name))];
    if let Some(s) = &e.schema {
        attr.push(format!("schema = {}", lit(s)));
    }
    let mut out = format!(
        "#[derive(SqlEnum, Debug, Clone, Copy, PartialEq, Eq)]\n#[sql_enum({})]\npub enum {rust} {{\n",
        attr.join(", ")
    );
    let mut taken = BTreeSet::new();
    for v in &e.values {
        let variant = unused(&mut taken, struct_ident(v), "");
        if snake_case(&variant) != *v {
            out.push_str(&format!("    #[sql_enum(rename = {})]\n", lit(v)));
        }
        out.push_str(&format!("    {variant},\n"));
    }
    out.push_str("}\n");
    out
}

/// (table, column) → (field name, Rust type).
type Fields<'a> = HashMap<(&'a str, &'a str), (String, String)>;

/// The parent's columns a foreign key pairs with: those it names, or the parent's key.
fn parent_columns(schema: &Schema, fk: &ForeignKey) -> Vec<String> {
    if fk.ref_columns.is_empty() {
        schema
            .table(&fk.ref_table)
            .map(|p| p.key_columns().into_iter().map(str::to_string).collect())
            .unwrap_or_default()
    } else {
        fk.ref_columns.clone()
    }
}

/// The column's declared SQL type.
fn declared(c: &Column, dialect: &dyn Dialect) -> String {
    match &c.ty {
        LogicalType::Sql(s) => s.clone(),
        other => dialect.column_type(other),
    }
}

/// How the struct says one foreign key, or why it cannot.
enum FkForm {
    /// On the column: `references = Parent::field` or `references = Parent`, with its options.
    Column(String, Vec<String>),
    /// `#[foreign_key(..)]` on the struct.
    Struct(String),
    /// Not carried over; the note says why.
    Lost(String),
}

/// The attribute form of a foreign key of `t`.
fn fk_form(schema: &Schema, t: &Table, fk: &ForeignKey, structs: &BTreeMap<&str, String>, fields: &Fields) -> FkForm {
    let field_of = |table: &str, col: &str| fields.get(&(table, col)).map(|f| f.0.clone());
    let Some(parent) = structs.get(fk.ref_table.as_str()) else {
        return FkForm::Lost(format!(
            "`{}`: the foreign key ({}) references `{}`, which is not among the tables pulled; it is not carried over",
            t.name,
            fk.columns.join(", "),
            fk.ref_table
        ));
    };
    let parent_cols = parent_columns(schema, fk);
    if parent_cols.len() != fk.columns.len() {
        return FkForm::Lost(format!(
            "`{}`: the foreign key ({}) references `{}`{}, which does not pair up with its columns; it is not carried over",
            t.name,
            fk.columns.join(", "),
            fk.ref_table,
            if fk.ref_columns.is_empty() {
                " by its primary key".to_string()
            } else {
                format!("({})", fk.ref_columns.join(", "))
            }
        ));
    }
    let mut options = Vec::new();
    if fk.on_delete != FkAction::NoAction {
        options.push(format!("on_delete = {}", lit(fk.on_delete.as_str())));
    }
    if fk.on_update != FkAction::NoAction {
        options.push(format!("on_update = {}", lit(fk.on_update.as_str())));
    }
    match fk.deferrable {
        Deferrable::No => {}
        Deferrable::InitiallyImmediate => options.push("deferrable".into()),
        Deferrable::InitiallyDeferred => options.push(format!("deferrable = {}", lit("deferred"))),
    }
    let target: Option<Vec<String>> = parent_cols.iter().map(|c| field_of(&fk.ref_table, c)).collect();
    let from: Option<Vec<String>> = fk.columns.iter().map(|c| field_of(&t.name, c)).collect();
    let (Some(target), Some(from)) = (target, from) else {
        return FkForm::Lost(format!(
            "`{}`: the foreign key ({}) names a column that is not in the database; it is not carried over",
            t.name,
            fk.columns.join(", ")
        ));
    };
    // A name the database keeps (PostgreSQL's constraints) that is not the derived one is
    // said, on the struct; SQLite keeps no foreign-key names apart from the table's text.
    let derived = |to: &[String]| crate::model::names::foreign_key(&t.name, &fk.columns, &fk.ref_table, to);
    let named = !fk.name.is_empty() && fk.name != derived(&parent_cols) && fk.name != derived(&fk.ref_columns);
    if let ([_], [to]) = (from.as_slice(), target.as_slice())
        && !named
    {
        let reference = if fk.ref_columns.is_empty() {
            format!("references = {parent}")
        } else {
            format!("references = {parent}::{to}")
        };
        let mut attrs = vec![reference];
        attrs.extend(options);
        return FkForm::Column(fk.columns[0].clone(), attrs);
    }
    let mut parts = Vec::new();
    if named {
        parts.push(format!("name = {}", lit(&fk.name)));
    }
    parts.push(format!("columns({})", from.join(", ")));
    parts.push(format!("references = {parent}"));
    if !fk.ref_columns.is_empty() {
        parts.push(format!("to({})", target.join(", ")));
    }
    parts.extend(options);
    FkForm::Struct(format!("#[foreign_key({})]\n", parts.join(", ")))
}

fn render_table(
    schema: &Schema,
    t: &Table,
    structs: &BTreeMap<&str, String>,
    fields: &Fields,
    notes: &mut Vec<String>,
    dialect: &dyn Dialect,
) -> String {
    let field = |c: &str| {
        fields
            .get(&(t.name.as_str(), c))
            .map(|f| f.0.clone())
            .unwrap_or_else(|| field_ident(c))
    };
    let mut s = String::new();
    let mut local_notes = Vec::new();
    s.push_str("#[derive(Table, Debug, Clone, PartialEq)]\n");
    let mut table_attr = vec![format!("name = {}", lit(&t.name))];
    if t.options.sqlite.strict {
        table_attr.push("strict".into());
    }
    if let Some(schema) = &t.options.postgres.schema {
        table_attr.push(format!("schema = {}", lit(schema)));
    }
    if t.options.sqlite.without_rowid {
        table_attr.push("without_rowid".into());
    }
    if let Some(pk) = &t.primary_key {
        let cols: Vec<String> = pk.columns.iter().map(|c| field(c)).collect();
        table_attr.push(format!("primary_key({})", cols.join(", ")));
    }
    s.push_str(&format!("#[table({})]\n", table_attr.join(", ")));
    for ix in &t.indexes {
        let mut parts = vec![format!("name = {}", lit(&ix.name))];
        match &ix.target {
            IndexTarget::Columns(cols) => {
                let idents: Vec<String> = cols
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let o = ix.options.column(i);
                        let mut said = Vec::new();
                        if o.desc {
                            said.push("desc".to_string());
                        }
                        if o.nulls_first {
                            said.push("nulls_first".into());
                        }
                        if let Some(class) = &o.opclass {
                            said.push(format!("opclass = {}", lit(class)));
                        }
                        if said.is_empty() {
                            field(c)
                        } else {
                            format!("{}({})", field(c), said.join(", "))
                        }
                    })
                    .collect();
                parts.push(format!("columns({})", idents.join(", ")));
            }
            IndexTarget::Expr(e) => parts.push(format!("expr = {}", lit(e))),
        }
        if ix.unique {
            parts.push("unique".into());
        }
        if let Some(w) = &ix.where_clause {
            parts.push(format!("where = {}", lit(w)));
        }
        if let Some(m) = &ix.options.method {
            parts.push(format!("using = {}", lit(m)));
        }
        if !ix.options.with.is_empty() {
            let params: Vec<String> = ix
                .options
                .with
                .iter()
                .map(|(k, v)| {
                    // A Rust literal has no sign and no leading dot: anything else is a string.
                    let number = v.parse::<f64>().is_ok_and(f64::is_finite) && !v.starts_with(['+', '-', '.']);
                    if number || v == "true" || v == "false" {
                        format!("{k} = {v}")
                    } else {
                        format!("{k} = {}", lit(v))
                    }
                })
                .collect();
            parts.push(format!("with({})", params.join(", ")));
        }
        s.push_str(&format!("#[index({})]\n", parts.join(", ")));
    }
    let mut inline_unique = BTreeSet::new();
    for u in &t.uniques {
        let cols: Vec<String> = u.columns.iter().map(|c| field(c)).collect();
        match u.kind {
            UniqueKind::Inline => {
                inline_unique.insert(u.columns[0].as_str());
            }
            UniqueKind::Constraint { named } => {
                let name = if named {
                    format!("name = {}, ", lit(&u.name))
                } else {
                    String::new()
                };
                s.push_str(&format!("#[unique({name}columns({}), constraint)]\n", cols.join(", ")));
            }
            UniqueKind::Index => {
                s.push_str(&format!(
                    "#[unique(name = {}, columns({}){})]\n",
                    lit(&u.name),
                    cols.join(", "),
                    if u.nulls_not_distinct {
                        ", nulls_not_distinct"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    for ch in &t.checks {
        if ch.named {
            s.push_str(&format!(
                "#[check(name = {}, expr = {})]\n",
                lit(&ch.name),
                lit(&ch.expr)
            ));
        } else {
            s.push_str(&format!("#[check(expr = {})]\n", lit(&ch.expr)));
        }
    }
    let mut column_fks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for fk in &t.foreign_keys {
        match fk_form(schema, t, fk, structs, fields) {
            FkForm::Column(col, attrs) if !column_fks.contains_key(&col) => {
                column_fks.insert(col, attrs);
            }
            // A second foreign key on the same column goes on the struct.
            FkForm::Column(col, attrs) => {
                let mut parts = vec![format!("columns({})", field(&col))];
                let (reference, rest) = attrs
                    .split_first()
                    .map_or((String::new(), &[][..]), |(r, rest)| (r.clone(), rest));
                match reference.strip_prefix("references = ").and_then(|r| r.split_once("::")) {
                    Some((parent, to)) => {
                        parts.push(format!("references = {parent}"));
                        parts.push(format!("to({to})"));
                    }
                    None => parts.push(reference),
                }
                parts.extend(rest.iter().cloned());
                s.push_str(&format!("#[foreign_key({})]\n", parts.join(", ")));
            }
            FkForm::Struct(attr) => s.push_str(&attr),
            FkForm::Lost(note) => local_notes.push(note),
        }
    }
    let struct_name = &structs[t.name.as_str()];
    s.push_str(&format!("pub struct {struct_name} {{\n"));
    for c in &t.columns {
        let (fname, rust) = fields
            .get(&(t.name.as_str(), c.name.as_str()))
            .cloned()
            .unwrap_or_else(|| (field_ident(&c.name), "f64".to_string()));
        let mut attrs = column_attrs(t, c, &fname, &rust, &mut local_notes, dialect);
        if inline_unique.contains(c.name.as_str()) {
            attrs.push("unique(constraint)".into());
        }
        attrs.extend(column_fks.remove(&c.name).unwrap_or_default());
        let ty = if c.not_null && c.generated.is_none() {
            rust.to_string()
        } else {
            format!("Option<{rust}>")
        };
        if c.generated.is_some() && c.not_null {
            local_notes.push(format!(
                "`{}.{}` is a NOT NULL generated column; pulled as nullable",
                t.name, c.name
            ));
        }
        if !attrs.is_empty() {
            s.push_str(&format!("    #[column({})]\n", attrs.join(", ")));
        }
        s.push_str(&format!("    pub {fname}: {ty},\n"));
    }
    s.push_str("}\n");
    let mut head = String::new();
    for n in &local_notes {
        head.push_str(&format!("// NOTE: {}\n", n.replace(['\n', '\r'], " ")));
    }
    notes.extend(local_notes);
    head + &s
}

fn column_attrs(
    t: &Table,
    c: &Column,
    fname: &str,
    rust: &str,
    notes: &mut Vec<String>,
    dialect: &dyn Dialect,
) -> Vec<String> {
    let mut a = Vec::new();
    if fname.trim_start_matches("r#") != c.name {
        a.push(format!("name = {}", lit(&c.name)));
    }
    if c.primary_key {
        a.push("primary_key".into());
    }
    if c.autoincrement {
        a.push("autoincrement".into());
    }
    if c.unique {
        a.push("unique".into());
    }
    let declared = declared(c, dialect);
    // The declared type is kept exactly whenever the Rust type alone would say another, or
    // when the default is a literal the Rust type does not take.
    let canonical = canonical_of(rust, dialect);
    let default_fits = c.default.as_ref().is_none_or(|d| fits(rust, d));
    // An enum's type is its SqlEnum's.
    let is_enum = c.ty.enum_type().is_some();
    if !is_enum && (declared != canonical || !default_fits) {
        a.push(format!("sql_type = {}", lit(&declared)));
    }
    match &c.default {
        None => {}
        Some(DefaultValue::Sql(v)) => {
            let attr = dialect.default_sql_attribute(v);
            if attr != *v {
                notes.push(format!(
                    "`{}.{}`: the default `{v}` is written in parentheses, as the derive reads an expression default",
                    t.name, c.name
                ));
            }
            a.push(format!("default_sql = {}", lit(&attr)));
        }
        Some(DefaultValue::Int(v)) => a.push(format!("default = {v}")),
        Some(DefaultValue::Real(v)) if v.parse::<f64>().is_ok_and(f64::is_finite) => {
            // A Rust float literal needs a dot or an exponent; `1` as a Real would read back as an int.
            a.push(format!("default = {v}"));
        }
        Some(DefaultValue::Real(v)) => a.push(format!("default_sql = {}", lit(v))),
        Some(DefaultValue::Bool(b)) => a.push(format!("default = {b}")),
        Some(DefaultValue::Text(v)) => a.push(format!("default = {}", lit(v))),
    }
    if let Some(coll) = &c.collate {
        a.push(format!("collate = {}", lit(coll)));
    }
    if let Some(g) = &c.generated {
        a.push(format!("generated = {}", lit(&g.expr)));
        if g.stored {
            a.push("stored".into());
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_schema_renders_in_halves_in_its_order() {
        // Foreign keys that reach across the halves, and two that are lost (notes), one in
        // each half: every struct once, in order, each reference to the other half's struct,
        // and the notes in their tables' order.
        let mut schema = Schema::default();
        for i in 0..100 {
            let mut t = Table::new(format!("t{i:03}"));
            let mut id = Column::new("id", LogicalType::Sql("integer".into()));
            id.primary_key = true;
            t.columns.push(id);
            t.columns
                .push(Column::new("parent", LogicalType::Sql("integer".into())));
            let parent = match i {
                7 => "gone_a".to_string(),
                77 => "gone_b".to_string(),
                _ => format!("t{:03}", (i + 50) % 100),
            };
            t.foreign_keys.push(ForeignKey::new(
                &t.name,
                vec!["parent".into()],
                &parent,
                vec!["id".into()],
                Default::default(),
                Default::default(),
            ));
            schema.tables.push(t);
        }
        let pulled = render_rust(&schema, "test.db", &crate::sqlite::SQLITE);
        assert_eq!(pulled.code.matches("#[derive(Table").count(), 100);
        let at: Vec<usize> = (0..100)
            .map(|i| pulled.code.find(&format!("pub struct T{i:03} {{")).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "structs out of order");
        for (from, to) in [(0, 50), (50, 0), (49, 99), (99, 49)] {
            let body = &pulled.code[at[from]..];
            let body = &body[..body.find("\n}\n").unwrap()];
            assert!(body.contains(&format!("references = T{to:03}::id")), "{body}");
        }
        let lost: Vec<&String> = pulled.notes.iter().filter(|n| n.contains("gone_")).collect();
        assert_eq!(lost.len(), 2, "{:?}", pulled.notes);
        assert!(lost[0].contains("gone_a") && lost[1].contains("gone_b"), "{lost:?}");
    }

    #[test]
    fn names_that_collide_are_numbered() {
        let mut schema = Schema::default();
        for name in ["users", "Users", "_users"] {
            let mut t = Table::new(name);
            t.columns.push(Column::new("a-b", LogicalType::Sql("integer".into())));
            t.columns.push(Column::new("a_b", LogicalType::Sql("integer".into())));
            t.columns.push(Column::new("A B", LogicalType::Sql("integer".into())));
            schema.tables.push(t);
        }
        let code = render_rust(&schema, "test.db", &crate::sqlite::SQLITE).code;
        for s in ["pub struct Users {", "pub struct Users2 {", "pub struct Users3 {"] {
            assert!(code.contains(s), "{s}: {code}");
        }
        assert_eq!(code.matches("pub a_b: i64,").count(), 3, "{code}");
        assert_eq!(code.matches("pub a_b_2: i64,").count(), 3, "{code}");
        assert_eq!(code.matches("pub a_b_3: i64,").count(), 3, "{code}");
    }

    #[test]
    fn names_become_valid_identifiers() {
        assert_eq!(field_ident("first-name"), "first_name");
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("try"), "r#try");
        assert_eq!(field_ident("café ½"), "café__");
        assert_eq!(field_ident("--"), "__");
        assert_eq!(field_ident("_"), "__");
        assert_eq!(struct_ident("option"), "OptionRow");
        assert_eq!(struct_ident("table"), "TableRow");
        assert_eq!(struct_ident("用户"), "用户");
        assert_eq!(field_ident("2fa"), "_2fa");
        assert_eq!(field_ident("userId"), "user_id");
        assert_eq!(struct_ident("order items"), "OrderItems");
        assert_eq!(struct_ident("auth_user"), "AuthUser");
        assert_eq!(struct_ident("2024_data"), "Table2024Data");
    }
}
