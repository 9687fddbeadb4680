//! Random schemas, random changes to them, and rows that fit them: the inputs of the
//! property tests. Every part of the model appears: column types, nullability, defaults,
//! collation, generated columns (virtual and stored), single keys with and without
//! AUTOINCREMENT, composite keys, tables without rowid, STRICT tables, indexes (plain, unique,
//! partial), foreign keys with every action, checks; and every kind of change between two of
//! them, renames of tables and columns included.
//!
//! What is kept out, and why:
//! - A type change on a STRICT table: SQLite refuses a value of the old type, by design; the
//!   migration then fails and changes nothing, which the migrator tests cover.
//! - Making a column NOT NULL where a unique index covers it: the NULLs would all become the
//!   same default and the index would refuse them (again a loud, whole failure).
//! - Changing key columns themselves: rows are matched by key or rowid to check they are kept.

use proptest::prelude::*;
use schema_core::diff::Renames;
use schema_core::model::{
    Check, Column, DefaultValue, FkAction, ForeignKey, Generated, Index, IndexTarget, LogicalType, PrimaryKey, Schema,
    Table,
};

pub const TYPES: [&str; 4] = ["integer", "real", "text", "blob"];

/// How a table is keyed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Key {
    /// `id integer PRIMARY KEY`, the rowid.
    Rowid { autoincrement: bool },
    /// `PRIMARY KEY(k1, k2)`, maybe WITHOUT ROWID.
    Composite { without_rowid: bool },
    /// No declared key: rows are found by rowid.
    None,
}

/// The columns a row gives values to, in order: every one but the generated ones.
pub fn stored_columns(t: &Table) -> Vec<&Column> {
    t.columns.iter().filter(|c| c.generated.is_none()).collect()
}

pub fn key_of(t: &Table) -> Key {
    if t.primary_key.is_some() {
        Key::Composite {
            without_rowid: t.options.sqlite.without_rowid,
        }
    } else if let Some(c) = t.columns.iter().find(|c| c.primary_key) {
        Key::Rowid {
            autoincrement: c.autoincrement,
        }
    } else {
        Key::None
    }
}

fn sql(ty: &str) -> LogicalType {
    LogicalType::Sql(ty.to_string())
}

fn default_for(ty: &str, pick: u8) -> Option<DefaultValue> {
    match (ty, pick % 4) {
        (_, 0) => None,
        ("integer", _) => Some(DefaultValue::Int(pick as i64 - 2)),
        ("real", _) => Some(DefaultValue::Real("1.5".into())),
        ("text", 1) => Some(DefaultValue::Sql("CURRENT_TIMESTAMP".into())),
        ("text", _) => Some(DefaultValue::Text("it's".into())),
        _ => Some(DefaultValue::Sql("x'00ff'".into())),
    }
}

/// One column of `a`: (type, nullable, default pick, collate).
fn arb_column() -> impl Strategy<Value = (usize, bool, u8, bool)> {
    (0..4usize, any::<bool>(), 0..4u8, any::<bool>())
}

/// A table of `a`: key kind, autoincrement / without rowid, columns, strict, index count,
/// generated column (none, virtual, stored), a check.
type TableSpec = (u8, bool, Vec<(usize, bool, u8, bool)>, bool, u8, u8, bool);

fn arb_table() -> impl Strategy<Value = TableSpec> {
    (
        0..3u8,        // key kind
        any::<bool>(), // autoincrement / without rowid
        proptest::collection::vec(arb_column(), 1..4),
        any::<bool>(), // strict
        0..3u8,        // indexes
        0..3u8,        // generated column: none, virtual, stored
        any::<bool>(), // a check
    )
}

