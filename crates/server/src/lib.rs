//! RedeemGuard's reference backend: the /v1 contract over HTTP, on SQLite.
//!
//! One concept per module: `routes` (HTTP handlers), `store` (the storage traits and the
//! SQLite implementation), `otp` (the code engine), `ledger` (holds, commits, reversals,
//! accruals), `kiosk` (self-service identification and its binding), `channels` (message
//! delivery: HTTP gateways, SMTP, the demo phone), `messages` (what the customer reads),
//! `notify` (sending and recording the outcome), `audit` (the hash chain), `auth` (terminals
//! and sessions), `config`, `demo` (seed data and the customer's phone), `openapi`.

pub mod app;
pub mod audit;
pub mod auth;
pub mod channels;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod error;
pub mod kiosk;
pub mod ledger;
pub mod messages;
pub mod model;
pub mod notify;
pub mod openapi;
pub mod otp;
pub mod routes;
pub mod store;
