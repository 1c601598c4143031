//! Delivery reports (issue 16): a provider tells, later, what became of a message it took —
//! delivered to the phone, or failed at the operator. Each HTTP gateway may take them at
//! `POST /v1/delivery-reports/{channel}`, proven the provider's by a shared token or an HMAC
//! of the body, and read by pointers (JSON) or field names (form) into [`Report`]s.
//!
//! ```toml
//! [gateways.whatsapp]
//! message_id = "/messages/0/id"          # where the send's answer names the message
//! [gateways.whatsapp.delivery_reports]
//! auth = "hmac_sha256"                    # or "token": ?token=<secret> on the callback URL
//! secret_env = "WA_APP_SECRET"
//! signature_header = "x-hub-signature-256"
//! items = "/entry/0/changes/0/value/statuses"
//! id = "/id"
//! status = "/status"
//! reason = "/errors/0/title"
//! delivered = ["delivered", "read"]
//! failed = ["failed"]
//! ```

use super::{secret_from_env, EnvLookup};
use contract::api::{Delivery, DeliveryStatus};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// `[gateways.<channel>.delivery_reports]` as written.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct DeliveryReportsFile {
    pub auth: AuthKind,
    /// The environment variable holding the shared secret (never the file).
    pub secret_env: String,
    /// `hmac_sha256`: the header holding the body's HMAC-SHA256 (hex or base64, with or
    /// without a `sha256=` prefix).
    pub signature_header: Option<String>,
    /// `json` [default] or `form`.
    pub format: Option<String>,
    /// JSON: a pointer to the array of reports in the body (absent: the body is one report,
    /// or an array of them).
    pub items: Option<String>,
    /// Where each report names the message, its status and, when failed, why: JSON pointers
    /// (`/status`), or a form's field names (`MessageStatus`).
    pub id: String,
    pub status: String,
    pub reason: Option<String>,
    /// The provider's words for delivered and for failed; any other status (`queued`,
    /// `sent`) changes nothing.
    pub delivered: Vec<String>,
    pub failed: Vec<String>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    Token,
    HmacSha256,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    Form,
}

/// What a provider's callbacks share, delivery reports and replies alike: how the provider
/// proves a call is its own, and how the body is read into items (JSON objects found by
/// `items`, or one form).
#[derive(Clone)]
struct Callback {
    auth: AuthKind,
    secret: String,
    signature_header: Option<String>,
    format: Format,
    items: Option<String>,
}

/// One item of a callback's body, its values found by JSON pointer or form field name.
enum Item {
    Json(Value),
    Form(Vec<(String, String)>),
}

impl Item {
    fn get(&self, key: &str) -> Option<String> {
        match self {
            Item::Json(v) => v.pointer(key).and_then(scalar),
            Item::Form(fields) => fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty()),
        }
    }
}

impl Callback {
    /// Checks the shared settings of section `here`; `keys` are the section's own pointers
    /// or field names, by setting name.
    #[allow(clippy::too_many_arguments)]
    fn from_parts(
        here: &str,
        auth: AuthKind,
        secret_env: &str,
        signature_header: Option<&str>,
        format: Option<&str>,
        items: Option<&str>,
        keys: &[(&str, &str)],
        env: EnvLookup<'_>,
    ) -> Result<Callback, String> {
        let secret = secret_from_env(env, &format!("{here} secret_env"), secret_env)?;
        if secret.len() < 16 {
            return Err(format!(
                "{here} secret_env: the secret is too short to be guessed by nobody (use at least 16 characters)"
            ));
        }
        let signature_header = match (auth, signature_header) {
            (AuthKind::HmacSha256, None) => {
                return Err(format!(
                    "{here}: auth = \"hmac_sha256\" needs signature_header (the header the provider signs in)"
                ))
            }
            (AuthKind::HmacSha256, Some(h)) => Some(
                reqwest::header::HeaderName::from_bytes(h.as_bytes())
                    .map_err(|_| format!("{here} signature_header: not a header name"))?
                    .as_str()
                    .to_string(),
            ),
            (AuthKind::Token, Some(_)) => {
                return Err(format!(
                    "{here}: signature_header is for auth = \"hmac_sha256\"; a token comes as ?token= on the callback URL"
                ))
            }
            (AuthKind::Token, None) => None,
        };
        let format = match format.unwrap_or("json") {
            "json" => Format::Json,
            "form" => Format::Form,
            other => return Err(format!("{here} format: \"{other}\" is not json or form")),
        };
        let all = keys.iter().copied().chain(items.map(|i| ("items", i)));
        for (name, p) in all {
            match format {
                Format::Json if !p.is_empty() && !p.starts_with('/') => {
                    return Err(format!(
                        "{here} {name}: a JSON pointer starts with / (e.g. \"/{p}\")"
                    ))
                }
                Format::Form if name == "items" => {
                    return Err(format!(
                        "{here} items: a form carries one report; items is for JSON"
                    ))
                }
                Format::Form if p.is_empty() || p.starts_with('/') => {
                    return Err(format!(
                        "{here} {name}: a form field's name, e.g. MessageStatus"
                    ))
                }
                _ => {}
            }
        }
        Ok(Callback {
            auth,
            secret,
            signature_header,
            format,
            items: items.map(String::from),
        })
    }