/// Schema `a`: 1 to 3 tables `t0`..; a rowid-keyed table may point at an earlier one.
pub fn arb_schema() -> impl Strategy<Value = Schema> {
    (
        proptest::collection::vec(arb_table(), 1..4),
        proptest::collection::vec(0..5u8, 3),
    )
        .prop_map(|(tables, fks)| {
            let mut schema = Schema::default();
            for (i, (kind, flag, cols, strict, n_ix, gen_kind, check)) in tables.into_iter().enumerate() {
                let name = format!("t{i}");
                let mut t = Table::new(&name);
                t.options.sqlite.strict = strict;
                match kind {
                    0 => {
                        let mut id = Column::new("id", sql("integer"));
                        id.primary_key = true;
                        id.autoincrement = flag;
                        t.columns.push(id);
                    }
                    1 => {
                        t.columns.push(Column::new("k1", sql("integer")));
                        t.columns.push(Column::new("k2", sql("text")));
                        t.primary_key = Some(PrimaryKey {
                            name: format!("{name}_k1_k2_pk"),
                            columns: vec!["k1".into(), "k2".into()],
                        });
                        t.options.sqlite.without_rowid = flag;
                    }
                    _ => {}
                }
                for (j, (ty, nullable, d, collate)) in cols.into_iter().enumerate() {
                    let mut c = Column::new(format!("c{j}"), sql(TYPES[ty]));
                    c.not_null = !nullable;
                    c.default = default_for(TYPES[ty], d);
                    if TYPES[ty] == "text" && collate {
                        c.collate = Some("NOCASE".into());
                    }
                    t.columns.push(c);
                }
                // A rowid table may point at an earlier rowid table.
                if kind == 0 && i > 0 && fks[i - 1] < 4 {
                    let target = format!("t{}", fks[i - 1] as usize % i);
                    let target_is_rowid = schema
                        .table(&target)
                        .is_some_and(|p| matches!(key_of(p), Key::Rowid { .. }));
                    if target_is_rowid {
                        t.columns.push(Column {
                            not_null: false,
                            ..Column::new("ref", sql("integer"))
                        });
                        let action = FkAction::ALL[fks[i - 1] as usize % 5];
                        // SET DEFAULT with no default would fail on delete; none of ours deletes parents.
                        t.foreign_keys.push(ForeignKey::new(
                            &name,
                            vec!["ref".into()],
                            &target,
                            vec!["id".into()],
                            action,
                            FkAction::NoAction,
                        ));
                    }
                }
                if gen_kind > 0 {
                    let base = if matches!(key_of(&t), Key::Rowid { .. }) {
                        "id"
                    } else {
                        t.columns[0].name.as_str()
                    };
                    let expr = format!("\"{base}\" || 'x'");
                    let stored = gen_kind == 2;
                    t.columns.push(Column {
                        not_null: false,
                        generated: Some(Generated { expr, stored }),
                        ..Column::new("g", sql("text"))
                    });
                }
                let plain: Vec<String> = t
                    .columns
                    .iter()
                    .filter(|c| c.name.starts_with('c'))
                    .map(|c| c.name.clone())
                    .collect();
                for k in 0..n_ix as usize {
                    if let Some(col) = plain.get(k) {
                        t.indexes.push(Index {
                            name: format!("{name}_ix{k}"),
                            target: IndexTarget::Columns(vec![col.clone()]),
                            unique: k == 1,
                            where_clause: (k == 0).then(|| format!("\"{col}\" IS NOT NULL")),
                            options: Default::default(),
                        });
                    }
                }
                if check && let Some(col) = plain.first() {
                    t.checks.push(Check {
                        name: format!("{name}_ck"),
                        expr: format!("length(\"{col}\") >= 0"),
                        named: true,
                    });
                }
                schema.tables.push(t);
            }
            schema
        })
}

/// One change to make to a table of `a`.
#[derive(Debug, Clone)]
pub struct TableOps {
    pub fate: u8,
    pub columns: Vec<u8>,
    pub add: Option<(usize, u8, u8)>,
    pub index: u8,
    pub strict: bool,
    pub autoinc: bool,
    pub fk: u8,
}

fn arb_ops() -> impl Strategy<Value = TableOps> {
    (
        0..10u8,
        proptest::collection::vec(0..16u8, 6),
        proptest::option::of((0..4usize, 0..3u8, 0..4u8)),
        0..4u8,
        any::<bool>(),
        any::<bool>(),
        0..4u8,
    )
        .prop_map(|(fate, columns, add, index, strict, autoinc, fk)| TableOps {
            fate,
            columns,
            add,
            index,
            strict,
            autoinc,
            fk,
        })
}

/// `a`, a changed copy `b`, and the renames between them.
pub fn arb_change() -> impl Strategy<Value = (Schema, Schema, Renames)> {
    (arb_schema(), proptest::collection::vec(arb_ops(), 3), any::<bool>()).prop_map(|(a, ops, new_table)| {
        let (b, renames) = mutate(&a, &ops, new_table);
        (a, b, renames)
    })
}

