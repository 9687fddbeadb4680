//! A reader of SQLite's own `CREATE TABLE` / `CREATE INDEX` text, by SQLite's grammar
//! (lang_createtable.html, `parse.y`), for what the pragmas do not say or say differently:
//! types and defaults exactly as written, generated expressions, checks, collations,
//! AUTOINCREMENT, unique constraints and how they are written, `DEFERRABLE`, a reference
//! to the parent's key left implied, table options.
//!
//! It reads every column and table constraint SQLite accepts. What the model cannot say
//! (`ON CONFLICT` clauses, a descending key, `MATCH`, a collation inside a key) is returned as
//! a note, never dropped in silence; text it cannot read at all is an error with its position.

use schema_model::sql::lex::{Kind, Token, tokenize};

use crate::model::{Deferrable, FkAction};

/// Why a definition could not be read: where (a byte offset) and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DdlError {
    /// The byte where reading stopped.
    pub at: usize,
    /// What was expected and found.
    pub message: String,
}

impl std::fmt::Display for DdlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.at)
    }
}

/// A default as written, classified.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultTok {
    /// A number, its sign included (`-1.50`).
    Num(String),
    /// A string literal, unquoted.
    Str(String),
    /// Anything else, as written: `(expr)` with its parentheses, `CURRENT_TIMESTAMP`,
    /// `TRUE`, `NULL`, a blob literal, a bare name.
    Raw(String),
}

/// One column's definition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnDef {
    /// Its name, unquoted.
    pub name: String,
    /// The declared type as written (empty when none).
    pub ty: String,
    /// `PRIMARY KEY` in the column's definition.
    pub primary_key: bool,
    /// `AUTOINCREMENT`.
    pub autoincrement: bool,
    /// `NOT NULL`.
    pub not_null: bool,
    /// The `DEFAULT`.
    pub default: Option<DefaultTok>,
    /// `COLLATE name`.
    pub collate: Option<String>,
    /// `[GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL]`: the expression without its
    /// parentheses, and whether it is stored.
    pub generated: Option<(String, bool)>,
}

/// A `UNIQUE` constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueDef {
    /// `CONSTRAINT name`, if the definition names it.
    pub name: Option<String>,
    /// Its columns.
    pub columns: Vec<String>,
    /// Written in a column's definition (`"name" text UNIQUE`), not at table level.
    pub inline: bool,
}

/// A `CHECK` constraint, at column or table level (the same to SQLite).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDef {
    /// `CONSTRAINT name`, if the definition names it.
    pub name: Option<String>,
    /// The expression, without its parentheses.
    pub expr: String,
}

/// A foreign key, at column or table level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyDef {
    /// `CONSTRAINT name`, if the definition names it.
    pub name: Option<String>,
    /// The referencing columns.
    pub columns: Vec<String>,
    /// The parent table.
    pub ref_table: String,
    /// The parent's columns; empty when left implied (its primary key).
    pub ref_columns: Vec<String>,
    /// `ON DELETE`.
    pub on_delete: FkAction,
    /// `ON UPDATE`.
    pub on_update: FkAction,
    /// `DEFERRABLE INITIALLY ..`.
    pub deferrable: Deferrable,
}

/// A whole `CREATE TABLE`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableDef {
    /// The columns, in order.
    pub columns: Vec<ColumnDef>,
    /// A table-level `PRIMARY KEY (..)`'s columns (empty when none).
    pub primary_key: Vec<String>,
    /// Unique constraints, in the order SQLite creates their indexes: inline ones as their
    /// column comes, table-level ones after.
    pub uniques: Vec<UniqueDef>,
    /// Checks, column ones first, in order.
    pub checks: Vec<CheckDef>,
    /// Foreign keys, in order.
    pub foreign_keys: Vec<ForeignKeyDef>,
    /// `STRICT`.
    pub strict: bool,
    /// `WITHOUT ROWID`.
    pub without_rowid: bool,
    /// What the definition says that the model cannot: one sentence each.
    pub notes: Vec<String>,
}

/// Tokens of a statement, comments left out, with a cursor.
struct Reader<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
}

/// How deep parentheses may nest in a definition before it is refused.
const MAX_DEPTH: usize = 1000;

