//! The customer's code: send and resend it, verify what the customer reads out, or let a
//! manager override it; and what is known about the code on screen (countdown, tries left).

use super::msg::{Cmd, Request};
use super::state::{seconds_left, CodeState, Flow};
use super::view::{Closed, Field, Notice, Screen};
use crate::backend::BackendError;
use crate::messages;
use contract::api::{DeliveryStatus, OtpSent, Override, Redemption, RedemptionStatus};
use contract::{Channel, ErrorCode, OtpCode};

/// How often the code screen reads the redemption again while the provider's report on the
/// code's message is awaited.
pub const DELIVERY_POLL_MS: i64 = 3_000;

impl Flow {
    pub(super) fn send_otp(&mut self, channel: Channel) -> Vec<Cmd> {
        let Some(r) = self
            .redemption
            .intent
            .as_ref()
            .filter(|r| r.status == RedemptionStatus::AwaitingOtp)
        else {
            return vec![];
        };
        if !self.idle() || (r.otp.is_some() && !self.can_resend()) {
            return vec![];
        }
        if !self.channels().contains(&channel) {
            self.ui.notice = Some(Notice::err(messages::for_code(
                ErrorCode::ChannelUnavailable,
            )));
            return vec![];
        }
        let id = r.id.clone();
        self.redemption.code.send_tried = true;
        vec![self.ask(Request::SendOtp { id, channel })]
    }

    pub(super) fn otp_sent(&mut self, result: Result<OtpSent, BackendError>) -> Vec<Cmd> {
        match result {
            Ok(sent) => {
                let (how, to) = (sent.channel.label(), &sent.destination);
                // A code by a template that cannot state the amount: it went first, apart.
                let apart = if sent.amount_first == Some(true) {
                    " The amount went first in a message of its own; the code is in the second."
                } else {
                    ""
                };
                self.ui.notice = Some(Notice::ok(if self.mode().self_service() {
                    format!("We sent a code for this voucher by {how} to {to}.{apart} Type it to confirm.")
                } else {
                    format!("Code sent by {how} to {to}.{apart} Ask the customer to read it out.")
                }));
                self.redemption.code = CodeState::sent(&sent);
                // A delivery report is asked for a few seconds from now, not at once.
                self.ui.polled_ms = self.now_ms;
                if let Some(r) = self.redemption.intent.as_mut() {
                    r.otp = Some(sent);
                }
                vec![]
            }
            Err(e) => self.redemption_failed(&e, None),
        }
    }

    /// The open redemption's id when the cashier is on `screen` and no call is in flight;
    /// taps on a stale screen or during a call are ignored.
    fn idle_redemption_on(&self, screen: Screen) -> Option<String> {
        if self.ui.screen != screen || !self.idle() {
            return None;
        }
        self.redemption.intent.as_ref().map(|r| r.id.clone())
    }

    pub(super) fn verify(&mut self, input: &str) -> Vec<Cmd> {
        let Some(id) = self.idle_redemption_on(Screen::Otp) else {
            return vec![];
        };
        // The operator reported that this code's message failed, or the customer replied
        // that they did not ask for it: the backend voided the code, so nothing typed can
        // match it (and asking would only say "no code").
        if let Some(status) = self.code_void_by_report() {
            self.ui.field(
                Field::Code,
                match status {
                    DeliveryStatus::Disowned => {
                        "The customer said they did not ask for this code: it no longer works."
                    }
                    _ => "This code was never delivered and no longer works: send a new code.",
                },
            );
            return vec![];
        }
        let Some(policy) = &self.signed_in.policy else {
            return vec![];
        };
        match OtpCode::parse(input, policy.otp_length) {
            Ok(code) => vec![self.ask(Request::Verify { id, code })],
            Err(e) => {
                // A malformed code never costs the customer an attempt.
                self.ui.field(Field::Code, e.to_string());
                vec![]
            }
        }
    }

    /// The answer to a code or to a manager override.
    pub(super) fn verified(&mut self, result: Result<Redemption, BackendError>) -> Vec<Cmd> {
        let was_override = self.ui.screen == Screen::Override;
        match result {
            Ok(r) if r.status == RedemptionStatus::Approved => {
                self.redemption.intent = Some(r);
                self.ui.screen = Screen::Confirm;
                self.ui.notice = Some(Notice::ok(if was_override {
                    "Override accepted. Confirm the redemption."
                } else if self.mode().self_service() {
                    "Code accepted. Check the amount, then confirm your voucher."
                } else {
                    "Code accepted. Confirm the redemption."
                }));
                vec![]
            }
            Ok(r) => {
                let status = r.status;
                self.redemption.intent = Some(r);
                self.on_status(status)
            }
            Err(e) => {
                let field = if was_override {
                    Field::Override
                } else {
                    Field::Code
                };
                self.redemption_failed(&e, Some(field))
            }
        }
    }

