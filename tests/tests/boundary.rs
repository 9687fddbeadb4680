//! The dialect boundary holds: outside each dialect's own modules (a `sqlite/` folder or a
//! `sqlite.rs` file: the library's dialect and driver, the studio's SQLite backend) and the one
//! place that maps a name or URL to a dialect (`schema-core/src/backend/`), no source file of
//! the library or the CLI names SQLite's dialect type or its client library. A new dialect
//! lands beside SQLite without touching the workflows.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_workflow_names_a_dialect() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["schema-core/src", "schema-cli/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let allowed = |p: &Path| {
        let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        rel.starts_with("schema-core/src/backend/")
            || rel.split('/').any(|part| part == "sqlite" || part == "sqlite.rs")
    };
    let mut found = Vec::new();
    for f in files.iter().filter(|f| !allowed(f)) {
        let text = std::fs::read_to_string(f).unwrap();
        let lib_rs = f.ends_with("schema-core/src/lib.rs");
        for (i, line) in text.lines().enumerate() {
            // The one exception: the crate root re-exports the client library for applications
            // (`schema_core::rusqlite`), so they link the same SQLite.
            if lib_rs && line.trim() == "pub use rusqlite;" {
                continue;
            }
            if line.contains("Sqlite") || line.contains("rusqlite") {
                found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(files.len() > 20, "the scan found the sources");
    assert!(found.is_empty(), "named outside its module:\n{}", found.join("\n"));
}
