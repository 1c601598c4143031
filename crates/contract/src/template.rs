//! Message templates with the placeholders of SPEC §3: the OTP message, the confirmations
//! sent after a redemption or an accrual, and e-mail subject lines. One scanner and one
//! renderer serve every kind; the kind decides which placeholders a text may and must use.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Placeholders an OTP message may use: SPEC §3's, and `{quantity}`, the quantity with its
/// unit and instrument ("500 points", "1 session of Hair spa × 6", "Gold membership
/// credit"), where `{points}` is the bare number.
pub const PLACEHOLDERS: [&str; 7] = [
    "otp", "quantity", "points", "value", "store", "minutes", "customer",
];

/// What a template is for, and so which placeholders it may and must use.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TemplateKind {
    /// The OTP message: `{otp}`, an amount and `{store}` are required (S3).
    Code,
    /// A confirmation after a redemption or an accrual ("You redeemed 500 points at …;
    /// balance 1,200"). There is no code to send, so `{otp}` and `{minutes}` are refused; an
    /// amount and `{store}` are required, `{balance}` is available.
    Confirmation,
    /// An e-mail subject. Subjects show on lock screens and in inbox lists, so the code may
    /// never be in one; nothing is required.
    Subject,
    /// A kiosk customer's code to prove the number is theirs. There is no amount yet, so
    /// `{otp}` and `{store}` are required and amounts are refused.
    Identify,
    /// A printed voucher's code sent to the customer too, so losing the paper loses nothing:
    /// `{voucher}`, an amount and `{store}` are required, `{until}` is available.
    Voucher,
    /// A manager's message to customers (seed 004): `{store}` is required so the customer
    /// knows who writes, `{customer}` is available; never a code or an amount of theirs.
    Manual,
}

impl TemplateKind {
    /// The placeholders this kind may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            TemplateKind::Code => &PLACEHOLDERS,
            TemplateKind::Confirmation => &[
                "quantity", "points", "value", "store", "customer", "balance",
            ],
            TemplateKind::Subject => &["quantity", "points", "value", "store", "customer"],
            TemplateKind::Identify => &["otp", "store", "minutes", "customer"],
            TemplateKind::Voucher => &[
                "voucher", "quantity", "points", "value", "store", "customer", "until",
            ],
            TemplateKind::Manual => &["store", "customer"],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    Empty,
    TooLong {
        max: usize,
    },
    UnknownPlaceholder {
        name: String,
        allowed: &'static [&'static str],
    },
    /// `{otp}` in a message that is sent without a code (a confirmation, a subject line).
    CodeNotAllowed,
    Unclosed,
    MissingOtp,
    /// A voucher's message without the voucher's code.
    MissingVoucher,
    /// S3: every message must state the amount and the store.
    MissingAmount,
    MissingStore,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Empty => f.write_str("The message template is empty"),
            TemplateError::TooLong { max } => {
                write!(f, "The message template is longer than {max} characters")
            }
            TemplateError::UnknownPlaceholder { name, allowed } => write!(
                f,
                "Unknown placeholder {{{name}}}; use {}",
                allowed
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            TemplateError::CodeNotAllowed => {
                f.write_str("This message is sent without a code: remove {otp}")
            }
            TemplateError::Unclosed => f.write_str("A placeholder is missing its closing }"),
            TemplateError::MissingOtp => f.write_str("The message template must contain {otp}"),
            TemplateError::MissingVoucher => {
                f.write_str("The voucher message must contain {voucher}")
            }
            TemplateError::MissingAmount => f.write_str(
                "The message must state the amount: use {quantity}, {points} or {value}",
            ),
            TemplateError::MissingStore => {
                f.write_str("The message must name the store: use {store}")
            }
        }
    }
}
impl std::error::Error for TemplateError {}

/// A checked OTP template: only known placeholders, and `{otp}`, an amount and `{store}` present.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct MessageTemplate(String);

