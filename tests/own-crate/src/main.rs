//! `own-crate DB TITLE`: migrates DB with the embedded migrations, then inserts a task (and
//! its project, the first time) through the derived insert structs, printing what it did.

mod schema;

use schema::{NewProject, NewTask, Project, Task};
use schema_core::rusqlite::{self, OptionalExtension as _};
use schema_core::{Migrations, Table};

// The tracking table comes from schema.toml: the one `schema migrate` uses.
static MIGRATIONS: Migrations = schema_core::embed_migrations!("migrations");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(db), Some(title)) = (args.next(), args.next()) else {
        return Err("usage: own-crate DB TITLE".into());
    };
    let mut conn = rusqlite::Connection::open(&db)?;
    let applied = MIGRATIONS.run(&mut conn)?;
    println!("applied {} into {}", applied.len(), MIGRATIONS.table());
    let fk: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    println!("foreign_keys {fk}");
    let project = match conn
        .query_row("SELECT * FROM projects WHERE name = 'home'", [], Project::from_row)
        .optional()?
    {
        Some(p) => p,
        None => NewProject::new("home".into()).insert(&conn)?,
    };
    let task: Task = NewTask::new(project.id, title).insert(&conn)?;
    println!("task {} done={} created_at={}", task.id, task.done, task.created_at);
    // A task of a project that is not there: refused, since foreign keys are on.
    let orphan = NewTask::new(project.id + 1000, "orphan".into()).insert(&conn);
    println!("orphan refused: {}", orphan.is_err());
    println!("tasks {}", Task::select_all(&conn)?.len());
    Ok(())
}
