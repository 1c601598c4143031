//! Handing messages to the channels and living with the outcome: the OTP send (void,
//! uncount and audit a failure, so the cashier is told the truth) and the best-effort
//! confirmations after a commit or an accrual (seed 004), which never hold up or fail the
//! sale and are audited when they do not go out.

use crate::audit::{self, Action, Actor};
use crate::auth::Caller;
use crate::challenge::{self, Challenge, PreparedCode};
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::gateways::{Addressee, OutgoingMessage};
use crate::messages::MessageKind;
use crate::messages::{
    display_count, display_money, display_quantity, safe_value, MessageCatalog, Vars,
};
use crate::metrics;
use crate::model::{CustomerRow, RedemptionRow};
use crate::state::Shared;
use crate::store::Tx;
use contract::api::{OtpSent, Receipt, RedemptionStatus};
use contract::{Channel, InstrumentKind, Money, Policy, Purpose, Unit};
use serde_json::json;
use tracing::Instrument;

/// Delivers a code. On failure the code is voided, the send is taken back from the limits
/// unless the gateway may have taken it, the failure is audited, and the answer is the
/// "not sent" problem with its reason. The delivery runs in its own task so that a client
/// giving up on the request cannot cut it off between "handed to the gateway" and
/// "recorded": the outcome is always written down.
pub async fn send_code<C: Challenge + 'static>(
    app: &Shared,
    caller: Caller,
    code: PreparedCode<C>,
) -> ApiResult<OtpSent> {
    let app = app.clone();
    let task = async move {
        let PreparedCode {
            sent,
            message,
            id,
            counted,
            code_mac,
            ..
        } = code;
        let code_for = format!("{} {id}", C::NAME);
        let channel = message.channel;
        let send = crate::deliveries::CodeSend {
            channel,
            kind: message.kind,
            store_id: caller.store.id.clone(),
            merchant_id: caller.store.merchant_id.clone(),
            about: id.clone(),
            code_mac,
        };
        let started = std::time::Instant::now();
        let delivered = app.gateway.deliver(message).await;
        let outcome = match delivered {
            Ok(_) => metrics::SendOutcome::Delivered,
            Err(_) => metrics::SendOutcome::Failed,
        };
        metrics::get().sent(channel, outcome, started.elapsed());
        let failure = match delivered {
            Err(failure) => failure,
            Ok(accepted) => {
                tracing::info!(code_for = %code_for, channel = channel.as_str(), "code delivered");
                let apart = app
                    .config
                    .gateways_for(&caller.store.merchant_id)
                    .amount_first(channel);
                let now = app.clock.now_ms();
                // The code went: a failure to record it only costs its delivery report.
                let delivery = crate::deliveries::code_sent(&app, send, accepted, now)
                    .await
                    .unwrap_or_else(|e| {
                        tracing::warn!(code = %e.code(), "could not record the message for its delivery report");
                        None
                    });
                return Ok(OtpSent {
                    amount_first: apart.then_some(true),
                    delivery,
                    ..sent
                });
            }
        };
        tracing::warn!(
            code_for = %code_for,
            channel = channel.as_str(),
            reason = failure.reason_str(),
            status = failure.status,
            attempts = failure.attempts,
            counted = failure.maybe_accepted,
            detail = %failure.detail,
            "code not delivered"
        );
        let now = app.clock.now_ms();
        let problem = failure.problem(channel);
        app.db
            .run(move |tx| {
                challenge::void_undelivered::<C>(tx, &caller, &id, &counted, &failure, channel, now)
            })
            .await?;
        Err(problem)
    };
    // The request's span goes along, so the outcome is logged under the request id.
    tokio::spawn(task.instrument(tracing::Span::current()))
        .await
        .map_err(ApiError::internal)?
}

/// A confirmation ready to go, with who to blame in the audit log if it does not.
pub struct Confirmation {
    message: OutgoingMessage,
    actor: Actor,
}

/// What a message after the fact states, written for people (empty where a kind does not
/// use it); the store and the customer's name are added for the channel.
#[derive(Default)]
struct Figures {
    quantity: String,
    instrument: String,
    points: String,
    value: String,
    balance: String,
    voucher: String,
    until: String,
}

