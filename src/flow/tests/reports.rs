//! The back office's reports, cashiers' signals and audit log (issue 15).

use super::*;
use crate::backend::{AdminCall, AdminReply};
use crate::flow::{AuditForm, Chain, ReportForm, ReportView, Reports};
use contract::api::{AuditEntry, AuditFilter, AuditPage, StaffMember, TerminalInfo, TerminalMode};
use contract::audit::{store_link, STORE_GENESIS};
use contract::reports::*;

/// The day `T0` falls on (the tests' store keeps UTC off the browser).
const TODAY: &str = "2023-11-14";

fn day(s: &str) -> StoreDate {
    StoreDate::parse(s).unwrap()
}

fn back_office() -> Run {
    let mut r = Run::with(Flow::for_mode(Mode::BackOffice, vec![]));
    r.sign_in_on("demo-till-1", Policy::default(), Role::Manager);
    r
}

/// The id of the first request among `cmds`.
fn first_ask(cmds: &[Cmd]) -> ReqId {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::Ask(id, _) => Some(*id),
            _ => None,
        })
        .expect("a request")
}

fn admin(call: AdminCall) -> Cmd {
    ask(Request::Admin(call))
}

fn reports(x: Reports) -> Action {
    Action::Reports(x)
}

fn ok(reply: AdminReply) -> Answer {
    Answer::Admin(Ok(reply))
}

fn today() -> ReportFilter {
    ReportFilter::days(day(TODAY), day(TODAY)).unwrap()
}

fn staff() -> Vec<StaffMember> {
    vec![StaffMember {
        id: "stf-ravi".into(),
        code: "C001".into(),
        name: "Ravi".into(),
        role: Role::Cashier,
        mobile: None,
        daily_summary: false,
    }]
}

fn tills() -> Vec<TerminalInfo> {
    vec![TerminalInfo {
        id: "t1".into(),
        name: "Till 1".into(),
        mode: TerminalMode::Pos,
    }]
}

fn empty(kind: ReportKind, filter: ReportFilter) -> LoyaltyReport {
    LoyaltyReport {
        report: kind,
        filter,
        rows: vec![],
        more: false,
        count: 0,
        points: 0,
        value: inr(0),
        reversed: 0,
        vouchers: VoucherTotals {
            issued: 0,
            issued_value: inr(0),
            redeemed: 0,
            redeemed_value: inr(0),
            expired: 0,
            expired_value: inr(0),
        },
        messages: vec![],
    }
}

/// At the reports screen, its lists read and today's summary shown.
fn at_reports() -> Run {
    let mut r = back_office();
    r.send(reports(Reports::Show(Screen::Reports)));
    r.answer(ok(AdminReply::Staff(staff())));
    r.answer(ok(AdminReply::Terminals(tills())));
    r.answer(ok(AdminReply::Report(empty(
        ReportKind::DateCustomer,
        today(),
    ))));
    r
}

#[test]
fn the_reports_screen_reads_its_choices_then_shows_todays_summary() {
    let mut r = back_office();
    r.send(reports(Reports::Show(Screen::Reports)));
    assert_eq!(r.screen(), Screen::Reports);
    assert_eq!(r.cmds, vec![admin(AdminCall::Staff)]);
    r.answer(ok(AdminReply::Staff(staff())));
    assert_eq!(r.cmds, vec![admin(AdminCall::Terminals)]);
    r.answer(ok(AdminReply::Terminals(tills())));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Report {
            kind: ReportKind::DateCustomer,
            filter: today(),
            csv: false
        })]
    );
    assert_eq!(r.f.busy(), Some(Call::Report), "the manager waits for it");
    r.answer(ok(AdminReply::Report(empty(
        ReportKind::DateCustomer,
        today(),
    ))));
    assert!(r.f.ui.reports.report.is_some());
    assert_eq!(r.f.busy(), None);
    // Coming back keeps the lists: the report is asked at once.
    r.send(reports(Reports::Show(Screen::Reports)));
    assert!(matches!(
        &r.cmds[..],
        [Cmd::Ask(_, Request::Admin(AdminCall::Report { .. }))]
    ));
}

