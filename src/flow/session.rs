//! Signing in and out, an ended session, and resuming a redemption left open by a reload.

use super::msg::{Cmd, Request};
use super::state::{Flow, Reset};
use super::view::{Field, Notice, Screen};
use crate::backend::BackendError;
use crate::messages;
use contract::api::{Redemption, RedemptionStatus, Role, Session, SignIn};
use contract::{ErrorCode, Policy};

impl Flow {
    /// App start: what the device remembers. A kiosk signs itself in.
    pub(super) fn start(
        &mut self,
        terminal_token: Option<String>,
        pending_redemption: Option<String>,
    ) -> Vec<Cmd> {
        self.device.terminal_token = terminal_token;
        self.device.pending_redemption = pending_redemption;
        self.self_service_sign_in()
    }

    /// Where no staff sign in, a remembered terminal token opens the self-service session.
    pub(super) fn self_service_sign_in(&mut self) -> Vec<Cmd> {
        match &self.device.terminal_token {
            Some(token) if !self.mode().staff_sign_in() && self.ui.waiting.is_none() => {
                let request = Request::SignIn {
                    terminal_token: token.clone(),
                    body: SignIn {
                        staff_code: String::new(),
                        pin: String::new(),
                    },
                };
                vec![self.ask(request)]
            }
            _ => vec![],
        }
    }

    pub(super) fn sign_in(
        &mut self,
        terminal_token: String,
        staff_code: String,
        pin: String,
    ) -> Vec<Cmd> {
        if self.ui.waiting.is_some() || self.ui.screen != Screen::SignIn {
            return vec![];
        }
        let terminal_token = terminal_token.trim().to_string();
        let staff_code = staff_code.trim().to_string();
        if terminal_token.is_empty() {
            self.ui
                .field(Field::Terminal, "Enter this terminal's token");
            return vec![];
        }
        if self.mode().staff_sign_in() && (staff_code.is_empty() || pin.trim().is_empty()) {
            self.ui.field(Field::Pin, "Enter your staff code and PIN");
            return vec![];
        }
        self.device.terminal_token = Some(terminal_token.clone());
        vec![self.ask(Request::SignIn {
            terminal_token,
            body: SignIn { staff_code, pin },
        })]
    }

    pub(super) fn signed_in(&mut self, r: Result<Session, BackendError>) -> Vec<Cmd> {
        match r {
            Ok(s) if self.mode().managers_only() && s.staff.role != Role::Manager => {
                // The backend's session ends at once; the screen stays on sign-in.
                self.ui.notice = Some(Notice::err(
                    "Only a manager can use the back office. You were signed out.",
                ));
                vec![self.ask(Request::SignOut)]
            }
            Ok(mut s) => {
                s.token.clear(); // the backend holds it; the UI state never does
                let token = self.device.terminal_token.clone().unwrap_or_default();
                self.signed_in.session = Some(s);
                let mut cmds = vec![Cmd::RememberTerminal(token)];
                cmds.extend(self.keep_session());
                cmds.push(self.ask(Request::LoadPolicy));
                cmds
            }
            // A kiosk has no staff fields: whatever went wrong is said at its token, and a
            // till's token (which needs staff to sign in) is named as such.
            Err(e) if !self.mode().staff_sign_in() => {
                match e.code() {
                    Some(ErrorCode::SignInFailed) => self.ui.field(
                        Field::Terminal,
                        "This token is not a kiosk's (staff sign in there): use the token made for this kiosk.",
                    ),
                    _ => self.ui.fail(&e, Some(Field::Terminal)),
                }
                vec![]
            }
            Err(e) => {
                let field = match e.code() {
                    Some(ErrorCode::Unauthenticated) => Field::Terminal,
                    _ => Field::Pin,
                };
                self.ui.fail(&e, Some(field));
                vec![]
            }
        }
    }

    pub(super) fn policy_loaded(&mut self, r: Result<Policy, BackendError>) -> Vec<Cmd> {
        match r {
            Ok(p) => {
                self.signed_in.policy = Some(p);
                if !self.mode().staff_sign_in() {
                    self.ui.screen = self.sale_screen();
                    return vec![];
                }
                let name = self
                    .signed_in
                    .session
                    .as_ref()
                    .map(|s| s.staff.name.clone())
                    .unwrap_or_default();
                self.ui.notice = Some(Notice::ok(format!("Signed in as {name}.")));
                if let Some(id) = self.device.pending_redemption.clone() {
                    return vec![self.ask(Request::Fetch(id))];
                }
                self.ui.screen = self.sale_screen();
                vec![]
            }
            // The session ended (a widget's kept session past its lifetime): sign in again.
            Err(e) if e.ends_session() => self.check_session(&e),
            Err(e) => {
                self.signed_in.session = None;
                self.ui.notice = Some(Notice::err(format!(
                    "Could not load the store policy. {}",
                    messages::for_error(&e)
                )));
                self.ui.screen = Screen::SignIn;
                self.keep_session().into_iter().collect()
            }
        }
    }

