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

/// `verify-audit` on `db` with the production server's audit key.
fn verify_with_server_key(db: &std::path::Path) -> std::process::Output {
    Command::new(BIN)
        .args(["verify-audit", "--db"])
        .arg(db)
        .env("REDEEMGUARD_AUDIT_KEY", PRODUCTION_ENV[1].1)
        .output()
        .unwrap()
}

/// A sign-in on the terminal with `token` is refused with the problem `code`.
async fn sign_in_refused(server: &Server, token: &str, staff: &str, pin: &str, code: &str) {
    server
        .api(token)
        .post("/v1/sessions", json!({ "staff_code": staff, "pin": pin }))
        .await
        .expect_problem(code);
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
    // A second business of the same name does not silently share the first's customers.
    let again = refused(&db, &store_args("INR", "Asia/Kolkata"), None);
    assert!(
        again.contains("a merchant named \"Sunrise Salons\" exists"),
        "{again}"
    );
    let merchant = after(&made, "merchant ")
        .trim_end_matches([')', '.'])
        .to_string();
    let mut second: Vec<&str> = store_args("INR", "Asia/Kolkata");
    second[4] = "Indiranagar";
    second.extend(["--merchant-id", merchant.as_str()]);
    let other = ok(&db, &second, None);
    assert!(other.contains("(existing merchant"), "{other}");
    second[4] = "MG Road";
    assert!(
        refused(&db, &second, None).contains("Sunrise Salons already has a store named MG Road")
    );

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
    let c = staff("C1", "cashier");
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
    // Sunrise Salons has two stores: its card types are for both, so one store's manager
    // cannot change them (the operator can).
    let p = manager
        .post(
            "/v1/admin/card-types",
            serde_json::json!({ "name": "Gold", "customer_type": "GST", "earn_points": 2,
                "earn_per": { "minor": 10000, "currency": "INR" },
                "point_value": { "minor": 100, "currency": "INR" } }),
        )
        .await
        .expect_problem("forbidden");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("every store of this merchant (2 stores)"),
        "{p}"
    );

    // A new PIN ends the old sessions; the new PIN works.
    ok(
        &db,
        &["set-pin", "--store", &store, "--code", "C1"],
        Some("583016\n"),
    );
    api.get("/v1/policy")
        .await
        .expect_problem("session_expired");
    sign_in_refused(&server, &token, "C1", "907352", "sign_in_failed").await;
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
    sign_in_refused(&server, &token, "C1", "583016", "sign_in_failed").await;
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
    sign_in_refused(&server, &token, "M1", "482193", "unauthenticated").await;

    // Another key than the server's is refused before anything is written.
    let out = Command::new(BIN)
        .args(["admin", "--db"])
        .arg(&db)
        .args(["add-terminal", "--store", &store, "--name", "Rogue"])
        .env("REDEEMGUARD_AUDIT_KEY", "not-the-servers-audit-key-at-all")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("this is not the audit key of the server")
    );
    // Every change is in the audit log, whose chain holds.
    let out = verify_with_server_key(&db);
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

/// A store with a till and a cashier C1 (PIN 907352), set up with the admin command; the
/// store's id and the till's token.
fn set_up(db: &std::path::Path) -> (String, String) {
    let made = ok(
        db,
        &[
            "create-store",
            "--merchant",
            "Sunrise Salons",
            "--store",
            "MG Road",
            "--currency",
            "INR",
            "--locale",
            "en-IN",
            "--time-zone",
            "Asia/Kolkata",
        ],
        None,
    );
    let store = after(&made, "store ");
    let added = ok(
        db,
        &["add-terminal", "--store", &store, "--name", "Till"],
        None,
    );
    ok(
        db,
        &args(&[
            "add-staff".into(),
            "--store".into(),
            store.clone(),
            "--code".into(),
            "C1".into(),
            "--name".into(),
            "Ravi".into(),
            "--role".into(),
            "cashier".into(),
        ]),
        Some("907352\n"),
    );
    (store, after(&added, "token: "))
}

