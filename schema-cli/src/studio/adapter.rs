//! The one place the studio calls schema-core (introspection, migration status, drift), so
//! that when those paths move only this file follows them.

use schema_core::dialect::Dialect;
use schema_core::driver::Driver;
use schema_core::folder::Folder;
use schema_core::model::{IndexTarget, Table, TableOptions};
use schema_core::{DbError, MigrationState, Migrations};

use super::db::{CheckInfo, ColumnInfo, ForeignKeyInfo, IndexInfo, MigrationEntry, MigrationReport, TableDrift};

/// A table as introspection reads it, in the studio's terms.
#[derive(Debug, Clone)]
pub struct Described {
    pub name: String,
    pub columns: Vec<ColumnInfo>,
    pub primary_key: Vec<String>,
    pub indexes: Vec<IndexInfo>,
    pub checks: Vec<CheckInfo>,
    pub foreign_keys: Vec<ForeignKeyInfo>,
    /// The dialect's table options (SQLite's STRICT, WITHOUT ROWID).
    pub options: TableOptions,
}

/// Every ordinary table of the database (virtual tables and views are not in the model).
pub fn describe_tables(driver: &mut dyn Driver) -> Result<Vec<Described>, DbError> {
    let schema = driver.introspect(&[])?;
    let dialect = driver.dialect();
    Ok(schema.tables.iter().map(|t| described(t, dialect)).collect())
}

fn described(t: &Table, dialect: &dyn Dialect) -> Described {
    let columns = t
        .columns
        .iter()
        .map(|c| ColumnInfo {
            name: c.name.clone(),
            ty: dialect.column_type(&c.ty),
            not_null: c.not_null,
            default: c.default.as_ref().map(|d| d.to_sql()),
            primary_key: c.primary_key || t.primary_key.as_ref().is_some_and(|p| p.columns.contains(&c.name)),
            autoincrement: c.autoincrement,
            generated: c.generated.as_ref().map(|g| (g.expr.clone(), g.stored)),
            collate: c.collate.clone(),
        })
        .collect();
    let indexes = t
        .indexes
        .iter()
        .map(|i| {
            let (columns, expr) = match &i.target {
                IndexTarget::Columns(c) => (c.clone(), None),
                IndexTarget::Expr(e) => (Vec::new(), Some(e.clone())),
            };
            IndexInfo {
                name: i.name.clone(),
                columns,
                expr,
                unique: i.unique,
                where_clause: i.where_clause.clone(),
            }
        })
        .collect();
    Described {
        name: t.name.clone(),
        columns,
        primary_key: t.key_columns().into_iter().map(str::to_string).collect(),
        indexes,
        checks: t
            .checks
            .iter()
            .map(|c| CheckInfo {
                name: c.name.clone(),
                expr: c.expr.clone(),
            })
            .collect(),
        foreign_keys: t
            .foreign_keys
            .iter()
            .map(|f| ForeignKeyInfo {
                table: t.name.clone(),
                columns: f.columns.clone(),
                ref_table: f.ref_table.clone(),
                ref_columns: f.ref_columns.clone(),
                on_delete: f.on_delete.as_str().to_string(),
                on_update: f.on_update.as_str().to_string(),
            })
            .collect(),
        options: t.options.clone(),
    }
}

/// What `schema status` computes, as data: each migration's state and SQL, the missing
/// ones, and the drift grouped by table. Reads only.
pub fn migration_report(driver: &mut dyn Driver, folder: &Folder, table: &str, schema: &str) -> MigrationReport {
    let mut report = MigrationReport {
        folder: folder.dir().display().to_string(),
        ..MigrationReport::default()
    };
    let migrations = match Migrations::from_dir(folder.dir()) {
        Ok(m) => m.with_table(table.to_string()).with_schema(schema.to_string()),
        // No folder yet: nothing to list and nothing to compare, which the page says.
        Err(schema_core::MigrateError::Folder(schema_core::folder::FolderError::NoJournal { .. })) => return report,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    let status = match driver.status(&migrations) {
        Ok(s) => s,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    for (m, state) in &status.migrations {
        let (state, applied_at) = match state {
            MigrationState::Applied { applied_at } => ("applied", applied_at.clone()),
            MigrationState::Pending => ("pending", None),
            MigrationState::Edited => ("edited", None),
        };
        report.migrations.push(MigrationEntry {
            tag: m.tag().to_string(),
            state,
            applied_at,
            sql: m.sql().to_string(),
            statements: m.statements().len(),
        });
    }
    report.missing = status.missing.clone();
    match schema_core::drift::drift(driver, folder, &migrations, &[]) {
        Ok(None) => {}
        Ok(Some(lines)) => {
            let tables: Vec<String> = describe_tables(driver)
                .map(|t| t.into_iter().map(|t| t.name).collect())
                .unwrap_or_default();
            report.drift = Some(group_by_table(lines, &tables));
        }
        Err(e) => report.drift_error = Some(e.to_string()),
    }
    report
}

/// `status` says each difference as a line naming its table first (`` table `posts`: … ``,
/// `` column `posts.title`: … ``); this sorts the lines under their tables, in first-seen order.
fn group_by_table(lines: Vec<String>, known: &[String]) -> Vec<TableDrift> {
    let mut out: Vec<TableDrift> = Vec::new();
    for line in lines {
        let table = table_named_by(&line, known);
        match out.iter_mut().find(|d| d.table == table) {
            Some(d) => d.differences.push(line),
            None => out.push(TableDrift {
                table,
                differences: vec![line],
            }),
        }
    }
    out
}

fn table_named_by(line: &str, known: &[String]) -> String {
    let Some(quoted) = line.split('`').nth(1) else {
        return String::new();
    };
    if line.starts_with("column ") {
        // `table.column`: the longest known table the text starts with, since a table name
        // may itself hold a dot.
        let mut best = known
            .iter()
            .filter(|t| quoted.len() > t.len() && quoted.starts_with(t.as_str()) && quoted[t.len()..].starts_with('.'))
            .max_by_key(|t| t.len())
            .cloned();
        if best.is_none() {
            best = quoted.rsplit_once('.').map(|(t, _)| t.to_string());
        }
        return best.unwrap_or_else(|| quoted.to_string());
    }
    quoted.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_lines_are_grouped_under_their_table() {
        let lines = vec![
            "table `big`: in the database, not in the migrations".to_string(),
            "column `a.b.c`: type text in the migrations, integer in the database".to_string(),
            "column `users.bio`: in the database, not in the migrations".to_string(),
            "table `users`: index `x` on (bio) in the database, not in the migrations".to_string(),
        ];
        let known = vec![
            "a.b".to_string(),
            "a".to_string(),
            "users".to_string(),
            "big".to_string(),
        ];
        let grouped = group_by_table(lines, &known);
        let names: Vec<_> = grouped
            .iter()
            .map(|d| (d.table.as_str(), d.differences.len()))
            .collect();
        assert_eq!(names, [("big", 1), ("a.b", 1), ("users", 2)]);
    }
}
