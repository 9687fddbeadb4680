//! drizzle-kit's PostgreSQL snapshot (`meta/NNNN_snapshot.json`, version "7"): written from a
//! normalized schema in drizzle-kit's key order (FORMAT.md), read back into one. What the
//! format has no field for (a DEFERRABLE foreign key) goes under `internal`, which drizzle-kit
//! accepts and ignores.

use std::io;

use schema_model::sql::{string_literal, unquote_string_literal};
use serde_json::{Map, Value, json};

use super::render::is_identity;
use crate::diff::Renames;
use crate::json::{Pretty, Val, repeats};
use crate::model::{
    Check, Column, DefaultValue, Deferrable, EnumType, FkAction, ForeignKey, Generated, Index, IndexTarget,
    LogicalType, PrimaryKey, Schema, Table, Unique, UniqueKind,
};
use crate::snapshot::{Help, Snapshot, SnapshotError, SnapshotText, bool_field, obj_or_empty, str_field, strings};

use super::render::{Names, table_key as key};

/// How this dialect's snapshot file is written.
static TEXT: SnapshotText = SnapshotText {
    repeats_a_key,
    tree: to_json,
    members: write_into,
};

/// The snapshot as drizzle-kit writes it: pretty-printed with two spaces, no final newline
/// ([`SnapshotText`]).
pub fn write(snapshot: &Snapshot) -> String {
    TEXT.text(snapshot)
}

/// Whether some object of the snapshot would get one key twice (conservative: any repeated
/// name among the keys of one of its maps).
fn repeats_a_key(snapshot: &Snapshot) -> bool {
    let schema = &snapshot.schema;
    let tables = &schema.tables;
    repeats(tables.iter().map(key))
        || tables.iter().any(|t| {
            repeats(t.columns.iter().map(|c| c.name.as_str()))
                || repeats(t.indexes.iter().map(|i| i.name.as_str()))
                || t.indexes
                    .iter()
                    .any(|i| repeats(i.options.with.iter().map(|(k, _)| k.as_str())))
                || repeats(t.foreign_keys.iter().map(|f| f.name.as_str()))
                || repeats(t.uniques.iter().map(|u| u.name.as_str()))
                || repeats(t.checks.iter().map(|c| c.name.as_str()))
        })
        || repeats(schema.enum_types().iter().map(|e| e.key()))
        || repeats(schema.sequences.iter().map(|q| q.key()))
        || repeats(super::render::namespaces(schema).iter())
        || repeats(snapshot.renames.tables.iter().map(|(old, _)| old.as_str()))
        || repeats(snapshot.renames.columns.iter().map(|(t, old, _)| format!("{t}.{old}")))
}

/// [`write`] straight into `out`, a piece at a time: the text is not held whole.
pub fn write_to(snapshot: &Snapshot, out: &mut dyn io::Write, help: Option<&Help>) -> io::Result<()> {
    TEXT.write_to(snapshot, out, help)
}

/// The snapshot's members, in `to_json`'s order, into `w`.
fn write_into(snapshot: &Snapshot, w: &mut Pretty<'_>) {
    let schema = &snapshot.schema;
    let mut tables: Vec<&Table> = schema.tables.iter().collect();
    tables.sort_by_key(|t| key(t));
    let names = Names::of(&schema.tables);
    w.begin_object();
    w.str_member("id", &snapshot.id);
    w.str_member("prevId", &snapshot.prev_id);
    w.str_member("version", "7");
    w.str_member("dialect", "postgresql");
    w.key("tables");
    w.begin_object();
    w.members(&tables, &|w, t| {
        w.key(&key(t));
        write_table(w, t, &names);
    });
    // A sink that refused text (a full disk, a snapshot no longer wanted) gets no more.
    if w.stopped() {
        return;
    }
    w.end_object();
    let mut enums: Vec<&EnumType> = schema.enum_types();
    enums.sort_by_key(|e| e.key());
    w.key("enums");
    w.begin_object();
    for e in enums {
        w.key(&e.key());
        w.begin_object();
        w.str_member("name", &e.name);
        w.str_member("schema", e.schema.as_deref().unwrap_or("public"));
        w.strings_member("values", &e.values);
        w.end_object();
    }
    w.end_object();
    w.key("schemas");
    w.begin_object();
    for ns in super::render::namespaces(schema) {
        w.str_member(&ns, &ns);
    }
    w.end_object();
    let mut sequences: Vec<crate::model::Sequence> =
        schema.sequences.iter().map(super::render::sequence_options).collect();
    sequences.sort_by_key(|s| s.key());
    let text = |v: Option<i64>| v.unwrap_or_default().to_string();
    w.key("sequences");
    w.begin_object();
    for q in sequences {
        w.key(&q.key());
        w.begin_object();
        w.str_member("name", &q.name);
        w.str_member("schema", q.schema.as_deref().unwrap_or("public"));
        w.str_member("increment", &text(q.increment));
        w.str_member("startWith", &text(q.start_with));
        w.str_member("minValue", &text(q.min_value));
        w.str_member("maxValue", &text(q.max_value));
        w.str_member("cache", &text(q.cache));
        w.bool_member("cycle", q.cycle);
        w.end_object();
    }
    w.end_object();
    for k in ["roles", "policies", "views"] {
        w.empty_object_member(k);
    }
    w.key("_meta");
    w.begin_object();
    w.key("columns");
    w.begin_object();
    for (table, old, new) in &snapshot.renames.columns {
        w.str_member(
            &format!("\"public\".\"{table}\".\"{old}\""),
            &format!("\"public\".\"{table}\".\"{new}\""),
        );
    }
    w.end_object();
    w.empty_object_member("schemas");
    w.key("tables");
    w.begin_object();
    for (old, new) in &snapshot.renames.tables {
        w.str_member(&format!("\"public\".\"{old}\""), &format!("\"public\".\"{new}\""));
    }
    w.end_object();
    w.end_object();
    let deferrable = |fk: &ForeignKey| match fk.deferrable {
        Deferrable::No => None,
        Deferrable::InitiallyImmediate => Some("immediate"),
        Deferrable::InitiallyDeferred => Some("deferred"),
    };
    let with_internal: Vec<&&Table> = tables
        .iter()
        .filter(|t| t.foreign_keys.iter().any(|fk| deferrable(fk).is_some()))
        .collect();
    if !with_internal.is_empty() {
        w.key("internal");
        w.begin_object();
        w.key("tables");
        w.begin_object();
        for t in with_internal {
            w.key(&key(t));
            w.begin_object();
            w.key("foreignKeys");
            w.begin_object();
            for fk in &t.foreign_keys {
                if let Some(d) = deferrable(fk) {
                    w.key(&fk.name);
                    w.begin_object();
                    w.str_member("deferrable", d);
                    w.end_object();
                }
            }
            w.end_object();
            w.end_object();
        }
        w.end_object();
        w.end_object();
    }
    w.end_object();
}

