//! S12: limits that belong to a bill or a day hold across redemptions (issue 12 items 3, 5, 6
//! and the store's time zone), and the reversal window (SPEC §3).

use crate::helpers::*;
use serde_json::{json, Value};
use std::sync::Arc;

const BENCH: &str = "bench-cust-1";
const BENCH_POINTS: &str = "bench-cust-1-points-0";
const ROHAN: &str = "cust-rohan";
const ROHAN_GIFT: &str = "cust-rohan-gift_card-1";

fn on_bill(customer: &str, instrument: &str, quantity: u64, bill: &str, total: u64) -> Value {
    json!({
        "customer_id": customer, "instrument_id": instrument, "quantity": quantity,
        "purpose": { "kind": "bill", "bill": { "id": bill, "total": { "minor": total, "currency": "INR" } } }
    })
}

/// Holds, and when a code is needed, sends and types it: the intent is approved.
async fn approve(server: &Server, api: &Api, body: Value) -> Value {
    let r = api.post("/v1/redemptions", body).await.expect(201);
    let id = id_of(&r);
    if r["status"] == "awaiting_otp" {
        api.send_otp(&id, "sms").await.expect(200);
        let code = server.code_for(&id).await;
        api.verify(&id, &code).await.expect(200);
    }
    r
}

/// Approves and commits; returns the receipt.
async fn redeem(server: &Server, api: &Api, body: Value) -> Value {
    let r = approve(server, api, body).await;
    let id = id_of(&r);
    api.commit(&id, &format!("k-{id}")).await.expect(200)
}

/// The server's clock (tests move it forward only).
async fn advance(server: &Server, secs: i64) -> i64 {
    reqwest::Client::new()
        .post(format!("{}/testing/clock?advance_secs={secs}", server.base))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["now_ms"]
        .as_i64()
        .unwrap()
}

/// Issue 12 item 3: two 1,000-point redemptions on one ₹1,000 bill both committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s12_the_bill_total_covers_every_open_hold_and_posted_redemption_of_the_bill() {
    let server = Server::demo(&["--demo-bench-terminals", "2"]);
    let api = server.api("bench-till-1").sign_in("C001", "1234").await;
    let other_till = server.api("bench-till-2").sign_in("C001", "1234").await;

    let first = redeem(
        &server,
        &api,
        on_bill(BENCH, BENCH_POINTS, 1_000, "S12-A", 100_000),
    )
    .await;
    assert_eq!(first["bill_redeemed"]["minor"], 100_000);
    let p = api
        .post(
            "/v1/redemptions",
            on_bill(BENCH, BENCH_POINTS, 1_000, "S12-A", 100_000),
        )
        .await
        .expect_problem("exceeds_bill");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("Nothing is left to pay"),
        "{p}"
    );
    // Not even one more rupee, from another till either.
    other_till
        .post(
            "/v1/redemptions",
            on_bill(BENCH, BENCH_POINTS, 50, "S12-A", 100_000),
        )
        .await
        .expect_problem("exceeds_bill");

    // An open hold counts as much as a posted redemption; a cancelled one stops counting.
    let held = api
        .post(
            "/v1/redemptions",
            on_bill(BENCH, BENCH_POINTS, 600, "S12-B", 100_000),
        )
        .await
        .expect(201);
    let p = other_till
        .post(
            "/v1/redemptions",
            on_bill(BENCH, BENCH_POINTS, 500, "S12-B", 100_000),
        )
        .await
        .expect_problem("exceeds_bill");
    assert_eq!(
        (p["allowed"]["max"].as_u64(), p["field"].as_str()),
        (Some(400), Some("quantity"))
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("is left to pay: enter 400 or less"),
        "{p}"
    );
    api.post(
        &format!("/v1/redemptions/{}/cancel", id_of(&held)),
        json!({}),
    )
    .await
    .expect(200);
    other_till
        .post(
            "/v1/redemptions",
            on_bill(BENCH, BENCH_POINTS, 500, "S12-B", 100_000),
        )
        .await
        .expect(201);

    // A bill number reused with another total is refused, naming both totals.
    let p = api
        .post(
            "/v1/redemptions",
            on_bill(BENCH, BENCH_POINTS, 100, "S12-A", 500_000),
        )
        .await
        .expect_problem("bill_mismatch");
    assert_eq!(p["status"], 409);
    assert_eq!(p["field"], "purpose.bill.total");
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("₹1,000.00") && detail.contains("₹5,000.00"),
        "{detail}"
    );
    // The same number in a voucher is no bill at all.
    api.post(
        "/v1/redemptions",
        json!({ "customer_id": BENCH, "instrument_id": BENCH_POINTS, "quantity": 100, "purpose": { "kind": "voucher" } }),
    )
    .await
    .expect(201);
    assert!(verify_audit(&server.db).0);
}

