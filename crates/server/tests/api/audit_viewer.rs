//! Issue 15: a manager reads their store's audit log filtered by action, staff member and
//! store day, with the names of who and where, checks the store's own chain page by page,
//! and exports it as CSV; cashiers cannot, and another store's entries never appear.

use crate::helpers::*;
use contract::api::AuditEntry;
use contract::audit::StoreChain;
use serde_json::{json, Value};

const CASHIER_ID: &str = "st-demo-c001";
const MANAGER_ID: &str = "st-demo-m001";
const TILL_1: &str = "term-demo-till-1";

/// Every page of the store's log the filter matches, read `limit` at a time, with each
/// page's `store_head` and `names`.
async fn all_pages(api: &Api, query: &str, limit: u32) -> (Vec<AuditEntry>, Vec<Value>) {
    let mut entries = Vec::new();
    let mut pages = Vec::new();
    let mut after = 0;
    loop {
        let sep = if query.is_empty() { "" } else { "&" };
        let page = api
            .get(&format!(
                "/v1/audit?{query}{sep}after={after}&limit={limit}"
            ))
            .await
            .expect(200);
        let got: Vec<AuditEntry> = serde_json::from_value(page["entries"].clone()).unwrap();
        entries.extend(got);
        let next = page["next_after"].as_u64();
        pages.push(page);
        match next {
            Some(n) => after = n,
            None => return (entries, pages),
        }
    }
}

/// The store day (India: UTC+05:30, no daylight saving) of a moment, as YYYY-MM-DD.
fn india_day(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms + 19_800_000)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

fn seqs(entries: &[AuditEntry]) -> Vec<u64> {
    entries.iter().map(|e| e.seq).collect()
}

