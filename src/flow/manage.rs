//! The back office's set-up of the store (issue 14): staff and their PINs, tills and kiosks,
//! the override code, loyalty card types and cards issued to customers, and a customer master
//! brought in from a CSV file (checked first, then imported). Managers only; the backend
//! checks everything again and writes each change to the audit log.
//!
//! Forms arrive as typed; the contract's rules (`contract::credentials`, `contract::cards`)
//! decide what may be sent, so a mistake is named next to its field before any request.

use super::msg::{Cmd, Request};
use super::state::Flow;
use super::view::{Notice, Screen};
use crate::backend::{AdminCall, AdminReply, BackendError};
use crate::{format, messages};
use contract::api::{
    ImportResult, NewOverrideCode, NewPin, NewStaff, NewTerminal, Role, StaffMember, TerminalAdded,
    TerminalInfo, TerminalMode,
};
use contract::cards::{CardIssued, CardType, IssueCard, NewCardType};
use contract::outreach::{Category, Consent, MessagePreview, NewMessage, SentMessage, SetConsent};
use contract::{credentials, Channel, Currency, Money, PolicyError};
use std::sync::Arc;

/// The back office's forms, so a problem shows on the form it belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    Staff,
    Pin,
    Terminal,
    OverrideCode,
    CardType,
    Card,
    Import,
    Message,
    Consent,
    DailySummary,
}

/// A change that takes a second, deliberate tap.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Danger {
    Disable { id: String, name: String },
    Revoke { id: String, name: String },
}

/// A new staff member as typed.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct StaffForm {
    pub code: String,
    pub name: String,
    pub manager: bool,
    pub pin: String,
    /// Optional: where a manager's alerts go; compared with customers' contacts.
    pub mobile: String,
}

/// A card type as typed; the amounts in the store's currency ("100.00").
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CardTypeForm {
    pub name: String,
    pub customer_type: String,
    pub earn_points: String,
    pub earn_per: String,
    pub point_value: String,
}

impl CardTypeForm {
    /// The form filled in with a card type's settings (to edit it).
    pub fn of(c: &CardType) -> Self {
        let amount = |m: Money| m.to_decimal_string();
        CardTypeForm {
            name: c.name.clone(),
            customer_type: c.customer_type.clone(),
            earn_points: c.earn_points.to_string(),
            earn_per: amount(c.earn_per),
            point_value: amount(c.point_value),
        }
    }

    /// The card type, or every field that is wrong (the contract's rules).
    pub fn read(&self, currency: Currency) -> Result<NewCardType, Vec<PolicyError>> {
        let mut errors = Vec::new();
        let mut money = |field: &str, text: &str| {
            Money::parse(text, currency).unwrap_or_else(|e| {
                errors.push(PolicyError {
                    field: field.into(),
                    message: e.to_string(),
                });
                Money::zero(currency)
            })
        };
        let earn_per = money("earn_per", &self.earn_per);
        let point_value = money("point_value", &self.point_value);
        let earn_points = self.earn_points.trim().parse::<u32>().unwrap_or_else(|_| {
            errors.push(PolicyError {
                field: "earn_points".into(),
                message: "a whole number of points, e.g. 1".into(),
            });
            0
        });
        let card = NewCardType {
            name: self.name.trim().to_string(),
            customer_type: self.customer_type.trim().to_string(),
            earn_points,
            earn_per,
            point_value,
        };
        if let Err(more) = card.validate(currency) {
            // One message per field: what could not be read is named once.
            for e in more {
                if !errors.iter().any(|x| x.field == e.field) {
                    errors.push(e);
                }
            }
        }
        // In the form's order.
        let order = [
            "name",
            "customer_type",
            "earn_points",
            "earn_per",
            "point_value",
        ];
        errors.sort_by_key(|e| order.iter().position(|f| *f == e.field));
        match errors.is_empty() {
            true => Ok(card),
            false => Err(errors),
        }
    }
}