fn write_table(w: &mut Pretty, t: &Table, names: &Names) {
    let schema = t.options.postgres.schema.as_deref();
    w.begin_object();
    w.str_member("name", &t.name);
    w.str_member("schema", schema.unwrap_or(""));
    w.key("columns");
    w.begin_object();
    for c in &t.columns {
        w.key(&c.name);
        write_column(w, &t.name, schema, c);
    }
    w.end_object();
    w.key("indexes");
    w.begin_object();
    for ix in &t.indexes {
        w.key(&ix.name);
        w.begin_object();
        w.str_member("name", &ix.name);
        w.key("columns");
        w.begin_array();
        let mut index_key = |i: usize, expression: &str, is_expression: bool| {
            let o = ix.options.column(i);
            w.item();
            w.begin_object();
            w.str_member("expression", expression);
            if is_expression {
                w.bool_member("asc", !o.desc);
                w.bool_member("isExpression", true);
            } else {
                w.bool_member("isExpression", false);
                w.bool_member("asc", !o.desc);
            }
            w.str_member("nulls", if o.nulls_first { "first" } else { "last" });
            if let Some(class) = &o.opclass {
                w.str_member("opclass", class);
            }
            w.end_object();
        };
        match &ix.target {
            IndexTarget::Columns(cs) => {
                for (i, c) in cs.iter().enumerate() {
                    index_key(i, c, false);
                }
            }
            IndexTarget::Expr(e) => index_key(0, e, true),
        }
        w.end_array();
        w.bool_member("isUnique", ix.unique);
        if let Some(wh) = &ix.where_clause {
            w.str_member("where", wh);
        }
        w.bool_member("concurrently", ix.options.concurrently);
        w.str_member("method", ix.options.method.as_deref().unwrap_or("btree"));
        w.key("with");
        w.begin_object();
        for (k, v) in &ix.options.with {
            w.key(k);
            w.scalar(&storage_parameter(v));
        }
        w.end_object();
        w.end_object();
    }
    w.end_object();
    w.key("foreignKeys");
    w.begin_object();
    for fk in &t.foreign_keys {
        w.key(&fk.name);
        w.begin_object();
        w.str_member("name", &fk.name);
        w.str_member("tableFrom", &t.name);
        w.str_member("tableTo", &fk.ref_table);
        if let Some(s) = names.schema(&fk.ref_table) {
            w.str_member("schemaTo", s);
        }
        w.strings_member("columnsFrom", &fk.columns);
        w.strings_member("columnsTo", &fk.ref_columns);
        w.str_member("onDelete", fk.on_delete.as_str());
        w.str_member("onUpdate", fk.on_update.as_str());
        w.end_object();
    }
    w.end_object();
    w.key("compositePrimaryKeys");
    w.begin_object();
    if let Some(pk) = &t.primary_key {
        w.key(&pk.name);
        w.begin_object();
        w.str_member("name", &pk.name);
        w.strings_member("columns", &pk.columns);
        w.end_object();
    }
    w.end_object();
    w.key("uniqueConstraints");
    w.begin_object();
    for u in &t.uniques {
        w.key(&u.name);
        w.begin_object();
        w.str_member("name", &u.name);
        w.bool_member("nullsNotDistinct", u.nulls_not_distinct);
        w.strings_member("columns", &u.columns);
        w.end_object();
    }
    w.end_object();
    w.empty_object_member("policies");
    w.key("checkConstraints");
    w.begin_object();
    for ch in &t.checks {
        w.key(&ch.name);
        w.begin_object();
        w.str_member("name", &ch.name);
        w.str_member("value", &ch.expr);
        w.end_object();
    }
    w.end_object();
    w.bool_member("isRLSEnabled", false);
    w.end_object();
}

