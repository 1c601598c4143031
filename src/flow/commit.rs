//! Confirming a redemption (one idempotency key across retries, the receipt), cancelling it,
//! and how a redemption ended: each end says truthfully what happened to the points.

use super::msg::{Cmd, Outcome, Request};
use super::state::{seconds_left, Commit, CommitState, Flow, Reset};
use super::view::{Closed, Notice, Screen};
use crate::backend::BackendError;
use crate::messages;
use contract::api::{Receipt, Redemption, RedemptionStatus};
use contract::ErrorCode;

/// Automatic commit retries (with the same key) before the cashier is asked to retry by hand.
pub const COMMIT_AUTO_RETRIES: u32 = 4;

/// Delay before automatic commit retry `n` (1-based): 1 s, 2 s, 4 s, 8 s.
pub fn commit_backoff_ms(n: u32) -> u32 {
    1_000u32.saturating_mul(1 << n.saturating_sub(1).min(4))
}

impl Flow {
    pub(super) fn redemption_open(&self) -> bool {
        self.redemption
            .intent
            .as_ref()
            .is_some_and(|r| r.status.is_open())
    }

    pub(super) fn open_redemption_id(&self) -> Option<String> {
        self.redemption
            .intent
            .as_ref()
            .filter(|r| r.status.is_open())
            .map(|r| r.id.clone())
    }

    /// A commit is under way (or its outcome unknown): the redemption must not be changed.
    pub fn committing(&self) -> bool {
        self.redemption.commit.is_some()
    }

    /// Nothing is held or being confirmed: the cashier may leave the redemption (change the
    /// bill, open the policy, take the next customer).
    pub fn settled(&self) -> bool {
        !self.redemption_open() && !self.committing()
    }

    pub(super) fn set_status(&mut self, status: RedemptionStatus) {
        if let Some(r) = self.redemption.intent.as_mut() {
            r.status = status;
        }
    }

    pub fn hold_seconds_left(&self) -> Option<u64> {
        let r = self.redemption.intent.as_ref()?;
        Some(seconds_left(r.expires_at_ms, self.server_now()))
    }

    /// "Yes, redeem" can be tapped: approved, nothing in flight, no commit under way.
    pub fn can_confirm(&self) -> bool {
        self.ui.screen == Screen::Confirm
            && self.ui.waiting.is_none()
            && !self.committing()
            && self
                .redemption
                .intent
                .as_ref()
                .is_some_and(|r| r.status == RedemptionStatus::Approved)
    }

    pub(super) fn confirm(&mut self, fresh_key: String) -> Vec<Cmd> {
        // A second tap, or a tap while the outcome is unknown, never starts a new commit.
        if !self.can_confirm() {
            return vec![];
        }
        let Some(r) = &self.redemption.intent else {
            return vec![];
        };
        let id = r.id.clone();
        self.redemption.commit = Some(Commit {
            key: fresh_key.clone(),
            attempts: 1,
            state: CommitState::InFlight,
        });
        vec![self.ask(Request::Commit { id, key: fresh_key })]
    }

    /// The scheduled (or manual) retry of an unknown commit, with the same key.
    pub(super) fn retry_commit(&mut self) -> Vec<Cmd> {
        let (Some(r), Some(c)) = (&self.redemption.intent, self.redemption.commit.as_mut()) else {
            return vec![];
        };
        if c.state == CommitState::InFlight {
            return vec![];
        }
        c.attempts += 1;
        c.state = CommitState::InFlight;
        let request = Request::Commit {
            id: r.id.clone(),
            key: c.key.clone(),
        };
        vec![self.ask(request)]
    }

