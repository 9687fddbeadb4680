//! `schema generate`: compares the schema with the folder's latest snapshot and writes the
//! next migration (SQL, snapshot, journal entry).

use std::borrow::Cow;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::dialect::{Dialect, Plan, PlanErrors, PlanOptions};
use crate::diff::{
    Change, RenameError, RenameHint, Renames, Resolver, diff, has_persisting_hints, resolve_renames_after,
};
use crate::folder::{BREAKPOINT, Folder, FolderError, Journal, JournalEntry};
use crate::model::Schema;
use crate::snapshot::{Help, ROOT_ID, Snapshot};

/// How to generate.
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// `--name`: the tag's name part; by default one that says what the migration does.
    pub name: Option<String>,
    /// Statements written after the planned ones, as given: what the model does not describe
    /// but the migration must make (`pull`'s views, triggers and virtual tables).
    pub append: Vec<String>,
    /// `--custom`: an empty migration for hand-written SQL, the snapshot carried over.
    pub custom: bool,
    /// Lines written as `-- NOTE: ..` comments at the head of the file (`pull`'s account of
    /// what the baseline does not carry over).
    pub notes: Vec<String>,
    /// `--rename OLD=NEW` / `--rename TABLE.OLD=NEW`.
    pub renames: Vec<RenameHint>,
    /// `--two-phase`: write the expand half of renamed and dropped columns and tables now, and
    /// leave their drops to a later migration (see [`crate::two_phase`]).
    pub two_phase: bool,
}

/// What `generate` did.
#[derive(Debug, Clone, PartialEq)]
// Returned once a run; a box would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum GenerateOutcome {
    /// The schema equals the latest snapshot: nothing written.
    NoChanges,
    /// A migration was written.
    Written(WrittenMigration),
}

/// The migration `generate` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenMigration {
    /// Its tag.
    pub tag: String,
    /// Its SQL file.
    pub sql_path: PathBuf,
    /// Its snapshot.
    pub snapshot_path: PathBuf,
    /// Its statements.
    pub statements: Vec<String>,
    /// What the migration will lose (dropped tables and columns, an index a custom migration
    /// made on a rebuilt table), to say before it runs.
    pub warnings: Vec<String>,
    /// The tables it rebuilds.
    pub rebuilt: Vec<String>,
    /// With `--two-phase`: what a later `schema generate` does.
    pub deferred: Vec<crate::two_phase::Deferred>,
    /// The migrations written just before this one, each on its own: values added to enum
    /// types, which no statement may use in the transaction that adds them.
    pub ahead: Vec<WrittenMigration>,
    /// The migrations written just after this one, each on its own: new indexes built
    /// `concurrently`, outside a transaction.
    pub behind: Vec<WrittenMigration>,
    /// What `schema lint` finds in it: how it bears on the release still running.
    pub lint: crate::lint::MigrationLint,
    /// The changes it makes.
    pub changes: Vec<Change>,
    /// The schema its snapshot holds: the folder's schema after it, normalized.
    pub schema: Schema,
}

/// Why `generate` wrote nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The folder could not be read or written.
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// A rename question has no answer, or a hint is wrong.
    #[error(transparent)]
    Renames(#[from] RenameError),
    /// A change would lose or refuse data.
    #[error("{0}")]
    Refused(#[from] PlanErrors),
    /// `--name` is not a valid name.
    #[error("invalid --name \"{0}\": use letters, digits and underscores")]
    Name(String),
    /// A statement holds the statement separator, so the file would split it in two.
    #[error(
        "a statement holds `--> statement-breakpoint`, where migration files are split; no migration was written. The statement: {statement}"
    )]
    Separator {
        /// The statement.
        statement: String,
    },
    /// The schema says what the folder's dialect cannot make (a PostgreSQL schema on SQLite, a
    /// `u64` on PostgreSQL, a name longer than the server keeps).
    #[error("the schema cannot be made on {dialect}:\n{}", .problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Dialect {
        /// The dialect's name.
        dialect: &'static str,
        /// Each problem, naming its table.
        problems: Vec<String>,
    },
    /// `--two-phase` cannot split a change.
    #[error(transparent)]
    Split(#[from] crate::two_phase::SplitError),
}

/// The comment drizzle-kit puts in a custom migration.
pub const CUSTOM_SQL: &str = "-- Custom SQL migration file, put your code below! --";

/// What the next migration would be, without writing it: the changes and their statements.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The latest snapshot, if the folder has one.
    pub prev: Option<Snapshot>,
    /// How tables and columns were renamed.
    pub renames: Renames,
    /// The changes.
    pub changes: Vec<Change>,
    /// Their statements.
    pub plan: Plan,
    /// The schema, normalized for the folder's dialect, without its rename hints (settled
    /// into `renames`).
    pub target: Schema,
}

