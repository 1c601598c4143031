//! A provider's delivery reports (`/v1/delivery-reports/{channel}`, issue 16).

use crate::deliveries;
use crate::error::{ApiError, ApiResult};
use crate::gateways::reports::Refused;
use crate::gateways::Gateways;
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use contract::api::paths;
use contract::{Channel, ErrorCode, Problem};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(delivery_reports, verify_subscription))
        .routes(routes!(replies))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// The gateway's shared secret, where its reports are proven by a token.
    token: Option<String>,
    /// A merchant's own gateway (`[merchants."<id>".gateways]`); absent: the server's.
    merchant: Option<String>,
}

/// How many reports changed what is known of a message.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportsTaken {
    pub reports: usize,
    pub changed: usize,
    /// Where the channel also takes customers' replies and the provider sends them to this
    /// same URL (Meta does): how many said "I did not ask for this".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disowning: Option<usize>,
}

/// Meta's check of a webhook URL.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Subscription {
    #[serde(rename = "hub.mode")]
    #[param(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    #[param(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    #[param(rename = "hub.challenge")]
    challenge: Option<String>,
    /// A merchant's own gateway; absent: the server's.
    merchant: Option<String>,
}

#[utoipa::path(get, path = paths::DELIVERY_REPORTS, tag = "delivery",
    params(("channel" = String, Path, description = "the gateway's channel"), Subscription),
    description = "A provider's check of the callback URL before it sends reports (Meta's webhook verification): with `hub.mode=subscribe` and `hub.verify_token` equal to the gateway's delivery-reports secret, answers `hub.challenge` as it came. `not_found` for a channel without delivery reports; `unauthenticated` for another token.",
    responses((status = 200, body = String, content_type = "text/plain"), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn verify_subscription(
    State(app): State<Shared>,
    Path(channel): Path<String>,
    Query(q): Query<Subscription>,
) -> ApiResult<String> {
    let gateways = gateways_of(&app, q.merchant.as_deref())?;
    let (channel, gateway) = of_channel(&channel, |c| gateways.delivery_reports(c), REPORTS)?;
    let (Some("subscribe"), Some(token), Some(challenge)) =
        (q.mode.as_deref(), q.verify_token.as_deref(), q.challenge)
    else {
        return Err(Problem::new(ErrorCode::InvalidRequest)
            .detail("Give hub.mode=subscribe, hub.verify_token and hub.challenge")
            .into());
    };
    if !gateway.verifies(token) || challenge.len() > 200 {
        return Err(refused(channel, Refused::Unauthenticated));
    }
    Ok(challenge)
}

#[utoipa::path(post, path = paths::DELIVERY_REPORTS, tag = "delivery",
    params(("channel" = String, Path, description = "`sms`, `whatsapp` or `email`: the gateway whose provider reports"), TokenQuery),
    description = "Called by a message provider, not the app: its reports on messages the channel's gateway took (`[gateways.<channel>.delivery_reports]`), proven by the gateway's shared secret (`?token=`) or by an HMAC-SHA256 of the exact body in the configured header. The body is the provider's own (JSON or a form), read by the configured pointers or field names. A report of a code's message updates the redemption: the code screen then says delivered, or failed at the operator; a failed code is void and may be sent again at once by another channel (audited as `otp_delivery_failed`). A report for a message that already has a final status changes nothing; statuses that are neither delivered nor failed are ignored. `not_found` for a channel without delivery reports; `unauthenticated` for a wrong or missing token or signature; `invalid_request` for a body that cannot be read as configured.",
    request_body(content = String, description = "The provider's report, as it sends it."),
    responses((status = 200, body = ReportsTaken), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn delivery_reports(
    State(app): State<Shared>,
    Path(channel): Path<String>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ReportsTaken>> {
    let gateways = gateways_of(&app, q.merchant.as_deref())?;
    let (channel, gateway) = of_channel(&channel, |c| gateways.delivery_reports(c), REPORTS)?;
    gateway
        .authenticate(q.token.as_deref(), &headers, &body)
        .map_err(|r| refused(channel, r))?;
    let reports = gateway.read(&body).map_err(|r| refused(channel, r))?;
    let count = reports.len();
    let now = app.clock.now_ms();
    let changed = deliveries::reported(&app, channel, reports, now).await?;
    // Meta sends statuses and customers' messages to one URL: where the channel takes
    // replies too, the same call is read for them (proven by their own secret).
    let disowning = match gateways.replies(channel) {
        Some(replies)
            if replies
                .authenticate(q.token.as_deref(), &headers, &body)
                .is_ok() =>
        {
            let found = replies.read(&body).unwrap_or_default();
            let n = found.len();
            deliveries::disowned(&app, channel, found, now).await?;
            Some(n)
        }
        _ => None,
    };
    tracing::info!(
        channel = channel.as_str(),
        reports = count,
        changed,
        "delivery reports taken"
    );
    Ok(Json(ReportsTaken {
        reports: count,
        changed,
        disowning,
    }))
}

/// How many replies said "I did not ask for this", and how many live codes they voided.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RepliesTaken {
    pub disowning: usize,
    pub codes_voided: usize,
}

#[utoipa::path(post, path = paths::REPLIES, tag = "delivery",
    params(("channel" = String, Path, description = "`sms`, `whatsapp` or `email`: the gateway whose provider passes on replies"), TokenQuery),
    description = "Called by a message provider, not the app: customers' replies to messages on this channel (`[gateways.<channel>.replies]`), proven like delivery reports. Only a reply that says the customer did not ask for the code (its configured keywords, whole, in any case: an SMS keyword or a WhatsApp button) counts; others are ignored. For each, the live codes sent on this channel to that number (only the one the reply answers, when the provider names the message and it carried a code) are void, no code may be sent to the customer for the policy's `disowned_block_hours` (`codes_blocked`), the store's managers get an SMS, and it is audited as `code_disowned`. The till's code screen then says so. `not_found` for a channel without replies; `unauthenticated` for a wrong or missing token or signature; `invalid_request` for a body that cannot be read as configured.",
    request_body(content = String, description = "The provider's message, as it sends it."),
    responses((status = 200, body = RepliesTaken), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn replies(
    State(app): State<Shared>,
    Path(channel): Path<String>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<RepliesTaken>> {
    let gateways = gateways_of(&app, q.merchant.as_deref())?;
    let (channel, gateway) = of_channel(&channel, |c| gateways.replies(c), REPLIES)?;
    gateway
        .authenticate(q.token.as_deref(), &headers, &body)
        .map_err(|r| refused(channel, r))?;
    let disowning = gateway.read(&body).map_err(|r| refused(channel, r))?;
    let count = disowning.len();
    let now = app.clock.now_ms();
    let codes_voided = deliveries::disowned(&app, channel, disowning, now).await?;
    tracing::info!(
        channel = channel.as_str(),
        disowning = count,
        codes_voided,
        "customers' replies taken"
    );
    Ok(Json(RepliesTaken {
        disowning: count,
        codes_voided,
    }))
}

/// The server's gateways, or a merchant's own (`?merchant=`).
fn gateways_of<'a>(app: &'a Shared, merchant: Option<&str>) -> ApiResult<&'a Gateways> {
    match merchant {
        None => Ok(&app.config.gateways),
        Some(id) => app
            .config
            .merchants
            .get(id)
            .map(|m| &m.gateways)
            .ok_or_else(|| {
                Problem::new(ErrorCode::NotFound)
                    .detail("No merchant has gateways of its own by that id")
                    .into()
            }),
    }
}

const REPORTS: &str = "No gateway on this channel takes delivery reports";
const REPLIES: &str = "No gateway on this channel passes on replies";

/// The channel named in the path and what its gateway takes (its reports, its replies), or
/// `not_found` saying that no gateway on it does.
fn of_channel<T>(
    name: &str,
    takes: impl Fn(Channel) -> Option<T>,
    none: &'static str,
) -> ApiResult<(Channel, T)> {
    Channel::ALL
        .into_iter()
        .find(|c| c.as_str() == name)
        .and_then(|c| takes(c).map(|t| (c, t)))
        .ok_or_else(|| Problem::new(ErrorCode::NotFound).detail(none).into())
}

/// A provider's callback refused: not the provider, or not readable as configured.
fn refused(channel: Channel, r: Refused) -> ApiError {
    match r {
        Refused::Unauthenticated => {
            tracing::warn!(
                channel = channel.as_str(),
                "a provider's callback with a wrong or missing token or signature was refused"
            );
            Problem::new(ErrorCode::Unauthenticated)
                .detail("This is not the provider: the token or signature is wrong or missing")
                .into()
        }
        Refused::Unreadable(why) => Problem::new(ErrorCode::InvalidRequest)
            .detail(format!("The message cannot be read as configured: {why}"))
            .into(),
    }
}
