//! How a redemption intent is approved: by the customer's code (through the one challenge
//! engine, `challenge`, with the intent as the challenge: the code is bound to the intent and
//! its terminal and states the amount, S3) or by a manager's override (S8): a manager
//! approves the cashier's request on their own signed-in device (`request_approval`,
//! `decide`), or, where the merchant chose it, with the store's code typed at the till
//! (`prepare_override`, `apply_override`).

use crate::audit::{self, Action};
use crate::auth::Caller;
use crate::challenge::{self, Challenge, CodeRequest, Entry, Event, PreparedCode, Words};
use crate::crypto::Secret;
use crate::error::{ApiError, ApiResult};
use crate::ledger::{self, closed_problem, release_if_expired};
use crate::messages::{
    display_count, display_money, display_quantity, safe_value, MessageCatalog, MessageKind, Vars,
};
use crate::model::*;
use crate::store::Tx;
use contract::api::{Approval, ApprovalRequest, ApprovalStatus, RedemptionStatus};
use contract::{Channel, ErrorCode, Policy, Template};
use serde_json::{json, Value};

/// A redemption intent as a challenge: approval makes it `approved` (by OTP on the code's
/// channel); the last wrong code locks it and releases its hold.
impl Challenge for RedemptionRow {
    const NAME: &'static str = "redemption";
    const WORDS: Words = Words {
        void: "Send a new code",
        expired: "The code has expired: send a new one",
        locked: None,
    };

    fn id(&self) -> &str {
        &self.id
    }
    fn customer_id(&self) -> &str {
        &self.customer_id
    }
    fn code(&self) -> Option<&OtpState> {
        self.otp.as_ref()
    }
    fn code_mut(&mut self) -> Option<&mut OtpState> {
        self.otp.as_mut()
    }
    fn failed_attempts_mut(&mut self) -> &mut u8 {
        &mut self.failed_attempts
    }
    fn attempts_left(&self) -> u8 {
        RedemptionRow::attempts_left(self)
    }
    fn save(&self, tx: &mut dyn Tx) -> ApiResult<()> {
        tx.update_redemption(self)
    }

    fn entry(&self, event: Event) -> Entry {
        let channel = self.otp.as_ref().map(|o| o.channel.as_str());
        let (action, detail) = match event {
            Event::Sent { resend } => (
                Action::OtpSent,
                json!({
                    "channel": channel,
                    "destination": self.otp.as_ref().map(|o| &o.destination_masked),
                    "resend": resend,
                }),
            ),
            Event::Verified => (Action::OtpVerified, json!({ "channel": channel })),
            Event::Rejected { attempts_left } => (
                Action::OtpRejected,
                json!({ "attempts_left": attempts_left }),
            ),
        };
        Entry {
            action,
            redemption_id: Some(self.id.clone()),
            detail,
        }
    }

    fn message(
        &self,
        catalog: &MessageCatalog,
        policy: &Policy,
        channel: Channel,
        vars: &mut Vars,
    ) -> (MessageKind, Template, Template) {
        vars.points = display_count(self.quantity.get(), policy);
        vars.value = display_money(self.value);
        vars.instrument = safe_value(channel, &self.instrument_label);
        vars.quantity = display_quantity(self.quantity.get(), self.unit, &vars.instrument, policy);
        (
            MessageKind::Otp,
            catalog.otp(policy, channel).into(),
            catalog.subject(&policy.locale, MessageKind::Otp),
        )
    }

    fn approve(&mut self, _: &Caller, _: i64) {
        self.status = RedemptionStatus::Approved;
        self.approval = self
            .otp
            .as_ref()
            .map(|o| Approval::Otp { channel: o.channel });
    }

    fn lock(&mut self, tx: &mut dyn Tx, caller: &Caller, now_ms: i64) -> ApiResult<()> {
        ledger::release(
            tx,
            self,
            RedemptionStatus::Locked,
            now_ms,
            &caller.actor(),
            Action::OtpLocked,
        )
    }

    fn reload(tx: &mut dyn Tx, caller: &Caller, id: &str) -> ApiResult<Option<Self>> {
        ledger::load_bound(tx, caller, id).map(Some)
    }

