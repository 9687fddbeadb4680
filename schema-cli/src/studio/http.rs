//! A small HTTP/1.1 server on `std::net`: a thread per connection (capped), keep-alive,
//! bounded request sizes, and a stop flag for a clean shutdown. Enough for one local page and
//! its API, without an async runtime to compile.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Longest request line; a page cursor sorted on a long text column rides in the URL.
const MAX_LINE: usize = 256 * 1024;
const MAX_HEADER_BYTES: usize = 512 * 1024;
const MAX_HEADERS: usize = 100;
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Connections served at once; more wait in the kernel's backlog... then get a 503.
const MAX_CONNECTIONS: usize = 64;
/// An idle keep-alive connection is closed after this long.
const IDLE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: String,
    /// The path's segments, percent-decoded (empty segments dropped).
    pub segments: Vec<String>,
    /// The query's pairs, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The query's pairs as sent, for rebuilding a URL without one of them.
    pub raw_query: Vec<(String, String)>,
    /// The path as sent.
    pub raw_path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub keep_alive: bool,
    /// What Content-Length announced; the body is read as it arrives, not allocated up front.
    pub(super) content_length: usize,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json", value.to_string())
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// Why a request could not be read: answered with `status`, then the connection closes.
#[derive(Debug)]
enum ReadError {
    Bad(u16, String),
    /// Closed, timed out, or reset: nothing to answer.
    Gone,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> ReadError {
        ReadError::Gone
    }
}

fn read_line(r: &mut impl BufRead, max: usize, too_long: u16) -> Result<Option<String>, ReadError> {
    let mut buf = Vec::new();
    let n = r.take(max as u64 + 2).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if !buf.ends_with(b"\n") {
        return Err(if buf.len() > max {
            ReadError::Bad(too_long, "request line or header too long".into())
        } else {
            ReadError::Gone
        });
    }
    buf.pop();
    if buf.ends_with(b"\r") {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| ReadError::Bad(400, "the request is not UTF-8".into()))
}

/// `%XX` decoded; with `plus`, `+` is a space (a query's convention, not a path's).
pub fn percent_decode(s: &str, plus: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// What a URL component must escape: everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn read_request(r: &mut impl BufRead) -> Result<Option<(Request, bool)>, ReadError> {
    let line = loop {
        match read_line(r, MAX_LINE, 414)? {
            None => return Ok(None),
            // RFC 9112: a server ignores empty lines before the request line.
            Some(l) if l.is_empty() => continue,
            Some(l) => break l,
        }
    };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad(400, "malformed request line".into()));
    };
    let keep_alive_default = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(ReadError::Bad(505, "HTTP/1.0 or HTTP/1.1 only".into())),
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ReadError::Bad(400, "malformed method".into()));
    }
    let mut headers = Vec::new();
    let mut header_bytes = 0;
    loop {
        let Some(h) = read_line(r, MAX_HEADER_BYTES, 431)? else {
            return Err(ReadError::Gone);
        };
        if h.is_empty() {
            break;
        }
        header_bytes += h.len();
        if headers.len() >= MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
            return Err(ReadError::Bad(431, "too many headers".into()));
        }
        let Some((name, value)) = h.split_once(':') else {
            return Err(ReadError::Bad(400, "malformed header".into()));
        };
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(ReadError::Bad(400, "malformed header name".into()));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut req = Request {
        method: method.to_string(),
        headers,
        ..Request::default()
    };
    // Only absolute paths: no proxy forms, no `*`.
    if !target.starts_with('/') {
        return Err(ReadError::Bad(400, "the request target must be a path".into()));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    req.raw_path = path.to_string();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        req.segments.push(
            percent_decode(seg, false).ok_or_else(|| ReadError::Bad(400, "bad percent-encoding in the path".into()))?,
        );
    }
    for pair in query.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let bad = || ReadError::Bad(400, "bad percent-encoding in the query".into());
        req.query.push((
            percent_decode(k, true).ok_or_else(bad)?,
            percent_decode(v, true).ok_or_else(bad)?,
        ));
        req.raw_query
            .push((percent_decode(k, true).ok_or_else(bad)?, pair.to_string()));
    }
    let connection = req.header("connection").unwrap_or("").to_ascii_lowercase();
    req.keep_alive = if keep_alive_default {
        !connection.split(',').any(|t| t.trim() == "close")
    } else {
        connection.split(',').any(|t| t.trim() == "keep-alive")
    };
    if req.header("transfer-encoding").is_some() {
        return Err(ReadError::Bad(
            501,
            "chunked request bodies are not supported; send Content-Length".into(),
        ));
    }
    let length = match req.header("content-length") {
        Some(l) => l
            .parse::<usize>()
            .map_err(|_| ReadError::Bad(400, "bad Content-Length".into()))?,
        None => 0,
    };
    if length > MAX_BODY {
        return Err(ReadError::Bad(413, "request body too large".into()));
    }
    let expects_continue = req
        .header("expect")
        .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
    req.content_length = length;
    Ok(Some((req, expects_continue && length > 0)))
}

