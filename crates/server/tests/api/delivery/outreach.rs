//! Messages a manager sends to customers (seed 004, issue 16), through the shipped Twilio
//! example pointed at a fake provider: only to customers who agreed to the category and can
//! be reached on the channel, one per phone, within the store's daily budget, each send's
//! delivery report counted; consent set by a manager or imported; audited.

use super::reports::{callback, twilio, TWILIO_TOKEN};
use super::templates::dlt_example;
use super::*;
use crate::fakes::{Answer, FakeGateway, Recorded};
use serde_json::{json, Value};

const MESSAGES: &str = "/v1/admin/messages";
const PREVIEW: &str = "/v1/admin/messages/preview";
const CONSENT: &str = "/v1/admin/customers/consent";

fn message(to: Value, text: &str) -> Value {
    let mut m = json!({ "category": "promotional", "channel": "sms", "text": text });
    for (k, v) in to.as_object().unwrap() {
        m[k] = v.clone();
    }
    m
}

/// The store's messages as the back office lists them, once no send is queued any more.
async fn settled(api: &Api) -> Vec<Value> {
    for _ in 0..100 {
        let list = api.get(MESSAGES).await.expect(200);
        let messages = list["messages"].as_array().unwrap().clone();
        if messages.iter().all(|m| m["queued"] == 0) {
            return messages;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("sends still queued");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_messages_only_customers_who_agreed_and_sees_each_delivery() {
    let gateway = FakeGateway::start().await;
    let server = twilio(&gateway);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    let text = "Hi {customer}, 20% off hair spa this weekend at {store}";

    // Everyone with the Business card (customer type GST): Ananya agreed to offers, Karan
    // did not.
    let to_card = message(json!({ "card_type": "ct-demo-business" }), text);
    let p = manager.post(PREVIEW, to_card.clone()).await.expect(200);
    assert_eq!(p["recipients"], 1, "{p}");
    assert_eq!(p["without_consent"], 1, "{p}");
    assert_eq!(
        p["text"],
        format!("Hi Ananya Reddy, 20% off hair spa this weekend at {STORE}"),
        "{p}"
    );
    assert_eq!(p["parts"], 1);
    assert_eq!(p["budget_left"], 500);

    // A list: Asha (twice, by mobile and by card: one message), Vikram (no consent to
    // offers), a stranger, and a line that is nothing.
    let list = json!({ "customers": [
        "+919876543210", "RG00012345", "RG00012346", "stranger@example.com", "  ", "xyz!"
    ] });
    let p = manager
        .post(PREVIEW, message(list.clone(), text))
        .await
        .expect(200);
    assert_eq!(p["recipients"], 1, "{p}");
    assert_eq!(p["without_consent"], 1, "{p}");
    assert_eq!(
        p["not_found"],
        json!(["stranger@example.com", "xyz!"]),
        "{p}"
    );
    assert!(gateway.requests().is_empty(), "a preview sends nothing");

    // A cashier may neither preview nor send.
    let cashier = server.api("demo-till-2").sign_in("C001", "1234").await;
    cashier
        .post(PREVIEW, message(list.clone(), text))
        .await
        .expect_problem("forbidden");
    cashier
        .post(MESSAGES, message(list.clone(), text))
        .await
        .expect_problem("forbidden");

    let sent = manager
        .post(MESSAGES, message(list, text))
        .await
        .expect(201);
    assert_eq!(sent["recipients"], 1, "{sent}");
    assert_eq!(sent["audience"], "5 customers", "{sent}");
    assert_eq!(sent["sent_by"], "Rahul Mehta");
    let seen = gateway.wait_for(1).await;
    let form = seen[0].form();
    assert_eq!(Recorded::field(&form, "To"), "+919876543210");
    assert_eq!(
        Recorded::field(&form, "Body"),
        format!("Hi Asha Rao, 20% off hair spa this weekend at {STORE}")
    );
    let listed = settled(&manager).await;
    assert_eq!(listed[0]["sent"], 1, "{listed:?}");
    assert_eq!(listed[0]["delivered"], 0);

    // Twilio's report reaches the message.
    let r = callback(
        &server,
        &format!("/v1/delivery-reports/sms?token={TWILIO_TOKEN}"),
        "application/x-www-form-urlencoded",
        None,
        "AccountSid=AC0123&MessageSid=msg-1&MessageStatus=delivered",
    )
    .await;
    assert_eq!(r.expect(200)["changed"], 1, "{}", r.body);
    let listed = settled(&manager).await;
    assert_eq!(
        (&listed[0]["sent"], &listed[0]["delivered"]),
        (&json!(0), &json!(1))
    );

    // The card type's message: one more customer, whose send the provider refuses.
    gateway.script(&[Answer::Status(400)]);
    manager.post(MESSAGES, to_card).await.expect(201);
    gateway.wait_for(2).await;
    let listed = settled(&manager).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["audience"], "card type Business");
    assert_eq!(listed[0]["failed"], 1, "{listed:?}");

    let audited = manager.audit_details("customers_messaged").await;
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert_eq!(audited[0]["text"], text);
    assert_eq!(audited[1]["recipients"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_to_customers_stay_within_the_stores_daily_budget_even_sent_at_once() {
    let gateway = FakeGateway::start().await;
    let server = twilio(&gateway);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    manager
        .set_policy(json!({ "customer_messages_per_day": 3 }))
        .await;
    // Service messages: every demo customer agreed to them.
    let to = |mobiles: &[&str]| {
        let mut m = message(
            json!({ "customers": mobiles }),
            "Your points at {store} expire soon",
        );
        m["category"] = json!("service");
        m
    };
    let pair_a = to(&["+919876543210", "+919812345678"]);
    let pair_b = to(&["+919845012345", "+919900112233"]);
    let other = server.api("demo-till-2").sign_in("M001", "9999").await;
    let (a, b) = tokio::join!(manager.post(MESSAGES, pair_a), other.post(MESSAGES, pair_b));
    let statuses = [a.status, b.status];
    assert!(
        statuses.contains(&201) && statuses.contains(&429),
        "{statuses:?}"
    );
    let refused = if a.status == 429 { &a } else { &b };
    let p = refused.expect_problem("message_budget_exhausted");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("Today 1 more messages may go to customers; this one would go to 2"),
        "{p}"
    );
    assert!(refused.headers.get("retry-after").is_some());
    let preview = manager
        .post(PREVIEW, to(&["+919876543210"]))
        .await
        .expect(200);
    assert_eq!(preview["budget_left"], 1);
    manager
        .post(MESSAGES, to(&["+919876543210"]))
        .await
        .expect(201);
    manager
        .post(MESSAGES, to(&["+919876543210"]))
        .await
        .expect_problem("message_budget_exhausted");
    // The next store day has its own budget.
    server.advance_clock(24 * 3600).await;
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    manager
        .post(MESSAGES, to(&["+919876543210"]))
        .await
        .expect(201);
    // Off: none at all.
    manager
        .set_policy(json!({ "customer_messages_per_day": 0 }))
        .await;
    let r = manager.post(MESSAGES, to(&["+919876543210"])).await;
    let p = r.expect_problem("message_budget_exhausted");
    assert!(p["detail"].as_str().unwrap().contains("off"), "{p}");
    gateway.wait_for(4).await;
    assert_eq!(settled(&manager).await.len(), 3);
    assert_eq!(gateway.requests().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_to_customers_is_refused_naming_what_to_fix() {
    let gateway = FakeGateway::start().await;
    let server = twilio(&gateway);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    let asha = json!({ "customers": ["+919876543210"] });
    for (body, field, words) in [
        (
            message(asha.clone(), "Your code is {otp} at {store}"),
            "text",
            "remove {otp}",
        ),
        (
            message(asha.clone(), "20% off this weekend"),
            "text",
            "{store}",
        ),
        (
            message(asha.clone(), "{points} points at {store}"),
            "text",
            "Unknown placeholder",
        ),
        (
            message(json!({}), "Hi from {store}"),
            "customers",
            "Say who it goes to",
        ),
        (
            message(
                json!({ "customers": ["+919876543210"], "card_type": "ct-demo-business" }),
                "Hi from {store}",
            ),
            "customers",
            "not both",
        ),
        (
            message(json!({ "card_type": "ct-nope" }), "Hi from {store}"),
            "card_type",
            "no such card type",
        ),
    ] {
        for path in [PREVIEW, MESSAGES] {
            let r = manager.post(path, body.clone()).await;
            let p = r.expect_problem("invalid_request");
            assert_eq!(p["field"], field, "{body}: {p}");
            assert!(p["detail"].as_str().unwrap().contains(words), "{body}: {p}");
        }
    }
    let mut bad = message(asha.clone(), "Hi from {store}");
    bad["category"] = json!("marketing");
    manager
        .post(PREVIEW, bad)
        .await
        .expect_problem("invalid_request");
    let mut extra = message(asha.clone(), "Hi from {store}");
    extra["sender"] = json!("ADVERT");
    let p = manager
        .post(PREVIEW, extra)
        .await
        .expect_problem("invalid_request");
    assert!(p["detail"].as_str().unwrap().contains("sender"), "{p}");
    // No one agreed and reachable: nothing to send.
    let r = manager
        .post(
            MESSAGES,
            message(json!({ "customers": ["RG00012346"] }), "Hi from {store}"),
        )
        .await;
    assert_eq!(r.expect_problem("invalid_request")["field"], "customers");
    assert!(gateway.requests().is_empty());
    assert!(settled(&manager).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_is_the_customers_set_by_a_manager_or_imported_and_audited() {
    let gateway = FakeGateway::start().await;
    let server = twilio(&gateway);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    let vikram = message(json!({ "customers": ["RG00012346"] }), "Offers at {store}");
    assert_eq!(
        manager.post(PREVIEW, vikram.clone()).await.expect(200)["recipients"],
        0
    );

    let set = manager
        .put(
            CONSENT,
            json!({ "customer": "+919812345678", "service": true, "promotional": true }),
        )
        .await
        .expect(200);
    assert_eq!(set["customer_name"], "Vikram Singh");
    assert_eq!(
        manager.post(PREVIEW, vikram.clone()).await.expect(200)["recipients"],
        1
    );
    let audited = manager.audit_details("consent_changed").await;
    assert_eq!(audited[0]["promotional"], true);
    assert_eq!(audited[0]["was"]["promotional"], false);
    // Withdrawn: left out again.
    manager
        .put(
            CONSENT,
            json!({ "customer": "RG00012346", "service": false, "promotional": false }),
        )
        .await
        .expect(200);
    assert_eq!(
        manager.post(PREVIEW, vikram).await.expect(200)["without_consent"],
        1
    );

    // A cashier cannot change it; a customer who is not there is named.
    let cashier = server.api("demo-till-2").sign_in("C001", "1234").await;
    cashier
        .put(
            CONSENT,
            json!({ "customer": "RG00012346", "service": true, "promotional": true }),
        )
        .await
        .expect_problem("forbidden");
    manager
        .put(
            CONSENT,
            json!({ "customer": "+919000000001", "service": true, "promotional": true }),
        )
        .await
        .expect_problem("customer_not_found");
    manager
        .put(
            CONSENT,
            json!({ "customer": "RG00012346", "service": "yes", "promotional": true }),
        )
        .await
        .expect_problem("invalid_request");

    // Imported with the customer master: yes or no per category.
    let csv = "name,mobile,consent_service,consent_promotional\n\
               Tara Menon,+919811100001,yes,yes\n\
               Dev Rao,+919811100002,yes,no\n";
    manager
        .post_as("/v1/admin/customers/import?dry_run=false", "text/csv", csv)
        .await
        .expect(200);
    let both = message(
        json!({ "customers": ["+919811100001", "+919811100002"] }),
        "Offers at {store}",
    );
    let p = manager.post(PREVIEW, both).await.expect(200);
    assert_eq!(
        (&p["recipients"], &p["without_consent"]),
        (&json!(1), &json!(1)),
        "{p}"
    );
    let bad = "name,mobile,consent_promotional\nLeela,+919811100003,maybe\n";
    let r = manager
        .post_as("/v1/admin/customers/import?dry_run=true", "text/csv", bad)
        .await
        .expect(200);
    assert_eq!(r["errors"][0]["column"], "consent_promotional", "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_dlt_a_managers_message_must_match_its_registered_text_word_for_word() {
    let gateway = FakeGateway::start().await;
    let env = [("DLT_SMS_API_KEY", "dlt-key-1234")];
    let server = start(&dlt_example(&gateway), &env);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    let asha = json!({ "customers": ["+919876543210"] });
    let registered =
        "Dear {customer}, our weekend offer is on at {store}: 20% off every hair spa. T&C apply.";
    let other = "Dear {customer}, our weekend offer is on at {store}: 30% off everything!";
    let r = manager.post(PREVIEW, message(asha.clone(), other)).await;
    let p = r.expect_problem("invalid_request");
    assert_eq!(p["field"], "text", "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("accepts only the text registered for messages to customers"),
        "{p}"
    );
    manager
        .post(MESSAGES, message(asha.clone(), other))
        .await
        .expect_problem("invalid_request");
    manager
        .post(MESSAGES, message(asha, registered))
        .await
        .expect(201);
    let seen = gateway.wait_for(1).await;
    let form = seen[0].form();
    assert_eq!(Recorded::field(&form, "template_id"), "1107161234560000007");
    assert_eq!(Recorded::field(&form, "type"), "promotional");
    assert_eq!(Recorded::field(&form, "sender"), "RDMGRD");

    // Without a registered text for them, the gateway sends codes as before but no
    // manager's message, and the back office is told why.
    let config = dlt_example(&gateway);
    let cut = config.find("[gateways.sms.templates.manual]").unwrap();
    let end = config[cut..].find("\n\n").unwrap() + cut;
    let without = format!("{}{}", &config[..cut], &config[end..]);
    let server = start(&without, &env);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    let r = manager
        .post(
            PREVIEW,
            message(json!({ "customers": ["+919876543210"] }), registered),
        )
        .await;
    let p = r.expect_problem("invalid_request");
    assert_eq!(p["field"], "channel", "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("not set up for messages to customers"),
        "{p}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_given_their_first_card_is_welcomed_if_they_agreed_to_service_messages() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    let issue = |customer: &str, card: &str| json!({ "customer": customer, "card": card, "customer_type": null });
    // Arjun has no card yet and agreed to service messages: welcomed by SMS.
    let issued = manager
        .post("/v1/admin/cards", issue("+919900112233", "RG00099001"))
        .await
        .expect(200);
    assert_eq!(issued["welcome"], "sms", "{issued}");
    let welcomes_of = |customer: &'static str| {
        let server = &server;
        async move {
            let all: Vec<Value> = server.outbox(customer).await;
            all.into_iter()
                .filter(|m| m["kind"] == "welcome")
                .collect::<Vec<Value>>()
        }
    };
    let mut welcomes = Vec::new();
    for _ in 0..100 {
        welcomes = welcomes_of("cust-arjun").await;
        if !welcomes.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(welcomes.len(), 1, "{welcomes:?}");
    assert_eq!(
        welcomes[0]["text"],
        format!("Welcome to {STORE} loyalty, Arjun Patel. Give your mobile number or show your card at the counter to earn and use your points.")
    );
    // Without delivery reports (the demo's phone), a message's sends are counted as sent.
    let to_arjun = json!({ "category": "service", "channel": "sms",
        "customers": ["+919900112233"], "text": "Hi {customer}, we open at 8 tomorrow at {store}" });
    manager.post(MESSAGES, to_arjun).await.expect(201);
    let listed = settled(&manager).await;
    assert_eq!(
        (&listed[0]["sent"], &listed[0]["delivered"]),
        (&json!(1), &json!(0)),
        "{listed:?}"
    );
    // A new card later is no new registration.
    let again = manager
        .post("/v1/admin/cards", issue("RG00099001", "RG00099002"))
        .await
        .expect(200);
    assert_eq!(again["welcome"], Value::Null);
    // Imported without consent: a first card, no welcome.
    manager
        .post_as(
            "/v1/admin/customers/import?dry_run=false",
            "text/csv",
            "name,mobile\nTara Menon,+919811100001\n",
        )
        .await
        .expect(200);
    let quiet = manager
        .post("/v1/admin/cards", issue("+919811100001", "RG00099003"))
        .await
        .expect(200);
    assert_eq!(quiet["welcome"], Value::Null);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(welcomes_of("cust-arjun").await.len(), 1, "one welcome only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_who_asked_for_it_get_the_days_summary_at_closing_time_once() {
    let server = Server::demo(&[]);
    let manager = server.api("demo-till-1").sign_in("M001", "9999").await;
    let path = |id: &str| format!("/v1/admin/staff/{id}/daily-summary");
    // The cashier has no mobile: nowhere to send it.
    let r = manager
        .put(&path("st-demo-c001"), json!({ "daily_summary": true }))
        .await;
    assert_eq!(
        r.expect_problem("invalid_request")["field"],
        "daily_summary"
    );
    let on = manager
        .put(&path("st-demo-m001"), json!({ "daily_summary": true }))
        .await
        .expect(200);
    assert_eq!(on["daily_summary"], true, "{on}");
    let staff = manager.get("/v1/admin/staff").await.expect(200);
    let listed: Vec<&Value> = staff["staff"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["daily_summary"] == true)
        .collect();
    assert_eq!(listed.len(), 1, "{staff}");
    assert_eq!(manager.audit_details("daily_summary_set").await.len(), 1);
    let cashier = server.api("demo-till-2").sign_in("C001", "1234").await;
    cashier
        .put(&path("st-demo-c001"), json!({ "daily_summary": false }))
        .await
        .expect_problem("forbidden");

    // One redemption today.
    let id = approved(&server, &cashier, ASHA, ASHA_POINTS, 300).await;
    cashier.commit(&id, "sum-1").await.expect(200);
    let summaries = || async {
        server
            .outbox("st-demo-m001")
            .await
            .into_iter()
            .filter(|m| m["kind"] == "summary")
            .collect::<Vec<Value>>()
    };
    // Still open: nothing yet.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(summaries().await.is_empty());
    // The store closes at 00:01: closed for the day now (whatever the hour).
    let mut fraud = manager.policy().await["fraud"].clone();
    fraud["opens_at"] = json!("00:00");
    fraud["closes_at"] = json!("00:01");
    manager.set_policy(json!({ "fraud": fraud })).await;
    assert!(eventually(10, || async { !summaries().await.is_empty() }).await);
    let sent = summaries().await;
    let text = sent[0]["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!("RedeemGuard daily summary, {STORE}: ")),
        "{text}"
    );
    assert!(
        text.contains(": 1 redemption, 0 vouchers taken; ₹300.00 redeemed."),
        "{text}"
    );
    // Once per store day, however many sweeps see it due.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(summaries().await.len(), 1);
}

/// Two merchants on one server, each with its own SMS account and sender id: the pharmacy's
/// (`m-other`) through its own provider, with its own words and delivery reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_merchant_sends_by_its_own_gateway_sender_and_words() {
    let ours = FakeGateway::start().await;
    let theirs = FakeGateway::start().await;
    let config = format!(
        r#"
[gateways.sms]
type = "http"
url = "{ours}/send"
form = {{ from = "RDMGRD", to = "{{to}}", text = "{{message}}" }}

[merchants."m-other".gateways.sms]
type = "http"
url = "{theirs}/send"
form = {{ from = "SUNRSE", to = "{{to}}", text = "{{message}}" }}
message_id = "/sid"

[merchants."m-other".gateways.sms.delivery_reports]
auth = "token"
secret_env = "SUNRISE_REPORT_TOKEN"
format = "form"
id = "MessageSid"
status = "MessageStatus"
delivered = ["delivered"]
failed = ["failed", "undelivered"]

[merchants."m-other".messages."en-IN".sms]
accrued = "Sunrise Pharmacy: {{points}} points for you at {{store}}. Balance {{balance}}."
"#,
        ours = ours.base,
        theirs = theirs.base
    );
    let token = "sunrise-report-token-77";
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let path = dir.path().join("redeemguard.toml");
    std::fs::write(&path, config).unwrap();
    let server = Server::spawn(
        dir.clone(),
        dir.path().join("test.sqlite"),
        &[
            "--demo",
            "--demo-extra-merchant",
            "--testing-clock",
            "--config",
            path.to_str().unwrap(),
        ],
        &[("RUST_LOG", "trace"), ("SUNRISE_REPORT_TOKEN", token)],
    );
    let demo = server.api("demo-till-1").sign_in("C001", "1234").await;
    let pharmacy = server.api("other-till-1").sign_in("C001", "1234").await;

    // Codes: each merchant's by its own account and sender.
    let id = demo.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    demo.send_otp(&id, "sms").await.expect(200);
    let other = pharmacy
        .create_id("other-cust-1", "other-cust-1-points-0", 100, 100_000)
        .await;
    let sent = pharmacy.send_otp(&other, "sms").await.expect(200);
    assert_eq!(sent["delivery"]["status"], "sent", "{sent}");
    let (a, b) = (ours.wait_for(1).await, theirs.wait_for(1).await);
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_eq!(Recorded::field(&a[0].form(), "from"), "RDMGRD");
    assert_eq!(Recorded::field(&b[0].form(), "from"), "SUNRSE");
    assert!(Recorded::field(&b[0].form(), "text").contains("Sunrise Pharmacy"));

    // The pharmacy's provider reports on its own message at its own callback.
    let form = "MessageSid=msg-1&MessageStatus=delivered";
    let path = format!("/v1/delivery-reports/sms?token={token}");
    let r = callback(
        &server,
        &path,
        "application/x-www-form-urlencoded",
        None,
        form,
    )
    .await;
    assert_eq!(
        r.status, 404,
        "the server's own SMS gateway takes no reports: {}",
        r.body
    );
    let r = callback(
        &server,
        "/v1/delivery-reports/sms?merchant=m-nobody&token=x",
        "application/x-www-form-urlencoded",
        None,
        form,
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let path = format!("/v1/delivery-reports/sms?merchant=m-other&token={token}");
    let r = callback(
        &server,
        &path,
        "application/x-www-form-urlencoded",
        None,
        form,
    )
    .await;
    assert_eq!(r.expect(200)["changed"], 1, "{}", r.body);
    let read = pharmacy
        .get(&format!("/v1/redemptions/{other}"))
        .await
        .expect(200);
    assert_eq!(read["otp"]["delivery"]["status"], "delivered", "{read}");

    // Their own words where they have them, the server's elsewhere.
    let bill = |id: &str| json!({ "id": id, "total": { "minor": 100_000, "currency": "INR" } });
    pharmacy
        .post(
            "/v1/accruals",
            json!({ "customer_id": "other-cust-1", "bill": bill("P-1") }),
        )
        .await
        .expect(201);
    demo.post(
        "/v1/accruals",
        json!({ "customer_id": ASHA, "bill": bill("D-1") }),
    )
    .await
    .expect(201);
    let (a, b) = (ours.wait_for(2).await, theirs.wait_for(2).await);
    let text = |r: &Recorded| Recorded::field(&r.form(), "text");
    assert!(
        text(&b[1]).starts_with("Sunrise Pharmacy: "),
        "{}",
        text(&b[1])
    );
    assert!(text(&a[1]).starts_with("You earned "), "{}", text(&a[1]));
    assert_eq!(Recorded::field(&b[1].form(), "from"), "SUNRSE");
    // S1: neither code is in any log, table or answer; nor the pharmacy's report token.
    let codes: Vec<String> = [&a[0], &b[0]]
        .iter()
        .map(|r| code_in(&text(r)).unwrap())
        .collect();
    assert_nothing_leaked(&server, &codes, &[token], &[&demo, &pharmacy]);
}