/// Applies `ops` to a copy of `a`, keeping `b` a valid schema.
pub fn mutate(a: &Schema, ops: &[TableOps], new_table: bool) -> (Schema, Renames) {
    let mut renames = Renames::default();
    let mut b = Schema::default();
    for (t, op) in a.tables.iter().zip(ops.iter().cycle()) {
        let mut n = t.clone();
        match op.fate {
            0 => continue, // dropped
            1 | 2 => {
                n.name = format!("r{}", &t.name[1..]);
                renames.tables.push((t.name.clone(), n.name.clone()));
            }
            _ => {}
        }
        let frozen = |c: &Column| {
            c.primary_key
                || c.generated.is_some()
                || t.key_columns().contains(&c.name.as_str())
                || c.name == "ref"
                || t.columns.iter().any(|g| {
                    g.generated
                        .as_ref()
                        .is_some_and(|g| g.expr.contains(&format!("\"{}\"", c.name)))
                })
        };
        let unique_on = |n: &Table, col: &str| {
            n.indexes
                .iter()
                .any(|i| i.unique && matches!(&i.target, IndexTarget::Columns(c) if c.iter().any(|x| x == col)))
        };
        let mut cols = Vec::new();
        for (c, code) in t.columns.iter().zip(op.columns.iter().cycle()) {
            let mut c = c.clone();
            if frozen(&c) {
                cols.push(c);
                continue;
            }
            match code {
                0 => {
                    // dropped, with what names it
                    n.indexes
                        .retain(|i| !matches!(&i.target, IndexTarget::Columns(cs) if cs.contains(&c.name)));
                    n.checks.retain(|ch| !ch.expr.contains(&format!("\"{}\"", c.name)));
                    continue;
                }
                1 => {
                    let new = format!("{}_r", c.name);
                    for i in &mut n.indexes {
                        if let IndexTarget::Columns(cs) = &mut i.target {
                            for x in cs.iter_mut().filter(|x| **x == c.name) {
                                *x = new.clone();
                            }
                        }
                        if let Some(w) = &mut i.where_clause {
                            *w = w.replace(&format!("\"{}\"", c.name), &format!("\"{new}\""));
                        }
                    }
                    for ch in &mut n.checks {
                        ch.expr = ch.expr.replace(&format!("\"{}\"", c.name), &format!("\"{new}\""));
                    }
                    renames.columns.push((n.name.clone(), c.name.clone(), new.clone()));
                    c.name = new;
                }
                2 if !t.options.sqlite.strict && !op.strict => {
                    let ty = TYPES[(TYPES
                        .iter()
                        .position(|x| LogicalType::Sql(x.to_string()) == c.ty)
                        .unwrap_or(0)
                        + 1)
                        % 4];
                    c.ty = sql(ty);
                    // The old default may not fit the new type.
                    c.default = default_for(ty, 1);
                    if ty != "text" {
                        c.collate = None;
                    }
                }
                3 if !unique_on(&n, &c.name) => {
                    c.not_null = !c.not_null;
                    if c.not_null && c.default.is_none() {
                        // Sometimes none: the change must then be refused, not guessed.
                        // A default of the column's own type (a STRICT table refuses any other).
                        c.default = match &c.ty {
                            LogicalType::Sql(ty) if op.index != 3 => default_for(ty, 2),
                            _ => None,
                        };
                    }
                }
                4 => {
                    c.default = match c.default {
                        Some(_) if !c.not_null => None,
                        _ => match &c.ty {
                            LogicalType::Sql(s) => default_for(s, 2),
                            _ => None,
                        },
                    };
                }
                _ => {}
            }
            cols.push(c);
        }
        // New columns go last, where ALTER TABLE ADD puts them.
        if let Some((ty, kind, d)) = op.add {
            let mut c = Column::new(format!("n{}", t.columns.len()), sql(TYPES[ty]));
            c.not_null = kind != 0;
            c.default = if kind == 2 {
                None
            } else {
                default_for(TYPES[ty], d.max(1))
            };
            cols.push(c);
        }
        if cols.is_empty() {
            // A table keeps one column: SQLite has no table without any (and the derive refuses one).
            let kept = t.columns[0].clone();
            n.indexes
                .retain(|i| matches!(&i.target, IndexTarget::Columns(cs) if cs.contains(&kept.name)));
            cols.push(kept);
        }
        n.columns = cols;
        match op.index {
            0 => {
                n.indexes.pop();
            }
            1 => {
                if let Some(c) = n
                    .columns
                    .iter()
                    .find(|c| c.generated.is_none() && !n.key_columns().contains(&c.name.as_str()) && c.name != "ref")
                {
                    let name = format!("{}_new_ix", n.name);
                    if !n.indexes.iter().any(|i| i.name == name) {
                        n.indexes.push(Index {
                            name,
                            target: IndexTarget::Columns(vec![c.name.clone()]),
                            unique: false,
                            where_clause: None,
                            options: Default::default(),
                        });
                    }
                }
            }
            _ => {}
        }
        if op.strict {
            // STRICT needs every declared type to be one it knows: ours are.
            n.options.sqlite.strict = !n.options.sqlite.strict;
        }
        if op.autoinc
            && let Some(id) = n.columns.iter_mut().find(|c| c.primary_key)
        {
            id.autoincrement = !id.autoincrement;
        }
        if op.fk == 0 {
            n.foreign_keys.clear();
        }
        // A new foreign key, on a new nullable column: existing rows hold NULL, so it holds.
        if op.fk == 1 && matches!(key_of(&n), Key::Rowid { .. }) && n.column("ref").is_none() {
            n.columns.push(Column {
                not_null: false,
                ..Column::new("ref", sql("integer"))
            });
            let target = b
                .tables
                .iter()
                .find(|p| matches!(key_of(p), Key::Rowid { .. }))
                .map_or(n.name.clone(), |p| p.name.clone());
            let name = n.name.clone();
            n.foreign_keys.push(ForeignKey::new(
                &name,
                vec!["ref".into()],
                &target,
                vec!["id".into()],
                FkAction::SetNull,
                FkAction::NoAction,
            ));
        }
        b.tables.push(n);
    }
    // Foreign keys follow their target's rename, and go with a dropped target.
    let names: Vec<String> = b.tables.iter().map(|t| t.name.clone()).collect();
    for t in &mut b.tables {
        let from = t.name.clone();
        t.foreign_keys = t
            .foreign_keys
            .iter()
            .filter_map(|f| {
                let to = renames
                    .tables
                    .iter()
                    .find(|(o, _)| *o == f.ref_table)
                    .map_or(f.ref_table.clone(), |(_, n)| n.clone());
                names.contains(&to).then(|| {
                    ForeignKey::new(
                        &from,
                        f.columns.clone(),
                        &to,
                        f.ref_columns.clone(),
                        f.on_delete,
                        f.on_update,
                    )
                })
            })
            .collect();
    }
    if new_table {
        let mut t = Table::new("t9");
        let mut id = Column::new("id", sql("integer"));
        id.primary_key = true;
        t.columns.push(id);
        t.columns.push(Column {
            not_null: false,
            ..Column::new("v", sql("text"))
        });
        if let Some(target) = b.tables.iter().find(|p| matches!(key_of(p), Key::Rowid { .. })) {
            t.columns.push(Column {
                not_null: false,
                ..Column::new("ref", sql("integer"))
            });
            t.foreign_keys.push(ForeignKey::new(
                "t9",
                vec!["ref".into()],
                &target.name,
                vec!["id".into()],
                FkAction::Cascade,
                FkAction::NoAction,
            ));
        }
        b.tables.push(t);
    }
    (b, renames)
}

