//! A manager's set-up of their own store (`/v1/admin/…`): staff, terminals, the override code.
//! The same rules and audit entries as the operator's `redeemguard-server admin` (one home:
//! `crate::admin`), scoped to the manager's store, naming the manager in the audit log.

use crate::admin;
use crate::auth::{resolve, Caller, Credentials};
use crate::error::ApiResult;
use crate::extract::{IdPath, JsonBody};
use crate::model::{StaffRow, TerminalRow};
use crate::state::Shared;
use crate::store::Tx;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use contract::api::{
    paths, NewOverrideCode, NewPin, NewStaff, NewTerminal, StaffList, StaffMember, TerminalAdded,
    TerminalInfo, TerminalList,
};
use contract::{ErrorCode, Problem};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(list_staff, add_staff))
        .routes(routes!(disable_staff))
        .routes(routes!(set_pin))
        .routes(routes!(list_terminals, add_terminal))
        .routes(routes!(revoke_terminal))
        .routes(routes!(set_override_code))
}

fn member(s: StaffRow) -> StaffMember {
    StaffMember {
        id: s.id,
        code: s.code,
        name: s.name,
        role: s.role,
    }
}

fn terminal(t: TerminalRow) -> TerminalInfo {
    TerminalInfo {
        id: t.id,
        name: t.name,
        mode: t.mode,
    }
}

/// The signed-in manager (a cashier: `forbidden`).
fn manager(tx: &mut dyn Tx, creds: &Credentials, now: i64) -> ApiResult<Caller> {
    let caller = resolve(tx, creds, now)?;
    caller.require_manager()?;
    Ok(caller)
}

/// A staff member of the manager's store, by id.
fn staff_code(tx: &mut dyn Tx, caller: &Caller, id: &str) -> ApiResult<String> {
    tx.staff_by_id(&caller.store.id, id)?
        .map(|s| s.code)
        .ok_or_else(|| crate::error::ApiError::new(ErrorCode::NotFound))
}

#[utoipa::path(get, path = paths::ADMIN_STAFF, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: the store's staff (not the disabled), never a PIN.",
    responses((status = 200, body = StaffList), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn list_staff(
    State(app): State<Shared>,
    creds: Credentials,
) -> ApiResult<Json<StaffList>> {
    let now = app.clock.now_ms();
    let staff = app
        .db
        .run(move |tx| {
            let caller = manager(tx, &creds, now)?;
            tx.staff_of(&caller.store.id)
        })
        .await?;
    Ok(Json(StaffList {
        staff: staff.into_iter().map(member).collect(),
    }))
}

#[utoipa::path(post, path = paths::ADMIN_STAFF, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: adds a staff member. The code is 1 to 16 letters or digits, not used before in the store; the PIN 4 to 12 digits, not a repeated digit or a run like 1234 (`invalid_request` names what to fix). Audited (`staff_added`).",
    request_body = NewStaff,
    responses((status = 201, body = StaffMember), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn add_staff(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<NewStaff>,
) -> ApiResult<(StatusCode, Json<StaffMember>)> {
    let now = app.clock.now_ms();
    let added = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let new = body.take()?;
            let by = caller.actor();
            admin::add_staff(tx, now, &caller.store.id, &new, Some(&by))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(member(added))))
}

#[utoipa::path(post, path = "/v1/admin/staff/{id}/disable", tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: the member can no longer sign in and their sessions end at once; the row stays for the audit log. A manager cannot disable themselves. Audited (`staff_disabled`).",
    params(("id" = String, Path, description = "Staff id")),
    responses((status = 200, body = StaffMember), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn disable_staff(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
) -> ApiResult<Json<StaffMember>> {
    let now = app.clock.now_ms();
    let disabled = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let code = staff_code(tx, &caller, &id)?;
            let by = caller.actor();
            admin::disable_staff(tx, now, &caller.store.id, &code, Some(&by))
        })
        .await?;
    Ok(Json(member(disabled)))
}

#[utoipa::path(put, path = "/v1/admin/staff/{id}/pin", tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: sets or resets a member's PIN; their sessions end. Audited (`pin_set`).",
    params(("id" = String, Path, description = "Staff id")),
    request_body = NewPin,
    responses((status = 200, body = StaffMember), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn set_pin(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    body: JsonBody<NewPin>,
) -> ApiResult<Json<StaffMember>> {
    let now = app.clock.now_ms();
    let changed = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let pin = body.take()?.pin;
            let code = staff_code(tx, &caller, &id)?;
            let by = caller.actor();
            admin::set_pin(tx, now, &caller.store.id, &code, &pin, Some(&by))
        })
        .await?;
    Ok(Json(member(changed)))
}

#[utoipa::path(get, path = paths::ADMIN_TERMINALS, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: the store's terminals in use (never a token).",
    responses((status = 200, body = TerminalList), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn list_terminals(
    State(app): State<Shared>,
    creds: Credentials,
) -> ApiResult<Json<TerminalList>> {
    let now = app.clock.now_ms();
    let terminals = app
        .db
        .run(move |tx| {
            let caller = manager(tx, &creds, now)?;
            tx.terminals_of(&caller.store.id)
        })
        .await?;
    Ok(Json(TerminalList {
        terminals: terminals.into_iter().map(terminal).collect(),
    }))
}

#[utoipa::path(post, path = paths::ADMIN_TERMINALS, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: adds a till (`pos`) or a kiosk. Its token is in this answer only: type it into the terminal once; only its hash is kept. Audited (`terminal_added`).",
    request_body = NewTerminal,
    responses((status = 201, body = TerminalAdded), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn add_terminal(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<NewTerminal>,
) -> ApiResult<(StatusCode, Json<TerminalAdded>)> {
    let now = app.clock.now_ms();
    let made = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let b = body.take()?;
            let by = caller.actor();
            admin::add_terminal(tx, now, &caller.store.id, &b.name, b.mode, Some(&by))
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TerminalAdded {
            terminal: terminal(made.terminal),
            token: made.token,
        }),
    ))
}

#[utoipa::path(post, path = "/v1/admin/terminals/{id}/revoke", tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: the terminal's token stops working and its sessions end at once; not the terminal the manager is using. Audited (`terminal_revoked`).",
    params(("id" = String, Path, description = "Terminal id")),
    responses((status = 200, body = TerminalInfo), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_terminal(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
) -> ApiResult<Json<TerminalInfo>> {
    let now = app.clock.now_ms();
    let revoked = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let by = caller.actor();
            admin::revoke_terminal(tx, now, &id, Some(&by))
        })
        .await?;
    Ok(Json(terminal(revoked)))
}

#[utoipa::path(put, path = paths::ADMIN_OVERRIDE_CODE, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: sets or rotates the store's override code (8 to 12 digits, not a repeated digit or a run); the old one stops working at once. Audited (`override_code_set`).",
    request_body = NewOverrideCode,
    responses((status = 204, description = "Set"), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn set_override_code(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<NewOverrideCode>,
) -> ApiResult<StatusCode> {
    let now = app.clock.now_ms();
    app.db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let code = body.take()?.code;
            let by = caller.actor();
            admin::set_override_code(tx, now, &caller.store.id, &code, Some(&by)).map(drop)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
