//! The rules for codes (SPEC §6 S1–S5): never shown, only an HMAC stored, bound to the
//! intent, single use with expiry and lock, and send limits.

use crate::helpers::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s1_the_code_never_appears_in_responses_logs_or_audit() {
    let server = Server::demo(&[]);
    let seen: Seen = Default::default();
    let api = server
        .api("demo-till-1")
        .with_seen(&seen)
        .sign_in("C001", "1234")
        .await;
    let manager = server
        .api("demo-till-2")
        .with_seen(&seen)
        .sign_in("M001", "9999")
        .await;
    let mut codes = Vec::new();

    // A full run: sends, resends, wrong codes, a lock, a success, commit, reports, audit.
    for (customer, instrument, channel) in [
        (ASHA, ASHA_POINTS, "sms"),
        ("cust-priya", "cust-priya-points-0", "whatsapp"),
        ("cust-kavya", "cust-kavya-points-0", "email"),
    ] {
        let r = api
            .create(customer, instrument, 100, 100_000)
            .await
            .expect(201);
        let id = id_of(&r);
        api.post(
            &format!("/v1/redemptions/{id}/otp"),
            json!({ "channel": channel }),
        )
        .await
        .expect(200);
        let code = server.latest_code(customer).await;
        codes.push(code.clone());
        api.verify(&id, &wrong(&code))
            .await
            .expect_problem("otp_invalid");
        api.get(&format!("/v1/redemptions/{id}")).await.expect(200);
        api.verify(&id, &code).await.expect(200);
        api.commit(&id, &format!("k-{id}")).await.expect(200);
    }
    let r = api
        .create(ASHA, ASHA_POINTS, 100, 100_000)
        .await
        .expect(201);
    let locked = id_of(&r);
    api.send_otp(&locked, "sms").await.expect(200);
    let code = server.latest_code(ASHA).await;
    codes.push(code.clone());
    api.send_otp(&locked, "sms")
        .await
        .expect_problem("resend_cooldown");
    for _ in 0..5 {
        api.verify(&locked, &wrong(&code)).await;
    }
    api.verify(&locked, &code)
        .await
        .expect_problem("otp_locked");
    manager.get("/v1/reports/redemptions").await.expect(200);
    let audit = manager.get("/v1/audit?limit=1000").await.expect(200);
    assert!(audit["entries"].as_array().unwrap().len() > 10);

    assert_eq!(codes.len(), 4);
    let logs = server.logs();
    assert!(logs.contains("/v1/redemptions"), "the logs were captured");
    let bodies = seen.lock().unwrap().clone();
    assert!(bodies.len() > 20);
    let phone = reqwest::get(format!("{}/demo/phone", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(phone.contains("DEMO — customer's phone"));
    assert!(phone.contains(r#"class="message" data-customer-id="cust-asha" data-channel="sms""#));
    let priya = reqwest::get(format!("{}/demo/phone?customer=cust-priya", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(priya.contains(r#"data-customer-id="cust-priya" data-channel="whatsapp""#));
    assert!(
        !priya.contains(r#"data-customer-id="cust-asha""#),
        "the filter shows one customer's phone"
    );
    for code in &codes {
        assert!(
            phone.contains(code.as_str()),
            "the demo phone (the one exception) shows the code"
        );
        assert_code_absent(code, &bodies, &logs);
        for (seq, action, detail, _, _) in audit_rows(&server.db) {
            assert!(
                !contains_code(&detail, code) && !contains_code(&action, code),
                "audit row {seq} holds the code"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s2_only_an_hmac_of_id_and_code_is_stored() {
    use hmac::{Hmac, Mac};
    let secret = "s2-test-secret-0123456789abcdef";
    let server = Server::demo_with_secret(secret, &[]);
    let db = server.db.clone();
    assert!(
        !server.logs().contains(secret),
        "the secret is never printed"
    );
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let code = server.latest_code(ASHA).await;

    let conn = rusqlite::Connection::open(&db).unwrap();
    let data: String = conn
        .query_row("SELECT data FROM redemptions WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap();
    let stored: Value = serde_json::from_str(&data).unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(id.as_bytes());
    mac.update(code.as_bytes());
    assert_eq!(
        stored["otp"]["code_mac"].as_str().unwrap(),
        hex::encode(mac.finalize().into_bytes())
    );
    // No table holds the plain code.
    for row in dump_all_tables(&db) {
        assert!(!contains_code(&row, &code), "{row}");
    }
    // The comparison is exact: a near miss fails, the code passes once.
    api.verify(&id, &wrong(&code))
        .await
        .expect_problem("otp_invalid");
    api.verify(&id, &code).await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_the_code_is_bound_to_its_intent_and_the_message_states_amount_and_store() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let other_till = server.api("demo-till-2").sign_in("C001", "1234").await;

    let a = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    api.send_otp(&a, "sms").await.expect(200);
    let message = server.outbox(ASHA).await[0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("500 points"), "{message}");
    assert!(message.contains("₹500.00"), "{message}");
    assert!(
        message.contains("RedeemGuard Demo Salon & Store"),
        "{message}"
    );
    let code_a = code_in(&message).unwrap();

    // A different amount is a different intent: A's code does not open it.
    let b = api.create_id(ASHA, ASHA_POINTS, 600, 100_000).await;
    api.send_otp(&b, "sms").await.expect(200);
    let code_b = server.latest_code(ASHA).await;
    if code_a != code_b {
        api.verify(&b, &code_a).await.expect_problem("otp_invalid");
    }
    // Another terminal cannot act on the intent at all.
    other_till
        .verify(&a, &code_a)
        .await
        .expect_problem("not_found");
    other_till
        .commit(&a, "steal")
        .await
        .expect_problem("not_found");
    other_till
        .post(&format!("/v1/redemptions/{a}/cancel"), json!({}))
        .await
        .expect_problem("not_found");

    // Cancelling voids the code; the same amount again is a new intent with a new code.
    api.post(&format!("/v1/redemptions/{a}/cancel"), json!({}))
        .await
        .expect(200);
    api.verify(&a, &code_a)
        .await
        .expect_problem("intent_closed");
    let c = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    api.send_otp(&c, "sms").await.expect(200);
    let code_c = server.latest_code(ASHA).await;
    if code_a != code_c {
        api.verify(&c, &code_a).await.expect_problem("otp_invalid");
    }
    let approved = api.verify(&c, &code_c).await.expect(200);
    assert_eq!(
        (approved["quantity"].as_u64(), approved["status"].as_str()),
        (Some(500), Some("approved"))
    );
    let receipt = api.commit(&c, "c-1").await.expect(200);
    assert_eq!(
        receipt["quantity"], 500,
        "the commit cannot change the approved amount"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s4_single_use_expiry_resend_voids_attempts_survive_and_lock() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;

    // Malformed codes never cost an attempt.
    let id = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    for bad in ["12a456", "123 456", "12345", "1234567", "١٢٣٤٥٦", ""] {
        let p = api
            .verify(&id, bad)
            .await
            .expect_problem("invalid_otp_format");
        assert_eq!(p["field"], "code", "{bad}");
    }
    api.post(
        &format!("/v1/redemptions/{id}/verify"),
        json!({ "nope": 1 }),
    )
    .await
    .expect_problem("invalid_otp_format");
    let r = api.get(&format!("/v1/redemptions/{id}")).await.expect(200);
    assert_eq!(
        r["otp"]["attempts_left"], 5,
        "malformed codes cost no attempt"
    );
    let code = server.latest_code(ASHA).await;
    // Single use.
    api.verify(&id, &code).await.expect(200);
    api.verify(&id, &code).await.expect_problem("intent_closed");
    api.post(&format!("/v1/redemptions/{id}/cancel"), json!({}))
        .await
        .expect(200);

    // Expiry at otp_ttl (300 s).
    let id = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let code = server.latest_code(ASHA).await;
    server.advance_clock(301).await;
    api.verify(&id, &code).await.expect_problem("otp_expired");

    // Resend: cooldown first, then the old code is void and failures are not reset.
    let sent = api.send_otp(&id, "sms").await.expect(200);
    assert_eq!(sent["attempts_left"], 5);
    let first = server.latest_code(ASHA).await;
    api.verify(&id, &wrong(&first))
        .await
        .expect_problem("otp_invalid");
    let p = api
        .send_otp(&id, "sms")
        .await
        .expect_problem("resend_cooldown");
    assert!((1..=30).contains(&p["retry_after_secs"].as_u64().unwrap()));
    server.advance_clock(31).await;
    let resent = api.send_otp(&id, "sms").await.expect(200);
    assert_eq!(
        resent["attempts_left"], 4,
        "a resend does not reset failures"
    );
    let second = server.latest_code(ASHA).await;
    if first != second {
        let p = api.verify(&id, &first).await.expect_problem("otp_invalid");
        assert_eq!(p["attempts_left"], 3, "the old code is void");
    } else {
        api.verify(&id, &wrong(&first))
            .await
            .expect_problem("otp_invalid");
    }
    api.verify(&id, &wrong(&second))
        .await
        .expect_problem("otp_invalid");
    let p = api
        .verify(&id, &wrong(&second))
        .await
        .expect_problem("otp_invalid");
    assert_eq!(p["attempts_left"], 1);
    assert_eq!(api.available(ASHA, ASHA_POINTS).await, 1100, "still held");
    api.verify(&id, &wrong(&second))
        .await
        .expect_problem("otp_locked");
    let r = api.get(&format!("/v1/redemptions/{id}")).await.expect(200);
    assert_eq!(r["status"], "locked");
    assert_eq!(
        api.available(ASHA, ASHA_POINTS).await,
        1200,
        "a lock releases the hold"
    );
    api.verify(&id, &second).await.expect_problem("otp_locked");
    api.send_otp(&id, "sms").await.expect_problem("otp_locked");
    api.commit(&id, "locked").await.expect_problem("otp_locked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s5_send_limits_cooldown_and_daily_budget() {
    let server = Server::demo(&[]);
    let till1 = server.api("demo-till-1").sign_in("C001", "1234").await;
    let till2 = server.api("demo-till-2").sign_in("C001", "1234").await;
    let admin = server.api("demo-till-2").sign_in("M001", "9999").await;
    // The manager also serves at the kiosk, whose sends count against a terminal of its own.
    let manager = server.api("demo-kiosk-1").sign_in("M001", "9999").await;
    admin
        .set_policy(json!({
            "max_sends_per_customer": 2, "max_sends_per_terminal": 3, "max_sends_per_cashier": 4,
            "daily_message_budget": 6, "resend_cooldown_secs": 10,
        }))
        .await;
    let intent = |api: &Api, customer: &str| {
        let (api, customer) = (api.clone(), customer.to_string());
        async move {
            let instrument = format!("{customer}-points-0");
            api.create_id(&customer, &instrument, 50, 100_000).await
        }
    };

    // Per customer: 2 per window (a resend counts).
    let a = intent(&till1, ASHA).await;
    till1.send_otp(&a, "sms").await.expect(200);
    till1
        .send_otp(&a, "sms")
        .await
        .expect_problem("resend_cooldown");
    server.advance_clock(11).await;
    till1.send_otp(&a, "sms").await.expect(200);
    server.advance_clock(11).await;
    let p = till1
        .send_otp(&a, "sms")
        .await
        .expect_problem("rate_limited");
    assert!(p["detail"].as_str().unwrap().contains("customer"));
    assert!(p["retry_after_secs"].as_u64().unwrap() > 0);
    // Per terminal: till 1 has sent 2; one more is allowed, then refused.
    // Per cashier: C001 has sent 3 (on till 1); one more on till 2, then refused.
    for (api, allowed, refused, scope) in [
        (&till1, "cust-priya", "cust-kavya", "terminal"),
        (&till2, "cust-kavya", "cust-farhan", "cashier"),
    ] {
        let ok = intent(api, allowed).await;
        api.send_otp(&ok, "sms").await.expect(200);
        let no = intent(api, refused).await;
        let p = api
            .send_otp(&no, "sms")
            .await
            .expect_problem("rate_limited");
        assert!(p["detail"].as_str().unwrap().contains(scope));
    }
    // The store's daily budget (6): the manager sends 2 more, then the budget is gone.
    let f = intent(&manager, "cust-farhan").await;
    manager.send_otp(&f, "sms").await.expect(200);
    let g = intent(&manager, "cust-karan").await;
    manager.send_otp(&g, "sms").await.expect(200);
    let h = intent(&manager, "cust-sneha").await;
    let p = manager
        .send_otp(&h, "sms")
        .await
        .expect_problem("message_budget_exhausted");
    assert!(p["retry_after_secs"].as_u64().unwrap() > 0);
    assert!(manager
        .send_otp(&h, "sms")
        .await
        .headers
        .get("retry-after")
        .is_some());

    // Windows pass: the customer may receive codes again.
    admin
        .set_policy(json!({ "daily_message_budget": 100 }))
        .await;
    server.advance_clock(601).await;
    let a2 = intent(&till1, ASHA).await;
    till1.send_otp(&a2, "sms").await.expect(200);
}
