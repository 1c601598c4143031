//! Screens: thin Leptos components over [`crate::flow`]. They read the flow through memos
//! (so a tick only touches what changed) and turn taps into actions; the [`Ctx`] driver runs
//! the flow's commands against the [`crate::backend::Backend`].
//!
//! One file per screen (`screens/`, `kiosk/`, `manage/`, `policy.rs`, `approvals.rs`, `reports.rs`); what several screens share is in
//! `field.rs` (the labelled field), `code_entry.rs`, `summary.rs` and `chrome.rs`.

mod app;
mod approvals;
mod channel_choice;
mod chrome;
mod code_entry;
mod driver;
mod field;
mod kiosk;
mod manage;
mod policy;
mod reports;
mod screens;
mod summary;
pub mod surfaces;

pub use app::{mount_surface, App};
pub use driver::{ctx, AppConfig, Ctx, HostListener, SessionKeeper};
