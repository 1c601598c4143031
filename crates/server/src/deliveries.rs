//! Delivery reports (issue 16). "Sent" means the provider's API took the message; whether the
//! phone got it comes later, in the provider's report. Where a gateway takes reports
//! (`[gateways.<channel>.delivery_reports]`), each message it takes is recorded by the
//! provider's id, and each report updates it: a code's redemption then shows "delivered" or
//! "failed at the operator" on the code screen. A failed code is void at once (it will not
//! arrive), may be sent again at once by another channel, and is audited; reports are counted
//! in `/metrics`.

use crate::audit::{self, Action, Actor};
use crate::error::ApiResult;
use crate::gateways::reports::Report;
use crate::gateways::Accepted;
use crate::messages::MessageKind;
use crate::metrics;
use crate::model::DeliveryRow;
use crate::state::Shared;
use crate::store::Tx;
use contract::api::{Delivery, DeliveryStatus};
use contract::Channel;
use serde_json::json;

/// What a code's send is, for matching its report to the code still live on the redemption.
pub struct CodeSend {
    pub channel: Channel,
    pub kind: MessageKind,
    pub store_id: String,
    /// The challenge's id (a redemption's, or a kiosk identification's).
    pub about: String,
    /// The code's expiry: a resend has another.
    pub expires_at_ms: i64,
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
    let Some(provider_id) = accepted.provider_id else {
        return Ok(None);
    };
    if app.config.gateways.delivery_reports(send.channel).is_none() {
        return Ok(None);
    }
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
            apply(tx, &row, Some(send.expires_at_ms), now_ms)?;
            Ok(Some(row.delivery()))
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
/// the send that carried it (`expires_at_ms` names that send), and the latest report. A code
/// the operator could not deliver is void, may be sent again at once, and is audited.
fn apply(
    tx: &mut dyn Tx,
    row: &DeliveryRow,
    sent_expiring_at: Option<i64>,
    now_ms: i64,
) -> ApiResult<()> {
    if row.kind.as_deref() != Some(MessageKind::Otp.as_str()) {
        return Ok(());
    }
    let (Some(store_id), Some(id)) = (&row.store_id, &row.redemption_id) else {
        return Ok(());
    };
    let Some(mut redemption) = tx.redemption(store_id, id)? else {
        return Ok(());
    };
    if redemption.status != contract::api::RedemptionStatus::AwaitingOtp {
        return Ok(());
    }
    let terminal_id = redemption.terminal_id.clone();
    let Some(otp) = redemption.otp.as_mut() else {
        return Ok(());
    };
    if otp.channel != row.channel {
        return Ok(());
    }
    match sent_expiring_at {
        // The send is being recorded: it is this code's if nothing newer replaced it.
        Some(expires) if otp.expires_at_ms == expires && otp.provider_id.is_none() => {
            otp.provider_id = Some(row.provider_id.clone());
        }
        Some(_) => return Ok(()),
        // A report: only for the message that carried the code still on the redemption.
        None if otp.provider_id.as_deref() != Some(row.provider_id.as_str()) => return Ok(()),
        None => {}
    }
    otp.delivery = Some(row.delivery());
    let failed_live = row.status == DeliveryStatus::Failed && otp.code_mac.is_some();
    if failed_live {
        otp.void_undelivered(now_ms);
    }
    tx.update_redemption(&redemption)?;
    if failed_live {
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
    Ok(())
}
