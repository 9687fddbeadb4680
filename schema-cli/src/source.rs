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

/// How a file nests, read as Rust's lexer reads it (strings, raw strings, chars and comments
/// are passed over; a lifetime is not a char).
struct Nesting {
    /// Where brackets and generic `<` first nest past [`MAX_DEPTH`] (line, column from 1). A
    /// `<` is counted within one statement only, so comparisons cannot add up across a file.
    past: Option<(usize, usize)>,
    /// Whether syn may read it on any thread's stack: brackets nest at most [`SHALLOW_DEPTH`]
    /// deep, and no run of tokens between two separators (`,`, `;`, a `{..}` closed) is longer
    /// than [`SHALLOW_RUN`]. syn recurses on brackets, and on chains of prefixes that have none
    /// (`|| || ..`, `& & ..`, `- - ..`, `fn() -> fn() -> ..`, `Option<Option<..>>`), which only a
    /// long run of tokens can hold.
    shallow: bool,
}

/// How deep brackets may nest in files parsed on the calling thread (a main thread has 1 MiB on
/// Windows, 8 on Linux; syn and the cfg pass take up to about 35 KiB a level of `mod` in a
/// debug build). Anything deeper is parsed on a thread with [`crate::STACK`].
const SHALLOW_DEPTH: usize = 16;

/// How many tokens may follow each other without a separator in files parsed on the calling
/// thread (a closure in a chain of them is two tokens; syn takes about 4 KiB a closure in a
/// debug build).
const SHALLOW_RUN: usize = 128;

fn nesting(text: &str) -> Nesting {
    let b = text.as_bytes();
    let (mut depth, mut angle, mut line, mut line_start) = (0usize, 0usize, 1usize, 0usize);
    // The tokens since the last separator, one entry a bracket level.
    let mut runs: Vec<usize> = vec![0];
    let mut shallow = true;
    let mut i = 0;
    // One more token at the current level.
    let token = |runs: &mut Vec<usize>, shallow: &mut bool| {
        if let Some(r) = runs.last_mut() {
            *r += 1;
            *shallow &= *r <= SHALLOW_RUN;
        }
    };
    // Past the `"` that closes a string opened before `i`, counting lines.
    let string_end = |mut i: usize, escapes: bool, hashes: usize, line: &mut usize, line_start: &mut usize| {
        while i < b.len() {
            match b[i] {
                b'\\' if escapes => {
                    if b.get(i + 1) == Some(&b'\n') {
                        *line += 1;
                        *line_start = i + 2;
                    }
                    i += 2;
                    continue;
                }
                b'"' if b.len() >= i + 1 + hashes && b[i + 1..i + 1 + hashes].iter().all(|&c| c == b'#') => {
                    return i + 1 + hashes;
                }
                b'\n' => {
                    *line += 1;
                    *line_start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        i
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b' ' | b'\t' | b'\r' => {}
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
                token(&mut runs, &mut shallow);
                i = string_end(i + 1, true, 0, &mut line, &mut line_start);
                continue;
            }
            b'\'' => {
                // A char (`'a'`, `'"'`, `'\''`, `'\u{..}'`) or a lifetime / label (`'a`).
                token(&mut runs, &mut shallow);
                if b.get(i + 1) == Some(&b'\\') {
                    let mut j = i + 3;
                    while j < b.len() && b[j] != b'\'' && b[j] != b'\n' {
                        j += 1;
                    }
                    i = j + 1;
                    continue;
                }
                let next = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                if b.get(i + 1 + next) == Some(&b'\'') {
                    i += next + 2;
                    continue;
                }
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                token(&mut runs, &mut shallow);
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                    i += 1;
                }
                // A raw string: `r"..."`, `br#"..."#`, `cr"..."`.
                if matches!(&b[start..i], b"r" | b"br" | b"cr") {
                    let mut j = i;
                    while b.get(j) == Some(&b'#') {
                        j += 1;
                    }
                    if b.get(j) == Some(&b'"') {
                        i = string_end(j + 1, false, j - i, &mut line, &mut line_start);
                    }
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                token(&mut runs, &mut shallow);
                runs.push(0);
                depth += 1;
                shallow &= depth <= SHALLOW_DEPTH;
            }
            b')' | b']' | b'}' => {
                if runs.len() > 1 {
                    runs.pop();
                }
                depth = depth.saturating_sub(1);
                // A block ends an item or a statement.
                if c == b'}'
                    && let Some(r) = runs.last_mut()
                {
                    *r = 0;
                }
            }
            b',' | b';' => {
                if let Some(r) = runs.last_mut() {
                    *r = 0;
                }
                if c == b';' {
                    angle = 0;
                }
            }
            _ => {
                token(&mut runs, &mut shallow);
                match c {
                    b'<' if !matches!(b.get(i + 1), Some(b'=' | b'<')) => angle += 1,
                    b'>' if i > 0 && !matches!(b[i - 1], b'-' | b'=') => angle = angle.saturating_sub(1),
                    _ => {}
                }
            }
        }
        if depth + angle > MAX_DEPTH {
            return Nesting {
                past: Some((line, i - line_start + 1)),
                shallow: false,
            };
        }
        i += 1;
    }
    Nesting { past: None, shallow }
}

/// Parses every `#[derive(Table)]` struct in `files` and resolves their references, `cfg`
/// evaluated with the cargo `features` the application is built with. A macro that may make
/// tables is said on stderr: the CLI cannot see into it.
pub fn load(files: &[PathBuf], features: &[String]) -> Result<Schema, SourceErrors> {
    let mut shallow = true;
    let texts: Vec<Result<String, String>> = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            let n = nesting(&text);
            shallow &= n.shallow;
            match n.past {
                Some((line, column)) => Err(format!(
                    "{}:{line}:{column}: brackets or generics nested more than {MAX_DEPTH} deep; \
                     a schema file this deep is not read (it would exhaust the parser's stack)",
                    path.display()
                )),
                None => Ok(text),
            }
        })
        .collect();
    // Shallow files are parsed on this thread: a process that starts no other keeps the
    // allocator's single-threaded path (a seventh of a 500-table `generate`). The spans of what
    // is parsed are the parsing thread's, so everything that reads them (resolving, the
    // errors' lines) happens there too, and only the model or the messages come back.
    if shallow {
        return parse_texts(files, texts, features);
    }
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("schema-parse".into())
            .stack_size(crate::STACK)
            .spawn_scoped(s, || parse_texts(files, texts, features))
            .map_err(|e| SourceErrors(vec![format!("cannot start a thread to read the schema files: {e}")]))?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// [`load`]'s work once the files are read: `texts[i]` is the text of `files[i]`, or the error