/// A message to customers as typed: to the customers listed (one per line, or separated by
/// commas) or to everyone with a card type.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MessageForm {
    pub to_card_type: bool,
    pub customers: String,
    /// The card type's id.
    pub card_type: String,
    pub category: Category,
    pub channel: Channel,
    pub text: String,
}

impl MessageForm {
    /// The message, or every field that is wrong (the contract's rules).
    pub fn read(&self) -> Result<NewMessage, Vec<PolicyError>> {
        let (customers, card_type) = match self.to_card_type {
            true => (Vec::new(), Some(self.card_type.clone())),
            false => (
                self.customers
                    .split(['\n', ',', ';'])
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty())
                    .collect(),
                None,
            ),
        };
        let m = NewMessage {
            category: self.category,
            channel: self.channel,
            customers,
            card_type,
            text: self.text.trim().to_string(),
        };
        m.validate().map(|()| m)
    }
}

/// What a manager does in the back office's set-up screens.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Manage {
    /// Open a screen: Staff, Terminals, OverrideCode, Cards or Import.
    Show(Screen),
    AddStaff(StaffForm),
    SetPin {
        id: String,
        pin: String,
    },
    /// Disable a member or revoke a terminal: asks to confirm first.
    Ask(Danger),
    /// The change asked about is confirmed.
    Confirm,
    /// The change asked about is not made.
    Keep,
    AddTerminal {
        name: String,
        kiosk: bool,
    },
    /// The new code, and the same typed again.
    SetOverrideCode {
        code: String,
        again: String,
    },
    /// Edit a card type (its id), or add a new one (none).
    Edit(Option<String>),
    SaveCardType(CardTypeForm),
    IssueCard(IssueCard),
    /// A CSV file as read in the browser: check it (a dry run at the backend).
    CheckImport {
        name: String,
        csv: Arc<str>,
    },
    /// Import the file the last check passed.
    Import,
    /// A different file was chosen: the last check no longer applies.
    ForgetImport,
    /// The new terminal's token is typed into its device: take it off the screen.
    TokenEntered,
    /// What a message to customers would do.
    PreviewMessage(MessageForm),
    /// Send the message last previewed, as previewed.
    SendMessage,
    /// The message was changed after its preview: the preview no longer applies.
    ForgetPreview,
    /// Read the sent messages again (their delivery changes as reports come in).
    RefreshMessages,
    SetConsent(SetConsent),
    /// A member gets the daily sales summary, or no longer.
    DailySummary {
        id: String,
        on: bool,
    },
}

/// The back office's set-up as last read, and its forms.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct ManageState {
    pub staff: Option<Vec<StaffMember>>,
    pub terminals: Option<Vec<TerminalInfo>>,
    pub card_types: Option<Vec<CardType>>,
    /// A terminal just added, with its token: shown until the manager leaves the screen.
    pub added_terminal: Option<TerminalAdded>,
    pub issued: Option<CardIssued>,
    pub confirming: Option<Danger>,
    /// The card type in the form: `Some(id)` edits it, `None` adds one.
    pub editing: Option<String>,
    /// The chosen file's name and text, and the backend's report on it.
    pub file: Option<(String, Arc<str>)>,
    pub report: Option<ImportResult>,
    /// Messages to customers, newest first.
    pub messages: Option<Vec<SentMessage>>,
    /// The message last previewed, and what it would do.
    pub preview: Option<(NewMessage, MessagePreview)>,
    /// A customer's consent as just saved.
    pub consent: Option<Consent>,
    /// The form the last problem belongs to, and its problems by field.
    pub form: Option<Form>,
    pub errors: Vec<PolicyError>,
    /// Bumped after a form is saved, so its fields are emptied.
    pub saved: u32,
    /// The form whose request was sent last (an answer is read as its answer).
    pub last: Option<Form>,
}

impl ManageState {
    /// The problem with a form's field, if the last attempt had one.
    pub fn error(&self, form: Form, field: &str) -> Option<String> {
        (self.form == Some(form))
            .then(|| self.errors.iter().find(|e| e.field == field))
            .flatten()
            .map(|e| e.message.clone())
    }

