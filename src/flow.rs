//! The cashier flow (SPEC §4) as a plain state machine: no DOM, no clock, no I/O.
//!
//! [`Flow::handle`] takes a [`Msg`] (something the cashier did, or a backend answer) and the
//! current time, changes the state, and returns the [`Cmd`]s (backend calls, storage writes,
//! timers) the driver must run. Every answer comes back as another `Msg`. The screens are thin
//! views over this state, so every transition is testable natively.

use crate::backend::BackendError;
use crate::messages;
use contract::api::{
    Balance, CreateRedemption, CustomerSummary, KioskIdentify, OtpSent, Override, Receipt,
    Redemption, RedemptionStatus, Role, Session, SignIn,
};
use contract::lookup::{self, Searcher};
use contract::rules::{self, AllowedRange, Checked, Purpose, RuleError};
use contract::{
    Bill, Channel, ErrorCode, InstrumentBalance, InstrumentKind, Money, MoneyError, OtpCode,
    Policy, PolicyError, Quantity, QuantityError, Unit,
};

mod kiosk;

/// Where the app runs (SPEC §1). One flow; the mode decides who drives it and what is shown.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Mode {
    /// A cashier's tablet: staff sign in; bills are typed, or points become vouchers.
    #[default]
    Pos,
    /// A self-service kiosk: the customer proves the number is theirs with a code, then turns
    /// benefits into printed vouchers. No staff controls; it forgets everything when idle.
    Kiosk,
    /// Inside a host page (an appointment book): the host supplies the bill and hears how the
    /// redemption ended.
    Widget,
}

impl Mode {
    /// Stable name for `data-mode` (tests and CSS).
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Pos => "pos",
            Mode::Kiosk => "kiosk",
            Mode::Widget => "widget",
        }
    }
}

/// How a widget's redemption ended, for the host page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    Redeemed,
    Cancelled,
    Failed,
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Redeemed => "redeemed",
            Outcome::Cancelled => "cancelled",
            Outcome::Failed => "failed",
        }
    }
}

/// What the host page is told (callback and DOM event). `redemption` is absent when the front
/// desk closed the widget before anything was held.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HostEvent {
    pub outcome: Outcome,
    pub bill_id: Option<String>,
    pub redemption: Option<HostRedemption>,
    /// Why it failed or ended, in words the front desk understands.
    pub reason: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HostRedemption {
    pub id: String,
    pub instrument_kind: InstrumentKind,
    pub instrument_label: String,
    pub unit: Unit,
    pub quantity: Quantity,
    pub value: Money,
}

impl HostRedemption {
    fn of(r: &Redemption) -> Self {
        HostRedemption {
            id: r.id.clone(),
            instrument_kind: r.instrument_kind,
            instrument_label: r.instrument_label.clone(),
            unit: r.unit,
            quantity: r.quantity,
            value: r.value,
        }
    }
}

/// Automatic commit retries (with the same key) before the cashier is asked to retry by hand.
pub const COMMIT_AUTO_RETRIES: u32 = 4;

/// Delay before automatic commit retry `n` (1-based): 1 s, 2 s, 4 s, 8 s.
pub fn commit_backoff_ms(n: u32) -> u32 {
    1_000u32.saturating_mul(1 << n.saturating_sub(1).min(4))
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

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Screen {
    SignIn,
    /// Bill number and total (typed in standalone mode).
    Bill,
    /// Find the customer.
    Customer,
    Balance,
    /// Quantity of the chosen instrument.
    Redeem,
    /// Channel, send, code entry.
    Otp,
    Override,
    Confirm,
    Receipt,
    /// The redemption ended without a receipt.
    Closed(Closed),
    /// After a reload: an unfinished redemption was found.
    Resume,
    Policy,
    /// Kiosk: the customer types their mobile or card number.
    KioskStart,
    /// Kiosk: the customer types the code sent to them.
    KioskCode,
}

impl Screen {
    /// Stable name for `data-screen` (tests and CSS).
    pub fn name(&self) -> &'static str {
        match self {
            Screen::SignIn => "signin",
            Screen::Bill => "bill",
            Screen::Customer => "customer",
            Screen::Balance => "balance",
            Screen::Redeem => "redeem",
            Screen::Otp => "otp",
            Screen::Override => "override",
            Screen::Confirm => "confirm",
            Screen::Receipt => "receipt",
            Screen::Closed(_) => "closed",
            Screen::Resume => "resume",
            Screen::Policy => "policy",
            Screen::KioskStart => "kiosk-start",
            Screen::KioskCode => "kiosk-code",
        }
    }
}

/// Why a redemption ended without a receipt. Each says truthfully what happened to the points.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Closed {
    Locked,
    Expired,
    Cancelled,
    /// Completed earlier (e.g. before a reload); nothing more to do.
    AlreadyCommitted,
    Reversed,
}

impl Closed {
    pub fn name(&self) -> &'static str {
        match self {
            Closed::Locked => "locked",
            Closed::Expired => "expired",
            Closed::Cancelled => "cancelled",
            Closed::AlreadyCommitted => "already_committed",
            Closed::Reversed => "reversed",
        }
    }
    pub fn title(&self) -> &'static str {
        match self {
            Closed::Locked => "Redemption locked",
            Closed::Expired => "Redemption expired",
            Closed::Cancelled => "Redemption cancelled",
            Closed::AlreadyCommitted => "Already redeemed",
            Closed::Reversed => "Redemption reversed",
        }
    }
    pub fn explanation(&self) -> &'static str {
        match self {
            Closed::Locked => "Too many wrong codes. Nothing was redeemed and the hold is released. Start again if the customer still wants to redeem.",
            Closed::Expired => "The time to finish ran out. Nothing was redeemed and the hold is released.",
            Closed::Cancelled => "Nothing was redeemed. The held points are back on the customer's balance.",
            Closed::AlreadyCommitted => "This redemption was completed earlier. Do not redeem it again.",
            Closed::Reversed => "This redemption was reversed; the points are back on the customer's balance.",
        }
    }
}

/// Backend calls in flight, so buttons can be disabled and double taps ignored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Call {
    SignIn,
    SignOut,
    Policy,
    SavePolicy,
    Search,
    Balance,
    Create,
    Fetch,
    SendOtp,
    Verify,
    Override,
    Commit,
    Cancel,
    Identify,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tone {
    Info,
    Success,
    Error,
}

/// The status line (an ARIA live region).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Notice {
    pub tone: Tone,
    pub text: String,
}

impl Notice {
    fn info(t: impl Into<String>) -> Self {
        Notice {
            tone: Tone::Info,
            text: t.into(),
        }
    }
    fn ok(t: impl Into<String>) -> Self {
        Notice {
            tone: Tone::Success,
            text: t.into(),
        }
    }
    fn err(t: impl Into<String>) -> Self {
        Notice {
            tone: Tone::Error,
            text: t.into(),
        }
    }
}

