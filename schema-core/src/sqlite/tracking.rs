//! The tracking table on SQLite: drizzle-orm's `__drizzle_migrations`, with a real integer
//! key and our `tag` / `applied_at` columns.

use rusqlite::{Connection, OptionalExtension};
use schema_model::sql::sqlite::ident;
use schema_model::sql::string_literal;

use crate::migrate::{Migration, TrackingRow};

fn create_sql(name: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {} (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric, tag text, applied_at text)",
        ident(name)
    )
}

/// Whether the tracking table exists.
pub fn exists(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get(0),
    )
}

/// Creates the tracking table, or adds our columns to one drizzle-orm created. drizzle-orm
/// declares `id SERIAL PRIMARY KEY`, which SQLite keeps NULL; ours is a real integer key, and
/// `tag` / `applied_at` are nullable so drizzle-orm's own inserts still work.
pub fn ensure(conn: &Connection, table: &str) -> rusqlite::Result<()> {
    conn.execute_batch(&create_sql(table))?;
    // (name, declared type, key position) of each column.
    let mut stmt = conn.prepare(&format!(
        "SELECT name, type, pk FROM pragma_table_info({})",
        string_literal(table)
    ))?;
    let cols: Vec<(String, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let has = |name: &str| cols.iter().any(|c| c.0 == name);
    let id_is_rowid = cols
        .iter()
        .any(|c| c.0 == "id" && c.2 == 1 && c.1.eq_ignore_ascii_case("integer"));
    if !id_is_rowid {
        // drizzle-orm's `id SERIAL PRIMARY KEY` is no integer key on SQLite, so every row's id
        // is NULL. Rebuilt with a real one (ids given in the order the rows were written);
        // drizzle-orm's own inserts name only hash and created_at, so they still work.
        let tmp = format!("{table}__rebuild");
        let extra = |name: &str| {
            if has(name) {
                name.to_string()
            } else {
                "NULL".to_string()
            }
        };
        conn.execute_batch(&format!(
            "{};
INSERT INTO {} (hash, created_at, tag, applied_at) SELECT hash, created_at, {}, {} FROM {} ORDER BY rowid;
             DROP TABLE {};
ALTER TABLE {} RENAME TO {};",
            create_sql(&tmp),
            ident(&tmp),
            extra("tag"),
            extra("applied_at"),
            ident(table),
            ident(table),
            ident(&tmp),
            ident(table)
        ))?;
        return Ok(());
    }
    for extra in ["tag", "applied_at"] {
        if !has(extra) {
            conn.execute_batch(&format!("ALTER TABLE {} ADD COLUMN {extra} text", ident(table)))?;
        }
    }
    Ok(())
}

/// The rows with an id above `after` (every row for `None`), in the order they were written.
pub fn read(conn: &Connection, table: &str, after: Option<i64>) -> rusqlite::Result<Vec<TrackingRow>> {
    let has_tag = conn
        .query_row(
            &format!(
                "SELECT 1 FROM pragma_table_info({}) WHERE name = 'tag'",
                string_literal(table)
            ),
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    let (tag, applied_at) = if has_tag {
        ("tag", "applied_at")
    } else {
        ("NULL", "NULL")
    };
    let filter = if after.is_some() { "WHERE id > ?1" } else { "" };
    let sql = format!(
        "SELECT id, hash, created_at, {tag}, {applied_at} FROM {} {filter} ORDER BY created_at, id",
        ident(table)
    );
    let mut stmt = conn.prepare(&sql)?;
    let map = |r: &rusqlite::Row<'_>| {
        Ok(TrackingRow {
            id: r.get(0)?,
            hash: r.get(1)?,
            created_at: r.get::<_, Option<f64>>(2)?.map(|v| v as i64),
            tag: r.get(3)?,
            applied_at: r.get(4)?,
        })
    };
    match after {
        Some(id) => stmt.query_map([id], map)?.collect(),
        None => stmt.query_map([], map)?.collect(),
    }
}

/// Records `m` as applied now.
pub fn insert(conn: &Connection, table: &str, m: &Migration) -> rusqlite::Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO {} (hash, created_at, tag, applied_at) VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            ident(table)
        ),
        rusqlite::params![m.hash(), m.when(), m.tag()],
    )?;
    Ok(())
}
