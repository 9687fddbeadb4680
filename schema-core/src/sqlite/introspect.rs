//! Reads a live SQLite database back into the schema model, in the normalized form that
//! snapshots and the diff use, so a database can be compared with the structs.

use std::collections::BTreeMap;

use rusqlite::Connection;
use schema_model::sql::string_literal as quote_string;

use super::ddl::{self, parse_create_index, parse_create_table};
use crate::halves::in_halves;
use crate::model::{
    Check, Column, DefaultValue, FkAction, ForeignKey, Generated, Index, IndexTarget, LogicalType, PrimaryKey, Schema,
    Table, Unique, UniqueKind, names,
};

/// The user's ordinary tables of `conn`'s main database, in creation order: not SQLite's own
/// (`sqlite_*`), not virtual tables nor the shadow tables their modules keep (FTS5's `_data`,
/// R*Tree's `_node`, ...), and none that `skip` names (the tracking table, globs of tables
/// the schema does not own). Those are never drift, and push never drops them.
pub fn introspect(conn: &Connection, skip: &[&str]) -> rusqlite::Result<Schema> {
    Ok(read(conn, skip)?.0)
}

/// [`introspect`], with what the tables' definitions say that the model cannot (one sentence
/// each): what `pull` prints and lists in its baseline.
pub fn read(conn: &Connection, skip: &[&str]) -> rusqlite::Result<(Schema, Vec<String>)> {
    in_one_read(conn, || read_tables(conn, skip, &table_kinds(conn)?))
}

/// [`read`] and [`verbatim_objects`] at once, from one read of what each table is.
pub fn read_with_verbatim(conn: &Connection, skip: &[&str]) -> rusqlite::Result<(Schema, Vec<String>, Vec<String>)> {
    in_one_read(conn, || {
        let kinds = table_kinds(conn)?;
        let (schema, notes) = read_tables(conn, skip, &kinds)?;
        Ok((schema, notes, verbatim_with(conn, skip, &kinds)?))
    })
}

/// `read` in one read transaction, for the thousand pragma reads of a large schema: each
/// alone would take and drop SQLite's file lock and look for a hot journal (two system calls
/// or more). A read that fails is the error reported, not the release after it (which
/// fails too where SQLite rolled the transaction back, out of memory say).
fn in_one_read<T>(conn: &Connection, read: impl FnOnce() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    conn.execute_batch("SAVEPOINT schema_introspect")?;
    let read = read();
    let released = conn.execute_batch("RELEASE schema_introspect");
    let read = read?;
    released?;
    Ok(read)
}

fn read_tables(conn: &Connection, skip: &[&str], kinds: &TableKinds) -> rusqlite::Result<(Schema, Vec<String>)> {
    let mut schema = Schema::default();
    let mut notes = Vec::new();
    let index_sql = index_definitions(conn)?;
    let tables = ordinary_tables(conn, skip, kinds)?;
    // The definitions (text) are parsed on a second thread while this one reads the pragmas
    // (the connection stays on this thread): neither needs the other until a table is built.
    let parse = || Parsed {
        tables: tables.iter().map(|(_, sql)| parse_create_table(sql)).collect(),
        indexes: index_sql
            .iter()
            .filter_map(|(name, (_, sql))| Some((name.as_str(), parse_create_index(sql.as_deref()?).ok())))
            .collect(),
    };
    let (pragmas, parsed) = std::thread::scope(|s| {
        let parsing = (tables.len() >= BESIDE)
            .then(|| {
                std::thread::Builder::new()
                    .name("schema-introspect".into())
                    .spawn_scoped(s, || {
                        crate::room::make_room();
                        parse()
                    })
                    .ok()
            })
            .flatten();
        // Up to the first table whose pragmas fail: its error is said when the tables before
        // it are built, as reading them one by one would say it.
        let mut pragmas_read = Vec::with_capacity(tables.len());
        for (name, _) in &tables {
            let read = pragmas(conn, name, &index_sql);
            let failed = read.is_err();
            pragmas_read.push(read);
            if failed {
                break;
            }
        }
        let parsed = match parsing {
            Some(h) => h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => parse(),
        };
        (pragmas_read, parsed)
    });
    let Parsed {
        tables: defs,
        indexes: parsed_indexes,
    } = parsed;
    // What building a table asks of the connection is asked here, table by table (so the
    // first error is the one building them in order would meet); the tables are then built
    // from what was read, a long list in halves, on two threads (the connection stays here).
    let mut read = Vec::with_capacity(tables.len());
    for (((name, _), def), pragmas) in tables.into_iter().zip(defs).zip(pragmas) {
        let pragmas = pragmas?;
        let definition = ask(conn, &name, def)?;
        read.push(TableRead {
            name,
            definition,
            pragmas,
        });
    }
    let halves = in_halves(&read, |part| {
        part.iter().map(|r| table(r, &parsed_indexes)).collect::<Vec<_>>()
    });
    schema.tables.reserve_exact(read.len());
    for (table, table_notes) in halves.into_iter().flatten() {
        schema.tables.push(table);
        notes.extend(table_notes);
    }
    // Thousands of small pieces (definitions, pragma rows) the caller need not wait for.
    let n = read.len();
    crate::room::drop_aside(read, n);
    Ok((schema, notes))
}

