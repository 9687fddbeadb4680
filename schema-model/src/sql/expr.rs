//! A parser of SQL expressions, by SQLite's expression grammar (with PostgreSQL's `::` casts
//! and `ARRAY[..]` beside it), for the attributes that hold one: `check`, `where`, `expr`,
//! `default_sql`, `generated`. It answers one question — is this text exactly one expression,
//! and nothing else? — and says where it is not, so that `"1; DELETE FROM users"` is refused
//! when the schema is read, not run at migrate time.
//!
//! Why not the `sqlparser` crate: it would be compiled into the derive (a proc macro, built for
//! every user) for a question this small, and its SQLite dialect is not SQLite's grammar in
//! the corners that matter here (`->>`, `GLOB`, row values, `IS DISTINCT FROM`). This follows
//! SQLite's `parse.y`, precedence included, and builds nothing: it only checks, and collects
//! the names an expression mentions.

use super::lex::{Kind, Token, tokenize};

/// Why a text is not one expression: what was found, where (a byte offset), and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// The byte where the problem starts.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ExprError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.at)
    }
}

/// What an expression mentions: every name outside a function's name (`a`, `t.a`, `"a b"`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// The last part of each name (`a` for `t.a`), as written (quotes removed).
    pub names: Vec<String>,
}

/// Words that begin or join statements: never a bare name in an expression (quote them).
const RESERVED: &[&str] = &[
    "ADD",
    "ALL",
    "ALTER",
    "AS",
    "ATTACH",
    "AUTOINCREMENT",
    "BEGIN",
    "CHECK",
    "COMMIT",
    "CONSTRAINT",
    "CREATE",
    "DEFAULT",
    "DEFERRABLE",
    "DELETE",
    "DETACH",
    "DISTINCT",
    "DROP",
    "EXCEPT",
    "FOREIGN",
    "FROM",
    "GROUP",
    "HAVING",
    "INDEX",
    "INSERT",
    "INTERSECT",
    "INTO",
    "JOIN",
    "LIMIT",
    "ON",
    "ORDER",
    "PRAGMA",
    "PRIMARY",
    "REFERENCES",
    "RETURNING",
    "ROLLBACK",
    "SELECT",
    "SET",
    "TABLE",
    "THEN",
    "TO",
    "TRANSACTION",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VACUUM",
    "VALUES",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "ELSE",
    "END",
    "ESCAPE",
    "AND",
    "OR",
    "IS",
    "IN",
    "BETWEEN",
    "COLLATE",
];

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    mentions: Mentions,
    depth: usize,
}

/// How deep expressions may nest: far beyond any real one, short of any stack.
const MAX_DEPTH: usize = 200;

