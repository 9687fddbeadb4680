//! The derived insert struct (`NewTask` for `Task`): a row inserted without its defaulted,
//! generated and autoincrement columns gets the database's values, and `insert` returns the row
//! as stored. Every kind of default, on a real SQLite file, failures included.

use rusqlite::Connection;
use schema_core::Table;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
struct Labels(Vec<String>);

#[derive(Table, Debug, Clone, PartialEq)]
#[table(name = "tasks")]
#[check(name = "tasks_priority_range", expr = "priority BETWEEN 0 AND 9")]
struct Task {
    #[column(primary_key, autoincrement)]
    id: i64,
    title: String,
    #[column(unique)]
    slug: String,
    // A literal of each kind.
    #[column(default = 1.5)]
    weight: f64,
    #[column(default = 3)]
    priority: i64,
    #[column(default = true)]
    open: bool,
    #[column(default = "it's new")]
    note: Option<String>,
    // SQL defaults: CURRENT_TIMESTAMP and an expression.
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    created_at: String,
    #[column(default_sql = "(abs(-42))")]
    answer: i64,
    // Nullable without a default: `None` is NULL.
    due: Option<String>,
    #[column(json, default = "[]")]
    labels: Labels,
    // Generated, virtual and stored: never given, always returned.
    #[column(generated = "upper(title)")]
    shout: String,
    #[column(generated = "priority * 10", stored)]
    rank: i64,
    #[column(skip)]
    scratch: String,
}

fn db() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("app.db")).unwrap();
    Task::create_table(&conn).unwrap();
    (dir, conn)
}

fn stored(conn: &Connection, id: i64) -> Task {
    Task::find(conn, id).unwrap().expect("the row is stored")
}

#[test]
fn every_default_is_the_databases_when_left_out() {
    let (_dir, conn) = db();
    let t = NewTask::new("Write the report".into(), "report".into())
        .insert(&conn)
        .unwrap();
    assert_eq!(t.id, 1, "the autoincrement key is the database's");
    assert_eq!(t.title, "Write the report");
    assert_eq!(t.weight, 1.5);
    assert_eq!(t.priority, 3);
    assert!(t.open);
    assert_eq!(t.note.as_deref(), Some("it's new"));
    assert_eq!(t.answer, 42);
    assert_eq!(t.due, None);
    assert_eq!(t.labels, Labels(vec![]));
    assert_eq!(t.shout, "WRITE THE REPORT");
    assert_eq!(t.rank, 30);
    // CURRENT_TIMESTAMP: "YYYY-MM-DD HH:MM:SS", today, not the empty string a struct would give.
    let today: String = conn.query_row("SELECT date('now')", [], |r| r.get(0)).unwrap();
    assert_eq!(t.created_at.len(), 19, "{}", t.created_at);
    assert!(t.created_at.starts_with(&today), "{} vs {today}", t.created_at);
    // What came back is what is stored.
    assert_eq!(stored(&conn, t.id), t);

    let second = NewTask::new("Second".into(), "second".into()).insert(&conn).unwrap();
    assert_eq!(second.id, 2);
}

