//! About the server itself: its OpenAPI document, its health, and (tests only) its clock.

use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::Shared;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use contract::api::paths;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default().routes(routes!(openapi))
}

/// Not part of the contract: a liveness check that also touches the store.
pub fn health_router() -> Router<Shared> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// Not part of the contract: Prometheus' text format (see `crate::metrics`).
async fn metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::get().render(),
    )
        .into_response()
}

/// Only with `--testing-clock`.
pub fn testing_router() -> Router<Shared> {
    Router::new().route("/testing/clock", post(advance_clock))
}

async fn healthz(State(app): State<Shared>) -> Result<Json<Value>, ApiError> {
    app.db.run(|tx| tx.last_audit().map(|_| ())).await?;
    Ok(Json(json!({ "status": "ok" })))
}

/// Not part of the contract: ready for traffic when the database answers and some store can
/// be used (a terminal and staff); otherwise 503. The reason names no store: the server's
/// log (and `admin list`) say what to set up.
async fn readyz(State(app): State<Shared>) -> Response {
    match app.db.run(crate::admin::ready).await {
        Ok(true) => Json(json!({ "status": "ready" })).into_response(),
        Ok(false) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not_ready",
                "reason": "no store can be used yet: set one up with `redeemguard-server admin` (the server's log names the next step)" })),
        )
            .into_response(),
        Err(e) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not_ready", "reason": e.problem.title })),
        )
            .into_response(),
    }
}

#[utoipa::path(get, path = paths::OPENAPI, tag = "meta",
    responses((status = 200, description = "This document", content_type = "application/json")))]
pub async fn openapi(State(app): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        app.openapi_json.clone(),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct ClockQuery {
    advance_secs: i64,
}

/// Tests only (`--testing-clock`): moves the server clock forward.
pub async fn advance_clock(
    State(app): State<Shared>,
    QueryParams(q): QueryParams<ClockQuery>,
) -> Json<Value> {
    app.clock.advance(q.advance_secs);
    Json(json!({ "now_ms": app.clock.now_ms() }))
}