/// Issue 12 item 3: three gift-card redemptions took ₹2,499.98 from a ₹2,000 bill with a
/// 50% cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s12_the_per_bill_cap_covers_every_redemption_of_the_bill() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    manager
        .set_policy(json!({ "max_redeem_per_bill": { "kind": "percent", "percent": 50 } }))
        .await;
    let before = api.available(ROHAN, ROHAN_GIFT).await;
    let mut taken = 0;
    for _ in 0..3 {
        let r = api
            .post(
                "/v1/redemptions",
                on_bill(ROHAN, ROHAN_GIFT, 83_333, "S12-GIFT", 200_000),
            )
            .await;
        if r.status == 201 {
            let id = id_of(&r.json());
            let receipt = api.commit(&id, &format!("k-{id}")).await.expect(200);
            taken += receipt["value"]["minor"].as_u64().unwrap();
            assert_eq!(receipt["bill_redeemed"]["minor"].as_u64(), Some(taken));
        } else {
            let p = r.expect_problem("exceeds_bill_cap");
            assert_eq!(p["allowed"]["max"].as_u64(), Some(100_000 - taken));
        }
    }
    assert_eq!(
        taken, 83_333,
        "₹833.33 of a ₹1,000 cap; the next ₹833.33 would pass it"
    );
    // What is left of the cap can still be taken; then nothing at all.
    let r = redeem(
        &server,
        &api,
        on_bill(ROHAN, ROHAN_GIFT, 16_667, "S12-GIFT", 200_000),
    )
    .await;
    assert_eq!(r["bill_redeemed"]["minor"], 100_000);
    api.post(
        "/v1/redemptions",
        on_bill(ROHAN, ROHAN_GIFT, 1, "S12-GIFT", 200_000),
    )
    .await
    .expect_problem("exceeds_bill_cap");
    assert_eq!(before - api.available(ROHAN, ROHAN_GIFT).await, 100_000);
}

/// A burst of holds on one bill from several tills never passes the bill's total: each hold
/// adds up the bill in the transaction that holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s12_a_concurrent_burst_of_holds_on_one_bill_never_exceeds_it() {
    let server = Arc::new(Server::demo(&["--demo-bench-terminals", "4"]));
    let mut apis = Vec::new();
    for i in 1..=4 {
        apis.push(
            server
                .api(&format!("bench-till-{i}"))
                .sign_in("C001", "1234")
                .await,
        );
    }
    let mut tasks = Vec::new();
    for k in 0..60 {
        let api = apis[k % apis.len()].clone();
        tasks.push(tokio::spawn(async move {
            let customer = format!("bench-cust-{}", k % 4 + 1);
            let instrument = format!("{customer}-points-0");
            let r = api
                .post(
                    "/v1/redemptions",
                    on_bill(&customer, &instrument, 100, "S12-BURST", 100_000),
                )
                .await;
            match r.status {
                201 => r.json()["value"]["minor"].as_u64().unwrap(),
                _ => {
                    r.expect_problem("exceeds_bill");
                    0
                }
            }
        }));
    }
    let mut held = Vec::new();
    for t in tasks {
        held.push(t.await.unwrap());
    }
    let total: u64 = held.iter().sum();
    let accepted = held.iter().filter(|v| **v > 0).count();
    assert_eq!(
        (total, accepted),
        (100_000, 10),
        "₹1,000 bill: ten ₹100 holds"
    );
}

