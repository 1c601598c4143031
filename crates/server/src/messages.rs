//! What a customer reads: the message catalog (texts per kind, channel and locale), amounts
//! and numbers written as people write them, and values made safe for the channel.
//!
//! The OTP text of a store is its policy's template when the manager has changed it;
//! otherwise the catalog's text for the store's locale, so a store in `hi-IN` that keeps the
//! defaults gets the Hindi text the operator configured. Confirmations and e-mail subjects
//! come only from the catalog. Every text is checked when the server starts: a bad one stops
//! it with the file, locale, channel and reason named.

use contract::template::TemplateKind;
use contract::{
    Channel, MessageTemplate, Money, Policy, Template, TemplateError, TemplateValues, Templates,
    Unit,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The subject of a manager's alert (sent by SMS; an e-mail gateway would use it).
pub const ALERT_SUBJECT: &str = "RedeemGuard: a cashier to check";

/// A manager's alert: the cashier as `{customer}` (the person it is about), the signals with
/// their counts as `{quantity}`. A text, so a provider's registered template is checked
/// against it like any other.
pub const ALERT_TEXT: &str =
    "RedeemGuard: cashier {customer} at {store} crossed {quantity} today. Check the back office.";

pub fn alert_template() -> Template {
    Template::parse(TemplateKind::Subject, ALERT_TEXT).expect("the alert's text is valid")
}

/// The daily summary's text: the store, the day with its redemptions and vouchers as
/// `{quantity}`, their value as `{value}`.
pub const SUMMARY_TEXT: &str = "RedeemGuard daily summary, {store}: {quantity}; {value} redeemed.";

pub fn summary_template() -> Template {
    Template::parse(TemplateKind::Subject, SUMMARY_TEXT).expect("the summary's text is valid")
}

/// The e-mail subject of a manager's message to customers.
pub fn manual_subject() -> Template {
    Template::parse(TemplateKind::Subject, "A message from {store}")
        .expect("the manual subject is valid")
}

pub fn alert_subject() -> Template {
    Template::parse(TemplateKind::Subject, ALERT_SUBJECT).expect("the alert's subject is valid")
}

/// The kinds of message the server sends.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The one-time code for a redemption.
    Otp,
    /// A kiosk customer's code to prove the number is theirs (no amount yet: S3 is kept by
    /// the voucher's own code).
    Identify,
    /// The amount and the store, sent just before a code that goes by a template that cannot
    /// state them (WhatsApp's authentication templates), so the customer still reads what
    /// the code would approve (S3). Never the code.
    Notice,
    /// After a commit: "You redeemed 500 points (₹500.00) at …; balance 700."
    Redeemed,
    /// After an accrual: "You earned 50 points at …; balance 1,250."
    Accrued,
    /// After a printed voucher was posted: its code, so losing the paper loses nothing.
    Voucher,
    /// To a store's managers: a cashier's fraud signal crossed its threshold today. Never a
    /// code.
    Alert,
    /// To a customer given their first loyalty card, who agreed to service messages (seed 004's
    /// "SMS upon registration"): `{store}` and `{customer}`, no code, no amount.
    Welcome,
    /// The store's day to its staff who asked for it, at closing time (seed 004's "daily
    /// sales info"): SMS only, never a code or a customer.
    Summary,
    /// A manager's message to customers who agreed to it (seed 004): the manager's own text,
    /// so a provider's registered text is checked against it when it is written. Never a code.
    Manual,
}

/// The messages sent after the fact, which carry no one-time code.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConfirmationKind {
    Redeemed,
    Accrued,
    Voucher,
}

impl From<ConfirmationKind> for MessageKind {
    fn from(k: ConfirmationKind) -> MessageKind {
        match k {
            ConfirmationKind::Redeemed => MessageKind::Redeemed,
            ConfirmationKind::Accrued => MessageKind::Accrued,
            ConfirmationKind::Voucher => MessageKind::Voucher,
        }
    }
}

impl MessageKind {
    /// Every kind, in the order the configuration lists them.
    pub const ALL: [MessageKind; 10] = [
        MessageKind::Otp,
        MessageKind::Identify,
        MessageKind::Notice,
        MessageKind::Redeemed,
        MessageKind::Accrued,
        MessageKind::Voucher,
        MessageKind::Alert,
        MessageKind::Welcome,
        MessageKind::Summary,
        MessageKind::Manual,
    ];

