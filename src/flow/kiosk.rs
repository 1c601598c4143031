//! Self-service kiosk steps (SPEC §4): the customer proves the number is theirs with a code,
//! sees their balances, turns a benefit into a printed voucher, and is forgotten when done or
//! idle. The redemption itself reuses the cashier flow's screens.

use super::{Call, Cmd, Field, FieldError, Flow, Mode, Notice, Screen};
use crate::backend::BackendError;
use crate::messages;
use contract::api::{Balance, KioskIdentify, OtpSent, SignIn};
use contract::lookup::{classify, LookupError, Searcher};
use contract::rules::Purpose;
use contract::{ContactError, ErrorCode, OtpCode};

/// What a customer reads when what they typed cannot be their number. The rule is the
/// contract's (no names at a kiosk); the words speak to the customer.
pub fn kiosk_lookup_message(e: &LookupError) -> String {
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
    /// Seconds until an idle kiosk clears itself; `None` when nothing needs clearing.
    pub fn idle_seconds_left(&self) -> Option<u64> {
        if self.mode != Mode::Kiosk || !self.kiosk_dirty {
            return None;
        }
        let idle_ms = i64::from(self.policy.as_ref()?.kiosk_idle_secs) * 1000;
        Some(super::seconds_left(
            self.last_activity_ms + idle_ms,
            self.now_ms,
        ))
    }

    /// Seconds left when the customer should be warned that the screen is about to clear:
    /// the last 15 s, or the last half of a shorter idle time.
    pub fn idle_warning(&self) -> Option<u64> {
        let idle = u64::from(self.policy.as_ref()?.kiosk_idle_secs);
        self.idle_seconds_left()
            .filter(|s| *s <= (idle / 2).min(15))
    }

    /// A kiosk with a remembered terminal token opens its self-service session by itself.
    pub(super) fn kiosk_sign_in(&mut self) -> Vec<Cmd> {
        match (&self.terminal_token, self.mode) {
            (Some(token), Mode::Kiosk) if self.busy.is_none() => {
                self.busy = Some(Call::SignIn);
                vec![Cmd::SignIn {
                    terminal_token: token.clone(),
                    body: SignIn {
                        staff_code: String::new(),
                        pin: String::new(),
                    },
                }]
            }
            _ => vec![],
        }
    }

    /// Forgets the customer: state, typed text (the screens are rebuilt) and, at the
    /// backend, the session's binding and holds. The kiosk's own session and policy stay.
    pub(super) fn kiosk_reset(&mut self, notice: Notice) -> Vec<Cmd> {
        if self.mode != Mode::Kiosk {
            return vec![];
        }
        let had_customer = self.balance.is_some()
            || self.kiosk_sent.is_some()
            || self.redemption.is_some()
            || !self.kiosk_query.is_empty();
        let (session, policy, skew_ms) = (self.session.take(), self.policy.take(), self.skew_ms);
        *self = self.fresh();
        if session.is_some() && policy.is_some() {
            self.purpose = Some(Purpose::Voucher);
            self.screen = Screen::KioskStart;
        }
        (self.session, self.policy, self.skew_ms) = (session, policy, skew_ms);
        self.notice = Some(notice);
        if had_customer {
            vec![Cmd::KioskForget]
        } else {
            vec![]
        }
    }

    /// The customer is finished: the screen clears for the next one.
    pub(super) fn kiosk_done(&mut self) -> Vec<Cmd> {
        self.kiosk_reset(Notice::info(
            "Thank you. The screen is cleared for the next customer.",
        ))
    }

    pub(super) fn kiosk_identify(&mut self, input: String) -> Vec<Cmd> {
        if self.mode != Mode::Kiosk || self.screen != Screen::KioskStart || self.busy.is_some() {
            return vec![];
        }
        let Some(policy) = &self.policy else {
            return vec![];
        };
        match classify(&input, policy.country_calling_code, Searcher::SelfService) {
            Ok(lookup) => {
                let query = lookup.query().to_string();
                self.kiosk_query = query.clone();
                self.busy = Some(Call::Identify);
                vec![Cmd::KioskIdentify(KioskIdentify {
                    query,
                    channel: None,
                })]
            }
            Err(e) => {
                self.field_error = Some(FieldError {
                    field: Field::Query,
                    text: kiosk_lookup_message(&e),
                });
                vec![]
            }
        }
    }

    pub(super) fn kiosk_resend(&mut self) -> Vec<Cmd> {
        if self.screen != Screen::KioskCode || self.busy.is_some() || self.resend_wait() != Some(0)
        {
            return vec![];
        }
        self.busy = Some(Call::Identify);
        vec![Cmd::KioskIdentify(KioskIdentify {
            query: self.kiosk_query.clone(),
            channel: self.kiosk_sent.as_ref().map(|s| s.channel),
        })]
    }

    pub(super) fn kiosk_code_sent(&mut self, r: Result<OtpSent, BackendError>) -> Vec<Cmd> {
        if self.busy != Some(Call::Identify) {
            return vec![];
        }
        self.busy = None;
        match r {
            Ok(sent) => {
                self.notice = Some(Notice::ok(format!(
                    "We sent a code by {} to {}.",
                    sent.channel.label(),
                    sent.destination
                )));
                self.attempts_left = Some(sent.attempts_left);
                self.code_expired = false;
                self.kiosk_sent = Some(sent);
                self.screen = Screen::KioskCode;
                vec![]
            }
            Err(e) => {
                let text = match e.code() {
                    Some(ErrorCode::CustomerNotFound) => {
                        "We could not find that number. Check it, or ask at the desk.".to_string()
                    }
                    _ => messages::for_error(&e),
                };
                let on_start = self.screen == Screen::KioskStart;
                match &e {
                    BackendError::Problem(_) if on_start => {
                        self.field_error = Some(FieldError {
                            field: Field::Query,
                            text,
                        })
                    }
                    _ => self.notice = Some(Notice::err(text)),
                }
                self.session_check(&e)
            }
        }
    }

    pub(super) fn kiosk_verify(&mut self, input: String) -> Vec<Cmd> {
        if self.screen != Screen::KioskCode || self.busy.is_some() {
            return vec![];
        }
        let Some(policy) = &self.policy else {
            return vec![];
        };
        match OtpCode::parse(&input, policy.otp_length) {
            Ok(code) => {
                self.busy = Some(Call::Verify);
                vec![Cmd::KioskVerify(code)]
            }
            Err(e) => {
                self.field_error = Some(FieldError {
                    field: Field::Code,
                    text: e.to_string(),
                });
                vec![]
            }
        }
    }

    pub(super) fn kiosk_verified(&mut self, r: Result<Balance, BackendError>) -> Vec<Cmd> {
        if self.busy != Some(Call::Verify) || self.screen != Screen::KioskCode {
            return vec![];
        }
        self.busy = None;
        match r {
            Ok(b) => {
                self.kiosk_sent = None;
                self.attempts_left = None;
                let first = b.customer.name.split_whitespace().next().unwrap_or("");
                self.notice = Some(Notice::ok(format!("Welcome, {first}.")));
                self.balance = Some(self.only_allowed(b));
                self.screen = Screen::Balance;
                vec![]
            }
            Err(e) => match e.code() {
                Some(ErrorCode::OtpLocked) => self.kiosk_reset(Notice::err(
                    "Too many wrong codes. Nothing was shown or redeemed. Start again.",
                )),
                Some(ErrorCode::OtpInvalid) => {
                    if let BackendError::Problem(p) = &e {
                        self.attempts_left = p.attempts_left;
                    }
                    self.fail(&e, Some(Field::Code));
                    vec![]
                }
                Some(ErrorCode::OtpExpired) => {
                    self.code_expired = true;
                    self.fail(&e, Some(Field::Code));
                    vec![]
                }
                _ => {
                    self.fail(&e, Some(Field::Code));
                    self.session_check(&e)
                }
            },
        }
    }

    /// After a cancelled voucher: back to the (refreshed) balances of the same customer.
    pub(super) fn kiosk_back_to_balance(&mut self) -> Vec<Cmd> {
        let Some(customer) = self.customer().map(|c| c.id.clone()) else {
            return self.kiosk_reset(Notice::info("Start again."));
        };
        self.redemption = None;
        self.instrument_id = None;
        self.commit = None;
        self.receipt = None;
        self.screen = Screen::Balance;
        self.busy = Some(Call::Balance);
        vec![Cmd::LoadBalance(customer)]
    }
}