const GOOD: &str = "\
name,mobile,email,card,whatsapp,points,points_earned,points_expiring,points_expire_on,package,package_sessions,package_session_value,membership,membership_credit,membership_valid_until,gift_card_balance
Asha Rao,98765 43210,asha@example.com,RG00012345,yes,\"1,200\",3400,200,2099-12-31,Hair spa × 6,4,1500.00,Gold membership credit,5000.00,2099-06-30,
Vikram Singh,+91 98123 45678,,,no,640,,,,,,,,,,2500.00
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_are_imported_with_opening_balances_all_or_nothing_and_only_once() {
    let server = Server::production_seeded_fresh();
    let db = server.db.clone();
    let (store, token) = set_up(&db);
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let import = |path: &str, dry: bool| {
        let mut a = vec![
            "import-customers",
            "--store",
            store.as_str(),
            "--file",
            path,
        ];
        if dry {
            a.push("--dry-run");
        }
        admin(&db, &a, None)
    };

    // Every problem is named by row and column, and nothing is imported.
    let bad = file(
        "bad.csv",
        "name,mobile,points,points_expiring,points_expire_on,package_sessions\n\
         ,98765 43210,100,,,\n\
         Bina,12345,100,,,\n\
         Chitra,98123 00000,12x,,,\n\
         Dev,98123 00001,100,500,2099-01-01,\n\
         Esha,98123 00002,100,50,31/12/2099,\n\
         Gita,98123 00003,,,,2\n\
         Hari,98123 00004,100,,,\n\
         Farah,98123 00004,100,,,\n",
    );
    let (success, out) = import(&bad, false);
    assert!(!success, "{out}");
    for problem in [
        "row 2, column name: every customer needs a name",
        "row 3, column mobile: \"12345\": The mobile number is too short",
        "row 4, column points: \"12x\" is not a whole number",
        "row 5, column points_expiring: 500 is more than the 100 points",
        "row 6, column points_expire_on: \"31/12/2099\" is not a date: write it as 2027-03-31",
        "row 7, column package: name the package that package_sessions is of",
        "row 7, column package_session_value: give what one session is worth",
        "row 9, column mobile: the same mobile as an earlier row of this file",
    ] {
        assert!(out.contains(problem), "{problem:?} in:\n{out}");
    }
    assert!(
        out.contains("nothing imported: 8 problem(s) in 7 of 8 row(s)"),
        "{out}"
    );
    let (success, out) = import(
        &file("cols.csv", "name,mobile,colour\nA,98765 43210,red\n"),
        false,
    );
    assert!(!success);
    assert!(
        out.contains("row 1, column colour: unknown column; the columns are name, mobile"),
        "{out}"
    );
    let api = server.api(&token).sign_in("C1", "907352").await;
    let found = api.get("/v1/customers?q=Hari").await.expect(200);
    assert_eq!(
        found["customers"],
        json!([]),
        "a failed import wrote nothing"
    );

    // A dry run says what would happen and writes nothing.
    let good = file("good.csv", GOOD);
    let (success, out) = import(&good, true);
    assert!(success, "{out}");
    assert!(
        out.starts_with("2 rows: would add 2 customers with 5 opening balances; 0 already there, left unchanged; no messages sent (dry run: nothing written) ("),
        "{out}"
    );
    assert_eq!(
        api.get("/v1/customers?q=Asha").await.expect(200)["customers"],
        json!([])
    );

    // The import; then the till finds them with their balances.
    let (success, out) = import(&good, false);
    assert!(success, "{out}");
    assert!(
        out.starts_with("2 rows: added 2 customers with 5 opening balances; 0 already there, left unchanged; no messages sent ("),
        "{out}"
    );
    let asha = api.get("/v1/customers?q=98765 43210").await.expect(200)["customers"][0].clone();
    assert_eq!(asha["name"], "Asha Rao");
    assert_eq!(
        asha["channels"],
        json!(["sms"]),
        "the store's default channels"
    );
    let balance = api.balance(asha["id"].as_str().unwrap()).await;
    let of = |kind: &str| {
        balance["instruments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == kind)
            .unwrap_or_else(|| panic!("{kind} in {balance}"))
            .clone()
    };
    assert_eq!(of("points")["available"], 1200);
    assert_eq!(of("points")["earned"], 3400);
    // 200 expire at the end of 31 Dec 2099 in the store's zone (midnight IST).
    assert_eq!(
        of("points")["expiring_soon"],
        json!({ "quantity": 200, "at_ms": 4_102_425_000_000i64 })
    );
    assert_eq!(
        (
            of("package")["label"].as_str(),
            of("package")["available"].as_u64()
        ),
        (Some("Hair spa × 6"), Some(4))
    );
    assert_eq!(of("membership")["available"], 500_000);
    let vikram = api.get("/v1/customers?q=9812345678").await.expect(200)["customers"][0].clone();
    let gift = api.balance(vikram["id"].as_str().unwrap()).await;
    assert_eq!(gift["instruments"].as_array().unwrap().len(), 2);

    // Again: nothing changes.
    let (success, out) = import(&good, false);
    assert!(success, "{out}");
    assert!(
        out.contains("added 0 customers with 0 opening balances; 2 already there"),
        "{out}"
    );

    // The same customer with the e-mail in capitals is already there; a row whose mobile is
    // one customer's and card another's is a conflict, and nothing is written.
    let (success, out) = import(
        &file(
            "again.csv",
            "name,email,mobile,card\n\
             Asha,ASHA@example.com,,\n\
             Mixed,,98765 43210,RGX0000001\n\
             Clash,,98123 45678,RG00012345\n",
        ),
        false,
    );
    assert!(!success, "{out}");
    assert!(
        out.contains("row 4: its mobile and card belong to two different customers already"),
        "{out}"
    );
    // Each opening balance is in the audit log as such, no message went out, and every
    // balance still recomputes from the log.
    let rows = audit_rows(&db);
    let opened: Vec<_> = rows.iter().filter(|r| r.1 == "balance_opened").collect();
    assert_eq!(opened.len(), 5);
    assert!(opened.iter().all(|r| r.2.contains("\"how\":\"import\"")));
    assert!(!rows
        .iter()
        .any(|r| r.1.starts_with("otp_") || r.1 == "confirmation_failed"));
    let out = verify_with_server_key(&db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // The export reads back as the same customers: importing it changes nothing.
    let exported = ok(&db, &["export-customers", "--store", &store], None);
    assert!(
        exported.starts_with("name,mobile,email,card,whatsapp,points"),
        "{exported}"
    );
    assert!(exported.contains("Asha Rao,+919876543210,asha@example.com,RG00012345,yes,1200,3400,200,2099-12-31,Hair spa × 6,4,1500.00"), "{exported}");
    let (success, out) = import(&file("export.csv", &exported), false);
    assert!(success, "{out}");
    assert!(out.contains("added 0 customers"), "{out}");
}

/// The operator may set the store up before the server ever ran: `create-store` starts the
/// file, every change is anchored by a signed checkpoint at once (verify-audit holds), and a
/// mistyped path for anything else is refused rather than starting an empty database.
#[test]
fn a_store_set_up_before_the_server_runs_is_anchored_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.sqlite");
    let typo = dir.path().join("nwe.sqlite");
    assert!(refused(&typo, &["list"], None).contains("does not exist: check the path"));
    assert!(!typo.exists());
    let (store, _token) = set_up(&db);
    assert!(store.starts_with("st"));
    let checkpoints = std::fs::read_to_string(dir.path().join("new.sqlite.audit-checkpoints"))
        .expect("the admin command writes checkpoints beside the database");
    assert_eq!(
        checkpoints.lines().count(),
        3,
        "one per change: {checkpoints}"
    );
    let out = verify_with_server_key(&db);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(said.starts_with("audit chain intact: 3 entries"), "{said}");
}

/// Operations (issue 14): readiness names the next step until someone can use the store; a
/// backup taken while the server serves is consistent and its audit chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_names_the_next_step_and_a_backup_taken_while_serving_verifies() {
    let server = Server::production_seeded_fresh();
    let db = server.db.clone();
    let ready = || async {
        let r = reqwest::get(format!("{}/readyz", server.base))
            .await
            .unwrap();
        (
            r.status().as_u16(),
            r.json::<serde_json::Value>().await.unwrap(),
        )
    };
    let (status, body) = ready().await;
    assert_eq!(status, 503);
    assert_eq!(body["status"], "not_ready");
    assert!(
        body["reason"]
            .as_str()
            .unwrap()
            .starts_with("no store can be used yet"),
        "{body}"
    );
    let (store, token) = set_up(&db);
    assert_eq!(ready().await, (200, json!({ "status": "ready" })));
    // A new store not set up yet does not take the others out of service.
    ok(
        &db,
        &[
            "create-store",
            "--merchant",
            "Other Business",
            "--store",
            "Empty",
            "--currency",
            "INR",
            "--locale",
            "en-IN",
            "--time-zone",
            "Asia/Kolkata",
        ],
        None,
    );
    assert_eq!(ready().await.0, 200);

    // Traffic, then a backup while the server runs.
    let api = server.api(&token).sign_in("C1", "907352").await;
    api.policy().await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.sqlite");
    let out = ok(&db, &["backup", "--to", copy.to_str().unwrap()], None);
    assert!(out.contains("verify-audit"), "{out}");
    assert!(
        refused(&db, &["backup", "--to", copy.to_str().unwrap()], None)
            .contains("exists: back up to a new file")
    );
    let out = verify_with_server_key(&copy);
    assert!(
        out.status.success(),
        "the copy verifies: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The copy is a whole store: what was set up is in it.
    let list = ok(&copy, &["list"], None);
    assert!(list.contains(&store) && list.contains("C1"), "{list}");
}

/// Every setting also comes from the environment (flag, then environment, then file), and
/// `check-config` says what is wrong or that all is well, without serving.
#[test]
fn check_config_reads_the_environment_and_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.sqlite");
    let run = |extra: &[(&str, &str)], args: &[&str]| {
        let mut cmd = Command::new(BIN);
        cmd.arg("check-config").args(args);
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("REDEEMGUARD_")) {
            cmd.env_remove(k);
        }
        cmd.env("REDEEMGUARD_DB", &db);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (success, out) = run(PRODUCTION_ENV, &[]);
    assert!(success, "{out}");
    assert!(
        out.starts_with(&format!(
            "configuration OK: listen 127.0.0.1:8080, database {}",
            db.display()
        )),
        "{out}"
    );
    assert!(
        out.contains("gateways: none (codes cannot be sent"),
        "{out}"
    );
    // The environment sets what no flag sets; a flag wins over it.
    let listen = [
        PRODUCTION_ENV[0],
        PRODUCTION_ENV[1],
        ("REDEEMGUARD_LISTEN", "127.0.0.1:9123"),
    ];
    let (_, out) = run(&listen, &[]);
    assert!(out.contains("listen 127.0.0.1:9123"), "{out}");
    let (_, out) = run(&listen, &["--listen", "127.0.0.1:9124"]);
    assert!(out.contains("listen 127.0.0.1:9124"), "{out}");
    // The example configuration shipped with the systemd unit is valid.
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/redeemguard.toml");
    let (success, out) = run(PRODUCTION_ENV, &["--config", shipped]);
    assert!(success, "{out}");
    // What is wrong is named.
    let (success, out) = run(&PRODUCTION_ENV[..1], &[]);
    assert!(!success);
    assert!(
        out.contains("set REDEEMGUARD_AUDIT_KEY or --audit-key-file"),
        "{out}"
    );
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[gateways.sms]\ntype = \"http\"\n").unwrap();
    let (success, out) = run(PRODUCTION_ENV, &["--config", file.to_str().unwrap()]);
    assert!(!success, "{out}");
    assert!(out.contains("gateways.sms"), "{out}");
}

