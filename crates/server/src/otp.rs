//! The OTP engine (S1–S5). Codes come from the OS CSPRNG, only their HMAC is stored, they
//! are bound to one intent, expire, are single use, are voided by a resend, and sends are
//! limited per customer, terminal, cashier and store. The code leaves this module only inside
//! the message handed to a channel; it never reaches a response, a log line or the audit log.

use crate::audit;
use crate::auth::Caller;
use crate::channels::{DeliveryError, OutgoingMessage};
use crate::crypto::{self, Secret};
use crate::error::{ApiError, ApiResult};
use crate::ledger::{self, closed_problem, expire_if_due};
use crate::messages::{display_count, display_money, safe_value, MessageCatalog, MessageKind};
use crate::model::*;
use crate::store::Tx;
use contract::api::{Approval, OtpSent, RedemptionStatus};
use contract::{Channel, ErrorCode, OtpCode, OtpLength, Problem, TemplateValues};
use serde_json::json;

const DAY_MS: i64 = 86_400_000;

/// `length` random decimal digits, each uniform.
pub fn generate_code(length: OtpLength) -> String {
    (0..length.get())
        .map(|_| char::from(b'0' + crypto::random_below(10) as u8))
        .collect()
}

fn ceil_secs(ms: i64) -> u32 {
    u32::try_from((ms.max(0) + 999) / 1000)
        .unwrap_or(u32::MAX)
        .max(1)
}

/// A code ready to go out: what the cashier may see, the message for the channel, and the
/// send as counted against the limits (taken back if the gateway never takes the message).
pub struct PreparedSend {
    pub sent: OtpSent,
    pub message: OutgoingMessage,
    pub redemption_id: String,
    pub counted: SendRow,
}

/// What a fresh code is for. Redemption intents and kiosk identifications both get their
/// codes here, so the same channel checks, cooldown and send limits (S4, S5) apply to both.
pub struct CodeRequest<'a> {
    pub customer: &'a CustomerRow,
    pub channel: Channel,
    /// The id the code's MAC binds it to (S2, S3): the intent's or the identification's.
    pub bound_to: &'a str,
    /// The code this one replaces, if any: it may only be replaced after its cooldown.
    pub replaces: Option<&'a OtpState>,
    /// The code never outlives this (an intent's hold).
    pub not_after_ms: Option<i64>,
}

/// A fresh code, counted against the limits. The code itself leaves only through
/// [`IssuedCode::code`], to be rendered into the message for the channel.
pub struct IssuedCode {
    pub otp: OtpState,
    /// The real destination, for delivery only.
    pub destination: String,
    /// The send as counted: counted now, so concurrent sends cannot pass a limit together,
    /// and taken back by the caller's `void_undelivered` when the gateway never took it.
    pub counted: SendRow,
    code: String,
}

impl IssuedCode {
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Whole minutes left, for the message (at least 1).
    pub fn minutes_left(&self, now_ms: i64) -> String {
        ((self.otp.expires_at_ms - now_ms) / 60_000)
            .max(1)
            .to_string()
    }
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCode")
            .field("otp", &self.otp)
            .field("code", &"<redacted>")
            .finish()
    }
}

