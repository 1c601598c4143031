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
    /// The value would be more than what is left to pay on the bill.
    ExceedsBill {
        max: u64,
        bill_total: Money,
        /// The bill total less every earlier hold and redemption on the bill.
        left: Money,
    },
    /// The value would be more than what is left of the per-bill cap.
    ExceedsBillCap {
        max: u64,
        cap: Money,
        /// The cap less every earlier hold and redemption on the bill.
        left: Money,
    },
    /// Earlier holds and redemptions on the bill already take all it allows: its total
    /// (`Limit::Bill`) or the per-bill cap (`Limit::BillCap`).
    BillCovered {
        limited_by: Limit,
        bill_total: Money,
    },
    /// The instrument, bill and policy are in different currencies.
    CurrencyMismatch,
    /// This instrument cannot be used for this purpose (a gift card is already a voucher).
    NotForVoucher,
    /// The value overflows any sane amount.
    TooLarge,
}

/// How a rule's message names money and quantities. The server writes plain figures
/// ([`Plain`]: "1000.00 INR", "500"); the app writes them as the cashier reads them, through
/// Intl in the store's locale and with the instrument's unit ("₹1,000.00", "500 points",
/// "1 session"). One text per rule either way.
pub trait Words {
    fn money(&self, m: Money) -> String;
    /// A quantity of the instrument with its unit (for credit: the amount).
    fn quantity(&self, q: u64) -> String;
}

/// Plain figures: money as `1000.00 INR`, quantities as bare numbers (the API's messages).
pub struct Plain;

impl Words for Plain {
    fn money(&self, m: Money) -> String {
        m.to_string()
    }
    fn quantity(&self, q: u64) -> String {
        q.to_string()
    }
}

impl RuleError {
    /// The cashier's message, with money and quantities as `w` writes them.
    pub fn words(&self, w: &dyn Words) -> String {
        let q = |n: u64| w.quantity(n);
        let m = |x: Money| w.money(x);
        match self {
            RuleError::NothingAvailable => "Nothing left to redeem on this".into(),
            RuleError::NotEnoughToRedeem {
                min,
                max,
                limited_by: Limit::Balance,
            } => format!(
                "Only {} available, and redeeming needs at least {}",
                q(*max),
                q(*min)
            ),
            RuleError::NotEnoughToRedeem { min, max, .. } => format!(
                "This bill allows at most {}, and redeeming needs at least {}",
                q(*max),
                q(*min)
            ),
            RuleError::BelowMinimum { min } => format!("Redeem at least {}", q(*min)),
            RuleError::InsufficientBalance { available } => format!(
                "Only {} available: enter {} or less",
                q(*available),
                q(*available)
            ),
            RuleError::ExceedsBill {
                max,
                bill_total,
                left,
            } if left == bill_total => format!(
                "That is more than the bill of {}: enter {} or less",
                m(*bill_total),
                q(*max)
            ),
            RuleError::ExceedsBill {
                max,
                bill_total,
                left,
            } => format!(
                "Only {} of the bill of {} is left to pay: enter {} or less",
                m(*left),
                m(*bill_total),
                q(*max)
            ),
            RuleError::ExceedsBillCap { max, cap, left } if left == cap => format!(
                "A bill may take at most {} from loyalty: enter {} or less",
                m(*cap),
                q(*max)
            ),
            RuleError::ExceedsBillCap { max, cap, left } => format!(
                "A bill may take at most {} from loyalty and {} of it is left: enter {} or less",
                m(*cap),
                m(*left),
                q(*max)
            ),
            RuleError::BillCovered {
                limited_by: Limit::BillCap,
                ..
            } => "This bill has already taken all that loyalty may pay on it".into(),
            RuleError::BillCovered { bill_total, .. } => format!(
                "Nothing is left to pay on this bill of {}: earlier redemptions cover it",
                m(*bill_total)
            ),
            RuleError::CurrencyMismatch => {
                "The bill is in a different currency from the loyalty program".into()
            }
            RuleError::NotForVoucher => {
                "A gift card cannot become a voucher: apply it to a bill".into()
            }
            RuleError::TooLarge => "That number is far too large".into(),
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words(&Plain))
    }
}
impl std::error::Error for RuleError {}

