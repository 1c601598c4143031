//! Message delivery behind the [`Channel`] trait. This issue ships the demo outbox (a
//! "customer's phone" kept in memory and shown only in demo mode); real SMS, WhatsApp and
//! e-mail gateways implement the same trait later. Without one, sends fail honestly
//! (`delivery_failed`) instead of pretending.

use async_trait::async_trait;
use contract::Channel as ChannelKind;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// A rendered message. It holds the code, so it is never logged: `Debug` is redacted.
pub struct OutgoingMessage {
    pub at_ms: i64,
    /// The intent the code belongs to (lets the demo phone and tests tell codes apart).
    pub redemption_id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub channel: ChannelKind,
    pub destination: String,
    pub text: String,
}

impl std::fmt::Debug for OutgoingMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMessage")
            .field("customer_id", &self.customer_id)
            .field("channel", &self.channel)
            .field("text", &"<redacted>")
            .finish()
    }
}

#[derive(Debug)]
pub struct DeliveryError(pub String);

#[async_trait]
pub trait Channel: Send + Sync {
    /// Hands the message to the gateway; an error means the customer will not get it.
    async fn deliver(&self, message: OutgoingMessage) -> Result<(), DeliveryError>;
}

/// No gateway configured: every send fails, so the cashier is told and can use an override.
pub struct Unconfigured;

#[async_trait]
impl Channel for Unconfigured {
    async fn deliver(&self, message: OutgoingMessage) -> Result<(), DeliveryError> {
        Err(DeliveryError(format!(
            "no {} gateway is configured",
            message.channel.label()
        )))
    }
}

/// One message as the demo phone shows it (`/demo/outbox.json`).
#[derive(Clone, Debug, Serialize)]
pub struct OutboxEntry {
    pub id: u64,
    pub at_ms: i64,
    pub redemption_id: String,
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
            .filter(|m| redemption_id.is_none_or(|r| m.redemption_id == r))
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
impl Channel for DemoOutbox {
    async fn deliver(&self, m: OutgoingMessage) -> Result<(), DeliveryError> {
        let entry = OutboxEntry {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            at_ms: m.at_ms,
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
        Ok(())
    }
}
