//! `cfg` in the schema files: the CLI evaluates it for the application's build (features from
//! schema.toml or --features, `test` false), so `schema generate` and the derive agree; what it
//! cannot evaluate is an error naming the line; a macro that may make tables is a warning.
// `audit` is not a feature of this crate: the compiler builds the fixture without it, as an
// application built without the feature would.
#![allow(unexpected_cfgs)]

mod support;

use schema_core::Table;
use schema_core::dialect::Dialect as _;
use support::Project;

#[allow(dead_code)]
mod compiled {
    include!("fixtures/cfg_schema.rs");
}

const FIXTURE: &str = include_str!("fixtures/cfg_schema.rs");

/// The first migration's SQL, whatever generate named it.
fn first_sql(p: &Project) -> String {
    let dir = std::fs::read_dir(p.path("migrations")).unwrap();
    let name = dir
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("0000_") && n.ends_with(".sql"))
        .expect("a first migration");
    p.read(&format!("migrations/{name}"))
}

fn snapshot_columns(p: &Project, table: &str) -> Vec<String> {
    let snap: serde_json::Value = serde_json::from_str(&p.read("migrations/meta/0000_snapshot.json")).unwrap();
    snap["tables"][table]["columns"]
        .as_object()
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn the_cli_reads_what_the_compiler_builds() {
    let p = Project::new();
    p.write("src/schema.rs", FIXTURE);
    p.run(&["generate"]).expect(0);
    let sql = first_sql(&p);
    // This crate has no `audit` feature: the derive built `logins`, not `audited_at`.
    let derived = compiled::Account::table_def();
    let names: Vec<&str> = derived.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "email", "logins", "region"]);
    let mut cli = snapshot_columns(&p, "accounts");
    cli.sort();
    let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(cli, want);
    // The CREATE TABLE is the derive's own.
    let create = schema_core::sqlite::SQLITE.create_table_statements(derived);
    assert!(
        sql.contains(create[0].trim_end_matches(';')),
        "{sql}\n---\n{}",
        create[0]
    );
    assert!(!sql.contains("audit_log") && !sql.contains("region_idx"), "{sql}");
    // cfg(test) tables are never the application's, whatever the test build compiles.
    assert!(!sql.contains("test_fixtures"), "{sql}");
}

#[test]
fn features_come_from_the_config_or_the_flag() {
    let p = Project::new();
    p.write("src/schema.rs", FIXTURE);
    p.write("schema.toml", "features = [\"audit\"]\n");
    p.run(&["generate"]).expect(0);
    let sql = first_sql(&p);
    assert!(sql.contains("`audited_at` text") && !sql.contains("`logins`"), "{sql}");
    assert!(sql.contains("CREATE TABLE `audit_log`"), "{sql}");
    assert!(sql.contains("CREATE INDEX `accounts_region_idx`"), "{sql}");
    // The folder matches the build with the feature; the flag wins over the file, and a
    // build without it is a schema the folder does not have.
    let run = p.run(&["check"]);
    assert_eq!(run.code(), 0, "{}{}", run.stdout(), run.stderr());
    let run = p.run(&["--features", "audit", "check"]);
    assert_eq!(run.code(), 0, "{}{}", run.stdout(), run.stderr());
    let run = p.run(&["--features", "other", "check"]);
    assert_eq!(run.code(), 1, "{}{}", run.stdout(), run.stderr());
}

#[test]
fn a_cfg_the_cli_cannot_evaluate_is_an_error_at_its_line() {
    let p = Project::new();
    p.write(
        "src/schema.rs",
        &FIXTURE.replace(
            "#[cfg(feature = \"audit\")]\n    pub audited_at",
            "#[cfg(target_os = \"linux\")]\n    pub audited_at",
        ),
    );
    let err = p.run(&["generate"]).expect(2).stderr();
    assert!(err.contains("src/schema.rs:11:"), "{err}");
    assert!(err.contains("cfg(target_os = \"linux\") on a schema item"), "{err}");
    assert!(!p.exists("migrations"), "nothing written");
}

#[test]
fn a_macro_that_may_make_tables_is_named() {
    let p = Project::new();
    p.write(
        "src/schema.rs",
        &format!(
            "{FIXTURE}\nmacro_rules! lookup {{ ($name:ident, $t:literal) => {{ #[derive(Table)] #[table(name = $t)] pub struct $name {{ #[column(primary_key)] pub id: i64 }} }}; }}\nlookup!(Country, \"countries\");\n"
        ),
    );
    let run = p.run(&["generate"]);
    run.expect(0);
    assert!(
        run.stderr()
            .contains("src/schema.rs:38:1: `lookup!` may make tables the CLI cannot see"),
        "{}",
        run.stderr()
    );
}