    /// The file the last check found nothing wrong with (and that is not yet imported).
    pub fn importable(&self) -> bool {
        self.file.is_some()
            && self
                .report
                .as_ref()
                .is_some_and(|r| r.dry_run && r.errors.is_empty())
    }
}

impl Flow {
    /// The back office's set-up screens are for its managers.
    fn manages(&self) -> bool {
        self.mode().approves() && self.is_manager()
    }

    pub(super) fn manage(&mut self, m: Manage) -> Vec<Cmd> {
        if !self.manages() || !self.idle() {
            return vec![];
        }
        let s = &mut self.ui.manage;
        if !matches!(m, Manage::Confirm | Manage::Keep) {
            s.confirming = None;
        }
        s.form = None;
        s.errors.clear();
        let currency = self.signed_in.policy.as_ref().map(|p| p.currency);
        let call = match m {
            Manage::Show(screen) => return self.show_manage(screen),
            Manage::AddStaff(f) => {
                let code = credentials::staff_code(&f.code);
                let pin = credentials::check_pin(&f.pin);
                let mut bad = vec![];
                if let Err(e) = &code {
                    bad.push(("code", e.clone()));
                }
                if f.name.trim().is_empty() {
                    bad.push(("name", "give their name as colleagues know it".into()));
                }
                if let Err(e) = pin {
                    bad.push(("pin", e.to_string()));
                }
                let mobile = match f.mobile.trim() {
                    "" => None,
                    typed => {
                        let home = self
                            .signed_in
                            .policy
                            .as_ref()
                            .map(|p| p.country_calling_code)
                            .unwrap_or(contract::CallingCode::INDIA);
                        if let Err(e) = contract::Mobile::parse(typed, home) {
                            bad.push(("mobile", e.to_string()));
                        }
                        Some(typed.to_string())
                    }
                };
                if !bad.is_empty() {
                    return self.form_invalid(Form::Staff, bad);
                }
                AdminCall::AddStaff(NewStaff {
                    code: code.unwrap_or_default(),
                    name: f.name.trim().to_string(),
                    role: if f.manager {
                        Role::Manager
                    } else {
                        Role::Cashier
                    },
                    pin: f.pin,
                    mobile,
                })
            }
            Manage::SetPin { id, pin } => {
                if id.is_empty() {
                    return self.form_invalid(
                        Form::Pin,
                        vec![("member", "choose whose PIN to set".into())],
                    );
                }
                if let Err(e) = credentials::check_pin(&pin) {
                    return self.form_invalid(Form::Pin, vec![("pin", e.to_string())]);
                }
                AdminCall::SetPin {
                    id,
                    body: NewPin { pin },
                }
            }
            Manage::Ask(danger) => {
                s.confirming = Some(danger);
                return vec![];
            }
            Manage::Keep => {
                s.confirming = None;
                return vec![];
            }
            Manage::Confirm => match s.confirming.take() {
                Some(Danger::Disable { id, .. }) => AdminCall::DisableStaff(id),
                Some(Danger::Revoke { id, .. }) => AdminCall::RevokeTerminal(id),
                None => return vec![],
            },
            Manage::AddTerminal { name, kiosk } => {
                if name.trim().is_empty() {
                    return self.form_invalid(
                        Form::Terminal,
                        vec![(
                            "name",
                            "give it a name the staff know it by, e.g. Till 2".into(),
                        )],
                    );
                }
                s.added_terminal = None;
                AdminCall::AddTerminal(NewTerminal {
                    name: name.trim().to_string(),
                    mode: if kiosk {
                        TerminalMode::Kiosk
                    } else {
                        TerminalMode::Pos
                    },
                })
            }
            Manage::SetOverrideCode { code, again } => {
                if let Err(e) = credentials::check_override_code(&code) {
                    return self.form_invalid(Form::OverrideCode, vec![("code", e.to_string())]);
                }
                if code != again {
                    return self.form_invalid(
                        Form::OverrideCode,
                        vec![(
                            "again",
                            "is not the same code: type the new code again".into(),
                        )],
                    );
                }
                AdminCall::SetOverrideCode(NewOverrideCode { code })
            }
            Manage::Edit(id) => {
                s.editing = id;
                return vec![];
            }
            Manage::SaveCardType(form) => {
                let Some(currency) = currency else {
                    return vec![];
                };
                match (form.read(currency), s.editing.clone()) {
                    (Err(errors), _) => {
                        s.form = Some(Form::CardType);
                        s.errors = errors;
                        self.ui.notice = Some(Notice::err(FIX_FIELDS));
                        return vec![];
                    }
                    (Ok(body), Some(id)) => AdminCall::EditCardType { id, body },
                    (Ok(body), None) => AdminCall::AddCardType(body),
                }
            }
            Manage::IssueCard(c) => {
                let mut bad = vec![];
                if c.customer.trim().is_empty() {
                    bad.push((
                        "customer",
                        "give the customer's mobile number, e-mail or current card number".into(),
                    ));
                }
                if let Err(e) = contract::CardNumber::parse(&c.card) {
                    bad.push(("card", e.to_string()));
                }
                if let Some(Err(e)) = c
                    .customer_type
                    .as_deref()
                    .map(contract::cards::customer_type)
                {
                    bad.push(("customer_type", e));
                }
                if !bad.is_empty() {
                    return self.form_invalid(Form::Card, bad);
                }
                s.issued = None;
                AdminCall::IssueCard(IssueCard {
                    customer: c.customer.trim().to_string(),
                    card: c.card.trim().to_string(),
                    customer_type: c.customer_type,
                })
            }
            Manage::CheckImport { name, csv } => {
                if csv.trim().is_empty() {
                    return self.form_invalid(
                        Form::Import,
                        vec![(
                            "file",
                            format!("{name} is empty: choose the CSV file with the customers"),
                        )],
                    );
                }
                s.file = Some((name, csv.clone()));
                s.report = None;
                AdminCall::Import { csv, dry_run: true }
            }
            Manage::Import => {
                if !s.importable() {
                    return vec![];
                }
                let csv = s
                    .file
                    .as_ref()
                    .map(|f| f.1.clone())
                    .unwrap_or_else(|| "".into());
                AdminCall::Import {
                    csv,
                    dry_run: false,
                }
            }
            Manage::ForgetImport => {
                s.file = None;
                s.report = None;
                return vec![];
            }
            Manage::TokenEntered => {
                s.added_terminal = None;
                return vec![];
            }
            Manage::PreviewMessage(form) => match form.read() {
                Err(errors) => {
                    s.form = Some(Form::Message);
                    s.errors = errors;
                    s.preview = None;
                    self.ui.notice = Some(Notice::err(FIX_FIELDS));
                    return vec![];
                }
                Ok(m) => {
                    s.preview = None;
                    AdminCall::PreviewMessage(m)
                }
            },
            Manage::SendMessage => match s.preview.as_ref() {
                Some((m, p)) if p.recipients > 0 && p.recipients <= p.budget_left => {
                    AdminCall::SendMessage(m.clone())
                }
                _ => return vec![],
            },
            Manage::ForgetPreview => {
                s.preview = None;
                return vec![];
            }
            Manage::RefreshMessages => AdminCall::Messages,
            Manage::DailySummary { id, on } => AdminCall::SetDailySummary { id, on },
            Manage::SetConsent(c) => {
                if c.customer.trim().is_empty() {
                    return self.form_invalid(
                        Form::Consent,
                        vec![(
                            "customer",
                            "give the customer's mobile number, e-mail or card number".into(),
                        )],
                    );
                }
                s.consent = None;
                AdminCall::SetConsent(SetConsent {
                    customer: c.customer.trim().to_string(),
                    ..c
                })
            }
        };
        self.ui.manage.last = form_of(&call);
        vec![self.ask(Request::Admin(call))]
    }

