//! Real OTP delivery (issue 6): the server binary sends through a fake HTTP gateway and an
//! SMTP sink on 127.0.0.1, configured as a merchant would configure theirs. Covers both
//! request styles, every placeholder, escaping, timeouts, 4xx and 5xx answers, what the
//! cashier is told, the send-limit accounting, the audit entries, confirmations, start-up
//! checks, and that no code is written to any log, audit row or table.

use crate::helpers::*;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub(super) const STORE: &str = "RedeemGuard Demo Salon & Store";

/// A demo server with `config` as its file and `env` for its secrets, logging everything
/// (trace level, every crate) so the leak scans see all there is.
pub(super) fn start(config: &str, env: &[(&str, &str)]) -> Server {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let path = dir.path().join("redeemguard.toml");
    std::fs::write(&path, config).unwrap();
    let db = dir.path().join("test.sqlite");
    let mut all_env = vec![("RUST_LOG", "trace")];
    all_env.extend_from_slice(env);
    Server::spawn(
        dir.clone(),
        db,
        &[
            "--demo",
            "--testing-clock",
            "--config",
            path.to_str().unwrap(),
        ],
        &all_env,
    )
}

pub(super) fn set_name(server: &Server, customer: &str, name: &str) {
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute(
        "UPDATE customers SET name = ?1 WHERE id = ?2",
        [name, customer],
    )
    .unwrap();
}

/// Asserts a `delivery_failed` problem with its reason class for the cashier.
#[track_caller]
pub(super) fn assert_not_sent(r: &Resp, channel: &str, reason: &str) {
    let p = r.expect_problem("delivery_failed");
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(
        p["delivery_failure"],
        json!({ "channel": channel, "reason": reason }),
        "{}",
        r.body
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .starts_with("The code was not sent: "),
        "{}",
        r.body
    );
}

/// S1 for delivery: no code that went to a gateway is in any log line, response, audit row
/// or table; nor is any gateway secret in the logs.
pub(super) fn assert_nothing_leaked(
    server: &Server,
    codes: &[String],
    secrets: &[&str],
    seen: &[&Api],
) {
    assert!(!codes.is_empty());
    let logs = server.logs();
    let rows = dump_all_tables(&server.db);
    let bodies: Vec<String> = seen
        .iter()
        .flat_map(|a| a.seen.lock().unwrap().clone())
        .collect();
    for code in codes {
        for line in logs.lines() {
            assert!(
                !contains_code(line, code),
                "a log line holds a code: {line}"
            );
        }
        for row in &rows {
            assert!(!contains_code(row, code), "a table holds a code: {row}");
        }
        for body in &bodies {
            assert!(
                !contains_code(body, code),
                "a response holds a code: {body}"
            );
        }
    }
    for secret in secrets {
        assert!(!logs.contains(secret), "a log line holds a secret");
    }
    assert!(
        logs.contains("TRACE") || logs.contains("DEBUG"),
        "the scan saw verbose logs"
    );
}

mod failures;
mod outreach;
mod reports;
mod requests;
mod templates;
