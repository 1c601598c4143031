//! What managers read: the redemption report and the audit log.

use crate::audit::Action;
use crate::auth::{resolve, Credentials};
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryParams;
use crate::state::Shared;
use axum::extract::State;
use axum::Json;
use contract::api::{paths, AuditPage, RedemptionReport, ReportLine};
use contract::{ErrorCode, Money, Problem};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(report))
        .routes(routes!(audit))
}

#[derive(Deserialize)]
pub struct ReportQuery {
    from_ms: Option<i64>,
    to_ms: Option<i64>,
}

#[utoipa::path(get, path = paths::REPORT, tag = "reports", security(("terminal" = [], "session" = [])),
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
                overrides: tx.count_overrides_posted(store, from_ms, to_ms)?,
                reversals: tx.count_reversals(store, from_ms, to_ms)?,
                failed_verifications: tx.count_audit_actions(
                    store,
                    Action::OtpRejected.as_str(),
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

#[utoipa::path(get, path = paths::AUDIT, tag = "audit", security(("terminal" = [], "session" = [])),
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
                store_head: None,
                names: Vec::new(),
            })
        })
        .await?;
    Ok(Json(page))
}
