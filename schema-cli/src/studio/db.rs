//! What the studio asks of a database, said without a dialect: the `StudioDb` trait and the
//! plain data it returns. SQLite's implementation is `sqlite.rs`, PostgreSQL's `postgres.rs`;
//! the SQL both run is built once, in `scan.rs`.

use std::path::Path;

/// A value as the database holds it. SQLite's five storage classes; a PostgreSQL
/// implementation maps its types onto them (and renders the rest as text).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    Table,
    View,
    /// A virtual table (FTS and friends): browsed, not edited.
    Virtual,
}

impl RelationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Table => "table",
            RelationKind::View => "view",
            RelationKind::Virtual => "virtual",
        }
    }
}

/// How many rows a relation holds, and how sure we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowCount {
    Exact(u64),
    /// Too many rows to count on every page view: an estimate (statistics, or the rowid range).
    Estimate(u64),
    /// Too many to count, and nothing to estimate from: at least this many.
    AtLeast(u64),
}

/// A table or view in the list.
#[derive(Debug, Clone)]
pub struct Relation {
    /// `main` on SQLite; the table's schema on PostgreSQL.
    pub schema: String,
    pub name: String,
    pub kind: RelationKind,
    pub rows: RowCount,
}

/// How a row is found again after it was shown: what pages are keyed by and edits aim at.
#[derive(Debug, Clone, PartialEq)]
pub enum RowKey {
    /// SQLite's rowid, under the first of its names no column has taken.
    Rowid(String),
    /// The primary key's columns (WITHOUT ROWID tables; PostgreSQL tables).
    Columns(Vec<String>),
    /// Nothing stable (a view): paged by offset, not editable.
    None,
}

