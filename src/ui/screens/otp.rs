//! The customer's code: choose the channel, send it, type what the customer reads out;
//! resend after the cooldown, or hand over to a manager.

use crate::flow::{Action, Flow};
use crate::messages;
use crate::ui::channel_choice::{chosen_channel, ChannelChoice};
use crate::ui::code_entry::CodeEntry;
use crate::ui::driver::ctx;
use crate::ui::field::Input;
use crate::ui::summary::RedemptionSummary;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn OtpScreen() -> impl IntoView {
    let ctx = ctx();
    let code = CodeEntry::new(ctx);
    let busy = ctx.busy();
    let sent = ctx.sel(|f| f.redemption.intent.as_ref().and_then(|r| r.otp.clone()));
    let override_on = ctx.sel(Flow::can_override);
    let can_cancel = ctx.sel(Flow::can_cancel);
    // At a kiosk the customer reads this screen themselves.
    let own = ctx.mode().self_service();
    // A resend goes by the channel of the code sent, unless the cashier picks another.
    let channel = chosen_channel(ctx, sent.get_untracked().map(|s| s.channel));
    // What the provider reported of the code's message; after a failure, a new code is
    // offered by another channel first.
    let delivery = ctx.sel(Flow::delivery_line);
    let switch_to = ctx.sel(Flow::channel_after_failure);
    let undelivered = ctx.sel(|f| f.code_void_by_report().is_some());
    Effect::new(move |_| {
        if let Some(c) = switch_to.get() {
            channel.set(c);
        }
    });
    let send = move |_| ctx.dispatch(Action::SendOtp(channel.get_untracked()));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::Verify(code.entry.submit()));
    };
    // The last digit typed (or a paste) submits the code: no tap.
    code.submits_when_complete(ctx, Action::Verify);
    view! {
        <RedemptionSummary/>
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">{if own { "Your code for this voucher" } else { "Customer's code" }}</h2>
            <Show
                when=move || sent.get().is_some()
                fallback=move || {
                    view! {
                        <ChannelChoice ctx=ctx channel=channel legend="Send the code by"/>
                        <button class="rg-btn rg-primary" data-testid="send-otp" disabled=move || busy.get() on:click=send>
                            "Send code"
                        </button>
                    }
                }
            >
                <p class="rg-muted" data-testid="otp-destination">
                    {move || sent.get().map(|s| {
                        let apart = if s.amount_first == Some(true) { ", after a message with the amount" } else { "" };
                        format!("Code sent by {} to {}{apart}", s.channel.label(), s.destination)
                    }).unwrap_or_default()}
                </p>
                <Show when=move || delivery.get().is_some()>
                    <p data-testid="otp-delivery" class=move || if delivery.get().is_some_and(|d| d.1) { "rg-bad" } else { "rg-muted" }>
                        {move || delivery.get().map(|d| d.0).unwrap_or_default()}
                    </p>
                </Show>
                <form on:submit=submit novalidate>
                    {code.field("otp-code", if own { "Code we sent you" } else { "Code the customer reads out" }, "otp-code-error otp-countdown otp-attempts", Input::CODE)}
                    <div class="rg-row rg-facts">
                        <p id="otp-countdown" data-testid="countdown" data-expired=move || code.expired.get().to_string()>
                            {move || {
                                if undelivered.get() {
                                    // The code is void: no countdown for a code that will not come.
                                    String::new()
                                } else if code.expired.get() {
                                    "The code has expired: send a new one".to_string()
                                } else {
                                    code.left.get().map(|s| format!("Code valid for {}", messages::clock(s))).unwrap_or_default()
                                }
                            }}
                        </p>
                        <p id="otp-attempts" data-testid="attempts-left">
                            {move || match code.attempts.get().filter(|_| !undelivered.get()) {
                                Some(1) => "1 try left".to_string(),
                                Some(n) => format!("{n} tries left"),
                                None => String::new(),
                            }}
                        </p>
                    </div>
                    <div class="rg-actions">
                        <button type="submit" class="rg-btn rg-primary" data-testid="verify" disabled=move || busy.get() || code.surely_expired.get() || undelivered.get()>
                            "Verify code"
                        </button>
                    </div>
                </form>
                // A new code (after the cooldown), by the same channel or another.
                <ChannelChoice ctx=ctx channel=channel legend="Send a new code by"/>
                <div class="rg-actions">
                    <button type="button" class="rg-btn rg-secondary" data-testid="resend" disabled=move || !code.can_resend.get() on:click=send>
                        {move || match code.resend_wait.get() {
                            Some(s) if s > 0 => format!("Resend in {}", messages::clock(s)),
                            _ => "Resend code".to_string(),
                        }}
                    </button>
                </div>
            </Show>
            <div class="rg-actions rg-secondary-actions">
                <Show when=move || override_on.get()>
                    <button class="rg-btn rg-secondary" data-testid="open-override" on:click=move |_| ctx.dispatch(Action::OpenOverride)>
                        "Customer did not get the code"
                    </button>
                </Show>
                <button class="rg-btn rg-danger" data-testid="cancel" disabled=move || !can_cancel.get() on:click=move |_| ctx.dispatch(Action::Cancel)>
                    {if own { "Cancel this voucher" } else { "Cancel redemption" }}
                </button>
            </div>
        </section>
    }
}
