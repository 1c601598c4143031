//! Messages to customers (seed 004): write one to customers listed or everyone with a card
//! type, see who it reaches and the text as they read it, send it; the messages sent with
//! how their delivery went; and a customer's consent. The backend sends only to customers who
//! agreed to the kind of message, within the store's daily budget.

use super::{field_error, saved};
use crate::flow::{preview_summary, Action, Form, Manage, MessageForm};
use crate::format;
use crate::ui::driver::ctx;
use crate::ui::field::{Input, TextField};
use contract::outreach::{Category, SentMessage, SetConsent};
use contract::Channel;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The messages page's way back to the back office and on to the reports, once a manager is
/// in.
#[component]
pub fn MessagesNav() -> impl IntoView {
    let ctx = ctx();
    let shown = ctx.sel(crate::flow::Flow::offers_approvals);
    view! {
        <Show when=move || shown.get()>
            <nav class="rg-actions rg-sections" aria-label="Back office">
                <a class="rg-btn rg-quiet" href="/back-office" data-testid="open-back-office">"Back office set-up"</a>
                <a class="rg-btn rg-quiet" href="/reports" data-testid="open-reports">"Reports and audit log"</a>
            </nav>
        </Show>
    }
}

#[component]
pub fn MessagesScreen() -> impl IntoView {
    let saved = saved();
    view! {
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Messages to customers"</h2>
            <p class="rg-muted">
                "Send a message to one customer, a list of customers, or everyone with a card type. It goes only to customers who agreed to that kind of message and can be reached by the channel you choose, within the store's daily budget for such messages (Policy)."
            </p>
            {move || { saved.get(); view! { <Compose/> } }}
            <Preview/>
            <Sent/>
            {move || { saved.get(); view! { <ConsentForm/> } }}
        </section>
    }
}

#[component]
fn Compose() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let card_types = ctx.sel(|f| f.ui.manage.card_types.clone().unwrap_or_default());
    let channels = ctx.sel(|f| {
        f.signed_in
            .policy
            .as_ref()
            .map(|p| p.channels.clone())
            .unwrap_or_default()
    });
    let to_card_type = RwSignal::new(false);
    let customers = RwSignal::new(String::new());
    let card_type = RwSignal::new(String::new());
    let promotional = RwSignal::new(false);
    let channel = RwSignal::new(None::<Channel>);
    let text = RwSignal::new(String::new());
    // Any change after a preview: that preview no longer says what would be sent.
    Effect::new(move |first: Option<()>| {
        to_card_type.track();
        customers.track();
        card_type.track();
        promotional.track();
        channel.track();
        text.track();
        if first.is_some() {
            ctx.dispatch(Action::Manage(Manage::ForgetPreview));
        }
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let first_type = card_types.with_untracked(|l| l.first().map(|c| c.id.clone()));
        let chosen = channel
            .get_untracked()
            .or_else(|| channels.with_untracked(|c| c.first().copied()))
            .unwrap_or(Channel::Sms);
        ctx.dispatch(Action::Manage(Manage::PreviewMessage(MessageForm {
            to_card_type: to_card_type.get_untracked(),
            customers: customers.get_untracked(),
            card_type: Some(card_type.get_untracked())
                .filter(|t| !t.is_empty())
                .or(first_type)
                .unwrap_or_default(),
            category: if promotional.get_untracked() {
                Category::Promotional
            } else {
                Category::Service
            },
            channel: chosen,
            text: text.get_untracked(),
        })));
    };
    let err = |f| field_error(Form::Message, f);
    let customers_error = err("customers");
    let card_type_error = err("card_type");
    let channel_error = err("channel");
    view! {
        <form on:submit=submit novalidate aria-labelledby="compose-title" class="rg-subform" data-testid="compose-message">
            <h3 id="compose-title">"Write a message"</h3>
            <div class="rg-grid">
                <div class="rg-field">
                    <label for="message-to">"Send to"</label>
                    <select id="message-to" prop:value=move || if to_card_type.get() { "card_type" } else { "customers" } on:change=move |ev| to_card_type.set(event_target_value(&ev) == "card_type")>
                        <option value="customers">"Customers I list"</option>
                        <option value="card_type">"Everyone with a card type"</option>
                    </select>
                </div>
                <div class="rg-field">
                    <label for="message-category">"Kind of message"</label>
                    <select id="message-category" aria-describedby="message-category-hint"
                        prop:value=move || if promotional.get() { "promotional" } else { "service" }
                        on:change=move |ev| promotional.set(event_target_value(&ev) == "promotional")>
                        <option value="service">"Service (about their account)"</option>
                        <option value="promotional">"Promotional (offers and news)"</option>
                    </select>
                    <p class="rg-hint" id="message-category-hint">"Customers agree to each kind apart."</p>
                </div>
                <div class="rg-field">
                    <label for="message-channel">"Send by"</label>
                    <select id="message-channel" aria-describedby="message-channel-error"
                        on:change=move |ev| channel.set(channels.with_untracked(|l| {
                            l.iter().copied().find(|c| c.as_str() == event_target_value(&ev))
                        }))>
                        {move || channels.get().into_iter().map(|c| view! {
                            <option value=c.as_str()>{c.label()}</option>
                        }).collect_view()}
                    </select>
                    <p class="rg-field-msg" id="message-channel-error">{move || channel_error.get()}</p>
                </div>
            </div>
            {move || if to_card_type.get() {
                view! {
                    <div class="rg-field">
                        <label for="message-card-type">"Card type"</label>
                        <select id="message-card-type" aria-describedby="message-card-type-error"
                            on:change=move |ev| card_type.set(event_target_value(&ev))>
                            {card_types.get().into_iter().map(|c| view! {
                                <option value=c.id.clone() selected=c.id == card_type.get_untracked()>
                                    {format!("{} ({} customers)", c.name, c.customer_type)}
                                </option>
                            }).collect_view()}
                        </select>
                        <p class="rg-field-msg" id="message-card-type-error">{move || {
                            if card_types.with(Vec::is_empty) {
                                Some("There are no card types yet (Loyalty cards).".to_string())
                            } else {
                                card_type_error.get()
                            }
                        }}</p>
                    </div>
                }.into_any()
            } else {
                view! {
                    <div class="rg-field">
                        <TextField id="message-customers" label="Customers: one mobile number, e-mail or card number per line"
                            value=customers error=customers_error rows=4/>
                    </div>
                }.into_any()
            }}
            <div class="rg-field">
                <TextField id="message-text" label="Message" value=text error=err("text") rows=3
                    hint="Name the store with {store}; {customer} becomes each customer's name. Never a code.".to_string()/>
            </div>
            <button type="submit" class="rg-btn rg-secondary" data-testid="preview-message" disabled=move || busy.get()>"Preview"</button>
        </form>
    }
}

