//! S11: every guessable secret checked by a slow hash (staff PINs, the store's override code)
//! has a failure limit that holds under any concurrency: each guess is counted in the same
//! transaction that checks the limit, before argon2 runs.

use crate::helpers::*;
use serde_json::{json, Value};

/// Fires `n` requests at once and returns (evaluated and wrong, refused by the limit).
async fn burst(api: &Api, path: &str, n: usize, body: impl Fn(usize) -> Value) -> (usize, usize) {
    let requests: Vec<_> = (0..n)
        .map(|i| {
            let (api, path, body) = (api.clone(), path.to_string(), body(i));
            tokio::spawn(async move { api.post(&path, body).await })
        })
        .collect();
    let (mut wrong, mut limited) = (0, 0);
    for r in requests {
        let r = r.await.unwrap();
        match (r.status, r.code().as_str()) {
            (401, "sign_in_failed") | (403, "override_invalid") => wrong += 1,
            (429, "rate_limited") => {
                assert!(r.json()["retry_after_secs"].as_u64().unwrap() > 0);
                limited += 1
            }
            _ => panic!("unexpected answer {}: {}", r.status, r.body),
        }
    }
    (wrong, limited)
}

fn count_audit(server: &Server, action: &str) -> usize {
    audit_rows(&server.db)
        .iter()
        .filter(|r| r.1 == action)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s11_a_burst_of_300_wrong_pins_evaluates_no_more_than_the_limit() {
    let server = Server::demo(&["--demo-bench-terminals", "1"]);
    // Right PINs in a burst are all served: a guess waits while the places are taken only by
    // guesses still being checked, and a right one gives its place back.
    let rush = server.api("demo-till-2");
    let right: Vec<_> = (0..30)
        .map(|_| {
            let api = rush.clone();
            tokio::spawn(async move {
                api.post(
                    "/v1/sessions",
                    json!({ "staff_code": "M001", "pin": "9999" }),
                )
                .await
                .status
            })
        })
        .collect();
    for r in right {
        assert_eq!(r.await.unwrap(), 201);
    }

    let till = server.api("demo-till-1");
    let (wrong, limited) = burst(
        &till,
        "/v1/sessions",
        300,
        |i| json!({ "staff_code": "M001", "pin": format!("{:04}", i % 9999) }),
    )
    .await;
    println!("300 concurrent wrong PINs: {wrong} evaluated, {limited} refused (429)");
    assert_eq!(wrong + limited, 300);
    assert_eq!(wrong, 10, "no more than the limit reach argon2");
    assert_eq!(count_audit(&server, "sign_in_failed"), 10);

    // The manager is locked on every terminal, the right PIN included.
    let other_till = server.api("demo-till-2");
    let p = other_till
        .post(
            "/v1/sessions",
            json!({ "staff_code": "M001", "pin": "9999" }),
        )
        .await
        .expect_problem("rate_limited");
    assert!(p["retry_after_secs"].as_u64().unwrap() > 800);
    // The guessing terminal is locked for everyone; other staff elsewhere are not.
    till.post(
        "/v1/sessions",
        json!({ "staff_code": "C001", "pin": "1234" }),
    )
    .await
    .expect_problem("rate_limited");
    other_till.clone().sign_in("C001", "1234").await;
    // Unknown staff codes are limited the same way (the limit reveals no code).
    let (wrong, limited) = burst(
        &other_till,
        "/v1/sessions",
        30,
        |i| json!({ "staff_code": "NOBODY", "pin": format!("{i:04}") }),
    )
    .await;
    assert_eq!(
        (wrong, limited),
        (10, 20),
        "a right PIN and a refusal count nothing"
    );

    // After the window, the right PIN works again.
    server.advance_clock(15 * 60 + 1).await;
    server.api("bench-till-1").sign_in("M001", "9999").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s11_a_burst_of_wrong_override_codes_evaluates_no_more_than_the_limit() {
    let server = Server::demo(&["--demo-bench-terminals", "1"]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 200, 100_000).await;
    let path = format!("/v1/redemptions/{id}/override");
    let (wrong, limited) = burst(&api, &path, 120, |i| {
        json!({ "manager_code": "M001", "manager_pin": "9999",
                "override_code": format!("{:08}", 10_000_000 + i), "reason": "no signal" })
    })
    .await;
    println!("120 concurrent wrong override codes: {wrong} evaluated, {limited} refused (429)");
    assert_eq!((wrong, limited), (10, 110));
    assert_eq!(count_audit(&server, "override_rejected"), 10);
    // The right code is refused while locked, from another terminal too.
    let other = server.api("demo-till-2").sign_in("C001", "1234").await;
    let second = other.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    other
        .post(
            &format!("/v1/redemptions/{second}/override"),
            json!({ "manager_code": "M001", "manager_pin": "9999",
                    "override_code": "24681357", "reason": "no signal" }),
        )
        .await
        .expect_problem("rate_limited");
    // The manager's PIN is the same secret at sign-in: locked there too.
    server
        .api("bench-till-1")
        .post(
            "/v1/sessions",
            json!({ "staff_code": "M001", "pin": "9999" }),
        )
        .await
        .expect_problem("rate_limited");
}

/// S11: an empty staff code on a till is nobody's credential, so it is not a guess: a kiosk
/// set up with a till's token by mistake (again and again) never locks the till's cashiers out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s11_an_empty_staff_code_on_a_till_is_refused_without_counting_a_guess() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1");
    for _ in 0..15 {
        let r = api
            .post("/v1/sessions", json!({ "staff_code": "", "pin": "" }))
            .await;
        let p = r.expect_problem("sign_in_failed");
        assert!(
            p["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("not a self-service kiosk"),
            "{p}"
        );
    }
    // The limit (10 per terminal) was not touched: the cashier signs in.
    api.sign_in("C001", "1234").await;
}
