//! The demand left unserved in one year, each with the reason it is not served.

use crate::explain::{self, Reason};
use crate::input::{Instance, Scenario};
use crate::model::{PointValues, Vars};
use crate::network::Network;
use serde::Serialize;

/// A hospital or site within this of its limit counts as full (solver noise).
const FULL_SLACK: f64 = 1e-6;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unserved {
    pub year: u32,
    pub demand: String,
    pub patients: f64,
    pub reason: String,
}

/// The unserved demand points of `year` (1-based) and why: a structural reason when the data
/// rules them out, else full hospitals, else full sites, else the penalty is cheaper.
pub fn unserved(
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
    year: u32,
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
    let load = Load::new(instance, network, vars, value, points);
    unserved
        .into_iter()
        .map(|(d, patients)| {
            let reason = structural[d].clone().unwrap_or_else(|| {
                load.reason(instance, network, d).unwrap_or(Reason::Cost {
                    penalty: scenario.demand.unserved_penalty,
                })
            });
            Unserved {
                year,
                demand: instance.demand[d].id.clone(),
                patients,
                reason: reason.to_string(),
            }
        })
        .collect()
}

/// How loaded the hospitals and sites are in the year's flows.
struct Load {
    /// Patients a year into each hospital.
    inflow: Vec<f64>,
    /// The hospitals each demand point reaches.
    reach: Vec<Vec<usize>>,
    /// The sites each hospital ships to.
    sites_of: Vec<Vec<usize>>,
    /// Batches a year made at each site.
    made: Vec<f64>,
}

impl Load {
    fn new(
        instance: &Instance,
        network: &Network,
        vars: &Vars,
        value: &[f64],
        points: &PointValues,
    ) -> Load {
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
        let made = (0..instance.sites.len())
            .map(|s| vars.batches[s].iter().flatten().map(|b| value[b.col]).sum())
            .collect();
        Load {
            inflow,
            reach,
            sites_of,
            made,
        }
    }

    /// Full hospitals or full sites in the way of demand point `d`, if that is why.
    fn reason(&self, instance: &Instance, network: &Network, d: usize) -> Option<Reason> {
        let usable: Vec<usize> = self.reach[d]
            .iter()
            .copied()
            .filter(|&h| !self.sites_of[h].is_empty())
            .collect();
        let full = |h: usize| {
            instance.hospitals[h]
                .max_patients
                .is_some_and(|cap| self.inflow[h] >= cap - FULL_SLACK)
        };
        if usable.iter().all(|&h| full(h)) {
            return Some(Reason::HospitalCapacity {
                full: usable
                    .iter()
                    .map(|&h| {
                        let hospital = &instance.hospitals[h];
                        (hospital.id.clone(), hospital.max_patients.unwrap())
                    })
                    .collect(),
            });
        }
        let mut site_ids: Vec<usize> = usable
            .iter()
            .flat_map(|&h| self.sites_of[h].iter().copied())
            .collect();
        site_ids.sort_unstable();
        site_ids.dedup();
        let at_limit = |s: usize| self.made[s] >= network.terms[s].capacity() - FULL_SLACK;
        if !site_ids.is_empty() && site_ids.iter().all(|&s| at_limit(s)) {
            return Some(Reason::SiteCapacity {
                full: site_ids
                    .iter()
                    .map(|&s| instance.sites[s].id.clone())
                    .collect(),
            });
        }
        None
    }
}
