//! The plan (DESIGN §7): decisions, flows, cost lines and KPIs, computed from a solution.
//! Values are cleaned of solver noise and rounded so the same input gives the same bytes.

use crate::explain::{self, Reason};
use crate::input::{Instance, OpModel, Scenario};
use crate::model::{ModelInfo, PointValues, Vars};
use crate::network::Network;
use crate::solve::{Solution, Status};
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
}

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
    pub lagrangian: Option<crate::solve::LagrangianSummary>,
}

/// USD per year.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Cost {
    pub total: f64,
    pub setup: f64,
    pub fixed: f64,
    pub platforms: f64,
    pub batches: f64,
    pub transport: f64,
    pub patient_travel: f64,
    pub unmet_penalty: f64,
}

impl Cost {
    /// The cost from its lines in [`CostLine`] order, each rounded to the cent.
    fn from_lines(lines: [f64; 7]) -> Cost {
        let [
            setup,
            fixed,
            platforms,
            batches,
            transport,
            patient_travel,
            unmet_penalty,
        ] = lines.map(cents);
        Cost {
            total: cents(
                setup + fixed + platforms + batches + transport + patient_travel + unmet_penalty,
            ),
            setup,
            fixed,
            platforms,
            batches,
            transport,
            patient_travel,
            unmet_penalty,
        }
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteStatus {
    Owned,
    Franchise,
    Closed,
}

impl SiteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteStatus::Owned => "owned",
            SiteStatus::Franchise => "franchise",
            SiteStatus::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SitePlan {
    pub id: String,
    pub status: SiteStatus,
    pub platforms: u32,
    pub batches: f64,
    /// Batches over platform capacity installed (0 when closed).
    pub utilization: f64,
    /// The first year the site produces (multi-year plans only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opened_year: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientFlow {
    /// The horizon year (1 for the single-year model).
    pub year: u32,
    pub demand: String,
    pub hospital: String,
    pub patients: f64,
    /// One-way travel hours.
    pub hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchFlow {
    pub year: u32,
    pub hospital: String,
    pub site: String,
    pub batches: f64,
    /// Hours of the fresh material's trip from hospital to site.
    pub transit_hours: f64,
    pub vein_to_vein_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unserved {
    pub year: u32,
    pub demand: String,
    pub patients: f64,
    pub reason: String,
}

/// Rounds to 6 decimals and clears solver noise, so plans compare byte for byte.
pub fn clean(v: f64) -> f64 {
    let r = (v * 1e6).round() / 1e6;
    if r == 0.0 { 0.0 } else { r }
}

/// Rounds money to the cent.
fn cents(v: f64) -> f64 {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 { 0.0 } else { r }
}

/// Where the instance and scenario came from, for the plan's header.
pub struct Provenance<'a> {
    pub data: &'a str,
    pub model: &'a str,
}

impl Plan {
    /// Builds the plan from a solution with a feasible point.
    pub fn new(
        instance: &Instance,
        scenario: &Scenario,
        network: &Network,
        formulation: &ModelInfo,
        solution: &Solution,
        provenance: Provenance<'_>,
    ) -> Plan {
        let raw = |col: usize| solution.values.get(col).copied().unwrap_or(0.0);
        let mut value: Vec<f64> = (0..formulation.columns).map(|c| clean(raw(c))).collect();
        let n_years = formulation.years.len();
        let multi = n_years > 1;
        let keep_platforms = !scenario.horizon.platform_removal;

        // Decisions, year by year: status, and the fewest platforms that carry each site's
        // batches (never fewer than the year before when platforms are only added).
        let mut site_years: Vec<Vec<SitePlan>> = Vec::with_capacity(n_years);
        let mut before = vec![[0.0f64; 2]; instance.sites.len()];
        let mut opened: Vec<Option<u32>> = vec![None; instance.sites.len()];
        for (year, vars) in formulation.years.iter().enumerate() {
            let mut sites = Vec::new();
            for (s, site) in instance.sites.iter().enumerate() {
                let t = &network.terms[s];
                let mut status = SiteStatus::Closed;
                let mut platforms = 0;
                let mut batches = 0.0;
                for m in OpModel::ALL {
                    let k = m as usize;
                    let (Some(y), Some(n), Some(b)) =
                        (vars.open[s][k], vars.platforms[s][k], vars.batches[s][k])
                    else {
                        continue;
                    };
                    let open = raw(y.col) > 0.5;
                    value[y.col] = if open { 1.0 } else { 0.0 };
                    let made = value[b.col].max(0.0);
                    let solver_n = raw(n.col).round().max(0.0);
                    let mut needed = ((made / t.batches_per_platform) - 1e-6).ceil().max(0.0);
                    if keep_platforms {
                        needed = needed.max(before[s][k]);
                    }
                    let n_final = if open { solver_n.min(needed) } else { 0.0 };
                    value[n.col] = n_final;
                    before[s][k] = n_final;
                    if open {
                        status = match m {
                            OpModel::Owned => SiteStatus::Owned,
                            OpModel::Franchise => SiteStatus::Franchise,
                        };
                        platforms = n_final as u32;
                        batches = made;
                    }
                }
                if status != SiteStatus::Closed && opened[s].is_none() {
                    opened[s] = Some(year as u32 + 1);
                }
                let utilization = if platforms > 0 {
                    clean(batches / (platforms as f64 * t.batches_per_platform))
                } else {
                    0.0
                };
                sites.push(SitePlan {
                    id: site.id.clone(),
                    status,
                    platforms,
                    batches,
                    utilization,
                    opened_year: None,
                });
            }
            site_years.push(sites);
        }
        // Upfront setup: the opening columns follow the final open decisions.
        formulation.set_openings(&mut value);

        // Cost lines from the final values, per year; they sum to the total.
        let mut lines = vec![[0.0f64; 7]; n_years];
        for term in &formulation.cost_terms {
            lines[term.year][term.line as usize] += term.coef * value[term.col];
        }
        let year_costs: Vec<Cost> = lines.iter().map(|l| Cost::from_lines(*l)).collect();
        let mut npv_lines = [0.0f64; 7];
        for (t, l) in lines.iter().enumerate() {
            for (acc, v) in npv_lines.iter_mut().zip(l) {
                *acc += formulation.discount[t] * v;
            }
        }
        let cost = Cost::from_lines(npv_lines);

        let mut patient_flows = Vec::new();
        let mut batch_flows = Vec::new();
        let mut unserved = Vec::new();
        let mut years = Vec::with_capacity(n_years);
        for (year, vars) in formulation.years.iter().enumerate() {
            let label = year as u32 + 1;
            let points = formulation.point_values(year, &value);
            let flows: Vec<PatientFlow> = network
                .patient_arcs()
                .enumerate()
                .filter(|(a, _)| points.patients[*a] > 0.0)
                .map(|(a, arc)| PatientFlow {
                    year: label,
                    demand: instance.demand[arc.demand].id.clone(),
                    hospital: instance.hospitals[arc.hospital].id.clone(),
                    patients: points.patients[a],
                    hours: clean(arc.hours),
                })
                .collect();
            let batches: Vec<BatchFlow> = network
                .cell_arcs()
                .enumerate()
                .filter(|(c, _)| value[vars.shipments[*c].col] > 0.0)
                .map(|(c, arc)| BatchFlow {
                    year: label,
                    hospital: instance.hospitals[arc.hospital].id.clone(),
                    site: instance.sites[arc.site].id.clone(),
                    batches: value[vars.shipments[c].col],
                    transit_hours: clean(arc.out.hours),
                    vein_to_vein_days: clean(arc.vein_to_vein_days),
                })
                .collect();
            let kpis = kpis(
                clean(vars.patients_demand.iter().sum()),
                clean(vars.patients_in_vivo),
                &flows,
                &batches,
                &site_years[year],
                &year_costs[year],
            );
            let newly: Vec<String> = opened
                .iter()
                .enumerate()
                .filter(|(_, o)| **o == Some(label))
                .map(|(s, _)| instance.sites[s].id.clone())
                .collect();
            let mut u = explain_unserved(instance, scenario, network, vars, &value, &points);
            for x in &mut u {
                x.year = label;
            }
            unserved.extend(u);
            patient_flows.extend(flows);
            batch_flows.extend(batches);
            years.push(YearPlan {
                year: label,
                discount_factor: clean(formulation.discount[year]),
                opened: newly,
                cost: year_costs[year].clone(),
                kpis,
                sites: site_years[year].clone(),
            });
        }
        let last = years.last().expect("a horizon has a year");
        let kpis = last.kpis.clone();
        let mut sites = site_years.pop().expect("a horizon has a year");
        if multi {
            for (site, o) in sites.iter_mut().zip(&opened) {
                site.opened_year = *o;
            }
        }
        let size = network.size();
        Plan {
            cartnet_version: env!("CARGO_PKG_VERSION").to_string(),
            instance: InstanceInfo {
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
            },
            scenario: scenario.to_json(),
            solver: SolverInfo {
                status: solution.status,
                objective: solution.objective.map(cents),
                best_bound: solution.best_bound.map(cents),
                gap: solution.gap.map(clean),
                seconds: (solution.seconds * 1000.0).round() / 1000.0,
                lagrangian: solution
                    .lagrangian
                    .clone()
                    .map(|l| crate::solve::LagrangianSummary {
                        bound: cents(l.bound),
                        best_plan: l.best_plan.map(cents),
                        seconds: (l.seconds * 1000.0).round() / 1000.0,
                        ..l
                    }),
            },
            cost,
            kpis,
            sites,
            patient_flows,
            batch_flows,
            unserved,
            years: if multi { years } else { Vec::new() },
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

/// One year's KPIs from its flows, sites and cost.
fn kpis(
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
        owned: open
            .iter()
            .filter(|s| s.status == SiteStatus::Owned)
            .count(),
        franchise: open
            .iter()
            .filter(|s| s.status == SiteStatus::Franchise)
            .count(),
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

fn explain_unserved(
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
    vars: &Vars,
    value: &[f64],
    points: &PointValues,
) -> Vec<Unserved> {
    let unserved: Vec<(usize, f64)> = points
        .unserved
        .iter()
        .enumerate()
        .filter_map(|(d, u)| u.map(|u| (d, u)))
        .filter(|(_, p)| *p > 0.0)
        .collect();
    if unserved.is_empty() {
        return Vec::new();
    }
    let structural = explain::structural(instance, scenario, network);
    let mut inflow = vec![0.0; instance.hospitals.len()];
    let mut reach = vec![Vec::new(); instance.demand.len()];
    for (a, arc) in network.patient_arcs().enumerate() {
        inflow[arc.hospital] += points.patients[a];
        reach[arc.demand].push(arc.hospital);
    }
    let mut sites_of = vec![Vec::new(); instance.hospitals.len()];
    for arc in network.cell_arcs() {
        sites_of[arc.hospital].push(arc.site);
    }
    let made: Vec<f64> = (0..instance.sites.len())
        .map(|s| vars.batches[s].iter().flatten().map(|b| value[b.col]).sum())
        .collect();
    unserved
        .into_iter()
        .map(|(d, patients)| {
            let reason = structural[d].clone().unwrap_or_else(|| {
                let usable: Vec<usize> = reach[d]
                    .iter()
                    .copied()
                    .filter(|&h| !sites_of[h].is_empty())
                    .collect();
                let full = |h: usize| {
                    instance.hospitals[h]
                        .max_patients
                        .is_some_and(|cap| inflow[h] >= cap - 1e-6)
                };
                if usable.iter().all(|&h| full(h)) {
                    return Reason::HospitalCapacity {
                        full: usable
                            .iter()
                            .map(|&h| {
                                (
                                    instance.hospitals[h].id.clone(),
                                    instance.hospitals[h].max_patients.unwrap(),
                                )
                            })
                            .collect(),
                    };
                }
                let mut site_ids: Vec<usize> = usable
                    .iter()
                    .flat_map(|&h| sites_of[h].iter().copied())
                    .collect();
                site_ids.sort_unstable();
                site_ids.dedup();
                let at_limit = |s: usize| made[s] >= network.terms[s].capacity() - 1e-6;
                if !site_ids.is_empty() && site_ids.iter().all(|&s| at_limit(s)) {
                    return Reason::SiteCapacity {
                        full: site_ids
                            .iter()
                            .map(|&s| instance.sites[s].id.clone())
                            .collect(),
                    };
                }
                Reason::Cost {
                    penalty: scenario.demand.unserved_penalty,
                }
            });
            Unserved {
                year: 1,
                demand: instance.demand[d].id.clone(),
                patients,
                reason: reason.to_string(),
            }
        })
        .collect()
}
