//! The bill: number and total as typed (standalone mode), or a voucher instead.

use crate::flow::{Action, Field, Flow};
use crate::ui::driver::ctx;
use crate::ui::field::{Input, TextField};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

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
    view! {
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Bill"</h2>
            <form on:submit=submit novalidate>
                <TextField id="bill-id" label="Bill number" value=id error=ctx.field_error(Field::BillId) input=Input::OFF/>
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
            <button class="rg-btn rg-secondary" data-testid="voucher-mode" on:click=move |_| ctx.dispatch(Action::VoucherMode)>
                "Print a loyalty voucher instead (no bill)"
            </button>
        </section>
    }
}
