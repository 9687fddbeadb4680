use schema_core::Table;

#[derive(Table)]
struct Nothing {
    #[column(skip)]
    cache: String,
}

fn main() {}
