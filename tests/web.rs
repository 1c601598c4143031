//! DOM tests in real Chromium: the app mounted with `mount_to`, the backend faked in-process
//! (`FakeBackend` implements the same `Backend` trait as the HTTP client; the crate's
//! `fake-backend` feature, which its tests turn on through the dev-dependency on itself).
//!
//! Run: `wasm-pack test --headless --chrome --mode no-install`
#![cfg(target_arch = "wasm32")]

use contract::api::CreateRedemption;
use contract::rules::{Bill, Purpose};
use contract::BillId;
use contract::{Currency, Money, Policy, PolicyError, Quantity};
use leptos::prelude::*;
use redeemguard::backend::{Backend, FakeBackend, FAKE_CODE};
use redeemguard::flow::Mode;
use redeemguard::{embed, format, App, AppConfig};
use std::any::Any;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A mounted app and the fake behind it.
struct Ui {
    root: HtmlElement,
    fake: Rc<FakeBackend>,
    _handle: Box<dyn Any>,
}

impl Drop for Ui {
    fn drop(&mut self) {
        self.root.remove();
    }
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn mount_with(fake: FakeBackend, pending: Option<String>) -> Ui {
    mount_config(
        fake,
        AppConfig {
            terminal_token: Some("demo-till-1".into()),
            pending_redemption: pending,
            ..AppConfig::default()
        },
    )
}

fn mount_config(fake: FakeBackend, config: AppConfig) -> Ui {
    // Nothing left over from another test: the flow remembers ids in sessionStorage.
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let root: HtmlElement = document()
        .create_element("div")
        .unwrap()
        .dyn_into()
        .unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let fake = Rc::new(fake);
    let backend: Rc<dyn Backend> = fake.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || view! { <App backend config/> });
    Ui {
        root,
        fake,
        _handle: Box::new(handle),
    }
}

fn mount() -> Ui {
    mount_with(FakeBackend::new(), None)
}

