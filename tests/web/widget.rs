//! The widget mounted into a host page.

use super::*;

fn widget_config(extra: &str) -> wasm_bindgen::JsValue {
    js_sys::JSON::parse(&format!(
        r#"{{"backendUrl":"http://127.0.0.1:9","terminalToken":"demo-till-2",
            "bill":{{"id":"INV-7","total":"1200.00","currency":"INR"}}{extra}}}"#
    ))
    .unwrap()
}

#[wasm_bindgen_test]
async fn the_widget_mounts_in_its_own_shadow_root_and_unmounts_clean() {
    let host = div();
    let mut w = embed::mount(
        host.clone().into(),
        widget_config(""),
        "/no-such/styles.css",
    )
    .unwrap();
    let shadow = host.shadow_root().expect("a shadow root");
    let link = shadow
        .query_selector("link[rel=stylesheet]")
        .unwrap()
        .expect("its own stylesheet inside");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("/no-such/styles.css")
    );
    let container: HtmlElement = shadow
        .query_selector("div")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert!(container.hidden(), "hidden until its stylesheet is in");
    // The stylesheet fails to load here: the widget shows anyway, unstyled beats absent.
    for _ in 0..100 {
        if !container.hidden() {
            break;
        }
        sleep(20).await;
    }
    assert!(
        !container.hidden(),
        "shown once the stylesheet loaded or failed"
    );
    settle().await;
    let app = shadow.query_selector("[data-testid=app]").unwrap().unwrap();
    assert_eq!(app.get_attribute("data-mode").as_deref(), Some("widget"));
    assert!(shadow.query_selector("#staff-code").unwrap().is_some());
    assert!(shadow.query_selector("#terminal-token").unwrap().is_none());
    assert!(
        host.query_selector("*").unwrap().is_none(),
        "nothing in the host's light DOM"
    );
    assert_eq!(embed::live_widgets(), 1);
    w.unmount();
    assert_eq!(embed::live_widgets(), 0);
    assert_eq!(shadow.child_nodes().length(), 0);
    let w2 = embed::mount(
        host.clone().into(),
        widget_config(r#","locale":"en-US""#),
        "/styles.css",
    )
    .unwrap();
    settle().await;
    assert!(
        shadow
            .query_selector("[data-testid=app]")
            .unwrap()
            .is_some(),
        "remounted"
    );
    drop(w2);
    assert_eq!(embed::live_widgets(), 0, "dropping the handle unmounts too");
    host.remove();
}

#[wasm_bindgen_test]
fn a_bad_widget_config_names_every_problem() {
    let host: HtmlElement = document()
        .create_element("div")
        .unwrap()
        .dyn_into()
        .unwrap();
    let bad = js_sys::JSON::parse(
        r#"{"backendUrl":"x","bill":{"id":"1","total":"abc","currency":"INR"}}"#,
    )
    .unwrap();
    let err: wasm_bindgen::JsValue = embed::mount(host.into(), bad, "/styles.css")
        .err()
        .unwrap()
        .into();
    let message = err
        .unchecked_into::<js_sys::Error>()
        .message()
        .as_string()
        .unwrap();
    assert!(
        message.contains("backendUrl must start with https://"),
        "{message}"
    );
    assert!(message.contains("terminalToken is required"), "{message}");
    assert!(message.contains("bill.total \"abc\""), "{message}");
    assert_eq!(embed::live_widgets(), 0);
}
