//! `cargo xtask dist`: a release archive a merchant deploys without any toolchain — the
//! server binary, the built app (every surface), an example configuration, the systemd unit,
//! the gateway examples and the READMEs.

use crate::run::{Failure, Runner};
use std::path::Path;

pub fn run(r: &mut Runner) -> Result<(), Failure> {
    let root = r.root().to_path_buf();
    let name = format!(
        "redeemguard-{}-{}-{}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let out = root.join("target/dist");
    let dir = out.join(&name);
    let _ = std::fs::remove_dir_all(&dir);
    let io = |what: &Path, e: std::io::Error| Failure(format!("{}: {e}", what.display()));
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let copy = |from: &Path, to: &Path| -> Result<(), Failure> {
        std::fs::copy(from, to).map(drop).map_err(|e| io(from, e))
    };
    copy(
        &root.join("target/release/redeemguard-server"),
        &dir.join("redeemguard-server"),
    )?;
    copy_tree(&root.join("dist"), &dir.join("app"))?;
    copy_tree(
        &root.join("crates/server/examples/gateways"),
        &dir.join("examples/gateways"),
    )?;
    copy(
        &root.join("deploy/redeemguard.service"),
        &dir.join("redeemguard.service"),
    )?;
    copy(
        &root.join("deploy/redeemguard.toml"),
        &dir.join("redeemguard.toml"),
    )?;
    copy(&root.join("README.md"), &dir.join("README.md"))?;
    copy(
        &root.join("crates/server/README.md"),
        &dir.join("SERVER.md"),
    )?;
    let archive = out.join(format!("{name}.tar.gz"));
    let mut tar = r.command("tar");
    tar.arg("-czf").arg(&archive).arg("-C").arg(&out).arg(&name);
    r.step("release archive (server, app, config, systemd unit)", tar)?;
    let size = std::fs::metadata(&archive)
        .map_err(|e| io(&archive, e))?
        .len();
    println!(
        "\n{} ({:.1} MB): unpack to /opt/redeemguard, then follow redeemguard.service's comments",
        archive.display(),
        size as f64 / 1e6
    );
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), Failure> {
    let fail = |p: &Path, e: std::io::Error| Failure(format!("{}: {e}", p.display()));
    std::fs::create_dir_all(to).map_err(|e| fail(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| fail(from, e))? {
        let entry = entry.map_err(|e| fail(from, e))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(|e| fail(&src, e))?;
        }
    }
    Ok(())
}
