//! The per-store redemption policy of SPEC §3, with its defaults and bounds.

use crate::contact::{CallingCode, Channel};
use crate::instrument::InstrumentKind;
use crate::money::{Currency, Money};
use crate::otp::OtpLength;
use crate::reports::FraudThresholds;
use crate::template::{MessageTemplate, Templates};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A limit on how much value one bill may take from loyalty.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BillCap {
    /// At most this value per bill.
    Absolute { value: Money },
    /// At most this percentage (1–100) of the bill total.
    Percent { percent: u8 },
}

/// A store's policy. Always valid: deserialising runs [`Policy::validate`], and a manager's
/// update is validated again by the backend before it is stored.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(try_from = "PolicyDraft")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policy {
    /// "OTP is mandatory to redeem loyalty".
    pub otp_required: bool,
    /// An OTP is asked only when the redeemed value is at least this.
    pub otp_min_value: Money,
    /// Value of one loyalty point.
    pub point_value: Money,
    pub min_redeem_points: u64,
    pub max_redeem_per_bill: Option<BillCap>,
    pub otp_length: OtpLength,
    pub otp_ttl_secs: u32,
    /// Wrong codes allowed per redemption before it locks.
    pub max_verify_attempts: u8,
    pub resend_cooldown_secs: u32,
    /// Codes sent to one customer per `send_window_secs`.
    pub max_sends_per_customer: u32,
    pub max_sends_per_terminal: u32,
    pub max_sends_per_cashier: u32,
    pub send_window_secs: u32,
    /// Messages one store may send per day.
    pub daily_message_budget: u32,
    /// Channels this store sends codes through.
    pub channels: Vec<Channel>,
    /// Instruments that need an OTP (default: all but gift cards).
    pub otp_instruments: Vec<InstrumentKind>,
    /// A manager may approve a redemption without the customer's code, on their own
    /// signed-in device (the till asks; S8). Off by default.
    pub override_enabled: bool,
    /// Overrides a store may use per day (its time zone's day).
    pub override_daily_cap: u32,
    /// The store's static override code may also be typed at the till, with the manager's
    /// code and PIN: the manager's secrets then enter the cashier's browser. A merchant's
    /// option, off by default (S8); needs `override_enabled`. Throttled like PINs (S11).
    pub override_store_code: bool,
    pub templates: Templates,
    pub currency: Currency,
    /// BCP 47 tag used for number and date formatting, e.g. `en-IN`.
    pub locale: String,
    /// Country of the store: numbers typed without a country code belong to it.
    pub country_calling_code: CallingCode,
    /// Kiosk: seconds without a touch before it returns to the start and forgets the customer.
    pub kiosk_idle_secs: u32,
    /// Points a bill earns for every `earn_per` of its total (0: this store gives no points).
    /// SPEC §3 "1 point per 100.00" is `earn_points: 1`, `earn_per: 100.00`.
    pub earn_points: u32,
    /// The part of a bill's total that earns `earn_points` (more than zero).
    pub earn_per: Money,
    /// The most points one bill can earn, whatever its total.
    pub earn_cap_per_bill: u64,
    /// Seconds after a redemption is posted during which the cashier who posted it may
    /// reverse it; after that (or for anyone else) only a manager may (0: managers only).
    pub reversal_window_secs: u32,
    /// The store's IANA time zone, e.g. `Asia/Kolkata`: its days (daily caps, the no-code
    /// total per day) start at midnight there.
    pub time_zone: String,
    /// Days a printed voucher can be redeemed after it was issued (seed 004).
    pub voucher_valid_days: u32,
    /// Hours no code may be sent to a customer who replied to one that they did not ask
    /// for it (issue 16).
    pub disowned_block_hours: u32,
    /// Messages a manager may send to customers per store day (seed 004), apart from the
    /// codes' `daily_message_budget`; 0 turns such messages off.
    pub customer_messages_per_day: u32,
    /// When a cashier's fraud signals are worth a manager's look, and opening hours.
    pub fraud: FraudThresholds,
}