fn write_column(w: &mut Pretty, table: &str, schema: Option<&str>, c: &Column) {
    w.begin_object();
    w.str_member("name", &c.name);
    match &c.ty {
        LogicalType::Sql(s) => w.str_member("type", s),
        other => w.str_member("type", &super::render::type_name(other)),
    }
    if let Some(e) = c.ty.enum_type() {
        w.str_member("typeSchema", e.schema.as_deref().unwrap_or("public"));
    }
    w.bool_member("primaryKey", c.primary_key);
    w.bool_member("notNull", c.not_null);
    if let Some(g) = &c.generated {
        w.key("generated");
        w.begin_object();
        w.str_member("as", &g.expr);
        w.str_member("type", "stored");
        w.end_object();
    }
    if is_identity(c) {
        let o = super::render::identity_options(table, c);
        let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        w.key("identity");
        w.begin_object();
        w.str_member("type", "byDefault");
        match &o.name {
            Some(name) => w.str_member("name", name),
            None => {
                w.key("name");
                w.scalar(&Value::Null);
            }
        }
        w.str_member("schema", schema.unwrap_or("public"));
        w.str_member("increment", &n(o.increment));
        w.str_member("startWith", &n(o.start_with));
        w.str_member("minValue", &n(o.min_value));
        w.str_member("maxValue", &n(o.max_value));
        w.str_member("cache", &n(o.cache));
        w.bool_member("cycle", o.cycle);
        w.end_object();
    }
    if let Some(d) = &c.default {
        w.key("default");
        match d {
            DefaultValue::Int(i) => w.int(*i),
            DefaultValue::Bool(b) => w.bool(*b),
            DefaultValue::Text(s) => w.string(&string_literal(s)),
            DefaultValue::Sql(s) => w.string(s),
            DefaultValue::Real(_) => w.scalar(&default_json(d)),
        }
    }
    w.end_object();
}

/// A storage parameter's value as drizzle-kit keeps it: a number or a boolean as one.
fn storage_parameter(v: &str) -> Value {
    if let Ok(n) = v.parse::<i64>() {
        json!(n)
    } else if let Some(f) = v.parse::<f64>().ok().filter(|f| f.is_finite() && v.contains('.')) {
        json!(f)
    } else if v == "true" || v == "false" {
        json!(v == "true")
    } else {
        json!(v)
    }
}

/// A column's default as the snapshot holds it.
fn default_json(d: &DefaultValue) -> Value {
    match d {
        DefaultValue::Int(i) => json!(i),
        DefaultValue::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| json!(r), Value::Number),
        DefaultValue::Bool(b) => json!(b),
        DefaultValue::Text(s) => json!(string_literal(s)),
        DefaultValue::Sql(s) => json!(s),
    }
}

fn to_json(snapshot: &Snapshot) -> Value {
    let mut tables: Vec<&Table> = snapshot.schema.tables.iter().collect();
    tables.sort_by_key(|t| key(t));
    let names = Names::of(&snapshot.schema.tables);
    let mut tables_json = Map::new();
    let mut internal = Map::new();
    for t in tables {
        tables_json.insert(key(t), table_json(t, &names));
        let mut fks = Map::new();
        for fk in &t.foreign_keys {
            let d = match fk.deferrable {
                Deferrable::No => continue,
                Deferrable::InitiallyImmediate => "immediate",
                Deferrable::InitiallyDeferred => "deferred",
            };
            fks.insert(fk.name.clone(), json!({ "deferrable": d }));
        }
        if !fks.is_empty() {
            internal.insert(key(t), json!({ "foreignKeys": fks }));
        }
    }
    let mut meta_tables = Map::new();
    for (old, new) in &snapshot.renames.tables {
        meta_tables.insert(format!("\"public\".\"{old}\""), json!(format!("\"public\".\"{new}\"")));
    }
    let mut meta_columns = Map::new();
    for (table, old, new) in &snapshot.renames.columns {
        meta_columns.insert(
            format!("\"public\".\"{table}\".\"{old}\""),
            json!(format!("\"public\".\"{table}\".\"{new}\"")),
        );
    }
    let mut root = Map::new();
    root.insert("id".into(), json!(snapshot.id));
    root.insert("prevId".into(), json!(snapshot.prev_id));
    root.insert("version".into(), json!("7"));
    root.insert("dialect".into(), json!("postgresql"));
    root.insert("tables".into(), Value::Object(tables_json));
    let mut enums: Vec<&EnumType> = snapshot.schema.enum_types();
    enums.sort_by_key(|e| e.key());
    let mut enums_json = Map::new();
    for e in enums {
        enums_json.insert(
            e.key(),
            json!({ "name": e.name, "schema": e.schema.as_deref().unwrap_or("public"), "values": e.values }),
        );
    }
    root.insert("enums".into(), Value::Object(enums_json));
    let mut schemas = Map::new();
    for ns in super::render::namespaces(&snapshot.schema) {
        schemas.insert(ns.clone(), json!(ns));
    }
    root.insert("schemas".into(), Value::Object(schemas));
    let mut sequences: Vec<crate::model::Sequence> = snapshot
        .schema
        .sequences
        .iter()
        .map(super::render::sequence_options)
        .collect();
    sequences.sort_by_key(|s| s.key());
    let mut sequences_json = Map::new();
    let text = |v: Option<i64>| v.unwrap_or_default().to_string();
    for s in sequences {
        sequences_json.insert(
            s.key(),
            json!({
                "name": s.name,
                "schema": s.schema.as_deref().unwrap_or("public"),
                "increment": text(s.increment),
                "startWith": text(s.start_with),
                "minValue": text(s.min_value),
                "maxValue": text(s.max_value),
                "cache": text(s.cache),
                "cycle": s.cycle,
            }),
        );
    }
    root.insert("sequences".into(), Value::Object(sequences_json));
    for k in ["roles", "policies", "views"] {
        root.insert(k.into(), json!({}));
    }
    root.insert(
        "_meta".into(),
        json!({ "columns": meta_columns, "schemas": {}, "tables": meta_tables }),
    );
    if !internal.is_empty() {
        root.insert("internal".into(), json!({ "tables": internal }));
    }
    Value::Object(root)
}

