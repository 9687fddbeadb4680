//! The in-process steps of `schema generate`, each alone, on the benchmark schema of 500 and
//! 5,000 tables x 17 columns: syn's own parse (the floor of the reading step), our parse,
//! resolve, normalize, renames, diff, plan, snapshot write and read. And introspection of a
//! 500-table database against reading sqlite_master and the pragmas alone (in memory).
//!
//! `cargo bench --bench steps` (from bench/); `-- 500/` or `-- diff` to run some.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use schema_bench::generator::{RustFlavour, Spec, Variant, rust};
use schema_core::dialect::{Dialect, PlanOptions};
use schema_core::diff::{Renames, diff, resolve_renames};
use schema_core::model::Schema;
use schema_core::snapshot::{ROOT_ID, Snapshot};
use schema_core::sqlite::{SQLITE, introspect};
use schema_model::parse::{from_file, from_source, resolve};

fn schema_of(text: &str) -> Schema {
    let file = syn::parse_file(text).unwrap();
    let parsed = from_file(&file).unwrap_or_else(|e| panic!("{e}"));
    resolve(&parsed).unwrap_or_else(|e| panic!("{}", e[0]))
}

fn steps(c: &mut Criterion) {
    for n in [500usize, 5_000] {
        let mut g = c.benchmark_group(format!("{n}"));
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(if n > 1000 { 8 } else { 3 }));
        let spec = Spec::new(n, 17, 1);
        let text = rust(&spec, RustFlavour::Table);
        let changed_text = rust(
            &Spec {
                variant: Variant::OneColumn,
                ..spec
            },
            RustFlavour::Table,
        );
        let file = syn::parse_file(&text).unwrap();
        let parsed = from_file(&file).unwrap();
        let schema = resolve(&parsed).unwrap_or_else(|e| panic!("{}", e[0]));
        let target = SQLITE.normalize(&schema);
        let changed = SQLITE.normalize(&schema_of(&changed_text));
        let empty = Schema::default();
        let none = Renames::default();
        let first_changes = diff(&empty, &target, &none);
        let snapshot = Snapshot {
            id: "6c5a3b0e-0000-4000-8000-000000000000".into(),
            prev_id: ROOT_ID.into(),
            schema: target.clone(),
            renames: Renames::default(),
        };
        let snapshot_text = SQLITE.write_snapshot(&snapshot);
        println!(
            "{n} tables: schema file {} KB, snapshot {} KB",
            text.len() / 1024,
            snapshot_text.len() / 1024
        );

        g.bench_function(BenchmarkId::new("proc_macro2_lex", "floor"), |b| {
            b.iter(|| black_box(&text).parse::<proc_macro2::TokenStream>().unwrap())
        });
        g.bench_function(BenchmarkId::new("syn_parse_file", "floor"), |b| {
            b.iter(|| syn::parse_file(black_box(&text)).unwrap())
        });
        g.bench_function("from_file", |b| b.iter(|| from_file(black_box(&file)).unwrap()));
        g.bench_function("parse_file+from_file", |b| {
            b.iter(|| from_file(&syn::parse_file(black_box(&text)).unwrap()).unwrap())
        });
        // What the CLI runs: the file tokenized once, table items read off the tokens.
        g.bench_function("from_source", |b| b.iter(|| from_source(black_box(&text)).ok()));
        g.bench_function("resolve", |b| b.iter(|| resolve(black_box(&parsed)).ok()));
        g.bench_function("normalize", |b| b.iter(|| SQLITE.normalize(black_box(&schema))));
        g.bench_function(BenchmarkId::new("resolve_renames", "no-op"), |b| {
            b.iter(|| resolve_renames(black_box(&target), &target, &[], &mut ()).unwrap())
        });
        g.bench_function(BenchmarkId::new("diff", "first"), |b| {
            b.iter(|| diff(&empty, black_box(&target), &none))
        });
        g.bench_function(BenchmarkId::new("diff", "no-op"), |b| {
            b.iter(|| diff(black_box(&target), &target, &none))
        });
        g.bench_function(BenchmarkId::new("diff", "one-column"), |b| {
            b.iter(|| diff(black_box(&target), &changed, &none))
        });
        g.bench_function(BenchmarkId::new("plan", "first"), |b| {
            b.iter(|| {
                SQLITE
                    .plan(&empty, black_box(&target), &first_changes, &PlanOptions::default())
                    .unwrap()
            })
        });
        g.bench_function("snapshot_write", |b| {
            b.iter(|| SQLITE.write_snapshot(black_box(&snapshot)))
        });
        g.bench_function("snapshot_read", |b| {
            b.iter(|| SQLITE.read_snapshot(black_box(&snapshot_text)).unwrap())
        });
        g.finish();
    }
}

/// What introspection must read: sqlite_master, then per table its columns, indexes (and
/// their columns) and foreign keys (as `floor introspect` does, in process).
fn read_catalog(conn: &rusqlite::Connection) -> usize {
    let mut cells = 0;
    let names: Vec<String> = conn
        .prepare_cached("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut read = |sql: &str, arg: &str| -> Vec<String> {
        let mut stmt = conn.prepare_cached(sql).unwrap();
        let n = stmt.column_count();
        let rows: Vec<Vec<rusqlite::types::Value>> = stmt
            .query_map([arg], |r| (0..n).map(|i| r.get(i)).collect())
            .unwrap()
            .map(Result::unwrap)
            .collect();
        cells += rows.iter().map(Vec::len).sum::<usize>();
        rows.into_iter()
            .filter_map(|r| match r.into_iter().next() {
                Some(rusqlite::types::Value::Text(t)) => Some(t),
                _ => None,
            })
            .collect()
    };
    for name in &names {
        read(
            "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1)",
            name,
        );
        for ix in read(
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)",
            name,
        ) {
            read("SELECT name, seqno, cid FROM pragma_index_info(?1)", &ix);
        }
        read(
            "SELECT \"table\", id, seq, \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?1)",
            name,
        );
    }
    cells
}

fn introspection(c: &mut Criterion) {
    let mut g = c.benchmark_group("introspect");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let n = 500;
    let schema = SQLITE.normalize(&schema_of(&rust(&Spec::new(n, 17, 1), RustFlavour::Table)));
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    for stmt in SQLITE.create_schema(&schema) {
        conn.execute_batch(&stmt).unwrap();
    }
    assert_eq!(introspect(&conn, &[]).unwrap().tables.len(), n);
    g.bench_function(BenchmarkId::new("sqlite_master+pragmas", "floor"), |b| {
        b.iter(|| read_catalog(&conn))
    });
    g.bench_function(BenchmarkId::new("introspect", n), |b| {
        b.iter(|| introspect(&conn, &[]).unwrap())
    });
    g.finish();
}

criterion_group!(benches, steps, introspection);
criterion_main!(benches);
