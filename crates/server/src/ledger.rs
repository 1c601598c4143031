//! The ledger (S6), in the ledger's words: `hold` (an intent reserves its quantity), `post`
//! (the API's commit: the hold leaves the balance), `release` (on cancel, lock or expiry: the
//! hold is given back) and `reverse` (a posted redemption is given back); and accruals. Every function runs inside the caller's transaction; because the
//! store runs transactions one at a time, check-and-hold cannot interleave and a balance
//! never goes negative (the schema's CHECK constraints back this up).

use crate::audit::{self, Action, Actor};
use crate::auth::Caller;
use crate::cards;
use crate::crypto;
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::model::*;
use crate::store::Tx;
use contract::api::{
    Accrual, Approval, Balance, CreateAccrual, CreateRedemption, Receipt, RedemptionStatus,
    Reversal, Voucher,
};
use contract::rules::{allowed_range, check_redemption, Earlier};
use contract::{
    Bill, EarnRate, ErrorCode, InstrumentKind, Money, Policy, Problem, Purpose, Quantity, Unit,
};
use serde_json::json;

/// Loads a redemption of the caller's store; another store's id is simply not found (S9).
pub fn load(tx: &mut dyn Tx, caller: &Caller, id: &str) -> ApiResult<RedemptionRow> {
    tx.redemption(&caller.store.id, id)?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound).detail("No such redemption"))
}

/// Loads an intent for acting on it: only the terminal that created it may (S3: the code is
/// bound to the intent, terminal included). Another terminal hears `not_found`.
pub fn load_bound(tx: &mut dyn Tx, caller: &Caller, id: &str) -> ApiResult<RedemptionRow> {
    let row = load(tx, caller, id)?;
    if row.terminal_id != caller.terminal.id {
        return Err(ApiError::new(ErrorCode::NotFound)
            .detail("This redemption belongs to another terminal"));
    }
    Ok(row)
}

/// A customer's balances as the app shows them. An expired membership or gift card has
/// nothing left to give, whatever its balance.
pub fn balance(
    tx: &mut dyn Tx,
    policy: &Policy,
    customer: &CustomerRow,
    now_ms: i64,
) -> ApiResult<Balance> {
    // Their card type's point value, if they have one (seed 004).
    let card = cards::of_customer(tx, customer, policy)?;
    let theirs = cards::policy_for(policy, card.as_ref());
    let instruments = tx
        .instruments(&customer.id)?
        .iter()
        .map(|i| usable_balance(i, &theirs, now_ms))
        .collect();
    Ok(Balance {
        customer: customer.summary(policy),
        instruments,
        as_of_ms: now_ms,
    })
}

fn usable_balance(i: &InstrumentRow, policy: &Policy, now_ms: i64) -> contract::InstrumentBalance {
    let mut b = i.to_balance(policy, now_ms);
    if i.valid_until_ms.is_some_and(|until| until <= now_ms) {
        b.available = 0;
    }
    b
}

/// A self-service kiosk customer's intent. Their identification bound the session to them
/// (the code proved the phone or inbox is theirs, and said no amount), so each voucher still
/// needs a code of its own whose message states the amount (S3 holds at the kiosk too),
/// whatever the policy's minimum value or instrument list.
#[derive(Clone, Debug)]
pub struct SelfService {
    pub identification_id: String,
}

