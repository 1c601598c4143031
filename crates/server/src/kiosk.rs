//! Self-service kiosk identification. A kiosk faces customers, so its self-service session
//! (no staff signed in) cannot browse customers. The customer types their own mobile or card
//! number, a code goes to their registered contact through the one challenge engine
//! (`challenge`: S1–S5, CSPRNG, only a MAC stored, TTL, single use, resend voids, attempts
//! survive resends, lock, send limits and cooldown) with the identification as the challenge,
//! and the right code *binds* the session to that customer.
//!
//! While bound, the session reads and redeems for that customer only, and its intents are
//! vouchers approved at creation (the customer proved possession of the phone for this
//! session). The binding ends at `forget`, at sign-out, when a new identification starts, or
//! when `policy.kiosk_idle_secs` + [`IDLE_GRACE_SECS`] pass without a call that uses it; ending
//! it cancels the session's open intents and releases their holds.

use crate::audit::{self, Action, Actor};
use crate::auth::Caller;
use crate::challenge::{self, Challenge, CodeRequest, Entry, Event, PreparedCode, Words};
use crate::crypto::{self, Secret};
use crate::error::{ApiError, ApiResult};
use crate::ledger::{self, SelfService};
use crate::messages::{MessageCatalog, MessageKind, Vars};
use crate::model::{CustomerRow, IdentificationRow, IdentificationStatus, OtpState};
use crate::store::Tx;
use contract::api::{Balance, CreateRedemption, RedemptionStatus};
use contract::{Channel, ErrorCode, Policy, Purpose, Template};
use serde_json::{json, Value};

/// Added to the policy's kiosk idle time before the server forgets a customer, so the kiosk
/// app (which returns to its start screen after `kiosk_idle_secs`) always forgets first and a
/// slow network near the limit does not cut a customer off mid-step.
pub const IDLE_GRACE_SECS: u32 = 15;

/// Identifications that ended are kept this long (for a late call to be answered sensibly).
const KEEP_ENDED_MS: i64 = 86_400_000;

pub fn require_self_service(caller: &Caller) -> ApiResult<()> {
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

/// An identification as a challenge: approval binds the session to the customer; the last
/// wrong code locks the identification (only a new one helps).
impl Challenge for IdentificationRow {
    const NAME: &'static str = "kiosk identification";
    const WORDS: Words = Words {
        void: "That code was not delivered: ask for a new one",
        expired: "The code has expired: ask for a new one",
        locked: Some(LOCKED),
    };

    fn id(&self) -> &str {
        &self.id
    }
    fn customer_id(&self) -> &str {
        &self.customer_id
    }
    fn code(&self) -> Option<&OtpState> {
        Some(&self.otp)
    }
    fn code_mut(&mut self) -> Option<&mut OtpState> {
        Some(&mut self.otp)
    }
    fn failed_attempts_mut(&mut self) -> &mut u8 {
        &mut self.failed_attempts
    }
    fn attempts_left(&self) -> u8 {
        IdentificationRow::attempts_left(self)
    }
    fn save(&self, tx: &mut dyn Tx) -> ApiResult<()> {
        tx.update_identification(self)
    }

    fn entry(&self, event: Event) -> Entry {
        let mut detail = match event {
            Event::Sent { resend } => json!({
                "channel": self.otp.channel.as_str(),
                "destination": self.otp.destination_masked, "resend": resend,
            }),
            Event::Verified => json!({ "channel": self.otp.channel.as_str() }),
            Event::Rejected { attempts_left } => {
                json!({ "attempts_left": attempts_left, "locked": attempts_left == 0 })
            }
        };
        detail["identification_id"] = json!(self.id);
        detail["customer_id"] = json!(self.customer_id);
        let action = match event {
            Event::Sent { .. } => Action::KioskIdentifySent,
            Event::Verified => Action::KioskIdentified,
            Event::Rejected { .. } => Action::KioskIdentifyRejected,
        };
        Entry {
            action,
            redemption_id: None,
            detail,
        }
    }

    fn message(
        &self,
        catalog: &MessageCatalog,
        policy: &Policy,
        channel: Channel,
        _: &mut Vars,
    ) -> (MessageKind, Template, Template) {
        let (text, subject) = catalog.identify(&policy.locale, channel);
        (MessageKind::Identify, text, subject)
    }

    fn approve(&mut self, caller: &Caller, now_ms: i64) {
        self.status = IdentificationStatus::Bound;
        self.bound_at_ms = Some(now_ms);
        touch(self, caller, now_ms);
    }

    fn lock(&mut self, tx: &mut dyn Tx, _: &Caller, _: i64) -> ApiResult<()> {
        self.status = IdentificationStatus::Locked;
        tx.update_identification(self)
    }

    fn reload(tx: &mut dyn Tx, caller: &Caller, id: &str) -> ApiResult<Option<Self>> {
        Ok(tx
            .latest_identification(&caller.session_hash)?
            .filter(|r| r.id == id))
    }

    fn undelivered(id: &str, mut detail: Value) -> Entry {
        detail["identification_id"] = json!(id);
        Entry {
            action: Action::KioskIdentifyDeliveryFailed,
            redemption_id: None,
            detail,
        }
    }
}

const LOCKED: &str = "Too many wrong codes: start again to get a new code";

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
) -> ApiResult<PreparedCode<IdentificationRow>> {
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
    let issued = challenge::issue(
        tx,
        caller,
        CodeRequest {
            customer: &customer,
            channel,
            bound_to: &id,
            replaces: replaces.map(|p| &p.otp),
            not_after_ms: None,
            resend,
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
    challenge::prepare(tx, caller, &row, issued, customer, catalog, now_ms)
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
    let code = challenge::parse(typed, Some(&row.otp), &caller.store.policy)?;
    match row.status {
        IdentificationStatus::Locked => {
            return Err(ApiError::new(ErrorCode::OtpLocked).detail(LOCKED))
        }
        IdentificationStatus::Bound => {
            return Err(ApiError::new(ErrorCode::OtpNotSent)
                .detail("That code was already used: start again for a new one"))
        }
        IdentificationStatus::AwaitingCode | IdentificationStatus::Ended => {}
    }
    challenge::verify(tx, caller, &mut row, &code, now_ms, secret)?;
    let customer = tx
        .customer(&caller.store.merchant_id, &row.customer_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::CustomerNotFound))?;
    ledger::balance(tx, &caller.store.policy, &customer, now_ms)
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
pub fn self_service(binding: &IdentificationRow, req: &CreateRedemption) -> ApiResult<SelfService> {
    if req.purpose != Purpose::Voucher {
        return Err(ApiError::new(ErrorCode::InvalidRequest)
            .detail("A self-service kiosk has no bill: redeem as a printed voucher (purpose kind \"voucher\")")
            .field("purpose"));
    }
    Ok(SelfService {
        identification_id: binding.id.clone(),
    })
}

/// The sweeper's share: forget customers whose kiosk went idle (their holds are released
/// even if the kiosk never calls again), and drop identifications ended long ago.
pub fn sweep_idle(tx: &mut dyn Tx, now_ms: i64, limit: u32) -> ApiResult<usize> {
    let due = tx.identifications_idle_by(now_ms, limit)?;
    let n = due.len();
    for row in due {
        let actor = Actor::terminal(&row.store_id, &row.terminal_id);
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
            Action::Cancel,
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
        Action::KioskForgotten,
        None,
        json!({
            "identification_id": row.id, "customer_id": row.customer_id, "reason": reason,
            "was": was, "released": released,
        }),
    )
}
