//! A manager approves a redemption on their own signed-in device (S8): the till asks with a
//! reason and waits, reading the redemption again every few seconds; the back office lists
//! the store's pending requests and approves or declines them. Nothing secret is typed at the
//! till on this path.

use super::msg::{Call, Cmd, Request};
use super::state::Flow;
use super::view::{Field, Notice, Screen};
use crate::backend::BackendError;
use crate::{format, messages};
use contract::api::{ApprovalRequest, ApprovalStatus, Redemption, RedemptionStatus};
use contract::ErrorCode;

/// How often the till reads the redemption again while a manager is asked.
pub const APPROVAL_POLL_MS: i64 = 2_000;
/// How often the back office reads the list of pending requests again.
pub const APPROVALS_REFRESH_MS: i64 = 5_000;

impl Flow {
    /// "Customer did not get the code": the till asks a manager, with a reason.
    pub(super) fn request_approval(&mut self, reason: &str) -> Vec<Cmd> {
        if self.ui.screen != Screen::Override || !self.can_override() || !self.idle() {
            return vec![];
        }
        let Some(id) = self.open_redemption_id() else {
            return vec![];
        };
        let reason = reason.trim();
        if reason.is_empty() {
            self.ui.field(Field::Override, "Enter a reason");
            return vec![];
        }
        vec![self.ask(Request::RequestApproval {
            id,
            reason: reason.to_string(),
        })]
    }

    pub(super) fn approval_requested(&mut self, r: Result<Redemption, BackendError>) -> Vec<Cmd> {
        match r {
            Ok(r) => {
                self.redemption.intent = Some(r);
                self.ui.screen = Screen::AwaitingApproval;
                self.ui.polled_ms = self.now_ms;
                self.ui.notice = Some(Notice::info(
                    "Waiting for a manager to approve on their own device…",
                ));
                vec![]
            }
            // Asked already (another tap, another tab): wait for that answer.
            Err(e) if e.code() == Some(ErrorCode::ApprovalPending) => {
                self.ui.screen = Screen::AwaitingApproval;
                self.ui.polled_ms = self.now_ms - APPROVAL_POLL_MS;
                self.ui.notice = Some(Notice::info(messages::for_code(ErrorCode::ApprovalPending)));
                vec![]
            }
            Err(e) => self.redemption_failed(&e, Some(Field::Override)),
        }
    }

    /// The screen of an intent waiting for approval: the code, or, when a manager was asked
    /// and has not answered (e.g. after a reload), waiting for the manager.
    pub(super) fn awaiting_screen(&self) -> Screen {
        let asked = self
            .approval_request()
            .is_some_and(|a| a.status == ApprovalStatus::Pending);
        if asked && self.can_override() {
            Screen::AwaitingApproval
        } else {
            Screen::Otp
        }
    }

    /// What the manager decided, if anything: the request the till is waiting on.
    pub fn approval_request(&self) -> Option<&ApprovalRequest> {
        self.redemption.intent.as_ref()?.approval_request.as_ref()
    }

    /// On the clock: the till reads the redemption again while it waits for a manager, or
    /// for the provider's report on the code's message; the back office reads its list
    /// again. Never over a request of the person's own.
    pub(super) fn poll(&mut self) -> Vec<Cmd> {
        if self.ui.waiting.is_some() {
            return vec![];
        }
        let (every, request) = match self.ui.screen {
            Screen::AwaitingApproval => match self.open_redemption_id() {
                Some(id) => (APPROVAL_POLL_MS, Request::PollApproval(id)),
                None => return vec![],
            },
            Screen::Approvals if self.mode().approves() => {
                (APPROVALS_REFRESH_MS, Request::LoadApprovals)
            }
            Screen::Otp => match self.awaiting_delivery_report() {
                Some(id) => (super::code::DELIVERY_POLL_MS, Request::PollDelivery(id)),
                None => return vec![],
            },
            _ => return vec![],
        };
        if self.now_ms - self.ui.polled_ms < every {
            return vec![];
        }
        self.ui.polled_ms = self.now_ms;
        vec![self.ask(request)]
    }