    /// A manager override is offered: a staff control, where the policy allows it.
    pub fn can_override(&self) -> bool {
        // "Customer did not get the code" only once a code was asked for (sent, or the send
        // failed), or the intent already has one or a manager was asked (a reload).
        let code_asked = self.redemption.code.send_tried
            || self
                .redemption
                .intent
                .as_ref()
                .is_some_and(|r| r.otp.is_some() || r.approval_request.is_some());
        self.mode().manager_override()
            && code_asked
            && self
                .signed_in
                .policy
                .as_ref()
                .is_some_and(|p| p.override_enabled)
    }

    /// The store's code may also be typed at the till, with the manager's code and PIN: a
    /// merchant's option (off by default), since it puts a manager's secrets into the
    /// cashier's browser (S8). Otherwise a manager approves on their own device.
    pub fn store_code_at_till(&self) -> bool {
        self.can_override()
            && self
                .signed_in
                .policy
                .as_ref()
                .is_some_and(|p| p.override_store_code)
    }

    pub(super) fn open_override(&mut self) -> Vec<Cmd> {
        if self.ui.screen == Screen::Otp && self.can_override() && self.idle() {
            self.ui.screen = Screen::Override;
        }
        vec![]
    }

    pub(super) fn close_override(&mut self) -> Vec<Cmd> {
        if self.ui.screen == Screen::Override {
            self.ui.screen = Screen::Otp;
        }
        vec![]
    }

    pub(super) fn submit_override(&mut self, body: Override) -> Vec<Cmd> {
        let Some(id) = self.idle_redemption_on(Screen::Override) else {
            return vec![];
        };
        if !self.store_code_at_till() {
            return vec![];
        }
        let missing = [
            (&body.manager_code, "the manager code"),
            (&body.manager_pin, "the manager PIN"),
            (&body.override_code, "the override code"),
            (&body.reason, "a reason"),
        ]
        .into_iter()
        .find(|(v, _)| v.trim().is_empty());
        if let Some((_, what)) = missing {
            self.ui.field(Field::Override, format!("Enter {what}"));
            return vec![];
        }
        vec![self.ask(Request::Override { id, body })]
    }

    /// A refused redemption call: the code-specific outcome.
    pub(super) fn redemption_failed(&mut self, e: &BackendError, field: Option<Field>) -> Vec<Cmd> {
        match e.code() {
            Some(ErrorCode::OtpLocked) => {
                self.set_status(RedemptionStatus::Locked);
                self.redemption.code.attempts_left = Some(0);
                self.close(Closed::Locked)
            }
            Some(ErrorCode::IntentExpired) => {
                self.set_status(RedemptionStatus::Expired);
                self.close(Closed::Expired)
            }
            Some(ErrorCode::OtpInvalid) => {
                if let BackendError::Problem(p) = e {
                    let code = &mut self.redemption.code;
                    code.attempts_left = p
                        .attempts_left
                        .or(code.attempts_left.map(|n| n.saturating_sub(1)));
                }
                let customer = self.mode().self_service();
                self.ui.fail_as(e, field, customer);
                vec![]
            }
            Some(ErrorCode::OtpExpired) => {
                self.redemption.code.expired = true;
                self.ui.fail(e, field);
                vec![]
            }
            Some(ErrorCode::IntentClosed) => self.fetch_outcome(),
            _ => {
                self.ui.fail(e, field);
                self.check_session(e)
            }
        }
    }

    /// The code last sent: the kiosk's identification code, else the redemption's.
    fn last_code(&self) -> Option<&OtpSent> {
        self.kiosk
            .sent
            .as_ref()
            .or_else(|| self.redemption.intent.as_ref()?.otp.as_ref())
    }

    /// What is known about that code: tries left, reported expired.
    pub fn code(&self) -> CodeState {
        if self.kiosk.sent.is_some() {
            self.kiosk.code
        } else {
            self.redemption.code
        }
    }

    /// Seconds until the code expires, if one was sent.
    pub fn code_seconds_left(&self) -> Option<u64> {
        let otp = self.last_code()?;
        Some(seconds_left(otp.expires_at_ms, self.server_now()))
    }

    /// The code can no longer be used: reported expired, or its time ran out.
    /// The code has expired as far as the screen may act on it (no more Verify, the old
    /// answer gone): the backend said so, or the countdown ran out on a clock matched to the
    /// backend's (learned with the intent; a kiosk's identification code has no intent yet,
    /// and a device clock that runs fast must not lock the customer out).
    pub fn code_surely_expired(&self) -> bool {
        self.code().expired || (self.redemption.intent.is_some() && self.code_expired())
    }

    pub fn code_expired(&self) -> bool {
        self.code().expired || self.code_seconds_left() == Some(0)
    }

    /// Seconds until Resend is allowed (0: now).
    pub fn resend_wait(&self) -> Option<u64> {
        let otp = self.last_code()?;
        Some(seconds_left(otp.resend_after_ms, self.server_now()))
    }

    /// A new code may be sent now: the cooldown is over and nothing is in flight.
    pub fn can_resend(&self) -> bool {
        self.idle()
            && self.resend_wait() == Some(0)
            && (self.kiosk.sent.is_some() || self.redemption_open())
    }

