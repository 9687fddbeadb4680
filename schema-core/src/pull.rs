//! `schema pull`: a model (read from a database) written as `#[derive(Table)]` structs that
//! parse back to the same model.

use std::collections::{BTreeMap, BTreeSet};

use crate::dialect::Dialect;
use crate::model::{Column, DefaultValue, IndexTarget, LogicalType, Schema, Table, snake_case};

/// The Rust file, and what it could not say (each also written into the file as a comment).
#[derive(Debug, Clone, PartialEq)]
pub struct Pulled {
    /// The Rust source.
    pub code: String,
    /// What it could not carry over.
    pub notes: Vec<String>,
}

const KEYWORDS: [&str; 39] = [
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait",
    "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final",
];
const NOT_RAW: [&str; 5] = ["self", "Self", "super", "crate", "_"];

/// A Rust identifier for a SQL name: snake_case, invalid characters as `_`, a leading digit
/// prefixed, keywords raw (`r#type`) or, where Rust allows no raw form, suffixed.
pub fn field_ident(name: &str) -> String {
    let mut s: String = snake_case(name)
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    if s.is_empty() {
        s = "column".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    } else if KEYWORDS.contains(&s.as_str()) {
        s = format!("r#{s}");
    }
    s
}

/// `order_items` → `OrderItem`s: a type name for a table.
pub fn struct_ident(table: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in table.chars() {
        if c.is_alphanumeric() {
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
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Table");
    }
    if NOT_RAW.contains(&out.as_str()) {
        out.push('_');
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
        let mut name = struct_ident(&t.name);
        let base = name.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}{n}");
            n += 1;
        }
        structs.insert(&t.name, name);
    }
    // Every column's field name and Rust type, decided before any reference uses them.
    let mut fields: BTreeMap<(&str, &str), (String, &'static str)> = BTreeMap::new();
    for t in &schema.tables {
        let mut taken = BTreeSet::new();
        for c in &t.columns {
            let mut f = field_ident(&c.name);
            let base = f.clone();
            let mut n = 2;
            while !taken.insert(f.clone()) {
                f = format!("{base}_{n}");
                n += 1;
            }
            fields.insert((&t.name, &c.name), (f, dialect.rust_type(&declared(c, dialect))));
        }
    }
    // A foreign key column takes its target's Rust type, as the derive requires.
    for t in &schema.tables {
        for fk in &t.foreign_keys {
            if let ([from], [to]) = (fk.columns.as_slice(), fk.ref_columns.as_slice())
                && let Some((_, target_ty)) = fields.get(&(fk.ref_table.as_str(), to.as_str())).cloned()
                && let Some(entry) = fields.get_mut(&(t.name.as_str(), from.as_str()))
            {
                entry.1 = target_ty;
            }
        }
    }

    let mut out = String::new();
    out.push_str(&format!(
        "// Written by `schema pull` from {source}. Edit freely: `schema generate` diffs this file\n\
         // against the baseline snapshot written beside it.\n\n#![allow(dead_code)]\n\nuse schema_core::Table;\n"
    ));
    for t in &schema.tables {
        out.push('\n');
        out.push_str(&render_table(t, &structs, &fields, &mut notes, dialect));
    }
    Pulled { code: out, notes }
}

/// The column's declared SQL type.
fn declared(c: &Column, dialect: &dyn Dialect) -> String {
    match &c.ty {
        LogicalType::Sql(s) => s.clone(),
        other => dialect.column_type(other),
    }
}

fn render_table(
    t: &Table,
    structs: &BTreeMap<&str, String>,
    fields: &BTreeMap<(&str, &str), (String, &'static str)>,
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
                let idents: Vec<String> = cols.iter().map(|c| field(c)).collect();
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
        s.push_str(&format!("#[index({})]\n", parts.join(", ")));
    }
    for ch in &t.checks {
        s.push_str(&format!(
            "#[check(name = {}, expr = {})]\n",
            lit(&ch.name),
            lit(&ch.expr)
        ));
    }
    let struct_name = &structs[t.name.as_str()];
    s.push_str(&format!("pub struct {struct_name} {{\n"));
    for c in &t.columns {
        let (fname, rust) = fields
            .get(&(t.name.as_str(), c.name.as_str()))
            .cloned()
            .unwrap_or_else(|| (field_ident(&c.name), "f64"));
        let attrs = column_attrs(t, c, &fname, rust, structs, fields, &mut local_notes, dialect);
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
    for fk in &t.foreign_keys {
        if fk.columns.len() != 1 {
            local_notes.push(format!(
                "`{}`: the foreign key ({}) → {}({}) spans several columns, which #[column(references)] cannot say; it is not carried over",
                t.name,
                fk.columns.join(", "),
                fk.ref_table,
                fk.ref_columns.join(", ")
            ));
        }
    }
    let mut head = String::new();
    for n in &local_notes {
        head.push_str(&format!("// NOTE: {n}\n"));
    }
    notes.extend(local_notes);
    head + &s
}

#[allow(clippy::too_many_arguments)]
fn column_attrs(
    t: &Table,
    c: &Column,
    fname: &str,
    rust: &str,
    structs: &BTreeMap<&str, String>,
    fields: &BTreeMap<(&str, &str), (String, &'static str)>,
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
    let declared = declared(c, dialect);
    // The declared type is kept exactly whenever the Rust type alone would say another, or
    // when the default is a literal the Rust type does not take.
    let canonical = canonical_of(rust, dialect);
    let default_fits = c.default.as_ref().is_none_or(|d| fits(rust, d));
    if declared != canonical || !default_fits {
        a.push(format!("sql_type = {}", lit(&declared)));
    }
    match &c.default {
        None => {}
        Some(DefaultValue::Sql(v)) => {
            let attr = dialect.default_sql_attribute(v);
            if attr != *v {
                notes.push(format!(
                    "`{}.{}`: the default `{v}` is kept in parentheses, as SQLite reads it",
                    t.name, c.name
                ));
            }
            a.push(format!("default_sql = {}", lit(&attr)));
        }
        Some(DefaultValue::Int(v)) => a.push(format!("default = {v}")),
        Some(DefaultValue::Real(v)) => {
            // A Rust float literal needs a dot or an exponent; `1` as a Real would read back as an int.
            a.push(format!("default = {v}"));
        }
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
    for fk in &t.foreign_keys {
        if let ([from], [to]) = (fk.columns.as_slice(), fk.ref_columns.as_slice())
            && *from == c.name
        {
            match (
                structs.get(fk.ref_table.as_str()),
                fields.get(&(fk.ref_table.as_str(), to.as_str())),
            ) {
                (Some(target), Some((target_field, _))) => {
                    a.push(format!("references = {target}::{target_field}"));
                    if fk.on_delete != crate::model::FkAction::NoAction {
                        a.push(format!("on_delete = {}", lit(fk.on_delete.as_str())));
                    }
                    if fk.on_update != crate::model::FkAction::NoAction {
                        a.push(format!("on_update = {}", lit(fk.on_update.as_str())));
                    }
                }
                _ => notes.push(format!(
                    "`{}.{}` references {}({to}), which is not in the database; the foreign key is not carried over",
                    t.name, c.name, fk.ref_table
                )),
            }
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_valid_identifiers() {
        assert_eq!(field_ident("first-name"), "first_name");
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(field_ident("2fa"), "_2fa");
        assert_eq!(field_ident("userId"), "user_id");
        assert_eq!(struct_ident("order items"), "OrderItems");
        assert_eq!(struct_ident("auth_user"), "AuthUser");
        assert_eq!(struct_ident("2024_data"), "Table2024Data");
    }
}
