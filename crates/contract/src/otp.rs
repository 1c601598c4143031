//! One-time passwords as typed by the cashier. The backend generates them; this module only
//! decides whether typed input can be a code at all, so a malformed code never costs the
//! customer an attempt.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Number of digits in a code: 6 to 10 (NIST SP 800-63B asks for at least 6).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = u8, description = "6 to 10"))]
pub struct OtpLength(u8);

impl OtpLength {
    pub const MIN: u8 = 6;
    pub const MAX: u8 = 10;
    pub const DEFAULT: OtpLength = OtpLength(6);

    pub fn new(n: u8) -> Result<Self, OtpError> {
        if (Self::MIN..=Self::MAX).contains(&n) {
            Ok(OtpLength(n))
        } else {
            Err(OtpError::BadLength(n))
        }
    }
    pub fn get(&self) -> u8 {
        self.0
    }
}
impl TryFrom<u8> for OtpLength {
    type Error = OtpError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        OtpLength::new(n)
    }
}
impl From<OtpLength> for u8 {
    fn from(l: OtpLength) -> u8 {
        l.0
    }
}
impl fmt::Debug for OtpLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtpError {
    Empty,
    /// Contains a space or other whitespace inside the code.
    Whitespace,
    /// Contains letters or symbols.
    NotDigits,
    /// Contains digits from another script (e.g. Arabic-Indic or full-width digits).
    NonAsciiDigits,
    TooShort {
        expected: u8,
    },
    TooLong {
        expected: u8,
    },
    /// An OTP length outside 6..=10 in configuration.
    BadLength(u8),
}

impl fmt::Display for OtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OtpError::Empty => f.write_str("Enter the code the customer received"),
            OtpError::Whitespace => f.write_str("The code has no spaces: type the digits only"),
            OtpError::NotDigits => f.write_str("The code is digits only: no letters or symbols"),
            OtpError::NonAsciiDigits => f.write_str(
                "Type the code with the digits 0–9 (switch the keyboard to English digits)",
            ),
            OtpError::TooShort { expected } => {
                write!(f, "The code has {expected} digits: some are missing")
            }
            OtpError::TooLong { expected } => {
                write!(f, "The code has {expected} digits: there are too many")
            }
            OtpError::BadLength(n) => write!(
                f,
                "A code must have {} to {} digits, not {n}",
                OtpLength::MIN,
                OtpLength::MAX
            ),
        }
    }
}
impl std::error::Error for OtpError {}

/// A code that is well-formed: 6–10 ASCII digits. Whether it is *right* only the backend knows.
///
/// `Debug` is redacted and there is no `Display`, so a code cannot slip into a log line by
/// formatting (SPEC S1).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, pattern = "^[0-9]{6,10}$"))]
pub struct OtpCode(String);

impl OtpCode {
    /// Accepts a code of exactly `length` digits. Leading and trailing whitespace from a
    /// paste is forgiven; whitespace inside is not, because it usually means a mistyped code.
    pub fn parse(input: &str, length: OtpLength) -> Result<Self, OtpError> {
        let code = Self::parse_any_length(input)?;
        let expected = length.get();
        match code.0.len() as u8 {
            n if n < expected => Err(OtpError::TooShort { expected }),
            n if n > expected => Err(OtpError::TooLong { expected }),
            _ => Ok(code),
        }
    }

