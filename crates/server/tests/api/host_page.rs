//! The widget's sample host page on a second listener: a real second origin that imports the
//! app's JS module and wasm from the main listener, which CORS must allow (and only for it).

use crate::helpers::*;
use reqwest::header::HeaderMap;

const ACAO: &str = "access-control-allow-origin";

/// A built app (`dist/`, the widget's module in `dist/widget/`) and a host page
/// (`www/host/`), laid out as in the repository.
fn site(dir: &std::path::Path) {
    let dist = dir.join("dist");
    let widget = dist.join("widget");
    let host = dir.join("www").join("host");
    std::fs::create_dir_all(&widget).unwrap();
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>app</title>").unwrap();
    std::fs::write(
        widget.join("redeemguard.js"),
        "export default async function init() {}",
    )
    .unwrap();
    std::fs::write(
        widget.join("redeemguard_bg.wasm"),
        b"\0asm\x01\0\0\0".as_slice(),
    )
    .unwrap();
    std::fs::write(widget.join("styles.css"), "body{}").unwrap();
    std::fs::write(
        host.join("index.html"),
        "<!doctype html><title>Salon host page</title><script type=module src=host.js></script>",
    )
    .unwrap();
    std::fs::write(
        host.join("host.js"),
        "import init from 'http://127.0.0.1:8080/widget/redeemguard.js';",
    )
    .unwrap();
}

async fn get(url: &str, origin: Option<&str>) -> (u16, HeaderMap, Vec<u8>) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let res = req.send().await.unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, headers, res.bytes().await.unwrap().to_vec())
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_page_is_a_second_origin_that_cors_allows_for_the_api_and_the_app_files() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    site(dir.path());
    let db = dir.path().join("host.sqlite");
    let dist = dir.path().join("dist");
    let host_dir = dir.path().join("www").join("host");
    let server = Server::spawn(
        dir.clone(),
        db,
        &[
            "--demo",
            "--static-dir",
            dist.to_str().unwrap(),
            "--host-page-dir",
            host_dir.to_str().unwrap(),
            "--host-page-listen",
            "127.0.0.1:0",
        ],
        &[],
    );
    let host = server.host_page.clone().expect("a `host page on` line");
    assert!(host.starts_with("http://127.0.0.1:") && host != server.base);
    assert!(
        server
            .logs()
            .contains(&format!("widget host page: {host}/")),
        "the demo banner names it: {}",
        server.logs()
    );

    // The second listener serves the directory, and nothing else.
    let (status, headers, body) = get(&format!("{host}/"), None).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(String::from_utf8_lossy(&body).contains("Salon host page"));
    let (status, headers, _) = get(&format!("{host}/host.js"), None).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type")
        .unwrap()
        .contains("javascript"));
    let (status, _, _) = get(&format!("{host}/v1/policy"), None).await;
    assert_eq!(status, 404, "the host listener is not the API");

    // A preflight from the host page to the API names it; another origin hears nothing.
    let preflight = |origin: String| {
        let base = server.base.clone();
        async move { cors_preflight(&base, &origin, "x-terminal-token,authorization").await }
    };
    let ok = preflight(host.clone()).await.unwrap();
    assert_eq!(header(ok.headers(), ACAO), Some(host.as_str()));
    let allowed = header(ok.headers(), "access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in [
        "x-terminal-token",
        "authorization",
        "idempotency-key",
        "content-type",
    ] {
        assert!(allowed.contains(h), "{h} in {allowed}");
    }
    let port = host.rsplit(':').next().unwrap();
    let localhost = preflight(format!("http://localhost:{port}")).await.unwrap();
    assert_eq!(
        header(localhost.headers(), ACAO),
        Some(format!("http://localhost:{port}").as_str())
    );
    for other in ["http://127.0.0.1:1", "https://evil.example"] {
        let no = preflight(other.to_string()).await.unwrap();
        assert_eq!(header(no.headers(), ACAO), None, "{other}");
    }

    // The app's module, wasm and CSS are fetched in CORS mode: the same allow-list covers them.
    for (file, content_type) in [
        ("widget/redeemguard.js", "javascript"),
        ("widget/redeemguard_bg.wasm", "application/wasm"),
        ("widget/styles.css", "text/css"),
    ] {
        let url = format!("{}/{file}", server.base);
        let (status, headers, _) = get(&url, Some(&host)).await;
        assert_eq!(status, 200, "{file}");
        assert!(
            header(&headers, "content-type")
                .unwrap()
                .contains(content_type),
            "{file}: {headers:?}"
        );
        assert_eq!(header(&headers, ACAO), Some(host.as_str()), "{file}");
        let (_, headers, _) = get(&url, Some("https://evil.example")).await;
        assert_eq!(header(&headers, ACAO), None, "{file}");
    }

    // And the API answers the host page's origin on real calls too.
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let r = api
        .send(
            reqwest::Method::GET,
            "/v1/policy",
            None,
            &[("origin", &host)],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(header(&r.headers, ACAO), Some(host.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_finds_the_host_page_beside_the_app_by_default() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    site(dir.path());
    let db = dir.path().join("default.sqlite");
    let dist = dir.path().join("dist");
    // No host page flags: <static-dir>/../www/host on 127.0.0.1:8081, or a free port if that
    // is taken (another demo may be running).
    let server = Server::spawn(
        dir.clone(),
        db,
        &["--demo", "--static-dir", dist.to_str().unwrap()],
        &[],
    );
    let host = server.host_page.clone().expect("the demo serves www/host");
    assert!(host.starts_with("http://127.0.0.1:"));
    let (status, _, body) = get(&format!("{host}/"), None).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("Salon host page"));
    let (_, headers, _) = get(
        &format!("{}/widget/redeemguard.js", server.base),
        Some(&host),
    )
    .await;
    assert_eq!(header(&headers, ACAO), Some(host.as_str()));
    drop(server);

    // Outside the demo the host page is opt-in; naming a missing directory stops the start.
    let out = std::process::Command::new(BIN)
        .args(["--demo", "--listen", "127.0.0.1:0", "--host-page-dir"])
        .arg(dir.path().join("missing"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a directory"));
}
