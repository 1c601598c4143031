//! The sale: the bill (typed, the host's, or a voucher instead), the customer, their
//! balances, the instrument, and the quantity that is checked and held.

use super::msg::{Call, Cmd, Request};
use super::state::{Flow, RedemptionState};
use super::view::{Field, Notice, Screen};
use crate::backend::BackendError;
use crate::messages;
use contract::api::{
    Balance, CreateRedemption, CustomerSummary, Receipt, Redemption, RedemptionStatus,
};
use contract::lookup::{self, Searcher};
use contract::rules::{self, AllowedRange, Checked, Earlier, Purpose, RuleError};
use contract::{
    Bill, Channel, ErrorCode, InstrumentBalance, InstrumentKind, Money, MoneyError, Quantity,
    QuantityError, Unit,
};

/// Why a typed quantity cannot be redeemed (before any call to the backend).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum QuantityProblem {
    Parse(QuantityError),
    Amount(MoneyError),
    Rule(RuleError),
}

impl QuantityProblem {
    /// The cashier's message: a rule's money and quantities as `w` writes them (the screen
    /// passes [`Flow::words`]: Intl money, the instrument's unit).
    pub fn words(&self, w: &dyn rules::Words) -> String {
        match self {
            QuantityProblem::Rule(e) => e.words(w),
            other => other.to_string(),
        }
    }
}

impl std::fmt::Display for QuantityProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QuantityProblem::Parse(e) => e.fmt(f),
            QuantityProblem::Amount(e) => e.fmt(f),
            QuantityProblem::Rule(e) => e.fmt(f),
        }
    }
}

impl Flow {
    pub(super) fn enter_bill(&mut self, id: &str, total: &str) -> Vec<Cmd> {
        let Some(policy) = &self.signed_in.policy else {
            return vec![];
        };
        match Bill::parse(id, total, policy.currency) {
            Ok(bill) => {
                let purpose = Some(Purpose::Bill { bill });
                self.sale.bill_redeemed_minor = self.redeemed_on(purpose.as_ref());
                self.sale.purpose = purpose;
                self.after_purpose()
            }
            Err(e) => {
                if let Some(e) = e.id {
                    self.ui.field(Field::BillId, e.to_string());
                } else if let Some(e) = e.total {
                    self.ui.field(Field::BillTotal, e.to_string());
                }
                vec![]
            }
        }
    }

    /// A printed voucher instead of the bill, for a customer who can have one (seed 004).
    /// The bill is kept aside: "Change" brings it back to the form.
    pub(super) fn voucher_mode(&mut self) -> Vec<Cmd> {
        if !self.can_print_voucher() {
            return vec![];
        }
        self.sale.changing = self.sale.purpose.take().and_then(|p| match p {
            Purpose::Bill { bill } => Some(bill),
            Purpose::Voucher => None,
        });
        self.sale.purpose = Some(Purpose::Voucher);
        self.sale.bill_redeemed_minor = 0;
        self.after_purpose()
    }

    /// The voucher action is offered: at a till (not on a host's bill), for a customer with
    /// something this place may turn into a voucher, at least the minimum of it (seed 004:
    /// "enabled for customers who are eligible for redemption"), and nothing under way.
    pub fn can_print_voucher(&self) -> bool {
        let (Some(policy), Some(balance)) = (self.rules_policy(), &self.sale.balance) else {
            return false;
        };
        let nothing = Earlier::nothing(policy.currency);
        self.mode().has_bill()
            && self.place.host_bill.is_none()
            && self.sale.purpose != Some(Purpose::Voucher)
            && self.settled()
            && balance.instruments.iter().any(|i| {
                self.allows(i.kind)
                    && rules::allowed_range(&policy, i, &Purpose::Voucher, &nothing).is_ok()
            })
    }

