//! Migrations and the bookkeeping around them, whatever the database: a migration folder read
//! at run time or built into the binary, the tracking table's rows matched to it, and the
//! errors a run can end with. Each dialect's module applies them (`Migrations::run` on a
//! SQLite connection lives in the SQLite module).

mod error;
mod migration;
mod source;
mod ticker;
mod tracking;

pub use error::{DbError, MigrateError};
pub use migration::{Migration, Migrations};
pub(crate) use ticker::Watch;
pub use ticker::{Tick, Ticker};
pub use tracking::{Applied, MigrationState, Progress, Status};
// What each dialect's runner shares.
#[cfg_attr(not(feature = "sqlite"), allow(unused_imports, dead_code))]
pub(crate) use tracking::{Ledger, TrackingRow};
