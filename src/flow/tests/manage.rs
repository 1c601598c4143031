//! The back office's set-up of the store, and points earned on a sale at the till.

use super::*;
use crate::backend::{AdminCall, AdminReply};
use contract::api::{
    Accrual, CreateAccrual, ImportProblem, ImportResult, NewPin, NewStaff, StaffMember,
    TerminalAdded,
};
use contract::cards::{CardType, NewCardType};

fn back_office() -> Run {
    let mut r = Run::with(Flow::for_mode(Mode::BackOffice, vec![]));
    r.sign_in_on("demo-till-1", Policy::default(), Role::Manager);
    r
}

fn admin(call: AdminCall) -> Cmd {
    ask(Request::Admin(call))
}

fn manage(m: Manage) -> Action {
    Action::Manage(m)
}

fn member(id: &str, name: &str) -> StaffMember {
    StaffMember {
        id: id.into(),
        code: id.into(),
        name: name.into(),
        role: Role::Cashier,
        mobile: None,
        daily_summary: false,
    }
}

fn errors(r: &Run) -> Vec<String> {
    r.f.ui
        .manage
        .errors
        .iter()
        .map(|e| e.field.clone())
        .collect()
}

#[test]
fn each_set_up_screen_reads_its_list_and_only_a_manager_in_the_back_office_sees_them() {
    let mut r = back_office();
    r.send(manage(Manage::Show(Screen::Staff)));
    assert_eq!(r.screen(), Screen::Staff);
    assert_eq!(r.cmds, vec![admin(AdminCall::Staff)]);
    r.answer(Answer::Admin(Ok(AdminReply::Staff(vec![member(
        "C001", "Ravi",
    )]))));
    assert_eq!(r.f.ui.manage.staff.as_ref().map(Vec::len), Some(1));
    r.send(manage(Manage::Show(Screen::Terminals)));
    assert_eq!(r.cmds, vec![admin(AdminCall::Terminals)]);
    assert_eq!(r.f.ui.manage.staff, None, "another screen starts afresh");
    r.send(manage(Manage::Show(Screen::Cards)));
    assert_eq!(r.cmds, vec![admin(AdminCall::CardTypes)]);
    r.send(manage(Manage::Show(Screen::Import)));
    assert!(r.cmds.is_empty());
    assert_eq!(r.screen(), Screen::Import);
    // Not a sale screen, and not at the till.
    r.send(manage(Manage::Show(Screen::Bill)));
    assert_eq!(r.screen(), Screen::Import);
    let mut till = Run::signed_in_with(Policy::default(), Role::Manager);
    till.send(manage(Manage::Show(Screen::Staff)));
    assert!(till.cmds.is_empty());
    assert_ne!(till.screen(), Screen::Staff);
}

#[test]
fn a_new_member_is_checked_by_the_contract_s_rules_before_anything_is_sent() {
    let mut r = back_office();
    r.send(manage(Manage::Show(Screen::Staff)));
    r.answer(Answer::Admin(Ok(AdminReply::Staff(vec![]))));
    r.send(manage(Manage::AddStaff(StaffForm {
        code: "C-2".into(),
        name: " ".into(),
        manager: false,
        pin: "1234".into(),
        mobile: "12".into(),
    })));
    assert!(r.cmds.is_empty());
    assert_eq!(errors(&r), ["code", "name", "pin", "mobile"]);
    assert!(r
        .f
        .ui
        .manage
        .error(Form::Staff, "pin")
        .unwrap()
        .contains("guess"));
    assert_eq!(
        r.f.ui.manage.error(Form::Pin, "pin"),
        None,
        "only on its own form"
    );
    let saved = r.f.ui.manage.saved;
    r.send(manage(Manage::AddStaff(StaffForm {
        code: " C002 ".into(),
        name: "Priya Nair".into(),
        manager: true,
        pin: "4821".into(),
        mobile: " 98200 00002 ".into(),
    })));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::AddStaff(NewStaff {
            code: "C002".into(),
            name: "Priya Nair".into(),
            role: Role::Manager,
            pin: "4821".into(),
            mobile: Some("98200 00002".into()),
        }))]
    );
    assert!(errors(&r).is_empty());
    r.answer(Answer::Admin(Ok(AdminReply::Member(member(
        "C002",
        "Priya Nair",
    )))));
    assert!(r.notice().starts_with("Added Priya Nair"), "{}", r.notice());
    assert_eq!(r.f.ui.manage.staff.as_ref().map(Vec::len), Some(1));
    assert_ne!(r.f.ui.manage.saved, saved, "the form empties");
}

