//! OTP message templates with the placeholders of SPEC §3.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Placeholders a template may use.
pub const PLACEHOLDERS: [&str; 6] = ["otp", "points", "value", "store", "minutes", "customer"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    Empty,
    TooLong {
        max: usize,
    },
    UnknownPlaceholder(String),
    Unclosed,
    MissingOtp,
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
            TemplateError::UnknownPlaceholder(p) => write!(
                f,
                "Unknown placeholder {{{p}}}; use {}",
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" ")
            ),
            TemplateError::Unclosed => f.write_str("A placeholder is missing its closing }"),
            TemplateError::MissingOtp => f.write_str("The message template must contain {otp}"),
            TemplateError::MissingAmount => {
                f.write_str("The message must state the amount: use {points} or {value}")
            }
            TemplateError::MissingStore => {
                f.write_str("The message must name the store: use {store}")
            }
        }
    }
}
impl std::error::Error for TemplateError {}

/// A checked template: only known placeholders, and `{otp}`, an amount and `{store}` present.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
pub struct MessageTemplate(String);

/// The values substituted into a template; already formatted for people.
pub struct TemplateValues<'a> {
    pub otp: &'a str,
    pub points: &'a str,
    pub value: &'a str,
    pub store: &'a str,
    pub minutes: &'a str,
    pub customer: &'a str,
}

impl MessageTemplate {
    pub const MAX_LEN: usize = 640;

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        if text.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        if text.chars().count() > Self::MAX_LEN {
            return Err(TemplateError::TooLong { max: Self::MAX_LEN });
        }
        let names = placeholders(text)?;
        if let Some(bad) = names.iter().find(|n| !PLACEHOLDERS.contains(n)) {
            return Err(TemplateError::UnknownPlaceholder(bad.to_string()));
        }
        if !names.contains(&"otp") {
            return Err(TemplateError::MissingOtp);
        }
        if !names.contains(&"points") && !names.contains(&"value") {
            return Err(TemplateError::MissingAmount);
        }
        if !names.contains(&"store") {
            return Err(TemplateError::MissingStore);
        }
        Ok(MessageTemplate(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Substitutes every placeholder. Escaping for the channel's format is the sender's job.
    pub fn render(&self, v: &TemplateValues<'_>) -> String {
        let mut out = String::with_capacity(self.0.len() + 32);
        let mut rest = self.0.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('}').unwrap_or(after.len());
            out.push_str(match &after[..close] {
                "otp" => v.otp,
                "points" => v.points,
                "value" => v.value,
                "store" => v.store,
                "minutes" => v.minutes,
                _ => v.customer,
            });
            rest = after.get(close + 1..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }
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
            sms: t("{otp} is your code to redeem {points} points ({value}) at {store}. Valid {minutes} min. Do not share it with anyone, including store staff, unless you want to redeem."),
            whatsapp: t("Hi {customer}, {otp} is your code to redeem {points} points ({value}) at {store}. It is valid for {minutes} minutes. Share it only if you asked to redeem."),
            email: t("Dear {customer},\n\nYour code to redeem {points} points ({value}) at {store} is {otp}. It is valid for {minutes} minutes.\n\nIf you did not ask to redeem, do not share this code."),
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
            Err(TemplateError::UnknownPlaceholder("code".into()))
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
        };
        assert_eq!(
            t.render(&v),
            "Asha: 123456 for 500 pts = ₹500.00 at MG Road, 5m"
        );
    }
}
