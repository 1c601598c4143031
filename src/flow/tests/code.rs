//! The customer's code: send, resend, verify, override; what a late answer changes.

use super::*;

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
fn s3_a_code_sent_after_a_message_with_the_amount_says_so() {
    let mut r = Run::at_otp();
    r.send(Action::SendOtp(Channel::Sms));
    let now = r.now;
    let apart = OtpSent {
        amount_first: Some(true),
        delivery: None,
        ..sent(now)
    };
    r.answer(Answer::OtpSent(Ok(apart)));
    assert_eq!(
        r.notice(),
        "Code sent by SMS to +91 ••••••3210. The amount went first in a message of its own; the code is in the second. Ask the customer to read it out."
    );
    // Without it, the notice says nothing of a first message.
    let r = Run::with_code_sent();
    assert!(!r.notice().contains("first"), "{}", r.notice());
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

#[test]
fn override_needs_policy_credentials_and_reason() {
    let mut r = Run::with_code_sent();
    r.send(Action::OpenOverride);
    assert_eq!(r.screen(), Screen::Otp, "override is off by default");
    let mut p = Policy::default();
    p.override_enabled = true;
    p.override_store_code = true; // the merchant's option: the store code at the till
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

/// A code sent through a gateway whose provider sends delivery reports (issue 16).
fn with_reported_code() -> Run {
    let mut r = Run::at_otp();
    r.send(Action::SendOtp(Channel::Sms));
    let now = r.now;
    r.answer(Answer::OtpSent(Ok(OtpSent {
        delivery: Some(Delivery {
            status: DeliveryStatus::Sent,
            reason: None,
            at_ms: now,
        }),
        ..sent(now)
    })));
    r
}

/// The redemption as the backend tells it again, its code's message reported `status`.
fn reported(r: &Run, status: DeliveryStatus, reason: Option<&str>) -> Answer {
    let mut fresh = r.f.redemption.intent.clone().unwrap();
    let otp = fresh.otp.as_mut().unwrap();
    otp.delivery = Some(Delivery {
        status,
        reason: reason.map(String::from),
        at_ms: r.now,
    });
    if status == DeliveryStatus::Failed {
        // The backend voids the code and lets a new one go at once.
        otp.resend_after_ms = r.now;
    }
    Answer::DeliveryPolled(Ok(fresh))
}

#[test]
fn a_code_failed_at_the_operator_is_said_and_a_new_one_offered_by_another_channel_first() {
    let mut r = with_reported_code();
    assert_eq!(
        r.f.delivery_line(),
        Some((
            "Waiting for the operator to confirm delivery to the customer's phone.".into(),
            false
        ))
    );
    // The code screen reads the redemption again every few seconds, in the background.
    let t = r.now;
    r.at(t + 1_000).send(Msg::Tick);
    assert!(r.cmds.is_empty(), "not yet");
    r.at(t + DELIVERY_POLL_MS).send(Msg::Tick);
    assert_eq!(r.cmds, vec![ask(Request::PollDelivery("rd-1".into()))]);
    assert_eq!(r.f.busy(), None, "the cashier is not held up");
    assert!(!r.f.can_resend(), "the cooldown still runs");
    let answer = reported(&r, DeliveryStatus::Failed, Some("DND number"));
    r.answer(answer);
    assert_eq!(
        r.notice(),
        "The SMS message with the code could not be delivered to the customer's phone. Send a new code by Email."
    );
    assert_eq!(
        r.f.delivery_line(),
        Some((
            "Failed at the operator (DND number): this code will not arrive.".into(),
            true
        ))
    );
    assert_eq!(r.f.channel_after_failure(), Some(Channel::Email));
    assert!(r.f.can_resend(), "a new code may go at once");
    // Typed anyway (it might still turn up): the code is void, so nothing is asked.
    r.send(Action::Verify("123456".into()));
    assert!(r.cmds.is_empty(), "{:?}", r.cmds);
    assert_eq!(
        r.field(),
        Some((
            Field::Code,
            "This code was never delivered and no longer works: send a new code.".into()
        ))
    );
    // The report is final: no more reading again.
    let t = r.now;
    r.at(t + 10 * DELIVERY_POLL_MS).send(Msg::Tick);
    assert!(r.cmds.is_empty(), "{:?}", r.cmds);
    r.send(Action::SendOtp(Channel::Email));
    assert_eq!(
        r.cmds,
        vec![ask(Request::SendOtp {
            id: "rd-1".into(),
            channel: Channel::Email
        })]
    );
}

#[test]
fn a_delivered_code_says_so_and_reading_again_never_holds_up_the_cashier() {
    let mut r = with_reported_code();
    let t = r.now;
    r.at(t + DELIVERY_POLL_MS).send(Msg::Tick);
    let poll = r.last_request();
    // The customer reads the code out while the background read is under way: Verify goes
    // at once, and the late answer of the read changes nothing.
    r.send(Action::Verify("123456".into()));
    assert!(
        matches!(&r.cmds[..], [Cmd::Ask(_, Request::Verify { .. })]),
        "{:?}",
        r.cmds
    );
    let late = reported(&r, DeliveryStatus::Failed, None);
    r.answer_to(poll, late);
    assert!(r.f.delivery_line().is_some_and(|(_, bad)| !bad));
    // A wrong code: back on the code screen, the next read says delivered.
    r.answer(Answer::Verified(Err(problem(ErrorCode::OtpInvalid))));
    let t = r.now;
    r.at(t + 2 * DELIVERY_POLL_MS).send(Msg::Tick);
    assert_eq!(r.cmds, vec![ask(Request::PollDelivery("rd-1".into()))]);
    let delivered = reported(&r, DeliveryStatus::Delivered, None);
    let before = r.notice();
    r.answer(delivered);
    assert_eq!(
        r.f.delivery_line(),
        Some(("Delivered to the customer's phone.".into(), false))
    );
    assert_eq!(
        r.notice(),
        before,
        "good news does not replace what the cashier reads"
    );
    assert_eq!(r.f.channel_after_failure(), None);
    let t = r.now;
    r.at(t + 10 * DELIVERY_POLL_MS).send(Msg::Tick);
    assert!(r.cmds.is_empty(), "{:?}", r.cmds);
}

#[test]
fn without_delivery_reports_the_code_screen_never_reads_again() {
    let mut r = Run::with_code_sent();
    assert_eq!(r.f.delivery_line(), None);
    for s in 1..=5 {
        let t = r.now;
        r.at(t + s * DELIVERY_POLL_MS).send(Msg::Tick);
        assert!(r.cmds.is_empty(), "{:?}", r.cmds);
    }
}

#[test]
fn a_code_the_customer_disowned_is_said_and_cannot_be_typed() {
    let mut r = with_reported_code();
    let t = r.now;
    r.at(t + DELIVERY_POLL_MS).send(Msg::Tick);
    let answer = reported(&r, DeliveryStatus::Disowned, None);
    r.answer(answer);
    assert_eq!(
        r.notice(),
        "The customer replied that they did not ask for this code. It no longer works, no new code can be sent to them for now, and a manager has been told. Cancel this redemption."
    );
    assert_eq!(
        r.f.delivery_line(),
        Some((
            "The customer replied that they did not ask for this code: it no longer works.".into(),
            true
        ))
    );
    assert_eq!(r.f.channel_after_failure(), None, "no other channel either");
    r.send(Action::Verify("123456".into()));
    assert!(r.cmds.is_empty());
    assert_eq!(
        r.field(),
        Some((
            Field::Code,
            "The customer said they did not ask for this code: it no longer works.".into()
        ))
    );
    // A new code is refused by the backend, and the cashier reads why.
    let t = r.now;
    r.at(t + 60_000).send(Action::SendOtp(Channel::Sms));
    r.answer(Answer::OtpSent(Err(problem(ErrorCode::CodesBlocked))));
    assert!(r.notice().contains("did not ask for it"), "{}", r.notice());
}
