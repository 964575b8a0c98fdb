//! Checks one scenario against the base model and the instance: its scenario builds (every
//! value in range, as `--set` would be checked), and its demand stays within range in every
//! year. The errors are the scenario parser's (E304, E305) and E807/E105 for the demand, with
//! the key as their column; the readers locate them at the row or entry that gives the value.

use super::keys::DEMAND_SCALE;
use super::{BaseModel, ScenarioSpec};
use crate::input::error::{Code, InputError, quoted};
use crate::input::ranges::{self, show};
use crate::input::{Instance, Scenario};

/// The problems of `spec` on `base` (whose own scenario is valid), and of its demand when the
/// instance is given.
pub fn spec(base: &BaseModel, spec: &ScenarioSpec, instance: Option<&Instance>) -> Vec<InputError> {
    let scenario = match base.scenario_of(spec) {
        Ok(s) => s,
        Err(e) => return e.0,
    };
    match instance {
        Some(instance) => demand(instance, &scenario, spec).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The instance with the scenario's patients.
pub fn with_patients(instance: &Instance, spec: &ScenarioSpec) -> Instance {
    let mut out = instance.clone();
    for d in &mut out.demand {
        d.patients = spec.patients(d);
    }
    out
}

/// E807 when `demand.scale` makes a point's patients more than the range allows, else E105 (as
/// [`Instance::check_growth`] gives it) when a point grows past it within the horizon. The
/// column is `demand.scale` for E807; none for E105, whose cause may be any key of the row.
pub fn demand(instance: &Instance, scenario: &Scenario, spec: &ScenarioSpec) -> Option<InputError> {
    let scale = spec.demand_scale;
    let scaled = |d: &&crate::input::DemandPoint| !spec.demand_patients.contains_key(&d.id);
    let mut over = instance
        .demand
        .iter()
        .filter(scaled)
        .filter(|d| !ranges::PATIENTS.contains(d.patients * scale));
    if let Some(first) = over.next() {
        let more = match over.count() {
            0 => String::new(),
            n => format!(" ({n} more demand points too)"),
        };
        let message = format!(
            "demand.scale {} gives demand point {} {:.3e} patients a year ({} times {}): \
             expected at most {} a year{more}",
            show(scale),
            quoted(&first.id),
            first.patients * scale,
            first.patients,
            show(scale),
            show(ranges::MAX_PATIENTS),
        );
        return Some(InputError::new(Code::BadDemandScale, "", message).in_column(DEMAND_SCALE));
    }
    let grown = with_patients(instance, spec);
    grown.check_growth(scenario).err().map(|e| {
        InputError::new(
            e.code,
            "",
            format!("with this scenario's demand and horizon, {}", e.message),
        )
    })
}
