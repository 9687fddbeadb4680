//! PostgreSQL's DDL, in drizzle-kit 0.31's layout (`tests/fixtures/drizzle-compat-pg/FORMAT.md`):
//! type names, the normalized table, `CREATE TABLE`, foreign keys added after every table,
//! indexes, identity columns.

use std::collections::HashMap;

use crate::model::{
    Column, Deferrable, EnumType, ForeignKey, IdentityOptions, Index, IndexTarget, IntKind, LogicalType, Schema, Table,
    Unique, UniqueKind,
};

/// `"name"`, with any `"` doubled. (drizzle-kit does not double it, so a `"` in a name breaks
/// its SQL; ours stays valid.)
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A comma-separated list of quoted names.
pub fn ident_list(names: &[String], sep: &str) -> String {
    names.iter().map(|n| ident(n)).collect::<Vec<_>>().join(sep)
}

/// `"name"`, or `"schema"."name"` in a schema other than `public`.
pub fn qualified(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) => format!("{}.{}", ident(s), ident(name)),
        None => ident(name),
    }
}

/// What rendering one table needs to know of the others: each table's schema and key, by name.
#[derive(Debug, Default, Clone)]
pub struct Names {
    schemas: HashMap<String, Option<String>>,
    keys: HashMap<String, Vec<String>>,
}

impl Names {
    /// The tables' names; a later table of the same name wins (pass the old schema, then the new).
    pub fn of<'a>(tables: impl IntoIterator<Item = &'a Table>) -> Names {
        let mut n = Names::default();
        for t in tables {
            n.schemas.insert(t.name.clone(), t.options.postgres.schema.clone());
            n.keys
                .insert(t.name.clone(), t.key_columns().into_iter().map(String::from).collect());
        }
        n
    }

    /// A table's schema (`None`: public).
    pub fn schema(&self, table: &str) -> Option<&str> {
        self.schemas.get(table).and_then(|s| s.as_deref())
    }

    /// A table's name as SQL writes it: quoted, qualified outside `public`.
    pub fn q(&self, table: &str) -> String {
        qualified(self.schema(table), table)
    }

    /// A table's key columns, for `REFERENCES parent` that leaves them implied.
    pub fn key(&self, table: &str) -> Vec<String> {
        self.keys.get(table).cloned().unwrap_or_default()
    }
}

/// The PostgreSQL type name of a logical type (SPEC's table; drizzle-orm's spellings).
pub fn type_name(ty: &LogicalType) -> String {
    match ty {
        LogicalType::Int(k) => match k {
            IntKind::I8 | IntKind::I16 | IntKind::U8 => "smallint",
            IntKind::I32 | IntKind::U16 => "integer",
            IntKind::I64 | IntKind::Isize | IntKind::U32 | IntKind::U64 | IntKind::Usize => "bigint",
        }
        .into(),
        LogicalType::Bool => "boolean".into(),
        LogicalType::F32 => "real".into(),
        LogicalType::F64 => "double precision".into(),
        LogicalType::String => "text".into(),
        LogicalType::Bytes => "bytea".into(),
        LogicalType::Json => "jsonb".into(),
        // Native types on PostgreSQL (text ISO-8601 and blobs are SQLite's forms).
        LogicalType::Date => "date".into(),
        LogicalType::DateTime => "timestamp".into(),
        LogicalType::Timestamp | LogicalType::Epoch { zoned: true, .. } => "timestamp with time zone".into(),
        // An epoch is SQLite's storage; PostgreSQL keeps its own timestamp.
        LogicalType::Epoch { zoned: false, .. } => "timestamp".into(),
        LogicalType::Uuid => "uuid".into(),
        // The type's own name; its schema is the snapshot's `typeSchema`.
        LogicalType::Enum(e) => e.name.clone(),
        LogicalType::EnumArray(e) => format!("{}[]", e.name),
        LogicalType::Sql(s) => canonical_type(s),
    }
}

/// An enum type's name in `CREATE TYPE` / `ALTER TYPE` / `DROP TYPE`: always with its schema,
/// as drizzle-kit writes it (`"public"."post_status"`).
pub fn enum_q(e: &EnumType) -> String {
    format!("{}.{}", ident(e.schema.as_deref().unwrap_or("public")), ident(&e.name))
}

