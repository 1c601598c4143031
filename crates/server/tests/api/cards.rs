//! Issue 14 (seed 004): loyalty card types with their own earn rate and point value, given to
//! customers by their customer type; card numbers issued in the back office; the customer
//! master imported over the API with customer and card types.

use crate::helpers::*;
use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;

fn inr(minor: u64) -> Value {
    json!({ "minor": minor, "currency": "INR" })
}

fn card_type(name: &str, customer_type: &str, earn_points: u32, per: u64, value: u64) -> Value {
    json!({ "name": name, "customer_type": customer_type, "earn_points": earn_points,
            "earn_per": inr(per), "point_value": inr(value) })
}

fn names(list: &Value) -> Vec<String> {
    list["card_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

const CARD_TYPES: &str = "/v1/admin/card-types";
const CARDS: &str = "/v1/admin/cards";

fn import_path(dry_run: bool) -> String {
    format!("/v1/admin/customers/import?dry_run={dry_run}")
}

/// A customer's points instrument as their balance shows it.
async fn points_of(api: &Api, customer: &str) -> Value {
    let b = api.balance(customer).await;
    b["instruments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "points")
        .unwrap_or_else(|| panic!("points in {b}"))
        .clone()
}

/// The one customer a till finds by `q`.
async fn found(api: &Api, q: &str) -> Vec<String> {
    api.get(&format!("/v1/customers?q={q}")).await.expect(200)["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

fn accrual(customer: &str, bill: &str, total: u64) -> Value {
    json!({ "customer_id": customer, "bill": { "id": bill, "total": inr(total) } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_types_are_listed_added_and_changed_by_a_manager_of_the_merchant_only() {
    let server = Server::demo(&["--demo-extra-merchant"]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let gold = card_type("Gold", "VIP", 5, 10_000, 200);
    cashier.get(CARD_TYPES).await.expect_problem("forbidden");
    cashier
        .post(CARD_TYPES, gold.clone())
        .await
        .expect_problem("forbidden");
    cashier
        .put(&format!("{CARD_TYPES}/ct-demo-classic"), gold.clone())
        .await
        .expect_problem("forbidden");

    // The demo merchant's card types, by name.
    let list = manager.get(CARD_TYPES).await.expect(200);
    assert_eq!(names(&list), ["Business", "Classic", "Institutional"]);
    assert_eq!(
        list["card_types"][0],
        json!({ "id": "ct-demo-business", "name": "Business", "customer_type": "GST",
                "earn_points": 2, "earn_per": inr(10_000), "point_value": inr(100) })
    );

    // Every field wrong is named at once.
    let p = manager
        .post(
            CARD_TYPES,
            json!({ "name": " ", "customer_type": "GST=1", "earn_points": 1_001,
                    "earn_per": inr(0), "point_value": { "minor": 100, "currency": "USD" } }),
        )
        .await
        .expect_problem("invalid_request");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "customer_type",
            "earn_points",
            "earn_per",
            "point_value"
        ]
    );
    assert_eq!(p["field"], "name");
    let said = p["detail"].as_str().unwrap();
    for f in &fields {
        assert!(said.contains(&format!("{f}: ")), "{f} in {said}");
    }
    assert!(said.contains("must be in INR"), "{said}");
    // A wrong shape names its field too.
    for (field, value, code) in [
        ("earn_points", json!("five"), "invalid_request"),
        ("earn_points", json!(-1), "invalid_request"),
        ("name", json!(7), "invalid_request"),
        (
            "earn_per",
            json!({ "minor": -1, "currency": "INR" }),
            "invalid_amount",
        ),
        ("point_value", json!("1.00"), "invalid_amount"),
        ("colour", json!("gold"), "invalid_request"),
    ] {
        let mut body = gold.clone();
        body[field] = value;
        let p = manager.post(CARD_TYPES, body).await.expect_problem(code);
        assert_eq!(p["field"], field, "{p}");
    }
    let mut no_name = gold.clone();
    no_name.as_object_mut().unwrap().remove("name");
    let p = manager
        .post(CARD_TYPES, no_name)
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "name");

    // A name, and a customer type, belong to one card type of the merchant, whatever the case.
    let p = manager
        .post(CARD_TYPES, card_type("classic", "VIP", 5, 10_000, 200))
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "name");
    assert!(p["detail"].as_str().unwrap().contains("Classic"), "{p}");
    let p = manager
        .post(CARD_TYPES, card_type("Gold", "gst", 5, 10_000, 200))
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "customer_type");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("the Business card is for customer type GST already"),
        "{p}"
    );

    // Added, trimmed.
    let added = manager
        .post(CARD_TYPES, card_type(" Gold ", " VIP ", 5, 10_000, 200))
        .await
        .expect(201);
    let gold_id = id_of(&added);
    assert!(gold_id.starts_with("ct"), "{added}");
    assert_eq!(
        (added["name"].as_str(), added["customer_type"].as_str()),
        (Some("Gold"), Some("VIP"))
    );
    assert_eq!(
        names(&manager.get(CARD_TYPES).await.expect(200)),
        ["Business", "Classic", "Gold", "Institutional"]
    );

    // Changed: its own name and type are no duplicates of itself; another's are.
    let path = format!("{CARD_TYPES}/{gold_id}");
    let changed = manager
        .put(&path, card_type("Gold Plus", "vip", 6, 10_000, 250))
        .await
        .expect(200);
    assert_eq!(
        changed,
        json!({ "id": gold_id, "name": "Gold Plus", "customer_type": "vip", "earn_points": 6,
                "earn_per": inr(10_000), "point_value": inr(250) })
    );
    let p = manager
        .put(&path, card_type("business", "VIP", 6, 10_000, 250))
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "name");
    let p = manager
        .put(
            &path,
            card_type("Gold Plus", "Institutional", 6, 10_000, 250),
        )
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "customer_type");
    let p = manager
        .put(&path, card_type("Gold Plus", "VIP", 6, 0, 250))
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["errors"][0]["field"], "earn_per");
    manager
        .put(
            &format!("{CARD_TYPES}/ct-nope"),
            card_type("X", "Y", 1, 100, 100),
        )
        .await
        .expect_problem("not_found");

    // Card types are the merchant's (S9): another merchant's is not found, and theirs are
    // theirs (a name ours uses is free there).
    manager
        .put(
            &format!("{CARD_TYPES}/ct-other-classic"),
            card_type("Classic", "Normal", 9, 100, 100),
        )
        .await
        .expect_problem("not_found");
    let other = server.api("other-till-1").sign_in("M001", "9999").await;
    let theirs = other.get(CARD_TYPES).await.expect(200);
    assert_eq!(names(&theirs), ["Classic"]);
    assert_eq!(theirs["card_types"][0]["id"], "ct-other-classic");
    other
        .put(&path, card_type("Mine", "VIP", 1, 100, 100))
        .await
        .expect_problem("not_found");
    other
        .post(CARD_TYPES, card_type("Gold Plus", "VIP", 1, 100, 100))
        .await
        .expect(201);

    // Each change names the manager; a refused one wrote nothing.
    let entries = manager.audit_entries().await;
    let of = |action: &str| -> Vec<&Value> {
        entries.iter().filter(|e| e["action"] == action).collect()
    };
    assert_eq!(of("card_type_added").len(), 1);
    assert_eq!(of("card_type_changed").len(), 1);
    let added = of("card_type_added")[0];
    assert_eq!(added["staff_id"], "st-demo-m001");
    assert_eq!(detail(added)["card_type_id"], gold_id.as_str());
    assert_eq!(detail(added)["name"], "Gold");
    let changed = detail(of("card_type_changed")[0]);
    assert_eq!(
        (
            changed["before"]["name"].as_str(),
            changed["after"]["name"].as_str()
        ),
        (Some("Gold"), Some("Gold Plus"))
    );
    assert_eq!(changed["after"]["point_value_minor"], 250);
    assert!(verify_audit(&server.db).0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_is_issued_by_mobile_e_mail_or_card_and_the_till_finds_the_customer_by_it() {
    let server = Server::demo(&["--demo-extra-merchant"]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    cashier
        .post(
            CARDS,
            json!({ "customer": "9900112233", "card": "RG77770001" }),
        )
        .await
        .expect_problem("forbidden");

    // Arjun Patel has no card: found by his mobile as a cashier types it; the customer type
    // is spelt as its card type spells it.
    let issued = manager
        .post(
            CARDS,
            json!({ "customer": "99001 12233", "card": "rg-7777-0001", "customer_type": "gst" }),
        )
        .await
        .expect(200);
    assert_eq!(
        issued,
        json!({ "customer_id": "cust-arjun", "customer_name": "Arjun Patel", "card": "RG77770001",
                "customer_type": "GST", "card_type": "Business", "welcome": "sms" })
    );
    assert_eq!(found(&cashier, "RG77770001").await, ["cust-arjun"]);

    // Another customer's card is refused.
    let p = manager
        .post(
            CARDS,
            json!({ "customer": "9900112233", "card": "RG00012345" }),
        )
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "card");
    assert!(p["detail"].as_str().unwrap().contains("Asha Rao"), "{p}");
    assert_eq!(found(&cashier, "RG77770001").await, ["cust-arjun"]);
    // A card number that reads as another customer's mobile would make both ambiguous at
    // the till and the kiosk.
    let p = manager
        .post(
            CARDS,
            json!({ "customer": "9900112233", "card": "9876543210" }),
        )
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "card");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("mobile number (Asha Rao)"),
        "{p}"
    );
    assert_eq!(found(&cashier, "9876543210").await, ["cust-asha"]);

    // By e-mail (any case), keeping the customer type they have.
    let kavya = manager
        .post(
            CARDS,
            json!({ "customer": "KAVYA@example.com", "card": "RG77770002" }),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            kavya["customer_id"].as_str(),
            kavya["customer_type"].as_str(),
            kavya["card_type"].as_str()
        ),
        (Some("cust-kavya"), Some("Normal"), Some("Classic"))
    );
    // By the card they have: the new card replaces it. A type without a card type is theirs,
    // and the store's rate applies to them.
    let vikram = manager
        .post(
            CARDS,
            json!({ "customer": "RG00012346", "card": "RG77770003", "customer_type": "Walk-in" }),
        )
        .await
        .expect(200);
    assert_eq!(vikram["customer_id"], "cust-vikram");
    assert_eq!(vikram["customer_type"], "Walk-in");
    assert_eq!(vikram["card_type"], Value::Null);
    assert!(found(&cashier, "RG00012346").await.is_empty());
    assert_eq!(found(&cashier, "RG77770003").await, ["cust-vikram"]);
    // The same card again to its holder is no conflict.
    manager
        .post(
            CARDS,
            json!({ "customer": "RG77770003", "card": "RG77770003" }),
        )
        .await
        .expect(200);

    // The customer must be exactly one of the merchant's; every field at fault is named.
    for (body, code, field) in [
        (
            json!({ "customer": "9000000001", "card": "RG77770009" }),
            "customer_not_found",
            "customer",
        ),
        (
            json!({ "customer": "nobody@example.com", "card": "RG77770009" }),
            "customer_not_found",
            "customer",
        ),
        (
            json!({ "customer": "RG99999999", "card": "RG77770009" }),
            "customer_not_found",
            "customer",
        ),
        (
            json!({ "customer": "12345", "card": "RG77770009" }),
            "invalid_mobile",
            "customer",
        ),
        (
            json!({ "customer": "Arjun", "card": "RG77770009" }),
            "invalid_request",
            "customer",
        ),
        (
            json!({ "customer": " ", "card": "RG77770009" }),
            "invalid_request",
            "customer",
        ),
        (
            json!({ "customer": "9900112233", "card": "R1" }),
            "invalid_request",
            "card",
        ),
        (
            json!({ "customer": "9900112233" }),
            "invalid_request",
            "card",
        ),
        (
            json!({ "customer": "9900112233", "card": "RG77770009", "customer_type": "GST=1" }),
            "invalid_request",
            "customer_type",
        ),
        (
            json!({ "customer": "9900112233", "card": "RG77770009", "colour": "red" }),
            "invalid_request",
            "colour",
        ),
    ] {
        let p = manager.post(CARDS, body.clone()).await.expect_problem(code);
        assert_eq!(p["field"], field, "{body}: {p}");
    }

    // Another merchant's manager reaches their own customers only: the same mobile is their
    // customer there, and our card numbers are no conflict in their merchant.
    let other = server.api("other-till-1").sign_in("M001", "9999").await;
    let theirs = other
        .post(
            CARDS,
            json!({ "customer": "9876543210", "card": "RG77770001" }),
        )
        .await
        .expect(200);
    assert_eq!(theirs["customer_id"], "other-cust-1");
    assert_eq!(found(&cashier, "RG77770001").await, ["cust-arjun"]);

    // Audited, naming the manager.
    let issued: Vec<Value> = manager
        .audit_entries()
        .await
        .into_iter()
        .filter(|e| e["action"] == "card_issued")
        .collect();
    assert_eq!(issued.len(), 4);
    assert!(issued.iter().all(|e| e["staff_id"] == "st-demo-m001"));
    let arjun = detail(&issued[0]);
    assert_eq!(
        (
            arjun["customer_id"].as_str(),
            arjun["card"].as_str(),
            arjun["customer_type"].as_str(),
            arjun["card_type_id"].as_str()
        ),
        (
            Some("cust-arjun"),
            Some("RG77770001"),
            Some("GST"),
            Some("ct-demo-business")
        )
    );
    assert_eq!(detail(&issued[2])["previous_card"], "RG00012346");
    assert!(verify_audit(&server.db).0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_earn_at_the_customer_s_card_rate_and_their_points_are_worth_its_point_value() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;

    // Karan Malhotra is GST: the Business card, 2 points per ₹100.00.
    let karan = "cust-karan";
    let before = points_of(&cashier, karan).await["available"]
        .as_u64()
        .unwrap();
    let a = cashier
        .post("/v1/accruals", accrual(karan, "C-1", 250_000))
        .await
        .expect(201);
    assert_eq!(
        (a["points"].as_u64(), a["balance_after"].as_u64()),
        (Some(50), Some(before + 50))
    );
    // Asha Rao has no customer type (the store's 1 per ₹100.00), Vikram Singh is Normal (the
    // Classic card, at the store's rate), Aditya Kulkarni Institutional (3 per ₹100.00).
    for (customer, bill, points) in [
        (ASHA, "C-2", 25),
        ("cust-vikram", "C-3", 25),
        ("cust-aditya", "C-4", 75),
    ] {
        let a = cashier
            .post("/v1/accruals", accrual(customer, bill, 250_000))
            .await
            .expect(201);
        assert_eq!(a["points"], points, "{customer}");
    }
    // The log names the card type and the rate used.
    let audited = manager.audit_details("accrual").await;
    let of = |customer: &str| {
        audited
            .iter()
            .find(|d| d["customer_id"] == customer)
            .unwrap()
            .clone()
    };
    let k = of(karan);
    assert_eq!(
        (
            k["card_type"].as_str(),
            k["card_type_id"].as_str(),
            k["earn_points"].as_u64(),
            k["earn_per_minor"].as_u64()
        ),
        (
            Some("Business"),
            Some("ct-demo-business"),
            Some(2),
            Some(10_000)
        )
    );
    let asha = of(ASHA);
    assert_eq!(asha["card_type"], Value::Null);
    assert_eq!(asha["earn_points"], 1);
    // The customer is told this order's points and the total.
    let told = eventually(10, || async {
        server.outbox(karan).await.iter().any(|m| {
            m["kind"] == "accrued"
                && m["text"].as_str().is_some_and(|t| {
                    t.contains("You earned 50 points")
                        && t.contains(&format!("Balance: {} points", group(before + 50)))
                })
        })
    })
    .await;
    assert!(told, "{:?}", server.outbox(karan).await);
    // A bill too small names the card's rate.
    let p = cashier
        .post("/v1/accruals", accrual(karan, "C-5", 100))
        .await
        .expect_problem("nothing_earned");
    assert_eq!(
        p["detail"],
        "A bill of ₹1.00 earns no points: the Business card gives 2 points per ₹100.00"
    );

    // A card type with its own point value: a customer given its type earns at its rate, and
    // their first points are worth its value.
    manager
        .post(CARD_TYPES, card_type("Gold", "VIP", 5, 10_000, 200))
        .await
        .expect(201);
    manager
        .post(
            CARDS,
            json!({ "customer": "9444012345", "card": "RG77771111", "customer_type": "vip" }),
        )
        .await
        .expect(200);
    let a = cashier
        .post("/v1/accruals", accrual("cust-lakshmi", "C-6", 100_000))
        .await
        .expect(201);
    assert_eq!(a["points"], 50);
    let lakshmi = points_of(&cashier, "cust-lakshmi").await;
    assert_eq!(
        (lakshmi["available"].as_u64(), &lakshmi["unit_value"]),
        (Some(50), &inr(200))
    );
    assert_eq!(points_of(&cashier, karan).await["unit_value"], inr(100));

    // A new point value re-values the card's customers at once; points held before keep the
    // value they were held at.
    let held = approved(&server, &cashier, karan, "cust-karan-points-0", 100).await;
    manager
        .put(
            &format!("{CARD_TYPES}/ct-demo-business"),
            card_type("Business", "GST", 2, 10_000, 300),
        )
        .await
        .expect(200);
    assert_eq!(points_of(&cashier, karan).await["unit_value"], inr(300));
    assert_eq!(
        points_of(&cashier, "cust-ananya").await["unit_value"],
        inr(300)
    );
    assert_eq!(
        points_of(&cashier, "cust-vikram").await["unit_value"],
        inr(100),
        "another type's customers keep theirs"
    );
    let receipt = cashier.commit(&held, "cards-1").await.expect(200);
    assert_eq!(receipt["value"], inr(10_000));
    let now = cashier
        .create(karan, "cust-karan-points-0", 100, 10_000_000)
        .await
        .expect(201);
    assert_eq!(now["value"], inr(30_000));
    let changed = manager.audit_details("card_type_changed").await;
    assert_eq!(
        changed[0]["instruments_revalued"], 2,
        "Karan's and Ananya's"
    );
    assert_eq!(changed[0]["before"]["point_value_minor"], 100);
    // Moving a card type to another customer type gives its old customers the store's value.
    manager
        .put(
            &format!("{CARD_TYPES}/ct-demo-business"),
            card_type("Business", "Corporate", 2, 10_000, 300),
        )
        .await
        .expect(200);
    assert_eq!(
        points_of(&cashier, "cust-ananya").await["unit_value"],
        inr(100)
    );
    assert!(verify_audit(&server.db).0);
}