    fn show_manage(&mut self, screen: Screen) -> Vec<Cmd> {
        let load = match screen {
            Screen::Staff => Some(AdminCall::Staff),
            Screen::Terminals => Some(AdminCall::Terminals),
            Screen::Cards => Some(AdminCall::CardTypes),
            Screen::Messages => Some(AdminCall::Messages),
            Screen::OverrideCode | Screen::Import => None,
            _ => return vec![],
        };
        self.ui.waiting = None; // a background read's answer is no longer wanted
        self.ui.screen = screen;
        self.ui.manage = ManageState {
            saved: self.ui.manage.saved.wrapping_add(1),
            ..ManageState::default()
        };
        load.map(|c| vec![self.ask(Request::Admin(c))])
            .unwrap_or_default()
    }

    fn form_invalid(&mut self, form: Form, bad: Vec<(&str, String)>) -> Vec<Cmd> {
        let s = &mut self.ui.manage;
        s.form = Some(form);
        s.errors = bad
            .into_iter()
            .map(|(field, message)| PolicyError {
                field: field.into(),
                message,
            })
            .collect();
        self.ui.notice = Some(Notice::err(FIX_FIELDS));
        vec![]
    }

    pub(super) fn managed(&mut self, r: Result<AdminReply, BackendError>) -> Vec<Cmd> {
        let locale = self.locale();
        let s = &mut self.ui.manage;
        let done = |s: &mut ManageState, text: String| {
            s.saved = s.saved.wrapping_add(1);
            Some(Notice::ok(text))
        };
        let notice = match r {
            Ok(AdminReply::Staff(list)) => {
                s.staff = Some(list);
                None
            }
            Ok(AdminReply::Member(m)) => {
                let staff = s.staff.get_or_insert_with(Vec::new);
                match s.last {
                    Some(Form::Staff) => {
                        staff.push(m.clone());
                        done(
                            s,
                            format!(
                                "Added {} ({}, code {}). They sign in at a till with their code and PIN.",
                                m.name,
                                role_name(m.role),
                                m.code
                            ),
                        )
                    }
                    Some(Form::DailySummary) => {
                        if let Some(x) = staff.iter_mut().find(|x| x.id == m.id) {
                            *x = m.clone();
                        }
                        Some(Notice::ok(match m.daily_summary {
                            true => format!(
                                "{} gets the store's daily sales summary by SMS at closing time.",
                                m.name
                            ),
                            false => format!("{} no longer gets the daily sales summary.", m.name),
                        }))
                    }
                    Some(Form::Pin) => done(
                        s,
                        format!(
                            "New PIN set for {}. Their sessions have ended; they sign in with the new PIN.",
                            m.name
                        ),
                    ),
                    _ => {
                        staff.retain(|x| x.id != m.id);
                        Some(Notice::ok(format!(
                            "{} is disabled: they can no longer sign in, and their sessions have ended.",
                            m.name
                        )))
                    }
                }
            }
            Ok(AdminReply::Terminals(list)) => {
                s.terminals = Some(list);
                None
            }
            Ok(AdminReply::TerminalAdded(t)) => {
                s.terminals
                    .get_or_insert_with(Vec::new)
                    .push(t.terminal.clone());
                let text = format!(
                    "{} added. Type its token into the new {} now: it is shown only this once.",
                    t.terminal.name,
                    mode_name(t.terminal.mode)
                );
                s.added_terminal = Some(t);
                done(s, text)
            }
            Ok(AdminReply::TerminalRevoked(t)) => {
                if let Some(list) = s.terminals.as_mut() {
                    list.retain(|x| x.id != t.id);
                }
                Some(Notice::ok(format!(
                    "{} is revoked: its token no longer works, and anyone signed in on it was signed out.",
                    t.name
                )))
            }
            Ok(AdminReply::OverrideCodeSet) => done(
                s,
                "Override code changed. The old code no longer works; tell it only to the managers who need it.".into(),
            ),
            Ok(AdminReply::CardTypes(list)) => {
                s.card_types = Some(list);
                None
            }
            Ok(AdminReply::CardType(c)) => {
                let list = s.card_types.get_or_insert_with(Vec::new);
                match list.iter_mut().find(|x| x.id == c.id) {
                    Some(x) => *x = c.clone(),
                    None => list.push(c.clone()),
                }
                s.editing = None;
                done(
                    s,
                    format!(
                        "Saved {}: {} customers earn {} per {}; 1 point is worth {}.",
                        c.name,
                        c.customer_type,
                        format::quantity(contract::Unit::Points, u64::from(c.earn_points), c.point_value, &locale),
                        format::money(c.earn_per, &locale),
                        format::money(c.point_value, &locale),
                    ),
                )
            }
            Ok(AdminReply::CardIssued(c)) => {
                let what = match (&c.customer_type, &c.card_type) {
                    (Some(t), Some(card)) => format!(" ({t} customer: the {card} card's rates apply)"),
                    (Some(t), None) => format!(" ({t} customer: no card type for them yet, the store's rates apply)"),
                    (None, _) => String::new(),
                };
                let welcome = match c.welcome {
                    Some(channel) => format!(" A welcome message went to them by {}.", channel.label()),
                    None => String::new(),
                };
                let text = format!("Card {} issued to {}{what}. The till finds them by it.{welcome}", c.card, c.customer_name);
                s.issued = Some(c);
                done(s, text)
            }
            Ok(AdminReply::Imported(report)) => {
                let text = import_summary(&report);
                let ok = report.errors.is_empty();
                if !report.dry_run {
                    s.file = None;
                }
                s.report = Some(report);
                match ok {
                    true => Some(Notice::ok(text)),
                    false => Some(Notice::err(text)),
                }
            }
            Ok(AdminReply::Messages { sent, card_types }) => {
                s.messages = Some(sent);
                s.card_types = Some(card_types);
                None
            }
            Ok(AdminReply::Preview { message, preview }) => {
                s.preview = Some((message, preview));
                None
            }
            Ok(AdminReply::MessageSent(m)) => {
                let text = format!(
                    "Sending to {}. How each send goes shows in the list below; Refresh to see reports come in.",
                    customers(m.recipients)
                );
                s.preview = None;
                s.messages.get_or_insert_with(Vec::new).insert(0, m);
                done(s, text)
            }
            Ok(AdminReply::Consent(c)) => {
                let yes = |b: bool| if b { "yes" } else { "no" };
                let text = format!(
                    "Saved for {}: service messages {}, promotional messages {}.",
                    c.customer_name,
                    yes(c.service),
                    yes(c.promotional)
                );
                s.consent = Some(c);
                done(s, text)
            }
            // A report's answer after its screen was left.
            Ok(
                AdminReply::Report(_)
                | AdminReply::Liability(_)
                | AdminReply::Cashiers(_)
                | AdminReply::Audit(_)
                | AdminReply::File { .. },
            ) => None,
            Err(BackendError::Problem(p)) => {
                if !p.errors.is_empty() || p.field.is_some() {
                    s.form = s.last;
                    s.errors = p.errors.clone();
                    if let Some(f) = &p.field {
                        s.errors.push(PolicyError {
                            field: f.clone(),
                            message: p.detail.clone().unwrap_or_else(|| messages::for_problem(&p)),
                        });
                    }
                }
                let text = p
                    .detail
                    .clone()
                    .unwrap_or_else(|| messages::for_problem(&p));
                self.ui.notice = Some(Notice::err(text));
                return self.check_session(&BackendError::Problem(p));
            }
            Err(e) => {
                self.ui.fail(&e, None);
                return self.check_session(&e);
            }
        };
        if notice.is_some() {
            self.ui.notice = notice;
        }
        vec![]
    }
}