fn table_json(t: &Table, names: &Names) -> Value {
    let schema = t.options.postgres.schema.as_deref();
    let mut columns = Map::new();
    for c in &t.columns {
        columns.insert(c.name.clone(), column_json(&t.name, schema, c));
    }
    let mut indexes = Map::new();
    for ix in &t.indexes {
        // drizzle-kit's key order: an expression's `asc` comes before `isExpression`.
        let key = |i: usize, expression: &str, is_expression: bool| {
            let o = ix.options.column(i);
            let mut m = Map::new();
            m.insert("expression".into(), json!(expression));
            if is_expression {
                m.insert("asc".into(), json!(!o.desc));
                m.insert("isExpression".into(), json!(true));
            } else {
                m.insert("isExpression".into(), json!(false));
                m.insert("asc".into(), json!(!o.desc));
            }
            m.insert("nulls".into(), json!(if o.nulls_first { "first" } else { "last" }));
            if let Some(class) = &o.opclass {
                m.insert("opclass".into(), json!(class));
            }
            Value::Object(m)
        };
        let cols: Vec<Value> = match &ix.target {
            IndexTarget::Columns(cs) => cs.iter().enumerate().map(|(i, c)| key(i, c, false)).collect(),
            IndexTarget::Expr(e) => vec![key(0, e, true)],
        };
        let mut m = Map::new();
        m.insert("name".into(), json!(ix.name));
        m.insert("columns".into(), Value::Array(cols));
        m.insert("isUnique".into(), json!(ix.unique));
        if let Some(w) = &ix.where_clause {
            m.insert("where".into(), json!(w));
        }
        m.insert("concurrently".into(), json!(ix.options.concurrently));
        m.insert("method".into(), json!(ix.options.method.as_deref().unwrap_or("btree")));
        let with: Map<String, Value> = ix
            .options
            .with
            .iter()
            .map(|(k, v)| (k.clone(), storage_parameter(v)))
            .collect();
        m.insert("with".into(), Value::Object(with));
        indexes.insert(ix.name.clone(), Value::Object(m));
    }
    let mut fks = Map::new();
    for fk in &t.foreign_keys {
        let mut m = Map::new();
        m.insert("name".into(), json!(fk.name));
        m.insert("tableFrom".into(), json!(t.name));
        m.insert("tableTo".into(), json!(fk.ref_table));
        // Only for a parent outside `public`, as drizzle-kit writes it.
        if let Some(s) = names.schema(&fk.ref_table) {
            m.insert("schemaTo".into(), json!(s));
        }
        m.insert("columnsFrom".into(), json!(fk.columns));
        m.insert("columnsTo".into(), json!(fk.ref_columns));
        m.insert("onDelete".into(), json!(fk.on_delete.as_str()));
        m.insert("onUpdate".into(), json!(fk.on_update.as_str()));
        fks.insert(fk.name.clone(), Value::Object(m));
    }
    let mut pks = Map::new();
    if let Some(pk) = &t.primary_key {
        pks.insert(pk.name.clone(), json!({ "name": pk.name, "columns": pk.columns }));
    }
    let mut uniques = Map::new();
    for u in &t.uniques {
        uniques.insert(
            u.name.clone(),
            json!({ "name": u.name, "nullsNotDistinct": u.nulls_not_distinct, "columns": u.columns }),
        );
    }
    let mut checks = Map::new();
    for ch in &t.checks {
        checks.insert(ch.name.clone(), json!({ "name": ch.name, "value": ch.expr }));
    }
    json!({
        "name": t.name,
        "schema": schema.unwrap_or(""),
        "columns": columns,
        "indexes": indexes,
        "foreignKeys": fks,
        "compositePrimaryKeys": pks,
        "uniqueConstraints": uniques,
        "policies": {},
        "checkConstraints": checks,
        "isRLSEnabled": false,
    })
}

fn column_json(table: &str, schema: Option<&str>, c: &Column) -> Value {
    let ty = match &c.ty {
        LogicalType::Sql(s) => s.clone(),
        other => super::render::type_name(other),
    };
    let mut m = Map::new();
    m.insert("name".into(), json!(c.name));
    m.insert("type".into(), json!(ty));
    if let Some(e) = c.ty.enum_type() {
        m.insert("typeSchema".into(), json!(e.schema.as_deref().unwrap_or("public")));
    }
    m.insert("primaryKey".into(), json!(c.primary_key));
    m.insert("notNull".into(), json!(c.not_null));
    if let Some(g) = &c.generated {
        m.insert("generated".into(), json!({ "as": g.expr, "type": "stored" }));
    }
    if is_identity(c) {
        let o = super::render::identity_options(table, c);
        let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        m.insert(
            "identity".into(),
            json!({
                "type": "byDefault",
                "name": o.name,
                "schema": schema.unwrap_or("public"),
                "increment": n(o.increment),
                "startWith": n(o.start_with),
                "minValue": n(o.min_value),
                "maxValue": n(o.max_value),
                "cache": n(o.cache),
                "cycle": o.cycle,
            }),
        );
    }
    if let Some(d) = &c.default {
        m.insert("default".into(), default_json(d));
    }
    Value::Object(m)
}

