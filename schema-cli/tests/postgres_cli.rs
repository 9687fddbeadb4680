//! Every command with `--dialect postgresql`, as a user runs them, against a real server the
//! test starts itself (`tests/pg/pg_server.rs`): generate, migrate, status (with drift),
//! check, push (with its data-loss guard), pull, lint, drop; exit codes as documented, and
//! no password in any output. Without PostgreSQL's binaries a test prints `SKIPPED` on a
//! developer's machine and fails under `CI=true`.

mod support;

include!("../../tests/pg/pg_server.rs");

use support::{Project, Run};

/// The blog example's schema, for the PostgreSQL dialect, on a database of `server`.
fn blog(server: &PgServer, db: &str) -> Project {
    let p = Project::new();
    p.write(
        "src/schema.rs",
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/blog/src/schema.rs")).unwrap(),
    );
    p.write(
        "schema.toml",
        &format!(
            "dialect = \"postgresql\"\nschema = \"src/schema.rs\"\nout = \"migrations-pg\"\n\n[database]\nurl = \"{}\"\n",
            server.url(db)
        ),
    );
    p
}

fn no_secret(r: &Run) {
    assert!(
        !r.stdout().contains("s3cret") && !r.stderr().contains("s3cret"),
        "a password in the output:\n{}{}",
        r.stdout(),
        r.stderr()
    );
}

#[test]
fn every_command_works_on_postgresql() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let p = blog(&server, "blog");
    let out = p.run(&["generate", "--name", "init"]).expect(0).stdout();
    assert!(out.contains("0000_init.sql"), "{out}");
    let journal = p.read("migrations-pg/meta/_journal.json");
    assert!(journal.contains("\"dialect\": \"postgresql\""), "{journal}");
    let snapshot = p.read("migrations-pg/meta/0000_snapshot.json");
    assert!(snapshot.contains("\"version\": \"7\""), "{snapshot}");
    // Nothing changed: nothing written.
    p.run(&["generate"]).expect(0);
    assert!(!p.exists("migrations-pg/0001_snapshot.json"));

    // status before the database exists: every migration pending, nothing created.
    let out = p.run(&["status"]).expect(0).stdout();
    assert!(out.contains("pending"), "{out}");
    assert!(
        server
            .psql("postgres", "SELECT 1 FROM pg_database WHERE datname = 'blog'")
            .unwrap()
            .is_empty()
    );

    let out = p.run(&["migrate"]).expect(0).stdout();
    assert!(out.contains("applied 0000_init"), "{out}");
    p.run(&["migrate"]).expect(0);
    server
        .psql(
            "blog",
            "INSERT INTO users (handle, email) VALUES ('ann', 'ann@x'); \
             INSERT INTO posts (author_id, slug, title, meta) VALUES (1, 'p', 'Hello', '{}')",
        )
        .unwrap();
    assert_eq!(server.psql("blog", "SELECT body_length FROM posts").unwrap(), "0");
    p.run(&["status"]).expect(0);
    p.run(&["check", "--url", &server.url("blog")]).expect(0);

    // Drift, said by status and check; push --dry-run shows it and changes nothing.
    server.psql("blog", "ALTER TABLE users ADD COLUMN extra int").unwrap();
    let out = p.run(&["status"]).expect(1).stdout();
    assert!(
        out.contains("column `users.extra`: in the database, not in the migrations"),
        "{out}"
    );
    p.run(&["check", "--url", &server.url("blog")]).expect(1);
    let out = p.run(&["push", "--dry-run"]).expect(0).stdout();
    assert!(out.contains("ALTER TABLE \"users\" DROP COLUMN \"extra\";"), "{out}");
    // Without a terminal, a push that loses data is refused; --force goes ahead.
    p.run(&["push"]).expect(2);
    assert_eq!(
        server.psql(
            "blog",
            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'extra'"
        ),
        Ok("1".into())
    );
    p.run(&["push", "--force"]).expect(0);
    p.run(&["status"]).expect(0);

    // A change to the schema, generated and applied over the rows.
    let src = p.read("src/schema.rs").replace(
        "    pub display_name: Option<String>,",
        "    pub display_name: Option<String>,\n    #[column(default = 0)]\n    pub karma: i32,",
    );
    p.write("src/schema.rs", &src);
    p.run(&["generate", "--name", "karma"]).expect(0);
    let sql = p.read("migrations-pg/0001_karma.sql");
    assert_eq!(
        sql,
        "ALTER TABLE \"users\" ADD COLUMN \"karma\" integer DEFAULT 0 NOT NULL;"
    );
    // lint knows PostgreSQL's rules, and that `schema migrate` sets lock_timeout itself.
    let out = p.run(&["lint", "0001_karma"]).expect(0).stdout();
    assert!(out.contains("0001_karma"), "{out}");
    assert!(!out.contains("missing-lock-timeout"), "{out}");
    // drop removes an unapplied migration, and refuses an applied one.
    p.run(&["drop", "0001_karma", "--yes"]).expect(0);
    p.run(&["generate", "--name", "karma"]).expect(0);
    p.run(&["migrate"]).expect(0);
    p.run(&["drop", "0001_karma", "--yes"]).expect(2);
    assert_eq!(server.psql("blog", "SELECT handle, karma FROM users").unwrap(), "ann|0");

    // pull writes structs and a baseline that recreate the database.
    let out = p
        .run(&["pull", "--out-schema", "pulled.rs", "--out", "pulled"])
        .expect(0)
        .stdout();
    assert!(out.contains("Pulled 7 tables"), "{out}");
    let pulled = p.read("pulled.rs");
    assert!(pulled.contains("pub struct Users"), "{pulled}");
    let baseline = p.read("pulled/0000_baseline.sql");
    let fresh = blog(&server, "fresh");
    fresh.write(
        "schema.toml",
        &format!(
            "dialect = \"postgresql\"\nschema = \"pulled.rs\"\nout = \"pulled\"\n\n[database]\nurl = \"{}\"\n",
            server.url("fresh")
        ),
    );
    fresh.write("pulled.rs", &pulled);
    std::fs::create_dir_all(fresh.path("pulled/meta")).unwrap();
    for f in ["0000_baseline.sql", "meta/_journal.json", "meta/0000_snapshot.json"] {
        fresh.write(&format!("pulled/{f}"), &p.read(&format!("pulled/{f}")));
    }
    assert!(baseline.contains("CREATE TABLE \"users\""), "{baseline}");
    fresh.run(&["migrate"]).expect(0);
    fresh.run(&["check", "--url", &server.url("fresh")]).expect(0);
    let describe = "SELECT string_agg(table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':' || \
                    coalesce(column_default, ''), ',' ORDER BY table_name, column_name) \
                    FROM information_schema.columns WHERE table_schema = 'public'";
    assert_eq!(server.psql("fresh", describe), server.psql("blog", describe));
}

