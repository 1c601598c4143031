//! Sign-in, bill, customer search, balances and the redeem form.

use super::{ctx, FieldMsg};
use crate::flow::{Action, Field, Flow};
use crate::format;
use contract::rules::{Limit, Purpose, RuleError};
use contract::{InstrumentBalance, InstrumentKind, Money, Unit};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn SignInScreen() -> impl IntoView {
    let ctx = ctx();
    let remembered = ctx
        .flow
        .with_untracked(|f| f.device.terminal_token.clone())
        .unwrap_or_default();
    let terminal = RwSignal::new(remembered);
    let staff = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let busy = ctx.busy();
    let terminal_err = ctx.field_error(Field::Terminal);
    let pin_err = ctx.field_error(Field::Pin);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::SignIn {
            terminal_token: terminal.get_untracked(),
            staff_code: staff.get_untracked(),
            pin: pin.get_untracked(),
        });
        pin.set(String::new());
    };
    let token_field = move || {
        view! {
            <label for="terminal-token">"Terminal token"</label>
            <input
                id="terminal-token"
                autocomplete="off"
                spellcheck="false"
                aria-describedby="terminal-token-error"
                aria-invalid=move || terminal_err.get().is_some().to_string()
                bind:value=terminal
            />
            <FieldMsg id="terminal-token-error" text=terminal_err/>
        }
    };
    let mode = ctx.mode();
    // Staff set a kiosk up once with its token; from then on it opens by itself.
    if !mode.staff_sign_in() {
        return view! {
            <section class="rg-card rg-narrow">
                <h2 id="screen-title" tabindex="-1">"Set up this kiosk"</h2>
                <p class="rg-lead">"Staff: enter the kiosk's terminal token once. Customers never see this screen again."</p>
                <form on:submit=submit novalidate>
                    {token_field}
                    <button type="submit" class="rg-btn rg-primary rg-wide" data-testid="sign-in" disabled=move || busy.get()>
                        "Start the kiosk"
                    </button>
                </form>
            </section>
        }
        .into_any();
    }
    // A widget's terminal comes from the host page's config: staff only sign in.
    if mode.embedded() && !terminal.get_untracked().is_empty() {
        return view! {
            <section class="rg-card rg-narrow">
                <h2 id="screen-title" tabindex="-1">"Sign in to redeem loyalty"</h2>
                <form on:submit=submit novalidate>
                    <FieldMsg id="terminal-token-error" text=terminal_err/>
                    {staff_fields(staff, pin, pin_err)}
                    <button type="submit" class="rg-btn rg-primary" data-testid="sign-in" disabled=move || busy.get()>
                        "Sign in"
                    </button>
                </form>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Sign in"</h2>
            <form on:submit=submit novalidate>
                {token_field}
                {staff_fields(staff, pin, pin_err)}
                <button type="submit" class="rg-btn rg-primary" data-testid="sign-in" disabled=move || busy.get()>
                    "Sign in"
                </button>
            </form>
        </section>
    }
    .into_any()
}

fn staff_fields(
    staff: RwSignal<String>,
    pin: RwSignal<String>,
    pin_err: Memo<Option<String>>,
) -> impl IntoView {
    view! {
                <label for="staff-code">"Staff code"</label>
                <input id="staff-code" autocomplete="username" autocapitalize="characters" bind:value=staff/>
                <label for="pin">"PIN"</label>
                <input
                    id="pin"
                    type="password"
                    inputmode="numeric"
                    autocomplete="current-password"
                    aria-describedby="pin-error"
                    aria-invalid=move || pin_err.get().is_some().to_string()
                    bind:value=pin
                />
                <FieldMsg id="pin-error" text=pin_err/>
    }
}

/// "Bill #123 · ₹1,000.00" with a Change button (not for host-supplied bills).
#[component]
pub fn BillSummary() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let purpose = ctx.sel(|f| f.sale.purpose.clone());
    let can_change = ctx.sel(Flow::can_change_bill);
    if !ctx.mode().has_bill() {
        return ().into_any(); // a kiosk has no bill: everything becomes a voucher
    }
    view! {
        <div class="rg-billbar" data-testid="bill-summary">
            <span>
                {move || match purpose.get() {
                    Some(Purpose::Bill { bill }) => {
                        format!("Bill #{} · {}", bill.id(), format::money(bill.total(), &locale.get()))
                    }
                    Some(Purpose::Voucher) => "Printed loyalty voucher (no bill)".to_string(),
                    None => String::new(),
                }}
            </span>
            <Show when=move || can_change.get()>
                <button class="rg-btn rg-quiet" data-testid="change-bill" on:click=move |_| ctx.dispatch(Action::ChangeBill)>
                    "Change"
                </button>
            </Show>
        </div>
    }
    .into_any()
}

