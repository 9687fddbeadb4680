// Checks pg_server.rs on this machine: two servers at once, a query on each, a database
// created through one, both dropped, their folders gone; prints start and stop times.
// std only, so it builds without cargo:
//   rustc --edition 2021 -O tests/pg/harness_check.rs -o /tmp/pg_harness_check && /tmp/pg_harness_check
// Run it as root and as an ordinary user (e.g. `runuser -u nobody -- /tmp/pg_harness_check`).

include!("pg_server.rs");

fn main() {
    let t = std::time::Instant::now();
    let Some(a) = PgServer::start_or_skip() else { return };
    let start_a = t.elapsed();
    let t = std::time::Instant::now();
    let b = PgServer::start().expect("second server");
    let start_b = t.elapsed();
    assert_ne!(a.socket_dir(), b.socket_dir());
    assert_eq!(a.psql("postgres", "SELECT 1").unwrap(), "1");
    assert_eq!(b.psql("postgres", "SELECT 1").unwrap(), "1");
    a.create_database("app").unwrap();
    a.psql("app", "CREATE TABLE t (x int); INSERT INTO t VALUES (42)")
        .unwrap();
    assert_eq!(a.psql("app", "SELECT x FROM t").unwrap(), "42");
    // The database exists on a only: the servers are independent.
    let err = b.psql("app", "SELECT 1").unwrap_err();
    assert!(err.contains("does not exist"), "{err}");
    // Errors stop psql and come back as Err with the server's message.
    let err = a.psql("app", "SELECT nope FROM t").unwrap_err();
    assert!(err.contains("column \"nope\" does not exist"), "{err}");
    assert_eq!(
        a.psql("postgres", "SHOW listen_addresses").unwrap(),
        "",
        "the server must not listen on TCP"
    );
    assert_eq!(a.psql("postgres", "SHOW fsync").unwrap(), "off");
    assert_eq!(a.psql("postgres", "SELECT current_user").unwrap(), "postgres");
    let url = a.url("app");
    assert_eq!(
        url,
        format!("postgres://postgres@/app?host={}", a.socket_dir().display())
    );
    println!("url: {url}");
    println!("version: {}", a.psql("postgres", "SHOW server_version").unwrap());
    let (dir_a, dir_b) = (a.socket_dir().to_path_buf(), b.socket_dir().to_path_buf());
    assert!(dir_a.join(".s.PGSQL.5432").exists());
    let t = std::time::Instant::now();
    drop(a);
    let stop_a = t.elapsed();
    drop(b);
    assert!(!dir_a.exists(), "{} left behind", dir_a.display());
    assert!(!dir_b.exists(), "{} left behind", dir_b.display());

    // Start + stop, back to back, a few times.
    let mut total = std::time::Duration::ZERO;
    let n = 5;
    for _ in 0..n {
        let t = std::time::Instant::now();
        let s = PgServer::start().unwrap();
        s.psql("postgres", "SELECT 1").unwrap();
        drop(s);
        total += t.elapsed();
    }
    println!(
        "first start {start_a:?}, second (concurrent) start {start_b:?}, stop+remove {stop_a:?}; \
         start+query+stop averaged over {n}: {:?}",
        total / n
    );
    println!("ok");
}
