//! A live PostgreSQL schema read back into the model, from `pg_catalog`: tables, columns
//! (types with their modifiers via `format_type`, defaults as the server deparses them,
//! identity, generated), constraints via `pg_constraint` and indexes via `pg_index`.

use std::collections::HashMap;

use postgres::GenericClient;
use schema_model::sql::strip_parens;

use super::render::canonical_type;
use super::snapshot::default_from_sql;
use crate::driver::skipped;
use crate::model::{
    Check, Column, DefaultValue, Deferrable, EnumType, FkAction, ForeignKey, Generated, Index, IndexTarget,
    LogicalType, PrimaryKey, Schema, Table, Unique, UniqueKind,
};

/// What introspection finds: the schema, what the model cannot say (a sentence each), and the
/// objects kept as written because the model cannot describe them (an index with an operator
/// class, a method other than btree, a DESC or NULLS FIRST column): `pull` keeps these in its
/// baseline, and drift leaves them alone.
#[derive(Debug, Default)]
pub struct Read {
    pub schema: Schema,
    pub notes: Vec<String>,
    pub verbatim: Vec<String>,
}

/// Reads every table of the namespace `schema`, leaving out those `skip` names.
/// The namespaces a live database keeps its tables in: every one but PostgreSQL's own, the
/// scratch namespaces of a drift check, and `drizzle`, drizzle-orm's home of the tracking
/// table (a tracking table configured elsewhere is left out by name, as on SQLite).
pub fn user_namespaces(client: &mut impl GenericClient) -> Result<Vec<(String, Option<String>)>, postgres::Error> {
    let rows = client.query(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'drizzle') \
         AND nspname NOT LIKE 'pg\\_%' AND nspname NOT LIKE 'schema\\_canon\\_%' ORDER BY nspname",
        &[],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let n: String = r.get(0);
            let model = (n != "public").then(|| n.clone());
            (n, model)
        })
        .collect())
}

/// Reads every table of the namespaces given (each with the schema the model gives its
/// tables: `None` for public), leaving out those `skip` names.
pub fn read(
    client: &mut impl GenericClient,
    namespaces: &[(String, Option<String>)],
    skip: &[&str],
) -> Result<Read, postgres::Error> {
    let enums = enum_types(client, namespaces)?;
    let mut read = Read::default();
    for (ns, model) in namespaces {
        read_namespace(client, ns, model.as_deref(), skip, &enums, &mut read)?;
    }
    let mut listed: Vec<EnumType> = enums.into_values().collect();
    listed.sort_by_key(EnumType::key);
    read.schema.enums = listed;
    read.schema.sequences = sequences(client, namespaces)?;
    Ok(read)
}

/// The standalone sequences of the namespaces: every sequence no column owns (a `serial`'s
/// sequence and an identity's belong to their column), by `schema.name`.
fn sequences(
    client: &mut impl GenericClient,
    namespaces: &[(String, Option<String>)],
) -> Result<Vec<crate::model::Sequence>, postgres::Error> {
    let names: Vec<&str> = namespaces.iter().map(|(n, _)| n.as_str()).collect();
    let rows = client.query(
        "SELECT n.nspname::text, c.relname::text, s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache, \
           s.seqcycle \
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname::text = ANY($1) AND NOT EXISTS ( \
           SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
             AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')) \
         ORDER BY n.nspname, c.relname",
        &[&names],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let ns: String = r.get(0);
            crate::model::Sequence {
                name: r.get(1),
                schema: namespaces.iter().find(|(n, _)| *n == ns).and_then(|(_, m)| m.clone()),
                increment: Some(r.get(2)),
                min_value: Some(r.get(3)),
                max_value: Some(r.get(4)),
                start_with: Some(r.get(5)),
                cache: Some(r.get(6)),
                cycle: r.get(7),
            }
        })
        .collect())
}

/// Enum types by (namespace, name) as the catalog has them, each with the schema the model
/// gives it.
type Enums = HashMap<(String, String), EnumType>;

