//! Self-service kiosk identification over real HTTP: a kiosk session cannot browse customers;
//! the customer proves their number or card with a code, and the session then reads and
//! redeems (vouchers) for that customer only, until it forgets them or goes idle.

use crate::helpers::*;
use serde_json::{json, Value};

/// The demo policy's `kiosk_idle_secs`, and the server's grace on top of it.
pub(super) const IDLE_SECS: i64 = 60;
pub(super) const GRACE_SECS: i64 = 15;

/// Identify and verify: the session is bound to `customer`; returns the balance answered.
pub(super) async fn bind(server: &Server, k: &Api, query: &str, customer: &str) -> Value {
    k.identify(query).await.expect(200);
    let code = server.latest_code(customer).await;
    let balance = k.kiosk_verify(&code).await.expect(200);
    assert_eq!(balance["customer"]["id"], customer);
    balance
}

pub(super) fn voucher_body(customer: &str, instrument: &str, quantity: u64) -> Value {
    json!({
        "customer_id": customer, "instrument_id": instrument, "quantity": quantity,
        "purpose": { "kind": "voucher" },
    })
}

pub(super) async fn voucher(k: &Api, customer: &str, instrument: &str, quantity: u64) -> Resp {
    k.post(
        "/v1/redemptions",
        voucher_body(customer, instrument, quantity),
    )
    .await
}

/// A voucher the customer approved with its own code (S3 at the kiosk): created, its code
/// sent by SMS and typed back. Returns the redemption as approved.
pub(super) async fn approved_voucher(
    server: &Server,
    k: &Api,
    customer: &str,
    instrument: &str,
    quantity: u64,
) -> Value {
    let r = voucher(k, customer, instrument, quantity).await.expect(201);
    assert_eq!(
        r["status"], "awaiting_otp",
        "every kiosk voucher needs its code"
    );
    let id = r["id"].as_str().unwrap();
    k.send_otp(id, "sms").await.expect(200);
    let code = server.code_for(id).await;
    let approved = k.verify(id, &code).await.expect(200);
    assert_eq!(approved["status"], "approved");
    approved
}

mod flow;
mod limits;
mod rules;
