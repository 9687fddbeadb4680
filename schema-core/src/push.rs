//! `schema push`: the live database brought to the schema without migration files, in one
//! transaction, with the same safety as the migrator.

use crate::dialect::{Plan, PlanErrors};
use crate::diff::{Change, RenameError, RenameHint, Resolver, diff, persisting_hints, resolve_renames_after};
use crate::driver::{Driver, RowFilter};
use crate::migrate::{DbError, MigrateError};
use crate::model::Schema;

/// Why a push did nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The database could not be read.
    #[error("cannot read the database: {0}")]
    Read(#[from] DbError),
    /// A rename question has no answer, or a hint is wrong.
    #[error(transparent)]
    Renames(#[from] RenameError),
    /// A change would lose or refuse data.
    #[error("{0}")]
    Refused(#[from] PlanErrors),
    /// The schema says what the database's dialect cannot make.
    #[error("the schema cannot be made on {dialect}:\n{}", .problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Dialect {
        /// The dialect's name.
        dialect: &'static str,
        /// Each problem, naming its table.
        problems: Vec<String>,
    },
    /// Rows a change would leave without a value (NULLs in a column made NOT NULL without a
    /// default, rows of a table that gets a NOT NULL column without one); counted before
    /// anything ran, and nothing did.
    #[error(
        "push cannot apply the schema, so nothing was changed:\n{}",
        .0.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
    )]
    RowsWithoutValue(Vec<String>),
    /// Applying failed; the database is as it was.
    #[error(transparent)]
    Apply(#[from] MigrateError),
}

/// What a push would do.
#[derive(Debug, Clone)]
pub struct PushPlan {
    /// The changes.
    pub changes: Vec<Change>,
    /// Their statements.
    pub plan: Plan,
    /// Changes that drop data, said in words, with the rows concerned.
    pub drops: Vec<String>,
    /// Changes that keep the data but may be refused by it (duplicates, orphans, NULLs).
    pub may_refuse: Vec<String>,
}

/// Compares the database with `schema` and plans the statements that bring it there.
pub fn plan_push(
    driver: &mut dyn Driver,
    schema: &Schema,
    skip: &[&str],
    hints: &[RenameHint],
    resolver: &mut dyn Resolver,
) -> Result<PushPlan, PushError> {
    check(driver, schema)?;
    let live = driver.introspect(skip)?;
    plan_against(driver, live, schema, hints, resolver)
}

/// [`plan_push`] against what `driver.introspect` already returned, so a caller can read
/// the database while it reads the schema. The errors are [`plan_push`]'s, in its order: the
/// schema's problems before the database's.
pub fn plan_push_read(
    driver: &mut dyn Driver,
    live: Result<Schema, DbError>,
    schema: &Schema,
    hints: &[RenameHint],
    resolver: &mut dyn Resolver,
) -> Result<PushPlan, PushError> {
    check(driver, schema)?;
    plan_against(driver, live?, schema, hints, resolver)
}

/// What the schema says that the database's dialect cannot make.
fn check(driver: &dyn Driver, schema: &Schema) -> Result<(), PushError> {
    let dialect = driver.dialect();
    let problems = dialect.check(schema);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PushError::Dialect {
            dialect: dialect.name(),
            problems,
        })
    }
}

fn plan_against(
    driver: &mut dyn Driver,
    live: Schema,
    schema: &Schema,
    hints: &[RenameHint],
    resolver: &mut dyn Resolver,
) -> Result<PushPlan, PushError> {
    let dialect = driver.dialect();
    let target = driver.as_stored(schema)?;
    // A swap the code states is a migration's job: push, with no history, cannot tell one to
    // make from one made, so it leaves them out rather than swap at every push.
    let renames = resolve_renames_after(&live, &target, hints, resolver, &persisting_hints(&live, &target))?;
    let changes = diff(&live, &target, &renames);
    let opts = driver.plan_options(&changes)?;
    let plan = dialect.plan(&live, &target, &changes, &opts)?;
    let (drops, may_refuse, blocked) = risks(driver, &changes)?;
    if !blocked.is_empty() {
        return Err(PushError::RowsWithoutValue(blocked));
    }
    Ok(PushPlan {
        changes,
        plan,
        drops,
        may_refuse,
    })
}

/// What one push's changes risk, in words with row counts.
type Risks = (Vec<String>, Vec<String>, Vec<String>);

/// The changes that lose data, those the data may refuse, and those the data does refuse
/// (rows that would have no value), in words with row counts.
fn risks(driver: &mut dyn Driver, changes: &[Change]) -> Result<Risks, DbError> {
    let dialect = driver.dialect();
    let mut drops = Vec::new();
    let mut may_refuse = Vec::new();
    let mut blocked = Vec::new();
    // A count that fails (a table the database lacks) is said as 0, not a reason to stop.
    let mut count = |table: &str, filter| driver.count_rows(table, filter).unwrap_or(0);
    for c in changes {
        match c {
            Change::DropTable { table } => {
                let n = count(&table.name, RowFilter::All);
                drops.push(format!("drops table `{}` and its {n} row(s)", table.name));
            }
            Change::DropColumn { table, column } => {
                let n = count(table, RowFilter::NotNull(&column.name));
                drops.push(format!(
                    "drops column `{table}.{}`, which holds a value in {n} row(s)",
                    column.name
                ));
            }
            Change::AlterColumn { table, from, to } => {
                if let Some(risk) = crate::diff::type_change(c, dialect) {
                    may_refuse.push(risk);
                }
                if to.not_null && !from.not_null {
                    let n = count(table, RowFilter::IsNull(&from.name));
                    if to.default.is_some() || to.generated.is_some() {
                        may_refuse.push(format!(
                            "makes `{table}.{}` NOT NULL: {n} NULL(s) become its default",
                            to.name
                        ));
                    } else if n > 0 {
                        blocked.push(format!(
                            "`{table}.{}` becomes NOT NULL without a default, but {n} row(s) hold NULL there: \
                             fill them first (UPDATE {table} SET {} = .. WHERE {} IS NULL), or give the column a default",
                            to.name, to.name, to.name
                        ));
                    }
                }
            }
            Change::AddColumn { table, column }
                if column.not_null && column.default.is_none() && column.generated.is_none() =>
            {
                let n = count(table, RowFilter::All);
                if n > 0 {
                    blocked.push(format!(
                        "`{table}` has {n} row(s), which would have no value for the new NOT NULL column `{}` \
                         (it has no default): give it a default, or add it as an Option and fill it first",
                        column.name
                    ));
                }
            }
            Change::CreateIndex { table, index } if index.unique => may_refuse.push(format!(
                "adds the unique index `{}` on `{table}`: refused if rows repeat",
                index.name
            )),
            Change::AddUnique { table, unique } => may_refuse.push(format!(
                "adds a unique constraint on `{table}` ({}): refused if rows repeat",
                unique.columns.join(", ")
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
            Change::SetOptions { table, from, to } => {
                if let Some(risk) = dialect.options_risk(from, to) {
                    may_refuse.push(format!("makes `{table}` {risk}"));
                }
            }
            _ => {}
        }
    }
    Ok((drops, may_refuse, blocked))
}

/// Applies a planned push in one transaction; on any error the database is as it was.
/// Returns what the user should know (an index a rebuild could not keep).
pub fn apply_push(driver: &mut dyn Driver, push: &PushPlan) -> Result<Vec<String>, PushError> {
    Ok(driver.apply_plan("push", &push.plan)?)
}
