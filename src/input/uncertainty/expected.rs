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

#[cfg(test)]
mod tests {
    use super::super::fixture::{base, instance};
    use super::super::materialize;
    use super::*;

    fn spec(id: &str, p: f64, scale: f64, overrides: &[&str]) -> ScenarioSpec {
        let mut s = ScenarioSpec::unchanged(id, p);
        s.demand_scale = scale;
        s.overrides = overrides
            .iter()
            .map(|o| Override::parse(o).unwrap())
            .collect();
        s
    }

    fn set(scenarios: Vec<ScenarioSpec>) -> ScenarioSet {
        ScenarioSet {
            scenarios,
            origin: "test".into(),
            risk: None,
        }
    }

    #[test]
    fn each_key_at_its_probability_weighted_mean_the_base_where_not_given() {
        let mut low = spec(
            "low",
            0.25,
            0.8,
            &["batch.cost_owned=100000", "site.max_platforms=2"],
        );
        low.demand_patients.insert("D1".into(), 15.0);
        let high = spec(
            "high",
            0.75,
            1.2,
            &[
                "site.max_platforms=5",
                "kinds.regional.batch.cost_owned=200000",
            ],
        );
        let ev = expected(&set(vec![low, high]), &base(), &instance()).unwrap();
        assert_eq!((ev.id.as_str(), ev.probability), ("expected", 1.0));
        let v = |k: &str| ev.value(k).unwrap();
        // 0.25 x 100,000 + 0.75 x the base 120,000
        assert_eq!(v("batch.cost_owned"), 115_000.0);
        // 0.25 x 2 + 0.75 x 5 = 4.25, a whole-number key: 4
        assert_eq!(
            ev.overrides
                .iter()
                .find(|o| o.key == "site.max_platforms")
                .unwrap()
                .value,
            toml::Value::Integer(4)
        );
        // a per-kind key inherits the scenario's base group value where not given: 0.25 x 100,000
        assert_eq!(
            v("kinds.regional.batch.cost_owned"),
            0.25 * 100_000.0 + 0.75 * 200_000.0
        );
        assert_eq!(ev.demand_scale, 0.25 * 0.8 + 0.75 * 1.2);
        // D1: 0.25 x 15 (given) + 0.75 x 10 x 1.2 (scaled)
        assert_eq!(ev.demand_patients.len(), 1);
        assert_eq!(ev.demand_patients["D1"], 0.25 * 15.0 + 0.75 * (10.0 * 1.2));
        let (i, s) = materialize(&instance(), &base(), &ev).unwrap();
        assert_eq!(i.demand[0].patients, 12.75);
        assert_eq!(s.batch.cost_owned, 115_000.0);
        assert!((i.demand[1].patients - 20.0 * 1.1).abs() < 1e-12);
    }

    #[test]
    fn scenarios_that_change_nothing_give_the_base() {
        let s = set(vec![spec("a", 0.5, 1.0, &[]), spec("b", 0.5, 1.0, &[])]);
        let ev = expected(&s, &base(), &instance()).unwrap();
        assert_eq!(ev, ScenarioSpec::unchanged(EXPECTED_ID, 1.0));
    }
}
