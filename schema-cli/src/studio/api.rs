//! The studio's routes: the page (one HTML shell for every view's URL, and its assets) and the
//! JSON API it calls, each turning a request into `StudioDb` calls and their answer into JSON.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{Value as Json, json};

use super::db::{
    ConsoleMode, Cursor, DbError, Direction, Filter, FilterOp, ForeignKeyInfo, RelationKind, Row, RowCount, RowKey,
    RowLookup, RowQuery, StudioDb, TableInfo, Value,
};
use super::diagram;
use super::http::{Request, Response};

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");
const ICON_SVG: &str = include_str!("assets/icon.svg");

/// Text cells longer than this are cut in a page of rows (the row view shows them whole).
const PAGE_TEXT_CHARS: usize = 2000;
/// How much of a blob a page shows, in bytes; the row view shows more.
const PAGE_BLOB_BYTES: usize = 32;
const ROW_BLOB_BYTES: usize = 64 * 1024;
/// Text longer than this is not parsed to tell whether it is JSON.
const JSON_SNIFF_BYTES: usize = 1024 * 1024;
/// Children of a row are counted up to this many.
const CHILDREN_COUNT_UP_TO: u64 = 1000;

pub struct App {
    db: Mutex<Box<dyn StudioDb>>,
    migrations_dir: PathBuf,
    tracking_table: String,
    tracking_schema: String,
}

/// An answer that is not the happy one: a status and a message for the page to show.
struct Failure {
    status: u16,
    message: String,
}

impl Failure {
    fn bad(message: impl Into<String>) -> Failure {
        Failure {
            status: 400,
            message: message.into(),
        }
    }
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Failure {
        let status = match &e {
            DbError::NoTable(_) | DbError::NoRow(_) => 404,
            DbError::NoColumn { .. } | DbError::Invalid(_) => 400,
            DbError::Refused(_) => 409,
            DbError::Busy(_) => 503,
            _ => 500,
        };
        Failure {
            status,
            message: e.to_string(),
        }
    }
}

type ApiResult = Result<Response, Failure>;

