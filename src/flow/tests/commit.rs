//! Confirming, the receipt, cancelling, the hold expiring, and how a redemption ended.

use super::*;

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
fn commit_backoff_is_bounded() {
    assert_eq!(commit_backoff_ms(1), 1_000);
    assert_eq!(commit_backoff_ms(4), 8_000);
    assert_eq!(commit_backoff_ms(40), 16_000);
}

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
