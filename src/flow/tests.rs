//! Every transition of the cashier flow, natively.
#![allow(clippy::field_reassign_with_default)] // tests read better as "default, but …"

use super::*;
use crate::backend::{asha, BackendError};
use crate::messages;
use contract::api::{
    Approval, CreateRedemption, KioskIdentify, OtpSent, Override, Receipt, Redemption,
    RedemptionStatus, Role, Session, SignIn, StaffInfo, StoreInfo, TerminalInfo, TerminalMode,
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
    }
}

fn sent(now: i64) -> OtpSent {
    OtpSent {
        channel: Channel::Sms,
        destination: "+91 ••••••3210".into(),
        expires_at_ms: now + 300_000,
        resend_after_ms: now + 30_000,
        attempts_left: 5,
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
        self.send(Msg::Answer(id, a))
    }
    /// An answer to an earlier request (a late one).
    fn answer_to(&mut self, id: ReqId, a: Answer) -> &mut Self {
        self.send(Msg::Answer(id, a))
    }
    fn last_request(&self) -> ReqId {
        *self.requests.last().expect("a request to answer")
    }
    fn at(&mut self, ms: i64) -> &mut Self {
        self.now = ms;
        self
    }
    fn signed_in_with(policy: Policy, role: Role) -> Self {
        let mut r = Run::new();
        r.send(Action::SignIn {
            terminal_token: "demo-till-1".into(),
            staff_code: "C001".into(),
            pin: "1234".into(),
        });
        r.answer(Answer::SignedIn(Ok(session(role))));
        r.answer(Answer::PolicyLoaded(Ok(policy)));
        r
    }
    fn signed_in() -> Self {
        Run::signed_in_with(Policy::default(), Role::Cashier)
    }
    fn at_balance() -> Self {
        let mut r = Run::signed_in();
        r.send(Action::EnterBill {
            id: "123".into(),
            total: "1000".into(),
        });
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
        r.send(Action::Hold("500".into()));
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

// ---- sign-in ----

#[test]
fn sign_in_loads_policy_and_remembers_only_the_terminal() {
    let mut r = Run::new();
    r.send(Action::SignIn {
        terminal_token: " demo-till-1 ".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    assert_eq!(
        r.cmds,
        vec![ask(Request::SignIn {
            terminal_token: "demo-till-1".into(),
            body: SignIn {
                staff_code: "C001".into(),
                pin: "1234".into()
            }
        })]
    );
    assert_eq!(r.f.busy(), Some(Call::SignIn));
    r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
    assert_eq!(
        r.cmds,
        vec![
            Cmd::RememberTerminal("demo-till-1".into()),
            ask(Request::LoadPolicy)
        ]
    );
    assert_eq!(
        r.f.signed_in.session.as_ref().unwrap().token,
        "",
        "the UI state never holds the session token"
    );
    r.answer(Answer::PolicyLoaded(Ok(Policy::default())));
    assert_eq!(r.screen(), Screen::Bill);
    assert!(r.notice().contains("Ravi"));
    assert!(!r.f.is_manager());
}

#[test]
fn sign_in_needs_every_field_and_explains_refusals() {
    let mut r = Run::new();
    r.send(Action::SignIn {
        terminal_token: "".into(),
        staff_code: "C001".into(),
        pin: "1".into(),
    });
    assert!(r.cmds.is_empty());
    assert_eq!(r.field().unwrap().0, Field::Terminal);
    r.send(Action::SignIn {
        terminal_token: "t".into(),
        staff_code: "".into(),
        pin: "".into(),
    });
    assert_eq!(r.field().unwrap().0, Field::Pin);
    r.send(Action::SignIn {
        terminal_token: "t".into(),
        staff_code: "C001".into(),
        pin: "0000".into(),
    });
    r.answer(Answer::SignedIn(Err(problem(ErrorCode::SignInFailed))));
    assert_eq!(
        r.field(),
        Some((Field::Pin, "Wrong staff code or PIN.".into()))
    );
    assert_eq!(r.screen(), Screen::SignIn);
    r.send(Action::SignIn {
        terminal_token: "bad".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.answer(Answer::SignedIn(Err(problem(ErrorCode::Unauthenticated))));
    assert_eq!(r.field().unwrap().0, Field::Terminal);
    r.send(Action::SignIn {
        terminal_token: "t".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.answer(Answer::SignedIn(Err(BackendError::Network)));
    assert!(r.notice().contains("Cannot reach"));
}

#[test]
fn policy_load_failure_returns_to_sign_in() {
    let mut r = Run::new();
    r.send(Action::SignIn {
        terminal_token: "t".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
    r.answer(Answer::PolicyLoaded(Err(BackendError::Timeout)));
    assert_eq!(r.screen(), Screen::SignIn);
    assert!(r.f.signed_in.session.is_none());
    assert!(r.notice().contains("policy"));
}

#[test]
fn double_sign_in_tap_sends_once() {
    let mut r = Run::new();
    r.send(Action::SignIn {
        terminal_token: "t".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.send(Action::SignIn {
        terminal_token: "t".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    assert!(r.cmds.is_empty());
}

#[test]
fn sign_out_keeps_terminal_and_open_redemption_for_resume() {
    let mut r = Run::at_otp();
    r.send(Action::SignOut);
    assert_eq!(r.cmds, vec![ask(Request::SignOut)]);
    r.answer(Answer::SignedOut);
    assert_eq!(r.screen(), Screen::SignIn);
    assert!(r.f.signed_in.session.is_none() && r.f.sale.balance.is_none());
    assert_eq!(r.f.device.terminal_token.as_deref(), Some("demo-till-1"));
    assert_eq!(r.f.device.pending_redemption.as_deref(), Some("rd-1"));
}

// ---- bill ----

#[test]
fn bill_is_validated_with_the_policy_currency() {
    let mut r = Run::signed_in();
    r.send(Action::EnterBill {
        id: "".into(),
        total: "100".into(),
    });
    assert_eq!(
        r.field(),
        Some((Field::BillId, "Enter the bill number".into()))
    );
    r.send(Action::EnterBill {
        id: "B 1".into(),
        total: "100".into(),
    });
    assert_eq!(r.field().unwrap().0, Field::BillId);
    r.send(Action::EnterBill {
        id: "123".into(),
        total: "".into(),
    });
    assert_eq!(
        r.field(),
        Some((Field::BillTotal, "Enter the bill total".into()))
    );
    r.send(Action::EnterBill {
        id: "123".into(),
        total: "-5".into(),
    });
    assert_eq!(
        r.field(),
        Some((Field::BillTotal, "The amount cannot be negative".into()))
    );
    r.send(Action::EnterBill {
        id: "123".into(),
        total: "0".into(),
    });
    assert_eq!(
        r.field().unwrap().1,
        "The bill total must be more than zero"
    );
    r.send(Action::EnterBill {
        id: "123".into(),
        total: "10.555".into(),
    });
    assert_eq!(r.field().unwrap().1, "Use at most 2 decimals");
    assert_eq!(r.screen(), Screen::Bill);
    r.send(Action::EnterBill {
        id: "123".into(),
        total: "1,250.50".into(),
    });
    assert_eq!(r.screen(), Screen::Customer);
    assert_eq!(
        r.f.sale.purpose,
        Some(Purpose::Bill {
            bill: Bill::new(BillId::parse("123").unwrap(), inr(125_050)).unwrap()
        })
    );
    assert!(r.f.ui.field_error.is_none());
}

#[test]
fn voucher_mode_and_bill_change() {
    let mut r = Run::signed_in();
    r.send(Action::VoucherMode);
    assert_eq!(
        (r.screen(), r.f.sale.purpose.clone()),
        (Screen::Customer, Some(Purpose::Voucher))
    );
    r.send(Action::ChangeBill);
    assert_eq!((r.screen(), r.f.sale.purpose.clone()), (Screen::Bill, None));
}

#[test]
fn host_bill_given_before_sign_in_is_used_after_it() {
    let mut r = Run::new();
    r.send(Action::HostBill(
        Bill::new(BillId::parse("INV-9").unwrap(), inr(5_000)).unwrap(),
    ));
    r.send(Action::SignIn {
        terminal_token: "t".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
    r.answer(Answer::PolicyLoaded(Ok(Policy::default())));
    assert_eq!(r.screen(), Screen::Customer);
    assert!(r.f.place.host_bill.is_some());
}

#[test]
fn host_bill_skips_the_bill_screen_and_cannot_be_changed() {
    let mut r = Run::signed_in();
    r.send(Action::HostBill(
        Bill::new(BillId::parse("INV-9").unwrap(), inr(5_000)).unwrap(),
    ));
    assert_eq!(r.screen(), Screen::Customer);
    r.send(Action::ChangeBill);
    assert_eq!(r.screen(), Screen::Customer);
}

// ---- customer ----

#[test]
fn lookup_sends_what_the_backend_reads_and_explains_mistakes() {
    let field = |input: &str| {
        let mut r = Run::signed_in();
        r.send(Action::EnterBill {
            id: "123".into(),
            total: "1000".into(),
        });
        r.send(Action::Search(input.into()));
        match r.cmds.as_slice() {
            [Cmd::Ask(_, Request::Search(q))] => Ok(q.clone()),
            _ => Err(r.field().expect("a field error").1),
        }
    };
    assert_eq!(field(" 98765 43210 "), Ok("98765 43210".into()));
    assert_eq!(field("rg0001-2345"), Ok("RG00012345".into()));
    assert_eq!(field("Asha"), Ok("Asha".into()));
    assert_eq!(
        field("  "),
        Err("Enter a mobile number, card number or name".into())
    );
    assert_eq!(field("12345"), Err("The mobile number is too short".into()));
    assert_eq!(
        field("A"),
        Err("Type at least 2 letters of the name".into())
    );
}

/// Drift bug: a numeric loyalty card (a valid `CardNumber` that is no mobile number) was
/// refused by the till as "not a valid mobile number" though the API finds it.
#[test]
fn a_numeric_card_number_is_searched_from_the_till() {
    let mut r = Run::signed_in();
    r.send(Action::EnterBill {
        id: "123".into(),
        total: "1000".into(),
    });
    r.send(Action::Search("12345678".into()));
    assert_eq!(r.cmds, vec![ask(Request::Search("12345678".into()))]);
    assert_eq!(r.field(), None);
}

#[test]
fn search_then_choose_customer_loads_balance() {
    let mut r = Run::signed_in();
    r.send(Action::EnterBill {
        id: "123".into(),
        total: "1000".into(),
    });
    r.send(Action::Search("123".into()));
    assert!(r.cmds.is_empty());
    assert_eq!(r.field().unwrap().0, Field::Query);
    r.send(Action::Search("Asha".into()));
    assert_eq!(r.cmds, vec![ask(Request::Search("Asha".into()))]);
    r.answer(Answer::Found(Ok(vec![asha().customer])));
    assert_eq!(r.f.sale.customers.as_ref().unwrap().len(), 1);
    assert_eq!(r.notice(), "1 customer found.");
    r.send(Action::ChooseCustomer("cus-asha".into()));
    assert_eq!(r.cmds, vec![ask(Request::LoadBalance("cus-asha".into()))]);
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    assert_eq!(r.screen(), Screen::Balance);
}

#[test]
fn search_results_that_are_stale_or_empty() {
    let mut r = Run::signed_in();
    r.send(Action::EnterBill {
        id: "1".into(),
        total: "10".into(),
    });
    r.send(Action::Search("Asha".into()));
    let asha_search = r.last_request();
    r.send(Action::Search("Bina".into()));
    r.answer_to(asha_search, Answer::Found(Ok(vec![asha().customer])));
    assert!(
        r.f.sale.customers.is_none(),
        "an older search's answer is ignored"
    );
    r.answer(Answer::Found(Ok(vec![])));
    assert_eq!(r.notice(), messages::for_code(ErrorCode::CustomerNotFound));
    r.send(Action::Search("Bina".into()));
    r.answer(Answer::Found(Err(BackendError::Network)));
    assert!(r.notice().contains("Cannot reach"));
}

#[test]
fn balance_failure_stays_and_explains() {
    let mut r = Run::signed_in();
    r.send(Action::EnterBill {
        id: "1".into(),
        total: "10".into(),
    });
    r.send(Action::ChooseCustomer("x".into()));
    r.answer(Answer::BalanceLoaded(Err(problem(
        ErrorCode::CustomerNotFound,
    ))));
    assert_eq!(r.screen(), Screen::Customer);
    assert_eq!(r.notice(), messages::for_code(ErrorCode::CustomerNotFound));
}

#[test]
fn session_ending_during_search_or_balance_returns_to_sign_in() {
    for ended in [ErrorCode::SessionExpired, ErrorCode::Unauthenticated] {
        let mut r = Run::signed_in();
        r.send(Action::EnterBill {
            id: "1".into(),
            total: "10".into(),
        });
        r.send(Action::Search("Asha".into()));
        r.answer(Answer::Found(Err(problem(ended))));
        assert_eq!(r.screen(), Screen::SignIn, "{ended}: search");
        assert_eq!(r.notice(), messages::for_code(ended));

        let mut r = Run::signed_in();
        r.send(Action::EnterBill {
            id: "1".into(),
            total: "10".into(),
        });
        r.send(Action::ChooseCustomer("x".into()));
        r.answer(Answer::BalanceLoaded(Err(problem(ended))));
        assert_eq!(r.screen(), Screen::SignIn, "{ended}: balance");
        assert!(r.f.signed_in.session.is_none());
    }
}

// ---- balance and redeem ----

#[test]
fn range_is_known_before_typing() {
    let r = Run::at_redeem();
    assert_eq!(r.screen(), Screen::Redeem);
    let range = r.f.allowed_range().unwrap().unwrap();
    assert_eq!(
        (range.min, range.max),
        (50, 1000),
        "bill of ₹1,000 caps 1,200 points at 1,000"
    );
}

#[test]
fn instruments_that_cannot_be_redeemed_say_why() {
    let mut r = Run::signed_in();
    r.send(Action::EnterBill {
        id: "1".into(),
        total: "20".into(),
    });
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    r.send(Action::ChooseInstrument("pts-asha".into()));
    assert_eq!(r.screen(), Screen::Balance);
    assert_eq!(
        r.notice(),
        "This bill allows at most 20, but at least 50 are needed to redeem"
    );
    let mut r = Run::signed_in();
    r.send(Action::VoucherMode);
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    r.send(Action::ChooseInstrument("gc-asha".into()));
    assert_eq!(
        r.notice(),
        "A gift card cannot become a voucher: apply it to a bill"
    );
    assert_eq!(r.screen(), Screen::Balance);
    r.send(Action::ChooseInstrument("pkg-spa".into()));
    assert_eq!(
        r.screen(),
        Screen::Redeem,
        "a package session can become a voucher"
    );
}

#[test]
fn every_bad_quantity_gets_its_own_inline_message() {
    let mut p = Policy::default();
    p.max_redeem_per_bill = Some(BillCap::Percent { percent: 50 });
    let mut r = Run::signed_in_with(p, Role::Cashier);
    r.send(Action::EnterBill {
        id: "1".into(),
        total: "2000".into(),
    });
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    r.send(Action::ChooseInstrument("pts-asha".into()));
    let msg = |s: &str| r.f.check(s).unwrap().unwrap_err().to_string();
    assert_eq!(msg(""), "Enter how many to redeem");
    assert_eq!(msg("-5"), "The quantity cannot be negative");
    assert_eq!(msg("0"), "Redeem at least 1");
    assert_eq!(msg("2.5"), "Use whole numbers only");
    assert_eq!(msg("abc"), "Use digits only, e.g. 500");
    assert_eq!(msg("99999999999999999"), "That number is far too large");
    assert_eq!(msg("10"), "Redeem at least 50");
    assert_eq!(msg("1300"), "Only 1200 available: enter 1200 or less");
    assert!(
        msg("1100").starts_with("A bill may take at most"),
        "cap of 50% of ₹2,000"
    );
    let ok = r.f.check("1,000").unwrap().unwrap();
    assert_eq!(
        (ok.quantity.get(), ok.value, ok.otp_required),
        (1000, inr(100_000), true)
    );
}

#[test]
fn above_the_bill_is_refused_inline() {
    let r = Run::at_redeem();
    assert_eq!(
        r.f.check("1001").unwrap().unwrap_err().to_string(),
        "That is more than the bill of 1000.00 INR: enter 1000 or less"
    );
}

#[test]
fn credit_instruments_are_typed_as_amounts() {
    let mut r = Run::at_balance();
    r.send(Action::ChooseInstrument("gc-asha".into()));
    assert_eq!(r.screen(), Screen::Redeem);
    let ok = r.f.check("250.50").unwrap().unwrap();
    assert_eq!(
        (ok.quantity.get(), ok.otp_required),
        (25_050, false),
        "gift cards need no code by default"
    );
    assert_eq!(
        r.f.check("1.234").unwrap().unwrap_err().to_string(),
        "Use at most 2 decimals"
    );
}

#[test]
fn hold_creates_the_intent_with_the_bill() {
    let mut r = Run::at_redeem();
    r.send(Action::Hold("abc".into()));
    assert!(r.cmds.is_empty());
    assert_eq!(
        r.field(),
        Some((Field::Quantity, "Use digits only, e.g. 500".into()))
    );
    r.send(Action::Hold(" 500 ".into()));
    assert_eq!(
        r.cmds,
        vec![ask(Request::Create(CreateRedemption {
            customer_id: "cus-asha".into(),
            instrument_id: "pts-asha".into(),
            quantity: Quantity::new(500).unwrap(),
            purpose: bill_purpose(),
        }))]
    );
    r.send(Action::Hold("500".into()));
    assert!(r.cmds.is_empty(), "double tap holds once");
    r.answer(Answer::Created(Ok(redemption(
        RedemptionStatus::AwaitingOtp,
    ))));
    assert_eq!(r.cmds, vec![Cmd::RememberRedemption(Some("rd-1".into()))]);
    assert_eq!(r.screen(), Screen::Otp);
}

#[test]
fn server_rule_refusal_shows_at_the_quantity() {
    let mut r = Run::at_redeem();
    r.send(Action::Hold("500".into()));
    r.answer(Answer::Created(Err(problem(
        ErrorCode::InsufficientBalance,
    ))));
    assert_eq!(r.screen(), Screen::Redeem);
    assert_eq!(
        r.field(),
        Some((
            Field::Quantity,
            messages::for_code(ErrorCode::InsufficientBalance).into()
        ))
    );
}

#[test]
fn no_code_needed_goes_straight_to_confirm() {
    let mut r = Run::at_redeem();
    r.send(Action::Hold("500".into()));
    r.answer(Answer::Created(Ok(redemption(RedemptionStatus::Approved))));
    assert_eq!(r.screen(), Screen::Confirm);
}

#[test]
fn back_navigation() {
    let mut r = Run::at_redeem();
    r.send(Action::BackToBalance);
    assert_eq!(r.screen(), Screen::Balance);
    r.send(Action::BackToSearch);
    assert_eq!(r.screen(), Screen::Customer);
    assert!(r.f.sale.balance.is_none());
}

// ---- OTP ----

#[test]
fn send_code_only_on_the_customers_channels() {
    let mut r = Run::at_otp();
    r.send(Action::SendOtp(Channel::Whatsapp));
    assert!(r.cmds.is_empty());
    assert_eq!(
        r.notice(),
        messages::for_code(ErrorCode::ChannelUnavailable)
    );
    r.send(Action::SendOtp(Channel::Email));
    assert_eq!(
        r.cmds,
        vec![ask(Request::SendOtp {
            id: "rd-1".into(),
            channel: Channel::Email
        })]
    );
    assert_eq!(r.f.channels(), vec![Channel::Sms, Channel::Email]);
}

#[test]
fn sent_code_shows_destination_countdown_and_attempts() {
    let r = Run::with_code_sent();
    assert!(r.notice().contains("+91 ••••••3210"));
    assert_eq!(r.f.code().attempts_left, Some(5));
    assert_eq!(r.f.code_seconds_left(), Some(300));
    assert_eq!(r.f.resend_wait(), Some(30));
    assert!(!r.f.can_resend());
}

#[test]
fn countdown_and_cooldown_are_functions_of_now() {
    let mut r = Run::with_code_sent();
    let t = r.now;
    r.at(t + 10_500).send(Msg::Tick);
    assert_eq!(r.f.code_seconds_left(), Some(290), "rounded up");
    assert_eq!(r.f.resend_wait(), Some(20));
    r.at(t + 30_000).send(Msg::Tick);
    assert_eq!(r.f.resend_wait(), Some(0));
    assert!(r.f.can_resend());
    r.at(t + 400_000).send(Msg::Tick);
    assert_eq!(r.f.code_seconds_left(), Some(0));
    assert_eq!(seconds_left(1_000, 0), 1);
    assert_eq!(seconds_left(1_001, 0), 2);
    assert_eq!(seconds_left(0, 5), 0);
}

#[test]
fn timers_follow_the_server_clock() {
    let mut r = Run::at_redeem();
    r.send(Action::Hold("500".into()));
    // Our clock is 5 s behind the server's.
    r.at(T0 - 5_000).answer(Answer::Created(Ok(redemption(
        RedemptionStatus::AwaitingOtp,
    ))));
    assert_eq!(r.f.signed_in.skew_ms, 5_000);
    assert_eq!(r.f.server_now(), T0);
    // Latency-sized differences are noise, not skew.
    let mut r = Run::at_redeem();
    r.send(Action::Hold("500".into()));
    r.at(T0 + 40).answer(Answer::Created(Ok(redemption(
        RedemptionStatus::AwaitingOtp,
    ))));
    assert_eq!(r.f.signed_in.skew_ms, 0);
}

#[test]
fn resend_waits_for_the_cooldown() {
    let mut r = Run::with_code_sent();
    let t = r.now;
    r.send(Action::SendOtp(Channel::Sms));
    assert!(r.cmds.is_empty(), "too early");
    r.at(t + 31_000).send(Action::SendOtp(Channel::Sms));
    assert_eq!(
        r.cmds,
        vec![ask(Request::SendOtp {
            id: "rd-1".into(),
            channel: Channel::Sms
        })]
    );
    r.answer(Answer::OtpSent(Err(problem(ErrorCode::RateLimited))));
    assert_eq!(r.notice(), messages::for_code(ErrorCode::RateLimited));
}

#[test]
fn malformed_code_is_refused_without_a_call() {
    let mut r = Run::with_code_sent();
    for (input, text) in [
        ("", "Enter the code the customer received"),
        ("12 456", "The code has no spaces: type the digits only"),
        ("12a456", "The code is digits only: no letters or symbols"),
        ("12345", "The code has 6 digits: some are missing"),
        ("1234567", "The code has 6 digits: there are too many"),
        (
            "١٢٣٤٥٦",
            "Type the code with the digits 0–9 (switch the keyboard to English digits)",
        ),
    ] {
        r.send(Action::Verify(input.into()));
        assert!(r.cmds.is_empty(), "{input}");
        assert_eq!(r.field(), Some((Field::Code, text.into())), "{input}");
    }
    r.send(Action::Verify(" 123456 ".into()));
    assert!(
        matches!(&r.cmds[..], [Cmd::Ask(_, Request::Verify { id, code })] if id == "rd-1" && code.expose() == "123456")
    );
}

#[test]
fn wrong_code_shows_attempts_left_then_locks() {
    let mut r = Run::with_code_sent();
    r.send(Action::Verify("000000".into()));
    let wrong = BackendError::Problem(Problem::new(ErrorCode::OtpInvalid).attempts_left(4));
    r.answer(Answer::Verified(Err(wrong)));
    assert_eq!(r.screen(), Screen::Otp);
    assert_eq!(r.f.code().attempts_left, Some(4));
    assert_eq!(
        r.field().unwrap(),
        (
            Field::Code,
            "Wrong code: 4 tries left. Ask the customer to read it again.".into()
        )
    );
    r.send(Action::Verify("000001".into()));
    r.answer(Answer::Verified(Err(problem(ErrorCode::OtpLocked))));
    assert_eq!(r.screen(), Screen::Closed(Closed::Locked));
    assert_eq!(r.cmds, vec![Cmd::RememberRedemption(None)]);
    assert_eq!(r.f.code().attempts_left, Some(0));
}

#[test]
fn expired_code_asks_for_a_resend() {
    let mut r = Run::with_code_sent();
    r.send(Action::Verify("123456".into()));
    r.answer(Answer::Verified(Err(problem(ErrorCode::OtpExpired))));
    assert!(r.f.code().expired);
    assert_eq!(r.screen(), Screen::Otp);
    let t = r.now;
    r.at(t + 31_000).send(Action::SendOtp(Channel::Sms));
    r.answer(Answer::OtpSent(Ok(sent(t + 31_000))));
    assert!(!r.f.code().expired);
}

#[test]
fn right_code_goes_to_confirm() {
    let r = Run::at_confirm();
    assert_eq!(r.screen(), Screen::Confirm);
    assert_eq!(r.notice(), "Code accepted. Confirm the redemption.");
}

#[test]
fn answers_to_another_request_are_ignored() {
    let mut r = Run::with_code_sent();
    let send = r.last_request(); // answered already
    r.send(Action::Verify("123456".into()));
    r.answer_to(
        send,
        Answer::Verified(Ok(redemption(RedemptionStatus::Approved))),
    );
    assert_eq!(r.screen(), Screen::Otp);
}

#[test]
fn verify_network_failure_keeps_the_screen() {
    let mut r = Run::with_code_sent();
    r.send(Action::Verify("123456".into()));
    r.answer(Answer::Verified(Err(BackendError::Timeout)));
    assert_eq!(r.screen(), Screen::Otp);
    assert!(r.notice().contains("did not answer"));
    assert!(r.f.busy().is_none());
}

// ---- override ----

#[test]
fn override_needs_policy_credentials_and_reason() {
    let mut r = Run::with_code_sent();
    r.send(Action::OpenOverride);
    assert_eq!(r.screen(), Screen::Otp, "override is off by default");
    let mut p = Policy::default();
    p.override_enabled = true;
    r.f.signed_in.policy = Some(p);
    r.send(Action::OpenOverride);
    assert_eq!(r.screen(), Screen::Override);
    let body = |reason: &str| Override {
        manager_code: "M001".into(),
        manager_pin: "9999".into(),
        override_code: "24681357".into(),
        reason: reason.into(),
    };
    r.send(Action::SubmitOverride(body(" ")));
    assert_eq!(r.field(), Some((Field::Override, "Enter a reason".into())));
    r.send(Action::SubmitOverride(body("SMS not delivered")));
    assert!(matches!(
        &r.cmds[..],
        [Cmd::Ask(_, Request::Override { .. })]
    ));
    r.answer(Answer::Overridden(Err(problem(ErrorCode::OverrideInvalid))));
    assert_eq!(
        r.field(),
        Some((
            Field::Override,
            messages::for_code(ErrorCode::OverrideInvalid).into()
        ))
    );
    r.send(Action::SubmitOverride(body("SMS not delivered")));
    r.answer(Answer::Overridden(Ok(redemption(
        RedemptionStatus::Approved,
    ))));
    assert_eq!(r.screen(), Screen::Confirm);
    assert_eq!(r.notice(), "Override accepted. Confirm the redemption.");
}

#[test]
fn close_override_returns_to_code_entry() {
    let mut r = Run::with_code_sent();
    let mut p = Policy::default();
    p.override_enabled = true;
    r.f.signed_in.policy = Some(p);
    r.send(Action::OpenOverride).send(Action::CloseOverride);
    assert_eq!(r.screen(), Screen::Otp);
}

// ---- commit ----

#[test]
fn confirm_commits_once_even_on_double_tap() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k1".into(),
    });
    assert_eq!(
        r.cmds,
        vec![ask(Request::Commit {
            id: "rd-1".into(),
            key: "k1".into()
        })]
    );
    r.send(Action::Confirm {
        fresh_key: "k2".into(),
    });
    assert!(r.cmds.is_empty(), "second tap ignored");
    r.answer(Answer::Committed(Ok(receipt())));
    assert_eq!(r.screen(), Screen::Receipt);
    assert_eq!(r.cmds, vec![Cmd::RememberRedemption(None)]);
    assert!(r.f.redemption.commit.is_none());
}

#[test]
fn lost_commit_answer_is_retried_with_the_same_key_then_told_truthfully() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k1".into(),
    });
    r.answer(Answer::Committed(Err(BackendError::Timeout)));
    assert_eq!(r.cmds, vec![Cmd::RetryCommitAfter(1_000)]);
    assert_eq!(
        r.f.redemption.commit.as_ref().unwrap().state,
        CommitState::Retrying
    );
    assert!(r
        .notice()
        .contains("not known whether the points were redeemed"));
    r.send(Action::Cancel);
    assert!(r.cmds.is_empty(), "no cancel while the outcome is unknown");
    r.send(Action::Confirm {
        fresh_key: "k9".into(),
    });
    assert!(r.cmds.is_empty(), "no new key while the outcome is unknown");
    r.send(Msg::RetryCommit);
    assert_eq!(
        r.cmds,
        vec![ask(Request::Commit {
            id: "rd-1".into(),
            key: "k1".into()
        })]
    );
    r.answer(Answer::Committed(Ok(receipt())));
    assert_eq!(r.screen(), Screen::Receipt);
}

#[test]
fn commit_retries_back_off_then_hand_over_to_the_cashier() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k1".into(),
    });
    let mut delays = vec![];
    for _ in 0..COMMIT_AUTO_RETRIES {
        r.answer(Answer::Committed(Err(BackendError::Network)));
        if let [Cmd::RetryCommitAfter(ms)] = r.cmds[..] {
            delays.push(ms);
        }
        r.send(Msg::RetryCommit);
    }
    assert_eq!(delays, vec![1_000, 2_000, 4_000, 8_000]);
    r.answer(Answer::Committed(Err(BackendError::Unexpected {
        status: 503,
    })));
    assert!(r.cmds.is_empty());
    assert_eq!(
        r.f.redemption.commit.as_ref().unwrap().state,
        CommitState::Unknown
    );
    assert!(r.notice().contains("NOT known"));
    r.send(Msg::RetryCommit);
    assert_eq!(
        r.cmds,
        vec![ask(Request::Commit {
            id: "rd-1".into(),
            key: "k1".into()
        })]
    );
    assert_eq!(
        r.f.redemption.commit.as_ref().unwrap().attempts,
        COMMIT_AUTO_RETRIES + 2
    );
}

#[test]
fn in_flight_duplicate_is_an_unknown_outcome() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k1".into(),
    });
    r.answer(Answer::Committed(Err(problem(
        ErrorCode::IdempotencyInFlight,
    ))));
    assert_eq!(r.cmds, vec![Cmd::RetryCommitAfter(1_000)]);
}

#[test]
fn refused_commit_says_not_redeemed_and_allows_a_fresh_attempt() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k1".into(),
    });
    r.answer(Answer::Committed(Err(problem(ErrorCode::Internal))));
    assert_eq!(r.screen(), Screen::Confirm);
    assert!(r.notice().starts_with("Not redeemed."));
    assert!(r.f.redemption.commit.is_none());
    r.send(Action::Confirm {
        fresh_key: "k2".into(),
    });
    assert_eq!(
        r.cmds,
        vec![ask(Request::Commit {
            id: "rd-1".into(),
            key: "k2".into()
        })]
    );
}

#[test]
fn commit_on_an_expired_intent_closes_it() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k1".into(),
    });
    r.answer(Answer::Committed(Err(problem(ErrorCode::IntentExpired))));
    assert_eq!(r.screen(), Screen::Closed(Closed::Expired));
}

