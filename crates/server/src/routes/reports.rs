//! What managers read: the loyalty reports (JSON and CSV), the liability, the cashiers'
//! signals, the older redemption summary, and the audit log.

use crate::audit::Action;
use crate::auth::{resolve, Credentials};
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryParams;
use crate::state::Shared;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use contract::api::{paths, AuditPage, RedemptionReport, ReportLine};
use contract::reports::{CashierReport, Liability, LoyaltyReport, ReportFilter, ReportKind};
use contract::{ErrorCode, Money, Problem};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(report))
        .routes(routes!(loyalty))
        .routes(routes!(loyalty_csv))
        .routes(routes!(liability))
        .routes(routes!(cashiers))
        .routes(routes!(audit))
}

#[utoipa::path(get, path = paths::REPORTS, tag = "reports", security(("terminal" = [], "session" = [])),
    description = "Managers only (a cashier or kiosk session is `forbidden`). A loyalty report of the caller's store over store days `from` through `to` (the store's time zone, at most 366 days): `date_customer` (\"Loyalty – Date/Customer Wise Summary\": one row per store day and customer), `customer_detail` (\"Customer Wise Detailed\": one row per posted redemption, by customer name then time; `count` is 0 once reversed), `cashier`, `terminal`, `instrument` (kind and unit, with the quantity), `end_of_day` (store day and till, with the vouchers taken off bills there). Redemptions count under the day they were posted; those reversed since are in `reversed`, not in the value. `cashier`, `terminal` and `customer` filter by id. At most `LoyaltyReport::MAX_ROWS` rows (`more` says there were more; the CSV has them all); the totals cover every matched redemption. `vouchers`: printed vouchers issued, taken at the store's tills and expired unused in the period (the period only). A wrong value is `invalid_request` naming its `field`.",
    params(("report" = ReportKind, Query, description = "Which report"), ReportFilter),
    responses((status = 200, body = LoyaltyReport), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn loyalty(
    State(app): State<Shared>,
    creds: Credentials,
    QueryParams(q): QueryParams<HashMap<String, String>>,
) -> ApiResult<Json<LoyaltyReport>> {
    let now = app.clock.now_ms();
    let report = app
        .db
        .read(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let (kind, filter) = crate::reports::parse_query(&q, true)?;
            crate::reports::loyalty(
                tx,
                &caller.store,
                kind,
                &filter,
                Some(LoyaltyReport::MAX_ROWS),
                now,
            )
        })
        .await?;
    Ok(Json(report))
}

#[utoipa::path(get, path = paths::REPORTS_CSV, tag = "reports", security(("terminal" = [], "session" = [])),
    description = "The same report as a CSV file with every row: a header row of column names, money as plain decimals in the store's currency, dates as store days, names rather than ids; text a spreadsheet would run as a formula starts with `'`. Offered as `<title> <from> to <to>.csv`. Managers only.",
    params(("report" = ReportKind, Query, description = "Which report"), ReportFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn loyalty_csv(
    State(app): State<Shared>,
    creds: Credentials,
    QueryParams(q): QueryParams<HashMap<String, String>>,
) -> ApiResult<Response> {
    let now = app.clock.now_ms();
    let (title, text) = app
        .db
        .read(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let (kind, filter) = crate::reports::parse_query(&q, true)?;
            let report = crate::reports::loyalty(tx, &caller.store, kind, &filter, None, now)?;
            let text = crate::reports::csv(&report, &caller.store.policy)?;
            Ok((crate::reports::csv_title(kind, &filter), text))
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, crate::csv::attachment(&title)),
        ],
        text,
    )
        .into_response())
}

#[utoipa::path(get, path = paths::LIABILITY, tag = "reports", security(("terminal" = [], "session" = [])),
    description = "Managers only. The loyalty the merchant's customers hold now, per kind and unit (customers holding some, quantity and value at each instrument's unit value, held quantities included; expired memberships, campaigns and gift cards excluded), what of it expires within 30, 60 and 90 days, and the printed vouchers neither redeemed nor expired.",
    responses((status = 200, body = Liability), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn liability(
    State(app): State<Shared>,
    creds: Credentials,
) -> ApiResult<Json<Liability>> {
    let now = app.clock.now_ms();
    let out = app
        .db
        .read(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            crate::reports::liability(tx, &caller.store, now)
        })
        .await?;
    Ok(Json(out))
}

#[utoipa::path(get, path = paths::CASHIERS, tag = "reports", security(("terminal" = [], "session" = [])),
    description = "Managers only. Each staff member who posted a redemption or typed a wrong code on store days `from` through `to`: redemptions and value, overrides, wrong codes, redemptions on no bill or a bill with no sale recorded, reversals, redemptions after opening hours, customers served who share a mobile or e-mail with another customer or staff, bursts of many customers in a few minutes; `flagged` by the store's thresholds (`policy.fraud`, counts per day), ranked most flagged first.",
    params(("from" = String, Query, description = "First store day, YYYY-MM-DD"), ("to" = String, Query, description = "Last store day, YYYY-MM-DD")),
    responses((status = 200, body = CashierReport), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn cashiers(
    State(app): State<Shared>,
    creds: Credentials,
    QueryParams(q): QueryParams<HashMap<String, String>>,
) -> ApiResult<Json<CashierReport>> {
    let now = app.clock.now_ms();
    let out = app
        .db
        .read(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let (_, filter) = crate::reports::parse_query(&q, false)?;
            let store = &caller.store;
            Ok(CashierReport {
                from: filter.from,
                to: filter.to,
                thresholds: store.policy.fraud.clone(),
                cashiers: crate::reports::cashiers(tx, store, filter.from, filter.to, None)?,
            })
        })
        .await?;
    Ok(Json(out))
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
