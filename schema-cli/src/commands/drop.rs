//! `schema drop [TAG]`: removes a migration no database has applied, and its snapshot.

use schema_core::MigrationState;
use schema_core::backend::{OpenError, OpenMode};

use crate::cli::{CliError, CliResult, DropArgs, EXIT_FOUND};
use crate::commands::migrate::{classify, load, open_error, try_open};
use crate::config::Config;
use crate::output::{confirm, say};

pub fn run(config: &Config, args: &DropArgs) -> CliResult {
    let folder = config.folder();
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
    // Read only: checking must not create the database it asks about.
    match try_open(config, OpenMode::ReadOnly) {
        Ok(mut db) => {
            let migrations = load(config)?;
            let applied = db
                .status(&migrations)
                .map_err(classify)?
                .migrations
                .into_iter()
                .any(|(m, s)| {
                    m.tag() == entry.tag && matches!(s, MigrationState::Applied { .. } | MigrationState::Edited)
                });
            if applied {
                return Err(CliError::input(anyhow::anyhow!(
                    "{} is applied in {}; write a new migration that undoes it instead",
                    entry.tag,
                    db.target()
                )));
            }
        }
        Err(OpenError::Missing(_)) => {}
        Err(e) => return Err(open_error(e, config)),
    }
    schema_core::folder::check_droppable(&folder, &entry.tag).map_err(CliError::input)?;
    // What drizzle-kit's drop shows: the folder's migrations, the one to go marked.
    say!("Migrations in {}:", config.out.display());
    for e in &journal.entries {
        let mark = if e.tag == entry.tag { "-> " } else { "   " };
        say!("{mark}{}", e.tag);
    }
    if !args.yes {
        let question = format!("Remove {} (its SQL file and its snapshot)?", entry.tag);
        match confirm(&question) {
            Some(true) => {}
            Some(false) => {
                say!("Nothing removed.");
                return Ok(EXIT_FOUND);
            }
            None => {
                return Err(CliError::input(anyhow::anyhow!(
                    "drop would remove {} (its SQL file and its snapshot); without a terminal to ask on, pass --yes",
                    entry.tag
                )));
            }
        }
    }
    let removed = schema_core::folder::drop_migration(&folder, &entry.tag).map_err(CliError::input)?;
    say!("Dropped {removed}.");
    Ok(0)
}
