//! Printed loyalty vouchers presented at the till (`/v1/vouchers/…`).

use crate::auth::{resolve, Credentials};
use crate::error::ApiResult;
use crate::extract::JsonBody;
use crate::state::Shared;
use crate::vouchers;
use axum::extract::State;
use axum::Json;
use contract::api::{paths, RedeemVoucher, VoucherRedeemed};
use contract::Problem;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default().routes(routes!(redeem_voucher))
}

#[utoipa::path(post, path = paths::VOUCHER_REDEEM, tag = "vouchers", security(("terminal" = [], "session" = [])),
    description = "Staff at a till (a self-service kiosk session is `forbidden`): applies a printed voucher to a bill, once. The code as typed or scanned (case, spaces, dashes and the RGV prefix do not matter). `voucher_not_found` for a code that is nobody's voucher (each counts as a guess on the terminal: too many, `rate_limited`); `voucher_used` (audited as `voucher_refused`) for one already redeemed on another bill, a copy; `voucher_expired` (audited) after its date; `exceeds_bill` when its value is more than is left to pay on the bill after what loyalty took from it; `bill_mismatch` when the bill number was used with another total. The same voucher again for the same bill and total answers as the first time. Audited as `voucher_redeemed`; its value counts among what loyalty took from the bill (S12).",
    request_body = RedeemVoucher,
    responses((status = 200, body = VoucherRedeemed), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn redeem_voucher(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<RedeemVoucher>,
) -> ApiResult<Json<VoucherRedeemed>> {
    let now = app.clock.now_ms();
    let redeemed = app
        .db
        .run_durable(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_staff("redeem a printed voucher: hand it in at the counter")?;
            let req = body.take()?;
            vouchers::redeem(tx, &caller, &req, now)
        })
        .await?;
    Ok(Json(redeemed))
}
