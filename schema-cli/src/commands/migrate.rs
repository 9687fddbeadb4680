//! `schema migrate`: applies the folder's pending migrations to the database.

use std::time::Duration;

use schema_core::backend::{self, OpenError, OpenMode};
use schema_core::driver::Driver;
use schema_core::{MigrateError, MigrationState, Migrations, Progress, Ticker};

use crate::cli::{CliError, CliResult, MigrateArgs};
use crate::config::Config;
use crate::output::{say, tell};

/// Errors in the folder are input errors (exit 2); everything the database says is exit 3.
pub fn classify(e: MigrateError) -> CliError {
    match e {
        MigrateError::Folder(_)
        | MigrateError::MissingFile { .. }
        | MigrateError::DuplicateTag(_)
        | MigrateError::Forbidden { .. }
        | MigrateError::UnknownTag(_)
        | MigrateError::NotEdited { .. } => CliError::input(e),
        _ => CliError::database(e),
    }
}

/// The folder's migrations. A folder that is not there is an error (exit 2) naming where the
/// setting came from, never "up to date".
pub fn load(config: &Config) -> Result<Migrations, CliError> {
    if !config.out.is_dir() {
        return Err(CliError::input(anyhow::anyhow!(
            "no migrations folder at {} ({})",
            config.out.display(),
            config.origin()
        )));
    }
    Ok(Migrations::from_dir(&config.out)
        .map_err(classify)?
        .with_table(config.table.clone())
        .with_schema(config.migrations_schema.clone()))
}

/// The configured database, through the dialect's driver. A URL that names nothing usable
/// (an empty one, `:memory:`, another database's) is an input error (exit 2); a database the
/// command may not create and cannot find is [`OpenError::Missing`], for the caller to say.
pub fn try_open(config: &Config, mode: OpenMode) -> Result<Box<dyn Driver>, OpenError> {
    backend::open(config.dialect, &config.url, &config.url_base, mode)
}

/// [`try_open`], with every failure an error of its exit code.
pub fn open(config: &Config, mode: OpenMode) -> Result<Box<dyn Driver>, CliError> {
    try_open(config, mode).map_err(|e| open_error(e, config))
}

/// The exit code of an open failure: the URL or a missing database is input (2), the rest
/// the database's (3).
pub fn open_error(e: OpenError, config: &Config) -> CliError {
    match e {
        OpenError::Missing(target) => CliError::input(anyhow::anyhow!(
            "no database at {target} ({}; a command that only reads never creates one)",
            config.origin()
        )),
        OpenError::Url(_) | OpenError::Unsupported(_) | OpenError::ReadOnlyUrl(_) => CliError::input(e),
        _ => CliError::database(e),
    }
}

pub fn run(config: &Config, args: &MigrateArgs) -> CliResult {
    let mut migrations = load(config)?;
    if let Some(secs) = args.wait {
        if !(secs.is_finite() && secs >= 0.0) {
            return Err(CliError::input(anyhow::anyhow!(
                "--wait {secs}: give a number of seconds, 0 or more"
            )));
        }
        migrations = migrations.with_busy_timeout(Duration::from_secs_f64(secs));
    }
    if args.allow_unknown_applied {
        migrations = migrations.allow_unknown_applied(true);
    }
    if args.dry_run {
        return dry_run(config, &migrations);
    }
    if args.rehearse {
        return rehearse(config, &migrations);
    }
    let seed = if args.seed { Some(seed_file(config)?) } else { None };
    // A database to adopt must be there: an empty one made here would only differ.
    let mode = if args.baseline.is_some() {
        OpenMode::ReadWrite
    } else {
        OpenMode::Create
    };
    let mut db = open(config, mode)?;
    for tag in &args.accept_edit {
        let was = db.accept_edit(&migrations, tag).map_err(classify)?;
        let m = migrations
            .find(tag)
            .map(|m| m.tag().to_string())
            .unwrap_or_else(|| tag.clone());
        say!(
            "accepted the edit of {m}: its tracking row now has the file's hash (it was applied with {}); nothing of it ran again",
            short(&was)
        );
    }
    if let Some(tag) = &args.baseline {
        adopt(config, db.as_mut(), &migrations, tag)?;
    }
    // A seed fills a new database only: whether this one is new is known before migrating.
    let was_empty = match seed {
        Some(_) => db.is_empty().map_err(CliError::database)?,
        None => false,
    };
    // (The migrator reads what is applied itself: read here only for a backup.)
    if args.backup {
        let status = db.status(&migrations).map_err(classify)?;
        if status.migrations.iter().any(|(_, s)| *s == MigrationState::Pending) {
            backup(db.as_mut())?;
        }
    }

    // Where a long migration is, every few seconds, until it is applied.
    let ticker = Ticker::new(Duration::from_secs(2), |t| {
        tell!(
            "  {}: statement {} of {}, {:.0} s so far",
            t.tag,
            t.statement,
            t.of,
            t.elapsed.as_secs_f64()
        )
    });
    let mut report = |p: &Progress| match p {
        Progress::Applying { .. } | Progress::Statement { .. } => {}
        Progress::Applied(a) => {
            let note = if a.out_of_order {
                " (older than an applied migration: merged from another branch)"
            } else {
                ""
            };
            say!("applied {} in {:.1} ms{note}", a.tag, a.elapsed.as_secs_f64() * 1000.0);
        }
        Progress::Warning { tag, message } => tell!("warning: {tag}: {message}"),
    };
    let result = db.migrate_ticking(&migrations, &mut report, &ticker);
    let applied = result.map_err(classify)?;
    if applied.is_empty() {
        say!("Nothing to apply: {} is up to date.", db.target());
    }
    if let Some(seed) = seed {
        if was_empty {
            apply_seed(db.as_mut(), &seed)?;
        } else {
            say!(
                "Seed {} not applied: {} was not empty when this run started (a seed only fills a new database).",
                seed.display(),
                db.target()
            );
        }
    }
    Ok(0)
}

