//! What managers read: the loyalty reports (JSON and CSV), the liability, the cashiers'
//! signals, the older redemption summary, and the audit log.

use crate::audit::Action;
use crate::audit_viewer;
use crate::auth::{resolve, Credentials};
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::extract::QueryParams;
use crate::model::{AuditSearch, StoreNames, StoreRow};
use crate::state::Shared;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use contract::api::{paths, AuditFilter, AuditPage, RedemptionReport, ReportLine};
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
        .routes(routes!(liability_csv))
        .routes(routes!(cashiers))
        .routes(routes!(cashiers_csv))
        .routes(routes!(audit))
        .routes(routes!(audit_export))
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
            let text = crate::reports::csv(&report)?;
            Ok((kind.file_name(&filter), text))
        })
        .await?;
    Ok(csv_file(&title, text))
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

/// A CSV file offered for download as `name`.
fn csv_file(name: &str, text: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, crate::csv::attachment(name)),
        ],
        text,
    )
        .into_response()
}

#[utoipa::path(get, path = paths::LIABILITY_CSV, tag = "reports", security(("terminal" = [], "session" = [])),
    description = "The loyalty owed now as a CSV file (`Loyalty owed.csv`): a row per kind and unit, then the printed vouchers not yet used. Managers only.",
    responses((status = 200, content_type = "text/csv", body = String), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn liability_csv(State(app): State<Shared>, creds: Credentials) -> ApiResult<Response> {
    let now = app.clock.now_ms();
    let text = app
        .db
        .read(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let l = crate::reports::liability(tx, &caller.store, now)?;
            crate::reports::liability_csv(&l)
        })
        .await?;
    let name = contract::reports::csv_file_name(contract::reports::LIABILITY_TITLE, None, None);
    Ok(csv_file(&name, text))
}

#[utoipa::path(get, path = paths::CASHIERS_CSV, tag = "reports", security(("terminal" = [], "session" = [])),
    description = "The cashiers' signals of `GET /v1/reports/cashiers` as a CSV file, ranked the same way. Managers only.",
    params(("from" = String, Query, description = "First store day, YYYY-MM-DD"), ("to" = String, Query, description = "Last store day, YYYY-MM-DD")),
    responses((status = 200, content_type = "text/csv", body = String), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn cashiers_csv(
    State(app): State<Shared>,
    creds: Credentials,
    QueryParams(q): QueryParams<HashMap<String, String>>,
) -> ApiResult<Response> {
    let now = app.clock.now_ms();
    let (name, text) = app
        .db
        .read(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let (_, filter) = crate::reports::parse_query(&q, false)?;
            let list = crate::reports::cashiers(tx, &caller.store, filter.from, filter.to, None)?;
            let name = contract::reports::csv_file_name(
                contract::reports::CASHIERS_TITLE,
                Some(filter.from),
                Some(filter.to),
            );
            Ok((name, crate::reports::cashiers_csv(&list)?))
        })
        .await?;
    Ok(csv_file(&name, text))
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

#[utoipa::path(get, path = paths::AUDIT, tag = "audit", security(("terminal" = [], "session" = [])),
    description = "Managers only. This store's entries of the hash-chained audit log, oldest first, filtered by action, staff member and store days (the store's time zone; `to` included). `store_head` is the store chain's newest link when the page was read (check every page of the store's unfiltered log with `contract::audit::StoreChain`, then `finish(store_head)`); `names` names the staff and terminals the entries mention, disabled and revoked ones too. An action no entry can have, or `to` before `from`, is `invalid_request` naming the field.",
    params(AuditFilter),
    responses((status = 200, body = AuditPage), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn audit(
    State(app): State<Shared>,
    creds: Credentials,
    QueryParams(filter): QueryParams<AuditFilter>,
) -> ApiResult<Json<AuditPage>> {
    let now = app.clock.now_ms();
    let limit = filter.limit.unwrap_or(100).clamp(1, 1000);
    let page = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let store = &caller.store;
            let search = audit_viewer::search_of(&store.policy, &filter)?;
            let entries = tx.audit_search(&store.id, &search, limit)?;
            let next_after = (entries.len() == limit as usize)
                .then(|| entries.last().map(|e| e.seq))
                .flatten();
            let store_head = tx.store_audit_head(&store.id)?;
            let names = audit_viewer::names_in(&tx.names_of(&store.id)?, &entries);
            Ok(AuditPage {
                entries,
                next_after,
                store_head,
                names,
            })
        })
        .await?;
    Ok(Json(page))
}