/// The form a call is sent from (`None`: a list is read, or a change confirmed).
fn form_of(call: &AdminCall) -> Option<Form> {
    match call {
        AdminCall::AddStaff(_) => Some(Form::Staff),
        AdminCall::SetPin { .. } => Some(Form::Pin),
        AdminCall::AddTerminal(_) => Some(Form::Terminal),
        AdminCall::SetOverrideCode(_) => Some(Form::OverrideCode),
        AdminCall::AddCardType(_) | AdminCall::EditCardType { .. } => Some(Form::CardType),
        AdminCall::IssueCard(_) => Some(Form::Card),
        AdminCall::Import { .. } => Some(Form::Import),
        AdminCall::PreviewMessage(_) | AdminCall::SendMessage(_) => Some(Form::Message),
        AdminCall::SetConsent(_) => Some(Form::Consent),
        AdminCall::SetDailySummary { .. } => Some(Form::DailySummary),
        AdminCall::Staff
        | AdminCall::DisableStaff(_)
        | AdminCall::Terminals
        | AdminCall::RevokeTerminal(_)
        | AdminCall::CardTypes
        | AdminCall::Messages
        | AdminCall::Report { .. }
        | AdminCall::Liability { .. }
        | AdminCall::Cashiers { .. }
        | AdminCall::Audit { .. } => None,
    }
}