#[component]
pub fn BillScreen() -> impl IntoView {
    let ctx = ctx();
    let id = RwSignal::new(String::new());
    let total = RwSignal::new(String::new());
    let currency = ctx.sel(|f| {
        f.signed_in
            .policy
            .as_ref()
            .map(|p| p.currency.code().to_string())
            .unwrap_or_default()
    });
    let id_err = ctx.field_error(Field::BillId);
    let total_err = ctx.field_error(Field::BillTotal);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::EnterBill {
            id: id.get_untracked(),
            total: total.get_untracked(),
        });
    };
    view! {
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">"Bill"</h2>
            <form on:submit=submit novalidate>
                <label for="bill-id">"Bill number"</label>
                <input
                    id="bill-id"
                    autocomplete="off"
                    aria-describedby="bill-id-error"
                    aria-invalid=move || id_err.get().is_some().to_string()
                    bind:value=id
                />
                <FieldMsg id="bill-id-error" text=id_err/>
                <label for="bill-total">{move || format!("Bill total ({})", currency.get())}</label>
                <input
                    id="bill-total"
                    inputmode="decimal"
                    autocomplete="off"
                    aria-describedby="bill-total-error"
                    aria-invalid=move || total_err.get().is_some().to_string()
                    bind:value=total
                />
                <FieldMsg id="bill-total-error" text=total_err/>
                <button type="submit" class="rg-btn rg-primary" data-testid="bill-next">
                    "Find customer"
                </button>
            </form>
            <button class="rg-btn rg-secondary" data-testid="voucher-mode" on:click=move |_| ctx.dispatch(Action::VoucherMode)>
                "Print a loyalty voucher instead (no bill)"
            </button>
        </section>
    }
}