/// A PostgreSQL snapshot file, read back.
pub fn read(text: &str) -> Result<Snapshot, SnapshotError> {
    let v = Val::parse(text)?;
    let dialect = str_field(&v, "dialect", "dialect")?;
    if dialect != "postgresql" {
        return Err(SnapshotError::Unsupported(format!(
            "dialect \"{dialect}\"; expected a PostgreSQL snapshot"
        )));
    }
    let version = str_field(&v, "version", "version")?;
    if version != "7" {
        return Err(SnapshotError::Unsupported(format!(
            "version \"{version}\"; expected \"7\""
        )));
    }
    for k in ["views", "roles", "policies"] {
        if v.get(k).and_then(Val::as_object).is_some_and(|m| !m.is_empty()) {
            return Err(SnapshotError::Unsupported(format!(
                "its `{k}` are not supported by this version"
            )));
        }
    }
    let mut enums = Vec::new();
    for (k, e) in obj_or_empty(&v, "enums", "enums")? {
        let at = |f: &str| format!("enums.{k}.{f}");
        let schema = str_field(e, "schema", &|| at("schema"))?;
        enums.push(EnumType {
            name: str_field(e, "name", &|| at("name"))?.to_string(),
            schema: (schema != "public").then(|| schema.to_string()),
            values: strings(e, "values", &|| at("values"))?,
        });
    }
    let mut sequences = Vec::new();
    if let Some(all) = v.get("sequences").and_then(Val::as_object) {
        for (k, q) in all {
            let at = |f: &str| format!("sequences.{k}.{f}");
            let number = |key: &str| -> Result<Option<i64>, SnapshotError> {
                let value = match q.get(key) {
                    None | Some(Val::Null) => return Ok(None),
                    Some(Val::Str(s)) => s.parse().ok(),
                    Some(Val::Number(n)) => n.as_i64(),
                    Some(_) => None,
                };
                value.map(Some).ok_or_else(|| SnapshotError::Field { path: at(key) })
            };
            let schema = str_field(q, "schema", &|| at("schema"))?;
            sequences.push(crate::model::Sequence {
                name: str_field(q, "name", &|| at("name"))?.to_string(),
                schema: (schema != "public").then(|| schema.to_string()),
                increment: number("increment")?,
                min_value: number("minValue")?,
                max_value: number("maxValue")?,
                start_with: number("startWith")?,
                cache: number("cache")?,
                cycle: q.get("cycle").and_then(Val::as_bool).unwrap_or(false),
            });
        }
    }
    let tables_json = obj_or_empty(&v, "tables", "tables")?;
    let mut tables = Vec::with_capacity(tables_json.len());
    for (k, t) in tables_json {
        let schema = t.get("schema").and_then(Val::as_str).unwrap_or("");
        let internal = v.at(&["internal", "tables", k]);
        let mut table = table_from_json(t, &|| format!("tables.{k}"), internal, &enums)?;
        if !schema.is_empty() && schema != "public" {
            table.options.postgres.schema = Some(schema.to_string());
        }
        tables.push(table);
    }
    Ok(Snapshot {
        id: str_field(&v, "id", "id")?.to_string(),
        prev_id: str_field(&v, "prevId", "prevId")?.to_string(),
        schema: Schema {
            tables,
            enums,
            sequences,
        },
        renames: meta_renames(&v),
    })
}

fn meta_renames(v: &Val<'_>) -> Renames {
    let parts = |s: &str| -> Vec<String> { s.split("\".\"").map(|p| p.trim_matches('"').to_string()).collect() };
    let mut r = Renames::default();
    if let Some(tables) = v.at(&["_meta", "tables"]).and_then(Val::as_object) {
        for (old, new) in tables {
            if let (Some(o), Some(n)) = (parts(old).pop(), parts(new.as_str().unwrap_or_default()).pop()) {
                r.tables.push((o, n));
            }
        }
    }
    if let Some(cols) = v.at(&["_meta", "columns"]).and_then(Val::as_object) {
        for (old, new) in cols {
            let (o, n) = (parts(old), parts(new.as_str().unwrap_or_default()));
            if o.len() >= 2 && n.len() >= 2 {
                r.columns
                    .push((n[n.len() - 2].clone(), o[o.len() - 1].clone(), n[n.len() - 1].clone()));
            }
        }
    }
    r
}

