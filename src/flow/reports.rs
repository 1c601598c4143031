//! What a manager reads in the back office (issue 15): the loyalty reports and what is owed,
//! cashiers ranked by the signals of staff redeeming for themselves, and the audit log with
//! its store chain checked in this browser. Managers only; the backend decides every number
//! (the contract's rules: `contract::reports`), the flow only asks and shows.

use super::msg::{Call, Cmd, Request};
use super::state::Flow;
use super::view::{Notice, Screen};
use crate::backend::{AdminCall, AdminReply, BackendError};
use crate::messages;
use contract::api::{AuditEntry, AuditFilter, AuditPage, NameOf, StaffMember, TerminalInfo};
use contract::audit::StoreChain;
use contract::reports::{
    ApprovedBy, CashierReport, Liability, LoyaltyReport, ReportFilter, ReportKind, Signal,
    StoreDate,
};
use contract::{InstrumentKind, PolicyError};

/// What the reports screen shows: one of the reports, or the loyalty owed now.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReportView {
    Report(ReportKind),
    Liability,
}

impl ReportView {
    /// The choices, in the order the screen lists them, with their stable names.
    pub const ALL: [ReportView; 7] = [
        ReportView::Report(ReportKind::DateCustomer),
        ReportView::Report(ReportKind::CustomerDetail),
        ReportView::Report(ReportKind::Cashier),
        ReportView::Report(ReportKind::Terminal),
        ReportView::Report(ReportKind::Instrument),
        ReportView::Report(ReportKind::EndOfDay),
        ReportView::Liability,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReportView::Report(k) => k.as_str(),
            ReportView::Liability => "liability",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ReportView::Report(k) => k.title(),
            ReportView::Liability => contract::reports::LIABILITY_TITLE,
        }
    }

    pub fn parse(name: &str) -> Option<ReportView> {
        ReportView::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// A report's choices as the manager set them; ids chosen from lists, dates as typed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReportForm {
    pub view: ReportView,
    pub from: String,
    pub to: String,
    /// A staff member's id, or empty for everyone.
    pub cashier: String,
    pub terminal: String,
    /// An instrument kind's name (`gift_card`), or empty.
    pub instrument: String,
    /// An [`ApprovedBy`] name, or empty.
    pub approved_by: String,
    /// One customer (id, name), chosen from a report's row.
    pub customer: Option<(String, String)>,
}

impl Default for ReportForm {
    fn default() -> Self {
        ReportForm {
            view: ReportView::Report(ReportKind::DateCustomer),
            from: String::new(),
            to: String::new(),
            cashier: String::new(),
            terminal: String::new(),
            instrument: String::new(),
            approved_by: String::new(),
            customer: None,
        }
    }
}

/// Reads typed store days for a report; a mistake named by its field.
fn days(from: &str, to: &str) -> Result<ReportFilter, Vec<PolicyError>> {
    period(from, to, ReportFilter::days)
}

/// Reads typed store days by `rule` (a report's, or the cashiers' signals').
fn period(
    from: &str,
    to: &str,
    rule: fn(StoreDate, StoreDate) -> Result<ReportFilter, contract::reports::FilterError>,
) -> Result<ReportFilter, Vec<PolicyError>> {
    let err = |field: &str, e: contract::reports::FilterError| PolicyError {
        field: field.into(),
        message: e.to_string(),
    };
    let (f, t) = (StoreDate::parse(from), StoreDate::parse(to));
    match (f, t) {
        (Ok(f), Ok(t)) => rule(f, t).map_err(|e| vec![err("to", e)]),
        (f, t) => Err([
            f.err().map(|e| err("from", e)),
            t.err().map(|e| err("to", e)),
        ]
        .into_iter()
        .flatten()
        .collect()),
    }
}

fn chosen(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

impl ReportForm {
    /// The filter the form asks for, or its mistakes by field.
    pub fn read(&self) -> Result<ReportFilter, Vec<PolicyError>> {
        let mut f = days(&self.from, &self.to)?;
        f.cashier = chosen(&self.cashier);
        f.terminal = chosen(&self.terminal);
        f.customer = self.customer.as_ref().map(|c| c.0.clone());
        f.instrument = InstrumentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == self.instrument);
        f.approved_by = ApprovedBy::parse(&self.approved_by);
        Ok(f)
    }
}

