//! An SMS or WhatsApp provider reached over HTTP(S): a URL, a method, headers and a query or
//! body template with placeholders, as the merchant's gateway documents it (seed 001's "SMS
//! URL and message"). Two request styles cover most providers: a form-encoded POST with basic
//! auth, and a JSON POST with a bearer token (see `examples/gateways/`).
//!
//! Values are encoded for where they go: percent-encoded in the URL, form-encoded in a form,
//! JSON-escaped in a JSON body (the template is parsed as JSON at start-up and only its
//! string values are filled in). Secrets come from the environment and are never logged.
//! A 2xx answer is "sent"; anything else is a [`DeliveryError`] with its reason class.

use super::{
    reports, secret_from_env, with_retries, worst_case, Accepted, DeliveryError, EnvLookup, Gateway,
};
use super::{Addressee, OutgoingMessage};
use crate::messages::{MessageCatalog, MessageKind, Vars};
use async_trait::async_trait;
use contract::{Channel as ChannelKind, DeliveryFailureReason, Registered};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// `[gateways.<channel>]` with `type = "http"`, as written in the file.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct HttpGatewayFile {
    /// May hold placeholders (percent-encoded when filled in), e.g.
    /// `https://sms.example.in/send?to={to_digits}&text={message}&key={env:SMS_KEY}`.
    pub url: String,
    /// GET, POST or PUT [default: POST].
    pub method: Option<String>,
    /// Per attempt [default: 4000].
    pub timeout_ms: Option<u64>,
    /// 1–3 [default: 2]. Only a refused connection and a 5xx answer are tried again.
    pub attempts: Option<u8>,
    /// Plain `http://` to a host other than this machine (the code would cross the network
    /// readable by anyone on the way); refused unless set.
    #[serde(default)]
    pub allow_insecure_http: bool,
    pub auth: Option<AuthFile>,
    /// Header values may use `{env:NAME}` and `{channel}`; never the message.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A form-encoded body: field → value template.
    pub form: Option<BTreeMap<String, String>>,
    /// A JSON body: a JSON document whose string values may hold placeholders.
    pub json: Option<String>,
    /// Some providers answer 200 with an error in the body; when set, a 2xx answer whose
    /// body does not contain this text counts as refused.
    pub success_body_contains: Option<String>,
    /// A JSON pointer to the message's id in the provider's answer to a send (e.g.
    /// `/messages/0/id`): its delivery reports name the message by it.
    pub message_id: Option<String>,
    /// The provider's delivery reports, taken at `POST /v1/delivery-reports/{channel}`.
    pub delivery_reports: Option<super::reports::DeliveryReportsFile>,
    /// Customers' replies to a code's message ("I did not ask for this"), taken at
    /// `POST /v1/replies/{channel}`.
    pub replies: Option<super::reports::RepliesFile>,
    /// The registered sender for every kind unless a kind names its own: India's DLT
    /// principal entity id (`{entity_id}`) and header, the sender id (`{header}`).
    pub entity_id: Option<String>,
    pub header: Option<String>,
    /// Per message kind (`otp`, `identify`, `redeemed`, `accrued`, `voucher`, `alert`): the
    /// template registered for it, and optionally a request of its own.
    #[serde(default)]
    pub templates: BTreeMap<String, KindFile>,
}

/// `[gateways.<channel>.templates.<kind>]`: what the provider registered for one kind of
/// message.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct KindFile {
    /// `{template_id}`: DLT's content template id, a WhatsApp template's name, a Twilio
    /// content SID.
    pub template_id: Option<String>,
    pub entity_id: Option<String>,
    pub header: Option<String>,
    /// `{category}`: DLT's `service_implicit`, `service_explicit`, `transactional` or
    /// `promotional`; WhatsApp's `authentication`, `utility` or `marketing`.
    pub category: Option<String>,
    /// The text as registered, with `{#var#}` where each value goes (DLT). The catalog's
    /// text for this kind, and a store's own code text, must fit it; values are cut to 30
    /// characters.
    pub registered: Option<String>,
    /// This kind's own request body (its values one by one: `{otp}`, `{quantity}`, …), in
    /// place of the gateway's.
    pub form: Option<BTreeMap<String, String>>,
    pub json: Option<String>,
    /// Per locale (`hi-IN`, or a language such as `hi`): its own template id and text.
    #[serde(default)]
    pub locales: BTreeMap<String, LocaleFile>,
}

/// `[gateways.<channel>.templates.<kind>.locales."<locale>"]`.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct LocaleFile {
    pub template_id: Option<String>,
    pub registered: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthFile {
    Basic {
        username_env: String,
        password_env: String,
    },
    Bearer {
        token_env: String,
    },
}

/// What a placeholder stands for. Secrets are resolved at start-up.
#[derive(Clone, PartialEq)]
enum Piece {
    Text(String),
    Secret(String),
    /// E.164 with the plus: `+919876543210`.
    To,
    /// E.164 digits only: `919876543210` (WhatsApp Cloud and many SMS APIs).
    ToDigits,
    Message,
    Subject,
    Channel,
    /// The message kind (`otp`, `redeemed`, …) and the store's locale.
    Kind,
    Locale,
    /// What the kind's template registered ([`Ids`]).
    TemplateId,
    EntityId,
    Header,
    Category,
    /// One of the message's values ([`Vars::NAMES`]).
    Value(&'static str),
}

const PLACEHOLDER_NAMES: &str = "{to} {to_digits} {message} {subject} {channel} {kind} {locale} {template_id} {entity_id} {header} {category} {env:NAME}, and in a kind's own request its values ({otp} {quantity} {instrument} {points} {value} {store} {minutes} {customer} {balance} {voucher} {until})";

/// A gateway text with its placeholders parsed. Never `Debug`: it may hold a secret.
#[derive(Clone)]
struct Fill(Vec<Piece>);

/// What a kind's template registered, as filled into `{template_id}` and the others.
#[derive(Clone, Default)]
struct Ids {
    template_id: Option<String>,
    entity_id: Option<String>,
    header: Option<String>,
    category: Option<String>,
}

impl Ids {
    fn get(&self, piece: &Piece) -> Option<&str> {
        match piece {
            Piece::TemplateId => self.template_id.as_deref(),
            Piece::EntityId => self.entity_id.as_deref(),
            Piece::Header => self.header.as_deref(),
            Piece::Category => self.category.as_deref(),
            _ => None,
        }
    }
}

/// What one send fills in: the message, its text (values cut for a registered template) and
/// the ids of the template picked for its kind and locale.
struct Ctx<'a> {
    m: &'a OutgoingMessage,
    text: String,
    ids: Ids,
    cut: usize,
}