/// A table of the snapshot; `path` makes its path (`tables.public.users`) for an error.
fn table_from_json(
    t: &Val<'_>,
    path: &dyn Fn() -> String,
    internal: Option<&Val<'_>>,
    enums: &[EnumType],
) -> Result<Table, SnapshotError> {
    let at = |k: &str| format!("{}.{k}", path());
    let mut table = Table::new(str_field(t, "name", &|| at("name"))?);
    let columns = obj_or_empty(t, "columns", &|| at("columns"))?;
    // Room for every column at once, as SQLite's reader makes it.
    table.columns.reserve_exact(columns.len());
    for (name, c) in columns {
        table
            .columns
            .push(column_from_json(c, &|| at(&format!("columns.{name}")), enums)?);
    }
    for (name, ix) in obj_or_empty(t, "indexes", &|| at("indexes"))? {
        let p = |k: &str| at(&format!("indexes.{name}.{k}"));
        let cols = ix
            .get("columns")
            .and_then(Val::as_array)
            .ok_or_else(|| SnapshotError::Field { path: p("columns") })?;
        let target = match cols {
            [one] if one.get("isExpression").and_then(Val::as_bool) == Some(true) => {
                IndexTarget::Expr(str_field(one, "expression", &|| p("expression"))?.to_string())
            }
            _ => IndexTarget::Columns(
                cols.iter()
                    .map(|c| str_field(c, "expression", &|| p("expression")).map(String::from))
                    .collect::<Result<_, _>>()?,
            ),
        };
        table.indexes.push(Index {
            name: str_field(ix, "name", &|| p("name"))?.to_string(),
            target,
            unique: bool_field(ix, "isUnique", &|| p("isUnique"))?,
            where_clause: ix.get("where").and_then(Val::as_str).map(String::from),
            options: crate::model::IndexOptions {
                method: ix
                    .get("method")
                    .and_then(Val::as_str)
                    .filter(|m| *m != "btree")
                    .map(String::from),
                concurrently: ix.get("concurrently").and_then(Val::as_bool) == Some(true),
                columns: cols
                    .iter()
                    .map(|c| crate::model::IndexColumn {
                        desc: c.get("asc").and_then(Val::as_bool) == Some(false),
                        nulls_first: c.get("nulls").and_then(Val::as_str) == Some("first"),
                        opclass: c.get("opclass").and_then(Val::as_str).map(String::from),
                    })
                    .collect(),
                with: match ix.get("with") {
                    None | Some(Val::Null) => Vec::new(),
                    Some(Val::Object(w)) => w
                        .iter()
                        .map(|(k, v)| {
                            let text = match v {
                                Val::Str(s) => s.to_string(),
                                other => json_text(other),
                            };
                            (k.to_string(), text)
                        })
                        .collect(),
                    Some(_) => return Err(SnapshotError::Field { path: p("with") }),
                },
            }
            .trimmed(),
        });
    }
    for (name, fk) in obj_or_empty(t, "foreignKeys", &|| at("foreignKeys"))? {
        let p = |k: &str| at(&format!("foreignKeys.{name}.{k}"));
        let action = |k: &str| -> Result<FkAction, SnapshotError> {
            FkAction::parse(fk.get(k).and_then(Val::as_str).unwrap_or("no action"))
                .ok_or_else(|| SnapshotError::Field { path: p(k) })
        };
        let fk_name = str_field(fk, "name", &|| p("name"))?.to_string();
        let deferrable = match internal
            .and_then(|i| i.at(&["foreignKeys", &fk_name, "deferrable"]))
            .and_then(Val::as_str)
        {
            Some("immediate") => Deferrable::InitiallyImmediate,
            Some("deferred") => Deferrable::InitiallyDeferred,
            _ => Deferrable::No,
        };
        table.foreign_keys.push(ForeignKey {
            name: fk_name,
            columns: strings(fk, "columnsFrom", &|| p("columnsFrom"))?,
            ref_table: str_field(fk, "tableTo", &|| p("tableTo"))?.to_string(),
            ref_columns: strings(fk, "columnsTo", &|| p("columnsTo"))?,
            on_delete: action("onDelete")?,
            on_update: action("onUpdate")?,
            deferrable,
        });
    }
    if let Some((name, pk)) = obj_or_empty(t, "compositePrimaryKeys", &|| at("compositePrimaryKeys"))?
        .iter()
        .next()
    {
        let p = |k: &str| at(&format!("compositePrimaryKeys.{name}.{k}"));
        table.primary_key = Some(PrimaryKey {
            name: str_field(pk, "name", &|| p("name"))?.to_string(),
            columns: strings(pk, "columns", &|| p("columns"))?,
        });
    }
    for (name, u) in obj_or_empty(t, "uniqueConstraints", &|| at("uniqueConstraints"))? {
        let p = |k: &str| at(&format!("uniqueConstraints.{name}.{k}"));
        table.uniques.push(Unique {
            name: str_field(u, "name", &|| p("name"))?.to_string(),
            columns: strings(u, "columns", &|| p("columns"))?,
            kind: UniqueKind::Index,
            nulls_not_distinct: u.get("nullsNotDistinct").and_then(Val::as_bool) == Some(true),
        });
    }
    for (name, ch) in obj_or_empty(t, "checkConstraints", &|| at("checkConstraints"))? {
        let p = |k: &str| at(&format!("checkConstraints.{name}.{k}"));
        table.checks.push(Check {
            name: str_field(ch, "name", &|| p("name"))?.to_string(),
            expr: str_field(ch, "value", &|| p("value"))?.to_string(),
            named: true,
        });
    }
    Ok(table)
}

