//! HTTP handlers of the /v1 contract, one module per resource. Each handler parses its input
//! into contract types, then does all of its work (authentication included) in one store
//! transaction.
//!
//! Each path is written once, in its handler's `#[utoipa::path]` attribute (taken from the
//! contract's `api::paths` where the contract names it): [`api`] builds both the router and
//! the OpenAPI paths from those attributes, so they cannot disagree.

mod accruals;
mod admin;
mod approvals;
mod customers;
mod deliveries;
mod input;
mod kiosk;
pub mod meta;
mod outreach;
mod policy;
mod redemptions;
mod reports;
mod sessions;
mod vouchers;

use crate::state::Shared;
use utoipa_axum::router::OpenApiRouter;

/// Every documented endpoint: the router and its OpenAPI paths, from one declaration each.
pub fn api() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .merge(sessions::router())
        .merge(policy::router())
        .merge(customers::router())
        .merge(redemptions::router())
        .merge(approvals::router())
        .merge(accruals::router())
        .merge(vouchers::router())
        .merge(deliveries::router())
        .merge(kiosk::router())
        .merge(reports::router())
        .merge(admin::router())
        .merge(outreach::router())
        .merge(meta::router())
}

#[cfg(test)]
mod tests {
    use contract::api::paths::*;
    use std::collections::BTreeSet;

    /// The browser app builds its URLs with the contract's `api::paths`: the server documents
    /// (and so routes) exactly those paths, with `{id}` where the app puts an id.
    #[test]
    fn the_documented_paths_are_the_contracts() {
        let documented: BTreeSet<String> = super::api()
            .into_openapi()
            .paths
            .paths
            .into_keys()
            .collect();
        let id = "{id}";
        let mut expected: BTreeSet<String> = [
            SESSIONS,
            SESSION_CURRENT,
            POLICY,
            CUSTOMERS,
            REDEMPTIONS,
            ACCRUALS,
            REPORT,
            AUDIT,
            AUDIT_EXPORT,
            OPENAPI,
            KIOSK_IDENTIFY,
            KIOSK_VERIFY,
            KIOSK_FORGET,
            APPROVALS,
            ADMIN_STAFF,
            ADMIN_TERMINALS,
            ADMIN_OVERRIDE_CODE,
            ADMIN_CARD_TYPES,
            ADMIN_CARDS,
            ADMIN_IMPORT,
            ADMIN_MESSAGES,
            ADMIN_MESSAGES_PREVIEW,
            ADMIN_CONSENT,
            VOUCHER_REDEEM,
            DELIVERY_REPORTS,
            REPLIES,
            REPORTS,
            REPORTS_CSV,
            LIABILITY,
            LIABILITY_CSV,
            CASHIERS,
            CASHIERS_CSV,
        ]
        .into_iter()
        .map(String::from)
        .collect();
        expected.insert(balance(id));
        expected.insert(redemption(id));
        for action in [
            "otp",
            "verify",
            "override",
            APPROVAL_REQUEST,
            "commit",
            "cancel",
            "reverse",
        ] {
            expected.insert(redemption_action(id, action));
        }
        for action in ["approve", "decline"] {
            expected.insert(approval_action(id, action));
        }
        for action in ["disable", "pin", "daily-summary"] {
            expected.insert(staff_action(id, action));
        }
        expected.insert(terminal_revoke(id));
        expected.insert(card_type(id));
        assert_eq!(documented, expected);
    }
}
