//! Idempotent installation of everything the build and the tests need. Each tool comes from
//! a registry this project may use (crates.io, npm, Debian); nothing fetches prebuilt
//! binaries from elsewhere.

use crate::run::{Failure, Runner};
use std::path::Path;

const TRUNK_VERSION: &str = "0.21.14";
const WASM_PACK_VERSION: &str = "0.15.1";

pub fn run(r: &mut Runner) -> Result<(), Failure> {
    println!("==> setup: checking tools");
    wasm_target(r)?;
    rust_components(r)?;
    let wasm_bindgen = locked_version(r.root(), "wasm-bindgen")?;
    cargo_tool(r, "wasm-bindgen", "wasm-bindgen-cli", &wasm_bindgen, false)?;
    cargo_tool(r, "trunk", "trunk", TRUNK_VERSION, true)?;
    cargo_tool(r, "wasm-pack", "wasm-pack", WASM_PACK_VERSION, true)?;
    node(r)?;
    npm_packages(r, "tools")?;
    npm_packages(r, "e2e")?;
    chromium(r)?;
    println!("    all tools present");
    Ok(())
}

fn wasm_target(r: &mut Runner) -> Result<(), Failure> {
    let installed = r
        .output("rustup", &["target", "list", "--installed"])
        .unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    let mut c = r.command("rustup");
    c.args(["target", "add", "wasm32-unknown-unknown"]);
    r.step("install the wasm32 target", c)
}

/// rustfmt and clippy for the checks; rust-src so the wasm build can compile the standard
/// library for size (`surfaces::build`).
fn rust_components(r: &mut Runner) -> Result<(), Failure> {
    let installed = r
        .output("rustup", &["component", "list", "--installed"])
        .unwrap_or_default();
    let have = |c: &str| installed.lines().any(|l| l.trim().starts_with(c));
    let have_fmt = r.output("cargo", &["fmt", "--version"]).is_some();
    let have_clippy = r.output("cargo", &["clippy", "--version"]).is_some();
    if have_fmt && have_clippy && have("rust-src") {
        return Ok(());
    }
    let mut c = r.command("rustup");
    c.args(["component", "add", "rustfmt", "clippy", "rust-src"]);
    r.step("install rustfmt, clippy and rust-src", c)
}

/// The version of `package` recorded in Cargo.lock (wasm-bindgen-cli must match it exactly).
fn locked_version(root: &Path, package: &str) -> Result<String, Failure> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| Failure(format!("cannot read Cargo.lock: {e}")))?;
    let needle = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == needle {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err(Failure(format!("Cargo.lock has no {package}")))
}

fn cargo_tool(
    r: &mut Runner,
    binary: &str,
    krate: &str,
    version: &str,
    locked: bool,
) -> Result<(), Failure> {
    let have = r.output(binary, &["--version"]).unwrap_or_default();
    if have
        .split_whitespace()
        .any(|w| w.trim_start_matches('v') == version)
    {
        return Ok(());
    }
    let mut c = r.command("cargo");
    c.args(["install", krate, "--version", version, "--force"]);
    // wasm-bindgen-cli's lock file names a crate version no longer on the registry, and
    // trunk/wasm-pack only compile with theirs: hence --locked for some and not others.
    if locked {
        c.arg("--locked");
    }
    r.step(
        &format!("install {krate} {version} from crates.io (a few minutes, once)"),
        c,
    )
}

fn node(r: &mut Runner) -> Result<(), Failure> {
    if r.output("node", &["--version"]).is_some() && r.output("npm", &["--version"]).is_some() {
        return Ok(());
    }
    apt(r, &["nodejs", "npm"])
}

fn npm_packages(r: &mut Runner, dir: &str) -> Result<(), Failure> {
    let root = r.root().join(dir);
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => l.modified().ok() <= i.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    let mut c = r.command("npm");
    c.args(["ci", "--no-audit", "--no-fund", "--prefix", dir]);
    r.step(&format!("install npm packages in {dir}/"), c)
}

fn chromium(r: &mut Runner) -> Result<(), Failure> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    apt(r, &["chromium", "chromium-driver"])
}

/// Installs Debian packages when running as root; otherwise says exactly what to run.
fn apt(r: &mut Runner, packages: &[&str]) -> Result<(), Failure> {
    let root_user = r.output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    let list = packages.join(" ");
    if !root_user {
        return Err(Failure(format!(
            "{list} missing; run as root: apt-get update && apt-get install -y {list}"
        )));
    }
    let mut update = r.command("apt-get");
    update.arg("update");
    r.step("apt-get update", update)?;
    let mut install = r.command("apt-get");
    install
        .args(["install", "-y"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive");
    r.step(&format!("install {list} from Debian"), install)
}