/// The e2e flake of `reports.test.mjs`: the manager clicked "Audit log" while the reports
/// page's first figures were on their way, and the click was dropped (the tabs are never
/// disabled). A tab replaces the reading under way; that reading's late answer is dropped.
#[test]
fn a_tab_chosen_while_another_page_is_read_opens_and_the_late_answer_is_dropped() {
    let mut r = back_office();
    r.send(reports(Reports::Show(Screen::Reports)));
    r.answer(ok(AdminReply::Staff(staff())));
    r.answer(ok(AdminReply::Terminals(tills())));
    assert_eq!(r.f.busy(), Some(Call::Report));
    let report = r.last_request();
    r.send(reports(Reports::Show(Screen::Audit)));
    assert_eq!(r.screen(), Screen::Audit);
    assert!(
        matches!(
            &r.cmds[..],
            [Cmd::Ask(
                _,
                Request::Admin(AdminCall::Audit { csv: false, .. })
            )]
        ),
        "{:?}",
        r.cmds
    );
    r.answer_to(
        report,
        ok(AdminReply::Report(empty(ReportKind::DateCustomer, today()))),
    );
    assert!(
        r.f.ui.reports.report.is_none(),
        "the old page's answer is dropped"
    );
    assert_eq!(r.screen(), Screen::Audit);
    assert_eq!(
        r.f.busy(),
        Some(Call::Report),
        "still waiting for the audit log"
    );
    r.answer(page(&log(2), false, STORE_GENESIS));
    assert_eq!(r.f.ui.reports.entries.len(), 2);
    assert_eq!(r.f.busy(), None);
    // Other actions still wait for a reading: "Run" while the log is read asks nothing.
    r.send(reports(Reports::Show(Screen::Reports)));
    r.send(reports(Reports::Run(ReportForm::default())));
    assert!(r.cmds.is_empty(), "{:?}", r.cmds);
}

#[test]
fn every_filter_is_sent_and_bad_days_are_named_without_asking() {
    let mut r = at_reports();
    let form = ReportForm {
        view: ReportView::Report(ReportKind::EndOfDay),
        from: "2023-11-01".into(),
        to: "2023-11-30".into(),
        cashier: "stf-ravi".into(),
        terminal: "t1".into(),
        instrument: "gift_card".into(),
        approved_by: "override".into(),
        customer: None,
    };
    r.send(reports(Reports::Run(form.clone())));
    let mut want = ReportFilter::days(day("2023-11-01"), day("2023-11-30")).unwrap();
    want.cashier = Some("stf-ravi".into());
    want.terminal = Some("t1".into());
    want.instrument = Some(InstrumentKind::GiftCard);
    want.approved_by = Some(ApprovedBy::Override);
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Report {
            kind: ReportKind::EndOfDay,
            filter: want,
            csv: false
        })]
    );
    r.answer(ok(AdminReply::Report(empty(ReportKind::EndOfDay, today()))));
    for (from, to, field) in [
        ("2023-02-30", "2023-03-01", "from"),
        ("2023-03-02", "2023-03-01", "to"),
        ("2023-01-01", "2024-01-02", "to"),
    ] {
        r.send(reports(Reports::Run(ReportForm {
            from: from.into(),
            to: to.into(),
            ..form.clone()
        })));
        assert!(r.cmds.is_empty(), "{from}..{to}: nothing asked");
        assert!(r.f.ui.reports.error(field).is_some(), "{from}..{to}");
    }
    // Loyalty owed has no days.
    r.send(reports(Reports::Run(ReportForm {
        view: ReportView::Liability,
        from: "".into(),
        ..form
    })));
    assert_eq!(r.cmds, vec![admin(AdminCall::Liability { csv: false })]);
}

#[test]
fn a_customer_row_opens_their_redemptions_in_detail_and_every_customer_again() {
    let mut r = at_reports();
    r.send(reports(Reports::Customer {
        id: "cus-asha".into(),
        name: "Asha".into(),
    }));
    let mut want = today();
    want.customer = Some("cus-asha".into());
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Report {
            kind: ReportKind::CustomerDetail,
            filter: want,
            csv: false
        })]
    );
    r.answer(ok(AdminReply::Report(empty(
        ReportKind::CustomerDetail,
        today(),
    ))));
    let version = r.f.ui.reports.version;
    r.send(reports(Reports::AllCustomers));
    assert_ne!(
        r.f.ui.reports.version, version,
        "the form is drawn again without her"
    );
    assert_eq!(r.f.ui.reports.form.customer, None);
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Report {
            kind: ReportKind::CustomerDetail,
            filter: today(),
            csv: false
        })]
    );
}

