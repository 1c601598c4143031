//! A manager's set-up of their own store (`/v1/admin/…`): staff, terminals, the override code,
//! the merchant's loyalty card types, cards issued to customers, and the customer master's
//! import. The same rules and audit entries as the operator's `redeemguard-server admin` (one
//! home: `crate::admin`, `crate::import`), scoped to the manager's store and merchant, naming
//! the manager in the audit log.

use super::input;
use crate::admin;
use crate::auth::{resolve, Caller, Credentials};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IdPath, JsonBody, QueryParams};
use crate::import::{self, ImportReport};
use crate::model::{StaffRow, TerminalRow};
use crate::state::Shared;
use crate::store::Tx;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use contract::api::{
    paths, DailySummary, ImportProblem, ImportResult, NewOverrideCode, NewPin, NewStaff,
    NewTerminal, StaffList, StaffMember, TerminalAdded, TerminalInfo, TerminalList,
};
use contract::cards::{CardIssued, CardType, CardTypeList, IssueCard, NewCardType};
use contract::{ErrorCode, Problem};
use serde::Deserialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest customer file the import takes: 100,000 customers with every column filled
/// take about 20 MB.
pub const IMPORT_BODY_LIMIT: usize = 32 * 1024 * 1024;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(list_staff, add_staff))
        .routes(routes!(disable_staff))
        .routes(routes!(set_pin))
        .routes(routes!(set_daily_summary))
        .routes(routes!(list_terminals, add_terminal))
        .routes(routes!(revoke_terminal))
        .routes(routes!(set_override_code))
        .routes(routes!(list_card_types, add_card_type))
        .routes(routes!(update_card_type))
        .routes(routes!(issue_card))
        // Its body is read by the handler itself, up to IMPORT_BODY_LIMIT, after the caller
        // is known (the router's body limit applies to the other routes' extractors).
        .routes(routes!(import_customers))
}

