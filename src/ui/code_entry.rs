//! A code being typed, the one message under it, and what is known about the code sent (the
//! cashier's code screen and the kiosk's).

use crate::flow::{Action, Field, Flow};
use crate::ui::driver::Ctx;
use crate::ui::field::{Entry, Input, TextField};
use contract::{OtpCode, OtpError, OtpLength};
use leptos::prelude::*;

/// Inline check while typing: complain about what cannot become a code, but not (yet) about
/// a code still being typed.
fn typing_error(input: &str, len: OtpLength) -> Option<String> {
    match OtpCode::parse(input, len) {
        Err(OtpError::Empty | OtpError::TooShort { .. }) | Ok(_) => None,
        Err(e) => Some(e.to_string()),
    }
}

/// The message under the code is what cannot become a code while typing, else the backend's
/// answer to the code submitted, which typing again retires.
#[derive(Clone, Copy)]
pub struct CodeEntry {
    pub entry: Entry,
    pub len: Memo<OtpLength>,
    pub inline: Signal<Option<String>>,
    /// Seconds the code is still valid.
    pub left: Memo<Option<u64>>,
    pub expired: Memo<bool>,
    /// Expired as far as Verify is concerned (`Flow::code_surely_expired`).
    pub surely_expired: Memo<bool>,
    pub attempts: Memo<Option<u8>>,
    /// Seconds until a new code may be sent.
    pub resend_wait: Memo<Option<u64>>,
    pub can_resend: Memo<bool>,
}

impl CodeEntry {
    pub fn new(ctx: Ctx) -> Self {
        let entry = Entry::new();
        let len = ctx.sel(|f| {
            f.signed_in
                .policy
                .as_ref()
                .map_or(OtpLength::DEFAULT, |p| p.otp_length)
        });
        let server_err = ctx.field_error(Field::Code);
        let expired = ctx.sel(Flow::code_expired);
        let surely_expired = ctx.sel(Flow::code_surely_expired);
        // Once the code has expired, what was said about a typed code no longer matters: the
        // countdown says what to do (send a new one), and nothing can be verified.
        let inline = Signal::derive(move || {
            if surely_expired.get() {
                return None;
            }
            typing_error(&entry.text.get(), len.get()).or_else(|| entry.answer(server_err))
        });
        CodeEntry {
            entry,
            len,
            inline,
            left: ctx.sel(Flow::code_seconds_left),
            expired,
            surely_expired,
            attempts: ctx.sel(|f| f.code().attempts_left),
            resend_wait: ctx.sel(Flow::resend_wait),
            can_resend: ctx.sel(Flow::can_resend),
        }
    }
}

impl CodeEntry {
    /// Submits the code as `act` once it is complete (its last digit typed, or pasted whole),
    /// unless that very text was already submitted, a call is in flight or the code expired:
    /// editing after an answer submits again, the same wrong digits never twice.
    pub fn submits_when_complete(self, ctx: Ctx, act: fn(String) -> Action) {
        Effect::new(move |_| {
            let text = self.entry.text.get();
            let complete = OtpCode::parse(&text, self.len.get_untracked()).is_ok();
            let busy = ctx.flow.with_untracked(|f| f.busy().is_some());
            if complete
                && !busy
                && !self.surely_expired.get_untracked()
                && !self.entry.was_submitted(&text)
            {
                ctx.dispatch(act(self.entry.submit()));
            }
        });
    }

    /// The code's field: "{label} ({n} digits)", described by its message and the `facts`
    /// shown with it.
    pub fn field(
        self,
        id: &'static str,
        label: &'static str,
        describedby: &'static str,
        input: Input,
    ) -> impl IntoView {
        view! {
            <TextField
                id=id
                label=move || format!("{label} ({} digits)", self.len.get().get())
                value=self.entry.text
                error=self.inline
                describedby=describedby
                input=input
            />
        }
    }
}
