//! The folder's read-ahead: the latest snapshot read on another thread is what reading the file
//! gives, it is used once, and never once its file has changed. A staged snapshot: in place
//! only with its migration, and gone when that migration is not written.

use schema_core::dialect::Dialect as _;
use schema_core::folder::{Folder, FolderError, JournalEntry};
use schema_core::generate::{GenerateOptions, GenerateOutcome, generate};
use schema_core::model::{Column, LogicalType, Schema, Table};
use schema_core::snapshot::Snapshot;
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

/// A folder holding one migration: the folder, that migration's snapshot and every file as it
/// is.
fn one_migration() -> (tempfile::TempDir, Folder, Snapshot, Vec<(String, Vec<u8>)>) {
    let dir = tempfile::tempdir().unwrap();
    let folder = Folder::new(dir.path(), &SQLITE);
    let first = written(&folder, &schema(&["name"]));
    let snapshot = folder.read_snapshot(first).unwrap();
    let before = files(dir.path());
    (dir, folder, snapshot, before)
}

/// A migration begun while its snapshot is still staged (as `generate` does): dropped
/// unfinished, nothing is left; a file put at its SQL path after the beginning is refused at
/// the finish and never touched; finished, the migration is in place whole.
#[test]
fn a_migration_begun_beside_its_staged_snapshot_is_in_place_only_once_finished() {
    let (dir, folder, snapshot, before) = one_migration();
    let lock = folder.lock().unwrap();
    let journal = folder.read_journal().unwrap();
    let begin = || {
        folder
            .begin_write(&lock, &journal, &entry(1, "0001_x"), "SELECT 1;")
            .unwrap()
    };

    // Begun, then dropped (the snapshot could not be staged): the folder is as it was.
    let begun = begin();
    assert_ne!(
        files(dir.path()),
        before,
        "the intent and the temporary files are written at once"
    );
    drop(begun);
    assert_eq!(files(dir.path()), before);

    // A file put at the SQL path after the beginning: refused, never replaced, nothing left.
    let begun = begin();
    let staged = folder.stage_snapshot(&lock, 1, &snapshot).unwrap();
    let sql = dir.path().join("0001_x.sql");
    std::fs::write(&sql, "-- somebody's\n").unwrap();
    let err = folder.finish_write(&lock, begun, staged).unwrap_err();
    assert!(matches!(err, FolderError::Exists { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&sql).unwrap(), "-- somebody's\n");
    std::fs::remove_file(&sql).unwrap();
    assert_eq!(files(dir.path()), before);

    // Begun, staged, finished: the SQL, the snapshot and the journal in place, no temporary
    // file left.
    let begun = begin();
    let staged = folder.stage_snapshot(&lock, 1, &snapshot).unwrap();
    folder.finish_write(&lock, begun, staged).unwrap();
    drop(lock);
    assert_eq!(std::fs::read_to_string(&sql).unwrap(), "SELECT 1;");
    assert_eq!(
        std::fs::read_to_string(folder.snapshot_path(1)).unwrap(),
        SQLITE.write_snapshot(&snapshot)
    );
    assert_eq!(folder.read_journal().unwrap().entries.len(), 2);
    let names: Vec<String> = files(dir.path()).into_iter().map(|(p, _)| p).collect();
    assert!(
        !names.iter().any(|p| p.contains(".tmp-") || p.contains("schema-write")),
        "{names:?}"
    );
}

/// A migration begun, then dropped unfinished because its snapshot could not be staged, while
/// somebody put files at its SQL and snapshot paths: their files stay, and what the beginning
/// wrote (its temporary files, the intent) is gone. (Found by a review: the drop ran the
/// recovery, which removes every path the intent names.)
#[test]
fn files_put_in_a_migration_s_place_while_it_is_begun_survive_its_withdrawal() {
    let (dir, folder, _, _) = one_migration();
    let lock = folder.lock().unwrap();
    let journal = folder.read_journal().unwrap();
    let begun = folder
        .begin_write(&lock, &journal, &entry(1, "0001_x"), "SELECT 1;")
        .unwrap();
    let sql = dir.path().join("0001_x.sql");
    std::fs::write(&sql, "-- somebody's\n").unwrap();
    let snapshot = folder.snapshot_path(1);
    std::fs::write(&snapshot, "{\"somebody's\": true}\n").unwrap();
    let theirs = files(dir.path());
    drop(begun);
    drop(lock);
    let left = files(dir.path());
    assert!(
        left.iter()
            .any(|(p, b)| p.ends_with("0001_x.sql") && b == b"-- somebody's\n")
    );
    assert!(
        left.iter()
            .any(|(p, b)| p.ends_with("0001_snapshot.json") && b == b"{\"somebody's\": true}\n")
    );
    // Everything else is as before the beginning: no intent, no temporary file.
    let names: Vec<&String> = left.iter().map(|(p, _)| p).collect();
    assert!(
        !names.iter().any(|p| p.contains(".tmp-") || p.contains("schema-write")),
        "{names:?}"
    );
    assert_eq!(
        left.len(),
        theirs.len() - 3,
        "the intent and two temporary files gone: {names:?}"
    );
    // The next writer finds nothing to undo, and their files are still there.
    drop(folder.lock().unwrap());
    assert_eq!(files(dir.path()), left);
}

/// Every file under `dir`, with its bytes: what a test compares before and after.
fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

fn entry(idx: u32, tag: &str) -> JournalEntry {
    JournalEntry {
        idx,
        version: "6".into(),
        when: 1,
        tag: tag.into(),
        breakpoints: true,
    }
}

#[test]
fn a_staged_snapshot_is_in_place_only_with_its_migration() {
    let (dir, folder, snapshot, before) = one_migration();
    let lock = folder.lock().unwrap();
    let journal = folder.read_journal().unwrap();

    // Staged and dropped (the plan beside it failed): the folder is as it was.
    let staged = folder.stage_snapshot(&lock, 1, &snapshot).unwrap();
    assert_ne!(files(dir.path()), before, "the staged file is written at once");
    drop(staged);
    assert_eq!(files(dir.path()), before);

    // Staged for another migration than the entry's: refused, and nothing is left.
    let staged = folder.stage_snapshot(&lock, 2, &snapshot).unwrap();
    let err = folder
        .write_staged(&lock, &journal, &entry(1, "0001_x"), "SELECT 1;", staged)
        .unwrap_err();
    assert!(matches!(err, FolderError::Write { .. }), "{err}");
    assert_eq!(files(dir.path()), before);

    // The migration's SQL file is already there: refused, never replaced, nothing is left.
    let sql = dir.path().join("0001_x.sql");
    std::fs::write(&sql, "-- somebody's\n").unwrap();
    let before_sql = files(dir.path());
    let staged = folder.stage_snapshot(&lock, 1, &snapshot).unwrap();
    let err = folder
        .write_staged(&lock, &journal, &entry(1, "0001_x"), "SELECT 1;", staged)
        .unwrap_err();
    assert!(matches!(err, FolderError::Exists { .. }), "{err}");
    assert_eq!(files(dir.path()), before_sql);
    std::fs::remove_file(&sql).unwrap();

    // Written: the snapshot in place is the staged one, byte for byte what writing it whole gives.
    let staged = folder.stage_snapshot(&lock, 1, &snapshot).unwrap();
    folder
        .write_staged(&lock, &journal, &entry(1, "0001_x"), "SELECT 1;", staged)
        .unwrap();
    drop(lock);
    assert_eq!(
        std::fs::read_to_string(folder.snapshot_path(1)).unwrap(),
        SQLITE.write_snapshot(&snapshot)
    );
    assert_eq!(folder.read_journal().unwrap().entries.len(), 2);
    let names: Vec<String> = files(dir.path()).into_iter().map(|(p, _)| p).collect();
    assert!(!names.iter().any(|p| p.contains(".tmp-")), "{names:?}");
}

/// `tables` tables of `columns` text columns each.
fn wide(tables: usize, columns: usize) -> Schema {
    let names: Vec<String> = (0..columns).map(|c| format!("c{c}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let one = schema(&names).tables.remove(0);
    Schema {
        tables: (0..tables)
            .map(|i| Table {
                name: format!("t{i:05}"),
                ..one.clone()
            })
            .collect(),
        ..Default::default()
    }
}

#[test]
fn a_snapshot_staged_and_stopped_leaves_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let folder = Folder::new(dir.path(), &SQLITE);
    let first = written(&folder, &wide(2_000, 12));
    let snapshot = folder.read_snapshot(first).unwrap();
    let before = files(dir.path());
    let lock = folder.lock().unwrap();

    // Stopped before it began: refused at its first piece, and no file is left.
    let stop = std::sync::atomic::AtomicBool::new(true);
    let err = folder
        .stage_snapshot_until(&lock, 1, &snapshot, &stop, None)
        .unwrap_err();
    assert!(matches!(err, FolderError::Write { .. }), "{err}");
    assert!(err.to_string().contains("not wanted"), "{err}");
    assert_eq!(files(dir.path()), before);

    // Stopped while it is written (a few megabytes, many pieces): the same, whenever the stop
    // lands; or finished first, and then dropped like any staged snapshot.
    for delay_us in [0, 200, 1_000, 5_000] {
        let stop = std::sync::atomic::AtomicBool::new(false);
        let staged = std::thread::scope(|s| {
            let h = s.spawn(|| folder.stage_snapshot_until(&lock, 1, &snapshot, &stop, None));
            std::thread::sleep(std::time::Duration::from_micros(delay_us));
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            h.join().unwrap()
        });
        drop(staged);
        assert_eq!(files(dir.path()), before, "stopped after {delay_us} us");
    }
}

#[test]
fn a_run_that_finds_nothing_to_do_leaves_the_folder_as_it_was() {
    // The snapshot is begun beside the diff; a diff that finds nothing stops it.
    let dir = tempfile::tempdir().unwrap();
    let folder = Folder::new(dir.path(), &SQLITE);
    let s = wide(2_000, 12);
    written(&folder, &s);
    let before = files(dir.path());
    for _ in 0..3 {
        match generate(&folder, &s, &GenerateOptions::default(), &mut ()).unwrap() {
            GenerateOutcome::NoChanges => {}
            GenerateOutcome::Written(w) => panic!("wrote {}", w.tag),
        }
        assert_eq!(files(dir.path()), before);
    }
}

#[test]
fn an_empty_schema_in_an_empty_folder_writes_nothing_not_even_a_staged_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let folder = Folder::new(dir.path(), &SQLITE);
    // A first migration is staged before its diff; with nothing to create, it is not kept.
    match generate(&folder, &Schema::default(), &GenerateOptions::default(), &mut ()).unwrap() {
        GenerateOutcome::NoChanges => {}
        GenerateOutcome::Written(w) => panic!("wrote {}", w.tag),
    }
    let left: Vec<String> = files(dir.path()).into_iter().map(|(p, _)| p).collect();
    assert!(left.is_empty(), "{left:?}");
    // And the first real one is written whole after it.
    assert_eq!(written(&folder, &schema(&["name"])), 0);
    assert!(folder.snapshot_path(0).exists());
}

#[test]
fn generate_writes_the_changes_pending_reports_hints_settled_either_way() {
    // Hints that name nothing in the folder (a first migration): settled into no rename, and
    // left out of the changes, the target and the snapshot alike.
    let mut s = schema(&["name"]);
    s.tables[0].renamed_from = Some("people".into());
    s.tables[0].columns[1].renamed_from = Some("full_name".into());
    for two_phase in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::new(dir.path(), &SQLITE);
        let p = schema_core::generate::pending(&s, &folder, &[], &mut ()).unwrap();
        assert!(
            p.target
                .tables
                .iter()
                .all(|t| t.renamed_from.is_none() && t.columns.iter().all(|c| c.renamed_from.is_none()))
        );
        let opts = GenerateOptions {
            two_phase,
            ..Default::default()
        };
        match generate(&folder, &s, &opts, &mut ()).unwrap() {
            GenerateOutcome::Written(w) => {
                assert_eq!(w.changes, p.changes, "two_phase: {two_phase}");
                assert_eq!(w.schema, p.target);
            }
            GenerateOutcome::NoChanges => panic!("nothing written"),
        }
    }
}

