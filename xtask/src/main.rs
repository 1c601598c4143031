//! `cargo xtask <command>`: the project's two user-facing commands (`demo`, `test`) and the
//! tools behind them. Every step says what it runs; a failure names the command that failed.

mod bench;
mod bundle;
mod dist;
mod run;
mod setup;
mod surfaces;

use run::{Failure, Runner};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <command>

  setup                 install whatever is missing (wasm32 target, wasm-bindgen-cli, trunk,
                        wasm-pack, wasm-opt from npm, Chromium + chromedriver, e2e packages)
  demo                  setup, build the release app, start the reference server in demo mode
                        at http://127.0.0.1:8080/
  test [--skip-e2e]     setup, then fmt, clippy (native + wasm32), cargo test, wasm-pack test
                        in headless Chromium, and the end-to-end suite (--skip-e2e is for local
                        loops only; CI never uses it)
  build                 release build of the app's six surfaces (dist/: the till, kiosk/,
                        back-office/, reports/, messages/, widget/) and the server
  dist                  build, then a release archive in target/dist/: the server binary, the
                        built app, an example config, the systemd unit, gateway examples, READMEs
  bench                 bundle size, time to interactive at 4x CPU throttling, and server
                        throughput/latency with 200 concurrent terminals, the customer import,
                        every report over 1,000,000 redemptions (SPEC §9)
  bench-reports         only the reports over 1,000,000 redemptions (release server build)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut runner = Runner::new(workspace_root());
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(&mut runner),
        Some("demo") => demo(&mut runner),
        Some("test") => test(&mut runner, args.iter().any(|a| a == "--skip-e2e")),
        Some("build") => setup::run(&mut runner).and_then(|_| build_release(&mut runner)),
        Some("bench") => bench::run(&mut runner),
        Some("bench-reports") => runner
            .step(
                "release build of the server",
                runner.cargo(&["build", "--release", "-p", "redeemguard-server", "--bins"]),
            )
            .and_then(|_| bench::reports(&mut runner)),
        Some("dist") => setup::run(&mut runner)
            .and_then(|_| build_release(&mut runner))
            .and_then(|_| dist::run(&mut runner)),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    runner.print_summary();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("\nxtask: FAILED: {msg}");
            ExitCode::FAILURE
        }
    }
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn test(r: &mut Runner, skip_e2e: bool) -> Result<(), Failure> {
    if skip_e2e && std::env::var_os("CI").is_some() {
        return Err(Failure(
            "--skip-e2e is for local loops; CI runs every layer".into(),
        ));
    }
    setup::run(r)?;
    r.step("format", r.cargo(&["fmt", "--all", "--", "--check"]))?;
    r.step(
        "clippy (native)",
        r.cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // The app's DOM tests build for wasm32; the contract's tests are native-only
    // (proptest), so only its library is linted for wasm32.
    let wasm_clippy = |package: &str, targets: &str| {
        r.cargo(&[
            "clippy",
            "-p",
            package,
            targets,
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ])
    };
    let (app, contract) = (
        wasm_clippy("redeemguard", "--all-targets"),
        wasm_clippy("redeemguard-contract", "--lib"),
    );
    r.step("clippy (wasm32 app and its DOM tests)", app)?;
    r.step("clippy (wasm32 contract library)", contract)?;
    r.step(
        "unit, property and integration tests",
        r.cargo(&["test", "--workspace"]),
    )?;
    let mut wasm_pack = r.command("wasm-pack");
    wasm_pack.args(["test", "--headless", "--chrome", "--mode", "no-install"]);
    r.step(
        "browser DOM tests (wasm-pack, headless Chromium)",
        wasm_pack,
    )?;
    if skip_e2e {
        println!("\n(skipping the end-to-end suite: --skip-e2e)");
        return Ok(());
    }
    build_release(r)?;
    let mut e2e = r.command("npm");
    e2e.args(["test", "--prefix", "e2e"]);
    r.step(
        "end-to-end tests (Playwright, real server, release build)",
        e2e,
    )
}

/// The optimised bundles of every surface in dist/ and the release server binary.
pub fn build_release(r: &mut Runner) -> Result<(), Failure> {
    surfaces::build(r)?;
    r.step(
        "release build of the server",
        r.cargo(&["build", "--release", "-p", "redeemguard-server", "--bins"]),
    )
}

fn demo(r: &mut Runner) -> Result<(), Failure> {
    setup::run(r)?;
    build_release(r)?;
    let root = r.root().to_path_buf();
    let db_dir = root.join("target/demo");
    std::fs::create_dir_all(&db_dir)
        .map_err(|e| Failure(format!("cannot create {}: {e}", db_dir.display())))?;
    let db = db_dir.join("redeemguard-demo.sqlite");
    // A demo starts from its seed every time.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    r.print_summary();
    println!("\nRedeemGuard demo: open http://127.0.0.1:8080/  (Ctrl-C stops it)");
    println!("  back office for managers: http://127.0.0.1:8080/back-office");
    println!("  reports and audit log for managers: http://127.0.0.1:8080/reports");
    println!("  terminal token demo-till-1 · cashier C001 / PIN 1234 · manager M001 / PIN 9999");
    println!("  the customer's phone (demo only): http://127.0.0.1:8080/demo/phone");
    println!("  self-service kiosk: http://127.0.0.1:8080/kiosk  (set up with terminal token demo-kiosk-1)");
    println!("  widget in a sample appointment book (another origin): http://127.0.0.1:8081/\n");
    let mut server = Command::new(root.join("target/release/redeemguard-server"));
    server
        .args(["--demo", "--listen", "127.0.0.1:8080", "--static-dir"])
        .arg(root.join("dist"))
        .arg("--db")
        .arg(&db);
    let status = server
        .status()
        .map_err(|e| Failure(format!("cannot start the server: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure(format!("the demo server exited with {status}")))
    }
}
