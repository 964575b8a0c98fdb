//! A sweep's summary set: the files written from its rows (sweep.csv, sweep.svg), one function
//! for the one-machine run and the merge of its shards, so both always write the same set.

use crate::fs::write_atomic;
use crate::sweep::{Axis, Row};
use std::io;
use std::path::Path;

/// What was written, and what was not (each a line for stderr, `warning:` or `error:` first).
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<&'static str>,
    pub problems: Vec<String>,
}

/// Writes sweep.csv (an `Err` if it cannot be: the sweep has no result then) and sweep.svg (a
/// problem if not) into `out`. `folders[i]` is row i's plan folder relative to `out`, empty
/// without a plan; the rows are in grid order.
pub fn write(
    out: &Path,
    axes: &[Axis],
    rows: &[Row],
    folders: &[String],
    title: &str,
) -> io::Result<Written> {
    let mut written = Written::default();
    let csv = super::sweep::render_csv(axes, rows, folders)?;
    write_atomic(&out.join("sweep.csv"), &csv)?;
    written.files.push("sweep.csv");
    match super::sweep::render_svg(axes, rows, title) {
        Ok(svg) => match write_atomic(&out.join("sweep.svg"), svg.as_bytes()) {
            Ok(()) => written.files.push("sweep.svg"),
            Err(e) => written
                .problems
                .push(format!("error: cannot write sweep.svg: {e}")),
        },
        Err(e) => written.problems.push(format!("warning: no chart: {e}")),
    }
    Ok(written)
}
