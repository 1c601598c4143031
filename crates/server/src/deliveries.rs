//! Delivery reports (issue 16). "Sent" means the provider's API took the message; whether the
//! phone got it comes later, in the provider's report. Where a gateway takes reports
//! (`[gateways.<channel>.delivery_reports]`), each message it takes is recorded by the
//! provider's id, and each report updates it: a code's redemption then shows "delivered" or
//! "failed at the operator" on the code screen. A failed code is void at once (it will not
//! arrive), may be sent again at once by another channel, and is audited; reports are counted
//! in `/metrics`.
//!
//! A customer's reply "I did not ask for this" (`[gateways.<channel>.replies]`, a keyword by
//! SMS or a WhatsApp button) voids the live codes that went to their number, blocks new codes
//! to them for the policy's `disowned_block_hours`, tells the store's managers, and is
//! audited as `code_disowned`.

use crate::audit::{self, Action, Actor};
use crate::error::ApiResult;
use crate::gateways::reports::{Disowning, Report};
use crate::gateways::{Accepted, Addressee, OutgoingMessage};
use crate::messages::{alert_subject, alert_template, safe_value, MessageKind, Vars};
use crate::metrics;
use crate::model::DeliveryRow;
use crate::state::Shared;
use crate::store::Tx;
use contract::api::{Delivery, DeliveryStatus, RedemptionStatus};
use contract::Channel;
use serde_json::json;
use tracing::Instrument;

/// What a code's send is, for matching its report to the code still live on the redemption.
pub struct CodeSend {
    pub channel: Channel,
    pub kind: MessageKind,
    pub store_id: String,
    pub merchant_id: String,
    /// The challenge's id (a redemption's, or a kiosk identification's).
    pub about: String,
    /// The MAC of the code it carried: a resend's is another.
    pub code_mac: Option<String>,
}

/// After the gateway took a code's message: when the channel's provider sends delivery
/// reports and named the message, it is recorded, and a redemption's live code knows it (or
/// what a report that came first said). `None` when there are no reports to wait for.
pub async fn code_sent(
    app: &Shared,
    send: CodeSend,
    accepted: Accepted,
    now_ms: i64,
) -> ApiResult<Option<Delivery>> {
    let reports = app
        .config
        .gateways_for(&send.merchant_id)
        .delivery_reports(send.channel)
        .is_some();
    // Only a message its reports will name waits for one (the till reads again meanwhile).
    let Some(provider_id) = accepted.provider_id.filter(|_| reports) else {
        return Ok(None);
    };
    app.db
        .run(move |tx| {
            let row = tx.record_delivery(&DeliveryRow {
                channel: send.channel,
                provider_id,
                store_id: Some(send.store_id),
                redemption_id: Some(send.about),
                kind: Some(send.kind.as_str().to_string()),
                status: DeliveryStatus::Sent,
                reason: None,
                sent_at_ms: Some(now_ms),
                reported_at_ms: None,
            })?;
            let delivery = apply(tx, &row, send.code_mac.as_deref(), now_ms)?;
            Ok(delivery)
        })
        .await
}

/// A provider's reports, already authenticated and read: each updates its message unless a
/// final report came before. Returns how many changed something.
pub async fn reported(
    app: &Shared,
    channel: Channel,
    reports: Vec<Report>,
    now_ms: i64,
) -> ApiResult<usize> {
    app.db
        .run(move |tx| {
            let mut changed = 0;
            for report in &reports {
                let (row, fresh) = tx.report_delivery(channel, report, now_ms)?;
                if !fresh {
                    continue;
                }
                changed += 1;
                metrics::get().reported(channel, report.status == DeliveryStatus::Delivered);
                apply(tx, &row, None, now_ms)?;
            }
            Ok(changed)
        })
        .await
}

/// Brings a redemption's live code up to date with its message's row: the provider's id on
/// the send that carried it (`sent_code`: the MAC of that send's code, while it is being
/// recorded), and the latest report. A code the operator could not deliver is void, may be
/// sent again at once, and is audited. Returns what the code's message is known to be,
/// when the row is the live code's.
fn apply(
    tx: &mut dyn Tx,
    row: &DeliveryRow,
    sent_code: Option<&str>,
    now_ms: i64,
) -> ApiResult<Option<Delivery>> {
    if row.kind.as_deref() != Some(MessageKind::Otp.as_str()) {
        return Ok(None);
    }
    let (Some(store_id), Some(id)) = (&row.store_id, &row.redemption_id) else {
        return Ok(None);
    };
    let Some(mut redemption) = tx.redemption(store_id, id)? else {
        return Ok(None);
    };
    if redemption.status != RedemptionStatus::AwaitingOtp {
        return Ok(None);
    }
    let terminal_id = redemption.terminal_id.clone();
    let Some(otp) = redemption.otp.as_mut() else {
        return Ok(None);
    };
    if otp.channel != row.channel || otp.code_mac.is_none() {
        // Another channel's code, or no live code (used, voided, disowned meanwhile).
        return Ok(None);
    }
    match sent_code {
        // The send is being recorded: it is the live code's if its MAC is that code's.
        Some(mac) if otp.code_mac.as_deref() == Some(mac) && otp.provider_id.is_none() => {
            otp.provider_id = Some(row.provider_id.clone());
        }
        Some(_) => return Ok(None),
        // A report: only for the message that carried the code still on the redemption.
        None if otp.provider_id.as_deref() != Some(row.provider_id.as_str()) => return Ok(None),
        None => {}
    }
    let delivery = row.delivery();
    otp.delivery = Some(delivery.clone());
    let failed = row.status == DeliveryStatus::Failed;
    if failed {
        otp.void_undelivered(now_ms);
    }
    tx.update_redemption(&redemption)?;
    if failed {
        audit::record(
            tx,
            now_ms,
            &Actor::terminal(store_id, &terminal_id),
            Action::OtpDeliveryFailed,
            Some(id),
            json!({
                "channel": row.channel.as_str(),
                "reason": "failed_at_operator",
                "detail": row.reason,
                "reported_by": "provider",
            }),
        )?;
    }
    Ok(Some(delivery))
}

