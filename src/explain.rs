//! Why demand goes unserved: no hospital within the travel limit, no site within the
//! vein-to-vein limit from any reachable hospital, hospital capacity, site capacity, or cost.

use crate::input::Instance;
use crate::input::Scenario;
use crate::network::{LaneMap, Network, travel};
use crate::text::usd;
use std::fmt;

/// The reason a demand point is (or may be) left unserved.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// No hospital within the patient travel limit.
    NoHospitalInReach {
        limit_hours: f64,
        nearest: Option<(String, f64)>,
    },
    /// Every reachable hospital lacks a site within the vein-to-vein / fresh-transit limits.
    NoSiteInReach {
        hospitals: Vec<String>,
        /// The best vein-to-vein days over all sites from those hospitals, and the pair.
        best: Option<(String, String, f64)>,
    },
    /// Every reachable hospital is at its capacity.
    HospitalCapacity { full: Vec<(String, f64)> },
    /// Every site that reachable hospitals can use is at its platform limit.
    SiteCapacity { full: Vec<String> },
    /// Serving costs more than the unserved penalty.
    Cost { penalty: f64 },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoHospitalInReach {
                limit_hours,
                nearest,
            } => {
                write!(f, "no hospital within the {limit_hours} h travel limit")?;
                if let Some((name, hours)) = nearest {
                    write!(f, "; the nearest is {name} at {hours:.1} h")?;
                }
                Ok(())
            }
            Reason::NoSiteInReach { hospitals, best } => {
                write!(
                    f,
                    "no manufacturing site within the vein-to-vein and fresh-transit limits of any reachable hospital ({})",
                    hospitals.join(", ")
                )?;
                if let Some((h, s, days)) = best {
                    write!(f, "; the closest in time is {s} from {h} at {days:.1} days")?;
                }
                Ok(())
            }
            Reason::HospitalCapacity { full } => {
                let list: Vec<String> = full
                    .iter()
                    .map(|(h, cap)| format!("{h} ({cap} patients/year)"))
                    .collect();
                write!(
                    f,
                    "hospital capacity: every reachable hospital is full: {}",
                    list.join(", ")
                )
            }
            Reason::SiteCapacity { full } => {
                write!(
                    f,
                    "site capacity: every usable site is at its platform limit: {}",
                    full.join(", ")
                )
            }
            Reason::Cost { penalty } => write!(
                f,
                "cost: serving these patients costs more than the unserved penalty of {} per patient",
                usd(*penalty)
            ),
        }
    }
}

/// Reasons that hold before solving, from the network alone: one entry per demand point.
pub fn structural(
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
) -> Vec<Option<Reason>> {
    let mut reach = vec![Vec::new(); instance.demand.len()];
    for arc in network.patient_arcs() {
        reach[arc.demand].push(arc.hospital);
    }
    let mut hospital_has_site = vec![false; instance.hospitals.len()];
    for arc in network.cell_arcs() {
        hospital_has_site[arc.hospital] = true;
    }
    let label = |h: usize| hospital_label(instance, h);
    let lanes = crate::network::lane_map(instance);
    reach
        .iter()
        .enumerate()
        .map(|(d, hospitals)| {
            let dp = &instance.demand[d];
            if dp.patients == 0.0 {
                return None;
            }
            if hospitals.is_empty() {
                let nearest = nearest_hospital(instance, scenario, d);
                return Some(Reason::NoHospitalInReach {
                    limit_hours: scenario.time.max_patient_travel_hours,
                    nearest: nearest.map(|(h, hours)| (label(h), hours)),
                });
            }
            if hospitals.iter().all(|&h| !hospital_has_site[h]) {
                let best = nearest_site(instance, scenario, network, &lanes, hospitals);
                return Some(Reason::NoSiteInReach {
                    hospitals: hospitals.iter().map(|&h| label(h)).collect(),
                    best: best.map(|(h, s, days)| (label(h), instance.sites[s].id.clone(), days)),
                });
            }
            None
        })
        .collect()
}

/// A hospital by its name and id (its id alone when they are the same).
fn hospital_label(instance: &Instance, h: usize) -> String {
    let hp = &instance.hospitals[h];
    if hp.name == hp.id {
        hp.id.clone()
    } else {
        format!("{} ({})", hp.name, hp.id)
    }
}

