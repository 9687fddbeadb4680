//! What a migration does, as lint's rules see it: [`Action`]s, read from a diff's changes or
//! from SQL statements through the lexer (never from patterns over text, so a keyword inside
//! a string, a quoted name or a comment is not read as one).

use schema_model::sql::lex::{self, Kind, Token};

use crate::dialect::Dialect;
use crate::diff::Change;
use crate::model::{Column, IndexTarget, Schema};

/// One thing a statement or a change does to the schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    CreateTable {
        table: String,
    },
    DropTable {
        table: String,
    },
    RenameTable {
        from: String,
        to: String,
    },
    AddColumn {
        table: String,
        column: String,
        ty: String,
        not_null: bool,
        default: Option<String>,
        generated: bool,
    },
    DropColumn {
        table: String,
        column: String,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
        ty: Option<String>,
    },
    ChangeType {
        table: String,
        column: String,
        from: Option<String>,
        to: String,
    },
    SetNotNull {
        table: String,
        column: String,
        default: Option<String>,
    },
    DropDefault {
        table: String,
        column: String,
    },
    /// Anything else about a column, which running code does not notice (a dropped NOT NULL,
    /// a new default, a collation).
    AlterColumn {
        table: String,
        column: String,
        what: String,
    },
    AddIndex {
        table: String,
        name: Option<String>,
        unique: bool,
        /// The indexed columns or expression, as SQL.
        target: String,
    },
    DropIndex {
        name: String,
    },
    AddCheck {
        table: String,
        name: Option<String>,
        expr: String,
    },
    AddForeignKey {
        table: String,
        columns: Vec<String>,
        ref_table: String,
    },
    DropConstraint {
        table: String,
        name: String,
    },
    SetPrimaryKey {
        table: String,
        columns: Vec<String>,
    },
    SetOptions {
        table: String,
        to: String,
        risk: Option<String>,
    },
    /// An enum type created, given values, or dropped (`what` says which, as a verb).
    EnumType {
        name: String,
        what: &'static str,
    },
    /// Values taken out of an enum type.
    RemoveEnumValues {
        name: String,
        values: Vec<String>,
    },
    /// A sequence created or changed (`what` says which, as a verb).
    Sequence {
        name: String,
        what: &'static str,
    },
    /// A sequence dropped.
    DropSequence {
        name: String,
    },
}