/// The first 12 characters of a hash, as git shortens one.
fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// `--baseline TAG`: the database checked against TAG's snapshot, the migrations up to it
/// recorded as applied. Differences are exit 1 (nothing recorded); a tag the folder does not
/// have, or a database already past it, exit 2.
fn adopt(config: &Config, db: &mut dyn Driver, migrations: &Migrations, tag: &str) -> Result<(), CliError> {
    use schema_core::drift::{BaselineError, DriftError, baseline};
    let skip = config.skip();
    let b = baseline(db, &config.folder(), migrations, tag, &skip).map_err(|e| match e {
        BaselineError::Differs { .. } => CliError {
            code: crate::cli::EXIT_FOUND,
            error: e.into(),
        },
        BaselineError::Drift(DriftError::Migrate(m)) => classify(m),
        BaselineError::Drift(DriftError::Read(_)) => CliError::database(e),
        _ => CliError::input(e),
    })?;
    let n = b.recorded.len();
    if n == 0 {
        say!(
            "{} matches the migrations up to {}, which were already recorded as applied.",
            db.target(),
            b.tag
        );
    } else {
        say!(
            "{} matches the migrations up to {}: recorded {} as applied without running {}: {}",
            db.target(),
            b.tag,
            plural(n, "migration", "migrations"),
            if n == 1 { "it" } else { "them" },
            b.recorded.join(", ")
        );
    }
    Ok(())
}

/// `1 migration`, `2 migrations`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The configured seed file, which must be there before anything is migrated.
pub fn seed_file(config: &Config) -> Result<std::path::PathBuf, CliError> {
    let Some(seed) = &config.seed else {
        return Err(CliError::input(anyhow::anyhow!(
            "no seed file is configured: add [seed] file = \"seed.sql\" to schema.toml, or pass --seed-file ({})",
            config.origin()
        )));
    };
    if !seed.is_file() {
        return Err(CliError::input(anyhow::anyhow!(
            "the seed file {} does not exist ({})",
            seed.display(),
            config.origin()
        )));
    }
    Ok(seed.clone())
}

/// Applies the seed in one transaction, saying what it did; a failure names the file, line and
/// statement, and leaves nothing of the seed behind.
pub fn apply_seed(db: &mut dyn Driver, seed: &std::path::Path) -> Result<(), CliError> {
    use schema_core::seed::SeedError;
    let n = schema_core::seed::apply(db, seed, seed).map_err(|e| match e {
        SeedError::Read { .. } | SeedError::Forbidden { .. } => CliError::input(e),
        _ => CliError::database(e),
    })?;
    say!(
        "Seeded {} from {} ({}).",
        db.target(),
        seed.display(),
        crate::output::count(n, "statement", "statements")
    );
    Ok(())
}