/// Checks that `src` is exactly one SQL expression; returns the names it mentions.
pub fn parse(src: &str) -> Result<Mentions, ExprError> {
    let toks: Vec<Token> = tokenize(src).into_iter().filter(|t| !t.is_comment()).collect();
    if let Some(t) = toks.iter().find(|t| t.kind == Kind::Unterminated) {
        return Err(ExprError {
            at: t.start,
            message: "a string, quoted name or comment is not closed".into(),
        });
    }
    if toks.is_empty() {
        return Err(ExprError {
            at: 0,
            message: "the expression is empty".into(),
        });
    }
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        mentions: Mentions::default(),
        depth: 0,
    };
    p.expr(0)?;
    if let Some(t) = p.peek() {
        let text = t.text(src);
        let message = if text == ";" {
            "`;` ends the expression: an attribute holds one expression, never a second statement".to_string()
        } else {
            format!("expected the end of the expression, found `{text}`")
        };
        return Err(ExprError { at: t.start, message });
    }
    Ok(p.mentions)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&Token> {
        self.toks.get(self.pos + n)
    }

    fn word(&self, n: usize, w: &str) -> bool {
        self.peek_at(n).is_some_and(|t| t.is_word(self.src, w))
    }

    fn op(&self, n: usize, o: &str) -> bool {
        self.peek_at(n).is_some_and(|t| t.is_op(self.src, o))
    }

    fn end(&self) -> usize {
        self.toks.last().map_or(0, |t| t.end)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ExprError> {
        Err(ExprError {
            at: self.peek().map_or(self.end(), |t| t.start),
            message: message.into(),
        })
    }

    fn expect_op(&mut self, o: &str) -> Result<(), ExprError> {
        if self.op(0, o) {
            self.pos += 1;
            Ok(())
        } else {
            let found = self
                .peek()
                .map_or("the end".to_string(), |t| format!("`{}`", t.text(self.src)));
            self.error(format!("expected `{o}`, found {found}"))
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<(), ExprError> {
        if self.word(0, w) {
            self.pos += 1;
            Ok(())
        } else {
            let found = self
                .peek()
                .map_or("the end".to_string(), |t| format!("`{}`", t.text(self.src)));
            self.error(format!("expected `{w}`, found {found}"))
        }
    }

    /// An expression whose operators bind tighter than `min` (SQLite's precedence, loosest
    /// first: OR, AND, NOT, equality and the keyword operators, comparison, bits, `+ -`,
    /// `* / %`, `|| -> ->>`, COLLATE, then unary).
    fn expr(&mut self, min: u8) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(format!("the expression nests more than {MAX_DEPTH} deep"));
        }
        self.prefix()?;
        while let Some(bp) = self.infix_power() {
            if bp < min {
                break;
            }
            self.infix(bp)?;
        }
        self.depth -= 1;
        Ok(())
    }

    /// The binding power of the operator at the cursor, if it is one.
    fn infix_power(&self) -> Option<u8> {
        let t = self.peek()?;
        let text = t.text(self.src);
        // PostgreSQL's subscript `a[1]`, which SQLite's lexer reads as a `[..]` quoted name.
        if bracketed(self.src, t) {
            return Some(11);
        }
        if t.kind == Kind::Op {
            return Some(match text {
                "=" | "==" | "!=" | "<>" => 4,
                "<" | "<=" | ">" | ">=" => 5,
                "&" | "|" | "<<" | ">>" => 6,
                "+" | "-" => 7,
                "*" | "/" | "%" => 8,
                "||" | "->" | "->>" => 9,
                "::" | "[" => 11,
                _ => return None,
            });
        }
        if t.kind != Kind::Word {
            return None;
        }
        let upper = text.to_ascii_uppercase();
        Some(match upper.as_str() {
            "OR" => 1,
            "AND" => 2,
            "IS" | "IN" | "LIKE" | "GLOB" | "MATCH" | "REGEXP" | "BETWEEN" | "ISNULL" | "NOTNULL" => 4,
            "NOT"
                if self.word(1, "NULL")
                    || ["IN", "LIKE", "GLOB", "MATCH", "REGEXP", "BETWEEN"]
                        .iter()
                        .any(|w| self.word(1, w)) =>
            {
                4
            }
            "COLLATE" => 10,
            _ => return None,
        })
    }

    fn infix(&mut self, bp: u8) -> Result<(), ExprError> {
        let t = self.peek().cloned().expect("an operator is there");
        let text = t.text(self.src).to_ascii_uppercase();
        self.pos += 1;
        if bracketed(self.src, &t) {
            return self.bracket_contents(&t, false);
        }
        match text.as_str() {
            "ISNULL" | "NOTNULL" => Ok(()),
            "NOT" if self.word(0, "NULL") => {
                self.pos += 1;
                Ok(())
            }
            "NOT" => {
                // NOT IN / LIKE / GLOB / MATCH / REGEXP / BETWEEN
                let next = self
                    .peek()
                    .map(|t| t.text(self.src).to_ascii_uppercase())
                    .unwrap_or_default();
                self.pos += 1;
                self.keyword_operator(&next, bp)
            }
            "IS" => {
                if self.word(0, "NOT") {
                    self.pos += 1;
                }
                if self.word(0, "DISTINCT") {
                    self.pos += 1;
                    self.expect_word("FROM")?;
                }
                self.expr(bp + 1)
            }
            "IN" | "LIKE" | "GLOB" | "MATCH" | "REGEXP" | "BETWEEN" => self.keyword_operator(&text, bp),
            "COLLATE" => self.name_token("a collation name").map(|_| ()),
            "::" => self.type_name().map(|_| ()),
            "[" => {
                self.expr(0)?;
                if self.op(0, ":") {
                    self.pos += 1;
                    self.expr(0)?;
                }
                self.expect_op("]")
            }
            _ => self.expr(bp + 1),
        }
    }

    fn keyword_operator(&mut self, op: &str, bp: u8) -> Result<(), ExprError> {
        match op {
            "IN" => {
                self.expect_op("(")?;
                if self.word(0, "SELECT") || self.word(0, "WITH") {
                    return self.error(
                        "a subquery is not allowed here (SQLite refuses one in a constraint, a default or an index)",
                    );
                }
                if !self.op(0, ")") {
                    self.list()?;
                }
                self.expect_op(")")
            }
            "BETWEEN" => {
                // `a BETWEEN b AND c`: AND here belongs to BETWEEN, so `b` binds tighter.
                self.expr(bp + 1)?;
                self.expect_word("AND")?;
                self.expr(bp + 1)
            }
            "LIKE" | "GLOB" | "MATCH" | "REGEXP" => {
                self.expr(bp + 1)?;
                if self.word(0, "ESCAPE") {
                    self.pos += 1;
                    self.expr(bp + 1)?;
                }
                Ok(())
            }
            _ => self.error(format!("`NOT` cannot come before `{op}` here")),
        }
    }

    /// The inside of `[..]`: a list (an array's elements) or one index, checked as expressions.
    fn bracket_contents(&mut self, t: &Token, list: bool) -> Result<(), ExprError> {
        let inner = &self.src[t.start + 1..t.end - 1];
        if inner.trim().is_empty() {
            return if list { Ok(()) } else { self.error("an empty subscript") };
        }
        let wrapped = if list { format!("({inner})") } else { inner.to_string() };
        match parse(&wrapped) {
            Ok(m) => {
                self.mentions.names.extend(m.names);
                Ok(())
            }
            Err(e) => Err(ExprError {
                at: t.start + 1 + e.at.saturating_sub(usize::from(list)),
                message: e.message,
            }),
        }
    }

    fn list(&mut self) -> Result<(), ExprError> {
        self.expr(0)?;
        while self.op(0, ",") {
            self.pos += 1;
            self.expr(0)?;
        }
        Ok(())
    }

    fn prefix(&mut self) -> Result<(), ExprError> {
        let Some(t) = self.peek().cloned() else {
            return self.error("the expression ends too soon");
        };
        let text = t.text(self.src);
        match &t.kind {
            Kind::Num | Kind::Str(_) | Kind::Blob | Kind::Param => {
                self.pos += 1;
                Ok(())
            }
            Kind::Quoted(name) => {
                let name = name.clone();
                self.pos += 1;
                self.name_rest(name)
            }
            Kind::Op => match text {
                "-" | "+" | "~" => {
                    self.pos += 1;
                    self.expr(10)
                }
                "(" => {
                    self.pos += 1;
                    if self.word(0, "SELECT") || self.word(0, "WITH") || self.word(0, "VALUES") {
                        return self.error(
                            "a subquery is not allowed here (SQLite refuses one in a constraint, a default or an index)",
                        );
                    }
                    // One expression, or a row value `(a, b)`.
                    self.list()?;
                    self.expect_op(")")
                }
                ";" => self.error("`;` where an expression should be: an attribute holds one expression"),
                other => self.error(format!("`{other}` cannot start an expression")),
            },
            Kind::Word => self.word_prefix(&t),
            Kind::Comment | Kind::Unterminated => self.error("unexpected text"),
        }
    }

    fn word_prefix(&mut self, t: &Token) -> Result<(), ExprError> {
        let text = t.text(self.src);
        let upper = text.to_ascii_uppercase();
        match upper.as_str() {
            "NULL" | "TRUE" | "FALSE" | "CURRENT_TIME" | "CURRENT_DATE" | "CURRENT_TIMESTAMP" => {
                self.pos += 1;
                Ok(())
            }
            "NOT" => {
                self.pos += 1;
                self.expr(3)
            }
            "CASE" => {
                self.pos += 1;
                if self.word(0, "END") {
                    return self.error("a CASE needs WHEN");
                }
                if !self.word(0, "WHEN") {
                    self.expr(0)?;
                }
                if !self.word(0, "WHEN") {
                    return self.error("a CASE needs WHEN");
                }
                while self.word(0, "WHEN") {
                    self.pos += 1;
                    self.expr(0)?;
                    self.expect_word("THEN")?;
                    self.expr(0)?;
                }
                if self.word(0, "ELSE") {
                    self.pos += 1;
                    self.expr(0)?;
                }
                self.expect_word("END")
            }
            "CAST" if self.op(1, "(") => {
                self.pos += 2;
                self.expr(0)?;
                self.expect_word("AS")?;
                self.type_name()?;
                self.expect_op(")")
            }
            "EXISTS" | "SELECT" | "WITH" | "VALUES" => {
                self.error("a subquery is not allowed here (SQLite refuses one in a constraint, a default or an index)")
            }
            "RAISE" => self.error("RAISE belongs in a trigger, not here"),
            // PostgreSQL's `ARRAY[a, b]` (SQLite's lexer reads `[..]` as a quoted name).
            "ARRAY" if self.peek_at(1).is_some_and(|t| bracketed(self.src, t)) => {
                let inner = self.peek_at(1).cloned().expect("checked");
                self.pos += 2;
                self.bracket_contents(&inner, true)
            }
            _ if RESERVED.contains(&upper.as_str()) && !self.op(1, "(") => self.error(format!(
                "`{text}` is an SQL keyword where a value or a name should be; quote a name that is spelled like one (\"{text}\")"
            )),
            _ if self.op(1, "(") => self.call(),
            _ => {
                self.pos += 1;
                self.name_rest(text.to_string())
            }
        }
    }

    /// After the first part of a name: `.b`, `.b.c`.
    fn name_rest(&mut self, first: String) -> Result<(), ExprError> {
        let mut last = first;
        let mut parts = 1;
        while self.op(0, ".") {
            self.pos += 1;
            last = self.name_token("a name after `.`")?;
            parts += 1;
            if parts > 3 {
                return self.error("a name has at most three parts (schema.table.column)");
            }
        }
        self.mentions.names.push(last);
        Ok(())
    }

    fn name_token(&mut self, what: &str) -> Result<String, ExprError> {
        let Some(t) = self.peek().cloned() else {
            return self.error(format!("expected {what}"));
        };
        let name = match &t.kind {
            Kind::Word => t.text(self.src).to_string(),
            Kind::Quoted(n) | Kind::Str(n) => n.clone(),
            _ => return self.error(format!("expected {what}, found `{}`", t.text(self.src))),
        };
        self.pos += 1;
        Ok(name)
    }

    /// `f(args)`, `f(*)`, `f(DISTINCT a)`, with an optional `FILTER (WHERE ..)`; window
    /// functions (`OVER`) are refused, as SQLite refuses them in these places.
    fn call(&mut self) -> Result<(), ExprError> {
        self.pos += 2; // name (
        if self.op(0, "*") {
            self.pos += 1;
        } else if !self.op(0, ")") {
            if self.word(0, "DISTINCT") || self.word(0, "ALL") {
                self.pos += 1;
            }
            self.list()?;
            if self.word(0, "ORDER") && self.word(1, "BY") {
                self.pos += 2;
                self.list()?;
            }
        }
        self.expect_op(")")?;
        if self.word(0, "FILTER") {
            self.pos += 1;
            self.expect_op("(")?;
            self.expect_word("WHERE")?;
            self.expr(0)?;
            self.expect_op(")")?;
        }
        if self.word(0, "OVER") {
            return self.error("a window function (OVER) is not allowed here");
        }
        Ok(())
    }

    /// A type name: words, then `(n)` or `(n, m)`, then any `[]`.
    fn type_name(&mut self) -> Result<usize, ExprError> {
        // The words that end a type in a column definition: what follows is a constraint.
        const STOP: [&str; 11] = [
            "CONSTRAINT",
            "PRIMARY",
            "NOT",
            "NULL",
            "UNIQUE",
            "CHECK",
            "DEFAULT",
            "COLLATE",
            "REFERENCES",
            "GENERATED",
            "AS",
        ];
        let start = self.pos;
        while let Some(t) = self.peek() {
            let is_name = match &t.kind {
                Kind::Word => !STOP.contains(&t.text(self.src).to_ascii_uppercase().as_str()),
                Kind::Quoted(_) => !bracketed(self.src, t),
                _ => false,
            };
            if !is_name {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return self.error("expected a type name");
        }
        if self.op(0, "(") {
            self.pos += 1;
            self.signed_number()?;
            if self.op(0, ",") {
                self.pos += 1;
                self.signed_number()?;
            }
            self.expect_op(")")?;
        }
        // Array types: `text[]` (SQLite's lexer reads `[]` as an empty quoted name).
        while self.peek().is_some_and(|t| t.text(self.src) == "[]") {
            self.pos += 1;
        }
        Ok(self.pos - start)
    }

    fn signed_number(&mut self) -> Result<(), ExprError> {
        if self.op(0, "-") || self.op(0, "+") {
            self.pos += 1;
        }
        match self.peek() {
            Some(t) if t.kind == Kind::Num => {
                self.pos += 1;
                Ok(())
            }
            _ => self.error("expected a number"),
        }
    }
}

/// Checks that `src` is an index's list: expressions separated by commas, each with an
/// optional `COLLATE name` and `ASC` / `DESC` (`lower(email), created_at DESC`).
pub fn parse_index_list(src: &str) -> Result<(), ExprError> {
    let toks: Vec<Token> = tokenize(src).into_iter().filter(|t| !t.is_comment()).collect();
    if let Some(t) = toks.iter().find(|t| t.kind == Kind::Unterminated) {
        return Err(ExprError {
            at: t.start,
            message: "a string, quoted name or comment is not closed".into(),
        });
    }
    if toks.is_empty() {
        return Err(ExprError {
            at: 0,
            message: "the list is empty".into(),
        });
    }
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        mentions: Mentions::default(),
        depth: 0,
    };
    loop {
        p.expr(0)?;
        if p.word(0, "ASC") || p.word(0, "DESC") {
            p.pos += 1;
        }
        if p.op(0, ",") {
            p.pos += 1;
            continue;
        }
        break;
    }
    if let Some(t) = p.peek() {
        return Err(ExprError {
            at: t.start,
            message: format!("expected `,` or the end of the list, found `{}`", t.text(src)),
        });
    }
    Ok(())
}

