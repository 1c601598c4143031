//! Loyalty cards (seed 004): card types with their earn rate and point value, each for one
//! customer type (e.g. GST, Normal, Institutional); and a card number issued to a customer,
//! which the till then finds them by.

use super::{field_error, saved, RowAction};
use crate::flow::{Action, CardTypeForm, Form, Manage};
use crate::format;
use crate::ui::driver::ctx;
use crate::ui::field::{Input, TextField};
use contract::cards::IssueCard;
use contract::Unit;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn CardsScreen() -> impl IntoView {
    let ctx = ctx();
    let cards = ctx.sel(|f| f.ui.manage.card_types.clone());
    let locale = ctx.locale();
    let saved = saved();
    let editing = ctx.sel(|f| f.ui.manage.editing.clone());
    view! {
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Loyalty cards"</h2>
            <p class="rg-muted">
                "Each card type is for one type of customer and has its own earn rate and point value. A customer without a card type earns at the store's rate (Policy)."
            </p>
            {move || match cards.get() {
                None => view! { <p class="rg-muted">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p data-testid="no-card-types">"No card types yet: every customer earns at the store's rate. Add one below."</p>
                }.into_any(),
                Some(list) => view! {
                    <table class="rg-table" data-testid="card-types">
                        <caption class="rg-sr-only">"Card types"</caption>
                        <thead>
                            <tr><th scope="col">"Card"</th><th scope="col">"For customers of type"</th><th scope="col">"Earns"</th><th scope="col">"1 point is worth"</th><th scope="col"><span class="rg-sr-only">"Action"</span></th></tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|c| {
                                let l = locale.get_untracked();
                                let earns = format!(
                                    "{} per {}",
                                    format::quantity(Unit::Points, u64::from(c.earn_points), c.point_value, &l),
                                    format::money(c.earn_per, &l)
                                );
                                let id = c.id.clone();
                                let label = format!("Edit {}", c.name);
                                view! {
                                    <tr data-testid="card-type" data-name=c.name.clone()>
                                        <td>{c.name.clone()}</td>
                                        <td>{c.customer_type.clone()}</td>
                                        <td>{earns}</td>
                                        <td>{format::money(c.point_value, &l)}</td>
                                        <td>
                                            <RowAction testid="edit-card-type" text="Edit" label
                                                manage=Manage::Edit(Some(id)) note=None/>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            {move || { saved.get(); view! { <CardTypeEditor id=editing.get()/> } }}
            {move || { saved.get(); view! { <IssueCardForm/> } }}
        </section>
    }
}

#[component]
fn CardTypeEditor(id: Option<String>) -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let current = id.as_ref().and_then(|id| {
        ctx.flow.with_untracked(|f| {
            f.ui.manage
                .card_types
                .as_ref()
                .and_then(|l| l.iter().find(|c| &c.id == id).cloned())
        })
    });
    let start = current.as_ref().map(CardTypeForm::of).unwrap_or_default();
    let title = match &current {
        Some(c) => format!("Edit {}", c.name),
        None => "Add a card type".to_string(),
    };
    let currency = ctx.flow.with_untracked(|f| {
        f.signed_in
            .policy
            .as_ref()
            .map(|p| p.currency.code().to_string())
            .unwrap_or_default()
    });
    let name = RwSignal::new(start.name);
    let customer_type = RwSignal::new(start.customer_type);
    let earn_points = RwSignal::new(start.earn_points);
    let earn_per = RwSignal::new(start.earn_per);
    let point_value = RwSignal::new(start.point_value);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::Manage(Manage::SaveCardType(CardTypeForm {
            name: name.get_untracked(),
            customer_type: customer_type.get_untracked(),
            earn_points: earn_points.get_untracked(),
            earn_per: earn_per.get_untracked(),
            point_value: point_value.get_untracked(),
        })));
    };
    let err = |f| field_error(Form::CardType, f);
    let editing = current.is_some();
    view! {
        <form on:submit=submit novalidate aria-labelledby="card-type-title" class="rg-subform" data-testid="card-type-form">
            <h3 id="card-type-title">{title}</h3>
            <div class="rg-grid">
                <div class="rg-field"><TextField id="card-type-name" label="Card name" value=name error=err("name") input=Input::OFF hint="e.g. Gold".to_string()/></div>
                <div class="rg-field"><TextField id="card-type-customer_type" label="For customers of type" value=customer_type error=err("customer_type") input=Input::OFF hint="e.g. GST, Normal, Institutional".to_string()/></div>
                <div class="rg-field"><TextField id="card-type-earn_points" label="Points earned" value=earn_points error=err("earn_points") input=Input { mode: Some("numeric"), ..Input::OFF } hint="0 to 1000; 0 earns nothing".to_string()/></div>
                <div class="rg-field"><TextField id="card-type-earn_per" label=format!("For every ({currency})") value=earn_per error=err("earn_per") input=Input::DECIMAL hint="of the bill, e.g. 100.00".to_string()/></div>
                <div class="rg-field"><TextField id="card-type-point_value" label=format!("Value of 1 point ({currency})") value=point_value error=err("point_value") input=Input::DECIMAL hint="when redeemed, e.g. 1.00".to_string()/></div>
            </div>
            <div class="rg-actions">
                <button type="submit" class="rg-btn rg-primary" data-testid="save-card-type" disabled=move || busy.get()>
                    {if editing { "Save card type" } else { "Add card type" }}
                </button>
                {editing.then(|| view! {
                    <button type="button" class="rg-btn rg-secondary" data-testid="cancel-edit" on:click=move |_| ctx.dispatch(Action::Manage(Manage::Edit(None)))>
                        "Cancel"
                    </button>
                })}
            </div>
        </form>
    }
}

#[component]
fn IssueCardForm() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let types = ctx.sel(|f| {
        f.ui.manage
            .card_types
            .as_ref()
            .map(|l| {
                l.iter()
                    .map(|c| c.customer_type.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let (customer, card, customer_type) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let t = customer_type.get_untracked();
        ctx.dispatch(Action::Manage(Manage::IssueCard(IssueCard {
            customer: customer.get_untracked(),
            card: card.get_untracked(),
            customer_type: (!t.trim().is_empty()).then_some(t),
        })));
    };
    let err = |f| field_error(Form::Card, f);
    view! {
        <form on:submit=submit novalidate aria-labelledby="issue-card-title" class="rg-subform">
            <h3 id="issue-card-title">"Issue a card to a customer"</h3>
            <div class="rg-grid">
                <div class="rg-field"><TextField id="issue-customer" label="Customer's mobile, e-mail or current card" value=customer error=err("customer") input=Input::EXACT/></div>
                <div class="rg-field"><TextField id="issue-card" label="New card number" value=card error=err("card") input=Input { autocapitalize: Some("characters"), ..Input::EXACT } hint="As printed on the card".to_string()/></div>
                <div class="rg-field">
                    <TextField id="issue-customer_type" label="Customer type (optional)" value=customer_type error=err("customer_type") input=Input::OFF hint="Leave empty to keep theirs".to_string()/>
                    <p class="rg-hint">{move || {
                        let t = types.get();
                        if t.is_empty() { String::new() } else { format!("Types with a card: {}", t.join(", ")) }
                    }}</p>
                </div>
            </div>
            <button type="submit" class="rg-btn rg-primary" data-testid="issue-card" disabled=move || busy.get()>"Issue card"</button>
        </form>
    }
}