fn write_response(stream: &mut impl Write, resp: &Response, head_only: bool, keep_alive: bool) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&resp.body)?;
    }
    stream.flush()
}

pub type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// Requests being answered now (not idle connections): what a shutdown waits for.
#[derive(Default)]
pub struct InFlight(AtomicUsize);

impl InFlight {
    /// Waits until no request is being answered, or `limit` has passed.
    pub fn drain(&self, limit: Duration) {
        let start = Instant::now();
        while self.0.load(Ordering::SeqCst) > 0 && start.elapsed() < limit {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Accepts connections until `stop` is set (whoever sets it then connects once, to wake
/// the blocking `accept`).
pub fn serve(listener: &TcpListener, stop: &Arc<AtomicBool>, in_flight: &Arc<InFlight>, handler: &Arc<Handler>) {
    let connections = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(mut stream) = stream else { continue };
        if connections.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let _ = write_response(
                &mut stream,
                &Response::new(503, "text/plain", "too many connections"),
                false,
                false,
            );
            continue;
        }
        connections.fetch_add(1, Ordering::SeqCst);
        let (count, stop, in_flight, handler) = (
            Arc::clone(&connections),
            Arc::clone(stop),
            Arc::clone(in_flight),
            Arc::clone(handler),
        );
        let spawned = std::thread::Builder::new().name("studio-conn".into()).spawn(move || {
            connection(stream, &stop, &in_flight, handler.as_ref());
            count.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            // The thread never ran, so it will never count itself out.
            connections.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn connection(stream: TcpStream, stop: &AtomicBool, in_flight: &InFlight, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let _ = stream.set_write_timeout(Some(IDLE));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let (mut req, expects_continue) = match read_request(&mut reader) {
            Ok(Some(r)) => r,
            Ok(None) | Err(ReadError::Gone) => break,
            Err(ReadError::Bad(status, message)) => {
                let _ = write_response(&mut writer, &Response::new(status, "text/plain", message), false, false);
                break;
            }
        };
        if expects_continue && writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
            break;
        }
        let announced = req.content_length;
        match (&mut reader).take(announced as u64).read_to_end(&mut req.body) {
            Ok(n) if n == announced => {}
            _ => break,
        }
        in_flight.0.fetch_add(1, Ordering::SeqCst);
        let resp = catch_unwind(AssertUnwindSafe(|| handler(&req)))
            .unwrap_or_else(|_| Response::new(500, "text/plain", "internal error (a bug in the studio)"));
        let keep = req.keep_alive && !stop.load(Ordering::SeqCst);
        let written = write_response(&mut writer, &resp, req.method == "HEAD", keep);
        in_flight.0.fetch_sub(1, Ordering::SeqCst);
        if written.is_err() || !keep {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Option<(Request, bool)>, ReadError> {
        read_request(&mut BufReader::new(raw.as_bytes()))
    }

    #[test]
    fn a_request_is_split_and_decoded() {
        let (req, _) = parse("GET /t/a%2Fb/rows?f.x=has%3Aa+b&sort=x HTTP/1.1\r\nHost: h\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(req.segments, ["t", "a/b", "rows"]);
        assert_eq!(req.query("f.x"), Some("has:a b"));
        assert_eq!(req.header("HOST"), Some("h"));
        assert!(req.keep_alive);
    }

    #[test]
    fn malformed_requests_are_refused_not_panicked_on() {
        for raw in [
            "GET\r\n\r\n",
            "GET /x HTTP/2\r\n\r\n",
            "GET x HTTP/1.1\r\n\r\n",
            "GET /%zz HTTP/1.1\r\n\r\n",
            "GET /%ff HTTP/1.1\r\n\r\n",
            "get / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nno colon\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
        ] {
            assert!(matches!(parse(raw), Err(ReadError::Bad(..))), "{raw:?}");
        }
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_LINE + 10));
        assert!(matches!(parse(&long), Err(ReadError::Bad(414, _))));
        assert!(matches!(parse(""), Ok(None)));
        assert!(matches!(parse("GET / HTTP/1.1\r\nHost"), Err(ReadError::Gone)));
    }

    #[test]
    fn percent_encoding_round_trips() {
        let s = "a b/c?d=é&\"'";
        assert_eq!(percent_decode(&percent_encode(s), false).unwrap(), s);
    }
}
