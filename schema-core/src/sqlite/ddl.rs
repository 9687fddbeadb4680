//! A small reader of SQLite's own `CREATE TABLE` / `CREATE INDEX` text, for what the pragmas
//! do not say (or say differently): defaults and types exactly as written, generated
//! expressions, checks, collations, AUTOINCREMENT, table options.

/// One token, with where it is in the source.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A bare word: keyword or identifier.
    Word(String),
    /// A quoted identifier (`"x"`, `` `x` ``, `[x]`), unquoted.
    Ident(String),
    /// A string literal, unquoted.
    Str(String),
    Num(String),
    /// A blob literal, as written (`x'00ff'`).
    Blob(String),
    Punct(char),
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn is_word(&self, w: &str) -> bool {
        matches!(&self.tok, Tok::Word(x) if x.eq_ignore_ascii_case(w))
    }
    pub fn is_punct(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }
    /// The identifier a word or quoted identifier names.
    pub fn name(&self) -> Option<String> {
        match &self.tok {
            Tok::Word(w) | Tok::Ident(w) => Some(w.clone()),
            Tok::Str(s) => Some(s.clone()), // SQLite accepts 'name' where a name is expected
            _ => None,
        }
    }
}

pub fn tokenize(sql: &str) -> Vec<Token> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i = (i + 2).min(b.len());
            continue;
        }
        let quoted = |close: u8, i: &mut usize| -> String {
            let mut s = String::new();
            *i += 1;
            while *i < b.len() {
                if b[*i] == close {
                    if close != b']' && b.get(*i + 1) == Some(&close) {
                        s.push(close as char);
                        *i += 2;
                        continue;
                    }
                    *i += 1;
                    break;
                }
                let ch = sql[*i..].chars().next().unwrap_or(' ');
                s.push(ch);
                *i += ch.len_utf8();
            }
            s
        };
        let tok = match c {
            'x' | 'X' if b.get(i + 1) == Some(&b'\'') => {
                i += 1;
                quoted(b'\'', &mut i);
                Tok::Blob(sql[start..i].to_string())
            }
            '\'' => Tok::Str(quoted(b'\'', &mut i)),
            '"' => Tok::Ident(quoted(b'"', &mut i)),
            '`' => Tok::Ident(quoted(b'`', &mut i)),
            '[' => Tok::Ident(quoted(b']', &mut i)),
            _ if c.is_ascii_digit() || (c == '.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                    // exponents: 1e-5
                    if (b[i] == b'e' || b[i] == b'E') && matches!(b.get(i + 1), Some(b'-' | b'+')) {
                        i += 1;
                    }
                    i += 1;
                }
                Tok::Num(sql[start..i].to_string())
            }
            _ if c.is_alphanumeric() || c == '_' || !c.is_ascii() => {
                while i < b.len() {
                    let ch = sql[i..].chars().next().unwrap_or(' ');
                    if ch.is_alphanumeric() || ch == '_' || ch == '$' || !ch.is_ascii() {
                        i += ch.len_utf8();
                    } else {
                        break;
                    }
                }
                Tok::Word(sql[start..i].to_string())
            }
            _ => {
                i += c.len_utf8();
                Tok::Punct(c)
            }
        };
        out.push(Token { tok, start, end: i });
    }
    out
}

/// The index of the `)` that closes the `(` at `open`.
pub fn matching(toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// Splits `toks` at top-level commas.
pub fn split_commas(toks: &[Token]) -> Vec<&[Token]> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, t) in toks.iter().enumerate() {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth -= 1;
        } else if t.is_punct(',') && depth == 0 {
            parts.push(&toks[start..i]);
            start = i + 1;
        }
    }
    if start < toks.len() {
        parts.push(&toks[start..]);
    }
    parts
}

