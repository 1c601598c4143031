//! HTTP handlers of the /v1 contract. Each one parses its input into contract types,
//! then does all of its work (authentication included) in one store transaction.

mod input;

use crate::app::{IdPath, InFlight, JsonBody, QueryParams, RawBody, Shared};
use crate::audit;
use crate::auth::{self, resolve, resolve_terminal, Credentials};
use crate::crypto;
use crate::error::{ApiError, ApiResult};
use crate::kiosk::{self, Subject};
use crate::ledger;
use crate::model::{CustomerRow, SessionRow, StaffRow};
use crate::notify;
use crate::otp;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contract::api::*;
use contract::lookup::{Key, Lookup, Searcher};
use contract::{ErrorCode, Money, Policy, Problem};
use serde::Deserialize;
use serde_json::{json, Value};

/// Failed sign-ins a terminal may make per quarter hour before it is refused more (PINs are
/// short). Counted per terminal, so one terminal cannot lock the whole store out.
const SIGN_IN_FAILURES_PER_15_MIN: u64 = 10;

#[utoipa::path(post, path = "/v1/sessions", tag = "sessions",
    description = "Sign a staff member in on this terminal. On a kiosk, an empty staff code and PIN open a self-service session: it cannot browse customers, and reads and redeems only for the customer it identifies (POST /v1/kiosk/identify). A staff session on a kiosk has cashier rights.",
    params(("x-terminal-token" = String, Header, description = "The terminal's token")),
    request_body = SignIn,
    responses((status = 201, body = Session), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_in(
    State(app): State<Shared>,
    creds: Credentials,
    JsonBody(body): JsonBody<SignIn>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let now = app.clock.now_ms();
    let code = body.staff_code.trim().to_string();
    let lookup = (creds.clone(), code.clone());
    let (terminal, staff) = app
        .db
        .run(move |tx| {
            let (creds, code) = lookup;
            let caller = resolve_terminal(tx, &creds)?;
            let since = now - 15 * 60_000;
            if tx.count_terminal_audit_actions(
                &caller.store.id,
                &caller.terminal.id,
                "sign_in_failed",
                since,
            )? >= SIGN_IN_FAILURES_PER_15_MIN
            {
                return Err(Problem::new(ErrorCode::RateLimited)
                    .detail("Too many wrong PINs: wait a few minutes")
                    .retry_after(900)
                    .into());
            }
            let staff = if code.is_empty() {
                None
            } else {
                tx.staff_by_code(&caller.store.id, &code)?
            };
            Ok((caller, staff))
        })
        .await?;
    let self_service = code.is_empty() && auth::is_kiosk(&terminal.terminal);
    if !self_service {
        let hash = staff
            .as_ref()
            .map_or_else(|| crypto::decoy_hash().to_string(), |s| s.pin_hash.clone());
        let pin = body.pin;
        let pin_ok = app
            .slow_check(move || crypto::slow_verify(&pin, &hash))
            .await?;
        if !pin_ok || staff.is_none() {
            let actor = audit::Actor {
                store_id: terminal.store.id.clone(),
                terminal_id: Some(terminal.terminal.id.clone()),
                staff_id: staff.as_ref().map(|s| s.id.clone()),
            };
            app.db
                .run(move |tx| {
                    audit::record(
                        tx,
                        now,
                        &actor,
                        "sign_in_failed",
                        None,
                        json!({ "staff_code": code }),
                    )
                })
                .await?;
            return Err(ApiError::new(ErrorCode::SignInFailed));
        }
    }
    let token = crypto::new_token();
    let expires_at_ms = now + i64::from(app.config.session_ttl_secs) * 1000;
    let session = SessionRow {
        token_hash: crypto::sha256_hex(token.as_bytes()),
        terminal_id: terminal.terminal.id.clone(),
        staff_id: staff.as_ref().map(|s| s.id.clone()),
        expires_at_ms,
    };
    let actor = audit::Actor {
        store_id: terminal.store.id.clone(),
        terminal_id: Some(terminal.terminal.id.clone()),
        staff_id: session.staff_id.clone(),
    };
    app.db
        .run(move |tx| {
            tx.insert_session(&session)?;
            audit::record(
                tx,
                now,
                &actor,
                "sign_in",
                None,
                json!({ "self_service": self_service }),
            )
        })
        .await?;
    let caller = auth::Caller {
        terminal: terminal.terminal,
        store: terminal.store,
        staff,
        session_hash: String::new(),
    };
    Ok((
        StatusCode::CREATED,
        Json(Session {
            token,
            expires_at_ms,
            staff: caller.staff_info(),
            terminal: auth::terminal_info(&caller.terminal),
            store: auth::store_info(&caller.store),
        }),
    ))
}

#[utoipa::path(delete, path = "/v1/sessions/current", tag = "sessions", security(("terminal" = [], "session" = [])),
    description = "Ends the session. A self-service kiosk session also forgets its customer (as POST /v1/kiosk/forget).",
    responses((status = 204, description = "Signed out"), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_out(State(app): State<Shared>, creds: Credentials) -> ApiResult<StatusCode> {
    let now = app.clock.now_ms();
    app.db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            if caller.is_self_service() {
                kiosk::forget(tx, &caller, now, "sign_out")?;
            }
            tx.delete_session(&caller.session_hash)?;
            audit::record(tx, now, &caller.actor(), "sign_out", None, json!({}))
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/policy", tag = "policy", security(("terminal" = [], "session" = [])),
    responses((status = 200, body = Policy), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn get_policy(State(app): State<Shared>, creds: Credentials) -> ApiResult<Json<Policy>> {
    let now = app.clock.now_ms();
    let caller = app.db.run(move |tx| resolve(tx, &creds, now)).await?;
    Ok(Json(caller.store.policy))
}

#[utoipa::path(put, path = "/v1/policy", tag = "policy", security(("terminal" = [], "session" = [])),
    description = "Managers only. An invalid policy is refused with every invalid field listed in `errors`.",
    request_body = Policy,
    responses((status = 200, body = Policy), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn put_policy(
    State(app): State<Shared>,
    creds: Credentials,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Policy>> {
    let now = app.clock.now_ms();
    let policy = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let policy = input::policy(body)?;
            if policy.currency != caller.store.policy.currency {
                // Balances, bills and point values are all in the store's currency.
                return Err(Problem::from(contract::policy::PolicyErrors(vec![
                    contract::policy::PolicyError {
                        field: "currency".into(),
                        message: format!(
                            "The store's currency is {}; it cannot be changed",
                            caller.store.policy.currency
                        ),
                    },
                ]))
                .into());
            }
            let old = serde_json::to_value(&caller.store.policy)?;
            let new = serde_json::to_value(&policy)?;
            let changed: Vec<&String> = match (&old, &new) {
                (Value::Object(o), Value::Object(n)) => n
                    .iter()
                    .filter(|(k, v)| o.get(*k) != Some(*v))
                    .map(|(k, _)| k)
                    .collect(),
                _ => Vec::new(),
            };
            tx.set_policy(&caller.store.id, &policy)?;
            audit::record(
                tx,
                now,
                &caller.actor(),
                "policy_changed",
                None,
                json!({ "fields": changed }),
            )?;
            Ok(policy)
        })
        .await?;
    Ok(Json(policy))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// The merchant's customers matching any of the lookups, each once.
fn find_customers(
    tx: &mut dyn crate::store::Tx,
    merchant: &str,
    lookup: &Lookup,
) -> ApiResult<Vec<CustomerRow>> {
    let mut customers: Vec<CustomerRow> = Vec::new();
    for key in lookup.keys() {
        let rows = match key {
            Key::Mobile(m) => tx.customers_by_mobile(merchant, m.as_str())?,
            Key::Card(c) => tx.customers_by_card(merchant, c.as_str())?,
            Key::Name(n) => tx.customers_by_name(merchant, n, 20)?,
        };
        for r in rows {
            if !customers.iter().any(|c| c.id == r.id) {
                customers.push(r);
            }
        }
    }
    Ok(customers)
}

#[utoipa::path(get, path = "/v1/customers", tag = "customers", security(("terminal" = [], "session" = [])),
    description = "Find customers by mobile number (national or international form), loyalty card number, or part of the name (2+ characters). Contacts are masked. A self-service kiosk session is refused (`forbidden`): it identifies its customer with POST /v1/kiosk/identify.",
    params(("q" = String, Query, description = "Mobile, card number or name")),
    responses((status = 200, body = CustomerSearch), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn search_customers(
    State(app): State<Shared>,
    creds: Credentials,
    QueryParams(query): QueryParams<SearchQuery>,
) -> ApiResult<Json<CustomerSearch>> {
    let now = app.clock.now_ms();
    let q = query.q.unwrap_or_default();
    let found = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_staff("browse customers: identify with your mobile or card number")?;
            let policy = &caller.store.policy;
            let lookup = input::lookup(&q, policy, Searcher::Staff, "q")?;
            let customers = find_customers(tx, &caller.store.merchant_id, &lookup)?;
            if let (true, Some(problem)) = (customers.is_empty(), lookup.problem_if_none_found()) {
                return Err(Problem::from(problem).field("q").into());
            }
            Ok(CustomerSearch {
                customers: customers.iter().map(|c| c.summary(policy)).collect(),
            })
        })
        .await?;
    Ok(Json(found))
}

#[utoipa::path(get, path = "/v1/customers/{id}/balance", tag = "customers", security(("terminal" = [], "session" = [])),
    description = "A self-service kiosk session may read only the customer it identified (else `forbidden`).",
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = Balance), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn balance(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
) -> ApiResult<Json<Balance>> {
    let now = app.clock.now_ms();
    let balance = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::authorize(tx, &caller, Subject::Customer(&id), now)?;
            let customer = tx
                .customer(&caller.store.merchant_id, &id)?
                .ok_or_else(|| ApiError::new(ErrorCode::CustomerNotFound))?;
            ledger::balance(tx, &caller.store.policy, &customer, now)
        })
        .await?;
    Ok(Json(balance))
}

#[utoipa::path(post, path = "/v1/kiosk/identify", tag = "kiosk", security(("terminal" = [], "session" = [])),
    description = "Self-service kiosk sessions only. The customer's own mobile or loyalty card number (not a name: `invalid_request`); exactly one customer must match (else `customer_not_found`). A code goes to their contact on `channel` (default: their first reachable channel) with the same limits, cooldown and rules as redemption codes; a new identify voids the session's previous code (and forgets a customer already identified). Nothing about the customer is answered until POST /v1/kiosk/verify.",
    request_body = KioskIdentify,
    responses((status = 200, body = OtpSent), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn kiosk_identify(
    State(app): State<Shared>,
    creds: Credentials,
    JsonBody(body): JsonBody<KioskIdentify>,
) -> ApiResult<Json<OtpSent>> {
    let now = app.clock.now_ms();
    let secret = app.secret.clone();
    let catalog = app.config.messages.clone();
    let (caller, prepared) = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            let lookup = input::lookup(
                &body.query,
                &caller.store.policy,
                Searcher::SelfService,
                "query",
            )?;
            let found = find_customers(tx, &caller.store.merchant_id, &lookup)?;
            let if_none_found = lookup
                .problem_if_none_found()
                .map(|e| ApiError::from(Problem::from(e).field("query")));
            let customer = kiosk::the_customer(found, if_none_found)?;
            let prepared =
                kiosk::identify(tx, &caller, customer, body.channel, now, &secret, &catalog)?;
            Ok((caller, prepared))
        })
        .await?;
    let code_for = notify::CodeFor::KioskIdentification(prepared.identification_id);
    notify::send_code(&app, caller, code_for, prepared.message, prepared.counted).await?;
    Ok(Json(prepared.sent))
}

