//! How a customer is found and reached: mobile numbers (E.164), e-mail, loyalty cards, and
//! the masked forms a cashier may see.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a code can be delivered.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    Sms,
    Whatsapp,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Sms, Channel::Whatsapp, Channel::Email];

    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Whatsapp => "whatsapp",
            Channel::Email => "email",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Channel::Sms => "SMS",
            Channel::Whatsapp => "WhatsApp",
            Channel::Email => "Email",
        }
    }

    /// SMS and WhatsApp go to the mobile number; e-mail to the address.
    pub fn uses_mobile(&self) -> bool {
        !matches!(self, Channel::Email)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactError {
    Empty,
    /// A character that cannot be in a phone number.
    InvalidCharacter(char),
    TooShort,
    TooLong,
    /// The number does not fit the numbering plan of its country.
    NotAMobile {
        country: CallingCode,
    },
    BadCallingCode(String),
    BadEmail,
    BadCardNumber,
}

impl fmt::Display for ContactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContactError::Empty => f.write_str("Enter a mobile number"),
            ContactError::InvalidCharacter(c) => {
                write!(
                    f,
                    "\"{c}\" cannot be in a phone number: use digits, spaces or a leading +"
                )
            }
            ContactError::TooShort => f.write_str("The mobile number is too short"),
            ContactError::TooLong => f.write_str("The mobile number is too long"),
            ContactError::NotAMobile { country } => {
                write!(f, "That is not a valid mobile number for +{country}")
            }
            ContactError::BadCallingCode(c) => write!(f, "\"{c}\" is not a country calling code"),
            ContactError::BadEmail => f.write_str("That is not an e-mail address"),
            ContactError::BadCardNumber => {
                f.write_str("A loyalty card number has 6 to 20 letters or digits")
            }
        }
    }
}
impl std::error::Error for ContactError {}

/// A country calling code, 1–3 digits without the plus, e.g. `91` for India.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "91"))]
pub struct CallingCode(u16);

impl CallingCode {
    pub const INDIA: CallingCode = CallingCode(91);
    pub const INDONESIA: CallingCode = CallingCode(62);
    pub const NANP: CallingCode = CallingCode(1);

    pub fn parse(s: &str) -> Result<Self, ContactError> {
        let t = s.trim().trim_start_matches('+');
        if (1..=3).contains(&t.len())
            && t.bytes().all(|b| b.is_ascii_digit())
            && !t.starts_with('0')
        {
            Ok(CallingCode(
                t.parse()
                    .map_err(|_| ContactError::BadCallingCode(s.into()))?,
            ))
        } else {
            Err(ContactError::BadCallingCode(s.to_string()))
        }
    }
    pub fn get(&self) -> u16 {
        self.0
    }
}
impl TryFrom<String> for CallingCode {
    type Error = ContactError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CallingCode::parse(&s)
    }
}
impl From<CallingCode> for String {
    fn from(c: CallingCode) -> String {
        c.0.to_string()
    }
}
impl fmt::Display for CallingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl fmt::Debug for CallingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{}", self.0)
    }
}

/// A mobile number in E.164 form (`+919876543210`).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "+919876543210"))]
pub struct Mobile(String);

impl Mobile {
    /// Normalises what a person types. `+91 98765-43210`, `0091 9876543210`,
    /// `09876543210` and `9876543210` (with India as the store's country) all become
    /// `+919876543210`. Spaces, dashes, dots and brackets are ignored; anything else is refused.
    pub fn parse(input: &str, home: CallingCode) -> Result<Self, ContactError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ContactError::Empty);
        }
        let mut digits = String::with_capacity(16);
        let mut international = false;
        for (i, c) in s.chars().enumerate() {
            match c {
                '+' if i == 0 => international = true,
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
                other => return Err(ContactError::InvalidCharacter(other)),
            }
        }
        if !international {
            if let Some(rest) = digits.strip_prefix("00") {
                digits = rest.to_string();
            } else {
                let national = digits.strip_prefix('0').unwrap_or(&digits);
                digits = format!("{}{}", home.0, national);
            }
        }
        if digits.len() < 8 {
            return Err(ContactError::TooShort);
        }
        if digits.len() > 15 {
            return Err(ContactError::TooLong);
        }
        if digits.starts_with('0') {
            return Err(ContactError::BadCallingCode(digits[..1].to_string()));
        }
        check_numbering_plan(&digits)?;
        Ok(Mobile(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What a cashier may see: country code and the last four digits, `+91 ••••••3210`.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let cc_len = known_calling_code_len(digits);
        let (cc, national) = digits.split_at(cc_len);
        let keep = national.len().min(4);
        let hidden = national.len() - keep;
        format!("+{cc} {}{}", "•".repeat(hidden), &national[hidden..])
    }
}

