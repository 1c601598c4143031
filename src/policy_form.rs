//! The manager's policy form (SPEC §3): text as typed, turned into a [`Policy`] with every
//! problem reported against its field, using the contract's own validation (S10).

use contract::{
    BillCap, CallingCode, Channel, Currency, InstrumentKind, MessageTemplate, Money, OtpLength,
    Policy, PolicyError, Templates,
};

/// A text field of the form: (policy field, label, help, numeric keypad?).
pub struct TextField {
    pub name: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub numeric: bool,
}

const fn tf(
    name: &'static str,
    label: &'static str,
    help: &'static str,
    numeric: bool,
) -> TextField {
    TextField {
        name,
        label,
        help,
        numeric,
    }
}

/// The text fields in screen order, grouped by heading.
pub const GROUPS: &[(&str, &[TextField])] = &[
    (
        "Redemption",
        &[
            tf(
                "point_value",
                "Value of 1 point",
                "in the store currency, e.g. 1.00",
                true,
            ),
            tf(
                "min_redeem_points",
                "Minimum points per redemption",
                "",
                true,
            ),
            tf(
                "otp_min_value",
                "Minimum value that needs an OTP",
                "0 means every redemption",
                true,
            ),
        ],
    ),
    (
        "Codes",
        &[
            tf("otp_length", "Code length (digits)", "6 to 10", true),
            tf(
                "otp_ttl_secs",
                "Code valid for (seconds)",
                "60 to 600",
                true,
            ),
            tf(
                "max_verify_attempts",
                "Wrong codes before locking",
                "1 to 10",
                true,
            ),
            tf(
                "resend_cooldown_secs",
                "Wait before resend (seconds)",
                "10 to 300, shorter than the code's life",
                true,
            ),
        ],
    ),
    (
        "Sending limits",
        &[
            tf(
                "max_sends_per_customer",
                "Codes per customer per window",
                "",
                true,
            ),
            tf(
                "max_sends_per_terminal",
                "Codes per terminal per window",
                "",
                true,
            ),
            tf(
                "max_sends_per_cashier",
                "Codes per cashier per window",
                "",
                true,
            ),
            tf("send_window_secs", "Window (seconds)", "60 to 86400", true),
            tf(
                "daily_message_budget",
                "Messages per day for the store",
                "",
                true,
            ),
        ],
    ),
    (
        "Manager override",
        &[tf(
            "override_daily_cap",
            "Overrides per day",
            "at most 1000",
            true,
        )],
    ),
    (
        "Store",
        &[
            tf(
                "currency",
                "Currency",
                "ISO code, e.g. INR, IDR, USD",
                false,
            ),
            tf("locale", "Locale", "e.g. en-IN, id-ID, en-US", false),
            tf(
                "country_calling_code",
                "Country calling code",
                "e.g. 91",
                true,
            ),
            tf(
                "kiosk_idle_secs",
                "Kiosk idle reset (seconds)",
                "15 to 600",
                true,
            ),
        ],
    ),
];

