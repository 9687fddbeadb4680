//! Writing a migration folder so that no interruption damages it: every file is written under a
//! temporary name, synced, and only then put in place (new files by a hard link, which never
//! replaces one; the journal by a rename, last); the folder is locked while a command writes
//! it; and an intent record, written before anything is put in place, lets the next writer
//! (or `check`) tell an interrupted write from a file somebody else put there.
//!
//! After a kill or a full disk at any moment, the folder is as it was, or holds the new
//! migration whole, or holds an intent whose files the next writer removes (and `check`
//! ignores until then).

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::{Folder, FolderError, Journal, JournalEntry, journal_string};
use crate::fault;
use crate::snapshot::{Help, Snapshot};

/// The intent record's file name, in `meta/`.
pub(super) const INTENT: &str = ".schema-write.json";

/// What a write was about to do: add a migration's files, or remove them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Intent {
    /// `add` or `drop`.
    pub op: String,
    /// The migration's tag.
    pub tag: String,
    /// Its files, relative to the folder.
    pub files: Vec<String>,
}

/// The folder's lock, held while a command writes it: two `generate`s (or a `generate` and a
/// `drop`) run one after the other, each seeing what the other wrote.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
    move |source| FolderError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Takes the folder's lock, waiting for another writer, and finishes or undoes what an
/// interrupted writer left.
pub(super) fn lock(folder: &Folder) -> Result<FolderLock, FolderError> {
    let meta = folder.dir().join("meta");
    fs::create_dir_all(&meta).map_err(write_err(&meta))?;
    let (file, path) = lock_target(&meta)?;
    file.lock().map_err(write_err(&path))?;
    recover(folder)?;
    Ok(FolderLock { _file: file })
}

/// What is locked: `meta/` itself where directories can be opened and locked (nothing is
/// left in the user's folder), else a lock file in it that is never removed (removing it
/// would let a waiting process lock a file that a newcomer then recreates).
fn lock_target(meta: &Path) -> Result<(File, PathBuf), FolderError> {
    #[cfg(unix)]
    if let Ok(dir) = File::open(meta) {
        return Ok((dir, meta.to_path_buf()));
    }
    let path = meta.join(".schema-lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(write_err(&path))?;
    Ok((file, path))
}

/// The intent an interrupted write left, if any.
pub(super) fn read_intent(folder: &Folder) -> Result<Option<Intent>, FolderError> {
    let path = folder.dir().join("meta").join(INTENT);
    match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|source| FolderError::Journal { path, source }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(FolderError::Read { path, source }),
    }
}

/// Finishes or undoes an interrupted write (under the lock), and removes temporary files.
fn recover(folder: &Folder) -> Result<(), FolderError> {
    if let Some(intent) = read_intent(folder)? {
        let journal = folder.read_journal()?;
        let listed = journal.entries.iter().any(|e| e.tag == intent.tag);
        // An add the journal never listed is undone; a drop the journal no longer lists is
        // finished: either way the files go. Listed, the add finished (or the drop never
        // started), and they stay.
        if !listed {
            for f in &intent.files {
                remove_if_there(&folder.dir().join(f))?;
            }
        }
        remove_if_there(&folder.dir().join("meta").join(INTENT))?;
        sync_dir(&folder.dir().join("meta"))?;
    }
    for dir in [folder.dir().to_path_buf(), folder.dir().join("meta")] {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(".tmp-") {
                remove_if_there(&e.path())?;
            }
        }
    }
    Ok(())
}

fn remove_if_there(path: &Path) -> Result<(), FolderError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(source) => Err(FolderError::Write {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// `dir/.name.tmp-PID`: where `name` is written before it is put in place.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Writes `text` to a temporary file beside `path` and syncs it; returns its path.
fn write_temp(path: &Path, text: &str) -> Result<PathBuf, FolderError> {
    write_temp_with(path, &mut |f| f.write_all(text.as_bytes()))
}

/// [`write_temp`] of what `write` writes into the file.
fn write_temp_with(
    path: &Path,
    write: &mut dyn FnMut(&mut File) -> std::io::Result<()>,
) -> Result<PathBuf, FolderError> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        write(&mut f)?;
        fault::point();
        f.sync_all()
    })();
    if let Err(source) = result {
        let _ = fs::remove_file(&tmp);
        return Err(FolderError::Write {
            path: path.to_path_buf(),
            source,
        });
    }
    fault::point();
    Ok(tmp)
}

