//! Which statements a SQLite migration may not contain: everything that would end, nest or
//! escape the transaction the migrator runs it in (`BEGIN`, `COMMIT`, `SAVEPOINT`, `VACUUM`,
//! `ATTACH`, ...), and `PRAGMA foreign_keys` outside the `OFF` .. `ON` frame that drizzle-kit
//! and our planner put around a rebuild (the migrator turns foreign keys off for such a
//! migration itself; any other use would be a silent no-op inside the transaction).

use schema_model::sql::lex;

use crate::dialect::Forbidden;

/// Every statement of `statements` (a migration's breakpoint-separated pieces, each holding
/// one or more statements) that the migration may not contain.
pub fn forbidden(statements: &[String]) -> Vec<Forbidden> {
    forbidden_with(statements, true)
}

/// [`forbidden`]; `skim`: a piece that is one statement of no kind looked at is passed over
/// at its first word, without splitting it.
fn forbidden_with(statements: &[String], skim: bool) -> Vec<Forbidden> {
    let mut out = Vec::new();
    let mut frame: Vec<(usize, String, bool)> = Vec::new(); // (piece number, text, on)
    for (i, piece) in statements.iter().enumerate() {
        // SQLite reads SQL as a C string: at a NUL byte it stops, and what follows would be
        // skipped without a word while the migration is recorded as applied.
        if let Some(at) = piece.find('\0') {
            out.push(Forbidden {
                number: i + 1,
                sql: piece.replace('\0', "\\0"),
                reason: format!(
                    "it holds a NUL byte (at byte {at}), where SQLite stops reading: the rest would be skipped \
                     silently; remove it"
                ),
            });
            continue;
        }
        // One statement (no `;` but a last one) whose first word is none of the kinds below
        // needs no splitting: most of a migration's pieces.
        let body = piece.trim_end();
        let body = body.strip_suffix(';').unwrap_or(body);
        if skim && !body.contains(';') && lex::leading_words(body, 1).first().is_none_or(|w| kind(w).is_none()) {
            continue;
        }
        for stmt in lex::split(piece) {
            let words = lex::leading_words(stmt.text, 3);
            let first = words.first().map(String::as_str).unwrap_or("");
            let reason = match kind(first) {
                Some(Kind::Transaction) => Some(format!(
                    "{first} controls the transaction, and the migrator runs each migration in one transaction with its \
                     tracking row: a {first} inside would apply part of it without the row; remove it"
                )),
                Some(Kind::Vacuum) => {
                    Some("VACUUM cannot run inside a transaction; run it outside migrations".to_string())
                }
                Some(Kind::Attach) => Some(format!(
                    "{first} cannot run inside a transaction, and a migration changes one database"
                )),
                Some(Kind::Pragma) => pragma(stmt.text, i + 1, &mut frame),
                None => None,
            };
            if let Some(reason) = reason {
                out.push(Forbidden {
                    number: i + 1,
                    sql: stmt.text.to_string(),
                    reason,
                });
            }
        }
    }
    // The frame is `OFF`, optionally closed by `ON`: nothing else.
    let frame_ok = matches!(frame.as_slice(), [] | [(_, _, false)] | [(_, _, false), (_, _, true)]);
    if !frame_ok {
        for (number, sql, _) in frame {
            out.push(Forbidden {
                number,
                sql,
                reason:
                    "PRAGMA foreign_keys may only frame a rebuild (OFF first, then ON, once): inside the migration's \
                         transaction it changes nothing, and the migrator turns foreign keys off for such a migration \
                         itself"
                        .to_string(),
            });
        }
    }
    out.sort_by_key(|f| f.number);
    out
}

/// The statements [`forbidden`] looks at, by their first word.
enum Kind {
    /// `BEGIN`, `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT`, `RELEASE`.
    Transaction,
    Vacuum,
    /// `ATTACH`, `DETACH`.
    Attach,
    Pragma,
}

/// The kind of a statement that starts with `word` (upper case), if [`forbidden`] looks at it.
fn kind(word: &str) -> Option<Kind> {
    match word {
        "BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" => Some(Kind::Transaction),
        "VACUUM" => Some(Kind::Vacuum),
        "ATTACH" | "DETACH" => Some(Kind::Attach),
        "PRAGMA" => Some(Kind::Pragma),
        _ => None,
    }
}

