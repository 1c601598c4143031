//! Self-service kiosk: who drives the flow, what they can reach, and forgetting the customer.

use super::*;

fn kiosk_session() -> Session {
    let mut s = session(Role::Cashier);
    s.staff.name = "Self-service (Kiosk 1)".into();
    s.terminal.mode = TerminalMode::Kiosk;
    s
}

fn kiosk(policy: Policy) -> Run {
    let mut r = Run::with(Flow::for_mode(Mode::Kiosk, vec![]));
    r.send(Action::Start {
        terminal_token: Some("demo-kiosk-1".into()),
        pending_redemption: None,
    });
    r.answer(Answer::SignedIn(Ok(kiosk_session())));
    r.answer(Answer::PolicyLoaded(Ok(policy)));
    r
}

fn kiosk_at_balance() -> Run {
    kiosk_at_balance_with(Policy::default())
}

fn kiosk_at_balance_with(policy: Policy) -> Run {
    let mut r = kiosk(policy);
    r.send(Action::KioskIdentify("98765 43210".into()));
    let now = r.now;
    r.answer(Answer::KioskCodeSent(Ok(sent(now))));
    r.send(Action::KioskVerify("123456".into()));
    r.answer(Answer::KioskVerified(Ok(asha())));
    r
}

#[test]
fn a_kiosk_opens_its_self_service_session_by_itself() {
    let mut r = Run::with(Flow::for_mode(Mode::Kiosk, vec![]));
    r.send(Action::Start {
        terminal_token: Some("demo-kiosk-1".into()),
        pending_redemption: None,
    });
    assert_eq!(
        r.cmds,
        vec![ask(Request::SignIn {
            terminal_token: "demo-kiosk-1".into(),
            body: SignIn {
                staff_code: String::new(),
                pin: String::new()
            }
        })]
    );
    r.answer(Answer::SignedIn(Ok(kiosk_session())));
    r.answer(Answer::PolicyLoaded(Ok(Policy::default())));
    assert_eq!(r.screen(), Screen::KioskStart);
    assert_eq!(r.f.sale.purpose, Some(Purpose::Voucher));
}

/// Drift bug: the kiosk refused a numeric loyalty card number as "not a valid mobile".
#[test]
fn a_numeric_card_number_identifies_at_the_kiosk() {
    let mut r = kiosk(Policy::default());
    r.send(Action::KioskIdentify("12345678".into()));
    assert_eq!(r.field(), None);
    assert_eq!(
        r.cmds,
        vec![ask(Request::KioskIdentify(KioskIdentify {
            query: "12345678".into(),
            channel: None
        }))]
    );
}

#[test]
fn the_customer_must_prove_the_number_before_seeing_anything() {
    let mut r = kiosk(Policy::default());
    r.send(Action::KioskIdentify("Asha".into()));
    assert!(r.cmds.is_empty(), "a kiosk never searches by name");
    assert_eq!(r.field().unwrap().0, Field::Query);
    r.send(Action::KioskIdentify("+91 98765 43210".into()));
    assert_eq!(
        r.cmds,
        vec![ask(Request::KioskIdentify(KioskIdentify {
            query: "+91 98765 43210".into(),
            channel: None
        }))]
    );
    let now = r.now;
    r.answer(Answer::KioskCodeSent(Ok(sent(now))));
    assert_eq!(r.screen(), Screen::KioskCode);
    assert!(r.f.sale.balance.is_none());
    r.send(Action::KioskVerify("12a456".into()));
    assert!(r.cmds.is_empty(), "a malformed code costs no attempt");
    r.send(Action::KioskVerify("123456".into()));
    assert!(matches!(
        r.cmds.as_slice(),
        [Cmd::Ask(_, Request::KioskVerify(_))]
    ));
    let mut wrong = Problem::new(ErrorCode::OtpInvalid);
    wrong.attempts_left = Some(2);
    r.answer(Answer::KioskVerified(Err(BackendError::Problem(wrong))));
    assert_eq!(r.f.code().attempts_left, Some(2));
    assert_eq!(r.screen(), Screen::KioskCode);
    // The customer typed it: spoken to as the customer, not as a cashier (issue 13).
    assert_eq!(
        r.f.ui.field_error.as_ref().map(|e| e.text.as_str()),
        Some("That code is not right: 2 tries left. Check the message we sent and type it again.")
    );
    r.send(Action::KioskVerify("654321".into()));
    r.answer(Answer::KioskVerified(Ok(asha())));
    assert_eq!(r.screen(), Screen::Balance);
    assert_eq!(r.notice(), "Welcome, Asha.");
    let kinds = r.kinds();
    assert!(
        !kinds.contains(&InstrumentKind::GiftCard),
        "a gift card cannot become a voucher"
    );
    assert!(kinds.contains(&InstrumentKind::Package));
}

