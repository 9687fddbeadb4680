// Written by `schema pull` from odd.db. Edit freely: `schema generate` diffs this file
// against the baseline snapshot written beside it.

// clippy's `duplicated_attributes` takes a flag repeated across two #[index]es for one
// attribute written twice (rust-clippy#13238).
#![allow(dead_code, non_snake_case, non_camel_case_types, clippy::duplicated_attributes)]

use schema_core::Table;

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "order items")]
#[index(name = "order items by name", expr = "lower(\"first-name\"), \"type\"", unique, where = "\"type\" IS NOT NULL")]
#[check(expr = "\"self\" >= 0")]
pub struct OrderItems {
    #[column(name = "Item ID", primary_key, sql_type = "INTEGER")]
    pub item_id: Option<i64>,
    #[column(name = "first-name", sql_type = "VARCHAR(40)", default = "n/a")]
    pub first_name: String,
    #[column(sql_type = "TEXT")]
    pub r#type: Option<String>,
    #[column(name = "2fa", sql_type = "BOOLEAN", default = 0)]
    pub _2fa: bool,
    #[column(name = "self", sql_type = "REAL")]
    pub self_: Option<f64>,
    #[column(name = "userId", sql_type = "BIGINT")]
    pub user_id: Option<i64>,
    #[column(sql_type = "")]
    pub untyped: Option<schema_core::Value>,
    #[column(sql_type = "NUMERIC(10, 2)", default = 0.00)]
    pub price: Option<schema_core::Value>,
    #[column(sql_type = "DATETIME", default_sql = "(datetime('now'))")]
    pub created: Option<String>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "type", strict, without_rowid)]
pub struct Type {
    #[column(primary_key, sql_type = "TEXT")]
    pub r#match: String,
    #[column(sql_type = "INTEGER", references = OrderItems::item_id, on_delete = "set null")]
    pub order: Option<i64>,
}