    /// The kind a configuration names (`otp`, `identify`, …).
    pub fn parse(name: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The names, for error messages.
    pub fn names() -> String {
        MessageKind::ALL.map(MessageKind::as_str).join(", ")
    }

    /// Messages a store can do without: a gateway not set up for them (its request needs ids
    /// it has none of for them) still starts and sends every other kind.
    pub fn optional(self) -> bool {
        matches!(
            self,
            MessageKind::Welcome | MessageKind::Summary | MessageKind::Manual
        )
    }

    /// Whether the message carries a one-time code.
    pub fn carries_code(self) -> bool {
        matches!(self, MessageKind::Otp | MessageKind::Identify)
    }

    /// The rules of its text, and so the values it has ([`Vars`]); a manager's alert has
    /// the cashier (`{customer}`), the store and the signals crossed (`{quantity}`).
    pub fn template_kind(self) -> TemplateKind {
        match self {
            MessageKind::Otp => TemplateKind::Code,
            MessageKind::Identify => TemplateKind::Identify,
            MessageKind::Notice => TemplateKind::Confirmation,
            MessageKind::Redeemed | MessageKind::Accrued => TemplateKind::Confirmation,
            MessageKind::Voucher => TemplateKind::Voucher,
            MessageKind::Alert | MessageKind::Summary => TemplateKind::Subject,
            MessageKind::Welcome | MessageKind::Manual => TemplateKind::Manual,
        }
    }

    /// Whether messages of this kind may go out on `channel` (alerts go to managers by SMS).
    pub fn goes_on(self, channel: Channel) -> bool {
        !matches!(self, MessageKind::Alert | MessageKind::Summary) || channel == Channel::Sms
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Otp => "otp",
            MessageKind::Identify => "identify",
            MessageKind::Notice => "notice",
            MessageKind::Redeemed => "redeemed",
            MessageKind::Accrued => "accrued",
            MessageKind::Voucher => "voucher",
            MessageKind::Alert => "alert",
            MessageKind::Welcome => "welcome",
            MessageKind::Summary => "summary",
            MessageKind::Manual => "manual",
        }
    }
}

/// What a message states, written for people and made safe for its channel. The catalog's
/// texts take these values by their placeholders, and a gateway's request template by the
/// same names (`{otp}`, `{quantity}`, `{instrument}`, …), so template APIs (India's DLT, WhatsApp
/// templates, Twilio content) get each value apart, without `{message}`. It may hold the code,
/// so `Debug` shows only which values are set.
#[derive(Default, Clone)]
pub struct Vars {
    /// The one-time code (code messages only).
    pub otp: String,
    /// The quantity with its unit and what it is of ("1 session of Hair spa × 6").
    pub quantity: String,
    /// What is redeemed or earned ("Loyalty points", "Hair spa × 6").
    pub instrument: String,
    pub points: String,
    pub value: String,
    pub store: String,
    pub minutes: String,
    pub customer: String,
    pub balance: String,
    pub voucher: String,
    pub until: String,
}

impl Vars {
    /// Every value's name, as templates write it.
    pub const NAMES: [&'static str; 11] = [
        "otp",
        "quantity",
        "instrument",
        "points",
        "value",
        "store",
        "minutes",
        "customer",
        "balance",
        "voucher",
        "until",
    ];

    pub fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "otp" => &self.otp,
            "quantity" => &self.quantity,
            "instrument" => &self.instrument,
            "points" => &self.points,
            "value" => &self.value,
            "store" => &self.store,
            "minutes" => &self.minutes,
            "customer" => &self.customer,
            "balance" => &self.balance,
            "voucher" => &self.voucher,
            "until" => &self.until,
            _ => return None,
        })
    }

    /// The values as the catalog's texts take them.
    pub fn values(&self) -> TemplateValues<'_> {
        TemplateValues {
            otp: &self.otp,
            quantity: &self.quantity,
            points: &self.points,
            value: &self.value,
            store: &self.store,
            minutes: &self.minutes,
            customer: &self.customer,
            balance: &self.balance,
            voucher: &self.voucher,
            until: &self.until,
        }
    }
}

impl std::fmt::Debug for Vars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set: Vec<&str> = Vars::NAMES
            .into_iter()
            .filter(|n| self.get(n).is_some_and(|v| !v.is_empty()))
            .collect();
        f.debug_struct("Vars").field("set", &set).finish()
    }
}

