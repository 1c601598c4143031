//! The manager's policy screen in the back office (SPEC §3): every field, with each error
//! next to its field.

use crate::flow::Action;
use crate::policy_form::{dom_id, error_for, CapKind, PolicyForm, CAP, GROUPS, TEMPLATES};
use crate::ui::driver::ctx;
use crate::ui::field::{Input, TextField};
use contract::{Channel, InstrumentKind};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// Reads one of the form's choices, and sets it.
type ReadChoice = Box<dyn Fn(&PolicyForm) -> bool + Send + Sync>;
type SetChoice = Box<dyn Fn(&mut PolicyForm, bool) + Send + Sync>;

/// Adds or removes `x`, keeping the list sorted.
fn toggle<T: Ord + Copy>(list: &mut Vec<T>, x: T, on: bool) {
    list.retain(|y| *y != x);
    if on {
        list.push(x);
        list.sort();
    }
}

#[component]
pub fn PolicyScreen() -> impl IntoView {
    let ctx = ctx();
    let base = ctx
        .flow
        .with_untracked(|f| f.signed_in.policy.clone())
        .unwrap_or_default();
    let start = PolicyForm::from_policy(&base);
    // The text as typed, one signal a field; choices in the form itself.
    let texts: Vec<(&'static str, RwSignal<String>)> = start
        .text
        .iter()
        .map(|(name, value)| (*name, RwSignal::new(value.clone())))
        .collect();
    let cap = RwSignal::new(start.cap_value.clone());
    let form = RwSignal::new(start);
    let text = {
        let texts = texts.clone();
        move |name: &str| {
            texts
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| *s)
                .expect("a field of the form")
        }
    };
    let errors = ctx.sel(|f| f.ui.policy_errors.clone());
    let busy = ctx.busy();
    let err = move |name: &'static str| {
        Signal::derive(move || errors.with(|e| error_for(e, name).map(str::to_string)))
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let base = ctx
            .flow
            .with_untracked(|f| f.signed_in.policy.clone())
            .unwrap_or_default();
        let mut typed = form.get_untracked();
        for (name, value) in &texts {
            typed.set(name, value.get_untracked());
        }
        typed.cap_value = cap.get_untracked();
        match typed.to_policy(&base) {
            // Checked here with the contract's rules first (S10); the backend checks again.
            Ok(p) => ctx.dispatch(Action::SavePolicy(Box::new(p))),
            Err(e) => ctx.dispatch(Action::PolicyFormInvalid(e)),
        }
    };
    let check = move |id: String, label: &'static str, get: ReadChoice, set: SetChoice| {
        let for_id = id.clone();
        view! {
            <label class="rg-choice" for=for_id>
                <input
                    type="checkbox"
                    id=id
                    prop:checked=move || form.with(|f| get(f))
                    on:change=move |ev| form.update(|f| set(f, event_target_checked(&ev)))
                />
                <span>{label}</span>
            </label>
        }
    };
    let channel_box = move |c: Channel| {
        check(
            format!("policy-channels-{}", c.as_str()),
            c.label(),
            Box::new(move |f| f.channels.contains(&c)),
            Box::new(move |f, on| toggle(&mut f.channels, c, on)),
        )
    };
    let instrument_box = move |k: InstrumentKind| {
        check(
            format!("policy-otp_instruments-{}", k.as_str()),
            k.label(),
            Box::new(move |f| f.otp_instruments.contains(&k)),
            Box::new(move |f, on| toggle(&mut f.otp_instruments, k, on)),
        )
    };
    let cap_value = move |v: &str| match v {
        "absolute" => CapKind::Absolute,
        "percent" => CapKind::Percent,
        _ => CapKind::None,
    };
    view! {
        <section class="rg-card rg-policy">
            <h2 id="screen-title" tabindex="-1">"Store policy"</h2>
            <form on:submit=submit novalidate>
                <fieldset>
                    <legend>"Customer's code (OTP)"</legend>
                    {check(
                        "policy-otp_required".into(),
                        "OTP is mandatory to redeem loyalty",
                        Box::new(|f| f.otp_required),
                        Box::new(|f, v| f.otp_required = v),
                    )}
                    <p class="rg-field-msg" id="policy-otp_required-error">{err("otp_required")}</p>
                    <p class="rg-hint">"Instruments that need the customer's code:"</p>
                    <div class="rg-choices">
                        {InstrumentKind::ALL.into_iter().map(instrument_box).collect_view()}
                    </div>
                    <p class="rg-field-msg" id="policy-otp_instruments-error" data-testid="policy-otp_instruments-error">{err("otp_instruments")}</p>
                    <p class="rg-hint">"Send codes by:"</p>
                    <div class="rg-choices">{Channel::ALL.into_iter().map(channel_box).collect_view()}</div>
                    <p class="rg-field-msg" id="policy-channels-error" data-testid="policy-channels-error">{err("channels")}</p>
                </fieldset>
                {GROUPS
                    .iter()
                    .map(|(title, fields)| {
                        let extra = match *title {
                            "Redemption" => Some(view! {
                                <div class="rg-field">
                                    <label for="policy-cap-kind">"Limit per bill"</label>
                                    <select
                                        id="policy-cap-kind"
                                        prop:value=move || match form.with(|f| f.cap_kind) {
                                            CapKind::None => "none",
                                            CapKind::Absolute => "absolute",
                                            CapKind::Percent => "percent",
                                        }
                                        on:change=move |ev| form.update(|f| f.cap_kind = cap_value(&event_target_value(&ev)))
                                    >
                                        <option value="none">"No limit"</option>
                                        <option value="absolute">"Amount"</option>
                                        <option value="percent">"Percent of the bill"</option>
                                    </select>
                                    <TextField
                                        id=dom_id(CAP)
                                        label="Limit value"
                                        value=cap
                                        error=err(CAP)
                                        input=Input::DECIMAL
                                        disabled=Signal::derive(move || form.with(|f| f.cap_kind == CapKind::None))
                                    />
                                </div>
                            }.into_any()),
                            "Manager override" => Some(view! {
                                {check(
                                    "policy-override_enabled".into(),
                                    "Allow a manager to approve without the customer's code (on the manager's own device, under Approvals)",
                                    Box::new(|f| f.override_enabled),
                                    Box::new(|f, v| f.override_enabled = v),
                                )}
                                {check(
                                    "policy-override_store_code".into(),
                                    "Also accept the store override code typed at the till (the manager's PIN and the code enter the cashier's screen)",
                                    Box::new(|f| f.override_store_code),
                                    Box::new(|f, v| f.override_store_code = v),
                                )}
                                <p class="rg-field-msg" id="policy-override_store_code-error">{err("override_store_code")}</p>
                            }.into_any()),
                            _ => None,
                        };
                        view! {
                            <fieldset>
                                <legend>{*title}</legend>
                                {extra}
                                <div class="rg-grid">
                                    {fields
                                        .iter()
                                        .map(|t| {
                                            let mode = if t.numeric { "decimal" } else { "text" };
                                            view! {
                                                <div class="rg-field">
                                                    <TextField
                                                        id=dom_id(t.name)
                                                        label=t.label
                                                        value=text(t.name)
                                                        error=err(t.name)
                                                        input=Input { mode: Some(mode), ..Input::OFF }
                                                        hint=(t.help)()
                                                    />
                                                </div>
                                            }
                                        })
                                        .collect_view()}
                                </div>
                            </fieldset>
                        }
                    })
                    .collect_view()}
                <fieldset>
                    <legend>"Messages"</legend>
                    <p class="rg-hint">"Placeholders: {otp} {quantity} (e.g. 1 session of Hair spa) {points} (the number) {value} {store} {minutes} {customer}. Each message must contain {otp}, the amount and {store}."</p>
                    {TEMPLATES
                        .into_iter()
                        .map(|(name, channel)| {
                            view! {
                                <div class="rg-field">
                                    <TextField
                                        id=dom_id(name)
                                        label=format!("{} message", channel.label())
                                        value=text(name)
                                        error=err(name)
                                        rows=3
                                    />
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <div class="rg-actions rg-sticky">
                    <button type="submit" class="rg-btn rg-primary" data-testid="save-policy" disabled=move || busy.get()>
                        "Save policy"
                    </button>
                    <a class="rg-btn rg-secondary" href="/" data-testid="to-till">"Back to the till"</a>
                </div>
            </form>
        </section>
    }
}
