//! S8: a manager approves on their own device. The till asks with a reason and waits,
//! reading the redemption again; the back office lists and answers. No manager secret is
//! sent from the till.

use super::super::approval::{APPROVALS_REFRESH_MS, APPROVAL_POLL_MS};
use super::*;
use crate::format;
use contract::api::{ApprovalRequest, ApprovalStatus};

fn override_on(store_code: bool) -> Policy {
    let mut p = Policy::default();
    p.override_enabled = true;
    p.override_store_code = store_code;
    p
}

fn request(status: ApprovalStatus) -> ApprovalRequest {
    ApprovalRequest {
        id: "apr-1".into(),
        status,
        redemption_id: "rd-1".into(),
        customer_name: "Asha Rao".into(),
        instrument_kind: InstrumentKind::Points,
        instrument_label: "Loyalty points".into(),
        unit: Unit::Points,
        quantity: Quantity::new(500).unwrap(),
        value: inr(50_000),
        bill_id: Some("123".into()),
        cashier_name: "Ravi".into(),
        terminal_name: "Till 1".into(),
        reason: "SMS not delivered".into(),
        requested_at_ms: T0,
        expires_at_ms: T0 + 900_000,
        decided_by: (status != ApprovalStatus::Pending).then(|| "Meera Shah".into()),
    }
}

/// The redemption as the backend describes it with the request in `status`.
fn with_request(status: RedemptionStatus, request_status: ApprovalStatus) -> Redemption {
    Redemption {
        approval_request: Some(request(request_status)),
        ..redemption(status)
    }
}

/// On the code screen with override on; the cashier opens "Customer did not get the code"
/// and asks a manager.
fn waiting(store_code: bool) -> Run {
    let mut r = Run::with_code_sent();
    r.f.signed_in.policy = Some(override_on(store_code));
    r.send(Action::OpenOverride);
    assert_eq!(r.screen(), Screen::Override);
    r.send(Action::RequestApproval("  SMS not delivered ".into()));
    assert_eq!(
        r.cmds,
        vec![ask(Request::RequestApproval {
            id: "rd-1".into(),
            reason: "SMS not delivered".into()
        })]
    );
    r.answer(Answer::ApprovalRequested(Ok(with_request(
        RedemptionStatus::AwaitingOtp,
        ApprovalStatus::Pending,
    ))));
    r
}

#[test]
fn s8_the_till_asks_a_manager_with_a_reason_and_waits() {
    let mut r = Run::with_code_sent();
    r.f.signed_in.policy = Some(override_on(false));
    r.send(Action::OpenOverride);
    r.send(Action::RequestApproval(" ".into()));
    assert!(r.cmds.is_empty());
    assert_eq!(r.field(), Some((Field::Override, "Enter a reason".into())));
    let r = waiting(false);
    assert_eq!(r.screen(), Screen::AwaitingApproval);
    assert_eq!(r.screen().name(), "awaiting-approval");
    assert_eq!(
        r.notice(),
        "Waiting for a manager to approve on their own device…"
    );
    assert_eq!(r.f.approval_request().unwrap().reason, "SMS not delivered");
    assert!(r.f.busy().is_none() && r.f.can_cancel());
}