impl Ctx<'_> {
    fn value<'s>(&'s self, piece: &'s Piece) -> &'s str {
        let m = self.m;
        match piece {
            Piece::Text(t) => t,
            Piece::Secret(s) => s,
            Piece::To => &m.destination,
            Piece::ToDigits => m.destination.trim_start_matches('+'),
            Piece::Message => &self.text,
            Piece::Subject => &m.subject,
            Piece::Channel => m.channel.as_str(),
            Piece::Kind => m.kind.as_str(),
            Piece::Locale => &m.locale,
            Piece::TemplateId | Piece::EntityId | Piece::Header | Piece::Category => {
                self.ids.get(piece).unwrap_or_default()
            }
            Piece::Value(name) => {
                let v = m.vars.get(name).unwrap_or_default();
                match v.char_indices().nth(self.cut) {
                    Some((at, _)) => v[..at].trim_end(),
                    None => v,
                }
            }
        }
    }
}

impl Fill {
    fn parse(text: &str, env: EnvLookup<'_>, at: &str) -> Result<Fill, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("{at}: a placeholder is missing its closing }}"))?;
            let name = &after[..close];
            pieces.push(match name {
                "to" => Piece::To,
                "to_digits" => Piece::ToDigits,
                "message" => Piece::Message,
                "subject" => Piece::Subject,
                "channel" => Piece::Channel,
                "kind" => Piece::Kind,
                "locale" => Piece::Locale,
                "template_id" => Piece::TemplateId,
                "entity_id" => Piece::EntityId,
                "header" => Piece::Header,
                "category" => Piece::Category,
                _ => match (
                    name.strip_prefix("env:"),
                    Vars::NAMES.iter().find(|n| **n == name),
                ) {
                    (Some(var), _) if !var.is_empty() => {
                        Piece::Secret(secret_from_env(env, at, var)?)
                    }
                    (None, Some(value)) => Piece::Value(value),
                    _ => {
                        return Err(format!(
                            "{at}: unknown placeholder {{{name}}}; use {PLACEHOLDER_NAMES}"
                        ))
                    }
                },
            });
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(Fill(pieces))
    }

    fn pieces(&self) -> impl Iterator<Item = &Piece> {
        self.0.iter()
    }

    fn has(&self, f: impl Fn(&Piece) -> bool) -> bool {
        self.0.iter().any(f)
    }

    fn has_secret(&self) -> bool {
        self.has(|p| matches!(p, Piece::Secret(_)))
    }

    /// The text with every placeholder filled in, each value passed through `encode`.
    fn render(&self, ctx: &Ctx<'_>, encode: &dyn Fn(&str) -> String) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                other => out.push_str(&encode(ctx.value(other))),
            }
        }
        out
    }
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded, so a value is
/// one opaque component wherever it sits in the URL.
const URL_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn url_encode(s: &str) -> String {
    utf8_percent_encode(s, URL_VALUE).to_string()
}

fn raw(s: &str) -> String {
    s.to_string()
}

#[derive(Clone)]
enum Body {
    None,
    Form(Vec<(String, Fill)>),
    /// The JSON document with each string value parsed as a [`Fill`].
    Json(JsonFill),
}

impl Body {
    /// The `form` or `json` of a section (at most one of them).
    fn parse(
        form: Option<&BTreeMap<String, String>>,
        json: Option<&String>,
        env: EnvLookup<'_>,
        at: &str,
    ) -> Result<Body, String> {
        Ok(match (form, json) {
            (Some(_), Some(_)) => return Err(format!("{at}: give either form or json, not both")),
            (Some(form), None) => Body::Form(
                form.iter()
                    .map(|(k, v)| Ok((k.clone(), Fill::parse(v, env, &format!("{at} form.{k}"))?)))
                    .collect::<Result<_, String>>()?,
            ),
            (None, Some(json)) => {
                let doc: Value = serde_json::from_str(json)
                    .map_err(|e| format!("{at} json: not valid JSON ({e})"))?;
                Body::Json(JsonFill::parse(&doc, env, &format!("{at} json"))?)
            }
            (None, None) => Body::None,
        })
    }

    fn is_none(&self) -> bool {
        matches!(self, Body::None)
    }

    fn pieces(&self) -> Vec<&Piece> {
        let mut out = Vec::new();
        match self {
            Body::None => {}
            Body::Form(fields) => fields.iter().for_each(|(_, f)| out.extend(f.pieces())),
            Body::Json(j) => j.collect(&mut out),
        }
        out
    }
}

#[derive(Clone)]
enum JsonFill {
    String(Fill),
    Array(Vec<JsonFill>),
    Object(Vec<(String, JsonFill)>),
    Other(Value),
}

impl JsonFill {
    fn parse(v: &Value, env: EnvLookup<'_>, at: &str) -> Result<JsonFill, String> {
        Ok(match v {
            Value::String(s) => JsonFill::String(Fill::parse(s, env, at)?),
            Value::Array(items) => JsonFill::Array(
                items
                    .iter()
                    .map(|i| JsonFill::parse(i, env, at))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => JsonFill::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), JsonFill::parse(v, env, at)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => JsonFill::Other(other.clone()),
        })
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a Piece>) {
        match self {
            JsonFill::String(fill) => out.extend(fill.pieces()),
            JsonFill::Array(items) => items.iter().for_each(|i| i.collect(out)),
            JsonFill::Object(fields) => fields.iter().for_each(|(_, v)| v.collect(out)),
            JsonFill::Other(_) => {}
        }
    }

    fn render(&self, ctx: &Ctx<'_>) -> Value {
        match self {
            JsonFill::String(fill) => Value::String(fill.render(ctx, &raw)),
            JsonFill::Array(items) => Value::Array(items.iter().map(|i| i.render(ctx)).collect()),
            JsonFill::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.render(ctx)))
                    .collect(),
            ),
            JsonFill::Other(v) => v.clone(),
        }
    }
}

