//! drizzle-kit's SQLite snapshot (`meta/NNNN_snapshot.json`, version "6"): written from a
//! normalized schema, read back into one. Keys are written in drizzle-kit's order and tables
//! by name, so a snapshot is byte-stable and diffs cleanly against drizzle-kit's own.

use schema_model::sql::{string_literal, strip_parens, unquote_string_literal};
use serde_json::{Map, Value, json};

use super::Sqlite;
use crate::diff::Renames;
use crate::model::{
    Check, Column, DefaultValue, Deferrable, FkAction, ForeignKey, Generated, Index, IndexTarget, LogicalType,
    PrimaryKey, Schema, Table, Unique, UniqueKind,
};
use crate::snapshot::{Snapshot, SnapshotError};

/// The snapshot as drizzle-kit writes it: pretty-printed with two spaces, no final newline.
pub fn write(snapshot: &Snapshot) -> String {
    // Writing a `Value` built from strings and numbers cannot fail.
    serde_json::to_string_pretty(&to_json(snapshot)).unwrap_or_default()
}

fn to_json(snapshot: &Snapshot) -> Value {
    let mut tables: Vec<&Table> = snapshot.schema.tables.iter().collect();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    let mut tables_json = Map::new();
    let mut internal_indexes = Map::new();
    for t in tables {
        tables_json.insert(t.name.clone(), table_json(t, &snapshot.schema));
        for ix in &t.indexes {
            if let IndexTarget::Expr(e) = &ix.target {
                internal_indexes.insert(
                    ix.name.clone(),
                    json!({ "columns": { e.clone(): { "isExpression": true } } }),
                );
            }
        }
    }
    let mut root = Map::new();
    root.insert("version".into(), json!("6"));
    root.insert("dialect".into(), json!("sqlite"));
    root.insert("id".into(), json!(snapshot.id));
    root.insert("prevId".into(), json!(snapshot.prev_id));
    root.insert("tables".into(), Value::Object(tables_json));
    root.insert("views".into(), json!({}));
    root.insert("enums".into(), json!({}));
    let mut meta_tables = Map::new();
    for (old, new) in &snapshot.renames.tables {
        meta_tables.insert(format!("\"{old}\""), json!(format!("\"{new}\"")));
    }
    let mut meta_columns = Map::new();
    for (table, old, new) in &snapshot.renames.columns {
        meta_columns.insert(
            format!("\"{table}\".\"{old}\""),
            json!(format!("\"{table}\".\"{new}\"")),
        );
    }
    root.insert(
        "_meta".into(),
        json!({ "schemas": {}, "tables": meta_tables, "columns": meta_columns }),
    );
    let mut internal = Map::new();
    internal.insert("indexes".into(), Value::Object(internal_indexes));
    // What drizzle-kit's SQLite format has no field for (STRICT, WITHOUT ROWID, COLLATE)
    // goes under `internal`, the one place drizzle-kit accepts, and ignores, keys it does
    // not know: anywhere else it rejects the whole snapshot as malformed.
    let extensions = extensions_json(&snapshot.schema);
    if !extensions.is_empty() {
        internal.insert("tables".into(), Value::Object(extensions));
    }
    root.insert("internal".into(), Value::Object(internal));
    Value::Object(root)
}

/// A SQLite snapshot file, read back.
pub fn read(text: &str) -> Result<Snapshot, SnapshotError> {
    let v: Value = serde_json::from_str(text)?;
    let dialect = str_at(&v, "dialect")?;
    if dialect != "sqlite" {
        return Err(SnapshotError::Unsupported(format!(
            "dialect \"{dialect}\"; expected a SQLite snapshot"
        )));
    }
    let version = str_at(&v, "version")?;
    if version != "6" {
        return Err(SnapshotError::Unsupported(format!(
            "version \"{version}\"; expected \"6\""
        )));
    }
    let expr_columns = |index: &str, col: &str| -> bool {
        v.pointer(&format!(
            "/internal/indexes/{}/columns/{}/isExpression",
            escape(index),
            escape(col)
        ))
        .and_then(Value::as_bool)
        .unwrap_or(false)
    };
    let mut tables = Vec::new();
    for (name, t) in obj_at(&v, "tables")? {
        let ext = v.pointer(&format!("/internal/tables/{}", escape(name)));
        tables.push(table_from_json(name, t, ext, &expr_columns)?);
    }
    Ok(Snapshot {
        id: str_at(&v, "id")?.to_string(),
        prev_id: str_at(&v, "prevId")?.to_string(),
        schema: Schema { tables },
        renames: meta_renames(&v),
    })
}

