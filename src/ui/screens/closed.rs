//! A redemption that ended without a receipt, saying truthfully what happened to the points.

use crate::flow::{Action, Closed};
use crate::ui::driver::ctx;
use leptos::prelude::*;

#[component]
pub fn ClosedScreen(why: Closed) -> impl IntoView {
    let ctx = ctx();
    view! {
        <section class="rg-card rg-narrow" data-testid="closed" data-reason=why.name()>
            <h2 id="screen-title" tabindex="-1">{why.title()}</h2>
            <p>{why.explanation()}</p>
            <div class="rg-actions">
                <button class="rg-btn rg-primary" data-testid="start-over" on:click=move |_| ctx.dispatch(Action::StartOver)>
                    "Start again"
                </button>
            </div>
        </section>
    }
}
