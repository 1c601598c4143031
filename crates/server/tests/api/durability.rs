//! The ledger under concurrency and crashes (S6): many terminals against one balance, and a
//! `kill -9` in the middle of a stream of commits.

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// What a client sent and heard: (redemption, idempotency key) → the receipt, if one came back.
type ClientLedger = HashMap<(String, String), Option<String>>;

/// Points per redemption in the kill -9 stream (the policy minimum).
const QTY: u64 = 50;

fn balance_row(db: &std::path::Path, instrument: &str) -> (i64, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT balance, held FROM instruments WHERE id = ?1",
        [instrument],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// 240 complete redemptions race for Asha's 1,200 points from 12 terminals at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_redemptions_from_many_terminals_never_overdraw_and_receipts_add_up() {
    let server = Arc::new(Server::demo(&["--demo-bench-terminals", "10"]));
    let mut terminals: Vec<String> = (1..=10).map(|i| format!("bench-till-{i}")).collect();
    terminals.extend(["demo-till-1".to_string(), "demo-till-2".to_string()]);
    let sign_ins: Vec<_> = terminals
        .iter()
        .map(|t| {
            let api = server.api(t);
            tokio::spawn(async move { api.sign_in("C001", "1234").await })
        })
        .collect();
    let mut apis = Vec::new();
    for s in sign_ins {
        apis.push(s.await.unwrap());
    }

    let mut tasks = Vec::new();
    for (n, api) in apis.iter().enumerate() {
        for k in 0..20 {
            let (api, server) = (api.clone(), server.clone());
            tasks.push(tokio::spawn(async move {
                let r = api.create(ASHA, ASHA_POINTS, 50, 1_000_000).await;
                if r.status != 201 {
                    let code = r.code();
                    assert!(
                        code == "insufficient_balance" || code == "nothing_available",
                        "{}",
                        r.body
                    );
                    return None;
                }
                let id = r.json()["id"].as_str().unwrap().to_string();
                api.post(
                    &format!("/v1/redemptions/{id}/otp"),
                    json!({ "channel": "sms" }),
                )
                .await
                .expect(200);
                let code = server.code_for(&id).await;
                api.post(
                    &format!("/v1/redemptions/{id}/verify"),
                    json!({ "code": code }),
                )
                .await
                .expect(200);
                let key = format!("c-{n}-{k}");
                let receipt = api.commit(&id, &key).await.expect(200);
                // Retries (same key, then a new key) never debit again.
                let again = api.commit(&id, &key).await;
                let fresh = api.commit(&id, &format!("{key}-retry")).await;
                assert_eq!(again.body, fresh.body);
                assert_eq!(serde_json::from_str::<Value>(&again.body).unwrap(), receipt);
                Some(receipt)
            }));
        }
    }
    assert!(tasks.len() >= 200);
    let mut receipts = Vec::new();
    for t in tasks {
        if let Some(r) = t.await.unwrap() {
            receipts.push(r);
        }
    }
    let ids: HashSet<&str> = receipts
        .iter()
        .map(|r| r["redemption_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), receipts.len());
    let debited: u64 = receipts
        .iter()
        .map(|r| r["quantity"].as_u64().unwrap())
        .sum();
    assert_eq!(debited, 1_200, "every point went, exactly once");
    assert_eq!(receipts.len(), 24);
    for r in &receipts {
        assert_eq!(
            r["balance_before"].as_u64().unwrap() - r["balance_after"].as_u64().unwrap(),
            50
        );
    }
    let api = &apis[0];
    assert_eq!(api.available(ASHA, ASHA_POINTS).await, 0);
    assert_eq!(
        balance_row(&server.db, ASHA_POINTS),
        (0, 0),
        "balance and holds in the ledger"
    );
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "{out}");
}

/// Commits streaming from four terminals; the server is SIGKILLed and restarted on the same
/// file. Nothing the clients were told is lost, nothing is debited twice, the chain holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_commits_loses_and_doubles_nothing() {
    let mut server = Server::demo(&["--demo-bench-terminals", "4"]);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    manager.set_policy(json!({ "otp_required": false })).await;
    let mut apis = Vec::new();
    for i in 1..=4 {
        apis.push(
            server
                .api(&format!("bench-till-{i}"))
                .sign_in("C001", "1234")
                .await,
        );
    }
    let ledger: Arc<Mutex<ClientLedger>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut streams = Vec::new();
    for (i, api) in apis.iter().enumerate() {
        let (api, ledger, stop) = (api.clone(), ledger.clone(), stop.clone());
        streams.push(tokio::spawn(async move {
            let customer = format!("bench-cust-{}", i + 1);
            let instrument = format!("{customer}-points-0");
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let body = redemption_body(&customer, &instrument, QTY, 1_000_000);
                let Ok(res) = try_post(&api, "/v1/redemptions", &body).await else {
                    break;
                };
                let id = res["id"].as_str().unwrap().to_string();
                let key = format!("t{i}-{n}");
                ledger
                    .lock()
                    .unwrap()
                    .insert((id.clone(), key.clone()), None);
                match try_commit(&api, &id, &key).await {
                    Ok(receipt) => {
                        ledger.lock().unwrap().insert((id, key), Some(receipt));
                    }
                    Err(()) => break,
                }
            }
        }));
    }
    // Kill once the streams are well under way (however busy the machine is).
    let receipts = || {
        ledger
            .lock()
            .unwrap()
            .values()
            .filter(|r| r.is_some())
            .count()
    };
    let started = std::time::Instant::now();
    while receipts() <= 10 && started.elapsed() < std::time::Duration::from_secs(60) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    server.kill9();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for s in streams {
        s.await.unwrap();
    }
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "after kill -9: {out}");

    let restarted = Server::spawn(
        server.dir.clone(),
        server.db.clone(),
        &["--demo", "--demo-bench-terminals", "4"],
        &[],
    );
    let (ok, out) = verify_audit(&restarted.db);
    assert!(ok, "{out}");
    let seen = ledger.lock().unwrap().clone();
    let told = seen.values().filter(|r| r.is_some()).count();
    assert!(
        told > 10,
        "the stream made progress before the kill ({told} receipts)"
    );

    // Sessions survive the restart (they are in the database); retry every commit.
    for api in apis.iter_mut() {
        api.base = restarted.base.clone();
    }
    for ((id, key), receipt) in &seen {
        let terminal: usize = key[1..key.find('-').unwrap()].parse().unwrap();
        let retry = apis[terminal].commit(id, key).await.expect(200);
        if let Some(before) = receipt {
            assert_eq!(
                &serde_json::to_string(&retry).unwrap(),
                &serde_json::to_string(&serde_json::from_str::<Value>(before).unwrap()).unwrap()
            );
            let raw = apis[terminal].commit(id, key).await;
            assert_eq!(
                &raw.body, before,
                "the receipt the client heard is replayed byte for byte"
            );
        }
        let r = apis[terminal]
            .get(&format!("/v1/redemptions/{id}"))
            .await
            .expect(200);
        assert_eq!(r["status"], "committed");
    }
    // The ledger: each customer lost exactly QTY points per committed redemption.
    let conn = rusqlite::Connection::open(&restarted.db).unwrap();
    for i in 1..=4 {
        let customer = format!("bench-cust-{i}");
        let committed: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM redemptions WHERE customer_id = ?1 AND status = 'committed'",
                [&customer],
                |r| r.get(0),
            )
            .unwrap();
        let sent = seen
            .keys()
            .filter(|(_, key)| key.starts_with(&format!("t{}-", i - 1)))
            .count() as i64;
        assert_eq!(
            committed, sent,
            "{customer}: every redemption the client committed, once"
        );
        let (balance, held) = balance_row(&restarted.db, &format!("{customer}-points-0"));
        let holds: i64 = conn
            .query_row(
                "SELECT COALESCE(SUM(quantity), 0) FROM redemptions WHERE customer_id = ?1 AND status IN ('approved', 'awaiting_otp')",
                [&customer],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            balance,
            1_000_000_000 - QTY as i64 * committed,
            "{customer}"
        );
        assert_eq!(held, holds, "{customer}: holds match the open intents");
    }
}

