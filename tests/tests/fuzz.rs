//! Mutation fuzzing on stable Rust: the readers of untrusted text run on real inputs
//! (`tests/fuzz/corpus/<target>/`, committed) changed by random mutations (bytes and SQL or
//! Rust fragments inserted, ranges deleted, duplicated or spliced in from another input),
//! which proptest draws and shrinks. cargo-fuzz needs a nightly toolchain, which this
//! project does not; the harness is the same idea, without coverage guidance.
//!
//! Each target must never panic, and where another implementation exists it must agree:
//! - `schema`: the schema-file reader (syn, then the attribute parser and `resolve`);
//! - `journal` and `snapshot`: the folder's readers; a snapshot that reads also writes and
//!   reads back as the same model;
//! - `sql`: the statement splitters (the migration file's breakpoints, then SQL's `;`); where
//!   SQLite runs every statement of a piece, it counts as many statements as we do;
//! - `ddl`: the `CREATE TABLE` / `CREATE INDEX` reader; where SQLite accepts a table, the
//!   reader reads it too, with the columns SQLite reports.
//!
//! CI runs `FUZZ_CASES` inputs per target (2,000 by default, a few seconds in release, a minute
//! in debug). A long run: `FUZZ_CASES=200000 cargo test --release -p schema-tests --test fuzz
//! -- --nocapture`; its figures are in docs/RELIABILITY.md.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rusqlite::Connection;
use rusqlite::fallible_iterator::FallibleIterator;
use schema_core::dialect::Dialect;
use schema_core::sqlite::{SQLITE, ddl};

/// Fragments a mutation may insert: the grammars' sharp edges.
const DICT: &[&str] = &[
    "(",
    ")",
    ",",
    ";",
    "'",
    "\"",
    "`",
    "[",
    "]",
    "--",
    "/*",
    "*/",
    "\n",
    " ",
    "--> statement-breakpoint",
    "CREATE TABLE x (",
    "CREATE INDEX i ON x (",
    "CREATE TRIGGER tr AFTER INSERT ON x BEGIN ",
    " END",
    "CASE WHEN 1 THEN 2 END",
    "CONSTRAINT c ",
    "PRIMARY KEY",
    "AUTOINCREMENT",
    "REFERENCES p",
    " DEFERRABLE INITIALLY DEFERRED",
    " ON CONFLICT REPLACE",
    " ON DELETE SET DEFAULT",
    " MATCH FULL",
    "DEFAULT",
    "COLLATE NOCASE",
    "GENERATED ALWAYS AS (1)",
    "CHECK (",
    "UNIQUE",
    "NOT NULL",
    "NULL",
    "x'00'",
    "-1e999",
    "WITHOUT ROWID",
    "STRICT",
    "#[column(",
    "#[table(",
    "#[foreign_key(columns(a), references = P)]",
    "#[derive(Table)]",
    "references = ",
    "primary_key",
    "unique(constraint)",
    "deferrable",
    "Option<",
    ">",
    "r#",
    "::",
    "é",
    "🦀",
    "\u{0}",
    "{",
    "}",
    ":",
    "\"version\"",
    "\"tables\"",
    "\"internal\"",
    "null",
    "true",
    "[]",
    "{}",
    "\\u0000",
    "99999999999999999999",
];

/// One change to an input. Positions are taken modulo the input's length.
#[derive(Debug, Clone)]
enum Mutation {
    Insert {
        at: usize,
        fragment: usize,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Duplicate {
        at: usize,
        len: usize,
        to: usize,
    },
    Byte {
        at: usize,
        byte: u8,
    },
    /// A range of another corpus input, inserted.
    Splice {
        at: usize,
        other: usize,
        from: usize,
        len: usize,
    },
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0..DICT.len()).prop_map(|(at, fragment)| Mutation::Insert { at, fragment }),
        3 => (any::<usize>(), 1..40usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        2 => (any::<usize>(), 1..60usize, any::<usize>()).prop_map(|(at, len, to)| Mutation::Duplicate { at, len, to }),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Byte { at, byte }),
        1 => (any::<usize>(), any::<usize>(), any::<usize>(), 1..200usize)
            .prop_map(|(at, other, from, len)| Mutation::Splice { at, other, from, len }),
    ]
}

