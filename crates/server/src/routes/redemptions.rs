//! Redemption intents (`/v1/redemptions/…`): hold, code, approval, post (the API's commit),
//! release (cancel) and reversal.

use super::input;
use crate::alerts;
use crate::approval;
use crate::auth::{resolve, Caller, Credentials};
use crate::crypto;
use crate::error::{ApiError, ApiResult};
use crate::extract::{IdPath, JsonBody, RawBody};
use crate::guesses;
use crate::kiosk::{self, Subject};
use crate::ledger;
use crate::model::StaffRow;
use crate::notify;
use crate::state::{InFlight, Shared};
use crate::store::Tx;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contract::api::{
    paths, CreateRedemption, OtpSent, Override, Receipt, Redemption, RedemptionStatus,
    RequestApproval, Reversal, Reverse, SendOtp, Verify, IDEMPOTENCY_HEADER,
};
use contract::{ErrorCode, Problem};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Runs `work` in one transaction on redemption `id`, for a caller who may act on it (a
/// self-service kiosk session: only for the customer it identified).
async fn on_redemption<R: Send + 'static>(
    app: &Shared,
    creds: Credentials,
    id: String,
    work: impl FnOnce(&mut dyn Tx, &Caller, &str, i64) -> ApiResult<R> + Send + 'static,
) -> ApiResult<R> {
    on_redemption_with(app, creds, id, false, work).await
}

/// [`on_redemption`], answered only once the change is on disk: a receipt the cashier is shown
/// survives a power loss.
async fn on_redemption_durably<R: Send + 'static>(
    app: &Shared,
    creds: Credentials,
    id: String,
    work: impl FnOnce(&mut dyn Tx, &Caller, &str, i64) -> ApiResult<R> + Send + 'static,
) -> ApiResult<R> {
    on_redemption_with(app, creds, id, true, work).await
}

async fn on_redemption_with<R: Send + 'static>(
    app: &Shared,
    creds: Credentials,
    id: String,
    durable: bool,
    work: impl FnOnce(&mut dyn Tx, &Caller, &str, i64) -> ApiResult<R> + Send + 'static,
) -> ApiResult<R> {
    let now = app.clock.now_ms();
    let job = move |tx: &mut dyn Tx| {
        let caller = resolve(tx, &creds, now)?;
        kiosk::authorize(tx, &caller, Subject::Redemption(&id), now)?;
        work(tx, &caller, &id, now)
    };
    if durable {
        app.db.run_durable(job).await
    } else {
        app.db.run(job).await
    }
}

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(create_redemption))
        .routes(routes!(get_redemption))
        .routes(routes!(send_otp))
        .routes(routes!(verify))
        .routes(routes!(override_otp))
        .routes(routes!(request_approval))
        .routes(routes!(commit))
        .routes(routes!(cancel))
        .routes(routes!(reverse))
}

