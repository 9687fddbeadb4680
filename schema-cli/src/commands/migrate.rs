//! `schema migrate`: applies the folder's pending migrations to the database.

use anyhow::Context;
use schema_core::migrate::{MigrateError, MigrationState, Migrations};

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

pub fn run(config: &Config, args: &MigrateArgs) -> CliResult {
    let migrations = load(config)?;
    let mut conn = open(config)?;
    if args.dry_run {
        let status = migrations.status(&conn).map_err(classify)?;
        let pending: Vec<_> = status.iter().filter(|(_, s)| *s == MigrationState::Pending).collect();
        if pending.is_empty() {
            println!("Nothing to apply: {} is up to date.", config.database_path().display());
        }
        for (m, _) in pending {
            println!("would apply {} ({} statements)", m.tag, m.statements().len());
        }
        return Ok(0);
    }
    let applied = migrations.run(&mut conn).map_err(classify)?;
    if applied.is_empty() {
        println!("Nothing to apply: {} is up to date.", config.database_path().display());
    }
    for a in &applied {
        let note = if a.out_of_order {
            " (older than an applied migration: merged from another branch)"
        } else {
            ""
        };
        println!("applied {} in {:.1} ms{note}", a.tag, a.elapsed.as_secs_f64() * 1000.0);
    }
    Ok(0)
}
