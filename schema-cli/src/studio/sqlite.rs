//! SQLite's `StudioDb`: every statement the studio runs on a SQLite file, built from names
//! checked against the introspected schema (quoted) and values bound as parameters.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior, params_from_iter};

use schema_core::backend::{DatabaseUrl, FileTarget, OpenMode};
use schema_core::folder::Folder;
use schema_core::sqlite::{SQLITE, SqliteDriver};

use super::adapter;
use super::db::{
    ColumnInfo, ConsoleMode, ConsoleResult, DbError, Direction, ForeignKeyInfo, MigrationReport, Page, Relation,
    RelationKind, Row, RowCount, RowKey, RowLookup, RowQuery, StudioDb, TableInfo, Value,
};
use super::scan::{self, Flavor, Query, Select, dir_sql, ident};

/// Tables up to this many rows are counted exactly on every view; bigger ones are estimated,
/// so that the table list never scans a big table.
pub const EXACT_COUNT_UP_TO: u64 = 100_000;
/// The console returns at most this many rows of a query.
pub const CONSOLE_MAX_ROWS: usize = 1000;
/// A console statement still running after this long is interrupted.
pub const CONSOLE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    #[error("no database at {0} (the studio opens an existing SQLite file and never creates one)")]
    Missing(PathBuf),
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("{path} is not a SQLite database: {source}")]
    NotADatabase { path: PathBuf, source: rusqlite::Error },
    #[error("cannot read the schema: {0}")]
    Meta(String),
    #[error(transparent)]
    Url(#[from] schema_core::backend::UrlError),
    /// A server database that could not be opened (refused, missing, unreachable).
    #[error(transparent)]
    Server(#[from] schema_core::backend::OpenError),
    #[error("{0}")]
    Unsupported(String),
}

/// Opens the database a SQLite URL names (relative paths against `base`), with the file's path
/// for messages.
pub fn open_url(url: &str, base: &Path) -> Result<(SqliteDb, PathBuf), OpenError> {
    match schema_core::backend::parse_url(url, base)? {
        DatabaseUrl::SqliteFile { path, .. } => Ok((SqliteDb::open(&path)?, path)),
        DatabaseUrl::Postgres(u) => Err(OpenError::Unsupported(format!(
            "{} is a PostgreSQL URL, but the dialect is sqlite",
            schema_core::backend::redact(&u)
        ))),
    }
}

/// The schema as last read, and the `schema_version` it was read at.
struct Catalog {
    version: i64,
    tables: Vec<TableInfo>,
}

pub struct SqliteDb {
    path: PathBuf,
    /// What schema-core reads (introspection, migration status, drift), on a connection of
    /// its own that only reads.
    meta: SqliteDriver,
    /// Reads, edits and the console's writes; foreign keys on.
    conn: Connection,
    /// The console's read-only mode: a connection opened read-only, so no statement it runs
    /// can write, whatever the statement is.
    reader: Connection,
    read_only: bool,
    catalog: Option<Catalog>,
    /// Row counts, and the (schema version, data version, total changes) they were taken at.
    counts: Option<((i64, i64, u64), Vec<Relation>)>,
}

impl SqliteDb {
    /// Opens an existing database file; a missing file is an error, never a new empty database.
    pub fn open(path: &Path) -> Result<SqliteDb, OpenError> {
        if !path.is_file() {
            return Err(OpenError::Missing(path.to_path_buf()));
        }
        let open = |flags: OpenFlags| {
            Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(|source| {
                OpenError::Open {
                    path: path.to_path_buf(),
                    source,
                }
            })
        };
        // A file we may not write is still worth browsing: edits then fail with SQLite's
        // "attempt to write a readonly database".
        let (conn, read_only) = match open(OpenFlags::SQLITE_OPEN_READ_WRITE) {
            Ok(c) => (c, false),
            Err(_) => (open(OpenFlags::SQLITE_OPEN_READ_ONLY)?, true),
        };
        let reader = open(OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let not_db = |source| OpenError::NotADatabase {
            path: path.to_path_buf(),
            source,
        };
        for c in [&conn, &reader] {
            c.busy_timeout(Duration::from_secs(5)).map_err(not_db)?;
            c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
                .map_err(not_db)?;
        }
        // Edits are checked as the application would have them checked.
        conn.pragma_update(None, "foreign_keys", true).map_err(not_db)?;
        reader.pragma_update(None, "query_only", true).map_err(not_db)?;
        let meta = SqliteDriver::open(&FileTarget {
            path: path.to_path_buf(),
            mode: OpenMode::ReadOnly,
            shown: path.display().to_string(),
        })
        .map_err(|e| OpenError::Meta(e.to_string()))?;
        Ok(SqliteDb {
            path: path.to_path_buf(),
            meta,
            conn,
            reader,
            read_only,
            catalog: None,
            counts: None,
        })
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }

    fn schema_version(&self) -> Result<i64, DbError> {
        self.conn
            .query_row("PRAGMA schema_version", [], |r| r.get(0))
            .map_err(db_error)
    }

    /// The schema, read again only when `schema_version` says it changed.
    fn catalog(&mut self) -> Result<&[TableInfo], DbError> {
        let version = self.schema_version()?;
        if self.catalog.as_ref().is_none_or(|c| c.version != version) {
            let tables = load_catalog(&self.conn, &mut self.meta)?;
            self.catalog = Some(Catalog { version, tables });
        }
        Ok(self.catalog.as_ref().map(|c| c.tables.as_slice()).unwrap_or_default())
    }

    fn table_info(&mut self, name: &str) -> Result<TableInfo, DbError> {
        self.catalog()?
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
            .cloned()
            .ok_or_else(|| DbError::NoTable(name.to_string()))
    }

    fn editable_table(&mut self, name: &str) -> Result<TableInfo, DbError> {
        self.table_info(name)?.into_editable()
    }
}

fn load_catalog(conn: &Connection, meta: &mut SqliteDriver) -> Result<Vec<TableInfo>, DbError> {
    let described = adapter::describe_tables(meta).map_err(|e| DbError::Refused(e.to_string()))?;
    let mut stmt = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view') \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
        )
        .map_err(db_error)?;
    let master: Vec<(String, String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(|rows| rows.collect())
        .map_err(db_error)?;
    let mut tables = Vec::new();
    for (ty, name, sql) in master {
        let virtual_table = sql
            .as_deref()
            .is_some_and(|s| s.trim_start().to_ascii_uppercase().starts_with("CREATE VIRTUAL"));
        let info = match described.iter().find(|d| d.name == name) {
            Some(d) if ty == "table" && !virtual_table => from_described(d, sql),
            _ => {
                let kind = if ty == "view" {
                    RelationKind::View
                } else if virtual_table {
                    RelationKind::Virtual
                } else {
                    RelationKind::Table
                };
                from_pragmas(conn, &name, kind, sql)?
            }
        };
        tables.push(info);
    }
    super::db::link_references(&mut tables, |a, b| a.eq_ignore_ascii_case(b));
    Ok(tables)
}

/// The first of SQLite's names for the rowid that no column has taken.
fn rowid_name(columns: &[ColumnInfo]) -> Option<String> {
    ["rowid", "oid", "_rowid_"]
        .into_iter()
        .find(|r| !columns.iter().any(|c| c.name.eq_ignore_ascii_case(r)))
        .map(str::to_string)
}

fn from_described(d: &adapter::Described, sql: Option<String>) -> TableInfo {
    let row_key = if d.options.sqlite.without_rowid {
        RowKey::Columns(d.primary_key.clone())
    } else {
        match rowid_name(&d.columns) {
            Some(r) => RowKey::Rowid(r),
            None if !d.primary_key.is_empty() => RowKey::Columns(d.primary_key.clone()),
            None => RowKey::None,
        }
    };
    let mut options = Vec::new();
    if d.options.sqlite.strict {
        options.push("STRICT".to_string());
    }
    if d.options.sqlite.without_rowid {
        options.push("WITHOUT ROWID".to_string());
    }
    TableInfo {
        schema: "main".into(),
        name: d.name.clone(),
        kind: RelationKind::Table,
        columns: d.columns.clone(),
        primary_key: d.primary_key.clone(),
        row_key,
        indexes: d.indexes.clone(),
        checks: d.checks.clone(),
        foreign_keys: d.foreign_keys.clone(),
        referenced_by: Vec::new(),
        options,
        sql,
    }
}

/// A view or virtual table: its columns as SQLite reports them.
fn from_pragmas(conn: &Connection, name: &str, kind: RelationKind, sql: Option<String>) -> Result<TableInfo, DbError> {
    let mut stmt = conn
        .prepare("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1) ORDER BY cid")
        .map_err(db_error)?;
    type Col = (String, String, bool, Option<String>, i64, i64);
    let cols: Vec<Col> = stmt
        .query_map([name], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })
        .and_then(|rows| rows.collect())
        .map_err(db_error)?;
    let columns: Vec<ColumnInfo> = cols
        .iter()
        .filter(|c| c.5 != 1) // a virtual table's hidden column
        .map(|c| ColumnInfo {
            name: c.0.clone(),
            ty: c.1.clone(),
            not_null: c.2,
            default: c.3.clone(),
            primary_key: c.4 > 0,
            autoincrement: false,
            generated: None,
            collate: None,
        })
        .collect();
    let row_key = match kind {
        RelationKind::View => RowKey::None,
        // Most virtual tables (FTS) have a rowid; those that do not are paged by offset.
        _ => match rowid_name(&columns) {
            Some(r)
                if conn
                    .prepare(&format!("SELECT {r} FROM {} LIMIT 0", ident(name)))
                    .is_ok() =>
            {
                RowKey::Rowid(r)
            }
            _ => RowKey::None,
        },
    };
    Ok(TableInfo {
        schema: "main".into(),
        name: name.to_string(),
        kind,
        columns,
        primary_key: Vec::new(),
        row_key,
        indexes: Vec::new(),
        checks: Vec::new(),
        foreign_keys: Vec::new(),
        referenced_by: Vec::new(),
        options: Vec::new(),
        sql,
    })
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn value_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// The database's own words for a refusal; a lock is said as such.
fn db_error(e: rusqlite::Error) -> DbError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
        {
            DbError::Busy(e.to_string())
        }
        rusqlite::Error::SqliteFailure(..) | rusqlite::Error::SqlInputError { .. } => DbError::Refused(e.to_string()),
        _ => DbError::Other(e.to_string()),
    }
}