#[utoipa::path(post, path = "/v1/kiosk/verify", tag = "kiosk", security(("terminal" = [], "session" = [])),
    description = "Self-service kiosk sessions only. Checks the code from POST /v1/kiosk/identify (constant time, single use). Right: the session is bound to the customer and their balance is answered. Wrong: `otp_invalid` with `attempts_left`; the last attempt locks (`otp_locked`: identify again for a new code). `otp_expired` after the code's lifetime; a malformed code (`invalid_otp_format`) costs no attempt. The binding lasts until POST /v1/kiosk/forget, sign-out, a new identify, or `kiosk_idle_secs` + 15 s without a call that uses it (balance, redemptions); each such call restarts that time. A call after it lapsed is `forbidden` (and the open intents are cancelled).",
    request_body = Verify,
    responses((status = 200, body = Balance), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn kiosk_verify(
    State(app): State<Shared>,
    creds: Credentials,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Balance>> {
    let typed = input::typed_code(&body)?;
    let now = app.clock.now_ms();
    let secret = app.secret.clone();
    let balance = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::verify(tx, &caller, &typed, now, &secret)
        })
        .await?;
    Ok(Json(balance))
}

#[utoipa::path(post, path = "/v1/kiosk/forget", tag = "kiosk", security(("terminal" = [], "session" = [])),
    description = "Self-service kiosk sessions only. Forgets the identified customer (done, or idle): the binding ends, any pending code is void, and the session's open intents are cancelled, releasing their holds. Forgetting when nobody is identified is fine.",
    responses((status = 204, description = "Forgotten"), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn kiosk_forget(State(app): State<Shared>, creds: Credentials) -> ApiResult<StatusCode> {
    let now = app.clock.now_ms();
    app.db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::forget(tx, &caller, now, "forget")
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/redemptions", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Re-checks every rule, creates the intent and holds the quantity. Status is `awaiting_otp`, or `approved` when no code is needed. Any benefit but a gift card can become a printed voucher (purpose `voucher`). A self-service kiosk session redeems only for the customer it identified, only as a voucher, and its intent is `approved` at once (`otp_required: false`; the receipt's approval is the identification's channel).",
    request_body = CreateRedemption,
    responses((status = 201, body = Redemption), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn create_redemption(
    State(app): State<Shared>,
    creds: Credentials,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Redemption>)> {
    let req = input::create_redemption(body)?;
    let now = app.clock.now_ms();
    let grace = app.config.hold_grace_secs;
    let row = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            let pre_approved =
                match kiosk::authorize(tx, &caller, Subject::Customer(&req.customer_id), now)? {
                    Some(binding) => Some(kiosk::pre_approval(&binding, &req)?),
                    None => None,
                };
            ledger::create_intent(tx, &caller, req, now, grace, pre_approved)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(row.to_api())))
}

#[utoipa::path(get, path = "/v1/redemptions/{id}", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "The intent as the backend holds it, so the app can resume after a reload.",
    params(("id" = String, Path, description = "Redemption id")),
    responses((status = 200, body = Redemption), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn get_redemption(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
) -> ApiResult<Json<Redemption>> {
    let now = app.clock.now_ms();
    let row = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::authorize(tx, &caller, Subject::Redemption(&id), now)?;
            let mut row = ledger::load(tx, &caller, &id)?;
            match ledger::expire_if_due(tx, &mut row, now) {
                Err(e) if e.code() == ErrorCode::IntentExpired => Ok(row), // report it as expired
                other => other.map(|_| row),
            }
        })
        .await?;
    Ok(Json(row.to_api()))
}

