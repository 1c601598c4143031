//! Demo mode: a seeded store with well-known credentials (`seed`, `customers`), and the
//! "customer's phone" (`phone`) — the only place a code is ever visible, and only when the
//! server runs with `--demo`.

mod customers;
pub mod phone;
mod seed;

pub use seed::seed;

use contract::api::TerminalMode;

pub const STORE_NAME: &str = "RedeemGuard Demo Salon & Store";
pub const OVERRIDE_CODE: &str = "24681357";
pub const TERMINAL_TOKENS: [(&str, &str, TerminalMode); 3] = [
    ("demo-till-1", "Till 1", TerminalMode::Pos),
    ("demo-till-2", "Till 2", TerminalMode::Pos),
    ("demo-kiosk-1", "Kiosk 1", TerminalMode::Kiosk),
];
pub const CASHIER: (&str, &str, &str) = ("C001", "1234", "Priya Sharma");
pub const MANAGER: (&str, &str, &str) = ("M001", "9999", "Rahul Mehta");
/// The demo manager's mobile (E.164), where a manager's alerts go.
pub const MANAGER_MOBILE: &str = "+919822000111";
/// The second merchant of `--demo-extra-merchant`, for isolation tests (S9).
pub const OTHER_TERMINAL_TOKEN: &str = "other-till-1";

/// The start-up banner: everything a person needs to try the demo.
pub fn banner(
    listen: &str,
    host_page: Option<&str>,
    bench_terminals: u32,
    extra_merchant: bool,
) -> String {
    let mut s = format!(
        "RedeemGuard DEMO MODE — {STORE_NAME} (INR, en-IN, +91)\n\
         \x20 app/API:         http://{listen}/\n\
         \x20 customer phone:  http://{listen}/demo/phone   (the only place codes are shown)\n\
         \x20 manager pages:   http://{listen}/back-office, /reports, /messages (kiosk: /kiosk)\n\
         \x20 terminal tokens: demo-till-1, demo-till-2 (POS), demo-kiosk-1 (kiosk)\n\
         \x20 cashier:         {} PIN {} ({})\n\
         \x20 manager:         {} PIN {} ({})\n\
         \x20 override code:   {OVERRIDE_CODE}   (or: the manager approves in the back office)\n\
         \x20 try customer:    Asha Rao, mobile 9876543210, card RG00012345\n\
         \x20 card types:      Classic (Normal, 1 pt/₹100), Business (GST, 2 pts/₹100: Karan Malhotra 9811998877), Institutional (3 pts/₹100)\n",
        CASHIER.0, CASHIER.1, CASHIER.2, MANAGER.0, MANAGER.1, MANAGER.2
    );
    if let Some(url) = host_page {
        s.push_str(&format!(
            "  widget host page: {url}   (another origin, embedding the app from http://{listen}/)\n"
        ));
    }
    if bench_terminals > 0 {
        s.push_str(&format!("  bench:           terminals bench-till-1..{bench_terminals}, customers bench-cust-N\n"));
    }
    if extra_merchant {
        s.push_str(&format!(
            "  other merchant:  terminal token {OTHER_TERMINAL_TOKEN} (same staff codes)\n"
        ));
    }
    s
}
