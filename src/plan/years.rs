//! The plan's years: flows, unserved demand and KPIs of each horizon year.

use super::cost::{Cost, Costs};
use super::decisions::{Decisions, SitePlan};
use super::flows::{BatchFlow, PatientFlow, batch_flows, patient_flows};
use super::kpis::{Kpis, kpis};
use super::round::clean;
use super::unserved::{Unserved, unserved};
use crate::input::{Instance, Scenario};
use crate::model::ModelInfo;
use crate::network::Network;
use serde::Serialize;

/// One year of a multi-year plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearPlan {
    pub year: u32,
    /// The weight of this year's cost in the net present value, 1 / (1 + rate)^(year - 1).
    pub discount_factor: f64,
    /// Sites that start producing this year.
    pub opened: Vec<String>,
    /// This year's cost, undiscounted (USD).
    pub cost: Cost,
    pub kpis: Kpis,
    /// Every site this year (closed: not producing yet, or never).
    pub sites: Vec<SitePlan>,
}

/// The flows of every year, in year order, and each year's summary.
pub struct Years {
    pub patient_flows: Vec<PatientFlow>,
    pub batch_flows: Vec<BatchFlow>,
    pub unserved: Vec<Unserved>,
    pub years: Vec<YearPlan>,
}

/// Each year's flows, unserved demand, KPIs and the sites it opens, from the final `value`s.
pub fn years(
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
    formulation: &ModelInfo,
    value: &[f64],
    decisions: &Decisions,
    costs: &Costs,
) -> Years {
    let mut out = Years {
        patient_flows: Vec::new(),
        batch_flows: Vec::new(),
        unserved: Vec::new(),
        years: Vec::with_capacity(formulation.years.len()),
    };
    for (year, vars) in formulation.years.iter().enumerate() {
        let label = year as u32 + 1;
        let points = formulation.point_values(year, value);
        let flows = patient_flows(instance, network, label, &points);
        let batches = batch_flows(instance, network, label, vars, value);
        let kpis = kpis(
            clean(vars.patients_demand.iter().sum()),
            clean(vars.patients_in_vivo),
            &flows,
            &batches,
            &decisions.years[year],
            &costs.years[year],
        );
        let opened = (decisions.opened.iter().enumerate())
            .filter(|(_, o)| **o == Some(label))
            .map(|(s, _)| instance.sites[s].id.clone())
            .collect();
        out.unserved.extend(unserved(
            instance, scenario, network, label, vars, value, &points,
        ));
        out.patient_flows.extend(flows);
        out.batch_flows.extend(batches);
        out.years.push(YearPlan {
            year: label,
            discount_factor: clean(formulation.discount[year]),
            opened,
            cost: costs.years[year].clone(),
            kpis,
            sites: decisions.years[year].clone(),
        });
    }
    out
}
