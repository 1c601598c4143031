//! Code entry, override, confirmation, receipt and the end states.

use super::{ctx, FieldMsg};
use crate::flow::{Action, Closed, CommitState, Field, Flow, Msg};
use crate::{format, messages, platform};
use contract::api::{Approval, Override, Redemption};
use contract::rules::Purpose;
use contract::{Channel, Money, OtpCode, OtpError, OtpLength, Unit};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

fn bill_id(r: &Redemption) -> Option<String> {
    r.purpose.bill().map(|b| b.id().to_string())
}

/// "500 points (₹500.00) for Asha Rao on bill #123" and the hold's countdown.
#[component]
fn RedemptionSummary() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let r = ctx.sel(|f| f.redemption.intent.clone());
    let hold = ctx.sel(|f| f.hold_seconds_left());
    let text = move || {
        let loc = locale.get();
        r.get()
            .map(|r| {
                let unit_value = Money::new(1, r.value.currency()).unwrap_or(r.value);
                let what = format::quantity(r.unit, r.quantity.get(), unit_value, &loc);
                let what = if r.unit == Unit::Credit {
                    what
                } else {
                    format!("{what} ({})", format::money(r.value, &loc))
                };
                let on = match bill_id(&r) {
                    Some(b) => format!("on bill #{b}"),
                    None => "as a printed voucher".into(),
                };
                format!(
                    "{what} of {} for {} {on}",
                    r.instrument_label, r.customer_name
                )
            })
            .unwrap_or_default()
    };
    view! {
        <div class="rg-billbar" data-testid="redemption-summary">
            <span>{text}</span>
            <span class="rg-muted" data-testid="hold-left">
                {move || hold.get().map(|s| format!("Hold ends in {}", messages::clock(s))).unwrap_or_default()}
            </span>
        </div>
    }
}

/// Inline check while typing: complain about what cannot become a code, but not (yet) about
/// a code still being typed.
fn typing_error(input: &str, len: OtpLength) -> Option<String> {
    match OtpCode::parse(input, len) {
        Err(OtpError::Empty | OtpError::TooShort { .. }) | Ok(_) => None,
        Err(e) => Some(e.to_string()),
    }
}

/// A code being typed (the cashier's screen and the kiosk's) and the one message under it:
/// what cannot become a code while typing, else the backend's answer to the code submitted,
/// which typing again retires.
#[derive(Clone, Copy)]
pub(super) struct CodeEntry {
    pub code: RwSignal<String>,
    pub len: Memo<OtpLength>,
    pub inline: Signal<Option<String>>,
    submitted: RwSignal<Option<String>>,
}

impl CodeEntry {
    pub fn new(ctx: super::Ctx) -> Self {
        let code = RwSignal::new(String::new());
        let submitted = RwSignal::new(None::<String>);
        let len = ctx.sel(|f| {
            f.signed_in
                .policy
                .as_ref()
                .map_or(OtpLength::DEFAULT, |p| p.otp_length)
        });
        let server_err = ctx.field_error(Field::Code);
        let inline = Signal::derive(move || {
            let typed = code.get();
            typing_error(&typed, len.get())
                .or_else(|| server_err.get().filter(|_| submitted.get() == Some(typed)))
        });
        CodeEntry {
            code,
            len,
            inline,
            submitted,
        }
    }

    /// The code to verify; its answer will be shown until the code is edited.
    pub fn submit(self) -> String {
        let typed = self.code.get_untracked();
        self.submitted.set(Some(typed.clone()));
        typed
    }
}