#[derive(Clone)]
enum Auth {
    None,
    Basic { username: String, password: String },
    Bearer(String),
}

/// One kind's registered template, checked.
#[derive(Clone, Default)]
struct KindTemplate {
    ids: Ids,
    registered: Option<Registered>,
    body: Option<Arc<Body>>,
    /// Lower-cased locale tag → its own template id and registered text.
    locales: BTreeMap<String, (Option<String>, Option<Registered>)>,
}

/// The template for a kind in a locale: `hi-IN`'s, else `hi`'s, else the kind's own.
struct Picked<'a> {
    ids: Ids,
    registered: Option<&'a Registered>,
    body: &'a Body,
}

impl Picked<'_> {
    /// What a send of `m` under this template fills in: a registered template cuts each
    /// value, in the text and apart, to what one of its variables may hold.
    fn ctx<'m>(&self, m: &'m OutgoingMessage) -> Ctx<'m> {
        let cut = match self.registered {
            Some(_) => Registered::MAX_VALUE_CHARS,
            None => usize::MAX,
        };
        Ctx {
            m,
            text: m.text_within(cut),
            ids: self.ids.clone(),
            cut,
        }
    }
}

/// A configured HTTP gateway; cheap to clone (the client is shared).
#[derive(Clone)]
pub struct HttpGateway {
    client: reqwest::Client,
    method: Method,
    url: Fill,
    headers: HeaderMap,
    auth: Auth,
    body: Arc<Body>,
    /// Per message kind; a kind without an entry uses the gateway's request and defaults.
    kinds: Arc<BTreeMap<&'static str, KindTemplate>>,
    defaults: Ids,
    /// Codes go by a template that cannot state the amount (`category = "authentication"`,
    /// WhatsApp's): the amount and store go first, in a `notice` (S3).
    amount_first: bool,
    /// The notice's texts.
    catalog: Arc<MessageCatalog>,
    success_body_contains: Option<String>,
    message_id: Option<String>,
    reports: Option<Arc<super::reports::DeliveryReports>>,
    replies: Option<Arc<super::reports::Replies>>,
    timeout: Duration,
    attempts: u8,
    /// For logs and the audit log: the host only (the URL may hold the message or a key).
    host: String,
    /// The optional kinds it cannot send, and why.
    refused: Vec<(MessageKind, String)>,
}