/// `CREATE TYPE .. AS ENUM(..)`.
pub fn create_enum(e: &EnumType) -> String {
    let values: Vec<String> = e.values.iter().map(|v| schema_model::sql::string_literal(v)).collect();
    format!("CREATE TYPE {} AS ENUM({});", enum_q(e), values.join(", "))
}

/// One spelling per type, so that a type written by hand (`int4`, `timestamptz`,
/// `character varying(20)`) and the same type read back from the server compare equal. The
/// spelling is drizzle-orm's (`varchar(255)`, `numeric(10, 2)`, `timestamp with time zone`),
/// which is what its snapshots hold.
pub fn canonical_type(ty: &str) -> String {
    let t = ty.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    // An array suffix is kept outside.
    let (base, dims) = match t.find('[') {
        Some(i) => (t[..i].trim_end().to_string(), t[i..].replace(' ', "")),
        None => (t.clone(), String::new()),
    };
    // `name(args) rest`: the arguments may sit inside the name (`timestamp(3) with time zone`).
    let (name, args) = match (base.find('('), base.find(')')) {
        (Some(i), Some(j)) if i < j => {
            let args: Vec<String> = base[i + 1..j].split(',').map(|a| a.trim().to_string()).collect();
            let name = format!("{} {}", base[..i].trim_end(), base[j + 1..].trim_start());
            (name.trim().to_string(), Some(args))
        }
        _ => (base.clone(), None),
    };
    // `timestamp(3) with time zone`: the precision sits inside the name.
    let alias = match name.as_str() {
        "int" | "int4" | "integer" => "integer",
        "int2" | "smallint" => "smallint",
        "int8" | "bigint" => "bigint",
        "bool" | "boolean" => "boolean",
        "float4" | "real" => "real",
        "float8" | "double precision" => "double precision",
        "character varying" | "varchar" => "varchar",
        "character" | "char" | "bpchar" => "char",
        "decimal" | "numeric" => "numeric",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "timestamp without time zone" | "timestamp" => "timestamp",
        "timetz" | "time with time zone" => "time with time zone",
        "time without time zone" | "time" => "time",
        "serial4" | "serial" => "serial",
        "serial8" | "bigserial" => "bigserial",
        "serial2" | "smallserial" => "smallserial",
        _ => "",
    };
    if alias.is_empty() {
        return ty.trim().to_string();
    }
    let args = args.map_or(String::new(), |a| format!("({})", a.join(", ")));
    let written = match alias.split_once(' ') {
        // `timestamp(3) with time zone`
        Some((head, tail)) if head == "timestamp" || head == "time" => format!("{head}{args} {tail}"),
        _ => format!("{alias}{args}"),
    };
    format!("{written}{dims}")
}

/// The integer range of a type, for identity sequences: `(min, max)` as drizzle-kit writes them.
pub fn int_range(ty: &str) -> (&'static str, &'static str) {
    match ty {
        "smallint" => ("1", "32767"),
        "integer" => ("1", "2147483647"),
        _ => ("1", "9223372036854775807"),
    }
}

/// An identity column's sequence options, each filled in: what the user said in
/// `identity(..)`, drizzle-kit's defaults for the rest (the sequence `<table>_<column>_seq`,
/// INCREMENT BY 1, MINVALUE 1, MAXVALUE the type's largest, START WITH the MINVALUE, CACHE 1).
pub fn identity_options(table: &str, c: &Column) -> IdentityOptions {
    let ty = match &c.ty {
        LogicalType::Sql(t) => t.as_str(),
        _ => "bigint",
    };
    let (min, max) = int_range(ty);
    let given = c.identity.as_deref().cloned().unwrap_or_default();
    let min_value = given.min_value.or(min.parse().ok());
    IdentityOptions {
        name: Some(given.name.unwrap_or_else(|| identity_sequence(table, &c.name))),
        increment: Some(given.increment.unwrap_or(1)),
        min_value,
        max_value: given.max_value.or(max.parse().ok()),
        start_with: given.start_with.or(min_value),
        cache: Some(given.cache.unwrap_or(1)),
        cycle: given.cycle,
    }
}