/// Puts the synced temporary file `tmp` in place at `path`, never replacing a file already
/// there; the temporary name is gone afterwards either way.
fn place_new(tmp: &Path, path: &Path) -> Result<(), FolderError> {
    let placed = match fs::hard_link(tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(FolderError::Exists {
            path: path.to_path_buf(),
        }),
        // A file system without hard links: the lock keeps other writers out, so a check
        // and a rename are as good.
        Err(_) if path.exists() => Err(FolderError::Exists {
            path: path.to_path_buf(),
        }),
        Err(_) => fs::rename(tmp, path).map_err(write_err(path)),
    };
    let _ = fs::remove_file(tmp);
    placed?;
    fault::point();
    Ok(())
}

/// Replaces `path` with `text` in one step: readers see the old file or the new one.
fn replace(path: &Path, text: &str) -> Result<(), FolderError> {
    let tmp = write_temp(path, text)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(write_err(path)(e));
    }
    fault::point();
    Ok(())
}

/// Makes the folder's entries (names, not contents) durable.
fn sync_dir(dir: &Path) -> Result<(), FolderError> {
    #[cfg(unix)]
    {
        File::open(dir).and_then(|d| d.sync_all()).map_err(write_err(dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    fault::point();
    Ok(())
}

fn relative(folder: &Folder, path: &Path) -> String {
    path.strip_prefix(folder.dir())
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// [`FolderError::Exists`] for a file already at one of the entry's paths (its SQL, its
/// snapshot): a migration never replaces one.
pub(super) fn refuse_taken(folder: &Folder, entry: &JournalEntry) -> Result<(), FolderError> {
    taken(&[&folder.sql_path(&entry.tag)?, &folder.snapshot_path(entry.idx)])
}

/// [`FolderError::Exists`] for the first of `paths` that a file is at.
fn taken(paths: &[&Path]) -> Result<(), FolderError> {
    match paths.iter().find(|p| p.exists()) {
        Some(path) => Err(FolderError::Exists {
            path: path.to_path_buf(),
        }),
        None => Ok(()),
    }
}

/// A migration's snapshot written and synced under a temporary name beside its place in
/// `meta/`, not yet in place: [`Folder::write_staged`] (or [`finish_write`]) puts it there
/// with the rest of its migration.
/// Dropped unplaced, the temporary file goes (and a process killed before that leaves one
/// that the next writer's recovery removes).
#[derive(Debug)]
pub struct StagedSnapshot {
    idx: u32,
    tmp: PathBuf,
}

impl Drop for StagedSnapshot {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

/// Writes the snapshot of migration `idx` under its temporary name (the caller holds the
/// lock): straight into the file, so a large schema's snapshot is not held whole.
pub(super) fn stage_snapshot(
    folder: &Folder,
    idx: u32,
    snapshot: &Snapshot,
    stop: &AtomicBool,
    help: Option<&Help>,
) -> Result<StagedSnapshot, FolderError> {
    let tmp = write_temp_with(&folder.snapshot_path(idx), &mut |f| {
        folder
            .dialect()
            .write_snapshot_to(snapshot, &mut Stoppable { file: f, stop }, help)
    })?;
    Ok(StagedSnapshot { idx, tmp })
}

/// A file written until `stop` is set; then each write is an error.
struct Stoppable<'a> {
    file: &'a mut File,
    stop: &'a AtomicBool,
}

impl std::io::Write for Stoppable<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("stopped: the snapshot is not wanted"));
        }
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// A migration's files begun by [`Folder::begin_write`]: its SQL and the journal that lists it
/// written and synced under temporary names, and the intent naming its files durable.
/// [`Folder::finish_write`] puts them in place with the staged snapshot; dropped unfinished, it
/// is withdrawn (a process killed before that leaves it to the next writer's recovery). It
/// lives no longer than the lock it was begun under.
#[derive(Debug)]
pub struct BegunMigration<'lock> {
    folder: Folder,
    idx: u32,
    sql_tmp: PathBuf,
    sql_path: PathBuf,
    journal_tmp: PathBuf,
    finished: bool,
    _lock: std::marker::PhantomData<&'lock FolderLock>,
}

impl BegunMigration<'_> {
    /// Takes back what the beginning wrote, before anything was put in place: its temporary
    /// files and the intent. Not recovery, which removes every path the intent names: a file
    /// somebody put at one of them since the beginning stays untouched.
    fn withdraw(&mut self) -> Result<(), FolderError> {
        self.finished = true;
        let _ = fs::remove_file(&self.sql_tmp);
        let _ = fs::remove_file(&self.journal_tmp);
        let meta = self.folder.dir().join("meta");
        remove_if_there(&meta.join(INTENT))?;
        sync_dir(&meta)
    }
}

impl Drop for BegunMigration<'_> {
    fn drop(&mut self) {
        if !self.finished {
            // Left for the next writer's recovery if it fails.
            let _ = self.withdraw();
        }
    }
}