#[test]
fn an_unknown_number_is_said_plainly_and_a_locked_code_starts_over() {
    let mut r = kiosk(Policy::default());
    r.send(Action::KioskIdentify("9876543211".into()));
    r.answer(Answer::KioskCodeSent(Err(problem(
        ErrorCode::CustomerNotFound,
    ))));
    assert_eq!(r.screen(), Screen::KioskStart);
    assert!(r.field().unwrap().1.contains("could not find that number"));
    r.send(Action::KioskIdentify("9876543210".into()));
    let now = r.now;
    r.answer(Answer::KioskCodeSent(Ok(sent(now))));
    r.send(Action::KioskVerify("111111".into()));
    r.answer(Answer::KioskVerified(Err(problem(ErrorCode::OtpLocked))));
    assert_eq!(r.screen(), Screen::KioskStart);
    assert_eq!(r.cmds, vec![Cmd::KioskForget]);
    assert!(r.notice().starts_with("Too many wrong codes"));
    assert!(r.f.kiosk.sent.is_none() && r.f.kiosk.query.is_empty());
}

#[test]
fn a_kiosk_turns_a_benefit_into_a_voucher_and_forgets_the_customer_when_done() {
    let mut r = kiosk_at_balance();
    r.send(Action::ChooseInstrument("pkg-spa".into()));
    assert_eq!(r.screen(), Screen::Redeem);
    r.send(Action::Hold {
        quantity: "1".into(),
        send: None,
    });
    let Some(Cmd::Ask(_, Request::Create(body))) = r.cmds.first().cloned() else {
        panic!("{:?}", r.cmds)
    };
    assert_eq!(body.purpose, Purpose::Voucher);
    // S3 at the kiosk: the voucher's own code goes where the customer proved their contact,
    // without another tap; it states the amount.
    let mut held = redemption(RedemptionStatus::AwaitingOtp);
    held.purpose = Purpose::Voucher;
    r.answer(Answer::Created(Ok(held)));
    assert_eq!(r.screen(), Screen::Otp);
    assert_eq!(
        r.cmds[1..],
        [ask(Request::SendOtp {
            id: "rd-1".into(),
            channel: Channel::Sms
        })]
    );
    let now = r.now;
    r.answer(Answer::OtpSent(Ok(sent(now))));
    assert!(r
        .notice()
        .starts_with("We sent a code for this voucher by SMS"));
    r.send(Action::Verify("654321".into()));
    let mut approved = redemption(RedemptionStatus::Approved);
    approved.purpose = Purpose::Voucher;
    r.answer(Answer::Verified(Ok(approved)));
    assert_eq!(r.screen(), Screen::Confirm);
    r.send(Action::Confirm {
        fresh_key: "k1".into(),
    });
    let mut rc = receipt();
    rc.purpose = Purpose::Voucher;
    r.answer(Answer::Committed(Ok(rc)));
    assert_eq!(r.screen(), Screen::Receipt);
    assert!(
        !r.cmds.iter().any(|c| matches!(c, Cmd::Notify(_))),
        "only a widget notifies a host"
    );
    let epoch = r.f.ui.epoch;
    r.send(Action::NextCustomer);
    assert_eq!(r.screen(), Screen::KioskStart);
    assert_eq!(r.cmds, vec![Cmd::KioskForget]);
    assert!(
        r.f.sale.balance.is_none()
            && r.f.redemption.receipt.is_none()
            && r.f.redemption.intent.is_none()
    );
    assert!(
        r.f.ui.epoch > epoch,
        "the screen is rebuilt, dropping typed text"
    );
    assert!(
        r.f.signed_in.session.is_some(),
        "the kiosk stays ready for the next customer"
    );
}

#[test]
fn an_idle_kiosk_clears_itself_after_the_policy_time_and_warns_first() {
    let mut p = Policy::default();
    p.kiosk_idle_secs = 60;
    let mut r = kiosk_at_balance_with(p);
    assert_eq!(r.f.idle_seconds_left(), Some(60));
    r.at(T0 + 30_000).send(Action::Activity);
    r.at(T0 + 80_000).send(Msg::Tick);
    assert_eq!(r.screen(), Screen::Balance, "a touch postponed the reset");
    assert_eq!(r.f.idle_seconds_left(), Some(10));
    assert_eq!(r.f.idle_warning(), Some(10), "warned in the last 15 s");
    r.at(T0 + 70_000).send(Action::Activity);
    assert_eq!(r.f.idle_warning(), None, "a touch takes the warning away");
    r.at(T0 + 130_000).send(Msg::Tick);
    assert_eq!(r.screen(), Screen::KioskStart);
    assert_eq!(r.cmds, vec![Cmd::KioskForget]);
    assert!(
        r.f.sale.balance.is_none(),
        "the customer's data is gone from the state"
    );
    assert_eq!(r.f.idle_seconds_left(), None, "nothing left to clear");
    r.at(T0 + 500_000).send(Msg::Tick);
    assert!(r.cmds.is_empty());
}

