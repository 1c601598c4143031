//! The manager's policy screen in the back office (SPEC §3): check a policy with the
//! contract's rules, save it.

use super::msg::{Cmd, Request};
use super::state::Flow;
use super::view::{Notice, Screen};
use crate::backend::BackendError;
use crate::messages;
use contract::{ErrorCode, Policy, PolicyError};

impl Flow {
    /// The till offers its manager the back office (a link to its own page) when nothing is
    /// held or being confirmed: leaving the till ends its session in this browser tab.
    pub fn offers_back_office(&self) -> bool {
        self.mode().links_back_office() && self.is_manager() && self.settled()
    }

    pub(super) fn save_policy(&mut self, p: Policy) -> Vec<Cmd> {
        if self.ui.screen != Screen::Policy || self.ui.waiting.is_some() {
            return vec![];
        }
        // Validate here first (S10); the backend validates again.
        if let Err(e) = p.validate() {
            return self.policy_form_invalid(e.0);
        }
        self.ui.policy_errors.clear();
        vec![self.ask(Request::SavePolicy(Box::new(p)))]
    }

    /// Errors found before saving, by the form or by the contract's rules.
    pub(super) fn policy_form_invalid(&mut self, errors: Vec<PolicyError>) -> Vec<Cmd> {
        if self.ui.screen == Screen::Policy {
            self.ui.policy_errors = errors;
            self.ui.notice = Some(Notice::err(messages::for_code(ErrorCode::PolicyInvalid)));
        }
        vec![]
    }

    pub(super) fn policy_saved(&mut self, r: Result<Policy, BackendError>) -> Vec<Cmd> {
        match r {
            Ok(p) => {
                self.signed_in.policy = Some(p);
                self.ui.policy_errors.clear();
                self.ui.notice = Some(Notice::ok("Policy saved."));
                vec![]
            }
            Err(BackendError::Problem(p)) if p.code == ErrorCode::PolicyInvalid => {
                self.ui.policy_errors = p.errors.clone();
                self.ui.notice = Some(Notice::err(messages::for_problem(&p)));
                vec![]
            }
            Err(e) => {
                self.ui.fail(&e, None);
                self.check_session(&e)
            }
        }
    }
}
