//! PostgreSQL against a real server: each test starts its own (initdb into a temporary
//! folder, a Unix socket only, removed afterwards; `tests/pg/pg_server.rs`). Without the
//! binaries a test prints `SKIPPED` on a developer's machine and fails under `CI=true`.
//!
//! The SQLite evolution cases run here too, with rows in every table: a schema moved through
//! added, retyped, tightened, renamed and dropped columns keeps every row, ends equal to a fresh
//! database made from the last schema, and shows no drift; plus PostgreSQL's own: casts with
//! `USING` that fail (the database left as it was), NOT NULL over NULLs, identity continuity,
//! concurrent migrators, `CONCURRENTLY` migrations.

#![allow(clippy::unwrap_used)]

include!("../pg/pg_server.rs");

use schema_core::backend::OpenMode;
use schema_core::dialect::Dialect as _;
use schema_core::driver::Driver;
use schema_core::folder::Folder;
use schema_core::generate::{GenerateOptions, GenerateOutcome, generate};
use schema_core::postgres::{POSTGRES, PgDriver};
use schema_core::{MigrateError, Migrations};
use schema_tests::schema_from_source;

/// A folder for the PostgreSQL dialect and a database on `server`.
struct Pg {
    dir: tempfile::TempDir,
    url: String,
}

impl Pg {
    fn new(server: &PgServer, db: &str) -> Pg {
        Pg {
            dir: tempfile::tempdir().unwrap(),
            url: server.url(db),
        }
    }

    fn folder(&self) -> Folder {
        Folder::new(self.dir.path().join("migrations"), &POSTGRES)
    }

    /// Generates the migration to `src`; its SQL.
    fn generate(&self, src: &str) -> String {
        match generate(
            &self.folder(),
            &schema_from_source(src),
            &GenerateOptions::default(),
            &mut (),
        )
        .unwrap()
        {
            GenerateOutcome::Written(w) => std::fs::read_to_string(w.sql_path).unwrap(),
            GenerateOutcome::NoChanges => panic!("expected a change"),
        }
    }

    /// A `--custom` migration named `name` (the schema carried over), holding `sql`; its path,
    /// to write other SQL into later.
    fn custom(&self, src: &str, name: Option<&str>, sql: &str) -> std::path::PathBuf {
        let opts = GenerateOptions {
            custom: true,
            name: name.map(String::from),
            ..Default::default()
        };
        let GenerateOutcome::Written(w) = generate(&self.folder(), &schema_from_source(src), &opts, &mut ()).unwrap()
        else {
            panic!("a custom migration is always written")
        };
        std::fs::write(&w.sql_path, sql).unwrap();
        w.sql_path
    }

    fn driver(&self) -> PgDriver {
        PgDriver::open(&self.url, OpenMode::Create).unwrap()
    }

    fn migrations(&self) -> Migrations {
        Migrations::from_dir(self.dir.path().join("migrations")).unwrap()
    }

    fn migrate(&self) -> Result<Vec<String>, MigrateError> {
        let applied = self.driver().migrate(&self.migrations(), &mut |_| {})?;
        Ok(applied.into_iter().map(|a| a.tag).collect())
    }

    fn exec(&self, sql: &str) {
        self.driver().client().batch_execute(sql).unwrap();
    }

    /// Every row of a query, each as its columns' text joined by `|`.
    fn rows(&self, sql: &str) -> Vec<String> {
        let mut d = self.driver();
        let wrapped = format!(
            "SELECT concat_ws('|', VARIADIC ARRAY(SELECT coalesce(v::text, 'NULL') FROM json_each_text(row_to_json(q)) AS j(k, v))) FROM ({sql}) q"
        );
        d.client()
            .query(&wrapped, &[])
            .unwrap()
            .into_iter()
            .map(|r| r.get::<_, String>(0))
            .collect()
    }

    /// The drift between the last applied snapshot and the database, in words.
    fn drift(&self) -> Vec<String> {
        let mut d = self.driver();
        schema_core::drift::drift(&mut d, &self.folder(), &self.migrations(), &[])
            .unwrap()
            .unwrap_or_default()
    }

    fn tracking_rows(&self) -> i64 {
        self.driver()
            .client()
            .query_one("SELECT count(*) FROM drizzle.__drizzle_migrations", &[])
            .unwrap()
            .get(0)
    }

    /// The schema read back, for comparisons.
    fn introspect(&self) -> schema_core::model::Schema {
        self.driver().introspect(&[]).unwrap()
    }
}

fn server() -> Option<PgServer> {
    PgServer::start_or_skip()
}

const V1: &str = r#"
use schema_core::Table;
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(unique)]
    pub email: String,
    pub nick: Option<String>,
    pub age: Option<String>,
    #[column(default = 0)]
    pub score: i32,
}
#[derive(Table)]
#[table(name = "posts")]
#[index(columns(author_id))]
#[check(name = "posts_title_len", expr = "length(title) > 0")]
pub struct Post {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = User::id, on_delete = "cascade")]
    pub author_id: i64,
    pub title: String,
    #[column(default = "draft")]
    pub status: String,
}
"#;

/// Every column kind changes at once: a column added with a default, one retyped (text to
/// integer, cast with USING), one made NOT NULL with a default for its NULLs, one renamed, one
/// dropped, a new table and a new index.
const V2: &str = r#"
use schema_core::Table;
#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(unique)]
    pub email: String,
    #[column(renamed_from = "nick", default = "anon")]
    pub handle: String,
    pub age: Option<i32>,
    #[column(default = 0)]
    pub score: i64,
    #[column(default = true)]
    pub active: bool,
}
#[derive(Table)]
#[table(name = "posts")]
#[index(columns(author_id))]
#[index(name = "posts_titled_idx", columns(title), where = "title <> ''")]
#[check(name = "posts_title_len", expr = "length(title) > 0")]
pub struct Post {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(references = User::id, on_delete = "cascade")]
    pub author_id: i64,
    pub title: String,
}
#[derive(Table)]
#[table(name = "tags")]
pub struct Tag {
    #[column(primary_key)]
    pub name: String,
}
"#;

#[test]
fn a_schema_evolves_with_rows_in_every_table_and_ends_as_a_fresh_database() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "evolve");
    p.generate(V1);
    assert_eq!(p.migrate().unwrap().len(), 1);
    assert_eq!(p.drift(), Vec::<String>::new(), "no drift after the first migration");
    p.exec(
        "INSERT INTO users (email, nick, age) VALUES ('a@x', 'ann', '41'), ('b@x', NULL, NULL), ('c@x', 'cy', ' 7 ');
         INSERT INTO posts (author_id, title) SELECT id, 'hello ' || email FROM users;",
    );
    let sql = p.generate(V2);
    assert!(sql.contains("RENAME COLUMN \"nick\" TO \"handle\""), "{sql}");
    assert!(sql.contains("SET DATA TYPE integer USING \"age\"::integer"), "{sql}");
    assert!(
        sql.contains("UPDATE \"users\" SET \"handle\" = 'anon' WHERE \"handle\" IS NULL;"),
        "{sql}"
    );
    assert_eq!(p.migrate().unwrap().len(), 1);
    assert_eq!(p.drift(), Vec::<String>::new(), "no drift after the second migration");
    assert_eq!(
        p.rows("SELECT id, email, handle, age, score, active FROM users ORDER BY id"),
        ["1|a@x|ann|41|0|true", "2|b@x|anon|NULL|0|true", "3|c@x|cy|7|0|true"]
    );
    assert_eq!(p.rows("SELECT count(*) FROM posts"), ["3"]);
    // Identity continues where it was: no id is handed out twice.
    p.exec("INSERT INTO users (email) VALUES ('d@x')");
    assert_eq!(p.rows("SELECT max(id) FROM users"), ["4"]);

    // A fresh database from the same folder is the same database.
    let fresh = Pg {
        dir: tempfile::tempdir().unwrap(),
        url: server.url("fresh"),
    };
    copy_dir(&p.dir.path().join("migrations"), &fresh.dir.path().join("migrations"));
    fresh.migrate().unwrap();
    assert_eq!(fresh.introspect(), p.introspect());
    // And generate finds nothing left to do.
    let again = generate(
        &p.folder(),
        &schema_from_source(V2),
        &GenerateOptions::default(),
        &mut (),
    )
    .unwrap();
    assert_eq!(again, GenerateOutcome::NoChanges);
}

/// A new PostgreSQL folder with the first migration to the schema in `src`: the folder's
/// directory (kept while it lives), the folder and what was written.
fn first_migration(src: &str) -> (tempfile::TempDir, Folder, schema_core::generate::WrittenMigration) {
    let dir = tempfile::tempdir().unwrap();
    let folder = Folder::new(dir.path().join("migrations"), &POSTGRES);
    let GenerateOutcome::Written(w) =
        generate(&folder, &schema_from_source(src), &GenerateOptions::default(), &mut ()).unwrap()
    else {
        panic!("a first migration")
    };
    (dir, folder, w)
}

/// Why SQLite's generate refuses the schema in `src`.
fn sqlite_refusal(src: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Folder::new(dir.path().join("migrations"), &schema_core::sqlite::SQLITE);
    generate(&sqlite, &schema_from_source(src), &GenerateOptions::default(), &mut ())
        .unwrap_err()
        .to_string()
}

/// What our generate writes after drizzle-kit's own folder `migrations` (copied) for the schema
/// in `src`: `NoChanges` when we read its snapshots as it wrote them.
fn continuing(migrations: &std::path::Path, src: &str) -> GenerateOutcome {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(migrations, &dir.path().join("migrations"));
    generate(
        &Folder::new(dir.path().join("migrations"), &POSTGRES),
        &schema_from_source(src),
        &GenerateOptions::default(),
        &mut (),
    )
    .unwrap()
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn a_cast_that_fails_leaves_the_database_as_it_was() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "cast");
    p.generate(V1);
    p.migrate().unwrap();
    p.exec("INSERT INTO users (email, age) VALUES ('a@x', '41'), ('b@x', 'forty')");
    let before = p.introspect();
    p.generate(V2);
    let err = p.migrate().unwrap_err().to_string();
    assert!(err.contains("0001_"), "names the migration: {err}");
    assert!(err.contains("invalid input syntax for type integer"), "{err}");
    assert!(err.contains("USING \"age\"::integer"), "names the statement: {err}");
    assert_eq!(p.introspect(), before, "nothing of the migration stays");
    assert_eq!(p.tracking_rows(), 1);
    assert_eq!(
        p.rows("SELECT email, age FROM users ORDER BY id"),
        ["a@x|41", "b@x|forty"]
    );
    // Fixed by hand, the same migration then applies.
    p.exec("UPDATE users SET age = '40' WHERE age = 'forty'");
    p.migrate().unwrap();
    assert_eq!(p.rows("SELECT age FROM users ORDER BY id"), ["41", "40"]);
}