/// A policy as a manager sends it, before validation: the same shape as [`Policy`] with the
/// checked fields loosened, so that converting it reports every mistake at once instead of
/// the first one serde meets.
#[derive(Clone, Debug, Deserialize)]
pub struct PolicyDraft {
    pub otp_required: bool,
    pub otp_min_value: Money,
    pub point_value: Money,
    pub min_redeem_points: u64,
    pub max_redeem_per_bill: Option<BillCap>,
    pub otp_length: u8,
    pub otp_ttl_secs: u32,
    pub max_verify_attempts: u8,
    pub resend_cooldown_secs: u32,
    pub max_sends_per_customer: u32,
    pub max_sends_per_terminal: u32,
    pub max_sends_per_cashier: u32,
    pub send_window_secs: u32,
    pub daily_message_budget: u32,
    pub channels: Vec<Channel>,
    pub otp_instruments: Vec<InstrumentKind>,
    pub override_enabled: bool,
    pub override_daily_cap: u32,
    pub templates: TemplatesDraft,
    pub currency: Currency,
    pub locale: String,
    pub country_calling_code: CallingCode,
    pub kiosk_idle_secs: u32,
    // Settings added after the first release: a stored or sent policy without them gets
    // the defaults of its currency and country (SPEC §3).
    pub earn_points: Option<u32>,
    pub earn_per: Option<Money>,
    pub earn_cap_per_bill: Option<u64>,
    pub reversal_window_secs: Option<u32>,
    pub time_zone: Option<String>,
    pub override_store_code: Option<bool>,
    pub voucher_valid_days: Option<u32>,
    pub disowned_block_hours: Option<u32>,
    pub customer_messages_per_day: Option<u32>,
    pub fraud: Option<FraudThresholds>,
}

/// Message templates before their placeholders are checked.
#[derive(Clone, Debug, Deserialize)]
pub struct TemplatesDraft {
    pub sms: String,
    pub whatsapp: String,
    pub email: String,
}

impl From<&Policy> for PolicyDraft {
    /// The policy as an editable draft (what a manager's form starts from).
    fn from(p: &Policy) -> Self {
        PolicyDraft {
            otp_required: p.otp_required,
            otp_min_value: p.otp_min_value,
            point_value: p.point_value,
            min_redeem_points: p.min_redeem_points,
            max_redeem_per_bill: p.max_redeem_per_bill,
            otp_length: p.otp_length.get(),
            otp_ttl_secs: p.otp_ttl_secs,
            max_verify_attempts: p.max_verify_attempts,
            resend_cooldown_secs: p.resend_cooldown_secs,
            max_sends_per_customer: p.max_sends_per_customer,
            max_sends_per_terminal: p.max_sends_per_terminal,
            max_sends_per_cashier: p.max_sends_per_cashier,
            send_window_secs: p.send_window_secs,
            daily_message_budget: p.daily_message_budget,
            channels: p.channels.clone(),
            otp_instruments: p.otp_instruments.clone(),
            override_enabled: p.override_enabled,
            override_daily_cap: p.override_daily_cap,
            templates: TemplatesDraft {
                sms: p.templates.sms.as_str().to_string(),
                whatsapp: p.templates.whatsapp.as_str().to_string(),
                email: p.templates.email.as_str().to_string(),
            },
            currency: p.currency,
            locale: p.locale.clone(),
            country_calling_code: p.country_calling_code,
            kiosk_idle_secs: p.kiosk_idle_secs,
            earn_points: Some(p.earn_points),
            earn_per: Some(p.earn_per),
            earn_cap_per_bill: Some(p.earn_cap_per_bill),
            reversal_window_secs: Some(p.reversal_window_secs),
            time_zone: Some(p.time_zone.clone()),
            override_store_code: Some(p.override_store_code),
            voucher_valid_days: Some(p.voucher_valid_days),
            disowned_block_hours: Some(p.disowned_block_hours),
            customer_messages_per_day: Some(p.customer_messages_per_day),
            fraud: Some(p.fraud.clone()),
        }
    }
}

