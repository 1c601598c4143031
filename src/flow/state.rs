//! The flow's state, in parts. A reset replaces whole parts ([`Reset`]); what survives what is
//! decided in one place, [`Flow::reset`].
//!
//! Plain data: no tokens (the backend keeps the session token), never a code.

use super::mode::Mode;
use super::msg::{Call, Cmd, ReqId, Request};
use super::view::{Field, FieldError, Notice, Screen};
use crate::backend::BackendError;
use crate::messages;
use contract::api::{
    ApprovalRequest, Balance, CustomerSummary, OtpSent, Receipt, Redemption, Role, Session,
};
use contract::rules::{Bill, Purpose};
use contract::{Channel, InstrumentKind, Policy, PolicyError};

#[derive(Clone, PartialEq, Debug)]
pub struct Flow {
    /// Where the app runs; fixed when it is mounted.
    pub place: Place,
    /// What the device remembers.
    pub device: Device,
    /// Who is signed in on this terminal, and what came with the sign-in.
    pub signed_in: SignedIn,
    /// The sale: what it is for, and the customer and instrument chosen.
    pub sale: Sale,
    /// The redemption under way.
    pub redemption: RedemptionState,
    /// Kiosk: the customer's identification and the idle clock.
    pub kiosk: KioskState,
    /// What the screens show and the request being waited for.
    pub ui: Ui,
    /// The time of the last message.
    pub now_ms: i64,
    /// The last request id handed out. Outside every part, so never reset: an answer to a
    /// request made before a reset can never pass for the answer to a later one.
    last_request: u32,
}

/// Where the app runs and what the page around it decided.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Place {
    pub mode: Mode,
    /// Instrument kinds this place may redeem (widget config; kiosk: what can become a
    /// voucher). Empty: all.
    pub allowed_kinds: Vec<InstrumentKind>,
    /// The host page's display locale (widget), else the store policy's.
    pub host_locale: Option<String>,
    /// A bill the host page supplied: the bill screen is skipped and it cannot be changed.
    pub host_bill: Option<Bill>,
}

impl Place {
    /// A place for a mode; `allowed_kinds` empty means every kind (where nothing has a bill,
    /// every kind that can become a voucher).
    pub fn new(mode: Mode, mut allowed_kinds: Vec<InstrumentKind>) -> Place {
        if !mode.has_bill() {
            if allowed_kinds.is_empty() {
                allowed_kinds = InstrumentKind::ALL.to_vec();
            }
            allowed_kinds.retain(|k| Purpose::Voucher.accepts(*k));
        }
        Place {
            mode,
            allowed_kinds,
            ..Place::default()
        }
    }

    /// What a new sale is for: the host's bill, a voucher where there is no bill, or nothing
    /// yet (the cashier types the bill or chooses a voucher).
    pub fn starting_purpose(&self) -> Option<Purpose> {
        match &self.host_bill {
            Some(bill) => Some(Purpose::Bill { bill: bill.clone() }),
            None if !self.mode.has_bill() => Some(Purpose::Voucher),
            None => None,
        }
    }
}

/// What the device remembers across sign-outs.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Device {
    pub terminal_token: Option<String>,
    /// A redemption left open (by a reload or an ended session), to resume after sign-in.
    pub pending_redemption: Option<String>,
}

/// The signed-in session.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct SignedIn {
    /// Signed-in staff (a kiosk: its self-service session), with the token blanked.
    pub session: Option<Session>,
    pub policy: Option<Policy>,
    /// Server clock minus ours, learnt when an intent is created; timers use server time.
    pub skew_ms: i64,
}

/// The current sale.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Sale {
    /// A bill, or a printed voucher.
    pub purpose: Option<Purpose>,
    /// The last search, as sent.
    pub query: String,
    pub customers: Option<Vec<CustomerSummary>>,
    /// The chosen customer's balances (only the instruments this place allows).
    pub balance: Option<Balance>,
    pub instrument_id: Option<String>,
    /// What loyalty has taken from the bill so far (minor units of its currency): this
    /// till's redemptions on it, or the backend's figure for every open hold and posted
    /// redemption on it when a receipt brings one (S12). It goes with the bill: kept while
    /// the sale's bill stays the same, zero for another bill.
    pub bill_redeemed_minor: u64,
    /// The bill being changed ("Change"): its number and total stay in the form to correct.
    pub changing: Option<Bill>,
    /// The channel chosen with the quantity: the code goes by it as soon as the hold is made.
    pub send_on_hold: Option<Channel>,
    /// The points this sale earned the customer (the backend's answer).
    pub earned: Option<contract::api::Accrual>,
    /// Printed vouchers taken off this sale's bill (the form empties after each).
    pub vouchers_taken: u32,
}

