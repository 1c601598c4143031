//! The back office's approvals (S8): the requests cashiers made when a customer did not get
//! the code, each approved or declined here on the manager's own device. The list refreshes
//! itself every few seconds. Back office only (`ui::surfaces::BACK_OFFICE`).

use crate::flow::{Action, Flow};
use crate::format;
use crate::ui::driver::ctx;
use contract::api::ApprovalRequest;
use leptos::prelude::*;

#[component]
pub fn ApprovalsScreen() -> impl IntoView {
    let ctx = ctx();
    let list = ctx.sel(|f| f.ui.approvals.clone());
    view! {
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Approvals"</h2>
            <p class="rg-muted">
                "Cashiers ask here when a customer did not get the code. Approve only if you are sure the customer is present and agrees. Your name is recorded with the cashier's."
            </p>
            {move || match list.get() {
                None => view! { <p class="rg-muted">"Loading…"</p> }.into_any(),
                Some(l) if l.is_empty() => view! {
                    <p data-testid="no-approvals">"No requests are waiting. This list refreshes by itself."</p>
                }
                .into_any(),
                Some(l) => view! {
                    <ul class="rg-list" data-testid="approvals">
                        {l.into_iter().map(|a| view! { <ApprovalItem a/> }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </section>
    }
}

/// One request: what, for whom, on which bill, who asked where and when, and why.
#[component]
fn ApprovalItem(a: ApprovalRequest) -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.flow.with_untracked(Flow::locale);
    let deciding = ctx.sel(Flow::deciding);
    let what = format::approval_line(&a, &locale);
    let asked = format!(
        "Asked by {} at {}, {}",
        a.cashier_name,
        a.terminal_name,
        format::date_time(a.requested_at_ms, &locale)
    );
    let (yes, no) = (a.id.clone(), a.id.clone());
    view! {
        <li class="rg-instrument" data-testid="approval" data-id=a.id.clone()>
            <p><strong>{what}</strong></p>
            <p class="rg-muted">{asked}</p>
            <p>{format!("Reason: {}", a.reason)}</p>
            <div class="rg-actions">
                <button
                    class="rg-btn rg-primary"
                    data-testid="approve"
                    disabled=move || deciding.get()
                    on:click=move |_| ctx.dispatch(Action::DecideApproval { id: yes.clone(), approve: true })
                >
                    "Approve"
                </button>
                <button
                    class="rg-btn rg-secondary"
                    data-testid="decline"
                    disabled=move || deciding.get()
                    on:click=move |_| ctx.dispatch(Action::DecideApproval { id: no.clone(), approve: false })
                >
                    "Decline"
                </button>
            </div>
        </li>
    }
}
