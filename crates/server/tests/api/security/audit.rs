//! S7 against someone who can write the database file: the chain is keyed (HMAC, a key the
//! file does not hold), its head is anchored outside the file by signed checkpoints (an
//! append-only file beside it, and the log), and `verify-audit` cross-checks the ledger tables
//! against the log. Each attack runs on its own copy of one store's database.

use crate::helpers::*;
use rusqlite::Connection;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A store's day: codes, a commit, an override, a reversal, a cancel, an accrual.
async fn a_day_of_business(server: &Server) {
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    for n in 0..3 {
        let id = approved(server, &api, ASHA, ASHA_POINTS, 100).await;
        api.commit(&id, &format!("day-{n}")).await.expect(200);
    }
    let id = approved(server, &api, ASHA, ASHA_POINTS, 60).await;
    api.commit(&id, "day-r").await.expect(200);
    api.post(
        &format!("/v1/redemptions/{id}/reverse"),
        json!({ "reason": "goods returned" }),
    )
    .await
    .expect(200);
    let ov = api.create_id(ASHA, ASHA_POINTS, 70, 100_000).await;
    api.post(
        &format!("/v1/redemptions/{ov}/override"),
        json!({ "manager_code": "M001", "manager_pin": "9999", "override_code": "24681357", "reason": "no signal" }),
    )
    .await
    .expect(200);
    api.commit(&ov, "day-o").await.expect(200);
    let cancelled = api.create_id(ASHA, ASHA_POINTS, 50, 100_000).await;
    api.post(&format!("/v1/redemptions/{cancelled}/cancel"), json!({}))
        .await
        .expect(200);
    api.post(
        "/v1/accruals",
        json!({ "customer_id": ASHA,
                "bill": { "id": format!("S7-{}", rand_suffix()), "total": { "minor": 400_000, "currency": "INR" } } }),
    )
    .await
    .expect(201);
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    db.with_file_name(format!(
        "{}.{suffix}",
        db.file_name().unwrap().to_string_lossy()
    ))
}

/// A copy of a stopped server's database, with its key and checkpoints beside it.
fn copy_of(db: &Path, name: &str) -> PathBuf {
    let conn = Connection::open(db).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    let copy = db.with_file_name(format!("{name}.sqlite"));
    std::fs::copy(db, &copy).unwrap();
    for suffix in ["audit-key", "audit-checkpoints"] {
        std::fs::copy(sidecar(db, suffix), sidecar(&copy, suffix)).unwrap();
    }
    copy
}

fn tamper(db: &Path, sql: &str) {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;",
    )
    .unwrap();
    let changed = conn.execute(sql, []).unwrap();
    assert!(changed > 0, "{sql} changed nothing");
}

#[track_caller]
fn assert_broken(db: &Path, says: &str) {
    let (ok, out) = verify_audit(db);
    assert!(!ok, "verify-audit passed a tampered log: {out}");
    assert!(out.contains(says), "expected {says:?} in: {out}");
}

fn last_seq(db: &Path) -> i64 {
    audit_rows(db).last().map_or(0, |r| r.0)
}

