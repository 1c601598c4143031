//! The sale: bill, voucher, customer search, balances, quantity and hold.

use super::*;

#[test]
fn bill_is_validated_with_the_policy_currency() {
    let mut r = Run::signed_in();
    r.bill("", "100");
    assert_eq!(
        r.field(),
        Some((Field::BillId, "Enter the bill number".into()))
    );
    r.bill("B 1", "100");
    assert_eq!(r.field().unwrap().0, Field::BillId);
    r.bill("123", "");
    assert_eq!(
        r.field(),
        Some((Field::BillTotal, "Enter the bill total".into()))
    );
    r.bill("123", "-5");
    assert_eq!(
        r.field(),
        Some((Field::BillTotal, "The amount cannot be negative".into()))
    );
    r.bill("123", "0");
    assert_eq!(
        r.field().unwrap().1,
        "The bill total must be more than zero"
    );
    r.bill("123", "10.555");
    assert_eq!(r.field().unwrap().1, "Use at most 2 decimals");
    assert_eq!(r.screen(), Screen::Bill);
    r.bill("123", "1,250.50");
    assert_eq!(r.screen(), Screen::Customer);
    assert_eq!(
        r.f.sale.purpose,
        Some(Purpose::Bill {
            bill: Bill::new(BillId::parse("123").unwrap(), inr(125_050)).unwrap()
        })
    );
    assert!(r.f.ui.field_error.is_none());
}

/// Seed 004 (issue 13): the voucher action is offered with the customer's balance, only to a
/// customer who can redeem something as a voucher; the bill it replaces is kept aside.
#[test]
fn the_voucher_action_is_only_for_a_customer_who_can_have_one() {
    let mut r = Run::signed_in();
    assert!(!r.f.can_print_voucher(), "no customer yet");
    r.bill("123", "1000");
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    assert!(r.f.can_print_voucher());
    r.send(Action::VoucherMode);
    assert_eq!(
        (r.screen(), r.f.sale.purpose.clone()),
        (Screen::Balance, Some(Purpose::Voucher))
    );
    assert!(!r.f.can_print_voucher(), "already a voucher");
    // "Change" brings the bill back to the form.
    r.send(Action::ChangeBill);
    assert_eq!((r.screen(), r.f.sale.purpose.clone()), (Screen::Bill, None));
    assert_eq!(r.f.bill_draft(), ("123".into(), "1000.00".into()));

    // A customer with only a gift card (which cannot become a voucher), or too little of
    // anything else, is not offered one.
    let mut r = Run::signed_in();
    r.bill("123", "1000");
    let mut poor = asha();
    poor.instruments
        .retain(|i| i.kind == InstrumentKind::GiftCard || i.kind == InstrumentKind::Points);
    for i in poor
        .instruments
        .iter_mut()
        .filter(|i| i.kind == InstrumentKind::Points)
    {
        i.available = 10; // below the minimum of 50
    }
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(poor)));
    assert!(!r.f.can_print_voucher());
    r.send(Action::VoucherMode);
    assert_eq!(
        r.f.sale
            .purpose
            .as_ref()
            .and_then(Purpose::bill)
            .map(|b| b.id().to_string()),
        Some("123".into()),
        "refused: the bill stays"
    );

    // No bill at all: the customer first; redeeming waits for the bill or a voucher.
    let mut r = Run::signed_in();
    r.send(Action::SkipBill);
    assert_eq!(
        (r.screen(), r.f.sale.purpose.clone()),
        (Screen::Customer, None)
    );
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    assert!(r.f.awaits_bill());
    r.send(Action::ChooseInstrument("pts-asha".into()));
    assert_eq!(r.screen(), Screen::Balance, "nothing to redeem on yet");
    r.send(Action::VoucherMode);
    r.send(Action::ChooseInstrument("pts-asha".into()));
    assert_eq!(r.screen(), Screen::Redeem);
}

#[test]
fn change_keeps_the_bill_in_the_form_to_correct() {
    let mut r = Run::signed_in();
    r.bill("INV-77", "₹1,250.50");
    assert_eq!(r.screen(), Screen::Customer);
    r.send(Action::ChangeBill);
    assert_eq!(r.screen(), Screen::Bill);
    assert_eq!(
        r.f.bill_draft(),
        ("INV-77".to_string(), "1250.50".to_string()),
        "the number and total stay, to correct rather than retype"
    );
    r.bill("INV-78", "1250.50");
    assert_eq!(r.screen(), Screen::Customer);
}

#[test]
fn user_actions_clear_old_messages() {
    let mut r = Run::signed_in();
    r.bill("", "");
    assert!(r.f.ui.field_error.is_some());
    r.bill("1", "10");
    assert!(r.f.ui.field_error.is_none());
}

