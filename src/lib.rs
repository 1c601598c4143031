//! RedeemGuard's browser app: OTP-verified loyalty redemption for point-of-sale systems.
//!
//! Layers, each testable on its own:
//! - [`backend`]: the /v1 contract as an async trait, over HTTP (or faked in memory for
//!   tests, with the `fake-backend` feature);
//! - [`flow`]: the cashier flow as a plain state machine (native tests);
//! - [`ui`]: thin Leptos components over the flow (wasm-bindgen tests in `tests/web.rs`).

// A refused call carries the whole problem document (RFC 9457) so the cashier sees its facts;
// errors are rare and tiny next to a network round trip, so boxing buys nothing.
#![allow(clippy::result_large_err)]

pub mod backend;
pub mod embed;
pub mod flow;
pub mod format;
pub mod messages;
pub mod platform;
pub mod policy_form;
pub mod ui;

pub use ui::{mount_app, App, AppConfig};

/// Runs when the module loads (`src/main.rs`). The app's own page (with
/// `<meta name="redeemguard-backend">`) starts the app; a host page that imports the module for
/// the widget only gets `mount`.
pub fn start() {
    console_error_panic_hook::set_once();
    if platform::meta("redeemguard-backend").is_some() {
        mount_app();
    }
}
