//! `schema push`: the database brought to the schema without migration files.

use schema_core::backend::{OpenError, OpenMode};
use schema_core::push::{PushError, apply_push, plan_push};

use crate::cli::{CliError, CliResult, EXIT_FOUND, PushArgs};
use crate::commands::generate::{Prompt, rename_hints};
use crate::commands::migrate::{open_error, try_open};
use crate::config::Config;
use crate::output::{confirm, say, tell};
use crate::source;

pub fn run(config: &Config, args: &PushArgs) -> CliResult {
    let files = source::expand(&config.schema).map_err(CliError::input)?;
    let schema = source::load(&files, &config.features).map_err(CliError::input)?;
    // A dry run reads only: a database that is not there is not created, and the plan is the
    // schema made from nothing.
    let mode = if args.dry_run {
        OpenMode::ReadOnly
    } else {
        OpenMode::Create
    };
    let mut db = match try_open(config, mode) {
        Ok(db) => db,
        Err(OpenError::Missing(target)) if args.dry_run => {
            let statements = config.dialect.create_schema(&config.dialect.normalize(&schema));
            say!(
                "no database at {target}: push would create it with {}:",
                crate::output::count(schema.tables.len(), "table", "tables")
            );
            for s in &statements {
                say!("{}", s.trim_end());
            }
            say!("Dry run: nothing changed.");
            return Ok(0);
        }
        Err(e) => return Err(open_error(e, config)),
    };
    let hints = rename_hints(&args.renames)?;
    let push = plan_push(db.as_mut(), &schema, &config.skip(), &hints, &mut Prompt).map_err(|e| match e {
        PushError::Read(_) | PushError::Apply(_) => CliError::database(e),
        _ => CliError::input(e),
    })?;
    if push.changes.is_empty() {
        say!("{} is in sync with the schema: nothing to push.", db.target());
        return Ok(0);
    }
    let n = push.changes.len();
    say!(
        "{} to push to {}{}",
        crate::output::count(n, "change", "changes"),
        db.target(),
        if push.plan.rebuilt.is_empty() {
            String::new()
        } else {
            format!(", rebuilding {}", push.plan.rebuilt.join(", "))
        }
    );
    if args.verbose || args.dry_run {
        for s in &push.plan.statements {
            say!("{}", s.trim_end());
        }
    }
    for d in &push.drops {
        say!("  DATA LOSS: {d}");
    }
    for d in &push.may_refuse {
        say!("  may be refused by the data: {d}");
    }
    if args.dry_run {
        say!("Dry run: nothing changed.");
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
                say!("Nothing changed.");
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
    for warning in apply_push(db.as_mut(), &push).map_err(CliError::database)? {
        tell!("warning: {warning}");
    }
    say!("Pushed {}.", crate::output::count(n, "change", "changes"));
    Ok(0)
}
