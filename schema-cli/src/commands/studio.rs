//! `schema studio`: serves the database in a local web page until Ctrl-C.

use anyhow::Context;

use crate::cli::{CliError, CliResult, StudioArgs};
use crate::config::Config;
use crate::output::{say, tell};
use crate::studio::{self, OpenError, Options};

pub fn run(config: &Config, args: &StudioArgs) -> CliResult {
    // A missing file or a bad URL is the user's input (exit 2); a database that cannot be
    // read is the database's (3).
    let (db, path, read_only) = studio::open(config.dialect, &config.url, &config.url_base).map_err(|e| match e {
        OpenError::Missing(_)
        | OpenError::Url(_)
        | OpenError::Unsupported(_)
        | OpenError::Server(schema_core::backend::OpenError::Missing(_) | schema_core::backend::OpenError::Url(_)) => {
            CliError::input(e)
        }
        e => CliError::database(e),
    })?;
    let options = Options {
        host: args.host.clone(),
        port: args.port,
        allow_remote: args.allow_remote,
        migrations_dir: config.out.clone(),
        tracking_table: config.table.clone(),
        tracking_schema: config.migrations_schema.clone(),
    };
    let bound = studio::bind(&options).map_err(CliError::input)?;
    // Ctrl-C is handled before the URL is out: whoever reads it may interrupt at once.
    let stopper = bound.stopper();
    ctrlc::set_handler(move || stopper.stop())
        .context("cannot install the Ctrl-C handler")
        .map_err(CliError::input)?;
    // The first line is the URL, and nothing else: scripts and tests read it.
    say!("{}", bound.url());
    if bound.remote {
        tell!(
            "warning: the studio listens on {} and is reachable from other machines, without TLS; \
             anyone with the URL can read and change {}",
            bound.addr(),
            path
        );
    }
    if read_only {
        tell!("note: {} is not writable; the studio opened it read-only", path);
    }
    tell!(
        "schema studio: serving {} on {}; press Ctrl-C to stop",
        path,
        bound.addr()
    );
    bound.run(db, &options);
    tell!("schema studio: stopped");
    Ok(0)
}
