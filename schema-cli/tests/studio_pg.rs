//! `schema studio` on PostgreSQL: the same HTTP API as on SQLite, against a real server the
//! test starts itself (`tests/pg/pg_server.rs`), on the blog example migrated by `schema
//! migrate`, with the types SQLite does not have (enums, uuid, numeric, timestamptz, bytea,
//! booleans), a second schema, a view and a million rows. Every write is checked with psql.
//! Without PostgreSQL's binaries the test prints `SKIPPED` on a developer's machine and fails
//! under `CI=true`.

mod support;

include!("../../tests/pg/pg_server.rs");

use serde_json::{Value, json};
use support::{Project, Resp, Studio, big_table_cases, median, print_results, q};

const ROWS: &str = r#"
INSERT INTO users (handle, email, display_name, is_admin) VALUES
  ('alice', 'alice@example.com', 'Alice', true),
  ('bob', 'bob@example.com', NULL, false),
  ('carol', 'carol@example.com', 'Carol', false);
INSERT INTO categories (id, slug, parent_id) VALUES (1, 'tech', NULL), (2, 'rust', 1);
INSERT INTO posts (author_id, category_id, slug, title, body, status, published_at, meta) VALUES
  (1, 2, 'hello-rust', 'Hello, Rust', 'Ownership.', 'published', '2024-05-01', '{"reading_minutes":3,"cover_image":"rust.png"}'),
  (1, NULL, 'zebra-notes', 'Zebra notes', 'Stripes.', 'draft', NULL, '{"reading_minutes":1,"cover_image":null}'),
  (2, 1, 'about-pg', 'About PostgreSQL', 'A server.', 'published', '2024-06-01', '{"reading_minutes":7,"cover_image":null}');
INSERT INTO comments (post_id, author_id, parent_id, body, score) VALUES
  (1, 2, NULL, 'Nice post', 3), (1, 3, 1, 'Agreed', 1), (3, 1, NULL, 'Thanks', 0);
CREATE TABLE big (id bigint PRIMARY KEY, n integer NOT NULL, label text);
INSERT INTO big SELECT i, i % 997, 'row ' || i FROM generate_series(1, 1000000) AS i;
ANALYZE big;
CREATE TABLE mixed (id integer PRIMARY KEY, v text, r double precision, b bytea);
INSERT INTO mixed SELECT i,
  CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN 'text ' || (i % 5) WHEN 2 THEN 'Text_' || (i % 3) ELSE '50% ' || (i % 2) END,
  CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 9) * 0.25 END,
  CASE WHEN i % 3 = 0 THEN '\x00ff'::bytea END
  FROM generate_series(1, 120) AS i;
CREATE SCHEMA billing;
CREATE TYPE billing.state AS ENUM ('open', 'paid');
CREATE TABLE billing.invoices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  state billing.state NOT NULL DEFAULT 'open',
  amount numeric(10, 2) NOT NULL CHECK (amount >= 0),
  issued_at timestamptz NOT NULL DEFAULT now(),
  tags text[] NOT NULL DEFAULT '{}'
);
INSERT INTO billing.invoices (id, amount, tags) VALUES ('0b5b4a4e-64f5-4a8c-9d4f-9a3c1f1d2e01', 12.50, '{a,b}');
CREATE TABLE "we""ird; name" ("a b" text PRIMARY KEY, "c""d" integer);
INSERT INTO "we""ird; name" VALUES ('x', 1), ('y', 2);
CREATE VIEW published AS SELECT id, title FROM posts WHERE status = 'published';
CREATE TABLE pinned (post_id integer NOT NULL REFERENCES posts (id) ON DELETE RESTRICT);
INSERT INTO pinned VALUES (2);
"#;

/// The blog example, migrated on a database of `server` by `schema migrate`, with rows.
fn blog(server: &PgServer) -> Project {
    server.create_database("blog").unwrap();
    let p = Project::new();
    p.write(
        "src/schema.rs",
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/blog/src/schema.rs")).unwrap(),
    );
    // A password in the URL, which nothing may print (the server trusts its socket, so it
    // is never asked for).
    let url = server.url("blog").replacen("postgres@", "postgres:s3cret@", 1);
    p.write(
        "schema.toml",
        &format!(
            "dialect = \"postgresql\"\nschema = \"src/schema.rs\"\nout = \"migrations-pg\"\n\n[database]\nurl = \"{url}\"\n"
        ),
    );
    p.run(&["generate", "--name", "init"]).expect(0);
    p.run(&["migrate"]).expect(0);
    server.psql("blog", ROWS).unwrap();
    p
}