/// The message of `kind` (a confirmation, a welcome: no code) to `customer` by `channel`.
fn build(
    catalog: &MessageCatalog,
    caller: &Caller,
    (customer, channel): (CustomerRow, Channel),
    kind: MessageKind,
    redemption_id: Option<String>,
    f: Figures,
    now_ms: i64,
) -> Option<Confirmation> {
    let policy = &caller.store.policy;
    let destination = customer.destination(channel)?;
    let vars = Vars {
        quantity: f.quantity,
        instrument: f.instrument,
        points: f.points,
        value: f.value,
        store: safe_value(channel, &caller.store.name),
        customer: safe_value(channel, &customer.name),
        balance: f.balance,
        voucher: f.voucher,
        until: f.until,
        ..Vars::default()
    };
    let to = Addressee {
        customer_id: customer.id,
        customer_name: customer.name,
        channel,
        destination,
    };
    let mut message = OutgoingMessage::new(kind, to, now_ms)
        .for_merchant(&caller.store.merchant_id)
        .with_text(
            &policy.locale,
            catalog.text(&policy.locale, channel, kind),
            &catalog.subject(&policy.locale, kind),
            vars,
        );
    message.redemption_id = redemption_id;
    Some(Confirmation {
        actor: caller.actor(),
        message,
    })
}

/// Where a printed voucher's code goes as well (the channel of the message after the
/// post), masked as the receipt shows it; `None` when it will not be sent.
pub fn voucher_destination(
    tx: &mut dyn Tx,
    caller: &Caller,
    row: &RedemptionRow,
    sending: bool,
) -> ApiResult<Option<String>> {
    if !sending || row.purpose != Purpose::Voucher {
        return Ok(None);
    }
    // Only where the customer proved they read messages (the code they read back): a voucher's
    // code spends like cash, and an override means the contact on file may not be theirs.
    let Some(channel) = row.code_channel() else {
        return Ok(None);
    };
    let Some(customer) = tx.customer(&caller.store.merchant_id, &row.customer_id)? else {
        return Ok(None);
    };
    Ok(customer.masked_destination(channel))
}

/// The message after a redemption just committed: a printed voucher's code (any benefit),
/// else the confirmation of points redeemed (seed 004's "SMS during redemption of loyalty
/// points"). Read in the commit's transaction; never fails it.
pub fn after_post(
    tx: &mut dyn Tx,
    caller: &Caller,
    redemption_id: &str,
    catalog: &MessageCatalog,
    now_ms: i64,
) -> Option<Confirmation> {
    post_confirmation(tx, caller, redemption_id, catalog, now_ms).unwrap_or_else(|e| {
        tracing::warn!(code = %e.code(), "could not prepare a confirmation");
        None
    })
}

fn post_confirmation(
    tx: &mut dyn Tx,
    caller: &Caller,
    redemption_id: &str,
    catalog: &MessageCatalog,
    now_ms: i64,
) -> ApiResult<Option<Confirmation>> {
    let Some(row) = tx.redemption(&caller.store.id, redemption_id)? else {
        return Ok(None);
    };
    if row.status != RedemptionStatus::Committed {
        return Ok(None);
    }
    let Some(customer) = tx.customer(&caller.store.merchant_id, &row.customer_id)? else {
        return Ok(None);
    };
    let policy = &caller.store.policy;
    // A voucher's code goes only where the customer read their code (see
    // `voucher_destination`); a confirmation also to the store's first channel for them.
    let channel = match row.purpose {
        Purpose::Voucher => row.code_channel().filter(|c| customer.reachable_on(*c)),
        _ => customer.message_channel(&policy.channels, row.code_channel()),
    };
    let Some(channel) = channel else {
        return Ok(None);
    };
    let instrument = safe_value(channel, &row.instrument_label);
    let quantity = display_quantity(row.quantity.get(), row.unit, &instrument, policy);
    if row.purpose == Purpose::Voucher {
        // The receipt says whether (and where) the code goes: one decision, at the post.
        let receipt = tx
            .receipt_bytes(&row.id)?
            .and_then(|b| serde_json::from_slice::<Receipt>(&b).ok());
        let Some(voucher) = receipt
            .and_then(|r| r.voucher)
            .filter(|v| v.sent_to.is_some())
        else {
            return Ok(None);
        };
        let figures = Figures {
            quantity,
            instrument,
            points: display_count(row.quantity.get(), policy),
            value: display_money(voucher.value),
            voucher: voucher.code,
            until: days::date(policy, voucher.valid_until_ms),
            ..Figures::default()
        };
        let id = Some(row.id.clone());
        return Ok(build(
            catalog,
            caller,
            (customer, channel),
            MessageKind::Voucher,
            id,
            figures,
            now_ms,
        ));
    }
    if row.instrument_kind != InstrumentKind::Points {
        return Ok(None);
    }
    let balance = tx
        .instrument(&row.customer_id, &row.instrument_id)?
        .map(|i| i.available())
        .unwrap_or(0);
    let figures = Figures {
        quantity,
        instrument,
        points: display_count(row.quantity.get(), policy),
        value: display_money(row.value),
        balance: display_count(balance, policy),
        ..Figures::default()
    };
    let id = Some(row.id.clone());
    Ok(build(
        catalog,
        caller,
        (customer, channel),
        MessageKind::Redeemed,
        id,
        figures,
        now_ms,
    ))
}

