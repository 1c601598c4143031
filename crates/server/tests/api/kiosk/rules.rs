//! The security rules (SPEC §6) as they hold for kiosk identification codes and bindings;
//! each test is named for its rules.

use super::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s9_a_kiosk_cannot_browse_and_reads_and_redeems_only_its_identified_customer() {
    let server = Server::demo(&[]);
    let k = kiosk(&server).await;
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;

    // No browsing, by name or by number.
    for q in ["Asha", "9876543210", "RG00012345"] {
        let p = k
            .get(&format!("/v1/customers?q={q}"))
            .await
            .expect_problem("forbidden");
        assert!(p["detail"].as_str().unwrap().contains("self-service kiosk"));
    }
    k.get("/v1/policy").await.expect(200);

    // Before verification: nothing about anyone.
    k.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect_problem("forbidden");
    voucher(&k, ASHA, ASHA_POINTS, 100)
        .await
        .expect_problem("forbidden");
    k.identify("9876543210").await.expect(200);
    k.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect_problem("forbidden");
    voucher(&k, ASHA, ASHA_POINTS, 100)
        .await
        .expect_problem("forbidden");
    assert_eq!(cashier.available(ASHA, ASHA_POINTS).await, 1200);

    // The query is a number or a card, never a name; exactly one customer.
    let p = k
        .identify("Asha Rao")
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "query");
    k.identify("9").await.expect_problem("invalid_mobile");
    k.identify("9000000001")
        .await
        .expect_problem("customer_not_found");
    k.identify("RG99999999")
        .await
        .expect_problem("customer_not_found");
    k.identify("12345").await.expect_problem("invalid_mobile");
    k.post(
        "/v1/kiosk/identify",
        json!({ "query": "9876543210", "channel": "fax" }),
    )
    .await
    .expect_problem("invalid_request");
    // Vikram has no e-mail; Meera has no mobile, so only e-mail reaches her.
    k.post(
        "/v1/kiosk/identify",
        json!({ "query": "9812345678", "channel": "email" }),
    )
    .await
    .expect_problem("channel_unavailable");
    let meera = k.identify("RG00012353").await.expect(200);
    assert_eq!(
        (meera["channel"].as_str(), meera["destination"].as_str()),
        (Some("email"), Some("m•••@example.com"))
    );

    // Bound to Asha: Asha only.
    bind(&server, &k, "+91 98765 43210", ASHA).await;
    k.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect(200);
    for other in ["cust-vikram", "cust-nobody"] {
        k.get(&format!("/v1/customers/{other}/balance"))
            .await
            .expect_problem("forbidden");
    }
    voucher(&k, "cust-vikram", "cust-vikram-points-0", 100)
        .await
        .expect_problem("forbidden");
    // Every rule is re-checked for the kiosk too.
    voucher(&k, ASHA, "cust-asha-package-1", 99)
        .await
        .expect_problem("insufficient_balance");

    // Staff-only actions stay staff-only.
    let mine = approved_voucher(&server, &k, ASHA, ASHA_POINTS, 100).await;
    let mine = mine["id"].as_str().unwrap().to_string();
    k.commit(&mine, "k-s9").await.expect(200);
    k.post(
        &format!("/v1/redemptions/{mine}/reverse"),
        json!({ "reason": "changed my mind" }),
    )
    .await
    .expect_problem("forbidden");
    k.post("/v1/accruals", json!({ "customer_id": ASHA, "bill": { "id": "K-1", "total": { "minor": 100, "currency": "INR" } } }))
        .await
        .expect_problem("forbidden");
    for path in ["/v1/reports/redemptions", "/v1/audit"] {
        k.get(path).await.expect_problem("forbidden");
    }
    // A till's intent for the same customer is not the kiosk's.
    let till = approved(&server, &cashier, ASHA, ASHA_POINTS, 100).await;
    k.get(&format!("/v1/redemptions/{till}"))
        .await
        .expect_problem("not_found");
    k.commit(&till, "k-steal").await.expect_problem("not_found");

    // Only a self-service session identifies; staff search instead.
    for staff in [
        cashier.clone(),
        server.api(KIOSK).sign_in("M001", "9999").await,
    ] {
        staff
            .identify("9876543210")
            .await
            .expect_problem("forbidden");
        staff
            .kiosk_verify("123456")
            .await
            .expect_problem("forbidden");
        staff.forget().await.expect_problem("forbidden");
        staff.get("/v1/customers?q=Asha").await.expect(200);
    }
    // Another kiosk session (another customer at the same kiosk) starts unbound.
    let next = kiosk(&server).await;
    next.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect_problem("forbidden");
    next.get(&format!("/v1/redemptions/{mine}"))
        .await
        .expect_problem("forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s4_kiosk_codes_expire_are_single_use_resends_void_and_keep_attempts_then_lock() {
    let server = Server::demo(&[]);
    let k = kiosk(&server).await;

    k.post("/v1/kiosk/verify", json!({ "code": "123456" }))
        .await
        .expect_problem("otp_not_sent");
    k.identify("9876543210").await.expect(200);
    let first = server.latest_code(ASHA).await;
    let p = k
        .kiosk_verify(&wrong(&first))
        .await
        .expect_problem("otp_invalid");
    assert_eq!(p["attempts_left"], 4);
    for malformed in ["12a456", "12345", "1234567", "١٢٣٤٥٦"] {
        k.kiosk_verify(malformed)
            .await
            .expect_problem("invalid_otp_format");
    }
    // The cooldown, then a resend on the same identification: the old code is void and the
    // failed attempt still counts.
    let p = k
        .identify("9876543210")
        .await
        .expect_problem("resend_cooldown");
    assert!(p["retry_after_secs"].as_u64().unwrap() > 0);
    server.advance_clock(31).await;
    let resent = k.identify("9876543210").await.expect(200);
    assert_eq!(
        resent["attempts_left"], 4,
        "a resend does not reset attempts"
    );
    let second = server.latest_code(ASHA).await;
    if second != first {
        let p = k.kiosk_verify(&first).await.expect_problem("otp_invalid");
        assert_eq!(p["attempts_left"], 3, "the resend voided the first code");
    } else {
        k.kiosk_verify(&wrong(&first))
            .await
            .expect_problem("otp_invalid");
    }
    k.kiosk_verify(&wrong(&second))
        .await
        .expect_problem("otp_invalid");
    let p = k
        .kiosk_verify(&wrong(&second))
        .await
        .expect_problem("otp_invalid");
    assert_eq!(p["attempts_left"], 1);
    k.kiosk_verify(&wrong(&second))
        .await
        .expect_problem("otp_locked");
    k.kiosk_verify(&second).await.expect_problem("otp_locked");
    k.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect_problem("forbidden");

    // Locked: identify again for a new code (after the cooldown), with fresh attempts.
    server.advance_clock(31).await;
    let fresh = k.identify("9876543210").await.expect(200);
    assert_eq!(fresh["attempts_left"], 5);
    let third = server.latest_code(ASHA).await;

    // Expiry: the code dies at otp_ttl; trying costs nothing.
    server.advance_clock(301).await;
    k.kiosk_verify(&third).await.expect_problem("otp_expired");
    server.advance_clock(31).await;
    let again = k.identify("9876543210").await.expect(200);
    assert_eq!(again["attempts_left"], 5, "an expired code cost no attempt");
    let fourth = server.latest_code(ASHA).await;
    k.kiosk_verify(&fourth).await.expect(200);
    // Single use.
    k.kiosk_verify(&fourth).await.expect_problem("otp_not_sent");

    // Another customer's identification on the session voids the pending code.
    let k2 = kiosk(&server).await;
    k2.identify("9876543210").await.expect(200);
    let asha_code = server.latest_code(ASHA).await;
    k2.identify("9812345678").await.expect(200);
    let p = k2.kiosk_verify(&asha_code).await;
    assert_ne!(p.status, 200, "Asha's code no longer works: {}", p.body);
    let vikram_code = server.latest_code("cust-vikram").await;
    let b = k2.kiosk_verify(&vikram_code).await.expect(200);
    assert_eq!(b["customer"]["id"], "cust-vikram");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s6_kiosk_forget_idle_and_sign_out_release_holds_and_end_access() {
    let server = Server::demo(&[]);
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let k = kiosk(&server).await;

    // Forget: the hold is released and the session sees nothing any more.
    bind(&server, &k, "9876543210", ASHA).await;
    let r = voucher(&k, ASHA, ASHA_POINTS, 300).await.expect(201);
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(cashier.available(ASHA, ASHA_POINTS).await, 900);
    k.forget().await.expect(204);
    assert_eq!(cashier.available(ASHA, ASHA_POINTS).await, 1200);
    assert_eq!(
        cashier
            .get(&format!("/v1/redemptions/{id}"))
            .await
            .expect(200)["status"],
        "cancelled"
    );
    k.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect_problem("forbidden");
    k.commit(&id, "after-forget")
        .await
        .expect_problem("forbidden");
    k.forget().await.expect(204); // nothing left to forget is fine

    // Idle: each call that uses the binding restarts the time; past idle + grace it is gone.
    bind(&server, &k, "9876543210", ASHA).await;
    voucher(&k, ASHA, ASHA_POINTS, 200).await.expect(201);
    server.advance_clock(IDLE_SECS + GRACE_SECS - 10).await;
    k.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect(200);
    server.advance_clock(IDLE_SECS + GRACE_SECS - 10).await;
    k.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect(200);
    server.advance_clock(IDLE_SECS + GRACE_SECS + 1).await;
    k.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect_problem("forbidden");
    assert_eq!(cashier.available(ASHA, ASHA_POINTS).await, 1200);

    // Idle with nobody calling: the sweeper forgets the customer and releases the hold.
    bind(&server, &k, "9876543210", ASHA).await;
    voucher(&k, ASHA, ASHA_POINTS, 250).await.expect(201);
    assert_eq!(cashier.available(ASHA, ASHA_POINTS).await, 950);
    server.advance_clock(IDLE_SECS + GRACE_SECS + 1).await;
    assert!(
        eventually(10, || async {
            cashier.available(ASHA, ASHA_POINTS).await == 1200
        })
        .await,
        "the sweeper released the idle kiosk's hold"
    );

    // A new identification forgets the previous customer; signing out does too.
    bind(&server, &k, "9876543210", ASHA).await;
    voucher(&k, ASHA, ASHA_POINTS, 100).await.expect(201);
    k.identify("9812345678").await.expect(200);
    assert_eq!(cashier.available(ASHA, ASHA_POINTS).await, 1200);
    k.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect_problem("forbidden");
    let code = server.latest_code("cust-vikram").await;
    let vikram = k.kiosk_verify(&code).await.expect(200);
    assert_eq!(vikram["instruments"][0]["available"], 640);
    voucher(&k, "cust-vikram", "cust-vikram-points-0", 100)
        .await
        .expect(201);
    assert_eq!(
        cashier
            .available("cust-vikram", "cust-vikram-points-0")
            .await,
        540
    );
    k.delete("/v1/sessions/current").await.expect(204);
    assert_eq!(
        cashier
            .available("cust-vikram", "cust-vikram-points-0")
            .await,
        640
    );

    let reasons: Vec<String> = manager
        .audit_entries()
        .await
        .iter()
        .filter(|e| e["action"] == "kiosk_forgotten")
        .map(|e| detail(e)["reason"].as_str().unwrap().to_string())
        .collect();
    for reason in ["forget", "idle", "replaced", "sign_out"] {
        assert!(
            reasons.iter().any(|r| r == reason),
            "{reason} in {reasons:?}"
        );
    }
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s5_kiosk_codes_count_against_the_send_limits_and_cooldown() {
    let server = Server::demo(&[]);
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let k = kiosk(&server).await;

    // Two codes from the till and three from the kiosk: the sixth for Asha is refused.
    for _ in 0..2 {
        approved(&server, &cashier, ASHA, ASHA_POINTS, 100).await;
    }
    for _ in 0..3 {
        k.identify("9876543210").await.expect(200);
        k.identify("9876543210")
            .await
            .expect_problem("resend_cooldown");
        server.advance_clock(31).await;
    }
    let p = k
        .identify("9876543210")
        .await
        .expect_problem("rate_limited");
    assert!(p["detail"].as_str().unwrap().contains("this customer"));
    assert!(p["retry_after_secs"].as_u64().unwrap() > 0);
    let p = cashier
        .create(ASHA, ASHA_POINTS, 100, 100_000)
        .await
        .expect(201);
    cashier
        .post(
            &format!("/v1/redemptions/{}/otp", p["id"].as_str().unwrap()),
            json!({ "channel": "sms" }),
        )
        .await
        .expect_problem("rate_limited");
    // Other customers are not affected.
    k.identify("9812345678").await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s1_s2_the_kiosk_code_is_never_shown_and_only_its_hmac_is_stored() {
    use hmac::{Hmac, Mac};
    let secret = "kiosk-test-secret-0123456789abcdef";
    let server = Server::demo_with_secret(secret, &["--testing-clock"]);
    let db = server.db.clone();
    let seen: Seen = Default::default();
    let k = server.api(KIOSK).with_seen(&seen).sign_in("", "").await;
    let manager = server
        .api("demo-till-2")
        .with_seen(&seen)
        .sign_in("M001", "9999")
        .await;

    k.identify("9876543210").await.expect(200);
    let first = server.latest_code(ASHA).await;
    // S2: the stored MAC is HMAC-SHA256(secret, identification id ‖ code); no code column.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (kid, mac): (String, String) = conn
        .query_row(
            "SELECT id, code_mac FROM kiosk_identifications ORDER BY created_at_ms DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut expected = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    expected.update(kid.as_bytes());
    expected.update(first.as_bytes());
    assert_eq!(mac, hex::encode(expected.finalize().into_bytes()));
    let row: String = conn
        .query_row(
            "SELECT json_array(id, session_hash, store_id, terminal_id, customer_id, status, channel, \
             destination_masked, code_mac) FROM kiosk_identifications WHERE id = ?1",
            [&kid],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !contains_code(&row, &first),
        "the row holds the code: {row}"
    );

    k.kiosk_verify(&wrong(&first))
        .await
        .expect_problem("otp_invalid");
    server.advance_clock(31).await;
    k.identify("9876543210").await.expect(200);
    let second = server.latest_code(ASHA).await;
    k.kiosk_verify(&second).await.expect(200);
    let used: Option<String> = conn
        .query_row(
            "SELECT code_mac FROM kiosk_identifications WHERE id = ?1",
            [&kid],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(used, None, "a used code's MAC is gone");
    let r = approved_voucher(&server, &k, ASHA, ASHA_POINTS, 100).await;
    k.commit(r["id"].as_str().unwrap(), "s1-kiosk")
        .await
        .expect(200);
    k.forget().await.expect(204);
    manager.audit_entries().await;

    let logs = server.logs();
    assert!(logs.contains("/v1/kiosk/verify"), "the logs were captured");
    let bodies = seen.lock().unwrap().clone();
    let phone = reqwest::get(format!("{}/demo/phone?customer={ASHA}", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let audit: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT action || ' ' || detail FROM audit")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(audit.iter().any(|a| a.starts_with("kiosk_identified")));
    for code in [&first, &second] {
        assert!(phone.contains(code.as_str()), "the demo phone shows it");
        assert_code_absent(code, &bodies, &logs);
        for row in &audit {
            assert!(
                !contains_code(row, code),
                "an audit row holds the code: {row}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_a_kiosk_voucher_needs_its_own_code_stating_the_amount() {
    // Before: the identification code (which states no amount) approved vouchers of any value.
    let server = Server::demo(&[]);
    let k = kiosk(&server).await;
    k.identify("9876543210").await.expect(200);
    let identification_code = server.latest_code(ASHA).await;
    k.kiosk_verify(&identification_code).await.expect(200);
    let r = voucher(&k, ASHA, "cust-asha-package-1", 2)
        .await
        .expect(201);
    assert_eq!(r["status"], "awaiting_otp");
    let id = r["id"].as_str().unwrap();
    k.commit(id, "no-code").await.expect_problem("otp_required");
    k.send_otp(id, "sms").await.expect(200);
    let text = server
        .outbox(ASHA)
        .await
        .iter()
        .find(|m| m["redemption_id"] == id)
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("3,000.00") || text.contains("3000.00"),
        "{text}"
    );
    // The identification's code is not this voucher's code.
    let voucher_code = server.code_for(id).await;
    if voucher_code != identification_code {
        k.verify(id, &identification_code)
            .await
            .expect_problem("otp_invalid");
    }
    k.verify(id, &voucher_code).await.expect(200);
    let receipt = k.commit(id, "with-code").await.expect(200);
    assert_eq!(
        receipt["approval"],
        json!({ "by": "otp", "channel": "sms" })
    );
}
