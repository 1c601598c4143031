//! The customer's balances: every instrument with what it is worth, what can be redeemed from
//! it now (or why not), and what expires.

use crate::flow::{Action, Flow};
use crate::format;
use crate::ui::driver::ctx;
use crate::ui::summary::BillSummary;
use contract::rules::{self, Limit, RuleError};
use contract::{InstrumentBalance, InstrumentKind, Unit};
use leptos::prelude::*;

fn kind_heading(kind: InstrumentKind) -> &'static str {
    match kind {
        InstrumentKind::Points => "Points",
        InstrumentKind::Package => "Package",
        InstrumentKind::Membership => "Membership",
        InstrumentKind::Campaign => "Campaign benefit",
        InstrumentKind::GiftCard => "Gift card",
    }
}

#[component]
pub fn BalanceScreen() -> impl IntoView {
    let ctx = ctx();
    let locale = ctx.locale();
    let customer = ctx.sel(|f| f.customer().cloned());
    // Each instrument with its worth and allowed range (or why it cannot be redeemed), by
    // the contract's rules.
    let rows = ctx.sel(|f| {
        let Some(b) = &f.sale.balance else {
            return vec![];
        };
        b.instruments
            .iter()
            .map(|i| {
                let worth = f
                    .rules_policy()
                    .and_then(|p| rules::value_of(&p, i.kind, i.unit_value, i.available).ok());
                let range = match f.range_for(i) {
                    Some(Ok(r)) => Ok((r.min, r.max, r.limited_by)),
                    Some(Err(e)) => Err(range_reason(&e, i, &f.words_for(i))),
                    None if f.awaits_bill() => Err("Enter the bill to redeem on it".to_string()),
                    None => Err(String::new()),
                };
                (i.clone(), worth, range)
            })
            .collect::<Vec<_>>()
    });
    let self_service = ctx.mode().self_service();
    let can_voucher = ctx.sel(Flow::can_print_voucher);
    let can_earn = ctx.sel(Flow::can_earn);
    let earned = ctx.sel(|f| f.earned_here().map(|a| a.points.get()));
    let busy = ctx.busy();
    view! {
        <BillSummary/>
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1" data-testid="customer-name">
                {move || customer.get().map(|c| c.name).unwrap_or_default()}
            </h2>
            <p class="rg-muted" data-testid="customer-contacts">
                {move || customer.get().map(|c| format::contacts(&c)).unwrap_or_default()}
            </p>
            <ul class="rg-instruments" data-testid="balance">
                {move || {
                    let loc = locale.get();
                    rows.get()
                        .into_iter()
                        .map(|(i, worth, range)| {
                            let id = i.id.clone();
                            let worth = match worth {
                                Some(m) if i.unit != Unit::Credit => format!("Worth {}", format::money(m, &loc)),
                                _ => String::new(),
                            };
                            let (range_text, ok) = match &range {
                                Ok((min, max, limit)) => (
                                    format!(
                                        "Can redeem {} to {} now (limited by {})",
                                        format::units(&i, *min, &loc),
                                        format::units(&i, *max, &loc),
                                        format::limit(*limit)
                                    ),
                                    true,
                                ),
                                Err(e) => (e.clone(), false),
                            };
                            let label = if self_service { format!("Get a voucher for {}", i.label) } else { format!("Redeem {}", i.label) };
                            view! {
                                <li class="rg-instrument" data-testid="instrument" data-kind=i.kind.as_str() data-instrument-id=i.id.clone()>
                                    <div class="rg-inst-head">
                                        <span class="rg-kind">{kind_heading(i.kind)}</span>
                                        <h3>{i.label.clone()}</h3>
                                    </div>
                                    <p class="rg-big" data-testid="available">{format::units(&i, i.available, &loc)}</p>
                                    <p class="rg-muted">{worth}</p>
                                    {details(&i, &loc).into_iter().map(|d| view! { <p class="rg-muted">{d}</p> }).collect_view()}
                                    <p class="rg-range" data-ok=ok.to_string()>{range_text}</p>
                                    <button
                                        class="rg-btn rg-primary"
                                        data-testid="choose-instrument"
                                        aria-label=label
                                        disabled=!ok
                                        on:click=move |_| ctx.dispatch(Action::ChooseInstrument(id.clone()))
                                    >
                                        {if self_service { "Get a voucher" } else { "Redeem" }}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {if self_service {
                view! {
                    <button class="rg-btn rg-secondary rg-wide" data-testid="kiosk-done" on:click=move |_| ctx.dispatch(Action::KioskDone)>
                        "I'm done"
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <p data-testid="earned" class="rg-muted">
                        {move || earned.get().map(|n| format!(
                            "This bill earned {} {}.",
                            format::number(n, &locale.get()),
                            Unit::Points.noun(n)
                        ))}
                    </p>
                    <div class="rg-actions">
                        // Seed 004: points for the purchase, computed by the backend from the
                        // bill and the customer's card type.
                        <Show when=move || can_earn.get()>
                            <button class="rg-btn rg-secondary" data-testid="earn-points" disabled=move || busy.get() on:click=move |_| ctx.dispatch(Action::Earn)>
                                "Add the points this bill earns"
                            </button>
                        </Show>
                        // Seed 004: the voucher button only for a customer who can have one.
                        <Show when=move || can_voucher.get()>
                            <button class="rg-btn rg-secondary" data-testid="voucher-mode" on:click=move |_| ctx.dispatch(Action::VoucherMode)>
                                "Print a loyalty voucher instead"
                            </button>
                        </Show>
                        <button class="rg-btn rg-secondary" data-testid="back-to-search" on:click=move |_| ctx.dispatch(Action::BackToSearch)>
                            "Another customer"
                        </button>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// Why an instrument cannot be redeemed now, in the instrument's own units.
fn range_reason(e: &RuleError, i: &InstrumentBalance, words: &format::InUnits) -> String {
    match e {
        RuleError::NotEnoughToRedeem {
            max: 0,
            limited_by: Limit::Bill | Limit::BillCap,
            ..
        } => {
            format!("One {} is worth more than this bill allows", i.unit.noun(1))
        }
        RuleError::NothingAvailable => "Nothing left to redeem".to_string(),
        e => e.words(words),
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
        out.push(format!("{} {verb} in total", format::units(i, e, loc)));
    }
    if let Some(x) = &i.expiring_soon {
        out.push(format!(
            "{} expire on {}",
            format::units(i, x.quantity, loc),
            format::date(x.at_ms, loc)
        ));
    }
    if let Some(v) = i.valid_until_ms {
        out.push(format!("Valid until {}", format::date(v, loc)));
    }
    out
}
