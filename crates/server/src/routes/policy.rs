//! The store's policy (`/v1/policy`): read by every session, changed by managers only.

use super::input;
use crate::audit::{self, Action};
use crate::auth::{resolve, Credentials};
use crate::error::ApiResult;
use crate::extract::JsonBody;
use crate::state::Shared;
use axum::extract::State;
use axum::Json;
use contract::api::paths;
use contract::{Policy, Problem};
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default().routes(routes!(get_policy, put_policy))
}

#[utoipa::path(get, path = paths::POLICY, tag = "policy", security(("terminal" = [], "session" = [])),
    responses((status = 200, body = Policy), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn get_policy(State(app): State<Shared>, creds: Credentials) -> ApiResult<Json<Policy>> {
    let now = app.clock.now_ms();
    let caller = app.db.run(move |tx| resolve(tx, &creds, now)).await?;
    Ok(Json(caller.store.policy))
}

#[utoipa::path(put, path = paths::POLICY, tag = "policy", security(("terminal" = [], "session" = [])),
    description = "Managers only. An invalid policy is refused with every invalid field listed in `errors`, as is a code text that does not fit the template a gateway registered for codes (India's DLT).",
    request_body = Policy,
    responses((status = 200, body = Policy), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn put_policy(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<Value>,
) -> ApiResult<Json<Policy>> {
    let now = app.clock.now_ms();
    let shared = app.clone();
    let policy = app
        .db
        .run_durable(move |tx| {
            let caller = resolve(tx, &creds, now)?;
            caller.require_manager()?;
            let policy = input::policy(body.take()?)?;
            // A code text the SMS provider would block (India's DLT) is refused here, where
            // the manager can change it, rather than at the first customer's code.
            let config = &shared.config;
            let merchant = &caller.store.merchant_id;
            let misfits = config
                .gateways_for(merchant)
                .misfits(&policy, &config.messages_for(merchant));
            if !misfits.is_empty() {
                return Err(Problem::from(contract::policy::PolicyErrors(misfits)).into());
            }
            if policy.currency != caller.store.policy.currency {
                // Balances, bills and point values are all in the store's currency.
                return Err(Problem::from(contract::policy::PolicyErrors(vec![
                    contract::policy::PolicyError {
                        field: "currency".into(),
                        message: format!(
                            "The store's currency is {}; it cannot be changed",
                            caller.store.policy.currency
                        ),
                    },
                ]))
                .into());
            }
            let old = serde_json::to_value(&caller.store.policy)?;
            let new = serde_json::to_value(&policy)?;
            let changed: Vec<&String> = match (&old, &new) {
                (Value::Object(o), Value::Object(n)) => n
                    .iter()
                    .filter(|(k, v)| o.get(*k) != Some(*v))
                    .map(|(k, _)| k)
                    .collect(),
                _ => Vec::new(),
            };
            tx.set_policy(&caller.store.id, &policy)?;
            audit::record(
                tx,
                now,
                &caller.actor(),
                Action::PolicyChanged,
                None,
                json!({ "fields": changed }),
            )?;
            Ok(policy)
        })
        .await?;
    Ok(Json(policy))
}