/// The audit log's filter as typed.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AuditForm {
    pub action: String,
    /// A staff member's id, or empty.
    pub staff: String,
    pub from: String,
    pub to: String,
}

impl AuditForm {
    pub fn read(&self) -> Result<AuditFilter, Vec<PolicyError>> {
        let day = |field: &str, text: &str| match text.trim() {
            "" => Ok(None),
            t => StoreDate::parse(t).map(Some).map_err(|e| PolicyError {
                field: field.into(),
                message: e.to_string(),
            }),
        };
        let (from, to) = (day("from", &self.from), day("to", &self.to));
        let mut errors: Vec<PolicyError> = [&from, &to]
            .into_iter()
            .filter_map(|r| r.as_ref().err().cloned())
            .collect();
        if let (Ok(Some(f)), Ok(Some(t))) = (&from, &to) {
            if t < f {
                errors.push(PolicyError {
                    field: "to".into(),
                    message: contract::reports::FilterError::ToBeforeFrom.to_string(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AuditFilter {
            after: None,
            limit: Some(AUDIT_PAGE),
            action: chosen(&self.action),
            staff: chosen(&self.staff),
            from: from.ok().flatten(),
            to: to.ok().flatten(),
        })
    }
}

/// Entries read per page of the audit list (and of the chain check).
pub const AUDIT_PAGE: u32 = 200;
const CHAIN_PAGE: u32 = 1000;

/// The store chain as checked in this browser.
#[derive(Clone, PartialEq, Debug)]
pub enum Chain {
    /// Pages still being read; entries checked so far.
    Checking(Box<StoreChainRun>),
    /// Every entry of the store's log links to the one before, up to the head the backend
    /// named: `linked` checked, `before` from before the store chain began.
    Intact { linked: u64, before: u64 },
    /// Where and why it breaks.
    Broken(String),
}

/// A chain check under way (the verifier is the contract's).
#[derive(Clone, Debug)]
pub struct StoreChainRun {
    pub chain: StoreChain,
    pub read: u64,
}

impl PartialEq for StoreChainRun {
    fn eq(&self, other: &Self) -> bool {
        self.read == other.read && self.chain.head() == other.chain.head()
    }
}

/// Which answer the screen waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Reading {
    /// The staff list, then the terminals (the filters' choices), then `then`.
    Staff,
    Terminals,
    Report,
    Cashiers,
    Audit,
    Chain,
    File,
}

/// What the reports, cashiers and audit screens show.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct ReportsState {
    /// The form as last run.
    pub form: ReportForm,
    pub report: Option<LoyaltyReport>,
    pub liability: Option<Liability>,
    pub cashiers: Option<CashierReport>,
    /// Days the cashiers are ranked over, as typed, and as last asked.
    pub rank_days: (String, String),
    pub rank_filter: Option<ReportFilter>,
    pub audit_form: AuditForm,
    pub audit_filter: AuditFilter,
    pub entries: Vec<AuditEntry>,
    /// More entries match than are listed: read on after this seq.
    pub next_after: Option<u64>,
    pub names: Vec<NameOf>,
    pub chain: Option<Chain>,
    /// The filters' choices.
    pub staff: Option<Vec<StaffMember>>,
    pub terminals: Option<Vec<TerminalInfo>>,
    /// The form the last problem belongs to (`report`, `cashiers`, `audit`) and its fields.
    pub errors: Vec<PolicyError>,
    /// Bumped when a form is replaced from the flow (a drill-down), so its fields follow.
    pub version: u32,
    reading: Option<Reading>,
}

impl ReportsState {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }

    /// A staff member's or terminal's name for an id the audit log mentions.
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.names
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.name.as_str())
            .unwrap_or(id)
    }

    /// Whether the store chain is being checked now.
    pub fn checking(&self) -> bool {
        matches!(self.chain, Some(Chain::Checking(_)))
    }
}

/// What a manager does on the reports, cashiers and audit screens.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Reports {
    /// Open Reports, Cashiers or Audit: today's figures.
    Show(Screen),
    Run(ReportForm),
    /// The report on screen as a CSV file.
    Csv,
    /// One customer's redemptions in detail, over the report's days.
    Customer {
        id: String,
        name: String,
    },
    /// Everyone's again (drop the customer).
    AllCustomers,
    Rank {
        from: String,
        to: String,
    },
    CashiersCsv,
    /// The audit entries behind a cashier's signal, over the ranking's days.
    Drill {
        staff_id: String,
        signal: Signal,
    },
    Audit(AuditForm),
    AuditMore,
    AuditCsv,
    /// Read the store's whole log and check its chain here.
    CheckChain,
}

