//! One migration, and the ordered set of them that a folder (or the binary) holds.

use std::borrow::Cow;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::folder::split_statements;

/// drizzle-orm's tracking table name.
pub const DEFAULT_TABLE: &str = "__drizzle_migrations";

/// One migration file, with what the journal says of it. Its hash is computed once, when it
/// is read (or at compile time, for `embed_migrations!`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    idx: u32,
    tag: Cow<'static, str>,
    when: i64,
    sql: Cow<'static, str>,
    hash: Cow<'static, str>,
}

impl Migration {
    /// A migration read at run time.
    pub fn new(idx: u32, tag: impl Into<String>, when: i64, sql: impl Into<String>) -> Migration {
        let sql: String = sql.into();
        Migration {
            idx,
            tag: Cow::Owned(tag.into()),
            when,
            hash: Cow::Owned(sha256_hex(sql.as_bytes())),
            sql: Cow::Owned(sql),
        }
    }

    /// What `embed_migrations!` expands to: everything known at compile time, the hash too.
    #[doc(hidden)]
    pub const fn embedded(idx: u32, tag: &'static str, when: i64, sql: &'static str, hash: &'static str) -> Migration {
        Migration {
            idx,
            tag: Cow::Borrowed(tag),
            when,
            sql: Cow::Borrowed(sql),
            hash: Cow::Borrowed(hash),
        }
    }

    /// The journal's `idx`.
    pub fn idx(&self) -> u32 {
        self.idx
    }

    /// The tag: the file's name without `.sql` (`0003_users_add_bio`).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The journal's `when`, stored as `created_at` exactly as drizzle-orm stores it.
    pub fn when(&self) -> i64 {
        self.when
    }

    /// The file's text.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The hex SHA-256 of the file, as drizzle-orm computes it.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The file's statements, split at drizzle-kit's breakpoints.
    pub fn statements(&self) -> Vec<String> {
        split_statements(&self.sql)
    }
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A migration folder's migrations in journal order, and how to track them: read at run time
/// ([`Migrations::from_dir`]) or built into the binary (`embed_migrations!`).
#[derive(Debug, Clone)]
pub struct Migrations {
    pub(super) migrations: Cow<'static, [Migration]>,
    pub(super) table: Cow<'static, str>,
    pub(super) schema: Cow<'static, str>,
    pub(super) busy_timeout: Duration,
    pub(super) allow_unknown_applied: bool,
}

impl Migrations {
    /// drizzle-orm's tracking table name, the default.
    pub const DEFAULT_TABLE: &'static str = DEFAULT_TABLE;

    /// drizzle-orm's schema for the tracking table on PostgreSQL, the default.
    pub const DEFAULT_SCHEMA: &'static str = "drizzle";

    /// Migrations read at run time, in journal order.
    pub fn from_vec(migrations: Vec<Migration>) -> Migrations {
        Migrations {
            migrations: Cow::Owned(migrations),
            table: Cow::Borrowed(DEFAULT_TABLE),
            schema: Cow::Borrowed(Self::DEFAULT_SCHEMA),
            busy_timeout: Duration::from_secs(60),
            allow_unknown_applied: false,
        }
    }

    /// Migrations built into the binary (what `embed_migrations!` expands to).
    pub const fn from_static(migrations: &'static [Migration]) -> Migrations {
        Migrations {
            migrations: Cow::Borrowed(migrations),
            table: Cow::Borrowed(DEFAULT_TABLE),
            schema: Cow::Borrowed(Self::DEFAULT_SCHEMA),
            busy_timeout: Duration::from_secs(60),
            allow_unknown_applied: false,
        }
    }

    /// Migrations built into the binary, tracked in `table` (what `embed_migrations!` expands
    /// to when it is given a table, or its `schema.toml` names one).
    #[doc(hidden)]
    pub const fn from_static_in(migrations: &'static [Migration], table: &'static str) -> Migrations {
        Migrations {
            migrations: Cow::Borrowed(migrations),
            table: Cow::Borrowed(table),
            schema: Cow::Borrowed(Self::DEFAULT_SCHEMA),
            busy_timeout: Duration::from_secs(60),
            allow_unknown_applied: false,
        }
    }

    /// Another tracking table than `__drizzle_migrations`.
    pub fn with_table(mut self, table: impl Into<String>) -> Self {
        self.table = Cow::Owned(table.into());
        self
    }

    /// Another schema than `drizzle` for the tracking table, on PostgreSQL (SQLite has none).
    pub fn with_schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Cow::Owned(schema.into());
        self
    }

    /// Runs even when the database has applied migrations this set does not have (a binary
    /// older than its database, after a rolled-back deploy): each is reported as a
    /// [`Progress::Warning`](crate::Progress::Warning) instead of failing the run. Without it,
    /// such a migration is [`MigrateError::Missing`](crate::MigrateError::Missing).
    pub fn allow_unknown_applied(mut self, allow: bool) -> Self {
        self.allow_unknown_applied = allow;
        self
    }

    /// Whether applied migrations unknown to this set are tolerated.
    pub fn allows_unknown_applied(&self) -> bool {
        self.allow_unknown_applied
    }

    /// How long to wait for another process's migration to finish.
    pub fn with_busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// The migrations, in journal order.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// The tracking table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The tracking table's schema (PostgreSQL).
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// How long a run waits for another migrator.
    pub fn busy_timeout(&self) -> Duration {
        self.busy_timeout
    }

    /// The migration tagged `tag`.
    pub fn get(&self, tag: &str) -> Option<&Migration> {
        self.migrations.iter().find(|m| m.tag() == tag)
    }

    /// The migration tagged `tag`, with its place in journal order.
    pub fn position(&self, tag: &str) -> Option<(usize, &Migration)> {
        self.migrations.iter().enumerate().find(|(_, m)| m.tag() == tag)
    }

    /// The migration a user names: its whole tag, or its number alone (`0003` for
    /// `0003_users_add_bio`).
    pub fn find(&self, tag: &str) -> Option<&Migration> {
        self.get(tag).or_else(|| {
            let prefix = format!("{tag}_");
            self.migrations.iter().find(|m| m.tag().starts_with(&prefix))
        })
    }
}
