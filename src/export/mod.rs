//! Writers for a plan: plan.json, the CSV tables, plan.geojson, the HTML report and the printed
//! summary. Every file is written to a temporary name in the output folder and renamed into
//! place, so a reader never sees a half-written file.

pub mod csv;
pub mod geojson;
pub mod json;
pub mod report;
pub mod summary;

use crate::input::Instance;
use crate::plan::Plan;
use std::io;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        std::fs::write(&tmp, bytes)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes plan.json, sites.csv, patient_flows.csv, batch_flows.csv and plan.geojson into `out`
/// (and years.csv for a multi-year plan);
/// `instance` is the data the plan was made from (plan.geojson needs its coordinates).
/// Every file is rendered before any is written, so a rendering failure writes nothing.
pub fn write_plan(out: &Path, plan: &Plan, instance: &Instance) -> io::Result<Vec<PathBuf>> {
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("plan.json", json::render(plan)?),
        ("sites.csv", csv::sites(plan)?),
        ("patient_flows.csv", csv::patient_flows(plan)?),
        ("batch_flows.csv", csv::batch_flows(plan)?),
        ("plan.geojson", geojson::render(plan, instance)?),
    ];
    if !plan.years.is_empty() {
        files.push(("years.csv", csv::years(plan)?));
    }
    std::fs::create_dir_all(out)?;
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = out.join(name);
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
