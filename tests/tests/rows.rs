//! The row helpers of `#[derive(Table)]` round-trip every supported type, NULLs included,
//! through a real SQLite file.

use rusqlite::Connection;
use schema_core::Table;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Settings {
    theme: String,
    sizes: Vec<u32>,
}

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "everything")]
struct Everything {
    #[column(primary_key, autoincrement)]
    id: i64,
    a_i8: i8,
    a_i16: i16,
    a_i32: i32,
    a_i64: i64,
    a_isize: isize,
    a_u8: u8,
    a_u16: u16,
    a_u32: u32,
    a_u64: u64,
    a_usize: usize,
    a_bool: bool,
    a_f32: f32,
    a_f64: f64,
    a_string: String,
    a_bytes: Vec<u8>,
    #[column(json)]
    a_json: Settings,
    #[column(sql_type = "numeric")]
    a_numeric: f64,
    o_i8: Option<i8>,
    o_i64: Option<i64>,
    o_u64: Option<u64>,
    o_bool: Option<bool>,
    o_f64: Option<f64>,
    o_string: Option<String>,
    o_bytes: Option<Vec<u8>>,
    #[column(json)]
    o_json: Option<Settings>,
    #[column(generated = "a_i64 * 2")]
    doubled: Option<i64>,
    #[column(skip)]
    scratch: String,
}

fn full(id: i64) -> Everything {
    Everything {
        id,
        a_i8: i8::MIN,
        a_i16: i16::MAX,
        a_i32: i32::MIN,
        a_i64: i64::MAX / 2,
        a_isize: -7,
        a_u8: u8::MAX,
        a_u16: u16::MAX,
        a_u32: u32::MAX,
        a_u64: i64::MAX as u64,
        a_usize: 12345,
        a_bool: true,
        a_f32: 1.5,
        a_f64: -0.125,
        a_string: "it's ünïcode ✓".into(),
        a_bytes: vec![0, 1, 2, 255],
        a_json: Settings {
            theme: "dark".into(),
            sizes: vec![1, 2, 3],
        },
        a_numeric: 2.75,
        o_i8: Some(-1),
        o_i64: Some(i64::MIN),
        o_u64: Some(0),
        o_bool: Some(false),
        o_f64: Some(f64::MAX),
        o_string: Some(String::new()),
        o_bytes: Some(Vec::new()),
        o_json: Some(Settings {
            theme: "".into(),
            sizes: vec![],
        }),
        doubled: None,
        scratch: String::new(),
    }
}

fn nulls(id: i64) -> Everything {
    Everything {
        o_i8: None,
        o_i64: None,
        o_u64: None,
        o_bool: None,
        o_f64: None,
        o_string: None,
        o_bytes: None,
        o_json: None,
        ..full(id)
    }
}

fn db() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("rows.db")).unwrap();
    Everything::create_table(&conn).unwrap();
    (dir, conn)
}

