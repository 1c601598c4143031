//! How much of an instrument to redeem: a whole, positive, sane number of units.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A positive whole number of units (points, sessions, uses, or minor currency units for
/// credit instruments), at most [`Quantity::MAX`]. Zero, negative, fractional and absurd
/// values cannot be represented.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = u64, description = "1 to 10^12"))]
pub struct Quantity(u64);

/// A quantity of loyalty points.
pub type Points = Quantity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantityError {
    Empty,
    Negative,
    Zero,
    Fractional,
    NotANumber,
    TooLarge,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QuantityError::Empty => "Enter how many to redeem",
            QuantityError::Negative => "The quantity cannot be negative",
            QuantityError::Zero => "Redeem at least 1",
            QuantityError::Fractional => "Use whole numbers only",
            QuantityError::NotANumber => "Use digits only, e.g. 500",
            QuantityError::TooLarge => "That number is far too large",
        })
    }
}
impl std::error::Error for QuantityError {}

impl Quantity {
    /// 10^12 units: more than any real balance, small enough that value = quantity × unit
    /// value is checked rather than silently wrapped.
    pub const MAX: u64 = 1_000_000_000_000;

    pub fn new(n: u64) -> Result<Self, QuantityError> {
        match n {
            0 => Err(QuantityError::Zero),
            n if n > Self::MAX => Err(QuantityError::TooLarge),
            n => Ok(Quantity(n)),
        }
    }

    pub fn get(&self) -> u64 {
        self.0
    }

    /// Parses what a cashier types. Grouping commas and surrounding spaces are allowed
    /// ("1,500"); signs, decimals, exponents and non-ASCII digits are not.
    pub fn parse(input: &str) -> Result<Self, QuantityError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(QuantityError::Empty);
        }
        if s.starts_with('-') || s.starts_with('\u{2212}') {
            return Err(QuantityError::Negative);
        }
        let s: String = s.chars().filter(|c| *c != ',').collect();
        if let Some((whole, frac)) = s.split_once('.') {
            let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
            if digits(whole) && digits(frac) && !(whole.is_empty() && frac.is_empty()) {
                // "500.0" is still a whole number of points, but a cashier typing a
                // decimal point signals confusion about units: refuse unless it is exact.
                if frac.bytes().all(|b| b == b'0') && !whole.is_empty() {
                    return Self::parse(whole);
                }
                return Err(QuantityError::Fractional);
            }
            return Err(QuantityError::NotANumber);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(QuantityError::NotANumber);
        }
        let trimmed = s.trim_start_matches('0');
        if trimmed.is_empty() {
            return Err(QuantityError::Zero);
        }
        if trimmed.len() > 13 {
            return Err(QuantityError::TooLarge);
        }
        Self::new(trimmed.parse().map_err(|_| QuantityError::TooLarge)?)
    }
}

impl TryFrom<u64> for Quantity {
    type Error = QuantityError;
    fn try_from(n: u64) -> Result<Self, Self::Error> {
        Quantity::new(n)
    }
}
impl From<Quantity> for u64 {
    fn from(q: Quantity) -> u64 {
        q.0
    }
}
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl fmt::Debug for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_whole_positive_numbers() {
        assert_eq!(Quantity::parse("500").unwrap().get(), 500);
        assert_eq!(Quantity::parse(" 1,500 ").unwrap().get(), 1500);
        assert_eq!(Quantity::parse("007").unwrap().get(), 7);
        assert_eq!(Quantity::parse("250.00").unwrap().get(), 250);
    }

    #[test]
    fn every_bad_quantity_has_its_own_error() {
        assert_eq!(Quantity::parse(""), Err(QuantityError::Empty));
        assert_eq!(Quantity::parse("   "), Err(QuantityError::Empty));
        assert_eq!(Quantity::parse("-5"), Err(QuantityError::Negative));
        assert_eq!(Quantity::parse("\u{2212}5"), Err(QuantityError::Negative));
        assert_eq!(Quantity::parse("0"), Err(QuantityError::Zero));
        assert_eq!(Quantity::parse("000"), Err(QuantityError::Zero));
        assert_eq!(Quantity::parse("12.5"), Err(QuantityError::Fractional));
        assert_eq!(Quantity::parse(".5"), Err(QuantityError::Fractional));
        assert_eq!(Quantity::parse("1e3"), Err(QuantityError::NotANumber));
        assert_eq!(Quantity::parse("abc"), Err(QuantityError::NotANumber));
        assert_eq!(Quantity::parse("+5"), Err(QuantityError::NotANumber));
        assert_eq!(Quantity::parse("５００"), Err(QuantityError::NotANumber));
        assert_eq!(Quantity::parse("1.2.3"), Err(QuantityError::NotANumber));
        assert_eq!(
            Quantity::parse("99999999999999999999999"),
            Err(QuantityError::TooLarge)
        );
        assert_eq!(
            Quantity::parse("1000000000001"),
            Err(QuantityError::TooLarge)
        );
        assert_eq!(Quantity::new(0), Err(QuantityError::Zero));
    }

    #[test]
    fn wire_form_is_a_checked_integer() {
        assert_eq!(
            serde_json::to_string(&Quantity::new(42).unwrap()).unwrap(),
            "42"
        );
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert!(serde_json::from_str::<Quantity>("-3").is_err());
        assert!(serde_json::from_str::<Quantity>("2.5").is_err());
        assert!(serde_json::from_str::<Quantity>("1000000000001").is_err());
    }

    proptest! {
        #[test]
        fn any_in_range_number_round_trips(n in 1u64..=Quantity::MAX) {
            prop_assert_eq!(Quantity::parse(&n.to_string()).unwrap().get(), n);
        }

        #[test]
        fn parse_never_panics_and_only_accepts_in_range(s in "\\PC{0,24}") {
            if let Ok(q) = Quantity::parse(&s) {
                prop_assert!(q.get() >= 1 && q.get() <= Quantity::MAX);
            }
        }
    }
}
