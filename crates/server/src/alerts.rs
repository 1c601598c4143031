//! A manager hears of a cashier's signal the day it crosses (issue 15): after a commit, an
//! override or a reversal, that cashier's signals for the current store day are evaluated
//! (`reports::cashiers`, the contract's thresholds); the first time a signal is flagged for
//! them that day, the store's managers with a mobile get a plain SMS through the configured
//! gateway ("RedeemGuard: cashier Ravi at Koramangala crossed Overrides today (4 of 10
//! redemptions). Check the back office.": never a code), and a `fraud_alert` audit entry is
//! recorded, once per cashier, signal and day (`fraud_alerts`).
//!
//! The evaluation runs shortly after the event, at most once per cashier per [`DELAY`], and
//! reads where reports read (`Db::read`): a busy till does not pay for it on every commit,
//! and the writer only records what is new.

use crate::audit::{self, Action, Actor};
use crate::days;
use crate::error::ApiResult;
use crate::gateways::{Addressee, OutgoingMessage};
use crate::messages::{alert_subject, alert_template, safe_value, MessageKind, Vars};
use crate::reports;
use crate::state::Shared;
use crate::store::Tx;
use contract::reports::{CashierSignals, Signal};
use contract::Channel;
use serde_json::json;
use tracing::Instrument;

/// How long after an event its cashier's signals are evaluated (events meanwhile share it).
pub const DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// Evaluates `staff_id`'s signals soon (see the module); nothing for a kiosk (no staff).
pub fn after(app: &Shared, store_id: &str, staff_id: Option<&str>) {
    let Some(staff_id) = staff_id else {
        return;
    };
    let key = format!("{store_id}\n{staff_id}");
    {
        let mut pending = app.alerts_pending.lock().unwrap_or_else(|p| p.into_inner());
        if !pending.insert(key.clone()) {
            return; // an evaluation is already on its way
        }
    }
    let (app, store_id, staff_id) = (app.clone(), store_id.to_string(), staff_id.to_string());
    let task = async move {
        tokio::time::sleep(DELAY).await;
        app.alerts_pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key);
        let now = app.clock.now_ms();
        // The signals are read where reports are (never holding up the writer); only a
        // signal not yet told today is written down.
        let (store, staff) = (store_id.clone(), staff_id.clone());
        let due = app.db.read(move |tx| due(tx, &store, &staff, now)).await;
        let messages = match due {
            Ok(Some(due)) => app.db.run(move |tx| tell(tx, &store_id, &due, now)).await,
            Ok(None) => return,
            Err(e) => Err(e),
        };
        let messages = match messages {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(code = %e.code(), "could not evaluate a cashier's signals");
                return;
            }
        };
        deliver(&app, messages).await;
    };
    tokio::spawn(task.instrument(tracing::Span::current()));
}

/// Hands managers' alerts to the gateway one by one; one that does not go is logged (an
/// alert never holds up or fails what caused it).
pub async fn deliver(app: &Shared, messages: Vec<OutgoingMessage>) {
    for message in messages {
        if let Err(failure) = app.gateway.deliver(message).await {
            tracing::warn!(
                reason = failure.reason_str(),
                detail = %failure.detail,
                "a manager's alert was not delivered"
            );
        }
    }
}

/// A cashier's signals flagged today that the managers were not told of yet.
pub struct Due {
    pub signals: CashierSignals,
    pub new: Vec<Signal>,
    pub day: String,
    pub store_name: String,
    /// The store's locale (a gateway picks the template registered for it).
    pub locale: String,
    /// Its merchant, whose own gateways carry the alert where it has them.
    pub merchant_id: String,
}

/// Reads the cashier's signals today (the report's rule); `None` when nothing new is flagged.
pub fn due(tx: &mut dyn Tx, store_id: &str, staff_id: &str, now_ms: i64) -> ApiResult<Option<Due>> {
    let Some(store) = tx.store(store_id)? else {
        return Ok(None);
    };
    let Some(today) = days::store_date(&store.policy, now_ms) else {
        return Ok(None);
    };
    let signals = reports::cashiers(tx, &store, today, today, Some(staff_id))?;
    let Some(s) = signals.into_iter().find(|s| s.staff_id == staff_id) else {
        return Ok(None);
    };
    let day = today.to_string();
    let told = tx.fraud_alerts_told(store_id, staff_id, &day)?;
    let new: Vec<Signal> = s
        .flagged
        .iter()
        .copied()
        .filter(|f| !told.iter().any(|t| t == f.as_str()))
        .collect();
    Ok((!new.is_empty()).then_some(Due {
        signals: s,
        new,
        day,
        store_name: store.name,
        locale: store.policy.locale,
        merchant_id: store.merchant_id,
    }))
}