/// Creates an intent and holds its quantity, after re-checking every rule (S10).
pub fn hold(
    tx: &mut dyn Tx,
    caller: &Caller,
    req: CreateRedemption,
    now_ms: i64,
    hold_grace_secs: u32,
    self_service: Option<SelfService>,
) -> ApiResult<RedemptionRow> {
    let customer = tx
        .customer(&caller.store.merchant_id, &req.customer_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::CustomerNotFound).field("customer_id"))?;
    // Their points are worth their card type's point value, if they have one (seed 004):
    // the intent's value is fixed here, so a later change of it does not touch this hold.
    let card = cards::of_customer(tx, &customer, &caller.store.policy)?;
    let theirs = cards::policy_for(&caller.store.policy, card.as_ref());
    let policy: &Policy = &theirs;
    let mut instrument = tx
        .instrument(&customer.id, &req.instrument_id)?
        .ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound)
                .detail("The customer has no such instrument")
                .field("instrument_id")
        })?;
    let balance = usable_balance(&instrument, policy, now_ms);
    if balance.available == 0 {
        return Err(Problem::from(contract::RuleError::NothingAvailable).into());
    }
    // Limits that belong to a bill or a day cover every earlier redemption (S12). Counted
    // in this transaction, which also holds: a burst of holds on one bill cannot pass them.
    let earlier = earlier(tx, caller, &customer.id, &req.purpose, now_ms)?;
    let checked = check_redemption(policy, &balance, req.quantity, &req.purpose, &earlier)
        .map_err(|e| {
            let mut p = Problem::from(e);
            if let Ok(range) = allowed_range(policy, &balance, &req.purpose, &earlier) {
                p = p.allowed(range);
            }
            ApiError::from(p)
        })?;
    instrument.held += req.quantity.get();
    tx.update_instrument(&instrument)?;
    let otp_required = checked.otp_required || self_service.is_some();
    // Approved without a code only because of its value: it counts towards the no-code total.
    let no_code =
        !otp_required && policy.otp_required && policy.otp_instruments.contains(&instrument.kind);
    let approval = (!otp_required).then_some(Approval::NotRequired);
    let row = RedemptionRow {
        id: crypto::new_sequential_id("red", now_ms),
        store_id: caller.store.id.clone(),
        terminal_id: caller.terminal.id.clone(),
        staff_id: caller.staff.as_ref().map(|s| s.id.clone()),
        customer_id: customer.id.clone(),
        customer_name: customer.name.clone(),
        instrument_id: instrument.id.clone(),
        instrument_kind: instrument.kind,
        instrument_label: instrument.label.clone(),
        unit: instrument.unit,
        quantity: checked.quantity,
        value: checked.value,
        purpose: req.purpose,
        otp_required,
        max_verify_attempts: policy.max_verify_attempts,
        status: if otp_required {
            RedemptionStatus::AwaitingOtp
        } else {
            RedemptionStatus::Approved
        },
        created_at_ms: now_ms,
        expires_at_ms: now_ms
            + (i64::from(policy.otp_ttl_secs) + i64::from(hold_grace_secs)) * 1000,
        otp: None,
        failed_attempts: 0,
        approval,
        committed_at_ms: None,
        reversal: None,
        identification_id: self_service.as_ref().map(|p| p.identification_id.clone()),
        no_code,
        posted_by: None,
        approval_request: None,
        committed_day: None,
    };
    tx.insert_redemption(&row)?;
    let mut detail = json!({
        "customer_id": row.customer_id, "instrument_id": row.instrument_id,
        "quantity": row.quantity.get(), "value_minor": row.value.minor(),
        "currency": row.value.currency().code(), "otp_required": otp_required,
        "bill_id": row.purpose.bill().map(|b| b.id().as_str()),
        "bill_redeemed_before_minor": earlier.on_bill.minor(),
        "no_code": no_code,
    });
    if let Some(p) = &self_service {
        detail["self_service"] = json!(true);
        detail["identification_id"] = json!(p.identification_id);
    }
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        Action::Hold,
        Some(&row.id),
        detail,
    )?;
    crate::metrics::get().held();
    Ok(row)
}

/// What earlier redemptions took that limits a new one (S12): the bill's open holds and
/// posted redemptions (a bill number used with another total is refused), and what this
/// customer redeemed without a code on the bill and this store day.
pub fn earlier(
    tx: &mut dyn Tx,
    caller: &Caller,
    customer_id: &str,
    purpose: &Purpose,
    now_ms: i64,
) -> ApiResult<Earlier> {
    let policy = &caller.store.policy;
    let currency = policy.currency;
    let money =
        |minor: u64| Money::new(minor, currency).map_err(|e| ApiError::from(Problem::from(e)));
    let store = &caller.store.id;
    // The no-code total matters only where a code is asked from some value on.
    let counts_no_code = policy.otp_required && !policy.otp_min_value.is_zero();
    let day = match counts_no_code {
        true => tx.no_code_total(
            store,
            customer_id,
            NoCodeScope::Since(days::day_start(policy, now_ms)),
            now_ms,
        )?,
        false => 0,
    };
    let Some(bill) = purpose.bill() else {
        return Ok(Earlier {
            on_bill: money(0)?,
            without_code: money(day)?,
        });
    };
    let id = bill.id().as_str();
    let usage = bill_usage_checked(tx, caller, bill, now_ms)?;
    let on_bill = match counts_no_code {
        true => tx.no_code_total(store, customer_id, NoCodeScope::Bill(id), now_ms)?,
        false => 0,
    };
    Ok(Earlier {
        on_bill: money(usage.redeemed_minor)?,
        without_code: money(day.max(on_bill))?,
    })
}