#[test]
fn lookup_sends_what_the_backend_reads_and_explains_mistakes() {
    let field = |input: &str| {
        let mut r = Run::signed_in();
        r.bill("123", "1000");
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
    r.bill("123", "1000");
    r.send(Action::Search("12345678".into()));
    assert_eq!(r.cmds, vec![ask(Request::Search("12345678".into()))]);
    assert_eq!(r.field(), None);
}

#[test]
fn search_then_choose_customer_loads_balance() {
    let mut r = Run::signed_in();
    r.bill("123", "1000");
    r.send(Action::Search("123".into()));
    assert!(r.cmds.is_empty());
    assert_eq!(r.field().unwrap().0, Field::Query);
    r.send(Action::Search("Asha".into()));
    assert_eq!(r.cmds, vec![ask(Request::Search("Asha".into()))]);
    let mut other = asha().customer;
    other.id = "cus-asha-2".into();
    other.name = "Asha Menon".into();
    r.answer(Answer::Found(Ok(vec![asha().customer, other])));
    assert_eq!(r.f.sale.customers.as_ref().unwrap().len(), 2);
    assert_eq!(r.notice(), "2 customers found.");
    assert!(r.cmds.is_empty(), "two matches: the cashier chooses");
    r.send(Action::ChooseCustomer("cus-asha".into()));
    assert_eq!(r.cmds, vec![ask(Request::LoadBalance("cus-asha".into()))]);
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    assert_eq!(r.screen(), Screen::Balance);
}

/// Issue 13 (taps): a search with one match is that customer; their balances open at once.
#[test]
fn a_single_match_opens_the_customer_without_a_tap() {
    let mut r = Run::signed_in();
    r.bill("123", "1000");
    r.send(Action::Search("+91 98765 43210".into()));
    r.answer(Answer::Found(Ok(vec![asha().customer])));
    assert_eq!(r.notice(), "1 customer found: Asha Rao.");
    assert_eq!(r.cmds, vec![ask(Request::LoadBalance("cus-asha".into()))]);
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    assert_eq!(r.screen(), Screen::Balance);
    // Back to the search: the match is listed, and nothing opens by itself again.
    r.send(Action::BackToSearch);
    assert_eq!(r.screen(), Screen::Customer);
    assert!(r.cmds.is_empty());
    assert_eq!(r.f.sale.customers.as_ref().map(Vec::len), Some(1));
}

/// Issue 13 (taps): the channel is chosen with the quantity, and the hold sends the code by
/// it at once; a quantity that needs no code is not sent anything.
#[test]
fn holding_with_a_channel_sends_the_code_at_once() {
    let mut r = Run::at_redeem();
    assert!(r.f.sends_code_on_hold());
    r.send(Action::Hold {
        quantity: "500".into(),
        send: Some(Channel::Email),
    });
    r.answer(Answer::Created(Ok(redemption(
        RedemptionStatus::AwaitingOtp,
    ))));
    assert_eq!(r.screen(), Screen::Otp);
    assert_eq!(
        r.cmds,
        vec![
            Cmd::RememberRedemption(Some("rd-1".into())),
            ask(Request::SendOtp {
                id: "rd-1".into(),
                channel: Channel::Email
            })
        ]
    );
    assert_eq!(r.notice(), "Held. Sending the customer's code by Email…");
    assert!(r.f.redemption.code.send_tried);
    let now = r.now;
    r.answer(Answer::OtpSent(Ok(sent(now))));
    assert!(r.notice().starts_with("Code sent by"), "{}", r.notice());

    // Approved at once (no code needed): straight to Confirm, nothing sent.
    let mut r = Run::at_redeem();
    r.send(Action::Hold {
        quantity: "500".into(),
        send: Some(Channel::Sms),
    });
    r.answer(Answer::Created(Ok(redemption(RedemptionStatus::Approved))));
    assert_eq!(r.screen(), Screen::Confirm);
    assert_eq!(r.cmds, vec![Cmd::RememberRedemption(Some("rd-1".into()))]);
    assert_eq!(r.f.sale.send_on_hold, None);
}

/// The channel is offered with the quantity only where a code may be needed and the
/// customer can be reached.
#[test]
fn the_quantity_screen_offers_a_channel_only_where_a_code_may_be_needed() {
    let mut policy = Policy::default();
    policy.otp_required = false;
    let mut r = Run::signed_in_with(policy, Role::Cashier);
    r.bill("123", "1000");
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    r.send(Action::ChooseInstrument("pts-asha".into()));
    assert_eq!(r.screen(), Screen::Redeem);
    assert!(!r.f.sends_code_on_hold());
    let mut r = Run::signed_in();
    r.bill("123", "1000");
    let mut unreachable = asha();
    unreachable.customer.channels.clear();
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(unreachable)));
    r.send(Action::ChooseInstrument("pts-asha".into()));
    assert!(!r.f.sends_code_on_hold());
}

