//! The `Table` trait that `#[derive(Table)]` implements: the table's model, its SQL, and the
//! row helpers an application uses on rusqlite.

use std::marker::PhantomData;

use rusqlite::{Connection, Row};

use crate::dialect::Sqlite;
use crate::model;

/// A Rust struct that is a database table. Implemented by `#[derive(Table)]`.
pub trait Table: Sized {
    /// The table's SQL name.
    const TABLE_NAME: &'static str;
    /// One [`ColumnRef`] per column field, named like the field: `<User as Table>::COLUMNS.id`.
    /// This is what `#[column(references = User::id)]` is checked against at compile time.
    type Columns: 'static;
    const COLUMNS: Self::Columns;
    /// What [`Table::find`] takes: the primary key field's type, a tuple for a composite key,
    /// or the rowid (`i64`) for a table without a declared key.
    type Key;

    /// The table as the schema model sees it: the same value `schema generate` computes
    /// from the source file.
    fn table_def() -> &'static model::Table;

    /// `CREATE TABLE` followed by the table's `CREATE INDEX` statements, for SQLite.
    fn create_table_sql() -> Vec<String> {
        Sqlite::create_table_statements(Self::table_def())
    }

    /// Runs [`Table::create_table_sql`]. Migrations are the way to create tables in an
    /// application; this is for tests and scratch databases.
    fn create_table(conn: &Connection) -> rusqlite::Result<()> {
        for sql in Self::create_table_sql() {
            conn.execute_batch(&sql)?;
        }
        Ok(())
    }

    /// Reads a row by column name, so it works for `SELECT *` and for [`Table::select_all`].
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self>;

    /// Inserts the row, leaving out generated columns and an `autoincrement` key (the database
    /// picks it). Returns the new row's rowid, which is the autoincrement key when there is one.
    fn insert(&self, conn: &Connection) -> rusqlite::Result<i64>;

    /// Every row of the table, in rowid (or key) order.
    fn select_all(conn: &Connection) -> rusqlite::Result<Vec<Self>>;

    /// The row with this key, if any.
    fn find(conn: &Connection, key: Self::Key) -> rusqlite::Result<Option<Self>>;

    /// Writes every non-key, non-generated column of the row with this row's key. Returns the
    /// number of rows changed (0 or 1). A table without a primary key has no row identity in
    /// the struct: this is an error there.
    fn update(&self, conn: &Connection) -> rusqlite::Result<usize>;

    /// Deletes the row with this row's key; returns the number deleted. An error on a table
    /// without a primary key, as for [`Table::update`].
    fn delete(&self, conn: &Connection) -> rusqlite::Result<usize>;
}

/// A column of a table, typed by its field's Rust type. Used to check foreign keys.
pub struct ColumnRef<T> {
    pub name: &'static str,
    _ty: PhantomData<fn() -> T>,
}

impl<T> ColumnRef<T> {
    #[doc(hidden)]
    pub const fn new(name: &'static str) -> Self {
        ColumnRef { name, _ty: PhantomData }
    }

    /// Compiles only when a column of type `F` may reference this one: the check behind
    /// `#[column(references = Struct::field)]`.
    #[doc(hidden)]
    pub fn referenced_by<F: References<T>>(&self) {}
}

/// Which field types may reference which: the same type, either side in an `Option`.
#[diagnostic::on_unimplemented(
    message = "foreign key type mismatch: a `{Self}` column cannot reference a `{T}` column",
    label = "this column's type does not match the referenced column",
    note = "a foreign key has the referenced column's type, or `Option` of it"
)]
pub trait References<T> {}
impl<T> References<T> for T {}
impl<T> References<T> for Option<T> {}
impl<T> References<Option<T>> for T {}
