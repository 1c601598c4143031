//! The receipt (and a printed voucher): redeemed, value, balance before and after, who and
//! when; printable.

use crate::flow::Action;
use crate::ui::driver::ctx;
use crate::{format, platform};
use contract::api::Approval;
use contract::rules::Purpose;
use contract::Money;
use leptos::prelude::*;

#[component]
pub fn ReceiptScreen() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let receipt = ctx.sel(|f| f.redemption.receipt.clone());
    let mode = ctx.mode();
    let row = |k: &'static str, v: String, id: &'static str| view! { <dt>{k}</dt><dd data-testid=id>{v}</dd> };
    view! {
        <section class="rg-card rg-narrow rg-receipt">
            {move || {
                let loc = locale.get();
                receipt
                    .get()
                    .map(|r| {
                        let approval = match &r.approval {
                            Approval::Otp { channel } => format!("Customer's code ({})", channel.label()),
                            Approval::Override { manager_name, reason } => format!("Manager override by {manager_name}: {reason}"),
                            Approval::NotRequired => "No code needed".to_string(),
                        };
                        let bill = match &r.purpose {
                            Purpose::Bill { bill } => format!("#{} ({})", bill.id(), format::money(bill.total(), &loc)),
                            Purpose::Voucher => "Printed voucher".to_string(),
                        };
                        // What is left to pay on the bill after every redemption on it (S12).
                        let left = match (&r.purpose, r.bill_redeemed) {
                            (Purpose::Bill { bill }, Some(all)) => Money::new(
                                bill.total().minor().saturating_sub(all.minor()),
                                bill.total().currency(),
                            )
                            .ok()
                            .map(|m| format::money(m, &loc)),
                            _ => None,
                        };
                        let uv = Money::new(1, r.value.currency()).unwrap_or(r.value);
                        let bal = |q| format::quantity(r.unit, q, uv, &loc);
                        let voucher = r.voucher.clone().map(|v| {
                            view! {
                                <div class="rg-voucher" data-testid="voucher">
                                    <p class="rg-voucher-title">"Loyalty voucher"</p>
                                    <p class="rg-voucher-value">{format::money(v.value, &loc)}</p>
                                    <p class="rg-voucher-code" data-testid="voucher-code">{v.code.clone()}</p>
                                    <p>{format!("Valid until {}", format::date(v.valid_until_ms, &loc))}</p>
                                    <p class="rg-muted">{format!("{} · {}", r.store_name, r.customer_name)}</p>
                                    // The code went to the customer too: losing the paper (or
                                    // walking away from the kiosk) loses nothing.
                                    {v.sent_to.clone().map(|to| {
                                        let own = mode.self_service();
                                        view! {
                                            <p class="rg-no-print" data-testid="voucher-sent-to">
                                                {if own {
                                                    format!("We are also sending this code to you at {to}.")
                                                } else {
                                                    format!("The code is also being sent to the customer at {to}.")
                                                }}
                                            </p>
                                        }
                                    })}
                                </div>
                            }
                        });
                        view! {
                            <h2 id="screen-title" tabindex="-1">"Redeemed"</h2>
                            <p class="rg-question" data-testid="receipt-line">{format::receipt_line(&r, &loc)}</p>
                            <dl class="rg-receipt-list" data-testid="receipt">
                                {row("Customer", r.customer_name.clone(), "receipt-customer")}
                                {row("Redeemed from", r.instrument_label.clone(), "receipt-instrument")}
                                {row("Value", format::money(r.value, &loc), "receipt-value")}
                                {row("Balance before", bal(r.balance_before), "receipt-before")}
                                {row("Balance after", bal(r.balance_after), "receipt-after")}
                                {row("Bill", bill, "receipt-bill")}
                                {left.map(|l| row("Left to pay on the bill", l, "receipt-bill-left"))}
                                {row("Approved by", approval, "receipt-approval")}
                                {row("Cashier", r.cashier_name.clone(), "receipt-cashier")}
                                {row("Terminal", format!("{} · {}", r.store_name, r.terminal_name), "receipt-terminal")}
                                {row("Time", format::date_time(r.committed_at_ms, &loc), "receipt-time")}
                                {row("Redemption id", r.redemption_id.clone(), "receipt-id")}
                            </dl>
                            {voucher}
                        }
                    })
            }}
            <div class="rg-actions rg-no-print">
                // Printing from a widget would print the host's whole page: the host prints.
                <Show when=move || !mode.embedded()>
                    <button class="rg-btn rg-secondary" data-testid="print" on:click=move |_| platform::print()>
                        {move || if receipt.get().is_some_and(|r| r.voucher.is_some()) { "Print voucher" } else { "Print receipt" }}
                    </button>
                </Show>
                <button class="rg-btn rg-primary" data-testid="next-customer" on:click=move |_| ctx.dispatch(Action::NextCustomer)>
                    {if mode.self_service() {
                        "I'm done"
                    } else if mode.embedded() {
                        "Redeem more"
                    } else {
                        "Next customer"
                    }}
                </button>
            </div>
        </section>
    }
}