/// A standalone sequence with every option filled in, as PostgreSQL (and drizzle-kit's
/// snapshot) has them: INCREMENT BY 1; ascending, MINVALUE 1 and MAXVALUE bigint's largest;
/// descending, MINVALUE bigint's smallest and MAXVALUE -1; START WITH the MINVALUE ascending,
/// the MAXVALUE descending; CACHE 1.
pub fn sequence_options(s: &crate::model::Sequence) -> crate::model::Sequence {
    let increment = s.increment.unwrap_or(1);
    let min_value = s.min_value.unwrap_or(if increment > 0 { 1 } else { i64::MIN });
    let max_value = s.max_value.unwrap_or(if increment > 0 { i64::MAX } else { -1 });
    crate::model::Sequence {
        name: s.name.clone(),
        schema: s.schema.clone().filter(|n| n != "public"),
        increment: Some(increment),
        min_value: Some(min_value),
        max_value: Some(max_value),
        start_with: Some(
            s.start_with
                .unwrap_or(if increment > 0 { min_value } else { max_value }),
        ),
        cache: Some(s.cache.unwrap_or(1)),
        cycle: s.cycle,
    }
}

/// `"schema"."name"` of a sequence, `"public"` spelled out as drizzle-kit does.
pub fn sequence_q(s: &crate::model::Sequence) -> String {
    format!("{}.{}", ident(s.schema.as_deref().unwrap_or("public")), ident(&s.name))
}

/// `CREATE SEQUENCE`, every option said, as drizzle-kit writes it.
pub fn create_sequence(s: &crate::model::Sequence) -> String {
    let s = sequence_options(s);
    format!(
        "CREATE SEQUENCE {} {};",
        sequence_q(&s),
        SequenceOptions::of_sequence(&s).text()
    )
}

/// `ALTER SEQUENCE` for the options that changed, `None` when none did.
pub fn alter_sequence(from: &crate::model::Sequence, to: &crate::model::Sequence) -> Option<String> {
    let (a, b) = (sequence_options(from), sequence_options(to));
    let parts = SequenceOptions::of_sequence(&a).changes(&SequenceOptions::of_sequence(&b));
    (!parts.is_empty()).then(|| format!("ALTER SEQUENCE {} {};", sequence_q(&b), parts.join(" ")))
}

/// The name of a table's identity sequence, as drizzle-kit derives it.
pub fn identity_sequence(table: &str, column: &str) -> String {
    format!("{table}_{column}_seq")
}

/// Whether a column is an identity (`autoincrement` on an integer).
pub fn is_identity(c: &Column) -> bool {
    c.autoincrement && matches!(&c.ty, LogicalType::Sql(t) if matches!(t.as_str(), "smallint" | "integer" | "bigint"))
}

/// The table as PostgreSQL keeps it: types in their canonical spelling, every unique a
/// constraint (column ones first, as drizzle-kit orders them), every check named, key and
/// identity columns NOT NULL. Snapshots, SQL and the diff all work on this form.
pub fn normalize_table(table: &Table) -> Table {
    let mut t = table.clone();
    let mut uniques = Vec::new();
    let composite_key: Vec<String> = t.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default();
    for c in &mut t.columns {
        // An enum column keeps its type whole: the diff knows the type by it.
        if c.ty.enum_type().is_none() {
            c.ty = LogicalType::Sql(type_name(&c.ty));
        }
        if c.unique {
            let cols = vec![c.name.clone()];
            uniques.push(Unique {
                name: crate::model::names::unique(&table.name, &cols),
                columns: cols,
                kind: UniqueKind::Index,
                nulls_not_distinct: false,
            });
            c.unique = false;
        }
        if c.primary_key || composite_key.contains(&c.name) || is_identity(c) {
            c.not_null = true;
        }
        // PostgreSQL has no collations by these names and no virtual generated columns.
        if let Some(g) = &mut c.generated {
            g.stored = true;
        }
        if matches!(c.ty, LogicalType::Sql(ref s) if s.ends_with("serial")) {
            c.not_null = true;
        }
        c.identity = is_identity(c).then(|| Box::new(identity_options(&table.name, c)));
    }
    for mut u in t.uniques.drain(..) {
        u.kind = UniqueKind::Index;
        uniques.push(u);
    }
    t.uniques = uniques;
    for ch in &mut t.checks {
        ch.named = true;
    }
    t
}