/// The texts of one channel in one locale, as the file gives them (all optional).
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ChannelTextsFile {
    pub otp: Option<String>,
    pub redeemed: Option<String>,
    pub accrued: Option<String>,
    /// A kiosk customer's code to prove the number is theirs (`{otp}`, `{store}`; no amount).
    pub identify: Option<String>,
    /// A printed voucher's code (`{voucher}`, an amount, `{store}`; `{until}`).
    pub voucher: Option<String>,
    /// The amount and store sent before a code whose template cannot state them (an amount
    /// and `{store}`; no code).
    pub notice: Option<String>,
    /// To a customer given their first card (`{store}` required, `{customer}`).
    pub welcome: Option<String>,
    /// E-mail only.
    pub otp_subject: Option<String>,
    pub redeemed_subject: Option<String>,
    pub accrued_subject: Option<String>,
    pub identify_subject: Option<String>,
    pub voucher_subject: Option<String>,
    pub notice_subject: Option<String>,
    pub welcome_subject: Option<String>,
}

/// One locale's texts in the file: `[messages."hi-IN".sms]` and so on.
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct LocaleTextsFile {
    pub sms: Option<ChannelTextsFile>,
    pub whatsapp: Option<ChannelTextsFile>,
    pub email: Option<ChannelTextsFile>,
}

/// The `[messages]` table: locale tag (`hi-IN`, or a language such as `hi`) → texts.
pub type MessagesFile = BTreeMap<String, LocaleTextsFile>;

/// `over`'s texts, and `base`'s wherever `over` has none (a merchant's own texts over the
/// server's): text by text, per locale and channel.
pub fn merged(base: &MessagesFile, over: &MessagesFile) -> MessagesFile {
    macro_rules! texts {
        ($a:expr, $b:expr; $($f:ident),* $(,)?) => {
            ChannelTextsFile { $($f: $b.$f.clone().or_else(|| $a.$f.clone()),)* }
        };
    }
    let channel = |a: &Option<ChannelTextsFile>, b: &Option<ChannelTextsFile>| match (a, b) {
        (Some(a), Some(b)) => Some(texts!(a, b; otp, redeemed, accrued, identify, voucher,
            notice, welcome, otp_subject, redeemed_subject, accrued_subject, identify_subject,
            voucher_subject, notice_subject, welcome_subject)),
        (a, b) => b.clone().or_else(|| a.clone()),
    };
    let mut out = base.clone();
    for (tag, theirs) in over {
        let ours = base.get(tag).cloned().unwrap_or_default();
        out.insert(
            tag.clone(),
            LocaleTextsFile {
                sms: channel(&ours.sms, &theirs.sms),
                whatsapp: channel(&ours.whatsapp, &theirs.whatsapp),
                email: channel(&ours.email, &theirs.email),
            },
        );
    }
    out
}

#[derive(Debug, Default, Clone)]
struct ChannelTexts {
    otp: Option<MessageTemplate>,
    redeemed: Option<Template>,
    accrued: Option<Template>,
    identify: Option<Template>,
    voucher: Option<Template>,
    notice: Option<Template>,
    welcome: Option<Template>,
    otp_subject: Option<Template>,
    redeemed_subject: Option<Template>,
    accrued_subject: Option<Template>,
    identify_subject: Option<Template>,
    voucher_subject: Option<Template>,
    notice_subject: Option<Template>,
    welcome_subject: Option<Template>,
}

#[derive(Debug, Default, Clone)]
struct LocaleTexts {
    sms: ChannelTexts,
    whatsapp: ChannelTexts,
    email: ChannelTexts,
}

impl LocaleTexts {
    fn channel(&self, channel: Channel) -> &ChannelTexts {
        match channel {
            Channel::Sms => &self.sms,
            Channel::Whatsapp => &self.whatsapp,
            Channel::Email => &self.email,
        }
    }
}

/// Every text the server may send, checked. Built-in English fills what the file leaves out.
#[derive(Debug, Clone)]
pub struct MessageCatalog {
    /// Lower-cased locale tag → texts.
    locales: BTreeMap<String, LocaleTexts>,
    built_in: LocaleTexts,
}