/// A value for column `c` in row `r`, distinct per row, of the column's type; NULL in some
/// rows of nullable columns.
pub fn value(c: &Column, r: i64) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    if !c.not_null && r % 3 == 1 {
        return Value::Null;
    }
    match &c.ty {
        LogicalType::Sql(s) if s == "integer" => Value::Integer(r * 10 - 7),
        LogicalType::Sql(s) if s == "real" => Value::Real(r as f64 + 0.25),
        LogicalType::Sql(s) if s == "text" => Value::Text(format!("v{r}'s")),
        _ => Value::Blob(vec![b'a', b'0' + (r % 10) as u8]),
    }
}

/// A name drawn from all of Unicode, leaning on what breaks quoting: quotes of every kind,
/// brackets, spaces, keywords, comment markers, semicolons, newlines, non-Latin scripts.
/// Never one SQLite reserves (`sqlite_…`), nor ours (`__new_…`, the tracking table, the
/// statement separator), nor one holding NUL, which SQLite's C API cannot pass.
pub fn arb_name() -> impl Strategy<Value = String> {
    let tricky = prop::sample::select(vec![
        "select",
        "order",
        "table",
        "group by",
        "a\"b",
        "a``b",
        "[x]",
        "a]b",
        "x--y",
        "line\nbreak",
        "tab\there",
        " spaced ",
        "'q'",
        "naïve",
        "用户",
        "crab🦀",
        "x; DROP TABLE y",
        "/*c*/",
        "Ünïcödé",
        "\\",
        "?",
        "$1",
        "r#x",
        "CONSTRAINT",
        "references",
        "key",
        "NULL",
        "default",
        "1st",
    ]);
    prop_oneof![
        3 => "[a-z][a-z0-9_]{0,6}",
        3 => tricky.clone().prop_map(str::to_string),
        2 => any::<String>(),
        2 => (tricky, any::<String>()).prop_map(|(a, b)| format!("{a}{b}")),
    ]
    .prop_map(|s| s.chars().filter(|c| *c != '\0').take(24).collect::<String>())
    .prop_filter("a name SQLite or the toolkit reserves", |s| {
        let l = s.to_ascii_lowercase();
        !s.trim().is_empty()
            && !l.starts_with("sqlite_")
            && !l.starts_with("__new_")
            && !l.starts_with("__drizzle")
            && !s.contains(schema_core::sql::BREAKPOINT)
    })
}

