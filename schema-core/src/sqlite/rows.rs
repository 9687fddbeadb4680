//! Row helpers on rusqlite: what `#[derive(Table)]` implements for SQLite, and the
//! [`Executor`] / [`RowReader`] impls that let `Table::insert(&conn)` reach it.

use rusqlite::{Connection, Row, Transaction};

use crate::table::{Executor, RowReader, Table};

/// What the derive writes for SQLite: the row code, typed on rusqlite. Applications call
/// [`Table`]'s methods instead.
#[doc(hidden)]
pub trait SqliteRows: Table {
    /// The statements of the table's rows, their parameters numbered by column position.
    const SQLITE: __private::Statements;
    /// Every column's value, in column order.
    fn sqlite_values(&self) -> impl __private::Values;
    fn sqlite_from_row(row: &Row<'_>) -> rusqlite::Result<Self>;
    fn sqlite_insert_new(new: &Self::New, conn: &Connection) -> rusqlite::Result<Self>;
    fn sqlite_find(conn: &Connection, key: Self::Key) -> rusqlite::Result<Option<Self>>;
}

fn create<T: Table>(conn: &Connection) -> rusqlite::Result<()> {
    for sql in T::create_table_sql() {
        conn.execute_batch(&sql)?;
    }
    Ok(())
}

impl<T: SqliteRows> Executor<T> for &Connection {
    type Error = rusqlite::Error;
    fn create_table(self) -> rusqlite::Result<()> {
        create::<T>(self)
    }
    fn insert(self, row: &T) -> rusqlite::Result<i64> {
        __private::run(self, T::SQLITE.insert, &row.sqlite_values())?;
        Ok(self.last_insert_rowid())
    }
    fn insert_new(self, row: &T::New) -> rusqlite::Result<T> {
        T::sqlite_insert_new(row, self)
    }
    fn select_all(self) -> rusqlite::Result<Vec<T>> {
        __private::select_all(self, T::SQLITE.select_all, T::sqlite_from_row)
    }
    fn find(self, key: T::Key) -> rusqlite::Result<Option<T>> {
        T::sqlite_find(self, key)
    }
    fn update(self, row: &T) -> rusqlite::Result<usize> {
        match T::SQLITE.update {
            _ if !T::SQLITE.keyed => Err(__private::no_key(T::SQLITE.table)),
            // No column to set (each is in the key or generated): nothing an update could change.
            "" => Ok(0),
            sql => __private::run(self, sql, &row.sqlite_values()),
        }
    }
    fn delete(self, row: &T) -> rusqlite::Result<usize> {
        if !T::SQLITE.keyed {
            return Err(__private::no_key(T::SQLITE.table));
        }
        __private::run(self, T::SQLITE.delete, &row.sqlite_values())
    }
}

/// The same, inside a transaction (a `Transaction` is its connection).
impl<T: SqliteRows> Executor<T> for &Transaction<'_> {
    type Error = rusqlite::Error;
    fn create_table(self) -> rusqlite::Result<()> {
        Executor::<T>::create_table(&**self)
    }
    fn insert(self, row: &T) -> rusqlite::Result<i64> {
        Executor::<T>::insert(&**self, row)
    }
    fn insert_new(self, row: &T::New) -> rusqlite::Result<T> {
        Executor::<T>::insert_new(&**self, row)
    }
    fn select_all(self) -> rusqlite::Result<Vec<T>> {
        Executor::<T>::select_all(&**self)
    }
    fn find(self, key: T::Key) -> rusqlite::Result<Option<T>> {
        Executor::<T>::find(&**self, key)
    }
    fn update(self, row: &T) -> rusqlite::Result<usize> {
        Executor::<T>::update(&**self, row)
    }
    fn delete(self, row: &T) -> rusqlite::Result<usize> {
        Executor::<T>::delete(&**self, row)
    }
}

impl<T: SqliteRows> RowReader<T> for &Row<'_> {
    type Error = rusqlite::Error;
    fn read(self) -> rusqlite::Result<T> {
        T::sqlite_from_row(self)
    }
}

