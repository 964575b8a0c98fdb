//! The single-year model as the Lagrangian relaxation ([`crate::solve::lagrangian`]) sees it:
//! demand groups, sites with their operating models, and cell arcs, each with the objective's
//! own coefficients, so its bounds are bounds of exactly this model. The types are the model's;
//! the algorithm that reads them is the solver's.

use super::{Formulation, ModelInfo, Vars};
use crate::input::{Instance, Scenario, SiteTerms};
use crate::network::Network;

/// A demand group: its patients, its arcs to hospitals, and its penalty if it may go unserved.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub patients: f64,
    /// USD per unserved patient; `None` under full coverage.
    pub penalty: Option<f64>,
    /// (hospital, USD per patient).
    pub arcs: Vec<(usize, f64)>,
}

impl Group {
    /// Its cheapest way at hospital prices `price`: a hospital's arc cost plus its price, or the
    /// unserved penalty (`+inf` under full coverage); and the hospital, `None` when unserved.
    pub fn cheapest(&self, price: impl Fn(usize) -> f64) -> (f64, Option<usize>) {
        let mut best = self.penalty.unwrap_or(f64::INFINITY);
        let mut at = None;
        for &(h, c) in &self.arcs {
            let r = c + price(h);
            if r < best {
                best = r;
                at = Some(h);
            }
        }
        (best, at)
    }
}

/// One way a site can be opened (an operating model).
#[derive(Debug, Clone, PartialEq)]
pub struct SiteOption {
    /// The column of its open variable y[s,k].
    pub open_col: usize,
    /// The column of its platforms n[s,k].
    pub platforms_col: usize,
    /// USD a year for being open (setup annuity and fixed cost).
    pub fixed: f64,
    pub per_platform: f64,
    pub per_batch: f64,
    pub batches_per_platform: f64,
    pub max_platforms: u32,
}

/// A cell arc into a site.
#[derive(Debug, Clone, PartialEq)]
pub struct CellArc {
    pub hospital: usize,
    /// Its shipment column.
    pub col: usize,
    /// USD per batch.
    pub cost: f64,
    /// Most batches a year on the arc.
    pub upper: f64,
}

/// A candidate site.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Open in every plan (under one of its options).
    pub existing: bool,
    /// 1 - failure rate: patients treated per batch.
    pub keep: f64,
    pub options: Vec<SiteOption>,
    pub arcs: Vec<CellArc>,
}

/// The single-year model as the relaxation sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub hospitals: usize,
    pub groups: Vec<Group>,
    pub sites: Vec<Site>,
    /// Under full coverage, every patient (the sum over groups).
    pub full_coverage: bool,
}

impl Formulation {
    /// The structure for the relaxation, or `None` when the model has rows it does not cover:
    /// several years, single sourcing, hospital capacities, site counts, a franchise share
    /// or a minimum utilization (the relaxation would still bound these models, but weakly).
    pub fn relaxation(
        &self,
        instance: &Instance,
        scenario: &Scenario,
        network: &Network,
    ) -> Option<Structure> {
        if !covers(instance, scenario) {
            return None;
        }
        self.structure(instance, scenario, network)
    }

    /// The structure of a single-year model whatever its policy rows (`None` for several
    /// years, or a group that can go nowhere under full coverage): the sites, arcs and costs,
    /// which bound only the models [`Formulation::relaxation`] accepts.
    pub fn structure(
        &self,
        instance: &Instance,
        scenario: &Scenario,
        network: &Network,
    ) -> Option<Structure> {
        let info = &self.info;
        if info.years.len() != 1 {
            return None;
        }
        let vars: &Vars = &info.years[0];
        let cost = objective(info);
        let groups = relaxed_groups(info, vars, &cost);
        // a group that can go nowhere under full coverage makes the model infeasible: leave
        // that to the solver
        if groups
            .iter()
            .any(|g| g.patients > 0.0 && g.arcs.is_empty() && g.penalty.is_none())
        {
            return None;
        }
        Some(Structure {
            hospitals: instance.hospitals.len(),
            groups,
            sites: relaxed_sites(network, vars, &cost),
            full_coverage: scenario.demand.full_coverage,
        })
    }
}

/// Whether the relaxation covers every row of the single-year model: no single sourcing,
/// site policy rows ([`no_site_policy_rows`]) or hospital capacities.
fn covers(instance: &Instance, scenario: &Scenario) -> bool {
    !scenario.policy.single_sourcing
        && no_site_policy_rows(scenario)
        && instance.hospitals.iter().all(|h| h.max_patients.is_none())
}

/// Whether the model has none of the policy rows over the sites the structure leaves out:
/// minimum utilization, franchise share, site counts.
pub fn no_site_policy_rows(scenario: &Scenario) -> bool {
    let policy = &scenario.policy;
    policy.min_utilization <= 0.0
        && policy.max_franchise_share >= 1.0
        && policy.min_sites == 0
        && policy.max_sites < 0
}

/// Each column's objective coefficient (its cost terms, discounted).
fn objective(info: &ModelInfo) -> Vec<f64> {
    let mut cost = vec![0.0; info.columns];
    for t in &info.cost_terms {
        cost[t.col] += t.coef * info.discount[t.year];
    }
    cost
}

/// The demand groups with their patients, penalties and arcs to hospitals.
fn relaxed_groups(info: &ModelInfo, vars: &Vars, cost: &[f64]) -> Vec<Group> {
    let groups = &info.groups;
    let mut out_groups: Vec<Group> = groups
        .members
        .iter()
        .enumerate()
        .map(|(g, m)| Group {
            patients: m.iter().map(|&d| vars.patients_demand[d]).sum(),
            penalty: vars.unserved[g].map(|u| cost[u.col]),
            arcs: Vec::new(),
        })
        .collect();
    for (a, arc) in groups.arcs.iter().enumerate() {
        out_groups[arc.group]
            .arcs
            .push((arc.hospital, cost[vars.patients[a].col]));
    }
    out_groups
}

/// The candidate sites with their operating models and cell arcs.
fn relaxed_sites(network: &Network, vars: &Vars, cost: &[f64]) -> Vec<Site> {
    let mut sites: Vec<Site> = network
        .terms
        .iter()
        .enumerate()
        .map(|(s, t)| Site {
            existing: t.existing,
            keep: 1.0 - t.failure_rate,
            options: (0..2)
                .filter_map(|k| site_option(vars, cost, s, k, t))
                .collect(),
            arcs: Vec::new(),
        })
        .collect();
    for (c, arc) in network.cell_arcs().enumerate() {
        sites[arc.site].arcs.push(CellArc {
            hospital: arc.hospital,
            col: vars.shipments[c].col,
            cost: cost[vars.shipments[c].col],
            upper: vars.shipment_caps[c],
        });
    }
    sites
}

/// Site `s` under operating model `k`, if the model has it.
fn site_option(vars: &Vars, cost: &[f64], s: usize, k: usize, t: &SiteTerms) -> Option<SiteOption> {
    let y = vars.open[s][k]?;
    let n = vars.platforms[s][k]?;
    let b = vars.batches[s][k]?;
    let opening = vars
        .opening
        .get(s)
        .and_then(|o| o[k])
        .map_or(0.0, |v| cost[v.col]);
    Some(SiteOption {
        open_col: y.col,
        platforms_col: n.col,
        fixed: cost[y.col] + opening,
        per_platform: cost[n.col],
        per_batch: cost[b.col],
        batches_per_platform: t.batches_per_platform,
        max_platforms: t.max_platforms,
    })
}