/// Checks the channel, the cooldown and every send limit, then generates a code (from the
/// CSPRNG, keeping only its MAC) and counts the send. Nothing is changed when a check fails.
pub fn issue_code(
    tx: &mut dyn Tx,
    caller: &Caller,
    req: CodeRequest<'_>,
    now_ms: i64,
    secret: &Secret,
) -> ApiResult<IssuedCode> {
    let policy = &caller.store.policy;
    let channel = req.channel;
    if !policy.channels.contains(&channel) {
        return Err(ApiError::new(ErrorCode::ChannelUnavailable)
            .detail(format!(
                "This store does not send codes by {}",
                channel.label()
            ))
            .field("channel"));
    }
    let customer = req.customer;
    let (Some(destination), Some(masked)) = (
        customer.destination(channel),
        customer.masked_destination(channel),
    ) else {
        return Err(ApiError::new(ErrorCode::ChannelUnavailable)
            .detail(format!(
                "The customer has no contact for {}",
                channel.label()
            ))
            .field("channel"));
    };
    if let Some(previous) = req.replaces {
        if now_ms < previous.resend_after_ms {
            return Err(Problem::new(ErrorCode::ResendCooldown)
                .retry_after(ceil_secs(previous.resend_after_ms - now_ms))
                .into());
        }
    }
    let window_ms = i64::from(policy.send_window_secs) * 1000;
    let since = now_ms - window_ms;
    let mut limits = vec![
        (
            SendScope::Customer(&customer.id),
            policy.max_sends_per_customer,
            "this customer",
        ),
        (
            SendScope::Terminal(&caller.terminal.id),
            policy.max_sends_per_terminal,
            "this terminal",
        ),
    ];
    if let Some(staff) = &caller.staff {
        limits.push((
            SendScope::Staff(&staff.id),
            policy.max_sends_per_cashier,
            "this cashier",
        ));
    }
    for (scope, max, who) in limits {
        if tx.count_sends_since(scope, since)? >= u64::from(max) {
            let oldest = tx.oldest_send_since(scope, since)?.unwrap_or(now_ms);
            return Err(Problem::new(ErrorCode::RateLimited)
                .detail(format!(
                    "Too many codes sent for {who}: wait before sending another"
                ))
                .retry_after(ceil_secs(oldest + window_ms - now_ms))
                .into());
        }
    }
    let day_start = now_ms - now_ms.rem_euclid(DAY_MS);
    if tx.count_sends_since(SendScope::Store(&caller.store.id), day_start)?
        >= u64::from(policy.daily_message_budget)
    {
        return Err(Problem::new(ErrorCode::MessageBudgetExhausted)
            .retry_after(ceil_secs(day_start + DAY_MS - now_ms))
            .into());
    }

    let code = generate_code(policy.otp_length);
    let ttl_end = now_ms + i64::from(policy.otp_ttl_secs) * 1000;
    let otp = OtpState {
        channel,
        destination_masked: masked,
        code_mac: Some(crypto::code_mac(secret, req.bound_to, &code)),
        length: policy.otp_length.get(),
        sent_at_ms: now_ms,
        expires_at_ms: req.not_after_ms.map_or(ttl_end, |end| ttl_end.min(end)),
        resend_after_ms: now_ms + i64::from(policy.resend_cooldown_secs) * 1000,
    };
    let counted = SendRow {
        store_id: caller.store.id.clone(),
        customer_id: customer.id.clone(),
        terminal_id: caller.terminal.id.clone(),
        staff_id: caller.staff.as_ref().map(|s| s.id.clone()),
        at_ms: now_ms,
    };
    tx.insert_send(&counted)?;
    Ok(IssuedCode {
        otp,
        destination,
        counted,
        code,
    })
}

/// How a typed code compares with the live one.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Matches,
    Wrong,
    Expired,
    /// Used, voided by a failed delivery, or never sent.
    Void,
}

/// Compares a well-formed code with the stored MAC in constant time (S2). An expired or void
/// code is reported as such before any comparison, so it costs no attempt.
pub fn check_code(
    secret: &Secret,
    otp: &OtpState,
    bound_to: &str,
    code: &OtpCode,
    now_ms: i64,
) -> CodeCheck {
    let Some(mac) = otp.code_mac.as_deref() else {
        return CodeCheck::Void;
    };
    if now_ms >= otp.expires_at_ms {
        return CodeCheck::Expired;
    }
    if crypto::code_matches(secret, bound_to, code.expose(), mac) {
        CodeCheck::Matches
    } else {
        CodeCheck::Wrong
    }
}

/// The answer to a wrong code that still leaves attempts. The attempt is kept (S4).
pub fn wrong_code(attempts_left: u8) -> ApiError {
    let noun = if attempts_left == 1 { "try" } else { "tries" };
    ApiError::from(
        Problem::new(ErrorCode::OtpInvalid)
            .detail(format!("Wrong code: {attempts_left} {noun} left"))
            .attempts_left(attempts_left),
    )
    .keep()
}