#[utoipa::path(post, path = "/v1/redemptions/{id}/otp", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Sends a fresh code (voiding any earlier one) to the customer's contact on the channel.",
    params(("id" = String, Path, description = "Redemption id")),
    request_body = SendOtp,
    responses((status = 200, body = OtpSent), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn send_otp(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody<SendOtp>,
) -> ApiResult<Json<OtpSent>> {
    let now = app.clock.now_ms();
    let secret = app.secret.clone();
    let catalog = app.config.messages.clone();
    let (caller, prepared) = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::authorize(tx, &caller, Subject::Redemption(&id), now)?;
            let prepared =
                otp::prepare_send(tx, &caller, &id, body.channel, now, &secret, &catalog)?;
            Ok((caller, prepared))
        })
        .await?;
    let code_for = notify::CodeFor::Redemption(prepared.redemption_id);
    notify::send_code(&app, caller, code_for, prepared.message, prepared.counted).await?;
    Ok(Json(prepared.sent))
}

#[utoipa::path(post, path = "/v1/redemptions/{id}/verify", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Checks the customer's code. A malformed code is refused (`invalid_otp_format`) without costing an attempt.",
    params(("id" = String, Path, description = "Redemption id")),
    request_body = Verify,
    responses((status = 200, body = Redemption), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn verify(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Redemption>> {
    let typed = input::typed_code(&body)?;
    let now = app.clock.now_ms();
    let secret = app.secret.clone();
    let row = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::authorize(tx, &caller, Subject::Redemption(&id), now)?;
            otp::verify(tx, &caller, &id, &typed, now, &secret)
        })
        .await?;
    Ok(Json(row.to_api()))
}