/// What the bill's open holds and posted redemptions took, once the bill number is known to
/// go with this total (a number reused with another total is refused: the cashier typed one
/// of them wrong, or is starting a second allowance for one bill).
pub(crate) fn bill_usage_checked(
    tx: &mut dyn Tx,
    caller: &Caller,
    bill: &Bill,
    now_ms: i64,
) -> ApiResult<BillUsage> {
    let usage = tx.bill_usage(
        &caller.store.id,
        bill.id().as_str(),
        bill.total().minor(),
        now_ms,
    )?;
    if let Some(other) = usage.other_total_minor {
        let other = Money::new(other, bill.total().currency()).unwrap_or(bill.total());
        return Err(ApiError::new(ErrorCode::BillMismatch)
            .detail(format!(
                "Bill {} was already used (redeemed against, or points earned on it) with a total of {}, not {}: check the bill number and total",
                bill.id(),
                crate::messages::display_money(other),
                crate::messages::display_money(bill.total()),
            ))
            .field("purpose.bill.total"));
    }
    Ok(usage)
}

/// Ends an open intent and gives its hold back.
pub fn release(
    tx: &mut dyn Tx,
    row: &mut RedemptionRow,
    status: RedemptionStatus,
    now_ms: i64,
    actor: &Actor,
    action: Action,
) -> ApiResult<()> {
    debug_assert!(row.status.is_open());
    if let Some(mut instrument) = tx.instrument(&row.customer_id, &row.instrument_id)? {
        instrument.held = instrument.held.saturating_sub(row.quantity.get());
        tx.update_instrument(&instrument)?;
    }
    row.status = status;
    if let Some(otp) = row.otp.as_mut() {
        otp.code_mac = None;
    }
    tx.update_redemption(row)?;
    audit::record(
        tx,
        now_ms,
        actor,
        action,
        Some(&row.id),
        json!({ "quantity": row.quantity.get() }),
    )
}

/// An open intent past its expiry is expired on the spot (and the hold released) so no
/// request acts on it; the caller hears `intent_expired`.
pub fn release_if_expired(tx: &mut dyn Tx, row: &mut RedemptionRow, now_ms: i64) -> ApiResult<()> {
    if row.status.is_open() && now_ms >= row.expires_at_ms {
        release_as_expired(tx, row, now_ms)?;
        return Err(ApiError::new(ErrorCode::IntentExpired).keep());
    }
    Ok(())
}

/// Releases an intent that outlived its hold, on behalf of its terminal.
fn release_as_expired(tx: &mut dyn Tx, row: &mut RedemptionRow, now_ms: i64) -> ApiResult<()> {
    let actor = Actor::terminal(&row.store_id, &row.terminal_id);
    release(
        tx,
        row,
        RedemptionStatus::Expired,
        now_ms,
        &actor,
        Action::Expired,
    )
}

/// The problem for acting on a redemption that is no longer open.
pub fn closed_problem(status: RedemptionStatus) -> ApiError {
    match status {
        RedemptionStatus::Locked => ApiError::new(ErrorCode::OtpLocked),
        RedemptionStatus::Expired => ApiError::new(ErrorCode::IntentExpired),
        RedemptionStatus::Committed => {
            ApiError::new(ErrorCode::IntentClosed).detail("This redemption is already completed")
        }
        RedemptionStatus::Cancelled => {
            ApiError::new(ErrorCode::IntentClosed).detail("This redemption was cancelled")
        }
        RedemptionStatus::Reversed => {
            ApiError::new(ErrorCode::IntentClosed).detail("This redemption was reversed")
        }
        RedemptionStatus::Approved => {
            ApiError::new(ErrorCode::IntentClosed).detail("This redemption is already approved")
        }
        RedemptionStatus::AwaitingOtp => ApiError::new(ErrorCode::OtpRequired),
    }
}

