//! Message delivery behind the [`Gateway`] trait: an HTTP gateway (SMS and WhatsApp
//! providers, configured by URL, method, headers and a body template), e-mail over SMTP, and
//! the demo outbox (a "customer's phone" kept in memory and shown only in demo mode).
//!
//! Each channel (sms, whatsapp, email) is routed to its configured gateway. A channel without
//! one goes to the demo phone in demo mode and otherwise fails honestly (`not_configured`), so
//! a code is never reported as sent when it did not leave.

pub mod http;
pub mod reports;
pub mod smtp;

use crate::error::ApiError;
use crate::messages::{MessageCatalog, MessageKind, Vars};
use async_trait::async_trait;
use contract::{
    Channel as ChannelKind, DeliveryFailure, DeliveryFailureReason, ErrorCode, Problem, Template,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A rendered message. It may hold the code, so it is never logged: `Debug` is redacted.
pub struct OutgoingMessage {
    pub at_ms: i64,
    pub kind: MessageKind,
    /// The redemption (or kiosk identification) the message is about (none for an accrual).
    pub redemption_id: Option<String>,
    pub customer_id: String,
    pub customer_name: String,
    pub channel: ChannelKind,
    /// E.164 mobile number or e-mail address.
    pub destination: String,
    /// The store's locale: a gateway picks the template registered for it.
    pub locale: String,
    /// E-mail subject (other channels ignore it).
    pub subject: String,
    pub text: String,
    /// The catalog or policy text `text` was rendered from (none for a text the server
    /// composes, such as a manager's alert): a gateway with a registered template checks it,
    /// and renders it again with each value cut to what the template allows.
    pub template: Option<Template>,
    /// The values one by one, for request templates that take them apart.
    pub vars: Vars,
    /// The merchant whose own gateways carry it (`[merchants."<id>"]`); none, or a merchant
    /// without its own, goes by the server's.
    pub merchant_id: Option<String>,
}

/// Who a message goes to.
pub struct Addressee {
    pub customer_id: String,
    pub customer_name: String,
    pub channel: ChannelKind,
    pub destination: String,
}

impl OutgoingMessage {
    /// A message of `kind` to `to`, still without its words.
    pub fn new(kind: MessageKind, to: Addressee, at_ms: i64) -> OutgoingMessage {
        OutgoingMessage {
            at_ms,
            kind,
            redemption_id: None,
            customer_id: to.customer_id,
            customer_name: to.customer_name,
            channel: to.channel,
            destination: to.destination,
            locale: String::new(),
            subject: String::new(),
            text: String::new(),
            template: None,
            vars: Vars::default(),
            merchant_id: None,
        }
    }

    /// Sent for `merchant_id`: by its own gateways where it has them.
    pub fn for_merchant(mut self, merchant_id: &str) -> Self {
        self.merchant_id = Some(merchant_id.to_string());
        self
    }

    /// The redemption or identification it is about.
    pub fn about(mut self, id: &str) -> Self {
        self.redemption_id = Some(id.to_string());
        self
    }

    /// The words from a catalog or policy text and its values.
    pub fn with_text(
        mut self,
        locale: &str,
        text: Template,
        subject: &Template,
        vars: Vars,
    ) -> Self {
        let values = vars.values();
        self.text = text.render(&values);
        self.subject = subject.render(&values);
        self.locale = locale.to_string();
        self.template = Some(text);
        self.vars = vars;
        self
    }

    /// Words the server composed (no catalog text, no values).
    pub fn with_free_text(mut self, locale: &str, text: String, subject: &str) -> Self {
        self.text = text;
        self.subject = subject.to_string();
        self.locale = locale.to_string();
        self
    }

    /// The text with each value cut to `max_chars` (a registered template's limit); a
    /// composed text as it is.
    pub fn text_within(&self, max_chars: usize) -> String {
        match &self.template {
            Some(t) => t.render_within(&self.vars.values(), max_chars),
            None => self.text.clone(),
        }
    }
}

impl std::fmt::Debug for OutgoingMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMessage")
            .field("kind", &self.kind)
            .field("customer_id", &self.customer_id)
            .field("channel", &self.channel)
            .field("text", &"<redacted>")
            .finish()
    }
}

