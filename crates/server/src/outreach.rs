//! Messages a manager sends to customers (seed 004, issue 16): to one customer, a list, or
//! everyone with a card type; only to those who agreed to the message's category
//! (`Consents`) and can be reached on its channel, one message per phone or address, within
//! the store's `customer_messages_per_day`. A preview says who it reaches, who it leaves out
//! and why, and shows the text as the first customer reads it. Sending records the message
//! and its recipients in one transaction (the budget is taken there, so two managers cannot
//! both spend the last of it), audits it, and hands each to the gateway afterwards; each
//! send's outcome, and the provider's delivery report where it sends them, is kept per
//! recipient. The text is the manager's (`TemplateKind::Manual`: `{store}` required, never a
//! code) and is checked against a provider's registered text for such messages (India's DLT).

use crate::admin::{customers_matching, invalid_fields};
use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::crypto::new_id;
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::gateways::{Addressee, OutgoingMessage};
use crate::messages::{manual_subject, safe_value, MessageKind, Vars};
use crate::model::{CustomerRow, DeliveryRow, OutreachRow, OutreachSummary, StoreRow};
use crate::state::Shared;
use crate::store::Tx;
use contract::api::DeliveryStatus;
use contract::outreach::{sms_parts, MessagePreview, NewMessage, SentMessage};
use contract::policy::PolicyError;
use contract::{Channel, ErrorCode, Problem, Template, TemplateKind};
use serde_json::json;
use tracing::Instrument;

/// Lines of a list that match no customer, shown back at most.
const NOT_FOUND_SHOWN: usize = 20;
/// Messages the back office lists.
pub const LISTED: u32 = 50;

/// Who a message reaches and who it leaves out.
pub struct Planned {
    pub recipients: Vec<CustomerRow>,
    pub without_consent: u32,
    pub unreachable: u32,
    pub not_found: Vec<String>,
    /// Who it is for, as a manager reads it.
    pub audience: String,
    pub template: Template,
}

