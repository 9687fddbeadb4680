//! Output of `schema pull`, committed so that building the workspace compiles it. Each file
//! is re-pulled by `schema-cli/tests/real_databases.rs`, which fails if it no longer matches
//! (re-bless with `SCHEMA_BLESS=1`).
//!
//! - `django`: a freshly migrated Django 5.2.19 project (auth, admin, contenttypes, sessions)
//! - `fossil`: a fresh Fossil 2.x repository
//! - `blog`: the blog example's database
//! - `odd`: a database whose names are not Rust identifiers
//! - `adversarial`: tables named like the prelude, keyword columns, JSON / ANY / NUMERIC /
//!   untyped columns, constraints as hand-written schemas write them

#![allow(clippy::all, non_snake_case)]

// Kept byte for byte as `schema pull` wrote them, so rustfmt leaves them alone.
#[rustfmt::skip]
pub mod adversarial;
#[rustfmt::skip]
pub mod blog;
#[rustfmt::skip]
pub mod django;
#[rustfmt::skip]
pub mod fossil;
#[rustfmt::skip]
pub mod odd;

#[cfg(test)]
mod tests {
    use schema_core::{Table, Value};

    use crate::adversarial::{ResultRow, TableRow};

    /// The pulled types read back every value SQLite may keep in those columns: `'12'` in a
    /// JSON (NUMERIC affinity) column is stored as the integer 12; ANY keeps what it is given.
    #[test]
    fn pulled_columns_read_back_every_storage_class() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        TableRow::create_table(&conn).unwrap();
        ResultRow::create_table(&conn).unwrap();
        conn.execute_batch(
            "INSERT INTO \"table\" VALUES ('a', '12', x'00ff', '1.5', 'text', 1), \
             ('b', '{\"k\": 1}', 2.5, 'n/a', NULL, NULL), (NULL, NULL, NULL, NULL, 7, NULL);
             INSERT INTO result VALUES (1, 'one'), ('two', 2.0), (x'03', NULL);",
        )
        .unwrap();
        let mut rows = TableRow::select_all(&conn).unwrap();
        assert_eq!(rows.len(), 3);
        rows.sort_by_key(|r| r.r#try.clone().unwrap_or_else(|| "z".into()));
        assert_eq!(rows[0].r#yield, Some(Value::Integer(12)));
        assert_eq!(rows[0].r#macro, Some(Value::Blob(vec![0, 255])));
        assert_eq!(rows[0].self_, Some(Value::Real(1.5)));
        assert_eq!(rows[1].r#yield, Some(Value::Text("{\"k\": 1}".into())));
        assert_eq!(rows[1].self_, Some(Value::Text("n/a".into())));
        assert_eq!(rows[2].r#try, None, "a TEXT key may hold NULL");
        assert_eq!(rows[2].r#type, Some(Value::Integer(7)));
        let keys: Vec<Value> = ResultRow::select_all(&conn).unwrap().into_iter().map(|r| r.k).collect();
        assert!(keys.contains(&Value::Text("two".into())) && keys.contains(&Value::Blob(vec![3])));
        // And they write back what they read.
        let mut r = rows[0].clone();
        r.r#try = Some("c".into());
        r.insert(&conn).unwrap();
        let again = TableRow::find(&conn, "c".to_string()).unwrap().unwrap();
        assert_eq!(again.r#macro, Some(Value::Blob(vec![0, 255])));
    }
}
