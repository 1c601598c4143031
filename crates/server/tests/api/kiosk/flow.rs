//! The kiosk customer's way through: identify, verify, balance, voucher, commit; and a code
//! that could not be delivered.

use super::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_identify_verify_balance_voucher_and_commit() {
    let server = Server::demo(&[]);
    let k = kiosk(&server).await;
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;

    // The customer types their own mobile number; the code goes to their phone by SMS.
    let sent = k.identify("98765 43210").await.expect(200);
    assert_eq!(
        (
            sent["channel"].as_str(),
            sent["destination"].as_str(),
            sent["attempts_left"].as_u64()
        ),
        (Some("sms"), Some("+91 ••••••3210"), Some(5))
    );
    assert!(sent["resend_after_ms"].as_i64() < sent["expires_at_ms"].as_i64());
    assert!(
        sent.get("customer").is_none(),
        "nothing about them before the code"
    );
    let message = server.outbox(ASHA).await[0].clone();
    let text = message["text"].as_str().unwrap();
    assert!(
        text.contains("is your code to use your loyalty at RedeemGuard Demo Salon & Store (self-service kiosk)")
            && text.contains("It expires in 5 min. Do not share it."),
        "{text}"
    );
    assert!(message["redemption_id"]
        .as_str()
        .unwrap()
        .starts_with("kid_"));
    let code = code_in(text).unwrap();

    let balance = k.kiosk_verify(&code).await.expect(200);
    assert_eq!(balance["customer"]["name"], "Asha Rao");
    assert_eq!(balance["customer"]["masked_mobile"], "+91 ••••••3210");
    let same_shape = cashier
        .get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect(200);
    assert_eq!(balance["instruments"], same_shape["instruments"]);
    assert_eq!(k.available(ASHA, ASHA_POINTS).await, 1200);

    // A voucher from points: its own code, whose message states the amount (S3 at the
    // kiosk too: the identification code said none).
    let r = voucher(&k, ASHA, ASHA_POINTS, 500).await.expect(201);
    assert_eq!(
        (r["status"].as_str(), r["otp_required"].as_bool()),
        (Some("awaiting_otp"), Some(true))
    );
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(k.available(ASHA, ASHA_POINTS).await, 700);
    k.commit(&id, "too-early")
        .await
        .expect_problem("otp_required");
    k.send_otp(&id, "sms").await.expect(200);
    let voucher_text = server
        .outbox(ASHA)
        .await
        .iter()
        .find(|m| m["redemption_id"] == id.as_str())
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        voucher_text.contains("500 points") && voucher_text.contains("500.00"),
        "the voucher's code states its amount: {voucher_text}"
    );
    k.verify(&id, &server.code_for(&id).await).await.expect(200);
    assert_eq!(
        k.get(&format!("/v1/redemptions/{id}")).await.expect(200)["status"],
        "approved"
    );
    let receipt = k.commit(&id, "kiosk-1").await;
    let body = receipt.expect(200);
    assert_eq!(body["approval"], json!({ "by": "otp", "channel": "sms" }));
    assert_eq!(body["cashier_name"], "Self-service (Kiosk 1)");
    assert_eq!(
        (
            body["balance_before"].as_u64(),
            body["balance_after"].as_u64()
        ),
        (Some(1200), Some(700))
    );
    assert!(body["voucher"]["code"]
        .as_str()
        .unwrap()
        .starts_with("RGV-"));
    assert_eq!(
        body["voucher"]["value"],
        json!({ "minor": 50_000, "currency": "INR" })
    );
    let replay = k.commit(&id, "kiosk-1").await;
    assert_eq!(
        replay.body, receipt.body,
        "the same key replays the receipt"
    );
    assert_eq!(
        k.get(&format!("/v1/redemptions/{id}")).await.expect(200)["status"],
        "committed"
    );

    // Any benefit but a gift card can become a voucher, at the intent's value.
    let p = approved_voucher(&server, &k, ASHA, "cust-asha-package-1", 1).await;
    let pid = p["id"].as_str().unwrap().to_string();
    let pr = k.commit(&pid, "kiosk-2").await.expect(200);
    assert_eq!(
        pr["voucher"]["value"],
        json!({ "minor": 150_000, "currency": "INR" })
    );
    // A kiosk has no bill; cancel works as at the counter.
    let bill = k
        .post(
            "/v1/redemptions",
            redemption_body(ASHA, ASHA_POINTS, 100, 100_000),
        )
        .await
        .expect_problem("invalid_request");
    assert_eq!(bill["field"], "purpose");
    assert!(bill["detail"].as_str().unwrap().contains("voucher"));
    let c = voucher(&k, ASHA, ASHA_POINTS, 100).await.expect(201);
    let cid = c["id"].as_str().unwrap().to_string();
    let cancelled = k
        .post(&format!("/v1/redemptions/{cid}/cancel"), json!({}))
        .await
        .expect(200);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(k.available(ASHA, ASHA_POINTS).await, 700);

    // Audited as such: who, which identification, how approved.
    let entries = manager.audit_entries().await;
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["kiosk_identify_sent", "kiosk_identified", "hold", "commit"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let identified = entries
        .iter()
        .find(|e| e["action"] == "kiosk_identified")
        .unwrap();
    let kid = detail(identified)["identification_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(identified["terminal_id"], "term-demo-kiosk-1");
    assert!(identified.get("staff_id").is_none());
    let hold = entries
        .iter()
        .find(|e| e["action"] == "hold" && e["redemption_id"] == id.as_str())
        .unwrap();
    let hold = detail(hold);
    assert_eq!(
        (
            hold["self_service"].as_bool(),
            hold["identification_id"].as_str(),
            hold["otp_required"].as_bool()
        ),
        (Some(true), Some(kid.as_str()), Some(true))
    );

    // Identified by card number too; done: forgotten.
    k.forget().await.expect(204);
    let card = kiosk(&server).await;
    bind(&server, &card, "rg 0001 2345", ASHA).await;
    card.forget().await.expect(204);
    card.get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect_problem("forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undelivered_kiosk_code_is_void_and_may_be_retried_at_once() {
    // Seed in demo mode, then serve without a gateway: every send fails honestly.
    let server = Server::production_seeded();
    let db = server.db.clone();
    let k = server.api(KIOSK).sign_in("", "").await;
    k.identify("9876543210")
        .await
        .expect_problem("delivery_failed");
    k.kiosk_verify("123456")
        .await
        .expect_problem("otp_not_sent");
    // No cooldown after a failed delivery: the retry is immediate (and fails again here).
    k.identify("9876543210")
        .await
        .expect_problem("delivery_failed");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let live: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM kiosk_identifications WHERE code_mac IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(live, 0, "no undelivered code stays usable");
    let failed: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'kiosk_identify_delivery_failed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failed, 2);
}