/// Message template fields: (form name, channel).
pub const TEMPLATES: [(&str, Channel); 3] = [
    ("template_sms", Channel::Sms),
    ("template_whatsapp", Channel::Whatsapp),
    ("template_email", Channel::Email),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CapKind {
    None,
    Absolute,
    Percent,
}

/// The policy as the manager is editing it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PolicyForm {
    pub otp_required: bool,
    pub override_enabled: bool,
    pub cap_kind: CapKind,
    pub cap_value: String,
    pub channels: Vec<Channel>,
    pub otp_instruments: Vec<InstrumentKind>,
    /// Text fields by name (see [`GROUPS`] and [`TEMPLATES`]).
    pub text: Vec<(&'static str, String)>,
}

fn minor_text(m: Money) -> String {
    m.to_decimal_string()
}

impl PolicyForm {
    pub fn from_policy(p: &Policy) -> Self {
        let text = vec![
            ("point_value", minor_text(p.point_value)),
            ("min_redeem_points", p.min_redeem_points.to_string()),
            ("otp_min_value", minor_text(p.otp_min_value)),
            ("otp_length", p.otp_length.get().to_string()),
            ("otp_ttl_secs", p.otp_ttl_secs.to_string()),
            ("max_verify_attempts", p.max_verify_attempts.to_string()),
            ("resend_cooldown_secs", p.resend_cooldown_secs.to_string()),
            (
                "max_sends_per_customer",
                p.max_sends_per_customer.to_string(),
            ),
            (
                "max_sends_per_terminal",
                p.max_sends_per_terminal.to_string(),
            ),
            ("max_sends_per_cashier", p.max_sends_per_cashier.to_string()),
            ("send_window_secs", p.send_window_secs.to_string()),
            ("daily_message_budget", p.daily_message_budget.to_string()),
            ("override_daily_cap", p.override_daily_cap.to_string()),
            ("currency", p.currency.code().to_string()),
            ("locale", p.locale.clone()),
            (
                "country_calling_code",
                p.country_calling_code.get().to_string(),
            ),
            ("kiosk_idle_secs", p.kiosk_idle_secs.to_string()),
            ("template_sms", p.templates.sms.as_str().to_string()),
            (
                "template_whatsapp",
                p.templates.whatsapp.as_str().to_string(),
            ),
            ("template_email", p.templates.email.as_str().to_string()),
        ];
        let (cap_kind, cap_value) = match p.max_redeem_per_bill {
            None => (CapKind::None, String::new()),
            Some(BillCap::Absolute { value }) => (CapKind::Absolute, minor_text(value)),
            Some(BillCap::Percent { percent }) => (CapKind::Percent, percent.to_string()),
        };
        PolicyForm {
            otp_required: p.otp_required,
            override_enabled: p.override_enabled,
            cap_kind,
            cap_value,
            channels: p.channels.clone(),
            otp_instruments: p.otp_instruments.clone(),
            text,
        }
    }

    pub fn get(&self, name: &str) -> String {
        self.text
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn set(&mut self, name: &str, value: String) {
        if let Some(slot) = self.text.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = value;
        }
    }

    /// Builds the policy, or every problem by field: parse errors first, then the contract's
    /// bounds and cross-field rules.
    pub fn to_policy(&self, base: &Policy) -> Result<Policy, Vec<PolicyError>> {
        let mut errors: Vec<PolicyError> = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(PolicyError {
                field: field.into(),
                message,
            })
        };
        let currency = Currency::parse(self.get("currency").trim()).unwrap_or_else(|e| {
            bad("currency", e.to_string());
            base.currency
        });
        let mut p = base.clone();
        p.currency = currency;
        p.otp_required = self.otp_required;
        p.override_enabled = self.override_enabled;
        p.channels = self.channels.clone();
        p.otp_instruments = self.otp_instruments.clone();
        p.locale = self.get("locale").trim().to_string();
        let money = |name: &str, bad: &mut dyn FnMut(&str, String)| match Money::parse(
            &self.get(name),
            currency,
        ) {
            Ok(m) => Some(m),
            Err(e) => {
                bad(name, e.to_string());
                None
            }
        };
        if let Some(m) = money("point_value", &mut bad) {
            p.point_value = m;
        }
        if let Some(m) = money("otp_min_value", &mut bad) {
            p.otp_min_value = m;
        }
        macro_rules! int {
            ($name:literal, $ty:ty, $slot:expr) => {
                match self.get($name).trim().parse::<$ty>() {
                    Ok(v) => $slot = v,
                    Err(_) => bad($name, "enter a whole number".into()),
                }
            };
        }
        int!("min_redeem_points", u64, p.min_redeem_points);
        int!("otp_ttl_secs", u32, p.otp_ttl_secs);
        int!("max_verify_attempts", u8, p.max_verify_attempts);
        int!("resend_cooldown_secs", u32, p.resend_cooldown_secs);
        int!("max_sends_per_customer", u32, p.max_sends_per_customer);
        int!("max_sends_per_terminal", u32, p.max_sends_per_terminal);
        int!("max_sends_per_cashier", u32, p.max_sends_per_cashier);
        int!("send_window_secs", u32, p.send_window_secs);
        int!("daily_message_budget", u32, p.daily_message_budget);
        int!("override_daily_cap", u32, p.override_daily_cap);
        int!("kiosk_idle_secs", u32, p.kiosk_idle_secs);
        match self
            .get("otp_length")
            .trim()
            .parse::<u8>()
            .map_err(|_| ())
            .and_then(|n| OtpLength::new(n).map_err(|_| ()))
        {
            Ok(l) => p.otp_length = l,
            Err(()) => bad("otp_length", "must be between 6 and 10 digits".into()),
        }
        match CallingCode::parse(&self.get("country_calling_code")) {
            Ok(c) => p.country_calling_code = c,
            Err(e) => bad("country_calling_code", e.to_string()),
        }
        p.max_redeem_per_bill = match self.cap_kind {
            CapKind::None => None,
            CapKind::Absolute => match Money::parse(&self.cap_value, currency) {
                Ok(value) => Some(BillCap::Absolute { value }),
                Err(e) => {
                    bad("max_redeem_per_bill", e.to_string());
                    None
                }
            },
            CapKind::Percent => match self.cap_value.trim().parse::<u8>() {
                Ok(percent) => Some(BillCap::Percent { percent }),
                Err(_) => {
                    bad(
                        "max_redeem_per_bill",
                        "percent must be between 1 and 100".into(),
                    );
                    None
                }
            },
        };
        let mut templates: Templates = p.templates.clone();
        for (name, channel) in TEMPLATES {
            match MessageTemplate::parse(&self.get(name)) {
                Ok(t) => match channel {
                    Channel::Sms => templates.sms = t,
                    Channel::Whatsapp => templates.whatsapp = t,
                    Channel::Email => templates.email = t,
                },
                Err(e) => bad(name, e.to_string()),
            }
        }
        p.templates = templates;
        if let Err(e) = p.validate() {
            for err in e.0 {
                // A field that failed to parse keeps its parse message only.
                if !errors.iter().any(|x| x.field == err.field) {
                    errors.push(err);
                }
            }
        }
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(errors)
        }
    }
}

