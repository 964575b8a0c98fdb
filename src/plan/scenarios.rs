//! A two-stage plan (DESIGN §10): one design, and per scenario its flows, cost lines and KPIs;
//! the measures of the value of planning for uncertainty; the regret table.

use super::round::{cents, clean};
use super::{BatchFlow, Cost, Kpis, PatientFlow, Plan, SitePlan, SiteStatus, Unserved};
use crate::input::OpModel;
use crate::model::Design;
use serde::Serialize;

/// The design a plan's sites describe (in the instance's order).
pub fn design_of(sites: &[SitePlan]) -> Design {
    Design {
        sites: sites
            .iter()
            .map(|s| match s.status {
                SiteStatus::Owned => Some((OpModel::Owned, s.platforms)),
                SiteStatus::Franchise => Some((OpModel::Franchise, s.platforms)),
                SiteStatus::Closed => None,
            })
            .collect(),
    }
}

/// One scenario of a two-stage plan: the design's flows in it, with their cost and KPIs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioPlan {
    pub id: String,
    pub probability: f64,
    /// The scenario's effective parameters (as the plan's `scenario`), and what it does to
    /// demand: every point's patients times `scale`, except the points in `patients`.
    pub scenario: serde_json::Value,
    pub demand: ScenarioDemand,
    pub cost: Cost,
    pub kpis: Kpis,
    /// The design's sites with this scenario's batches and utilization.
    pub sites: Vec<SitePlan>,
    pub patient_flows: Vec<PatientFlow>,
    pub batch_flows: Vec<BatchFlow>,
    pub unserved: Vec<Unserved>,
}

/// A scenario's demand: a scale on every point, and patients that replace some points'.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioDemand {
    pub scale: f64,
    pub patients: std::collections::BTreeMap<String, f64>,
}

impl ScenarioPlan {
    /// The scenario's part of `plan`, a plan of the fixed design in that scenario.
    pub fn from_plan(id: &str, probability: f64, demand: ScenarioDemand, plan: Plan) -> Self {
        ScenarioPlan {
            id: id.to_string(),
            probability,
            scenario: plan.scenario,
            demand,
            cost: plan.cost,
            kpis: plan.kpis,
            sites: plan.sites,
            patient_flows: plan.patient_flows,
            batch_flows: plan.batch_flows,
            unserved: plan.unserved,
        }
    }
}

/// The standard measures of a two-stage plan (Birge and Louveaux), expected costs in USD a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stochastic {
    /// Where the scenarios came from: the file, or the sampling.
    pub origin: String,
    pub scenarios: usize,
    /// The recourse problem: this plan's expected cost.
    pub rp: f64,
    /// Wait and see: the expected cost with perfect foresight (each scenario its own optimum).
    pub ws: f64,
    /// Whether every scenario's own optimum was proven (else WS and EVPI rest on the best plans
    /// found within the gap asked for or the time each scenario had, and WS may be high).
    pub ws_proven: bool,
    /// The expected-value design's expected cost over the scenarios.
    pub eev: Option<f64>,
    /// The value of the stochastic solution, EEV - RP (absent when the expected-value design
    /// cannot serve some scenario).
    pub vss: Option<f64>,
    /// The expected value of perfect information, RP - WS.
    pub evpi: f64,
    /// How the recourse problem was solved ("decomposition" or "extensive form"), and its
    /// iterations (master problems solved; 1 for the extensive form).
    pub method: String,
    pub iterations: usize,
    /// The Lagrangian relaxation's lower bound on the objective, where it ran (single-year
    /// models it covers, see README "Planning for uncertain futures").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relaxation: Option<RelaxationBound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskMeasures>,
    pub regret: Vec<RegretRow>,
}

/// The two-stage Lagrangian relaxation's bound: its value and its subgradient rounds and time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RelaxationBound {
    pub bound: f64,
    pub rounds: usize,
    pub seconds: f64,
}