#[test]
fn commit_on_a_closed_intent_asks_how_it_ended() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k1".into(),
    });
    r.answer(Answer::Committed(Err(problem(ErrorCode::IntentClosed))));
    assert_eq!(r.cmds, vec![ask(Request::Fetch("rd-1".into()))]);
    r.answer(Answer::Fetched(Ok(redemption(RedemptionStatus::Committed))));
    assert_eq!(r.screen(), Screen::Closed(Closed::AlreadyCommitted));
}

#[test]
fn sign_out_is_refused_while_committing() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k1".into(),
    });
    r.send(Action::SignOut);
    assert!(r.cmds.is_empty());
}

// ---- cancel, expiry, receipt ----

#[test]
fn cancel_releases_the_hold() {
    for mut r in [Run::at_otp(), Run::with_code_sent(), Run::at_confirm()] {
        r.send(Action::Cancel);
        assert_eq!(r.cmds, vec![ask(Request::Cancel("rd-1".into()))]);
        r.answer(Answer::Cancelled(Ok(redemption(
            RedemptionStatus::Cancelled,
        ))));
        assert_eq!(r.screen(), Screen::Closed(Closed::Cancelled));
        assert_eq!(r.cmds, vec![Cmd::RememberRedemption(None)]);
        assert!(r.notice().contains("Nothing was redeemed"));
    }
}

