//! The SQL `schema generate` writes for each kind of change, one case a folder under
//! `tests/diff/<case>/` (`before.rs`, `after.rs`, optional `flags` with rename answers),
//! snapshotted with insta and reviewed like code. A refused change snapshots its message.
//!
//! Review a change: `cargo insta review`, or `INSTA_UPDATE=always cargo test --test diff_sql`
//! and read the diff of `tests/snapshots/`.

use std::path::Path;

use schema_core::dialect::Dialect;
use schema_core::diff::{RenameHint, diff, resolve_renames};
use schema_core::model::Schema;
use schema_core::sqlite::SQLITE;

fn schema(path: &Path) -> Schema {
    SQLITE.normalize(&schema_tests::schema_from_file(path))
}

fn flags(dir: &Path) -> Vec<RenameHint> {
    let Ok(text) = std::fs::read_to_string(dir.join("flags")) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (flag, value) = l.trim().split_once(' ').unwrap();
            match flag {
                "--rename" => RenameHint::parse(value).unwrap(),
                "--create" => RenameHint::parse_name(value, true).unwrap(),
                "--drop" => RenameHint::parse_name(value, false).unwrap(),
                other => panic!("unknown flag {other} in {}", dir.display()),
            }
        })
        .collect()
}

/// What generate would write for one case, or the refusal.
fn render(dir: &Path) -> String {
    let (before, after) = (schema(&dir.join("before.rs")), schema(&dir.join("after.rs")));
    let renames = match resolve_renames(&before, &after, &flags(dir), &mut ()) {
        Ok(r) => r,
        Err(e) => return format!("REFUSED (renames):\n{e}\n"),
    };
    let changes = diff(&before, &after, &renames);
    match SQLITE.plan(&before, &after, &changes, &Default::default()) {
        Ok(plan) => {
            let mut out = String::new();
            for w in &plan.warnings {
                out.push_str(&format!("-- warning: {w}\n"));
            }
            out.push_str(&plan.statements.join("--> statement-breakpoint\n"));
            out.push('\n');
            out
        }
        Err(e) => format!("REFUSED:\n{e}\n"),
    }
}

#[test]
fn every_change_kind_renders_as_reviewed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("diff");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 30,
        "expected the whole set of cases, found {}",
        cases.len()
    );
    for dir in cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name, render(&dir));
    }
}

#[test]
fn a_schema_has_no_difference_with_itself() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("diff");
    for dir in std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()) {
        for side in ["before.rs", "after.rs"] {
            let s = schema(&dir.join(side));
            assert!(diff(&s, &s, &Default::default()).is_empty(), "{}/{side}", dir.display());
        }
    }
}
