//! The store's day to its staff (seed 004: "daily sales info to configured SMS users"): at
//! the store's closing time (`fraud.closes_at`, in its time zone), once per store day, each
//! active member the back office marked for it who has a mobile gets an SMS with the day's
//! redemptions, the vouchers taken and the value redeemed ("RedeemGuard daily summary,
//! Koramangala: 1 Dec: 12 redemptions (1 reversed), 3 vouchers taken; ₹4,250.00 redeemed.").
//! Never a code or a customer. The day is claimed in the database (`daily_summaries`) before
//! anything is sent, so it goes once however many sweeps or processes see it due. A store
//! open past midnight (closing before it opens) gets the day that ended.

use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::gateways::{Addressee, OutgoingMessage};
use crate::messages::{display_money, safe_value, summary_template, MessageKind, Vars};
use crate::reports;
use crate::state::Shared;
use crate::store::Tx;
use contract::reports::{ReportFilter, ReportKind};
use contract::Channel;

const DAY_MS: i64 = 24 * 3_600_000;

/// Sends the summaries that are due (called by the sweeper); a failure is logged.
pub async fn send_due(app: &Shared) {
    let now = app.clock.now_ms();
    let shared = app.clone();
    // Not where the merchant's SMS gateway is not set up for them (no registered template).
    let refused = move |merchant: &str| {
        shared
            .config
            .gateways_for(merchant)
            .refusal(Channel::Sms, MessageKind::Summary)
            .is_some()
    };
    match app.db.run(move |tx| due(tx, now, &refused)).await {
        Ok(messages) => {
            for message in messages {
                if let Err(failure) = app.gateway.deliver(message).await {
                    tracing::warn!(
                        reason = failure.reason_str(),
                        detail = %failure.detail,
                        "a daily summary was not delivered"
                    );
                }
            }
        }
        Err(e) => tracing::warn!(code = %e.code(), "could not prepare the daily summaries"),
    }
}

/// The summaries due at `now_ms`, each store's day claimed as it is written.
pub fn due(
    tx: &mut dyn Tx,
    now_ms: i64,
    refused: &dyn Fn(&str) -> bool,
) -> ApiResult<Vec<OutgoingMessage>> {
    let mut out = Vec::new();
    for store in tx.stores()? {
        if refused(&store.merchant_id) {
            continue;
        }
        let policy = &store.policy;
        let (opens, closes) = (
            policy.fraud.opens_at.minutes(),
            policy.fraud.closes_at.minutes(),
        );
        let minute = days::minute_of_day(policy, now_ms);
        let overnight = closes <= opens;
        // Closed for the day: after closing time, and (open past midnight) before opening.
        let closed = match overnight {
            false => minute >= closes,
            true => minute >= closes && minute < opens,
        };
        if !closed {
            continue;
        }
        let to: Vec<_> = tx
            .staff_of(&store.id)?
            .into_iter()
            .filter(|s| s.daily_summary)
            .filter_map(|s| s.mobile.clone().map(|m| (s, m)))
            .collect();
        if to.is_empty() {
            continue;
        }
        let at = if overnight { now_ms - DAY_MS } else { now_ms };
        let Some(day) = days::store_date(policy, at) else {
            continue;
        };
        if !tx.claim_daily_summary(&store.id, &day.to_string(), now_ms)? {
            continue;
        }
        let filter = ReportFilter::days(day, day).map_err(ApiError::internal)?;
        let r = reports::loyalty(tx, &store, ReportKind::EndOfDay, &filter, Some(0), now_ms)?;
        let plural = |n: u64, one: &str, many: &str| match n {
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        let reversed = match r.reversed {
            0 => String::new(),
            n => format!(" ({n} reversed)"),
        };
        let vars = Vars {
            store: safe_value(Channel::Sms, &store.name),
            quantity: format!(
                "{}: {}{reversed}, {} taken",
                days::date(policy, at),
                plural(r.count, "redemption", "redemptions"),
                plural(r.vouchers.redeemed, "voucher", "vouchers"),
            ),
            value: display_money(r.value),
            ..Vars::default()
        };
        for (staff, mobile) in to {
            let to = Addressee {
                customer_id: staff.id,
                customer_name: staff.name,
                channel: Channel::Sms,
                destination: mobile.as_str().to_string(),
            };
            out.push(
                OutgoingMessage::new(MessageKind::Summary, to, now_ms)
                    .for_merchant(&store.merchant_id)
                    .with_text(
                        &policy.locale,
                        summary_template(),
                        &summary_template(),
                        vars.clone(),
                    ),
            );
        }
    }
    Ok(out)
}