#[test]
fn given_values_win_over_defaults() {
    let (_dir, conn) = db();
    let t = NewTask::new("Given".into(), "given".into())
        .id(40)
        .weight(0.25)
        .priority(9)
        .open(false)
        .note(Some("mine".into()))
        .created_at("2020-01-02 03:04:05".into())
        .answer(7)
        .due(Some("tomorrow".into()))
        .labels(Labels(vec!["a".into(), "b".into()]))
        .insert(&conn)
        .unwrap();
    let want = Task {
        id: 40,
        title: "Given".into(),
        slug: "given".into(),
        weight: 0.25,
        priority: 9,
        open: false,
        note: Some("mine".into()),
        created_at: "2020-01-02 03:04:05".into(),
        answer: 7,
        due: Some("tomorrow".into()),
        labels: Labels(vec!["a".into(), "b".into()]),
        shout: "GIVEN".into(),
        rank: 90,
        scratch: String::new(),
    };
    assert_eq!(t, want);
    assert_eq!(stored(&conn, 40), want);
    // The autoincrement counter goes on from the key given.
    assert_eq!(NewTask::new("n".into(), "n".into()).insert(&conn).unwrap().id, 41);
    // The JSON is stored as JSON text.
    let raw: String = conn
        .query_row("SELECT labels FROM tasks WHERE id = 40", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, r#"["a","b"]"#);
}

#[test]
fn a_nullable_column_with_a_default_can_be_set_to_null() {
    let (_dir, conn) = db();
    // `note` is `Option<Option<String>>` in the insert struct: `None` is the default,
    // `Some(None)` is NULL.
    let mut new = NewTask::new("Null note".into(), "null-note".into());
    new.note = Some(None);
    let t = new.insert(&conn).unwrap();
    assert_eq!(t.note, None);
    let is_null: bool = conn
        .query_row("SELECT note IS NULL FROM tasks WHERE id = ?1", [t.id], |r| r.get(0))
        .unwrap();
    assert!(is_null);
    // The struct literal spells out every column, as a literal must.
    let literal = NewTask {
        id: None,
        title: "Literal".into(),
        slug: "literal".into(),
        weight: None,
        priority: Some(1),
        open: None,
        note: None,
        created_at: None,
        answer: None,
        due: None,
        labels: None,
    };
    let t = literal.insert(&conn).unwrap();
    assert_eq!((t.priority, t.rank, t.weight), (1, 10, 1.5));
}

#[test]
fn a_refused_row_is_an_error_and_nothing_is_stored() {
    let (_dir, conn) = db();
    NewTask::new("One".into(), "dup".into()).insert(&conn).unwrap();
    let e = NewTask::new("Two".into(), "dup".into()).insert(&conn).unwrap_err();
    assert!(e.to_string().contains("UNIQUE constraint failed: tasks.slug"), "{e}");
    let e = NewTask::new("Bad".into(), "bad".into())
        .priority(12)
        .insert(&conn)
        .unwrap_err();
    assert!(
        e.to_string().contains("CHECK constraint failed: tasks_priority_range"),
        "{e}"
    );
    let n: i64 = conn.query_row("SELECT count(*) FROM tasks", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn inside_a_transaction_the_insert_rolls_back_with_it() {
    let (_dir, mut conn) = db();
    let tx = conn.transaction().unwrap();
    let t = NewTask::new("In tx".into(), "tx".into()).insert(&tx).unwrap();
    assert_eq!(Task::find(&tx, t.id).unwrap(), Some(t));
    tx.rollback().unwrap();
    assert_eq!(Task::select_all(&conn).unwrap(), vec![]);
}

/// Every column the database can fill: the insert struct has `Default`, and an empty row is
/// `INSERT .. DEFAULT VALUES`.
#[derive(Table, Debug, PartialEq)]
#[table(name = "events", new_derive(Debug, Clone, PartialEq, serde::Deserialize))]
struct Event {
    #[column(primary_key, autoincrement)]
    id: i64,
    #[column(default_sql = "CURRENT_TIMESTAMP")]
    at: String,
    #[column(default = "ping")]
    kind: String,
    payload: Option<Vec<u8>>,
}

#[test]
fn a_row_of_defaults_only() {
    let (_dir, conn) = db();
    Event::create_table(&conn).unwrap();
    let e = NewEvent::default().insert(&conn).unwrap();
    assert_eq!((e.id, e.kind.as_str(), e.payload.as_deref()), (1, "ping", None));
    assert_eq!(e.at.len(), 19);
    let e = NewEvent::new().payload(Some(vec![0, 255])).insert(&conn).unwrap();
    assert_eq!((e.id, e.payload), (2, Some(vec![0, 255])));
}

/// A composite text key without defaults, and an insert struct renamed because the
/// application already has a `NewMembership` (diesel's naming).
#[derive(Table, Debug, PartialEq)]
#[table(name = "memberships", primary_key(org, user), new_struct = "CreateMembership")]
struct Membership {
    org: String,
    user: String,
    #[column(default = "member")]
    role: String,
    since: Option<i64>,
}

#[allow(dead_code)]
struct NewMembership;

#[test]
fn a_renamed_insert_struct_and_a_composite_key() {
    let (_dir, conn) = db();
    Membership::create_table(&conn).unwrap();
    let m = CreateMembership::new("acme".into(), "ann".into())
        .insert(&conn)
        .unwrap();
    assert_eq!(
        m,
        Membership {
            org: "acme".into(),
            user: "ann".into(),
            role: "member".into(),
            since: None
        }
    );
    assert_eq!(Membership::find(&conn, ("acme".into(), "ann".into())).unwrap(), Some(m));
    let e = CreateMembership::new("acme".into(), "ann".into())
        .insert(&conn)
        .unwrap_err();
    assert!(e.to_string().contains("UNIQUE constraint failed"), "{e}");
}

/// `u64` above `i64::MAX` cannot be stored: an error, never a wrapped number.
#[derive(Table, Debug, PartialEq)]
#[table(name = "counters")]
struct Counter {
    #[column(primary_key)]
    name: String,
    #[column(default = 0)]
    value: u64,
}

#[test]
fn a_value_that_does_not_fit_is_an_error() {
    let (_dir, conn) = db();
    Counter::create_table(&conn).unwrap();
    let e = NewCounter::new("big".into()).value(u64::MAX).insert(&conn).unwrap_err();
    assert!(
        e.to_string().to_lowercase().contains("out of range") || e.to_string().contains("18446744073709551615"),
        "{e}"
    );
    assert_eq!(Counter::select_all(&conn).unwrap(), vec![]);
    let c = NewCounter::new("small".into()).insert(&conn).unwrap();
    assert_eq!(c.value, 0);
}

/// `new_derive(..)` gives the insert struct derives of its own: here a request body read from
/// JSON, the fields it leaves out left to the database.
#[test]
fn the_insert_struct_takes_derives_a_web_handler_needs() {
    let (_dir, conn) = db();
    Event::create_table(&conn).unwrap();
    let body: NewEvent = serde_json::from_str(r#"{"kind": "signup"}"#).unwrap();
    assert_eq!(body.clone(), NewEvent::new().kind("signup".into()));
    assert!(format!("{body:?}").contains("signup"));
    let e = body.insert(&conn).unwrap();
    assert_eq!((e.id, e.kind.as_str(), e.payload), (1, "signup", None));
    assert_eq!(e.at.len(), 19);
    // A body with a value of the wrong type is refused before anything is written.
    assert!(serde_json::from_str::<NewEvent>(r#"{"kind": 3}"#).is_err());
    assert_eq!(Event::select_all(&conn).unwrap().len(), 1);
}