impl StudioDb for SqliteDb {
    fn dialect(&self) -> &'static str {
        "sqlite"
    }

    fn location(&self) -> String {
        let mut s = self.path.display().to_string();
        if self.read_only {
            s.push_str(" (read-only)");
        }
        s
    }

    fn relations(&mut self) -> Result<Vec<Relation>, DbError> {
        let stamp = (
            self.schema_version()?,
            self.conn
                .query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))
                .map_err(db_error)?,
            self.conn.total_changes(),
        );
        if let Some((at, relations)) = &self.counts
            && *at == stamp
        {
            return Ok(relations.clone());
        }
        let tables = self.catalog()?.to_vec();
        let mut out = Vec::with_capacity(tables.len());
        for t in &tables {
            out.push(Relation {
                schema: t.schema.clone(),
                name: t.name.clone(),
                kind: t.kind,
                rows: count_rows(&self.conn, t)?,
            });
        }
        self.counts = Some((stamp, out.clone()));
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
        let conn = &self.conn;
        scan::page(&SqliteFlavor, &t, q, &mut |select, query| {
            query_rows(conn, query, select)
        })
    }

    fn find_row(&mut self, table: &str, lookup: &RowLookup) -> Result<Option<Row>, DbError> {
        let t = self.table_info(table)?;
        let query = scan::find_row(&SqliteFlavor, &t, lookup)?;
        let select = Select::of(&SqliteFlavor, &t);
        Ok(query_rows(&self.conn, &query, &select)?.into_iter().next())
    }

    fn count_referencing(&mut self, fk: &ForeignKeyInfo, values: &[Value], limit: u64) -> Result<RowCount, DbError> {
        let t = self.table_info(&fk.table)?;
        let query = scan::count_referencing(&SqliteFlavor, &t, fk, values, limit)?;
        let n: i64 = self
            .conn
            .query_row(&query.sql, params_from_iter(&query.params), |r| r.get(0))
            .map_err(db_error)?;
        Ok(scan::referencing_count(n, limit))
    }

    fn update_cell(&mut self, table: &str, key: &[Value], column_name: &str, value: &Value) -> Result<Row, DbError> {
        let t = self.editable_table(table)?;
        let query = scan::update_cell(&SqliteFlavor, &t, key, column_name, value)?;
        let select = Select::of(&SqliteFlavor, &t);
        let rows = in_transaction(&mut self.conn, |tx| query_rows(tx, &query, &select))?;
        rows.into_iter().next().ok_or_else(|| DbError::NoRow(t.name.clone()))
    }

    fn insert_row(&mut self, table: &str, values: &[(String, Value)]) -> Result<Row, DbError> {
        let t = self.editable_table(table)?;
        let query = scan::insert_row(&SqliteFlavor, &t, values)?;
        let select = Select::of(&SqliteFlavor, &t);
        let rows = in_transaction(&mut self.conn, |tx| query_rows(tx, &query, &select))?;
        rows.into_iter()
            .next()
            .ok_or_else(|| DbError::Other("the insert returned no row".into()))
    }

    fn delete_rows(&mut self, table: &str, keys: &[Vec<Value>]) -> Result<u64, DbError> {
        let t = self.editable_table(table)?;
        let queries = scan::delete_rows(&SqliteFlavor, &t, keys)?;
        in_transaction(&mut self.conn, |tx| {
            let mut n = 0;
            for q in &queries {
                let mut stmt = tx.prepare_cached(&q.sql).map_err(db_error)?;
                n += stmt.execute(params_from_iter(&q.params)).map_err(db_error)? as u64;
            }
            Ok(n)
        })
    }

    fn console(&mut self, sql: &str, mode: ConsoleMode) -> Result<ConsoleResult, DbError> {
        // Each statement is its own transaction; one left open would hold a lock and stop
        // every edit the page makes.
        scan::refuse_transaction_control(sql)?;
        let conn = match mode {
            ConsoleMode::ReadOnly => &self.reader,
            ConsoleMode::Writable => &self.conn,
        };
        let (stop, stopped) = mpsc::channel::<()>();
        let handle = conn.get_interrupt_handle();
        let watchdog = std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CONSOLE_TIMEOUT) {
                handle.interrupt();
            }
        });
        let result = run_console(conn, sql, mode);
        drop(stop);
        let _ = watchdog.join();
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        result
    }

    fn migrations(&mut self, folder: &Path, table: &str, schema: &str) -> MigrationReport {
        adapter::migration_report(&mut self.meta, &Folder::new(folder, &SQLITE), table, schema)
    }
}