/// A lower-cased locale tag as people write it: `hi-in` → `hi-IN`.
fn written(tag: &str) -> String {
    tag.split('-')
        .enumerate()
        .map(|(i, part)| match (i, part.len()) {
            (0, _) => part.to_string(),
            (_, 2) => part.to_ascii_uppercase(),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The values a kind's messages have, as its own request may name them.
fn values_of(kind: MessageKind) -> Vec<&'static str> {
    let mut names = kind.template_kind().placeholders().to_vec();
    if names.contains(&"quantity") {
        names.push("instrument");
    }
    names
}

impl HttpGateway {
    pub const DEFAULT_TIMEOUT_MS: u64 = 4_000;

    /// Checks the configuration and builds the client. `at` names the section in errors;
    /// `catalog` holds the texts each registered template must fit.
    pub fn from_file(
        f: &HttpGatewayFile,
        channel: ChannelKind,
        env: EnvLookup<'_>,
        at: &str,
        catalog: &MessageCatalog,
    ) -> Result<HttpGateway, String> {
        let method = match f
            .method
            .as_deref()
            .unwrap_or("POST")
            .to_ascii_uppercase()
            .as_str()
        {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            other => return Err(format!("{at} method: {other} is not GET, POST or PUT")),
        };
        let timeout_ms = f.timeout_ms.unwrap_or(Self::DEFAULT_TIMEOUT_MS);
        if !(100..=30_000).contains(&timeout_ms) {
            return Err(format!(
                "{at} timeout_ms: {timeout_ms} is not within 100–30000"
            ));
        }
        let attempts = f.attempts.unwrap_or(2);
        if !(1..=3).contains(&attempts) {
            return Err(format!("{at} attempts: {attempts} is not within 1–3"));
        }
        let url = Fill::parse(&f.url, env, &format!("{at} url"))?;
        // Fill in harmless values to check the URL's shape now rather than at the first send.
        let to = Addressee {
            customer_id: String::new(),
            customer_name: String::new(),
            channel,
            destination: "+10000000000".into(),
        };
        let sample =
            OutgoingMessage::new(MessageKind::Otp, to, 0).with_free_text("en", "m".into(), "s");
        let sample = Ctx {
            m: &sample,
            text: "m".into(),
            ids: Ids {
                template_id: Some("t".into()),
                entity_id: Some("e".into()),
                header: Some("h".into()),
                category: Some("c".into()),
            },
            cut: usize::MAX,
        };
        let parsed = reqwest::Url::parse(&url.render(&sample, &url_encode))
            .map_err(|e| format!("{at} url: not a valid URL ({e})"))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("{at} url: the URL has no host"))?
            .to_string();
        match parsed.scheme() {
            "https" => {}
            "http" if f.allow_insecure_http || is_loopback(&host) => {}
            "http" => {
                return Err(format!(
                    "{at} url: plain http to {host} would send codes readable on the way; use https (or set allow_insecure_http = true)"
                ))
            }
            other => return Err(format!("{at} url: {other}:// is not http or https")),
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &f.headers {
            let fill = Fill::parse(value, env, &format!("{at} headers.{name}"))?;
            if fill.has(|p| !matches!(p, Piece::Text(_) | Piece::Secret(_) | Piece::Channel)) {
                return Err(format!(
                    "{at} headers.{name}: headers may use only {{env:NAME}} and {{channel}}"
                ));
            }
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("{at} headers: {name} is not a header name"))?;
            let mut value = HeaderValue::from_str(&fill.render(&sample, &raw))
                .map_err(|_| format!("{at} headers.{name}: not a valid header value"))?;
            value.set_sensitive(fill.has_secret());
            headers.insert(header, value);
        }
        let auth = match &f.auth {
            None => Auth::None,
            Some(AuthFile::Basic {
                username_env,
                password_env,
            }) => Auth::Basic {
                username: secret_from_env(env, &format!("{at} auth.username_env"), username_env)?,
                password: secret_from_env(env, &format!("{at} auth.password_env"), password_env)?,
            },
            Some(AuthFile::Bearer { token_env }) => Auth::Bearer(secret_from_env(
                env,
                &format!("{at} auth.token_env"),
                token_env,
            )?),
        };
        let body = Body::parse(f.form.as_ref(), f.json.as_ref(), env, at)?;
        let get_with_body = |b: &Body| method == Method::GET && !b.is_none();
        if get_with_body(&body) {
            return Err(format!(
                "{at}: a GET request has no body; put the fields in the url"
            ));
        }
        let shared: Vec<&Piece> = url.pieces().chain(body.pieces()).collect();
        if let Some(Piece::Value(name)) = shared.iter().find(|p| matches!(p, Piece::Value(_))) {
            return Err(format!(
                "{at}: {{{name}}} is a value of some kinds of message only; name the values in a kind's own request ([{}.templates.<kind>] form or json), or send {{message}}",
                at.trim_matches(|c| c == '[' || c == ']')
            ));
        }
        let defaults = Ids {
            entity_id: f.entity_id.clone(),
            header: f.header.clone(),
            ..Ids::default()
        };
        let mut kinds = BTreeMap::new();
        for (name, k) in &f.templates {
            let here = format!("{}.templates.{name}]", at.trim_end_matches(']'));
            let kind = MessageKind::parse(name).ok_or_else(|| {
                format!(
                    "{here}: no message kind is called {name}; use {}",
                    MessageKind::names()
                )
            })?;
            if !kind.goes_on(channel) {
                return Err(format!(
                    "{here}: {name} messages are not sent by {}",
                    channel.label()
                ));
            }
            let registered = |text: &Option<String>, at: &str| {
                text.as_deref()
                    .map(|t| Registered::parse(t).map_err(|e| format!("{at} registered: {e}")))
                    .transpose()
            };
            let body = Body::parse(k.form.as_ref(), k.json.as_ref(), env, &here)?;
            if get_with_body(&body) {
                return Err(format!("{here}: a GET request has no body"));
            }
            let allowed = values_of(kind);
            for piece in body.pieces() {
                if let Piece::Value(v) = piece {
                    if !allowed.contains(v) {
                        return Err(format!(
                            "{here}: {name} messages have no {{{v}}}; they have {}",
                            allowed
                                .iter()
                                .map(|a| format!("{{{a}}}"))
                                .collect::<Vec<_>>()
                                .join(" ")
                        ));
                    }
                }
            }
            let mut locales = BTreeMap::new();
            for (tag, l) in &k.locales {
                let lower = tag.trim().to_ascii_lowercase();
                if !crate::messages::is_locale_tag(&lower) {
                    return Err(format!(
                        "{here} locales.\"{tag}\": not a locale tag (use e.g. hi-IN or hi)"
                    ));
                }
                let at = format!("{here} locales.\"{tag}\"");
                let entry = (l.template_id.clone(), registered(&l.registered, &at)?);
                if locales.insert(lower, entry).is_some() {
                    return Err(format!("{at}: the locale is given twice"));
                }
            }
            kinds.insert(
                kind.as_str(),
                KindTemplate {
                    ids: Ids {
                        template_id: k.template_id.clone(),
                        entity_id: k.entity_id.clone().or_else(|| defaults.entity_id.clone()),
                        header: k.header.clone().or_else(|| defaults.header.clone()),
                        category: k.category.clone(),
                    },
                    registered: registered(&k.registered, &here)?,
                    body: (!body.is_none()).then(|| Arc::new(body)),
                    locales,
                },
            );
        }
        let timeout = Duration::from_millis(timeout_ms);
        super::install_tls_provider();
        let client = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(3)))
            .timeout(timeout)
            // A redirect could carry the message to another host; a provider does not need one.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("redeemguard-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("{at}: cannot build the HTTP client ({e})"))?;
        if let Some(p) = f.message_id.as_deref().filter(|p| !p.starts_with('/')) {
            return Err(format!(
                "{at} message_id: a JSON pointer starts with / (e.g. \"/{p}\")"
            ));
        }
        let reports = f
            .delivery_reports
            .as_ref()
            .map(|r| super::reports::DeliveryReports::from_file(r, env, at, f.message_id.is_some()))
            .transpose()?
            .map(Arc::new);
        let replies = f
            .replies
            .as_ref()
            .map(|r| super::reports::Replies::from_file(r, env, at))
            .transpose()?
            .map(Arc::new);
        let amount_first = kinds
            .get(MessageKind::Otp.as_str())
            .and_then(|k| k.ids.category.as_deref())
            .is_some_and(|c| c.eq_ignore_ascii_case("authentication"));
        let gateway = HttpGateway {
            amount_first,
            catalog: Arc::new(catalog.clone()),
            client,
            method: method.clone(),
            url,
            headers,
            auth,
            body: Arc::new(body),
            kinds: Arc::new(kinds),
            defaults,
            success_body_contains: f.success_body_contains.clone(),
            message_id: f.message_id.clone(),
            reports,
            replies,
            timeout,
            attempts,
            host,
            refused: Vec::new(),
        };
        let mut gateway = gateway;
        gateway.check_kinds(channel, at, catalog)?;
        Ok(gateway)
    }

    /// For every kind this channel sends: its request carries the message (or its values),
    /// a code message carries the code, every id the request names is registered, and every
    /// registered text fits the catalog's text in each locale.
    fn check_kinds(
        &mut self,
        channel: ChannelKind,
        at: &str,
        catalog: &MessageCatalog,
    ) -> Result<(), String> {
        let sent = |k: &MessageKind| {
            k.goes_on(channel) && (*k != MessageKind::Notice || self.amount_first)
        };
        for kind in MessageKind::ALL.into_iter().filter(sent) {
            match self.check_kind(kind, channel, at, catalog) {
                // A gateway not set up for managers' messages still sends everything else:
                // such a message is refused when it is written, saying why.
                Err(why) if kind.optional() => self.refused.push((kind, why)),
                checked => checked?,
            }
        }
        Ok(())
    }

    /// One kind's request and registered texts (see [`HttpGateway::check_kinds`]).
    fn check_kind(
        &self,
        kind: MessageKind,
        channel: ChannelKind,
        at: &str,
        catalog: &MessageCatalog,
    ) -> Result<(), String> {
        let section = at.trim_end_matches(']');
        let name = kind.as_str();
        let own = self.kinds.get(name);
        let body = own.and_then(|k| k.body.as_deref()).unwrap_or(&self.body);
        let pieces: Vec<&Piece> = self.url.pieces().chain(body.pieces()).collect();
        let has = |p: &Piece| pieces.contains(&p);
        let values = pieces.iter().any(|p| matches!(p, Piece::Value(_)));
        if !has(&Piece::Message) && !values {
            return Err(match own {
                None if self.kinds.is_empty() => format!(
                    "{at}: the request never carries the message; put {{message}} in the url, form or json"
                ),
                _ => format!(
                    "{at}: the request for {name} messages never carries the message; put {{message}} in the request, or give {section}.templates.{name}] its own request with the values"
                ),
            });
        }
        if kind.carries_code() && !has(&Piece::Message) && !has(&Piece::Value("otp")) {
            return Err(format!(
                "{section}.templates.{name}]: the request never carries the code; put {{otp}} (or {{message}}) in it"
            ));
        }
        // S3: a code's request without the text must state what the text would: the
        // store, and for a redemption the amount. An authentication template (WhatsApp's)
        // states neither: its sender is the business, and a redemption's amount went
        // first, in the notice, which must state both.
        let authentication = own
            .and_then(|k| k.ids.category.as_deref())
            .is_some_and(|c| c.eq_ignore_ascii_case("authentication"));
        let states = (kind.carries_code() && !authentication) || kind == MessageKind::Notice;
        if states && !has(&Piece::Message) {
            let amount = ["quantity", "points", "value"]
                .iter()
                .any(|v| has(&Piece::Value(v)));
            let needs_amount = matches!(kind, MessageKind::Otp | MessageKind::Notice);
            if !has(&Piece::Value("store")) || (needs_amount && !amount) {
                return Err(format!(
                    "{section}.templates.{name}]: the request must name the store{} (S3); add {{store}}{}, or send {{message}}, or for a WhatsApp authentication template set category = \"authentication\" and give [{}.templates.notice] a request: the amount then goes first",
                    if needs_amount { " and the amount" } else { "" },
                    if needs_amount { " and {quantity} or {value}" } else { "" },
                    section.trim_start_matches('[')
                ));
            }
        }
        let ids = own.map_or(&self.defaults, |k| &k.ids);
        for (piece, placeholder) in [
            (Piece::TemplateId, "template_id"),
            (Piece::EntityId, "entity_id"),
            (Piece::Header, "header"),
            (Piece::Category, "category"),
        ] {
            if has(&piece) && ids.get(&piece).is_none() {
                return Err(format!(
                    "{section}.templates.{name}]: the request uses {{{placeholder}}}, so {name} messages need a {placeholder}"
                ));
            }
        }
        // A manager's message is checked against its registered text when it is written.
        let Some(own) = own.filter(|_| kind != MessageKind::Manual) else {
            return Ok(());
        };
        // Each registered text against the catalog's texts it will carry.
        let fit = |registered: &Registered, locale: &str, whose: &str| {
            let text = catalog.text(locale, channel, kind);
            registered.fits(text.as_str()).map_err(|misfit| {
                format!(
                    "{section}.templates.{name}] registered: the {whose} {name} text does not fit: {misfit}. The text: \u{201c}{}\u{201d}",
                    text.as_str()
                )
            })
        };
        // Through `pick`, as a send does: every locale the file has texts for, every
        // locale the gateway registered for, and any other (the built-in texts).
        let tags: std::collections::BTreeSet<&str> = catalog
            .locales()
            .chain(own.locales.keys().map(String::as_str))
            .collect();
        for tag in tags {
            if let Some(r) = self.pick(kind, tag).registered {
                fit(r, tag, &written(tag))?;
            }
        }
        if let Some(r) = self.pick(kind, "").registered {
            fit(r, "", "built-in")?;
        }
        Ok(())
    }

    /// Why it cannot send an optional kind ([`MessageKind::optional`]), if it cannot (its
    /// request needs ids it has none of for them).
    pub fn refusal(&self, kind: MessageKind) -> Option<&str> {
        self.refused
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, why)| why.as_str())
    }

    /// Whether codes go after a message of their own stating the amount (S3).
    pub fn amount_first(&self) -> bool {
        self.amount_first
    }

    /// Its delivery reports, if the provider sends them.
    pub fn delivery_reports(&self) -> Option<&Arc<super::reports::DeliveryReports>> {
        self.reports.as_ref()
    }

    /// Its customers' replies, if the provider passes them on.
    pub fn replies(&self) -> Option<&Arc<super::reports::Replies>> {
        self.replies.as_ref()
    }

    /// The message stating the amount and the store before `code`, when codes go by a
    /// template that cannot state them: the code's values without the code.
    fn notice_before(&self, code: &OutgoingMessage) -> Option<OutgoingMessage> {
        if !self.amount_first || code.kind != MessageKind::Otp {
            return None;
        }
        let to = Addressee {
            customer_id: code.customer_id.clone(),
            customer_name: code.customer_name.clone(),
            channel: code.channel,
            destination: code.destination.clone(),
        };
        let vars = Vars {
            otp: String::new(),
            ..code.vars.clone()
        };
        let (locale, channel) = (code.locale.as_str(), code.channel);
        let mut notice = OutgoingMessage::new(MessageKind::Notice, to, code.at_ms).with_text(
            locale,
            self.catalog.text(locale, channel, MessageKind::Notice),
            &self.catalog.subject(locale, MessageKind::Notice),
            vars,
        );
        notice.redemption_id = code.redemption_id.clone();
        Some(notice)
    }

    /// The template registered for `kind` in `locale` (`hi-IN`, then `hi`, then the kind's).
    fn pick(&self, kind: MessageKind, locale: &str) -> Picked<'_> {
        let Some(own) = self.kinds.get(kind.as_str()) else {
            return Picked {
                ids: self.defaults.clone(),
                registered: None,
                body: &self.body,
            };
        };
        let tag = locale.trim().to_ascii_lowercase();
        let language = tag.split('-').next().unwrap_or_default().to_string();
        let local = own.locales.get(&tag).or_else(|| own.locales.get(&language));
        let mut ids = own.ids.clone();
        if let Some(id) = local.and_then(|(id, _)| id.clone()) {
            ids.template_id = Some(id);
        }
        Picked {
            ids,
            registered: local
                .and_then(|(_, r)| r.as_ref())
                .or(own.registered.as_ref()),
            body: own.body.as_deref().unwrap_or(&self.body),
        }
    }

    /// The text registered for `kind` in `locale`, which a store's own text must fit.
    pub fn registered(&self, kind: MessageKind, locale: &str) -> Option<&Registered> {
        self.pick(kind, locale).registered
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn worst_case(&self) -> Duration {
        worst_case(self.timeout, self.attempts)
    }

    async fn attempt(&self, m: &OutgoingMessage) -> Result<Accepted, DeliveryError> {
        let picked = self.pick(m.kind, &m.locale);
        if let Some(registered) = picked.registered {
            // A text the provider would block is not sent: the reason is the store's to fix.
            let fits = match &m.template {
                Some(t) => registered.fits(t.as_str()).map_err(|e| e.to_string()),
                None => registered
                    .matches(&m.text)
                    .then_some(())
                    .ok_or_else(|| "the text the server composed does not read as it".into()),
            };
            if let Err(why) = fits {
                return Err(DeliveryError::new(
                    DeliveryFailureReason::Rejected,
                    format!(
                        "not sent to {}: the {} text does not fit the template registered for it ({why})",
                        self.host,
                        m.kind.as_str()
                    ),
                ));
            }
        }
        let ctx = picked.ctx(m);
        let url = self.url.render(&ctx, &url_encode);
        let mut req = self
            .client
            .request(self.method.clone(), url)
            .headers(self.headers.clone());
        req = match &self.auth {
            Auth::None => req,
            Auth::Basic { username, password } => req.basic_auth(username, Some(password)),
            Auth::Bearer(token) => req.bearer_auth(token),
        };
        req = match picked.body {
            Body::None => req,
            Body::Form(fields) => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in fields {
                    form.append_pair(k, &v.render(&ctx, &raw));
                }
                req.header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(form.finish())
            }
            Body::Json(j) => req
                .header(CONTENT_TYPE, "application/json")
                .body(j.render(&ctx).to_string()),
        };
        let host = &self.host;
        let response = req.send().await.map_err(|e| self.classify(&e))?;
        let status = response.status();
        let code = status.as_u16();
        if status.is_server_error() {
            return Err(DeliveryError::new(
                DeliveryFailureReason::GatewayError,
                format!("{host} answered HTTP {code}"),
            )
            .status(code));
        }
        if !status.is_success() {
            return Err(DeliveryError::new(
                DeliveryFailureReason::Rejected,
                format!("{host} refused the message with HTTP {code}"),
            )
            .status(code));
        }
        if self.success_body_contains.is_none() && self.message_id.is_none() {
            return Ok(Accepted::default());
        }
        // The body is read only for the marker and the message's id: providers echo the
        // message in it, so it is never logged.
        let body = response.bytes().await.map_err(|e| self.classify(&e))?;
        if let Some(needle) = &self.success_body_contains {
            if !String::from_utf8_lossy(&body).contains(needle.as_str()) {
                return Err(DeliveryError::new(
                    DeliveryFailureReason::Rejected,
                    format!("{host} answered HTTP {code} without the success marker"),
                )
                .status(code));
            }
        }
        let provider_id = self.message_id.as_deref().and_then(|pointer| {
            let found = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.pointer(pointer).and_then(reports::scalar));
            if found.is_none() {
                // Sent all the same; only its delivery reports cannot be matched.
                tracing::warn!(host = %host, pointer, "the provider's answer has no message id where message_id points");
            }
            found
        });
        Ok(Accepted { provider_id })
    }

    /// A transport failure in the gateway's terms. reqwest's own message names the URL, which
    /// may hold the message or a key, so it is never passed on.
    fn classify(&self, e: &reqwest::Error) -> DeliveryError {
        let host = &self.host;
        if e.is_connect() {
            DeliveryError::new(
                DeliveryFailureReason::Unreachable,
                format!("could not connect to {host}"),
            )
        } else if e.is_timeout() {
            DeliveryError::new(
                DeliveryFailureReason::Timeout,
                format!(
                    "{host} did not answer within {} ms",
                    self.timeout.as_millis()
                ),
            )
            .maybe_accepted()
        } else {
            DeliveryError::new(
                DeliveryFailureReason::GatewayError,
                format!("the connection to {host} broke before an answer"),
            )
            .maybe_accepted()
        }
    }
}

pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[async_trait]
impl Gateway for HttpGateway {
    async fn deliver(&self, message: OutgoingMessage) -> Result<Accepted, DeliveryError> {
        if let Some(notice) = self.notice_before(&message) {
            // No code goes out unless the amount did (S3): the code was certainly not sent,
            // so it does not count against the send limits either.
            with_retries(self.attempts, || self.attempt(&notice))
                .await
                .map_err(|e| DeliveryError {
                    detail: format!(
                        "the message with the amount did not go, so the code was not sent: {}",
                        e.detail
                    ),
                    maybe_accepted: false,
                    ..e
                })?;
        }
        with_retries(self.attempts, || self.attempt(&message)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::Template;

    fn env(var: &str) -> Option<String> {
        match var {
            "SMS_KEY" => Some("k&y=1".into()),
            "SMS_USER" => Some("user".into()),
            "SMS_PASS" => Some("pass".into()),
            _ => None,
        }
    }

    fn file(toml_text: &str) -> HttpGatewayFile {
        toml::from_str(toml_text).unwrap()
    }

    fn gateway(toml_text: &str) -> Result<HttpGateway, String> {
        let catalog = MessageCatalog::default();
        HttpGateway::from_file(
            &file(toml_text),
            ChannelKind::Sms,
            &env,
            "[gateways.sms]",
            &catalog,
        )
    }

    fn message(text: &str) -> OutgoingMessage {
        let to = Addressee {
            customer_id: "c".into(),
            customer_name: "n".into(),
            channel: ChannelKind::Sms,
            destination: "+919876543210".into(),
        };
        OutgoingMessage::new(MessageKind::Otp, to, 0).with_free_text("en-IN", text.into(), "")
    }

    fn ctx(m: &OutgoingMessage) -> Ctx<'_> {
        Ctx {
            m,
            text: m.text.clone(),
            ids: Ids::default(),
            cut: usize::MAX,
        }
    }

    #[test]
    fn values_are_encoded_for_where_they_go() {
        let g = gateway(
            r#"url = "https://sms.example.in/send?to={to_digits}&text={message}&key={env:SMS_KEY}"
               method = "GET""#,
        )
        .unwrap();
        let m = message("123456 is your code: ₹500.00 & more?");
        assert_eq!(
            g.url.render(&ctx(&m), &url_encode),
            "https://sms.example.in/send?to=919876543210&text=123456%20is%20your%20code%3A%20%E2%82%B9500.00%20%26%20more%3F&key=k%26y%3D1"
        );
        let g = gateway(
            r#"url = "https://api.example.com/v1/messages"
               json = '{"to": "{to}", "text": {"body": "{message}"}, "tags": ["otp", "{channel}"], "priority": 1}'"#,
        )
        .unwrap();
        let Body::Json(j) = g.body.as_ref() else {
            panic!("a JSON body")
        };
        let m = message("He said \"hi\"\nand left \\ {store}");
        let v = j.render(&ctx(&m));
        assert_eq!(
            v,
            serde_json::json!({ "to": "+919876543210", "text": { "body": "He said \"hi\"\nand left \\ {store}" }, "tags": ["otp", "sms"], "priority": 1 })
        );
    }

    #[test]
    fn start_up_refuses_what_would_fail_or_leak_later() {
        let e = |t: &str| gateway(t).err().unwrap_or_else(|| panic!("refused: {t}"));
        assert_eq!(
            e(r#"url = "https://x.example/send?to={phone}&m={message}""#),
            format!("[gateways.sms] url: unknown placeholder {{phone}}; use {PLACEHOLDER_NAMES}")
        );
        assert!(
            e(r#"url = "https://x.example/send?to={to}""#).contains("never carries the message")
        );
        assert!(e(r#"url = "https://x.example/?k={env:NOPE}&m={message}""#)
            .contains("environment variable NOPE is not set"));
        assert!(e(r#"url = "http://sms.example.in/send?m={message}""#).contains("plain http"));
        assert!(gateway(r#"url = "http://127.0.0.1:9/send?m={message}""#).is_ok());
        assert!(gateway(
            r#"url = "http://sms.example.in/send?m={message}"
               allow_insecure_http = true"#
        )
        .is_ok());
        assert!(e(r#"url = "https://x.example/"
                     method = "GET"
                     form = { m = "{message}" }"#)
        .contains("GET request has no body"));
        assert!(e(r#"url = "https://x.example/"
                     json = '{"m": "{message}"'"#)
        .contains("not valid JSON"));
        assert!(e(r#"url = "https://x.example/"
                     headers = { X-Text = "{message}" }
                     form = { m = "{message}" }"#)
        .contains("headers may use only"));
        assert!(e(r#"url = "https://x.example/"
                     attempts = 5
                     form = { m = "{message}" }"#)
        .contains("attempts"));
        assert!(e(r#"url = "https://x.example/"
                     auth = { type = "basic", username_env = "SMS_USER", password_env = "MISSING" }
                     form = { m = "{message}" }"#)
        .contains("auth.password_env"));
        assert!(toml::from_str::<HttpGatewayFile>(
            r#"url = "https://x.example/"
               password = "in the file""#
        )
        .is_err());
    }

    /// A DLT gateway: one registered template per kind, ids in the form.
    const DLT: &str = r#"url = "https://dlt.example.in/send"
        entity_id = "1101"
        header = "RDMGRD"
        form = { sender = "{header}", pe_id = "{entity_id}", template_id = "{template_id}", to = "{to_digits}", message = "{message}" }
        [templates.otp]
        template_id = "T-OTP"
        registered = "{#var#} is your code to redeem {#var#} ({#var#}) at {#var#}. Valid {#var#} min. Do not share it with anyone, including store staff, unless you want to redeem."
        [templates.identify]
        template_id = "T-ID"
        [templates.redeemed]
        template_id = "T-RED"
        [templates.redeemed.locales."hi-IN"]
        template_id = "T-RED-HI"
        [templates.accrued]
        template_id = "T-ACC"
        [templates.voucher]
        template_id = "T-VOU"
        [templates.alert]
        template_id = "T-ALERT"
        header = "RGALRT"
    "#;

    fn sent(g: &HttpGateway, m: &OutgoingMessage) -> (Ids, String) {
        let picked = g.pick(m.kind, &m.locale);
        let ctx = picked.ctx(m);
        let Body::Form(fields) = picked.body else {
            panic!("a form")
        };
        let form: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", v.render(&ctx, &raw)))
            .collect();
        (ctx.ids.clone(), form.join("&"))
    }

    fn code_message(kind: MessageKind, locale: &str, customer: &str) -> OutgoingMessage {
        let to = Addressee {
            customer_id: "c".into(),
            customer_name: "n".into(),
            channel: ChannelKind::Sms,
            destination: "+919876543210".into(),
        };
        let vars = Vars {
            otp: "482913".into(),
            quantity: "500 points".into(),
            points: "500".into(),
            value: "₹500.00".into(),
            store: "MG Road".into(),
            minutes: "5".into(),
            customer: customer.into(),
            balance: "700".into(),
            ..Vars::default()
        };
        let catalog = MessageCatalog::default();
        let text = catalog.text(locale, ChannelKind::Sms, kind);
        let subject = catalog.subject(locale, kind);
        OutgoingMessage::new(kind, to, 0).with_text(locale, text, &subject, vars)
    }

    #[test]
    fn each_kind_goes_under_its_registered_template_id_and_sender() {
        let g = gateway(DLT).unwrap();
        let otp = code_message(MessageKind::Otp, "en-IN", "Asha");
        let (ids, form) = sent(&g, &otp);
        assert_eq!(ids.template_id.as_deref(), Some("T-OTP"));
        assert_eq!(
            form,
            "message=482913 is your code to redeem 500 points (₹500.00) at MG Road. Valid 5 min. Do not share it with anyone, including store staff, unless you want to redeem.&pe_id=1101&sender=RDMGRD&template_id=T-OTP&to=919876543210"
        );
        // A locale's own template id; the language's entry serves its regions.
        let red = code_message(MessageKind::Redeemed, "hi-IN", "Asha");
        assert_eq!(sent(&g, &red).0.template_id.as_deref(), Some("T-RED-HI"));
        let red = code_message(MessageKind::Redeemed, "en-IN", "Asha");
        assert_eq!(sent(&g, &red).0.template_id.as_deref(), Some("T-RED"));
        // A kind's own sender; the gateway's entity id.
        let alert = code_message(MessageKind::Alert, "en-IN", "Ravi");
        let (ids, _) = sent(&g, &alert);
        assert_eq!(
            (ids.header.as_deref(), ids.entity_id.as_deref()),
            (Some("RGALRT"), Some("1101"))
        );
    }

    #[test]
    fn a_registered_template_cuts_each_value_to_thirty_characters() {
        let g = gateway(DLT).unwrap();
        let long = "Ananya Venkataraman-Subramaniam Iyer";
        let (_, form) = sent(&g, &code_message(MessageKind::Otp, "en-IN", long));
        // The built-in SMS text has no {customer}; the store's name would be cut the same way.
        assert!(!form.contains(long));
        let m = code_message(MessageKind::Identify, "en-IN", long);
        assert_eq!(m.text_within(30), m.text, "short values are left alone");
        let t = Template::parse(
            contract::TemplateKind::Code,
            "{customer}: {otp} for {points} at {store}",
        )
        .unwrap();
        let m = OutgoingMessage {
            template: Some(t),
            ..code_message(MessageKind::Otp, "en-IN", long)
        };
        assert_eq!(
            m.text_within(30),
            "Ananya Venkataraman-Subramania: 482913 for 500 at MG Road"
        );
        // Every value a kind's own request names is cut alike.
        let g = gateway(
            r#"url = "https://x.example/"
               form = { m = "{message}" }
               [templates.otp]
               registered = "{#var#}: {#var#} for {#var#} at {#var#}"
               form = { name = "{customer}", code = "{otp}", store = "{store}", worth = "{value}" }"#,
        );
        // The built-in code text does not fit that registered text: refused at start-up.
        assert!(g.err().unwrap().contains("does not fit"));
    }

    #[test]
    fn start_up_refuses_a_template_configuration_that_would_fail_later() {
        let e = |t: &str| gateway(t).err().unwrap_or_else(|| panic!("refused: {t}"));
        let with = |extra: &str| format!("{DLT}\n{extra}");
        // An unknown kind, a kind that does not go on the channel.
        assert!(e(&with("[templates.welcomes]\ntemplate_id = \"x\"")).contains("no message kind is called welcomes; use otp, identify, notice, redeemed, accrued, voucher, alert, welcome, summary, manual"));
        // {template_id} in the request, and a kind without one.
        let no_id = DLT.replace(
            "[templates.accrued]\n        template_id = \"T-ACC\"",
            "[templates.accrued]\n        category = \"x\"",
        );
        assert_eq!(
            e(&no_id),
            "[gateways.sms.templates.accrued]: the request uses {template_id}, so accrued messages need a template_id"
        );
        // A value in the shared request, a value a kind does not have.
        assert!(e(r#"url = "https://x.example/?code={otp}&m={message}""#)
            .contains("{otp} is a value of some kinds of message only"));
        assert_eq!(
            e(r#"url = "https://x.example/"
                 form = { m = "{message}" }
                 [templates.otp]
                 form = { b = "{balance}", c = "{otp}" }"#),
            "[gateways.sms.templates.otp]: otp messages have no {balance}; they have {otp} {quantity} {points} {value} {store} {minutes} {customer} {instrument}"
        );
        // A code message's own request without the code.
        assert_eq!(
            e(r#"url = "https://x.example/"
                 form = { m = "{message}" }
                 [templates.identify]
                 form = { store = "{store}" }"#),
            "[gateways.sms.templates.identify]: the request never carries the code; put {otp} (or {message}) in it"
        );
        // A registered text the catalog's text does not fit, named with the text.
        let changed = DLT.replace("Valid {#var#} min.", "Valid for {#var#} min.");
        let why = e(&changed);
        assert!(why.starts_with("[gateways.sms.templates.otp] registered: the built-in otp text does not fit: the words differ from the registered template: it reads \u{201c}Valid for \u{201d} where this text reads \u{201c}Valid \u{201d}"), "{why}");
        assert!(
            why.contains("The text: \u{201c}{otp} is your code"),
            "{why}"
        );
        assert!(
            e(&with("[templates.otp.locales.xx_YY]\ntemplate_id = \"x\""))
                .contains("not a locale tag")
        );
    }

    #[tokio::test]
    async fn a_text_that_does_not_fit_is_not_sent() {
        let g = gateway(DLT).unwrap();
        let t = Template::parse(
            contract::TemplateKind::Code,
            "Code {otp}: {points} at {store}",
        )
        .unwrap();
        let m = OutgoingMessage {
            template: Some(t),
            ..code_message(MessageKind::Otp, "en-IN", "Asha")
        };
        let e = g.deliver(m).await.unwrap_err();
        assert_eq!(e.reason, DeliveryFailureReason::Rejected);
        assert_eq!(e.attempts, 1);
        assert!(e.detail.starts_with("not sent to dlt.example.in: the otp text does not fit the template registered for it (the registered template has 5 values where this text has 3"), "{}", e.detail);
        assert!(!e.detail.contains("482913"));
    }

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "127.0.0.1", "[::1]", "127.1.2.3"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["example.com", "10.0.0.1", "localhost.example.com"] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
