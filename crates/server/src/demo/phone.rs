//! The demo "customer's phone": `/demo/phone` (a page) and `/demo/outbox.json` (for tests and
//! the load generator). Routed only in demo mode.

use crate::error::{ApiError, ApiResult};
use crate::extract::QueryParams;
use crate::gateways::DemoOutbox;
use crate::state::Shared;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use contract::ErrorCode;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct OutboxQuery {
    customer: Option<String>,
    redemption: Option<String>,
    limit: Option<usize>,
}

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/demo/phone", get(phone))
        .route("/demo/outbox.json", get(outbox_json))
}

fn outbox(app: &Shared) -> ApiResult<&DemoOutbox> {
    app.outbox
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

async fn outbox_json(
    State(app): State<Shared>,
    QueryParams(q): QueryParams<OutboxQuery>,
) -> ApiResult<Response> {
    let messages = outbox(&app)?.list(
        q.customer.as_deref(),
        q.redemption.as_deref(),
        q.limit.unwrap_or(200).min(5_000),
    );
    Ok(Json(messages).into_response())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn phone(
    State(app): State<Shared>,
    QueryParams(q): QueryParams<OutboxQuery>,
) -> ApiResult<Html<String>> {
    let messages = outbox(&app)?.list(
        q.customer.as_deref(),
        q.redemption.as_deref(),
        q.limit.unwrap_or(200).min(5_000),
    );
    let mut items = String::new();
    for m in &messages {
        items.push_str(&format!(
            "<li class=\"message\" data-customer-id=\"{}\" data-channel=\"{}\" data-redemption-id=\"{}\" data-at-ms=\"{}\">\
             <div class=\"meta\"><b>{}</b> · {} · {} · <time>{}</time></div><pre class=\"text\">{}</pre></li>\n",
            escape(&m.customer_id),
            m.channel.as_str(),
            escape(m.redemption_id.as_deref().unwrap_or_default()),
            m.at_ms,
            escape(&m.customer_name),
            m.channel.label(),
            escape(&m.destination),
            m.at_ms,
            escape(&m.text),
        ));
    }
    if messages.is_empty() {
        items.push_str("<li class=\"empty\">No messages yet. Send a code from the app.</li>");
    }
    let filter = q
        .customer
        .as_deref()
        .map(|c| format!(" for customer {}", escape(c)))
        .unwrap_or_default();
    // The page shows new messages by itself: it asks for the newest one every two seconds
    // and reloads when it changed (no meta refresh: it would reload under the reader, and
    // fails accessibility checks).
    let newest = messages.first().map_or(0, |m| m.id);
    Ok(Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>DEMO — customer's phone</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:1rem auto;padding:0 1rem;background:#f4f4f6}}\
         .banner{{background:#b00020;color:#fff;padding:.75rem;border-radius:.5rem;font-weight:bold}}\
         ul{{list-style:none;padding:0}}li.message{{background:#fff;border-radius:.75rem;padding:.75rem;margin:.75rem 0;box-shadow:0 1px 3px #0002}}\
         .meta{{font-size:.8rem;color:#555}}pre.text{{white-space:pre-wrap;font:inherit;margin:.5rem 0 0}}</style></head>\
         <body><main><h1>DEMO — customer's phone</h1>\
         <p class=\"banner\">Demo mode only. In a real store the code goes to the customer's own phone or inbox \
         and is never shown anywhere else.</p><p>Messages{filter}, newest first. New ones appear by themselves.</p>\
         <ul>{items}</ul></main>\
         <script>const newest={newest};\
         setInterval(async()=>{{try{{const p=new URLSearchParams(location.search);p.set('limit','1');\
         const r=await fetch('/demo/outbox.json?'+p);const m=await r.json();\
         if(((m[0]&&m[0].id)||0)!==newest)location.reload();}}catch(e){{}}}},2000);</script></body></html>"
    )))
}
