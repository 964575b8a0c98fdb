//! One year of a plan under the single-year checks of DESIGN §5, rule family by rule family.

use super::batches::BatchTally;
use super::checker::{Checker, lookup};
use super::horizon::YearDemand;
use super::kpis::kpis;
use super::params::{Params, SiteParams, crf};
use super::patients::PatientTally;
use super::sites::SiteTally;
use crate::ids::index_by_id;
use crate::input::{Instance, NodeRef};
use serde_json::Value;
use std::collections::HashMap;

/// What the check sets up once for every year.
pub(super) struct Ctx<'a> {
    pub(super) instance: &'a Instance,
    pub(super) p: Params<'a>,
    pub(super) sp: Vec<SiteParams>,
    pub(super) demand_ids: HashMap<&'a str, usize>,
    pub(super) hospital_ids: HashMap<&'a str, usize>,
    pub(super) site_ids: HashMap<&'a str, usize>,
    /// Patient lanes by (demand, hospital): hours, cost.
    pub(super) patient_lanes: HashMap<(usize, usize), (f64, Option<f64>)>,
    /// Shipment lanes by (from, to): hours, cost.
    pub(super) cell_lanes: HashMap<(NodeRef, NodeRef), (f64, Option<f64>)>,
    pub(super) lead_years: usize,
    /// What a scenario of a two-stage plan changes; default for a plan of one scenario.
    pub(super) within: Within,
}

/// What a scenario of a two-stage plan changes in the checks.
#[derive(Default)]
pub(super) struct Within {
    /// Platforms each site keeps in year 1 whatever its batches (the design, fixed before the
    /// scenario's demand is known); empty: none.
    pub(super) fixed_platforms: Vec<f64>,
    /// Where each demand point's patients come from, for messages; empty: demand.csv.
    pub(super) demand_source: Vec<String>,
}

