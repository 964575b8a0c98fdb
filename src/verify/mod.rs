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
//! A multi-year plan (`horizon.years` > 1) is checked year by year with the same
//! checks, against each year's demand (demand.csv grown by `horizon.growth` or a point's growth
//! column, less the in vivo share of `demand.in_vivo_share`), then across years: sites stay
//! open under one operating model, platforms are only added unless `horizon.platform_removal`,
//! new sites produce only after `horizon.lead_years` (and `policy.min_sites` holds from then),
//! each year's cost lines with the setup annualized or paid upfront in the decision year, the
//! discount factors and the net present value (the top-level cost), each year's `opened`, the
//! sites' `opened_year`, and the top-level KPIs and sites against the final year's.
//!
//! A two-stage plan (DESIGN §10, a `stochastic` object and `scenarios[]`) is checked scenario by
//! scenario with the same checks, each against its own data (demand.csv scaled by the
//! scenario's `demand.scale`, its `demand.patients` as they are) and its own recorded scenario,
//! then as a whole: every scenario keeps the one design (the plan's `sites`), the probabilities,
//! the expected cost lines, RP, VSS, EVPI, CVaR and the regret table (see `stochastic`).
//!
//! Every problem found is a [`Violation`] that names what it checked, the ids involved, the
//! plan's number, the recomputed one and the parameter or file it comes from.
//!
//! The files, in the order a check runs: `plan_file` and `sources` read the plan, its data and
//! its scenario; `params`, `travel` and `horizon` re-derive what DESIGN §4 and §5 define;
//! `year` runs one year through `patients`, `batches`, `sites` and `kpis`; `years` checks
//! across years; `cost` recomputes the cost lines, their net present value and the solver's
//! figures; `stochastic` checks a two-stage plan's scenarios, each through the same steps, and
//! the rules across them; `checker` collects the violations and holds the tolerances.

mod batches;
mod checker;
mod cost;
mod horizon;
mod kpis;
mod params;
mod patients;
mod plan_file;
mod sites;
mod sources;
mod stochastic;
mod travel;
mod year;
mod years;

pub use plan_file::{
    DataMismatch, IdOf, Mismatch, check_data, check_data_named, load_instance, named_ids,
    parse_plan, read_plan, read_plan_bytes, refuse_repeated_flows, resolve_data,
};
pub use sources::{Sources, flatten, verify_file};

use crate::fs::folder::FolderError;
use crate::input::Instance;
use crate::input::error::InputErrors;
use crate::text::{printable, printable_path};
use checker::Checker;
use horizon::Horizon;
use params::Params;
use serde_json::Value;
use std::fmt;
use std::path::PathBuf;
use year::Ctx;
use years::Years;

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
    /// A two-stage plan's scenarios against its one design (the plan's `sites`).
    Design,
    /// A two-stage plan's probabilities: each at least 0, summing to 1.
    Probability,
    /// A two-stage plan's cost lines against the probability-weighted scenario cost lines.
    ExpectedCost,
    /// The measures of a two-stage plan: RP, VSS, EVPI, the scenario count, CVaR and the
    /// objective it blends.
    Measures,
    /// A two-stage plan's regret table.
    Regret,
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
            Check::Design => "design",
            Check::Probability => "probability",
            Check::ExpectedCost => "expected_cost",
            Check::Measures => "measures",
            Check::Regret => "regret",
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
    /// Scenarios of a two-stage plan checked (0 for a plan of one scenario).
    pub scenarios: usize,
}

impl Verification {
    pub fn holds(&self) -> bool {
        self.violations.is_empty()
    }