/// The example's tables, copies `from..to`.
fn blog_copies(from: usize, to: usize) -> Schema {
    Schema {
        tables: schema_tests::blog::copies(from, to),
        ..Default::default()
    }
}

/// A long migration is linted on a thread of its own while its files are written: what it
/// finds is what `schema lint` finds reading the migration back, for a first migration and
/// for one that drops a column as it creates tables.
#[test]
fn a_long_migration_is_linted_beside_its_writing_as_lint_reads_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let folder = Folder::new(dir.path(), &SQLITE);
    // The second drops a column of `users_0` as it creates forty more copies.
    let mut second = blog_copies(0, 80);
    second.tables[0].columns.retain(|c| c.name != "display_name");
    for schema in [blog_copies(0, 40), second] {
        let GenerateOutcome::Written(w) = generate(&folder, &schema, &GenerateOptions::default(), &mut ()).unwrap()
        else {
            panic!("nothing written");
        };
        let sql = std::fs::read_to_string(&w.sql_path).unwrap();
        // Long enough to be linted beside the writing (32 KB).
        assert!(sql.len() > 40_000, "{} bytes", sql.len());
        let migrations = schema_core::Migrations::from_dir(dir.path()).unwrap();
        let read_back = schema_core::lint::lint(&folder, &[migrations.get(&w.tag).unwrap()], None).unwrap();
        assert_eq!(read_back[0], w.lint, "{}", w.tag);
        if w.tag.starts_with("0001") {
            assert!(
                w.lint.findings.iter().any(|f| f.table.as_deref() == Some("users_0")),
                "the dropped column is found: {:?}",
                w.lint.findings
            );
        }
    }
}

/// A long migration whose file cannot be written: the write's error is the one reported, after
/// the lint beside it is done, and the folder is as it was.
#[test]
fn a_long_migration_that_cannot_be_written_leaves_the_folder_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let folder = Folder::new(dir.path(), &SQLITE);
    written(&folder, &blog_copies(0, 40));
    // A folder where the next migration's SQL file would go: its place is taken.
    let taken = dir.path().join("0001_fresh_blue_jay.sql");
    let before = files(dir.path());
    let opts = GenerateOptions {
        name: Some("fresh_blue_jay".into()),
        ..Default::default()
    };
    std::fs::create_dir(&taken).unwrap();
    let err = generate(&folder, &blog_copies(0, 80), &opts, &mut ()).unwrap_err();
    assert!(err.to_string().contains("0001_fresh_blue_jay.sql"), "{err}");
    std::fs::remove_dir(&taken).unwrap();
    assert_eq!(files(dir.path()), before);
}
