//! The few browser services the app needs, with native stand-ins so the flow and its tests
//! build and run off the browser too.

/// sessionStorage key for the open redemption's id (resume after reload). Never a code or a
/// session token: those stay in memory.
pub const PENDING_KEY: &str = "redeemguard.pending_redemption";
/// localStorage key for the terminal token (device provisioning).
pub const TERMINAL_KEY: &str = "redeemguard.terminal_token";

#[cfg(target_arch = "wasm32")]
mod imp {
    use wasm_bindgen::JsCast;

    pub fn now_ms() -> i64 {
        js_sys::Date::now() as i64
    }

    /// A v4 UUID. `crypto.randomUUID` needs a secure context (https or localhost); a POS on
    /// plain http in a shop LAN falls back to `getRandomValues`, which works everywhere.
    pub fn uuid() -> String {
        let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) else {
            return super::format_uuid_v4([0; 16]);
        };
        let has_random_uuid =
            js_sys::Reflect::get(&crypto, &"randomUUID".into()).is_ok_and(|f| f.is_function());
        if has_random_uuid {
            return crypto.random_uuid();
        }
        let mut bytes = [0u8; 16];
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
        super::format_uuid_v4(bytes)
    }

    fn storage(session: bool) -> Option<web_sys::Storage> {
        let w = web_sys::window()?;
        if session {
            w.session_storage().ok()?
        } else {
            w.local_storage().ok()?
        }
    }

    pub fn load(session: bool, key: &str) -> Option<String> {
        storage(session)?
            .get_item(key)
            .ok()?
            .filter(|v| !v.is_empty())
    }

    pub fn store(session: bool, key: &str, value: Option<&str>) {
        if let Some(s) = storage(session) {
            let _ = match value {
                Some(v) => s.set_item(key, v),
                None => s.remove_item(key),
            };
        }
    }

    pub fn print() {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    }

    /// Saves `text` as a file in the downloads (a CSV the backend wrote).
    pub fn download(name: &str, text: &str) {
        let _ = save(name, text);
    }

    fn save(name: &str, text: &str) -> Option<()> {
        let parts = js_sys::Array::of1(&text.into());
        let bag = web_sys::BlobPropertyBag::new();
        bag.set_type("text/csv;charset=utf-8");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let document = web_sys::window()?.document()?;
        let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
        a.set_href(&url);
        a.set_download(name);
        a.set_hidden(true);
        document.body()?.append_child(&a).ok()?;
        a.click();
        a.remove();
        // The click has started the download; the object URL may go.
        let _ = web_sys::Url::revoke_object_url(&url);
        Some(())
    }

    /// The content of `<meta name="…">`, if the page has one.
    pub fn meta(name: &str) -> Option<String> {
        web_sys::window()?
            .document()?
            .query_selector(&format!("meta[name=\"{name}\"]"))
            .ok()??
            .get_attribute("content")
    }

    pub fn path() -> String {
        web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default()
    }

    /// Moves keyboard focus to the element with this id inside `root` (after a screen
    /// change). Looked up inside the app's own root: a page may hold several widgets.
    /// Focuses, inside `root`: after an error, the first invalid field; otherwise the screen's
    /// first enabled text input, else its heading (`#screen-title`). On the first screen
    /// (`first`) only when nothing else on the page has the focus: a host page keeps its own.
    pub fn focus_first(root: &web_sys::Element, to_error: bool, first: bool) {
        if first {
            let busy = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .is_some_and(|a| a.tag_name() != "BODY");
            if busy {
                return;
            }
        }
        // Text areas too (a message's customers and text come before any input there).
        const INPUT: &str = ".rg-main input:not([disabled]):not([type=radio]):not([type=checkbox]):not([type=hidden]), .rg-main textarea:not([disabled])";
        let invalid = ".rg-main [aria-invalid=true]";
        let order: &[&str] = if to_error {
            &[invalid, INPUT, "#screen-title"]
        } else {
            &[INPUT, "#screen-title"]
        };
        // Of the inputs, the first still empty (a remembered terminal token is filled in:
        // the staff code is where the typing starts), else the first.
        let empty = root
            .query_selector_all(INPUT)
            .ok()
            .and_then(|all| {
                (0..all.length())
                    .filter_map(|i| all.item(i))
                    .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
                    .find(|e| {
                        js_sys::Reflect::get(e, &"value".into())
                            .ok()
                            .and_then(|v| v.as_string())
                            .is_some_and(|v| v.is_empty())
                    })
            })
            .filter(|_| !to_error);
        if let Some(input) = empty {
            let _ = input.focus();
            return;
        }
        for selector in order {
            let el = root.query_selector(selector).ok().flatten();
            if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
                // The text an answer refused is selected: typing replaces it (a wrong code's
                // digits do not stay in the way of the right ones).
                if to_error {
                    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                        input.select();
                    }
                }
                return;
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use std::cell::RefCell;
    use std::collections::HashMap;

    thread_local! {
        static STORE: RefCell<HashMap<(bool, String), String>> = RefCell::new(HashMap::new());
    }

    pub fn now_ms() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }

    pub fn uuid() -> String {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(1);
        let n = N.fetch_add(1, Ordering::Relaxed).to_be_bytes();
        let mut b = [0u8; 16];
        b[8..].copy_from_slice(&n);
        super::format_uuid_v4(b)
    }

    pub fn load(session: bool, key: &str) -> Option<String> {
        STORE.with(|s| s.borrow().get(&(session, key.to_string())).cloned())
    }

    pub fn store(session: bool, key: &str, value: Option<&str>) {
        STORE.with(|s| {
            let mut s = s.borrow_mut();
            match value {
                Some(v) => s.insert((session, key.to_string()), v.to_string()),
                None => s.remove(&(session, key.to_string())),
            };
        })
    }

    pub fn print() {}
    pub fn download(_name: &str, _text: &str) {}

    pub fn focus_first(_root: &web_sys::Element, _to_error: bool, _first: bool) {}

    pub fn meta(_name: &str) -> Option<String> {
        None
    }

    pub fn path() -> String {
        String::new()
    }
}

pub use imp::{download, focus_first, load, meta, now_ms, path, print, store, uuid};

/// Formats 16 random bytes as an RFC 4122 version-4 UUID.
pub fn format_uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4_shaped_and_distinct() {
        let a = uuid();
        let b = uuid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(
            format_uuid_v4([0xff; 16]),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
    }
}