#[utoipa::path(post, path = "/v1/redemptions/{id}/override", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Customer did not get the code: a manager approves with their staff code, PIN, the store's override code and a reason. Counted against a daily cap.",
    params(("id" = String, Path, description = "Redemption id")),
    request_body = Override,
    responses((status = 200, body = Redemption), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn override_otp(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody<Override>,
) -> ApiResult<Json<Redemption>> {
    let reason = required_reason(&body.reason)?;
    let now = app.clock.now_ms();
    let (c, i, code) = (creds.clone(), id.clone(), body.manager_code.clone());
    let (caller, check) = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &c, now)?;
            kiosk::authorize(tx, &caller, Subject::Redemption(&i), now)?;
            let check = otp::prepare_override(tx, &caller, &i, &code, now)?;
            Ok((caller, check))
        })
        .await?;
    let manager: Option<StaffRow> = check.manager.clone();
    let pin_hash = manager
        .as_ref()
        .map_or_else(|| crypto::decoy_hash().to_string(), |m| m.pin_hash.clone());
    let code_hash = check
        .override_hash
        .clone()
        .unwrap_or_else(|| crypto::decoy_hash().to_string());
    let (pin, override_code) = (body.manager_pin, body.override_code);
    let ok = app
        .slow_check(move || {
            // Both are always checked so the time taken says nothing about which one was wrong.
            let pin_ok = crypto::slow_verify(&pin, &pin_hash);
            let code_ok = crypto::slow_verify(&override_code, &code_hash);
            pin_ok && code_ok
        })
        .await?;
    let accepted = ok && check.override_hash.is_some();
    let row = match (accepted, manager) {
        (true, Some(manager)) => {
            app.db
                .run(move |tx| otp::apply_override(tx, &caller, &id, &manager, &reason, now))
                .await?
        }
        _ => {
            app.db
                .run(move |tx| otp::record_rejected_override(tx, &caller, &id, now))
                .await?;
            return Err(ApiError::new(ErrorCode::OverrideInvalid));
        }
    };
    Ok(Json(row.to_api()))
}

