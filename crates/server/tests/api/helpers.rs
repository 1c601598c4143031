//! Test harness: the real server binary on an ephemeral port with a temporary database,
//! its output captured, and a small HTTP client that remembers every response body (for S1).
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_redeemguard-server");

pub struct Server {
    child: Child,
    pub base: String,
    /// The widget host page's URL (`host page on …`), when the server serves one.
    pub host_page: Option<String>,
    pub db: PathBuf,
    pub dir: Arc<tempfile::TempDir>,
    pub output: Arc<Mutex<String>>,
}

fn capture(
    stream: impl Read + Send + 'static,
    output: Arc<Mutex<String>>,
    ready: Option<std::sync::mpsc::Sender<String>>,
) {
    std::thread::spawn(move || {
        let reader = BufReader::new(stream);
        for line in reader.lines().map_while(Result::ok) {
            if let (Some(tx), Some(addr)) = (&ready, line.strip_prefix("listening on ")) {
                let _ = tx.send(addr.to_string());
            }
            let mut out = output.lock().unwrap();
            out.push_str(&line);
            out.push('\n');
        }
    });
}

impl Server {
    /// A demo server with the testing clock, plus `extra` flags.
    pub fn demo(extra: &[&str]) -> Server {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let db = dir.path().join("test.sqlite");
        let mut args = vec!["--demo", "--testing-clock", "--sweep-interval-secs", "1"];
        args.extend_from_slice(extra);
        Server::spawn(dir, db, &args, &[])
    }

    /// A demo server whose code secret is `secret` (from a file), plus `extra` flags.
    pub fn demo_with_secret(secret: &str, extra: &[&str]) -> Server {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let secret_file = dir.path().join("otp.secret");
        std::fs::write(&secret_file, secret).unwrap();
        let db = dir.path().join("test.sqlite");
        let mut args = vec!["--demo", "--secret-file", secret_file.to_str().unwrap()];
        args.extend_from_slice(extra);
        Server::spawn(dir.clone(), db, &args, &[])
    }

    /// A database seeded in demo mode, then served as production would serve it: no demo
    /// phone, no gateway configured, a secret from the environment.
    pub fn production_seeded() -> Server {
        let seeded = Server::demo(&[]);
        let (dir, db) = (seeded.dir.clone(), seeded.db.clone());
        drop(seeded);
        Server::spawn(
            dir,
            db,
            &[],
            &[(
                "REDEEMGUARD_OTP_SECRET",
                "a-production-secret-of-enough-length",
            )],
        )
    }

    /// Starts the binary on `db` with `args` (plus an ephemeral port).
    pub fn spawn(
        dir: Arc<tempfile::TempDir>,
        db: PathBuf,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        // The tests' own HTTP client uses the server's TLS stack, which needs its provider.
        redeemguard_server::gateways::install_tls_provider();
        let mut cmd = Command::new(BIN);
        cmd.args(["--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .args(args);
        cmd.env("RUST_LOG", "info")
            .env_remove("REDEEMGUARD_OTP_SECRET");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("server binary starts");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        capture(child.stdout.take().unwrap(), output.clone(), Some(tx));
        capture(child.stderr.take().unwrap(), output.clone(), None);
        let base = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("server did not start: {}", output.lock().unwrap()));
        // Printed before `listening on`, so it is in the output by now.
        let host_page = output
            .lock()
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("host page on "))
            .map(|url| url.trim_end_matches('/').to_string());
        Server {
            child,
            base,
            host_page,
            db,
            dir,
            output,
        }
    }

