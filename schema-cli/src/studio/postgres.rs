//! PostgreSQL's `StudioDb`: the same queries as on SQLite (`scan`), with every value bound as
//! text and cast to its column's own type (`$1::text::integer`), so that any type the server
//! has (enums, `uuid`, `timestamptz`, arrays) is read, compared and written by its own input
//! and output functions, and nothing is pasted into SQL.

use std::path::Path;
use std::time::Duration;

use schema_core::backend::{OpenMode, redact};
use schema_core::folder::Folder;
use schema_core::postgres::client::error::SqlState;
use schema_core::postgres::client::types::Type;
use schema_core::postgres::client::{Client, SimpleQueryMessage, Transaction};
use schema_core::postgres::{POSTGRES, PgDriver};

use super::adapter;
use super::db::{
    ColumnInfo, ConsoleMode, ConsoleResult, DbError, Direction, ForeignKeyInfo, MigrationReport, Page, Relation,
    RelationKind, Row, RowCount, RowKey, RowLookup, RowQuery, StudioDb, TableInfo, Value,
};
use super::scan::{self, Flavor, Query, Select, dir_sql, ident};
use super::sqlite::{CONSOLE_MAX_ROWS, CONSOLE_TIMEOUT, EXACT_COUNT_UP_TO, OpenError};

/// How long an edit waits for a lock another session holds before it gives up, saying so.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// The schemas that are the server's own, never shown.
const SYSTEM_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'";

pub struct PgDb {
    shown: String,
    /// What schema-core reads (introspection, migration status, drift), on a session of its
    /// own whose transactions are all read-only.
    meta: PgDriver,
    /// Reads, edits and the console.
    rw: PgDriver,
    /// The catalog, and the signature of the system catalogs it was read at.
    catalog: Option<(String, Vec<TableInfo>)>,
}

/// Connects twice to the database a PostgreSQL URL names; a database the server does not
/// have is an error, never created.
pub fn open_url(url: &str, base: &Path) -> Result<(PgDb, String), OpenError> {
    let url = match schema_core::backend::parse_url(url, base)? {
        schema_core::backend::DatabaseUrl::Postgres(u) => u,
        _ => {
            return Err(OpenError::Unsupported(format!(
                "{} is not a PostgreSQL URL (postgres://…), but the dialect is postgresql",
                redact(url)
            )));
        }
    };
    let url = url.as_str();
    let shown = redact(url);
    let meta = PgDriver::open(url, OpenMode::ReadOnly)?;
    let rw = PgDriver::open(url, OpenMode::ReadWrite)?;
    Ok((
        PgDb {
            shown: shown.clone(),
            meta,
            rw,
            catalog: None,
        },
        shown,
    ))
}

/// The server's words for a refusal, with its detail (which key, which row); a lock or a
/// timeout is said as such.
fn db_error(e: schema_core::postgres::client::Error) -> DbError {
    let Some(d) = e.as_db_error() else {
        return DbError::Other(e.to_string());
    };
    let mut text = d.message().to_string();
    if let Some(detail) = d.detail() {
        text.push_str(&format!(" ({detail})"));
    }
    let code = d.code();
    if *code == SqlState::LOCK_NOT_AVAILABLE || *code == SqlState::T_R_DEADLOCK_DETECTED {
        DbError::Busy(text)
    } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        DbError::Refused(format!(
            "the console is read-only: this statement would write ({text}). Switch on \"Allow writes\" to run it"
        ))
    } else {
        DbError::Refused(text)
    }
}

/// What a page reads a column as: the few types that map onto the studio's values, and text
/// (the type's own output) for every other.
fn read_kind(ty: &str) -> &'static str {
    match ty {
        "smallint" | "integer" | "bigint" | "oid" => "int8",
        "real" | "double precision" => "float8",
        "bytea" => "bytea",
        _ => "text",
    }
}

/// PostgreSQL's words: values bound as text and cast to the column's type; NULLs told where
/// to sort.
struct PgFlavor;

impl Flavor for PgFlavor {
    fn table(&self, t: &TableInfo) -> String {
        format!("{}.{}", ident(&t.schema), ident(&t.name))
    }

    fn select(&self, c: &ColumnInfo) -> String {
        match read_kind(&c.ty) {
            "bytea" => ident(&c.name),
            kind => format!("{}::{kind}", ident(&c.name)),
        }
    }