/// Checks every limit, generates a fresh code (voiding any earlier one) and records the send.
pub fn prepare_send(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    channel: Channel,
    now_ms: i64,
    secret: &Secret,
    catalog: &MessageCatalog,
) -> ApiResult<PreparedSend> {
    let policy = caller.store.policy.clone();
    let mut row = ledger::load_bound(tx, caller, id)?;
    expire_if_due(tx, &mut row, now_ms)?;
    if row.status != RedemptionStatus::AwaitingOtp {
        return Err(closed_problem(row.status));
    }
    let customer = tx
        .customer(&caller.store.merchant_id, &row.customer_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::CustomerNotFound))?;
    let issued = issue_code(
        tx,
        caller,
        CodeRequest {
            customer: &customer,
            channel,
            bound_to: &row.id,
            replaces: row.otp.as_ref(),
            not_after_ms: Some(row.expires_at_ms),
        },
        now_ms,
        secret,
    )?;
    let resend = row.otp.is_some();
    row.otp = Some(issued.otp.clone());
    tx.update_redemption(&row)?;
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        "otp_sent",
        Some(&row.id),
        json!({ "channel": channel.as_str(), "destination": issued.otp.destination_masked, "resend": resend }),
    )?;

    let (store, name) = (
        safe_value(channel, &caller.store.name),
        safe_value(channel, &customer.name),
    );
    let minutes = issued.minutes_left(now_ms);
    let values = TemplateValues {
        otp: issued.code(),
        points: &display_count(row.quantity.get(), &policy),
        value: &display_money(row.value),
        store: &store,
        minutes: &minutes,
        customer: &name,
        balance: "",
    };
    let text = catalog.otp(&policy, channel).render(&values);
    let subject = catalog
        .subject(&policy.locale, MessageKind::Otp)
        .render(&values);
    Ok(PreparedSend {
        sent: row.otp_sent(&issued.otp),
        redemption_id: row.id.clone(),
        message: OutgoingMessage {
            at_ms: now_ms,
            kind: MessageKind::Otp,
            redemption_id: Some(row.id.clone()),
            customer_id: customer.id,
            customer_name: customer.name,
            channel,
            destination: issued.destination,
            subject,
            text,
        },
        counted: issued.counted,
    })
}

/// After a failed delivery: void the code (it never arrived, or arrives too late to use),
/// allow an immediate retry, take the send back from the limits unless the gateway may have
/// taken it, and record why.
pub fn void_undelivered(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    channel: Channel,
    counted: &SendRow,
    failure: &DeliveryError,
    now_ms: i64,
) -> ApiResult<()> {
    let mut row = ledger::load_bound(tx, caller, id)?;
    if let Some(otp) = row.otp.as_mut() {
        otp.void_undelivered(now_ms);
    }
    tx.update_redemption(&row)?;
    if !failure.maybe_accepted {
        tx.uncount_send(counted)?;
    }
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        "otp_delivery_failed",
        Some(&row.id),
        failure.audit_detail(channel),
    )
}

/// Checks a typed code. A malformed code is refused before anything changes; a wrong one
/// costs an attempt (kept even though an error is returned), and the last attempt locks the
/// intent and releases its hold.
pub fn verify(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    typed: &str,
    now_ms: i64,
    secret: &Secret,
) -> ApiResult<RedemptionRow> {
    let mut row = ledger::load_bound(tx, caller, id)?;
    let length = row
        .otp
        .as_ref()
        .and_then(|o| OtpLength::new(o.length).ok())
        .unwrap_or(caller.store.policy.otp_length);
    let code = OtpCode::parse(typed, length)?;
    if row.status != RedemptionStatus::AwaitingOtp {
        expire_if_due(tx, &mut row, now_ms)?;
        return Err(closed_problem(row.status));
    }
    expire_if_due(tx, &mut row, now_ms)?;
    let Some(otp) = row.otp.clone() else {
        return Err(ApiError::new(ErrorCode::OtpNotSent));
    };
    match check_code(secret, &otp, &row.id, &code, now_ms) {
        CodeCheck::Void => {
            return Err(ApiError::new(ErrorCode::OtpNotSent).detail("Send a new code"))
        }
        CodeCheck::Expired => {
            return Err(
                ApiError::new(ErrorCode::OtpExpired).detail("The code has expired: send a new one")
            )
        }
        CodeCheck::Matches => {
            row.status = RedemptionStatus::Approved;
            row.approval = Some(Approval::Otp {
                channel: otp.channel,
            });
            if let Some(o) = row.otp.as_mut() {
                o.code_mac = None; // single use
            }
            tx.update_redemption(&row)?;
            audit::record(
                tx,
                now_ms,
                &caller.actor(),
                "otp_verified",
                Some(&row.id),
                json!({ "channel": otp.channel.as_str() }),
            )?;
            return Ok(row);
        }
        CodeCheck::Wrong => {}
    }
    row.failed_attempts = row.failed_attempts.saturating_add(1);
    let attempts_left = row.attempts_left();
    tx.update_redemption(&row)?;
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        "otp_rejected",
        Some(&row.id),
        json!({ "attempts_left": attempts_left }),
    )?;
    if attempts_left == 0 {
        ledger::release(
            tx,
            &mut row,
            RedemptionStatus::Locked,
            now_ms,
            &caller.actor(),
            "otp_locked",
        )?;
        return Err(ApiError::new(ErrorCode::OtpLocked).keep());
    }
    Err(wrong_code(attempts_left))
}