    pub(super) fn committed(&mut self, result: Result<Receipt, BackendError>) -> Vec<Cmd> {
        match result {
            Ok(receipt) => {
                self.set_status(RedemptionStatus::Committed);
                self.ui.notice = Some(Notice::ok(format!(
                    "Redeemed. Receipt {}.",
                    receipt.redemption_id
                )));
                self.count_on_bill(&receipt);
                self.redemption.receipt = Some(receipt);
                self.redemption.commit = None;
                self.ui.screen = Screen::Receipt;
                let mut cmds = vec![Cmd::RememberRedemption(None)];
                cmds.extend(self.notify(Outcome::Redeemed, None));
                cmds
            }
            Err(e) if e.outcome_unknown() => {
                let Some(c) = self.redemption.commit.as_mut() else {
                    return vec![];
                };
                if c.attempts <= COMMIT_AUTO_RETRIES {
                    c.state = CommitState::Retrying;
                    let delay = commit_backoff_ms(c.attempts);
                    self.ui.notice = Some(Notice::err(format!(
                        "No answer yet — not known whether the points were redeemed. Checking again (attempt {})…",
                        c.attempts + 1
                    )));
                    vec![Cmd::RetryCommitAfter(delay)]
                } else {
                    c.state = CommitState::Unknown;
                    self.ui.notice = Some(Notice::err(
                        "Still no answer: it is NOT known whether the points were redeemed. Do not redeem again; tap Check again when the network is back.",
                    ));
                    vec![]
                }
            }
            Err(BackendError::Problem(p)) if p.code == ErrorCode::IntentClosed => {
                // Closed elsewhere (another tab, a cancel): ask how it ended.
                self.redemption.commit = None;
                self.fetch_outcome()
            }
            Err(e) => {
                // The backend refused: nothing was redeemed. A new confirm gets a new key.
                self.redemption.commit = None;
                let cmds = self.redemption_failed(&e, None);
                if self.ui.screen == Screen::Confirm {
                    self.ui.notice = Some(Notice::err(format!(
                        "Not redeemed. {}",
                        messages::for_error(&e)
                    )));
                }
                cmds
            }
        }
    }

    /// Cancel can be tapped: nothing in flight and no commit under way.
    pub fn can_cancel(&self) -> bool {
        self.idle() && !self.committing()
    }

    pub(super) fn cancel(&mut self) -> Vec<Cmd> {
        if !self.can_cancel() {
            return vec![]; // never cancel while the outcome of a commit is open
        }
        match self.ui.screen {
            Screen::Otp
            | Screen::Override
            | Screen::AwaitingApproval
            | Screen::Confirm
            | Screen::Resume => match self.open_redemption_id() {
                Some(id) => vec![self.ask(Request::Cancel(id))],
                None => vec![],
            },
            Screen::Redeem | Screen::Balance | Screen::Customer => {
                self.reset(Reset::Customer);
                self.ui.screen = Screen::Customer;
                self.ui.notice = Some(Notice::info("Cancelled. Nothing was held or redeemed."));
                vec![]
            }
            _ => vec![],
        }
    }

    pub(super) fn cancelled(&mut self, result: Result<Redemption, BackendError>) -> Vec<Cmd> {
        match result {
            Ok(r) => {
                let why = if r.status == RedemptionStatus::Committed {
                    Closed::AlreadyCommitted
                } else {
                    Closed::Cancelled
                };
                self.redemption.intent = Some(r);
                self.close(why)
            }
            Err(BackendError::Problem(p))
                if p.code == ErrorCode::IntentClosed || p.code == ErrorCode::IntentExpired =>
            {
                // Find out how it ended rather than guess.
                self.fetch_outcome()
            }
            Err(e) => {
                let until = self
                    .hold_seconds_left()
                    .map(messages::duration)
                    .unwrap_or_default();
                self.ui.notice = Some(Notice::err(format!(
                    "Could not cancel: {} The hold is released by itself within {until}.",
                    messages::for_error(&e)
                )));
                self.check_session(&e)
            }
        }
    }

    /// Asks the backend how the current redemption ended.
    pub(super) fn fetch_outcome(&mut self) -> Vec<Cmd> {
        let id = self
            .redemption
            .intent
            .as_ref()
            .map(|r| r.id.clone())
            .unwrap_or_default();
        vec![self.ask(Request::Fetch(id))]
    }

