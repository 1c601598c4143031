//! Widget mode: the host page's bill, closing the widget, and what the host is told.

use super::msg::{Cmd, HostEvent, HostRedemption, Outcome, Request};
use super::state::{Flow, Reset};
use super::view::Screen;
use contract::api::Session;
use contract::rules::Bill;

impl Flow {
    /// The host page supplied the bill: it is used for every sale and cannot be changed.
    pub(super) fn host_bill(&mut self, bill: Bill) -> Vec<Cmd> {
        self.place.host_bill = Some(bill);
        self.sale.purpose = self.place.starting_purpose();
        if self.signed_in.session.is_some() && self.ui.screen == Screen::Bill {
            self.ui.screen = Screen::Customer;
        }
        vec![]
    }

    /// The front desk signed in for an earlier invoice on this terminal: carry on as them.
    /// The backend still decides: a session that has ended meanwhile (its lifetime) fails
    /// the policy's load, and the front desk signs in again.
    pub(super) fn kept_session(&mut self, session: Session) -> Vec<Cmd> {
        if !self.mode().embedded() || self.signed_in.session.is_some() || self.ui.waiting.is_some()
        {
            return vec![];
        }
        self.signed_in.session = Some(session);
        vec![self.ask(Request::LoadPolicy)]
    }

    /// Where the session is kept for the next invoice (the widget), what to keep now.
    pub(super) fn keep_session(&self) -> Option<Cmd> {
        self.mode()
            .embedded()
            .then(|| Cmd::KeepSession(self.signed_in.session.clone().map(Box::new)))
    }

    /// The front desk closes the widget. An open hold is cancelled first (the host hears
    /// "cancelled" when that lands); before any hold the host hears it at once.
    pub(super) fn close_widget(&mut self) -> Vec<Cmd> {
        if !self.mode().embedded() || !self.can_cancel() {
            return vec![];
        }
        if self.redemption_open() {
            return self.cancel();
        }
        match self.ui.screen {
            Screen::Receipt | Screen::Closed(_) => vec![],
            _ => {
                self.reset(Reset::Customer);
                self.notify(Outcome::Cancelled, Some("Closed without redeeming".into()))
                    .into_iter()
                    .collect()
            }
        }
    }

    /// Where the app is embedded, the host hears how the redemption ended.
    pub(super) fn notify(&self, outcome: Outcome, reason: Option<String>) -> Option<Cmd> {
        if !self.mode().embedded() {
            return None;
        }
        Some(Cmd::Notify(HostEvent {
            outcome,
            bill_id: self
                .sale
                .purpose
                .as_ref()
                .and_then(|p| p.bill())
                .map(|b| b.id().to_string()),
            redemption: self.redemption.intent.as_ref().map(HostRedemption::of),
            reason,
        }))
    }
}
