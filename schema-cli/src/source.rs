//! Reads the schema files with the shared parser, as drizzle-kit reads `schema.ts`: the
//! user's crate is never compiled. Every problem is reported as `file:line:column: message`.

use std::fmt;
use std::path::{Path, PathBuf};

use schema_core::model::Schema;
use schema_model::parse::{self, Origin, Parsed, SourceError};

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
            } else if p.exists() {
                // A FIFO or a device would block the read, or never end.
                errors.push(format!("{e}: not a regular file"));
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
        } else if p.extension().is_some_and(|x| x == "rs") && p.is_file() {
            // Only regular files: a FIFO named `x.rs` would block the read forever.
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

/// How deep brackets and generics may nest in a schema file. Real schemas stay in single
/// digits; syn's recursive parser needs its stack to grow with the depth.
const MAX_DEPTH: usize = 256;

/// Whether the text may hold a macro call: a `!` right after a word (`name!`, `name !`). An
/// inner attribute (`#![allow(..)]`), an inner doc comment (`//!`) or a negation after a
/// bracket is not one; a `!` inside a string or a comparison (`a != b`) is taken as one, which
/// only costs the slower read.
fn may_call_a_macro(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b'!'
            && b[..i]
                .iter()
                .rev()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|&p| p.is_ascii_alphanumeric() || p == b'_' || p >= 0x80)
    })
}

/// Where nesting first goes past [`MAX_DEPTH`] (line, column from 1), reading the text as
/// Rust's lexer would: `(`, `[`, `{` and generic `<` count, strings, chars and comments do not.
/// A `<` is counted within one statement only, so comparisons cannot add up across a file.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let (mut depth, mut angle, mut line, mut line_start) = (0usize, 0usize, 1usize, 0usize);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut nest = 0usize;
                while i < b.len() {
                    if b[i..].starts_with(b"/*") {
                        nest += 1;
                        i += 2;
                    } else if b[i..].starts_with(b"*/") {
                        nest -= 1;
                        i += 2;
                        if nest == 0 {
                            break;
                        }
                    } else {
                        if b[i] == b'\n' {
                            line += 1;
                            line_start = i + 1;
                        }
                        i += 1;
                    }
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    } else if b[i] == b'\n' {
                        line += 1;
                        line_start = i + 1;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'<' if !matches!(b.get(i + 1), Some(b'=' | b'<')) => angle += 1,
            b'>' if i > 0 && !matches!(b[i - 1], b'-' | b'=') => angle = angle.saturating_sub(1),
            b';' => angle = 0,
            _ => {}
        }
        if depth + angle > MAX_DEPTH {
            return Some((line, i - line_start + 1));
        }
        i += 1;
    }
    None
}

/// Parses every `#[derive(Table)]` struct in `files` and resolves their references, `cfg`
/// evaluated with the cargo `features` the application is built with. A macro that may make
/// tables is said on stderr: the CLI cannot see into it.
pub fn load(files: &[PathBuf], features: &[String]) -> Result<Schema, SourceErrors> {
    let mut parsed = Parsed::default();
    // The file of each table and of each enum, for errors found when resolving.
    let mut table_origin: Vec<usize> = Vec::new();
    let mut enum_origin: Vec<usize> = Vec::new();
    let mut sequence_origin: Vec<usize> = Vec::new();
    let mut errors = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(format!("{}: cannot read: {e}", path.display()));
                continue;
            }
        };
        if let Some((line, column)) = too_deep(&text) {
            errors.push(format!(
                "{}:{line}:{column}: brackets or generics nested more than {MAX_DEPTH} deep; \
                 a schema file this deep is not read (it would exhaust the parser's stack)",
                path.display()
            ));
            continue;
        }
        // The lean reader (tokens only, no syntax tree) reads most schema files; a file with
        // something the cfg pass must evaluate or warn about (`cfg`, a macro call) goes through
        // the whole syn tree first, so the CLI and the compiled structs still agree.
        let needs_tree = text.contains("cfg") || may_call_a_macro(&text);
        let read = if needs_tree {
            let mut file = match syn::parse_file(&text) {
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
            match crate::cfg::apply(&mut file, features) {
                Ok(warnings) => {
                    for w in warnings {
                        crate::output::tell!(
                            "warning: {}:{}:{}: `{}!` may make tables the CLI cannot see (it reads the files without \
                             expanding macros), so they are not in the migrations; write those structs out in the schema file",
                            path.display(),
                            w.line,
                            w.column,
                            w.name
                        );
                    }
                }
                Err(e) => {
                    errors.extend(located(path, &e));
                    continue;
                }
            }
            parse::from_file(&file).map_err(SourceError::Tables)
        } else {
            parse::from_source(&text)
        };
        match read {
            Ok(items) => {
                table_origin.extend(std::iter::repeat_n(i, items.tables.len()));
                enum_origin.extend(std::iter::repeat_n(i, items.enums.len()));
                sequence_origin.extend(std::iter::repeat_n(i, items.sequences.len()));
                parsed.extend(items);
            }
            Err(SourceError::Syntax(e)) => errors.extend(
                located(path, &e)
                    .into_iter()
                    .map(|m| format!("{m} (the file is not valid Rust)")),
            ),
            Err(SourceError::Tables(e)) => errors.extend(located(path, &e)),
        }
    }
    let locate = |e: &parse::ResolveError| {
        let file = match e.at {
            Origin::Table(t) => table_origin[t],
            Origin::Enum(n) => enum_origin[n],
            Origin::Sequence(n) => sequence_origin[n],
        };
        located(&files[file], &e.error)
    };
    if !errors.is_empty() {
        // The tables that did read have their types checked too: every error is said at once.
        errors.extend(parse::resolve_enums(&mut parsed).iter().flat_map(locate));
        return Err(SourceErrors(errors));
    }
    if parsed.tables.is_empty() {
        let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        return Err(SourceErrors(vec![format!(
            "{}:1:1: no #[derive(Table)] structs found; a schema file declares tables as `#[derive(Table)] struct ..`",
            names.join(", ")
        )]));
    }
    parse::resolve_owned(parsed).map_err(|errs| SourceErrors(errs.iter().flat_map(locate).collect()))
}

#[cfg(test)]
mod tests {
    use super::may_call_a_macro;

    #[test]
    fn a_macro_call_is_a_bang_after_a_word() {
        for text in [
            "m!();",
            "macro_rules! m { () => {} }",
            "vec ![1]",
            "x!{}",
            "a != b",
            "é!()",
        ] {
            assert!(may_call_a_macro(text), "{text}");
        }
        for text in [
            "#![allow(dead_code)]\n//! Docs.\nstruct A { id: i64 }",
            "fn f() -> bool { !(true) }",
            "(!x)",
            "",
        ] {
            assert!(!may_call_a_macro(text), "{text}");
        }
    }
}
