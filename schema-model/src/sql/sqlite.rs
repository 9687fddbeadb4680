//! SQLite's rules for SQL text: how names are quoted, and which forms SQLite takes where an
//! attribute gives SQL (a default, a STRICT column type). The derive checks attributes with
//! these, so that the compiler refuses what a migration would fail on.

/// `` `name` ``, with any backtick doubled: how SQLite (and drizzle-kit's SQLite output)
/// quotes table, column and index names.
pub fn ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    push_ident(&mut out, name);
    out
}

/// [`ident`], written at the end of `out`.
pub fn push_ident(out: &mut String, name: &str) {
    out.push('`');
    // A backtick is one byte in UTF-8, so the name goes in as runs between backticks.
    let mut runs = name.split('`');
    if let Some(first) = runs.next() {
        out.push_str(first);
    }
    for run in runs {
        out.push_str("``");
        out.push_str(run);
    }
    out.push('`');
}

/// `"name"`, with any `"` doubled: how drizzle-kit quotes a constraint's name
/// (`CONSTRAINT "users_age_check" CHECK(..)`), kept so our files match its byte for byte.
pub fn constraint_name(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether SQLite takes `v` as a column default: a bare literal (number, string, blob, NULL,
/// TRUE/FALSE), `CURRENT_TIME` / `_DATE` / `_TIMESTAMP`, or an expression in parentheses.
/// Anything else (`unixepoch()`) makes a CREATE TABLE that SQLite refuses.
pub fn is_default_form(v: &str) -> bool {
    let v = v.trim();
    let upper = v.to_ascii_uppercase();
    !v.is_empty()
        && (matches!(
            upper.as_str(),
            "CURRENT_TIME" | "CURRENT_DATE" | "CURRENT_TIMESTAMP" | "NULL" | "TRUE" | "FALSE"
        ) || (v.starts_with('(') && v.ends_with(')'))
            || (v.starts_with('\'') && v.ends_with('\'') && v.len() >= 2)
            || (upper.starts_with("X'") && v.ends_with('\''))
            || v.trim_start_matches(['-', '+']).parse::<f64>().is_ok())
}

/// The column types a STRICT table accepts.
pub const STRICT_TYPES: [&str; 6] = ["INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"];

/// Whether a STRICT table takes `ty` as a column type.
pub fn is_strict_type(ty: &str) -> bool {
    STRICT_TYPES.iter().any(|t| ty.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_with_backticks_doubled() {
        assert_eq!(ident("a`b"), "`a``b`");
        assert_eq!(constraint_name("a\"b"), "\"a\"\"b\"");
        // Every backtick doubled wherever it is, the rest as it was (non-ASCII included).
        for (name, quoted) in [
            ("", "``"),
            ("`", "````"),
            ("``", "``````"),
            ("`a", "```a`"),
            ("a`", "`a```"),
            ("é`ü`", "`é``ü```"),
            ("plain_name", "`plain_name`"),
        ] {
            assert_eq!(ident(name), quoted, "{name}");
            let mut out = String::from("x ");
            push_ident(&mut out, name);
            assert_eq!(out, format!("x {quoted}"));
        }
    }

    #[test]
    fn default_forms() {
        assert!(is_default_form("CURRENT_TIMESTAMP"));
        assert!(is_default_form("(unixepoch())"));
        assert!(is_default_form("-1.5"));
        assert!(is_default_form("x'00ff'"));
        assert!(!is_default_form("unixepoch()"));
        assert!(!is_default_form(""));
    }
}