/// Whether `t` is a `[..]` run (a quoted name to SQLite, brackets to PostgreSQL).
fn bracketed(src: &str, t: &Token) -> bool {
    matches!(t.kind, Kind::Quoted(_)) && t.text(src).starts_with('[')
}

/// Checks that `src` is exactly one type name, as SQLite's grammar reads one (`integer`,
/// `varchar(255)`, `numeric(10, 2)`, `double precision`, `timestamp with time zone`, `text[]`):
/// words, then an optional `(n)` or `(n, m)`, then any `[]`. An empty type is SQLite's
/// column without a declared type.
pub fn check_type_name(src: &str) -> Result<(), ExprError> {
    let toks: Vec<Token> = tokenize(src).into_iter().filter(|t| !t.is_comment()).collect();
    if toks.is_empty() {
        return Ok(());
    }
    if let Some(t) = toks.iter().find(|t| t.kind == Kind::Unterminated) {
        return Err(ExprError {
            at: t.start,
            message: "a quoted name is not closed".into(),
        });
    }
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        mentions: Mentions::default(),
        depth: 0,
    };
    p.type_name()?;
    if let Some(t) = p.peek() {
        return Err(ExprError {
            at: t.start,
            message: format!("expected the end of the type name, found `{}`", t.text(src)),
        });
    }
    Ok(())
}