impl Flow {
    /// The store's time zone (its days and times).
    pub fn time_zone(&self) -> String {
        self.signed_in
            .policy
            .as_ref()
            .map(|p| p.time_zone.clone())
            .unwrap_or_else(|| contract::Policy::DEFAULT_TIME_ZONE.to_string())
    }

    /// The store's date now, in its time zone.
    fn today(&self) -> String {
        crate::format::store_date(self.server_now(), &self.time_zone())
    }

    pub(super) fn reports(&mut self, r: Reports) -> Vec<Cmd> {
        if !self.mode().approves() || !self.is_manager() {
            return vec![];
        }
        // The tabs show once the manager is signed in, while the policy (the store's day, the
        // thresholds) is still on its way: a screen chosen then is kept, and the policy's
        // answer opens it, instead of the choice being lost.
        if let (Reports::Show(screen), None) = (&r, &self.signed_in.policy) {
            self.ui.screen = *screen;
            return vec![];
        }
        // A page chosen while another page's figures are still on their way replaces that
        // reading (its answer is dropped): the tabs are never disabled, so a click on one
        // must never be lost. Anything else waits for the reading, its buttons disabled.
        let replaces_a_reading = matches!(r, Reports::Show(_)) && self.busy() == Some(Call::Report);
        if !self.idle() && !replaces_a_reading {
            return vec![];
        }
        self.ui.reports.errors.clear();
        let call = match r {
            Reports::Show(screen) => return self.show_reports(screen),
            Reports::Run(form) => return self.run_report(form),
            Reports::Csv => {
                let s = &self.ui.reports;
                match (s.form.view, s.report.as_ref()) {
                    (ReportView::Liability, _) => AdminCall::Liability { csv: true },
                    (ReportView::Report(kind), Some(r)) => AdminCall::Report {
                        kind,
                        filter: r.filter.clone(),
                        csv: true,
                    },
                    _ => return vec![],
                }
            }
            Reports::Customer { id, name } => {
                let mut form = self.ui.reports.form.clone();
                form.view = ReportView::Report(ReportKind::CustomerDetail);
                form.customer = Some((id, name));
                self.ui.reports.version = self.ui.reports.version.wrapping_add(1);
                return self.run_report(form);
            }
            Reports::AllCustomers => {
                let mut form = self.ui.reports.form.clone();
                form.customer = None;
                // The form follows (its "only this customer" line goes).
                self.ui.reports.version = self.ui.reports.version.wrapping_add(1);
                return self.run_report(form);
            }
            Reports::Rank { from, to } => {
                self.ui.reports.rank_days = (from.clone(), to.clone());
                match period(&from, &to, ReportFilter::signal_days) {
                    Ok(filter) => {
                        self.ui.reports.rank_filter = Some(filter.clone());
                        AdminCall::Cashiers { filter, csv: false }
                    }
                    Err(e) => return self.reports_invalid(e),
                }
            }
            Reports::CashiersCsv => match self.ui.reports.rank_filter.clone() {
                Some(filter) => AdminCall::Cashiers { filter, csv: true },
                None => return vec![],
            },
            Reports::Drill { staff_id, signal } => {
                let (from, to) = match self.ui.reports.cashiers.as_ref() {
                    Some(c) => (c.from.to_string(), c.to.to_string()),
                    None => (self.today(), self.today()),
                };
                let form = AuditForm {
                    action: signal.audit_action().to_string(),
                    staff: staff_id,
                    from,
                    to,
                };
                self.ui.screen = Screen::Audit;
                self.ui.reports.version = self.ui.reports.version.wrapping_add(1);
                return self.audit(form);
            }
            Reports::Audit(form) => return self.audit(form),
            Reports::AuditMore => match self.ui.reports.next_after {
                Some(after) => AdminCall::Audit {
                    filter: AuditFilter {
                        after: Some(after),
                        ..self.ui.reports.audit_filter.clone()
                    },
                    csv: false,
                },
                None => return vec![],
            },
            Reports::AuditCsv => AdminCall::Audit {
                filter: AuditFilter {
                    after: None,
                    limit: None,
                    ..self.ui.reports.audit_filter.clone()
                },
                csv: true,
            },
            Reports::CheckChain => {
                self.ui.reports.chain = Some(Chain::Checking(Box::new(StoreChainRun {
                    chain: StoreChain::new(),
                    read: 0,
                })));
                chain_page(None)
            }
        };
        let reading = match &call {
            AdminCall::Report { csv: true, .. }
            | AdminCall::Liability { csv: true }
            | AdminCall::Cashiers { csv: true, .. }
            | AdminCall::Audit { csv: true, .. } => Reading::File,
            AdminCall::Cashiers { .. } => Reading::Cashiers,
            AdminCall::Audit { .. } if self.ui.reports.checking() => Reading::Chain,
            AdminCall::Audit { .. } => Reading::Audit,
            _ => Reading::Report,
        };
        self.read(reading, call)
    }

