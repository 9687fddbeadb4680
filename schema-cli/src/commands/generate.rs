//! `schema generate`: the schema files → the next migration.

use schema_core::generate::{GenerateOptions, GenerateOutcome, generate};

use crate::cli::{CliError, CliResult, GenerateArgs};
use crate::config::Config;
use crate::source;

pub fn run(config: &Config, args: &GenerateArgs) -> CliResult {
    let files = source::expand(&config.schema).map_err(CliError::input)?;
    let schema = source::load(&files).map_err(CliError::input)?;
    let opts = GenerateOptions {
        out: config.out.clone(),
        name: args.name.clone(),
        custom: args.custom,
    };
    match generate(&schema, &opts) {
        Ok(GenerateOutcome::NoChanges) => {
            println!(
                "No schema changes: {} is up to date with {} table(s).",
                config.out.display(),
                schema.tables.len()
            );
            Ok(0)
        }
        Ok(GenerateOutcome::Written(w)) => {
            println!(
                "Wrote {} ({} statement{}) and {}.",
                w.sql_path.display(),
                w.statements.len(),
                if w.statements.len() == 1 { "" } else { "s" },
                w.snapshot_path.display()
            );
            Ok(0)
        }
        // Everything generate can fail on is in its input: the folder, the schema, a flag.
        Err(e) => Err(CliError::input(e)),
    }
}
