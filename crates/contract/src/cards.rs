//! Loyalty cards (seed 004): a merchant's card types, each with its own earn rate and point
//! value, assigned to customers by their customer type (e.g. GST, Normal, Institutional); and
//! the card number issued to a customer, which the till finds them by.
//!
//! The rules here are the one home for what a card type and a customer type may be: the back
//! office checks a form with them before sending, and the backend checks again (S10).

use crate::money::{Currency, Money};
use crate::policy::{Policy, PolicyError};
use serde::{Deserialize, Serialize};

/// A card type as the back office and the backend see it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardType {
    pub id: String,
    /// What the card is called, e.g. "Gold".
    pub name: String,
    /// The customers it is for: every customer of this type earns and redeems at its rates.
    pub customer_type: String,
    /// Points a bill earns for every `earn_per` of its total (0: none).
    pub earn_points: u32,
    pub earn_per: Money,
    /// What one point is worth when redeemed.
    pub point_value: Money,
}

/// A new card type, or a card type's new settings (`PUT …/card-types/{id}`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCardType {
    pub name: String,
    pub customer_type: String,
    pub earn_points: u32,
    pub earn_per: Money,
    pub point_value: Money,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardTypeList {
    pub card_types: Vec<CardType>,
}

/// A card number issued to a customer (`POST /v1/admin/cards`), and their customer type.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueCard {
    /// The customer, by their mobile number, e-mail or the card number they have now.
    pub customer: String,
    /// The card number to issue (6 to 20 letters or digits).
    pub card: String,
    /// Their customer type; absent keeps the one they have.
    pub customer_type: Option<String>,
}

/// The card as issued: the customer, the number and the card type that now applies.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardIssued {
    pub customer_id: String,
    pub customer_name: String,
    pub card: String,
    pub customer_type: Option<String>,
    /// The card type of their customer type, if the merchant has one (otherwise the store's
    /// own earn rate and point value apply).
    pub card_type: Option<String>,
    /// Their first card: the channel a welcome message went by, if it went (they agreed to
    /// service messages and can be reached).
    #[serde(default)]
    pub welcome: Option<crate::contact::Channel>,
}

/// The longest card type name and customer type.
pub const NAME_MAX: usize = 40;

/// A customer type as stored: trimmed, 1 to 40 letters, digits, spaces, `-`, `&` or `.`.
/// Types are compared without regard to case ("gst" is "GST").
pub fn customer_type(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("give the customer type, e.g. Normal".into());
    }
    if t.chars().count() > NAME_MAX {
        return Err(format!("at most {NAME_MAX} characters"));
    }
    if let Some(c) = t
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '&' | '.')))
    {
        return Err(format!(
            "\"{c}\" is not allowed: use letters, digits and spaces"
        ));
    }
    Ok(t.to_string())
}

/// Whether two customer types are the same type.
pub fn same_customer_type(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

impl NewCardType {
    /// Everything wrong with it at once, naming the field to fix, for a store in `currency`.
    pub fn validate(&self, currency: Currency) -> Result<(), Vec<PolicyError>> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(PolicyError {
                field: field.into(),
                message,
            })
        };
        let name = self.name.trim();
        if name.is_empty() {
            bad("name", "give the card a name, e.g. Gold".into());
        } else if name.chars().count() > NAME_MAX {
            bad("name", format!("at most {NAME_MAX} characters"));
        } else if name.chars().any(char::is_control) {
            bad("name", "must be plain text".into());
        }
        if let Err(e) = customer_type(&self.customer_type) {
            bad("customer_type", e);
        }
        if !Policy::EARN_POINTS.contains(&self.earn_points) {
            bad(
                "earn_points",
                format!(
                    "must be between {} and {} points",
                    Policy::EARN_POINTS.start(),
                    Policy::EARN_POINTS.end()
                ),
            );
        }
        for (field, m) in [
            ("earn_per", self.earn_per),
            ("point_value", self.point_value),
        ] {
            if m.currency() != currency {
                bad(field, format!("must be in {currency}"));
            } else if m.is_zero() {
                bad(field, "must be more than zero".into());
            }
        }
        match errors.is_empty() {
            true => Ok(()),
            false => Err(errors),
        }
    }
}

/// What a sale earns at: a customer's card type, or the store's own rate when they have none.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EarnRate {
    pub points: u32,
    pub per: Money,
    /// The most one bill earns (the store's, whatever the card).
    pub cap: u64,
}

impl EarnRate {
    /// The rate for a customer whose card type is `card` (none: the store's).
    pub fn of(policy: &Policy, card: Option<&CardType>) -> EarnRate {
        match card {
            Some(c) => EarnRate {
                points: c.earn_points,
                per: c.earn_per,
                cap: policy.earn_cap_per_bill,
            },
            None => EarnRate {
                points: policy.earn_points,
                per: policy.earn_per,
                cap: policy.earn_cap_per_bill,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn inr(minor: u64) -> Money {
        Money::new(minor, Currency::INR).unwrap()
    }

    fn gold() -> NewCardType {
        NewCardType {
            name: "Gold".into(),
            customer_type: "GST".into(),
            earn_points: 2,
            earn_per: inr(10_000),
            point_value: inr(150),
        }
    }

    #[test]
    fn a_card_type_names_every_field_to_fix_at_once() {
        assert_eq!(gold().validate(Currency::INR), Ok(()));
        let bad = NewCardType {
            name: " ".into(),
            customer_type: "GST=1".into(),
            earn_points: 1_001,
            earn_per: inr(0),
            point_value: Money::new(100, Currency::USD).unwrap(),
        };
        let fields: Vec<String> = bad
            .validate(Currency::INR)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "customer_type",
                "earn_points",
                "earn_per",
                "point_value"
            ]
        );
    }

    #[test]
    fn customer_types_are_trimmed_plain_words_compared_without_case() {
        assert_eq!(
            customer_type("  Institutional "),
            Ok("Institutional".into())
        );
        assert!(customer_type("").is_err());
        assert!(customer_type("=HYPERLINK(1)").is_err());
        assert!(customer_type(&"x".repeat(41)).is_err());
        assert!(same_customer_type("gst", "GST "));
        assert!(!same_customer_type("GST", "Normal"));
    }

    #[test]
    fn a_card_type_s_rate_replaces_the_store_s_but_not_its_cap() {
        let policy = Policy::default_for(Currency::INR, "en-IN", crate::CallingCode::INDIA);
        let card = CardType {
            id: "ct1".into(),
            name: "Gold".into(),
            customer_type: "GST".into(),
            earn_points: 2,
            earn_per: inr(10_000),
            point_value: inr(150),
        };
        let rate = EarnRate::of(&policy, Some(&card));
        assert_eq!(
            (rate.points, rate.per, rate.cap),
            (2, inr(10_000), policy.earn_cap_per_bill)
        );
        assert_eq!(EarnRate::of(&policy, None).points, policy.earn_points);
    }
}
