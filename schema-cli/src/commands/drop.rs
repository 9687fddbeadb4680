//! `schema drop [TAG]`: removes a migration no database has applied, and its snapshot.

use schema_core::generate::Folder;
use schema_core::migrate::{MigrationState, Migrations};

use crate::cli::{CliError, CliResult, DropArgs};
use crate::config::Config;

pub fn run(config: &Config, args: &DropArgs) -> CliResult {
    let folder = Folder::new(&config.out);
    let journal = folder.read_journal().map_err(CliError::input)?;
    let Some(entry) = (match &args.tag {
        Some(tag) => journal
            .entries
            .iter()
            .find(|e| e.tag == *tag || e.tag.starts_with(&format!("{tag}_"))),
        None => journal.entries.last(),
    }) else {
        return Err(CliError::input(anyhow::anyhow!(match &args.tag {
            Some(t) => format!("{}: no migration tagged {t}", config.out.display()),
            None => format!("{}: there is no migration to drop", config.out.display()),
        })));
    };
    // The configured database, when it exists, must not have applied it.
    let db = config.database_path();
    if db.exists() {
        let conn = crate::commands::migrate::open(config)?;
        let migrations = Migrations::from_dir(&config.out)
            .map_err(crate::commands::migrate::classify)?
            .with_table(config.table.clone());
        let applied = migrations
            .status(&conn)
            .map_err(crate::commands::migrate::classify)?
            .migrations
            .into_iter()
            .any(|(m, s)| m.tag == entry.tag && matches!(s, MigrationState::Applied { .. } | MigrationState::Edited));
        if applied {
            return Err(CliError::input(anyhow::anyhow!(
                "{} is applied in {}; write a new migration that undoes it instead",
                entry.tag,
                db.display()
            )));
        }
    }
    let removed = schema_core::journal::drop_migration(&folder, &entry.tag).map_err(CliError::input)?;
    println!("Dropped {removed}.");
    Ok(0)
}