impl TryFrom<PolicyDraft> for Policy {
    type Error = PolicyErrors;
    fn try_from(d: PolicyDraft) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let otp_length = OtpLength::new(d.otp_length).unwrap_or_else(|e| {
            errors.push(PolicyError {
                field: "otp_length".into(),
                message: e.to_string(),
            });
            OtpLength::DEFAULT
        });
        let defaults = Templates::default();
        let mut template = |field: &str, text: &str, fallback: &MessageTemplate| {
            MessageTemplate::parse(text).unwrap_or_else(|e| {
                errors.push(PolicyError {
                    field: format!("templates.{field}"),
                    message: e.to_string(),
                });
                fallback.clone()
            })
        };
        let templates = Templates {
            sms: template("sms", &d.templates.sms, &defaults.sms),
            whatsapp: template("whatsapp", &d.templates.whatsapp, &defaults.whatsapp),
            email: template("email", &d.templates.email, &defaults.email),
        };
        let defaults = Policy::default_for(d.currency, &d.locale, d.country_calling_code);
        let p = Policy {
            earn_points: d.earn_points.unwrap_or(defaults.earn_points),
            earn_per: d.earn_per.unwrap_or(defaults.earn_per),
            earn_cap_per_bill: d.earn_cap_per_bill.unwrap_or(defaults.earn_cap_per_bill),
            reversal_window_secs: d
                .reversal_window_secs
                .unwrap_or(defaults.reversal_window_secs),
            time_zone: d.time_zone.unwrap_or(defaults.time_zone),
            override_store_code: d.override_store_code.unwrap_or(false),
            voucher_valid_days: d.voucher_valid_days.unwrap_or(defaults.voucher_valid_days),
            disowned_block_hours: d
                .disowned_block_hours
                .unwrap_or(defaults.disowned_block_hours),
            customer_messages_per_day: d
                .customer_messages_per_day
                .unwrap_or(defaults.customer_messages_per_day),
            fraud: d.fraud.unwrap_or(defaults.fraud),
            otp_required: d.otp_required,
            otp_min_value: d.otp_min_value,
            point_value: d.point_value,
            min_redeem_points: d.min_redeem_points,
            max_redeem_per_bill: d.max_redeem_per_bill,
            otp_length,
            otp_ttl_secs: d.otp_ttl_secs,
            max_verify_attempts: d.max_verify_attempts,
            resend_cooldown_secs: d.resend_cooldown_secs,
            max_sends_per_customer: d.max_sends_per_customer,
            max_sends_per_terminal: d.max_sends_per_terminal,
            max_sends_per_cashier: d.max_sends_per_cashier,
            send_window_secs: d.send_window_secs,
            daily_message_budget: d.daily_message_budget,
            channels: d.channels,
            otp_instruments: d.otp_instruments,
            override_enabled: d.override_enabled,
            override_daily_cap: d.override_daily_cap,
            templates,
            currency: d.currency,
            locale: d.locale,
            country_calling_code: d.country_calling_code,
            kiosk_idle_secs: d.kiosk_idle_secs,
        };
        if let Err(PolicyErrors(more)) = p.validate() {
            errors.extend(more);
        }
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(PolicyErrors(errors))
        }
    }
}

/// One thing wrong with a policy, naming the field a manager must fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyError {
    pub field: String,
    pub message: String,
}

/// All that is wrong with a policy at once, so the manager fixes it in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyErrors(pub Vec<PolicyError>);

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}
impl std::error::Error for PolicyErrors {}

