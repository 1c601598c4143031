//! The kiosk's own parts: its screens (the customer types their own number, then the code
//! sent to them: large targets, plain words), the warning before the screen clears itself,
//! and its installable manifest.

mod code;
mod start;

pub use code::KioskCodeScreen;
pub use start::KioskStartScreen;

use crate::flow::Action;
use crate::ui::driver::ctx;
use leptos::prelude::*;

/// The kiosk's web app manifest (full-screen, portrait), linked only in kiosk mode so a POS
/// tablet installing the app is not turned into a kiosk.
pub fn install_manifest() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if doc
        .query_selector("link[rel=manifest]")
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    if let (Ok(link), Some(head)) = (doc.create_element("link"), doc.head()) {
        let _ = link.set_attribute("rel", "manifest");
        let _ = link.set_attribute("href", "/kiosk.webmanifest");
        let _ = head.append_child(&link);
    }
}

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
