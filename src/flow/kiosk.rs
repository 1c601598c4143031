//! Self-service kiosk steps (SPEC §4): the customer proves the number is theirs with a code,
//! sees their balances, turns a benefit into a printed voucher, and is forgotten when done or
//! idle. The redemption itself reuses the cashier flow's steps.

use super::msg::{Cmd, Request};
use super::state::{seconds_left, CodeState, Flow, RedemptionState, Reset};
use super::view::{Field, Notice, Screen};
use crate::backend::BackendError;
use crate::messages;
use contract::api::{Balance, KioskIdentify, OtpSent};
use contract::lookup::{classify, LookupError, Searcher};
use contract::{ContactError, ErrorCode, OtpCode};

/// What a customer reads when what they typed cannot be their number. The rule is the
/// contract's (no names at a kiosk); the words speak to the customer.
fn kiosk_lookup_message(e: &LookupError) -> String {
    match e {
        LookupError::Empty => "Type your mobile number or the number on your loyalty card".into(),
        LookupError::Mobile(ContactError::Empty) => "Type your mobile number".into(),
        LookupError::Mobile(e) => format!("{e}. Check the number and try again."),
        LookupError::NotANumber
        | LookupError::NameTooShort
        | LookupError::NameTooLong
        | LookupError::BadName => {
            "That is not a mobile number or a card number. Type the digits of your mobile, or the number printed on your card.".into()
        }
    }
}

impl Flow {
    /// A touch: where the screen clears itself when idle, the idle time starts again.
    pub(super) fn touch(&mut self) {
        if self.mode().idle_reset() {
            self.kiosk.last_activity_ms = self.now_ms;
            self.kiosk.dirty = true;
        }
    }

    /// Seconds until an idle kiosk clears itself; `None` when nothing needs clearing.
    pub fn idle_seconds_left(&self) -> Option<u64> {
        if !self.mode().idle_reset() || !self.kiosk.dirty {
            return None;
        }
        let idle_ms = i64::from(self.signed_in.policy.as_ref()?.kiosk_idle_secs) * 1000;
        Some(seconds_left(
            self.kiosk.last_activity_ms + idle_ms,
            self.now_ms,
        ))
    }

    /// Seconds left when the customer should be warned that the screen is about to clear:
    /// the last 15 s, or the last half of a shorter idle time.
    pub fn idle_warning(&self) -> Option<u64> {
        let idle = u64::from(self.signed_in.policy.as_ref()?.kiosk_idle_secs);
        self.idle_seconds_left()
            .filter(|s| *s <= (idle / 2).min(15))
    }

    /// Forgets the customer: state, typed text (the screens are rebuilt) and, at the
    /// backend, the session's binding and holds. The kiosk's own session and policy stay.
    pub(super) fn kiosk_reset(&mut self, notice: Notice) -> Vec<Cmd> {
        if !self.mode().self_service() {
            return vec![];
        }
        let had_customer = self.sale.balance.is_some()
            || self.kiosk.sent.is_some()
            || self.redemption.intent.is_some()
            || !self.kiosk.query.is_empty();
        self.reset(Reset::Visit);
        if self.signed_in.session.is_some() && self.signed_in.policy.is_some() {
            self.ui.screen = self.sale_screen();
        }
        self.ui.notice = Some(notice);
        if had_customer {
            vec![Cmd::KioskForget]
        } else {
            vec![]
        }
    }

    /// The customer is finished: the screen clears for the next one (never while a commit's
    /// outcome is open).
    pub(super) fn kiosk_done(&mut self) -> Vec<Cmd> {
        if self.committing() {
            return vec![];
        }
        self.kiosk_reset(Notice::info(
            "Thank you. The screen is cleared for the next customer.",
        ))
    }

    pub(super) fn kiosk_identify(&mut self, input: &str) -> Vec<Cmd> {
        let on_start = self.ui.screen == Screen::KioskStart;
        if !self.mode().self_service() || !on_start || self.ui.waiting.is_some() {
            return vec![];
        }
        let Some(policy) = &self.signed_in.policy else {
            return vec![];
        };
        match classify(input, policy.country_calling_code, Searcher::SelfService) {
            Ok(lookup) => {
                let query = lookup.query().to_string();
                self.kiosk.query = query.clone();
                vec![self.ask(Request::KioskIdentify(KioskIdentify {
                    query,
                    channel: None,
                }))]
            }
            Err(e) => {
                self.ui.field(Field::Query, kiosk_lookup_message(&e));
                vec![]
            }
        }
    }