/// that stopped it being read.
fn parse_texts(
    files: &[PathBuf],
    texts: Vec<Result<String, String>>,
    features: &[String],
) -> Result<Schema, SourceErrors> {
    let mut errors = Vec::new();
    let mut parsed = Parsed::default();
    // The file of each table and of each enum, for errors found when resolving.
    let mut table_origin: Vec<usize> = Vec::new();
    let mut enum_origin: Vec<usize> = Vec::new();
    let mut sequence_origin: Vec<usize> = Vec::new();
    for (i, (path, text)) in files.iter().zip(texts).enumerate() {
        let text = match text {
            Ok(text) => text,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
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
    use super::{MAX_DEPTH, SHALLOW_DEPTH, SHALLOW_RUN, may_call_a_macro, nesting};

    /// A schema file as people write them is shallow; anything syn would recurse on deeply is
    /// not, however it hides behind a char, a raw string, a comment or a lifetime.
    #[test]
    fn nesting_finds_what_syn_would_recurse_on() {
        let table = "//! Tables.\n#![allow(dead_code)]\nuse schema_core::Table;\n\n/// A user, with the posts they wrote, the comments on them and more words than a comma would \
                     come after in a sentence that goes on and on about nothing in particular at all.\n\
                     #[derive(Table, Debug, Clone)]\n#[table(name = \"users\")]\n#[index(columns(email, name), where = \"email <> ''\")]\n\
                     #[check(name = \"users_age\", expr = \"age > 0 AND (age < 200 OR age IS NULL)\")]\n\
                     pub struct User {\n    #[column(primary_key, autoincrement)]\n    pub id: i64,\n    \
                     pub tags: Option<Vec<String>>,\n    pub created: chrono::DateTime<chrono::Utc>,\n}\n\
                     fn f<'a>(x: &'a str) -> Result<Option<&'a str>, std::io::Error> { if x.is_empty() { Ok(None) } else { Ok(Some(x)) } }\n\
                     const Q: char = '\"'; const E: char = '\\''; const R: &str = r#\"a \" b\"#; const B: u8 = b'}';\n";
        let n = nesting(table);
        assert!(n.shallow && n.past.is_none());
        let mut files = table.repeat(500);
        assert!(nesting(&files).shallow, "a file of many items is as shallow as one");
        files.push_str(&format!(
            "const X: i64 = {}1{};",
            "(".repeat(SHALLOW_DEPTH + 1),
            ")".repeat(SHALLOW_DEPTH + 1)
        ));
        assert!(!nesting(&files).shallow);

        let deep = |body: String| {
            let n = nesting(&format!("{table}{body}"));
            assert!(!n.shallow, "{}", &body[..body.len().min(80)]);
            n
        };
        let run = SHALLOW_RUN;
        deep(format!("fn f() {{ let _c = {}1; }}", "|| ".repeat(run)));
        deep(format!("type X = {}i64;", "&'static ".repeat(run)));
        deep(format!("const X: i64 = {}1;", "-".repeat(run + 1)));
        deep(format!("type X = {}i64;", "fn() -> ".repeat(run / 3)));
        deep(format!(
            "type X = {}i64{};",
            "Option<".repeat(run / 2),
            ">".repeat(run / 2)
        ));
        deep(format!(
            "mod a {{ {} }}",
            "mod b { ".repeat(SHALLOW_DEPTH) + &"}".repeat(SHALLOW_DEPTH)
        ));
        // What a misread literal would hide is still seen.
        for hide in [
            "const Q: char = '\"';",
            "const P: &str = r\"C:\\\";",
            "const P: &str = r#\"\"\"#;",
            "// \"\n",
            "/* \" /* \" */ */",
        ] {
            let n = deep(format!(
                "{hide}\nconst X: i64 = {}1{};",
                "(".repeat(MAX_DEPTH + 1),
                ")".repeat(MAX_DEPTH + 1)
            ));
            assert!(n.past.is_some(), "{hide}");
        }
    }

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
