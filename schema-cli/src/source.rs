//! Reads the schema files with the shared parser, as drizzle-kit reads `schema.ts`: the
//! user's crate is never compiled. Every problem is reported as `file:line:column: message`.

use std::fmt;
use std::path::{Path, PathBuf};

use schema_core::model::Schema;
use schema_model::parse::{self, ParsedTable};

/// Everything wrong with the schema files, each line naming its file and line.
#[derive(Debug)]
pub struct SourceErrors(pub Vec<String>);

impl fmt::Display for SourceErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{} problem{} in the schema files:", n, if n == 1 { "" } else { "s" })?;
        for m in &self.0 {
            write!(f, "\n  {m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SourceErrors {}

/// The schema files named by `entries` (files, folders, globs), in a stable order.
pub fn expand(entries: &[String]) -> Result<Vec<PathBuf>, SourceErrors> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for e in entries {
        if e.contains(['*', '?', '[']) {
            match glob::glob(e) {
                Ok(paths) => {
                    let mut found: Vec<PathBuf> = paths.filter_map(Result::ok).filter(|p| p.is_file()).collect();
                    found.sort();
                    if found.is_empty() {
                        errors.push(format!("{e}: the pattern matches no file"));
                    }
                    files.extend(found);
                }
                Err(err) => errors.push(format!("{e}: not a valid pattern: {err}")),
            }
        } else {
            let p = PathBuf::from(e);
            if p.is_dir() {
                let before = files.len();
                walk(&p, &mut files);
                if files.len() == before {
                    errors.push(format!("{e}: the folder has no .rs files"));
                }
            } else if p.is_file() {
                files.push(p);
            } else {
                errors.push(format!(
                    "{e}: no such schema file or folder (set `schema` in schema.toml or pass --schema)"
                ));
            }
        }
    }
    files.dedup();
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(SourceErrors(errors))
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn located(path: &Path, err: &syn::Error) -> Vec<String> {
    err.clone()
        .into_iter()
        .map(|e| {
            let start = e.span().start();
            format!("{}:{}:{}: {}", path.display(), start.line, start.column + 1, e)
        })
        .collect()
}

/// Parses every `#[derive(Table)]` struct in `files` and resolves their references.
pub fn load(files: &[PathBuf]) -> Result<Schema, SourceErrors> {
    let mut parsed: Vec<ParsedTable> = Vec::new();
    let mut origin: Vec<usize> = Vec::new();
    let mut errors = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(format!("{}: cannot read: {e}", path.display()));
                continue;
            }
        };
        let file = match syn::parse_file(&text) {
            Ok(f) => f,
            Err(e) => {
                errors.extend(
                    located(path, &e)
                        .into_iter()
                        .map(|m| format!("{m} (the file is not valid Rust)")),
                );
                continue;
            }
        };
        match parse::from_file(&file) {
            Ok(tables) => {
                origin.extend(std::iter::repeat_n(i, tables.len()));
                parsed.extend(tables);
            }
            Err(e) => errors.extend(located(path, &e)),
        }
    }
    if !errors.is_empty() {
        return Err(SourceErrors(errors));
    }
    if parsed.is_empty() {
        let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        return Err(SourceErrors(vec![format!(
            "{}:1:1: no #[derive(Table)] structs found; a schema file declares tables as `#[derive(Table)] struct ..`",
            names.join(", ")
        )]));
    }
    parse::resolve(&parsed).map_err(|errs| {
        SourceErrors(
            errs.iter()
                .flat_map(|e| located(&files[origin[e.table]], &e.error))
                .collect(),
        )
    })
}