#[test]
fn not_null_without_a_default_fails_over_nulls_and_passes_without_them() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "notnull");
    p.generate("#[derive(Table)] pub struct T { #[column(primary_key)] pub id: i64, pub note: Option<String> }");
    p.migrate().unwrap();
    p.exec("INSERT INTO t VALUES (1, 'x'), (2, NULL)");
    let sql = p.generate("#[derive(Table)] pub struct T { #[column(primary_key)] pub id: i64, pub note: String }");
    assert!(
        sql.contains("ALTER TABLE \"t\" ALTER COLUMN \"note\" SET NOT NULL;"),
        "{sql}"
    );
    let err = p.migrate().unwrap_err().to_string();
    assert!(
        err.contains("cannot make t.note NOT NULL: 1 row(s) hold NULL there"),
        "{err}"
    );
    assert_eq!(p.rows("SELECT count(*) FROM t WHERE note IS NULL"), ["1"]);
    p.exec("UPDATE t SET note = '' WHERE note IS NULL");
    p.migrate().unwrap();
    assert_eq!(p.drift(), Vec::<String>::new());
    // A new NOT NULL column without a default: refused with the count while rows are there,
    // applied on an empty table.
    let src = "#[derive(Table)] pub struct T { #[column(primary_key)] pub id: i64, pub note: String, pub n2: i32 }";
    p.generate(src);
    let err = p.migrate().unwrap_err().to_string();
    assert!(
        err.contains("cannot add the NOT NULL column t.n2 without a default: 2 row(s)"),
        "{err}"
    );
    p.exec("DELETE FROM t");
    p.migrate().unwrap();
    assert_eq!(p.drift(), Vec::<String>::new());
}

#[test]
fn an_identity_added_to_a_column_with_rows_starts_after_them() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "identity");
    p.generate("#[derive(Table)] pub struct T { #[column(primary_key)] pub id: i64, pub v: String }");
    p.migrate().unwrap();
    p.exec("INSERT INTO t VALUES (1, 'a'), (41, 'b')");
    p.generate("#[derive(Table)] pub struct T { #[column(primary_key, autoincrement)] pub id: i64, pub v: String }");
    p.migrate().unwrap();
    p.exec("INSERT INTO t (v) VALUES ('c')");
    assert_eq!(p.rows("SELECT id FROM t WHERE v = 'c'"), ["42"]);
    assert_eq!(p.drift(), Vec::<String>::new());
}

#[test]
fn eight_migrators_at_once_apply_each_migration_once() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "concurrent");
    p.generate(V1);
    // A data migration, which would fail on a second run (the key is taken).
    p.custom(
        V1,
        Some("seed"),
        "INSERT INTO users (id, email) VALUES (100, 'admin@x');\n--> statement-breakpoint\nSELECT pg_sleep(0.3);",
    );
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let url = p.url.clone();
            let dir = p.dir.path().join("migrations");
            std::thread::spawn(move || {
                let mut d = PgDriver::open(&url, OpenMode::Create).unwrap();
                d.migrate(&Migrations::from_dir(dir).unwrap(), &mut |_| {})
                    .map(|a| a.len())
            })
        })
        .collect();
    let applied: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap().unwrap()).collect();
    assert_eq!(applied.iter().sum::<usize>(), 2, "{applied:?}");
    assert_eq!(p.tracking_rows(), 2);
    assert_eq!(p.rows("SELECT count(*) FROM users"), ["1"]);
}

#[test]
fn the_tokio_postgres_migrator_runs_the_same_engine_and_fails_whole() {
    use schema_core::postgres::tokio_client::{self, NoTls};
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "tokio");
    p.generate(V1);
    p.custom(
        V1,
        Some("seed"),
        "INSERT INTO users (id, email) VALUES (100, 'admin@x');",
    );
    // A migration that fails at its second statement, after the first changed something.
    let failing = p.custom(
        V1,
        Some("broken"),
        "UPDATE users SET email = 'changed@x';\n--> statement-breakpoint\nSELECT 1 / 0;",
    );
    server.create_database("tokio").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let migrations = p.migrations();
    let (applied, err) = rt.block_on(async {
        let (mut client, connection) = tokio_client::connect(&p.url, NoTls).await.unwrap();
        tokio::spawn(connection);
        let mut seen = Vec::new();
        let run = migrations.run_tokio_postgres_with(&mut client, |e| seen.push(format!("{e:?}")));
        fn is_send<T: Send>(_: &T) {}
        is_send(&run);
        let err = run.await.unwrap_err();
        (seen, err)
    });
    // The first two applied, each reported; the third stopped at its division, whole.
    assert!(
        applied.iter().filter(|e| e.starts_with("Applied")).count() == 2,
        "{applied:#?}"
    );
    assert!(
        matches!(&err, MigrateError::Statement { number: 2, .. }) && err.to_string().contains("division by zero"),
        "{err}"
    );
    assert_eq!(p.tracking_rows(), 2);
    assert_eq!(p.rows("SELECT email FROM users"), ["admin@x"]);
    // The lock was given back: the blocking migrator goes on from the same rows at once.
    std::fs::write(&failing, "UPDATE users SET email = 'changed@x';").unwrap();
    let blocking = p.migrations().with_busy_timeout(std::time::Duration::from_millis(200));
    let mut client = schema_core::postgres::client::Client::connect(&p.url, NoTls).unwrap();
    assert_eq!(blocking.run_postgres(&mut client).unwrap().len(), 1);
    assert_eq!(p.rows("SELECT email FROM users"), ["changed@x"]);
    // And the asynchronous one finds nothing left.
    let again = rt.block_on(async {
        let (mut client, connection) = tokio_client::connect(&p.url, NoTls).await.unwrap();
        tokio::spawn(connection);
        p.migrations().run_tokio_postgres(&mut client).await.unwrap()
    });
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn a_migrator_waits_for_the_lock_up_to_its_busy_timeout() {
    use schema_core::postgres::client::{Client, NoTls};
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "busy");
    p.generate(V1);
    p.generate(V2);
    server.create_database("busy").unwrap();
    let mut holder = Client::connect(&p.url, NoTls).unwrap();
    let mut waiter = Client::connect(&p.url, NoTls).unwrap();
    let impatient = p.migrations().with_busy_timeout(std::time::Duration::from_millis(300));
    let mut outcome = None;
    // While the first migrator holds the lock (between its migrations), a second one waits
    // its busy timeout and gives up, changing nothing.
    p.migrations()
        .run_postgres_with(&mut holder, &mut |e| {
            if outcome.is_none() && matches!(e, schema_core::Progress::Applied(_)) {
                let started = std::time::Instant::now();
                outcome = Some((impatient.run_postgres(&mut waiter), started.elapsed()));
            }
        })
        .unwrap();
    let (result, waited) = outcome.unwrap();
    assert!(matches!(result, Err(MigrateError::Busy(_))), "{result:?}");
    assert!(waited >= std::time::Duration::from_millis(300), "{waited:?}");
    assert_eq!(p.tracking_rows(), 2);
    // The waiter's session is usable, and its lock_timeout is its own again.
    let timeout: String = waiter.query_one("SHOW lock_timeout", &[]).unwrap().get(0);
    assert_eq!(timeout, "0");
    assert!(impatient.run_postgres(&mut waiter).unwrap().is_empty());
}

#[test]
fn transaction_control_is_refused_before_anything_runs() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "forbidden");
    p.generate(V1);
    let path = p.custom(V1, None, "INSERT INTO users (email) VALUES ('x');\nCOMMIT;");
    let err = p.migrate().unwrap_err().to_string();
    assert!(err.contains("COMMIT") && err.contains("nothing was applied"), "{err}");
    // Not even the first migration ran.
    assert_eq!(p.driver().introspect(&[]).unwrap().tables.len(), 0);
    // A DO block's BEGIN .. END is no transaction control.
    std::fs::write(&path, "DO $$ BEGIN INSERT INTO users (email) VALUES ('x'); END $$;").unwrap();
    p.migrate().unwrap();
    assert_eq!(p.rows("SELECT email FROM users"), ["x"]);
}

#[test]
fn a_concurrently_migration_runs_outside_a_transaction_and_reruns_safely() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "concurrently");
    p.generate(V1);
    p.migrate().unwrap();
    p.exec("INSERT INTO users (email) VALUES ('a@x'), ('a@y')");
    // Mixed with a transactional statement: refused, naming both rules.
    let path = p.custom(
        V1,
        Some("index"),
        "CREATE INDEX CONCURRENTLY users_nick_idx ON users (nick);\n--> statement-breakpoint\nUPDATE users SET score = 1;",
    );
    let err = p.migrate().unwrap_err().to_string();
    assert!(err.contains("a migration of their own"), "{err}");
    // A unique index the rows break: the build fails and leaves an INVALID index behind.
    std::fs::write(
        &path,
        "CREATE UNIQUE INDEX CONCURRENTLY users_domain_idx ON users (split_part(email, '@', 1));",
    )
    .unwrap();
    let err = p.migrate().unwrap_err().to_string();
    assert!(err.contains("could not create unique index"), "{err}");
    assert_eq!(
        p.rows("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_domain_idx'::regclass"),
        ["false"]
    );
    assert_eq!(p.tracking_rows(), 1);
    // Once the rows allow it, the next run drops the invalid index and builds it again.
    p.exec("DELETE FROM users WHERE email = 'a@y'");
    assert_eq!(p.migrate().unwrap().len(), 1);
    assert_eq!(
        p.rows("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_domain_idx'::regclass"),
        ["true"]
    );
}

#[test]
fn push_brings_a_database_to_the_schema_and_then_finds_nothing() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "push");
    let mut d = p.driver();
    let mut resolver = ();
    for src in [V1, V2] {
        let plan = schema_core::push::plan_push(&mut d, &schema_from_source(src), &[], &[], &mut resolver).unwrap();
        schema_core::push::apply_push(&mut d, &plan).unwrap();
        let again = schema_core::push::plan_push(&mut d, &schema_from_source(src), &[], &[], &mut resolver).unwrap();
        assert!(again.changes.is_empty(), "{:#?}", again.changes);
    }
}

