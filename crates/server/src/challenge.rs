//! The one challenge engine for every one-time code (S1–S5, S11): redemption codes and kiosk
//! identification codes alike. Codes come from the OS CSPRNG; only their HMAC, bound to the
//! challenge's id, is stored; they are checked in constant time, expire, are single use, are
//! voided by a resend or a failed delivery; failed attempts survive resends and the last one
//! locks; sends are limited per customer, terminal, cashier and store, with a cooldown.
//!
//! What differs between kinds of challenge is a parameter, the [`Challenge`] trait: what the
//! code is bound to (its id and row), what its message says, what approval and locking mean,
//! and what its audit entries are called. The code leaves this module only inside the message
//! handed to a gateway; it never reaches a response, a log line or the audit log.

use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::crypto::{self, Secret};
use crate::error::{ApiError, ApiResult};
use crate::gateways::{Addressee, DeliveryError, OutgoingMessage};
use crate::messages::{safe_value, MessageCatalog, MessageKind, Vars};
use crate::metrics::VerifyOutcome;
use crate::model::{CustomerRow, OtpState, SendRow, SendScope};
use crate::store::Tx;
use contract::api::OtpSent;
use contract::{Channel, ErrorCode, OtpCode, OtpLength, Policy, Problem, Template};
use serde_json::Value;
use std::marker::PhantomData;

/// Something a one-time code is bound to: a redemption intent, a kiosk identification.
pub trait Challenge: Sized {
    /// For log lines: "redemption", "kiosk identification".
    const NAME: &'static str;
    /// How this kind's refusals read.
    const WORDS: Words;

    /// The id the code's MAC binds it to (S2, S3).
    fn id(&self) -> &str;
    /// Whose code it is.
    fn customer_id(&self) -> &str;
    /// The code last sent, if any.
    fn code(&self) -> Option<&OtpState>;
    fn code_mut(&mut self) -> Option<&mut OtpState>;
    /// Wrong codes so far (a resend keeps them, S4).
    fn failed_attempts_mut(&mut self) -> &mut u8;
    fn attempts_left(&self) -> u8;
    /// Writes the challenge back.
    fn save(&self, tx: &mut dyn Tx) -> ApiResult<()>;
    /// The audit entry of an event of this challenge.
    fn entry(&self, event: Event) -> Entry;
    /// The code's message: its kind, text and e-mail subject. `vars` holds what every code
    /// message has (the code, store, minutes, customer); a redemption adds its amount (S3).
    fn message(
        &self,
        catalog: &MessageCatalog,
        policy: &Policy,
        channel: Channel,
        vars: &mut Vars,
    ) -> (MessageKind, Template, Template);
    /// The right code was typed: what approval means (the code is already used up; the
    /// engine saves afterwards).
    fn approve(&mut self, caller: &Caller, now_ms: i64);
    /// The last attempt was wrong: lock (the code is already void; `self` is saved).
    fn lock(&mut self, tx: &mut dyn Tx, caller: &Caller, now_ms: i64) -> ApiResult<()>;
    /// The challenge a code went out for, to void it after a failed delivery; `None` when a
    /// newer one has replaced it (which voided the code already).
    fn reload(tx: &mut dyn Tx, caller: &Caller, id: &str) -> ApiResult<Option<Self>>;
    /// The audit entry of a failed delivery (the challenge itself may be gone).
    fn undelivered(id: &str, detail: Value) -> Entry;
}

/// What a kind of challenge says when a code cannot be checked.
pub struct Words {
    /// No live code: used, voided by a failed delivery.
    pub void: &'static str,
    pub expired: &'static str,
    /// The detail of `otp_locked`, if any.
    pub locked: Option<&'static str>,
}

/// What happened to a challenge, for its audit entry.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    Sent { resend: bool },
    Verified,
    Rejected { attempts_left: u8 },
}

/// An audit entry as a kind of challenge writes it.
pub struct Entry {
    pub action: Action,
    pub redemption_id: Option<String>,
    pub detail: Value,
}

fn record(tx: &mut dyn Tx, caller: &Caller, now_ms: i64, e: Entry) -> ApiResult<()> {
    let redemption_id = e.redemption_id.as_deref();
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        e.action,
        redemption_id,
        e.detail,
    )
}

/// `length` random decimal digits, each uniform.
pub fn generate_code(length: OtpLength) -> String {
    (0..length.get())
        .map(|_| char::from(b'0' + crypto::random_below(10) as u8))
        .collect()
}

pub(crate) fn ceil_secs(ms: i64) -> u32 {
    u32::try_from((ms.max(0) + 999) / 1000)
        .unwrap_or(u32::MAX)
        .max(1)
}

