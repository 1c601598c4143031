//! From the customer's code to the receipt: codes, confirm, vouchers, lost answers, cancel,
//! override, an ended session, a reload.

use super::*;

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
    // Said once on screen (the card), and read out through the status line (issue 13).
    assert_eq!(
        ui.el("#status").get_attribute("data-tone").as_deref(),
        Some("none")
    );
    assert!(ui
        .text("[data-testid=status-field]")
        .contains("Redemption locked"));
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
    // No bill: the customer first; the voucher is offered to a customer who can have one.
    ui.click("[data-testid=skip-bill]").await;
    ui.type_in("#customer-q", "Asha").await;
    ui.click("[data-testid=search]").await;
    assert_eq!(
        ui.text("[data-kind=points] .rg-range"),
        "Enter the bill to redeem on it"
    );
    ui.click("[data-testid=voucher-mode]").await;
    assert_eq!(
        ui.text("[data-testid=bill-summary]"),
        "Printed loyalty voucher (no bill)Change"
    );
    assert!(
        ui.disabled("[data-kind=gift_card] [data-testid=choose-instrument]"),
        "a gift card cannot become a voucher"
    );
    assert!(!ui.disabled("[data-kind=package] [data-testid=choose-instrument]"));
    ui.click("[data-kind=points] [data-testid=choose-instrument]")
        .await;
    ui.type_in("#quantity", "1200").await;
    ui.click("[data-testid=hold]").await;
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
    // The store code typed at the till: the merchant's option, off by default (S8).
    let policy = Policy {
        override_enabled: true,
        override_store_code: true,
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

/// Every answer reaches the one live region (issue 13): a wrong code is shown at its field
/// and read out through the status line, which takes no room while it has nothing to show.
#[wasm_bindgen_test]
async fn a_wrong_code_is_announced_through_the_status_line() {
    let ui = mount();
    ui.to_code_entry().await;
    ui.verify("000000").await;
    assert_eq!(
        ui.text("#otp-code-error"),
        "Wrong code: 4 tries left. Ask the customer to read it again."
    );
    let status = ui.el("#status");
    assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(
        ui.text("[data-testid=status-field]"),
        "Wrong code: 4 tries left. Ask the customer to read it again.",
        "read out through the live region"
    );
    assert_eq!(status.get_attribute("data-tone").as_deref(), Some("none"));
}

/// Issue 13: every status change of a whole redemption reaches the one live region (the
/// status line, and its spoken part for what the screen already shows), and nothing else on
/// the page is a live region.
#[wasm_bindgen_test]
async fn every_status_of_a_redemption_is_read_out_by_the_one_live_region() {
    let ui = mount();
    let spoken = |ui: &Ui| {
        assert_eq!(
            ui.count("[aria-live], [role=status], [role=alert], [role=log]"),
            1,
            "one live region"
        );
        ui.status()
    };
    ui.sign_in("C001", "1234").await;
    ui.type_in("#bill-id", "123").await;
    ui.type_in("#bill-total", "1000").await;
    ui.click("[data-testid=bill-next]").await;
    ui.type_in("#customer-q", "98765 43210").await;
    ui.click("[data-testid=search]").await;
    assert_eq!(spoken(&ui), "1 customer found: Asha Rao.");
    ui.click("[data-kind=points] [data-testid=choose-instrument]")
        .await;
    ui.type_in("#quantity", "5000").await;
    ui.click("[data-testid=hold]").await;
    let refused = ui.text("#quantity-error");
    assert!(!refused.is_empty());
    assert_eq!(spoken(&ui), refused, "a refused quantity is read out");
    ui.type_in("#quantity", "500").await;
    ui.click("[data-testid=hold]").await;
    assert!(
        spoken(&ui).starts_with("Code sent by SMS to +91"),
        "{}",
        ui.status()
    );
    ui.verify("000000").await;
    assert_eq!(
        spoken(&ui),
        "Wrong code: 4 tries left. Ask the customer to read it again."
    );
    ui.verify(FAKE_CODE).await;
    assert_eq!(spoken(&ui), "Code accepted. Confirm the redemption.");
    ui.click("[data-testid=confirm]").await;
    assert_eq!(ui.screen(), "receipt");
    assert!(
        spoken(&ui).starts_with("Redeemed. Receipt "),
        "{}",
        ui.status()
    );
}