/// What the derive's generated SQLite code calls. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use super::SqliteRows;
    pub use rusqlite;

    use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, Value, ValueRef};

    /// A `#[column(json)]` value, written as JSON text.
    pub fn json_to_sql<T: serde::Serialize>(value: &T) -> rusqlite::Result<ToSqlOutput<'static>> {
        serde_json::to_string(value)
            .map(|s| ToSqlOutput::Owned(Value::Text(s)))
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
    }

    /// A nullable `#[column(json)]` value: `None` is SQL NULL, not the text `null`.
    pub fn json_opt_to_sql<T: serde::Serialize>(value: &Option<T>) -> rusqlite::Result<ToSqlOutput<'static>> {
        match value {
            None => Ok(ToSqlOutput::Owned(Value::Null)),
            Some(v) => json_to_sql(v),
        }
    }

    /// A `#[column(json)]` column read back: its JSON text, parsed (a conversion error of the
    /// column where it does not parse).
    pub struct JsonColumn<T>(pub T);

    impl<T: serde::de::DeserializeOwned> FromSql for JsonColumn<T> {
        fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
            serde_json::from_str(value.as_str()?)
                .map(JsonColumn)
                .map_err(|e| FromSqlError::Other(Box::new(e)))
        }
    }

    /// An `#[column(epoch)]` value, written as its Unix time.
    pub fn epoch_to_sql<T: crate::EpochTime>(value: &T, millis: bool) -> rusqlite::Result<ToSqlOutput<'static>> {
        Ok(ToSqlOutput::Owned(Value::Integer(value.to_unix(millis))))
    }

    /// A nullable `#[column(epoch)]` value: `None` is SQL NULL.
    pub fn epoch_opt_to_sql<T: crate::EpochTime>(
        value: &Option<T>,
        millis: bool,
    ) -> rusqlite::Result<ToSqlOutput<'static>> {
        match value {
            None => Ok(ToSqlOutput::Owned(Value::Null)),
            Some(v) => epoch_to_sql(v, millis),
        }
    }

    /// An `#[column(epoch)]` column read back from its Unix time, in seconds or (`MILLIS`)
    /// milliseconds (a conversion error of the column where the type cannot hold it).
    pub struct EpochColumn<T, const MILLIS: bool>(pub T);

    impl<T: crate::EpochTime, const MILLIS: bool> FromSql for EpochColumn<T, MILLIS> {
        fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
            let n = value.as_i64()?;
            T::from_unix(n, MILLIS).map(EpochColumn).ok_or_else(|| {
                let unit = if MILLIS { "milliseconds" } else { "seconds" };
                FromSqlError::Other(
                    format!("{n} Unix {unit} is outside the range of the column's date-time type").into(),
                )
            })
        }
    }

    /// `INSERT INTO table (..) VALUES (..) RETURNING returning` of the columns whose value is
    /// given (`names[i]` the column of the `i`th value; a value left to the database is not),
    /// the row read by `read`; `DEFAULT VALUES` when none is. The statement is cached per
    /// column set.
    pub fn insert_given<T>(
        conn: &rusqlite::Connection,
        table: &str,
        names: &[&str],
        values: &dyn Values,
        returning: &str,
        read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let mut given = Vec::with_capacity(names.len());
        values.push_to(&mut given, None)?;
        let (cols, vals): (Vec<&str>, Vec<ToSqlOutput<'_>>) =
            names.iter().zip(given).filter_map(|(n, v)| v.map(|v| (*n, v))).unzip();
        let sql = if cols.is_empty() {
            format!("INSERT INTO {table} DEFAULT VALUES RETURNING {returning}")
        } else {
            let params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
            format!(
                "INSERT INTO {table} ({}) VALUES ({}) RETURNING {returning}",
                cols.join(", "),
                params.join(", ")
            )
        };
        let mut stmt = conn.prepare_cached(&sql)?;
        stmt.query_row(rusqlite::params_from_iter(vals), read)
    }

    /// A table's row statements, as the derive writes them. Their parameters are numbered by
    /// the column's position in the row (`?3` is the third column), so one tuple of the row's
    /// values serves them all.
    pub struct Statements {
        /// The table's name, for errors.
        pub table: &'static str,
        /// Whether the struct has a key to find its row by (else `update` and `delete` are
        /// errors).
        pub keyed: bool,
        /// Every column but generated ones and an autoincrement key.
        pub insert: &'static str,
        /// Every column not in the key and not generated, by the key; empty when there is no
        /// such column (or no key).
        pub update: &'static str,
        /// By the key.
        pub delete: &'static str,
        /// Every row, in key (or rowid) order.
        pub select_all: &'static str,
    }

    /// How a json or epoch column's value becomes SQLite's.
    pub type Encode<T> = for<'a> fn(&'a T) -> rusqlite::Result<ToSqlOutput<'a>>;

    /// An `#[column(epoch)]` value, in seconds or (`MILLIS`) milliseconds.
    #[inline]
    pub fn epoch<T: crate::EpochTime, const MILLIS: bool>(value: &T) -> rusqlite::Result<ToSqlOutput<'static>> {
        epoch_to_sql(value, MILLIS)
    }

    /// A nullable `#[column(epoch)]` value.
    #[inline]
    pub fn epoch_opt<T: crate::EpochTime, const MILLIS: bool>(
        value: &Option<T>,
    ) -> rusqlite::Result<ToSqlOutput<'static>> {
        epoch_opt_to_sql(value, MILLIS)
    }

    /// One column's value as the derive hands it over, encoded when the statement is bound:
    /// a field as rusqlite maps it (`&T`), one encoded by its attribute ([`Encoded`]), or one
    /// the database may fill ([`Given`], [`GivenEncoded`]).
    pub trait ColumnValue {
        /// The value; `None` for a column left to the database.
        fn value(&self) -> rusqlite::Result<Option<ToSqlOutput<'_>>>;
    }

    impl<T: rusqlite::ToSql> ColumnValue for &T {
        #[inline]
        fn value(&self) -> rusqlite::Result<Option<ToSqlOutput<'_>>> {
            self.to_sql().map(Some)
        }
    }

    /// A json or epoch field's value, with its encoding.
    pub struct Encoded<'a, T>(pub &'a T, pub Encode<T>);

    impl<T> ColumnValue for Encoded<'_, T> {
        #[inline]
        fn value(&self) -> rusqlite::Result<Option<ToSqlOutput<'_>>> {
            (self.1)(self.0).map(Some)
        }
    }

    /// The value of a column that may be left to the database: `None` leaves it out.
    pub struct Given<'a, T>(pub &'a Option<T>);

    impl<T: rusqlite::ToSql> ColumnValue for Given<'_, T> {
        #[inline]
        fn value(&self) -> rusqlite::Result<Option<ToSqlOutput<'_>>> {
            self.0.as_ref().map(|v| v.to_sql()).transpose()
        }
    }

    /// [`Given`] of a json or epoch column, with its encoding.
    pub struct GivenEncoded<'a, T>(pub &'a Option<T>, pub Encode<T>);

    impl<T> ColumnValue for GivenEncoded<'_, T> {
        #[inline]
        fn value(&self) -> rusqlite::Result<Option<ToSqlOutput<'_>>> {
            self.0.as_ref().map(self.1).transpose()
        }
    }

    /// A row's values as the derive writes them: a tuple of [`ColumnValue`]s in column order (more
    /// than 32 are tuples joined by [`Chain`]). A tuple, not an array of `&dyn ToSql`: the
    /// compiler checks one bound for it instead of a coercion per field, and the code that
    /// binds it is written once, here.
    pub trait Values {
        /// Appends the values, in order; with `used`, only those whose position it marks are
        /// encoded (the others are `None`), so a statement that names a few columns encodes
        /// no other.
        fn push_to<'a>(&'a self, out: &mut Vec<Option<ToSqlOutput<'a>>>, used: Option<&[bool]>)
        -> rusqlite::Result<()>;
    }

    impl Values for () {
        #[inline]
        fn push_to<'a>(&'a self, _: &mut Vec<Option<ToSqlOutput<'a>>>, _: Option<&[bool]>) -> rusqlite::Result<()> {
            Ok(())
        }
    }

    /// Whether the value at `out`'s next position is wanted.
    #[inline]
    fn wanted(out: &[Option<ToSqlOutput<'_>>], used: Option<&[bool]>) -> bool {
        used.is_none_or(|u| u.get(out.len()).copied().unwrap_or(false))
    }

    /// Two runs of a row's values, one after the other.
    pub struct Chain<A, B>(pub A, pub B);

    impl<A: Values, B: Values> Values for Chain<A, B> {
        #[inline]
        fn push_to<'a>(
            &'a self,
            out: &mut Vec<Option<ToSqlOutput<'a>>>,
            used: Option<&[bool]>,
        ) -> rusqlite::Result<()> {
            self.0.push_to(out, used)?;
            self.1.push_to(out, used)
        }
    }

    macro_rules! values {
        ($($t:ident $i:tt)+) => {
            impl<$($t: ColumnValue),+> Values for ($($t,)+) {
                fn push_to<'a>(&'a self, out: &mut Vec<Option<ToSqlOutput<'a>>>, used: Option<&[bool]>) -> rusqlite::Result<()> {
                    $(
                        let value = if wanted(out, used) { self.$i.value()? } else { None };
                        out.push(value);
                    )+
                    Ok(())
                }
            }
        };
    }

    for_each_arity!(values);

    /// `stmt`'s parameters bound by position from `values`: `?n` is the `n`th value. Only the
    /// positions the statement names are encoded and bound (a statement numbers the columns
    /// it uses, and leaves the others out).
    fn bind(stmt: &mut rusqlite::Statement<'_>, values: &dyn Values) -> rusqlite::Result<()> {
        let used: Vec<bool> = (1..=stmt.parameter_count())
            .map(|i| stmt.parameter_name(i).is_some())
            .collect();
        let mut out = Vec::with_capacity(used.len());
        values.push_to(&mut out, Some(&used))?;
        for (i, v) in out.iter().enumerate().take(used.len()) {
            if used[i] {
                stmt.raw_bind_parameter(i + 1, v)?;
            }
        }
        Ok(())
    }

    /// `sql` run once, its parameters bound by position from `values`.
    pub fn run(conn: &rusqlite::Connection, sql: &str, values: &dyn Values) -> rusqlite::Result<usize> {
        let mut stmt = conn.prepare_cached(sql)?;
        bind(&mut stmt, values)?;
        stmt.raw_execute()
    }

    /// Every row of `sql`, each read by `read`.
    pub fn select_all<T>(
        conn: &rusqlite::Connection,
        sql: &str,
        read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Vec<T>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], read)?;
        rows.collect()
    }

    /// The row `sql` finds by the key's `values` (`?1, ?2, ..` in key order), read by `read`,
    /// if there is one.
    pub fn find<T>(
        conn: &rusqlite::Connection,
        sql: &str,
        values: &dyn Values,
        read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Option<T>> {
        let mut stmt = conn.prepare_cached(sql)?;
        bind(&mut stmt, values)?;
        let mut rows = stmt.raw_query();
        rows.next()?.map(read).transpose()
    }

    /// A row's columns read by name into a tuple of the types rusqlite reads (a json column as
    /// [`JsonColumn`], an epoch one as [`EpochColumn`]), the first failure giving the error:
    /// `from_row` in one call per 32 columns, written once here for each arity, so the derive
    /// writes no read, and no early return, per field.
    pub trait ReadColumns: Sized {
        /// The columns `names` of `row`, in order.
        fn read(row: &rusqlite::Row<'_>, names: &[&str]) -> rusqlite::Result<Self>;
    }

    macro_rules! read_columns {
        ($($t:ident $i:tt)+) => {
            impl<$($t: rusqlite::types::FromSql),+> ReadColumns for ($($t,)+) {
                #[inline]
                fn read(row: &rusqlite::Row<'_>, names: &[&str]) -> rusqlite::Result<Self> {
                    // A name missing from `names` is a column no row has, which rusqlite reports.
                    Ok(($(row.get::<&str, $t>(names.get($i).copied().unwrap_or_default())?,)+))
                }
            }
        };
    }

    for_each_arity!(read_columns);

    /// The error of `update` / `delete` on a table whose struct has no key to find its row by.
    pub fn no_key(table: &str) -> rusqlite::Error {
        rusqlite::Error::InvalidParameterName(format!(
            "table `{table}` has no primary key, so a row cannot be updated or deleted by its struct; declare a primary key"
        ))
    }
}

/// The derive wraps its SQLite impl in this macro, so a build of schema-core without SQLite
/// drops it instead of failing on the missing rusqlite paths.
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlite_rows {
    ($($impl:tt)*) => { $($impl)* };
}

/// An SqlEnum's rusqlite conversions: stored as its value's text, read back checked.
#[doc(hidden)]
#[macro_export]
macro_rules! __sqlite_enum {
    ($ty:ty) => {
        impl $crate::rusqlite::types::ToSql for $ty {
            fn to_sql(&self) -> $crate::rusqlite::Result<$crate::rusqlite::types::ToSqlOutput<'_>> {
                ::std::result::Result::Ok($crate::rusqlite::types::ToSqlOutput::Borrowed(
                    $crate::rusqlite::types::ValueRef::Text(<$ty as $crate::SqlEnum>::as_value(self).as_bytes()),
                ))
            }
        }
        impl $crate::rusqlite::types::FromSql for $ty {
            fn column_result(
                value: $crate::rusqlite::types::ValueRef<'_>,
            ) -> $crate::rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                $crate::__private::parse_value::<$ty>(text)
                    .map_err(|e| $crate::rusqlite::types::FromSqlError::Other(::std::boxed::Box::new(e)))
            }
        }
    };
}

impl rusqlite::types::ToSql for crate::Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            crate::Value::Null => ValueRef::Null,
            crate::Value::Integer(i) => ValueRef::Integer(*i),
            crate::Value::Real(f) => ValueRef::Real(*f),
            crate::Value::Text(s) => ValueRef::Text(s.as_bytes()),
            crate::Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl rusqlite::types::FromSql for crate::Value {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        use rusqlite::types::ValueRef;
        Ok(match value {
            ValueRef::Null => crate::Value::Null,
            ValueRef::Integer(i) => crate::Value::Integer(i),
            ValueRef::Real(f) => crate::Value::Real(f),
            ValueRef::Text(t) => crate::Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => crate::Value::Blob(b.to_vec()),
        })
    }
}