impl<'a> Reader<'a> {
    fn new(src: &'a str) -> Result<Self, DdlError> {
        let toks: Vec<Token> = tokenize(src).into_iter().filter(|t| !t.is_comment()).collect();
        if let Some(t) = toks.iter().find(|t| t.kind == Kind::Unterminated) {
            return Err(DdlError {
                at: t.start,
                message: "a string, quoted name or comment is not closed".into(),
            });
        }
        Ok(Reader { src, toks, pos: 0 })
    }

    fn peek_at(&self, n: usize) -> Option<&Token> {
        self.toks.get(self.pos + n)
    }

    fn word_at(&self, n: usize, w: &str) -> bool {
        self.peek_at(n).is_some_and(|t| t.is_word(self.src, w))
    }

    fn word(&self, w: &str) -> bool {
        self.word_at(0, w)
    }

    fn op(&self, o: &str) -> bool {
        self.peek_at(0).is_some_and(|t| t.is_op(self.src, o))
    }

    fn at(&self) -> usize {
        self.peek_at(0).map_or(self.src.len(), |t| t.start)
    }

    fn found(&self) -> String {
        self.peek_at(0)
            .map_or_else(|| "the end".to_string(), |t| format!("`{}`", t.text(self.src)))
    }

    fn error<T>(&self, expected: &str) -> Result<T, DdlError> {
        Err(DdlError {
            at: self.at(),
            message: format!("expected {expected}, found {}", self.found()),
        })
    }

    /// Takes the word `w` if it is next.
    fn eat_word(&mut self, w: &str) -> bool {
        let yes = self.word(w);
        if yes {
            self.pos += 1;
        }
        yes
    }

    fn eat_op(&mut self, o: &str) -> bool {
        let yes = self.op(o);
        if yes {
            self.pos += 1;
        }
        yes
    }

    fn expect_word(&mut self, w: &str) -> Result<(), DdlError> {
        if self.eat_word(w) {
            Ok(())
        } else {
            self.error(&format!("`{w}`"))
        }
    }

    fn expect_op(&mut self, o: &str) -> Result<(), DdlError> {
        if self.eat_op(o) {
            Ok(())
        } else {
            self.error(&format!("`{o}`"))
        }
    }

    /// A name: a word, a quoted name, or a string (which SQLite takes as a name there).
    fn name(&mut self) -> Result<String, DdlError> {
        let Some(t) = self.peek_at(0) else {
            return self.error("a name");
        };
        let name = match &t.kind {
            Kind::Word => t.text(self.src).to_string(),
            Kind::Quoted(s) | Kind::Str(s) => s.clone(),
            _ => return self.error("a name"),
        };
        self.pos += 1;
        Ok(name)
    }

    /// `[schema.]name`: the name.
    fn qualified_name(&mut self) -> Result<String, DdlError> {
        let first = self.name()?;
        if self.eat_op(".") { self.name() } else { Ok(first) }
    }

    /// The index of the token after the `)` closing the `(` at the cursor.
    fn skip_group(&self) -> Result<usize, DdlError> {
        let mut depth = 0usize;
        for (i, t) in self.toks.iter().enumerate().skip(self.pos) {
            if t.is_op(self.src, "(") {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(DdlError {
                        at: t.start,
                        message: "parentheses nest too deep".into(),
                    });
                }
            } else if t.is_op(self.src, ")") {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
        }
        Err(DdlError {
            at: self.at(),
            message: "a `(` is not closed".into(),
        })
    }

    /// `( .. )` at the cursor: the text inside, trimmed; the cursor moves past it.
    fn group(&mut self) -> Result<String, DdlError> {
        if !self.op("(") {
            return self.error("`(`");
        }
        let end = self.skip_group()?;
        let open = &self.toks[self.pos];
        let close = &self.toks[end - 1];
        let inner = self.src[open.end..close.start].trim().to_string();
        self.pos = end;
        Ok(inner)
    }

    /// `( .. )` at the cursor, with its parentheses, as written.
    fn group_text(&mut self) -> Result<String, DdlError> {
        let start = self.at();
        let end = self.skip_group()?;
        let text = self.src[start..self.toks[end - 1].end].to_string();
        self.pos = end;
        Ok(text)
    }

    /// `(a, b)`: a list of plain names.
    fn name_list(&mut self) -> Result<Vec<String>, DdlError> {
        self.expect_op("(")?;
        let mut out = vec![self.name()?];
        while self.eat_op(",") {
            out.push(self.name()?);
        }
        self.expect_op(")")?;
        Ok(out)
    }