#[test]
fn cancel_before_a_hold_just_starts_over() {
    let mut r = Run::at_redeem();
    r.send(Action::Cancel);
    assert!(r.cmds.is_empty());
    assert_eq!(r.screen(), Screen::Customer);
    assert!(r.f.sale.balance.is_none());
}

#[test]
fn cancel_failure_is_explained() {
    let mut r = Run::at_otp();
    r.send(Action::Cancel);
    r.answer(Answer::Cancelled(Err(BackendError::Network)));
    assert_eq!(r.screen(), Screen::Otp);
    assert!(r.notice().starts_with("Could not cancel"));
    r.send(Action::Cancel);
    r.answer(Answer::Cancelled(Err(problem(ErrorCode::IntentClosed))));
    assert_eq!(r.cmds, vec![ask(Request::Fetch("rd-1".into()))]);
    r.answer(Answer::Fetched(Ok(redemption(RedemptionStatus::Expired))));
    assert_eq!(r.screen(), Screen::Closed(Closed::Expired));
}

#[test]
fn the_hold_expires_on_screen() {
    let mut r = Run::with_code_sent();
    r.at(T0 + 899_000).send(Msg::Tick);
    assert_eq!(r.screen(), Screen::Otp);
    assert_eq!(r.f.hold_seconds_left(), Some(1));
    r.at(T0 + 900_000).send(Msg::Tick);
    assert_eq!(r.screen(), Screen::Closed(Closed::Expired));
    assert_eq!(r.cmds, vec![Cmd::RememberRedemption(None)]);
}

