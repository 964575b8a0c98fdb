//! The expected-value scenario (for EEV and VSS, DESIGN §10): every key the scenarios vary at
//! its probability-weighted mean.

use super::keys::{self, Kind};
use super::{BaseModel, ScenarioSet, ScenarioSpec, from_csv};
use crate::input::error::InputErrors;
use crate::input::{Instance, Override};
use std::collections::{BTreeMap, BTreeSet};

/// The id of the expected-value scenario.
pub const EXPECTED_ID: &str = "expected";

/// The expected-value scenario of `set` on `base`, with probability 1: each key any scenario
/// gives at Σ π_ω v_ω, where v_ω is the value in force in scenario ω (the base value, or the
/// value a per-kind key inherits, where the scenario does not give it); a whole-number key
/// rounded to the nearest whole number. `demand.scale` at its mean; and every demand point any
/// scenario gives patients for at Σ π_ω p_ω[d], summed in the scenarios' order, so that the
/// instance it materializes has exactly those patients there (at the other points, the base
/// patients times the mean scale: the same up to rounding). Errors only for a scenario that
/// does not build on `base` (none read by this module's readers).
pub fn expected(
    set: &ScenarioSet,
    base: &BaseModel,
    instance: &Instance,
) -> Result<ScenarioSpec, InputErrors> {
    let scenarios = set
        .scenarios
        .iter()
        .map(|s| base.scenario_of(s))
        .collect::<Result<Vec<_>, _>>()?;
    let given: BTreeSet<&str> = set
        .scenarios
        .iter()
        .flat_map(|s| s.overrides.iter().map(|o| o.key.as_str()))
        .collect();
    let valid = keys::scenario_keys();
    let mut ev = ScenarioSpec::unchanged(EXPECTED_ID, 1.0);
    for key in given {
        let values = scenarios.iter().map(|s| keys::value(s, key));
        let mean: Option<f64> = set
            .scenarios
            .iter()
            .zip(values)
            .map(|(s, v)| v.map(|v| s.probability * v))
            .sum();
        let (Some(mean), Ok(kind)) = (mean, keys::lookup(&valid, key)) else {
            continue;
        };
        let mean = if kind == Kind::Whole {
            mean.round()
        } else {
            mean
        };
        ev.overrides.push(Override {
            key: key.to_string(),
            value: from_csv::number(mean, kind),
        });
    }
    ev.demand_scale = set
        .scenarios
        .iter()
        .map(|s| s.probability * s.demand_scale)
        .sum();
    let points: BTreeSet<&str> = set
        .scenarios
        .iter()
        .flat_map(|s| s.demand_patients.keys().map(String::as_str))
        .collect();
    ev.demand_patients = instance
        .demand
        .iter()
        .filter(|d| points.contains(d.id.as_str()))
        .map(|d| {
            let mean = set
                .scenarios
                .iter()
                .map(|s| s.probability * s.patients(d))
                .sum();
            (d.id.clone(), mean)
        })
        .collect::<BTreeMap<_, _>>();
    Ok(ev)
}
