//! Test harness: the server process (`server`), an API client (`client`), and the helpers
//! every area's tests share.

mod client;
mod server;

pub use client::{Api, Resp, Seen};
pub use server::*;

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

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

/// Runs `redeemguard-server verify-audit` (the demo's key and checkpoints beside the
/// database) and returns (success, stdout).
pub fn verify_audit(db: &Path) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["verify-audit", "--db"])
        .arg(db)
        .env_remove("REDEEMGUARD_AUDIT_KEY")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Runs the server with `args` and expects it to refuse to start: returns what it said.
pub fn refused_to_start(args: &[&str]) -> String {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("REDEEMGUARD_OTP_SECRET")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let end = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > end {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "the server started with {args:?}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("listening on"), "{said}");
    said
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