/// One table as read: its definition, with what the connection said of its foreign keys,
/// and its pragmas.
struct TableRead {
    name: String,
    definition: Definition,
    pragmas: Pragmas,
}

/// A table's definition, and what building the table needs of the connection beside it.
enum Definition {
    /// It reads; and the parent's key of each foreign key that leaves it implied
    /// (`REFERENCES parent`), in the definition's order.
    Read {
        def: ddl::TableDef,
        implied_keys: Vec<Vec<String>>,
    },
    /// It does not (why); and the table's foreign keys, from `PRAGMA foreign_key_list`.
    Unread {
        error: ddl::DdlError,
        foreign_keys: Vec<ForeignKey>,
    },
}

/// `def` with what the connection says of its foreign keys.
fn ask(conn: &Connection, name: &str, def: Result<ddl::TableDef, ddl::DdlError>) -> rusqlite::Result<Definition> {
    Ok(match def {
        Ok(def) => Definition::Read {
            implied_keys: (def.foreign_keys.iter())
                .filter(|f| f.ref_columns.is_empty())
                .map(|f| key_columns(conn, &f.ref_table))
                .collect::<Result<_, _>>()?,
            def,
        },
        Err(error) => Definition::Unread {
            error,
            foreign_keys: foreign_keys(conn, name)?,
        },
    })
}

/// Tables from which the definitions are parsed on a thread of their own.
const BESIDE: usize = 32;

/// Every table's and index's definition, parsed.
struct Parsed<'a> {
    /// In the tables' order.
    tables: Vec<Result<ddl::TableDef, ddl::DdlError>>,
    indexes: ParsedIndexes<'a>,
}

/// An index's expression (or columns) and WHERE clause, by its name; `None` where its
/// definition does not read.
type ParsedIndexes<'a> = std::collections::HashMap<&'a str, Option<(String, Option<String>)>>;

/// What SQLite's pragmas say of a table: its columns (name, declared type, notnull, pk
/// position, hidden) and its indexes (name, unique, origin) in creation order (an automatic
/// index, which has no row of its own, first, then by name), with each UNIQUE constraint
/// index's columns in that order.
struct Pragmas {
    columns: Vec<(String, String, bool, i64, i64)>,
    indexes: Vec<(String, bool, String)>,
    unique_columns: Vec<Vec<String>>,
}

fn pragmas(conn: &Connection, table: &str, index_sql: &IndexSql) -> rusqlite::Result<Pragmas> {
    // Prepared once for every table: the pragmas take their table as a parameter.
    let mut stmt =
        conn.prepare_cached("SELECT name, type, \"notnull\", pk, hidden FROM pragma_table_xinfo(?1) ORDER BY cid")?;
    let columns = stmt
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached("SELECT name, \"unique\", origin FROM pragma_index_list(?1)")?;
    let mut indexes: Vec<(String, bool, String)> = stmt
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let order = |name: &str| index_sql.get(name).map_or(0, |(rowid, _)| *rowid);
    indexes.sort_by(|a, b| order(&a.0).cmp(&order(&b.0)).then_with(|| a.0.cmp(&b.0)));
    let mut unique_columns = Vec::new();
    for (name, _, origin) in &indexes {
        if origin == "u" {
            let mut stmt = conn.prepare_cached("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")?;
            unique_columns.push(stmt.query_map([name], |r| r.get(0))?.collect::<Result<_, _>>()?);
        }
    }
    Ok(Pragmas {
        columns,
        indexes,
        unique_columns,
    })
}