/// A form field a server error can be shown next to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Field {
    Terminal,
    Pin,
    BillId,
    BillTotal,
    Query,
    Quantity,
    Code,
    Override,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FieldError {
    pub field: Field,
    pub text: String,
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

/// Everything the cashier did or the backend answered.
#[derive(Clone, Debug)]
pub enum Msg {
    /// App start: what the device remembers.
    Start {
        terminal_token: Option<String>,
        pending_redemption: Option<String>,
    },
    /// A second passed (drives countdowns and expiry).
    Tick,
    SignIn {
        terminal_token: String,
        staff_code: String,
        pin: String,
    },
    SignedIn(Result<Session, BackendError>),
    PolicyLoaded(Result<Policy, BackendError>),
    SignOut,
    SignedOut,
    /// Standalone mode: the bill as typed.
    EnterBill {
        id: String,
        total: String,
    },
    /// Points to a printed voucher, no bill.
    VoucherMode,
    /// A host supplied the bill (widget mode; already valid).
    HostBill(Bill),
    ChangeBill,
    Search(String),
    Found {
        query: String,
        result: Result<Vec<CustomerSummary>, BackendError>,
    },
    ChooseCustomer(String),
    BalanceLoaded(Result<Balance, BackendError>),
    ChooseInstrument(String),
    BackToBalance,
    BackToSearch,
    /// The quantity as typed (or amount, for credit instruments).
    Hold(String),
    Created(Result<Redemption, BackendError>),
    SendOtp(Channel),
    OtpSent {
        id: String,
        result: Result<OtpSent, BackendError>,
    },
    Verify(String),
    Verified {
        id: String,
        result: Result<Redemption, BackendError>,
    },
    OpenOverride,
    CloseOverride,
    SubmitOverride(Override),
    Overridden {
        id: String,
        result: Result<Redemption, BackendError>,
    },
    /// Confirm tapped. `fresh_key` is a new UUID; used only if no commit sequence is under way.
    Confirm {
        fresh_key: String,
    },
    /// The scheduled (or manual) retry of an unknown commit.
    RetryCommit,
    Committed {
        id: String,
        result: Result<Receipt, BackendError>,
    },
    Cancel,
    Cancelled {
        id: String,
        result: Result<Redemption, BackendError>,
    },
    Fetched {
        id: String,
        result: Result<Redemption, BackendError>,
    },
    ResumeContinue,
    /// After a closed redemption: the same bill, a fresh search.
    StartOver,
    NextCustomer,
    OpenPolicy,
    ClosePolicy,
    SavePolicy(Policy),
    /// The policy form could not even be read (e.g. letters in a number field).
    PolicyFormInvalid(Vec<PolicyError>),
    PolicySaved(Result<Policy, BackendError>),
    /// A touch or key press anywhere (kiosk: postpones the idle reset).
    Activity,
    /// Kiosk: the customer's mobile or card number as typed.
    KioskIdentify(String),
    KioskCodeSent(Result<OtpSent, BackendError>),
    KioskResend,
    KioskVerify(String),
    KioskVerified(Result<Balance, BackendError>),
    /// Kiosk: the customer is finished (or walked away): forget them.
    KioskDone,
    /// Widget: the front desk closes the widget without redeeming.
    Close,
}

/// What the driver must do.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Cmd {
    SignIn {
        terminal_token: String,
        body: SignIn,
    },
    SignOut,
    LoadPolicy,
    SavePolicy(Policy),
    Search(String),
    LoadBalance(String),
    Create(CreateRedemption),
    Fetch(String),
    SendOtp {
        id: String,
        channel: Channel,
    },
    Verify {
        id: String,
        code: OtpCode,
    },
    Override {
        id: String,
        body: Override,
    },
    Commit {
        id: String,
        key: String,
    },
    /// Send `Msg::RetryCommit` after this delay.
    RetryCommitAfter(u32),
    Cancel(String),
    /// sessionStorage: the open redemption's id (never a code or a token), or clear it.
    RememberRedemption(Option<String>),
    /// localStorage: the terminal token, as device provisioning.
    RememberTerminal(String),
    KioskIdentify(KioskIdentify),
    KioskVerify(OtpCode),
    /// Kiosk: the backend forgets the customer and releases their holds.
    KioskForget,
    /// Widget: tell the host page how the redemption ended.
    Notify(HostEvent),
}

/// Why a typed quantity cannot be redeemed (before any call to the backend).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum QuantityProblem {
    Parse(QuantityError),
    Amount(MoneyError),
    Rule(RuleError),
}

impl std::fmt::Display for QuantityProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QuantityProblem::Parse(e) => e.fmt(f),
            QuantityProblem::Amount(e) => e.fmt(f),
            QuantityProblem::Rule(e) => e.fmt(f),
        }
    }
}

/// Parses and checks a quantity with the contract's rules (S10). Credit instruments (gift
/// cards, membership credit) are typed as an amount and held in minor units.
pub fn check_quantity(
    input: &str,
    policy: &Policy,
    instrument: &InstrumentBalance,
    purpose: &Purpose,
) -> Result<Checked, QuantityProblem> {
    let quantity = if instrument.unit == Unit::Credit {
        let m = Money::parse(input, instrument.unit_value.currency())
            .map_err(QuantityProblem::Amount)?;
        Quantity::new(m.minor()).map_err(QuantityProblem::Parse)?
    } else {
        Quantity::parse(input).map_err(QuantityProblem::Parse)?
    };
    rules::check_redemption(policy, instrument, quantity, purpose).map_err(QuantityProblem::Rule)
}

/// The flow's state. Plain data (no tokens: the backend keeps the session token).
#[derive(Clone, PartialEq, Debug)]
pub struct Flow {
    pub screen: Screen,
    pub now_ms: i64,
    /// Server clock minus ours, learnt when an intent is created; timers use server time.
    pub skew_ms: i64,
    pub terminal_token: Option<String>,
    /// Signed-in staff, with the token blanked.
    pub session: Option<Session>,
    pub policy: Option<Policy>,
    pub purpose: Option<Purpose>,
    /// The bill came from a host page and cannot be changed here.
    pub host_bill: bool,
    pub query: String,
    pub customers: Option<Vec<CustomerSummary>>,
    pub balance: Option<Balance>,
    pub instrument_id: Option<String>,
    pub redemption: Option<Redemption>,
    pub attempts_left: Option<u8>,
    /// The code was reported expired: only a resend helps.
    pub code_expired: bool,
    pub commit: Option<Commit>,
    pub receipt: Option<Receipt>,
    /// A redemption id remembered across a reload, to resume after sign-in.
    pub pending_redemption: Option<String>,
    pub busy: Option<Call>,
    pub notice: Option<Notice>,
    pub field_error: Option<FieldError>,
    pub policy_errors: Vec<PolicyError>,
    /// Where to go back to from the policy screen.
    pub before_policy: Option<Screen>,
    pub mode: Mode,
    /// Instrument kinds this place may redeem (widget config; kiosk: what can become a
    /// voucher). Empty: all.
    pub allowed_kinds: Vec<InstrumentKind>,
    /// Kiosk: the identification code last sent.
    pub kiosk_sent: Option<OtpSent>,
    /// Kiosk: the number the code went to (for a resend).
    pub kiosk_query: String,
    /// Kiosk: the last touch, and whether anything happened since the last reset.
    pub last_activity_ms: i64,
    pub kiosk_dirty: bool,
    /// Bumped on every kiosk reset so screens are rebuilt and typed text is dropped.
    pub epoch: u32,
    /// The host page's display locale (widget), else the store policy's.
    pub host_locale: Option<String>,
}

