//! Widget mode: the host's bill, its allowed instruments, and what the host hears.

use super::*;

#[test]
fn host_bill_given_before_sign_in_is_used_after_it() {
    let mut r = Run::with(Flow::for_mode(Mode::Widget, vec![]));
    r.send(Action::HostBill(host_bill(5_000)));
    r.sign_in();
    assert_eq!(r.screen(), Screen::Customer);
    assert!(r.f.place.host_bill.is_some());
}

#[test]
fn host_bill_skips_the_bill_screen_and_cannot_be_changed() {
    let mut r = Run::with(Flow::for_mode(Mode::Widget, vec![]));
    r.sign_in();
    r.send(Action::HostBill(host_bill(5_000)));
    assert_eq!(r.screen(), Screen::Customer);
    r.send(Action::ChangeBill);
    assert_eq!(r.screen(), Screen::Customer);
}

fn widget(kinds: Vec<InstrumentKind>) -> Run {
    let mut r = Run::with(Flow::for_mode(Mode::Widget, kinds));
    r.send(Action::Start {
        terminal_token: Some("demo-till-2".into()),
        pending_redemption: None,
    });
    r.send(Action::HostBill(host_bill(250_000)));
    r.sign_in_on("demo-till-2", Policy::default(), Role::Cashier);
    r
}

fn host_events(cmds: &[Cmd]) -> Vec<HostEvent> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Notify(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_widget_tells_the_host_what_was_redeemed() {
    let mut r = widget(vec![]);
    assert_eq!(
        r.screen(),
        Screen::Customer,
        "the host's bill skips the bill screen"
    );
    r.hold_500(RedemptionStatus::Approved);
    r.send(Action::Confirm {
        fresh_key: "k".into(),
    });
    r.answer(Answer::Committed(Ok(receipt())));
    let events = host_events(&r.cmds);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.outcome, Outcome::Redeemed);
    assert_eq!(e.bill_id.as_deref(), Some("INV-9"));
    let red = e.redemption.as_ref().unwrap();
    assert_eq!(
        (red.id.as_str(), red.quantity.get(), red.value.minor()),
        ("rd-1", 500, 50_000)
    );
    assert_eq!(red.instrument_kind, InstrumentKind::Points);
}

#[test]
fn a_widget_reports_cancelled_and_failed() {
    let mut r = widget(vec![]);
    r.send(Action::Close);
    let e = host_events(&r.cmds);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].outcome, Outcome::Cancelled);
    assert!(e[0].redemption.is_none());

    let mut r = widget(vec![]);
    r.hold_500(RedemptionStatus::AwaitingOtp);
    r.send(Action::Close);
    assert_eq!(
        r.cmds,
        vec![ask(Request::Cancel("rd-1".into()))],
        "an open hold is released first"
    );
    r.answer(Answer::Cancelled(Ok(redemption(
        RedemptionStatus::Cancelled,
    ))));
    let e = host_events(&r.cmds);
    assert_eq!(e[0].outcome, Outcome::Cancelled);
    assert_eq!(e[0].redemption.as_ref().unwrap().id, "rd-1");

    let mut r = widget(vec![]);
    r.hold_500(RedemptionStatus::AwaitingOtp);
    r.send(Action::SendOtp(Channel::Sms));
    let now = r.now;
    r.answer(Answer::OtpSent(Ok(sent(now))));
    r.send(Action::Verify("111111".into()));
    r.answer(Answer::Verified(Err(problem(ErrorCode::OtpLocked))));
    let e = host_events(&r.cmds);
    assert_eq!(e[0].outcome, Outcome::Failed);
    assert_eq!(e[0].reason.as_deref(), Some("Redemption locked"));
}

#[test]
fn a_widget_shows_only_the_instruments_the_host_allows() {
    let mut r = widget(vec![InstrumentKind::Package, InstrumentKind::Membership]);
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    let kinds = r.kinds();
    assert_eq!(
        kinds,
        vec![InstrumentKind::Package, InstrumentKind::Membership]
    );
    r.send(Action::ChooseInstrument("pts-asha".into()));
    assert_eq!(r.screen(), Screen::Balance, "points are not offered here");
}

