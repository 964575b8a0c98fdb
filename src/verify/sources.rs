//! Where a check's plan, data and scenario come from: `cartnet verify PLAN.json`.

use super::plan_file::{check_data, load_instance, read_plan, resolve_data};
use super::{Verification, VerifyError, verify};
use crate::input::Scenario;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Sources {
    pub data: PathBuf,
    /// `None`: the scenario recorded in plan.json.
    pub model: Option<PathBuf>,
}

/// Reads plan.json; the data folder is `data`, or else the one the plan records
/// (`instance.data`); the scenario is `model`, or else the one the plan records. Data the plan
/// was not made from ([`check_data`]) is an error, or with `force` a note.
pub fn verify_file(
    plan_path: &Path,
    data: Option<&Path>,
    model: Option<&Path>,
    force: bool,
) -> Result<(Verification, Sources), VerifyError> {
    let plan = read_plan(plan_path)?;
    let data = resolve_data(&plan, data)?;
    let (instance, digest) = load_instance(&data)?;
    let mismatch = match check_data(&plan, plan_path, &instance, &data, &digest) {
        Err(m) if !force => return Err(VerifyError::Data(m)),
        Err(m) => Some(m),
        Ok(()) => None,
    };
    let recorded = &plan["scenario"];
    let (scenario, mut notes) = match model {
        Some(path) => {
            let s = Scenario::load(path, &[]).map_err(VerifyError::Input)?;
            let json = s.to_json();
            let notes = scenario_differences(recorded, &json, path);
            (json, notes)
        }
        None => {
            if !recorded.is_object() {
                return Err(VerifyError::Plan(format!(
                    "{} records no scenario; pass --model FILE",
                    plan_path.display()
                )));
            }
            (recorded.clone(), Vec::new())
        }
    };
    if let Some(m) = mismatch {
        notes.push(format!("{}: checked anyway (--force)", m.reason()));
    }
    let mut v = verify(&plan, &instance, &scenario);
    notes.append(&mut v.notes);
    v.notes = notes;
    Ok((
        v,
        Sources {
            data,
            model: model.map(Path::to_path_buf),
        },
    ))
}

/// Scenario keys whose values differ between the plan's record and a scenario file.
fn scenario_differences(recorded: &Value, file: &Value, path: &Path) -> Vec<String> {
    let mut a = Vec::new();
    let mut b = Vec::new();
    flatten("", recorded, &mut a);
    flatten("", file, &mut b);
    let a: HashMap<String, Value> = a.into_iter().collect();
    let mut notes = Vec::new();
    for (k, v) in &b {
        match a.get(k) {
            Some(x) if same_value(x, v) => {}
            Some(x) => notes.push(format!(
                "the plan was made with {k} = {x}; {} has {v}",
                path.display()
            )),
            None if recorded.is_object() => notes.push(format!(
                "the plan records no {k}; {} has {v}",
                path.display()
            )),
            None => {}
        }
    }
    notes
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Leaves of a JSON object by dotted key.
pub fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, x, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

// ---------------------------------------------------------------------------------------------
