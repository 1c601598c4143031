//! Points on a sale (seed 004): with the bill and the customer known, the cashier records
//! the sale and the backend computes the points from the bill and the customer's card type
//! (S12: never a number the till chooses); the customer gets a message with the points of
//! this bill and their total.

use super::msg::{Cmd, Request};
use super::state::Flow;
use super::view::{Field, Notice, Screen};
use crate::backend::BackendError;
use crate::format;
use crate::messages;
use contract::api::{Accrual, CreateAccrual};
use contract::{Purpose, Unit};

impl Flow {
    /// "Add points for this bill" is offered on the customer's balances when the sale is on a
    /// bill, nothing is held or being confirmed, and this bill has not earned them already.
    pub fn can_earn(&self) -> bool {
        let Some(Purpose::Bill { bill }) = &self.sale.purpose else {
            return false;
        };
        self.mode().has_bill()
            && self.ui.screen == Screen::Balance
            && self.sale.balance.is_some()
            && self.settled()
            && self
                .sale
                .earned
                .as_ref()
                .is_none_or(|a| a.bill_id != bill.id().as_str())
    }

    /// The points this sale earned, once the backend has added them.
    pub fn earned_here(&self) -> Option<&Accrual> {
        let Some(Purpose::Bill { bill }) = &self.sale.purpose else {
            return None;
        };
        self.sale
            .earned
            .as_ref()
            .filter(|a| a.bill_id == bill.id().as_str())
    }

    pub(super) fn earn(&mut self) -> Vec<Cmd> {
        if !self.can_earn() || !self.idle() {
            return vec![];
        }
        let (Some(Purpose::Bill { bill }), Some(balance)) =
            (&self.sale.purpose, &self.sale.balance)
        else {
            return vec![];
        };
        let body = CreateAccrual {
            customer_id: balance.customer.id.clone(),
            bill: bill.clone(),
        };
        vec![self.ask(Request::Accrue(body))]
    }

    pub(super) fn accrued(&mut self, r: Result<Accrual, BackendError>) -> Vec<Cmd> {
        match r {
            Ok(a) => {
                let locale = self.locale();
                let name = self
                    .sale
                    .balance
                    .as_ref()
                    .map(|b| b.customer.name.clone())
                    .unwrap_or_default();
                self.ui.notice = Some(Notice::ok(format!(
                    "{name} earned {} on bill {}; {} now. A message with the points is on its way to them.",
                    points(a.points.get(), &locale),
                    a.bill_id,
                    points(a.balance_after, &locale),
                )));
                let customer = a.customer_id.clone();
                self.sale.earned = Some(a);
                // The balances as they now stand.
                vec![self.ask(Request::LoadBalance(customer))]
            }
            Err(BackendError::Problem(p)) => {
                // The backend says why (e.g. "A bill of ₹50.00 earns no points: …").
                let text = p
                    .detail
                    .clone()
                    .unwrap_or_else(|| messages::for_problem(&p));
                self.ui.notice = Some(Notice::err(text));
                self.check_session(&BackendError::Problem(p))
            }
            Err(e) => {
                self.ui.fail(&e, Some(Field::BillTotal));
                self.check_session(&e)
            }
        }
    }
}

fn points(n: u64, locale: &str) -> String {
    format!("{} {}", format::number(n, locale), Unit::Points.noun(n))
}