/// `n` names, different from each other as SQL compares names (ASCII case folded), each
/// made distinct by a suffix where the draw repeated one.
pub fn distinct(names: Vec<String>, taken: &mut Vec<String>) -> Vec<String> {
    names
        .into_iter()
        .map(|n| {
            let mut candidate = n.clone();
            let mut i = 2;
            while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
                candidate = format!("{n}{i}");
                i += 1;
            }
            taken.push(candidate.clone());
            candidate
        })
        .collect()
}

/// `"name"` with `"` doubled: how the expressions of [`arb_schema`] name columns.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Schema `s` with every table, column, index and check renamed from `names` (drawn with
/// [`arb_name`]), expressions and foreign keys following.
pub fn with_names(s: &Schema, names: &[String]) -> Schema {
    let mut pool = names.iter().cycle();
    let mut taken: Vec<String> = Vec::new();
    let mut next = |suffix: &str, taken: &mut Vec<String>| {
        distinct(
            vec![format!("{}{suffix}", pool.next().cloned().unwrap_or_default())],
            taken,
        )
        .remove(0)
    };
    // Tables and indexes share one namespace; columns are per table.
    let table_names: Vec<(String, String)> = s
        .tables
        .iter()
        .map(|t| (t.name.clone(), next("", &mut taken)))
        .collect();
    let table_of = |old: &str| {
        table_names
            .iter()
            .find(|(o, _)| o == old)
            .map_or_else(|| old.to_string(), |(_, n)| n.clone())
    };
    let mut column_names: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for t in &s.tables {
        let mut cols_taken = Vec::new();
        let cols = t
            .columns
            .iter()
            .map(|c| (c.name.clone(), next("", &mut cols_taken)))
            .collect();
        column_names.push((t.name.clone(), cols));
    }
    let col_of = |table: &str, old: &str| {
        column_names
            .iter()
            .find(|(t, _)| t == table)
            .and_then(|(_, cols)| cols.iter().find(|(o, _)| o == old))
            .map_or_else(|| old.to_string(), |(_, n)| n.clone())
    };
    let mut out = s.clone();
    for t in &mut out.tables {
        let old = t.name.clone();
        // Every quoted name at once (one after the other, `"a"` → `"b"` → `"c"` would chain).
        let rewrite = |e: &str| {
            let mut out = String::new();
            let mut at = 0;
            for t in schema_core::sql::lex::tokenize(e) {
                if let schema_core::sql::lex::Kind::Quoted(n) = &t.kind
                    && s.table(&old).is_some_and(|tb| tb.column(n).is_some())
                {
                    out.push_str(&e[at..t.start]);
                    out.push_str(&quoted(&col_of(&old, n)));
                    at = t.end;
                }
            }
            out.push_str(&e[at..]);
            out
        };
        for c in &mut t.columns {
            if let Some(g) = &mut c.generated {
                g.expr = rewrite(&g.expr);
            }
            c.name = col_of(&old, &c.name);
        }
        if let Some(pk) = &mut t.primary_key {
            pk.columns = pk.columns.iter().map(|c| col_of(&old, c)).collect();
        }
        for ix in &mut t.indexes {
            ix.name = next("_ix", &mut taken);
            if let IndexTarget::Columns(cols) = &mut ix.target {
                *cols = cols.iter().map(|c| col_of(&old, c)).collect();
            }
            ix.where_clause = ix.where_clause.as_deref().map(rewrite);
        }
        for ch in &mut t.checks {
            ch.name = next("_ck", &mut taken);
            ch.expr = rewrite(&ch.expr);
        }
        for fk in &mut t.foreign_keys {
            fk.columns = fk.columns.iter().map(|c| col_of(&old, c)).collect();
            fk.ref_columns = fk.ref_columns.iter().map(|c| col_of(&fk.ref_table, c)).collect();
            fk.ref_table = table_of(&fk.ref_table);
        }
        t.name = table_of(&old);
        for fk in &mut t.foreign_keys {
            fk.name = schema_core::model::names::foreign_key(&t.name, &fk.columns, &fk.ref_table, &fk.ref_columns);
        }
    }
    out
}

