//! A manager's approvals (`/v1/approvals`): the requests cashiers made when a customer did
//! not get the code, approved or declined on the manager's own signed-in device (S8).

use crate::approval;
use crate::auth::{resolve, Credentials};
use crate::error::ApiResult;
use crate::extract::IdPath;
use crate::state::Shared;
use axum::extract::State;
use axum::Json;
use contract::api::{paths, ApprovalList, ApprovalRequest};
use contract::Problem;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(list))
        .routes(routes!(approve))
        .routes(routes!(decline))
}

#[utoipa::path(get, path = paths::APPROVALS, tag = "approvals", security(("terminal" = [], "session" = [])),
    description = "Managers only, signed in on any terminal of the store: the requests waiting for a manager, oldest first, with the customer, the quantity and its unit, the value, the bill, the cashier, the terminal and the reason. Requests whose hold has lapsed, or whose intent was approved by its code or cancelled meanwhile, are left out.",
    responses((status = 200, body = ApprovalList), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(app): State<Shared>, creds: Credentials) -> ApiResult<Json<ApprovalList>> {
    let now = app.clock.now_ms();
    let requests = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            approval::pending(tx, &caller, now)
        })
        .await?;
    Ok(Json(ApprovalList { requests }))
}

async fn decide(
    app: Shared,
    creds: Credentials,
    id: String,
    approve: bool,
) -> ApiResult<Json<ApprovalRequest>> {
    let now = app.clock.now_ms();
    let decided = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            approval::decide(tx, &caller, &id, approve, now)
        })
        .await?;
    Ok(Json(decided))
}

#[utoipa::path(post, path = "/v1/approvals/{id}/approve", tag = "approvals", security(("terminal" = [], "session" = [])),
    description = "Managers only (a cashier: `forbidden`). Approves the request: its redemption becomes `approved` by override, naming this manager and keeping the cashier's reason; counted against the override daily cap (`override_cap_reached`); audited (`override`, with the manager and the cashier). No one approves a request they made themselves, a manager included (`approval_own_request`). A request already answered is `approval_closed`; an intent no longer waiting (its code arrived, cancelled, expired) is refused as such.",
    params(("id" = String, Path, description = "Approval request id")),
    responses((status = 200, body = ApprovalRequest), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
) -> ApiResult<Json<ApprovalRequest>> {
    decide(app, creds, id, true).await
}

#[utoipa::path(post, path = "/v1/approvals/{id}/decline", tag = "approvals", security(("terminal" = [], "session" = [])),
    description = "Managers only. Declines the request: the redemption still waits for the customer's code (the cashier may send a new one, or ask again). Audited (`approval_declined`).",
    params(("id" = String, Path, description = "Approval request id")),
    responses((status = 200, body = ApprovalRequest), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn decline(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
) -> ApiResult<Json<ApprovalRequest>> {
    decide(app, creds, id, false).await
}