#[test]
fn disabling_a_member_takes_a_second_tap_and_their_row_goes() {
    let mut r = back_office();
    r.send(manage(Manage::Show(Screen::Staff)));
    r.answer(Answer::Admin(Ok(AdminReply::Staff(vec![member(
        "stf-9", "Ravi",
    )]))));
    let danger = Danger::Disable {
        id: "stf-9".into(),
        name: "Ravi".into(),
    };
    r.send(manage(Manage::Ask(danger.clone())));
    assert!(r.cmds.is_empty(), "nothing yet");
    assert_eq!(r.f.ui.manage.confirming, Some(danger.clone()));
    r.send(manage(Manage::Keep));
    assert_eq!(r.f.ui.manage.confirming, None);
    r.send(manage(Manage::Confirm));
    assert!(r.cmds.is_empty(), "nothing to confirm");
    r.send(manage(Manage::Ask(danger)));
    r.send(manage(Manage::Confirm));
    assert_eq!(r.cmds, vec![admin(AdminCall::DisableStaff("stf-9".into()))]);
    r.answer(Answer::Admin(Ok(AdminReply::Member(member(
        "stf-9", "Ravi",
    )))));
    assert_eq!(r.f.ui.manage.staff, Some(vec![]));
    assert!(r.notice().contains("Ravi is disabled"), "{}", r.notice());
}

#[test]
fn a_new_pin_needs_a_member_and_a_pin_that_is_not_guessable() {
    let mut r = back_office();
    r.send(manage(Manage::Show(Screen::Staff)));
    r.answer(Answer::Admin(Ok(AdminReply::Staff(vec![member(
        "stf-9", "Ravi",
    )]))));
    r.send(manage(Manage::SetPin {
        id: String::new(),
        pin: "4821".into(),
    }));
    assert_eq!(errors(&r), ["member"]);
    r.send(manage(Manage::SetPin {
        id: "stf-9".into(),
        pin: "0000".into(),
    }));
    assert_eq!(errors(&r), ["pin"]);
    r.send(manage(Manage::SetPin {
        id: "stf-9".into(),
        pin: "4821".into(),
    }));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::SetPin {
            id: "stf-9".into(),
            body: NewPin { pin: "4821".into() },
        })]
    );
    r.answer(Answer::Admin(Ok(AdminReply::Member(member(
        "stf-9", "Ravi",
    )))));
    assert!(r.notice().starts_with("New PIN set for Ravi"));
    assert_eq!(
        r.f.ui.manage.staff.as_ref().map(Vec::len),
        Some(1),
        "still there"
    );
}

#[test]
fn a_new_terminal_s_token_is_shown_once_and_revoking_asks_first() {
    let mut r = back_office();
    r.send(manage(Manage::Show(Screen::Terminals)));
    r.answer(Answer::Admin(Ok(AdminReply::Terminals(vec![]))));
    r.send(manage(Manage::AddTerminal {
        name: "  ".into(),
        kiosk: false,
    }));
    assert_eq!(errors(&r), ["name"]);
    r.send(manage(Manage::AddTerminal {
        name: "Till 2".into(),
        kiosk: true,
    }));
    let t = TerminalInfo {
        id: "ter-2".into(),
        name: "Till 2".into(),
        mode: TerminalMode::Kiosk,
    };
    r.answer(Answer::Admin(Ok(AdminReply::TerminalAdded(
        TerminalAdded {
            terminal: t.clone(),
            token: "tok-123".into(),
        },
    ))));
    assert_eq!(
        r.f.ui
            .manage
            .added_terminal
            .as_ref()
            .map(|a| a.token.as_str()),
        Some("tok-123")
    );
    assert!(r.notice().contains("shown only this once"));
    // Typed in: the manager takes it off the screen.
    r.send(manage(Manage::TokenEntered));
    assert_eq!(r.f.ui.manage.added_terminal, None);
    r.answer_to(
        ReqId::default(),
        Answer::Admin(Ok(AdminReply::Terminals(vec![]))),
    );
    // Leaving the screen forgets the token too.
    r.send(manage(Manage::Show(Screen::Terminals)));
    assert_eq!(r.f.ui.manage.added_terminal, None);
    r.answer(Answer::Admin(Ok(AdminReply::Terminals(vec![t.clone()]))));
    r.send(manage(Manage::Ask(Danger::Revoke {
        id: "ter-2".into(),
        name: "Till 2".into(),
    })));
    r.send(manage(Manage::Confirm));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::RevokeTerminal("ter-2".into()))]
    );
    r.answer(Answer::Admin(Ok(AdminReply::TerminalRevoked(t))));
    assert_eq!(r.f.ui.manage.terminals, Some(vec![]));
}