/// `--rehearse`: the pending migrations applied to a copy, each timed, the database untouched.
fn rehearse(config: &Config, migrations: &Migrations) -> CliResult {
    let mut db = match try_open(config, OpenMode::ReadOnly) {
        Ok(db) => db,
        Err(OpenError::Missing(target)) => {
            return Err(CliError::input(anyhow::anyhow!(
                "no database at {target} to rehearse on ({}); `schema migrate` would create it from every migration",
                config.origin()
            )));
        }
        Err(e) => return Err(open_error(e, config)),
    };
    let target = db.target();
    let status = db.status(migrations).map_err(classify)?;
    let pending = status
        .migrations
        .iter()
        .filter(|(_, s)| *s == MigrationState::Pending)
        .count();
    if pending == 0 {
        say!("Nothing to rehearse: {target} is up to date.");
        return Ok(0);
    }
    let r = db.rehearse(migrations, &mut |_| {}).map_err(|e| match e {
        schema_core::rehearse::RehearseError::Status(e) => classify(e),
        e => CliError::database(e),
    })?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    say!(
        "Rehearsing {} on a copy of {target} ({}, made in {:.1} ms):",
        crate::output::count(r.pending.len(), "pending migration", "pending migrations"),
        r.copy,
        ms(r.copy_time)
    );
    let width = r.pending.iter().map(String::len).max().unwrap_or(0);
    // Applied in order, so the first one not applied is the one that failed.
    for (i, tag) in r.pending.iter().enumerate() {
        match r.applied.get(i) {
            Some(a) => say!(
                "  {tag:<width$}  {:>10.1} ms  {}",
                ms(a.elapsed),
                a.rows.map_or_else(
                    || "rows not counted".to_string(),
                    |n| {
                        format!(
                            "{} touched",
                            crate::output::count(usize::try_from(n).unwrap_or(usize::MAX), "row", "rows")
                        )
                    }
                )
            ),
            None if i == r.applied.len() && r.failure.is_some() => say!("  {tag:<width$}  FAILED"),
            None => say!("  {tag:<width$}  not reached"),
        }
    }
    if let Some(l) = r.longest() {
        say!(
            "Longest lock: {} holds the write lock for {:.1} ms (its transaction).",
            l.tag,
            ms(l.elapsed)
        );
    }
    say!("{target} was not changed.");
    match r.failure {
        Some(e) => {
            let code = classify(e);
            Err(CliError {
                code: code.code,
                error: code
                    .error
                    .context("the rehearsal failed: the real migration would fail the same way"),
            })
        }
        None => Ok(0),
    }
}

/// What `migrate` would apply, read without writing: the database it would write, each pending
/// migration and its SQL. A database that is not there yet is not created, and every
/// migration is said to be pending.
fn dry_run(config: &Config, migrations: &Migrations) -> CliResult {
    let pending: Vec<&schema_core::Migration> = match try_open(config, OpenMode::ReadOnly) {
        Ok(mut db) => {
            say!("Database: {} (tracking table {})", db.target(), migrations.table());
            let status = db.status(migrations).map_err(classify)?;
            let unknown = !status.missing.is_empty() && !migrations.allows_unknown_applied();
            if unknown || status.migrations.iter().any(|(_, s)| *s == MigrationState::Edited) {
                tell!("warning: `schema status` lists edited or missing migrations: migrate would refuse to run");
            }
            let pending: Vec<&schema_core::Migration> = migrations
                .migrations()
                .iter()
                .zip(&status.migrations)
                .filter(|(_, (_, s))| *s == MigrationState::Pending)
                .map(|(m, _)| m)
                .collect();
            if pending.is_empty() {
                say!("Nothing to apply: {} is up to date.", db.target());
            }
            pending
        }
        Err(OpenError::Missing(target)) => {
            say!("{target} does not exist yet: migrate would create it.");
            migrations.migrations().iter().collect()
        }
        Err(e) => return Err(open_error(e, config)),
    };
    for m in &pending {
        let statements = m.statements();
        say!(
            "would apply {} ({}):",
            m.tag(),
            crate::output::count(statements.len(), "statement", "statements")
        );
        for s in &statements {
            for line in s.trim_end().lines() {
                say!("    {line}");
            }
        }
    }
    if !pending.is_empty() {
        say!("Dry run: nothing was applied.");
    }
    Ok(0)
}

/// `2026-11-23T23-18-36Z` for a time in seconds since the epoch (UTC; `-` for `:`, which
/// some file systems refuse in names). Civil date from days: Howard Hinnant's algorithm.
pub fn file_stamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}-{:02}-{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// `--backup`: the database copied beside itself while it stays usable, named by the time,
/// and how to put it back.
fn backup(db: &mut dyn Driver) -> Result<(), CliError> {
    let target = std::path::PathBuf::from(db.target());
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let base = target.file_name().map(|f| f.to_string_lossy()).unwrap_or_default();
    let mut dest = target.with_file_name(format!("{base}.backup-{}", file_stamp(secs)));
    // Two runs in one second keep both copies.
    let mut n = 1;
    while dest.exists() {
        n += 1;
        dest = target.with_file_name(format!("{base}.backup-{}-{n}", file_stamp(secs)));
    }
    let copied = db.backup_to(&dest).map_err(|e| {
        CliError::database(anyhow::anyhow!(
            "cannot back up {} to {}: {e}",
            target.display(),
            dest.display()
        ))
    })?;
    if copied {
        say!("backed up {} to {}", target.display(), dest.display());
        say!(
            "  to restore it: stop what uses the database, then `cp {backup} {db}`, and delete {db}-wal and {db}-shm if they are there",
            backup = dest.display(),
            db = target.display()
        );
    } else {
        tell!(
            "warning: --backup: {} cannot be copied as a file; no backup was made",
            db.target()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::file_stamp;

    #[test]
    fn backup_names_carry_a_readable_utc_time() {
        assert_eq!(file_stamp(0), "1970-01-01T00-00-00Z");
        assert_eq!(file_stamp(951_782_400), "2000-02-29T00-00-00Z");
        assert_eq!(file_stamp(1_700_000_000), "2023-11-14T22-13-20Z");
        assert_eq!(file_stamp(4_102_444_799), "2099-12-31T23-59-59Z");
    }
}
