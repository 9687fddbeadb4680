//! Types of other crates as columns (schema-core's cargo features `chrono`, `time`, `uuid`;
//! `serde_json::Value` needs none): each round-trips through a real SQLite file, is stored in
//! its documented form, takes the database's defaults, and is mapped the same by the CLI's
//! reading of this file as by the derive.

use rusqlite::Connection;
use schema_core::Table;
use schema_core::dialect::Dialect as _;
use schema_core::sqlite::SQLITE;

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "events")]
struct Event {
    #[column(primary_key, autoincrement)]
    id: i64,
    day: chrono::NaiveDate,
    at: chrono::NaiveDateTime,
    instant: chrono::DateTime<chrono::Utc>,
    t_day: time::Date,
    t_at: time::PrimitiveDateTime,
    t_instant: time::OffsetDateTime,
    uid: uuid::Uuid,
    doc: serde_json::Value,
    maybe_day: Option<chrono::NaiveDate>,
    maybe_uid: Option<uuid::Uuid>,
    maybe_doc: Option<serde_json::Value>,
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    created: chrono::NaiveDateTime,
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    created_utc: chrono::DateTime<chrono::Utc>,
    #[column(default = "2024-01-31")]
    due: chrono::NaiveDate,
}

fn db() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("types.db")).unwrap();
    Event::create_table(&conn).unwrap();
    (dir, conn)
}

fn sample() -> Event {
    use chrono::{NaiveDate, TimeZone as _};
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let at = day.and_hms_nano_opt(13, 45, 30, 123_456_789).unwrap();
    Event {
        id: 1, // the first key the database gives (insert leaves autoincrement out)
        day,
        at,
        instant: chrono::Utc.from_utc_datetime(&at),
        t_day: time::macros::date!(2024 - 02 - 29),
        t_at: time::macros::datetime!(2024-02-29 13:45:30.5),
        t_instant: time::macros::datetime!(2024-02-29 13:45:30 +02:00),
        uid: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        doc: serde_json::json!({"tags": ["a", "b"], "n": 1.5, "ok": true}),
        maybe_day: None,
        maybe_uid: Some(uuid::Uuid::nil()),
        maybe_doc: Some(serde_json::Value::Null),
        created: NaiveDate::from_ymd_opt(2000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap(),
        created_utc: chrono::Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap(),
        due: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
    }
}

fn raw(conn: &Connection, column: &str) -> (String, String) {
    conn.query_row(
        &format!(
            "SELECT typeof({column}), CASE typeof({column}) WHEN 'blob' THEN hex({column}) ELSE CAST({column} AS TEXT) END \
             FROM events WHERE id = 1"
        ),
        [],
        |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default())),
    )
    .unwrap()
}

#[test]
fn every_type_round_trips_through_a_file() {
    let (_dir, conn) = db();
    let e = sample();
    e.insert(&conn).unwrap();
    assert_eq!(Event::find(&conn, 1).unwrap(), Some(e.clone()));
    assert_eq!(Event::select_all(&conn).unwrap(), vec![e]);
}

