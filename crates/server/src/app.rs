//! The assembly: the resource routers (`routes`, plus the demo phone and the testing clock
//! when enabled) under the middleware (request ids, tracing, timeouts, body limits, CORS,
//! problem+json for every failure), the host page's listener, and the background sweeper.
//! Only `main` uses this module; nothing in the library imports it.

use crate::error::{problem_response, ApiError};
use crate::state::Shared;
use crate::{audit, demo, kiosk, ledger, routes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Router;
use contract::ErrorCode;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Each request's id (`x-request-id`, in every log line of it): a random UUID, unique across
/// server instances, unless the client named its request with a safe token.
#[derive(Clone, Default)]
struct UuidRequestId;

impl MakeRequestId for UuidRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&crate::crypto::new_uuid())
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
            let index = surface_page(dir, path);
            // The app's wasm and JS travel compressed (SPEC §9 budgets the download): the
            // release build's `.br` or `.gz` files, whichever the browser accepts, when
            // present, else compressed here.
            let serve = tower_http::compression::CompressionLayer::new().layer(
                tower_http::services::ServeDir::new(dir)
                    .precompressed_br()
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

/// The page of the surface a path belongs to, for the app's own routes below it: each
/// surface is its own bundle in its own folder (`/kiosk/`, `/back-office/`, `/reports/`,
/// `/messages/`), the
/// till at `/`.
fn surface_page(dir: &std::path::Path, path: &str) -> std::path::PathBuf {
    let surface = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let page = dir.join(surface).join("index.html");
    if matches!(surface, "kiosk" | "back-office" | "reports" | "messages") && page.is_file() {
        page
    } else {
        dir.join("index.html")
    }
}

/// A path that exists, asked with a method it does not take: `405` (axum adds `Allow`).
async fn method_not_allowed(req: Request) -> Response {
    let mut problem = contract::Problem::new(ErrorCode::InvalidRequest).detail(format!(
        "{} is not supported on {}",
        req.method(),
        req.uri().path()
    ));
    problem.status = 405;
    problem.title = "Method not allowed".into();
    problem_response(&problem)
}

/// A client may name its request (`x-request-id`) for tracing across systems, but only with
/// a short, plain token: anything else is replaced by the server's own id, so the logs never
/// carry what a client chose to write into them.
fn drop_unsafe_request_id(
    mut req: axum::http::Request<axum::body::Body>,
) -> axum::http::Request<axum::body::Body> {
    let safe = req
        .headers()
        .get_all("x-request-id")
        .iter()
        .map(|v| {
            let b = v.as_bytes();
            (1..=64).contains(&b.len())
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
        })
        .collect::<Vec<bool>>();
    if safe != [true] {
        req.headers_mut().remove("x-request-id");
    }
    req
}

/// How long a customer import may take (100,000 customers are written in 200 batches while
/// the server keeps serving the tills: well under a minute on a small machine).
pub const IMPORT_TIMEOUT_SECS: u64 = 300;

/// Every request gets `request_timeout_secs`, a customer import [`IMPORT_TIMEOUT_SECS`]; past
/// it, the client hears `internal` ("took too long").
async fn time_limit(
    State(app): State<Shared>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    let secs = match req.uri().path() == contract::api::paths::ADMIN_IMPORT {
        true => IMPORT_TIMEOUT_SECS.max(u64::from(app.config.request_timeout_secs)),
        false => u64::from(app.config.request_timeout_secs),
    };
    match tokio::time::timeout(Duration::from_secs(secs), next.run(req)).await {
        Ok(res) => res,
        Err(_) => problem_response(
            &contract::Problem::new(ErrorCode::Internal)
                .detail("The request took too long; try again"),
        ),
    }
}

pub fn router(app: Shared) -> Router {
    let (mut api, _document) = routes::api().split_for_parts();
    api = api.merge(routes::meta::health_router());
    if app.config.demo {
        api = api.merge(demo::phone::router());
    }
    if app.config.testing_clock {
        api = api.merge(routes::meta::testing_router());
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
                .layer(tower::util::MapRequestLayer::new(drop_unsafe_request_id))
                .layer(SetRequestIdLayer::new(request_id.clone(), UuidRequestId))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(axum::middleware::from_fn_with_state(
                    app.clone(),
                    time_limit,
                )),
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

/// Signs the audit log's head and appends it to the checkpoint file (S7), off the async
/// runtime (it waits for the disk), and logs it: the log is the second copy of the anchor.
/// Returns the checkpoint, or `None` when it could not be taken or written (logged).
pub async fn write_audit_checkpoint(app: &Shared) -> Option<audit::Checkpoint> {
    write_checkpoint(app, false).await
}

/// The last checkpoint, at shutdown: it waits for one under way (taken, written and logged
/// in full), and no other follows it. (A periodic checkpoint running into the shutdown could
/// otherwise append a line to the file and be cut off before its log line.)
pub async fn write_final_audit_checkpoint(app: &Shared) -> Option<audit::Checkpoint> {
    write_checkpoint(app, true).await
}

async fn write_checkpoint(app: &Shared, last: bool) -> Option<audit::Checkpoint> {
    let mut closed = app.checkpoints_closed.lock().await;
    if *closed {
        return None;
    }
    *closed = last;
    let now = app.clock.now_ms();
    // Durable: a checkpoint never names an entry that a power loss could still take back.
    let cp = match app
        .db
        .run_durable(move |tx| audit::Checkpoint::take(tx, now))
        .await
    {
        Ok(cp) => cp,
        Err(e) => {
            tracing::error!(code = %e.code(), "cannot take an audit checkpoint");
            return None;
        }
    };
    let path = app.config.audit_checkpoint_file.clone();
    let line = cp.clone();
    let written = tokio::task::spawn_blocking(move || audit::append_checkpoint(&path, &line)).await;
    match written {
        Ok(Ok(())) => {
            tracing::info!(
                seq = cp.seq,
                head = %cp.head,
                at_ms = cp.at_ms,
                keyed_from = cp.keyed_from,
                mac = %cp.mac,
                "audit checkpoint"
            );
            Some(cp)
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, file = %app.config.audit_checkpoint_file.display(), "cannot write the audit checkpoint");
            None
        }
        Err(e) => {
            tracing::error!(error = %e, "the audit checkpoint task failed");
            None
        }
    }
}

/// Writes an audit checkpoint every `audit_checkpoint_secs` when the log has grown.
pub fn spawn_audit_checkpoints(app: Shared, mut last_seq: u64) {
    tokio::spawn(async move {
        let period = Duration::from_secs(u64::from(app.config.audit_checkpoint_secs));
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tick.tick().await;
            let head = app
                .db
                .run(|tx| tx.last_audit())
                .await
                .ok()
                .flatten()
                .map_or(0, |(seq, _)| seq);
            if head != last_seq {
                if let Some(cp) = write_audit_checkpoint(&app).await {
                    last_seq = cp.seq;
                }
            }
        }
    });
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
                        ledger::release_expired(tx, now, 500)?,
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
            crate::summaries::send_due(&app).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::router;
    use crate::config::{Config, ServeArgs};
    use crate::state::AppState;
    use crate::store::sqlite::SqliteStore;
    use crate::store::Db;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use std::sync::Arc;
    use tower::ServiceExt;

    /// Router and document come from the same declarations; this holds the assembled router
    /// to the document from outside: every documented operation reaches its handler (which
    /// asks for credentials, or answers), none falls through to "no such endpoint" (404).
    #[tokio::test]
    async fn every_documented_operation_is_routed() {
        let dir = tempfile::tempdir().unwrap();
        let args = ServeArgs {
            db: Some(dir.path().join("routes.sqlite")),
            demo: true,
            ..Default::default()
        };
        let config = Config::resolve_with(args, &|_| None).unwrap();
        let db = Db::new(Arc::new(
            SqliteStore::open(&config.db, config.audit_key.clone(), config.durability).unwrap(),
        ));
        let router = router(AppState::new(db, config, String::new()));
        let doc = crate::openapi::document();
        let mut operations = 0;
        for (path, item) in &doc.paths.paths {
            let methods = [
                ("GET", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (method, _) in methods.iter().filter(|(_, documented)| *documented) {
                let req = Request::builder()
                    .method(*method)
                    .uri(path.replace("{id}", "red-1"))
                    .body(Body::empty())
                    .unwrap();
                let response = router.clone().oneshot(req).await.unwrap();
                let status = response.status();
                if status == StatusCode::NOT_FOUND {
                    // The handler's own 404 (a provider's callback for a channel that takes
                    // no delivery reports) says so; the router's says nothing of the kind.
                    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
                        .await
                        .unwrap();
                    let body = String::from_utf8_lossy(&body);
                    assert!(
                        body.contains("takes delivery reports")
                            || body.contains("passes on replies"),
                        "{method} {path}: {body}"
                    );
                }
                operations += 1;
            }
        }
        assert_eq!(operations, 54);
    }
}