/// A column of a table; `path` makes its path (`tables.public.users.columns.id`) for an error.
fn column_from_json(c: &Val<'_>, path: &dyn Fn() -> String, enums: &[EnumType]) -> Result<Column, SnapshotError> {
    let at = |k: &str| format!("{}.{k}", path());
    let ty = str_field(c, "type", &|| at("type"))?;
    let logical = match c.get("typeSchema").and_then(Val::as_str) {
        // A column of an enum type, found in the snapshot's `enums`.
        Some(schema) => {
            // `factor[]`: an array of the enum (one dimension, as `Vec<Factor>`).
            let (name, array) = match ty.strip_suffix("[]") {
                Some(element) => (element, true),
                None => (ty, false),
            };
            if name.ends_with(']') {
                return Err(SnapshotError::Unsupported(format!(
                    "{} is an array of `{ty}` with more than one dimension, which this version does not support",
                    path()
                )));
            }
            let schema = (schema != "public").then_some(schema);
            let e = enums
                .iter()
                .find(|e| e.name == name && e.schema.as_deref() == schema)
                .ok_or_else(|| SnapshotError::Field {
                    path: at(&format!("typeSchema (no enum `{name}` in `enums`)")),
                })?;
            if array {
                LogicalType::EnumArray(Box::new(e.clone()))
            } else {
                LogicalType::Enum(Box::new(e.clone()))
            }
        }
        None => LogicalType::Sql(super::render::canonical_type(ty)),
    };
    let mut col = Column::new(str_field(c, "name", &|| at("name"))?, logical);
    col.primary_key = bool_field(c, "primaryKey", &|| at("primaryKey"))?;
    col.not_null = bool_field(c, "notNull", &|| at("notNull"))?;
    if let Some(g) = c.get("generated") {
        col.generated = Some(Generated {
            expr: str_field(g, "as", &|| at("generated.as"))?.to_string(),
            stored: true,
        });
    }
    if let Some(id) = c.get("identity") {
        if str_field(id, "type", &|| at("identity.type"))? != "byDefault" {
            return Err(SnapshotError::Unsupported(format!(
                "{} is GENERATED ALWAYS, which this version does not support yet",
                at("identity")
            )));
        }
        col.autoincrement = true;
        let num = |k: &str| id.get(k).and_then(Val::as_str).and_then(|v| v.parse::<i64>().ok());
        col.identity = Some(Box::new(crate::model::IdentityOptions {
            name: id.get("name").and_then(Val::as_str).map(String::from),
            increment: num("increment"),
            min_value: num("minValue"),
            max_value: num("maxValue"),
            start_with: num("startWith"),
            cache: num("cache"),
            cycle: id.get("cycle").and_then(Val::as_bool) == Some(true),
        }));
    }
    col.default = match c.get("default") {
        None | Some(Val::Null) => None,
        Some(Val::Bool(b)) => Some(DefaultValue::Bool(*b)),
        Some(Val::Number(n)) => Some(match n.as_i64() {
            Some(i) => DefaultValue::Int(i),
            None => DefaultValue::Real(n.to_string()),
        }),
        Some(Val::Str(s)) => Some(default_from_sql(s)),
        Some(_) => return Err(SnapshotError::Field { path: at("default") }),
    };
    Ok(col)
}

/// A value as compact JSON text, as `serde_json::Value`'s `Display` writes it.
fn json_text(v: &Val<'_>) -> String {
    fn value(v: &Val<'_>) -> Value {
        match v {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Number(n) => Value::Number(n.clone()),
            Val::Str(s) => Value::String(s.to_string()),
            Val::Array(a) => Value::Array(a.iter().map(value).collect()),
            Val::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.to_string(), value(v))).collect()),
        }
    }
    value(v).to_string()
}