impl App {
    pub fn new(db: Box<dyn StudioDb>, migrations_dir: PathBuf, tracking_table: String, tracking_schema: String) -> App {
        App {
            db: Mutex::new(db),
            migrations_dir,
            tracking_table,
            tracking_schema,
        }
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Box<dyn StudioDb>> {
        // A panic while holding the lock left the connection as SQLite left it, which is
        // consistent (a transaction rolls back when its handle drops): keep serving.
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A request that passed the guard.
    pub fn handle(&self, req: &Request) -> Response {
        let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
        let method = if req.method == "HEAD" {
            "GET"
        } else {
            req.method.as_str()
        };
        if segments.first() == Some(&"api") {
            return match self.api(method, &segments[1..], req) {
                Ok(r) => r,
                Err(f) => Response::json(f.status, &json!({ "error": f.message })),
            };
        }
        match (method, segments.as_slice()) {
            (
                "GET",
                []
                | ["t", _]
                | ["t", _, "row" | "schema"]
                | ["schema"]
                | ["migrations"]
                | ["migrations", _]
                | ["console"],
            ) => Response::new(200, "text/html; charset=utf-8", INDEX_HTML),
            ("GET", ["assets", "app.js"]) => Response::new(200, "text/javascript; charset=utf-8", APP_JS),
            ("GET", ["assets", "app.css"]) => Response::new(200, "text/css; charset=utf-8", APP_CSS),
            ("GET", ["assets", "icon.svg"]) => Response::new(200, "image/svg+xml", ICON_SVG),
            ("GET", _) => Response::new(404, "text/plain; charset=utf-8", "not found"),
            _ => Response::new(405, "text/plain; charset=utf-8", "method not allowed"),
        }
    }

    fn api(&self, method: &str, path: &[&str], req: &Request) -> ApiResult {
        match (method, path) {
            ("GET", ["info"]) => {
                let db = self.db();
                Ok(Response::json(
                    200,
                    &json!({ "dialect": db.dialect(), "location": db.location() }),
                ))
            }
            ("GET", ["tables"]) => self.list(),
            ("GET", ["schema"]) => {
                let tables = self.db().tables()?;
                Ok(Response::json(
                    200,
                    &json!({ "tables": tables.iter().map(table_json).collect::<Vec<_>>() }),
                ))
            }
            ("GET", ["diagram.svg"]) => {
                let tables = self.db().tables()?;
                let tables: Vec<TableInfo> = tables.into_iter().filter(|t| t.kind == RelationKind::Table).collect();
                Ok(Response::new(200, "image/svg+xml", diagram::render(&tables)))
            }
            ("GET", ["tables", t]) => Ok(Response::json(200, &table_json(&self.db().table(t)?))),
            ("GET", ["tables", t, "rows"]) => self.rows(t, req),
            ("GET", ["tables", t, "row"]) => self.row(t, req),
            ("POST", ["tables", t, "rows"]) => self.insert(t, req),
            ("PATCH", ["tables", t, "rows"]) => self.update(t, req),
            ("DELETE", ["tables", t, "rows"]) => self.delete(t, req),
            ("GET", ["migrations"]) => Ok(Response::json(200, &self.migrations(None)?)),
            ("GET", ["migrations", tag]) => Ok(Response::json(200, &self.migrations(Some(tag))?)),
            ("POST", ["console"]) => self.console(req),
            (
                _,
                [
                    "info" | "tables" | "schema" | "diagram.svg" | "migrations" | "console",
                    ..,
                ],
            ) => Err(Failure {
                status: 405,
                message: format!("{method} is not allowed here"),
            }),
            _ => Err(Failure {
                status: 404,
                message: "no such API endpoint".into(),
            }),
        }
    }

    fn list(&self) -> ApiResult {
        let relations = self.db().relations()?;
        let mut schemas: Vec<(String, Vec<Json>)> = Vec::new();
        for r in relations {
            let item = json!({ "name": r.name, "kind": r.kind.as_str(), "rows": count_json(r.rows) });
            match schemas.iter_mut().find(|(s, _)| *s == r.schema) {
                Some((_, items)) => items.push(item),
                None => schemas.push((r.schema.clone(), vec![item])),
            }
        }
        Ok(Response::json(
            200,
            &json!({ "schemas": schemas.into_iter().map(|(name, relations)| json!({ "name": name, "relations": relations })).collect::<Vec<_>>() }),
        ))
    }

    fn rows(&self, table: &str, req: &Request) -> ApiResult {
        let sort = match req.query("sort").filter(|s| !s.is_empty()) {
            Some(col) => {
                let dir = match req.query("dir").unwrap_or("asc") {
                    "asc" => Direction::Asc,
                    "desc" => Direction::Desc,
                    other => return Err(Failure::bad(format!("dir is asc or desc, not {other:?}"))),
                };
                Some((col.to_string(), dir))
            }
            None => None,
        };
        let mut filters = Vec::new();
        for (k, v) in &req.query {
            if let Some(column) = k.strip_prefix("f.") {
                filters.push(parse_filter(column, v)?);
            }
        }
        let cursor = match (req.query("after"), req.query("before")) {
            (Some(_), Some(_)) => return Err(Failure::bad("give after or before, not both")),
            (Some(a), None) => Some(Cursor::After(decode_values(a)?)),
            (None, Some(b)) => Some(Cursor::Before(decode_values(b)?)),
            (None, None) => None,
        };
        let limit = match req.query("limit") {
            Some(l) => l
                .parse::<usize>()
                .map_err(|_| Failure::bad(format!("limit is a number of rows, not {l:?}")))?,
            None => 50,
        };
        let query = RowQuery {
            table: table.to_string(),
            sort,
            filters,
            cursor,
            limit,
        };
        let mut db = self.db();
        let info = db.table(table)?;
        let page = db.rows(&query)?;
        drop(db);
        let head = json!({
            "table": table_json(&info),
            "columns": page.columns,
            "next": page.next.as_deref().map(encode_values),
            "prev": page.prev.as_deref().map(encode_values),
            "paging": page.paging,
        })
        .to_string();
        // `head` is an object: its closing brace makes room for the rows.
        let mut body = String::with_capacity(head.len() + page.rows.len() * 128);
        body.push_str(&head[..head.len() - 1]);
        body.push_str(",\"rows\":");
        write_rows(&mut body, &page.rows, false);
        body.push('}');
        Ok(Response::new(200, "application/json", body))
    }

    fn row(&self, table: &str, req: &Request) -> ApiResult {
        let lookup = match req.query("key") {
            Some(k) => RowLookup::Key(decode_values(k)?),
            None => RowLookup::Columns(
                req.query
                    .iter()
                    .filter_map(|(k, v)| k.strip_prefix("w.").map(|c| (c.to_string(), Value::Text(v.clone()))))
                    .collect(),
            ),
        };
        let mut db = self.db();
        let info = db.table(table)?;
        let Some(row) = db.find_row(table, &lookup)? else {
            return Err(Failure {
                status: 404,
                message: format!("no such row in `{}`", info.name),
            });
        };
        // Each foreign key pointing here: how many rows of the child table hold this row's values.
        let mut children = Vec::new();
        for fk in &info.referenced_by {
            let Some(values) = values_of(&info, &row, &fk.ref_columns) else {
                continue;
            };
            let count = if values.contains(&Value::Null) {
                RowCount::Exact(0)
            } else {
                db.count_referencing(fk, &values, CHILDREN_COUNT_UP_TO)?
            };
            children.push(json!({
                "table": fk.table,
                "columns": fk.columns,
                "ref_columns": fk.ref_columns,
                "values": values.iter().map(plain_text).collect::<Vec<_>>(),
                "count": count_json(count),
            }));
        }
        drop(db);
        Ok(Response::json(
            200,
            &json!({ "table": table_json(&info), "row": row_json(&row, true), "children": children }),
        ))
    }

    fn insert(&self, table: &str, req: &Request) -> ApiResult {
        let body = json_body(req)?;
        let Some(values) = body.get("values").and_then(Json::as_object) else {
            return Err(Failure::bad("the body is {\"values\": {column: value, …}}"));
        };
        let mut given = Vec::new();
        for (column, v) in values {
            given.push((column.clone(), value_from_json(v)?));
        }
        let row = self.db().insert_row(table, &given)?;
        Ok(Response::json(201, &json!({ "row": row_json(&row, true) })))
    }

    fn update(&self, table: &str, req: &Request) -> ApiResult {
        let body = json_body(req)?;
        let (Some(key), Some(column), Some(value)) = (
            body.get("key").and_then(Json::as_str),
            body.get("column").and_then(Json::as_str),
            body.get("value"),
        ) else {
            return Err(Failure::bad("the body is {\"key\": …, \"column\": …, \"value\": …}"));
        };
        let key = decode_values(key)?;
        let value = value_from_json(value)?;
        let row = self.db().update_cell(table, &key, column, &value)?;
        Ok(Response::json(200, &json!({ "row": row_json(&row, true) })))
    }

    fn delete(&self, table: &str, req: &Request) -> ApiResult {
        let body = json_body(req)?;
        let Some(keys) = body.get("keys").and_then(Json::as_array) else {
            return Err(Failure::bad("the body is {\"keys\": [key, …]}"));
        };
        let keys = keys
            .iter()
            .map(|k| {
                k.as_str()
                    .ok_or_else(|| Failure::bad("a key is a string"))
                    .and_then(decode_values)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let deleted = self.db().delete_rows(table, &keys)?;
        Ok(Response::json(200, &json!({ "deleted": deleted })))
    }

    fn console(&self, req: &Request) -> ApiResult {
        let body = json_body(req)?;
        let Some(sql) = body.get("sql").and_then(Json::as_str) else {
            return Err(Failure::bad("the body is {\"sql\": …, \"write\": false}"));
        };
        let mode = if body.get("write").and_then(Json::as_bool).unwrap_or(false) {
            ConsoleMode::Writable
        } else {
            ConsoleMode::ReadOnly
        };
        let started = Instant::now();
        let result = self.db().console(sql, mode)?;
        let head = json!({
            "columns": result.columns,
            "truncated": result.truncated,
            "changes": result.changes,
            "mode": if mode == ConsoleMode::Writable { "write" } else { "read" },
            "elapsed_ms": started.elapsed().as_secs_f64() * 1000.0,
        })
        .to_string();
        let mut body = String::with_capacity(head.len() + result.rows.len() * 64);
        body.push_str(&head[..head.len() - 1]);
        body.push_str(",\"rows\":[");
        for (i, row) in result.rows.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push('[');
            for (j, v) in row.iter().enumerate() {
                if j > 0 {
                    body.push(',');
                }
                write_cell(&mut body, v, false);
            }
            body.push(']');
        }
        body.push_str("]}");
        Ok(Response::new(200, "application/json", body))
    }

    fn migrations(&self, tag: Option<&str>) -> Result<Json, Failure> {
        let report = self
            .db()
            .migrations(&self.migrations_dir, &self.tracking_table, &self.tracking_schema);
        let entry = |m: &super::db::MigrationEntry| json!({ "tag": m.tag, "state": m.state, "applied_at": m.applied_at, "statements": m.statements, "sql": m.sql });
        if let Some(tag) = tag {
            return report
                .migrations
                .iter()
                .find(|m| m.tag == tag)
                .map(entry)
                .ok_or_else(|| Failure {
                    status: 404,
                    message: format!("no migration {tag} in {}", report.folder),
                });
        }
        Ok(json!({
            "folder": report.folder,
            "error": report.error,
            "migrations": report.migrations.iter().map(entry).collect::<Vec<_>>(),
            "missing": report.missing,
            "drift": report.drift.as_ref().map(|d| d.iter().map(|t| json!({ "table": t.table, "differences": t.differences })).collect::<Vec<_>>()),
            "drift_error": report.drift_error,
        }))
    }
}

/// `eq:value`, `has:value`, `null`, `notnull`.
fn parse_filter(column: &str, spec: &str) -> Result<Filter, Failure> {
    let op = if let Some(v) = spec.strip_prefix("eq:") {
        FilterOp::Equals(v.to_string())
    } else if let Some(v) = spec.strip_prefix("has:") {
        FilterOp::Contains(v.to_string())
    } else if spec == "null" {
        FilterOp::IsNull
    } else if spec == "notnull" {
        FilterOp::NotNull
    } else {
        return Err(Failure::bad(format!(
            "a filter is eq:VALUE, has:VALUE, null or notnull, not {spec:?}"
        )));
    };
    Ok(Filter {
        column: column.to_string(),
        op,
    })
}

fn json_body(req: &Request) -> Result<Json, Failure> {
    serde_json::from_slice(&req.body).map_err(|e| Failure::bad(format!("the body is not JSON: {e}")))
}

fn values_of(info: &TableInfo, row: &Row, columns: &[String]) -> Option<Vec<Value>> {
    if columns.is_empty() {
        return None;
    }
    columns
        .iter()
        .map(|c| {
            info.columns
                .iter()
                .position(|x| x.name.eq_ignore_ascii_case(c))
                .and_then(|i| row.cells.get(i).cloned())
        })
        .collect()
}

fn count_json(c: RowCount) -> Json {
    match c {
        RowCount::Exact(n) => json!({ "n": n, "kind": "exact" }),
        RowCount::Estimate(n) => json!({ "n": n, "kind": "estimate" }),
        RowCount::AtLeast(n) => json!({ "n": n, "kind": "at_least" }),
    }
}

fn table_json(t: &TableInfo) -> Json {
    let fk = |f: &ForeignKeyInfo| {
        json!({
            "table": f.table, "columns": f.columns, "ref_table": f.ref_table,
            "ref_columns": f.ref_columns, "on_delete": f.on_delete, "on_update": f.on_update,
        })
    };
    json!({
        "schema": t.schema,
        "name": t.name,
        "kind": t.kind.as_str(),
        "editable": t.editable(),
        "key": match &t.row_key {
            RowKey::Rowid(r) => json!({ "kind": "rowid", "columns": [r] }),
            RowKey::Columns(c) => json!({ "kind": "columns", "columns": c }),
            RowKey::None => json!({ "kind": "none", "columns": [] }),
        },
        "primary_key": t.primary_key,
        "columns": t.columns.iter().map(|c| json!({
            "name": c.name, "type": c.ty, "not_null": c.not_null, "default": c.default,
            "primary_key": c.primary_key, "autoincrement": c.autoincrement,
            "generated": c.generated.as_ref().map(|(e, stored)| json!({ "expr": e, "stored": stored })),
            "collate": c.collate,
        })).collect::<Vec<_>>(),
        "indexes": t.indexes.iter().map(|i| json!({
            "name": i.name, "columns": i.columns, "expr": i.expr, "unique": i.unique, "where": i.where_clause,
        })).collect::<Vec<_>>(),
        "checks": t.checks.iter().map(|c| json!({ "name": c.name, "expr": c.expr })).collect::<Vec<_>>(),
        "foreign_keys": t.foreign_keys.iter().map(fk).collect::<Vec<_>>(),
        "referenced_by": t.referenced_by.iter().map(fk).collect::<Vec<_>>(),
        "options": t.options,
        "sql": t.sql,
    })
}

fn row_json(r: &Row, full: bool) -> Json {
    let mut out = String::new();
    write_row(&mut out, r, full);
    serde_json::from_str(&out).unwrap_or(Json::Null)
}

/// Rows are written as JSON text directly: a page holds up to a thousand rows, and building
/// a `serde_json::Value` tree for each cell first costs more than the query.
fn write_row(out: &mut String, r: &Row, full: bool) {
    out.push_str("{\"key\":");
    match &r.key {
        Some(k) => write_str(out, &encode_values(k)),
        None => out.push_str("null"),
    }
    out.push_str(",\"cells\":[");
    for (i, c) in r.cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_cell(out, c, full);
    }
    out.push_str("]}");
}

fn write_rows(out: &mut String, rows: &[Row], full: bool) {
    out.push('[');
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_row(out, r, full);
    }
    out.push(']');
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A cell for the page: its type said, so NULL, a blob and JSON text each show as such.
/// `{"type":"integer","value":"1"}`, `{"type":"text","value":…,"truncated":…,"json":…}`,
/// `{"type":"blob","size":…,"hex":…,"truncated":…}`, or `null`.
fn write_cell(out: &mut String, v: &Value, full: bool) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Integer(i) => {
            out.push_str("{\"type\":\"integer\",\"value\":\"");
            out.push_str(&i.to_string());
            out.push_str("\"}");
        }
        Value::Real(f) => {
            out.push_str("{\"type\":\"real\",\"value\":");
            write_str(out, &real_text(*f));
            out.push('}');
        }
        Value::Text(s) => {
            let cut = !full && s.len() > PAGE_TEXT_CHARS && s.chars().count() > PAGE_TEXT_CHARS;
            let shown = if cut {
                let end = s.char_indices().nth(PAGE_TEXT_CHARS).map_or(s.len(), |(i, _)| i);
                &s[..end]
            } else {
                s.as_str()
            };
            let trimmed = s.trim_start();
            // Only texts of a sensible size are parsed to find out; a huge one is just text.
            let is_json = (trimmed.starts_with('{') || trimmed.starts_with('['))
                && s.len() <= JSON_SNIFF_BYTES
                && serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok();
            out.push_str("{\"type\":\"text\",\"value\":");
            write_str(out, shown);
            out.push_str(if cut {
                ",\"truncated\":true"
            } else {
                ",\"truncated\":false"
            });
            out.push_str(if is_json { ",\"json\":true}" } else { ",\"json\":false}" });
        }
        Value::Blob(b) => {
            let limit = if full { ROW_BLOB_BYTES } else { PAGE_BLOB_BYTES };
            out.push_str(&format!(
                "{{\"type\":\"blob\",\"size\":{},\"hex\":\"{}\",\"truncated\":{}}}",
                b.len(),
                hex(&b[..b.len().min(limit)]),
                b.len() > limit
            ));
        }
    }
}