/// Every index's definition and creation order, read once: joining `sqlite_master` to each
/// table's `pragma_index_list` read all of it again for every table.
type IndexSql = std::collections::HashMap<String, (i64, Option<String>)>;

fn index_definitions(conn: &Connection) -> rusqlite::Result<IndexSql> {
    let mut stmt = conn.prepare("SELECT name, rowid, sql FROM sqlite_master WHERE type = 'index'")?;
    stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect()
}

/// What `pragma_table_list` says each table of `main` is (`table`, `virtual`, `shadow`, `view`):
/// it knows which tables are virtual and which are a virtual table's shadow tables (SQLite
/// 3.37+, and rusqlite bundles a newer one). Read once: joined to `sqlite_master`, SQLite
/// listed every table again for each row.
fn table_kinds(conn: &Connection) -> rusqlite::Result<TableKinds> {
    let mut stmt = conn.prepare("SELECT name, type FROM pragma_table_list WHERE schema = 'main'")?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

/// Each table's kind, by its name ([`table_kinds`]).
type TableKinds = std::collections::HashMap<String, String>;

/// (name, sql) of every ordinary table, as [`introspect`] chooses them.
fn ordinary_tables(conn: &Connection, skip: &[&str], kinds: &TableKinds) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_master \
         WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND sql IS NOT NULL ORDER BY rowid",
    )?;
    let tables: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(tables
        .into_iter()
        .filter(|(name, _)| kinds.get(name).is_some_and(|k| k == "table") && !crate::driver::skipped(name, skip))
        .collect())
}

/// What `pull` keeps in its baseline as written, since the model does not describe them:
/// virtual tables, views and triggers (but not those on a skipped table), in creation order.
pub fn verbatim_objects(conn: &Connection, skip: &[&str]) -> rusqlite::Result<Vec<String>> {
    verbatim_with(conn, skip, &table_kinds(conn)?)
}

fn verbatim_with(conn: &Connection, skip: &[&str], kinds: &TableKinds) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_master \
         WHERE sql IS NOT NULL AND type IN ('view', 'trigger', 'table') ORDER BY rowid",
    )?;
    let rows: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .filter(|(ty, name, _, _)| ty != "table" || kinds.get(name).is_some_and(|k| k == "virtual"))
        .filter(|(_, name, tbl, _)| !crate::driver::skipped(name, skip) && !crate::driver::skipped(tbl, skip))
        .map(|(_, _, _, sql)| format!("{sql};"))
        .collect())
}

/// A default as the model holds it: numbers and booleans as values, a string unquoted,
/// anything else (`CURRENT_TIMESTAMP`, `(unixepoch())`) verbatim. A string that the renderer
/// had to write as `('..' || '..')`, to keep the statement separator out of the file, is read
/// back as the one string it is.
fn default_of(d: &ddl::DefaultTok) -> DefaultValue {
    match d {
        ddl::DefaultTok::Num(n) => n
            .parse::<i64>()
            .map(DefaultValue::Int)
            .unwrap_or_else(|_| DefaultValue::Real(n.clone())),
        ddl::DefaultTok::Str(s) => DefaultValue::Text(s.clone()),
        ddl::DefaultTok::Raw(r) if r.eq_ignore_ascii_case("true") => DefaultValue::Bool(true),
        ddl::DefaultTok::Raw(r) if r.eq_ignore_ascii_case("false") => DefaultValue::Bool(false),
        ddl::DefaultTok::Raw(r) => match schema_model::sql::split_literal_text(r) {
            Some(text) => DefaultValue::Text(text),
            None => DefaultValue::Sql(r.clone()),
        },
    }
}