#[derive(Debug, Clone)]
pub struct ColumnInfo {
    pub name: String,
    pub ty: String,
    pub not_null: bool,
    /// The default as SQL (`CURRENT_TIMESTAMP`, `'draft'`, `0`).
    pub default: Option<String>,
    pub primary_key: bool,
    pub autoincrement: bool,
    /// The expression of a generated column (and whether it is stored).
    pub generated: Option<(String, bool)>,
    pub collate: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IndexInfo {
    pub name: String,
    /// The indexed columns, or the expression of an index on one.
    pub columns: Vec<String>,
    pub expr: Option<String>,
    pub unique: bool,
    pub where_clause: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CheckInfo {
    pub name: String,
    pub expr: String,
}

/// A foreign key: `table(columns)` → `ref_table(ref_columns)`.
#[derive(Debug, Clone)]
pub struct ForeignKeyInfo {
    pub table: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_delete: String,
    pub on_update: String,
}

/// Everything the studio shows of a table or view.
#[derive(Debug, Clone)]
pub struct TableInfo {
    pub schema: String,
    pub name: String,
    pub kind: RelationKind,
    pub columns: Vec<ColumnInfo>,
    pub primary_key: Vec<String>,
    pub row_key: RowKey,
    pub indexes: Vec<IndexInfo>,
    pub checks: Vec<CheckInfo>,
    pub foreign_keys: Vec<ForeignKeyInfo>,
    /// Foreign keys of other tables (or this one) that point here.
    pub referenced_by: Vec<ForeignKeyInfo>,
    /// Table options worth showing (`STRICT`, `WITHOUT ROWID`).
    pub options: Vec<String>,
    /// The statement that created it, where the database keeps one.
    pub sql: Option<String>,
}

impl TableInfo {
    /// The column named `name` (the database's own rule for case: ASCII-insensitive on SQLite).
    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn editable(&self) -> bool {
        self.kind == RelationKind::Table && self.row_key != RowKey::None
    }

    /// The table, when the studio may edit it (a table with a key); else why not.
    pub fn into_editable(self) -> Result<TableInfo, DbError> {
        if self.editable() {
            return Ok(self);
        }
        Err(DbError::Invalid(format!(
            "`{}` is a {} without a key: it can be browsed, not edited",
            self.name,
            self.kind.as_str()
        )))
    }
}

/// Gives each table the foreign keys (of any table) that point at it; `same` is the
/// database's rule for equal names.
pub fn link_references(tables: &mut [TableInfo], same: impl Fn(&str, &str) -> bool) {
    let all: Vec<ForeignKeyInfo> = tables.iter().flat_map(|t| t.foreign_keys.clone()).collect();
    for t in tables {
        t.referenced_by = all.iter().filter(|f| same(&f.ref_table, &t.name)).cloned().collect();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FilterOp {
    Equals(String),
    Contains(String),
    IsNull,
    NotNull,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub column: String,
    pub op: FilterOp,
}

/// Where a page starts: just after, or just before, a row given by its cursor values (the
/// sort column's value, if any, then the key), or (for a relation without a key) an offset.
#[derive(Debug, Clone, PartialEq)]
pub enum Cursor {
    After(Vec<Value>),
    Before(Vec<Value>),
}

#[derive(Debug, Clone)]
pub struct RowQuery {
    pub table: String,
    pub sort: Option<(String, Direction)>,
    pub filters: Vec<Filter>,
    pub cursor: Option<Cursor>,
    pub limit: usize,
}

/// One row: its key (absent for a view) and its cells, in the table's column order.
#[derive(Debug, Clone)]
pub struct Row {
    pub key: Option<Vec<Value>>,
    pub cells: Vec<Value>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    /// The cursor of the next page, when there is one.
    pub next: Option<Vec<Value>>,
    pub prev: Option<Vec<Value>>,
    /// `keyset`, or `offset` for a relation without a key.
    pub paging: &'static str,
}

/// How the row view names its row: by key, or by column values (a foreign key's link).
#[derive(Debug, Clone)]
pub enum RowLookup {
    Key(Vec<Value>),
    Columns(Vec<(String, Value)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleMode {
    ReadOnly,
    Writable,
}

#[derive(Debug, Clone)]
pub struct ConsoleResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// More rows than were returned.
    pub truncated: bool,
    /// Rows the statement changed (0 for a query).
    pub changes: u64,
}

/// Where each migration stands, and how the database drifted from them.
#[derive(Debug, Clone, Default)]
pub struct MigrationReport {
    pub folder: String,
    /// Why the folder could not be read, if it could not.
    pub error: Option<String>,
    pub migrations: Vec<MigrationEntry>,
    /// Applied migrations the folder no longer has.
    pub missing: Vec<String>,
    /// `None` when there is nothing to compare with (no migration applied yet).
    pub drift: Option<Vec<TableDrift>>,
    pub drift_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MigrationEntry {
    pub tag: String,
    /// `applied`, `pending` or `edited`.
    pub state: &'static str,
    pub applied_at: Option<String>,
    pub sql: String,
    pub statements: usize,
}

/// How one table differs from what its migrations say, in `status`'s words.
#[derive(Debug, Clone)]
pub struct TableDrift {
    pub table: String,
    pub differences: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    #[error("no table or view named `{0}`")]
    NoTable(String),
    #[error("`{table}` has no column `{column}`")]
    NoColumn { table: String, column: String },
    #[error("no such row in `{0}` (deleted meanwhile?)")]
    NoRow(String),
    /// A request the database could not be asked (a view edited, a key of the wrong size).
    #[error("{0}")]
    Invalid(String),
    /// The database refused what was asked, in its own words (a constraint, a syntax error).
    #[error("{0}")]
    Refused(String),
    #[error("the database is busy (another connection holds a lock): {0}")]
    Busy(String),
    #[error("database error: {0}")]
    Other(String),
}

/// Everything the studio does to a database. One implementation per dialect; the HTTP side
/// never sees SQL of its own making, only these calls.
pub trait StudioDb: Send {
    /// `sqlite` or `postgresql`.
    fn dialect(&self) -> &'static str;
    /// What the database is, for the page's title (a file name; a URL without its password).
    fn location(&self) -> String;
    /// Tables and views, in creation order, with their row counts.
    fn relations(&mut self) -> Result<Vec<Relation>, DbError>;
    /// Every table and view, described.
    fn tables(&mut self) -> Result<Vec<TableInfo>, DbError>;
    fn table(&mut self, name: &str) -> Result<TableInfo, DbError>;
    fn rows(&mut self, query: &RowQuery) -> Result<Page, DbError>;
    fn find_row(&mut self, table: &str, lookup: &RowLookup) -> Result<Option<Row>, DbError>;
    /// The rows of `fk.table` whose `fk.columns` hold `values`, counted up to `limit`.
    fn count_referencing(&mut self, fk: &ForeignKeyInfo, values: &[Value], limit: u64) -> Result<RowCount, DbError>;
    /// Sets one cell, in a transaction; returns the row as it is now.
    fn update_cell(&mut self, table: &str, key: &[Value], column: &str, value: &Value) -> Result<Row, DbError>;
    /// Inserts a row with the given columns (the others take their defaults).
    fn insert_row(&mut self, table: &str, values: &[(String, Value)]) -> Result<Row, DbError>;
    /// Deletes the rows with these keys, all or none; returns how many went.
    fn delete_rows(&mut self, table: &str, keys: &[Vec<Value>]) -> Result<u64, DbError>;
    /// Runs one statement of the SQL console, unable to write unless `mode` says so.
    fn console(&mut self, sql: &str, mode: ConsoleMode) -> Result<ConsoleResult, DbError>;
    /// Where the folder's migrations stand in this database (`schema status`), tracked in
    /// `table` (in `schema`, on PostgreSQL).
    fn migrations(&mut self, folder: &Path, table: &str, schema: &str) -> MigrationReport;
}
