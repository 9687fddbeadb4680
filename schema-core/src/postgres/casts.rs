//! Which of PostgreSQL's built-in types cast to which, as `"col"::type` in a type change's
//! `USING` asks: so that `generate` can say, before anything runs, that a change has no cast and
//! its migration would fail on every database. Held to a real PostgreSQL 15 server, pair by
//! pair, by `tests/postgres.rs::the_cast_table_is_the_servers`.

use crate::model::LogicalType;

/// The families of built-in types, as far as casts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Int(IntWidth),
    Float,
    Numeric,
    Bool,
    /// `text`, `varchar`, `char`, `name`: every type casts to and from them (I/O conversion).
    Str,
    Bytea,
    Date,
    Timestamp,
    TimestampTz,
    Time,
    TimeTz,
    Interval,
    Uuid,
    Json,
    Jsonb,
    Inet,
    Cidr,
    Enum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntWidth {
    Small,
    Int,
    Big,
}

fn family(ty: &LogicalType) -> Option<Family> {
    match ty {
        LogicalType::Enum(_) => return Some(Family::Enum),
        // Arrays cast element by element: not judged here.
        LogicalType::EnumArray(_) => return None,
        _ => {}
    }
    let name = super::render::type_name(ty);
    if name.contains('[') {
        return None;
    }
    // The name without its modifiers, wherever they sit (`timestamp(3) with time zone`).
    let mut bare = String::new();
    let mut depth = 0usize;
    for ch in name.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => bare.push(c),
            _ => {}
        }
    }
    let base = bare.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(match base.as_str() {
        "smallint" | "smallserial" => Family::Int(IntWidth::Small),
        "integer" | "serial" => Family::Int(IntWidth::Int),
        "bigint" | "bigserial" => Family::Int(IntWidth::Big),
        "real" | "double precision" => Family::Float,
        "numeric" => Family::Numeric,
        "boolean" => Family::Bool,
        "text" | "varchar" | "char" | "name" => Family::Str,
        "bytea" => Family::Bytea,
        "date" => Family::Date,
        "timestamp" => Family::Timestamp,
        "timestamp with time zone" => Family::TimestampTz,
        "time" => Family::Time,
        "time with time zone" => Family::TimeTz,
        "interval" => Family::Interval,
        "uuid" => Family::Uuid,
        "json" => Family::Json,
        "jsonb" => Family::Jsonb,
        "inet" => Family::Inet,
        "cidr" => Family::Cidr,
        _ => return None,
    })
}

/// Whether `"col"::to` works on a column of type `from`: `Some(false)` when PostgreSQL has no
/// such cast, `None` when one of the types is not a built-in type this table knows (a domain,
/// an extension's type, an array), which the server alone can say.
pub fn cast_exists(from: &LogicalType, to: &LogicalType) -> Option<bool> {
    use Family::*;
    if let (LogicalType::Enum(a), LogicalType::Enum(b)) = (from, to) {
        return Some(a.same_type(b));
    }
    let (a, b) = (family(from)?, family(to)?);
    let numeric = |f: Family| matches!(f, Int(_) | Float | Numeric);
    Some(match (a, b) {
        _ if a == b => true,
        (Str, _) | (_, Str) => true,
        (x, y) if numeric(x) && numeric(y) => true,
        // Only `integer` and `boolean` cast to each other.
        (Int(IntWidth::Int), Bool) | (Bool, Int(IntWidth::Int)) => true,
        (Json, Jsonb) | (Jsonb, Json) => true,
        // jsonb's scalars (PostgreSQL 11 on).
        (Jsonb, x) if x == Bool || numeric(x) => true,
        (Date, Timestamp | TimestampTz) => true,
        (Timestamp, Date | TimestampTz | Time) => true,
        (TimestampTz, Date | Timestamp | Time | TimeTz) => true,
        (Time, TimeTz | Interval) | (TimeTz, Time) | (Interval, Time) => true,
        (Inet, Cidr) | (Cidr, Inet) => true,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(t: &str) -> LogicalType {
        LogicalType::Sql(t.into())
    }

    #[test]
    fn the_families_read_modifiers_and_aliases() {
        assert_eq!(cast_exists(&sql("bytea"), &sql("int8")), Some(false));
        assert_eq!(cast_exists(&sql("numeric(10, 2)"), &sql("integer")), Some(true));
        assert_eq!(
            cast_exists(&sql("timestamp(3) with time zone"), &sql("time")),
            Some(true)
        );
        assert_eq!(cast_exists(&sql("bool"), &sql("bigint")), Some(false));
        assert_eq!(cast_exists(&sql("int4"), &sql("boolean")), Some(true));
        assert_eq!(cast_exists(&sql("citext"), &sql("bigint")), None);
        assert_eq!(cast_exists(&sql("text[]"), &sql("bytea")), None);
    }
}