impl Default for Flow {
    fn default() -> Self {
        Flow::new()
    }
}

impl Flow {
    pub fn new() -> Self {
        Flow {
            screen: Screen::SignIn,
            now_ms: 0,
            skew_ms: 0,
            terminal_token: None,
            session: None,
            policy: None,
            purpose: None,
            host_bill: false,
            query: String::new(),
            customers: None,
            balance: None,
            instrument_id: None,
            redemption: None,
            attempts_left: None,
            code_expired: false,
            commit: None,
            receipt: None,
            pending_redemption: None,
            busy: None,
            notice: None,
            field_error: None,
            policy_errors: Vec::new(),
            before_policy: None,
            mode: Mode::Pos,
            allowed_kinds: Vec::new(),
            kiosk_sent: None,
            kiosk_query: String::new(),
            last_activity_ms: 0,
            kiosk_dirty: false,
            epoch: 0,
            host_locale: None,
        }
    }

    /// A flow for a mode; `allowed_kinds` empty means every kind (on a kiosk: every kind that
    /// can become a voucher).
    pub fn for_mode(mode: Mode, mut allowed_kinds: Vec<InstrumentKind>) -> Self {
        if mode == Mode::Kiosk {
            if allowed_kinds.is_empty() {
                allowed_kinds = InstrumentKind::ALL.to_vec();
            }
            allowed_kinds.retain(|k| Purpose::Voucher.accepts(*k));
        }
        Flow {
            mode,
            allowed_kinds,
            ..Flow::new()
        }
    }

    /// A signed-out flow that keeps what belongs to the device or the host page: the mode,
    /// the terminal token, allowed kinds and a host's bill.
    fn fresh(&mut self) -> Flow {
        Flow {
            now_ms: self.now_ms,
            terminal_token: self.terminal_token.take(),
            purpose: self.purpose.take().filter(|_| self.host_bill),
            host_bill: self.host_bill,
            mode: self.mode,
            allowed_kinds: std::mem::take(&mut self.allowed_kinds),
            epoch: self.epoch.wrapping_add(1),
            host_locale: self.host_locale.take(),
            ..Flow::new()
        }
    }

    /// The locale money and dates are shown in.
    pub fn locale(&self) -> String {
        self.host_locale
            .clone()
            .or_else(|| self.policy.as_ref().map(|p| p.locale.clone()))
            .unwrap_or_else(|| "en-IN".to_string())
    }

    /// Whether this place may redeem an instrument of this kind.
    pub fn allows(&self, kind: InstrumentKind) -> bool {
        self.allowed_kinds.is_empty() || self.allowed_kinds.contains(&kind)
    }

    /// Server time now, for comparing with the backend's deadlines.
    pub fn server_now(&self) -> i64 {
        self.now_ms + self.skew_ms
    }

