//! `schema migrate`: applies the folder's pending migrations to the database.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use schema_core::backend::{self, OpenError, OpenMode};
use schema_core::driver::Driver;
use schema_core::{MigrateError, MigrationState, Migrations, Progress};

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

/// The configured database, through the dialect's driver.
pub fn open(config: &Config, mode: OpenMode) -> Result<Box<dyn Driver>, CliError> {
    backend::open(config.dialect, &config.url, mode).map_err(|e| match e {
        OpenError::Unsupported(_) => CliError::input(e),
        _ => CliError::database(e),
    })
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
    let mut db = open(config, OpenMode::Create)?;
    let status = db.status(&migrations).map_err(classify)?;
    let pending: Vec<_> = status
        .migrations
        .iter()
        .filter(|(_, s)| *s == MigrationState::Pending)
        .collect();
    if args.dry_run {
        if pending.is_empty() {
            println!("Nothing to apply: {} is up to date.", db.target());
        }
        for (m, _) in &pending {
            println!("would apply {} ({} statements)", m.tag(), m.statements().len());
        }
        return Ok(0);
    }
    if args.backup && !pending.is_empty() {
        let target = std::path::PathBuf::from(db.target());
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let file_name = format!(
            "{}.backup-{stamp}",
            target.file_name().map(|f| f.to_string_lossy()).unwrap_or_default()
        );
        let backup = target.with_file_name(file_name);
        let copied = db.backup_to(&backup).map_err(|e| {
            CliError::database(anyhow::anyhow!(
                "cannot back up {} to {}: {e}",
                target.display(),
                backup.display()
            ))
        })?;
        if copied {
            println!("backed up {} to {}", target.display(), backup.display());
        } else {
            eprintln!(
                "warning: --backup: {} cannot be copied as a file; no backup was made",
                db.target()
            );
        }
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
                println!("applied {} in {:.1} ms{note}", a.tag, a.elapsed.as_secs_f64() * 1000.0);
            }
        }
    });
    *done.lock().unwrap_or_else(|e| e.into_inner()) = true;
    let _ = ticker.join();
    let applied = result.map_err(classify)?;
    if applied.is_empty() {
        println!("Nothing to apply: {} is up to date.", db.target());
    }
    Ok(0)
}
