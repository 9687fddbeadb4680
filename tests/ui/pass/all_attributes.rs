use schema_core::Table;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
struct Prefs {
    theme: String,
}

#[derive(Table)]
#[table(name = "users", strict, renamed_from = "people")]
#[index(name = "users_name_age_idx", columns(name, age))]
#[index(name = "users_lower_email", expr = "lower(\"email\")", unique, where = "email is not null")]
#[unique(name = "users_name_email", columns(name, email))]
#[check(name = "age_nonneg", expr = "age >= 0")]
struct User {
    #[column(primary_key, autoincrement)]
    id: i64,
    #[column(name = "full_name", collate = "NOCASE", renamed_from = "nick")]
    name: String,
    #[column(unique, index)]
    email: Option<String>,
    #[column(default = -1, check = "age >= -1")]
    age: i64,
    #[column(default = 0.5)]
    score: f64,
    #[column(default = "member")]
    role: String,
    #[column(default = true)]
    active: bool,
    #[column(default_sql = "CURRENT_TIMESTAMP", sql_type = "TEXT")]
    created: String,
    #[column(generated = "age * 2", stored)]
    double_age: Option<i64>,
    #[column(json)]
    prefs: Prefs,
    #[column(skip)]
    cache: Vec<String>,
}

#[derive(Table)]
#[table(primary_key(org, person), without_rowid)]
struct Member {
    org: i64,
    #[column(references = User::id, on_delete = "cascade", on_update = "no action")]
    person: i64,
    #[column(references = User::id, on_delete = "set null")]
    invited_by: Option<i64>,
}

fn main() {
    assert_eq!(<User as Table>::TABLE_NAME, "users");
    assert_eq!(<Member as Table>::table_def().foreign_keys.len(), 2);
}
