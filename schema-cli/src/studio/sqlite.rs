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
    ColumnInfo, ConsoleMode, ConsoleResult, Cursor, DbError, Direction, Filter, FilterOp, ForeignKeyInfo,
    MigrationReport, Page, Relation, RelationKind, Row, RowCount, RowKey, RowLookup, RowQuery, StudioDb, TableInfo,
    Value,
};

/// Tables up to this many rows are counted exactly on every view; bigger ones are estimated,
/// so that the table list never scans a big table.
pub const EXACT_COUNT_UP_TO: u64 = 100_000;
/// The console returns at most this many rows of a query.
pub const CONSOLE_MAX_ROWS: usize = 1000;
/// A console statement still running after this long is interrupted.
pub const CONSOLE_TIMEOUT: Duration = Duration::from_secs(30);

/// `"name"`, with any `"` doubled. The studio's one quoting rule for SQLite, used for every
/// name it writes into SQL, and only for names found in the schema.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

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
        let t = self.table_info(name)?;
        if !t.editable() {
            return Err(DbError::Invalid(format!(
                "`{}` is a {} without a key: it can be browsed, not edited",
                t.name,
                t.kind.as_str()
            )));
        }
        Ok(t)
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
    let all_fks: Vec<ForeignKeyInfo> = tables.iter().flat_map(|t| t.foreign_keys.clone()).collect();
    for t in &mut tables {
        t.referenced_by = all_fks
            .iter()
            .filter(|f| f.ref_table.eq_ignore_ascii_case(&t.name))
            .cloned()
            .collect();
    }
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

/// The SELECT list of a page: the key's expressions, then every column.
struct Select {
    key: Vec<String>,
    columns: Vec<String>,
}

impl Select {
    fn of(t: &TableInfo) -> Select {
        let key = match &t.row_key {
            RowKey::Rowid(r) => vec![r.clone()],
            RowKey::Columns(cols) => cols.iter().map(|c| ident(c)).collect(),
            RowKey::None => Vec::new(),
        };
        Select {
            key,
            columns: t.columns.iter().map(|c| ident(&c.name)).collect(),
        }
    }

    fn list(&self) -> String {
        let all: Vec<&str> = self.key.iter().chain(&self.columns).map(String::as_str).collect();
        all.join(", ")
    }

    /// `key = ? AND …`, for the key's values.
    fn key_equals(&self) -> String {
        self.key
            .iter()
            .map(|k| format!("{k} = ?"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    fn row(&self, r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
        let n = self.key.len();
        let key = (0..n)
            .map(|i| r.get_ref(i).map(value_of))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let cells = (n..n + self.columns.len())
            .map(|i| r.get_ref(i).map(value_of))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Row {
            key: (n > 0).then_some(key),
            cells,
        })
    }
}

fn column<'t>(t: &'t TableInfo, name: &str) -> Result<&'t ColumnInfo, DbError> {
    t.column(name).ok_or_else(|| DbError::NoColumn {
        table: t.name.clone(),
        column: name.to_string(),
    })
}

/// `%text%` for LIKE, with LIKE's own wildcards in the text taken literally.
fn contains_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// The rows strictly after `values` in `dir` order of `(sort, key…)`. SQLite sorts NULL
/// first, so NULLs of the sort column need their own arm; the key is never NULL.
fn keyset_condition(
    sort: Option<&str>,
    key: &[String],
    values: &[Value],
    dir: Direction,
    params: &mut Vec<Value>,
) -> String {
    let op = if dir == Direction::Asc { ">" } else { "<" };
    let tuple = |names: &[String]| {
        if names.len() == 1 {
            names[0].clone()
        } else {
            format!("({})", names.join(", "))
        }
    };
    let marks = |n: usize| {
        if n == 1 {
            "?".to_string()
        } else {
            format!("({})", vec!["?"; n].join(", "))
        }
    };
    match sort {
        None => {
            params.extend(values.iter().cloned());
            format!("{} {op} {}", tuple(key), marks(key.len()))
        }
        Some(s) => {
            let sort_value = &values[0];
            let key_values = &values[1..];
            if *sort_value == Value::Null {
                params.extend(key_values.iter().cloned());
                let same = format!("({s} IS NULL AND {} {op} {})", tuple(key), marks(key.len()));
                match dir {
                    Direction::Asc => format!("({same} OR {s} IS NOT NULL)"),
                    Direction::Desc => same,
                }
            } else {
                params.extend(values.iter().cloned());
                let mut names = vec![s.to_string()];
                names.extend(key.iter().cloned());
                let cmp = format!("({}) {op} {}", names.join(", "), marks(names.len()));
                match dir {
                    Direction::Asc => cmp,
                    Direction::Desc => format!("({cmp} OR {s} IS NULL)"),
                }
            }
        }
    }
}

