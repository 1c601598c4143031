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
//! `commit` (confirm, receipt, cancel, how a redemption ended), `earn` (points on a sale),
//! `host` (widget), `kiosk`, `policy`, `manage` (the back office's set-up of the store). The state's parts and the one reset rule are in `state` ([`Flow`]); what each
//! mode allows is in [`Mode`]; messages and commands in `msg` ([`Msg`], [`Cmd`]).

mod approval;
mod code;
mod commit;
mod earn;
mod host;
mod kiosk;
mod manage;
mod mode;
mod msg;
mod policy;
mod reports;
mod sale;
mod session;
mod state;
mod tender;
mod view;

pub use code::DELIVERY_POLL_MS;
pub use commit::{commit_backoff_ms, COMMIT_AUTO_RETRIES};
pub use manage::{
    import_summary, preview_summary, CardTypeForm, Danger, Form, Manage, ManageState, MessageForm,
    StaffForm,
};
pub use mode::{parts, Mode};
pub use msg::{Action, Answer, Call, Cmd, HostEvent, HostRedemption, Msg, Outcome, ReqId, Request};
pub use reports::{
    chain_intact, AuditForm, Chain, ReportForm, ReportView, Reports, ReportsState, AUDIT_PAGE,
};
pub use sale::QuantityProblem;
pub use state::{
    seconds_left, CodeState, Commit, CommitState, Device, Flow, KioskState, Place, RedemptionState,
    Sale, SignedIn, Ui, Waiting,
};
pub use view::{Closed, Field, FieldError, Notice, Screen, Tone};

/// `when!(P, PART => step)`: the step when the surface's parts `P` include `PART`, otherwise
/// nothing. `P` is a constant, so a surface's bundle does not link the steps it lacks; the
/// matches stay exhaustive, so a new action or answer must be given its part.
macro_rules! when {
    ($p:expr, $part:expr => $step:expr) => {
        if $p & $part != 0 {
            $step
        } else {
            Vec::new()
        }
    };
}

/// A surface's flow dispatch: [`Flow::handle_on`] compiled with its mode's parts.
pub type Handler = fn(&mut Flow, Msg, i64) -> Vec<Cmd>;

impl Flow {
    /// Applies one message as this flow's mode does; returns the commands to run. (A bundle
    /// calls its own surface's [`Handler`] instead, which links only its parts.)
    pub fn handle(&mut self, msg: Msg, now_ms: i64) -> Vec<Cmd> {
        Flow::handler(self.mode())(self, msg, now_ms)
    }

    /// The flow dispatch of a mode, with only that mode's [`parts`].
    pub fn handler(mode: Mode) -> Handler {
        match mode {
            Mode::Pos => Flow::handle_on::<{ Mode::Pos.parts() }>,
            Mode::Widget => Flow::handle_on::<{ Mode::Widget.parts() }>,
            Mode::Kiosk => Flow::handle_on::<{ Mode::Kiosk.parts() }>,
            Mode::BackOffice => Flow::handle_on::<{ Mode::BackOffice.parts() }>,
        }
    }

    /// Applies one message with the steps in `P` (bits of [`parts`]); a person's action or
    /// an answer of a step the surface lacks changes nothing.
    pub fn handle_on<const P: u16>(&mut self, msg: Msg, now_ms: i64) -> Vec<Cmd> {
        self.now_ms = now_ms;
        match msg {
            Msg::Act(action) => self.act::<P>(action),
            Msg::Answer(id, answer) => {
                // The one rule for late answers: only the request waited for is heard.
                if self.ui.waiting.map(|w| w.id) != Some(id) {
                    return vec![];
                }
                self.ui.waiting = None;
                self.answer::<P>(*answer)
            }
            Msg::Tick => self.tick(),
            Msg::RetryCommit => self.retry_commit(),
        }
    }

