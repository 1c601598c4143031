//! The driver between the flow and the world: the flow's state in a signal, the backend its
//! requests run against, and what the device and the host page are told.

use crate::backend::Backend;
use crate::flow::{Answer, Cmd, Field, Flow, Handler, HostEvent, Mode, Msg, Place, ReqId, Request};
use crate::platform;
use contract::api::{RequestApproval, SendOtp, Verify};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use std::time::Duration;

/// Called with each outcome a host page must hear (widget mode).
pub type HostListener = Rc<dyn Fn(HostEvent)>;

/// How the app is started. POS, kiosk and widget differ only in this configuration.
#[derive(Clone, Default)]
pub struct AppConfig {
    pub mode: Mode,
    /// Instrument kinds that may be redeemed here; empty: all.
    pub allowed_kinds: Vec<contract::InstrumentKind>,
    /// Widget mode: told how each redemption ended.
    pub on_event: Option<HostListener>,
    /// Display locale (BCP 47) instead of the store policy's.
    pub locale: Option<String>,
    /// Overrides what the device remembers (tests).
    pub terminal_token: Option<String>,
    /// A redemption id to resume after sign-in (normally from sessionStorage).
    pub pending_redemption: Option<String>,
    /// A bill supplied by the host page (widget mode): the bill screen is skipped and the
    /// bill cannot be changed.
    pub bill: Option<contract::rules::Bill>,
    /// Widget: the front desk's session kept from an earlier invoice on this terminal.
    pub session: Option<contract::api::Session>,
    /// Widget: where the session is kept for the next invoice (in memory).
    pub on_session: Option<SessionKeeper>,
}

/// Keeps (or, with `None`, forgets) the front desk's session for the next invoice.
pub type SessionKeeper = Rc<dyn Fn(Option<contract::api::Session>)>;

/// The driver: the flow's state, and the backend its commands run against. `Copy`, so every
/// event handler can hold it.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub flow: RwSignal<Flow>,
    /// The surface's flow dispatch (only its steps are in its bundle).
    handler: Handler,
    backend: StoredValue<Rc<dyn Backend>, LocalStorage>,
    host: StoredValue<Option<HostListener>, LocalStorage>,
    keeper: StoredValue<Option<SessionKeeper>, LocalStorage>,
    /// The app's own root element: focus and lookups stay inside it (a widget may share the
    /// page with others, each in its own shadow root).
    pub root: NodeRef<leptos::html::Div>,
}

impl Ctx {
    pub fn new(backend: Rc<dyn Backend>, config: &AppConfig, handler: Handler) -> Self {
        let place = Place {
            host_locale: config.locale.clone(),
            ..Place::new(config.mode, config.allowed_kinds.clone())
        };
        Ctx {
            flow: RwSignal::new(Flow::at(place)),
            handler,
            backend: StoredValue::new_local(backend),
            host: StoredValue::new_local(config.on_event.clone()),
            keeper: StoredValue::new_local(config.on_session.clone()),
            root: NodeRef::new(),
        }
    }

    /// Where the app runs; fixed when it is mounted, so read without tracking.
    pub fn mode(self) -> Mode {
        self.flow
            .try_with_untracked(|f| f.mode())
            .unwrap_or_default()
    }

    /// Feeds a message (a person's action, the clock, an answer) to the flow and runs the
    /// resulting commands.
    pub fn dispatch(self, msg: impl Into<Msg>) {
        self.handle(msg.into());
    }

    fn handle(self, msg: Msg) {
        let now = platform::now_ms();
        // try_: a late answer may arrive after the app was unmounted.
        let cmds = self
            .flow
            .try_update(|f| (self.handler)(f, msg, now))
            .unwrap_or_default();
        for cmd in cmds {
            self.run(cmd);
        }
    }

    fn run(self, cmd: Cmd) {
        let mode = self.mode();
        match cmd {
            Cmd::RememberRedemption(id) => {
                if mode.remembers_pending() {
                    platform::store(true, platform::PENDING_KEY, id.as_deref())
                }
            }
            Cmd::RememberTerminal(token) => {
                if mode.remembers_terminal() {
                    platform::store(false, platform::TERMINAL_KEY, Some(&token))
                }
            }
            Cmd::Notify(event) => {
                if let Some(Some(listener)) = self.host.try_get_value() {
                    listener(event);
                }
            }
            Cmd::KeepSession(session) => {
                if let Some(Some(keep)) = self.keeper.try_get_value() {
                    keep(session.map(|s| *s));
                }
            }
            Cmd::RetryCommitAfter(ms) => set_timeout(
                move || self.dispatch(Msg::RetryCommit),
                Duration::from_millis(u64::from(ms)),
            ),
            Cmd::KioskForget => self.call(None),
            Cmd::Download { name, text } => platform::download(&name, &text),
            Cmd::Ask(id, request) => self.call(Some((id, request))),
        }
    }

