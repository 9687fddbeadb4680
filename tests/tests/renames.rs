//! Renames the code states with `renamed_from`, where both names persist: swaps and cycles of
//! tables and of columns, migrated through temporary names with every row kept in its place.

use schema_tests::project::Project;

const TWO: &str = r#"
#[derive(Table)]
#[table(name = "a")]
pub struct A {
    #[column(primary_key)]
    pub id: i64,
    pub x: String,
}

#[derive(Table)]
#[table(name = "b")]
pub struct B {
    #[column(primary_key)]
    pub id: i64,
    pub y: String,
}
"#;

#[test]
fn two_tables_swap_names_and_keep_their_rows() {
    let p = Project::new(TWO);
    p.exec("INSERT INTO a VALUES (1, 'from a'); INSERT INTO b VALUES (2, 'from b'), (3, 'from b too');");
    let swapped = TWO
        .replace("#[table(name = \"a\")]", "#[table(name = \"b\", renamed_from = \"a\")]")
        .replace("#[table(name = \"b\")]", "#[table(name = \"a\", renamed_from = \"b\")]");
    let sql = p.generate(&swapped).unwrap();
    assert!(
        sql.contains("RENAME TO `__new_rename_0`"),
        "through temporary names:\n{sql}"
    );
    p.migrate().unwrap();
    // The table now called `a` is the old `b`, rows and columns with it.
    assert_eq!(p.rows("SELECT id, y FROM a ORDER BY id"), ["2|from b", "3|from b too"]);
    assert_eq!(p.rows("SELECT id, x FROM b"), ["1|from a"]);
    assert_eq!(
        p.rows("SELECT count(*) FROM sqlite_master WHERE name LIKE '__new_%'"),
        ["0"]
    );
}

#[test]
fn three_tables_rotate_and_keep_their_rows() {
    let three = format!(
        "{TWO}\n#[derive(Table)]\n#[table(name = \"c\")]\npub struct C {{\n    #[column(primary_key)]\n    pub id: i64,\n    pub z: String,\n}}\n"
    );
    let p = Project::new(&three);
    p.exec("INSERT INTO a VALUES (1, 'a'); INSERT INTO b VALUES (2, 'b'); INSERT INTO c VALUES (3, 'c');");
    // a → b, b → c, c → a
    let rotated = three
        .replace("#[table(name = \"a\")]", "#[table(name = \"b\", renamed_from = \"a\")]")
        .replace("#[table(name = \"b\")]", "#[table(name = \"c\", renamed_from = \"b\")]")
        .replace("#[table(name = \"c\")]", "#[table(name = \"a\", renamed_from = \"c\")]");
    p.generate(&rotated).unwrap();
    p.migrate().unwrap();
    assert_eq!(p.rows("SELECT id, x FROM b"), ["1|a"]);
    assert_eq!(p.rows("SELECT id, y FROM c"), ["2|b"]);
    assert_eq!(p.rows("SELECT id, z FROM a"), ["3|c"]);
}

#[test]
fn two_columns_swap_names_and_keep_their_values() {
    let one = "#[derive(Table)]\n#[table(name = \"t\")]\npub struct T {\n    #[column(primary_key)]\n    pub id: i64,\n    pub first: String,\n    pub last: Option<i64>,\n}\n";
    let p = Project::new(one);
    p.exec("INSERT INTO t VALUES (1, 'ada', 7), (2, 'bob', NULL);");
    let swapped = one
        .replace(
            "pub first: String,",
            "#[column(renamed_from = \"last\")]\n    pub first: Option<i64>,",
        )
        .replace(
            "pub last: Option<i64>,",
            "#[column(renamed_from = \"first\")]\n    pub last: String,",
        );
    let sql = p.generate(&swapped).unwrap();
    assert!(
        sql.contains("TO `__new_rename_0`") && sql.contains("RENAME COLUMN `__new_rename_1`"),
        "{sql}"
    );
    p.migrate().unwrap();
    assert_eq!(
        p.rows("SELECT id, first, last FROM t ORDER BY id"),
        ["1|7|ada", "2|NULL|bob"]
    );
    // And the next generate sees nothing left to do.
    assert!(
        schema_core::generate::pending(&schema_tests::schema_from_source(&swapped), &p.folder(), &[], &mut ())
            .unwrap()
            .changes
            .is_empty()
    );
}

#[test]
fn a_rename_from_a_name_still_in_use_is_refused() {
    let p = Project::new(TWO);
    // `c` says it was `a`, but `a` is still there and nothing else takes its name: two tables
    // cannot both come from `a`.
    let clash = TWO.replace("#[table(name = \"b\")]", "#[table(name = \"c\", renamed_from = \"a\")]");
    let err = schema_core::generate::pending(&schema_tests::schema_from_source(&clash), &p.folder(), &[], &mut ())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`a` is still in the schema and nothing is renamed into its place"),
        "{err}"
    );
}