fn start(p: &Project) -> Studio {
    let mut cmd = std::process::Command::new(support::BIN);
    cmd.args(["studio", "--port", "0"]).current_dir(p.dir.path());
    Studio::spawn(cmd)
}

fn rows(r: &Resp) -> Vec<Value> {
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["rows"].as_array().unwrap().clone()
}

fn cell(row: &Value, i: usize) -> String {
    row["cells"][i]["value"].as_str().unwrap_or("NULL").to_string()
}

fn ids(page: &[Value]) -> Vec<i64> {
    page.iter().map(|r| cell(r, 0).parse().unwrap()).collect()
}

fn psql_ids(server: &PgServer, sql: &str) -> Vec<i64> {
    server
        .psql("blog", sql)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect()
}

/// Walks every page of `path` forward, then back from the last page to the first.
fn walk(s: &Studio, path: &str) -> (Vec<i64>, Vec<i64>) {
    let mut forward = Vec::new();
    let mut url = path.to_string();
    let (last_page, last_prev) = loop {
        let page = s.get(&url).json();
        let these = page["rows"].as_array().unwrap().clone();
        forward.extend(ids(&these));
        match page["next"].as_str() {
            Some(n) => url = format!("{path}&after={n}"),
            None => break (these, page["prev"].as_str().map(str::to_string)),
        }
    };
    let mut back: Vec<i64> = ids(&last_page).into_iter().rev().collect();
    let mut prev = last_prev;
    while let Some(p) = prev {
        let page = s.get(&format!("{path}&before={p}")).json();
        back.extend(ids(page["rows"].as_array().unwrap()).into_iter().rev());
        prev = page["prev"].as_str().map(str::to_string);
    }
    back.reverse();
    (forward, back)
}