#[test]
fn every_type_round_trips_with_values_and_with_nulls() {
    let (_dir, conn) = db();
    let id1 = full(0).insert(&conn).unwrap();
    let id2 = nulls(0).insert(&conn).unwrap();
    assert_eq!((id1, id2), (1, 2), "insert returns the autoincrement key");

    let got1 = Everything::find(&conn, id1).unwrap().unwrap();
    let got2 = Everything::find(&conn, id2).unwrap().unwrap();
    assert_eq!(
        got1,
        Everything {
            doubled: Some(i64::MAX / 2 * 2),
            ..full(id1)
        }
    );
    assert_eq!(
        got2,
        Everything {
            doubled: Some(i64::MAX / 2 * 2),
            ..nulls(id2)
        }
    );
    assert_eq!(Everything::select_all(&conn).unwrap(), vec![got1.clone(), got2.clone()]);

    // NULLs are SQL NULL, not the JSON text `null`.
    let json_null: Option<String> = conn
        .query_row("SELECT o_json FROM everything WHERE id = 2", [], |r| r.get(0))
        .unwrap();
    assert_eq!(json_null, None);
    let json_text: String = conn
        .query_row("SELECT a_json FROM everything WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(json_text, r#"{"theme":"dark","sizes":[1,2,3]}"#);
}

#[test]
fn update_and_delete_work_by_key_and_leave_other_rows_alone() {
    let (_dir, conn) = db();
    let a = full(0).insert(&conn).unwrap();
    let b = full(0).insert(&conn).unwrap();
    let mut row = Everything::find(&conn, a).unwrap().unwrap();
    row.a_i64 = 21;
    row.o_string = None;
    row.a_json.theme = "light".into();
    assert_eq!(row.update(&conn).unwrap(), 1);
    let updated = Everything::find(&conn, a).unwrap().unwrap();
    assert_eq!(
        (
            updated.a_i64,
            updated.doubled,
            updated.o_string.clone(),
            updated.a_json.theme.as_str()
        ),
        (21, Some(42), None, "light")
    );
    assert_eq!(
        Everything::find(&conn, b).unwrap().unwrap().a_i64,
        i64::MAX / 2,
        "the other row is untouched"
    );

    assert_eq!(updated.delete(&conn).unwrap(), 1);
    assert_eq!(Everything::find(&conn, a).unwrap(), None);
    assert_eq!(Everything::select_all(&conn).unwrap().len(), 1);
    assert_eq!(updated.delete(&conn).unwrap(), 0, "deleting twice deletes nothing");
}

#[test]
fn a_u64_too_large_for_sqlite_is_an_error_not_a_wrapped_value() {
    let (_dir, conn) = db();
    let row = Everything {
        a_u64: u64::MAX,
        ..full(0)
    };
    let err = row.insert(&conn).unwrap_err();
    assert!(matches!(err, rusqlite::Error::ToSqlConversionFailure(_)), "{err:?}");
    assert!(Everything::select_all(&conn).unwrap().is_empty());
}

#[test]
fn a_corrupt_json_value_is_a_conversion_error_naming_the_column() {
    let (_dir, conn) = db();
    let id = full(0).insert(&conn).unwrap();
    conn.execute("UPDATE everything SET a_json = 'not json' WHERE id = ?1", [id])
        .unwrap();
    let err = Everything::find(&conn, id).unwrap_err();
    assert!(matches!(err, rusqlite::Error::FromSqlConversionFailure(..)), "{err:?}");
}

/// A composite key: `find` takes a tuple, `update` changes only non-key columns.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(primary_key(org, user), without_rowid)]
struct Member {
    org: i64,
    user: String,
    #[column(default = "member")]
    role: String,
}

#[test]
fn composite_keys_find_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("m.db")).unwrap();
    Member::create_table(&conn).unwrap();
    assert_eq!(Member::TABLE_NAME, "member");
    for (org, user) in [(1, "ann"), (1, "bob"), (2, "ann")] {
        Member {
            org,
            user: user.into(),
            role: "member".into(),
        }
        .insert(&conn)
        .unwrap();
    }
    let mut m = Member::find(&conn, (1, "bob".into())).unwrap().unwrap();
    m.role = "admin".into();
    assert_eq!(m.update(&conn).unwrap(), 1);
    assert_eq!(Member::find(&conn, (1, "bob".into())).unwrap().unwrap().role, "admin");
    assert_eq!(Member::find(&conn, (1, "ann".into())).unwrap().unwrap().role, "member");
    assert_eq!(m.delete(&conn).unwrap(), 1);
    let left: Vec<(i64, String)> = Member::select_all(&conn)
        .unwrap()
        .into_iter()
        .map(|m| (m.org, m.user))
        .collect();
    assert_eq!(left, vec![(1, "ann".to_string()), (2, "ann".to_string())]);
}

/// A table without a declared key is found by rowid; its struct cannot update itself.
#[derive(Table, Debug, Clone, PartialEq)]
struct LogLine {
    message: String,
}

#[test]
fn keyless_tables_find_by_rowid_and_refuse_update_by_struct() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("l.db")).unwrap();
    LogLine::create_table(&conn).unwrap();
    let rowid = LogLine {
        message: "hello".into(),
    }
    .insert(&conn)
    .unwrap();
    let line = LogLine::find(&conn, rowid).unwrap().unwrap();
    assert_eq!(line.message, "hello");
    let err = line.update(&conn).unwrap_err().to_string();
    assert!(err.contains("has no primary key"), "{err}");
}

#[test]
fn from_row_reads_select_star_by_column_name() {
    let (_dir, conn) = db();
    full(0).insert(&conn).unwrap();
    let row = conn
        .query_row("SELECT * FROM everything", [], Everything::from_row)
        .unwrap();
    assert_eq!(row.a_string, "it's ünïcode ✓");
}