/// Records each signal not yet told today for the cashier (once: a concurrent evaluation
/// finds it recorded), audits it, and returns the managers' messages.
pub fn tell(
    tx: &mut dyn Tx,
    store_id: &str,
    due: &Due,
    now_ms: i64,
) -> ApiResult<Vec<OutgoingMessage>> {
    let s = &due.signals;
    let staff_id = s.staff_id.as_str();
    let mut new = Vec::new();
    for signal in &due.new {
        if tx.record_fraud_alert(store_id, staff_id, &due.day, signal.as_str(), now_ms)? {
            let actor = Actor {
                store_id: store_id.to_string(),
                terminal_id: None,
                staff_id: Some(staff_id.to_string()),
            };
            audit::record(
                tx,
                now_ms,
                &actor,
                Action::FraudAlert,
                None,
                json!({
                    "staff_id": staff_id, "signal": signal.as_str(), "day": due.day,
                    "redemptions": s.redemptions, "overrides": s.overrides,
                    "failed_codes": s.failed_codes, "no_sale": s.no_sale,
                    "reversals": s.reversals, "after_hours": s.after_hours,
                    "shared_contacts": s.shared_contacts, "bursts": s.bursts,
                }),
            )?;
            new.push(*signal);
        }
    }
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let vars = vars(s, &due.store_name, &new);
    Ok(tx
        .manager_mobiles(store_id)?
        .into_iter()
        .map(|(id, name, mobile)| {
            let to = Addressee {
                customer_id: id,
                customer_name: name,
                channel: Channel::Sms,
                destination: mobile,
            };
            OutgoingMessage::new(MessageKind::Alert, to, now_ms)
                .for_merchant(&due.merchant_id)
                .with_text(
                    &due.locale,
                    alert_template(),
                    &alert_subject(),
                    vars.clone(),
                )
        })
        .collect())
}

/// The alert's words: who, where, which signals with their counts; no code, no customer.
pub fn text(s: &CashierSignals, store_name: &str, signals: &[Signal]) -> String {
    alert_template().render(&vars(s, store_name, signals).values())
}

/// An alert's values: the cashier (as `{customer}`, the person it is about), the store and
/// the signals crossed with their counts (as `{quantity}`).
fn vars(s: &CashierSignals, store_name: &str, signals: &[Signal]) -> Vars {
    let plural = |n: u64, one: &str, many: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    };
    let crossed: Vec<String> = signals
        .iter()
        .map(|signal| {
            let counts = match signal {
                Signal::Overrides => format!("{} of {} redemptions", s.overrides, s.redemptions),
                Signal::NoSale => format!("{} of {} redemptions", s.no_sale, s.redemptions),
                Signal::FailedCodes => plural(s.failed_codes, "wrong code", "wrong codes"),
                Signal::Reversals => plural(s.reversals, "reversal", "reversals"),
                Signal::AfterHours => plural(s.after_hours, "redemption", "redemptions"),
                Signal::SharedContact => plural(s.shared_contacts, "customer", "customers"),
                Signal::Burst => plural(s.bursts, "time", "times"),
            };
            format!("{} ({counts})", signal.label())
        })
        .collect();
    Vars {
        customer: safe_value(Channel::Sms, &s.staff_name),
        store: safe_value(Channel::Sms, store_name),
        quantity: crossed.join(" and "),
        ..Vars::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::{Currency, Money};

    #[test]
    fn an_alert_names_the_cashier_the_store_and_the_counts_and_nothing_else() {
        let s = CashierSignals {
            staff_id: "st-ravi".into(),
            staff_name: "Ravi".into(),
            redemptions: 10,
            value: Money::new(10_000, Currency::INR).unwrap(),
            overrides: 4,
            failed_codes: 0,
            no_sale: 0,
            reversals: 3,
            after_hours: 0,
            shared_contacts: 0,
            bursts: 0,
            flagged: vec![Signal::Overrides, Signal::Reversals],
        };
        assert_eq!(
            text(&s, "Koramangala", &[Signal::Overrides]),
            "RedeemGuard: cashier Ravi at Koramangala crossed Overrides (4 of 10 redemptions) today. Check the back office."
        );
        assert_eq!(
            text(&s, "Koramangala", &s.flagged),
            "RedeemGuard: cashier Ravi at Koramangala crossed Overrides (4 of 10 redemptions) and Reversals (3 reversals) today. Check the back office."
        );
    }
}
