//! The `Table` trait that `#[derive(Table)]` implements: the table's model and its SQL, and
//! row helpers that work on any connection type a dialect module implements [`Executor`] for
//! (a SQLite connection today).

use std::marker::PhantomData;

use crate::model;

/// A Rust struct that is a database table. Implemented by `#[derive(Table)]`.
pub trait Table: Sized {
    /// The table's SQL name.
    const TABLE_NAME: &'static str;
    /// One [`ColumnRef`] per column field, named like the field: `<User as Table>::COLUMNS.id`.
    /// This is what `#[column(references = User::id)]` is checked against at compile time.
    type Columns: 'static;
    /// The column references.
    const COLUMNS: Self::Columns;
    /// The primary key's column names, in key order; empty for a table keyed by its rowid
    /// alone. `references = Struct` (without a field) references these.
    const KEY_COLUMNS: &'static [&'static str];
    /// What [`Table::find`] takes: the primary key field's type, a tuple for a composite key,
    /// or the rowid (`i64`) for a table without a declared key.
    type Key;
    /// The insert struct the derive writes beside the table struct (`NewUser` for `User`, or
    /// `#[table(new_struct = "..")]`): the columns a new row may be given, those the database
    /// can fill as `Option`s. See [`Table::insert_new`].
    type New;

    /// The table as the schema model sees it: the same value `schema generate` computes
    /// from the source file.
    fn table_def() -> &'static model::Table;

    /// `CREATE TABLE` followed by the table's `CREATE INDEX` statements, for SQLite.
    #[cfg(feature = "sqlite")]
    fn create_table_sql() -> Vec<String> {
        crate::backend::default_dialect().create_table_statements(Self::table_def())
    }

    /// Creates the table and its indexes. Migrations are the way to create tables in an
    /// application; this is for tests and scratch databases.
    fn create_table<E: Executor<Self>>(conn: E) -> Result<(), E::Error> {
        conn.create_table()
    }

    /// Reads a row by column name, so it works for `SELECT *` and for [`Table::select_all`].
    fn from_row<R: RowReader<Self>>(row: R) -> Result<Self, R::Error> {
        row.read()
    }

    /// Inserts the row, leaving out generated columns and an `autoincrement` key (the database
    /// picks it). Returns the new row's rowid, which is the autoincrement key when there is one.
    fn insert<E: Executor<Self>>(&self, conn: E) -> Result<i64, E::Error> {
        conn.insert(self)
    }

    /// Inserts a new row, leaving every column the row does not give (`None` in a defaulted
    /// field, and every generated column) to the database, and returns the row as stored
    /// (SQLite's `RETURNING`): the key it picked, its defaults, its generated values.
    fn insert_new<E: Executor<Self>>(new: &Self::New, conn: E) -> Result<Self, E::Error> {
        conn.insert_new(new)
    }

    /// Every row of the table, in rowid (or key) order.
    fn select_all<E: Executor<Self>>(conn: E) -> Result<Vec<Self>, E::Error> {
        conn.select_all()
    }

    /// The row with this key, if any.
    fn find<E: Executor<Self>>(conn: E, key: Self::Key) -> Result<Option<Self>, E::Error> {
        conn.find(key)
    }

    /// Writes every non-key, non-generated column of the row with this row's key. Returns the
    /// number of rows changed (0 or 1). A table without a primary key has no row identity in
    /// the struct: this is an error there.
    fn update<E: Executor<Self>>(&self, conn: E) -> Result<usize, E::Error> {
        conn.update(self)
    }

    /// Deletes the row with this row's key; returns the number deleted. An error on a table
    /// without a primary key, as for [`Table::update`].
    fn delete<E: Executor<Self>>(&self, conn: E) -> Result<usize, E::Error> {
        conn.delete(self)
    }
}

/// A connection that can read and write the rows of `T` (implemented by each dialect module
/// for its client library's connection types). [`Table`]'s row helpers call it.
pub trait Executor<T: Table> {
    /// The client library's error.
    type Error;
    /// Creates `T`'s table and indexes.
    fn create_table(self) -> Result<(), Self::Error>;
    /// Inserts `row`; returns its rowid.
    fn insert(self, row: &T) -> Result<i64, Self::Error>;
    /// Inserts a new row (the columns it gives) and returns it as stored.
    fn insert_new(self, row: &T::New) -> Result<T, Self::Error>;
    /// Every row, in key order.
    fn select_all(self) -> Result<Vec<T>, Self::Error>;
    /// The row with this key.
    fn find(self, key: T::Key) -> Result<Option<T>, Self::Error>;
    /// Updates `row` by its key.
    fn update(self, row: &T) -> Result<usize, Self::Error>;
    /// Deletes `row` by its key.
    fn delete(self, row: &T) -> Result<usize, Self::Error>;
}

/// A row of a query result that can be read as a `T` (implemented by each dialect module for
/// its client library's row type).
pub trait RowReader<T> {
    /// The client library's error.
    type Error;
    /// The row as a `T`, its columns found by name.
    fn read(self) -> Result<T, Self::Error>;
}

/// A column of a table, typed by its field's Rust type. Used to check foreign keys.
pub struct ColumnRef<T> {
    /// The column's SQL name.
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

/// Compiles only when a column of type `F` may reference a key of type `K`: the check behind
/// `references = Struct`, which references the parent's primary key.
#[doc(hidden)]
pub fn references_key<F: References<K>, K>() {}

/// The type of the `I`th column of a composite key (a tuple), for `references = Struct` over
/// several columns.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "the foreign key has more columns than the primary key it references",
    note = "`references = Struct` pairs the foreign key's columns with the parent's primary key, in order"
)]
pub trait KeyPart<const I: usize> {
    /// That column's type.
    type Ty;
}

macro_rules! key_part {
    (($($all:ident),+) $i:literal $t:ident) => {
        impl<$($all),+> KeyPart<$i> for ($($all,)+) {
            type Ty = $t;
        }
    };
}

macro_rules! key_parts {
    ($( $tuple:tt => [$($i:literal $t:ident),+] );+ $(;)?) => {
        $( $( key_part!($tuple $i $t); )+ )+
    };
}

key_parts! {
    (A, B) => [0 A, 1 B];
    (A, B, C) => [0 A, 1 B, 2 C];
    (A, B, C, D) => [0 A, 1 B, 2 C, 3 D];
    (A, B, C, D, E) => [0 A, 1 B, 2 C, 3 D, 4 E];
    (A, B, C, D, E, G) => [0 A, 1 B, 2 C, 3 D, 4 E, 5 G];
    (A, B, C, D, E, G, H) => [0 A, 1 B, 2 C, 3 D, 4 E, 5 G, 6 H];
    (A, B, C, D, E, G, H, J) => [0 A, 1 B, 2 C, 3 D, 4 E, 5 G, 6 H, 7 J];
}
