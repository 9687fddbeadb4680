//! `schema lint [TAG…]`: what the pending (or the named) migrations do to running code and to
//! traffic, each finding with the safe way and the line that acknowledges it.
//!
//! Exit codes: 1 when a breaking finding (with `--strict`, a locking one too) is not
//! acknowledged by `-- schema:allow <rule>` in its migration's file, 0 otherwise; 2 for a tag
//! the folder does not have; 3 when the database cannot be read.

use std::fmt;

use schema_core::Migration;
use schema_core::MigrationState;
use schema_core::backend::{OpenError, OpenMode};
use schema_core::lint::{Class, Finding, MigrationLint, Source, lint};

use crate::cli::{CliError, CliResult, EXIT_FOUND, LintArgs};
use crate::commands::migrate::{classify, load, open_error, try_open};
use crate::config::Config;
use crate::output::{say, tell};

pub fn run(config: &Config, args: &LintArgs) -> CliResult {
    let migrations = load(config)?;
    // Read only: a database that is not there is not created, and then every migration is
    // pending.
    let mut db = match try_open(config, OpenMode::ReadOnly) {
        Ok(db) => Some(db),
        Err(OpenError::Missing(_)) => None,
        Err(e) => return Err(open_error(e, config)),
    };
    let selected: Vec<&Migration> = if !args.tags.is_empty() {
        let mut out = Vec::new();
        for tag in &args.tags {
            let m = migrations
                .migrations()
                .iter()
                .find(|m| m.tag() == tag || m.tag().starts_with(&format!("{tag}_")))
                .ok_or_else(|| {
                    CliError::input(anyhow::anyhow!("{}: no migration tagged {tag}", config.out.display()))
                })?;
            out.push(m);
        }
        out
    } else if let Some(db) = db.as_mut() {
        let status = db.status(&migrations).map_err(classify)?;
        let pending: Vec<&Migration> = migrations
            .migrations()
            .iter()
            .zip(&status.migrations)
            .filter(|(_, (_, s))| *s == MigrationState::Pending)
            .map(|(m, _)| m)
            .collect();
        if pending.is_empty() {
            say!(
                "Nothing to lint: {} has every migration applied (name tags to lint applied ones).",
                db.target()
            );
            return Ok(0);
        }
        pending
    } else {
        migrations.migrations().iter().collect()
    };
    let lints = match db.as_deref_mut() {
        Some(db) => lint(&config.folder(), &selected, Some(db)),
        None => lint(&config.folder(), &selected, None),
    }
    .map_err(CliError::input)?;
    for l in &lints {
        render(l, crate::output::out);
        say!("");
    }
    let count = |class: Class| {
        lints
            .iter()
            .flat_map(|l| &l.findings)
            .filter(|f| f.class() == class)
            .count()
    };
    let acknowledged = lints
        .iter()
        .flat_map(|l| &l.findings)
        .filter(|f| f.class() != Class::Safe && f.acknowledged)
        .count();
    let blocking: usize = lints.iter().map(|l| l.blocking(args.strict).count()).sum();
    say!(
        "{}: {} breaking, {} locking, {} safe; {acknowledged} acknowledged",
        crate::output::count(lints.len(), "migration", "migrations"),
        count(Class::Breaking),
        count(Class::Locking),
        count(Class::Safe)
    );
    if blocking > 0 {
        say!(
            "{} not acknowledged{}: follow the safe way, or add the `-- schema:allow <rule>` line \
             shown to the migration's file",
            crate::output::count(blocking, "finding", "findings"),
            if args.strict {
                " (--strict: locking ones count)"
            } else {
                ""
            }
        );
        return Ok(EXIT_FOUND);
    }
    Ok(0)
}

/// One migration's findings, as `lint` prints them and `generate` repeats them for what it
/// wrote: each finding's statement, class, rule and subject; for one not acknowledged, why, the
/// safe way and the line that acknowledges it.
pub fn render(l: &MigrationLint, line: fn(fmt::Arguments<'_>)) {
    let source = match l.source {
        Source::Diff => "",
        Source::DiffAndSql => " (statements beyond what its snapshot plans were read as SQL)",
        Source::Sql => " (read from its SQL)",
    };
    line(format_args!("{}{source}", l.tag));
    if l.findings.is_empty() {
        line(format_args!("  no schema change lint has a rule for"));
    }
    for f in &l.findings {
        finding(f, line);
    }
    for name in &l.unknown_allows {
        tell!(
            "warning: {}: `-- schema:allow {name}` names no rule, so it acknowledges nothing (see `schema lint` in the README for the rules)",
            l.tag
        );
    }
}

fn finding(f: &Finding, line: fn(fmt::Arguments<'_>)) {
    let at = f
        .statement
        .map_or_else(|| "statement ?".to_string(), |n| format!("statement {n}"));
    let ack = if f.acknowledged { ", acknowledged" } else { "" };
    line(format_args!(
        "  {at}: {} ({}{ack}): {}",
        f.rule.name,
        f.class(),
        f.headline()
    ));
    if f.class() == Class::Safe || f.acknowledged {
        return;
    }
    line(format_args!("    why: {}", f.why));
    if !f.safe_way.is_empty() {
        line(format_args!("    safe way:"));
        for (i, step) in f.safe_way.iter().enumerate() {
            line(format_args!("      {}. {step}", i + 1));
        }
    }
    line(format_args!(
        "    to acknowledge, add to the migration's file: {}",
        f.allow_line()
    ));
}
