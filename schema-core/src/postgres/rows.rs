//! Row helpers on the `postgres` crate: what `#[derive(Table)]` implements for PostgreSQL, and
//! the [`Executor`] impls that let `Table::insert_new(&mut client)` reach it.
//!
//! The derive writes only what needs the struct's fields (reading a row, the values of a row,
//! of an insert struct and of a key); the SQL is made here from the table's model, so a table
//! costs little code. Integer kinds PostgreSQL lacks travel as the next wider signed type
//! (`u8` as `smallint`, `u16` as `integer`, `u32` as `bigint`), checked both ways.

use std::error::Error as StdError;
use std::fmt;

use postgres::types::ToSql;
use postgres::{Client, GenericClient, Row, Transaction};

use super::render::{ident, ident_list, qualified};
use crate::dialect::Dialect as _;
use crate::table::{Executor, RowReader, Table};

/// A value bound as a parameter.
pub type Param<'a> = Box<dyn ToSql + Sync + 'a>;

/// What the derive writes for PostgreSQL. Applications call [`Table`]'s methods instead.
#[doc(hidden)]
pub trait PostgresRows: Table {
    /// The row read by column name.
    fn pg_from_row(row: &Row) -> Result<Self, postgres::Error>;
    /// (column, value) of every column but generated ones, in the struct's order.
    fn pg_values(&self) -> Vec<(&'static str, Param<'_>)>;
    /// (column, value) of the columns the insert struct gives.
    fn pg_new_values(new: &Self::New) -> Vec<(&'static str, Param<'_>)>;
    /// The key's values, in key order.
    fn pg_key(key: &Self::Key) -> Vec<Param<'_>>;
    /// This row's key values, in key order.
    fn pg_row_key(&self) -> Vec<Param<'_>>;
}

/// Why a row helper failed on PostgreSQL.
#[derive(Debug)]
pub enum RowError {
    /// The server refused, or a value did not convert.
    Db(postgres::Error),
    /// `update` / `delete` of a table whose struct has no key to find its row by.
    NoKey(String),
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowError::Db(e) => match e.as_db_error() {
                Some(db) => write!(f, "{}: {}", db.severity(), db.message()),
                None => write!(f, "{e}"),
            },
            RowError::NoKey(table) => write!(
                f,
                "table `{table}` has no primary key, so a row cannot be updated or deleted by its struct; declare a primary key"
            ),
        }
    }
}

impl StdError for RowError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            RowError::Db(e) => Some(e),
            RowError::NoKey(_) => None,
        }
    }
}

impl From<postgres::Error> for RowError {
    fn from(e: postgres::Error) -> Self {
        RowError::Db(e)
    }
}

/// The table's qualified name and what its statements need of the model.
struct Sql {
    table: String,
    /// Every column, for `SELECT` and `RETURNING`.
    all: String,
    key: Vec<String>,
    autoincrement: Option<String>,
}

fn sql_of<T: Table>() -> Sql {
    let t = T::table_def();
    let all: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
    Sql {
        table: qualified(t.options.postgres.schema.as_deref(), &t.name),
        all: ident_list(&all, ", "),
        key: T::KEY_COLUMNS.iter().map(|k| k.to_string()).collect(),
        autoincrement: t.columns.iter().find(|c| c.autoincrement).map(|c| c.name.clone()),
    }
}

fn refs<'a>(params: &'a [Param<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect()
}

