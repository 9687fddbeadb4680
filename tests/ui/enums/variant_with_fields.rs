use schema_core::SqlEnum;

#[derive(SqlEnum, Debug)]
#[sql_enum(name = "shape")]
enum Shape {
    Circle(f64),
    #[sql_enum(rename = "square")]
    Square,
    #[sql_enum(rename = "square")]
    Box,
}

fn main() {}