/// Compares `schema` with the folder's latest snapshot.
pub fn pending(
    schema: &Schema,
    folder: &Folder,
    hints: &[RenameHint],
    resolver: &mut dyn Resolver,
) -> Result<Pending, GenerateError> {
    pending_from(Cow::Borrowed(schema), folder, hints, resolver)
}

/// [`pending`] of a schema lent, or given: a given one is normalized as it is read
/// ([`Dialect::normalize_owned`]), so the structs' schema and its normalized copy are not
/// both held.
fn pending_from(
    schema: Cow<'_, Schema>,
    folder: &Folder,
    hints: &[RenameHint],
    resolver: &mut dyn Resolver,
) -> Result<Pending, GenerateError> {
    compare(schema, Checked::No, folder, hints, resolver)?.planned(folder.dialect())
}

/// A schema compared with the folder's latest snapshot: [`Pending`] before its plan.
struct Compared {
    prev: Option<Snapshot>,
    renames: Renames,
    changes: Vec<Change>,
    target: Schema,
}

impl Compared {
    /// The schema the changes start from: the latest snapshot's, or none.
    fn before(&self) -> Cow<'_, Schema> {
        self.prev
            .as_ref()
            .map_or_else(|| Cow::Owned(Schema::default()), |p| Cow::Borrowed(&p.schema))
    }

    /// The comparison with its plan: [`Pending`].
    fn planned(self, dialect: &dyn Dialect) -> Result<Pending, GenerateError> {
        let plan = dialect.plan(&self.before(), &self.target, &self.changes, &PlanOptions::default())?;
        Ok(Pending {
            prev: self.prev,
            renames: self.renames,
            changes: self.changes,
            plan,
            target: self.target,
        })
    }
}

/// Whether a schema was checked against the folder's dialect already.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Checked {
    Yes,
    No,
}

/// What `dialect` cannot make of `schema`, as the error generate and pending give.
fn check(dialect: &dyn Dialect, schema: &Schema) -> Result<(), GenerateError> {
    let problems = dialect.check(schema);
    if problems.is_empty() {
        return Ok(());
    }
    Err(GenerateError::Dialect {
        dialect: dialect.name(),
        problems,
    })
}

/// Reads the latest snapshot, normalizes `schema`, settles the renames between them and
/// diffs the two.
fn compare(
    schema: Cow<'_, Schema>,
    checked: Checked,
    folder: &Folder,
    hints: &[RenameHint],
    resolver: &mut dyn Resolver,
) -> Result<Compared, GenerateError> {
    let (prev, renames, target) = settle(schema, checked, folder, hints, resolver)?;
    let empty = Schema::default();
    let changes = diff(prev.as_ref().map_or(&empty, |p| &p.schema), &target, &renames);
    Ok(Compared {
        prev,
        renames,
        changes,
        target,
    })
}

/// [`compare`] before the diff: the latest snapshot, the renames from it, and `schema`
/// normalized, its rename hints left out.
fn settle(
    schema: Cow<'_, Schema>,
    checked: Checked,
    folder: &Folder,
    hints: &[RenameHint],
    resolver: &mut dyn Resolver,
) -> Result<(Option<Snapshot>, Renames, Schema), GenerateError> {
    let journal = folder.read_journal()?;
    let prev = match journal.entries.last() {
        None => None,
        Some(last) => Some(folder.read_snapshot(last.idx)?),
    };
    let dialect = folder.dialect();
    if checked == Checked::No {
        check(dialect, &schema)?;
    }
    let target = match schema {
        Cow::Borrowed(s) => dialect.normalize(s),
        Cow::Owned(s) => dialect.normalize_owned(s),
    };
    let empty = Schema::default();
    let before = prev.as_ref().map_or(&empty, |p| &p.schema);
    // Swaps stated in the code stay there once carried out: the folder's history says which were.
    let done = if has_persisting_hints(before, &target) {
        renames_carried_out(folder, &journal)?
    } else {
        Renames::default()
    };
    let renames = resolve_renames_after(before, &target, hints, resolver, &done)?;
    // The hints are settled into `renames`: the diff, the plan, the snapshot and every
    // caller see the schema without them, whichever way the migration is then made.
    Ok((prev, renames, strip_schema_hints(target)))
}

