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
use redeemguard::ui::surfaces;
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
    let fake = Rc::new(fake);
    mount_over(fake.clone(), fake, config)
}

/// Mounts the app over `backend` in a new root; `fake` is what the test inspects. Nothing is
/// left over from another test: the flow remembers ids in sessionStorage.
fn mount_over(backend: Rc<dyn Backend>, fake: Rc<FakeBackend>, config: AppConfig) -> Ui {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let root = div();
    let surface = surfaces::for_mode(config.mode);
    let handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <App backend config surface/> },
    );
    Ui {
        root,
        fake,
        _handle: Box::new(handle),
    }
}

/// A new `<div>` in the page.
fn div() -> HtmlElement {
    let el: HtmlElement = document()
        .create_element("div")
        .unwrap()
        .dyn_into()
        .unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el
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
        assert_eq!(self.screen(), "balance", "the one match opens by itself");
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
        // The channel is preselected with the quantity: the hold sends the code.
        self.click("[data-testid=hold]").await;
        assert_eq!(self.screen(), "otp");
        assert!(self.find("#otp-code").is_some(), "code entry after sending");
    }
    /// Types a code as a cashier does: a complete new code submits itself; an incomplete
    /// one, or the same digits again, needs "Verify code".
    async fn verify(&self, code: &str) {
        let input: HtmlInputElement = self.el("#otp-code").dyn_into().unwrap();
        let again = input.value() == code;
        self.type_in("#otp-code", code).await;
        let complete = contract::OtpCode::parse(code, contract::OtpLength::DEFAULT).is_ok();
        if again || !complete {
            self.click("[data-testid=verify]").await;
        }
    }
}

mod kiosk;
mod policy;
mod redemption;
mod sale;
mod shell;
mod widget;
