//! Messages a manager sends to customers (seed 004, issue 16): to one customer, a list of
//! them, or everyone with a card type; only to customers who agreed to that category of
//! message, within the store's daily budget. The rules here are the one home for what such a
//! message may be: the back office checks its form with them before sending, and the backend
//! checks again (S10).

use crate::contact::Channel;
use crate::policy::PolicyError;
use crate::template::{self, TemplateKind};
use serde::{Deserialize, Serialize};

/// What a message is, for consent: a customer agrees to each apart (India's DLT keeps
/// service and promotional messages apart too).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Category {
    /// About the customer's own account: points about to expire, a changed opening time.
    Service,
    /// Offers and news.
    Promotional,
}

impl Category {
    pub const ALL: [Category; 2] = [Category::Service, Category::Promotional];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Service => "service",
            Category::Promotional => "promotional",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// As a manager reads it.
    pub fn label(self) -> &'static str {
        match self {
            Category::Service => "Service",
            Category::Promotional => "Promotional",
        }
    }
}

/// The most customers one message may name one by one (a card type reaches more).
pub const LIST_MAX: usize = 1_000;

/// A message to customers as the back office sends it (`POST /v1/admin/messages`, and its
/// preview). Exactly one of `customers` and `card_type` says who it goes to.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMessage {
    pub category: Category,
    pub channel: Channel,
    /// The customers, each by mobile number, e-mail or card number (one customer is a list of
    /// one); at most 1,000.
    #[serde(default)]
    pub customers: Vec<String>,
    /// Everyone with this card type (its id).
    #[serde(default)]
    pub card_type: Option<String>,
    /// The text: `{customer}` (the customer's name) and `{store}` (required) are filled in
    /// for each customer; never a code.
    pub text: String,
}

impl NewMessage {
    /// Every field that is wrong, named as the form names it (`customers`, `card_type`,
    /// `text`).
    pub fn validate(&self) -> Result<(), Vec<PolicyError>> {
        let mut errors = Vec::new();
        let mut wrong = |field: &str, message: String| {
            errors.push(PolicyError {
                field: field.into(),
                message,
            })
        };
        let named = self
            .customers
            .iter()
            .filter(|c| !c.trim().is_empty())
            .count();
        match (named, &self.card_type) {
            (0, None) => wrong(
                "customers",
                "Say who it goes to: customers' mobile numbers, e-mails or cards, or a card type"
                    .into(),
            ),
            (n, Some(_)) if n > 0 => wrong(
                "customers",
                "Either a list of customers or a card type, not both".into(),
            ),
            (n, _) if n > LIST_MAX => wrong(
                "customers",
                format!("At most {LIST_MAX} customers by name; use a card type for more"),
            ),
            _ => {}
        }
        if let Some(card_type) = &self.card_type {
            if card_type.trim().is_empty() {
                wrong("card_type", "Choose a card type".into());
            }
        }
        if let Err(e) = template::check(&self.text, TemplateKind::Manual) {
            wrong("text", e.to_string());
        }
        match errors.is_empty() {
            true => Ok(()),
            false => Err(errors),
        }
    }

    /// The customers named, as typed, without blank lines and repeats.
    pub fn named(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in self.customers.iter().map(|c| c.trim()) {
            if !c.is_empty() && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

/// What a message would do (`POST /v1/admin/messages/preview`): who it reaches, who it
/// leaves out and why, the text as the first customer reads it, and the budget.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessagePreview {
    /// Customers it goes to: found, agreed to this category, reachable on the channel.
    pub recipients: u32,
    /// Left out: they did not agree to this category of message.
    pub without_consent: u32,
    /// Left out: no contact on this channel (or, on WhatsApp, no opt-in).
    pub unreachable: u32,
    /// Lines of the list that match no customer (as typed, at most 20).
    pub not_found: Vec<String>,
    /// Messages the store may still send to customers today.
    pub budget_left: u32,
    /// The text as the first recipient reads it (with a sample name if there is none).
    pub text: String,
    /// SMS parts per message (160 characters, or 70 with characters outside GSM's), 1 for
    /// the other channels.
    pub parts: u32,
}

/// One message sent to customers, with how its sends went.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentMessage {
    pub id: String,
    pub at_ms: i64,
    pub category: Category,
    pub channel: Channel,
    /// Who it was for, as a manager reads it ("3 customers", "card type Gold").
    pub audience: String,
    /// The text as written (placeholders not filled in).
    pub text: String,
    pub sent_by: String,
    pub recipients: u32,
    /// Not yet handed to the provider.
    pub queued: u32,
    /// Taken by the provider, no report yet.
    pub sent: u32,
    pub delivered: u32,
    /// Refused by the provider, or reported failed.
    pub failed: u32,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageList {
    pub messages: Vec<SentMessage>,
}

/// A customer's consent as the back office sets it (`PUT /v1/admin/customers/consent`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetConsent {
    /// The customer, by mobile number, e-mail or card number.
    pub customer: String,
    pub service: bool,
    pub promotional: bool,
}

/// A customer's consent as it now stands.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    pub customer_id: String,
    pub customer_name: String,
    pub service: bool,
    pub promotional: bool,
}