/// What the override needs checked outside the transaction (argon2 is slow).
pub struct OverrideCheck {
    pub manager: Option<StaffRow>,
    pub override_hash: Option<String>,
}

/// The cheap checks of an override, in the order a manager would want to hear them.
pub fn prepare_override(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    manager_code: &str,
    now_ms: i64,
) -> ApiResult<OverrideCheck> {
    let policy = &caller.store.policy;
    let mut row = ledger::load_bound(tx, caller, id)?;
    expire_if_due(tx, &mut row, now_ms)?;
    if row.status != RedemptionStatus::AwaitingOtp {
        return Err(closed_problem(row.status));
    }
    if !policy.override_enabled {
        return Err(ApiError::new(ErrorCode::OverrideDisabled));
    }
    let day_start = now_ms - now_ms.rem_euclid(DAY_MS);
    if tx.count_override_uses_since(&caller.store.id, day_start)?
        >= u64::from(policy.override_daily_cap)
    {
        return Err(ApiError::new(ErrorCode::OverrideCapReached));
    }
    let manager = tx
        .staff_by_code(&caller.store.id, manager_code.trim())?
        .filter(|s| s.role == contract::api::Role::Manager);
    Ok(OverrideCheck {
        manager,
        override_hash: caller.store.override_hash.clone(),
    })
}

/// Records a refused override attempt (wrong manager, PIN or code); the caller then refuses.
pub fn record_rejected_override(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    now_ms: i64,
) -> ApiResult<()> {
    let row = ledger::load_bound(tx, caller, id)?;
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        "override_rejected",
        Some(&row.id),
        json!({}),
    )
}

/// Approves the intent by override (S8), re-checking what may have changed meanwhile.
pub fn apply_override(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    manager: &StaffRow,
    reason: &str,
    now_ms: i64,
) -> ApiResult<RedemptionRow> {
    let check = prepare_override(tx, caller, id, &manager.code, now_ms)?;
    if check.manager.is_none() {
        return Err(ApiError::new(ErrorCode::OverrideInvalid));
    }
    let mut row = ledger::load_bound(tx, caller, id)?;
    row.status = RedemptionStatus::Approved;
    row.approval = Some(Approval::Override {
        manager_name: manager.name.clone(),
        reason: reason.to_string(),
    });
    if let Some(o) = row.otp.as_mut() {
        o.code_mac = None;
    }
    tx.update_redemption(&row)?;
    tx.insert_override_use(&caller.store.id, &row.id, now_ms)?;
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        "override",
        Some(&row.id),
        json!({ "manager_id": manager.id, "reason": reason }),
    )?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_policy_length_and_only_digits() {
        for n in 6..=10 {
            let code = generate_code(OtpLength::new(n).unwrap());
            assert_eq!(code.len(), usize::from(n));
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
        // 200 six-digit codes from a CSPRNG: repeats would be a broken generator.
        let codes: std::collections::HashSet<String> = (0..200)
            .map(|_| generate_code(OtpLength::DEFAULT))
            .collect();
        assert!(codes.len() >= 195);
    }
}