/// The confirmation of points just earned on a sale (seed 004: "SMS when they do a purchase
/// with their current order points and the total points accumulated"). Never fails the sale.
pub fn after_accrual(
    tx: &mut dyn Tx,
    caller: &Caller,
    customer_id: &str,
    points: u64,
    balance: u64,
    catalog: &MessageCatalog,
    now_ms: i64,
) -> Option<Confirmation> {
    let customer = match tx.customer(&caller.store.merchant_id, customer_id) {
        Ok(Some(c)) => c,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!(code = %e.code(), "could not prepare a confirmation");
            return None;
        }
    };
    // What the points are worth to this customer: their card type's point value, if any.
    let card = crate::cards::of_customer(tx, &customer, &caller.store.policy).unwrap_or(None);
    let theirs = crate::cards::policy_for(&caller.store.policy, card.as_ref());
    let policy: &Policy = &theirs;
    let channel = customer.message_channel(&policy.channels, None)?;
    let value = contract::rules::value_of(
        policy,
        contract::InstrumentKind::Points,
        policy.point_value,
        points,
    )
    .unwrap_or_else(|_| Money::zero(policy.currency));
    let figures = Figures {
        quantity: display_quantity(points, Unit::Points, "", policy),
        points: display_count(points, policy),
        value: display_money(value),
        balance: display_count(balance, policy),
        ..Figures::default()
    };
    build(
        catalog,
        caller,
        (customer, channel),
        MessageKind::Accrued,
        None,
        figures,
        now_ms,
    )
}

/// The welcome to a customer given their first card (seed 004's "SMS upon registration"):
/// only if they agreed to service messages, by their first channel of the store's that
/// reaches them, and where that channel's gateway is set up for welcomes.
pub fn welcome(
    caller: &Caller,
    customer: CustomerRow,
    catalog: &MessageCatalog,
    gateways: &crate::gateways::Gateways,
    now_ms: i64,
) -> Option<Confirmation> {
    let policy = &caller.store.policy;
    if !customer.consent.service {
        return None;
    }
    let channel = customer.message_channel(&policy.channels, None)?;
    if gateways.refusal(channel, MessageKind::Welcome).is_some() {
        return None;
    }
    build(
        catalog,
        caller,
        (customer, channel),
        MessageKind::Welcome,
        None,
        Figures::default(),
        now_ms,
    )
}

impl Confirmation {
    /// The channel it goes by.
    pub fn channel(&self) -> Channel {
        self.message.channel
    }
}

/// Sends a confirmation in the background; a failure is logged and audited, nothing more.
pub fn confirm(app: &Shared, confirmation: Option<Confirmation>) {
    let Some(Confirmation { message, actor }) = confirmation else {
        return;
    };
    if !app.config.send_confirmations {
        return;
    }
    let app = app.clone();
    let task = async move {
        let (channel, kind) = (message.channel, message.kind);
        let redemption_id = message.redemption_id.clone();
        let customer_id = message.customer_id.clone();
        let Err(failure) = app.gateway.deliver(message).await else {
            return;
        };
        tracing::warn!(
            kind = kind.as_str(),
            channel = channel.as_str(),
            reason = failure.reason_str(),
            status = failure.status,
            detail = %failure.detail,
            "confirmation not delivered"
        );
        let now = app.clock.now_ms();
        let mut detail = failure.audit_detail(channel);
        detail["kind"] = json!(kind.as_str());
        detail["customer_id"] = json!(customer_id);
        let recorded = app
            .db
            .run(move |tx| {
                audit::record(
                    tx,
                    now,
                    &actor,
                    Action::ConfirmationFailed,
                    redemption_id.as_deref(),
                    detail,
                )
            })
            .await;
        if let Err(e) = recorded {
            tracing::warn!(code = %e.code(), "could not audit a failed confirmation");
        }
    };
    tokio::spawn(task.instrument(tracing::Span::current()));
}