/// SMS parts a text takes: 160 characters in one part (153 each when split) in GSM's
/// alphabet, 70 (67) otherwise.
pub fn sms_parts(text: &str) -> u32 {
    const GSM: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    const EXTENDED: &str = "^{}\\[~]|€";
    let mut gsm = true;
    let mut units = 0u32;
    for c in text.chars() {
        if EXTENDED.contains(c) {
            units += 2;
        } else if GSM.contains(c) {
            units += 1;
        } else {
            gsm = false;
        }
    }
    let (single, part) = match gsm {
        true => (160, 153),
        false => {
            units = text.encode_utf16().count() as u32;
            (70, 67)
        }
    };
    match units {
        0 => 1,
        n if n <= single => 1,
        n => n.div_ceil(part),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(customers: &[&str], card_type: Option<&str>, text: &str) -> NewMessage {
        NewMessage {
            category: Category::Promotional,
            channel: Channel::Sms,
            customers: customers.iter().map(|c| c.to_string()).collect(),
            card_type: card_type.map(str::to_string),
            text: text.into(),
        }
    }

    fn fields(m: &NewMessage) -> Vec<String> {
        m.validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_message_goes_to_a_list_or_a_card_type_and_names_the_store() {
        let ok = "Hi {customer}, 20% off at {store} this weekend";
        assert!(message(&["+919876543210"], None, ok).validate().is_ok());
        assert!(message(&[], Some("ct-1"), ok).validate().is_ok());
        assert_eq!(fields(&message(&[], None, ok)), ["customers"]);
        assert_eq!(fields(&message(&["  ", ""], None, ok)), ["customers"]);
        assert_eq!(fields(&message(&["a"], Some("ct-1"), ok)), ["customers"]);
        assert_eq!(fields(&message(&[], Some(" "), ok)), ["card_type"]);
        let many: Vec<String> = (0..=LIST_MAX).map(|i| format!("c{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(fields(&message(&refs, None, ok)), ["customers"]);
    }

    #[test]
    fn a_message_to_customers_never_carries_a_code_and_always_names_the_store() {
        let list = ["+919876543210"];
        for (text, why) in [
            ("Your code {otp} at {store}", "remove {otp}"),
            ("20% off this weekend", "{store}"),
            (
                "{customer}: {points} points at {store}",
                "Unknown placeholder",
            ),
            ("", "empty"),
        ] {
            let errors = message(&list, None, text).validate().unwrap_err();
            assert_eq!(errors.len(), 1, "{text}");
            assert_eq!(errors[0].field, "text");
            assert!(
                errors[0].message.contains(why),
                "{text}: {}",
                errors[0].message
            );
        }
    }

    #[test]
    fn the_named_customers_are_trimmed_and_each_counted_once() {
        let m = message(&[" a ", "b", "a", "", "b "], None, "{store}");
        assert_eq!(m.named(), ["a", "b"]);
    }

    #[test]
    fn sms_parts_follow_the_alphabet() {
        assert_eq!(sms_parts(""), 1);
        assert_eq!(sms_parts(&"a".repeat(160)), 1);
        assert_eq!(sms_parts(&"a".repeat(161)), 2);
        assert_eq!(sms_parts(&"a".repeat(306)), 2);
        assert_eq!(sms_parts(&"a".repeat(307)), 3);
        // The euro sign takes two units.
        assert_eq!(sms_parts(&"€".repeat(80)), 1);
        assert_eq!(sms_parts(&"€".repeat(81)), 2);
        // Outside GSM (₹, Devanagari): 70 per part.
        assert_eq!(sms_parts(&"₹".repeat(70)), 1);
        assert_eq!(sms_parts(&"₹".repeat(71)), 2);
    }

    #[test]
    fn categories_read_back() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        assert_eq!(Category::parse("marketing"), None);
    }
}
