//! Telling a rename from a drop plus a create. Hints come from the code (`renamed_from`) and
//! the command line (`--rename`); what they leave ambiguous is asked, and a question nobody can
//! answer (no terminal) is an error that lists every open question and the flags that answer it.

use std::collections::HashSet;
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
    resolve_renames_after(prev, next, flags, resolver, &Renames::default())
}

/// Whether `next` holds a `renamed_from` hint between two names that both persist (a swap or
/// a cycle): those hints stay true in the code after they are carried out, so whoever plans
/// must know which were carried out already (see [`resolve_renames_after`]).
pub fn has_persisting_hints(prev: &Schema, next: &Schema) -> bool {
    // Most schemas carry no hint at all: nothing to look up by name.
    let hinted = next
        .tables
        .iter()
        .any(|t| t.renamed_from.is_some() || t.columns.iter().any(|c| c.renamed_from.is_some()));
    if !hinted {
        return false;
    }
    let p = persisting_hints(prev, next);
    !p.tables.is_empty() || !p.columns.is_empty()
}

/// The `renamed_from` hints of `next` between two names that both persist in `prev` and
/// `next`. Passed as `done` to [`resolve_renames_after`], they are left out: what `push`
/// does, since without a history it cannot tell a swap to make from one made.
pub fn persisting_hints(prev: &Schema, next: &Schema) -> Renames {
    let mut out = Renames::default();
    let (prev_by_name, next_by_name) = (prev.by_name(), next.by_name());
    for t in &next.tables {
        if let Some(f) = t.renamed_from.as_deref()
            && f != t.name
            && prev_by_name.contains_key(f)
            && next_by_name.contains_key(f)
        {
            out.tables.push((f.to_string(), t.name.clone()));
        }
        if let Some(p) = prev_by_name.get(t.name.as_str()) {
            for c in &t.columns {
                if let Some(f) = c.renamed_from.as_deref()
                    && f != c.name
                    && p.column(f).is_some()
                    && t.column(f).is_some()
                {
                    out.columns.push((t.name.clone(), f.to_string(), c.name.clone()));
                }
            }
        }
    }
    out
}

