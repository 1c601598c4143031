//! Issue 15: a printed voucher is redeemed at the till once, by its code; a copy presented
//! again is refused and audited; vouchers expire; its value counts on the bill (S12).

use crate::helpers::*;
use serde_json::{json, Value};

const REDEEM: &str = "/v1/vouchers/redeem";

/// `points` of Asha's turned into a printed voucher (the customer's code read back): its code.
async fn print_voucher(server: &Server, api: &Api, points: u64) -> String {
    let mut body = redemption_body(ASHA, ASHA_POINTS, points, 0);
    body["purpose"] = json!({ "kind": "voucher" });
    let r = api.post("/v1/redemptions", body).await.expect(201);
    let id = r["id"].as_str().unwrap().to_string();
    api.post(
        &format!("/v1/redemptions/{id}/otp"),
        json!({ "channel": "sms" }),
    )
    .await
    .expect(200);
    let code = server.latest_code(ASHA).await;
    api.post(
        &format!("/v1/redemptions/{id}/verify"),
        json!({ "code": code }),
    )
    .await
    .expect(200);
    let receipt = api.commit(&id, &format!("k-{id}")).await.expect(200);
    receipt["voucher"]["code"].as_str().unwrap().to_string()
}

fn on_bill(code: &str, bill: &str, total: u64) -> Value {
    json!({ "code": code, "bill": { "id": bill, "total": { "minor": total, "currency": "INR" } } })
}

fn inr(minor: u64) -> Value {
    json!({ "minor": minor, "currency": "INR" })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printed_voucher_pays_towards_one_bill_once_and_a_copy_is_refused_and_audited() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let other_till = server.api("demo-till-2").sign_in("M001", "9999").await;
    let code = print_voucher(&server, &api, 500).await;

    // Typed in any case, with spaces for dashes: ₹500.00 off bill V-1.
    let typed = code.to_lowercase().replace('-', " ");
    let r = api
        .post(REDEEM, on_bill(&typed, "V-1", 100_000))
        .await
        .expect(200);
    assert_eq!(r["code"], code.as_str());
    assert_eq!(r["value"], inr(50_000));
    assert_eq!(r["customer_name"], "Asha Rao");
    assert_eq!(r["bill_redeemed"], inr(50_000));
    // The same request again (a retry) answers the same; nothing more is taken.
    let again = api
        .post(REDEEM, on_bill(&code, "V-1", 100_000))
        .await
        .expect(200);
    assert_eq!(again["bill_redeemed"], inr(50_000));

    // A copy, on another bill, at another till: refused, and audited.
    let p = other_till
        .post(REDEEM, on_bill(&code, "V-2", 100_000))
        .await
        .expect_problem("voucher_used");
    assert_eq!(p["field"], "code");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("already redeemed on bill V-1"),
        "{p}"
    );
    let refused = other_till.audit_details("voucher_refused").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["why"], "used");
    assert_eq!(refused[0]["bill_id"], "V-2");
    let redeemed = other_till.audit_details("voucher_redeemed").await;
    assert_eq!(redeemed.len(), 1);
    assert_eq!(redeemed[0]["value_minor"], 50_000);

    // S12: the voucher is loyalty on bill V-1: ₹500.00 of its ₹1,000.00 is left for points.
    api.post(
        "/v1/redemptions",
        json!({ "customer_id": ASHA, "instrument_id": ASHA_POINTS, "quantity": 600,
                "purpose": { "kind": "bill", "bill": { "id": "V-1", "total": inr(100_000) } } }),
    )
    .await
    .expect_problem("exceeds_bill");
    // And the bill is one bill: the same number with another total is refused.
    let second = print_voucher(&server, &api, 100).await;
    api.post(REDEEM, on_bill(&second, "V-1", 90_000))
        .await
        .expect_problem("bill_mismatch");
    assert!(verify_audit(&server.db).0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voucher_worth_more_than_the_bill_expired_or_unknown_is_refused() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let code = print_voucher(&server, &api, 500).await;
    let p = api
        .post(REDEEM, on_bill(&code, "W-1", 30_000))
        .await
        .expect_problem("exceeds_bill");
    assert_eq!(p["field"], "bill.total");
    assert!(
        p["detail"].as_str().unwrap().contains("worth ₹500.00"),
        "{p}"
    );

    // A code that is nobody's voucher is a guess on this terminal (S11): after 10, none
    // is even looked up.
    api.post(REDEEM, on_bill("RGV-ABCD", "W-2", 100_000))
        .await
        .expect_problem("voucher_not_found");
    for _ in 0..10 {
        api.post(REDEEM, on_bill("RGV-2222-3333-4444", "W-2", 100_000))
            .await
            .expect_problem("voucher_not_found");
    }
    api.post(REDEEM, on_bill(&code, "W-2", 100_000))
        .await
        .expect_problem("rate_limited");

    // A kiosk cannot redeem one; after 90 days nobody can.
    let kiosk = server.api(KIOSK).sign_in("", "").await;
    kiosk
        .post(REDEEM, on_bill(&code, "W-3", 100_000))
        .await
        .expect_problem("forbidden");
    server.advance_clock(91 * 86_400).await;
    let till2 = server.api("demo-till-2").sign_in("M001", "9999").await;
    till2
        .post(REDEEM, on_bill(&code, "W-4", 100_000))
        .await
        .expect_problem("voucher_expired");
    assert_eq!(
        till2.audit_details("voucher_refused").await[0]["why"],
        "expired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voucher_lasts_the_days_the_store_chose_and_is_refused_after() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    manager.set_policy(json!({ "voucher_valid_days": 3 })).await;
    let early = print_voucher(&server, &api, 100).await;
    let late = print_voucher(&server, &api, 100).await;
    // Two days on (sessions do not last that long: signed in again), one is still good.
    server.advance_clock(2 * 86_400).await;
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    api.post(REDEEM, on_bill(&early, "D-1", 100_000))
        .await
        .expect(200);
    // Past the third day, the other is not.
    server.advance_clock(86_400 + 60).await;
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let p = api
        .post(REDEEM, on_bill(&late, "D-2", 100_000))
        .await
        .expect_problem("voucher_expired");
    assert_eq!(p["field"], "code");
    assert_eq!(
        manager.audit_details("voucher_refused").await[0]["why"],
        "expired"
    );
}