/// The hospital nearest demand point `d` in patient travel hours, with those hours.
fn nearest_hospital(instance: &Instance, scenario: &Scenario, d: usize) -> Option<(usize, f64)> {
    let dp = &instance.demand[d];
    instance
        .hospitals
        .iter()
        .enumerate()
        .map(|(h, hp)| {
            let km = travel::great_circle_km(dp.lat, dp.lon, hp.lat, hp.lon);
            (h, travel::patient_hours(km, &scenario.transport))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// Of `hospitals` and every site, the pair of the shortest vein-to-vein time: (hospital,
/// site, days).
fn nearest_site(
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
    lanes: &LaneMap,
    hospitals: &[usize],
) -> Option<(usize, usize, f64)> {
    let mut best: Option<(usize, usize, f64)> = None;
    for &h in hospitals {
        for (s, t) in network.terms.iter().enumerate() {
            let (_, out, back) = crate::network::legs(instance, scenario, lanes, h, s);
            let days = (out.hours + back.hours) / 24.0 + t.manufacturing_days + t.release_days;
            if best.is_none_or(|b| days < b.2) {
                best = Some((h, s, days));
            }
        }
    }
    best
}

/// Why a model is infeasible: what can be found from the data and the policy rows.
pub fn infeasible(instance: &Instance, scenario: &Scenario, network: &Network) -> Vec<String> {
    let mut reasons = Vec::new();
    if scenario.demand.full_coverage {
        reasons.extend(coverage_reasons(instance, scenario, network));
    }
    let usable = network.terms.len();
    let existing = network.terms.iter().filter(|t| t.existing).count();
    let p = &scenario.policy;
    if p.min_sites as usize > usable {
        reasons.push(format!(
            "policy.min_sites = {} but there are only {usable} candidate sites",
            p.min_sites
        ));
    }
    if p.max_sites >= 0 && (p.max_sites as usize) < existing {
        reasons.push(format!(
            "policy.max_sites = {} but {existing} existing sites must stay open",
            p.max_sites
        ));
    }
    if reasons.is_empty() {
        reasons.push(
            "no plan satisfies the capacities and policy rows together (demand.full_coverage, policy.min_sites, \
             max_sites, max_franchise_share, min_utilization, single_sourcing); relax one of them, or solve without \
             demand.full_coverage to see which demand goes unserved and why"
                .to_string(),
        );
    }
    reasons
}

/// Why full coverage cannot hold: demand no site can serve, demand beyond the capacity of the
/// hospitals it reaches, and demand beyond every site's capacity.
fn coverage_reasons(instance: &Instance, scenario: &Scenario, network: &Network) -> Vec<String> {
    let mut reasons = Vec::new();
    for (d, r) in structural(instance, scenario, network)
        .into_iter()
        .enumerate()
    {
        if let Some(r) = r {
            reasons.push(format!(
                "demand {} cannot be served under full coverage: {r}",
                instance.demand[d].id
            ));
        }
    }
    // Capacity: the hospitals a point reaches cannot take its patients even alone.
    let mut reach_cap = vec![0.0; instance.demand.len()];
    let mut unlimited = vec![false; instance.demand.len()];
    for arc in network.patient_arcs() {
        match instance.hospitals[arc.hospital].max_patients {
            Some(c) => reach_cap[arc.demand] += c,
            None => unlimited[arc.demand] = true,
        }
    }
    for (d, dp) in instance.demand.iter().enumerate() {
        if !unlimited[d] && reach_cap[d] > 0.0 && reach_cap[d] < dp.patients {
            reasons.push(format!(
                "demand {} cannot be served under full coverage: hospital capacity: its {} patients a year exceed the {} the reachable hospitals can treat",
                dp.id, dp.patients, reach_cap[d]
            ));
        }
    }
    let total: f64 = instance.total_patients();
    let beta_capacity: f64 = network
        .terms
        .iter()
        .map(|t| t.capacity() * (1.0 - t.failure_rate))
        .sum();
    if beta_capacity < total {
        reasons.push(format!(
            "site capacity: all candidate sites at their platform limits treat {beta_capacity:.1} patients a year, fewer than the {total:.1} demanded"
        ));
    }
    reasons
}