#[test]
fn a_report_is_saved_as_the_backends_csv_file() {
    let mut r = at_reports();
    r.send(reports(Reports::Csv));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Report {
            kind: ReportKind::DateCustomer,
            filter: today(),
            csv: true
        })]
    );
    let name = ReportKind::DateCustomer.file_name(&today());
    r.answer(ok(AdminReply::File {
        name: name.clone(),
        text: "Date,Customer\r\n".into(),
    }));
    assert_eq!(
        r.cmds,
        vec![Cmd::Download {
            name: name.clone(),
            text: "Date,Customer\r\n".into()
        }]
    );
    assert!(r.notice().contains(&name), "{}", r.notice());
}

#[test]
fn reports_are_for_managers_in_the_back_office_only() {
    let mut cashier = Run::with(Flow::for_mode(Mode::BackOffice, vec![]));
    cashier.sign_in_on("demo-till-1", Policy::default(), Role::Cashier);
    cashier.send(reports(Reports::Show(Screen::Reports)));
    assert!(cashier.cmds.is_empty());
    let mut till = Run::signed_in_with(Policy::default(), Role::Manager);
    till.send(reports(Reports::Show(Screen::Audit)));
    assert!(till.cmds.is_empty());
    assert_ne!(till.screen(), Screen::Audit);
}

fn signals(name: &str, flagged: Vec<Signal>) -> CashierSignals {
    CashierSignals {
        staff_id: format!("stf-{}", name.to_lowercase()),
        staff_name: name.into(),
        redemptions: 10,
        value: inr(100_000),
        overrides: 4,
        failed_codes: 0,
        no_sale: 0,
        reversals: 0,
        after_hours: 0,
        shared_contacts: 0,
        bursts: 0,
        flagged,
    }
}

#[test]
fn a_cashiers_signal_opens_the_audit_entries_behind_it_over_the_ranked_days() {
    let mut r = back_office();
    r.send(reports(Reports::Show(Screen::Cashiers)));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Cashiers {
            filter: today(),
            csv: false
        })]
    );
    r.answer(ok(AdminReply::Cashiers(CashierReport {
        from: day(TODAY),
        to: day(TODAY),
        thresholds: FraudThresholds::default(),
        cashiers: vec![signals("Ravi", vec![Signal::Overrides])],
    })));
    r.send(reports(Reports::Rank {
        from: "2023-11-08".into(),
        to: "2023-11-14".into(),
    }));
    let week = ReportFilter::days(day("2023-11-08"), day("2023-11-14")).unwrap();
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Cashiers {
            filter: week.clone(),
            csv: false
        })]
    );
    r.answer(ok(AdminReply::Cashiers(CashierReport {
        from: week.from,
        to: week.to,
        thresholds: FraudThresholds::default(),
        cashiers: vec![signals("Ravi", vec![Signal::Overrides])],
    })));
    // More than a month at once is named at its field; nothing is asked.
    r.send(reports(Reports::Rank {
        from: "2023-10-01".into(),
        to: "2023-11-14".into(),
    }));
    assert!(r.cmds.is_empty());
    assert_eq!(
        r.f.ui.reports.error("to").as_deref(),
        Some("at most 31 days at a time")
    );
    r.send(reports(Reports::CashiersCsv));
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Cashiers {
            filter: week,
            csv: true
        })]
    );
    r.answer(ok(AdminReply::File {
        name: "Cashier signals.csv".into(),
        text: "x".into(),
    }));
    r.send(reports(Reports::Drill {
        staff_id: "stf-ravi".into(),
        signal: Signal::Overrides,
    }));
    assert_eq!(r.screen(), Screen::Audit);
    assert_eq!(
        r.cmds,
        vec![admin(AdminCall::Audit {
            filter: AuditFilter {
                after: None,
                limit: Some(crate::flow::AUDIT_PAGE),
                action: Some("override".into()),
                staff: Some("stf-ravi".into()),
                from: Some(day("2023-11-08")),
                to: Some(day("2023-11-14")),
            },
            csv: false
        })]
    );
}

