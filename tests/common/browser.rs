//! Headless Chromium for the page tests: finding the browser, a screenshot of a page, and a
//! page's DOM after its scripts ran (how a test measures what the browser laid out).
//!
//! Debian's `chromium` (`apt-get install -y chromium`); CARTNET_CHROMIUM may name the binary.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A browser run taking longer than this has hung.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

/// The browser binary: CARTNET_CHROMIUM, else `chromium` or `chromium-browser` on the PATH.
pub fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CARTNET_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The browser, or `None` (with a note) when it is missing and CARTNET_SKIP_BROWSER=1; panics
/// when it is missing otherwise.
pub fn chromium_or_skip() -> Option<PathBuf> {
    if let Some(b) = chromium() {
        return Some(b);
    }
    if std::env::var("CARTNET_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("chromium not found; CARTNET_SKIP_BROWSER=1: the rendering check is skipped");
        return None;
    }
    panic!(
        "chromium is needed to check that the page renders: install it with \
         `apt-get install -y chromium` (or name it in CARTNET_CHROMIUM), or set \
         CARTNET_SKIP_BROWSER=1 to skip this check"
    );
}

/// Runs headless Chromium on `html` with `extra` arguments; returns its stdout.
fn headless(browser: &Path, html: &Path, extra: &[String]) -> Vec<u8> {
    let profile = tempfile::tempdir().unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut child = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", html.display()))
        .stdout(out.reopen().unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if start.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took more than {BROWSER_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::fs::read(out.path()).unwrap()
}

/// Screenshots `html` at `width` x `height` in headless Chromium; returns the PNG's bytes.
pub fn screenshot_sized(
    browser: &Path,
    html: &Path,
    png: &Path,
    (width, height): (u32, u32),
) -> Vec<u8> {
    headless(
        browser,
        html,
        &[
            format!("--screenshot={}", png.display()),
            format!("--window-size={width},{height}"),
        ],
    );
    std::fs::read(png).expect("chromium wrote the screenshot")
}

/// Screenshots `html` at 1280 x 1600 in headless Chromium; returns the PNG's bytes.
pub fn screenshot(browser: &Path, html: &Path, png: &Path) -> Vec<u8> {
    screenshot_sized(browser, html, png, (1280, 1600))
}

/// The DOM of `html` once loaded and its scripts ran, serialized.
pub fn dump_dom(browser: &Path, html: &Path) -> String {
    let out = headless(
        browser,
        html,
        &["--dump-dom".into(), "--window-size=1280,1600".into()],
    );
    String::from_utf8_lossy(&out).into_owned()
}

/// Width and height of a PNG file, from its signature and IHDR chunk.
pub fn png_info(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "not a PNG: {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "the first chunk is IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}