    fn mark(&self, n: usize, column: Option<&ColumnInfo>) -> String {
        match column {
            Some(c) => format!("${n}::text::{}", c.ty),
            None => format!("${n}::text"),
        }
    }

    fn contains(&self, expr: &str, mark: &str) -> String {
        format!("{expr}::text ILIKE {mark}")
    }

    fn order(&self, expr: &str, dir: Direction, nullable: bool) -> String {
        match (dir, nullable) {
            (_, false) => format!("{expr} {}", dir_sql(dir)),
            (Direction::Asc, true) => format!("{expr} ASC NULLS FIRST"),
            (Direction::Desc, true) => format!("{expr} DESC NULLS LAST"),
        }
    }
}

/// A value as the text its column's input function reads.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(f) if f.is_nan() => Some("NaN".into()),
        Value::Real(f) if f.is_infinite() => Some(if *f > 0.0 { "Infinity" } else { "-Infinity" }.into()),
        Value::Real(f) => Some(f.to_string()),
        Value::Text(s) => Some(s.clone()),
        Value::Blob(b) => Some(format!(
            "\\x{}",
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        )),
    }
}

fn params_of(q: &Query) -> Vec<Option<String>> {
    q.params.iter().map(text_of).collect()
}

fn as_refs(p: &[Option<String>]) -> Vec<&(dyn schema_core::postgres::client::types::ToSql + Sync)> {
    p.iter()
        .map(|v| v as &(dyn schema_core::postgres::client::types::ToSql + Sync))
        .collect()
}

/// A row of a page: the key's values, then the cells, each read as `PgFlavor::select` cast it.
fn read_row(select: &Select<'_>, r: &schema_core::postgres::client::Row) -> Result<Row, DbError> {
    let read = |i: usize| -> Result<Value, DbError> {
        let ty = r.columns()[i].type_();
        let got = if *ty == Type::INT8 {
            r.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Integer))
        } else if *ty == Type::FLOAT8 {
            r.try_get::<_, Option<f64>>(i).map(|v| v.map(Value::Real))
        } else if *ty == Type::BYTEA {
            r.try_get::<_, Option<Vec<u8>>>(i).map(|v| v.map(Value::Blob))
        } else {
            r.try_get::<_, Option<String>>(i).map(|v| v.map(Value::Text))
        };
        got.map(|v| v.unwrap_or(Value::Null)).map_err(db_error)
    };
    let n = select.key_len();
    let key = (0..n).map(read).collect::<Result<Vec<_>, _>>()?;
    let cells = (n..r.len()).map(read).collect::<Result<Vec<_>, _>>()?;
    Ok(Row {
        key: (n > 0).then_some(key),
        cells,
    })
}

fn query_rows(
    client: &mut impl schema_core::postgres::client::GenericClient,
    q: &Query,
    select: &Select<'_>,
) -> Result<Vec<Row>, DbError> {
    let params = params_of(q);
    let rows = client.query(q.sql.as_str(), &as_refs(&params)).map_err(db_error)?;
    rows.iter().map(|r| read_row(select, r)).collect()
}