    /// `(a COLLATE x DESC, expr, ..)`: a key's columns. Each is a name, or else the note says
    /// what the model cannot keep of it.
    fn indexed_columns(&mut self, what: &str, notes: &mut Vec<String>) -> Result<Vec<String>, DdlError> {
        self.expect_op("(")?;
        let mut out = Vec::new();
        loop {
            let start = self.pos;
            let is_name = matches!(self.peek_at(0).map(|t| &t.kind), Some(Kind::Word | Kind::Quoted(_)))
                && self
                    .peek_at(1)
                    .is_some_and(|t| t.is_op(self.src, ",") || t.is_op(self.src, ")") || t.kind == Kind::Word);
            if is_name {
                out.push(self.name()?);
            } else {
                // An expression: read to the `,` or `)` at this depth.
                let from = self.at();
                self.skip_item()?;
                if self.pos == start {
                    return self.error("a column");
                }
                let text = self.src[from..self.toks[self.pos - 1].end].to_string();
                notes.push(format!(
                    "{what} is on the expression `{text}`, which the model keeps only as a column"
                ));
                out.push(text);
            }
            if self.eat_word("COLLATE") {
                let c = self.name()?;
                notes.push(format!(
                    "{what} compares `{}` with COLLATE {c}; the model keeps the column's own collation",
                    out.last().map_or("", String::as_str)
                ));
            }
            if self.eat_word("DESC") {
                notes.push(format!(
                    "{what} orders `{}` DESC, which the model does not keep",
                    out.last().map_or("", String::as_str)
                ));
            } else {
                self.eat_word("ASC");
            }
            if self.pos == start {
                return self.error("a column");
            }
            if self.eat_op(",") {
                continue;
            }
            self.expect_op(")")?;
            return Ok(out);
        }
    }

    /// Moves past one list item: to the next `,` or `)` outside parentheses.
    fn skip_item(&mut self) -> Result<(), DdlError> {
        while let Some(t) = self.peek_at(0) {
            if t.is_op(self.src, ",") || t.is_op(self.src, ")") {
                return Ok(());
            }
            if t.is_op(self.src, "(") {
                self.pos = self.skip_group()?;
            } else {
                self.pos += 1;
            }
        }
        self.error("`,` or `)`")
    }

    /// `ON CONFLICT ..`, if next: noted, since the model has no conflict clauses.
    fn conflict_clause(&mut self, what: &str, notes: &mut Vec<String>) -> Result<(), DdlError> {
        if self.word("ON") && self.word_at(1, "CONFLICT") {
            self.pos += 2;
            let how = self.name()?.to_ascii_uppercase();
            if !["ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"].contains(&how.as_str()) {
                self.pos -= 1;
                return self.error("ROLLBACK, ABORT, FAIL, IGNORE or REPLACE");
            }
            notes.push(format!("{what} has ON CONFLICT {how}, which the model does not keep"));
        }
        Ok(())
    }

    /// `REFERENCES parent [(cols)] [ON DELETE|UPDATE action | MATCH name]* [[NOT] DEFERRABLE ..]`
    /// (the cursor after `REFERENCES`).
    fn references(
        &mut self,
        name: Option<String>,
        columns: Vec<String>,
        what: &str,
        notes: &mut Vec<String>,
    ) -> Result<ForeignKeyDef, DdlError> {
        let ref_table = self.name()?;
        let ref_columns = if self.op("(") { self.name_list()? } else { Vec::new() };
        let mut fk = ForeignKeyDef {
            name,
            columns,
            ref_table,
            ref_columns,
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferrable: Deferrable::No,
        };
        loop {
            if self.word("ON") && (self.word_at(1, "DELETE") || self.word_at(1, "UPDATE")) {
                let delete = self.word_at(1, "DELETE");
                self.pos += 2;
                let action = self.fk_action()?;
                if delete {
                    fk.on_delete = action;
                } else {
                    fk.on_update = action;
                }
            } else if self.eat_word("MATCH") {
                let m = self.name()?;
                notes.push(format!(
                    "{what} says MATCH {m}, which SQLite ignores and the model does not keep"
                ));
            } else {
                break;
            }
        }
        if let Some(d) = self.deferrable()? {
            fk.deferrable = d;
        }
        Ok(fk)
    }

