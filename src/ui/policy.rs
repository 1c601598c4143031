//! The manager's policy screen (SPEC §3): every field, with each error next to its field.

use super::ctx;
use crate::flow::Action;
use crate::policy_form::{dom_id, error_for, CapKind, PolicyForm, CAP, GROUPS, TEMPLATES};
use contract::{Channel, InstrumentKind};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn PolicyScreen() -> impl IntoView {
    let ctx = ctx();
    let base = ctx
        .flow
        .with_untracked(|f| f.signed_in.policy.clone())
        .unwrap_or_default();
    let form = RwSignal::new(PolicyForm::from_policy(&base));
    let errors = ctx.sel(|f| f.ui.policy_errors.clone());
    let busy = ctx.busy();
    let err = move |name: &'static str| {
        move || {
            errors
                .with(|e| error_for(e, name).map(str::to_string))
                .unwrap_or_default()
        }
    };
    let invalid =
        move |name: &'static str| move || errors.with(|e| error_for(e, name).is_some()).to_string();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let base = ctx
            .flow
            .with_untracked(|f| f.signed_in.policy.clone())
            .unwrap_or_default();
        match form.with_untracked(|f| f.to_policy(&base)) {
            // Checked here with the contract's rules first (S10); the backend checks again.
            Ok(p) => ctx.dispatch(Action::SavePolicy(p)),
            Err(e) => ctx.dispatch(Action::PolicyFormInvalid(e)),
        }
    };
    let text_field = move |name: &'static str, label: &'static str, help: String, numeric: bool| {
        let id = dom_id(name);
        let err_id = format!("{id}-error");
        view! {
            <div class="rg-field">
                <label for=id.clone()>{label}</label>
                <input
                    id=id
                    inputmode=if numeric { "decimal" } else { "text" }
                    autocomplete="off"
                    aria-describedby=err_id.clone()
                    aria-invalid=invalid(name)
                    prop:value=move || form.with(|f| f.get(name))
                    on:input=move |ev| form.update(|f| f.set(name, event_target_value(&ev)))
                />
                <p class="rg-hint">{help}</p>
                <p class="rg-field-msg" id=err_id.clone() data-testid=err_id>{err(name)}</p>
            </div>
        }
    };
    let check = move |id: String,
                      label: &'static str,
                      get: fn(&PolicyForm) -> bool,
                      set: fn(&mut PolicyForm, bool)| {
        let for_id = id.clone();
        view! {
            <label class="rg-choice" for=for_id>
                <input
                    type="checkbox"
                    id=id
                    prop:checked=move || form.with(get)
                    on:change=move |ev| form.update(|f| set(f, event_target_checked(&ev)))
                />
                <span>{label}</span>
            </label>
        }
    };
    let channel_box = move |c: Channel| {
        let id = format!("policy-channels-{}", c.as_str());
        let for_id = id.clone();
        view! {
            <label class="rg-choice" for=for_id>
                <input
                    type="checkbox"
                    id=id
                    prop:checked=move || form.with(|f| f.channels.contains(&c))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        form.update(|f| {
                            f.channels.retain(|x| *x != c);
                            if on {
                                f.channels.push(c);
                                f.channels.sort();
                            }
                        })
                    }
                />
                <span>{c.label()}</span>
            </label>
        }
    };
    let instrument_box = move |k: InstrumentKind| {
        let id = format!("policy-otp_instruments-{}", k.as_str());
        let for_id = id.clone();
        view! {
            <label class="rg-choice" for=for_id>
                <input
                    type="checkbox"
                    id=id
                    prop:checked=move || form.with(|f| f.otp_instruments.contains(&k))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        form.update(|f| {
                            f.otp_instruments.retain(|x| *x != k);
                            if on {
                                f.otp_instruments.push(k);
                                f.otp_instruments.sort();
                            }
                        })
                    }
                />
                <span>{k.label()}</span>
            </label>
        }
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
                    {check("policy-otp_required".into(), "OTP is mandatory to redeem loyalty", |f| f.otp_required, |f, v| f.otp_required = v)}
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
                                    <label for="policy-max_redeem_per_bill">"Limit value"</label>
                                    <input
                                        id="policy-max_redeem_per_bill"
                                        inputmode="decimal"
                                        autocomplete="off"
                                        aria-describedby="policy-max_redeem_per_bill-error"
                                        aria-invalid=invalid(CAP)
                                        prop:disabled=move || form.with(|f| f.cap_kind == CapKind::None)
                                        prop:value=move || form.with(|f| f.cap_value.clone())
                                        on:input=move |ev| form.update(|f| f.cap_value = event_target_value(&ev))
                                    />
                                    <p class="rg-field-msg" id="policy-max_redeem_per_bill-error" data-testid="policy-max_redeem_per_bill-error">
                                        {err(CAP)}
                                    </p>
                                </div>
                            }.into_any()),
                            "Manager override" => Some(check(
                                "policy-override_enabled".into(),
                                "Allow the manager override code",
                                |f| f.override_enabled,
                                |f, v| f.override_enabled = v,
                            ).into_any()),
                            _ => None,
                        };
                        view! {
                            <fieldset>
                                <legend>{*title}</legend>
                                {extra}
                                <div class="rg-grid">
                                    {fields.iter().map(|t| text_field(t.name, t.label, (t.help)(), t.numeric)).collect_view()}
                                </div>
                            </fieldset>
                        }
                    })
                    .collect_view()}
                <fieldset>
                    <legend>"Messages"</legend>
                    <p class="rg-hint">"Placeholders: {otp} {points} {value} {store} {minutes} {customer}. Each message must contain {otp}, the amount and {store}."</p>
                    {TEMPLATES
                        .into_iter()
                        .map(|(name, channel)| {
                            let id = dom_id(name);
                            let err_id = format!("{id}-error");
                            view! {
                                <div class="rg-field">
                                    <label for=id.clone()>{format!("{} message", channel.label())}</label>
                                    <textarea
                                        id=id
                                        rows="3"
                                        aria-describedby=err_id.clone()
                                        aria-invalid=invalid(name)
                                        prop:value=move || form.with(|f| f.get(name))
                                        on:input=move |ev| form.update(|f| f.set(name, event_target_value(&ev)))
                                    ></textarea>
                                    <p class="rg-field-msg" id=err_id.clone() data-testid=err_id>{err(name)}</p>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <div class="rg-actions rg-sticky">
                    <button type="submit" class="rg-btn rg-primary" data-testid="save-policy" disabled=move || busy.get()>
                        "Save policy"
                    </button>
                    <button type="button" class="rg-btn rg-secondary" data-testid="close-policy" on:click=move |_| ctx.dispatch(Action::ClosePolicy)>
                        "Close"
                    </button>
                </div>
            </form>
        </section>
    }
}
