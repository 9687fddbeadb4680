//! What SQLite says a database is, object by object, with no part of this toolkit's model in
//! between: the measure of an exact round trip. Two databases have the same shape when SQLite
//! reports the same tables (columns with their declared types, NOT NULL, defaults, key
//! positions, hidden and generated columns; options), the same indexes (unique, origin,
//! partial, each column's order and collation, WHERE and expressions), the same foreign keys
//! (columns, parent, parent columns or none, actions, MATCH, DEFERRABLE), the same checks and
//! constraint names, and the same views and triggers.
//!
//! "Whitespace aside", as the round trip promises: SQL text is compared token by token, and
//! keywords without regard to case. How a definition spells a thing that SQLite stores the
//! same way (an inline `UNIQUE` or a table-level one, `"x"` or `` `x` ``, an explicit `NULL`)
//! is not a difference; the names SQLite gives its automatic indexes are compared by what
//! they index.

use rusqlite::Connection;
use schema_core::sqlite::ddl;
use schema_model::sql::lex::{Kind, tokenize};

use crate::rows;

/// SQL text token by token: comments and whitespace left out, words in upper case.
pub fn tokens(sql: &str) -> String {
    tokenize(sql)
        .into_iter()
        .filter(|t| !t.is_comment())
        .map(|t| match t.kind {
            Kind::Word => t.text(sql).to_ascii_uppercase(),
            Kind::Quoted(name) => format!("\"{}\"", name.replace('"', "\"\"")),
            _ => t.text(sql).to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn q(s: &str) -> String {
    schema_model::sql::string_literal(s)
}

/// One line per fact, in a stable order.
pub fn shape(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    let objects = rows(
        conn,
        "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         AND name <> '__drizzle_migrations' AND tbl_name <> '__drizzle_migrations' ORDER BY type, name",
    );
    for o in objects {
        let mut parts = o.splitn(3, '|');
        let (ty, name) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
        let sql: Option<String> = conn
            .query_row("SELECT sql FROM sqlite_master WHERE name = ?1", [name], |r| r.get(0))
            .unwrap_or(None);
        match ty {
            "table" => table(conn, name, sql.as_deref().unwrap_or(""), &mut out),
            "index" => {
                // Its columns and uniqueness are the table's facts; its text says the rest.
                let (inner, where_clause) = ddl::parse_create_index(sql.as_deref().unwrap_or(""))
                    .unwrap_or_else(|e| panic!("index {name}: {e}"));
                // A list of plain columns is the table's index facts already (quoted or not).
                let on = match ddl::plain_names(&inner) {
                    Some(_) => "its columns".to_string(),
                    None => tokens(&inner),
                };
                out.push(format!(
                    "index {name:?}: on ({on}) where {:?}",
                    where_clause.as_deref().map(tokens)
                ));
            }
            _ => out.push(format!("{ty} {name:?}: {}", tokens(sql.as_deref().unwrap_or("")))),
        }
    }
    out
}

fn table(conn: &Connection, name: &str, sql: &str, out: &mut Vec<String>) {
    let t = format!("table {name:?}");
    let def = ddl::parse_create_table(sql).unwrap_or_else(|e| panic!("{t}: {e}\n{sql}"));
    out.extend(
        rows(
            conn,
            &format!(
                "SELECT 'options', type, ncol, wr, strict FROM pragma_table_list WHERE schema = 'main' AND name = {}",
                q(name)
            ),
        )
        .into_iter()
        .map(|r| format!("{t} {r}")),
    );
    for c in rows(
        conn,
        &format!(
            "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo({}) ORDER BY cid",
            q(name)
        ),
    ) {
        let fields: Vec<&str> = c.split('|').collect();
        let cname = fields[1];
        let d = def.columns.iter().find(|d| d.name.eq_ignore_ascii_case(cname));
        // The default's text, token by token (SQLite gives it as written).
        let default = if fields[4] == "NULL" {
            "none".to_string()
        } else {
            tokens(fields[4])
        };
        out.push(format!(
            "{t} column {} {cname:?}: type {:?} notnull {} default {default} pk {} hidden {} collate {:?} generated {:?} autoincrement {}",
            fields[0],
            fields[2],
            fields[3],
            fields[5],
            fields[6],
            d.and_then(|d| d.collate.as_deref()).map(str::to_ascii_uppercase),
            d.and_then(|d| d.generated.as_ref()).map(|(e, stored)| (tokens(e), *stored)),
            d.is_some_and(|d| d.autoincrement),
        ));
    }
    for ix in rows(
        conn,
        &format!(
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list({}) ORDER BY name",
            q(name)
        ),
    ) {
        let f: Vec<&str> = ix.split('|').collect();
        let cols = rows(
            conn,
            &format!(
                "SELECT cid, name, \"desc\", coll, key FROM pragma_index_xinfo({}) ORDER BY seqno",
                q(f[0])
            ),
        )
        .join("; ");
        // An automatic index is known by what it indexes, not the number SQLite gave it.
        let ix_name = if f[0].starts_with("sqlite_autoindex_") {
            "(automatic)"
        } else {
            f[0]
        };
        out.push(format!(
            "{t} index {ix_name:?}: unique {} origin {} partial {} [{cols}]",
            f[1], f[2], f[3]
        ));
    }
    let mut fks = rows(
        conn,
        &format!(
            "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete, match FROM pragma_foreign_key_list({}) ORDER BY id DESC, seq",
            q(name)
        ),
    );
    // Numbered by declaration order (the pragma counts from the last), grouped.
    let count = def.foreign_keys.len();
    for (i, fk) in def.foreign_keys.iter().enumerate() {
        let id = (count - 1 - i).to_string();
        let pragma: Vec<String> = fks
            .iter()
            .filter(|r| r.split('|').next() == Some(id.as_str()))
            .map(|r| r.split_once('|').map_or("", |x| x.1).to_string())
            .collect();
        out.push(format!(
            "{t} foreign key {i}: {pragma:?} deferrable {:?}",
            fk.deferrable
        ));
    }
    fks.retain(|r| {
        r.split('|')
            .next()
            .and_then(|id| id.parse::<usize>().ok())
            .is_none_or(|id| id >= count)
    });
    for rest in fks {
        out.push(format!("{t} foreign key the definition does not show: {rest}"));
    }
    let mut checks: Vec<String> = def
        .checks
        .iter()
        .map(|c| format!("{t} check {:?}: {}", c.name, tokens(&c.expr)))
        .collect();
    checks.sort();
    out.extend(checks);
    let mut named: Vec<String> = def
        .uniques
        .iter()
        .filter_map(|u| {
            u.name
                .as_ref()
                .map(|n| format!("{t} unique constraint named {n:?}: {:?}", u.columns))
        })
        .collect();
    named.sort();
    out.extend(named);
}