    /// The open redemption's id while its code's message is reported only "sent" by a
    /// provider that sends delivery reports, and the code is still live: the code screen
    /// reads it again now and then, for "delivered" or "failed at the operator".
    pub(super) fn awaiting_delivery_report(&self) -> Option<String> {
        let r = self.redemption.intent.as_ref()?;
        let otp = r.otp.as_ref()?;
        let waiting = r.status == RedemptionStatus::AwaitingOtp
            && otp.delivery.as_ref().is_some_and(|d| !d.is_final())
            && !self.code_expired();
        waiting.then(|| r.id.clone())
    }

    /// The redemption read again for its code's delivery report. Only the report of the code
    /// on screen is taken; a failed one makes the code void at the backend, so the cashier is
    /// told at once and may send a new code (another channel first) without waiting.
    pub(super) fn delivery_polled(&mut self, r: Result<Redemption, BackendError>) -> Vec<Cmd> {
        // A network hiccup, or the redemption moved on: the next tick, or the cashier's own
        // next step, finds out.
        let Ok(fresh) = r else { return vec![] };
        if self.ui.screen != Screen::Otp {
            return vec![];
        }
        let channels = self.channels();
        let Some(intent) = self.redemption.intent.as_mut() else {
            return vec![];
        };
        let (Some(shown), Some(now)) = (intent.otp.as_mut(), fresh.otp) else {
            return vec![];
        };
        if intent.id != fresh.id || shown.expires_at_ms != now.expires_at_ms {
            return vec![];
        }
        let was = shown.delivery.as_ref().map(|d| d.status);
        let is = now.delivery.as_ref().map(|d| d.status);
        let failed_now = is == Some(DeliveryStatus::Failed) && was != is;
        let disowned_now = is == Some(DeliveryStatus::Disowned) && was != is;
        shown.delivery = now.delivery;
        shown.resend_after_ms = now.resend_after_ms;
        if disowned_now {
            self.ui.notice = Some(Notice::err(
                "The customer replied that they did not ask for this code. It no longer works, no new code can be sent to them for now, and a manager has been told. Cancel this redemption.",
            ));
        }
        if failed_now {
            let how = shown.channel.label();
            let others = channels
                .into_iter()
                .filter(|c| *c != shown.channel)
                .map(|c| c.label())
                .collect::<Vec<_>>();
            let next = match others.as_slice() {
                [] => "Send a new code.".to_string(),
                [one] => format!("Send a new code by {one}."),
                many => format!("Send a new code by {}.", many.join(" or ")),
            };
            self.ui.notice = Some(Notice::err(if self.mode().self_service() {
                format!("The {how} message with your code could not be delivered. {next}")
            } else {
                format!("The {how} message with the code could not be delivered to the customer's phone. {next}")
            }));
        }
        vec![]
    }

    /// The operator reported that the code's message could not be delivered: the code is
    /// void.
    pub fn code_undelivered(&self) -> bool {
        self.code_void_by_report() == Some(DeliveryStatus::Failed)
    }

    /// The code was voided by what was reported of its message: failed at the operator, or
    /// disowned by the customer (issue 16).
    pub fn code_void_by_report(&self) -> Option<DeliveryStatus> {
        self.redemption
            .intent
            .as_ref()
            .and_then(|r| r.otp.as_ref()?.delivery.as_ref())
            .map(|d| d.status)
            .filter(|s| matches!(s, DeliveryStatus::Failed | DeliveryStatus::Disowned))
    }

    /// After the code's message failed at the operator: the channel to offer first for a new
    /// code (another the customer has), if there is one.
    pub fn channel_after_failure(&self) -> Option<Channel> {
        if !self.code_undelivered() {
            return None;
        }
        let otp = self.redemption.intent.as_ref()?.otp.as_ref()?;
        self.channels().into_iter().find(|c| *c != otp.channel)
    }

    /// What the provider reported of the code's message, for the code screen: the words and
    /// whether they are bad news. `None` where the gateway sends no reports.
    pub fn delivery_line(&self) -> Option<(String, bool)> {
        let otp = self.redemption.intent.as_ref()?.otp.as_ref()?;
        let d = otp.delivery.as_ref()?;
        let whose = if self.mode().self_service() {
            "your"
        } else {
            "the customer's"
        };
        Some(match d.status {
            DeliveryStatus::Sent => (
                format!("Waiting for the operator to confirm delivery to {whose} phone."),
                false,
            ),
            DeliveryStatus::Delivered => (format!("Delivered to {whose} phone."), false),
            DeliveryStatus::Disowned => (
                "The customer replied that they did not ask for this code: it no longer works."
                    .to_string(),
                true,
            ),
            DeliveryStatus::Failed => (
                match &d.reason {
                    Some(why) => {
                        format!("Failed at the operator ({why}): this code will not arrive.")
                    }
                    None => "Failed at the operator: this code will not arrive.".to_string(),
                },
                true,
            ),
        })
    }
}
