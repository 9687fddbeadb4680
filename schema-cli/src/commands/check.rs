//! `schema check`: the folder is consistent and the schema has nothing left to generate.

use schema_core::generate::pending;

use crate::cli::{CliError, CliResult, EXIT_FOUND};
use crate::config::Config;
use crate::output::say;
use crate::source;

/// With `--url`, the database is also compared with what its applied migrations say.
pub fn run(config: &Config, with_database: bool) -> CliResult {
    let folder = config.folder();
    let mut problems = schema_core::folder::check_folder(&folder).map_err(CliError::input)?;
    if problems.is_empty() {
        let files = source::expand(&config.schema).map_err(CliError::input)?;
        let schema = source::load(&files, &config.features).map_err(CliError::input)?;
        match pending(&schema, &folder, &[], &mut ()) {
            Ok(p) if p.changes.is_empty() => {}
            Ok(p) => problems.push(format!(
                "the schema has {} not in any migration (run `schema generate`): {}",
                crate::output::count(p.changes.len(), "change", "changes"),
                p.changes
                    .iter()
                    .map(|c| c.table().to_string())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Err(e) => problems.push(format!("the schema differs from the latest snapshot: {e}")),
        }
    }
    if with_database {
        problems.extend(crate::commands::status::drift(config)?);
    }
    if problems.is_empty() {
        say!(
            "ok: {} is consistent and up to date with the schema",
            config.out.display()
        );
        return Ok(0);
    }
    say!("{}:", crate::output::count(problems.len(), "problem", "problems"));
    for p in &problems {
        say!("  - {p}");
    }
    Ok(EXIT_FOUND)
}