fn apply(input: &[u8], mutations: &[Mutation], corpus: &[Vec<u8>]) -> String {
    let mut b = input.to_vec();
    for m in mutations {
        let n = b.len().max(1);
        match *m {
            Mutation::Insert { at, fragment } => {
                let at = at % (b.len() + 1);
                b.splice(at..at, DICT[fragment].bytes());
            }
            Mutation::Delete { at, len } => {
                let at = at % n;
                let end = (at + len).min(b.len());
                if at < end {
                    b.drain(at..end);
                }
            }
            Mutation::Duplicate { at, len, to } => {
                let at = at % n;
                let end = (at + len).min(b.len());
                let piece: Vec<u8> = b.get(at..end).unwrap_or_default().to_vec();
                let to = to % (b.len() + 1);
                b.splice(to..to, piece);
            }
            Mutation::Byte { at, byte } => {
                if !b.is_empty() {
                    let at = at % b.len();
                    b[at] = byte;
                }
            }
            Mutation::Splice { at, other, from, len } => {
                let o = &corpus[other % corpus.len()];
                let from = from % o.len().max(1);
                let piece = o.get(from..(from + len).min(o.len())).unwrap_or_default();
                let at = at % (b.len() + 1);
                b.splice(at..at, piece.iter().copied());
            }
        }
    }
    // Readers take text; invalid UTF-8 is the file loader's to refuse, before them.
    String::from_utf8_lossy(&b).into_owned()
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let inputs: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(!inputs.is_empty(), "no corpus in {}", dir.display());
    inputs
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(2000)
}

/// Runs `check` on `cases()` mutated inputs of `target`'s corpus (`units` splits each file
/// into the inputs it holds); returns how many ran.
fn fuzz(target: &str, units: fn(&[u8]) -> Vec<Vec<u8>>, check: impl Fn(&str) -> Result<(), TestCaseError>) -> u32 {
    let inputs: Vec<Vec<u8>> = corpus(target).iter().flat_map(|f| units(f)).collect();
    let n = cases();
    let mut runner = TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        max_shrink_iters: 4000,
        ..Config::default()
    });
    let strategy = (0..inputs.len(), proptest::collection::vec(arb_mutation(), 0..8));
    let result = runner.run(&strategy, |(i, mutations)| {
        check(&apply(&inputs[i], &mutations, &inputs))
    });
    if let Err(e) = result {
        panic!("{target}: {e}");
    }
    println!(
        "{target}: {n} mutated inputs from {} corpus inputs, no failure",
        inputs.len()
    );
    n
}

fn whole(f: &[u8]) -> Vec<Vec<u8>> {
    vec![f.to_vec()]
}

/// Each `;`-ended statement of a DDL dump on its own.
fn statements(f: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(f);
    schema_core::sql::lex::split(&text)
        .into_iter()
        .map(|s| s.text.as_bytes().to_vec())
        .collect()
}

#[test]
fn schema_files() {
    fuzz("schema", whole, |src| {
        if let Ok(file) = syn::parse_file(src)
            && let Ok(parsed) = schema_model::parse::from_file(&file)
            && let Ok(schema) = schema_model::parse::resolve(&parsed)
        {
            // What the reader accepts, the dialect can plan from nothing.
            let n = SQLITE.normalize(&schema);
            let changes = schema_core::diff::diff(&Default::default(), &n, &Default::default());
            let _ = SQLITE.plan(&Default::default(), &n, &changes, &Default::default());
        }
        Ok(())
    });
}

#[test]
fn journals() {
    fuzz("journal", whole, |text| {
        let _ = schema_core::folder::parse_journal(text, Path::new("_journal.json"));
        Ok(())
    });
}