/// Issue 12 item 5: with ₹500 set, 24 redemptions of 499 points took 11,976 points without
/// a code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s12_otp_min_value_covers_the_no_code_total_per_bill_and_per_store_day() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    manager
        .set_policy(json!({ "otp_min_value": { "minor": 50_000, "currency": "INR" } }))
        .await;
    let first = api
        .post(
            "/v1/redemptions",
            on_bill(ASHA, ASHA_POINTS, 499, "NC-1", 10_000_000),
        )
        .await
        .expect(201);
    assert_eq!(
        (first["status"].as_str(), first["otp_required"].as_bool()),
        (Some("approved"), Some(false))
    );
    api.commit(&id_of(&first), "nc-1").await.expect(200);
    // On the same bill, and on another bill the same day: the second one needs the code.
    for bill in ["NC-1", "NC-2"] {
        let second = api
            .post(
                "/v1/redemptions",
                on_bill(ASHA, ASHA_POINTS, 499, bill, 10_000_000),
            )
            .await
            .expect(201);
        assert_eq!(
            (second["status"].as_str(), second["otp_required"].as_bool()),
            (Some("awaiting_otp"), Some(true)),
            "bill {bill}"
        );
        api.post(
            &format!("/v1/redemptions/{}/cancel", id_of(&second)),
            json!({}),
        )
        .await
        .expect(200);
    }
    // A smaller amount does not split its way under the threshold either.
    let small = api
        .post(
            "/v1/redemptions",
            on_bill(ASHA, ASHA_POINTS, 50, "NC-3", 10_000_000),
        )
        .await
        .expect(201);
    assert_eq!(small["status"], "awaiting_otp");
    let holds = manager.audit_details("hold").await;
    assert_eq!(holds[0]["no_code"], true);
    assert!(holds[1..].iter().all(|h| h["no_code"] == false));
}

/// Moves the server's clock to just after the next 18:00 UTC, i.e. 23:30 IST: the last half
/// hour of a store day in Asia/Kolkata, on a UTC day with 18 hours behind it.
async fn to_ist_evening(server: &Server) {
    let now = advance(server, 0).await;
    let day = 86_400_000;
    let evening = now - now.rem_euclid(day) + 18 * 3_600_000;
    let evening = if evening <= now {
        evening + day
    } else {
        evening
    };
    advance(server, (evening - now) / 1000 + 1).await;
}