fn run_console(conn: &Connection, sql: &str, mode: ConsoleMode) -> Result<ConsoleResult, DbError> {
    let mut stmt = conn.prepare(sql).map_err(|e| match e {
        rusqlite::Error::MultipleStatement => {
            DbError::Invalid("the console runs one statement at a time; remove what follows the first `;`".into())
        }
        e => db_error(e),
    })?;
    if mode == ConsoleMode::ReadOnly && !stmt.readonly() {
        return Err(DbError::Refused(
            "the console is read-only: this statement would write. Switch on \"Allow writes\" to run it".into(),
        ));
    }
    let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let before = conn.total_changes();
    let mut out = Vec::new();
    let mut truncated = false;
    {
        let mut rows = stmt.query([]).map_err(db_error)?;
        while let Some(r) = rows.next().map_err(db_error)? {
            if out.len() == CONSOLE_MAX_ROWS {
                truncated = true;
                break;
            }
            out.push(
                (0..columns.len())
                    .map(|i| r.get_ref(i).map(value_of))
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(db_error)?,
            );
        }
    }
    let readonly = stmt.readonly();
    drop(stmt);
    Ok(ConsoleResult {
        columns,
        rows: out,
        truncated,
        changes: if readonly {
            0
        } else {
            conn.total_changes().saturating_sub(before)
        },
    })
}

