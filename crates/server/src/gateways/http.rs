//! An SMS or WhatsApp provider reached over HTTP(S): a URL, a method, headers and a query or
//! body template with placeholders, as the merchant's gateway documents it (seed 001's "SMS
//! URL and message"). Two request styles cover most providers: a form-encoded POST with basic
//! auth, and a JSON POST with a bearer token (see `examples/gateways/`).
//!
//! Values are encoded for where they go: percent-encoded in the URL, form-encoded in a form,
//! JSON-escaped in a JSON body (the template is parsed as JSON at start-up and only its
//! string values are filled in). Secrets come from the environment and are never logged.
//! A 2xx answer is "sent"; anything else is a [`DeliveryError`] with its reason class.

use super::OutgoingMessage;
use super::{secret_from_env, with_retries, worst_case, DeliveryError, EnvLookup, Gateway};
use async_trait::async_trait;
use contract::{Channel as ChannelKind, DeliveryFailureReason};
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
#[derive(Clone)]
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
}

const PLACEHOLDER_NAMES: &str = "{to} {to_digits} {message} {subject} {channel} {env:NAME}";

/// A gateway text with its placeholders parsed. Never `Debug`: it may hold a secret.
#[derive(Clone)]
struct Fill(Vec<Piece>);

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
                _ => match name.strip_prefix("env:") {
                    Some(var) if !var.is_empty() => Piece::Secret(secret_from_env(env, at, var)?),
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

    fn has(&self, f: impl Fn(&Piece) -> bool) -> bool {
        self.0.iter().any(f)
    }

    fn has_secret(&self) -> bool {
        self.has(|p| matches!(p, Piece::Secret(_)))
    }

    /// The text with every placeholder filled in, each value passed through `encode`.
    fn render(&self, m: &OutgoingMessage, encode: &dyn Fn(&str) -> String) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Secret(s) => out.push_str(&encode(s)),
                Piece::To => out.push_str(&encode(&m.destination)),
                Piece::ToDigits => out.push_str(&encode(m.destination.trim_start_matches('+'))),
                Piece::Message => out.push_str(&encode(&m.text)),
                Piece::Subject => out.push_str(&encode(&m.subject)),
                Piece::Channel => out.push_str(&encode(m.channel.as_str())),
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

    fn has(&self, f: &dyn Fn(&Piece) -> bool) -> bool {
        match self {
            JsonFill::String(fill) => fill.has(f),
            JsonFill::Array(items) => items.iter().any(|i| i.has(f)),
            JsonFill::Object(fields) => fields.iter().any(|(_, v)| v.has(f)),
            JsonFill::Other(_) => false,
        }
    }

    fn render(&self, m: &OutgoingMessage) -> Value {
        match self {
            JsonFill::String(fill) => Value::String(fill.render(m, &raw)),
            JsonFill::Array(items) => Value::Array(items.iter().map(|i| i.render(m)).collect()),
            JsonFill::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.render(m)))
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

/// A configured HTTP gateway; cheap to clone (the client is shared).
#[derive(Clone)]
pub struct HttpGateway {
    client: reqwest::Client,
    method: Method,
    url: Fill,
    headers: HeaderMap,
    auth: Auth,
    body: Arc<Body>,
    success_body_contains: Option<String>,
    timeout: Duration,
    attempts: u8,
    /// For logs and the audit log: the host only (the URL may hold the message or a key).
    host: String,
}

impl HttpGateway {
    pub const DEFAULT_TIMEOUT_MS: u64 = 4_000;

    /// Checks the configuration and builds the client. `at` names the section in errors.
    pub fn from_file(
        f: &HttpGatewayFile,
        channel: ChannelKind,
        env: EnvLookup<'_>,
        at: &str,
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
        let sample = OutgoingMessage {
            at_ms: 0,
            kind: crate::messages::MessageKind::Otp,
            redemption_id: None,
            customer_id: String::new(),
            customer_name: String::new(),
            channel,
            destination: "+10000000000".into(),
            subject: "s".into(),
            text: "m".into(),
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
            if fill.has(|p| {
                matches!(
                    p,
                    Piece::Message | Piece::Subject | Piece::To | Piece::ToDigits
                )
            }) {
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
        let body = match (&f.form, &f.json) {
            (Some(_), Some(_)) => {
                return Err(format!("{at}: give either form or json, not both"));
            }
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
        };
        if method == Method::GET && !matches!(body, Body::None) {
            return Err(format!(
                "{at}: a GET request has no body; put the fields in the url"
            ));
        }
        let is_message = |p: &Piece| matches!(p, Piece::Message);
        let carries_message = url.has(is_message)
            || match &body {
                Body::None => false,
                Body::Form(fields) => fields.iter().any(|(_, v)| v.has(is_message)),
                Body::Json(j) => j.has(&is_message),
            };
        if !carries_message {
            return Err(format!(
                "{at}: the request never carries the message; put {{message}} in the url, form or json"
            ));
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
        Ok(HttpGateway {
            client,
            method,
            url,
            headers,
            auth,
            body: Arc::new(body),
            success_body_contains: f.success_body_contains.clone(),
            timeout,
            attempts,
            host,
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn worst_case(&self) -> Duration {
        worst_case(self.timeout, self.attempts)
    }

    async fn attempt(&self, m: &OutgoingMessage) -> Result<(), DeliveryError> {
        let url = self.url.render(m, &url_encode);
        let mut req = self
            .client
            .request(self.method.clone(), url)
            .headers(self.headers.clone());
        req = match &self.auth {
            Auth::None => req,
            Auth::Basic { username, password } => req.basic_auth(username, Some(password)),
            Auth::Bearer(token) => req.bearer_auth(token),
        };
        req = match self.body.as_ref() {
            Body::None => req,
            Body::Form(fields) => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in fields {
                    form.append_pair(k, &v.render(m, &raw));
                }
                req.header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(form.finish())
            }
            Body::Json(j) => req
                .header(CONTENT_TYPE, "application/json")
                .body(j.render(m).to_string()),
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
        if let Some(needle) = &self.success_body_contains {
            // The body is read only to look for the marker: providers echo the message in it.
            let body = response.bytes().await.map_err(|e| self.classify(&e))?;
            if !String::from_utf8_lossy(&body).contains(needle.as_str()) {
                return Err(DeliveryError::new(
                    DeliveryFailureReason::Rejected,
                    format!("{host} answered HTTP {code} without the success marker"),
                )
                .status(code));
            }
        }
        Ok(())
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
    async fn deliver(&self, message: OutgoingMessage) -> Result<(), DeliveryError> {
        with_retries(self.attempts, || self.attempt(&message)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        HttpGateway::from_file(&file(toml_text), ChannelKind::Sms, &env, "[gateways.sms]")
    }

    fn message(text: &str) -> OutgoingMessage {
        OutgoingMessage {
            at_ms: 0,
            kind: crate::messages::MessageKind::Otp,
            redemption_id: None,
            customer_id: "c".into(),
            customer_name: "n".into(),
            channel: ChannelKind::Sms,
            destination: "+919876543210".into(),
            subject: String::new(),
            text: text.into(),
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
            g.url.render(&m, &url_encode),
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
        let v = j.render(&message("He said \"hi\"\nand left \\ {store}"));
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
            "[gateways.sms] url: unknown placeholder {phone}; use {to} {to_digits} {message} {subject} {channel} {env:NAME}"
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
