//! Widget mode: the JavaScript API a host page (a salon's appointment book) uses to mount
//! the redemption flow into one of its elements.
//!
//! ```js
//! import init, { mount } from "https://loyalty.example.com/widget/redeemguard.js";
//! await init();
//! const widget = mount(document.getElementById("loyalty"), {
//!   backendUrl: "https://loyalty.example.com", terminalToken: "…",
//!   bill: { id: "INV-1042", total: "2450.00", currency: "INR" },
//!   locale: "en-IN", instruments: ["points", "package"],
//!   onEvent: (e) => console.log(e.type, e.redemptionId, e.value),
//! });
//! // later: widget.unmount();
//! ```
//!
//! The config is checked as a whole and every problem is reported in one error. The outcome
//! reaches the host twice: the `onEvent` callback and a `redeemguard:<outcome>` DOM
//! `CustomEvent` (bubbling, composed) on the host element. The widget lives in a shadow root
//! with its own stylesheet (`/widget/styles.css`, linked, not compiled into the module), so
//! the host's CSS cannot reach in and the widget's cannot leak out.

use crate::backend::HttpConfig;
use crate::flow::{HostEvent, Mode};
use crate::ui::{App, AppConfig};
use contract::wire::json::{self, Value, Writer};
use contract::{Bill, BillError, BillId, MoneyError};
use contract::{Currency, InstrumentKind, Money};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The config as the host wrote it, each setting of the right JSON type (the callback is
/// read separately). Read by hand rather than derived: every wrong key or type is reported in
/// the host's own words, and the bundle carries no generic deserialiser error text.
#[derive(Default, Debug)]
pub struct RawConfig {
    pub backend_url: Option<String>,
    pub terminal_token: Option<String>,
    pub bill: Option<RawBill>,
    pub locale: Option<String>,
    pub instruments: Option<Vec<String>>,
}

#[derive(Default, Debug)]
pub struct RawBill {
    pub id: Option<String>,
    /// As written: "2450.00", or a whole number of major units (2450).
    pub total: Option<String>,
    pub currency: Option<String>,
}

/// A parsed JSON object's members (the contract's own small JSON reader: no serde in the
/// bundle).
type Object = [(String, Value)];

impl RawConfig {
    /// Reads a config object; every unknown key and wrong type is one error.
    pub fn read(o: &Object, errors: &mut Vec<String>) -> RawConfig {
        unknown_keys(
            o,
            &[
                "backendUrl",
                "terminalToken",
                "bill",
                "locale",
                "instruments",
                "onEvent",
            ],
            "",
            errors,
        );
        let bill = match get(o, "bill") {
            None | Some(Value::Null) => None,
            Some(Value::Object(b)) => {
                unknown_keys(b, &["id", "total", "currency"], "bill.", errors);
                let total = match get(b, "total") {
                    None | Some(Value::Null) => None,
                    Some(Value::Str(t)) => Some(t.clone()),
                    Some(Value::Int(whole)) if *whole >= 0 => Some(whole.to_string()),
                    Some(Value::Int(_) | Value::Number(_)) => {
                        errors.push(
                            "bill.total: write an amount with a fraction as text, e.g. \"2450.50\""
                                .into(),
                        );
                        None
                    }
                    Some(_) => {
                        errors.push("bill.total must be an amount such as \"2450.00\"".into());
                        None
                    }
                };
                Some(RawBill {
                    id: text(b, "id", "bill.id", errors),
                    total,
                    currency: text(b, "currency", "bill.currency", errors),
                })
            }
            Some(_) => {
                errors.push("bill must be an object: { id, total, currency }".into());
                None
            }
        };
        let instruments = match get(o, "instruments") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) if a.iter().all(|v| matches!(v, Value::Str(_))) => Some(
                a.iter()
                    .filter_map(|v| match v {
                        Value::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect(),
            ),
            Some(_) => {
                errors.push(
                    "instruments must be a list of kinds, e.g. [\"points\", \"package\"]".into(),
                );
                None
            }
        };
        RawConfig {
            backend_url: text(o, "backendUrl", "backendUrl", errors),
            terminal_token: text(o, "terminalToken", "terminalToken", errors),
            bill,
            locale: text(o, "locale", "locale", errors),
            instruments,
        }
    }
}

/// The member `key` (the last one when repeated, as `JSON.parse` keeps).
fn get<'a>(o: &'a Object, key: &str) -> Option<&'a Value> {
    o.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn unknown_keys(o: &Object, known: &[&str], prefix: &str, errors: &mut Vec<String>) {
    for (key, _) in o.iter().filter(|(k, _)| !known.contains(&k.as_str())) {
        errors.push(format!(
            "unknown setting \"{prefix}{key}\" (known: {})",
            known
                .iter()
                .filter(|k| **k != "onEvent" || prefix.is_empty())
                .map(|k| format!("{prefix}{k}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
}

fn text(o: &Object, key: &str, name: &str, errors: &mut Vec<String>) -> Option<String> {
    match get(o, key) {
        None | Some(Value::Null) => None,
        Some(Value::Str(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(format!("{name} must be text"));
            None
        }
    }
}

/// A checked widget config.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WidgetConfig {
    pub backend_url: String,
    pub terminal_token: String,
    pub bill: Bill,
    pub locale: Option<String>,
    pub instruments: Vec<InstrumentKind>,
}

impl WidgetConfig {
    /// Reads and checks a config written as JSON (what the host passed, minus functions).
    pub fn from_json(json: &str) -> Result<Self, Vec<String>> {
        let Ok(Value::Object(object)) = json::parse(json) else {
            return Err(vec!["the config must be an object".into()]);
        };
        let mut errors = Vec::new();
        let raw = RawConfig::read(&object, &mut errors);
        match WidgetConfig::parse(raw) {
            Ok(c) if errors.is_empty() => Ok(c),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        }
    }

    /// Checks everything and reports every problem, each naming the setting to fix.
    pub fn parse(raw: RawConfig) -> Result<Self, Vec<String>> {
        let mut errors = Vec::new();
        let backend_url = match raw.backend_url.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push("backendUrl is required, e.g. \"https://loyalty.example.com\"".into());
                None
            }
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                Some(u.trim_end_matches('/').to_string())
            }
            Some(u) => {
                errors.push(format!(
                    "backendUrl must start with https:// or http:// (got \"{u}\")"
                ));
                None
            }
        };
        let terminal_token = match raw.terminal_token.as_deref().map(str::trim) {
            None | Some("") => {
                errors
                    .push("terminalToken is required: the token this front desk was issued".into());
                None
            }
            Some(t) => Some(t.to_string()),
        };
        let bill = match raw.bill {
            None => {
                errors.push("bill is required: { id, total, currency }".into());
                None
            }
            Some(b) => parse_bill(b, &mut errors),
        };
        let locale = match raw.locale.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(l) if contract::policy::is_locale_tag(l) => Some(l.to_string()),
            Some(l) => {
                errors.push(format!(
                    "locale must be a language tag such as \"en-IN\" (got \"{l}\")"
                ));
                None
            }
        };
        let mut instruments = Vec::new();
        for name in raw.instruments.unwrap_or_default() {
            match InstrumentKind::ALL.iter().find(|k| k.as_str() == name) {
                Some(k) if !instruments.contains(k) => instruments.push(*k),
                Some(_) => {}
                None => errors.push(format!(
                    "instruments: unknown kind \"{name}\" (use {})",
                    InstrumentKind::ALL.map(|k| k.as_str()).join(", ")
                )),
            }
        }
        match (backend_url, terminal_token, bill) {
            (Some(backend_url), Some(terminal_token), Some(bill)) if errors.is_empty() => {
                Ok(WidgetConfig {
                    backend_url,
                    terminal_token,
                    bill,
                    locale,
                    instruments,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The host's bill, read by the contract's rule; each problem names the setting for the
/// host page's developer.
fn parse_bill(b: RawBill, errors: &mut Vec<String>) -> Option<Bill> {
    let raw_id = b.id.unwrap_or_default();
    let id = BillId::parse(&raw_id);
    let currency = match b.currency.as_deref() {
        None => {
            errors.push("bill.currency is required, e.g. \"INR\"".into());
            None
        }
        Some(c) => match Currency::parse(c) {
            Ok(c) => Some(c),
            Err(_) => {
                errors.push(format!(
                    "bill.currency must be a 3-letter ISO 4217 code such as \"INR\" (got \"{c}\")"
                ));
                None
            }
        },
    };
    let total_text = b.total.unwrap_or_default();
    let total = match currency {
        Some(c) => Money::parse(&total_text, c).map_err(|e| match e {
            MoneyError::Empty => BillError::MissingTotal,
            e => BillError::Total(e),
        }),
        None => Err(BillError::MissingTotal),
    };
    let no_currency = currency.is_none();
    match Bill::from_parts(id, total) {
        Ok(bill) => Some(bill),
        Err(e) => {
            if let Some(e) = e.id {
                errors.push(match e {
                    BillError::MissingId => "bill.id is required (the invoice number)".into(),
                    e => format!("bill.id \"{raw_id}\" is not valid: {e}"),
                });
            }
            match e.total {
                Some(BillError::MissingTotal) if no_currency && !total_text.is_empty() => {}
                Some(BillError::MissingTotal) => {
                    errors.push("bill.total is required, e.g. \"2450.00\"".into())
                }
                Some(BillError::ZeroTotal) => {
                    errors.push("bill.total must be more than zero".into())
                }
                Some(e) => errors.push(format!("bill.total \"{total_text}\": {e}")),
                None => {}
            }
            None
        }
    }
}

/// The event a host receives, as JSON text (`detail` of the DOM event, argument of
/// `onEvent`).
pub fn event_json(e: &HostEvent) -> String {
    let mut w = Writer::default();
    w.begin_object().key("type").str(e.outcome.name());
    w.key("billId");
    match &e.bill_id {
        Some(id) => w.str(id),
        None => w.null(),
    };
    let r = e.redemption.as_ref();
    w.key("redemptionId");
    match r {
        Some(r) => w.str(&r.id),
        None => w.null(),
    };
    w.key("instrument");
    match r {
        Some(r) => w
            .begin_object()
            .key("kind")
            .str(r.instrument_kind.as_str())
            .key("label")
            .str(&r.instrument_label)
            .end_object(),
        None => w.null(),
    };
    w.key("quantity");
    match r {
        Some(r) => w.uint(r.quantity.get()),
        None => w.null(),
    };
    w.key("unit");
    match r {
        Some(r) => w.str(r.unit.as_str()),
        None => w.null(),
    };
    w.key("value");
    match r {
        Some(r) => w
            .begin_object()
            .key("amount")
            .str(&r.value.to_decimal_string())
            .key("minor")
            .uint(r.value.minor())
            .key("currency")
            .str(r.value.currency().code())
            .end_object(),
        None => w.null(),
    };
    w.key("reason");
    match &e.reason {
        Some(reason) => w.str(reason),
        None => w.null(),
    };
    w.end_object();
    w.finish()
}

thread_local! {
    static LIVE: Cell<u32> = const { Cell::new(0) };
    /// The front desk's session on one terminal, kept across invoices (issue 13): the HTTP
    /// backend holding its token, in this page's memory only, never in the host's storage.
    static KEPT: RefCell<Option<Kept>> = const { RefCell::new(None) };
}

/// A terminal's backend and its signed-in session, for the next widget on the same terminal.
struct Kept {
    backend_url: String,
    terminal_token: String,
    backend: Rc<dyn crate::backend::Backend>,
    session: Option<contract::api::Session>,
    /// When a widget of it was last mounted or closed.
    touched_ms: f64,
}

/// A kept session unused this long is forgotten (the next widget asks for the PIN): the
/// desk's session is not left open for whoever sits down later.
const KEPT_IDLE_MS: f64 = 15.0 * 60_000.0;

/// Forgets the kept session (the host's own sign-out, `forgetSession()`).
pub fn forget_session() {
    KEPT.with(|k| *k.borrow_mut() = None);
}

fn touch_kept() {
    KEPT.with(|k| {
        if let Some(kept) = k.borrow_mut().as_mut() {
            kept.touched_ms = js_sys::Date::now();
        }
    });
}

/// The backend for this terminal (the kept one, with its session, when it is the same
/// terminal on the same backend; a new one otherwise, replacing what was kept).
fn kept_backend(
    backend_url: &str,
    terminal_token: &str,
) -> (
    Rc<dyn crate::backend::Backend>,
    Option<contract::api::Session>,
) {
    KEPT.with(|k| {
        let mut k = k.borrow_mut();
        let now = js_sys::Date::now();
        if let Some(kept) = k.as_mut().filter(|x| {
            x.backend_url == backend_url
                && x.terminal_token == terminal_token
                && now - x.touched_ms < KEPT_IDLE_MS
        }) {
            kept.touched_ms = now;
            return (kept.backend.clone(), kept.session.clone());
        }
        let backend = (crate::ui::surfaces::WIDGET.http)(HttpConfig::with_base_url(backend_url));
        *k = Some(Kept {
            backend_url: backend_url.to_string(),
            terminal_token: terminal_token.to_string(),
            backend: backend.clone(),
            session: None,
            touched_ms: now,
        });
        (backend, None)
    })
}

/// Keeps (or forgets) the session of the terminal's kept backend.
fn keep_session(backend_url: &str, terminal_token: &str, session: Option<contract::api::Session>) {
    KEPT.with(|k| {
        if let Some(kept) = k
            .borrow_mut()
            .as_mut()
            .filter(|x| x.backend_url == backend_url && x.terminal_token == terminal_token)
        {
            kept.session = session;
        }
    });
}

/// How many widgets are mounted on this page (for hosts and leak tests).
pub fn live_widgets() -> u32 {
    LIVE.with(Cell::get)
}

/// A mounted widget: dropping it (or [`Mounted::unmount`]) removes it and everything it
/// holds (timers, listeners). The widget's entry point (`src/bin/widget.rs`) wraps it in the
/// `Widget` class a host page sees.
pub struct Mounted {
    handle: Option<Box<dyn std::any::Any>>,
    shadow: web_sys::ShadowRoot,
}

impl Mounted {
    pub fn unmount(&mut self) {
        if self.handle.take().is_some() {
            touch_kept();
            self.shadow.set_inner_html("");
            LIVE.with(|n| n.set(n.get().saturating_sub(1)));
        }
    }

    pub fn is_mounted(&self) -> bool {
        self.handle.is_some()
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.unmount();
    }
}

/// Mounts the redemption flow into `element` (its shadow root), styled by the stylesheet at
/// `stylesheet` (a URL: the bundle carries no copy of the CSS). The widget stays hidden until
/// its stylesheet has loaded (or failed), so the host never sees it unstyled. Fails with an
/// `Error` naming every bad setting when the config is not valid.
pub fn mount(element: JsValue, config: JsValue, stylesheet: &str) -> Result<Mounted, JsError> {
    let host: web_sys::HtmlElement = element.dyn_into().map_err(|_| {
        JsError::new("RedeemGuard widget: the first argument must be an HTML element")
    })?;
    if !config.is_object() {
        return Err(JsError::new(
            "RedeemGuard widget: the second argument must be a config object",
        ));
    }
    let on_event = js_sys::Reflect::get(&config, &"onEvent".into()).unwrap_or(JsValue::UNDEFINED);
    let callback = match on_event {
        v if v.is_undefined() || v.is_null() => None,
        v => Some(v.dyn_into::<js_sys::Function>().map_err(|_| {
            JsError::new("RedeemGuard widget: invalid config: onEvent must be a function")
        })?),
    };
    // Functions vanish in JSON; everything else is read as plain data.
    let json = js_sys::JSON::stringify(&config)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    let cfg = WidgetConfig::from_json(&json).map_err(|errors| {
        JsError::new(&format!(
            "RedeemGuard widget: invalid config: {}",
            errors.join("; ")
        ))
    })?;

    let shadow = match host.shadow_root() {
        Some(s) => s,
        None => host
            .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
            .map_err(|_| JsError::new("RedeemGuard widget: this element cannot hold a widget (no shadow root); use a <div>"))?,
    };
    shadow.set_inner_html("");
    let doc = host
        .owner_document()
        .ok_or_else(|| JsError::new("no document"))?;
    let container: web_sys::HtmlElement = doc
        .create_element("div")
        .ok()
        .and_then(|e| e.dyn_into().ok())
        .ok_or_else(|| JsError::new("no <div>"))?;
    if let Ok(link) = doc.create_element("link") {
        let _ = link.set_attribute("rel", "stylesheet");
        let _ = link.set_attribute("href", stylesheet);
        container.set_hidden(true);
        let shown = container.clone();
        let show =
            wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || shown.set_hidden(false))
                .into_js_value();
        let _ = link.add_event_listener_with_callback("load", show.unchecked_ref());
        let _ = link.add_event_listener_with_callback("error", show.unchecked_ref());
        let _ = shadow.append_child(&link);
    }
    let _ = shadow.append_child(&container);

    let target = host.clone();
    let callback = Rc::new(callback);
    let listener = Rc::new(move |event: HostEvent| {
        let (target, callback) = (target.clone(), callback.clone());
        // After the widget's own handler has returned: a host that unmounts the widget when
        // it hears the outcome must not pull the running handler out from under itself.
        wasm_bindgen_futures::spawn_local(async move {
            let detail = js_sys::JSON::parse(&event_json(&event)).unwrap_or(JsValue::NULL);
            if let Some(f) = callback.as_ref() {
                let _ = f.call1(&JsValue::NULL, &detail);
            }
            let init = web_sys::CustomEventInit::new();
            init.set_bubbles(true);
            init.set_composed(true);
            init.set_detail(&detail);
            let name = format!("redeemguard:{}", event.outcome.name());
            if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict(&name, &init) {
                let _ = target.dispatch_event(&ev);
            }
        });
    });
    // The front desk stays signed in across invoices on this terminal: until they sign out,
    // 15 minutes pass without a widget, the host calls forgetSession(), or the backend ends
    // the session (its lifetime).
    let (backend, session) = kept_backend(&cfg.backend_url, &cfg.terminal_token);
    let (url, token) = (cfg.backend_url.clone(), cfg.terminal_token.clone());
    let on_session: crate::ui::SessionKeeper = Rc::new(move |s| keep_session(&url, &token, s));
    let app_config = AppConfig {
        mode: Mode::Widget,
        allowed_kinds: cfg.instruments,
        on_event: Some(listener),
        locale: cfg.locale,
        terminal_token: Some(cfg.terminal_token),
        pending_redemption: None,
        bill: Some(cfg.bill),
        session,
        on_session: Some(on_session),
    };
    let handle = leptos::mount::mount_to(container, move || {
        view! { <App backend config=app_config surface=crate::ui::surfaces::WIDGET/> }
    });
    LIVE.with(|n| n.set(n.get() + 1));
    Ok(Mounted {
        handle: Some(Box::new(handle)),
        shadow,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<WidgetConfig, Vec<String>> {
        WidgetConfig::from_json(json)
    }

    #[test]
    fn a_complete_config_is_accepted() {
        let c = parse(
            r#"{"backendUrl":"http://127.0.0.1:8080/","terminalToken":"t1",
                "bill":{"id":"INV-1","total":"2450.50","currency":"INR"},
                "locale":"en-IN","instruments":["points","package","points"]}"#,
        )
        .unwrap();
        assert_eq!(c.backend_url, "http://127.0.0.1:8080");
        assert_eq!(c.bill.total().minor(), 245_050);
        assert_eq!(
            c.instruments,
            vec![InstrumentKind::Points, InstrumentKind::Package]
        );
        let n = parse(
            r#"{"backendUrl":"https://x.example","terminalToken":"t",
                "bill":{"id":"7","total":1500,"currency":"INR"}}"#,
        )
        .unwrap();
        assert_eq!(n.bill.total().minor(), 150_000);
    }

    #[test]
    fn every_problem_is_reported_at_once_naming_the_setting() {
        let errors = parse(
            r#"{"backendUrl":"ftp://x","bill":{"id":"bad id","total":"-5","currency":"rupees"},
                "locale":"en IN","instruments":["points","vouchers"]}"#,
        )
        .unwrap_err();
        let all = errors.join("\n");
        for needle in [
            "backendUrl must start with https://",
            "terminalToken is required",
            "bill.id \"bad id\" is not valid",
            "bill.currency must be a 3-letter",
            "locale must be a language tag",
            "unknown kind \"vouchers\"",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
        }
    }

    #[test]
    fn a_missing_bill_or_zero_total_is_refused() {
        let e = parse(r#"{"backendUrl":"https://x","terminalToken":"t"}"#).unwrap_err();
        assert_eq!(
            e,
            vec!["bill is required: { id, total, currency }".to_string()]
        );
        let e = parse(
            r#"{"backendUrl":"https://x","terminalToken":"t","bill":{"id":"1","total":"0","currency":"INR"}}"#,
        )
        .unwrap_err();
        assert_eq!(e, vec!["bill.total must be more than zero".to_string()]);
    }

    #[test]
    fn unknown_settings_and_wrong_types_are_refused_by_name() {
        let e = parse(
            r#"{"backendURL":"https://x","terminalToken":7,"instruments":"points",
                "bill":{"id":"1","total":12.5,"currency":"INR","tax":1}}"#,
        )
        .unwrap_err()
        .join("\n");
        for needle in [
            "unknown setting \"backendURL\"",
            "terminalToken must be text",
            "instruments must be a list",
            "bill.total: write an amount with a fraction as text",
            "unknown setting \"bill.tax\"",
        ] {
            assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
        }
        assert_eq!(
            parse("[1]").unwrap_err(),
            vec!["the config must be an object"]
        );
    }
}
