//! The store's override code: set or rotated here; the old one stops working at once.

use super::{field_error, saved};
use crate::flow::{Action, Form, Manage};
use crate::ui::driver::ctx;
use crate::ui::field::{Input, TextField};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn OverrideCodeScreen() -> impl IntoView {
    let ctx = ctx();
    let store_code_on = ctx.sel(|f| {
        f.signed_in
            .policy
            .as_ref()
            .is_some_and(|p| p.override_store_code)
    });
    let saved = saved();
    view! {
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Override code"</h2>
            <p class="rg-muted">
                "With the store's policy allowing it, a manager types this code with their own PIN at the till when a customer did not get their code. Change it whenever someone who knew it leaves, or if you think a cashier has seen it."
            </p>
            <p data-testid="store-code-state">
                {move || if store_code_on.get() {
                    "The policy accepts the store code at the till."
                } else {
                    "The policy does not accept the store code at the till now (Policy, Manager override): managers approve under Approvals instead."
                }}
            </p>
            {move || { saved.get(); view! { <CodeForm/> } }}
        </section>
    }
}

#[component]
fn CodeForm() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let (code, again) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::Manage(Manage::SetOverrideCode {
            code: code.get_untracked(),
            again: again.get_untracked(),
        }));
    };
    view! {
        <form on:submit=submit novalidate>
            <TextField id="override-new" label="New override code" value=code error=field_error(Form::OverrideCode, "code")
                input=Input::NEW_SECRET hint="8 to 12 digits, not a run like 12345678 or one digit repeated".to_string()/>
            <TextField id="override-again" label="The new code again" value=again error=field_error(Form::OverrideCode, "again") input=Input::NEW_SECRET/>
            <button type="submit" class="rg-btn rg-primary" data-testid="set-override-code" disabled=move || busy.get()>"Change override code"</button>
        </form>
    }
}