/// Fingerprint of a post (commit) request: which redemption, and any body sent with it.
pub fn post_fingerprint(redemption_id: &str, body: &[u8]) -> String {
    let mut bytes = redemption_id.as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(body);
    crypto::sha256_hex(&bytes)
}

/// Posts the hold (S6). Idempotent: the same key and request replay the stored receipt
/// byte for byte; the same key for another request is refused; a posted redemption is
/// never debited twice, whatever the key (a new key gets the original receipt).
///
/// A printed voucher's code is sent to the customer as well when `voucher_sent_to` finds
/// where (the receipt says so, and the message is built from the receipt).
pub fn post(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    key: &str,
    fingerprint: &str,
    now_ms: i64,
    voucher_sent_to: impl FnOnce(&mut dyn Tx, &RedemptionRow) -> ApiResult<Option<String>>,
) -> ApiResult<Vec<u8>> {
    let mut row = load_bound(tx, caller, id)?;
    if let Some(seen) = tx.idempotency(&caller.store.id, key)? {
        return if seen.fingerprint == fingerprint {
            Ok(seen.response)
        } else {
            Err(ApiError::new(ErrorCode::IdempotencyConflict).detail(format!(
                "This Idempotency-Key was used to commit redemption {}; use a new key for a new request",
                seen.redemption_id
            )))
        };
    }
    let remember = |tx: &mut dyn Tx, response: &[u8]| {
        tx.insert_idempotency(&IdempotencyRow {
            store_id: caller.store.id.clone(),
            key: key.to_string(),
            fingerprint: fingerprint.to_string(),
            redemption_id: id.to_string(),
            response: response.to_vec(),
            created_at_ms: now_ms,
        })
    };
    match row.status {
        RedemptionStatus::Committed => {
            let bytes = tx
                .receipt_bytes(id)?
                .ok_or_else(|| ApiError::internal("committed without a receipt"))?;
            remember(tx, &bytes)?;
            return Ok(bytes);
        }
        RedemptionStatus::Approved => {}
        other => {
            release_if_expired(tx, &mut row, now_ms)?;
            return Err(closed_problem(other));
        }
    }
    release_if_expired(tx, &mut row, now_ms)?;
    let mut instrument = tx
        .instrument(&row.customer_id, &row.instrument_id)?
        .ok_or_else(|| ApiError::internal("the held instrument vanished"))?;
    let q = row.quantity.get();
    let balance_after = instrument.available();
    instrument.balance = instrument
        .balance
        .checked_sub(q)
        .ok_or_else(|| ApiError::internal("hold larger than balance"))?;
    instrument.held = instrument
        .held
        .checked_sub(q)
        .ok_or_else(|| ApiError::internal("hold missing"))?;
    tx.update_instrument(&instrument)?;
    // Any benefit a voucher may take (see `Purpose::accepts`) prints at the intent's value.
    let voucher = match row.purpose == Purpose::Voucher {
        true => Some(Voucher {
            code: voucher_code(),
            value: row.value,
            // Valid for the store's `voucher_valid_days` from printing.
            valid_until_ms: now_ms + i64::from(caller.store.policy.voucher_valid_days) * 86_400_000,
            sent_to: voucher_sent_to(tx, &row)?,
        }),
        false => None,
    };
    let receipt = Receipt {
        redemption_id: row.id.clone(),
        customer_name: row.customer_name.clone(),
        instrument_kind: row.instrument_kind,
        instrument_label: row.instrument_label.clone(),
        unit: row.unit,
        quantity: row.quantity,
        value: row.value,
        balance_before: balance_after + q,
        balance_after,
        purpose: row.purpose.clone(),
        approval: row.approval.clone().unwrap_or(Approval::NotRequired),
        cashier_name: caller.staff_name(),
        terminal_name: caller.terminal.name.clone(),
        store_name: caller.store.name.clone(),
        committed_at_ms: now_ms,
        voucher,
        bill_redeemed: match row.purpose.bill() {
            // This intent is still open here, so it is counted among the bill's holds.
            Some(bill) => Some(
                Money::new(
                    tx.bill_usage(
                        &row.store_id,
                        bill.id().as_str(),
                        bill.total().minor(),
                        now_ms,
                    )?
                    .redeemed_minor,
                    bill.total().currency(),
                )
                .map_err(|e| ApiError::internal(e.to_string()))?,
            ),
            None => None,
        },
    };
    if let Some(v) = &receipt.voucher {
        // Kept by its code's hash, to be redeemed at a till once (`crate::vouchers`).
        tx.insert_voucher(&VoucherRow {
            id: crypto::new_sequential_id("vch", now_ms),
            code_hash: crypto::voucher_code_hash(&v.code),
            merchant_id: caller.store.merchant_id.clone(),
            store_id: caller.store.id.clone(),
            redemption_id: row.id.clone(),
            customer_id: row.customer_id.clone(),
            customer_name: row.customer_name.clone(),
            value: v.value,
            issued_at_ms: now_ms,
            valid_until_ms: v.valid_until_ms,
            redeemed_at_ms: None,
            redeemed_store_id: None,
            redeemed_bill_id: None,
            redeemed_bill_total_minor: None,
            redeemed_by: None,
            redeemed_terminal_id: None,
            redeemed_day: None,
        })?;
    }
    let bytes = serde_json::to_vec(&receipt)?;
    row.status = RedemptionStatus::Committed;
    row.committed_at_ms = Some(now_ms);
    row.committed_day = Some(days::iso_date(&caller.store.policy, now_ms));
    row.posted_by = caller.staff.as_ref().map(|s| s.id.clone());
    tx.update_redemption(&row)?;
    tx.save_receipt(&row.id, &bytes)?;
    remember(tx, &bytes)?;
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        Action::Post,
        Some(&row.id),
        json!({
            "quantity": q, "value_minor": row.value.minor(), "currency": row.value.currency().code(),
            "balance_after": balance_after, "approval": approval_kind(&receipt.approval),
            "voucher": receipt.voucher.is_some(),
        }),
    )?;
    crate::metrics::get().posted();
    Ok(bytes)
}