fn built_in() -> LocaleTexts {
    let t = |kind, text: &str| Some(Template::parse(kind, text).expect("built-in text is valid"));
    use TemplateKind::{Confirmation, Identify, Manual, Subject, Voucher};
    let identify = "{otp} is your code to use your loyalty at {store} (self-service kiosk). It expires in {minutes} min. Do not share it.";
    let voucher = "Your voucher for {quantity} ({value}) at {store}: {voucher}. Show this code at the counter by {until}. It can be used once.";
    let notice = "{store} is asking to redeem {quantity} ({value}) from your loyalty. Your code follows in the next message: share it only if you agree.";
    let welcome = "Welcome to {store} loyalty, {customer}. Give your mobile number or show your card at the counter to earn and use your points.";
    let short = |redeemed: &str, accrued: &str| ChannelTexts {
        welcome: t(Manual, welcome),
        redeemed: t(Confirmation, redeemed),
        accrued: t(Confirmation, accrued),
        identify: t(Identify, identify),
        voucher: t(Voucher, voucher),
        notice: t(Confirmation, notice),
        ..Default::default()
    };
    LocaleTexts {
        sms: short(
            "You redeemed {points} points ({value}) at {store}. Balance: {balance} points.",
            "You earned {points} points at {store}. Balance: {balance} points.",
        ),
        whatsapp: short(
            "Hi {customer}, you redeemed {points} points ({value}) at {store}. Your balance is {balance} points.",
            "Hi {customer}, you earned {points} points at {store}. Your balance is {balance} points.",
        ),
        email: ChannelTexts {
            otp_subject: t(Subject, "Your code for {store}"),
            redeemed_subject: t(Subject, "You redeemed {points} points at {store}"),
            accrued_subject: t(Subject, "You earned {points} points at {store}"),
            identify_subject: t(Subject, "Your code for {store}"),
            voucher_subject: t(Subject, "Your voucher for {value} at {store}"),
            notice_subject: t(Subject, "{store} is asking to redeem {value}"),
            welcome_subject: t(Subject, "Welcome to {store} loyalty"),
            ..short(
                "Dear {customer},\n\nYou redeemed {points} points ({value}) at {store}. Your balance is {balance} points.\n\nIf this was not you, please tell the store.",
                "Dear {customer},\n\nYou earned {points} points at {store}. Your balance is {balance} points.",
            )
        },
    }
}

impl Default for MessageCatalog {
    fn default() -> Self {
        MessageCatalog {
            locales: BTreeMap::new(),
            built_in: built_in(),
        }
    }
}

impl MessageCatalog {
    /// Checks every text of the file; the error names where the bad one is.
    pub fn from_file(file: &MessagesFile) -> Result<MessageCatalog, String> {
        let mut catalog = MessageCatalog::default();
        for (locale, texts) in file {
            let tag = locale.trim().to_ascii_lowercase();
            if !is_locale_tag(&tag) {
                return Err(format!(
                    "[messages.\"{locale}\"]: not a locale tag (use e.g. en-IN, hi-IN or hi)"
                ));
            }
            let mut parsed = LocaleTexts::default();
            for channel in Channel::ALL {
                let Some(given) = (match channel {
                    Channel::Sms => &texts.sms,
                    Channel::Whatsapp => &texts.whatsapp,
                    Channel::Email => &texts.email,
                }) else {
                    continue;
                };
                let at = |field: &str, e: TemplateError| {
                    format!("[messages.\"{locale}\".{}] {field}: {e}", channel.as_str())
                };
                let check = |field: &str, kind, text: &Option<String>| {
                    text.as_deref()
                        .map(|s| Template::parse(kind, s).map_err(|e| at(field, e)))
                        .transpose()
                };
                let out = ChannelTexts {
                    otp: given
                        .otp
                        .as_deref()
                        .map(|s| MessageTemplate::parse(s).map_err(|e| at("otp", e)))
                        .transpose()?,
                    redeemed: check("redeemed", TemplateKind::Confirmation, &given.redeemed)?,
                    accrued: check("accrued", TemplateKind::Confirmation, &given.accrued)?,
                    identify: check("identify", TemplateKind::Identify, &given.identify)?,
                    voucher: check("voucher", TemplateKind::Voucher, &given.voucher)?,
                    notice: check("notice", TemplateKind::Confirmation, &given.notice)?,
                    welcome: check("welcome", TemplateKind::Manual, &given.welcome)?,
                    otp_subject: check("otp_subject", TemplateKind::Subject, &given.otp_subject)?,
                    redeemed_subject: check(
                        "redeemed_subject",
                        TemplateKind::Subject,
                        &given.redeemed_subject,
                    )?,
                    accrued_subject: check(
                        "accrued_subject",
                        TemplateKind::Subject,
                        &given.accrued_subject,
                    )?,
                    identify_subject: check(
                        "identify_subject",
                        TemplateKind::Subject,
                        &given.identify_subject,
                    )?,
                    voucher_subject: check(
                        "voucher_subject",
                        TemplateKind::Subject,
                        &given.voucher_subject,
                    )?,
                    notice_subject: check(
                        "notice_subject",
                        TemplateKind::Subject,
                        &given.notice_subject,
                    )?,
                    welcome_subject: check(
                        "welcome_subject",
                        TemplateKind::Subject,
                        &given.welcome_subject,
                    )?,
                };
                let has_subject = out.otp_subject.is_some()
                    || out.redeemed_subject.is_some()
                    || out.accrued_subject.is_some()
                    || out.identify_subject.is_some()
                    || out.voucher_subject.is_some()
                    || out.notice_subject.is_some()
                    || out.welcome_subject.is_some();
                if has_subject && channel != Channel::Email {
                    return Err(format!(
                        "[messages.\"{locale}\".{}]: subjects are for e-mail only",
                        channel.as_str()
                    ));
                }
                match channel {
                    Channel::Sms => parsed.sms = out,
                    Channel::Whatsapp => parsed.whatsapp = out,
                    Channel::Email => parsed.email = out,
                }
            }
            catalog.locales.insert(tag, parsed);
        }
        Ok(catalog)
    }