/// 12050 as the messages write it: 12,050.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const TYPED: &str = "\
name,mobile,customer_type,card_type,points
Meher Traders,98450 00001,gst,,1000
City College,98450 00002,,Institutional,500
Walk-in Wanda,98450 00003,,,
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_imports_customers_with_their_types_dry_run_first_and_all_or_nothing() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    cashier
        .post_as(&import_path(true), "text/csv", TYPED)
        .await
        .expect_problem("forbidden");
    // The file comes as CSV, and the manager says whether to write.
    let r = manager
        .post(&import_path(true), json!({ "csv": TYPED }))
        .await;
    assert_eq!(r.status, 415);
    let p = r.expect_problem("invalid_request");
    assert!(p["detail"].as_str().unwrap().contains("text/csv"), "{p}");
    let p = manager
        .post_as("/v1/admin/customers/import", "text/csv", TYPED)
        .await
        .expect_problem("invalid_request");
    assert_eq!(p["field"], "dry_run");

    // A dry run says what would happen and writes nothing.
    let dry = manager
        .post_as(&import_path(true), "text/csv; charset=utf-8", TYPED)
        .await
        .expect(200);
    assert_eq!(
        dry,
        json!({ "rows": 3, "added": 3, "unchanged": 0, "balances_opened": 2, "errors": [],
                "dry_run": true })
    );
    assert!(found(&cashier, "9845000001").await.is_empty());

    // Bad rows are named by row and column, and nothing is written.
    let bad = "\
name,mobile,customer_type,card_type
Asha Two,98450 00011,,Gold
Bina,98450 00012,Normal,Business
Chitra,98450 00013,=SUM(1),
Dev,98450 00014,GST,business
";
    let r = manager
        .post_as(&import_path(false), "text/csv", bad)
        .await
        .expect(200);
    let problems: Vec<(u64, &str, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(problems.len(), 3, "{r}");
    assert_eq!((problems[0].0, problems[0].1), (2, "card_type"));
    assert!(
        problems[0].2.contains(
            "\"Gold\" is not a card type; the card types are Business, Classic, Institutional"
        ),
        "{r}"
    );
    assert_eq!((problems[1].0, problems[1].1), (3, "card_type"));
    assert!(
        problems[1]
            .2
            .starts_with("Business is the card of customer type GST, not Normal"),
        "{r}"
    );
    assert_eq!((problems[2].0, problems[2].1), (4, "customer_type"));
    assert_eq!(r["dry_run"], false);
    for mobile in ["9845000011", "9845000014"] {
        assert!(found(&cashier, mobile).await.is_empty(), "{mobile}");
    }

    // The import: imported GST customers' points are worth the Business card's point value.
    manager
        .put(
            &format!("{CARD_TYPES}/ct-demo-business"),
            card_type("Business", "GST", 2, 10_000, 200),
        )
        .await
        .expect(200);
    let done = manager
        .post_as(&import_path(false), "text/csv", TYPED)
        .await
        .expect(200);
    assert_eq!(
        done,
        json!({ "rows": 3, "added": 3, "unchanged": 0, "balances_opened": 2, "errors": [],
                "dry_run": false })
    );
    let meher = found(&cashier, "9845000001").await.remove(0);
    let college = found(&cashier, "9845000002").await.remove(0);
    let points = points_of(&cashier, &meher).await;
    assert_eq!(
        (points["available"].as_u64(), &points["unit_value"]),
        (Some(1_000), &inr(200))
    );
    assert_eq!(points_of(&cashier, &college).await["unit_value"], inr(100));
    // They earn at their card's rate.
    let a = cashier
        .post("/v1/accruals", accrual(&meher, "I-1", 100_000))
        .await
        .expect(201);
    assert_eq!(a["points"], 20);
    let a = cashier
        .post("/v1/accruals", accrual(&college, "I-2", 100_000))
        .await
        .expect(201);
    assert_eq!(a["points"], 30);

    // The same file again changes nothing.
    let again = manager
        .post_as(&import_path(false), "text/csv", TYPED)
        .await
        .expect(200);
    assert_eq!(
        again,
        json!({ "rows": 3, "added": 0, "unchanged": 3, "balances_opened": 0, "errors": [],
                "dry_run": false })
    );

    // Each opening balance is in the log with the manager as actor; the chain holds.
    let opened: Vec<Value> = manager
        .audit_entries()
        .await
        .into_iter()
        .filter(|e| e["action"] == "balance_opened" && detail(e)["how"] == "import")
        .collect();
    assert_eq!(opened.len(), 2);
    assert!(opened
        .iter()
        .all(|e| e["staff_id"] == "st-demo-m001" && e["terminal_id"] == "term-demo-till-2"));
    // And each import as a whole: which file, what it did (a re-run adds nothing).
    let imports: Vec<Value> = manager
        .audit_entries()
        .await
        .into_iter()
        .filter(|e| e["action"] == "customers_imported")
        .collect();
    assert_eq!(imports.len(), 2, "the import and its re-run");
    let first = detail(&imports[0]);
    assert_eq!(first["rows"], 3);
    assert_eq!(first["added"], 3);
    assert_eq!(first["balances_opened"], 2);
    assert_eq!(first["file_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(detail(&imports[1])["added"], 0);
    assert!(verify_audit(&server.db).0);

    // The export writes their customer types.
    let out = Command::new(BIN)
        .args(["admin", "--db"])
        .arg(&server.db)
        .args(["export-customers", "--store", "st-demo"])
        .env_remove("REDEEMGUARD_AUDIT_KEY")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text
        .lines()
        .next()
        .unwrap()
        .ends_with(",customer_type,card_type,consent_service,consent_promotional"));
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .to_string()
    };
    assert!(line("Meher Traders,").ends_with(",GST,,no,no"), "{text}");
    assert!(
        line("City College,").ends_with(",Institutional,,no,no"),
        "{text}"
    );
    assert!(line("Walk-in Wanda,").ends_with(",,,no,no"), "{text}");
    assert!(line("Karan Malhotra,").ends_with(",GST,,yes,no"), "{text}");
}

