// A throwaway PostgreSQL server for tests, using only std.
//
// Use it from a test crate with `include!("../pg/pg_server.rs");` (or `#[path = ".."] mod
// pg_server;`):
//
//     let Some(pg) = PgServer::start_or_skip() else { return };   // SKIPPED without binaries
//     pg.create_database("app")?;
//     let url = pg.url("app");   // postgres://postgres@/app?host=/tmp/pgtest-…
//     assert_eq!(pg.psql("app", "SELECT 1")?, "1");
//     // dropped: the server is stopped (immediate mode) and its folder removed
//
// What `start` does:
//   1. makes a fresh folder under the temp dir (`PG_TEST_TMPDIR`, else `std::env::temp_dir()`);
//      when running as root it gives the folder to the `postgres` OS user (`PG_TEST_USER` names
//      another), because initdb and postgres refuse to run as root, and runs every server
//      binary as that user (`runuser -u postgres --`, or `su` when runuser is missing);
//   2. `initdb -D <dir>/data -A trust -U postgres --no-sync -E UTF8 --locale=C`;
//   3. `pg_ctl -D <dir>/data -l <dir>/server.log -o "-c port=5432 -c listen_addresses=''
//      -c unix_socket_directories='<dir>' -c fsync=off -c synchronous_commit=off
//      -c full_page_writes=off" -w -t 60 start`: no TCP at all, only the Unix socket in <dir>,
//      so any number of servers can run at once (each has its own socket folder, and all use
//      port 5432, which only names the socket file `.s.PGSQL.5432`).
// The database superuser is `postgres` with trust authentication on the socket, whatever the
// OS user is. Binaries are looked up in `PG_BIN` (a folder), then PATH, then Debian's
// `/usr/lib/postgresql/<newest>/bin`. When initdb, pg_ctl or postgres cannot be found, `start`
// returns an Err beginning with `PostgreSQL binaries not found`; `start_or_skip` turns that into
// a printed `SKIPPED: …` and `None`, unless the environment variable `CI` is set, where it
// panics (a CI run must not silently test nothing).
//
// Cost (PostgreSQL 15, 2 shared cores, harness_check.rs): start 0.6–1.1 s (initdb is most of
// it), stop + removal 0.1 s; two servers starting at once take about as long each. Tests should
// share one server per test binary and give each test its own database (`create_database`).

#[allow(dead_code)]
pub struct PgServer {
    dir: std::path::PathBuf,
    bins: PgBins,
    /// The OS user the server runs as when we are root (`None`: run as ourselves).
    run_as: Option<String>,
    port: u16,
    running: bool,
}

#[allow(dead_code)]
#[derive(Clone, Debug)]
struct PgBins {
    initdb: std::path::PathBuf,
    pg_ctl: std::path::PathBuf,
    psql: std::path::PathBuf,
}

#[allow(dead_code)]
impl PgServer {
    /// The prefix of the error `start` returns when the server binaries are missing.
    pub const MISSING: &'static str = "PostgreSQL binaries not found";