/// 34 columns: more than one `ReadColumns` call takes, so `from_row` reads them in two.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "wide")]
struct Wide {
    #[column(primary_key)]
    id: i64,
    c00: i64,
    c01: i64,
    c02: i64,
    c03: i64,
    c04: i64,
    c05: i64,
    c06: i64,
    c07: i64,
    c08: i64,
    c09: i64,
    c10: i64,
    c11: i64,
    c12: i64,
    c13: i64,
    c14: i64,
    c15: i64,
    c16: i64,
    c17: i64,
    c18: i64,
    c19: i64,
    c20: i64,
    c21: i64,
    c22: i64,
    c23: i64,
    c24: i64,
    c25: i64,
    c26: i64,
    c27: i64,
    c28: i64,
    c29: i64,
    c30: i64,
    c31: i64,
    c32: i64,
}

/// Columns read in one call, a skipped field defaulted beside them.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "narrow")]
struct Narrow {
    #[column(primary_key)]
    id: i64,
    name: String,
    #[column(skip)]
    scratch: Vec<String>,
    score: Option<f64>,
}

#[test]
fn rows_are_read_in_one_call_or_column_by_column_alike() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("w.db")).unwrap();
    Wide::create_table(&conn).unwrap();
    Narrow::create_table(&conn).unwrap();
    let wide = Wide {
        id: 1,
        c00: 1,
        c01: 8,
        c02: 15,
        c03: 22,
        c04: 29,
        c05: 36,
        c06: 43,
        c07: 50,
        c08: 57,
        c09: 64,
        c10: 71,
        c11: 78,
        c12: 85,
        c13: 92,
        c14: 99,
        c15: 106,
        c16: 113,
        c17: 120,
        c18: 127,
        c19: 134,
        c20: 141,
        c21: 148,
        c22: 155,
        c23: 162,
        c24: 169,
        c25: 176,
        c26: 183,
        c27: 190,
        c28: 197,
        c29: 204,
        c30: 211,
        c31: 218,
        c32: 225,
    };
    wide.insert(&conn).unwrap();
    assert_eq!(Wide::find(&conn, 1).unwrap(), Some(wide.clone()));
    let narrow = Narrow {
        id: 1,
        name: "ann".into(),
        scratch: vec!["not stored".into()],
        score: Some(2.5),
    };
    narrow.insert(&conn).unwrap();
    let back = Narrow::find(&conn, 1).unwrap().unwrap();
    assert_eq!(
        back,
        Narrow {
            scratch: Vec::new(),
            ..narrow
        }
    );
    // A value of the wrong type is the read's error, in either way of reading, not a panic.
    conn.execute_batch("UPDATE narrow SET name = x'00ff'; UPDATE wide SET c32 = 'text'")
        .unwrap();
    let e = Narrow::find(&conn, 1).unwrap_err().to_string();
    assert!(e.contains("name") || e.contains("Invalid column type"), "{e}");
    let e = Wide::find(&conn, 1).unwrap_err().to_string();
    assert!(e.contains("c32") || e.contains("Invalid column type"), "{e}");
}

/// The key in the middle, generated columns in the middle and at the end, json beside them:
/// `insert`, `update` and `delete` bind one tuple of the row's values by column position, so
/// each statement must name the right positions and bind nothing it does not have.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "scattered")]
struct Scattered {
    label: String,
    #[column(generated = "length(label)")]
    label_len: Option<i64>,
    #[column(primary_key)]
    code: String,
    #[column(json)]
    tags: Vec<String>,
    #[column(json)]
    extra: Option<Settings>,
    #[column(generated = "upper(code)")]
    shout: Option<String>,
}

/// Every column in the key: an update has nothing to set.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "pairs", primary_key(a, b))]
struct Pair {
    a: i64,
    b: i64,
}

