//! `schema push`: the database brought to the schema without migration files.

use std::io::{BufRead, IsTerminal, Write};

use schema_core::backend::OpenMode;
use schema_core::push::{PushError, apply_push, plan_push};

use crate::cli::{CliError, CliResult, EXIT_FOUND, PushArgs};
use crate::commands::generate::{Prompt, rename_hints};
use crate::commands::migrate::open;
use crate::config::Config;
use crate::source;

fn confirm(question: &str) -> Option<bool> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return None;
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    Some(matches!(line.trim(), "y" | "Y" | "yes"))
}

pub fn run(config: &Config, args: &PushArgs) -> CliResult {
    let files = source::expand(&config.schema).map_err(CliError::input)?;
    let schema = source::load(&files).map_err(CliError::input)?;
    let mut db = open(config, OpenMode::Create)?;
    let hints = rename_hints(&args.renames)?;
    let push = plan_push(db.as_mut(), &schema, &[config.table.as_str()], &hints, &mut Prompt).map_err(|e| match e {
        PushError::Read(_) | PushError::Apply(_) => CliError::database(e),
        _ => CliError::input(e),
    })?;
    if push.changes.is_empty() {
        println!("{} is in sync with the schema: nothing to push.", db.target());
        return Ok(0);
    }
    let n = push.changes.len();
    println!(
        "{n} change(s) to push to {}{}",
        db.target(),
        if push.plan.rebuilt.is_empty() {
            String::new()
        } else {
            format!(", rebuilding {}", push.plan.rebuilt.join(", "))
        }
    );
    if args.verbose || args.dry_run {
        for s in &push.plan.statements {
            println!("{}", s.trim_end());
        }
    }
    for d in &push.drops {
        println!("  DATA LOSS: {d}");
    }
    for d in &push.may_refuse {
        println!("  may be refused by the data: {d}");
    }
    if args.dry_run {
        println!("Dry run: nothing changed.");
        return Ok(0);
    }
    let needs_yes = args.strict || !push.drops.is_empty() || !push.may_refuse.is_empty();
    if needs_yes && !args.force {
        let what = if args.strict {
            "these changes"
        } else {
            "the changes above"
        };
        match confirm(&format!("Apply {what}?")) {
            Some(true) => {}
            Some(false) => {
                println!("Nothing changed.");
                return Ok(EXIT_FOUND);
            }
            None => {
                return Err(CliError::input(anyhow::anyhow!(
                    "push would {}; nothing was changed. Run it on a terminal to answer, or pass --force",
                    if push.drops.is_empty() {
                        "change data the database may refuse"
                    } else {
                        "lose data"
                    }
                )));
            }
        }
    }
    apply_push(db.as_mut(), &push).map_err(CliError::database)?;
    println!("Pushed {n} change(s).");
    Ok(0)
}