/// Why a message did not go out, as the cashier, the audit log and the logs hear it.
#[derive(Debug, Clone)]
pub struct DeliveryError {
    pub reason: DeliveryFailureReason,
    /// The gateway may have taken the message even though it failed: a timeout after the
    /// request went out, or a connection broken before the answer. Such a message may still
    /// reach the phone, so it counts against the send limits; nothing else does.
    pub maybe_accepted: bool,
    /// Attempts made (retries are bounded and only where nothing can have been sent twice).
    pub attempts: u8,
    /// HTTP status or SMTP reply code, when the gateway answered.
    pub status: Option<u16>,
    /// What happened, for logs and the audit log. Never the message, the destination or a
    /// secret: only the gateway's host and the kind of failure.
    pub detail: String,
}

impl DeliveryError {
    pub fn new(reason: DeliveryFailureReason, detail: impl Into<String>) -> Self {
        DeliveryError {
            reason,
            maybe_accepted: false,
            attempts: 1,
            status: None,
            detail: detail.into(),
        }
    }
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
    pub fn maybe_accepted(mut self) -> Self {
        self.maybe_accepted = true;
        self
    }
    /// The reason class as the contract spells it (`gateway_error`).
    pub fn reason_str(&self) -> String {
        serde_json::to_value(self.reason)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The audit detail: the class, status, attempts and whether it counted against the
    /// limits; never the message or the address.
    pub fn audit_detail(&self, channel: ChannelKind) -> serde_json::Value {
        serde_json::json!({
            "channel": channel.as_str(),
            "reason": self.reason_str(),
            "status": self.status,
            "attempts": self.attempts,
            "counted": self.maybe_accepted,
            "detail": self.detail,
        })
    }

    /// What the cashier (or the kiosk customer) is told: "not sent", and why.
    pub fn problem(&self, channel: ChannelKind) -> ApiError {
        ApiError::from(
            Problem::new(ErrorCode::DeliveryFailed)
                .detail(format!(
                    "The code was not sent: {} ({})",
                    self.detail,
                    self.reason_str()
                ))
                .delivery_failure(DeliveryFailure {
                    channel,
                    reason: self.reason,
                }),
        )
    }

    /// Whether another attempt is safe and useful: nothing reached the gateway, or it failed
    /// on its side without taking the message.
    pub fn retryable(&self) -> bool {
        !self.maybe_accepted
            && matches!(
                self.reason,
                DeliveryFailureReason::Unreachable | DeliveryFailureReason::GatewayError
            )
    }
}

/// What a gateway says when it takes a message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accepted {
    /// The provider's id for the message, read from its answer (`message_id`): its delivery
    /// reports name the message by it.
    pub provider_id: Option<String>,
}

#[async_trait]
pub trait Gateway: Send + Sync {
    /// Hands the message to the gateway; an error means the customer will not get it.
    async fn deliver(&self, message: OutgoingMessage) -> Result<Accepted, DeliveryError>;
}

/// Pause before the second and third attempts (connection refused, 5xx).
pub const RETRY_BACKOFF: Duration = Duration::from_millis(300);

/// Runs `attempt` up to `attempts` times while its failure is retryable, pausing between.
pub async fn with_retries<T, F, Fut>(attempts: u8, mut attempt: F) -> Result<T, DeliveryError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DeliveryError>>,
{
    let mut n = 1;
    loop {
        match attempt().await {
            Ok(taken) => return Ok(taken),
            Err(mut e) => {
                e.attempts = n;
                if n >= attempts || !e.retryable() {
                    return Err(e);
                }
            }
        }
        tokio::time::sleep(RETRY_BACKOFF * u32::from(n)).await;
        n += 1;
    }
}

/// The longest a gateway may take for one message, all attempts and pauses included.
pub fn worst_case(timeout: Duration, attempts: u8) -> Duration {
    let pauses: u32 = (1..u32::from(attempts)).sum();
    timeout * u32::from(attempts) + RETRY_BACKOFF * pauses
}

/// No gateway configured: every send fails, so the cashier is told and can use an override.
pub struct Unconfigured;

