//! The manager's policy screen.

use super::*;

fn back_office(role: Role) -> Run {
    let mut r = Run::with(Flow::for_mode(Mode::BackOffice, vec![]));
    r.sign_in_on("demo-till-1", Policy::default(), role);
    r
}

#[test]
fn the_back_office_opens_on_the_policy_for_a_manager() {
    let r = back_office(Role::Manager);
    assert_eq!(r.screen(), Screen::Policy);
    assert!(!r.f.offers_back_office(), "no link to itself");
}

#[test]
fn a_cashier_is_signed_out_of_the_back_office() {
    let mut r = Run::with(Flow::for_mode(Mode::BackOffice, vec![]));
    r.send(Action::SignIn {
        terminal_token: "demo-till-1".into(),
        staff_code: "C001".into(),
        pin: "1234".into(),
    });
    r.answer(Answer::SignedIn(Ok(session(Role::Cashier))));
    assert_eq!(r.cmds, vec![ask(Request::SignOut)]);
    assert_eq!(r.screen(), Screen::SignIn);
    assert!(r.f.signed_in.session.is_none());
    r.answer(Answer::SignedOut);
    assert_eq!(r.screen(), Screen::SignIn);
    assert_eq!(
        r.notice(),
        "Only a manager can use the back office. You were signed out."
    );
}

#[test]
fn the_till_links_its_managers_to_the_back_office_when_settled() {
    assert!(!Run::signed_in().f.offers_back_office());
    let r = Run::signed_in_with(Policy::default(), Role::Manager);
    assert!(r.f.offers_back_office());
    // Not while a redemption is held: leaving the till would strand it.
    let mut r = Run::signed_in_with(Policy::default(), Role::Manager);
    r.bill("123", "1000");
    r.send(Action::Search("+91 98765 43210".into()));
    r.answer(Answer::Found(Ok(vec![asha().customer])));
    r.hold_500(RedemptionStatus::AwaitingOtp);
    assert!(!r.f.offers_back_office());
    // The kiosk and the widget never offer it.
    let mut k = Run::with(Flow::for_mode(Mode::Widget, vec![]));
    k.sign_in_on("t", Policy::default(), Role::Manager);
    assert!(!k.f.offers_back_office());
}

#[test]
fn policy_is_validated_locally_then_by_the_backend() {
    let mut r = back_office(Role::Manager);
    let mut bad = Policy::default();
    bad.otp_ttl_secs = 5;
    r.send(Action::SavePolicy(Box::new(bad)));
    assert!(r.cmds.is_empty());
    assert!(r
        .f
        .ui
        .policy_errors
        .iter()
        .any(|e| e.field == "otp_ttl_secs"));
    let mut good = Policy::default();
    good.otp_required = false;
    r.send(Action::SavePolicy(Box::new(good.clone())));
    assert_eq!(
        r.cmds,
        vec![ask(Request::SavePolicy(Box::new(good.clone())))]
    );
    let refusal: Problem = contract::policy::PolicyErrors(vec![PolicyError {
        field: "locale".into(),
        message: "unsupported".into(),
    }])
    .into();
    r.answer(Answer::PolicySaved(Err(BackendError::Problem(refusal))));
    assert_eq!(r.f.ui.policy_errors[0].field, "locale");
    r.send(Action::SavePolicy(Box::new(good.clone())));
    r.answer(Answer::PolicySaved(Ok(good.clone())));
    assert_eq!(r.f.signed_in.policy, Some(good));
    assert_eq!(r.notice(), "Policy saved.");
    assert!(r.f.ui.policy_errors.is_empty());
}

#[test]
fn unreadable_policy_form_marks_its_fields() {
    let mut r = back_office(Role::Manager);
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
    let mut r = back_office(Role::Manager);
    r.send(Action::SavePolicy(Box::default()));
    r.answer(Answer::PolicySaved(Err(problem(ErrorCode::Forbidden))));
    assert_eq!(r.notice(), "Only a manager can do that.");
}

/// Each surface's flow takes only its own steps (`flow::parts`): what its bundle does not
/// carry does nothing there, even if sent.
#[test]
fn each_surface_takes_only_its_own_steps() {
    // The till edits no policy and answers no approvals.
    let mut till = Run::signed_in_with(Policy::default(), Role::Manager);
    till.send(Action::SavePolicy(Box::default()));
    till.send(Action::ShowApprovals);
    till.send(Action::DecideApproval {
        id: "ap-1".into(),
        approve: true,
    });
    assert!(till.cmds.is_empty());
    assert_eq!(till.screen(), Screen::Bill);

    // The back office sells nothing.
    let mut office = back_office(Role::Manager);
    office.send(Action::EnterBill {
        id: "INV-1".into(),
        total: "100".into(),
    });
    office.send(Action::Search("Asha".into()));
    office.send(Action::KioskIdentify("98765 43210".into()));
    assert!(office.cmds.is_empty());
    assert_eq!(office.screen(), Screen::Policy);

    // The kiosk browses no customers and takes no bill.
    let mut kiosk = Run::with(Flow::for_mode(Mode::Kiosk, vec![]));
    kiosk.send(Action::Search("Asha".into()));
    kiosk.send(Action::EnterBill {
        id: "INV-1".into(),
        total: "100".into(),
    });
    assert!(kiosk.cmds.is_empty());

    // The parts each mode has.
    use crate::flow::parts::*;
    assert_eq!(
        Mode::Pos.parts() & (MANAGE | REPORTS | OUTREACH | KIOSK | HOST),
        0
    );
    // The manager's surfaces: the back office sets up, the reports read, the messages write
    // to customers.
    assert_eq!(Mode::BackOffice.parts(), MANAGE | REPORTS | OUTREACH);
    assert_eq!(Mode::Kiosk.parts() & (SEARCH | BILL | OVERRIDE | MANAGE), 0);
    assert_eq!(Mode::Widget.parts() & (BILL | MANAGE | KIOSK), 0);
}