/// Generates the next migration for `schema` (as the structs describe it) into `folder`,
/// asking `resolver` about renames the hints leave open. Values added to an enum type go in a
/// migration of their own ahead of the rest, when there is more: PostgreSQL refuses a new value
/// in the transaction that adds it.
pub fn generate(
    folder: &Folder,
    schema: &Schema,
    opts: &GenerateOptions,
    resolver: &mut dyn Resolver,
) -> Result<GenerateOutcome, GenerateError> {
    generate_from(folder, Cow::Borrowed(schema), opts, resolver)
}

/// [`generate`] of a schema the caller is done with: it is normalized as it is read, so a
/// large schema is not held twice.
pub fn generate_owned(
    folder: &Folder,
    schema: Schema,
    opts: &GenerateOptions,
    resolver: &mut dyn Resolver,
) -> Result<GenerateOutcome, GenerateError> {
    generate_from(folder, Cow::Owned(schema), opts, resolver)
}

fn generate_from(
    folder: &Folder,
    schema: Cow<'_, Schema>,
    opts: &GenerateOptions,
    resolver: &mut dyn Resolver,
) -> Result<GenerateOutcome, GenerateError> {
    // What the dialect cannot make is said of the schema as written, before any split (the
    // migrations made of it, parts of it, are not checked again).
    check(folder.dialect(), &schema)?;
    if !opts.custom
        && let Some(first) = without_concurrent_indexes(folder, &schema)?
    {
        // The rest first; then the new `concurrently` indexes alone, a migration the migrator
        // runs outside a transaction.
        let GenerateOutcome::Written(mut rest) = generate_from(folder, Cow::Owned(first), opts, resolver)? else {
            return generate_one(folder, schema, Checked::Yes, opts, resolver);
        };
        let built_after = GenerateOptions {
            name: Some("concurrent_indexes".into()),
            notes: vec![
                "CREATE INDEX CONCURRENTLY cannot run in a transaction: this migration runs outside one, \
                 and an index a failed build left INVALID is dropped and built again on the next run"
                    .into(),
            ],
            ..GenerateOptions::default()
        };
        if let GenerateOutcome::Written(after) = generate_one(folder, schema, Checked::Yes, &built_after, resolver)? {
            rest.behind.push(after);
        }
        return Ok(GenerateOutcome::Written(rest));
    }
    let ahead = if opts.custom {
        None
    } else {
        enum_values_ahead(folder, &schema)?
    };
    let Some(ahead) = ahead else {
        return generate_one(folder, schema, Checked::Yes, opts, resolver);
    };
    let first_opts = GenerateOptions {
        name: Some("enum_values".into()),
        ..GenerateOptions::default()
    };
    let GenerateOutcome::Written(first) = generate_one(folder, Cow::Owned(ahead), Checked::No, &first_opts, resolver)?
    else {
        return generate_one(folder, schema, Checked::Yes, opts, resolver);
    };
    match generate_one(folder, schema, Checked::Yes, opts, resolver)? {
        GenerateOutcome::Written(mut rest) => {
            rest.ahead.insert(0, first);
            Ok(GenerateOutcome::Written(rest))
        }
        GenerateOutcome::NoChanges => Ok(GenerateOutcome::Written(first)),
    }
}

/// `schema` without the new indexes it builds `concurrently`, when it changes more than them:
/// the migration to write before theirs.
fn without_concurrent_indexes(folder: &Folder, schema: &Schema) -> Result<Option<Schema>, GenerateError> {
    let concurrent = |t: &crate::model::Table| t.indexes.iter().any(|ix| ix.options.concurrently);
    if !schema.tables.iter().any(concurrent) {
        return Ok(None);
    }
    let journal = folder.read_journal()?;
    let prev = match journal.entries.last() {
        Some(last) => folder.read_snapshot(last.idx)?.schema,
        None => Schema::default(),
    };
    let target = folder.dialect().normalize(schema);
    let mut first = target.clone();
    let mut any = false;
    for t in &mut first.tables {
        let old = prev.table(&t.name);
        t.indexes.retain(|ix| {
            let new = ix.options.concurrently && !old.is_some_and(|o| o.indexes.iter().any(|p| p.name == ix.name));
            any |= new;
            !new
        });
    }
    if !any || diff(&prev, &first, &Renames::default()).is_empty() {
        return Ok(None);
    }
    Ok(Some(first))
}

