//! Issue 14: a real store set up without demo mode, with `redeemguard-server admin` on the
//! database of a running server; every change takes effect at once in the server and is in
//! the audit log; every bad input is refused naming what to fix.

use crate::helpers::*;
use serde_json::json;
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `admin --db <db> <args>` with the production audit key, `stdin` on its standard
/// input; (success, what it printed).
fn admin(db: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(BIN)
        .args(["admin", "--db"])
        .arg(db)
        .args(args)
        .env("REDEEMGUARD_AUDIT_KEY", PRODUCTION_ENV[1].1)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn ok(db: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    let (success, out) = admin(db, args, stdin);
    assert!(success, "admin {args:?} failed: {out}");
    out
}

fn refused(db: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    let (success, out) = admin(db, args, stdin);
    assert!(!success, "admin {args:?} should be refused: {out}");
    out
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The word after `prefix` in `text` (an id or token the command printed).
fn after(text: &str, prefix: &str) -> String {
    text.split(prefix)
        .nth(1)
        .unwrap_or_else(|| panic!("{prefix:?} in {text}"))
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_store_is_set_up_with_the_admin_command_while_the_server_runs() {
    let server = Server::production_seeded_fresh();
    let db = server.db.clone();
    assert!(
        server
            .logs()
            .contains("next step: this database has no store yet"),
        "a fresh database tells the operator what to do: {}",
        server.logs()
    );
    assert!(ok(&db, &["list"], None).contains("No store yet"));

    // A store; bad settings are refused naming the flag and what to type.
    let store_args = |currency: &'static str, zone: &'static str| {
        vec![
            "create-store",
            "--merchant",
            "Sunrise Salons",
            "--store",
            "MG Road",
            "--currency",
            currency,
            "--locale",
            "en-IN",
            "--time-zone",
            zone,
        ]
    };
    assert!(refused(&db, &store_args("RUPEES", "Asia/Kolkata"), None)
        .contains("--currency \"RUPEES\" is not a currency code: use three letters, e.g. INR"));
    assert!(refused(&db, &store_args("INR", "India"), None)
        .contains("--time-zone \"India\" is not a time zone: use an IANA name, e.g. Asia/Kolkata"));
    let made = ok(&db, &store_args("INR", "Asia/Kolkata"), None);
    let store = after(&made, "store ");
    assert!(store.starts_with("st"), "{made}");
    assert!(refused(&db, &store_args("INR", "Asia/Kolkata"), None)
        .contains("Sunrise Salons already has a store named MG Road"));

    // A till; its token is printed once.
    let added = ok(
        &db,
        &["add-terminal", "--store", &store, "--name", "Front till"],
        None,
    );
    let token = after(&added, "token: ");
    let terminal = after(&added, "terminal ");
    assert!(refused(
        &db,
        &["add-terminal", "--store", "st-nope", "--name", "X"],
        None
    )
    .contains("there is no store \"st-nope\""));
    assert!(refused(
        &db,
        &[
            "add-terminal",
            "--store",
            &store,
            "--name",
            "X",
            "--mode",
            "phone"
        ],
        None
    )
    .contains("--mode \"phone\": use till or kiosk"));

    // Staff, with PINs read from standard input; guessable PINs are refused.
    let staff = |code: &str, role: &str| {
        vec![
            "add-staff".to_string(),
            "--store".into(),
            store.clone(),
            "--code".into(),
            code.into(),
            "--name".into(),
            format!("{role} {code}"),
            "--role".into(),
            role.into(),
        ]
    };
    let m = staff("M1", "manager");
    let c = staff("c1", "cashier");
    assert!(refused(&db, &args(&m), Some("1234\n")).contains("too easy to guess"));
    assert!(refused(&db, &args(&m), Some("")).contains("give the PIN on standard input"));
    ok(&db, &args(&m), Some("482193\n"));
    let cashier = ok(&db, &args(&c), Some("907352\n"));
    assert!(cashier.contains("sign in with code C1"), "{cashier}");
    assert!(refused(&db, &args(&c), Some("583016\n")).contains("already has staff code C1"));
    assert!(refused(&db, &args(&staff("C2", "boss")), Some("583016\n"))
        .contains("--role \"boss\": use cashier or manager"));

    // The running server lets them in at once.
    assert!(!server.logs().contains(&token), "the token is never logged");
    let api = server.api(&token).sign_in("C1", "907352").await;
    let policy = api.policy().await;
    assert_eq!(policy["currency"], "INR");
    assert_eq!(policy["time_zone"], "Asia/Kolkata");
    let manager = server.api(&token).sign_in("M1", "482193").await;

    // A new PIN ends the old sessions; the new PIN works.
    ok(
        &db,
        &["set-pin", "--store", &store, "--code", "C1"],
        Some("583016\n"),
    );
    api.get("/v1/policy")
        .await
        .expect_problem("session_expired");
    server
        .api(&token)
        .post(
            "/v1/sessions",
            json!({ "staff_code": "C1", "pin": "907352" }),
        )
        .await
        .expect_problem("sign_in_failed");
    let api = server.api(&token).sign_in("C1", "583016").await;

    // The override code, set and rotated.
    assert!(refused(
        &db,
        &["set-override-code", "--store", &store],
        Some("2468\n")
    )
    .contains("an override code is 8 to 12 digits"));
    ok(
        &db,
        &["set-override-code", "--store", &store],
        Some("24681357\n"),
    );
    ok(
        &db,
        &["set-override-code", "--store", &store],
        Some("97531864\n"),
    );

    // A dismissed cashier is out at once, and cannot sign in again.
    ok(
        &db,
        &["disable-staff", "--store", &store, "--code", "C1"],
        None,
    );
    api.get("/v1/policy")
        .await
        .expect_problem("session_expired");
    server
        .api(&token)
        .post(
            "/v1/sessions",
            json!({ "staff_code": "C1", "pin": "583016" }),
        )
        .await
        .expect_problem("sign_in_failed");
    assert!(refused(
        &db,
        &["disable-staff", "--store", &store, "--code", "C1"],
        None
    )
    .contains("has no staff member with code C1"));

    // The list shows what is set up, and no secret.
    let list = ok(&db, &["list"], None);
    assert!(list.contains("MG Road") && list.contains("Front till") && list.contains("M1"));
    assert!(
        !list.contains("C1"),
        "a disabled member is not listed: {list}"
    );
    assert!(list.contains("override code set"));
    assert!(!list.contains(&token));

    // A revoked terminal's token stops working, its sessions too.
    ok(&db, &["revoke-terminal", "--terminal", &terminal], None);
    manager
        .get("/v1/policy")
        .await
        .expect_problem("unauthenticated");
    server
        .api(&token)
        .post(
            "/v1/sessions",
            json!({ "staff_code": "M1", "pin": "482193" }),
        )
        .await
        .expect_problem("unauthenticated");

    // Every change is in the audit log, whose chain holds.
    let out = Command::new(BIN)
        .args(["verify-audit", "--db"])
        .arg(&db)
        .env("REDEEMGUARD_AUDIT_KEY", PRODUCTION_ENV[1].1)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    let actions: Vec<String> = audit_rows(&db).into_iter().map(|r| r.1).collect();
    for action in [
        "store_created",
        "terminal_added",
        "staff_added",
        "pin_set",
        "override_code_set",
        "staff_disabled",
        "terminal_revoked",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    let dump = dump_all_tables(&db).join("\n");
    for secret in [
        "482193",
        "583016",
        "907352",
        "24681357",
        "97531864",
        token.as_str(),
    ] {
        assert!(!dump.contains(secret), "{secret} is stored in the clear");
    }
}