/// What earlier redemptions already took, for the limits that hold across redemptions
/// (S12). The backend counts them in the same transaction that holds the new redemption;
/// the app knows what it redeemed on the bill itself (the backend re-checks).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Earlier {
    /// The value of every open hold and posted redemption on the same bill (same store and
    /// bill number), whatever its customer or instrument. Zero for a voucher.
    pub on_bill: Money,
    /// What this customer redeemed without a code (below `otp_min_value`): the larger of
    /// their total on this bill and their total this store day.
    pub without_code: Money,
}

impl Earlier {
    /// Nothing redeemed before (a new bill, a voucher).
    pub fn nothing(currency: crate::money::Currency) -> Self {
        Earlier {
            on_bill: Money::zero(currency),
            without_code: Money::zero(currency),
        }
    }

    /// What is left to pay on `bill` after earlier redemptions.
    pub fn left_on(&self, bill: &Bill) -> Money {
        Money::new(
            bill.total().minor().saturating_sub(self.on_bill.minor()),
            bill.total().currency(),
        )
        .unwrap_or(bill.total())
    }
}

/// The value of one unit: the policy decides for points, the instrument's own value for the
/// rest. The backend stores instruments with their own value and answers balances through
/// this, so what the app shows is what the rules use.
pub fn unit_value(policy: &Policy, kind: InstrumentKind, own_value: Money) -> Money {
    match kind {
        InstrumentKind::Points => policy.point_value,
        _ => own_value,
    }
}

