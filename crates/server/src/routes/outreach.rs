//! Messages a manager sends to customers (`/v1/admin/messages`, seed 004) and customers'
//! consent to them: the rules are `crate::outreach`'s, scoped to the manager's store.

use super::input;
use crate::admin::the_customer;
use crate::audit::{self, Action};
use crate::auth::{resolve, Caller, Credentials};
use crate::error::ApiResult;
use crate::extract::JsonBody;
use crate::model::Consents;
use crate::outreach;
use crate::state::Shared;
use crate::store::Tx;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use contract::api::paths;
use contract::outreach::{
    Consent, MessageList, MessagePreview, NewMessage, SentMessage, SetConsent,
};
use contract::Problem;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<Shared> {
    OpenApiRouter::default()
        .routes(routes!(list_messages, send_message))
        .routes(routes!(preview_message))
        .routes(routes!(set_consent))
}

fn manager(tx: &mut dyn Tx, creds: &Credentials, now: i64) -> ApiResult<Caller> {
    let caller = resolve(tx, creds, now)?;
    caller.require_manager()?;
    Ok(caller)
}

#[utoipa::path(get, path = paths::ADMIN_MESSAGES, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: the store's latest 50 messages to customers, newest first, each with how its sends went: `queued` (not yet handed to the provider), `sent` (taken, no report yet), `delivered` and `failed` (refused by the provider, or so reported by its delivery reports where the channel's gateway takes them).",
    responses((status = 200, body = MessageList), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn list_messages(
    State(app): State<Shared>,
    creds: Credentials,
) -> ApiResult<Json<MessageList>> {
    let now = app.clock.now_ms();
    let messages = app
        .db
        .run(move |tx| {
            let caller = manager(tx, &creds, now)?;
            tx.outreach_of(&caller.store.id, outreach::LISTED)
        })
        .await?;
    Ok(Json(MessageList {
        messages: messages.into_iter().map(outreach::summary).collect(),
    }))
}

#[utoipa::path(post, path = paths::ADMIN_MESSAGES_PREVIEW, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: what sending this message would do, writing nothing: how many customers it reaches (found, agreed to its `category`, reachable on its `channel`; one message per phone or address), how many it leaves out for want of consent or of a contact on the channel, the list's lines that match no customer, the store's budget left today (`customer_messages_per_day`), and the text as the first customer reads it with its SMS parts. The same checks as sending: every field wrong is named (`invalid_request` with `errors`: `customers`, `card_type`, `channel` (one of the store's), `text` (`{store}` required, `{customer}` allowed, never `{otp}`; it must fit the text a provider registered for such messages, India's DLT)).",
    request_body = NewMessage,
    responses((status = 200, body = MessagePreview), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn preview_message(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<Value>,
) -> ApiResult<Json<MessagePreview>> {
    let now = app.clock.now_ms();
    let shared = app.clone();
    let preview = app
        .db
        .run(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let msg = input::new_message(body.take()?)?;
            outreach::preview(tx, &shared, &caller.store, &msg, now)
        })
        .await?;
    Ok(Json(preview))
}

#[utoipa::path(post, path = paths::ADMIN_MESSAGES, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: sends a message to customers, as its preview said: only to those who agreed to its category and can be reached on its channel. Refused with the preview's field errors; `invalid_request` naming `customers` when it would reach nobody; `message_budget_exhausted` (`429`, `Retry-After` the end of the store's day) when it would go to more customers than today's `customer_messages_per_day` has left (0: such messages are off). The message and its recipients are recorded and audited (`customers_messaged`) before the answer; the sends follow, one by one, and the list shows how they went.",
    request_body = NewMessage,
    responses((status = 201, body = SentMessage), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn send_message(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<SentMessage>)> {
    let now = app.clock.now_ms();
    let shared = app.clone();
    let out = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let msg = input::new_message(body.take()?)?;
            outreach::create(tx, &shared, &caller, &msg, now)
        })
        .await?;
    let sent = out.sent.clone();
    outreach::deliver(&app, out);
    Ok((StatusCode::CREATED, Json(sent)))
}

#[utoipa::path(put, path = paths::ADMIN_CONSENT, tag = "admin", security(("terminal" = [], "session" = [])),
    description = "Managers only: which messages a customer of the merchant agreed to (`service`, `promotional`), the customer named by mobile number, e-mail or card number as when issuing a card. Audited (`consent_changed`).",
    request_body = SetConsent,
    responses((status = 200, body = Consent), (status = "default", body = Problem, content_type = "application/problem+json")))]
pub async fn set_consent(
    State(app): State<Shared>,
    creds: Credentials,
    body: JsonBody<Value>,
) -> ApiResult<Json<Consent>> {
    let now = app.clock.now_ms();
    let consent = app
        .db
        .run_durable(move |tx| {
            let caller = manager(tx, &creds, now)?;
            let req = input::set_consent(body.take()?)?;
            let customer = the_customer(tx, &caller.store, &req.customer)?;
            let consent = Consents {
                service: req.service,
                promotional: req.promotional,
            };
            tx.set_consent(&customer.id, consent)?;
            audit::record(
                tx,
                now,
                &caller.actor(),
                Action::ConsentChanged,
                None,
                json!({
                    "customer_id": customer.id,
                    "service": consent.service,
                    "promotional": consent.promotional,
                    "was": {
                        "service": customer.consent.service,
                        "promotional": customer.consent.promotional,
                    },
                }),
            )?;
            Ok(Consent {
                customer_id: customer.id,
                customer_name: customer.name,
                service: consent.service,
                promotional: consent.promotional,
            })
        })
        .await?;
    Ok(Json(consent))
}
