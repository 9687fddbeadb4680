//! Who may talk to the studio: the holder of this run's token (in the URL once, then in a
//! cookie), through a `Host` and `Origin` that are the studio's own, so that another site open
//! in the same browser can neither call the API (CSRF) nor point a name of its own at it
//! (DNS rebinding).

use std::net::IpAddr;

use serde_json::json;

use super::http::{Request, Response};

pub struct Guard {
    token: String,
    cookie: String,
    port: u16,
    /// `Host` values that name this server, lowercased (`127.0.0.1:4983`, `localhost:4983`).
    hosts: Vec<String>,
    /// Bound beyond loopback (`--allow-remote`): any IP literal with our port names us too.
    any_ip: bool,
}

impl Guard {
    pub fn new(token: String, bound_host: &str, port: u16, remote: bool) -> Guard {
        let bound = match bound_host.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => format!("[{v6}]:{port}"),
            _ => format!("{}:{port}", bound_host.to_ascii_lowercase()),
        };
        let mut hosts = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        if !hosts.contains(&bound) {
            hosts.push(bound);
        }
        Guard {
            token,
            // Per port: two studios on one machine would otherwise overwrite each other's.
            cookie: format!("schema_studio_{port}"),
            port,
            hosts,
            any_ip: remote,
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        if self.hosts.contains(&host) {
            return true;
        }
        // An IP literal cannot be rebound by DNS, so from afar any address of ours will do.
        self.any_ip
            && host.rsplit_once(':').is_some_and(|(h, p)| {
                p.parse::<u16>() == Ok(self.port)
                    && h.trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<IpAddr>()
                        .is_ok()
            })
    }

    fn token_matches(&self, given: &str) -> bool {
        // Compared in constant time: how far a guess matched must not show in the timing.
        given.len() == self.token.len()
            && given
                .bytes()
                .zip(self.token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    fn cookie_token<'r>(&self, req: &'r Request) -> Option<&'r str> {
        req.headers
            .iter()
            .filter(|(k, _)| k == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == self.cookie)
            .map(|(_, v)| v)
    }