#[component]
pub fn OtpScreen() -> impl IntoView {
    let ctx = ctx();
    let entry = CodeEntry::new(ctx);
    let CodeEntry {
        code, len, inline, ..
    } = entry;
    let busy = ctx.busy();
    let channels = ctx.sel(|f| f.channels());
    let sent = ctx.sel(|f| f.redemption.intent.as_ref().and_then(|r| r.otp.clone()));
    let left = ctx.sel(|f| f.code_seconds_left());
    let resend_wait = ctx.sel(|f| f.resend_wait());
    let can_resend = ctx.sel(|f| f.can_resend());
    let attempts = ctx.sel(|f| f.code().attempts_left);
    let expired = ctx.sel(|f| f.code_expired());
    let override_on = ctx.sel(Flow::can_override);
    let can_cancel = ctx.sel(Flow::can_cancel);
    let customer = ctx.sel(|f| f.customer().cloned());
    let channel = RwSignal::new(
        ctx.flow
            .with_untracked(|f| f.channels().first().copied().unwrap_or(Channel::Sms)),
    );
    // Keep the default channel valid once the customer's channels arrive (after a resume).
    Effect::new(move |_| {
        let list = channels.get();
        if !list.is_empty() && !list.contains(&channel.get_untracked()) {
            channel.set(list[0]);
        }
    });
    let destination = move |c: Channel| {
        customer
            .get()
            .and_then(|cu| {
                if c.uses_mobile() {
                    cu.masked_mobile
                } else {
                    cu.masked_email
                }
            })
            .unwrap_or_default()
    };
    let send = move |_| ctx.dispatch(Action::SendOtp(channel.get_untracked()));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::Verify(entry.submit()));
    };
    view! {
        <RedemptionSummary/>
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Customer's code"</h2>
            <fieldset class="rg-channels">
                <legend>"Send the code by"</legend>
                {move || {
                    channels
                        .get()
                        .into_iter()
                        .map(|c| {
                            let id = format!("channel-{}", c.as_str());
                            let for_id = id.clone();
                            view! {
                                <label class="rg-choice" for=for_id>
                                    <input
                                        type="radio"
                                        name="channel"
                                        id=id.clone()
                                        value=c.as_str()
                                        prop:checked=move || channel.get() == c
                                        on:change=move |_| channel.set(c)
                                    />
                                    <span>{c.label()}</span>
                                    <span class="rg-muted">{move || destination(c)}</span>
                                </label>
                            }
                        })
                        .collect_view()
                }}
            </fieldset>
            <Show
                when=move || sent.get().is_some()
                fallback=move || {
                    view! {
                        <button class="rg-btn rg-primary" data-testid="send-otp" disabled=move || busy.get() on:click=send>
                            "Send code"
                        </button>
                    }
                }
            >
                <p class="rg-muted" data-testid="otp-destination">
                    {move || sent.get().map(|s| format!("Code sent by {} to {}", s.channel.label(), s.destination)).unwrap_or_default()}
                </p>
                <form on:submit=submit novalidate>
                    <label for="otp-code">{move || format!("Code the customer reads out ({} digits)", len.get().get())}</label>
                    <input
                        id="otp-code"
                        class="rg-code"
                        inputmode="numeric"
                        autocomplete="one-time-code"
                        spellcheck="false"
                        aria-describedby="otp-code-error otp-countdown otp-attempts"
                        aria-invalid=move || inline.get().is_some().to_string()
                        bind:value=code
                    />
                    <FieldMsg id="otp-code-error" text=inline/>
                    <div class="rg-row rg-facts">
                        <p id="otp-countdown" data-testid="countdown" data-expired=move || expired.get().to_string()>
                            {move || {
                                if expired.get() {
                                    "The code has expired: send a new one".to_string()
                                } else {
                                    left.get().map(|s| format!("Code valid for {}", messages::clock(s))).unwrap_or_default()
                                }
                            }}
                        </p>
                        <p id="otp-attempts" data-testid="attempts-left">
                            {move || match attempts.get() {
                                Some(1) => "1 try left".to_string(),
                                Some(n) => format!("{n} tries left"),
                                None => String::new(),
                            }}
                        </p>
                    </div>
                    <div class="rg-actions">
                        <button type="submit" class="rg-btn rg-primary" data-testid="verify" disabled=move || busy.get()>
                            "Verify code"
                        </button>
                        <button type="button" class="rg-btn rg-secondary" data-testid="resend" disabled=move || !can_resend.get() on:click=send>
                            {move || match resend_wait.get() {
                                Some(s) if s > 0 => format!("Resend in {}", messages::clock(s)),
                                _ => "Resend code".to_string(),
                            }}
                        </button>
                    </div>
                </form>
            </Show>
            <div class="rg-actions rg-secondary-actions">
                <Show when=move || override_on.get()>
                    <button class="rg-btn rg-secondary" data-testid="open-override" on:click=move |_| ctx.dispatch(Action::OpenOverride)>
                        "Customer did not get the code"
                    </button>
                </Show>
                <button class="rg-btn rg-danger" data-testid="cancel" disabled=move || !can_cancel.get() on:click=move |_| ctx.dispatch(Action::Cancel)>
                    "Cancel redemption"
                </button>
            </div>
        </section>
    }
}

