//! A minimal W3C WebDriver client over std's TCP and serde_json: enough to drive chromedriver
//! through the studio (the WebDriver crates bring tokio, hyper and TLS, which a test of one
//! local page does not need).

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// `name` on the PATH, if there.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// Chromium and chromedriver, or why not.
pub fn find_browser() -> Result<(PathBuf, PathBuf), String> {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|b| which(b))
        .ok_or("chromium is not installed (apt-get install chromium chromium-driver)")?;
    let driver = which("chromedriver").ok_or("chromedriver is not installed (apt-get install chromium-driver)")?;
    Ok((browser, driver))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A chromedriver process, killed when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub fn start(driver: &Path) -> Driver {
        // The port is free when asked for, but another process may take it before
        // chromedriver binds it: chromedriver then exits, and is started again on another.
        for _ in 0..3 {
            let port = free_port();
            let child = Command::new(driver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let mut d = Driver { child, port };
            let start = Instant::now();
            loop {
                if let Ok(r) = d.call("GET", "/status", None)
                    && r["value"]["ready"] == json!(true)
                {
                    return d;
                }
                if d.child.try_wait().unwrap().is_some() {
                    break;
                }
                assert!(start.elapsed() < Duration::from_secs(30), "chromedriver did not start");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        panic!("chromedriver exited three times without listening")
    }

    /// A command; `Err` carries WebDriver's error, or a connection failure.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let body = body.map(Value::to_string).unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            body.len()
        );
        s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
        let resp = super::read_response(&mut s);
        let v: Value = serde_json::from_slice(&resp.body).map_err(|e| format!("{e}: {}", resp.text()))?;
        if resp.status >= 400 {
            return Err(format!("{}: {}", v["value"]["error"], v["value"]["message"]));
        }
        Ok(v)
    }

    pub fn session(&self, browser: &Path, profile: &Path) -> Session<'_> {
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": browser.to_string_lossy(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let v = self.call("POST", "/session", Some(&caps)).expect("new session");
        Session {
            driver: self,
            id: v["value"]["sessionId"].as_str().unwrap().to_string(),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session, quit when dropped.
pub struct Session<'d> {
    driver: &'d Driver,
    id: String,
}

#[derive(Debug, Clone)]
pub struct Element(String);

impl Session<'_> {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body.as_ref())
            .map(|v| v["value"].clone())
    }

    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url }))).unwrap();
    }

    pub fn current_url(&self) -> String {
        self.cmd("GET", "/url", None).unwrap().as_str().unwrap().to_string()
    }

    /// The path and query of the current URL.
    pub fn path(&self) -> String {
        let url = self.current_url();
        let rest = url.splitn(4, '/').nth(3).unwrap_or("");
        format!("/{rest}")
    }

    pub fn find(&self, css: &str) -> Result<Element, String> {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        Ok(Element(v[ELEMENT].as_str().ok_or("no element id")?.to_string()))
    }

    pub fn find_all(&self, css: &str) -> Vec<Element> {
        self.cmd(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )
        .map(|v| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|e| Element(e[ELEMENT].as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
    }

    /// Waits (up to 30 s) for an element, as the page renders after each fetch.
    #[track_caller]
    pub fn wait(&self, css: &str) -> Element {
        let start = Instant::now();
        loop {
            if let Ok(e) = self.find(css) {
                return e;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!(
                    "no `{css}` after 30 s on {}; page:\n{}",
                    self.current_url(),
                    self.body_text()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for `css` to hold `text`, and returns its whole text.
    #[track_caller]
    pub fn wait_text(&self, css: &str, text: &str) -> String {
        let start = Instant::now();
        loop {
            if let Ok(e) = self.find(css)
                && let Ok(t) = self.try_text(&e)
                && t.contains(text)
            {
                return t;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!(
                    "`{css}` never said {text:?} on {}; page:\n{}",
                    self.current_url(),
                    self.body_text()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the URL's path and query are `path`.
    #[track_caller]
    pub fn wait_path(&self, path: &str) {
        let start = Instant::now();
        while self.path() != path {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "still at {} instead of {path}",
                self.path()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn body_text(&self) -> String {
        self.find("body").and_then(|b| self.try_text(&b)).unwrap_or_default()
    }

    pub fn click(&self, e: &Element) {
        self.cmd("POST", &format!("/element/{}/click", e.0), Some(json!({})))
            .unwrap();
    }

    /// Finds, then clicks; retried while the page re-renders under it.
    #[track_caller]
    pub fn click_css(&self, css: &str) {
        let start = Instant::now();
        loop {
            let e = self.wait(css);
            match self.cmd("POST", &format!("/element/{}/click", e.0), Some(json!({}))) {
                Ok(_) => return,
                Err(err) if start.elapsed() < Duration::from_secs(30) && err.contains("stale") => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(err) => panic!("click on `{css}`: {err}"),
            }
        }
    }

    pub fn double_click(&self, e: &Element) {
        let origin = json!({ ELEMENT: e.0 });
        let actions = json!({ "actions": [{
            "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" },
            "actions": [
                { "type": "pointerMove", "origin": origin, "x": 0, "y": 0 },
                { "type": "pointerDown", "button": 0 }, { "type": "pointerUp", "button": 0 },
                { "type": "pointerDown", "button": 0 }, { "type": "pointerUp", "button": 0 },
            ],
        }]});
        self.cmd("POST", "/actions", Some(actions)).unwrap();
        let _ = self.cmd("DELETE", "/actions", None);
    }

    pub fn clear(&self, e: &Element) {
        self.cmd("POST", &format!("/element/{}/clear", e.0), Some(json!({})))
            .unwrap();
    }

    pub fn type_into(&self, e: &Element, text: &str) {
        self.cmd(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        )
        .unwrap();
    }

    fn try_text(&self, e: &Element) -> Result<String, String> {
        self.cmd("GET", &format!("/element/{}/text", e.0), None)
            .map(|v| v.as_str().unwrap_or_default().to_string())
    }

    pub fn text(&self, e: &Element) -> String {
        self.try_text(e).unwrap()
    }

    pub fn attr(&self, e: &Element, name: &str) -> Option<String> {
        self.cmd("GET", &format!("/element/{}/attribute/{name}", e.0), None)
            .unwrap()
            .as_str()
            .map(str::to_string)
    }

    pub fn tag(&self, e: &Element) -> String {
        self.cmd("GET", &format!("/element/{}/name", e.0), None)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn script(&self, script: &str) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
            .unwrap()
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self, to: &Path) {
        let b64 = self.cmd("GET", "/screenshot", None).unwrap();
        std::fs::write(to, base64_decode(b64.as_str().unwrap())).unwrap();
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self.driver.call("DELETE", &format!("/session/{}", self.id), None);
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()) {
        acc = (acc << 6) | ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
