//! One year's key figures, from its flows, sites and cost.

use super::cost::Cost;
use super::decisions::{SitePlan, SiteStatus};
use super::flows::{BatchFlow, PatientFlow};
use super::round::{cents, clean};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    /// Patients needing a manufactured (ex vivo) batch.
    pub patients_demand: f64,
    /// Patients treated with in vivo CAR-T, without a batch (`demand.in_vivo_share`).
    pub patients_in_vivo: f64,
    pub patients_served: f64,
    pub coverage: f64,
    pub batches: f64,
    pub sites_open: usize,
    pub owned: usize,
    pub franchise: usize,
    pub platforms: u32,
    pub mean_vein_to_vein_days: Option<f64>,
    pub max_vein_to_vein_days: Option<f64>,
    /// Cost per patient served (USD per year over patients a year), the penalty excluded.
    pub cost_per_patient: Option<f64>,
}

/// One year's KPIs from its flows, sites and cost.
pub fn kpis(
    patients_demand: f64,
    patients_in_vivo: f64,
    patient_flows: &[PatientFlow],
    batch_flows: &[BatchFlow],
    sites: &[SitePlan],
    cost: &Cost,
) -> Kpis {
    let patients_served = clean(patient_flows.iter().map(|f| f.patients).sum());
    let batches = clean(batch_flows.iter().map(|f| f.batches).sum());
    let open: Vec<&SitePlan> = sites
        .iter()
        .filter(|s| s.status != SiteStatus::Closed)
        .collect();
    let count = |status: SiteStatus| open.iter().filter(|s| s.status == status).count();
    let v2v_weight: f64 = batch_flows
        .iter()
        .map(|f| f.batches * f.vein_to_vein_days)
        .sum();
    Kpis {
        patients_demand,
        patients_in_vivo,
        patients_served,
        coverage: if patients_demand > 0.0 {
            clean(patients_served / patients_demand)
        } else {
            1.0
        },
        batches,
        sites_open: open.len(),
        owned: count(SiteStatus::Owned),
        franchise: count(SiteStatus::Franchise),
        platforms: open.iter().map(|s| s.platforms).sum(),
        mean_vein_to_vein_days: (batches > 0.0).then(|| clean(v2v_weight / batches)),
        max_vein_to_vein_days: batch_flows
            .iter()
            .map(|f| f.vein_to_vein_days)
            .reduce(f64::max),
        cost_per_patient: (patients_served > 0.0)
            .then(|| cents((cost.total - cost.unmet_penalty) / patients_served)),
    }
}
