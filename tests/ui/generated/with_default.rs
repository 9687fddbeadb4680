use schema_core::Table;

#[derive(Table)]
struct Item {
    price: i64,
    #[column(generated = "price * 2", default = 0)]
    double: i64,
}

fn main() {}
