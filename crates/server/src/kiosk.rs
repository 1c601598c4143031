//! Self-service kiosk identification. A kiosk faces customers, so its self-service session
//! (no staff signed in) cannot browse customers. The customer types their own mobile or card
//! number, a code goes to their registered contact through the same engine as redemption codes
//! (S1–S5: CSPRNG, only a MAC stored, TTL, single use, resend voids, attempts survive resends,
//! lock, send limits and cooldown), and the right code *binds* the session to that customer.
//!
//! While bound, the session reads and redeems for that customer only, and its intents are
//! vouchers approved at creation (the customer proved possession of the phone for this
//! session). The binding ends at `forget`, at sign-out, when a new identification starts, or
//! when `policy.kiosk_idle_secs` + [`IDLE_GRACE_SECS`] pass without a call that uses it; ending
//! it cancels the session's open intents and releases their holds.

use crate::audit::{self, Actor};
use crate::auth::Caller;
use crate::channels::{DeliveryError, OutgoingMessage};
use crate::crypto::{self, Secret};
use crate::error::{ApiError, ApiResult};
use crate::ledger::{self, PreApproved};
use crate::messages::{safe_value, MessageCatalog, MessageKind};
use crate::model::{CustomerRow, IdentificationRow, IdentificationStatus, SendRow};
use crate::otp::{self, CodeCheck, CodeRequest};
use crate::store::Tx;
use contract::api::{Balance, CreateRedemption, OtpSent, RedemptionStatus};
use contract::{Channel, ErrorCode, OtpCode, OtpLength, Purpose, TemplateValues};
use serde_json::json;

/// Added to the policy's kiosk idle time before the server forgets a customer, so the kiosk
/// app (which returns to its start screen after `kiosk_idle_secs`) always forgets first and a
/// slow network near the limit does not cut a customer off mid-step.
pub const IDLE_GRACE_SECS: u32 = 15;

/// Identifications that ended are kept this long (for a late call to be answered sensibly).
const KEEP_ENDED_MS: i64 = 86_400_000;

fn require_self_service(caller: &Caller) -> ApiResult<()> {
    if caller.is_self_service() {
        return Ok(());
    }
    Err(ApiError::new(ErrorCode::Forbidden).detail(
        "Only a self-service kiosk session identifies customers this way; staff find them with GET /v1/customers",
    ))
}

/// The one customer a typed mobile or card number names. `if_none_found` is the problem to
/// answer when none does (e.g. the number was not a valid mobile).
pub fn the_customer(
    found: Vec<CustomerRow>,
    if_none_found: Option<ApiError>,
) -> ApiResult<CustomerRow> {
    match <[CustomerRow; 1]>::try_from(found) {
        Ok([customer]) => Ok(customer),
        Err(found) if found.is_empty() => Err(if_none_found.unwrap_or_else(|| {
            ApiError::new(ErrorCode::CustomerNotFound)
                .detail("No customer has that mobile or card number")
                .field("query")
        })),
        // Which of them is at the kiosk cannot be told from the number alone.
        Err(_) => Err(ApiError::new(ErrorCode::CustomerNotFound)
            .detail("More than one customer has that number: ask at the counter")
            .field("query")),
    }
}

/// A code ready to go to the customer, what the kiosk may show, and the send as counted.
pub struct PreparedIdentify {
    pub sent: OtpSent,
    pub message: OutgoingMessage,
    pub identification_id: String,
    pub counted: SendRow,
}