#[test]
fn a_signed_out_widget_keeps_the_hosts_bill_and_limits() {
    let mut r = widget(vec![InstrumentKind::Points]);
    r.send(Action::SignOut);
    r.answer(Answer::SignedOut);
    assert_eq!(r.f.mode(), Mode::Widget);
    assert!(r.f.place.host_bill.is_some());
    assert_eq!(r.f.place.allowed_kinds, vec![InstrumentKind::Points]);
    assert!(matches!(r.f.sale.purpose, Some(Purpose::Bill { .. })));
}

/// A receipt for 500 points (₹500.00) on `bill`, with the backend's figure for the bill if any.
fn receipt_on(bill: Bill, bill_redeemed: Option<u64>) -> Receipt {
    Receipt {
        purpose: Purpose::Bill { bill },
        bill_redeemed: bill_redeemed.map(inr),
        ..receipt()
    }
}

/// Issue 12 item 3: the widget's "Redeem more" reused the original total, so a second
/// redemption could take the whole bill again.
#[test]
fn s12_redeem_more_in_a_widget_continues_on_what_is_left_of_the_bill() {
    let mut r = Run::with(Flow::for_mode(Mode::Widget, vec![]));
    r.send(Action::Start {
        terminal_token: Some("demo-till-2".into()),
        pending_redemption: None,
    });
    r.send(Action::HostBill(host_bill(100_000)));
    r.sign_in_on("demo-till-2", Policy::default(), Role::Cashier);
    assert_eq!(r.f.bill_left(), None, "nothing redeemed on the bill yet");
    r.hold_500(RedemptionStatus::Approved);
    r.send(Action::Confirm {
        fresh_key: "k".into(),
    });
    r.answer(Answer::Committed(Ok(receipt_on(host_bill(100_000), None))));
    assert_eq!(r.f.bill_left(), Some(inr(50_000)), "₹1,000 less ₹500");

    // "Redeem more": the same host bill, with ₹500 left to pay.
    r.send(Action::NextCustomer);
    assert_eq!(r.screen(), Screen::Customer);
    assert_eq!(r.f.bill_left(), Some(inr(50_000)));
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    r.send(Action::ChooseInstrument("pts-asha".into()));
    let range = r.f.allowed_range().unwrap().unwrap();
    assert_eq!(
        (range.max, range.limited_by),
        (500, contract::Limit::Bill),
        "not the original 1,000"
    );
    r.send(Action::Hold {
        quantity: "600".into(),
        send: None,
    });
    assert_eq!(
        r.field(),
        Some((
            Field::Quantity,
            "Only 500.00 INR of the bill of 1000.00 INR is left to pay: enter 500 points or less"
                .into()
        ))
    );
    assert!(r.cmds.is_empty(), "nothing is asked of the backend");

    // The backend's figure covers other tills' redemptions on the bill too: it wins.
    r.send(Action::Hold {
        quantity: "500".into(),
        send: None,
    });
    r.answer(Answer::Created(Ok(Redemption {
        status: RedemptionStatus::Approved,
        purpose: Purpose::Bill {
            bill: host_bill(100_000),
        },
        ..redemption(RedemptionStatus::Approved)
    })));
    r.send(Action::Confirm {
        fresh_key: "k2".into(),
    });
    r.answer(Answer::Committed(Ok(receipt_on(
        host_bill(100_000),
        Some(100_000),
    ))));
    r.send(Action::NextCustomer);
    assert_eq!(r.f.bill_left(), Some(inr(0)));
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    assert_eq!(
        r.f.range_for(&asha().instruments[0]),
        Some(Err(contract::RuleError::BillCovered {
            limited_by: contract::Limit::Bill,
            bill_total: inr(100_000)
        }))
    );
}

