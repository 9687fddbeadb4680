use schema_core::Table;

#[derive(Table)]
#[table(name = "sqlite_stats")]
struct Stats {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
#[table(name = "__drizzle_migrations")]
struct Tracking {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
#[table(name = "__new_users")]
#[index(name = "__NEW_USERS", columns(id))]
struct Temp {
    #[column(primary_key)]
    id: i64,
}

fn main() {}