/// The folder's latest schema with only the values `schema` adds to its enum types (none
/// removed or moved), when `schema` changes more than that: the migration to write first.
fn enum_values_ahead(folder: &Folder, schema: &Schema) -> Result<Option<Schema>, GenerateError> {
    // Normalizing keeps only the enum types the schema has (or none).
    if schema.enum_types().is_empty() {
        return Ok(None);
    }
    let journal = folder.read_journal()?;
    let Some(last) = journal.entries.last() else {
        return Ok(None);
    };
    let dialect = folder.dialect();
    let target = dialect.normalize(schema);
    let prev = folder.read_snapshot(last.idx)?.schema;
    let mut ahead = prev.clone();
    let mut grown = false;
    for e in target.enum_types() {
        let Some(old) = prev.enum_types().into_iter().find(|o| o.same_type(e)) else {
            continue;
        };
        let kept: Vec<&String> = e.values.iter().filter(|v| old.values.contains(v)).collect();
        let only_added = kept.len() == old.values.len() && kept.iter().zip(&old.values).all(|(a, b)| *a == b);
        if !only_added || e.values == old.values {
            continue;
        }
        grown = true;
        for a in &mut ahead.enums {
            if a.same_type(e) {
                a.values = e.values.clone();
            }
        }
        for c in ahead.tables.iter_mut().flat_map(|t| t.columns.iter_mut()) {
            if let Some(a) = c.ty.enum_type_mut()
                && a.same_type(e)
            {
                a.values = e.values.clone();
            }
        }
    }
    if !grown || diff(&ahead, &target, &Renames::default()).is_empty() {
        return Ok(None);
    }
    Ok(Some(ahead))
}