async fn try_post(api: &Api, path: &str, body: &Value) -> Result<Value, ()> {
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{}{path}", api.base))
        .header("x-terminal-token", &api.terminal)
        .bearer_auth(api.token.as_deref().unwrap())
        .json(body)
        .send()
        .await
        .map_err(|_| ())?;
    if res.status() != 201 {
        return Err(());
    }
    res.json().await.map_err(|_| ())
}

async fn try_commit(api: &Api, id: &str, key: &str) -> Result<String, ()> {
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{}/v1/redemptions/{id}/commit", api.base))
        .header("x-terminal-token", &api.terminal)
        .header("idempotency-key", key)
        .bearer_auth(api.token.as_deref().unwrap())
        .send()
        .await
        .map_err(|_| ())?;
    if res.status() != 200 {
        return Err(());
    }
    res.text().await.map_err(|_| ())
}

/// SIGTERM (what a service manager sends) stops the server cleanly; a restart finds
/// everything committed and the audit chain intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_cleanly_and_keeps_every_commit() {
    let mut server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = approved(&server, &api, ASHA, ASHA_POINTS, 200).await;
    let receipt = api.commit(&id, "before-term").await;
    receipt.expect(200);
    let status = server.terminate(10).expect("the server exits on SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(server.logs().contains("shutting down"));
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "{out}");
    let restarted = Server::spawn(server.dir.clone(), server.db.clone(), &["--demo"], &[]);
    let mut again = api.clone();
    again.base = restarted.base.clone();
    assert_eq!(again.commit(&id, "before-term").await.body, receipt.body);
    assert_eq!(again.available(ASHA, ASHA_POINTS).await, 1000);
}