/// The storage forms README documents, read back with SQL as another program would.
#[test]
fn each_type_is_stored_in_its_documented_form() {
    let (_dir, conn) = db();
    sample().insert(&conn).unwrap();
    let text = |v: &str| ("text".to_string(), v.to_string());
    assert_eq!(raw(&conn, "day"), text("2024-02-29"));
    assert_eq!(raw(&conn, "at"), text("2024-02-29 13:45:30.123456789"));
    assert_eq!(raw(&conn, "instant"), text("2024-02-29 13:45:30.123456789+00:00"));
    assert_eq!(raw(&conn, "t_day"), text("2024-02-29"));
    assert_eq!(raw(&conn, "t_at"), text("2024-02-29 13:45:30.5"));
    assert_eq!(raw(&conn, "t_instant"), text("2024-02-29 13:45:30.0+02:00"));
    // A UUID is its 16 bytes, big-endian.
    assert_eq!(
        raw(&conn, "uid"),
        ("blob".to_string(), "0123456789ABCDEF0123456789ABCDEF".to_string())
    );
    assert_eq!(raw(&conn, "doc"), text(r#"{"tags":["a","b"],"n":1.5,"ok":true}"#));
    assert_eq!(raw(&conn, "maybe_day"), ("null".to_string(), String::new()));
    // JSON null in a nullable column is the JSON text, not SQL NULL: both come back apart.
    assert_eq!(raw(&conn, "maybe_doc"), text("null"));
    // SQLite's own date functions read the text forms.
    let julian: f64 = conn
        .query_row("SELECT julianday(at) - julianday(day) FROM events", [], |r| r.get(0))
        .unwrap();
    assert!((julian - 0.573).abs() < 0.001, "{julian}");
}

#[test]
fn defaults_come_back_typed() {
    let (_dir, conn) = db();
    let e = sample();
    let stored = NewEvent::new(
        e.day,
        e.at,
        e.instant,
        e.t_day,
        e.t_at,
        e.t_instant,
        e.uid,
        e.doc.clone(),
    )
    .insert(&conn)
    .unwrap();
    let now = chrono::Utc::now();
    assert!(
        (now - stored.created_utc).num_seconds().abs() < 120,
        "{}",
        stored.created_utc
    );
    assert_eq!(stored.created, stored.created_utc.naive_utc());
    assert_eq!(stored.due, chrono::NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
    assert_eq!(stored.maybe_doc, None);
}

#[test]
fn text_that_is_not_a_date_is_an_error_not_a_panic() {
    let (_dir, conn) = db();
    sample().insert(&conn).unwrap();
    conn.execute("UPDATE events SET day = 'next tuesday'", []).unwrap();
    let e = Event::find(&conn, 1).unwrap_err().to_string();
    assert!(e.contains("day") || e.to_lowercase().contains("conversion"), "{e}");
    conn.execute("UPDATE events SET day = '2024-02-29', uid = x'00'", [])
        .unwrap();
    assert!(Event::find(&conn, 1).is_err(), "a 1-byte blob is not a UUID");
    conn.execute("UPDATE events SET uid = zeroblob(16), doc = '{not json'", [])
        .unwrap();
    assert!(Event::find(&conn, 1).is_err(), "text that is not JSON");
}

/// The CLI reads this very file: its columns are the derive's.
#[test]
fn the_cli_maps_the_types_as_the_derive_does() {
    let cli = schema_tests::schema_from_source(include_str!("types.rs"));
    let derived = Event::table_def();
    assert_eq!(cli.tables.len(), 2);
    assert_eq!(&cli.tables[0], derived);
    let sql = SQLITE.create_table_statements(derived).join("\n");
    for col in [
        "`day` text NOT NULL",
        "`instant` text NOT NULL",
        "`t_instant` text NOT NULL",
        "`uid` blob NOT NULL",
        "`doc` text NOT NULL",
        "`maybe_uid` blob",
        "`created` text DEFAULT CURRENT_TIMESTAMP NOT NULL",
        "`due` text DEFAULT '2024-01-31' NOT NULL",
    ] {
        assert!(sql.contains(col), "{col} in:\n{sql}");
    }
}

/// Defaults are checked against the type when the schema is read, by the derive and the CLI.
#[test]
fn a_default_that_does_not_fit_the_type_is_refused_at_the_attribute() {
    let errors = |src: &str| {
        let file = syn::parse_file(src).unwrap();
        match schema_model::parse::from_file(&file) {
            Ok(_) => panic!("accepted: {src}"),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"),
        }
    };
    let table = |field: &str| format!("#[derive(Table)] struct T {{ #[column(primary_key)] id: i64, {field} }}");
    let e = errors(&table("#[column(default = 3)] day: chrono::NaiveDate,"));
    assert!(
        e.contains("a date or time takes a string literal in ISO-8601 form"),
        "{e}"
    );
    let e = errors(&table("#[column(default = \"x\")] uid: uuid::Uuid,"));
    assert!(e.contains("a UUID takes no literal default"), "{e}");
}

/// `#[column(epoch)]`: a date-time stored as a Unix time on SQLite, in seconds or milliseconds.
#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "ticks")]
struct Tick {
    #[column(primary_key)]
    id: i64,
    #[column(epoch)]
    at: chrono::DateTime<chrono::Utc>,
    #[column(epoch = "ms")]
    at_ms: chrono::NaiveDateTime,
    #[column(epoch)]
    t_at: time::OffsetDateTime,
    #[column(epoch = "ms")]
    t_naive: Option<time::PrimitiveDateTime>,
    #[column(epoch, default_sql = "(unixepoch())")]
    created: chrono::DateTime<chrono::Utc>,
}

#[test]
fn epoch_columns_store_unix_times_and_read_them_back() {
    use chrono::TimeZone as _;
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("ticks.db")).unwrap();
    Tick::create_table(&conn).unwrap();
    let sql = SQLITE.create_table_statements(Tick::table_def()).join("\n");
    assert!(
        sql.contains("`at` integer NOT NULL") && sql.contains("`at_ms` integer NOT NULL"),
        "{sql}"
    );
    let at = chrono::Utc.with_ymd_and_hms(2024, 2, 29, 13, 45, 30).unwrap();
    let row = Tick {
        id: 1,
        at,
        at_ms: (at + chrono::Duration::milliseconds(250)).naive_utc(),
        t_at: time::macros::datetime!(2024-02-29 13:45:30 +02:00),
        t_naive: Some(time::macros::datetime!(1969-12-31 23:59:59.5)),
        created: at,
    };
    row.insert(&conn).unwrap();
    let stored: (i64, i64, i64, i64) = conn
        .query_row("SELECT at, at_ms, t_at, t_naive FROM ticks", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!(stored, (1_709_214_330, 1_709_214_330_250, 1_709_207_130, -500));
    let back = Tick::find(&conn, 1).unwrap().unwrap();
    // An offset is not kept: the same instant comes back in UTC.
    assert_eq!(back.t_at, row.t_at);
    assert_eq!(
        back,
        Tick {
            t_at: back.t_at,
            ..row.clone()
        }
    );
    // The database's default, through the insert struct.
    let new = NewTick::new(2, at, row.at_ms, row.t_at);
    let inserted = new.insert(&conn).unwrap();
    assert!(inserted.created.timestamp() > 1_700_000_000, "{inserted:?}");
    assert_eq!(inserted.t_naive, None);
    // A number no date-time holds is an error on read, never a panic.
    conn.execute("UPDATE ticks SET at = 9223372036854775807 WHERE id = 1", [])
        .unwrap();
    let err = Tick::find(&conn, 1).unwrap_err().to_string();
    assert!(err.contains("outside the range"), "{err}");
}

#[test]
fn the_cli_reads_epoch_as_the_derive_does_and_postgres_keeps_its_timestamps() {
    let cli = schema_tests::schema_from_source(include_str!("types.rs"));
    let ticks = cli.tables.iter().find(|t| t.name == "ticks").unwrap();
    assert_eq!(ticks, Tick::table_def());
    let pg = schema_core::postgres::POSTGRES;
    let at = &Tick::table_def().columns[1];
    assert_eq!(pg.column_type(&at.ty), "timestamp with time zone");
    assert_eq!(pg.column_type(&Tick::table_def().columns[2].ty), "timestamp");
    let errors = |src: &str| {
        let file = syn::parse_file(src).unwrap();
        match schema_model::parse::from_file(&file) {
            Ok(_) => panic!("accepted: {src}"),
            Err(e) => e.to_string(),
        }
    };
    let e = errors("#[derive(Table)] struct T { #[column(epoch)] day: chrono::NaiveDate }");
    assert!(e.contains("#[column(epoch)] stores a date-time as a Unix time"), "{e}");
    let e = errors("#[derive(Table)] struct T { #[column(epoch = \"us\")] at: chrono::NaiveDateTime }");
    assert!(e.contains("`epoch` is in seconds"), "{e}");
    let e =
        errors("#[derive(Table)] struct T { #[column(epoch, default = \"2024-01-01\")] at: chrono::NaiveDateTime }");
    assert!(e.contains("an epoch column takes an integer"), "{e}");
}