    fn authenticate(
        &self,
        token: Option<&str>,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Result<(), Refused> {
        let ok = match self.auth {
            AuthKind::Token => {
                token.is_some_and(|t| bool::from(t.as_bytes().ct_eq(self.secret.as_bytes())))
            }
            AuthKind::HmacSha256 => {
                let header = self.signature_header.as_deref().unwrap_or_default();
                let given = headers
                    .get(header)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.trim())
                    .map(|v| v.strip_prefix("sha256=").unwrap_or(v));
                given.and_then(signature_bytes).is_some_and(|sig| {
                    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.secret.as_bytes())
                        .expect("HMAC takes any key length");
                    mac.update(body);
                    mac.verify_slice(&sig).is_ok()
                })
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Refused::Unauthenticated)
        }
    }

    fn items(&self, body: &[u8]) -> Result<Vec<Item>, Refused> {
        let unreadable = |why: &str| Refused::Unreadable(why.to_string());
        match self.format {
            Format::Form => Ok(vec![Item::Form(
                url::form_urlencoded::parse(body)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            )]),
            Format::Json => {
                let v: Value =
                    serde_json::from_slice(body).map_err(|_| unreadable("the body is not JSON"))?;
                let list = match &self.items {
                    Some(p) => match v.pointer(p) {
                        Some(Value::Array(a)) => a.clone(),
                        // A provider's other events (e.g. incoming messages) have none.
                        None => vec![],
                        Some(_) => return Err(unreadable("items does not point at an array")),
                    },
                    None => match v {
                        Value::Array(a) => a,
                        one => vec![one],
                    },
                };
                Ok(list.into_iter().map(Item::Json).collect())
            }
        }
    }
}

/// A gateway's delivery reports, checked at start-up.
#[derive(Clone)]
pub struct DeliveryReports {
    callback: Callback,
    id: String,
    status: String,
    reason: Option<String>,
    delivered: Vec<String>,
    failed: Vec<String>,
}

/// One report: which message, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub provider_id: String,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
}

/// Why a callback is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The token or the signature is missing or wrong: not the provider.
    Unauthenticated,
    /// The body cannot be read as configured.
    Unreadable(String),
}

/// A string or a number where a value is expected (providers write ids both ways).
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The longest id kept: a provider's id is an opaque handle, not a text.
const MAX_ID: usize = 200;

/// A list of a provider's words, lower-cased; `name` for the error when it is empty.
fn words(list: &[String], here: &str, name: &str) -> Result<Vec<String>, String> {
    let out: Vec<String> = list
        .iter()
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    if out.is_empty() {
        return Err(format!(
            "{here} {name}: list the provider's words for it, e.g. [\"{name}\"]"
        ));
    }
    Ok(out)
}

impl DeliveryReports {
    /// Checks the section; `has_message_id`: the gateway reads the message's id from its
    /// answer (without it no report could be matched to a send).
    pub fn from_file(
        f: &DeliveryReportsFile,
        env: EnvLookup<'_>,
        at: &str,
        has_message_id: bool,
    ) -> Result<DeliveryReports, String> {
        let here = format!("{}.delivery_reports]", at.trim_end_matches(']'));
        if !has_message_id {
            return Err(format!(
                "{here}: set message_id on the gateway (a JSON pointer into the provider's answer to a send, e.g. \"/messages/0/id\"), so a report can be matched to the message it is about"
            ));
        }
        let keys: Vec<(&str, &str)> = [("id", f.id.as_str()), ("status", f.status.as_str())]
            .into_iter()
            .chain(f.reason.as_deref().map(|r| ("reason", r)))
            .collect();
        let callback = Callback::from_parts(
            &here,
            f.auth,
            &f.secret_env,
            f.signature_header.as_deref(),
            f.format.as_deref(),
            f.items.as_deref(),
            &keys,
            env,
        )?;
        let (delivered, failed) = (
            words(&f.delivered, &here, "delivered")?,
            words(&f.failed, &here, "failed")?,
        );
        if let Some(both) = delivered.iter().find(|w| failed.contains(w)) {
            return Err(format!(
                "{here}: \"{both}\" is in both delivered and failed"
            ));
        }
        Ok(DeliveryReports {
            callback,
            id: f.id.clone(),
            status: f.status.clone(),
            reason: f.reason.clone(),
            delivered,
            failed,
        })
    }

