//! How typed text finds a customer (SPEC §4 step 2). One classifier for the till, the kiosk
//! and the backend, so what one of them finds the others find too: digits are tried as a
//! mobile number *and* as a numeric loyalty card, letters mixed with digits as a card, the
//! rest as part of a name (never at a self-service kiosk).

use crate::contact::{CallingCode, CardNumber, ContactError, Mobile};
use std::fmt;

/// The longest name fragment a search takes.
pub const MAX_NAME_CHARS: usize = 80;

/// Who is looking: staff may search by name; a customer at a kiosk only by their own number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Searcher {
    Staff,
    SelfService,
}

/// What typed text was read as.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Lookup {
    /// Only digits and phone punctuation: a mobile number, a numeric card number, or both.
    /// At least one of the two is valid; `mobile` keeps its problem for when no card matches.
    Number {
        typed: String,
        mobile: Result<Mobile, ContactError>,
        card: Option<CardNumber>,
    },
    /// Letters mixed with digits in the shape of a loyalty card number.
    Card(CardNumber),
    /// Part of a customer's name (staff only).
    Name(String),
}

/// One way to look a customer up; a [`Lookup`] yields one or two.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Key<'a> {
    Mobile(&'a Mobile),
    Card(&'a CardNumber),
    Name(&'a str),
}

impl Lookup {
    /// The text to send as the search query: the backend reads it back into this same lookup.
    pub fn query(&self) -> &str {
        match self {
            Lookup::Number { typed, .. } => typed,
            Lookup::Card(c) => c.as_str(),
            Lookup::Name(n) => n,
        }
    }

    /// Every key to search by, most specific first.
    pub fn keys(&self) -> Vec<Key<'_>> {
        match self {
            Lookup::Number { mobile, card, .. } => mobile
                .as_ref()
                .ok()
                .map(Key::Mobile)
                .into_iter()
                .chain(card.as_ref().map(Key::Card))
                .collect(),
            Lookup::Card(c) => vec![Key::Card(c)],
            Lookup::Name(n) => vec![Key::Name(n)],
        }
    }

    /// When nothing is found: the number was not a valid mobile either, and that is the
    /// more useful answer than "no such customer".
    pub fn problem_if_none_found(&self) -> Option<LookupError> {
        match self {
            Lookup::Number { mobile: Err(e), .. } => Some(LookupError::Mobile(e.clone())),
            _ => None,
        }
    }
}

/// Why typed text cannot be searched for.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum LookupError {
    Empty,
    /// A name fragment shorter than 2 characters.
    NameTooShort,
    NameTooLong,
    /// A name with control characters.
    BadName,
    /// Digits that are neither a valid mobile number nor a card number.
    Mobile(ContactError),
    /// At a kiosk: text that is neither a mobile nor a card number.
    NotANumber,
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::Empty => f.write_str("Enter a mobile number, card number or name"),
            LookupError::NameTooShort => f.write_str("Type at least 2 letters of the name"),
            LookupError::NameTooLong => f.write_str("That name is too long"),
            LookupError::BadName => f.write_str("A name has letters, not control characters"),
            LookupError::Mobile(e) => e.fmt(f),
            LookupError::NotANumber => {
                f.write_str("Type a mobile number or a loyalty card number (not a name)")
            }
        }
    }
}
impl std::error::Error for LookupError {}

fn phone_like(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_digit() || " +-().\u{a0}".contains(c))
        && s.bytes().any(|b| b.is_ascii_digit())
}

/// Reads what was typed to find a customer. Mobile numbers without a country code belong
/// to `country`.
pub fn classify(input: &str, country: CallingCode, who: Searcher) -> Result<Lookup, LookupError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(LookupError::Empty);
    }
    if phone_like(s) {
        let mobile = Mobile::parse(s, country);
        let card = CardNumber::parse(s).ok();
        return match (mobile, card) {
            (Err(e), None) => Err(LookupError::Mobile(e)),
            (mobile, card) => Ok(Lookup::Number {
                typed: s.to_string(),
                mobile,
                card,
            }),
        };
    }
    if s.bytes().any(|b| b.is_ascii_digit()) {
        if let Ok(card) = CardNumber::parse(s) {
            return Ok(Lookup::Card(card));
        }
    }
    if who == Searcher::SelfService {
        return Err(LookupError::NotANumber);
    }
    if s.chars().any(char::is_control) {
        return Err(LookupError::BadName);
    }
    match s.chars().count() {
        0..=1 => Err(LookupError::NameTooShort),
        n if n > MAX_NAME_CHARS => Err(LookupError::NameTooLong),
        _ => Ok(Lookup::Name(s.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const IN: CallingCode = CallingCode::INDIA;

    fn staff(s: &str) -> Result<Lookup, LookupError> {
        classify(s, IN, Searcher::Staff)
    }

    fn keys(l: &Lookup) -> Vec<String> {
        l.keys()
            .into_iter()
            .map(|k| match k {
                Key::Mobile(m) => format!("mobile {}", m.as_str()),
                Key::Card(c) => format!("card {}", c.as_str()),
                Key::Name(n) => format!("name {n}"),
            })
            .collect()
    }

    #[test]
    fn a_mobile_is_also_tried_as_a_numeric_card() {
        let l = staff("98765 43210").unwrap();
        assert_eq!(keys(&l), ["mobile +919876543210", "card 9876543210"]);
        assert_eq!(l.query(), "98765 43210");
        let l = staff("+91 98765-43210").unwrap();
        assert_eq!(keys(&l), ["mobile +919876543210"]);
    }

    #[test]
    fn a_numeric_card_that_is_no_mobile_is_found_everywhere() {
        for who in [Searcher::Staff, Searcher::SelfService] {
            let l = classify("12345678", IN, who).unwrap();
            assert_eq!(keys(&l), ["card 12345678"]);
            assert!(matches!(
                l.problem_if_none_found(),
                Some(LookupError::Mobile(_))
            ));
        }
    }

    #[test]
    fn cards_names_and_mistakes() {
        assert_eq!(keys(&staff("rg0001-2345").unwrap()), ["card RG00012345"]);
        assert_eq!(keys(&staff(" Asha ").unwrap()), ["name Asha"]);
        assert_eq!(staff("  "), Err(LookupError::Empty));
        assert_eq!(staff("A"), Err(LookupError::NameTooShort));
        assert_eq!(staff(&"a".repeat(81)), Err(LookupError::NameTooLong));
        assert_eq!(staff("\u{0}\u{0}"), Err(LookupError::BadName));
        assert!(matches!(staff("12345"), Err(LookupError::Mobile(_))));
        assert!(matches!(staff("+"), Err(LookupError::NameTooShort)));
        assert_eq!(
            classify("Asha", IN, Searcher::SelfService),
            Err(LookupError::NotANumber)
        );
    }

    proptest! {
        /// The backend reads the query the app sends back into the very same lookup.
        #[test]
        fn the_query_reads_back_the_same(s in "[ 0-9A-Za-z+().-]{0,24}") {
            for who in [Searcher::Staff, Searcher::SelfService] {
                if let Ok(l) = classify(&s, IN, who) {
                    prop_assert_eq!(classify(l.query(), IN, who), Ok(l.clone()));
                }
            }
        }
    }
}
