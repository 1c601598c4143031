//! What the screens show: which screen, the status line and the field a message belongs to.

/// The screen the flow is on.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Screen {
    #[default]
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
    /// The customer did not get the code: ask a manager (or, where the store allows it, the
    /// store code typed at the till).
    Override,
    /// Waiting for a manager to approve on their own device.
    AwaitingApproval,
    Confirm,
    Receipt,
    /// The redemption ended without a receipt.
    Closed(Closed),
    /// After a reload: an unfinished redemption was found.
    Resume,
    Policy,
    /// Back office: requests waiting for a manager.
    Approvals,
    /// Back office: the store's staff, their PINs.
    Staff,
    /// Back office: tills and kiosks, their tokens.
    Terminals,
    /// Back office: the store's override code.
    OverrideCode,
    /// Back office: loyalty card types, and cards issued to customers.
    Cards,
    /// Back office: a customer master brought in from a CSV file.
    Import,
    /// Back office: messages to customers, and their consent.
    Messages,
    /// Back office: the loyalty reports and what is owed.
    Reports,
    /// Back office: cashiers ranked by fraud signals.
    Cashiers,
    /// Back office: the audit log.
    Audit,
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
            Screen::AwaitingApproval => "awaiting-approval",
            Screen::Confirm => "confirm",
            Screen::Receipt => "receipt",
            Screen::Closed(_) => "closed",
            Screen::Resume => "resume",
            Screen::Policy => "policy",
            Screen::Approvals => "approvals",
            Screen::Staff => "staff",
            Screen::Terminals => "terminals",
            Screen::OverrideCode => "override-code",
            Screen::Cards => "cards",
            Screen::Import => "import",
            Screen::Messages => "messages",
            Screen::Reports => "reports",
            Screen::Cashiers => "cashiers",
            Screen::Audit => "audit",
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
    /// The screen itself shows this text (e.g. a closed redemption's card): the status line
    /// only reads it out, so it is not on screen twice.
    pub on_screen: bool,
}

impl Notice {
    pub(super) fn info(t: impl Into<String>) -> Self {
        Notice {
            tone: Tone::Info,
            text: t.into(),
            on_screen: false,
        }
    }
    pub(super) fn ok(t: impl Into<String>) -> Self {
        Notice {
            tone: Tone::Success,
            text: t.into(),
            on_screen: false,
        }
    }
    /// Read out only: the screen shows the same words.
    pub(super) fn on_screen(self) -> Self {
        Notice {
            on_screen: true,
            ..self
        }
    }
    pub(super) fn err(t: impl Into<String>) -> Self {
        Notice {
            tone: Tone::Error,
            text: t.into(),
            on_screen: false,
        }
    }
}

/// A form field a message can be shown next to.
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
    /// A printed voucher's code.
    Voucher,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FieldError {
    pub field: Field,
    pub text: String,
}