/// SQLite's words: `?` for every value (bound as it is), NULL already smallest.
struct SqliteFlavor;

impl Flavor for SqliteFlavor {
    fn table(&self, t: &TableInfo) -> String {
        ident(&t.name)
    }

    fn select(&self, c: &ColumnInfo) -> String {
        ident(&c.name)
    }

    fn mark(&self, _n: usize, _column: Option<&ColumnInfo>) -> String {
        "?".into()
    }

    fn contains(&self, expr: &str, mark: &str) -> String {
        format!("{expr} LIKE {mark} ESCAPE '\\'")
    }

    fn order(&self, expr: &str, dir: Direction, _nullable: bool) -> String {
        format!("{expr} {}", dir_sql(dir))
    }
}

fn read_row(select: &Select<'_>, width: usize, r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let n = select.key_len();
    let key = (0..n)
        .map(|i| r.get_ref(i).map(value_of))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let cells = (n..n + width)
        .map(|i| r.get_ref(i).map(value_of))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Row {
        key: (n > 0).then_some(key),
        cells,
    })
}

fn query_rows(conn: &Connection, query: &Query, select: &Select<'_>) -> Result<Vec<Row>, DbError> {
    let mut stmt = conn.prepare(&query.sql).map_err(db_error)?;
    let width = stmt.column_count() - select.key_len();
    let rows = stmt
        .query_map(params_from_iter(&query.params), |r| read_row(select, width, r))
        .map_err(db_error)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db_error)
}