/// The plan's risk: CVaR at level α of its scenario costs, and the objective it minimised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskMeasures {
    pub cvar_alpha: f64,
    pub risk_weight: f64,
    pub cvar: f64,
    /// (1 - λ) · RP + λ · CVaR_α.
    pub objective: f64,
}

/// One candidate design in the regret table: its cost in each scenario (in the plan's scenario
/// order; `None` where it cannot serve that scenario), expected, worst, and its largest regret
/// against each scenario's own optimum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegretRow {
    /// "this plan", "expected value", or "scenario <id>" (that scenario's own optimum).
    pub design: String,
    pub sites_open: usize,
    pub platforms: u32,
    pub costs: Vec<Option<f64>>,
    pub expected: Option<f64>,
    pub worst: Option<f64>,
    pub max_regret: Option<f64>,
}

impl RegretRow {
    /// The row of a design with its scenario costs, against the scenarios' own optima `ws`.
    pub fn new(
        design: String,
        sites: &[SitePlan],
        costs: Vec<Option<f64>>,
        probabilities: &[f64],
        ws: &[f64],
    ) -> RegretRow {
        let all: Option<Vec<f64>> = costs.iter().copied().collect();
        let expected = all
            .as_ref()
            .map(|c| cents(c.iter().zip(probabilities).map(|(c, p)| c * p).sum()));
        let worst = all
            .as_ref()
            .map(|c| c.iter().copied().fold(f64::MIN, f64::max));
        let max_regret = all.as_ref().map(|c| {
            let most = c
                .iter()
                .zip(ws)
                .map(|(c, w)| c - w)
                .fold(f64::MIN, f64::max);
            cents(most.max(0.0))
        });
        let open = sites.iter().filter(|s| s.status != SiteStatus::Closed);
        RegretRow {
            design,
            sites_open: open.clone().count(),
            platforms: open.map(|s| s.platforms).sum(),
            costs,
            expected,
            worst,
            max_regret,
        }
    }
}

pub use crate::model::stochastic::cvar;

/// The expected KPIs over the scenarios: flows and patients at their expectation, the design's
/// counts as they are, the longest vein-to-vein of any scenario.
pub fn expected_kpis(scenarios: &[ScenarioPlan], cost: &Cost) -> Kpis {
    let mean = |f: &dyn Fn(&Kpis) -> f64| {
        clean(scenarios.iter().map(|s| s.probability * f(&s.kpis)).sum())
    };
    let first = &scenarios[0].kpis;
    let patients_demand = mean(&|k| k.patients_demand);
    let patients_served = mean(&|k| k.patients_served);
    let batches = mean(&|k| k.batches);
    let v2v_weight = mean(&|k| k.batches * k.mean_vein_to_vein_days.unwrap_or(0.0));
    let max_v2v = scenarios
        .iter()
        .filter_map(|s| s.kpis.max_vein_to_vein_days)
        .reduce(f64::max);
    Kpis {
        patients_demand,
        patients_in_vivo: mean(&|k| k.patients_in_vivo),
        patients_served,
        coverage: if patients_demand > 0.0 {
            clean(patients_served / patients_demand)
        } else {
            1.0
        },
        batches,
        sites_open: first.sites_open,
        owned: first.owned,
        franchise: first.franchise,
        platforms: first.platforms,
        mean_vein_to_vein_days: (batches > 0.0).then(|| clean(v2v_weight / batches)),
        max_vein_to_vein_days: max_v2v,
        cost_per_patient: (patients_served > 0.0)
            .then(|| cents((cost.total - cost.unmet_penalty) / patients_served)),
    }
}

/// The design's sites with their expected batches and utilization.
pub fn expected_sites(scenarios: &[ScenarioPlan]) -> Vec<SitePlan> {
    let mut sites = scenarios[0].sites.clone();
    for (i, site) in sites.iter_mut().enumerate() {
        site.batches = clean(
            scenarios
                .iter()
                .map(|s| s.probability * s.sites[i].batches)
                .sum(),
        );
        site.utilization = clean(
            scenarios
                .iter()
                .map(|s| s.probability * s.sites[i].utilization)
                .sum(),
        );
    }
    sites
}
