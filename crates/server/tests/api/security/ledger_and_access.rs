//! The rules for value and access (SPEC §6 S6–S9): the ledger, the audit chain, overrides,
//! and what each terminal and role may see and do.

use crate::helpers::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s6_hold_post_release_expiry_and_idempotent_commit() {
    let server = Server::demo(&["--hold-grace-secs", "60"]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;

    // Hold on intent, release on expiry by the sweeper.
    let r = api
        .create(ASHA, ASHA_POINTS, 400, 100_000)
        .await
        .expect(201);
    let abandoned = id_of(&r);
    assert_eq!(
        r["expires_at_ms"].as_i64().unwrap() - r["created_at_ms"].as_i64().unwrap(),
        360_000
    );
    assert_eq!(api.available(ASHA, ASHA_POINTS).await, 800);
    server.advance_clock(361).await;
    let released = eventually(10, || async {
        api.available(ASHA, ASHA_POINTS).await == 1200
    })
    .await;
    assert!(released, "the sweeper released the abandoned hold");
    assert_eq!(
        api.get(&format!("/v1/redemptions/{abandoned}"))
            .await
            .expect(200)["status"],
        "expired"
    );
    api.send_otp(&abandoned, "sms")
        .await
        .expect_problem("intent_expired");

    // An approved intent that lapses cannot be committed.
    let lapsing = approved(&server, &api, ASHA, ASHA_POINTS, 100).await;
    server.advance_clock(361).await;
    api.commit(&lapsing, "late")
        .await
        .expect_problem("intent_expired");
    assert_eq!(api.available(ASHA, ASHA_POINTS).await, 1200);

    // Post on commit; replay byte for byte; conflicts refused; never a double debit.
    let id = approved(&server, &api, ASHA, ASHA_POINTS, 300).await;
    let first = api.commit(&id, "key-1").await;
    first.expect(200);
    assert_eq!(first.content_type, "application/json");
    let replay = api.commit(&id, "key-1").await;
    assert_eq!(replay.status, 200);
    assert_eq!(replay.body, first.body, "the same receipt, byte for byte");
    let other = approved(&server, &api, ASHA, ASHA_POINTS, 100).await;
    api.commit(&other, "key-1")
        .await
        .expect_problem("idempotency_conflict");
    let fresh_key = api.commit(&id, "key-2").await;
    assert_eq!(
        fresh_key.body, first.body,
        "a new key on a committed redemption returns the original receipt"
    );
    api.send(
        reqwest::Method::POST,
        &format!("/v1/redemptions/{id}/commit"),
        Some(b"{\"x\":1}".to_vec()),
        &[("idempotency-key", "key-1")],
    )
    .await
    .expect_problem("idempotency_conflict");
    api.send(
        reqwest::Method::POST,
        &format!("/v1/redemptions/{id}/commit"),
        None,
        &[("idempotency-key", "bad key")],
    )
    .await
    .expect_problem("invalid_request");
    assert_eq!(
        api.available(ASHA, ASHA_POINTS).await,
        800,
        "1200 − 300 committed − 100 held"
    );
    api.post(&format!("/v1/redemptions/{other}/cancel"), json!({}))
        .await
        .expect(200);
    assert_eq!(api.available(ASHA, ASHA_POINTS).await, 900);

    // A double tap: the same key sent many times at once debits once; overlapping
    // requests hear `idempotency_in_flight`.
    // (Gift cards need no code, so many rounds stay within the send limits.)
    let (rohan, card) = ("cust-rohan", "cust-rohan-gift_card-1");
    let mut saw_in_flight = false;
    for round in 0..20 {
        let id = approved(&server, &api, rohan, card, 1_000).await;
        let key = format!("tap-{round}");
        let taps: Vec<_> = (0..8)
            .map(|_| {
                let (api, id, key) = (api.clone(), id.clone(), key.clone());
                tokio::spawn(async move { api.commit(&id, &key).await })
            })
            .collect();
        let mut bodies = std::collections::HashSet::new();
        for t in taps {
            let r = t.await.unwrap();
            match r.status {
                200 => {
                    bodies.insert(r.body);
                }
                409 => {
                    r.expect_problem("idempotency_in_flight");
                    saw_in_flight = true;
                }
                other => panic!("unexpected {other}: {}", r.body),
            }
        }
        assert_eq!(bodies.len(), 1, "every success is the same receipt");
        assert_eq!(
            api.available(rohan, card).await,
            250_000 - 1_000 * (round + 1)
        );
        if saw_in_flight {
            break;
        }
    }
    assert!(
        saw_in_flight,
        "overlapping commits with one key were told it is in flight"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s7_every_action_is_in_a_verifiable_keyed_hash_chain() {
    use sha2::Digest;
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;

    let id = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let code = server.latest_code(ASHA).await;
    api.verify(&id, &wrong(&code))
        .await
        .expect_problem("otp_invalid");
    api.verify(&id, &code).await.expect(200);
    api.commit(&id, "k7").await.expect(200);
    api.post(
        &format!("/v1/redemptions/{id}/reverse"),
        json!({ "reason": "goods returned" }),
    )
    .await
    .expect(200);
    let cancelled = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    api.post(&format!("/v1/redemptions/{cancelled}/cancel"), json!({}))
        .await
        .expect(200);
    let ov = id_of(
        &manager
            .create(ASHA, ASHA_POINTS, 100, 100_000)
            .await
            .expect(201),
    );
    manager
        .post(&format!("/v1/redemptions/{ov}/override"), json!({ "manager_code": "M001", "manager_pin": "9999", "override_code": "24681357", "reason": "no signal" }))
        .await
        .expect(200);
    manager.set_policy(json!({ "min_redeem_points": 60 })).await;
    api.post("/v1/accruals", json!({ "customer_id": ASHA, "bill": { "id": "S7", "total": { "minor": 50_000, "currency": "INR" } } }))
        .await
        .expect(201);

    api.get("/v1/audit").await.expect_problem("forbidden");
    let page = manager.get("/v1/audit?limit=1000").await.expect(200);
    let entries = page["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "sign_in",
        "hold",
        "otp_sent",
        "otp_rejected",
        "otp_verified",
        "commit",
        "reverse",
        "cancel",
        "override",
        "policy_changed",
        "accrual",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let commit = entries.iter().find(|e| e["action"] == "commit").unwrap();
    assert_eq!(commit["terminal_id"], "term-demo-till-1");
    assert_eq!(commit["staff_id"], "st-demo-c001");
    assert!(commit["at_ms"].as_i64().unwrap() > 0);
    // Paging.
    let first = manager.get("/v1/audit?limit=2").await.expect(200);
    let after = first["next_after"].as_u64().unwrap();
    let next = manager
        .get(&format!("/v1/audit?after={after}&limit=2"))
        .await
        .expect(200);
    assert!(next["entries"][0]["seq"].as_u64().unwrap() > after);

    // Recompute the chain independently: hash = HMAC-SHA256(audit key, "redeemguard-audit-v2"
    // ‖ "\n" ‖ prev_hash ‖ "\n" ‖ canonical fields ‖ "\n"), with the demo's key beside the database.
    use hmac::Mac;
    let key = std::fs::read(server.db.with_file_name("test.sqlite.audit-key")).unwrap();
    let mut prev = "0".repeat(64);
    for e in entries {
        assert_eq!(e["prev_hash"].as_str().unwrap(), prev);
        let canonical = json!([
            e["seq"],
            e["at_ms"],
            e["action"],
            e["store_id"],
            e.get("terminal_id").unwrap_or(&Value::Null),
            e.get("staff_id").unwrap_or(&Value::Null),
            e.get("redemption_id").unwrap_or(&Value::Null),
            e["detail"]
        ]);
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("redeemguard-audit-v2\n{prev}\n{canonical}\n").as_bytes());
        assert_eq!(
            e["hash"].as_str().unwrap(),
            hex::encode(mac.finalize().into_bytes())
        );
        // Without the key, the old unkeyed rule no longer gives the stored hash.
        let digest = sha2::Sha256::digest(format!("{prev}\n{canonical}").as_bytes());
        assert_ne!(e["hash"].as_str().unwrap(), hex::encode(digest));
        prev = e["hash"].as_str().unwrap().to_string();
    }
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "{out}");
    assert!(out.contains("intact"), "{out}");

    // Append-only: the database itself refuses edits.
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    assert!(conn
        .execute("UPDATE audit SET detail = '{}' WHERE seq = 3", [])
        .is_err());
    assert!(conn.execute("DELETE FROM audit WHERE seq = 3", []).is_err());
    // Someone who bypasses that is caught, at the first broken link.
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; UPDATE audit SET detail = '{\"quantity\":1}' WHERE seq = 5;",
    )
    .unwrap();
    drop(conn);
    let (ok, out) = verify_audit(&server.db);
    assert!(!ok, "{out}");
    assert!(out.contains("entry 5"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s8_override_needs_a_manager_a_reason_the_code_and_respects_the_cap() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let body = |code: &str, pin: &str, ovr: &str, reason: &str| json!({ "manager_code": code, "manager_pin": pin, "override_code": ovr, "reason": reason });

    // Stored only as a slow salted hash.
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    let hash: String = conn
        .query_row(
            "SELECT override_hash FROM stores WHERE id = 'st-demo'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains("24681357"));
    drop(conn);

    let id = api.create_id(ASHA, ASHA_POINTS, 200, 100_000).await;
    let path = format!("/v1/redemptions/{id}/override");
    api.post(&path, body("M001", "9999", "24681357", " "))
        .await
        .expect_problem("reason_required");
    api.post(&path, body("C001", "1234", "24681357", "no signal"))
        .await
        .expect_problem("override_invalid");
    api.post(&path, body("M001", "1111", "24681357", "no signal"))
        .await
        .expect_problem("override_invalid");
    api.post(&path, body("M001", "9999", "11111111", "no signal"))
        .await
        .expect_problem("override_invalid");
    let ok = api
        .post(
            &path,
            body("M001", "9999", "24681357", "customer's phone is off"),
        )
        .await
        .expect(200);
    assert_eq!(ok["status"], "approved");
    let receipt = api.commit(&id, "ovr-1").await.expect(200);
    assert_eq!(
        receipt["approval"],
        json!({ "by": "override", "manager_name": "Rahul Mehta", "reason": "customer's phone is off" })
    );
    let audit = manager.get("/v1/audit?limit=1000").await.expect(200);
    let rejected = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "override_rejected")
        .count();
    assert_eq!(rejected, 3, "refused attempts are audited");

    // The daily cap.
    manager.set_policy(json!({ "override_daily_cap": 1 })).await;
    let second = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    api.post(
        &format!("/v1/redemptions/{second}/override"),
        body("M001", "9999", "24681357", "again"),
    )
    .await
    .expect_problem("override_cap_reached");
    // Turned off.
    manager
        .set_policy(json!({ "override_enabled": false, "override_store_code": false }))
        .await;
    api.post(
        &format!("/v1/redemptions/{second}/override"),
        body("M001", "9999", "24681357", "again"),
    )
    .await
    .expect_problem("override_disabled");
    let report = manager.get("/v1/reports/redemptions").await.expect(200);
    assert_eq!(report["overrides"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s9_a_terminal_sees_only_its_own_merchant_and_cashiers_cannot_manage() {
    let server = Server::demo(&["--demo-extra-merchant"]);
    let ours = server.api("demo-till-1").sign_in("C001", "1234").await;
    let theirs = server.api("other-till-1").sign_in("C001", "1234").await;
    let their_manager = server.api("other-till-1").sign_in("M001", "9999").await;

    // Same mobile number at both merchants: each sees only its own customer.
    let found = theirs.get("/v1/customers?q=9876543210").await.expect(200);
    let ids: Vec<&str> = found["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["other-cust-1"]);
    assert_eq!(
        theirs.get("/v1/customers?q=Asha").await.expect(200)["customers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    theirs
        .get(&format!("/v1/customers/{ASHA}/balance"))
        .await
        .expect_problem("customer_not_found");
    theirs
        .create(ASHA, ASHA_POINTS, 100, 100_000)
        .await
        .expect_problem("customer_not_found");
    theirs
        .post("/v1/accruals", json!({ "customer_id": ASHA, "bill": { "id": "X1", "total": { "minor": 1, "currency": "INR" } } }))
        .await
        .expect_problem("customer_not_found");

    // Our redemption is invisible to them.
    let id = approved(&server, &ours, ASHA, ASHA_POINTS, 100).await;
    theirs
        .get(&format!("/v1/redemptions/{id}"))
        .await
        .expect_problem("not_found");
    theirs
        .commit(&id, "theirs")
        .await
        .expect_problem("not_found");
    theirs
        .post(&format!("/v1/redemptions/{id}/cancel"), json!({}))
        .await
        .expect_problem("not_found");
    theirs
        .post(
            &format!("/v1/redemptions/{id}/otp"),
            json!({ "channel": "sms" }),
        )
        .await
        .expect_problem("not_found");
    ours.commit(&id, "ours").await.expect(200);
    theirs
        .post(
            &format!("/v1/redemptions/{id}/reverse"),
            json!({ "reason": "x" }),
        )
        .await
        .expect_problem("not_found");

    // Their manager's reports and audit hold nothing of ours; their policy change is theirs.
    let report = their_manager
        .get("/v1/reports/redemptions")
        .await
        .expect(200);
    assert_eq!(report["lines"], json!([]));
    let audit = their_manager.get("/v1/audit?limit=1000").await.expect(200);
    assert!(audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["store_id"] == "st-other"));
    their_manager
        .set_policy(json!({ "min_redeem_points": 500 }))
        .await;
    assert_eq!(ours.policy().await["min_redeem_points"], 50);

    // Our session token is worthless on their terminal.
    let mut borrowed = server.api("other-till-1");
    borrowed.token = ours.token.clone();
    borrowed
        .get("/v1/policy")
        .await
        .expect_problem("session_expired");

    // Cashiers (and kiosks) cannot change policy or read reports and the audit log.
    let kiosk = server.api("demo-kiosk-1").sign_in("", "").await;
    // A kiosk faces customers: even a manager's session there has cashier rights.
    let manager_at_kiosk = server.api("demo-kiosk-1").sign_in("M001", "9999").await;
    for api in [&ours, &theirs, &kiosk, &manager_at_kiosk] {
        let p = api.policy().await;
        api.put("/v1/policy", p).await.expect_problem("forbidden");
        api.get("/v1/reports/redemptions")
            .await
            .expect_problem("forbidden");
        api.get("/v1/audit").await.expect_problem("forbidden");
    }
}