/// What was redeemed on a bill goes with the bill: kept for another customer on it, gone
/// with a new bill.
#[test]
fn s12_the_amount_redeemed_on_a_bill_goes_with_the_bill() {
    let mut r = Run::at_confirm();
    r.send(Action::Confirm {
        fresh_key: "k".into(),
    });
    r.answer(Answer::Committed(Ok(receipt())));
    assert_eq!(r.f.bill_left(), Some(inr(50_000)), "bill 123 of ₹1,000");
    // A receipt for another bill (a late one from a reload) changes nothing here.
    r.f.count_on_bill(&receipt_on(host_bill(100_000), Some(90_000)));
    assert_eq!(r.f.bill_left(), Some(inr(50_000)));
    // Typing the same bill again keeps it; another bill starts from nothing.
    r.f.ui.screen = Screen::Bill;
    r.bill("123", "1000");
    assert_eq!(r.f.bill_left(), Some(inr(50_000)));
    r.bill("124", "1000");
    assert_eq!(r.f.bill_left(), None);
    assert_eq!(r.f.sale.bill_redeemed_minor, 0);
}

/// What a widget asked to keep of the session (the last such command of the last message).
fn kept(cmds: &[Cmd]) -> Option<Option<String>> {
    cmds.iter().rev().find_map(|c| match c {
        Cmd::KeepSession(s) => Some(s.as_ref().map(|s| s.staff.name.clone())),
        _ => None,
    })
}

/// Issue 13: at the appointment book the front desk signs in once, not for every invoice.
/// The session is kept in memory for the next widget on the terminal, until sign-out or the
/// backend ends it.
#[test]
fn a_widget_keeps_the_front_desk_signed_in_across_invoices() {
    // Signing in keeps the session.
    let mut r = Run::with(Flow::for_mode(Mode::Widget, vec![]));
    r.send(Action::Start {
        terminal_token: Some("demo-till-2".into()),
        pending_redemption: None,
    });
    r.send(Action::SignIn {
        terminal_token: "demo-till-2".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
    let name = session(Role::Cashier).staff.name;
    assert_eq!(kept(&r.cmds), Some(Some(name.clone())));

    // The next invoice's widget starts with it: no sign-in, straight to the customer.
    let mut next = Run::with(Flow::for_mode(Mode::Widget, vec![]));
    next.send(Action::Start {
        terminal_token: Some("demo-till-2".into()),
        pending_redemption: None,
    });
    next.send(Action::HostBill(host_bill(90_000)));
    next.send(Action::KeptSession(Box::new(session(Role::Cashier))));
    assert_eq!(next.cmds, vec![ask(Request::LoadPolicy)]);
    next.answer(Answer::PolicyLoaded(Ok(Policy::default())));
    assert_eq!(next.screen(), Screen::Customer);

    // Signing out forgets it.
    next.send(Action::SignOut);
    next.answer(Answer::SignedOut);
    assert_eq!(next.screen(), Screen::SignIn);
    assert_eq!(kept(&next.cmds), Some(None));

    // A kept session the backend has ended (its idle limit): sign in again, and forget it.
    let mut late = Run::with(Flow::for_mode(Mode::Widget, vec![]));
    late.send(Action::KeptSession(Box::new(session(Role::Cashier))));
    late.answer(Answer::PolicyLoaded(Err(problem(
        ErrorCode::SessionExpired,
    ))));
    assert_eq!(late.screen(), Screen::SignIn);
    assert_eq!(late.f.signed_in.session, None);
    assert_eq!(kept(&late.cmds), Some(None));
    assert!(late.notice().contains("sign in again"), "{}", late.notice());
}

/// The till keeps nothing: its sign-in is its own, and a kept session means nothing there.
#[test]
fn only_a_widget_keeps_a_session() {
    let mut r = Run::new();
    r.send(Action::SignIn {
        terminal_token: "demo-till-1".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
    assert_eq!(kept(&r.cmds), None);
    let mut till = Run::new();
    till.send(Action::KeptSession(Box::new(session(Role::Cashier))));
    assert!(till.cmds.is_empty());
    assert_eq!(till.f.signed_in.session, None);
}
