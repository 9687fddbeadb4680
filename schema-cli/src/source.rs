//! Reads the schema files with the shared parser, as drizzle-kit reads `schema.ts`: the
//! user's crate is never compiled. Every problem is reported as `file:line:column: message`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use schema_core::model::Schema;
use schema_model::parse::{self, Declared, Loc, Origin, SourceError};

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
            at(
                path,
                Loc {
                    line: start.line,
                    column: start.column,
                },
                &e,
            )
        })
        .collect()
}

/// `file:line:column: message`, the column counted from 1.
fn at(path: &Path, loc: Loc, message: &dyn fmt::Display) -> String {
    format!("{}:{}:{}: {}", path.display(), loc.line, loc.column + 1, message)
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
    // `match_indices` finds each `!` with memchr, not byte by byte.
    text.match_indices('!').any(|(i, _)| {
        b[..i]
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
    let at = deep_at(b)?;
    // The line and column are counted only for a file that is refused.
    let before = &b[..at];
    let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
    let line_start = before.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
    Some((line, at - line_start + 1))
}

/// The bytes [`deep_at`] acts on; it steps over every other byte without looking further.
const NESTING: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = b"/\"()[]{}<>;";
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// The offset of the byte at which nesting first goes past [`MAX_DEPTH`]: the file's one
/// pass before it is parsed (on the thread that then waits for the parse), so it steps over
/// the letters and spaces that are most of a file in a loop of their own.
fn deep_at(b: &[u8]) -> Option<usize> {
    let (mut depth, mut angle) = (0usize, 0usize);
    let mut i = 0;
    while i < b.len() {
        if !NESTING[b[i] as usize] {
            i += 1;
            continue;
        }
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i += distance_to(b, i, b'\n');
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
            return Some(i);
        }
        i += 1;
    }
    None
}

/// How far from `at` the next `byte` is (to the end of `b` if there is none).
fn distance_to(b: &[u8], at: usize, byte: u8) -> usize {
    b[at..].iter().position(|&c| c == byte).unwrap_or(b.len() - at)
}

/// A file is read in pieces of at least this many bytes, when it has two or more.
const PIECE_BYTES: usize = 16 * 1024;

/// A long schema file read in [`parse::pieces`] by two threads, each taking the next piece
/// not taken yet (so neither waits while the other still has a long run of pieces ahead of
/// it): each piece's tokens and syntax trees are dropped once what resolving needs of it is
/// kept, and the pieces' items are put together in the file's order. `None` for a file of one
/// piece, or one whose pieces do not all read (a syntax error, a table's error, a cut that was
/// no item's end): it is read whole then, and any error is said as a whole read says it.
fn read_in_pieces(text: &str) -> Option<Declared> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A shebang line is syn's file parser's to tell from an inner attribute.
    if body.starts_with("#!") {
        return None;
    }
    let pieces = parse::pieces(body, PIECE_BYTES);
    if pieces.len() < 2 {
        return None;
    }
    let mut lines_before = Vec::with_capacity(pieces.len());
    let mut lines = 0;
    for p in &pieces {
        lines_before.push(lines);
        lines += p.bytes().filter(|&b| b == b'\n').count();
    }
    // The next piece to take; set past the end when one does not read, which ends both.
    let next = AtomicUsize::new(0);
    let take = || -> Option<Vec<(usize, Declared)>> {
        let mut read = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= pieces.len() {
                return Some(read);
            }
            match parse::declare_piece(pieces[i], lines_before[i], i == 0) {
                Some(items) => read.push((i, items)),
                None => {
                    next.store(pieces.len(), Ordering::Relaxed);
                    return None;
                }
            }
        }
    };
    let two = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let read = if two {
        std::thread::scope(|s| {
            // A thread with the stack of the one reading beside it.
            let other = std::thread::Builder::new()
                .name("schema-read".into())
                .stack_size(crate::STACK)
                .spawn_scoped(s, take);
            let mut mine = take();
            let theirs = match other {
                Ok(handle) => handle.join().ok()?,
                Err(_) => take(),
            };
            mine.as_mut()?.extend(theirs?);
            mine
        })
    } else {
        take()
    }?;
    Some(in_file_order(read))
}

/// The items of pieces read in any order, put together in the order of their pieces.
fn in_file_order(mut read: Vec<(usize, Declared)>) -> Declared {
    read.sort_unstable_by_key(|(i, _)| *i);
    let mut all = Declared::default();
    for (_, items) in read {
        all.extend(items);
    }
    all
}