#[utoipa::path(post, path = "/v1/redemptions/{id}/commit", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Posts the held quantity and returns the receipt. Idempotent: the same key replays the same receipt byte for byte; the same key for another request is refused (422); while the first is still running, 409. Committing an already committed redemption with a new key returns its original receipt and debits nothing.",
    params(("id" = String, Path, description = "Redemption id"),
           ("idempotency-key" = String, Header, description = "A key the client keeps for retries of this commit")),
    responses((status = 200, body = Receipt), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn commit(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let key = headers
        .get(IDEMPOTENCY_HEADER)
        .ok_or_else(|| ApiError::new(ErrorCode::IdempotencyKeyMissing))?
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=200).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidRequest)
                .detail("An Idempotency-Key is 1 to 200 visible ASCII characters")
                .field(IDEMPOTENCY_HEADER)
        })?
        .to_string();
    let fingerprint = ledger::commit_fingerprint(&id, &body);
    let guard_key = format!("{}|{key}", creds.terminal_hash.clone().unwrap_or_default());
    let _in_flight = InFlight::acquire(&app.commits_in_flight, guard_key)
        .ok_or_else(|| ApiError::new(ErrorCode::IdempotencyInFlight))?;
    let now = app.clock.now_ms();
    let catalog = app.config.messages.clone();
    let (bytes, confirmation) = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::authorize(tx, &caller, Subject::Redemption(&id), now)?;
            let was_approved = tx
                .redemption(&caller.store.id, &id)?
                .is_some_and(|r| r.status == RedemptionStatus::Approved);
            let bytes = ledger::commit(tx, &caller, &id, &key, &fingerprint, now)?;
            // Only the commit that debits confirms; a replay or a late retry does not.
            let confirmation = match was_approved {
                true => notify::after_commit(tx, &caller, &id, &catalog, now),
                false => None,
            };
            Ok((bytes, confirmation))
        })
        .await?;
    notify::confirm(&app, confirmation);
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

