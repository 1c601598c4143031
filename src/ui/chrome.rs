//! The frame around every screen: the top bar (who is signed in, staff controls) and the
//! status line.

use crate::flow::{Action, Flow, Tone};
use crate::ui::driver::ctx;
use leptos::prelude::*;

#[component]
pub fn TopBar() -> impl IntoView {
    let ctx = ctx();
    let who = ctx.sel(|f| {
        f.signed_in.session.as_ref().map(|s| {
            let role = if f.is_manager() { " (manager)" } else { "" };
            (
                format!("{}{role}", s.staff.name),
                // The till first: on a narrow bar the store's name is what gets cut.
                format!("{} · {}", s.terminal.name, s.store.name),
            )
        })
    });
    let offers_back_office = ctx.sel(Flow::offers_back_office);
    if ctx.mode().self_service() {
        // A customer's screen: the store's name, and no staff controls at all.
        let store = ctx.sel(|f| f.signed_in.session.as_ref().map(|s| s.store.name.clone()));
        return view! {
            <header class="rg-bar">
                <h1 class="rg-brand">{move || store.get().unwrap_or_else(|| "RedeemGuard".into())}</h1>
                <span class="rg-where">"Loyalty self-service"</span>
            </header>
        }
        .into_any();
    }
    // Signing out mid-commit would leave the cashier without the outcome.
    let can_sign_out = ctx.sel(Flow::can_sign_out);
    let committing = ctx.sel(Flow::committing);
    // In a widget the host page owns the banner and the page's first heading.
    let widget = ctx.mode().embedded();
    view! {
        <div class="rg-bar" role=(!widget).then_some("banner")>
            {if widget {
                view! { <span class="rg-brand">"RedeemGuard"</span> }.into_any()
            } else {
                view! { <h1 class="rg-brand">{ctx.mode().title()}</h1> }.into_any()
            }}
            {move || {
                who.get()
                    .map(|(name, place)| {
                        view! {
                            <span class="rg-where" data-testid="where" title=place.clone()>{place.clone()}</span>
                            <span class="rg-who" data-testid="whoami">{name}</span>
                            // The back office is a page of its own: the till never downloads
                            // the manager's screens.
                            <Show when=move || offers_back_office.get()>
                                <a class="rg-btn rg-quiet" href="/back-office" data-testid="open-back-office">
                                    "Back office"
                                </a>
                            </Show>
                            <button
                                class="rg-btn rg-quiet"
                                data-testid="sign-out"
                                disabled=move || !can_sign_out.get()
                                on:click=move |_| ctx.dispatch(Action::SignOut)
                            >
                                "Sign out"
                            </button>
                        }
                    })
            }}
            <Show when=move || widget>
                <button
                    class="rg-btn rg-quiet"
                    data-testid="close-widget"
                    disabled=move || committing.get()
                    on:click=move |_| ctx.dispatch(Action::Close)
                >
                    "Close"
                </button>
            </Show>
        </div>
    }
    .into_any()
}

/// The status line: an ARIA live region with reserved height, so messages never shift layout.
#[component]
pub fn StatusLine() -> impl IntoView {
    let ctx = ctx();
    let notice = ctx.sel(|f| f.ui.notice.clone());
    // Shown in the band: a notice the screen does not already show.
    let shown = move || notice.get().filter(|n| !n.on_screen);
    let tone = move || match shown().map(|n| n.tone) {
        Some(Tone::Error) => "error",
        Some(Tone::Success) => "success",
        Some(Tone::Info) => "info",
        None => "none",
    };
    // The one live region: the status line; a notice the screen already shows, and
    // otherwise the latest answer about a field ("Wrong code: 4 tries left"), shown at its
    // field, are only read out here.
    let field_error = ctx.sel(|f| f.ui.field_error.as_ref().map(|e| e.text.clone()));
    let spoken = move || match notice.get() {
        Some(n) if n.on_screen => n.text,
        Some(_) => String::new(),
        None => field_error.get().unwrap_or_default(),
    };
    view! {
        <p id="status" class="rg-status" role="status" aria-live="polite" data-tone=tone>
            {move || shown().map(|n| n.text).unwrap_or_default()}
            <span class="rg-sr-only" data-testid="status-field">{spoken}</span>
        </p>
    }
}
