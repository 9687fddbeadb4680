//! `schema pull`: structs and a baseline migration for an existing database.

use std::path::PathBuf;

use anyhow::anyhow;
use schema_core::backend::{OpenError, OpenMode};
use schema_core::diff::{describe, diff};
use schema_core::generate::{GenerateOptions, GenerateOutcome, generate};
use schema_core::model::IndexTarget;

use crate::cli::{CliError, CliResult, PullArgs};
use crate::commands::migrate::{classify, load, open_error, try_open};
use crate::config::Config;
use crate::output::{say, tell};
use crate::source;

pub fn run(config: &Config, args: &PullArgs) -> CliResult {
    let mut db = match try_open(config, OpenMode::ReadWrite) {
        Ok(db) => db,
        Err(OpenError::Missing(target)) => {
            return Err(CliError::input(anyhow!(
                "no database at {target}: pull reads an existing one (set --url)"
            )));
        }
        Err(e) => return Err(open_error(e, config)),
    };
    let out_schema = args.out_schema.clone().unwrap_or_else(|| {
        config
            .schema
            .first()
            .filter(|s| s.ends_with(".rs"))
            .map_or_else(|| PathBuf::from("src/schema.rs"), PathBuf::from)
    });
    if out_schema.exists() && !args.force {
        return Err(CliError::input(anyhow!(
            "{} exists; pull writes a new file (pass --force to overwrite it)",
            out_schema.display()
        )));
    }
    let folder = config.folder();
    if !folder.read_journal().map_err(CliError::input)?.entries.is_empty() {
        return Err(CliError::input(anyhow!(
            "{} already has migrations; pull writes a baseline into an empty folder (set --out)",
            config.out.display()
        )));
    }
    let skip = config.skip();
    // The schema; what the definitions say that the model cannot (printed, and kept in the
    // baseline); virtual tables, views and triggers (kept in the baseline as written).
    let read = db.introspect_all(&skip).map_err(CliError::database)?;
    let (live, unmodeled, verbatim) = (read.schema, read.notes, read.verbatim);
    if live.tables.is_empty() {
        return Err(CliError::input(anyhow!("{} has no tables to pull", db.target())));
    }
    let pulled = schema_core::pull::render_rust(&live, &db.target(), config.dialect);
    if let Some(dir) = out_schema.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CliError::input(anyhow!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(&out_schema, &pulled.code)
        .map_err(|e| CliError::input(anyhow!("cannot write {}: {e}", out_schema.display())))?;

    // What the file says, read back as generate will read it.
    let schema = source::load(std::slice::from_ref(&out_schema), &config.features).map_err(CliError::input)?;
    let notes: Vec<String> = unmodeled.iter().chain(&pulled.notes).cloned().collect();
    let opts = GenerateOptions {
        name: Some("baseline".into()),
        append: verbatim.clone(),
        notes: notes.clone(),
        ..Default::default()
    };
    // What the file does not carry over is found beside the baseline's writing, and said
    // before what writing it says.
    let differences = || -> Vec<String> {
        diff(&live, &config.dialect.normalize(&schema), &Default::default())
            .iter()
            .map(|c| describe(c, config.dialect))
            .collect()
    };
    let (differences, generated) = std::thread::scope(|s| {
        let beside = std::thread::Builder::new().spawn_scoped(s, differences);
        let generated = generate(&folder, &schema, &opts, &mut ());
        let differences = match beside {
            Ok(h) => h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => differences(),
        };
        (differences, generated)
    });
    for n in &notes {
        tell!("note: {n}");
    }
    for d in &differences {
        tell!("warning: not carried over: {d}");
    }
    let tag = match generated.map_err(CliError::input)? {
        GenerateOutcome::Written(w) => w.tag,
        GenerateOutcome::NoChanges => unreachable!("a schema with tables always makes a first migration"),
    };
    let migrations = load(config)?;
    db.mark_applied(&migrations, &tag).map_err(classify)?;

    let columns: usize = live.tables.iter().map(|t| t.columns.len()).sum();
    let indexes: usize = live.tables.iter().map(|t| t.indexes.len()).sum();
    let expr_indexes: usize = live
        .tables
        .iter()
        .flat_map(|t| &t.indexes)
        .filter(|i| matches!(i.target, IndexTarget::Expr(_)))
        .count();
    let fks: usize = live.tables.iter().map(|t| t.foreign_keys.len()).sum();
    let checks: usize = live.tables.iter().map(|t| t.checks.len()).sum();
    let keys = live.tables.iter().filter(|t| !t.key_columns().is_empty()).count();
    say!(
        "Pulled {} tables, {columns} columns, {keys} primary keys, {indexes} indexes ({expr_indexes} on expressions), \
         {fks} foreign keys, {checks} checks and {} view(s), trigger(s) and virtual table(s) kept as written from {} into {}; \
         {} not carried over, {} on what the model does not keep.",
        live.tables.len(),
        verbatim.len(),
        db.target(),
        out_schema.display(),
        crate::output::count(differences.len(), "difference", "differences"),
        crate::output::count(notes.len(), "note", "notes")
    );
    say!(
        "Wrote the baseline {tag} and recorded it as applied in {}.",
        db.target()
    );
    // The process ends with this command: the database's model and the file's (a few
    // hundred thousand allocations at thousands of tables) are left to the OS rather than
    // freed piece by piece.
    std::mem::forget(live);
    std::mem::forget(schema);
    Ok(0)
}
