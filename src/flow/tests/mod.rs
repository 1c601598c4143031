//! Every transition of the flow, natively: one file per step, on the fixtures and the `Run`
//! builder below.
#![allow(clippy::field_reassign_with_default)] // tests read better as "default, but …"

use super::*;
use crate::backend::{asha, BackendError};
use crate::messages;
use contract::api::{
    Approval, CreateRedemption, Delivery, DeliveryStatus, KioskIdentify, OtpSent, Override,
    Receipt, Redemption, RedemptionStatus, Role, Session, SignIn, StaffInfo, StoreInfo,
    TerminalInfo, TerminalMode,
};
use contract::rules::Purpose;
use contract::{
    Bill, BillCap, BillId, Channel, Currency, ErrorCode, InstrumentKind, Money, Policy,
    PolicyError, Problem, Quantity, Unit,
};

const T0: i64 = 1_700_000_000_000;

fn inr(minor: u64) -> Money {
    Money::new(minor, Currency::INR).unwrap()
}

fn session(role: Role) -> Session {
    Session {
        token: "secret-session-token".into(),
        expires_at_ms: T0 + 3_600_000,
        staff: StaffInfo {
            id: "C001".into(),
            name: "Ravi".into(),
            role,
        },
        terminal: TerminalInfo {
            id: "t1".into(),
            name: "Till 1".into(),
            mode: TerminalMode::Pos,
        },
        store: StoreInfo {
            id: "s1".into(),
            name: "MG Road".into(),
            merchant_name: "Glow".into(),
        },
    }
}

fn problem(code: ErrorCode) -> BackendError {
    BackendError::Problem(Problem::new(code))
}

/// The host page's bill INV-9.
fn host_bill(minor: u64) -> Bill {
    Bill::new(BillId::parse("INV-9").unwrap(), inr(minor)).unwrap()
}

fn bill_purpose() -> Purpose {
    Purpose::Bill {
        bill: Bill::new(BillId::parse("123").unwrap(), inr(100_000)).unwrap(),
    }
}

fn redemption(status: RedemptionStatus) -> Redemption {
    Redemption {
        id: "rd-1".into(),
        status,
        customer_id: "cus-asha".into(),
        customer_name: "Asha Rao".into(),
        instrument_id: "pts-asha".into(),
        instrument_kind: InstrumentKind::Points,
        instrument_label: "Loyalty points".into(),
        unit: Unit::Points,
        quantity: Quantity::new(500).unwrap(),
        value: inr(50_000),
        purpose: bill_purpose(),
        otp_required: status == RedemptionStatus::AwaitingOtp,
        expires_at_ms: T0 + 900_000,
        otp: None,
        created_at_ms: T0,
        approval_request: None,
    }
}

fn sent(now: i64) -> OtpSent {
    OtpSent {
        channel: Channel::Sms,
        destination: "+91 ••••••3210".into(),
        expires_at_ms: now + 300_000,
        resend_after_ms: now + 30_000,
        attempts_left: 5,
        amount_first: None,
        delivery: None,
    }
}

fn receipt() -> Receipt {
    Receipt {
        redemption_id: "rd-1".into(),
        customer_name: "Asha Rao".into(),
        instrument_kind: InstrumentKind::Points,
        instrument_label: "Loyalty points".into(),
        unit: Unit::Points,
        quantity: Quantity::new(500).unwrap(),
        value: inr(50_000),
        balance_before: 1_200,
        balance_after: 700,
        purpose: bill_purpose(),
        approval: Approval::Otp {
            channel: Channel::Sms,
        },
        cashier_name: "Ravi".into(),
        terminal_name: "Till 1".into(),
        store_name: "MG Road".into(),
        committed_at_ms: T0 + 1,
        voucher: None,
        bill_redeemed: None,
    }
}

/// A request as the tests compare it: what was asked (ids are the Run's business).
fn ask(request: Request) -> Cmd {
    Cmd::Ask(ReqId::default(), request)
}

/// Drives a flow, remembering the commands of the last message. Requests' ids are kept
/// aside (`requests`) and blanked in `cmds`, so tests compare what was asked; `answer`
/// replies to the latest request, as the backend would.
struct Run {
    f: Flow,
    now: i64,
    cmds: Vec<Cmd>,
    requests: Vec<ReqId>,
}

