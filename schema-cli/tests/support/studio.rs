//! What the studio tests share: the blog database built from the example's migrations, a
//! `schema studio` process, and a raw HTTP client that can send any header (a browser's
//! fetch cannot forge Host or Origin, which is what these tests need to).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use rusqlite::Connection;

pub const BIN: &str = env!("CARGO_BIN_EXE_schema");

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A temporary folder holding `blog.db` (the example's migrations applied by `schema
/// migrate`, then rows) and `migrations/` (a copy of the example's folder).
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("blog.db")
    }
    pub fn migrations(&self) -> PathBuf {
        self.dir.path().join("migrations")
    }
    pub fn conn(&self) -> Connection {
        let c = Connection::open(self.db()).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        c
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The blog's rows: three users, two categories, three posts (one JSON `meta` each), their
/// comments, tags and ratings.
pub const BLOG_ROWS: &str = r#"
INSERT INTO users (handle, email, display_name, is_admin) VALUES
  ('alice', 'alice@example.com', 'Alice', 1),
  ('bob', 'bob@example.com', NULL, 0),
  ('carol', 'carol@example.com', 'Carol', 0);
INSERT INTO categories (id, slug, parent_id) VALUES (1, 'tech', NULL), (2, 'rust', 1);
INSERT INTO posts (author_id, category_id, slug, title, body, status, published_at, meta) VALUES
  (1, 2, 'hello-rust', 'Hello, Rust', 'Ownership, borrowing.', 'published', '2024-05-01', '{"reading_minutes":3,"cover_image":"rust.png"}'),
  (1, NULL, 'zebra-notes', 'Zebra notes', 'Stripes.', 'draft', NULL, '{"reading_minutes":1,"cover_image":null}'),
  (2, 1, 'about-sqlite', 'About SQLite', 'One file.', 'published', '2024-06-01', '{"reading_minutes":7,"cover_image":null}');
INSERT INTO comments (post_id, author_id, parent_id, body, score) VALUES
  (1, 2, NULL, 'Nice post', 3), (1, 3, 1, 'Agreed', 1), (3, 1, NULL, 'Thanks', 0);
INSERT INTO tags (id, name) VALUES (1, 'rust'), (2, 'databases');
INSERT INTO post_tags (post_id, tag_id) VALUES (1, 1), (3, 2);
INSERT INTO ratings (user_id, post_id, stars, weight) VALUES (2, 1, 5, 1.0), (3, 1, 4, 0.5);
"#;

/// What the API tests add beyond the blog: a million rows, a table of mixed types and NULLs to
/// sort, a name that needs quoting, a view, and a foreign key that restricts deletes.
pub const EXTRA: &str = r#"
CREATE TABLE big (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, label TEXT);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1000000)
  INSERT INTO big (id, n, label) SELECT i, i % 997, 'row ' || i FROM s;
CREATE TABLE mixed (id INTEGER PRIMARY KEY, v);
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 300)
  INSERT INTO mixed (id, v) SELECT i, CASE i % 6
    WHEN 0 THEN NULL WHEN 1 THEN i % 7 WHEN 2 THEN 'text ' || (i % 5) WHEN 3 THEN (i % 4) * 1.5
    WHEN 4 THEN x'00ff' ELSE 'Text ' || (i % 3) END FROM s;
CREATE TABLE "we""ird; name" ("a b" TEXT, "c""d" INTEGER);
INSERT INTO "we""ird; name" VALUES ('x', 1), ('y', 2);
CREATE VIEW published AS SELECT id, title FROM posts WHERE status = 'published';
CREATE TABLE pinned (post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE RESTRICT);
INSERT INTO pinned VALUES (2);
"#;

static TEMPLATE: OnceLock<(tempfile::TempDir, tempfile::TempDir)> = OnceLock::new();

/// The blog database as `schema migrate` builds it, with rows (and, with `extra`, the API
/// tests' tables). Built once per test binary, then copied for each test.
pub fn fixture(extra: bool) -> Fixture {
    let (plain, with_extra) = TEMPLATE.get_or_init(|| {
        let plain = tempfile::tempdir().unwrap();
        copy_dir(
            &workspace().join("examples/blog/migrations"),
            &plain.path().join("migrations"),
        );
        let db = plain.path().join("blog.db");
        let out = Command::new(BIN)
            .arg("--out")
            .arg(plain.path().join("migrations"))
            .arg("--url")
            .arg(&db)
            .arg("migrate")
            .env_remove("DATABASE_URL")
            .current_dir(plain.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        Connection::open(&db).unwrap().execute_batch(BLOG_ROWS).unwrap();
        let with_extra = tempfile::tempdir().unwrap();
        copy_dir(plain.path(), with_extra.path());
        Connection::open(with_extra.path().join("blog.db"))
            .unwrap()
            .execute_batch(EXTRA)
            .unwrap();
        (plain, with_extra)
    });
    let dir = tempfile::tempdir().unwrap();
    copy_dir(if extra { with_extra.path() } else { plain.path() }, dir.path());
    Fixture { dir }
}

/// A running `schema studio`, stopped when dropped.
pub struct Studio {
    pub child: Child,
    /// The first line it printed.
    pub url: String,
    /// `127.0.0.1:port`
    pub host: String,
    pub token: String,
    pub stderr: Option<std::process::ChildStderr>,
}

impl Studio {
    /// `schema --url <db> studio --port 0 …`, with the fixture's migrations unless `extra_args`
    /// names another `--out`.
    pub fn start(f: &Fixture, extra_args: &[&str]) -> Studio {
        let mut cmd = Command::new(BIN);
        if !extra_args.contains(&"--out") {
            cmd.arg("--out").arg(f.migrations());
        }
        cmd.arg("--url")
            .arg(f.db())
            .args(["studio", "--port", "0"])
            .args(extra_args)
            .current_dir(f.dir.path());
        Studio::spawn(cmd)
    }

    /// A studio `cmd` starts (any database, any flags): waits for its first line, the URL.
    pub fn spawn(mut cmd: Command) -> Studio {
        let mut child = cmd
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        assert!(url.starts_with("http://"), "first line is not a URL: {url:?}");
        let rest = url.strip_prefix("http://").unwrap();
        let (host, query) = rest.split_once('/').unwrap();
        let (host, token) = (host.to_string(), query.strip_prefix("?token=").unwrap().to_string());
        assert!(token.len() >= 32, "a token of 16+ random bytes");
        let stderr = child.stderr.take();
        Studio {
            child,
            url,
            host,
            token,
            stderr,
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.host)
    }

    pub fn origin(&self) -> String {
        self.base()
    }

    pub fn cookie(&self) -> String {
        let port = self.host.rsplit(':').next().unwrap();
        format!("schema_studio_{port}={}", self.token)
    }

    /// A request as the page sends it: its cookie, and its Origin on a write.
    pub fn call(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> Resp {
        let mut headers = vec![("Cookie".to_string(), self.cookie())];
        if method != "GET" {
            headers.push(("Origin".to_string(), self.origin()));
        }
        let body = body.map(|b| b.to_string());
        raw(&self.host, method, path, &self.host, &headers, body.as_deref())
    }

    pub fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None)
    }

    /// Sends SIGINT (Ctrl-C) and waits for the exit.
    pub fn interrupt(mut self) -> (Option<i32>, String) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = self.child.wait().unwrap().code();
        let mut err = String::new();
        if let Some(mut e) = self.stderr.take() {
            e.read_to_string(&mut err).unwrap();
        }
        (code, err)
    }
}

