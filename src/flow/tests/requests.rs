//! The flow's own machinery: one request waited for at a time (late answers change nothing),
//! the one reset rule, and what each mode allows.

use super::*;

/// One answer of every kind.
fn every_answer() -> Vec<Answer> {
    vec![
        Answer::SignedIn(Ok(session(Role::Manager))),
        Answer::SignedOut,
        Answer::PolicyLoaded(Ok(Policy::default())),
        Answer::PolicySaved(Err(problem(ErrorCode::Forbidden))),
        Answer::Found(Ok(vec![asha().customer])),
        Answer::BalanceLoaded(Ok(asha())),
        Answer::Created(Ok(redemption(RedemptionStatus::Approved))),
        Answer::Fetched(Ok(redemption(RedemptionStatus::Committed))),
        Answer::OtpSent(Ok(sent(T0))),
        Answer::Verified(Ok(redemption(RedemptionStatus::Approved))),
        Answer::Overridden(Err(problem(ErrorCode::SessionExpired))),
        Answer::Committed(Ok(receipt())),
        Answer::Cancelled(Ok(redemption(RedemptionStatus::Cancelled))),
        Answer::KioskCodeSent(Ok(sent(T0))),
        Answer::KioskVerified(Ok(asha())),
    ]
}

#[test]
fn a_late_answer_of_any_kind_changes_nothing() {
    let flows = [
        Run::new(),
        Run::signed_in(),
        Run::at_balance(),
        Run::with_code_sent(),
        Run::at_confirm(),
    ];
    for r in flows {
        // Answered already, and never issued.
        for stale in [r.last_request_or_none(), ReqId::default()] {
            for answer in every_answer() {
                let mut late = Run::with(r.f.clone());
                let what = format!("{answer:?}");
                late.answer_to(stale, answer);
                assert!(late.cmds.is_empty(), "{what}");
                let mut before = r.f.clone();
                before.now_ms = late.now; // the clock is all a message always moves
                assert_eq!(late.f, before, "{what} changed the flow");
            }
        }
    }
}

#[test]
fn the_request_waited_for_is_still_heard_after_late_ones() {
    let mut r = Run::with_code_sent();
    let earlier = r.last_request();
    r.send(Action::Verify("123456".into()));
    assert_eq!(r.f.busy(), Some(Call::Verify));
    r.answer_to(
        earlier,
        Answer::Verified(Err(problem(ErrorCode::OtpLocked))),
    );
    assert_eq!(r.screen(), Screen::Otp);
    assert_eq!(r.f.busy(), Some(Call::Verify), "still waiting");
    r.answer(Answer::Verified(Ok(redemption(RedemptionStatus::Approved))));
    assert_eq!(r.screen(), Screen::Confirm);
    assert_eq!(r.f.busy(), None);
}

#[test]
fn a_reset_forgets_the_request_waited_for() {
    // A kiosk customer walks away while their code is being sent.
    let mut p = Policy::default();
    p.kiosk_idle_secs = 60;
    let mut r = Run::with(Flow::for_mode(Mode::Kiosk, vec![]));
    r.send(Action::Start {
        terminal_token: Some("demo-kiosk-1".into()),
        pending_redemption: None,
    });
    r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
    r.answer(Answer::PolicyLoaded(Ok(p)));
    r.send(Action::KioskIdentify("98765 43210".into()));
    let identify = r.last_request();
    r.send(Action::KioskDone);
    assert_eq!(r.f.busy(), None);
    r.answer_to(identify, Answer::KioskCodeSent(Ok(sent(T0))));
    assert_eq!(
        r.screen(),
        Screen::KioskStart,
        "the next customer sees no code screen"
    );
    assert!(r.f.kiosk.sent.is_none());
}

