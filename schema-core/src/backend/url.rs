//! Database URLs, in every form users bring from other tools, read by one parser: a plain
//! path, SQLite's `file:` URIs (with `?mode=ro|rw|rwc`), sqlx's `sqlite:` and `sqlite://`
//! forms, and the URLs of other databases, which are named but never mistaken for files.
//! A URL is only ever shown through [`redact`], so no output carries a password.

use std::fmt;
use std::path::{Path, PathBuf};

/// How a URL says a SQLite file may be opened (`?mode=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// `mode=ro`: read only.
    ReadOnly,
    /// `mode=rw`: read and write an existing file.
    ReadWrite,
    /// `mode=rwc` (the default): read and write, creating the file.
    ReadWriteCreate,
}

/// What a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite database file.
    SqliteFile {
        /// The file, resolved against the folder the URL was given relative to.
        path: PathBuf,
        /// What the URL allows, when it says.
        mode: Option<FileMode>,
    },
    /// A PostgreSQL server (`postgres://`, `postgresql://`), kept as written.
    Postgres(String),
}

impl DatabaseUrl {
    /// Whether the database is on this machine: a file, or a server on `localhost`, a loopback
    /// address or a Unix socket (an empty host, or `?host=/dir`). What deletes a database
    /// (`schema reset`) asks before touching one that is not.
    pub fn is_local(&self) -> bool {
        match self {
            DatabaseUrl::SqliteFile { .. } => true,
            DatabaseUrl::Postgres(url) => {
                let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
                let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
                let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
                let host = if let Some(v6) = hostport.strip_prefix('[') {
                    v6.split(']').next().unwrap_or("")
                } else {
                    hostport.split(':').next().unwrap_or("")
                };
                // libpq: `?host=` wins over the authority; a host that is a path is a socket.
                let query_host = rest
                    .split_once('?')
                    .and_then(|(_, q)| q.split('&').find_map(|p| p.strip_prefix("host=")))
                    .map(percent_decode);
                let host = query_host.unwrap_or_else(|| host.to_string());
                let loopback = ["", "localhost", "127.0.0.1", "::1"];
                host.starts_with('/') || loopback.iter().any(|l| host.eq_ignore_ascii_case(l))
            }
        }
    }
}

/// Why a URL names no database the toolkit can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Empty, `:memory:` and the like: a database that vanishes when the command ends, so
    /// migrating it would report success and change nothing.
    #[error(
        "the database URL {0} names a temporary database, which vanishes when the command ends; \
         give a file (`app.db`) or a server URL"
    )]
    Temporary(String),
    /// Another database's scheme.
    #[error("the database URL {url} is for {scheme}, which is not supported (yet): SQLite files and PostgreSQL are")]
    Unsupported {
        /// The URL, redacted.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// A `file:` URI this toolkit cannot honour.
    #[error("the database URL {url}: {reason}")]
    Invalid {
        /// The URL, redacted.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// `url` with any password replaced by `***` (`postgres://me:***@host/db`).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The URL for messages: redacted, and quoted when empty.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\" (empty)")
        } else {
            f.write_str(&redact(self.0))
        }
    }
}

fn shown(url: &str) -> String {
    Shown(url).to_string()
}

/// `%2F` → `/`: the percent-decoding of a URI path (invalid escapes are kept as written).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b.get(i + 1)), hex(b.get(i + 2)))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: Option<&u8>) -> Option<u8> {
    let c = *b? as char;
    c.to_digit(16).map(|d| d as u8)
}

/// The `mode` of a query string (`mode=ro&cache=shared`), and the error of one SQLite cannot
/// open as a file.
fn query_mode(url: &str, query: &str) -> Result<Option<FileMode>, UrlError> {
    let mut mode = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == "mode" {
            mode = Some(match v {
                "ro" => FileMode::ReadOnly,
                "rw" => FileMode::ReadWrite,
                "rwc" => FileMode::ReadWriteCreate,
                "memory" => return Err(UrlError::Temporary(shown(url))),
                other => {
                    return Err(UrlError::Invalid {
                        url: shown(url),
                        reason: format!("mode={other} is not one of ro, rw, rwc"),
                    });
                }
            });
        }
    }
    Ok(mode)
}

