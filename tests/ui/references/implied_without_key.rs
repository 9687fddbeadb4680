use schema_core::Table;

#[derive(Table)]
struct Log {
    line: String,
}

// `Log` has no primary key for `references = Log` to mean.
#[derive(Table)]
struct Entry {
    #[column(primary_key)]
    id: i64,
    #[column(references = Log)]
    log: i64,
}

fn main() {}