/// Customers' "I did not ask for this", already authenticated and read: for each, the live
/// codes sent on `channel` to that number (only the one the reply answers, when the provider
/// says which and it is one of them) are void, the customer gets no code for the policy's
/// hours, each is audited, and the store's managers are told by SMS. Returns how many codes
/// were disowned.
pub async fn disowned(
    app: &Shared,
    channel: Channel,
    replies: Vec<Disowning>,
    now_ms: i64,
) -> ApiResult<usize> {
    let (count, alerts) = app
        .db
        .run(move |tx| {
            let mut count = 0;
            let mut alerts = Vec::new();
            for reply in &replies {
                let (n, mut told) = disown(tx, channel, reply, now_ms)?;
                count += n;
                alerts.append(&mut told);
            }
            Ok((count, alerts))
        })
        .await?;
    if !alerts.is_empty() {
        let app = app.clone();
        let task = async move { crate::alerts::deliver(&app, alerts).await };
        tokio::spawn(task.instrument(tracing::Span::current()));
    }
    Ok(count)
}

fn disown(
    tx: &mut dyn Tx,
    channel: Channel,
    reply: &Disowning,
    now_ms: i64,
) -> ApiResult<(usize, Vec<OutgoingMessage>)> {
    // Codes still to be typed, and codes already typed (approved, not yet posted: the code
    // reached whoever asked for it, which matters most).
    let mut live: Vec<crate::model::RedemptionRow> = Vec::new();
    for mobile in &reply.from {
        for r in tx.open_redemptions_of_mobile(mobile, now_ms)? {
            let sent_here = r.otp.as_ref().is_some_and(|o| o.channel == channel);
            let pending = r.status == RedemptionStatus::AwaitingOtp
                && r.otp.as_ref().is_some_and(|o| o.code_mac.is_some());
            let already = r
                .otp
                .as_ref()
                .and_then(|o| o.delivery.as_ref())
                .is_some_and(|d| d.status == DeliveryStatus::Disowned);
            let used = r.status == RedemptionStatus::Approved
                && matches!(r.approval, Some(contract::api::Approval::Otp { .. }))
                && !already;
            if sent_here && (pending || used) && !live.iter().any(|l| l.id == r.id) {
                live.push(r);
            }
        }
    }
    if let Some(answered) = &reply.in_reply_to {
        let exact = |r: &crate::model::RedemptionRow| {
            r.otp.as_ref().and_then(|o| o.provider_id.as_deref()) == Some(answered.as_str())
        };
        // A reply to the message before the code (the amount's) names no code: all the
        // customer's live codes on this channel are meant.
        if live.iter().any(exact) {
            live.retain(exact);
        }
    }
    let mut alerts = Vec::new();
    let n = live.len();
    for mut r in live {
        let Some(store) = tx.store(&r.store_id)? else {
            continue;
        };
        let until = now_ms + i64::from(store.policy.disowned_block_hours) * 3_600_000;
        let approved = r.status == RedemptionStatus::Approved;
        let Some(otp) = r.otp.as_mut() else {
            continue;
        };
        otp.code_mac = None;
        otp.delivery = Some(Delivery {
            status: DeliveryStatus::Disowned,
            reason: None,
            at_ms: now_ms,
        });
        if let Some(id) = otp.provider_id.clone() {
            tx.disown_delivery(channel, &id, now_ms)?;
        }
        tx.update_redemption(&r)?;
        tx.block_codes(&r.customer_id, until, now_ms)?;
        let actor = Actor {
            store_id: r.store_id.clone(),
            terminal_id: Some(r.terminal_id.clone()),
            staff_id: r.staff_id.clone(),
        };
        audit::record(
            tx,
            now_ms,
            &actor,
            Action::CodeDisowned,
            Some(&r.id),
            json!({
                "channel": channel.as_str(),
                "customer_id": r.customer_id,
                "blocked_until_ms": until,
                "answered_message": reply.in_reply_to.is_some(),
                // The code was already typed: the redemption stands approved, for a manager
                // to look at before it is posted.
                "code_already_used": approved,
            }),
        )?;
        // The managers hear of it as of a cashier's signal: who asked, where.
        let cashier = match &r.staff_id {
            Some(id) => tx
                .staff_by_id(&r.store_id, id)?
                .map(|s| s.name)
                .unwrap_or_else(|| id.clone()),
            None => "a self-service kiosk".to_string(),
        };
        let vars = Vars {
            customer: safe_value(Channel::Sms, &cashier),
            store: safe_value(Channel::Sms, &store.name),
            quantity: "Codes disowned (a customer replied they did not ask for the code)".into(),
            ..Vars::default()
        };
        for (id, name, mobile) in tx.manager_mobiles(&r.store_id)? {
            let to = Addressee {
                customer_id: id,
                customer_name: name,
                channel: Channel::Sms,
                destination: mobile,
            };
            alerts.push(
                OutgoingMessage::new(MessageKind::Alert, to, now_ms)
                    .for_merchant(&store.merchant_id)
                    .with_text(
                        &store.policy.locale,
                        alert_template(),
                        &alert_subject(),
                        vars.clone(),
                    ),
            );
        }
    }
    Ok((n, alerts))
}