/// Operations (issue 14): `/metrics` counts what an operator watches, in Prometheus' format,
/// and names no customer, code or token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_sends_verifications_holds_and_posts() {
    let server = Server::demo(&[]);
    let api = server.api("demo-till-1").sign_in("C001", "1234").await;
    let id = api.create_id(ASHA, ASHA_POINTS, 100, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let code = server.code_for(&id).await;
    api.verify(&id, &wrong(&code))
        .await
        .expect_problem("otp_invalid");
    api.verify(&id, &code).await.expect(200);
    api.commit(&id, "metrics-1").await.expect(200);

    let r = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series).and_then(|v| v.strip_prefix(' ')))
            .unwrap_or_else(|| panic!("{series} in\n{text}"))
            .parse()
            .unwrap()
    };
    assert_eq!(
        value("redeemguard_codes_sent_total{channel=\"sms\",outcome=\"delivered\"}"),
        1.0
    );
    assert_eq!(
        value("redeemguard_codes_sent_total{channel=\"sms\",outcome=\"failed\"}"),
        0.0
    );
    assert_eq!(
        value("redeemguard_code_verifications_total{outcome=\"wrong\"}"),
        1.0
    );
    assert_eq!(
        value("redeemguard_code_verifications_total{outcome=\"approved\"}"),
        1.0
    );
    assert_eq!(value("redeemguard_holds_total"), 1.0);
    assert_eq!(value("redeemguard_posts_total"), 1.0);
    assert_eq!(
        value("redeemguard_gateway_seconds_count{channel=\"sms\"}"),
        1.0
    );
    assert!(value("redeemguard_writer_queue_wait_seconds_count") >= 5.0);
    assert!(value("redeemguard_writer_transaction_seconds_count") >= 1.0);
    assert!(text.contains("# TYPE redeemguard_writer_transaction_seconds histogram"));
    let tokens: Vec<&str> = text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    assert!(!tokens.contains(&code.as_str()), "no code in the metrics");
    assert!(!text.contains("asha") && !text.contains("demo-till"));
}