/// The enum types of the namespaces.
fn enum_types(
    client: &mut impl GenericClient,
    namespaces: &[(String, Option<String>)],
) -> Result<Enums, postgres::Error> {
    let names: Vec<&str> = namespaces.iter().map(|(n, _)| n.as_str()).collect();
    let rows = client.query(
        "SELECT n.nspname::text, t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) \
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE n.nspname::text = ANY($1) GROUP BY n.nspname, t.typname",
        &[&names],
    )?;
    let mut out = HashMap::new();
    for r in rows {
        let (ns, name): (String, String) = (r.get(0), r.get(1));
        let model = namespaces.iter().find(|(n, _)| *n == ns).and_then(|(_, m)| m.clone());
        let ty = EnumType {
            name: name.clone(),
            schema: model,
            values: r.get(2),
        };
        out.insert((ns, name), ty);
    }
    Ok(out)
}

fn read_namespace(
    client: &mut impl GenericClient,
    schema: &str,
    model_schema: Option<&str>,
    skip: &[&str],
    enums: &Enums,
    read: &mut Read,
) -> Result<(), postgres::Error> {
    let (out, notes, verbatim) = (&mut read.schema.tables, &mut read.notes, &mut read.verbatim);
    let tables = client.query(
        "SELECT c.oid, c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname",
        &[&schema],
    )?;
    for row in tables {
        let oid: u32 = row.get(0);
        let name: String = row.get(1);
        if skipped(&name, skip) {
            continue;
        }
        if row.get::<_, String>(2) == "p" {
            notes.push(format!(
                "`{name}` is a partitioned table: its partitions are not modeled"
            ));
        }
        if out.iter().any(|t| t.name == name) {
            notes.push(format!(
                "`{schema}.{name}`: another schema has a table of that name, which the model cannot tell apart; left out"
            ));
            continue;
        }
        let mut t = table(client, oid, &name, enums, notes, verbatim)?;
        t.options.postgres.schema = model_schema.map(String::from);
        out.push(t);
    }
    Ok(())
}