#[component]
pub fn CustomerScreen() -> impl IntoView {
    let ctx = ctx();
    let q = RwSignal::new(String::new());
    let err = ctx.field_error(Field::Query);
    let busy = ctx.busy();
    let results = ctx.sel(|f| f.sale.customers.clone());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::Search(q.get_untracked()));
    };
    view! {
        <BillSummary/>
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Find the customer"</h2>
            <form role="search" on:submit=submit novalidate class="rg-row">
                <div class="rg-grow">
                    <label for="customer-q">"Mobile number, card number or name"</label>
                    <input
                        id="customer-q"
                        type="search"
                        autocomplete="off"
                        spellcheck="false"
                        aria-describedby="customer-q-error"
                        aria-invalid=move || err.get().is_some().to_string()
                        bind:value=q
                    />
                </div>
                <button type="submit" class="rg-btn rg-primary" data-testid="search" disabled=move || busy.get()>
                    "Search"
                </button>
            </form>
            <FieldMsg id="customer-q-error" text=err/>
            <ul class="rg-list" aria-label="Customers found">
                {move || {
                    results
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|c| {
                            let id = c.id.clone();
                            let contacts = [c.masked_mobile.clone(), c.masked_card.clone(), c.masked_email.clone()]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" · ");
                            view! {
                                <li>
                                    <button
                                        class="rg-btn rg-result"
                                        data-testid="customer-result"
                                        data-customer-id=c.id.clone()
                                        disabled=move || busy.get()
                                        on:click=move |_| ctx.dispatch(Action::ChooseCustomer(id.clone()))
                                    >
                                        <strong>{c.name.clone()}</strong>
                                        <span class="rg-muted">{contacts}</span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}

fn kind_heading(kind: InstrumentKind) -> &'static str {
    match kind {
        InstrumentKind::Points => "Points",
        InstrumentKind::Package => "Package",
        InstrumentKind::Membership => "Membership",
        InstrumentKind::Campaign => "Campaign benefit",
        InstrumentKind::GiftCard => "Gift card",
    }
}

fn limit_text(l: Limit) -> &'static str {
    match l {
        Limit::Balance => "the balance",
        Limit::Bill => "the bill total",
        Limit::BillCap => "the store's per-bill limit",
    }
}

/// "1,200 points" / "₹2,500.00".
fn amount(i: &InstrumentBalance, q: u64, locale: &str) -> String {
    format::quantity(i.unit, q, i.unit_value, locale)
}

#[component]
pub fn BalanceScreen() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let balance = ctx.sel(|f| f.sale.balance.clone());
    // Each instrument with its allowed range (or the reason it cannot be redeemed).
    let rows = ctx.sel(|f| {
        f.sale
            .balance
            .as_ref()
            .map(|b| {
                b.instruments
                    .iter()
                    .map(|i| {
                        let range = match f.range_for(i) {
                            Some(Ok(r)) => Ok((r.min, r.max, r.limited_by)),
                            Some(Err(e)) => Err(range_reason(&e, i)),
                            None => Err(String::new()),
                        };
                        (i.clone(), range)
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let customer = move || balance.get().map(|b| b.customer);
    view! {
        <BillSummary/>
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1" data-testid="customer-name">
                {move || customer().map(|c| c.name).unwrap_or_default()}
            </h2>
            <p class="rg-muted" data-testid="customer-contacts">
                {move || {
                    customer()
                        .map(|c| {
                            [c.masked_mobile, c.masked_card, c.masked_email].into_iter().flatten().collect::<Vec<_>>().join(" · ")
                        })
                        .unwrap_or_default()
                }}
            </p>
            <ul class="rg-instruments" data-testid="balance">
                {move || {
                    let loc = locale.get();
                    rows.get()
                        .into_iter()
                        .map(|(i, range)| {
                            let id = i.id.clone();
                            let worth = Money::new(i.available.saturating_mul(i.unit_value.minor()).min(contract::money::MAX_MINOR), i.unit_value.currency())
                                .map(|m| format::money(m, &loc))
                                .unwrap_or_default();
                            let details = details(&i, &loc);
                            let (range_text, ok) = match &range {
                                Ok((min, max, limit)) => (
                                    format!("Can redeem {} to {} now (limited by {})", amount(&i, *min, &loc), amount(&i, *max, &loc), limit_text(*limit)),
                                    true,
                                ),
                                Err(e) => (e.clone(), false),
                            };
                            let kiosk = ctx.mode().self_service();
                            let label = if kiosk { format!("Get a voucher for {}", i.label) } else { format!("Redeem {}", i.label) };
                            view! {
                                <li class="rg-instrument" data-testid="instrument" data-kind=i.kind.as_str() data-instrument-id=i.id.clone()>
                                    <div class="rg-inst-head">
                                        <span class="rg-kind">{kind_heading(i.kind)}</span>
                                        <h3>{i.label.clone()}</h3>
                                    </div>
                                    <p class="rg-big" data-testid="available">{amount(&i, i.available, &loc)}</p>
                                    <p class="rg-muted">
                                        {if i.unit == Unit::Credit { String::new() } else { format!("Worth {worth}") }}
                                    </p>
                                    {details.into_iter().map(|d| view! { <p class="rg-muted">{d}</p> }).collect_view()}
                                    <p class="rg-range" data-ok=ok.to_string()>{range_text}</p>
                                    <button
                                        class="rg-btn rg-primary"
                                        data-testid="choose-instrument"
                                        aria-label=label
                                        disabled=!ok
                                        on:click=move |_| ctx.dispatch(Action::ChooseInstrument(id.clone()))
                                    >
                                        {if kiosk { "Get a voucher" } else { "Redeem" }}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {if ctx.mode().self_service() {
                view! {
                    <button class="rg-btn rg-secondary rg-wide" data-testid="kiosk-done" on:click=move |_| ctx.dispatch(Action::KioskDone)>
                        "I'm done"
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <button class="rg-btn rg-secondary" data-testid="back-to-search" on:click=move |_| ctx.dispatch(Action::BackToSearch)>
                        "Another customer"
                    </button>
                }
                .into_any()
            }}
        </section>
    }
}

/// Why an instrument cannot be redeemed now, in the instrument's own units.
fn range_reason(e: &RuleError, i: &InstrumentBalance) -> String {
    match e {
        RuleError::NotEnoughToRedeem {
            max: 0,
            limited_by: Limit::Bill | Limit::BillCap,
            ..
        } => {
            format!("One {} is worth more than this bill allows", i.unit.noun(1))
        }
        RuleError::NothingAvailable => "Nothing left to redeem".to_string(),
        e => e.to_string(),
    }
}

/// Earned, expiring soon, valid until.
fn details(i: &InstrumentBalance, loc: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(e) = i.earned {
        let verb = if i.kind == InstrumentKind::Points {
            "earned"
        } else {
            "bought"
        };
        out.push(format!("{} {verb} in total", amount(i, e, loc)));
    }
    if let Some(x) = &i.expiring_soon {
        out.push(format!(
            "{} expire on {}",
            amount(i, x.quantity, loc),
            format::date(x.at_ms, loc)
        ));
    }
    if let Some(v) = i.valid_until_ms {
        out.push(format!("Valid until {}", format::date(v, loc)));
    }
    out
}

#[component]
pub fn RedeemScreen() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let input = RwSignal::new(String::new());
    let busy = ctx.busy();
    let server_err = ctx.field_error(Field::Quantity);
    let inst = ctx.sel(|f| f.instrument().cloned());
    let range = ctx.sel(|f| f.allowed_range().and_then(Result::ok));
    let unit_value = ctx.sel(|f| {
        f.instrument().map(|i| {
            contract::rules::unit_value(
                f.signed_in.policy.as_ref().expect("signed in"),
                i.kind,
                i.unit_value,
            )
        })
    });
    // Inline check with the contract's rules as the cashier types (S10).
    let checked = Memo::new(move |_| {
        let text = input.get();
        ctx.flow.with(|f| f.check(&text))
    });
    // The answer to a submit belongs to the text submitted; editing it retires the message.
    let submitted = RwSignal::new(None::<String>);
    let answer = move || {
        server_err
            .get()
            .filter(|_| submitted.get() == Some(input.get()))
    };
    let inline = Signal::derive(move || {
        if input.with(|s| s.trim().is_empty()) {
            return answer();
        }
        match checked.get() {
            Some(Err(e)) => Some(e.to_string()),
            _ => answer(),
        }
    });
    let preview = move || {
        let loc = locale.get();
        match checked.get() {
            Some(Ok(c)) => {
                let code = if c.otp_required {
                    "the customer's code is needed"
                } else {
                    "no code needed"
                };
                format!("= {} · {code}", format::money(c.value, &loc))
            }
            _ => String::new(),
        }
    };
    let range_text = move || {
        let loc = locale.get();
        match (inst.get(), range.get(), unit_value.get()) {
            (Some(i), Some(r), Some(uv)) => {
                let per = if i.unit == Unit::Credit {
                    String::new()
                } else {
                    format!(" 1 {} = {}.", i.unit.noun(1), format::money(uv, &loc))
                };
                format!(
                    "Allowed: {} to {} (limited by {}).{per}",
                    amount(&i, r.min, &loc),
                    amount(&i, r.max, &loc),
                    limit_text(r.limited_by)
                )
            }
            _ => String::new(),
        }
    };
    let is_credit = move || inst.get().is_some_and(|i| i.unit == Unit::Credit);
    let label = move || {
        let i = inst.get();
        match i {
            Some(i) if i.unit == Unit::Credit => {
                format!("Amount to redeem ({})", i.unit_value.currency())
            }
            Some(i) => format!("{} to redeem", capitalise(i.unit.noun(2))),
            None => String::new(),
        }
    };
    let use_max = move |_| {
        if let (Some(r), Some(i)) = (range.get_untracked(), inst.get_untracked()) {
            let text = match i.unit {
                Unit::Credit => Money::new(r.max, i.unit_value.currency())
                    .map(|m| m.to_decimal_string())
                    .unwrap_or_default(),
                _ => r.max.to_string(),
            };
            input.set(text);
        }
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(Some(input.get_untracked()));
        ctx.dispatch(Action::Hold(input.get_untracked()));
    };
    view! {
        <BillSummary/>
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">{move || inst.get().map(|i| format!("Redeem {}", i.label)).unwrap_or_default()}</h2>
            <p id="allowed-range" class="rg-range" data-testid="allowed-range">{range_text}</p>
            <form on:submit=submit novalidate>
                <label for="quantity">{label}</label>
                <div class="rg-row">
                    <input
                        id="quantity"
                        class="rg-grow"
                        inputmode=move || if is_credit() { "decimal" } else { "numeric" }
                        autocomplete="off"
                        aria-describedby="allowed-range quantity-error quantity-value"
                        aria-invalid=move || inline.get().is_some().to_string()
                        bind:value=input
                    />
                    <button type="button" class="rg-btn rg-secondary" data-testid="use-max" on:click=use_max>
                        "Maximum"
                    </button>
                </div>
                <FieldMsg id="quantity-error" text=inline/>
                <p id="quantity-value" class="rg-preview" data-testid="quantity-value">{preview}</p>
                <div class="rg-actions">
                    <button type="submit" class="rg-btn rg-primary" data-testid="hold" disabled=move || busy.get()>
                        "Continue"
                    </button>
                    <button type="button" class="rg-btn rg-secondary" data-testid="back-to-balance" on:click=move |_| ctx.dispatch(Action::BackToBalance)>
                        "Back"
                    </button>
                </div>
            </form>
        </section>
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
