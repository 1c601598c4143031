//! Staff sign-in and sign-out (`/v1/sessions`). On a kiosk, an empty staff code and PIN open a
//! self-service session.

use crate::audit::{self, Action};
use crate::auth::{self, resolve, resolve_terminal, Credentials};
use crate::crypto;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::guesses;
use crate::kiosk;
use crate::model::SessionRow;
use crate::state::Shared;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use contract::api::{paths, Session, SignIn};
use contract::{ErrorCode, Problem};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
}

#[utoipa::path(post, path = paths::SESSIONS, tag = "sessions",
    description = "Sign a staff member in on this terminal. On a kiosk, an empty staff code and PIN open a self-service session: it cannot browse customers, and reads and redeems only for the customer it identifies (POST /v1/kiosk/identify). A staff session on a kiosk has cashier rights. Wrong PINs are limited per terminal and per staff member across every terminal (10 per quarter hour each, counted before the PIN is checked): then `rate_limited` with `retry_after_secs`, even for the right PIN. A kiosk opens at most 20 self-service sessions per quarter hour.",
    params(("x-terminal-token" = String, Header, description = "The terminal's token")),
    request_body = SignIn,
    responses((status = 201, body = Session), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_in(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<SignIn>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let now = app.clock.now_ms();
    let (
        terminal,
        staff,
        scopes,
        SignIn {
            staff_code: code,
            pin,
        },
    ) = app
        .db
        .run(move |tx| {
            let caller = resolve_terminal(tx, &creds)?;
            let mut body = body.take()?;
            body.staff_code = body.staff_code.trim().to_string();
            let code = body.staff_code.clone();
            if code.is_empty() && auth::is_kiosk(&caller.terminal) {
                // Self-service: nothing to guess, but each session is a fresh set of
                // per-session limits, so a kiosk opens only so many per window.
                let opened = guesses::Scope::self_service_session(&caller.terminal.id);
                guesses::count(tx, &[opened], now)?;
                return Ok((caller, None, None, body));
            }
            if code.is_empty() {
                // Nobody's credential: nothing to guess, so nothing is counted (a kiosk set up
                // with this terminal's token by mistake must not lock out its cashiers).
                return Err(ApiError::new(ErrorCode::SignInFailed)
                    .detail("Staff sign in on this terminal: it is not a self-service kiosk"));
            }
            let staff = tx.staff_by_code(&caller.store.id, &code)?;
            let scopes = vec![
                guesses::Scope::terminal(&caller.terminal.id),
                guesses::Scope::staff(&caller.store.id, &code),
            ];
            Ok((caller, staff, Some(scopes), body))
        })
        .await?;
    // Counted before the slow check, in the transaction that reads the counts (S11).
    let counted = match scopes {
        Some(scopes) => Some(guesses::reserve_waiting(&app.db, &app.clock, scopes).await?),
        None => None,
    };
    if let Some(counted) = &counted {
        let hash = staff
            .as_ref()
            .map_or_else(|| crypto::decoy_hash().to_string(), |s| s.pin_hash.clone());
        let pin_ok = app
            .slow_check(move || crypto::slow_verify(&pin, &hash))
            .await?;
        if !pin_ok || staff.is_none() {
            // The guess stays counted; the failure is recorded.
            let actor = audit::Actor {
                store_id: terminal.store.id.clone(),
                terminal_id: Some(terminal.terminal.id.clone()),
                staff_id: staff.as_ref().map(|s| s.id.clone()),
            };
            let counted = counted.clone();
            app.db
                .run(move |tx| {
                    guesses::settle(tx, &counted, false)?;
                    audit::record(
                        tx,
                        now,
                        &actor,
                        Action::SignInFailed,
                        None,
                        json!({ "staff_code": code }),
                    )
                })
                .await?;
            return Err(ApiError::new(ErrorCode::SignInFailed));
        }
    }
    let self_service = staff.is_none();
    // What the PIN was checked against, to find it unchanged when the session is written.
    let checked = staff.as_ref().map(|s| (s.id.clone(), s.pin_hash.clone()));
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
    let store_id = terminal.store.id.clone();
    app.db
        .run(move |tx| {
            if let Some(counted) = &counted {
                guesses::settle(tx, counted, true)?; // the right PIN is not a failure
            }
            // A new PIN or a disabled member since the check (the admin command, another
            // process): the old PIN opens nothing.
            if let Some((id, hash)) = &checked {
                let now_hash = tx.staff_by_id(&store_id, id)?.map(|s| s.pin_hash);
                if now_hash.as_ref() != Some(hash) {
                    return Err(ApiError::new(ErrorCode::SignInFailed).detail(
                        "This PIN was just changed or the staff member disabled: sign in again",
                    ));
                }
            }
            tx.insert_session(&session)?;
            audit::record(
                tx,
                now,
                &actor,
                Action::SignIn,
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

#[utoipa::path(delete, path = paths::SESSION_CURRENT, tag = "sessions", security(("terminal" = [], "session" = [])),
    description = "Ends the session. A self-service kiosk session also forgets its customer (as POST /v1/kiosk/forget).",
    responses((status = 204, description = "Signed out"), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_out(State(app): State<Shared>, creds: Credentials) -> ApiResult<StatusCode> {
    let now = app.clock.now_ms();
    app.db
        .run_durable(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            if caller.is_self_service() {
                kiosk::forget(tx, &caller, now, "sign_out")?;
            }
            tx.delete_session(&caller.session_hash)?;
            audit::record(tx, now, &caller.actor(), Action::SignOut, None, json!({}))
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