/// A default as SQL text: a single string literal is text, anything else SQL.
pub fn default_from_sql(s: &str) -> DefaultValue {
    match unquote_string_literal(s) {
        Some(text) => DefaultValue::Text(text),
        None => DefaultValue::Sql(s.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every PostgreSQL snapshot in the repository (drizzle-kit's fixtures, the example's), read.
    fn fixtures() -> Vec<(String, Snapshot)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.to_string_lossy().ends_with("_snapshot.json") {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut paths = Vec::new();
        walk(&root.join("tests/fixtures/drizzle-compat-pg"), &mut paths);
        walk(&root.join("examples/blog/migrations-pg"), &mut paths);
        paths.sort();
        let read_all: Vec<(String, Snapshot)> = paths
            .iter()
            .filter_map(|p| Some((p.display().to_string(), read(&std::fs::read_to_string(p).ok()?).ok()?)))
            .collect();
        assert!(read_all.len() >= 20, "{} snapshots read", read_all.len());
        read_all
    }

    /// A wrong field is named by its full path; an object drizzle-kit's zod schema defaults
    /// to `{}` may be absent, but when it is there it must be an object.
    #[test]
    fn a_wrong_field_is_named_by_its_path() {
        let mut t = Table::new("users");
        t.columns.push(Column::new("id", LogicalType::Sql("integer".into())));
        let snap = Snapshot {
            id: "i".into(),
            prev_id: "p".into(),
            schema: Schema {
                tables: vec![t],
                ..Default::default()
            },
            renames: Default::default(),
        };
        let text = write(&snap);
        let read_edited = |edit: &dyn Fn(&mut Value)| {
            let mut v: Value = serde_json::from_str(&text).unwrap();
            edit(&mut v);
            read(&v.to_string()).map_err(|e| e.to_string())
        };
        let broken = |pointer: &str, to: Value| read_edited(&|v| *v.pointer_mut(pointer).unwrap() = to.clone());
        let said = |path: &str| Err(format!("`{path}` is missing or has the wrong type"));
        assert_eq!(
            broken("/tables/public.users/columns/id/type", json!(7)),
            said("tables.public.users.columns.id.type")
        );
        assert_eq!(
            broken("/tables/public.users/columns/id/notNull", json!("no")),
            said("tables.public.users.columns.id.notNull")
        );
        assert_eq!(
            broken("/tables/public.users/indexes", json!([])),
            said("tables.public.users.indexes")
        );
        let read_without_defaults = read_edited(&|v| {
            let users = v.pointer_mut("/tables/public.users").unwrap().as_object_mut().unwrap();
            for k in [
                "indexes",
                "foreignKeys",
                "compositePrimaryKeys",
                "uniqueConstraints",
                "checkConstraints",
            ] {
                assert!(users.shift_remove(k).is_some(), "{k}");
            }
            assert!(v.as_object_mut().unwrap().shift_remove("enums").is_some());
        });
        assert_eq!(read_without_defaults, Ok(snap));
    }

    /// Every fixture written into a file a piece at a time is the text written whole, one
    /// larger than the writer holds too.
    #[test]
    fn a_snapshot_written_to_a_file_is_the_text_written_whole() {
        let all = fixtures();
        let mut big = all[0].1.clone();
        let template = big.schema.tables[0].clone();
        for i in 0..2000 {
            let mut t = template.clone();
            t.name = format!("{}_{i}", template.name);
            big.schema.tables.push(t);
        }
        assert!(write(&big).len() > 4 * 64 * 1024);
        for snap in all.iter().map(|(_, s)| s).chain([&big]) {
            let mut out = Vec::new();
            write_to(snap, &mut out, None).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), write(snap));
            // And with a second thread's help (2,000 tables are many pieces).
            let help = Help::default();
            help.offer();
            let mut out = Vec::new();
            write_to(snap, &mut out, Some(&help)).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), write(snap));
        }
    }

    #[test]
    fn the_streamed_snapshot_is_the_tree_s_bytes() {
        let tree = |s: &Snapshot| serde_json::to_string_pretty(&to_json(s)).unwrap();
        let all = fixtures();
        for (path, snap) in &all {
            assert!(!repeats_a_key(snap), "{path}");
            assert_eq!(TEXT.streamed(snap), tree(snap), "{path}");
        }
        // What the fixtures do not hold: renames, deferrable keys, every kind of default and
        // of storage parameter, an identity without a name, an index on an expression.
        let mut snap = all
            .iter()
            .map(|(_, s)| s.clone())
            .find(|s| s.schema.tables.iter().any(|t| !t.foreign_keys.is_empty()))
            .unwrap();
        snap.renames.tables.push(("old".into(), "new".into()));
        snap.renames.columns.push(("new".into(), "a".into(), "b".into()));
        let t = snap
            .schema
            .tables
            .iter_mut()
            .find(|t| !t.foreign_keys.is_empty())
            .unwrap();
        t.foreign_keys[0].deferrable = Deferrable::InitiallyDeferred;
        let mut second = t.foreign_keys[0].clone();
        second.name = "second_fk".into();
        second.deferrable = Deferrable::InitiallyImmediate;
        t.foreign_keys.push(second);
        for (i, d) in [
            DefaultValue::Real("1.50".into()),
            DefaultValue::Real("not a number".into()),
            DefaultValue::Int(-7),
            DefaultValue::Bool(false),
            DefaultValue::Text("it's \"quoted\"\n".into()),
            DefaultValue::Sql("now()".into()),
        ]
        .into_iter()
        .enumerate()
        {
            let mut c = Column::new(format!("d{i}"), LogicalType::Sql("text".into()));
            c.default = Some(d);
            t.columns.push(c);
        }
        let mut id = Column::new("seq", LogicalType::Sql("integer".into()));
        id.autoincrement = true;
        t.columns.push(id);
        let mut named = Column::new("seq2", LogicalType::Sql("bigint".into()));
        named.autoincrement = true;
        named.identity = Some(Box::new(crate::model::IdentityOptions {
            name: Some("custom_seq".into()),
            increment: Some(2),
            cycle: true,
            ..Default::default()
        }));
        t.columns.push(named);
        let mut ix = Index {
            name: "params_idx".into(),
            target: IndexTarget::Expr("lower(\"d4\")".into()),
            unique: true,
            where_clause: Some("\"d2\" > 0".into()),
            options: Default::default(),
        };
        ix.options.method = Some("gin".into());
        ix.options.with = vec![
            ("fillfactor".into(), "70".into()),
            ("ratio".into(), "0.5".into()),
            ("fastupdate".into(), "true".into()),
            ("buffering".into(), "auto".into()),
            ("offset".into(), "-1".into()),
        ];
        t.indexes.push(ix);
        assert!(!repeats_a_key(&snap));
        assert_eq!(TEXT.streamed(&snap), tree(&snap));
        // A repeated key goes through the tree, whose map keeps one.
        snap.renames.tables.push(("old".into(), "newer".into()));
        assert!(repeats_a_key(&snap));
        assert_eq!(write(&snap), tree(&snap));
    }
}