fn approval_kind(a: &Approval) -> &'static str {
    match a {
        Approval::Otp { .. } => "otp",
        Approval::Override { .. } => "override",
        Approval::NotRequired => "not_required",
    }
}

/// `RGV-XXXX-XXXX-XXXX` from an alphabet without look-alike characters.
fn voucher_code() -> String {
    const ALPHABET: &[u8] = contract::vouchers::ALPHABET;
    let chars: Vec<char> = (0..12)
        .map(|_| ALPHABET[crypto::random_below(ALPHABET.len() as u32) as usize] as char)
        .collect();
    let groups: Vec<String> = chars.chunks(4).map(|c| c.iter().collect()).collect();
    format!("RGV-{}", groups.join("-"))
}

/// Releases an open intent on cancel; a finished one is reported as it is.
pub fn release_on_cancel(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    now_ms: i64,
) -> ApiResult<RedemptionRow> {
    let mut row = load_bound(tx, caller, id)?;
    match row.status {
        s if s.is_open() => {
            release(
                tx,
                &mut row,
                RedemptionStatus::Cancelled,
                now_ms,
                &caller.actor(),
                Action::Cancel,
            )?;
            Ok(row)
        }
        RedemptionStatus::Committed | RedemptionStatus::Reversed => Err(closed_problem(row.status)),
        _ => Ok(row),
    }
}