    pub(super) fn approval_polled(&mut self, r: Result<Redemption, BackendError>) -> Vec<Cmd> {
        if self.ui.screen != Screen::AwaitingApproval {
            return vec![];
        }
        let r = match r {
            Ok(r) => r,
            // The network hiccuped: the next tick asks again; the hold's countdown goes on.
            Err(e) if e.code().is_none() => return vec![],
            Err(e) => return self.redemption_failed(&e, None),
        };
        let status = r.status;
        let decision = r
            .approval_request
            .as_ref()
            .map(|a| (a.status, a.decided_by.clone().unwrap_or_default()));
        self.redemption.intent = Some(r);
        match (status, decision) {
            (RedemptionStatus::Approved, Some((ApprovalStatus::Approved, manager))) => {
                self.ui.screen = Screen::Confirm;
                self.ui.notice = Some(Notice::ok(format!(
                    "{manager} approved. Confirm the redemption."
                )));
                vec![]
            }
            (RedemptionStatus::AwaitingOtp, Some((ApprovalStatus::Declined, manager))) => {
                self.ui.screen = Screen::Otp;
                self.ui.notice = Some(Notice::err(format!(
                    "{manager} declined. Send the customer a new code, or cancel."
                )));
                vec![]
            }
            (RedemptionStatus::AwaitingOtp, _) => vec![], // still waiting
            (status, _) => self.on_status(status),
        }
    }

    /// Back office: the list of requests waiting for a manager.
    pub(super) fn show_approvals(&mut self) -> Vec<Cmd> {
        if !self.mode().approves() || !self.is_manager() || !self.idle() {
            return vec![];
        }
        self.ui.screen = Screen::Approvals;
        self.ui.polled_ms = self.now_ms;
        vec![self.ask(Request::LoadApprovals)]
    }

    pub(super) fn show_policy(&mut self) -> Vec<Cmd> {
        if self.mode().approves() && self.is_manager() && self.idle() {
            self.ui.waiting = None; // a background read's answer is no longer wanted
            self.ui.screen = Screen::Policy;
        }
        vec![]
    }

    pub(super) fn approvals_loaded(
        &mut self,
        r: Result<Vec<ApprovalRequest>, BackendError>,
    ) -> Vec<Cmd> {
        match r {
            Ok(list) => {
                self.ui.approvals = Some(list);
                vec![]
            }
            Err(e) => {
                self.ui.fail(&e, None);
                self.check_session(&e)
            }
        }
    }

    pub(super) fn decide_approval(&mut self, id: String, approve: bool) -> Vec<Cmd> {
        if self.ui.screen != Screen::Approvals || !self.idle() {
            return vec![];
        }
        vec![self.ask(Request::DecideApproval { id, approve })]
    }

    pub(super) fn approval_decided(
        &mut self,
        r: Result<ApprovalRequest, BackendError>,
    ) -> Vec<Cmd> {
        match r {
            Ok(a) => {
                let what = format::approval_line(&a, &self.locale());
                self.ui.notice = Some(match a.status {
                    ApprovalStatus::Approved => Notice::ok(format!(
                        "Approved: {what}. {} can now confirm it.",
                        a.cashier_name
                    )),
                    _ => Notice::info(format!("Declined: {what}.")),
                });
                if let Some(list) = self.ui.approvals.as_mut() {
                    list.retain(|x| x.id != a.id);
                }
            }
            Err(e) => {
                self.ui.fail(&e, None);
                let cmds = self.check_session(&e);
                if self.signed_in.session.is_none() {
                    return cmds; // signed out: nothing more to read
                }
            }
        }
        // What is pending now (the request may have been answered by another manager, the
        // customer's code, or the hold's end).
        self.ui.polled_ms = self.now_ms;
        vec![self.ask(Request::LoadApprovals)]
    }

    /// The back office answers approvals (a tab of its own).
    pub fn offers_approvals(&self) -> bool {
        self.mode().approves() && self.is_manager()
    }

    /// A decision is being sent: its buttons are off meanwhile.
    pub fn deciding(&self) -> bool {
        self.busy() == Some(Call::Decide)
    }
}
