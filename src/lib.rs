//! RedeemGuard's browser app: OTP-verified loyalty redemption for point-of-sale systems.
//!
//! Layers, each testable on its own:
//! - [`backend`]: the /v1 contract as an async trait, over HTTP (or faked in memory for
//!   tests, with the `fake-backend` feature);
//! - [`flow`]: the cashier flow as a plain state machine (native tests);
//! - [`ui`]: thin Leptos components over the flow (wasm-bindgen tests in `tests/web/`).
//!
//! Four entry points share this library, each its own bundle (`src/bin/`): the till (`/`),
//! the kiosk (`/kiosk`), the back office (`/back-office`) and the widget's module for host
//! pages (`/widget/redeemguard.js`).

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

pub use ui::{mount_surface, App, AppConfig};
