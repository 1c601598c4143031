//! The manager's policy screen.

use super::*;

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
