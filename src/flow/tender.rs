//! A printed loyalty voucher handed in at the till (seed 004, issue 15): its code, typed or
//! scanned, is taken off the sale's bill once. The backend decides (a copy, an expired
//! voucher, one worth more than is left to pay are refused); the till shows what loyalty has
//! taken from the bill since.

use super::msg::{Cmd, Request};
use super::state::Flow;
use super::view::{Field, Notice};
use crate::backend::BackendError;
use crate::{format, messages};
use contract::api::{RedeemVoucher, VoucherRedeemed};
use contract::Purpose;

impl Flow {
    /// A voucher can be handed in while the sale is on a bill and nothing is under way.
    pub fn takes_vouchers(&self) -> bool {
        self.mode().has_bill()
            && matches!(self.sale.purpose, Some(Purpose::Bill { .. }))
            && self.settled()
    }

    pub(super) fn take_voucher(&mut self, code: &str) -> Vec<Cmd> {
        if !self.takes_vouchers() || !self.idle() {
            return vec![];
        }
        if code.trim().is_empty() {
            self.ui.field(
                Field::Voucher,
                "Type or scan the code printed on the voucher",
            );
            return vec![];
        }
        let Some(Purpose::Bill { bill }) = &self.sale.purpose else {
            return vec![];
        };
        let body = RedeemVoucher {
            code: code.trim().to_string(),
            bill: bill.clone(),
        };
        vec![self.ask(Request::TakeVoucher(body))]
    }

    pub(super) fn voucher_taken(&mut self, r: Result<VoucherRedeemed, BackendError>) -> Vec<Cmd> {
        match r {
            Ok(v) => {
                let locale = self.locale();
                self.sale.bill_redeemed_minor = v.bill_redeemed.minor();
                self.sale.vouchers_taken = self.sale.vouchers_taken.wrapping_add(1);
                self.ui.notice = Some(Notice::ok(format!(
                    "Voucher {} ({}, {}) taken off bill {}. Loyalty on this bill now: {}.",
                    v.code,
                    format::money(v.value, &locale),
                    v.customer_name,
                    v.bill_id,
                    format::money(v.bill_redeemed, &locale),
                )));
                vec![]
            }
            Err(BackendError::Problem(p)) => {
                let text = p
                    .detail
                    .clone()
                    .unwrap_or_else(|| messages::for_problem(&p));
                self.ui.field(Field::Voucher, text);
                self.check_session(&BackendError::Problem(p))
            }
            Err(e) => {
                self.ui.fail(&e, None);
                self.check_session(&e)
            }
        }
    }
}