#[test]
fn the_hold_does_not_expire_under_a_commit() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k".into(),
    });
    r.at(T0 + 1_000_000).send(Msg::Tick);
    assert_eq!(
        r.screen(),
        Screen::Confirm,
        "only the commit's answer decides"
    );
}

#[test]
fn next_customer_after_receipt() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k".into(),
    });
    r.answer(Answer::Committed(Ok(receipt())));
    r.send(Action::NextCustomer);
    assert_eq!(r.screen(), Screen::Bill);
    assert!(
        r.f.redemption.intent.is_none()
            && r.f.redemption.receipt.is_none()
            && r.f.sale.purpose.is_none()
    );
}

#[test]
fn next_customer_is_refused_while_a_hold_is_open() {
    let mut r = Run::at_otp();
    r.send(Action::NextCustomer);
    assert_eq!(r.screen(), Screen::Otp);
}

// ---- session end and reload ----

#[test]
fn expired_session_returns_to_sign_in_and_keeps_the_redemption_to_resume() {
    let mut r = Run::with_code_sent();
    r.send(Action::Verify("123456".into()));
    r.answer(Answer::Verified(Err(problem(ErrorCode::SessionExpired))));
    assert_eq!(r.screen(), Screen::SignIn);
    assert_eq!(r.notice(), messages::for_code(ErrorCode::SessionExpired));
    assert_eq!(r.f.device.pending_redemption.as_deref(), Some("rd-1"));
    assert_eq!(r.f.device.terminal_token.as_deref(), Some("demo-till-1"));
    assert!(r.f.signed_in.session.is_none());
}

