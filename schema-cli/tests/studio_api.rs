//! `schema studio`'s HTTP API, driven over real sockets against the real binary on a copy of
//! the blog database: the guard (token, Host, Origin), every endpoint, injection attempts in
//! every parameter, keyset paging over a million rows, and writes checked in the database.

mod support;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use support::{Fixture, Resp, Studio, count, fixture, q, raw};

fn setup() -> (Fixture, Studio) {
    let f = fixture(true);
    let s = Studio::start(&f, &[]);
    (f, s)
}

/// Every endpoint, as (method, path, body).
fn endpoints() -> Vec<(&'static str, &'static str, Option<Value>)> {
    let key1 = cursor(&json!([{ "type": "integer", "value": "1" }]));
    vec![
        ("GET", "/", None),
        ("GET", "/t/users", None),
        ("GET", "/assets/app.js", None),
        ("GET", "/api/info", None),
        ("GET", "/api/tables", None),
        ("GET", "/api/schema", None),
        ("GET", "/api/diagram.svg", None),
        ("GET", "/api/tables/users", None),
        ("GET", "/api/tables/users/rows", None),
        ("GET", "/api/tables/users/row?w.id=1", None),
        ("GET", "/api/migrations", None),
        ("GET", "/api/migrations/0000_init", None),
        (
            "POST",
            "/api/tables/users/rows",
            Some(json!({ "values": { "handle": "mallory", "email": "m@example.com" } })),
        ),
        (
            "PATCH",
            "/api/tables/users/rows",
            Some(json!({ "key": key1, "column": "handle", "value": { "type": "text", "value": "pwned" } })),
        ),
        ("DELETE", "/api/tables/users/rows", Some(json!({ "keys": [key1] }))),
        (
            "POST",
            "/api/console",
            Some(json!({ "sql": "DELETE FROM users", "write": true })),
        ),
    ]
}

fn send(s: &Studio, method: &str, path: &str, host: &str, headers: &[(&str, String)], body: Option<&Value>) -> Resp {
    let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let body = body.map(Value::to_string);
    raw(&s.host, method, path, host, &headers, body.as_deref())
}

/// Nothing any refused request could have written.
fn assert_untouched(f: &Fixture) {
    let c = f.conn();
    assert_eq!(count(&c, "SELECT count(*) FROM users"), 3);
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM users WHERE handle IN ('alice', 'bob', 'carol')"
        ),
        3
    );
}

