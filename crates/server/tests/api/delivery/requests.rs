//! What reaches the gateways: both HTTP request styles with every placeholder and its
//! escaping, and e-mail over SMTP.

use super::*;
use crate::fakes::{base64_decode, mail_parts, FakeGateway, Recorded, SmtpFault, SmtpSink};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_post_with_basic_auth_fills_every_placeholder_and_escapes_the_name() {
    let gateway = FakeGateway::start().await;
    let server = start(
        &format!(
            r#"
[gateways.sms]
type = "http"
url = "{base}/2010-04-01/Accounts/{{env:SMS_ACCOUNT}}/Messages.json"
auth = {{ type = "basic", username_env = "SMS_ACCOUNT", password_env = "SMS_TOKEN" }}
headers = {{ Accept = "application/json" }}
form = {{ To = "{{to}}", From = "RDMGRD", Body = "{{message}}", Channel = "{{channel}}", Subject = "{{subject}}" }}

[messages.en.sms]
otp = "{{customer}}: {{otp}} redeems {{points}} points ({{value}}) at {{store}}. Valid {{minutes}} min."
"#,
            base = gateway.base
        ),
        &[
            ("SMS_ACCOUNT", "AC-test/01"),
            ("SMS_TOKEN", "tok-Zq81-secret"),
        ],
    );
    set_name(&server, ASHA, "Asha \"A&B\" <Rao>\n\n*VIP*");
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 1_000, 1_000_000).await;
    let sent = api.send_otp(&id, "sms").await.expect(200);
    assert_eq!(sent["destination"], "+91 ••••••3210");

    let requests = gateway.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    // The secret in the path is percent-encoded like any value.
    assert_eq!(r.target, "/2010-04-01/Accounts/AC-test%2F01/Messages.json");
    let auth = r.header("authorization").unwrap();
    let decoded = base64_decode(auth.strip_prefix("Basic ").unwrap());
    assert_eq!(decoded, b"AC-test/01:tok-Zq81-secret");
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form = r.form();
    let field = |n| Recorded::field(&form, n);
    assert_eq!(field("To"), "+919876543210");
    assert_eq!(field("From"), "RDMGRD");
    assert_eq!(field("Channel"), "sms");
    assert_eq!(field("Subject"), format!("Your code for {STORE}"));
    let body = field("Body");
    let code = code_in(&body).unwrap();
    // Every SPEC §3 placeholder, and the name on one line whatever it held.
    assert_eq!(
        body,
        format!("Asha \"A&B\" <Rao> *VIP*: {code} redeems 1,000 points (₹1,000.00) at {STORE}. Valid 5 min.")
    );
    // The code the gateway carried is the intent's code.
    api.verify(&id, &code).await.expect(200);

    // Demo mode: a channel without a gateway still goes to the demo phone.
    let other = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    api.send_otp(&other, "email").await.expect(200);
    let phone = server.outbox(ASHA).await;
    assert_eq!(phone.len(), 1, "{phone:?}");
    assert_eq!(
        (phone[0]["channel"].as_str(), phone[0]["kind"].as_str()),
        (Some("email"), Some("otp"))
    );
    assert_eq!(gateway.requests().len(), 1);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let phone_code = server.code_for(&other).await;
    assert_nothing_leaked(
        &server,
        &[code, phone_code],
        &["tok-Zq81-secret"],
        &[&api, &manager],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_post_with_bearer_token_escapes_for_json_and_for_whatsapp() {
    let gateway = FakeGateway::start().await;
    let server = start(
        &format!(
            r#"
[gateways.whatsapp]
type = "http"
url = "{base}/v19.0/{{env:WA_PHONE_ID}}/messages"
auth = {{ type = "bearer", token_env = "WA_TOKEN" }}
json = '''
{{ "messaging_product": "whatsapp", "to": "{{to_digits}}", "type": "text",
   "text": {{ "preview_url": false, "body": "{{message}}" }} }}
'''
"#,
            base = gateway.base
        ),
        &[("WA_PHONE_ID", "1098"), ("WA_TOKEN", "wa-Tk-7731")],
    );
    set_name(&server, ASHA, "Asha \"A&B\" <Rao>\n*VIP* _x_ ~y~ `z`\\");
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    api.send_otp(&id, "whatsapp").await.expect(200);

    let requests = gateway.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(
        (r.method.as_str(), r.target.as_str()),
        ("POST", "/v19.0/1098/messages")
    );
    assert_eq!(r.header("authorization"), Some("Bearer wa-Tk-7731"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v: Value = serde_json::from_str(&r.body).expect("the body is JSON");
    assert_eq!(v["to"], "919876543210");
    assert_eq!(
        v["text"]["preview_url"], false,
        "non-string values are kept"
    );
    let text = v["text"]["body"].as_str().unwrap();
    let code = code_in(text).unwrap();
    // Quotes and backslashes survive JSON; WhatsApp's formatting marks are gone from the name.
    assert_eq!(
        text,
        format!("Hi Asha \"A&B\" <Rao> VIP x y z\\, {code} is your code to redeem 500 points (₹500.00) at {STORE}. It is valid for 5 minutes. Share it only if you asked to redeem.")
    );
    api.verify(&id, &code).await.expect(200);
    assert_nothing_leaked(&server, &[code], &["wa-Tk-7731"], &[&api]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_over_smtp_sends_text_and_escaped_html_and_reports_refusals() {
    let sink = SmtpSink::start().await;
    let server = start(
        &format!(
            r#"
[gateways.email]
type = "smtp"
host = "127.0.0.1"
port = {port}
tls = "none"
from = "Loyalty <loyalty@example.com>"
timeout_ms = 3000
attempts = 2
"#,
            port = sink.port
        ),
        &[],
    );
    set_name(&server, ASHA, "<b>Asha</b> & \"Co\"");
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;

    let a = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    api.send_otp(&a, "email").await.expect(200);
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.from, "<loyalty@example.com>");
    assert_eq!(mail.to, vec!["<asha@example.com>".to_string()]);
    assert!(
        mail.data
            .contains(&format!("Subject: Your code for {STORE}")),
        "{}",
        mail.data
    );
    let parts = mail_parts(&mail.data);
    let part = |kind: &str| {
        parts
            .iter()
            .find(|(ct, _)| ct.starts_with(kind))
            .unwrap_or_else(|| panic!("{kind} in {parts:?}"))
            .1
            .clone()
    };
    let (text, html) = (part("text/plain"), part("text/html"));
    let code = code_in(&text).unwrap();
    assert!(
        text.starts_with(
            "Dear <b>Asha</b> & \"Co\",\r\n\r\nYour code to redeem 500 points (₹500.00)"
        ),
        "{text}"
    );
    assert!(
        html.contains("Dear &lt;b&gt;Asha&lt;/b&gt; &amp; &quot;Co&quot;,<br>"),
        "{html}"
    );
    assert!(!html.contains("<b>Asha"), "{html}");
    assert!(html.contains(&code));
    api.verify(&a, &code).await.expect(200);

    // A refused recipient (550) is "rejected" at once; a temporary failure (451) is retried.
    sink.fault(SmtpFault::Rcpt(550));
    let b = api.create_id(ASHA, ASHA_POINTS, 50, 100_000).await;
    assert_not_sent(&api.send_otp(&b, "email").await, "email", "rejected");
    sink.fault(SmtpFault::Data(451));
    sink.fault(SmtpFault::Data(451));
    let c = api.create_id(ASHA, ASHA_POINTS, 50, 100_000).await;
    assert_not_sent(&api.send_otp(&c, "email").await, "email", "gateway_error");
    // After the faults the sink takes mail again.
    api.send_otp(&c, "email").await.expect(200);
    assert_eq!(sink.mails().len(), 2);
    let failed = manager.audit_details("otp_delivery_failed").await;
    let summary: Vec<Value> = failed
        .iter()
        .map(|d| json!([d["reason"], d["status"], d["attempts"], d["counted"]]))
        .collect();
    assert_eq!(
        summary,
        vec![
            json!(["rejected", 550, 1, false]),
            json!(["gateway_error", 451, 2, false]),
        ]
    );
    let codes: Vec<String> = sink
        .mails()
        .iter()
        .filter_map(|m| code_in(&mail_parts(&m.data)[0].1))
        .collect();
    assert_eq!(codes.len(), 2);
    assert_nothing_leaked(&server, &codes, &[], &[&api, &manager]);
}
