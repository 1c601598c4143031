//! Messages that real providers accept (issue 16): India's DLT (each kind under its
//! registered template id, header and entity id, its text fitting the registered template,
//! values cut to 30 characters, a manager's text that would be blocked refused), and
//! template APIs that take each value apart instead of the text.

use super::*;
use crate::fakes::{FakeGateway, Recorded};
use contract::Registered;
use serde_json::{json, Value};

/// A shipped example configuration, its provider's address pointed at the fake.
pub(super) fn example(file: &str, provider: &str, gateway: &FakeGateway) -> String {
    let path = format!("{}/examples/gateways/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .replace(provider, &gateway.base)
}

/// The shipped DLT example, pointed at the fake provider.
pub(super) fn dlt_example(gateway: &FakeGateway) -> String {
    // The fake answers 200 with no body: the provider's success marker is not looked for.
    example("dlt-sms.toml", "https://api.dlt-sms.example.in", gateway)
        .replace("success_body_contains = '\"status\":\"OK\"'", "")
}

/// The shipped WhatsApp Cloud example, pointed at the fake provider.
pub(super) fn whatsapp_example(gateway: &FakeGateway) -> String {
    example(
        "whatsapp-cloud-templates.toml",
        "https://graph.facebook.com",
        gateway,
    )
}

/// What the server says when it refuses to start with `config` (secrets from `env`).
fn start_up_refusal(config: &str, env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redeemguard.toml");
    std::fs::write(&path, config).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_redeemguard-server"))
        .args(["--demo", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("x.sqlite"))
        .arg("--config")
        .arg(&path)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(!out.status.success(), "the server started");
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The registered text of `kind` in the example.
fn registered(config: &str, kind: &str) -> Registered {
    let file: toml::Value = toml::from_str(config).unwrap();
    let text = file["gateways"]["sms"]["templates"][kind]["registered"]
        .as_str()
        .unwrap();
    Registered::parse(text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dlt_sms_goes_under_each_kinds_registered_template_and_a_text_that_would_be_blocked_is_refused(
) {
    let gateway = FakeGateway::start().await;
    let config = dlt_example(&gateway);
    let server = start(&config, &[("DLT_SMS_API_KEY", "dlt-key-Q7x")]);
    // A store's name longer than the 30 characters DLT allows in one value.
    let db = rusqlite::Connection::open(&server.db).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    db.execute("UPDATE stores SET name = ?1", [format!("{STORE}, MG Road")])
        .unwrap();
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;

    let id = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let seen = gateway.requests();
    assert_eq!(seen.len(), 1);
    let form = seen[0].form();
    let field = |f: &[(String, String)], n| Recorded::field(f, n);
    assert_eq!(seen[0].header("authorization"), Some("Bearer dlt-key-Q7x"));
    assert_eq!(
        (
            field(&form, "sender"),
            field(&form, "pe_id"),
            field(&form, "template_id"),
            field(&form, "type"),
            field(&form, "to"),
        ),
        (
            "RDMGRD".into(),
            "1101456780000012345".into(),
            "1107161234560000001".into(),
            "service_implicit".into(),
            "919876543210".into()
        )
    );
    let message = field(&form, "message");
    assert!(
        registered(&config, "otp").matches(&message),
        "the operator's scrubbing would block: {message}"
    );
    // The store's name is cut to 30 characters where it goes (the customer's would be too).
    assert!(
        message.contains(" at RedeemGuard Demo Salon & Store. Valid"),
        "{message}"
    );
    let code = code_in(&message).unwrap();
    api.verify(&id, &code).await.expect(200);
    api.commit(&id, "k-dlt").await.expect(200);

    // The confirmation goes under the redeemed template.
    let seen = gateway.wait_for(2).await;
    let form = seen[1].form();
    assert_eq!(field(&form, "template_id"), "1107161234560000003");
    let message = field(&form, "message");
    assert!(
        registered(&config, "redeemed").matches(&message),
        "{message}"
    );
    assert_eq!(
        message,
        "You redeemed 500 points (₹500.00) at RedeemGuard Demo Salon & Store. Balance: 700 points."
    );

    // A manager's code text that the operator would block is refused at the field, with why.
    let mut policy = manager.get("/v1/policy").await.expect(200);
    policy["templates"]["sms"] =
        json!("{otp} redeems {quantity} ({value}) at {store}. Valid {minutes} min.");
    let r = manager.put("/v1/policy", policy.clone()).await;
    let problem = r.expect_problem("policy_invalid");
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(problem["errors"][0]["field"], "templates.sms");
    let why = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        why.starts_with("The SMS provider accepts only the text registered for codes: the words differ from the registered template"),
        "{why}"
    );
    // The registered wording is accepted, and the WhatsApp and e-mail texts stay free.
    policy["templates"]["sms"] = json!("{otp} is your code to redeem {points} ({value}) at {store}. Valid {minutes} min. Do not share it with anyone, including store staff, unless you want to redeem.");
    policy["templates"]["email"] = json!("Code {otp}: {quantity} ({value}) at {store}.");
    manager.put("/v1/policy", policy).await.expect(200);
    let id = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let seen = gateway.wait_for(3).await;
    let message = field(&seen[2].form(), "message");
    assert!(registered(&config, "otp").matches(&message), "{message}");
    assert!(message.contains("to redeem 100 (₹100.00)"), "{message}");
    let second = code_in(&message).unwrap();
    assert_nothing_leaked(
        &server,
        &[code, second],
        &["dlt-key-Q7x"],
        &[&api, &manager],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_api_gets_each_value_apart_and_never_needs_the_text() {
    let gateway = FakeGateway::start().await;
    // A flow API (MSG91's shape): the provider renders its own registered text from the
    // values; only the kinds configured here are sent this way, the others as text.
    let server = start(
        &format!(
            r#"
[gateways.sms]
type = "http"
url = "{base}/api/v5/flow"
json = '{{ "to": "{{to_digits}}", "text": "{{message}}" }}'

[gateways.sms.templates.otp]
template_id = "flow-otp-1"
json = '{{ "template_id": "{{template_id}}", "recipients": [ {{ "mobiles": "{{to_digits}}", "code": "{{otp}}", "what": "{{quantity}}", "item": "{{instrument}}", "worth": "{{value}}", "store": "{{store}}", "mins": "{{minutes}}", "name": "{{customer}}" }} ] }}'

[gateways.sms.templates.redeemed]
template_id = "flow-redeemed-1"
json = '{{ "template_id": "{{template_id}}", "recipients": [ {{ "mobiles": "{{to_digits}}", "points": "{{points}}", "worth": "{{value}}", "balance": "{{balance}}", "kind": "{{kind}}", "locale": "{{locale}}" }} ] }}'
"#,
            base = gateway.base
        ),
        &[],
    );
    set_name(&server, ASHA, "Asha \"A&B\" Rao");
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let seen = gateway.requests();
    let v: Value = serde_json::from_str(&seen[0].body).unwrap();
    let r = &v["recipients"][0];
    assert_eq!(v["template_id"], "flow-otp-1");
    assert_eq!(
        v.get("text"),
        None,
        "no text where the provider renders its own"
    );
    let code = r["code"].as_str().unwrap().to_string();
    assert!(code.len() >= 6 && code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        (
            &r["mobiles"],
            &r["what"],
            &r["item"],
            &r["worth"],
            &r["store"],
            &r["mins"],
            &r["name"]
        ),
        (
            &json!("919876543210"),
            &json!("500 points"),
            &json!("Loyalty points"),
            &json!("₹500.00"),
            &json!(STORE),
            &json!("5"),
            &json!("Asha \"A&B\" Rao")
        )
    );
    api.verify(&id, &code).await.expect(200);
    api.commit(&id, "k-flow").await.expect(200);
    let seen = gateway.wait_for(2).await;
    let v: Value = serde_json::from_str(&seen[1].body).unwrap();
    assert_eq!(
        v,
        json!({ "template_id": "flow-redeemed-1", "recipients": [ { "mobiles": "919876543210", "points": "500", "worth": "₹500.00", "balance": "700", "kind": "redeemed", "locale": "en-IN" } ] })
    );
    // A kind without its own request goes as text through the gateway's.
    let accrual = json!({ "customer_id": ASHA, "bill": { "id": "S-1", "total": { "minor": 5_000_000, "currency": "INR" } } });
    api.post("/v1/accruals", accrual).await.expect(201);
    let seen = gateway.wait_for(3).await;
    let v: Value = serde_json::from_str(&seen[2].body).unwrap();
    assert_eq!(
        v["text"],
        format!("You earned 500 points at {STORE}. Balance: 1,200 points.")
    );
    assert_nothing_leaked(&server, &[code], &[], &[&api]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_names_a_registered_template_that_the_texts_do_not_fit() {
    let gateway = FakeGateway::start().await;
    // The file's Hindi text for redeemed does not match what was registered for hi-IN.
    let config = dlt_example(&gateway).replace(
        "आपने {store} पर {points} पॉइंट ({value}) रिडीम किए।",
        "आपने {store} में {points} पॉइंट ({value}) रिडीम किए।",
    );
    let said = start_up_refusal(&config, &[("DLT_SMS_API_KEY", "k")]);
    assert!(
        said.contains("[gateways.sms.templates.redeemed] registered: the hi-IN redeemed text does not fit: the words differ from the registered template"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_twilio_messages_example_sends_what_twilio_takes() {
    let gateway = FakeGateway::start().await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/gateways/form-basic-auth.toml"
    );
    let config = std::fs::read_to_string(path)
        .unwrap()
        .replace("https://api.twilio.com", &gateway.base);
    let server = start(
        &config,
        &[
            ("SMS_ACCOUNT_SID", "AC0123"),
            ("SMS_AUTH_TOKEN", "twilio-secret-9"),
            ("SMS_REPORT_TOKEN", "reportTokenFromTwilio42"),
            ("SMTP_USERNAME", "u"),
            ("SMTP_PASSWORD", "p"),
        ],
    );
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let r = &gateway.requests()[0];
    assert_eq!(r.target, "/2010-04-01/Accounts/AC0123/Messages.json");
    let form = r.form();
    assert_eq!(Recorded::field(&form, "To"), "+919876543210");
    assert_eq!(Recorded::field(&form, "From"), "+15005550006");
    assert_eq!(
        Recorded::field(&form, "StatusCallback"),
        "https://loyalty.example.com/v1/delivery-reports/sms?token=reportTokenFromTwilio42"
    );
    let body = Recorded::field(&form, "Body");
    let code = code_in(&body).unwrap();
    assert!(body.contains("to redeem 500 points (₹500.00)"), "{body}");
    api.verify(&id, &code).await.expect(200);
    assert_nothing_leaked(
        &server,
        &[code],
        &["twilio-secret-9", "reportTokenFromTwilio42"],
        &[&api],
    );
}

pub(super) fn template_params(v: &Value) -> Vec<String> {
    v["template"]["components"][0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_a_whatsapp_authentication_code_goes_only_after_a_message_stating_the_amount() {
    let gateway = FakeGateway::start().await;
    let server = start(
        &whatsapp_example(&gateway),
        &[
            ("WA_PHONE_NUMBER_ID", "1098"),
            ("WA_ACCESS_TOKEN", "wa-secret-55"),
            ("WA_APP_SECRET", "wa-app-secret-for-reports"),
        ],
    );
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    let sent = api.send_otp(&id, "whatsapp").await.expect(200);
    // The cashier's screen is told the amount went apart.
    assert_eq!(sent["amount_first"], true, "{sent}");
    let seen = gateway.requests();
    assert_eq!(seen.len(), 2);
    let notice: Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(notice["template"]["name"], "redeemguard_amount");
    assert_eq!(
        template_params(&notice),
        vec![STORE.to_string(), "500 points".into(), "₹500.00".into()]
    );
    let code_request: Value = serde_json::from_str(&seen[1].body).unwrap();
    assert_eq!(code_request["template"]["name"], "redeemguard_code");
    assert_eq!(code_request["to"], "919876543210");
    let code = template_params(&code_request)[0].clone();
    // The code in the body and in the copy-code button, and nowhere in the notice.
    assert_eq!(
        code_request["template"]["components"][1]["parameters"][0]["text"],
        code.as_str()
    );
    assert!(!seen[0].body.contains(&code));
    api.verify(&id, &code).await.expect(200);
    api.commit(&id, "k-wa").await.expect(200);
    let seen = gateway.wait_for(3).await;
    let redeemed: Value = serde_json::from_str(&seen[2].body).unwrap();
    assert_eq!(redeemed["template"]["name"], "redeemguard_redeemed");
    assert_eq!(
        template_params(&redeemed),
        vec![
            "Asha Rao".to_string(),
            "500".into(),
            "₹500.00".into(),
            STORE.into(),
            "700".into()
        ]
    );

    // The notice is refused: the code is not sent, the cashier hears why, and may try again
    // at once (nothing reached the phone, so nothing counts).
    gateway.script(&[crate::fakes::Answer::Status(400)]);
    let other = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    let r = api.send_otp(&other, "whatsapp").await;
    assert_not_sent(&r, "whatsapp", "rejected");
    assert!(
        r.body
            .contains("the message with the amount did not go, so the code was not sent"),
        "{}",
        r.body
    );
    assert_eq!(
        gateway.requests().len(),
        4,
        "no code request after the refused notice"
    );
    let again = api.send_otp(&other, "whatsapp").await.expect(200);
    assert_eq!(again["amount_first"], true);
    let seen = gateway.wait_for(6).await;
    let second = template_params(&serde_json::from_str(&seen[5].body).unwrap())[0].clone();
    assert_nothing_leaked(&server, &[code, second], &["wa-secret-55"], &[&api]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_start_up_refuses_a_code_request_that_states_neither_amount_nor_store() {
    let gateway = FakeGateway::start().await;
    let env = [
        ("WA_PHONE_NUMBER_ID", "1"),
        ("WA_ACCESS_TOKEN", "t"),
        ("WA_APP_SECRET", "wa-app-secret-for-reports"),
    ];
    let refused = |config: String| start_up_refusal(&config, &env);
    // An authentication template for codes without the notice that states the amount.
    let example = whatsapp_example(&gateway);
    let start = example
        .find("[gateways.whatsapp.templates.notice]")
        .unwrap();
    let end = example.find("# A kiosk customer's code").unwrap();
    let without_notice = format!("{}{}", &example[..start], &example[end..]).replace(
        "\"body\": \"{message}\"",
        "\"body\": \"{message}\", \"template\": \"{template_id}\"",
    );
    let said = refused(without_notice);
    assert!(
        said.contains("[gateways.whatsapp.templates.notice]: the request uses {template_id}, so notice messages need a template_id"),
        "{said}"
    );
    // A code template that carries the code alone, without the notice.
    let said = refused(example.replace(
        "category = \"authentication\"\njson",
        "category = \"utility\"\njson",
    ));
    assert!(
        said.contains("[gateways.whatsapp.templates.otp]: the request must name the store and the amount (S3)"),
        "{said}"
    );
}