#[utoipa::path(post, path = paths::REDEMPTIONS, tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Re-checks every rule, creates the intent and holds the quantity. Limits that belong to a bill hold across redemptions: the bill total and the per-bill cap cover every open hold and posted redemption on the same bill number (`exceeds_bill`, `exceeds_bill_cap`, with the `allowed` range left), and a bill number already used with another total is `bill_mismatch`. Whether a code is needed is decided here: `otp_min_value` covers the customer's no-code total on the bill and in the store's day (its time zone). Status is `awaiting_otp`, or `approved` when no code is needed. Any benefit but a gift card can become a printed voucher (purpose `voucher`). A self-service kiosk session redeems only for the customer it identified, only as a voucher, and every voucher needs a code of its own whose message states the amount (`awaiting_otp` always: S3 at the kiosk).",
    request_body = CreateRedemption,
    responses((status = 201, body = Redemption), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn create_redemption(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Redemption>)> {
    let now = app.clock.now_ms();
    let grace = app.config.hold_grace_secs;
    let row = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            let req = input::create_redemption(body.take()?)?;
            let self_service =
                match kiosk::authorize(tx, &caller, Subject::Customer(&req.customer_id), now)? {
                    Some(binding) => Some(kiosk::self_service(&binding, &req)?),
                    None => None,
                };
            ledger::hold(tx, &caller, req, now, grace, self_service)
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
    let row = on_redemption(&app, creds, id, |tx, caller, id, now| {
        let mut row = ledger::load(tx, caller, id)?;
        match ledger::release_if_expired(tx, &mut row, now) {
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
    body: JsonBody<SendOtp>,
) -> ApiResult<Json<OtpSent>> {
    let secret = app.secret.clone();
    let shared = app.clone();
    let (caller, prepared) = on_redemption(&app, creds, id, move |tx, caller, id, now| {
        let body = body.take()?;
        let catalog = shared.config.messages_for(&caller.store.merchant_id);
        let prepared = approval::send_code(tx, caller, id, body.channel, now, &secret, &catalog)?;
        Ok((caller.clone(), prepared))
    })
    .await?;
    Ok(Json(notify::send_code(&app, caller, prepared).await?))
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
    body: JsonBody<Value>,
) -> ApiResult<Json<Redemption>> {
    let secret = app.secret.clone();
    let row = on_redemption(&app, creds, id, move |tx, caller, id, now| {
        let typed = input::typed_code(&body.take()?)?;
        approval::verify(tx, caller, id, &typed, now, &secret)
    })
    .await?;
    Ok(Json(row.to_api()))
}

#[utoipa::path(post, path = "/v1/redemptions/{id}/approval-request", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Customer did not get the code: the cashier asks a manager to approve, with a reason. Nothing secret is sent from the till: a manager signed in on their own device (any terminal of the store) sees the request at `GET /v1/approvals` and approves or declines it there. The intent must be `awaiting_otp` and override on (`override_disabled`); one open request per intent (`approval_pending`); today's overrides must not be used up (`override_cap_reached`). The answer is the intent with its `approval_request`; read it again (`GET /v1/redemptions/{id}`) until it is `approved` or the request `declined`. Audited (`approval_requested`).",
    params(("id" = String, Path, description = "Redemption id")),
    request_body = RequestApproval,
    responses((status = 200, body = Redemption), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn request_approval(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    body: JsonBody<RequestApproval>,
) -> ApiResult<Json<Redemption>> {
    let row = on_redemption(&app, creds, id, move |tx, caller, id, now| {
        let reason = required_reason(&body.take()?.reason)?;
        approval::request_approval(tx, caller, id, &reason, now)
    })
    .await?;
    Ok(Json(row.to_api()))
}

#[utoipa::path(post, path = "/v1/redemptions/{id}/override", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Customer did not get the code, and the merchant chose to accept the store's static code at the till (policy `override_store_code`, off by default; otherwise `override_disabled`: use `approval-request`): a manager approves with their staff code, PIN, the store's override code and a reason. Counted against a daily cap. Wrong attempts are limited per terminal, per manager (shared with sign-in) and per store code (10 per quarter hour each, counted before checking): then `rate_limited`.",
    params(("id" = String, Path, description = "Redemption id")),
    request_body = Override,
    responses((status = 200, body = Redemption), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn override_otp(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    body: JsonBody<Override>,
) -> ApiResult<Json<Redemption>> {
    let now = app.clock.now_ms();
    let i = id.clone();
    let (caller, check) = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::authorize(tx, &caller, Subject::Redemption(&i), now)?;
            let body = body.take()?;
            let reason = required_reason(&body.reason)?;
            let code = body.manager_code.clone();
            let check = approval::prepare_override(tx, &caller, &i, &code, now)?;
            let scopes = vec![
                guesses::Scope::terminal(&caller.terminal.id),
                guesses::Scope::staff(&caller.store.id, code.trim()),
                guesses::Scope::override_code(&caller.store.id),
            ];
            Ok((caller, (check, scopes, body, reason)))
        })
        .await?;
    let (check, scopes, body, reason) = check;
    // Counted before the slow checks, in the transaction that reads the counts (S11).
    let counted = guesses::reserve_waiting(&app.db, &app.clock, scopes).await?;
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
                .run(move |tx| {
                    guesses::settle(tx, &counted, true)?;
                    approval::apply_override(tx, &caller, &id, &manager, &reason, now)
                })
                .await?
        }
        _ => {
            app.db
                .run(move |tx| {
                    guesses::settle(tx, &counted, false)?;
                    approval::record_rejected_override(tx, &caller, &id, now)
                })
                .await?;
            return Err(ApiError::new(ErrorCode::OverrideInvalid));
        }
    };
    alerts::after(&app, &row.store_id, row.staff_id.as_deref());
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
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(e) => {
            // Who is asking comes first (401 before 400).
            let now = app.clock.now_ms();
            app.db
                .run(move |tx| resolve(tx, &creds, now).map(drop))
                .await?;
            return Err(e);
        }
    };
    let fingerprint = ledger::post_fingerprint(&id, &body);
    let guard_key = format!("{}|{key}", creds.terminal_hash.clone().unwrap_or_default());
    let _in_flight = InFlight::acquire(&app.posts_in_flight, guard_key)
        .ok_or_else(|| ApiError::new(ErrorCode::IdempotencyInFlight))?;
    let shared = app.clone();
    let sending = app.config.send_confirmations;
    let (bytes, confirmation, who) =
        on_redemption_durably(&app, creds, id, move |tx, caller, id, now| {
            let was_approved = tx
                .redemption(&caller.store.id, id)?
                .is_some_and(|r| r.status == RedemptionStatus::Approved);
            let voucher_to =
                |tx: &mut dyn Tx, row: &_| notify::voucher_destination(tx, caller, row, sending);
            let bytes = ledger::post(tx, caller, id, &key, &fingerprint, now, voucher_to)?;
            // Only the post that debits confirms; a replay or a late retry does not.
            let confirmation = match was_approved {
                true => {
                    let catalog = shared.config.messages_for(&caller.store.merchant_id);
                    notify::after_post(tx, caller, id, &catalog, now)
                }
                false => None,
            };
            let who = (
                caller.store.id.clone(),
                caller.staff.as_ref().map(|s| s.id.clone()),
            );
            Ok((bytes, confirmation, who))
        })
        .await?;
    notify::confirm(&app, confirmation);
    alerts::after(&app, &who.0, who.1.as_deref());
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
    let row = on_redemption(&app, creds, id, |tx, caller, id, now| {
        ledger::release_on_cancel(tx, caller, id, now)
    })
    .await?;
    Ok(Json(row.to_api()))
}

#[utoipa::path(post, path = "/v1/redemptions/{id}/reverse", tag = "redemptions", security(("terminal" = [], "session" = [])),
    description = "Bill voided or goods returned: restores a committed redemption's quantity, once. The cashier who posted it may, within the policy's `reversal_window_secs` of posting; after that, or anyone else, only a manager (`forbidden`, with the reason in `detail`). A self-service kiosk session is `forbidden`.",
    params(("id" = String, Path, description = "Redemption id")),
    request_body = Reverse,
    responses((status = 200, body = Reversal), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn reverse(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    body: JsonBody<Reverse>,
) -> ApiResult<Json<Reversal>> {
    let now = app.clock.now_ms();
    let (reversal, row) = app
        .db
        .run_durable(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_staff("reverse a redemption: ask at the counter")?;
            let reason = required_reason(&body.take()?.reason)?;
            let reversal = ledger::reverse(tx, &caller, &id, &reason, now)?;
            Ok((reversal, ledger::load(tx, &caller, &id)?))
        })
        .await?;
    // The signal is the cashier's who posted it.
    alerts::after(&app, &row.store_id, row.cashier_id());
    Ok(Json(reversal))
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<String> {
    Ok(headers
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
        .to_string())
}

/// Overrides and reversals must say why (S7, S8): a blank reason is refused before anything changes.
fn required_reason(reason: &str) -> ApiResult<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::new(ErrorCode::ReasonRequired).field("reason"));
    }
    Ok(reason.to_string())
}
