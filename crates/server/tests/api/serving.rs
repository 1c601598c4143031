//! How the server serves: transport errors as problems, the OpenAPI document, production
//! mode without the demo phone, the configuration file, the app's static files.

use crate::helpers::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_errors_are_problems_and_openapi_matches_the_committed_copy() {
    let server = Server::demo(&[
        "--body-limit-bytes",
        "2048",
        "--cors-origin",
        "https://salon.example",
    ]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;

    let r = api.get("/v1/nothing-here").await;
    r.expect_problem("not_found");
    assert!(
        r.headers.get("x-request-id").is_some(),
        "every response carries a request id"
    );
    // A path that exists with a method it does not take: 405, not 404.
    let wrong_method = api
        .send(reqwest::Method::PATCH, "/v1/policy", None, &[])
        .await;
    assert_eq!(wrong_method.status, 405, "{}", wrong_method.body);
    wrong_method.expect_problem("invalid_request");
    let big = json!({ "reason": "x".repeat(4096) })
        .to_string()
        .into_bytes();
    api.send(
        reqwest::Method::POST,
        "/v1/redemptions/r/reverse",
        Some(big),
        &[],
    )
    .await
    .expect_problem("payload_too_large");
    api.send(
        reqwest::Method::POST,
        "/v1/redemptions",
        Some(b"{\"customer_id\":".to_vec()),
        &[],
    )
    .await
    .expect_problem("invalid_request");
    api.get("/v1/audit?limit=many")
        .await
        .expect_problem("invalid_request");

    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    let served: Value = reqwest::get(format!("{}/v1/openapi.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let committed: Value = serde_json::from_str(include_str!("../../openapi.json"))
        .expect("crates/server/openapi.json is valid JSON");
    assert!(
        served == committed,
        "crates/server/openapi.json is stale: regenerate with `cargo run -p redeemguard-server --bin redeemguard-server -- openapi > crates/server/openapi.json`"
    );
    for path in [
        "/v1/sessions",
        "/v1/redemptions/{id}/commit",
        "/v1/audit",
        "/v1/accruals",
        "/v1/customers/{id}/balance",
        "/v1/kiosk/identify",
        "/v1/kiosk/verify",
        "/v1/kiosk/forget",
    ] {
        assert!(served["paths"].get(path).is_some(), "{path} is documented");
    }
    let out = std::process::Command::new(BIN)
        .arg("openapi")
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        served
    );

    // CORS: the allow-listed origin only.
    let preflight = |origin| cors_preflight(&server.base, origin, "x-terminal-token");
    let ok = preflight("https://salon.example").await.unwrap();
    assert_eq!(
        ok.headers().get("access-control-allow-origin").unwrap(),
        "https://salon.example"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_demo_there_is_no_phone_and_sends_fail_honestly() {
    // Seed a database in demo mode, then serve it as production would.
    let server = Server::production_seeded();
    let db = server.db.clone();
    for path in ["/demo/phone", "/demo/outbox.json"] {
        let r = reqwest::get(format!("{}{path}", server.base))
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    assert!(!server.logs().contains("DEMO"), "no demo banner");
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let r = api
        .create(ASHA, ASHA_POINTS, 100, 100_000)
        .await
        .expect(201);
    let id = r["id"].as_str().unwrap();
    api.post(
        &format!("/v1/redemptions/{id}/otp"),
        json!({ "channel": "sms" }),
    )
    .await
    .expect_problem("delivery_failed");
    // The undelivered code is void; a manager override is the way on.
    api.post(
        &format!("/v1/redemptions/{id}/verify"),
        json!({ "code": "123456" }),
    )
    .await
    .expect_problem("otp_not_sent");
    drop(server);

    // Without a secret, a production server refuses to start.
    let out = std::process::Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env_remove("REDEEMGUARD_OTP_SECRET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("REDEEMGUARD_OTP_SECRET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_serves_the_app_with_an_index_fallback() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let site = dir.path().join("dist");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>RedeemGuard app</title>",
    )
    .unwrap();
    std::fs::write(site.join("app.js"), "console.log('app');\n".repeat(200)).unwrap();
    // A release build writes `.gz` files beside the bundle (xtask); they are sent as they are.
    std::fs::write(site.join("app.css"), "body{}\n".repeat(200)).unwrap();
    std::fs::write(site.join("app.css.gz"), b"precompressed bytes").unwrap();
    std::fs::write(site.join("app.css.br"), b"brotli bytes").unwrap();
    // Each surface has its own page and bundle (SPEC §9).
    for surface in ["kiosk", "back-office"] {
        std::fs::create_dir_all(site.join(surface)).unwrap();
        std::fs::write(
            site.join(surface).join("index.html"),
            format!("<!doctype html><title>RedeemGuard {surface}</title>"),
        )
        .unwrap();
    }
    let config = dir.path().join("server.toml");
    std::fs::write(
        &config,
        format!("static_dir = {:?}\ncors_origins = [\"https://salon.example\"]\nsession_ttl_secs = 600\n", site),
    )
    .unwrap();
    let db = dir.path().join("cfg.sqlite");
    let server = Server::spawn(
        dir.clone(),
        db.clone(),
        // Demo mode is a command-line flag only (S-item 8); the rest comes from the file.
        &["--demo", "--config", config.to_str().unwrap()],
        &[],
    );
    let get = |path: &'static str| {
        let base = server.base.clone();
        async move {
            let r = reqwest::get(format!("{base}{path}")).await.unwrap();
            let ct = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            (r.status().as_u16(), ct, r.text().await.unwrap())
        }
    };
    let (status, ct, body) = get("/").await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/html") && body.contains("RedeemGuard app"));
    let (status, _, body) = get("/sale/7").await;
    assert_eq!(status, 200, "client-side routes get the till's page");
    assert!(body.contains("RedeemGuard app"));
    for (path, page) in [
        ("/kiosk/", "RedeemGuard kiosk"),
        ("/kiosk/start", "RedeemGuard kiosk"),
        ("/back-office/", "RedeemGuard back-office"),
        ("/back-office/staff/3", "RedeemGuard back-office"),
        ("/kiosks", "RedeemGuard app"),
    ] {
        let (status, _, body) = get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            body.contains(page),
            "{path} gets its surface's page: {body}"
        );
    }
    let (status, ct, _) = get("/app.js").await;
    assert_eq!(status, 200);
    assert!(ct.contains("javascript"), "{ct}");
    let gzipped = reqwest::Client::new()
        .get(format!("{}/app.js", server.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        gzipped
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip"),
        "the app's files travel gzipped"
    );
    assert!(gzipped.bytes().await.unwrap().len() < 200, "and smaller");
    let precompressed = reqwest::Client::new()
        .get(format!("{}/app.css", server.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        precompressed.headers().get("content-encoding").unwrap(),
        "gzip"
    );
    assert_eq!(
        &precompressed.bytes().await.unwrap()[..],
        b"precompressed bytes",
        "the build's .gz file, not a fresh compression"
    );
    let brotli = reqwest::Client::new()
        .get(format!("{}/app.css", server.base))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(brotli.headers().get("content-encoding").unwrap(), "br");
    assert_eq!(
        &brotli.bytes().await.unwrap()[..],
        b"brotli bytes",
        "the build's .br file for a browser that takes brotli"
    );
    let (status, ct, body) = get("/v1/not-a-route").await;
    assert_eq!(
        (status, ct.as_str()),
        (404, "application/problem+json"),
        "{body}"
    );
    assert!(
        server.logs().contains("DEMO MODE"),
        "--demo with the file's settings"
    );
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let session_ttl = api
        .post(
            "/v1/sessions",
            json!({ "staff_code": "C001", "pin": "1234" }),
        )
        .await
        .expect(201);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((session_ttl["expires_at_ms"].as_i64().unwrap() - now - 600_000).abs() < 30_000);
    drop(server);

    // A misspelt setting is refused, not ignored.
    std::fs::write(&config, "listen_on = \"127.0.0.1:1\"\n").unwrap();
    let out = std::process::Command::new(BIN)
        .args(["--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("listen_on"));
}
