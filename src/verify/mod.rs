//! An independent check of a plan against its data (DESIGN §5, §7): `cartnet verify`.
//!
//! It reads plan.json as plain JSON, the instance's CSV files (through the input layer, which
//! only parses and validates them) and the scenario, and recomputes from DESIGN §5 alone: every
//! used arc's time (haversine, circuity, ground or air, co-located hosts, lanes.csv), demand
//! balance, hospital capacities, batches = patients / (1 - failure rate), the batches each site
//! makes against its platforms, the travel, fresh-transit and vein-to-vein limits, the status
//! rules (existing sites stay open; the allowed operating models), the policy rows, every cost
//! line and the total, the KPIs and the solver's figures. It calls neither the network nor the
//! model nor the plan code, so a bug there shows up here as a disagreement.
//!
//! A multi-year plan (`horizon.years` > 1, issue #8) is checked year by year with the same
//! checks, against each year's demand (demand.csv grown by `horizon.growth` or a point's growth
//! column, less the in vivo share of `demand.in_vivo_share`), then across years: sites stay
//! open under one operating model, platforms are only added unless `horizon.platform_removal`,
//! new sites produce only after `horizon.lead_years` (and `policy.min_sites` holds from then),
//! each year's cost lines with the setup annualized or paid upfront in the decision year, the
//! discount factors and the net present value (the top-level cost), each year's `opened`, the
//! sites' `opened_year`, and the top-level KPIs and sites against the final year's.
//!
//! Every problem found is a [`Violation`] that names what it checked, the ids involved, the
//! plan's number, the recomputed one and the parameter or file it comes from.

mod checker;
mod params;
mod plan_file;
mod sources;
mod travel;

pub use plan_file::{
    DataMismatch, IdOf, Mismatch, check_data, check_data_named, load_instance, named_ids,
    parse_plan, read_plan, read_plan_bytes, refuse_repeated_flows, resolve_data,
};
pub use sources::{Sources, flatten, verify_file};

use crate::export::folder::FolderError;
use crate::input::error::InputErrors;
use crate::input::{Instance, NodeRef};
use crate::text::{printable, printable_path, usd_cents};
use checker::{
    Checker, above, cost_differs, differs6, index_by_id, late, lookup, n, platforms_text,
    unbalanced,
};
use params::{MODELS, Params, SiteParams, crf};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use travel::{Leg, haversine_km};

/// Cost lines are recomputed to this relative tolerance (plus the plan's rounding to the cent).
pub const COST_REL_TOL: f64 = 1e-6;

/// What a violation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// plan.json itself: a missing or malformed field, an unknown or duplicate id.
    Plan,
    /// A time recorded in the plan disagrees with the one recomputed from the inputs.
    Arc,
    /// Patient travel above `time.max_patient_travel_hours`.
    TravelLimit,
    /// Fresh material in transit above `time.max_fresh_transit_hours`.
    TransitLimit,
    /// Vein-to-vein time above `time.max_vein_to_vein_days`.
    VeinToVein,
    /// Served + unserved patients against demand.csv, full coverage.
    Demand,
    /// Patients treated above a hospital's `max_patients`.
    HospitalCapacity,
    /// Batches shipped against patients treated / (1 - failure rate).
    BatchesPerPatient,
    /// A site's batches against its inflow, its platforms and their capacity.
    Platforms,
    /// Site status rules: existing sites stay open, only allowed operating models.
    Status,
    /// The scenario's `[policy]` rows.
    Policy,
    /// A cost line or the total.
    Cost,
    /// A KPI.
    Kpi,
    /// The solver's status, objective, bound and gap.
    Solver,
    /// A multi-year plan's structure: the years listed, each year's `opened` sites, the sites'
    /// `opened_year`, and the top-level KPIs and sites against the final year's.
    Years,
    /// A site open in one year and closed (or under another operating model) in a later one.
    StaysOpen,
    /// Platforms removed from one year to the next while `horizon.platform_removal` is false.
    PlatformsKept,
    /// A new site producing before `horizon.lead_years` have passed.
    LeadTime,
    /// The discount factors and the net present value (the plan's top-level cost lines).
    Npv,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Plan => "plan",
            Check::Arc => "arc",
            Check::TravelLimit => "travel_limit",
            Check::TransitLimit => "transit_limit",
            Check::VeinToVein => "vein_to_vein",
            Check::Demand => "demand",
            Check::HospitalCapacity => "hospital_capacity",
            Check::BatchesPerPatient => "batches_per_patient",
            Check::Platforms => "platforms",
            Check::Status => "status",
            Check::Policy => "policy",
            Check::Cost => "cost",
            Check::Kpi => "kpi",
            Check::Solver => "solver",
            Check::Years => "years",
            Check::StaysOpen => "stays_open",
            Check::PlatformsKept => "platforms_kept",
            Check::LeadTime => "lead_time",
            Check::Npv => "npv",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One way in which the plan does not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub check: Check,
    pub message: String,
}

impl fmt::Display for Violation {
    /// One line, the ids the message quotes from the plan and the data shown [`printable`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.check, printable(&self.message))
    }
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verification {
    /// Empty when the plan holds.
    pub violations: Vec<Violation>,
    /// Remarks that are not violations (e.g. scenario values that differ from the plan's own).
    pub notes: Vec<String>,
    pub patient_flows: usize,
    pub batch_flows: usize,
    pub sites: usize,
    /// Years of the horizon checked (1 for a single-year plan).
    pub years: usize,
}

impl Verification {
    pub fn holds(&self) -> bool {
        self.violations.is_empty()
    }

    /// One line on what was checked, for a plan that holds.
    pub fn summary(&self) -> String {
        if self.years > 1 {
            return format!(
                "{} sites in each of {} years, {} patient flows and {} batch flows checked; every \
                 limit holds in every year, sites stay open and the 7 cost lines of each year, \
                 their net present value and the total agree to {COST_REL_TOL:e} relative",
                self.sites, self.years, self.patient_flows, self.batch_flows
            );
        }
        format!(
            "{} sites, {} patient flows and {} batch flows checked; every limit holds and the 7 cost \
             lines and the total agree to {COST_REL_TOL:e} relative",
            self.sites, self.patient_flows, self.batch_flows
        )
    }
}

/// A plan that cannot be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path} is not valid JSON: {error}")]
    Json {
        path: PathBuf,
        error: serde_json::Error,
    },
    /// The message quotes the plan's own text (its data folder), shown [`printable`].
    #[error("{}", printable(.0))]
    Plan(String),
    #[error("{0}")]
    Input(InputErrors),
    #[error("{0}")]
    Folder(#[from] FolderError),
    #[error("{0}")]
    Data(DataMismatch),
    #[error(
        "E603 {}: {}; a plan lists each flow once",
        printable_path(path),
        printable(message)
    )]
    Duplicates { path: PathBuf, message: String },
}

impl VerifyError {
    /// Whether the message starts with its own code (E5xx, E6xx), to print as it is.
    pub fn is_coded(&self) -> bool {
        match self {
            VerifyError::Folder(FolderError::Io { .. }) => false,
            VerifyError::Folder(_) | VerifyError::Data(_) | VerifyError::Duplicates { .. } => true,
            _ => false,
        }
    }
}

