//! The benchmark schema: N tables of M columns with a realistic mix of keys, indexes,
//! uniques, checks, defaults and nullable columns, written as our Rust schema file and as
//! drizzle-kit's TypeScript twin (the same tables, so both tools write the same migration).
//! Deterministic: the same N, M and seed give the same bytes.

use std::fmt::Write as _;

/// Which version of the schema to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The schema as generated.
    Base,
    /// The same bytes again: what a no-op re-run reads.
    Noop,
    /// One table (the middle one) gains one nullable column: an `ADD COLUMN` in both tools.
    OneColumn,
}

impl Variant {
    pub fn parse(s: &str) -> Option<Variant> {
        match s {
            "base" => Some(Variant::Base),
            "noop" => Some(Variant::Noop),
            "change" | "one-column" => Some(Variant::OneColumn),
            _ => None,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub tables: usize,
    /// Columns per table, the key included (at least 4).
    pub columns: usize,
    pub seed: u64,
    pub variant: Variant,
}

impl Spec {
    pub fn new(tables: usize, columns: usize, seed: u64) -> Spec {
        Spec {
            tables,
            columns: columns.max(4),
            seed,
            variant: Variant::Base,
        }
    }
}

/// splitmix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Int,
    Text,
    Real,
    Bool,
    Blob,
}

#[derive(Debug, Clone)]
enum Default {
    None,
    Int(i64),
    Text(&'static str),
    Real,
    Bool(bool),
    /// `default_sql = "CURRENT_TIMESTAMP"` on a text column.
    Now,
}

#[derive(Debug, Clone)]
struct Col {
    name: String,
    ty: Ty,
    nullable: bool,
    primary_key: bool,
    unique: bool,
    default: Default,
    /// Index of the referenced table (its `id`).
    references: Option<usize>,
}

#[derive(Debug, Clone)]
struct Tab {
    name: String,
    ident: String,
    ts_ident: String,
    cols: Vec<Col>,
    /// `primary_key(id, seq)` instead of a single `id`.
    composite_pk: bool,
    /// Column to index (an index on every other table).
    index: Option<usize>,
    /// Columns of a two-column unique constraint.
    unique_pair: Option<(usize, usize)>,
    /// Column with a `>= 0` check.
    check: Option<usize>,
}

const WORDS: [&str; 9] = [
    "name", "email", "title", "status", "body", "note", "code", "slug", "label",
];
const INT_WORDS: [&str; 6] = ["total", "rank", "count", "quantity", "age", "position"];
const REAL_WORDS: [&str; 4] = ["amount", "price", "score", "weight"];
const BOOL_WORDS: [&str; 4] = ["active", "flag", "archived", "visible"];
const BLOB_WORDS: [&str; 3] = ["data", "avatar", "payload"];

fn tables(spec: &Spec) -> Vec<Tab> {
    let mut rng = Rng(spec.seed);
    let mut out: Vec<Tab> = Vec::with_capacity(spec.tables);
    for i in 0..spec.tables {
        let name = format!("t{i:05}");
        let composite_pk = i % 10 == 9;
        let mut cols = vec![Col {
            name: "id".into(),
            ty: Ty::Int,
            nullable: false,
            primary_key: !composite_pk,
            unique: false,
            default: Default::None,
            references: None,
        }];
        if composite_pk {
            cols.push(Col {
                name: "seq".into(),
                ty: Ty::Int,
                nullable: false,
                primary_key: false,
                unique: false,
                default: Default::None,
                references: None,
            });
        }
        // A foreign key on every third table, to an earlier table with a single key.
        if i % 3 == 2 {
            let mut target = rng.below(i);
            while target % 10 == 9 {
                target -= 1;
            }
            cols.push(Col {
                name: "parent_id".into(),
                ty: Ty::Int,
                nullable: rng.below(2) == 0,
                primary_key: false,
                unique: false,
                default: Default::None,
                references: Some(target),
            });
        }
        cols.push(Col {
            name: "created_at".into(),
            ty: Ty::Text,
            nullable: false,
            primary_key: false,
            unique: false,
            default: Default::Now,
            references: None,
        });
        let mut j = 0;
        while cols.len() < spec.columns {
            let ty = match rng.below(10) {
                0..=3 => Ty::Text,
                4..=6 => Ty::Int,
                7 => Ty::Real,
                8 => Ty::Bool,
                _ => Ty::Blob,
            };
            let words: &[&str] = match ty {
                Ty::Text => &WORDS,
                Ty::Int => &INT_WORDS,
                Ty::Real => &REAL_WORDS,
                Ty::Bool => &BOOL_WORDS,
                Ty::Blob => &BLOB_WORDS,
            };
            let word = words[rng.below(words.len())];
            let nullable = rng.below(3) == 0;
            let default = match (ty, rng.below(4)) {
                (Ty::Int, 0) => Default::Int(rng.below(100) as i64),
                (Ty::Text, 0) => Default::Text(WORDS[rng.below(WORDS.len())]),
                (Ty::Real, 0) => Default::Real,
                (Ty::Bool, 0 | 1) => Default::Bool(rng.below(2) == 0),
                _ => Default::None,
            };
            cols.push(Col {
                name: format!("{word}_{j}"),
                ty,
                nullable,
                primary_key: false,
                unique: false,
                default,
                references: None,
            });
            j += 1;
        }
        // A unique text column on every fourth table.
        if i % 4 == 1
            && let Some(c) = cols
                .iter_mut()
                .find(|c| c.ty == Ty::Text && !c.nullable && c.name != "created_at")
        {
            c.unique = true;
        }
        let first_plain = cols
            .iter()
            .position(|c| c.name.ends_with("_0"))
            .unwrap_or(cols.len() - 1);
        let index = (i % 2 == 0).then_some(first_plain);
        let unique_pair = (i % 8 == 3 && cols.len() > first_plain + 1).then_some((first_plain, first_plain + 1));
        let check = if i % 5 == 4 {
            cols.iter().position(|c| {
                matches!(c.ty, Ty::Int | Ty::Real) && !c.primary_key && c.references.is_none() && c.name != "seq"
            })
        } else {
            None
        };
        out.push(Tab {
            ident: format!("T{i:05}"),
            ts_ident: name.clone(),
            name,
            cols,
            composite_pk,
            index,
            unique_pair,
            check,
        });
    }
    if spec.variant == Variant::OneColumn && !out.is_empty() {
        let mid = out.len() / 2;
        out[mid].cols.push(Col {
            name: "extra".into(),
            ty: Ty::Text,
            nullable: true,
            primary_key: false,
            unique: false,
            default: Default::None,
            references: None,
        });
    }
    out
}

fn rust_type(c: &Col) -> String {
    let base = match c.ty {
        Ty::Int => "i64",
        Ty::Text => "String",
        Ty::Real => "f64",
        Ty::Bool => "bool",
        Ty::Blob => "Vec<u8>",
    };
    if c.nullable {
        format!("Option<{base}>")
    } else {
        base.to_string()
    }
}

/// How much of the schema language the Rust file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RustFlavour {
    /// `#[derive(Table)]` with every attribute: what `schema generate` reads.
    Table,
    /// The same structs with `#[derive(Debug, Clone)]` and no attributes: the compile-time
    /// baseline of the derive.
    Plain,
}

/// Our Rust schema file.
pub fn rust(spec: &Spec, flavour: RustFlavour) -> String {
    let tabs = tables(spec);
    let mut s = String::with_capacity(spec.tables * spec.columns * 60);
    s.push_str("// Generated by schema-bench's generator: a benchmark schema, not a real one.\n");
    if flavour == RustFlavour::Table {
        s.push_str("use schema_core::Table;\n");
    }
    for t in &tabs {
        s.push('\n');
        match flavour {
            RustFlavour::Plain => s.push_str("#[derive(Debug, Clone)]\n"),
            RustFlavour::Table => {
                s.push_str("#[derive(Table)]\n");
                if t.composite_pk {
                    let _ = writeln!(s, "#[table(name = \"{}\", primary_key(id, seq))]", t.name);
                } else {
                    let _ = writeln!(s, "#[table(name = \"{}\")]", t.name);
                }
                if let Some(ix) = t.index {
                    let c = &t.cols[ix].name;
                    let _ = writeln!(s, "#[index(name = \"{}_{c}_idx\", columns({c}))]", t.name);
                }
                if let Some((a, b)) = t.unique_pair {
                    let _ = writeln!(s, "#[unique(columns({}, {}))]", t.cols[a].name, t.cols[b].name);
                }
                if let Some(c) = t.check {
                    let c = &t.cols[c].name;
                    let _ = writeln!(
                        s,
                        "#[check(name = \"{t}_{c}_check\", expr = \"\\\"{t}\\\".\\\"{c}\\\" >= 0\")]",
                        t = t.name
                    );
                }
            }
        }
        let _ = writeln!(s, "pub struct {} {{", t.ident);
        for c in &t.cols {
            if flavour == RustFlavour::Table {
                let mut attrs: Vec<String> = Vec::new();
                if c.primary_key {
                    attrs.push("primary_key".into());
                }
                if c.unique {
                    attrs.push("unique".into());
                }
                match &c.default {
                    Default::None => {}
                    Default::Int(v) => attrs.push(format!("default = {v}")),
                    Default::Text(v) => attrs.push(format!("default = \"{v}\"")),
                    Default::Real => attrs.push("default = 1.5".into()),
                    Default::Bool(v) => attrs.push(format!("default = {v}")),
                    Default::Now => attrs.push("default_sql = \"CURRENT_TIMESTAMP\"".into()),
                }
                if let Some(target) = c.references {
                    attrs.push(format!("references = T{target:05}::id, on_delete = \"cascade\""));
                }
                if !attrs.is_empty() {
                    let _ = writeln!(s, "    #[column({})]", attrs.join(", "));
                }
            }
            let _ = writeln!(s, "    pub {}: {},", c.name, rust_type(c));
        }
        s.push_str("}\n");
    }
    s
}

/// drizzle-kit's TypeScript twin (`sqliteTable`), the same tables.
pub fn typescript(spec: &Spec) -> String {
    let tabs = tables(spec);
    let mut s = String::with_capacity(spec.tables * spec.columns * 70);
    s.push_str("// Generated by schema-bench's generator: a benchmark schema, not a real one.\n");
    s.push_str("import { sql } from 'drizzle-orm';\n");
    s.push_str(
        "import { sqliteTable, text, integer, real, blob, index, unique, primaryKey, check } from 'drizzle-orm/sqlite-core';\n",
    );
    for t in &tabs {
        let _ = writeln!(s, "export const {} = sqliteTable('{}', {{", t.ts_ident, t.name);
        for c in &t.cols {
            let mut e = match c.ty {
                Ty::Int => format!("integer('{}')", c.name),
                Ty::Text => format!("text('{}')", c.name),
                Ty::Real => format!("real('{}')", c.name),
                Ty::Bool => format!("integer('{}', {{ mode: 'boolean' }})", c.name),
                Ty::Blob => format!("blob('{}')", c.name),
            };
            if c.primary_key {
                e.push_str(".primaryKey()");
            } else if !c.nullable {
                e.push_str(".notNull()");
            }
            if c.unique {
                e.push_str(".unique()");
            }
            match &c.default {
                Default::None => {}
                Default::Int(v) => {
                    let _ = write!(e, ".default({v})");
                }
                Default::Text(v) => {
                    let _ = write!(e, ".default('{v}')");
                }
                Default::Real => e.push_str(".default(1.5)"),
                Default::Bool(v) => {
                    let _ = write!(e, ".default({v})");
                }
                Default::Now => e.push_str(".default(sql`CURRENT_TIMESTAMP`)"),
            }
            if let Some(target) = c.references {
                let _ = write!(e, ".references(() => t{target:05}.id, {{ onDelete: 'cascade' }})");
            }
            let _ = writeln!(s, "  {}: {e},", c.name);
        }
        let mut extra: Vec<String> = Vec::new();
        if t.composite_pk {
            extra.push("primaryKey({ columns: [t.id, t.seq] })".into());
        }
        if let Some(ix) = t.index {
            let c = &t.cols[ix].name;
            extra.push(format!("index('{}_{c}_idx').on(t.{c})", t.name));
        }
        if let Some((a, b)) = t.unique_pair {
            extra.push(format!("unique().on(t.{}, t.{})", t.cols[a].name, t.cols[b].name));
        }
        if let Some(c) = t.check {
            let c = &t.cols[c].name;
            extra.push(format!("check('{}_{c}_check', sql`${{t.{c}}} >= 0`)", t.name));
        }
        if extra.is_empty() {
            s.push_str("});\n");
        } else {
            let _ = writeln!(s, "}}, (t) => [{}]);", extra.join(", "));
        }
    }
    s
}

/// drizzle-rs's Rust twin (`#[SQLiteTable]`, indexes as `#[SQLiteIndex]` tuple structs), the
/// same tables, for `drizzle generate` (drizzle-cli).
pub fn drizzle_rs(spec: &Spec) -> String {
    let tabs = tables(spec);
    let mut s = String::with_capacity(spec.tables * spec.columns * 60);
    s.push_str("// Generated by schema-bench's generator: a benchmark schema, not a real one.\n");
    for t in &tabs {
        let mut targs = vec![format!("name = \"{}\"", t.name)];
        if let Some((a, b)) = t.unique_pair {
            targs.push(format!("UNIQUE({}, {})", t.cols[a].name, t.cols[b].name));
        }
        if let Some(c) = t.check {
            let c = &t.cols[c].name;
            targs.push(format!(
                "CHECK(name = \"{}_{c}_check\", expr = \"\\\"{c}\\\" >= 0\")",
                t.name
            ));
        }
        let _ = writeln!(s, "\n#[SQLiteTable({})]", targs.join(", "));
        let _ = writeln!(s, "pub struct {} {{", t.ident);
        for c in &t.cols {
            let mut attrs: Vec<String> = Vec::new();
            if c.primary_key || (t.composite_pk && (c.name == "id" || c.name == "seq")) {
                attrs.push("primary".into());
            }
            if c.unique {
                attrs.push("unique".into());
            }
            match &c.default {
                Default::None => {}
                Default::Int(v) => attrs.push(format!("default = {v}")),
                Default::Text(v) => attrs.push(format!("default = \"{v}\"")),
                Default::Real => attrs.push("default = 1.5".into()),
                Default::Bool(v) => attrs.push(format!("default = {v}")),
                Default::Now => attrs.push("default_sql = \"CURRENT_TIMESTAMP\"".into()),
            }
            if let Some(target) = c.references {
                attrs.push(format!("references = T{target:05}::id, on_delete = CASCADE"));
            }
            if !attrs.is_empty() {
                let _ = writeln!(s, "    #[column({})]", attrs.join(", "));
            }
            let _ = writeln!(s, "    pub {}: {},", c.name, rust_type(c));
        }
        s.push_str("}\n");
        if let Some(ix) = t.index {
            let c = &t.cols[ix].name;
            let _ = writeln!(s, "\n#[SQLiteIndex]\npub struct {}Idx{ix}({}::{c});", t.ident, t.ident);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let spec = Spec::new(30, 17, 7);
        assert_eq!(rust(&spec, RustFlavour::Table), rust(&spec, RustFlavour::Table));
        let text = rust(&spec, RustFlavour::Table);
        assert_eq!(text.matches("pub struct").count(), 30);
        let file = syn::parse_file(&text).unwrap();
        let parsed = schema_model::parse::from_file(&file).unwrap_or_else(|e| panic!("{e}"));
        let schema = schema_model::parse::resolve(&parsed).unwrap_or_else(|e| panic!("{}", e[0].message));
        assert_eq!(schema.tables.len(), 30);
        assert!(schema.tables.iter().all(|t| t.columns.len() == 17));
        assert_eq!(schema.tables.iter().filter(|t| !t.foreign_keys.is_empty()).count(), 10);
        assert_eq!(schema.tables.iter().filter(|t| !t.indexes.is_empty()).count(), 15);
    }
}