#[test]
fn the_override_code_is_typed_twice_and_must_not_be_guessable() {
    let mut r = back_office();
    r.send(manage(Manage::Show(Screen::OverrideCode)));
    let set = |code: &str, again: &str| {
        manage(Manage::SetOverrideCode {
            code: code.into(),
            again: again.into(),
        })
    };
    r.send(set("12345678", "12345678"));
    assert_eq!(errors(&r), ["code"]);
    r.send(set("48213579", "48213570"));
    assert_eq!(errors(&r), ["again"]);
    r.send(set("48213579", "48213579"));
    assert_eq!(r.cmds.len(), 1);
    r.answer(Answer::Admin(Ok(AdminReply::OverrideCodeSet)));
    assert!(r.notice().starts_with("Override code changed"));
}

fn gold() -> CardType {
    CardType {
        id: "ct-1".into(),
        name: "Gold".into(),
        customer_type: "GST".into(),
        earn_points: 2,
        earn_per: inr(10_000),
        point_value: inr(150),
    }
}

#[test]
fn card_types_are_read_from_the_form_in_the_store_s_currency_and_edited_in_place() {
    let mut r = back_office();
    r.send(manage(Manage::Show(Screen::Cards)));
    r.answer(Answer::Admin(Ok(AdminReply::CardTypes(vec![]))));
    let form = CardTypeForm {
        name: "Gold".into(),
        customer_type: "GST".into(),
        earn_points: "two".into(),
        earn_per: "0".into(),
        point_value: "1.5x".into(),
    };
    r.send(manage(Manage::SaveCardType(form.clone())));
    assert!(r.cmds.is_empty());
    assert_eq!(errors(&r), ["earn_points", "earn_per", "point_value"]);
    let good = CardTypeForm {
        earn_points: "2".into(),
        earn_per: "100.00".into(),
        point_value: "1.50".into(),
        ..form
    };
    r.send(manage(Manage::SaveCardType(good.clone())));
    let body = NewCardType {
        name: "Gold".into(),
        customer_type: "GST".into(),
        earn_points: 2,
        earn_per: inr(10_000),
        point_value: inr(150),
    };
    assert_eq!(r.cmds, vec![admin(AdminCall::AddCardType(body.clone()))]);
    r.answer(Answer::Admin(Ok(AdminReply::CardType(gold()))));
    assert_eq!(r.f.ui.manage.card_types, Some(vec![gold()]));
    assert!(
        r.notice()
            .starts_with("Saved Gold: GST customers earn 2 points per 100.00 INR"),
        "{}",
        r.notice()
    );
    // Edit: the form holds its settings, the save goes to that card type.
    assert_eq!(CardTypeForm::of(&gold()), good);
    r.send(manage(Manage::Edit(Some("ct-1".into()))));
    r.send(manage(Manage::SaveCardType(good)));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::EditCardType {
            id: "ct-1".into(),
            body
        })]
    );
    // The backend's refusal lands on its field.
    let mut p = Problem::new(ErrorCode::InvalidRequest).detail("another card type is for GST");
    p.errors = vec![PolicyError {
        field: "customer_type".into(),
        message: "another card type is for GST customers".into(),
    }];
    r.answer(Answer::Admin(Err(BackendError::Problem(p))));
    assert!(r
        .f
        .ui
        .manage
        .error(Form::CardType, "customer_type")
        .is_some());
    assert_eq!(
        r.f.ui.manage.editing.as_deref(),
        Some("ct-1"),
        "still editing"
    );
}

