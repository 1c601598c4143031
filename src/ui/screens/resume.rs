//! After a reload: an unfinished redemption was found; continue it or cancel it.

use crate::flow::{Action, Flow};
use crate::format;
use crate::ui::driver::ctx;
use contract::api::RedemptionStatus;
use leptos::prelude::*;

#[component]
pub fn ResumeScreen() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let r = ctx.sel(|f| f.redemption.intent.clone());
    let busy = ctx.busy();
    let can_cancel = ctx.sel(Flow::can_cancel);
    let text = move || {
        r.get()
            .map(|r| {
                let state = if r.status == RedemptionStatus::Approved {
                    "approved but not yet confirmed"
                } else {
                    "waiting for the customer's code"
                };
                format!("{}: {state}.", format::redemption_line(&r, &locale.get()))
            })
            .unwrap_or_default()
    };
    view! {
        <section class="rg-card rg-narrow" data-testid="resume">
            <h2 id="screen-title" tabindex="-1">"Unfinished redemption"</h2>
            <p>{text}</p>
            <div class="rg-actions">
                <button class="rg-btn rg-primary" data-testid="resume-continue" disabled=move || busy.get() on:click=move |_| ctx.dispatch(Action::ResumeContinue)>
                    "Continue it"
                </button>
                <button class="rg-btn rg-danger" data-testid="resume-cancel" disabled=move || !can_cancel.get() on:click=move |_| ctx.dispatch(Action::Cancel)>
                    "Cancel it"
                </button>
            </div>
        </section>
    }
}
