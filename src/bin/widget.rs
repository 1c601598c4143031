//! The widget's module for host pages (`/widget/redeemguard.js`): nothing runs on load; the
//! host calls `mount(element, config)` (see `redeemguard::embed`).
use wasm_bindgen::prelude::*;

// The widget's stylesheet sits beside this module (`/widget/styles.css`); wasm-bindgen puts
// this snippet two folders below it (`snippets/<crate>/inline0.js`).
#[wasm_bindgen(
    inline_js = "export function stylesheet() { return new URL('../../styles.css', import.meta.url).href; }"
)]
extern "C" {
    fn stylesheet() -> String;
}

/// A mounted widget. `unmount()` removes it and everything it holds (timers, listeners).
#[wasm_bindgen]
pub struct Widget(redeemguard::embed::Mounted);

#[wasm_bindgen]
impl Widget {
    pub fn unmount(&mut self) {
        self.0.unmount();
    }

    #[wasm_bindgen(getter)]
    pub fn mounted(&self) -> bool {
        self.0.is_mounted()
    }
}

/// Mounts the redemption flow into `element`. Throws an `Error` naming every bad setting
/// when the config is not valid.
#[wasm_bindgen]
pub fn mount(element: JsValue, config: JsValue) -> Result<Widget, JsError> {
    redeemguard::embed::mount(element, config, &stylesheet()).map(Widget)
}

/// Forgets the front desk's session kept for the next invoice (a host's own sign-out or
/// shift change): the next widget asks for the PIN again.
#[wasm_bindgen(js_name = forgetSession)]
pub fn forget_session() {
    redeemguard::embed::forget_session()
}

/// How many widgets are mounted on this page (for hosts and leak tests).
#[wasm_bindgen(js_name = liveWidgets)]
pub fn live_widgets() -> u32 {
    redeemguard::embed::live_widgets()
}

fn main() {}