/// Reverses a posted redemption: its quantity is given back, once.
pub fn reverse(
    tx: &mut dyn Tx,
    caller: &Caller,
    id: &str,
    reason: &str,
    now_ms: i64,
) -> ApiResult<Reversal> {
    let mut row = load(tx, caller, id)?;
    match row.status {
        RedemptionStatus::Committed => {}
        RedemptionStatus::Reversed => return Err(ApiError::new(ErrorCode::AlreadyReversed)),
        _ => return Err(ApiError::new(ErrorCode::NotCommitted)),
    }
    // The cashier who posted it, within the policy's window; otherwise a manager (SPEC §3).
    let staff = caller.staff.as_ref();
    let poster = row.posted_by.clone().or_else(|| row.staff_id.clone());
    contract::rules::may_reverse(
        &caller.store.policy,
        staff.is_some_and(|s| s.role == contract::api::Role::Manager),
        staff.is_some_and(|s| Some(&s.id) == poster.as_ref()),
        now_ms - row.committed_at_ms.unwrap_or(now_ms),
    )
    .map_err(|refusal| ApiError::new(ErrorCode::Forbidden).detail(refusal.to_string()))?;
    let mut instrument = tx
        .instrument(&row.customer_id, &row.instrument_id)?
        .ok_or_else(|| ApiError::internal("the redeemed instrument vanished"))?;
    instrument.balance += row.quantity.get();
    tx.update_instrument(&instrument)?;
    let reversal = Reversal {
        redemption_id: row.id.clone(),
        quantity_restored: row.quantity,
        balance_after: instrument.available(),
        reason: reason.to_string(),
        reversed_at_ms: now_ms,
    };
    row.status = RedemptionStatus::Reversed;
    row.reversal = Some(reversal.clone());
    tx.update_redemption(&row)?;
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        Action::Reverse,
        Some(&row.id),
        json!({
            "quantity": row.quantity.get(), "reason": reason, "balance_after": reversal.balance_after,
            "posted_by": poster,
        }),
    )?;
    Ok(reversal)
}

/// Adds the points a sale earns: computed from the bill's total and the customer's earn rate
/// (their card type's, seed 004, else the store's), capped per bill by the store (S12), never
/// a number the caller chooses. One accrual per bill: repeating the same one replays it.
pub fn accrue(
    tx: &mut dyn Tx,
    caller: &Caller,
    req: CreateAccrual,
    now_ms: i64,
) -> ApiResult<Accrual> {
    let policy = &caller.store.policy;
    if req.bill.total().currency() != policy.currency {
        return Err(ApiError::new(ErrorCode::CurrencyMismatch).field("bill.total"));
    }
    let customer = tx
        .customer(&caller.store.merchant_id, &req.customer_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::CustomerNotFound).field("customer_id"))?;
    let card = cards::of_customer(tx, &customer, policy)?;
    let rate = EarnRate::of(policy, card.as_ref().map(CardTypeRow::to_contract).as_ref());
    let earned = contract::rules::points_earned(&rate, &req.bill)
        .map_err(|e| ApiError::from(Problem::from(e).field("bill.total")))?;
    if let Some(seen) = tx.accrual_for_bill(&caller.store.id, req.bill.id().as_str())? {
        if seen.customer_id == customer.id && seen.points.get() == earned {
            return Ok(to_accrual(&seen));
        }
        return Err(ApiError::new(ErrorCode::IdempotencyConflict)
            .detail("This bill already earned points")
            .field("bill.id"));
    }
    // A bill redeemed against with another total is not this bill.
    bill_usage_checked(tx, caller, &req.bill, now_ms).map_err(|e| e.field("bill.total"))?;
    let points = Quantity::new(earned).map_err(|_| {
        ApiError::new(ErrorCode::NothingEarned)
            .detail(nothing_earned(&rate, card.as_ref(), req.bill.total()))
            .field("bill.total")
    })?;
    let points = points.get();
    let existing = tx
        .instruments(&customer.id)?
        .into_iter()
        .find(|i| i.kind == InstrumentKind::Points);
    let instrument = match existing {
        Some(mut i) => {
            i.balance = i
                .balance
                .checked_add(points)
                .filter(|b| *b <= Quantity::MAX)
                .ok_or_else(|| {
                    ApiError::new(ErrorCode::InvalidQuantity)
                        .detail("That would be far too many points")
                        .field("points")
                })?;
            i.earned = Some(i.earned.unwrap_or(0) + points);
            tx.update_instrument(&i)?;
            i
        }
        None => {
            let i = InstrumentRow {
                id: crypto::new_id("ins"),
                customer_id: customer.id.clone(),
                kind: InstrumentKind::Points,
                label: InstrumentKind::Points.label().to_string(),
                unit: Unit::Points,
                balance: points,
                held: 0,
                // Worth their card type's point value, else the store's.
                unit_value: card.as_ref().map_or(policy.point_value, |c| c.point_value),
                earned: Some(points),
                expiring: None,
                valid_until_ms: None,
            };
            tx.insert_instrument(&i)?;
            i
        }
    };
    let row = AccrualRow {
        id: crypto::new_sequential_id("acc", now_ms),
        store_id: caller.store.id.clone(),
        customer_id: customer.id.clone(),
        bill_id: req.bill.id().to_string(),
        points: Quantity::new(points).map_err(|e| ApiError::internal(e.to_string()))?,
        balance_after: instrument.available(),
        at_ms: now_ms,
    };
    tx.insert_accrual(&row, req.bill.total().minor())?;
    // `earn_points` and `earn_per_minor` are the rate used: the card type's, when one applies.
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        Action::Accrual,
        None,
        json!({
            "customer_id": customer.id, "instrument_id": instrument.id, "bill_id": row.bill_id,
            "points": points, "balance_after": row.balance_after,
            "bill_total_minor": req.bill.total().minor(), "earn_points": rate.points,
            "earn_per_minor": rate.per.minor(), "earn_cap_per_bill": rate.cap,
            "card_type_id": card.as_ref().map(|c| c.id.as_str()),
            "card_type": card.as_ref().map(|c| c.name.as_str()),
        }),
    )?;
    Ok(to_accrual(&row))
}