    pub fn logs(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// SIGTERM, then the exit status (None if it did not exit within `secs`).
    pub fn terminate(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// SIGKILL: no chance to flush or shut down cleanly.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn api(&self, terminal: &str) -> Api {
        Api::new(&self.base, terminal)
    }

    pub async fn advance_clock(&self, secs: i64) {
        let res = reqwest::Client::new()
            .post(format!("{}/testing/clock?advance_secs={secs}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    /// Messages on the demo phone, newest first.
    pub async fn outbox(&self, customer: &str) -> Vec<Value> {
        let url = format!("{}/demo/outbox.json?customer={customer}", self.base);
        reqwest::get(url)
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap()
    }

    /// The code sent for one redemption (the newest, after a resend).
    pub async fn code_for(&self, redemption_id: &str) -> String {
        let url = format!("{}/demo/outbox.json?redemption={redemption_id}", self.base);
        let messages = reqwest::get(url)
            .await
            .unwrap()
            .json::<Vec<Value>>()
            .await
            .unwrap();
        newest_code(&messages)
    }

    /// The code in the newest code message to `customer` (confirmations carry none).
    pub async fn latest_code(&self, customer: &str) -> String {
        newest_code(&self.outbox(customer).await)
    }
}

fn newest_code(messages: &[Value]) -> String {
    let text = messages
        .iter()
        .find(|m| m["kind"] == "otp")
        .expect("a code was delivered")["text"]
        .as_str()
        .unwrap()
        .to_string();
    code_in(&text).expect("the message holds a code")
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `code` occurs in `hay` as a whole run of digits (not inside a longer number).
pub fn contains_code(hay: &str, code: &str) -> bool {
    hay.match_indices(code).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

/// The first run of 6–10 digits that is not part of an amount.
pub fn code_in(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let decimal =
                bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if (6..=10).contains(&(i - start)) && !decimal {
                return Some(text[start..i].to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub body: String,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    /// The problem code, asserting the RFC 9457 shape on the way.
    pub fn code(&self) -> String {
        let v = self.json();
        if self.status >= 400 {
            assert_eq!(
                self.content_type, "application/problem+json",
                "{}",
                self.body
            );
            assert_eq!(
                v["status"].as_u64(),
                Some(u64::from(self.status)),
                "{}",
                self.body
            );
            let code = v["code"].as_str().unwrap_or_default();
            assert_eq!(
                v["type"].as_str(),
                Some(format!("urn:redeemguard:problem:{code}").as_str())
            );
        }
        v["code"].as_str().unwrap_or_default().to_string()
    }
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        self.json()
    }
    #[track_caller]
    pub fn expect_problem(&self, code: &str) -> Value {
        assert_eq!(self.code(), code, "{}", self.body);
        self.json()
    }
}

/// Every response body any client saw, for the S1 scan.
pub type Seen = Arc<Mutex<Vec<String>>>;

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    pub base: String,
    pub terminal: String,
    pub token: Option<String>,
    pub seen: Seen,
}

impl Api {
    pub fn new(base: &str, terminal: &str) -> Api {
        redeemguard_server::gateways::install_tls_provider();
        Api {
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(64)
                .build()
                .unwrap(),
            base: base.to_string(),
            terminal: terminal.to_string(),
            token: None,
            seen: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn with_seen(mut self, seen: &Seen) -> Api {
        self.seen = seen.clone();
        self
    }

    pub async fn sign_in(mut self, staff: &str, pin: &str) -> Api {
        let r = self
            .post("/v1/sessions", json!({ "staff_code": staff, "pin": pin }))
            .await;
        let v = r.expect(201);
        self.token = Some(v["token"].as_str().unwrap().to_string());
        self
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-terminal-token", &self.terminal);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.expect("request reaches the server");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = res.text().await.unwrap_or_default();
        self.seen.lock().unwrap().push(body.clone());
        Resp {
            status,
            body,
            content_type,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(reqwest::Method::GET, path, None, &[]).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(
            reqwest::Method::POST,
            path,
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(
            reqwest::Method::PUT,
            path,
            Some(body.to_string().into_bytes()),
            &[],
        )
        .await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.send(reqwest::Method::DELETE, path, None, &[]).await
    }
    pub async fn commit(&self, id: &str, key: &str) -> Resp {
        self.send(
            reqwest::Method::POST,
            &format!("/v1/redemptions/{id}/commit"),
            None,
            &[("idempotency-key", key)],
        )
        .await
    }

    pub async fn create(
        &self,
        customer: &str,
        instrument: &str,
        quantity: u64,
        bill_minor: u64,
    ) -> Resp {
        self.post(
            "/v1/redemptions",
            redemption_body(customer, instrument, quantity, bill_minor),
        )
        .await
    }

    pub async fn balance(&self, customer: &str) -> Value {
        self.get(&format!("/v1/customers/{customer}/balance"))
            .await
            .expect(200)
    }

    /// Creates an intent (see [`Api::create`]) and returns its id.
    pub async fn create_id(
        &self,
        customer: &str,
        instrument: &str,
        quantity: u64,
        bill_minor: u64,
    ) -> String {
        let r = self
            .create(customer, instrument, quantity, bill_minor)
            .await;
        id_of(&r.expect(201))
    }

    pub async fn available(&self, customer: &str, instrument: &str) -> u64 {
        let b = self.balance(customer).await;
        b["instruments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == instrument)
            .unwrap_or_else(|| panic!("{instrument} in {b}"))["available"]
            .as_u64()
            .unwrap()
    }

    pub async fn policy(&self) -> Value {
        self.get("/v1/policy").await.expect(200)
    }

    /// Sends a redemption's code on `channel`.
    pub async fn send_otp(&self, id: &str, channel: &str) -> Resp {
        self.post(
            &format!("/v1/redemptions/{id}/otp"),
            json!({ "channel": channel }),
        )
        .await
    }

    /// Types a redemption's code.
    pub async fn verify(&self, id: &str, code: &str) -> Resp {
        self.post(
            &format!("/v1/redemptions/{id}/verify"),
            json!({ "code": code }),
        )
        .await
    }

    /// A self-service kiosk session: the customer types their mobile or card number.
    pub async fn identify(&self, query: &str) -> Resp {
        self.post("/v1/kiosk/identify", json!({ "query": query }))
            .await
    }

    /// A self-service kiosk session: the customer types their identification code.
    pub async fn kiosk_verify(&self, code: &str) -> Resp {
        self.post("/v1/kiosk/verify", json!({ "code": code })).await
    }

    pub async fn forget(&self) -> Resp {
        self.post("/v1/kiosk/forget", json!({})).await
    }

    /// This store's audit entries, oldest first (as a manager).
    pub async fn audit_entries(&self) -> Vec<Value> {
        self.get("/v1/audit?limit=1000").await.expect(200)["entries"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// The details of the audit entries of one action, oldest first (as a manager).
    pub async fn audit_details(&self, action: &str) -> Vec<Value> {
        self.audit_entries()
            .await
            .iter()
            .filter(|e| e["action"] == action)
            .map(detail)
            .collect()
    }

    /// Changes some policy fields (as a manager).
    pub async fn set_policy(&self, changes: Value) -> Value {
        let mut p = self.policy().await;
        for (k, v) in changes.as_object().unwrap() {
            p[k] = v.clone();
        }
        self.put("/v1/policy", p).await.expect(200)
    }
}

pub fn redemption_body(customer: &str, instrument: &str, quantity: u64, bill_minor: u64) -> Value {
    json!({
        "customer_id": customer,
        "instrument_id": instrument,
        "quantity": quantity,
        "purpose": { "kind": "bill", "bill": { "id": format!("B-{}", rand_suffix()), "total": { "minor": bill_minor, "currency": "INR" } } }
    })
}

pub fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub const ASHA: &str = "cust-asha";
pub const KIOSK: &str = "demo-kiosk-1";

/// A self-service session on the demo kiosk.
pub async fn kiosk(server: &Server) -> Api {
    server.api(KIOSK).sign_in("", "").await
}

pub fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// A code of the same length that is certainly not `code`.
pub fn wrong(code: &str) -> String {
    code.chars()
        .map(|c| {
            if c == '9' {
                '0'
            } else {
                char::from(c as u8 + 1)
            }
        })
        .collect()
}

/// An audit entry's detail, parsed.
pub fn detail(entry: &Value) -> Value {
    serde_json::from_str(entry["detail"].as_str().unwrap()).unwrap()
}

/// The audit table as stored: (seq, action, detail, prev_hash, hash), oldest first.
pub fn audit_rows(db: &Path) -> Vec<(i64, String, String, String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT seq, action, detail, prev_hash, hash FROM audit ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}
pub const ASHA_POINTS: &str = "cust-asha-points-0";

/// A CORS preflight for `GET /v1/policy` from `origin`, asking for `request_headers`.
pub async fn cors_preflight(
    base: &str,
    origin: &str,
    request_headers: &str,
) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{base}/v1/policy"))
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", request_headers)
        .send()
        .await
}

/// S1: `code` is in no response body and no log line.
#[track_caller]
pub fn assert_code_absent(code: &str, bodies: &[String], logs: &str) {
    for body in bodies {
        assert!(
            !contains_code(body, code),
            "a response holds the code: {body}"
        );
    }
    for line in logs.lines() {
        assert!(
            !contains_code(line, code),
            "a log line holds the code: {line}"
        );
    }
}

/// Runs `redeemguard-server verify-audit` and returns (success, stdout).
pub fn verify_audit(db: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["verify-audit", "--db"])
        .arg(db)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Waits until `f` holds or the time is up.
pub async fn eventually<F: std::future::Future<Output = bool>>(
    secs: u64,
    mut f: impl FnMut() -> F,
) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Intent → code → verify: returns the approved redemption's id.
pub async fn approved(
    server: &Server,
    api: &Api,
    customer: &str,
    instrument: &str,
    quantity: u64,
) -> String {
    let r = api
        .create(customer, instrument, quantity, 10_000_000)
        .await
        .expect(201);
    let id = r["id"].as_str().unwrap().to_string();
    if r["status"] == "awaiting_otp" {
        api.send_otp(&id, "sms").await.expect(200);
        let code = server.code_for(&id).await;
        let v = api.verify(&id, &code).await.expect(200);
        assert_eq!(v["status"], "approved");
    }
    id
}

/// Every row of every table of the database, one string per row, for leak scans.
pub fn dump_all_tables(db: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut rows = Vec::new();
    for t in tables {
        let dump: Vec<String> = conn
            .prepare(&format!("SELECT * FROM \"{t}\""))
            .unwrap()
            .query_map([], |r| {
                use rusqlite::types::ValueRef;
                let n = r.as_ref().column_count();
                Ok((0..n)
                    .map(|i| match r.get_ref(i).unwrap() {
                        ValueRef::Text(t) | ValueRef::Blob(t) => {
                            String::from_utf8_lossy(t).to_string()
                        }
                        ValueRef::Integer(v) => v.to_string(),
                        ValueRef::Real(v) => v.to_string(),
                        ValueRef::Null => String::new(),
                    })
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.extend(dump.into_iter().map(|r| format!("{t}: {r}")));
    }
    rows
}