    fn fk_action(&mut self) -> Result<FkAction, DdlError> {
        let action = if self.eat_word("SET") {
            if self.eat_word("NULL") {
                FkAction::SetNull
            } else if self.eat_word("DEFAULT") {
                FkAction::SetDefault
            } else {
                return self.error("NULL or DEFAULT after SET");
            }
        } else if self.eat_word("CASCADE") {
            FkAction::Cascade
        } else if self.eat_word("RESTRICT") {
            FkAction::Restrict
        } else if self.word("NO") && self.word_at(1, "ACTION") {
            self.pos += 2;
            FkAction::NoAction
        } else {
            return self.error("a foreign key action (SET NULL, SET DEFAULT, CASCADE, RESTRICT, NO ACTION)");
        };
        Ok(action)
    }

    /// `[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]`, if next.
    fn deferrable(&mut self) -> Result<Option<Deferrable>, DdlError> {
        let not = self.word("NOT") && self.word_at(1, "DEFERRABLE");
        if !not && !self.word("DEFERRABLE") {
            return Ok(None);
        }
        self.pos += if not { 2 } else { 1 };
        let mut initially_deferred = false;
        if self.eat_word("INITIALLY") {
            if self.eat_word("DEFERRED") {
                initially_deferred = true;
            } else if !self.eat_word("IMMEDIATE") {
                return self.error("DEFERRED or IMMEDIATE after INITIALLY");
            }
        }
        // NOT DEFERRABLE is checked at each statement whatever INITIALLY says (SQLite).
        Ok(Some(match (not, initially_deferred) {
            (true, _) => Deferrable::No,
            (false, true) => Deferrable::InitiallyDeferred,
            (false, false) => Deferrable::InitiallyImmediate,
        }))
    }
}

/// Words that end a column's type and start a constraint.
const CONSTRAINT_WORDS: [&str; 12] = [
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
    "DEFERRABLE",
];

/// Reads a `CREATE TABLE` statement as SQLite stores it.
pub fn parse_create_table(sql: &str) -> Result<TableDef, DdlError> {
    let mut r = Reader::new(sql)?;
    r.expect_word("CREATE")?;
    if !r.eat_word("TEMP") {
        r.eat_word("TEMPORARY");
    }
    r.expect_word("TABLE")?;
    if r.word("IF") {
        r.pos += 1;
        r.expect_word("NOT")?;
        r.expect_word("EXISTS")?;
    }
    let table = r.qualified_name()?;
    if r.word("AS") {
        return r.error("a column list (this table was made by CREATE TABLE .. AS SELECT)");
    }
    r.expect_op("(")?;
    let mut def = TableDef::default();
    let mut columns_done = false;
    loop {
        let table_constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|w| r.word(w));
        if table_constraint {
            columns_done = true;
            table_constraint_def(&mut r, &table, &mut def)?;
        } else if columns_done {
            return r.error("a table constraint (columns come before them)");
        } else {
            column_def(&mut r, &table, &mut def)?;
        }
        // SQLite lets table constraints follow one another without commas.
        if r.eat_op(",") || (columns_done && !r.op(")")) {
            continue;
        }
        r.expect_op(")")?;
        break;
    }
    // Options, comma-separated; SQLite's grammar also takes a comma before the first one.
    loop {
        if r.eat_word("STRICT") {
            def.strict = true;
        } else if r.word("WITHOUT") {
            r.pos += 1;
            let w = r.name()?;
            if !w.eq_ignore_ascii_case("ROWID") {
                r.pos -= 1;
                return r.error("ROWID after WITHOUT");
            }
            def.without_rowid = true;
        } else if !r.eat_op(",") {
            break;
        }
    }
    r.eat_op(";");
    if r.peek_at(0).is_some() {
        return r.error("the end of the statement");
    }
    Ok(def)
}