#[test]
fn reload_resumes_an_open_redemption_after_sign_in() {
    let mut r = Run::new();
    r.send(Action::Start {
        terminal_token: Some("demo-till-1".into()),
        pending_redemption: Some("rd-1".into()),
    });
    r.send(Action::SignIn {
        terminal_token: "demo-till-1".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
    r.answer(Answer::PolicyLoaded(Ok(Policy::default())));
    assert_eq!(r.cmds, vec![ask(Request::Fetch("rd-1".into()))]);
    let mut open = redemption(RedemptionStatus::AwaitingOtp);
    open.otp = Some(sent(T0));
    r.answer(Answer::Fetched(Ok(open)));
    assert_eq!(r.screen(), Screen::Resume);
    assert_eq!(r.f.sale.purpose, Some(bill_purpose()));
    r.send(Action::ResumeContinue);
    assert_eq!(r.screen(), Screen::Otp);
    assert_eq!(r.f.code().attempts_left, Some(5));
    assert_eq!(r.cmds, vec![ask(Request::LoadBalance("cus-asha".into()))]);
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    assert_eq!(
        r.screen(),
        Screen::Otp,
        "the balance fills in the channels without leaving the code screen"
    );
    assert_eq!(r.f.channels(), vec![Channel::Sms, Channel::Email]);
}

#[test]
fn start_over_after_a_closed_redemption_keeps_the_bill() {
    let mut r = Run::with_code_sent();
    r.send(Action::Verify("111111".into()));
    r.answer(Answer::Verified(Err(problem(ErrorCode::OtpLocked))));
    r.send(Action::StartOver);
    assert_eq!(r.screen(), Screen::Customer);
    assert_eq!(r.f.sale.purpose, Some(bill_purpose()));
    assert!(r.f.redemption.intent.is_none());
}

#[test]
fn reload_can_cancel_the_found_redemption() {
    let mut r = Run::new();
    r.send(Action::Start {
        terminal_token: None,
        pending_redemption: Some("rd-1".into()),
    });
    r.send(Action::SignIn {
        terminal_token: "t".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
    r.answer(Answer::PolicyLoaded(Ok(Policy::default())));
    r.answer(Answer::Fetched(Ok(redemption(RedemptionStatus::Approved))));
    r.send(Action::Cancel);
    assert_eq!(r.cmds, vec![ask(Request::Cancel("rd-1".into()))]);
}

#[test]
fn reload_with_a_finished_redemption_says_how_it_ended() {
    let cases = [
        (
            Ok(redemption(RedemptionStatus::Committed)),
            Screen::Closed(Closed::AlreadyCommitted),
        ),
        (
            Ok(redemption(RedemptionStatus::Cancelled)),
            Screen::Closed(Closed::Cancelled),
        ),
        (Err(problem(ErrorCode::NotFound)), Screen::Bill),
    ];
    for (result, screen) in cases {
        let mut r = Run::new();
        r.send(Action::Start {
            terminal_token: None,
            pending_redemption: Some("rd-1".into()),
        });
        r.send(Action::SignIn {
            terminal_token: "t".into(),
            staff_code: "C001".into(),
            pin: "1234".into(),
        });
        r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
        r.answer(Answer::PolicyLoaded(Ok(Policy::default())));
        r.answer(Answer::Fetched(result));
        assert_eq!(r.screen(), screen);
        assert_eq!(r.cmds, vec![Cmd::RememberRedemption(None)]);
        assert!(r.f.device.pending_redemption.is_none());
    }
    // An open one whose hold lapsed while the page was gone.
    let mut r = Run::new();
    r.send(Action::Start {
        terminal_token: None,
        pending_redemption: Some("rd-1".into()),
    });
    r.send(Action::SignIn {
        terminal_token: "t".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
    r.answer(Answer::PolicyLoaded(Ok(Policy::default())));
    r.at(T0 + 2_000_000).answer(Answer::Fetched(Ok(redemption(
        RedemptionStatus::AwaitingOtp,
    ))));
    assert_eq!(r.screen(), Screen::Closed(Closed::Expired));
}

// ---- manager policy ----

#[test]
fn only_managers_open_the_policy() {
    let mut r = Run::signed_in();
    r.send(Action::OpenPolicy);
    assert_eq!(r.screen(), Screen::Bill);
    let mut r = Run::signed_in_with(Policy::default(), Role::Manager);
    r.send(Action::OpenPolicy);
    assert_eq!(r.screen(), Screen::Policy);
    r.send(Action::ClosePolicy);
    assert_eq!(r.screen(), Screen::Bill);
}

#[test]
fn policy_is_validated_locally_then_by_the_backend() {
    let mut r = Run::signed_in_with(Policy::default(), Role::Manager);
    r.send(Action::OpenPolicy);
    let mut bad = Policy::default();
    bad.otp_ttl_secs = 5;
    r.send(Action::SavePolicy(bad));
    assert!(r.cmds.is_empty());
    assert!(r
        .f
        .ui
        .policy_errors
        .iter()
        .any(|e| e.field == "otp_ttl_secs"));
    let mut good = Policy::default();
    good.otp_required = false;
    r.send(Action::SavePolicy(good.clone()));
    assert_eq!(r.cmds, vec![ask(Request::SavePolicy(good.clone()))]);
    let refusal: Problem = contract::policy::PolicyErrors(vec![PolicyError {
        field: "locale".into(),
        message: "unsupported".into(),
    }])
    .into();
    r.answer(Answer::PolicySaved(Err(BackendError::Problem(refusal))));
    assert_eq!(r.f.ui.policy_errors[0].field, "locale");
    r.send(Action::SavePolicy(good.clone()));
    r.answer(Answer::PolicySaved(Ok(good.clone())));
    assert_eq!(r.f.signed_in.policy, Some(good));
    assert_eq!(r.notice(), "Policy saved.");
    assert!(r.f.ui.policy_errors.is_empty());
}

#[test]
fn unreadable_policy_form_marks_its_fields() {
    let mut r = Run::signed_in_with(Policy::default(), Role::Manager);
    r.send(Action::OpenPolicy);
    let errs = vec![PolicyError {
        field: "point_value".into(),
        message: "Enter the amount as digits, e.g. 1250.50".into(),
    }];
    r.send(Action::PolicyFormInvalid(errs.clone()));
    assert!(r.cmds.is_empty());
    assert_eq!(r.f.ui.policy_errors, errs);
    assert_eq!(r.notice(), messages::for_code(ErrorCode::PolicyInvalid));
}

#[test]
fn policy_save_forbidden_is_explained() {
    let mut r = Run::signed_in_with(Policy::default(), Role::Manager);
    r.send(Action::OpenPolicy);
    r.send(Action::SavePolicy(Policy::default()));
    r.answer(Answer::PolicySaved(Err(problem(ErrorCode::Forbidden))));
    assert_eq!(r.notice(), "Only a manager can do that.");
}

#[test]
fn user_actions_clear_old_messages() {
    let mut r = Run::signed_in();
    r.send(Action::EnterBill {
        id: "".into(),
        total: "".into(),
    });
    assert!(r.f.ui.field_error.is_some());
    r.send(Action::EnterBill {
        id: "1".into(),
        total: "10".into(),
    });
    assert!(r.f.ui.field_error.is_none());
}

#[test]
fn commit_backoff_is_bounded() {
    assert_eq!(commit_backoff_ms(1), 1_000);
    assert_eq!(commit_backoff_ms(4), 8_000);
    assert_eq!(commit_backoff_ms(40), 16_000);
}

#[test]
fn every_closed_reason_explains_what_happened_to_the_points() {
    for c in [
        Closed::Locked,
        Closed::Expired,
        Closed::Cancelled,
        Closed::AlreadyCommitted,
        Closed::Reversed,
    ] {
        assert!(!c.title().is_empty());
        assert!(
            c.explanation().contains("redeem") || c.explanation().contains("balance"),
            "{c:?}"
        );
    }
}

mod modes;