    fn undelivered(id: &str, detail: Value) -> Entry {
        Entry {
            action: Action::OtpDeliveryFailed,
            redemption_id: Some(id.to_string()),
            detail,
        }
    }
}

/// Checks every limit, generates a fresh code for the intent (voiding any earlier one) and
/// records the send.
pub fn send_code(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    channel: Channel,
    now_ms: i64,
    secret: &Secret,
    catalog: &MessageCatalog,
) -> ApiResult<PreparedCode<RedemptionRow>> {
    let mut row = ledger::load_bound(tx, caller, id)?;
    release_if_expired(tx, &mut row, now_ms)?;
    if row.status != RedemptionStatus::AwaitingOtp {
        return Err(closed_problem(row.status));
    }
    let customer = tx
        .customer(&caller.store.merchant_id, &row.customer_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::CustomerNotFound))?;
    let issued = challenge::issue(
        tx,
        caller,
        CodeRequest {
            customer: &customer,
            channel,
            bound_to: &row.id,
            replaces: row.otp.as_ref(),
            not_after_ms: Some(row.expires_at_ms),
            resend: row.otp.is_some(),
        },
        now_ms,
        secret,
    )?;
    row.otp = Some(issued.otp.clone());
    tx.update_redemption(&row)?;
    challenge::prepare(tx, caller, &row, issued, customer, catalog, now_ms)
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
    let code = challenge::parse(typed, row.otp.as_ref(), &caller.store.policy)?;
    if row.status != RedemptionStatus::AwaitingOtp {
        release_if_expired(tx, &mut row, now_ms)?;
        return Err(closed_problem(row.status));
    }
    release_if_expired(tx, &mut row, now_ms)?;
    challenge::verify(tx, caller, &mut row, &code, now_ms, secret)?;
    Ok(row)
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
    release_if_expired(tx, &mut row, now_ms)?;
    if row.status != RedemptionStatus::AwaitingOtp {
        return Err(closed_problem(row.status));
    }
    if !policy.override_enabled {
        return Err(ApiError::new(ErrorCode::OverrideDisabled));
    }
    if !policy.override_store_code {
        // The merchant's option, off by default: a manager's secrets stay out of the till (S8).
        return Err(ApiError::new(ErrorCode::OverrideDisabled).detail(
            "The store code is not accepted at the till: ask a manager to approve on their own device",
        ));
    }
    check_override_cap(tx, caller, now_ms)?;
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
        Action::OverrideRejected,
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
        Action::Override,
        Some(&row.id),
        json!({ "manager_id": manager.id, "reason": reason }),
    )?;
    crate::metrics::get().overridden();
    Ok(row)
}

/// Overrides of every kind count against one daily cap, in the store's day (its time zone).
fn check_override_cap(tx: &mut dyn Tx, caller: &Caller, now_ms: i64) -> ApiResult<()> {
    let policy = &caller.store.policy;
    let day_start = crate::days::day_start(policy, now_ms);
    if tx.count_override_uses_since(&caller.store.id, day_start)?
        >= u64::from(policy.override_daily_cap)
    {
        return Err(ApiError::new(ErrorCode::OverrideCapReached));
    }
    Ok(())
}

/// "Customer did not get the code": the cashier asks a manager to approve the intent on the
/// manager's own signed-in device (S8). Nothing secret is sent from the till. One request at a
/// time per intent; after a decline the cashier may ask again.
pub fn request_approval(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    reason: &str,
    now_ms: i64,
) -> ApiResult<RedemptionRow> {
    caller.require_staff("ask a manager: ask at the counter")?;
    let mut row = ledger::load_bound(tx, caller, id)?;
    release_if_expired(tx, &mut row, now_ms)?;
    if row.status != RedemptionStatus::AwaitingOtp {
        return Err(closed_problem(row.status));
    }
    if !caller.store.policy.override_enabled {
        return Err(ApiError::new(ErrorCode::OverrideDisabled));
    }
    if row.approval_pending() {
        return Err(ApiError::new(ErrorCode::ApprovalPending));
    }
    // Said now, while the customer is still at the counter, rather than by the manager.
    check_override_cap(tx, caller, now_ms)?;
    let request = ApprovalRequestRow {
        id: crate::crypto::new_sequential_id("apr", now_ms),
        status: ApprovalStatus::Pending,
        reason: reason.to_string(),
        requested_by: caller.staff.as_ref().map(|s| s.id.clone()),
        cashier_name: caller.staff_name(),
        terminal_name: caller.terminal.name.clone(),
        requested_at_ms: now_ms,
        decided_by: None,
        decided_by_name: None,
        decided_at_ms: None,
    };
    let detail = json!({ "approval_id": request.id, "reason": reason });
    row.approval_request = Some(request);
    tx.update_redemption(&row)?;
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        Action::ApprovalRequested,
        Some(&row.id),
        detail,
    )?;
    Ok(row)
}