/// What one change of the diff does. `next` is the schema after it, for what a change does
/// not carry (a renamed column's type).
pub(crate) fn from_change(change: &Change, next: &Schema, dialect: &dyn Dialect) -> Vec<Action> {
    let ty = |c: &Column| dialect.column_type(&c.ty);
    let s = String::clone;
    match change {
        Change::RenameTable { from, to } => vec![Action::RenameTable {
            from: s(from),
            to: s(to),
        }],
        Change::RenameColumn { table, from, to } => vec![Action::RenameColumn {
            table: s(table),
            from: s(from),
            to: s(to),
            ty: next.table(table).and_then(|t| t.column(to)).map(ty),
        }],
        Change::CreateTable { table, .. } => vec![Action::CreateTable { table: s(table) }],
        Change::DropTable { table } => vec![Action::DropTable { table: s(&table.name) }],
        Change::AddColumn { table, column } => vec![Action::AddColumn {
            table: s(table),
            column: s(&column.name),
            ty: ty(column),
            not_null: column.not_null,
            default: column.default.as_ref().map(|d| d.to_sql()),
            generated: column.generated.is_some(),
        }],
        Change::DropColumn { table, column } => vec![Action::DropColumn {
            table: s(table),
            column: s(&column.name),
        }],
        Change::AlterColumn { table, from, to } => alter_column(table, from, to, dialect),
        Change::SetPrimaryKey { table, to, .. } => vec![Action::SetPrimaryKey {
            table: s(table),
            columns: to.as_ref().map(|k| k.columns.clone()).unwrap_or_default(),
        }],
        Change::AddForeignKey { table, fk } => vec![Action::AddForeignKey {
            table: s(table),
            columns: fk.columns.clone(),
            ref_table: s(&fk.ref_table),
        }],
        Change::DropForeignKey { table, fk } => vec![Action::DropConstraint {
            table: s(table),
            name: s(&fk.name),
        }],
        Change::AddCheck { table, check } => vec![Action::AddCheck {
            table: s(table),
            name: Some(s(&check.name)),
            expr: s(&check.expr),
        }],
        Change::DropCheck { table, check } => vec![Action::DropConstraint {
            table: s(table),
            name: s(&check.name),
        }],
        // A unique constraint refuses existing rows as a unique index does.
        Change::AddUnique { table, unique } => vec![Action::AddIndex {
            table: s(table),
            name: Some(s(&unique.name)),
            unique: true,
            target: unique
                .columns
                .iter()
                .map(|c| dialect.quote_ident(c))
                .collect::<Vec<_>>()
                .join(", "),
        }],
        Change::DropUnique { table, unique } => vec![Action::DropConstraint {
            table: s(table),
            name: s(&unique.name),
        }],
        Change::CreateEnum { ty } => vec![Action::EnumType {
            name: ty.key(),
            what: "creates",
        }],
        Change::DropEnum { ty } => vec![Action::EnumType {
            name: ty.key(),
            what: "drops",
        }],
        Change::AlterEnum { from, to } => {
            let removed: Vec<String> = from.values.iter().filter(|v| !to.values.contains(v)).cloned().collect();
            if removed.is_empty() {
                vec![Action::EnumType {
                    name: to.key(),
                    what: "adds values to",
                }]
            } else {
                vec![Action::RemoveEnumValues {
                    name: to.key(),
                    values: removed,
                }]
            }
        }
        Change::CreateSequence { sequence } => vec![Action::Sequence {
            name: sequence.key(),
            what: "creates",
        }],
        Change::AlterSequence { to, .. } => vec![Action::Sequence {
            name: to.key(),
            what: "changes",
        }],
        Change::DropSequence { sequence } => vec![Action::DropSequence { name: sequence.key() }],
        Change::SetOptions { table, from, to } => vec![Action::SetOptions {
            table: s(table),
            to: dialect.describe_options(to),
            risk: dialect.options_risk(from, to),
        }],
        Change::CreateIndex { table, index } => vec![Action::AddIndex {
            table: s(table),
            name: Some(s(&index.name)),
            unique: index.unique,
            target: match &index.target {
                IndexTarget::Columns(cols) => cols
                    .iter()
                    .map(|c| dialect.quote_ident(c))
                    .collect::<Vec<_>>()
                    .join(", "),
                IndexTarget::Expr(e) => e.clone(),
            },
        }],
        Change::DropIndex { index, .. } => vec![Action::DropIndex { name: s(&index.name) }],
    }
}

/// A column's change, split into what running code notices (each its own action) and the rest.
fn alter_column(table: &str, from: &Column, to: &Column, dialect: &dyn Dialect) -> Vec<Action> {
    let (t, c) = (table.to_string(), to.name.clone());
    let mut out = Vec::new();
    let (from_ty, to_ty) = (dialect.column_type(&from.ty), dialect.column_type(&to.ty));
    if !from_ty.eq_ignore_ascii_case(&to_ty) {
        out.push(Action::ChangeType {
            table: t.clone(),
            column: c.clone(),
            from: Some(from_ty),
            to: to_ty,
        });
    }
    if to.not_null && !from.not_null {
        out.push(Action::SetNotNull {
            table: t.clone(),
            column: c.clone(),
            default: to.default.as_ref().map(|d| d.to_sql()),
        });
    }
    if to.not_null && from.default.is_some() && to.default.is_none() && to.generated.is_none() {
        out.push(Action::DropDefault {
            table: t.clone(),
            column: c.clone(),
        });
    }
    if out.is_empty() {
        let mut what = Vec::new();
        if from.not_null && !to.not_null {
            what.push("drops NOT NULL".to_string());
        }
        if from.default != to.default {
            what.push(match &to.default {
                Some(d) => format!("sets the default to {}", d.to_sql()),
                None => "drops the default".to_string(),
            });
        }
        if from.collate != to.collate {
            what.push("changes the collation".to_string());
        }
        if from.generated != to.generated {
            what.push("changes the generated expression".to_string());
        }
        if from.primary_key != to.primary_key || from.autoincrement != to.autoincrement {
            what.push("changes the key".to_string());
        }
        if what.is_empty() {
            what.push("changes the column".to_string());
        }
        out.push(Action::AlterColumn {
            table: t,
            column: c,
            what: what.join(", "),
        });
    }
    out
}

