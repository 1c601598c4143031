//! A manager's set-up of their store in the back office (`/v1/admin/…`): one call type and one
//! answer type, so the back office's screens share one request path through the flow.

use contract::api::{
    ImportResult, NewOverrideCode, NewPin, NewStaff, NewTerminal, StaffMember, TerminalAdded,
    TerminalInfo,
};
use contract::cards::{CardIssued, CardType, IssueCard, NewCardType};
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
}
