//! The scenarios of two-stage stochastic planning (DESIGN §10): read from a scenarios CSV
//! (`--scenarios FILE`, with the data folder's optional `scenario_demand.csv`) or sampled with a
//! seed from the model's `[uncertainty]` table; each checked against the base model before
//! anything runs, errors located at the row and column (or the TOML entry) that gives the value.
//!
//! A scenario is the base model, then the command line's `--set` overrides, then its own values
//! (its own win). Its demand: every demand point's patients times `demand.scale`, except the
//! points `scenario_demand.csv` gives patients for: those are absolute, and `demand.scale` does
//! not apply to them.
//!
//! With `--scenarios` the file's scenarios are the plan's, and `[uncertainty]` gives only the
//! risk blend (its samples are not drawn). `scenario_demand.csv` applies to the file's
//! scenarios only: sampled scenarios scale the demand with `demand.scale` alone.

mod check;
mod demand;
pub mod dist;
mod expected;
mod from_csv;
pub mod keys;
mod model_table;
pub mod rng;
mod sample;
mod table;

pub use demand::materialize;
pub use expected::{EXPECTED_ID, expected};
pub use from_csv::PROBABILITY_TOLERANCE;
pub use model_table::MAX_SAMPLES;
pub use sample::{from_model_toml, risk_from_model_toml};

use super::error::InputErrors;
use super::{DemandPoint, Override, Scenario};
use std::collections::BTreeMap;

/// The mean-CVaR blend of the objective: (1 - risk_weight)·E + risk_weight·CVaR at cvar_alpha.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Risk {
    /// The CVaR's level α in [0, 1): the mean of the worst 1 - α of the scenarios' costs.
    pub cvar_alpha: f64,
    /// λ in [0, 1]: 0 is the expected value alone, 1 the CVaR alone.
    pub risk_weight: f64,
}

/// One scenario: what it changes from the base model, and how likely it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSpec {
    pub id: String,
    pub probability: f64,
    /// Scenario keys and their values (numbers, whole numbers for whole-number keys), applied
    /// after the command line's `--set`.
    pub overrides: Vec<Override>,
    /// Multiplies the patients of every demand point not in `demand_patients`.
    pub demand_scale: f64,
    /// Per demand id, this scenario's patients a year (from scenario_demand.csv): absolute,
    /// `demand_scale` does not apply.
    pub demand_patients: BTreeMap<String, f64>,
}

impl ScenarioSpec {
    /// A scenario that changes nothing.
    pub fn unchanged(id: impl Into<String>, probability: f64) -> ScenarioSpec {
        ScenarioSpec {
            id: id.into(),
            probability,
            overrides: Vec::new(),
            demand_scale: 1.0,
            demand_patients: BTreeMap::new(),
        }
    }

    /// The patients a year of demand point `d` in this scenario.
    pub fn patients(&self, d: &DemandPoint) -> f64 {
        match self.demand_patients.get(&d.id) {
            Some(&p) => p,
            None => d.patients * self.demand_scale,
        }
    }

    /// The value this scenario gives `key`, if it gives one (`demand.scale` when not 1).
    pub fn value(&self, key: &str) -> Option<f64> {
        if key == keys::DEMAND_SCALE {
            return (self.demand_scale != 1.0).then_some(self.demand_scale);
        }
        let o = self.overrides.iter().rev().find(|o| o.key == key)?;
        o.value
            .as_float()
            .or_else(|| o.value.as_integer().map(|i| i as f64))
    }
}

/// The scenarios of one stochastic plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSet {
    pub scenarios: Vec<ScenarioSpec>,
    /// Where they come from: the scenarios file as given, or `sampled: N samples, seed S`.
    pub origin: String,
    /// The mean-CVaR blend, when `[uncertainty]` gives one; `None`: the expected value.
    pub risk: Option<Risk>,
}

/// The base model the scenarios change: the model file's text and name (as messages name it),
/// and the command line's `--set` overrides.
#[derive(Debug, Clone, Copy)]
pub struct BaseModel<'a> {
    pub text: &'a str,
    pub file: &'a str,
    pub cli: &'a [Override],
}

impl BaseModel<'_> {
    /// The base scenario: the model with the `--set` overrides.
    pub fn scenario(&self) -> Result<Scenario, InputErrors> {
        Scenario::parse(self.text, self.file, self.cli)
    }

    /// The scenario of `spec`: the model, the `--set` overrides, then the spec's (its own win).
    pub fn scenario_of(&self, spec: &ScenarioSpec) -> Result<Scenario, InputErrors> {
        let mut all = self.cli.to_vec();
        all.extend(spec.overrides.iter().cloned());
        Scenario::parse(self.text, self.file, &all)
    }
}

/// A small instance and model for the tests of this module.
#[cfg(test)]
pub(crate) mod fixture {
    use super::BaseModel;
    use crate::input::Instance;

    /// Three demand points of 10, 20 and 1,000 patients, one hospital, one site.
    pub fn instance() -> Instance {
        Instance::from_bytes(
            b"id,lat,lon,patients\nD1,40,-74,10\nD2,41,-74,20\nD3,42,-74,1000\n",
            b"id,lat,lon\nH1,40,-74\n",
            b"id,lat,lon,kind\nS1,40,-74,regional\n",
            None,
        )
        .unwrap()
    }

    /// The built-in defaults (an empty model file named m.toml), no `--set`.
    pub fn base() -> BaseModel<'static> {
        BaseModel {
            text: "",
            file: "m.toml",
            cli: &[],
        }
    }

    /// The messages of an error list, one string each.
    pub fn shown(e: &crate::input::error::InputErrors) -> Vec<String> {
        e.0.iter().map(ToString::to_string).collect()
    }

    /// The scenarios `text` samples, on [`instance`].
    pub fn sampled(
        text: &str,
    ) -> Result<Option<super::ScenarioSet>, crate::input::error::InputErrors> {
        super::sample::from_model_toml(text, "m.toml", &[], Some(&instance()))
    }

    /// The one error message `text` gives.
    pub fn one(text: &str) -> String {
        let e = shown(&sampled(text).unwrap_err());
        assert_eq!(e.len(), 1, "{e:#?}");
        e[0].clone()
    }

    /// A model with `[uncertainty]` holding `body` (line 2 on).
    pub fn table(body: &str) -> String {
        format!("[uncertainty]\n{body}\n")
    }
}
