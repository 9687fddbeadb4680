//! The schema model: tables, columns, keys and indexes as plain, dialect-free data.
//!
//! Every front end produces this model (the derive, the CLI's parser, a snapshot, a live
//! database) and every back end consumes it (the diff, a dialect's SQL, the snapshot writer).
//! Names of constraints are always filled in: defaults are computed when the model is built,
//! so two models are equal exactly when they describe the same schema.

use std::collections::HashMap;
use std::fmt;

/// A whole schema: every table, in the order the schema files declare them.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq, Default)]
pub struct Schema {
    pub tables: Vec<Table>,
    /// The enum types (`#[derive(SqlEnum)]`) the schema declares, whether or not a column uses
    /// them yet. A column of an enum carries its type whole ([`LogicalType::Enum`]), so a table
    /// alone can be rendered; [`Schema::enum_types`] joins both.
    pub enums: Vec<EnumType>,
    /// Standalone sequences (`#[derive(SqlSequence)]`, PostgreSQL's `CREATE SEQUENCE`), in
    /// the order the schema files declare them. An identity column's sequence is not here: it
    /// belongs to its column ([`IdentityOptions`]).
    #[serde(default)]
    pub sequences: Vec<Sequence>,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The tables by name (the first of a name, as [`Schema::table`] finds it): for lookups
    /// inside a loop over tables, where `table`'s scan would make the loop quadratic.
    pub fn by_name(&self) -> HashMap<&str, &Table> {
        let mut out = HashMap::with_capacity(self.tables.len());
        for t in &self.tables {
            out.entry(t.name.as_str()).or_insert(t);
        }
        out
    }

    /// Every enum type of the schema, declared or used by a column, each once (the declared
    /// one first), in the order they appear.
    pub fn enum_types(&self) -> Vec<&EnumType> {
        let mut out: Vec<&EnumType> = Vec::with_capacity(self.enums.len());
        let used = self
            .tables
            .iter()
            .flat_map(|t| t.columns.iter())
            .filter_map(|c| c.ty.enum_type());
        for e in self.enums.iter().chain(used) {
            if !out.iter().any(|o| o.same_type(e)) {
                out.push(e);
            }
        }
        out
    }
}

/// An enum type: `#[derive(SqlEnum)]`, `CREATE TYPE .. AS ENUM (..)` on PostgreSQL, `text`
/// with a CHECK listing the values on SQLite.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq, Eq, Hash)]
pub struct EnumType {
    pub name: String,
    /// The PostgreSQL namespace, when it is not `public`.
    pub schema: Option<String>,
    /// The values, in the order the type sorts them.
    pub values: Vec<String>,
}

impl EnumType {
    /// The same type (by its qualified name), whatever its values.
    pub fn same_type(&self, other: &EnumType) -> bool {
        self.name == other.name && self.schema == other.schema
    }

    /// `schema.name`, `public` for a type without a schema: how drizzle-kit's snapshot keys it.
    pub fn key(&self) -> String {
        format!("{}.{}", self.schema.as_deref().unwrap_or("public"), self.name)
    }
}

/// A standalone sequence: `#[derive(SqlSequence)]`, `CREATE SEQUENCE` on PostgreSQL. Each
/// option is `None` where PostgreSQL's default applies (the dialect fills them in, as
/// drizzle-kit's snapshot writes them).
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq, Eq, Hash, Default)]
pub struct Sequence {
    pub name: String,
    /// The PostgreSQL namespace, when it is not `public`.
    pub schema: Option<String>,
    pub increment: Option<i64>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub start_with: Option<i64>,
    pub cache: Option<i64>,
    pub cycle: bool,
}

impl Sequence {
    /// `schema.name`, `public` for a sequence without a schema: how drizzle-kit's snapshot
    /// keys it.
    pub fn key(&self) -> String {
        format!("{}.{}", self.schema.as_deref().unwrap_or("public"), self.name)
    }

    /// The same sequence (by its qualified name), whatever its options.
    pub fn same_sequence(&self, other: &Sequence) -> bool {
        self.name == other.name && self.schema == other.schema
    }
}

/// One table.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// A primary key over several columns (`#[table(primary_key(a, b))]`). A single-column key
    /// is `Column::primary_key` instead, as SQL and drizzle-kit write it.
    pub primary_key: Option<PrimaryKey>,
    pub indexes: Vec<Index>,
    pub uniques: Vec<Unique>,
    pub foreign_keys: Vec<ForeignKey>,
    pub checks: Vec<Check>,
    /// What only some dialects can say about a table. The diff compares these as a whole,
    /// without knowing what they mean; the dialect that owns a field renders it.
    pub options: TableOptions,
    /// `#[table(renamed_from = "..")]`: a hint for the diff, not part of the table's shape.
    pub renamed_from: Option<String>,
}

