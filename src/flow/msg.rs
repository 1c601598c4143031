//! What goes into the flow and what comes out: [`Msg`] in (what a person did, the backend's
//! answer to a request, the clock), [`Cmd`] out (a request to the backend, storage, timers,
//! the host page).
//!
//! Every request the flow makes carries a [`ReqId`], and its [`Answer`] comes back with the
//! same id. The flow waits for one request at a time; an answer with any other id (a request
//! since replaced, or made before a reset) is dropped. That is the only way a late answer is
//! ignored.

use crate::backend::{AdminCall, AdminReply, BackendError};
use contract::api::{
    Accrual, ApprovalRequest, Balance, CreateAccrual, CreateRedemption, CustomerSummary,
    KioskIdentify, OtpSent, Override, Receipt, Redemption, Session, SignIn,
};
use contract::rules::Bill;
use contract::{Channel, InstrumentKind, Money, OtpCode, Policy, PolicyError, Quantity, Unit};

/// Names one backend request; its answer comes back with it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ReqId(pub(crate) u32);

/// Everything the flow hears.
#[derive(Clone, Debug)]
pub enum Msg {
    /// Something a person did (or the page the app lives in).
    Act(Action),
    /// The backend's answer to the request with this id.
    Answer(ReqId, Box<Answer>),
    /// A second passed (drives countdowns, expiry and a kiosk's idle reset).
    Tick,
    /// The scheduled retry of a commit whose outcome is unknown, or the cashier's "Check
    /// again". Like the clock, it keeps the status line: that says what is known so far.
    RetryCommit,
}

impl From<Action> for Msg {
    fn from(a: Action) -> Msg {
        Msg::Act(a)
    }
}

/// What a person did. Each clears the last status line and field message.
#[derive(Clone, Debug)]
pub enum Action {
    /// App start: what the device remembers.
    Start {
        terminal_token: Option<String>,
        pending_redemption: Option<String>,
    },
    SignIn {
        terminal_token: String,
        staff_code: String,
        pin: String,
    },
    SignOut,
    /// Widget: the front desk's session on this terminal, kept in memory from an earlier
    /// invoice (never in the host page's storage): no sign-in while it lasts.
    KeptSession(Box<Session>),
    /// Standalone mode: the bill as typed.
    EnterBill {
        id: String,
        total: String,
    },
    /// The customer's balance to a printed voucher instead of the bill (seed 004: offered
    /// only for a customer who can redeem something as a voucher).
    VoucherMode,
    /// No bill: find the customer first (for a printed voucher, or the bill later).
    SkipBill,
    /// A host supplied the bill (widget mode; already valid).
    HostBill(Bill),
    ChangeBill,
    Search(String),
    ChooseCustomer(String),
    ChooseInstrument(String),
    BackToBalance,
    BackToSearch,
    /// The quantity as typed (or amount, for credit instruments), held; and if a code is
    /// needed, sent at once by `send` (the channel chosen with the quantity: one tap).
    Hold {
        quantity: String,
        send: Option<Channel>,
    },
    SendOtp(Channel),
    Verify(String),
    OpenOverride,
    CloseOverride,
    SubmitOverride(Override),
    /// "Customer did not get the code": ask a manager to approve on their own device, with
    /// this reason. Nothing secret is typed at the till (S8).
    RequestApproval(String),
    /// Back office: the list of requests waiting for a manager.
    ShowApprovals,
    /// Back office: the store's policy.
    ShowPolicy,
    /// Back office: a manager approves (or declines) a cashier's request.
    DecideApproval {
        id: String,
        approve: bool,
    },
    /// Confirm tapped. `fresh_key` is a new UUID; used only if no commit sequence is under way.
    Confirm {
        fresh_key: String,
    },
    Cancel,
    ResumeContinue,
    /// After a closed redemption: the same bill, a fresh search.
    StartOver,
    NextCustomer,
    SavePolicy(Box<Policy>),
    /// The policy form could not even be read (e.g. letters in a number field).
    PolicyFormInvalid(Vec<PolicyError>),
    /// A touch or key press anywhere (kiosk: postpones the idle reset).
    Activity,
    /// Kiosk: the customer's mobile or card number as typed.
    KioskIdentify(String),
    KioskResend,
    KioskVerify(String),
    /// Kiosk: the customer is finished (or walked away): forget them.
    KioskDone,
    /// Widget: the front desk closes the widget without redeeming.
    Close,
    /// The sale on this bill earns the customer points (the backend computes how many).
    Earn,
    /// A printed voucher handed in: its code as typed or scanned, taken off the bill.
    TakeVoucher(String),
    /// Back office: setting up the store (staff, terminals, codes, cards, customers).
    Manage(super::Manage),
    /// Back office: reports, cashiers' signals, the audit log.
    Reports(super::Reports),
}