/// Entries read per transaction while an export streams.
const EXPORT_PAGE: u64 = 2_000;

/// Where an export's stream is.
struct Export {
    db: crate::store::Db,
    store: StoreRow,
    names: StoreNames,
    search: AuditSearch,
    written: u64,
    header: bool,
    done: bool,
}

impl Export {
    /// The next chunk of the file: the header, then each page of entries.
    async fn next(mut self) -> Option<(Result<Bytes, std::io::Error>, Export)> {
        if self.header {
            self.header = false;
            return Some((Ok(Bytes::from(audit_viewer::csv_header())), self));
        }
        let room = audit_viewer::EXPORT_MAX_ROWS.saturating_sub(self.written);
        if self.done || room == 0 {
            return None;
        }
        let limit = room.min(EXPORT_PAGE) as u32;
        let (store_id, search) = (self.store.id.clone(), self.search.clone());
        match self
            .db
            .run(move |tx| tx.audit_search(&store_id, &search, limit))
            .await
        {
            Err(e) => {
                self.done = true;
                Some((Err(std::io::Error::other(e.problem.to_string())), self))
            }
            Ok(entries) => {
                let last = entries.last()?.seq;
                self.done = entries.len() < limit as usize;
                self.search.after = last;
                self.written += entries.len() as u64;
                let mut chunk = String::new();
                for e in &entries {
                    chunk.push_str(&audit_viewer::csv_line(&self.store.policy, &self.names, e));
                }
                Some((Ok(Bytes::from(chunk)), self))
            }
        }
    }
}

#[utoipa::path(get, path = paths::AUDIT_EXPORT, tag = "audit", security(("terminal" = [], "session" = [])),
    description = "Managers only. Every entry of this store's audit log that the filter matches (as `GET /v1/audit`; `after` and `limit` are not used), oldest first, as a CSV file (an attachment named `audit <store> <from> to <to>.csv`, streamed; at most 1,000,000 entries). Columns: `Seq`, `When (store time)` (YYYY-MM-DD HH:MM:SS in the store's time zone), `Action`, `Staff` and `Terminal` (names; the id where none is on record), `Redemption`, `Detail` (JSON), `Hash`, `Store link`. A cell a spreadsheet would run as a formula starts with `'`.",
    params(AuditFilter),
    responses((status = 200, body = String, content_type = "text/csv", description = "The entries as CSV, with a header line; CRLF line ends."), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn audit_export(
    State(app): State<Shared>,
    creds: Credentials,
    QueryParams(filter): QueryParams<AuditFilter>,
) -> ApiResult<Response> {
    let now = app.clock.now_ms();
    let (store, names, search, filter) = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let mut search = audit_viewer::search_of(&caller.store.policy, &filter)?;
            search.after = 0;
            let names = tx.names_of(&caller.store.id)?;
            Ok((caller.store, names, search, filter))
        })
        .await?;
    let from = filter
        .from
        .map(|d| d.to_string())
        .unwrap_or_else(|| "start".to_string());
    let to = filter
        .to
        .map(|d| d.to_string())
        .unwrap_or_else(|| days::iso_date(&store.policy, now));
    let file = audit_viewer::file_name(&store.name, &from, &to);
    let export = Export {
        db: app.db.clone(),
        store,
        names,
        search,
        written: 0,
        header: true,
        done: false,
    };
    let body = Body::from_stream(futures_util::stream::unfold(export, Export::next));
    Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, crate::csv::attachment(&file))
        .body(body)
        .map_err(|e| ApiError::internal(e.to_string()))
}