/// Table options that belong to one dialect each: a field is read only by its dialect, and
/// the others ignore (or refuse) it.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, Default, PartialEq, Eq, Hash)]
pub struct TableOptions {
    /// SQLite's options.
    pub sqlite: SqliteOptions,
    /// PostgreSQL's options.
    pub postgres: PostgresOptions,
}

/// Where a table lives on PostgreSQL.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, Default, PartialEq, Eq, Hash)]
pub struct PostgresOptions {
    /// `#[table(schema = "auth")]`: the namespace, when it is not `public`.
    pub schema: Option<String>,
}

/// `CREATE TABLE .. (..) STRICT, WITHOUT ROWID`.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SqliteOptions {
    /// `#[table(strict)]`: values must match their column's declared type.
    pub strict: bool,
    /// `#[table(without_rowid)]`: the table is stored by its primary key, with no rowid.
    pub without_rowid: bool,
}

impl Table {
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            columns: Vec::new(),
            primary_key: None,
            indexes: Vec::new(),
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            options: TableOptions::default(),
            renamed_from: None,
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The columns of the primary key, in key order: the composite key, or the one column
    /// marked `primary_key`; empty for a table keyed by its rowid alone.
    pub fn key_columns(&self) -> Vec<&str> {
        match &self.primary_key {
            Some(pk) => pk.columns.iter().map(String::as_str).collect(),
            None => self
                .columns
                .iter()
                .filter(|c| c.primary_key)
                .map(|c| c.name.as_str())
                .collect(),
        }
    }
}

/// One column.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: LogicalType,
    pub not_null: bool,
    pub primary_key: bool,
    pub autoincrement: bool,
    pub default: Option<DefaultValue>,
    pub generated: Option<Generated>,
    pub collate: Option<String>,
    /// `#[column(unique)]`: a unique constraint on this column alone.
    pub unique: bool,
    /// `#[column(renamed_from = "..")]`: a hint for the diff, not part of the column's shape.
    pub renamed_from: Option<String>,
    /// The sequence behind an identity column (PostgreSQL's `autoincrement`): what the user
    /// said in `identity(..)`, then, once normalized, every option with its value.
    #[serde(default)]
    pub identity: Option<Box<IdentityOptions>>,
}

/// `#[column(primary_key, autoincrement, identity(increment = 2, start_with = 10, ..))]`: the
/// options of an identity column's sequence, each `None` where PostgreSQL's default applies.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq, Eq, Hash, Default)]
pub struct IdentityOptions {
    /// The sequence's name (in the table's schema); `<table>_<column>_seq` by default.
    pub name: Option<String>,
    pub increment: Option<i64>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub start_with: Option<i64>,
    pub cache: Option<i64>,
    pub cycle: bool,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: LogicalType) -> Self {
        Column {
            name: name.into(),
            ty,
            not_null: true,
            primary_key: false,
            autoincrement: false,
            default: None,
            generated: None,
            collate: None,
            unique: false,
            renamed_from: None,
            identity: None,
        }
    }
}

/// What a column holds, independent of any dialect: the Rust type it came from, or the SQL
/// type the user wrote. A dialect maps each to its own type name.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq, Eq, Hash)]
pub enum LogicalType {
    Int(IntKind),
    Bool,
    F32,
    F64,
    String,
    Bytes,
    /// `#[column(json)]`: a serde value stored as JSON text (`serde_json::Value` too).
    Json,
    /// A calendar date: `chrono::NaiveDate`, `time::Date`.
    Date,
    /// A date and time of day without a zone: `chrono::NaiveDateTime`, `time::PrimitiveDateTime`.
    DateTime,
    /// An instant, with its offset: `chrono::DateTime<Utc>`, `time::OffsetDateTime`.
    Timestamp,
    /// A UUID: `uuid::Uuid`.
    Uuid,
    /// A date-time stored as a number on SQLite (`#[column(epoch)]`): Unix seconds, or
    /// milliseconds with `epoch = "ms"`. `zoned`: an instant (`DateTime<Utc>`), else a
    /// date-time without a zone. PostgreSQL keeps its native timestamp type.
    Epoch {
        millis: bool,
        zoned: bool,
    },
    /// A column of an enum type, with the type's values (see [`EnumType`]).
    Enum(Box<EnumType>),
    /// A column holding an array of an enum type's values (`Vec<MyEnum>`, PostgreSQL's
    /// `"public"."post_status"[]`). SQLite has no arrays.
    EnumArray(Box<EnumType>),
    /// `#[column(sql_type = "..")]`, or a type read back from a snapshot or a database.
    Sql(String),
}