/// What a fresh code is for, so the same channel checks, cooldown and send limits (S4, S5)
/// apply to every kind.
pub struct CodeRequest<'a> {
    pub customer: &'a CustomerRow,
    pub channel: Channel,
    /// The id the code's MAC binds it to (S2, S3).
    pub bound_to: &'a str,
    /// The code this one replaces, if any: it may only be replaced after its cooldown.
    pub replaces: Option<&'a OtpState>,
    /// The code never outlives this (an intent's hold).
    pub not_after_ms: Option<i64>,
    /// Whether this is a resend on the same challenge (for the audit log).
    pub resend: bool,
}

/// A fresh code, counted against the limits. The code itself leaves only through
/// [`prepare`], rendered into the message for the gateway.
pub struct IssuedCode {
    pub otp: OtpState,
    /// The real destination, for delivery only.
    destination: String,
    /// The send as counted: counted now, so concurrent sends cannot pass a limit together,
    /// and taken back by [`void_undelivered`] when the gateway never took it.
    counted: SendRow,
    resend: bool,
    code: String,
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
pub fn issue(
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
    // The customer replied to a code that they did not ask for it (issue 16): no code goes to
    // them for the policy's hours, by any channel, from any till.
    if let Some(until) = tx.codes_blocked_until(&customer.id, now_ms)? {
        let hours = (until - now_ms + 3_599_999) / 3_600_000;
        return Err(Problem::new(ErrorCode::CodesBlocked)
            .detail(format!(
                "The customer replied to a code that they did not ask for it: no code can be sent to them for {hours} more hour{}",
                if hours == 1 { "" } else { "s" }
            ))
            .retry_after(ceil_secs(until - now_ms))
            .into());
    }
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
    // The budget is per store day, in the store's time zone.
    let day_start = crate::days::day_start(policy, now_ms);
    if tx.count_sends_since(SendScope::Store(&caller.store.id), day_start)?
        >= u64::from(policy.daily_message_budget)
    {
        return Err(Problem::new(ErrorCode::MessageBudgetExhausted)
            .retry_after(ceil_secs(crate::days::day_end(policy, now_ms) - now_ms))
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
        provider_id: None,
        delivery: None,
    };
    let counted = SendRow {
        store_id: caller.store.id.clone(),
        customer_id: customer.id.clone(),
        terminal_id: caller.terminal.id.clone(),
        staff_id: caller.staff.as_ref().map(|s| s.id.clone()),
        at_ms: now_ms,
        store_day_ms: day_start,
    };
    tx.insert_send(&counted)?;
    Ok(IssuedCode {
        otp,
        destination,
        counted,
        resend: req.resend,
        code,
    })
}

/// A code ready to go out for a challenge of kind `C`: what the caller may see, the message
/// for the gateway, and the send as counted (taken back if the gateway never takes it).
pub struct PreparedCode<C> {
    pub sent: OtpSent,
    pub message: OutgoingMessage,
    /// The challenge's id.
    pub id: String,
    pub counted: SendRow,
    /// The MAC of the code it carries: names this send among the challenge's (a resend's
    /// code may expire at the same time, both capped by the hold). Never logged.
    pub code_mac: Option<String>,
    kind: PhantomData<fn() -> C>,
}

/// What the caller is told about a challenge's live code.
pub fn sent<C: Challenge>(c: &C) -> Option<OtpSent> {
    c.code().map(|o| o.sent(c.attempts_left()))
}

/// After [`issue`] and the challenge saved with the new code: records the send and renders
/// the message (the code, the store, the minutes left, the customer, and what the kind adds).
pub fn prepare<C: Challenge>(
    tx: &mut dyn Tx,
    caller: &Caller,
    challenge: &C,
    issued: IssuedCode,
    customer: CustomerRow,
    catalog: &MessageCatalog,
    now_ms: i64,
) -> ApiResult<PreparedCode<C>> {
    let resend = issued.resend;
    record(tx, caller, now_ms, challenge.entry(Event::Sent { resend }))?;
    let channel = issued.otp.channel;
    let (store, name) = (
        safe_value(channel, &caller.store.name),
        safe_value(channel, &customer.name),
    );
    let minutes = ((issued.otp.expires_at_ms - now_ms) / 60_000)
        .max(1)
        .to_string();
    let mut vars = Vars {
        otp: issued.code,
        store,
        minutes,
        customer: name,
        ..Default::default()
    };
    let policy = &caller.store.policy;
    let (kind, text, subject) = challenge.message(catalog, policy, channel, &mut vars);
    let to = Addressee {
        customer_id: customer.id,
        customer_name: customer.name,
        channel,
        destination: issued.destination,
    };
    Ok(PreparedCode {
        code_mac: issued.otp.code_mac.clone(),
        sent: issued.otp.sent(challenge.attempts_left()),
        id: challenge.id().to_string(),
        // The demo phone and the tests tell codes apart by the challenge's id.
        message: OutgoingMessage::new(kind, to, now_ms)
            .for_merchant(&caller.store.merchant_id)
            .about(challenge.id())
            .with_text(&policy.locale, text, &subject, vars),
        counted: issued.counted,
        kind: PhantomData,
    })
}

/// After a failed delivery: void the code (it never arrived, or arrives too late to use),
/// allow an immediate retry, take the send back from the limits unless the gateway may have
/// taken it, and record why.
pub fn void_undelivered<C: Challenge>(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    counted: &SendRow,
    failure: &DeliveryError,
    channel: Channel,
    now_ms: i64,
) -> ApiResult<()> {
    if !failure.maybe_accepted {
        tx.uncount_send(counted)?;
    }
    if let Some(mut challenge) = C::reload(tx, caller, id)? {
        if let Some(otp) = challenge.code_mut() {
            otp.void_undelivered(now_ms);
        }
        challenge.save(tx)?;
    }
    record(
        tx,
        caller,
        now_ms,
        C::undelivered(id, failure.audit_detail(channel)),
    )
}

/// Reads a typed code at the length of the code that was sent (the policy may have changed
/// since), else the policy's. A malformed code is refused before anything changes.
pub fn parse(typed: &str, live: Option<&OtpState>, policy: &Policy) -> ApiResult<OtpCode> {
    let length = live
        .and_then(|o| OtpLength::new(o.length).ok())
        .unwrap_or(policy.otp_length);
    Ok(OtpCode::parse(typed, length)?)
}

/// Checks a well-formed code against the challenge's live one, in constant time (S2). An
/// expired or void code is refused before any comparison, so it costs no attempt. The right
/// code is used up and approves; a wrong one costs an attempt (kept although an error is
/// returned), and the last attempt locks.
pub fn verify<C: Challenge>(
    tx: &mut dyn Tx,
    caller: &Caller,
    challenge: &mut C,
    code: &OtpCode,
    now_ms: i64,
    secret: &Secret,
) -> ApiResult<()> {
    let Some(otp) = challenge.code() else {
        return Err(ApiError::new(ErrorCode::OtpNotSent));
    };
    let Some(mac) = otp.code_mac.as_deref() else {
        return Err(ApiError::new(ErrorCode::OtpNotSent).detail(C::WORDS.void));
    };
    let metrics = crate::metrics::get();
    if now_ms >= otp.expires_at_ms {
        metrics.verified(VerifyOutcome::Expired);
        return Err(ApiError::new(ErrorCode::OtpExpired).detail(C::WORDS.expired));
    }
    let channel = otp.channel;
    if crypto::code_matches(secret, challenge.id(), code.expose(), mac) {
        if let Some(o) = challenge.code_mut() {
            o.code_mac = None; // single use
        }
        challenge.approve(caller, now_ms);
        challenge.save(tx)?;
        // The customer read this code: their channel is offered first next time.
        tx.set_last_channel(challenge.customer_id(), channel)?;
        metrics.verified(VerifyOutcome::Approved);
        return record(tx, caller, now_ms, challenge.entry(Event::Verified));
    }
    let failed = challenge.failed_attempts_mut();
    *failed = failed.saturating_add(1);
    let attempts_left = challenge.attempts_left();
    challenge.save(tx)?;
    record(
        tx,
        caller,
        now_ms,
        challenge.entry(Event::Rejected { attempts_left }),
    )?;
    if attempts_left == 0 {
        metrics.verified(VerifyOutcome::Locked);
        if let Some(o) = challenge.code_mut() {
            o.code_mac = None;
        }
        challenge.lock(tx, caller, now_ms)?;
        let locked = ApiError::new(ErrorCode::OtpLocked);
        return Err(match C::WORDS.locked {
            Some(words) => locked.detail(words),
            None => locked,
        }
        .keep());
    }
    metrics.verified(VerifyOutcome::Wrong);
    Err(wrong_code(attempts_left))
}

/// The answer to a wrong code that still leaves attempts. The attempt is kept (S4).
fn wrong_code(attempts_left: u8) -> ApiError {
    let noun = if attempts_left == 1 { "try" } else { "tries" };
    ApiError::from(
        Problem::new(ErrorCode::OtpInvalid)
            .detail(format!("Wrong code: {attempts_left} {noun} left"))
            .attempts_left(attempts_left),
    )
    .keep()
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
