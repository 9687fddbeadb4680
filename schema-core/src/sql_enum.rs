//! The `SqlEnum` trait that `#[derive(SqlEnum)]` implements: an enum of unit variants stored
//! as one of its values (a PostgreSQL enum type, `text` with a CHECK on SQLite).

use crate::model::EnumType;

/// A Rust enum that is an SQL enum type. Implemented by `#[derive(SqlEnum)]`; a field of this
/// type is a column of the enum. It is `Debug` too (derive both): PostgreSQL's client prints the
/// values it sends.
#[diagnostic::on_unimplemented(
    message = "cannot map this field's type to a SQL column type: it is not one the derive maps, and `{Self}` is not an SqlEnum",
    label = "no SQL column type for this",
    note = "derive SqlEnum on an enum (`#[derive(SqlEnum)]`), or add #[column(sql_type = \"..\")] (a type alias is not followed), #[column(json)] to store it as JSON, or #[column(skip)]"
)]
pub trait SqlEnum: Sized + std::fmt::Debug + 'static {
    /// The type's SQL name (`#[sql_enum(name = "..")]`, else the enum's name in snake_case).
    const NAME: &'static str;
    /// Its PostgreSQL schema, when it is not `public`.
    const SCHEMA: Option<&'static str>;
    /// The values, in the variants' order.
    const VALUES: &'static [&'static str];

    /// The value this variant is stored as.
    fn as_value(&self) -> &'static str;

    /// The variant stored as `value`, if any.
    fn from_value(value: &str) -> Option<Self>;

    /// The type as the schema model sees it.
    fn enum_type() -> EnumType {
        EnumType {
            name: Self::NAME.to_string(),
            schema: Self::SCHEMA.map(str::to_string),
            values: Self::VALUES.iter().map(|v| v.to_string()).collect(),
        }
    }
}

/// Whether `values` holds `value`: the derive's compile-time check of an enum column's default.
#[doc(hidden)]
pub const fn enum_has_value(values: &[&str], value: &str) -> bool {
    let mut i = 0;
    while i < values.len() {
        let (a, b) = (values[i].as_bytes(), value.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// The error of a stored value that is not one of the enum's.
#[derive(Debug)]
pub struct UnknownValue {
    /// The value read.
    pub value: String,
    /// The enum type.
    pub type_name: &'static str,
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is not a value of the enum `{}`", self.value, self.type_name)
    }
}

impl std::error::Error for UnknownValue {}

/// A stored value read back as the enum's variant.
#[doc(hidden)]
pub fn parse_value<E: SqlEnum>(value: &str) -> Result<E, UnknownValue> {
    E::from_value(value).ok_or_else(|| UnknownValue {
        value: value.to_string(),
        type_name: E::NAME,
    })
}

/// A standalone PostgreSQL sequence, implemented by `#[derive(SqlSequence)]` on a unit struct.
/// Its `nextval` is written where it is used: `#[column(default_sql =
/// "nextval('billing.invoice_numbers')")]`, or [`SqlSequence::nextval`] in a query.
pub trait SqlSequence {
    /// The sequence's name (`#[sql_sequence(name = "..")]`, else the struct's in snake_case).
    const NAME: &'static str;
    /// Its PostgreSQL schema, when it is not `public`.
    const SCHEMA: Option<&'static str>;

    /// The sequence as the schema model sees it.
    fn sequence() -> crate::model::Sequence;

    /// `nextval('schema.name')`, as SQL.
    fn nextval() -> String {
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\"")).replace('\'', "''");
        match Self::SCHEMA {
            Some(s) => format!("nextval('{}.{}')", q(s), q(Self::NAME)),
            None => format!("nextval('{}')", q(Self::NAME)),
        }
    }
}