    /// Accepts any well-formed code of 6–10 digits (the length check against policy is
    /// separate so a server can answer "wrong length" before touching its state).
    pub fn parse_any_length(input: &str) -> Result<Self, OtpError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(OtpError::Empty);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(OtpError::Whitespace);
        }
        if s.chars().any(|c| c.is_numeric() && !c.is_ascii_digit()) {
            return Err(OtpError::NonAsciiDigits);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(OtpError::NotDigits);
        }
        match s.len() {
            n if n < OtpLength::MIN as usize => Err(OtpError::TooShort {
                expected: OtpLength::MIN,
            }),
            n if n > OtpLength::MAX as usize => Err(OtpError::TooLong {
                expected: OtpLength::MAX,
            }),
            _ => Ok(OtpCode(s.to_string())),
        }
    }

    /// The digits, for hashing or delivery. Deliberately named so every use stands out.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<String> for OtpCode {
    type Error = OtpError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        OtpCode::parse_any_length(&s)
    }
}
impl From<OtpCode> for String {
    fn from(c: OtpCode) -> String {
        c.0
    }
}
impl fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OtpCode(<{} digits redacted>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SIX: OtpLength = OtpLength::DEFAULT;

    #[test]
    fn accepts_exact_digits_and_forgives_outer_whitespace() {
        assert_eq!(OtpCode::parse("123456", SIX).unwrap().expose(), "123456");
        assert_eq!(OtpCode::parse(" 012345\n", SIX).unwrap().expose(), "012345");
        let eight = OtpLength::new(8).unwrap();
        assert_eq!(OtpCode::parse("12345678", eight).unwrap().len(), 8);
    }

    #[test]
    fn rejects_every_malformed_code_with_its_reason() {
        assert_eq!(OtpCode::parse("", SIX), Err(OtpError::Empty));
        assert_eq!(OtpCode::parse("123 456", SIX), Err(OtpError::Whitespace));
        assert_eq!(OtpCode::parse("12345a", SIX), Err(OtpError::NotDigits));
        assert_eq!(OtpCode::parse("12-456", SIX), Err(OtpError::NotDigits));
        assert_eq!(OtpCode::parse("١٢٣٤٥٦", SIX), Err(OtpError::NonAsciiDigits));
        assert_eq!(
            OtpCode::parse("１２３４５６", SIX),
            Err(OtpError::NonAsciiDigits)
        );
        assert_eq!(OtpCode::parse("१२३४५६", SIX), Err(OtpError::NonAsciiDigits));
        assert_eq!(
            OtpCode::parse("12345", SIX),
            Err(OtpError::TooShort { expected: 6 })
        );
        assert_eq!(
            OtpCode::parse("1234567", SIX),
            Err(OtpError::TooLong { expected: 6 })
        );
        assert_eq!(
            OtpCode::parse_any_length("12345678901"),
            Err(OtpError::TooLong { expected: 10 })
        );
    }

    #[test]
    fn length_bounds_are_six_to_ten() {
        assert!(OtpLength::new(5).is_err());
        assert!(OtpLength::new(6).is_ok());
        assert!(OtpLength::new(10).is_ok());
        assert_eq!(OtpLength::new(11), Err(OtpError::BadLength(11)));
        assert!(serde_json::from_str::<OtpLength>("4").is_err());
    }

    #[test]
    fn debug_never_shows_the_digits() {
        let code = OtpCode::parse("987654", SIX).unwrap();
        let shown = format!("{code:?}");
        assert!(!shown.contains("987654"), "{shown}");
    }

    #[test]
    fn wire_form_is_validated() {
        assert!(serde_json::from_str::<OtpCode>("\"12a456\"").is_err());
        assert_eq!(
            serde_json::from_str::<OtpCode>("\"123456\"")
                .unwrap()
                .expose(),
            "123456"
        );
    }

    proptest! {
        #[test]
        fn accepted_codes_are_exactly_ascii_digits_of_the_length(s in "\\PC{0,14}", n in 6u8..=10) {
            let len = OtpLength::new(n).unwrap();
            if let Ok(code) = OtpCode::parse(&s, len) {
                prop_assert_eq!(code.len(), n as usize);
                prop_assert!(code.expose().bytes().all(|b| b.is_ascii_digit()));
            }
        }

        #[test]
        fn every_digit_string_of_the_length_is_accepted(s in "[0-9]{6,10}") {
            let len = OtpLength::new(s.len() as u8).unwrap();
            let code = OtpCode::parse(&s, len).unwrap();
            prop_assert_eq!(code.expose(), s.as_str());
        }
    }
}
