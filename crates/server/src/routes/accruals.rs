//! Points earned on a sale (`/v1/accruals`).

use super::input;
use crate::auth::{resolve, Credentials};
use crate::error::ApiResult;
use crate::extract::JsonBody;
use crate::ledger;
use crate::notify;
use crate::state::Shared;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use contract::api::{paths, Accrual, CreateAccrual};
use contract::Problem;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default().routes(routes!(accrue))
}

#[utoipa::path(post, path = paths::ACCRUALS, tag = "accruals", security(("terminal" = [], "session" = [])),
    description = "Points earned on a sale, computed by the server from the bill's total and the store's earn rate (`earn_points` per `earn_per`, at most `earn_cap_per_bill`): the request names the customer and the bill only, and one naming its own `points` is refused (`invalid_request`, field `points`). A bill that earns nothing is `nothing_earned`; a bill number already redeemed against with another total is `bill_mismatch`. One accrual per bill: repeating the same request replays it. Staff only (a self-service kiosk session is `forbidden`).",
    request_body = CreateAccrual,
    responses((status = 201, body = Accrual), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn accrue(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Accrual>)> {
    let now = app.clock.now_ms();
    let shared = app.clone();
    let (accrual, confirmation) = app
        .db
        .run_durable(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_staff("record points earned: they come with a sale at the counter")?;
            let req = input::create_accrual(body.take()?)?;
            let is_new = tx
                .accrual_for_bill(&caller.store.id, req.bill.id().as_str())?
                .is_none();
            let accrual = ledger::accrue(tx, &caller, req, now)?;
            let catalog = shared.config.messages_for(&caller.store.merchant_id);
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
