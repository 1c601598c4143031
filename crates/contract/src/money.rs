//! Money in integer minor units with its currency. Never floats: ₹500.25 is 50025 paise.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code (three ASCII capitals), e.g. `INR`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "INR"))]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    /// Not a three-letter ISO 4217 code.
    BadCurrency(String),
    Empty,
    /// Something other than digits, one decimal separator and grouping commas.
    NotANumber,
    Negative,
    /// More decimals than the currency has (e.g. ₹1.234).
    TooManyDecimals {
        allowed: u32,
    },
    TooLarge,
    CurrencyMismatch {
        expected: Currency,
        found: Currency,
    },
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyError::BadCurrency(c) => {
                write!(f, "\"{c}\" is not a currency code (use e.g. INR, IDR, USD)")
            }
            MoneyError::Empty => f.write_str("Enter an amount"),
            MoneyError::NotANumber => f.write_str("Enter the amount as digits, e.g. 1250.50"),
            MoneyError::Negative => f.write_str("The amount cannot be negative"),
            MoneyError::TooManyDecimals { allowed: 0 } => {
                f.write_str("This currency has no decimals")
            }
            MoneyError::TooManyDecimals { allowed } => write!(f, "Use at most {allowed} decimals"),
            MoneyError::TooLarge => f.write_str("The amount is too large"),
            MoneyError::CurrencyMismatch { expected, found } => {
                write!(f, "Expected an amount in {expected}, got {found}")
            }
        }
    }
}
impl std::error::Error for MoneyError {}

impl Currency {
    pub const INR: Currency = Currency(*b"INR");
    pub const IDR: Currency = Currency(*b"IDR");
    pub const USD: Currency = Currency(*b"USD");

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let b = code.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_uppercase) {
            Ok(Currency([b[0], b[1], b[2]]))
        } else {
            Err(MoneyError::BadCurrency(code.to_string()))
        }
    }

    pub fn code(&self) -> &str {
        // Only ASCII capitals can be stored (see `parse`).
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How people write this currency around an amount: its symbol(s) and its code. A typed
    /// amount may carry one of them ("₹1,000.00", "Rs. 1,000", "1000 INR").
    pub fn signs(&self) -> &'static [&'static str] {
        match &self.0 {
            b"INR" => &["₹", "Rs.", "Rs", "INR"],
            b"USD" => &["US$", "$", "USD"],
            b"EUR" => &["€", "EUR"],
            b"GBP" => &["£", "GBP"],
            b"JPY" => &["¥", "JPY"],
            b"AED" => &["AED", "د.إ"],
            b"SGD" => &["S$", "SGD"],
            _ => &[],
        }
    }

    /// ISO 4217 minor-unit exponent.
    pub fn minor_digits(&self) -> u32 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            _ => 2,
        }
    }
}

/// Whether the commas in `s` only group digits of its whole part: the last group has three
/// digits, the others two or three (1,000 · 10,00,000 · 1,000,000), the first one to three,
/// and the fraction none.
fn grouped_well(s: &str) -> bool {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.contains(',') {
        return false;
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let n = groups.len();
    n == 1
        || groups.iter().enumerate().all(|(i, g)| match i {
            0 => (1..=3).contains(&g.len()),
            i if i == n - 1 => g.len() == 3,
            _ => (2..=3).contains(&g.len()),
        })
}

/// `s` without one leading or trailing sign of `currency` (case-insensitive, spaces around).
fn strip_sign(s: &str, currency: Currency) -> &str {
    for sign in currency.signs() {
        let n = sign.len();
        if s.len() > n && s.is_char_boundary(n) && s[..n].eq_ignore_ascii_case(sign) {
            return s[n..].trim();
        }
        let cut = s.len().saturating_sub(n);
        if s.len() > n && s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(sign) {
            return s[..cut].trim();
        }
    }
    s
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::parse(&s)
    }
}
impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}
impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A non-negative amount in minor units (paise, cents, rupiah sen).
///
/// Amounts in this domain are magnitudes (a bill total, a redeemed value, a balance), so a
/// negative value is unrepresentable; direction lives in the operation (debit, reversal).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MoneyWire")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// Integer minor units: 50025 INR is ₹500.25.
    minor: u64,
    currency: Currency,
}

