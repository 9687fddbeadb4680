use schema_core::{SqlEnum, Table};

#[derive(SqlEnum, Debug, Clone, Copy, PartialEq)]
#[sql_enum(name = "status", schema = "blog")]
enum Status {
    Draft,
    #[sql_enum(rename = "live")]
    Published,
}

#[derive(Table)]
struct Post {
    #[column(primary_key)]
    id: i64,
    #[column(default = "live")]
    status: Status,
    previous: Option<Status>,
}

fn main() {
    assert_eq!(<Status as SqlEnum>::VALUES, ["draft", "live"]);
    assert_eq!(<Status as SqlEnum>::SCHEMA, Some("blog"));
    assert_eq!(Post::table_def().columns.len(), 3);
}