const FIX_FIELDS: &str = "Some fields need fixing: see the messages next to them.";

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Cashier => "cashier",
        Role::Manager => "manager",
    }
}

fn mode_name(m: TerminalMode) -> &'static str {
    match m {
        TerminalMode::Pos => "till",
        TerminalMode::Kiosk => "kiosk",
    }
}

/// What an import did or would do, in a manager's words.
pub fn import_summary(r: &ImportResult) -> String {
    let n = |k: u32, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    if !r.errors.is_empty() {
        let rows: std::collections::BTreeSet<u32> = r.errors.iter().map(|e| e.row).collect();
        return format!(
            "Nothing imported: {} in {} of {}. Fix the file and check it again.",
            n(r.errors.len() as u32, "problem", "problems"),
            n(rows.len() as u32, "row", "rows"),
            n(r.rows, "row", "rows"),
        );
    }
    let (verb, tail) = match r.dry_run {
        true => ("would add", " Nothing is written until you press Import."),
        false => ("added", ""),
    };
    format!(
        "{}: {verb} {} with {}; {} already there, left as they are. No messages are sent.{tail}",
        n(r.rows, "row", "rows"),
        n(r.added, "customer", "customers"),
        n(r.balances_opened, "opening balance", "opening balances"),
        r.unchanged,
    )
}

