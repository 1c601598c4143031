//! Delivery reports (issue 16): "sent" is only the provider's API taking the message; its
//! report says later whether the phone got it. The shipped WhatsApp Cloud and Twilio
//! examples take reports at `/v1/delivery-reports/{channel}`, proven by an HMAC of the body
//! or a token; a code's report reaches the redemption the till reads.

use super::templates::{example, template_params, whatsapp_example};
use super::*;
use crate::fakes::{FakeGateway, Recorded};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

const WA_SECRET: &str = "wa-app-secret-for-reports";
const WA_ENV: [(&str, &str); 3] = [
    ("WA_PHONE_NUMBER_ID", "1098"),
    ("WA_ACCESS_TOKEN", "wa-secret-55"),
    ("WA_APP_SECRET", WA_SECRET),
];

pub(super) const TWILIO_TOKEN: &str = "reportTokenFromTwilio42";

/// The shipped Twilio example (reports and replies by token), pointed at the fake provider.
pub(super) fn twilio(gateway: &FakeGateway) -> Server {
    let config = example("form-basic-auth.toml", "https://api.twilio.com", gateway);
    start(
        &config,
        &[
            ("SMS_ACCOUNT_SID", "AC0123"),
            ("SMS_AUTH_TOKEN", "twilio-secret-9"),
            ("SMS_REPORT_TOKEN", TWILIO_TOKEN),
            ("SMTP_USERNAME", "u"),
            ("SMTP_PASSWORD", "p"),
        ],
    )
}

/// Meta's webhook body for one message's status.
fn meta_status(id: &str, status: &str, error: Option<&str>) -> String {
    let mut s = json!({ "id": id, "status": status, "recipient_id": "919876543210" });
    if let Some(title) = error {
        s["errors"] = json!([{ "code": 131026, "title": title }]);
    }
    json!({ "object": "whatsapp_business_account",
        "entry": [{ "changes": [{ "field": "messages", "value": { "statuses": [s] } }] }] })
    .to_string()
}