/// The horizon (issue #8) as the scenario records it. A scenario without a `[horizon]` group
/// (a plan made before there was one) is the single-year model without in vivo patients.
struct Horizon {
    years: usize,
    /// `horizon.growth`, for demand points without a growth column.
    growth: f64,
    discount_rate: f64,
    lead_years: usize,
    /// `horizon.setup = "upfront"`: the whole setup in the year a site is decided.
    upfront: bool,
    platform_removal: bool,
    /// The in vivo share of each year (0-based), within [0, 1].
    in_vivo: Vec<f64>,
}

impl Horizon {
    /// Reads `[horizon]` and the in vivo share; `plan_years` (the length of the plan's `years`)
    /// stands in for a `horizon.years` that is not a valid count.
    fn read(c: &mut Checker, p: &Params<'_>, plan_years: Option<usize>) -> Horizon {
        let s = p.scenario;
        let recorded = !s["horizon"].is_null();
        let or0 = |v: f64| if v.is_nan() { 0.0 } else { v };
        let mut count = |key: &str, min: f64, max: f64| -> Option<usize> {
            let v = p.get(key);
            if v.is_nan() {
                return None; // reported with the other missing keys
            }
            if v.fract() != 0.0 || v < min || v > max {
                c.add(
                    Check::Plan,
                    format!(
                        "the scenario's {key} is {}: expected a whole number from {} to {}",
                        n(v),
                        n(min),
                        n(max)
                    ),
                );
                return None;
            }
            Some(v as usize)
        };
        let max_years = f64::from(crate::input::scenario::MAX_YEARS);
        let (years, lead_years) = if recorded {
            (
                count("horizon.years", 1.0, max_years)
                    .unwrap_or_else(|| plan_years.unwrap_or(1).clamp(1, max_years as usize)),
                count("horizon.lead_years", 0.0, f64::from(u32::MAX)).unwrap_or(0),
            )
        } else {
            (1, 0)
        };
        let upfront = if recorded {
            match s["horizon"]["setup"].as_str() {
                Some("annualized") => false,
                Some("upfront") => true,
                Some(other) => {
                    c.add(
                        Check::Plan,
                        format!(
                            "the scenario's horizon.setup is \"{other}\": expected \"annualized\" \
                             or \"upfront\""
                        ),
                    );
                    false
                }
                None => {
                    p.missing.borrow_mut().push("horizon.setup".into());
                    false
                }
            }
        } else {
            false
        };
        let (growth, discount_rate, platform_removal) = if recorded {
            (
                or0(p.get("horizon.growth")),
                or0(p.get("horizon.discount_rate")),
                p.flag("horizon.platform_removal"),
            )
        } else {
            (0.0, 0.0, false)
        };
        let share = &s["demand"]["in_vivo_share"];
        let in_vivo = match share {
            Value::Null if !recorded => vec![0.0; years],
            Value::Number(x) => {
                let start = x.as_f64().unwrap_or(f64::NAN);
                let step = or0(p.get("demand.in_vivo_growth"));
                (0..years)
                    .map(|t| (start + step * t as f64).clamp(0.0, 1.0))
                    .collect()
            }
            Value::Array(list) => {
                let shares: Vec<f64> = list.iter().filter_map(Value::as_f64).collect();
                if shares.len() != list.len() || shares.is_empty() {
                    c.add(
                        Check::Plan,
                        format!(
                            "the scenario's demand.in_vivo_share is {share}: expected a number or \
                             a list of numbers"
                        ),
                    );
                } else if shares.len() != years {
                    c.add(
                        Check::Plan,
                        format!(
                            "the scenario's demand.in_vivo_share lists {} shares for a horizon of \
                             {years} years (horizon.years): one a year",
                            shares.len()
                        ),
                    );
                }
                (0..years)
                    .map(|t| {
                        shares
                            .get(t)
                            .or(shares.last())
                            .copied()
                            .unwrap_or(0.0)
                            .clamp(0.0, 1.0)
                    })
                    .collect()
            }
            _ => {
                p.missing.borrow_mut().push("demand.in_vivo_share".into());
                vec![0.0; years]
            }
        };
        Horizon {
            years,
            growth,
            discount_rate,
            lead_years,
            upfront,
            platform_removal,
            in_vivo,
        }
    }

    /// The weight of year `t` (1-based) in the net present value.
    fn discount(&self, t: usize) -> f64 {
        1.0 / (1.0 + self.discount_rate).powi(t as i32 - 1)
    }
}

/// What the check sets up once for every year.
struct Ctx<'a> {
    instance: &'a Instance,
    p: Params<'a>,
    sp: Vec<SiteParams>,
    demand_ids: HashMap<&'a str, usize>,
    hospital_ids: HashMap<&'a str, usize>,
    site_ids: HashMap<&'a str, usize>,
    /// Patient lanes by (demand, hospital): hours, cost.
    patient_lanes: HashMap<(usize, usize), (f64, Option<f64>)>,
    /// Shipment lanes by (from, to): hours, cost.
    cell_lanes: HashMap<(NodeRef, NodeRef), (f64, Option<f64>)>,
    lead_years: usize,
}