#[utoipa::path(post, path = "/v1/redemptions/{id}/cancel", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Cancels an open intent and releases its hold.",
    params(("id" = String, Path, description = "Redemption id")),
    responses((status = 200, body = Redemption), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
) -> ApiResult<Json<Redemption>> {
    let now = app.clock.now_ms();
    let row = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::authorize(tx, &caller, Subject::Redemption(&id), now)?;
            ledger::cancel(tx, &caller, &id, now)
        })
        .await?;
    Ok(Json(row.to_api()))
}

#[utoipa::path(post, path = "/v1/redemptions/{id}/reverse", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Bill voided or goods returned: restores a committed redemption's quantity, once. Staff only (a self-service kiosk session is `forbidden`).",
    params(("id" = String, Path, description = "Redemption id")),
    request_body = Reverse,
    responses((status = 200, body = Reversal), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn reverse(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody<Reverse>,
) -> ApiResult<Json<Reversal>> {
    let reason = required_reason(&body.reason)?;
    let now = app.clock.now_ms();
    let reversal = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_staff("reverse a redemption: ask at the counter")?;
            ledger::reverse(tx, &caller, &id, &reason, now)
        })
        .await?;
    Ok(Json(reversal))
}

#[utoipa::path(post, path = "/v1/accruals", tag = "accruals", security(("terminal" = [], "session" = [])),
    description = "Points earned on a sale. One accrual per bill: repeating the same request replays it. Staff only (a self-service kiosk session is `forbidden`).",
    request_body = CreateAccrual,
    responses((status = 201, body = Accrual), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn accrue(
    State(app): State<Shared>,
    creds: Credentials,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Accrual>)> {
    let req = input::create_accrual(body)?;
    let now = app.clock.now_ms();
    let catalog = app.config.messages.clone();
    let (accrual, confirmation) = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_staff("record points earned: they come with a sale at the counter")?;
            let is_new = tx
                .accrual_for_bill(&caller.store.id, req.bill.id().as_str())?
                .is_none();
            let accrual = ledger::accrue(tx, &caller, req, now)?;
            // A repeated accrual replays the first one and sends nothing.
            let confirmation = match is_new {
                true => notify::after_accrual(
                    tx,
                    &caller,
                    &accrual.customer_id,
                    accrual.points.get(),
                    accrual.balance_after,
                    &catalog,
                    now,
                ),
                false => None,
            };
            Ok((accrual, confirmation))
        })
        .await?;
    notify::confirm(&app, confirmation);
    Ok((StatusCode::CREATED, Json(accrual)))
}