/// The store's policy as it applies to one customer: their points are worth their card
/// type's point value (seed 004); everything else is the store's. A backend answers a
/// customer's points with that value as their `unit_value`, so a client passes the points'
/// `unit_value` from the balance, and the backend its card type's point value.
pub fn for_customer(policy: &Policy, points_value: Option<Money>) -> std::borrow::Cow<'_, Policy> {
    match points_value {
        Some(v) if v != policy.point_value && v.currency() == policy.currency => {
            let mut p = policy.clone();
            p.point_value = v;
            std::borrow::Cow::Owned(p)
        }
        _ => std::borrow::Cow::Borrowed(policy),
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

/// The per-bill cap in value, for this bill.
pub fn bill_cap(policy: &Policy, bill: &Bill) -> Option<Money> {
    let total = bill.total();
    let minor = match policy.max_redeem_per_bill? {
        BillCap::Absolute { value } => value.minor(),
        BillCap::Percent { percent } => {
            u64::try_from(u128::from(total.minor()) * u128::from(percent) / 100).ok()?
        }
    };
    Money::new(minor, total.currency()).ok()
}

/// One bill-derived limit: what is left of it (value), and the most units that fits.
struct ValueLimit {
    limit: Limit,
    whole: Money,
    left: Money,
    max: u64,
}

/// The bill- and cap-derived limits, less what earlier redemptions on the bill took (S12).
fn value_limits(
    policy: &Policy,
    unit: Money,
    purpose: &Purpose,
    earlier: &Earlier,
) -> Result<Vec<ValueLimit>, RuleError> {
    let mut limits = Vec::new();
    if let Some(bill) = purpose.bill() {
        let currency = bill.total().currency();
        if currency != unit.currency() || earlier.on_bill.currency() != currency {
            return Err(RuleError::CurrencyMismatch);
        }
        let mut push = |limit: Limit, whole: Money| {
            let left_minor = whole.minor().saturating_sub(earlier.on_bill.minor());
            limits.push(ValueLimit {
                limit,
                whole,
                left: Money::new(left_minor, currency).unwrap_or(whole),
                max: units_within(u128::from(left_minor), unit),
            });
        };
        push(Limit::Bill, bill.total());
        if let Some(cap) = bill_cap(policy, bill) {
            push(Limit::BillCap, cap);
        }
    }
    Ok(limits)
}

/// Nothing at all is left of a bill limit.
fn covered(l: &ValueLimit, purpose: &Purpose) -> Option<RuleError> {
    (l.left.is_zero()).then(|| RuleError::BillCovered {
        limited_by: l.limit,
        bill_total: purpose.bill().map_or(l.whole, |b| b.total()),
    })
}

/// The allowed range for this instrument on this bill, after what `earlier` redemptions
/// took from it, or why nothing can be redeemed.
pub fn allowed_range(
    policy: &Policy,
    instrument: &InstrumentBalance,
    purpose: &Purpose,
    earlier: &Earlier,
) -> Result<AllowedRange, RuleError> {
    let unit = checked_unit(policy, instrument, purpose)?;
    if instrument.available == 0 {
        return Err(RuleError::NothingAvailable);
    }
    let mut best = (instrument.available.min(Quantity::MAX), Limit::Balance);
    for l in value_limits(policy, unit, purpose, earlier)? {
        if let Some(e) = covered(&l, purpose) {
            return Err(e);
        }
        if l.max < best.0 {
            best = (l.max, l.limit);
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

/// Checks one redemption, after what `earlier` redemptions took, and computes its exact
/// value and whether it needs an OTP.
pub fn check_redemption(
    policy: &Policy,
    instrument: &InstrumentBalance,
    quantity: Quantity,
    purpose: &Purpose,
    earlier: &Earlier,
) -> Result<Checked, RuleError> {
    let unit = checked_unit(policy, instrument, purpose)?;
    let q = quantity.get();
    let min = minimum(policy, instrument);
    if q < min {
        return Err(RuleError::BelowMinimum { min });
    }
    // Of every limit the quantity passes, the tightest is the one to name: "only 1,200
    // available" is no help when the bill allows 1,000.
    let mut tightest: Option<ValueLimit> = None;
    for l in value_limits(policy, unit, purpose, earlier)? {
        if let Some(e) = covered(&l, purpose) {
            return Err(e);
        }
        if q > l.max && tightest.as_ref().is_none_or(|t| l.max < t.max) {
            tightest = Some(l);
        }
    }
    match tightest {
        Some(l) if l.max < instrument.available || q <= instrument.available => {
            return Err(match l.limit {
                Limit::Bill => RuleError::ExceedsBill {
                    max: l.max,
                    bill_total: l.whole,
                    left: l.left,
                },
                _ => RuleError::ExceedsBillCap {
                    max: l.max,
                    cap: l.whole,
                    left: l.left,
                },
            })
        }
        _ if q > instrument.available => {
            return Err(RuleError::InsufficientBalance {
                available: instrument.available,
            })
        }
        _ => {}
    }
    let value = unit.times(q).map_err(|_| RuleError::TooLarge)?;
    Ok(Checked {
        quantity,
        value,
        otp_required: policy.otp_needed(instrument.kind, value, earlier.without_code),
    })
}

/// Points a bill earns (S12): its total at the policy's earn rate, rounded down, at most the
/// policy's cap per bill. Never a number the caller chooses.
pub fn points_earned(rate: &crate::cards::EarnRate, bill: &Bill) -> Result<u64, RuleError> {
    let total = bill.total();
    if total.currency() != rate.per.currency() {
        return Err(RuleError::CurrencyMismatch);
    }
    let per = u128::from(rate.per.minor().max(1));
    let points = u128::from(total.minor()) * u128::from(rate.points) / per;
    Ok(u64::try_from(points).unwrap_or(u64::MAX).min(rate.cap))
}

/// Why a reversal is refused to a staff member.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReversalRefusal {
    /// Someone other than the cashier who posted it, and not a manager.
    NotThePoster,
    /// The cashier who posted it, after the policy's reversal window.
    WindowPassed { window_secs: u32 },
}

impl fmt::Display for ReversalRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReversalRefusal::NotThePoster => f.write_str(
                "Only the cashier who redeemed this, or a manager, can reverse it: ask a manager",
            ),
            ReversalRefusal::WindowPassed { window_secs: 0 } => {
                f.write_str("Only a manager can reverse a redemption in this store: ask a manager")
            }
            ReversalRefusal::WindowPassed { window_secs } => write!(
                f,
                "More than {} has passed since this was redeemed: only a manager can reverse it now",
                crate::rules::duration_words(u64::from(*window_secs))
            ),
        }
    }
}
impl std::error::Error for ReversalRefusal {}