#[test]
fn a_customer_file_is_checked_first_and_only_a_clean_check_can_be_imported() {
    let mut r = back_office();
    r.send(manage(Manage::Show(Screen::Import)));
    r.send(manage(Manage::CheckImport {
        name: "empty.csv".into(),
        csv: " ".into(),
    }));
    assert_eq!(errors(&r), ["file"]);
    r.send(manage(Manage::Import));
    assert!(r.cmds.is_empty(), "nothing checked");
    let csv: std::sync::Arc<str> = "name,mobile\nAsha,9876543210\n".into();
    r.send(manage(Manage::CheckImport {
        name: "c.csv".into(),
        csv: csv.clone(),
    }));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Import {
            csv: csv.clone(),
            dry_run: true
        })]
    );
    let bad = ImportResult {
        rows: 1,
        added: 0,
        unchanged: 0,
        balances_opened: 0,
        errors: vec![ImportProblem {
            row: 2,
            column: Some("mobile".into()),
            message: "not a mobile".into(),
        }],
        dry_run: true,
    };
    r.answer(Answer::Admin(Ok(AdminReply::Imported(bad))));
    assert!(!r.f.ui.manage.importable());
    assert!(
        r.notice()
            .starts_with("Nothing imported: 1 problem in 1 row of 1 row"),
        "{}",
        r.notice()
    );
    r.send(manage(Manage::Import));
    assert!(r.cmds.is_empty(), "a file with problems is not imported");
    r.send(manage(Manage::CheckImport {
        name: "c.csv".into(),
        csv: csv.clone(),
    }));
    let good = ImportResult {
        rows: 1,
        added: 1,
        unchanged: 0,
        balances_opened: 1,
        errors: vec![],
        dry_run: true,
    };
    r.answer(Answer::Admin(Ok(AdminReply::Imported(good.clone()))));
    assert!(r.f.ui.manage.importable());
    assert!(
        r.notice()
            .contains("would add 1 customer with 1 opening balance"),
        "{}",
        r.notice()
    );
    r.send(manage(Manage::Import));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Import {
            csv,
            dry_run: false
        })]
    );
    r.answer(Answer::Admin(Ok(AdminReply::Imported(ImportResult {
        dry_run: false,
        ..good
    }))));
    assert!(!r.f.ui.manage.importable(), "imported: not twice from here");
    assert!(
        r.notice().starts_with("1 row: added 1 customer"),
        "{}",
        r.notice()
    );
}

fn accrual(points: u64, balance_after: u64) -> Accrual {
    Accrual {
        id: "acc-1".into(),
        customer_id: "cus-asha".into(),
        bill_id: "123".into(),
        points: Quantity::new(points).unwrap(),
        balance_after,
        at_ms: T0,
    }
}

#[test]
fn points_on_a_sale_are_the_backend_s_and_a_bill_earns_them_once() {
    let mut r = Run::at_balance();
    assert!(r.f.can_earn());
    r.send(Action::Earn);
    let bill = Bill::new(BillId::parse("123").unwrap(), inr(100_000)).unwrap();
    assert_eq!(
        r.cmds,
        vec![ask(Request::Accrue(CreateAccrual {
            customer_id: "cus-asha".into(),
            bill,
        }))]
    );
    r.answer(Answer::Accrued(Ok(accrual(10, 1_210))));
    // (Natively numbers are not grouped; the browser's Intl writes 1,210.)
    assert_eq!(
        r.notice(),
        "Asha Rao earned 10 points on bill 123; 1210 points now. A message with the points is on its way to them."
    );
    assert_eq!(r.cmds, vec![ask(Request::LoadBalance("cus-asha".into()))]);
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    assert!(!r.f.can_earn(), "once per bill");
    assert_eq!(r.f.earned_here().map(|a| a.points.get()), Some(10));
    r.send(Action::Earn);
    assert!(r.cmds.is_empty());
}