/// `"a" = $n AND "b" = $n+1`, from parameter `first`.
fn key_where(key: &[String], first: usize) -> String {
    key.iter()
        .enumerate()
        .map(|(i, k)| format!("{} = ${}", ident(k), first + i))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn create_table<T: Table>(c: &mut impl GenericClient) -> Result<(), RowError> {
    let t = T::table_def();
    // An enum type the table uses, unless the database has it already.
    for col in &t.columns {
        if let Some(e) = col.ty.enum_type() {
            c.batch_execute(&format!(
                "DO $$ BEGIN {} EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                super::render::create_enum(e)
            ))?;
        }
    }
    for s in super::POSTGRES.create_table_statements(t) {
        c.batch_execute(&s)?;
    }
    Ok(())
}

fn insert<T: PostgresRows>(c: &mut impl GenericClient, row: &T) -> Result<i64, RowError> {
    let s = sql_of::<T>();
    let generated: Vec<&str> = T::table_def()
        .columns
        .iter()
        .filter(|c| c.autoincrement)
        .map(|c| c.name.as_str())
        .collect();
    let values: Vec<(&'static str, Param<'_>)> = row
        .pg_values()
        .into_iter()
        .filter(|(c, _)| !generated.contains(c))
        .collect();
    let returning = match &s.autoincrement {
        Some(k) => format!(" RETURNING {}::bigint", ident(k)),
        None => String::new(),
    };
    let sql = insert_sql(&s.table, values.iter().map(|(c, _)| *c), &returning);
    let params: Vec<Param<'_>> = values.into_iter().map(|(_, p)| p).collect();
    match s.autoincrement {
        Some(_) => Ok(c.query_one(&sql, &refs(&params))?.try_get(0)?),
        None => {
            c.execute(&sql, &refs(&params))?;
            Ok(0)
        }
    }
}

fn insert_sql<'a>(table: &str, cols: impl Iterator<Item = &'a str>, returning: &str) -> String {
    let cols: Vec<&str> = cols.collect();
    if cols.is_empty() {
        return format!("INSERT INTO {table} DEFAULT VALUES{returning}");
    }
    let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({}){returning}",
        cols.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", "),
        params.join(", ")
    )
}

fn insert_new<T: PostgresRows>(c: &mut impl GenericClient, new: &T::New) -> Result<T, RowError> {
    let s = sql_of::<T>();
    let values = T::pg_new_values(new);
    let sql = insert_sql(
        &s.table,
        values.iter().map(|(c, _)| *c),
        &format!(" RETURNING {}", s.all),
    );
    let params: Vec<Param<'_>> = values.into_iter().map(|(_, p)| p).collect();
    Ok(T::pg_from_row(&c.query_one(&sql, &refs(&params))?)?)
}

fn select_all<T: PostgresRows>(c: &mut impl GenericClient) -> Result<Vec<T>, RowError> {
    let s = sql_of::<T>();
    let order = if s.key.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {}", ident_list(&s.key, ", "))
    };
    let rows = c.query(&format!("SELECT {} FROM {}{order}", s.all, s.table), &[])?;
    Ok(rows.iter().map(T::pg_from_row).collect::<Result<_, _>>()?)
}

fn find<T: PostgresRows>(c: &mut impl GenericClient, key: T::Key) -> Result<Option<T>, RowError> {
    let s = sql_of::<T>();
    if s.key.is_empty() {
        return Err(RowError::NoKey(T::TABLE_NAME.to_string()));
    }
    let params = T::pg_key(&key);
    let sql = format!("SELECT {} FROM {} WHERE {}", s.all, s.table, key_where(&s.key, 1));
    Ok(c.query_opt(&sql, &refs(&params))?
        .map(|r| T::pg_from_row(&r))
        .transpose()?)
}

fn update<T: PostgresRows>(c: &mut impl GenericClient, row: &T) -> Result<usize, RowError> {
    let s = sql_of::<T>();
    if s.key.is_empty() {
        return Err(RowError::NoKey(T::TABLE_NAME.to_string()));
    }
    let values: Vec<(&'static str, Param<'_>)> = row
        .pg_values()
        .into_iter()
        .filter(|(c, _)| !s.key.iter().any(|k| k == c))
        .collect();
    if values.is_empty() {
        return Ok(0);
    }
    let sets: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{} = ${}", ident(c), i + 1))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        s.table,
        sets.join(", "),
        key_where(&s.key, values.len() + 1)
    );
    let mut params: Vec<Param<'_>> = values.into_iter().map(|(_, p)| p).collect();
    params.extend(row.pg_row_key());
    Ok(c.execute(&sql, &refs(&params))? as usize)
}

fn delete<T: PostgresRows>(c: &mut impl GenericClient, row: &T) -> Result<usize, RowError> {
    let s = sql_of::<T>();
    if s.key.is_empty() {
        return Err(RowError::NoKey(T::TABLE_NAME.to_string()));
    }
    let params = row.pg_row_key();
    let sql = format!("DELETE FROM {} WHERE {}", s.table, key_where(&s.key, 1));
    Ok(c.execute(&sql, &refs(&params))? as usize)
}