/// Who may reverse a posted redemption (SPEC §3 reversal window): a manager at any time; the
/// cashier who posted it within `reversal_window_secs` of posting; nobody else.
pub fn may_reverse(
    policy: &Policy,
    is_manager: bool,
    is_poster: bool,
    ms_since_posted: i64,
) -> Result<(), ReversalRefusal> {
    if is_manager {
        return Ok(());
    }
    if !is_poster {
        return Err(ReversalRefusal::NotThePoster);
    }
    if ms_since_posted > i64::from(policy.reversal_window_secs) * 1000 {
        return Err(ReversalRefusal::WindowPassed {
            window_secs: policy.reversal_window_secs,
        });
    }
    Ok(())
}

/// "30 min", "1 h 30 min", "45 s": a span as people read it.
pub fn duration_words(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let parts: Vec<String> = [(h, "h"), (m, "min"), (s, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n} {u}"))
        .collect();
    if parts.is_empty() {
        "0 s".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::Unit;
    use crate::money::Currency;
    use crate::Problem;
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

    fn fresh() -> Earlier {
        Earlier::nothing(Currency::INR)
    }

    #[test]
    fn range_is_limited_by_balance_bill_and_cap() {
        let mut p = Policy::default();
        let r = allowed_range(&p, &points(1200), &bill(100_000), &fresh()).unwrap();
        assert_eq!((r.min, r.max, r.limited_by), (50, 1000, Limit::Bill));
        let r = allowed_range(&p, &points(700), &bill(100_000), &fresh()).unwrap();
        assert_eq!((r.max, r.limited_by), (700, Limit::Balance));
        p.max_redeem_per_bill = Some(BillCap::Percent { percent: 20 });
        let r = allowed_range(&p, &points(1200), &bill(100_000), &fresh()).unwrap();
        assert_eq!((r.max, r.limited_by), (200, Limit::BillCap));
        p.max_redeem_per_bill = Some(BillCap::Absolute { value: inr(30_000) });
        let r = allowed_range(&p, &points(1200), &bill(100_000), &fresh()).unwrap();
        assert_eq!((r.max, r.limited_by), (300, Limit::BillCap));
        let r = allowed_range(&p, &points(1200), &Purpose::Voucher, &fresh()).unwrap();
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
            allowed_range(&p, &gift, &Purpose::Voucher, &fresh()),
            Err(RuleError::NotForVoucher)
        );
        assert_eq!(
            check_redemption(&p, &gift, q(100), &Purpose::Voucher, &fresh()),
            Err(RuleError::NotForVoucher)
        );
        assert!(allowed_range(&p, &gift, &bill(100_000), &fresh()).is_ok());
    }

    #[test]
    fn nothing_to_redeem_is_explained() {
        let p = Policy::default();
        assert_eq!(
            allowed_range(&p, &points(0), &bill(10_000), &fresh()),
            Err(RuleError::NothingAvailable)
        );
        assert_eq!(
            allowed_range(&p, &points(30), &bill(10_000), &fresh()),
            Err(RuleError::NotEnoughToRedeem {
                min: 50,
                max: 30,
                limited_by: Limit::Balance
            })
        );
        assert_eq!(
            allowed_range(&p, &points(500), &bill(2_000), &fresh()),
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
            check_redemption(&p, &inst, q(49), &bill(100_000), &fresh()),
            Err(RuleError::BelowMinimum { min: 50 })
        );
        assert_eq!(
            check_redemption(&p, &inst, q(1201), &Purpose::Voucher, &fresh()),
            Err(RuleError::InsufficientBalance { available: 1200 })
        );
        assert_eq!(
            check_redemption(&p, &inst, q(1001), &bill(100_000), &fresh()),
            Err(RuleError::ExceedsBill {
                max: 1000,
                bill_total: inr(100_000),
                left: inr(100_000),
            })
        );
        p.max_redeem_per_bill = Some(BillCap::Percent { percent: 10 });
        assert_eq!(
            check_redemption(&p, &inst, q(101), &bill(100_000), &fresh()),
            Err(RuleError::ExceedsBillCap {
                max: 100,
                cap: inr(10_000),
                left: inr(10_000),
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
            check_redemption(&p, &inst, q(50), &usd_bill, &fresh()),
            Err(RuleError::CurrencyMismatch)
        );
    }

    #[test]
    fn value_and_otp_need_are_computed() {
        let mut p = Policy {
            point_value: inr(25), // 1 point = ₹0.25
            ..Policy::default()
        };
        let ok = check_redemption(&p, &points(1200), q(500), &bill(100_000), &fresh()).unwrap();
        assert_eq!(ok.value, inr(12_500));
        assert!(ok.otp_required);
        p.otp_min_value = inr(20_000);
        let ok = check_redemption(&p, &points(1200), q(500), &bill(100_000), &fresh()).unwrap();
        assert!(!ok.otp_required, "below the OTP minimum value");
        let mut gift = points(50_000);
        gift.kind = InstrumentKind::GiftCard;
        gift.unit = Unit::Credit;
        gift.unit_value = inr(1);
        let ok = check_redemption(&p, &gift, q(40_000), &bill(100_000), &fresh()).unwrap();
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
            &fresh(),
        );
        assert_eq!(err, Err(RuleError::TooLarge));
    }

    fn on_bill(minor: u64) -> Earlier {
        Earlier {
            on_bill: inr(minor),
            ..fresh()
        }
    }

    fn gift_card(available: u64) -> InstrumentBalance {
        InstrumentBalance {
            kind: InstrumentKind::GiftCard,
            unit: Unit::Credit,
            unit_value: inr(1),
            ..points(available)
        }
    }

    /// Issue 12 item 3: two 1,000-point redemptions on one ₹1,000 bill both passed.
    #[test]
    fn s12_a_bill_total_covers_every_earlier_redemption_on_the_bill() {
        let p = Policy::default();
        let one_bill = bill(100_000);
        assert!(check_redemption(&p, &points(5_000), q(1_000), &one_bill, &fresh()).is_ok());
        assert_eq!(
            check_redemption(&p, &points(5_000), q(1_000), &one_bill, &on_bill(100_000)),
            Err(RuleError::BillCovered {
                limited_by: Limit::Bill,
                bill_total: inr(100_000)
            })
        );
        assert_eq!(
            allowed_range(&p, &points(5_000), &one_bill, &on_bill(100_000)),
            Err(RuleError::BillCovered {
                limited_by: Limit::Bill,
                bill_total: inr(100_000)
            })
        );
        // ₹400 already redeemed: ₹600 is left to pay.
        let r = allowed_range(&p, &points(5_000), &one_bill, &on_bill(40_000)).unwrap();
        assert_eq!((r.max, r.limited_by), (600, Limit::Bill));
        let e = check_redemption(&p, &points(5_000), q(601), &one_bill, &on_bill(40_000));
        assert_eq!(
            e,
            Err(RuleError::ExceedsBill {
                max: 600,
                bill_total: inr(100_000),
                left: inr(60_000)
            })
        );
        assert_eq!(
            e.unwrap_err().to_string(),
            "Only 600.00 INR of the bill of 1000.00 INR is left to pay: enter 600 or less"
        );
        assert_eq!(
            Earlier::left_on(&on_bill(40_000), one_bill.bill().unwrap()),
            inr(60_000)
        );
        // A voucher has no bill: nothing earlier limits it.
        assert!(
            check_redemption(&p, &points(5_000), q(1_000), &Purpose::Voucher, &fresh()).is_ok()
        );
    }

    /// Issue 12 item 3: three gift-card redemptions took ₹2,499.98 from a ₹2,000 bill with a
    /// 50% cap.
    #[test]
    fn s12_a_per_bill_cap_covers_every_earlier_redemption_on_the_bill() {
        let p = Policy {
            max_redeem_per_bill: Some(BillCap::Percent { percent: 50 }),
            ..Policy::default()
        };
        let one_bill = bill(200_000);
        let card = gift_card(1_000_000);
        let mut taken = 0;
        for _ in 0..3 {
            match check_redemption(&p, &card, q(83_333), &one_bill, &on_bill(taken)) {
                Ok(ok) => taken += ok.value.minor(),
                Err(e) => assert!(matches!(e, RuleError::ExceedsBillCap { .. }), "{e:?}"),
            }
        }
        assert!(taken <= 100_000, "₹{taken} of a ₹1,000 cap");
        let r = allowed_range(&p, &card, &one_bill, &on_bill(taken)).unwrap();
        assert_eq!((r.max, r.limited_by), (100_000 - taken, Limit::BillCap));
        assert_eq!(
            check_redemption(&p, &card, q(1), &one_bill, &on_bill(100_000)),
            Err(RuleError::BillCovered {
                limited_by: Limit::BillCap,
                bill_total: inr(200_000)
            })
        );
        assert_eq!(
            Problem::from(RuleError::BillCovered {
                limited_by: Limit::BillCap,
                bill_total: inr(200_000)
            })
            .code,
            crate::ErrorCode::ExceedsBillCap
        );
        assert_eq!(bill_cap(&p, one_bill.bill().unwrap()), Some(inr(100_000)));
    }

    /// Issue 12 item 5: 24 redemptions of 499 points with ₹500 set took 11,976 points
    /// without a code.
    #[test]
    fn s12_otp_min_value_covers_the_no_code_total() {
        let p = Policy {
            otp_min_value: inr(50_000),
            ..Policy::default()
        };
        let first = check_redemption(&p, &points(20_000), q(499), &bill(1_000_000), &fresh());
        assert!(!first.unwrap().otp_required);
        let earlier = Earlier {
            without_code: inr(49_900),
            ..fresh()
        };
        let second = check_redemption(&p, &points(20_000), q(499), &bill(1_000_000), &earlier);
        assert!(second.unwrap().otp_required, "₹499 + ₹499 is at least ₹500");
        assert!(p.otp_needed(InstrumentKind::Points, inr(1), inr(49_999)));
        assert!(!p.otp_needed(InstrumentKind::Points, inr(1), inr(49_998)));
        // Instruments that never need a code are not limited by it.
        assert!(!p.otp_needed(InstrumentKind::GiftCard, inr(1), inr(90_000)));
    }

    #[test]
    fn a_customer_s_points_are_worth_their_card_s_point_value_in_every_rule() {
        let p = Policy::default();
        let card = for_customer(&p, Some(inr(200)));
        assert_eq!(card.point_value, inr(200));
        assert_eq!(
            card.min_redeem_points, p.min_redeem_points,
            "the rest is the store's"
        );
        assert_eq!(
            value_of(&card, InstrumentKind::Points, inr(100), 10),
            Ok(inr(2_000))
        );
        assert_eq!(*for_customer(&p, None), p);
        let usd = Money::new(200, Currency::USD).unwrap();
        assert_eq!(
            for_customer(&p, Some(usd)).point_value,
            p.point_value,
            "not another currency"
        );
    }

    #[test]
    fn s12_points_earned_come_from_the_bill_and_the_earn_rate() {
        use crate::EarnRate;
        let mut p = Policy::default();
        // 1 point per ₹100.00, at most 1,000 points a bill.
        let b = |minor| bill(minor).bill().unwrap().clone();
        assert_eq!(points_earned(&EarnRate::of(&p, None), &b(250_000)), Ok(25));
        assert_eq!(points_earned(&EarnRate::of(&p, None), &b(9_999)), Ok(0));
        assert_eq!(
            points_earned(&EarnRate::of(&p, None), &b(100)),
            Ok(0),
            "a ₹1 bill earns nothing"
        );
        assert_eq!(
            points_earned(&EarnRate::of(&p, None), &b(900_000_000)),
            Ok(1_000),
            "capped per bill"
        );
        p.earn_points = 3;
        p.earn_per = inr(5_000);
        assert_eq!(points_earned(&EarnRate::of(&p, None), &b(100_000)), Ok(60));
        p.earn_points = 0;
        assert_eq!(points_earned(&EarnRate::of(&p, None), &b(100_000)), Ok(0));
        // A customer's card type earns at its own rate, under the store's cap.
        let gold = crate::CardType {
            id: "ct1".into(),
            name: "Gold".into(),
            customer_type: "GST".into(),
            earn_points: 5,
            earn_per: inr(10_000),
            point_value: inr(100),
        };
        assert_eq!(
            points_earned(&EarnRate::of(&p, Some(&gold)), &b(250_000)),
            Ok(125)
        );
        assert_eq!(
            points_earned(&EarnRate::of(&p, Some(&gold)), &b(900_000_000)),
            Ok(p.earn_cap_per_bill)
        );
        let usd = Bill::new(
            crate::BillId::parse("1").unwrap(),
            Money::new(100, Currency::USD).unwrap(),
        )
        .unwrap();
        assert_eq!(
            points_earned(&EarnRate::of(&p, None), &usd),
            Err(RuleError::CurrencyMismatch)
        );
    }

    #[test]
    fn a_reversal_is_the_posting_cashiers_within_the_window_else_a_managers() {
        let p = Policy::default(); // 30 minutes
        let min = 60_000;
        assert_eq!(may_reverse(&p, false, true, 29 * min), Ok(()));
        assert_eq!(
            may_reverse(&p, false, true, 31 * min),
            Err(ReversalRefusal::WindowPassed { window_secs: 1_800 })
        );
        assert_eq!(
            may_reverse(&p, false, false, 1),
            Err(ReversalRefusal::NotThePoster)
        );
        assert_eq!(may_reverse(&p, true, false, 90 * min), Ok(()));
        assert_eq!(
            ReversalRefusal::WindowPassed { window_secs: 1_800 }.to_string(),
            "More than 30 min has passed since this was redeemed: only a manager can reverse it now"
        );
        assert_eq!(duration_words(5_400), "1 h 30 min");
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
            if let Ok(r) = allowed_range(&p, &points(available), &purpose, &fresh()) {
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
                prop_assert!(check_redemption(&p, &points(available), q(r.min), &purpose, &fresh()).is_ok());
                prop_assert!(check_redemption(&p, &points(available), q(r.max), &purpose, &fresh()).is_ok());
                prop_assert!(check_redemption(&p, &points(available), q(r.max + 1), &purpose, &fresh()).is_err());
            }
        }

        #[test]
        fn s12_earlier_redemptions_and_the_range_never_exceed_the_bill_or_cap(
            p in policy_strategy(), total in 1u64..50_000_000, earlier in 0u64..60_000_000,
        ) {
            let purpose = bill(total);
            let e = on_bill(earlier);
            if let Ok(r) = allowed_range(&p, &points(10_000_000), &purpose, &e) {
                let after = p.point_value.minor() * r.max + earlier;
                prop_assert!(after <= total);
                if let Some(cap) = bill_cap(&p, purpose.bill().unwrap()) {
                    prop_assert!(after <= cap.minor());
                }
                prop_assert!(check_redemption(&p, &points(10_000_000), q(r.max), &purpose, &e).is_ok());
                prop_assert!(check_redemption(&p, &points(10_000_000), q(r.max + 1), &purpose, &e).is_err());
            }
        }

        #[test]
        fn value_is_points_times_point_value_exactly(
            p in policy_strategy(), n in 1u64..1_000_000,
        ) {
            if let Ok(ok) = check_redemption(&p, &points(n), q(n), &Purpose::Voucher, &fresh()) {
                prop_assert_eq!(ok.value.minor(), n * p.point_value.minor());
                prop_assert_eq!(ok.value.currency(), p.currency);
            }
        }
    }
}
