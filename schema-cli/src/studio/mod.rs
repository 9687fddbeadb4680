//! `schema studio`: a local web page to browse and edit the database, served from the binary.
//!
//! `http` reads and writes HTTP, `guard` decides who may ask, `api` answers, `db` is what a
//! database must do for it (`sqlite` does it for SQLite), `adapter` is the one door to
//! schema-core, `diagram` draws the schema.

mod adapter;
mod api;
pub mod db;
mod diagram;
mod guard;
mod http;
mod postgres;
mod scan;
mod sqlite;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub use sqlite::OpenError;

/// What `schema studio` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub host: String,
    pub port: u16,
    /// Binding beyond loopback was asked for explicitly.
    pub allow_remote: bool,
    pub migrations_dir: PathBuf,
    pub tracking_table: String,
    /// The tracking table's schema (PostgreSQL).
    pub tracking_schema: String,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StudioError {
    #[error(
        "port {port} on {host} is already in use (another studio?); choose another with --port, or --port 0 for any free one"
    )]
    PortTaken { host: String, port: u16 },
    #[error("cannot listen on {host}:{port}: {source}")]
    Bind {
        host: String,
        port: u16,
        source: std::io::Error,
    },
    #[error("cannot resolve --host {host}: {reason}")]
    Host { host: String, reason: String },
    #[error(
        "--host {host} is reachable from other machines; the studio can change the database, so it listens on loopback unless you also pass --allow-remote"
    )]
    NotLoopback { host: String },
    #[error("cannot read random bytes for the access token: {0}")]
    Token(String),
}

/// The database the studio serves, opened by its dialect's implementation: the database as
/// messages name it (a path, a URL without its password), and whether it could only be
/// opened read-only.
pub fn open(
    dialect: &dyn schema_core::dialect::Dialect,
    url: &str,
    base: &Path,
) -> Result<(Box<dyn db::StudioDb>, String, bool), OpenError> {
    match dialect.name() {
        "sqlite" => {
            let (db, path) = sqlite::open_url(url, base)?;
            let read_only = db.read_only();
            Ok((Box::new(db), path.display().to_string(), read_only))
        }
        "postgresql" => {
            let (db, shown) = postgres::open_url(url, base)?;
            Ok((Box::new(db), shown, false))
        }
        other => Err(OpenError::Unsupported(format!(
            "the studio does not serve {other} databases yet"
        ))),
    }
}

/// A listening socket, and the URL (with its token) that opens the page.
pub struct Bound {
    listener: TcpListener,
    addr: SocketAddr,
    url: String,
    guard: guard::Guard,
    stop: Arc<AtomicBool>,
    pub remote: bool,
}

/// Sets off a clean shutdown from anywhere (a signal handler): the accept loop wakes and ends.
#[derive(Clone)]
pub struct Stopper {
    stop: Arc<AtomicBool>,
    wake: SocketAddr,
}

impl Stopper {
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        // `accept` blocks; one connection of our own wakes it to see the flag.
        let _ = TcpStream::connect_timeout(&self.wake, Duration::from_secs(1));
    }
}

fn token() -> Result<String, StudioError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StudioError::Token(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn bind(opts: &Options) -> Result<Bound, StudioError> {
    let addrs: Vec<SocketAddr> = (opts.host.as_str(), opts.port)
        .to_socket_addrs()
        .map_err(|e| StudioError::Host {
            host: opts.host.clone(),
            reason: e.to_string(),
        })?
        .collect();
    let Some(&first) = addrs.first() else {
        return Err(StudioError::Host {
            host: opts.host.clone(),
            reason: "it names no address".into(),
        });
    };
    let remote = addrs.iter().any(|a| !a.ip().is_loopback());
    if remote && !opts.allow_remote {
        return Err(StudioError::NotLoopback {
            host: opts.host.clone(),
        });
    }
    let listener = TcpListener::bind(first).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            StudioError::PortTaken {
                host: opts.host.clone(),
                port: opts.port,
            }
        } else {
            StudioError::Bind {
                host: opts.host.clone(),
                port: opts.port,
                source,
            }
        }
    })?;
    let addr = listener.local_addr().map_err(|source| StudioError::Bind {
        host: opts.host.clone(),
        port: opts.port,
        source,
    })?;
    let port = addr.port();
    // The URL names what the user asked for, except an address that means "everywhere",
    // which no browser can open: then loopback.
    let url_host = match addr.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        _ if opts.host.parse::<IpAddr>().is_err() => opts.host.to_ascii_lowercase(),
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    };
    let token = token()?;
    let url = format!("http://{url_host}:{port}/?token={token}");
    let guard = guard::Guard::new(
        token,
        url_host.trim_start_matches('[').trim_end_matches(']'),
        port,
        remote,
    );
    Ok(Bound {
        listener,
        addr,
        url,
        guard,
        stop: Arc::new(AtomicBool::new(false)),
        remote,
    })
}

impl Bound {
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn stopper(&self) -> Stopper {
        let wake = if self.addr.ip().is_unspecified() {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), self.addr.port())
        } else {
            self.addr
        };
        Stopper {
            stop: Arc::clone(&self.stop),
            wake,
        }
    }

    /// Serves until a `Stopper` stops it, then waits (a little) for requests being answered.
    pub fn run(self, db: Box<dyn db::StudioDb>, opts: &Options) {
        let app = api::App::new(
            db,
            opts.migrations_dir.clone(),
            opts.tracking_table.clone(),
            opts.tracking_schema.clone(),
        );
        let guard = self.guard;
        let handler: Arc<http::Handler> = Arc::new(move |req: &http::Request| {
            let resp = match guard.check(req) {
                Ok(()) => app.handle(req),
                Err(refused) => refused,
            };
            secure(resp)
        });
        let in_flight = Arc::new(http::InFlight::default());
        http::serve(&self.listener, &self.stop, &in_flight, &handler);
        in_flight.drain(Duration::from_secs(5));
    }
}

/// Headers on every answer: nothing loads from elsewhere, nothing frames the page, no URL
/// leaks in a Referer, nothing is cached.
fn secure(resp: http::Response) -> http::Response {
    resp.with_header(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    .with_header("X-Content-Type-Options", "nosniff")
    .with_header("X-Frame-Options", "DENY")
    .with_header("Referrer-Policy", "no-referrer")
    .with_header("Cross-Origin-Resource-Policy", "same-origin")
    .with_header("Cache-Control", "no-store")
}
