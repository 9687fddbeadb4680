//! `schema reset`: a development database deleted and rebuilt: every migration applied to a
//! new database, then the seed file. It asks first on a terminal, and without one needs
//! `--force`; a database that is not on this machine also needs `--allow-remote`.

use std::io::{BufRead, IsTerminal};

use schema_core::backend::{self, OpenMode, RemoveError};

use crate::cli::{CliError, CliResult, EXIT_FOUND, ResetArgs};
use crate::commands::migrate::{apply_seed, classify, load, open, seed_file};
use crate::config::Config;
use crate::output::{prompt, say, tell};

pub fn run(config: &Config, args: &ResetArgs) -> CliResult {
    let migrations = load(config)?;
    let seed = match &config.seed {
        Some(_) => Some(seed_file(config)?),
        None => None,
    };
    let url = backend::parse_url(&config.url, &config.url_base).map_err(CliError::input)?;
    let shown = backend::redact(&config.url);
    if !url.is_local() && !args.allow_remote {
        return Err(CliError::input(anyhow::anyhow!(
            "{shown} is not on this machine, and reset deletes the database: it is meant for development databases; \
             pass --allow-remote if this one is meant to go"
        )));
    }
    if !args.force {
        let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        if !terminal {
            return Err(CliError::input(anyhow::anyhow!(
                "reset deletes {shown} and rebuilds it from {}; without a terminal to ask on, pass --force",
                crate::output::count(migrations.migrations().len(), "migration", "migrations")
            )));
        }
        prompt(format_args!(
            "Delete {shown} and rebuild it from {}{}? [y/N] ",
            crate::output::count(migrations.migrations().len(), "migration", "migrations"),
            seed.as_ref()
                .map(|s| format!(" and the seed {}", s.display()))
                .unwrap_or_default()
        ));
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if !matches!(line.trim(), "y" | "Y" | "yes") {
            say!("Nothing changed.");
            return Ok(EXIT_FOUND);
        }
    }
    let removed = backend::remove_database(config.dialect, &config.url, &config.url_base).map_err(|e| match e {
        RemoveError::Io { .. } => CliError::database(e),
        _ => CliError::input(e),
    })?;
    if removed.is_empty() {
        say!("{shown} did not exist; creating it.");
    } else {
        say!(
            "Deleted {}.",
            removed
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut db = open(config, OpenMode::Create)?;
    let applied = db
        .migrate(&migrations, &mut |p| {
            if let schema_core::Progress::Warning { tag, message } = p {
                tell!("warning: {tag}: {message}");
            }
        })
        .map_err(classify)?;
    say!(
        "Applied {} to {}.",
        crate::output::count(applied.len(), "migration", "migrations"),
        db.target()
    );
    if let Some(seed) = seed {
        apply_seed(db.as_mut(), &seed)?;
    }
    Ok(0)
}