#[test]
fn bad_urls_and_missing_servers_are_clear_errors_without_the_password() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let p = blog(&server, "blog");
    p.run(&["generate"]).expect(0);
    // A database that is not there: read-only commands say so and create nothing.
    let url = format!(
        "postgres://postgres:s3cret@/nodb?host={}",
        server.socket_dir().display()
    );
    let r = p.run(&["status", "--url", &url]);
    no_secret(&r);
    assert!(
        r.stdout().contains("no database at") && r.stdout().contains(":***@"),
        "{}",
        r.stdout()
    );
    assert!(
        server
            .psql("postgres", "SELECT 1 FROM pg_database WHERE datname = 'nodb'")
            .unwrap()
            .is_empty()
    );
    let r = p.run(&["migrate", "--dry-run", "--url", &url]);
    no_secret(&r);
    // No server at all: exit 3, saying why, the password hidden.
    let r = p.run(&["migrate", "--url", "postgres://bob:s3cret@127.0.0.1:1/x"]);
    r.expect(3);
    no_secret(&r);
    assert!(r.stderr().contains("bob:***@127.0.0.1:1"), "{}", r.stderr());
    assert!(r.stderr().contains("refused"), "{}", r.stderr());
    // A file URL with the postgresql dialect, and the reverse: said, exit 2.
    let r = p.run(&["status", "--url", "app.db"]);
    r.expect(2);
    assert!(r.stderr().contains("postgresql"), "{}", r.stderr());
    let r = p.run(&["status", "--dialect", "sqlite", "--url", &url]);
    r.expect(2);
    no_secret(&r);
    // A failing statement names the migration and the statement, and leaves nothing behind.
    p.write(
        "migrations-pg/0000_init.sql",
        &format!(
            "{}\n--> statement-breakpoint\nSELECT 1/0;",
            p.read("migrations-pg/0000_init.sql")
        ),
    );
    let r = p.run(&["migrate"]);
    r.expect(3);
    assert!(
        r.stderr().contains("0000_") && r.stderr().contains("division by zero"),
        "{}",
        r.stderr()
    );
    assert_eq!(
        server.psql("blog", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        Ok("0".into())
    );
}