/// A float as text that reads back to the same float (`1.0`, `1e300`, `inf`).
fn real_text(f: f64) -> String {
    format!("{f:?}")
}

fn plain_text(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Integer(i) => Json::String(i.to_string()),
        Value::Real(f) => Json::String(real_text(*f)),
        Value::Text(s) => Json::String(s.clone()),
        Value::Blob(b) => Json::String(hex(b)),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// A value written by the page or read from a cursor: `null`, or `{"type": …, "value": …}`
/// (`{"type": "blob", "hex": …}` for a blob).
fn value_from_json(v: &Json) -> Result<Value, Failure> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let bad = || Failure::bad(format!("not a value: {v}"));
    let ty = v.get("type").and_then(Json::as_str).ok_or_else(bad)?;
    let text = v.get("value").and_then(Json::as_str);
    Ok(match (ty, text) {
        ("null", _) => Value::Null,
        ("integer", Some(t)) => Value::Integer(t.parse().map_err(|_| bad())?),
        ("real", Some(t)) => Value::Real(t.parse().map_err(|_| bad())?),
        ("text", Some(t)) => Value::Text(t.to_string()),
        ("blob", _) => Value::Blob(v.get("hex").and_then(Json::as_str).and_then(unhex).ok_or_else(bad)?),
        _ => return Err(bad()),
    })
}

