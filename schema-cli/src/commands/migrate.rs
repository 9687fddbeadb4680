//! `schema migrate`: applies the folder's pending migrations to the database.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use schema_core::backend::{self, OpenError, OpenMode};
use schema_core::driver::Driver;
use schema_core::{MigrateError, MigrationState, Migrations, Progress};

use crate::cli::{CliError, CliResult, MigrateArgs};
use crate::config::Config;
use crate::output::{say, tell};

/// Errors in the folder are input errors (exit 2); everything the database says is exit 3.
pub fn classify(e: MigrateError) -> CliError {
    match e {
        MigrateError::Folder(_)
        | MigrateError::MissingFile { .. }
        | MigrateError::DuplicateTag(_)
        | MigrateError::Forbidden { .. } => CliError::input(e),
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
        .with_table(config.table.clone()))
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

/// What a long migration is doing, for the ticker to print.
#[derive(Default)]
struct Current {
    tag: Option<String>,
    started: Option<Instant>,
    statement: usize,
    of: usize,
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
    if args.dry_run {
        return dry_run(config, &migrations);
    }
    if args.rehearse {
        return rehearse(config, &migrations);
    }
    let seed = if args.seed { Some(seed_file(config)?) } else { None };
    let mut db = open(config, OpenMode::Create)?;
    // A seed fills a new database only: whether this one is new is known before migrating.
    let was_empty = match seed {
        Some(_) => db.is_empty().map_err(CliError::database)?,
        None => false,
    };
    let status = db.status(&migrations).map_err(classify)?;
    let pending = status
        .migrations
        .iter()
        .filter(|(_, s)| *s == MigrationState::Pending)
        .count();
    if args.backup && pending > 0 {
        backup(db.as_mut())?;
    }

    // A ticker prints where a long migration is, every few seconds, until it is applied. It
    // wakes every 100 ms, or at once when the run ends (the sender is dropped), so a short run
    // never waits for it.
    let current = Arc::new(Mutex::new(Current::default()));
    let (stop, stopped) = mpsc::channel::<()>();
    let ticker = {
        let current = Arc::clone(&current);
        std::thread::spawn(move || {
            let mut last = Instant::now();
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(Duration::from_millis(100)) {
                let c = current.lock().unwrap_or_else(|e| e.into_inner());
                if let (Some(tag), Some(started)) = (&c.tag, c.started)
                    && started.elapsed() > Duration::from_secs(2)
                    && last.elapsed() > Duration::from_secs(2)
                {
                    tell!(
                        "  {tag}: statement {} of {}, {:.0} s so far",
                        (c.statement + 1).min(c.of),
                        c.of,
                        started.elapsed().as_secs_f64()
                    );
                    last = Instant::now();
                }
            }
        })
    };
    let result = db.migrate(&migrations, &mut |p| {
        let mut c = current.lock().unwrap_or_else(|e| e.into_inner());
        match p {
            Progress::Applying { tag, statements } => {
                *c = Current {
                    tag: Some(tag.clone()),
                    started: Some(Instant::now()),
                    statement: 0,
                    of: *statements,
                };
            }
            Progress::Statement { number, .. } => c.statement = *number,
            Progress::Applied(a) => {
                c.tag = None;
                let note = if a.out_of_order {
                    " (older than an applied migration: merged from another branch)"
                } else {
                    ""
                };
                say!("applied {} in {:.1} ms{note}", a.tag, a.elapsed.as_secs_f64() * 1000.0);
            }
            Progress::Warning { tag, message } => tell!("warning: {tag}: {message}"),
        }
    });
    drop(stop);
    let _ = ticker.join();
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
    say!("Seeded {} from {} ({n} statement(s)).", db.target(), seed.display());
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
        "Rehearsing {} pending migration(s) on a copy of {target} ({}, made in {:.1} ms):",
        r.pending.len(),
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
                a.rows
                    .map_or_else(|| "rows not counted".to_string(), |n| format!("{n} row(s) touched"))
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

/// What `migrate` would apply, read without writing: a database that is not there yet is not
/// created, and every migration is said to be pending.
fn dry_run(config: &Config, migrations: &Migrations) -> CliResult {
    let pending: Vec<&schema_core::Migration> = match try_open(config, OpenMode::ReadOnly) {
        Ok(mut db) => {
            let status = db.status(migrations).map_err(classify)?;
            if !status.missing.is_empty() || status.migrations.iter().any(|(_, s)| *s == MigrationState::Edited) {
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
    for m in pending {
        say!("would apply {} ({} statements)", m.tag(), m.statements().len());
    }
    Ok(0)
}

/// `--backup`: the database copied beside itself while it stays usable.
fn backup(db: &mut dyn Driver) -> Result<(), CliError> {
    let target = std::path::PathBuf::from(db.target());
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let file_name = format!(
        "{}.backup-{stamp}",
        target.file_name().map(|f| f.to_string_lossy()).unwrap_or_default()
    );
    let dest = target.with_file_name(file_name);
    let copied = db.backup_to(&dest).map_err(|e| {
        CliError::database(anyhow::anyhow!(
            "cannot back up {} to {}: {e}",
            target.display(),
            dest.display()
        ))
    })?;
    if copied {
        say!("backed up {} to {}", target.display(), dest.display());
    } else {
        tell!(
            "warning: --backup: {} cannot be copied as a file; no backup was made",
            db.target()
        );
    }
    Ok(())
}
