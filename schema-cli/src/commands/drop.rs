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
    let find = |tag: &str| {
        journal
            .entries
            .iter()
            .find(|e| e.tag == tag || e.tag.starts_with(&format!("{tag}_")))
    };
    // What drizzle-kit's drop shows: the folder's migrations, numbered, to pick from on a
    // terminal (Enter takes the latest); without one, the latest (or the tag given) is marked.
    let picked = match (&args.tag, args.yes) {
        (None, false) if !journal.entries.is_empty() => pick(config, &journal.entries)?,
        _ => None,
    };
    let Some(entry) = (match (&picked, &args.tag) {
        (Some(i), _) => journal.entries.get(*i),
        (None, Some(tag)) => find(tag),
        (None, None) => journal.entries.last(),
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
    if picked.is_none() {
        list(config, &journal.entries, &entry.tag);
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

/// The folder's migrations, numbered, the one to go marked.
fn list(config: &Config, entries: &[schema_core::folder::JournalEntry], marked: &str) {
    say!("Migrations in {}:", config.out.display());
    for (n, e) in entries.iter().enumerate() {
        let mark = if e.tag == marked { "-> " } else { "   " };
        say!("{mark}{}) {}", n + 1, e.tag);
    }
}

/// On a terminal: lists the migrations and asks which to drop; `None` without a terminal
/// (the caller then drops the latest, and asks for `--yes`).
fn pick(config: &Config, entries: &[schema_core::folder::JournalEntry]) -> Result<Option<usize>, CliError> {
    use std::io::{BufRead as _, IsTerminal as _};
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(None);
    }
    let last = entries.len();
    list(config, entries, &entries[last - 1].tag);
    loop {
        crate::output::prompt(format_args!("Which migration to drop? [1-{last}, Enter for {last}] "));
        let mut line = String::new();
        if std::io::stdin().lock().read_line(&mut line).map_err(CliError::input)? == 0 {
            return Err(CliError::input(anyhow::anyhow!("no answer: nothing removed")));
        }
        let answer = line.trim();
        if answer.is_empty() {
            return Ok(Some(last - 1));
        }
        // A number from the list, or a tag (or its number part).
        if let Ok(n) = answer.parse::<usize>()
            && (1..=last).contains(&n)
            && !entries.iter().any(|e| e.tag.starts_with(&format!("{answer}_")))
        {
            return Ok(Some(n - 1));
        }
        if let Some(i) = entries
            .iter()
            .position(|e| e.tag == answer || e.tag.starts_with(&format!("{answer}_")))
        {
            return Ok(Some(i));
        }
        crate::output::tell!("`{answer}` is not in the list; give its number or its tag.");
    }
}
