//! The release bundle's files in `dist/`: what each weighs raw, gzip and brotli, and the
//! precompressed `.gz` and `.br` forms the server sends.

use crate::run::Failure;
use std::path::Path;

/// Raw, gzip and brotli bytes of every wasm, JS and CSS file below `dist`, as served: the
/// release build wrote each one's `.gz` and `.br` beside it ([`precompress`]).
pub fn bundle_files(dist: &Path) -> Result<Vec<BundleFile>, Failure> {
    println!("\n==> release bundle in {}", dist.display());
    let size = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.len())
            .map_err(|e| Failure(format!("{}: {e} (run the release build)", p.display())))
    };
    let mut files = Vec::new();
    for path in shipped(dist)? {
        let with = |suffix: &str| {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            std::path::PathBuf::from(p)
        };
        let f = BundleFile {
            name: relative(dist, &path),
            raw: size(&path)?,
            gzip: size(&with(".gz"))?,
            brotli: size(&with(".br"))?,
        };
        println!(
            "    {:>8} raw {:>8} gzip {:>8} brotli  {}",
            f.raw, f.gzip, f.brotli, f.name
        );
        files.push(f);
    }
    Ok(files)
}

fn relative(dist: &Path, path: &Path) -> String {
    path.strip_prefix(dist)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Every wasm, JS and CSS file below `dist`, sorted.
fn shipped(dist: &Path) -> Result<Vec<std::path::PathBuf>, Failure> {
    let mut found = Vec::new();
    let mut dirs = vec![dist.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| Failure(format!("cannot read {}: {e}", dir.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css")
            ) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// One file of the app bundle and its sizes.
pub struct BundleFile {
    /// Path below `dist`, with `/` separators.
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// Writes `<file>.gz` (zopfli, gzip format) and `<file>.br` (brotli, quality 11) beside every
/// wasm, JS and CSS file below `dist`, so the server sends the smallest form the browser
/// accepts without compressing on each request.
pub fn precompress(dist: &Path) -> Result<(), Failure> {
    for path in shipped(dist)? {
        let bytes =
            std::fs::read(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
        for (suffix, data) in [(".gz", gzip(&bytes)?), (".br", brotli(&bytes)?)] {
            let mut target = path.clone().into_os_string();
            target.push(suffix);
            std::fs::write(&target, data)
                .map_err(|e| Failure(format!("{}: {e}", Path::new(&target).display())))?;
        }
    }
    Ok(())
}

/// gzip as small as the format allows (zopfli; any gzip decoder reads it).
fn gzip(bytes: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        bytes,
        &mut out,
    )
    .map_err(|e| Failure(format!("gzip: {e}")))?;
    Ok(out)
}

/// brotli at its best quality with a 4 MiB window.
fn brotli(bytes: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)
        .map_err(|e| Failure(format!("brotli: {e}")))?;
    Ok(out)
}
