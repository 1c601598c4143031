//! Sign-in: the terminal token and the staff code and PIN (a kiosk: the token once).

use crate::flow::{Action, Field};
use crate::ui::driver::ctx;
use crate::ui::field::{FieldMsg, Input, TextField};
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
    let mode = ctx.mode();
    // Staff set a kiosk up once with its token; from then on it opens by itself.
    let kiosk = !mode.staff_sign_in();
    // A widget's terminal comes from the host page's config: staff only sign in.
    let token_given = mode.embedded() && !terminal.get_untracked().is_empty();
    let (title, button) = if kiosk {
        ("Set up this kiosk", "Start the kiosk")
    } else if token_given {
        ("Sign in to redeem loyalty", "Sign in")
    } else {
        ("Sign in", "Sign in")
    };
    let token = if token_given {
        view! { <FieldMsg id="terminal-token-error" text=terminal_err/> }.into_any()
    } else {
        view! {
            <TextField id="terminal-token" label="Terminal token" value=terminal error=terminal_err input=Input::EXACT/>
        }
        .into_any()
    };
    let staff_fields = (!kiosk).then(|| {
        view! {
            <TextField
                id="staff-code"
                label="Staff code"
                value=staff
                input=Input { autocomplete: Some("username"), ..Input::STAFF_CODE }
            />
            <TextField
                id="pin"
                label="PIN"
                value=pin
                error=pin_err
                input=Input { autocomplete: Some("current-password"), ..Input::SECRET }
            />
        }
    });
    view! {
        <section class="rg-card rg-narrow">
            <h2 id="screen-title" tabindex="-1">{title}</h2>
            {kiosk.then(|| view! {
                <p class="rg-lead">"Staff: enter the kiosk's terminal token once. Customers never see this screen again."</p>
            })}
            <form on:submit=submit novalidate>
                {token}
                {staff_fields}
                <button
                    type="submit"
                    class=if kiosk { "rg-btn rg-primary rg-wide" } else { "rg-btn rg-primary" }
                    data-testid="sign-in"
                    disabled=move || busy.get()
                >
                    {button}
                </button>
            </form>
        </section>
    }
}