/// The store's day follows its time zone (default Asia/Kolkata): a redemption at 23:30 IST
/// and one at 00:30 IST are on two store days, though on one UTC day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s12_store_days_follow_the_store_time_zone() {
    let server = Server::demo(&[]);
    to_ist_evening(&server).await;
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    assert_eq!(manager.policy().await["time_zone"], "Asia/Kolkata");
    manager
        .set_policy(json!({ "otp_min_value": { "minor": 50_000, "currency": "INR" } }))
        .await;
    let late = api
        .post(
            "/v1/redemptions",
            on_bill(ASHA, ASHA_POINTS, 499, "TZ-1", 10_000_000),
        )
        .await
        .expect(201);
    assert_eq!(
        late["status"], "approved",
        "23:30 IST: the first of the day"
    );
    api.commit(&id_of(&late), "tz-1").await.expect(200);
    // 23:45 IST: the same store day.
    advance(&server, 15 * 60).await;
    let same_day = api
        .post(
            "/v1/redemptions",
            on_bill(ASHA, ASHA_POINTS, 499, "TZ-2", 10_000_000),
        )
        .await
        .expect(201);
    assert_eq!(same_day["status"], "awaiting_otp");
    api.post(
        &format!("/v1/redemptions/{}/cancel", id_of(&same_day)),
        json!({}),
    )
    .await
    .expect(200);
    // 00:30 IST: a new store day (the same UTC day as 23:30 IST).
    advance(&server, 45 * 60).await;
    let next_day = api
        .post(
            "/v1/redemptions",
            on_bill(ASHA, ASHA_POINTS, 499, "TZ-3", 10_000_000),
        )
        .await
        .expect(201);
    assert_eq!(next_day["status"], "approved", "00:30 IST: a new store day");
    api.post(
        &format!("/v1/redemptions/{}/cancel", id_of(&next_day)),
        json!({}),
    )
    .await
    .expect(200);
    // In UTC, 00:30 IST is still the day of the first redemption.
    manager.set_policy(json!({ "time_zone": "UTC" })).await;
    let utc = api
        .post(
            "/v1/redemptions",
            on_bill(ASHA, ASHA_POINTS, 499, "TZ-4", 10_000_000),
        )
        .await
        .expect(201);
    assert_eq!(utc["status"], "awaiting_otp");

    // A zone is checked by shape in the contract and for existence by the server.
    let mut p = manager.policy().await;
    for (zone, why) in [
        ("Mars/Olympus_Mons", "not a known time zone"),
        ("india", "not a time zone name"),
    ] {
        p["time_zone"] = json!(zone);
        let e = manager
            .put("/v1/policy", p.clone())
            .await
            .expect_problem("policy_invalid");
        assert_eq!(e["errors"][0]["field"], "time_zone");
        assert!(
            e["errors"][0]["message"].as_str().unwrap().contains(why),
            "{e}"
        );
    }
}

/// Issue 12 item 6: 999,999,000,000 points on a ₹1 bill were accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s12_points_earned_come_from_the_bill_and_the_earn_rate_never_a_free_number() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let accrue = |bill: &str, total: u64| json!({ "customer_id": ASHA, "bill": { "id": bill, "total": { "minor": total, "currency": "INR" } } });
    let mut forged = accrue("E-0", 100);
    forged["points"] = json!(999_999_000_000u64);
    let p = api
        .post("/v1/accruals", forged)
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "points");
    let p = api
        .post("/v1/accruals", accrue("E-1", 100))
        .await
        .expect_problem("nothing_earned");
    assert_eq!(
        p["detail"],
        "A bill of ₹1.00 earns no points: the store gives 1 point per ₹100.00"
    );
    let before = api.available(ASHA, ASHA_POINTS).await;
    // 1 point per ₹100.00, rounded down.
    let a = api
        .post("/v1/accruals", accrue("E-2", 259_999))
        .await
        .expect(201);
    assert_eq!(
        (a["points"].as_u64(), a["balance_after"].as_u64()),
        (Some(25), Some(before + 25))
    );
    // At most earn_cap_per_bill (1,000) points a bill.
    let a = api
        .post("/v1/accruals", accrue("E-3", 900_000_000))
        .await
        .expect(201);
    assert_eq!(a["points"], 1_000);
    // The store's rate: 3 points per ₹50.00, at most 100 a bill.
    manager
        .set_policy(json!({ "earn_points": 3, "earn_per": { "minor": 5_000, "currency": "INR" }, "earn_cap_per_bill": 100 }))
        .await;
    let a = api
        .post("/v1/accruals", accrue("E-4", 100_000))
        .await
        .expect(201);
    assert_eq!(a["points"], 60);
    let a = api
        .post("/v1/accruals", accrue("E-5", 1_000_000))
        .await
        .expect(201);
    assert_eq!(a["points"], 100);
    let audited = manager.audit_details("accrual").await;
    assert_eq!(audited.last().unwrap()["bill_total_minor"], 1_000_000);
    // A bill redeemed against with one total cannot earn as another.
    api.post(
        "/v1/redemptions",
        on_bill(ASHA, ASHA_POINTS, 100, "E-6", 50_000),
    )
    .await
    .expect(201);
    api.post("/v1/accruals", accrue("E-6", 5_000_000))
        .await
        .expect_problem("bill_mismatch");
    // And the other way round: points earned on a bill's total fix that total, so the bill
    // cannot be redeemed against as another (a cashier's inflated total to earn more, then
    // the real one to redeem).
    api.post("/v1/accruals", accrue("E-7", 5_000_000))
        .await
        .expect(201);
    let p = api
        .post(
            "/v1/redemptions",
            on_bill(ASHA, ASHA_POINTS, 100, "E-7", 50_000),
        )
        .await
        .expect_problem("bill_mismatch");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("points earned on it) with a total of ₹50,000.00"),
        "{p}"
    );
    assert!(verify_audit(&server.db).0);
}

