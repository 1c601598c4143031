//! Application state, the router with its middleware (request ids, tracing, timeouts, body
//! limits, CORS, problem+json for every failure), and the background sweeper.

use crate::channels::{Channel, DemoOutbox, Unconfigured};
use crate::config::Config;
use crate::crypto::Secret;
use crate::error::{problem_response, ApiError};
use crate::store::Db;
use crate::{demo, kiosk, ledger, routes};
use axum::body::Bytes;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use contract::ErrorCode;
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The server's clock. Tests may move it forward (only with `--testing-clock`) so expiry
/// can be checked without waiting minutes.
#[derive(Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        let system = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        system + self.offset_ms.load(Ordering::Relaxed)
    }
    pub fn advance(&self, secs: i64) {
        self.offset_ms.fetch_add(secs * 1000, Ordering::Relaxed);
    }
}

pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub secret: Secret,
    pub channel: Arc<dyn Channel>,
    /// Present only in demo mode: the one place codes are visible.
    pub outbox: Option<Arc<DemoOutbox>>,
    pub config: Config,
    /// Commit keys being processed right now, for `idempotency_in_flight`.
    pub commits_in_flight: Mutex<HashSet<String>>,
    pub openapi_json: String,
    /// Argon2 checks running at once: one per core, so a burst of sign-ins cannot take
    /// every thread (and tens of MiB each) from redemptions.
    slow_hash_permits: tokio::sync::Semaphore,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn new(db: Db, config: Config) -> Shared {
        let outbox = config.demo.then(|| Arc::new(DemoOutbox::new()));
        // Configured gateways win; the other channels go to the demo phone in demo mode.
        let fallback: Arc<dyn Channel> = match &outbox {
            Some(o) => o.clone(),
            None => Arc::new(Unconfigured),
        };
        let channel: Arc<dyn Channel> = Arc::new(config.gateways.with_fallback(fallback));
        Arc::new(AppState {
            db,
            clock: Clock::default(),
            secret: config.secret.clone(),
            channel,
            outbox,
            commits_in_flight: Mutex::new(HashSet::new()),
            openapi_json: crate::openapi::document_json(),
            slow_hash_permits: tokio::sync::Semaphore::new(
                std::thread::available_parallelism()
                    .map(usize::from)
                    .unwrap_or(1),
            ),
            config,
        })
    }
}

impl AppState {
    /// Runs a slow (argon2) check off the async runtime, a bounded number at a time.
    pub async fn slow_check(
        &self,
        check: impl FnOnce() -> bool + Send + 'static,
    ) -> Result<bool, ApiError> {
        let _permit = self
            .slow_hash_permits
            .acquire()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(check)
            .await
            .map_err(ApiError::internal)
    }
}

/// Marks a commit key as in flight until dropped (also when the request times out).
pub struct InFlight<'a> {
    set: &'a Mutex<HashSet<String>>,
    key: String,
}

impl<'a> InFlight<'a> {
    pub fn acquire(set: &'a Mutex<HashSet<String>>, key: String) -> Option<InFlight<'a>> {
        let mut keys = set.lock().unwrap_or_else(|p| p.into_inner());
        keys.insert(key.clone()).then(|| InFlight { set, key })
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.key);
    }
}

/// A JSON body whose failures are problems: too large → `payload_too_large`, anything
/// malformed or mistyped → `invalid_request` with serde's explanation.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            ApiError::new(ErrorCode::InvalidRequest).detail(format!("The body is not valid: {e}"))
        })
    }
}

/// The request body as bytes, with the size limit reported as a problem.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(ErrorCode::PayloadTooLarge)
                } else {
                    ApiError::new(ErrorCode::InvalidRequest).detail(e.body_text())
                }
            })
    }
}

/// Query parameters whose failures are `invalid_request` problems.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryParams(q.0))
            .map_err(|e| ApiError::new(ErrorCode::InvalidRequest).detail(e.body_text()))
    }
}

/// A path segment whose failures are `not_found` problems.
pub struct IdPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| IdPath(p.0))
            .map_err(|_| ApiError::new(ErrorCode::NotFound))
    }
}

#[derive(Clone, Default)]
struct CountingRequestId {
    next: Arc<AtomicU64>,
}

impl MakeRequestId for CountingRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("req-{n:08}"))
            .ok()
            .map(RequestId::new)
    }
}

async fn fallback(State(app): State<Shared>, req: Request) -> Response {
    let path = req.uri().path();
    let api_like = ["/v1", "/demo", "/testing", "/healthz"]
        .iter()
        .any(|p| path.starts_with(p));
    let readable = req.method() == Method::GET || req.method() == Method::HEAD;
    match &app.config.static_dir {
        Some(dir) if !api_like && readable => {
            use tower::{Layer, ServiceExt};
            let index = dir.join("index.html");
            // The app's wasm and JS travel gzipped to browsers that accept it (SPEC §9
            // budgets the gzip size): the release build's `.gz` files when present, else
            // compressed here.
            let serve = tower_http::compression::CompressionLayer::new().layer(
                tower_http::services::ServeDir::new(dir)
                    .precompressed_gzip()
                    .fallback(tower_http::services::ServeFile::new(index)),
            );
            match serve.oneshot(req).await {
                Ok(res) => res.into_response(),
                Err(e) => ApiError::internal(e).into_response(),
            }
        }
        _ => ApiError::new(ErrorCode::NotFound)
            .detail(format!("No such endpoint: {path}"))
            .into_response(),
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::NotFound).detail("That method is not supported here")
}