/// The table `read` describes, and what its definition says that the model cannot.
fn table(read: &TableRead, parsed_indexes: &ParsedIndexes<'_>) -> (Table, Vec<String>) {
    let TableRead {
        name,
        definition,
        pragmas,
    } = read;
    let name = name.as_str();
    let mut notes = Vec::new();
    let def = match definition {
        Definition::Read { def, .. } => {
            notes.extend(def.notes.iter().cloned());
            Some(def)
        }
        Definition::Unread { error: e, .. } => {
            notes.push(format!(
                "the definition of `{name}` could not be read ({e}); it was read from SQLite's pragmas, \
                 without its defaults, checks, collations, generated columns and DEFERRABLE clauses"
            ));
            None
        }
    };
    let mut t = Table::new(name);
    if let Some(def) = &def {
        t.options.sqlite.strict = def.strict;
        t.options.sqlite.without_rowid = def.without_rowid;
    }

    // (name, declared type, notnull, pk position, hidden)
    let cols = &pragmas.columns;
    let mut pk: Vec<(i64, String)> = cols.iter().filter(|c| c.3 > 0).map(|c| (c.3, c.0.clone())).collect();
    pk.sort();
    let pk: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();

    for (cname, pragma_ty, notnull, pk_pos, hidden) in cols {
        if *hidden == 1 {
            continue; // a virtual table's hidden column
        }
        let d = def
            .as_ref()
            .and_then(|def| def.columns.iter().find(|c| c.name.eq_ignore_ascii_case(cname)));
        let ty = d.map_or_else(|| pragma_ty.clone(), |d| d.ty.clone());
        let mut col = Column::new(cname.clone(), LogicalType::Sql(ty));
        // As SQLite has it: a key column other than the rowid may hold NULL unless declared
        // NOT NULL (a WITHOUT ROWID table's key never does).
        col.not_null = *notnull || (*pk_pos > 0 && t.options.sqlite.without_rowid);
        col.primary_key = *pk_pos > 0 && pk.len() == 1;
        if let Some(d) = d {
            col.autoincrement = d.autoincrement;
            col.default = d.default.as_ref().map(default_of);
            col.collate = d.collate.clone();
            col.generated = d.generated.as_ref().map(|(expr, stored)| Generated {
                expr: expr.clone(),
                stored: *stored,
            });
        }
        if col.generated.is_none() && (*hidden == 2 || *hidden == 3) {
            // Generated, but the text did not say how: keep what is known.
            col.generated = Some(Generated {
                expr: String::new(),
                stored: *hidden == 3,
            });
        }
        t.columns.push(col);
    }
    if pk.len() > 1 {
        t.primary_key = Some(PrimaryKey {
            name: names::primary_key(name, &pk),
            columns: pk.clone(),
        });
    }
    t.indexes = indexes(&pragmas.indexes, parsed_indexes);
    let unique_constraints = &pragmas.unique_columns;
    match definition {
        Definition::Read { def, implied_keys } => {
            let mut unnamed = 0;
            for ch in &def.checks {
                let (check_name, named) = match &ch.name {
                    Some(n) => (n.clone(), true),
                    None => {
                        unnamed += 1;
                        (names::check(name, unnamed), false)
                    }
                };
                t.checks.push(Check {
                    name: check_name,
                    expr: ch.expr.clone(),
                    named,
                });
            }
            for u in &def.uniques {
                let (uname, kind) = match (&u.name, u.inline) {
                    (Some(n), _) => (n.clone(), UniqueKind::Constraint { named: true }),
                    (None, true) => (names::unique(name, &u.columns), UniqueKind::Inline),
                    (None, false) => (names::unique(name, &u.columns), UniqueKind::Constraint { named: false }),
                };
                if t.uniques.iter().any(|x| x.name == uname) {
                    notes.push(format!(
                        "`{name}` declares UNIQUE ({}) twice; the model keeps it once",
                        u.columns.join(", ")
                    ));
                    continue;
                }
                t.uniques.push(Unique {
                    name: uname,
                    columns: u.columns.clone(),
                    kind,
                    nulls_not_distinct: false,
                });
            }
            if unique_constraints.len() != t.uniques.len() {
                notes.push(format!(
                    "`{name}` has {} unique constraint index(es) but its definition reads as {} UNIQUE constraint(s)",
                    unique_constraints.len(),
                    t.uniques.len()
                ));
            }
            t.foreign_keys = def_foreign_keys(name, def, implied_keys, &mut notes);
        }
        Definition::Unread { foreign_keys, .. } => {
            for cols in unique_constraints {
                t.uniques.push(Unique {
                    name: names::unique(name, cols),
                    columns: cols.clone(),
                    kind: UniqueKind::Constraint { named: false },
                    nulls_not_distinct: false,
                });
            }
            t.foreign_keys = foreign_keys.clone();
        }
    }
    (t, notes)
}

