//! Two server processes on one database file: what one commits, the other sees on its very
//! next request (each caches terminals, stores with their policy, staff and sessions, and
//! drops them when `PRAGMA data_version` says another connection committed).

use crate::helpers::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s9_a_revoked_terminal_a_signed_out_session_and_a_new_policy_are_seen_by_another_process_at_once(
) {
    let a = Server::demo(&[]);
    let b = Server::spawn(a.dir.clone(), a.db.clone(), &["--demo"], &[]);
    let manager = a.api("demo-till-1").sign_in("M001", "9999").await;
    let cashier_a = a.api("demo-till-1").sign_in("C001", "1234").await;
    let till2_a = a.api("demo-till-2").sign_in("C001", "1234").await;
    // The same sessions used on the other process, so it has them (and the store) cached.
    let on_b = |api: &Api| {
        let mut other = b.api(&api.terminal);
        other.token = api.token.clone();
        other
    };
    let (cashier_b, till2_b) = (on_b(&cashier_a), on_b(&till2_a));
    for api in [&cashier_b, &till2_b] {
        let p = api.policy().await;
        assert_eq!(p["min_redeem_points"], 50);
    }

    // A policy change on A is B's policy at once.
    manager.set_policy(json!({ "min_redeem_points": 70 })).await;
    assert_eq!(cashier_b.policy().await["min_redeem_points"], 70);
    cashier_b
        .create(ASHA, ASHA_POINTS, 60, 100_000)
        .await
        .expect_problem("below_minimum");

    // A sign-out on A ends the session on B at once.
    cashier_a.delete("/v1/sessions/current").await.expect(204);
    cashier_b
        .get("/v1/policy")
        .await
        .expect_problem("session_expired");

    // A terminal revoked by an operator (another connection on the file) is refused by both.
    let conn = rusqlite::Connection::open(&a.db).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn.execute(
        "UPDATE terminals SET token_hash = 'revoked' WHERE id = 'term-demo-till-2'",
        [],
    )
    .unwrap();
    for api in [&till2_a, &till2_b] {
        api.get("/v1/policy")
            .await
            .expect_problem("unauthenticated");
    }
    // B's own changes are still seen by A (and B keeps working for everyone else).
    let till1_b = b.api("demo-till-1").sign_in("M001", "9999").await;
    till1_b.set_policy(json!({ "min_redeem_points": 80 })).await;
    assert_eq!(manager.policy().await["min_redeem_points"], 80);
}
