//! SPEC §9 benchmarks: the shipped bundle's size, time to interactive at 4x CPU throttling,
//! the reference server's complete redemptions per second with 200 concurrent terminals, the
//! customer import, and every report over 1,000,000 redemptions.
//! Figures are printed against their budgets; nothing here asserts timings in tests.

use crate::bundle::{bundle_files, BundleFile};
use crate::run::{Failure, Runner};
use crate::surfaces::{self, SURFACES};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn run(r: &mut Runner) -> Result<(), Failure> {
    crate::setup::run(r)?;
    crate::build_release(r)?;
    let files = bundle_files(&r.root().join("dist"))?;
    let mut browser = r.command("node");
    browser.arg("e2e/bench/browser.mjs");
    r.step(
        "time to interactive at 4x CPU throttling, UI step times (Chromium)",
        browser,
    )?;
    server_load(r)?;
    customer_import(r)?;
    reports(r)?;
    print_budgets(&files);
    Ok(())
}

/// Importing 100,000 customers with opening balances into a fresh store (budget 60 s): the
/// import prints its time and peak memory.
fn customer_import(r: &mut Runner) -> Result<(), Failure> {
    let dir = r.root().join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
    let (db, csv) = (dir.join("import.sqlite"), dir.join("customers-100k.csv"));
    for suffix in ["", "-wal", "-shm", ".audit-checkpoints"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut text = String::from(
        "name,mobile,email,card,whatsapp,points,points_earned,package,package_sessions,package_session_value,gift_card_balance\n",
    );
    for i in 0..100_000u32 {
        let package = if i % 5 == 0 {
            "Hair spa × 6,4,1500.00"
        } else {
            ",,"
        };
        let gift = if i % 7 == 0 { "2500.00" } else { "" };
        text.push_str(&format!(
            "Customer {i},+9170{i:08},c{i}@example.com,RGC{i:08},no,{},{},{package},{gift}\n",
            i % 5000,
            5000 + i % 4000
        ));
    }
    std::fs::write(&csv, text).map_err(|e| Failure(format!("{}: {e}", csv.display())))?;
    let server_bin = r.root().join("target/release/redeemguard-server");
    let key = "a-benchmark-audit-key-of-its-own";
    let made = Command::new(&server_bin)
        .args(["admin", "--db"])
        .arg(&db)
        .args([
            "create-store",
            "--merchant",
            "Bench",
            "--store",
            "Import",
            "--currency",
            "INR",
            "--locale",
            "en-IN",
            "--time-zone",
            "Asia/Kolkata",
        ])
        .env("REDEEMGUARD_AUDIT_KEY", key)
        .output()
        .map_err(|e| Failure(format!("cannot run {}: {e}", server_bin.display())))?;
    let said = String::from_utf8_lossy(&made.stdout).to_string();
    let store = said
        .split_whitespace()
        .nth(1)
        .filter(|_| made.status.success())
        .ok_or_else(|| {
            Failure(format!(
                "create-store failed: {said}{}",
                String::from_utf8_lossy(&made.stderr)
            ))
        })?
        .to_string();
    for title in [
        "customer import: 100,000 customers with opening balances (budget 60 s)",
        "customer import again: nothing changes",
    ] {
        let mut import = Command::new(&server_bin);
        import
            .args(["admin", "--db"])
            .arg(&db)
            .args(["import-customers", "--store", &store, "--file"])
            .arg(&csv)
            .env("REDEEMGUARD_AUDIT_KEY", key);
        r.step(title, import)?;
    }
    Ok(())
}

/// Every report over 1,000,000 posted redemptions (budget 1 s each): a demo server creates
/// the store, `bench-seed-reports` adds the redemptions (90 days, 20 cashiers, 10 tills,
/// 50,000 customers), and `redeemguard-report-bench` times each report over HTTP against the
/// server serving that file.
pub fn reports(r: &mut Runner) -> Result<(), Failure> {
    let dir = r.root().join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
    let db = dir.join("reports.sqlite");
    for suffix in ["", "-wal", "-shm", ".audit-key", ".audit-checkpoints"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let server_bin = r.root().join("target/release/redeemguard-server");
    let serve = |port: u16| -> Result<KillOnDrop, Failure> {
        let child = Command::new(&server_bin)
            .args(["--demo", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--db")
            .arg(&db)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Failure(format!("cannot start {}: {e}", server_bin.display())))?;
        let guard = KillOnDrop(child);
        wait_for_port(port, Duration::from_secs(30))?;
        Ok(guard)
    };
    // The demo store (ready once the server says so: its seed is written), then the
    // redemptions written straight into its file.
    let port = free_port()?;
    let demo = serve(port)?;
    wait_until_ready(port, Duration::from_secs(30))?;
    drop(demo);
    println!("\n==> reports: seeding 1,000,000 redemptions");
    let seeded = Command::new(&server_bin)
        .args(["bench-seed-reports", "--db"])
        .arg(&db)
        .args(["--redemptions", "1000000", "--days", "90"])
        .output()
        .map_err(|e| Failure(format!("cannot run {}: {e}", server_bin.display())))?;
    let said = String::from_utf8_lossy(&seeded.stdout).to_string();
    print!("{said}");
    let to = said
        .lines()
        .find_map(|l| l.strip_prefix("days "))
        .and_then(|l| l.split_whitespace().nth(1))
        .filter(|_| seeded.status.success())
        .ok_or_else(|| {
            Failure(format!(
                "bench-seed-reports failed: {said}{}",
                String::from_utf8_lossy(&seeded.stderr)
            ))
        })?
        .to_string();
    let port = free_port()?;
    let _server = serve(port)?;
    let mut timing = Command::new(r.root().join("target/release/redeemguard-report-bench"));
    timing.args(["--url", &format!("http://127.0.0.1:{port}"), "--to", &to]);
    r.step(
        "reports over 1,000,000 redemptions (budget 1 s each)",
        timing,
    )
}

/// What each surface downloads against its budget (SPEC §9).
fn print_budgets(files: &[BundleFile]) {
    println!("\nwhat each surface downloads (wasm + JS + CSS), bytes:");
    println!(
        "  {:<12} {:>9} {:>9} {:>9}  budget",
        "surface", "raw", "gzip", "brotli"
    );
    for s in &SURFACES {
        let mine = surfaces::files_of(s, files);
        let (raw, gz, br) = mine.iter().fold((0, 0, 0), |(a, b, c), f| {
            (a + f.raw, b + f.gzip, c + f.brotli)
        });
        let mut verdict = format!(
            "gzip ≤ {} KB: {}",
            s.gzip_budget / 1024,
            if gz <= s.gzip_budget {
                "within"
            } else {
                "OVER"
            }
        );
        if let Some(b) = s.brotli_budget {
            verdict += &format!(
                "; brotli ≤ {} KB: {}",
                b / 1024,
                if br <= b { "within" } else { "OVER" }
            );
        }
        println!("  {:<12} {:>9} {:>9} {:>9}  {verdict}", s.name, raw, gz, br);
    }
}

/// Starts the release server with bench seeding and runs the load generator against it.
fn server_load(r: &mut Runner) -> Result<(), Failure> {
    let port = free_port()?;
    let db_dir = r.root().join("target/bench");
    let _ = std::fs::remove_dir_all(&db_dir);
    std::fs::create_dir_all(&db_dir).map_err(|e| Failure(format!("{}: {e}", db_dir.display())))?;
    let server_bin = r.root().join("target/release/redeemguard-server");
    let mut server = Command::new(&server_bin);
    server
        .args(["--demo", "--demo-bench-terminals", "200", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--db")
        .arg(db_dir.join("bench.sqlite"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let child = server
        .spawn()
        .map_err(|e| Failure(format!("cannot start {}: {e}", server_bin.display())))?;
    let _guard = KillOnDrop(child);
    wait_for_port(port, Duration::from_secs(30))?;
    // SPEC §9: 1,000 complete redemptions per second offered by 200 terminals (latency counted
    // from each redemption's scheduled start), then every terminal flat out for the ceiling.
    let url = format!("http://127.0.0.1:{port}");
    for (title, rate) in [
        (
            "server: 1,000 redemptions/s offered by 200 concurrent terminals",
            "1000",
        ),
        (
            "server: 200 concurrent terminals flat out (saturation)",
            "0",
        ),
    ] {
        let mut load = Command::new(r.root().join("target/release/redeemguard-load"));
        load.args([
            "--url",
            &url,
            "--terminals",
            "200",
            "--rate",
            rate,
            "--duration-secs",
            "10",
        ]);
        r.step(title, load)?;
    }
    Ok(())
}

struct KillOnDrop(Child);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16, Failure> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Failure(format!("no free port: {e}")))?;
    Ok(l.local_addr().map_err(|e| Failure(e.to_string()))?.port())
}

/// Waits until the server's `/readyz` answers 200 (a store can be used).
fn wait_until_ready(port: u16, limit: Duration) -> Result<(), Failure> {
    use std::io::{Read, Write};
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let asked = s
                .write_all(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            if asked.is_ok()
                && s.read_to_string(&mut answer).is_ok()
                && answer.starts_with("HTTP/1.1 200")
            {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(Failure(format!(
        "the server on port {port} was not ready within {limit:?}"
    )))
}

fn wait_for_port(port: u16, limit: Duration) -> Result<(), Failure> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(Failure(format!(
        "the server did not listen on port {port} within {limit:?}"
    )))
}
