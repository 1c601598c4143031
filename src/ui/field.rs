//! One labelled field for every form: the label, the input (or text area), an optional help
//! line and the message under it, wired together once: `<label for>`, `aria-describedby`
//! pointing at the message, `aria-invalid` while there is one.

use crate::flow::Action;
use crate::ui::driver::ctx;
use leptos::either::Either;
use leptos::prelude::*;

/// How an input takes its text: its type, keyboard, autofill and spelling help.
#[derive(Clone, Copy, Default)]
pub struct Input {
    pub kind: Option<&'static str>,
    pub mode: Option<&'static str>,
    pub autocomplete: Option<&'static str>,
    pub spellcheck: Option<&'static str>,
    pub autocapitalize: Option<&'static str>,
    pub placeholder: Option<&'static str>,
    pub class: Option<&'static str>,
    /// What a touch keyboard's Enter key says ("next": on to the next field).
    pub enterkeyhint: Option<&'static str>,
}

impl Input {
    /// Free text that the browser must not fill in.
    pub const OFF: Input = Input {
        kind: None,
        mode: None,
        autocomplete: Some("off"),
        spellcheck: None,
        autocapitalize: None,
        placeholder: None,
        class: None,
        enterkeyhint: None,
    };
    /// A token or number typed exactly: no autofill, no spelling help.
    pub const EXACT: Input = Input {
        spellcheck: Some("false"),
        ..Input::OFF
    };
    /// An amount of money.
    pub const DECIMAL: Input = Input {
        mode: Some("decimal"),
        ..Input::OFF
    };
    /// A staff or manager code.
    pub const STAFF_CODE: Input = Input {
        autocapitalize: Some("characters"),
        ..Input::OFF
    };
    /// A secret typed on a numeric keypad.
    pub const SECRET: Input = Input {
        kind: Some("password"),
        mode: Some("numeric"),
        ..Input::OFF
    };
    /// A new secret being set (a PIN, the override code): the browser must not offer to save
    /// it or fill in a saved one.
    pub const NEW_SECRET: Input = Input {
        autocomplete: Some("new-password"),
        ..Input::SECRET
    };
    /// A one-time code read from a message (`autocomplete="one-time-code"`).
    pub const CODE: Input = Input {
        mode: Some("numeric"),
        autocomplete: Some("one-time-code"),
        spellcheck: Some("false"),
        class: Some("rg-code"),
        ..Input::OFF
    };
}

/// A field's label: fixed, or following the state (e.g. "Bill total (INR)"). Only a live
/// label costs the page a reactive effect.
pub enum Label {
    Fixed(String),
    Live(Box<dyn Fn() -> String + Send + Sync>),
}

impl From<&'static str> for Label {
    fn from(text: &'static str) -> Self {
        Label::Fixed(text.to_string())
    }
}

impl From<String> for Label {
    fn from(text: String) -> Self {
        Label::Fixed(text)
    }
}

impl<F: Fn() -> String + Send + Sync + 'static> From<F> for Label {
    fn from(text: F) -> Self {
        Label::Live(Box::new(text))
    }
}

/// An inline message under a field; the space is always reserved.
#[component]
pub fn FieldMsg(
    #[prop(into)] id: String,
    #[prop(into)] text: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p id=id.clone() class="rg-field-msg" data-testid=id>
            {move || text.get().unwrap_or_default()}
        </p>
    }
}

