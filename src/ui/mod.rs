//! Screens: thin Leptos components over [`crate::flow`]. They read the flow through memos
//! (so a tick only touches what changed) and turn taps into [`Msg`]s; the [`Ctx`] driver runs
//! the flow's commands against the [`Backend`].

mod kiosk;
mod otp;
mod policy;
mod screens;

use crate::backend::{Backend, HttpBackend, HttpConfig};
use crate::flow::{
    Action, Answer, Cmd, Field, Flow, HostEvent, Mode, Msg, Place, Request, Screen, Tone,
};
use crate::platform;
use contract::api::{SendOtp, Verify};
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
}

/// The driver: the flow's state, and the backend its commands run against. `Copy`, so every
/// event handler can hold it.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub flow: RwSignal<Flow>,
    backend: StoredValue<Rc<dyn Backend>, LocalStorage>,
    host: StoredValue<Option<HostListener>, LocalStorage>,
    /// The app's own root element: focus and lookups stay inside it (a widget may share the
    /// page with others, each in its own shadow root).
    pub root: NodeRef<leptos::html::Div>,
}

impl Ctx {
    pub fn new(backend: Rc<dyn Backend>, config: &AppConfig) -> Self {
        let place = Place {
            host_locale: config.locale.clone(),
            ..Place::new(config.mode, config.allowed_kinds.clone())
        };
        Ctx {
            flow: RwSignal::new(Flow::at(place)),
            backend: StoredValue::new_local(backend),
            host: StoredValue::new_local(config.on_event.clone()),
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
        let msg = msg.into();
        let now = platform::now_ms();
        // try_: a late answer may arrive after the app was unmounted.
        let cmds = self
            .flow
            .try_update(|f| f.handle(msg, now))
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
            Cmd::RetryCommitAfter(ms) => set_timeout(
                move || self.dispatch(Msg::RetryCommit),
                Duration::from_millis(u64::from(ms)),
            ),
            Cmd::KioskForget => {
                if let Some(b) = self.backend.try_get_value() {
                    // The binding also lapses by itself: nothing to do with the answer.
                    spawn_local(async move {
                        let _ = b.kiosk_forget().await;
                    });
                }
            }
            Cmd::Ask(id, request) => {
                let Some(b) = self.backend.try_get_value() else {
                    return;
                };
                spawn_local(async move {
                    let answer = ask(&*b, request).await;
                    self.dispatch(Msg::Answer(id, answer));
                });
            }
        }
    }