macro_rules! executor {
    ($client:ty) => {
        impl<T: PostgresRows> Executor<T> for $client {
            type Error = RowError;
            fn create_table(self) -> Result<(), RowError> {
                create_table::<T>(self)
            }
            fn insert(self, row: &T) -> Result<i64, RowError> {
                insert(self, row)
            }
            fn insert_new(self, row: &T::New) -> Result<T, RowError> {
                insert_new::<T>(self, row)
            }
            fn select_all(self) -> Result<Vec<T>, RowError> {
                select_all(self)
            }
            fn find(self, key: T::Key) -> Result<Option<T>, RowError> {
                find(self, key)
            }
            fn update(self, row: &T) -> Result<usize, RowError> {
                update(self, row)
            }
            fn delete(self, row: &T) -> Result<usize, RowError> {
                delete(self, row)
            }
        }
    };
}

executor!(&mut Client);
executor!(&mut Transaction<'_>);

impl<T: PostgresRows> RowReader<T> for &Row {
    type Error = postgres::Error;
    fn read(self) -> Result<T, postgres::Error> {
        T::pg_from_row(self)
    }
}

/// What the derive's code calls. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use super::{Param, PostgresRows};
    pub use postgres;

    use postgres::types::{FromSql, ToSql, Type};

    /// A `json` field's value.
    pub fn json<T: serde::Serialize + Sync>(value: &T) -> Param<'_> {
        Box::new(JsonParam(value))
    }

    /// A nullable `json` field's value: `None` is SQL NULL.
    pub fn json_opt<T: serde::Serialize + Sync>(value: &Option<T>) -> Param<'_> {
        Box::new(value.as_ref().map(JsonParam))
    }

    /// A value sent as `json` / `jsonb` (postgres' own `Json` wants the type to be `Debug`).
    struct JsonParam<'a, T>(&'a T);

    impl<T> std::fmt::Debug for JsonParam<'_, T> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JsonParam(..)")
        }
    }

    impl<T: serde::Serialize> ToSql for JsonParam<'_, T> {
        fn to_sql(
            &self,
            ty: &Type,
            out: &mut bytes::BytesMut,
        ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
            use bytes::BufMut as _;
            // jsonb's binary form is a version byte, then the text.
            if *ty == Type::JSONB {
                out.put_u8(1);
            }
            serde_json::to_writer(out.writer(), self.0)?;
            Ok(postgres::types::IsNull::No)
        }

        fn accepts(ty: &Type) -> bool {
            matches!(*ty, Type::JSON | Type::JSONB)
        }

        postgres::types::to_sql_checked!();
    }

    /// How a json or widened field's value becomes a parameter ([`json`], [`wide`], ..).
    pub type Encode<'a, T> = fn(&'a T) -> Param<'a>;

    /// One column's value as the derive hands it over: a field as the `postgres` crate maps
    /// it (`&T`), one with its encoding ([`Encoded`]), or one the database may fill
    /// ([`Given`], [`GivenEncoded`]).
    pub trait ColumnParam<'a> {
        /// The parameter; `None` for a column left to the database.
        fn param(self) -> Option<Param<'a>>;
    }

    impl<'a, T: ToSql + Sync> ColumnParam<'a> for &'a T {
        #[inline]
        fn param(self) -> Option<Param<'a>> {
            Some(Box::new(self))
        }
    }

    /// A json or widened field's value, with its encoding.
    pub struct Encoded<'a, T>(pub &'a T, pub Encode<'a, T>);

    impl<'a, T> ColumnParam<'a> for Encoded<'a, T> {
        #[inline]
        fn param(self) -> Option<Param<'a>> {
            Some((self.1)(self.0))
        }
    }

    /// The value of a column that may be left to the database: `None` leaves it out.
    pub struct Given<'a, T>(pub &'a Option<T>);

    impl<'a, T: ToSql + Sync> ColumnParam<'a> for Given<'a, T> {
        #[inline]
        fn param(self) -> Option<Param<'a>> {
            self.0.as_ref().map(|v| Box::new(v) as Param<'a>)
        }
    }

    /// [`Given`] of a json or widened column, with its encoding.
    pub struct GivenEncoded<'a, T>(pub &'a Option<T>, pub Encode<'a, T>);

    impl<'a, T> ColumnParam<'a> for GivenEncoded<'a, T> {
        #[inline]
        fn param(self) -> Option<Param<'a>> {
            self.0.as_ref().map(self.1)
        }
    }

    /// A row's values as the derive writes them: a tuple of [`ColumnParam`]s (more than 32
    /// are tuples joined by [`Chain`]), one bound for the compiler to check instead of a
    /// boxing coercion per field.
    pub trait Params<'a> {
        /// Appends the parameters, in order.
        fn push_to(self, out: &mut Vec<Option<Param<'a>>>);
    }

    impl<'a> Params<'a> for () {
        #[inline]
        fn push_to(self, _: &mut Vec<Option<Param<'a>>>) {}
    }

    /// Two runs of a row's values, one after the other.
    pub struct Chain<A, B>(pub A, pub B);

    impl<'a, A: Params<'a>, B: Params<'a>> Params<'a> for Chain<A, B> {
        #[inline]
        fn push_to(self, out: &mut Vec<Option<Param<'a>>>) {
            self.0.push_to(out);
            self.1.push_to(out);
        }
    }

    macro_rules! params {
        ($($t:ident $i:tt)+) => {
            impl<'a, $($t: ColumnParam<'a>),+> Params<'a> for ($($t,)+) {
                fn push_to(self, out: &mut Vec<Option<Param<'a>>>) {
                    $(out.push(self.$i.param());)+
                }
            }
        };
    }

    for_each_arity!(params);

    /// The `(column, parameter)` pairs of `values`, `names[i]` the column of the `i`th value;
    /// a value left to the database is not among them.
    pub fn named<'a>(names: &[&'static str], values: impl Params<'a>) -> Vec<(&'static str, Param<'a>)> {
        let mut out = Vec::with_capacity(names.len());
        values.push_to(&mut out);
        names.iter().zip(out).filter_map(|(n, p)| p.map(|p| (*n, p))).collect()
    }

    /// A row's columns read by name into a tuple of the types the `postgres` crate reads
    /// (a json field as [`Json`], a widened one as [`Narrow`]), the first failure giving the
    /// error: `pg_from_row` in one call per 32 columns, written once here for each arity, so
    /// the derive writes no read, and no early return, per field.
    pub trait ReadColumns: Sized {
        /// The columns `names` of `row`, in order.
        fn read(row: &postgres::Row, names: &[&str]) -> Result<Self, postgres::Error>;
    }

    macro_rules! read_columns {
        ($($t:ident $i:tt)+) => {
            impl<$($t: for<'r> FromSql<'r>),+> ReadColumns for ($($t,)+) {
                #[inline]
                fn read(row: &postgres::Row, names: &[&str]) -> Result<Self, postgres::Error> {
                    // A name missing from `names` is a column no row has, which postgres reports.
                    Ok(($(row.try_get::<&str, $t>(names.get($i).copied().unwrap_or_default())?,)+))
                }
            }
        };
    }

    for_each_arity!(read_columns);

    /// An integer of a kind PostgreSQL lacks, as the signed type that holds its values (every
    /// one of them, but for `u64` and `usize` above `i64::MAX`, which are refused, never wrapped).
    pub trait Widen: Copy + std::fmt::Debug + Sync + 'static {
        /// The column's type.
        type Wide: ToSql + Sync + for<'a> FromSql<'a> + std::fmt::Debug + 'static;
        fn widen(self) -> Option<Self::Wide>;
        fn narrow(wide: Self::Wide) -> Option<Self>;
    }

    macro_rules! widen {
        ($($t:ty => $w:ty),*) => {$(
            impl Widen for $t {
                type Wide = $w;
                fn widen(self) -> Option<$w> {
                    <$w>::try_from(self).ok()
                }
                fn narrow(wide: $w) -> Option<$t> {
                    <$t>::try_from(wide).ok()
                }
            }
        )*};
    }

    widen!(i8 => i16, u8 => i16, u16 => i32, u32 => i64, isize => i64, u64 => i64, usize => i64);

    /// A widened integer's value.
    pub fn wide<T: Widen>(value: &T) -> Param<'static> {
        Box::new(Wide(*value))
    }

    /// A nullable widened integer's value.
    pub fn wide_opt<T: Widen>(value: &Option<T>) -> Param<'static> {
        Box::new(value.map(Wide))
    }

    /// Sends the wide type, or fails the statement when the value does not fit it.
    #[derive(Debug)]
    struct Wide<T>(T);

    impl<T: Widen> ToSql for Wide<T> {
        fn to_sql(
            &self,
            ty: &Type,
            out: &mut bytes::BytesMut,
        ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
            match self.0.widen() {
                Some(w) => w.to_sql(ty, out),
                None => Err(format!("{:?} is out of range for a PostgreSQL {}", self.0, ty.name()).into()),
            }
        }

        fn accepts(ty: &Type) -> bool {
            <T::Wide as ToSql>::accepts(ty)
        }

        postgres::types::to_sql_checked!();
    }

    /// Reads the wide type and narrows it, as a conversion error of the column when it does not fit.
    pub struct Narrow<T>(pub T);

    impl<'a, T: Widen> FromSql<'a> for Narrow<T> {
        fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
            let wide = T::Wide::from_sql(ty, raw)?;
            let shown = format!("{wide:?}");
            T::narrow(wide)
                .map(Narrow)
                .ok_or_else(|| format!("{shown} does not fit the field's type `{}`", std::any::type_name::<T>()).into())
        }

        fn accepts(ty: &Type) -> bool {
            <T::Wide as FromSql<'a>>::accepts(ty)
        }
    }
}

