//! The redemption rule check shared by the browser (to guide the cashier before they type)
//! and the backend (to decide). SPEC §4 step 4 and S10.

pub use crate::bill::Bill;
use crate::instrument::{InstrumentBalance, InstrumentKind};
use crate::money::Money;
use crate::policy::{BillCap, Policy};
use crate::quantity::Quantity;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What the redeemed value becomes.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Purpose {
    /// Applied as a tender on a bill.
    Bill { bill: Bill },
    /// Points turned into a printed loyalty voucher (seed 004); no bill yet.
    Voucher,
}

impl Purpose {
    pub fn bill(&self) -> Option<&Bill> {
        match self {
            Purpose::Bill { bill } => Some(bill),
            Purpose::Voucher => None,
        }
    }

    /// Whether this purpose can take an instrument of this kind. Any benefit can become a
    /// printed voucher (a kiosk has no bill) except a gift card, which is already one.
    pub fn accepts(&self, kind: InstrumentKind) -> bool {
        match self {
            Purpose::Bill { .. } => true,
            Purpose::Voucher => kind != InstrumentKind::GiftCard,
        }
    }
}

/// Which limit decides the largest quantity.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Limit {
    Balance,
    Bill,
    BillCap,
}

/// The quantities a cashier may enter, shown before they type.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllowedRange {
    pub min: u64,
    pub max: u64,
    pub limited_by: Limit,
    pub unit_value: Money,
}

/// A redemption that passed every rule.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Checked {
    pub quantity: Quantity,
    /// quantity × unit value, exactly.
    pub value: Money,
    pub otp_required: bool,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RuleError {
    /// The instrument's balance is zero.
    NothingAvailable,
    /// Something is available, but less than the minimum (or the bill allows less).
    NotEnoughToRedeem {
        min: u64,
        max: u64,
        limited_by: Limit,
    },
    BelowMinimum {
        min: u64,
    },
    InsufficientBalance {
        available: u64,
    },
    /// The value would be more than the bill total.
    ExceedsBill {
        max: u64,
        bill_total: Money,
    },
    /// The value would be more than the per-bill cap.
    ExceedsBillCap {
        max: u64,
        cap: Money,
    },
    /// The instrument, bill and policy are in different currencies.
    CurrencyMismatch,
    /// This instrument cannot be used for this purpose (a gift card is already a voucher).
    NotForVoucher,
    /// The value overflows any sane amount.
    TooLarge,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleError::NothingAvailable => f.write_str("Nothing left to redeem on this"),
            RuleError::NotEnoughToRedeem {
                min,
                max,
                limited_by: Limit::Balance,
            } => {
                write!(
                    f,
                    "Only {max} available; at least {min} are needed to redeem"
                )
            }
            RuleError::NotEnoughToRedeem { min, max, .. } => {
                write!(
                    f,
                    "This bill allows at most {max}, but at least {min} are needed to redeem"
                )
            }
            RuleError::BelowMinimum { min } => write!(f, "Redeem at least {min}"),
            RuleError::InsufficientBalance { available } => {
                write!(f, "Only {available} available: enter {available} or less")
            }
            RuleError::ExceedsBill { max, bill_total } => {
                write!(
                    f,
                    "That is more than the bill of {bill_total}: enter {max} or less"
                )
            }
            RuleError::ExceedsBillCap { max, cap } => {
                write!(
                    f,
                    "A bill may take at most {cap} from loyalty: enter {max} or less"
                )
            }
            RuleError::CurrencyMismatch => {
                f.write_str("The bill is in a different currency from the loyalty program")
            }
            RuleError::NotForVoucher => {
                f.write_str("A gift card cannot become a voucher: apply it to a bill")
            }
            RuleError::TooLarge => f.write_str("That number is far too large"),
        }
    }
}
impl std::error::Error for RuleError {}

/// The value of one unit: the policy decides for points, the instrument's own value for the
/// rest. The backend stores instruments with their own value and answers balances through
/// this, so what the app shows is what the rules use.
pub fn unit_value(policy: &Policy, kind: InstrumentKind, own_value: Money) -> Money {
    match kind {
        InstrumentKind::Points => policy.point_value,
        _ => own_value,
    }
}