/// Lets spawned calls, signal updates and effects run.
async fn settle() {
    for _ in 0..4 {
        leptos::task::tick().await;
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
}

async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

impl Ui {
    fn find(&self, sel: &str) -> Option<Element> {
        self.root.query_selector(sel).unwrap()
    }
    fn el(&self, sel: &str) -> Element {
        self.find(sel)
            .unwrap_or_else(|| panic!("no element {sel}; screen: {}", self.screen()))
    }
    fn text(&self, sel: &str) -> String {
        self.el(sel)
            .text_content()
            .unwrap_or_default()
            .trim()
            .to_string()
    }
    fn screen(&self) -> String {
        self.root
            .query_selector(".rg-main")
            .unwrap()
            .and_then(|m| m.get_attribute("data-screen"))
            .unwrap_or_default()
    }
    fn status(&self) -> String {
        self.text("#status")
    }
    fn count(&self, sel: &str) -> u32 {
        self.root.query_selector_all(sel).unwrap().length()
    }
    /// Types into an input the way a browser does: value, then an `input` event.
    async fn type_in(&self, sel: &str, value: &str) {
        let input: HtmlInputElement = self.el(sel).dyn_into().unwrap();
        input.set_value(value);
        let ev = web_sys::Event::new_with_event_init_dict("input", &{
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            init
        })
        .unwrap();
        input.dispatch_event(&ev).unwrap();
        settle().await;
    }
    async fn click(&self, sel: &str) {
        let el: HtmlElement = self.el(sel).dyn_into().unwrap();
        el.click();
        settle().await;
    }
    fn disabled(&self, sel: &str) -> bool {
        self.el(sel).has_attribute("disabled")
    }

    async fn sign_in(&self, staff: &str, pin: &str) {
        settle().await;
        self.type_in("#staff-code", staff).await;
        self.type_in("#pin", pin).await;
        self.click("[data-testid=sign-in]").await;
    }
    async fn to_balance(&self) {
        self.sign_in("C001", "1234").await;
        self.type_in("#bill-id", "123").await;
        self.type_in("#bill-total", "1000").await;
        self.click("[data-testid=bill-next]").await;
        self.type_in("#customer-q", "98765 43210").await;
        self.click("[data-testid=search]").await;
        self.click("[data-testid=customer-result]").await;
        assert_eq!(self.screen(), "balance");
    }
    async fn to_redeem(&self) {
        self.to_balance().await;
        self.click("[data-kind=points] [data-testid=choose-instrument]")
            .await;
        assert_eq!(self.screen(), "redeem");
    }
    async fn to_code_entry(&self) {
        self.to_redeem().await;
        self.type_in("#quantity", "500").await;
        self.click("[data-testid=hold]").await;
        assert_eq!(self.screen(), "otp");
        self.click("[data-testid=send-otp]").await;
        assert!(self.find("#otp-code").is_some(), "code entry after sending");
    }
    async fn verify(&self, code: &str) {
        self.type_in("#otp-code", code).await;
        self.click("[data-testid=verify]").await;
    }
}

#[wasm_bindgen_test]
async fn sign_in_reaches_the_bill_screen() {
    let ui = mount();
    settle().await;
    assert_eq!(ui.screen(), "signin");
    let token: HtmlInputElement = ui.el("#terminal-token").dyn_into().unwrap();
    assert_eq!(
        token.value(),
        "demo-till-1",
        "the device's terminal token is prefilled"
    );
    ui.sign_in("C001", "1234").await;
    assert_eq!(ui.screen(), "bill");
    assert_eq!(ui.text("[data-testid=whoami]"), "Ravi Kumar");
    assert!(
        ui.find("[data-testid=open-policy]").is_none(),
        "cashiers have no policy button"
    );
    assert!(ui.status().contains("Signed in as Ravi Kumar"));
}

#[wasm_bindgen_test]
async fn wrong_pin_is_explained_at_the_pin() {
    let ui = mount();
    ui.sign_in("C001", "0000").await;
    assert_eq!(ui.screen(), "signin");
    assert_eq!(ui.text("#pin-error"), "Wrong staff code or PIN.");
    assert_eq!(
        ui.el("#pin").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn bill_errors_are_inline() {
    let ui = mount();
    ui.sign_in("C001", "1234").await;
    ui.type_in("#bill-total", "12.345").await;
    ui.click("[data-testid=bill-next]").await;
    assert_eq!(ui.text("#bill-id-error"), "Enter the bill number");
    ui.type_in("#bill-id", "123").await;
    ui.click("[data-testid=bill-next]").await;
    assert_eq!(ui.text("#bill-total-error"), "Use at most 2 decimals");
    assert_eq!(ui.screen(), "bill");
}

#[wasm_bindgen_test]
async fn search_shows_masked_contacts_and_balances() {
    let ui = mount();
    ui.sign_in("C001", "1234").await;
    ui.type_in("#bill-id", "123").await;
    ui.type_in("#bill-total", "1000").await;
    ui.click("[data-testid=bill-next]").await;
    assert_eq!(
        ui.text("[data-testid=bill-summary]"),
        "Bill #123 · ₹1,000.00Change"
    );
    ui.type_in("#customer-q", "12").await;
    ui.click("[data-testid=search]").await;
    assert_eq!(
        ui.text("#customer-q-error"),
        "The mobile number is too short"
    );
    ui.type_in("#customer-q", "RG0001-2345").await;
    ui.click("[data-testid=search]").await;
    assert_eq!(ui.count("[data-testid=customer-result]"), 1);
    let result = ui.text("[data-testid=customer-result]");
    assert!(
        result.contains("Asha Rao") && result.contains("+91 ••••••3210"),
        "{result}"
    );
    assert!(!result.contains("9876543210"), "contacts are masked");
    ui.click("[data-testid=customer-result]").await;
    assert_eq!(ui.screen(), "balance");
    assert_eq!(ui.count("[data-testid=instrument]"), 5);
    for kind in ["points", "package", "membership", "campaign", "gift_card"] {
        assert!(
            ui.find(&format!("[data-testid=instrument][data-kind={kind}]"))
                .is_some(),
            "{kind}"
        );
    }
    let points = ui.text("[data-kind=points]");
    assert!(points.contains("1,200 points"), "{points}");
    assert!(points.contains("Worth ₹1,200.00"), "{points}");
    assert!(points.contains("3,450 points earned"), "{points}");
    assert!(points.contains("200 points expire on"), "{points}");
    assert!(ui
        .text("[data-kind=gift_card] [data-testid=available]")
        .contains("₹2,500.00"));
}

#[wasm_bindgen_test]
async fn allowed_range_is_shown_before_typing() {
    let ui = mount();
    ui.to_redeem().await;
    let q: HtmlInputElement = ui.el("#quantity").dyn_into().unwrap();
    assert_eq!(q.value(), "");
    let range = ui.text("[data-testid=allowed-range]");
    assert!(range.contains("50 points to 1,000 points"), "{range}");
    assert!(range.contains("limited by the bill total"), "{range}");
    assert!(range.contains("1 point = ₹1.00"), "{range}");
    assert_eq!(ui.text("#quantity-error"), "", "no error before typing");
}

#[wasm_bindgen_test]
async fn bad_quantities_get_inline_errors_and_no_hold() {
    let ui = mount();
    ui.to_redeem().await;
    for (input, want) in [
        ("abc", "Use digits only, e.g. 500"),
        ("-5", "The quantity cannot be negative"),
        ("0", "Redeem at least 1"),
        ("12.5", "Use whole numbers only"),
        ("20", "Redeem at least 50"),
        ("5000", "Only 1200 available: enter 1200 or less"),
        (
            "1100",
            "That is more than the bill of 1000.00 INR: enter 1000 or less",
        ),
    ] {
        ui.type_in("#quantity", input).await;
        assert_eq!(ui.text("#quantity-error"), want, "{input}");
        assert_eq!(
            ui.el("#quantity").get_attribute("aria-invalid").as_deref(),
            Some("true")
        );
    }
    ui.click("[data-testid=hold]").await;
    assert_eq!(ui.screen(), "redeem");
    assert!(ui.fake.redemption("rd-1").is_none(), "nothing was held");
    ui.type_in("#quantity", "500").await;
    assert_eq!(ui.text("#quantity-error"), "");
    assert_eq!(
        ui.text("[data-testid=quantity-value]"),
        "= ₹500.00 · the customer's code is needed"
    );
}

#[wasm_bindgen_test]
async fn bad_codes_get_inline_errors_without_costing_an_attempt() {
    let ui = mount();
    ui.to_code_entry().await;
    let code = ui.el("#otp-code");
    assert_eq!(code.get_attribute("inputmode").as_deref(), Some("numeric"));
    assert_eq!(
        code.get_attribute("autocomplete").as_deref(),
        Some("one-time-code")
    );
    assert_eq!(ui.text("[data-testid=attempts-left]"), "5 tries left");
    let countdown = ui.text("[data-testid=countdown]");
    assert!(
        countdown.starts_with("Code valid for 5:00") || countdown.starts_with("Code valid for 4:5"),
        "{countdown}"
    );
    assert!(
        ui.disabled("[data-testid=resend]"),
        "resend waits for the cooldown"
    );
    assert!(ui.text("[data-testid=resend]").starts_with("Resend in 0:"));
    ui.type_in("#otp-code", "12a").await;
    assert_eq!(
        ui.text("#otp-code-error"),
        "The code is digits only: no letters or symbols"
    );
    ui.type_in("#otp-code", "12 456").await;
    assert_eq!(
        ui.text("#otp-code-error"),
        "The code has no spaces: type the digits only"
    );
    ui.verify("12345").await;
    assert_eq!(
        ui.text("#otp-code-error"),
        "The code has 6 digits: some are missing"
    );
    assert_eq!(
        ui.text("[data-testid=attempts-left]"),
        "5 tries left",
        "no attempt was used"
    );
    // A pasted code with the surrounding spaces of a message is accepted.
    ui.verify(&format!("  {FAKE_CODE}\n")).await;
    assert_eq!(ui.screen(), "confirm");
}

#[wasm_bindgen_test]
async fn wrong_code_shows_attempts_left_then_locks() {
    let policy = Policy {
        max_verify_attempts: 2,
        ..Policy::default()
    };
    let ui = mount_with(FakeBackend::with_policy(policy), None);
    ui.to_code_entry().await;
    assert_eq!(ui.text("[data-testid=attempts-left]"), "2 tries left");
    ui.verify("000000").await;
    assert_eq!(ui.screen(), "otp");
    assert_eq!(ui.text("[data-testid=attempts-left]"), "1 try left");
    assert_eq!(
        ui.text("#otp-code-error"),
        "Wrong code: 1 try left. Ask the customer to read it again."
    );
    ui.verify("000001").await;
    assert_eq!(ui.screen(), "closed");
    assert_eq!(
        ui.el("[data-testid=closed]")
            .get_attribute("data-reason")
            .as_deref(),
        Some("locked")
    );
    assert!(ui.status().contains("Redemption locked"));
    ui.click("[data-testid=start-over]").await;
    assert_eq!(ui.screen(), "customer", "same bill, new search");
}

#[wasm_bindgen_test]
async fn confirm_then_receipt() {
    let ui = mount();
    ui.to_code_entry().await;
    ui.verify(FAKE_CODE).await;
    assert_eq!(
        ui.text("[data-testid=confirm-question]"),
        "Redeem 500 points (₹500.00) on bill #123?"
    );
    ui.click("[data-testid=confirm]").await;
    assert_eq!(ui.screen(), "receipt");
    assert_eq!(ui.text("[data-testid=receipt-id]"), "rd-1");
    assert_eq!(
        ui.text("[data-testid=receipt-line]"),
        "500 points (₹500.00)"
    );
    assert_eq!(ui.text("[data-testid=receipt-before]"), "1,200 points");
    assert_eq!(ui.text("[data-testid=receipt-after]"), "700 points");
    assert_eq!(
        ui.text("[data-testid=receipt-approval]"),
        "Customer's code (SMS)"
    );
    assert_eq!(ui.text("[data-testid=receipt-cashier]"), "Ravi Kumar");
    assert!(ui.find("[data-testid=voucher]").is_none());
    assert_eq!(ui.fake.commits(), 1);
    ui.click("[data-testid=next-customer]").await;
    assert_eq!(ui.screen(), "bill");
}

#[wasm_bindgen_test]
async fn points_become_a_printed_voucher() {
    let ui = mount();
    ui.sign_in("C001", "1234").await;
    ui.click("[data-testid=voucher-mode]").await;
    ui.type_in("#customer-q", "Asha").await;
    ui.click("[data-testid=search]").await;
    ui.click("[data-testid=customer-result]").await;
    assert!(
        ui.disabled("[data-kind=gift_card] [data-testid=choose-instrument]"),
        "a gift card cannot become a voucher"
    );
    assert!(!ui.disabled("[data-kind=package] [data-testid=choose-instrument]"));
    ui.click("[data-kind=points] [data-testid=choose-instrument]")
        .await;
    ui.type_in("#quantity", "1200").await;
    ui.click("[data-testid=hold]").await;
    ui.click("[data-testid=send-otp]").await;
    ui.verify(FAKE_CODE).await;
    assert_eq!(
        ui.text("[data-testid=confirm-question]"),
        "Redeem 1,200 points (₹1,200.00) as a printed voucher?"
    );
    ui.click("[data-testid=confirm]").await;
    assert_eq!(ui.text("[data-testid=voucher-code]"), "LV-RD-1");
    assert!(ui.text("[data-testid=voucher]").contains("₹1,200.00"));
    assert_eq!(ui.text("[data-testid=print]"), "Print voucher");
}

#[wasm_bindgen_test]
async fn double_tap_on_confirm_debits_once() {
    let ui = mount();
    ui.to_code_entry().await;
    ui.verify(FAKE_CODE).await;
    let btn: HtmlElement = ui.el("[data-testid=confirm]").dyn_into().unwrap();
    btn.click();
    btn.click();
    settle().await;
    assert_eq!(ui.screen(), "receipt");
    assert_eq!(ui.fake.commits(), 1);
}

#[wasm_bindgen_test]
async fn lost_commit_answer_is_retried_with_the_same_key_and_told_truthfully() {
    let ui = mount();
    ui.to_code_entry().await;
    ui.verify(FAKE_CODE).await;
    ui.fake.lose_commit_answers(1);
    ui.click("[data-testid=confirm]").await;
    assert_eq!(ui.screen(), "confirm");
    assert_eq!(
        ui.el("[data-testid=commit-status]")
            .get_attribute("data-state")
            .as_deref(),
        Some("retrying")
    );
    assert!(ui
        .text("[data-testid=commit-status]")
        .contains("Not known whether the points were redeemed"));
    assert!(ui.disabled("[data-testid=confirm]") && ui.disabled("[data-testid=cancel]"));
    sleep(1_300).await;
    settle().await;
    assert_eq!(
        ui.screen(),
        "receipt",
        "the retry replays the first receipt"
    );
    assert_eq!(ui.fake.commits(), 1, "exactly one debit");
}

#[wasm_bindgen_test]
async fn cancel_releases_the_hold() {
    let ui = mount();
    ui.to_code_entry().await;
    ui.click("[data-testid=cancel]").await;
    assert_eq!(ui.screen(), "closed");
    assert_eq!(
        ui.el("[data-testid=closed]")
            .get_attribute("data-reason")
            .as_deref(),
        Some("cancelled")
    );
    assert_eq!(
        ui.fake.redemption("rd-1").unwrap().status,
        contract::api::RedemptionStatus::Cancelled
    );
}

#[wasm_bindgen_test]
async fn manager_override_approves() {
    let policy = Policy {
        override_enabled: true,
        ..Policy::default()
    };
    let ui = mount_with(FakeBackend::with_policy(policy), None);
    ui.to_code_entry().await;
    ui.click("[data-testid=open-override]").await;
    assert_eq!(ui.screen(), "override");
    ui.type_in("#manager-code", "M001").await;
    ui.type_in("#manager-pin", "9999").await;
    ui.type_in("#override-code", "11111111").await;
    ui.type_in("#override-reason", "SMS not delivered").await;
    ui.click("[data-testid=submit-override]").await;
    assert_eq!(
        ui.text("#override-error"),
        "Wrong manager code, PIN or override code."
    );
    ui.type_in("#manager-pin", "9999").await;
    ui.type_in("#override-code", "24681357").await;
    ui.click("[data-testid=submit-override]").await;
    assert_eq!(ui.screen(), "confirm");
}

#[wasm_bindgen_test]
async fn expired_session_returns_to_sign_in() {
    let ui = mount();
    ui.to_balance().await;
    ui.fake.expire_session();
    ui.click("[data-kind=points] [data-testid=choose-instrument]")
        .await;
    ui.type_in("#quantity", "500").await;
    ui.click("[data-testid=hold]").await;
    assert_eq!(ui.screen(), "signin");
    assert_eq!(ui.status(), "Your session has ended: sign in again.");
}

#[wasm_bindgen_test]
async fn reload_resumes_an_open_redemption() {
    let fake = FakeBackend::new();
    fake.sign_in(
        "demo-till-1".into(),
        contract::api::SignIn {
            staff_code: "C001".into(),
            pin: "1234".into(),
        },
    )
    .await
    .unwrap();
    let bill = Bill::new(
        BillId::parse("77").unwrap(),
        Money::new(100_000, Currency::INR).unwrap(),
    )
    .unwrap();
    let r = fake
        .create(CreateRedemption {
            customer_id: "cus-asha".into(),
            instrument_id: "pts-asha".into(),
            quantity: Quantity::new(300).unwrap(),
            purpose: Purpose::Bill { bill },
        })
        .await
        .unwrap();
    let ui = mount_with(fake, Some(r.id.clone()));
    ui.sign_in("C001", "1234").await;
    assert_eq!(ui.screen(), "resume");
    assert!(ui
        .text("[data-testid=resume]")
        .contains("300 points (₹300.00) of Loyalty points for Asha Rao on bill #77"));
    ui.click("[data-testid=resume-continue]").await;
    assert_eq!(ui.screen(), "otp");
    assert!(
        ui.find("#channel-sms").is_some(),
        "the customer's channels are back"
    );
    ui.click("[data-testid=cancel]").await;
    assert_eq!(
        ui.el("[data-testid=closed]")
            .get_attribute("data-reason")
            .as_deref(),
        Some("cancelled")
    );
}

#[wasm_bindgen_test]
async fn policy_screen_shows_each_field_error() {
    let ui = mount();
    ui.sign_in("M001", "9999").await;
    ui.click("[data-testid=open-policy]").await;
    assert_eq!(ui.screen(), "policy");
    let mandatory: HtmlInputElement = ui.el("#policy-otp_required").dyn_into().unwrap();
    assert!(mandatory.checked(), "OTP is mandatory by default");
    assert!(ui.find("#policy-otp_min_value").is_some());
    ui.type_in("#policy-otp_ttl_secs", "5").await;
    ui.type_in("#policy-point_value", "abc").await;
    ui.click("[data-testid=save-policy]").await;
    assert_eq!(
        ui.text("#policy-otp_ttl_secs-error"),
        "must be between 60 and 600 seconds"
    );
    assert_eq!(
        ui.text("#policy-point_value-error"),
        "Enter the amount as digits, e.g. 1250.50"
    );
    assert_eq!(
        ui.el("#policy-otp_ttl_secs")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    // Fixed here, refused by the backend: its errors land on their fields too.
    ui.type_in("#policy-otp_ttl_secs", "120").await;
    ui.type_in("#policy-point_value", "1.00").await;
    ui.fake.reject_policy_with(vec![PolicyError {
        field: "locale".into(),
        message: "is not supported here".into(),
    }]);
    ui.click("[data-testid=save-policy]").await;
    assert_eq!(ui.text("#policy-otp_ttl_secs-error"), "");
    assert_eq!(ui.text("#policy-locale-error"), "is not supported here");
    assert!(ui.status().contains("Some policy settings are not valid"));
}

#[wasm_bindgen_test]
async fn policy_saves_otp_mandatory_and_minimum_value() {
    let ui = mount();
    ui.sign_in("M001", "9999").await;
    ui.click("[data-testid=open-policy]").await;
    ui.click("#policy-otp_required").await;
    ui.type_in("#policy-otp_min_value", "250").await;
    ui.click("[data-testid=save-policy]").await;
    assert_eq!(ui.status(), "Policy saved.");
    let saved = ui.fake.policy().await.unwrap();
    assert!(!saved.otp_required);
    assert_eq!(saved.otp_min_value.minor(), 25_000);
}

#[wasm_bindgen_test]
fn money_is_formatted_by_intl_for_the_store() {
    let m = |minor, c| Money::new(minor, c).unwrap();
    assert_eq!(
        format::money(m(123_456_789, Currency::INR), "en-IN"),
        "₹12,34,567.89"
    );
    assert_eq!(format::money(m(50_000, Currency::USD), "en-US"), "$500.00");
    let idr = format::money(m(150_000_000, Currency::IDR), "id-ID");
    assert!(
        idr.starts_with("Rp") && idr.contains("1.500.000,00"),
        "{idr}"
    );
}

#[wasm_bindgen_test]
async fn status_is_a_live_region_and_labels_are_real() {
    let ui = mount();
    settle().await;
    let status = ui.el("#status");
    assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(status.get_attribute("aria-live").as_deref(), Some("polite"));
    for id in ["terminal-token", "staff-code", "pin"] {
        assert!(
            ui.find(&format!("label[for={id}]")).is_some(),
            "{id} has a label"
        );
    }
}

#[wasm_bindgen_test]
async fn unreachable_server_is_explained_not_guessed() {
    use redeemguard::backend::{HttpBackend, HttpConfig};
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let root: HtmlElement = document()
        .create_element("div")
        .unwrap()
        .dyn_into()
        .unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    // Port 9 (discard) refuses connections: the fetch fails without an answer.
    let backend: Rc<dyn Backend> = Rc::new(HttpBackend::new(HttpConfig::with_base_url(
        "http://127.0.0.1:9",
    )));
    let config = AppConfig {
        terminal_token: Some("demo-till-1".into()),
        ..AppConfig::default()
    };
    let _handle = leptos::mount::mount_to(root.clone(), move || view! { <App backend config/> });
    let ui = Ui {
        root,
        fake: Rc::new(FakeBackend::new()),
        _handle: Box::new(()),
    };
    ui.sign_in("C001", "1234").await;
    for _ in 0..40 {
        if !ui.status().is_empty() {
            break;
        }
        sleep(50).await;
    }
    assert_eq!(ui.screen(), "signin");
    assert_eq!(
        ui.status(),
        "Cannot reach the loyalty server. Check the network, then try again."
    );
}

#[wasm_bindgen_test]
async fn a_host_supplied_bill_skips_the_bill_screen() {
    let bill = Bill::new(
        BillId::parse("INV-42").unwrap(),
        Money::new(250_000, Currency::INR).unwrap(),
    )
    .unwrap();
    let ui = mount_config(
        FakeBackend::new(),
        AppConfig {
            terminal_token: Some("demo-till-1".into()),
            bill: Some(bill),
            ..AppConfig::default()
        },
    );
    ui.sign_in("C001", "1234").await;
    assert_eq!(ui.screen(), "customer");
    assert_eq!(
        ui.text("[data-testid=bill-summary]"),
        "Bill #INV-42 · ₹2,500.00"
    );
    assert!(
        ui.find("[data-testid=change-bill]").is_none(),
        "a host's bill cannot be changed here"
    );
}

fn kiosk() -> Ui {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    mount_config(
        FakeBackend::new(),
        AppConfig {
            mode: Mode::Kiosk,
            terminal_token: Some("demo-kiosk-1".into()),
            ..AppConfig::default()
        },
    )
}

const STAFF_CONTROLS: [&str; 6] = [
    "sign-out",
    "open-policy",
    "open-override",
    "back-to-search",
    "change-bill",
    "voucher-mode",
];

#[wasm_bindgen_test]
async fn a_kiosk_shows_nothing_until_the_customer_proves_the_number() {
    let ui = kiosk();
    settle().await;
    assert_eq!(
        ui.screen(),
        "kiosk-start",
        "the kiosk opened its own session"
    );
    assert_eq!(
        ui.el("[data-testid=app]")
            .get_attribute("data-mode")
            .as_deref(),
        Some("kiosk")
    );
    ui.type_in("#kiosk-number", "Asha").await;
    ui.click("[data-testid=kiosk-send]").await;
    assert!(ui
        .text("#kiosk-number-error")
        .contains("not a mobile number or a card number"));
    ui.type_in("#kiosk-number", "98765 43211").await;
    ui.click("[data-testid=kiosk-send]").await;
    assert_eq!(
        ui.text("#kiosk-number-error"),
        "We could not find that number. Check it, or ask at the desk."
    );
    ui.type_in("#kiosk-number", "98765 43210").await;
    ui.click("[data-testid=kiosk-send]").await;
    assert_eq!(ui.screen(), "kiosk-code");
    assert!(
        !ui.root.inner_html().contains("Asha"),
        "nothing about her yet"
    );
    ui.type_in("#kiosk-code", "000000").await;
    ui.click("[data-testid=kiosk-verify]").await;
    assert!(ui.text("#kiosk-code-error").starts_with("Wrong code"));
    assert!(ui.text("[data-testid=countdown]").contains("tries left"));
    ui.type_in("#kiosk-code", FAKE_CODE).await;
    ui.click("[data-testid=kiosk-verify]").await;
    assert_eq!(ui.screen(), "balance");
    assert_eq!(ui.fake.kiosk_customer().as_deref(), Some("cus-asha"));
    assert_eq!(
        ui.count("[data-kind=gift_card]"),
        0,
        "no gift card to turn into a voucher"
    );
    assert_eq!(
        ui.text("[data-kind=package] [data-testid=choose-instrument]"),
        "Get a voucher"
    );
    for id in STAFF_CONTROLS {
        assert_eq!(
            ui.count(&format!("[data-testid={id}]")),
            0,
            "no {id} on a kiosk"
        );
    }
}

#[wasm_bindgen_test]
async fn a_kiosk_voucher_then_done_forgets_the_customer() {
    let ui = kiosk();
    settle().await;
    ui.type_in("#kiosk-number", "RG00012345").await;
    ui.click("[data-testid=kiosk-send]").await;
    ui.type_in("#kiosk-code", FAKE_CODE).await;
    ui.click("[data-testid=kiosk-verify]").await;
    ui.click("[data-kind=points] [data-testid=choose-instrument]")
        .await;
    ui.type_in("#quantity", "200").await;
    ui.click("[data-testid=hold]").await;
    assert_eq!(
        ui.screen(),
        "confirm",
        "no second code: the customer already proved it"
    );
    ui.click("[data-testid=confirm]").await;
    assert_eq!(ui.screen(), "receipt");
    assert_eq!(ui.count("[data-testid=voucher]"), 1);
    assert_eq!(ui.text("[data-testid=next-customer]"), "I'm done");
    ui.click("[data-testid=next-customer]").await;
    assert_eq!(ui.screen(), "kiosk-start");
    assert!(!ui.root.inner_html().contains("Asha"));
    assert_eq!(ui.fake.kiosk_customer(), None, "the backend forgot her too");
}

fn widget_config(extra: &str) -> wasm_bindgen::JsValue {
    js_sys::JSON::parse(&format!(
        r#"{{"backendUrl":"http://127.0.0.1:9","terminalToken":"demo-till-2",
            "bill":{{"id":"INV-7","total":"1200.00","currency":"INR"}}{extra}}}"#
    ))
    .unwrap()
}

#[wasm_bindgen_test]
async fn the_widget_mounts_in_its_own_shadow_root_and_unmounts_clean() {
    let host: HtmlElement = document()
        .create_element("div")
        .unwrap()
        .dyn_into()
        .unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let mut w = embed::mount(host.clone().into(), widget_config("")).unwrap();
    settle().await;
    let shadow = host.shadow_root().expect("a shadow root");
    assert!(
        shadow.query_selector("style").unwrap().is_some(),
        "its own styles inside"
    );
    let app = shadow.query_selector("[data-testid=app]").unwrap().unwrap();
    assert_eq!(app.get_attribute("data-mode").as_deref(), Some("widget"));
    assert!(shadow.query_selector("#staff-code").unwrap().is_some());
    assert!(shadow.query_selector("#terminal-token").unwrap().is_none());
    assert!(
        host.query_selector("*").unwrap().is_none(),
        "nothing in the host's light DOM"
    );
    assert_eq!(embed::live_widgets(), 1);
    w.unmount();
    assert_eq!(embed::live_widgets(), 0);
    assert_eq!(shadow.child_nodes().length(), 0);
    let w2 = embed::mount(host.clone().into(), widget_config(r#","locale":"en-US""#)).unwrap();
    settle().await;
    assert!(
        shadow
            .query_selector("[data-testid=app]")
            .unwrap()
            .is_some(),
        "remounted"
    );
    drop(w2);
    assert_eq!(embed::live_widgets(), 0, "dropping the handle unmounts too");
    host.remove();
}

#[wasm_bindgen_test]
fn a_bad_widget_config_names_every_problem() {
    let host: HtmlElement = document()
        .create_element("div")
        .unwrap()
        .dyn_into()
        .unwrap();
    let bad = js_sys::JSON::parse(
        r#"{"backendUrl":"x","bill":{"id":"1","total":"abc","currency":"INR"}}"#,
    )
    .unwrap();
    let err: wasm_bindgen::JsValue = embed::mount(host.into(), bad).err().unwrap().into();
    let message = err
        .unchecked_into::<js_sys::Error>()
        .message()
        .as_string()
        .unwrap();
    assert!(
        message.contains("backendUrl must start with https://"),
        "{message}"
    );
    assert!(message.contains("terminalToken is required"), "{message}");
    assert!(message.contains("bill.total \"abc\""), "{message}");
    assert_eq!(embed::live_widgets(), 0);
}