    /// The file's texts for a locale, most specific first: `hi-IN`, then `hi`.
    fn chain(&self, locale: &str) -> impl Iterator<Item = &LocaleTexts> {
        let tag = locale.trim().to_ascii_lowercase();
        let language = tag.split('-').next().unwrap_or_default().to_string();
        let exact = self.locales.get(&tag);
        let lang = (language != tag)
            .then(|| self.locales.get(&language))
            .flatten();
        exact.into_iter().chain(lang)
    }

    fn pick<T: Clone>(
        &self,
        locale: &str,
        channel: Channel,
        field: impl Fn(&ChannelTexts) -> &Option<T>,
    ) -> Option<T> {
        self.chain(locale)
            .chain(std::iter::once(&self.built_in))
            .find_map(|l| field(l.channel(channel)).clone())
    }

    /// The OTP text for a store and channel (see the module comment for the order).
    pub fn otp(&self, policy: &Policy, channel: Channel) -> MessageTemplate {
        let defaults = Templates::default();
        let (own, default) = match channel {
            Channel::Sms => (&policy.templates.sms, defaults.sms),
            Channel::Whatsapp => (&policy.templates.whatsapp, defaults.whatsapp),
            Channel::Email => (&policy.templates.email, defaults.email),
        };
        if *own != default {
            return own.clone();
        }
        self.pick(&policy.locale, channel, |c| &c.otp)
            .unwrap_or(default)
    }

    /// The confirmation text after a commit or an accrual.
    pub fn confirmation(&self, locale: &str, channel: Channel, kind: ConfirmationKind) -> Template {
        let found = match kind {
            ConfirmationKind::Redeemed => self.pick(locale, channel, |c| &c.redeemed),
            ConfirmationKind::Accrued => self.pick(locale, channel, |c| &c.accrued),
            ConfirmationKind::Voucher => self.pick(locale, channel, |c| &c.voucher),
        };
        found.expect("the built-in catalog has every confirmation")
    }

    /// A kiosk customer's identification code text, and its e-mail subject.
    pub fn identify(&self, locale: &str, channel: Channel) -> (Template, Template) {
        let text = self.pick(locale, channel, |c| &c.identify);
        let subject = self.pick(locale, Channel::Email, |c| &c.identify_subject);
        (
            text.expect("the built-in catalog has every identification text"),
            subject.expect("the built-in catalog has every subject"),
        )
    }

    /// The locales the file gives texts for (lower-cased tags).
    pub fn locales(&self) -> impl Iterator<Item = &str> {
        self.locales.keys().map(String::as_str)
    }

    /// The text a message of `kind` has in `locale` on `channel` when no manager changed it
    /// (a store's own code text is its policy's: [`MessageCatalog::otp`]).
    pub fn text(&self, locale: &str, channel: Channel, kind: MessageKind) -> Template {
        let built_in_code = || {
            let d = Templates::default();
            match channel {
                Channel::Sms => d.sms,
                Channel::Whatsapp => d.whatsapp,
                Channel::Email => d.email,
            }
        };
        match kind {
            MessageKind::Otp => self
                .pick(locale, channel, |c| &c.otp)
                .unwrap_or_else(built_in_code)
                .into(),
            MessageKind::Identify => self.identify(locale, channel).0,
            MessageKind::Notice => self
                .pick(locale, channel, |c| &c.notice)
                .expect("the built-in catalog has every notice"),
            MessageKind::Redeemed => self.confirmation(locale, channel, ConfirmationKind::Redeemed),
            MessageKind::Accrued => self.confirmation(locale, channel, ConfirmationKind::Accrued),
            MessageKind::Voucher => self.confirmation(locale, channel, ConfirmationKind::Voucher),
            MessageKind::Alert => alert_template(),
            MessageKind::Welcome => self
                .pick(locale, channel, |c| &c.welcome)
                .expect("the built-in catalog has every welcome"),
            MessageKind::Summary => summary_template(),
            // A manager writes each one; this stands for it where a text is needed unwritten.
            MessageKind::Manual => manual_subject(),
        }
    }

