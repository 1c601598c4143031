//! The bill: number and total as typed (standalone mode), or a voucher instead.

use crate::flow::{Action, Field, Flow};
use crate::ui::driver::ctx;
use crate::ui::field::{Input, TextField};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

#[component]
pub fn BillScreen() -> impl IntoView {
    let ctx = ctx();
    // "Change" keeps what was typed, to correct rather than retype.
    let (id, total) = ctx.flow.with_untracked(Flow::bill_draft);
    let (id, total) = (RwSignal::new(id), RwSignal::new(total));
    let currency = ctx.sel(|f| {
        f.signed_in
            .policy
            .as_ref()
            .map(|p| p.currency.code().to_string())
            .unwrap_or_default()
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::EnterBill {
            id: id.get_untracked(),
            total: total.get_untracked(),
        });
    };
    // Enter in the bill number goes on to the total while that is empty (a touch keyboard's
    // "Next"), instead of submitting a half-typed bill.
    let next = move |ev: KeyboardEvent| {
        let on_id = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| e.id() == "bill-id");
        if ev.key() != "Enter" || !on_id || !total.with_untracked(|t| t.trim().is_empty()) {
            return;
        }
        ev.prevent_default();
        let field = ev
            .current_target()
            .and_then(|f| f.dyn_into::<web_sys::Element>().ok())
            .and_then(|f| f.query_selector("#bill-total").ok().flatten())
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(field) = field {
            let _ = field.focus();
        }
    };
    view! {
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Bill"</h2>
            <form on:submit=submit on:keydown=next novalidate>
                <TextField
                    id="bill-id"
                    label="Bill number"
                    value=id
                    error=ctx.field_error(Field::BillId)
                    input=Input { enterkeyhint: Some("next"), ..Input::OFF }
                />
                <TextField
                    id="bill-total"
                    label=move || format!("Bill total ({})", currency.get())
                    value=total
                    error=ctx.field_error(Field::BillTotal)
                    input=Input::DECIMAL
                />
                <button type="submit" class="rg-btn rg-primary" data-testid="bill-next">
                    "Find customer"
                </button>
            </form>
            // A loyalty voucher needs no bill: it is offered with the customer's balance,
            // to a customer who can have one (seed 004).
            <button class="rg-btn rg-secondary" data-testid="skip-bill" on:click=move |_| ctx.dispatch(Action::SkipBill)>
                "No bill (a loyalty voucher): find the customer"
            </button>
        </section>
    }
}
