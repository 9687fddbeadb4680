//! The floors the whole-process timings are compared with: the least a process must do for
//! each job, with the same syn and the same SQLite as `schema`. Also prepares databases.
//!
//! ```text
//! floor parse FILE...          syn::parse_file on each file, nothing else (generate's reading floor)
//! floor lex FILE...            proc-macro2's tokeniser alone on each file (the floor under syn's parse)
//! floor migrate DIR DB         every statement of DIR's migrations, one by one, one transaction
//!                              a migration (what `schema migrate` does, minus its bookkeeping)
//! floor sql DB FILE            FILE's statements (split at `;` line ends) with foreign keys off,
//!                              in one transaction: the bare rebuild
//! floor introspect DB          sqlite_master and, per table, the pragmas introspection reads
//! floor fill DB ROWS           ROWS rows into the rebuild benchmark's `parent` (and a child row each 10)
//! ```

use std::process::ExitCode;

use rusqlite::Connection;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["parse", files @ ..] if !files.is_empty() => parse(files),
        ["lex", files @ ..] if !files.is_empty() => lex(files),
        ["migrate", dir, db] => migrate(dir, db),
        ["sql", db, file] => sql(db, file),
        ["introspect", db] => introspect(db),
        ["fill", db, rows] => fill(db, rows),
        _ => Err(
            "usage: floor parse FILE | lex FILE | migrate DIR DB | sql DB FILE | introspect DB | fill DB ROWS".into(),
        ),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::from(2)
        }
    }
}

type R = Result<(), String>;

fn parse(files: &[&str]) -> R {
    let mut items = 0;
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        let file = syn::parse_file(&text).map_err(|e| format!("{f}: {e}"))?;
        items += file.items.len();
    }
    // Printed so the parse cannot be optimised away.
    println!("{items} items");
    Ok(())
}

fn lex(files: &[&str]) -> R {
    let mut trees = 0;
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
        let tokens: proc_macro2::TokenStream = text.parse().map_err(|e| format!("{f}: {e:?}"))?;
        trees += tokens.into_iter().count();
    }
    println!("{trees} token trees");
    Ok(())
}

fn migrate(dir: &str, db: &str) -> R {
    let journal = std::fs::read_to_string(format!("{dir}/meta/_journal.json")).map_err(|e| e.to_string())?;
    // The tags, in order, without a JSON parser: `"tag": "0000_x",` lines.
    let tags: Vec<&str> = journal
        .lines()
        .filter_map(|l| l.trim().strip_prefix("\"tag\": \""))
        .map(|l| l.trim_end_matches(',').trim_end_matches('"'))
        .collect();
    let mut conn = Connection::open(db).map_err(|e| e.to_string())?;
    let mut n = 0;
    for tag in tags {
        let text = std::fs::read_to_string(format!("{dir}/{tag}.sql")).map_err(|e| format!("{tag}: {e}"))?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| e.to_string())?;
        for stmt in text.split("--> statement-breakpoint") {
            if stmt.trim().is_empty() {
                continue;
            }
            tx.execute_batch(stmt).map_err(|e| format!("{tag}: {e}: {stmt}"))?;
            n += 1;
        }
        tx.commit().map_err(|e| e.to_string())?;
    }
    println!("{n} statements");
    Ok(())
}

fn sql(db: &str, file: &str) -> R {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let mut conn = Connection::open(db).map_err(|e| e.to_string())?;
    conn.pragma_update(None, "foreign_keys", false)
        .map_err(|e| e.to_string())?;
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    for stmt in text.split(";\n").filter(|s| !s.trim().is_empty()) {
        tx.execute_batch(stmt).map_err(|e| format!("{e}: {stmt}"))?;
    }
    tx.commit().map_err(|e| e.to_string())
}

/// What the introspection of a table reads: its columns, indexes (and their columns), foreign
/// keys; and the DDL of every object from sqlite_master.
fn introspect(db: &str) -> R {
    let conn =
        Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| e.to_string())?;
    let e = |e: rusqlite::Error| e.to_string();
    let mut master = conn
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master")
        .map_err(e)?;
    let objects: Vec<(String, String, Option<String>)> = master
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(3)?)))
        .map_err(e)?
        .collect::<Result<_, _>>()
        .map_err(e)?;
    let mut cells = 0usize;
    let mut count = |rows: Vec<Vec<rusqlite::types::Value>>| cells += rows.iter().map(Vec::len).sum::<usize>();
    for (_, name, _) in objects
        .iter()
        .filter(|(t, n, _)| t == "table" && !n.starts_with("sqlite_"))
    {
        count(rows(
            &conn,
            "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1)",
            name,
        )?);
        let indexes = rows(
            &conn,
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)",
            name,
        )?;
        for ix in &indexes {
            if let rusqlite::types::Value::Text(ix) = &ix[0] {
                count(rows(&conn, "SELECT seqno, cid, name FROM pragma_index_info(?1)", ix)?);
            }
        }
        count(indexes);
        count(rows(
            &conn,
            "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1)",
            name,
        )?);
    }
    println!("{} objects, {cells} cells", objects.len());
    Ok(())
}

fn rows(conn: &Connection, sql: &str, arg: &str) -> Result<Vec<Vec<rusqlite::types::Value>>, String> {
    let mut stmt = conn.prepare_cached(sql).map_err(|e| e.to_string())?;
    let n = stmt.column_count();
    stmt.query_map([arg], |r| (0..n).map(|i| r.get(i)).collect())
        .map_err(|e| e.to_string())?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())
}

fn fill(db: &str, rows: &str) -> R {
    let n: i64 = rows.parse().map_err(|e| format!("{rows}: {e}"))?;
    let mut conn = Connection::open(db).map_err(|e| e.to_string())?;
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    tx.execute(
        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?1) \
         INSERT INTO parent (id, name, score, label) SELECT i, 'name ' || i, i % 1000, 'l' || (i % 97) FROM c",
        [n],
    )
    .map_err(|e| e.to_string())?;
    tx.execute(
        "INSERT INTO child (id, parent_id, note) SELECT id, id, 'n' FROM parent WHERE id % 10 = 0",
        [],
    )
    .map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())
}