#[test]
fn application_code_and_drizzle_orm_continue_each_others_databases() {
    use schema_core::postgres::client::{Client, NoTls};
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "app");
    p.generate(V1);
    p.generate(V2);
    let migrations = p.migrations();
    let (first, second) = (&migrations.migrations()[0], &migrations.migrations()[1]);
    // drizzle-orm's migrator applied the first migration: its schema, its table, its row.
    server.create_database("app").unwrap();
    server.psql("app", &first.statements().concat()).unwrap();
    server
        .psql(
            "app",
            &format!(
                "CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint); \
                 INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('{}', {})",
                first.hash(),
                first.when()
            ),
        )
        .unwrap();
    // The application continues with the second, and only the second.
    let mut client = Client::connect(&p.url, NoTls).unwrap();
    let applied = migrations.run_postgres(&mut client).unwrap();
    assert_eq!(
        applied.iter().map(|a| a.tag.as_str()).collect::<Vec<_>>(),
        [second.tag()]
    );
    assert!(migrations.run_postgres(&mut client).unwrap().is_empty());
    // Our row says what drizzle-orm reads (its latest created_at is the last migration's
    // `when`), so drizzle-orm's migrator finds nothing to apply after us.
    assert_eq!(
        server
            .psql(
                "app",
                "SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1"
            )
            .unwrap(),
        second.when().to_string()
    );
    // Another schema for the tracking table, as drizzle-orm's migrationsSchema.
    let other = p.migrations().with_schema("ops").with_table("applied");
    let mut fresh = Client::connect(&server.url("app2"), NoTls)
        .or_else(|_| {
            server.create_database("app2").unwrap();
            Client::connect(&server.url("app2"), NoTls)
        })
        .unwrap();
    assert_eq!(other.run_postgres(&mut fresh).unwrap().len(), 2);
    assert_eq!(server.psql("app2", "SELECT count(*) FROM ops.applied").unwrap(), "2");
}

#[test]
fn names_derived_from_a_renamed_table_or_column_follow_it() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "renames");
    p.generate(V1);
    p.migrate().unwrap();
    p.exec(
        "INSERT INTO users (email, nick) VALUES ('a@x', 'ann'); INSERT INTO posts (author_id, title) VALUES (1, 't')",
    );
    let renamed = V1
        .replace(
            "#[table(name = \"users\")]",
            "#[table(name = \"accounts\", renamed_from = \"users\")]",
        )
        .replace("pub struct User {", "pub struct Account {")
        .replace("references = User::id", "references = Account::id")
        .replace(
            "    pub nick: Option<String>,",
            "    #[column(renamed_from = \"nick\")]\n    pub nickname: Option<String>,",
        );
    let sql = p.generate(&renamed);
    for expected in [
        "ALTER TABLE \"users\" RENAME TO \"accounts\";",
        "ALTER TABLE \"accounts\" RENAME CONSTRAINT \"users_email_unique\" TO \"accounts_email_unique\";",
        "ALTER TABLE \"posts\" RENAME CONSTRAINT \"posts_author_id_users_id_fk\" TO \"posts_author_id_accounts_id_fk\";",
        "ALTER SEQUENCE \"users_id_seq\" RENAME TO \"accounts_id_seq\";",
    ] {
        assert!(sql.contains(expected), "{expected}\n{sql}");
    }
    assert!(
        !sql.contains("DROP CONSTRAINT"),
        "renamed, not dropped and added again:\n{sql}"
    );
    p.migrate().unwrap();
    assert_eq!(p.drift(), Vec::<String>::new());
    assert_eq!(p.rows("SELECT id, email, nickname FROM accounts"), ["1|a@x|ann"]);
    p.exec("INSERT INTO accounts (email) VALUES ('b@x')");
    assert_eq!(p.rows("SELECT max(id) FROM accounts"), ["2"]);
    // The foreign key still holds, under its new name.
    assert_eq!(
        p.rows("SELECT conname FROM pg_constraint WHERE contype = 'f'"),
        ["posts_author_id_accounts_id_fk"]
    );
}

/// drizzle-kit 0.31's own output for the same schemas (`tests/fixtures/drizzle-compat-pg`): our
/// snapshots equal its, key for key (ids aside), so drizzle-kit continues our folders with no
/// changes and we continue its. Then each folder runs on a real server, fresh and over the
/// fixture's rows: where drizzle-kit's SQL fails for want of a `USING`, ours applies; where the
/// rows break the change (a NULL under NOT NULL, a dangling reference, a text that is no
/// number), the migration fails and the database is exactly as before.
#[test]
fn drizzle_kit_fixtures_give_equal_snapshots_and_apply_or_fail_whole() {
    let Some(server) = server() else { return };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drizzle-compat-pg");
    // (fixture, whether the second migration applies over the rows)
    let cases = [
        ("evolve_add_column", false),
        ("evolve_change_type", false),
        ("evolve_default", true),
        ("evolve_drop_column", true),
        ("evolve_foreign_key", false),
        ("evolve_not_null", false),
        ("evolve_rename_column", true),
        ("evolve_rename_table", true),
        ("evolve_enum_add_value", true),
        ("evolve_enum_drop_value", false),
        ("evolve_index_concurrently", true),
    ];
    let strip = |text: &str| {
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        let o = v.as_object_mut().unwrap();
        for k in ["id", "prevId", "_meta", "internal"] {
            o.remove(k);
        }
        v
    };
    for (n, (case, applies)) in cases.into_iter().enumerate() {
        let dir = root.join(case);
        let p = Pg::new(&server, &format!("fixture{n}"));
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        p.generate(&read("v1.rs"));
        p.generate(&read("v2.rs"));
        for s in ["0000_snapshot.json", "0001_snapshot.json"] {
            let ours = std::fs::read_to_string(p.dir.path().join("migrations/meta").join(s)).unwrap();
            assert_eq!(strip(&ours), strip(&read(&format!("drizzle/meta/{s}"))), "{case}: {s}");
        }
        // Fresh: the whole folder applies.
        let fresh = Pg {
            dir: tempfile::tempdir().unwrap(),
            url: server.url(&format!("fixture{n}_fresh")),
        };
        copy_dir(&p.dir.path().join("migrations"), &fresh.dir.path().join("migrations"));
        assert_eq!(fresh.migrate().map_err(|e| format!("{case}: {e}")).unwrap().len(), 2);
        assert_eq!(fresh.drift(), Vec::<String>::new(), "{case}");
        // Over rows: the first migration, the rows, then the second.
        let mut d = p.driver();
        let first = p.migrations();
        let only_first = Migrations::from_vec(first.migrations()[..1].to_vec());
        d.migrate(&only_first, &mut |_| {}).unwrap();
        p.exec(&read("rows.sql"));
        let before = p.introspect();
        let rows_before = p.rows("SELECT count(*) FROM pg_stat_user_tables");
        match p.migrate() {
            Ok(applied) => {
                assert!(applies, "{case}: expected the rows to refuse it");
                assert_eq!(applied.len(), 1, "{case}");
                assert_eq!(p.drift(), Vec::<String>::new(), "{case}");
            }
            Err(e) => {
                assert!(!applies, "{case}: {e}");
                assert_eq!(p.introspect(), before, "{case}: the database changed");
                assert_eq!(p.tracking_rows(), 1, "{case}");
                assert_eq!(p.rows("SELECT count(*) FROM pg_stat_user_tables"), rows_before);
            }
        }
    }
}

/// The other direction: drizzle-kit's own PostgreSQL folders, continued by our generate on the
/// Rust twin of the same schema, need nothing more ("No schema changes").
#[test]
fn drizzle_kit_folders_are_continued_with_no_changes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drizzle-compat-pg");
    for case in [
        "evolve_add_column",
        "evolve_change_type",
        "evolve_default",
        "evolve_drop_column",
        "evolve_foreign_key",
        "evolve_not_null",
        "evolve_rename_column",
        "evolve_rename_table",
        "evolve_enum_add_value",
        "evolve_enum_drop_value",
        "evolve_index_concurrently",
    ] {
        let v2 = std::fs::read_to_string(root.join(case).join("v2.rs")).unwrap();
        assert_eq!(
            continuing(&root.join(case).join("drizzle"), &v2),
            GenerateOutcome::NoChanges,
            "{case}"
        );
    }
}

#[test]
fn tables_live_in_schemas_and_move_between_them_with_their_rows() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "schemas");
    let v1 = V1.replace(
        "#[table(name = \"users\")]",
        "#[table(name = \"users\", schema = \"auth\")]",
    );
    let sql = p.generate(&v1);
    for expected in [
        "CREATE SCHEMA IF NOT EXISTS \"auth\";",
        "CREATE TABLE \"auth\".\"users\" (",
        "sequence name \"auth\".\"users_id_seq\"",
        "REFERENCES \"auth\".\"users\"(\"id\")",
    ] {
        assert!(sql.contains(expected), "{expected}\n{sql}");
    }
    let snapshot = std::fs::read_to_string(p.dir.path().join("migrations/meta/0000_snapshot.json")).unwrap();
    assert!(snapshot.contains("\"auth.users\": {"), "{snapshot}");
    assert!(snapshot.contains("\"schemaTo\": \"auth\""), "{snapshot}");
    p.migrate().unwrap();
    assert_eq!(p.drift(), Vec::<String>::new());
    p.exec("INSERT INTO auth.users (email) VALUES ('a@x'); INSERT INTO posts (author_id, title) VALUES (1, 't')");
    // Nothing to push, nothing to generate.
    let mut d = p.driver();
    let plan = schema_core::push::plan_push(&mut d, &schema_from_source(&v1), &[], &[], &mut ()).unwrap();
    assert!(plan.changes.is_empty(), "{:#?}", plan.changes);
    let again = generate(
        &p.folder(),
        &schema_from_source(&v1),
        &GenerateOptions::default(),
        &mut (),
    )
    .unwrap();
    assert_eq!(again, GenerateOutcome::NoChanges);
    // Moved to public, with its rows and the foreign key pointing at it.
    let sql = p.generate(V1);
    assert!(
        sql.contains("ALTER TABLE \"auth\".\"users\" SET SCHEMA \"public\";"),
        "{sql}"
    );
    p.migrate().unwrap();
    assert_eq!(p.drift(), Vec::<String>::new());
    assert_eq!(
        p.rows("SELECT u.email, p.title FROM users u JOIN posts p ON p.author_id = u.id"),
        ["a@x|t"]
    );
    // And back, after a table of another schema is pulled: the model names its schema.
    p.generate(&v1);
    p.migrate().unwrap();
    let pulled = p.introspect();
    assert_eq!(
        pulled.table("users").unwrap().options.postgres.schema.as_deref(),
        Some("auth")
    );
}

const C1: &str = r#"
#[derive(Table)]
#[table(name = "orgs")]
pub struct Org {
    #[column(primary_key)]
    pub id: i64,
    pub name: String,
}
#[derive(Table)]
#[table(name = "members", primary_key(org_id, login))]
#[index(columns(login))]
#[check(name = "members_login_len", expr = "length(login) > 1")]
pub struct Member {
    #[column(references = Org::id)]
    pub org_id: i64,
    pub login: String,
    pub score: i32,
    #[column(generated = "score * 2", stored)]
    pub double: Option<i32>,
}
#[derive(Table)]
#[table(name = "notes")]
pub struct Note {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = Org::id, on_delete = "cascade")]
    pub org_id: i64,
    pub body: String,
}
"#;