#[async_trait]
impl Gateway for Unconfigured {
    async fn deliver(&self, message: OutgoingMessage) -> Result<Accepted, DeliveryError> {
        Err(DeliveryError::new(
            DeliveryFailureReason::NotConfigured,
            format!("no {} gateway is configured", message.channel.label()),
        ))
    }
}

/// The `[gateways]` table of the configuration file: one gateway per channel.
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct GatewaysFile {
    pub sms: Option<GatewayFile>,
    pub whatsapp: Option<GatewayFile>,
    pub email: Option<GatewayFile>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GatewayFile {
    Http(Box<http::HttpGatewayFile>),
    Smtp(smtp::SmtpGatewayFile),
}

/// Where a configured secret comes from: the environment, never the file.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Reads a secret named in the file from the environment.
pub fn secret_from_env(env: EnvLookup<'_>, at: &str, var: &str) -> Result<String, String> {
    match env(var) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(format!(
            "{at}: the environment variable {var} is not set (secrets come from the environment, never the file)"
        )),
    }
}

/// The configured gateways, built and checked; one per channel at most.
#[derive(Clone, Default)]
pub struct Gateways {
    sms: Option<Arc<dyn Gateway>>,
    whatsapp: Option<Arc<dyn Gateway>>,
    email: Option<Arc<dyn Gateway>>,
    /// `channel → "http api.example.com"`, for the start-up log line.
    pub summary: Vec<String>,
    /// The HTTP gateways again, for what they registered (a store's own code text must fit
    /// it).
    http: Vec<(ChannelKind, http::HttpGateway)>,
}

impl std::fmt::Debug for Gateways {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.summary).finish()
    }
}

impl Gateways {
    /// Builds every configured gateway. `budget` is the longest a delivery may take (it must
    /// finish well inside the request timeout, or the cashier would see a timeout instead of
    /// the reason).
    pub fn from_file(
        file: &GatewaysFile,
        env: EnvLookup<'_>,
        budget: Duration,
        catalog: &MessageCatalog,
    ) -> Result<Gateways, String> {
        let mut out = Gateways::default();
        for channel in ChannelKind::ALL {
            let entry = match channel {
                ChannelKind::Sms => &file.sms,
                ChannelKind::Whatsapp => &file.whatsapp,
                ChannelKind::Email => &file.email,
            };
            let Some(entry) = entry else { continue };
            let at = format!("[gateways.{}]", channel.as_str());
            let (gateway, worst, summary): (Arc<dyn Gateway>, Duration, String) = match entry {
                GatewayFile::Http(h) => {
                    let g = http::HttpGateway::from_file(h, channel, env, &at, catalog)?;
                    let summary = format!("{}: http {}", channel.as_str(), g.host());
                    out.http.push((channel, g.clone()));
                    (
                        Arc::new(g.clone()) as Arc<dyn Gateway>,
                        g.worst_case(),
                        summary,
                    )
                }
                GatewayFile::Smtp(s) => {
                    if channel != ChannelKind::Email {
                        return Err(format!(
                            "{at}: SMTP sends e-mail; the {} channel needs type = \"http\"",
                            channel.as_str()
                        ));
                    }
                    let g = smtp::SmtpGateway::from_file(s, env, &at)?;
                    let summary = format!("email: smtp {}", g.host());
                    let worst = g.worst_case();
                    (Arc::new(g), worst, summary)
                }
            };
            if worst > budget {
                return Err(format!(
                    "{at}: attempts × timeout_ms may take {:.1} s, more than the {:.1} s a send may take within request_timeout_secs; lower timeout_ms or attempts, or raise request_timeout_secs",
                    worst.as_secs_f64(),
                    budget.as_secs_f64()
                ));
            }
            out.summary.push(summary);
            match channel {
                ChannelKind::Sms => out.sms = Some(gateway),
                ChannelKind::Whatsapp => out.whatsapp = Some(gateway),
                ChannelKind::Email => out.email = Some(gateway),
            }
        }
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.summary.is_empty()
    }