impl Policy {
    pub const OTP_TTL_SECS: std::ops::RangeInclusive<u32> = 60..=600;
    pub const VERIFY_ATTEMPTS: std::ops::RangeInclusive<u8> = 1..=10;
    pub const RESEND_COOLDOWN_SECS: std::ops::RangeInclusive<u32> = 10..=300;
    pub const SEND_WINDOW_SECS: std::ops::RangeInclusive<u32> = 60..=86_400;
    pub const KIOSK_IDLE_SECS: std::ops::RangeInclusive<u32> = 15..=600;
    /// Codes per customer, terminal or cashier per window, and messages per store per day.
    pub const SENDS: std::ops::RangeInclusive<u32> = 1..=1_000_000;
    pub const OVERRIDE_DAILY_CAP: std::ops::RangeInclusive<u32> = 0..=1_000;
    /// A per-bill cap as a percentage of the bill.
    pub const CAP_PERCENT: std::ops::RangeInclusive<u8> = 1..=100;
    /// Points earned per `earn_per` of a bill (0: no points).
    pub const EARN_POINTS: std::ops::RangeInclusive<u32> = 0..=1_000;
    /// The most points one bill may earn.
    pub const EARN_CAP_PER_BILL: std::ops::RangeInclusive<u64> = 1..=1_000_000;
    /// How long the cashier who posted a redemption may reverse it (0: managers only).
    pub const REVERSAL_WINDOW_SECS: std::ops::RangeInclusive<u32> = 0..=86_400;
    /// How long a printed voucher stays valid.
    pub const VOUCHER_VALID_DAYS: std::ops::RangeInclusive<u32> = 1..=3_650;
    pub const DISOWNED_BLOCK_HOURS: std::ops::RangeInclusive<u32> = 1..=720;
    pub const CUSTOMER_MESSAGES_PER_DAY: std::ops::RangeInclusive<u32> = 0..=100_000;
    /// The time zone a store gets unless its manager chooses another (SPEC §3).
    pub const DEFAULT_TIME_ZONE: &'static str = "Asia/Kolkata";

    /// SPEC §3 defaults for a store in the given currency, locale and country.
    pub fn default_for(currency: Currency, locale: &str, country: CallingCode) -> Policy {
        let one_unit = 10u64.pow(currency.minor_digits());
        Policy {
            otp_required: true,
            otp_min_value: Money::zero(currency),
            point_value: Money::new(one_unit, currency).expect("one unit is in range"),
            min_redeem_points: 50,
            max_redeem_per_bill: None,
            otp_length: OtpLength::DEFAULT,
            otp_ttl_secs: 300,
            max_verify_attempts: 5,
            resend_cooldown_secs: 30,
            max_sends_per_customer: 5,
            max_sends_per_terminal: 60,
            max_sends_per_cashier: 40,
            send_window_secs: 600,
            daily_message_budget: 2_000,
            channels: vec![Channel::Sms],
            otp_instruments: vec![
                InstrumentKind::Points,
                InstrumentKind::Package,
                InstrumentKind::Membership,
                InstrumentKind::Campaign,
            ],
            override_enabled: false,
            override_daily_cap: 3,
            override_store_code: false,
            templates: Templates::default(),
            currency,
            locale: locale.to_string(),
            country_calling_code: country,
            kiosk_idle_secs: 60,
            earn_points: 1,
            earn_per: Money::new(100 * one_unit, currency).expect("100 units are in range"),
            earn_cap_per_bill: 1_000,
            reversal_window_secs: 1_800,
            time_zone: default_time_zone(country).to_string(),
            voucher_valid_days: 90,
            disowned_block_hours: 24,
            customer_messages_per_day: 500,
            fraud: FraudThresholds::default(),
        }
    }

