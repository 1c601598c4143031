//! Where the app runs (SPEC §1), and every rule that differs by place: the flow and the
//! screens ask these facts instead of comparing modes.

/// Where the app runs. One flow; the mode decides who drives it and what is shown.
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
    /// The manager's back office (`/back-office`): the store's policy, approvals, staff,
    /// terminals, the override code, loyalty cards and the customer import (reports and audit
    /// as they arrive). Nothing is sold here.
    BackOffice,
}

/// The steps a surface's flow can take, as bits of [`Mode::parts`]: each entry point's flow
/// dispatch (`Flow::handle_on`) is compiled with its own, so a bundle links only the steps its
/// surface has (SPEC §9: the till carries no policy editing or approving, the back office no
/// sale). Signing in and out, the store's policy and the clock belong to every surface.
pub mod parts {
    /// An instrument, its quantity and hold, the code, the confirmation and the receipt.
    pub const SALE: u16 = 1;
    /// Finding a customer by name, number or card (staff only).
    pub const SEARCH: u16 = 2;
    /// A typed bill or a voucher, and resuming an open redemption after a reload (the till).
    pub const BILL: u16 = 4;
    /// The host page's bill, and closing the widget.
    pub const HOST: u16 = 8;
    /// "Customer did not get the code": a manager's approval or the store code.
    pub const OVERRIDE: u16 = 16;
    /// The customer identifies with their own number and code.
    pub const KIOSK: u16 = 32;
    /// The store's policy, answering cashiers' requests for approval, and setting up the store
    /// (staff, terminals, the override code, loyalty cards, customer import).
    pub const MANAGE: u16 = 64;
    /// What a sale on a bill adds besides redeeming: the points it earns, and printed vouchers
    /// handed in (a till's or a host's bill; a kiosk sells nothing).
    pub const EARN: u16 = 128;
    /// What a manager reads: the loyalty reports, cashiers' fraud signals and the audit log
    /// (the reports surface, `/reports`, apart from the back office's set-up: SPEC §9).
    pub const REPORTS: u16 = 256;
    /// A manager's messages to customers and customers' consent (the messages surface,
    /// `/messages`, apart from the set-up: its screen would put the back office over its
    /// budget, SPEC §9).
    pub const OUTREACH: u16 = 512;
    /// Every step (tests, and code that does not choose a surface).
    pub const ALL: u16 = u16::MAX;
}

impl Mode {
    /// What this mode's flow can do ([`parts`]).
    pub const fn parts(self) -> u16 {
        use parts::*;
        match self {
            Mode::Pos => SALE | SEARCH | BILL | OVERRIDE | EARN,
            Mode::Widget => SALE | SEARCH | HOST | OVERRIDE | EARN,
            Mode::Kiosk => SALE | KIOSK,
            // Its surfaces: the back office (`MANAGE`), the reports (`REPORTS`) and the
            // messages to customers (`OUTREACH`).
            Mode::BackOffice => MANAGE | REPORTS | OUTREACH,
        }
    }

    /// Stable name for `data-mode` (tests and CSS).
    pub fn name(self) -> &'static str {
        match self {
            Mode::Pos => "pos",
            Mode::Kiosk => "kiosk",
            Mode::Widget => "widget",
            Mode::BackOffice => "back-office",
        }
    }

    /// The name in the top bar: the back office says where the manager is.
    pub fn title(self) -> &'static str {
        match self {
            Mode::BackOffice => "RedeemGuard back office",
            _ => "RedeemGuard",
        }
    }

    /// Staff sign in with their code and PIN, and may sign out. A kiosk opens its own
    /// self-service session with the terminal token alone, and a customer cannot sign it out.
    pub fn staff_sign_in(self) -> bool {
        self != Mode::Kiosk
    }

    /// The customer drives it: plain words, large targets, no staff data or controls.
    pub fn self_service(self) -> bool {
        self == Mode::Kiosk
    }

    /// Redemptions are made here; the back office manages the store and sells nothing.
    pub fn sells(self) -> bool {
        self != Mode::BackOffice
    }

    /// Redemptions go on a bill (typed or the host's) or become vouchers; a kiosk has no bill:
    /// everything it redeems becomes a printed voucher.
    pub fn has_bill(self) -> bool {
        matches!(self, Mode::Pos | Mode::Widget)
    }

    /// A manager may approve a redemption without the customer's code (a staff control).
    pub fn manager_override(self) -> bool {
        matches!(self, Mode::Pos | Mode::Widget)
    }

    /// A manager answers cashiers' requests for approval here, on their own device (S8).
    pub fn approves(self) -> bool {
        self == Mode::BackOffice
    }

    /// Only managers may stay signed in (the back office); a cashier is signed out again.
    pub fn managers_only(self) -> bool {
        self == Mode::BackOffice
    }

    /// The till offers its managers a link to the back office, a page of its own (SPEC §9:
    /// the till never downloads the manager screens).
    pub fn links_back_office(self) -> bool {
        self == Mode::Pos
    }

    /// The device remembers an open redemption (across a reload, in sessionStorage, and when a
    /// session ends) so that the next sign-in resumes or cancels it. A kiosk forgets; a
    /// widget's host page owns what happens next.
    pub fn remembers_pending(self) -> bool {
        self == Mode::Pos
    }

    /// The device remembers its terminal token (localStorage); a widget is given it by its
    /// host page and stores nothing there.
    pub fn remembers_terminal(self) -> bool {
        self != Mode::Widget
    }

    /// Clears itself after the policy's idle time, forgetting the customer.
    pub fn idle_reset(self) -> bool {
        self == Mode::Kiosk
    }

    /// Lives inside a host page: it tells the host how each redemption ended, the front desk
    /// can close it, and the page (its landmarks, its printing) belongs to the host.
    pub fn embedded(self) -> bool {
        self == Mode::Widget
    }
}
