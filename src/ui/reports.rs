//! The back office's reading screens (issue 15): the loyalty reports and what is owed,
//! cashiers ranked by fraud signals, and the audit log with its store chain checked here.
//! Thin: the flow (`flow::reports`) asks the backend, the contract decides columns and flags.

use crate::flow::{Action, AuditForm, Chain, ReportForm, ReportView, Reports, Screen};
use crate::format;
use crate::ui::driver::ctx;
use crate::ui::field::FieldMsg;
use contract::reports::{kind_name, ApprovedBy, Column, LoyaltyReport, ReportKind, ReportRow};
use contract::{InstrumentKind, Money};
use leptos::prelude::*;

fn act(r: Reports) -> Action {
    Action::Reports(r)
}

/// The message for one field of the reading screens' forms.
fn error(field: &'static str) -> Signal<Option<String>> {
    let flow = ctx().flow;
    Memo::new(move |_| flow.with(|f| f.ui.reports.error(field))).into()
}

/// A labelled choice among `(value, text)` options, the first meaning "all".
#[component]
fn Choice(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    options: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <div class="rg-field">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| value.set(event_target_value(&ev))>
                {options.into_iter().map(|(v, text)| {
                    let selected = value.get_untracked() == v;
                    view! { <option value=v selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// A store day typed or picked (`YYYY-MM-DD`), with its message.
#[component]
fn Day(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    field: &'static str,
) -> impl IntoView {
    let msg = format!("{id}-error");
    view! {
        <div class="rg-field">
            <label for=id>{label}</label>
            <input id=id type="date" aria-describedby=msg.clone()
                aria-invalid=move || error(field).get().is_some().to_string() bind:value=value/>
            <FieldMsg id=msg text=error(field)/>
        </div>
    }
}

fn all(text: &str) -> (String, String) {
    (String::new(), text.to_string())
}

#[component]
pub fn ReportsScreen() -> impl IntoView {
    let ctx = ctx();
    let version = ctx.sel(|f| f.ui.reports.version);
    let report = ctx.sel(|f| f.ui.reports.report.clone());
    let liability = ctx.sel(|f| f.ui.reports.liability.clone());
    let view_of = ctx.sel(|f| f.ui.reports.form.view);
    let busy = ctx.busy();
    view! {
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Reports"</h2>
            <p class="rg-muted">"Loyalty redeemed at this store by day, customer, cashier, till and kind; the end-of-day cash-up per till; and what customers are still owed. Days are the store's days."</p>
            {move || { version.get(); view! { <ReportFilters/> } }}
            {move || match (view_of.get(), report.get(), liability.get()) {
                (ReportView::Liability, _, Some(l)) => view! { <LiabilityTable l/> }.into_any(),
                (ReportView::Report(_), Some(r), _) => view! { <ReportTable r/> }.into_any(),
                _ => view! { <p class="rg-muted" aria-live="polite">{move || if busy.get() { "Reading…" } else { "" }}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ReportFilters() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let f = ctx.flow.with_untracked(|f| f.ui.reports.clone());
    let form = f.form.clone();
    let view = RwSignal::new(form.view.name().to_string());
    let from = RwSignal::new(form.from.clone());
    let to = RwSignal::new(form.to.clone());
    let cashier = RwSignal::new(form.cashier.clone());
    let terminal = RwSignal::new(form.terminal.clone());
    let instrument = RwSignal::new(form.instrument.clone());
    let approved = RwSignal::new(form.approved_by.clone());
    let customer = form.customer.clone();
    let read = move || ReportForm {
        view: ReportView::parse(&view.get_untracked())
            .unwrap_or(ReportView::Report(ReportKind::DateCustomer)),
        from: from.get_untracked(),
        to: to.get_untracked(),
        cashier: cashier.get_untracked(),
        terminal: terminal.get_untracked(),
        instrument: instrument.get_untracked(),
        approved_by: approved.get_untracked(),
        customer: customer.clone(),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(act(Reports::Run(read())));
    };
    let views = ReportView::ALL
        .iter()
        .map(|v| (v.name().to_string(), v.title().to_string()))
        .collect();
    let mut staff = vec![all("Everyone")];
    staff.extend(
        f.staff
            .unwrap_or_default()
            .into_iter()
            .map(|m| (m.id, m.name)),
    );
    let mut tills = vec![all("Every till")];
    tills.extend(
        f.terminals
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.id, t.name)),
    );
    let mut kinds = vec![all("Every kind")];
    kinds.extend(
        InstrumentKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), kind_name(*k).to_string())),
    );
    let mut ways = vec![all("Any way")];
    ways.extend(
        ApprovedBy::ALL
            .iter()
            .map(|a| (a.as_str().to_string(), a.label().to_string())),
    );
    view! {
        <form on:submit=submit novalidate aria-label="Report" class="rg-subform">
            // Loyalty owed is now, for everyone: the period and the filters do not apply to it.
            <div class="rg-grid" class:rg-owed=move || view.get() == ReportView::Liability.name()>
                <Choice id="report-view" label="Report" value=view options=views/>
                <Day id="report-from" label="From (store day)" value=from field="from"/>
                <Day id="report-to" label="To (included)" value=to field="to"/>
                <Choice id="report-cashier" label="Cashier" value=cashier options=staff/>
                <Choice id="report-terminal" label="Till" value=terminal options=tills/>
                <Choice id="report-instrument" label="Kind of loyalty" value=instrument options=kinds/>
                <Choice id="report-approved" label="Approved by" value=approved options=ways/>
            </div>
            {form.customer.map(|(_, name)| view! {
                <p data-testid="report-customer">
                    {format!("Only {name}'s redemptions. ")}
                    <button type="button" class="rg-btn rg-quiet" data-testid="all-customers"
                        on:click=move |_| ctx.dispatch(act(Reports::AllCustomers))>"Show every customer"</button>
                </p>
            })}
            <div class="rg-actions">
                <button type="submit" class="rg-btn rg-primary" data-testid="run-report" disabled=move || busy.get()>"Show report"</button>
                <button type="button" class="rg-btn" data-testid="report-csv" disabled=move || busy.get()
                    on:click=move |_| ctx.dispatch(act(Reports::Csv))>"Download CSV"</button>
            </div>
        </form>
    }
}

/// A number for people, in the store's locale.
fn n(v: u64, locale: &str) -> String {
    format::number(v, locale)
}

/// One cell of a data table: its text, right-aligned if a number, and optionally a button
/// doing an action (its accessible name, its test id).
struct Cell {
    text: String,
    num: bool,
    act: Option<(Action, String, &'static str)>,
}

fn text(text: String) -> Cell {
    Cell {
        text,
        num: false,
        act: None,
    }
}

fn num(text: String) -> Cell {
    Cell {
        text,
        num: true,
        act: None,
    }
}

/// A row: its test id, a key for tests (`data-key`), its cells (a cell may hold several).
struct Row {
    testid: &'static str,
    key: String,
    cells: Vec<Vec<Cell>>,
}

/// Every table of the reading screens: one component, so the bundle carries one table.
/// Wide tables scroll sideways in their region (keyboard: it takes focus).
#[component]
fn DataTable(
    label: String,
    testid: &'static str,
    head: Vec<(&'static str, bool)>,
    rows: Vec<Row>,
) -> impl IntoView {
    let ctx = ctx();
    let cell = move |c: Cell| {
        match c.act {
        Some((action, aria, id)) => view! {
            <button class="rg-link" data-testid=id aria-label=aria on:click=move |_| ctx.dispatch(action.clone())>{c.text}</button>
        }.into_any(),
        None => view! { <span>{c.text}</span> }.into_any(),
    }
    };
    let body =
        rows.into_iter()
            .map(|r| {
                let cells = r.cells.into_iter().map(|parts| {
            let right = parts.first().is_some_and(|c| c.num);
            view! { <td class:rg-n=right>{parts.into_iter().map(cell).collect_view()}</td> }
        }).collect_view();
                view! { <tr data-testid=r.testid data-key=r.key>{cells}</tr> }
            })
            .collect_view();
    let caption = label.clone();
    view! {
        <div class="rg-scroll" role="region" aria-label=label tabindex="0">
            <table class="rg-data" data-testid=testid>
                <caption class="rg-sr-only">{caption}</caption>
                <thead><tr>{head.into_iter().map(|(t, right)| view! { <th scope="col" class:rg-n=right>{t}</th> }).collect_view()}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

fn cell(c: Column, row: &ReportRow, locale: &str) -> String {
    match c {
        Column::Value => format::money(row.value, locale),
        Column::VouchersValue => row
            .vouchers_value
            .map(|m| format::money(m, locale))
            .unwrap_or_default(),
        Column::Redemptions => n(row.count, locale),
        Column::Points => n(row.points, locale),
        Column::Quantity => row.quantity.map(|q| n(q, locale)).unwrap_or_default(),
        c => c.text(row),
    }
}

#[component]
fn ReportTable(r: LoyaltyReport) -> impl IntoView {
    let locale = ctx().flow.with_untracked(|f| f.locale());
    let kind = r.report;
    let columns = kind.columns();
    let money = |m: Money| format::money(m, &locale);
    let v = &r.vouchers;
    let summary = format!(
        "{} redemptions · {} points · {} redeemed · {} reversed",
        n(r.count, &locale),
        n(r.points, &locale),
        money(r.value),
        n(r.reversed, &locale)
    );
    let vouchers = format!(
        "Printed vouchers: {} issued ({}), {} redeemed ({}), {} expired unused ({}).",
        n(v.issued, &locale),
        money(v.issued_value),
        n(v.redeemed, &locale),
        money(v.redeemed_value),
        n(v.expired, &locale),
        money(v.expired_value)
    );
    // Codes whose provider reports deliveries (issue 16), per channel.
    let messages = (!r.messages.is_empty()).then(|| {
        let per: Vec<String> = r
            .messages
            .iter()
            .map(|m| {
                let disowned = match m.disowned {
                    0 => String::new(),
                    d => format!(", {} the customer did not ask for", n(d, &locale)),
                };
                format!(
                    "{} {} delivered, {} failed at the operator, {} with no report yet{disowned}",
                    m.channel.label(),
                    n(m.delivered, &locale),
                    n(m.failed, &locale),
                    n(m.awaiting, &locale)
                )
            })
            .collect();
        format!("Codes with delivery reports: {}.", per.join("; "))
    });
    let drill = kind != ReportKind::CustomerDetail;
    let rows: Vec<Row> = r
        .rows
        .iter()
        .map(|row| Row {
            testid: "report-row",
            key: row
                .customer_name
                .clone()
                .or_else(|| row.cashier_name.clone())
                .or_else(|| row.terminal_name.clone())
                .unwrap_or_default(),
            cells: columns
                .iter()
                .map(|c| {
                    let mut out = Cell {
                        text: cell(*c, row, &locale),
                        num: c.numeric(),
                        act: None,
                    };
                    if let (Column::Customer, true, Some(id), Some(name)) =
                        (c, drill, &row.customer_id, &row.customer_name)
                    {
                        let go = act(Reports::Customer {
                            id: id.clone(),
                            name: name.clone(),
                        });
                        out.act =
                            Some((go, format!("Every redemption of {name}"), "customer-detail"));
                    }
                    vec![out]
                })
                .collect(),
        })
        .collect();
    let head = columns.iter().map(|c| (c.title(), c.numeric())).collect();
    let empty = rows.is_empty();
    view! {
        <div class="rg-report" data-testid="report" data-kind=kind.as_str()>
            <h3>{kind.title()}</h3>
            <p data-testid="report-summary">{summary}</p>
            <p class="rg-hint" data-testid="report-vouchers">{vouchers}</p>
            {messages.map(|m| view! { <p class="rg-hint" data-testid="report-deliveries">{m}</p> })}
            {match empty {
                true => view! { <p data-testid="report-empty">"Nothing was redeemed in these days with these choices."</p> }.into_any(),
                false => view! { <DataTable label=kind.title().to_string() testid="report-table" head rows/> }.into_any(),
            }}
            {r.more.then(|| view! {
                <p class="rg-hint" data-testid="report-more">{format!("Showing the first {} rows: the CSV file has them all.", LoyaltyReport::MAX_ROWS)}</p>
            })}
        </div>
    }
}

#[component]
fn LiabilityTable(l: contract::reports::Liability) -> impl IntoView {
    let locale = ctx().flow.with_untracked(|f| f.locale());
    let money = |m: Money| num(format::money(m, &locale));
    let rows = l
        .lines
        .iter()
        .map(|x| Row {
            testid: "liability-row",
            key: x.instrument_kind.as_str().to_string(),
            cells: vec![
                vec![text(kind_name(x.instrument_kind).to_string())],
                vec![num(n(x.customers, &locale))],
                vec![num(format::quantity(
                    x.unit,
                    x.quantity,
                    Money::zero(x.value.currency()),
                    &locale,
                ))],
                vec![money(x.value)],
                vec![money(x.expiring_30_value)],
                vec![money(x.expiring_60_value)],
                vec![money(x.expiring_90_value)],
            ],
        })
        .collect();
    let head = vec![
        ("Kind", false),
        ("Customers", true),
        ("Outstanding", true),
        ("Value", true),
        ("Expiring in 30 days", true),
        ("60 days", true),
        ("90 days", true),
    ];
    view! {
        <div class="rg-report" data-testid="liability">
            <h3>"Loyalty owed to customers now"</h3>
            <p data-testid="liability-total">{format!("In all: {}, of which {} in {} printed vouchers not yet used.",
                format::money(l.total_value, &locale), format::money(l.vouchers_value, &locale), n(l.vouchers_outstanding, &locale))}</p>
            <DataTable label="Loyalty owed by kind, and what expires soon".to_string() testid="liability-table" head rows/>
        </div>
    }
}

#[component]
pub fn CashiersScreen() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let version = ctx.sel(|f| f.ui.reports.version);
    let report = ctx.sel(|f| f.ui.reports.cashiers.clone());
    let form = move || {
        let (f0, t0) = ctx.flow.with_untracked(|f| f.ui.reports.rank_days.clone());
        let (from, to) = (RwSignal::new(f0), RwSignal::new(t0));
        let submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            ctx.dispatch(act(Reports::Rank {
                from: from.get_untracked(),
                to: to.get_untracked(),
            }));
        };
        view! {
            <form on:submit=submit novalidate aria-label="Days" class="rg-subform">
                <div class="rg-grid">
                    <Day id="rank-from" label="From (store day)" value=from field="from"/>
                    <Day id="rank-to" label="To (included)" value=to field="to"/>
                </div>
                <div class="rg-actions">
                    <button type="submit" class="rg-btn rg-primary" data-testid="rank-cashiers" disabled=move || busy.get()>"Rank cashiers"</button>
                    <button type="button" class="rg-btn" data-testid="cashiers-csv" disabled=move || busy.get()
                        on:click=move |_| ctx.dispatch(act(Reports::CashiersCsv))>"Download CSV"</button>
                </div>
            </form>
        }
    };
    view! {
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Cashier signals"</h2>
            <p class="rg-muted">"Signs that a cashier may be redeeming customers' loyalty for themselves. Cashiers crossing the store's thresholds (set in Policy) come first; open a signal to see the audit entries behind it. A signal is a reason to look, not proof."</p>
            {move || { version.get(); form() }}
            {move || report.get().map(|r| view! { <CashierTable r/> })}
        </section>
    }
}

#[component]
fn CashierTable(r: contract::reports::CashierReport) -> impl IntoView {
    let locale = ctx().flow.with_untracked(|f| f.locale());
    if r.cashiers.is_empty() {
        return view! { <p data-testid="cashiers-empty">"No cashier posted a redemption or typed a code in these days."</p> }.into_any();
    }
    let rows = r
        .cashiers
        .iter()
        .map(|c| {
            let pct = |part: u64| {
                num(match c.redemptions {
                    0 => "—".to_string(),
                    all => format!("{} ({}%)", n(part, &locale), part * 100 / all),
                })
            };
            let count = |v: u64| num(n(v, &locale));
            let flags = match c.flagged.is_empty() {
                true => vec![text("None".into())],
                false => c
                    .flagged
                    .iter()
                    .map(|s| Cell {
                        text: s.label().into(),
                        num: false,
                        act: Some((
                            act(Reports::Drill {
                                staff_id: c.staff_id.clone(),
                                signal: *s,
                            }),
                            format!("{}: {} — show the audit entries", c.staff_name, s.label()),
                            "signal",
                        )),
                    })
                    .collect(),
            };
            Row {
                testid: "cashier",
                key: format!(
                    "{}:{}",
                    c.staff_name,
                    c.flagged
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                cells: vec![
                    vec![text(c.staff_name.clone())],
                    vec![count(c.redemptions)],
                    vec![num(format::money(c.value, &locale))],
                    vec![pct(c.overrides)],
                    vec![count(c.failed_codes)],
                    vec![pct(c.no_sale)],
                    vec![count(c.reversals)],
                    vec![count(c.after_hours)],
                    vec![count(c.shared_contacts)],
                    vec![count(c.bursts)],
                    flags,
                ],
            }
        })
        .collect();
    let head = vec![
        ("Cashier", false),
        ("Redemptions", true),
        ("Value", true),
        ("Overrides", true),
        ("Wrong codes", true),
        ("No sale", true),
        ("Reversals", true),
        ("After hours", true),
        ("Shared contacts", true),
        ("Bursts", true),
        ("Flagged", false),
    ];
    view! { <DataTable label="Cashiers, most signals first".to_string() testid="cashiers" head rows/> }.into_any()
}

#[component]
pub fn AuditScreen() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let version = ctx.sel(|f| f.ui.reports.version);
    let entries = ctx.sel(|f| f.ui.reports.entries.clone());
    let more = ctx.sel(|f| f.ui.reports.next_after.is_some());
    let chain = ctx.sel(|f| f.ui.reports.chain.clone());
    let form = move || {
        let (f0, staff) = ctx
            .flow
            .with_untracked(|f| (f.ui.reports.audit_form.clone(), f.ui.reports.staff.clone()));
        let action = RwSignal::new(f0.action.clone());
        let who = RwSignal::new(f0.staff.clone());
        let (from, to) = (RwSignal::new(f0.from.clone()), RwSignal::new(f0.to.clone()));
        let submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            ctx.dispatch(act(Reports::Audit(AuditForm {
                action: action.get_untracked(),
                staff: who.get_untracked(),
                from: from.get_untracked(),
                to: to.get_untracked(),
            })));
        };
        let mut actions = vec![all("Every action")];
        actions.extend(
            contract::audit::ACTIONS
                .iter()
                .map(|(k, t)| (k.to_string(), t.to_string())),
        );
        let mut people = vec![all("Everyone")];
        people.extend(
            staff
                .unwrap_or_default()
                .into_iter()
                .map(|m| (m.id, m.name)),
        );
        view! {
            <form on:submit=submit novalidate aria-label="Audit entries" class="rg-subform">
                <div class="rg-grid">
                    <Choice id="audit-action" label="Action" value=action options=actions/>
                    <Choice id="audit-staff" label="Staff member" value=who options=people/>
                    <Day id="audit-from" label="From (store day)" value=from field="from"/>
                    <Day id="audit-to" label="To (included)" value=to field="to"/>
                </div>
                <div class="rg-actions">
                    <button type="submit" class="rg-btn rg-primary" data-testid="show-audit-entries" disabled=move || busy.get()>"Show entries"</button>
                    <button type="button" class="rg-btn" data-testid="audit-csv" disabled=move || busy.get()
                        on:click=move |_| ctx.dispatch(act(Reports::AuditCsv))>"Download CSV"</button>
                </div>
            </form>
        }
    };
    let tz = ctx.sel(crate::flow::Flow::time_zone);
    let locale = ctx.locale();
    let rows = move || {
        let (tz, locale) = (tz.get(), locale.get());
        let list = entries.get();
        if list.is_empty() {
            return view! { <p data-testid="audit-empty">"No entries match."</p> }.into_any();
        }
        let name = |id: &Option<String>| {
            id.as_deref()
                .map(|i| {
                    ctx.flow
                        .with_untracked(|f| f.ui.reports.name_of(i).to_string())
                })
                .unwrap_or_default()
        };
        let rows = list
            .iter()
            .map(|e| Row {
                testid: "audit-entry",
                key: e.action.clone(),
                cells: vec![
                    vec![num(e.seq.to_string())],
                    vec![text(format!(
                        "{} {}",
                        format::store_date(e.at_ms, &tz),
                        format::store_time(e.at_ms, &tz, &locale)
                    ))],
                    vec![text(contract::audit::action_label(&e.action).to_string())],
                    vec![text(name(&e.staff_id))],
                    vec![text(name(&e.terminal_id))],
                    vec![text(e.detail.clone())],
                ],
            })
            .collect();
        let head = vec![
            ("#", true),
            ("When", false),
            ("Action", false),
            ("Staff", false),
            ("Till", false),
            ("Details", false),
        ];
        view! { <DataTable label="Audit entries, oldest first".to_string() testid="audit-entries" head rows/> }.into_any()
    };
    view! {
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Audit log"</h2>
            <p class="rg-muted">"Everything done at this store, in order, as the server recorded it. Entries cannot be changed; each links to the one before, and this page can check every link of the store's log itself."</p>
            {move || { version.get(); form() }}
            {rows}
            <div class="rg-actions">
                <Show when=move || more.get()>
                    <button class="rg-btn" data-testid="audit-more" disabled=move || busy.get()
                        on:click=move |_| ctx.dispatch(act(Reports::AuditMore))>"Show more entries"</button>
                </Show>
                <button class="rg-btn" data-testid="check-chain" disabled=move || busy.get()
                    on:click=move |_| ctx.dispatch(act(Reports::CheckChain))>"Check the whole log here"</button>
            </div>
            <p data-testid="chain" aria-live="polite" class=move || match chain.get() { Some(Chain::Broken(_)) => "rg-bad", _ => "" }>
                {move || match chain.get() {
                    None => String::new(),
                    Some(Chain::Checking(run)) => format!("Checking… {} entries read.", run.read),
                    Some(Chain::Intact { linked, before }) => crate::flow::chain_intact(linked, before),
                    Some(Chain::Broken(why)) => format!("The log does not check out: {why}."),
                }}
            </p>
        </section>
    }
}

/// The reports surface's pages, above every screen once a manager is signed in, and the way
/// back to the back office's set-up (a page of its own: signing in again there).
#[component]
pub fn ReportsNav() -> impl IntoView {
    let ctx = ctx();
    let shown = ctx.sel(crate::flow::Flow::offers_approvals);
    let screen = ctx.sel(|f| f.ui.screen);
    let tab = move |id: &'static str, text: &'static str, on: Screen| {
        view! {
            <button class="rg-btn rg-quiet" data-testid=id
                aria-current=move || (screen.get() == on).then_some("page")
                on:click=move |_| ctx.dispatch(act(Reports::Show(on)))>{text}</button>
        }
    };
    view! {
        <Show when=move || shown.get()>
            <nav class="rg-actions rg-sections" aria-label="Reports">
                {tab("show-reports", "Reports", Screen::Reports)}
                {tab("show-cashiers", "Cashier signals", Screen::Cashiers)}
                {tab("show-audit", "Audit log", Screen::Audit)}
                <a class="rg-btn rg-quiet" href="/back-office" data-testid="open-set-up">"Set-up (back office)"</a>
            </nav>
        </Show>
    }
}

/// The reading screens, for the surface's screen switch.
pub fn screen(s: Screen) -> Option<AnyView> {
    Some(match s {
        Screen::Reports => view! { <ReportsScreen/> }.into_any(),
        Screen::Cashiers => view! { <CashiersScreen/> }.into_any(),
        Screen::Audit => view! { <AuditScreen/> }.into_any(),
        _ => return None,
    })
}
