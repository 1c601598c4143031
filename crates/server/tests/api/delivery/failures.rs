//! When delivery fails or follows: reasons and what the cashier is told, the send-limit
//! accounting, confirmations, start-up checks, and kiosk codes not sent.

use super::*;
use crate::fakes::{closed_port, Answer, FakeGateway, Recorded};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_not_sent_with_a_reason_and_only_possible_deliveries_count() {
    let gateway = FakeGateway::start().await;
    let closed = closed_port().await;
    // A query-style gateway: the message (and so the code) travels in the URL.
    let server = start(
        &format!(
            r#"
[gateways.sms]
type = "http"
method = "GET"
url = "{base}/send?to={{to_digits}}&text={{message}}&key={{env:SMS_KEY}}"
timeout_ms = 800
attempts = 2

[gateways.whatsapp]
type = "http"
url = "http://127.0.0.1:{closed}/send"
form = {{ m = "{{message}}" }}
timeout_ms = 800
"#,
            base = gateway.base
        ),
        &[("SMS_KEY", "key-Hh2-secret")],
    );
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    manager
        .set_policy(json!({ "max_sends_per_customer": 2 }))
        .await;
    let intent = || async { api.create_id(ASHA, ASHA_POINTS, 50, 100_000).await };
    let mut codes = Vec::new();
    let text_of = |r: &Recorded| Recorded::field(&r.query(), "text");

    // 5xx on both attempts: retried once, then "not sent"; the code that reached the gateway
    // is void, and the send does not count.
    gateway.script(&[Answer::Status(503), Answer::Status(503)]);
    let a = intent().await;
    let started = Instant::now();
    assert_not_sent(&api.send_otp(&a, "sms").await, "sms", "gateway_error");
    assert!(started.elapsed() < Duration::from_secs(5));
    let seen = gateway.requests();
    assert_eq!(seen.len(), 2, "one retry after a 5xx");
    assert_eq!(Recorded::field(&seen[0].query(), "key"), "key-Hh2-secret");
    assert_eq!(Recorded::field(&seen[0].query(), "to"), "919876543210");
    let void_code = code_in(&text_of(&seen[0])).unwrap();
    api.verify(&a, &void_code)
        .await
        .expect_problem("otp_not_sent");
    codes.push(void_code);

    // 4xx: refused, never retried, does not count.
    gateway.script(&[Answer::Status(401)]);
    let b = intent().await;
    assert_not_sent(&api.send_otp(&b, "sms").await, "sms", "rejected");
    assert_eq!(gateway.requests().len(), 3, "no retry after a 4xx");

    // Nothing listening: unreachable, retried, does not count.
    let c = intent().await;
    assert_not_sent(
        &api.send_otp(&c, "whatsapp").await,
        "whatsapp",
        "unreachable",
    );

    // The customer's limit (2) is untouched by the three failures: this one goes out...
    let d = intent().await;
    api.send_otp(&d, "sms").await.expect(200);
    let seen = gateway.requests();
    assert_eq!(seen.len(), 4);
    let good = code_in(&text_of(&seen[3])).unwrap();
    codes.push(good.clone());

    // ...and a timeout counts: the gateway may have taken it and may still deliver it.
    gateway.script(&[Answer::Silence]);
    let e = intent().await;
    let started = Instant::now();
    assert_not_sent(&api.send_otp(&e, "sms").await, "sms", "timeout");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(800) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(gateway.requests().len(), 5, "no retry after a timeout");
    codes.push(code_in(&text_of(&gateway.requests()[4])).unwrap());
    let f = intent().await;
    api.send_otp(&f, "sms").await.expect_problem("rate_limited");
    assert_eq!(gateway.requests().len(), 5);

    // The one delivered code still works; each failure is in the audit log with its class.
    api.verify(&d, &good).await.expect(200);
    let failed = manager.audit_details("otp_delivery_failed").await;
    let summary: Vec<Value> = failed
        .iter()
        .map(|d| {
            json!([
                d["channel"],
                d["reason"],
                d["status"],
                d["attempts"],
                d["counted"]
            ])
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            json!(["sms", "gateway_error", 503, 2, false]),
            json!(["sms", "rejected", 401, 1, false]),
            json!(["whatsapp", "unreachable", null, 2, false]),
            json!(["sms", "timeout", null, 1, true]),
        ]
    );
    let sent = manager.audit_details("otp_sent").await;
    assert_eq!(sent.len(), 5, "every hand-over is audited too");
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "{out}");
    assert_nothing_leaked(&server, &codes, &["key-Hh2-secret"], &[&api, &manager]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmations_follow_a_commit_and_an_accrual_once_and_a_failed_one_is_audited() {
    let gateway = FakeGateway::start().await;
    let server = start(
        &format!(
            r#"
[gateways.sms]
type = "http"
url = "{base}/sms"
form = {{ to = "{{to}}", text = "{{message}}" }}
attempts = 2
"#,
            base = gateway.base
        ),
        &[],
    );
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let text = |r: &Recorded| Recorded::field(&r.form(), "text");

    let id = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let code = code_in(&text(&gateway.requests()[0])).unwrap();
    api.verify(&id, &code).await.expect(200);
    api.commit(&id, "k-1").await.expect(200);
    let seen = gateway.wait_for(2).await;
    assert_eq!(
        text(&seen[1]),
        format!("You redeemed 500 points (₹500.00) at {STORE}. Balance: 700 points.")
    );
    assert_eq!(Recorded::field(&seen[1].form(), "to"), "+919876543210");
    // A replayed commit debits nothing and confirms nothing.
    api.commit(&id, "k-1").await.expect(200);

    let accrual = json!({ "customer_id": ASHA, "bill": { "id": "S-1", "total": { "minor": 5_000_000, "currency": "INR" } } });
    api.post("/v1/accruals", accrual.clone()).await.expect(201);
    let seen = gateway.wait_for(3).await;
    assert_eq!(
        text(&seen[2]),
        format!("You earned 500 points at {STORE}. Balance: 1,200 points.")
    );
    api.post("/v1/accruals", accrual).await.expect(201);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(gateway.requests().len(), 3, "replays send nothing");

    // The gateway fails: the sale stands, and the failure is audited.
    gateway.script(&[Answer::Status(500), Answer::Status(500)]);
    let r = api
        .post("/v1/accruals", json!({ "customer_id": ASHA, "bill": { "id": "S-2", "total": { "minor": 10_000, "currency": "INR" } } }))
        .await
        .expect(201);
    assert_eq!(r["balance_after"], 1_201);
    let mut failed = Vec::new();
    assert!(
        eventually(10, || {
            let m = manager.clone();
            async move { !m.audit_details("confirmation_failed").await.is_empty() }
        })
        .await
    );
    failed.extend(manager.audit_details("confirmation_failed").await);
    assert_eq!(failed[0]["kind"], "accrued");
    assert_eq!(failed[0]["reason"], "gateway_error");
    assert_eq!(failed[0]["customer_id"], ASHA);
    assert_eq!(failed[0]["attempts"], 2);
    assert_nothing_leaked(&server, &[code], &[], &[&api, &manager]);
}

/// Runs the binary with `config` and returns its stderr, asserting it refused to start.
fn refused(config: &str, env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, config).unwrap();
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(["--demo", "--listen", "127.0.0.1:0", "--config"])
        .arg(&path)
        .args(["--db"])
        .arg(dir.path().join("x.sqlite"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success());
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            return err;
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("the server started with a bad configuration:\n{config}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_bad_template_or_gateway_stops_the_server_with_a_clear_error() {
    let err = refused(
        "[messages.hi.sms]\notp = \"{code} for {points} points at {store}\"\n",
        &[],
    );
    assert!(
        err.contains("[messages.\"hi\".sms] otp: Unknown placeholder {code}; use {otp} {quantity} {points} {value} {store} {minutes} {customer}"),
        "{err}"
    );
    let err = refused(
        "[messages.en.whatsapp]\notp = \"{points} points at {store}\"\n",
        &[],
    );
    assert!(
        err.contains("[messages.\"en\".whatsapp] otp: The message template must contain {otp}"),
        "{err}"
    );
    let err = refused(
        "[messages.en.sms]\nredeemed = \"Code {otp}: {points} at {store}\"\n",
        &[],
    );
    assert!(err.contains("remove {otp}"), "{err}");
    let gateway = "[gateways.sms]\ntype = \"http\"\nurl = \"https://sms.example.com/send\"\n";
    let err = refused(
        &format!("{gateway}auth = {{ type = \"bearer\", token_env = \"RG_TEST_UNSET_TOKEN\" }}\nform = {{ text = \"{{message}}\" }}\n"),
        &[],
    );
    assert!(err.contains("[gateways.sms] auth.token_env: the environment variable RG_TEST_UNSET_TOKEN is not set"), "{err}");
    let err = refused(&format!("{gateway}form = {{ text = \"{{msg}}\" }}\n"), &[]);
    assert!(
        err.contains("[gateways.sms] form.text: unknown placeholder {msg}"),
        "{err}"
    );
    let err = refused(
        &format!("request_timeout_secs = 5\n{gateway}timeout_ms = 3000\nform = {{ text = \"{{message}}\" }}\n"),
        &[],
    );
    assert!(err.contains("more than the 3.0 s a send may take"), "{err}");
    let err = refused(
        "[gateways.sms]\ntype = \"smtp\"\nhost = \"localhost\"\ntls = \"none\"\nfrom = \"a@example.com\"\n",
        &[],
    );
    assert!(
        err.contains("the sms channel needs type = \"http\""),
        "{err}"
    );
    let err = refused(
        "[gateways.sms]\ntype = \"http\"\nurl = \"https://x.example/\"\npassword = \"p\"\n",
        &[],
    );
    assert!(err.contains("unknown field `password`"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_code_not_sent_is_reported_voided_and_uncounted_the_same_way() {
    let gateway = FakeGateway::start().await;
    let server = start(
        &format!(
            r#"
[gateways.sms]
type = "http"
url = "{base}/sms"
form = {{ to = "{{to}}", text = "{{message}}" }}
"#,
            base = gateway.base
        ),
        &[],
    );
    let kiosk = server.api("demo-kiosk-1").sign_in("", "").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    manager
        .set_policy(json!({ "max_sends_per_customer": 1 }))
        .await;
    let identify = || {
        kiosk.post(
            "/v1/kiosk/identify",
            json!({ "query": "9876543210", "channel": "sms" }),
        )
    };
    gateway.script(&[Answer::Status(502), Answer::Status(502)]);
    assert_not_sent(&identify().await, "sms", "gateway_error");
    let text = |r: &Recorded| Recorded::field(&r.form(), "text");
    let void_code = code_in(&text(&gateway.requests()[0])).unwrap();
    // Nothing counted, and the cooldown does not apply to a code that never arrived.
    identify().await.expect(200);
    let code = code_in(&text(&gateway.requests()[2])).unwrap();
    assert_ne!(code, void_code);
    kiosk
        .post("/v1/kiosk/verify", json!({ "code": code }))
        .await
        .expect(200);
    let failed = manager
        .audit_details("kiosk_identify_delivery_failed")
        .await;
    assert_eq!(failed.len(), 1);
    assert_eq!(
        json!([
            failed[0]["reason"],
            failed[0]["status"],
            failed[0]["attempts"],
            failed[0]["counted"]
        ]),
        json!(["gateway_error", 502, 2, false])
    );
    assert!(failed[0]["identification_id"]
        .as_str()
        .unwrap()
        .starts_with("kid"));
    assert_nothing_leaked(&server, &[void_code, code], &[], &[&kiosk, &manager]);
}