    /// Initializes and starts a fresh server in a new temporary folder.
    pub fn start() -> Result<PgServer, String> {
        let bins = PgBins::find()?;
        let run_as = if pg_is_root() {
            let user = std::env::var("PG_TEST_USER").unwrap_or_else(|_| "postgres".to_string());
            let known = std::process::Command::new("id")
                .arg("-u")
                .arg(&user)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if !known {
                return Err(format!(
                    "running as root, and PostgreSQL refuses to run as root, but there is no OS \
                     user `{user}` to run it as (set PG_TEST_USER to an existing user)"
                ));
            }
            Some(user)
        } else {
            None
        };
        let dir = pg_make_temp_dir()?;
        // From here on, dropping `server` removes the folder (and stops the server if running).
        let mut server = PgServer {
            dir,
            bins,
            run_as,
            port: 5432,
            running: false,
        };
        // Unix socket paths are limited to 107 bytes.
        let socket = server.dir.join(format!(".s.PGSQL.{}", server.port));
        if socket.as_os_str().len() > 100 {
            return Err(format!(
                "the socket path {} is too long for a Unix socket; set PG_TEST_TMPDIR to a \
                 shorter folder",
                socket.display()
            ));
        }
        if let Some(user) = &server.run_as {
            let out = std::process::Command::new("chown")
                .arg(user)
                .arg(&server.dir)
                .output()
                .map_err(|e| format!("cannot run chown: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "chown {user} {}: {}",
                    server.dir.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        let data = server.data_dir();
        let initdb = server.bins.initdb.clone();
        let hint = match &server.run_as {
            Some(user) => format!(
                "\n(running as root: {} and every folder above it must be reachable by the OS user `{user}`; \
                 PG_TEST_TMPDIR picks another parent)",
                server.dir.display()
            ),
            None => String::new(),
        };
        server
            .run_server_bin(
                &initdb,
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-A".as_ref(),
                    "trust".as_ref(),
                    "-U".as_ref(),
                    "postgres".as_ref(),
                    "--no-sync".as_ref(),
                    "-E".as_ref(),
                    "UTF8".as_ref(),
                    "--locale=C".as_ref(),
                ],
            )
            .map_err(|e| format!("{e}{hint}"))?;
        let opts = format!(
            "-c port={} -c listen_addresses='' -c unix_socket_directories='{}' -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off",
            server.port,
            server.dir.display()
        );
        let log = server.log_path();
        let pg_ctl = server.bins.pg_ctl.clone();
        // `running` before the call: if pg_ctl times out, the server may still be coming up,
        // and Drop must stop it.
        server.running = true;
        let started = server.run_server_bin(
            &pg_ctl,
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                opts.as_ref(),
                "-w".as_ref(),
                "-t".as_ref(),
                "60".as_ref(),
                "start".as_ref(),
            ],
        );
        if let Err(e) = started {
            let log = std::fs::read_to_string(server.log_path()).unwrap_or_default();
            return Err(format!("{e}\nserver log:\n{log}"));
        }
        Ok(server)
    }

    /// `start`, or `None` after printing `SKIPPED: <reason>` when the binaries are missing and
    /// `CI` is unset. Any other failure panics: it is a bug, not a missing tool.
    pub fn start_or_skip() -> Option<PgServer> {
        match PgServer::start() {
            Ok(server) => Some(server),
            Err(e) if e.starts_with(PgServer::MISSING) && std::env::var_os("CI").is_none() => {
                println!("SKIPPED: {e}");
                None
            }
            Err(e) => panic!("cannot start a PostgreSQL test server: {e}"),
        }
    }

    /// The folder holding the server's Unix socket (`.s.PGSQL.5432`), its data and its log.
    pub fn socket_dir(&self) -> &std::path::Path {
        &self.dir
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.join("data")
    }

    pub fn log_path(&self) -> std::path::PathBuf {
        self.dir.join("server.log")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// libpq's Unix-socket URL form: `postgres://postgres@/<db>?host=<socket dir>`.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@/{db}?host={}", self.dir.display())
    }

    /// Runs `sql` with `psql -At` (unaligned, tuples only, stop at the first error) and returns
    /// its output without the final newline. Several statements in one string run in one
    /// implicit transaction, as `psql -c` does.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        self.psql_args(db, &["-At".as_ref(), "-c".as_ref(), sql.as_ref()])
    }

    /// Runs psql against `db` with extra arguments (for example `-1 -f file.sql`).
    pub fn psql_args(&self, db: &str, args: &[&std::ffi::OsStr]) -> Result<String, String> {
        let mut cmd = std::process::Command::new(&self.bins.psql);
        pg_clean_env(&mut cmd);
        cmd.arg("-X")
            .arg("-h")
            .arg(&self.dir)
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-U")
            .arg("postgres")
            .arg("-d")
            .arg(db)
            .arg("-v")
            .arg("ON_ERROR_STOP=1")
            .args(args)
            .stdin(std::process::Stdio::null());
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.bins.psql.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            return Err(format!(
                "psql failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(stdout.strip_suffix('\n').unwrap_or(&stdout).to_string())
    }

    /// `CREATE DATABASE "<name>"`.
    pub fn create_database(&self, name: &str) -> Result<(), String> {
        self.psql(
            "postgres",
            &format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\"")),
        )
        .map(|_| ())
    }

    /// Stops the server (immediate mode: no checkpoint, it holds nothing worth keeping).
    pub fn stop(&mut self) -> Result<(), String> {
        if !self.running {
            return Ok(());
        }
        self.running = false;
        let data = self.data_dir();
        let pg_ctl = self.bins.pg_ctl.clone();
        self.run_server_bin(
            &pg_ctl,
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        )
        .map(|_| ())
    }