/// Starts (or, for the same customer still awaiting a code, resends) an identification.
///
/// `found` are the customers the typed number or card matched, `if_none_found` the problem to
/// answer when there are none (e.g. the number was not a valid mobile). A new identification
/// ends the session's previous one (voiding its code, or forgetting its customer).
pub fn identify(
    tx: &mut dyn Tx,
    caller: &Caller,
    customer: CustomerRow,
    channel: Option<Channel>,
    now_ms: i64,
    secret: &Secret,
    catalog: &MessageCatalog,
) -> ApiResult<PreparedIdentify> {
    require_self_service(caller)?;
    let policy = &caller.store.policy;
    let channel = match channel {
        Some(ch) => ch,
        None => *customer.channels(policy).first().ok_or_else(|| {
            ApiError::new(ErrorCode::ChannelUnavailable)
                .detail("We have no way to send you a code: ask at the counter")
        })?,
    };
    let previous = tx
        .latest_identification(&caller.session_hash)?
        .filter(|p| p.status != IdentificationStatus::Ended);
    let same_customer = previous.as_ref().filter(|p| p.customer_id == customer.id);
    // A code still pending (or locked) for this customer is replaced only after its cooldown;
    // a pending one is resent on the same identification, so its failed attempts stay (S4).
    let replaces = same_customer.filter(|p| p.status != IdentificationStatus::Bound);
    let resend_of = same_customer.filter(|p| p.status == IdentificationStatus::AwaitingCode);
    let resend = resend_of.is_some();
    let id = resend_of.map_or_else(
        || crypto::new_sequential_id("kid", now_ms),
        |p| p.id.clone(),
    );
    let issued = otp::issue_code(
        tx,
        caller,
        CodeRequest {
            customer: &customer,
            channel,
            bound_to: &id,
            replaces: replaces.map(|p| &p.otp),
            not_after_ms: None,
        },
        now_ms,
        secret,
    )?;
    let row = match (resend_of.cloned(), previous) {
        (Some(mut row), _) => {
            row.otp = issued.otp.clone();
            tx.update_identification(&row)?;
            row
        }
        (None, previous) => {
            if let Some(previous) = previous {
                end(tx, &caller.actor(), previous, now_ms, "replaced")?;
            }
            let row = IdentificationRow {
                id: id.clone(),
                session_hash: caller.session_hash.clone(),
                store_id: caller.store.id.clone(),
                terminal_id: caller.terminal.id.clone(),
                customer_id: customer.id.clone(),
                status: IdentificationStatus::AwaitingCode,
                otp: issued.otp.clone(),
                max_attempts: policy.max_verify_attempts,
                failed_attempts: 0,
                bound_at_ms: None,
                last_used_ms: None,
                idle_until_ms: None,
                created_at_ms: now_ms,
                ended_at_ms: None,
            };
            tx.insert_identification(&row)?;
            row
        }
    };
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        "kiosk_identify_sent",
        None,
        json!({
            "identification_id": row.id, "customer_id": customer.id, "channel": channel.as_str(),
            "destination": row.otp.destination_masked, "resend": resend,
        }),
    )?;
    let (store, name) = (
        safe_value(channel, &caller.store.name),
        safe_value(channel, &customer.name),
    );
    let minutes = issued.minutes_left(now_ms);
    let values = TemplateValues {
        otp: issued.code(),
        store: &store,
        minutes: &minutes,
        customer: &name,
        points: "",
        value: "",
        balance: "",
    };
    let (text, subject) = catalog.identify(&policy.locale, channel);
    let (text, subject) = (text.render(&values), subject.render(&values));
    Ok(PreparedIdentify {
        sent: row.otp_sent(),
        identification_id: row.id.clone(),
        message: OutgoingMessage {
            at_ms: now_ms,
            kind: MessageKind::Otp,
            // The demo phone and the tests tell codes apart by this id.
            redemption_id: Some(row.id),
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
    identification_id: &str,
    channel: Channel,
    counted: &SendRow,
    failure: &DeliveryError,
    now_ms: i64,
) -> ApiResult<()> {
    if !failure.maybe_accepted {
        tx.uncount_send(counted)?;
    }
    let mut detail = failure.audit_detail(channel);
    detail["identification_id"] = json!(identification_id);
    if let Some(mut row) = tx
        .latest_identification(&caller.session_hash)?
        .filter(|r| r.id == identification_id)
    {
        row.otp.void_undelivered(now_ms);
        tx.update_identification(&row)?;
    } // else already replaced by a newer identification, which voided this code
    audit::record(
        tx,
        now_ms,
        &caller.actor(),
        "kiosk_identify_delivery_failed",
        None,
        detail,
    )
}

/// Checks the code the customer typed. A malformed code costs nothing; a wrong one costs an
/// attempt (kept although an error is returned) and the last attempt locks the
/// identification. The right one binds the session and answers the customer's balance.
pub fn verify(
    tx: &mut dyn Tx,
    caller: &Caller,
    typed: &str,
    now_ms: i64,
    secret: &Secret,
) -> ApiResult<Balance> {
    require_self_service(caller)?;
    let mut row = tx
        .latest_identification(&caller.session_hash)?
        .filter(|r| r.status != IdentificationStatus::Ended)
        .ok_or_else(|| {
            ApiError::new(ErrorCode::OtpNotSent)
                .detail("Type your mobile or card number first to get a code")
        })?;
    let length = OtpLength::new(row.otp.length).unwrap_or(caller.store.policy.otp_length);
    let code = OtpCode::parse(typed, length)?;
    match row.status {
        IdentificationStatus::Locked => {
            return Err(ApiError::new(ErrorCode::OtpLocked)
                .detail("Too many wrong codes: start again to get a new code"))
        }
        IdentificationStatus::Bound => {
            return Err(ApiError::new(ErrorCode::OtpNotSent)
                .detail("That code was already used: start again for a new one"))
        }
        IdentificationStatus::AwaitingCode | IdentificationStatus::Ended => {}
    }
    match otp::check_code(secret, &row.otp, &row.id, &code, now_ms) {
        CodeCheck::Void => Err(ApiError::new(ErrorCode::OtpNotSent)
            .detail("That code was not delivered: ask for a new one")),
        CodeCheck::Expired => {
            Err(ApiError::new(ErrorCode::OtpExpired)
                .detail("The code has expired: ask for a new one"))
        }
        CodeCheck::Matches => {
            row.status = IdentificationStatus::Bound;
            row.otp.code_mac = None; // single use
            row.bound_at_ms = Some(now_ms);
            touch(&mut row, caller, now_ms);
            tx.update_identification(&row)?;
            audit::record(
                tx,
                now_ms,
                &caller.actor(),
                "kiosk_identified",
                None,
                json!({
                    "identification_id": row.id, "customer_id": row.customer_id,
                    "channel": row.otp.channel.as_str(),
                }),
            )?;
            let customer = tx
                .customer(&caller.store.merchant_id, &row.customer_id)?
                .ok_or_else(|| ApiError::new(ErrorCode::CustomerNotFound))?;
            ledger::balance(tx, &caller.store.policy, &customer, now_ms)
        }
        CodeCheck::Wrong => {
            row.failed_attempts = row.failed_attempts.saturating_add(1);
            let attempts_left = row.attempts_left();
            if attempts_left == 0 {
                row.status = IdentificationStatus::Locked;
                row.otp.code_mac = None;
            }
            tx.update_identification(&row)?;
            audit::record(
                tx,
                now_ms,
                &caller.actor(),
                "kiosk_identify_rejected",
                None,
                json!({
                    "identification_id": row.id, "customer_id": row.customer_id,
                    "attempts_left": attempts_left, "locked": attempts_left == 0,
                }),
            )?;
            if attempts_left == 0 {
                return Err(ApiError::new(ErrorCode::OtpLocked)
                    .detail("Too many wrong codes: start again to get a new code")
                    .keep());
            }
            Err(otp::wrong_code(attempts_left))
        }
    }
}

/// Forgets the session's customer (the kiosk is done or idle): the binding ends and the
/// session's open intents are cancelled, releasing their holds. Forgetting nothing is fine.
pub fn forget(tx: &mut dyn Tx, caller: &Caller, now_ms: i64, reason: &str) -> ApiResult<()> {
    require_self_service(caller)?;
    if let Some(row) = tx
        .latest_identification(&caller.session_hash)?
        .filter(|r| r.status != IdentificationStatus::Ended)
    {
        end(tx, &caller.actor(), row, now_ms, reason)?;
    }
    Ok(())
}

/// What a call of a self-service session is about to touch.
#[derive(Clone, Copy, Debug)]
pub enum Subject<'a> {
    Customer(&'a str),
    Redemption(&'a str),
}

/// Lets a staff session through untouched (`None`). A self-service session passes only for
/// the customer it is bound to, and the call refreshes the binding; an idle binding is ended
/// on the spot (its holds released) and the call refused.
pub fn authorize(
    tx: &mut dyn Tx,
    caller: &Caller,
    subject: Subject<'_>,
    now_ms: i64,
) -> ApiResult<Option<IdentificationRow>> {
    if !caller.is_self_service() {
        return Ok(None);
    }
    let customer_id = match subject {
        Subject::Customer(id) => id.to_string(),
        Subject::Redemption(id) => ledger::load_bound(tx, caller, id)?.customer_id,
    };
    let mut row = tx
        .latest_identification(&caller.session_hash)?
        .filter(|r| r.status == IdentificationStatus::Bound)
        .ok_or_else(|| {
            ApiError::new(ErrorCode::Forbidden)
                .detail("Identify first: type your mobile or card number and the code sent to you")
        })?;
    if row.idle_until_ms.is_none_or(|until| now_ms >= until) {
        end(tx, &caller.actor(), row, now_ms, "idle")?;
        return Err(ApiError::new(ErrorCode::Forbidden)
            .detail("You were signed out after a while without use: start again")
            .keep());
    }
    if row.customer_id != customer_id {
        return Err(ApiError::new(ErrorCode::Forbidden).detail(
            "A self-service kiosk shows and redeems only the identified customer's loyalty",
        ));
    }
    touch(&mut row, caller, now_ms);
    tx.update_identification(&row)?;
    Ok(Some(row))
}

/// How a bound kiosk session may redeem: only as a printed voucher (a kiosk has no bill),
/// approved at creation by the identification.
pub fn pre_approval(binding: &IdentificationRow, req: &CreateRedemption) -> ApiResult<PreApproved> {
    if req.purpose != Purpose::Voucher {
        return Err(ApiError::new(ErrorCode::InvalidRequest)
            .detail("A self-service kiosk has no bill: redeem as a printed voucher (purpose kind \"voucher\")")
            .field("purpose"));
    }
    Ok(PreApproved {
        identification_id: binding.id.clone(),
        channel: binding.otp.channel,
    })
}

/// The sweeper's share: forget customers whose kiosk went idle (their holds are released
/// even if the kiosk never calls again), and drop identifications ended long ago.
pub fn sweep_idle(tx: &mut dyn Tx, now_ms: i64, limit: u32) -> ApiResult<usize> {
    let due = tx.identifications_idle_by(now_ms, limit)?;
    let n = due.len();
    for row in due {
        let actor = Actor {
            store_id: row.store_id.clone(),
            terminal_id: Some(row.terminal_id.clone()),
            staff_id: None,
        };
        end(tx, &actor, row, now_ms, "idle")?;
    }
    tx.prune_identifications(now_ms - KEEP_ENDED_MS)?;
    Ok(n)
}

/// A call used the binding: it lives another idle period from now.
fn touch(row: &mut IdentificationRow, caller: &Caller, now_ms: i64) {
    let idle_secs = caller.store.policy.kiosk_idle_secs + IDLE_GRACE_SECS;
    row.last_used_ms = Some(now_ms);
    row.idle_until_ms = Some(now_ms + i64::from(idle_secs) * 1000);
}

/// Ends an identification: any code is void, the binding is gone, open intents are cancelled.
fn end(
    tx: &mut dyn Tx,
    actor: &Actor,
    mut row: IdentificationRow,
    now_ms: i64,
    reason: &str,
) -> ApiResult<()> {
    let open = tx.open_redemptions_of_identification(&row.store_id, &row.id)?;
    let released = open.len();
    for mut intent in open {
        ledger::release(
            tx,
            &mut intent,
            RedemptionStatus::Cancelled,
            now_ms,
            actor,
            "cancel",
        )?;
    }
    let was = row.status;
    row.status = IdentificationStatus::Ended;
    row.otp.code_mac = None;
    row.idle_until_ms = None;
    row.ended_at_ms = Some(now_ms);
    tx.update_identification(&row)?;
    audit::record(
        tx,
        now_ms,
        actor,
        "kiosk_forgotten",
        None,
        json!({
            "identification_id": row.id, "customer_id": row.customer_id, "reason": reason,
            "was": was, "released": released,
        }),
    )
}
