//! Every endpoint and error code over real HTTP, one server process per test.

use crate::helpers::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_sign_in_sign_out_and_expiry() {
    let server = Server::demo(&["--session-ttl-secs", "120"]);
    let till = server.api("demo-till-1");

    let s = till
        .post(
            "/v1/sessions",
            json!({ "staff_code": "C001", "pin": "1234" }),
        )
        .await
        .expect(201);
    assert_eq!(s["staff"]["role"], "cashier");
    assert_eq!(s["staff"]["name"], "Priya Sharma");
    assert_eq!(s["terminal"]["mode"], "pos");
    assert_eq!(s["store"]["name"], "RedeemGuard Demo Salon & Store");
    assert_eq!(s["token"].as_str().unwrap().len(), 64);

    till.post(
        "/v1/sessions",
        json!({ "staff_code": "C001", "pin": "0000" }),
    )
    .await
    .expect_problem("sign_in_failed");
    till.post(
        "/v1/sessions",
        json!({ "staff_code": "X999", "pin": "1234" }),
    )
    .await
    .expect_problem("sign_in_failed");
    till.post("/v1/sessions", json!({ "staff_code": "", "pin": "" }))
        .await
        .expect_problem("sign_in_failed");
    till.post("/v1/sessions", json!({ "staff_code": 7 }))
        .await
        .expect_problem("invalid_request");
    server
        .api("no-such-till")
        .post(
            "/v1/sessions",
            json!({ "staff_code": "C001", "pin": "1234" }),
        )
        .await
        .expect_problem("unauthenticated");
    server
        .api("")
        .get("/v1/policy")
        .await
        .expect_problem("unauthenticated");
    till.get("/v1/policy")
        .await
        .expect_problem("unauthenticated"); // no session yet

    // A kiosk opens a self-service session without staff credentials.
    let kiosk = server.api("demo-kiosk-1");
    let k = kiosk
        .post("/v1/sessions", json!({ "staff_code": "", "pin": "" }))
        .await
        .expect(201);
    assert_eq!(
        (k["terminal"]["mode"].as_str(), k["staff"]["role"].as_str()),
        (Some("kiosk"), Some("cashier"))
    );

    let cashier = till.clone().sign_in("C001", "1234").await;
    cashier.get("/v1/policy").await.expect(200);
    // The session belongs to its terminal.
    let mut elsewhere = server.api("demo-till-2");
    elsewhere.token = cashier.token.clone();
    elsewhere
        .get("/v1/policy")
        .await
        .expect_problem("session_expired");

    cashier.delete("/v1/sessions/current").await.expect(204);
    cashier
        .get("/v1/policy")
        .await
        .expect_problem("session_expired");

    let manager = till.clone().sign_in("M001", "9999").await;
    manager.get("/v1/policy").await.expect(200);
    server.advance_clock(121).await;
    manager
        .get("/v1/policy")
        .await
        .expect_problem("session_expired");

    // Guessing PINs: a terminal is refused after 10 failures in 15 minutes; others are not.
    let guesser = server.api("demo-till-2");
    let guesses: Vec<_> = (0..10)
        .map(|n| {
            let g = guesser.clone();
            tokio::spawn(async move {
                g.post(
                    "/v1/sessions",
                    json!({ "staff_code": "M001", "pin": format!("{n:04}") }),
                )
                .await
            })
        })
        .collect();
    for g in guesses {
        g.await.unwrap().expect_problem("sign_in_failed");
    }
    let p = guesser
        .post(
            "/v1/sessions",
            json!({ "staff_code": "M001", "pin": "9999" }),
        )
        .await
        .expect_problem("rate_limited");
    assert!(p["retry_after_secs"].as_u64().unwrap() > 0);
    till.post(
        "/v1/sessions",
        json!({ "staff_code": "M001", "pin": "9999" }),
    )
    .await
    .expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_read_update_and_validation() {
    let server = Server::demo(&[]);
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;

    let p = cashier.policy().await;
    assert_eq!(p["otp_length"], 6);
    assert_eq!(p["otp_ttl_secs"], 300);
    assert_eq!(p["currency"], "INR");

    cashier
        .put("/v1/policy", p.clone())
        .await
        .expect_problem("forbidden");

    let mut changed = p.clone();
    changed["otp_length"] = json!(8);
    changed["min_redeem_points"] = json!(100);
    let stored = manager.put("/v1/policy", changed).await.expect(200);
    assert_eq!(stored["otp_length"], 8);
    assert_eq!(cashier.policy().await["min_redeem_points"], 100);

    let mut bad = p.clone();
    bad["otp_length"] = json!(4);
    bad["otp_ttl_secs"] = json!(3600);
    bad["channels"] = json!([]);
    bad["templates"]["email"] = json!("Your code is {otp}");
    let problem = manager
        .put("/v1/policy", bad)
        .await
        .expect_problem("policy_invalid");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["otp_length", "otp_ttl_secs", "channels", "templates.email"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    assert_eq!(
        cashier.policy().await["otp_length"],
        8,
        "an invalid policy changes nothing"
    );

    let mut dollars = p.clone();
    dollars["currency"] = json!("USD");
    dollars["point_value"] = json!({ "minor": 1, "currency": "USD" });
    dollars["otp_min_value"] = json!({ "minor": 0, "currency": "USD" });
    let problem = manager
        .put("/v1/policy", dollars)
        .await
        .expect_problem("policy_invalid");
    assert_eq!(
        problem["errors"][0]["field"], "currency",
        "a store's currency is fixed"
    );

    manager
        .put("/v1/policy", json!({ "otp_length": 6 }))
        .await
        .expect_problem("invalid_request");
    manager
        .send(
            reqwest::Method::PUT,
            "/v1/policy",
            Some(b"{not json".to_vec()),
            &[],
        )
        .await
        .expect_problem("invalid_request");
    let mut typo = p.clone();
    typo["otp_ttl_secs"] = json!("300");
    manager
        .put("/v1/policy", typo)
        .await
        .expect_problem("invalid_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_search_masks_contacts_and_balances_list_instruments() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;

    for q in [
        "9876543210",
        "%2B91%2098765-43210",
        "09876543210",
        "RG00012345",
        "rg-0001-2345",
        "asha",
        "ASHA R",
    ] {
        let r = api.get(&format!("/v1/customers?q={q}")).await.expect(200);
        let ids: Vec<&str> = r["customers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![ASHA], "q={q}");
        let c = &r["customers"][0];
        assert_eq!(c["masked_mobile"], "+91 ••••••3210");
        assert_eq!(c["masked_email"], "a•••@example.com");
        assert_eq!(c["masked_card"], "•••• 2345");
        assert_eq!(c["channels"], json!(["sms", "whatsapp", "email"]));
        assert!(
            !r.to_string().contains("9876543210") && !r.to_string().contains("asha@"),
            "contacts are masked"
        );
    }
    let many = api.get("/v1/customers?q=ra").await.expect(200);
    assert!(many["customers"].as_array().unwrap().len() >= 3);
    let vikram = api.get("/v1/customers?q=Vikram").await.expect(200);
    assert_eq!(
        vikram["customers"][0]["channels"],
        json!(["sms"]),
        "no WhatsApp opt-in, no e-mail"
    );
    let meera = api.get("/v1/customers?q=Meera").await.expect(200);
    assert_eq!(meera["customers"][0]["channels"], json!(["email"]));
    assert_eq!(
        api.get("/v1/customers?q=Nobody%20Here").await.expect(200)["customers"],
        json!([])
    );
    api.get("/v1/customers?q=98765")
        .await
        .expect_problem("invalid_mobile");
    api.get("/v1/customers?q=5876543210")
        .await
        .expect_problem("invalid_mobile");
    api.get("/v1/customers?q=a")
        .await
        .expect_problem("invalid_request");
    api.get("/v1/customers")
        .await
        .expect_problem("invalid_request");

    let b = api
        .get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect(200);
    assert_eq!(b["customer"]["name"], "Asha Rao");
    let points = &b["instruments"][0];
    assert_eq!(
        (points["kind"].as_str(), points["available"].as_u64()),
        (Some("points"), Some(1200))
    );
    assert_eq!(points["expiring_soon"]["quantity"], 200);
    assert_eq!(
        points["unit_value"],
        json!({ "minor": 100, "currency": "INR" })
    );
    assert_eq!(b["instruments"][1]["label"], "Hair spa × 6");
    assert_eq!(b["instruments"][1]["unit"], "sessions");
    let kinds = |id: &'static str| {
        let api = api.clone();
        async move {
            let b = api.balance(id).await;
            b["instruments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["kind"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert!(kinds("cust-priya")
        .await
        .contains(&"membership".to_string()));
    assert!(kinds("cust-kavya").await.contains(&"campaign".to_string()));
    assert!(kinds("cust-rohan").await.contains(&"gift_card".to_string()));
    api.get("/v1/customers/nobody/balance")
        .await
        .expect_problem("customer_not_found");
}

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
            json!({ "customer_id": ASHA, "points": 10,
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
        .post(
            "/v1/accruals",
            json!({ "customer_id": ASHA, "bill": bill, "points": 25 }),
        )
        .await
        .expect(201);
    assert_eq!(a["balance_after"], 1225);
    let again = api
        .post(
            "/v1/accruals",
            json!({ "customer_id": ASHA, "bill": bill, "points": 25 }),
        )
        .await
        .expect(201);
    assert_eq!(again["id"], a["id"]);
    api.post(
        "/v1/accruals",
        json!({ "customer_id": ASHA, "bill": bill, "points": 30 }),
    )
    .await
    .expect_problem("idempotency_conflict");
    api.post("/v1/accruals", json!({ "customer_id": "nobody", "bill": { "id": "S-2", "total": { "minor": 1, "currency": "INR" } }, "points": 5 }))
        .await
        .expect_problem("customer_not_found");
    api.post("/v1/accruals", json!({ "customer_id": ASHA, "bill": { "id": "S-3", "total": { "minor": 1, "currency": "INR" } }, "points": 0 }))
        .await
        .expect_problem("invalid_quantity");
    // A customer without points gets a points instrument on the first accrual.
    let lakshmi = api
        .post("/v1/accruals", json!({ "customer_id": "cust-lakshmi", "bill": { "id": "S-4", "total": { "minor": 1, "currency": "INR" } }, "points": 40 }))
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
async fn transport_errors_are_problems_and_openapi_matches_the_committed_copy() {
    let server = Server::demo(&[
        "--body-limit-bytes",
        "2048",
        "--cors-origin",
        "https://salon.example",
    ]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;

    let r = api.get("/v1/nothing-here").await;
    r.expect_problem("not_found");
    assert!(
        r.headers.get("x-request-id").is_some(),
        "every response carries a request id"
    );
    api.send(reqwest::Method::PATCH, "/v1/policy", None, &[])
        .await
        .expect_problem("not_found");
    let big = json!({ "reason": "x".repeat(4096) })
        .to_string()
        .into_bytes();
    api.send(
        reqwest::Method::POST,
        "/v1/redemptions/r/reverse",
        Some(big),
        &[],
    )
    .await
    .expect_problem("payload_too_large");
    api.send(
        reqwest::Method::POST,
        "/v1/redemptions",
        Some(b"{\"customer_id\":".to_vec()),
        &[],
    )
    .await
    .expect_problem("invalid_request");
    api.get("/v1/audit?limit=many")
        .await
        .expect_problem("invalid_request");

    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    let served: Value = reqwest::get(format!("{}/v1/openapi.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let committed: Value = serde_json::from_str(include_str!("../../openapi.json"))
        .expect("crates/server/openapi.json is valid JSON");
    assert!(
        served == committed,
        "crates/server/openapi.json is stale: regenerate with `cargo run -p redeemguard-server --bin redeemguard-server -- openapi > crates/server/openapi.json`"
    );
    for path in [
        "/v1/sessions",
        "/v1/redemptions/{id}/commit",
        "/v1/audit",
        "/v1/accruals",
        "/v1/customers/{id}/balance",
        "/v1/kiosk/identify",
        "/v1/kiosk/verify",
        "/v1/kiosk/forget",
    ] {
        assert!(served["paths"].get(path).is_some(), "{path} is documented");
    }
    let out = std::process::Command::new(BIN)
        .arg("openapi")
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        served
    );

    // CORS: the allow-listed origin only.
    let preflight = |origin| cors_preflight(&server.base, origin, "x-terminal-token");
    let ok = preflight("https://salon.example").await.unwrap();
    assert_eq!(
        ok.headers().get("access-control-allow-origin").unwrap(),
        "https://salon.example"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_demo_there_is_no_phone_and_sends_fail_honestly() {
    // Seed a database in demo mode, then serve it as production would.
    let server = Server::production_seeded();
    let db = server.db.clone();
    for path in ["/demo/phone", "/demo/outbox.json"] {
        let r = reqwest::get(format!("{}{path}", server.base))
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    assert!(!server.logs().contains("DEMO"), "no demo banner");
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let r = api
        .create(ASHA, ASHA_POINTS, 100, 100_000)
        .await
        .expect(201);
    let id = r["id"].as_str().unwrap();
    api.post(
        &format!("/v1/redemptions/{id}/otp"),
        json!({ "channel": "sms" }),
    )
    .await
    .expect_problem("delivery_failed");
    // The undelivered code is void; a manager override is the way on.
    api.post(
        &format!("/v1/redemptions/{id}/verify"),
        json!({ "code": "123456" }),
    )
    .await
    .expect_problem("otp_not_sent");
    drop(server);

    // Without a secret, a production server refuses to start.
    let out = std::process::Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env_remove("REDEEMGUARD_OTP_SECRET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("REDEEMGUARD_OTP_SECRET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_serves_the_app_with_an_index_fallback() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let site = dir.path().join("dist");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>RedeemGuard app</title>",
    )
    .unwrap();
    std::fs::write(site.join("app.js"), "console.log('app');\n".repeat(200)).unwrap();
    // A release build writes `.gz` files beside the bundle (xtask); they are sent as they are.
    std::fs::write(site.join("app.css"), "body{}\n".repeat(200)).unwrap();
    std::fs::write(site.join("app.css.gz"), b"precompressed bytes").unwrap();
    let config = dir.path().join("server.toml");
    std::fs::write(
        &config,
        format!("demo = true\nstatic_dir = {:?}\ncors_origins = [\"https://salon.example\"]\nsession_ttl_secs = 600\n", site),
    )
    .unwrap();
    let db = dir.path().join("cfg.sqlite");
    let server = Server::spawn(
        dir.clone(),
        db.clone(),
        &["--config", config.to_str().unwrap()],
        &[],
    );
    let get = |path: &'static str| {
        let base = server.base.clone();
        async move {
            let r = reqwest::get(format!("{base}{path}")).await.unwrap();
            let ct = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            (r.status().as_u16(), ct, r.text().await.unwrap())
        }
    };
    let (status, ct, body) = get("/").await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/html") && body.contains("RedeemGuard app"));
    let (status, _, body) = get("/kiosk/start").await;
    assert_eq!(status, 200, "client-side routes get index.html");
    assert!(body.contains("RedeemGuard app"));
    let (status, ct, _) = get("/app.js").await;
    assert_eq!(status, 200);
    assert!(ct.contains("javascript"), "{ct}");
    let gzipped = reqwest::Client::new()
        .get(format!("{}/app.js", server.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        gzipped
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip"),
        "the app's files travel gzipped"
    );
    assert!(gzipped.bytes().await.unwrap().len() < 200, "and smaller");
    let precompressed = reqwest::Client::new()
        .get(format!("{}/app.css", server.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        precompressed.headers().get("content-encoding").unwrap(),
        "gzip"
    );
    assert_eq!(
        &precompressed.bytes().await.unwrap()[..],
        b"precompressed bytes",
        "the build's .gz file, not a fresh compression"
    );
    let (status, ct, body) = get("/v1/not-a-route").await;
    assert_eq!(
        (status, ct.as_str()),
        (404, "application/problem+json"),
        "{body}"
    );
    assert!(
        server.logs().contains("DEMO MODE"),
        "demo = true in the file"
    );
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let session_ttl = api
        .post(
            "/v1/sessions",
            json!({ "staff_code": "C001", "pin": "1234" }),
        )
        .await
        .expect(201);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((session_ttl["expires_at_ms"].as_i64().unwrap() - now - 600_000).abs() < 30_000);
    drop(server);

    // A misspelt setting is refused, not ignored.
    std::fs::write(&config, "demo = true\nlisten_on = \"127.0.0.1:1\"\n").unwrap();
    let out = std::process::Command::new(BIN)
        .args(["--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("listen_on"));
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