    /// `Ok` lets the request through; `Err` is the answer to send instead.
    pub fn check(&self, req: &Request) -> Result<(), Response> {
        let api = req.segments.first().is_some_and(|s| s == "api");
        let refuse = |status: u16, message: &str| {
            Err(if api {
                Response::json(status, &json!({ "error": message }))
            } else {
                Response::new(status, "text/plain; charset=utf-8", message.to_string())
            })
        };
        let Some(host) = req.header("host") else {
            return refuse(400, "a request needs a Host header");
        };
        if !self.host_allowed(host) {
            return refuse(
                403,
                "this Host is not the studio's own (the studio answers to 127.0.0.1, localhost and the address it was started on)",
            );
        }
        let safe_method = matches!(req.method.as_str(), "GET" | "HEAD");
        if let Some(site) = req.header("sec-fetch-site")
            && matches!(site, "cross-site" | "same-site")
            && (api || !safe_method)
        {
            return refuse(403, "requests from other sites are refused");
        }
        match req.header("origin") {
            Some(origin) => {
                let own = origin
                    .strip_prefix("http://")
                    .is_some_and(|h| !h.contains('/') && self.host_allowed(h));
                if !own {
                    return refuse(403, "requests from other origins are refused");
                }
            }
            None if !safe_method => return refuse(403, "a request that changes something must carry an Origin header"),
            None => {}
        }
        if let Some(given) = req.query("token") {
            if !self.token_matches(given) {
                return refuse(
                    401,
                    "wrong access token: open the URL `schema studio` printed for this run",
                );
            }
            if api || !safe_method {
                return Ok(());
            }
            // First visit: trade the token in the URL for a cookie, and drop it from the URL
            // (out of the history, the address bar and any Referer).
            let rest: Vec<&str> = req
                .raw_query
                .iter()
                .filter(|(k, _)| k != "token")
                .map(|(_, raw)| raw.as_str())
                .collect();
            let location = if rest.is_empty() {
                req.raw_path.clone()
            } else {
                format!("{}?{}", req.raw_path, rest.join("&"))
            };
            return Err(Response::new(303, "text/plain; charset=utf-8", "signed in")
                .with_header("Location", &location)
                .with_header(
                    "Set-Cookie",
                    &format!("{}={}; HttpOnly; SameSite=Strict; Path=/", self.cookie, self.token),
                ));
        }
        match self.cookie_token(req) {
            Some(t) if self.token_matches(t) => Ok(()),
            _ => refuse(
                401,
                "this studio needs its access token: open the URL that `schema studio` printed (it ends with ?token=…)",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, path: &str, headers: &[(&str, &str)]) -> Request {
        let (p, q) = path.split_once('?').unwrap_or((path, ""));
        let pairs: Vec<(String, String)> = q
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        Request {
            method: method.into(),
            segments: p.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            raw_query: pairs.iter().map(|(k, v)| (k.clone(), format!("{k}={v}"))).collect(),
            query: pairs,
            raw_path: p.into(),
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Request::default()
        }
    }

    #[test]
    fn the_first_visit_trades_the_token_for_a_cookie() {
        let g = Guard::new("abc".into(), "127.0.0.1", 4983, false);
        let r = g
            .check(&req("GET", "/t/users?token=abc&sort=id", &[("host", "localhost:4983")]))
            .unwrap_err();
        assert_eq!(r.status, 303);
        let header = |n: &str| r.headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert_eq!(header("Location").as_deref(), Some("/t/users?sort=id"));
        assert_eq!(
            header("Set-Cookie").as_deref(),
            Some("schema_studio_4983=abc; HttpOnly; SameSite=Strict; Path=/")
        );
        let with_cookie = req(
            "GET",
            "/t/users",
            &[("host", "localhost:4983"), ("cookie", "x=1; schema_studio_4983=abc")],
        );
        assert!(g.check(&with_cookie).is_ok());
    }

    #[test]
    fn hosts_origins_and_tokens_that_are_not_ours_are_refused() {
        let g = Guard::new("abc".into(), "127.0.0.1", 4983, false);
        let c = ("cookie", "schema_studio_4983=abc");
        let status = |r: Request| g.check(&r).err().map(|r| r.status);
        assert_eq!(
            status(req("GET", "/api/tables", &[("host", "evil.example:4983"), c])),
            Some(403)
        );
        assert_eq!(
            status(req("GET", "/api/tables", &[("host", "127.0.0.1:4984"), c])),
            Some(403)
        );
        assert_eq!(
            status(req("GET", "/api/tables", &[("host", "10.0.0.1:4983"), c])),
            Some(403)
        );
        assert_eq!(status(req("GET", "/api/tables", &[c])), Some(400));
        let h = ("host", "127.0.0.1:4983");
        assert_eq!(
            status(req("GET", "/api/tables", &[h, c, ("origin", "http://evil.example")])),
            Some(403)
        );
        assert_eq!(
            status(req("GET", "/api/tables", &[h, c, ("origin", "null")])),
            Some(403)
        );
        assert_eq!(status(req("POST", "/api/console", &[h, c])), Some(403));
        assert_eq!(
            status(req("GET", "/api/tables", &[h, c, ("sec-fetch-site", "cross-site")])),
            Some(403)
        );
        assert_eq!(status(req("GET", "/api/tables", &[h])), Some(401));
        assert_eq!(status(req("GET", "/api/tables?token=abd", &[h])), Some(401));
        assert_eq!(
            status(req("GET", "/api/tables", &[h, ("cookie", "schema_studio_4983=ab")])),
            Some(401)
        );
        assert_eq!(status(req("GET", "/api/tables?token=abc", &[h])), None);
        assert_eq!(
            status(req(
                "POST",
                "/api/console",
                &[h, c, ("origin", "http://localhost:4983")]
            )),
            None
        );
    }

    #[test]
    fn from_afar_any_ip_literal_of_ours_is_a_host_but_no_name_is() {
        let g = Guard::new("abc".into(), "0.0.0.0", 4983, true);
        let c = ("cookie", "schema_studio_4983=abc");
        assert!(g.check(&req("GET", "/", &[("host", "192.168.1.5:4983"), c])).is_ok());
        assert!(g.check(&req("GET", "/", &[("host", "[fe80::1]:4983"), c])).is_ok());
        assert!(
            g.check(&req("GET", "/", &[("host", "rebound.example:4983"), c]))
                .is_err()
        );
    }
}