/// Issue 14: the README's "Run a real store", followed end to end without demo mode: the
/// store, a till, a manager and a cashier, the override code and the customer master set up
/// with the admin command; then the server with the merchant's SMS gateway (a fake HTTP
/// provider here), and a cashier redeems with the code the customer got through it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_s_run_a_real_store_works_end_to_end() {
    let gateway = crate::fakes::FakeGateway::start().await;
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let db = dir.path().join("shop.sqlite");

    // The admin commands, in the README's order, before the server ever ran.
    let (store, token) = set_up(&db);
    ok(
        &db,
        &args(&[
            "add-staff".into(),
            "--store".into(),
            store.clone(),
            "--code".into(),
            "M1".into(),
            "--name".into(),
            "Meera".into(),
            "--role".into(),
            "manager".into(),
        ]),
        Some("482193\n"),
    );
    ok(
        &db,
        &["set-override-code", "--store", &store],
        Some("24681357\n"),
    );
    let csv = dir.path().join("customers.csv");
    std::fs::write(&csv, GOOD).unwrap();
    let imported = ok(
        &db,
        &[
            "import-customers",
            "--store",
            &store,
            "--file",
            csv.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        imported.starts_with("2 rows: added 2 customers"),
        "{imported}"
    );

    // The server, with the merchant's SMS gateway in its file.
    let config = dir.path().join("redeemguard.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[gateways.sms]
type = "http"
url = "{}/sms"
auth = {{ type = "bearer", token_env = "SMS_TOKEN" }}
json = '{{ "to": "{{to}}", "text": "{{message}}" }}'
"#,
            gateway.base
        ),
    )
    .unwrap();
    let server = Server::spawn(
        dir.clone(),
        db.clone(),
        &["--config", config.to_str().unwrap()],
        &[
            PRODUCTION_ENV[0],
            PRODUCTION_ENV[1],
            ("SMS_TOKEN", "sms-token-1"),
        ],
    );
    assert!(!server.logs().contains("next step:"), "{}", server.logs());
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        reqwest::get(format!("{}/demo/outbox.json", server.base))
            .await
            .unwrap()
            .status(),
        404,
        "no demo phone outside demo mode"
    );

    // The cashier finds an imported customer and redeems with the code from their phone.
    let api = server.api(&token).sign_in("C1", "907352").await;
    let found = api.get("/v1/customers?q=98765%2043210").await.expect(200);
    let asha = found["customers"][0]["id"].as_str().unwrap().to_string();
    let balance = api.balance(&asha).await;
    let points = balance["instruments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "points")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let id = api.create_id(&asha, &points, 500, 100_000).await;
    api.send_otp(&id, "sms").await.expect(200);
    let sent = gateway.wait_for(1).await;
    assert_eq!(sent[0].header("authorization"), Some("Bearer sms-token-1"));
    let body: serde_json::Value = serde_json::from_str(&sent[0].body).unwrap();
    assert_eq!(body["to"], "+919876543210");
    let text = body["text"].as_str().unwrap();
    assert!(
        text.contains("is your code to redeem 500 points (₹500.00) at MG Road"),
        "{text}"
    );
    let code = code_in(text).unwrap();
    api.verify(&id, &code).await.expect(200);
    let receipt = api.commit(&id, "real-store-1").await.expect(200);
    assert_eq!(
        (
            receipt["balance_before"].as_u64(),
            receipt["balance_after"].as_u64()
        ),
        (Some(1200), Some(700))
    );
    assert_eq!(receipt["cashier_name"], "Ravi");
    assert!(!server.logs().contains(&code), "the code is never logged");
}