    /// Checks every bound and cross-field rule; returns all violations.
    pub fn validate(&self) -> Result<(), PolicyErrors> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(PolicyError {
                field: field.to_string(),
                message,
            })
        };
        let range = |r: &std::ops::RangeInclusive<u32>, unit: &str| {
            format!("must be between {} and {} {unit}", r.start(), r.end())
        };
        if self.otp_min_value.currency() != self.currency {
            bad("otp_min_value", format!("must be in {}", self.currency));
        }
        if self.point_value.currency() != self.currency {
            bad("point_value", format!("must be in {}", self.currency));
        }
        if self.point_value.is_zero() {
            bad("point_value", "must be more than zero".into());
        }
        if self.min_redeem_points > crate::quantity::Quantity::MAX {
            bad("min_redeem_points", "is unrealistically large".into());
        }
        match self.max_redeem_per_bill {
            Some(BillCap::Absolute { value }) if value.currency() != self.currency => bad(
                "max_redeem_per_bill",
                format!("must be in {}", self.currency),
            ),
            Some(BillCap::Absolute { value }) if value.is_zero() => bad(
                "max_redeem_per_bill",
                "must be more than zero (or no cap)".into(),
            ),
            Some(BillCap::Percent { percent }) if !Self::CAP_PERCENT.contains(&percent) => bad(
                "max_redeem_per_bill",
                format!(
                    "percent must be between {} and {}",
                    Self::CAP_PERCENT.start(),
                    Self::CAP_PERCENT.end()
                ),
            ),
            _ => {}
        }
        if !Self::OTP_TTL_SECS.contains(&self.otp_ttl_secs) {
            bad("otp_ttl_secs", range(&Self::OTP_TTL_SECS, "seconds"));
        }
        if !Self::VERIFY_ATTEMPTS.contains(&self.max_verify_attempts) {
            bad(
                "max_verify_attempts",
                format!(
                    "must be between {} and {}",
                    Self::VERIFY_ATTEMPTS.start(),
                    Self::VERIFY_ATTEMPTS.end()
                ),
            );
        }
        if !Self::RESEND_COOLDOWN_SECS.contains(&self.resend_cooldown_secs) {
            bad(
                "resend_cooldown_secs",
                range(&Self::RESEND_COOLDOWN_SECS, "seconds"),
            );
        } else if self.resend_cooldown_secs >= self.otp_ttl_secs {
            bad(
                "resend_cooldown_secs",
                "must be shorter than the code's lifetime".into(),
            );
        }
        for (field, v) in [
            ("max_sends_per_customer", self.max_sends_per_customer),
            ("max_sends_per_terminal", self.max_sends_per_terminal),
            ("max_sends_per_cashier", self.max_sends_per_cashier),
            ("daily_message_budget", self.daily_message_budget),
        ] {
            if v < *Self::SENDS.start() {
                bad(field, format!("must be at least {}", Self::SENDS.start()));
            } else if v > *Self::SENDS.end() {
                bad(field, format!("must be at most {}", Self::SENDS.end()));
            }
        }
        if !Self::SEND_WINDOW_SECS.contains(&self.send_window_secs) {
            bad(
                "send_window_secs",
                range(&Self::SEND_WINDOW_SECS, "seconds"),
            );
        }
        if self.channels.is_empty() {
            bad("channels", "choose at least one channel".into());
        }
        if has_duplicates(&self.channels) {
            bad("channels", "lists a channel twice".into());
        }
        if has_duplicates(&self.otp_instruments) {
            bad("otp_instruments", "lists an instrument twice".into());
        }
        if self.override_enabled && self.override_daily_cap == 0 {
            bad(
                "override_daily_cap",
                "must be at least 1 when override is on".into(),
            );
        }
        if self.override_store_code && !self.override_enabled {
            bad(
                "override_store_code",
                "turn override on first: the store code is one way to approve one".into(),
            );
        }
        if !Self::OVERRIDE_DAILY_CAP.contains(&self.override_daily_cap) {
            bad(
                "override_daily_cap",
                format!("must be at most {}", Self::OVERRIDE_DAILY_CAP.end()),
            );
        }
        if !is_locale_tag(&self.locale) {
            bad(
                "locale",
                format!("\"{}\" is not a locale such as en-IN", self.locale),
            );
        }
        if !Self::KIOSK_IDLE_SECS.contains(&self.kiosk_idle_secs) {
            bad("kiosk_idle_secs", range(&Self::KIOSK_IDLE_SECS, "seconds"));
        }
        if !Self::EARN_POINTS.contains(&self.earn_points) {
            bad("earn_points", range(&Self::EARN_POINTS, "points"));
        }
        if self.earn_per.currency() != self.currency {
            bad("earn_per", format!("must be in {}", self.currency));
        } else if self.earn_per.is_zero() {
            bad("earn_per", "must be more than zero".into());
        }
        if !Self::EARN_CAP_PER_BILL.contains(&self.earn_cap_per_bill) {
            bad(
                "earn_cap_per_bill",
                format!(
                    "must be between {} and {} points",
                    Self::EARN_CAP_PER_BILL.start(),
                    Self::EARN_CAP_PER_BILL.end()
                ),
            );
        }
        if !Self::REVERSAL_WINDOW_SECS.contains(&self.reversal_window_secs) {
            bad(
                "reversal_window_secs",
                range(&Self::REVERSAL_WINDOW_SECS, "seconds"),
            );
        }
        if !is_time_zone_name(&self.time_zone) {
            bad(
                "time_zone",
                format!(
                    "\"{}\" is not a time zone name such as Asia/Kolkata",
                    self.time_zone
                ),
            );
        }
        if !Self::VOUCHER_VALID_DAYS.contains(&self.voucher_valid_days) {
            bad(
                "voucher_valid_days",
                range(&Self::VOUCHER_VALID_DAYS, "days"),
            );
        }
        if !Self::DISOWNED_BLOCK_HOURS.contains(&self.disowned_block_hours) {
            bad(
                "disowned_block_hours",
                range(&Self::DISOWNED_BLOCK_HOURS, "hours"),
            );
        }
        if !Self::CUSTOMER_MESSAGES_PER_DAY.contains(&self.customer_messages_per_day) {
            bad(
                "customer_messages_per_day",
                range(&Self::CUSTOMER_MESSAGES_PER_DAY, "messages"),
            );
        }
        for (field, message) in self.fraud.problems() {
            bad(field, message);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(PolicyErrors(errors))
        }
    }

    /// Whether redeeming `value` of this kind needs the customer's code. `otp_min_value`
    /// covers what the customer redeems without a code all together (S12): `without_code`
    /// is what they already redeemed without one (the larger of their total on this bill
    /// and their total this store day), so splitting a redemption does not avoid the code.
    pub fn otp_needed(&self, kind: InstrumentKind, value: Money, without_code: Money) -> bool {
        self.code_possible(kind)
            && value.minor().saturating_add(without_code.minor()) >= self.otp_min_value.minor()
    }

    /// Whether redeeming this kind can need the customer's code at all (some value would).
    pub fn code_possible(&self, kind: InstrumentKind) -> bool {
        self.otp_required && self.otp_instruments.contains(&kind)
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::default_for(Currency::INR, "en-IN", CallingCode::INDIA)
    }
}

