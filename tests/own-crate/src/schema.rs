//! The tables, read by `schema generate` and compiled by the derive.

use schema_core::Table;

#[derive(Table, Debug)]
#[table(name = "projects")]
pub struct Project {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(unique)]
    pub name: String,
}

#[derive(Table, Debug)]
#[table(name = "tasks")]
pub struct Task {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = Project::id, on_delete = "cascade")]
    pub project_id: i64,
    pub title: String,
    #[column(default = false)]
    pub done: bool,
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: String,
}