    /// A memo over one part of the flow: views re-render only when that part changes.
    pub fn sel<T>(self, f: impl Fn(&Flow) -> T + Send + Sync + 'static) -> Memo<T>
    where
        T: Clone + PartialEq + Send + Sync + 'static,
    {
        let flow = self.flow;
        Memo::new(move |_| flow.with(|fl| f(fl)))
    }

    /// The server's message for a field, if the last answer was about it.
    pub fn field_error(self, field: Field) -> Memo<Option<String>> {
        self.sel(move |f| {
            f.ui.field_error
                .as_ref()
                .filter(|e| e.field == field)
                .map(|e| e.text.clone())
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
        Request::SavePolicy(p) => Answer::PolicySaved(b.save_policy(p).await),
        Request::Search(q) => Answer::Found(b.search(q).await.map(|s| s.customers)),
        Request::LoadBalance(id) => Answer::BalanceLoaded(b.balance(id).await),
        Request::Create(body) => Answer::Created(b.create(body).await),
        Request::Fetch(id) => Answer::Fetched(b.get(id).await),
        Request::SendOtp { id, channel } => {
            Answer::OtpSent(b.send_otp(id, SendOtp { channel }).await)
        }
        Request::Verify { id, code } => Answer::Verified(b.verify(id, Verify { code }).await),
        Request::Override { id, body } => Answer::Overridden(b.override_(id, body).await),
        Request::Commit { id, key } => Answer::Committed(b.commit(id, key).await),
        Request::Cancel(id) => Answer::Cancelled(b.cancel(id).await),
        Request::KioskIdentify(body) => Answer::KioskCodeSent(b.kiosk_identify(body).await),
        Request::KioskVerify(code) => Answer::KioskVerified(b.kiosk_verify(Verify { code }).await),
    }
}

/// The whole app over any backend.
#[component]
pub fn App(backend: Rc<dyn Backend>, #[prop(optional)] config: AppConfig) -> impl IntoView {
    let ctx = Ctx::new(backend, &config);
    provide_context(ctx);
    let terminal_token = config.terminal_token.or_else(|| {
        config
            .mode
            .remembers_terminal()
            .then(|| platform::load(false, platform::TERMINAL_KEY))
            .flatten()
    });
    let pending_redemption = config.pending_redemption.or_else(|| {
        config
            .mode
            .remembers_pending()
            .then(|| platform::load(true, platform::PENDING_KEY))
            .flatten()
    });
    ctx.dispatch(Action::Start {
        terminal_token,
        pending_redemption,
    });
    if let Some(bill) = config.bill {
        ctx.dispatch(Action::HostBill(bill));
    }

    // One tick a second drives countdowns and the hold's expiry.
    if let Ok(handle) =
        set_interval_with_handle(move || ctx.dispatch(Msg::Tick), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }

    let screen = ctx.sel(|f| f.ui.screen);
    // A kiosk reset rebuilds the screen even when it stays the same, dropping typed text.
    let page = ctx.sel(|f| (f.ui.screen, f.ui.epoch));
    // Move focus to the new screen's heading so keyboard and screen-reader users follow along.
    let root = ctx.root;
    Effect::new(move |prev: Option<Screen>| {
        let now = screen.get();
        if prev.is_some_and(|p| p != now) {
            request_animation_frame(move || {
                if let Some(el) = root.get_untracked() {
                    platform::focus_within(&el, "screen-title");
                }
            });
        }
        now
    });
    if config.mode.self_service() {
        kiosk::install_manifest();
    }
    let embedded = config.mode.embedded();
    // Any touch or key postpones a kiosk's idle reset.
    let activity = move || {
        if ctx.mode().idle_reset() {
            ctx.dispatch(Action::Activity);
        }
    };

    view! {
        <div
            class="rg-app"
            data-testid="app"
            data-mode=config.mode.name()
            node_ref=root
            on:pointerdown=move |_| activity()
            on:keydown=move |_| activity()
        >
            <TopBar/>
            <StatusLine/>
            <kiosk::IdleWarning/>
            // A widget is one region of its host's page, never the page's main landmark.
            <div
                class="rg-main"
                role=if embedded { "region" } else { "main" }
                aria-label=embedded.then_some("Loyalty redemption")
                data-screen=move || screen.get().name()
            >
                {move || match page.get().0 {
                    Screen::SignIn => view! { <screens::SignInScreen/> }.into_any(),
                    Screen::Bill => view! { <screens::BillScreen/> }.into_any(),
                    Screen::Customer => view! { <screens::CustomerScreen/> }.into_any(),
                    Screen::Balance => view! { <screens::BalanceScreen/> }.into_any(),
                    Screen::Redeem => view! { <screens::RedeemScreen/> }.into_any(),
                    Screen::Otp => view! { <otp::OtpScreen/> }.into_any(),
                    Screen::Override => view! { <otp::OverrideScreen/> }.into_any(),
                    Screen::Confirm => view! { <otp::ConfirmScreen/> }.into_any(),
                    Screen::Receipt => view! { <otp::ReceiptScreen/> }.into_any(),
                    Screen::Closed(why) => view! { <otp::ClosedScreen why/> }.into_any(),
                    Screen::Resume => view! { <otp::ResumeScreen/> }.into_any(),
                    Screen::Policy => view! { <policy::PolicyScreen/> }.into_any(),
                    Screen::KioskStart => view! { <kiosk::KioskStartScreen/> }.into_any(),
                    Screen::KioskCode => view! { <kiosk::KioskCodeScreen/> }.into_any(),
                }}
            </div>
        </div>
    }
}

pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}

#[component]
fn TopBar() -> impl IntoView {
    let ctx = ctx();
    let who = ctx.sel(|f| {
        f.signed_in.session.as_ref().map(|s| {
            let role = if f.is_manager() { " (manager)" } else { "" };
            (
                format!("{}{role}", s.staff.name),
                format!("{} · {}", s.store.name, s.terminal.name),
            )
        })
    });
    let offers_policy = ctx.sel(Flow::offers_policy);
    if ctx.mode().self_service() {
        // A customer's screen: the store's name, and no staff controls at all.
        let store = ctx.sel(|f| f.signed_in.session.as_ref().map(|s| s.store.name.clone()));
        return view! {
            <header class="rg-bar">
                <h1 class="rg-brand">{move || store.get().unwrap_or_else(|| "RedeemGuard".into())}</h1>
                <span class="rg-where">"Loyalty self-service"</span>
            </header>
        }
        .into_any();
    }
    // Signing out mid-commit would leave the cashier without the outcome.
    let can_sign_out = ctx.sel(Flow::can_sign_out);
    let can_open_policy = ctx.sel(Flow::can_open_policy);
    let committing = ctx.sel(Flow::committing);
    // In a widget the host page owns the banner and the page's first heading.
    let widget = ctx.mode().embedded();
    view! {
        <div class="rg-bar" role=(!widget).then_some("banner")>
            {if widget {
                view! { <span class="rg-brand">"RedeemGuard"</span> }.into_any()
            } else {
                view! { <h1 class="rg-brand">"RedeemGuard"</h1> }.into_any()
            }}
            {move || {
                who.get()
                    .map(|(name, place)| {
                        view! {
                            <span class="rg-where">{place}</span>
                            <span class="rg-who" data-testid="whoami">{name}</span>
                            <Show when=move || offers_policy.get()>
                                <button
                                    class="rg-btn rg-quiet"
                                    data-testid="open-policy"
                                    disabled=move || !can_open_policy.get()
                                    on:click=move |_| ctx.dispatch(Action::OpenPolicy)
                                >
                                    "Policy"
                                </button>
                            </Show>
                            <button
                                class="rg-btn rg-quiet"
                                data-testid="sign-out"
                                disabled=move || !can_sign_out.get()
                                on:click=move |_| ctx.dispatch(Action::SignOut)
                            >
                                "Sign out"
                            </button>
                        }
                    })
            }}
            <Show when=move || widget>
                <button
                    class="rg-btn rg-quiet"
                    data-testid="close-widget"
                    disabled=move || committing.get()
                    on:click=move |_| ctx.dispatch(Action::Close)
                >
                    "Close"
                </button>
            </Show>
        </div>
    }
    .into_any()
}

/// The status line: an ARIA live region with reserved height, so messages never shift layout.
#[component]
fn StatusLine() -> impl IntoView {
    let ctx = ctx();
    let notice = ctx.sel(|f| f.ui.notice.clone());
    let tone = move || match notice.get().map(|n| n.tone) {
        Some(Tone::Error) => "error",
        Some(Tone::Success) => "success",
        Some(Tone::Info) => "info",
        None => "none",
    };
    view! {
        <p id="status" class="rg-status" role="status" aria-live="polite" data-tone=tone>
            {move || notice.get().map(|n| n.text).unwrap_or_default()}
        </p>
    }
}

/// An inline message under a field; the space is always reserved.
#[component]
pub fn FieldMsg(id: &'static str, #[prop(into)] text: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p id=id class="rg-field-msg" data-testid=id>
            {move || text.get().unwrap_or_default()}
        </p>
    }
}

/// Mounts the app on `<body>` with the HTTP backend. The backend URL comes from
/// `<meta name="redeemguard-backend" content="https://…">` (same origin when absent); the
/// path `/kiosk` starts the self-service kiosk, anything else the cashier's POS.
pub fn mount_app() {
    let base = platform::meta("redeemguard-backend").unwrap_or_default();
    let mode = if platform::path().trim_end_matches('/').ends_with("/kiosk") {
        Mode::Kiosk
    } else {
        Mode::Pos
    };
    let backend: Rc<dyn Backend> = Rc::new(HttpBackend::new(HttpConfig::with_base_url(&base)));
    let config = AppConfig {
        mode,
        ..AppConfig::default()
    };
    leptos::mount::mount_to_body(move || view! { <App backend config/> });
}