/// drizzle-kit's `_meta`: `{"\"old\"": "\"new\""}` and `{"\"t\".\"old\"": "\"t\".\"new\""}`.
fn meta_renames(v: &Value) -> Renames {
    let unquote = |s: &str| s.trim_matches('"').to_string();
    let mut r = Renames::default();
    if let Some(tables) = v.pointer("/_meta/tables").and_then(Value::as_object) {
        for (old, new) in tables {
            r.tables.push((unquote(old), unquote(new.as_str().unwrap_or_default())));
        }
    }
    if let Some(cols) = v.pointer("/_meta/columns").and_then(Value::as_object) {
        for (old, new) in cols {
            let new = new.as_str().unwrap_or_default();
            if let (Some((_, o)), Some((t, n))) = (old.split_once("\".\""), new.split_once("\".\"")) {
                r.columns.push((unquote(t), unquote(o), unquote(n)));
            }
        }
    }
    r
}

/// `{"users": {"strict": true, "columns": {"name": {"collate": "NOCASE"}}}}` for the tables
/// that use what drizzle-kit's format cannot say.
fn extensions_json(schema: &Schema) -> Map<String, Value> {
    let mut out = Map::new();
    let mut tables: Vec<&Table> = schema.tables.iter().collect();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    for t in tables {
        let mut m = Map::new();
        if t.options.sqlite.strict {
            m.insert("strict".into(), json!(true));
        }
        if t.options.sqlite.without_rowid {
            m.insert("withoutRowid".into(), json!(true));
        }
        let mut cols = Map::new();
        for c in &t.columns {
            if let Some(coll) = &c.collate {
                cols.insert(c.name.clone(), json!({ "collate": coll }));
            }
        }
        if !cols.is_empty() {
            m.insert("columns".into(), Value::Object(cols));
        }
        // Unique constraints in the definition (drizzle-kit's are indexes), as written.
        let mut uniques = Map::new();
        for u in &t.uniques {
            let kind = match u.kind {
                UniqueKind::Index => continue,
                UniqueKind::Constraint { named } => json!({ "kind": "constraint", "named": named }),
                UniqueKind::Inline => json!({ "kind": "inline" }),
            };
            uniques.insert(u.name.clone(), kind);
        }
        if !uniques.is_empty() {
            m.insert("uniques".into(), Value::Object(uniques));
        }
        // Foreign keys that leave the parent's key implied, or are DEFERRABLE.
        let mut fks = Map::new();
        for fk in &t.foreign_keys {
            let mut f = Map::new();
            if fk.ref_columns.is_empty() {
                f.insert("impliedColumns".into(), json!(true));
            }
            match fk.deferrable {
                Deferrable::No => {}
                Deferrable::InitiallyImmediate => {
                    f.insert("deferrable".into(), json!("immediate"));
                }
                Deferrable::InitiallyDeferred => {
                    f.insert("deferrable".into(), json!("deferred"));
                }
            }
            if !f.is_empty() {
                fks.insert(fk.name.clone(), Value::Object(f));
            }
        }
        if !fks.is_empty() {
            m.insert("foreignKeys".into(), Value::Object(fks));
        }
        // Checks the definition does not name (their model name is only their position).
        let unnamed: Vec<&str> = t.checks.iter().filter(|c| !c.named).map(|c| c.name.as_str()).collect();
        if !unnamed.is_empty() {
            m.insert("unnamedChecks".into(), json!(unnamed));
        }
        if !m.is_empty() {
            out.insert(t.name.clone(), Value::Object(m));
        }
    }
    out
}

