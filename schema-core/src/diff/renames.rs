//! Telling a rename from a drop plus a create. Hints come from the code (`renamed_from`) and
//! the command line (`--rename`); what they leave ambiguous is asked, and a question nobody can
//! answer (no terminal) is an error that lists every open question and the flags that answer it.

use std::fmt;

use crate::model::{Schema, Table};

/// How the tables and columns of one schema became those of the next.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Renames {
    /// (old name, new name)
    pub tables: Vec<(String, String)>,
    /// (table's new name, old column, new column)
    pub columns: Vec<(String, String, String)>,
}

/// Something only the user can say: is `created` new, or one of `candidates` renamed?
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    /// Is table `created` new, or one of `candidates` renamed?
    Table {
        /// The table the schema has and the database (or snapshot) lacks.
        created: String,
        /// The tables that are gone.
        candidates: Vec<String>,
    },
    /// Is column `table.created` new, or one of `candidates` renamed?
    Column {
        /// The table (its new name).
        table: String,
        /// The new column.
        created: String,
        /// The columns that are gone.
        candidates: Vec<String>,
    },
}

impl fmt::Display for Question {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Question::Table { created, candidates } => write!(
                f,
                "is table `{created}` new, or renamed from {}? answer with `--rename OLD={created}`{}",
                or_list(candidates),
                if candidates.len() == 1 {
                    format!(" (here `--rename {}={created}`)", candidates[0])
                } else {
                    String::new()
                }
            ),
            Question::Column {
                table,
                created,
                candidates,
            } => write!(
                f,
                "is column `{table}.{created}` new, or renamed from {}? answer with `--rename {table}.OLD={created}`{}",
                or_list(candidates),
                if candidates.len() == 1 {
                    format!(" (here `--rename {table}.{}={created}`)", candidates[0])
                } else {
                    String::new()
                }
            ),
        }
    }
}

fn or_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    quoted.join(" or ")
}

/// An answer to a [`Question`].
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// It is new.
    Create,
    /// It was renamed from this one.
    RenameFrom(String),
}

/// Answers rename questions: a terminal prompt, or nobody.
pub trait Resolver {
    /// `None` when there is no one to ask.
    fn answer(&mut self, question: &Question) -> Option<Answer>;
}

/// A resolver for when no one can be asked.
impl Resolver for () {
    fn answer(&mut self, _: &Question) -> Option<Answer> {
        None
    }
}

