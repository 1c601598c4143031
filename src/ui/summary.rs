//! The bars above a screen: the bill being served, and the redemption under way.

use crate::flow::{Action, Flow};
use crate::ui::driver::ctx;
use crate::{format, messages};
use contract::rules::Purpose;
use leptos::prelude::*;

/// "Bill #123 · ₹1,000.00" (and, after redemptions on it, what is left to pay) with a Change
/// button (not for host-supplied bills).
#[component]
pub fn BillSummary() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let purpose = ctx.sel(|f| f.sale.purpose.clone());
    // After earlier redemptions on the bill: what is left to pay (S12).
    let left = ctx.sel(Flow::bill_left);
    let can_change = ctx.sel(Flow::can_change_bill);
    if !ctx.mode().has_bill() {
        return ().into_any(); // a kiosk has no bill: everything becomes a voucher
    }
    view! {
        <div class="rg-billbar" data-testid="bill-summary">
            <span>
                {move || match purpose.get() {
                    Some(Purpose::Bill { bill }) => {
                        format!("Bill #{} · {}", bill.id(), format::money(bill.total(), &locale.get()))
                    }
                    Some(Purpose::Voucher) => "Printed loyalty voucher (no bill)".to_string(),
                    None => "No bill yet".to_string(),
                }}
            </span>
            {move || left.get().map(|m| view! {
                <span data-testid="bill-left">{format!("{} left to pay", format::money(m, &locale.get()))}</span>
            })}
            <Show when=move || can_change.get()>
                <button class="rg-btn rg-quiet" data-testid="change-bill" on:click=move |_| ctx.dispatch(Action::ChangeBill)>
                    {move || if purpose.with(Option::is_none) { "Enter the bill" } else { "Change" }}
                </button>
            </Show>
        </div>
    }
    .into_any()
}

/// "500 points (₹500.00) of Loyalty points for Asha Rao on bill #123" and the hold's
/// countdown.
#[component]
pub fn RedemptionSummary() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let r = ctx.sel(|f| f.redemption.intent.clone());
    let hold = ctx.sel(Flow::hold_seconds_left);
    let text = move || {
        r.get()
            .map(|r| format::redemption_line(&r, &locale.get()))
            .unwrap_or_default()
    };
    view! {
        <div class="rg-billbar" data-testid="redemption-summary">
            <span>{text}</span>
            <span class="rg-muted" data-testid="hold-left">
                {move || hold.get().map(|s| format!("Hold ends in {}", messages::clock(s))).unwrap_or_default()}
            </span>
        </div>
    }
}