impl LogicalType {
    /// Equal, SQL type names compared without case (`INTEGER` is `integer`), and enum types by
    /// name: a column keeps its type when the type gains or loses a value (the type changes,
    /// not the column).
    pub fn eq_ignore_case(&self, other: &LogicalType) -> bool {
        match (self, other) {
            (LogicalType::Sql(a), LogicalType::Sql(b)) => a.eq_ignore_ascii_case(b),
            (LogicalType::Enum(a), LogicalType::Enum(b)) | (LogicalType::EnumArray(a), LogicalType::EnumArray(b)) => {
                a.same_type(b)
            }
            _ => self == other,
        }
    }

    /// The enum type of a column of an enum or of an array of one.
    pub fn enum_type(&self) -> Option<&EnumType> {
        match self {
            LogicalType::Enum(e) | LogicalType::EnumArray(e) => Some(e),
            _ => None,
        }
    }

    /// [`LogicalType::enum_type`], to change.
    pub fn enum_type_mut(&mut self) -> Option<&mut EnumType> {
        match self {
            LogicalType::Enum(e) | LogicalType::EnumArray(e) => Some(e),
            _ => None,
        }
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntKind {
    I8,
    I16,
    I32,
    I64,
    Isize,
    U8,
    U16,
    U32,
    U64,
    Usize,
}

impl IntKind {
    pub const ALL: [(&'static str, IntKind); 10] = [
        ("i8", IntKind::I8),
        ("i16", IntKind::I16),
        ("i32", IntKind::I32),
        ("i64", IntKind::I64),
        ("isize", IntKind::Isize),
        ("u8", IntKind::U8),
        ("u16", IntKind::U16),
        ("u32", IntKind::U32),
        ("u64", IntKind::U64),
        ("usize", IntKind::Usize),
    ];

    pub fn rust_name(self) -> &'static str {
        IntKind::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(n, _)| *n)
            .unwrap_or("i64")
    }

    /// Whether `value` fits this integer type (used to check `default = ..`).
    pub fn fits(self, value: i128) -> bool {
        let (min, max): (i128, i128) = match self {
            IntKind::I8 => (i8::MIN.into(), i8::MAX.into()),
            IntKind::I16 => (i16::MIN.into(), i16::MAX.into()),
            IntKind::I32 => (i32::MIN.into(), i32::MAX.into()),
            IntKind::I64 | IntKind::Isize => (i64::MIN.into(), i64::MAX.into()),
            IntKind::U8 => (0, u8::MAX.into()),
            IntKind::U16 => (0, u16::MAX.into()),
            IntKind::U32 => (0, u32::MAX.into()),
            // SQLite stores 64-bit signed integers: larger unsigned defaults cannot be stored.
            IntKind::U64 | IntKind::Usize => (0, i64::MAX.into()),
        };
        (min..=max).contains(&value)
    }
}

/// A column default, kept as written so the SQL and the snapshot say exactly what the user said.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub enum DefaultValue {
    Int(i64),
    /// A float literal, kept in its written form (`1.50` stays `1.50`).
    Real(String),
    Bool(bool),
    /// A string literal, unquoted.
    Text(String),
    /// `default_sql = ".."`: an SQL expression, verbatim.
    Sql(String),
}