/// Why renames could not be worked out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RenameError {
    /// Questions nobody could answer.
    #[error(
        "cannot tell renames from drops without an answer (no terminal to ask on):\n{}\n\
         or put #[table(renamed_from = \"..\")] / #[column(renamed_from = \"..\")] in the code; \
         to say a table or column is new, or that the old one is meant to go, pass `--create NAME` or `--drop NAME` \
         (NAME is `table` or `table.column`)",
        .0.iter().map(|q| format!("  - {q}")).collect::<Vec<_>>().join("\n")
    )]
    Unanswered(Vec<Question>),
    /// A hint that does not fit the schemas.
    #[error("--rename {hint}: {reason}")]
    BadHint {
        /// The hint as given.
        hint: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// An answer given on the command line: `--rename old=new` / `--rename table.old=new`, or
/// `--create name` (it is new, not a rename) / `--drop name` (the old one is meant to go),
/// where a name is `table` or `table.column`.
#[derive(Debug, Clone, PartialEq)]
pub enum RenameHint {
    /// `--rename old=new`.
    Table {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `--rename table.old=new`.
    Column {
        /// The table.
        table: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `--create table[.column]`: it is new.
    Create {
        /// The table.
        table: String,
        /// The column, if the hint is about one.
        column: Option<String>,
    },
    /// `--drop table[.column]`: the old one is meant to go.
    Drop {
        /// The table.
        table: String,
        /// The column, if the hint is about one.
        column: Option<String>,
    },
}

impl RenameHint {
    /// `OLD=NEW` or `TABLE.OLD=NEW`.
    pub fn parse(s: &str) -> Result<RenameHint, RenameError> {
        let bad = |reason: &str| RenameError::BadHint {
            hint: s.to_string(),
            reason: reason.to_string(),
        };
        let (old, new) = s
            .split_once('=')
            .ok_or_else(|| bad("expected OLD=NEW or TABLE.OLD=NEW"))?;
        let (old, new) = (old.trim(), new.trim());
        if new.is_empty() || old.is_empty() {
            return Err(bad("expected OLD=NEW or TABLE.OLD=NEW"));
        }
        Ok(match old.split_once('.') {
            Some((table, col)) => RenameHint::Column {
                table: table.into(),
                from: col.into(),
                to: new.into(),
            },
            None => RenameHint::Table {
                from: old.into(),
                to: new.into(),
            },
        })
    }

    /// `--create NAME` (`create` true) or `--drop NAME`.
    pub fn parse_name(s: &str, create: bool) -> Result<RenameHint, RenameError> {
        let s = s.trim();
        if s.is_empty() || s.contains('=') {
            let flag = if create { "--create" } else { "--drop" };
            return Err(RenameError::BadHint {
                hint: s.to_string(),
                reason: format!("{flag} takes TABLE or TABLE.COLUMN"),
            });
        }
        let (table, column) = match s.split_once('.') {
            Some((t, c)) => (t.to_string(), Some(c.to_string())),
            None => (s.to_string(), None),
        };
        Ok(if create {
            RenameHint::Create { table, column }
        } else {
            RenameHint::Drop { table, column }
        })
    }

    fn text(&self) -> String {
        let name = |t: &str, c: &Option<String>| c.as_ref().map_or(t.to_string(), |c| format!("{t}.{c}"));
        match self {
            RenameHint::Table { from, to } => format!("{from}={to}"),
            RenameHint::Column { table, from, to } => format!("{table}.{from}={to}"),
            RenameHint::Create { table, column } => format!("--create {}", name(table, column)),
            RenameHint::Drop { table, column } => format!("--drop {}", name(table, column)),
        }
    }
}

/// Works out the renames between `prev` and `next` from the hints, asking `resolver` what
/// remains ambiguous. Every unanswerable question is collected before failing, so one error
/// lists them all.
pub fn resolve_renames(
    prev: &Schema,
    next: &Schema,
    flags: &[RenameHint],
    resolver: &mut dyn Resolver,
) -> Result<Renames, RenameError> {
    let mut renames = Renames::default();
    let mut open = Vec::new();

    let mut created: Vec<&Table> = next.tables.iter().filter(|t| prev.table(&t.name).is_none()).collect();
    let mut dropped: Vec<String> = prev
        .tables
        .iter()
        .filter(|t| next.table(&t.name).is_none())
        .map(|t| t.name.clone())
        .collect();

    for hint in flags {
        if let RenameHint::Table { from, to } = hint {
            let bad = |reason: String| RenameError::BadHint {
                hint: hint.text(),
                reason,
            };
            if !created.iter().any(|t| t.name == *to) {
                return Err(bad(format!("`{to}` is not a new table in the schema")));
            }
            if !dropped.contains(from) {
                return Err(bad(format!("`{from}` is not a table that the schema no longer has")));
            }
            take(&mut renames, &mut created, &mut dropped, from, to);
        }
    }
    let hinted: Vec<(String, String)> = created
        .iter()
        .filter_map(|t| {
            t.renamed_from
                .as_ref()
                .filter(|o| dropped.contains(o))
                .map(|o| (o.clone(), t.name.clone()))
        })
        .collect();
    for (from, to) in hinted {
        take(&mut renames, &mut created, &mut dropped, &from, &to);
    }
    let says_new = |t: &str| {
        flags
            .iter()
            .any(|h| matches!(h, RenameHint::Create { table, column: None } if table == t))
    };
    dropped.retain(|d| {
        !flags
            .iter()
            .any(|h| matches!(h, RenameHint::Drop { table, column: None } if table == d))
    });
    for t in created.clone() {
        if dropped.is_empty() {
            break;
        }
        if says_new(&t.name) {
            continue;
        }
        let q = Question::Table {
            created: t.name.clone(),
            candidates: dropped.clone(),
        };
        match resolver.answer(&q) {
            Some(Answer::RenameFrom(from)) if dropped.contains(&from) => {
                take(&mut renames, &mut created, &mut dropped, &from, &t.name);
            }
            Some(_) => {}
            None => open.push(q),
        }
    }

    // Columns, in every table that is kept or renamed.
    for t in &next.tables {
        let old_name = renames
            .tables
            .iter()
            .find(|(_, n)| *n == t.name)
            .map_or(t.name.as_str(), |(o, _)| o.as_str());
        let Some(p) = prev.table(old_name) else { continue };
        let mut new_cols: Vec<String> = t
            .columns
            .iter()
            .filter(|c| p.column(&c.name).is_none())
            .map(|c| c.name.clone())
            .collect();
        let mut old_cols: Vec<String> = p
            .columns
            .iter()
            .filter(|c| t.column(&c.name).is_none())
            .map(|c| c.name.clone())
            .collect();
        let mut pairs = Vec::new();
        for hint in flags {
            if let RenameHint::Column { table, from, to } = hint {
                if table != &t.name && table != old_name {
                    continue;
                }
                let bad = |reason: String| RenameError::BadHint {
                    hint: hint.text(),
                    reason,
                };
                if !new_cols.contains(to) {
                    return Err(bad(format!("`{to}` is not a new column of `{}`", t.name)));
                }
                if !old_cols.contains(from) {
                    return Err(bad(format!("`{from}` is not a column that `{}` no longer has", t.name)));
                }
                pairs.push((from.clone(), to.clone()));
                new_cols.retain(|c| c != to);
                old_cols.retain(|c| c != from);
            }
        }
        for c in &t.columns {
            if let Some(from) = &c.renamed_from
                && new_cols.contains(&c.name)
                && old_cols.contains(from)
            {
                pairs.push((from.clone(), c.name.clone()));
                new_cols.retain(|n| *n != c.name);
                old_cols.retain(|n| n != from);
            }
        }
        let named = |h: &RenameHint, create: bool, col: &str| match h {
            RenameHint::Create { table, column: Some(c) } if create => {
                (table == &t.name || table == old_name) && c == col
            }
            RenameHint::Drop { table, column: Some(c) } if !create => {
                (table == &t.name || table == old_name) && c == col
            }
            _ => false,
        };
        old_cols.retain(|c| !flags.iter().any(|h| named(h, false, c)));
        for c in new_cols.clone() {
            if old_cols.is_empty() {
                break;
            }
            if flags.iter().any(|h| named(h, true, &c)) {
                continue;
            }
            let q = Question::Column {
                table: t.name.clone(),
                created: c.clone(),
                candidates: old_cols.clone(),
            };
            match resolver.answer(&q) {
                Some(Answer::RenameFrom(from)) if old_cols.contains(&from) => {
                    pairs.push((from.clone(), c.clone()));
                    old_cols.retain(|n| *n != from);
                }
                Some(_) => {}
                None => open.push(q),
            }
        }
        renames
            .columns
            .extend(pairs.into_iter().map(|(o, n)| (t.name.clone(), o, n)));
    }
    // Flags naming a table that matched nothing are mistakes worth reporting.
    for hint in flags {
        if let RenameHint::Column { table, .. } = hint {
            let known = next.table(table).is_some() || renames.tables.iter().any(|(o, _)| o == table);
            if !known {
                return Err(RenameError::BadHint {
                    hint: hint.text(),
                    reason: format!("the schema has no table `{table}`"),
                });
            }
        }
    }

    if open.is_empty() {
        Ok(renames)
    } else {
        Err(RenameError::Unanswered(open))
    }
}

fn take(renames: &mut Renames, created: &mut Vec<&Table>, dropped: &mut Vec<String>, from: &str, to: &str) {
    renames.tables.push((from.to_string(), to.to_string()));
    created.retain(|t| t.name != to);
    dropped.retain(|d| d != from);
}
