//! The app's six surfaces (SPEC §9), each its own bundle built by Trunk from its own page:
//! what a browser downloads for one never includes another's code.

use crate::run::{Failure, Runner};
use std::path::Path;

/// One surface: its name, the page Trunk builds it from, where it lands below `dist/` and the
/// URL it is served at, and its download budget (gzip bytes).
pub struct Surface {
    pub name: &'static str,
    pub page: &'static str,
    pub dir: &'static str,
    pub url: &'static str,
    pub gzip_budget: u64,
    pub brotli_budget: Option<u64>,
}

pub const SURFACES: [Surface; 6] = [
    Surface {
        name: "till",
        page: "index.html",
        dir: "",
        url: "/",
        gzip_budget: 150 * 1024,
        brotli_budget: Some(125 * 1024),
    },
    Surface {
        name: "kiosk",
        page: "surfaces/kiosk.html",
        dir: "kiosk",
        url: "/kiosk/",
        gzip_budget: 150 * 1024,
        brotli_budget: None,
    },
    Surface {
        name: "back office",
        page: "surfaces/back-office.html",
        dir: "back-office",
        url: "/back-office/",
        gzip_budget: 200 * 1024,
        brotli_budget: None,
    },
    // What a manager reads: a manager's surface, with the back office's budget.
    Surface {
        name: "reports",
        page: "surfaces/reports.html",
        dir: "reports",
        url: "/reports/",
        gzip_budget: 200 * 1024,
        brotli_budget: None,
    },
    // A manager's messages to customers: a manager's surface, with the back office's budget.
    Surface {
        name: "messages",
        page: "surfaces/messages.html",
        dir: "messages",
        url: "/messages/",
        gzip_budget: 200 * 1024,
        brotli_budget: None,
    },
    Surface {
        name: "widget",
        page: "surfaces/widget.html",
        dir: "widget",
        url: "/widget/",
        gzip_budget: 150 * 1024,
        brotli_budget: None,
    },
];

/// Release build of every surface into `dist/` (the till at its root, the others in their
/// folders), then `.gz` and `.br` files beside each wasm, JS and CSS file.
///
/// The wasm is built with the standard library compiled for size (`-Zbuild-std`) and panics
/// that abort at once (`-Cpanic=immediate-abort`: no panic messages or formatting in the
/// bundle). Both are unstable: this machine's only toolchain is stable, so the build sets
/// `RUSTC_BOOTSTRAP=1` for these builds alone (their own target directory, so no other build
/// shares their artefacts). If the toolchain refuses, it falls back to the ordinary build.
pub fn build(r: &mut Runner) -> Result<(), Failure> {
    let root = r.root().to_path_buf();
    let dist = root.join("dist");
    let _ = std::fs::remove_dir_all(&dist);
    let lean = lean_build_works(r);
    for s in &SURFACES {
        let out = if s.dir.is_empty() {
            dist.clone()
        } else {
            dist.join(s.dir)
        };
        let mut trunk = r.command("trunk");
        trunk
            .args([
                "build",
                "--release",
                "--offline",
                "--cargo-profile",
                "wasm-release",
            ])
            .arg(s.page)
            .arg("--dist")
            .arg(&out)
            .args(["--public-url", s.url])
            .env("CARGO_TARGET_DIR", root.join("target/surfaces"));
        if lean {
            lean_env(&mut trunk);
        }
        r.step(
            &format!("release build of the {} (trunk, wasm-opt)", s.name),
            trunk,
        )?;
    }
    crate::bundle::precompress(&dist)?;
    Ok(())
}

/// Environment for the size-optimised standard library and immediate-abort panics. The
/// target's rustflags are set whole here, so they repeat `.cargo/config.toml`'s
/// (`erase_components`): an environment value replaces the file's, it does not add to it.
fn lean_env(c: &mut std::process::Command) {
    c.env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "--cfg erase_components -Zunstable-options -Cpanic=immediate-abort",
        );
}

/// Whether this toolchain builds the standard library with immediate-abort panics (it needs
/// the `rust-src` component, which setup installs): checked on a tiny crate.
fn lean_build_works(r: &Runner) -> bool {
    let dir = r.root().join("target/surfaces/probe");
    let src = dir.join("src");
    if std::fs::create_dir_all(&src).is_err() {
        return false;
    }
    let files = [
        (
            dir.join("Cargo.toml"),
            "[package]\nname = \"probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n[lib]\ncrate-type = [\"cdylib\"]\n[workspace]\n",
        ),
        (
            src.join("lib.rs"),
            "#[no_mangle]\npub extern \"C\" fn probe(x: u32) -> u32 { x.wrapping_mul(3) }\n",
        ),
    ];
    if files
        .iter()
        .any(|(p, text)| std::fs::write(p, text).is_err())
    {
        return false;
    }
    let mut c = r.command("cargo");
    c.current_dir(&dir)
        .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    lean_env(&mut c);
    let ok = c.status().is_ok_and(|s| s.success());
    if !ok {
        println!("    (the toolchain cannot build a size-optimised std here: ordinary build)");
    }
    ok
}

/// The files one surface downloads: its folder's wasm, JS and CSS (the till's are at the
/// root of `dist`, beside the other surfaces' folders).
pub fn files_of<'a>(
    s: &Surface,
    all: &'a [crate::bundle::BundleFile],
) -> Vec<&'a crate::bundle::BundleFile> {
    all.iter()
        .filter(|f| {
            let folder = Path::new(&f.name)
                .parent()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            // wasm-bindgen's inline JS snippets live below the module's folder.
            let top = folder.split('/').next().unwrap_or("");
            if s.dir.is_empty() {
                top.is_empty() || (top == "snippets")
            } else {
                top == s.dir
            }
        })
        .collect()
}
