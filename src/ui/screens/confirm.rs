//! "Redeem 500 points (₹500.00) on bill #123?": one commit, told truthfully while its outcome
//! is unknown.

use crate::flow::{Action, CommitState, Flow, Msg};
use crate::ui::driver::ctx;
use crate::{format, platform};
use leptos::prelude::*;

#[component]
pub fn ConfirmScreen() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let r = ctx.sel(|f| f.redemption.intent.clone());
    let commit = ctx.sel(|f| f.redemption.commit.as_ref().map(|c| (c.state, c.attempts)));
    let can_confirm = ctx.sel(Flow::can_confirm);
    let can_cancel = ctx.sel(Flow::can_cancel);
    let question = move || {
        r.get()
            .map(|r| {
                format::confirm_question(
                    r.unit,
                    r.quantity,
                    r.value,
                    format::bill_id(&r.purpose).as_deref(),
                    &locale.get(),
                )
            })
            .unwrap_or_default()
    };
    let status = move || match commit.get() {
        None => String::new(),
        Some((CommitState::InFlight, 1)) => "Redeeming…".into(),
        Some((CommitState::InFlight, n)) => {
            format!("Checking whether it went through (attempt {n})…")
        }
        Some((CommitState::Retrying, _)) => {
            "No answer yet. Not known whether the points were redeemed: checking again…".into()
        }
        Some((CommitState::Unknown, _)) => {
            "Not known whether the points were redeemed. Do not redeem again: tap Check again."
                .into()
        }
    };
    let state = move || match commit.get() {
        None => "idle",
        Some((CommitState::InFlight, _)) => "in_flight",
        Some((CommitState::Retrying, _)) => "retrying",
        Some((CommitState::Unknown, _)) => "unknown",
    };
    let unknown = move || matches!(commit.get(), Some((CommitState::Unknown, _)));
    view! {
        <section class="rg-card rg-narrow rg-confirm" aria-labelledby="screen-title">
            <h2 id="screen-title" tabindex="-1">"Confirm redemption"</h2>
            <p class="rg-question" data-testid="confirm-question">{question}</p>
            <p class="rg-muted">{move || r.get().map(|r| format!("Customer: {}", r.customer_name)).unwrap_or_default()}</p>
            <p class="rg-commit-status" data-testid="commit-status" data-state=state>{status}</p>
            <div class="rg-actions">
                <button
                    class="rg-btn rg-primary"
                    data-testid="confirm"
                    disabled=move || !can_confirm.get()
                    on:click=move |_| ctx.dispatch(Action::Confirm { fresh_key: platform::uuid() })
                >
                    "Yes, redeem"
                </button>
                <Show when=unknown>
                    <button class="rg-btn rg-primary" data-testid="retry-commit" on:click=move |_| ctx.dispatch(Msg::RetryCommit)>
                        "Check again"
                    </button>
                </Show>
                <button
                    class="rg-btn rg-danger"
                    data-testid="cancel"
                    disabled=move || !can_cancel.get()
                    on:click=move |_| ctx.dispatch(Action::Cancel)
                >
                    "No, cancel"
                </button>
            </div>
        </section>
    }
}
