//! What a self-service kiosk may probe (S11): lookups of numbers that are nobody's, and the
//! self-service sessions it opens, are limited per kiosk and window.

use crate::helpers::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s11_kiosk_lookups_of_numbers_that_are_nobodys_are_limited_per_kiosk_and_window() {
    let server = Server::demo(&[]);
    let k = kiosk(&server).await;
    for n in 0..5 {
        k.identify(&format!("98765000{n:02}"))
            .await
            .expect_problem("customer_not_found");
    }
    // The sixth probe is refused before any lookup, and so is a real customer's number: the
    // answer no longer tells a customer's number from anyone else's.
    let p = k
        .identify("9876500099")
        .await
        .expect_problem("rate_limited");
    assert!(p["retry_after_secs"].as_u64().unwrap() > 800);
    k.identify("9876543210")
        .await
        .expect_problem("rate_limited");
    // Per kiosk, not per session: a new session on the same kiosk is still limited.
    let again = kiosk(&server).await;
    again
        .identify("9876543210")
        .await
        .expect_problem("rate_limited");
    // Staff at a till are not affected (they search with GET /v1/customers).
    let till = server.api("demo-till-1").sign_in("C001", "1234").await;
    let none = till.get("/v1/customers?q=9876500001").await.expect(200);
    assert_eq!(none["customers"], json!([]));
    // After the window, the kiosk serves customers again.
    server.advance_clock(15 * 60 + 1).await;
    again.identify("9876543210").await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s11_a_kiosk_opens_only_so_many_self_service_sessions_per_window() {
    let server = Server::demo(&[]);
    let k = server.api(KIOSK);
    for _ in 0..20 {
        k.post("/v1/sessions", json!({ "staff_code": "", "pin": "" }))
            .await
            .expect(201);
    }
    let p = k
        .post("/v1/sessions", json!({ "staff_code": "", "pin": "" }))
        .await
        .expect_problem("rate_limited");
    assert!(p["retry_after_secs"].as_u64().unwrap() > 0);
    // Staff may still sign in at the kiosk.
    k.clone().sign_in("C001", "1234").await;
    server.advance_clock(15 * 60 + 1).await;
    k.post("/v1/sessions", json!({ "staff_code": "", "pin": "" }))
        .await
        .expect(201);
}