/// The values substituted into a template; already formatted for people (and made safe for
/// the channel by the sender). A kind that cannot use a placeholder never reads its value.
#[derive(Default)]
pub struct TemplateValues<'a> {
    pub otp: &'a str,
    /// The quantity with its unit and instrument ("1 session of Hair spa × 6").
    pub quantity: &'a str,
    pub points: &'a str,
    pub value: &'a str,
    pub store: &'a str,
    pub minutes: &'a str,
    pub customer: &'a str,
    pub balance: &'a str,
    /// A printed voucher's code, and the last day it may be used.
    pub voucher: &'a str,
    pub until: &'a str,
}

impl TemplateValues<'_> {
    fn get(&self, name: &str) -> &str {
        match name {
            "otp" => self.otp,
            "quantity" => self.quantity,
            "points" => self.points,
            "value" => self.value,
            "store" => self.store,
            "minutes" => self.minutes,
            "customer" => self.customer,
            "balance" => self.balance,
            "voucher" => self.voucher,
            "until" => self.until,
            _ => "",
        }
    }
}

impl MessageTemplate {
    pub const MAX_LEN: usize = 640;

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        check(text, TemplateKind::Code)?;
        Ok(MessageTemplate(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Substitutes every placeholder. Escaping for the channel's format is the sender's job.
    pub fn render(&self, v: &TemplateValues<'_>) -> String {
        render(&self.0, v, usize::MAX)
    }
}

/// A checked template of any kind (confirmations and subjects; OTP messages use
/// [`MessageTemplate`], which the policy carries).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Template {
    kind: TemplateKind,
    text: String,
}

impl Template {
    pub fn parse(kind: TemplateKind, text: &str) -> Result<Self, TemplateError> {
        check(text, kind)?;
        Ok(Template {
            kind,
            text: text.to_string(),
        })
    }
    pub fn kind(&self) -> TemplateKind {
        self.kind
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
    pub fn render(&self, v: &TemplateValues<'_>) -> String {
        render(&self.text, v, usize::MAX)
    }
    /// The same, with each value cut to `max_chars` characters (a registered template's
    /// [`Registered::MAX_VALUE_CHARS`]).
    pub fn render_within(&self, v: &TemplateValues<'_>, max_chars: usize) -> String {
        render(&self.text, v, max_chars)
    }
}

impl From<MessageTemplate> for Template {
    fn from(t: MessageTemplate) -> Template {
        Template {
            kind: TemplateKind::Code,
            text: t.0,
        }
    }
}

/// The rules of a kind: length, known placeholders, and the required ones.
pub fn check(text: &str, kind: TemplateKind) -> Result<(), TemplateError> {
    if text.trim().is_empty() {
        return Err(TemplateError::Empty);
    }
    if text.chars().count() > MessageTemplate::MAX_LEN {
        return Err(TemplateError::TooLong {
            max: MessageTemplate::MAX_LEN,
        });
    }
    let names = placeholders(text)?;
    let allowed = kind.placeholders();
    let carries_code = matches!(kind, TemplateKind::Code | TemplateKind::Identify);
    if !carries_code && names.contains(&"otp") {
        return Err(TemplateError::CodeNotAllowed);
    }
    if let Some(bad) = names.iter().find(|n| !allowed.contains(n)) {
        return Err(TemplateError::UnknownPlaceholder {
            name: bad.to_string(),
            allowed,
        });
    }
    if carries_code && !names.contains(&"otp") {
        return Err(TemplateError::MissingOtp);
    }
    if kind == TemplateKind::Voucher && !names.contains(&"voucher") {
        return Err(TemplateError::MissingVoucher);
    }
    let states_amount = ["quantity", "points", "value"]
        .iter()
        .any(|a| names.contains(a));
    let needs_amount = matches!(
        kind,
        TemplateKind::Code | TemplateKind::Confirmation | TemplateKind::Voucher
    );
    if needs_amount && !states_amount {
        return Err(TemplateError::MissingAmount);
    }
    if kind != TemplateKind::Subject && !names.contains(&"store") {
        return Err(TemplateError::MissingStore);
    }
    Ok(())
}

/// Substitutes the placeholders of a checked text.
fn render(text: &str, v: &TemplateValues<'_>, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').unwrap_or(after.len());
        let value = v.get(&after[..close]);
        match value.char_indices().nth(max_chars) {
            Some((cut, _)) => out.push_str(value[..cut].trim_end()),
            None => out.push_str(value),
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn placeholders(text: &str) -> Result<Vec<&str>, TemplateError> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(TemplateError::Unclosed)?;
        names.push(&after[..close]);
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// A text as a regulator or provider registered it, with `{#var#}` wherever a value goes:
/// India's DLT scrubs every SMS against its registered template, and a message that does not
/// match it word for word is blocked. A catalog or policy text fits it when, with each
/// placeholder standing for one `{#var#}`, the words between are the same.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Registered {
    /// The literal text around the variables: one more piece than variables.
    pieces: Vec<String>,
}

/// Why a text does not fit its registered template; the message tells a manager what to keep.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Misfit {
    /// The registered template has `registered` values, the text `text` placeholders.
    Count { registered: usize, text: usize },
    /// The words differ: `registered` is the registered wording from where they part, `text`
    /// the text's (both cut short).
    Words { registered: String, text: String },
    /// The text itself is broken (an unclosed placeholder).
    Template(TemplateError),
}

impl fmt::Display for Misfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Misfit::Count { registered, text } => write!(
                f,
                "the registered template has {registered} value{} where this text has {text}; keep its wording and put one placeholder where each {{#var#}} is",
                if *registered == 1 { "" } else { "s" }
            ),
            Misfit::Words { registered, text } => write!(
                f,
                "the words differ from the registered template: it reads \u{201c}{registered}\u{201d} where this text reads \u{201c}{text}\u{201d}"
            ),
            Misfit::Template(e) => e.fmt(f),
        }
    }
}

