//! `schema status`: where each migration of the folder stands in the database.

use schema_core::migrate::MigrationState;

use crate::cli::CliResult;
use crate::commands::migrate::{classify, load, open};
use crate::config::Config;

pub fn run(config: &Config) -> CliResult {
    let migrations = load(config)?;
    let conn = open(config)?;
    let status = migrations.status(&conn).map_err(classify)?;
    let mut pending = 0;
    let mut edited = 0;
    for (m, state) in &status {
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
    println!("{} migration(s): {} pending, {} edited", status.len(), pending, edited);
    Ok(if edited > 0 { crate::cli::EXIT_FOUND } else { 0 })
}
