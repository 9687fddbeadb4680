//! The studio's benchmark (ignored by `cargo test`; a measurement, not a pass/fail test):
//! pages of a 1,000,000-row table at its start and at its end, and the diagram of a
//! 500-table schema, each as a ratio to the first page measured in the same run.
//!
//! ```sh
//! cargo test --release -p schema-cli --test studio_bench -- --ignored --nocapture
//! ```
//!
//! The table it prints goes into docs/BENCHMARKS.md, under "Studio".

mod support;

use std::time::Duration;

use support::{Fixture, Studio, big_table_cases, fixture, median, print_results};

fn five_hundred_tables(f: &Fixture) {
    let mut sql = String::from("BEGIN;");
    for i in 0..500 {
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT, score REAL"
        ));
        // Each table references up to two earlier ones: a schema some layers deep.
        for (j, parent) in [i / 2, i / 3].into_iter().enumerate() {
            if i > 0 && parent < i {
                sql.push_str(&format!(", ref{j}_id INTEGER REFERENCES t{parent}(id)"));
            }
        }
        sql.push_str(");");
    }
    sql.push_str("COMMIT;");
    f.conn().execute_batch(&sql).unwrap();
}

#[test]
#[ignore = "a benchmark: run it with --ignored --nocapture (and --release)"]
fn studio_pages_and_diagram() {
    let f = fixture(true);
    f.conn().execute_batch("CREATE INDEX big_n ON big (n);").unwrap();
    let s = Studio::start(&f, &[]);

    let cases = big_table_cases(&s);
    let mut results: Vec<(String, Duration)> = cases
        .iter()
        .map(|(name, path)| (name.to_string(), median(&s, path)))
        .collect();
    drop(s);

    let g = fixture(false);
    five_hundred_tables(&g);
    let s = Studio::start(&g, &[]);
    let svg = s.get("/api/diagram.svg").text();
    assert_eq!(svg.matches("class=\"table-box\"").count(), 508);
    if let Some(to) = std::env::var_os("SCHEMA_BENCH_SVG") {
        std::fs::write(to, &svg).unwrap();
    }
    results.push((
        "diagram of a 508-table schema (SVG)".into(),
        median(&s, "/api/diagram.svg"),
    ));
    results.push(("table list of 508 tables (counts)".into(), median(&s, "/api/tables")));

    print_results(&results);
}