/// Constraints and keys change over rows: a composite key widened, a unique added, a check
/// replaced, a foreign key's action changed, a generated expression changed, indexes swapped,
/// a referenced table dropped with its child. The migrated database equals a fresh one.
const C2: &str = r#"
#[derive(Table)]
#[table(name = "orgs")]
pub struct Org {
    #[column(primary_key)]
    pub id: i64,
    #[column(unique)]
    pub name: String,
}
#[derive(Table)]
#[table(name = "members", primary_key(org_id, login, score))]
#[index(name = "members_score_idx", columns(score), where = "score > 0")]
#[check(name = "members_score_nonneg", expr = "score >= 0")]
pub struct Member {
    #[column(references = Org::id, on_delete = "cascade")]
    pub org_id: i64,
    pub login: String,
    pub score: i32,
    #[column(generated = "score * 3", stored)]
    pub double: Option<i32>,
}
"#;

#[test]
fn keys_constraints_and_generated_columns_change_over_rows() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "constraints");
    p.generate(C1);
    p.migrate().unwrap();
    p.exec(
        "INSERT INTO orgs VALUES (1, 'a'), (2, 'b');
         INSERT INTO members (org_id, login, score) VALUES (1, 'ann', 3), (2, 'bob', 0);
         INSERT INTO notes VALUES (1, 1, 'n')",
    );
    let sql = p.generate(C2);
    p.migrate().map_err(|e| format!("{e}\n{sql}")).unwrap();
    assert_eq!(p.drift(), Vec::<String>::new(), "{sql}");
    assert_eq!(
        p.rows("SELECT org_id, login, score, double FROM members ORDER BY login"),
        ["1|ann|3|9", "2|bob|0|0"]
    );
    let fresh = Pg {
        dir: tempfile::tempdir().unwrap(),
        url: server.url("constraints_fresh"),
    };
    copy_dir(&p.dir.path().join("migrations"), &fresh.dir.path().join("migrations"));
    fresh.migrate().unwrap();
    let (mut a, mut b) = (p.introspect(), fresh.introspect());
    for s in [&mut a, &mut b] {
        for t in &mut s.tables {
            t.foreign_keys.sort_by(|x, y| x.name.cmp(&y.name));
            t.checks.sort_by(|x, y| x.name.cmp(&y.name));
            t.uniques.sort_by(|x, y| x.name.cmp(&y.name));
            t.indexes.sort_by(|x, y| x.name.cmp(&y.name));
        }
    }
    assert_eq!(a, b, "{sql}");
    // The new rules hold: the check refuses a negative score, the unique a second name.
    let mut d = p.driver();
    assert!(
        d.client()
            .batch_execute("INSERT INTO members (org_id, login, score) VALUES (1, 'x', -1)")
            .is_err()
    );
    assert!(d.client().batch_execute("INSERT INTO orgs VALUES (3, 'a')").is_err());
}

const ENUM_V1: &str = r#"
use schema_core::{SqlEnum, Table};

#[derive(SqlEnum)]
#[sql_enum(name = "post_status")]
pub enum PostStatus {
    Draft,
    Published,
    Archived,
}

#[derive(SqlEnum)]
#[sql_enum(name = "factor", schema = "auth")]
pub enum Factor {
    Password,
    #[sql_enum(rename = "it's webauthn")]
    Webauthn,
}

#[derive(Table)]
#[table(name = "posts")]
pub struct Post {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(default = "draft")]
    pub status: PostStatus,
    pub previous: Option<PostStatus>,
    pub factor: Option<Factor>,
    // An array of the enum: cast with the column of it when the type is made again.
    pub history: Option<Vec<PostStatus>>,
}
"#;

/// The drizzle-kit fixture with enums in two schemas: the same SQL and snapshot from the Rust
/// twin, applied on a real server, read back equal, and a generate after pull writes nothing.
#[test]
fn enum_types_are_created_as_drizzle_kit_creates_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drizzle-compat-pg/enums_schemas");
    let theirs = |f: &str| std::fs::read_to_string(root.join("migrations").join(f)).unwrap();
    let src = std::fs::read_to_string(root.join("schema.rs"))
        .unwrap()
        // The parser takes SQLite's form of an expression default; PostgreSQL's is the same.
        .replace(
            "default_sql = \"gen_random_uuid()\"",
            "default_sql = \"(gen_random_uuid())\"",
        )
        .replace("default_sql = \"now()\"", "default_sql = \"(now())\"");
    let (dir, folder, w) = first_migration(&src);
    let ours = std::fs::read_to_string(&w.sql_path).unwrap();
    assert_eq!(
        ours.replace("CREATE SCHEMA IF NOT EXISTS", "CREATE SCHEMA"),
        theirs("0000_init.sql")
    );
    let snap: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&w.snapshot_path).unwrap()).unwrap();
    let drizzle: serde_json::Value = serde_json::from_str(&theirs("meta/0000_snapshot.json")).unwrap();
    assert_eq!(snap["enums"], drizzle["enums"]);
    assert_eq!(snap["schemas"], drizzle["schemas"]);
    assert_eq!(
        snap["tables"]["public.posts"]["columns"]["status"],
        drizzle["tables"]["public.posts"]["columns"]["status"]
    );
    assert_eq!(
        snap["tables"]["auth.users"]["columns"]["factors"],
        drizzle["tables"]["auth.users"]["columns"]["factors"]
    );
    // The snapshot reads back as the same schema: nothing more to generate.
    assert_eq!(
        generate(&folder, &schema_from_source(&src), &GenerateOptions::default(), &mut ()).unwrap(),
        GenerateOutcome::NoChanges
    );
    // drizzle-kit's folder, the array of the enum included, is continued with nothing to write.
    assert_eq!(continuing(&root.join("migrations"), &src), GenerateOutcome::NoChanges);
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "enums_fixture");
    copy_dir(&dir.path().join("migrations"), &p.dir.path().join("migrations"));
    p.migrate().unwrap();
    assert_eq!(p.drift(), Vec::<String>::new());
    let live = p.introspect();
    let stored = p.driver().as_stored(&schema_from_source(&src)).unwrap();
    assert_eq!(live.enums, stored.enums);
    let by_name = |s: &schema_core::model::Schema| {
        let mut t = s.tables.clone();
        t.sort_by(|a, b| a.name.cmp(&b.name));
        t
    };
    assert_eq!(by_name(&live), by_name(&stored));
    // pull writes SqlEnum enums that generate reads back as the same schema.
    let pulled = schema_core::pull::render_rust(&live, "the test", &POSTGRES);
    assert!(pulled.code.contains("#[derive(SqlEnum, "), "{}", pulled.code);
    assert!(
        pulled.code.contains("pub factors: Option<Vec<Factor>>,"),
        "{}",
        pulled.code
    );
    let again = schema_from_source(&pulled.code);
    assert_eq!(POSTGRES.normalize(&again).enums, live.enums, "{}", pulled.code);
}

/// `generate`'s table of which built-in types cast to which is the server's: every pair of a
/// representative set is tried as `NULL::a::b` on PostgreSQL 15, and the table agrees with
/// each answer. A change with no cast is written with a warning saying so.
#[test]
fn the_cast_table_is_the_servers() {
    use schema_core::model::{EnumType, LogicalType};
    use schema_core::postgres::casts::cast_exists;
    let types = [
        "smallint",
        "integer",
        "bigint",
        "real",
        "double precision",
        "numeric(10, 2)",
        "boolean",
        "text",
        "varchar(20)",
        "char(3)",
        "bytea",
        "date",
        "timestamp",
        "timestamp(3) with time zone",
        "time",
        "time with time zone",
        "interval",
        "uuid",
        "json",
        "jsonb",
        "inet",
        "cidr",
        "post_status",
        "other_status",
    ];
    let logical = |t: &str| match t {
        "post_status" | "other_status" => LogicalType::Enum(Box::new(EnumType {
            name: t.into(),
            schema: None,
            values: vec!["a".into()],
        })),
        _ => LogicalType::Sql(t.into()),
    };
    // generate says so when a change has none.
    let dir = tempfile::tempdir().unwrap();
    let folder = Folder::new(dir.path().join("m"), &POSTGRES);
    let v1 = "use schema_core::Table;\n#[derive(Table)]\npub struct Doc {\n    #[column(primary_key)]\n    pub id: i64,\n    pub data: Vec<u8>,\n}\n";
    generate(&folder, &schema_from_source(v1), &GenerateOptions::default(), &mut ()).unwrap();
    let GenerateOutcome::Written(w) = generate(
        &folder,
        &schema_from_source(&v1.replace("pub data: Vec<u8>", "pub data: i64")),
        &GenerateOptions::default(),
        &mut (),
    )
    .unwrap() else {
        panic!("a change")
    };
    assert!(
        w.warnings
            .iter()
            .any(|x| x.contains("`doc.data` changes from bytea to bigint, which PostgreSQL has no cast for")),
        "{:?}",
        w.warnings
    );

    let Some(server) = server() else { return };
    server.create_database("casts").unwrap();
    let mut c =
        schema_core::postgres::client::Client::connect(&server.url("casts"), schema_core::postgres::client::NoTls)
            .unwrap();
    c.batch_execute("CREATE TYPE post_status AS ENUM ('a'); CREATE TYPE other_status AS ENUM ('a')")
        .unwrap();
    let mut disagree = Vec::new();
    let mut refused = 0;
    for a in types {
        for b in types {
            let server_casts = c.batch_execute(&format!("SELECT NULL::{a}::{b}")).is_ok();
            refused += usize::from(!server_casts);
            if cast_exists(&logical(a), &logical(b)) != Some(server_casts) {
                disagree.push(format!(
                    "{a} -> {b}: the server {}",
                    if server_casts { "casts" } else { "does not" }
                ));
            }
        }
    }
    assert!(disagree.is_empty(), "{disagree:#?}");
    assert!(refused > 100, "{refused}");
}