/// What `quantity` units of an instrument of this kind are worth, exactly.
pub fn value_of(
    policy: &Policy,
    kind: InstrumentKind,
    own_value: Money,
    quantity: u64,
) -> Result<Money, RuleError> {
    unit_value(policy, kind, own_value)
        .times(quantity)
        .map_err(|_| RuleError::TooLarge)
}

/// The unit value, once the instrument fits the purpose and the policy's currency.
fn checked_unit(
    policy: &Policy,
    instrument: &InstrumentBalance,
    purpose: &Purpose,
) -> Result<Money, RuleError> {
    if !purpose.accepts(instrument.kind) {
        return Err(RuleError::NotForVoucher);
    }
    let unit = unit_value(policy, instrument.kind, instrument.unit_value);
    if unit.currency() != policy.currency {
        return Err(RuleError::CurrencyMismatch);
    }
    Ok(unit)
}

/// The smallest quantity the policy accepts for this instrument.
pub fn minimum(policy: &Policy, instrument: &InstrumentBalance) -> u64 {
    match instrument.kind {
        InstrumentKind::Points => policy.min_redeem_points.max(1),
        _ => 1,
    }
}

/// Largest quantity whose value fits in `limit`: floor(limit / unit).
fn units_within(limit_minor: u128, unit: Money) -> u64 {
    // unit_value is never zero for a valid policy/instrument; guard anyway.
    let per = u128::from(unit.minor().max(1));
    u64::try_from(limit_minor / per).unwrap_or(u64::MAX)
}

/// The bill- and cap-derived limits, as (max quantity, which limit).
fn value_limits(
    policy: &Policy,
    unit: Money,
    purpose: &Purpose,
) -> Result<Vec<(u64, Limit)>, RuleError> {
    let mut limits = Vec::new();
    if let Some(bill) = purpose.bill() {
        if bill.total().currency() != unit.currency() {
            return Err(RuleError::CurrencyMismatch);
        }
        limits.push((
            units_within(u128::from(bill.total().minor()), unit),
            Limit::Bill,
        ));
        match policy.max_redeem_per_bill {
            Some(BillCap::Absolute { value }) => limits.push((
                units_within(u128::from(value.minor()), unit),
                Limit::BillCap,
            )),
            Some(BillCap::Percent { percent }) => {
                let cap = u128::from(bill.total().minor()) * u128::from(percent) / 100;
                limits.push((units_within(cap, unit), Limit::BillCap))
            }
            None => {}
        }
    }
    Ok(limits)
}

/// The allowed range for this instrument on this bill, or why nothing can be redeemed.
pub fn allowed_range(
    policy: &Policy,
    instrument: &InstrumentBalance,
    purpose: &Purpose,
) -> Result<AllowedRange, RuleError> {
    let unit = checked_unit(policy, instrument, purpose)?;
    if instrument.available == 0 {
        return Err(RuleError::NothingAvailable);
    }
    let mut best = (instrument.available.min(Quantity::MAX), Limit::Balance);
    for (max, limit) in value_limits(policy, unit, purpose)? {
        if max < best.0 {
            best = (max, limit);
        }
    }
    let min = minimum(policy, instrument);
    let (max, limited_by) = best;
    if max < min {
        return Err(RuleError::NotEnoughToRedeem {
            min,
            max,
            limited_by,
        });
    }
    Ok(AllowedRange {
        min,
        max,
        limited_by,
        unit_value: unit,
    })
}