/// Issue 12 item 6: any cashier could reverse any redemption, on any till, at any time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s9_a_reversal_is_the_posting_cashiers_within_the_window_else_a_managers() {
    let server = Server::demo(&[]);
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let reverse = |id: &str| {
        (
            format!("/v1/redemptions/{id}/reverse"),
            json!({ "reason": "returned" }),
        )
    };

    // Posted by the manager: the cashier may not reverse it.
    let by_manager = redeem(
        &server,
        &manager,
        on_bill(ASHA, ASHA_POINTS, 100, "R-1", 10_000_000),
    )
    .await;
    let (path, body) = reverse(by_manager["redemption_id"].as_str().unwrap());
    let p = cashier
        .post(&path, body.clone())
        .await
        .expect_problem("forbidden");
    assert_eq!(
        p["detail"],
        "Only the cashier who redeemed this, or a manager, can reverse it: ask a manager"
    );
    manager.post(&path, body).await.expect(200);

    // Posted by the cashier: theirs to reverse within 30 minutes, on another till too.
    let own = redeem(
        &server,
        &cashier,
        on_bill(ASHA, ASHA_POINTS, 100, "R-2", 10_000_000),
    )
    .await;
    let elsewhere = server.api("demo-till-2").sign_in("C001", "1234").await;
    let (path, body) = reverse(own["redemption_id"].as_str().unwrap());
    elsewhere.post(&path, body).await.expect(200);

    // After the window only a manager may.
    let late = redeem(
        &server,
        &cashier,
        on_bill(ASHA, ASHA_POINTS, 100, "R-3", 10_000_000),
    )
    .await;
    server.advance_clock(31 * 60).await;
    let (path, body) = reverse(late["redemption_id"].as_str().unwrap());
    let p = cashier
        .post(&path, body.clone())
        .await
        .expect_problem("forbidden");
    assert_eq!(
        p["detail"],
        "More than 30 min has passed since this was redeemed: only a manager can reverse it now"
    );
    manager.post(&path, body).await.expect(200);
    let reversals = manager.audit_details("reverse").await;
    assert_eq!(reversals.len(), 3);
    assert!(reversals.iter().all(|r| r["posted_by"].is_string()));
}

/// Issue 12 item 10: daily caps reset at UTC midnight, not the store's. The override cap
/// counts the store's day (Asia/Kolkata): one override at 23:30 IST uses up a cap of one, and
/// 00:30 IST, the same UTC day, is a new store day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s8_the_override_daily_cap_counts_the_store_day_in_its_time_zone() {
    let server = Server::demo(&[]);
    to_ist_evening(&server).await;
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    manager.set_policy(json!({ "override_daily_cap": 1 })).await;
    let override_one = || {
        let api = api.clone();
        async move {
            let id = api.create_id(ASHA, ASHA_POINTS, 50, 10_000_000).await;
            api.post(
                &format!("/v1/redemptions/{id}/override"),
                json!({ "manager_code": "M001", "manager_pin": "9999", "override_code": "24681357", "reason": "no signal" }),
            )
            .await
        }
    };
    override_one().await.expect(200);
    override_one().await.expect_problem("override_cap_reached");
    advance(&server, 60 * 60).await; // 00:30 IST
    override_one().await.expect(200);
}