/// `f` in a write transaction, committed only if it and the commit (deferred foreign keys)
/// succeed; otherwise nothing of it is written.
fn in_transaction<T>(conn: &mut Connection, f: impl FnOnce(&Connection) -> Result<T, DbError>) -> Result<T, DbError> {
    // The writable console may have turned foreign keys off; edits are checked regardless.
    conn.pragma_update(None, "foreign_keys", true).map_err(db_error)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_error)?;
    let out = f(&tx)?;
    tx.commit().map_err(db_error)?;
    Ok(out)
}

/// Exact up to `EXACT_COUNT_UP_TO` rows, read from at most that many; beyond, an estimate
/// from `sqlite_stat1` or the rowid range, so a huge table costs no full scan.
fn count_rows(conn: &Connection, t: &TableInfo) -> Result<RowCount, DbError> {
    let from = ident(&t.name);
    let mut span = None;
    if let (RowKey::Rowid(r), RelationKind::Table) = (&t.row_key, t.kind) {
        let (min, max): (Option<i64>, Option<i64>) = conn
            .query_row(
                &format!("SELECT (SELECT min({r}) FROM {from}), (SELECT max({r}) FROM {from})"),
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(db_error)?;
        match (min, max) {
            (Some(lo), Some(hi)) => {
                let s = (i128::from(hi) - i128::from(lo) + 1).clamp(0, i128::from(i64::MAX)) as u64;
                if s <= EXACT_COUNT_UP_TO {
                    let n: i64 = conn
                        .query_row(&format!("SELECT count(*) FROM {from}"), [], |r| r.get(0))
                        .map_err(db_error)?;
                    return Ok(RowCount::Exact(n as u64));
                }
                span = Some(s);
            }
            _ => return Ok(RowCount::Exact(0)),
        }
    }
    let bounded: i64 = conn
        .query_row(
            &format!(
                "SELECT count(*) FROM (SELECT 1 FROM {from} LIMIT {})",
                EXACT_COUNT_UP_TO + 1
            ),
            [],
            |r| r.get(0),
        )
        .map_err(db_error)?;
    if (bounded as u64) <= EXACT_COUNT_UP_TO {
        return Ok(RowCount::Exact(bounded as u64));
    }
    if let Some(n) = stat1_rows(conn, &t.name) {
        return Ok(RowCount::Estimate(n.max(EXACT_COUNT_UP_TO + 1)));
    }
    Ok(match span {
        Some(s) => RowCount::Estimate(s),
        None => RowCount::AtLeast(EXACT_COUNT_UP_TO),
    })
}

/// The row count `ANALYZE` recorded for a table, if it ran.
fn stat1_rows(conn: &Connection, table: &str) -> Option<u64> {
    let stats: Vec<String> = conn
        .prepare("SELECT stat FROM sqlite_stat1 WHERE tbl = ?1")
        .and_then(|mut s| s.query_map([table], |r| r.get(0))?.collect())
        .ok()?;
    stats
        .iter()
        .filter_map(|s| s.split(' ').next()?.parse::<u64>().ok())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consoles_read_only_connection_cannot_write_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let db = SqliteDb::open(&path).unwrap();
        // Past any statement check: the connection itself is read-only, query_only or not.
        db.reader.execute_batch("PRAGMA query_only = OFF").unwrap();
        let err = db.reader.execute_batch("DELETE FROM t").unwrap_err().to_string();
        assert!(err.contains("readonly"), "{err}");
        assert!(db.reader.execute_batch("CREATE TABLE u (y)").is_err());
        let foreign_keys: bool = db.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert!(foreign_keys, "edits are checked against foreign keys");
    }

    #[test]
    fn a_missing_file_is_an_error_and_stays_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.db");
        assert!(matches!(SqliteDb::open(&path), Err(OpenError::Missing(_))));
        assert!(!path.exists());
    }
}