#[component]
pub fn OverrideScreen() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let err = ctx.field_error(Field::Override);
    let (code, pin, ovr, reason) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::SubmitOverride(Override {
            manager_code: code.get_untracked().trim().to_string(),
            manager_pin: pin.get_untracked(),
            override_code: ovr.get_untracked().trim().to_string(),
            reason: reason.get_untracked().trim().to_string(),
        }));
        pin.set(String::new());
        ovr.set(String::new());
    };
    view! {
        <RedemptionSummary/>
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Manager override"</h2>
            <p class="rg-muted">
                "Only when the customer did not receive the code. The manager's name and the reason are recorded."
            </p>
            <form on:submit=submit novalidate>
                <label for="manager-code">"Manager code"</label>
                <input id="manager-code" autocomplete="off" autocapitalize="characters" bind:value=code/>
                <label for="manager-pin">"Manager PIN"</label>
                <input id="manager-pin" type="password" inputmode="numeric" autocomplete="off" bind:value=pin/>
                <label for="override-code">"Store override code"</label>
                <input id="override-code" type="password" inputmode="numeric" autocomplete="off" bind:value=ovr/>
                <label for="override-reason">"Reason"</label>
                <input id="override-reason" autocomplete="off" placeholder="e.g. SMS not delivered" bind:value=reason aria-describedby="override-error"/>
                <FieldMsg id="override-error" text=err/>
                <div class="rg-actions">
                    <button type="submit" class="rg-btn rg-primary" data-testid="submit-override" disabled=move || busy.get()>
                        "Approve with override"
                    </button>
                    <button type="button" class="rg-btn rg-secondary" data-testid="back-to-otp" on:click=move |_| ctx.dispatch(Action::CloseOverride)>
                        "Back to the code"
                    </button>
                </div>
            </form>
        </section>
    }
}

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
                let uv = Money::new(1, r.value.currency()).unwrap_or(r.value);
                format::confirm_question(
                    r.unit,
                    r.quantity,
                    r.value,
                    uv,
                    bill_id(&r).as_deref(),
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

#[component]
pub fn ReceiptScreen() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let receipt = ctx.sel(|f| f.redemption.receipt.clone());
    let row = |k: &'static str, v: String, id: &'static str| view! { <dt>{k}</dt><dd data-testid=id>{v}</dd> };
    view! {
        <section class="rg-card rg-narrow rg-receipt">
            {move || {
                let loc = locale.get();
                receipt
                    .get()
                    .map(|r| {
                        let approval = match &r.approval {
                            Approval::Otp { channel } => format!("Customer's code ({})", channel.label()),
                            Approval::Override { manager_name, reason } => format!("Manager override by {manager_name}: {reason}"),
                            Approval::NotRequired => "No code needed".to_string(),
                        };
                        let bill = match &r.purpose {
                            Purpose::Bill { bill } => format!("#{} ({})", bill.id(), format::money(bill.total(), &loc)),
                            Purpose::Voucher => "Printed voucher".to_string(),
                        };
                        let uv = Money::new(1, r.value.currency()).unwrap_or(r.value);
                        let bal = |q| format::quantity(r.unit, q, uv, &loc);
                        let voucher = r.voucher.clone().map(|v| {
                            view! {
                                <div class="rg-voucher" data-testid="voucher">
                                    <p class="rg-voucher-title">"Loyalty voucher"</p>
                                    <p class="rg-voucher-value">{format::money(v.value, &loc)}</p>
                                    <p class="rg-voucher-code" data-testid="voucher-code">{v.code.clone()}</p>
                                    <p>{format!("Valid until {}", format::date(v.valid_until_ms, &loc))}</p>
                                    <p class="rg-muted">{format!("{} · {}", r.store_name, r.customer_name)}</p>
                                </div>
                            }
                        });
                        view! {
                            <h2 id="screen-title" tabindex="-1">"Redeemed"</h2>
                            <p class="rg-question" data-testid="receipt-line">{format::receipt_line(&r, &loc)}</p>
                            <dl class="rg-receipt-list" data-testid="receipt">
                                {row("Customer", r.customer_name.clone(), "receipt-customer")}
                                {row("Redeemed from", r.instrument_label.clone(), "receipt-instrument")}
                                {row("Value", format::money(r.value, &loc), "receipt-value")}
                                {row("Balance before", bal(r.balance_before), "receipt-before")}
                                {row("Balance after", bal(r.balance_after), "receipt-after")}
                                {row("Bill", bill, "receipt-bill")}
                                {row("Approved by", approval, "receipt-approval")}
                                {row("Cashier", r.cashier_name.clone(), "receipt-cashier")}
                                {row("Terminal", format!("{} · {}", r.store_name, r.terminal_name), "receipt-terminal")}
                                {row("Time", format::date_time(r.committed_at_ms, &loc), "receipt-time")}
                                {row("Redemption id", r.redemption_id.clone(), "receipt-id")}
                            </dl>
                            {voucher}
                        }
                    })
            }}
            <div class="rg-actions rg-no-print">
                // Printing from a widget would print the host's whole page: the host prints.
                <Show when=move || !ctx.mode().embedded()>
                    <button class="rg-btn rg-secondary" data-testid="print" on:click=move |_| platform::print()>
                        {move || if receipt.get().is_some_and(|r| r.voucher.is_some()) { "Print voucher" } else { "Print receipt" }}
                    </button>
                </Show>
                <button class="rg-btn rg-primary" data-testid="next-customer" on:click=move |_| ctx.dispatch(Action::NextCustomer)>
                    {if ctx.mode().self_service() {
                        "I'm done"
                    } else if ctx.mode().embedded() {
                        "Redeem more"
                    } else {
                        "Next customer"
                    }}
                </button>
            </div>
        </section>
    }
}

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