/// One year of plan.json, and what the scenario asks of it.
struct YearInput<'v> {
    /// 1-based.
    year: usize,
    /// The year's entries of the plan's lists, with their index in the list.
    patient_flows: Vec<(usize, &'v Value)>,
    batch_flows: Vec<(usize, &'v Value)>,
    unserved: Vec<(usize, &'v Value)>,
    /// The year's sites, KPIs and cost, and where they sit in plan.json.
    sites: &'v Value,
    sites_path: String,
    kpis: &'v Value,
    kpis_path: String,
    cost: &'v Value,
    /// Ex vivo patients at each demand point: demand.csv grown, less the in vivo share.
    demand: Vec<f64>,
    /// In vivo patients, all demand points.
    in_vivo: f64,
    /// How each point's year demand follows from demand.csv, for messages (`None`: as it is).
    demand_how: Vec<Option<String>>,
    /// Whether a new site may produce: the lead time has passed.
    producing: bool,
    /// Each site's platforms the year before, where platforms are only added (else zeros).
    floor: Vec<f64>,
}

/// One site in one year, as the plan lists it.
#[derive(Debug, Clone, Copy)]
struct SiteYear {
    /// The operating model's index in [`MODELS`]; `None`: closed.
    model: Option<usize>,
    platforms: f64,
}

/// What one year's check hands to the checks across years.
struct YearOutcome {
    /// Each site of sites.csv as the year lists it (`None`: not listed, or not readable).
    sites: Vec<Option<SiteYear>>,
    /// The recomputed cost lines (the order of plan.json's `cost`); setup: annualized.
    lines: [f64; 7],
    patient_flows: usize,
    batch_flows: usize,
    sites_listed: usize,
}

/// plan.json's cost lines, in order.
const COST_KEYS: [&str; 7] = [
    "setup",
    "fixed",
    "platforms",
    "batches",
    "transport",
    "patient_travel",
    "unmet_penalty",
];

/// Checks `plan` (plan.json, parsed) against `instance` under `scenario` (a scenario as plan.json
/// records it: the §4 groups and the per-kind overrides by dotted key).
///
/// A multi-year plan (`horizon.years` > 1) is checked year by year with the single-year checks,
/// then across years: sites stay open under one operating model, platforms are only added
/// (unless `horizon.platform_removal`), new sites produce only after `horizon.lead_years`, each
/// year's cost lines (setup annualized or upfront in the decision year), the discount factors and
/// the net present value, each year's `opened`, the sites' `opened_year`, and the top-level KPIs
/// and sites against the final year's.
pub fn verify(plan: &Value, instance: &Instance, scenario: &Value) -> Verification {
    let mut c = Checker {
        violations: Vec::new(),
    };
    let p = Params {
        scenario,
        missing: std::cell::RefCell::new(Vec::new()),
    };

    // ---- header: solver status, the instance's size
    let status = plan["solver"]["status"].as_str().unwrap_or("");
    if status != "optimal" && status != "feasible" {
        c.add(
            Check::Solver,
            format!(
                "solver.status is {}: a plan is written only when it is \"optimal\" or \"feasible\"",
                plan["solver"]["status"]
            ),
        );
    }
    for (key, expected, file) in [
        ("demand_points", instance.demand.len(), "demand.csv"),
        ("hospitals", instance.hospitals.len(), "hospitals.csv"),
        ("sites", instance.sites.len(), "sites.csv"),
    ] {
        match plan["instance"]["counts"][key].as_u64() {
            Some(v) if v as usize == expected => {}
            Some(v) => c.add(
                Check::Plan,
                format!(
                    "instance.counts.{key} is {v}, but {file} has {expected}: the plan was made from other data"
                ),
            ),
            None => c.add(
                Check::Plan,
                format!("instance.counts.{key} is missing or not a whole number"),
            ),
        }
    }

    let plan_years = plan["years"].as_array();
    let horizon = Horizon::read(&mut c, &p, plan_years.map(Vec::len));
    let t_max = horizon.years;

    // ---- per-site parameters
    let sp: Vec<SiteParams> = instance
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
        .collect();

    // Lanes: patient lanes by (demand, hospital), shipment lanes by (from, to).
    let mut patient_lanes: HashMap<(usize, usize), (f64, Option<f64>)> = HashMap::new();
    let mut cell_lanes: HashMap<(NodeRef, NodeRef), (f64, Option<f64>)> = HashMap::new();
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
    let ctx = Ctx {
        instance,
        p,
        sp,
        demand_ids: index_by_id(instance.demand.iter().map(|d| d.id.as_str())),
        hospital_ids: index_by_id(instance.hospitals.iter().map(|h| h.id.as_str())),
        site_ids: index_by_id(instance.sites.iter().map(|s| s.id.as_str())),
        patient_lanes,
        cell_lanes,
        lead_years: horizon.lead_years,
    };
    let multi = t_max > 1;

    // ---- the plan's years: a list of one entry a year for a horizon, none for a single year
    match (multi, plan_years) {
        (false, Some(list)) if !list.is_empty() => c.add(
            Check::Years,
            format!(
                "the plan lists {} years, but the scenario plans one (horizon.years = 1)",
                list.len()
            ),
        ),
        (true, None) => {
            c.add(
                Check::Years,
                format!(
                    "the scenario plans {t_max} years (horizon.years), but the plan has no years \
                     list: its years cannot be checked"
                ),
            );
            return finish(c, ctx.p, 0, 0, 0, t_max);
        }
        (true, Some(list)) if list.len() != t_max => {
            c.add(
                Check::Years,
                format!(
                    "the plan lists {} years, but the scenario plans {t_max} (horizon.years): its \
                     years cannot be checked",
                    list.len()
                ),
            );
            return finish(c, ctx.p, 0, 0, 0, t_max);
        }
        _ => {}
    }
    let year_entry = |t: usize| year_entry(plan, multi, t);
    let year_path = |t: usize, key: &str| -> String {
        if multi {
            format!("years[{}].{key}", t - 1)
        } else {
            key.to_string()
        }
    };
    if multi {
        for t in 1..=t_max {
            let e = year_entry(t);
            match e["year"].as_u64() {
                Some(y) if y as usize == t => {}
                _ => c.add(
                    Check::Years,
                    format!(
                        "years[{}].year is {}: the years are listed in order, from 1",
                        t - 1,
                        e["year"]
                    ),
                ),
            }
            let expected = horizon.discount(t);
            if let Some(df) = c.num(&e["discount_factor"], &year_path(t, "discount_factor"))
                && differs6(df, expected)
            {
                c.add(
                    Check::Npv,
                    format!(
                        "year {t}: {} is {}, but year {t} weighs 1 / (1 + horizon.discount_rate \
                         {})^{} = {}",
                        year_path(t, "discount_factor"),
                        n(df),
                        n(horizon.discount_rate),
                        t - 1,
                        n(expected)
                    ),
                );
            }
        }
    }

    // ---- flows and shortfalls, by year
    let mut patient_flows = by_year(&mut c, plan, "patient_flows", t_max).into_iter();
    let mut batch_flows = by_year(&mut c, plan, "batch_flows", t_max).into_iter();
    let mut unserved = by_year(&mut c, plan, "unserved", t_max).into_iter();

    // ---- each year with the single-year checks
    let mut outcomes: Vec<YearOutcome> = Vec::with_capacity(t_max);
    for t in 1..=t_max {
        let share = horizon.in_vivo[t - 1];
        let mut demand = Vec::with_capacity(instance.demand.len());
        let mut demand_how = Vec::with_capacity(instance.demand.len());
        let mut in_vivo = 0.0;
        for d in &instance.demand {
            let (g, source) = match d.growth {
                Some(g) => (g, "its growth column"),
                None => (horizon.growth, "horizon.growth"),
            };
            let grown = if t == 1 {
                d.patients
            } else {
                d.patients * (1.0 + g).powi(t as i32 - 1)
            };
            demand.push(grown * (1.0 - share));
            in_vivo += grown * share;
            let mut how = Vec::new();
            if t > 1 {
                how.push(format!("x (1 + {source} {})^{}", n(g), t - 1));
            }
            if share > 0.0 {
                how.push(format!("x (1 - in vivo share {})", n(share)));
            }
            demand_how.push((!how.is_empty()).then(|| {
                format!(
                    "which make {} ex vivo patients in year {t} ({})",
                    n(grown * (1.0 - share)),
                    how.join(" ")
                )
            }));
        }
        let floor = match outcomes.last() {
            Some(prev) if !horizon.platform_removal => prev
                .sites
                .iter()
                .map(|s| s.filter(|s| s.model.is_some()).map_or(0.0, |s| s.platforms))
                .collect(),
            _ => vec![0.0; instance.sites.len()],
        };
        let input = YearInput {
            year: t,
            patient_flows: patient_flows.next().unwrap_or_default(),
            batch_flows: batch_flows.next().unwrap_or_default(),
            unserved: unserved.next().unwrap_or_default(),
            sites: &year_entry(t)["sites"],
            sites_path: year_path(t, "sites"),
            kpis: &year_entry(t)["kpis"],
            kpis_path: year_path(t, "kpis"),
            cost: &year_entry(t)["cost"],
            demand,
            in_vivo,
            demand_how,
            producing: t > horizon.lead_years,
            floor,
        };
        let mut yc = Checker {
            violations: Vec::new(),
        };
        outcomes.push(ctx.year(&mut yc, &input));
        let prefix = if multi {
            format!("year {t}: ")
        } else {
            String::new()
        };
        for v in yc.violations {
            c.add(v.check, format!("{prefix}{}", v.message));
        }
    }

    // ---- across years: sites stay open under one model, platforms are only added
    let site_name = |s: usize| instance.sites[s].id.as_str();
    let model_name = |m: Option<usize>| m.map_or("closed", |k| MODELS[k]);
    for t in 2..=t_max {
        let (before, now) = (&outcomes[t - 2].sites, &outcomes[t - 1].sites);
        for s in 0..instance.sites.len() {
            let (Some(a), Some(b)) = (before[s], now[s]) else {
                continue;
            };
            let Some(k) = a.model else { continue };
            if b.model != Some(k) {
                c.add(
                    Check::StaysOpen,
                    format!(
                        "year {t}: site {} is {} in year {} but {} in year {t}: once open, a site \
                         stays open under the same operating model",
                        site_name(s),
                        MODELS[k],
                        t - 1,
                        model_name(b.model)
                    ),
                );
            } else if !horizon.platform_removal && b.platforms < a.platforms {
                c.add(
                    Check::PlatformsKept,
                    format!(
                        "year {t}: site {} has {} in year {} but {} in year {t}: platforms are \
                         only added (horizon.platform_removal is false)",
                        site_name(s),
                        platforms_text(a.platforms),
                        t - 1,
                        platforms_text(b.platforms)
                    ),
                );
            }
        }
    }
    // the year each site first produces, and under which model
    let first_open: Vec<Option<(usize, usize)>> = (0..instance.sites.len())
        .map(|s| {
            outcomes
                .iter()
                .enumerate()
                .find_map(|(t, o)| o.sites[s].and_then(|x| x.model).map(|k| (t + 1, k)))
        })
        .collect();
    if multi {
        // each year's `opened`: the sites that start producing that year
        for t in 1..=t_max {
            let path = year_path(t, "opened");
            let listed: Vec<&str> = c
                .array(&year_entry(t)["opened"], &path)
                .iter()
                .filter_map(|v| {
                    let id = v.as_str();
                    if id.is_none() {
                        c.add(Check::Plan, format!("{path} lists {v}, not a site id"));
                    }
                    id
                })
                .collect();
            let expected: Vec<&str> = (0..instance.sites.len())
                .filter(|&s| first_open[s].is_some_and(|(o, _)| o == t))
                .map(site_name)
                .collect();
            for id in &listed {
                if !expected.contains(id) {
                    let when = match ctx.site_ids.get(id).and_then(|&s| first_open[s]) {
                        Some((o, _)) => format!("it first produces in year {o}"),
                        None if ctx.site_ids.contains_key(id) => {
                            "it never produces in the plan".to_string()
                        }
                        None => "it is not in sites.csv".to_string(),
                    };
                    c.add(
                        Check::Years,
                        format!("year {t}: {path} lists site {id}, but {when}"),
                    );
                }
            }
            for id in expected {
                if !listed.contains(&id) {
                    c.add(
                        Check::Years,
                        format!(
                            "year {t}: site {id} first produces in year {t}, but {path} does not \
                             list it"
                        ),
                    );
                }
            }
        }
        final_year_on_top(&mut c, plan, &ctx, &first_open, t_max);
    }

    // ---- each year's cost lines; the setup follows horizon.setup
    let mut year_lines: Vec<[f64; 7]> = outcomes.iter().map(|o| o.lines).collect();
    let lead = horizon.lead_years;
    if horizon.upfront {
        for l in &mut year_lines {
            l[0] = 0.0;
        }
        for (s, o) in first_open.iter().enumerate() {
            if let Some((opened, k)) = *o {
                // decided lead_years before it first produces (year 1 at the earliest)
                let decided = opened.saturating_sub(lead).max(1);
                year_lines[decided - 1][0] += ctx.sp[s].setup[k];
            }
        }
    }
    let setup_how = if horizon.upfront {
        format!(
            "the whole setup of the sites decided this year, horizon.lead_years = {lead} before \
             they first produce (horizon.setup = upfront)"
        )
    } else {
        "annualized setup of the open sites".to_string()
    };
    for t in 1..=t_max {
        let cost = &year_entry(t)["cost"];
        let cost_path = year_path(t, "cost");
        let prefix = if multi {
            format!("year {t}: ")
        } else {
            String::new()
        };
        let lines = &year_lines[t - 1];
        let how = [
            setup_how.as_str(),
            "fixed cost of the open sites",
            "platforms x cost per platform",
            "batches made x cost per batch",
            "batches x two shipment legs of each arc",
            "patients x travel cost of each arc",
            "unserved patients x demand.unserved_penalty",
        ];
        let mut total_expected = 0.0;
        for ((key, &value), how) in COST_KEYS.iter().zip(lines).zip(how) {
            total_expected += value;
            if let Some(got) = c.num(&cost[key], &format!("{cost_path}.{key}"))
                && cost_differs(got, value)
            {
                c.add(
                    Check::Cost,
                    format!(
                        "{prefix}{cost_path}.{key}: the plan says {}, recomputed {} ({how}); off by {}",
                        usd_cents(got),
                        usd_cents(value),
                        usd_cents(got - value)
                    ),
                );
            }
        }
        if let Some(total) = c.num(&cost["total"], &format!("{cost_path}.total"))
            && cost_differs(total, total_expected)
        {
            c.add(
                Check::Cost,
                format!(
                    "{prefix}{cost_path}.total: the plan says {}, recomputed {} (the sum of the \
                     recomputed lines); off by {}",
                    usd_cents(total),
                    usd_cents(total_expected),
                    usd_cents(total - total_expected)
                ),
            );
        }
    }

    // ---- the net present value: the top-level cost lines
    let total = if multi {
        let mut npv_total = 0.0;
        for (i, key) in COST_KEYS.iter().enumerate() {
            let value: f64 = (1..=t_max)
                .map(|t| horizon.discount(t) * year_lines[t - 1][i])
                .sum();
            npv_total += value;
            if let Some(got) = c.num(&plan["cost"][key], &format!("cost.{key}"))
                && cost_differs(got, value)
            {
                c.add(
                    Check::Npv,
                    format!(
                        "cost.{key}: the plan says {}, but the net present value of the years' {key} \
                         lines is {} (year t weighs 1 / (1 + horizon.discount_rate {})^(t - 1)); off by {}",
                        usd_cents(got),
                        usd_cents(value),
                        n(horizon.discount_rate),
                        usd_cents(got - value)
                    ),
                );
            }
        }
        let total = c.num(&plan["cost"]["total"], "cost.total");
        if let Some(got) = total
            && cost_differs(got, npv_total)
        {
            c.add(
                Check::Npv,
                format!(
                    "cost.total: the plan says {}, but the net present value of the {t_max} years' \
                     costs is {} (horizon.discount_rate = {}); off by {}",
                    usd_cents(got),
                    usd_cents(npv_total),
                    n(horizon.discount_rate),
                    usd_cents(got - npv_total)
                ),
            );
        }
        total
    } else {
        plan["cost"]["total"].as_f64().filter(|x| x.is_finite())
    };

    // ---- the solver's figures: the plan costs no more than the solution found, no less than
    // the proven bound; an optimal plan has a gap of at most 1e-6.
    let objective = c.opt_num(&plan["solver"]["objective"], "solver.objective");
    let bound = c.opt_num(&plan["solver"]["best_bound"], "solver.best_bound");
    let gap = c.opt_num(&plan["solver"]["gap"], "solver.gap");
    let slack = |v: f64| 1e-6 * v.abs() + 1.0;
    if let (Some(total), Some(Some(obj))) = (total, objective)
        && total > obj + slack(obj)
    {
        c.add(
            Check::Solver,
            format!(
                "cost.total {} is above the solver's objective {}",
                usd_cents(total),
                usd_cents(obj)
            ),
        );
    }
    if let (Some(total), Some(Some(b))) = (total, bound)
        && total < b - slack(b)
    {
        c.add(
            Check::Solver,
            format!(
                "cost.total {} is below the solver's proven bound {}: no plan can cost less",
                usd_cents(total),
                usd_cents(b)
            ),
        );
    }
    if status == "optimal"
        && let Some(Some(g)) = gap
        && g > 1e-6 + 1e-9
    {
        c.add(
            Check::Solver,
            format!(
                "solver.status is optimal, but solver.gap is {} (optimal means a gap of at most 1e-6)",
                n(g)
            ),
        );
    }

    let patient_flows = outcomes.iter().map(|o| o.patient_flows).sum();
    let batch_flows = outcomes.iter().map(|o| o.batch_flows).sum();
    let sites = if multi {
        plan["sites"].as_array().map_or(0, Vec::len)
    } else {
        outcomes.first().map_or(0, |o| o.sites_listed)
    };
    finish(c, ctx.p, patient_flows, batch_flows, sites, t_max)
}

/// Where year `t` (1-based) keeps its sites, KPIs and cost: `years[t - 1]` of a multi-year plan,
/// the plan itself for a single year.
fn year_entry(plan: &Value, multi: bool, t: usize) -> &Value {
    if multi { &plan["years"][t - 1] } else { plan }
}

/// The entries of the plan's list `list`, with their index, by year (`year`, 1-based; a plan of
/// one year made before flows had a year has none).
fn by_year<'v>(
    c: &mut Checker,
    plan: &'v Value,
    list: &str,
    t_max: usize,
) -> Vec<Vec<(usize, &'v Value)>> {
    let mut out = vec![Vec::new(); t_max];
    for (i, e) in c.array(&plan[list], list).iter().enumerate() {
        let y = &e["year"];
        let t = match y.as_u64() {
            None if y.is_null() && t_max == 1 => 1,
            Some(t) if (1..=t_max as u64).contains(&t) => t as usize,
            _ => {
                c.add(
                    Check::Plan,
                    format!(
                        "{list}[{i}].year is {y}: expected a year from 1 to {t_max} (horizon.years)"
                    ),
                );
                continue;
            }
        };
        out[t - 1].push((i, e));
    }
    out
}

/// Reports the scenario keys that were missing and hands back the outcome.
fn finish(
    mut c: Checker,
    p: Params<'_>,
    patient_flows: usize,
    batch_flows: usize,
    sites: usize,
    years: usize,
) -> Verification {
    let missing = p.missing.into_inner();
    if !missing.is_empty() {
        let mut m = missing;
        m.sort();
        m.dedup();
        c.add(
            Check::Plan,
            format!(
                "the scenario lacks {} (a scenario records every key of DESIGN §4)",
                m.join(", ")
            ),
        );
    }
    Verification {
        violations: c.violations,
        notes: Vec::new(),
        patient_flows,
        batch_flows,
        sites,
        years,
    }
}

/// A multi-year plan's top-level `kpis` and `sites` are the final year's; each top-level site
/// carries the year it first produces (`opened_year`).
fn final_year_on_top(
    c: &mut Checker,
    plan: &Value,
    ctx: &Ctx<'_>,
    first_open: &[Option<(usize, usize)>],
    t_max: usize,
) {
    let last = &plan["years"][t_max - 1];
    let last_path = format!("years[{}]", t_max - 1);
    let same = |a: &Value, b: &Value| match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => !differs6(x, y),
        _ => a == b,
    };
    let mut keys: Vec<&String> = Vec::new();
    for k in [&last["kpis"], &plan["kpis"]] {
        for key in k.as_object().into_iter().flat_map(|o| o.keys()) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    for key in keys {
        let (top, fin) = (&plan["kpis"][key], &last["kpis"][key]);
        if !same(top, fin) {
            c.add(
                Check::Years,
                format!(
                    "kpis.{key} is {top}, but the final year's ({last_path}.kpis.{key}) is {fin}: \
                     the top-level KPIs are the final year's"
                ),
            );
        }
    }
    let empty = Vec::new();
    let top = plan["sites"].as_array().unwrap_or(&empty);
    let fin = last["sites"].as_array().unwrap_or(&empty);
    let fin_by_id: HashMap<&str, &Value> = fin
        .iter()
        .filter_map(|s| s["id"].as_str().map(|id| (id, s)))
        .collect();
    let mut seen = Vec::new();
    for (i, s) in top.iter().enumerate() {
        let Some(id) = s["id"].as_str() else {
            c.add(
                Check::Plan,
                format!("sites[{i}].id is {}, not text", s["id"]),
            );
            continue;
        };
        seen.push(id);
        match fin_by_id.get(id) {
            None => c.add(
                Check::Years,
                format!(
                    "sites[{i}] is site {id}, which the final year ({last_path}.sites) does not \
                     list: the top-level sites are the final year's"
                ),
            ),
            Some(f) => {
                for key in ["status", "platforms", "batches", "utilization"] {
                    if !same(&s[key], &f[key]) {
                        c.add(
                            Check::Years,
                            format!(
                                "site {id}: sites[{i}].{key} is {}, but the final year's is {}: \
                                 the top-level sites are the final year's",
                                s[key], f[key]
                            ),
                        );
                    }
                }
            }
        }
        let expected = ctx
            .site_ids
            .get(id)
            .and_then(|&x| first_open[x])
            .map(|(o, _)| o);
        let got = &s["opened_year"];
        let ok = match expected {
            Some(o) => got.as_u64() == Some(o as u64),
            None => got.is_null(),
        };
        if !ok {
            let when = expected.map_or("never produces".to_string(), |o| {
                format!("first produces in year {o}")
            });
            c.add(
                Check::Years,
                format!("site {id} {when}, but sites[{i}].opened_year is {got}"),
            );
        }
    }
    for id in fin.iter().filter_map(|s| s["id"].as_str()) {
        if !seen.contains(&id) {
            c.add(
                Check::Years,
                format!(
                    "site {id} of the final year ({last_path}.sites) is missing from the \
                     top-level sites"
                ),
            );
        }
    }
}

impl Ctx<'_> {
    /// The single-year checks of DESIGN §5 on one year: arcs and limits, demand balance,
    /// hospital capacity, batches per patient, sites (status, platforms, lead time, policy) and
    /// the KPIs. The cost lines are recomputed and handed back, for the checks across years.
    fn year(&self, c: &mut Checker, y: &YearInput<'_>) -> YearOutcome {
        let (instance, p, sp) = (self.instance, &self.p, &self.sp);

        // ---- patient flows: times recomputed, the travel limit
        let circuity = p.get("transport.circuity");
        let patient_kmh = p.get("transport.patient_kmh");
        let patient_cost_per_km = p.get("transport.patient_cost_per_km");
        let max_travel = p.get("time.max_patient_travel_hours");
        let mut served = vec![0.0; instance.demand.len()];
        let mut treated = vec![0.0; instance.hospitals.len()];
        let mut patient_travel = 0.0;
        let mut seen_patient: HashMap<(usize, usize), usize> = HashMap::new();
        for &(i, f) in &y.patient_flows {
            let path = format!("patient_flows[{i}]");
            let d_id = c.text(&f["demand"], &format!("{path}.demand"));
            let h_id = c.text(&f["hospital"], &format!("{path}.hospital"));
            let d = lookup(
                c,
                &self.demand_ids,
                d_id,
                &format!("{path}.demand"),
                "demand.csv",
            );
            let h = lookup(
                c,
                &self.hospital_ids,
                h_id,
                &format!("{path}.hospital"),
                "hospitals.csv",
            );
            let x = c.amount(&f["patients"], &format!("{path}.patients"), "flow");
            let hours_plan = c.num(&f["hours"], &format!("{path}.hours"));
            let (Some(d), Some(h)) = (d, h) else { continue };
            let (dp, hp) = (&instance.demand[d], &instance.hospitals[h]);
            let arc = format!("patient flow {} -> {}", dp.id, hp.id);
            if let Some(j) = seen_patient.insert((d, h), i) {
                c.add(
                    Check::Plan,
                    format!("{arc} is listed twice (patient_flows[{j}] and [{i}])"),
                );
            }
            let road_km = haversine_km(dp.lat, dp.lon, hp.lat, hp.lon) * circuity;
            let (hours, cost, how) = match self.patient_lanes.get(&(d, h)) {
                Some(&(hours, cost)) => (
                    hours,
                    cost.unwrap_or(2.0 * patient_cost_per_km * road_km),
                    "the measured lane in lanes.csv".to_string(),
                ),
                None => (
                    road_km / patient_kmh,
                    2.0 * patient_cost_per_km * road_km,
                    format!(
                        "{} road km at transport.patient_kmh = {}",
                        n(road_km),
                        n(patient_kmh)
                    ),
                ),
            };
            if let Some(hp_) = hours_plan
                && differs6(hp_, hours)
            {
                c.add(
                    Check::Arc,
                    format!(
                        "{arc}: the plan says {} hours, recomputed {} ({how})",
                        n(hp_),
                        n(hours)
                    ),
                );
            }
            if late(hours, max_travel) {
                c.add(
                    Check::TravelLimit,
                    format!(
                        "{arc}: {} hours of travel exceeds time.max_patient_travel_hours = {}",
                        n(hours),
                        n(max_travel)
                    ),
                );
            }
            if let Some(x) = x {
                served[d] += x;
                treated[h] += x;
                patient_travel += x * cost;
            }
        }

        // ---- unserved, demand balance, full coverage
        let mut unserved = vec![0.0; instance.demand.len()];
        for &(i, u) in &y.unserved {
            let path = format!("unserved[{i}]");
            let d_id = c.text(&u["demand"], &format!("{path}.demand"));
            let d = lookup(
                c,
                &self.demand_ids,
                d_id,
                &format!("{path}.demand"),
                "demand.csv",
            );
            let x = c.amount(&u["patients"], &format!("{path}.patients"), "shortfall");
            if let (Some(d), Some(x)) = (d, x) {
                unserved[d] += x;
            }
        }
        let full_coverage = p.flag("demand.full_coverage");
        for (d, dp) in instance.demand.iter().enumerate() {
            if unbalanced(served[d] + unserved[d], y.demand[d]) {
                let how = y.demand_how[d]
                    .as_ref()
                    .map_or(String::new(), |h| format!(", {h}"));
                c.add(
                    Check::Demand,
                    format!(
                        "demand point {}: {} patients served + {} unserved = {}, but demand.csv has {} patients{how}",
                        dp.id,
                        n(served[d]),
                        n(unserved[d]),
                        n(served[d] + unserved[d]),
                        n(dp.patients)
                    ),
                );
            }
            if full_coverage && unserved[d] > 1e-6 {
                c.add(
                    Check::Demand,
                    format!(
                        "demand point {}: {} patients unserved, but demand.full_coverage is true",
                        dp.id,
                        n(unserved[d])
                    ),
                );
            }
        }
        for (h, hp) in instance.hospitals.iter().enumerate() {
            if let Some(cap) = hp.max_patients
                && above(treated[h], cap)
            {
                c.add(
                    Check::HospitalCapacity,
                    format!(
                        "hospital {} treats {} patients a year, above its max_patients of {} (hospitals.csv)",
                        hp.id,
                        n(treated[h]),
                        n(cap)
                    ),
                );
            }
        }

        // ---- batch flows: legs recomputed, the fresh-transit and vein-to-vein limits
        let mut received = vec![0.0; instance.sites.len()];
        let mut shipped = vec![0.0; instance.hospitals.len()]; // batches
        let mut covered = vec![0.0; instance.hospitals.len()]; // sum (1 - f_s) w[h,s]
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); instance.hospitals.len()];
        let mut sources = vec![0usize; instance.hospitals.len()];
        let mut transport = 0.0;
        let (mut v2v_max, mut v2v_weight, mut batches_total) = (None::<f64>, 0.0, 0.0);
        let mut seen_batch: HashMap<(usize, usize), usize> = HashMap::new();
        for &(i, f) in &y.batch_flows {
            let path = format!("batch_flows[{i}]");
            let h_id = c.text(&f["hospital"], &format!("{path}.hospital"));
            let s_id = c.text(&f["site"], &format!("{path}.site"));
            let h = lookup(
                c,
                &self.hospital_ids,
                h_id,
                &format!("{path}.hospital"),
                "hospitals.csv",
            );
            let s = lookup(
                c,
                &self.site_ids,
                s_id,
                &format!("{path}.site"),
                "sites.csv",
            );
            let w = c.amount(&f["batches"], &format!("{path}.batches"), "flow");
            let transit_plan = c.num(&f["transit_hours"], &format!("{path}.transit_hours"));
            let v2v_plan = c.num(
                &f["vein_to_vein_days"],
                &format!("{path}.vein_to_vein_days"),
            );
            let (Some(h), Some(s)) = (h, s) else { continue };
            let (hp, site, t) = (&instance.hospitals[h], &instance.sites[s], &sp[s]);
            let arc = format!("batch flow {} -> {}", hp.id, site.id);
            if let Some(j) = seen_batch.insert((h, s), i) {
                c.add(
                    Check::Plan,
                    format!("{arc} is listed twice (batch_flows[{j}] and [{i}])"),
                );
            }
            let gc = haversine_km(hp.lat, hp.lon, site.lat, site.lon);
            let computed = if site.hospital == Some(h) {
                Leg {
                    hours: 0.0,
                    cost: 0.0,
                    how: "on site: the site is co-located at this hospital",
                }
            } else {
                p.shipment(gc)
            };
            let lane = |key: (NodeRef, NodeRef)| {
                self.cell_lanes.get(&key).map(|&(hours, cost)| Leg {
                    hours,
                    cost: cost.unwrap_or(computed.cost),
                    how: "the measured lane in lanes.csv",
                })
            };
            let out_lane = lane((NodeRef::Hospital(h), NodeRef::Site(s)));
            let back_lane = lane((NodeRef::Site(s), NodeRef::Hospital(h)));
            let out = out_lane.or(back_lane).unwrap_or(computed);
            let back = back_lane.or(out_lane).unwrap_or(computed);
            let v2v = (out.hours + back.hours) / 24.0 + t.manufacturing_days + t.release_days;
            let leg_how = |l: &Leg| match l.how {
                "ground" => format!(
                    "ground: {} road km at transport.ground_kmh = {}",
                    n(gc * circuity),
                    n(p.get("transport.ground_kmh"))
                ),
                "air" => format!(
                    "air: transport.air_handling_hours + {} km at transport.air_kmh",
                    n(gc)
                ),
                other => other.to_string(),
            };
            if let Some(x) = transit_plan
                && differs6(x, out.hours)
            {
                c.add(
                    Check::Arc,
                    format!(
                        "{arc}: the plan says {} transit hours, recomputed {} ({})",
                        n(x),
                        n(out.hours),
                        leg_how(&out)
                    ),
                );
            }
            if let Some(x) = v2v_plan
                && differs6(x, v2v)
            {
                c.add(
                    Check::Arc,
                    format!(
                        "{arc}: the plan says {} vein-to-vein days, recomputed {} ({} h out + {} h back, \
                         {} manufacturing + {} release days at a {} site)",
                        n(x),
                        n(v2v),
                        n(out.hours),
                        n(back.hours),
                        n(t.manufacturing_days),
                        n(t.release_days),
                        t.kind
                    ),
                );
            }
            let max_transit = p.kind(t.kind, "time.max_fresh_transit_hours");
            if late(out.hours, max_transit) {
                c.add(
                    Check::TransitLimit,
                    format!(
                        "{arc}: {} hours of fresh transit exceeds {} = {}",
                        n(out.hours),
                        p.name(t.kind, "time.max_fresh_transit_hours"),
                        n(max_transit)
                    ),
                );
            }
            let max_v2v = p.kind(t.kind, "time.max_vein_to_vein_days");
            if late(v2v, max_v2v) {
                c.add(
                    Check::VeinToVein,
                    format!(
                        "{arc}: {} vein-to-vein days exceeds {} = {}",
                        n(v2v),
                        p.name(t.kind, "time.max_vein_to_vein_days"),
                        n(max_v2v)
                    ),
                );
            }
            let Some(w) = w else { continue };
            transport += w * (out.cost + back.cost);
            received[s] += w;
            shipped[h] += w;
            covered[h] += (1.0 - t.failure_rate) * w;
            rates[h].push(t.failure_rate);
            sources[h] += 1;
            v2v_max = Some(v2v_max.map_or(v2v, |m| m.max(v2v)));
            v2v_weight += w * v2v;
            batches_total += w;
        }

        // ---- batches = patients / (1 - failure rate), per hospital
        for (h, hp) in instance.hospitals.iter().enumerate() {
            if !unbalanced(covered[h], treated[h]) {
                continue;
            }
            let mut r = rates[h].clone();
            r.sort_by(f64::total_cmp);
            r.dedup();
            let message = match r.as_slice() {
                [] | [_] => {
                    let f = r
                        .first()
                        .copied()
                        .unwrap_or_else(|| p.get("batch.failure_rate"));
                    format!(
                        "hospital {} treats {} patients a year, which takes {} batches \
                         (patients / (1 - failure rate {})), but the plan ships {} batches",
                        hp.id,
                        n(treated[h]),
                        n(treated[h] / (1.0 - f)),
                        n(f),
                        n(shipped[h])
                    )
                }
                _ => format!(
                    "hospital {} treats {} patients a year, but its {} batches carry {} patients \
                     (batches x (1 - each site's failure rate))",
                    hp.id,
                    n(treated[h]),
                    n(shipped[h]),
                    n(covered[h])
                ),
            };
            c.add(Check::BatchesPerPatient, message);
        }
        if p.flag("policy.single_sourcing") {
            for (h, hp) in instance.hospitals.iter().enumerate() {
                if sources[h] > 1 {
                    c.add(
                        Check::Policy,
                        format!(
                            "hospital {} gets batches from {} sites, but policy.single_sourcing is true",
                            hp.id, sources[h]
                        ),
                    );
                }
            }
        }

        // ---- sites: status rules, lead time, platforms and their capacity, the site cost lines
        let mut listed: Vec<Option<usize>> = vec![None; instance.sites.len()];
        let mut site_years: Vec<Option<SiteYear>> = vec![None; instance.sites.len()];
        let (mut setup, mut fixed, mut platform_cost, mut batch_cost) = (0.0, 0.0, 0.0, 0.0);
        let (mut open, mut owned, mut franchise, mut platforms_total) =
            (0usize, 0usize, 0usize, 0.0);
        let min_utilization = p.get("policy.min_utilization");
        let plan_sites = c.array(y.sites, &y.sites_path);
        for (i, ps) in plan_sites.iter().enumerate() {
            let path = format!("{}[{i}]", y.sites_path);
            let id = c.text(&ps["id"], &format!("{path}.id"));
            let Some(s) = lookup(c, &self.site_ids, id, &format!("{path}.id"), "sites.csv") else {
                continue;
            };
            let site = &instance.sites[s];
            if let Some(j) = listed[s].replace(i) {
                c.add(
                    Check::Plan,
                    format!(
                        "site {} is listed twice ({}[{j}] and [{i}])",
                        site.id, y.sites_path
                    ),
                );
                continue;
            }
            let t = &sp[s];
            let status = c.text(&ps["status"], &format!("{path}.status"));
            let platforms = c.num(&ps["platforms"], &format!("{path}.platforms"));
            let batches = c.num(&ps["batches"], &format!("{path}.batches"));
            let utilization = c.num(&ps["utilization"], &format!("{path}.utilization"));
            let (Some(status), Some(nplat), Some(b)) = (status, platforms, batches) else {
                continue;
            };
            if unbalanced(b, received[s]) {
                c.add(
                    Check::Platforms,
                    format!(
                        "site {} makes {} batches a year, but its batch flows bring {}",
                        site.id,
                        n(b),
                        n(received[s])
                    ),
                );
            }
            if nplat < 0.0 || nplat.fract() != 0.0 {
                c.add(
                    Check::Platforms,
                    format!(
                        "site {}: {} platforms is not a whole number >= 0",
                        site.id,
                        n(nplat)
                    ),
                );
            }
            let k = match status {
                "closed" => {
                    site_years[s] = Some(SiteYear {
                        model: None,
                        platforms: nplat,
                    });
                    if site.existing {
                        c.add(
                            Check::Status,
                            format!(
                                "site {} is existing (sites.csv) and must stay open, but the plan closes it",
                                site.id
                            ),
                        );
                    }
                    if nplat != 0.0 {
                        c.add(
                            Check::Platforms,
                            format!("site {} is closed but has {} platforms", site.id, n(nplat)),
                        );
                    }
                    if b > 1e-6 {
                        c.add(
                            Check::Platforms,
                            format!("site {} is closed but makes {} batches", site.id, n(b)),
                        );
                    }
                    if let Some(u) = utilization
                        && u != 0.0
                    {
                        c.add(
                            Check::Kpi,
                            format!("site {} is closed but its utilization is {}", site.id, n(u)),
                        );
                    }
                    continue;
                }
                "owned" => 0,
                "franchise" => 1,
                other => {
                    c.add(
                        Check::Plan,
                        format!(
                            "{path}.status is \"{other}\"; expected \"owned\", \"franchise\" or \"closed\""
                        ),
                    );
                    continue;
                }
            };
            site_years[s] = Some(SiteYear {
                model: Some(k),
                platforms: nplat,
            });
            if !site.allow[k] {
                let allowed = if site.allow[0] { "owned" } else { "franchise" };
                c.add(
                    Check::Status,
                    format!(
                        "site {} is {}, but sites.csv allows only {allowed}",
                        site.id, MODELS[k]
                    ),
                );
            }
            if !site.existing && !y.producing {
                c.add(
                    Check::LeadTime,
                    format!(
                        "site {} is new (not existing in sites.csv) and produces in year {}, but \
                         horizon.lead_years = {}: a new site produces from year {} on",
                        site.id,
                        y.year,
                        self.lead_years,
                        self.lead_years + 1
                    ),
                );
            }
            if above(nplat, t.max_platforms) {
                let source = if site.max_platforms.is_some() {
                    "sites.csv max_platforms".to_string()
                } else {
                    p.name(t.kind, "site.max_platforms")
                };
                c.add(
                    Check::Platforms,
                    format!(
                        "site {} has {} platforms, above its limit of {} ({source})",
                        site.id,
                        n(nplat),
                        n(t.max_platforms)
                    ),
                );
            }
            let bpp = t.batches_per_platform;
            let capacity = nplat * bpp;
            let floor = y.floor[s];
            if above(b, capacity) {
                c.add(
                    Check::Platforms,
                    format!(
                        "site {} makes {} batches a year on {} of {} batches each: above their capacity of {}",
                        site.id,
                        n(b),
                        platforms_text(nplat),
                        n(bpp),
                        n(capacity)
                    ),
                );
            } else if nplat >= 1.0 && (nplat - 1.0) * bpp >= b - 1e-6 && nplat > floor {
                let kept = if floor > 0.0 {
                    format!(
                        ", and never fewer than the {} of the year before",
                        platforms_text(floor)
                    )
                } else {
                    String::new()
                };
                c.add(
                    Check::Platforms,
                    format!(
                        "site {} reports {}, but {} carry its {} batches (the plan reports the fewest{kept})",
                        site.id,
                        platforms_text(nplat),
                        n((b / bpp - 1e-6).ceil().max(0.0).max(floor)),
                        n(b)
                    ),
                );
            }
            if let Some(u) = utilization {
                let expected = if capacity > 0.0 { b / capacity } else { 0.0 };
                if differs6(u, expected) {
                    c.add(
                        Check::Kpi,
                        format!(
                            "site {}: utilization {}, recomputed {} ({} batches / ({} x {} batches each))",
                            site.id,
                            n(u),
                            n(expected),
                            n(b),
                            platforms_text(nplat),
                            n(bpp)
                        ),
                    );
                }
            }
            if b + 1e-6 < min_utilization * capacity {
                c.add(
                    Check::Policy,
                    format!(
                        "site {} uses {} of its {} batches of capacity, below policy.min_utilization = {}",
                        site.id,
                        n(b),
                        n(capacity),
                        n(min_utilization)
                    ),
                );
            }
            let model = MODELS[k];
            setup += t.setup[k] * t.crf;
            fixed += p.kind(t.kind, &format!("site.fixed_cost_{model}"));
            platform_cost += nplat * p.kind(t.kind, &format!("platform.cost_{model}"));
            batch_cost += b * p.kind(t.kind, &format!("batch.cost_{model}"));
            open += 1;
            platforms_total += nplat;
            if k == 0 {
                owned += 1;
            } else {
                franchise += 1;
            }
        }
        for (s, site) in instance.sites.iter().enumerate() {
            if listed[s].is_none() {
                c.add(
                    Check::Plan,
                    format!(
                        "site {} of sites.csv is missing from the plan's {}",
                        site.id, y.sites_path
                    ),
                );
            }
        }
        let min_sites = p.get("policy.min_sites");
        let max_sites = p.get("policy.max_sites");
        // the site count floor holds from the first year new sites can produce
        if y.producing && (open as f64) < min_sites {
            c.add(
                Check::Policy,
                format!(
                    "{open} sites are open, fewer than policy.min_sites = {}",
                    n(min_sites)
                ),
            );
        }
        if max_sites >= 0.0 && open as f64 > max_sites {
            c.add(
                Check::Policy,
                format!(
                    "{open} sites are open, more than policy.max_sites = {}",
                    n(max_sites)
                ),
            );
        }
        let share = p.get("policy.max_franchise_share");
        if franchise as f64 > share * open as f64 + 1e-9 {
            c.add(
                Check::Policy,
                format!(
                    "{franchise} of {open} open sites are franchised, above policy.max_franchise_share = {}",
                    n(share)
                ),
            );
        }
        let unserved_total: f64 = unserved.iter().sum();
        let lines = [
            setup,
            fixed,
            platform_cost,
            batch_cost,
            transport,
            patient_travel,
            unserved_total * p.get("demand.unserved_penalty"),
        ];

        // ---- KPIs
        let patients_demand: f64 = y.demand.iter().sum();
        let patients_served: f64 = served.iter().sum();
        let k = y.kpis;
        let kpi = |c: &mut Checker, key: &str, expected: Option<f64>, money: bool| {
            let path = format!("{}.{key}", y.kpis_path);
            let Some(got) = c.opt_num(&k[key], &path) else {
                return;
            };
            let bad = match (got, expected) {
                (Some(g), Some(e)) => {
                    if money {
                        cost_differs(g, e)
                    } else {
                        unbalanced(g, e)
                    }
                }
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
        };
        kpi(c, "patients_demand", Some(patients_demand), false);
        // a plan made before in vivo patients were modelled may lack the KPI
        if !k["patients_in_vivo"].is_null() || y.in_vivo > 1e-6 {
            kpi(c, "patients_in_vivo", Some(y.in_vivo), false);
        }
        kpi(c, "patients_served", Some(patients_served), false);
        let coverage = if patients_demand > 0.0 {
            patients_served / patients_demand
        } else {
            1.0
        };
        kpi(c, "coverage", Some(coverage), false);
        kpi(c, "batches", Some(batches_total), false);
        kpi(c, "sites_open", Some(open as f64), false);
        kpi(c, "owned", Some(owned as f64), false);
        kpi(c, "franchise", Some(franchise as f64), false);
        kpi(c, "platforms", Some(platforms_total), false);
        let has_batches = batches_total > 0.0;
        kpi(
            c,
            "mean_vein_to_vein_days",
            has_batches.then(|| v2v_weight / batches_total),
            false,
        );
        kpi(c, "max_vein_to_vein_days", v2v_max, false);
        // against the plan's own cost of the year (its lines are checked on their own)
        let plan_cost = |key: &str| y.cost[key].as_f64().filter(|x| x.is_finite());
        let penalty_line = plan_cost("unmet_penalty").unwrap_or(0.0);
        let per_patient = match plan_cost("total") {
            Some(t) if patients_served > 1e-6 => Some((t - penalty_line) / patients_served),
            _ => None,
        };
        if patients_served > 1e-6 || k["cost_per_patient"].is_null() {
            kpi(c, "cost_per_patient", per_patient, true);
        }

        YearOutcome {
            sites: site_years,
            lines,
            patient_flows: y.patient_flows.len(),
            batch_flows: y.batch_flows.len(),
            sites_listed: plan_sites.len(),
        }
    }
}