    /// The code texts a store's policy would send (its own, or the catalog's for its locale
    /// where it kept the default) against what each channel's gateway registered for codes in
    /// that locale: one error per text that does not fit, on the policy field of that channel
    /// (`templates.sms`), saying why.
    pub fn misfits(
        &self,
        policy: &contract::Policy,
        catalog: &MessageCatalog,
    ) -> Vec<contract::policy::PolicyError> {
        ChannelKind::ALL
            .into_iter()
            .filter_map(|channel| {
                let registered = self.registered(channel, MessageKind::Otp, &policy.locale)?;
                let text = catalog.otp(policy, channel);
                let misfit = registered.fits(text.as_str()).err()?;
                Some(contract::policy::PolicyError {
                    field: format!("templates.{}", channel.as_str()),
                    message: format!(
                        "The {} provider accepts only the text registered for codes: {misfit}",
                        channel.label()
                    ),
                })
            })
            .collect()
    }

    /// Whether the gateway of `channel` sends the amount in a message of its own before the
    /// code (its codes go by a template that cannot state it).
    pub fn amount_first(&self, channel: ChannelKind) -> bool {
        self.http
            .iter()
            .any(|(c, g)| *c == channel && g.amount_first())
    }

    /// Why the gateway of `channel` cannot send messages of an optional kind (a welcome, a
    /// manager's message to customers), if it cannot.
    pub fn refusal(&self, channel: ChannelKind, kind: MessageKind) -> Option<String> {
        self.http
            .iter()
            .find(|(c, _)| *c == channel)
            .and_then(|(_, g)| g.refusal(kind).map(str::to_string))
    }

    /// How the gateway of `channel` takes customers' replies, if its provider passes them on.
    pub fn replies(&self, channel: ChannelKind) -> Option<Arc<reports::Replies>> {
        self.http
            .iter()
            .find(|(c, _)| *c == channel)
            .and_then(|(_, g)| g.replies().cloned())
    }

    /// How the gateway of `channel` takes delivery reports, if its provider sends them.
    pub fn delivery_reports(&self, channel: ChannelKind) -> Option<Arc<reports::DeliveryReports>> {
        self.http
            .iter()
            .find(|(c, _)| *c == channel)
            .and_then(|(_, g)| g.delivery_reports().cloned())
    }

    /// The text the gateway of `channel` registered for `kind` in `locale` (India's DLT):
    /// a text that does not fit it would be blocked by the provider.
    pub fn registered(
        &self,
        channel: ChannelKind,
        kind: MessageKind,
        locale: &str,
    ) -> Option<&contract::Registered> {
        self.http
            .iter()
            .find(|(c, _)| *c == channel)
            .and_then(|(_, g)| g.registered(kind, locale))
    }

    /// Each channel to its gateway, and the others to `fallback` (the demo phone in demo
    /// mode, else [`Unconfigured`]).
    fn channels(&self, fallback: &Arc<dyn Gateway>) -> Channels {
        let pick = |g: &Option<Arc<dyn Gateway>>| g.clone().unwrap_or_else(|| fallback.clone());
        Channels {
            sms: pick(&self.sms),
            whatsapp: pick(&self.whatsapp),
            email: pick(&self.email),
        }
    }

    /// Routes every message by these gateways (see [`Router::new`] for merchants' own).
    pub fn with_fallback(&self, fallback: Arc<dyn Gateway>) -> Router {
        Router::new(self, &HashMap::new(), fallback)
    }
}

/// One channel implementation per channel kind.
struct Channels {
    sms: Arc<dyn Gateway>,
    whatsapp: Arc<dyn Gateway>,
    email: Arc<dyn Gateway>,
}

/// The server's gateways, and each merchant's own (`[merchants."<id>".gateways]`, their
/// sender ids and accounts): a message goes by its merchant's where it has them.
pub struct Router {
    default: Channels,
    merchants: HashMap<String, Channels>,
}

impl Router {
    pub fn new(
        default: &Gateways,
        merchants: &HashMap<String, Gateways>,
        fallback: Arc<dyn Gateway>,
    ) -> Router {
        Router {
            default: default.channels(&fallback),
            merchants: merchants
                .iter()
                .map(|(id, g)| (id.clone(), g.channels(&fallback)))
                .collect(),
        }
    }
}