#[component]
pub fn ResumeScreen() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let r = ctx.sel(|f| f.redemption.intent.clone());
    let busy = ctx.busy();
    let can_cancel = ctx.sel(Flow::can_cancel);
    let text = move || {
        r.get()
            .map(|r| {
                let loc = locale.get();
                let uv = Money::new(1, r.value.currency()).unwrap_or(r.value);
                let mut what = format::quantity(r.unit, r.quantity.get(), uv, &loc);
                if r.unit != Unit::Credit {
                    what = format!("{what} ({})", format::money(r.value, &loc));
                }
                let on = match bill_id(&r) {
                    Some(b) => format!(" on bill #{b}"),
                    None => " as a printed voucher".into(),
                };
                let state = if r.status == contract::api::RedemptionStatus::Approved {
                    "approved but not yet confirmed"
                } else {
                    "waiting for the customer's code"
                };
                format!(
                    "{what} of {} for {}{on}: {state}.",
                    r.instrument_label, r.customer_name
                )
            })
            .unwrap_or_default()
    };
    view! {
        <section class="rg-card rg-narrow" data-testid="resume">
            <h2 id="screen-title" tabindex="-1">"Unfinished redemption"</h2>
            <p>{text}</p>
            <div class="rg-actions">
                <button class="rg-btn rg-primary" data-testid="resume-continue" disabled=move || busy.get() on:click=move |_| ctx.dispatch(Action::ResumeContinue)>
                    "Continue it"
                </button>
                <button class="rg-btn rg-danger" data-testid="resume-cancel" disabled=move || !can_cancel.get() on:click=move |_| ctx.dispatch(Action::Cancel)>
                    "Cancel it"
                </button>
            </div>
        </section>
    }
}