/// A key's or cursor's value, exact: `{"type":"integer","value":"1"}`, a blob whole.
fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Blob(b) => {
            out.push_str("{\"type\":\"blob\",\"hex\":\"");
            out.push_str(&hex(b));
            out.push_str("\"}");
        }
        Value::Text(s) => {
            out.push_str("{\"type\":\"text\",\"value\":");
            write_str(out, s);
            out.push('}');
        }
        other => write_cell(out, other, true),
    }
}

/// A row's key or a page's cursor, as an opaque URL-safe token: typed values, so the exact
/// value (an integer, not its text) is bound when it comes back.
fn encode_values(values: &[Value]) -> String {
    let mut json = String::from("[");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        write_value(&mut json, v);
    }
    json.push(']');
    base64url(json.as_bytes())
}

fn decode_values(token: &str) -> Result<Vec<Value>, Failure> {
    let bad = || Failure::bad("not a key or cursor this studio made");
    let bytes = unbase64url(token).ok_or_else(bad)?;
    let json: Json = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let Json::Array(items) = json else {
        return Err(bad());
    };
    items.iter().map(value_from_json).collect()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn unbase64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = B64.iter().position(|b| *b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_a_token() {
        let values = [
            Value::Null,
            Value::Integer(i64::MIN),
            Value::Real(1e300),
            Value::Real(f64::INFINITY),
            Value::Text("a \"b\" ☃".into()),
            Value::Blob(vec![0, 255, 16]),
        ];
        for n in 0..values.len() {
            let token = encode_values(&values[..n]);
            assert!(
                token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            );
            assert_eq!(decode_values(&token).ok(), Some(values[..n].to_vec()));
        }
    }

    #[test]
    fn cells_are_written_as_valid_json() {
        let cases = [
            (Value::Null, json!(null)),
            (Value::Integer(-5), json!({ "type": "integer", "value": "-5" })),
            (Value::Real(0.5), json!({ "type": "real", "value": "0.5" })),
            (
                Value::Text("a\"\\\n\u{1}é{".into()),
                json!({ "type": "text", "value": "a\"\\\n\u{1}é{", "truncated": false, "json": false }),
            ),
            (
                Value::Text(" {\"a\": [1]}".into()),
                json!({ "type": "text", "value": " {\"a\": [1]}", "truncated": false, "json": true }),
            ),
            (
                Value::Blob((0..40).collect()),
                json!({ "type": "blob", "size": 40, "hex": hex(&(0..32).collect::<Vec<u8>>()), "truncated": true }),
            ),
        ];
        for (v, want) in cases {
            let mut out = String::new();
            write_cell(&mut out, &v, false);
            assert_eq!(serde_json::from_str::<Json>(&out).unwrap(), want, "{out}");
        }
        let long = Value::Text("é".repeat(PAGE_TEXT_CHARS + 1));
        let mut out = String::new();
        write_cell(&mut out, &long, false);
        let cell: Json = serde_json::from_str(&out).unwrap();
        assert_eq!(cell["truncated"], true);
        assert_eq!(cell["value"].as_str().unwrap().chars().count(), PAGE_TEXT_CHARS);
    }

    #[test]
    fn base64url_matches_the_rfc_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url(plain.as_bytes()), encoded);
            assert_eq!(unbase64url(encoded).unwrap(), plain.as_bytes());
        }
        assert!(unbase64url("a+b").is_none());
    }
}