fn generate_one(
    folder: &Folder,
    schema: Cow<'_, Schema>,
    checked: Checked,
    opts: &GenerateOptions,
    resolver: &mut dyn Resolver,
) -> Result<GenerateOutcome, GenerateError> {
    let name = match &opts.name {
        Some(n) => Some(sanitize_name(n)?),
        None => None,
    };
    // Held from reading the journal to writing it: a concurrent `generate` waits, then sees
    // this migration and builds on it.
    let lock = folder.lock()?;
    let journal = folder.read_journal()?;
    // After the last entry, not the entry count: `schema drop` may have left a gap.
    let idx = folder.next_idx(&journal)?;
    let mut deferred = Vec::new();

    // What the migration leads to (its snapshot's schema and renames), and its changes and
    // plan where they had to be made first (a custom migration's are empty; `--two-phase`
    // splits a plan). Otherwise both are made while the snapshot is written.
    let (prev, target, renames, changes, planned) = if opts.custom {
        let mut prev = match journal.entries.last() {
            None => None,
            Some(last) => Some(folder.read_snapshot(last.idx)?),
        };
        // Carried over whole; nothing is planned from it.
        let carried = prev.as_mut().map(|p| std::mem::take(&mut p.schema)).unwrap_or_default();
        (
            prev,
            carried,
            Renames::default(),
            Some(Vec::new()),
            Some(Plan::default()),
        )
    } else if opts.two_phase {
        let c = compare(schema, checked, folder, &opts.renames, resolver)?;
        if c.changes.is_empty() {
            return Ok(GenerateOutcome::NoChanges);
        }
        let (first, later) = crate::two_phase::first_phase(folder.dialect(), c.planned(folder.dialect())?)?;
        deferred = later;
        (
            first.prev,
            first.target,
            first.renames,
            Some(first.changes),
            Some(first.plan),
        )
    } else {
        let (prev, renames, target) = settle(schema, checked, folder, &opts.renames, resolver)?;
        (prev, target, renames, None, None)
    };
    // Later than the last entry's, even within its millisecond or after the clock went back:
    // drizzle-orm's migrator applies only migrations whose `when` is after the last applied.
    let when = next_when(now_millis(), &journal);
    let prev_id = prev.as_ref().map_or_else(|| ROOT_ID.to_string(), |p| p.id.clone());
    let snapshot = Snapshot {
        id: new_id(&prev_id, idx, when),
        prev_id,
        schema: target,
        renames,
    };
    let empty = Schema::default();
    let before = prev.as_ref().map_or(&empty, |p| &p.schema);

    // The plan and the SQL: made while the snapshot (most of a large schema's writing) is
    // written beside them.
    let build = |changes: &[Change]| -> Result<Built, GenerateError> {
        let mut plan = match planned {
            Some(plan) => plan,
            None => folder
                .dialect()
                .plan(before, &snapshot.schema, changes, &PlanOptions::default())?,
        };
        let default_name = if opts.custom {
            "custom".to_string()
        } else if prev.is_none() {
            initial_name(&snapshot.schema)
        } else {
            tag_name(changes, &plan)
        };
        let sql = if opts.custom {
            CUSTOM_SQL.to_string()
        } else {
            migration_sql(folder, &journal, opts, changes, &mut plan, &snapshot.schema)?
        };
        let tag = format!("{idx:04}_{}", name.unwrap_or(default_name));
        Ok(Built { sql, plan, tag })
    };
    // Set once the diff finds nothing or the plan is refused: a snapshot begun before it is
    // not wanted then.
    let unwanted = AtomicBool::new(false);
    // Offered once the plan and the SQL are made: the rest of a large snapshot is then
    // written by two threads.
    let help = Help::default();
    let stage = || {
        crate::room::make_room();
        folder.stage_snapshot_until(&lock, idx, &snapshot, &unwanted, Some(&help))
    };
    let done = std::thread::scope(|s| {
        let spawn = || {
            std::thread::Builder::new()
                .name("schema-snapshot".into())
                .spawn_scoped(s, stage)
        };
        // Begun at once, beside the diff, the plan and the SQL: where nothing changed, it
        // stops at its next piece and its temporary file is removed.
        let early = spawn();
        let changes = match changes {
            Some(changes) => changes,
            None => {
                let changes = diff(before, &snapshot.schema, &snapshot.renames);
                if changes.is_empty() {
                    unwanted.store(true, Ordering::Relaxed);
                    // The staged file, if it was finished, goes with its value.
                    if let Ok(h) = early {
                        let _ = h.join();
                    }
                    return None;
                }
                changes
            }
        };
        let built = match build(&changes) {
            Ok(built) => built,
            // The plan's refusal: the snapshot begun is not wanted.
            Err(e) => {
                unwanted.store(true, Ordering::Relaxed);
                if let Ok(h) = early {
                    let _ = h.join();
                }
                return Some(Err(e));
            }
        };
        let entry = JournalEntry {
            idx,
            version: folder.dialect().snapshot_version().into(),
            when,
            tag: built.tag.clone(),
            breakpoints: true,
        };
        // The migration's files are begun (its SQL and the next journal synced under
        // temporary names, the intent durable) while the snapshot is still written and
        // synced, then put in place with it; a long migration is linted meanwhile.
        let write = || {
            // Beginning the files mostly waits for the disk: the snapshot's helper may take
            // the core meanwhile.
            help.offer();
            let begun = folder.begin_write(&lock, &journal, &entry, &built.sql);
            let staged = match early {
                Ok(h) => h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => stage(),
            };
            // A file already in the migration's place (or a tag that cannot name one) is the
            // error to report, as begin_write looks first; then what went wrong staging the
            // snapshot (a full disk is told by the largest file), then the rest of the
            // beginning.
            let begun = match begun {
                Err(e @ (FolderError::Exists { .. } | FolderError::UnsafeTag { .. })) => return Err(e),
                begun => begun,
            };
            let staged = staged?;
            folder.finish_write(&lock, begun?, staged)
        };
        let lint = || {
            crate::lint::lint_written(
                folder.dialect(),
                &built.tag,
                &built.sql,
                &changes,
                &built.plan,
                &snapshot.schema,
            )
        };
        let lint = beside(write, lint, built.sql.len() >= LINT_BESIDE_BYTES);
        Some(Ok((built, lint, changes)))
    });
    let Some(done) = done else {
        let tables = prev.as_ref().map_or(0, |p| p.schema.tables.len()) + snapshot.schema.tables.len();
        crate::room::drop_aside((prev, snapshot), tables);
        return Ok(GenerateOutcome::NoChanges);
    };
    // The plan's refusal first: it says what is wrong with the schema.
    let (Built { sql: _, plan, tag }, lint, changes) = done?;
    let lint = lint?;
    drop(lock);
    // The previous schema is no longer needed; the new one goes to the caller.
    let tables = prev.as_ref().map_or(0, |p| p.schema.tables.len());
    crate::room::drop_aside(prev, tables);
    Ok(GenerateOutcome::Written(WrittenMigration {
        lint,
        sql_path: folder.sql_path(&tag)?,
        snapshot_path: folder.snapshot_path(idx),
        tag,
        statements: plan.statements,
        warnings: plan.warnings,
        rebuilt: plan.rebuilt,
        deferred,
        ahead: Vec::new(),
        behind: Vec::new(),
        changes,
        schema: snapshot.schema,
    }))
}

/// A migration's plan, its SQL and its tag.
struct Built {
    sql: String,
    plan: Plan,
    tag: String,
}

/// From this much SQL on, a migration is linted on a thread of its own while its files are
/// written (and synced to the disk): 940 statements, 340 KB, take about 2 ms to lint. A
/// short one is linted after, where a thread would cost more than it saves.
const LINT_BESIDE_BYTES: usize = 32 * 1024;