#[test]
fn no_points_without_a_bill_or_while_a_redemption_is_open() {
    // A voucher has no bill to earn on.
    let mut r = Run::signed_in();
    r.send(Action::SkipBill);
    r.send(Action::Search("+91 98765 43210".into()));
    r.answer(Answer::Found(Ok(vec![asha().customer])));
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(asha())));
    assert!(!r.f.can_earn());
    assert!(!Run::at_otp().f.can_earn());
    // A kiosk sells nothing.
    let mut k = Run::with(Flow::for_mode(Mode::Kiosk, vec![]));
    k.send(Action::Earn);
    assert!(k.cmds.is_empty());
}

#[test]
fn a_bill_that_earns_nothing_says_why_in_the_backend_s_words() {
    let mut r = Run::at_balance();
    r.send(Action::Earn);
    let p = Problem::new(ErrorCode::NothingEarned)
        .detail("A bill of ₹50.00 earns no points: the store gives 1 point per ₹100.00");
    r.answer(Answer::Accrued(Err(BackendError::Problem(p))));
    assert!(r.notice().starts_with("A bill of ₹50.00 earns no points"));
    assert!(r.f.can_earn(), "nothing was added");
}

#[test]
fn a_card_customer_s_points_are_valued_as_the_backend_answered_them() {
    // Platinum: 1 point is worth ₹2.00, not the store's ₹1.00.
    let mut platinum = asha();
    for i in &mut platinum.instruments {
        if i.kind == InstrumentKind::Points {
            i.unit_value = inr(200);
        }
    }
    let mut r = Run::signed_in();
    r.bill("123", "1000");
    r.send(Action::Search("+91 98765 43210".into()));
    r.answer(Answer::Found(Ok(vec![asha().customer])));
    r.send(Action::ChooseCustomer("cus-asha".into()));
    r.answer(Answer::BalanceLoaded(Ok(platinum)));
    r.send(Action::ChooseInstrument("pts-asha".into()));
    let checked = r.f.check("100").unwrap().unwrap();
    assert_eq!(checked.value, inr(20_000));
    // A ₹1,000.00 bill takes at most 500 of these points.
    let range = r.f.allowed_range().unwrap().unwrap();
    assert_eq!(range.max, 500);
}

fn taken(bill_redeemed: u64) -> contract::api::VoucherRedeemed {
    contract::api::VoucherRedeemed {
        code: "RGV-ABCD-EFGH-JK23".into(),
        value: inr(50_000),
        customer_name: "Asha Rao".into(),
        bill_id: "123".into(),
        redeemed_at_ms: T0,
        bill_redeemed: inr(bill_redeemed),
    }
}

#[test]
fn a_printed_voucher_is_taken_off_the_bill_by_the_backend_and_counts_on_it() {
    let mut r = Run::signed_in();
    r.bill("123", "1000");
    assert!(r.f.takes_vouchers());
    r.send(Action::TakeVoucher("  ".into()));
    assert!(r.cmds.is_empty());
    assert_eq!(r.field().map(|f| f.0), Some(Field::Voucher));
    r.send(Action::TakeVoucher(" rgv abcd efgh jk23 ".into()));
    let bill = Bill::new(BillId::parse("123").unwrap(), inr(100_000)).unwrap();
    assert_eq!(
        r.cmds,
        vec![ask(Request::TakeVoucher(contract::api::RedeemVoucher {
            code: "rgv abcd efgh jk23".into(),
            bill,
        }))]
    );
    r.answer(Answer::VoucherTaken(Ok(taken(50_000))));
    assert!(
        r.notice().starts_with("Voucher RGV-ABCD-EFGH-JK23"),
        "{}",
        r.notice()
    );
    assert_eq!(
        r.f.sale.bill_redeemed_minor, 50_000,
        "what is left to redeem shrinks"
    );
    assert_eq!(r.f.sale.vouchers_taken, 1, "the form empties");
    // A copy: the backend's words, at the field.
    r.send(Action::TakeVoucher("RGV-ABCD-EFGH-JK23".into()));
    let p = Problem::new(ErrorCode::VoucherUsed)
        .detail("This voucher (₹500.00) was already redeemed on bill 9: a copy cannot be used again. Do not accept it.");
    r.answer(Answer::VoucherTaken(Err(BackendError::Problem(p))));
    let (field, text) = r.field().unwrap();
    assert_eq!(field, Field::Voucher);
    assert!(text.contains("already redeemed on bill 9"));
    // Not without a bill, and not at a kiosk.
    let mut v = Run::signed_in();
    v.send(Action::SkipBill);
    assert!(!v.f.takes_vouchers());
    let mut k = Run::with(Flow::for_mode(Mode::Kiosk, vec![]));
    k.send(Action::TakeVoucher("RGV-ABCD-EFGH-JK23".into()));
    assert!(k.cmds.is_empty());
}