/// An array of an enum is PostgreSQL's: SQLite refuses it by name, and its default is SQL.
#[test]
fn an_array_of_an_enum_is_refused_on_sqlite_and_takes_an_sql_default() {
    let dir = tempfile::tempdir().unwrap();
    let err = sqlite_refusal(ENUM_V1);
    assert!(
        err.contains("`posts.history` is an array of the enum `post_status`") && err.contains("SQLite has no arrays"),
        "{err}"
    );
    let literal = ENUM_V1.replace(
        "    pub history: Option<Vec<PostStatus>>,",
        "    #[column(default = \"draft\")]\n    pub history: Option<Vec<PostStatus>>,",
    );
    let file = syn::parse_file(&literal).unwrap();
    let Err(err) = schema_model::parse::from_file(&file) else {
        panic!("a literal default on an array of an enum is refused")
    };
    let err = err.to_string();
    assert!(err.contains("an array of an enum takes its default as SQL"), "{err}");
    // As SQL, PostgreSQL's array literal.
    let sql_default = ENUM_V1.replace(
        "    pub history: Option<Vec<PostStatus>>,",
        "    #[column(default_sql = \"'{draft}'\")]\n    pub history: Option<Vec<PostStatus>>,",
    );
    let pg = Folder::new(dir.path().join("pg"), &POSTGRES);
    let GenerateOutcome::Written(w) = generate(
        &pg,
        &schema_from_source(&sql_default),
        &GenerateOptions::default(),
        &mut (),
    )
    .unwrap() else {
        panic!("a first migration")
    };
    let sql = std::fs::read_to_string(&w.sql_path).unwrap();
    assert!(
        sql.contains("\t\"history\" \"post_status\"[] DEFAULT '{draft}'\n"),
        "{sql}"
    );
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "enum_array_default");
    copy_dir(&dir.path().join("pg"), &p.dir.path().join("migrations"));
    p.migrate().unwrap();
    p.exec("INSERT INTO posts DEFAULT VALUES");
    assert_eq!(p.rows("SELECT history::text FROM posts"), ["{draft}"]);
    assert_eq!(p.drift(), Vec::<String>::new());
}

/// A value added to an enum type goes in a migration of its own, ahead of the change that uses
/// it; a value removed recreates the type, refused (changing nothing) while rows hold it.
#[test]
fn enum_values_are_added_ahead_and_removed_only_when_no_row_holds_them() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "enum_values");
    p.generate(ENUM_V1);
    p.migrate().unwrap();
    p.exec("INSERT INTO posts (status, previous, factor, history) VALUES ('published', 'draft', 'it''s webauthn', '{draft}'), (DEFAULT, NULL, NULL, '{draft,published,draft}')");
    assert_eq!(
        p.rows("SELECT id, status, previous FROM posts ORDER BY id"),
        ["1|published|draft", "2|draft|NULL"]
    );

    // `in_review` is new and the default now: two migrations.
    let v2 = ENUM_V1
        .replace(
            "    Draft,\n    Published,",
            "    Draft,\n    InReview,\n    Published,",
        )
        .replace("#[column(default = \"draft\")]", "#[column(default = \"in_review\")]");
    let GenerateOutcome::Written(w) = generate(
        &p.folder(),
        &schema_from_source(&v2),
        &GenerateOptions::default(),
        &mut (),
    )
    .unwrap() else {
        panic!("a change")
    };
    assert_eq!(w.ahead.len(), 1);
    assert_eq!(
        w.ahead[0].statements,
        [r#"ALTER TYPE "public"."post_status" ADD VALUE 'in_review' BEFORE 'published';"#]
    );
    assert_eq!(
        w.statements,
        [r#"ALTER TABLE "posts" ALTER COLUMN "status" SET DEFAULT 'in_review';"#]
    );
    assert_eq!(lint_rules(&p, &w.ahead[0].tag), ["enum-type"]);
    assert_eq!(p.migrate().unwrap().len(), 2);
    p.exec("INSERT INTO posts DEFAULT VALUES");
    assert_eq!(p.rows("SELECT status FROM posts WHERE id = 3"), ["in_review"]);
    assert_eq!(
        p.rows("SELECT enum_range(NULL::post_status)::text"),
        ["{draft,in_review,published,archived}"]
    );
    assert_eq!(p.drift(), Vec::<String>::new());

    // `archived` goes while no row holds it; `published` is held: refused, nothing changed.
    let v3 = v2.replace("    Published,\n    Archived,", "");
    let sql = p.generate(&v3);
    assert!(sql.contains("DROP TYPE \"public\".\"post_status\""), "{sql}");
    let last = p.migrations().migrations().last().unwrap().tag().to_string();
    // Breaking for the values, and locking for each cast that rewrites the table.
    let rules = lint_rules(&p, &last);
    assert_eq!(rules[0], "remove-enum-value");
    assert!(rules[1..].iter().all(|r| *r == "type-change-rewrite"), "{rules:?}");
    let before = p.introspect();
    let err = p.migrate().unwrap_err().to_string();
    assert!(err.contains("cannot remove 'published', 'archived' from the enum type public.post_status: 1 row(s) of posts.status hold it"), "{err}");
    assert_eq!(p.introspect(), before);
    assert_eq!(p.tracking_rows(), 3);
    // The array column holds it too: refused again, by that column.
    p.exec("UPDATE posts SET status = 'draft' WHERE status = 'published'");
    let err = p.migrate().unwrap_err().to_string();
    assert!(err.contains("1 row(s) of posts.history hold it"), "{err}");
    assert_eq!(p.introspect(), before);
    // Once no row holds them, the type is made again with every row and array kept.
    p.exec("UPDATE posts SET history = array_remove(history, 'published')");
    assert_eq!(p.migrate().unwrap().len(), 1);
    assert_eq!(
        p.rows("SELECT id, history::text FROM posts WHERE history IS NOT NULL ORDER BY id"),
        ["1|{draft}", "2|{draft,draft}"]
    );
    assert_eq!(
        p.rows("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'posts'::regclass AND attname = 'history'"),
        ["post_status[]"]
    );
    assert_eq!(
        p.rows("SELECT enum_range(NULL::post_status)::text"),
        ["{draft,in_review}"]
    );
    assert_eq!(
        p.rows("SELECT id, status, previous FROM posts ORDER BY id"),
        ["1|draft|draft", "2|draft|NULL", "3|in_review|NULL"]
    );
    p.exec("INSERT INTO posts DEFAULT VALUES");
    assert_eq!(p.rows("SELECT status FROM posts WHERE id = 4"), ["in_review"]);
    assert_eq!(p.drift(), Vec::<String>::new());

    // A dropped enum column and its type go together; the other enum stays.
    let v4 = v3.replace("    pub previous: Option<PostStatus>,\n", "");
    p.generate(&v4);
    p.migrate().unwrap();
    assert_eq!(p.drift(), Vec::<String>::new());
}

/// The rules lint finds in one migration of the folder.
fn lint_rules(p: &Pg, tag: &str) -> Vec<&'static str> {
    let migrations = p.migrations();
    let m = migrations.get(tag).unwrap();
    let lints = schema_core::lint::lint(&p.folder(), &[m], None).unwrap();
    lints[0].findings.iter().map(|f| f.rule.name).collect()
}

/// An SqlEnum binds as a parameter of its enum type (or text) and reads back as its variant.
#[derive(schema_core::SqlEnum, Debug, Clone, Copy, PartialEq)]
#[sql_enum(name = "post_status")]
enum Status {
    Draft,
    InReview,
    #[sql_enum(rename = "live!")]
    Published,
}

#[test]
fn enum_values_bind_and_read_back_on_the_postgres_client() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "enum_rows");
    p.exec(
        "CREATE TYPE post_status AS ENUM ('draft', 'in_review', 'live!'); \
         CREATE TABLE posts (id int PRIMARY KEY, status post_status NOT NULL, note text)",
    );
    let mut d = p.driver();
    let c = d.client();
    for (id, s) in [(1, Status::Draft), (2, Status::Published)] {
        c.execute(
            "INSERT INTO posts (id, status, note) VALUES ($1, $2, $3)",
            &[&id, &s, &s],
        )
        .unwrap();
    }
    let rows = c.query("SELECT status, note FROM posts ORDER BY id", &[]).unwrap();
    let read: Vec<(Status, Status)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        read,
        [(Status::Draft, Status::Draft), (Status::Published, Status::Published)]
    );
    assert_eq!(p.rows("SELECT status FROM posts WHERE id = 2"), ["live!"]);
    // Text that is no variant is an error, not a panic; another enum type is refused.
    let err = c
        .query_one("SELECT 'nope'::text", &[])
        .unwrap()
        .try_get::<_, Status>(0)
        .unwrap_err();
    let cause = std::error::Error::source(&err)
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        cause.contains("`nope` is not a value of the enum `post_status`"),
        "{err}: {cause}"
    );
    c.batch_execute("CREATE TYPE other AS ENUM ('draft')").unwrap();
    assert!(
        c.query_one("SELECT 'draft'::other", &[])
            .unwrap()
            .try_get::<_, Status>(0)
            .is_err()
    );
    let _ = Status::InReview;
}

/// Every kind of default, left to the database through the insert struct, and every type the
/// derive maps, read back from a real server.
mod rows {
    use schema_core::Table;

    #[derive(schema_core::SqlEnum, Debug, Clone, Copy, PartialEq)]
    #[sql_enum(name = "level", schema = "app")]
    pub enum Level {
        Low,
        High,
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
    pub struct Prefs {
        pub theme: String,
    }

    #[derive(Table, Debug, Clone, PartialEq)]
    #[table(name = "accounts", schema = "app")]
    pub struct Account {
        #[column(primary_key, autoincrement)]
        pub id: i64,
        pub name: String,
        #[column(default = 7)]
        pub visits: i32,
        #[column(default = 1.5)]
        pub ratio: f64,
        #[column(default = true)]
        pub active: bool,
        #[column(default = "guest")]
        pub role: String,
        #[column(default = "low")]
        pub level: Level,
        #[column(default_sql = "(now())")]
        pub created: chrono::DateTime<chrono::Utc>,
        #[column(default_sql = "(gen_random_uuid())")]
        pub token: uuid::Uuid,
        #[column(generated = "upper(name)", stored)]
        pub shout: Option<String>,
        pub small: u8,
        pub medium: Option<u16>,
        pub large: u32,
        pub huge: Option<u64>,
        #[column(json)]
        pub prefs: Option<Prefs>,
        pub doc: serde_json::Value,
        pub day: Option<chrono::NaiveDate>,
        #[column(epoch)]
        pub seen: Option<chrono::NaiveDateTime>,
        pub t_at: Option<time::OffsetDateTime>,
        pub blob: Vec<u8>,
        pub score: Option<f32>,
        // An array of the enum (this table then has no SQLite row helpers: SQLite has no arrays).
        pub levels: Option<Vec<Level>>,
    }

    #[derive(Table, Debug, Clone, PartialEq)]
    #[table(name = "log", schema = "app")]
    pub struct Log {
        pub line: String,
    }