    /// Runs a request and sends its answer back with its id; without a request, tells a
    /// kiosk's backend to forget the customer (an answer nobody waits for: the binding also
    /// lapses by itself). One future for both, so the bundle carries one.
    fn call(self, ask_for: Option<(ReqId, Request)>) {
        let Some(b) = self.backend.try_get_value() else {
            return;
        };
        spawn_local(async move {
            match ask_for {
                Some((id, request)) => {
                    let answer = ask(&*b, request).await;
                    self.dispatch(Msg::Answer(id, Box::new(answer)));
                }
                None => {
                    let _ = b.kiosk_forget().await;
                }
            }
        });
    }

    /// A memo over one part of the flow: views re-render only when that part changes. A
    /// function, not a closure: the memo's code then exists once per value type, not once per
    /// call (what the bundle weighs).
    pub fn sel<T>(self, f: fn(&Flow) -> T) -> Memo<T>
    where
        T: Clone + PartialEq + Send + Sync + 'static,
    {
        let flow = self.flow;
        Memo::new(move |_| flow.with(f))
    }

    /// The server's message for a field, if the last answer was about it.
    pub fn field_error(self, field: Field) -> Memo<Option<String>> {
        let flow = self.flow;
        Memo::new(move |_| {
            flow.with(|f| {
                f.ui.field_error
                    .as_ref()
                    .filter(|e| e.field == field)
                    .map(|e| e.text.clone())
            })
        })
    }

    pub fn busy(self) -> Memo<bool> {
        self.sel(|f| f.busy().is_some())
    }

    pub fn locale(self) -> Memo<String> {
        self.sel(Flow::locale)
    }
}

/// Makes one backend call and turns its result into the flow's answer.
async fn ask(b: &dyn Backend, request: Request) -> Answer {
    match request {
        Request::SignIn {
            terminal_token,
            body,
        } => Answer::SignedIn(b.sign_in(terminal_token, body).await),
        Request::SignOut => {
            let _ = b.sign_out().await; // signed out locally either way
            Answer::SignedOut
        }
        Request::LoadPolicy => Answer::PolicyLoaded(b.policy().await),
        Request::SavePolicy(p) => Answer::PolicySaved(b.save_policy(*p).await),
        Request::Search(q) => Answer::Found(b.search(q).await.map(|s| s.customers)),
        Request::LoadBalance(id) => Answer::BalanceLoaded(b.balance(id).await),
        Request::Create(body) => Answer::Created(b.create(body).await),
        Request::Fetch(id) => Answer::Fetched(b.get(id).await),
        Request::SendOtp { id, channel } => {
            Answer::OtpSent(b.send_otp(id, SendOtp { channel }).await)
        }
        Request::Verify { id, code } => Answer::Verified(b.verify(id, Verify { code }).await),
        Request::Override { id, body } => Answer::Overridden(b.override_(id, body).await),
        Request::RequestApproval { id, reason } => {
            Answer::ApprovalRequested(b.request_approval(id, RequestApproval { reason }).await)
        }
        Request::PollApproval(id) => Answer::ApprovalPolled(b.get(id).await),
        Request::PollDelivery(id) => Answer::DeliveryPolled(b.get(id).await),
        Request::LoadApprovals => Answer::ApprovalsLoaded(b.approvals().await.map(|l| l.requests)),
        Request::DecideApproval { id, approve } => {
            Answer::ApprovalDecided(b.decide_approval(id, approve).await)
        }
        Request::Commit { id, key } => Answer::Committed(b.commit(id, key).await),
        Request::Cancel(id) => Answer::Cancelled(b.cancel(id).await),
        Request::KioskIdentify(body) => Answer::KioskCodeSent(b.kiosk_identify(body).await),
        Request::KioskVerify(code) => Answer::KioskVerified(b.kiosk_verify(Verify { code }).await),
        Request::Accrue(body) => Answer::Accrued(b.accrue(body).await),
        Request::TakeVoucher(body) => Answer::VoucherTaken(b.redeem_voucher(body).await),
        Request::Admin(call) => Answer::Admin(b.admin(call).await),
    }
}

/// The driver of the app these screens belong to.
pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}