fn reverse(d: Direction) -> Direction {
    match d {
        Direction::Asc => Direction::Desc,
        Direction::Desc => Direction::Asc,
    }
}

fn dir_sql(d: Direction) -> &'static str {
    match d {
        Direction::Asc => "ASC",
        Direction::Desc => "DESC",
    }
}

/// The first keyword of a statement, past comments and blanks.
fn first_keyword(sql: &str) -> String {
    let mut s = sql.trim_start();
    loop {
        if let Some(rest) = s.strip_prefix("--") {
            s = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    s.chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase()
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
        let mut scan = Scan {
            select: Select::of(&t),
            conditions: Vec::new(),
            params: Vec::new(),
            sort: None,
            limit: q.limit.clamp(1, 1000),
            t: &t,
        };
        scan.filter(&q.filters)?;
        if let Some((name, dir)) = &q.sort {
            let c = column(&t, name)?;
            scan.sort = Some(Sort {
                expr: ident(&c.name),
                index: t.columns.iter().position(|x| x.name == c.name).unwrap_or(0),
                dir: *dir,
            });
        }
        if scan.select.key.is_empty() {
            scan.offset_page(&self.conn, q.cursor.as_ref())
        } else {
            scan.keyset_page(&self.conn, q.cursor.as_ref())
        }
    }

    fn find_row(&mut self, table: &str, lookup: &RowLookup) -> Result<Option<Row>, DbError> {
        let t = self.table_info(table)?;
        let select = Select::of(&t);
        let (condition, params) = match lookup {
            RowLookup::Key(values) => {
                if select.key.is_empty() || values.len() != select.key.len() {
                    return Err(DbError::Invalid(format!(
                        "a key of `{}` has {} value(s), not {}",
                        t.name,
                        select.key.len(),
                        values.len()
                    )));
                }
                (select.key_equals(), values.clone())
            }
            RowLookup::Columns(pairs) => {
                if pairs.is_empty() {
                    return Err(DbError::Invalid("name the row by its key or by column values".into()));
                }
                let mut conds = Vec::new();
                for (name, _) in pairs {
                    conds.push(format!("{} = ?", ident(&column(&t, name)?.name)));
                }
                (conds.join(" AND "), pairs.iter().map(|(_, v)| v.clone()).collect())
            }
        };
        let sql = format!(
            "SELECT {} FROM {} WHERE {condition} LIMIT 1",
            select.list(),
            ident(&t.name)
        );
        Ok(query_rows(&self.conn, &sql, &params, &select)?.into_iter().next())
    }

    fn count_referencing(&mut self, fk: &ForeignKeyInfo, values: &[Value], limit: u64) -> Result<RowCount, DbError> {
        let t = self.table_info(&fk.table)?;
        if values.len() != fk.columns.len() || values.is_empty() {
            return Err(DbError::Invalid(
                "a foreign key's values do not match its columns".into(),
            ));
        }
        let mut conds = Vec::new();
        for c in &fk.columns {
            conds.push(format!("{} = ?", ident(&column(&t, c)?.name)));
        }
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM {} WHERE {} LIMIT {})",
            ident(&t.name),
            conds.join(" AND "),
            limit + 1
        );
        let n: i64 = self
            .conn
            .query_row(&sql, params_from_iter(values), |r| r.get(0))
            .map_err(db_error)?;
        let n = n.max(0) as u64;
        Ok(if n > limit {
            RowCount::AtLeast(limit)
        } else {
            RowCount::Exact(n)
        })
    }

    fn update_cell(&mut self, table: &str, key: &[Value], column_name: &str, value: &Value) -> Result<Row, DbError> {
        let t = self.editable_table(table)?;
        let select = Select::of(&t);
        let c = column(&t, column_name)?;
        if key.len() != select.key.len() {
            return Err(DbError::Invalid(format!(
                "a key of `{}` has {} value(s)",
                t.name,
                select.key.len()
            )));
        }
        let sql = format!(
            "UPDATE {} SET {} = ? WHERE {} RETURNING {}",
            ident(&t.name),
            ident(&c.name),
            select.key_equals(),
            select.list()
        );
        let mut params = vec![value.clone()];
        params.extend(key.iter().cloned());
        let rows = in_transaction(&mut self.conn, |tx| query_rows(tx, &sql, &params, &select))?;
        rows.into_iter().next().ok_or_else(|| DbError::NoRow(t.name.clone()))
    }

    fn insert_row(&mut self, table: &str, values: &[(String, Value)]) -> Result<Row, DbError> {
        let t = self.editable_table(table)?;
        let select = Select::of(&t);
        let mut names = Vec::new();
        for (name, _) in values {
            let c = ident(&column(&t, name)?.name);
            if names.contains(&c) {
                return Err(DbError::Invalid(format!("column `{name}` given twice")));
            }
            names.push(c);
        }
        let sql = if names.is_empty() {
            format!(
                "INSERT INTO {} DEFAULT VALUES RETURNING {}",
                ident(&t.name),
                select.list()
            )
        } else {
            format!(
                "INSERT INTO {} ({}) VALUES ({}) RETURNING {}",
                ident(&t.name),
                names.join(", "),
                vec!["?"; names.len()].join(", "),
                select.list()
            )
        };
        let params: Vec<Value> = values.iter().map(|(_, v)| v.clone()).collect();
        let rows = in_transaction(&mut self.conn, |tx| query_rows(tx, &sql, &params, &select))?;
        rows.into_iter()
            .next()
            .ok_or_else(|| DbError::Other("the insert returned no row".into()))
    }

    fn delete_rows(&mut self, table: &str, keys: &[Vec<Value>]) -> Result<u64, DbError> {
        let t = self.editable_table(table)?;
        let select = Select::of(&t);
        if let Some(bad) = keys.iter().find(|k| k.len() != select.key.len()) {
            return Err(DbError::Invalid(format!(
                "a key of `{}` has {} value(s), not {}",
                t.name,
                select.key.len(),
                bad.len()
            )));
        }
        let sql = format!("DELETE FROM {} WHERE {}", ident(&t.name), select.key_equals());
        in_transaction(&mut self.conn, |tx| {
            let mut stmt = tx.prepare(&sql).map_err(db_error)?;
            let mut n = 0;
            for k in keys {
                n += stmt.execute(params_from_iter(k)).map_err(db_error)? as u64;
            }
            Ok(n)
        })
    }

    fn console(&mut self, sql: &str, mode: ConsoleMode) -> Result<ConsoleResult, DbError> {
        if sql.trim().is_empty() {
            return Err(DbError::Invalid("nothing to run".into()));
        }
        // Each statement is its own transaction; one left open would hold a lock and stop
        // every edit the page makes.
        if matches!(
            first_keyword(sql).as_str(),
            "BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE"
        ) {
            return Err(DbError::Invalid(
                "the console runs each statement in a transaction of its own; BEGIN, COMMIT and ROLLBACK are not taken"
                    .into(),
            ));
        }
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

    fn migrations(&mut self, folder: &Path, tracking_table: &str) -> MigrationReport {
        adapter::migration_report(&mut self.meta, &Folder::new(folder, &SQLITE), tracking_table)
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

fn where_sql(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

fn query_rows(conn: &Connection, sql: &str, params: &[Value], select: &Select) -> Result<Vec<Row>, DbError> {
    let mut stmt = conn.prepare(sql).map_err(db_error)?;
    let rows = stmt
        .query_map(params_from_iter(params), |r| select.row(r))
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

/// The column a page is sorted on: its quoted name, its place among the cells, the way.
struct Sort {
    expr: String,
    index: usize,
    dir: Direction,
}

/// One page's query as it is built: the filters' conditions and their bound values, the sort.
struct Scan<'t> {
    t: &'t TableInfo,
    select: Select,
    conditions: Vec<String>,
    params: Vec<Value>,
    sort: Option<Sort>,
    limit: usize,
}

impl Scan<'_> {
    /// Each filter: a checked column, an operator of ours, the value bound.
    fn filter(&mut self, filters: &[Filter]) -> Result<(), DbError> {
        for f in filters {
            let c = ident(&column(self.t, &f.column)?.name);
            self.conditions.push(match &f.op {
                FilterOp::Equals(v) => {
                    self.params.push(Value::Text(v.clone()));
                    format!("{c} = ?")
                }
                FilterOp::Contains(v) => {
                    self.params.push(Value::Text(contains_pattern(v)));
                    format!("{c} LIKE ? ESCAPE '\\'")
                }
                FilterOp::IsNull => format!("{c} IS NULL"),
                FilterOp::NotNull => format!("{c} IS NOT NULL"),
            });
        }
        Ok(())
    }

    /// The cursor of a row: the sort column's value, then the key.
    fn cursor_of(&self, r: &Row) -> Vec<Value> {
        let mut c = Vec::new();
        if let Some(s) = &self.sort {
            c.push(r.cells[s.index].clone());
        }
        c.extend(r.key.clone().unwrap_or_default());
        c
    }

    /// A page after (or before) a cursor, found by a seek on `(sort, key)`, never an OFFSET:
    /// the millionth row costs what the first does. Before a cursor, the scan runs the other
    /// way and the rows are turned back.
    fn keyset_page(mut self, conn: &Connection, cursor: Option<&Cursor>) -> Result<Page, DbError> {
        let base_dir = self.sort.as_ref().map_or(Direction::Asc, |s| s.dir);
        let backwards = matches!(cursor, Some(Cursor::Before(_)));
        let scan_dir = if backwards { reverse(base_dir) } else { base_dir };
        let given = match cursor {
            Some(Cursor::After(v) | Cursor::Before(v)) => Some(v.clone()),
            None => None,
        };
        if let Some(values) = &given {
            let sorted = usize::from(self.sort.is_some());
            let want = self.select.key.len() + sorted;
            if values.len() != want {
                return Err(DbError::Invalid(format!(
                    "the cursor holds {} value(s); a page of `{}` sorted this way needs {want}",
                    values.len(),
                    self.t.name
                )));
            }
            if values[sorted..].contains(&Value::Null) {
                return Err(DbError::Invalid("a cursor's key cannot be NULL".into()));
            }
            let condition = keyset_condition(
                self.sort.as_ref().map(|s| s.expr.as_str()),
                &self.select.key,
                values,
                scan_dir,
                &mut self.params,
            );
            self.conditions.push(condition);
        }
        let mut order: Vec<String> = Vec::new();
        if let Some(s) = &self.sort {
            order.push(format!("{} {}", s.expr, dir_sql(scan_dir)));
        }
        order.extend(self.select.key.iter().map(|k| format!("{k} {}", dir_sql(scan_dir))));
        let sql = format!(
            "SELECT {} FROM {}{} ORDER BY {} LIMIT {}",
            self.select.list(),
            ident(&self.t.name),
            where_sql(&self.conditions),
            order.join(", "),
            self.limit + 1
        );
        let mut rows = query_rows(conn, &sql, &self.params, &self.select)?;
        let more = rows.len() > self.limit;
        rows.truncate(self.limit);
        if backwards {
            rows.reverse();
        }
        let first = rows.first().map(|r| self.cursor_of(r));
        let last = rows.last().map(|r| self.cursor_of(r));
        let (next, prev) = if backwards {
            (last.or(given), if more { first } else { None })
        } else {
            (if more { last } else { None }, given.map(|g| first.unwrap_or(g)))
        };
        Ok(Page {
            columns: self.t.columns.iter().map(|c| c.name.clone()).collect(),
            rows,
            next,
            prev,
            paging: "keyset",
        })
    }

    /// A relation without a key (a view) is paged by offset: the cursor is the offset.
    fn offset_page(self, conn: &Connection, cursor: Option<&Cursor>) -> Result<Page, DbError> {
        let offset_of = |v: &[Value]| match v {
            [Value::Integer(i)] if *i >= 0 => Ok(*i as usize),
            _ => Err(DbError::Invalid("the cursor of a view is an offset".into())),
        };
        let start = match cursor {
            None => 0,
            Some(Cursor::After(v)) => offset_of(v)?,
            Some(Cursor::Before(v)) => offset_of(v)?.saturating_sub(self.limit),
        };
        let order = self
            .sort
            .as_ref()
            .map_or(String::new(), |s| format!(" ORDER BY {} {}", s.expr, dir_sql(s.dir)));
        let sql = format!(
            "SELECT {} FROM {}{}{order} LIMIT {} OFFSET {start}",
            self.select.list(),
            ident(&self.t.name),
            where_sql(&self.conditions),
            self.limit + 1
        );
        let mut rows = query_rows(conn, &sql, &self.params, &self.select)?;
        let more = rows.len() > self.limit;
        rows.truncate(self.limit);
        Ok(Page {
            columns: self.t.columns.iter().map(|c| c.name.clone()).collect(),
            next: more.then(|| vec![Value::Integer((start + self.limit) as i64)]),
            prev: (start > 0).then(|| vec![Value::Integer(start as i64)]),
            rows,
            paging: "offset",
        })
    }
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
    fn like_wildcards_in_a_filter_are_literal() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn first_keyword_skips_comments() {
        assert_eq!(first_keyword("  -- hi\n /* x */ begin immediate"), "BEGIN");
        assert_eq!(first_keyword("select 1"), "SELECT");
    }

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

    #[test]
    fn identifiers_are_quoted_with_quotes_doubled() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
    }
}