#[component]
fn Preview() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let preview = ctx.sel(|f| f.ui.manage.preview.clone());
    move || {
        preview.get().map(|(m, p)| {
            let lines = preview_summary(&m, &p);
            let can_send = p.recipients > 0 && p.recipients <= p.budget_left;
            let send = match p.recipients {
                1 => "Send to 1 customer".to_string(),
                n => format!("Send to {n} customers"),
            };
            view! {
                <div class="rg-report" data-testid="message-preview" role="region" aria-labelledby="preview-title">
                    <h3 id="preview-title">"Preview"</h3>
                    <p class="rg-hint">{format!("As {} reads it, by {}:", if p.recipients > 0 { "the first customer" } else { "a customer" }, m.channel.label())}</p>
                    <blockquote data-testid="preview-text">{p.text.clone()}</blockquote>
                    <ul data-testid="preview-summary">
                        {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                    </ul>
                    <button class="rg-btn rg-primary" data-testid="send-message"
                        disabled=move || busy.get() || !can_send
                        on:click=move |_| ctx.dispatch(Action::Manage(Manage::SendMessage))>
                        {send}
                    </button>
                </div>
            }
        })
    }
}

/// "2 delivered · 1 failed · 1 waiting for a report".
fn delivery(m: &SentMessage) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (m.delivered, "delivered"),
        (m.failed, "failed"),
        (m.sent, "sent, no report yet"),
        (m.queued, "still to send"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.join(" · ")
}

#[component]
fn Sent() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let messages = ctx.sel(|f| f.ui.manage.messages.clone());
    let locale = ctx.locale();
    view! {
        <div class="rg-subform">
            <h3 id="sent-title">"Messages sent"</h3>
            {move || match messages.get() {
                None => view! { <p class="rg-muted">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p data-testid="no-messages">"No messages to customers yet."</p>
                }.into_any(),
                Some(list) => view! {
                    <table class="rg-table" data-testid="sent-messages" aria-labelledby="sent-title">
                        <thead>
                            <tr><th scope="col">"Sent"</th><th scope="col">"To"</th><th scope="col">"Kind"</th><th scope="col">"Message"</th><th scope="col">"By"</th><th scope="col">"Delivery"</th></tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|m| {
                                let l = locale.get_untracked();
                                let to = format!("{} (sent to {} by {})", m.audience, m.recipients, m.channel.label());
                                view! {
                                    <tr data-testid="sent-message">
                                        <td>{format::date_time(m.at_ms, &l)}</td>
                                        <td>{to}</td>
                                        <td>{m.category.label()}</td>
                                        <td>{m.text.clone()}</td>
                                        <td>{m.sent_by.clone()}</td>
                                        <td data-testid="message-delivery">{delivery(&m)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <button class="rg-btn rg-secondary" data-testid="refresh-messages" disabled=move || busy.get()
                on:click=move |_| ctx.dispatch(Action::Manage(Manage::RefreshMessages))>
                "Refresh delivery status"
            </button>
        </div>
    }
}

#[component]
fn ConsentForm() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let customer = RwSignal::new(String::new());
    let service = RwSignal::new(false);
    let promotional = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::Manage(Manage::SetConsent(SetConsent {
            customer: customer.get_untracked(),
            service: service.get_untracked(),
            promotional: promotional.get_untracked(),
        })));
    };
    let check = |id: &'static str, label: &'static str, value: RwSignal<bool>| {
        view! {
            <label class="rg-choice" for=id>
                <input type="checkbox" id=id bind:checked=value/>
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <form on:submit=submit novalidate aria-labelledby="consent-title" class="rg-subform" data-testid="consent-form">
            <h3 id="consent-title">"A customer's consent"</h3>
            <p class="rg-hint">"What the customer agreed to receive, as they told you. The customer file can bring it too (columns consent_service and consent_promotional)."</p>
            <TextField id="consent-customer" label="Customer's mobile, e-mail or card" value=customer
                error=field_error(Form::Consent, "customer") input=Input::EXACT/>
            <fieldset>
                <legend>"Agrees to receive"</legend>
                {check("consent-service", "Service messages", service)}
                {check("consent-promotional", "Promotional messages", promotional)}
            </fieldset>
            <button type="submit" class="rg-btn rg-primary" data-testid="save-consent" disabled=move || busy.get()>"Save consent"</button>
        </form>
    }
}