fn column_def(r: &mut Reader<'_>, table: &str, def: &mut TableDef) -> Result<(), DdlError> {
    let mut col = ColumnDef {
        name: r.name()?,
        ..Default::default()
    };
    let what = format!("`{table}.{}`", col.name);
    // The type: names up to a constraint word, `,` or `)`, then an optional `(n[, m])`.
    let ty_start = r.pos;
    while let Some(t) = r.peek_at(0) {
        // GENERATED and ALWAYS are names to SQLite, as parts of a type, unless AS follows.
        let generated_always = t.is_word(r.src, "GENERATED") && r.word_at(1, "ALWAYS") && r.word_at(2, "AS");
        let ends = t.is_op(r.src, ",")
            || t.is_op(r.src, ")")
            || generated_always
            || CONSTRAINT_WORDS
                .iter()
                .any(|w| *w != "GENERATED" && t.is_word(r.src, w));
        if ends {
            break;
        }
        if t.is_op(r.src, "(") {
            r.pos = r.skip_group()?;
            break;
        }
        if !matches!(t.kind, Kind::Word | Kind::Quoted(_) | Kind::Str(_)) {
            return r.error("a type name or a column constraint");
        }
        r.pos += 1;
    }
    if r.pos > ty_start {
        col.ty = r.src[r.toks[ty_start].start..r.toks[r.pos - 1].end].to_string();
    }
    let mut constraint: Option<String> = None;
    loop {
        if r.eat_word("CONSTRAINT") {
            constraint = Some(r.name()?);
            continue;
        }
        let name = constraint.take();
        if r.eat_word("PRIMARY") {
            r.expect_word("KEY")?;
            col.primary_key = true;
            if r.eat_word("DESC") {
                def.notes.push(format!(
                    "{what} is a PRIMARY KEY DESC, which the model keeps as ascending"
                ));
            } else {
                r.eat_word("ASC");
            }
            r.conflict_clause(&format!("the primary key {what}"), &mut def.notes)?;
            if r.eat_word("AUTOINCREMENT") {
                col.autoincrement = true;
            }
            note_name(&mut def.notes, name, &format!("the primary key {what}"));
        } else if r.word("NOT") && r.word_at(1, "NULL") {
            r.pos += 2;
            col.not_null = true;
            r.conflict_clause(&format!("NOT NULL on {what}"), &mut def.notes)?;
            note_name(&mut def.notes, name, &format!("NOT NULL on {what}"));
        } else if r.eat_word("NULL") {
            // Explicitly nullable: what a column is anyway.
            r.conflict_clause(&format!("NULL on {what}"), &mut def.notes)?;
            note_name(&mut def.notes, name, &format!("NULL on {what}"));
        } else if r.eat_word("UNIQUE") {
            r.conflict_clause(&format!("UNIQUE on {what}"), &mut def.notes)?;
            def.uniques.push(UniqueDef {
                inline: name.is_none(),
                name,
                columns: vec![col.name.clone()],
            });
        } else if r.eat_word("CHECK") {
            let expr = r.group()?;
            def.checks.push(CheckDef { name, expr });
        } else if r.eat_word("DEFAULT") {
            col.default = Some(default_value(r)?);
            note_name(&mut def.notes, name, &format!("the DEFAULT of {what}"));
        } else if r.eat_word("COLLATE") {
            col.collate = Some(r.name()?);
            note_name(&mut def.notes, name, &format!("the COLLATE of {what}"));
        } else if r.eat_word("REFERENCES") {
            let fk = r.references(
                name,
                vec![col.name.clone()],
                &format!("the foreign key of {what}"),
                &mut def.notes,
            )?;
            def.foreign_keys.push(fk);
        } else if r.word("DEFERRABLE") || (r.word("NOT") && r.word_at(1, "DEFERRABLE")) {
            // A clause of its own in a column's constraints: it defers the foreign key
            // before it.
            let d = r.deferrable()?.unwrap_or_default();
            match def.foreign_keys.last_mut().filter(|f| f.columns == [col.name.as_str()]) {
                Some(fk) => fk.deferrable = d,
                None => def.notes.push(format!(
                    "{what} says DEFERRABLE with no foreign key before it; SQLite ignores it"
                )),
            }
        } else if (r.word("GENERATED") && r.word_at(1, "ALWAYS") && r.word_at(2, "AS")) || r.word("AS") {
            if r.eat_word("GENERATED") {
                r.expect_word("ALWAYS")?;
            }
            r.expect_word("AS")?;
            let expr = r.group()?;
            let stored = if r.eat_word("STORED") {
                true
            } else {
                r.eat_word("VIRTUAL");
                false
            };
            col.generated = Some((expr, stored));
            note_name(&mut def.notes, name, &format!("the generated expression of {what}"));
        } else if r.op(",") || r.op(")") {
            if let Some(n) = name {
                def.notes
                    .push(format!("{what} has a CONSTRAINT `{n}` that names nothing"));
            }
            break;
        } else {
            return r.error(&format!("a column constraint of {what}"));
        }
    }
    def.columns.push(col);
    Ok(())
}