fn entry(seq: u64) -> AuditEntry {
    AuditEntry {
        seq,
        at_ms: T0 + seq as i64,
        action: "commit".into(),
        store_id: "s1".into(),
        terminal_id: Some("t1".into()),
        staff_id: Some("stf-ravi".into()),
        redemption_id: Some(format!("r{seq}")),
        detail: "{}".into(),
        prev_hash: String::new(),
        hash: format!("{seq:064x}"),
        store_hash: None,
    }
}

/// A store's log of `n` linked entries.
fn log(n: u64) -> Vec<AuditEntry> {
    let mut prev = STORE_GENESIS.to_string();
    (1..=n)
        .map(|i| {
            let mut e = entry(i * 2);
            let h = store_link(&prev, &e);
            e.store_hash = Some(h.clone());
            prev = h;
            e
        })
        .collect()
}

fn page(entries: &[AuditEntry], more: bool, head: &str) -> Answer {
    ok(AdminReply::Audit(AuditPage {
        entries: entries.to_vec(),
        next_after: more.then(|| entries.last().unwrap().seq),
        store_head: Some(head.into()),
        names: vec![],
    }))
}

fn at_audit() -> Run {
    let mut r = back_office();
    r.send(reports(Reports::Show(Screen::Audit)));
    r.answer(ok(AdminReply::Staff(staff())));
    r.answer(page(&[], false, STORE_GENESIS));
    r
}

#[test]
fn the_store_chain_is_checked_here_page_by_page_up_to_the_head_the_backend_names() {
    let entries = log(5);
    let head = entries[4].store_hash.clone().unwrap();
    let mut r = at_audit();
    r.send(reports(Reports::CheckChain));
    let chain_page = |after| {
        admin(AdminCall::Audit {
            filter: AuditFilter {
                after,
                limit: Some(1000),
                ..AuditFilter::default()
            },
            csv: false,
        })
    };
    assert_eq!(r.cmds, vec![chain_page(None)]);
    r.answer(page(&entries[..3], true, &head));
    assert_eq!(r.cmds, vec![chain_page(Some(6))]);
    r.answer(page(&entries[3..], false, &head));
    assert_eq!(
        r.f.ui.reports.chain,
        Some(Chain::Intact {
            linked: 5,
            before: 0
        })
    );
    assert!(r.notice().contains("checks out"), "{}", r.notice());
}

#[test]
fn an_edited_a_removed_or_a_cut_off_entry_is_found_by_the_check() {
    let entries = log(4);
    let head = entries[3].store_hash.clone().unwrap();
    let mut edited = entries.clone();
    edited[1].detail = "{\"quantity\":9999}".into();
    let mut removed = entries.clone();
    removed.remove(2);
    let cut = entries[..3].to_vec();
    for (what, list, seq) in [
        ("edited", edited, Some(4)),
        ("removed", removed, Some(8)),
        ("cut off", cut, None),
    ] {
        let mut r = at_audit();
        r.send(reports(Reports::CheckChain));
        r.answer(page(&list, false, &head));
        let Some(Chain::Broken(why)) = r.f.ui.reports.chain.clone() else {
            panic!("{what}: {:?}", r.f.ui.reports.chain);
        };
        match seq {
            Some(seq) => assert!(why.contains(&format!("entry {seq} ")), "{what}: {why}"),
            None => assert!(why.contains("ends early"), "{what}: {why}"),
        }
        assert!(r.notice().contains("does not check out"), "{what}");
    }
}

#[test]
fn audit_pages_add_up_and_a_filter_with_bad_days_asks_nothing() {
    let entries = log(3);
    let mut r = at_audit();
    r.send(reports(Reports::Audit(AuditForm {
        action: "commit".into(),
        staff: String::new(),
        from: TODAY.into(),
        to: TODAY.into(),
    })));
    r.answer(page(&entries[..2], true, "x"));
    assert_eq!(r.f.ui.reports.next_after, Some(4));
    r.send(reports(Reports::AuditMore));
    assert!(matches!(
        &r.cmds[..],
        [Cmd::Ask(_, Request::Admin(AdminCall::Audit { filter, csv: false }))]
            if filter.after == Some(4) && filter.action.as_deref() == Some("commit")
    ));
    r.answer(page(&entries[2..], false, "x"));
    assert_eq!(r.f.ui.reports.entries.len(), 3);
    assert_eq!(r.f.ui.reports.next_after, None);
    r.send(reports(Reports::AuditCsv));
    assert!(matches!(
        &r.cmds[..],
        [Cmd::Ask(_, Request::Admin(AdminCall::Audit { filter, csv: true }))]
            if filter.after.is_none() && filter.limit.is_none() && filter.action.as_deref() == Some("commit")
    ));
    r.answer(ok(AdminReply::File {
        name: "Audit log.csv".into(),
        text: "x".into(),
    }));
    r.send(reports(Reports::Audit(AuditForm {
        from: "2023-11-15".into(),
        to: TODAY.into(),
        ..AuditForm::default()
    })));
    assert!(r.cmds.is_empty());
    assert!(r.f.ui.reports.error("to").is_some());
}