/// `write`, then what `lint` found: with `apart`, `lint` runs on a second thread meanwhile.
/// Lint only reads; what a failed write leaves is the write's to undo, and its error is the
/// one reported.
fn beside<E>(
    write: impl FnOnce() -> Result<(), E>,
    lint: impl Fn() -> crate::lint::MigrationLint + Sync,
    apart: bool,
) -> Result<crate::lint::MigrationLint, E> {
    if !apart {
        write()?;
        return Ok(lint());
    }
    std::thread::scope(|s| {
        let linting = std::thread::Builder::new()
            .name("schema-lint".into())
            .spawn_scoped(s, &lint);
        let written = write();
        let found = match linting {
            Ok(h) => h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // Without a thread, after the write.
            Err(_) => lint(),
        };
        written.map(|()| found)
    })
}

/// The migration's SQL: the notes, then the plan's statements and those appended, between
/// breakpoints; the plan's warnings gain the custom indexes it would lose and the lossy
/// conversions.
fn migration_sql(
    folder: &Folder,
    journal: &Journal,
    opts: &GenerateOptions,
    changes: &[Change],
    plan: &mut Plan,
    target: &Schema,
) -> Result<String, GenerateError> {
    plan.warnings
        .extend(custom_index_warnings(folder, journal, plan, changes, target)?);
    // The same risk push says before it converts a column.
    let dialect = folder.dialect();
    let lossy: Vec<String> = changes
        .iter()
        .filter_map(|c| crate::diff::type_change(c, dialect))
        .collect();
    plan.warnings.extend(lossy);
    let statements: Vec<&String> = plan.statements.iter().chain(&opts.append).collect();
    // Neither migrator could run a statement that the separator cuts in two.
    if let Some(s) = statements.iter().find(|s| s.contains(BREAKPOINT)) {
        return Err(GenerateError::Separator {
            statement: s.to_string(),
        });
    }
    let head: String = opts
        .notes
        .iter()
        .map(|n| {
            format!(
                "-- NOTE: {}\n",
                n.replace(['\n', '\r'], " ")
                    .replace(BREAKPOINT, "-- > statement-breakpoint")
            )
        })
        .collect();
    Ok(head
        + &statements
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(&format!("{BREAKPOINT}\n")))
}

/// An index made by hand in an earlier migration: its name, table, text and migration.
struct CustomIndex {
    name: String,
    table: String,
    sql: String,
    tag: String,
}

/// The indexes earlier migrations made by hand (`CREATE INDEX` in a custom migration) that
/// the schema does not declare, as they stand after every migration of the folder.
fn custom_indexes(folder: &Folder, journal: &Journal, declared: &[&str]) -> Result<Vec<CustomIndex>, FolderError> {
    use schema_model::sql::lex::{self, Kind};
    let mut found: Vec<CustomIndex> = Vec::new();
    for e in &journal.entries {
        let path = folder.sql_path(&e.tag)?;
        let Some(text) = path.is_file().then(|| std::fs::read_to_string(&path).ok()).flatten() else {
            continue;
        };
        for stmt in lex::split(&text) {
            let src = stmt.text;
            let toks: Vec<_> = lex::tokenize(src).into_iter().filter(|t| !t.is_comment()).collect();
            let name_at = |i: usize| {
                toks.get(i).map(|t| match &t.kind {
                    Kind::Quoted(n) | Kind::Str(n) => n.clone(),
                    _ => t.text(src).to_string(),
                })
            };
            let word = |i: usize, w: &str| toks.get(i).is_some_and(|t| t.is_word(src, w));
            if word(0, "CREATE") {
                let mut i = 1;
                if word(i, "UNIQUE") {
                    i += 1;
                }
                if !word(i, "INDEX") {
                    continue;
                }
                i += 1;
                if word(i, "IF") {
                    i += 3;
                }
                if let (Some(name), true, Some(table)) = (name_at(i), word(i + 1, "ON"), name_at(i + 2)) {
                    found.retain(|c| !c.name.eq_ignore_ascii_case(&name));
                    found.push(CustomIndex {
                        name,
                        table,
                        sql: src.to_string(),
                        tag: e.tag.clone(),
                    });
                }
            } else if word(0, "DROP") && word(1, "INDEX") {
                let at = if word(2, "IF") { 4 } else { 2 };
                if let Some(name) = name_at(at) {
                    found.retain(|c| !c.name.eq_ignore_ascii_case(&name));
                }
            } else if word(0, "DROP") && word(1, "TABLE") {
                let at = if word(2, "IF") { 4 } else { 2 };
                if let Some(table) = name_at(at) {
                    found.retain(|c| !c.table.eq_ignore_ascii_case(&table));
                }
            } else if word(0, "ALTER")
                && word(1, "TABLE")
                && word(3, "RENAME")
                && word(4, "TO")
                && let (Some(from), Some(to)) = (name_at(2), name_at(5))
            {
                for c in found.iter_mut().filter(|c| c.table.eq_ignore_ascii_case(&from)) {
                    c.table = to.clone();
                }
            }
        }
    }
    found.retain(|c| !declared.iter().any(|d| d.eq_ignore_ascii_case(&c.name)));
    Ok(found)
}

