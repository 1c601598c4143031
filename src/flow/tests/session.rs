//! Signing in and out, an ended session, and resuming after a reload.

use super::*;

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

#[test]
fn sign_out_is_refused_while_committing() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k1".into(),
    });
    r.send(Action::SignOut);
    assert!(r.cmds.is_empty());
}

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
fn session_ending_during_search_or_balance_returns_to_sign_in() {
    for ended in [ErrorCode::SessionExpired, ErrorCode::Unauthenticated] {
        let mut r = Run::signed_in();
        r.bill("1", "10");
        r.send(Action::Search("Asha".into()));
        r.answer(Answer::Found(Err(problem(ended))));
        assert_eq!(r.screen(), Screen::SignIn, "{ended}: search");
        assert_eq!(r.notice(), messages::for_code(ended));

        let mut r = Run::signed_in();
        r.bill("1", "10");
        r.send(Action::ChooseCustomer("x".into()));
        r.answer(Answer::BalanceLoaded(Err(problem(ended))));
        assert_eq!(r.screen(), Screen::SignIn, "{ended}: balance");
        assert!(r.f.signed_in.session.is_none());
    }
}

#[test]
fn reload_resumes_an_open_redemption_after_sign_in() {
    let mut r = Run::reloaded();
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
fn reload_can_cancel_the_found_redemption() {
    let mut r = Run::reloaded();
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
        let mut r = Run::reloaded();
        r.answer(Answer::Fetched(result));
        assert_eq!(r.screen(), screen);
        assert_eq!(r.cmds, vec![Cmd::RememberRedemption(None)]);
        assert!(r.f.device.pending_redemption.is_none());
    }
    // An open one whose hold lapsed while the page was gone.
    let mut r = Run::reloaded();
    r.at(T0 + 2_000_000).answer(Answer::Fetched(Ok(redemption(
        RedemptionStatus::AwaitingOtp,
    ))));
    assert_eq!(r.screen(), Screen::Closed(Closed::Expired));
}
