//! Find the customer by mobile, card number or name; contacts shown masked.

use crate::flow::{Action, Field, Flow};
use crate::format;
use crate::ui::driver::ctx;
use crate::ui::field::{Input, TextField};
use crate::ui::summary::BillSummary;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn CustomerScreen() -> impl IntoView {
    let ctx = ctx();
    let q = RwSignal::new(String::new());
    let busy = ctx.busy();
    let results = ctx.sel(|f| f.sale.customers.clone());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::Search(q.get_untracked()));
    };
    view! {
        <BillSummary/>
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Find the customer"</h2>
            <form role="search" on:submit=submit novalidate>
                <TextField
                    id="customer-q"
                    label="Mobile number, card number or name"
                    value=q
                    error=ctx.field_error(Field::Query)
                    input=Input { kind: Some("search"), class: Some("rg-grow"), ..Input::EXACT }
                    beside=Box::new(move || view! {
                        <button type="submit" class="rg-btn rg-primary" data-testid="search" disabled=move || busy.get()>
                            "Search"
                        </button>
                    }.into_any())
                />
            </form>
            <ul class="rg-list" aria-label="Customers found">
                {move || {
                    results
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|c| {
                            let id = c.id.clone();
                            view! {
                                <li>
                                    <button
                                        class="rg-btn rg-result"
                                        data-testid="customer-result"
                                        data-customer-id=c.id.clone()
                                        disabled=move || busy.get()
                                        on:click=move |_| ctx.dispatch(Action::ChooseCustomer(id.clone()))
                                    >
                                        <strong>{c.name.clone()}</strong>
                                        <span class="rg-muted">{format::contacts(&c)}</span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
        <VoucherIn/>
    }
}

/// A printed voucher handed in: its code typed or scanned, taken off the bill once.
#[component]
fn VoucherIn() -> impl IntoView {
    let ctx = ctx();
    let shown = ctx.sel(Flow::takes_vouchers);
    let taken = ctx.sel(|f| f.sale.vouchers_taken);
    let busy = ctx.busy();
    move || {
        taken.get();
        let code = RwSignal::new(String::new());
        let submit = move |ev: SubmitEvent| {
            ev.prevent_default();
            ctx.dispatch(Action::TakeVoucher(code.get_untracked()));
        };
        view! {
            <Show when=move || shown.get()>
                <section class="rg-card" aria-labelledby="voucher-in-title">
                    <h3 id="voucher-in-title">"Customer has a printed loyalty voucher"</h3>
                    <form on:submit=submit novalidate>
                        <TextField
                            id="voucher-code"
                            label="Voucher code (RGV-…)"
                            value=code
                            error=ctx.field_error(Field::Voucher)
                            input=Input { autocapitalize: Some("characters"), class: Some("rg-grow"), ..Input::EXACT }
                            beside=Box::new(move || view! {
                                <button type="submit" class="rg-btn rg-secondary" data-testid="take-voucher" disabled=move || busy.get()>
                                    "Take off the bill"
                                </button>
                            }.into_any())
                        />
                    </form>
                </section>
            </Show>
        }
    }
}
