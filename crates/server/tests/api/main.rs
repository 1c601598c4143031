//! The server over real HTTP: the release binary on an ephemeral port with a temporary
//! database, one module per area (zero2prod style: one test binary, one set of helpers).

mod delivery;
mod durability;
mod endpoints;
mod fakes;
mod helpers;
mod host_page;
mod kiosk;
mod security;