impl Registered {
    /// Where a value goes in a registered text.
    pub const VAR: &'static str = "{#var#}";
    /// The most characters DLT lets one `{#var#}` carry; longer values are cut to it.
    pub const MAX_VALUE_CHARS: usize = 30;

    pub fn parse(text: &str) -> Result<Registered, TemplateError> {
        if text.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        if text.chars().count() > MessageTemplate::MAX_LEN {
            return Err(TemplateError::TooLong {
                max: MessageTemplate::MAX_LEN,
            });
        }
        Ok(Registered {
            pieces: text.split(Self::VAR).map(str::to_string).collect(),
        })
    }

    /// How many values the registered text takes.
    pub fn variables(&self) -> usize {
        self.pieces.len() - 1
    }

    /// Whether a finished text (values filled in) reads as this registered text: its words in
    /// order, and at most [`Registered::MAX_VALUE_CHARS`] characters where each value goes.
    /// For texts the server composes; a catalog text is checked by [`Registered::fits`].
    pub fn matches(&self, text: &str) -> bool {
        let Some((first, later)) = self.pieces.split_first() else {
            return text.is_empty();
        };
        if later.is_empty() {
            return text == first;
        }
        let Some(rest) = text.strip_prefix(first.as_str()) else {
            return false;
        };
        // Each (piece, place) is tried once: remembering the places that failed keeps this
        // linear in the text for any registered text and any value (no backtracking blow-up).
        let mut failed = std::collections::HashSet::new();
        Self::rest_matches(later, rest, 0, &mut failed)
    }