#[derive(Deserialize)]
pub struct ReportQuery {
    from_ms: Option<i64>,
    to_ms: Option<i64>,
}

#[utoipa::path(get, path = "/v1/reports/redemptions", tag = "reports", security(("terminal" = [], "session" = [])),
    description = "Managers only. Redemptions committed in [from_ms, to_ms) (default: the last 24 hours).",
    params(("from_ms" = Option<i64>, Query, description = "Start, Unix ms"), ("to_ms" = Option<i64>, Query, description = "End (exclusive), Unix ms")),
    responses((status = 200, body = RedemptionReport), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(app): State<Shared>,
    creds: Credentials,
    QueryParams(q): QueryParams<ReportQuery>,
) -> ApiResult<Json<RedemptionReport>> {
    let now = app.clock.now_ms();
    let to_ms = q.to_ms.unwrap_or(now + 1);
    let from_ms = q.from_ms.unwrap_or(to_ms - 86_400_000);
    if from_ms > to_ms {
        return Err(ApiError::new(ErrorCode::InvalidRequest)
            .detail("from_ms is after to_ms")
            .field("from_ms"));
    }
    let report = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let store = &caller.store.id;
            let currency = caller.store.policy.currency;
            let rows = tx.report(store, from_ms, to_ms)?;
            let mut total = 0u64;
            let mut lines = Vec::new();
            for r in rows {
                total = total.saturating_add(r.value_minor);
                lines.push(ReportLine {
                    instrument_kind: r.kind,
                    count: r.count,
                    quantity: r.quantity,
                    value: Money::new(r.value_minor, currency)?,
                });
            }
            Ok(RedemptionReport {
                from_ms,
                to_ms,
                lines,
                total_value: Money::new(total, currency)?,
                overrides: tx.count_overrides_committed(store, from_ms, to_ms)?,
                reversals: tx.count_reversals(store, from_ms, to_ms)?,
                failed_verifications: tx.count_audit_actions(
                    store,
                    "otp_rejected",
                    from_ms,
                    to_ms,
                )?,
            })
        })
        .await?;
    Ok(Json(report))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    after: Option<u64>,
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/v1/audit", tag = "audit", security(("terminal" = [], "session" = [])),
    description = "Managers only. This store's entries of the hash-chained audit log, oldest first.",
    params(("after" = Option<u64>, Query, description = "Only entries after this seq"), ("limit" = Option<u32>, Query, description = "At most this many (default 100, max 1000)")),
    responses((status = 200, body = AuditPage), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn audit(
    State(app): State<Shared>,
    creds: Credentials,
    QueryParams(q): QueryParams<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let now = app.clock.now_ms();
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let after = q.after.unwrap_or(0);
    let page = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let entries = tx.audit_page(&caller.store.id, after, limit)?;
            let next_after = (entries.len() == limit as usize)
                .then(|| entries.last().map(|e| e.seq))
                .flatten();
            Ok(AuditPage {
                entries,
                next_after,
            })
        })
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", content_type = "application/json")))]
pub async fn openapi(State(app): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        app.openapi_json.clone(),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct ClockQuery {
    advance_secs: i64,
}

/// Tests only (`--testing-clock`): moves the server clock forward.
pub async fn advance_clock(
    State(app): State<Shared>,
    QueryParams(q): QueryParams<ClockQuery>,
) -> Json<Value> {
    app.clock.advance(q.advance_secs);
    Json(json!({ "now_ms": app.clock.now_ms() }))
}

/// Overrides and reversals must say why (S7, S8): a blank reason is refused before anything changes.
fn required_reason(reason: &str) -> ApiResult<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::new(ErrorCode::ReasonRequired).field("reason"));
    }
    Ok(reason.to_string())
}