#[test]
fn request_ids_are_not_reused_after_a_reset() {
    let mut r = Run::signed_in();
    let before = r.last_request();
    r.send(Action::SignOut);
    r.answer(Answer::SignedOut);
    r.send(Action::SignIn {
        terminal_token: "demo-till-1".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    assert_ne!(r.last_request(), before);
    r.answer_to(
        before,
        Answer::SignedIn(Err(problem(ErrorCode::SignInFailed))),
    );
    assert_eq!(
        r.field(),
        None,
        "the old request's answer is not this one's"
    );
}

#[test]
fn each_reset_replaces_whole_parts() {
    let mut r = Run::at_otp();
    let (place, device) = (r.f.place.clone(), r.f.device.clone());
    let epoch = r.f.ui.epoch;
    r.f.reset(state::Reset::Customer);
    assert_eq!(r.f.sale.purpose, Some(bill_purpose()), "the bill stays");
    assert!(r.f.sale.balance.is_none() && r.f.redemption == RedemptionState::default());
    assert_eq!(r.f.ui.epoch, epoch, "the screen keeps what was typed");
    r.f.reset(state::Reset::Sale);
    assert_eq!(r.f.sale, Sale::default(), "a typed bill goes with the sale");
    assert!(r.f.signed_in.session.is_some());
    r.f.reset(state::Reset::Session);
    assert_eq!((r.f.place.clone(), r.f.device.clone()), (place, device));
    assert_eq!(r.f.signed_in, SignedIn::default());
    assert_eq!(r.f.ui.screen, Screen::SignIn);
    assert!(r.f.ui.epoch > epoch);

    // A host's bill survives every reset; a kiosk's sales are always vouchers.
    let mut r = Run::with(Flow::for_mode(Mode::Widget, vec![]));
    let bill = host_bill(5_000);
    r.send(Action::HostBill(bill.clone()));
    r.f.reset(state::Reset::Session);
    assert_eq!(r.f.sale.purpose, Some(Purpose::Bill { bill }));
    let mut k = Flow::for_mode(Mode::Kiosk, vec![]);
    k.reset(state::Reset::Visit);
    assert_eq!(k.sale.purpose, Some(Purpose::Voucher));
}

#[test]
fn what_each_mode_allows() {
    use Mode::*;
    let facts = |m: Mode| {
        [
            m.staff_sign_in(),
            m.self_service(),
            m.sells(),
            m.has_bill(),
            m.manager_override(),
            m.managers_only(),
            m.links_back_office(),
            m.remembers_pending(),
            m.remembers_terminal(),
            m.idle_reset(),
            m.embedded(),
        ]
    };
    assert_eq!(
        facts(Pos),
        [true, false, true, true, true, false, true, true, true, false, false]
    );
    assert_eq!(
        facts(Kiosk),
        [false, true, true, false, false, false, false, false, true, true, false]
    );
    assert_eq!(
        facts(Widget),
        [true, false, true, true, true, false, false, false, false, false, true]
    );
    assert_eq!(
        facts(BackOffice),
        [true, false, false, false, false, true, false, false, true, false, false]
    );
}

#[test]
fn the_screens_ask_the_flow_what_can_be_tapped() {
    let mut p = Policy::default();
    p.override_enabled = true;
    let mut r = Run::signed_in_with(p.clone(), Role::Manager);
    assert!(r.f.offers_back_office() && r.f.can_change_bill());
    r.bill("123", "1000");
    r.send(Action::ChooseCustomer("cus-asha".into()));
    assert!(!r.f.can_cancel(), "a call is in flight");
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    r.send(Action::ChooseInstrument("pts-asha".into()));
    r.send(Action::Hold {
        quantity: "500".into(),
        send: None,
    });
    r.answer(Answer::Created(Ok(redemption(
        RedemptionStatus::AwaitingOtp,
    ))));
    assert!(!r.f.offers_back_office(), "a hold is open");
    assert!(!r.f.can_change_bill() && r.f.can_cancel());
    assert!(
        !r.f.can_override(),
        "the customer cannot have missed a code nobody sent"
    );
    r.send(Action::SendOtp(Channel::Sms));
    assert!(r.f.can_override(), "a send was tried (it may fail)");
    r.answer(Answer::OtpSent(Ok(sent(T0))));
    r.send(Action::Verify("123456".into()));
    r.answer(Answer::Verified(Ok(redemption(RedemptionStatus::Approved))));
    assert!(r.f.can_confirm() && r.f.can_sign_out());
    r.send(Action::Confirm {
        fresh_key: "k".into(),
    });
    assert!(!r.f.can_confirm() && !r.f.can_cancel() && !r.f.can_sign_out());

    let mut k = Run::with(Flow::for_mode(Mode::Kiosk, vec![]));
    k.f.signed_in.session = Some(session(Role::Manager));
    k.f.signed_in.policy = Some(p);
    assert!(!k.f.offers_back_office() && !k.f.can_override() && !k.f.can_sign_out());
    assert!(!k.f.can_change_bill(), "a kiosk has no bill");
}