/// The backend's answer to a [`Request`], one variant per request.
#[derive(Clone, Debug)]
pub enum Answer {
    SignedIn(Result<Session, BackendError>),
    /// Signed out locally whatever the backend said.
    SignedOut,
    PolicyLoaded(Result<Policy, BackendError>),
    PolicySaved(Result<Policy, BackendError>),
    Found(Result<Vec<CustomerSummary>, BackendError>),
    BalanceLoaded(Result<Balance, BackendError>),
    Created(Result<Redemption, BackendError>),
    Fetched(Result<Redemption, BackendError>),
    OtpSent(Result<OtpSent, BackendError>),
    Verified(Result<Redemption, BackendError>),
    Overridden(Result<Redemption, BackendError>),
    ApprovalRequested(Result<Redemption, BackendError>),
    /// The redemption read again while a manager is asked.
    ApprovalPolled(Result<Redemption, BackendError>),
    /// The redemption read again while its code's delivery report is awaited.
    DeliveryPolled(Result<Redemption, BackendError>),
    ApprovalsLoaded(Result<Vec<ApprovalRequest>, BackendError>),
    ApprovalDecided(Result<ApprovalRequest, BackendError>),
    Committed(Result<Receipt, BackendError>),
    Cancelled(Result<Redemption, BackendError>),
    KioskCodeSent(Result<OtpSent, BackendError>),
    KioskVerified(Result<Balance, BackendError>),
    Accrued(Result<Accrual, BackendError>),
    VoucherTaken(Result<contract::api::VoucherRedeemed, BackendError>),
    Admin(Result<AdminReply, BackendError>),
}

/// A backend call (the /v1 contract), answered by an [`Answer`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Request {
    SignIn {
        terminal_token: String,
        body: SignIn,
    },
    SignOut,
    LoadPolicy,
    SavePolicy(Box<Policy>),
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
    RequestApproval {
        id: String,
        reason: String,
    },
    /// `GET /v1/redemptions/{id}` while waiting for a manager.
    PollApproval(String),
    /// `GET /v1/redemptions/{id}` while the code's delivery report is awaited.
    PollDelivery(String),
    LoadApprovals,
    DecideApproval {
        id: String,
        approve: bool,
    },
    Commit {
        id: String,
        key: String,
    },
    Cancel(String),
    KioskIdentify(KioskIdentify),
    KioskVerify(OtpCode),
    Accrue(CreateAccrual),
    TakeVoucher(contract::api::RedeemVoucher),
    Admin(AdminCall),
}

/// The kind of request being waited for (buttons are disabled meanwhile).
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
    RequestApproval,
    /// A background read (the till waiting for a manager, the back office's list): it
    /// disables nothing, and any action replaces it.
    Poll,
    Decide,
    Commit,
    Cancel,
    Identify,
    Accrue,
    Admin,
    Report,
}

impl Request {
    pub fn call(&self) -> Call {
        match self {
            Request::SignIn { .. } => Call::SignIn,
            Request::SignOut => Call::SignOut,
            Request::LoadPolicy => Call::Policy,
            Request::SavePolicy(_) => Call::SavePolicy,
            Request::Search(_) => Call::Search,
            Request::LoadBalance(_) => Call::Balance,
            Request::Create(_) => Call::Create,
            Request::Fetch(_) => Call::Fetch,
            Request::SendOtp { .. } => Call::SendOtp,
            Request::Verify { .. } | Request::KioskVerify(_) => Call::Verify,
            Request::Override { .. } => Call::Override,
            Request::RequestApproval { .. } => Call::RequestApproval,
            Request::PollApproval(_) | Request::PollDelivery(_) | Request::LoadApprovals => {
                Call::Poll
            }
            Request::DecideApproval { .. } => Call::Decide,
            Request::Commit { .. } => Call::Commit,
            Request::Cancel(_) => Call::Cancel,
            Request::KioskIdentify(_) => Call::Identify,
            Request::Accrue(_) | Request::TakeVoucher(_) => Call::Accrue,
            // A set-up screen's list is a read that any tab or action may replace.
            Request::Admin(AdminCall::Staff | AdminCall::Terminals | AdminCall::CardTypes) => {
                Call::Poll
            }
            // Reports are reads too, but a manager waits for them: buttons say so.
            Request::Admin(
                AdminCall::Report { .. }
                | AdminCall::Liability { .. }
                | AdminCall::Cashiers { .. }
                | AdminCall::Audit { .. },
            ) => Call::Report,
            Request::Admin(_) => Call::Admin,
        }
    }
}

/// What the driver must do.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Cmd {
    /// Call the backend; send its answer back as `Msg::Answer` with this id.
    Ask(ReqId, Request),
    /// Send `Msg::RetryCommit` after this delay.
    RetryCommitAfter(u32),
    /// sessionStorage: the open redemption's id (never a code or a token), or clear it.
    RememberRedemption(Option<String>),
    /// localStorage: the terminal token, as device provisioning.
    RememberTerminal(String),
    /// Kiosk: the backend forgets the customer and releases their holds (no answer needed).
    KioskForget,
    /// Widget: tell the host page how the redemption ended.
    Notify(HostEvent),
    /// Widget: keep the front desk's session (or forget it) for the next invoice, in memory.
    KeepSession(Option<Box<Session>>),
    /// Back office: save a file the backend wrote (a report's CSV) to the downloads.
    Download {
        name: String,
        text: std::sync::Arc<str>,
    },
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
    pub fn of(r: &Redemption) -> Self {
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