#[test]
fn the_example_keeps_a_postgresql_folder_in_step_with_its_structs() {
    // No server needed: the folder and the structs only.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out = std::process::Command::new(support::schema_bin())
        .current_dir(root)
        .args(["--config", "examples/blog/schema.postgres.toml", "check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rehearse_rolls_back_and_reset_rebuilds_on_postgresql() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let p = blog(&server, "dev");
    p.run(&["generate", "--name", "init"]).expect(0);
    p.run(&["migrate"]).expect(0);
    server
        .psql(
            "dev",
            "INSERT INTO users (handle, email) VALUES ('ann', 'ann@x'), ('bob', 'bob@x')",
        )
        .unwrap();
    // A pending migration that rewrites every row, rehearsed: timed and counted, nothing kept.
    p.write(
        "src/schema.rs",
        &p.read("src/schema.rs").replace(
            "    pub display_name: Option<String>,",
            "    #[column(default = \"someone\")]\n    pub display_name: String,",
        ),
    );
    p.run(&["generate", "--name", "names"]).expect(0);
    let catalog = "SELECT string_agg(c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' \
                   || a.attnotnull || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ',' ORDER BY c.relname, a.attnum) \
                   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                   LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                   WHERE n.nspname IN ('public', 'drizzle') AND a.attnum > 0 AND NOT a.attisdropped";
    let before = server.psql("dev", catalog).unwrap();
    let out = p.run(&["migrate", "--rehearse"]).expect(0).stdout();
    assert_eq!(
        server.psql("dev", catalog).unwrap(),
        before,
        "the rehearsal changed the catalog"
    );
    assert!(out.contains("rolled back"), "{out}");
    assert!(out.contains("0001_names"), "{out}");
    assert_eq!(
        server.psql("dev", "SELECT count(*) FROM users WHERE display_name IS NULL"),
        Ok("2".into()),
        "the rehearsal changed the database"
    );
    assert_eq!(
        server.psql("dev", "SELECT count(*) FROM drizzle.__drizzle_migrations"),
        Ok("1".into())
    );
    p.run(&["migrate"]).expect(0);
    assert_eq!(
        server.psql("dev", "SELECT display_name FROM users ORDER BY id"),
        Ok("someone\nsomeone".into())
    );
    // reset: the database dropped and rebuilt from every migration.
    let out = p.run(&["reset", "--force"]).expect(0).stdout();
    assert!(out.contains("Applied 2 migration"), "{out}");
    assert_eq!(server.psql("dev", "SELECT count(*) FROM users"), Ok("0".into()));
    // The server's own database is never dropped.
    let r = p.run(&["reset", "--force", "--url", &server.url("postgres")]);
    r.expect(2);
    assert!(r.stderr().contains("never drops"), "{}", r.stderr());
}

/// Every table, column, constraint and index of `public`, as the catalog says them: what two
/// databases must share to be the same.
const CATALOG: &str = "SELECT string_agg(x, E'\\n' ORDER BY x) FROM ( \
    SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) \
        || ' notnull=' || a.attnotnull || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text \
        || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS x \
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped \
    UNION ALL SELECT 'constraint ' || c.relname || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid) \
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE n.nspname = 'public' \
    UNION ALL SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public') q";

/// Django's own tables on PostgreSQL (Django from PyPI, installed by the test with psycopg),
/// pulled, and the baseline migrated into an empty database: the same catalog, object by
/// object; and generate after pull finds nothing to write.
#[test]
fn django_on_postgresql_pulls_and_round_trips_exactly() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site-packages");
    let pip = std::process::Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
        ])
        .arg(&site)
        .args(["django==5.2.19", "psycopg[binary]==3.2.12"])
        .output();
    match pip {
        Ok(o) if o.status.success() => {}
        other if std::env::var_os("CI").is_none() => {
            println!("SKIPPED: cannot install Django and psycopg from PyPI: {other:?}");
            return;
        }
        other => panic!("cannot install Django and psycopg from PyPI: {other:?}"),
    }
    let proj = dir.path().join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    let py = |args: &[&str]| {
        let o = std::process::Command::new("python3")
            .args(args)
            .current_dir(&proj)
            .env("PYTHONPATH", &site)
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    py(&["-m", "django", "startproject", "mysite", "."]);
    let settings = proj.join("mysite/settings.py");
    let mut text = std::fs::read_to_string(&settings).unwrap();
    text.push_str(&format!(
        "\nDATABASES = {{'default': {{'ENGINE': 'django.db.backends.postgresql', 'NAME': 'django', \
         'USER': 'postgres', 'HOST': '{}', 'PORT': '{}'}}}}\n",
        server.socket_dir().display(),
        server.port()
    ));
    std::fs::write(&settings, text).unwrap();
    server.create_database("django").unwrap();
    py(&["manage.py", "migrate", "-v0"]);

    let p = Project::new();
    p.write(
        "schema.toml",
        "dialect = \"postgresql\"\nschema = \"pulled.rs\"\nout = \"pulled\"\n",
    );
    let out = p
        .run(&["pull", "--url", &server.url("django"), "--out-schema", "pulled.rs"])
        .expect(0)
        .stdout();
    assert!(out.contains("Pulled"), "{out}");
    // Django's `_like` indexes name an operator class: kept as written.
    let baseline = std::fs::read_to_string(p.path("pulled/0000_baseline.sql")).unwrap();
    assert!(baseline.contains("varchar_pattern_ops"), "{baseline}");
    p.run(&["generate", "--url", &server.url("django")]).expect(0);
    assert!(
        !p.exists("pulled/0001_snapshot.json"),
        "generate after pull wrote a migration"
    );
    p.run(&["status", "--url", &server.url("django")]).expect(0);

    p.run(&["migrate", "--url", &server.url("roundtrip")]).expect(0);
    let (a, b) = (
        server.psql("django", CATALOG).unwrap(),
        server.psql("roundtrip", CATALOG).unwrap(),
    );
    assert_eq!(a.lines().count(), b.lines().count());
    for (x, y) in a.lines().zip(b.lines()) {
        assert_eq!(x, y);
    }
    println!(
        "FIGURE django on PostgreSQL: {} catalog facts equal after pull and migrate",
        a.lines().count()
    );
}