/// A PRAGMA's problem: `journal_mode` / `locking_mode` cannot change inside a transaction, and
/// assignments to `foreign_keys` are collected for the frame check.
fn pragma(text: &str, number: usize, frame: &mut Vec<(usize, String, bool)>) -> Option<String> {
    let toks: Vec<lex::Token> = lex::tokenize(text).into_iter().filter(|t| !t.is_comment()).collect();
    // PRAGMA [schema .] name [= value | (value)]
    let mut at = 1;
    if toks.get(at + 1).is_some_and(|t| t.is_op(text, ".")) {
        at += 2;
    }
    let name = toks
        .get(at)
        .map(|t| t.text(text).to_ascii_lowercase())
        .unwrap_or_default();
    let value = toks
        .get(at + 1)
        .filter(|t| t.is_op(text, "=") || t.is_op(text, "("))
        .and_then(|_| toks.get(at + 2))
        .map(|t| match &t.kind {
            lex::Kind::Str(s) | lex::Kind::Quoted(s) => s.to_ascii_lowercase(),
            _ => t.text(text).to_ascii_lowercase(),
        });
    match (name.as_str(), value) {
        ("journal_mode" | "locking_mode", Some(_)) => Some(format!(
            "PRAGMA {name} cannot change inside a transaction; set it outside migrations"
        )),
        ("foreign_keys", Some(v)) => match v.as_str() {
            "off" | "0" | "false" | "no" => {
                frame.push((number, text.to_string(), false));
                None
            }
            "on" | "1" | "true" | "yes" => {
                frame.push((number, text.to_string(), true));
                None
            }
            other => Some(format!("PRAGMA foreign_keys = {other} is not OFF or ON")),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(pieces: &[&str]) -> Vec<(usize, String)> {
        let v: Vec<String> = pieces.iter().map(|s| s.to_string()).collect();
        forbidden(&v).into_iter().map(|f| (f.number, f.sql)).collect()
    }

    /// Skimming the pieces that are one harmless statement finds what splitting every piece
    /// finds, on pieces made of statements, comments, strings and `;`s put together.
    #[test]
    fn skimming_finds_what_splitting_finds() {
        let parts = [
            "CREATE TABLE t (a text DEFAULT ';')",
            "commit",
            " /* x; */ BEGIN",
            "-- note\n",
            "PRAGMA foreign_keys=OFF",
            "pragma foreign_keys = on",
            "PRAGMA journal_mode = wal",
            "INSERT INTO t VALUES ('COMMIT')",
            "CREATE TRIGGER g AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END",
            "vacuum",
            "\"end\"",
            "",
            "  ",
            ";",
            "ATTACH 'x' AS y",
            "SELECT 1 -- ;",
        ];
        let mut cases = 0;
        for a in parts {
            for b in parts {
                for sep in ["", ";", ";\n", " ; -- c\n"] {
                    for end in ["", ";", "; ", ";\n\n"] {
                        let piece = format!("{a}{sep}{b}{end}");
                        let pieces = vec![piece.clone(), "CREATE INDEX i ON t (a);".to_string(), piece];
                        let (skimmed, split) = (forbidden_with(&pieces, true), forbidden_with(&pieces, false));
                        let key = |f: &[Forbidden]| -> Vec<(usize, String, String)> {
                            f.iter().map(|f| (f.number, f.sql.clone(), f.reason.clone())).collect()
                        };
                        assert_eq!(key(&skimmed), key(&split), "{pieces:?}");
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 16 * 16 * 16);
    }

    #[test]
    fn transaction_control_is_refused_wherever_it_hides() {
        assert_eq!(
            reasons(&["UPDATE t SET a = 1; COMMIT;", "SELECT 1"]),
            vec![(1, "COMMIT".to_string())]
        );
        assert_eq!(
            reasons(&[
                "begin transaction",
                "END",
                "savepoint s; release s",
                "rollback",
                "VACUUM",
                "ATTACH 'x' AS y"
            ])
            .len(),
            7
        );
        // Inside strings, comments and trigger bodies, nothing.
        assert!(
            reasons(&[
                "INSERT INTO t VALUES ('COMMIT;'); -- COMMIT;",
                "CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END"
            ])
            .is_empty()
        );
    }

    #[test]
    fn a_nul_byte_which_would_end_the_sql_for_sqlite_is_refused() {
        // Found by the fuzzer: SQLite ran nothing of this piece, and we counted one statement.
        assert_eq!(
            reasons(&["SELECT 1", "\0\nDROP TABLE users;"]),
            vec![(2, "\\0\nDROP TABLE users;".to_string())]
        );
    }

    #[test]
    fn foreign_keys_only_in_the_rebuild_frame() {
        assert!(
            reasons(&[
                "PRAGMA foreign_keys=OFF;",
                "CREATE TABLE x (a)",
                "PRAGMA foreign_keys=ON;"
            ])
            .is_empty()
        );
        assert!(reasons(&["PRAGMA foreign_keys = 0"]).is_empty());
        assert_eq!(reasons(&["PRAGMA foreign_keys=ON;"]).len(), 1);
        assert_eq!(
            reasons(&[
                "PRAGMA foreign_keys=OFF",
                "PRAGMA foreign_keys=ON",
                "PRAGMA foreign_keys=OFF"
            ])
            .len(),
            3
        );
        assert_eq!(reasons(&["PRAGMA main.journal_mode = WAL"]).len(), 1);
        assert!(reasons(&["PRAGMA foreign_keys", "PRAGMA user_version = 3"]).is_empty());
    }
}