fn table(
    client: &mut impl GenericClient,
    oid: u32,
    name: &str,
    enums: &Enums,
    notes: &mut Vec<String>,
    verbatim: &mut Vec<String>,
) -> Result<Table, postgres::Error> {
    let mut t = Table::new(name);
    let cols = client.query(
        "SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text, \
                (SELECT count(*) FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid \
                  WHERE dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND s.relkind = 'S' \
                    AND dep.deptype = 'a') > 0, \
                tn.nspname::text, ty.typname::text, etn.nspname::text, et.typname::text \
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         JOIN pg_type ty ON ty.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = ty.typnamespace \
         LEFT JOIN pg_type et ON et.oid = ty.typelem AND ty.typcategory = 'A' \
         LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace \
         WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        &[&oid],
    )?;
    let mut by_num: HashMap<i16, String> = HashMap::new();
    for r in cols {
        let num: i16 = r.get(0);
        let cname: String = r.get(1);
        by_num.insert(num, cname.clone());
        let ty = canonical_type(&r.get::<_, String>(2));
        let enum_type = enums.get(&(r.get(8), r.get(9))).cloned();
        // An array's element type (NULLs for any other type): an array of an enum.
        let element: (Option<String>, Option<String>) = (r.get(10), r.get(11));
        let enum_array = match element {
            (Some(space), Some(name)) => enums.get(&(space, name)).cloned(),
            _ => None,
        };
        // A default of an enum (or an array of one) is cast to its type, whose schema is no
        // part of the value: `'draft'::post_status`, `'{draft}'::post_status[]`.
        let is_enum = enum_type.is_some() || enum_array.is_some();
        let logical = match (enum_type, enum_array) {
            (Some(e), _) => LogicalType::Enum(Box::new(e)),
            (None, Some(e)) => LogicalType::EnumArray(Box::new(e)),
            (None, None) => LogicalType::Sql(ty.clone()),
        };
        let mut c = Column::new(cname.clone(), logical);
        c.not_null = r.get(3);
        let expr: Option<String> = r.get(4);
        let identity: String = r.get(5);
        let generated: String = r.get(6);
        let owns_sequence: bool = r.get(7);
        match identity.as_str() {
            "d" => c.autoincrement = true,
            "a" => {
                c.autoincrement = true;
                notes.push(format!(
                    "`{name}.{cname}` is GENERATED ALWAYS AS IDENTITY: read as BY DEFAULT, which the model keeps"
                ));
            }
            _ => {}
        }
        if c.autoincrement {
            // The identity's sequence and its options.
            let seq = client.query_opt(
                "SELECT cl.relname::text, s.seqincrement, s.seqmin, s.seqmax, s.seqstart, s.seqcache, s.seqcycle \
                 FROM pg_depend d JOIN pg_class cl ON cl.oid = d.objid JOIN pg_sequence s ON s.seqrelid = cl.oid \
                 WHERE d.refobjid = $1 AND d.refobjsubid = $2 AND cl.relkind = 'S' AND d.deptype = 'i'",
                &[&oid, &i32::from(num)],
            )?;
            c.identity = seq.map(|s| {
                Box::new(crate::model::IdentityOptions {
                    name: Some(s.get(0)),
                    increment: Some(s.get(1)),
                    min_value: Some(s.get(2)),
                    max_value: Some(s.get(3)),
                    start_with: Some(s.get(4)),
                    cache: Some(s.get(5)),
                    cycle: s.get(6),
                })
            });
        }
        if generated == "s" {
            c.generated = expr.map(|e| Generated {
                expr: strip_parens(&e).to_string(),
                stored: true,
            });
        } else if let Some(e) = expr {
            // `serial`: an integer whose default takes the next value of a sequence it owns.
            if owns_sequence && e.starts_with("nextval(") {
                let serial = match ty.as_str() {
                    "integer" => Some("serial"),
                    "bigint" => Some("bigserial"),
                    "smallint" => Some("smallserial"),
                    _ => None,
                };
                match serial {
                    Some(s) => c.ty = LogicalType::Sql(s.into()),
                    None => c.default = Some(DefaultValue::Sql(e)),
                }
            } else if is_enum {
                // `'draft'::post_status`: the value.
                let literal = e.rfind("::").map_or(e.as_str(), |i| &e[..i]);
                c.default = Some(default_from_sql(literal));
            } else {
                c.default = Some(parse_default(&e, &ty));
            }
        }
        t.columns.push(c);
    }
    let names = |nums: &[i16]| -> Vec<String> { nums.iter().filter_map(|n| by_num.get(n).cloned()).collect() };
    let cons = client.query(
        "SELECT con.conname, con.contype::text, con.conkey, con.confkey, f.relname, fn.nspname, \
                con.confupdtype::text, con.confdeltype::text, con.condeferrable, con.condeferred, \
                pg_get_constraintdef(con.oid), con.confrelid, con.convalidated, \
                coalesce((SELECT ix.indnullsnotdistinct FROM pg_index ix WHERE ix.indexrelid = con.conindid), false) \
         FROM pg_constraint con LEFT JOIN pg_class f ON f.oid = con.confrelid \
         LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace \
         WHERE con.conrelid = $1 ORDER BY con.conname",
        &[&oid],
    )?;
    for r in cons {
        let cname: String = r.get(0);
        if !r.get::<_, bool>(12) {
            notes.push(format!(
                "the constraint `{cname}` of `{name}` is NOT VALID: rows older than it were never checked"
            ));
        }
        let kind: String = r.get(1);
        let keys: Vec<i16> = r.get::<_, Option<Vec<i16>>>(2).unwrap_or_default();
        let cols = names(&keys);
        match kind.as_str() {
            "p" => {
                if cols.len() == 1 {
                    if let Some(c) = t.columns.iter_mut().find(|c| c.name == cols[0]) {
                        c.primary_key = true;
                    }
                    if cname != format!("{name}_pkey") {
                        notes.push(format!(
                            "the primary key of `{name}` is named `{cname}`; the model names a one-column key `{name}_pkey`"
                        ));
                    }
                } else {
                    t.primary_key = Some(PrimaryKey {
                        name: cname,
                        columns: cols,
                    });
                }
            }
            "u" => t.uniques.push(Unique {
                name: cname,
                columns: cols,
                kind: UniqueKind::Index,
                nulls_not_distinct: r.get(13),
            }),
            "c" => {
                let def: String = r.get(10);
                let expr = def.strip_prefix("CHECK ").unwrap_or(&def);
                let expr = expr.strip_suffix(" NOT VALID").unwrap_or(expr);
                t.checks.push(Check {
                    name: cname,
                    expr: strip_parens(strip_parens(expr)).to_string(),
                    named: true,
                });
            }
            "f" => {
                let fkeys: Vec<i16> = r.get::<_, Option<Vec<i16>>>(3).unwrap_or_default();
                let ref_oid: u32 = r.get(11);
                let ref_cols = column_names(client, ref_oid, &fkeys)?;
                let action = |code: String| match code.as_str() {
                    "r" => FkAction::Restrict,
                    "c" => FkAction::Cascade,
                    "n" => FkAction::SetNull,
                    "d" => FkAction::SetDefault,
                    _ => FkAction::NoAction,
                };
                let ref_schema: Option<String> = r.get(5);
                let _ = ref_schema;
                let deferrable = match (r.get::<_, bool>(8), r.get::<_, bool>(9)) {
                    (false, _) => Deferrable::No,
                    (true, false) => Deferrable::InitiallyImmediate,
                    (true, true) => Deferrable::InitiallyDeferred,
                };
                t.foreign_keys.push(ForeignKey {
                    name: cname,
                    columns: cols,
                    ref_table: r.get::<_, Option<String>>(4).unwrap_or_default(),
                    ref_columns: ref_cols,
                    on_update: action(r.get(6)),
                    on_delete: action(r.get(7)),
                    deferrable,
                });
            }
            other => notes.push(format!(
                "`{name}` has a constraint `{cname}` of a kind the model does not keep ({})",
                match other {
                    "x" => "an exclusion constraint",
                    "t" => "a constraint trigger",
                    _ => "unknown",
                }
            )),
        }
    }
    let ixs = client.query(
        "SELECT i.relname, ix.indisunique, pg_get_expr(ix.indpred, ix.indrelid), ix.indexprs IS NOT NULL, \
                ix.indkey::int2[], am.amname, ix.indnkeyatts, pg_get_indexdef(ix.indexrelid, 1, true), ix.indisvalid, \
                pg_get_indexdef(ix.indexrelid), ix.indoption::int2[], \
                ARRAY(SELECT CASE WHEN o.opcdefault THEN '' WHEN on_.nspname = 'pg_catalog' THEN o.opcname::text \
                                  ELSE on_.nspname || '.' || o.opcname END \
                      FROM unnest(ix.indclass) WITH ORDINALITY AS oc(oid, n) JOIN pg_opclass o ON o.oid = oc.oid \
                      JOIN pg_namespace on_ ON on_.oid = o.opcnamespace ORDER BY oc.n), \
                ix.indnatts <> ix.indnkeyatts, coalesce(i.reloptions, '{}'::text[]) \
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_am am ON am.oid = i.relam \
         WHERE ix.indrelid = $1 \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid \
                           AND con.contype IN ('p', 'u', 'x')) \
         ORDER BY i.relname",
        &[&oid],
    )?;
    for r in ixs {
        let iname: String = r.get(0);
        let method: String = r.get(5);
        let keys: Vec<i16> = r.get(4);
        let nkeys: i16 = r.get(6);
        let has_exprs: bool = r.get(3);
        let valid: bool = r.get(8);
        let options: Vec<i16> = r.get(10);
        if !valid {
            notes.push(format!(
                "the index `{iname}` of `{name}` is INVALID (a CREATE INDEX CONCURRENTLY that failed): left out"
            ));
            continue;
        }
        let def: String = r.get(9);
        let opclasses: Vec<String> = r.get(11);
        let include: bool = r.get(12);
        let reloptions: Vec<String> = r.get(13);
        // What the model cannot say is kept as written: pull's baseline recreates it exactly.
        let why = if include {
            Some("has INCLUDE columns".to_string())
        } else if has_exprs && (options.iter().any(|o| *o != 0) || opclasses.iter().any(|c| !c.is_empty())) {
            Some("orders or classes an expression (DESC, NULLS FIRST, an operator class)".to_string())
        } else if has_exprs && keys.len() != 1 {
            Some("mixes columns and expressions".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            notes.push(format!(
                "the index `{iname}` of `{name}` {why}, which the model does not say: kept as written in the baseline"
            ));
            verbatim.push(format!("{def};"));
            continue;
        }
        let target = if has_exprs {
            IndexTarget::Expr(strip_parens(&r.get::<_, String>(7)).to_string())
        } else {
            IndexTarget::Columns(names(&keys[..keys.len().min(nkeys.max(0) as usize)]))
        };
        t.indexes.push(Index {
            name: iname,
            target,
            unique: r.get(1),
            where_clause: r.get::<_, Option<String>>(2).map(|w| strip_parens(&w).to_string()),
            options: crate::model::IndexOptions {
                method: (method != "btree").then_some(method),
                concurrently: false,
                // indoption's bits: 1 DESC, 2 NULLS FIRST; an empty class name is the default.
                columns: options
                    .iter()
                    .enumerate()
                    .take(nkeys.max(0) as usize)
                    .map(|(i, o)| crate::model::IndexColumn {
                        desc: o & 1 != 0,
                        nulls_first: o & 2 != 0,
                        opclass: opclasses.get(i).filter(|c| !c.is_empty()).cloned(),
                    })
                    .collect(),
                with: reloptions
                    .iter()
                    .map(|o| match o.split_once('=') {
                        Some((k, v)) => (k.to_string(), v.to_string()),
                        None => (o.clone(), String::new()),
                    })
                    .collect(),
            }
            .trimmed(),
        });
    }
    Ok(t)
}

/// The names of columns `nums` of the table `oid`, in that order.
fn column_names(client: &mut impl GenericClient, oid: u32, nums: &[i16]) -> Result<Vec<String>, postgres::Error> {
    let rows = client.query(
        "SELECT attnum, attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0",
        &[&oid],
    )?;
    let by: HashMap<i16, String> = rows.into_iter().map(|r| (r.get(0), r.get(1))).collect();
    Ok(nums.iter().filter_map(|n| by.get(n).cloned()).collect())
}

/// A default as the server deparses it, back in the model's terms: `0`, `1.5`, `true`,
/// `'it''s'::text` (a string), `'-1'::integer` (a number), anything else SQL.
pub fn parse_default(expr: &str, column_type: &str) -> DefaultValue {
    let e = strip_parens(expr.trim());
    if e == "true" || e == "false" {
        return DefaultValue::Bool(e == "true");
    }
    if let Ok(i) = e.parse::<i64>() {
        return DefaultValue::Int(i);
    }
    if is_decimal(e) {
        return DefaultValue::Real(e.to_string());
    }
    // `'..'::type`: a literal cast to the column's type (or a close one).
    if let Some(i) = e.rfind("::")
        && e[..i].ends_with('\'')
        && let DefaultValue::Text(s) = default_from_sql(&e[..i])
    {
        let cast = canonical_type(&e[i + 2..]);
        let base = column_type.split('(').next().unwrap_or(column_type).trim();
        let cast_base = cast.split('(').next().unwrap_or(&cast).trim();
        let int = |t: &str| matches!(t, "smallint" | "integer" | "bigint");
        let text = |t: &str| matches!(t, "text" | "varchar" | "char");
        if int(base)
            && (int(cast_base) || cast_base == "numeric")
            && let Ok(n) = s.parse::<i64>()
        {
            return DefaultValue::Int(n);
        }
        if matches!(base, "real" | "double precision") && (is_decimal(&s) || s.parse::<i64>().is_ok()) {
            return DefaultValue::Real(s);
        }
        if (text(base) && text(cast_base)) || (base == "numeric" && cast_base == "numeric") {
            return DefaultValue::Text(s);
        }
        return DefaultValue::Sql(e.to_string());
    }
    default_from_sql(e)
}

fn is_decimal(s: &str) -> bool {
    let d = s.strip_prefix('-').unwrap_or(s);
    !d.is_empty()
        && d.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
        && d.starts_with(|c: char| c.is_ascii_digit())
        && d.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deparsed_defaults_come_back_as_written() {
        assert_eq!(parse_default("0", "integer"), DefaultValue::Int(0));
        assert_eq!(parse_default("'-1'::integer", "smallint"), DefaultValue::Int(-1));
        assert_eq!(parse_default("'-1'::integer", "integer"), DefaultValue::Int(-1));
        assert_eq!(parse_default("1.5", "real"), DefaultValue::Real("1.5".into()));
        assert_eq!(parse_default("true", "boolean"), DefaultValue::Bool(true));
        assert_eq!(
            parse_default("'it''s me'::text", "text"),
            DefaultValue::Text("it's me".into())
        );
        assert_eq!(
            parse_default("'x'::character varying", "varchar(20)"),
            DefaultValue::Text("x".into())
        );
        assert_eq!(
            parse_default("'0.00'::numeric", "numeric(10, 2)"),
            DefaultValue::Text("0.00".into())
        );
        assert_eq!(parse_default("now()", "timestamp"), DefaultValue::Sql("now()".into()));
        assert_eq!(
            parse_default("'{}'::jsonb", "jsonb"),
            DefaultValue::Sql("'{}'::jsonb".into())
        );
    }
}