/// What a rebuild does to the indexes custom migrations made on its table: the migrator makes
/// them again, unless a column they name is dropped, in which case they are lost.
fn custom_index_warnings(
    folder: &Folder,
    journal: &Journal,
    plan: &Plan,
    changes: &[Change],
    target: &Schema,
) -> Result<Vec<String>, FolderError> {
    if plan.rebuilt.is_empty() {
        return Ok(Vec::new());
    }
    let declared: Vec<&str> = target
        .tables
        .iter()
        .flat_map(|t| t.indexes.iter().map(|i| i.name.as_str()))
        .collect();
    let mut out = Vec::new();
    for c in custom_indexes(folder, journal, &declared)? {
        let Some(table) = plan.rebuilt.iter().find(|t| t.eq_ignore_ascii_case(&c.table)) else {
            continue;
        };
        let dropped: Vec<&str> = changes
            .iter()
            .filter_map(|ch| match ch {
                Change::DropColumn { table: t, column } if t == table => Some(column.name.as_str()),
                _ => None,
            })
            .filter(|col| index_names_column(&c.sql, col))
            .collect();
        out.push(match dropped.first() {
            Some(col) => format!(
                "rebuilding `{table}` loses the index `{}` (made by {}, not declared in the schema): it names `{col}`, \
                 which this migration drops",
                c.name, c.tag
            ),
            None => format!(
                "rebuilding `{table}` drops the index `{}` (made by {}, not declared in the schema); the migrator makes \
                 it again after the rebuild. Declare it with #[index(..)] to keep it in the schema",
                c.name, c.tag
            ),
        });
    }
    Ok(out)
}

/// Whether an index's text names `column` after its `ON table`.
fn index_names_column(sql: &str, column: &str) -> bool {
    use schema_model::sql::lex::{Kind, tokenize};
    let toks: Vec<_> = tokenize(sql).into_iter().filter(|t| !t.is_comment()).collect();
    let Some(on) = toks.iter().position(|t| t.is_word(sql, "ON")) else {
        return false;
    };
    toks[on + 2..].iter().any(|t| match &t.kind {
        Kind::Quoted(n) => n.eq_ignore_ascii_case(column),
        Kind::Word => t.text(sql).eq_ignore_ascii_case(column),
        _ => false,
    })
}

/// Every rename the folder's migrations carried out, from their snapshots' `_meta`.
fn renames_carried_out(folder: &Folder, journal: &Journal) -> Result<Renames, FolderError> {
    let mut all = Renames::default();
    for e in &journal.entries {
        let s = folder.read_snapshot(e.idx)?;
        all.tables.extend(s.renames.tables);
        all.columns.extend(s.renames.columns);
    }
    Ok(all)
}

fn initial_name(target: &Schema) -> String {
    match target.tables.as_slice() {
        // A table's name may hold anything; a tag may not.
        [only] => schema_model::tag::clean_name(&format!("create_{}", only.name), "init"),
        _ => "init".to_string(),
    }
}

/// A tag that says what the migration does: `users_add_bio`, `posts_rebuild`,
/// `create_comments`, `drop_legacy`; several tables are named together, up to a length.
pub fn tag_name(changes: &[Change], plan: &Plan) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut tables: Vec<&str> = changes.iter().map(Change::table).collect();
    tables.dedup();
    let mut seen = std::collections::BTreeSet::new();
    tables.retain(|t| seen.insert(*t));
    for t in tables {
        let cs: Vec<&Change> = changes.iter().filter(|c| c.table() == t).collect();
        let part = match cs.as_slice() {
            [Change::CreateTable { .. }] => format!("create_{t}"),
            [Change::DropTable { .. }] => format!("drop_{t}"),
            [Change::RenameTable { from, .. }] => format!("rename_{from}_to_{t}"),
            _ if plan.rebuilt.iter().any(|r| r == t) => format!("{t}_rebuild"),
            [Change::AddColumn { column, .. }] => format!("{t}_add_{}", column.name),
            [Change::DropColumn { column, .. }] => format!("{t}_drop_{}", column.name),
            [Change::RenameColumn { to, .. }] => format!("{t}_rename_{to}"),
            _ if cs.iter().all(|c| matches!(c, Change::AddColumn { .. })) => format!("{t}_add_columns"),
            _ if cs
                .iter()
                .all(|c| matches!(c, Change::CreateIndex { .. } | Change::DropIndex { .. })) =>
            {
                format!("{t}_indexes")
            }
            _ => format!("{t}_alter"),
        };
        parts.push(part);
    }
    let mut name = String::new();
    for p in &parts {
        if !name.is_empty() && name.len() + p.len() + 1 > 48 {
            name.push_str("_and_more");
            break;
        }
        if !name.is_empty() {
            name.push('_');
        }
        name.push_str(p);
    }
    schema_model::tag::clean_name(&name, "update")
}