    /// The e-mail subject for a kind of message.
    pub fn subject(&self, locale: &str, kind: MessageKind) -> Template {
        let found = match kind {
            MessageKind::Otp => self.pick(locale, Channel::Email, |c| &c.otp_subject),
            MessageKind::Identify => self.pick(locale, Channel::Email, |c| &c.identify_subject),
            MessageKind::Notice => self.pick(locale, Channel::Email, |c| &c.notice_subject),
            MessageKind::Redeemed => self.pick(locale, Channel::Email, |c| &c.redeemed_subject),
            MessageKind::Accrued => self.pick(locale, Channel::Email, |c| &c.accrued_subject),
            MessageKind::Voucher => self.pick(locale, Channel::Email, |c| &c.voucher_subject),
            MessageKind::Alert => Some(alert_subject()),
            MessageKind::Welcome => self.pick(locale, Channel::Email, |c| &c.welcome_subject),
            MessageKind::Summary => Some(summary_template()),
            MessageKind::Manual => Some(manual_subject()),
        };
        found.expect("the built-in catalog has every subject")
    }
}

/// A locale tag's shape (`en-IN`, `hi`): the message catalog's sections and a new store's
/// locale are checked by it.
pub fn is_locale_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 35
        && tag.split('-').all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// A value from the database (a customer's or store's name) made safe for the channel:
/// control characters and line or direction breaks become spaces on every channel (a name
/// must not start a new line that reads like part of the message), WhatsApp's formatting
/// marks are dropped (a name cannot turn the message bold or strike out the amount), and the
/// length is capped. HTML e-mail escapes the whole text when it builds its HTML part.
pub fn safe_value(channel: Channel, value: &str) -> String {
    const MAX_CHARS: usize = 60;
    let breaks = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if channel == Channel::Whatsapp && matches!(c, '*' | '_' | '~' | '`') {
            continue;
        }
        let c = if breaks(c) { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_end();
    trimmed.chars().take(MAX_CHARS).collect()
}

/// HTML with the text's characters escaped and its line breaks kept.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>\n"),
            c => out.push(c),
        }
    }
    out
}

/// Digits grouped as people of the currency write them: `1,20,000` for rupees (Indian
/// grouping), `120,000` otherwise.
pub fn group_digits(digits: &str, indian: bool) -> String {
    let digits: Vec<char> = digits.chars().collect();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 2);
    for (i, d) in digits.iter().enumerate() {
        let from_end = digits.len() - i;
        let boundary = if indian {
            from_end >= 3 && (from_end - 3).is_multiple_of(2)
        } else {
            from_end.is_multiple_of(3)
        };
        if i > 0 && boundary {
            grouped.push(',');
        }
        grouped.push(*d);
    }
    grouped
}

/// A count (points, a balance) as a message writes it, grouped like the store's currency.
pub fn display_count(n: u64, policy: &Policy) -> String {
    group_digits(&n.to_string(), policy.currency.code() == "INR")
}

/// A quantity as a customer's message states it, with its unit and what it is of: "500
/// points", "1 session of Hair spa × 6", "Gold membership credit" (credit's amount is the
/// message's `{value}`; `label` made safe for the channel by the caller).
pub fn display_quantity(quantity: u64, unit: Unit, label: &str, policy: &Policy) -> String {
    match unit {
        Unit::Points => format!(
            "{} {}",
            display_count(quantity, policy),
            unit.noun(quantity)
        ),
        // The amount is `{value}` beside it: "Gold membership credit (₹500.00)".
        Unit::Credit => label.to_string(),
        Unit::Sessions | Unit::Uses => format!(
            "{} {} of {label}",
            display_count(quantity, policy),
            unit.noun(quantity)
        ),
    }
}