#[test]
fn statements_bind_the_row_by_column_position() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("p.db")).unwrap();
    Scattered::create_table(&conn).unwrap();
    Pair::create_table(&conn).unwrap();
    Wide::create_table(&conn).unwrap();

    let rows = [("x1", "short"), ("x2", "a longer label")].map(|(code, label)| Scattered {
        label: label.into(),
        label_len: None,
        code: code.into(),
        tags: vec![code.into(), "t".into()],
        extra: None,
        shout: None,
    });
    for r in &rows {
        r.insert(&conn).unwrap();
    }
    let mut one = Scattered::find(&conn, "x1".into()).unwrap().unwrap();
    assert_eq!((one.label_len, one.shout.as_deref()), (Some(5), Some("X1")));
    assert_eq!(one.tags, vec!["x1".to_string(), "t".into()]);
    one.label = "changed label".into();
    one.extra = Some(Settings {
        theme: "dark".into(),
        sizes: vec![1, 2],
    });
    assert_eq!(one.update(&conn).unwrap(), 1);
    let back = Scattered::find(&conn, "x1".into()).unwrap().unwrap();
    assert_eq!((back.label.as_str(), back.label_len), ("changed label", Some(13)));
    assert_eq!(back.extra, one.extra);
    let other = Scattered::find(&conn, "x2".into()).unwrap().unwrap();
    assert_eq!((other.label.as_str(), other.extra.as_ref()), ("a longer label", None));
    assert_eq!(back.delete(&conn).unwrap(), 1);
    let left: Vec<String> = Scattered::select_all(&conn)
        .unwrap()
        .into_iter()
        .map(|r| r.code)
        .collect();
    assert_eq!(left, vec!["x2".to_string()]);

    let pair = Pair { a: 1, b: 2 };
    pair.insert(&conn).unwrap();
    assert_eq!(pair.update(&conn).unwrap(), 0, "nothing to set");
    assert_eq!(pair.delete(&conn).unwrap(), 1);

    // 34 columns: the values are two tuples, chained; the last column is bound through the
    // second.
    let mut wide = Wide {
        id: 7,
        c00: 0,
        c01: 1,
        c02: 2,
        c03: 3,
        c04: 4,
        c05: 5,
        c06: 6,
        c07: 7,
        c08: 8,
        c09: 9,
        c10: 10,
        c11: 11,
        c12: 12,
        c13: 13,
        c14: 14,
        c15: 15,
        c16: 16,
        c17: 17,
        c18: 18,
        c19: 19,
        c20: 20,
        c21: 21,
        c22: 22,
        c23: 23,
        c24: 24,
        c25: 25,
        c26: 26,
        c27: 27,
        c28: 28,
        c29: 29,
        c30: 30,
        c31: 31,
        c32: 32,
    };
    wide.insert(&conn).unwrap();
    wide.c31 = -31;
    wide.c32 = -32;
    assert_eq!(wide.update(&conn).unwrap(), 1);
    assert_eq!(Wide::find(&conn, 7).unwrap(), Some(wide.clone()));
    assert_eq!(wide.delete(&conn).unwrap(), 1);
    assert_eq!(Wide::find(&conn, 7).unwrap(), None);
}

/// A key stored as a Unix time: `find`, `update` and `delete` bind it encoded, as `insert`
/// stored it (a date-time bound as rusqlite maps it would be text and match nothing).
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "readings")]
struct Reading {
    #[column(primary_key, epoch)]
    at: chrono::DateTime<chrono::Utc>,
    #[column(json)]
    payload: Settings,
}

#[test]
fn an_epoch_key_is_found_updated_and_deleted_by_its_stored_form() {
    use chrono::TimeZone as _;
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("r.db")).unwrap();
    Reading::create_table(&conn).unwrap();
    let at = chrono::Utc.with_ymd_and_hms(2024, 2, 29, 13, 45, 30).unwrap();
    let mut r = Reading {
        at,
        payload: Settings {
            theme: "a".into(),
            sizes: vec![1],
        },
    };
    r.insert(&conn).unwrap();
    let stored: i64 = conn.query_row("SELECT at FROM readings", [], |row| row.get(0)).unwrap();
    assert_eq!(stored, 1_709_214_330);
    assert_eq!(Reading::find(&conn, at).unwrap(), Some(r.clone()));
    r.payload.theme = "b".into();
    assert_eq!(r.update(&conn).unwrap(), 1);
    assert_eq!(Reading::find(&conn, at).unwrap().unwrap().payload.theme, "b");
    assert_eq!(r.delete(&conn).unwrap(), 1);
    assert_eq!(Reading::find(&conn, at).unwrap(), None);
}
