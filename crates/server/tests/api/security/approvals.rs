//! S8: a manager approves a redemption on their own signed-in device; the till sends no
//! manager secret. The store's static code typed at the till is a merchant's option, off by
//! default (issue 12 item 7).

use crate::helpers::*;
use serde_json::{json, Value};

/// The cashier (C001 on Till 1) and the manager (M001 on their own device, Till 2).
async fn cashier_and_manager(server: &Server) -> (Api, Api) {
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    (cashier, manager)
}

/// An intent waiting for the customer's code, for which the cashier asked a manager.
async fn requested(cashier: &Api, points: u64, reason: &str) -> (String, Value) {
    let id = cashier.create_id(ASHA, ASHA_POINTS, points, 100_000).await;
    let r = cashier
        .post(
            &format!("/v1/redemptions/{id}/approval-request"),
            json!({ "reason": reason }),
        )
        .await
        .expect(200);
    (id, r)
}

fn pending_ids(list: &Value) -> Vec<String> {
    list["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s8_a_manager_approves_a_pending_redemption_on_their_own_device() {
    let server = Server::demo(&[]);
    let (cashier, manager) = cashier_and_manager(&server).await;
    // Only the approval path: the store code is not accepted at the till.
    manager
        .set_policy(json!({ "override_store_code": false }))
        .await;
    let (id, asked) = requested(&cashier, 200, "SMS not delivered").await;
    assert_eq!(asked["status"], "awaiting_otp");
    let request = &asked["approval_request"];
    assert_eq!(request["status"], "pending");
    let approval_id = id_of(request);

    // The manager's list: customer, quantity with unit, value, bill, cashier, terminal, reason.
    let list = manager.get("/v1/approvals").await.expect(200);
    assert_eq!(pending_ids(&list), vec![approval_id.clone()]);
    let item = &list["requests"][0];
    assert_eq!(item["redemption_id"], id.as_str());
    assert_eq!(item["customer_name"], "Asha Rao");
    assert_eq!(
        (item["quantity"].clone(), item["unit"].clone()),
        (json!(200), json!("points"))
    );
    assert_eq!(item["value"], json!({ "minor": 20_000, "currency": "INR" }));
    assert!(
        item["bill_id"].as_str().unwrap().starts_with("B-"),
        "{item}"
    );
    assert_eq!(item["cashier_name"], "Priya Sharma");
    assert_eq!(item["terminal_name"], "Till 1");
    assert_eq!(item["reason"], "SMS not delivered");
    assert!(item["requested_at_ms"].as_i64().unwrap() > 0);

    // One open request per intent.
    cashier
        .post(
            &format!("/v1/redemptions/{id}/approval-request"),
            json!({ "reason": "again" }),
        )
        .await
        .expect_problem("approval_pending");

    let approved = manager
        .post(&format!("/v1/approvals/{approval_id}/approve"), json!({}))
        .await
        .expect(200);
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["decided_by"], "Rahul Mehta");
    // What the till's poll reads.
    let now = cashier
        .get(&format!("/v1/redemptions/{id}"))
        .await
        .expect(200);
    assert_eq!(now["status"], "approved");
    assert_eq!(now["approval_request"]["status"], "approved");
    assert!(pending_ids(&manager.get("/v1/approvals").await.expect(200)).is_empty());
    // Answered once.
    manager
        .post(&format!("/v1/approvals/{approval_id}/approve"), json!({}))
        .await
        .expect_problem("approval_closed");

    let receipt = cashier.commit(&id, "apr-commit-1").await.expect(200);
    assert_eq!(
        receipt["approval"],
        json!({ "by": "override", "manager_name": "Rahul Mehta", "reason": "SMS not delivered" })
    );
    // Audited with the manager and the cashier.
    let requested = manager.audit_details("approval_requested").await;
    assert_eq!(requested.len(), 1);
    assert_eq!(requested[0]["reason"], "SMS not delivered");
    let entries = manager.audit_entries().await;
    let ov = entries
        .iter()
        .find(|e| e["action"] == "override")
        .expect("the approval is audited as an override");
    assert_eq!(ov["staff_id"], "st-demo-m001", "{ov}");
    assert_eq!(ov["redemption_id"], id.as_str());
    let d = detail(ov);
    assert_eq!(d["cashier_id"], "st-demo-c001", "{d}");
    assert_eq!(d["manager_id"], "st-demo-m001");
    assert_eq!(d["via"], "manager_device");
    let report = manager.get("/v1/reports/redemptions").await.expect(200);
    assert_eq!(report["overrides"], 1);
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s8_a_cashier_cannot_approve_an_override_and_no_one_approves_their_own_request() {
    let server = Server::demo(&[]);
    let (cashier, manager) = cashier_and_manager(&server).await;
    let (id, asked) = requested(&cashier, 100, "no signal").await;
    let approval_id = id_of(&asked["approval_request"]);
    // A cashier, not even on another till, neither lists nor approves (their own included).
    let other_till = server.api("demo-till-2").sign_in("C001", "1234").await;
    for api in [&cashier, &other_till] {
        api.get("/v1/approvals").await.expect_problem("forbidden");
        for action in ["approve", "decline"] {
            api.post(&format!("/v1/approvals/{approval_id}/{action}"), json!({}))
                .await
                .expect_problem("forbidden");
        }
    }
    // A self-service kiosk neither asks nor approves.
    let kiosk = kiosk(&server).await;
    kiosk.get("/v1/approvals").await.expect_problem("forbidden");
    assert_eq!(
        cashier
            .get(&format!("/v1/redemptions/{id}"))
            .await
            .expect(200)["status"],
        "awaiting_otp"
    );

    // A manager who asks from a till as the cashier cannot approve it on another device.
    let manager_at_till = server.api("demo-till-1").sign_in("M001", "9999").await;
    let (own, asked) = requested(&manager_at_till, 100, "my own customer").await;
    let own_approval = id_of(&asked["approval_request"]);
    manager
        .post(&format!("/v1/approvals/{own_approval}/approve"), json!({}))
        .await
        .expect_problem("approval_own_request");
    assert_eq!(
        manager_at_till
            .get(&format!("/v1/redemptions/{own}"))
            .await
            .expect(200)["status"],
        "awaiting_otp"
    );
    // Another store's manager never sees it (S9).
    let unknown = manager
        .post("/v1/approvals/apr-unknown/approve", json!({}))
        .await;
    unknown.expect_problem("not_found");
    // The cashier's request is still there for a manager who did not make it.
    let list = manager.get("/v1/approvals").await.expect(200);
    assert!(pending_ids(&list).contains(&approval_id));
    // A reason is required, and override must be on.
    let blank = cashier.create_id(ASHA, ASHA_POINTS, 50, 100_000).await;
    cashier
        .post(
            &format!("/v1/redemptions/{blank}/approval-request"),
            json!({ "reason": "  " }),
        )
        .await
        .expect_problem("reason_required");
    manager
        .set_policy(json!({ "override_enabled": false, "override_store_code": false }))
        .await;
    cashier
        .post(
            &format!("/v1/redemptions/{blank}/approval-request"),
            json!({ "reason": "no signal" }),
        )
        .await
        .expect_problem("override_disabled");
    manager
        .post(&format!("/v1/approvals/{approval_id}/approve"), json!({}))
        .await
        .expect_problem("override_disabled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s8_a_declined_request_leaves_the_redemption_waiting_for_its_code() {
    let server = Server::demo(&[]);
    let (cashier, manager) = cashier_and_manager(&server).await;
    let (id, asked) = requested(&cashier, 100, "customer says no SMS").await;
    let approval_id = id_of(&asked["approval_request"]);
    let declined = manager
        .post(&format!("/v1/approvals/{approval_id}/decline"), json!({}))
        .await
        .expect(200);
    assert_eq!(declined["status"], "declined");
    let now = cashier
        .get(&format!("/v1/redemptions/{id}"))
        .await
        .expect(200);
    assert_eq!(now["status"], "awaiting_otp");
    assert_eq!(now["approval_request"]["status"], "declined");
    assert_eq!(now["approval_request"]["decided_by"], "Rahul Mehta");
    assert!(pending_ids(&manager.get("/v1/approvals").await.expect(200)).is_empty());
    cashier
        .commit(&id, "declined-1")
        .await
        .expect_problem("otp_required");
    let d = manager.audit_details("approval_declined").await;
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0]["manager_id"].clone(), d[0]["cashier_id"].clone()),
        (json!("st-demo-m001"), json!("st-demo-c001"))
    );
    // The customer's code still works, and the cashier may ask again.
    let again = cashier
        .post(
            &format!("/v1/redemptions/{id}/approval-request"),
            json!({ "reason": "still no SMS" }),
        )
        .await
        .expect(200);
    assert_ne!(id_of(&again["approval_request"]), approval_id);
    cashier.send_otp(&id, "sms").await.expect(200);
    let code = server.code_for(&id).await;
    cashier.verify(&id, &code).await.expect(200);
    // Approved by its code: nothing left for a manager.
    assert!(pending_ids(&manager.get("/v1/approvals").await.expect(200)).is_empty());
    manager
        .post(
            &format!(
                "/v1/approvals/{}/approve",
                id_of(&again["approval_request"])
            ),
            json!({}),
        )
        .await
        .expect_problem("intent_closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s8_approvals_on_the_managers_device_count_against_the_override_daily_cap() {
    let server = Server::demo(&[]);
    let (cashier, manager) = cashier_and_manager(&server).await;
    manager
        .set_policy(json!({ "override_daily_cap": 2, "override_store_code": true }))
        .await;
    // One by the store code at the till, one on the manager's device: the cap is shared.
    let first = cashier.create_id(ASHA, ASHA_POINTS, 50, 100_000).await;
    cashier
        .post(
            &format!("/v1/redemptions/{first}/override"),
            json!({ "manager_code": "M001", "manager_pin": "9999", "override_code": "24681357", "reason": "no signal" }),
        )
        .await
        .expect(200);
    let (_, a) = requested(&cashier, 50, "no signal").await;
    let (_, b) = requested(&cashier, 50, "no signal either").await;
    manager
        .post(
            &format!("/v1/approvals/{}/approve", id_of(&a["approval_request"])),
            json!({}),
        )
        .await
        .expect(200);
    manager
        .post(
            &format!("/v1/approvals/{}/approve", id_of(&b["approval_request"])),
            json!({}),
        )
        .await
        .expect_problem("override_cap_reached");
    // A new request is refused at once while the cap is used up.
    let late = cashier.create_id(ASHA, ASHA_POINTS, 50, 100_000).await;
    cashier
        .post(
            &format!("/v1/redemptions/{late}/approval-request"),
            json!({ "reason": "no signal" }),
        )
        .await
        .expect_problem("override_cap_reached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s8_the_store_code_at_the_till_is_a_merchant_option_off_by_default() {
    let server = Server::demo(&[]);
    let (cashier, manager) = cashier_and_manager(&server).await;
    // A store's defaults: override off, and the store code at the till off.
    let defaults = contract::Policy::default();
    assert!(!defaults.override_enabled && !defaults.override_store_code);
    manager
        .set_policy(json!({ "override_store_code": false }))
        .await;
    let id = cashier.create_id(ASHA, ASHA_POINTS, 50, 100_000).await;
    let body = json!({ "manager_code": "M001", "manager_pin": "9999", "override_code": "24681357", "reason": "no signal" });
    let path = format!("/v1/redemptions/{id}/override");
    let refused = cashier.post(&path, body.clone()).await;
    refused.expect_problem("override_disabled");
    assert!(refused.body.contains("own device"), "{}", refused.body);
    // Refused before any secret is checked: no guess counted, nothing approved.
    assert!(manager.audit_details("override_rejected").await.is_empty());
    // Turned on by the merchant, it works (and stays throttled: see S11's tests).
    manager
        .set_policy(json!({ "override_store_code": true }))
        .await;
    cashier.post(&path, body).await.expect(200);
    // It needs override itself on.
    let p = manager.policy().await;
    let mut bad = p.clone();
    bad["override_enabled"] = json!(false);
    bad["override_store_code"] = json!(true);
    let r = manager.put("/v1/policy", bad).await;
    let v = r.expect_problem("policy_invalid");
    assert!(
        v["errors"].to_string().contains("override_store_code"),
        "{v}"
    );
}
