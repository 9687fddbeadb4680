//! The tracking table on SQLite: drizzle-orm's `__drizzle_migrations`, with a real integer
//! key and our `tag` / `applied_at` columns.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use schema_model::sql::sqlite::ident;
use schema_model::sql::string_literal;

use crate::migrate::{MigrateError, Migration, TrackingRow};

fn create_sql(name: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {} (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric, tag text, applied_at text)",
        ident(name)
    )
}

fn shape_error(table: &str, problem: impl Into<String>) -> MigrateError {
    MigrateError::TrackingTable {
        table: table.to_string(),
        problem: problem.into(),
    }
}

/// Whether the tracking table exists; an error when something else has its name, or it lacks
/// the columns every tracking table has.
pub fn exists(conn: &Connection, table: &str) -> Result<bool, MigrateError> {
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = ?1 COLLATE NOCASE AND type IN ('table', 'view')",
            [table],
            |r| r.get(0),
        )
        .optional()?;
    match kind.as_deref() {
        None => return Ok(false),
        Some("table") => {}
        Some(other) => return Err(shape_error(table, format!("it is a {other}, not a table"))),
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT name FROM pragma_table_info({})",
        string_literal(table)
    ))?;
    let cols: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    for needed in ["hash", "created_at"] {
        if !cols.iter().any(|c| c.eq_ignore_ascii_case(needed)) {
            return Err(shape_error(
                table,
                format!("it has no `{needed}` column (its columns: {})", cols.join(", ")),
            ));
        }
    }
    Ok(true)
}

/// Creates the tracking table, or adds our columns to one drizzle-orm created. drizzle-orm
/// declares `id SERIAL PRIMARY KEY`, which SQLite keeps NULL; ours is a real integer key, and
/// `tag` / `applied_at` are nullable so drizzle-orm's own inserts still work.
pub fn ensure(conn: &Connection, table: &str) -> Result<(), MigrateError> {
    if !exists(conn, table)? {
        conn.execute_batch(&create_sql(table))?;
    }
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
/// A value of an unexpected type is read as well as it can be (an id only orders rows); a row
/// without a hash is an error that names it.
pub fn read(conn: &Connection, table: &str, after: Option<i64>) -> Result<Vec<TrackingRow>, MigrateError> {
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
    read_rows(conn, table, has_tag, after)
}

/// The rows with an id above `after`, of a table [`ensure`] has made or completed (so that it
/// has our `tag` and `applied_at`): the migrator's read after each migration, one statement.
pub fn read_since(conn: &Connection, table: &str, after: Option<i64>) -> Result<Vec<TrackingRow>, MigrateError> {
    read_rows(conn, table, true, after)
}

fn read_rows(
    conn: &Connection,
    table: &str,
    has_tag: bool,
    after: Option<i64>,
) -> Result<Vec<TrackingRow>, MigrateError> {
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
        Ok((
            int(r.get_ref(0)?),
            text(r.get_ref(1)?),
            int(r.get_ref(2)?),
            text(r.get_ref(3)?),
            text(r.get_ref(4)?),
        ))
    };
    let raw: Vec<_> = match after {
        Some(id) => stmt.query_map([id], map)?.collect::<Result<_, _>>()?,
        None => stmt.query_map([], map)?.collect::<Result<_, _>>()?,
    };
    raw.into_iter()
        .enumerate()
        .map(|(n, (id, hash, created_at, tag, applied_at))| {
            let hash = hash.ok_or_else(|| {
                shape_error(
                    table,
                    format!(
                        "its row {} (id {}, tag {}) has no hash",
                        n + 1,
                        id.map_or("NULL".into(), |i| i.to_string()),
                        tag.as_deref().unwrap_or("NULL")
                    ),
                )
            })?;
            Ok(TrackingRow {
                id,
                hash,
                created_at,
                tag,
                applied_at,
            })
        })
        .collect()
}

/// An integer, from whatever SQLite holds (`numeric` keeps integers; a text id is no id).
fn int(v: ValueRef<'_>) -> Option<i64> {
    match v {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Real(f) => Some(f as i64),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .map(|f| f as i64),
        ValueRef::Null | ValueRef::Blob(_) => None,
    }
}

/// Text, from whatever SQLite holds.
fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// Records `m` as applied now.
pub fn insert(conn: &Connection, table: &str, m: &Migration) -> Result<(), MigrateError> {
    conn.execute(
        &format!(
            "INSERT INTO {} (hash, created_at, tag, applied_at) VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            ident(table)
        ),
        rusqlite::params![m.hash(), m.when(), m.tag()],
    )?;
    Ok(())
}

/// Records a reviewed edit: the row `m` was applied with (hash `old`) takes the file's hash
/// now. Returns the rows changed (1, or 0 when another process did it first).
pub fn update_hash(conn: &Connection, table: &str, m: &Migration, old: &str) -> Result<usize, MigrateError> {
    Ok(conn.execute(
        &format!(
            "UPDATE {} SET hash = ?1 WHERE hash = ?2 AND (tag = ?3 OR (tag IS NULL AND created_at = ?4))",
            ident(table)
        ),
        rusqlite::params![m.hash(), old, m.tag(), m.when()],
    )?)
}