/// What the statements of one migration piece do, read with the lexer. Statements lint has no
/// rule for (DML, views, triggers) read as nothing.
pub(crate) fn actions(piece: &str) -> Vec<Action> {
    lex::split(piece).into_iter().flat_map(|s| statement(s.text)).collect()
}

/// A statement's tokens, comments left out, and the reading helpers the rules share.
pub(crate) struct Tokens<'a> {
    pub src: &'a str,
    pub toks: Vec<Token>,
}

impl<'a> Tokens<'a> {
    pub fn new(src: &'a str) -> Tokens<'a> {
        Tokens {
            src,
            toks: lex::tokenize(src).into_iter().filter(|t| !t.is_comment()).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// Whether token `i` is the word `w`.
    pub fn word(&self, i: usize, w: &str) -> bool {
        self.toks.get(i).is_some_and(|t| t.is_word(self.src, w))
    }

    /// Whether tokens from `i` are the words `ws`.
    pub fn words(&self, i: usize, ws: &[&str]) -> bool {
        ws.iter().enumerate().all(|(k, w)| self.word(i + k, w))
    }

    /// Whether token `i` is the operator `op`.
    pub fn op(&self, i: usize, op: &str) -> bool {
        self.toks.get(i).is_some_and(|t| t.is_op(self.src, op))
    }

    /// The name at `i` (a word, a quoted name, or `schema.name`, of which the last part), and
    /// the index after it.
    pub fn name(&self, i: usize) -> Option<(String, usize)> {
        let one = |i: usize| {
            self.toks.get(i).and_then(|t| match &t.kind {
                Kind::Quoted(n) | Kind::Str(n) => Some(n.clone()),
                Kind::Word => Some(t.text(self.src).to_string()),
                _ => None,
            })
        };
        let first = one(i)?;
        if self.op(i + 1, ".")
            && let Some(second) = one(i + 2)
        {
            return Some((second, i + 3));
        }
        Some((first, i + 1))
    }

    /// `i` past `IF EXISTS` / `IF NOT EXISTS`, when they are there.
    pub fn skip_if_exists(&self, i: usize) -> usize {
        if self.words(i, &["IF", "NOT", "EXISTS"]) {
            i + 3
        } else if self.words(i, &["IF", "EXISTS"]) {
            i + 2
        } else {
            i
        }
    }

    /// The source text of tokens `from..to`.
    pub fn text(&self, from: usize, to: usize) -> &'a str {
        if from >= to || from >= self.toks.len() {
            return "";
        }
        let end = self.toks[to.min(self.toks.len()) - 1].end;
        self.src[self.toks[from].start..end].trim()
    }

    /// The ranges of `from..to` between commas outside parentheses.
    pub fn split_commas(&self, from: usize, to: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let (mut depth, mut start) = (0i32, from);
        for i in from..to {
            if self.op(i, "(") {
                depth += 1;
            } else if self.op(i, ")") {
                depth -= 1;
            } else if depth == 0 && self.op(i, ",") {
                out.push((start, i));
                start = i + 1;
            }
        }
        out.push((start, to));
        out
    }

    /// The first index in `from..to`, outside parentheses, where `at` holds.
    pub fn find_top(&self, from: usize, to: usize, at: impl Fn(usize) -> bool) -> Option<usize> {
        let mut depth = 0i32;
        for i in from..to {
            if self.op(i, "(") {
                depth += 1;
            } else if self.op(i, ")") {
                depth -= 1;
            } else if depth == 0 && at(i) {
                return Some(i);
            }
        }
        None
    }

    /// The text inside the parentheses that open at `i`, and the index after them.
    pub fn parenthesized(&self, i: usize) -> Option<(&'a str, usize)> {
        if !self.op(i, "(") {
            return None;
        }
        let mut depth = 0i32;
        for j in i..self.toks.len() {
            if self.op(j, "(") {
                depth += 1;
            } else if self.op(j, ")") {
                depth -= 1;
                if depth == 0 {
                    return Some((self.text(i + 1, j), j + 1));
                }
            }
        }
        None
    }
}

/// The words that end a column's type and start its constraints.
const COLUMN_CONSTRAINTS: &[&str] = &[
    "CONSTRAINT",
    "NOT",
    "NULL",
    "DEFAULT",
    "PRIMARY",
    "UNIQUE",
    "CHECK",
    "REFERENCES",
    "COLLATE",
    "GENERATED",
    "AS",
];

fn statement(src: &str) -> Vec<Action> {
    let t = Tokens::new(src);
    if t.words(0, &["DROP", "TABLE"]) {
        let at = t.skip_if_exists(2);
        let end = t.find_top(at, t.len(), |i| t.word(i, "CASCADE") || t.word(i, "RESTRICT"));
        return t
            .split_commas(at, end.unwrap_or(t.len()))
            .into_iter()
            .filter_map(|(a, _)| t.name(a))
            .map(|(table, _)| Action::DropTable { table })
            .collect();
    }
    if t.words(0, &["DROP", "INDEX"]) {
        let mut at = 2;
        if t.word(at, "CONCURRENTLY") {
            at += 1;
        }
        let at = t.skip_if_exists(at);
        return t
            .name(at)
            .map(|(name, _)| Action::DropIndex { name })
            .into_iter()
            .collect();
    }
    // Sequences, by the name as the statement writes it.
    for (words, what) in [
        (&["CREATE", "SEQUENCE"][..], Some("creates")),
        (&["ALTER", "SEQUENCE"][..], Some("changes")),
        (&["DROP", "SEQUENCE"][..], None),
    ] {
        if t.words(0, words) {
            let at = t.skip_if_exists(2);
            let Some((_, end)) = t.name(at) else {
                return Vec::new();
            };
            let name = t.text(at, end).to_string();
            return vec![match what {
                Some(what) => Action::Sequence { name, what },
                None => Action::DropSequence { name },
            }];
        }
    }
    if t.word(0, "CREATE") {
        return create(&t);
    }
    if t.words(0, &["ALTER", "TABLE"]) {
        let mut at = t.skip_if_exists(2);
        if t.word(at, "ONLY") {
            at += 1;
        }
        let Some((table, at)) = t.name(at) else {
            return Vec::new();
        };
        return t
            .split_commas(at, t.len())
            .into_iter()
            .filter_map(|(a, b)| alter_table(&t, &table, a, b))
            .collect();
    }
    Vec::new()
}

/// `CREATE TABLE` and `CREATE [UNIQUE] INDEX`; temporary tables are the session's own.
fn create(t: &Tokens<'_>) -> Vec<Action> {
    let mut at = 1;
    if t.word(at, "TEMP") || t.word(at, "TEMPORARY") {
        return Vec::new();
    }
    if t.word(at, "UNLOGGED") {
        at += 1;
    }
    if t.word(at, "TABLE") {
        let at = t.skip_if_exists(at + 1);
        return t
            .name(at)
            .map(|(table, _)| Action::CreateTable { table })
            .into_iter()
            .collect();
    }
    let unique = t.word(at, "UNIQUE");
    if unique {
        at += 1;
    }
    if !t.word(at, "INDEX") {
        return Vec::new();
    }
    at += 1;
    if t.word(at, "CONCURRENTLY") {
        at += 1;
    }
    at = t.skip_if_exists(at);
    let name = if t.word(at, "ON") {
        None
    } else {
        let (n, next) = match t.name(at) {
            Some(x) => x,
            None => return Vec::new(),
        };
        at = next;
        Some(n)
    };
    if !t.word(at, "ON") {
        return Vec::new();
    }
    at += 1;
    if t.word(at, "ONLY") {
        at += 1;
    }
    let Some((table, mut at)) = t.name(at) else {
        return Vec::new();
    };
    if t.word(at, "USING") {
        at += 2;
    }
    let target = t.parenthesized(at).map(|(s, _)| s.to_string()).unwrap_or_default();
    vec![Action::AddIndex {
        table,
        name,
        unique,
        target,
    }]
}

/// One operation of `ALTER TABLE table …` (tokens `a..b`).
fn alter_table(t: &Tokens<'_>, table: &str, a: usize, b: usize) -> Option<Action> {
    let table = table.to_string();
    if t.words(a, &["RENAME", "TO"]) {
        return t.name(a + 2).map(|(to, _)| Action::RenameTable { from: table, to });
    }
    if t.word(a, "RENAME") {
        if t.word(a + 1, "CONSTRAINT") {
            return None;
        }
        let at = if t.word(a + 1, "COLUMN") { a + 2 } else { a + 1 };
        let (from, at) = t.name(at)?;
        if !t.word(at, "TO") {
            return None;
        }
        let (to, _) = t.name(at + 1)?;
        return Some(Action::RenameColumn {
            table,
            from,
            to,
            ty: None,
        });
    }
    if t.words(a, &["DROP", "CONSTRAINT"]) {
        let at = t.skip_if_exists(a + 2);
        return t.name(at).map(|(name, _)| Action::DropConstraint { table, name });
    }
    if t.word(a, "DROP") {
        let at = if t.word(a + 1, "COLUMN") { a + 2 } else { a + 1 };
        let at = t.skip_if_exists(at);
        return t.name(at).map(|(column, _)| Action::DropColumn { table, column });
    }
    if t.word(a, "ADD") {
        return add(t, table, a + 1, b);
    }
    if t.word(a, "ALTER") {
        let at = if t.word(a + 1, "COLUMN") { a + 2 } else { a + 1 };
        let (column, at) = t.name(at)?;
        return Some(alter_column_sql(t, table, column, at, b));
    }
    None
}

/// `ADD [CONSTRAINT name] CHECK|FOREIGN KEY|UNIQUE|PRIMARY KEY …` or `ADD [COLUMN] name type …`.
fn add(t: &Tokens<'_>, table: String, mut at: usize, b: usize) -> Option<Action> {
    let mut name = None;
    if t.word(at, "CONSTRAINT") {
        let (n, next) = t.name(at + 1)?;
        name = Some(n);
        at = next;
    }
    if t.word(at, "CHECK") {
        let (expr, _) = t.parenthesized(at + 1)?;
        return Some(Action::AddCheck {
            table,
            name,
            expr: expr.to_string(),
        });
    }
    if t.words(at, &["FOREIGN", "KEY"]) {
        let (cols, next) = t.parenthesized(at + 2)?;
        let ref_table = if t.word(next, "REFERENCES") {
            t.name(next + 1).map(|(n, _)| n).unwrap_or_default()
        } else {
            String::new()
        };
        return Some(Action::AddForeignKey {
            table,
            columns: names_in(cols),
            ref_table,
        });
    }
    if t.word(at, "UNIQUE") {
        let (cols, _) = t.parenthesized(at + 1)?;
        return Some(Action::AddIndex {
            table,
            name,
            unique: true,
            target: cols.to_string(),
        });
    }
    if t.words(at, &["PRIMARY", "KEY"]) {
        let (cols, _) = t.parenthesized(at + 2)?;
        return Some(Action::SetPrimaryKey {
            table,
            columns: names_in(cols),
        });
    }
    if name.is_some() {
        return None; // a constraint lint has no rule for (EXCLUDE)
    }
    if t.word(at, "COLUMN") {
        at += 1;
    }
    at = t.skip_if_exists(at);
    let (column, at) = t.name(at)?;
    let constraint = |i: usize| COLUMN_CONSTRAINTS.iter().any(|w| t.word(i, w));
    let type_end = t.find_top(at, b, constraint).unwrap_or(b);
    let not_null = t.find_top(at, b, |i| {
        t.words(i, &["NOT", "NULL"]) || t.words(i, &["PRIMARY", "KEY"])
    });
    let default = t.find_top(at, b, |i| t.word(i, "DEFAULT")).map(|d| {
        let end = t.find_top(d + 1, b, |i| i > d + 1 && constraint(i)).unwrap_or(b);
        t.text(d + 1, end).to_string()
    });
    let generated = t
        .find_top(at, b, |i| {
            t.word(i, "GENERATED") || (t.word(i, "AS") && t.op(i + 1, "("))
        })
        .is_some();
    Some(Action::AddColumn {
        table,
        column,
        ty: t.text(at, type_end).to_string(),
        not_null: not_null.is_some(),
        default,
        generated,
    })
}

/// `ALTER [COLUMN] column …` (tokens `at..b` after the column's name).
fn alter_column_sql(t: &Tokens<'_>, table: String, column: String, at: usize, b: usize) -> Action {
    let type_at = if t.word(at, "TYPE") {
        Some(at + 1)
    } else if t.words(at, &["SET", "DATA", "TYPE"]) {
        Some(at + 3)
    } else {
        None
    };
    if let Some(from) = type_at {
        let end = t
            .find_top(from, b, |i| t.word(i, "USING") || t.word(i, "COLLATE"))
            .unwrap_or(b);
        return Action::ChangeType {
            table,
            column,
            from: None,
            to: t.text(from, end).to_string(),
        };
    }
    if t.words(at, &["SET", "NOT", "NULL"]) {
        return Action::SetNotNull {
            table,
            column,
            default: None,
        };
    }
    if t.words(at, &["DROP", "DEFAULT"]) {
        return Action::DropDefault { table, column };
    }
    Action::AlterColumn {
        table,
        column,
        what: t.text(at, b).to_string(),
    }
}

/// The names in a column list (`"a", b`).
pub(crate) fn names_in(list: &str) -> Vec<String> {
    let t = Tokens::new(list);
    t.split_commas(0, t.len())
        .into_iter()
        .filter_map(|(a, _)| t.name(a).map(|(n, _)| n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sql: &str) -> Vec<Action> {
        actions(sql)
    }

    #[test]
    fn strings_and_comments_are_not_statements() {
        assert!(read("INSERT INTO notes VALUES ('DROP TABLE users; ALTER TABLE users DROP COLUMN bio')").is_empty());
        assert!(read("-- DROP TABLE users;\n/* ALTER TABLE users RENAME TO people; */ SELECT 1").is_empty());
        assert_eq!(
            read("UPDATE t SET a = 'x;y'; DROP TABLE \"old;one\""),
            vec![Action::DropTable {
                table: "old;one".into()
            }]
        );
    }

    #[test]
    fn alter_table_reads_every_operation() {
        assert_eq!(
            read("ALTER TABLE `users` RENAME COLUMN `nick` TO `handle`"),
            vec![Action::RenameColumn {
                table: "users".into(),
                from: "nick".into(),
                to: "handle".into(),
                ty: None
            }]
        );
        assert_eq!(
            read("ALTER TABLE public.users DROP COLUMN IF EXISTS bio, ALTER COLUMN age TYPE bigint USING age::bigint"),
            vec![
                Action::DropColumn {
                    table: "users".into(),
                    column: "bio".into()
                },
                Action::ChangeType {
                    table: "users".into(),
                    column: "age".into(),
                    from: None,
                    to: "bigint".into()
                }
            ]
        );
        assert_eq!(
            read("ALTER TABLE t ADD COLUMN c text DEFAULT 'a, b' NOT NULL"),
            vec![Action::AddColumn {
                table: "t".into(),
                column: "c".into(),
                ty: "text".into(),
                not_null: true,
                default: Some("'a, b'".into()),
                generated: false
            }]
        );
        assert_eq!(
            read("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a, \"b\") REFERENCES p (x, y) NOT VALID"),
            vec![Action::AddForeignKey {
                table: "t".into(),
                columns: vec!["a".into(), "b".into()],
                ref_table: "p".into()
            }]
        );
        assert_eq!(
            read("alter table t alter column c set not null"),
            vec![Action::SetNotNull {
                table: "t".into(),
                column: "c".into(),
                default: None
            }]
        );
    }

    #[test]
    fn indexes_and_tables() {
        assert_eq!(
            read("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u ON ONLY s.t USING btree (lower(e))"),
            vec![Action::AddIndex {
                table: "t".into(),
                name: Some("u".into()),
                unique: true,
                target: "lower(e)".into()
            }]
        );
        assert_eq!(
            read("CREATE TABLE IF NOT EXISTS `x` (a)"),
            vec![Action::CreateTable { table: "x".into() }]
        );
        assert!(read("CREATE TEMP TABLE scratch (a)").is_empty());
        assert_eq!(
            read("DROP TABLE IF EXISTS a, b CASCADE"),
            vec![
                Action::DropTable { table: "a".into() },
                Action::DropTable { table: "b".into() }
            ]
        );
    }
}