/// The names of a list that is nothing but names (`a, "b"`); `None` when any element is
/// more than a name (an expression, a COLLATE, a DESC).
pub fn split_commas_owned(list: &str) -> Option<Vec<String>> {
    let toks = tokenize(list);
    split_commas(&toks)
        .into_iter()
        .map(|part| match part {
            [one] => match &one.tok {
                Tok::Word(w) | Tok::Ident(w) => Some(w.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The source text of tokens `from..=to`.
pub fn text<'a>(sql: &'a str, toks: &[Token], from: usize, to: usize) -> &'a str {
    &sql[toks[from].start..toks[to].end]
}

/// A default as written, classified.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultTok {
    Num(String),
    Str(String),
    Raw(String),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    pub ty: String,
    pub primary_key: bool,
    pub autoincrement: bool,
    pub not_null: bool,
    pub unique: bool,
    pub default: Option<DefaultTok>,
    pub collate: Option<String>,
    /// (constraint name if any, expression)
    pub checks: Vec<(Option<String>, String)>,
    /// (expression without its parentheses, stored)
    pub generated: Option<(String, bool)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableDef {
    pub columns: Vec<ColumnDef>,
    pub primary_key: Vec<String>,
    /// Column lists of table-level UNIQUE constraints.
    pub uniques: Vec<Vec<String>>,
    pub checks: Vec<(Option<String>, String)>,
    pub strict: bool,
    pub without_rowid: bool,
}

const CONSTRAINT_WORDS: [&str; 11] = [
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

/// Reads a `CREATE TABLE` statement as SQLite stores it.
pub fn parse_create_table(sql: &str) -> Option<TableDef> {
    let toks = tokenize(sql);
    let open = toks.iter().position(|t| t.is_punct('('))?;
    let close = matching(&toks, open)?;
    let mut def = TableDef::default();
    for t in &toks[close + 1..] {
        if t.is_word("STRICT") {
            def.strict = true;
        } else if t.is_word("ROWID") {
            def.without_rowid = true;
        }
    }
    for part in split_commas(&toks[open + 1..close]) {
        if part.is_empty() {
            continue;
        }
        let first = &part[0];
        let table_constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|w| first.is_word(w));
        if table_constraint {
            table_constraint_def(sql, part, &mut def);
        } else {
            def.columns.push(column_def(sql, part)?);
        }
    }
    Some(def)
}

/// The names in a parenthesised column list (`(a, "b" COLLATE x DESC)`).
fn name_list(toks: &[Token]) -> Vec<String> {
    split_commas(toks)
        .iter()
        .filter_map(|p| p.first().and_then(Token::name))
        .collect()
}

fn table_constraint_def(sql: &str, part: &[Token], def: &mut TableDef) {
    let mut i = 0;
    let mut name = None;
    if part[0].is_word("CONSTRAINT") {
        name = part.get(1).and_then(Token::name);
        i = 2;
    }
    let Some(kw) = part.get(i) else { return };
    let group = |from: usize| -> Option<(usize, usize)> {
        let open = (from..part.len()).find(|&j| part[j].is_punct('('))?;
        Some((open, matching(part, open)?))
    };
    if kw.is_word("PRIMARY") {
        if let Some((o, c)) = group(i) {
            def.primary_key = name_list(&part[o + 1..c]);
        }
    } else if kw.is_word("UNIQUE") {
        if let Some((o, c)) = group(i) {
            def.uniques.push(name_list(&part[o + 1..c]));
        }
    } else if kw.is_word("CHECK")
        && let Some((o, c)) = group(i)
        && c > o + 1
    {
        def.checks.push((name, text(sql, part, o + 1, c - 1).to_string()));
    }
}

fn column_def(sql: &str, part: &[Token]) -> Option<ColumnDef> {
    let mut col = ColumnDef {
        name: part[0].name()?,
        ..Default::default()
    };
    let mut i = 1;
    // The type: words up to the first constraint keyword, with an optional (n, m).
    let ty_start = i;
    while i < part.len() && !CONSTRAINT_WORDS.iter().any(|w| part[i].is_word(w)) {
        if part[i].is_punct('(') {
            i = matching(part, i)? + 1;
            break;
        }
        i += 1;
    }
    if i > ty_start {
        col.ty = text(sql, part, ty_start, i - 1).to_string();
    }
    let mut constraint_name: Option<String> = None;
    while i < part.len() {
        let t = &part[i];
        if t.is_word("CONSTRAINT") {
            constraint_name = part.get(i + 1).and_then(Token::name);
            i += 2;
            continue;
        }
        if t.is_word("PRIMARY") {
            col.primary_key = true;
            i += 2; // PRIMARY KEY
            continue;
        }
        if t.is_word("AUTOINCREMENT") {
            col.autoincrement = true;
        } else if t.is_word("NOT") && part.get(i + 1).is_some_and(|n| n.is_word("NULL")) {
            col.not_null = true;
            i += 1;
        } else if t.is_word("UNIQUE") {
            col.unique = true;
        } else if t.is_word("COLLATE") {
            col.collate = part.get(i + 1).and_then(Token::name);
            i += 1;
        } else if t.is_word("CHECK") {
            if let Some(o) = (i + 1..part.len()).find(|&j| part[j].is_punct('('))
                && let Some(c) = matching(part, o)
            {
                col.checks
                    .push((constraint_name.take(), text(sql, part, o + 1, c - 1).to_string()));
                i = c;
            }
        } else if t.is_word("DEFAULT") {
            let (d, next) = default_value(sql, part, i + 1)?;
            col.default = Some(d);
            i = next;
            continue;
        } else if t.is_word("AS") {
            if let Some(o) = (i + 1..part.len()).find(|&j| part[j].is_punct('('))
                && let Some(c) = matching(part, o)
            {
                let stored = part.get(c + 1).is_some_and(|s| s.is_word("STORED"));
                col.generated = Some((text(sql, part, o + 1, c - 1).trim().to_string(), stored));
                i = c;
            }
        } else if t.is_word("REFERENCES") {
            // Read from PRAGMA foreign_key_list instead; skip the clause's parentheses.
            if part.get(i + 2).is_some_and(|p| p.is_punct('('))
                && let Some(c) = matching(part, i + 2)
            {
                i = c;
            }
        }
        i += 1;
    }
    Some(col)
}

/// `DEFAULT` and what follows: a signed number, a string, a parenthesised expression (kept
/// with its parentheses, as written), or a bare word (`CURRENT_TIMESTAMP`, `false`, `NULL`).
fn default_value(sql: &str, part: &[Token], i: usize) -> Option<(DefaultTok, usize)> {
    let t = part.get(i)?;
    match &t.tok {
        Tok::Punct('(') => {
            let c = matching(part, i)?;
            Some((DefaultTok::Raw(text(sql, part, i, c).to_string()), c + 1))
        }
        Tok::Punct(sign @ ('-' | '+')) => match part.get(i + 1).map(|n| &n.tok) {
            Some(Tok::Num(n)) => {
                let n = if *sign == '-' { format!("-{n}") } else { n.clone() };
                Some((DefaultTok::Num(n), i + 2))
            }
            _ => Some((DefaultTok::Raw(sign.to_string()), i + 1)),
        },
        Tok::Num(n) => Some((DefaultTok::Num(n.clone()), i + 1)),
        Tok::Str(s) => Some((DefaultTok::Str(s.clone()), i + 1)),
        Tok::Blob(b) => Some((DefaultTok::Raw(b.clone()), i + 1)),
        Tok::Word(_) | Tok::Ident(_) => Some((DefaultTok::Raw(text(sql, part, i, i).to_string()), i + 1)),
        Tok::Punct(_) => None,
    }
}

/// What a `CREATE INDEX` indexes: its parenthesised list (the inside, as written) and the
/// text of its WHERE clause.
pub fn parse_create_index(sql: &str) -> Option<(String, Option<String>)> {
    let toks = tokenize(sql);
    let on = toks.iter().position(|t| t.is_word("ON"))?;
    let open = (on..toks.len()).find(|&j| toks[j].is_punct('('))?;
    let close = matching(&toks, open)?;
    let inner = text(sql, &toks, open + 1, close - 1).trim().to_string();
    let where_clause = toks[close + 1..].iter().position(|t| t.is_word("WHERE")).map(|w| {
        let from = toks[close + 1 + w].end;
        sql[from..].trim().trim_end_matches(';').trim().to_string()
    });
    Some((inner, where_clause))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_column_constraint_as_written() {
        let sql = "CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, a text DEFAULT (unixepoch()), \
                   b text DEFAULT 'it''s' COLLATE NOCASE UNIQUE, c real DEFAULT -1.50, \"d e\" integer DEFAULT false, \
                   e text GENERATED ALWAYS AS (upper(b)) VIRTUAL, f int AS (id*2) STORED, g varchar(10, 2), \
                   CONSTRAINT \"chk\" CHECK(c > 0), CHECK (d >= 0), UNIQUE(a, c), PRIMARY KEY(id)) WITHOUT ROWID, STRICT";
        let t = parse_create_table(sql).unwrap();
        assert!(t.strict && t.without_rowid);
        let c = &t.columns;
        assert_eq!(
            (c[0].primary_key, c[0].autoincrement, c[0].not_null),
            (true, true, true)
        );
        assert_eq!(c[1].default, Some(DefaultTok::Raw("(unixepoch())".into())));
        assert_eq!(c[2].default, Some(DefaultTok::Str("it's".into())));
        assert_eq!((c[2].collate.as_deref(), c[2].unique), (Some("NOCASE"), true));
        assert_eq!(c[3].default, Some(DefaultTok::Num("-1.50".into())));
        assert_eq!(
            (c[4].name.as_str(), c[4].default.clone()),
            ("d e", Some(DefaultTok::Raw("false".into())))
        );
        assert_eq!(c[5].generated, Some(("upper(b)".into(), false)));
        assert_eq!(c[6].generated, Some(("id*2".into(), true)));
        assert_eq!(c[7].ty, "varchar(10, 2)");
        let blob = parse_create_table("CREATE TABLE b (v blob DEFAULT x'00ff' NOT NULL)").unwrap();
        assert_eq!(blob.columns[0].default, Some(DefaultTok::Raw("x'00ff'".into())));
        assert!(blob.columns[0].not_null);
        assert_eq!(
            t.checks,
            vec![(Some("chk".into()), "c > 0".into()), (None, "d >= 0".into())]
        );
        assert_eq!(t.uniques, vec![vec!["a".to_string(), "c".to_string()]]);
        assert_eq!(t.primary_key, vec!["id".to_string()]);
    }

    #[test]
    fn reads_an_index_list_and_where_clause() {
        let (inner, w) = parse_create_index("CREATE INDEX ix ON t (lower(\"b\"), c DESC) WHERE c > 1").unwrap();
        assert_eq!((inner.as_str(), w.as_deref()), ("lower(\"b\"), c DESC", Some("c > 1")));
    }
}