impl Drop for Studio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The `error` field of a refusal.
    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_string()
    }
}

/// One HTTP/1.1 request on its own connection, headers exactly as given (plus Host and
/// Content-Length).
pub fn raw(addr: &str, method: &str, path: &str, host: &str, headers: &[(String, String)], body: Option<&str>) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    s.write_all(req.as_bytes()).unwrap();
    read_response(&mut s)
}

/// A response: the head, then Content-Length bytes (chromedriver keeps the connection open
/// whatever `Connection: close` says), or everything to the end without one.
pub fn read_response(s: &mut impl Read) -> Resp {
    let mut all = Vec::new();
    let mut buf = [0u8; 16384];
    let split = loop {
        if let Some(p) = all.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "no header end in {:?}", String::from_utf8_lossy(&all));
        all.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&all[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = all[split + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    match length {
        Some(n) => {
            while body.len() < n {
                let got = s.read(&mut buf).unwrap();
                assert!(got > 0, "the body ended early");
                body.extend_from_slice(&buf[..got]);
            }
            body.truncate(n);
        }
        None => {
            s.read_to_end(&mut body).unwrap();
        }
    }
    Resp { status, headers, body }
}

/// A query string's value, escaped.
pub fn q(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// How many requests a benchmark times per case.
pub const RUNS: usize = 101;

/// The median time of `RUNS` requests to `path`, after ten to warm the caches.
pub fn median(s: &Studio, path: &str) -> Duration {
    for _ in 0..10 {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = std::time::Instant::now();
            let r = s.get(path);
            let t = start.elapsed();
            assert_eq!(r.status, 200);
            t
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

/// The benchmarks' requests on the API tests' `big` table (1,000,000 rows, `n` indexed,
/// `label` not): first and last pages, by key, by an indexed and an unindexed column, and the
/// table list, each with its name.
pub fn big_table_cases(s: &Studio) -> Vec<(&'static str, String)> {
    let deep = s.get("/api/tables/big/row?w.id=999950").json()["row"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let next = |path: &str| s.get(path).json()["next"].as_str().unwrap().to_string();
    let end_by_n = next("/api/tables/big/rows?sort=n&dir=desc&limit=51");
    let end_by_label = next("/api/tables/big/rows?sort=label&dir=desc&limit=51");
    let last = s.get(&format!("/api/tables/big/rows?after={deep}")).json();
    assert_eq!(
        last["rows"][49]["cells"][0]["value"], "1000000",
        "the page at row 1,000,000"
    );
    assert!(last["next"].is_null());
    vec![
        ("first page (rows 1–50)", "/api/tables/big/rows".into()),
        (
            "page at row 1,000,000 (rows 999,951–1,000,000)",
            format!("/api/tables/big/rows?after={deep}"),
        ),
        (
            "first page sorted by an indexed column",
            "/api/tables/big/rows?sort=n".into(),
        ),
        (
            "last page sorted by an indexed column",
            format!("/api/tables/big/rows?sort=n&after={end_by_n}"),
        ),
        (
            "first page sorted by an unindexed column",
            "/api/tables/big/rows?sort=label".into(),
        ),
        (
            "last page sorted by an unindexed column",
            format!("/api/tables/big/rows?sort=label&after={end_by_label}"),
        ),
        ("table list (counts, the big one estimated)", "/api/tables".into()),
    ]
}

/// The benchmark's table for docs/BENCHMARKS.md: each median, and its ratio to the first.
pub fn print_results(results: &[(String, Duration)]) {
    let base = results[0].1.as_secs_f64();
    println!("\n| request | median | ratio to the first page |");
    println!("| --- | ---: | ---: |");
    for (name, t) in results {
        println!(
            "| {name} | {:.2} ms | {:.2} |",
            t.as_secs_f64() * 1000.0,
            t.as_secs_f64() / base
        );
    }
    println!(
        "\n(median of {RUNS} requests each, a new connection per request, {} build)",
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
}