    pub(super) fn kiosk_resend(&mut self) -> Vec<Cmd> {
        if self.ui.screen != Screen::KioskCode || !self.can_resend() {
            return vec![];
        }
        let body = KioskIdentify {
            query: self.kiosk.query.clone(),
            channel: self.kiosk.sent.as_ref().map(|s| s.channel),
        };
        vec![self.ask(Request::KioskIdentify(body))]
    }

    pub(super) fn kiosk_code_sent(&mut self, r: Result<OtpSent, BackendError>) -> Vec<Cmd> {
        match r {
            Ok(sent) => {
                self.ui.notice = Some(Notice::ok(format!(
                    "We sent a code by {} to {}.",
                    sent.channel.label(),
                    sent.destination
                )));
                self.kiosk.code = CodeState::sent(&sent);
                self.kiosk.sent = Some(sent);
                self.ui.screen = Screen::KioskCode;
                vec![]
            }
            Err(e) => {
                let text = match e.code() {
                    Some(ErrorCode::CustomerNotFound) => {
                        "We could not find that number. Check it, or ask at the desk.".to_string()
                    }
                    _ => messages::for_error(&e),
                };
                let on_start = self.ui.screen == Screen::KioskStart;
                match &e {
                    BackendError::Problem(_) if on_start => self.ui.field(Field::Query, text),
                    _ => self.ui.notice = Some(Notice::err(text)),
                }
                self.check_session(&e)
            }
        }
    }

    pub(super) fn kiosk_verify(&mut self, input: &str) -> Vec<Cmd> {
        if self.ui.screen != Screen::KioskCode || self.ui.waiting.is_some() {
            return vec![];
        }
        let Some(policy) = &self.signed_in.policy else {
            return vec![];
        };
        match OtpCode::parse(input, policy.otp_length) {
            Ok(code) => vec![self.ask(Request::KioskVerify(code))],
            Err(e) => {
                self.ui.field(Field::Code, e.to_string());
                vec![]
            }
        }
    }

    pub(super) fn kiosk_verified(&mut self, r: Result<Balance, BackendError>) -> Vec<Cmd> {
        match r {
            Ok(b) => {
                self.kiosk.channel = self.kiosk.sent.take().map(|s| s.channel);
                self.kiosk.code = CodeState::default();
                let first = b.customer.name.split_whitespace().next().unwrap_or("");
                self.ui.notice = Some(Notice::ok(format!("Welcome, {first}.")));
                self.sale.balance = Some(self.only_allowed(b));
                self.ui.screen = Screen::Balance;
                vec![]
            }
            Err(e) => match e.code() {
                Some(ErrorCode::OtpLocked) => self.kiosk_reset(Notice::err(
                    "Too many wrong codes. Nothing was shown or redeemed. Start again.",
                )),
                Some(ErrorCode::OtpInvalid) => {
                    if let BackendError::Problem(p) = &e {
                        self.kiosk.code.attempts_left = p.attempts_left;
                    }
                    self.ui.fail_as(&e, Some(Field::Code), true);
                    vec![]
                }
                Some(ErrorCode::OtpExpired) => {
                    self.kiosk.code.expired = true;
                    self.ui.fail(&e, Some(Field::Code));
                    vec![]
                }
                _ => {
                    self.ui.fail(&e, Some(Field::Code));
                    self.check_session(&e)
                }
            },
        }
    }

    /// After a cancelled voucher: back to the (refreshed) balances of the same customer.
    pub(super) fn kiosk_back_to_balance(&mut self) -> Vec<Cmd> {
        let Some(customer) = self.customer().map(|c| c.id.clone()) else {
            return self.kiosk_reset(Notice::info("Start again."));
        };
        self.redemption = RedemptionState::default();
        self.sale.instrument_id = None;
        self.ui.screen = Screen::Balance;
        vec![self.ask(Request::LoadBalance(customer))]
    }
}
