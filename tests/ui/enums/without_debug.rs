use schema_core::SqlEnum;

// An SqlEnum derives Debug too.
#[derive(SqlEnum)]
enum Status {
    Draft,
}

fn main() {}