#[test]
fn without_the_token_every_endpoint_is_refused() {
    let (f, s) = setup();
    for (method, path, body) in endpoints() {
        let origin = ("Origin", s.origin());
        let r = send(&s, method, path, &s.host, std::slice::from_ref(&origin), body.as_ref());
        assert_eq!(r.status, 401, "{method} {path} without a token: {}", r.text());
        let wrong = format!(
            "{path}{}token={}",
            if path.contains('?') { '&' } else { '?' },
            "0".repeat(64)
        );
        let r = send(
            &s,
            method,
            &wrong,
            &s.host,
            std::slice::from_ref(&origin),
            body.as_ref(),
        );
        assert_eq!(r.status, 401, "{method} {path} with a wrong token");
        let cookie = ("Cookie", s.cookie().replace(&s.token[..8], "00000000"));
        let r = send(&s, method, path, &s.host, &[origin, cookie], body.as_ref());
        assert_eq!(r.status, 401, "{method} {path} with a wrong cookie");
    }
    assert_untouched(&f);

    // The token in the URL, once: a cookie (HttpOnly, SameSite=Strict), and the same URL
    // without the token.
    let r = send(
        &s,
        "GET",
        &format!("/t/users?sort=handle&token={}&dir=desc", s.token),
        &s.host,
        &[],
        None,
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("Location"), Some("/t/users?sort=handle&dir=desc"));
    let cookie = r.header("Set-Cookie").unwrap();
    assert!(cookie.starts_with(&format!("{}; ", s.cookie())), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // The API takes the token in the query too (scripts, curl).
    let r = send(&s, "GET", &format!("/api/tables?token={}", s.token), &s.host, &[], None);
    assert_eq!(r.status, 200);
    // And the cookie alone opens everything.
    for path in ["/", "/t/users", "/assets/app.js", "/assets/app.css", "/api/tables"] {
        assert_eq!(s.get(path).status, 200, "{path}");
    }
}

#[test]
fn foreign_origins_and_hosts_are_refused() {
    let (f, s) = setup();
    let port = s.host.rsplit(':').next().unwrap().to_string();
    for (method, path, body) in endpoints() {
        let cookie = ("Cookie", s.cookie());
        for origin in [
            "http://evil.example".to_string(),
            "null".to_string(),
            format!("http://evil.example:{port}"),
            format!("https://{}", s.host),
            format!("http://127.0.0.1:{}", port.parse::<u16>().unwrap().wrapping_add(1)),
        ] {
            let r = send(
                &s,
                method,
                path,
                &s.host,
                &[cookie.clone(), ("Origin", origin.clone())],
                body.as_ref(),
            );
            assert_eq!(r.status, 403, "{method} {path} from {origin}: {}", r.text());
        }
        // DNS rebinding: our address under someone else's name.
        for host in [
            format!("evil.example:{port}"),
            "evil.example".to_string(),
            format!("127.0.0.1:{port}0"),
        ] {
            let r = send(
                &s,
                method,
                path,
                &host,
                &[cookie.clone(), ("Origin", s.origin())],
                body.as_ref(),
            );
            assert_eq!(r.status, 403, "{method} {path} with Host {host}");
        }
        if method != "GET" {
            // A write without an Origin header is not from our page.
            let r = send(&s, method, path, &s.host, std::slice::from_ref(&cookie), body.as_ref());
            assert_eq!(r.status, 403, "{method} {path} without Origin");
        }
        let r = send(
            &s,
            method,
            path,
            &s.host,
            &[
                cookie.clone(),
                ("Origin", s.origin()),
                ("Sec-Fetch-Site", "cross-site".into()),
            ],
            body.as_ref(),
        );
        if path.starts_with("/api") || method != "GET" {
            assert_eq!(r.status, 403, "{method} {path} cross-site");
        }
    }
    assert_untouched(&f);
    // `localhost` names us as well as the address does.
    let r = send(
        &s,
        "GET",
        "/api/tables",
        &format!("localhost:{port}"),
        &[("Cookie", s.cookie())],
        None,
    );
    assert_eq!(r.status, 200);
    // Every answer forbids framing and outside scripts.
    let r = s.get("/");
    assert!(
        r.header("Content-Security-Policy")
            .unwrap()
            .contains("script-src 'self'")
    );
    assert_eq!(r.header("X-Frame-Options"), Some("DENY"));
}

/// A cursor as the studio encodes one (base64url JSON of typed values), for forging.
fn cursor(values: &Value) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = values.to_string().into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn injection_in_every_parameter_is_refused_or_taken_as_data() {
    let (f, s) = setup();
    let drop_users = "users; DROP TABLE users; --";
    // Table names: only tables that exist.
    for table in [
        drop_users,
        "users\" --",
        "users WHERE 1=1",
        "sqlite_master",
        "pragma_table_info('users')",
    ] {
        for path in ["", "/rows", "/row?w.id=1"] {
            let r = s.get(&format!("/api/tables/{}{path}", q(table)));
            assert_eq!(r.status, 404, "{table}{path}: {}", r.text());
        }
        let r = s.call(
            "PATCH",
            &format!("/api/tables/{}/rows", q(table)),
            Some(
                &json!({ "key": cursor(&json!([{"type":"integer","value":"1"}])), "column": "handle", "value": null }),
            ),
        );
        assert_eq!(r.status, 404);
    }
    // Sort columns and directions.
    for sort in [
        "id; DROP TABLE users",
        "(SELECT 1)",
        "id DESC, (SELECT 1)",
        "\"id\"",
        "1",
    ] {
        let r = s.get(&format!("/api/tables/users/rows?sort={}", q(sort)));
        assert_eq!(r.status, 400, "sort {sort}: {}", r.text());
        assert!(r.error().contains("no column"), "{}", r.error());
    }
    let r = s.get("/api/tables/users/rows?sort=id&dir=asc%3B%20DROP%20TABLE%20users");
    assert_eq!(r.status, 400);
    // Filter columns: only columns; filter values: data.
    for col in ["id) OR (1=1", "id = id --", "handle\" OR 1=1 --"] {
        let r = s.get(&format!("/api/tables/users/rows?f.{}=eq:1", q(col)));
        assert_eq!(r.status, 400, "filter column {col}");
    }
    for value in ["' OR '1'='1", "alice' --", "%", "_lice", "\\"] {
        for op in ["eq", "has"] {
            let r = s.get(&format!("/api/tables/users/rows?f.handle={op}:{}", q(value)));
            assert_eq!(r.status, 200, "{op}:{value}");
            assert_eq!(
                r.json()["rows"].as_array().unwrap().len(),
                0,
                "{op}:{value} matched rows"
            );
        }
    }
    let r = s.get("/api/tables/users/rows?f.handle=has:lic");
    assert_eq!(
        r.json()["rows"].as_array().unwrap().len(),
        1,
        "a real filter still works"
    );
    let r = s.get("/api/tables/users/rows?f.handle=like:%25");
    assert_eq!(r.status, 400, "unknown filter operator");
    // Cursors: only what the studio made, and their values are bound.
    for bad in [
        "garbage",
        "!!!!",
        &cursor(&json!({"a": 1})),
        &cursor(&json!([1, 2])),
        &cursor(&json!([{"type":"sql","value":"1"}])),
    ] {
        let r = s.get(&format!("/api/tables/users/rows?after={bad}"));
        assert_eq!(r.status, 400, "cursor {bad}");
    }
    let forged = cursor(&json!([{ "type": "text", "value": "0) OR 1=1 --" }]));
    let r = s.get(&format!("/api/tables/users/rows?after={forged}"));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["rows"].as_array().unwrap().len(),
        0,
        "text sorts after every rowid"
    );
    let r = s.get(&format!(
        "/api/tables/users/rows?after={}",
        cursor(&json!([{"type":"integer","value":"1"}, {"type":"integer","value":"1"}]))
    ));
    assert_eq!(r.status, 400, "a cursor of the wrong size");
    // Row lookups, edits, inserts and deletes: names checked, values bound.
    assert_eq!(s.get("/api/tables/users/row?w.id=1%20OR%201%3D1").status, 404);
    assert_eq!(s.get("/api/tables/users/row?w.id%20OR%201=1").status, 400);
    let key1 = cursor(&json!([{ "type": "integer", "value": "1" }]));
    let r = s.call(
        "PATCH",
        "/api/tables/users/rows",
        Some(&json!({ "key": key1, "column": "handle = 'x', is_admin", "value": { "type": "text", "value": "1" } })),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let r = s.call(
        "PATCH",
        "/api/tables/users/rows",
        Some(&json!({ "key": key1, "column": "display_name", "value": { "type": "text", "value": "x'); DROP TABLE users; --" } })),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.call(
        "POST",
        "/api/tables/users/rows",
        Some(&json!({ "values": { "handle) VALUES ('a'); DROP TABLE users; --": { "type": "text", "value": "x" } } })),
    );
    assert_eq!(r.status, 400);
    let r = s.call(
        "DELETE",
        "/api/tables/users/rows",
        Some(&json!({ "keys": [cursor(&json!([{ "type": "text", "value": "1 OR 1=1" }]))] })),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["deleted"], 0);
    // The console, read-only, will not run a write however it is dressed.
    for sql in [
        "DROP TABLE users",
        "WITH x AS (SELECT 1) DELETE FROM users",
        "/* SELECT */ DELETE FROM users",
        "SELECT 1; DROP TABLE users",
        "ATTACH ':memory:' AS m; CREATE TABLE m.t (x)",
    ] {
        let r = s.call("POST", "/api/console", Some(&json!({ "sql": sql })));
        assert!(r.status == 409 || r.status == 400, "{sql}: {}", r.text());
    }
    // A name that needs quoting is browsed like any other.
    let r = s.get(&format!("/api/tables/{}/rows?sort={}", q("we\"ird; name"), q("c\"d")));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 2);

    let c = f.conn();
    assert_eq!(count(&c, "SELECT count(*) FROM users"), 3);
    assert_eq!(
        c.query_row("SELECT display_name FROM users WHERE id = 1", [], |r| r
            .get::<_, String>(0))
            .unwrap(),
        "x'); DROP TABLE users; --"
    );
    assert_eq!(count(&c, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 13);
}

fn rows(r: &Resp) -> Vec<Value> {
    r.json()["rows"].as_array().unwrap().clone()
}

fn cell_int(row: &Value, i: usize) -> i64 {
    row["cells"][i]["value"].as_str().unwrap().parse().unwrap()
}

#[test]
fn a_million_rows_page_by_keyset_every_row_once() {
    let (_f, s) = setup();
    let tables = s.get("/api/tables").json();
    let big = tables["schemas"][0]["relations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "big")
        .unwrap()
        .clone();
    assert_eq!(
        big["rows"],
        json!({ "n": 1_000_000, "kind": "estimate" }),
        "a huge table is estimated, not counted"
    );
    let users = tables["schemas"][0]["relations"][2].clone();
    assert_eq!(users["rows"], json!({ "n": 3, "kind": "exact" }));

    // Read into typed structs: a million rows through `serde_json::Value` would take the
    // (unoptimized) test longer than the server takes to serve them.
    #[derive(serde::Deserialize)]
    struct Page {
        rows: Vec<PageRow>,
        next: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct PageRow {
        cells: (Cell, Cell, Cell),
    }
    #[derive(serde::Deserialize)]
    struct Cell {
        value: String,
    }
    let mut expected = 1;
    let mut path = "/api/tables/big/rows?limit=1000".to_string();
    let mut pages = 0;
    loop {
        let r = s.get(&path);
        assert_eq!(r.status, 200, "{}", r.text());
        let page: Page = serde_json::from_slice(&r.body).unwrap();
        for row in &page.rows {
            assert_eq!(row.cells.0.value, expected.to_string());
            assert_eq!(row.cells.2.value, format!("row {expected}"));
            expected += 1;
        }
        pages += 1;
        match page.next {
            Some(next) => path = format!("/api/tables/big/rows?limit=1000&after={next}"),
            None => break,
        }
    }
    assert_eq!((expected - 1, pages), (1_000_000, 1000));

    // Backwards: the page before a cursor is the rows just before it.
    let last = s.get("/api/tables/big/rows?sort=id&dir=desc&limit=1").json();
    assert_eq!(cell_int(&last["rows"][0], 0), 1_000_000);
    let r = s.get("/api/tables/big/rows?limit=1000");
    let first_next = r.json()["next"].as_str().unwrap().to_string();
    let back = s
        .get(&format!("/api/tables/big/rows?before={first_next}&limit=10"))
        .json();
    let ids: Vec<i64> = back["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| cell_int(r, 0))
        .collect();
    assert_eq!(ids, (990..=999).collect::<Vec<_>>());
    assert!(back["prev"].is_string());
}

/// Sorting on a column of mixed types with NULLs and duplicates, both ways, forward and back:
/// each row once, in SQLite's own order.
#[test]
fn a_sort_on_any_column_pages_stably() {
    let (f, s) = setup();
    let c = f.conn();
    for (dir, sql_dir) in [("asc", "ASC"), ("desc", "DESC")] {
        let mut stmt = c
            .prepare(&format!("SELECT id FROM mixed ORDER BY v {sql_dir}, rowid {sql_dir}"))
            .unwrap();
        let want: Vec<i64> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        let mut got = Vec::new();
        let mut path = format!("/api/tables/mixed/rows?sort=v&dir={dir}&limit=7");
        let mut cursors = Vec::new();
        loop {
            let page = s.get(&path).json();
            for row in page["rows"].as_array().unwrap() {
                got.push(cell_int(row, 0));
            }
            cursors.push(page["prev"].clone());
            match page["next"].as_str() {
                Some(n) => path = format!("/api/tables/mixed/rows?sort=v&dir={dir}&limit=7&after={n}"),
                None => break,
            }
        }
        assert_eq!(got, want, "{dir}");
        // And back from the end, page by page, to the start.
        let mut back = Vec::new();
        let mut prev = cursors.last().unwrap().as_str().map(str::to_string);
        let last_page = s.get(&path).json();
        back.extend(
            last_page["rows"]
                .as_array()
                .unwrap()
                .iter()
                .rev()
                .map(|r| cell_int(r, 0)),
        );
        while let Some(p) = prev {
            let page = s
                .get(&format!("/api/tables/mixed/rows?sort=v&dir={dir}&limit=7&before={p}"))
                .json();
            back.extend(page["rows"].as_array().unwrap().iter().rev().map(|r| cell_int(r, 0)));
            prev = page["prev"].as_str().map(str::to_string);
        }
        back.reverse();
        assert_eq!(back, want, "{dir}, backwards");
    }
    // Filters: equals, contains, is null, not null.
    let n = |path: &str| rows(&s.get(path)).len() as i64;
    assert_eq!(
        n("/api/tables/mixed/rows?f.v=null&limit=1000"),
        count(&c, "SELECT count(*) FROM mixed WHERE v IS NULL")
    );
    assert_eq!(
        n("/api/tables/mixed/rows?f.v=notnull&limit=1000"),
        count(&c, "SELECT count(*) FROM mixed WHERE v IS NOT NULL")
    );
    assert_eq!(
        n("/api/tables/mixed/rows?f.v=has:text&limit=1000"),
        count(&c, "SELECT count(*) FROM mixed WHERE v LIKE '%text%'")
    );
    assert_eq!(n("/api/tables/posts/rows?f.status=eq:published"), 2);
    assert_eq!(n("/api/tables/posts/rows?f.status=eq:published&f.author_id=eq:2"), 1);
}

#[test]
fn cells_say_null_blob_and_json() {
    let (_f, s) = setup();
    let page = s.get("/api/tables/posts/rows").json();
    let columns: Vec<&str> = page["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let at = |c: &str| columns.iter().position(|x| *x == c).unwrap();
    let second = &page["rows"][1]["cells"];
    assert_eq!(second[at("category_id")], Value::Null);
    assert_eq!(second[at("meta")]["json"], true);
    assert_eq!(second[at("title")]["json"], false);
    assert_eq!(second[at("body_length")], json!({ "type": "integer", "value": "8" }));
    let blob = rows(&s.get("/api/tables/mixed/rows?f.v=notnull&limit=10"))
        .into_iter()
        .find(|r| r["cells"][1]["type"] == "blob")
        .unwrap();
    assert_eq!(
        blob["cells"][1],
        json!({ "type": "blob", "size": 2, "hex": "00ff", "truncated": false })
    );
    let real = rows(&s.get("/api/tables/ratings/rows"))[1]["cells"][3].clone();
    assert_eq!(real, json!({ "type": "real", "value": "0.5" }));
}

#[test]
fn edits_inserts_and_deletes_reach_the_database() {
    let (f, s) = setup();
    let c = f.conn();
    let alice = s.get("/api/tables/users/row?w.handle=alice").json();
    let key = alice["row"]["key"].as_str().unwrap().to_string();

    // Edit one cell; the answer is the row as it now is.
    let r = s.call(
        "PATCH",
        "/api/tables/users/rows",
        Some(&json!({ "key": key, "column": "display_name", "value": { "type": "text", "value": "Alice L." } })),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["row"]["cells"][3]["value"], "Alice L.");
    let name: Option<String> = c
        .query_row("SELECT display_name FROM users WHERE handle = 'alice'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(name.as_deref(), Some("Alice L."));
    // NULL is NULL, not the text.
    let r = s.call(
        "PATCH",
        "/api/tables/users/rows",
        Some(&json!({ "key": key, "column": "display_name", "value": null })),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM users WHERE handle = 'alice' AND display_name IS NULL"
        ),
        1
    );
    // Text typed into an integer column is an integer (the column's affinity).
    let r = s.call("PATCH", "/api/tables/comments/rows", Some(&json!({ "key": cursor(&json!([{"type":"integer","value":"1"}])), "column": "score", "value": { "type": "text", "value": "42" } })));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM comments WHERE id = 1 AND score = 42 AND typeof(score) = 'integer'"
        ),
        1
    );

    // Insert with only what is required: the defaults apply (and the generated column).
    let r = s.call(
        "POST",
        "/api/tables/posts/rows",
        Some(&json!({ "values": {
            "author_id": { "type": "text", "value": "3" },
            "slug": { "type": "text", "value": "new-post" },
            "title": { "type": "text", "value": "New" },
            "meta": { "type": "text", "value": "{}" },
        } })),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let (status, body, length, category): (String, String, i64, Option<i64>) = c
        .query_row(
            "SELECT status, body, body_length, category_id FROM posts WHERE slug = 'new-post'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), body.as_str(), length, category),
        ("draft", "", 0, None)
    );
    // A user: is_admin and joined_at from their defaults.
    let r = s.call(
        "POST",
        "/api/tables/users/rows",
        Some(&json!({ "values": { "handle": { "type": "text", "value": "dave" }, "email": { "type": "text", "value": "d@example.com" }, "display_name": null } })),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM users WHERE handle = 'dave' AND is_admin = 0 AND joined_at IS NOT NULL AND display_name IS NULL"
        ),
        1
    );
    // A WITHOUT ROWID table is keyed by its primary key.
    let r = s.call(
        "POST",
        "/api/tables/post_tags/rows",
        Some(&json!({ "values": { "post_id": { "type": "text", "value": "3" }, "tag_id": { "type": "text", "value": "1" } } })),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let pt_key = r.json()["row"]["key"].as_str().unwrap().to_string();
    let info = s.get("/api/tables/post_tags").json();
    assert_eq!(
        info["key"],
        json!({ "kind": "columns", "columns": ["post_id", "tag_id"] })
    );

    // Delete several rows at once.
    let ratings = rows(&s.get("/api/tables/ratings/rows"));
    let keys: Vec<Value> = ratings.iter().map(|r| r["key"].clone()).collect();
    let r = s.call("DELETE", "/api/tables/ratings/rows", Some(&json!({ "keys": keys })));
    assert_eq!(r.json()["deleted"], 2);
    assert_eq!(count(&c, "SELECT count(*) FROM ratings"), 0);
    let r = s.call(
        "DELETE",
        "/api/tables/post_tags/rows",
        Some(&json!({ "keys": [pt_key] })),
    );
    assert_eq!(r.json()["deleted"], 1);
    assert_eq!(
        count(&c, "SELECT count(*) FROM post_tags WHERE post_id = 3 AND tag_id = 1"),
        0
    );
    // Deleting a user cascades as the schema says (foreign keys are on).
    let dave = s.get("/api/tables/users/row?w.handle=dave").json()["row"]["key"].clone();
    let r = s.call("DELETE", "/api/tables/users/rows", Some(&json!({ "keys": [dave] })));
    assert_eq!(r.json()["deleted"], 1);
    // Views are browsed, not edited.
    assert_eq!(rows(&s.get("/api/tables/published/rows")).len(), 2);
    let r = s.call("POST", "/api/tables/published/rows", Some(&json!({ "values": {} })));
    assert_eq!(r.status, 400);
}

#[test]
fn a_refused_write_shows_the_databases_words_and_writes_nothing() {
    let (f, s) = setup();
    let c = f.conn();
    let key = s.get("/api/tables/users/row?w.handle=alice").json()["row"]["key"].clone();
    let edit = |column: &str, value: &str| {
        s.call(
            "PATCH",
            "/api/tables/users/rows",
            Some(&json!({ "key": key, "column": column, "value": { "type": "text", "value": value } })),
        )
    };
    let r = edit("handle", "x");
    assert_eq!(r.status, 409);
    assert_eq!(r.error(), "CHECK constraint failed: users_handle_len");
    let r = edit("handle", "BOB");
    assert_eq!(r.status, 409);
    assert_eq!(r.error(), "UNIQUE constraint failed: users.handle");
    let r = s.call(
        "PATCH",
        "/api/tables/users/rows",
        Some(&json!({ "key": key, "column": "email", "value": null })),
    );
    assert_eq!(r.error(), "NOT NULL constraint failed: users.email");
    let r = s.call(
        "PATCH",
        "/api/tables/posts/rows",
        Some(&json!({ "key": cursor(&json!([{"type":"integer","value":"1"}])), "column": "body_length", "value": { "type": "text", "value": "1" } })),
    );
    assert_eq!(r.status, 409);
    assert!(r.error().contains("generated column"), "{}", r.error());
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM users WHERE handle = 'alice' AND email = 'alice@example.com'"
        ),
        1
    );

    // A foreign key: the post is not inserted, the AUTOINCREMENT counter not moved.
    let seq = count(&c, "SELECT seq FROM sqlite_sequence WHERE name = 'posts'");
    let r = s.call(
        "POST",
        "/api/tables/posts/rows",
        Some(&json!({ "values": {
            "author_id": { "type": "text", "value": "999" }, "slug": { "type": "text", "value": "orphan" },
            "title": { "type": "text", "value": "Orphan" }, "meta": { "type": "text", "value": "{}" },
        } })),
    );
    assert_eq!(r.status, 409);
    assert_eq!(r.error(), "FOREIGN KEY constraint failed");
    assert_eq!(count(&c, "SELECT count(*) FROM posts"), 3);
    assert_eq!(count(&c, "SELECT seq FROM sqlite_sequence WHERE name = 'posts'"), seq);
    // A delete that a RESTRICT refuses for one row deletes none of them.
    let keys: Vec<Value> = rows(&s.get("/api/tables/posts/rows"))
        .iter()
        .map(|r| r["key"].clone())
        .collect();
    let r = s.call("DELETE", "/api/tables/posts/rows", Some(&json!({ "keys": keys })));
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.error(), "FOREIGN KEY constraint failed");
    assert_eq!(count(&c, "SELECT count(*) FROM posts"), 3);
    assert_eq!(count(&c, "SELECT count(*) FROM comments"), 3, "no cascade ran either");
    // Bad bodies are refused without a panic.
    for body in ["", "{", "[]", "{\"values\": 3}", "{\"key\": 1}"] {
        let r = raw(
            &s.host,
            "POST",
            "/api/tables/users/rows",
            &s.host,
            &[("Cookie".into(), s.cookie()), ("Origin".into(), s.origin())],
            Some(body),
        );
        assert_eq!(r.status, 400, "{body}: {}", r.text());
    }
    assert_eq!(s.get("/api/tables/users").status, 200, "still serving");
}

#[test]
fn the_console_is_read_only_until_switched() {
    let (f, s) = setup();
    let c = f.conn();
    let run = |sql: &str, write: bool| s.call("POST", "/api/console", Some(&json!({ "sql": sql, "write": write })));
    let r = run("SELECT handle, is_admin FROM users ORDER BY id", false);
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["columns"], json!(["handle", "is_admin"]));
    assert_eq!(
        body["rows"][0],
        json!([{ "type": "text", "value": "alice", "truncated": false, "json": false }, { "type": "integer", "value": "1" }])
    );
    assert_eq!(body["mode"], "read");
    // A write without the switch: refused, nothing written.
    for sql in [
        "DELETE FROM comments",
        "UPDATE users SET is_admin = 1",
        "CREATE TABLE t (x)",
        "INSERT INTO tags VALUES (9, 'x') RETURNING id",
    ] {
        let r = run(sql, false);
        assert_eq!(r.status, 409, "{sql}");
        assert!(r.error().contains("read-only"), "{}", r.error());
    }
    assert_eq!(count(&c, "SELECT count(*) FROM comments"), 3);
    // Turning query_only off does not open the read-only connection for writes (the unit
    // tests write past the statement check on that connection, and fail).
    let r = run("PRAGMA query_only = OFF", false);
    assert!(r.status == 200 || r.status == 409, "{}", r.text());
    assert_eq!(run("DELETE FROM comments", false).status, 409);
    // Switched on: it writes.
    let r = run("UPDATE users SET display_name = 'Bobby' WHERE handle = 'bob'", true);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["changes"], 1);
    assert_eq!(count(&c, "SELECT count(*) FROM users WHERE display_name = 'Bobby'"), 1);
    let r = run(
        "INSERT INTO tags (id, name) VALUES (7, 'sqlite') RETURNING id, name",
        true,
    );
    assert_eq!(r.json()["rows"][0][1]["value"], "sqlite");
    assert_eq!(count(&c, "SELECT count(*) FROM tags WHERE id = 7"), 1);
    // One statement at a time, no transaction control, the database's own errors.
    assert_eq!(run("SELECT 1; SELECT 2", false).status, 400);
    assert_eq!(run("BEGIN", true).status, 400);
    let r = run("SELEKT 1", false);
    assert_eq!(r.status, 409);
    assert!(r.error().contains("syntax error"), "{}", r.error());
    let r = run("INSERT INTO tags (id, name) VALUES (8, 'rust')", true);
    assert_eq!(r.error(), "UNIQUE constraint failed: tags.name");
    // Foreign keys turned off in the console stay on for the page's edits.
    assert_eq!(run("PRAGMA foreign_keys = OFF", true).status, 200);
    let r = s.call(
        "POST",
        "/api/tables/comments/rows",
        Some(&json!({ "values": { "post_id": { "type": "text", "value": "999" }, "body": { "type": "text", "value": "orphan" } } })),
    );
    assert_eq!(r.error(), "FOREIGN KEY constraint failed");
    // Big results are cut, and say so.
    let r = run("SELECT id FROM big", false).json();
    assert_eq!(
        (r["rows"].as_array().unwrap().len(), r["truncated"].clone()),
        (1000, json!(true))
    );
    // After all that, the page can still edit (no transaction was left open).
    let key = s.get("/api/tables/users/row?w.handle=carol").json()["row"]["key"].clone();
    let r = s.call(
        "PATCH",
        "/api/tables/users/rows",
        Some(&json!({ "key": key, "column": "display_name", "value": { "type": "text", "value": "C" } })),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn every_view_has_its_own_url_and_the_api_describes_the_schema() {
    let (_f, s) = setup();
    for path in [
        "/",
        "/t/users",
        "/t/users/row?w.id=1",
        "/t/users/schema",
        "/schema",
        "/migrations",
        "/migrations/0000_init",
        "/console?sql=SELECT%201",
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.header("Content-Type").unwrap().starts_with("text/html"));
        assert!(r.text().contains("/assets/app.js"));
    }
    assert_eq!(
        s.get("/assets/app.css").header("Content-Type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(s.get("/nowhere").status, 404);
    assert_eq!(s.get("/api/nowhere").status, 404);
    assert_eq!(s.call("PUT", "/api/tables", None).status, 405);
    assert_eq!(s.get("/api/tables/nope/rows").status, 404);

    let info = s.get("/api/info").json();
    assert_eq!(info["dialect"], "sqlite");
    let list = s.get("/api/tables").json();
    assert_eq!(list["schemas"][0]["name"], "main");
    let names: Vec<&str> = list["schemas"][0]["relations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for t in [
        "users",
        "posts",
        "comments",
        "post_tags",
        "ratings",
        "published",
        "__drizzle_migrations",
    ] {
        assert!(names.contains(&t), "{t} in {names:?}");
    }

    let posts = s.get("/api/tables/posts").json();
    let fks: BTreeSet<String> = posts["foreign_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}->{}.{}:{}",
                f["columns"][0].as_str().unwrap(),
                f["ref_table"].as_str().unwrap(),
                f["ref_columns"][0].as_str().unwrap(),
                f["on_delete"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        fks,
        BTreeSet::from([
            "author_id->users.id:cascade".to_string(),
            "category_id->categories.id:set null".to_string()
        ])
    );
    assert!(
        posts["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "posts_status_known")
    );
    assert!(
        posts["indexes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["name"] == "posts_published_idx" && i["where"] == "status = 'published'")
    );
    let generated = posts["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "body_length")
        .unwrap();
    assert_eq!(generated["generated"]["stored"], true);
    let tags = s.get("/api/tables/tags").json();
    assert_eq!(tags["options"], json!(["STRICT"]));
    let users = s.get("/api/tables/users").json();
    let referenced: BTreeSet<&str> = users["referenced_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["table"].as_str().unwrap())
        .collect();
    assert_eq!(referenced, BTreeSet::from(["comments", "posts", "ratings"]));

    // A row and its children: the posts and comments that point at alice.
    let row = s.get("/api/tables/users/row?w.id=1").json();
    let children: Vec<(String, String, Value)> = row["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["table"].as_str().unwrap().to_string(),
                c["columns"][0].as_str().unwrap().to_string(),
                c["count"]["n"].clone(),
            )
        })
        .collect();
    assert!(
        children.contains(&("posts".into(), "author_id".into(), json!(2))),
        "{children:?}"
    );
    assert!(
        children.contains(&("comments".into(), "author_id".into(), json!(1))),
        "{children:?}"
    );

    let svg = s.get("/api/diagram.svg");
    assert_eq!(svg.header("Content-Type"), Some("image/svg+xml"));
    let svg = svg.text();
    for t in ["users", "posts", "comments", "big", "mixed"] {
        assert!(svg.contains(&format!("href=\"/t/{t}\"")), "{t}");
    }
    assert_eq!(svg.matches("class=\"edge\"").count(), 11, "one arrow a foreign key");
}

#[test]
fn the_migrations_view_says_what_status_says() {
    let (f, s) = setup();
    let m = s.get("/api/migrations").json();
    assert_eq!(m["migrations"][0]["tag"], "0000_init");
    assert_eq!(m["migrations"][0]["state"], "applied");
    assert!(
        m["migrations"][0]["sql"]
            .as_str()
            .unwrap()
            .contains("CREATE TABLE `users`")
    );
    // Drift, table by table: the tables the API tests added are not in any migration.
    let drift = m["drift"].as_array().unwrap();
    let tables: BTreeSet<&str> = drift.iter().map(|d| d["table"].as_str().unwrap()).collect();
    assert_eq!(tables, BTreeSet::from(["big", "mixed", "pinned", "we\"ird; name"]));
    assert!(
        drift[0]["differences"][0]
            .as_str()
            .unwrap()
            .contains("in the database, not in the migrations")
    );

    // Now a pending migration, an edited one and a missing one.
    let dir = f.migrations();
    let journal_path = dir.join("meta/_journal.json");
    let mut journal: Value = serde_json::from_str(&std::fs::read_to_string(&journal_path).unwrap()).unwrap();
    journal["entries"].as_array_mut().unwrap().push(
        json!({ "idx": 1, "version": "6", "when": 1795365724231u64, "tag": "0001_add_notes", "breakpoints": true }),
    );
    std::fs::write(&journal_path, serde_json::to_string_pretty(&journal).unwrap()).unwrap();
    std::fs::write(
        dir.join("0001_add_notes.sql"),
        "CREATE TABLE `notes` (`id` integer PRIMARY KEY);\n",
    )
    .unwrap();
    let init = dir.join("0000_init.sql");
    let edited = std::fs::read_to_string(&init).unwrap() + "\n-- edited after it was applied\n";
    std::fs::write(&init, edited).unwrap();
    f.conn()
        .execute(
            "INSERT INTO __drizzle_migrations (hash, created_at, tag, applied_at) VALUES ('abc', 1, '0009_gone', '2024-01-01')",
            [],
        )
        .unwrap();
    let m = s.get("/api/migrations").json();
    let states: Vec<(&str, &str)> = m["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["tag"].as_str().unwrap(), m["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("0000_init", "edited"), ("0001_add_notes", "pending")]);
    assert_eq!(m["missing"], json!(["0009_gone"]));
    let one = s.get("/api/migrations/0001_add_notes").json();
    assert_eq!(one["sql"], "CREATE TABLE `notes` (`id` integer PRIMARY KEY);\n");
    assert_eq!(s.get("/api/migrations/0404_nope").status, 404);
    // A folder with no migrations is no error: nothing to list, nothing to compare.
    let elsewhere = Studio::start(&f, &["--out", f.dir.path().join("none").to_str().unwrap()]);
    let none = elsewhere.get("/api/migrations").json();
    assert_eq!(
        (none["migrations"].clone(), none["error"].clone(), none["drift"].clone()),
        (json!([]), Value::Null, Value::Null)
    );
    drop(elsewhere);
    // `schema status` agrees.
    let out = std::process::Command::new(support::BIN)
        .arg("--out")
        .arg(&dir)
        .arg("--url")
        .arg(f.db())
        .arg("status")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("0000_init") && text.contains("EDITED") && text.contains("0009_gone") && text.contains("big"),
        "{text}"
    );
}

#[test]
fn a_taken_port_a_missing_database_and_ctrl_c() {
    let (f, s) = setup();
    let port = s.host.rsplit(':').next().unwrap().to_string();
    let studio = |args: &[&str], url: &std::path::Path| {
        std::process::Command::new(support::BIN)
            .arg("--out")
            .arg(f.migrations())
            .arg("--url")
            .arg(url)
            .arg("studio")
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    };
    let out = studio(&["--port", &port], &f.db());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("port {port}")) && err.contains("already in use"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no URL for a server that is not there");

    let missing = f.dir.path().join("nope.db");
    let out = studio(&["--port", "0"], &missing);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no database at"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!missing.exists(), "a missing database is not created");

    let not_db = f.dir.path().join("notes.txt");
    std::fs::write(
        &not_db,
        "just text, long enough to not be an empty database file at all ........",
    )
    .unwrap();
    let out = studio(&["--port", "0"], &not_db);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));

    let out = studio(&["--port", "0", "--host", "0.0.0.0"], &f.db());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
    let remote = Studio::start(&f, &["--host", "0.0.0.0", "--allow-remote"]);
    assert!(remote.url.starts_with("http://127.0.0.1:"), "{}", remote.url);
    let (code, err) = remote.interrupt();
    assert_eq!(code, Some(0));
    assert!(err.contains("warning: the studio listens on 0.0.0.0"), "{err}");

    // Malformed requests are answered, and the server lives on.
    for garbage in [
        "GARBAGE\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
    ] {
        let mut c = std::net::TcpStream::connect(&s.host).unwrap();
        std::io::Write::write_all(&mut c, garbage.as_bytes()).unwrap();
        let r = support::read_response(&mut c);
        assert!(r.status >= 400, "{garbage:?}");
    }
    assert_eq!(s.get("/api/tables").status, 200);

    // Ctrl-C: a clean exit, 0.
    let (code, err) = s.interrupt();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("stopped"), "{err}");
}