/// One year of plan.json, and what the scenario asks of it.
pub(super) struct YearInput<'v> {
    /// 1-based.
    pub(super) year: usize,
    /// The year's entries of the plan's lists, with their index in the list.
    pub(super) patient_flows: Vec<(usize, &'v Value)>,
    pub(super) batch_flows: Vec<(usize, &'v Value)>,
    pub(super) unserved: Vec<(usize, &'v Value)>,
    /// The year's sites, KPIs and cost, and where they sit in plan.json.
    pub(super) sites: &'v Value,
    pub(super) sites_path: String,
    pub(super) kpis: &'v Value,
    pub(super) kpis_path: String,
    pub(super) cost: &'v Value,
    /// The year's ex vivo and in vivo patients.
    pub(super) demand: YearDemand,
    /// Whether a new site may produce: the lead time has passed.
    pub(super) producing: bool,
    /// Each site's platforms the year before, where platforms are only added (else zeros).
    pub(super) floor: Vec<f64>,
}

/// One site in one year, as the plan lists it.
#[derive(Debug, Clone, Copy)]
pub(super) struct SiteYear {
    /// The operating model's index in [`super::params::MODELS`]; `None`: closed.
    pub(super) model: Option<usize>,
    pub(super) platforms: f64,
}

/// What one year's check hands to the checks across years.
/// Half the unit a plan rounds its columns to (6 decimals).
const HALF_MILLIONTH: f64 = 0.5e-6;

pub(super) struct YearOutcome {
    /// Each site of sites.csv as the year lists it (`None`: not listed, or not readable).
    pub(super) sites: Vec<Option<SiteYear>>,
    /// The recomputed cost lines (the order of plan.json's `cost`); setup: annualized.
    pub(super) lines: [f64; 7],
    /// How far each line may be off through the plan's rounding of its columns to 6 decimals
    /// (the unserved patients, at the unmet-demand penalty each: half a millionth of it a row).
    pub(super) rounding: [f64; 7],
    pub(super) patient_flows: usize,
    pub(super) batch_flows: usize,
    pub(super) sites_listed: usize,
}

/// The parameters in force at each site: the scenario for its kind, overridden by sites.csv.
fn site_params(instance: &Instance, p: &Params<'_>) -> Vec<SiteParams> {
    instance
        .sites
        .iter()
        .map(|s| {
            let kind = s.kind.as_str();
            let setup = if s.existing {
                [0.0, 0.0]
            } else {
                [
                    s.setup_cost_owned
                        .unwrap_or_else(|| p.kind(kind, "site.setup_cost_owned")),
                    s.setup_cost_franchise
                        .unwrap_or_else(|| p.kind(kind, "site.setup_cost_franchise")),
                ]
            };
            SiteParams {
                kind,
                max_platforms: s
                    .max_platforms
                    .map_or_else(|| p.kind(kind, "site.max_platforms"), f64::from),
                batches_per_platform: s
                    .batches_per_platform
                    .unwrap_or_else(|| p.kind(kind, "platform.batches_per_year")),
                setup,
                crf: crf(
                    p.kind(kind, "site.discount_rate"),
                    p.kind(kind, "site.amortization_years"),
                ),
                failure_rate: p.kind(kind, "batch.failure_rate"),
                manufacturing_days: p.kind(kind, "time.manufacturing_days"),
                release_days: p.kind(kind, "time.release_days"),
            }
        })
        .collect()
}

impl<'a> Ctx<'a> {
    /// The per-site parameters, the id indexes and lanes.csv by its ends.
    pub(super) fn new(instance: &'a Instance, p: Params<'a>, lead_years: usize) -> Ctx<'a> {
        let sp = site_params(instance, &p);
        let mut patient_lanes = HashMap::new();
        let mut cell_lanes = HashMap::new();
        for l in &instance.lanes {
            match (l.from, l.to) {
                (NodeRef::Demand(d), NodeRef::Hospital(h)) => {
                    patient_lanes.insert((d, h), (l.hours, l.cost));
                }
                (from, to) => {
                    cell_lanes.insert((from, to), (l.hours, l.cost));
                }
            }
        }
        Ctx {
            instance,
            p,
            sp,
            demand_ids: index_by_id(instance.demand.iter().map(|d| d.id.as_str())),
            hospital_ids: index_by_id(instance.hospitals.iter().map(|h| h.id.as_str())),
            site_ids: index_by_id(instance.sites.iter().map(|s| s.id.as_str())),
            patient_lanes,
            cell_lanes,
            lead_years,
            within: Within::default(),
        }
    }

    /// Where demand point `d`'s patients come from, for messages.
    pub(super) fn demand_source(&self, d: usize) -> &str {
        self.within
            .demand_source
            .get(d)
            .map_or("demand.csv", String::as_str)
    }

    /// `id`'s row in demand.csv; an unknown id is reported at `path`.
    pub(super) fn demand_index(
        &self,
        c: &mut Checker,
        id: Option<&str>,
        path: &str,
    ) -> Option<usize> {
        lookup(c, &self.demand_ids, id, path, "demand.csv")
    }

    /// `id`'s row in hospitals.csv; an unknown id is reported at `path`.
    pub(super) fn hospital_index(
        &self,
        c: &mut Checker,
        id: Option<&str>,
        path: &str,
    ) -> Option<usize> {
        lookup(c, &self.hospital_ids, id, path, "hospitals.csv")
    }

    /// `id`'s row in sites.csv; an unknown id is reported at `path`.
    pub(super) fn site_index(
        &self,
        c: &mut Checker,
        id: Option<&str>,
        path: &str,
    ) -> Option<usize> {
        lookup(c, &self.site_ids, id, path, "sites.csv")
    }

    /// The single-year checks of DESIGN §5 on one year: arcs and limits, demand balance,
    /// hospital capacity, batches per patient, sites (status, platforms, lead time, policy) and
    /// the KPIs. The cost lines are recomputed and handed back, for the checks across years.
    pub(super) fn year(&self, c: &mut Checker, y: &YearInput<'_>) -> YearOutcome {
        let patients: PatientTally = self.patient_flows(c, y);
        let unserved = self.demand_balance(c, y, &patients.served);
        self.hospital_capacity(c, &patients.treated);
        let batches: BatchTally = self.batch_flows(c, y);
        self.batches_per_patient(c, &patients.treated, &batches);
        self.single_sourcing(c, &batches.sources);
        let sites: SiteTally = self.sites(c, y, &batches.received);
        self.site_counts(c, y, &sites);
        let unserved_total: f64 = unserved.iter().sum();
        let lines = [
            sites.setup,
            sites.fixed,
            sites.platform_cost,
            sites.batch_cost,
            batches.transport,
            patients.travel,
            unserved_total * self.p.get("demand.unserved_penalty"),
        ];
        let mut rounding = [0.0; 7];
        rounding[6] =
            y.unserved.len() as f64 * HALF_MILLIONTH * self.p.get("demand.unserved_penalty");
        kpis(c, y, &patients, &batches, &sites);
        YearOutcome {
            sites: sites.years,
            lines,
            rounding,
            patient_flows: y.patient_flows.len(),
            batch_flows: y.batch_flows.len(),
            sites_listed: sites.listed_len,
        }
    }
}
