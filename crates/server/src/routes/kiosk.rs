//! Self-service kiosk identification (`/v1/kiosk/…`); the rules are in `crate::kiosk`.

use super::customers::find_customers;
use super::input;
use crate::auth::{resolve, Credentials};
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::guesses;
use crate::kiosk;
use crate::notify;
use crate::state::Shared;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use contract::api::{paths, Balance, KioskIdentify, OtpSent, Verify};
use contract::lookup::Searcher;
use contract::{ErrorCode, Problem};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(kiosk_identify))
        .routes(routes!(kiosk_verify))
        .routes(routes!(kiosk_forget))
}

#[utoipa::path(post, path = paths::KIOSK_IDENTIFY, tag = "kiosk", security(("terminal" = [], "session" = [])),
    description = "Self-service kiosk sessions only. The customer's own mobile or loyalty card number (not a name: `invalid_request`); exactly one customer must match (else `customer_not_found`). A code goes to their contact on `channel` (default: their first reachable channel) with the same limits, cooldown and rules as redemption codes; a new identify voids the session's previous code (and forgets a customer already identified). Nothing about the customer is answered until POST /v1/kiosk/verify. Lookups that find nobody are limited to 5 per kiosk per quarter hour (then `rate_limited`).",
    request_body = KioskIdentify,
    responses((status = 200, body = OtpSent), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn kiosk_identify(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<KioskIdentify>,
) -> ApiResult<Json<OtpSent>> {
    let now = app.clock.now_ms();
    let secret = app.secret.clone();
    let shared = app.clone();
    let (caller, prepared) = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::require_self_service(&caller)?;
            let body = body.take()?;
            let lookup = input::lookup(
                &body.query,
                &caller.store.policy,
                Searcher::SelfService,
                "query",
            )?;
            // A lookup that finds nobody tells whoever stands at the kiosk that a number is
            // not a customer's: such misses are limited per kiosk and window (S11).
            let misses = [guesses::Scope::kiosk_miss(&caller.terminal.id)];
            guesses::check(tx, &misses, now)?;
            let found = find_customers(tx, &caller.store.merchant_id, &lookup)?;
            let if_none_found = lookup
                .problem_if_none_found()
                .map(|e| ApiError::from(Problem::from(e).field("query")));
            let customer = match kiosk::the_customer(found, if_none_found) {
                Ok(customer) => customer,
                Err(e) if e.code() == ErrorCode::CustomerNotFound => {
                    guesses::count(tx, &misses, now)?;
                    return Err(e.keep()); // the miss stays counted
                }
                Err(e) => return Err(e),
            };
            let catalog = shared.config.messages_for(&caller.store.merchant_id);
            let prepared =
                kiosk::identify(tx, &caller, customer, body.channel, now, &secret, &catalog)?;
            Ok((caller, prepared))
        })
        .await?;
    Ok(Json(notify::send_code(&app, caller, prepared).await?))
}

#[utoipa::path(post, path = paths::KIOSK_VERIFY, tag = "kiosk", security(("terminal" = [], "session" = [])),
    description = "Self-service kiosk sessions only. Checks the code from POST /v1/kiosk/identify (constant time, single use). Right: the session is bound to the customer and their balance is answered. Wrong: `otp_invalid` with `attempts_left`; the last attempt locks (`otp_locked`: identify again for a new code). `otp_expired` after the code's lifetime; a malformed code (`invalid_otp_format`) costs no attempt. The binding lasts until POST /v1/kiosk/forget, sign-out, a new identify, or `kiosk_idle_secs` + 15 s without a call that uses it (balance, redemptions); each such call restarts that time. A call after it lapsed is `forbidden` (and the open intents are cancelled).",
    request_body = Verify,
    responses((status = 200, body = Balance), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn kiosk_verify(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<Value>,
) -> ApiResult<Json<Balance>> {
    let now = app.clock.now_ms();
    let secret = app.secret.clone();
    let balance = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::require_self_service(&caller)?;
            let typed = input::typed_code(&body.take()?)?;
            kiosk::verify(tx, &caller, &typed, now, &secret)
        })
        .await?;
    Ok(Json(balance))
}

#[utoipa::path(post, path = paths::KIOSK_FORGET, tag = "kiosk", security(("terminal" = [], "session" = [])),
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
