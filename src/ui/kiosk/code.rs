//! The customer types the code sent to them; a new code after the cooldown.

use crate::flow::Action;
use crate::messages;
use crate::ui::code_entry::CodeEntry;
use crate::ui::driver::ctx;
use crate::ui::field::Input;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn KioskCodeScreen() -> impl IntoView {
    let ctx = ctx();
    let code = CodeEntry::new(ctx);
    let busy = ctx.busy();
    let sent = ctx.sel(|f| f.kiosk.sent.clone());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::KioskVerify(code.entry.submit()));
    };
    // The last digit typed (or a paste) submits the code: no tap.
    code.submits_when_complete(ctx, Action::KioskVerify);
    view! {
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Type the code we sent you"</h2>
            <p class="rg-lead" data-testid="otp-destination">
                {move || sent.get().map(|s| format!("Sent by {} to {}", s.channel.label(), s.destination)).unwrap_or_default()}
            </p>
            <form on:submit=submit novalidate>
                {code.field(
                    "kiosk-code",
                    "Code",
                    "kiosk-code-error kiosk-code-facts",
                    Input { class: Some("rg-code rg-kiosk-input"), ..Input::CODE },
                )}
                <p id="kiosk-code-facts" class="rg-muted" data-testid="countdown">
                    {move || {
                        let time = if code.expired.get() {
                            "The code has expired: ask for a new one.".to_string()
                        } else {
                            code.left.get().map(|s| format!("Valid for {}.", messages::clock(s))).unwrap_or_default()
                        };
                        match code.attempts.get() {
                            Some(1) => format!("{time} 1 try left."),
                            Some(n) => format!("{time} {n} tries left."),
                            None => time,
                        }
                    }}
                </p>
                <button type="submit" class="rg-btn rg-primary rg-wide" data-testid="kiosk-verify" disabled=move || busy.get() || code.surely_expired.get()>
                    "Show my balance"
                </button>
            </form>
            <div class="rg-actions">
                <button
                    class="rg-btn rg-secondary"
                    data-testid="resend"
                    disabled=move || !code.can_resend.get()
                    on:click=move |_| ctx.dispatch(Action::KioskResend)
                >
                    {move || match code.resend_wait.get() {
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
