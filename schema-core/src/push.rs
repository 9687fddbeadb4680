//! `schema push`: the live database brought to the schema without migration files, in one
//! transaction, with the same rebuild safety as the migrator.

use std::collections::BTreeSet;

use rusqlite::Connection;

use crate::dialect::{Plan, PlanErrors, Sqlite};
use crate::diff::{Change, RenameError, RenameHint, Resolver, diff, resolve_renames};
use crate::introspect::introspect;
use crate::migrate::{MigrateError, apply_statements};
use crate::model::Schema;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    #[error("cannot read the database: {0}")]
    Read(#[from] rusqlite::Error),
    #[error(transparent)]
    Renames(#[from] RenameError),
    #[error("{0}")]
    Refused(#[from] PlanErrors),
    #[error(transparent)]
    Apply(#[from] MigrateError),
}

/// What a push would do.
#[derive(Debug, Clone)]
pub struct PushPlan {
    pub changes: Vec<Change>,
    pub plan: Plan,
    /// Changes that drop data, said in words, with the rows concerned.
    pub drops: Vec<String>,
    /// Changes that keep the data but may be refused by it (duplicates, orphans, NULLs).
    pub may_refuse: Vec<String>,
}

/// Compares the database with `schema` and plans the statements that bring it there.
pub fn plan_push(
    conn: &Connection,
    schema: &Schema,
    skip: &[&str],
    hints: &[RenameHint],
    resolver: &mut dyn Resolver,
) -> Result<PushPlan, PushError> {
    let live = introspect(conn, skip)?;
    let target = Sqlite::normalize(schema);
    let renames = resolve_renames(&live, &target, hints, resolver)?;
    let changes = diff(&live, &target, &renames);
    // A unique index behind a UNIQUE constraint cannot be dropped by name: its table is rebuilt.
    let mut forced = BTreeSet::new();
    for c in &changes {
        if let Change::DropIndex { table, index } = c {
            let real: bool = conn.query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [&index.name],
                |r| r.get(0),
            )?;
            if !real {
                forced.insert(table.clone());
            }
        }
    }
    let plan = Sqlite::plan_forcing(&live, &target, &changes, &forced)?;
    let mut drops = Vec::new();
    let mut may_refuse = Vec::new();
    let count = |sql: String| -> i64 { conn.query_row(&sql, [], |r| r.get(0)).unwrap_or(0) };
    let id = crate::dialect::ident;
    for c in &changes {
        match c {
            Change::DropTable { table } => {
                let n = count(format!("SELECT count(*) FROM {}", id(&table.name)));
                drops.push(format!("drops table `{}` and its {n} row(s)", table.name));
            }
            Change::DropColumn { table, column } => {
                let n = count(format!(
                    "SELECT count(*) FROM {} WHERE {} IS NOT NULL",
                    id(table),
                    id(&column.name)
                ));
                drops.push(format!(
                    "drops column `{table}.{}`, which holds a value in {n} row(s)",
                    column.name
                ));
            }
            Change::AlterColumn { table, from, to } => {
                if !from.ty.eq_ignore_case(&to.ty) {
                    may_refuse.push(format!(
                        "changes the type of `{table}.{}` from {} to {}",
                        to.name,
                        Sqlite::column_type(&from.ty),
                        Sqlite::column_type(&to.ty)
                    ));
                }
                if to.not_null && !from.not_null {
                    let n = count(format!(
                        "SELECT count(*) FROM {} WHERE {} IS NULL",
                        id(table),
                        id(&from.name)
                    ));
                    may_refuse.push(format!(
                        "makes `{table}.{}` NOT NULL: {n} NULL(s) become its default",
                        to.name
                    ));
                }
            }
            Change::CreateIndex { table, index } if index.unique => may_refuse.push(format!(
                "adds the unique index `{}` on `{table}`: refused if rows repeat",
                index.name
            )),
            Change::AddCheck { table, check } => may_refuse.push(format!(
                "adds the check `{}` on `{table}`: refused if a row breaks it",
                check.name
            )),
            Change::AddForeignKey { table, fk } => may_refuse.push(format!(
                "adds a foreign key from `{table}` to `{}`: refused if a row points at nothing",
                fk.ref_table
            )),
            Change::SetPrimaryKey { table, .. } => {
                may_refuse.push(format!("changes the primary key of `{table}`: refused if keys repeat"))
            }
            Change::SetOptions {
                table, strict: true, ..
            } => may_refuse.push(format!(
                "makes `{table}` STRICT: refused if a value does not fit its column's type"
            )),
            _ => {}
        }
    }
    Ok(PushPlan {
        changes,
        plan,
        drops,
        may_refuse,
    })
}

/// Applies a planned push in one transaction; on any error the database is as it was.
pub fn apply_push(conn: &mut Connection, push: &PushPlan) -> Result<(), PushError> {
    // The file-level PRAGMAs and guard are for other runners; here foreign keys are handled
    // around the transaction.
    let statements: Vec<String> = push
        .plan
        .statements
        .iter()
        .filter(|s| !s.trim_start().to_ascii_uppercase().starts_with("PRAGMA FOREIGN_KEYS"))
        .cloned()
        .collect();
    // The plan turns foreign keys off for rebuilds and for dropping a referenced table.
    let fk_off = push
        .plan
        .statements
        .iter()
        .any(|s| crate::dialect::turns_foreign_keys_off(s));
    apply_statements(conn, "push", &statements, &push.plan.rebuilt, fk_off)?;
    Ok(())
}

/// How the database differs from what its applied migrations say: the snapshot of the newest
/// applied migration, compared with the database, each difference in words. `None` when no
/// migration of the folder is applied there.
pub fn drift(
    conn: &Connection,
    migrations_dir: &std::path::Path,
    table: &str,
) -> Result<Option<Vec<String>>, DriftError> {
    use crate::migrate::{MigrationState, Migrations};
    let migrations = Migrations::from_dir(migrations_dir)?.with_table(table.to_string());
    let status = migrations.status(conn)?;
    let Some((last, _)) = status
        .migrations
        .iter()
        .rev()
        .find(|(_, s)| matches!(s, MigrationState::Applied { .. } | MigrationState::Edited))
    else {
        return Ok(None);
    };
    let snapshot = crate::journal::Folder::new(migrations_dir).read_snapshot(last.idx)?;
    let live = introspect(conn, &[table])?;
    let changes = diff(&snapshot.schema, &live, &Default::default());
    Ok(Some(changes.iter().map(crate::diff::describe).collect()))
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriftError {
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error(transparent)]
    Folder(#[from] crate::journal::FolderError),
    #[error("cannot read the database: {0}")]
    Read(#[from] rusqlite::Error),
}