/// The message for a form field among the errors (the server names templates "templates").
pub fn error_for<'a>(errors: &'a [PolicyError], name: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == name || (name.starts_with("template_") && e.field == "templates"))
        .map(|e| e.message.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_default_policy() {
        let p = Policy::default();
        assert_eq!(PolicyForm::from_policy(&p).to_policy(&p), Ok(p));
    }

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let p = Policy::default();
        let mut f = PolicyForm::from_policy(&p);
        f.set("otp_ttl_secs", "30".into());
        f.set("point_value", "abc".into());
        f.set("otp_length", "5".into());
        f.set("template_sms", "no code here {store} {value}".into());
        f.cap_kind = CapKind::Percent;
        f.cap_value = "150".into();
        f.channels.clear();
        let errs = f.to_policy(&p).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for want in [
            "otp_ttl_secs",
            "point_value",
            "otp_length",
            "template_sms",
            "max_redeem_per_bill",
            "channels",
        ] {
            assert!(fields.contains(&want), "{want} missing from {fields:?}");
        }
        assert_eq!(
            error_for(&errs, "otp_ttl_secs"),
            Some("must be between 60 and 600 seconds")
        );
    }

    #[test]
    fn otp_mandatory_and_minimum_value_are_editable() {
        let p = Policy::default();
        let mut f = PolicyForm::from_policy(&p);
        f.otp_required = false;
        f.set("otp_min_value", "250.50".into());
        let out = f.to_policy(&p).unwrap();
        assert!(!out.otp_required);
        assert_eq!(out.otp_min_value.minor(), 25_050);
    }

    #[test]
    fn server_template_errors_land_on_each_template() {
        let errs = vec![PolicyError {
            field: "templates".into(),
            message: "must contain {otp}".into(),
        }];
        assert_eq!(
            error_for(&errs, "template_email"),
            Some("must contain {otp}")
        );
        assert_eq!(error_for(&errs, "locale"), None);
    }
}
