//! The kiosk's own parts: its screens (the customer types their own number, then the code
//! sent to them: large targets, plain words), and the warning before the screen clears
//! itself. (Its installable manifest is linked by the kiosk's own page.)

mod code;
mod start;

pub use code::KioskCodeScreen;
pub use start::KioskStartScreen;

use crate::flow::Action;
use crate::ui::driver::ctx;
use leptos::prelude::*;

/// "Still there?" before an idle kiosk forgets the customer.
#[component]
pub fn IdleWarning() -> impl IntoView {
    let ctx = ctx();
    let left = ctx.sel(|f| f.idle_warning());
    view! {
        <Show when=move || left.get().is_some()>
            <div class="rg-idle" role="alert" data-testid="idle-warning">
                <p>{move || format!("Still there? For your privacy this screen clears in {} s.", left.get().unwrap_or(0))}</p>
                <button class="rg-btn rg-primary" data-testid="still-here" on:click=move |_| ctx.dispatch(Action::Activity)>
                    "I'm still here"
                </button>
            </div>
        </Show>
    }
}