    /// One line on what was checked, for a plan that holds.
    pub fn summary(&self) -> String {
        if self.scenarios > 0 {
            return format!(
                "one design of {} sites shared by {} scenarios, {} patient flows and {} batch \
                 flows checked against each scenario's data; every limit holds in every scenario, \
                 the expected cost lines, RP, VSS, EVPI and the regret table agree to the cent",
                self.sites, self.scenarios, self.patient_flows, self.batch_flows
            );
        }
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

/// Checks `plan` (plan.json, parsed) against `instance` under `scenario` (a scenario as plan.json
/// records it: the §4 groups and the per-kind overrides by dotted key).
///
/// A multi-year plan (`horizon.years` > 1) is checked year by year with the single-year checks,
/// then across years: sites stay open under one operating model, platforms are only added
/// (unless `horizon.platform_removal`), new sites produce only after `horizon.lead_years`, each
/// year's cost lines (setup annualized or upfront in the decision year), the discount factors and
/// the net present value, each year's `opened`, the sites' `opened_year`, and the top-level KPIs
/// and sites against the final year's.
///
/// A two-stage plan (with `stochastic`) is checked scenario by scenario against each one's own
/// data and recorded parameters (`scenario` is then not read), and across its scenarios (see
/// the module's documentation).
pub fn verify(plan: &Value, instance: &Instance, scenario: &Value) -> Verification {
    let mut c = Checker {
        violations: Vec::new(),
    };
    let p = Params {
        scenario,
        missing: std::cell::RefCell::new(Vec::new()),
    };
    let status = header(&mut c, plan, instance);
    if stochastic::is_two_stage(plan) {
        let checked = stochastic::two_stage(&mut c, plan, instance);
        cost::solver_figures(&mut c, plan, status, checked.objective);
        return finish(c, p, checked.body);
    }
    let (body, p) = body(&mut c, plan, instance, p, year::Within::default());
    cost::solver_figures(&mut c, plan, status, body.total);
    finish(c, p, body)
}

/// What the checks of one plan (or one scenario of a two-stage plan) counted.
#[derive(Debug, Clone, Copy, Default)]
struct Body {
    patient_flows: usize,
    batch_flows: usize,
    sites: usize,
    years: usize,
    scenarios: usize,
    /// The plan's total cost, when it is a number.
    total: Option<f64>,
}

/// Every check of `plan`'s sites, flows, cost lines and KPIs against `instance` under `p`, year
/// by year and across years; `p` is handed back for the keys found missing. `within`: what a
/// scenario of a two-stage plan changes.
fn body<'a>(
    c: &mut Checker,
    plan: &Value,
    instance: &'a Instance,
    p: Params<'a>,
    within: year::Within,
) -> (Body, Params<'a>) {
    let plan_years = plan["years"].as_array();
    let horizon = Horizon::read(c, &p, plan_years.map(Vec::len));
    let mut ctx = Ctx::new(instance, p, horizon.lead_years);
    ctx.within = within;
    let years = Years {
        count: horizon.years,
        multi: horizon.years > 1,
    };
    if !years::years_listed(c, plan_years, years) {
        let body = Body {
            years: years.count,
            ..Body::default()
        };
        return (body, ctx.p);
    }
    years::year_numbers(c, plan, years, &horizon);
    let outcomes = years::each_year(c, plan, &ctx, &horizon, years);
    years::stays_open(c, instance, &outcomes, horizon.platform_removal);
    let first_open = years::first_open(instance.sites.len(), &outcomes);
    if years.multi {
        years::opened_lists(c, plan, &ctx, years, &first_open);
        years::final_kpis_on_top(c, plan, years.count);
        years::final_sites_on_top(c, plan, &ctx, &first_open, years.count);
    }
    let year_lines = cost::year_lines(&outcomes, &horizon, &first_open, &ctx.sp);
    let rounding: Vec<[f64; 7]> = outcomes.iter().map(|o| o.rounding).collect();
    cost::cost_lines(c, plan, years, &horizon, (&year_lines, &rounding));
    let total = cost::npv(c, plan, years, &horizon, (&year_lines, &rounding));
    let sites = if years.multi {
        plan["sites"].as_array().map_or(0, Vec::len)
    } else {
        outcomes.first().map_or(0, |o| o.sites_listed)
    };
    let body = Body {
        patient_flows: outcomes.iter().map(|o| o.patient_flows).sum(),
        batch_flows: outcomes.iter().map(|o| o.batch_flows).sum(),
        sites,
        years: years.count,
        scenarios: 0,
        total,
    };
    (body, ctx.p)
}

/// The plan's header: the solver's status (handed back) and the instance's size.
fn header<'v>(c: &mut Checker, plan: &'v Value, instance: &Instance) -> &'v str {
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
    status
}

/// Reports the scenario keys that were missing and hands back the outcome.
fn finish(mut c: Checker, p: Params<'_>, body: Body) -> Verification {
    missing_keys(&mut c, p);
    Verification {
        violations: c.violations,
        notes: Vec::new(),
        patient_flows: body.patient_flows,
        batch_flows: body.batch_flows,
        sites: body.sites,
        years: body.years,
        scenarios: body.scenarios,
    }
}

/// The scenario keys `p` was asked for and does not have, as one violation.
fn missing_keys(c: &mut Checker, p: Params<'_>) {
    let mut m = p.missing.into_inner();
    if m.is_empty() {
        return;
    }
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
