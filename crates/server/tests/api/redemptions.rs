//! Redemptions, vouchers, reversals, accruals, reports and points expiry over real HTTP, with
//! a specific problem for each bad input; one server process per test.

use crate::helpers::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_redemption_input_gets_specific_problems_and_changes_nothing() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let body = |q: Value| {
        let mut b = redemption_body(ASHA, ASHA_POINTS, 100, 100_000);
        b["quantity"] = q;
        b
    };
    for (q, detail) in [
        (json!(0), "Redeem at least 1"),
        (json!(-5), "The quantity cannot be negative"),
        (json!(2.5), "Use whole numbers only"),
        (json!("abc"), "Use digits only, e.g. 500"),
        (json!(10_000_000_000_000u64), "That number is far too large"),
    ] {
        let p = api
            .post("/v1/redemptions", body(q.clone()))
            .await
            .expect_problem("invalid_quantity");
        assert_eq!(p["detail"], detail, "{q}");
        assert_eq!(p["field"], "quantity");
    }
    api.create(ASHA, ASHA_POINTS, 49, 100_000)
        .await
        .expect_problem("below_minimum");
    let p = api
        .create(ASHA, ASHA_POINTS, 1201, 10_000_000)
        .await
        .expect_problem("insufficient_balance");
    assert_eq!(p["allowed"]["max"], 1200);
    let p = api
        .create(ASHA, ASHA_POINTS, 600, 50_000)
        .await
        .expect_problem("exceeds_bill");
    assert_eq!(
        (
            p["allowed"]["max"].as_u64(),
            p["allowed"]["limited_by"].as_str()
        ),
        (Some(500), Some("bill"))
    );
    api.create("cust-siddharth", "cust-siddharth-points-0", 50, 100_000)
        .await
        .expect_problem("nothing_available");
    api.create("nobody", ASHA_POINTS, 100, 100_000)
        .await
        .expect_problem("customer_not_found");
    api.create(ASHA, "no-such-instrument", 100, 100_000)
        .await
        .expect_problem("not_found");

    let mut usd = redemption_body(ASHA, ASHA_POINTS, 100, 100_000);
    usd["purpose"]["bill"]["total"]["currency"] = json!("USD");
    api.post("/v1/redemptions", usd)
        .await
        .expect_problem("currency_mismatch");
    let mut bad_bill = redemption_body(ASHA, ASHA_POINTS, 100, 100_000);
    bad_bill["purpose"]["bill"]["id"] = json!("bill with spaces");
    api.post("/v1/redemptions", bad_bill)
        .await
        .expect_problem("invalid_bill");
    // Drift bug: the till and the widget refused a zero total, the server took it.
    let mut zero = redemption_body(ASHA, ASHA_POINTS, 100, 100_000);
    zero["purpose"]["bill"]["total"]["minor"] = json!(0);
    let p = api
        .post("/v1/redemptions", zero)
        .await
        .expect_problem("invalid_bill");
    assert_eq!(
        (p["field"].as_str(), p["detail"].as_str()),
        (
            Some("purpose.bill.total"),
            Some("The bill total must be more than zero")
        )
    );
    let p = api
        .post(
            "/v1/accruals",
            json!({ "customer_id": ASHA,
                    "bill": { "id": "Z-0", "total": { "minor": 0, "currency": "INR" } } }),
        )
        .await
        .expect_problem("invalid_bill");
    assert_eq!(p["field"], "bill.total");
    let mut negative = redemption_body(ASHA, ASHA_POINTS, 100, 100_000);
    negative["purpose"]["bill"]["total"]["minor"] = json!(-1);
    api.post("/v1/redemptions", negative)
        .await
        .expect_problem("invalid_amount");
    // A gift card is already a voucher: it cannot become one.
    let mut voucher_gift = redemption_body("cust-rohan", "cust-rohan-gift_card-1", 100, 100_000);
    voucher_gift["purpose"] = json!({ "kind": "voucher" });
    let p = api
        .post("/v1/redemptions", voucher_gift)
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "purpose");
    api.post("/v1/redemptions", json!({ "customer_id": ASHA }))
        .await
        .expect_problem("invalid_quantity");
    api.post("/v1/redemptions", json!({ "quantity": 100 }))
        .await
        .expect_problem("invalid_request");

    manager
        .set_policy(json!({ "max_redeem_per_bill": { "kind": "percent", "percent": 10 } }))
        .await;
    let p = api
        .create(ASHA, ASHA_POINTS, 200, 100_000)
        .await
        .expect_problem("exceeds_bill_cap");
    assert_eq!(p["allowed"]["limited_by"], "bill_cap");

    assert_eq!(
        api.available(ASHA, ASHA_POINTS).await,
        1200,
        "refused requests hold nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redemption_lifecycle_vouchers_reversals_accruals_and_reports() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;

    // Intent holds; GET resumes; cancel releases.
    let r = api
        .create(ASHA, ASHA_POINTS, 300, 100_000)
        .await
        .expect(201);
    let id = r["id"].as_str().unwrap().to_string();
    assert_eq!(
        (r["status"].as_str(), r["otp_required"].as_bool()),
        (Some("awaiting_otp"), Some(true))
    );
    assert_eq!(r["value"], json!({ "minor": 30_000, "currency": "INR" }));
    assert_eq!(api.available(ASHA, ASHA_POINTS).await, 900);
    assert_eq!(
        api.get(&format!("/v1/redemptions/{id}")).await.expect(200)["status"],
        "awaiting_otp"
    );
    api.commit(&id, "too-early")
        .await
        .expect_problem("otp_required");
    api.post(
        &format!("/v1/redemptions/{id}/verify"),
        json!({ "code": "123456" }),
    )
    .await
    .expect_problem("otp_not_sent");
    api.post(
        &format!("/v1/redemptions/{id}/otp"),
        json!({ "channel": "fax" }),
    )
    .await
    .expect_problem("invalid_request");
    let c = api
        .post(&format!("/v1/redemptions/{id}/cancel"), json!({}))
        .await
        .expect(200);
    assert_eq!(c["status"], "cancelled");
    assert_eq!(api.available(ASHA, ASHA_POINTS).await, 1200);
    api.post(
        &format!("/v1/redemptions/{id}/otp"),
        json!({ "channel": "sms" }),
    )
    .await
    .expect_problem("intent_closed");
    api.get("/v1/redemptions/red_nope")
        .await
        .expect_problem("not_found");

    // Channels the customer cannot be reached on.
    let v = api
        .create("cust-vikram", "cust-vikram-points-0", 100, 100_000)
        .await
        .expect(201);
    let vid = v["id"].as_str().unwrap();
    for ch in ["whatsapp", "email"] {
        api.post(
            &format!("/v1/redemptions/{vid}/otp"),
            json!({ "channel": ch }),
        )
        .await
        .expect_problem("channel_unavailable");
    }

    // Points to a printed voucher, over e-mail.
    let mut body = redemption_body(ASHA, ASHA_POINTS, 500, 0);
    body["purpose"] = json!({ "kind": "voucher" });
    let r = api.post("/v1/redemptions", body).await.expect(201);
    let vid = r["id"].as_str().unwrap().to_string();
    let sent = api
        .post(
            &format!("/v1/redemptions/{vid}/otp"),
            json!({ "channel": "email" }),
        )
        .await
        .expect(200);
    assert_eq!(
        (sent["destination"].as_str(), sent["attempts_left"].as_u64()),
        (Some("a•••@example.com"), Some(5))
    );
    let code = server.latest_code(ASHA).await;
    let v = api
        .post(
            &format!("/v1/redemptions/{vid}/verify"),
            json!({ "code": code }),
        )
        .await
        .expect(200);
    assert_eq!(v["status"], "approved");
    api.send(
        reqwest::Method::POST,
        &format!("/v1/redemptions/{vid}/commit"),
        None,
        &[],
    )
    .await
    .expect_problem("idempotency_key_missing");
    let receipt = api.commit(&vid, "voucher-1").await.expect(200);
    assert_eq!(
        (
            receipt["balance_before"].as_u64(),
            receipt["balance_after"].as_u64()
        ),
        (Some(1200), Some(700))
    );
    assert_eq!(
        receipt["approval"],
        json!({ "by": "otp", "channel": "email" })
    );
    assert_eq!(receipt["cashier_name"], "Priya Sharma");
    assert_eq!(receipt["terminal_name"], "Till 1");
    assert!(receipt["voucher"]["code"]
        .as_str()
        .unwrap()
        .starts_with("RGV-"));
    assert_eq!(
        receipt["voucher"]["value"],
        json!({ "minor": 50_000, "currency": "INR" })
    );
    assert_eq!(
        api.get(&format!("/v1/redemptions/{vid}")).await.expect(200)["status"],
        "committed"
    );
    api.post(&format!("/v1/redemptions/{vid}/cancel"), json!({}))
        .await
        .expect_problem("intent_closed");

    // Gift cards need no code (policy default).
    let g = api
        .create("cust-rohan", "cust-rohan-gift_card-1", 25_000, 100_000)
        .await
        .expect(201);
    assert_eq!(
        (g["status"].as_str(), g["otp_required"].as_bool()),
        (Some("approved"), Some(false))
    );
    let gid = g["id"].as_str().unwrap().to_string();
    let gr = api.commit(&gid, "gift-1").await.expect(200);
    assert_eq!(gr["approval"], json!({ "by": "not_required" }));
    assert_eq!(gr["balance_after"], 225_000);

    // Reversal restores once; only committed redemptions can be reversed.
    api.post(
        &format!("/v1/redemptions/{vid}/reverse"),
        json!({ "reason": "  " }),
    )
    .await
    .expect_problem("reason_required");
    let rev = api
        .post(
            &format!("/v1/redemptions/{vid}/reverse"),
            json!({ "reason": "bill voided" }),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            rev["quantity_restored"].as_u64(),
            rev["balance_after"].as_u64()
        ),
        (Some(500), Some(1200))
    );
    api.post(
        &format!("/v1/redemptions/{vid}/reverse"),
        json!({ "reason": "again" }),
    )
    .await
    .expect_problem("already_reversed");
    api.post(
        &format!("/v1/redemptions/{id}/reverse"),
        json!({ "reason": "x" }),
    )
    .await
    .expect_problem("not_committed");
    assert_eq!(api.available(ASHA, ASHA_POINTS).await, 1200);

    // Accruals add points, once per bill.
    let bill = json!({ "id": "SALE-77", "total": { "minor": 250_000, "currency": "INR" } });
    let a = api
        .post("/v1/accruals", json!({ "customer_id": ASHA, "bill": bill }))
        .await
        .expect(201);
    assert_eq!(a["balance_after"], 1225);
    let again = api
        .post("/v1/accruals", json!({ "customer_id": ASHA, "bill": bill }))
        .await
        .expect(201);
    assert_eq!(again["id"], a["id"]);
    // The same bill number with another total would earn other points: refused.
    api.post(
        "/v1/accruals",
        json!({ "customer_id": ASHA, "bill": { "id": "SALE-77", "total": { "minor": 300_000, "currency": "INR" } } }),
    )
    .await
    .expect_problem("idempotency_conflict");
    api.post("/v1/accruals", json!({ "customer_id": "nobody", "bill": { "id": "S-2", "total": { "minor": 1, "currency": "INR" } } }))
        .await
        .expect_problem("customer_not_found");
    // Points are the server's to compute (S12): a request naming its own is refused.
    let p = api.post("/v1/accruals", json!({ "customer_id": ASHA, "bill": { "id": "S-3", "total": { "minor": 100_000, "currency": "INR" } }, "points": 5 }))
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "points");
    // A customer without points gets a points instrument on the first accrual.
    let lakshmi = api
        .post("/v1/accruals", json!({ "customer_id": "cust-lakshmi", "bill": { "id": "S-4", "total": { "minor": 400_000, "currency": "INR" } } }))
        .await
        .expect(201);
    assert_eq!(lakshmi["balance_after"], 40);
    assert_eq!(api.available(ASHA, ASHA_POINTS).await, 1225);

    // Reports are for managers.
    api.get("/v1/reports/redemptions")
        .await
        .expect_problem("forbidden");
    let report = manager.get("/v1/reports/redemptions").await.expect(200);
    assert_eq!(report["reversals"], 1);
    let lines = report["lines"].as_array().unwrap();
    let points = lines
        .iter()
        .find(|l| l["instrument_kind"] == "points")
        .unwrap();
    assert_eq!(
        (points["count"].as_u64(), points["quantity"].as_u64()),
        (Some(1), Some(500))
    );
    assert_eq!(
        report["total_value"],
        json!({ "minor": 75_000, "currency": "INR" })
    );
    manager
        .get("/v1/reports/redemptions?from_ms=10&to_ms=5")
        .await
        .expect_problem("invalid_request");
    manager
        .get("/v1/reports/redemptions?from_ms=abc")
        .await
        .expect_problem("invalid_request");
    let empty = manager
        .get("/v1/reports/redemptions?from_ms=0&to_ms=1000")
        .await
        .expect(200);
    assert_eq!(empty["lines"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_expire_on_their_date_and_are_audited() {
    let server = Server::demo(&["--session-ttl-secs", "400000"]);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    let (meera, points) = ("cust-meera", "cust-meera-points-0");
    let b = manager
        .get(&format!("/v1/customers/{meera}/balance"))
        .await
        .expect(200);
    assert_eq!(b["instruments"][0]["expiring_soon"]["quantity"], 120);
    assert_eq!(manager.available(meera, points).await, 720);

    server.advance_clock(3 * 86_400 + 60).await;
    let lapsed = eventually(10, || async {
        manager.available(meera, points).await == 600
    })
    .await;
    assert!(lapsed, "the sweeper took the expired points");
    let b = manager
        .get(&format!("/v1/customers/{meera}/balance"))
        .await
        .expect(200);
    assert!(b["instruments"][0].get("expiring_soon").is_none());
    let audit = manager.get("/v1/audit?limit=1000").await.expect(200);
    let row = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "points_expired")
        .cloned();
    let detail: Value =
        serde_json::from_str(row.expect("audited")["detail"].as_str().unwrap()).unwrap();
    assert_eq!(
        (detail["customer_id"].as_str(), detail["quantity"].as_u64()),
        (Some(meera), Some(120))
    );
    // Asha's points expire later (10 days): untouched.
    assert_eq!(manager.available(ASHA, ASHA_POINTS).await, 1200);
}

/// Issue 13: a customer reads what they are giving up in its own unit ("1 session of Hair spa
/// × 6"), gets a printed voucher's code on their phone too, and is offered the channel they
/// last read a code on first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_name_the_quantity_in_its_unit_a_voucher_s_code_is_sent_and_the_last_channel_comes_first(
) {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let newest = |messages: Vec<Value>, kind: &str| -> String {
        messages
            .iter()
            .find(|m| m["kind"] == kind)
            .unwrap_or_else(|| panic!("a {kind} message"))["text"]
            .as_str()
            .unwrap()
            .to_string()
    };

    // A package session, by SMS.
    let id = api.create_id(ASHA, "cust-asha-package-1", 1, 200_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let text = newest(server.outbox(ASHA).await, "otp");
    assert!(
        text.contains("is your code to redeem 1 session of Hair spa × 6 (₹1,500.00) at "),
        "{text}"
    );
    // Membership credit, by WhatsApp.
    let id = api
        .create_id("cust-priya", "cust-priya-membership-1", 50_000, 100_000)
        .await;
    api.send_otp(&id, "whatsapp").await.expect(200);
    let text = newest(server.outbox("cust-priya").await, "otp");
    assert!(
        text.contains("is your code to redeem Gold membership credit (₹500.00) at "),
        "{text}"
    );
    // Points read as points.
    let id = api.create_id(ASHA, ASHA_POINTS, 500, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let text = newest(server.outbox(ASHA).await, "otp");
    assert!(
        text.contains("to redeem 500 points (₹500.00) at "),
        "{text}"
    );

    // The store's order until the customer reads a code; then their channel comes first.
    let channels = |b: Value| b["customer"]["channels"].clone();
    assert_eq!(
        channels(api.balance(ASHA).await),
        json!(["sms", "whatsapp", "email"])
    );
    let mut body = redemption_body(ASHA, ASHA_POINTS, 200, 0);
    body["purpose"] = json!({ "kind": "voucher" });
    let vid = id_of(&api.post("/v1/redemptions", body).await.expect(201));
    api.send_otp(&vid, "email").await.expect(200);
    // Sent but not read: no preference yet.
    assert_eq!(channels(api.balance(ASHA).await)[0], "sms");
    let code = server.code_for(&vid).await;
    api.verify(&vid, &code).await.expect(200);
    assert_eq!(
        channels(api.balance(ASHA).await),
        json!(["email", "sms", "whatsapp"])
    );
    let search = api.get("/v1/customers?q=9876543210").await.expect(200);
    assert_eq!(search["customers"][0]["channels"][0], "email");

    // The voucher's code goes where the customer read the code, and the receipt says so.
    let receipt = api.commit(&vid, "voucher-sent").await.expect(200);
    let voucher = &receipt["voucher"];
    assert_eq!(voucher["sent_to"], "a•••@example.com");
    let code = voucher["code"].as_str().unwrap();
    let message = eventually_message(&server, ASHA, "voucher").await;
    assert_eq!(message["channel"], "email");
    let text = message["text"].as_str().unwrap();
    let store = "RedeemGuard Demo Salon & Store";
    let expected = format!(
        "Your voucher for 200 points (₹200.00) at {store}: {code}. Show this code at the counter by "
    );
    assert!(text.starts_with(&expected), "{text}");
    assert!(text.ends_with(". It can be used once."), "{text}");

    // A voucher approved by a manager's override: the customer proved no contact, so its
    // code (which spends like cash) goes nowhere but the printed voucher.
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    manager
        .set_policy(json!({ "override_enabled": true, "override_store_code": true }))
        .await;
    let mut body = redemption_body("cust-priya", "cust-priya-points-0", 100, 0);
    body["purpose"] = json!({ "kind": "voucher" });
    let oid = id_of(&api.post("/v1/redemptions", body).await.expect(201));
    api.send_otp(&oid, "sms").await.expect(200);
    api.post(
        &format!("/v1/redemptions/{oid}/override"),
        json!({ "manager_code": "M001", "manager_pin": "9999", "override_code": "24681357", "reason": "number changed" }),
    )
    .await
    .expect(200);
    let receipt = api.commit(&oid, "voucher-override").await.expect(200);
    assert!(receipt["voucher"]["code"].is_string());
    assert_eq!(receipt["voucher"].get("sent_to"), None, "{receipt}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !server
            .outbox("cust-priya")
            .await
            .iter()
            .any(|m| m["kind"] == "voucher"),
        "no voucher code to an unproved contact"
    );
}

/// The newest message of a kind to a customer, once it arrives (confirmations go out in the
/// background).
async fn eventually_message(server: &Server, customer: &str, kind: &str) -> Value {
    for _ in 0..100 {
        if let Some(m) = server
            .outbox(customer)
            .await
            .into_iter()
            .find(|m| m["kind"] == kind)
        {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no {kind} message to {customer}");
}