fn signed(secret: &str, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts a provider's callback (no terminal, no session: the provider's own proof only).
pub(super) async fn callback(
    server: &Server,
    path: &str,
    content_type: &str,
    signature: Option<&str>,
    body: &str,
) -> Resp {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", server.base))
        .header("content-type", content_type)
        .body(body.to_string());
    if let Some(sig) = signature {
        req = req.header("x-hub-signature-256", sig);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    Resp {
        status,
        body: r.text().await.unwrap(),
        content_type,
        headers,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whatsapp_code_reported_delivered_shows_on_the_redemption_and_only_the_provider_can_say_so(
) {
    let gateway = FakeGateway::start().await;
    let server = start(&whatsapp_example(&gateway), &WA_ENV);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    let sent = api.send_otp(&id, "whatsapp").await.expect(200);
    assert_eq!(sent["delivery"]["status"], "sent", "{sent}");
    // The notice went first (msg-1); the code is the second message Meta took.
    let seen = gateway.requests();
    let code = template_params(&serde_json::from_str(&seen[1].body).unwrap())[0].clone();
    let path = "/v1/delivery-reports/whatsapp";
    let delivered = meta_status("msg-2", "delivered", None);

    // Not Meta: no signature, a signature of another body, another secret.
    for sig in [
        None,
        Some(signed(WA_SECRET, &meta_status("msg-2", "failed", None))),
        Some(signed("another-secret-entirely", &delivered)),
    ] {
        let r = callback(
            &server,
            path,
            "application/json",
            sig.as_deref(),
            &delivered,
        )
        .await;
        r.expect_problem("unauthenticated");
        assert_eq!(r.status, 401, "{}", r.body);
    }
    let on_till = api.get(&format!("/v1/redemptions/{id}")).await.expect(200);
    assert_eq!(on_till["otp"]["delivery"]["status"], "sent");
    // Meta checks the URL first, with the secret as its verify token.
    let check = |token: &str| {
        format!(
            "{}{path}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444",
            server.base
        )
    };
    let r = reqwest::get(check(WA_SECRET)).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "1158201444");
    let r = reqwest::get(check("wa-app-secret-for-reportz"))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let sig = signed(WA_SECRET, &delivered);
    let r = callback(&server, path, "application/json", Some(&sig), &delivered).await;
    assert_eq!(
        r.expect(200),
        json!({ "reports": 1, "changed": 1, "disowning": 0 })
    );
    let on_till = api.get(&format!("/v1/redemptions/{id}")).await.expect(200);
    assert_eq!(
        on_till["otp"]["delivery"]["status"], "delivered",
        "{on_till}"
    );

    // Reports come out of order: a late "failed" does not undo "delivered", and the code
    // still works.
    let late = meta_status("msg-2", "failed", Some("Message undeliverable"));
    let r = callback(
        &server,
        path,
        "application/json",
        Some(&signed(WA_SECRET, &late)),
        &late,
    )
    .await;
    assert_eq!(
        r.expect(200),
        json!({ "reports": 1, "changed": 0, "disowning": 0 })
    );
    // Statuses that are neither (sent, read receipts of other messages) change nothing.
    let other = meta_status("msg-2", "sent", None);
    let r = callback(
        &server,
        path,
        "application/json",
        Some(&signed(WA_SECRET, &other)),
        &other,
    )
    .await;
    assert_eq!(
        r.expect(200),
        json!({ "reports": 0, "changed": 0, "disowning": 0 })
    );
    // The notice (msg-1) is not the code's message: its report leaves the code alone.
    let notice = meta_status("msg-1", "failed", Some("Spam"));
    let r = callback(
        &server,
        path,
        "application/json",
        Some(&signed(WA_SECRET, &notice)),
        &notice,
    )
    .await;
    assert_eq!(r.expect(200)["changed"], 1);
    let on_till = api.get(&format!("/v1/redemptions/{id}")).await.expect(200);
    assert_eq!(on_till["otp"]["delivery"]["status"], "delivered");
    api.verify(&id, &code).await.expect(200);

    // A channel without reports, and a body that is not what Meta sends.
    let r = callback(
        &server,
        "/v1/delivery-reports/sms",
        "application/json",
        Some(&sig),
        &delivered,
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = callback(
        &server,
        "/v1/delivery-reports/fax",
        "application/json",
        Some(&sig),
        &delivered,
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let junk = "{\"entry\": [{\"changes\": [{\"value\": {\"statuses\": [{\"id\": \"msg-2\"}]}}]}]}";
    let r = callback(
        &server,
        path,
        "application/json",
        Some(&signed(WA_SECRET, junk)),
        junk,
    )
    .await;
    // A report without a status is left out, not the batch (the provider would resend it).
    assert_eq!(
        r.expect(200),
        json!({ "reports": 0, "changed": 0, "disowning": 0 })
    );
    let not_json = "statuses=delivered";
    let r = callback(
        &server,
        path,
        "application/json",
        Some(&signed(WA_SECRET, not_json)),
        not_json,
    )
    .await;
    r.expect_problem("invalid_request");

    let metrics = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "redeemguard_delivery_reports_total{channel=\"whatsapp\",status=\"delivered\"} 1",
        "redeemguard_delivery_reports_total{channel=\"whatsapp\",status=\"failed\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    assert_nothing_leaked(&server, &[code], &[WA_SECRET, "wa-secret-55"], &[&api]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_failed_at_the_operator_is_void_audited_and_may_go_again_at_once() {
    let gateway = FakeGateway::start().await;
    let token = TWILIO_TOKEN;
    let server = twilio(&gateway);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    let sent = api.send_otp(&id, "sms").await.expect(200);
    assert_eq!(sent["delivery"]["status"], "sent");
    let code = code_in(&Recorded::field(&gateway.requests()[0].form(), "Body")).unwrap();
    let path = "/v1/delivery-reports/sms";
    let form = "AccountSid=AC0123&MessageSid=msg-1&MessageStatus=undelivered&ErrorCode=30003";
    // Twilio proves itself by the token in the callback URL it was given.
    let r = callback(
        &server,
        path,
        "application/x-www-form-urlencoded",
        None,
        form,
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    let wrong = format!("{path}?token=reportTokenFromTwilio43");
    let r = callback(
        &server,
        &wrong,
        "application/x-www-form-urlencoded",
        None,
        form,
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    let right = format!("{path}?token={token}");
    let r = callback(
        &server,
        &right,
        "application/x-www-form-urlencoded",
        None,
        form,
    )
    .await;
    assert_eq!(r.expect(200)["changed"], 1);

    // The till sees why, the code is void (it will not arrive), and a new one may go at
    // once, by another channel or this one.
    let on_till = api.get(&format!("/v1/redemptions/{id}")).await.expect(200);
    assert_eq!(
        on_till["otp"]["delivery"],
        json!({ "status": "failed", "reason": "30003", "at_ms": on_till["otp"]["delivery"]["at_ms"] }),
        "{on_till}"
    );
    // Typed anyway (it reached the phone late): void, "send a new code", no attempt spent.
    api.verify(&id, &code).await.expect_problem("otp_not_sent");
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let audit = manager.audit_details("otp_delivery_failed").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["reported_by"], "provider");
    assert_eq!(audit[0]["detail"], "30003");
    let again: Value = api.send_otp(&id, "sms").await.expect(200);
    assert_eq!(
        again["delivery"]["status"], "sent",
        "a fresh message, a fresh report"
    );
    let fresh = code_in(&Recorded::field(&gateway.requests()[1].form(), "Body")).unwrap();
    // The old message's report does not touch the new code.
    let delivered_late = form.replace("undelivered", "delivered");
    let r = callback(
        &server,
        &right,
        "application/x-www-form-urlencoded",
        None,
        &delivered_late,
    )
    .await;
    assert_eq!(r.expect(200)["changed"], 0);
    api.verify(&id, &fresh).await.expect(200);

    // The day's report counts what the provider said of the codes it took.
    let day_ms = 86_400_000;
    let ist = on_till["created_at_ms"].as_i64().unwrap() + 19_800_000;
    let today =
        contract::reports::StoreDate::from_ordinal((ist.div_euclid(day_ms) - 10_957) as u32)
            .unwrap()
            .to_string();
    let report = manager
        .get(&format!(
            "/v1/reports/loyalty?report=date_customer&from={today}&to={today}"
        ))
        .await
        .expect(200);
    assert_eq!(
        report["messages"],
        json!([{ "channel": "sms", "delivered": 0, "failed": 1, "awaiting": 1, "disowned": 0 }]),
        "{report}"
    );
    assert_nothing_leaked(
        &server,
        &[code, fresh],
        &[token, "twilio-secret-9"],
        &[&api, &manager],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_not_me_reply_voids_the_code_blocks_new_ones_tells_the_managers_and_is_audited()
{
    let gateway = FakeGateway::start().await;
    let token = TWILIO_TOKEN;
    let server = twilio(&gateway);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let code = code_in(&Recorded::field(&gateway.requests()[0].form(), "Body")).unwrap();
    // Another till's code was already typed (approved, not yet posted): it reached whoever
    // asked for it, which matters most.
    let other = server.api("demo-till-2").sign_in("C001", "1234").await;
    let used = other.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    other.send_otp(&used, "sms").await.expect(200);
    let used_code = code_in(&Recorded::field(&gateway.requests()[1].form(), "Body")).unwrap();
    other.verify(&used, &used_code).await.expect(200);
    let form = "application/x-www-form-urlencoded";
    let path = format!("/v1/replies/sms?token={token}");

    // Not the provider, a channel without replies, and a reply that says something else.
    let r = callback(
        &server,
        "/v1/replies/sms?token=nope-nope-nope-nope",
        form,
        None,
        "From=%2B919876543210&Body=NOTME",
    )
    .await;
    assert_eq!(r.status, 401, "{}", r.body);
    let r = callback(
        &server,
        &format!("/v1/replies/whatsapp?token={token}"),
        form,
        None,
        "From=%2B919876543210&Body=NOTME",
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = callback(
        &server,
        &path,
        form,
        None,
        "From=%2B919876543210&Body=Thanks%21",
    )
    .await;
    assert_eq!(r.expect(200), json!({ "disowning": 0, "codes_voided": 0 }));

    // "not me", in any case, from her number as providers write it (no +): the code is void
    // and the till is told; the typed one is audited and the managers told of it too.
    let r = callback(
        &server,
        &path,
        form,
        None,
        "From=919876543210&Body=+not+ME+",
    )
    .await;
    assert_eq!(r.expect(200), json!({ "disowning": 1, "codes_voided": 2 }));
    let on_till = api.get(&format!("/v1/redemptions/{id}")).await.expect(200);
    assert_eq!(
        on_till["otp"]["delivery"]["status"], "disowned",
        "{on_till}"
    );
    api.verify(&id, &code).await.expect_problem("otp_not_sent");

    // No new code to her, from any till, for the policy's 24 hours.
    let r = api.send_otp(&id, "email").await;
    r.expect_problem("codes_blocked");
    assert_eq!(r.status, 423);
    let wait: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((86_300..=86_400).contains(&wait), "{wait}");
    let second = other.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    other
        .send_otp(&second, "sms")
        .await
        .expect_problem("codes_blocked");

    // The managers are told by SMS, once per code (no customer, no code); it is in the
    // audit log, the typed code marked.
    let seen = gateway.wait_for(4).await;
    for sms in &seen[2..4] {
        let alert = sms.form();
        assert_eq!(Recorded::field(&alert, "To"), "+919822000111");
        let text = Recorded::field(&alert, "Body");
        assert!(text.contains("crossed Codes disowned"), "{text}");
        assert!(!text.contains("Asha") && !text.contains(&code), "{text}");
    }
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let mut audit = manager.audit_details("code_disowned").await;
    audit.sort_by_key(|d| d["code_already_used"].as_bool());
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[0]["channel"], "sms");
    assert_eq!(audit[0]["customer_id"], ASHA);
    assert_eq!(
        (
            &audit[0]["code_already_used"],
            &audit[1]["code_already_used"]
        ),
        (&json!(false), &json!(true))
    );

    // A second "not me" finds no live code; after the block, codes go again.
    let r = callback(
        &server,
        &path,
        form,
        None,
        "From=%2B919876543210&Body=NOTME",
    )
    .await;
    assert_eq!(r.expect(200)["codes_voided"], 0);
    server.advance_clock(86_400 + 60).await;
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let later = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    api.send_otp(&later, "sms").await.expect(200);
    assert_nothing_leaked(
        &server,
        &[code, used_code],
        &[token, "twilio-secret-9"],
        &[&api, &other, &manager],
    );
}