/// Parses every `#[derive(Table)]` struct in `files` and resolves their references, `cfg`
/// evaluated with the cargo `features` the application is built with. A macro that may make
/// tables is said on stderr: the CLI cannot see into it.
pub fn load(files: &[PathBuf], features: &[String]) -> Result<Schema, SourceErrors> {
    let mut parsed = Declared::default();
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
            parse::from_file(&file)
                .map(|p| Declared::from_parsed(p, 0))
                .map_err(SourceError::Tables)
        } else {
            read_in_pieces(&text)
                .map(Ok)
                .unwrap_or_else(|| parse::from_source(&text).map(|p| Declared::from_parsed(p, 0)))
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
        at(&files[file], e.loc, &e.message)
    };
    if !errors.is_empty() {
        // The tables that did read have their types checked too: every error is said at once.
        errors.extend(parsed.resolve_enums().iter().map(locate));
        return Err(SourceErrors(errors));
    }
    if parsed.tables.is_empty() {
        let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        return Err(SourceErrors(vec![format!(
            "{}:1:1: no #[derive(Table)] structs found; a schema file declares tables as `#[derive(Table)] struct ..`",
            names.join(", ")
        )]));
    }
    parsed
        .resolve()
        .map_err(|errs| SourceErrors(errs.iter().map(locate).collect()))
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use schema_model::parse::{self, Declared};

    use super::{PIECE_BYTES, may_call_a_macro, read_in_pieces};

    /// `too_deep` as it was before it stepped over the bytes it does not act on (and counted
    /// lines only for a file it refuses), but for the one line break it missed: the
    /// reference the faster one is held to.
    fn too_deep_reference(text: &str) -> Option<(usize, usize)> {
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
                        }
                        // (It missed a line break right after a backslash, `"..\` at a line's
                        // end, and so gave a line too few after one.)
                        if b.get(i) == Some(&b'\n') {
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
            if depth + angle > super::MAX_DEPTH {
                return Some((line, i - line_start + 1));
            }
            i += 1;
        }
        None
    }

    #[test]
    fn the_nesting_check_finds_what_its_byte_by_byte_reading_found() {
        // Pieces that open, close, hide brackets in strings and comments, or look like them.
        let parts = [
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            "<",
            ">",
            "<=",
            "->",
            "=>",
            "<<",
            ";",
            "\n",
            " x ",
            "\"(((\"",
            "\"a\\\"(\"",
            "// ((( \n",
            "/* [[ /* {{ */ ]] */",
            "/",
            "*",
            "\\",
            "Vec<Option<u8>>",
            "r#\"(\"#",
            "'\"'",
            "é",
            "\n\n",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut refused = 0;
        for case in 0..3000 {
            let mut text = String::new();
            let len = next() % 2000;
            // Half the cases lean on opening, so the limit is crossed at all kinds of places.
            let opening = case % 2 == 0;
            for _ in 0..len {
                let r = next() as usize;
                let part = if opening && !r.is_multiple_of(3) {
                    ["(", "<", "[", "{"][r / 3 % 4]
                } else {
                    parts[r / 3 % parts.len()]
                };
                text.push_str(part);
            }
            let expected = too_deep_reference(&text);
            refused += usize::from(expected.is_some());
            assert_eq!(super::too_deep(&text), expected, "{text:?}");
        }
        // Both outcomes were checked, many times each.
        assert!((300..2700).contains(&refused), "{refused} of 3000 refused");
    }

    #[test]
    fn the_nesting_check_counts_a_line_a_string_continues_over() {
        let text = format!("const A: &str = \"a\\\n b\";\n{}", "(".repeat(300));
        assert_eq!(super::too_deep(&text), Some((3, 257)));
    }

    /// A schema file of `n` tables (every third references the one before, every fifth has an
    /// enum column), long enough to be read in pieces from a few hundred tables on.
    fn schema(n: usize) -> String {
        let mut text = String::from(
            "//! A generated schema.\n#![allow(dead_code)]\nuse schema_core::{SqlEnum, Table};\n\n\
             #[derive(SqlEnum)]\npub enum Mood {\n    Happy,\n    Sad,\n}\n\n",
        );
        tables(&mut text, "T", n);
        text
    }

    /// `n` tables named `{prefix}0`.. after `text`.
    fn tables(text: &mut String, prefix: &str, n: usize) {
        let lower = prefix.to_lowercase();
        for i in 0..n {
            let _ = write!(
                text,
                "/// Table {i}.\n#[derive(Table, Debug)]\n#[table(name = \"{lower}{i}\")]\npub struct {prefix}{i} {{\n    \
                 #[column(primary_key)]\n    pub id: i64,\n    pub name: Option<String>,\n    \
                 #[column(default = 3)]\n    pub count: i64,\n"
            );
            if i % 3 == 2 {
                let _ = write!(
                    text,
                    "    #[column(references = {prefix}{}::id)]\n    pub parent: i64,\n",
                    i - 1
                );
            }
            if i % 5 == 4 {
                text.push_str("    #[column(default = \"happy\")]\n    pub mood: Mood,\n");
            }
            let _ = write!(
                text,
                "}}\n\nimpl {prefix}{i} {{\n    fn f() -> &'static str {{\n        \"}}\"\n    }}\n}}\n\n"
            );
        }
    }

    /// The schema, or the errors with their lines, as a whole read gives them.
    fn whole(text: &str) -> Result<String, Vec<String>> {
        let parsed = parse::from_source(text).map_err(|e| match e {
            parse::SourceError::Syntax(e) | parse::SourceError::Tables(e) => e
                .into_iter()
                .map(|e| format!("{}: {e}", e.span().start().line))
                .collect::<Vec<_>>(),
        })?;
        resolved(Declared::from_parsed(parsed, 0))
    }

    fn resolved(d: Declared) -> Result<String, Vec<String>> {
        d.resolve()
            .map(|s| format!("{s:?}"))
            .map_err(|e| e.iter().map(|e| format!("{}: {e}", e.loc.line)).collect())
    }

    #[test]
    fn a_long_file_read_in_pieces_is_the_file_read_whole() {
        let text = schema(600);
        let pieces = parse::pieces(&text, PIECE_BYTES);
        assert!(pieces.len() > 2, "{} pieces", pieces.len());
        assert_eq!(pieces.concat(), text);
        let read = read_in_pieces(&text).expect("read in pieces");
        assert_eq!(read.tables.len(), 600);
        assert_eq!(resolved(read), whole(&text));
    }

    #[test]
    fn a_resolve_error_in_a_later_piece_is_on_its_line() {
        let mut text = schema(600);
        text.push_str("#[derive(Table)]\npub struct Last {\n    #[column(primary_key)]\n    pub id: i64,\n    #[column(references = Nowhere::id)]\n    pub gone: i64,\n}\n");
        let line = text.lines().position(|l| l.contains("Nowhere")).unwrap() + 1;
        let read = read_in_pieces(&text).expect("read in pieces");
        let errors = resolved(read).unwrap_err();
        assert_eq!(errors, whole(&text).unwrap_err());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with(&format!("{line}: ")), "{errors:?} (line {line})");
    }

    #[test]
    fn a_file_whose_pieces_do_not_read_is_read_whole() {
        // A table's error and a syntax error in a later piece: the pieces say nothing, the
        // whole read says what it always did.
        let base = schema(600);
        let at = base.len() / 2 + base[base.len() / 2..].find("pub name: Option<String>,").unwrap();
        let bad_table = format!("{}#[column(nope)] {}", &base[..at], &base[at..]);
        let bad_syntax = format!("{base}fn broken( {{}}\n");
        for text in [&bad_table, &bad_syntax] {
            assert!(read_in_pieces(text).is_none());
            assert!(whole(text).unwrap_err().len() == 1);
        }
        // A byte order mark right after a cut (files joined with `cat`) is no Rust there,
        // though proc-macro2 passes over one at the start of what it reads.
        let cut = parse::pieces(&base, PIECE_BYTES)[0].len();
        let bom = format!("{}\u{feff}{}", &base[..cut], &base[cut..]);
        assert!(read_in_pieces(&bom).is_none());
        assert!(whole(&bom).is_err());
        // A cut inside a raw string of lone `}` lines leaves a piece that does not tokenize:
        // the file is read whole, and right.
        let mut with_raw = schema(300);
        with_raw.push_str("const RAW: &str = r#\"\n");
        with_raw.push_str(&"}\n".repeat(PIECE_BYTES));
        with_raw.push_str("\"#;\n\n");
        tables(&mut with_raw, "U", 300);
        assert!(
            parse::pieces(&with_raw, PIECE_BYTES)
                .iter()
                .any(|p| p.starts_with("}\n"))
        );
        assert!(read_in_pieces(&with_raw).is_none());
        assert!(whole(&with_raw).unwrap().contains("\"u299\""));
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