#[test]
fn s8_no_manager_secret_is_sent_from_the_till() {
    // Off by default: the store code cannot be sent from the till at all.
    let mut r = waiting(false);
    assert!(!r.f.store_code_at_till());
    r.f.ui.screen = Screen::Override;
    r.send(Action::SubmitOverride(Override {
        manager_code: "M001".into(),
        manager_pin: "9999".into(),
        override_code: "24681357".into(),
        reason: "SMS not delivered".into(),
    }));
    assert!(
        r.cmds.is_empty(),
        "no manager PIN or store code leaves the till"
    );
    // The request a till sends to ask is its reason, and nothing else.
    let body = contract::wire::to_string(&contract::api::RequestApproval {
        reason: "SMS not delivered".into(),
    });
    assert_eq!(body, r#"{"reason":"SMS not delivered"}"#);
    // Every request of the approval path names the redemption and the reason only.
    let mut r = waiting(false);
    let mut asked = vec![];
    for s in 1..=3 {
        r.at(T0 + s * APPROVAL_POLL_MS).send(Msg::Tick);
        asked.extend(r.cmds.clone());
        r.answer(Answer::ApprovalPolled(Ok(with_request(
            RedemptionStatus::AwaitingOtp,
            ApprovalStatus::Pending,
        ))));
    }
    assert_eq!(asked, vec![ask(Request::PollApproval("rd-1".into())); 3]);
}

#[test]
fn s8_the_till_polls_while_waiting_and_confirms_when_a_manager_approves() {
    let mut r = waiting(false);
    r.at(T0 + 1_000).send(Msg::Tick);
    assert!(r.cmds.is_empty(), "not yet: every 2 s");
    r.at(T0 + APPROVAL_POLL_MS).send(Msg::Tick);
    assert_eq!(r.cmds, vec![ask(Request::PollApproval("rd-1".into()))]);
    assert!(r.f.busy().is_none(), "a poll disables nothing");
    r.answer(Answer::ApprovalPolled(Ok(with_request(
        RedemptionStatus::AwaitingOtp,
        ApprovalStatus::Pending,
    ))));
    assert_eq!(r.screen(), Screen::AwaitingApproval);
    // A network hiccup: still waiting, asked again on a later tick.
    r.at(T0 + 2 * APPROVAL_POLL_MS).send(Msg::Tick);
    r.answer(Answer::ApprovalPolled(Err(BackendError::Network)));
    assert_eq!(r.screen(), Screen::AwaitingApproval);
    r.at(T0 + 3 * APPROVAL_POLL_MS).send(Msg::Tick);
    assert_eq!(r.cmds, vec![ask(Request::PollApproval("rd-1".into()))]);
    r.answer(Answer::ApprovalPolled(Ok(with_request(
        RedemptionStatus::Approved,
        ApprovalStatus::Approved,
    ))));
    assert_eq!(r.screen(), Screen::Confirm);
    assert_eq!(r.notice(), "Meera Shah approved. Confirm the redemption.");
    r.at(T0 + 4 * APPROVAL_POLL_MS).send(Msg::Tick);
    assert!(r.cmds.is_empty(), "no polling once approved");
}

#[test]
fn s8_a_declined_request_returns_the_till_to_the_code_with_a_message() {
    let mut r = waiting(false);
    r.at(T0 + APPROVAL_POLL_MS).send(Msg::Tick);
    r.answer(Answer::ApprovalPolled(Ok(with_request(
        RedemptionStatus::AwaitingOtp,
        ApprovalStatus::Declined,
    ))));
    assert_eq!(r.screen(), Screen::Otp);
    assert_eq!(
        r.notice(),
        "Meera Shah declined. Send the customer a new code, or cancel."
    );
    r.at(T0 + 2 * APPROVAL_POLL_MS).send(Msg::Tick);
    assert!(r.cmds.is_empty(), "no polling on the code screen");
}

#[test]
fn s8_the_cashier_may_cancel_while_waiting_even_during_a_poll() {
    let mut r = waiting(false);
    r.at(T0 + APPROVAL_POLL_MS).send(Msg::Tick);
    let poll = r.last_request();
    r.send(Action::Cancel);
    assert_eq!(r.cmds, vec![ask(Request::Cancel("rd-1".into()))]);
    // The poll's late answer is dropped.
    r.answer_to(
        poll,
        Answer::ApprovalPolled(Ok(with_request(
            RedemptionStatus::Approved,
            ApprovalStatus::Approved,
        ))),
    );
    assert_eq!(r.screen(), Screen::AwaitingApproval);
    r.answer(Answer::Cancelled(Ok(redemption(
        RedemptionStatus::Cancelled,
    ))));
    assert_eq!(r.screen(), Screen::Closed(Closed::Cancelled));
}

#[test]
fn s8_a_hold_that_ends_while_waiting_closes_the_redemption() {
    let mut r = waiting(false);
    r.at(T0 + 900_000).send(Msg::Tick);
    assert_eq!(r.screen(), Screen::Closed(Closed::Expired));
}

#[test]
fn s8_the_store_code_at_the_till_is_offered_only_where_the_merchant_chose_it() {
    let mut r = Run::with_code_sent();
    r.f.signed_in.policy = Some(override_on(false));
    assert!(r.f.can_override() && !r.f.store_code_at_till());
    r.f.signed_in.policy = Some(override_on(true));
    assert!(r.f.store_code_at_till());
    r.send(Action::OpenOverride);
    r.send(Action::SubmitOverride(Override {
        manager_code: "M001".into(),
        manager_pin: "9999".into(),
        override_code: "24681357".into(),
        reason: "SMS not delivered".into(),
    }));
    assert!(matches!(
        &r.cmds[..],
        [Cmd::Ask(_, Request::Override { .. })]
    ));
}

fn back_office() -> Run {
    let mut r = Run::with(Flow::for_mode(Mode::BackOffice, vec![]));
    r.sign_in_on("demo-till-2", override_on(false), Role::Manager);
    r
}

#[test]
fn s8_the_back_office_lists_pending_requests_and_a_manager_approves_one() {
    let mut r = back_office();
    assert!(r.f.offers_approvals());
    r.send(Action::ShowApprovals);
    assert_eq!(r.screen(), Screen::Approvals);
    assert_eq!(r.cmds, vec![ask(Request::LoadApprovals)]);
    let pending = request(ApprovalStatus::Pending);
    r.answer(Answer::ApprovalsLoaded(Ok(vec![pending.clone()])));
    assert_eq!(r.f.ui.approvals, Some(vec![pending.clone()]));
    assert_eq!(
        format::approval_line(&pending, "en-IN"),
        "500 points (500.00 INR) of Loyalty points for Asha Rao on bill #123"
    );
    // Refreshed by itself every few seconds.
    r.at(T0 + APPROVALS_REFRESH_MS - 1).send(Msg::Tick);
    assert!(r.cmds.is_empty());
    r.at(T0 + APPROVALS_REFRESH_MS).send(Msg::Tick);
    assert_eq!(r.cmds, vec![ask(Request::LoadApprovals)]);
    assert!(r.f.busy().is_none(), "a refresh disables nothing");
    // Approve: replaces the refresh; while it is sent its buttons are off.
    r.send(Action::DecideApproval {
        id: "apr-1".into(),
        approve: true,
    });
    assert_eq!(
        r.cmds,
        vec![ask(Request::DecideApproval {
            id: "apr-1".into(),
            approve: true
        })]
    );
    assert!(r.f.deciding());
    r.answer(Answer::ApprovalDecided(Ok(request(
        ApprovalStatus::Approved,
    ))));
    assert_eq!(
        r.notice(),
        "Approved: 500 points (500.00 INR) of Loyalty points for Asha Rao on bill #123. Ravi can now confirm it."
    );
    assert_eq!(r.f.ui.approvals, Some(vec![]));
    assert_eq!(
        r.cmds,
        vec![ask(Request::LoadApprovals)],
        "then reads the list again"
    );
    r.answer(Answer::ApprovalsLoaded(Ok(vec![])));
    // Declining, and a refusal (e.g. the manager's own request) shown as such.
    r.send(Action::DecideApproval {
        id: "apr-2".into(),
        approve: false,
    });
    r.answer(Answer::ApprovalDecided(Err(problem(
        ErrorCode::ApprovalOwnRequest,
    ))));
    assert_eq!(
        r.notice(),
        messages::for_code(ErrorCode::ApprovalOwnRequest)
    );
    assert_eq!(r.cmds, vec![ask(Request::LoadApprovals)]);
    r.send(Action::ShowPolicy);
    assert_eq!(r.screen(), Screen::Policy);
    r.at(T0 + 60_000).send(Msg::Tick);
    assert!(r.cmds.is_empty(), "no refresh away from the list");
}

#[test]
fn s8_only_the_back_office_shows_approvals() {
    let mut till = Run::signed_in_with(override_on(false), Role::Manager);
    assert!(!till.f.offers_approvals());
    let before = till.screen();
    till.send(Action::ShowApprovals);
    assert!(till.cmds.is_empty());
    assert_eq!(till.screen(), before);
    let mut r = back_office();
    r.send(Action::ShowApprovals);
    r.answer(Answer::ApprovalsLoaded(Err(problem(
        ErrorCode::SessionExpired,
    ))));
    assert_eq!(r.screen(), Screen::SignIn);
}

#[test]
fn s8_after_a_reload_the_till_waits_on_a_pending_request() {
    let mut r = Run::with(Flow::new());
    r.send(Action::Start {
        terminal_token: None,
        pending_redemption: Some("rd-1".into()),
    });
    r.sign_in_on("demo-till-1", override_on(false), Role::Cashier);
    assert_eq!(r.cmds, vec![ask(Request::Fetch("rd-1".into()))]);
    r.answer(Answer::Fetched(Ok(with_request(
        RedemptionStatus::AwaitingOtp,
        ApprovalStatus::Pending,
    ))));
    let waits = matches!(r.screen(), Screen::AwaitingApproval | Screen::Resume);
    assert!(waits, "{:?}", r.screen());
    if r.screen() == Screen::Resume {
        r.send(Action::ResumeContinue);
    }
    assert_eq!(r.screen(), Screen::AwaitingApproval);
    // Asking twice (another tap, another tab) waits for the first answer.
    let mut r = waiting(false);
    r.f.ui.screen = Screen::Override;
    r.send(Action::RequestApproval("again".into()));
    r.answer(Answer::ApprovalRequested(Err(problem(
        ErrorCode::ApprovalPending,
    ))));
    assert_eq!(r.screen(), Screen::AwaitingApproval);
    r.send(Msg::Tick);
    assert_eq!(r.cmds, vec![ask(Request::PollApproval("rd-1".into()))]);
}