/// What is known about the last code sent to the customer.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct CodeState {
    pub attempts_left: Option<u8>,
    /// The code was reported expired: only a resend helps.
    pub expired: bool,
    /// A code was asked for (sent or not): only then can the customer "not have got" it.
    pub send_tried: bool,
}

impl CodeState {
    /// A code just sent: its tries, not expired.
    pub(super) fn sent(sent: &OtpSent) -> Self {
        CodeState {
            attempts_left: Some(sent.attempts_left),
            expired: false,
            send_tried: true,
        }
    }
}

/// The redemption under way.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct RedemptionState {
    /// The intent as the backend last described it.
    pub intent: Option<Redemption>,
    pub code: CodeState,
    pub commit: Option<Commit>,
    pub receipt: Option<Receipt>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CommitState {
    /// Sent; waiting for the answer.
    InFlight,
    /// No answer: the points may or may not be redeemed. A retry (same key) is scheduled.
    Retrying,
    /// Still unknown after the automatic retries; the cashier retries by hand (same key).
    Unknown,
}

/// One commit attempt sequence: a single idempotency key for all its retries.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Commit {
    pub key: String,
    pub attempts: u32,
    pub state: CommitState,
}

/// Kiosk: the customer proving the number is theirs, and the idle clock.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct KioskState {
    /// The identification code last sent.
    pub sent: Option<OtpSent>,
    /// The channel that proved the customer's contact: each voucher's own code goes there.
    pub channel: Option<Channel>,
    /// The number the code went to (for a resend).
    pub query: String,
    pub code: CodeState,
    /// The last touch, and whether anything happened since the last reset.
    pub last_activity_ms: i64,
    pub dirty: bool,
}

/// The request the flow waits for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Waiting {
    pub id: ReqId,
    pub call: Call,
}

/// What the screens show.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Ui {
    pub screen: Screen,
    /// The one backend request whose answer the flow will hear.
    pub waiting: Option<Waiting>,
    pub notice: Option<Notice>,
    pub field_error: Option<FieldError>,
    pub policy_errors: Vec<PolicyError>,
    /// Back office: the requests waiting for a manager, as last read.
    pub approvals: Option<Vec<ApprovalRequest>>,
    /// When a background read (`Call::Poll`) was last asked for.
    pub polled_ms: i64,
    /// Back office: the store's set-up as last read, and the forms' state.
    pub manage: super::ManageState,
    /// Back office: reports, cashiers' signals and the audit log as last read.
    pub reports: super::ReportsState,
    /// Bumped on every reset past the customer, so screens are rebuilt and typed text is
    /// dropped.
    pub epoch: u32,
}

impl Ui {
    pub(super) fn field(&mut self, field: Field, text: impl Into<String>) {
        self.field_error = Some(FieldError {
            field,
            text: text.into(),
        });
    }

    /// Shows a failed call's message next to its field when it has one, else in the status
    /// line. Transport failures always go to the status line.
    pub(super) fn fail(&mut self, e: &BackendError, field: Option<Field>) {
        self.fail_as(e, field, false);
    }

    /// [`Ui::fail`], worded for whoever reads it: the customer at a kiosk typed the code
    /// themselves, so a wrong one is not "the customer's" to read again.
    pub(super) fn fail_as(&mut self, e: &BackendError, field: Option<Field>, customer: bool) {
        let text = match e {
            BackendError::Problem(p) if customer && p.code == contract::ErrorCode::OtpInvalid => {
                messages::wrong_code_for_customer(p.attempts_left)
            }
            e => messages::for_error(e),
        };
        match (e, field) {
            (BackendError::Problem(_), Some(field)) => self.field(field, text),
            _ => self.notice = Some(Notice::err(text)),
        }
    }
}

/// How far a reset goes; each level forgets everything the one before it forgets, and more.
///
/// | part       | Customer     | Sale        | Visit       | Session         |
/// |------------|--------------|-------------|-------------|-----------------|
/// | place      | kept         | kept        | kept        | kept            |
/// | device     | kept         | kept        | kept        | pending cleared |
/// | signed_in  | kept         | kept        | kept        | new             |
/// | sale       | purpose kept | new         | new         | new             |
/// | redemption | new          | new         | new         | new             |
/// | kiosk, ui  | kept         | kept        | new, epoch+1| new, epoch+1    |
///
/// A new sale's purpose is the place's starting purpose: the host's bill, a voucher where
/// there is no bill, else none (the cashier types a bill). What was redeemed on a bill goes
/// with the bill: it is kept whenever the new sale's bill is the same bill (a widget's
/// "Redeem more" continues on what is left to pay).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Reset {
    /// Another customer for the same bill: start over, cancel before a hold.
    Customer,
    /// The next sale: its bill goes too (a host's bill stays).
    Sale,
    /// A kiosk forgets its customer: on screen (typed text, messages) and in memory. The
    /// kiosk's own session stays.
    Visit,
    /// Signed out, or the session ended.
    Session,
}