/// Mobile ranges for the countries the product ships to first; other countries get the
/// general E.164 length check only.
fn check_numbering_plan(digits: &str) -> Result<(), ContactError> {
    let plan = |cc: CallingCode, lengths: std::ops::RangeInclusive<usize>, first: &[u8]| {
        let national = &digits[cc.0.to_string().len()..];
        let first_ok = national.bytes().next().is_some_and(|b| first.contains(&b));
        if lengths.contains(&national.len()) && first_ok {
            Ok(())
        } else if national.len() < *lengths.start() {
            Err(ContactError::TooShort)
        } else if national.len() > *lengths.end() {
            Err(ContactError::TooLong)
        } else {
            Err(ContactError::NotAMobile { country: cc })
        }
    };
    if digits.starts_with("91") {
        plan(CallingCode::INDIA, 10..=10, b"6789")
    } else if digits.starts_with("62") {
        plan(CallingCode::INDONESIA, 9..=12, b"8")
    } else if digits.starts_with('1') {
        plan(CallingCode::NANP, 10..=10, b"23456789")
    } else {
        Ok(())
    }
}

/// Length of the calling code at the start of an E.164 number, for display only.
fn known_calling_code_len(digits: &str) -> usize {
    const TWO: [&str; 12] = [
        "20", "27", "30", "31", "33", "34", "39", "44", "49", "60", "61", "62",
    ];
    const MORE_TWO: [&str; 10] = ["63", "64", "65", "66", "81", "82", "84", "86", "90", "91"];
    if digits.starts_with('1') || digits.starts_with('7') {
        1
    } else if TWO
        .iter()
        .chain(MORE_TWO.iter())
        .any(|p| digits.starts_with(p))
    {
        2
    } else {
        3
    }
}

impl TryFrom<String> for Mobile {
    type Error = ContactError;
    /// The wire form must already be E.164 (the home country does not apply).
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if !s.starts_with('+') {
            return Err(ContactError::TooShort);
        }
        Mobile::parse(&s, CallingCode::INDIA)
    }
}
impl From<Mobile> for String {
    fn from(m: Mobile) -> String {
        m.0
    }
}

/// An e-mail address, lower-cased domain, with a minimal structural check (the mailbox
/// proves itself by receiving the code).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "asha@example.com"))]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, ContactError> {
        let s = input.trim();
        let (local, domain) = s.split_once('@').ok_or(ContactError::BadEmail)?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
            && !domain.contains('@');
        if ok {
            Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
        } else {
            Err(ContactError::BadEmail)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// `a•••@example.com`
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or(("", &self.0));
        let first: String = local.chars().take(1).collect();
        format!("{first}•••@{domain}")
    }
}
impl TryFrom<String> for Email {
    type Error = ContactError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}
impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

/// A loyalty card number: 6–20 ASCII letters or digits, stored upper-case without the
/// spaces and dashes printed on cards.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "RG00012345"))]
pub struct CardNumber(String);

impl CardNumber {
    pub fn parse(input: &str) -> Result<Self, ContactError> {
        let s: String = input
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect();
        if (6..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(CardNumber(s.to_ascii_uppercase()))
        } else {
            Err(ContactError::BadCardNumber)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// `•••• 2345`
    pub fn masked(&self) -> String {
        format!("•••• {}", &self.0[self.0.len() - 4..])
    }
}
impl TryFrom<String> for CardNumber {
    type Error = ContactError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CardNumber::parse(&s)
    }
}
impl From<CardNumber> for String {
    fn from(c: CardNumber) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const IN: CallingCode = CallingCode::INDIA;