    /// Runs a server binary, as the postgres OS user when we are root, in the server folder (so
    /// the child never starts in a directory that user cannot read, such as /root).
    fn run_server_bin(&self, program: &std::path::Path, args: &[&std::ffi::OsStr]) -> Result<String, String> {
        let mut cmd = match &self.run_as {
            None => {
                let mut c = std::process::Command::new(program);
                c.args(args);
                c
            }
            Some(user) if pg_find_in_path("runuser").is_some() => {
                let mut c = std::process::Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(program).args(args);
                c
            }
            Some(user) => {
                let mut line = pg_shell_quote(program.as_os_str());
                for a in args {
                    line.push(' ');
                    line.push_str(&pg_shell_quote(a));
                }
                let mut c = std::process::Command::new("su");
                c.arg("-s").arg("/bin/sh").arg(user).arg("-c").arg(line);
                c
            }
        };
        pg_clean_env(&mut cmd);
        cmd.current_dir(&self.dir).stdin(std::process::Stdio::null());
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} failed ({}):\n{}{}",
                program.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[allow(dead_code)]
impl PgBins {
    fn find() -> Result<PgBins, String> {
        let mut dirs: Vec<std::path::PathBuf> = Vec::new();
        if let Some(d) = std::env::var_os("PG_BIN") {
            dirs.push(d.into());
        }
        if let Some(path) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&path));
        }
        // Debian/Ubuntu keep the server binaries off PATH; take the newest version.
        if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
            let mut versions: Vec<(u32, std::path::PathBuf)> = entries
                .flatten()
                .filter_map(|e| {
                    let v = e.file_name().to_str()?.parse::<u32>().ok()?;
                    Some((v, e.path().join("bin")))
                })
                .collect();
            versions.sort();
            dirs.extend(versions.into_iter().rev().map(|(_, p)| p));
        }
        let find = |name: &str| dirs.iter().map(|d| d.join(name)).find(|p| pg_is_executable(p));
        let (initdb, pg_ctl, postgres, psql) = (find("initdb"), find("pg_ctl"), find("postgres"), find("psql"));
        let missing: Vec<&str> = [
            ("initdb", initdb.is_none()),
            ("pg_ctl", pg_ctl.is_none()),
            ("postgres", postgres.is_none()),
            ("psql", psql.is_none()),
        ]
        .iter()
        .filter(|(_, m)| *m)
        .map(|(n, _)| *n)
        .collect();
        if !missing.is_empty() {
            return Err(format!(
                "{}: {} (looked in PG_BIN, PATH and /usr/lib/postgresql/*/bin; on Debian: apt-get \
                 install postgresql)",
                PgServer::MISSING,
                missing.join(", ")
            ));
        }
        Ok(PgBins {
            initdb: initdb.unwrap(),
            pg_ctl: pg_ctl.unwrap(),
            psql: psql.unwrap(),
        })
    }
}

fn pg_is_executable(p: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn pg_find_in_path(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| pg_is_executable(p))
}

/// Effective uid 0? `/proc/self` belongs to the process's effective user; `id -u` elsewhere.
fn pg_is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    if let Ok(m) = std::fs::metadata("/proc/self") {
        return m.uid() == 0;
    }
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A new, empty folder with a short name (the socket path inside it must stay under 108 bytes).
fn pg_make_temp_dir() -> Result<std::path::PathBuf, String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let base = std::env::var_os("PG_TEST_TMPDIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for attempt in 0..100u32 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!(
            "pgtest-{}-{}-{:x}",
            std::process::id(),
            n,
            nanos.wrapping_add(attempt)
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
        }
    }
    Err(format!("cannot create a fresh folder under {}", base.display()))
}

/// libpq and the server read PG* variables (PGPORT changes the server's port, PGHOST/PGUSER/
/// PGDATABASE psql's target, PGOPTIONS every session); none of them may leak into a test.
fn pg_clean_env(cmd: &mut std::process::Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(|k| k.starts_with("PG") && k != "PG_BIN") {
            cmd.env_remove(key);
        }
    }
}

fn pg_shell_quote(s: &std::ffi::OsStr) -> String {
    format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"))
}