/// A large file (bigger than any other request may be) goes in batches while the tills are
/// served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_import_is_written_in_batches_while_the_tills_are_served() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let mut csv = String::from("name,mobile,card,customer_type,points\n");
    for i in 0..5_000 {
        csv.push_str(&format!("Customer {i},+9160{i:08},RGB{i:07},GST,100\n"));
    }
    assert!(csv.len() > 65_536, "more than the other routes take");
    let import =
        tokio::spawn(async move { manager.post_as(&import_path(false), "text/csv", &csv).await });
    let mut served_meanwhile = 0;
    while !import.is_finished() {
        cashier.get("/v1/policy").await.expect(200);
        if !import.is_finished() {
            served_meanwhile += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let done = import.await.unwrap().expect(200);
    assert_eq!(
        (
            done["added"].as_u64(),
            done["balances_opened"].as_u64(),
            done["errors"].as_array().map(Vec::len)
        ),
        (Some(5_000), Some(5_000), Some(0))
    );
    assert!(
        served_meanwhile > 0,
        "the till was answered while the import ran"
    );
    assert_eq!(found(&cashier, "RGB0004999").await.len(), 1);
    assert!(verify_audit(&server.db).0);
}

/// `redeemguard-server admin --db <db> <args>` (a demo's audit key beside the database):
/// (success, what it printed).
fn admin(db: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["admin", "--db"])
        .arg(db)
        .args(args)
        .env_remove("REDEEMGUARD_AUDIT_KEY")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The operator's `admin add-card-type`, `change-card-type` and `issue-card` go through the
/// same rules as the back office, on a running server's database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_command_adds_card_types_and_issues_cards_as_the_back_office_does() {
    let server = Server::demo(&[]);
    let db = server.db.clone();
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    let add = |name: &'static str, customer_type: &'static str, per: &'static str| {
        vec![
            "add-card-type",
            "--store",
            "st-demo",
            "--name",
            name,
            "--customer-type",
            customer_type,
            "--earn-points",
            "4",
            "--earn-per",
            per,
            "--point-value",
            "1.50",
        ]
    };
    let (ok, out) = admin(&db, &add("Gold", "VIP", "100.00"));
    assert!(ok, "{out}");
    assert!(
        out.contains("\"Gold\" for customer type VIP: 4 points per ₹100.00, a point worth ₹1.50"),
        "{out}"
    );
    let (ok, out) = admin(&db, &add("Platinum", "vip", "100.00"));
    assert!(!ok);
    assert!(
        out.contains("the Gold card is for customer type VIP already"),
        "{out}"
    );
    let (ok, out) = admin(&db, &add("Platinum", "Elite", "lots"));
    assert!(!ok);
    assert!(out.contains("--earn-per \"lots\""), "{out}");
    let listed = manager.get(CARD_TYPES).await.expect(200);
    let gold = listed["card_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Gold")
        .unwrap()
        .clone();
    assert_eq!(gold["point_value"], inr(150));

    let (ok, out) = admin(
        &db,
        &[
            "issue-card",
            "--store",
            "st-demo",
            "--customer",
            "9444012345",
            "--card",
            "RG55550001",
            "--customer-type",
            "vip",
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("card RG55550001 issued to Lakshmi Subramanian (cust-lakshmi); customer type VIP: the Gold card's rates"),
        "{out}"
    );
    assert_eq!(found(&cashier, "RG55550001").await, ["cust-lakshmi"]);
    let a = cashier
        .post("/v1/accruals", accrual("cust-lakshmi", "A-1", 100_000))
        .await
        .expect(201);
    assert_eq!(a["points"], 40);

    let gold_id = gold["id"].as_str().unwrap();
    let (ok, out) = admin(
        &db,
        &[
            "change-card-type",
            "--store",
            "st-demo",
            "--card-type",
            gold_id,
            "--name",
            "Gold",
            "--customer-type",
            "VIP",
            "--earn-points",
            "4",
            "--earn-per",
            "100.00",
            "--point-value",
            "2.00",
        ],
    );
    assert!(ok, "{out}");
    assert_eq!(
        points_of(&cashier, "cust-lakshmi").await["unit_value"],
        inr(200)
    );
    let (ok, list) = admin(&db, &["list"]);
    assert!(ok, "{list}");
    assert!(
        list.contains("card type ct-demo-business \"Business\" for customer type GST: 2 points per ₹100.00, a point worth ₹1.00"),
        "{list}"
    );
    // Audited as the operator's (no staff member), and the chain holds.
    let rows = audit_rows(&db);
    for action in ["card_type_added", "card_type_changed", "card_issued"] {
        assert!(rows.iter().any(|r| r.1 == action), "{action}");
    }
    assert!(verify_audit(&db).0);
}

/// The import takes up to 32 MB for minutes, so who asks is settled before a byte of the body
/// is read: a caller with no session (here: a request that promises 32 MB and sends 10 bytes,
/// then waits) is answered at once and holds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_from_anyone_but_a_manager_is_refused_before_its_body_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = Server::demo(&[]);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/csv\r\nContent-Length: 33554432\r\nX-Terminal-Token: demo-till-1\r\n\r\nname,card\n",
        import_path(true)
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), conn.read(&mut answer))
        .await
        .expect("answered without waiting for the 32 MB")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}

/// A file full of mistakes is checked up to 1,000 problems, and the report says it stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_thousands_of_problems_is_reported_up_to_a_thousand() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let mut csv = String::from("name,mobile\n");
    for _ in 0..3_000 {
        csv.push_str("X,not a phone\n");
    }
    let r = manager
        .post_as(&import_path(true), "text/csv", &csv)
        .await
        .expect(200);
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1_001, "{}", errors.len());
    let last = errors.last().unwrap()["message"].as_str().unwrap();
    assert!(last.contains("more than 1000 problems"), "{last}");
    assert_eq!(r["added"], 0);
}
