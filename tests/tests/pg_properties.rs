//! The SQLite evolution property (`properties.rs`) on PostgreSQL, against a real server the
//! test starts itself: a random schema `a`, full of rows in every table, migrated to a random
//! change of it `b` by the PostgreSQL plan with the tracking table, either
//! - ends as a database made fresh from `b` (introspected equal), with every row of every kept
//!   table and every kept value (a retyped column keeps a value where it had one), or
//! - fails whole (a cast that cannot convert a row, a NOT NULL guard over NULLs) and leaves the
//!   database exactly as it was: the same schema, the same rows, only `0000` recorded.
//!
//! The generator is SQLite's (`schema_tests::generate`); `pg` maps its schemas onto PostgreSQL's
//! types: `integer` is `bigint`, `real` is `double precision`, `blob` is `bytea`; a generated
//! column is stored (PostgreSQL has no virtual ones) and casts its base to text; `length(..)`
//! in a check takes text. `PG_PROPTEST_CASES` sets the number of cases (24 by default; each is
//! two databases on the server).

#![allow(clippy::unwrap_used)]

include!("../pg/pg_server.rs");

use proptest::test_runner::{Config, TestCaseError, TestRunner};
use proptest::{prop_assert, prop_assert_eq};
use schema_core::backend::OpenMode;
use schema_core::dialect::Dialect as _;
use schema_core::diff::diff;
use schema_core::driver::Driver;
use schema_core::model::{Column, DefaultValue, LogicalType, Schema, Table};
use schema_core::postgres::{POSTGRES, PgDriver};
use schema_core::{Migration, Migrations};
use schema_tests::generate::{Key, arb_change, key_of, same_value, stored_columns};

/// `a`'s or `b`'s schema, said in PostgreSQL's types.
fn pg(s: &Schema) -> Schema {
    let mut s = s.clone();
    for t in &mut s.tables {
        let types: Vec<(String, String)> = t
            .columns
            .iter()
            .map(|c| (c.name.clone(), sql_type(&c.ty).to_string()))
            .collect();
        t.columns.retain(|c| match &c.generated {
            // bytea's text form depends on a setting: not a generated column's stuff.
            Some(g) => !types
                .iter()
                .any(|(n, ty)| ty == "blob" && g.expr.contains(&format!("\"{n}\""))),
            None => true,
        });
        for c in &mut t.columns {
            let ty = sql_type(&c.ty).to_string();
            c.ty = LogicalType::Sql(
                match ty.as_str() {
                    "integer" => "bigint",
                    "real" => "double precision",
                    "blob" => "bytea",
                    other => other,
                }
                .to_string(),
            );
            if let Some(DefaultValue::Sql(d)) = &c.default
                && d == "x'00ff'"
            {
                c.default = Some(DefaultValue::Sql("('\\x00ff'::bytea)".into()));
            }
            if let Some(g) = &mut c.generated {
                g.stored = true;
                if let Some((base, rest)) = g.expr.split_once(" || ") {
                    g.expr = format!("({base})::text || {rest}");
                }
            }
        }
        for ch in &mut t.checks {
            ch.expr = ch.expr.replace("\") >= 0", "\"::text) >= 0");
        }
    }
    s
}

fn sql_type(ty: &LogicalType) -> &str {
    match ty {
        LogicalType::Sql(s) => s,
        _ => "",
    }
}

/// A literal for column `c` in row `r` (SQLite's `generate::value`, in PostgreSQL's words).
fn literal(c: &Column, r: i64) -> String {
    if !c.not_null && r % 3 == 1 {
        return "NULL".into();
    }
    match sql_type(&c.ty) {
        "bigint" => (r * 10 - 7).to_string(),
        "double precision" => format!("{}", r as f64 + 0.25),
        "text" => format!("'v{r}''s'"),
        _ => format!("'\\x61{:02x}'::bytea", b'0' + (r % 10) as u8),
    }
}