    pub(super) fn fetched(&mut self, result: Result<Redemption, BackendError>) -> Vec<Cmd> {
        let resuming =
            self.device.pending_redemption.take().is_some() && self.redemption.intent.is_none();
        if resuming {
            return self.resume_found(result);
        }
        match result {
            Ok(r) => {
                let status = r.status;
                self.redemption.intent = Some(r);
                self.on_status(status)
            }
            Err(e) => {
                self.ui.fail(&e, None);
                self.check_session(&e)
            }
        }
    }

    /// Moves to the screen a redemption's status calls for.
    pub(super) fn on_status(&mut self, status: RedemptionStatus) -> Vec<Cmd> {
        match status {
            RedemptionStatus::AwaitingOtp => {
                self.ui.screen = self.awaiting_screen();
                vec![]
            }
            RedemptionStatus::Approved => {
                self.ui.screen = Screen::Confirm;
                vec![]
            }
            RedemptionStatus::Committed => self.close(Closed::AlreadyCommitted),
            RedemptionStatus::Cancelled => self.close(Closed::Cancelled),
            RedemptionStatus::Expired => self.close(Closed::Expired),
            RedemptionStatus::Locked => self.close(Closed::Locked),
            RedemptionStatus::Reversed => self.close(Closed::Reversed),
        }
    }

    /// The redemption ended without a receipt.
    pub(super) fn close(&mut self, why: Closed) -> Vec<Cmd> {
        self.ui.screen = Screen::Closed(why);
        self.redemption.commit = None;
        self.ui.waiting = None;
        // The closed card says it; the status line reads it out without showing it again.
        self.ui.notice = Some(
            if why == Closed::AlreadyCommitted {
                Notice::info(why.explanation())
            } else {
                Notice::err(format!("{}. {}", why.title(), why.explanation()))
            }
            .on_screen(),
        );
        let mut cmds = vec![Cmd::RememberRedemption(None)];
        let outcome = match why {
            Closed::Cancelled => Some(Outcome::Cancelled),
            Closed::Locked | Closed::Expired => Some(Outcome::Failed),
            Closed::AlreadyCommitted | Closed::Reversed => None,
        };
        if let Some(outcome) = outcome {
            cmds.extend(self.notify(outcome, Some(why.title().to_string())));
        }
        cmds
    }

    /// The hold lapses at the backend; say so instead of letting the cashier try on.
    pub(super) fn expire_hold(&mut self) -> Vec<Cmd> {
        let lapsed = self
            .redemption
            .intent
            .as_ref()
            .is_some_and(|r| r.status.is_open() && self.server_now() >= r.expires_at_ms);
        let pre_commit = matches!(
            self.ui.screen,
            Screen::Otp
                | Screen::Override
                | Screen::AwaitingApproval
                | Screen::Confirm
                | Screen::Resume
        );
        if lapsed && pre_commit && !self.committing() && self.idle() {
            self.set_status(RedemptionStatus::Expired);
            return self.close(Closed::Expired);
        }
        vec![]
    }

    /// After a closed redemption: the same bill, a fresh search (a kiosk: the same
    /// customer's balances).
    pub(super) fn start_over(&mut self) -> Vec<Cmd> {
        if !matches!(self.ui.screen, Screen::Closed(_)) {
            return vec![];
        }
        if self.mode().self_service() {
            return self.kiosk_back_to_balance();
        }
        self.new_sale(Reset::Customer)
    }

    pub(super) fn next_customer(&mut self) -> Vec<Cmd> {
        if !self.settled() {
            return vec![];
        }
        if self.mode().self_service() {
            return self.kiosk_done();
        }
        self.new_sale(Reset::Sale)
    }

    /// Forgets the redemption (and as much of the sale as `level` says) and starts again
    /// where a sale starts.
    fn new_sale(&mut self, level: Reset) -> Vec<Cmd> {
        self.reset(level);
        self.ui.screen = self.sale_screen();
        vec![Cmd::RememberRedemption(None)]
    }
}