/// The store's requests waiting for a manager, oldest first (managers only; any terminal of
/// the store). Requests whose hold has lapsed are left out.
pub fn pending(tx: &mut dyn Tx, caller: &Caller, now_ms: i64) -> ApiResult<Vec<ApprovalRequest>> {
    caller.require_manager()?;
    Ok(tx
        .approvals_pending(&caller.store.id, 200)?
        .iter()
        .filter(|r| r.expires_at_ms > now_ms)
        .filter_map(RedemptionRow::approval_request_api)
        .collect())
}

/// A manager, signed in on their own device, approves or declines a pending request. An
/// approval is an override (S8): it names the manager, keeps the cashier's reason, counts
/// against the daily cap, and is audited with the manager and the cashier. No one approves
/// their own request, not even a manager who asked from a till.
pub fn decide(
    tx: &mut dyn Tx,
    caller: &Caller,
    approval_id: &str,
    approve: bool,
    now_ms: i64,
) -> ApiResult<ApprovalRequest> {
    caller.require_manager()?;
    let manager = caller
        .staff
        .clone()
        .ok_or_else(|| ApiError::new(ErrorCode::Forbidden))?;
    let mut row = tx
        .redemption_by_approval_request(&caller.store.id, approval_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound).detail("No such approval request"))?;
    release_if_expired(tx, &mut row, now_ms)?;
    let Some(mut request) = row.approval_request.clone() else {
        return Err(ApiError::internal("an approval request vanished"));
    };
    if request.status != ApprovalStatus::Pending {
        return Err(ApiError::new(ErrorCode::ApprovalClosed));
    }
    if row.status != RedemptionStatus::AwaitingOtp {
        // The customer's code arrived meanwhile, or the cashier cancelled.
        return Err(closed_problem(row.status));
    }
    if request.requested_by.as_deref() == Some(manager.id.as_str()) {
        return Err(ApiError::new(ErrorCode::ApprovalOwnRequest));
    }
    if approve {
        if !caller.store.policy.override_enabled {
            return Err(ApiError::new(ErrorCode::OverrideDisabled));
        }
        check_override_cap(tx, caller, now_ms)?;
    }
    request.status = if approve {
        ApprovalStatus::Approved
    } else {
        ApprovalStatus::Declined
    };
    request.decided_by = Some(manager.id.clone());
    request.decided_by_name = Some(manager.name.clone());
    request.decided_at_ms = Some(now_ms);
    let detail = json!({
        "approval_id": request.id,
        "manager_id": manager.id,
        "cashier_id": request.requested_by,
        "cashier_terminal_id": row.terminal_id,
        "reason": request.reason,
        "via": "manager_device",
    });
    let action = if approve {
        row.status = RedemptionStatus::Approved;
        row.approval = Some(Approval::Override {
            manager_name: manager.name.clone(),
            reason: request.reason.clone(),
        });
        if let Some(o) = row.otp.as_mut() {
            o.code_mac = None;
        }
        tx.insert_override_use(&caller.store.id, &row.id, now_ms)?;
        Action::Override
    } else {
        Action::ApprovalDeclined
    };
    row.approval_request = Some(request);
    tx.update_redemption(&row)?;
    audit::record(tx, now_ms, &caller.actor(), action, Some(&row.id), detail)?;
    row.approval_request_api()
        .ok_or_else(|| ApiError::internal("an approval request vanished"))
}