/// The options every sequence has, an identity's or a standalone one: the numbers in the
/// order PostgreSQL (and drizzle-kit) write them, under their keywords, and CYCLE.
struct SequenceOptions([(&'static str, Option<i64>); 5], bool);

impl SequenceOptions {
    fn of(
        increment: Option<i64>,
        min: Option<i64>,
        max: Option<i64>,
        start: Option<i64>,
        cache: Option<i64>,
        cycle: bool,
    ) -> Self {
        SequenceOptions(
            [
                ("INCREMENT BY", increment),
                ("MINVALUE", min),
                ("MAXVALUE", max),
                ("START WITH", start),
                ("CACHE", cache),
            ],
            cycle,
        )
    }

    fn of_identity(o: &IdentityOptions) -> Self {
        Self::of(o.increment, o.min_value, o.max_value, o.start_with, o.cache, o.cycle)
    }

    fn of_sequence(s: &crate::model::Sequence) -> Self {
        Self::of(s.increment, s.min_value, s.max_value, s.start_with, s.cache, s.cycle)
    }

    /// `INCREMENT BY 1 MINVALUE 1 .. CACHE 1[ CYCLE]`.
    fn text(&self) -> String {
        let mut out: Vec<String> = self
            .0
            .iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
            .collect();
        if self.1 {
            out.push("CYCLE".into());
        }
        out.join(" ")
    }

    /// The options `to` says differently, as they are written after `SET` (an identity) or
    /// alone (`ALTER SEQUENCE`). `START WITH` is for a restart, which this never does: the
    /// sequence goes on from where it is.
    fn changes(&self, to: &SequenceOptions) -> Vec<String> {
        let mut out: Vec<String> = self
            .0
            .iter()
            .zip(&to.0)
            .filter(|(a, b)| a.1 != b.1)
            .filter_map(|(_, (k, v))| v.map(|v| format!("{k} {v}")))
            .collect();
        if self.1 != to.1 {
            out.push(if to.1 { "CYCLE" } else { "NO CYCLE" }.to_string());
        }
        out
    }
}

/// `GENERATED BY DEFAULT AS IDENTITY (sequence name ".." ..)`, as drizzle-kit writes it.
pub fn identity_clause(names: &Names, table: &str, c: &Column) -> String {
    let o = identity_options(table, c);
    format!(
        "GENERATED BY DEFAULT AS IDENTITY (sequence name {} {})",
        qualified(names.schema(table), o.name.as_deref().unwrap_or_default()),
        SequenceOptions::of_identity(&o).text()
    )
}

/// `SET INCREMENT BY .. SET MINVALUE ..`: an identity's options changed in place (its ids go
/// on from where they are).
pub fn identity_changes(from: &IdentityOptions, to: &IdentityOptions) -> Vec<String> {
    SequenceOptions::of_identity(from)
        .changes(&SequenceOptions::of_identity(to))
        .into_iter()
        .map(|c| format!("SET {c}"))
        .collect()
}

/// The type as written in SQL: drizzle-kit quotes every type it does not know by name
/// (`"bytea"`, `"tsvector"`), the array suffix outside.
pub fn sql_type(ty: &LogicalType) -> String {
    match ty {
        LogicalType::Enum(e) => return qualified(e.schema.as_deref(), &e.name),
        LogicalType::EnumArray(e) => return format!("{}[]", qualified(e.schema.as_deref(), &e.name)),
        _ => {}
    }
    let t = type_name(ty);
    const KNOWN: [&str; 27] = [
        "uuid",
        "smallint",
        "integer",
        "bigint",
        "boolean",
        "text",
        "varchar",
        "serial",
        "bigserial",
        "decimal",
        "numeric",
        "real",
        "json",
        "jsonb",
        "time",
        "timestamp",
        "date",
        "interval",
        "double precision",
        "char",
        "vector",
        "geometry",
        "halfvec",
        "sparsevec",
        "bit",
        "character",
        "smallserial",
    ];
    let lower = t.to_ascii_lowercase();
    if KNOWN.iter().any(|k| lower.starts_with(k)) || !is_plain_name(&t) {
        return t;
    }
    match t.find('[') {
        Some(i) => format!("{}{}", ident(&t[..i]), &t[i..]),
        None => ident(&t),
    }
}

/// A bare type name (`tsvector`, `inet`): one that may be quoted as an identifier.
fn is_plain_name(t: &str) -> bool {
    let base = t.split('[').next().unwrap_or(t);
    !base.is_empty() && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// One column's definition, as `CREATE TABLE` and `ADD COLUMN` write it. `in_create`: drizzle-kit
/// leaves ` NOT NULL` out of an identity column in `CREATE TABLE` only.
pub fn column_def(names: &Names, table: &str, c: &Column, in_create: bool) -> String {
    let mut line = format!("{} {}", ident(&c.name), sql_type(&c.ty));
    if c.primary_key {
        line.push_str(" PRIMARY KEY");
    }
    if let Some(d) = &c.default {
        line.push_str(" DEFAULT ");
        line.push_str(&d.to_sql());
    }
    if let Some(g) = &c.generated {
        line.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", g.expr));
    }
    let identity = is_identity(c);
    if c.not_null && !(identity && in_create) {
        line.push_str(" NOT NULL");
    }
    if identity {
        line.push(' ');
        line.push_str(&identity_clause(names, table, c));
    }
    line
}

/// `CONSTRAINT "u" UNIQUE("a","b")`.
pub fn unique_constraint(u: &Unique) -> String {
    let nulls = if u.nulls_not_distinct {
        " NULLS NOT DISTINCT"
    } else {
        ""
    };
    format!(
        "CONSTRAINT {} UNIQUE{nulls}({})",
        ident(&u.name),
        ident_list(&u.columns, ",")
    )
}

/// `CREATE TABLE`, with its composite key, uniques and checks; foreign keys and indexes are
/// separate statements.
pub fn create_table(names: &Names, table: &Table) -> String {
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("\t{}", column_def(names, &table.name, c, true)))
        .collect();
    if let Some(pk) = &table.primary_key {
        lines.push(format!(
            "\tCONSTRAINT {} PRIMARY KEY({})",
            ident(&pk.name),
            ident_list(&pk.columns, ",")
        ));
    }
    for u in &table.uniques {
        lines.push(format!("\t{}", unique_constraint(u)));
    }
    for ch in &table.checks {
        lines.push(format!("\tCONSTRAINT {} CHECK ({})", ident(&ch.name), ch.expr));
    }
    format!(
        "CREATE TABLE {} (\n{}\n);\n",
        qualified(table.options.postgres.schema.as_deref(), &table.name),
        lines.join(",\n")
    )
}

/// `ALTER TABLE .. ADD CONSTRAINT .. FOREIGN KEY`, as drizzle-kit writes it: the parent always
/// qualified (`"public"."users"`).
pub fn add_foreign_key(names: &Names, table: &str, fk: &ForeignKey) -> String {
    let ref_columns = if fk.ref_columns.is_empty() {
        names.key(&fk.ref_table)
    } else {
        fk.ref_columns.clone()
    };
    let mut sql = format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}.{}({}) ON DELETE {} ON UPDATE {}",
        names.q(table),
        ident(&fk.name),
        ident_list(&fk.columns, ","),
        ident(names.schema(&fk.ref_table).unwrap_or("public")),
        ident(&fk.ref_table),
        ident_list(&ref_columns, ","),
        fk.on_delete,
        fk.on_update
    );
    if fk.deferrable != Deferrable::No {
        sql.push(' ');
        sql.push_str(fk.deferrable.sql());
    }
    sql.push(';');
    sql
}

/// `CREATE [UNIQUE] INDEX "n" ON "t" USING btree (..)`, as drizzle-kit writes it.
pub fn create_index(names: &Names, table: &str, index: &Index) -> String {
    let unique = if index.unique { "UNIQUE " } else { "" };
    // Each key with its operator class, then its order as drizzle-kit writes it: `DESC` when
    // descending, `NULLS ..` unless ascending with nulls last (drizzle-kit's `.desc()` is
    // `DESC NULLS LAST`, not PostgreSQL's default for DESC).
    let key = |i: usize, key: String| {
        let o = index.options.column(i);
        let mut k = key;
        if let Some(class) = &o.opclass {
            k.push(' ');
            k.push_str(class);
        }
        if o.desc {
            k.push_str(" DESC");
        }
        if o.desc || o.nulls_first {
            k.push_str(if o.nulls_first { " NULLS FIRST" } else { " NULLS LAST" });
        }
        k
    };
    let target = match &index.target {
        IndexTarget::Columns(cols) => cols
            .iter()
            .enumerate()
            .map(|(i, c)| key(i, ident(c)))
            .collect::<Vec<_>>()
            .join(","),
        IndexTarget::Expr(e) => key(0, e.clone()),
    };
    let concurrently = if index.options.concurrently {
        "CONCURRENTLY "
    } else {
        ""
    };
    let method = index.options.method.as_deref().unwrap_or("btree");
    let mut sql = format!(
        "CREATE {unique}INDEX {concurrently}{} ON {} USING {method} ({target})",
        ident(&index.name),
        names.q(table)
    );
    if !index.options.with.is_empty() {
        let params: Vec<String> = index.options.with.iter().map(|(k, v)| format!("{k}={v}")).collect();
        sql.push_str(&format!(" WITH ({})", params.join(",")));
    }
    if let Some(w) = &index.where_clause {
        sql.push_str(&format!(" WHERE {w}"));
    }
    sql.push(';');
    sql
}

/// `DROP INDEX`, in its table's schema.
pub fn drop_index(names: &Names, table: &str, index: &str) -> String {
    format!("DROP INDEX {};", qualified(names.schema(table), index))
}

/// `CREATE SCHEMA` for a namespace the schema uses (kept if it is there already).
pub fn create_namespace(schema: &str) -> String {
    format!("CREATE SCHEMA IF NOT EXISTS {};\n", ident(schema))
}

/// The namespaces other than `public` that the schema's tables and enum types live in, sorted.
pub fn namespaces(schema: &Schema) -> Vec<String> {
    let mut out: Vec<String> = schema
        .tables
        .iter()
        .filter_map(|t| t.options.postgres.schema.clone())
        .chain(schema.enum_types().into_iter().filter_map(|e| e.schema.clone()))
        .chain(schema.sequences.iter().filter_map(|s| s.schema.clone()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The statements that create a whole (normalized) schema, in drizzle-kit's order: the
/// namespaces, the enum types, every `CREATE TABLE` (by key), then every foreign key, then
/// every index.
pub fn create_schema(schema: &Schema) -> Vec<String> {
    let tables = &schema.tables;
    let mut sorted: Vec<&Table> = tables.iter().collect();
    sorted.sort_by_key(|t| table_key(t));
    let names = Names::of(tables);
    let mut out: Vec<String> = namespaces(schema).iter().map(|s| create_namespace(s)).collect();
    out.extend(schema.enum_types().into_iter().map(create_enum));
    let mut sequences: Vec<&crate::model::Sequence> = schema.sequences.iter().collect();
    sequences.sort_by_key(|s| s.key());
    out.extend(sequences.into_iter().map(create_sequence));
    out.extend(sorted.iter().map(|t| create_table(&names, t)));
    for t in &sorted {
        out.extend(t.foreign_keys.iter().map(|fk| add_foreign_key(&names, &t.name, fk)));
    }
    for t in &sorted {
        out.extend(t.indexes.iter().map(|i| create_index(&names, &t.name, i)));
    }
    out
}

/// A table's key in a snapshot's `tables`, and the order drizzle-kit writes them in:
/// `"<schema or public>.<name>"`.
pub fn table_key(t: &Table) -> String {
    format!(
        "{}.{}",
        t.options.postgres.schema.as_deref().unwrap_or("public"),
        t.name
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_have_one_spelling() {
        for (given, canonical) in [
            ("int4", "integer"),
            ("INT", "integer"),
            ("character varying(255)", "varchar(255)"),
            ("numeric(10,2)", "numeric(10, 2)"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamp(3) without time zone", "timestamp(3)"),
            ("timestamp(3) with time zone", "timestamp(3) with time zone"),
            ("text[]", "text[]"),
            ("integer []", "integer[]"),
            ("uuid", "uuid"),
            ("tsvector", "tsvector"),
            ("bpchar(2)", "char(2)"),
        ] {
            assert_eq!(canonical_type(given), canonical, "{given}");
        }
    }

    #[test]
    fn unknown_types_are_quoted_as_drizzle_kit_does() {
        assert_eq!(sql_type(&LogicalType::Bytes), "\"bytea\"");
        assert_eq!(sql_type(&LogicalType::Sql("tsvector".into())), "\"tsvector\"");
        assert_eq!(sql_type(&LogicalType::Sql("text[]".into())), "text[]");
        assert_eq!(sql_type(&LogicalType::Sql("inet[]".into())), "\"inet\"[]");
        assert_eq!(sql_type(&LogicalType::Sql("numeric(10, 2)".into())), "numeric(10, 2)");
    }
}
