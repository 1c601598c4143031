//! The self-service kiosk.

use super::*;

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
    "open-back-office",
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
    ui.type_in("#kiosk-code", "000000").await; // a complete code submits itself
    assert!(ui
        .text("#kiosk-code-error")
        .starts_with("That code is not right"));
    assert!(ui.text("[data-testid=countdown]").contains("tries left"));
    ui.type_in("#kiosk-code", FAKE_CODE).await; // its last digit submits it
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
    ui.type_in("#kiosk-code", FAKE_CODE).await; // its last digit submits it
    ui.click("[data-kind=points] [data-testid=choose-instrument]")
        .await;
    ui.type_in("#quantity", "200").await;
    ui.click("[data-testid=hold]").await;
    // S3 at the kiosk: the voucher has its own code, sent at once where the customer proved
    // their number.
    assert_eq!(ui.screen(), "otp", "each voucher needs its own code");
    assert_eq!(ui.text("#screen-title"), "Your code for this voucher");
    assert!(
        ui.status()
            .starts_with("We sent a code for this voucher by SMS"),
        "{}",
        ui.status()
    );
    ui.type_in("#otp-code", FAKE_CODE).await; // its last digit submits it
    assert_eq!(ui.screen(), "confirm");
    ui.click("[data-testid=confirm]").await;
    assert_eq!(ui.screen(), "receipt");
    assert_eq!(ui.count("[data-testid=voucher]"), 1);
    assert_eq!(ui.text("[data-testid=next-customer]"), "I'm done");
    ui.click("[data-testid=next-customer]").await;
    assert_eq!(ui.screen(), "kiosk-start");
    assert!(!ui.root.inner_html().contains("Asha"));
    assert_eq!(ui.fake.kiosk_customer(), None, "the backend forgot her too");
}