/// The schema as another tool would have written it, for `pull` to read: each name quoted
/// one of SQLite's three ways, a reference to a parent's key implied or spelled out,
/// DEFERRABLE or not, uniques inline or at table level, constraints named or not, keys inline
/// or at table level. `style` drives each choice (cycled).
pub fn foreign_ddl(s: &Schema, style: &[u8]) -> Vec<String> {
    let mut pick = style.iter().copied().cycle();
    let mut choose = move |n: u8| pick.next().unwrap_or(0) % n;
    let q = |name: &str, choose: &mut dyn FnMut(u8) -> u8| quote_as(name, choose(3));
    let mut out = Vec::new();
    for t in &s.tables {
        let mut parts = Vec::new();
        let mut inline_fks = Vec::new();
        let single_key = t.primary_key.is_none();
        let inline_unique = t
            .columns
            .iter()
            .position(|c| !c.primary_key && c.generated.is_none() && choose(3) == 0);
        for (i, c) in t.columns.iter().enumerate() {
            let mut def = format!("{} {}", q(&c.name, &mut choose), type_text(&c.ty));
            if c.primary_key && single_key {
                def.push_str(" PRIMARY KEY");
                if c.autoincrement {
                    def.push_str(" AUTOINCREMENT");
                }
            }
            if c.not_null && !(c.primary_key && single_key && !c.autoincrement && choose(2) == 0) {
                def.push_str(" NOT NULL");
            }
            let default = c.default.as_ref().map(|d| d.to_sql());
            let collate = c.collate.as_ref().map(|n| format!(" COLLATE {n}"));
            // DEFAULT and COLLATE in either order.
            if choose(2) == 0 {
                def.push_str(&default.as_ref().map(|d| format!(" DEFAULT {d}")).unwrap_or_default());
                def.push_str(&collate.clone().unwrap_or_default());
            } else {
                def.push_str(&collate.clone().unwrap_or_default());
                def.push_str(&default.as_ref().map(|d| format!(" DEFAULT {d}")).unwrap_or_default());
            }
            if let Some(g) = &c.generated {
                let always = if choose(2) == 0 { "GENERATED ALWAYS " } else { "" };
                let how = if g.stored {
                    " STORED"
                } else if choose(2) == 0 {
                    " VIRTUAL"
                } else {
                    ""
                };
                def.push_str(&format!(" {always}AS ({}){how}", g.expr));
            }
            if inline_unique == Some(i) {
                def.push_str(" UNIQUE");
            }
            // A single-column foreign key on its column, or at table level below.
            if let Some(at) = t.foreign_keys.iter().position(|f| f.columns == [c.name.as_str()])
                && choose(2) == 0
            {
                def.push_str(&format!(" {}", references(&t.foreign_keys[at], s, &mut choose)));
                inline_fks.push(at);
            }
            parts.push(def);
        }
        if let Some(pk) = &t.primary_key {
            let cols: Vec<String> = pk.columns.iter().map(|c| q(c, &mut choose)).collect();
            parts.push(format!("PRIMARY KEY ({})", cols.join(", ")));
        }
        for (at, fk) in t.foreign_keys.iter().enumerate() {
            if inline_fks.contains(&at) {
                continue; // written on its column
            }
            let cols: Vec<String> = fk.columns.iter().map(|c| q(c, &mut choose)).collect();
            parts.push(format!(
                "FOREIGN KEY ({}) {}",
                cols.join(", "),
                references(fk, s, &mut choose)
            ));
        }
        for ch in &t.checks {
            if choose(2) == 0 {
                parts.push(format!("CONSTRAINT {} CHECK ({})", q(&ch.name, &mut choose), ch.expr));
            } else {
                parts.push(format!("CHECK({})", ch.expr));
            }
        }
        let plain: Vec<&Column> = t
            .columns
            .iter()
            .filter(|c| !c.primary_key && c.generated.is_none())
            .collect();
        if plain.len() >= 2 && choose(3) == 0 {
            let cols = format!("{}, {}", q(&plain[0].name, &mut choose), q(&plain[1].name, &mut choose));
            match choose(2) {
                0 => parts.push(format!("UNIQUE ({cols})")),
                _ => parts.push(format!(
                    "CONSTRAINT {} UNIQUE ({cols})",
                    q(&format!("{}_u", t.name), &mut choose)
                )),
            }
        }
        let mut options = Vec::new();
        if t.options.sqlite.without_rowid {
            options.push("WITHOUT ROWID");
        }
        if t.options.sqlite.strict {
            options.push("STRICT");
        }
        out.push(format!(
            "CREATE TABLE {} (\n  {}\n) {}",
            q(&t.name, &mut choose),
            parts.join(",\n  "),
            options.join(", ")
        ));
        for ix in &t.indexes {
            let target = match &ix.target {
                IndexTarget::Columns(cols) => cols.iter().map(|c| q(c, &mut choose)).collect::<Vec<_>>().join(", "),
                IndexTarget::Expr(e) => e.clone(),
            };
            let mut sql = format!(
                "CREATE {}INDEX {} ON {} ({target})",
                if ix.unique { "UNIQUE " } else { "" },
                q(&ix.name, &mut choose),
                q(&t.name, &mut choose)
            );
            if let Some(w) = &ix.where_clause {
                sql.push_str(&format!(" WHERE {w}"));
            }
            out.push(sql);
        }
    }
    out
}