fn wrong(field: &str, message: impl Into<String>) -> ApiError {
    invalid_fields(vec![PolicyError {
        field: field.into(),
        message: message.into(),
    }])
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Checks the message and finds its recipients (see the module).
pub fn plan(
    tx: &mut dyn Tx,
    app: &Shared,
    store: &StoreRow,
    msg: &NewMessage,
) -> ApiResult<Planned> {
    msg.validate().map_err(invalid_fields)?;
    let policy = &store.policy;
    if !policy.channels.contains(&msg.channel) {
        return Err(wrong(
            "channel",
            format!(
                "This store does not send by {}: choose one of its channels",
                msg.channel.label()
            ),
        ));
    }
    let gateways = app.config.gateways_for(&store.merchant_id);
    if let Some(why) = gateways.refusal(msg.channel, MessageKind::Manual) {
        return Err(wrong(
            "channel",
            format!(
                "The {} provider is not set up for messages to customers ({why}): choose another channel, or ask the operator",
                msg.channel.label()
            ),
        ));
    }
    let template = Template::parse(TemplateKind::Manual, &msg.text)
        .map_err(|e| wrong("text", e.to_string()))?;
    if let Some(registered) = gateways.registered(msg.channel, MessageKind::Manual, &policy.locale)
    {
        if let Err(misfit) = registered.fits(template.as_str()) {
            return Err(wrong(
                "text",
                format!(
                    "The {} provider accepts only the text registered for messages to customers: {misfit}",
                    msg.channel.label()
                ),
            ));
        }
    }
    let merchant = store.merchant_id.as_str();
    let mut candidates: Vec<CustomerRow> = Vec::new();
    let mut not_found = Vec::new();
    let audience = match &msg.card_type {
        Some(id) => {
            let card_type = tx
                .card_type_by_id(merchant, id.trim())?
                .ok_or_else(|| wrong("card_type", "There is no such card type"))?;
            candidates = tx.customers_of_type(merchant, &card_type.customer_type)?;
            format!("card type {}", card_type.name)
        }
        None => {
            let named = msg.named();
            for line in &named {
                match customers_matching(tx, store, line) {
                    Ok(found) if !found.is_empty() => {
                        for c in found {
                            if !candidates.iter().any(|x| x.id == c.id) {
                                candidates.push(c);
                            }
                        }
                    }
                    Ok(_) | Err(_) => not_found.push(line.to_string()),
                }
            }
            match named.len() {
                1 => "1 customer".to_string(),
                n => format!("{n} customers"),
            }
        }
    };
    let (mut without_consent, mut unreachable) = (0, 0);
    let mut recipients: Vec<CustomerRow> = Vec::new();
    let mut destinations: Vec<String> = Vec::new();
    for c in candidates {
        if !c.consent.agreed(msg.category) {
            without_consent += 1;
        } else if !c.reachable_on(msg.channel) {
            unreachable += 1;
        } else {
            // One message per phone or address, though customers share one.
            let to = destination(&c, msg.channel);
            if !destinations.contains(&to) {
                destinations.push(to);
                recipients.push(c);
            }
        }
    }
    not_found.truncate(NOT_FOUND_SHOWN);
    Ok(Planned {
        recipients,
        without_consent,
        unreachable,
        not_found,
        audience,
        template,
    })
}

fn destination(c: &CustomerRow, channel: Channel) -> String {
    match channel {
        Channel::Sms | Channel::Whatsapp => c
            .mobile
            .as_ref()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
        Channel::Email => c
            .email
            .as_ref()
            .map(|e| e.as_str().to_string())
            .unwrap_or_default(),
    }
}

fn vars(store: &StoreRow, channel: Channel, customer: &str) -> Vars {
    Vars {
        store: safe_value(channel, &store.name),
        customer: safe_value(channel, customer),
        ..Vars::default()
    }
}

/// Messages the store may still send to customers today (its time zone's day).
fn budget_left(tx: &mut dyn Tx, store: &StoreRow, now_ms: i64) -> ApiResult<u32> {
    let since = days::day_start(&store.policy, now_ms);
    let used = tx.outreach_recipients_since(&store.id, since)?;
    Ok(count(
        u64::from(store.policy.customer_messages_per_day).saturating_sub(used) as usize,
    ))
}

/// What sending `msg` would do; nothing is written.
pub fn preview(
    tx: &mut dyn Tx,
    app: &Shared,
    store: &StoreRow,
    msg: &NewMessage,
    now_ms: i64,
) -> ApiResult<MessagePreview> {
    let plan = plan(tx, app, store, msg)?;
    let name = plan
        .recipients
        .first()
        .map_or("Asha", |c| c.name.as_str())
        .to_string();
    let text = plan
        .template
        .render(&vars(store, msg.channel, &name).values());
    Ok(MessagePreview {
        recipients: count(plan.recipients.len()),
        without_consent: plan.without_consent,
        unreachable: plan.unreachable,
        not_found: plan.not_found,
        budget_left: budget_left(tx, store, now_ms)?,
        parts: match msg.channel {
            Channel::Sms => sms_parts(&text),
            _ => 1,
        },
        text,
    })
}

/// A message recorded and to be handed to the gateway, one per recipient.
pub struct Outgoing {
    pub sent: SentMessage,
    store_id: String,
    merchant_id: String,
    messages: Vec<OutgoingMessage>,
}

/// Records the message to its recipients within today's budget, and audits it; the sends
/// follow ([`deliver`]).
pub fn create(
    tx: &mut dyn Tx,
    app: &Shared,
    caller: &Caller,
    msg: &NewMessage,
    now_ms: i64,
) -> ApiResult<Outgoing> {
    let store = &caller.store;
    let plan = plan(tx, app, store, msg)?;
    let n = count(plan.recipients.len());
    if n == 0 {
        return Err(wrong(
            "customers",
            "No customer would get it: none found agreed to this kind of message and can be reached on this channel",
        ));
    }
    let left = budget_left(tx, store, now_ms)?;
    if n > left {
        let detail = match store.policy.customer_messages_per_day {
            0 => "Messages to customers are off in this store's policy".to_string(),
            _ => {
                format!("Today {left} more messages may go to customers; this one would go to {n}")
            }
        };
        return Err(Problem::new(ErrorCode::MessageBudgetExhausted)
            .detail(detail)
            .retry_after(crate::challenge::ceil_secs(
                days::day_end(&store.policy, now_ms) - now_ms,
            ))
            .into());
    }
    let staff = caller
        .staff
        .as_ref()
        .ok_or(ApiError::new(ErrorCode::Forbidden))?;
    let row = OutreachRow {
        id: new_id("msg"),
        store_id: store.id.clone(),
        staff_id: staff.id.clone(),
        category: msg.category,
        channel: msg.channel,
        audience: plan.audience.clone(),
        text: plan.template.as_str().to_string(),
        at_ms: now_ms,
        recipients: n,
    };
    let ids: Vec<String> = plan.recipients.iter().map(|c| c.id.clone()).collect();
    tx.insert_outreach(&row, &ids)?;
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        Action::CustomersMessaged,
        None,
        json!({
            "message_id": row.id,
            "category": msg.category.as_str(),
            "channel": msg.channel.as_str(),
            "audience": row.audience,
            "recipients": n,
            "without_consent": plan.without_consent,
            "unreachable": plan.unreachable,
            "text": row.text,
        }),
    )?;
    let subject = manual_subject();
    let messages = plan
        .recipients
        .iter()
        .map(|c| {
            let to = Addressee {
                customer_id: c.id.clone(),
                customer_name: c.name.clone(),
                channel: msg.channel,
                destination: destination(c, msg.channel),
            };
            OutgoingMessage::new(MessageKind::Manual, to, now_ms)
                .for_merchant(&store.merchant_id)
                .about(&row.id)
                .with_text(
                    &store.policy.locale,
                    plan.template.clone(),
                    &subject,
                    vars(store, msg.channel, &c.name),
                )
        })
        .collect();
    Ok(Outgoing {
        sent: summary(OutreachSummary {
            staff_name: staff.name.clone(),
            queued: n,
            sent: 0,
            delivered: 0,
            failed: 0,
            row,
        }),
        store_id: store.id.clone(),
        merchant_id: store.merchant_id.clone(),
        messages,
    })
}

