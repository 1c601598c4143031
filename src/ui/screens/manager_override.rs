//! A manager approves without the customer's code (only when the code did not arrive).

use crate::flow::{Action, Field};
use crate::ui::driver::ctx;
use crate::ui::field::{FieldMsg, FormActions, Input, TextField};
use crate::ui::summary::RedemptionSummary;
use contract::api::Override;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn OverrideScreen() -> impl IntoView {
    let ctx = ctx();
    let (code, pin, ovr, reason) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::SubmitOverride(Override {
            manager_code: code.get_untracked().trim().to_string(),
            manager_pin: pin.get_untracked(),
            override_code: ovr.get_untracked().trim().to_string(),
            reason: reason.get_untracked().trim().to_string(),
        }));
        pin.set(String::new());
        ovr.set(String::new());
    };
    view! {
        <RedemptionSummary/>
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Manager override"</h2>
            <p class="rg-muted">
                "Only when the customer did not receive the code. The manager's name and the reason are recorded."
            </p>
            <form on:submit=submit novalidate>
                <TextField id="manager-code" label="Manager code" value=code input=Input::STAFF_CODE/>
                <TextField id="manager-pin" label="Manager PIN" value=pin input=Input::SECRET/>
                <TextField id="override-code" label="Store override code" value=ovr input=Input::SECRET/>
                // The form's message (any of the four may be wrong), read with the reason.
                <TextField
                    id="override-reason"
                    label="Reason"
                    value=reason
                    describedby="override-error"
                    input=Input { placeholder: Some("e.g. SMS not delivered"), ..Input::OFF }
                />
                <FieldMsg id="override-error" text=ctx.field_error(Field::Override)/>
                <FormActions
                    submit=("submit-override", "Approve with override")
                    back=("back-to-otp", "Back to the code", Action::CloseOverride)
                />
            </form>
        </section>
    }
}