/// A tab chosen while the policy is on its way (the tabs show once signed in) does not drop
/// the policy's answer; the answer opens the screen chosen.
#[test]
fn a_screen_chosen_before_the_policy_arrives_opens_when_it_does() {
    use crate::flow::parts;
    let reports_only = Flow::handle_on::<{ parts::REPORTS }>;
    let mut f = Flow::for_mode(Mode::BackOffice, vec![]);
    let sign_in = reports_only(
        &mut f,
        Msg::Act(Action::SignIn {
            terminal_token: "demo-till-2".into(),
            staff_code: "M001".into(),
            pin: "9999".into(),
        }),
        T0,
    );
    let signed_in = Msg::Answer(
        first_ask(&sign_in),
        Box::new(Answer::SignedIn(Ok(session(Role::Manager)))),
    );
    let policy_asked = reports_only(&mut f, signed_in, T0);
    let policy_id = first_ask(&policy_asked);
    // The manager picks the cashiers' signals before the policy is in: nothing is asked.
    let early = reports_only(
        &mut f,
        Msg::Act(reports(Reports::Show(Screen::Cashiers))),
        T0,
    );
    assert!(early.is_empty());
    let policy = Msg::Answer(
        policy_id,
        Box::new(Answer::PolicyLoaded(Ok(Policy::default()))),
    );
    let cmds = reports_only(&mut f, policy, T0);
    assert_eq!(f.ui.screen, Screen::Cashiers);
    assert!(
        f.signed_in.policy.is_some(),
        "the policy's answer was heard"
    );
    assert!(
        matches!(
            &cmds[..],
            [Cmd::Ask(_, Request::Admin(AdminCall::Cashiers { .. }))]
        ),
        "{cmds:?}"
    );
}

/// The reports surface's own dispatch (`parts::REPORTS`): a manager signed in lands on the
/// reports; the set-up's steps are not there, nor the reports' on the back office's.
#[test]
fn the_reports_surface_opens_on_todays_report_and_carries_no_set_up() {
    use crate::flow::parts;
    let reports_only = Flow::handle_on::<{ parts::REPORTS }>;
    let mut f = Flow::for_mode(Mode::BackOffice, vec![]);
    let last = |f: &mut Flow, m: Msg| -> Vec<Cmd> { reports_only(f, m, T0) };
    let sign_in = last(
        &mut f,
        Msg::Act(Action::SignIn {
            terminal_token: "demo-till-2".into(),
            staff_code: "M001".into(),
            pin: "9999".into(),
        }),
    );
    let cmds = last(
        &mut f,
        Msg::Answer(
            first_ask(&sign_in),
            Box::new(Answer::SignedIn(Ok(session(Role::Manager)))),
        ),
    );
    let cmds = last(
        &mut f,
        Msg::Answer(
            first_ask(&cmds),
            Box::new(Answer::PolicyLoaded(Ok(Policy::default()))),
        ),
    );
    assert_eq!(f.ui.screen, Screen::Reports);
    assert!(matches!(
        &cmds[..],
        [Cmd::Ask(_, Request::Admin(AdminCall::Staff))]
    ));
    // No set-up here: showing the staff page does nothing.
    let none = last(
        &mut f,
        Msg::Act(Action::Manage(crate::flow::Manage::Show(Screen::Staff))),
    );
    assert!(none.is_empty());
    assert_eq!(f.ui.screen, Screen::Reports);
    // And the back office's dispatch has no reports.
    let mut office = Flow::for_mode(Mode::BackOffice, vec![]);
    let cmds = Flow::handle_on::<{ parts::MANAGE }>(
        &mut office,
        Msg::Act(reports(Reports::Show(Screen::Reports))),
        T0,
    );
    assert!(cmds.is_empty());
}
