//! The customer did not get the code: the cashier asks a manager, who approves on their own
//! signed-in device (S8: nothing secret is typed here), then waits for the answer. Where the
//! merchant chose it, a manager at the till may instead type their code, PIN and the store's
//! override code.

use crate::flow::{Action, Field, Flow};
use crate::ui::driver::ctx;
use crate::ui::field::{FieldMsg, FormActions, Input, TextField};
use crate::ui::summary::RedemptionSummary;
use contract::api::Override;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn OverrideScreen() -> impl IntoView {
    let ctx = ctx();
    let reason = RwSignal::new(String::new());
    let ask = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::RequestApproval(reason.get_untracked()));
    };
    let store_code = ctx.flow.with_untracked(Flow::store_code_at_till);
    view! {
        <RedemptionSummary/>
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Customer did not get the code"</h2>
            <p class="rg-muted">
                "Ask a manager to approve this redemption on their own device (Approvals in the back office). Your name, the manager's name and the reason are recorded."
            </p>
            <form on:submit=ask novalidate>
                <TextField
                    id="override-reason"
                    label="Reason"
                    value=reason
                    describedby="override-error"
                    input=Input { placeholder: Some("e.g. SMS not delivered"), ..Input::OFF }
                />
                <FieldMsg id="override-error" text=ctx.field_error(Field::Override)/>
                <FormActions
                    submit=("request-approval", "Ask a manager to approve".into())
                    back=("back-to-otp", "Back to the code", Action::CloseOverride)
                />
            </form>
            {store_code.then(|| view! { <StoreCodeForm reason/> })}
        </section>
    }
}

/// The merchant's option (off by default): a manager at the till types their code, PIN and
/// the store's override code. The reason is the one above.
#[component]
fn StoreCodeForm(reason: RwSignal<String>) -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let (code, pin, ovr) = (
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
        <form on:submit=submit novalidate data-testid="store-code-form">
            <h3>"Or: the manager is at this till"</h3>
            <TextField id="manager-code" label="Manager code" value=code input=Input::STAFF_CODE/>
            <TextField id="manager-pin" label="Manager PIN" value=pin input=Input::SECRET/>
            <TextField id="override-code" label="Store override code" value=ovr input=Input::SECRET/>
            <div class="rg-actions">
                <button type="submit" class="rg-btn rg-secondary" data-testid="submit-override" disabled=move || busy.get()>
                    "Approve with the store code"
                </button>
            </div>
        </form>
    }
}

/// Waiting for a manager's answer; the flow reads the redemption again every few seconds.
#[component]
pub fn AwaitingApprovalScreen() -> impl IntoView {
    let ctx = ctx();
    let can_cancel = ctx.sel(Flow::can_cancel);
    let reason = ctx.sel(|f| f.approval_request().map(|a| a.reason.clone()));
    view! {
        <RedemptionSummary/>
        <section class="rg-card rg-narrow" data-testid="awaiting-approval">
            <h2 id="screen-title" tabindex="-1">"Waiting for a manager to approve…"</h2>
            <p class="rg-muted">
                "A manager sees this request under Approvals in the back office, on their own device. This screen moves on by itself when they answer."
            </p>
            <p data-testid="approval-reason">
                {move || reason.get().map(|r| format!("Reason: {r}")).unwrap_or_default()}
            </p>
            <div class="rg-actions rg-secondary-actions">
                <button class="rg-btn rg-danger" data-testid="cancel" disabled=move || !can_cancel.get() on:click=move |_| ctx.dispatch(Action::Cancel)>
                    "Cancel redemption"
                </button>
            </div>
        </section>
    }
}