fn checkpoints(db: &Path) -> Vec<Value> {
    std::fs::read_to_string(sidecar(db, "audit-checkpoints"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A stopped store with a day of business, its last checkpoint at the log's head.
async fn stopped_store() -> Server {
    let mut server = Server::demo(&[]);
    a_day_of_business(&server).await;
    server.terminate(10).expect("stops on SIGTERM");
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "{out}");
    assert_eq!(
        checkpoints(&server.db).last().unwrap()["seq"],
        last_seq(&server.db)
    );
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s7_checkpoints_are_signed_written_at_start_periodically_and_at_shutdown_and_logged() {
    let mut server = Server::demo(&["--audit-checkpoint-secs", "1"]);
    let at_start = checkpoints(&server.db);
    assert_eq!(at_start.len(), 1, "one at start: {at_start:?}");
    assert_eq!(at_start[0]["seq"], last_seq(&server.db), "after seeding");
    a_day_of_business(&server).await;
    // A cashier's signal crossed by the day (after hours, say) is told to the managers and
    // audited shortly after it (`alerts::DELAY`): the day ends then.
    tokio::time::sleep(redeemguard_server::alerts::DELAY * 2).await;
    let grown = eventually(10, || async {
        checkpoints(&server.db).last().unwrap()["seq"] == last_seq(&server.db)
    })
    .await;
    assert!(grown, "a periodic checkpoint covers the day");
    let quiet = checkpoints(&server.db).len();
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert_eq!(
        checkpoints(&server.db).len(),
        quiet,
        "none while nothing changes"
    );
    // One more entry, then a clean stop: the shutdown checkpoint names the very last entry.
    server.api("demo-till-2").sign_in("C001", "1234").await;
    server.terminate(10).expect("stops on SIGTERM");
    let all = checkpoints(&server.db);
    assert_eq!(all.last().unwrap()["seq"], last_seq(&server.db));
    for cp in &all {
        assert_eq!(cp["mac"].as_str().unwrap().len(), 64, "signed: {cp}");
        assert!(cp["keyed_from"].as_u64().unwrap() >= 1);
    }
    // The log holds each checkpoint too (a second copy of the anchor).
    let logs = server.logs();
    let last = all.last().unwrap();
    assert!(
        logs.lines().any(|l| l.contains("audit checkpoint")
            && l.contains(last["head"].as_str().unwrap())
            && l.contains(last["mac"].as_str().unwrap())),
        "{logs}"
    );
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!("{} signed checkpoints", all.len())),
        "{out}"
    );
    // A forged checkpoint (signed with another key) and a missing file are refused.
    let forged = copy_of(&server.db, "forged");
    let mut lines = std::fs::read_to_string(sidecar(&forged, "audit-checkpoints")).unwrap();
    let mut fake = last.clone();
    fake["seq"] = json!(1);
    fake["head"] = json!(audit_rows(&forged)[0].4);
    lines.push_str(&format!("{fake}\n"));
    std::fs::write(sidecar(&forged, "audit-checkpoints"), lines).unwrap();
    assert_broken(&forged, "not signed by the audit key");
    std::fs::remove_file(sidecar(&forged, "audit-checkpoints")).unwrap();
    let (ok, out) = verify_audit(&forged);
    assert!(!ok && out.contains("no checkpoint file"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s7_cutting_the_tail_or_every_row_of_the_audit_log_is_detected_against_the_last_checkpoint()
{
    let server = stopped_store().await;
    let last = last_seq(&server.db);

    // The tail: every commit, override and reverse row (as in issue 12), here the last 15.
    let tail = copy_of(&server.db, "tail");
    tamper(
        &tail,
        &format!("DELETE FROM audit WHERE seq > {}", last - 15),
    );
    assert_broken(&tail, "entries were deleted or the log was truncated");

    // Every row.
    let all = copy_of(&server.db, "all");
    tamper(&all, "DELETE FROM audit");
    assert_broken(&all, "entries were deleted or the log was truncated");

    // Only the rows of one kind (every commit), re-linking nothing.
    let commits = copy_of(&server.db, "commits");
    tamper(&commits, "DELETE FROM audit WHERE action = 'commit'");
    assert_broken(&commits, "is missing");

    // A row in the middle.
    let middle = copy_of(&server.db, "middle");
    tamper(
        &middle,
        &format!("DELETE FROM audit WHERE seq = {}", last / 2),
    );
    assert_broken(&middle, &format!("entry {} is missing", last / 2));
}

/// Recomputes every hash from `from_seq` on with `hash(prev, canonical)`, as an attacker would.
fn rehash(db: &Path, from_seq: i64, hash: impl Fn(&str, &str) -> String) {
    let conn = Connection::open(db).unwrap();
    let rows: Vec<(i64, String)> = conn
        .prepare(
            "SELECT seq, json_array(seq, at_ms, action, store_id, terminal_id, staff_id, \
             redemption_id, detail) FROM audit ORDER BY seq",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = "0".repeat(64);
    for (seq, canonical) in rows {
        if seq >= from_seq {
            let canonical: Value = serde_json::from_str(&canonical).unwrap();
            let h = hash(&prev, &canonical.to_string());
            conn.execute(
                "UPDATE audit SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
                rusqlite::params![prev, h, seq],
            )
            .unwrap();
            prev = h;
        } else {
            prev = conn
                .query_row("SELECT hash FROM audit WHERE seq = ?1", [seq], |r| r.get(0))
                .unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s7_a_rewritten_and_rehashed_log_is_detected_without_the_key() {
    use hmac::Mac;
    use sha2::Digest;
    let server = stopped_store().await;
    let commit_seq = audit_rows(&server.db)
        .iter()
        .find(|r| r.1 == "commit")
        .unwrap()
        .0;
    let rewrite = format!(
        "UPDATE audit SET detail = json_set(detail, '$.quantity', 1) WHERE seq = {commit_seq}"
    );

    // Re-hashed the way an unkeyed chain would be (SHA-256).
    let sha = copy_of(&server.db, "sha");
    tamper(&sha, &rewrite);
    rehash(&sha, commit_seq, |prev, canonical| {
        hex::encode(sha2::Sha256::digest(format!("{prev}\n{canonical}")))
    });
    assert_broken(&sha, &format!("at entry {commit_seq}"));
    assert_broken(&sha, "re-hashed without the key");

    // Re-hashed with the right construction but a guessed key.
    let guessed = copy_of(&server.db, "guessed");
    tamper(&guessed, &rewrite);
    rehash(&guessed, commit_seq, |prev, canonical| {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"a guessed audit key").unwrap();
        mac.update(format!("redeemguard-audit-v2\n{prev}\n{canonical}\n").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    });
    assert_broken(&guessed, &format!("at entry {commit_seq}"));

    // Claiming the keyed chain starts later (so the rewritten part passes as unkeyed) is
    // caught by the signed checkpoints, which state where it starts.
    let later = copy_of(&server.db, "later");
    tamper(&later, &rewrite);
    rehash(&later, commit_seq, |prev, canonical| {
        hex::encode(sha2::Sha256::digest(format!("{prev}\n{canonical}")))
    });
    tamper(
        &later,
        "UPDATE meta SET value = '1000000' WHERE key = 'audit_keyed_from'",
    );
    assert_broken(&later, "its checkpoints say 1");

    // With the key (only the server has it), the same rewrite is a different log than the
    // one the last checkpoint signed: still caught.
    let key = std::fs::read(sidecar(&server.db, "audit-key")).unwrap();
    let keyed = copy_of(&server.db, "keyed");
    tamper(&keyed, &rewrite);
    rehash(&keyed, commit_seq, |prev, canonical| {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("redeemguard-audit-v2\n{prev}\n{canonical}\n").as_bytes());
        hex::encode(mac.finalize().into_bytes())
    });
    assert_broken(&keyed, "signed checkpoint");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s7_the_ledger_is_cross_checked_against_the_audit_log() {
    // Checkpoints an hour apart and a crash: the day's entries come after the last checkpoint,
    // so only the ledger cross-check can tell that they were cut.
    let mut server = Server::demo(&["--audit-checkpoint-secs", "3600"]);
    let anchored = checkpoints(&server.db).last().unwrap()["seq"]
        .as_i64()
        .unwrap();
    a_day_of_business(&server).await;
    server.kill9();
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "{out}");
    assert!(out.contains("balances recomputed"), "{out}");

    // Every entry after the last checkpoint cut: the commits the ledger holds have no entry.
    let cut = copy_of(&server.db, "cut");
    tamper(&cut, &format!("DELETE FROM audit WHERE seq > {anchored}"));
    assert_broken(
        &cut,
        "is committed in the ledger but the audit log has no commit entry",
    );

    // A balance raised in the table: the log's movements do not add up to it.
    let raised = copy_of(&server.db, "raised");
    tamper(
        &raised,
        &format!("UPDATE instruments SET balance = balance + 5000 WHERE id = '{ASHA_POINTS}'"),
    );
    assert_broken(&raised, "the audit log's movements add up to");

    // A redemption's quantity changed in the ledger.
    let changed = copy_of(&server.db, "changed");
    tamper(
        &changed,
        "UPDATE redemptions SET data = json_set(data, '$.quantity', 1) WHERE status = 'committed'",
    );
    assert_broken(&changed, "commit entry does not match the ledger");

    // An accrual row added to the ledger without its entry.
    let minted = copy_of(&server.db, "minted");
    tamper(
        &minted,
        &format!(
            "INSERT INTO accruals (id, store_id, customer_id, bill_id, points, balance_after, at_ms) \
             VALUES ('acc_forged', 'st-demo', '{ASHA}', 'FORGED', 99999, 0, 0)"
        ),
    );
    assert_broken(&minted, "has no matching accrual entry");

    // A reversal recorded in the ledger only.
    let reversed = copy_of(&server.db, "reversed");
    tamper(
        &reversed,
        "UPDATE redemptions SET status = 'reversed', data = json_set(data, '$.status', 'reversed') \
         WHERE id = (SELECT id FROM redemptions WHERE status = 'committed' LIMIT 1)",
    );
    assert_broken(&reversed, "has no reverse entry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s7_a_log_from_before_the_key_keeps_its_links_and_continues_keyed() {
    use sha2::Digest;
    // A database as an earlier version left it: an unkeyed (SHA-256) chain, no opening
    // balances, no checkpoints.
    let mut old = Server::demo(&[]);
    a_day_of_business(&old).await;
    old.terminate(10).expect("stops");
    let db = old.db.clone();
    tamper(&db, "DELETE FROM audit WHERE action = 'balance_opened'"); // the seed's, first
    tamper(
        &db,
        "UPDATE audit SET seq = seq - (SELECT MIN(seq) - 1 FROM audit)",
    );
    rehash(&db, 1, |prev, canonical| {
        hex::encode(sha2::Sha256::digest(format!("{prev}\n{canonical}")))
    });
    let legacy_entries = last_seq(&db);
    tamper(
        &db,
        &format!(
            "UPDATE meta SET value = '{}' WHERE key = 'audit_keyed_from'",
            legacy_entries + 1
        ),
    );
    tamper(&db, "DELETE FROM meta WHERE key = 'ledger_baseline_seq'");
    // Nor store chains (migration 17): its entries carry no store link.
    tamper(&db, "UPDATE audit SET store_hash = NULL");
    std::fs::remove_file(sidecar(&db, "audit-checkpoints")).unwrap();

    // Served by this version: the old links stay, opening balances are recorded once, and
    // the chain continues keyed.
    let new = Server::spawn(old.dir.clone(), db.clone(), &["--demo"], &[]);
    let api = new.api("demo-till-1").sign_in("C001", "1234").await;
    let id = approved(&new, &api, ASHA, ASHA_POINTS, 100).await;
    api.commit(&id, "after-upgrade").await.expect(200);
    drop(new);
    let rows = audit_rows(&db);
    assert_eq!(
        rows.iter().filter(|r| r.1 == "balance_opened").count(),
        rows.iter()
            .filter(|r| r.1 == "balance_opened" && r.2.contains("baseline"))
            .count()
    );
    assert!(rows.iter().any(|r| r.1 == "balance_opened"));
    let (ok, out) = verify_audit(&db);
    assert!(ok, "{out}");
    // The store's chain began with the first entry written after: the old ones stay unlinked.
    let linked: Vec<i64> = Connection::open(&db)
        .unwrap()
        .prepare("SELECT seq FROM audit WHERE store_hash IS NOT NULL ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(linked.first().copied(), Some(legacy_entries + 1));
    assert_eq!(linked.last().copied(), Some(last_seq(&db)));
    // An edit in the unkeyed part is still found.
    tamper(
        &db,
        "UPDATE audit SET detail = json_set(detail, '$.quantity', 1) WHERE seq = 3",
    );
    assert_broken(&db, "at entry 3");
}

/// The demo store's entries (seqs, oldest first) as stored.
fn seqs_of(db: &Path, store: &str) -> Vec<i64> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT seq FROM audit WHERE store_id = ?1 ORDER BY seq")
        .unwrap();
    stmt.query_map([store], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Issue 15: each store's own chain (the one a manager's browser checks) is checked by
/// verify-audit too: an edited entry of one store, one removed from its middle, and its
/// newest entries cut off (while another store's entries follow) each break that store's
/// chain, the last against the store's head the signed checkpoint names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s7_an_edited_removed_or_cut_entry_of_one_store_breaks_that_store_s_own_chain() {
    let mut server = Server::demo(&["--demo-extra-merchant"]);
    a_day_of_business(&server).await;
    // The other store after: the demo store's newest entries are not the log's.
    server.api("other-till-1").sign_in("C001", "1234").await;
    server.terminate(10).expect("stops on SIGTERM");
    let (ok, out) = verify_audit(&server.db);
    assert!(ok, "{out}");
    assert!(out.contains("2 stores' own chains intact"), "{out}");
    let last = checkpoints(&server.db).last().unwrap().clone();
    let demo = seqs_of(&server.db, "st-demo");
    let other = seqs_of(&server.db, "st-other");
    let demo_last = *demo.last().unwrap();
    assert!(*other.last().unwrap() > demo_last);
    assert!(
        last["stores"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["store_id"] == "st-demo" && h["seq"] == demo_last),
        "the checkpoint signs the store's head: {last}"
    );

    // An edited entry.
    let commit_seq = audit_rows(&server.db)
        .iter()
        .find(|r| r.1 == "commit")
        .unwrap()
        .0;
    let edited = copy_of(&server.db, "store-edited");
    tamper(
        &edited,
        &format!(
            "UPDATE audit SET detail = json_set(detail, '$.quantity', 1) WHERE seq = {commit_seq}"
        ),
    );
    assert_broken(
        &edited,
        &format!("store st-demo's own chain breaks: entry {commit_seq} does not match its link"),
    );

    // An entry removed from the store's middle: the store's next entry no longer links.
    let middle = demo[demo.len() / 2];
    let next = demo[demo.len() / 2 + 1];
    let removed = copy_of(&server.db, "store-removed");
    tamper(&removed, &format!("DELETE FROM audit WHERE seq = {middle}"));
    assert_broken(
        &removed,
        &format!("store st-demo's own chain breaks: entry {next} does not match its link"),
    );

    // The store's newest three entries cut off, the other store's after them kept.
    let cut = copy_of(&server.db, "store-cut");
    let from = demo[demo.len() - 3];
    tamper(
        &cut,
        &format!("DELETE FROM audit WHERE store_id = 'st-demo' AND seq >= {from}"),
    );
    assert_broken(
        &cut,
        &format!(
            "store st-demo's own chain breaks: the log ends early: its newest entries are \
             missing (a signed checkpoint names its entry {demo_last})"
        ),
    );
}