/// How an amount reads in a message: `₹1,20,000.00` (Indian grouping for rupees),
/// `$1,250.50`, else `IDR 5,000.00`.
pub fn display_money(m: Money) -> String {
    let decimal = m.to_decimal_string();
    let (whole, fraction) = decimal
        .split_once('.')
        .map_or((decimal.as_str(), None), |(w, f)| (w, Some(f)));
    let grouped = group_digits(whole, m.currency().code() == "INR");
    let number = match fraction {
        Some(f) => format!("{grouped}.{f}"),
        None => grouped,
    };
    match m.currency().code() {
        "INR" => format!("₹{number}"),
        "USD" => format!("${number}"),
        "EUR" => format!("€{number}"),
        "GBP" => format!("£{number}"),
        "IDR" => format!("Rp {number}"),
        code => format!("{code} {number}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::{CallingCode, Currency, TemplateValues};

    #[test]
    fn amounts_read_as_people_write_them() {
        let inr = |m| display_money(Money::new(m, Currency::INR).unwrap());
        assert_eq!(inr(50_000), "₹500.00");
        assert_eq!(inr(12_000_000), "₹1,20,000.00");
        assert_eq!(inr(123_456_789), "₹12,34,567.89");
        assert_eq!(inr(5), "₹0.05");
        assert_eq!(
            display_money(Money::new(125_050, Currency::USD).unwrap()),
            "$1,250.50"
        );
        assert_eq!(
            display_money(Money::new(100_000_000, Currency::IDR).unwrap()),
            "Rp 1,000,000.00"
        );
        let india = Policy::default_for(Currency::INR, "en-IN", CallingCode::INDIA);
        assert_eq!(display_count(1_200, &india), "1,200");
        assert_eq!(display_count(120_000, &india), "1,20,000");
        assert_eq!(display_count(7, &india), "7");
    }

    #[test]
    fn quantities_read_with_their_unit_and_what_they_are_of() {
        let india = Policy::default_for(Currency::INR, "en-IN", CallingCode::INDIA);
        let q = |n, unit, label| display_quantity(n, unit, label, &india);
        assert_eq!(q(1, Unit::Sessions, "Hair Spa"), "1 session of Hair Spa");
        assert_eq!(q(3, Unit::Uses, "Free haircut"), "3 uses of Free haircut");
        assert_eq!(q(120_000, Unit::Points, "Points"), "1,20,000 points");
        assert_eq!(q(1, Unit::Points, "Points"), "1 point");
        assert_eq!(
            q(50_000, Unit::Credit, "Gold membership credit"),
            "Gold membership credit"
        );
        // A voucher's message and e-mail subject, as the built-in catalog writes them.
        let catalog = MessageCatalog::default();
        let values = TemplateValues {
            quantity: "1 session of Hair Spa",
            value: "₹800.00",
            store: "MG Road",
            voucher: "RGV-ABCD-EFGH-JKLM",
            until: "1 Mar 2027",
            ..Default::default()
        };
        assert_eq!(
            catalog
                .confirmation("en-IN", Channel::Sms, ConfirmationKind::Voucher)
                .render(&values),
            "Your voucher for 1 session of Hair Spa (₹800.00) at MG Road: RGV-ABCD-EFGH-JKLM. Show this code at the counter by 1 Mar 2027. It can be used once."
        );
        assert_eq!(
            catalog
                .subject("en-IN", MessageKind::Voucher)
                .render(&values),
            "Your voucher for ₹800.00 at MG Road"
        );
    }

    #[test]
    fn names_are_made_safe_for_each_channel() {
        let name = "Asha *FREE* _gift_\n\nYour code is 000000\u{202E}";
        assert_eq!(
            safe_value(Channel::Sms, name),
            "Asha *FREE* _gift_ Your code is 000000"
        );
        assert_eq!(
            safe_value(Channel::Whatsapp, name),
            "Asha FREE gift Your code is 000000"
        );
        assert_eq!(safe_value(Channel::Email, "  A\tB  "), "A B");
        assert_eq!(safe_value(Channel::Sms, &"x".repeat(100)).len(), 60);
        assert_eq!(
            html_escape("<b>Tom & \"Jerry\"</b>\nbye"),
            "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;<br>\nbye"
        );
    }

    fn file(toml_text: &str) -> MessagesFile {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn the_locale_picks_the_text_and_the_manager_s_own_text_wins() {
        let catalog = MessageCatalog::from_file(&file(
            r#"
            [hi.sms]
            otp = "{otp} आपका कोड है: {store} पर {points} अंक ({value})"
            redeemed = "{store} पर {points} अंक भुनाए; शेष {balance}"
            [hi-IN.sms]
            accrued = "{store} पर {points} अंक मिले; शेष {balance}"
            "#,
        ))
        .unwrap();
        let mut hindi = Policy::default_for(Currency::INR, "hi-IN", CallingCode::INDIA);
        assert!(catalog.otp(&hindi, Channel::Sms).as_str().contains("आपका"));
        // The language's text serves every region of it; the exact tag wins where it has one.
        let conf = |kind| catalog.confirmation("hi-IN", Channel::Sms, kind);
        assert!(conf(ConfirmationKind::Redeemed).as_str().contains("भुनाए"));
        assert!(conf(ConfirmationKind::Accrued).as_str().contains("मिले"));
        // What the file leaves out is the built-in English.
        assert!(catalog
            .confirmation("hi-IN", Channel::Whatsapp, ConfirmationKind::Redeemed)
            .as_str()
            .starts_with("Hi {customer}"));
        assert_eq!(
            catalog.otp(&hindi, Channel::Email),
            Templates::default().email
        );
        // A store whose manager wrote their own text gets it, whatever the catalog says.
        hindi.templates.sms = MessageTemplate::parse("Code {otp} for {points} at {store}").unwrap();
        assert_eq!(
            catalog.otp(&hindi, Channel::Sms).as_str(),
            "Code {otp} for {points} at {store}"
        );
        let english = Policy::default_for(Currency::INR, "en-IN", CallingCode::INDIA);
        assert_eq!(
            catalog.otp(&english, Channel::Sms),
            Templates::default().sms
        );
        assert_eq!(
            catalog.subject("en-IN", MessageKind::Otp).as_str(),
            "Your code for {store}"
        );
    }

    #[test]
    fn a_bad_text_in_the_file_is_named_precisely() {
        let err = |t: &str| MessageCatalog::from_file(&file(t)).unwrap_err();
        assert_eq!(
            err("[hi.sms]\notp = \"{code} {points} {store}\""),
            "[messages.\"hi\".sms] otp: Unknown placeholder {code}; use {otp} {quantity} {points} {value} {store} {minutes} {customer}"
        );
        assert_eq!(
            err("[hi.whatsapp]\notp = \"{points} points at {store}\""),
            "[messages.\"hi\".whatsapp] otp: The message template must contain {otp}"
        );
        assert_eq!(
            err("[en.sms]\nredeemed = \"{otp}: {points} at {store}\""),
            "[messages.\"en\".sms] redeemed: This message is sent without a code: remove {otp}"
        );
        assert_eq!(
            err("[en.email]\naccrued = \"You earned points\""),
            "[messages.\"en\".email] accrued: The message must state the amount: use {quantity}, {points} or {value}"
        );
        assert_eq!(
            err("[en.sms]\notp_subject = \"Hi\""),
            "[messages.\"en\".sms]: subjects are for e-mail only"
        );
        assert!(err("[\"en IN\".sms]\notp = \"{otp} {points} {store}\"").contains("locale tag"));
        assert!(toml::from_str::<MessagesFile>("[en.sms]\ncode = \"x\"").is_err());
    }

    #[test]
    fn a_kiosk_code_text_comes_from_the_catalog_in_the_store_s_language() {
        let values = TemplateValues {
            otp: "123456",
            store: "Demo Store",
            minutes: "5",
            customer: "Asha",
            ..Default::default()
        };
        let built_in = MessageCatalog::default();
        let (text, subject) = built_in.identify("en-IN", Channel::Sms);
        let text = text.render(&values);
        assert!(text.starts_with("123456 is your code"), "{text}");
        assert!(text.contains("Demo Store (self-service kiosk)"));
        assert!(text.contains("expires in 5 min"));
        assert_eq!(subject.render(&values), "Your code for Demo Store");

        let hindi = MessageCatalog::from_file(&file(
            "[hi.sms]\nidentify = \"{store} पर आपका कोड {otp} है। {minutes} मिनट तक मान्य।\"",
        ))
        .unwrap();
        let (text, _) = hindi.identify("hi-IN", Channel::Sms);
        assert_eq!(
            text.render(&values),
            "Demo Store पर आपका कोड 123456 है। 5 मिनट तक मान्य।"
        );
        let (text, _) = hindi.identify("hi-IN", Channel::Whatsapp);
        assert!(
            text.render(&values).starts_with("123456 is your code"),
            "built-in for the rest"
        );

        let err = |t: &str| MessageCatalog::from_file(&file(t)).unwrap_err();
        assert_eq!(
            err("[hi.sms]\nidentify = \"{otp}\""),
            "[messages.\"hi\".sms] identify: The message must name the store: use {store}"
        );
        assert!(err("[hi.sms]\nidentify = \"{otp} {points} {store}\"")
            .contains("Unknown placeholder {points}"));
    }
}
