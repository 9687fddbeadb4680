//! An SqlEnum's conversions on the `postgres` crate, which `#[derive(SqlEnum)]` writes through
//! `__postgres_enum!`: sent and read as the value's text (PostgreSQL's binary form of an enum
//! value is its label), accepted for the enum type itself or a text column.

use std::error::Error;

pub use bytes::BytesMut;
use postgres::types::{IsNull, Kind, Type, WrongType};

use crate::SqlEnum;

type BoxError = Box<dyn Error + Sync + Send>;

/// Whether a value of `E` may be sent to or read from a parameter or column of type `ty`: the
/// enum type of that name (and schema), or text.
pub fn accepts<E: SqlEnum>(ty: &Type) -> bool {
    match ty.kind() {
        Kind::Enum(_) => ty.name() == E::NAME && ty.schema() == E::SCHEMA.unwrap_or("public"),
        _ => matches!(
            *ty,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
        ),
    }
}

/// Writes the value's label.
pub fn to_sql<E: SqlEnum>(value: &E, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    if !accepts::<E>(ty) {
        return Err(Box::new(WrongType::new::<E>(ty.clone())));
    }
    out.extend_from_slice(value.as_value().as_bytes());
    Ok(IsNull::No)
}

/// Reads a label back as the variant.
pub fn from_sql<E: SqlEnum>(raw: &[u8]) -> Result<E, BoxError> {
    let text = std::str::from_utf8(raw)?;
    Ok(crate::sql_enum::parse_value::<E>(text)?)
}

/// An SqlEnum's `postgres` conversions.
#[doc(hidden)]
#[macro_export]
macro_rules! __postgres_enum {
    ($ty:ty) => {
        impl $crate::postgres::client::types::ToSql for $ty {
            fn to_sql(
                &self,
                ty: &$crate::postgres::client::types::Type,
                out: &mut $crate::postgres::enum_values::BytesMut,
            ) -> ::std::result::Result<
                $crate::postgres::client::types::IsNull,
                ::std::boxed::Box<dyn ::std::error::Error + ::std::marker::Sync + ::std::marker::Send>,
            > {
                $crate::postgres::enum_values::to_sql(self, ty, out)
            }

            fn accepts(ty: &$crate::postgres::client::types::Type) -> bool {
                $crate::postgres::enum_values::accepts::<$ty>(ty)
            }

            $crate::postgres::client::types::to_sql_checked!();
        }

        impl<'a> $crate::postgres::client::types::FromSql<'a> for $ty {
            fn from_sql(
                _ty: &$crate::postgres::client::types::Type,
                raw: &'a [u8],
            ) -> ::std::result::Result<
                Self,
                ::std::boxed::Box<dyn ::std::error::Error + ::std::marker::Sync + ::std::marker::Send>,
            > {
                $crate::postgres::enum_values::from_sql::<$ty>(raw)
            }

            fn accepts(ty: &$crate::postgres::client::types::Type) -> bool {
                $crate::postgres::enum_values::accepts::<$ty>(ty)
            }
        }
    };
}