/// A constraint name the model has no place for.
fn note_name(notes: &mut Vec<String>, name: Option<String>, what: &str) {
    if let Some(n) = name {
        notes.push(format!(
            "{what} is named `{n}`, a name SQLite does not keep anywhere else and the model does not keep"
        ));
    }
}

fn table_constraint_def(r: &mut Reader<'_>, table: &str, def: &mut TableDef) -> Result<(), DdlError> {
    let name = if r.eat_word("CONSTRAINT") {
        Some(r.name()?)
    } else {
        None
    };
    if r.eat_word("PRIMARY") {
        r.expect_word("KEY")?;
        let what = format!("the primary key of `{table}`");
        def.primary_key = r.indexed_columns(&what, &mut def.notes)?;
        r.conflict_clause(&what, &mut def.notes)?;
        note_name(&mut def.notes, name, &what);
    } else if r.eat_word("UNIQUE") {
        let what = format!("a UNIQUE constraint of `{table}`");
        let columns = r.indexed_columns(&what, &mut def.notes)?;
        r.conflict_clause(&what, &mut def.notes)?;
        def.uniques.push(UniqueDef {
            name,
            columns,
            inline: false,
        });
    } else if r.eat_word("CHECK") {
        let expr = r.group()?;
        r.conflict_clause(&format!("a CHECK of `{table}`"), &mut def.notes)?;
        def.checks.push(CheckDef { name, expr });
    } else if r.eat_word("FOREIGN") {
        r.expect_word("KEY")?;
        let columns = r.name_list()?;
        r.expect_word("REFERENCES")?;
        let what = format!("the foreign key ({}) of `{table}`", columns.join(", "));
        let fk = r.references(name, columns, &what, &mut def.notes)?;
        def.foreign_keys.push(fk);
    } else if let (Some(n), true) = (&name, r.op(",") || r.op(")")) {
        // SQLite's grammar takes `CONSTRAINT name` on its own; it names nothing.
        def.notes
            .push(format!("`{table}` has a CONSTRAINT `{n}` that names nothing"));
    } else {
        return r.error("PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY");
    }
    Ok(())
}

/// `DEFAULT` and what follows: a signed number, a literal, a parenthesised expression (kept
/// with its parentheses, as written), or a bare name (`CURRENT_TIMESTAMP`, `false`, `NULL`).
fn default_value(r: &mut Reader<'_>) -> Result<DefaultTok, DdlError> {
    let Some(t) = r.peek_at(0).cloned() else {
        return r.error("a default value");
    };
    let value = match &t.kind {
        Kind::Op if t.is_op(r.src, "(") => return Ok(DefaultTok::Raw(r.group_text()?)),
        Kind::Op if t.is_op(r.src, "-") || t.is_op(r.src, "+") => {
            let Some(n) = r.peek_at(1).filter(|n| n.kind == Kind::Num).cloned() else {
                r.pos += 1;
                return r.error("a number after the sign");
            };
            r.pos += 1;
            let sign = if t.is_op(r.src, "-") { "-" } else { "" };
            DefaultTok::Num(format!("{sign}{}", n.text(r.src)))
        }
        Kind::Num => DefaultTok::Num(t.text(r.src).to_string()),
        Kind::Str(s) => DefaultTok::Str(s.clone()),
        Kind::Blob | Kind::Word | Kind::Quoted(_) => DefaultTok::Raw(t.text(r.src).to_string()),
        _ => return r.error("a default value"),
    };
    r.pos += 1;
    Ok(value)
}