    /// No bill yet: on to the customer (a voucher needs none; a bill can be entered later).
    pub(super) fn skip_bill(&mut self) -> Vec<Cmd> {
        if self.ui.screen == Screen::Bill && self.can_change_bill() {
            self.sale.purpose = None;
            self.sale.changing = None;
            self.ui.screen = Screen::Customer;
        }
        vec![]
    }

    /// The customer is open without a bill: redeeming waits for one (or a voucher).
    pub fn awaits_bill(&self) -> bool {
        self.mode().has_bill() && self.sale.purpose.is_none()
    }

    /// With the purpose known, on to the customer (or back to their balances).
    fn after_purpose(&mut self) -> Vec<Cmd> {
        if self.ui.screen == Screen::Bill {
            self.ui.screen = Screen::Customer;
        }
        if self.sale.balance.is_some() {
            self.sale.instrument_id = None;
            self.ui.screen = Screen::Balance;
        }
        vec![]
    }

    /// The bill can be changed here: it is not the host's, and nothing is held or being
    /// confirmed.
    pub fn can_change_bill(&self) -> bool {
        self.mode().has_bill() && self.place.host_bill.is_none() && self.settled()
    }

    pub(super) fn change_bill(&mut self) -> Vec<Cmd> {
        if !self.can_change_bill() {
            return vec![];
        }
        // A voucher's sale keeps the bill it was switched from aside: that comes back.
        let aside = self.sale.changing.take();
        self.sale.changing = match self.sale.purpose.take() {
            Some(Purpose::Bill { bill }) => Some(bill),
            _ => aside,
        };
        self.ui.screen = Screen::Bill;
        vec![]
    }

    /// What the bill form starts with: the bill being changed, else nothing.
    pub fn bill_draft(&self) -> (String, String) {
        match &self.sale.changing {
            Some(b) => (b.id().as_str().to_string(), b.total().to_decimal_string()),
            None => Default::default(),
        }
    }

    /// A new search replaces one still under way (its answer is then dropped).
    pub(super) fn search(&mut self, input: &str) -> Vec<Cmd> {
        let other_call = self.ui.waiting.is_some_and(|w| w.call != Call::Search);
        if self.ui.screen != Screen::Customer || other_call {
            return vec![];
        }
        let Some(policy) = &self.signed_in.policy else {
            return vec![];
        };
        match lookup::classify(input, policy.country_calling_code, Searcher::Staff) {
            Ok(lookup) => {
                self.sale.query = lookup.query().to_string();
                self.sale.customers = None;
                let query = self.sale.query.clone();
                vec![self.ask(Request::Search(query))]
            }
            Err(e) => {
                self.ui.field(Field::Query, e.to_string());
                vec![]
            }
        }
    }

    pub(super) fn found(&mut self, result: Result<Vec<CustomerSummary>, BackendError>) -> Vec<Cmd> {
        if self.ui.screen != Screen::Customer {
            return vec![]; // results are shown on the search screen only
        }
        match result {
            Ok(list) => {
                self.ui.notice = Some(match list.len() {
                    0 => Notice::err(messages::for_code(ErrorCode::CustomerNotFound)),
                    1 => Notice::info(format!("1 customer found: {}.", list[0].name)),
                    n => Notice::info(format!("{n} customers found.")),
                });
                // A single match is the customer: their balances open without a tap.
                let only = match list.as_slice() {
                    [one] => Some(one.id.clone()),
                    _ => None,
                };
                self.sale.customers = Some(list);
                match only {
                    Some(id) => self.choose_customer(id),
                    None => vec![],
                }
            }
            Err(e) => {
                self.sale.customers = Some(vec![]);
                self.ui.fail(&e, Some(Field::Query));
                self.check_session(&e)
            }
        }
    }

    pub(super) fn choose_customer(&mut self, id: String) -> Vec<Cmd> {
        if self.ui.waiting.is_some() {
            return vec![];
        }
        vec![self.ask(Request::LoadBalance(id))]
    }