fn fill(d: &mut PgDriver, a: &Schema) {
    let mut sql = String::new();
    for (ti, t) in a.tables.iter().enumerate() {
        let cols = stored_columns(t);
        let names: Vec<String> = cols.iter().map(|c| format!("\"{}\"", c.name)).collect();
        for r in 0..(ti as i64 % 3 + 4) {
            let values: Vec<String> = cols
                .iter()
                .map(|c| match c.name.as_str() {
                    "id" => (r + 1).to_string(),
                    "k1" => r.to_string(),
                    "k2" => format!("'k{r}'"),
                    "ref" => (r % 3 + 1).to_string(),
                    _ => literal(c, r),
                })
                .collect();
            // An identity ALWAYS would refuse a given id; ours are BY DEFAULT.
            sql.push_str(&format!(
                "INSERT INTO \"{}\" ({}) VALUES ({});\n",
                t.name,
                names.join(", "),
                values.join(", ")
            ));
        }
    }
    d.client().batch_execute(&sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
}

/// A row: its key, and each column's value as text (NULL as `None`).
type Row = (String, Vec<(String, Option<String>)>);

/// Each row of a table, by key (a table without one by its physical order, which
/// PostgreSQL's rewrites keep).
fn rows(d: &mut PgDriver, t: &Table) -> Vec<Row> {
    let (key, order) = match key_of(t) {
        Key::Composite { .. } => ("\"k1\"::text || '|' || \"k2\"", "\"k1\", \"k2\""),
        Key::Rowid { .. } => ("\"id\"::text", "\"id\""),
        Key::None => ("''", "ctid"),
    };
    let cols: Vec<&str> = stored_columns(t).iter().map(|c| c.name.as_str()).collect();
    let sel: Vec<String> = cols.iter().map(|c| format!("\"{c}\"::text")).collect();
    let sql = format!("SELECT {key}, {} FROM \"{}\" ORDER BY {order}", sel.join(", "), t.name);
    d.client()
        .query(sql.as_str(), &[])
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
        .iter()
        .map(|r| {
            let vals = cols
                .iter()
                .enumerate()
                .map(|(i, c)| (c.to_string(), r.get::<_, Option<String>>(i + 1)))
                .collect();
            (r.get(0), vals)
        })
        .collect()
}

fn default_text(d: &DefaultValue) -> Option<String> {
    match d {
        DefaultValue::Int(v) => Some(v.to_string()),
        DefaultValue::Real(v) => Some(v.clone()),
        DefaultValue::Text(s) => Some(s.clone()),
        DefaultValue::Bool(_) | DefaultValue::Sql(_) => None,
    }
}

fn tracked(d: &mut PgDriver) -> i64 {
    d.client()
        .query_one("SELECT count(*) FROM drizzle.__drizzle_migrations", &[])
        .unwrap()
        .get(0)
}

#[test]
fn a_migration_keeps_every_row_or_fails_whole_on_postgresql() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let cases = std::env::var("PG_PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new(Config {
        cases,
        // Shrinking on a server costs two databases a step: a few hundred steps at most.
        max_shrink_iters: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let counter = std::cell::Cell::new(0u32);
    let outcomes = std::cell::RefCell::new((0u32, 0u32, 0u32));
    let reasons = std::cell::RefCell::new(std::collections::BTreeMap::<String, u32>::new());
    let result = runner.run(&arb_change(), |(a, b, renames)| {
        let n = counter.get();
        counter.set(n + 1);
        let (na, nb) = (POSTGRES.normalize(&pg(&a)), POSTGRES.normalize(&pg(&b)));
        let changes = diff(&na, &nb, &renames);
        let plan = POSTGRES
            .plan(&na, &nb, &changes, &Default::default())
            .map_err(|e| TestCaseError::fail(format!("refused to plan: {e}")))?;
        let (db, fresh_db) = (format!("prop{n}"), format!("prop{n}_fresh"));
        server.create_database(&db).unwrap();
        server.create_database(&fresh_db).unwrap();
        let mut d = PgDriver::open(&server.url(&db), OpenMode::ReadWrite).unwrap();
        let create = POSTGRES.create_schema(&na);
        let migrations = Migrations::from_vec(vec![
            Migration::new(0, "0000_a", 1, create.join("\n--> statement-breakpoint\n")),
            Migration::new(1, "0001_b", 2, plan.statements.join("\n--> statement-breakpoint\n")),
        ]);
        d.client().batch_execute(&create.join("\n")).unwrap();
        fill(&mut d, &na);
        d.mark_applied(&migrations, "0000_a").unwrap();
        let before_schema = d.introspect(&[]).unwrap();
        let before: Vec<(String, Vec<Row>)> = na.tables.iter().map(|t| (t.name.clone(), rows(&mut d, t))).collect();
        let plan_text = plan.statements.join("\n");
        match d.migrate(&migrations, &mut |_| {}) {
            Ok(_) => outcomes.borrow_mut().0 += 1,
            Err(e) => {
                // Whole or nothing: the schema, the rows and the record as they were.
                outcomes.borrow_mut().1 += 1;
                let why = e.to_string();
                // What kinds of failure the cases met.
                let kind: String = match &e {
                    schema_core::MigrateError::Guarded { .. } => "a guard counted rows without a value".into(),
                    schema_core::MigrateError::Statement { source, .. } => source.message.chars().take(60).collect(),
                    other => other.to_string().chars().take(60).collect(),
                };
                // A NOT NULL change over NULLs is stopped by the plan's guard, with the count.
                if why.contains("would have no value") || why.contains("hold NULL there") {
                    prop_assert!(
                        matches!(e, schema_core::MigrateError::Guarded { rows, .. } if rows > 0),
                        "{}",
                        why
                    );
                }
                *reasons.borrow_mut().entry(kind).or_default() += 1;
                if matches!(e, schema_core::MigrateError::Guarded { .. }) {
                    outcomes.borrow_mut().2 += 1;
                }
                prop_assert_eq!(&d.introspect(&[]).unwrap(), &before_schema, "{}\n{}", why, plan_text);
                for (name, old) in &before {
                    let t = na.table(name).unwrap();
                    prop_assert_eq!(&rows(&mut d, t), old, "rows of {}: {}", name, why);
                }
                prop_assert_eq!(tracked(&mut d), 1);
                return Ok(());
            }
        }
        // The same database as one made fresh from b.
        let mut fresh = PgDriver::open(&server.url(&fresh_db), OpenMode::ReadWrite).unwrap();
        fresh
            .client()
            .batch_execute(&POSTGRES.create_schema(&nb).join("\n"))
            .unwrap();
        prop_assert_eq!(
            d.introspect(&[]).unwrap(),
            fresh.introspect(&[]).unwrap(),
            "plan:\n{}",
            plan_text
        );
        prop_assert_eq!(tracked(&mut d), 2);
        // Every row of every kept table, with its kept values.
        for (old_name, old_rows) in &before {
            let new_name = renames
                .tables
                .iter()
                .find(|(o, _)| o == old_name)
                .map_or(old_name.clone(), |(_, n)| n.clone());
            let Some(nt) = nb.table(&new_name) else { continue };
            let ot = na.table(old_name).unwrap();
            // A column's name in b.
            let renamed_column = |col: &str| {
                renames
                    .columns
                    .iter()
                    .find(|(t, o, _)| *t == new_name && o == col)
                    .map_or(col.to_string(), |(_, _, n)| n.clone())
            };
            let after = rows(&mut d, nt);
            prop_assert_eq!(after.len(), old_rows.len(), "rows of {} (now {})", old_name, new_name);
            if key_of(ot) == Key::None {
                // No key to pair rows by (an UPDATE that fills NULLs moves rows in the heap):
                // each kept column's values, as a multiset.
                for (ci, (col, _)) in old_rows
                    .first()
                    .map(|r| r.1.clone())
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    let new_col = renamed_column(col);
                    let Some(nc) = nt.column(&new_col) else { continue };
                    let Some(ni) = after.first().and_then(|r| r.1.iter().position(|(c, _)| *c == new_col)) else {
                        continue;
                    };
                    let retyped = ot.column(col).is_some_and(|oc| oc.ty != nc.ty);
                    let known = nc.default.as_ref().and_then(default_text);
                    let presence_only = retyped || (nc.not_null && known.is_none());
                    let norm = |v: &Option<String>| {
                        if presence_only {
                            v.as_ref().map(|_| "*".to_string())
                        } else {
                            v.clone()
                        }
                    };
                    let mut want: Vec<Option<String>> = old_rows
                        .iter()
                        .map(|r| match (&r.1[ci].1, nc.not_null, presence_only) {
                            (None, true, true) => Some("*".to_string()),
                            (None, true, false) => known.clone(),
                            (v, _, _) => norm(v),
                        })
                        .collect();
                    let mut got: Vec<Option<String>> = after.iter().map(|r| norm(&r.1[ni].1)).collect();
                    let num = |v: &Option<String>| {
                        v.as_ref()
                            .map(|x| x.parse::<f64>().map_or(x.clone(), |f| f.to_string()))
                    };
                    want = want.iter().map(num).collect();
                    got = got.iter().map(num).collect();
                    want.sort();
                    got.sort();
                    prop_assert_eq!(got, want, "{}.{}", new_name, new_col);
                }
                continue;
            }
            for ((k0, vals0), (k1, vals1)) in old_rows.iter().zip(&after) {
                prop_assert_eq!(k0, k1);
                for (col, v0) in vals0 {
                    let new_col = renamed_column(col);
                    let Some(nc) = nt.column(&new_col) else { continue };
                    let Some((_, v1)) = vals1.iter().find(|(c, _)| *c == new_col) else {
                        continue;
                    };
                    let retyped = ot.column(col).is_some_and(|oc| oc.ty != nc.ty);
                    if v0.is_none() && nc.not_null {
                        match nc.default.as_ref().and_then(default_text) {
                            Some(expected) if !retyped => prop_assert!(
                                same_value(&Some(expected.clone()), v1),
                                "{}.{}: NULL became {:?}, not the default {}",
                                new_name,
                                new_col,
                                v1,
                                expected
                            ),
                            _ => prop_assert!(v1.is_some()),
                        }
                    } else if retyped {
                        // Converted by the cast: a value where there was one.
                        prop_assert_eq!(v0.is_some(), v1.is_some(), "{}.{} row {}", new_name, new_col, k0);
                    } else {
                        prop_assert!(
                            same_value(v0, v1),
                            "{}.{} row {}: {:?} became {:?}",
                            new_name,
                            new_col,
                            k0,
                            v0,
                            v1
                        );
                    }
                }
            }
        }
        Ok(())
    });
    let (applied, failed, guarded) = outcomes.into_inner();
    println!(
        "{} cases: {applied} applied, {failed} failed whole ({guarded} by a NOT NULL guard)",
        counter.get()
    );
    for (reason, n) in reasons.into_inner() {
        println!("  {n} x {reason}");
    }
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(applied > 0, "no case applied: the property tested only failures");
}
