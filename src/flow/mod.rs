//! The cashier flow (SPEC §4) as a plain state machine: no DOM, no clock, no I/O.
//!
//! [`Flow::handle`] takes a [`Msg`] (something a person did, the backend's answer to a
//! request, the clock) and the current time, changes the state, and returns the [`Cmd`]s
//! (backend requests, storage writes, timers) the driver must run. Every answer comes back as
//! another `Msg`. The screens are thin views over this state, so every transition is testable
//! natively.
//!
//! One module per step: `session` (sign-in and out, resume), `sale` (bill, customer,
//! balance, instrument, quantity and hold), `code` (send, resend, verify, override),
//! `approval` (a manager approves on their own device: the till asks and waits, the back
//! office lists and answers),
//! `commit` (confirm, receipt, cancel, how a redemption ended), `host` (widget), `kiosk`,
//! `policy`. The state's parts and the one reset rule are in `state` ([`Flow`]); what each
//! mode allows is in [`Mode`]; messages and commands in `msg` ([`Msg`], [`Cmd`]).

mod approval;
mod code;
mod commit;
mod host;
mod kiosk;
mod mode;
mod msg;
mod policy;
mod sale;
mod session;
mod state;
mod view;

pub use commit::{commit_backoff_ms, COMMIT_AUTO_RETRIES};
pub use mode::Mode;
pub use msg::{Action, Answer, Call, Cmd, HostEvent, HostRedemption, Msg, Outcome, ReqId, Request};
pub use sale::QuantityProblem;
pub use state::{
    seconds_left, CodeState, Commit, CommitState, Device, Flow, KioskState, Place, RedemptionState,
    Sale, SignedIn, Ui, Waiting,
};
pub use view::{Closed, Field, FieldError, Notice, Screen, Tone};

impl Flow {
    /// Applies one message; returns the commands to run.
    pub fn handle(&mut self, msg: Msg, now_ms: i64) -> Vec<Cmd> {
        self.now_ms = now_ms;
        match msg {
            Msg::Act(action) => self.act(action),
            Msg::Answer(id, answer) => {
                // The one rule for late answers: only the request waited for is heard.
                if self.ui.waiting.map(|w| w.id) != Some(id) {
                    return vec![];
                }
                self.ui.waiting = None;
                self.answer(*answer)
            }
            Msg::Tick => self.tick(),
            Msg::RetryCommit => self.retry_commit(),
        }
    }

    fn act(&mut self, action: Action) -> Vec<Cmd> {
        if !matches!(action, Action::KioskDone) {
            self.touch();
        }
        if matches!(action, Action::Activity) {
            return vec![];
        }
        // A new action replaces the last status line; answers set their own.
        self.ui.notice = None;
        self.ui.field_error = None;
        match action {
            Action::Start {
                terminal_token,
                pending_redemption,
            } => self.start(terminal_token, pending_redemption),
            Action::SignIn {
                terminal_token,
                staff_code,
                pin,
            } => self.sign_in(terminal_token, staff_code, pin),
            Action::SignOut => self.sign_out(),
            Action::EnterBill { id, total } => self.enter_bill(&id, &total),
            Action::VoucherMode => self.voucher_mode(),
            Action::HostBill(bill) => self.host_bill(bill),
            Action::ChangeBill => self.change_bill(),
            Action::Search(input) => self.search(&input),
            Action::ChooseCustomer(id) => self.choose_customer(id),
            Action::ChooseInstrument(id) => self.choose_instrument(id),
            Action::BackToBalance => self.back_to_balance(),
            Action::BackToSearch => self.back_to_search(),
            Action::Hold(input) => self.hold(&input),
            Action::SendOtp(channel) => self.send_otp(channel),
            Action::Verify(input) => self.verify(&input),
            Action::OpenOverride => self.open_override(),
            Action::CloseOverride => self.close_override(),
            Action::SubmitOverride(body) => self.submit_override(body),
            Action::RequestApproval(reason) => self.request_approval(&reason),
            Action::ShowApprovals => self.show_approvals(),
            Action::ShowPolicy => self.show_policy(),
            Action::DecideApproval { id, approve } => self.decide_approval(id, approve),
            Action::Confirm { fresh_key } => self.confirm(fresh_key),
            Action::Cancel => self.cancel(),
            Action::ResumeContinue => self.resume_continue(),
            Action::StartOver => self.start_over(),
            Action::NextCustomer => self.next_customer(),
            Action::SavePolicy(p) => self.save_policy(*p),
            Action::PolicyFormInvalid(errors) => self.policy_form_invalid(errors),
            Action::Activity => vec![],
            Action::KioskIdentify(input) => self.kiosk_identify(&input),
            Action::KioskResend => self.kiosk_resend(),
            Action::KioskVerify(input) => self.kiosk_verify(&input),
            Action::KioskDone => self.kiosk_done(),
            Action::Close => self.close_widget(),
        }
    }

    fn answer(&mut self, answer: Answer) -> Vec<Cmd> {
        match answer {
            Answer::SignedIn(r) => self.signed_in(r),
            Answer::SignedOut => self.signed_out(),
            Answer::PolicyLoaded(r) => self.policy_loaded(r),
            Answer::PolicySaved(r) => self.policy_saved(r),
            Answer::Found(r) => self.found(r),
            Answer::BalanceLoaded(r) => self.balance_loaded(r),
            Answer::Created(r) => self.created(r),
            Answer::Fetched(r) => self.fetched(r),
            Answer::OtpSent(r) => self.otp_sent(r),
            Answer::Verified(r) | Answer::Overridden(r) => self.verified(r),
            Answer::ApprovalRequested(r) => self.approval_requested(r),
            Answer::ApprovalPolled(r) => self.approval_polled(r),
            Answer::ApprovalsLoaded(r) => self.approvals_loaded(r),
            Answer::ApprovalDecided(r) => self.approval_decided(r),
            Answer::Committed(r) => self.committed(r),
            Answer::Cancelled(r) => self.cancelled(r),
            Answer::KioskCodeSent(r) => self.kiosk_code_sent(r),
            Answer::KioskVerified(r) => self.kiosk_verified(r),
        }
    }

    fn tick(&mut self) -> Vec<Cmd> {
        if self.idle_seconds_left() == Some(0) && !self.committing() && self.ui.waiting.is_none() {
            return self.kiosk_reset(Notice::info("For your privacy, the screen was cleared."));
        }
        let mut cmds = self.expire_hold();
        if cmds.is_empty() {
            cmds = self.poll();
        }
        cmds
    }
}

#[cfg(test)]
mod tests;