/// `f` in a transaction that waits at most `LOCK_WAIT` for a lock, committed only if it and
/// the commit (deferred constraints) succeed; otherwise nothing of it is written.
fn in_transaction<T>(
    client: &mut Client,
    f: impl FnOnce(&mut Transaction<'_>) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let mut tx = client.transaction().map_err(db_error)?;
    tx.batch_execute(&format!("SET LOCAL lock_timeout = '{}ms'", LOCK_WAIT.as_millis()))
        .map_err(db_error)?;
    let out = f(&mut tx)?;
    tx.commit().map_err(db_error)?;
    Ok(out)
}

/// One relation as the catalog lists it.
struct RelRow {
    oid: i64,
    schema: String,
    name: String,
    kind: String,
    persistence: String,
}

/// One column as the catalog lists it.
struct AttRow {
    rel: i64,
    name: String,
    ty: String,
    not_null: bool,
    default: Option<String>,
}

impl PgDb {
    fn client(&mut self) -> &mut Client {
        self.rw.client()
    }

    /// A digest of every catalog row the studio's picture of the schema depends on: any DDL
    /// writes a new version of one of them, so an unchanged digest means an unchanged schema.
    fn signature(&mut self) -> Result<String, DbError> {
        let sql = format!(
            "SELECT md5(coalesce(string_agg(x, ',' ORDER BY x), '')) FROM ( \
               SELECT c.oid::text || ':' || c.xmin::text AS x FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {SYSTEM_SCHEMAS} \
               UNION ALL SELECT a.attrelid::text || '.' || a.attnum::text || ':' || a.xmin::text FROM pg_attribute a \
                 JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE a.attnum > 0 AND {SYSTEM_SCHEMAS} \
               UNION ALL SELECT co.oid::text || ':' || co.xmin::text FROM pg_constraint co \
                 JOIN pg_namespace n ON n.oid = co.connamespace WHERE {SYSTEM_SCHEMAS} \
               UNION ALL SELECT e.oid::text || ':' || e.xmin::text FROM pg_enum e \
               UNION ALL SELECT n.oid::text || ':' || n.xmin::text FROM pg_namespace n WHERE {SYSTEM_SCHEMAS} \
             ) s"
        );
        let row = self.client().query_one(sql.as_str(), &[]).map_err(db_error)?;
        Ok(row.get(0))
    }

    /// The schema, read again only when the catalogs changed.
    fn catalog(&mut self) -> Result<&[TableInfo], DbError> {
        let signature = self.signature()?;
        if self.catalog.as_ref().is_none_or(|(s, _)| *s != signature) {
            let tables = self.load_catalog()?;
            self.catalog = Some((signature, tables));
        }
        Ok(self.catalog.as_ref().map(|(_, t)| t.as_slice()).unwrap_or_default())
    }

    fn load_catalog(&mut self) -> Result<Vec<TableInfo>, DbError> {
        let described = adapter::describe_tables(&mut self.meta).map_err(|e| DbError::Refused(e.to_string()))?;
        let client = self.rw.client();
        let rels: Vec<RelRow> = client
            .query(
                format!(
                    "SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text, c.relpersistence::text \
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {SYSTEM_SCHEMAS} ORDER BY c.oid"
                )
                .as_str(),
                &[],
            )
            .map_err(db_error)?
            .iter()
            .map(|r| RelRow {
                oid: r.get(0),
                schema: r.get(1),
                name: r.get(2),
                kind: r.get(3),
                persistence: r.get(4),
            })
            .collect();
        let atts: Vec<AttRow> = client
            .query(
                format!(
                    "SELECT a.attrelid::int8, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                       pg_get_expr(d.adbin, d.adrelid) \
                     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                       JOIN pg_namespace n ON n.oid = c.relnamespace \
                       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                     WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
                       AND {SYSTEM_SCHEMAS} ORDER BY a.attrelid, a.attnum"
                )
                .as_str(),
                &[],
            )
            .map_err(db_error)?
            .iter()
            .map(|r| AttRow {
                rel: r.get(0),
                name: r.get(1),
                ty: r.get(2),
                not_null: r.get(3),
                default: r.get(4),
            })
            .collect();
        let keys: Vec<(i64, String)> = client
            .query(
                "SELECT i.indrelid::int8, a.attname::text FROM pg_index i \
                   CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                 WHERE i.indisprimary ORDER BY i.indrelid, k.ord",
                &[],
            )
            .map_err(db_error)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let views: Vec<(i64, String)> = client
            .query(
                format!(
                    "SELECT c.oid::int8, pg_get_viewdef(c.oid) FROM pg_class c \
                     JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND {SYSTEM_SCHEMAS}"
                )
                .as_str(),
                &[],
            )
            .map_err(db_error)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();

        let mut tables = Vec::with_capacity(rels.len());
        for rel in &rels {
            let kind = match rel.kind.as_str() {
                "v" | "m" => RelationKind::View,
                "f" => RelationKind::Virtual,
                _ => RelationKind::Table,
            };
            let model = described
                .iter()
                .find(|d| d.name == rel.name && d.options.postgres.schema.as_deref().unwrap_or("public") == rel.schema);
            let primary_key: Vec<String> = keys
                .iter()
                .filter(|(oid, _)| *oid == rel.oid)
                .map(|(_, n)| n.clone())
                .collect();
            let columns: Vec<ColumnInfo> = atts
                .iter()
                .filter(|a| a.rel == rel.oid)
                .map(|a| {
                    let known = model.and_then(|m| m.columns.iter().find(|c| c.name == a.name));
                    ColumnInfo {
                        name: a.name.clone(),
                        // The server's own name for the type: what the page shows, and what
                        // every bound value is cast to.
                        ty: a.ty.clone(),
                        not_null: a.not_null,
                        default: known.map_or_else(|| a.default.clone(), |c| c.default.clone()),
                        primary_key: primary_key.contains(&a.name),
                        autoincrement: known.is_some_and(|c| c.autoincrement),
                        generated: known.and_then(|c| c.generated.clone()),
                        collate: known.and_then(|c| c.collate.clone()),
                    }
                })
                .collect();
            let row_key = if kind == RelationKind::Table && !primary_key.is_empty() {
                RowKey::Columns(primary_key.clone())
            } else {
                RowKey::None
            };
            let mut options = Vec::new();
            if rel.persistence == "u" {
                options.push("UNLOGGED".to_string());
            }
            if rel.kind == "p" {
                options.push("PARTITIONED".to_string());
            }
            if rel.kind == "m" {
                options.push("MATERIALIZED".to_string());
            }
            tables.push(TableInfo {
                schema: rel.schema.clone(),
                name: rel.name.clone(),
                kind,
                columns,
                primary_key,
                row_key,
                indexes: model.map(|m| m.indexes.clone()).unwrap_or_default(),
                checks: model.map(|m| m.checks.clone()).unwrap_or_default(),
                foreign_keys: model.map(|m| m.foreign_keys.clone()).unwrap_or_default(),
                referenced_by: Vec::new(),
                options,
                sql: views
                    .iter()
                    .find(|(oid, _)| *oid == rel.oid)
                    .map(|(_, d)| d.trim().to_string()),
            });
        }
        super::db::link_references(&mut tables, |a, b| a == b);
        Ok(tables)
    }

    fn table_info(&mut self, name: &str) -> Result<TableInfo, DbError> {
        let tables = self.catalog()?;
        // The exact name first (PostgreSQL names are case-sensitive), then `schema.name`.
        tables
            .iter()
            .find(|t| t.name == name)
            .or_else(|| tables.iter().find(|t| format!("{}.{}", t.schema, t.name) == name))
            .cloned()
            .ok_or_else(|| DbError::NoTable(name.to_string()))
    }

    fn editable_table(&mut self, name: &str) -> Result<TableInfo, DbError> {
        self.table_info(name)?.into_editable()
    }

    /// The planner's row estimate of every relation, by (schema, name): one query for the
    /// whole list. Read each time (ANALYZE updates it in place, no catalog signature sees it).
    fn estimates(&mut self) -> Result<std::collections::HashMap<(String, String), f64>, DbError> {
        Ok(self
            .client()
            .query(
                format!(
                    "SELECT n.nspname::text, c.relname::text, c.reltuples::float8 FROM pg_class c \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {SYSTEM_SCHEMAS}"
                )
                .as_str(),
                &[],
            )
            .map_err(db_error)?
            .iter()
            .map(|r| ((r.get(0), r.get(1)), r.get(2)))
            .collect())
    }

    /// Exact up to `EXACT_COUNT_UP_TO` rows, read from at most that many; beyond, the
    /// planner's estimate (`reltuples`, from `estimates`), so a huge table costs no full scan.
    fn count_rows(&mut self, t: &TableInfo, reltuples: f64) -> Result<RowCount, DbError> {
        let client = self.rw.client();
        let estimate = (reltuples > 0.0).then_some(reltuples as u64);
        if let Some(e) = estimate
            && e > 2 * EXACT_COUNT_UP_TO
        {
            return Ok(RowCount::Estimate(e));
        }
        let bounded: i64 = client
            .query_one(
                format!(
                    "SELECT count(*) FROM (SELECT 1 FROM {} LIMIT {}) AS bounded",
                    PgFlavor.table(t),
                    EXACT_COUNT_UP_TO + 1
                )
                .as_str(),
                &[],
            )
            .map_err(db_error)?
            .get(0);
        let bounded = bounded.max(0) as u64;
        if bounded <= EXACT_COUNT_UP_TO {
            return Ok(RowCount::Exact(bounded));
        }
        Ok(match estimate {
            Some(e) => RowCount::Estimate(e.max(EXACT_COUNT_UP_TO + 1)),
            None => RowCount::AtLeast(EXACT_COUNT_UP_TO),
        })
    }
}

/// A console value, from the text the server sent, by the type it said the column has.
fn console_value(ty: &Type, text: Option<&str>) -> Value {
    let Some(s) = text else {
        return Value::Null;
    };
    let parsed = match *ty {
        Type::INT2 | Type::INT4 | Type::INT8 | Type::OID => s.parse().ok().map(Value::Integer),
        Type::FLOAT4 | Type::FLOAT8 => s.parse().ok().map(Value::Real),
        Type::BYTEA => s.strip_prefix("\\x").and_then(|h| {
            (0..h.len())
                .step_by(2)
                .map(|i| h.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
                .collect::<Option<Vec<u8>>>()
                .map(Value::Blob)
        }),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::Text(s.to_string()))
}

/// One console statement in `tx`: a query through a cursor (so a huge result is read only
/// as far as the page shows), anything else as it is; every value in the server's own text.
fn run_console(tx: &mut Transaction<'_>, sql: &str) -> Result<ConsoleResult, DbError> {
    let stmt = tx.prepare(sql).map_err(|e| {
        if e.as_db_error()
            .is_some_and(|d| d.message().contains("multiple commands"))
        {
            DbError::Invalid("the console runs one statement at a time; remove what follows the first `;`".into())
        } else {
            db_error(e)
        }
    })?;
    if !stmt.params().is_empty() {
        return Err(DbError::Invalid(
            "the console takes no parameters: write the values in place of $1, $2…".into(),
        ));
    }
    let types: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
    let columns: Vec<String> = stmt.columns().iter().map(|c| c.name().to_string()).collect();
    let keyword = scan::first_keyword(sql);
    let query = matches!(keyword.as_str(), "SELECT" | "VALUES" | "TABLE" | "WITH") && !columns.is_empty();
    let messages = if query {
        tx.batch_execute("SAVEPOINT studio_console").map_err(db_error)?;
        match tx.batch_execute(&format!("DECLARE studio_console NO SCROLL CURSOR FOR {sql}")) {
            Ok(()) => tx
                .simple_query(&format!("FETCH {} FROM studio_console", CONSOLE_MAX_ROWS + 1))
                .map_err(db_error)?,
            // A WITH that writes cannot be a cursor: run it as it is.
            Err(e) if e.code() == Some(&SqlState::FEATURE_NOT_SUPPORTED) => {
                tx.batch_execute("ROLLBACK TO SAVEPOINT studio_console")
                    .map_err(db_error)?;
                tx.simple_query(sql).map_err(db_error)?
            }
            Err(e) => return Err(db_error(e)),
        }
    } else {
        tx.simple_query(sql).map_err(db_error)?
    };
    let mut rows = Vec::new();
    let mut changes = 0;
    let mut truncated = false;
    for m in &messages {
        match m {
            SimpleQueryMessage::Row(r) => {
                if rows.len() == CONSOLE_MAX_ROWS {
                    truncated = true;
                    continue;
                }
                rows.push(
                    types
                        .iter()
                        .enumerate()
                        .map(|(i, ty)| console_value(ty, r.get(i)))
                        .collect(),
                );
            }
            SimpleQueryMessage::CommandComplete(n) => changes = *n,
            _ => {}
        }
    }
    let reads = query || matches!(keyword.as_str(), "SHOW" | "EXPLAIN");
    Ok(ConsoleResult {
        columns,
        rows,
        truncated,
        changes: if reads { 0 } else { changes },
    })
}

impl StudioDb for PgDb {
    fn dialect(&self) -> &'static str {
        "postgresql"
    }

    fn location(&self) -> String {
        self.shown.clone()
    }

    fn relations(&mut self) -> Result<Vec<Relation>, DbError> {
        let tables = self.catalog()?.to_vec();
        let estimates = self.estimates()?;
        let mut out = Vec::with_capacity(tables.len());
        for t in &tables {
            let reltuples = estimates
                .get(&(t.schema.clone(), t.name.clone()))
                .copied()
                .unwrap_or(-1.0);
            out.push(Relation {
                schema: t.schema.clone(),
                name: t.name.clone(),
                kind: t.kind,
                rows: self.count_rows(t, reltuples)?,
            });
        }
        Ok(out)
    }

    fn tables(&mut self) -> Result<Vec<TableInfo>, DbError> {
        Ok(self.catalog()?.to_vec())
    }

    fn table(&mut self, name: &str) -> Result<TableInfo, DbError> {
        self.table_info(name)
    }

    fn rows(&mut self, q: &RowQuery) -> Result<Page, DbError> {
        let t = self.table_info(&q.table)?;
        let client = self.client();
        scan::page(&PgFlavor, &t, q, &mut |select, query| query_rows(client, query, select))
    }

    fn find_row(&mut self, table: &str, lookup: &RowLookup) -> Result<Option<Row>, DbError> {
        let t = self.table_info(table)?;
        let query = scan::find_row(&PgFlavor, &t, lookup)?;
        let select = Select::of(&PgFlavor, &t);
        Ok(query_rows(self.client(), &query, &select)?.into_iter().next())
    }

    fn count_referencing(&mut self, fk: &ForeignKeyInfo, values: &[Value], limit: u64) -> Result<RowCount, DbError> {
        let t = self.table_info(&fk.table)?;
        let query = scan::count_referencing(&PgFlavor, &t, fk, values, limit)?;
        let params = params_of(&query);
        let n: i64 = self
            .client()
            .query_one(query.sql.as_str(), &as_refs(&params))
            .map_err(db_error)?
            .get(0);
        Ok(scan::referencing_count(n, limit))
    }

    fn update_cell(&mut self, table: &str, key: &[Value], column: &str, value: &Value) -> Result<Row, DbError> {
        let t = self.editable_table(table)?;
        let query = scan::update_cell(&PgFlavor, &t, key, column, value)?;
        let select = Select::of(&PgFlavor, &t);
        let rows = in_transaction(self.client(), |tx| query_rows(tx, &query, &select))?;
        rows.into_iter().next().ok_or_else(|| DbError::NoRow(t.name.clone()))
    }

    fn insert_row(&mut self, table: &str, values: &[(String, Value)]) -> Result<Row, DbError> {
        let t = self.editable_table(table)?;
        let query = scan::insert_row(&PgFlavor, &t, values)?;
        let select = Select::of(&PgFlavor, &t);
        let rows = in_transaction(self.client(), |tx| query_rows(tx, &query, &select))?;
        rows.into_iter()
            .next()
            .ok_or_else(|| DbError::Other("the insert returned no row".into()))
    }

    fn delete_rows(&mut self, table: &str, keys: &[Vec<Value>]) -> Result<u64, DbError> {
        let t = self.editable_table(table)?;
        let queries = scan::delete_rows(&PgFlavor, &t, keys)?;
        in_transaction(self.client(), |tx| {
            let mut n = 0;
            for q in &queries {
                let params = params_of(q);
                n += tx.execute(q.sql.as_str(), &as_refs(&params)).map_err(db_error)?;
            }
            Ok(n)
        })
    }

    fn console(&mut self, sql: &str, mode: ConsoleMode) -> Result<ConsoleResult, DbError> {
        scan::refuse_transaction_control(sql)?;
        let mut tx = self
            .client()
            .build_transaction()
            .read_only(mode == ConsoleMode::ReadOnly)
            .start()
            .map_err(db_error)?;
        tx.batch_execute(&format!(
            "SET LOCAL statement_timeout = '{}ms'",
            CONSOLE_TIMEOUT.as_millis()
        ))
        .map_err(db_error)?;
        let result = run_console(&mut tx, sql)?;
        match mode {
            ConsoleMode::Writable => tx.commit().map_err(db_error)?,
            // Nothing could be written; ending it either way is the same, and rollback says so.
            ConsoleMode::ReadOnly => tx.rollback().map_err(db_error)?,
        }
        Ok(result)
    }

    fn migrations(&mut self, folder: &Path, table: &str, schema: &str) -> MigrationReport {
        adapter::migration_report(&mut self.meta, &Folder::new(folder, &POSTGRES), table, schema)
    }
}