mod messages {
    use super::*;
    use contract::outreach::{Category, MessagePreview, NewMessage, SentMessage, SetConsent};
    use contract::Channel;

    fn form(customers: &str, text: &str) -> MessageForm {
        MessageForm {
            to_card_type: false,
            customers: customers.into(),
            card_type: String::new(),
            category: Category::Promotional,
            channel: Channel::Sms,
            text: text.into(),
        }
    }

    fn preview(recipients: u32, budget_left: u32) -> MessagePreview {
        MessagePreview {
            recipients,
            without_consent: 1,
            unreachable: 0,
            not_found: vec!["+91 90000".into()],
            budget_left,
            text: "Hi Asha, 20% off at Demo Store".into(),
            parts: 1,
        }
    }

    fn sent(n: u32) -> SentMessage {
        SentMessage {
            id: "msg-1".into(),
            at_ms: 1,
            category: Category::Promotional,
            channel: Channel::Sms,
            audience: "2 customers".into(),
            text: "Hi {customer}, 20% off at {store}".into(),
            sent_by: "Meera Shah".into(),
            recipients: n,
            queued: n,
            sent: 0,
            delivered: 0,
            failed: 0,
        }
    }

    fn opened() -> Run {
        let mut r = back_office();
        r.send(manage(Manage::Show(Screen::Messages)));
        assert_eq!(r.screen(), Screen::Messages);
        assert_eq!(r.cmds, vec![admin(AdminCall::Messages)]);
        r.answer(Answer::Admin(Ok(AdminReply::Messages {
            sent: vec![],
            card_types: vec![gold()],
        })));
        assert_eq!(r.f.ui.manage.messages, Some(vec![]));
        assert_eq!(r.f.ui.manage.card_types, Some(vec![gold()]));
        r
    }

    #[test]
    fn a_message_is_checked_by_the_contract_before_its_preview_is_asked_for() {
        let mut r = opened();
        r.send(manage(Manage::PreviewMessage(form(
            "",
            "Your code is {otp}",
        ))));
        assert!(r.cmds.is_empty());
        assert_eq!(errors(&r), ["customers", "text"]);
        assert_eq!(
            r.f.ui.manage.error(Form::Message, "text").as_deref(),
            Some("This message is sent without a code: remove {otp}")
        );
        // One per line or separated by commas; blank lines dropped.
        let f = form(
            "+919876543210,\n RG00012346 \n\n",
            "Hi {customer}, 20% off at {store}",
        );
        r.send(manage(Manage::PreviewMessage(f)));
        let m = NewMessage {
            category: Category::Promotional,
            channel: Channel::Sms,
            customers: vec!["+919876543210".into(), "RG00012346".into()],
            card_type: None,
            text: "Hi {customer}, 20% off at {store}".into(),
        };
        assert_eq!(r.cmds, vec![admin(AdminCall::PreviewMessage(m))]);
        assert!(errors(&r).is_empty());
    }