/// The part of writing a migration that does not need its snapshot (the caller holds the
/// lock), so it can be done while the snapshot is still written: a file already at the
/// migration's paths is refused; its SQL and the journal with its entry appended are written
/// and synced under temporary names; then the intent record naming its files is made
/// durable. Nothing is in place yet: a failure leaves the folder as it was.
pub(super) fn begin_write<'lock>(
    folder: &Folder,
    _lock: &'lock FolderLock,
    journal: &Journal,
    entry: &JournalEntry,
    sql: &str,
) -> Result<BegunMigration<'lock>, FolderError> {
    let meta = folder.dir().join("meta");
    let sql_path = folder.sql_path(&entry.tag)?;
    let snapshot_path = folder.snapshot_path(entry.idx);
    refuse_taken(folder, entry)?;
    let mut next = journal.clone();
    next.entries.push(entry.clone());
    let sql_tmp = write_temp(&sql_path, sql)?;
    let journal_tmp = match write_temp(&folder.journal_path(), &journal_string(&next)) {
        Ok(tmp) => tmp,
        Err(e) => {
            let _ = fs::remove_file(&sql_tmp);
            return Err(e);
        }
    };
    // From here a failure is undone by the value's drop.
    let begun = BegunMigration {
        folder: folder.clone(),
        idx: entry.idx,
        sql_tmp,
        sql_path,
        journal_tmp,
        finished: false,
        _lock: std::marker::PhantomData,
    };
    let intent = Intent {
        op: "add".into(),
        tag: entry.tag.clone(),
        files: vec![relative(folder, &begun.sql_path), relative(folder, &snapshot_path)],
    };
    replace(&meta.join(INTENT), &intent_text(&intent))?;
    sync_dir(&meta)?;
    Ok(begun)
}

/// Puts a begun migration in place with its staged snapshot: the SQL and the snapshot (never
/// replacing a file), the journal that lists it last, then the intent removed. A failure
/// undoes what was put in place, so the folder is as it was.
pub(super) fn finish_write(mut begun: BegunMigration<'_>, staged: StagedSnapshot) -> Result<(), FolderError> {
    let folder = begun.folder.clone();
    let meta = folder.dir().join("meta");
    let snapshot_path = folder.snapshot_path(begun.idx);
    if staged.idx != begun.idx {
        return Err(FolderError::Write {
            path: snapshot_path,
            source: std::io::Error::other(format!(
                "the snapshot was staged for migration {} and the entry is {}",
                staged.idx, begun.idx
            )),
        });
    }
    // Taken since `begin_write` looked (the snapshot was written meanwhile): refused, the
    // intent withdrawn without touching the file that is there.
    if let Err(e) = taken(&[&begun.sql_path, &snapshot_path]) {
        begun.withdraw()?;
        return Err(e);
    }
    let result = (|| {
        place_new(&begun.sql_tmp, &begun.sql_path)?;
        place_new(&staged.tmp, &snapshot_path)?;
        sync_dir(folder.dir())?;
        sync_dir(&meta)?;
        let journal_path = folder.journal_path();
        if let Err(e) = fs::rename(&begun.journal_tmp, &journal_path) {
            return Err(write_err(&journal_path)(e));
        }
        fault::point();
        sync_dir(&meta)
    })();
    // Placed or undone: the value has nothing left to undo.
    begun.finished = true;
    if let Err(e) = result {
        // Undo what was put in place, so the folder is as it was; if that fails too, the
        // intent stays and the next writer undoes it.
        let _ = fs::remove_file(&begun.journal_tmp);
        let _ = recover(&folder);
        return Err(e);
    }
    remove_if_there(&meta.join(INTENT))?;
    sync_dir(&meta)
}

/// Removes a migration (the caller holds the lock): the journal without its entry first, then
/// its files, an intent record covering the step between.
pub(super) fn remove_migration(folder: &Folder, journal: &Journal, tag: &str, idx: u32) -> Result<(), FolderError> {
    let meta = folder.dir().join("meta");
    let files = [folder.sql_path(tag)?, folder.snapshot_path(idx)];
    let intent = Intent {
        op: "drop".into(),
        tag: tag.to_string(),
        files: files.iter().map(|p| relative(folder, p)).collect(),
    };
    replace(&meta.join(INTENT), &intent_text(&intent))?;
    sync_dir(&meta)?;
    let mut next = journal.clone();
    next.entries.retain(|e| e.tag != tag);
    replace(&folder.journal_path(), &journal_string(&next))?;
    sync_dir(&meta)?;
    for path in &files {
        remove_if_there(path)?;
        fault::point();
    }
    sync_dir(folder.dir())?;
    remove_if_there(&meta.join(INTENT))?;
    sync_dir(&meta)
}

fn intent_text(intent: &Intent) -> String {
    serde_json::to_string_pretty(intent).unwrap_or_default()
}