#[test]
fn the_studio_browses_and_edits_a_postgresql_database() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let p = blog(&server);
    let s = start(&p);
    let psql = |sql: &str| server.psql("blog", sql).unwrap();

    // What it serves, named without the password.
    let info = s.get("/api/info").json();
    assert_eq!(info["dialect"], "postgresql");
    let location = info["location"].as_str().unwrap();
    assert!(location.contains("blog") && !location.contains("s3cret"), "{location}");

    // Tables and views grouped by schema, counted (a huge table estimated).
    let tables = s.get("/api/tables").json();
    let schemas: Vec<&str> = tables["schemas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for want in ["public", "billing", "drizzle"] {
        assert!(schemas.contains(&want), "{schemas:?}");
    }
    let relation = |schema: &str, name: &str| -> Value {
        tables["schemas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == schema)
            .and_then(|s| s["relations"].as_array().unwrap().iter().find(|r| r["name"] == name))
            .unwrap_or_else(|| panic!("no {schema}.{name} in {tables}"))
            .clone()
    };
    assert_eq!(relation("public", "users")["rows"], json!({ "n": 3, "kind": "exact" }));
    assert_eq!(relation("public", "published")["kind"], "view");
    assert_eq!(
        relation("billing", "invoices")["rows"],
        json!({ "n": 1, "kind": "exact" })
    );
    let big = relation("public", "big")["rows"].clone();
    assert_eq!(big["kind"], "estimate", "{big}");
    let n = big["n"].as_f64().unwrap();
    assert!((900_000.0..=1_100_000.0).contains(&n), "{big}");

    // Keyset paging: the first page, and a page deep in the table from its cursor.
    let first = rows(&s.get("/api/tables/big/rows?limit=100"));
    assert_eq!(ids(&first), (1..=100).collect::<Vec<_>>());
    assert_eq!(cell(&first[4], 2), "row 5");
    let deep = s.get("/api/tables/big/rows?sort=id&dir=desc&limit=1").json();
    assert_eq!(deep["paging"], "keyset");
    assert_eq!(ids(deep["rows"].as_array().unwrap()), [1_000_000]);
    let page = s.get("/api/tables/big/rows?sort=n&dir=desc&limit=3").json();
    // n = 996 for i = 996, 1993, … : the key breaks the tie, descending.
    assert_eq!(
        ids(page["rows"].as_array().unwrap()),
        psql_ids(&server, "SELECT id FROM big ORDER BY n DESC, id DESC LIMIT 3")
    );

    // Sorting on a nullable column, both ways, forward and back: every row once, NULLs
    // first ascending as on SQLite.
    for (dir, order) in [("asc", "ASC NULLS FIRST"), ("desc", "DESC NULLS LAST")] {
        for column in ["v", "r", "b"] {
            let want = psql_ids(
                &server,
                &format!(
                    "SELECT id FROM mixed ORDER BY {column} {order}, id {}",
                    &order[..order.find(' ').unwrap()]
                ),
            );
            let (forward, back) = walk(&s, &format!("/api/tables/mixed/rows?sort={column}&dir={dir}&limit=7"));
            assert_eq!(forward, want, "{column} {dir}");
            assert_eq!(back, want, "{column} {dir}, backwards");
        }
    }
    // Filters: contains (LIKE's wildcards literal, case-insensitive), equals cast to the
    // column's type, NULL.
    let count = |sql: &str| psql(sql).parse::<usize>().unwrap();
    assert_eq!(
        rows(&s.get(&format!("/api/tables/mixed/rows?f.v={}&limit=1000", q("has:50%")))).len(),
        count("SELECT count(*) FROM mixed WHERE v LIKE '50\\%%'")
    );
    assert_eq!(
        rows(&s.get(&format!("/api/tables/mixed/rows?f.v={}&limit=1000", q("has:text_")))).len(),
        count("SELECT count(*) FROM mixed WHERE v ILIKE '%text\\_%'")
    );
    assert_eq!(
        rows(&s.get("/api/tables/mixed/rows?f.r=null&limit=1000")).len(),
        count("SELECT count(*) FROM mixed WHERE r IS NULL")
    );
    assert_eq!(rows(&s.get("/api/tables/posts/rows?f.author_id=eq:1")).len(), 2);
    let r = s.get("/api/tables/posts/rows?f.author_id=eq:one");
    assert_eq!(r.status, 409, "the server's refusal: {}", r.text());
    assert!(
        r.error().contains("invalid input syntax for type bigint"),
        "{}",
        r.error()
    );

    // Cells: a bytea as a blob, a double as a real, JSON text as JSON, a boolean as its word.
    let m = rows(&s.get("/api/tables/mixed/rows?f.id=eq:3"));
    assert_eq!(
        m[0]["cells"][3],
        json!({ "type": "blob", "size": 2, "hex": "00ff", "truncated": false })
    );
    assert_eq!(m[0]["cells"][2]["type"], "real");
    let u = rows(&s.get("/api/tables/users/rows?f.handle=eq:alice"));
    let table = s.get("/api/tables/users").json();
    let col = |name: &str| {
        table["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c["name"] == name)
            .unwrap()
    };
    assert_eq!(cell(&u[0], col("is_admin")), "true");
    let post = rows(&s.get("/api/tables/posts/rows?f.id=eq:1"));
    let posts = s.get("/api/tables/posts").json();
    let meta = posts["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["name"] == "meta")
        .unwrap();
    assert_eq!(post[0]["cells"][meta]["json"], true, "{}", post[0]);

    // Relations: a row by a foreign key's value, and the rows that point at it.
    let r = s.get("/api/tables/posts/row?w.id=2").json();
    let children: Vec<(String, Value)> = r["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["table"].as_str().unwrap().to_string(), c["count"].clone()))
        .collect();
    assert!(
        children.contains(&("pinned".to_string(), json!({ "n": 1, "kind": "exact" }))),
        "{children:?}"
    );

    // Edits, each checked in the database: a boolean, an enum in another schema, a numeric,
    // an array; each value bound as text and cast to its column's own type.
    let key_of = |table: &str, filter: &str| -> String {
        rows(&s.get(&format!("/api/tables/{table}/rows?{filter}")))[0]["key"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let bob = key_of("users", "f.handle=eq:bob");
    let r = s.call(
        "PATCH",
        "/api/tables/users/rows",
        Some(&json!({ "key": bob, "column": "is_admin", "value": { "type": "text", "value": "true" } })),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(psql("SELECT is_admin FROM users WHERE handle = 'bob'"), "t");
    let invoice = key_of("invoices", "limit=1");
    for (column, value, check, want) in [
        ("state", "paid", "state::text", "paid"),
        ("amount", "99.95", "amount::text", "99.95"),
        ("tags", "{x,\"y z\"}", "tags::text", "{x,\"y z\"}"),
    ] {
        let r = s.call(
            "PATCH",
            "/api/tables/invoices/rows",
            Some(&json!({ "key": invoice, "column": column, "value": { "type": "text", "value": value } })),
        );
        assert_eq!(r.status, 200, "{column}: {}", r.text());
        assert_eq!(psql(&format!("SELECT {check} FROM billing.invoices")), want);
    }
    // Refused by the server, in its words, and nothing written: an enum value it does not
    // have, a check, a unique key, a foreign key.
    for (table, key, column, value, words) in [
        (
            "invoices",
            invoice.clone(),
            "state",
            "void",
            "invalid input value for enum billing.state",
        ),
        ("invoices", invoice.clone(), "amount", "-1", "violates check constraint"),
        (
            "users",
            bob.clone(),
            "email",
            "alice@example.com",
            "duplicate key value",
        ),
        (
            "posts",
            key_of("posts", "f.id=eq:1"),
            "author_id",
            "99",
            "violates foreign key constraint",
        ),
    ] {
        let r = s.call(
            "PATCH",
            &format!("/api/tables/{table}/rows"),
            Some(&json!({ "key": key, "column": column, "value": { "type": "text", "value": value } })),
        );
        assert!(r.status >= 400, "{table}.{column} = {value}: {}", r.text());
        assert!(r.error().contains(words), "{}", r.error());
    }
    assert_eq!(
        psql("SELECT state::text || ' ' || amount FROM billing.invoices"),
        "paid 99.95"
    );
    assert_eq!(psql("SELECT email FROM users WHERE handle = 'bob'"), "bob@example.com");
    assert_eq!(psql("SELECT author_id FROM posts WHERE id = 1"), "1");

    // Insert with the server's defaults (a uuid, an enum, now()), returned as stored.
    let r = s.call(
        "POST",
        "/api/tables/invoices/rows",
        Some(&json!({ "values": { "amount": { "type": "text", "value": "3.10" } } })),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let inserted = r.json()["row"].clone();
    assert_eq!(cell(&inserted, 1), "open");
    assert_eq!(cell(&inserted, 2), "3.10");
    let id = cell(&inserted, 0);
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(
        psql(&format!(
            "SELECT count(*) FROM billing.invoices WHERE id = '{id}' AND issued_at <= now()"
        )),
        "1"
    );
    let r = s.call(
        "POST",
        "/api/tables/users/rows",
        Some(&json!({ "values": { "handle": { "type": "text", "value": "dave" }, "email": { "type": "text", "value": "dave@example.com" } } })),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(psql("SELECT is_admin FROM users WHERE handle = 'dave'"), "f");

    // Delete: all or nothing. A post a pinned row restricts is refused, with the one beside
    // it that could go.
    let keys = [key_of("posts", "f.id=eq:2"), key_of("posts", "f.id=eq:3")];
    psql("DELETE FROM comments WHERE post_id = 3");
    let r = s.call("DELETE", "/api/tables/posts/rows", Some(&json!({ "keys": keys })));
    assert!(r.status >= 400, "{}", r.text());
    assert!(r.error().contains("pinned"), "{}", r.error());
    assert_eq!(psql("SELECT count(*) FROM posts"), "3");
    let r = s.call("DELETE", "/api/tables/posts/rows", Some(&json!({ "keys": [keys[1]] })));
    assert_eq!(r.json()["deleted"], 1, "{}", r.text());
    assert_eq!(psql("SELECT count(*) FROM posts WHERE id = 3"), "0");
    // A table without a primary key and a view: browsed, never edited.
    assert_eq!(s.get("/api/tables/pinned/rows").json()["paging"], "offset");
    assert_eq!(rows(&s.get("/api/tables/published/rows")).len(), 1);
    let r = s.call(
        "POST",
        "/api/tables/pinned/rows",
        Some(&json!({ "values": { "post_id": { "type": "integer", "value": "1" } } })),
    );
    assert_eq!(r.status, 400, "{}", r.text());

    // Names that need quoting, and injection in every parameter: names are checked against
    // the catalog, values bound.
    let weird = rows(&s.get(&format!("/api/tables/{}/rows?sort={}", q("we\"ird; name"), q("c\"d"))));
    assert_eq!(weird.len(), 2);
    for path in [
        format!("/api/tables/{}/rows", q("users; DROP TABLE users")),
        format!("/api/tables/users/rows?sort={}", q("id; DROP TABLE users")),
        format!("/api/tables/users/rows?{}=eq:1", q("f.id) OR (1=1")),
    ] {
        let r = s.get(&path);
        assert!(r.status == 400 || r.status == 404, "{path}: {}", r.text());
    }
    let r = s.get(&format!("/api/tables/users/rows?f.handle={}", q("eq:x' OR '1'='1")));
    assert_eq!(rows(&r).len(), 0);
    assert_eq!(psql("SELECT count(*) FROM users"), "4");

    // The console: read-only by default (the transaction itself), writes only when asked,
    // one statement at a time, a huge result cut at the page's limit.
    let console = |sql: &str, write: bool| s.call("POST", "/api/console", Some(&json!({ "sql": sql, "write": write })));
    let r = console(
        "SELECT handle, is_admin, 1.5::float8 AS f, '\\x01'::bytea AS b FROM users ORDER BY id LIMIT 1",
        false,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(j["columns"], json!(["handle", "is_admin", "f", "b"]));
    assert_eq!(j["rows"][0][0]["value"], "alice");
    assert_eq!(j["rows"][0][2]["type"], "real");
    assert_eq!(j["rows"][0][3]["type"], "blob");
    let r = console("SELECT id FROM big", false).json();
    assert_eq!(
        (r["rows"].as_array().unwrap().len(), &r["truncated"]),
        (1000, &json!(true))
    );
    let r = console("DELETE FROM users WHERE handle = 'dave'", false);
    assert!(r.status >= 400 && r.error().contains("read-only"), "{}", r.text());
    let r = console(
        "WITH gone AS (DELETE FROM users WHERE handle = 'dave' RETURNING 1) SELECT count(*) FROM gone",
        false,
    );
    assert!(r.status >= 400, "{}", r.text());
    assert_eq!(psql("SELECT count(*) FROM users WHERE handle = 'dave'"), "1");
    let r = console("SELECT nextval(pg_get_serial_sequence('users', 'id'))", false);
    assert!(r.status >= 400, "{}", r.text());
    let r = console("SELECT 1; DELETE FROM users", true);
    assert!(r.error().contains("one statement at a time"), "{}", r.text());
    let r = console("BEGIN", true);
    assert!(r.status >= 400, "{}", r.text());
    let r = console("DELETE FROM users WHERE handle = 'dave'", true);
    assert_eq!(r.json()["changes"], 1, "{}", r.text());
    assert_eq!(psql("SELECT count(*) FROM users WHERE handle = 'dave'"), "0");
    let r = console(
        "WITH gone AS (DELETE FROM comments WHERE body = 'Agreed' RETURNING id) SELECT count(*) FROM gone",
        true,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(psql("SELECT count(*) FROM comments WHERE body = 'Agreed'"), "0");

    // The schema, the diagram, and the migrations as status says them, with the drift.
    let schema = s.get("/api/schema").json();
    let posts = schema["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "posts")
        .unwrap()
        .clone();
    assert!(
        posts["indexes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"] == "posts_published_idx"),
        "{posts}"
    );
    assert!(
        posts["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "posts_status_known"),
        "{posts}"
    );
    let svg = s.get("/api/diagram.svg").text();
    assert!(svg.contains("invoices") && svg.contains("comments"), "{svg}");
    let m = s.get("/api/migrations").json();
    assert_eq!(m["migrations"][0]["state"], "applied", "{m}");
    assert!(m["error"].is_null(), "{m}");
    let drift = m["drift"].to_string();
    assert!(drift.contains("big") && drift.contains("invoices"), "{drift}");

    // A schema change is seen at the next request.
    psql("ALTER TABLE users ADD COLUMN nickname text DEFAULT 'none'");
    let cols = s.get("/api/tables/users").json()["columns"].to_string();
    assert!(cols.contains("nickname"), "{cols}");

    let (code, err) = s.interrupt();
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
}

#[test]
fn a_missing_postgresql_database_is_an_input_error() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let p = Project::new();
    let url = server.url("nowhere").replacen("postgres@", "postgres:s3cret@", 1);
    let r = p.run(&["--dialect", "postgresql", "--url", &url, "studio", "--port", "0"]);
    let r = r.expect(2);
    assert!(
        r.stderr().contains("nowhere") && !r.stderr().contains("s3cret"),
        "{}",
        r.stderr()
    );
    assert_eq!(
        server
            .psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'nowhere'")
            .unwrap(),
        "0",
        "the studio never creates a database"
    );
    // A file where the dialect wants a server: said, exit 2.
    let r = p.run(&["--dialect", "postgresql", "--url", "blog.db", "studio", "--port", "0"]);
    let r = r.expect(2);
    assert!(r.stderr().contains("not a PostgreSQL URL"), "{}", r.stderr());
}

/// The benchmark of the PostgreSQL studio (ignored by `cargo test`): the SQLite benchmark's
/// pages of a 1,000,000-row table, on the server, each as a ratio to the first page.
///
/// ```sh
/// cargo test --release -p schema-cli --test studio_pg -- --ignored --nocapture
/// ```
#[test]
#[ignore = "a benchmark: run it with --ignored --nocapture (and --release)"]
fn studio_pages_on_postgresql() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let p = blog(&server);
    server
        .psql("blog", "CREATE INDEX big_n ON big (n); ANALYZE big;")
        .unwrap();
    let s = start(&p);
    let cases = big_table_cases(&s);
    let results: Vec<(String, std::time::Duration)> = cases
        .iter()
        .map(|(n, path)| (n.to_string(), median(&s, path)))
        .collect();
    print_results(&results);
}