    pub fn is_manager(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.staff.role == Role::Manager)
    }

    pub fn instrument(&self) -> Option<&InstrumentBalance> {
        let id = self.instrument_id.as_deref()?;
        self.balance
            .as_ref()?
            .instruments
            .iter()
            .find(|i| i.id == id)
    }

    pub fn customer(&self) -> Option<&CustomerSummary> {
        self.balance.as_ref().map(|b| &b.customer)
    }

    /// The allowed range for an instrument on the current bill, shown before typing.
    pub fn range_for(
        &self,
        instrument: &InstrumentBalance,
    ) -> Option<Result<AllowedRange, RuleError>> {
        let policy = self.policy.as_ref()?;
        let purpose = self.purpose.as_ref()?;
        Some(rules::allowed_range(policy, instrument, purpose))
    }

    pub fn allowed_range(&self) -> Option<Result<AllowedRange, RuleError>> {
        self.range_for(self.instrument()?)
    }

    /// Inline check of the quantity being typed.
    pub fn check(&self, input: &str) -> Option<Result<Checked, QuantityProblem>> {
        Some(check_quantity(
            input,
            self.policy.as_ref()?,
            self.instrument()?,
            self.purpose.as_ref()?,
        ))
    }

    /// Seconds until the code expires, if one was sent.
    pub fn code_seconds_left(&self) -> Option<u64> {
        let otp = self.last_code()?;
        Some(seconds_left(otp.expires_at_ms, self.server_now()))
    }

    /// Seconds until Resend is allowed (0: now).
    pub fn resend_wait(&self) -> Option<u64> {
        let otp = self.last_code()?;
        Some(seconds_left(otp.resend_after_ms, self.server_now()))
    }

    /// The code last sent: the kiosk's identification code, else the redemption's.
    fn last_code(&self) -> Option<&OtpSent> {
        self.kiosk_sent
            .as_ref()
            .or_else(|| self.redemption.as_ref()?.otp.as_ref())
    }

    pub fn hold_seconds_left(&self) -> Option<u64> {
        Some(seconds_left(
            self.redemption.as_ref()?.expires_at_ms,
            self.server_now(),
        ))
    }

    pub fn can_resend(&self) -> bool {
        self.busy.is_none() && self.resend_wait() == Some(0) && self.redemption_open()
    }

    fn redemption_open(&self) -> bool {
        self.redemption.as_ref().is_some_and(|r| r.status.is_open())
    }

    /// A commit is under way (or its outcome unknown): the redemption must not be changed.
    pub fn committing(&self) -> bool {
        self.commit.is_some()
    }

    /// The channels the customer can receive a code on.
    pub fn channels(&self) -> Vec<Channel> {
        self.customer()
            .map(|c| c.channels.clone())
            .unwrap_or_default()
    }

    /// Applies one message; returns the commands to run.
    pub fn handle(&mut self, msg: Msg, now_ms: i64) -> Vec<Cmd> {
        self.now_ms = now_ms;
        if self.mode == Mode::Kiosk && !self.is_answer(&msg) && !matches!(msg, Msg::KioskDone) {
            self.last_activity_ms = now_ms;
            self.kiosk_dirty = true;
        }
        if matches!(msg, Msg::Activity) {
            return vec![];
        }
        // A new action replaces the last status line; answers set their own.
        let user_action = !self.is_answer(&msg);
        if user_action {
            self.notice = None;
            self.field_error = None;
        }
        match msg {
            Msg::Start {
                terminal_token,
                pending_redemption,
            } => {
                self.terminal_token = terminal_token;
                self.pending_redemption = pending_redemption;
                self.kiosk_sign_in()
            }
            Msg::Tick => self.tick(),
            Msg::Activity => vec![],
            Msg::SignIn {
                terminal_token,
                staff_code,
                pin,
            } => self.sign_in(terminal_token, staff_code, pin),
            Msg::SignedIn(r) => self.signed_in(r),
            Msg::PolicyLoaded(r) => self.policy_loaded(r),
            Msg::SignOut => {
                if self.mode == Mode::Kiosk {
                    return vec![]; // a customer cannot sign the kiosk out
                }
                if self.busy == Some(Call::Commit) || self.commit.is_some() {
                    self.notice = Some(Notice::err("Wait: a redemption is being confirmed."));
                    return vec![];
                }
                self.busy = Some(Call::SignOut);
                vec![Cmd::SignOut]
            }
            Msg::SignedOut => {
                // The open redemption (if any) stays remembered so the next sign-in can
                // resume or cancel it; otherwise its hold simply lapses.
                let pending = self
                    .redemption
                    .as_ref()
                    .filter(|r| r.status.is_open())
                    .map(|r| r.id.clone());
                *self = self.fresh();
                self.pending_redemption = pending;
                self.notice = Some(Notice::info("Signed out."));
                vec![]
            }
            other => self.handle_rest(other),
        }
    }

    /// Backend answers and timers, as opposed to something a person did.
    fn is_answer(&self, msg: &Msg) -> bool {
        matches!(
            msg,
            Msg::Tick
                | Msg::SignedIn(_)
                | Msg::PolicyLoaded(_)
                | Msg::SignedOut
                | Msg::Found { .. }
                | Msg::BalanceLoaded(_)
                | Msg::Created(_)
                | Msg::OtpSent { .. }
                | Msg::Verified { .. }
                | Msg::Overridden { .. }
                | Msg::Committed { .. }
                | Msg::Cancelled { .. }
                | Msg::Fetched { .. }
                | Msg::PolicySaved(_)
                | Msg::RetryCommit
                | Msg::KioskCodeSent(_)
                | Msg::KioskVerified(_)
        )
    }

    fn handle_rest(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::EnterBill { id, total } => {
                let Some(policy) = &self.policy else {
                    return vec![];
                };
                match Bill::parse(&id, &total, policy.currency) {
                    Ok(bill) => {
                        self.purpose = Some(Purpose::Bill { bill });
                        self.after_purpose()
                    }
                    Err(e) => {
                        self.field_error =
                            e.id.map(|e| FieldError {
                                field: Field::BillId,
                                text: e.to_string(),
                            })
                            .or(e.total.map(|e| FieldError {
                                field: Field::BillTotal,
                                text: e.to_string(),
                            }));
                        vec![]
                    }
                }
            }
            Msg::VoucherMode => {
                self.purpose = Some(Purpose::Voucher);
                self.after_purpose()
            }
            Msg::HostBill(bill) => {
                self.purpose = Some(Purpose::Bill { bill });
                self.host_bill = true;
                if self.session.is_some() && self.screen == Screen::Bill {
                    self.screen = Screen::Customer;
                }
                vec![]
            }
            Msg::ChangeBill => {
                if self.host_bill || self.redemption_open() || self.committing() {
                    return vec![];
                }
                self.purpose = None;
                self.screen = Screen::Bill;
                vec![]
            }
            Msg::Search(input) => self.search(input),
            Msg::Found { query, result } => {
                if query != self.query || self.screen != Screen::Customer {
                    return vec![]; // a newer search, or the cashier moved on
                }
                self.busy = None;
                match result {
                    Ok(list) => {
                        if list.is_empty() {
                            self.notice =
                                Some(Notice::err(messages::for_code(ErrorCode::CustomerNotFound)));
                        } else {
                            let n = list.len();
                            self.notice = Some(Notice::info(if n == 1 {
                                "1 customer found.".to_string()
                            } else {
                                format!("{n} customers found.")
                            }));
                        }
                        self.customers = Some(list);
                    }
                    Err(e) => {
                        self.customers = Some(vec![]);
                        self.fail(&e, Some(Field::Query));
                        return self.session_check(&e);
                    }
                }
                vec![]
            }
            Msg::ChooseCustomer(id) => {
                if self.busy.is_some() {
                    return vec![];
                }
                self.busy = Some(Call::Balance);
                vec![Cmd::LoadBalance(id)]
            }
            Msg::BalanceLoaded(r) => {
                self.busy = None;
                match r {
                    Ok(b) => {
                        self.balance = Some(self.only_allowed(b));
                        self.instrument_id = None;
                        if matches!(self.screen, Screen::Customer | Screen::Balance) {
                            self.screen = Screen::Balance;
                        }
                    }
                    Err(e) => {
                        self.fail(&e, None);
                        return self.session_check(&e);
                    }
                }
                vec![]
            }
            Msg::ChooseInstrument(id) => {
                let Some(inst) = self
                    .balance
                    .as_ref()
                    .and_then(|b| b.instruments.iter().find(|i| i.id == id))
                else {
                    return vec![];
                };
                match self.range_for(inst) {
                    Some(Ok(_)) => {
                        self.instrument_id = Some(id);
                        self.screen = Screen::Redeem;
                    }
                    Some(Err(e)) => self.notice = Some(Notice::err(e.to_string())),
                    None => {}
                }
                vec![]
            }
            Msg::BackToBalance => {
                if self.screen == Screen::Redeem {
                    self.instrument_id = None;
                    self.screen = Screen::Balance;
                }
                vec![]
            }
            Msg::BackToSearch => {
                if matches!(self.screen, Screen::Balance | Screen::Redeem) {
                    self.balance = None;
                    self.instrument_id = None;
                    self.screen = Screen::Customer;
                }
                vec![]
            }
            Msg::Hold(input) => self.hold(input),
            Msg::Created(r) => self.created(r),
            Msg::SendOtp(channel) => {
                let Some(r) = self
                    .redemption
                    .as_ref()
                    .filter(|r| r.status == RedemptionStatus::AwaitingOtp)
                else {
                    return vec![];
                };
                if self.busy.is_some() || (r.otp.is_some() && !self.can_resend()) {
                    return vec![];
                }
                if !self.channels().contains(&channel) {
                    self.notice = Some(Notice::err(messages::for_code(
                        ErrorCode::ChannelUnavailable,
                    )));
                    return vec![];
                }
                self.busy = Some(Call::SendOtp);
                vec![Cmd::SendOtp {
                    id: r.id.clone(),
                    channel,
                }]
            }
            Msg::OtpSent { id, result } => {
                if !self.is_current(&id) {
                    return vec![];
                }
                self.busy = None;
                match result {
                    Ok(sent) => {
                        self.notice = Some(Notice::ok(format!(
                            "Code sent by {} to {}. Ask the customer to read it out.",
                            sent.channel.label(),
                            sent.destination
                        )));
                        self.attempts_left = Some(sent.attempts_left);
                        self.code_expired = false;
                        if let Some(r) = self.redemption.as_mut() {
                            r.otp = Some(sent);
                        }
                        vec![]
                    }
                    Err(e) => self.redemption_failed(&e, None),
                }
            }
            Msg::Verify(input) => {
                let Some(id) = self.idle_redemption_on(Screen::Otp) else {
                    return vec![];
                };
                let Some(policy) = &self.policy else {
                    return vec![];
                };
                match OtpCode::parse(&input, policy.otp_length) {
                    Ok(code) => {
                        self.busy = Some(Call::Verify);
                        vec![Cmd::Verify { id, code }]
                    }
                    Err(e) => {
                        // A malformed code never costs the customer an attempt.
                        self.field_error = Some(FieldError {
                            field: Field::Code,
                            text: e.to_string(),
                        });
                        vec![]
                    }
                }
            }
            Msg::Verified { id, result } | Msg::Overridden { id, result } => {
                if !self.is_current(&id) {
                    return vec![];
                }
                let was_override = self.screen == Screen::Override;
                self.busy = None;
                match result {
                    Ok(r) if r.status == RedemptionStatus::Approved => {
                        self.redemption = Some(r);
                        self.screen = Screen::Confirm;
                        self.notice = Some(Notice::ok(if was_override {
                            "Override accepted. Confirm the redemption."
                        } else {
                            "Code accepted. Confirm the redemption."
                        }));
                    }
                    Ok(r) => {
                        let status = r.status;
                        self.redemption = Some(r);
                        return self.on_status(status);
                    }
                    Err(e) => {
                        let field = if was_override {
                            Field::Override
                        } else {
                            Field::Code
                        };
                        return self.redemption_failed(&e, Some(field));
                    }
                }
                vec![]
            }
            Msg::OpenOverride => {
                let allowed = self.mode != Mode::Kiosk
                    && self.policy.as_ref().is_some_and(|p| p.override_enabled);
                if self.screen == Screen::Otp && allowed && self.busy.is_none() {
                    self.screen = Screen::Override;
                }
                vec![]
            }
            Msg::CloseOverride => {
                if self.screen == Screen::Override {
                    self.screen = Screen::Otp;
                }
                vec![]
            }
            Msg::SubmitOverride(body) => {
                let Some(id) = self.idle_redemption_on(Screen::Override) else {
                    return vec![];
                };
                let missing = [
                    (&body.manager_code, "the manager code"),
                    (&body.manager_pin, "the manager PIN"),
                    (&body.override_code, "the override code"),
                    (&body.reason, "a reason"),
                ]
                .into_iter()
                .find(|(v, _)| v.trim().is_empty());
                if let Some((_, what)) = missing {
                    self.field_error = Some(FieldError {
                        field: Field::Override,
                        text: format!("Enter {what}"),
                    });
                    return vec![];
                }
                self.busy = Some(Call::Override);
                vec![Cmd::Override { id, body }]
            }
            Msg::Confirm { fresh_key } => {
                let Some(r) = self
                    .redemption
                    .as_ref()
                    .filter(|_| self.screen == Screen::Confirm)
                else {
                    return vec![];
                };
                // A second tap, or a tap while the outcome is unknown, never starts a new commit.
                if self.commit.is_some() || r.status != RedemptionStatus::Approved {
                    return vec![];
                }
                self.commit = Some(Commit {
                    key: fresh_key.clone(),
                    attempts: 1,
                    state: CommitState::InFlight,
                });
                self.busy = Some(Call::Commit);
                vec![Cmd::Commit {
                    id: r.id.clone(),
                    key: fresh_key,
                }]
            }
            Msg::RetryCommit => {
                let (Some(r), Some(c)) = (&self.redemption, self.commit.as_mut()) else {
                    return vec![];
                };
                if c.state == CommitState::InFlight {
                    return vec![];
                }
                c.attempts += 1;
                c.state = CommitState::InFlight;
                self.busy = Some(Call::Commit);
                vec![Cmd::Commit {
                    id: r.id.clone(),
                    key: c.key.clone(),
                }]
            }
            Msg::Committed { id, result } => self.committed(id, result),
            Msg::Cancel => self.cancel(),
            Msg::Close => self.close_widget(),
            Msg::KioskIdentify(input) => self.kiosk_identify(input),
            Msg::KioskCodeSent(r) => self.kiosk_code_sent(r),
            Msg::KioskResend => self.kiosk_resend(),
            Msg::KioskVerify(input) => self.kiosk_verify(input),
            Msg::KioskVerified(r) => self.kiosk_verified(r),
            Msg::KioskDone => {
                if self.committing() || self.busy == Some(Call::Commit) {
                    return vec![];
                }
                self.kiosk_done()
            }
            // Handled in `handle`.
            Msg::Start { .. }
            | Msg::Tick
            | Msg::Activity
            | Msg::SignIn { .. }
            | Msg::SignedIn(_)
            | Msg::PolicyLoaded(_)
            | Msg::SignOut
            | Msg::SignedOut => vec![],
            Msg::Cancelled { id, result } => {
                if !self.is_current(&id) {
                    return vec![];
                }
                self.busy = None;
                match result {
                    Ok(r) if r.status == RedemptionStatus::Committed => {
                        self.redemption = Some(r);
                        self.close(Closed::AlreadyCommitted)
                    }
                    Ok(r) => {
                        self.redemption = Some(r);
                        self.close(Closed::Cancelled)
                    }
                    Err(BackendError::Problem(p))
                        if p.code == ErrorCode::IntentClosed
                            || p.code == ErrorCode::IntentExpired =>
                    {
                        // Find out how it ended rather than guess.
                        self.busy = Some(Call::Fetch);
                        vec![Cmd::Fetch(id)]
                    }
                    Err(e) => {
                        let until = self
                            .hold_seconds_left()
                            .map(messages::duration)
                            .unwrap_or_default();
                        self.notice = Some(Notice::err(format!(
                            "Could not cancel: {} The hold is released by itself within {until}.",
                            messages::for_error(&e)
                        )));
                        self.session_check(&e)
                    }
                }
            }
            Msg::Fetched { id, result } => self.fetched(id, result),
            Msg::ResumeContinue => {
                if self.screen != Screen::Resume {
                    return vec![];
                }
                let status = self.redemption.as_ref().map(|r| r.status);
                match status {
                    Some(RedemptionStatus::AwaitingOtp) => {
                        self.attempts_left = self
                            .redemption
                            .as_ref()
                            .and_then(|r| r.otp.as_ref())
                            .map(|o| o.attempts_left);
                        self.screen = Screen::Otp;
                    }
                    Some(RedemptionStatus::Approved) => self.screen = Screen::Confirm,
                    _ => return vec![],
                }
                // The customer's channels and balances come with the balance.
                let customer = self
                    .redemption
                    .as_ref()
                    .map(|r| r.customer_id.clone())
                    .unwrap_or_default();
                self.busy = Some(Call::Balance);
                vec![Cmd::LoadBalance(customer)]
            }
            Msg::StartOver => {
                if !matches!(self.screen, Screen::Closed(_)) {
                    return vec![];
                }
                if self.mode == Mode::Kiosk {
                    return self.kiosk_back_to_balance();
                }
                self.reset_customer();
                self.screen = if self.purpose.is_some() {
                    Screen::Customer
                } else {
                    Screen::Bill
                };
                vec![Cmd::RememberRedemption(None)]
            }
            Msg::NextCustomer => {
                if self.redemption_open() || self.committing() {
                    return vec![];
                }
                if self.mode == Mode::Kiosk {
                    return self.kiosk_done();
                }
                self.reset_customer();
                if !self.host_bill {
                    self.purpose = None;
                }
                self.screen = if self.purpose.is_some() {
                    Screen::Customer
                } else {
                    Screen::Bill
                };
                vec![Cmd::RememberRedemption(None)]
            }
            Msg::OpenPolicy => {
                if self.mode == Mode::Pos
                    && self.is_manager()
                    && self.screen != Screen::Policy
                    && !self.redemption_open()
                    && !self.committing()
                {
                    self.before_policy = Some(self.screen);
                    self.policy_errors.clear();
                    self.screen = Screen::Policy;
                }
                vec![]
            }
            Msg::ClosePolicy => {
                if self.screen == Screen::Policy {
                    self.screen = self.before_policy.take().unwrap_or(Screen::Bill);
                }
                vec![]
            }
            Msg::SavePolicy(p) => {
                if self.screen != Screen::Policy || self.busy.is_some() {
                    return vec![];
                }
                // Validate here first (S10); the backend validates again.
                if let Err(e) = p.validate() {
                    self.policy_errors = e.0;
                    self.notice = Some(Notice::err(messages::for_code(ErrorCode::PolicyInvalid)));
                    return vec![];
                }
                self.policy_errors.clear();
                self.busy = Some(Call::SavePolicy);
                vec![Cmd::SavePolicy(p)]
            }
            Msg::PolicyFormInvalid(errors) => {
                if self.screen == Screen::Policy {
                    self.policy_errors = errors;
                    self.notice = Some(Notice::err(messages::for_code(ErrorCode::PolicyInvalid)));
                }
                vec![]
            }
            Msg::PolicySaved(r) => {
                self.busy = None;
                match r {
                    Ok(p) => {
                        self.policy = Some(p);
                        self.policy_errors.clear();
                        self.notice = Some(Notice::ok("Policy saved."));
                        vec![]
                    }
                    Err(BackendError::Problem(p)) if p.code == ErrorCode::PolicyInvalid => {
                        self.policy_errors = p.errors.clone();
                        self.notice = Some(Notice::err(messages::for_problem(&p)));
                        vec![]
                    }
                    Err(e) => {
                        self.fail(&e, None);
                        self.session_check(&e)
                    }
                }
            }
        }
    }

    fn is_current(&self, id: &str) -> bool {
        self.redemption.as_ref().is_some_and(|r| r.id == id)
    }

    fn tick(&mut self) -> Vec<Cmd> {
        if self.idle_seconds_left() == Some(0) && self.commit.is_none() && self.busy.is_none() {
            return self.kiosk_reset(Notice::info("For your privacy, the screen was cleared."));
        }
        // The hold lapses at the backend; say so instead of letting the cashier try on.
        let lapsed = self
            .redemption
            .as_ref()
            .is_some_and(|r| r.status.is_open() && self.server_now() >= r.expires_at_ms);
        let pre_commit = matches!(
            self.screen,
            Screen::Otp | Screen::Override | Screen::Confirm | Screen::Resume
        );
        if lapsed && pre_commit && self.commit.is_none() && self.busy.is_none() {
            if let Some(r) = self.redemption.as_mut() {
                r.status = RedemptionStatus::Expired;
            }
            return self.close(Closed::Expired);
        }
        vec![]
    }

    fn sign_in(&mut self, terminal_token: String, staff_code: String, pin: String) -> Vec<Cmd> {
        if self.busy.is_some() || self.screen != Screen::SignIn {
            return vec![];
        }
        let terminal_token = terminal_token.trim().to_string();
        let staff_code = staff_code.trim().to_string();
        if terminal_token.is_empty() {
            self.field_error = Some(FieldError {
                field: Field::Terminal,
                text: "Enter this terminal's token".into(),
            });
            return vec![];
        }
        if self.mode != Mode::Kiosk && (staff_code.is_empty() || pin.trim().is_empty()) {
            self.field_error = Some(FieldError {
                field: Field::Pin,
                text: "Enter your staff code and PIN".into(),
            });
            return vec![];
        }
        self.terminal_token = Some(terminal_token.clone());
        self.busy = Some(Call::SignIn);
        vec![Cmd::SignIn {
            terminal_token,
            body: SignIn { staff_code, pin },
        }]
    }

    fn signed_in(&mut self, r: Result<Session, BackendError>) -> Vec<Cmd> {
        self.busy = None;
        match r {
            Ok(mut s) => {
                s.token.clear(); // the backend holds it; the UI state never does
                let token = self.terminal_token.clone().unwrap_or_default();
                self.session = Some(s);
                self.busy = Some(Call::Policy);
                vec![Cmd::RememberTerminal(token), Cmd::LoadPolicy]
            }
            Err(e) => {
                let field = match e.code() {
                    Some(ErrorCode::Unauthenticated) => Field::Terminal,
                    _ => Field::Pin,
                };
                match e {
                    BackendError::Problem(_) => {
                        self.field_error = Some(FieldError {
                            field,
                            text: messages::for_error(&e),
                        })
                    }
                    _ => self.notice = Some(Notice::err(messages::for_error(&e))),
                }
                vec![]
            }
        }
    }

    fn policy_loaded(&mut self, r: Result<Policy, BackendError>) -> Vec<Cmd> {
        self.busy = None;
        match r {
            Ok(p) => {
                self.policy = Some(p);
                let name = self
                    .session
                    .as_ref()
                    .map(|s| s.staff.name.clone())
                    .unwrap_or_default();
                if self.mode == Mode::Kiosk {
                    self.purpose = Some(Purpose::Voucher);
                    self.screen = Screen::KioskStart;
                    return vec![];
                }
                self.notice = Some(Notice::ok(format!("Signed in as {name}.")));
                if let Some(id) = self.pending_redemption.clone() {
                    self.busy = Some(Call::Fetch);
                    return vec![Cmd::Fetch(id)];
                }
                self.screen = if self.purpose.is_some() {
                    Screen::Customer
                } else {
                    Screen::Bill
                };
                vec![]
            }
            Err(e) => {
                self.session = None;
                self.notice = Some(Notice::err(format!(
                    "Could not load the store policy. {}",
                    messages::for_error(&e)
                )));
                self.screen = Screen::SignIn;
                vec![]
            }
        }
    }

    fn after_purpose(&mut self) -> Vec<Cmd> {
        if self.screen == Screen::Bill {
            self.screen = Screen::Customer;
        }
        if self.balance.is_some() {
            self.instrument_id = None;
            self.screen = Screen::Balance;
        }
        vec![]
    }

    fn search(&mut self, input: String) -> Vec<Cmd> {
        if self.screen != Screen::Customer {
            return vec![];
        }
        let Some(policy) = &self.policy else {
            return vec![];
        };
        match lookup::classify(&input, policy.country_calling_code, Searcher::Staff) {
            Ok(lookup) => {
                self.query = lookup.query().to_string();
                self.customers = None;
                self.busy = Some(Call::Search);
                vec![Cmd::Search(self.query.clone())]
            }
            Err(e) => {
                self.field_error = Some(FieldError {
                    field: Field::Query,
                    text: e.to_string(),
                });
                vec![]
            }
        }
    }

    fn hold(&mut self, input: String) -> Vec<Cmd> {
        if self.screen != Screen::Redeem || self.busy.is_some() {
            return vec![];
        }
        let (Some(inst), Some(purpose), Some(customer)) =
            (self.instrument(), &self.purpose, self.customer())
        else {
            return vec![];
        };
        match self.check(&input) {
            Some(Ok(checked)) => {
                let body = CreateRedemption {
                    customer_id: customer.id.clone(),
                    instrument_id: inst.id.clone(),
                    quantity: checked.quantity,
                    purpose: purpose.clone(),
                };
                self.busy = Some(Call::Create);
                vec![Cmd::Create(body)]
            }
            Some(Err(e)) => {
                self.field_error = Some(FieldError {
                    field: Field::Quantity,
                    text: e.to_string(),
                });
                vec![]
            }
            None => vec![],
        }
    }

    fn created(&mut self, r: Result<Redemption, BackendError>) -> Vec<Cmd> {
        if self.busy != Some(Call::Create) {
            return vec![];
        }
        self.busy = None;
        match r {
            Ok(r) => {
                // Network latency makes a few ms of apparent skew; only a real clock difference
                // (seconds) is worth correcting, else a fresh 5:00 code would show 5:01.
                let skew = r.created_at_ms - self.now_ms;
                self.skew_ms = if skew.abs() < 2_000 { 0 } else { skew };
                let remember = Cmd::RememberRedemption(Some(r.id.clone()));
                self.attempts_left = None;
                self.code_expired = false;
                self.commit = None;
                self.screen = match r.status {
                    RedemptionStatus::Approved => Screen::Confirm,
                    _ => Screen::Otp,
                };
                self.notice = Some(Notice::info(if self.mode == Mode::Kiosk {
                    "Check the amount, then confirm your voucher."
                } else if r.status == RedemptionStatus::Approved {
                    "No code is needed for this redemption. Confirm it."
                } else {
                    "Held. Choose how to send the customer's code."
                }));
                self.redemption = Some(r);
                vec![remember]
            }
            Err(e) => {
                self.fail(&e, Some(Field::Quantity));
                self.session_check(&e)
            }
        }
    }

    fn committed(&mut self, id: String, result: Result<Receipt, BackendError>) -> Vec<Cmd> {
        if !self.is_current(&id) || self.commit.is_none() {
            return vec![];
        }
        self.busy = None;
        match result {
            Ok(receipt) => {
                if let Some(r) = self.redemption.as_mut() {
                    r.status = RedemptionStatus::Committed;
                }
                self.notice = Some(Notice::ok(format!(
                    "Redeemed. Receipt {}.",
                    receipt.redemption_id
                )));
                self.receipt = Some(receipt);
                self.commit = None;
                self.screen = Screen::Receipt;
                let mut cmds = vec![Cmd::RememberRedemption(None)];
                cmds.extend(self.notify(Outcome::Redeemed, None));
                cmds
            }
            Err(e) if e.outcome_unknown() => {
                let c = self.commit.as_mut().expect("checked above");
                if c.attempts <= COMMIT_AUTO_RETRIES {
                    c.state = CommitState::Retrying;
                    let delay = commit_backoff_ms(c.attempts);
                    self.notice = Some(Notice::err(format!(
                        "No answer yet — not known whether the points were redeemed. Checking again (attempt {})…",
                        c.attempts + 1
                    )));
                    vec![Cmd::RetryCommitAfter(delay)]
                } else {
                    c.state = CommitState::Unknown;
                    self.notice = Some(Notice::err(
                        "Still no answer: it is NOT known whether the points were redeemed. Do not redeem again; tap Check again when the network is back.",
                    ));
                    vec![]
                }
            }
            Err(BackendError::Problem(p)) if p.code == ErrorCode::IntentClosed => {
                // Closed elsewhere (another tab, a cancel): ask how it ended.
                self.commit = None;
                self.busy = Some(Call::Fetch);
                vec![Cmd::Fetch(id)]
            }
            Err(e) => {
                // The backend refused: nothing was redeemed. A new confirm gets a new key.
                self.commit = None;
                let cmds = self.redemption_failed(&e, None);
                if self.screen == Screen::Confirm {
                    self.notice = Some(Notice::err(format!(
                        "Not redeemed. {}",
                        messages::for_error(&e)
                    )));
                }
                cmds
            }
        }
    }

    fn cancel(&mut self) -> Vec<Cmd> {
        if self.committing() || self.busy.is_some() {
            return vec![]; // never cancel while the outcome of a commit is open
        }
        match self.screen {
            Screen::Otp | Screen::Override | Screen::Confirm | Screen::Resume => {
                let Some(r) = self.redemption.as_ref().filter(|r| r.status.is_open()) else {
                    return vec![];
                };
                self.busy = Some(Call::Cancel);
                vec![Cmd::Cancel(r.id.clone())]
            }
            Screen::Redeem | Screen::Balance | Screen::Customer => {
                self.reset_customer();
                self.screen = Screen::Customer;
                self.notice = Some(Notice::info("Cancelled. Nothing was held or redeemed."));
                vec![]
            }
            _ => vec![],
        }
    }

    /// Widget: the front desk closes it. An open hold is cancelled first (the host hears
    /// "cancelled" when that lands); before any hold the host hears it at once.
    fn close_widget(&mut self) -> Vec<Cmd> {
        if self.mode != Mode::Widget || self.committing() || self.busy.is_some() {
            return vec![];
        }
        if self.redemption_open() {
            return self.cancel();
        }
        match self.screen {
            Screen::Receipt | Screen::Closed(_) => vec![],
            _ => {
                self.reset_customer();
                self.notify(Outcome::Cancelled, Some("Closed without redeeming".into()))
                    .into_iter()
                    .collect()
            }
        }
    }

    fn fetched(&mut self, id: String, result: Result<Redemption, BackendError>) -> Vec<Cmd> {
        if self.busy != Some(Call::Fetch) {
            return vec![];
        }
        self.busy = None;
        let resuming =
            self.pending_redemption.as_deref() == Some(id.as_str()) && self.redemption.is_none();
        self.pending_redemption = None;
        match result {
            Ok(r) if resuming => {
                let lapsed = r.status.is_open() && self.server_now() >= r.expires_at_ms;
                self.purpose = Some(r.purpose.clone());
                if r.status.is_open() && !lapsed {
                    self.redemption = Some(r);
                    self.screen = Screen::Resume;
                    self.notice = Some(Notice::info(
                        "An unfinished redemption was found on this terminal.",
                    ));
                    return vec![];
                }
                // Finished while we were away: say truthfully how it ended (e.g. a commit
                // whose answer was lost to the reload did go through).
                let status = if lapsed {
                    RedemptionStatus::Expired
                } else {
                    r.status
                };
                self.redemption = Some(r);
                self.on_status(status)
            }
            Err(_) if resuming => {
                // Not ours or gone: start clean, the backend releases any hold by itself.
                self.screen = if self.purpose.is_some() {
                    Screen::Customer
                } else {
                    Screen::Bill
                };
                vec![Cmd::RememberRedemption(None)]
            }
            Ok(r) => {
                let status = r.status;
                self.redemption = Some(r);
                self.on_status(status)
            }
            Err(e) => {
                self.fail(&e, None);
                self.session_check(&e)
            }
        }
    }

    /// Moves to the screen a redemption's status calls for.
    fn on_status(&mut self, status: RedemptionStatus) -> Vec<Cmd> {
        match status {
            RedemptionStatus::AwaitingOtp => {
                self.screen = Screen::Otp;
                vec![]
            }
            RedemptionStatus::Approved => {
                self.screen = Screen::Confirm;
                vec![]
            }
            RedemptionStatus::Committed => self.close(Closed::AlreadyCommitted),
            RedemptionStatus::Cancelled => self.close(Closed::Cancelled),
            RedemptionStatus::Expired => self.close(Closed::Expired),
            RedemptionStatus::Locked => self.close(Closed::Locked),
            RedemptionStatus::Reversed => self.close(Closed::Reversed),
        }
    }

    fn close(&mut self, why: Closed) -> Vec<Cmd> {
        self.screen = Screen::Closed(why);
        self.commit = None;
        self.busy = None;
        self.notice = Some(if why == Closed::AlreadyCommitted {
            Notice::info(why.explanation())
        } else {
            Notice::err(format!("{}. {}", why.title(), why.explanation()))
        });
        let mut cmds = vec![Cmd::RememberRedemption(None)];
        let outcome = match why {
            Closed::Cancelled => Some(Outcome::Cancelled),
            Closed::Locked | Closed::Expired => Some(Outcome::Failed),
            Closed::AlreadyCommitted | Closed::Reversed => None,
        };
        if let Some(outcome) = outcome {
            cmds.extend(self.notify(outcome, Some(why.title().to_string())));
        }
        cmds
    }

    /// Widget mode: the host hears how the redemption ended.
    fn notify(&self, outcome: Outcome, reason: Option<String>) -> Option<Cmd> {
        if self.mode != Mode::Widget {
            return None;
        }
        Some(Cmd::Notify(HostEvent {
            outcome,
            bill_id: self
                .purpose
                .as_ref()
                .and_then(|p| p.bill())
                .map(|b| b.id().to_string()),
            redemption: self.redemption.as_ref().map(HostRedemption::of),
            reason,
        }))
    }

    fn only_allowed(&self, mut b: Balance) -> Balance {
        b.instruments.retain(|i| self.allows(i.kind));
        b
    }

    /// A refused redemption call: the code-specific outcome.
    fn redemption_failed(&mut self, e: &BackendError, field: Option<Field>) -> Vec<Cmd> {
        match e.code() {
            Some(ErrorCode::OtpLocked) => {
                if let Some(r) = self.redemption.as_mut() {
                    r.status = RedemptionStatus::Locked;
                }
                self.attempts_left = Some(0);
                self.close(Closed::Locked)
            }
            Some(ErrorCode::IntentExpired) => {
                if let Some(r) = self.redemption.as_mut() {
                    r.status = RedemptionStatus::Expired;
                }
                self.close(Closed::Expired)
            }
            Some(ErrorCode::OtpInvalid) => {
                if let BackendError::Problem(p) = e {
                    self.attempts_left = p
                        .attempts_left
                        .or(self.attempts_left.map(|n| n.saturating_sub(1)));
                }
                self.fail(e, field);
                vec![]
            }
            Some(ErrorCode::OtpExpired) => {
                self.code_expired = true;
                self.fail(e, field);
                vec![]
            }
            Some(ErrorCode::IntentClosed) => {
                let id = self
                    .redemption
                    .as_ref()
                    .map(|r| r.id.clone())
                    .unwrap_or_default();
                self.busy = Some(Call::Fetch);
                vec![Cmd::Fetch(id)]
            }
            _ => {
                self.fail(e, field);
                self.session_check(e)
            }
        }
    }

    /// Shows an error next to its field when it has one, else in the status line.
    fn fail(&mut self, e: &BackendError, field: Option<Field>) {
        let text = messages::for_error(e);
        let field = match e {
            BackendError::Problem(_) => field,
            _ => None, // transport failures belong to the status line
        };
        match field {
            Some(field) => self.field_error = Some(FieldError { field, text }),
            None => self.notice = Some(Notice::err(text)),
        }
    }

    /// An ended session returns to sign-in; an open redemption is kept for resuming.
    fn session_check(&mut self, e: &BackendError) -> Vec<Cmd> {
        // A kiosk's hold on the customer lapsed at the backend (idle): start again, clean.
        if self.mode == Mode::Kiosk && e.code() == Some(ErrorCode::Forbidden) {
            return self.kiosk_reset(Notice::info(
                "For your privacy you were signed out after a while without use. Start again.",
            ));
        }
        if matches!(
            e.code(),
            Some(ErrorCode::SessionExpired | ErrorCode::Unauthenticated)
        ) {
            let pending = self
                .redemption
                .as_ref()
                .filter(|r| r.status.is_open())
                .map(|r| r.id.clone());
            *self = self.fresh();
            self.pending_redemption = pending.filter(|_| self.mode == Mode::Pos);
            self.notice = Some(Notice::err(messages::for_error(e)));
            // A kiosk has no one to sign it in again: it opens a new self-service session.
            return self.kiosk_sign_in();
        }
        vec![]
    }

    /// The open redemption's id when the cashier is on `screen` and no call is in flight;
    /// taps on a stale screen or during a call are ignored.
    fn idle_redemption_on(&self, screen: Screen) -> Option<String> {
        if self.screen != screen || self.busy.is_some() {
            return None;
        }
        self.redemption.as_ref().map(|r| r.id.clone())
    }

    fn reset_customer(&mut self) {
        self.query.clear();
        self.customers = None;
        self.balance = None;
        self.instrument_id = None;
        self.redemption = None;
        self.attempts_left = None;
        self.code_expired = false;
        self.commit = None;
        self.receipt = None;
    }
}

#[cfg(test)]
mod tests;
