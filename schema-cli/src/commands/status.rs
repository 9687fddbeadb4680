//! `schema status`: where each migration of the folder stands in the database.

use schema_core::MigrationState;
use schema_core::backend::OpenMode;

use crate::cli::{CliResult, EXIT_FOUND};
use crate::commands::migrate::{classify, load, open};
use crate::config::Config;

pub fn run(config: &Config) -> CliResult {
    let migrations = load(config)?;
    let mut db = open(config, OpenMode::Create)?;
    let status = db.status(&migrations).map_err(classify)?;
    let (mut pending, mut edited) = (0, 0);
    for (m, state) in &status.migrations {
        let what = match state {
            MigrationState::Applied { applied_at } => {
                format!("applied {}", applied_at.as_deref().unwrap_or("(by drizzle-orm)"))
            }
            MigrationState::Pending => {
                pending += 1;
                "pending".to_string()
            }
            MigrationState::Edited => {
                edited += 1;
                "EDITED since it was applied".to_string()
            }
        };
        println!("{:<40} {what}", m.tag());
    }
    for m in &status.missing {
        println!("{m:<40} MISSING: applied, but not in the folder");
    }
    println!(
        "{} migration(s): {pending} pending, {edited} edited, {} missing",
        status.migrations.len(),
        status.missing.len()
    );
    let drifted = drift(config)?;
    for d in &drifted {
        println!("{d}");
    }
    Ok(if edited > 0 || !status.missing.is_empty() || !drifted.is_empty() {
        EXIT_FOUND
    } else {
        0
    })
}

/// Where the database differs from what its applied migrations say, as problem lines.
pub fn drift(config: &Config) -> Result<Vec<String>, crate::cli::CliError> {
    let mut db = match schema_core::backend::open(config.dialect, &config.url, OpenMode::ReadWrite) {
        Ok(db) => db,
        Err(schema_core::backend::OpenError::Missing(target)) => return Ok(vec![format!("no database at {target}")]),
        Err(e) => return Err(crate::cli::CliError::database(e)),
    };
    let migrations = load(config)?;
    let found = schema_core::drift::drift(db.as_mut(), &config.folder(), &migrations)
        .map_err(crate::cli::CliError::database)?;
    Ok(match found {
        Some(diffs) if !diffs.is_empty() => {
            let mut out = vec![format!(
                "{} differs from what its applied migrations say ({} difference(s)):",
                db.target(),
                diffs.len()
            )];
            out.extend(diffs.into_iter().map(|d| format!("  {d}")));
            out
        }
        _ => Vec::new(),
    })
}