fn table_json(t: &Table, schema: &Schema) -> Value {
    let mut columns = Map::new();
    for c in &t.columns {
        columns.insert(c.name.clone(), column_json(c));
    }
    let mut indexes = Map::new();
    for ix in &t.indexes {
        let mut m = Map::new();
        m.insert("name".into(), json!(ix.name));
        let cols = match &ix.target {
            IndexTarget::Columns(c) => c.clone(),
            IndexTarget::Expr(e) => vec![e.clone()],
        };
        m.insert("columns".into(), json!(cols));
        m.insert("isUnique".into(), json!(ix.unique));
        if let Some(w) = &ix.where_clause {
            m.insert("where".into(), json!(w));
        }
        indexes.insert(ix.name.clone(), Value::Object(m));
    }
    let mut fks = Map::new();
    for fk in &t.foreign_keys {
        // drizzle-kit names the parent's columns always: an implied key is spelled out here.
        let columns_to: Vec<String> = if fk.ref_columns.is_empty() {
            schema
                .table(&fk.ref_table)
                .map(|p| p.key_columns().into_iter().map(str::to_string).collect())
                .unwrap_or_default()
        } else {
            fk.ref_columns.clone()
        };
        fks.insert(
            fk.name.clone(),
            json!({
                "name": fk.name,
                "tableFrom": t.name,
                "tableTo": fk.ref_table,
                "columnsFrom": fk.columns,
                "columnsTo": columns_to,
                "onDelete": fk.on_delete.as_str(),
                "onUpdate": fk.on_update.as_str(),
            }),
        );
    }
    let mut pks = Map::new();
    if let Some(pk) = &t.primary_key {
        pks.insert(pk.name.clone(), json!({ "columns": pk.columns, "name": pk.name }));
    }
    let mut uniques = Map::new();
    for u in t.uniques.iter().filter(|u| u.is_constraint()) {
        uniques.insert(u.name.clone(), json!({ "name": u.name, "columns": u.columns }));
    }
    let mut checks = Map::new();
    for ch in &t.checks {
        checks.insert(ch.name.clone(), json!({ "name": ch.name, "value": ch.expr }));
    }
    let mut m = Map::new();
    m.insert("name".into(), json!(t.name));
    m.insert("columns".into(), Value::Object(columns));
    m.insert("indexes".into(), Value::Object(indexes));
    m.insert("foreignKeys".into(), Value::Object(fks));
    m.insert("compositePrimaryKeys".into(), Value::Object(pks));
    m.insert("uniqueConstraints".into(), Value::Object(uniques));
    m.insert("checkConstraints".into(), Value::Object(checks));
    Value::Object(m)
}

fn column_json(c: &Column) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(c.name));
    m.insert("type".into(), json!(Sqlite::type_name(&c.ty)));
    m.insert("primaryKey".into(), json!(c.primary_key));
    m.insert("notNull".into(), json!(c.not_null));
    m.insert("autoincrement".into(), json!(c.autoincrement));
    if let Some(d) = &c.default {
        m.insert("default".into(), default_json(d));
    }
    if let Some(g) = &c.generated {
        m.insert(
            "generated".into(),
            json!({ "as": format!("({})", g.expr), "type": if g.stored { "stored" } else { "virtual" } }),
        );
    }
    Value::Object(m)
}

/// Numbers and booleans as JSON values, strings SQL-quoted, expressions verbatim: drizzle-kit's
/// encoding, which keeps `0` / `false` distinct from `'0'` / `'false'`.
fn default_json(d: &DefaultValue) -> Value {
    match d {
        DefaultValue::Int(v) => json!(v),
        DefaultValue::Real(v) => v
            .parse::<serde_json::Number>()
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(v.clone())),
        DefaultValue::Bool(b) => json!(b),
        DefaultValue::Text(s) => json!(string_literal(s)),
        DefaultValue::Sql(s) => json!(s),
    }
}