impl DefaultValue {
    /// The same default: a float compared by value (`0.00` is `0.0`, which is how a snapshot's
    /// JSON number gives it back), everything else as written.
    pub fn same_as(&self, other: &DefaultValue) -> bool {
        match (self, other) {
            (DefaultValue::Real(a), DefaultValue::Real(b)) => match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => x == y,
                _ => a == b,
            },
            _ => self == other,
        }
    }

    /// The default as an SQL expression: strings quoted with `'` doubled (and cut where they
    /// hold the statement separator: [`crate::sql::text_literal`]).
    pub fn to_sql(&self) -> String {
        match self {
            DefaultValue::Int(v) => v.to_string(),
            DefaultValue::Real(v) => v.clone(),
            DefaultValue::Bool(v) => v.to_string(),
            DefaultValue::Text(v) => crate::sql::text_literal(v),
            DefaultValue::Sql(v) => v.clone(),
        }
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub struct Generated {
    /// The expression, without the parentheses SQL puts around it.
    pub expr: String,
    pub stored: bool,
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub struct Index {
    pub name: String,
    pub target: IndexTarget,
    pub unique: bool,
    pub where_clause: Option<String>,
    /// What only PostgreSQL says of an index.
    #[serde(default)]
    pub options: IndexOptions,
}

/// `#[index(.., using = "gin", concurrently)]`: PostgreSQL's index method, and whether the
/// index is built without locking writes. SQLite refuses both by name.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq, Eq, Hash, Default)]
pub struct IndexOptions {
    /// The method (`gin`, `brin`, ..); `None` is the default, btree.
    pub method: Option<String>,
    /// Built with `CREATE INDEX CONCURRENTLY`, in a migration of its own. How the index is
    /// built, not what it is: the diff and drift do not compare it.
    pub concurrently: bool,
    /// How each key column is ordered and compared, in the key's order: `columns(a, b(desc,
    /// nulls_last), c(opclass = "text_pattern_ops"))`. Empty when every column is ascending,
    /// nulls last, with its type's default operator class (see [`IndexOptions::trimmed`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<IndexColumn>,
    /// `with(pages_per_range = 32)`: the index's storage parameters, `(name, value)` in the
    /// order written, each value as its SQL text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<(String, String)>,
}

impl IndexOptions {
    /// The same options with `columns` emptied when every column is the default, so that
    /// "said" and "not said" are one index.
    pub fn trimmed(mut self) -> IndexOptions {
        if self.columns.iter().all(IndexColumn::is_default) {
            self.columns.clear();
        }
        self
    }

    /// Key column `i`'s options (the default when none were said).
    pub fn column(&self, i: usize) -> IndexColumn {
        self.columns.get(i).cloned().unwrap_or_default()
    }
}

/// One key column of a PostgreSQL index: drizzle-kit's `.desc()`, `.nullsFirst()`, `.op(..)`.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq, Eq, Hash, Default)]
pub struct IndexColumn {
    /// `DESC`.
    pub desc: bool,
    /// `NULLS FIRST` (else last, drizzle-kit's default in both directions).
    pub nulls_first: bool,
    /// The operator class (`text_pattern_ops`); `None` is the type's default.
    pub opclass: Option<String>,
}

impl IndexColumn {
    /// Ascending, nulls last, the default operator class.
    pub fn is_default(&self) -> bool {
        !self.desc && !self.nulls_first && self.opclass.is_none()
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub enum IndexTarget {
    Columns(Vec<String>),
    /// An index on an expression, verbatim (`lower("email")`).
    Expr(String),
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
    /// How the database keeps it.
    pub kind: UniqueKind,
    /// `UNIQUE NULLS NOT DISTINCT` (PostgreSQL 15): two NULLs are duplicates. SQLite refuses it.
    #[serde(default)]
    pub nulls_not_distinct: bool,
}

/// What a `#[unique]` is in the database.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UniqueKind {
    /// drizzle-kit's: a unique index named `name` on SQLite, a UNIQUE constraint on PostgreSQL.
    #[default]
    Index,
    /// `UNIQUE (a, b)` in the table's definition (`#[unique(.., constraint)]`), as Django and
    /// hand-written schemas have it: SQLite keeps it with an automatic index that has no name
    /// to drop it by. Written `CONSTRAINT "name" UNIQUE (..)` when `named`.
    Constraint {
        /// The definition names it (`CONSTRAINT name`); otherwise `name` is only the model's.
        named: bool,
    },
    /// `UNIQUE` in one column's definition (`"name" varchar(150) NOT NULL UNIQUE`, Django's
    /// way; `#[column(unique(constraint))]`): the same constraint as an unnamed table-level
    /// one, written where the column is.
    Inline,
}

impl Unique {
    /// Whether the table's definition holds it (a constraint), rather than an index beside it.
    pub fn is_constraint(&self) -> bool {
        !matches!(self.kind, UniqueKind::Index)
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    /// The parent's columns; empty for `REFERENCES parent`, which means its primary key.
    pub ref_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    /// `DEFERRABLE INITIALLY ..`: when the constraint is checked.
    pub deferrable: Deferrable,
}

/// When a foreign key is checked.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Deferrable {
    /// At each statement (no DEFERRABLE clause).
    #[default]
    No,
    /// `DEFERRABLE INITIALLY IMMEDIATE`: at each statement, unless a transaction defers it.
    InitiallyImmediate,
    /// `DEFERRABLE INITIALLY DEFERRED`: at COMMIT.
    InitiallyDeferred,
}

impl Deferrable {
    /// The clause, as SQL writes it (empty for `No`).
    pub fn sql(self) -> &'static str {
        match self {
            Deferrable::No => "",
            Deferrable::InitiallyImmediate => "DEFERRABLE INITIALLY IMMEDIATE",
            Deferrable::InitiallyDeferred => "DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

impl ForeignKey {
    /// A foreign key with drizzle-kit's default name.
    pub fn new(
        table: &str,
        columns: Vec<String>,
        ref_table: &str,
        ref_columns: Vec<String>,
        on_delete: FkAction,
        on_update: FkAction,
    ) -> ForeignKey {
        ForeignKey {
            name: names::foreign_key(table, &columns, ref_table, &ref_columns),
            columns,
            ref_table: ref_table.to_string(),
            ref_columns,
            on_delete,
            on_update,
            deferrable: Deferrable::No,
        }
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub const ALL: [FkAction; 5] = [
        FkAction::NoAction,
        FkAction::Restrict,
        FkAction::Cascade,
        FkAction::SetNull,
        FkAction::SetDefault,
    ];

    /// The action as drizzle-kit writes it, lowercase (`set null`).
    pub fn as_str(self) -> &'static str {
        match self {
            FkAction::NoAction => "no action",
            FkAction::Restrict => "restrict",
            FkAction::Cascade => "cascade",
            FkAction::SetNull => "set null",
            FkAction::SetDefault => "set default",
        }
    }

    /// Parses an action in any case and spacing (`SET NULL`, `set null`).
    pub fn parse(s: &str) -> Option<FkAction> {
        let norm = s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        FkAction::ALL.into_iter().find(|a| a.as_str() == norm)
    }
}

impl fmt::Display for FkAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, PartialEq)]
pub struct Check {
    /// Its name: the definition's, or one derived for an unnamed check (`named` false).
    pub name: String,
    pub expr: String,
    /// The definition names it (`CONSTRAINT name CHECK ..`).
    pub named: bool,
}

/// The default names, as drizzle-kit derives them, so that both tools name things alike.
pub mod names {
    pub fn index(table: &str, columns: &[String]) -> String {
        format!("{table}_{}_idx", columns.join("_"))
    }
    pub fn unique(table: &str, columns: &[String]) -> String {
        format!("{table}_{}_unique", columns.join("_"))
    }
    pub fn primary_key(table: &str, columns: &[String]) -> String {
        format!("{table}_{}_pk", columns.join("_"))
    }
    pub fn foreign_key(table: &str, columns: &[String], to: &str, to_columns: &[String]) -> String {
        format!("{table}_{}_{to}_{}_fk", columns.join("_"), to_columns.join("_"))
    }
    pub fn column_check(table: &str, column: &str) -> String {
        format!("{table}_{column}_check")
    }
    /// The model's name for the `n`th unnamed table-level check (1-based): never written to
    /// the database, which knows the check by its expression alone.
    pub fn check(table: &str, n: usize) -> String {
        format!("{table}_check_{n}")
    }
}

/// `UserProfile` → `user_profile`: the default table name of a struct.
pub fn snake_case(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len() + 4);
    let chars: Vec<char> = ident.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_of_struct_names() {
        assert_eq!(snake_case("User"), "user");
        assert_eq!(snake_case("UserProfile"), "user_profile");
        assert_eq!(snake_case("HTTPLog"), "http_log");
        assert_eq!(snake_case("Post2Tag"), "post2_tag");
    }

    #[test]
    fn fk_actions_parse_any_case() {
        assert_eq!(FkAction::parse("SET  NULL"), Some(FkAction::SetNull));
        assert_eq!(FkAction::parse("cascade"), Some(FkAction::Cascade));
        assert_eq!(FkAction::parse("explode"), None);
    }

    #[test]
    fn int_defaults_fit_their_type() {
        assert!(IntKind::U8.fits(255));
        assert!(!IntKind::U8.fits(256));
        assert!(!IntKind::U32.fits(-1));
        assert!(IntKind::I64.fits(i64::MIN.into()));
    }
}