/// Checks one redemption and computes its exact value and whether it needs an OTP.
pub fn check_redemption(
    policy: &Policy,
    instrument: &InstrumentBalance,
    quantity: Quantity,
    purpose: &Purpose,
) -> Result<Checked, RuleError> {
    let unit = checked_unit(policy, instrument, purpose)?;
    let q = quantity.get();
    let min = minimum(policy, instrument);
    if q < min {
        return Err(RuleError::BelowMinimum { min });
    }
    if q > instrument.available {
        return Err(RuleError::InsufficientBalance {
            available: instrument.available,
        });
    }
    let value = unit.times(q).map_err(|_| RuleError::TooLarge)?;
    for (max, limit) in value_limits(policy, unit, purpose)? {
        if q > max {
            return Err(match (limit, purpose.bill()) {
                (Limit::Bill, Some(bill)) => RuleError::ExceedsBill {
                    max,
                    bill_total: bill.total(),
                },
                _ => RuleError::ExceedsBillCap {
                    max,
                    cap: unit.times(max).map_err(|_| RuleError::TooLarge)?,
                },
            });
        }
    }
    Ok(Checked {
        quantity,
        value,
        otp_required: policy.otp_needed(instrument.kind, value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::Unit;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn inr(minor: u64) -> Money {
        Money::new(minor, Currency::INR).unwrap()
    }

    fn points(available: u64) -> InstrumentBalance {
        InstrumentBalance {
            id: "pts".into(),
            kind: InstrumentKind::Points,
            label: "Points".into(),
            unit: Unit::Points,
            available,
            unit_value: inr(100),
            earned: None,
            expiring_soon: None,
            valid_until_ms: None,
        }
    }

    fn bill(total_minor: u64) -> Purpose {
        Purpose::Bill {
            bill: Bill::new(crate::BillId::parse("123").unwrap(), inr(total_minor)).unwrap(),
        }
    }

    fn q(n: u64) -> Quantity {
        Quantity::new(n).unwrap()
    }

    #[test]
    fn range_is_limited_by_balance_bill_and_cap() {
        let mut p = Policy::default();
        let r = allowed_range(&p, &points(1200), &bill(100_000)).unwrap();
        assert_eq!((r.min, r.max, r.limited_by), (50, 1000, Limit::Bill));
        let r = allowed_range(&p, &points(700), &bill(100_000)).unwrap();
        assert_eq!((r.max, r.limited_by), (700, Limit::Balance));
        p.max_redeem_per_bill = Some(BillCap::Percent { percent: 20 });
        let r = allowed_range(&p, &points(1200), &bill(100_000)).unwrap();
        assert_eq!((r.max, r.limited_by), (200, Limit::BillCap));
        p.max_redeem_per_bill = Some(BillCap::Absolute { value: inr(30_000) });
        let r = allowed_range(&p, &points(1200), &bill(100_000)).unwrap();
        assert_eq!((r.max, r.limited_by), (300, Limit::BillCap));
        let r = allowed_range(&p, &points(1200), &Purpose::Voucher).unwrap();
        assert_eq!((r.max, r.limited_by), (1200, Limit::Balance));
    }

    #[test]
    fn every_benefit_but_a_gift_card_can_become_a_voucher() {
        use crate::InstrumentKind::*;
        for kind in [Points, Package, Membership, Campaign] {
            assert!(Purpose::Voucher.accepts(kind), "{kind:?}");
        }
        assert!(!Purpose::Voucher.accepts(GiftCard));
        assert!(bill(100).accepts(GiftCard));
        let mut gift = points(5_000);
        gift.kind = GiftCard;
        let p = Policy::default();
        assert_eq!(
            allowed_range(&p, &gift, &Purpose::Voucher),
            Err(RuleError::NotForVoucher)
        );
        assert_eq!(
            check_redemption(&p, &gift, q(100), &Purpose::Voucher),
            Err(RuleError::NotForVoucher)
        );
        assert!(allowed_range(&p, &gift, &bill(100_000)).is_ok());
    }

    #[test]
    fn nothing_to_redeem_is_explained() {
        let p = Policy::default();
        assert_eq!(
            allowed_range(&p, &points(0), &bill(10_000)),
            Err(RuleError::NothingAvailable)
        );
        assert_eq!(
            allowed_range(&p, &points(30), &bill(10_000)),
            Err(RuleError::NotEnoughToRedeem {
                min: 50,
                max: 30,
                limited_by: Limit::Balance
            })
        );
        assert_eq!(
            allowed_range(&p, &points(500), &bill(2_000)),
            Err(RuleError::NotEnoughToRedeem {
                min: 50,
                max: 20,
                limited_by: Limit::Bill
            })
        );
    }

    #[test]
    fn each_violation_has_its_own_error() {
        let mut p = Policy::default();
        let inst = points(1200);
        assert_eq!(
            check_redemption(&p, &inst, q(49), &bill(100_000)),
            Err(RuleError::BelowMinimum { min: 50 })
        );
        assert_eq!(
            check_redemption(&p, &inst, q(1201), &Purpose::Voucher),
            Err(RuleError::InsufficientBalance { available: 1200 })
        );
        assert_eq!(
            check_redemption(&p, &inst, q(1001), &bill(100_000)),
            Err(RuleError::ExceedsBill {
                max: 1000,
                bill_total: inr(100_000)
            })
        );
        p.max_redeem_per_bill = Some(BillCap::Percent { percent: 10 });
        assert_eq!(
            check_redemption(&p, &inst, q(101), &bill(100_000)),
            Err(RuleError::ExceedsBillCap {
                max: 100,
                cap: inr(10_000)
            })
        );
        let usd_bill = Purpose::Bill {
            bill: Bill::new(
                crate::BillId::parse("1").unwrap(),
                Money::new(100, Currency::USD).unwrap(),
            )
            .unwrap(),
        };
        assert_eq!(
            check_redemption(&p, &inst, q(50), &usd_bill),
            Err(RuleError::CurrencyMismatch)
        );
    }

    #[test]
    fn value_and_otp_need_are_computed() {
        let mut p = Policy {
            point_value: inr(25), // 1 point = ₹0.25
            ..Policy::default()
        };
        let ok = check_redemption(&p, &points(1200), q(500), &bill(100_000)).unwrap();
        assert_eq!(ok.value, inr(12_500));
        assert!(ok.otp_required);
        p.otp_min_value = inr(20_000);
        let ok = check_redemption(&p, &points(1200), q(500), &bill(100_000)).unwrap();
        assert!(!ok.otp_required, "below the OTP minimum value");
        let mut gift = points(50_000);
        gift.kind = InstrumentKind::GiftCard;
        gift.unit = Unit::Credit;
        gift.unit_value = inr(1);
        let ok = check_redemption(&p, &gift, q(40_000), &bill(100_000)).unwrap();
        assert_eq!((ok.value, ok.otp_required), (inr(40_000), false));
        assert_eq!(
            minimum(&p, &gift),
            1,
            "the points minimum applies to points only"
        );
    }

    #[test]
    fn huge_values_are_refused_not_wrapped() {
        let p = Policy {
            point_value: inr(crate::money::MAX_MINOR),
            ..Policy::default()
        };
        let err = check_redemption(
            &p,
            &points(Quantity::MAX),
            q(Quantity::MAX),
            &Purpose::Voucher,
        );
        assert_eq!(err, Err(RuleError::TooLarge));
    }

    fn policy_strategy() -> impl Strategy<Value = Policy> {
        (
            1u64..=500,
            1u64..=200,
            prop::option::of(prop_oneof![
                (1u64..=2_000_000).prop_map(|v| BillCap::Absolute { value: inr(v) }),
                (1u8..=100).prop_map(|percent| BillCap::Percent { percent }),
            ]),
        )
            .prop_map(|(point_value, min, cap)| Policy {
                point_value: inr(point_value),
                min_redeem_points: min,
                max_redeem_per_bill: cap,
                ..Policy::default()
            })
    }

    proptest! {
        #[test]
        fn allowed_range_never_exceeds_balance_bill_or_cap(
            p in policy_strategy(), available in 0u64..5_000_000, total in 1u64..50_000_000,
        ) {
            let purpose = bill(total);
            if let Ok(r) = allowed_range(&p, &points(available), &purpose) {
                let max_value = p.point_value.minor() * r.max;
                prop_assert!(r.min <= r.max);
                prop_assert!(r.max <= available);
                prop_assert!(max_value <= total);
                match p.max_redeem_per_bill {
                    Some(BillCap::Absolute { value }) => prop_assert!(max_value <= value.minor()),
                    Some(BillCap::Percent { percent }) => prop_assert!(u128::from(max_value) * 100 <= u128::from(total) * u128::from(percent)),
                    None => {}
                }
                // The range is exactly what check_redemption accepts.
                prop_assert!(check_redemption(&p, &points(available), q(r.min), &purpose).is_ok());
                prop_assert!(check_redemption(&p, &points(available), q(r.max), &purpose).is_ok());
                prop_assert!(check_redemption(&p, &points(available), q(r.max + 1), &purpose).is_err());
            }
        }

        #[test]
        fn value_is_points_times_point_value_exactly(
            p in policy_strategy(), n in 1u64..1_000_000,
        ) {
            if let Ok(ok) = check_redemption(&p, &points(n), q(n), &Purpose::Voucher) {
                prop_assert_eq!(ok.value.minor(), n * p.point_value.minor());
                prop_assert_eq!(ok.value.currency(), p.currency);
            }
        }
    }
}
