//! What managers read: the redemption report and the audit log.

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
use axum::response::Response;
use axum::Json;
use contract::api::{paths, AuditFilter, AuditPage, RedemptionReport, ReportLine};
use contract::{ErrorCode, Money, Problem};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(report))
        .routes(routes!(audit))
        .routes(routes!(audit_export))
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
    let utf8 = percent_encoding::utf8_percent_encode(
        &format!("audit {} {from} to {to}.csv", store.name),
        percent_encoding::NON_ALPHANUMERIC,
    )
    .to_string();
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
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\"; filename*=UTF-8''{utf8}"),
        )
        .body(body)
        .map_err(|e| ApiError::internal(e.to_string()))
}
