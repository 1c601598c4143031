//! How much to redeem: the allowed range before typing, every bad quantity explained as it is
//! typed (the contract's rules, S10), the value it is worth.

use crate::flow::{Action, Field, Flow};
use crate::format;
use crate::ui::channel_choice::{chosen_channel, ChannelChoice};
use crate::ui::driver::ctx;
use crate::ui::field::{Entry, FormActions, Input, TextField};
use crate::ui::summary::BillSummary;
use contract::{Money, Unit};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn RedeemScreen() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let entry = Entry::new();
    let input = entry.text;
    let server_err = ctx.field_error(Field::Quantity);
    let inst = ctx.sel(|f| f.instrument().cloned());
    let range = ctx.sel(|f| f.allowed_range().and_then(Result::ok));
    let unit_value = ctx.sel(|f| {
        f.instrument().map(|i| {
            contract::rules::unit_value(&f.rules_policy().expect("signed in"), i.kind, i.unit_value)
        })
    });
    // Inline check with the contract's rules as the cashier types (S10).
    let checked = Memo::new(move |_| {
        let text = input.get();
        ctx.flow.with(|f| f.check(&text))
    });
    let inline = Signal::derive(move || {
        if input.with(|s| s.trim().is_empty()) {
            return entry.answer(server_err);
        }
        match checked.get() {
            Some(Err(e)) => Some(match ctx.flow.with(Flow::words) {
                Some(w) => e.words(&w),
                None => e.to_string(),
            }),
            _ => entry.answer(server_err),
        }
    });
    let may_need_code = ctx.sel(Flow::code_may_still_be_needed);
    let preview = move || {
        let loc = locale.get();
        match checked.get() {
            Some(Ok(c)) => {
                let code = if c.otp_required {
                    "the customer's code is needed"
                } else if may_need_code.get() {
                    // The backend adds the customer's earlier no-code redemptions (S12).
                    "no code needed, unless earlier redemptions without one reach the minimum"
                } else {
                    "no code needed"
                };
                format!("= {} · {code}", format::money(c.value, &loc))
            }
            _ => String::new(),
        }
    };
    let range_text = move || {
        let loc = locale.get();
        match (inst.get(), range.get(), unit_value.get()) {
            (Some(i), Some(r), Some(uv)) => {
                let per = if i.unit == Unit::Credit {
                    String::new()
                } else {
                    format!(" 1 {} = {}.", i.unit.noun(1), format::money(uv, &loc))
                };
                format!(
                    "Allowed: {} to {} (limited by {}).{per}",
                    format::units(&i, r.min, &loc),
                    format::units(&i, r.max, &loc),
                    format::limit(r.limited_by)
                )
            }
            _ => String::new(),
        }
    };
    // The keyboard suits the instrument, which stays the same for the life of this screen.
    let keypad = if inst.get_untracked().is_some_and(|i| i.unit == Unit::Credit) {
        "decimal"
    } else {
        "numeric"
    };
    let label = move || match inst.get() {
        Some(i) if i.unit == Unit::Credit => {
            format!("Amount to redeem ({})", i.unit_value.currency())
        }
        Some(i) => format!("{} to redeem", capitalise(i.unit.noun(2))),
        None => String::new(),
    };
    let use_max = move |_| {
        if let (Some(r), Some(i)) = (range.get_untracked(), inst.get_untracked()) {
            let text = match i.unit {
                Unit::Credit => Money::new(r.max, i.unit_value.currency())
                    .map(|m| m.to_decimal_string())
                    .unwrap_or_default(),
                _ => r.max.to_string(),
            };
            input.set(text);
        }
    };
    // Where a code goes is chosen here, with the quantity: holding sends it (one tap).
    let sends_code = ctx.sel(Flow::sends_code_on_hold);
    let channel = chosen_channel(ctx, None);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let send = sends_code.get_untracked().then(|| channel.get_untracked());
        ctx.dispatch(Action::Hold {
            quantity: entry.submit(),
            send,
        });
    };
    // "Send code" when this quantity surely or perhaps needs the customer's code.
    let submit_text = Signal::derive(move || {
        let no_code =
            matches!(checked.get(), Some(Ok(c)) if !c.otp_required) && !may_need_code.get();
        if sends_code.get() && !no_code {
            "Send code"
        } else {
            "Continue"
        }
    });
    view! {
        <BillSummary/>
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">{move || inst.get().map(|i| format!("Redeem {}", i.label)).unwrap_or_default()}</h2>
            <p id="allowed-range" class="rg-range" data-testid="allowed-range">{range_text}</p>
            <form on:submit=submit novalidate>
                <TextField
                    id="quantity"
                    label=label
                    value=input
                    error=inline
                    describedby="allowed-range quantity-error quantity-value"
                    input=Input { mode: Some(keypad), class: Some("rg-grow"), ..Input::OFF }
                    beside=Box::new(move || view! {
                        <button type="button" class="rg-btn rg-secondary" data-testid="use-max" on:click=use_max>
                            "Maximum"
                        </button>
                    }.into_any())
                />
                <p id="quantity-value" class="rg-preview" data-testid="quantity-value">{preview}</p>
                <Show when=move || sends_code.get()>
                    <ChannelChoice ctx=ctx channel=channel legend="Send the code by"/>
                </Show>
                <FormActions submit=("hold", submit_text) back=("back-to-balance", "Back", Action::BackToBalance)/>
            </form>
        </section>
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
