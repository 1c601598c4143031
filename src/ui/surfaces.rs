//! The six surfaces (SPEC §9): each entry point (`src/bin/*`) names the screens it can show,
//! so its bundle carries only those. The till never downloads the back office's screens, the
//! back office none of the sale's nor the reports', and only the kiosk its own.

use crate::backend::{Backend, HttpBackend, HttpConfig};
use crate::flow::{parts, Flow, Handler, Mode, Screen};
use crate::ui::approvals::ApprovalsScreen;
use crate::ui::kiosk::{IdleWarning, KioskCodeScreen, KioskStartScreen};
use crate::ui::manage::{
    BackOfficeNav, CardsScreen, ImportScreen, MessagesNav, MessagesScreen, OverrideCodeScreen,
    StaffScreen, TerminalsScreen,
};
use crate::ui::policy::PolicyScreen;
use crate::ui::screens::{
    AwaitingApprovalScreen, BalanceScreen, BillScreen, ClosedScreen, ConfirmScreen, CustomerScreen,
    OtpScreen, OverrideScreen, ReceiptScreen, RedeemScreen, ResumeScreen, SignInScreen,
};
use leptos::prelude::*;
use std::rc::Rc;

/// What a surface shows: the view of each screen its mode can reach, and anything shown
/// above the screens; and its flow dispatch, which takes only its mode's steps
/// (`flow::parts`).
#[derive(Clone, Copy)]
pub struct Surface {
    pub handler: Handler,
    /// The HTTP backend with only this surface's calls (`backend::HttpBackend`).
    pub http: fn(HttpConfig) -> Rc<dyn Backend>,
    pub screen: fn(Screen) -> AnyView,
    pub overlay: fn() -> AnyView,
}

/// The cashier's till (`/`).
pub const TILL: Surface = Surface {
    handler: Flow::handle_on::<{ Mode::Pos.parts() }>,
    http: |c| Rc::new(HttpBackend::<{ Mode::Pos.parts() }>::new(c)),
    screen: |s| match s {
        Screen::Resume => view! { <ResumeScreen/> }.into_any(),
        s => sale(s),
    },
    overlay: nothing,
};

/// The widget in a host page: the sale on the host's bill.
pub const WIDGET: Surface = Surface {
    handler: Flow::handle_on::<{ Mode::Widget.parts() }>,
    http: |c| Rc::new(HttpBackend::<{ Mode::Widget.parts() }>::new(c)),
    screen: sale,
    overlay: nothing,
};

/// The self-service kiosk (`/kiosk`): set up once with its terminal token, then the
/// customer's number and code, then vouchers.
pub const KIOSK: Surface = Surface {
    handler: Flow::handle_on::<{ Mode::Kiosk.parts() }>,
    http: |c| Rc::new(HttpBackend::<{ Mode::Kiosk.parts() }>::new(c)),
    screen: |s| match s {
        Screen::KioskStart => view! { <KioskStartScreen/> }.into_any(),
        Screen::KioskCode => view! { <KioskCodeScreen/> }.into_any(),
        // Listed one by one rather than through `sale`: a shared function would link the
        // bill, search and override screens into the kiosk's bundle (+12 KB gzip, measured).
        Screen::SignIn => view! { <SignInScreen/> }.into_any(),
        Screen::Balance => view! { <BalanceScreen/> }.into_any(),
        Screen::Redeem => view! { <RedeemScreen/> }.into_any(),
        Screen::Otp => view! { <OtpScreen/> }.into_any(),
        Screen::Confirm => view! { <ConfirmScreen/> }.into_any(),
        Screen::Receipt => view! { <ReceiptScreen/> }.into_any(),
        Screen::Closed(why) => view! { <ClosedScreen why/> }.into_any(),
        _ => ().into_any(),
    },
    overlay: || view! { <IdleWarning/> }.into_any(),
};

/// The manager's back office (`/back-office`): the store's set-up.
pub const BACK_OFFICE: Surface = Surface {
    handler: Flow::handle_on::<{ parts::MANAGE }>,
    http: |c| Rc::new(HttpBackend::<{ parts::MANAGE }>::new(c)),
    screen: |s| match s {
        Screen::SignIn => view! { <SignInScreen/> }.into_any(),
        Screen::Policy => view! { <PolicyScreen/> }.into_any(),
        Screen::Approvals => view! { <ApprovalsScreen/> }.into_any(),
        Screen::Staff => view! { <StaffScreen/> }.into_any(),
        Screen::Terminals => view! { <TerminalsScreen/> }.into_any(),
        Screen::OverrideCode => view! { <OverrideCodeScreen/> }.into_any(),
        Screen::Cards => view! { <CardsScreen/> }.into_any(),
        Screen::Import => view! { <ImportScreen/> }.into_any(),
        _ => ().into_any(),
    },
    overlay: || view! { <BackOfficeNav/> }.into_any(),
};

/// A manager's messages to customers (`/messages`), a surface apart from the set-up: its
/// screen alone would put the back office over its download budget (SPEC §9).
pub const MESSAGES: Surface = Surface {
    handler: Flow::handle_on::<{ parts::OUTREACH }>,
    http: |c| Rc::new(HttpBackend::<{ parts::OUTREACH }>::new(c)),
    screen: |s| match s {
        Screen::SignIn => view! { <SignInScreen/> }.into_any(),
        Screen::Messages => view! { <MessagesScreen/> }.into_any(),
        _ => ().into_any(),
    },
    overlay: || view! { <MessagesNav/> }.into_any(),
};

/// What a manager reads (`/reports`): the loyalty reports, cashiers' signals and the audit
/// log, a surface apart from the set-up so that neither carries the other's screens.
pub const REPORTS: Surface = Surface {
    handler: Flow::handle_on::<{ parts::REPORTS }>,
    http: |c| Rc::new(HttpBackend::<{ parts::REPORTS }>::new(c)),
    screen: |s| match s {
        Screen::SignIn => view! { <SignInScreen/> }.into_any(),
        s => super::reports::screen(s).unwrap_or_else(nothing),
    },
    overlay: || view! { <super::reports::ReportsNav/> }.into_any(),
};

/// A redemption on a bill, from signing in to the receipt.
fn sale(s: Screen) -> AnyView {
    match s {
        Screen::SignIn => view! { <SignInScreen/> }.into_any(),
        Screen::Bill => view! { <BillScreen/> }.into_any(),
        Screen::Customer => view! { <CustomerScreen/> }.into_any(),
        Screen::Balance => view! { <BalanceScreen/> }.into_any(),
        Screen::Redeem => view! { <RedeemScreen/> }.into_any(),
        Screen::Otp => view! { <OtpScreen/> }.into_any(),
        Screen::Override => view! { <OverrideScreen/> }.into_any(),
        Screen::AwaitingApproval => view! { <AwaitingApprovalScreen/> }.into_any(),
        Screen::Confirm => view! { <ConfirmScreen/> }.into_any(),
        Screen::Receipt => view! { <ReceiptScreen/> }.into_any(),
        Screen::Closed(why) => view! { <ClosedScreen why/> }.into_any(),
        _ => ().into_any(),
    }
}

fn nothing() -> AnyView {
    ().into_any()
}

/// The surface for a mode (tests, which mount any mode in one bundle).
pub fn for_mode(mode: Mode) -> Surface {
    match mode {
        Mode::Pos => TILL,
        Mode::Kiosk => KIOSK,
        Mode::Widget => WIDGET,
        Mode::BackOffice => BACK_OFFICE,
    }
}
