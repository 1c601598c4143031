//! Finding customers and reading their balances (`/v1/customers`).

use super::input;
use crate::auth::{resolve, Credentials};
use crate::error::{ApiError, ApiResult};
use crate::extract::{IdPath, QueryParams};
use crate::kiosk::{self, Subject};
use crate::ledger;
use crate::model::CustomerRow;
use crate::state::Shared;
use axum::extract::State;
use axum::Json;
use contract::api::{paths, Balance, CustomerSearch};
use contract::lookup::{Key, Lookup, Searcher};
use contract::{ErrorCode, Problem};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(search_customers))
        .routes(routes!(balance))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// The merchant's customers matching any of the lookups, each once.
pub(super) fn find_customers(
    tx: &mut dyn crate::store::Tx,
    merchant: &str,
    lookup: &Lookup,
) -> ApiResult<Vec<CustomerRow>> {
    let mut customers: Vec<CustomerRow> = Vec::new();
    for key in lookup.keys() {
        let rows = match key {
            Key::Mobile(m) => tx.customers_by_mobile(merchant, m.as_str())?,
            Key::Card(c) => tx.customers_by_card(merchant, c.as_str())?,
            Key::Name(n) => tx.customers_by_name(merchant, n, 20)?,
        };
        for r in rows {
            if !customers.iter().any(|c| c.id == r.id) {
                customers.push(r);
            }
        }
    }
    Ok(customers)
}

#[utoipa::path(get, path = paths::CUSTOMERS, tag = "customers", security(("terminal" = [], "session" = [])),
    description = "Find customers by mobile number (national or international form), loyalty card number, or part of the name (2+ characters). Contacts are masked. A self-service kiosk session is refused (`forbidden`): it identifies its customer with POST /v1/kiosk/identify.",
    params(("q" = String, Query, description = "Mobile, card number or name")),
    responses((status = 200, body = CustomerSearch), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn search_customers(
    State(app): State<Shared>,
    creds: Credentials,
    QueryParams(query): QueryParams<SearchQuery>,
) -> ApiResult<Json<CustomerSearch>> {
    let now = app.clock.now_ms();
    let q = query.q.unwrap_or_default();
    let found = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_staff("browse customers: identify with your mobile or card number")?;
            let policy = &caller.store.policy;
            let lookup = input::lookup(&q, policy, Searcher::Staff, "q")?;
            let customers = find_customers(tx, &caller.store.merchant_id, &lookup)?;
            if let (true, Some(problem)) = (customers.is_empty(), lookup.problem_if_none_found()) {
                return Err(Problem::from(problem).field("q").into());
            }
            Ok(CustomerSearch {
                customers: customers.iter().map(|c| c.summary(policy)).collect(),
            })
        })
        .await?;
    Ok(Json(found))
}

#[utoipa::path(get, path = "/v1/customers/{id}/balance", tag = "customers", security(("terminal" = [], "session" = [])),
    description = "A self-service kiosk session may read only the customer it identified (else `forbidden`).",
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = Balance), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn balance(
    State(app): State<Shared>,
    creds: Credentials,
    IdPath(id): IdPath,
) -> ApiResult<Json<Balance>> {
    let now = app.clock.now_ms();
    let balance = app
        .db
        .run(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            kiosk::authorize(tx, &caller, Subject::Customer(&id), now)?;
            let customer = tx
                .customer(&caller.store.merchant_id, &id)?
                .ok_or_else(|| ApiError::new(ErrorCode::CustomerNotFound))?;
            ledger::balance(tx, &caller.store.policy, &customer, now)
        })
        .await?;
    Ok(Json(balance))
}