    fn read(&mut self, reading: Reading, call: AdminCall) -> Vec<Cmd> {
        self.ui.reports.reading = Some(reading);
        vec![self.ask(Request::Admin(call))]
    }

    fn show_reports(&mut self, screen: Screen) -> Vec<Cmd> {
        self.ui.waiting = None;
        self.ui.screen = screen;
        let today = self.today();
        let s = &mut self.ui.reports;
        // The lists stay (the filters' choices); what was read is read again.
        *s = ReportsState {
            staff: s.staff.take(),
            terminals: s.terminals.take(),
            version: s.version.wrapping_add(1),
            ..ReportsState::default()
        };
        s.form.from = today.clone();
        s.form.to = today.clone();
        s.rank_days = (today.clone(), today.clone());
        s.audit_form = AuditForm {
            from: today.clone(),
            to: today,
            ..AuditForm::default()
        };
        match screen {
            Screen::Reports | Screen::Audit if s.staff.is_none() => {
                self.read(Reading::Staff, AdminCall::Staff)
            }
            Screen::Reports if s.terminals.is_none() => {
                self.read(Reading::Terminals, AdminCall::Terminals)
            }
            _ => self.first_read(),
        }
    }

    /// The screen's first figures, once the filters' choices are known.
    fn first_read(&mut self) -> Vec<Cmd> {
        let s = &self.ui.reports;
        match self.ui.screen {
            Screen::Reports => {
                let form = s.form.clone();
                self.run_report(form)
            }
            Screen::Cashiers => {
                let (from, to) = s.rank_days.clone();
                self.reports(Reports::Rank { from, to })
            }
            Screen::Audit => {
                let form = s.audit_form.clone();
                self.audit(form)
            }
            _ => vec![],
        }
    }

    fn run_report(&mut self, form: ReportForm) -> Vec<Cmd> {
        let call = match form.view {
            ReportView::Liability => AdminCall::Liability { csv: false },
            ReportView::Report(kind) => match form.read() {
                Ok(filter) => AdminCall::Report {
                    kind,
                    filter,
                    csv: false,
                },
                Err(e) => {
                    self.ui.reports.form = form;
                    return self.reports_invalid(e);
                }
            },
        };
        let s = &mut self.ui.reports;
        s.form = form;
        s.report = None;
        s.liability = None;
        self.read(Reading::Report, call)
    }

    fn audit(&mut self, form: AuditForm) -> Vec<Cmd> {
        let s = &mut self.ui.reports;
        s.audit_form = form.clone();
        s.chain = None;
        match form.read() {
            Ok(filter) => {
                s.audit_filter = filter.clone();
                s.entries.clear();
                s.names.clear();
                s.next_after = None;
                self.read(Reading::Audit, AdminCall::Audit { filter, csv: false })
            }
            Err(e) => self.reports_invalid(e),
        }
    }

    fn reports_invalid(&mut self, errors: Vec<PolicyError>) -> Vec<Cmd> {
        self.ui.reports.errors = errors;
        self.ui.notice = Some(Notice::err(
            "Some fields need fixing: see the messages next to them.",
        ));
        vec![]
    }

