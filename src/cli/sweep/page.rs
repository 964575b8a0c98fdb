//! sweep.html and, for a refined sweep, tipping_points.csv, written beside sweep.csv.

use cartnet::export::sweep_html::{self, Page};
use cartnet::export::tipping;
use cartnet::fs::write_atomic;
use std::path::Path;

/// The file a refined sweep lists its tipping points in.
const TIPPING_CSV: &str = "tipping_points.csv";

/// Writes sweep.html, and tipping_points.csv when the sweep was refined (an earlier run's is
/// removed when it was not, so the folder holds this run's files only); returns the files
/// written. A file that cannot be written is an error on stderr, not the end of the sweep: its
/// plans and sweep.csv stand.
pub fn write(out: &Path, page: &Page) -> Vec<&'static str> {
    let mut written = Vec::new();
    match write_atomic(&out.join("sweep.html"), sweep_html::render(page).as_bytes()) {
        Ok(()) => written.push("sweep.html"),
        Err(e) => eprintln!("error: cannot write sweep.html: {e}"),
    }
    let path = out.join(TIPPING_CSV);
    match page.tipping {
        Some(points) => {
            let csv = tipping::render_csv(page.axes, points);
            match csv.and_then(|b| write_atomic(&path, &b)) {
                Ok(()) => written.push(TIPPING_CSV),
                Err(e) => eprintln!("error: cannot write {TIPPING_CSV}: {e}"),
            }
        }
        None => {
            let _ = std::fs::remove_file(&path);
        }
    }
    written
}
