//! The folder's read-ahead: the latest snapshot read on another thread is what reading the file
//! gives, it is used once, and never once its file has changed.

use schema_core::folder::Folder;
use schema_core::generate::{GenerateOptions, GenerateOutcome, generate};
use schema_core::model::{Column, LogicalType, Schema, Table};
use schema_core::sqlite::SQLITE;

fn schema(columns: &[&str]) -> Schema {
    let mut t = Table::new("users");
    let mut id = Column::new("id", LogicalType::Sql("integer".into()));
    id.primary_key = true;
    t.columns.push(id);
    for c in columns {
        let mut col = Column::new(*c, LogicalType::Sql("text".into()));
        col.not_null = false;
        t.columns.push(col);
    }
    Schema {
        tables: vec![t],
        ..Default::default()
    }
}

fn written(folder: &Folder, s: &Schema) -> u32 {
    match generate(folder, s, &GenerateOptions::default(), &mut ()).unwrap() {
        GenerateOutcome::Written(w) => w.tag[..4].parse().unwrap(),
        GenerateOutcome::NoChanges => panic!("nothing written"),
    }
}

#[test]
fn a_snapshot_read_ahead_is_the_file_s_and_is_used_once() {
    let dir = tempfile::tempdir().unwrap();
    let folder = Folder::new(dir.path(), &SQLITE);
    // Nothing to read ahead in an empty folder: reads go to the files as always.
    folder.read_ahead();
    let first = written(&folder, &schema(&["name"]));
    let from_file = Folder::new(dir.path(), &SQLITE).read_snapshot(first).unwrap();

    folder.read_ahead();
    assert_eq!(folder.read_snapshot(first).unwrap(), from_file);
    // Taken once: the next read is the file's again (the same content).
    assert_eq!(folder.read_snapshot(first).unwrap(), from_file);

    // Read ahead, then the file is replaced (by another writer): the file's new content wins.
    folder.read_ahead();
    let other = Folder::new(dir.path().join("other"), &SQLITE);
    let o = written(&other, &schema(&["name", "bio", "a_longer_column_name"]));
    // Wait for the read ahead to finish before the file changes under it.
    let path = folder.snapshot_path(first);
    std::thread::sleep(std::time::Duration::from_millis(50));
    std::fs::copy(other.snapshot_path(o), &path).unwrap();
    let now = folder.read_snapshot(first).unwrap();
    assert_eq!(now, Folder::new(dir.path(), &SQLITE).read_snapshot(first).unwrap());
    assert_ne!(now, from_file);

    // A newer migration written after the read ahead: generate builds on it, not on the
    // snapshot read before.
    let dir2 = tempfile::tempdir().unwrap();
    let f2 = Folder::new(dir2.path(), &SQLITE);
    written(&f2, &schema(&["name"]));
    f2.read_ahead();
    std::thread::sleep(std::time::Duration::from_millis(50));
    let writer = Folder::new(dir2.path(), &SQLITE);
    written(&writer, &schema(&["name", "bio"]));
    match generate(&f2, &schema(&["name", "bio"]), &GenerateOptions::default(), &mut ()).unwrap() {
        GenerateOutcome::NoChanges => {}
        GenerateOutcome::Written(w) => panic!("wrote {} over a stale snapshot: {:?}", w.tag, w.statements),
    }
}
