//! `schema migrate`: applies the folder's pending migrations to the database.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use schema_core::migrate::{MigrateError, MigrationState, Migrations, Progress};

use crate::cli::{CliError, CliResult, MigrateArgs};
use crate::config::Config;

/// Errors in the folder are input errors (exit 2); everything the database says is exit 3.
pub fn classify(e: MigrateError) -> CliError {
    match e {
        MigrateError::Folder(_) | MigrateError::MissingFile { .. } | MigrateError::DuplicateTag(_) => {
            CliError::input(e)
        }
        _ => CliError::database(e),
    }
}

pub fn load(config: &Config) -> Result<Migrations, CliError> {
    Ok(Migrations::from_dir(&config.out)
        .map_err(classify)?
        .with_table(config.table.clone()))
}

pub fn open(config: &Config) -> Result<rusqlite::Connection, CliError> {
    let path = config.database_path();
    rusqlite::Connection::open(&path)
        .with_context(|| format!("cannot open the database {}", path.display()))
        .map_err(CliError::database)
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
    let migrations = load(config)?;
    let mut conn = open(config)?;
    let status = migrations.status(&conn).map_err(classify)?;
    let pending: Vec<_> = status
        .migrations
        .iter()
        .filter(|(_, s)| *s == MigrationState::Pending)
        .collect();
    if args.dry_run {
        if pending.is_empty() {
            println!("Nothing to apply: {} is up to date.", config.database_path().display());
        }
        for (m, _) in &pending {
            println!("would apply {} ({} statements)", m.tag, m.statements().len());
        }
        return Ok(0);
    }
    if args.backup && !pending.is_empty() {
        let db = config.database_path();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let file_name = format!(
            "{}.backup-{stamp}",
            db.file_name().map(|f| f.to_string_lossy()).unwrap_or_default()
        );
        let backup = db.with_file_name(file_name);
        conn.backup(rusqlite::MAIN_DB, &backup, None::<fn(rusqlite::backup::Progress)>)
            .with_context(|| format!("cannot back up {} to {}", db.display(), backup.display()))
            .map_err(CliError::database)?;
        println!("backed up {} to {}", db.display(), backup.display());
    }

    // A ticker prints where a long migration is, every few seconds, until it is applied.
    let current = Arc::new(Mutex::new(Current::default()));
    let done = Arc::new(Mutex::new(false));
    let ticker = {
        let (current, done) = (Arc::clone(&current), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut last = Instant::now();
            while !*done.lock().unwrap_or_else(|e| e.into_inner()) {
                std::thread::sleep(Duration::from_millis(100));
                let c = current.lock().unwrap_or_else(|e| e.into_inner());
                if let (Some(tag), Some(started)) = (&c.tag, c.started)
                    && started.elapsed() > Duration::from_secs(2)
                    && last.elapsed() > Duration::from_secs(2)
                {
                    eprintln!(
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
    let result = migrations.run_with(&mut conn, &mut |p| {
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
                println!("applied {} in {:.1} ms{note}", a.tag, a.elapsed.as_secs_f64() * 1000.0);
            }
        }
    });
    *done.lock().unwrap_or_else(|e| e.into_inner()) = true;
    let _ = ticker.join();
    let applied = result.map_err(classify)?;
    if applied.is_empty() {
        println!("Nothing to apply: {} is up to date.", config.database_path().display());
    }
    Ok(0)
}
