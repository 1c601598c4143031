//! The customer types their own mobile or loyalty card number.

use crate::flow::{Action, Field};
use crate::ui::driver::ctx;
use crate::ui::field::{Input, TextField};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn KioskStartScreen() -> impl IntoView {
    let ctx = ctx();
    let number = RwSignal::new(String::new());
    let busy = ctx.busy();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::KioskIdentify(number.get_untracked()));
    };
    view! {
        <section class="rg-card rg-narrow rg-kiosk-start">
            <h2 id="screen-title" tabindex="-1">"Use your loyalty points and benefits"</h2>
            <p class="rg-lead">"We will send a code to your phone so only you can use your points."</p>
            <form on:submit=submit novalidate>
                <TextField
                    id="kiosk-number"
                    label="Your mobile number or loyalty card number"
                    value=number
                    error=ctx.field_error(Field::Query)
                    input=Input { mode: Some("tel"), class: Some("rg-kiosk-input"), ..Input::EXACT }
                />
                <button type="submit" class="rg-btn rg-primary rg-wide" data-testid="kiosk-send" disabled=move || busy.get()>
                    "Send me a code"
                </button>
            </form>
        </section>
    }
}