fn default_from_json(v: &Value) -> Option<DefaultValue> {
    match v {
        Value::Number(n) if n.is_i64() => n.as_i64().map(DefaultValue::Int),
        Value::Number(n) => Some(DefaultValue::Real(n.to_string())),
        Value::Bool(b) => Some(DefaultValue::Bool(*b)),
        Value::String(s) => Some(match unquote_string_literal(s) {
            Some(text) => DefaultValue::Text(text),
            None => DefaultValue::Sql(s.clone()),
        }),
        _ => None,
    }
}

fn table_from_json(
    name: &str,
    t: &Value,
    ext: Option<&Value>,
    expr_columns: &dyn Fn(&str, &str) -> bool,
) -> Result<Table, SnapshotError> {
    let path = |k: &str| format!("tables.{name}.{k}");
    let mut table = Table::new(name);
    for (cname, c) in obj(t, "columns", &path("columns"))? {
        let cp = |k: &str| format!("tables.{name}.columns.{cname}.{k}");
        let mut col = Column::new(
            cname.clone(),
            LogicalType::Sql(str_field(c, "type", &cp("type"))?.to_string()),
        );
        col.primary_key = bool_field(c, "primaryKey", &cp("primaryKey"))?;
        col.not_null = bool_field(c, "notNull", &cp("notNull"))?;
        col.autoincrement = c.get("autoincrement").and_then(Value::as_bool).unwrap_or(false);
        col.default = c.get("default").and_then(default_from_json);
        if let Some(g) = c.get("generated") {
            // drizzle-kit writes `(expr)`; anything else is not a generated expression.
            let written = str_field(g, "as", &cp("generated.as"))?;
            let expr = strip_parens(written);
            if expr == written.trim() {
                return Err(SnapshotError::Field {
                    path: cp("generated.as"),
                });
            }
            col.generated = Some(Generated {
                expr: expr.to_string(),
                stored: str_field(g, "type", &cp("generated.type"))? == "stored",
            });
        }
        col.collate = ext
            .and_then(|e| e.pointer(&format!("/columns/{}/collate", escape(cname))))
            .and_then(Value::as_str)
            .map(str::to_string);
        table.columns.push(col);
    }
    for (iname, ix) in obj(t, "indexes", &path("indexes"))? {
        let cols = strings(ix, "columns", &path(&format!("indexes.{iname}.columns")))?;
        let target = if cols.iter().any(|c| expr_columns(iname, c)) {
            IndexTarget::Expr(cols.join(", "))
        } else {
            IndexTarget::Columns(cols)
        };
        table.indexes.push(Index {
            name: iname.clone(),
            target,
            unique: ix.get("isUnique").and_then(Value::as_bool).unwrap_or(false),
            where_clause: ix.get("where").and_then(Value::as_str).map(str::to_string),
        });
    }
    for (fname, fk) in obj(t, "foreignKeys", &path("foreignKeys"))? {
        let fp = |k: &str| format!("tables.{name}.foreignKeys.{fname}.{k}");
        let action = |k: &str| -> Result<FkAction, SnapshotError> {
            match fk.get(k).and_then(Value::as_str) {
                None => Ok(FkAction::NoAction),
                Some(s) => FkAction::parse(s).ok_or(SnapshotError::Field { path: fp(k) }),
            }
        };
        let fk_ext = ext.and_then(|e| e.pointer(&format!("/foreignKeys/{}", escape(fname))));
        let implied = fk_ext
            .and_then(|f| f.get("impliedColumns"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let deferrable = match fk_ext.and_then(|f| f.get("deferrable")).and_then(Value::as_str) {
            None => Deferrable::No,
            Some("immediate") => Deferrable::InitiallyImmediate,
            Some("deferred") => Deferrable::InitiallyDeferred,
            Some(_) => {
                return Err(SnapshotError::Field {
                    path: format!("internal.tables.{name}.foreignKeys.{fname}.deferrable"),
                });
            }
        };
        let ref_columns = strings(fk, "columnsTo", &fp("columnsTo"))?;
        table.foreign_keys.push(ForeignKey {
            name: fname.clone(),
            columns: strings(fk, "columnsFrom", &fp("columnsFrom"))?,
            ref_table: str_field(fk, "tableTo", &fp("tableTo"))?.to_string(),
            ref_columns: if implied { Vec::new() } else { ref_columns },
            on_delete: action("onDelete")?,
            on_update: action("onUpdate")?,
            deferrable,
        });
    }
    if let Some((pname, pk)) = obj(t, "compositePrimaryKeys", &path("compositePrimaryKeys"))?
        .iter()
        .next()
    {
        table.primary_key = Some(PrimaryKey {
            name: pname.clone(),
            columns: strings(pk, "columns", &path("compositePrimaryKeys.columns"))?,
        });
    }
    // drizzle-kit keeps SQLite unique constraints as unique indexes; a snapshot written by an
    // older version may still list them here, and they mean the same. Ours are constraints
    // in the table's definition, marked so under `internal`.
    if let Some(uniques) = t.get("uniqueConstraints").and_then(Value::as_object) {
        for (uname, u) in uniques {
            let columns = strings(u, "columns", &path("uniqueConstraints.columns"))?;
            let u_ext = ext.and_then(|e| e.pointer(&format!("/uniques/{}", escape(uname))));
            let kind = match u_ext.and_then(|u| u.get("kind")).and_then(Value::as_str) {
                Some("constraint") => UniqueKind::Constraint {
                    named: u_ext
                        .and_then(|u| u.get("named"))
                        .and_then(Value::as_bool)
                        .unwrap_or(true),
                },
                Some("inline") => UniqueKind::Inline,
                _ => {
                    table.indexes.push(Index {
                        name: uname.clone(),
                        target: IndexTarget::Columns(columns),
                        unique: true,
                        where_clause: None,
                    });
                    continue;
                }
            };
            table.uniques.push(Unique {
                name: uname.clone(),
                columns,
                kind,
            });
        }
    }
    let unnamed_checks: Vec<&str> = ext
        .and_then(|e| e.get("unnamedChecks"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(checks) = t.get("checkConstraints").and_then(Value::as_object) {
        for (cname, ch) in checks {
            table.checks.push(Check {
                name: cname.clone(),
                expr: str_field(ch, "value", &path(&format!("checkConstraints.{cname}.value")))?.to_string(),
                named: !unnamed_checks.contains(&cname.as_str()),
            });
        }
    }
    table.options.sqlite.strict = ext
        .and_then(|e| e.get("strict"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    table.options.sqlite.without_rowid = ext
        .and_then(|e| e.get("withoutRowid"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(table)
}

/// A JSON pointer segment: `~` and `/` escaped.
fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn str_at<'a>(v: &'a Value, key: &str) -> Result<&'a str, SnapshotError> {
    str_field(v, key, key)
}

fn obj_at<'a>(v: &'a Value, key: &str) -> Result<&'a Map<String, Value>, SnapshotError> {
    obj(v, key, key)
}

fn str_field<'a>(v: &'a Value, key: &str, path: &str) -> Result<&'a str, SnapshotError> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| SnapshotError::Field { path: path.to_string() })
}

fn bool_field(v: &Value, key: &str, path: &str) -> Result<bool, SnapshotError> {
    v.get(key)
        .and_then(Value::as_bool)
        .ok_or_else(|| SnapshotError::Field { path: path.to_string() })
}

fn obj<'a>(v: &'a Value, key: &str, path: &str) -> Result<&'a Map<String, Value>, SnapshotError> {
    v.get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| SnapshotError::Field { path: path.to_string() })
}

fn strings(v: &Value, key: &str, path: &str) -> Result<Vec<String>, SnapshotError> {
    let err = || SnapshotError::Field { path: path.to_string() };
    v.get(key)
        .and_then(Value::as_array)
        .ok_or_else(err)?
        .iter()
        .map(|s| s.as_str().map(str::to_string).ok_or_else(err))
        .collect()
}
