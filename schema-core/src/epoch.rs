//! `#[column(epoch)]`: a date-time stored as a Unix time (seconds, or milliseconds with
//! `epoch = "ms"`) on SQLite, for the date-time types of chrono and time (each behind the
//! feature named after its crate). A date-time without a zone is taken as UTC.

/// A date-time that converts to and from a Unix time. Implemented for `chrono::NaiveDateTime`,
/// `chrono::DateTime<Utc>` (feature `chrono`), `time::PrimitiveDateTime` and
/// `time::OffsetDateTime` (feature `time`).
#[diagnostic::on_unimplemented(
    message = "#[column(epoch)] cannot store `{Self}` as a Unix time",
    note = "epoch takes chrono's NaiveDateTime or DateTime<Utc> (schema-core feature `chrono`), or time's PrimitiveDateTime or OffsetDateTime (feature `time`)"
)]
pub trait EpochTime: Sized {
    /// Seconds (or milliseconds) since 1970-01-01 00:00:00 UTC; a fraction below the unit is
    /// dropped (towards the past).
    fn to_unix(&self, millis: bool) -> i64;

    /// The date-time of a Unix time, if the type can hold it.
    fn from_unix(value: i64, millis: bool) -> Option<Self>;
}

#[cfg(feature = "chrono")]
mod chrono_impls {
    use chrono::{DateTime, NaiveDateTime, Utc};

    use super::EpochTime;

    impl EpochTime for DateTime<Utc> {
        fn to_unix(&self, millis: bool) -> i64 {
            if millis {
                self.timestamp_millis()
            } else {
                self.timestamp()
            }
        }

        fn from_unix(value: i64, millis: bool) -> Option<Self> {
            if millis {
                DateTime::from_timestamp_millis(value)
            } else {
                DateTime::from_timestamp(value, 0)
            }
        }
    }

    impl EpochTime for NaiveDateTime {
        fn to_unix(&self, millis: bool) -> i64 {
            self.and_utc().to_unix(millis)
        }

        fn from_unix(value: i64, millis: bool) -> Option<Self> {
            DateTime::<Utc>::from_unix(value, millis).map(|d| d.naive_utc())
        }
    }
}

#[cfg(feature = "time")]
mod time_impls {
    use time::{OffsetDateTime, PrimitiveDateTime};

    use super::EpochTime;

    impl EpochTime for OffsetDateTime {
        fn to_unix(&self, millis: bool) -> i64 {
            if millis {
                // Towards the past, as chrono's `timestamp_millis` does.
                self.unix_timestamp_nanos().div_euclid(1_000_000) as i64
            } else {
                self.unix_timestamp()
            }
        }

        fn from_unix(value: i64, millis: bool) -> Option<Self> {
            if millis {
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(value) * 1_000_000).ok()
            } else {
                OffsetDateTime::from_unix_timestamp(value).ok()
            }
        }
    }

    impl EpochTime for PrimitiveDateTime {
        fn to_unix(&self, millis: bool) -> i64 {
            self.assume_utc().to_unix(millis)
        }

        fn from_unix(value: i64, millis: bool) -> Option<Self> {
            OffsetDateTime::from_unix(value, millis).map(|o| PrimitiveDateTime::new(o.date(), o.time()))
        }
    }
}