    /// Whether `text[at..]` is a value of bounded length followed by `pieces[0]`, and so on.
    fn rest_matches(
        pieces: &[String],
        text: &str,
        at: usize,
        failed: &mut std::collections::HashSet<(usize, usize)>,
    ) -> bool {
        let Some((piece, later)) = pieces.split_first() else {
            return at == text.len();
        };
        if failed.contains(&(pieces.len(), at)) {
            return false;
        }
        let rest = &text[at..];
        let found = if later.is_empty() {
            // The last piece ends the text, after a value of bounded length.
            rest.ends_with(piece.as_str())
                && rest[..rest.len() - piece.len()].chars().count() <= Self::MAX_VALUE_CHARS
        } else {
            rest.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(rest.len()))
                .take(Self::MAX_VALUE_CHARS + 1)
                .filter(|&i| rest[i..].starts_with(piece.as_str()))
                .any(|i| Self::rest_matches(later, text, at + i + piece.len(), failed))
        };
        if !found {
            failed.insert((pieces.len(), at));
        }
        found
    }

    /// Whether `text` (a catalog or policy text, with `{placeholders}`) is this registered
    /// text with each `{#var#}` written as a placeholder.
    pub fn fits(&self, text: &str) -> Result<(), Misfit> {
        let names = placeholders(text).map_err(Misfit::Template)?;
        if names.len() != self.variables() {
            return Err(Misfit::Count {
                registered: self.variables(),
                text: names.len(),
            });
        }
        let mut rest = text;
        for (i, piece) in self.pieces.iter().enumerate() {
            let (words, after) = match rest.find('{') {
                Some(open) if i < self.variables() => {
                    let close = open + rest[open..].find('}').unwrap_or(rest.len() - open);
                    (&rest[..open], &rest[(close + 1).min(rest.len())..])
                }
                _ => (rest, ""),
            };
            if words != piece {
                let same = words
                    .chars()
                    .zip(piece.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                // From a word before where they part, so an empty side still reads.
                let common: Vec<char> = piece.chars().take(same).collect();
                let spaces: Vec<usize> = (0..same).filter(|&i| common[i] == ' ').collect();
                let start = match spaces.len() {
                    0 | 1 => 0,
                    n => spaces[n - 2] + 1,
                };
                let from = |s: &str| s.chars().skip(start).take(40).collect::<String>();
                return Err(Misfit::Words {
                    registered: from(piece),
                    text: from(words),
                });
            }
            rest = after;
        }
        Ok(())
    }
}

impl TryFrom<String> for MessageTemplate {
    type Error = TemplateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        MessageTemplate::parse(&s)
    }
}
impl From<MessageTemplate> for String {
    fn from(t: MessageTemplate) -> String {
        t.0
    }
}

/// One template per channel.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Templates {
    pub sms: MessageTemplate,
    pub whatsapp: MessageTemplate,
    pub email: MessageTemplate,
}