    #[test]
    fn normalises_the_ways_people_type_indian_mobiles() {
        for typed in [
            "+91 98765-43210",
            "0091 9876543210",
            "09876543210",
            "9876543210",
            "(987) 654.3210",
        ] {
            assert_eq!(
                Mobile::parse(typed, IN).unwrap().as_str(),
                "+919876543210",
                "{typed}"
            );
        }
    }

    #[test]
    fn other_countries_use_their_plans() {
        assert_eq!(
            Mobile::parse("0812-3456-7890", CallingCode::INDONESIA)
                .unwrap()
                .as_str(),
            "+6281234567890"
        );
        assert_eq!(
            Mobile::parse("(415) 555-0134", CallingCode::NANP)
                .unwrap()
                .as_str(),
            "+14155550134"
        );
        assert_eq!(
            Mobile::parse("+44 7700 900123", IN).unwrap().as_str(),
            "+447700900123"
        );
    }

    #[test]
    fn malformed_mobiles_say_what_is_wrong() {
        assert_eq!(Mobile::parse("", IN), Err(ContactError::Empty));
        assert_eq!(
            Mobile::parse("98765x3210", IN),
            Err(ContactError::InvalidCharacter('x'))
        );
        assert_eq!(
            Mobile::parse("98+7654321", IN),
            Err(ContactError::InvalidCharacter('+'))
        );
        assert_eq!(Mobile::parse("98765", IN), Err(ContactError::TooShort));
        assert_eq!(
            Mobile::parse("+1234567890123456", IN),
            Err(ContactError::TooLong)
        );
        assert_eq!(
            Mobile::parse("5876543210", IN),
            Err(ContactError::NotAMobile { country: IN })
        );
        assert_eq!(Mobile::parse("98765432101", IN), Err(ContactError::TooLong));
        assert_eq!(
            Mobile::parse("٩٨٧٦٥٤٣٢١٠", IN),
            Err(ContactError::InvalidCharacter('٩'))
        );
    }

    #[test]
    fn masks_hide_all_but_the_last_digits() {
        let m = Mobile::parse("9876543210", IN).unwrap();
        assert_eq!(m.masked(), "+91 ••••••3210");
        assert!(!m.masked().contains("98765"));
        assert_eq!(
            Email::parse("Asha.R@Example.COM").unwrap().masked(),
            "A•••@example.com"
        );
        assert_eq!(
            CardNumber::parse("rg-0001-2345").unwrap().masked(),
            "•••• 2345"
        );
    }

    #[test]
    fn emails_and_cards_are_checked() {
        assert!(Email::parse("asha@example.com").is_ok());
        for bad in [
            "asha",
            "@example.com",
            "asha@",
            "asha@example",
            "a b@example.com",
            "a@b..com",
            "a@@b.com",
        ] {
            assert_eq!(Email::parse(bad), Err(ContactError::BadEmail), "{bad}");
        }
        assert_eq!(
            CardNumber::parse("RG 0001 2345").unwrap().as_str(),
            "RG00012345"
        );
        for bad in ["12345", "RG_000123", "123456789012345678901", "ΑΒΓ12345"] {
            assert_eq!(
                CardNumber::parse(bad),
                Err(ContactError::BadCardNumber),
                "{bad}"
            );
        }
    }

    #[test]
    fn calling_codes() {
        assert_eq!(CallingCode::parse("+62").unwrap(), CallingCode::INDONESIA);
        for bad in ["", "0", "1234", "9a"] {
            assert!(CallingCode::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn accepted_mobiles_are_e164(s in "[+0-9 ()-]{0,20}") {
            if let Ok(m) = Mobile::parse(&s, IN) {
                let d = &m.as_str()[1..];
                prop_assert!(m.as_str().starts_with('+'));
                prop_assert!((8..=15).contains(&d.len()));
                prop_assert!(d.bytes().all(|b| b.is_ascii_digit()));
                // Normalising is idempotent.
                prop_assert_eq!(Mobile::parse(m.as_str(), IN).unwrap(), m.clone());
                prop_assert!(m.masked().ends_with(&d[d.len() - 4..]));
            }
        }
    }
}