#[async_trait]
impl Gateway for Router {
    async fn deliver(&self, message: OutgoingMessage) -> Result<Accepted, DeliveryError> {
        let set = message
            .merchant_id
            .as_deref()
            .and_then(|m| self.merchants.get(m))
            .unwrap_or(&self.default);
        let target = match message.channel {
            ChannelKind::Sms => &set.sms,
            ChannelKind::Whatsapp => &set.whatsapp,
            ChannelKind::Email => &set.email,
        };
        target.deliver(message).await
    }
}

/// rustls needs a process-wide crypto provider before the first TLS client is built; ring
/// is the one compiled in. Installing twice is harmless.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// One message as the demo phone shows it (`/demo/outbox.json`).
#[derive(Clone, Debug, Serialize)]
pub struct OutboxEntry {
    pub id: u64,
    pub at_ms: i64,
    pub kind: MessageKind,
    pub redemption_id: Option<String>,
    pub customer_id: String,
    pub customer_name: String,
    pub channel: ChannelKind,
    pub destination: String,
    pub text: String,
}

/// The demo "customer's phone": the newest messages, in memory only.
pub struct DemoOutbox {
    next_id: AtomicU64,
    messages: Mutex<VecDeque<OutboxEntry>>,
}

impl DemoOutbox {
    const KEEP: usize = 20_000;

    pub fn new() -> Self {
        DemoOutbox {
            next_id: AtomicU64::new(1),
            messages: Mutex::new(VecDeque::new()),
        }
    }

    /// Newest first, optionally for one customer or one redemption.
    pub fn list(
        &self,
        customer_id: Option<&str>,
        redemption_id: Option<&str>,
        limit: usize,
    ) -> Vec<OutboxEntry> {
        let messages = self.messages.lock().unwrap_or_else(|p| p.into_inner());
        messages
            .iter()
            .rev()
            .filter(|m| customer_id.is_none_or(|c| m.customer_id == c))
            .filter(|m| redemption_id.is_none_or(|r| m.redemption_id.as_deref() == Some(r)))
            .take(limit)
            .cloned()
            .collect()
    }
}

impl Default for DemoOutbox {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Gateway for DemoOutbox {
    async fn deliver(&self, m: OutgoingMessage) -> Result<Accepted, DeliveryError> {
        let entry = OutboxEntry {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            at_ms: m.at_ms,
            kind: m.kind,
            redemption_id: m.redemption_id,
            customer_id: m.customer_id,
            customer_name: m.customer_name,
            channel: m.channel,
            destination: m.destination,
            text: m.text,
        };
        let mut messages = self.messages.lock().unwrap_or_else(|p| p.into_inner());
        if messages.len() >= Self::KEEP {
            messages.pop_front();
        }
        messages.push_back(entry);
        Ok(Accepted::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU8;

    fn err(reason: DeliveryFailureReason) -> DeliveryError {
        DeliveryError::new(reason, "test")
    }

    #[tokio::test(start_paused = true)]
    async fn retries_are_bounded_and_only_where_nothing_can_go_twice() {
        use DeliveryFailureReason::*;
        for (failure, expected_calls) in [
            (err(Unreachable), 3),
            (err(GatewayError).status(503), 3),
            (err(Rejected).status(400), 1),
            (err(Timeout).maybe_accepted(), 1),
            (err(GatewayError).maybe_accepted(), 1),
            (err(NotConfigured), 1),
        ] {
            let calls = AtomicU8::new(0);
            let result = with_retries(3, || {
                calls.fetch_add(1, Ordering::Relaxed);
                let e = failure.clone();
                async move { Err::<(), _>(e) }
            })
            .await;
            let e = result.unwrap_err();
            assert_eq!(calls.load(Ordering::Relaxed), expected_calls, "{failure:?}");
            assert_eq!(e.attempts, expected_calls);
        }
        // A success after a refused connection stops there.
        let calls = AtomicU8::new(0);
        with_retries(3, || {
            let n = calls.fetch_add(1, Ordering::Relaxed);
            async move {
                if n == 0 {
                    Err(err(DeliveryFailureReason::Unreachable))
                } else {
                    Ok(())
                }
            }
        })
        .await
        .unwrap();
        assert_eq!(calls.load(Ordering::Relaxed), 2);
        assert_eq!(
            worst_case(Duration::from_secs(4), 3),
            Duration::from_millis(12_900)
        );
    }
}