fn member(s: StaffRow) -> StaffMember {
    StaffMember {
        id: s.id,
        code: s.code,
        name: s.name,
        role: s.role,
        mobile: s.mobile.map(|m| m.as_str().to_string()),
        daily_summary: s.daily_summary,
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

#[utoipa::path(put, path = "/v1/admin/staff/{id}/daily-summary", tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: whether a member gets the store's daily sales summary by SMS at closing time (`fraud.closes_at`, the store's time zone): the day's redemptions, vouchers taken and value redeemed, once per store day. Turning it on needs their mobile (`invalid_request` naming `daily_summary`). Audited (`daily_summary_set`).",
    params(("id" = String, Path, description = "Staff id")),
    request_body = DailySummary,
    responses((status = 200, body = StaffMember), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn set_daily_summary(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    body: JsonBody<DailySummary>,
) -> ApiResult<Json<StaffMember>> {
    let now = app.clock.now_ms();
    let changed = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let on = body.take()?.daily_summary;
            let store = caller.store.id.clone();
            let mut member = tx
                .staff_by_id(&store, &id)?
                .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
            if on && member.mobile.is_none() {
                return Err(invalid(format!(
                    "{} has no mobile number for the summary: add a staff member with one",
                    member.name
                ))
                .field("daily_summary"));
            }
            tx.set_daily_summary(&store, &member.id, on)?;
            crate::audit::record(
                tx,
                now,
                &caller.actor(),
                crate::audit::Action::DailySummarySet,
                None,
                serde_json::json!({ "staff_id": member.id, "daily_summary": on }),
            )?;
            member.daily_summary = on;
            Ok(member)
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

#[utoipa::path(get, path = paths::ADMIN_CARD_TYPES, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: the merchant's loyalty card types (seed 004), by name. A customer whose customer type (compared without regard to case) is a card type's earns at its rate (`earn_points` per `earn_per`, under the store's `earn_cap_per_bill`) and their points are worth its `point_value`; anyone else at the store's.",
    responses((status = 200, body = CardTypeList), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn list_card_types(
    State(app): State<Shared>,
    creds: Credentials,
) -> ApiResult<Json<CardTypeList>> {
    let now = app.clock.now_ms();
    let card_types = app
        .db
        .run(move |tx| {
            let caller = manager(tx, &creds, now)?;
            admin::card_types(tx, &caller.store.id)
        })
        .await?;
    Ok(Json(CardTypeList {
        card_types: card_types.iter().map(|c| c.to_contract()).collect(),
    }))
}

#[utoipa::path(post, path = paths::ADMIN_CARD_TYPES, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: adds a card type to the merchant. Every field wrong is named at once: `invalid_request` with `errors` (`name`, `customer_type`, `earn_points` 0 to 1,000, `earn_per` and `point_value` more than zero in the store's currency) and `field` the first; a wrong JSON type or a malformed amount names its field (`invalid_request` / `invalid_amount`); an unknown field is refused naming it. A name or customer type another card type of the merchant has (whatever the case) is `invalid_request` with `field` `name` or `customer_type`. The points of that customer type's customers are worth the card's point value from now on. Audited (`card_type_added`).",
    request_body = NewCardType,
    responses((status = 201, body = CardType), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn add_card_type(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<CardType>)> {
    let now = app.clock.now_ms();
    let added = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let new = input::new_card_type(body.take()?)?;
            let by = caller.actor();
            admin::add_card_type(tx, now, &caller.store.id, &new, Some(&by))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(added.to_contract())))
}

#[utoipa::path(put, path = "/v1/admin/card-types/{id}", tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: changes a card type of the merchant (another merchant's, or none: `not_found`), with the same checks as adding one. A new point value re-values the points of its customers at once (`GET /v1/customers/{id}/balance` shows it); points already held by an open redemption keep the value they were held at. A new customer type moves the card to that type's customers, and the old type's customers are back at the store's point value. Audited (`card_type_changed`, with the settings before and after).",
    params(("id" = String, Path, description = "Card type id")),
    request_body = NewCardType,
    responses((status = 200, body = CardType), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn update_card_type(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
    body: JsonBody<Value>,
) -> ApiResult<Json<CardType>> {
    let now = app.clock.now_ms();
    let changed = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let new = input::new_card_type(body.take()?)?;
            let by = caller.actor();
            admin::update_card_type(tx, now, &caller.store.id, &id, &new, Some(&by))
        })
        .await?;
    Ok(Json(changed.to_contract()))
}

#[utoipa::path(post, path = paths::ADMIN_CARDS, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: issues a loyalty card number to a customer of the merchant (it replaces their card; the till finds them by it) and, if given, sets their customer type. `customer` is their mobile number (the store's country code unless another is typed), e-mail, or current card number: no customer or more than one is `customer_not_found` (a malformed mobile number `invalid_mobile`), field `customer`. `card` (6 to 20 letters or digits) must not be another customer's: `invalid_request`, field `card`. A malformed `customer_type`: `invalid_request`, field `customer_type`. Their points are then worth their card type's point value, if their customer type has one, else the store's. Audited (`card_issued`).",
    request_body = IssueCard,
    responses((status = 200, body = CardIssued), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn issue_card(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<Value>,
) -> ApiResult<Json<CardIssued>> {
    let now = app.clock.now_ms();
    let shared = app.clone();
    let sending = app.config.send_confirmations;
    let (issued, welcome) = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let req = input::issue_card(body.take()?)?;
            let by = caller.actor();
            let before = admin::the_customer(tx, &caller.store, &req.customer).ok();
            let mut issued = admin::issue_card(tx, now, &caller.store.id, &req, Some(&by))?;
            // Their first card: they joined the store's loyalty (seed 004's registration).
            let merchant = &caller.store.merchant_id;
            let (catalog, gateways) = (
                shared.config.messages_for(merchant),
                shared.config.gateways_for(merchant),
            );
            let welcome = before
                .filter(|c| c.card.is_none() && sending)
                .and_then(|c| crate::notify::welcome(&caller, c, &catalog, gateways, now));
            issued.welcome = welcome.as_ref().map(|w| w.channel());
            Ok((issued, welcome))
        })
        .await?;
    crate::notify::confirm(&app, welcome);
    Ok(Json(issued))
}

#[derive(Deserialize)]
pub struct ImportQuery {
    dry_run: Option<String>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn import_result(r: ImportReport) -> ImportResult {
    ImportResult {
        rows: count(r.rows),
        added: count(r.added),
        unchanged: count(r.unchanged),
        balances_opened: count(r.balances_opened),
        errors: r
            .errors
            .into_iter()
            .map(|e| ImportProblem {
                row: count(e.row),
                column: e.column,
                message: e.message,
            })
            .collect(),
        dry_run: r.dry_run,
    }
}

/// The one import this server runs at a time.
fn import_slot() -> std::sync::Arc<tokio::sync::Semaphore> {
    static SLOT: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> =
        std::sync::OnceLock::new();
    SLOT.get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(1)))
        .clone()
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest).detail(detail)
}

