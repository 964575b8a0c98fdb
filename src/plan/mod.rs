//! The plan (DESIGN §7): decisions, flows, cost lines and KPIs, computed from a solution.
//! Values are cleaned of solver noise and rounded so the same input gives the same bytes.

mod cost;
mod decisions;
mod flows;
mod kpis;
mod round;
pub mod scenarios;
mod unserved;
mod years;

pub use cost::Cost;
pub use decisions::{SitePlan, SiteStatus};
pub use flows::{BatchFlow, PatientFlow};
pub use kpis::Kpis;
pub use round::{cents as round_cents, clean, millis, round_to};
pub use scenarios::{RegretRow, RelaxationBound, RiskMeasures, ScenarioPlan, Stochastic};
pub use unserved::Unserved;
pub use years::YearPlan;

use crate::input::{Instance, Scenario};
use crate::model::ModelInfo;
use crate::network::Network;
use crate::solve::{LagrangianSummary, Solution, Status};
use round::cents;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub cartnet_version: String,
    pub instance: InstanceInfo,
    pub scenario: serde_json::Value,
    pub solver: SolverInfo,
    pub cost: Cost,
    pub kpis: Kpis,
    pub sites: Vec<SitePlan>,
    pub patient_flows: Vec<PatientFlow>,
    pub batch_flows: Vec<BatchFlow>,
    pub unserved: Vec<Unserved>,
    /// Year by year, for a horizon of more than one year (`horizon.years`); empty (and left
    /// out of plan.json) for the single-year model. With a horizon, `cost` is the net present
    /// value of the years' costs, and `kpis` and `sites` describe the final year.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<YearPlan>,
    /// A two-stage plan (§10): the measures and the regret table; its `cost`, `kpis` and
    /// `sites` are then expectations over `scenarios`, and the flows are per scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stochastic: Option<Stochastic>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<ScenarioPlan>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceInfo {
    pub data: String,
    pub model: String,
    /// The digest of the data files the plan was made from ([`crate::input::digest`]); set by
    /// the commands that read them, absent for a plan made from an instance in memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counts {
    pub demand_points: usize,
    pub hospitals: usize,
    pub sites: usize,
    pub patient_arcs: usize,
    pub cell_arcs: usize,
    /// Groups of interchangeable demand points (same hospitals, costs and growth) the model
    /// solves for, each with one demand row; the flows are reported per demand point.
    pub demand_groups: usize,
    pub variables: usize,
    pub constraints: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolverInfo {
    pub status: Status,
    pub objective: Option<f64>,
    pub best_bound: Option<f64>,
    pub gap: Option<f64>,
    pub seconds: f64,
    /// What the Lagrangian relaxation did before branch and bound, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lagrangian: Option<LagrangianSummary>,
}

impl InstanceInfo {
    fn new(network: &Network, formulation: &ModelInfo, provenance: Provenance<'_>) -> Self {
        let size = network.size();
        InstanceInfo {
            data: provenance.data.to_string(),
            model: provenance.model.to_string(),
            digest: None,
            counts: Counts {
                demand_points: size.demand_points,
                hospitals: size.hospitals,
                sites: size.sites,
                patient_arcs: size.patient_arcs,
                cell_arcs: size.cell_arcs,
                demand_groups: formulation.groups.len(),
                variables: formulation.columns,
                constraints: formulation.rows,
            },
        }
    }
}

impl SolverInfo {
    /// The solver's figures, money to the cent and times to the millisecond.
    pub fn new(solution: &Solution) -> Self {
        SolverInfo {
            status: solution.status,
            objective: solution.objective.map(cents),
            best_bound: solution.best_bound.map(cents),
            gap: solution.gap.map(clean),
            seconds: millis(solution.seconds),
            lagrangian: solution.lagrangian.clone().map(|l| LagrangianSummary {
                bound: cents(l.bound),
                best_plan: l.best_plan.map(cents),
                seconds: millis(l.seconds),
                ..l
            }),
        }
    }
}

/// Where the instance and scenario came from, for the plan's header.
pub struct Provenance<'a> {
    pub data: &'a str,
    pub model: &'a str,
}

impl Plan {
    /// Builds the plan from a solution with a feasible point: the decisions first (they fix
    /// the open and platform columns), then the costs from the final columns, then each year's
    /// flows and KPIs; the plan's own KPIs and sites are the final year's.
    pub fn new(
        instance: &Instance,
        scenario: &Scenario,
        network: &Network,
        formulation: &ModelInfo,
        solution: &Solution,
        provenance: Provenance<'_>,
    ) -> Plan {
        let raw = &solution.values;
        let mut value: Vec<f64> = (0..formulation.columns)
            .map(|c| clean(raw.get(c).copied().unwrap_or(0.0)))
            .collect();
        let mut decisions =
            decisions::assign(instance, scenario, network, formulation, raw, &mut value);
        // Upfront setup: the opening columns follow the final open decisions.
        formulation.set_openings(&mut value);
        let costs = cost::costs(formulation, &value);
        let built = years::years(
            instance,
            scenario,
            network,
            formulation,
            &value,
            &decisions,
            &costs,
        );
        let multi = formulation.years.len() > 1;
        let kpis = built
            .years
            .last()
            .expect("a horizon has a year")
            .kpis
            .clone();
        let mut sites = decisions.years.pop().expect("a horizon has a year");
        if multi {
            for (site, o) in sites.iter_mut().zip(&decisions.opened) {
                site.opened_year = *o;
            }
        }
        Plan {
            cartnet_version: env!("CARGO_PKG_VERSION").to_string(),
            instance: InstanceInfo::new(network, formulation, provenance),
            scenario: scenario.to_json(),
            solver: SolverInfo::new(solution),
            cost: costs.npv,
            kpis,
            sites,
            patient_flows: built.patient_flows,
            batch_flows: built.batch_flows,
            unserved: built.unserved,
            years: if multi { built.years } else { Vec::new() },
            stochastic: None,
            scenarios: Vec::new(),
        }
    }

    /// The horizon's years: `years` for a multi-year plan, else the one year the plan is.
    pub fn year_count(&self) -> u32 {
        self.years.len().max(1) as u32
    }

    /// Each year's sites, with the year: the plan's own sites for a single-year plan.
    pub fn site_years(&self) -> Vec<(u32, &[SitePlan])> {
        if self.years.is_empty() {
            vec![(1, &self.sites[..])]
        } else {
            self.years.iter().map(|y| (y.year, &y.sites[..])).collect()
        }
    }
}