/// A labelled text field. With an `error`, its message is `{id}-error`, the input is
/// described by it and marked invalid while it shows; without, the field has no message.
#[component]
pub fn TextField(
    /// The input's id (the label points at it).
    #[prop(into)]
    id: String,
    #[prop(into)] label: Label,
    value: RwSignal<String>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
    /// Everything that describes the input, in reading order, when that is more (or other)
    /// than its own message.
    #[prop(optional)]
    describedby: Option<&'static str>,
    #[prop(optional)] input: Input,
    #[prop(optional, into)] disabled: Option<Signal<bool>>,
    /// A help line under the input.
    #[prop(optional, into)]
    hint: Option<String>,
    /// Several lines: a text area with this many rows.
    #[prop(optional)]
    rows: Option<u32>,
    /// Controls in one row with the input (the input takes the rest of the row).
    #[prop(optional)]
    beside: Option<Children>,
) -> impl IntoView {
    let msg_id = format!("{id}-error");
    let describedby = match (describedby, &error) {
        (Some(d), _) => Some(d.to_string()),
        (None, Some(_)) => Some(msg_id.clone()),
        (None, None) => None,
    };
    let invalid = error.map(|e| move || e.get().is_some().to_string());
    let disabled = disabled.map(|d| move || d.get());
    let label = match label {
        Label::Fixed(text) => Either::Left(text),
        Label::Live(text) => Either::Right(text),
    };
    let control = match rows {
        Some(rows) => view! {
            <textarea
                id=id.clone()
                rows=rows
                aria-describedby=describedby
                aria-invalid=invalid
                bind:value=value
            ></textarea>
        }
        .into_any(),
        None => view! {
            <input
                id=id.clone()
                type=input.kind
                class=input.class
                inputmode=input.mode
                autocomplete=input.autocomplete
                spellcheck=input.spellcheck
                autocapitalize=input.autocapitalize
                placeholder=input.placeholder
                enterkeyhint=input.enterkeyhint
                aria-describedby=describedby
                aria-invalid=invalid
                disabled=disabled
                bind:value=value
            />
        }
        .into_any(),
    };
    let control = match beside {
        Some(beside) => view! { <div class="rg-row">{control}{beside()}</div> }.into_any(),
        None => control,
    };
    view! {
        <label for=id>{label}</label>
        {control}
        {hint.map(|h| view! { <p class="rg-hint">{h}</p> })}
        {error.map(|e| view! { <FieldMsg id=msg_id text=e/> })}
    }
}

/// Text being typed, and the backend's answer to the text last submitted: the answer shows
/// until the text is edited.
#[derive(Clone, Copy)]
pub struct Entry {
    pub text: RwSignal<String>,
    submitted: RwSignal<Option<String>>,
}

impl Entry {
    pub fn new() -> Self {
        Entry {
            text: RwSignal::new(String::new()),
            submitted: RwSignal::new(None),
        }
    }

    /// The backend's message about the submitted text, while it is still what is typed.
    pub fn answer(self, message: Memo<Option<String>>) -> Option<String> {
        message
            .get()
            .filter(|_| self.submitted.get() == Some(self.text.get()))
    }

    /// Whether `text` is what was last submitted.
    pub fn was_submitted(self, text: &str) -> bool {
        self.submitted
            .with_untracked(|s| s.as_deref() == Some(text))
    }

    /// The text to send; the answer to it will show until the text is edited.
    pub fn submit(self) -> String {
        let typed = self.text.get_untracked();
        self.submitted.set(Some(typed.clone()));
        typed
    }
}

/// A form's two buttons: submit (off while a call is in flight) and the way back.
#[component]
pub fn FormActions(
    /// `data-testid` and text of the submit button (it may follow what the form will do).
    submit: (&'static str, Signal<&'static str>),
    /// `data-testid` and text of the way back, and what it does.
    back: (&'static str, &'static str, Action),
    /// Kept in view at the bottom of a long form.
    #[prop(optional)]
    sticky: bool,
) -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let (back_id, back_text, action) = back;
    view! {
        <div class=if sticky { "rg-actions rg-sticky" } else { "rg-actions" }>
            <button type="submit" class="rg-btn rg-primary" data-testid=submit.0 disabled=move || busy.get()>
                {move || submit.1.get()}
            </button>
            <button type="button" class="rg-btn rg-secondary" data-testid=back_id on:click=move |_| ctx.dispatch(action.clone())>
                {back_text}
            </button>
        </div>
    }
}
