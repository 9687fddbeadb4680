//! The SQL the studio builds, once for every dialect: a page (a keyset seek, or an offset for
//! a relation without a key), a row found by key or by column values, an update, an insert,
//! a delete, and a bounded count of referencing rows. Names come from the introspected
//! schema and are quoted; values are always bound. What differs between dialects (how a
//! table is named, how a value is bound, how NULLs sort) is the `Flavor`.

use super::db::{
    ColumnInfo, Cursor, DbError, Direction, Filter, FilterOp, ForeignKeyInfo, Page, Row, RowCount, RowKey, RowLookup,
    RowQuery, TableInfo, Value,
};

/// `"name"`, with any `"` doubled: the one quoting rule, the same on SQLite and PostgreSQL,
/// used for every name written into SQL, and only for names found in the schema.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// What a dialect says its own way.
pub trait Flavor {
    /// The table as SQL names it (with its schema where there is one).
    fn table(&self, t: &TableInfo) -> String;
    /// What a page selects for a column: the column, or a cast to a type the reader maps.
    fn select(&self, c: &ColumnInfo) -> String;
    /// The placeholder of the `n`th bound value (from 1), compared with or stored into
    /// `column` (`None`: a text pattern, or SQLite's rowid).
    fn mark(&self, n: usize, column: Option<&ColumnInfo>) -> String;
    /// `expr` contains the text bound at `mark` (LIKE's wildcards escaped with `\`),
    /// ASCII-case-insensitively.
    fn contains(&self, expr: &str, mark: &str) -> String;
    /// An ORDER BY term that sorts NULL before every value ascending (SQLite's order), which
    /// the keyset conditions below rely on. `nullable` is false for a key or a NOT NULL
    /// column, where saying nothing keeps an index usable. `expr` is qualified by its table:
    /// a bare name in ORDER BY means the output column of that name, which on PostgreSQL is
    /// the cast `select` wrote, and no index orders a cast.
    fn order(&self, expr: &str, dir: Direction, nullable: bool) -> String;
}

/// Runs a page's query and reads its rows as the `Select` laid them out: the one thing a
/// backend does for `page`.
pub type RunQuery<'r> = dyn FnMut(&Select<'_>, &Query) -> Result<Vec<Row>, DbError> + 'r;

/// A statement and the values bound to it, in order.
#[derive(Debug, Clone)]
pub struct Query {
    pub sql: String,
    pub params: Vec<Value>,
}

/// One part of a row's key: what is selected, what is compared, and the column (none for a
/// rowid).
struct KeyPart<'t> {
    select: String,
    expr: String,
    column: Option<&'t ColumnInfo>,
}

/// The SELECT list of a page: the key's expressions, then every column. A row read back
/// holds `key_len()` key values, then one cell per column.
pub struct Select<'t> {
    key: Vec<KeyPart<'t>>,
    columns: Vec<String>,
}

impl<'t> Select<'t> {
    pub fn of(f: &dyn Flavor, t: &'t TableInfo) -> Select<'t> {
        let key = match &t.row_key {
            RowKey::Rowid(r) => vec![KeyPart {
                select: r.clone(),
                expr: r.clone(),
                column: None,
            }],
            RowKey::Columns(cols) => cols
                .iter()
                .map(|name| {
                    let column = t.column(name);
                    KeyPart {
                        select: column.map_or_else(|| ident(name), |c| f.select(c)),
                        expr: ident(name),
                        column,
                    }
                })
                .collect(),
            RowKey::None => Vec::new(),
        };
        Select {
            key,
            columns: t.columns.iter().map(|c| f.select(c)).collect(),
        }
    }

    pub fn key_len(&self) -> usize {
        self.key.len()
    }

    pub fn list(&self) -> String {
        let all: Vec<&str> = self
            .key
            .iter()
            .map(|k| k.select.as_str())
            .chain(self.columns.iter().map(String::as_str))
            .collect();
        all.join(", ")
    }
}

/// Bound values, and the placeholders that name them.
struct Binds<'f> {
    flavor: &'f dyn Flavor,
    params: Vec<Value>,
}

impl<'f> Binds<'f> {
    fn new(flavor: &'f dyn Flavor) -> Self {
        Binds {
            flavor,
            params: Vec::new(),
        }
    }

