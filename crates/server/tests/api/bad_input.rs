//! Bad requests of every kind (SPEC §7) get their own problem, change nothing, and are told
//! apart only after the caller is known (S9: nothing is answered to a stranger but 401).

use crate::helpers::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s9_authentication_comes_before_body_validation() {
    let server = Server::demo(&[]);
    let bad = b"{ not json".to_vec();
    let id = "red_0000";
    let with_body = [
        ("POST", "/v1/redemptions".to_string()),
        ("POST", format!("/v1/redemptions/{id}/otp")),
        ("POST", format!("/v1/redemptions/{id}/verify")),
        ("POST", format!("/v1/redemptions/{id}/override")),
        ("POST", format!("/v1/redemptions/{id}/reverse")),
        ("POST", format!("/v1/redemptions/{id}/commit")),
        ("POST", "/v1/accruals".to_string()),
        ("POST", "/v1/kiosk/identify".to_string()),
        ("POST", "/v1/kiosk/verify".to_string()),
        ("PUT", "/v1/policy".to_string()),
    ];
    let stranger = server.api("no-such-terminal");
    let unsigned = server.api("demo-till-1");
    for (method, path) in &with_body {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        // No terminal: 401, whatever the body (and the commit's missing Idempotency-Key).
        let r = stranger.send(m.clone(), path, Some(bad.clone()), &[]).await;
        assert_eq!(
            (r.status, r.code()),
            (401, "unauthenticated".into()),
            "{method} {path}: {}",
            r.body
        );
        // A terminal but nobody signed in: still 401.
        let r = unsigned.send(m, path, Some(bad.clone()), &[]).await;
        assert_eq!(r.status, 401, "{method} {path}: {}", r.body);
    }
    // A well-formed body with bad values is no different (was 422 invalid_quantity).
    stranger
        .post(
            "/v1/redemptions",
            redemption_body(ASHA, ASHA_POINTS, 0, 100),
        )
        .await
        .expect_problem("unauthenticated");
    // Sign-in: the terminal first.
    stranger
        .send(
            reqwest::Method::POST,
            "/v1/sessions",
            Some(bad.clone()),
            &[],
        )
        .await
        .expect_problem("unauthenticated");
    unsigned
        .send(
            reqwest::Method::POST,
            "/v1/sessions",
            Some(bad.clone()),
            &[],
        )
        .await
        .expect_problem("invalid_request");
    // Then what the caller may do: a cashier's policy change is forbidden, however malformed.
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    cashier
        .send(reqwest::Method::PUT, "/v1/policy", Some(bad.clone()), &[])
        .await
        .expect_problem("forbidden");
    // Once known, the caller hears what is wrong with the body.
    cashier
        .send(reqwest::Method::POST, "/v1/redemptions", Some(bad), &[])
        .await
        .expect_problem("invalid_request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_control_characters_in_a_search_are_refused_not_listed() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    for q in ["%00%00", "%00", "As%00ha", "%01%02", "Asha%0A"] {
        let p = api
            .get(&format!("/v1/customers?q={q}"))
            .await
            .expect_problem("invalid_request");
        assert_eq!(p["field"], "q", "{q}");
        assert!(p.get("customers").is_none());
    }
    let k = kiosk(&server).await;
    k.identify("98765\u{0}43210")
        .await
        .expect_problem("invalid_request");
    // Ordinary searches still work.
    let found = api.get("/v1/customers?q=Asha").await.expect(200);
    assert!(!found["customers"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_wrong_methods_answer_405_naming_the_allowed_ones() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    for (method, path, allowed) in [
        (reqwest::Method::DELETE, "/v1/policy", vec!["GET", "PUT"]),
        (reqwest::Method::GET, "/v1/redemptions", vec!["POST"]),
        (reqwest::Method::PUT, "/v1/sessions", vec!["POST"]),
        (
            reqwest::Method::GET,
            "/v1/redemptions/red_1/commit",
            vec!["POST"],
        ),
    ] {
        let r = api.send(method.clone(), path, None, &[]).await;
        assert_eq!(r.status, 405, "{method} {path}: {}", r.body);
        assert_eq!(r.code(), "invalid_request");
        let allow = r.headers["allow"].to_str().unwrap().to_string();
        for m in allowed {
            assert!(allow.contains(m), "{method} {path}: allow {allow}");
        }
    }
    // An unknown path is still 404.
    api.get("/v1/nothing-here")
        .await
        .expect_problem("not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_unknown_policy_fields_are_refused_naming_them() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    let mut p = manager.policy().await;
    p["otp_requird"] = json!(false); // misspelt: would look saved while nothing changed
    p["templates"]["sms_hi"] = json!("{otp}");
    let r = manager
        .put("/v1/policy", p)
        .await
        .expect_problem("policy_invalid");
    let fields: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["otp_requird", "templates.sms_hi"]);
    assert_eq!(r["status"], 422);
    assert_eq!(
        manager.policy().await["otp_required"],
        true,
        "nothing changed"
    );
    // The policy as read is accepted as it is.
    let same = manager.policy().await;
    manager.put("/v1/policy", same).await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_a_client_request_id_that_is_not_a_safe_short_token_is_replaced() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1");
    let long = "x".repeat(65);
    for unsafe_id in ["evil id\" injected=true", "a;b", long.as_str(), "ünïcode"] {
        let r = api
            .send(
                reqwest::Method::GET,
                "/v1/policy",
                None,
                &[("x-request-id", unsafe_id)],
            )
            .await;
        let echoed = r.headers["x-request-id"]
            .to_str()
            .unwrap_or_default()
            .to_string();
        // The server's own id instead: a UUID (version 4).
        let parts: Vec<&str> = echoed.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12],
            "{unsafe_id:?} → {echoed}"
        );
        assert!(parts[2].starts_with('4'), "{echoed}");
    }
    let r = api
        .send(
            reqwest::Method::GET,
            "/v1/policy",
            None,
            &[("x-request-id", "pos-till-1:trace.42")],
        )
        .await;
    assert_eq!(r.headers["x-request-id"], "pos-till-1:trace.42");
    let logs = server.logs();
    assert!(logs.contains("pos-till-1:trace.42"), "a safe id is traced");
    for needle in ["injected", "a;b", long.as_str()] {
        assert!(!logs.contains(needle), "{needle} reached the log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_with_a_newer_schema_refuses_to_start_with_a_clear_message() {
    let demo = Server::demo(&[]);
    let (dir, db) = (demo.dir.clone(), demo.db.clone());
    drop(demo);
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let said = refused_to_start(&[
        "--demo",
        "--listen",
        "127.0.0.1:0",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(
        said.contains("schema is version 99, newer than this server knows"),
        "{said}"
    );
    assert!(said.contains("newer RedeemGuard"), "{said}");
    drop(dir);
}