#[derive(Deserialize)]
struct MoneyWire {
    minor: u64,
    currency: Currency,
}
impl TryFrom<MoneyWire> for Money {
    type Error = MoneyError;
    fn try_from(w: MoneyWire) -> Result<Self, Self::Error> {
        Money::new(w.minor, w.currency)
    }
}

/// The largest amount accepted anywhere: 10^15 minor units. Far beyond any bill, and small
/// enough that sums and products of two in-range values cannot overflow u64 unchecked paths.
pub const MAX_MINOR: u64 = 1_000_000_000_000_000;

impl Money {
    pub fn new(minor: u64, currency: Currency) -> Result<Self, MoneyError> {
        if minor > MAX_MINOR {
            return Err(MoneyError::TooLarge);
        }
        Ok(Money { minor, currency })
    }

    pub fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    pub fn minor(&self) -> u64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }

    /// Parses what a person types: `1250`, `1250.5`, `1,250.50`. The decimal separator is
    /// `.`; commas are accepted only as grouping. Negative, fractional beyond the currency's
    /// minor digits, or absurdly large amounts are refused.
    pub fn parse(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        // The store's own currency sign or code before or after the amount is what a cashier
        // copies from a bill ("₹1,000.00"): it says nothing the currency does not.
        let s = strip_sign(s, currency);
        if s.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        // Commas only group the whole part's digits (1,000 or the Indian 1,00,000): a comma
        // used as a decimal mark ("12,50") must not become 1250.
        if !grouped_well(s) {
            return Err(MoneyError::NotANumber);
        }
        let s: String = s.chars().filter(|c| *c != ',').collect();
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s.as_str(), ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(MoneyError::NotANumber);
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotANumber);
        }
        let digits = currency.minor_digits();
        let frac = frac.trim_end_matches('0');
        if frac.len() as u32 > digits {
            return Err(MoneyError::TooManyDecimals { allowed: digits });
        }
        let whole_value: u64 = if whole.is_empty() {
            0
        } else if whole.len() > 16 {
            return Err(MoneyError::TooLarge);
        } else {
            whole.parse().map_err(|_| MoneyError::TooLarge)?
        };
        let mut frac_value: u64 = 0;
        for i in 0..digits as usize {
            let d = frac.as_bytes().get(i).map_or(0, |b| u64::from(b - b'0'));
            frac_value = frac_value * 10 + d;
        }
        let minor = whole_value
            .checked_mul(10u64.pow(digits))
            .and_then(|m| m.checked_add(frac_value))
            .ok_or(MoneyError::TooLarge)?;
        Money::new(minor, currency)
    }

    /// `self × n`, exact, or `TooLarge`.
    pub fn times(&self, n: u64) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_mul(n).ok_or(MoneyError::TooLarge)?;
        Money::new(minor, self.currency)
    }

    pub fn checked_add(&self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Money::new(
            self.minor
                .checked_add(other.minor)
                .ok_or(MoneyError::TooLarge)?,
            self.currency,
        )
    }

    /// `self - other`, or `None` when other is larger.
    pub fn checked_sub(&self, other: Money) -> Result<Option<Money>, MoneyError> {
        self.same_currency(other)?;
        Ok(self.minor.checked_sub(other.minor).map(|minor| Money {
            minor,
            currency: self.currency,
        }))
    }

    pub fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                expected: self.currency,
                found: other.currency,
            })
        }
    }

    /// Plain decimal form with the currency code, e.g. `500.25 INR`. The browser formats
    /// for people through Intl.NumberFormat; this form is for logs, receipts and messages.
    pub fn to_decimal_string(&self) -> String {
        let digits = self.currency.minor_digits();
        if digits == 0 {
            return self.minor.to_string();
        }
        let scale = 10u64.pow(digits);
        format!(
            "{}.{:0width$}",
            self.minor / scale,
            self.minor % scale,
            width = digits as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}
impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inr(minor: u64) -> Money {
        Money::new(minor, Currency::INR).unwrap()
    }

    #[test]
    fn currency_codes_are_three_capitals() {
        assert_eq!(Currency::parse("INR").unwrap(), Currency::INR);
        for bad in ["inr", "IN", "INRR", "", "I1R", "ÍNR"] {
            assert!(
                matches!(Currency::parse(bad), Err(MoneyError::BadCurrency(_))),
                "{bad}"
            );
        }
        assert_eq!(Currency::parse("JPY").unwrap().minor_digits(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().minor_digits(), 3);
        assert_eq!(Currency::IDR.minor_digits(), 2);
    }

    /// A total copied from a printed bill carries the store's currency sign (issue 13):
    /// "₹1,000.00" reads as "1,000.00" does; another currency's sign is still refused.
    #[test]
    fn the_stores_own_currency_sign_may_come_with_the_amount() {
        for typed in [
            "₹1,000.00",
            "₹ 1000",
            "Rs. 1,000",
            "rs 1000",
            "1,000.00 INR",
            "INR1000",
        ] {
            assert_eq!(
                Money::parse(typed, Currency::INR),
                Ok(inr(100_000)),
                "{typed}"
            );
        }
        for typed in ["$1,000", "1000 USD", "€5", "₹", "Rs.", "₹₹5", "₹-5"] {
            assert!(Money::parse(typed, Currency::INR).is_err(), "{typed}");
        }
        // A comma is a grouping mark only: "12,50 €" is not €1,250.00.
        let eur = Currency::parse("EUR").unwrap();
        for typed in [
            "12,50 €",
            "1.000,00 €",
            "12,50",
            "1,0000",
            "1,00.5,0",
            ",100",
        ] {
            assert!(Money::parse(typed, eur).is_err(), "{typed}");
        }
        for (typed, minor) in [
            ("1,00,000", 10_000_000),
            ("1,000,000.50", 100_000_050),
            ("12,345", 1_234_500),
        ] {
            assert_eq!(
                Money::parse(typed, Currency::INR).unwrap().minor(),
                minor,
                "{typed}"
            );
        }
        assert_eq!(
            Money::parse("$12.50", Currency::parse("USD").unwrap())
                .unwrap()
                .minor(),
            1250
        );
    }

    #[test]
    fn parses_typed_amounts_exactly() {
        assert_eq!(Money::parse("1250", Currency::INR).unwrap(), inr(125_000));
        assert_eq!(
            Money::parse("1,250.5", Currency::INR).unwrap(),
            inr(125_050)
        );
        assert_eq!(Money::parse(" 0.01 ", Currency::INR).unwrap(), inr(1));
        assert_eq!(Money::parse(".5", Currency::INR).unwrap(), inr(50));
        assert_eq!(Money::parse("3.10", Currency::INR).unwrap(), inr(310));
        assert_eq!(
            Money::parse("15000", Currency::parse("JPY").unwrap())
                .unwrap()
                .minor(),
            15_000
        );
    }

    #[test]
    fn refuses_bad_amounts_with_a_reason() {
        let c = Currency::INR;
        assert_eq!(Money::parse("", c), Err(MoneyError::Empty));
        assert_eq!(Money::parse("-5", c), Err(MoneyError::Negative));
        assert_eq!(
            Money::parse("1.234", c),
            Err(MoneyError::TooManyDecimals { allowed: 2 })
        );
        assert_eq!(Money::parse("12a", c), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("1.2.3", c), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("٣", c), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse(".", c), Err(MoneyError::NotANumber));
        assert_eq!(
            Money::parse("99999999999999999999", c),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(Money::new(MAX_MINOR + 1, c), Err(MoneyError::TooLarge));
    }

    #[test]
    fn arithmetic_is_checked_and_currency_safe() {
        assert_eq!(inr(150).times(3).unwrap(), inr(450));
        assert_eq!(inr(MAX_MINOR).times(2), Err(MoneyError::TooLarge));
        assert_eq!(inr(100).checked_sub(inr(30)).unwrap(), Some(inr(70)));
        assert_eq!(inr(10).checked_sub(inr(30)).unwrap(), None);
        let usd = Money::new(1, Currency::USD).unwrap();
        assert!(matches!(
            inr(1).checked_add(usd),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn decimal_string_pads_minor_units() {
        assert_eq!(inr(50_005).to_decimal_string(), "500.05");
        assert_eq!(inr(7).to_string(), "0.07 INR");
    }

    #[test]
    fn serde_shape_is_minor_and_code() {
        let json = serde_json::to_string(&inr(50_025)).unwrap();
        assert_eq!(json, r#"{"minor":50025,"currency":"INR"}"#);
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"rupee"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"minor":-1,"currency":"INR"}"#).is_err());
        let too_big = format!(r#"{{"minor":{},"currency":"INR"}}"#, MAX_MINOR + 1);
        assert!(serde_json::from_str::<Money>(&too_big).is_err());
    }
}