    #[test]
    fn only_the_message_previewed_is_sent_and_only_within_the_budget() {
        let mut r = opened();
        // Nothing previewed: nothing to send.
        r.send(manage(Manage::SendMessage));
        assert!(r.cmds.is_empty());
        let mut to_gold = form("", "Offers at {store}");
        to_gold.to_card_type = true;
        to_gold.card_type = "ct-gold".into();
        r.send(manage(Manage::PreviewMessage(to_gold.clone())));
        let m = match &r.cmds[..] {
            [Cmd::Ask(_, Request::Admin(AdminCall::PreviewMessage(m)))] => m.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(m.card_type.as_deref(), Some("ct-gold"));
        assert!(m.customers.is_empty());
        // More customers than today's budget has left: not sent.
        r.answer(Answer::Admin(Ok(AdminReply::Preview {
            message: m.clone(),
            preview: preview(3, 2),
        })));
        let lines = preview_summary(&m, &r.f.ui.manage.preview.as_ref().unwrap().1);
        assert_eq!(
            lines,
            [
                "Goes to 3 customers.",
                "Left out: 1 customer, who did not agree to promotional messages.",
                "Not a customer: +91 90000.",
                "Only 2 messages to customers are left for today: send to fewer customers.",
            ]
        );
        r.send(manage(Manage::SendMessage));
        assert!(r.cmds.is_empty());
        // Changed after the preview: the preview no longer applies.
        r.answer(Answer::Admin(Ok(AdminReply::Preview {
            message: m.clone(),
            preview: preview(2, 2),
        })));
        r.send(manage(Manage::ForgetPreview));
        r.send(manage(Manage::SendMessage));
        assert!(r.cmds.is_empty());
        r.send(manage(Manage::PreviewMessage(to_gold)));
        r.answer(Answer::Admin(Ok(AdminReply::Preview {
            message: m.clone(),
            preview: preview(2, 2),
        })));
        r.send(manage(Manage::SendMessage));
        assert_eq!(r.cmds, vec![admin(AdminCall::SendMessage(m))]);
        let saved = r.f.ui.manage.saved;
        r.answer(Answer::Admin(Ok(AdminReply::MessageSent(sent(2)))));
        assert_eq!(r.f.ui.manage.messages.as_ref().map(Vec::len), Some(1));
        assert_eq!(r.f.ui.manage.preview, None);
        assert_ne!(r.f.ui.manage.saved, saved, "the form is emptied");
        assert!(r.notice().starts_with("Sending to 2 customers."));
        r.send(manage(Manage::RefreshMessages));
        assert_eq!(r.cmds, vec![admin(AdminCall::Messages)]);
    }

    #[test]
    fn a_refusal_lands_next_to_its_field() {
        let mut r = opened();
        r.send(manage(Manage::PreviewMessage(form(
            "+919876543210",
            "Offers at {store}",
        ))));
        let mut p = contract::Problem::new(contract::ErrorCode::InvalidRequest)
            .detail("The SMS provider accepts only the text registered for messages to customers")
            .field("text");
        p.errors = vec![];
        r.answer(Answer::Admin(Err(BackendError::Problem(p))));
        assert_eq!(
            r.f.ui.manage.error(Form::Message, "text").as_deref(),
            Some("The SMS provider accepts only the text registered for messages to customers")
        );
    }

    #[test]
    fn a_customer_s_consent_needs_the_customer_and_is_confirmed_in_words() {
        let mut r = opened();
        let consent = |customer: &str| SetConsent {
            customer: customer.into(),
            service: true,
            promotional: false,
        };
        r.send(manage(Manage::SetConsent(consent("  "))));
        assert!(r.cmds.is_empty());
        assert_eq!(errors(&r), ["customer"]);
        r.send(manage(Manage::SetConsent(consent(" RG00012345 "))));
        assert_eq!(
            r.cmds,
            vec![admin(AdminCall::SetConsent(consent("RG00012345")))]
        );
        r.answer(Answer::Admin(Ok(AdminReply::Consent(
            contract::outreach::Consent {
                customer_id: "cus-asha".into(),
                customer_name: "Asha Rao".into(),
                service: true,
                promotional: false,
            },
        ))));
        assert_eq!(
            r.notice(),
            "Saved for Asha Rao: service messages yes, promotional messages no."
        );
    }
}

#[test]
fn a_card_issued_says_whether_a_welcome_went_and_by_what() {
    let mut r = back_office();
    r.send(manage(Manage::Show(Screen::Cards)));
    r.answer(Answer::Admin(Ok(AdminReply::CardTypes(vec![]))));
    let card = contract::cards::IssueCard {
        customer: "+919900112233".into(),
        card: "RG00099001".into(),
        customer_type: None,
    };
    let issued = |welcome| contract::cards::CardIssued {
        customer_id: "cust-arjun".into(),
        customer_name: "Arjun Patel".into(),
        card: "RG00099001".into(),
        customer_type: None,
        card_type: None,
        welcome,
    };
    r.send(manage(Manage::IssueCard(card.clone())));
    r.answer(Answer::Admin(Ok(AdminReply::CardIssued(issued(Some(
        contract::Channel::Sms,
    ))))));
    assert_eq!(
        r.notice(),
        "Card RG00099001 issued to Arjun Patel. The till finds them by it. A welcome message went to them by SMS."
    );
    r.send(manage(Manage::IssueCard(card)));
    r.answer(Answer::Admin(Ok(AdminReply::CardIssued(issued(None)))));
    assert_eq!(
        r.notice(),
        "Card RG00099001 issued to Arjun Patel. The till finds them by it."
    );
}

#[test]
fn the_daily_summary_is_turned_on_in_the_staff_row_and_said_in_words() {
    let mut r = back_office();
    r.send(manage(Manage::Show(Screen::Staff)));
    let mut rahul = member("stf-m001", "Rahul Mehta");
    rahul.mobile = Some("+919822000111".into());
    r.answer(Answer::Admin(Ok(AdminReply::Staff(vec![rahul.clone()]))));
    r.send(manage(Manage::DailySummary {
        id: "stf-m001".into(),
        on: true,
    }));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::SetDailySummary {
            id: "stf-m001".into(),
            on: true
        })]
    );
    r.answer(Answer::Admin(Ok(AdminReply::Member(StaffMember {
        daily_summary: true,
        ..rahul
    }))));
    assert_eq!(
        r.notice(),
        "Rahul Mehta gets the store's daily sales summary by SMS at closing time."
    );
    let listed = r.f.ui.manage.staff.clone().unwrap();
    assert_eq!(listed.len(), 1, "the member stays listed");
    assert!(listed[0].daily_summary);
}