async fn filtered(api: &Api, query: &str) -> Vec<AuditEntry> {
    all_pages(api, query, 1000).await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_narrows_the_log_by_action_staff_and_store_day_with_names_and_nothing_else() {
    let server = Server::demo(&["--demo-extra-merchant"]);
    // Day one: the cashier posts a redemption at till 1.
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = approved(&server, &cashier, ASHA, ASHA_POINTS, 100).await;
    cashier.commit(&id, "viewer-1").await.expect(200);
    // Two days on: the cashier signs in again, the manager adds a staff member.
    server.advance_clock(2 * 86_400).await;
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    manager
        .post(
            "/v1/admin/staff",
            json!({ "code": "C010", "name": "Anil", "role": "cashier", "pin": "583016" }),
        )
        .await
        .expect(201);

    // A cashier reads neither the log nor its export.
    cashier.get("/v1/audit").await.expect_problem("forbidden");
    cashier
        .get("/v1/audit/export")
        .await
        .expect_problem("forbidden");

    let (all, _) = all_pages(&manager, "", 1000).await;
    assert!(all.iter().all(|e| e.store_id == "st-demo"));
    let commit = all.iter().find(|e| e.action == "commit").unwrap();
    assert_eq!(commit.redemption_id.as_deref(), Some(id.as_str()));
    let day_one = india_day(commit.at_ms);
    let day_three = india_day(all.last().unwrap().at_ms);
    assert_ne!(day_one, day_three);

    // By action: the one commit.
    let commits = filtered(&manager, "action=commit").await;
    assert_eq!(seqs(&commits), [commit.seq]);
    // By staff: only the cashier's entries, both sign-ins and the commit among them.
    let theirs = filtered(&manager, &format!("staff={CASHIER_ID}")).await;
    assert!(theirs
        .iter()
        .all(|e| e.staff_id.as_deref() == Some(CASHIER_ID)));
    let expected: Vec<u64> = all
        .iter()
        .filter(|e| e.staff_id.as_deref() == Some(CASHIER_ID))
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs(&theirs), expected);
    assert_eq!(theirs.iter().filter(|e| e.action == "sign_in").count(), 2);
    assert!(theirs.iter().any(|e| e.seq == commit.seq));
    // By store day: day three holds the second sign-ins and the staff added, not the commit.
    let later = filtered(&manager, &format!("from={day_three}&to={day_three}")).await;
    let expected: Vec<u64> = all
        .iter()
        .filter(|e| india_day(e.at_ms) == day_three)
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs(&later), expected);
    let actions: Vec<&str> = later.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["sign_in", "sign_in", "staff_added"], "{later:?}");
    let first_day = filtered(&manager, &format!("to={day_one}")).await;
    assert!(first_day.iter().any(|e| e.seq == commit.seq));
    assert!(first_day.iter().all(|e| india_day(e.at_ms) <= day_one));
    // All three at once: the cashier's sign-in of day three, exactly.
    let one = filtered(
        &manager,
        &format!("action=sign_in&staff={CASHIER_ID}&from={day_three}&to={day_three}"),
    )
    .await;
    assert_eq!(one.len(), 1);
    assert_eq!(india_day(one[0].at_ms), day_three);
    assert_eq!(one[0].terminal_id.as_deref(), Some(TILL_1));

    // Names of who and where the page mentions: the cashier, the manager, the tills.
    let page = manager
        .get(&format!("/v1/audit?from={day_three}&to={day_three}"))
        .await
        .expect(200);
    let names: Vec<(String, String)> = page["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap().into(),
                n["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    for (id, name) in [
        (CASHIER_ID, "Priya Sharma"),
        (MANAGER_ID, "Rahul Mehta"),
        (TILL_1, "Till 1"),
        ("term-demo-till-2", "Till 2"),
    ] {
        assert!(
            names.contains(&(id.to_string(), name.to_string())),
            "{id} as {name} in {names:?}"
        );
    }

    // An action no entry can have, and days backwards, are refused by field.
    let p = manager
        .get("/v1/audit?action=delete_everything")
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "action", "{p}");
    let p = manager
        .get(&format!("/v1/audit?from={day_three}&to={day_one}"))
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "to", "{p}");

    // Another store's manager sees only theirs, whatever they ask for.
    let other = server.api("other-till-1").sign_in("M001", "9999").await;
    let (theirs, _) = all_pages(&other, "", 1000).await;
    assert!(!theirs.is_empty());
    assert!(theirs.iter().all(|e| e.store_id == "st-other"));
    assert!(filtered(&other, &format!("staff={CASHIER_ID}"))
        .await
        .is_empty());
    assert!(filtered(&other, "action=commit").await.is_empty());
    let export = other.get("/v1/audit/export").await;
    assert_eq!(export.status, 200);
    assert!(!export.body.contains("st-demo") && !export.body.contains("Till 1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_a_store_s_log_verifies_as_its_own_chain_up_to_the_head_the_server_named() {
    let server = Server::demo(&["--demo-extra-merchant"]);
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = approved(&server, &cashier, ASHA, ASHA_POINTS, 100).await;
    cashier.commit(&id, "chain-1").await.expect(200);
    // The other store is busy meanwhile: its entries are between ours in the log.
    server.api("other-till-1").sign_in("C001", "1234").await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;

    let (entries, pages) = all_pages(&manager, "", 7).await;
    assert!(pages.len() > 2, "read in several pages");
    let mut chain = StoreChain::new();
    for e in &entries {
        chain.see(e).unwrap_or_else(|b| panic!("{b}"));
    }
    let head = pages.last().unwrap()["store_head"].as_str().unwrap();
    assert_eq!(chain.finish(Some(head)), Ok(()));
    assert_eq!(
        chain.linked(),
        entries.len() as u64,
        "every entry is linked"
    );
    // Entries left out (a page cut short) are noticed against the head.
    let mut short = StoreChain::new();
    for e in &entries[..entries.len() - 1] {
        short.see(e).unwrap();
    }
    assert!(short.finish(Some(head)).is_err());
    // An entry changed on the way is noticed at that entry.
    let mut edited = entries.clone();
    edited[1].detail = r#"{"quantity":1}"#.into();
    let mut c = StoreChain::new();
    let broke = edited.iter().find_map(|e| c.see(e).err()).unwrap();
    assert_eq!(broke.seq, edited[1].seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_is_a_csv_file_of_names_in_store_time_with_formulas_inert() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    // A staff member whose name a spreadsheet would run.
    manager
        .post(
            "/v1/admin/staff",
            json!({ "code": "C011", "name": "=HYPERLINK(\"http://x\")", "role": "cashier", "pin": "583016" }),
        )
        .await
        .expect(201);
    let sly = server.api("demo-till-1").sign_in("C011", "583016").await;
    let id = approved(&server, &sly, ASHA, ASHA_POINTS, 100).await;
    sly.commit(&id, "export-1").await.expect(200);

    let all = filtered(&manager, "").await;
    let commit = all.iter().find(|e| e.action == "commit").unwrap();
    let day = india_day(commit.at_ms);
    let res = manager
        .get(&format!("/v1/audit/export?from={day}&to={day}"))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.content_type.starts_with("text/csv"),
        "{}",
        res.content_type
    );
    let disposition = res.headers["content-disposition"].to_str().unwrap();
    // The store's name in the file name, with what a file system would misread replaced.
    assert!(
        disposition.starts_with(&format!(
            "attachment; filename=\"Audit log RedeemGuard Demo Salon - Store {day} to {day}.csv\";"
        )),
        "{disposition}"
    );
    let mut lines = res.body.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "Seq,When (store time),Action,Staff,Terminal,Redemption,Detail,Hash,Store link"
    );
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert_eq!(
        rows.len(),
        all.iter().filter(|e| india_day(e.at_ms) == day).count()
    );
    // The commit's row: store time, the cashier's name made inert, the till's name.
    let when = chrono::DateTime::from_timestamp_millis(commit.at_ms + 19_800_000)
        .unwrap()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let row = rows
        .iter()
        .find(|r| r.starts_with(&format!("{},", commit.seq)))
        .unwrap();
    let start = format!(
        "{},{when},commit,\"'=HYPERLINK(\"\"http://x\"\")\",Till 1,{id},",
        commit.seq
    );
    assert!(row.starts_with(&start), "{row}\nnot {start}");
    let end = format!(",{},{}", commit.hash, commit.store_hash.as_deref().unwrap());
    assert!(row.ends_with(&end), "{row}");
    // No cell anywhere starts as a formula.
    let mut reader = csv::ReaderBuilder::new().from_reader(res.body.as_bytes());
    for rec in reader.records() {
        for cell in rec.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
        }
    }
    // Filtered by action, only those rows.
    let staff_added = manager.get("/v1/audit/export?action=staff_added").await;
    let body = staff_added.body;
    assert_eq!(
        body.lines().count(),
        1 + all.iter().filter(|e| e.action == "staff_added").count()
    );
    assert!(
        body.lines()
            .skip(1)
            .all(|l| l.contains(",staff_added,Rahul Mehta,")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_member_s_mobile_is_read_in_the_store_s_country_and_shown_in_the_staff_list() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let p = manager
        .post(
            "/v1/admin/staff",
            json!({ "code": "C012", "name": "Meera", "role": "cashier", "pin": "583016",
                    "mobile": "98x65 43210" }),
        )
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "mobile", "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("cannot be in a phone number"),
        "{p}"
    );
    let meera = manager
        .post(
            "/v1/admin/staff",
            json!({ "code": "C012", "name": "Meera", "role": "cashier", "pin": "583016",
                    "mobile": "090000 12345" }),
        )
        .await
        .expect(201);
    assert_eq!(meera["mobile"], "+919000012345");
    let list = manager.get("/v1/admin/staff").await.expect(200);
    let mobile_of = |code: &str| {
        list["staff"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .map(|s| s["mobile"].clone())
            .unwrap()
    };
    assert_eq!(mobile_of("C012"), "+919000012345");
    assert_eq!(mobile_of("M001"), "+919822000111", "the demo manager's");
    assert_eq!(mobile_of("C001"), Value::Null, "none given");
}