/// Whether a value repeats. The lists are a handful of enum values: comparing pairs is
/// cheaper in the browser bundle than sorting a copy.
fn has_duplicates<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, x)| items[i + 1..].contains(x))
}

/// The time zone a store in this country gets by default.
fn default_time_zone(country: CallingCode) -> &'static str {
    match country {
        CallingCode::INDONESIA => "Asia/Jakarta",
        _ => Policy::DEFAULT_TIME_ZONE,
    }
}

/// Whether a name has the shape of an IANA time zone (`Asia/Kolkata`, `America/Port-au-Prince`,
/// `Etc/GMT+5`, `UTC`). Only the shape: the contract carries no time zone database (it is in
/// the browser bundle); the backend checks that the zone exists before it stores a policy.
pub fn is_time_zone_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.split('/').all(|part| {
            (1..=30).contains(&part.len())
                && part.starts_with(|c: char| c.is_ascii_uppercase())
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b))
        })
}

/// A BCP 47 language tag in the simple form language[-Script][-REGION], e.g. `en-IN`, `id-ID`.
pub fn is_locale_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()));
    lang_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        && tag.len() <= 35
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(p: &Policy) -> Vec<String> {
        p.validate()
            .err()
            .map(|e| e.0.into_iter().map(|e| e.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn defaults_match_the_spec() {
        let p = Policy::default();
        assert!(p.validate().is_ok());
        assert!(p.otp_required);
        assert_eq!(p.otp_min_value.minor(), 0);
        assert_eq!(p.point_value.minor(), 100, "1 point = ₹1.00");
        assert_eq!(p.min_redeem_points, 50);
        assert_eq!(p.max_redeem_per_bill, None);
        assert_eq!(p.otp_length.get(), 6);
        assert_eq!(p.otp_ttl_secs, 300);
        assert_eq!(p.max_verify_attempts, 5);
        assert_eq!(p.resend_cooldown_secs, 30);
        assert_eq!((p.max_sends_per_customer, p.send_window_secs), (5, 600));
        assert_eq!(p.channels, vec![Channel::Sms]);
        assert!(!p.override_enabled);
        assert!(
            !p.override_store_code,
            "no manager secret at the till unless chosen (S8)"
        );
        assert!(!p.otp_instruments.contains(&InstrumentKind::GiftCard));
        assert_eq!((p.currency, p.locale.as_str()), (Currency::INR, "en-IN"));
        let idr = Policy::default_for(Currency::IDR, "id-ID", CallingCode::INDONESIA);
        assert!(idr.validate().is_ok());
    }

    #[test]
    fn every_bound_is_enforced() {
        let ok = Policy::default();
        let check = |f: &dyn Fn(&mut Policy), field: &str| {
            let mut p = ok.clone();
            f(&mut p);
            assert!(
                fields(&p).contains(&field.to_string()),
                "{field}: {:?}",
                fields(&p)
            );
        };
        check(&|p| p.otp_ttl_secs = 59, "otp_ttl_secs");
        check(&|p| p.otp_ttl_secs = 601, "otp_ttl_secs");
        check(&|p| p.max_verify_attempts = 0, "max_verify_attempts");
        check(&|p| p.max_verify_attempts = 11, "max_verify_attempts");
        check(&|p| p.resend_cooldown_secs = 5, "resend_cooldown_secs");
        check(
            &|p| {
                p.otp_ttl_secs = 60;
                p.resend_cooldown_secs = 60
            },
            "resend_cooldown_secs",
        );
        check(&|p| p.max_sends_per_customer = 0, "max_sends_per_customer");
        check(&|p| p.daily_message_budget = 0, "daily_message_budget");
        check(&|p| p.send_window_secs = 10, "send_window_secs");
        check(&|p| p.channels.clear(), "channels");
        check(
            &|p| p.channels = vec![Channel::Sms, Channel::Sms],
            "channels",
        );
        check(
            &|p| p.otp_instruments = vec![InstrumentKind::Points; 2],
            "otp_instruments",
        );
        check(
            &|p| p.point_value = Money::zero(Currency::INR),
            "point_value",
        );
        check(
            &|p| p.point_value = Money::new(100, Currency::USD).unwrap(),
            "point_value",
        );
        check(
            &|p| p.otp_min_value = Money::new(1, Currency::USD).unwrap(),
            "otp_min_value",
        );
        check(
            &|p| p.max_redeem_per_bill = Some(BillCap::Percent { percent: 0 }),
            "max_redeem_per_bill",
        );
        check(
            &|p| p.max_redeem_per_bill = Some(BillCap::Percent { percent: 101 }),
            "max_redeem_per_bill",
        );
        check(
            &|p| {
                p.max_redeem_per_bill = Some(BillCap::Absolute {
                    value: Money::zero(Currency::INR),
                })
            },
            "max_redeem_per_bill",
        );
        check(
            &|p| {
                p.override_enabled = true;
                p.override_daily_cap = 0
            },
            "override_daily_cap",
        );
        check(&|p| p.override_store_code = true, "override_store_code");
        check(&|p| p.locale = "english".into(), "locale");
        check(&|p| p.locale = "EN_in".into(), "locale");
        check(&|p| p.kiosk_idle_secs = 5, "kiosk_idle_secs");
        check(&|p| p.min_redeem_points = u64::MAX, "min_redeem_points");
        check(&|p| p.earn_points = 1_001, "earn_points");
        check(&|p| p.earn_per = Money::zero(Currency::INR), "earn_per");
        check(
            &|p| p.earn_per = Money::new(100, Currency::USD).unwrap(),
            "earn_per",
        );
        check(&|p| p.earn_cap_per_bill = 0, "earn_cap_per_bill");
        check(&|p| p.earn_cap_per_bill = 1_000_001, "earn_cap_per_bill");
        check(&|p| p.reversal_window_secs = 86_401, "reversal_window_secs");
        for bad in [
            "",
            "Kolkata ",
            "asia/kolkata",
            "Asia//Kolkata",
            "Asia/Kolkata;",
            "../etc",
        ] {
            check(&|p| p.time_zone = bad.into(), "time_zone");
        }
    }

    #[test]
    fn new_settings_have_spec_defaults_and_time_zones_are_checked_by_shape() {
        let p = Policy::default();
        assert_eq!(
            (p.earn_points, p.earn_per.minor()),
            (1, 10_000),
            "1 point per ₹100.00"
        );
        assert_eq!(p.earn_cap_per_bill, 1_000);
        assert_eq!(p.reversal_window_secs, 1_800, "30 min");
        assert_eq!(p.time_zone, "Asia/Kolkata");
        let idr = Policy::default_for(Currency::IDR, "id-ID", CallingCode::INDONESIA);
        assert_eq!(idr.time_zone, "Asia/Jakarta");
        assert_eq!(idr.earn_per, Money::new(10_000, Currency::IDR).unwrap());
        for ok in [
            "Asia/Kolkata",
            "UTC",
            "America/Argentina/Buenos_Aires",
            "America/Port-au-Prince",
            "Etc/GMT+5",
        ] {
            assert!(is_time_zone_name(ok), "{ok}");
        }
    }

    #[test]
    fn a_policy_stored_before_the_new_settings_reads_with_their_defaults() {
        let mut v = serde_json::to_value(Policy::default()).unwrap();
        let o = v.as_object_mut().unwrap();
        for f in [
            "earn_points",
            "earn_per",
            "earn_cap_per_bill",
            "reversal_window_secs",
            "time_zone",
        ] {
            assert!(o.remove(f).is_some(), "{f}");
        }
        assert_eq!(
            serde_json::from_value::<Policy>(v.clone()).unwrap(),
            Policy::default()
        );
        assert_eq!(
            crate::wire::from_str::<Policy>(&v.to_string()).unwrap(),
            Policy::default()
        );
    }

    #[test]
    fn all_violations_are_reported_together() {
        let p = Policy {
            otp_ttl_secs: 1,
            channels: vec![],
            ..Policy::default()
        };
        assert_eq!(
            fields(&p),
            vec!["otp_ttl_secs", "resend_cooldown_secs", "channels"]
        );
    }

    #[test]
    fn a_draft_reports_length_template_and_bound_errors_together() {
        let mut v = serde_json::to_value(Policy::default()).unwrap();
        v["otp_length"] = 4.into();
        v["templates"]["sms"] = "Your code is {code}".into();
        v["otp_ttl_secs"] = 3600.into();
        let draft: PolicyDraft = serde_json::from_value(v).unwrap();
        let fields: Vec<String> = Policy::try_from(draft)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["otp_length", "templates.sms", "otp_ttl_secs"]);
    }

    #[test]
    fn deserialising_validates() {
        let mut v = serde_json::to_value(Policy::default()).unwrap();
        assert_eq!(
            serde_json::from_value::<Policy>(v.clone()).unwrap(),
            Policy::default()
        );
        v["otp_ttl_secs"] = 3600.into();
        let err = serde_json::from_value::<Policy>(v).unwrap_err().to_string();
        assert!(err.contains("otp_ttl_secs"), "{err}");
    }

    #[test]
    fn otp_needed_follows_required_instruments_and_minimum_value() {
        let mut p = Policy::default();
        let inr = |m| Money::new(m, Currency::INR).unwrap();
        assert!(p.otp_needed(InstrumentKind::Points, inr(0), inr(0)));
        assert!(!p.otp_needed(InstrumentKind::GiftCard, inr(10_000), inr(0)));
        p.otp_min_value = inr(50_000);
        assert!(!p.otp_needed(InstrumentKind::Points, inr(49_999), inr(0)));
        assert!(p.otp_needed(InstrumentKind::Points, inr(50_000), inr(0)));
        p.otp_required = false;
        assert!(!p.otp_needed(InstrumentKind::Points, inr(90_000), inr(0)));
    }
}
