//! What every screen shares: formatting, the status line and labels, an unreachable server,
//! a host-supplied bill.

use super::*;

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
    // Port 9 (discard) refuses connections: the fetch fails without an answer.
    let backend: Rc<dyn Backend> = Rc::new(HttpBackend::<{ redeemguard::flow::parts::ALL }>::new(
        HttpConfig::with_base_url("http://127.0.0.1:9"),
    ));
    let config = AppConfig {
        terminal_token: Some("demo-till-1".into()),
        ..AppConfig::default()
    };
    let ui = mount_over(backend, Rc::new(FakeBackend::new()), config);
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
            mode: Mode::Widget,
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
