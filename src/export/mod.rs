//! Writers for a plan: plan.json, the CSV tables, plan.geojson, plan.xlsx, the HTML report and the printed
//! summary. Every file is written through [`crate::fs`], so a reader never sees a half-written
//! file.

pub mod compare;
pub mod csv;
pub mod geojson;
pub mod json;
pub mod report;
pub mod report_plan;
pub mod stochastic;
pub mod summary;
pub mod sweep;
pub mod sweep_html;
pub mod sweep_set;
pub mod tipping;
pub mod xlsx;

use crate::input::Instance;
use crate::plan::Plan;
use std::io;
use std::path::{Path, PathBuf};

use crate::fs::folder;

/// Writes plan.json, sites.csv, patient_flows.csv, batch_flows.csv, plan.geojson and plan.xlsx
/// into `out`
/// (and years.csv for a multi-year plan);
/// `instance` is the data the plan was made from (plan.geojson needs its coordinates).
/// Every file is rendered before any is written, and they replace an earlier plan's as one
/// set ([`crate::fs::write_all_atomic`]) under the folder's lock ([`folder::lock`]): on any failure the
/// folder keeps the earlier plan, whole, and two runs writing it at once never mix their files.
pub fn write_plan(
    out: &Path,
    plan: &Plan,
    instance: &Instance,
) -> Result<Vec<PathBuf>, folder::FolderError> {
    let io = |error| folder::FolderError::Io {
        path: out.to_path_buf(),
        error,
    };
    let files = render_plan(plan, instance).map_err(io)?;
    // a years.csv left by an earlier multi-year plan does not belong to this one
    folder::write_set(out, &files, &["years.csv", "scenarios.csv", "regret.csv"])
}

/// The files of a plan, by name, rendered.
fn render_plan(plan: &Plan, instance: &Instance) -> io::Result<Vec<(&'static str, Vec<u8>)>> {
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("plan.json", json::render(plan)?),
        ("sites.csv", csv::sites(plan)?),
        ("patient_flows.csv", csv::patient_flows(plan)?),
        ("batch_flows.csv", csv::batch_flows(plan)?),
        ("plan.geojson", geojson::render(plan, instance)?),
        ("plan.xlsx", xlsx::render(plan, instance)?),
    ];
    if !plan.years.is_empty() {
        files.push(("years.csv", csv::years(plan)?));
    }
    if plan.stochastic.is_some() {
        let rows: Vec<_> = plan
            .scenarios
            .iter()
            .map(stochastic::ScenarioRow::of)
            .collect();
        files.push(("scenarios.csv", stochastic::scenario_table(&rows)?));
        files.push(("regret.csv", stochastic::regret(plan)?));
    }
    Ok(files)
}