/// The messages surface's own dispatch (`parts::OUTREACH`): a manager signed in lands on the
/// messages; the set-up's other steps are not there.
#[test]
fn the_messages_surface_opens_on_the_messages_and_carries_no_other_set_up() {
    use crate::flow::parts;
    use crate::flow::{Msg, ReqId};
    let messages_only = Flow::handle_on::<{ parts::OUTREACH }>;
    let mut f = Flow::for_mode(Mode::BackOffice, vec![]);
    let first = |cmds: &[Cmd]| {
        cmds.iter()
            .find_map(|c| match c {
                Cmd::Ask(id, _) => Some(*id),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{cmds:?}"))
    };
    let sign_in = messages_only(
        &mut f,
        Msg::Act(Action::SignIn {
            terminal_token: "demo-till-2".into(),
            staff_code: "M001".into(),
            pin: "9999".into(),
        }),
        0,
    );
    let s = super::session(Role::Manager);
    let policy_asked = messages_only(
        &mut f,
        Msg::Answer(first(&sign_in), Box::new(Answer::SignedIn(Ok(s)))),
        0,
    );
    let cmds = messages_only(
        &mut f,
        Msg::Answer(
            first(&policy_asked),
            Box::new(Answer::PolicyLoaded(Ok(Policy::default()))),
        ),
        0,
    );
    assert_eq!(f.ui.screen, Screen::Messages);
    assert!(
        matches!(
            &cmds[..],
            [Cmd::Ask(_, Request::Admin(AdminCall::Messages))]
        ),
        "{cmds:?}"
    );
    let _: ReqId = first(&cmds);
    // Not the back office's other pages, nor its policy.
    let none = messages_only(&mut f, Msg::Act(Action::ShowPolicy), 0);
    assert!(none.is_empty());
    assert_eq!(f.ui.screen, Screen::Messages);
}
