//! The back office's set-up screens (issue 14): staff, terminals, the override code, loyalty
//! cards and the customer import, with the page tabs above them. Back office only
//! (`ui::surfaces::BACK_OFFICE`): no other surface links them.

mod cards;
mod import;
mod messages;
mod override_code;
mod staff;
mod terminals;

pub use cards::CardsScreen;
pub use import::ImportScreen;
pub use messages::{MessagesNav, MessagesScreen};
pub use override_code::OverrideCodeScreen;
pub use staff::StaffScreen;
pub use terminals::TerminalsScreen;

use crate::flow::{Action, Danger, Flow, Form, Manage, Screen};
use crate::ui::driver::ctx;
use leptos::prelude::*;

/// The back office's pages, above every screen once a manager is signed in.
#[component]
pub fn BackOfficeNav() -> impl IntoView {
    let ctx = ctx();
    let shown = ctx.sel(Flow::offers_approvals);
    let screen = ctx.sel(|f| f.ui.screen);
    let tab = move |id: &'static str, text: &'static str, on: Screen, action: Action| {
        view! {
            <button
                class="rg-btn rg-quiet"
                data-testid=id
                aria-current=move || (screen.get() == on).then_some("page")
                on:click=move |_| ctx.dispatch(action.clone())
            >
                {text}
            </button>
        }
    };
    let page = |s| Action::Manage(Manage::Show(s));
    view! {
        <Show when=move || shown.get()>
            <nav class="rg-actions rg-sections" aria-label="Back office">
                {tab("show-policy", "Policy", Screen::Policy, Action::ShowPolicy)}
                {tab("show-approvals", "Approvals", Screen::Approvals, Action::ShowApprovals)}
                {tab("show-staff", "Staff", Screen::Staff, page(Screen::Staff))}
                {tab("show-terminals", "Terminals", Screen::Terminals, page(Screen::Terminals))}
                {tab("show-override-code", "Override code", Screen::OverrideCode, page(Screen::OverrideCode))}
                {tab("show-cards", "Loyalty cards", Screen::Cards, page(Screen::Cards))}
                {tab("show-import", "Import customers", Screen::Import, page(Screen::Import))}
                // Reading and messaging are pages of their own: the set-up never downloads
                // their screens.
                <a class="rg-btn rg-quiet" href="/messages" data-testid="open-messages">"Messages to customers"</a>
                <a class="rg-btn rg-quiet" href="/reports" data-testid="open-reports">"Reports and audit log"</a>
            </nav>
        </Show>
    }
}

/// The message for one field of one form, from the flow's last check or the backend.
pub(super) fn field_error(form: Form, field: &'static str) -> Signal<Option<String>> {
    let flow = ctx().flow;
    Memo::new(move |_| flow.with(|f| f.ui.manage.error(form, field))).into()
}

/// A disable or revoke waiting for its second tap: what it does, said plainly, and the two
/// choices. Focus goes to it so a keyboard user hears it at once.
#[component]
pub(super) fn ConfirmDanger() -> impl IntoView {
    let ctx = ctx();
    let asking = ctx.sel(|f| f.ui.manage.confirming.clone());
    move || {
        asking.get().map(|d| {
            let (question, yes) = match &d {
                Danger::Disable { name, .. } => (
                    format!("Disable {name}? They can no longer sign in, and any session of theirs ends now. What they did stays in the audit log."),
                    format!("Disable {name}"),
                ),
                Danger::Revoke { name, .. } => (
                    format!("Revoke {name}? Its token stops working and anyone signed in on it is signed out now. A replacement needs a new terminal and token."),
                    format!("Revoke {name}"),
                ),
            };
            let focus = NodeRef::<leptos::html::Div>::new();
            Effect::new(move |_| {
                if let Some(el) = focus.get() {
                    let _ = el.focus();
                }
            });
            view! {
                <div class="rg-confirm" role="group" aria-labelledby="confirm-question" tabindex="-1" node_ref=focus data-testid="confirm-danger">
                    <p id="confirm-question"><strong>{question}</strong></p>
                    <div class="rg-actions">
                        <button class="rg-btn rg-danger" data-testid="confirm-yes" on:click=move |_| ctx.dispatch(Action::Manage(Manage::Confirm))>
                            {yes}
                        </button>
                        <button class="rg-btn rg-secondary" data-testid="confirm-no" on:click=move |_| ctx.dispatch(Action::Manage(Manage::Keep))>
                            "Keep"
                        </button>
                    </div>
                </div>
            }
        })
    }
}

/// A list row's one action: a button that sends `manage` (named for its row, e.g. "Disable
/// Ravi Kumar"), or instead `note` where the action does not apply (the manager's own row, the
/// device in use).
#[component]
pub(super) fn RowAction(
    testid: &'static str,
    text: &'static str,
    /// What a screen reader hears: the action and the row's name.
    label: String,
    manage: Manage,
    note: Option<&'static str>,
    #[prop(optional)] danger: bool,
) -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    match note {
        Some(note) => view! { <span class="rg-muted">{note}</span> }.into_any(),
        None => view! {
            <button
                class=if danger { "rg-btn rg-danger rg-quiet" } else { "rg-btn rg-secondary rg-quiet" }
                data-testid=testid
                aria-label=label
                disabled=move || busy.get()
                on:click=move |_| ctx.dispatch(Action::Manage(manage.clone()))
            >
                {text}
            </button>
        }
        .into_any(),
    }
}

/// A labelled choice between two options (value, words): `second` is whether the second is
/// chosen.
#[component]
pub(super) fn ChoiceOfTwo(
    id: &'static str,
    label: &'static str,
    options: [(&'static str, &'static str); 2],
    second: RwSignal<bool>,
) -> impl IntoView {
    let [(first_value, first_text), (second_value, second_text)] = options;
    view! {
        <label for=id>{label}</label>
        <select id=id on:change=move |ev| second.set(event_target_value(&ev) == second_value)>
            <option value=first_value>{first_text}</option>
            <option value=second_value>{second_text}</option>
        </select>
    }
}

/// The form's contents again, empty, after each save (the flow bumps `saved`).
pub(super) fn saved() -> Memo<u32> {
    ctx().sel(|f| f.ui.manage.saved)
}