impl Default for Flow {
    fn default() -> Self {
        Flow::new()
    }
}

impl Flow {
    /// A till (every instrument kind).
    pub fn new() -> Self {
        Flow::at(Place::default())
    }

    /// A flow for a mode; see [`Place::new`].
    pub fn for_mode(mode: Mode, allowed_kinds: Vec<InstrumentKind>) -> Self {
        Flow::at(Place::new(mode, allowed_kinds))
    }

    /// A signed-out flow at a place; its first sale is for the place's starting purpose.
    pub fn at(place: Place) -> Self {
        Flow {
            sale: Sale {
                purpose: place.starting_purpose(),
                ..Sale::default()
            },
            place,
            device: Device::default(),
            signed_in: SignedIn::default(),
            redemption: RedemptionState::default(),
            kiosk: KioskState::default(),
            ui: Ui::default(),
            now_ms: 0,
            last_request: 0,
        }
    }

    /// The one rule for what survives what (see [`Reset`]).
    pub(super) fn reset(&mut self, level: Reset) {
        self.redemption = RedemptionState::default();
        let purpose = match level {
            Reset::Customer => self.sale.purpose.take(),
            _ => self.place.starting_purpose(),
        };
        let bill_redeemed_minor = self.redeemed_on(purpose.as_ref());
        self.sale = Sale {
            purpose,
            bill_redeemed_minor,
            ..Sale::default()
        };
        if level >= Reset::Visit {
            self.kiosk = KioskState::default();
            self.ui = Ui {
                epoch: self.ui.epoch.wrapping_add(1),
                ..Ui::default()
            };
        }
        if level >= Reset::Session {
            self.signed_in = SignedIn::default();
            self.device.pending_redemption = None;
        }
    }

    /// A request to the backend. It replaces any request still waited for: that one's answer
    /// will be dropped.
    pub(super) fn ask(&mut self, request: Request) -> Cmd {
        self.last_request = self.last_request.wrapping_add(1);
        let id = ReqId(self.last_request);
        self.ui.waiting = Some(Waiting {
            id,
            call: request.call(),
        });
        Cmd::Ask(id, request)
    }

    pub fn mode(&self) -> Mode {
        self.place.mode
    }

    /// The kind of request being waited for; buttons that would start another are disabled.
    /// A background read disables nothing.
    pub fn busy(&self) -> Option<Call> {
        self.ui.waiting.map(|w| w.call).filter(|c| *c != Call::Poll)
    }

    /// Nothing is waited for but, at most, a background read (which any action replaces).
    pub(super) fn idle(&self) -> bool {
        self.busy().is_none()
    }

    /// The locale money and dates are shown in.
    pub fn locale(&self) -> String {
        self.place
            .host_locale
            .clone()
            .or_else(|| self.signed_in.policy.as_ref().map(|p| p.locale.clone()))
            .unwrap_or_else(|| "en-IN".to_string())
    }

    /// Server time now, for comparing with the backend's deadlines.
    pub fn server_now(&self) -> i64 {
        self.now_ms + self.signed_in.skew_ms
    }

    pub fn is_manager(&self) -> bool {
        self.signed_in
            .session
            .as_ref()
            .is_some_and(|s| s.staff.role == Role::Manager)
    }

    /// The screen a new sale starts on.
    pub(super) fn sale_screen(&self) -> Screen {
        if !self.mode().sells() {
            Screen::Policy
        } else if !self.mode().has_bill() {
            Screen::KioskStart
        } else if self.sale.purpose.is_some() {
            Screen::Customer
        } else {
            Screen::Bill
        }
    }
}

/// Whole seconds left until `deadline_ms` (rounded up, so "0" means it has passed).
pub fn seconds_left(deadline_ms: i64, now_ms: i64) -> u64 {
    let ms = deadline_ms.saturating_sub(now_ms);
    if ms <= 0 {
        0
    } else {
        (ms as u64).div_ceil(1000)
    }
}