fn customers(n: u32) -> String {
    match n {
        1 => "1 customer".into(),
        n => format!("{n} customers"),
    }
}

/// Who a previewed message reaches, who it leaves out and why, in a manager's words.
pub fn preview_summary(m: &NewMessage, p: &MessagePreview) -> Vec<String> {
    let mut lines = vec![format!("Goes to {}.", customers(p.recipients))];
    if p.without_consent > 0 {
        lines.push(format!(
            "Left out: {}, who did not agree to {} messages.",
            customers(p.without_consent),
            m.category.label().to_lowercase()
        ));
    }
    if p.unreachable > 0 {
        let how = match m.channel {
            Channel::Sms => "no mobile number",
            Channel::Whatsapp => "no WhatsApp",
            Channel::Email => "no e-mail address",
        };
        lines.push(format!(
            "Left out: {} with {how}.",
            customers(p.unreachable)
        ));
    }
    if !p.not_found.is_empty() {
        lines.push(format!("Not a customer: {}.", p.not_found.join(", ")));
    }
    if m.channel == Channel::Sms && p.parts > 1 {
        lines.push(format!("Each SMS is {} parts long.", p.parts));
    }
    lines.push(match p.budget_left {
        0 => "No messages to customers are left for today.".to_string(),
        n if n < p.recipients => {
            format!("Only {n} messages to customers are left for today: send to fewer customers.")
        }
        n => format!("{n} messages to customers are left for today."),
    });
    lines
}