#[test]
fn search_results_that_are_stale_or_empty() {
    let mut r = Run::signed_in();
    r.bill("1", "10");
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
    r.bill("1", "10");
    r.send(Action::ChooseCustomer("x".into()));
    r.answer(Answer::BalanceLoaded(Err(problem(
        ErrorCode::CustomerNotFound,
    ))));
    assert_eq!(r.screen(), Screen::Customer);
    assert_eq!(r.notice(), messages::for_code(ErrorCode::CustomerNotFound));
}

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
    r.bill("1", "20");
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    r.send(Action::ChooseInstrument("pts-asha".into()));
    assert_eq!(r.screen(), Screen::Balance);
    assert_eq!(
        r.notice(),
        "This bill allows at most 20 points, and redeeming needs at least 50 points"
    );
    let mut r = Run::signed_in();
    r.send(Action::SkipBill);
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    r.send(Action::VoucherMode);
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
    r.bill("1", "2000");
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    r.send(Action::ChooseInstrument("pts-asha".into()));
    let words = r.f.words().unwrap();
    let msg = |s: &str| r.f.check(s).unwrap().unwrap_err().words(&words);
    assert_eq!(msg(""), "Enter how many to redeem");
    assert_eq!(msg("-5"), "The quantity cannot be negative");
    // Zero is below the minimum: the minimum is named, with its unit.
    assert_eq!(msg("0"), "Redeem at least 50 points");
    assert_eq!(msg("2.5"), "Use whole numbers only");
    assert_eq!(msg("abc"), "Use digits only, e.g. 500");
    assert_eq!(msg("99999999999999999"), "That number is far too large");
    assert_eq!(msg("10"), "Redeem at least 50 points");
    // More than the balance *and* the cap: the tighter limit (the cap, 1,000) is named.
    assert_eq!(
        msg("1300"),
        "A bill may take at most 1000.00 INR from loyalty: enter 1000 points or less"
    );
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
    r.send(Action::Hold {
        quantity: "abc".into(),
        send: None,
    });
    assert!(r.cmds.is_empty());
    assert_eq!(
        r.field(),
        Some((Field::Quantity, "Use digits only, e.g. 500".into()))
    );
    r.send(Action::Hold {
        quantity: " 500 ".into(),
        send: None,
    });
    assert_eq!(
        r.cmds,
        vec![ask(Request::Create(CreateRedemption {
            customer_id: "cus-asha".into(),
            instrument_id: "pts-asha".into(),
            quantity: Quantity::new(500).unwrap(),
            purpose: bill_purpose(),
        }))]
    );
    r.send(Action::Hold {
        quantity: "500".into(),
        send: None,
    });
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
    r.send(Action::Hold {
        quantity: "500".into(),
        send: None,
    });
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
    r.send(Action::Hold {
        quantity: "500".into(),
        send: None,
    });
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

#[test]
fn timers_follow_the_server_clock() {
    let mut r = Run::at_redeem();
    r.send(Action::Hold {
        quantity: "500".into(),
        send: None,
    });
    // Our clock is 5 s behind the server's.
    r.at(T0 - 5_000).answer(Answer::Created(Ok(redemption(
        RedemptionStatus::AwaitingOtp,
    ))));
    assert_eq!(r.f.signed_in.skew_ms, 5_000);
    assert_eq!(r.f.server_now(), T0);
    // Latency-sized differences are noise, not skew.
    let mut r = Run::at_redeem();
    r.send(Action::Hold {
        quantity: "500".into(),
        send: None,
    });
    r.at(T0 + 40).answer(Answer::Created(Ok(redemption(
        RedemptionStatus::AwaitingOtp,
    ))));
    assert_eq!(r.f.signed_in.skew_ms, 0);
}

/// Issue 12 item 5: below `otp_min_value` the app cannot promise "no code": the backend adds
/// the customer's earlier redemptions without a code on the bill and that day.
#[test]
fn s12_below_the_otp_minimum_the_app_does_not_promise_no_code() {
    let mut r = Run::at_redeem();
    assert!(
        !r.f.code_may_still_be_needed(),
        "every redemption needs a code"
    );
    let mut p = Policy::default();
    p.otp_min_value = inr(50_000);
    r.f.signed_in.policy = Some(p.clone());
    let checked = r.f.check("499").unwrap().unwrap();
    assert!(!checked.otp_required, "499 alone is below ₹500");
    assert!(r.f.code_may_still_be_needed());
    p.otp_instruments.clear();
    r.f.signed_in.policy = Some(p);
    assert!(
        !r.f.code_may_still_be_needed(),
        "points never need a code here"
    );
}

#[test]
fn the_balance_is_named_when_it_is_the_limit_that_binds() {
    let mut r = Run::signed_in();
    r.bill("1", "5000");
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    r.send(Action::ChooseInstrument("pts-asha".into()));
    let words = r.f.words().unwrap();
    let msg = |s: &str| r.f.check(s).unwrap().unwrap_err().words(&words);
    assert_eq!(
        msg("1300"),
        "Only 1200 points available: enter 1200 points or less"
    );
    // The same rule as the server words it (plain figures, no unit).
    assert_eq!(
        r.f.check("1300").unwrap().unwrap_err().to_string(),
        "Only 1200 available: enter 1200 or less"
    );
}