#[utoipa::path(post, path = paths::ADMIN_IMPORT, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: imports a customer master into the manager's store, as `redeemguard-server admin import-customers` does. The body is the CSV file (`Content-Type: text/csv`, UTF-8, a header row; up to 32 MB and 200,000 customers: a larger master goes in several files); any other content type is refused (`415`, code `invalid_request`). The caller is checked before the body is read. One import runs at a time on a server: another meanwhile is `429 rate_limited` with `Retry-After`. A file is checked up to 1,000 problems. Besides each opening balance, the import as a whole is audited (`customers_imported`: the file's SHA-256, rows, customers added, balances). Columns: `name` (required), `mobile`, `email`, `card`, `whatsapp`, `customer_type`, `card_type` (a card type's name: the customer gets its customer type; both given and disagreeing, or an unknown card type, is a row error naming `card_type`), `points`, `points_earned`, `points_expiring`, `points_expire_on`, `package`, `package_sessions`, `package_session_value`, `membership`, `membership_credit`, `membership_valid_until`, `campaign`, `campaign_uses`, `campaign_use_value`, `campaign_valid_until`, `gift_card_balance`, `consent_service` and `consent_promotional` (yes or no: which messages from the store the customer agreed to; no when absent). `dry_run=true` checks and says what would happen, writing nothing; `dry_run=false` writes (the parameter is required). Every row is checked first: any problem (named by row, 1 being the header, and column) and nothing is written: `200` with `errors`. Customers already there (same mobile, card or e-mail) are left as they are, so the same file again changes nothing. Written in batches of 500, each its own transaction, while the server keeps serving; no message is sent; each opening balance is audited (`balance_opened`, how `import`, the manager as actor).",
    params(("dry_run" = bool, Query, description = "true: check only, write nothing")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportResult), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn import_customers(
    State(app): State<Shared>,
    creds: Credentials,
    headers: HeaderMap,
    query: Result<QueryParams<ImportQuery>, ApiError>,
    body: axum::body::Body,
) -> ApiResult<Json<ImportResult>> {
    let now = app.clock.now_ms();
    // Who asks comes first (S9), before a byte of the body is read: a caller who is not a
    // manager holds no memory and no time here, whatever they send.
    let caller = app.db.run(move |tx| manager(tx, &creds, now)).await?;
    // One import at a time on this server: each holds its file and keeps the writer busy.
    let permit = import_slot().try_acquire_owned().map_err(|_| {
        ApiError::from(
            Problem::new(ErrorCode::RateLimited)
                .detail("Another customer import is running on this server: try again when it has finished")
                .retry_after(30),
        )
    })?;
    let QueryParams(query) = query?;
    let dry_run = match query.dry_run.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => return Err(invalid(
            "Say whether to write: ?dry_run=true checks the file only, ?dry_run=false imports it",
        )
        .field("dry_run")),
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media != "text/csv" {
        let mut p = Problem::new(ErrorCode::InvalidRequest).detail(format!(
            "Send the customer file as CSV with Content-Type: text/csv (this was {})",
            if content_type.is_empty() {
                "sent without a content type".to_string()
            } else {
                format!("{content_type:?}")
            }
        ));
        p.status = 415;
        p.title = "Unsupported media type".into();
        return Err(p.into());
    }
    let bytes = axum::body::to_bytes(body, IMPORT_BODY_LIMIT)
        .await
        .map_err(|_| ApiError::new(ErrorCode::PayloadTooLarge))?;
    let text = String::from_utf8(Vec::from(bytes)).map_err(|_| {
        invalid("The file is not UTF-8 text: save it as \"CSV UTF-8\" and send it again")
    })?;
    // Run to the end even if the client goes away: batches already written are kept anyway.
    let (db, store, actor) = (app.db.clone(), caller.store.clone(), caller.actor());
    let report = tokio::spawn(async move {
        let _slot = permit; // held until the import ends, even if the client went away
        import::run(&db, now, store, text, dry_run, actor).await
    })
    .await
    .map_err(|e| ApiError::internal(format!("the import stopped: {e}")))??;
    Ok(Json(import_result(report)))
}
