//! A year's KPIs, recomputed from its flows and sites.

use super::Check;
use super::batches::BatchTally;
use super::checker::{Checker, cost_differs, n, unbalanced};
use super::patients::PatientTally;
use super::sites::SiteTally;
use super::year::YearInput;

/// Patients below this are the solver's rounding: no patients served, no cost per patient.
const PATIENT_NOISE: f64 = 1e-6;

/// How a KPI is compared: as a count or a balance, or as money.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Count,
    Money,
}

/// The KPI `key` of the year against `expected` (`None`: the KPI is null).
fn kpi(c: &mut Checker, y: &YearInput<'_>, key: &str, expected: Option<f64>, kind: Kind) {
    let path = format!("{}.{key}", y.kpis_path);
    let Some(got) = c.opt_num(&y.kpis[key], &path) else {
        return;
    };
    let bad = match (got, expected) {
        (Some(g), Some(e)) => match kind {
            Kind::Money => cost_differs(g, e, 0.0),
            Kind::Count => unbalanced(g, e),
        },
        (None, None) => false,
        _ => true,
    };
    if bad {
        let show = |v: Option<f64>| v.map_or("null".to_string(), n);
        c.add(
            Check::Kpi,
            format!(
                "{path}: the plan says {}, recomputed {}",
                show(got),
                show(expected)
            ),
        );
    }
}

/// The year's KPIs: patients, coverage, batches, sites, platforms, vein-to-vein days and the
/// cost per patient served.
pub(super) fn kpis(
    c: &mut Checker,
    y: &YearInput<'_>,
    patients: &PatientTally,
    batches: &BatchTally,
    sites: &SiteTally,
) {
    use Kind::Count;
    let patients_demand: f64 = y.demand.ex_vivo.iter().sum();
    let patients_served: f64 = patients.served.iter().sum();
    kpi(c, y, "patients_demand", Some(patients_demand), Count);
    // a plan made before in vivo patients were modelled may lack the KPI
    if !y.kpis["patients_in_vivo"].is_null() || y.demand.in_vivo > PATIENT_NOISE {
        kpi(c, y, "patients_in_vivo", Some(y.demand.in_vivo), Count);
    }
    kpi(c, y, "patients_served", Some(patients_served), Count);
    let coverage = if patients_demand > 0.0 {
        patients_served / patients_demand
    } else {
        1.0
    };
    kpi(c, y, "coverage", Some(coverage), Count);
    let total = batches.batches_total;
    kpi(c, y, "batches", Some(total), Count);
    kpi(c, y, "sites_open", Some(sites.open as f64), Count);
    kpi(c, y, "owned", Some(sites.owned as f64), Count);
    kpi(c, y, "franchise", Some(sites.franchise as f64), Count);
    kpi(c, y, "platforms", Some(sites.platforms_total), Count);
    let mean_v2v = (total > 0.0).then(|| batches.v2v_weight / total);
    kpi(c, y, "mean_vein_to_vein_days", mean_v2v, Count);
    kpi(c, y, "max_vein_to_vein_days", batches.v2v_max, Count);
    // against the plan's own cost of the year (its lines are checked on their own)
    let plan_cost = |key: &str| y.cost[key].as_f64().filter(|x| x.is_finite());
    let penalty_line = plan_cost("unmet_penalty").unwrap_or(0.0);
    let per_patient = match plan_cost("total") {
        Some(t) if patients_served > PATIENT_NOISE => Some((t - penalty_line) / patients_served),
        _ => None,
    };
    if patients_served > PATIENT_NOISE || y.kpis["cost_per_patient"].is_null() {
        kpi(c, y, "cost_per_patient", per_patient, Kind::Money);
    }
}
