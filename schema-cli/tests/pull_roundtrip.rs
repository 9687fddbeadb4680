//! `pull` round trips over random schemas with random names, written as other tools write
//! SQL (every quoting style, keys and foreign keys inline or at table level, references to a
//! parent's key implied, DEFERRABLE, unique constraints inline, at table level and named):
//! `pull` writes Rust that parses, `migrate` of its baseline into an empty file gives the same
//! database as SQLite reports it, fact by fact, and `generate` right after `pull` writes
//! nothing.
//!
//! `PROPTEST_CASES=500 cargo test -p schema-cli --test pull_roundtrip` for a longer run.

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use rusqlite::Connection;
use schema_tests::generate::{arb_name, arb_schema, foreign_ddl, with_names};
use schema_tests::shape::shape;

fn schema(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_schema"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(24),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn pull_then_migrate_rebuilds_the_same_database(
        a in arb_schema(),
        names in proptest::collection::vec(arb_name(), 40),
        style in proptest::collection::vec(any::<u8>(), 64),
    ) {
        let s = with_names(&a, &names);
        let ddl = foreign_ddl(&s, &style);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        let original = p.join("original.db");
        {
            let conn = Connection::open(&original).unwrap();
            for stmt in &ddl {
                conn.execute_batch(stmt).unwrap_or_else(|e| panic!("the test's own DDL: {e}\n{stmt}"));
            }
        }
        let (code, out, err) = schema(p, &["pull", "--url", "original.db", "--out-schema", "src/schema.rs"]);
        let code_text = std::fs::read_to_string(p.join("src/schema.rs")).unwrap_or_default();
        prop_assert_eq!(code, 0, "pull: {}\n{}\n{}\n{}", err, out, ddl.join(";\n"), code_text);
        prop_assert!(out.contains(" 0 differences not carried over"), "{}\n{}\n{}", out, err, ddl.join(";\n"));
        // The file is Rust the derive's parser reads (the compile of real pulls is
        // `tests/pulled`).
        syn::parse_file(&code_text).unwrap_or_else(|e| panic!("{e}\n{code_text}"));

        let (code, out, err) = schema(p, &["generate"]);
        prop_assert_eq!(code, 0, "{}", err);
        prop_assert!(out.contains("No schema changes"), "generate after pull: {}\n{}", out, code_text);

        let (code, _, err) = schema(p, &["migrate", "--url", "fresh.db"]);
        prop_assert_eq!(code, 0, "the baseline does not build a database: {}\n{}", err, ddl.join(";\n"));
        let before = shape(&Connection::open(&original).unwrap());
        let after = shape(&Connection::open(p.join("fresh.db")).unwrap());
        let lost: Vec<&String> = before.iter().filter(|f| !after.contains(f)).collect();
        let gained: Vec<&String> = after.iter().filter(|f| !before.contains(f)).collect();
        prop_assert!(
            lost.is_empty() && gained.is_empty(),
            "only in the original: {:#?}\nonly in the rebuilt: {:#?}\n{}\n{}",
            lost, gained, ddl.join(";\n"), code_text
        );
    }
}