/// The foreign keys the definition declares, in its order; one that leaves the parent's key
/// implied named after that key (`implied_keys`, one for each such foreign key, in order).
fn def_foreign_keys(
    table: &str,
    def: &ddl::TableDef,
    implied_keys: &[Vec<String>],
    notes: &mut Vec<String>,
) -> Vec<ForeignKey> {
    let mut out = Vec::new();
    let mut implied_keys = implied_keys.iter();
    for f in &def.foreign_keys {
        let key = if f.ref_columns.is_empty() {
            implied_keys.next().cloned().unwrap_or_default()
        } else {
            f.ref_columns.clone()
        };
        let mut fk = ForeignKey::new(table, f.columns.clone(), &f.ref_table, key, f.on_delete, f.on_update);
        fk.deferrable = f.deferrable;
        if f.ref_columns.is_empty() {
            fk.ref_columns.clear();
        }
        if let Some(n) = &f.name {
            notes.push(format!(
                "the foreign key ({}) of `{table}` is named `{n}`, a name SQLite does not keep anywhere else and the model does not keep",
                f.columns.join(", ")
            ));
        }
        out.push(fk);
    }
    out
}

/// The primary key columns of `table`, in key order.
fn key_columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")?;
    stmt.query_map([table], |r| r.get(0))?.collect()
}

/// The table's indexes as the model has them (those behind a key or a UNIQUE constraint are
/// the table's, not indexes), from its pragma's list (in order) and the parsed definitions.
fn indexes(list: &[(String, bool, String)], parsed: &ParsedIndexes<'_>) -> Vec<Index> {
    let mut out = Vec::new();
    for (name, unique, origin) in list {
        // The key and the UNIQUE constraints are the table's, not indexes of the model.
        if origin == "pk" || origin == "u" {
            continue;
        }
        let Some(Some((inner, where_clause))) = parsed.get(name.as_str()) else {
            continue;
        };
        let target = match ddl::plain_names(inner) {
            Some(cols) => IndexTarget::Columns(cols),
            None => IndexTarget::Expr(inner.clone()),
        };
        out.push(Index {
            name: name.clone(),
            target,
            unique: *unique,
            where_clause: where_clause.clone(),
            options: Default::default(),
        });
    }
    out
}

