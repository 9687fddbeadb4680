//! What SQLite says a database is, object by object, with no part of this toolkit's model in
//! between: the measure of an exact round trip. Two databases have the same shape when SQLite
//! reports the same tables (columns with their declared types, NOT NULL, defaults, key
//! positions, hidden and generated columns; options), the same indexes (unique, origin,
//! partial, each column's order and collation, WHERE and expressions), the same foreign keys
//! (columns, parent, parent columns or none, actions, MATCH, DEFERRABLE), the same checks and
//! constraint names, and the same views and triggers.
//!
//! "Whitespace aside", as the round trip promises: SQL text is compared token by token, and
//! keywords without regard to case. One respelling is allowed, because no migration file can
//! hold the original: a string default holding `--> statement-breakpoint` is compared by value. How a definition spells a thing that SQLite stores the
//! same way (an inline `UNIQUE` or a table-level one, `"x"` or `` `x` ``, an explicit `NULL`)
//! is not a difference; the names SQLite gives its automatic indexes are compared by what
//! they index.

use rusqlite::Connection;
use schema_core::sqlite::ddl;
use schema_model::sql::lex::{Kind, tokenize};

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

/// Every row `sql` returns, each value as text (NULL as `NULL`): fields kept apart, since a
/// name may hold any character.
fn fields(conn: &Connection, sql: &str) -> Vec<Vec<String>> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => "NULL".to_string(),
                rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                rusqlite::types::ValueRef::Real(v) => v.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// One line per fact, in a stable order.
pub fn shape(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    let objects = fields(
        conn,
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         AND name <> '__drizzle_migrations' AND tbl_name <> '__drizzle_migrations' ORDER BY type, name",
    );
    for o in objects {
        let (ty, name, sql) = (o[0].as_str(), o[1].as_str(), o[2].as_str());
        match ty {
            "table" => table(conn, name, sql, &mut out),
            "index" => {
                // Its columns and uniqueness are the table's facts; its text says the rest.
                let (inner, where_clause) =
                    ddl::parse_create_index(sql).unwrap_or_else(|e| panic!("index {name:?}: {e}\n{sql}"));
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
            _ => out.push(format!("{ty} {name:?}: {}", tokens(sql))),
        }
    }
    out
}

fn table(conn: &Connection, name: &str, sql: &str, out: &mut Vec<String>) {
    let t = format!("table {name:?}");
    let def = ddl::parse_create_table(sql).unwrap_or_else(|e| panic!("{t}: {e}\n{sql}"));
    for r in fields(
        conn,
        &format!(
            "SELECT type, ncol, wr, strict FROM pragma_table_list WHERE schema = 'main' AND name = {}",
            q(name)
        ),
    ) {
        out.push(format!("{t} options {r:?}"));
    }
    for c in fields(
        conn,
        &format!(
            "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo({}) ORDER BY cid",
            q(name)
        ),
    ) {
        let cname = &c[1];
        let d = def.columns.iter().find(|d| d.name.eq_ignore_ascii_case(cname));
        // The default's text, token by token (SQLite gives it as written). A string that
        // holds the statement separator can only be written cut in two and joined
        // (`('a --> statement' || '-breakpoint b')`): the same value, compared as one.
        let default = match (c[4].as_str(), schema_model::sql::split_literal_text(&c[4])) {
            ("NULL", _) => "none".to_string(),
            (_, Some(text)) => tokens(&q(&text)),
            (written, None) => tokens(written),
        };
        out.push(format!(
            "{t} column {} {cname:?}: type {:?} notnull {} default {default} pk {} hidden {} collate {:?} generated {:?} autoincrement {}",
            c[0],
            c[2],
            c[3],
            c[5],
            c[6],
            d.and_then(|d| d.collate.as_deref()).map(str::to_ascii_uppercase),
            d.and_then(|d| d.generated.as_ref()).map(|(e, stored)| (tokens(e), *stored)),
            d.is_some_and(|d| d.autoincrement),
        ));
    }
    for ix in fields(
        conn,
        &format!(
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list({}) ORDER BY name",
            q(name)
        ),
    ) {
        let cols = fields(
            conn,
            &format!(
                "SELECT cid, name, \"desc\", coll, key FROM pragma_index_xinfo({}) ORDER BY seqno",
                q(&ix[0])
            ),
        );
        // An automatic index is known by what it indexes, not the number SQLite gave it.
        let ix_name = if ix[0].starts_with("sqlite_autoindex_") {
            "(automatic)"
        } else {
            ix[0].as_str()
        };
        out.push(format!(
            "{t} index {ix_name:?}: unique {} origin {} partial {} {cols:?}",
            ix[1], ix[2], ix[3]
        ));
    }
    let fks = fields(
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
        let pragma: Vec<&[String]> = fks.iter().filter(|r| r[0] == id).map(|r| &r[1..]).collect();
        out.push(format!(
            "{t} foreign key {i}: {pragma:?} deferrable {:?}",
            fk.deferrable
        ));
    }
    for rest in fks.iter().filter(|r| r[0].parse::<usize>().is_ok_and(|id| id >= count)) {
        out.push(format!("{t} foreign key the definition does not show: {rest:?}"));
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