#[test]
fn a_schema_on_sqlite_is_refused_at_generate_and_push() {
    let p = Project::new();
    p.write(
        "src/schema.rs",
        "use schema_core::Table;\n#[derive(Table)]\n#[table(schema = \"auth\")]\npub struct Users { #[column(primary_key)] pub id: i64 }\n",
    );
    p.write(
        "schema.toml",
        "dialect = \"sqlite\"\nschema = \"src/schema.rs\"\nout = \"migrations\"\n",
    );
    let r = p.run(&["generate"]);
    r.expect(2);
    assert!(r.stderr().contains("SQLite has no schemas"), "{}", r.stderr());
    assert!(!p.exists("migrations/0000_snapshot.json"));
    let r = p.run(&["push", "--url", "app.db"]);
    r.expect(2);
    assert!(r.stderr().contains("SQLite has no schemas"), "{}", r.stderr());
}

#[test]
fn a_pushed_postgresql_database_is_adopted_and_an_edit_accepted() {
    let Some(server) = PgServer::start_or_skip() else {
        return;
    };
    let p = blog(&server, "adopt");
    p.run(&["generate", "--name", "init"]).expect(0);
    // Made by push, not by the migrations: migrate would fail on tables already there.
    p.run(&["push", "--force"]).expect(0);
    server
        .psql("adopt", "INSERT INTO users (handle, email) VALUES ('ann', 'ann@x')")
        .unwrap();
    p.run(&["migrate", "--baseline", "0000_init"]).expect(0);
    p.run(&["status"]).expect(0);
    p.run(&["migrate"]).expect(0);
    // A reviewed edit (a comment) is refused until accepted.
    let f = "migrations-pg/0000_init.sql";
    p.write(f, &format!("-- reviewed\n{}", p.read(f)));
    p.run(&["migrate"]).expect(3);
    p.run(&["migrate", "--accept-edit", "0000_init"]).expect(0);
    p.run(&["migrate"]).expect(0);
    assert_eq!(server.psql("adopt", "SELECT handle FROM users"), Ok("ann".into()));
    // A database that differs is not adopted, and nothing is recorded.
    let q = blog(&server, "differs");
    q.run(&["generate", "--name", "init"]).expect(0);
    q.run(&["push", "--force"]).expect(0);
    server
        .psql("differs", "ALTER TABLE users DROP COLUMN display_name")
        .unwrap();
    let r = q.run(&["migrate", "--baseline", "0000_init"]);
    assert_ne!(r.code(), 0);
    assert!(r.stderr().contains("display_name"), "{}", r.stderr());
    assert_eq!(
        server.psql("differs", "SELECT count(*) FROM pg_tables WHERE schemaname = 'drizzle'"),
        Ok("0".into())
    );
}
