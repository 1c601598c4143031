//! Staff: who can sign in at the store's tills; add a member, set a new PIN, disable one
//! who leaves.

use super::{field_error, saved, ChoiceOfTwo, ConfirmDanger, RowAction};
use crate::flow::{Action, Danger, Form, Manage, StaffForm};
use crate::ui::driver::ctx;
use crate::ui::field::{Input, TextField};
use contract::api::Role;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn StaffScreen() -> impl IntoView {
    let ctx = ctx();
    let staff = ctx.sel(|f| f.ui.manage.staff.clone());
    let me = ctx.sel(|f| f.signed_in.session.as_ref().map(|s| s.staff.id.clone()));
    let saved = saved();
    view! {
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Staff"</h2>
            <p class="rg-muted">
                "Everyone who can sign in at this store's tills. When someone leaves, disable them: they can no longer sign in, their sessions end at once, and what they did stays in the audit log."
            </p>
            <ConfirmDanger/>
            {move || match staff.get() {
                None => view! { <p class="rg-muted">"Loading…"</p> }.into_any(),
                Some(list) => view! {
                    <table class="rg-table" data-testid="staff-list">
                        <caption class="rg-sr-only">"Staff who can sign in"</caption>
                        <thead>
                            <tr><th scope="col">"Name"</th><th scope="col">"Staff code"</th><th scope="col">"Role"</th><th scope="col">"Daily sales summary by SMS"</th><th scope="col"><span class="rg-sr-only">"Action"</span></th></tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|m| {
                                let mine = me.get_untracked().as_deref() == Some(m.id.as_str());
                                let danger = Danger::Disable { id: m.id.clone(), name: m.name.clone() };
                                let label = format!("Disable {}", m.name);
                                let on = m.daily_summary;
                                let (summary_text, summary_label) = match on {
                                    true => ("Stop", format!("Stop the daily summary to {}", m.name)),
                                    false => ("Send", format!("Send the daily summary to {}", m.name)),
                                };
                                let summary = Manage::DailySummary { id: m.id.clone(), on: !on };
                                let no_mobile = m.mobile.is_none().then_some("No mobile");
                                view! {
                                    <tr data-testid="staff-member" data-code=m.code.clone()>
                                        <td>{m.name.clone()}</td>
                                        <td>{m.code.clone()}</td>
                                        <td>{match m.role { Role::Manager => "Manager", Role::Cashier => "Cashier" }}</td>
                                        <td data-testid="daily-summary-state">
                                            {if on { "Yes " } else { "" }}
                                            <RowAction testid="daily-summary" text=summary_text label=summary_label
                                                manage=summary note=no_mobile/>
                                        </td>
                                        <td>
                                            <RowAction testid="disable-staff" text="Disable" label danger=true
                                                manage=Manage::Ask(danger) note=mine.then_some("You")/>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            {move || { saved.get(); view! { <AddStaff/> <SetPin/> } }}
        </section>
    }
}

#[component]
fn AddStaff() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let (name, code, pin) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let manager = RwSignal::new(false);
    let mobile = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::Manage(Manage::AddStaff(StaffForm {
            code: code.get_untracked(),
            name: name.get_untracked(),
            manager: manager.get_untracked(),
            pin: pin.get_untracked(),
            mobile: mobile.get_untracked(),
        })));
    };
    let tel = Input {
        kind: Some("tel"),
        ..Input::EXACT
    };
    view! {
        <form on:submit=submit novalidate aria-labelledby="add-staff-title" class="rg-subform">
            <h3 id="add-staff-title">"Add a staff member"</h3>
            <div class="rg-grid">
                <div class="rg-field">
                    <TextField id="staff-name" label="Name" value=name error=field_error(Form::Staff, "name") input=Input::OFF/>
                </div>
                <div class="rg-field">
                    <TextField id="staff-code" label="Staff code (typed at the till)" value=code error=field_error(Form::Staff, "code")
                        input=Input::STAFF_CODE hint="1 to 16 letters or digits, e.g. C002".to_string()/>
                </div>
                <div class="rg-field">
                    <ChoiceOfTwo id="staff-role" label="Role" second=manager
                        options=[("cashier", "Cashier"), ("manager", "Manager (approves, sets up the store)")]/>
                </div>
                <div class="rg-field">
                    <TextField id="staff-pin" label="PIN" value=pin error=field_error(Form::Staff, "pin")
                        input=Input::NEW_SECRET hint="4 to 12 digits, not 1111 or 1234: tell it to them in person".to_string()/>
                </div>
                <div class="rg-field">
                    <TextField id="staff-mobile" label="Mobile (optional)" value=mobile error=field_error(Form::Staff, "mobile")
                        input=tel hint="A manager's alerts go here; customers using a staff number are flagged".to_string()/>
                </div>
            </div>
            <button type="submit" class="rg-btn rg-primary" data-testid="add-staff" disabled=move || busy.get()>"Add staff member"</button>
        </form>
    }
}

#[component]
fn SetPin() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let staff = ctx.sel(|f| f.ui.manage.staff.clone().unwrap_or_default());
    let who = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::Manage(Manage::SetPin {
            id: who.get_untracked(),
            pin: pin.get_untracked(),
        }));
    };
    let member_error = field_error(Form::Pin, "member");
    view! {
        <form on:submit=submit novalidate aria-labelledby="set-pin-title" class="rg-subform">
            <h3 id="set-pin-title">"Set a new PIN"</h3>
            <p class="rg-hint">"For someone who forgot theirs, or whose PIN others may know. Their sessions end."</p>
            <div class="rg-grid">
                <div class="rg-field">
                    <label for="pin-member">"Staff member"</label>
                    <select id="pin-member" aria-describedby="pin-member-error" on:change=move |ev| who.set(event_target_value(&ev))>
                        <option value="">"Choose…"</option>
                        {move || staff.get().into_iter().map(|m| view! {
                            <option value=m.id.clone()>{format!("{} ({})", m.name, m.code)}</option>
                        }).collect_view()}
                    </select>
                    <p class="rg-field-msg" id="pin-member-error">{move || member_error.get()}</p>
                </div>
                <div class="rg-field">
                    <TextField id="new-pin" label="New PIN" value=pin error=field_error(Form::Pin, "pin") input=Input::NEW_SECRET/>
                </div>
            </div>
            <button type="submit" class="rg-btn rg-primary" data-testid="set-pin" disabled=move || busy.get()>"Set PIN"</button>
        </form>
    }
}