    /// 34 columns: a row read in two calls and its values in two chained tuples.
    #[derive(Table, Debug, Clone, PartialEq)]
    #[table(name = "wide")]
    pub struct Wide {
        #[column(primary_key)]
        pub id: i64,
        pub c00: i64,
        pub c01: i64,
        pub c02: i64,
        pub c03: i64,
        pub c04: i64,
        pub c05: i64,
        pub c06: i64,
        pub c07: i64,
        pub c08: i64,
        pub c09: i64,
        pub c10: i64,
        pub c11: i64,
        pub c12: i64,
        pub c13: i64,
        pub c14: i64,
        pub c15: i64,
        pub c16: i64,
        pub c17: i64,
        pub c18: i64,
        pub c19: i64,
        pub c20: i64,
        pub c21: i64,
        pub c22: i64,
        pub c23: i64,
        pub c24: i64,
        pub c25: i64,
        pub c26: i64,
        pub c27: i64,
        pub c28: i64,
        pub c29: i64,
        pub c30: i64,
        pub c31: i64,
        pub c32: i64,
        #[column(default = 5)]
        pub last: i64,
    }
}

#[test]
fn rows_insert_with_the_databases_defaults_and_every_type_round_trips() {
    use rows::{Account, Level, NewAccount, Prefs};
    use schema_core::Table;
    let Some(server) = server() else { return };
    server.create_database("rows").unwrap();
    let mut c =
        schema_core::postgres::client::Client::connect(&server.url("rows"), schema_core::postgres::client::NoTls)
            .unwrap();
    c.batch_execute("CREATE SCHEMA app").unwrap();
    Account::create_table(&mut c).unwrap();
    let before = chrono::Utc::now() - chrono::Duration::seconds(5);
    let new = NewAccount::new(
        "ann".into(),
        3,
        u32::MAX,
        serde_json::json!({"a": [1, 2]}),
        vec![0, 255],
    );
    let a: Account = new.insert(&mut c).unwrap();
    // The database's values: identity, literal defaults, now(), gen_random_uuid(), generated.
    assert_eq!(a.id, 1);
    assert_eq!(
        (a.visits, a.ratio, a.active, a.role.as_str(), a.level),
        (7, 1.5, true, "guest", Level::Low)
    );
    assert!(a.created > before, "{:?}", a.created);
    assert!(!a.token.is_nil());
    assert_eq!(a.shout.as_deref(), Some("ANN"));
    assert_eq!((a.small, a.medium, a.large, a.huge), (3, None, u32::MAX, None));
    assert_eq!(a.doc, serde_json::json!({"a": [1, 2]}));
    assert_eq!(a.blob, [0, 255]);
    // Given values win over defaults; every type goes there and back.
    let day = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let b = NewAccount::new("bo".into(), 255, 0, serde_json::Value::Null, Vec::new())
        .visits(1)
        .level(Level::High)
        .medium(Some(65_535))
        .huge(Some(u64::try_from(i64::MAX).unwrap()))
        .prefs(Some(Prefs { theme: "dark".into() }))
        .day(Some(day))
        .seen(Some(day.and_hms_opt(1, 2, 3).unwrap()))
        .t_at(Some(time::macros::datetime!(2024-02-29 13:45:30 +02:00)))
        .score(Some(0.25))
        .levels(Some(vec![Level::High, Level::Low, Level::High]))
        .insert(&mut c)
        .unwrap();
    assert_eq!((b.id, b.visits, b.level, b.medium), (2, 1, Level::High, Some(65_535)));
    assert_eq!(a.levels, None);
    assert_eq!(b.levels, Some(vec![Level::High, Level::Low, Level::High]));
    assert_eq!(
        server
            .psql("rows", "SELECT levels::text FROM app.accounts WHERE id = 2")
            .unwrap(),
        "{high,low,high}"
    );
    assert_eq!(Account::find(&mut c, 2).unwrap().as_ref(), Some(&b));
    assert_eq!(Account::select_all(&mut c).unwrap(), [a.clone(), b.clone()]);
    // update and delete by key.
    let mut changed = b.clone();
    changed.role = "admin".into();
    changed.prefs = None;
    assert_eq!(changed.update(&mut c).unwrap(), 1);
    let stored = Account::find(&mut c, 2).unwrap().unwrap();
    assert_eq!((stored.role.as_str(), stored.prefs), ("admin", None));
    assert_eq!(a.delete(&mut c).unwrap(), 1);
    assert_eq!(Account::select_all(&mut c).unwrap().len(), 1);
    // A u64 above i64::MAX is an error, never a wrapped number; so is a value a narrower
    // field cannot hold.
    let err = NewAccount::new("cy".into(), 1, 1, serde_json::Value::Null, Vec::new())
        .huge(Some(u64::MAX))
        .insert(&mut c)
        .unwrap_err();
    assert!(format!("{err:?}").contains("out of range"), "{err:?}");
    c.batch_execute("UPDATE app.accounts SET small = 300").unwrap();
    let err = Account::select_all(&mut c).unwrap_err();
    assert!(format!("{err:?}").contains("does not fit"), "{err:?}");
    // Inside a transaction, the same helpers.
    c.batch_execute("UPDATE app.accounts SET small = 1").unwrap();
    let mut tx = c.transaction().unwrap();
    let d = NewAccount::new("di".into(), 1, 1, serde_json::Value::Null, Vec::new())
        .insert(&mut tx)
        .unwrap();
    tx.rollback().unwrap();
    // (The refused u64 never reached the server, so it took no id.)
    assert_eq!(d.id, 3);
    assert!(Account::find(&mut c, 3).unwrap().is_none());
    // `insert` of a whole row leaves the identity to the server and returns it.
    let mut whole = b.clone();
    whole.id = 0;
    assert_eq!(whole.insert(&mut c).unwrap(), 4);
    // A table without a key cannot update or delete by its struct: said, not guessed.
    rows::Log::create_table(&mut c).unwrap();
    let log = rows::Log { line: "x".into() };
    log.insert(&mut c).unwrap();
    let err = log.update(&mut c).unwrap_err().to_string();
    assert!(err.contains("has no primary key"), "{err}");

    // More columns than one tuple holds: the last ones are read, inserted and updated too.
    rows::Wide::create_table(&mut c).unwrap();
    let mut new = rows::NewWide::new(
        1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
        29, 30, 31, 32,
    );
    new.c32 = -32;
    let w = new.insert(&mut c).unwrap();
    assert_eq!((w.id, w.c00, w.c32, w.last), (1, 0, -32, 5), "{w:?}");
    let mut changed = w.clone();
    changed.c31 = -31;
    changed.last = 6;
    assert_eq!(changed.update(&mut c).unwrap(), 1);
    assert_eq!(rows::Wide::find(&mut c, 1).unwrap(), Some(changed.clone()));
    assert_eq!(changed.delete(&mut c).unwrap(), 1);
}

const INDEX_V1: &str = r#"
use schema_core::Table;

#[derive(Table)]
#[table(name = "docs")]
pub struct Doc {
    #[column(primary_key)]
    pub id: i64,
    pub owner: Option<i64>,
    pub slug: Option<String>,
    #[column(json)]
    pub body: Option<serde_json::Value>,
}
"#;

/// `using`, `concurrently` and NULLS NOT DISTINCT: written, applied over rows, read back with no
/// drift; a new concurrently index beside other changes is a migration of its own, run outside
/// a transaction.
#[test]
fn index_methods_concurrent_indexes_and_nulls_not_distinct() {
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "index_options");
    p.generate(INDEX_V1);
    p.migrate().unwrap();
    p.exec("INSERT INTO docs (id, owner, slug, body) VALUES (1, NULL, 'a', '{\"k\": 1}'), (2, NULL, 'b', NULL)");
    let v2 = INDEX_V1
        .replace(
            "#[table(name = \"docs\")]",
            "#[table(name = \"docs\")]\n#[index(name = \"docs_body_idx\", columns(body), using = \"gin\")]\n\
             #[index(name = \"docs_slug_idx\", columns(slug), concurrently)]\n\
             #[unique(name = \"docs_owner_slug_key\", columns(owner, slug), nulls_not_distinct)]",
        )
        .replace(
            "    pub slug: Option<String>,\n",
            "    pub slug: Option<String>,\n    pub title: Option<String>,\n",
        );
    let GenerateOutcome::Written(w) = generate(
        &p.folder(),
        &schema_from_source(&v2),
        &GenerateOptions::default(),
        &mut (),
    )
    .unwrap() else {
        panic!("a change")
    };
    let sql = w.statements.join("\n");
    assert!(sql.contains(r#"USING gin ("body")"#), "{sql}");
    assert!(
        sql.contains(r#"CONSTRAINT "docs_owner_slug_key" UNIQUE NULLS NOT DISTINCT("owner","slug")"#),
        "{sql}"
    );
    assert!(!sql.contains("CONCURRENTLY"), "{sql}");
    assert_eq!(w.behind.len(), 1);
    assert_eq!(
        w.behind[0].statements,
        [r#"CREATE INDEX CONCURRENTLY "docs_slug_idx" ON "docs" USING btree ("slug");"#]
    );
    assert_eq!(p.migrate().unwrap().len(), 2);
    assert_eq!(p.drift(), Vec::<String>::new());
    assert_eq!(
        p.rows("SELECT indexdef FROM pg_indexes WHERE indexname = 'docs_body_idx'"),
        ["CREATE INDEX docs_body_idx ON public.docs USING gin (body)"]
    );
    // Two NULL owners with one slug are duplicates now.
    p.exec("INSERT INTO docs (id, owner, slug) VALUES (3, NULL, 'c')");
    let err = p
        .driver()
        .client()
        .batch_execute("INSERT INTO docs (id, owner, slug) VALUES (4, NULL, 'c')")
        .unwrap_err();
    assert!(format!("{err:?}").contains("docs_owner_slug_key"), "{err:?}");
    // What the database has reads back as the schema: nothing more to generate after a pull.
    let live = p.introspect();
    let docs = live.table("docs").unwrap();
    assert_eq!(
        docs.indexes
            .iter()
            .find(|i| i.name == "docs_body_idx")
            .unwrap()
            .options
            .method
            .as_deref(),
        Some("gin")
    );
    assert!(docs.uniques.iter().any(|u| u.nulls_not_distinct));
    assert_eq!(
        generate(
            &p.folder(),
            &schema_from_source(&v2),
            &GenerateOptions::default(),
            &mut ()
        )
        .unwrap(),
        GenerateOutcome::NoChanges
    );
    let pulled = schema_core::pull::render_rust(&live, "the test", &POSTGRES);
    assert!(
        pulled.code.contains("using = \"gin\"") && pulled.code.contains("nulls_not_distinct"),
        "{}",
        pulled.code
    );
    let mut again = schema_from_source(&pulled.code);
    let mut expected = POSTGRES.normalize(&schema_from_source(&v2));
    for s in [&mut again, &mut expected] {
        for ix in s.tables.iter_mut().flat_map(|t| t.indexes.iter_mut()) {
            ix.options.concurrently = false;
        }
    }
    assert_eq!(POSTGRES.normalize(&again).tables[0].indexes, expected.tables[0].indexes);
    assert_eq!(POSTGRES.normalize(&again).tables[0].uniques, expected.tables[0].uniques);
    // SQLite refuses each by name.
    let err = sqlite_refusal(&v2);
    for what in ["uses `gin`", "is `concurrently`", "is `nulls_not_distinct`"] {
        assert!(err.contains(what), "{what} in {err}");
    }
}

/// Per-column order, nulls and operator classes, and storage parameters, on drizzle-kit's
/// `indexes` fixture: our SQL and snapshot are drizzle-kit's, its folder is continued with no
/// changes, and the indexes are built on a real server, read back, changed and pulled.
#[test]
fn index_columns_order_operator_classes_and_storage_parameters_as_drizzle_kit_writes_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drizzle-compat-pg/indexes");
    let src = std::fs::read_to_string(root.join("schema.rs")).unwrap();
    let theirs_sql = std::fs::read_to_string(root.join("migrations/0000_init.sql")).unwrap();
    // drizzle-kit's folder: nothing more to write.
    assert_eq!(continuing(&root.join("migrations"), &src), GenerateOutcome::NoChanges);
    // Ours: drizzle-kit's statements (the CONCURRENTLY one in a migration of its own) and
    // its snapshot's indexes, key for key.
    let (dir, _, w) = first_migration(&src);
    let split = |sql: &str| -> Vec<String> {
        sql.split("--> statement-breakpoint")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut ours = w.statements.iter().map(|s| s.trim().to_string()).collect::<Vec<_>>();
    ours.extend(
        w.behind
            .iter()
            .flat_map(|b| b.statements.iter().map(|s| s.trim().to_string())),
    );
    let mut expected = split(&theirs_sql);
    ours.sort();
    expected.sort();
    assert_eq!(ours, expected);
    let json = |p: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    // (The last snapshot: the CONCURRENTLY index's own migration comes after the first.)
    let (snap, drizzle) = (
        json(&dir.path().join("migrations/meta/0001_snapshot.json")),
        json(&root.join("migrations/meta/0000_snapshot.json")),
    );
    for t in ["public.documents", "public.users"] {
        assert_eq!(snap["tables"][t]["indexes"], drizzle["tables"][t]["indexes"], "{t}");
    }

    // Bad options are errors naming the field and the key.
    for (from, to, said) in [
        (
            "columns(age(nulls_first))",
            "columns(age(desc, asc))",
            "`age` is already `desc`: say `asc` or `desc`, once",
        ),
        ("columns(age(nulls_first))", "columns(age(upward))", "unknown"),
        (
            "columns(title(opclass = \"text_pattern_ops\"))",
            "columns(title(opclass = \"x; DROP\"))",
            "an operator class is a plain name",
        ),
        (
            "with(pages_per_range = 32)",
            "with(pages_per_range = \"1) x\")",
            "a storage parameter's value is a plain word or number",
        ),
    ] {
        let bad = src.replace(from, to);
        assert_ne!(bad, src);
        let file = syn::parse_file(&bad).unwrap();
        let Err(err) = schema_model::parse::from_file(&file) else {
            panic!("{to} was taken")
        };
        assert!(err.to_string().contains(said), "{to}: {err}");
    }

    let Some(server) = server() else { return };
    let p = Pg::new(&server, "index_columns");
    copy_dir(&dir.path().join("migrations"), &p.dir.path().join("migrations"));
    assert_eq!(p.migrate().unwrap().len(), 2);
    assert_eq!(p.drift(), Vec::<String>::new());
    assert_eq!(
        p.rows(
            "SELECT indexdef FROM pg_indexes WHERE indexname IN ('documents_owner_published_idx', 'documents_brin_idx', 'documents_title_trgm_idx', 'users_age_nulls_first_idx') ORDER BY indexname"
        ),
        [
            "CREATE INDEX documents_brin_idx ON public.documents USING brin (published_at) WITH (pages_per_range='32')",
            "CREATE INDEX documents_owner_published_idx ON public.documents USING btree (owner_id, published_at DESC NULLS LAST)",
            "CREATE INDEX documents_title_trgm_idx ON public.documents USING btree (title text_pattern_ops)",
            "CREATE INDEX users_age_nulls_first_idx ON public.users USING btree (age NULLS FIRST)",
        ]
    );
    // Read back as written: nothing to push, and pull writes the same attributes.
    let live = p.introspect();
    let mut d = p.driver();
    let plan = schema_core::push::plan_push(&mut d, &schema_from_source(&src), &[], &[], &mut ()).unwrap();
    assert!(plan.changes.is_empty(), "{:#?}", plan.changes);
    let pulled = schema_core::pull::render_rust(&live, "the test", &POSTGRES);
    for said in [
        "columns(owner_id, published_at(desc))",
        "columns(title(opclass = \"text_pattern_ops\"))",
        "columns(age(nulls_first))",
        "with(pages_per_range = 32)",
    ] {
        assert!(pulled.code.contains(said), "{said}\n{}", pulled.code);
    }
    let indexes = |s: &schema_core::model::Schema| {
        let mut ix: Vec<_> = s.tables.iter().flat_map(|t| t.indexes.clone()).collect();
        for i in &mut ix {
            i.options.concurrently = false;
        }
        ix.sort_by(|a, b| a.name.cmp(&b.name));
        ix
    };
    // (As the server keeps them: `array_ops` is GIN's default class for an array, so it is
    // not said; expressions come back deparsed.)
    assert_eq!(
        indexes(&d.as_stored(&schema_from_source(&pulled.code)).unwrap()),
        indexes(&live)
    );
    // A column's order changed: the index is made again, and the server has the new one.
    let v2 = src.replace("columns(age(nulls_first))", "columns(age(desc, nulls_first))");
    let sql = p.generate(&v2);
    assert_eq!(
        sql.trim_end(),
        "DROP INDEX \"users_age_nulls_first_idx\";--> statement-breakpoint\nCREATE INDEX \"users_age_nulls_first_idx\" ON \"users\" USING btree (\"age\" DESC NULLS FIRST);"
    );
    p.migrate().unwrap();
    assert_eq!(
        p.rows("SELECT indexdef FROM pg_indexes WHERE indexname = 'users_age_nulls_first_idx'"),
        ["CREATE INDEX users_age_nulls_first_idx ON public.users USING btree (age DESC)"]
    );
    assert_eq!(p.drift(), Vec::<String>::new());
    // SQLite says which index it cannot take.
    let err = sqlite_refusal(&src);
    assert!(
        err.contains("the index `documents_brin_idx` orders or compares"),
        "{err}"
    );
}

/// Every storage parameter pull writes reads back as the same text: numbers and booleans as
/// Rust literals, anything else (a sign, a word) as a string.
#[test]
fn pulled_storage_parameters_read_back_as_written() {
    let src = "use schema_core::Table;\n#[derive(Table)]\n#[index(name = \"t_a_idx\", columns(a))]\npub struct T {\n    #[column(primary_key)]\n    pub id: i64,\n    pub a: i64,\n}\n";
    let mut schema = POSTGRES.normalize(&schema_from_source(src));
    let with: Vec<(String, String)> = [
        ("fillfactor", "70"),
        ("ratio", "0.5"),
        ("offset", "-1"),
        ("buffering", "auto"),
        ("fastupdate", "false"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    schema.tables[0].indexes[0].options.with = with.clone();
    let pulled = schema_core::pull::render_rust(&schema, "the test", &POSTGRES);
    assert!(
        pulled
            .code
            .contains("with(fillfactor = 70, ratio = 0.5, offset = \"-1\", buffering = \"auto\", fastupdate = false)"),
        "{}",
        pulled.code
    );
    let again = POSTGRES.normalize(&schema_from_source(&pulled.code));
    assert_eq!(again.tables[0].indexes[0].options.with, with);
}

/// `identity(..)`: the identity sequence's options, as drizzle-kit writes them; changed in place
/// with the ids going on from where they were.
#[test]
fn identity_options_are_written_as_drizzle_kit_does_and_change_in_place() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drizzle-compat-pg/sequences");
    // The invoices table of the fixture, without the standalone sequences (not supported yet).
    let v1 = r#"
use schema_core::Table;

#[derive(Table)]
#[table(name = "invoices", schema = "billing")]
pub struct Invoice {
    #[column(
        primary_key,
        autoincrement,
        identity(name = "invoices_id_custom_seq", increment = 2, min_value = 10, max_value = 1000000, start_with = 10, cache = 5, cycle)
    )]
    pub id: i32,
    pub number: i64,
}
"#;
    let theirs = std::fs::read_to_string(root.join("migrations/0000_init.sql")).unwrap();
    let their_create = theirs
        .split("--> statement-breakpoint\n")
        .find(|s| s.starts_with("CREATE TABLE"))
        .unwrap()
        .replace(" DEFAULT nextval('billing.invoice_numbers')", "");
    let (dir, _, w) = first_migration(v1);
    let ours = std::fs::read_to_string(&w.sql_path).unwrap();
    assert!(ours.contains(their_create.trim_end()), "{ours}\n---\n{their_create}");
    let snap: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&w.snapshot_path).unwrap()).unwrap();
    let drizzle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("migrations/meta/0000_snapshot.json")).unwrap())
            .unwrap();
    let id = |v: &serde_json::Value| v["tables"]["billing.invoices"]["columns"]["id"]["identity"].clone();
    assert_eq!(id(&snap), id(&drizzle));
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "identity_options");
    copy_dir(&dir.path().join("migrations"), &p.dir.path().join("migrations"));
    p.migrate().unwrap();
    p.exec("INSERT INTO billing.invoices (number) VALUES (1), (2)");
    assert_eq!(p.rows("SELECT id FROM billing.invoices ORDER BY id"), ["10", "12"]);
    assert_eq!(p.drift(), Vec::<String>::new());
    // Another increment: altered in place, the next id after the last.
    let v2 = v1.replace("increment = 2", "increment = 5");
    let sql = p.generate(&v2);
    assert!(
        sql.contains(r#"ALTER TABLE "billing"."invoices" ALTER COLUMN "id" SET INCREMENT BY 5;"#),
        "{sql}"
    );
    p.migrate().unwrap();
    // (CACHE 5: the first session took a block of ids; a new one starts after it, never
    // below an id already handed out.)
    p.exec("INSERT INTO billing.invoices (number) VALUES (3), (4)");
    let ids: Vec<i64> = p
        .rows("SELECT id FROM billing.invoices ORDER BY id")
        .iter()
        .map(|r| r.parse().unwrap())
        .collect();
    assert_eq!(&ids[..2], [10, 12]);
    assert!(ids[2] > 12 && ids[3] == ids[2] + 5, "{ids:?}");
    assert_eq!(p.drift(), Vec::<String>::new());
    // Back to the default name: the sequence is renamed, not made anew.
    let v3 = v2.replace("name = \"invoices_id_custom_seq\", ", "");
    let sql = p.generate(&v3);
    assert!(
        sql.contains(r#"ALTER SEQUENCE "billing"."invoices_id_custom_seq" RENAME TO "invoices_id_seq";"#),
        "{sql}"
    );
    p.migrate().unwrap();
    p.exec("INSERT INTO billing.invoices (number) VALUES (5)");
    let last: i64 = p.rows("SELECT max(id) FROM billing.invoices")[0].parse().unwrap();
    assert!(last > ids[3], "{last} after {ids:?}");
    assert_eq!(p.drift(), Vec::<String>::new());
    // SQLite refuses identity options by name.
    let err = sqlite_refusal(&v1.replace(", schema = \"billing\"", ""));
    assert!(
        err.contains("identity(..) sets the options of a PostgreSQL identity sequence"),
        "{err}"
    );
}

/// Standalone sequences (`#[derive(SqlSequence)]`): written as drizzle-kit writes them (SQL and
/// snapshot, beside its own output for the same schema), applied on a real server and used by a
/// default, changed in place without going back, read back and pulled as the same schema,
/// dropped; SQLite refuses them by name; drizzle-kit's folder is continued with no changes.
#[test]
fn standalone_sequences_are_created_changed_and_dropped_as_drizzle_kit_does() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/drizzle-compat-pg/sequences");
    let v1 = std::fs::read_to_string(root.join("schema.rs")).unwrap();
    // drizzle-kit's folder for the same schema: continued with nothing to write.
    assert_eq!(continuing(&root.join("migrations"), &v1), GenerateOutcome::NoChanges);
    // Ours: the same statements and the same snapshot.
    let (dir, _, w) = first_migration(&v1);
    let ours = std::fs::read_to_string(&w.sql_path).unwrap();
    let their_sql = std::fs::read_to_string(root.join("migrations/0000_init.sql")).unwrap();
    // (Ours says `CREATE SCHEMA IF NOT EXISTS`, so that a schema made by hand is no failure.)
    let from_sequences = |sql: &str| sql[sql.find("CREATE SEQUENCE").unwrap()..].trim_end().to_string();
    assert_eq!(from_sequences(&ours), from_sequences(&their_sql));
    let json = |p: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let (snap, drizzle) = (
        json(&w.snapshot_path),
        json(&root.join("migrations/meta/0000_snapshot.json")),
    );
    assert_eq!(snap["sequences"], drizzle["sequences"]);
    assert_eq!(snap["schemas"], drizzle["schemas"]);

    // SQLite has none, and says so by name.
    let only_sequences = "use schema_core::SqlSequence;\n#[derive(SqlSequence)]\n#[sql_sequence(name = \"order_seq\")]\npub struct OrderSeq;\n";
    let err = sqlite_refusal(only_sequences);
    assert!(
        err.contains("the sequence `order_seq`") && err.contains("SQLite has no sequences"),
        "{err}"
    );

    let Some(server) = server() else { return };
    let p = Pg::new(&server, "sequences");
    copy_dir(&dir.path().join("migrations"), &p.dir.path().join("migrations"));
    p.migrate().unwrap();
    p.exec("INSERT INTO billing.invoices DEFAULT VALUES; INSERT INTO billing.invoices DEFAULT VALUES");
    assert_eq!(
        p.rows("SELECT number FROM billing.invoices ORDER BY id"),
        ["1000", "1001"]
    );
    assert_eq!(p.rows("SELECT nextval('order_seq')"), ["1"]);
    assert_eq!(p.drift(), Vec::<String>::new());

    // Read back and pulled: the same sequences, and nothing to generate.
    let live = p.introspect();
    assert_eq!(live.sequences, POSTGRES.normalize(&schema_from_source(&v1)).sequences);
    let pulled = schema_core::pull::render_rust(&live, "the test", &POSTGRES);
    assert!(pulled.code.contains("#[derive(SqlSequence)]"), "{}", pulled.code);
    assert_eq!(
        POSTGRES.normalize(&schema_from_source(&pulled.code)).sequences,
        live.sequences,
        "{}",
        pulled.code
    );

    // Changed in place: the next number follows the last one handed out, by the new step.
    let v2 = v1.replace(
        "start_with = 1000, cache = 10",
        "increment = 10, start_with = 1000, cache = 10",
    );
    let sql = p.generate(&v2);
    assert_eq!(
        sql.trim_end(),
        r#"ALTER SEQUENCE "billing"."invoice_numbers" INCREMENT BY 10;"#,
        "{sql}"
    );
    let tag = |i: usize| p.migrations().migrations()[i].tag().to_string();
    assert_eq!(lint_rules(&p, &tag(1)), ["sequence"]);
    p.migrate().unwrap();
    p.exec("INSERT INTO billing.invoices DEFAULT VALUES");
    let numbers: Vec<i64> = p
        .rows("SELECT number FROM billing.invoices ORDER BY id")
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();
    // (CACHE 10: the first session took 1000..=1009; the next value comes after the block.)
    assert!(numbers[2] > 1001, "{numbers:?}");
    assert_eq!(p.drift(), Vec::<String>::new());

    // Dropped: the unused one; lint calls it breaking (running code may call nextval on it).
    let v3 = v2.replace(
        "#[derive(SqlSequence)]\n#[sql_sequence(name = \"order_seq\")]\npub struct OrderSeq;\n",
        "",
    );
    assert_ne!(v3, v2);
    let sql = p.generate(&v3);
    assert_eq!(sql.trim_end(), r#"DROP SEQUENCE "public"."order_seq";"#, "{sql}");
    assert_eq!(lint_rules(&p, &tag(2)), ["drop-sequence"]);
    p.migrate().unwrap();
    assert_eq!(
        p.rows("SELECT count(*) FROM pg_class WHERE relname = 'order_seq'"),
        ["0"]
    );
    assert_eq!(p.drift(), Vec::<String>::new());
    // `push` makes the same tables from nothing, a default calling a sequence the same push
    // creates (the schema's stored form is built where that sequence does not exist yet).
    let pushed = Pg::new(&server, "sequences_push");
    let mut d = pushed.driver();
    let mut resolver = ();
    let plan = schema_core::push::plan_push(&mut d, &schema_from_source(&v1), &[], &[], &mut resolver).unwrap();
    schema_core::push::apply_push(&mut d, &plan).unwrap();
    pushed.exec("INSERT INTO billing.invoices DEFAULT VALUES");
    assert_eq!(pushed.rows("SELECT number FROM billing.invoices"), ["1000"]);
    let again = schema_core::push::plan_push(&mut d, &schema_from_source(&v1), &[], &[], &mut resolver).unwrap();
    assert!(again.changes.is_empty(), "{:#?}", again.changes);
    // A sequence made by hand is drift, named.
    p.exec("CREATE SEQUENCE audit_seq");
    assert_eq!(
        p.drift(),
        ["sequence `public.audit_seq`: in the database, not in the migrations"]
    );
}

/// A check that names a retyped column is dropped before the type changes and added after:
/// PostgreSQL re-reads a kept check from its text, which may bind another function for the
/// new type (`length(c)` of text becomes bytea's `length`), so that the migrated database
/// would differ from a fresh one. (Found by `pg_properties.rs`.)
#[test]
fn a_check_on_a_retyped_column_is_added_again_as_written() {
    let v1 = r#"
use schema_core::Table;
#[derive(Table)]
#[table(name = "files")]
#[check(name = "files_body_len", expr = "length(body::text) >= 0")]
pub struct File {
    #[column(primary_key)]
    pub id: i64,
    pub body: String,
}
"#;
    let v2 = v1.replace(
        "pub body: String,",
        "#[column(sql_type = \"bytea\")]\n    pub body: Vec<u8>,",
    );
    let dir = tempfile::tempdir().unwrap();
    let p = Pg {
        url: String::new(),
        dir,
    };
    p.generate(v1);
    let sql = p.generate(&v2);
    let drop = sql.find(r#"ALTER TABLE "files" DROP CONSTRAINT "files_body_len";"#);
    let retype = sql.find("SET DATA TYPE");
    let add = sql.find(r#"ALTER TABLE "files" ADD CONSTRAINT "files_body_len" CHECK (length(body::text) >= 0);"#);
    assert!(
        matches!((drop, retype, add), (Some(d), Some(r), Some(a)) if d < r && r < a),
        "{sql}"
    );
    let Some(server) = server() else { return };
    let p = Pg {
        url: server.url("recheck"),
        dir: p.dir,
    };
    p.migrate().unwrap();
    assert_eq!(p.drift(), Vec::<String>::new());
}

/// On PostgreSQL the ticker runs on a thread beside the migrator (the driver cannot be asked
/// mid-statement): a statement that sleeps is told about while it runs, and the thread ends
/// with the run.
#[test]
fn a_long_statement_is_ticked_from_a_thread_beside_the_run() {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    let Some(server) = server() else { return };
    let p = Pg::new(&server, "ticks");
    p.generate(V1);
    server.create_database("ticks").unwrap();
    // The first migration applied beforehand: on a loaded machine it can itself run longer
    // than `every`, and be ticked.
    p.migrate().unwrap();
    let path = p.custom(V1, Some("sleep"), "SELECT pg_sleep(0.6);");
    let tag = path.file_stem().unwrap().to_str().unwrap().to_string();
    let told = Arc::new(Mutex::new(Vec::<schema_core::Tick>::new()));
    let every = Duration::from_millis(150);
    let ticker = {
        let told = Arc::clone(&told);
        schema_core::Ticker::new(every, move |t| told.lock().unwrap().push(t.clone()))
    };
    let applied = p
        .driver()
        .migrate_ticking(&p.migrations(), &mut |_| {}, &ticker)
        .unwrap();
    assert_eq!(applied.len(), 1);
    drop(ticker);
    // The thread is gone with its copy of the ticker.
    assert_eq!(Arc::strong_count(&told), 1);
    let ticks = told.lock().unwrap().clone();
    assert!(!ticks.is_empty(), "no tick in {:?}", applied[1].elapsed);
    for t in &ticks {
        assert_eq!((t.tag.as_str(), t.statement, t.of), (tag.as_str(), 1, 1), "{t:?}");
        assert!(t.elapsed >= every, "{t:?}");
    }
}
