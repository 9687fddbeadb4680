//! `schema status`: where each migration of the folder stands in the database.

use schema_core::migrate::MigrationState;

use crate::cli::{CliResult, EXIT_FOUND};
use crate::commands::migrate::{classify, load, open};
use crate::config::Config;

pub fn run(config: &Config) -> CliResult {
    let migrations = load(config)?;
    let conn = open(config)?;
    let status = migrations.status(&conn).map_err(classify)?;
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
        println!("{:<40} {what}", m.tag);
    }
    for m in &status.missing {
        println!("{m:<40} MISSING: applied, but not in the folder");
    }
    println!(
        "{} migration(s): {pending} pending, {edited} edited, {} missing",
        status.migrations.len(),
        status.missing.len()
    );
    Ok(if edited > 0 || !status.missing.is_empty() {
        EXIT_FOUND
    } else {
        0
    })
}
