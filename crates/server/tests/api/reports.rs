//! Issue 15: what a manager reads. A small known set of redemptions (two cashiers, two tills,
//! three customers, two store days, an override, a reversal, one without a code, vouchers
//! printed, taken at a till and expired) against hand-computed reports and CSV files; the
//! liability of the demo store; cashiers' signals, their ranking and the manager's alert.

use crate::helpers::*;
use contract::reports::StoreDate;
use serde_json::{json, Value};

const IST_MS: i64 = 19_800_000;
const DAY_MS: i64 = 86_400_000;
const PRIYA: &str = "st-demo-c001";
const MANAGER_ID: &str = "st-demo-m001";
const TILL_1: &str = "term-demo-till-1";
const VIKRAM: &str = "cust-vikram";
const KAVYA: &str = "cust-kavya";

fn inr(minor: u64) -> Value {
    json!({ "minor": minor, "currency": "INR" })
}

fn bill(id: &str, total: u64) -> Value {
    json!({ "kind": "bill", "bill": { "id": id, "total": inr(total) } })
}

/// The store day (India) of an instant.
fn ist_day(at_ms: i64) -> String {
    let days = (at_ms + IST_MS).div_euclid(DAY_MS) - 10_957; // since 2000-01-01
    StoreDate::from_ordinal(days as u32).unwrap().to_string()
}

/// Moves the server's clock to `hh:00` India time on the next day; returns that store day.
async fn next_day_at(server: &Server, api: &Api, hour: i64) -> String {
    let now = api.balance(ASHA).await["as_of_ms"].as_i64().unwrap();
    let local = now + IST_MS;
    let target = (local.div_euclid(DAY_MS) + 1) * DAY_MS + hour * 3_600_000;
    server.advance_clock((target - local) / 1000 + 1).await;
    ist_day(target - IST_MS + 1000)
}

/// A redemption from intent to receipt: the customer's code when one is needed (a wrong one
/// typed first with `wrong_first`), else none. Returns the receipt.
async fn redeem(
    server: &Server,
    api: &Api,
    customer: &str,
    instrument: &str,
    quantity: u64,
    purpose: Value,
    wrong_first: bool,
) -> Value {
    let body = json!({ "customer_id": customer, "instrument_id": instrument,
        "quantity": quantity, "purpose": purpose });
    let r = api.post("/v1/redemptions", body).await.expect(201);
    let id = id_of(&r);
    if r["status"] == "awaiting_otp" {
        api.send_otp(&id, "sms").await.expect(200);
        let code = server.code_for(&id).await;
        if wrong_first {
            api.verify(&id, &wrong(&code))
                .await
                .expect_problem("otp_invalid");
        }
        api.verify(&id, &code).await.expect(200);
    }
    api.commit(&id, &format!("k-{id}")).await.expect(200)
}

/// The report's JSON for `query` (after `?report=…&`).
async fn report(api: &Api, kind: &str, query: &str) -> Value {
    api.get(&format!("/v1/reports/loyalty?report={kind}&{query}"))
        .await
        .expect(200)
}

/// The rows as (key fields…, count, points, value minor, reversed) strings, for compact checks.
fn rows(report: &Value, keys: &[&str]) -> Vec<String> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut parts: Vec<String> = keys
                .iter()
                .map(|k| match &r[*k] {
                    Value::String(s) => s.clone(),
                    Value::Null => "-".into(),
                    other => other.to_string(),
                })
                .collect();
            parts.push(format!(
                "{} {} {} {}",
                r["count"], r["points"], r["value"]["minor"], r["reversed"]
            ));
            parts.join(" | ")
        })
        .collect()
}

fn totals(report: &Value) -> (u64, u64, u64, u64) {
    (
        report["count"].as_u64().unwrap(),
        report["points"].as_u64().unwrap(),
        report["value"]["minor"].as_u64().unwrap(),
        report["reversed"].as_u64().unwrap(),
    )
}

