//! S10: the browser validates with the same rules crate the backend uses, and the backend is
//! authoritative. A till that skipped its checks (or a cashier's own HTTP client) gets exactly
//! the verdicts the rules crate gives: every quantity the rules refuse, the server refuses;
//! every quantity the rules allow, the server holds, with the same value and the same need
//! for a code.

use crate::helpers::*;
use contract::api::Balance;
use contract::bill::Bill;
use contract::policy::Policy;
use contract::quantity::Quantity;
use contract::rules::{self, Earlier, Purpose};
use serde_json::json;

const CUSTOMERS: &[&str] = &[ASHA, "cust-rohan"];

/// Bill totals in paise: ₹1, ₹499, ₹1,000 and ₹20,000.
const BILLS: &[u64] = &[100, 49_900, 100_000, 2_000_000];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s10_the_server_refuses_exactly_what_the_rules_crate_refuses_when_the_browser_is_bypassed()
{
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let policy: Policy = serde_json::from_value(api.policy().await).expect("the policy parses");
    let (mut allowed, mut refused) = (0, 0);
    for customer in CUSTOMERS {
        let balance: Balance =
            serde_json::from_value(api.balance(customer).await).expect("the balance parses");
        for instrument in &balance.instruments {
            let min = rules::minimum(&policy, instrument);
            let base = [
                0,
                1,
                min.saturating_sub(1),
                min,
                min + 1,
                instrument.available,
                instrument.available + 1,
                u64::MAX / 2,
            ];
            for total in BILLS {
                let id = format!("S10-{}", rand_suffix());
                let bill = Bill::parse(
                    &id,
                    &format!("{}.{:02}", total / 100, total % 100),
                    policy.currency,
                )
                .expect("a bill");
                let mut quantities = base.to_vec();
                let purpose = Purpose::Bill { bill: bill.clone() };
                let earlier = Earlier::nothing(policy.currency);
                if let Ok(range) = rules::allowed_range(&policy, instrument, &purpose, &earlier) {
                    quantities.extend([range.max, range.max + 1]);
                }
                for q in quantities.iter().copied() {
                    let verdict = Quantity::new(q).ok().map(|quantity| {
                        rules::check_redemption(&policy, instrument, quantity, &purpose, &earlier)
                    });
                    let body = json!({
                        "customer_id": customer, "instrument_id": instrument.id, "quantity": q,
                        "purpose": { "kind": "bill", "bill": {
                            "id": bill.id().as_str(),
                            "total": { "minor": total, "currency": "INR" } } }
                    });
                    let r = api.post("/v1/redemptions", body).await;
                    let case = format!("{} × {q} on a bill of {total} paise", instrument.id);
                    match verdict {
                        Some(Ok(checked)) => {
                            let held = r.expect(201);
                            assert_eq!(
                                held["value"]["minor"].as_u64(),
                                Some(checked.value.minor()),
                                "{case}: the same value"
                            );
                            assert_eq!(
                                held["otp_required"].as_bool(),
                                Some(checked.otp_required),
                                "{case}: the same need for a code"
                            );
                            api.post(
                                &format!("/v1/redemptions/{}/cancel", id_of(&held)),
                                json!({}),
                            )
                            .await
                            .expect(200);
                            allowed += 1;
                        }
                        Some(Err(why)) => {
                            assert!(
                                r.status == 422 || r.status == 409,
                                "{case}: the rules refuse ({why}), the server answered {} {}",
                                r.status,
                                r.json()
                            );
                            refused += 1;
                        }
                        None => {
                            assert_eq!(r.status, 422, "{case}: not a quantity: {}", r.json());
                            refused += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(
        allowed > 10 && refused > 10,
        "both verdicts were tried: {allowed} allowed, {refused} refused"
    );
    for customer in CUSTOMERS {
        let balance: Balance =
            serde_json::from_value(api.balance(customer).await).expect("the balance parses");
        assert!(
            balance.instruments.iter().all(|i| i.available > 0),
            "every hold was released again"
        );
    }
}