/// Reads `url`. A relative file path is resolved against `base` (the folder of the config
/// file that gave it; the working directory for a flag or `DATABASE_URL`).
pub fn parse(url: &str, base: &Path) -> Result<DatabaseUrl, UrlError> {
    let trimmed = url.trim();
    if trimmed.is_empty() {
        return Err(UrlError::Temporary(shown(url)));
    }
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Ok(DatabaseUrl::Postgres(trimmed.to_string()));
    }
    let (path, query) = if let Some(rest) = strip_prefix_ci(trimmed, "file:") {
        // SQLite's URI form: `file:app.db`, `file:///abs/app.db`, `file://localhost/abs`.
        let (p, q) = rest.split_once('?').unwrap_or((rest, ""));
        let p = p.split_once('#').map_or(p, |(p, _)| p);
        let p = match p.strip_prefix("//") {
            Some(authority_and_path) => {
                let (authority, path) =
                    authority_and_path.split_at(authority_and_path.find('/').unwrap_or(authority_and_path.len()));
                if !authority.is_empty() && !authority.eq_ignore_ascii_case("localhost") {
                    return Err(UrlError::Invalid {
                        url: shown(url),
                        reason: format!("a file: URI names a file on this machine, not on `{authority}`"),
                    });
                }
                path.to_string()
            }
            None => p.to_string(),
        };
        (percent_decode(&p), q.to_string())
    } else if let Some(rest) = strip_prefix_ci(trimmed, "sqlite:") {
        // sqlx's forms: `sqlite:app.db`, `sqlite://app.db`, `sqlite:///abs/app.db`, each with
        // an optional `?mode=`.
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (p, q) = rest.split_once('?').unwrap_or((rest, ""));
        (p.to_string(), q.to_string())
    } else if let Some((scheme, _)) = trimmed.split_once("://") {
        return Err(UrlError::Unsupported {
            url: shown(url),
            scheme: scheme.to_string(),
        });
    } else {
        (trimmed.to_string(), String::new())
    };
    let mode = query_mode(url, &query)?;
    if path.is_empty() || path == ":memory:" {
        return Err(UrlError::Temporary(shown(url)));
    }
    let path = PathBuf::from(path);
    let path = if path.is_absolute() || base.as_os_str().is_empty() {
        path
    } else {
        base.join(path)
    };
    Ok(DatabaseUrl::SqliteFile { path, mode })
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)).then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(url: &str) -> (PathBuf, Option<FileMode>) {
        match parse(url, Path::new("")).unwrap() {
            DatabaseUrl::SqliteFile { path, mode } => (path, mode),
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn every_sqlite_form_names_the_file() {
        assert_eq!(file("app.db"), ("app.db".into(), None));
        assert_eq!(file("sqlite:app.db"), ("app.db".into(), None));
        assert_eq!(file("sqlite://app.db"), ("app.db".into(), None));
        assert_eq!(file("sqlite:///abs/app.db"), ("/abs/app.db".into(), None));
        assert_eq!(
            file("sqlite:app.db?mode=rwc"),
            ("app.db".into(), Some(FileMode::ReadWriteCreate))
        );
        assert_eq!(file("file:app.db?mode=ro"), ("app.db".into(), Some(FileMode::ReadOnly)));
        assert_eq!(
            file("file:///tmp/a%20b.db?mode=rw"),
            ("/tmp/a b.db".into(), Some(FileMode::ReadWrite))
        );
        assert_eq!(file("file://localhost/tmp/x.db"), ("/tmp/x.db".into(), None));
    }

    #[test]
    fn relative_paths_resolve_against_the_base() {
        let DatabaseUrl::SqliteFile { path, .. } = parse("file:data/app.db", Path::new("/proj")).unwrap() else {
            panic!()
        };
        assert_eq!(path, PathBuf::from("/proj/data/app.db"));
        let DatabaseUrl::SqliteFile { path, .. } = parse("/abs.db", Path::new("/proj")).unwrap() else {
            panic!()
        };
        assert_eq!(path, PathBuf::from("/abs.db"));
    }

    #[test]
    fn temporary_databases_are_refused() {
        for url in [
            "",
            "  ",
            ":memory:",
            "sqlite::memory:",
            "sqlite://",
            "sqlite:",
            "file::memory:",
            "file:x.db?mode=memory",
        ] {
            assert!(
                matches!(parse(url, Path::new("")), Err(UrlError::Temporary(_))),
                "{url:?}"
            );
        }
    }

    #[test]
    fn other_databases_are_named_and_passwords_hidden() {
        let e = parse("mysql://root:hunter2@db/app", Path::new(""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("mysql") && !e.contains("hunter2") && e.contains("root:***@db"),
            "{e}"
        );
        assert_eq!(
            parse("postgres://me:pw@h/db", Path::new("")).unwrap(),
            DatabaseUrl::Postgres("postgres://me:pw@h/db".into())
        );
        assert_eq!(
            redact("postgresql://me:secret@/app?host=/run/pg"),
            "postgresql://me:***@/app?host=/run/pg"
        );
        assert_eq!(redact("postgres://me@h/db"), "postgres://me@h/db");
        assert!(parse("file:x.db?mode=wat", Path::new("")).is_err());
        assert!(parse("file://server/x.db", Path::new("")).is_err());
    }

    #[test]
    fn local_databases_are_files_loopback_hosts_and_sockets() {
        let local = |u: &str| parse(u, Path::new("")).unwrap().is_local();
        assert!(local("app.db"));
        assert!(local("postgres://me:pw@localhost:5432/app"));
        assert!(local("postgres://me@127.0.0.1/app"));
        assert!(local("postgresql://me@[::1]:5433/app"));
        assert!(local("postgres://me@/app?host=/run/pg"));
        assert!(local("postgres:///app"));
        assert!(!local("postgres://me:pw@db.example.com/app"));
        assert!(!local("postgres://me@10.0.0.5/app"));
        assert!(!local("postgres://me@localhost/app?host=db.example.com"));
    }
}