/// A name quoted one of SQLite's three ways: `"x"`, `` `x` `` or `[x]` (when it holds no `]`).
fn quote_as(name: &str, how: u8) -> String {
    match how {
        1 => format!("`{}`", name.replace('`', "``")),
        2 if !name.contains(']') => format!("[{name}]"),
        _ => quoted(name),
    }
}

/// `REFERENCES parent [(cols)] ON DELETE .. [DEFERRABLE ..]`, the parent's key columns left
/// out when they are its whole key and the style says so.
fn references(fk: &ForeignKey, s: &Schema, choose: &mut dyn FnMut(u8) -> u8) -> String {
    let q = |name: &str, choose: &mut dyn FnMut(u8) -> u8| quote_as(name, choose(3));
    let parent_key: Vec<String> = s
        .table(&fk.ref_table)
        .map(|p| p.key_columns().into_iter().map(str::to_string).collect())
        .unwrap_or_default();
    let mut sql = format!("REFERENCES {}", q(&fk.ref_table, choose));
    if fk.ref_columns != parent_key || choose(2) == 0 {
        let cols: Vec<String> = fk.ref_columns.iter().map(|c| q(c, choose)).collect();
        sql.push_str(&format!(" ({})", cols.join(", ")));
    }
    if fk.on_delete != FkAction::NoAction {
        sql.push_str(&format!(" ON DELETE {}", fk.on_delete));
    }
    match choose(3) {
        0 => sql.push_str(" DEFERRABLE INITIALLY DEFERRED"),
        1 => sql.push_str(" DEFERRABLE"),
        _ => {}
    }
    sql
}

/// A type as SQL writes it.
pub fn type_text(ty: &LogicalType) -> String {
    match ty {
        LogicalType::Sql(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

/// Two values read back as text (NULL as `None`) are the same: equal text, or equal numbers
/// (`1.5` and `1.50`, an integer read from a real column).
pub fn same_value(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y || matches!((x.parse::<f64>(), y.parse::<f64>()), (Ok(p), Ok(q)) if p == q),
        (x, y) => x == y,
    }
}