/// Foreign keys from `PRAGMA foreign_key_list`, for a table whose definition could not be read.
fn foreign_keys(conn: &Connection, table: &str) -> rusqlite::Result<Vec<ForeignKey>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list({}) ORDER BY id DESC, seq",
        quote_string(table)
    ))?;
    type Row = (i64, i64, String, String, Option<String>, String, String);
    let rows: Vec<Row> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut grouped: BTreeMap<i64, Vec<Row>> = BTreeMap::new();
    let mut order = Vec::new();
    for r in rows {
        if !grouped.contains_key(&r.0) {
            order.push(r.0);
        }
        grouped.entry(r.0).or_default().push(r);
    }
    let mut out = Vec::new();
    for id in order {
        let rows = &grouped[&id];
        let ref_table = rows[0].2.clone();
        let columns: Vec<String> = rows.iter().map(|r| r.3.clone()).collect();
        // `REFERENCES parent` without columns means the parent's primary key.
        let implied = !rows.iter().all(|r| r.4.is_some());
        let ref_columns: Vec<String> = if implied {
            key_columns(conn, &ref_table)?
        } else {
            rows.iter().filter_map(|r| r.4.clone()).collect()
        };
        let action = |s: &str| FkAction::parse(s).unwrap_or_default();
        let mut fk = ForeignKey::new(
            table,
            columns,
            &ref_table,
            ref_columns,
            action(&rows[0].6),
            action(&rows[0].5),
        );
        if implied {
            fk.ref_columns.clear();
        }
        out.push(fk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long schema's tables are built in two halves, on two threads: each table, and the
    /// notes of each, as reading that table alone (one thread, in order) gives them.
    #[test]
    fn a_long_schema_reads_as_its_tables_read_one_by_one() {
        let conn = Connection::open_in_memory().unwrap();
        let mut names = Vec::new();
        let mut sql = String::new();
        for i in 0..120 {
            let (name, ddl) = match i % 5 {
                0 => (
                    format!("p{i}"),
                    format!("CREATE TABLE p{i} (code TEXT PRIMARY KEY, n INTEGER UNIQUE);"),
                ),
                // A key left implied, and a foreign key named (a note).
                1 => (
                    format!("c{i}"),
                    format!(
                        "CREATE TABLE c{i} (id INTEGER PRIMARY KEY, p TEXT REFERENCES p{} ON DELETE CASCADE, \
                         n INTEGER, CONSTRAINT named_{i} FOREIGN KEY (n) REFERENCES p{}(n));",
                        i - 1,
                        i - 1
                    ),
                ),
                // UNIQUE said twice (a note), a check, keys left implied (one of a table
                // further on).
                2 => (
                    format!("d{i}"),
                    format!(
                        "CREATE TABLE d{i} (a INTEGER CHECK (a > 0), b TEXT REFERENCES p{}, e INTEGER REFERENCES c{}, \
                         UNIQUE (a), UNIQUE (a));",
                        i + 3,
                        i - 1
                    ),
                ),
                // A definition the reader cannot parse (SQLite takes a sign before a string):
                // read from the pragmas (a note), its foreign keys from SQLite's list.
                3 => (
                    format!("s{i}"),
                    format!(
                        "CREATE TABLE s{i} (x INTEGER DEFAULT -'a', r TEXT REFERENCES p{}, n INTEGER REFERENCES p{}(n));",
                        i - 3,
                        i - 3
                    ),
                ),
                _ => (
                    format!("w{i}"),
                    format!(
                        "CREATE TABLE w{i} (k1 INTEGER, k2 TEXT, v REAL DEFAULT 1.5, PRIMARY KEY (k1, k2)) WITHOUT ROWID; \
                         CREATE INDEX w{i}_v ON w{i} (v) WHERE v > 0;"
                    ),
                ),
            };
            names.push(name);
            sql.push_str(&ddl);
        }
        conn.execute_batch(&sql).unwrap();
        let (all, all_notes) = read(&conn, &[]).unwrap();
        assert_eq!(all.tables.len(), names.len());
        let mut notes_one_by_one = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let others: Vec<&str> = names.iter().filter(|n| *n != name).map(String::as_str).collect();
            let (one, notes) = read(&conn, &others).unwrap();
            assert_eq!(one.tables.len(), 1);
            assert_eq!(all.tables[i], one.tables[0], "table `{name}`");
            notes_one_by_one.extend(notes);
        }
        assert_eq!(all_notes, notes_one_by_one);
        // Each kind of note is there: the test reads what it means to.
        for said in ["is named `named_1`", "UNIQUE (a) twice", "`s3` could not be read"] {
            assert!(all_notes.iter().any(|n| n.contains(said)), "{said}: {all_notes:#?}");
        }
        let implied = &all.tables[2].foreign_keys[0];
        assert_eq!((implied.ref_table.as_str(), implied.ref_columns.len()), ("p5", 0));
        assert_eq!(
            implied.name,
            names::foreign_key("d2", &["b".to_string()], "p5", &["code".to_string()])
        );
        let implied = &all.tables[2].foreign_keys[1];
        assert_eq!(
            implied.name,
            names::foreign_key("d2", &["e".to_string()], "c1", &["id".to_string()])
        );
        let listed = &all.tables[3].foreign_keys;
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert!(listed.iter().all(|fk| fk.ref_table == "p0"), "{listed:?}");
    }
}