/// Issue 14: a manager sets up their own store over `/v1/admin/…` with the admin command's
/// rules; a cashier cannot; another store is out of reach; the manager is named in the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_sets_up_staff_terminals_and_the_override_code_of_their_store() {
    let server = Server::demo(&["--demo-extra-merchant"]);
    let manager = server.api("demo-till-2").sign_in("M001", "9999").await;
    let cashier = server.api("demo-till-1").sign_in("C001", "1234").await;
    for path in ["/v1/admin/staff", "/v1/admin/terminals"] {
        cashier.get(path).await.expect_problem("forbidden");
    }
    cashier
        .post(
            "/v1/admin/staff",
            json!({ "code": "C9", "name": "X", "role": "manager", "pin": "583016" }),
        )
        .await
        .expect_problem("forbidden");

    // Staff: listed without PINs; added with the same rules as the admin command.
    let staff = manager.get("/v1/admin/staff").await.expect(200);
    let codes: Vec<&str> = staff["staff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["C001", "M001"]);
    assert!(
        !staff.to_string().contains("argon2"),
        "no PIN hash: {staff}"
    );
    let p = manager
        .post(
            "/v1/admin/staff",
            json!({ "code": "C009", "name": "Ravi", "role": "cashier", "pin": "1234" }),
        )
        .await
        .expect_problem("invalid_request");
    assert!(
        p["detail"].as_str().unwrap().contains("too easy to guess"),
        "{p}"
    );
    let ravi = manager
        .post(
            "/v1/admin/staff",
            json!({ "code": "C009", "name": "Ravi", "role": "cashier", "pin": "583016" }),
        )
        .await
        .expect(201);
    assert_eq!(
        (ravi["code"].as_str(), ravi["role"].as_str()),
        (Some("C009"), Some("cashier"))
    );
    let ravi_id = ravi["id"].as_str().unwrap().to_string();
    let ravi_api = server.api("demo-till-1").sign_in("C009", "583016").await;
    ravi_api.policy().await;

    // A new PIN ends his session; disabling him locks him out; a manager cannot disable themselves.
    manager
        .put(
            &format!("/v1/admin/staff/{ravi_id}/pin"),
            json!({ "pin": "907352" }),
        )
        .await
        .expect(200);
    ravi_api
        .get("/v1/policy")
        .await
        .expect_problem("session_expired");
    let ravi_api = server.api("demo-till-1").sign_in("C009", "907352").await;
    manager
        .post(&format!("/v1/admin/staff/{ravi_id}/disable"), json!({}))
        .await
        .expect(200);
    ravi_api
        .get("/v1/policy")
        .await
        .expect_problem("session_expired");
    sign_in_refused(&server, "demo-till-1", "C009", "907352", "sign_in_failed").await;
    let me = staff["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "M001")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let p = manager
        .post(&format!("/v1/admin/staff/{me}/disable"), json!({}))
        .await
        .expect_problem("invalid_request");
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .starts_with("you cannot disable yourself"));
    // Another store's staff member is not found.
    manager
        .post("/v1/admin/staff/st-other-c001/disable", json!({}))
        .await
        .expect_problem("not_found");

    // Terminals: a kiosk added (its token once), then revoked; not the manager's own; not
    // another store's.
    let added = manager
        .post(
            "/v1/admin/terminals",
            json!({ "name": "Kiosk 2", "mode": "kiosk" }),
        )
        .await
        .expect(201);
    let token = added["token"].as_str().unwrap().to_string();
    let kiosk_id = added["terminal"]["id"].as_str().unwrap().to_string();
    let listed = manager.get("/v1/admin/terminals").await.expect(200);
    assert!(listed["terminals"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == kiosk_id.as_str()));
    assert!(
        !listed.to_string().contains(&token),
        "the token is shown once"
    );
    server
        .api(&token)
        .post("/v1/sessions", json!({ "staff_code": "", "pin": "" }))
        .await
        .expect(201);
    manager
        .post(&format!("/v1/admin/terminals/{kiosk_id}/revoke"), json!({}))
        .await
        .expect(200);
    sign_in_refused(&server, &token, "", "", "unauthenticated").await;
    let p = manager
        .post("/v1/admin/terminals/term-demo-till-2/revoke", json!({}))
        .await
        .expect_problem("invalid_request");
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .starts_with("this is the terminal you are using"));
    manager
        .post("/v1/admin/terminals/term-other-till-1/revoke", json!({}))
        .await
        .expect_problem("not_found");

    // The override code, rotated: the old one no longer works at the till.
    manager
        .put("/v1/admin/override-code", json!({ "code": "2468" }))
        .await
        .expect_problem("invalid_request");
    let r = manager
        .put("/v1/admin/override-code", json!({ "code": "97531864" }))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);

    // Each change names the manager who made it.
    let entries = manager.audit_entries().await;
    for action in [
        "staff_added",
        "pin_set",
        "staff_disabled",
        "terminal_added",
        "terminal_revoked",
        "override_code_set",
    ] {
        let e = entries
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("{action} in the audit log"));
        assert_eq!(e["staff_id"], "st-demo-m001", "{e}");
    }
}

/// `admin add-staff --mobile` reads the number in the store's country and keeps it in E.164;
/// one that is not a number is refused, naming what is wrong, and no one is added.
#[test]
fn add_staff_takes_a_mobile_in_the_store_s_country() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mobile.sqlite");
    let (store, _token) = set_up(&db);
    let add = |code: &str, mobile: &str| -> Vec<String> {
        [
            "add-staff",
            "--store",
            &store,
            "--code",
            code,
            "--name",
            "Meera",
            "--role",
            "manager",
            "--mobile",
            mobile,
        ]
        .map(String::from)
        .to_vec()
    };
    let bad = add("M7", "98765 4321x");
    let said = refused(&db, &args(&bad), Some("583016\n"));
    assert!(said.contains("cannot be in a phone number"), "{said}");
    let good = add("M7", "098765 43210");
    ok(&db, &args(&good), Some("583016\n"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let stored: Vec<(String, Option<String>)> = conn
        .prepare("SELECT code, mobile FROM staff ORDER BY code")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        stored,
        [
            ("C1".to_string(), None),
            ("M7".to_string(), Some("+919876543210".to_string()))
        ]
    );
}