    /// Whether the callback comes from the provider: its token (`?token=`), or its HMAC of
    /// the exact body. Compared in constant time.
    pub fn authenticate(
        &self,
        token: Option<&str>,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Result<(), Refused> {
        self.callback.authenticate(token, headers, body)
    }

    /// A provider's check of its callback URL (Meta's `hub.verify_token`): the gateway's
    /// secret, compared in constant time.
    pub fn verifies(&self, token: &str) -> bool {
        bool::from(token.as_bytes().ct_eq(self.callback.secret.as_bytes()))
    }

    /// The reports in a callback's body. A report whose status is neither delivered nor
    /// failed (queued, sent, read receipts the provider was not asked for) is left out.
    pub fn read(&self, body: &[u8]) -> Result<Vec<Report>, Refused> {
        let mut out = Vec::new();
        for item in self.callback.items(body)? {
            let Some(status) = item.get(&self.status).map(|s| s.to_lowercase()) else {
                // One bad item must not cost the batch its good reports (the provider would
                // send the batch again and again): it is left out, and logged.
                tracing::warn!("a delivery report without a status was left out");
                continue;
            };
            let status = if self.delivered.contains(&status) {
                DeliveryStatus::Delivered
            } else if self.failed.contains(&status) {
                DeliveryStatus::Failed
            } else {
                continue;
            };
            let Some(provider_id) = item.get(&self.id).filter(|i| i.len() <= MAX_ID) else {
                tracing::warn!("a delivery report naming no message was left out");
                continue;
            };
            let reason = match status {
                DeliveryStatus::Failed => self
                    .reason
                    .as_deref()
                    .and_then(|r| item.get(r))
                    .as_deref()
                    .and_then(Delivery::clean_reason),
                _ => None,
            };
            out.push(Report {
                provider_id,
                status,
                reason,
            });
        }
        Ok(out)
    }
}

/// `[gateways.<channel>.replies]` as written: customers' replies to a code's message, of
/// which only "I did not ask for this" (its `keywords`) counts (issue 16).
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct RepliesFile {
    pub auth: AuthKind,
    pub secret_env: String,
    pub signature_header: Option<String>,
    pub format: Option<String>,
    pub items: Option<String>,
    /// Where a reply names the customer's number (`+91…` or `91…`).
    pub from: String,
    /// Where it holds the text (or a button's payload).
    pub text: String,
    /// Where it names the message it answers, if the provider says (a WhatsApp button's
    /// `context.id`); otherwise the customer's live codes on this channel are meant.
    pub in_reply_to: Option<String>,
    /// What a customer sends to say they did not ask for the code, matched whole, in any
    /// case, e.g. `["NOTME", "NOT ME", "Not me"]`.
    pub keywords: Vec<String>,
    /// The country of numbers the provider writes without one (`9876543210`,
    /// `09876543210`) [default: 91].
    pub country_calling_code: Option<String>,
}

/// A gateway's replies, checked at start-up.
#[derive(Clone)]
pub struct Replies {
    callback: Callback,
    from: String,
    text: String,
    in_reply_to: Option<String>,
    keywords: Vec<String>,
    home: contract::CallingCode,
}

/// A customer's "I did not ask for this".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disowning {
    /// The customer's number as E.164 (`+919876543210`): what the provider wrote, read as
    /// a national number of the configured country or, when it cannot be one, as an
    /// international number written without its `+` (`919876543210`).
    pub from: Vec<String>,
    /// The provider's id of the message answered, when it says.
    pub in_reply_to: Option<String>,
}