/// [`crate::Value`] on PostgreSQL: what `pull` writes for a column it has no Rust type for
/// (an array, a type of an extension). Sent as the column's type where the value converts,
/// read from the integer, float, boolean, text, JSON and bytea types.
mod value {
    use std::error::Error;

    use bytes::BytesMut;
    use postgres::types::{FromSql, IsNull, ToSql, Type};

    use crate::Value;

    type BoxError = Box<dyn Error + Sync + Send>;

    impl ToSql for Value {
        fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
            let mut narrow = |i: i64| -> Result<IsNull, BoxError> {
                match *ty {
                    Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                    Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                    Type::BOOL => (i != 0).to_sql(ty, out),
                    Type::FLOAT4 | Type::FLOAT8 => (i as f64).to_sql(ty, out),
                    Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => i.to_string().to_sql(ty, out),
                    _ => i.to_sql(ty, out),
                }
            };
            match self {
                Value::Null => Ok(IsNull::Yes),
                Value::Integer(i) => narrow(*i),
                Value::Real(f) if *ty == Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                Value::Real(f) if *ty == Type::FLOAT8 => f.to_sql(ty, out),
                Value::Real(f) => f.to_string().to_sql(ty, out),
                Value::Text(s) => s.to_sql(ty, out),
                Value::Blob(b) => b.to_sql(ty, out),
            }
        }