/// What a `CREATE INDEX` indexes: its parenthesised list (the inside, as written) and the
/// text of its WHERE clause.
pub fn parse_create_index(sql: &str) -> Result<(String, Option<String>), DdlError> {
    let mut r = Reader::new(sql)?;
    r.expect_word("CREATE")?;
    r.eat_word("UNIQUE");
    r.expect_word("INDEX")?;
    if r.word("IF") {
        r.pos += 1;
        r.expect_word("NOT")?;
        r.expect_word("EXISTS")?;
    }
    r.qualified_name()?;
    r.expect_word("ON")?;
    r.name()?;
    let inner = r.group()?;
    let where_clause = if r.eat_word("WHERE") {
        if r.peek_at(0).is_none() {
            return r.error("an expression after WHERE");
        }
        let from = r.at();
        let to = r.toks.last().map_or(from, |t| t.end);
        let text = sql[from..to].trim().trim_end_matches(';').trim().to_string();
        Some(text)
    } else {
        r.eat_op(";");
        if r.peek_at(0).is_some() {
            return r.error("WHERE or the end of the statement");
        }
        None
    };
    Ok((inner, where_clause))
}

/// The names of a list that is nothing but names (`a, "b"`); `None` when any element is
/// more than a name (an expression, a COLLATE, a DESC).
pub fn plain_names(list: &str) -> Option<Vec<String>> {
    let toks: Vec<Token> = tokenize(list).into_iter().filter(|t| !t.is_comment()).collect();
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if i % 2 == 1 {
            if !t.is_op(list, ",") {
                return None;
            }
            continue;
        }
        match &t.kind {
            Kind::Word => out.push(t.text(list).to_string()),
            Kind::Quoted(s) => out.push(s.clone()),
            _ => return None,
        }
    }
    (toks.len() % 2 == 1).then_some(out)
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
        assert_eq!(c[2].collate.as_deref(), Some("NOCASE"));
        assert_eq!(c[3].default, Some(DefaultTok::Num("-1.50".into())));
        assert_eq!(
            (c[4].name.as_str(), c[4].default.clone()),
            ("d e", Some(DefaultTok::Raw("false".into())))
        );
        assert_eq!(c[5].generated, Some(("upper(b)".into(), false)));
        assert_eq!(c[6].generated, Some(("id*2".into(), true)));
        assert_eq!(c[7].ty, "varchar(10, 2)");
        assert_eq!(
            t.uniques,
            vec![
                UniqueDef {
                    name: None,
                    columns: vec!["b".into()],
                    inline: true
                },
                UniqueDef {
                    name: None,
                    columns: vec!["a".into(), "c".into()],
                    inline: false
                }
            ]
        );
        let blob = parse_create_table("CREATE TABLE b (v blob DEFAULT x'00ff' NOT NULL)").unwrap();
        assert_eq!(blob.columns[0].default, Some(DefaultTok::Raw("x'00ff'".into())));
        assert!(blob.columns[0].not_null);
        assert_eq!(
            t.checks,
            vec![
                CheckDef {
                    name: Some("chk".into()),
                    expr: "c > 0".into()
                },
                CheckDef {
                    name: None,
                    expr: "d >= 0".into()
                }
            ]
        );
        assert_eq!(t.primary_key, vec!["id".to_string()]);
        assert!(t.notes.is_empty(), "{:?}", t.notes);
    }

    #[test]
    fn a_references_clause_does_not_swallow_what_follows() {
        // The DEFAULT after ON DELETE SET DEFAULT is the column's, and COLLATE after DEFAULT.
        let t = parse_create_table(
            "CREATE TABLE c (p integer REFERENCES t(c) ON DELETE SET DEFAULT DEFAULT 7 NOT NULL, \
             q text DEFAULT 'x' COLLATE NOCASE, r text COLLATE NOCASE DEFAULT 'y', \
             s integer REFERENCES parent MATCH FULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED, \
             u integer CONSTRAINT fk REFERENCES parent NOT NULL DEFERRABLE, \
             FOREIGN KEY (p, q) REFERENCES t (a, b) NOT DEFERRABLE INITIALLY DEFERRED)",
        )
        .unwrap();
        let c = &t.columns;
        assert_eq!(c[0].default, Some(DefaultTok::Num("7".into())));
        assert!(c[0].not_null);
        assert_eq!(
            (c[1].default.clone(), c[1].collate.as_deref()),
            (Some(DefaultTok::Str("x".into())), Some("NOCASE"))
        );
        assert_eq!(
            (c[2].default.clone(), c[2].collate.as_deref()),
            (Some(DefaultTok::Str("y".into())), Some("NOCASE"))
        );
        let f = &t.foreign_keys;
        assert_eq!(
            (f[0].ref_columns.clone(), f[0].on_delete),
            (vec!["c".to_string()], FkAction::SetDefault)
        );
        assert_eq!(
            (f[1].ref_columns.is_empty(), f[1].on_update, f[1].deferrable),
            (true, FkAction::Cascade, Deferrable::InitiallyDeferred)
        );
        assert_eq!(
            (f[2].name.as_deref(), f[2].deferrable),
            (Some("fk"), Deferrable::InitiallyImmediate)
        );
        assert!(c[4].not_null);
        assert_eq!((f[3].columns.len(), f[3].deferrable), (2, Deferrable::No));
        assert_eq!(t.notes.len(), 1, "{:?}", t.notes);
        assert!(t.notes[0].contains("MATCH FULL"));
    }

    #[test]
    fn what_the_model_cannot_say_is_a_note() {
        let t = parse_create_table(
            "CREATE TABLE n (a text PRIMARY KEY DESC ON CONFLICT REPLACE, b text NOT NULL ON CONFLICT IGNORE, \
             c text, UNIQUE (b COLLATE NOCASE, c DESC) ON CONFLICT FAIL, CONSTRAINT named UNIQUE (c))",
        )
        .unwrap();
        assert_eq!(t.notes.len(), 6, "{:#?}", t.notes);
        assert_eq!(t.uniques[1].name.as_deref(), Some("named"));
    }

    #[test]
    fn unreadable_text_is_an_error_with_its_place() {
        for bad in [
            "CREATE TABLE t (a text DEFAULT)",
            "CREATE TABLE t (a text REFERENCES p ON DELETE EXPLODE)",
            "CREATE TABLE t (a text, PRIMARY KEY (a), b text)",
            "CREATE TABLE t (a text 'unterminated)",
            "CREATE TABLE t (a text) trailing",
            "CREATE TABLE t (a text CHECK (a > 0)",
            // Found by the fuzzer: an empty item in a key's list sliced the text backwards.
            "CREATE TABLE t (a INT, PRIMARY KEY(a,\n) ) WITHOUT ROWID",
            "CREATE TABLE t (a INT, UNIQUE(, a))",
        ] {
            let e = parse_create_table(bad).expect_err(bad);
            assert!(e.at <= bad.len(), "{bad}: {e}");
        }
    }

    #[test]
    fn a_constraint_name_alone_names_nothing() {
        // Found by the fuzzer: SQLite takes `CONSTRAINT c` with no constraint after it.
        let t = parse_create_table("CREATE TABLE t (a INT, UNIQUE(a)CONSTRAINT c )").unwrap();
        assert_eq!(t.uniques.len(), 1);
        assert!(
            t.notes[0].contains("CONSTRAINT `c` that names nothing"),
            "{:?}",
            t.notes
        );
    }

    #[test]
    fn generated_is_a_type_word_unless_always_follows() {
        // Found by the fuzzer: SQLite reads `INT GENERATED e` as a type.
        let t = parse_create_table("CREATE TABLE t (d INT GENERATED e AS (1) VIRTUAL, x)").unwrap();
        assert_eq!(
            (t.columns[0].ty.as_str(), t.columns[0].generated.is_some()),
            ("INT GENERATED e", true)
        );
        // And takes a comma before the first table option.
        assert!(
            parse_create_table("CREATE TABLE t (a INT PRIMARY KEY), WITHOUT ROWID")
                .unwrap()
                .without_rowid
        );
    }

    #[test]
    fn an_index_ending_in_where_is_an_error() {
        // Found by the fuzzer: the empty WHERE clause was sliced backwards.
        assert!(parse_create_index("CREATE INDEX ix ON t (a) WHERE ").is_err());
    }

    #[test]
    fn reads_an_index_list_and_where_clause() {
        let (inner, w) = parse_create_index("CREATE INDEX ix ON t (lower(\"b\"), c DESC) WHERE c > 1").unwrap();
        assert_eq!((inner.as_str(), w.as_deref()), ("lower(\"b\"), c DESC", Some("c > 1")));
        assert_eq!(
            plain_names("a, \"b c\""),
            Some(vec!["a".to_string(), "b c".to_string()])
        );
        assert_eq!(plain_names("a DESC"), None);
        assert_eq!(plain_names("a,"), None);
    }
}
