//! The bill a redemption is applied to (SPEC §4 step 1). Parsed once, here, for the till's
//! form, the widget's host config and the backend: a [`Bill`] cannot hold an invalid number or
//! a zero total.

use crate::money::{Currency, Money, MoneyError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest bill number a POS may print.
pub const MAX_ID_LEN: usize = 40;

/// What is wrong with a bill number or total.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum BillError {
    MissingId,
    /// Not 1–40 visible ASCII characters (a space, a control or a non-ASCII character).
    BadId,
    MissingTotal,
    ZeroTotal,
    /// The total as typed is not an amount.
    Total(MoneyError),
}

impl BillError {
    /// The bill's part at fault: `"id"` or `"total"`.
    pub fn part(&self) -> &'static str {
        match self {
            BillError::MissingId | BillError::BadId => "id",
            _ => "total",
        }
    }
}

impl fmt::Display for BillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BillError::MissingId => f.write_str("Enter the bill number"),
            BillError::BadId => write!(
                f,
                "A bill number has 1 to {MAX_ID_LEN} letters, digits or symbols, without spaces"
            ),
            BillError::MissingTotal => f.write_str("Enter the bill total"),
            BillError::ZeroTotal => f.write_str("The bill total must be more than zero"),
            BillError::Total(e) => e.fmt(f),
        }
    }
}
impl std::error::Error for BillError {}

/// A POS bill or invoice number: 1–40 visible ASCII characters.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "INV-1042", pattern = "^[!-~]{1,40}$"))]
pub struct BillId(String);

impl BillId {
    /// Reads a bill number as typed (surrounding spaces are dropped).
    pub fn parse(input: &str) -> Result<Self, BillError> {
        let s = input.trim();
        if s.is_empty() {
            Err(BillError::MissingId)
        } else if s.len() <= MAX_ID_LEN && s.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(BillId(s.to_string()))
        } else {
            Err(BillError::BadId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BillId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for BillId {
    type Error = BillError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        BillId::parse(&s)
    }
}

impl From<BillId> for String {
    fn from(id: BillId) -> String {
        id.0
    }
}

/// The bill the redeemed value is applied to: a valid number and a total above zero.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(try_from = "BillWire")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bill {
    /// The POS's own bill or invoice number.
    id: BillId,
    /// More than zero.
    total: Money,
}

/// The wire form before the total is checked.
#[derive(Deserialize)]
struct BillWire {
    id: BillId,
    total: Money,
}

impl TryFrom<BillWire> for Bill {
    type Error = BillError;
    fn try_from(w: BillWire) -> Result<Self, Self::Error> {
        Bill::new(w.id, w.total)
    }
}

/// Every problem with a typed bill, one per part, so both fields are marked at once.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct BillErrors {
    pub id: Option<BillError>,
    pub total: Option<BillError>,
}

impl Bill {
    pub fn new(id: BillId, total: Money) -> Result<Self, BillError> {
        if total.is_zero() {
            return Err(BillError::ZeroTotal);
        }
        Ok(Bill { id, total })
    }

    /// Reads a bill as a cashier or a host page gives it: the number and the total as text,
    /// in the store's currency. Reports the number's and the total's problem together.
    pub fn parse(id: &str, total: &str, currency: Currency) -> Result<Self, BillErrors> {
        let id = BillId::parse(id);
        let total = Money::parse(total, currency).map_err(|e| match e {
            MoneyError::Empty => BillError::MissingTotal,
            e => BillError::Total(e),
        });
        Bill::from_parts(id, total)
    }

    /// Joins a separately read number and total (e.g. a host page's JSON number), with both
    /// problems reported.
    pub fn from_parts(
        id: Result<BillId, BillError>,
        total: Result<Money, BillError>,
    ) -> Result<Self, BillErrors> {
        let total = total.and_then(|t| {
            if t.is_zero() {
                Err(BillError::ZeroTotal)
            } else {
                Ok(t)
            }
        });
        match (id, total) {
            (Ok(id), Ok(total)) => Ok(Bill { id, total }),
            (id, total) => Err(BillErrors {
                id: id.err(),
                total: total.err(),
            }),
        }
    }

    pub fn id(&self) -> &BillId {
        &self.id
    }

    pub fn total(&self) -> Money {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inr(minor: u64) -> Money {
        Money::new(minor, Currency::INR).unwrap()
    }

    #[test]
    fn bill_numbers_are_visible_ascii_up_to_40() {
        assert_eq!(
            BillId::parse("  INV-2024/0042 ").unwrap().as_str(),
            "INV-2024/0042"
        );
        assert_eq!(BillId::parse(" "), Err(BillError::MissingId));
        assert_eq!(BillId::parse("12 34"), Err(BillError::BadId));
        assert_eq!(BillId::parse("१२३"), Err(BillError::BadId));
        assert!(BillId::parse(&"9".repeat(40)).is_ok());
        assert_eq!(BillId::parse(&"9".repeat(41)), Err(BillError::BadId));
    }

    #[test]
    fn a_typed_bill_reports_both_parts() {
        let b = Bill::parse("123", "1,000.50", Currency::INR).unwrap();
        assert_eq!((b.id().as_str(), b.total()), ("123", inr(100_050)));
        let e = Bill::parse("", "0", Currency::INR).unwrap_err();
        assert_eq!(
            (e.id, e.total),
            (Some(BillError::MissingId), Some(BillError::ZeroTotal))
        );
        let e = Bill::parse("1 2", "", Currency::INR).unwrap_err();
        assert_eq!(
            (e.id, e.total),
            (Some(BillError::BadId), Some(BillError::MissingTotal))
        );
        assert_eq!(
            BillError::BadId.to_string(),
            "A bill number has 1 to 40 letters, digits or symbols, without spaces"
        );
    }

    #[test]
    fn the_wire_refuses_a_zero_total_and_a_bad_number() {
        let ok: Bill =
            serde_json::from_str(r#"{"id":"7","total":{"minor":100,"currency":"INR"}}"#).unwrap();
        assert_eq!(ok.total(), inr(100));
        assert_eq!(
            serde_json::to_value(&ok).unwrap(),
            serde_json::json!({"id":"7","total":{"minor":100,"currency":"INR"}})
        );
        for bad in [
            r#"{"id":"7","total":{"minor":0,"currency":"INR"}}"#,
            r#"{"id":"7 8","total":{"minor":100,"currency":"INR"}}"#,
            r#"{"id":"","total":{"minor":100,"currency":"INR"}}"#,
        ] {
            assert!(serde_json::from_str::<Bill>(bad).is_err(), "{bad}");
        }
    }
}