fn strip_schema_hints(mut s: Schema) -> Schema {
    for t in &mut s.tables {
        strip_hints_in_place(t);
    }
    s
}

/// Whether two normalized schemas are the same, table order aside.
pub fn same_schema(a: &Schema, b: &Schema) -> bool {
    if a.tables.len() != b.tables.len() {
        return false;
    }
    // Without rename hints (snapshots never have them) the tables compare as they are; only
    // hints make a stripped copy worth its cost.
    let hinted = |s: &Schema| {
        s.tables
            .iter()
            .any(|t| t.renamed_from.is_some() || t.columns.iter().any(|c| c.renamed_from.is_some()))
    };
    if !hinted(a) && !hinted(b) {
        fn sorted(s: &Schema) -> Vec<&crate::model::Table> {
            let mut t: Vec<&crate::model::Table> = s.tables.iter().collect();
            t.sort_by(|x, y| x.name.cmp(&y.name));
            t
        }
        return sorted(a) == sorted(b);
    }
    let sorted = |s: &Schema| {
        let mut t: Vec<_> = s.tables.iter().map(strip_hints).collect();
        t.sort_by(|x, y| x.name.cmp(&y.name));
        t
    };
    sorted(a) == sorted(b)
}

/// The table without rename hints, which say how to get somewhere, not where.
fn strip_hints(t: &crate::model::Table) -> crate::model::Table {
    let mut t = t.clone();
    strip_hints_in_place(&mut t);
    t
}

/// [`strip_hints`] on a table this code owns, without a copy.
fn strip_hints_in_place(t: &mut crate::model::Table) {
    t.renamed_from = None;
    for c in &mut t.columns {
        c.renamed_from = None;
    }
}

fn sanitize_name(name: &str) -> Result<String, GenerateError> {
    let clean: String = name
        .trim()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect();
    if clean.is_empty() || !clean.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(GenerateError::Name(name.to_string()));
    }
    Ok(clean.to_lowercase())
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The `when` of the next migration: `now`, or one millisecond after the latest entry's when
/// that is not before `now` (the same millisecond, or a clock set back).
fn next_when(now: i64, journal: &Journal) -> i64 {
    match journal.entries.iter().map(|e| e.when).max() {
        Some(latest) if latest >= now => latest.saturating_add(1),
        _ => now,
    }
}

/// A version-4-shaped UUID for a snapshot id, from the snapshot it follows, the migration's
/// number, the time and the process: ids only need to differ between snapshots, not to be
/// secret. (Not from the migration's SQL: the snapshot is written while that is planned.)
fn new_id(prev_id: &str, idx: u32, when: i64) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = Sha256::new();
    h.update(prev_id.as_bytes());
    h.update(idx.to_le_bytes());
    h.update(when.to_le_bytes());
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    // Two ids made in one process within the clock's resolution still differ.
    static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    h.update(MADE.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let mut b: [u8; 16] = h.finalize()[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_uuids_and_differ() {
        let a = new_id("x", 1, 1);
        let b = new_id("x", 1, 1);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, b);
    }

    /// drizzle-orm applies a migration only when its `when` is after the last applied one's.
    #[test]
    fn a_migration_is_later_than_every_one_before_it() {
        let mut journal = Journal::new("sqlite");
        assert_eq!(next_when(1_000, &journal), 1_000);
        for (idx, when) in [(0, 900), (1, 1_500), (2, 1_200)] {
            journal.entries.push(JournalEntry {
                idx,
                version: "6".into(),
                when,
                tag: format!("{idx:04}_x"),
                breakpoints: true,
            });
        }
        assert_eq!(next_when(2_000, &journal), 2_000);
        assert_eq!(next_when(1_500, &journal), 1_501, "the same millisecond");
        assert_eq!(next_when(1_000, &journal), 1_501, "a clock set back");
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(sanitize_name("Add bio").unwrap(), "add_bio");
        assert!(sanitize_name("../evil").is_err());
        assert!(sanitize_name("").is_err());
    }
}
