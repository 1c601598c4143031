//! What a customer's card type changes (seed 004): the merchant's card type for the
//! customer's type sets the rate their sales earn at (`ledger::accrue`) and what their points
//! are worth (balances, holds, the accrual's message). A customer without a type, or whose
//! type has no card type, earns and redeems at the store's own rate and point value.
//!
//! What a customer's points are worth is decided here only ([`of_customer`] and
//! [`policy_for`], through `contract::rules::for_customer`): the copy of the point value kept
//! on the points instruments (`unit_value`, written when a card type is added or changed, a
//! card is issued, or points are first earned or imported) is what the export writes, never
//! what values a redemption. A redemption's value is fixed when its quantity is held, so points
//! held by an open redemption keep the value they were held at when the card type's value
//! changes meanwhile.

use crate::error::ApiResult;
use crate::model::{CardTypeRow, CustomerRow};
use crate::store::Tx;
use contract::Policy;
use std::borrow::Cow;

/// The card type that applies to `customer` in a store with `policy`: the merchant's card
/// type of their customer type, if it is in the store's currency.
pub fn of_customer(
    tx: &mut dyn Tx,
    customer: &CustomerRow,
    policy: &Policy,
) -> ApiResult<Option<CardTypeRow>> {
    let Some(customer_type) = customer.customer_type.as_deref() else {
        return Ok(None);
    };
    Ok(tx
        .card_type_for(&customer.merchant_id, customer_type)?
        .filter(|c| c.point_value.currency() == policy.currency))
}

/// The store's policy as it applies to a customer with `card`: their points are worth the
/// card type's point value. Everything else is the store's.
pub fn policy_for<'a>(policy: &'a Policy, card: Option<&CardTypeRow>) -> Cow<'a, Policy> {
    contract::rules::for_customer(policy, card.map(|c| c.point_value))
}
