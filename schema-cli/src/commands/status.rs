//! `schema status`: where each migration of the folder stands in the database.

use schema_core::MigrationState;
use schema_core::backend::{OpenError, OpenMode};

use crate::cli::{CliResult, EXIT_FOUND};
use crate::commands::migrate::{classify, load, open_error, try_open};
use crate::config::Config;
use crate::output::say;

pub fn run(config: &Config) -> CliResult {
    let migrations = load(config)?;
    // Reads only: a mistyped path is said, never created.
    let mut db = match try_open(config, OpenMode::ReadOnly) {
        Ok(db) => db,
        Err(OpenError::Missing(target)) => {
            for m in migrations.migrations() {
                say!("{:<width$} pending", m.tag(), width = tag_width(&migrations));
            }
            // Not a problem of the migrations (a new checkout has no database yet), so not
            // exit 1; but said plainly, so a mistyped path is seen.
            say!(
                "no database at {target}: {} pending ({}). Check the path, or run `schema migrate` to create it.",
                crate::output::count(migrations.migrations().len(), "migration", "migrations"),
                config.origin()
            );
            return Ok(0);
        }
        Err(e) => return Err(open_error(e, config)),
    };
    let status = db.status(&migrations).map_err(classify)?;
    let width = tag_width(&migrations).max(status.missing.iter().map(String::len).max().unwrap_or(0));
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
        say!("{:<width$} {what}", m.tag());
    }
    for m in &status.missing {
        say!("{m:<width$} MISSING: applied, but not in the folder");
    }
    say!(
        "{}: {pending} pending, {edited} edited, {} missing",
        crate::output::count(status.migrations.len(), "migration", "migrations"),
        status.missing.len()
    );
    let drifted = drift(config)?;
    for d in &drifted {
        say!("{d}");
    }
    Ok(if edited > 0 || !status.missing.is_empty() || !drifted.is_empty() {
        EXIT_FOUND
    } else {
        0
    })
}

/// The width of the tag column: the longest tag, so long tags never push states out of line.
fn tag_width(migrations: &schema_core::Migrations) -> usize {
    migrations
        .migrations()
        .iter()
        .map(|m| m.tag().chars().count())
        .max()
        .unwrap_or(0)
        .max(40)
}

/// Where the database differs from what its applied migrations say, as problem lines.
pub fn drift(config: &Config) -> Result<Vec<String>, crate::cli::CliError> {
    let mut db = match try_open(config, OpenMode::ReadOnly) {
        Ok(db) => db,
        Err(OpenError::Missing(target)) => return Ok(vec![format!("no database at {target}")]),
        Err(e) => return Err(open_error(e, config)),
    };
    let migrations = load(config)?;
    let skip = config.skip();
    let found = schema_core::drift::drift(db.as_mut(), &config.folder(), &migrations, &skip)
        .map_err(crate::cli::CliError::database)?;
    Ok(match found {
        Some(diffs) if !diffs.is_empty() => {
            let mut out = vec![format!(
                "{} differs from what its applied migrations say ({}):",
                db.target(),
                crate::output::count(diffs.len(), "difference", "differences")
            )];
            out.extend(diffs.into_iter().map(|d| format!("  {d}")));
            out
        }
        _ => Vec::new(),
    })
}
