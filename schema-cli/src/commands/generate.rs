//! `schema generate`: the schema files → the next migration.

use std::io::{BufRead, IsTerminal};

use schema_core::diff::{Answer, Question, RenameHint, Resolver};
use schema_core::generate::{GenerateOptions, GenerateOutcome, WrittenMigration, generate_owned};
use schema_core::lint::Class;

use crate::cli::{CliError, CliResult, GenerateArgs, RenameArgs};
use crate::config::Config;
use crate::output::{prompt, say, tell};
use crate::source;

/// Asks rename questions on the terminal; with no terminal, answers nothing, so the
/// questions become an error that lists them.
pub struct Prompt;

impl Resolver for Prompt {
    fn answer(&mut self, q: &Question) -> Option<Answer> {
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return None;
        }
        // The flags that give the same answers without a terminal, for CI.
        let (question, created, candidates, scope) = match q {
            Question::Table { created, candidates } => (
                format!("Is table `{created}` new, or renamed from another table?"),
                created.clone(),
                candidates.clone(),
                String::new(),
            ),
            Question::Column {
                table,
                created,
                candidates,
            } => (
                format!("Is column `{table}.{created}` new, or renamed from another column?"),
                created.clone(),
                candidates.clone(),
                format!("{table}."),
            ),
        };
        let create_flag = format!("--create {scope}{created}");
        let rename_flag = |old: &str| format!("--rename {scope}{old}={created}");
        tell!("{question}");
        tell!("  0) create `{created}` (and drop what is gone)    [{create_flag}]");
        for (i, c) in candidates.iter().enumerate() {
            tell!("  {}) rename `{c}` → `{created}`    [{}]", i + 1, rename_flag(c));
        }
        // A rename keeps the rows; a create drops the old column or table with them. The
        // default is the answer that loses nothing.
        let default = usize::from(!candidates.is_empty());
        loop {
            prompt(format_args!("answer [0-{}, Enter for {default}]: ", candidates.len()));
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).ok()? == 0 {
                return None;
            }
            let picked = match line.trim() {
                "" => Some(default),
                t => t.parse::<usize>().ok(),
            };
            let (answer, flag) = match picked {
                Some(0) => (Answer::Create, create_flag.clone()),
                Some(n) if n <= candidates.len() => (
                    Answer::RenameFrom(candidates[n - 1].clone()),
                    rename_flag(&candidates[n - 1]),
                ),
                _ => continue,
            };
            tell!("  (the same answer without a terminal, as in CI: {flag})");
            return Some(answer);
        }
    }
}

pub fn rename_hints(args: &RenameArgs) -> Result<Vec<RenameHint>, CliError> {
    let mut hints = Vec::new();
    for f in &args.rename {
        hints.push(RenameHint::parse(f).map_err(CliError::input)?);
    }
    for (names, create) in [(&args.create, true), (&args.drop, false)] {
        for n in names {
            hints.push(RenameHint::parse_name(n, create).map_err(CliError::input)?);
        }
    }
    Ok(hints)
}

pub fn run(config: &Config, args: &GenerateArgs) -> CliResult {
    let files = source::expand(&config.schema).map_err(CliError::input)?;
    // The latest snapshot, if there is one, is read on a second thread while this one reads
    // the schema files.
    let folder = config.folder();
    folder.read_ahead();
    let schema = source::load(&files, &config.features).map_err(CliError::input)?;
    let opts = GenerateOptions {
        name: args.name.clone(),
        custom: args.custom,
        renames: rename_hints(&args.renames)?,
        two_phase: args.two_phase,
        ..Default::default()
    };
    let tables = schema.tables.len();
    // Everything generate can refuse is in its input: the schema, the folder, a flag. The
    // schema is given up: generate normalizes it as it reads it, not beside a copy.
    match generate_owned(&folder, schema, &opts, &mut Prompt).map_err(CliError::input)? {
        GenerateOutcome::NoChanges => {
            say!(
                "No schema changes: {} is up to date with {}.",
                config.out.display(),
                crate::output::count(tables, "table", "tables")
            );
        }
        GenerateOutcome::Written(w) => {
            for first in &w.ahead {
                wrote(
                    first,
                    ": values added to enum types, in a migration of their own so the next one can use them",
                );
            }
            for warning in &w.warnings {
                tell!("warning: {warning}");
            }
            let rebuilds = if w.rebuilt.is_empty() {
                String::new()
            } else {
                format!("; rebuilds {}", w.rebuilt.join(", "))
            };
            wrote(&w, &rebuilds);
            for after in &w.behind {
                wrote(
                    after,
                    ": indexes built CONCURRENTLY, in a migration of their own that runs outside a transaction",
                );
            }
            findings(&w, args.two_phase);
            // The process ends with this command: the migration's schema and changes (a few
            // hundred thousand allocations at thousands of tables) are left to the OS rather
            // than freed piece by piece.
            std::mem::forget(w);
        }
    }
    Ok(0)
}

/// `Wrote <sql> (<n> statements<what>) and <snapshot>.`
fn wrote(w: &WrittenMigration, what: &str) {
    let n = w.statements.len();
    say!(
        "Wrote {} ({n} statement{}{what}) and {}.",
        w.sql_path.display(),
        if n == 1 { "" } else { "s" },
        w.snapshot_path.display()
    );
}

/// What lint finds in the migration just written, on stderr (stdout says what was written),
/// what `--two-phase` left for later, and the split where one would help.
fn findings(w: &WrittenMigration, two_phase: bool) {
    let said: Vec<_> = w.lint.findings.iter().filter(|f| f.class() != Class::Safe).collect();
    if !said.is_empty() {
        crate::commands::lint::render(&w.lint, crate::output::err);
        let splittable = said
            .iter()
            .any(|f| ["rename-column", "drop-column", "drop-table"].contains(&f.rule.name) && !f.acknowledged);
        if splittable && !two_phase {
            tell!(
                "If the release now running still uses what this drops or renames, split it: `schema drop {}`, \
                 then `schema generate --two-phase` (adds and copies now, drops later).",
                w.tag
            );
        }
    }
    if !w.deferred.is_empty() {
        tell!("Left for a later migration (run `schema generate` again once the running code no longer uses them):");
        for d in &w.deferred {
            tell!("  - {d}");
        }
    } else if two_phase {
        tell!("--two-phase: nothing to split (no column or table is renamed or dropped).");
    }
}
