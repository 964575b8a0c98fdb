//! A sweep's summary set: the files written from its rows (sweep.csv, sweep.svg, sweep.html and,
//! for a refined sweep, tipping_points.csv), one function for the one-machine run and the merge
//! of its shards, so both always write the same set.

use super::sweep_html::{self, Page};
use super::{sweep, tipping};
use crate::fs::write_atomic;
use std::io;
use std::path::Path;

/// The file a refined sweep lists its tipping points in.
pub const TIPPING_CSV: &str = "tipping_points.csv";

/// What was written, and what was not (each a line for stderr, `warning:` or `error:` first).
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<&'static str>,
    pub problems: Vec<String>,
}

impl Written {
    /// Records the outcome of writing `file`.
    fn record(&mut self, file: &'static str, result: io::Result<()>) {
        match result {
            Ok(()) => self.files.push(file),
            Err(e) => self
                .problems
                .push(format!("error: cannot write {file}: {e}")),
        }
    }
}

/// Writes the summary set of `page` into `out` (its `svg` is drawn here from its rows):
/// sweep.csv (an `Err` if it cannot be: the sweep has no
/// result then), then the chart, the page and the tipping points (each a problem if not). An
/// earlier run's tipping_points.csv is removed when this sweep was not refined, so the folder
/// holds this run's files only.
pub fn write(out: &Path, s: &Page<'_>) -> io::Result<Written> {
    let mut written = Written::default();
    let csv = sweep::render_csv(s.axes, s.rows, s.folders)?;
    write_atomic(&out.join("sweep.csv"), &csv)?;
    written.files.push("sweep.csv");
    let svg = sweep::render_svg(s.axes, s.rows, s.title);
    match &svg {
        Ok(svg) => written.record(
            "sweep.svg",
            write_atomic(&out.join("sweep.svg"), svg.as_bytes()),
        ),
        Err(e) => written.problems.push(format!("warning: no chart: {e}")),
    }
    let page = Page {
        svg: svg.as_deref().ok(),
        ..*s
    };
    let html = sweep_html::render(&page);
    written.record(
        "sweep.html",
        write_atomic(&out.join("sweep.html"), html.as_bytes()),
    );
    let path = out.join(TIPPING_CSV);
    match s.tipping {
        Some(points) => {
            let csv = tipping::render_csv(s.axes, points);
            written.record(TIPPING_CSV, csv.and_then(|b| write_atomic(&path, &b)));
        }
        None => {
            let _ = std::fs::remove_file(&path);
        }
    }
    Ok(written)
}
