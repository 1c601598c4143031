//! Sessions, the policy and customers over real HTTP, one server process per test.

use crate::helpers::*;
use serde_json::json;

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

    // Guessing PINs: a terminal is refused after 10 failures in 15 minutes, and so is the
    // staff member on every terminal (S11, security/guessing.rs); other staff elsewhere are not.
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
    .expect_problem("rate_limited");
    till.post(
        "/v1/sessions",
        json!({ "staff_code": "C001", "pin": "1234" }),
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
    dollars["earn_per"] = json!({ "minor": 10_000, "currency": "USD" });
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