#[test]
fn snapshots() {
    fuzz("snapshot", whole, |text| {
        if let Ok(snap) = SQLITE.read_snapshot(text) {
            let again = SQLITE
                .read_snapshot(&SQLITE.write_snapshot(&snap))
                .map_err(|e| TestCaseError::fail(format!("a snapshot we wrote does not read: {e}")))?;
            // Tables come back in name order, as the writer puts them.
            let mut expected = snap.schema.clone();
            expected.tables.sort_by(|a, b| a.name.cmp(&b.name));
            prop_assert_eq!(&again.schema, &expected);
        }
        Ok(())
    });
}

fn scratch() -> Connection {
    Connection::open_in_memory().unwrap()
}

/// The statements SQLite runs in `piece`, one by one; `None` if it refuses one.
fn sqlite_statements(piece: &str) -> Option<usize> {
    let conn = scratch();
    let mut batch = rusqlite::Batch::new(&conn, piece);
    let mut n = 0;
    loop {
        match batch.next() {
            Ok(Some(mut stmt)) => {
                stmt.raw_execute().ok()?;
                n += 1;
            }
            Ok(None) => return Some(n),
            Err(_) => return None,
        }
    }
}

#[test]
fn statement_splitters() {
    let compared = AtomicUsize::new(0);
    fuzz("sql", whole, |text| {
        for piece in schema_core::folder::split_statements(text) {
            prop_assert!(text.contains(piece.as_str()));
            let ours = schema_core::sql::lex::split(&piece);
            for s in &ours {
                prop_assert!(piece.get(s.start..).is_some_and(|rest| rest.starts_with(s.text)));
            }
            // A piece holding NUL is refused before it runs (SQLite would stop reading there).
            if piece.contains('\0') {
                let refused = SQLITE.forbidden(std::slice::from_ref(&piece));
                prop_assert!(!refused.is_empty());
            } else if let Some(theirs) = sqlite_statements(&piece) {
                compared.fetch_add(1, Ordering::Relaxed);
                prop_assert_eq!(ours.len(), theirs, "statements of {:?}", piece);
            }
        }
        Ok(())
    });
    println!(
        "sql: {} pieces SQLite ran whole, each split as SQLite split it",
        compared.into_inner()
    );
}

#[test]
fn ddl_reader() {
    let compared = AtomicUsize::new(0);
    fuzz("ddl", statements, |sql| {
        let table = ddl::parse_create_table(sql);
        if let Err(e) = &table {
            prop_assert!(e.at <= sql.len(), "{e}");
        }
        let _ = ddl::parse_create_index(sql);
        let _ = ddl::plain_names(sql);
        // Where SQLite accepts the table, the reader reads it, with SQLite's columns.
        let conn = scratch();
        let words = schema_core::sql::lex::leading_words(sql, 2);
        let is_table = words == ["CREATE", "TABLE"];
        if is_table && !sql.contains('\0') && conn.execute_batch(sql).is_ok() {
            let created: Vec<(String, String)> = {
                let mut stmt = conn
                    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
                    .unwrap();
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            };
            // One statement made one table (a trailing second statement is not a table's).
            if let [(name, stored)] = created.as_slice() {
                let def = ddl::parse_create_table(stored).map_err(|e| {
                    TestCaseError::fail(format!("SQLite accepts it, the reader does not: {e}\n{stored}"))
                })?;
                let mut stmt = conn
                    .prepare("SELECT name FROM pragma_table_xinfo(?1) ORDER BY cid")
                    .unwrap();
                let columns: Vec<String> = stmt
                    .query_map([name], |r| r.get(0))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                let ours: Vec<String> = def.columns.iter().map(|c| c.name.clone()).collect();
                compared.fetch_add(1, Ordering::Relaxed);
                prop_assert_eq!(ours, columns, "{}", stored);
            }
        }
        Ok(())
    });
    println!(
        "ddl: {} tables SQLite accepted, each read with SQLite's columns",
        compared.into_inner()
    );
}