/// Another customer of the merchant with Asha's mobile (a shared contact), written to the
/// database directly: an import would (rightly) take them for Asha.
fn asha_twin(server: &Server) {
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn.execute(
        "INSERT INTO customers (id, merchant_id, name, mobile) \
         VALUES ('cust-asha-twin', 'm-demo', 'A. Rao', '+919876543210')",
        [],
    )
    .unwrap();
}

/// The demo manager's mobile, where alerts go. Staff mobiles come with migration 17 (another
/// branch): the column is added here when the schema does not have it yet.
fn give_manager_a_mobile(server: &Server, mobile: &str) {
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn.execute(
        "UPDATE staff SET mobile = ?1 WHERE id = ?2",
        rusqlite::params![mobile, MANAGER_ID],
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_reads_every_report_as_computed_by_hand_and_only_their_store_s() {
    let server = Server::demo(&["--demo-extra-merchant"]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    // Day 1, from 10:00 India time (sessions do not last the night: everyone signs in).
    let d1 = next_day_at(&server, &manager, 10).await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let priya = server.api("demo-till-1").sign_in("C001", "1234").await;
    let ravi_id = id_of(
        &manager
            .post(
                "/v1/admin/staff",
                json!({ "code": "R001", "name": "Ravi Kumar", "role": "cashier", "pin": "583016" }),
            )
            .await
            .expect(201),
    );
    let ravi = server.api("demo-till-2").sign_in("R001", "583016").await;
    let other = server.api("other-till-1").sign_in("C001", "1234").await;
    // Below ₹100.00 no code is needed; a printed voucher is valid for one day.
    manager
        .set_policy(json!({ "otp_min_value": inr(10_000), "voucher_valid_days": 1 }))
        .await;
    asha_twin(&server);

    let asha_pts = ASHA_POINTS;
    redeem(
        &server,
        &priya,
        ASHA,
        asha_pts,
        500,
        bill("R-1", 200_000),
        false,
    )
    .await;
    let r2 = redeem(
        &server,
        &priya,
        ASHA,
        asha_pts,
        100,
        bill("R-2", 100_000),
        false,
    )
    .await;
    let r2_id = r2["redemption_id"].as_str().unwrap();
    priya
        .post(
            &format!("/v1/redemptions/{r2_id}/reverse"),
            json!({ "reason": "bill voided" }),
        )
        .await
        .expect(200);
    let vikram_pts = "cust-vikram-points-0";
    let r3 = redeem(
        &server,
        &priya,
        VIKRAM,
        vikram_pts,
        60,
        bill("R-3", 50_000),
        false,
    )
    .await;
    assert_eq!(r3["approval"]["by"], "not_required");
    let voucher = json!({ "kind": "voucher" });
    let v1 = redeem(&server, &priya, ASHA, asha_pts, 300, voucher.clone(), false).await;
    let v2 = redeem(
        &server,
        &priya,
        VIKRAM,
        vikram_pts,
        200,
        voucher.clone(),
        false,
    )
    .await;
    // Ravi's customer did not get the code: the manager's override at his till.
    let r6 = ravi
        .post(
            "/v1/redemptions",
            json!({ "customer_id": KAVYA, "instrument_id": "cust-kavya-points-0",
                "quantity": 200, "purpose": bill("R-4", 100_000) }),
        )
        .await
        .expect(201);
    let r6_id = id_of(&r6);
    ravi.post(
        &format!("/v1/redemptions/{r6_id}/override"),
        json!({ "manager_code": "M001", "manager_pin": "9999",
            "override_code": "24681357", "reason": "phone out of charge" }),
    )
    .await
    .expect(200);
    ravi.commit(&r6_id, "k-r6").await.expect(200);
    // Kavya's bill earned points: a sale is recorded on it.
    ravi.post(
        "/v1/accruals",
        json!({ "customer_id": KAVYA, "bill": { "id": "R-4", "total": inr(100_000) } }),
    )
    .await
    .expect(201);
    // Asha's ₹300.00 voucher is taken off a bill at Ravi's till.
    let v1_code = v1["voucher"]["code"].as_str().unwrap();
    ravi.post(
        "/v1/vouchers/redeem",
        json!({ "code": v1_code, "bill": { "id": "V-1", "total": inr(100_000) } }),
    )
    .await
    .expect(200);
    // Another merchant's redemption the same day never shows.
    redeem(
        &server,
        &other,
        "other-cust-1",
        "other-cust-1-points-0",
        100,
        bill("O-1", 100_000),
        false,
    )
    .await;

    // Day 2: Ravi types a wrong code once, then Asha's package session. Vikram's voucher
    // (valid one day) has expired unused.
    server.advance_clock(86_400 + 60).await;
    let d2 = ist_day(v2["voucher"]["valid_until_ms"].as_i64().unwrap());
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let ravi = server.api("demo-till-2").sign_in("R001", "583016").await;
    let priya = server.api("demo-till-1").sign_in("C001", "1234").await;
    let kiosk = kiosk(&server).await;
    redeem(
        &server,
        &ravi,
        ASHA,
        "cust-asha-package-1",
        1,
        bill("R-5", 300_000),
        true,
    )
    .await;
    let period = format!("from={d1}&to={d2}");

    // Loyalty – Date/Customer Wise Summary: per store day and customer, by name.
    let dc = report(&manager, "date_customer", &period).await;
    assert_eq!(
        rows(&dc, &["date", "customer_name"]),
        [
            format!("{d1} | Asha Rao | 2 800 80000 1"),
            format!("{d1} | Kavya Iyer | 1 200 20000 0"),
            format!("{d1} | Vikram Singh | 2 260 26000 0"),
            format!("{d2} | Asha Rao | 1 0 150000 0"),
        ]
    );
    assert_eq!(totals(&dc), (6, 1260, 276_000, 1));
    assert_eq!(dc["more"], false);
    assert_eq!(
        dc["vouchers"],
        json!({ "issued": 2, "issued_value": inr(50_000), "redeemed": 1,
            "redeemed_value": inr(30_000), "expired": 1, "expired_value": inr(20_000) })
    );

    // Customer Wise Detailed: every redemption, by customer then time; a reversed one counts 0.
    let detail = report(&manager, "customer_detail", &period).await;
    assert_eq!(
        rows(&detail, &["customer_name", "instrument_label", "quantity", "bill_id", "approved_by", "cashier_name", "terminal_name"]),
        [
            "Asha Rao | Loyalty points | 500 | R-1 | code | Priya Sharma | Till 1 | 1 500 50000 0",
            "Asha Rao | Loyalty points | 100 | R-2 | code | Priya Sharma | Till 1 | 0 100 10000 1",
            "Asha Rao | Loyalty points | 300 | - | code | Priya Sharma | Till 1 | 1 300 30000 0",
            "Asha Rao | Hair spa × 6 | 1 | R-5 | code | Ravi Kumar | Till 2 | 1 0 150000 0",
            "Kavya Iyer | Loyalty points | 200 | R-4 | override | Ravi Kumar | Till 2 | 1 200 20000 0",
            "Vikram Singh | Loyalty points | 60 | R-3 | no_code | Priya Sharma | Till 1 | 1 60 6000 0",
            "Vikram Singh | Loyalty points | 200 | - | code | Priya Sharma | Till 1 | 1 200 20000 0",
        ]
    );
    assert_eq!(totals(&detail), (6, 1260, 276_000, 1));

    let by = |kind: &'static str| report(&manager, kind, &period);
    assert_eq!(
        rows(&by("cashier").await, &["cashier_name"]),
        [
            "Priya Sharma | 4 1060 106000 1",
            "Ravi Kumar | 2 200 170000 0"
        ]
    );
    assert_eq!(
        rows(&by("terminal").await, &["terminal_name"]),
        ["Till 1 | 4 1060 106000 1", "Till 2 | 2 200 170000 0"]
    );
    assert_eq!(
        rows(
            &by("instrument").await,
            &["instrument_kind", "unit", "quantity"]
        ),
        [
            "package | sessions | 1 | 1 0 150000 0",
            "points | points | 1260 | 5 1260 126000 1"
        ]
    );
    let eod = by("end_of_day").await;
    assert_eq!(
        rows(&eod, &["date", "terminal_name", "vouchers_taken"]),
        [
            format!("{d1} | Till 1 | 0 | 4 1060 106000 1"),
            format!("{d1} | Till 2 | 1 | 1 200 20000 0"),
            format!("{d2} | Till 2 | 0 | 1 0 150000 0"),
        ]
    );
    assert_eq!(eod["rows"][1]["vouchers_value"], inr(30_000));

    // Each filter narrows to what it names.
    let narrowed = |q: String| {
        let manager = manager.clone();
        async move { totals(&report(&manager, "date_customer", &q).await) }
    };
    assert_eq!(
        narrowed(format!("{period}&cashier={ravi_id}")).await,
        (2, 200, 170_000, 0)
    );
    assert_eq!(
        narrowed(format!("{period}&terminal={TILL_1}")).await,
        (4, 1060, 106_000, 1)
    );
    assert_eq!(
        narrowed(format!("{period}&customer={ASHA}")).await,
        (3, 800, 230_000, 1)
    );
    assert_eq!(
        narrowed(format!("{period}&instrument=package")).await,
        (1, 0, 150_000, 0)
    );
    assert_eq!(
        narrowed(format!("{period}&approved_by=override")).await,
        (1, 200, 20_000, 0)
    );
    assert_eq!(
        narrowed(format!("{period}&approved_by=no_code")).await,
        (1, 60, 6_000, 0)
    );
    assert_eq!(
        narrowed(format!("{period}&approved_by=code")).await,
        (4, 1000, 250_000, 1)
    );
    assert_eq!(
        narrowed(format!("from={d2}&to={d2}")).await,
        (1, 0, 150_000, 0)
    );
    let asha_only = report(
        &manager,
        "date_customer",
        &format!("{period}&customer={ASHA}"),
    )
    .await;
    assert_eq!(asha_only["rows"].as_array().unwrap().len(), 2);

    // The CSV files: every row, names, plain decimals, store days.
    let csv = manager
        .get(&format!(
            "/v1/reports/loyalty.csv?report=date_customer&{period}"
        ))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    let disposition = csv.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with(&format!(
            "attachment; filename=\"Loyalty - Date-Customer Wise Summary {d1} to {d2}.csv\""
        )),
        "{disposition}"
    );
    assert_eq!(
        csv.body.lines().collect::<Vec<_>>(),
        [
            "Date,Customer,Redemptions,Points,Value,Reversed".to_string(),
            format!("{d1},Asha Rao,2,800,800.00,1"),
            format!("{d1},Kavya Iyer,1,200,200.00,0"),
            format!("{d1},Vikram Singh,2,260,260.00,0"),
            format!("{d2},Asha Rao,1,0,1500.00,0"),
        ]
    );
    let csv = manager
        .get(&format!(
            "/v1/reports/loyalty.csv?report=customer_detail&{period}&customer={ASHA}"
        ))
        .await;
    assert_eq!(
        csv.body.lines().collect::<Vec<_>>(),
        [
            "Customer,Date,Time,Bill,Kind,Item,Quantity,Unit,Value,Approved by,Cashier,Till,Reversed".to_string(),
            format!("Asha Rao,{d1},10:00,R-1,Points,Loyalty points,500,points,500.00,Customer's code,Priya Sharma,Till 1,0"),
            format!("Asha Rao,{d1},10:00,R-2,Points,Loyalty points,100,points,100.00,Customer's code,Priya Sharma,Till 1,1"),
            format!("Asha Rao,{d1},10:00,,Points,Loyalty points,300,points,300.00,Customer's code,Priya Sharma,Till 1,0"),
            format!("Asha Rao,{d2},10:01,R-5,Package,Hair spa × 6,1,sessions,1500.00,Customer's code,Ravi Kumar,Till 2,0"),
        ]
    );
    let csv = manager
        .get(&format!(
            "/v1/reports/loyalty.csv?report=end_of_day&{period}"
        ))
        .await;
    assert_eq!(
        csv.body.lines().collect::<Vec<_>>(),
        [
            "Date,Till,Redemptions,Points,Value,Vouchers taken,Vouchers value,Reversed".to_string(),
            format!("{d1},Till 1,4,1060,1060.00,0,0.00,1"),
            format!("{d1},Till 2,1,200,200.00,1,300.00,0"),
            format!("{d2},Till 2,1,0,1500.00,0,0.00,0"),
        ]
    );

    // Cashiers' signals over the two days, ranked: Priya's bills have no sale recorded (5 of
    // 5: no accrual, or a voucher) and she served Asha, whose mobile another customer has;
    // Ravi served Asha too, typed one wrong code, and his one override is too few to judge.
    let cashiers = manager
        .get(&format!("/v1/reports/cashiers?{period}"))
        .await
        .expect(200);
    let c = &cashiers["cashiers"];
    assert_eq!(c.as_array().unwrap().len(), 2, "{cashiers}");
    assert_eq!(
        c[0],
        json!({ "staff_id": PRIYA, "staff_name": "Priya Sharma", "redemptions": 5,
            "value": inr(116_000), "overrides": 0, "failed_codes": 0, "no_sale": 5,
            "reversals": 1, "after_hours": 0, "shared_contacts": 1, "bursts": 0,
            "flagged": ["no_sale", "shared_contact"] })
    );
    assert_eq!(
        c[1],
        json!({ "staff_id": ravi_id, "staff_name": "Ravi Kumar", "redemptions": 2,
            "value": inr(170_000), "overrides": 1, "failed_codes": 1, "no_sale": 1,
            "reversals": 0, "after_hours": 0, "shared_contacts": 1, "bursts": 0,
            "flagged": ["shared_contact"] })
    );
    assert_eq!(cashiers["thresholds"]["override_share_pct"], 20);
    let csv = manager
        .get(&format!("/v1/reports/cashiers.csv?{period}"))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(
        csv.body.lines().collect::<Vec<_>>(),
        [
            "Cashier,Redemptions,Value,Overrides,Wrong codes,No sale,Reversals,After hours,Shared contacts,Bursts,Flagged",
            "Priya Sharma,5,1160.00,0,0,5,1,0,1,0,Bills with no sale; Shared contacts",
            "Ravi Kumar,2,1700.00,1,1,1,0,0,1,0,Shared contacts",
        ]
    );
    // Day 1 alone: Ravi served Kavya only.
    let day1 = manager
        .get(&format!("/v1/reports/cashiers?from={d1}&to={d1}"))
        .await
        .expect(200);
    assert_eq!(day1["cashiers"][1]["redemptions"], 1);
    assert_eq!(day1["cashiers"][1]["shared_contacts"], 0);
    assert_eq!(day1["cashiers"][1]["flagged"], json!([]));
    // A ranking covers a month at most (each redemption of it is read).
    let long = manager
        .get("/v1/reports/cashiers?from=2027-01-01&to=2027-02-01")
        .await
        .expect_problem("invalid_request");
    assert_eq!(long["field"], "to");
    assert_eq!(long["detail"], "at most 31 days at a time");

    // The other merchant's manager sees only their own redemption.
    let other_manager = server.api("other-till-1").sign_in("M001", "9999").await;
    let theirs = report(&other_manager, "customer_detail", &period).await;
    assert_eq!(
        rows(&theirs, &["customer_name"]),
        ["Asha Rao (pharmacy) | 1 100 10000 0"]
    );
    assert_eq!(theirs["vouchers"]["issued"], 0);

    // Cashiers and kiosks read no reports; bad days are named.
    for api in [&priya, &kiosk] {
        for path in [
            format!("/v1/reports/loyalty?report=date_customer&{period}"),
            format!("/v1/reports/loyalty.csv?report=date_customer&{period}"),
            "/v1/reports/liability".to_string(),
            format!("/v1/reports/cashiers?{period}"),
        ] {
            api.get(&path).await.expect_problem("forbidden");
        }
    }
    for (query, field) in [
        ("report=date_customer&from=2027-02-30&to=2027-03-01", "from"),
        ("report=date_customer&from=2027-03-02&to=2027-03-01", "to"),
        ("report=date_customer&from=2027-01-01&to=2028-01-02", "to"),
        ("report=weekly&from=2027-01-01&to=2027-01-02", "report"),
        ("report=date_customer&from=2027-01-01", "to"),
        (
            "report=cashier&from=2027-01-01&to=2027-01-02&approved_by=pin",
            "approved_by",
        ),
    ] {
        let p = manager
            .get(&format!("/v1/reports/loyalty?{query}"))
            .await
            .expect_problem("invalid_request");
        assert_eq!(p["field"], field, "{query}: {p}");
    }
    let p = manager
        .get("/v1/reports/cashiers?from=2027-01-01&to=2027-13-01")
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "to");
    assert!(verify_audit(&server.db).0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_liability_is_what_customers_hold_and_printed_vouchers_not_yet_used() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let priya = server.api("demo-till-1").sign_in("C001", "1234").await;
    let l = manager.get("/v1/reports/liability").await.expect(200);
    let line = |l: &Value, kind: &str| {
        let found = l["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["instrument_kind"] == kind)
            .unwrap_or_else(|| panic!("{kind} in {l}"))
            .clone();
        format!(
            "{} {} {} {} | {} {} {} | {} {} {}",
            found["unit"].as_str().unwrap(),
            found["customers"],
            found["quantity"],
            found["value"]["minor"],
            found["expiring_30"],
            found["expiring_60"],
            found["expiring_90"],
            found["expiring_30_value"]["minor"],
            found["expiring_60_value"]["minor"],
            found["expiring_90_value"]["minor"],
        )
    };
    // The demo's holdings, added up by hand (customers seed.rs/customers.rs): 18 customers
    // with points (Siddharth has none), 1,370 of them expiring within 10 days.
    assert_eq!(
        line(&l, "points"),
        "points 18 30374 3037400 | 1370 1370 1370 | 137000 137000 137000"
    );
    assert_eq!(line(&l, "package"), "sessions 4 17 2260000 | 0 0 0 | 0 0 0");
    // Lakshmi's Silver membership (₹2,000.00) is valid for 90 days from the seed.
    assert_eq!(
        line(&l, "membership"),
        "credit 3 1700000 1700000 | 0 0 200000 | 0 0 200000"
    );
    assert_eq!(
        line(&l, "campaign"),
        "uses 3 4 150000 | 4 4 4 | 150000 150000 150000"
    );
    // Zoya's ₹500.00 gift card is valid for 60 days.
    assert_eq!(
        line(&l, "gift_card"),
        "credit 3 400000 400000 | 0 50000 50000 | 0 50000 50000"
    );
    assert_eq!(l["vouchers_outstanding"], 0);
    assert_eq!(l["total_value"], inr(7_547_400));
    // The same as a file: a row per kind, the vouchers, the total.
    let csv = manager.get("/v1/reports/liability.csv").await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"Loyalty owed.csv\""));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "Kind,Unit,Customers,Outstanding,Value,Expiring in 30 days,Value expiring in 30 days,Expiring in 60 days,Value expiring in 60 days,Expiring in 90 days,Value expiring in 90 days");
    assert!(
        lines.contains(&"Points,points,18,30374,30374.00,1370,1370.00,1370,1370.00,1370,1370.00"),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"Gift card,credit,3,400000,4000.00,0,0.00,50000,500.00,50000,500.00"),
        "{lines:?}"
    );
    assert_eq!(lines[lines.len() - 2], "Printed vouchers,,,0,0.00,,,,,,");
    assert_eq!(lines[lines.len() - 1], "Total,,,,75474.00,,,,,,");
    // A cashier may not read it.
    let cashier = priya.get("/v1/reports/liability.csv").await;
    assert_eq!(cashier.status, 403);

    // 500 of Asha's points redeemed, 300 printed as a voucher: the voucher is still owed.
    redeem(
        &server,
        &priya,
        ASHA,
        ASHA_POINTS,
        500,
        bill("L-1", 100_000),
        false,
    )
    .await;
    redeem(
        &server,
        &priya,
        ASHA,
        ASHA_POINTS,
        300,
        json!({ "kind": "voucher" }),
        false,
    )
    .await;
    let after = manager.get("/v1/reports/liability").await.expect(200);
    assert_eq!(
        line(&after, "points"),
        "points 18 29574 2957400 | 1370 1370 1370 | 137000 137000 137000"
    );
    assert_eq!(after["vouchers_outstanding"], 1);
    assert_eq!(after["vouchers_value"], inr(30_000));
    assert_eq!(after["total_value"], inr(7_547_400 - 80_000 + 30_000));
    // Once the voucher expires (90 days), it is owed no more; nor are Asha's 200 expiring
    // points (swept), the campaigns, Zoya's gift card or Lakshmi's membership.
    server.advance_clock(91 * 86_400).await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let later = manager.get("/v1/reports/liability").await.expect(200);
    assert_eq!(later["vouchers_outstanding"], 0);
    assert!(later["lines"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["instrument_kind"] != "campaign"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managers_get_one_message_a_day_when_a_cashier_redeems_after_hours() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    give_manager_a_mobile(&server, "+919800000001");
    // 23:00 India time: the store (09:00–22:00 by default) is closed.
    let day = next_day_at(&server, &manager, 23).await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let priya = server.api("demo-till-1").sign_in("C001", "1234").await;
    redeem(
        &server,
        &priya,
        ASHA,
        ASHA_POINTS,
        100,
        bill("N-1", 100_000),
        false,
    )
    .await;
    let alerts = || async {
        server
            .outbox(MANAGER_ID)
            .await
            .into_iter()
            .filter(|m| m["kind"] == "alert")
            .collect::<Vec<_>>()
    };
    assert!(eventually(10, || async { alerts().await.len() == 1 }).await);
    let sent = alerts().await;
    assert_eq!(sent[0]["channel"], "sms");
    assert_eq!(sent[0]["destination"], "+919800000001");
    let text = sent[0]["text"].as_str().unwrap();
    assert_eq!(
        text,
        "RedeemGuard: cashier Priya Sharma at RedeemGuard Demo Salon & Store crossed After hours (1 redemption) today. Check the back office."
    );
    assert_eq!(code_in(text), None, "an alert never holds a code");
    let audited = manager.audit_details("fraud_alert").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0]["staff_id"], PRIYA);
    assert_eq!(audited[0]["signal"], "after_hours");
    assert_eq!(audited[0]["day"], day.as_str());
    assert_eq!(audited[0]["after_hours"], 1);

    // A second one the same night: the managers already know.
    redeem(
        &server,
        &priya,
        ASHA,
        ASHA_POINTS,
        100,
        bill("N-2", 100_000),
        false,
    )
    .await;
    // Past the evaluation's delay (`alerts::DELAY`, 1 s).
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(alerts().await.len(), 1);
    assert_eq!(manager.audit_details("fraud_alert").await.len(), 1);
    // The report agrees.
    let c = manager
        .get(&format!("/v1/reports/cashiers?from={day}&to={day}"))
        .await
        .expect(200);
    assert_eq!(c["cashiers"][0]["after_hours"], 2);
    assert_eq!(c["cashiers"][0]["flagged"], json!(["after_hours"]));

    // The next night is another day: told again.
    server.advance_clock(86_400).await;
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let priya = server.api("demo-till-1").sign_in("C001", "1234").await;
    redeem(
        &server,
        &priya,
        ASHA,
        ASHA_POINTS,
        100,
        bill("N-3", 100_000),
        false,
    )
    .await;
    assert!(eventually(10, || async { alerts().await.len() == 2 }).await);
    assert_eq!(manager.audit_details("fraud_alert").await.len(), 2);
    assert!(verify_audit(&server.db).0);
}