    fn bind(&mut self, v: Value, column: Option<&ColumnInfo>) -> String {
        self.params.push(v);
        self.flavor.mark(self.params.len(), column)
    }

    /// `key = mark AND …`, for a key's values.
    fn key_equals(&mut self, select: &Select<'_>, values: &[Value]) -> String {
        select
            .key
            .iter()
            .zip(values)
            .map(|(k, v)| format!("{} = {}", k.expr, self.bind(v.clone(), k.column)))
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

pub fn column<'t>(t: &'t TableInfo, name: &str) -> Result<&'t ColumnInfo, DbError> {
    t.column(name).ok_or_else(|| DbError::NoColumn {
        table: t.name.clone(),
        column: name.to_string(),
    })
}

/// `%text%` for LIKE, with LIKE's own wildcards in the text taken literally.
pub fn contains_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

fn reverse(d: Direction) -> Direction {
    match d {
        Direction::Asc => Direction::Desc,
        Direction::Desc => Direction::Asc,
    }
}

pub fn dir_sql(d: Direction) -> &'static str {
    match d {
        Direction::Asc => "ASC",
        Direction::Desc => "DESC",
    }
}

/// The first keyword of a statement, past comments and blanks.
pub fn first_keyword(sql: &str) -> String {
    let mut s = sql.trim_start();
    loop {
        if let Some(rest) = s.strip_prefix("--") {
            s = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    s.chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Refuses the statements that would leave the console's transaction open or end it early.
pub fn refuse_transaction_control(sql: &str) -> Result<(), DbError> {
    if sql.trim().is_empty() {
        return Err(DbError::Invalid("nothing to run".into()));
    }
    if matches!(
        first_keyword(sql).as_str(),
        "BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "START" | "ABORT"
    ) {
        return Err(DbError::Invalid(
            "the console runs each statement in a transaction of its own; BEGIN, COMMIT and ROLLBACK are not taken"
                .into(),
        ));
    }
    Ok(())
}

fn where_sql(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    }
}

/// The column a page is sorted on: the column, its place among the cells, the way.
struct Sort<'t> {
    column: &'t ColumnInfo,
    expr: String,
    index: usize,
    dir: Direction,
}

/// One page's query as it is built: the filters' conditions and their bound values, the sort.
struct Scan<'t, 'f> {
    t: &'t TableInfo,
    flavor: &'f dyn Flavor,
    select: Select<'t>,
    conditions: Vec<String>,
    binds: Binds<'f>,
    sort: Option<Sort<'t>>,
    limit: usize,
}

/// A page of rows as `q` asks for it; `run` executes the one query it takes.
pub fn page(flavor: &dyn Flavor, t: &TableInfo, q: &RowQuery, run: &mut RunQuery<'_>) -> Result<Page, DbError> {
    let mut scan = Scan {
        t,
        flavor,
        select: Select::of(flavor, t),
        conditions: Vec::new(),
        binds: Binds::new(flavor),
        sort: None,
        limit: q.limit.clamp(1, 1000),
    };
    scan.filter(&q.filters)?;
    if let Some((name, dir)) = &q.sort {
        let c = column(t, name)?;
        scan.sort = Some(Sort {
            column: c,
            expr: ident(&c.name),
            index: t.columns.iter().position(|x| x.name == c.name).unwrap_or(0),
            dir: *dir,
        });
    }
    if scan.select.key.is_empty() {
        scan.offset_page(q.cursor.as_ref(), run)
    } else {
        scan.keyset_page(q.cursor.as_ref(), run)
    }
}

impl Scan<'_, '_> {
    /// Each filter: a checked column, an operator of ours, the value bound.
    fn filter(&mut self, filters: &[Filter]) -> Result<(), DbError> {
        for f in filters {
            let c = column(self.t, &f.column)?;
            let expr = ident(&c.name);
            self.conditions.push(match &f.op {
                FilterOp::Equals(v) => {
                    let mark = self.binds.bind(Value::Text(v.clone()), Some(c));
                    format!("{expr} = {mark}")
                }
                FilterOp::Contains(v) => {
                    let mark = self.binds.bind(Value::Text(contains_pattern(v)), None);
                    self.flavor.contains(&expr, &mark)
                }
                FilterOp::IsNull => format!("{expr} IS NULL"),
                FilterOp::NotNull => format!("{expr} IS NOT NULL"),
            });
        }
        Ok(())
    }

    /// The cursor of a row: the sort column's value, then the key.
    fn cursor_of(&self, r: &Row) -> Vec<Value> {
        let mut c = Vec::new();
        if let Some(s) = &self.sort {
            c.push(r.cells[s.index].clone());
        }
        c.extend(r.key.clone().unwrap_or_default());
        c
    }

    /// The rows strictly after `values` in `dir` order of `(sort, key…)`. NULL sorts first
    /// (the flavor's ORDER BY makes it so), so NULLs of the sort column need their own arm;
    /// the key is never NULL.
    fn keyset_condition(&mut self, values: &[Value], dir: Direction) -> String {
        let op = if dir == Direction::Asc { ">" } else { "<" };
        let tuple = |items: &[String]| {
            if items.len() == 1 {
                items[0].clone()
            } else {
                format!("({})", items.join(", "))
            }
        };
        let key_exprs: Vec<String> = self.select.key.iter().map(|k| k.expr.clone()).collect();
        let bind_key = |binds: &mut Binds<'_>, select: &Select<'_>, values: &[Value]| -> Vec<String> {
            select
                .key
                .iter()
                .zip(values)
                .map(|(k, v)| binds.bind(v.clone(), k.column))
                .collect()
        };
        match &self.sort {
            None => {
                let marks = bind_key(&mut self.binds, &self.select, values);
                format!("{} {op} {}", tuple(&key_exprs), tuple(&marks))
            }
            Some(s) => {
                let (sort_value, key_values) = (&values[0], &values[1..]);
                if *sort_value == Value::Null {
                    let marks = bind_key(&mut self.binds, &self.select, key_values);
                    let same = format!("({} IS NULL AND {} {op} {})", s.expr, tuple(&key_exprs), tuple(&marks));
                    match dir {
                        Direction::Asc => format!("({same} OR {} IS NOT NULL)", s.expr),
                        Direction::Desc => same,
                    }
                } else {
                    let mut marks = vec![self.binds.bind(sort_value.clone(), Some(s.column))];
                    marks.extend(bind_key(&mut self.binds, &self.select, key_values));
                    let mut names = vec![s.expr.clone()];
                    names.extend(key_exprs);
                    let cmp = format!("({}) {op} ({})", names.join(", "), marks.join(", "));
                    match dir {
                        Direction::Asc => cmp,
                        Direction::Desc => format!("({cmp} OR {} IS NULL)", s.expr),
                    }
                }
            }
        }
    }

    /// A page after (or before) a cursor, found by a seek on `(sort, key)`, never an OFFSET:
    /// the millionth row costs what the first does. Before a cursor, the scan runs the other
    /// way and the rows are turned back.
    fn keyset_page(mut self, cursor: Option<&Cursor>, run: &mut RunQuery<'_>) -> Result<Page, DbError> {
        let base_dir = self.sort.as_ref().map_or(Direction::Asc, |s| s.dir);
        let backwards = matches!(cursor, Some(Cursor::Before(_)));
        let scan_dir = if backwards { reverse(base_dir) } else { base_dir };
        let given = match cursor {
            Some(Cursor::After(v) | Cursor::Before(v)) => Some(v.clone()),
            None => None,
        };
        if let Some(values) = &given {
            let sorted = usize::from(self.sort.is_some());
            let want = self.select.key.len() + sorted;
            if values.len() != want {
                return Err(DbError::Invalid(format!(
                    "the cursor holds {} value(s); a page of `{}` sorted this way needs {want}",
                    values.len(),
                    self.t.name
                )));
            }
            if values[sorted..].contains(&Value::Null) {
                return Err(DbError::Invalid("a cursor's key cannot be NULL".into()));
            }
            let condition = self.keyset_condition(values, scan_dir);
            self.conditions.push(condition);
        }
        let table = self.flavor.table(self.t);
        let mut order: Vec<String> = Vec::new();
        if let Some(s) = &self.sort {
            order.push(
                self.flavor
                    .order(&format!("{table}.{}", s.expr), scan_dir, !s.column.not_null),
            );
        }
        order.extend(
            self.select
                .key
                .iter()
                .map(|k| self.flavor.order(&format!("{table}.{}", k.expr), scan_dir, false)),
        );
        let query = Query {
            sql: format!(
                "SELECT {} FROM {}{} ORDER BY {} LIMIT {}",
                self.select.list(),
                self.flavor.table(self.t),
                where_sql(&self.conditions),
                order.join(", "),
                self.limit + 1
            ),
            params: std::mem::take(&mut self.binds.params),
        };
        let mut rows = run(&self.select, &query)?;
        let more = rows.len() > self.limit;
        rows.truncate(self.limit);
        if backwards {
            rows.reverse();
        }
        let first = rows.first().map(|r| self.cursor_of(r));
        let last = rows.last().map(|r| self.cursor_of(r));
        let (next, prev) = if backwards {
            (last.or(given), if more { first } else { None })
        } else {
            (if more { last } else { None }, given.map(|g| first.unwrap_or(g)))
        };
        Ok(Page {
            columns: self.t.columns.iter().map(|c| c.name.clone()).collect(),
            rows,
            next,
            prev,
            paging: "keyset",
        })
    }

    /// A relation without a key (a view) is paged by offset: the cursor is the offset.
    fn offset_page(mut self, cursor: Option<&Cursor>, run: &mut RunQuery<'_>) -> Result<Page, DbError> {
        let offset_of = |v: &[Value]| match v {
            [Value::Integer(i)] if *i >= 0 => Ok(*i as usize),
            _ => Err(DbError::Invalid("the cursor of a view is an offset".into())),
        };
        let start = match cursor {
            None => 0,
            Some(Cursor::After(v)) => offset_of(v)?,
            Some(Cursor::Before(v)) => offset_of(v)?.saturating_sub(self.limit),
        };
        let table = self.flavor.table(self.t);
        let order = self.sort.as_ref().map_or(String::new(), |s| {
            format!(
                " ORDER BY {}",
                self.flavor
                    .order(&format!("{table}.{}", s.expr), s.dir, !s.column.not_null)
            )
        });
        let query = Query {
            sql: format!(
                "SELECT {} FROM {}{}{order} LIMIT {} OFFSET {start}",
                self.select.list(),
                self.flavor.table(self.t),
                where_sql(&self.conditions),
                self.limit + 1
            ),
            params: std::mem::take(&mut self.binds.params),
        };
        let mut rows = run(&self.select, &query)?;
        let more = rows.len() > self.limit;
        rows.truncate(self.limit);
        Ok(Page {
            columns: self.t.columns.iter().map(|c| c.name.clone()).collect(),
            next: more.then(|| vec![Value::Integer((start + self.limit) as i64)]),
            prev: (start > 0).then(|| vec![Value::Integer(start as i64)]),
            rows,
            paging: "offset",
        })
    }
}

fn check_key(select: &Select<'_>, t: &TableInfo, key: &[Value]) -> Result<(), DbError> {
    if select.key.is_empty() || key.len() != select.key.len() {
        return Err(DbError::Invalid(format!(
            "a key of `{}` has {} value(s), not {}",
            t.name,
            select.key.len(),
            key.len()
        )));
    }
    Ok(())
}

/// The row a key or some column values name (the first, for values).
pub fn find_row(f: &dyn Flavor, t: &TableInfo, lookup: &RowLookup) -> Result<Query, DbError> {
    let select = Select::of(f, t);
    let mut binds = Binds::new(f);
    let condition = match lookup {
        RowLookup::Key(values) => {
            check_key(&select, t, values)?;
            binds.key_equals(&select, values)
        }
        RowLookup::Columns(pairs) => {
            if pairs.is_empty() {
                return Err(DbError::Invalid("name the row by its key or by column values".into()));
            }
            let mut conds = Vec::new();
            for (name, v) in pairs {
                let c = column(t, name)?;
                conds.push(format!("{} = {}", ident(&c.name), binds.bind(v.clone(), Some(c))));
            }
            conds.join(" AND ")
        }
    };
    Ok(Query {
        sql: format!("SELECT {} FROM {} WHERE {condition} LIMIT 1", select.list(), f.table(t)),
        params: binds.params,
    })
}

/// Up to `limit + 1` rows of `fk.table` whose foreign key holds `values`, counted.
pub fn count_referencing(
    f: &dyn Flavor,
    t: &TableInfo,
    fk: &ForeignKeyInfo,
    values: &[Value],
    limit: u64,
) -> Result<Query, DbError> {
    if values.len() != fk.columns.len() || values.is_empty() {
        return Err(DbError::Invalid(
            "a foreign key's values do not match its columns".into(),
        ));
    }
    let mut binds = Binds::new(f);
    let mut conds = Vec::new();
    for (name, v) in fk.columns.iter().zip(values) {
        let c = column(t, name)?;
        conds.push(format!("{} = {}", ident(&c.name), binds.bind(v.clone(), Some(c))));
    }
    Ok(Query {
        sql: format!(
            "SELECT count(*) FROM (SELECT 1 FROM {} WHERE {} LIMIT {}) AS referencing",
            f.table(t),
            conds.join(" AND "),
            limit + 1
        ),
        params: binds.params,
    })
}

/// What `count_referencing`'s query counted, said against its bound: `limit + 1` rows found
/// means more than `limit`.
pub fn referencing_count(counted: i64, limit: u64) -> RowCount {
    let n = counted.max(0) as u64;
    if n > limit {
        RowCount::AtLeast(limit)
    } else {
        RowCount::Exact(n)
    }
}

/// Sets one cell of the row `key` names, returning the row as it is now.
pub fn update_cell(f: &dyn Flavor, t: &TableInfo, key: &[Value], name: &str, value: &Value) -> Result<Query, DbError> {
    let select = Select::of(f, t);
    let c = column(t, name)?;
    check_key(&select, t, key)?;
    let mut binds = Binds::new(f);
    let set = binds.bind(value.clone(), Some(c));
    let condition = binds.key_equals(&select, key);
    Ok(Query {
        sql: format!(
            "UPDATE {} SET {} = {set} WHERE {condition} RETURNING {}",
            f.table(t),
            ident(&c.name),
            select.list()
        ),
        params: binds.params,
    })
}

/// Inserts a row with the given columns (the others take their defaults), returning it.
pub fn insert_row(f: &dyn Flavor, t: &TableInfo, values: &[(String, Value)]) -> Result<Query, DbError> {
    let select = Select::of(f, t);
    let mut binds = Binds::new(f);
    let mut names: Vec<String> = Vec::new();
    let mut marks = Vec::new();
    for (name, v) in values {
        let c = column(t, name)?;
        let quoted = ident(&c.name);
        if names.contains(&quoted) {
            return Err(DbError::Invalid(format!("column `{name}` given twice")));
        }
        names.push(quoted);
        marks.push(binds.bind(v.clone(), Some(c)));
    }
    let sql = if names.is_empty() {
        format!("INSERT INTO {} DEFAULT VALUES RETURNING {}", f.table(t), select.list())
    } else {
        format!(
            "INSERT INTO {} ({}) VALUES ({}) RETURNING {}",
            f.table(t),
            names.join(", "),
            marks.join(", "),
            select.list()
        )
    };
    Ok(Query {
        sql,
        params: binds.params,
    })
}

/// One DELETE per key, all of them checked before any runs.
pub fn delete_rows(f: &dyn Flavor, t: &TableInfo, keys: &[Vec<Value>]) -> Result<Vec<Query>, DbError> {
    let select = Select::of(f, t);
    keys.iter()
        .map(|k| {
            check_key(&select, t, k)?;
            let mut binds = Binds::new(f);
            let condition = binds.key_equals(&select, k);
            Ok(Query {
                sql: format!("DELETE FROM {} WHERE {condition}", f.table(t)),
                params: binds.params,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_a_filter_are_literal() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn first_keyword_skips_comments() {
        assert_eq!(first_keyword("  -- hi\n /* x */ begin immediate"), "BEGIN");
        assert_eq!(first_keyword("select 1"), "SELECT");
    }

    #[test]
    fn identifiers_are_quoted_with_quotes_doubled() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
    }
}