/// The wire shape of a message and its sends.
pub fn summary(s: OutreachSummary) -> SentMessage {
    SentMessage {
        id: s.row.id,
        at_ms: s.row.at_ms,
        category: s.row.category,
        channel: s.row.channel,
        audience: s.row.audience,
        text: s.row.text,
        sent_by: s.staff_name,
        recipients: s.row.recipients,
        queued: s.queued,
        sent: s.sent,
        delivered: s.delivered,
        failed: s.failed,
    }
}

/// Hands each recipient's message to the gateway, one after another, after the request
/// answered; each outcome is written down (and, where the channel's provider sends delivery
/// reports, the provider's id, so its report finds the send).
pub fn deliver(app: &Shared, out: Outgoing) {
    let app = app.clone();
    let task = async move {
        for message in out.messages {
            let (outreach_id, customer_id, channel) = (
                out.sent.id.clone(),
                message.customer_id.clone(),
                message.channel,
            );
            let result = app.gateway.deliver(message).await;
            let now = app.clock.now_ms();
            let reports = app
                .config
                .gateways_for(&out.merchant_id)
                .delivery_reports(channel)
                .is_some();
            let store_id = out.store_id.clone();
            let written = app
                .db
                .run(move |tx| {
                    match &result {
                        Ok(accepted) => {
                            let id = accepted.provider_id.as_deref();
                            tx.outreach_sent(&outreach_id, &customer_id, Ok(id), now)?;
                            if let (true, Some(id)) = (reports, id) {
                                tx.record_delivery(&DeliveryRow {
                                    channel,
                                    provider_id: id.to_string(),
                                    store_id: Some(store_id),
                                    redemption_id: None,
                                    kind: Some(MessageKind::Manual.as_str().to_string()),
                                    status: DeliveryStatus::Sent,
                                    reason: None,
                                    sent_at_ms: Some(now),
                                    reported_at_ms: None,
                                })?;
                            }
                        }
                        Err(failure) => {
                            tx.outreach_sent(
                                &outreach_id,
                                &customer_id,
                                Err(&failure.reason_str()),
                                now,
                            )?;
                        }
                    }
                    Ok(())
                })
                .await;
            if let Err(e) = written {
                tracing::warn!(code = %e.code(), "a customer message's outcome was not written");
            }
        }
    };
    tokio::spawn(task.instrument(tracing::Span::current()));
}
