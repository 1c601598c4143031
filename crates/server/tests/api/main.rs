//! The server over real HTTP: the server binary on an ephemeral port with a temporary
//! database, one module per area (zero2prod style: one test binary, one set of helpers).

mod admin;
mod audit_viewer;
mod bad_input;
mod cards;
mod delivery;
mod demo_mode;
mod durability;
mod fakes;
mod helpers;
mod host_page;
mod kiosk;
mod redemptions;
mod reports;
mod security;
mod serving;
mod sessions;
mod shared_file;
mod vouchers;