    pub(super) fn balance_loaded(&mut self, r: Result<Balance, BackendError>) -> Vec<Cmd> {
        match r {
            Ok(b) => {
                self.sale.balance = Some(self.only_allowed(b));
                self.sale.instrument_id = None;
                if matches!(self.ui.screen, Screen::Customer | Screen::Balance) {
                    self.ui.screen = Screen::Balance;
                }
                vec![]
            }
            Err(e) => {
                self.ui.fail(&e, None);
                self.check_session(&e)
            }
        }
    }

    /// The balances with only the instruments this place may redeem.
    pub(super) fn only_allowed(&self, mut b: Balance) -> Balance {
        b.instruments.retain(|i| self.allows(i.kind));
        b
    }

    /// Whether this place may redeem an instrument of this kind.
    pub fn allows(&self, kind: InstrumentKind) -> bool {
        let kinds = &self.place.allowed_kinds;
        kinds.is_empty() || kinds.contains(&kind)
    }

    pub(super) fn choose_instrument(&mut self, id: String) -> Vec<Cmd> {
        let Some(inst) = self
            .sale
            .balance
            .as_ref()
            .and_then(|b| b.instruments.iter().find(|i| i.id == id))
        else {
            return vec![];
        };
        match self.range_for(inst) {
            Some(Ok(_)) => {
                self.sale.instrument_id = Some(id);
                self.ui.screen = Screen::Redeem;
            }
            Some(Err(e)) => {
                let text = e.words(&self.words_for(inst));
                self.ui.notice = Some(Notice::err(text))
            }
            None => {}
        }
        vec![]
    }

    pub(super) fn back_to_balance(&mut self) -> Vec<Cmd> {
        if self.ui.screen == Screen::Redeem {
            self.sale.instrument_id = None;
            self.ui.screen = Screen::Balance;
        }
        vec![]
    }

    pub(super) fn back_to_search(&mut self) -> Vec<Cmd> {
        if matches!(self.ui.screen, Screen::Balance | Screen::Redeem) {
            self.sale.balance = None;
            self.sale.instrument_id = None;
            self.ui.screen = Screen::Customer;
        }
        vec![]
    }

    pub fn customer(&self) -> Option<&CustomerSummary> {
        self.sale.balance.as_ref().map(|b| &b.customer)
    }

    pub fn instrument(&self) -> Option<&InstrumentBalance> {
        let id = self.sale.instrument_id.as_deref()?;
        self.sale
            .balance
            .as_ref()?
            .instruments
            .iter()
            .find(|i| i.id == id)
    }

    /// The channels the customer can receive a code on.
    pub fn channels(&self) -> Vec<Channel> {
        self.customer()
            .map(|c| c.channels.clone())
            .unwrap_or_default()
    }

    /// What the sale's bill had redeemed on it, were its purpose `purpose`: the tally when
    /// it is the same bill, else nothing.
    pub(super) fn redeemed_on(&self, purpose: Option<&Purpose>) -> u64 {
        let now = self.sale.purpose.as_ref().and_then(Purpose::bill);
        match purpose.and_then(Purpose::bill) {
            Some(bill) if Some(bill) == now => self.sale.bill_redeemed_minor,
            _ => 0,
        }
    }

    /// What earlier redemptions on the sale's bill took, as the rules count it. The no-code
    /// total is the backend's to know (it decides whether a code is needed).
    pub fn earlier(&self) -> Option<Earlier> {
        let policy = self.signed_in.policy.as_ref()?;
        let mut earlier = Earlier::nothing(policy.currency);
        if let Ok(m) = Money::new(self.sale.bill_redeemed_minor, policy.currency) {
            earlier.on_bill = m;
        }
        Some(earlier)
    }

    /// What is left to pay on the sale's bill after the redemptions on it so far, when
    /// something was redeemed on it.
    pub fn bill_left(&self) -> Option<Money> {
        let bill = self.sale.purpose.as_ref()?.bill()?;
        (self.sale.bill_redeemed_minor > 0).then(|| self.earlier().map(|e| e.left_on(bill)))?
    }

