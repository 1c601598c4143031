//! RedeemGuard's reference backend: the /v1 contract over HTTP, on SQLite.
//!
//! One concept per module: `routes` (HTTP handlers, one module per resource), `state` (what
//! every request shares) and `extract` (request extractors), `store` (the storage traits and
//! the SQLite implementation), `challenge` (the one
//! code engine), `approval` (a redemption's code or override), `ledger` (holds, commits, reversals,
//! accruals), `cards` (what a customer's loyalty card type changes), `kiosk` (self-service identification and its binding), `gateways` (message
//! delivery: HTTP gateways, SMTP, the demo phone), `messages` (what the customer reads),
//! `notify` (sending and recording the outcome), `audit` (the hash chain), `auth` (terminals
//! and sessions), `guesses` (failure limits on PINs and the override code), `days` (the store's day in its time zone), `csv` (spreadsheet-safe files), `reports` (what managers read) and `alerts` (a manager told of a cashier's signal), `config`, `demo`
//! (seed data and the customer's phone), `openapi`; `app` assembles the router and is used by
//! `main` only.

pub mod admin;
pub mod alerts;
pub mod app;
pub mod approval;
pub mod audit;
pub mod audit_viewer;
pub mod auth;
pub mod bench_reports;
pub mod cards;
pub mod challenge;
pub mod config;
pub mod crypto;
pub mod csv;
pub mod days;
pub mod deliveries;
pub mod demo;
pub mod error;
pub mod extract;
pub mod gateways;
pub mod guesses;
pub mod import;
pub mod kiosk;
pub mod ledger;
pub mod messages;
pub mod metrics;
pub mod model;
pub mod notify;
pub mod openapi;
pub mod outreach;
pub mod reports;
pub mod routes;
pub mod state;
pub mod store;
pub mod summaries;
pub mod vouchers;
