//! The whole app: started with a configuration (till, kiosk or widget), driven by one tick a
//! second, showing the flow's screen.

use crate::backend::{Backend, HttpConfig};
use crate::flow::{Action, Mode, Msg, Screen};
use crate::platform;
use crate::ui::chrome::{StatusLine, TopBar};
use crate::ui::driver::{AppConfig, Ctx};
use crate::ui::surfaces::Surface;
use leptos::prelude::*;
use std::rc::Rc;
use std::time::Duration;

/// The whole app over any backend.
/// What moves the focus when it changes: the screen, a reset, a code sent (its tries), and
/// an answer about a field.
type FocusKey = (
    Screen,
    u32,
    Option<u8>,
    Option<(crate::flow::Field, String)>,
);

#[component]
pub fn App(
    backend: Rc<dyn Backend>,
    #[prop(optional)] config: AppConfig,
    /// The screens this surface can show (`ui::surfaces`).
    surface: Surface,
) -> impl IntoView {
    let ctx = Ctx::new(backend, &config, surface.handler);
    provide_context(ctx);
    let terminal_token = config.terminal_token.or_else(|| {
        config
            .mode
            .remembers_terminal()
            .then(|| platform::load(false, platform::TERMINAL_KEY))
            .flatten()
    });
    let pending_redemption = config.pending_redemption.or_else(|| {
        config
            .mode
            .remembers_pending()
            .then(|| platform::load(true, platform::PENDING_KEY))
            .flatten()
    });
    ctx.dispatch(Action::Start {
        terminal_token,
        pending_redemption,
    });
    if let Some(session) = config.session {
        ctx.dispatch(Action::KeptSession(Box::new(session)));
    }
    if let Some(bill) = config.bill {
        ctx.dispatch(Action::HostBill(bill));
    }

    // One tick a second drives countdowns and the hold's expiry.
    if let Ok(handle) =
        set_interval_with_handle(move || ctx.dispatch(Msg::Tick), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }

    let screen = ctx.sel(|f| f.ui.screen);
    // A kiosk reset rebuilds the screen even when it stays the same, dropping typed text.
    let page = ctx.sel(|f| (f.ui.screen, f.ui.epoch));
    // Focus follows the work (issue 13): on a new screen, its first input (else its heading,
    // so keyboard and screen-reader users follow along); after a code is sent, the code's
    // field; after an answer that names a field, that field.
    let root = ctx.root;
    let focus_key = ctx.sel(|f| {
        (
            f.ui.screen,
            f.ui.epoch,
            f.code().attempts_left,
            f.ui.field_error.as_ref().map(|e| (e.field, e.text.clone())),
        )
    });
    Effect::new(move |prev: Option<FocusKey>| {
        let now = focus_key.get();
        let first = prev.is_none();
        // A new screen, a reset or a code sent moves the focus; so does a new answer about a
        // field, but not the clearing of one (every action clears it, mid-request).
        let moved = prev
            .as_ref()
            .is_none_or(|p| p.0 != now.0 || p.1 != now.1 || p.2 != now.2);
        let new_error = now.3.is_some() && prev.as_ref().is_some_and(|p| p.3 != now.3);
        if moved || new_error {
            let to_error = now.3.is_some();
            request_animation_frame(move || {
                if let Some(el) = root.get_untracked() {
                    platform::focus_first(&el, to_error, first);
                }
            });
        }
        now
    });
    let embedded = config.mode.embedded();
    // Any touch or key postpones a kiosk's idle reset.
    let activity = move || {
        if ctx.mode().idle_reset() {
            ctx.dispatch(Action::Activity);
        }
    };

    view! {
        <div
            class="rg-app"
            data-testid="app"
            data-mode=config.mode.name()
            node_ref=root
            on:pointerdown=move |_| activity()
            on:keydown=move |_| activity()
        >
            <TopBar/>
            <StatusLine/>
            {(surface.overlay)()}
            // A widget is one region of its host's page, never the page's main landmark.
            <div
                class="rg-main"
                role=if embedded { "region" } else { "main" }
                aria-label=embedded.then_some("Loyalty redemption")
                data-screen=move || screen.get().name()
            >
                {move || (surface.screen)(page.get().0)}
            </div>
        </div>
    }
}

/// Mounts a surface's app on `<body>` with the HTTP backend. The backend URL comes from
/// `<meta name="redeemguard-backend" content="https://…">` (same origin when absent).
pub fn mount_surface(mode: Mode, surface: Surface) {
    let base = platform::meta("redeemguard-backend").unwrap_or_default();
    let backend = (surface.http)(HttpConfig::with_base_url(&base));
    let config = AppConfig {
        mode,
        ..AppConfig::default()
    };
    leptos::mount::mount_to_body(move || view! { <App backend config surface/> });
}