/// A reply's words as they are compared: lower case, blanks as one space.
fn said(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Replies {
    pub fn from_file(f: &RepliesFile, env: EnvLookup<'_>, at: &str) -> Result<Replies, String> {
        let here = format!("{}.replies]", at.trim_end_matches(']'));
        let keys: Vec<(&str, &str)> = [("from", f.from.as_str()), ("text", f.text.as_str())]
            .into_iter()
            .chain(f.in_reply_to.as_deref().map(|r| ("in_reply_to", r)))
            .collect();
        let callback = Callback::from_parts(
            &here,
            f.auth,
            &f.secret_env,
            f.signature_header.as_deref(),
            f.format.as_deref(),
            f.items.as_deref(),
            &keys,
            env,
        )?;
        let keywords: Vec<String> = words(&f.keywords, &here, "keywords")?
            .iter()
            .map(|k| said(k))
            .collect();
        let home = match &f.country_calling_code {
            Some(c) => contract::CallingCode::parse(c)
                .map_err(|e| format!("{here} country_calling_code: {e}"))?,
            None => contract::CallingCode::INDIA,
        };
        Ok(Replies {
            callback,
            from: f.from.clone(),
            text: f.text.clone(),
            in_reply_to: f.in_reply_to.clone(),
            keywords,
            home,
        })
    }

    pub fn authenticate(
        &self,
        token: Option<&str>,
        headers: &axum::http::HeaderMap,
        body: &[u8],
    ) -> Result<(), Refused> {
        self.callback.authenticate(token, headers, body)
    }

    /// The replies that say "I did not ask for this"; any other reply is left out, and so
    /// is one without a number that could be a mobile (logged: the provider is told all is
    /// well, or it would send the whole batch again and again).
    pub fn read(&self, body: &[u8]) -> Result<Vec<Disowning>, Refused> {
        let mut out = Vec::new();
        for item in self.callback.items(body)? {
            let Some(text) = item.get(&self.text) else {
                continue;
            };
            if !self.keywords.contains(&said(&text)) {
                continue;
            }
            let written = item.get(&self.from).unwrap_or_default();
            let mut from: Vec<String> = contract::Mobile::parse(&written, self.home)
                .ok()
                .into_iter()
                .map(|m| m.as_str().to_string())
                .collect();
            // Not a national number: an international one written without its `+`
            // (`919876543210`, as Meta writes them).
            let bare = written.trim();
            if from.is_empty() && !bare.starts_with('+') && !bare.starts_with('0') {
                if let Ok(m) = contract::Mobile::parse(&format!("+{bare}"), self.home) {
                    from.push(m.as_str().to_string());
                }
            }
            if from.is_empty() {
                tracing::warn!(
                    "a customer's reply names no number that could be a mobile; it was left out"
                );
                continue;
            }
            out.push(Disowning {
                from,
                in_reply_to: self
                    .in_reply_to
                    .as_deref()
                    .and_then(|p| item.get(p))
                    .filter(|i| i.len() <= MAX_ID),
            });
        }
        Ok(out)
    }
}

/// A signature as providers write it: hex (64 digits) or base64.
fn signature_bytes(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return hex::decode(s).ok();
    }
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a-provider-shared-secret";

    fn env(var: &str) -> Option<String> {
        (var == "DLR_SECRET").then(|| SECRET.to_string())
    }

    fn build(text: &str) -> Result<DeliveryReports, String> {
        let f: DeliveryReportsFile = toml::from_str(text).unwrap();
        DeliveryReports::from_file(&f, &env, "[gateways.sms]", true)
    }

    const META: &str = r#"
        auth = "hmac_sha256"
        secret_env = "DLR_SECRET"
        signature_header = "X-Hub-Signature-256"
        items = "/entry/0/changes/0/value/statuses"
        id = "/id"
        status = "/status"
        reason = "/errors/0/title"
        delivered = ["delivered", "read"]
        failed = ["failed"]
    "#;

    fn sign(body: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn a_signed_json_callback_is_read_into_reports_and_other_statuses_are_left_out() {
        let r = build(META).unwrap();
        let body = br#"{"entry":[{"changes":[{"value":{"statuses":[
            {"id":"wamid.1","status":"delivered"},
            {"id":"wamid.2","status":"failed","errors":[{"title":"Message undeliverable\u0007  now"}]},
            {"id":"wamid.3","status":"sent"}]}}]}]}"#;
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-hub-signature-256", sign(body).parse().unwrap());
        assert_eq!(r.authenticate(None, &headers, body), Ok(()));
        assert_eq!(
            r.read(body).unwrap(),
            vec![
                Report {
                    provider_id: "wamid.1".into(),
                    status: DeliveryStatus::Delivered,
                    reason: None
                },
                Report {
                    provider_id: "wamid.2".into(),
                    status: DeliveryStatus::Failed,
                    reason: Some("Message undeliverable now".into())
                },
            ]
        );
        // One byte changed, or no signature: not the provider.
        let mut forged = body.to_vec();
        forged[20] ^= 1;
        assert_eq!(
            r.authenticate(None, &headers, &forged),
            Err(Refused::Unauthenticated)
        );
        assert_eq!(
            r.authenticate(None, &axum::http::HeaderMap::new(), body),
            Err(Refused::Unauthenticated)
        );
    }

    #[test]
    fn a_form_callback_with_a_token() {
        let r = build(
            r#"
            auth = "token"
            secret_env = "DLR_SECRET"
            format = "form"
            id = "MessageSid"
            status = "MessageStatus"
            reason = "ErrorMessage"
            delivered = ["delivered"]
            failed = ["failed", "undelivered"]
        "#,
        )
        .unwrap();
        let none = axum::http::HeaderMap::new();
        assert_eq!(r.authenticate(Some(SECRET), &none, b""), Ok(()));
        assert_eq!(
            r.authenticate(Some("a-provider-shared-secreT"), &none, b""),
            Err(Refused::Unauthenticated)
        );
        assert_eq!(
            r.authenticate(None, &none, b""),
            Err(Refused::Unauthenticated)
        );
        let body = b"MessageSid=SM123&MessageStatus=undelivered&ErrorMessage=Unknown+destination";
        assert_eq!(
            r.read(body).unwrap(),
            vec![Report {
                provider_id: "SM123".into(),
                status: DeliveryStatus::Failed,
                reason: Some("Unknown destination".into())
            }]
        );
        assert!(r
            .read(b"MessageSid=SM1&MessageStatus=queued")
            .unwrap()
            .is_empty());
        // A report naming no message is left out, not the batch.
        assert!(r.read(b"MessageStatus=delivered").unwrap().is_empty());
    }

    #[test]
    fn only_a_customers_not_me_reply_counts_with_their_number_and_the_message_answered() {
        let f: RepliesFile = toml::from_str(
            r#"
            auth = "hmac_sha256"
            secret_env = "DLR_SECRET"
            signature_header = "X-Hub-Signature-256"
            items = "/entry/0/changes/0/value/messages"
            from = "/from"
            text = "/button/payload"
            in_reply_to = "/context/id"
            keywords = ["NOT ME", "notme"]
        "#,
        )
        .unwrap();
        let r = Replies::from_file(&f, &env, "[gateways.whatsapp]").unwrap();
        let body = br#"{"entry":[{"changes":[{"value":{"messages":[
            {"from":"919876543210","context":{"id":"wamid.9"},"button":{"payload":"Not  me"}},
            {"from":"919876543211","button":{"payload":"Thanks"}},
            {"from":"919876543212","text":{"body":"NOTME"}}]}}]}]}"#;
        assert_eq!(
            r.read(body).unwrap(),
            vec![Disowning {
                from: vec!["+919876543210".into()],
                in_reply_to: Some("wamid.9".into())
            }]
        );
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-hub-signature-256", sign(body).parse().unwrap());
        assert_eq!(r.authenticate(None, &headers, body), Ok(()));
        let no_number =
            br#"{"entry":[{"changes":[{"value":{"messages":[{"button":{"payload":"NOTME"}}]}}]}]}"#;
        assert!(
            r.read(no_number).unwrap().is_empty(),
            "left out, not the batch"
        );
        // Numbers as providers write them: with +, without it, national, with a 0 or 00.
        for written in [
            "+919876543210",
            "919876543210",
            "9876543210",
            "09876543210",
            "00919876543210",
        ] {
            let body = format!(
                r#"{{"entry":[{{"changes":[{{"value":{{"messages":[{{"from":"{written}","button":{{"payload":"notme"}}}}]}}}}]}}]}}"#
            );
            let read = r.read(body.as_bytes()).unwrap();
            assert_eq!(read[0].from, vec!["+919876543210".to_string()], "{written}");
        }
    }

    #[test]
    fn start_up_refuses_what_could_never_match_or_prove_anything() {
        let f: DeliveryReportsFile = toml::from_str(META).unwrap();
        let no_id = DeliveryReports::from_file(&f, &env, "[gateways.sms]", false)
            .err()
            .expect("refused");
        assert!(no_id.contains("message_id"), "{no_id}");
        for (text, says) in [
            (
                META.replace("signature_header = \"X-Hub-Signature-256\"", ""),
                "signature_header",
            ),
            (META.replace("DLR_SECRET", "NOPE"), "NOPE"),
            (
                META.replace("items = \"/entry", "items = \"entry"),
                "starts with /",
            ),
            (
                META.replace("failed = [\"failed\"]", "failed = [\"read\"]"),
                "in both",
            ),
            (
                META.replace("failed = [\"failed\"]", "failed = []"),
                "failed",
            ),
        ] {
            let e = build(&text)
                .err()
                .unwrap_or_else(|| panic!("accepted: {text}"));
            assert!(e.contains(says), "{says}: {e}");
        }
    }
}