#[test]
fn an_idle_kiosk_never_clears_during_a_commit() {
    let mut p = Policy::default();
    p.kiosk_idle_secs = 30;
    let mut r = kiosk_at_balance_with(p);
    r.send(Action::ChooseInstrument("pts-asha".into()));
    r.send(Action::Hold {
        quantity: "100".into(),
        send: None,
    });
    r.answer(Answer::Created(Ok(redemption(RedemptionStatus::Approved))));
    r.send(Action::Confirm {
        fresh_key: "k".into(),
    });
    r.at(T0 + 120_000).send(Msg::Tick);
    assert_eq!(
        r.screen(),
        Screen::Confirm,
        "the outcome must be known first"
    );
}

#[test]
fn no_staff_control_works_on_a_kiosk() {
    let mut p = Policy::default();
    p.override_enabled = true;
    let mut r = kiosk_at_balance();
    r.f.signed_in.policy = Some(p);
    r.send(Action::SignOut);
    assert!(r.cmds.is_empty());
    assert!(!r.f.offers_back_office());
    r.f.ui.screen = Screen::Otp;
    r.send(Action::OpenOverride);
    assert_eq!(r.screen(), Screen::Otp, "no manager override on a kiosk");
}

#[test]
fn an_ended_kiosk_session_signs_itself_in_again() {
    let mut r = kiosk_at_balance();
    // After a cancelled voucher the kiosk reads the customer's balance again.
    match r.f.kiosk_back_to_balance().as_slice() {
        [Cmd::Ask(id, Request::LoadBalance(_))] => r.requests.push(*id),
        other => panic!("the balance is read again: {other:?}"),
    }
    r.answer(Answer::BalanceLoaded(Err(problem(
        ErrorCode::SessionExpired,
    ))));
    assert_eq!(r.screen(), Screen::SignIn);
    assert!(r.f.sale.balance.is_none());
    assert!(matches!(
        r.cmds.as_slice(),
        [Cmd::Ask(_, Request::SignIn { .. })]
    ));
    assert_eq!(r.f.mode(), Mode::Kiosk);
}

#[test]
fn a_kiosk_whose_customer_lapsed_at_the_backend_starts_clean() {
    let mut r = kiosk_at_balance();
    r.send(Action::ChooseInstrument("pts-asha".into()));
    r.send(Action::Hold {
        quantity: "100".into(),
        send: None,
    });
    r.answer(Answer::Created(Err(problem(ErrorCode::Forbidden))));
    assert_eq!(r.screen(), Screen::KioskStart);
    assert!(r.f.sale.balance.is_none());
    assert!(
        r.notice().contains("signed out after a while"),
        "{}",
        r.notice()
    );
    assert_eq!(r.cmds, vec![Cmd::KioskForget]);
}

#[test]
fn a_kiosk_set_up_with_a_tills_token_says_so_at_the_token() {
    let mut r = Run::with(Flow::for_mode(Mode::Kiosk, vec![]));
    r.send(Action::SignIn {
        terminal_token: "demo-till-1".into(),
        staff_code: String::new(),
        pin: String::new(),
    });
    r.answer(Answer::SignedIn(Err(problem(ErrorCode::SignInFailed))));
    assert_eq!(r.screen(), Screen::SignIn);
    let err =
        r.f.ui
            .field_error
            .clone()
            .expect("a message the staff can see");
    assert_eq!(err.field, Field::Terminal, "a kiosk shows no PIN field");
    assert_eq!(
        err.text,
        "This token is not a kiosk's (staff sign in there): use the token made for this kiosk."
    );
    // Any other failure is also said at the token, never at a field the kiosk does not show.
    r.send(Action::SignIn {
        terminal_token: "demo-kiosk-1".into(),
        staff_code: String::new(),
        pin: String::new(),
    });
    r.answer(Answer::SignedIn(Err(problem(ErrorCode::RateLimited))));
    assert_eq!(
        r.f.ui.field_error.as_ref().map(|e| e.field),
        Some(Field::Terminal)
    );
}