/// Why a bill earned nothing, naming the rate: the customer's card type's, or the store's.
fn nothing_earned(rate: &EarnRate, card: Option<&CardTypeRow>, total: Money) -> String {
    let giver = match card {
        Some(c) => format!("the {} card", c.name),
        None => "the store".to_string(),
    };
    if rate.points == 0 {
        return match card {
            Some(c) => format!("The {} card gives no points on sales", c.name),
            None => "This store gives no points on sales".to_string(),
        };
    }
    format!(
        "A bill of {} earns no points: {giver} gives {} {} per {}",
        crate::messages::display_money(total),
        rate.points,
        if rate.points == 1 { "point" } else { "points" },
        crate::messages::display_money(rate.per),
    )
}

fn to_accrual(a: &AccrualRow) -> Accrual {
    Accrual {
        id: a.id.clone(),
        customer_id: a.customer_id.clone(),
        bill_id: a.bill_id.clone(),
        points: a.points,
        balance_after: a.balance_after,
        at_ms: a.at_ms,
    }
}

/// The sweeper's unit of work: release up to `limit` abandoned (expired) intents.
pub fn release_expired(tx: &mut dyn Tx, now_ms: i64, limit: u32) -> ApiResult<usize> {
    let due = tx.open_redemptions_expired_by(now_ms, limit)?;
    let n = due.len();
    for mut row in due {
        release_as_expired(tx, &mut row, now_ms)?;
    }
    expire_points(tx, now_ms, limit)?;
    tx.delete_expired_sessions(now_ms)?;
    // The longest send window a policy may have is a day.
    tx.prune_sends(now_ms - 86_400_000)?;
    crate::guesses::prune(tx, now_ms)?;
    Ok(n)
}

/// Points whose expiry date has come leave the balance. Points held by an open intent are
/// spared (the hold is a promise to that redemption). Customers belong to the merchant, so
/// the audit row goes to the merchant's first store.
fn expire_points(tx: &mut dyn Tx, now_ms: i64, limit: u32) -> ApiResult<()> {
    let due = tx.instruments_expiring_by(now_ms, limit)?;
    if due.is_empty() {
        return Ok(());
    }
    let stores = tx.stores()?;
    for (mut instrument, merchant_id) in due {
        let Some(expiring) = instrument.expiring.take() else {
            continue;
        };
        let lapsed = expiring.quantity.min(instrument.available());
        instrument.balance -= lapsed;
        tx.update_instrument(&instrument)?;
        if let Some(store) = stores.iter().find(|s| s.merchant_id == merchant_id) {
            let actor = Actor {
                store_id: store.id.clone(),
                terminal_id: None,
                staff_id: None,
            };
            audit::record(
                tx,
                now_ms,
                &actor,
                Action::PointsExpired,
                None,
                json!({
                    "customer_id": instrument.customer_id, "instrument_id": instrument.id,
                    "quantity": lapsed, "balance_after": instrument.available(),
                }),
            )?;
        }
    }
    Ok(())
}
