//! Terminals: the store's tills and kiosks; add one (its token shown once, to type into the
//! new device) and revoke one that is lost or replaced.

use super::{field_error, saved, ChoiceOfTwo, ConfirmDanger, RowAction};
use crate::flow::{Action, Danger, Form, Manage};
use crate::ui::driver::ctx;
use crate::ui::field::{Input, TextField};
use contract::api::TerminalMode;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

fn kind(m: TerminalMode) -> &'static str {
    match m {
        TerminalMode::Pos => "Till",
        TerminalMode::Kiosk => "Self-service kiosk",
    }
}

#[component]
pub fn TerminalsScreen() -> impl IntoView {
    let ctx = ctx();
    let terminals = ctx.sel(|f| f.ui.manage.terminals.clone());
    let here = ctx.sel(|f| f.signed_in.session.as_ref().map(|s| s.terminal.id.clone()));
    let added = ctx.sel(|f| f.ui.manage.added_terminal.clone());
    let saved = saved();
    view! {
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Terminals"</h2>
            <p class="rg-muted">
                "The tills and kiosks that may use this store. Each is set up once with its own token. Revoke one that is lost, stolen or replaced: its token stops working at once."
            </p>
            {move || added.get().map(|t| view! {
                <div class="rg-token" data-testid="new-terminal">
                    <p><strong>{format!("Token for {}:", t.terminal.name)}</strong></p>
                    <p><code data-testid="terminal-token">{t.token.clone()}</code></p>
                    <p class="rg-hint">"Open the till (or the kiosk page) on the new device and type this token when it asks. It is shown only now: it is not stored anywhere you can read it again."</p>
                    <button class="rg-btn rg-secondary" data-testid="token-entered" on:click=move |_| ctx.dispatch(Action::Manage(Manage::TokenEntered))>
                        "Done: hide the token"
                    </button>
                </div>
            })}
            <ConfirmDanger/>
            {move || match terminals.get() {
                None => view! { <p class="rg-muted">"Loading…"</p> }.into_any(),
                Some(list) => view! {
                    <table class="rg-table" data-testid="terminal-list">
                        <caption class="rg-sr-only">"Terminals in use"</caption>
                        <thead>
                            <tr><th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col"><span class="rg-sr-only">"Action"</span></th></tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|t| {
                                let this_one = here.get_untracked().as_deref() == Some(t.id.as_str());
                                let danger = Danger::Revoke { id: t.id.clone(), name: t.name.clone() };
                                let label = format!("Revoke {}", t.name);
                                view! {
                                    <tr data-testid="terminal" data-name=t.name.clone()>
                                        <td>{t.name.clone()}</td>
                                        <td>{kind(t.mode)}</td>
                                        <td>
                                            <RowAction testid="revoke-terminal" text="Revoke" label danger=true
                                                manage=Manage::Ask(danger) note=this_one.then_some("This device")/>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            {move || { saved.get(); view! { <AddTerminal/> } }}
        </section>
    }
}

#[component]
fn AddTerminal() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let name = RwSignal::new(String::new());
    let kiosk = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        ctx.dispatch(Action::Manage(Manage::AddTerminal {
            name: name.get_untracked(),
            kiosk: kiosk.get_untracked(),
        }));
    };
    view! {
        <form on:submit=submit novalidate aria-labelledby="add-terminal-title" class="rg-subform">
            <h3 id="add-terminal-title">"Add a terminal"</h3>
            <div class="rg-grid">
                <div class="rg-field">
                    <TextField id="terminal-name" label="Name" value=name error=field_error(Form::Terminal, "name")
                        input=Input::OFF hint="As the staff know it, e.g. Till 2".to_string()/>
                </div>
                <div class="rg-field">
                    <ChoiceOfTwo id="terminal-kind" label="Kind" second=kiosk
                        options=[("pos", "Till (staff sign in)"), ("kiosk", "Self-service kiosk (customers)")]/>
                </div>
            </div>
            <button type="submit" class="rg-btn rg-primary" data-testid="add-terminal" disabled=move || busy.get()>"Add terminal"</button>
        </form>
    }
}
