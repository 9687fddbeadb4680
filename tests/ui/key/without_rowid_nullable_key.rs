use schema_core::Table;

#[derive(Table)]
#[table(without_rowid)]
struct Setting {
    #[column(primary_key)]
    name: Option<String>,
    value: String,
}

fn main() {}
