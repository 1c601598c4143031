//! A manager's back-office calls: the store's set-up (`/v1/admin/…`), its reports and its
//! audit log. One call type and one answer type, so the back office's screens share one
//! request path through the flow.

use contract::api::{AuditFilter, AuditPage};
use contract::api::{
    ImportResult, NewOverrideCode, NewPin, NewStaff, NewTerminal, StaffMember, TerminalAdded,
    TerminalInfo,
};
use contract::cards::{CardIssued, CardType, IssueCard, NewCardType};
use contract::outreach::{Consent, MessagePreview, NewMessage, SentMessage, SetConsent};
use contract::reports::{CashierReport, Liability, LoyaltyReport, ReportFilter, ReportKind};
use std::sync::Arc;

/// One `/v1/admin/…` call.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum AdminCall {
    Staff,
    AddStaff(NewStaff),
    DisableStaff(String),
    SetPin {
        id: String,
        body: NewPin,
    },
    Terminals,
    AddTerminal(NewTerminal),
    RevokeTerminal(String),
    SetOverrideCode(NewOverrideCode),
    CardTypes,
    AddCardType(NewCardType),
    EditCardType {
        id: String,
        body: NewCardType,
    },
    IssueCard(IssueCard),
    /// The file as read (shared, not copied: it may be megabytes), checked only or imported.
    Import {
        csv: Arc<str>,
        dry_run: bool,
    },
    /// The store's messages to customers, and the merchant's card types to send to.
    Messages,
    /// What a message to customers would do; nothing is sent.
    PreviewMessage(NewMessage),
    SendMessage(NewMessage),
    SetConsent(SetConsent),
    /// Whether a member gets the daily sales summary.
    SetDailySummary {
        id: String,
        on: bool,
    },
    /// A report, on screen or (`csv`) as a file.
    Report {
        kind: ReportKind,
        filter: ReportFilter,
        csv: bool,
    },
    /// Loyalty owed now; as a file with `csv`.
    Liability {
        csv: bool,
    },
    /// Cashiers ranked by their signals over the filter's days; as a file with `csv`.
    Cashiers {
        filter: ReportFilter,
        csv: bool,
    },
    /// A page of the audit log, or (`csv`) every entry of the filter as a file.
    Audit {
        filter: AuditFilter,
        csv: bool,
    },
}

/// The answer to an [`AdminCall`], one variant per kind of answer.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum AdminReply {
    Staff(Vec<StaffMember>),
    /// A member added, disabled or given a new PIN.
    Member(StaffMember),
    Terminals(Vec<TerminalInfo>),
    TerminalAdded(TerminalAdded),
    TerminalRevoked(TerminalInfo),
    OverrideCodeSet,
    CardTypes(Vec<CardType>),
    CardType(CardType),
    CardIssued(CardIssued),
    Imported(ImportResult),
    Messages {
        sent: Vec<SentMessage>,
        card_types: Vec<CardType>,
    },
    /// A message's preview, with the message it is of.
    Preview {
        message: NewMessage,
        preview: MessagePreview,
    },
    MessageSent(SentMessage),
    Consent(Consent),
    Report(LoyaltyReport),
    Liability(Liability),
    Cashiers(CashierReport),
    Audit(AuditPage),
    /// A file to save: its name and text.
    File {
        name: String,
        text: Arc<str>,
    },
}