    /// An answer for the reports, cashiers or audit screens (`None`: not theirs).
    pub(super) fn reported(
        &mut self,
        r: Result<AdminReply, BackendError>,
    ) -> Result<Vec<Cmd>, Result<AdminReply, BackendError>> {
        let Some(reading) = self.ui.reports.reading.take() else {
            return Err(r);
        };
        if !matches!(
            self.ui.screen,
            Screen::Reports | Screen::Cashiers | Screen::Audit
        ) {
            return Err(r);
        }
        let reply = match r {
            Ok(reply) => reply,
            Err(e) => return Ok(self.report_failed(reading, e)),
        };
        let s = &mut self.ui.reports;
        match reply {
            AdminReply::Staff(list) => {
                s.staff = Some(list);
                if self.ui.screen == Screen::Reports && s.terminals.is_none() {
                    return Ok(self.read(Reading::Terminals, AdminCall::Terminals));
                }
                Ok(self.first_read())
            }
            AdminReply::Terminals(list) => {
                s.terminals = Some(list);
                Ok(self.first_read())
            }
            AdminReply::Report(report) => {
                s.report = Some(report);
                Ok(vec![])
            }
            AdminReply::Liability(l) => {
                s.liability = Some(l);
                Ok(vec![])
            }
            AdminReply::Cashiers(c) => {
                s.cashiers = Some(c);
                Ok(vec![])
            }
            AdminReply::Audit(page) if reading == Reading::Chain => Ok(self.chain_read(page)),
            AdminReply::Audit(page) => {
                let AuditPage {
                    entries,
                    next_after,
                    names,
                    ..
                } = page;
                s.entries.extend(entries);
                s.next_after = next_after;
                for n in names {
                    if !s.names.iter().any(|x| x.id == n.id) {
                        s.names.push(n);
                    }
                }
                Ok(vec![])
            }
            AdminReply::File { name, text } => {
                self.ui.notice = Some(Notice::ok(format!("Saved {name} to your downloads.")));
                Ok(vec![Cmd::Download { name, text }])
            }
            other => Err(Ok(other)),
        }
    }

    fn chain_read(&mut self, page: AuditPage) -> Vec<Cmd> {
        let s = &mut self.ui.reports;
        let Some(Chain::Checking(run)) = s.chain.as_mut() else {
            return vec![];
        };
        for e in &page.entries {
            run.read += 1;
            if let Err(b) = run.chain.see(e) {
                s.chain = Some(Chain::Broken(b.to_string()));
                self.ui.notice = Some(Notice::err(format!(
                    "The audit log does not check out: {b}. Keep the export and tell your head office."
                )));
                return vec![];
            }
        }
        match page.next_after {
            Some(after) => self.read(Reading::Chain, chain_page(Some(after))),
            None => {
                let verdict = run.chain.finish(page.store_head.as_deref());
                let (linked, before) = (run.chain.linked(), run.chain.before());
                match verdict {
                    Ok(()) => {
                        s.chain = Some(Chain::Intact { linked, before });
                        self.ui.notice = Some(Notice::ok(chain_intact(linked, before)));
                    }
                    Err(b) => {
                        s.chain = Some(Chain::Broken(b.to_string()));
                        self.ui.notice = Some(Notice::err(format!(
                            "The audit log does not check out: {b}. Keep the export and tell your head office."
                        )));
                    }
                }
                vec![]
            }
        }
    }

    fn report_failed(&mut self, reading: Reading, e: BackendError) -> Vec<Cmd> {
        let s = &mut self.ui.reports;
        if reading == Reading::Chain {
            s.chain = None;
        }
        if let BackendError::Problem(p) = &e {
            if let Some(field) = &p.field {
                s.errors.push(PolicyError {
                    field: field.clone(),
                    message: p.detail.clone().unwrap_or_else(|| messages::for_problem(p)),
                });
            }
        }
        self.ui.fail(&e, None);
        self.check_session(&e)
    }
}

fn chain_page(after: Option<u64>) -> AdminCall {
    AdminCall::Audit {
        filter: AuditFilter {
            after,
            limit: Some(CHAIN_PAGE),
            ..AuditFilter::default()
        },
        csv: false,
    }
}

/// What an intact chain means, in a manager's words.
pub fn chain_intact(linked: u64, before: u64) -> String {
    let mut text = format!(
        "The audit log checks out: all {linked} entries of this store link to each other up to the newest, so none was changed or removed."
    );
    if before > 0 {
        text.push_str(&format!(
            " {before} older entries are from before the store chain began; the server's own check (verify-audit) covers them."
        ));
    }
    text
}