impl Run {
    fn new() -> Self {
        Run::with(Flow::new())
    }
    fn with(f: Flow) -> Self {
        Run {
            f,
            now: T0,
            cmds: vec![],
            requests: vec![],
        }
    }
    fn send(&mut self, m: impl Into<Msg>) -> &mut Self {
        self.cmds = self.f.handle(m.into(), self.now);
        for cmd in &mut self.cmds {
            if let Cmd::Ask(id, _) = cmd {
                self.requests.push(std::mem::take(id));
            }
        }
        self
    }
    /// The backend's answer to the latest request.
    fn answer(&mut self, a: Answer) -> &mut Self {
        let id = self.last_request();
        self.send(Msg::Answer(id, Box::new(a)))
    }
    /// An answer to an earlier request (a late one).
    fn answer_to(&mut self, id: ReqId, a: Answer) -> &mut Self {
        self.send(Msg::Answer(id, Box::new(a)))
    }
    /// The latest request, or an id never issued when there was none.
    fn last_request_or_none(&self) -> ReqId {
        self.requests.last().copied().unwrap_or_default()
    }
    fn last_request(&self) -> ReqId {
        *self.requests.last().expect("a request to answer")
    }
    fn at(&mut self, ms: i64) -> &mut Self {
        self.now = ms;
        self
    }
    /// Cashier C001 signs in on this terminal and the policy loads.
    fn sign_in_on(&mut self, terminal_token: &str, policy: Policy, role: Role) -> &mut Self {
        self.send(Action::SignIn {
            terminal_token: terminal_token.into(),
            staff_code: "C001".into(),
            pin: "1234".into(),
        });
        self.answer(Answer::SignedIn(Ok(session(role))));
        self.answer(Answer::PolicyLoaded(Ok(policy)))
    }
    fn sign_in(&mut self) -> &mut Self {
        self.sign_in_on("demo-till-1", Policy::default(), Role::Cashier)
    }
    fn signed_in_with(policy: Policy, role: Role) -> Self {
        let mut r = Run::new();
        r.sign_in_on("demo-till-1", policy, role);
        r
    }
    /// After a reload that left redemption rd-1 open: started and signed in again.
    fn reloaded() -> Self {
        let mut r = Run::new();
        r.send(Action::Start {
            terminal_token: None,
            pending_redemption: Some("rd-1".into()),
        });
        r.sign_in();
        r
    }
    fn bill(&mut self, id: &str, total: &str) -> &mut Self {
        self.send(Action::EnterBill {
            id: id.into(),
            total: total.into(),
        })
    }
    /// From the search screen: Asha's points, 500 held; the backend answers with `status`.
    fn hold_500(&mut self, status: RedemptionStatus) -> &mut Self {
        self.send(Action::ChooseCustomer("cus-asha".into()));
        self.answer(Answer::BalanceLoaded(Ok(asha())));
        self.send(Action::ChooseInstrument("pts-asha".into()));
        self.send(Action::Hold {
            quantity: "500".into(),
            send: None,
        });
        self.answer(Answer::Created(Ok(redemption(status))))
    }
    /// The kinds of the instruments on screen.
    fn kinds(&self) -> Vec<InstrumentKind> {
        let balance = self.f.sale.balance.as_ref().expect("balances on screen");
        balance.instruments.iter().map(|i| i.kind).collect()
    }
    fn signed_in() -> Self {
        Run::signed_in_with(Policy::default(), Role::Cashier)
    }
    fn at_balance() -> Self {
        let mut r = Run::signed_in();
        r.bill("123", "1000");
        r.send(Action::Search("+91 98765 43210".into()));
        let c = asha().customer;
        r.answer(Answer::Found(Ok(vec![c])));
        r.send(Action::ChooseCustomer("cus-asha".into()));
        r.answer(Answer::BalanceLoaded(Ok(asha())));
        r
    }
    fn at_redeem() -> Self {
        let mut r = Run::at_balance();
        r.send(Action::ChooseInstrument("pts-asha".into()));
        r
    }
    fn at_otp() -> Self {
        let mut r = Run::at_redeem();
        r.send(Action::Hold {
            quantity: "500".into(),
            send: None,
        });
        r.answer(Answer::Created(Ok(redemption(
            RedemptionStatus::AwaitingOtp,
        ))));
        r
    }
    fn with_code_sent() -> Self {
        let mut r = Run::at_otp();
        r.send(Action::SendOtp(Channel::Sms));
        let now = r.now;
        r.answer(Answer::OtpSent(Ok(sent(now))));
        r
    }
    fn at_confirm() -> Self {
        let mut r = Run::with_code_sent();
        r.send(Action::Verify("123456".into()));
        r.answer(Answer::Verified(Ok(redemption(RedemptionStatus::Approved))));
        r
    }
    fn screen(&self) -> Screen {
        self.f.ui.screen
    }
    fn notice(&self) -> String {
        self.f
            .ui
            .notice
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default()
    }
    fn field(&self) -> Option<(Field, String)> {
        self.f
            .ui
            .field_error
            .as_ref()
            .map(|e| (e.field, e.text.clone()))
    }
}

mod approval;
mod code;
mod commit;
mod host;
mod kiosk;
mod manage;
mod policy;
mod reports;
mod requests;
mod sale;
mod session;