async fn timed_out(_: tower::BoxError) -> Response {
    problem_response(
        &contract::Problem::new(ErrorCode::Internal).detail("The request took too long; try again"),
    )
}

async fn healthz(State(app): State<Shared>) -> Result<axum::Json<serde_json::Value>, ApiError> {
    app.db.run(|tx| tx.last_audit().map(|_| ())).await?;
    Ok(axum::Json(serde_json::json!({ "status": "ok" })))
}

pub fn router(app: Shared) -> Router {
    let mut api = Router::new()
        .route(contract::api::paths::SESSIONS, post(routes::sign_in))
        .route(
            contract::api::paths::SESSION_CURRENT,
            delete(routes::sign_out),
        )
        .route(
            contract::api::paths::POLICY,
            get(routes::get_policy).put(routes::put_policy),
        )
        .route(
            contract::api::paths::CUSTOMERS,
            get(routes::search_customers),
        )
        .route("/v1/customers/{id}/balance", get(routes::balance))
        .route(
            contract::api::paths::REDEMPTIONS,
            post(routes::create_redemption),
        )
        .route("/v1/redemptions/{id}", get(routes::get_redemption))
        .route("/v1/redemptions/{id}/otp", post(routes::send_otp))
        .route("/v1/redemptions/{id}/verify", post(routes::verify))
        .route("/v1/redemptions/{id}/override", post(routes::override_otp))
        .route("/v1/redemptions/{id}/commit", post(routes::commit))
        .route("/v1/redemptions/{id}/cancel", post(routes::cancel))
        .route("/v1/redemptions/{id}/reverse", post(routes::reverse))
        .route(
            contract::api::paths::KIOSK_IDENTIFY,
            post(routes::kiosk_identify),
        )
        .route(
            contract::api::paths::KIOSK_VERIFY,
            post(routes::kiosk_verify),
        )
        .route(
            contract::api::paths::KIOSK_FORGET,
            post(routes::kiosk_forget),
        )
        .route(contract::api::paths::ACCRUALS, post(routes::accrue))
        .route(contract::api::paths::REPORT, get(routes::report))
        .route(contract::api::paths::AUDIT, get(routes::audit))
        .route(contract::api::paths::OPENAPI, get(routes::openapi))
        .route("/healthz", get(healthz));
    if app.config.demo {
        api = api.merge(demo::routes());
    }
    if app.config.testing_clock {
        api = api.route("/testing/clock", post(routes::advance_clock));
    }
    let request_id = HeaderName::from_static("x-request-id");
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &axum::http::Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_string();
            // The path only: query strings may carry a customer's phone number.
            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
        })
        .on_request(())
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    let mut router = api
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(app.config.body_limit_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(
                    request_id.clone(),
                    CountingRequestId::default(),
                ))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(HandleErrorLayer::new(timed_out))
                .timeout(Duration::from_secs(u64::from(
                    app.config.request_timeout_secs,
                ))),
        );
    // Outermost, so it also covers the app's static files: a host page on another origin
    // imports the app's JS module and fetches its wasm in CORS mode.
    if !app.config.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = app
            .config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
            .collect();
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
                .allow_headers([
                    header::CONTENT_TYPE,
                    header::AUTHORIZATION,
                    HeaderName::from_static(contract::api::TERMINAL_HEADER),
                    HeaderName::from_static(contract::api::IDEMPOTENCY_HEADER),
                ])
                .expose_headers([HeaderName::from_static("x-request-id"), header::RETRY_AFTER])
                .max_age(Duration::from_secs(600)),
        );
    }
    router.with_state(app)
}

/// The widget's sample host page: static files on a listener of their own, so the page is
/// a real second origin that embeds the app cross-origin, as a merchant's site would.
pub fn host_page_router(dir: &std::path::Path) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &axum::http::Request<_>| {
            tracing::info_span!("host_page", method = %req.method(), path = %req.uri().path())
        })
        .on_request(())
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    Router::new()
        .fallback_service(tower_http::services::ServeDir::new(dir))
        .layer(trace)
}

/// Releases abandoned holds every `sweep_interval_secs` (S6), and forgets kiosk customers
/// whose kiosk went idle (releasing their holds too).
pub fn spawn_sweeper(app: Shared) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(u64::from(
            app.config.sweep_interval_secs,
        )));
        loop {
            tick.tick().await;
            let now = app.clock.now_ms();
            match app
                .db
                .run(move |tx| {
                    Ok((
                        ledger::sweep_expired(tx, now, 500)?,
                        kiosk::sweep_idle(tx, now, 500)?,
                    ))
                })
                .await
            {
                Ok((0, 0)) => {}
                Ok((released, forgotten)) => {
                    tracing::info!(
                        released,
                        forgotten,
                        "expired abandoned holds and idle kiosk customers"
                    )
                }
                Err(e) => tracing::warn!(code = %e.code(), "sweep failed"),
            }
        }
    });
}