/// [`resolve_renames`], where `done` holds the renames earlier migrations carried out: a swap
/// or cycle the code states (`a` ← `b`, `b` ← `a`) is carried out once, not again at every
/// generate while the hint stays in the code.
pub fn resolve_renames_after(
    prev: &Schema,
    next: &Schema,
    flags: &[RenameHint],
    resolver: &mut dyn Resolver,
    done: &Renames,
) -> Result<Renames, RenameError> {
    let mut renames = Renames::default();
    let mut open = Vec::new();

    // `renamed_from` in the code, including swaps and cycles (`a` ← `b`, `b` ← `a`), where
    // both names persist and only the code can say what moved.
    let done_tables: Vec<(&str, &str)> = done.tables.iter().map(|(f, t)| (f.as_str(), t.as_str())).collect();
    let table_hints = code_hints(
        &prev.tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        &next
            .tables
            .iter()
            .map(|t| (t.name.as_str(), t.renamed_from.as_deref()))
            .collect::<Vec<_>>(),
        "table",
        &done_tables,
    )?;
    let (prev_by_name, next_by_name) = (prev.by_name(), next.by_name());
    let mut created: Vec<&Table> = next
        .tables
        .iter()
        .filter(|t| !prev_by_name.contains_key(t.name.as_str()) && !table_hints.iter().any(|(_, to)| *to == t.name))
        .collect();
    let mut dropped: Vec<String> = prev
        .tables
        .iter()
        .filter(|t| !next_by_name.contains_key(t.name.as_str()) && !table_hints.iter().any(|(from, _)| *from == t.name))
        .map(|t| t.name.clone())
        .collect();
    renames.tables.extend(table_hints);

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
        let Some(p) = prev_by_name.get(old_name) else { continue };
        let done_cols: Vec<(&str, &str)> = done
            .columns
            .iter()
            .filter(|(table, _, _)| *table == t.name)
            .map(|(_, f, c)| (f.as_str(), c.as_str()))
            .collect();
        // Most tables carry no hint and keep their columns' names in order: nothing to ask
        // of them, and nothing to look up column by column.
        let col_hints = if t.columns.iter().any(|c| c.renamed_from.is_some()) {
            code_hints(
                &p.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
                &t.columns
                    .iter()
                    .map(|c| (c.name.as_str(), c.renamed_from.as_deref()))
                    .collect::<Vec<_>>(),
                &format!("column of `{}`", t.name),
                &done_cols,
            )?
        } else {
            Vec::new()
        };
        let same_names =
            p.columns.len() == t.columns.len() && p.columns.iter().zip(&t.columns).all(|(a, b)| a.name == b.name);
        let (mut new_cols, mut old_cols): (Vec<String>, Vec<String>) = if same_names {
            (Vec::new(), Vec::new())
        } else {
            (
                t.columns
                    .iter()
                    .filter(|c| p.column(&c.name).is_none() && !col_hints.iter().any(|(_, to)| *to == c.name))
                    .map(|c| c.name.clone())
                    .collect(),
                p.columns
                    .iter()
                    .filter(|c| t.column(&c.name).is_none() && !col_hints.iter().any(|(from, _)| *from == c.name))
                    .map(|c| c.name.clone())
                    .collect(),
            )
        };
        let mut pairs = col_hints;
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
            let known = next_by_name.contains_key(table.as_str()) || renames.tables.iter().any(|(o, _)| o == table);
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

/// The renames `renamed_from` says, between the names before (`prev`) and the names after
/// with their hints (`next`). A hint whose old name is unknown is ignored (it says where a name
/// came from long ago). Both names may persist, as in a swap or a cycle, as long as every name
/// still in use is accounted for: an old name kept by a table must be the target of another
/// hint, and a target that existed before must itself have moved away.
fn code_hints(
    prev: &[&str],
    next: &[(&str, Option<&str>)],
    what: &str,
    done: &[(&str, &str)],
) -> Result<Vec<(String, String)>, RenameError> {
    // Most schemas say no `renamed_from` at all: no sets of their thousands of names.
    if next.iter().all(|(_, from)| from.is_none()) {
        return Ok(Vec::new());
    }
    // Sets of names, so the checks of each hint stay cheap when thousands of names persist.
    let prev_names: HashSet<&str> = prev.iter().copied().collect();
    let next_names: HashSet<&str> = next.iter().map(|(n, _)| *n).collect();
    let hinted_from: HashSet<&str> = next.iter().filter_map(|(_, f)| *f).collect();
    let persists = |name: &str| next_names.contains(name);
    let hints: Vec<(&str, &str)> = next
        .iter()
        .filter_map(|(name, from)| from.map(|f| (f, *name)))
        .filter(|(from, to)| from != to && prev_names.contains(from))
        // A hint between names that both persist, carried out before: done, not again.
        .filter(|(from, to)| !(persists(from) && done.contains(&(*from, *to))))
        // A hint whose rename an earlier migration carried out while keeping the old name
        // (`generate --two-phase` adds the new column beside it): the old name is left to be
        // dropped, and the target, already there, stays.
        .filter(|(from, to)| {
            let target_stays = prev_names.contains(to) && !hinted_from.contains(to);
            !target_stays || persists(from)
        })
        .collect();
    let bad = |from: &str, to: &str, reason: String| RenameError::BadHint {
        hint: format!("renamed_from = \"{from}\" on the {what} `{to}`"),
        reason,
    };
    for (i, (from, to)) in hints.iter().enumerate() {
        if hints[..i].iter().any(|(f, _)| f == from) {
            return Err(bad(from, to, format!("another {what} is renamed from `{from}` too")));
        }
        let old_name_kept = next_names.contains(from);
        if old_name_kept && !hints.iter().any(|(_, t)| t == from) {
            return Err(bad(
                from,
                to,
                format!(
                    "`{from}` is still in the schema and nothing is renamed into its place; a {what} can have one origin"
                ),
            ));
        }
        let target_existed = prev_names.contains(to);
        if target_existed && !hints.iter().any(|(f, _)| f == to) {
            return Err(bad(
                from,
                to,
                format!("`{to}` already existed and does not move away; say where it goes with its own renamed_from"),
            ));
        }
    }
    Ok(hints.into_iter().map(|(f, t)| (f.to_string(), t.to_string())).collect())
}

fn take(renames: &mut Renames, created: &mut Vec<&Table>, dropped: &mut Vec<String>, from: &str, to: &str) {
    renames.tables.push((from.to_string(), to.to_string()));
    created.retain(|t| t.name != to);
    dropped.retain(|d| d != from);
}
