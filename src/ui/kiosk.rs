//! Kiosk screens: the customer types their own number, then the code sent to them. Large
//! targets, plain words, and a visible warning before the screen clears itself.

use super::{ctx, FieldMsg};
use crate::flow::{Action, Field, Flow};
use crate::messages;
use leptos::ev::SubmitEvent;
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

#[component]
pub fn KioskStartScreen() -> impl IntoView {
    let ctx = ctx();
    let number = RwSignal::new(String::new());
    let err = ctx.field_error(Field::Query);
    let busy = ctx.busy();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::KioskIdentify(number.get_untracked()));
    };
    view! {
        <section class="rg-card rg-narrow rg-kiosk-start">
            <h2 id="screen-title" tabindex="-1">"Use your loyalty points and benefits"</h2>
            <p class="rg-lead">"We will send a code to your phone so only you can use your points."</p>
            <form on:submit=submit novalidate>
                <label for="kiosk-number">"Your mobile number or loyalty card number"</label>
                <input
                    id="kiosk-number"
                    class="rg-kiosk-input"
                    inputmode="tel"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="kiosk-number-error"
                    aria-invalid=move || err.get().is_some().to_string()
                    bind:value=number
                />
                <FieldMsg id="kiosk-number-error" text=err/>
                <button type="submit" class="rg-btn rg-primary rg-wide" data-testid="kiosk-send" disabled=move || busy.get()>
                    "Send me a code"
                </button>
            </form>
        </section>
    }
}

#[component]
pub fn KioskCodeScreen() -> impl IntoView {
    let ctx = ctx();
    let entry = super::otp::CodeEntry::new(ctx);
    let super::otp::CodeEntry {
        code, len, inline, ..
    } = entry;
    let busy = ctx.busy();
    let sent = ctx.sel(|f| f.kiosk.sent.clone());
    let left = ctx.sel(|f| f.code_seconds_left());
    let resend_wait = ctx.sel(|f| f.resend_wait());
    let can_resend = ctx.sel(Flow::can_resend);
    let attempts = ctx.sel(|f| f.code().attempts_left);
    let expired = ctx.sel(|f| f.code_expired());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::KioskVerify(entry.submit()));
    };
    view! {
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Type the code we sent you"</h2>
            <p class="rg-lead" data-testid="otp-destination">
                {move || sent.get().map(|s| format!("Sent by {} to {}", s.channel.label(), s.destination)).unwrap_or_default()}
            </p>
            <form on:submit=submit novalidate>
                <label for="kiosk-code">{move || format!("Code ({} digits)", len.get().get())}</label>
                <input
                    id="kiosk-code"
                    class="rg-code rg-kiosk-input"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    spellcheck="false"
                    aria-describedby="kiosk-code-error kiosk-code-facts"
                    aria-invalid=move || inline.get().is_some().to_string()
                    bind:value=code
                />
                <FieldMsg id="kiosk-code-error" text=inline/>
                <p id="kiosk-code-facts" class="rg-muted" data-testid="countdown">
                    {move || {
                        let time = if expired.get() {
                            "The code has expired: ask for a new one.".to_string()
                        } else {
                            left.get().map(|s| format!("Valid for {}.", messages::clock(s))).unwrap_or_default()
                        };
                        match attempts.get() {
                            Some(1) => format!("{time} 1 try left."),
                            Some(n) => format!("{time} {n} tries left."),
                            None => time,
                        }
                    }}
                </p>
                <button type="submit" class="rg-btn rg-primary rg-wide" data-testid="kiosk-verify" disabled=move || busy.get()>
                    "Show my balance"
                </button>
            </form>
            <div class="rg-actions">
                <button
                    class="rg-btn rg-secondary"
                    data-testid="resend"
                    disabled=move || !can_resend.get()
                    on:click=move |_| ctx.dispatch(Action::KioskResend)
                >
                    {move || match resend_wait.get() {
                        Some(s) if s > 0 => format!("New code in {}", messages::clock(s)),
                        _ => "Send a new code".to_string(),
                    }}
                </button>
                <button class="rg-btn rg-secondary" data-testid="kiosk-done" on:click=move |_| ctx.dispatch(Action::KioskDone)>
                    "Start again"
                </button>
            </div>
        </section>
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