    /// A receipt came back: what the bill has given so far is the backend's figure when it
    /// sends one (every terminal's holds and redemptions), else this till's tally plus it.
    pub(super) fn count_on_bill(&mut self, receipt: &Receipt) {
        let same_bill = receipt.purpose.bill().is_some()
            && receipt.purpose.bill() == self.sale.purpose.as_ref().and_then(Purpose::bill);
        if !same_bill {
            return;
        }
        self.sale.bill_redeemed_minor = match receipt.bill_redeemed {
            Some(all) => all.minor(),
            None => self
                .sale
                .bill_redeemed_minor
                .saturating_add(receipt.value.minor()),
        };
    }

    /// Whether a quantity the rules let through without a code may still need one: the
    /// backend adds the customer's earlier redemptions without a code, on the bill and that
    /// store day, to `otp_min_value` (S12), and only it knows them.
    pub fn code_may_still_be_needed(&self) -> bool {
        let (Some(policy), Some(instrument)) = (self.signed_in.policy.as_ref(), self.instrument())
        else {
            return false;
        };
        policy.code_possible(instrument.kind) && !policy.otp_min_value.is_zero()
    }

    /// The store's policy as it applies to the chosen customer (`rules::for_customer`): their
    /// points are worth what the backend answered for them (their card type's point value).
    pub fn rules_policy(&self) -> Option<std::borrow::Cow<'_, contract::Policy>> {
        let policy = self.signed_in.policy.as_ref()?;
        let points = self.sale.balance.as_ref().and_then(|b| {
            b.instruments
                .iter()
                .find(|i| i.kind == InstrumentKind::Points)
                .map(|i| i.unit_value)
        });
        Some(rules::for_customer(policy, points))
    }

    /// The allowed range for an instrument on the current bill, after what was already
    /// redeemed on it, shown before typing.
    pub fn range_for(
        &self,
        instrument: &InstrumentBalance,
    ) -> Option<Result<AllowedRange, RuleError>> {
        let policy = self.rules_policy()?;
        let purpose = self.sale.purpose.as_ref()?;
        Some(rules::allowed_range(
            &policy,
            instrument,
            purpose,
            &self.earlier()?,
        ))
    }

    /// How money and quantities of the chosen instrument read here: through Intl in the
    /// store's locale, with the instrument's unit ("1,000 points", "1 session", "₹250.00").
    pub fn words(&self) -> Option<crate::format::InUnits> {
        Some(self.words_for(self.instrument()?))
    }

    /// [`Flow::words`] for any of the customer's instruments.
    pub fn words_for(&self, i: &InstrumentBalance) -> crate::format::InUnits {
        crate::format::InUnits {
            unit: i.unit,
            unit_value: i.unit_value,
            locale: self.locale(),
        }
    }

    pub fn allowed_range(&self) -> Option<Result<AllowedRange, RuleError>> {
        self.range_for(self.instrument()?)
    }

    /// Parses and checks the quantity being typed with the contract's rules (S10). Credit
    /// instruments (gift cards, membership credit) are typed as an amount and held in minor
    /// units.
    pub fn check(&self, input: &str) -> Option<Result<Checked, QuantityProblem>> {
        let policy = self.rules_policy()?;
        let instrument = self.instrument()?;
        let purpose = self.sale.purpose.as_ref()?;
        let earlier = self.earlier()?;
        let quantity = if instrument.unit == Unit::Credit {
            Money::parse(input, instrument.unit_value.currency())
                .map_err(QuantityProblem::Amount)
                .and_then(|m| Quantity::new(m.minor()).map_err(QuantityProblem::Parse))
        } else {
            Quantity::parse(input).map_err(QuantityProblem::Parse)
        };
        // Zero is below whatever the minimum is: say the minimum ("at least 50 points").
        let quantity = quantity.map_err(|e| match e {
            QuantityProblem::Parse(QuantityError::Zero) => {
                QuantityProblem::Rule(RuleError::BelowMinimum {
                    min: rules::minimum(&policy, instrument),
                })
            }
            e => e,
        });
        Some(quantity.and_then(|q| {
            rules::check_redemption(&policy, instrument, q, purpose, &earlier)
                .map_err(QuantityProblem::Rule)
        }))
    }

    /// Whether the quantity screen offers the code's channel (a code may be needed for this
    /// instrument here, and the customer can be reached): the hold then sends the code too.
    pub fn sends_code_on_hold(&self) -> bool {
        let (Some(policy), Some(instrument)) = (self.signed_in.policy.as_ref(), self.instrument())
        else {
            return false;
        };
        !self.mode().self_service()
            && policy.code_possible(instrument.kind)
            && !self.channels().is_empty()
    }

    pub(super) fn hold(&mut self, input: &str, send: Option<Channel>) -> Vec<Cmd> {
        if self.ui.screen != Screen::Redeem || self.ui.waiting.is_some() {
            return vec![];
        }
        let body = match self.check(input) {
            Some(Ok(checked)) => {
                let (Some(inst), Some(purpose), Some(customer)) =
                    (self.instrument(), &self.sale.purpose, self.customer())
                else {
                    return vec![];
                };
                CreateRedemption {
                    customer_id: customer.id.clone(),
                    instrument_id: inst.id.clone(),
                    quantity: checked.quantity,
                    purpose: purpose.clone(),
                }
            }
            Some(Err(e)) => {
                let text = match self.words() {
                    Some(w) => e.words(&w),
                    None => e.to_string(),
                };
                self.ui.field(Field::Quantity, text);
                return vec![];
            }
            None => return vec![],
        };
        self.sale.send_on_hold = send;
        vec![self.ask(Request::Create(body))]
    }

    pub(super) fn created(&mut self, r: Result<Redemption, BackendError>) -> Vec<Cmd> {
        match r {
            Ok(r) => {
                // Network latency makes a few ms of apparent skew; only a real clock difference
                // (seconds) is worth correcting, else a fresh 5:00 code would show 5:01.
                let skew = r.created_at_ms - self.now_ms;
                self.signed_in.skew_ms = if skew.abs() < 2_000 { 0 } else { skew };
                let approved = r.status == RedemptionStatus::Approved;
                self.ui.screen = if approved {
                    Screen::Confirm
                } else {
                    Screen::Otp
                };
                let send_on = self.sale.send_on_hold.take().filter(|_| !approved);
                self.ui.notice = Some(Notice::info(if self.mode().self_service() {
                    "We are sending a code for this voucher to you.".to_string()
                } else if approved {
                    "No code is needed for this redemption. Confirm it.".to_string()
                } else if let Some(c) = send_on {
                    format!("Held. Sending the customer's code by {}…", c.label())
                } else {
                    "Held. Choose how to send the customer's code.".to_string()
                }));
                let remember = Cmd::RememberRedemption(Some(r.id.clone()));
                let id = r.id.clone();
                self.redemption = RedemptionState {
                    intent: Some(r),
                    ..RedemptionState::default()
                };
                // At the kiosk every voucher has its own code, stating its amount (S3), sent
                // where the customer proved their contact: no extra tap.
                match self.kiosk.channel {
                    Some(channel) if self.mode().self_service() && !approved => {
                        vec![remember, self.ask(Request::SendOtp { id, channel })]
                    }
                    // The channel chosen with the quantity: the code goes now, no extra tap.
                    _ => match send_on {
                        Some(channel) => {
                            let mut cmds = vec![remember];
                            cmds.extend(self.send_otp(channel));
                            cmds
                        }
                        None => vec![remember],
                    },
                }
            }
            Err(e) => {
                self.ui.fail(&e, Some(Field::Quantity));
                self.check_session(&e)
            }
        }
    }
}