impl Default for Templates {
    fn default() -> Self {
        let t = |s: &str| MessageTemplate(s.to_string());
        Templates {
            sms: t("{otp} is your code to redeem {quantity} ({value}) at {store}. Valid {minutes} min. Do not share it with anyone, including store staff, unless you want to redeem."),
            whatsapp: t("Hi {customer}, {otp} is your code to redeem {quantity} ({value}) at {store}. It is valid for {minutes} minutes. Share it only if you asked to redeem."),
            email: t("Dear {customer},\n\nYour code to redeem {quantity} ({value}) at {store} is {otp}. It is valid for {minutes} minutes.\n\nIf you did not ask to redeem, do not share this code."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_templates() {
        let d = Templates::default();
        for t in [&d.sms, &d.whatsapp, &d.email] {
            assert_eq!(MessageTemplate::parse(t.as_str()).as_ref(), Ok(t));
        }
    }

    #[test]
    fn rejects_templates_that_break_the_rules() {
        assert_eq!(MessageTemplate::parse("  "), Err(TemplateError::Empty));
        assert_eq!(
            MessageTemplate::parse("{code} {points} {store}"),
            Err(TemplateError::UnknownPlaceholder {
                name: "code".into(),
                allowed: &PLACEHOLDERS
            })
        );
        assert_eq!(
            MessageTemplate::parse("Redeem {points} at {store}"),
            Err(TemplateError::MissingOtp)
        );
        assert_eq!(
            MessageTemplate::parse("{otp} at {store}"),
            Err(TemplateError::MissingAmount)
        );
        assert_eq!(
            MessageTemplate::parse("{otp} for {value}"),
            Err(TemplateError::MissingStore)
        );
        assert_eq!(
            MessageTemplate::parse("{otp} {value} {store"),
            Err(TemplateError::Unclosed)
        );
        let long = format!("{{otp}} {{value}} {{store}} {}", "x".repeat(700));
        assert_eq!(
            MessageTemplate::parse(&long),
            Err(TemplateError::TooLong { max: 640 })
        );
        assert!(serde_json::from_str::<MessageTemplate>("\"no placeholders\"").is_err());
    }

    #[test]
    fn renders_every_placeholder() {
        let t = MessageTemplate::parse(
            "{customer}: {otp} for {points} pts = {value} at {store}, {minutes}m",
        )
        .unwrap();
        let v = TemplateValues {
            otp: "123456",
            points: "500",
            value: "₹500.00",
            store: "MG Road",
            minutes: "5",
            customer: "Asha",
            ..Default::default()
        };
        assert_eq!(
            t.render(&v),
            "Asha: 123456 for 500 pts = ₹500.00 at MG Road, 5m"
        );
        // Each value cut to what a registered template allows (a name of 40 characters).
        let long = "Asha Rao of the Very Long Family Name Co";
        let t = Template::from(t);
        assert_eq!(
            t.render_within(
                &TemplateValues {
                    customer: long,
                    ..v
                },
                30
            ),
            "Asha Rao of the Very Long Fami: 123456 for 500 pts = ₹500.00 at MG Road, 5m"
        );
    }

    #[test]
    fn a_text_fits_its_registered_template_only_word_for_word() {
        let registered = Registered::parse(
            "{#var#} is your code to redeem {#var#} ({#var#}) at {#var#}. Valid {#var#} min.",
        )
        .unwrap();
        assert_eq!(registered.variables(), 5);
        let ok =
            "{otp} is your code to redeem {quantity} ({value}) at {store}. Valid {minutes} min.";
        assert_eq!(registered.fits(ok), Ok(()));
        // Any placeholder may stand for a variable, in any order.
        assert_eq!(
            registered.fits("{store} is your code to redeem {otp} ({value}) at {quantity}. Valid {minutes} min."),
            Ok(())
        );
        assert_eq!(
            registered
                .fits("{otp} is your code to redeem {quantity} at {store}. Valid {minutes} min."),
            Err(Misfit::Count {
                registered: 5,
                text: 4
            })
        );
        let changed = registered
            .fits(
                "{otp} is the code to redeem {quantity} ({value}) at {store}. Valid {minutes} min.",
            )
            .unwrap_err();
        assert_eq!(
            changed,
            Misfit::Words {
                registered: "is your code to redeem ".into(),
                text: "is the code to redeem ".into()
            }
        );
        assert!(changed
            .to_string()
            .contains("\u{201c}is your code to redeem \u{201d}"));
        // Words taken away still read, from a word before.
        assert_eq!(
            registered
                .fits(
                    "{otp} is your code to redeem {quantity} ({value}) at {store}. {minutes} min."
                )
                .unwrap_err(),
            Misfit::Words {
                registered: ". Valid ".into(),
                text: ". ".into()
            }
        );
        // A trailing word added, or taken away, does not fit either.
        assert!(registered.fits(&format!("{ok} Thanks")).is_err());
        assert!(registered
            .fits("{otp} is your code to redeem {quantity} ({value}) at {store}. Valid {minutes}")
            .is_err());
        assert_eq!(
            registered.fits("{otp} {quantity"),
            Err(Misfit::Template(TemplateError::Unclosed))
        );
        // A finished text matches with values of at most 30 characters.
        assert!(registered.matches(
            "123456 is your code to redeem 500 points (₹500.00) at MG Road. Valid 5 min."
        ));
        assert!(!registered.matches(&format!(
            "123456 is your code to redeem 500 points (₹500.00) at {}. Valid 5 min.",
            "a store name of more than thirty characters"
        )));
        assert!(!registered
            .matches("123456 is the code to redeem 500 points (₹500.00) at MG Road. Valid 5 min."));
        let alert =
            Registered::parse("RedeemGuard: cashier {#var#} at {#var#} crossed {#var#} today.")
                .unwrap();
        assert!(alert.matches(
            "RedeemGuard: cashier Priya Sharma at MG Road crossed Wrong codes (9) today."
        ));
        assert!(!alert
            .matches("RedeemGuard: cashier Priya at MG Road crossed Wrong codes today. Call."));
        // Adjacent values and a text built to make a naive matcher try every split: answered
        // at once.
        let adjacent = Registered::parse(&format!("a{}b", "{#var#} ".repeat(40))).unwrap();
        let crafted = format!("a{}c", "x ".repeat(600));
        assert!(!adjacent.matches(&crafted));
        // A text with no values at all.
        let plain = Registered::parse("Thank you for shopping with us.").unwrap();
        assert_eq!(plain.variables(), 0);
        assert_eq!(plain.fits("Thank you for shopping with us."), Ok(()));
        assert!(Registered::parse("  ").is_err());
    }

    #[test]
    fn each_kind_has_its_own_rules() {
        use TemplateKind::*;
        let ok = "You redeemed {points} points ({value}) at {store}; balance {balance}.";
        assert!(Template::parse(Confirmation, ok).is_ok());
        assert_eq!(
            Template::parse(Confirmation, "Code {otp}: {points} at {store}"),
            Err(TemplateError::CodeNotAllowed)
        );
        assert_eq!(
            Template::parse(Subject, "Your code {otp}"),
            Err(TemplateError::CodeNotAllowed)
        );
        assert_eq!(
            Template::parse(Confirmation, "Redeemed {points} at {store} in {minutes}"),
            Err(TemplateError::UnknownPlaceholder {
                name: "minutes".into(),
                allowed: Confirmation.placeholders()
            })
        );
        assert_eq!(
            Template::parse(Confirmation, "Balance {balance} at {store}"),
            Err(TemplateError::MissingAmount)
        );
        assert_eq!(
            Template::parse(Code, "{otp} {value} {store} {balance}")
                .unwrap_err()
                .to_string(),
            "Unknown placeholder {balance}; use {otp} {quantity} {points} {value} {store} {minutes} {customer}"
        );
        // A voucher's message carries the voucher's code, never a one-time code.
        let voucher = "Voucher {voucher} for {quantity} ({value}) at {store}, valid until {until}.";
        assert!(Template::parse(Voucher, voucher).is_ok());
        assert_eq!(
            Template::parse(Voucher, "A voucher for {value} at {store}"),
            Err(TemplateError::MissingVoucher)
        );
        assert_eq!(
            Template::parse(Voucher, "{voucher} {otp} {value} {store}"),
            Err(TemplateError::CodeNotAllowed)
        );
        assert_eq!(
            Template::parse(Voucher, "{voucher} at {store}"),
            Err(TemplateError::MissingAmount)
        );
        // A subject needs nothing, but only knows its own placeholders.
        assert!(Template::parse(Subject, "A message from {store}").is_ok());
        assert!(Template::parse(Subject, "Hello").is_ok());
        let t = Template::parse(Confirmation, ok).unwrap();
        let v = TemplateValues {
            points: "500",
            value: "₹500.00",
            store: "MG Road",
            balance: "700",
            ..Default::default()
        };
        assert_eq!(
            t.render(&v),
            "You redeemed 500 points (₹500.00) at MG Road; balance 700."
        );
    }

    #[test]
    fn a_kiosk_identification_text_carries_the_code_and_the_store_but_no_amount() {
        let ok = "{otp} is your code at {store} ({minutes} min).";
        assert!(check(ok, TemplateKind::Identify).is_ok());
        assert_eq!(
            check("Your code at {store}", TemplateKind::Identify),
            Err(TemplateError::MissingOtp)
        );
        assert_eq!(
            check("{otp} is your code", TemplateKind::Identify),
            Err(TemplateError::MissingStore)
        );
        assert!(matches!(
            check("{otp} for {points} at {store}", TemplateKind::Identify),
            Err(TemplateError::UnknownPlaceholder { .. })
        ));
    }
}
