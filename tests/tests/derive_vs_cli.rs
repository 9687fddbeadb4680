//! The derive and the CLI run the same parser: for every table of the fixture and of the
//! example, the model the compiler built equals the model `schema generate` reads.

use schema_core::Table;
use schema_core::dialect::Dialect;
use schema_core::model::{Schema, Table as TableDef};
use schema_core::sqlite::SQLITE;
use schema_tests::{basic, blog};

fn cli_schema(path: &std::path::Path) -> Schema {
    schema_tests::schema_from_file(path)
}

fn assert_same(cli: Schema, derived: Vec<&TableDef>) {
    assert_eq!(cli.tables.len(), derived.len(), "table count");
    for (c, d) in cli.tables.iter().zip(derived) {
        assert_eq!(c, d, "table `{}` differs between the CLI and the derive", c.name);
    }
}

#[test]
fn fixture_tables_agree() {
    let cli = cli_schema(&schema_tests::fixtures().join("drizzle-compat/basic/schema.rs"));
    assert_same(
        cli,
        vec![
            basic::User::table_def(),
            basic::Membership::table_def(),
            basic::Employee::table_def(),
        ],
    );
}

#[test]
fn constraint_forms_agree() {
    use schema_tests::constraints::{Member, Org, Team};
    let cli = cli_schema(&schema_tests::fixtures().join("constraints/schema.rs"));
    assert_same(cli, vec![Org::table_def(), Team::table_def(), Member::table_def()]);
    // What the attributes say, said back: the model the derive built.
    let member = Member::table_def();
    // Column references first, in field order, then the struct's.
    assert_eq!(member.foreign_keys.len(), 4);
    let implied = &member.foreign_keys[0];
    assert_eq!(
        (
            implied.ref_table.as_str(),
            implied.ref_columns.len(),
            implied.deferrable
        ),
        ("orgs", 0, schema_core::model::Deferrable::InitiallyImmediate)
    );
    assert_eq!(implied.name, "members_org_code_orgs_code_fk");
    assert_eq!(member.foreign_keys[1].ref_columns, ["slug"]);
    let composite = &member.foreign_keys[2];
    assert_eq!(
        (
            composite.columns.len(),
            composite.ref_columns.len(),
            composite.deferrable
        ),
        (2, 0, schema_core::model::Deferrable::InitiallyDeferred)
    );
    assert_eq!(member.foreign_keys[3].name, "members_team_title_fk");
    let org = Org::table_def();
    assert!(!org.columns[0].not_null, "an Option key may hold NULL");
    assert_eq!(org.uniques.len(), 3);
    assert!(org.checks.iter().all(|c| !c.named));
    assert_eq!(<Team as Table>::KEY_COLUMNS, ["org_code", "number"]);
}

#[test]
fn example_tables_agree() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog/src/schema.rs");
    let cli = cli_schema(&path);
    assert_same(cli, blog::tables());
}

#[test]
fn the_example_migration_is_what_generate_writes_today() {
    // The committed migration folder must match the schema: regenerating would add nothing.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog");
    let snap = schema_core::folder::Folder::new(root.join("migrations"), &SQLITE)
        .read_snapshot(0)
        .unwrap();
    let cli = SQLITE.normalize(&cli_schema(&root.join("src/schema.rs")));
    assert!(schema_core::generate::same_schema(&snap.schema, &cli));
}