        fn accepts(ty: &Type) -> bool {
            <i64 as ToSql>::accepts(ty)
                || <i32 as ToSql>::accepts(ty)
                || <i16 as ToSql>::accepts(ty)
                || <f64 as ToSql>::accepts(ty)
                || <f32 as ToSql>::accepts(ty)
                || <bool as ToSql>::accepts(ty)
                || <String as ToSql>::accepts(ty)
                || <Vec<u8> as ToSql>::accepts(ty)
        }

        postgres::types::to_sql_checked!();
    }

    impl<'a> FromSql<'a> for Value {
        fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
            Ok(match *ty {
                Type::INT2 => Value::Integer(i16::from_sql(ty, raw)?.into()),
                Type::INT4 => Value::Integer(i32::from_sql(ty, raw)?.into()),
                Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
                Type::BOOL => Value::Integer(bool::from_sql(ty, raw)?.into()),
                Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
                Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
                Type::BYTEA => Value::Blob(Vec::<u8>::from_sql(ty, raw)?),
                Type::JSON | Type::JSONB => Value::Text(serde_json::Value::from_sql(ty, raw)?.to_string()),
                _ => Value::Text(String::from_sql(ty, raw)?),
            })
        }

        fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
            Ok(Value::Null)
        }

        fn accepts(ty: &Type) -> bool {
            <Value as ToSql>::accepts(ty) || <serde_json::Value as FromSql>::accepts(ty)
        }
    }
}
