//! `schema push`: the database brought to the schema without migration files.

use schema_core::backend::{OpenError, OpenMode};
use schema_core::push::{PushError, apply_push, plan_push_read};

use crate::cli::{CliError, CliResult, EXIT_FOUND, PushArgs};
use crate::commands::generate::{Prompt, rename_hints};
use crate::commands::migrate::{open_error, try_open};
use crate::config::Config;
use crate::output::{confirm, say, tell};
use crate::source;

pub fn run(config: &Config, args: &PushArgs) -> CliResult {
    let files = source::expand(&config.schema).map_err(CliError::input)?;
    let skip = config.skip();
    let open_and_read = |mode| {
        try_open(config, mode).map(|mut db| {
            let live = db.introspect(&skip);
            (db, live)
        })
    };
    // The database is read while the files are: an existing one only, so a schema that does
    // not load never leaves a new database behind. A dry run reads only: a database that is
    // not there is not created, and the plan is the schema made from nothing.
    let (schema, read) = std::thread::scope(|s| {
        // The parse gets the command's own stack: syn recurses once a nesting level.
        let parse = std::thread::Builder::new()
            .name("schema-parse".into())
            .stack_size(crate::STACK)
            .spawn_scoped(s, || source::load(&files, &config.features))
            .map_err(|e| CliError::input(anyhow::anyhow!("cannot start: {e}")))?;
        let mode = if args.dry_run {
            OpenMode::ReadOnly
        } else {
            OpenMode::ReadWrite
        };
        let read = open_and_read(mode);
        Ok((parse.join(), read))
    })?;
    let schema = schema
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        .map_err(CliError::input)?;
    let (mut db, live) = match read {
        Ok(read) => read,
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
        Err(OpenError::Missing(_)) => open_and_read(OpenMode::Create).map_err(|e| open_error(e, config))?,
        Err(e) => return Err(open_error(e, config)),
    };
    let hints = rename_hints(&args.renames)?;
    let push = plan_push_read(db.as_mut(), live, &schema, &hints, &mut Prompt).map_err(|e| match e {
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