    pub(super) fn sign_out(&mut self) -> Vec<Cmd> {
        if !self.mode().staff_sign_in() {
            return vec![]; // a customer cannot sign the kiosk out
        }
        if self.committing() {
            self.ui.notice = Some(Notice::err("Wait: a redemption is being confirmed."));
            return vec![];
        }
        vec![self.ask(Request::SignOut)]
    }

    /// Staff may sign out now (the button is disabled while a redemption is being confirmed).
    pub fn can_sign_out(&self) -> bool {
        self.mode().staff_sign_in() && !self.committing()
    }

    pub(super) fn signed_out(&mut self) -> Vec<Cmd> {
        // The open redemption (if any) stays remembered so the next sign-in can resume or
        // cancel it; otherwise its hold simply lapses.
        let pending = self.open_redemption_id();
        // A cashier refused by the back office keeps the reason on screen.
        let refused = self
            .signed_in
            .session
            .is_none()
            .then(|| self.ui.notice.take());
        self.reset(Reset::Session);
        self.device.pending_redemption = pending;
        self.ui.notice = refused
            .flatten()
            .or_else(|| Some(Notice::info("Signed out.")));
        self.keep_session().into_iter().collect()
    }

    /// After a failed call: an ended session returns to sign-in, keeping an open redemption
    /// to resume where the device remembers one; a kiosk whose customer lapsed at the backend
    /// starts again, clean.
    pub(super) fn check_session(&mut self, e: &BackendError) -> Vec<Cmd> {
        if self.mode().self_service() && e.code() == Some(ErrorCode::Forbidden) {
            return self.kiosk_reset(Notice::info(
                "For your privacy you were signed out after a while without use. Start again.",
            ));
        }
        if !e.ends_session() {
            return vec![];
        }
        let pending = self.open_redemption_id();
        self.reset(Reset::Session);
        self.device.pending_redemption = pending.filter(|_| self.mode().remembers_pending());
        self.ui.notice = Some(Notice::err(messages::for_error(e)));
        let mut cmds: Vec<Cmd> = self.keep_session().into_iter().collect();
        // A kiosk has no one to sign it in again: it opens a new self-service session.
        cmds.extend(self.self_service_sign_in());
        cmds
    }

    /// The redemption remembered across a reload, as the backend has it now.
    pub(super) fn resume_found(&mut self, result: Result<Redemption, BackendError>) -> Vec<Cmd> {
        match result {
            Ok(r) => {
                let lapsed = r.status.is_open() && self.server_now() >= r.expires_at_ms;
                self.sale.purpose = Some(r.purpose.clone());
                if r.status.is_open() && !lapsed {
                    self.redemption.intent = Some(r);
                    self.ui.screen = Screen::Resume;
                    self.ui.notice = Some(Notice::info(
                        "An unfinished redemption was found on this terminal.",
                    ));
                    return vec![];
                }
                // Finished while we were away: say truthfully how it ended (e.g. a commit
                // whose answer was lost to the reload did go through).
                let status = if lapsed {
                    RedemptionStatus::Expired
                } else {
                    r.status
                };
                self.redemption.intent = Some(r);
                self.on_status(status)
            }
            Err(_) => {
                // Not ours or gone: start clean, the backend releases any hold by itself.
                self.ui.screen = self.sale_screen();
                vec![Cmd::RememberRedemption(None)]
            }
        }
    }

    pub(super) fn resume_continue(&mut self) -> Vec<Cmd> {
        if self.ui.screen != Screen::Resume || self.ui.waiting.is_some() {
            return vec![];
        }
        let Some(r) = &self.redemption.intent else {
            return vec![];
        };
        match r.status {
            RedemptionStatus::AwaitingOtp => {
                self.redemption.code.attempts_left = r.otp.as_ref().map(|o| o.attempts_left);
                self.ui.screen = self.awaiting_screen();
            }
            RedemptionStatus::Approved => self.ui.screen = Screen::Confirm,
            _ => return vec![],
        }
        let Some(r) = &self.redemption.intent else {
            return vec![];
        };
        // The customer's channels and balances come with the balance.
        let customer = r.customer_id.clone();
        vec![self.ask(Request::LoadBalance(customer))]
    }
}