/// Checks that `src` is one collation name (`NOCASE`, `"my collation"`).
pub fn check_name(src: &str) -> Result<(), ExprError> {
    let toks: Vec<Token> = tokenize(src).into_iter().filter(|t| !t.is_comment()).collect();
    match toks.as_slice() {
        [t] if t.kind == Kind::Word || matches!(t.kind, Kind::Quoted(_)) => Ok(()),
        [] => Err(ExprError {
            at: 0,
            message: "the name is empty".into(),
        }),
        [_, second, ..] => Err(ExprError {
            at: second.start,
            message: format!("expected one name, found more (`{}`)", second.text(src)),
        }),
        [t] => Err(ExprError {
            at: t.start,
            message: format!("`{}` is not a name", t.text(src)),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) {
        if let Err(e) = parse(s) {
            panic!("{s:?} refused: {e}");
        }
    }

    fn bad(s: &str) -> String {
        match parse(s) {
            Ok(_) => panic!("{s:?} accepted"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn real_expressions_are_one_expression() {
        for s in [
            "age >= 0",
            "\"users\".\"age\" >= 0 AND length(name) < 100",
            "role <> 'banned'",
            "lower(\"email\")",
            "price * qty",
            "(unixepoch())",
            "CURRENT_TIMESTAMP",
            "x'00ff'",
            "-1.5e3",
            "a IS NOT NULL",
            "a NOT NULL",
            "a ISNULL OR b NOTNULL",
            "a IS NOT DISTINCT FROM b",
            "status IN ('draft', 'published')",
            "a NOT IN (1, 2)",
            "name LIKE 'a%' ESCAPE '\\'",
            "name NOT GLOB '*x*'",
            "n BETWEEN 1 AND 10 AND m > 2",
            "CASE WHEN a > 1 THEN 'big' ELSE 'small' END",
            "CASE kind WHEN 1 THEN 'a' END",
            "CAST(a AS integer)",
            "CAST(a AS numeric(10, 2))",
            "json_extract(meta, '$.a') ->> 'b'",
            "meta -> 'a'",
            "(a, b) = (1, 2)",
            "count(*)",
            "group_concat(DISTINCT a)",
            "name COLLATE NOCASE = 'x'",
            "~flags & 4",
            "now()",
            "gen_random_uuid()",
            "'x'::jsonb",
            "tags[1]",
            "ARRAY['a', 'b']",
            "replace(name, 'a', 'b')",
            "like(a, b)",
            "\"order\" > 1",
            "t.c",
            "main.t.c",
            "?1",
        ] {
            ok(s);
        }
    }

    #[test]
    fn a_second_statement_or_stray_text_is_refused() {
        assert!(bad("1; DELETE FROM users").contains("`;` ends the expression"));
        assert!(bad("(0)); DROP TABLE victim; --").contains("expected the end"));
        assert!(bad("a > 1 DELETE").contains("found `DELETE`"));
        assert!(bad("").contains("empty"));
        assert!(bad("'open").contains("not closed"));
        assert!(bad("a >").contains("ends too soon"));
        assert!(bad("(SELECT 1)").contains("subquery"));
        assert!(bad("EXISTS (SELECT 1)").contains("subquery"));
        assert!(bad("a IN (SELECT b FROM t)").contains("subquery"));
        assert!(bad("row_number() OVER ()").contains("window"));
        assert!(bad("order > 1").contains("keyword"));
        assert!(bad("a b").contains("expected the end"));
        assert!(bad("CASE END").contains("WHEN"));
        assert!(bad(&"(".repeat(500)).contains("nests"));
    }

    #[test]
    fn names_are_collected() {
        let m = parse("\"users\".\"age\" >= 0 AND length(name) < max_len").unwrap();
        assert_eq!(m.names, ["age", "name", "max_len"]);
    }

    #[test]
    fn type_names_and_collations() {
        for t in [
            "integer",
            "varchar(255)",
            "numeric(10, 2)",
            "double precision",
            "timestamp with time zone",
            "text[]",
            "",
            "\"my type\"",
            "decimal(-1)",
        ] {
            check_type_name(t).unwrap_or_else(|e| panic!("{t}: {e}"));
        }
        for t in [
            "text, injected blob",
            "text)",
            "varchar(x)",
            "int; drop",
            "text NOT NULL",
            "varchar(1,2,3)",
        ] {
            assert!(check_type_name(t).is_err(), "{t}");
        }
        assert!(check_name("NOCASE").is_ok());
        assert!(check_name("\"a b\"").is_ok());
        assert!(check_name("NOCASE, injected integer").is_err());
        assert!(check_name("").is_err());
    }
}