    fn act<const P: u16>(&mut self, action: Action) -> Vec<Cmd> {
        use parts::*;
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
            Action::EnterBill { id, total } => when!(P, BILL => self.enter_bill(&id, &total)),
            Action::VoucherMode => when!(P, BILL => self.voucher_mode()),
            Action::SkipBill => when!(P, BILL => self.skip_bill()),
            Action::HostBill(bill) => when!(P, HOST => self.host_bill(bill)),
            Action::KeptSession(s) => when!(P, HOST => self.kept_session(*s)),
            Action::ChangeBill => when!(P, BILL => self.change_bill()),
            Action::Search(input) => when!(P, SEARCH => self.search(&input)),
            Action::ChooseCustomer(id) => when!(P, SEARCH => self.choose_customer(id)),
            Action::ChooseInstrument(id) => when!(P, SALE => self.choose_instrument(id)),
            Action::BackToBalance => when!(P, SALE => self.back_to_balance()),
            Action::BackToSearch => when!(P, SEARCH => self.back_to_search()),
            Action::Hold { quantity, send } => when!(P, SALE => self.hold(&quantity, send)),
            Action::SendOtp(channel) => when!(P, SALE => self.send_otp(channel)),
            Action::Verify(input) => when!(P, SALE => self.verify(&input)),
            Action::OpenOverride => when!(P, OVERRIDE => self.open_override()),
            Action::CloseOverride => when!(P, OVERRIDE => self.close_override()),
            Action::SubmitOverride(body) => when!(P, OVERRIDE => self.submit_override(body)),
            Action::RequestApproval(reason) => when!(P, OVERRIDE => self.request_approval(&reason)),
            Action::ShowApprovals => when!(P, MANAGE => self.show_approvals()),
            Action::ShowPolicy => when!(P, MANAGE => self.show_policy()),
            Action::DecideApproval { id, approve } => {
                when!(P, MANAGE => self.decide_approval(id, approve))
            }
            Action::Confirm { fresh_key } => when!(P, SALE => self.confirm(fresh_key)),
            Action::Cancel => when!(P, SALE => self.cancel()),
            Action::ResumeContinue => when!(P, BILL => self.resume_continue()),
            Action::StartOver => when!(P, SALE => self.start_over()),
            Action::NextCustomer => when!(P, SALE => self.next_customer()),
            Action::SavePolicy(p) => when!(P, MANAGE => self.save_policy(*p)),
            Action::PolicyFormInvalid(errors) => {
                when!(P, MANAGE => self.policy_form_invalid(errors))
            }
            Action::Activity => vec![],
            Action::KioskIdentify(input) => when!(P, KIOSK => self.kiosk_identify(&input)),
            Action::KioskResend => when!(P, KIOSK => self.kiosk_resend()),
            Action::KioskVerify(input) => when!(P, KIOSK => self.kiosk_verify(&input)),
            Action::KioskDone => when!(P, KIOSK => self.kiosk_done()),
            Action::Close => when!(P, HOST => self.close_widget()),
            Action::Earn => when!(P, EARN => self.earn()),
            Action::TakeVoucher(code) => when!(P, EARN => self.take_voucher(&code)),
            Action::Manage(m) => when!(P, MANAGE | OUTREACH => self.manage(m)),
            Action::Reports(r) => when!(P, REPORTS => self.reports(r)),
        }
    }

    fn answer<const P: u16>(&mut self, answer: Answer) -> Vec<Cmd> {
        use parts::*;
        match answer {
            Answer::SignedIn(r) => self.signed_in(r),
            Answer::SignedOut => self.signed_out(),
            Answer::PolicyLoaded(r) => {
                // A screen the manager chose while the policy was on its way opens now.
                let chosen = self.ui.screen;
                let mut cmds = self.policy_loaded(r);
                // The reports surface opens on its reports once a manager is in.
                if P & REPORTS != 0 && P & MANAGE == 0 && cmds.is_empty() {
                    let screen = match chosen {
                        Screen::Cashiers | Screen::Audit => chosen,
                        _ => Screen::Reports,
                    };
                    cmds = self.reports(Reports::Show(screen));
                }
                // The messages surface opens on its messages.
                if P & OUTREACH != 0 && P & MANAGE == 0 && cmds.is_empty() {
                    cmds = self.manage(Manage::Show(Screen::Messages));
                }
                cmds
            }
            Answer::PolicySaved(r) => when!(P, MANAGE => self.policy_saved(r)),
            Answer::Found(r) => when!(P, SEARCH => self.found(r)),
            Answer::BalanceLoaded(r) => when!(P, SALE => self.balance_loaded(r)),
            Answer::Created(r) => when!(P, SALE => self.created(r)),
            Answer::Fetched(r) => when!(P, SALE => self.fetched(r)),
            Answer::OtpSent(r) => when!(P, SALE => self.otp_sent(r)),
            Answer::Verified(r) | Answer::Overridden(r) => when!(P, SALE => self.verified(r)),
            Answer::ApprovalRequested(r) => when!(P, OVERRIDE => self.approval_requested(r)),
            Answer::ApprovalPolled(r) => when!(P, OVERRIDE => self.approval_polled(r)),
            Answer::DeliveryPolled(r) => when!(P, SALE => self.delivery_polled(r)),
            Answer::ApprovalsLoaded(r) => when!(P, MANAGE => self.approvals_loaded(r)),
            Answer::ApprovalDecided(r) => when!(P, MANAGE => self.approval_decided(r)),
            Answer::Committed(r) => when!(P, SALE => self.committed(r)),
            Answer::Cancelled(r) => when!(P, SALE => self.cancelled(r)),
            Answer::KioskCodeSent(r) => when!(P, KIOSK => self.kiosk_code_sent(r)),
            Answer::KioskVerified(r) => when!(P, KIOSK => self.kiosk_verified(r)),
            Answer::Accrued(r) => when!(P, EARN => self.accrued(r)),
            Answer::VoucherTaken(r) => when!(P, EARN => self.voucher_taken(r)),
            Answer::Admin(r) => {
                let r = match P & REPORTS != 0 {
                    true => match self.reported(r) {
                        Ok(cmds) => return cmds,
                        Err(r) => r,
                    },
                    false => r,
                };
                when!(P, MANAGE | OUTREACH => self.managed(r))
            }
        }
    }

    fn tick(&mut self) -> Vec<Cmd> {
        if self.idle_seconds_left() == Some(0) && !self.committing() && self.idle() {
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
