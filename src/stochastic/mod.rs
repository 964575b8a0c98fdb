//! Two-stage planning under uncertainty (DESIGN §10). The design (sites, operating models,
//! platforms) is decided once for all scenarios; each scenario's flows follow it. As
//! [`crate::optimize`] does for one scenario, this runs the pipeline: the recourse problem
//! (RP) by its extensive form, the design's plan in each scenario, each scenario's own optimum
//! (WS), the expected-value design in every scenario (EEV), and the regret table.

pub mod estimate;
pub mod evaluate;
mod futures;
mod hedge;
mod lagrange;
mod regret;
mod rp;
mod search;

use crate::Outcome;
use crate::input::{Instance, Scenario};
use crate::model::Design;
use crate::model::stochastic::{Block, Risk};
use crate::network::Network;
use crate::plan::scenarios::ScenarioDemand;
use crate::plan::scenarios::design_of;
use crate::plan::scenarios::{cvar, expected_kpis, expected_sites};
use crate::plan::{Cost, Plan, Provenance, RiskMeasures, ScenarioPlan, Stochastic};
use crate::solve::{self, OPTIMAL_GAP, SolveError, SolveOptions, Status, budget};
pub use evaluate::{Evaluation, evaluate, evaluate_all};
pub use futures::{futures, list as future_list};

/// Solver threads per scenario when scenarios are solved side by side: the cores go to the
/// scenarios, and a fixed count keeps results independent of `--jobs`.
pub const SCENARIO_SOLVER_THREADS: u32 = 1;

/// One future: its data (the base instance and scenario with its changes) and probability.
pub struct Future {
    pub id: String,
    pub probability: f64,
    /// What the scenario does to demand: the scale, and patients per demand id that replace
    /// the scaled ones (recorded in the plan so `verify` can rebuild the scenario's data).
    pub demand_scale: f64,
    pub demand_patients: std::collections::BTreeMap<String, f64>,
    pub instance: Instance,
    pub scenario: Scenario,
    pub network: Network,
}

/// The futures a two-stage plan is made for.
pub struct Futures {
    pub list: Vec<Future>,
    /// The expected-value future: every uncertain value at its expectation.
    pub expected: Future,
    /// Where the scenarios came from (a file, or a sampling), for the plan.
    pub origin: String,
    pub risk: Option<Risk>,
}

/// How a two-stage solve runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoStageOptions {
    /// Scenarios solved side by side (each on one solver thread).
    pub jobs: usize,
    /// How the recourse problem is solved; `None` chooses ([`method`]).
    pub method: Option<Method>,
}

/// Why a scenario cannot be part of a two-stage plan, if it cannot: the design is one network
/// for one year.
pub fn unsupported(scenario: &Scenario) -> Option<&'static str> {
    if scenario.horizon.years > 1 {
        Some("horizon.years > 1 (plan a horizon or uncertainty, not both)")
    } else if scenario.horizon.setup_charge() == crate::input::scenario::SetupCharge::Upfront {
        Some("horizon.setup = \"upfront\" (a two-stage plan annualizes the setup)")
    } else {
        None
    }
}

/// Makes the two-stage plan: the design minimising the first-stage cost plus the expected
/// second-stage cost (or the mean-CVaR blend), with the measures of §10.
pub fn optimize_two_stage(
    futures: &Futures,
    base: &Scenario,
    options: &SolveOptions,
    two_stage: &TwoStageOptions,
    provenance: Provenance<'_>,
) -> Result<Outcome, SolveError> {
    let jobs = two_stage.jobs;
    let started = std::time::Instant::now();
    let list = &futures.list;
    let shares = Shares::of(options, list.len(), jobs);
    let ev_options = SolveOptions {
        time_limit: shares.expected_value,
        started: None,
        ..options.clone()
    };
    let ev_plan = regret::expected_plan(futures, &ev_options);
    let start = ev_plan.as_ref().ok().map(|p| design_of(&p.sites));
    let mut ws =
        match regret::wait_and_see(futures, options, jobs, start.as_ref(), shares.each_own)? {
            Ok(ws) => ws,
            Err(reasons) => return Ok(infeasible(reasons, started)),
        };
    let evaluating = std::time::Instant::now();
    let eev = regret::expected_value(futures, ev_plan?, options, jobs)?;
    let start = search::Start {
        ws: &ws,
        eev: &eev,
        options,
        two_stage,
        relaxation: shares.relaxation,
        final_plans: FINAL_PLANS_MARGIN * evaluating.elapsed().as_secs_f64(),
    };
    let search::Searched { known, relaxed, rp } = match two_stage
        .method
        .unwrap_or_else(|| method(list))
    {
        Method::Decomposition if !decomposition_applies(list) => {
            return Err(SolveError::Solver(DECOMPOSITION_PREMISE.to_string()));
        }
        Method::Decomposition => search::by_decomposition(futures, &start)?,
        // the relaxation is what a solve may end with, not a way to ask for one
        Method::ExtensiveForm | Method::Relaxation => search::by_extensive_form(futures, &start)?,
    };
    let Some(design) = rp.design.clone() else {
        return Ok(match rp.infeasible {
            true => infeasible(vec![NO_SHARED_DESIGN.to_string()], started),
            false => Outcome::NoSolution {
                seconds: started.elapsed().as_secs_f64(),
                best_bound: rp.bound,
            },
        });
    };
    let plans = plans_of(list, &design, options, jobs)?;
    let template = plans[0].clone();
    let scenarios = scenario_plans(list, plans);
    let costs: Vec<f64> = scenarios.iter().map(|s| s.cost.total).collect();
    ws.tighten(futures, &known, &costs);
    let table = regret::table(futures, &scenarios, &ws, &eev, &known);
    let plan = assemble(Assembly {
        futures,
        base,
        template,
        rp: &rp,
        relaxation: relaxed,
        scenarios,
        ws: &ws,
        eev: eev.expected,
        table,
        provenance,
        seconds: started.elapsed().as_secs_f64(),
    });
    Ok(Outcome::Plan(Box::new(plan)))
}

/// The time kept from the recourse problem's solve for the design's plans in every scenario,
/// as a multiple of what the expected-value design's plans took (the same LPs, and the plan's
/// outputs after them): the run then ends within its limit (nationally, 20 futures, 300 s:
/// it ended at 309-320 s before, 300.9 s with 1.5).
const FINAL_PLANS_MARGIN: f64 = 2.0;

/// The time a two-stage solve's phases before the recourse problem may take, from its limit
/// (none without one); the recourse problem and the plans get what is left.
struct Shares {
    /// The expected-value scenario's MIP.
    expected_value: Option<f64>,
    /// Each scenario's own MIP (WS), `jobs` of them at a time.
    each_own: Option<f64>,
    /// The Lagrangian relaxation's subgradient search.
    relaxation: Option<f64>,
}

impl Shares {
    fn of(options: &SolveOptions, scenarios: usize, jobs: usize) -> Shares {
        let limit = options.time_limit;
        let side_by_side = jobs.clamp(1, scenarios.max(1)) as f64;
        Shares {
            expected_value: limit.map(|l| l * budget::EXPECTED_VALUE_SHARE),
            each_own: limit
                .map(|l| l * budget::WAIT_AND_SEE_SHARE * side_by_side / scenarios.max(1) as f64),
            relaxation: limit.map(|l| l * budget::TWO_STAGE_RELAXATION_SHARE),
        }
    }
}

/// Each scenario's plan of the design, as the two-stage plan records it.
fn scenario_plans(list: &[Future], plans: Vec<Plan>) -> Vec<ScenarioPlan> {
    list.iter()
        .zip(plans)
        .map(|(f, p)| {
            let demand = ScenarioDemand {
                scale: f.demand_scale,
                patients: f.demand_patients.clone(),
            };
            ScenarioPlan::from_plan(&f.id, f.probability, demand, p)
        })
        .collect()
}

/// Why the decomposition was refused.
const DECOMPOSITION_PREMISE: &str = "the decomposition needs every design to leave feasible \
     flows whose cost is an LP: use the extensive form with single sourcing, full coverage or a \
     minimum utilization";

/// When every scenario has a plan alone but one design cannot serve them all.
const NO_SHARED_DESIGN: &str = "every scenario has a plan alone, but no one design serves them \
     all (a first-stage constraint differs between scenarios)";

/// The model blocks of the futures.
fn blocks(list: &[Future]) -> Vec<Block<'_>> {
    list.iter()
        .map(|f| Block {
            instance: &f.instance,
            scenario: &f.scenario,
            network: &f.network,
            probability: f.probability,
        })
        .collect()
}

/// How the recourse problem is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The L-shaped method ([`crate::solve::benders`]): needs every design to leave feasible
    /// flows whose cost is an LP (no single sourcing, no full coverage, no minimum utilization).
    Decomposition,
    /// All scenarios in one MIP ([`crate::model::stochastic::build_extensive`]).
    ExtensiveForm,
    /// No solve: the best candidate design was already within the gap of the Lagrangian
    /// relaxation's bound ([`lagrange`]).
    Relaxation,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Decomposition => "decomposition",
            Method::ExtensiveForm => "extensive form",
            Method::Relaxation => "Lagrangian relaxation",
        }
    }
}

/// The extensive form where it is small: on the demo it proves the optimum 30 times sooner than
/// the decomposition, whose master problems are slow to solve (README, "Planning for uncertain
/// futures"); the decomposition where the extensive form is large and its premise holds
/// ([`decomposition_applies`]): nationally HiGHS gets nowhere with the extensive form of 20
/// futures in 5 minutes.
pub fn method(list: &[Future]) -> Method {
    let arcs: usize = list.iter().map(|f| f.network.graph.edge_count()).sum();
    if arcs > EXTENSIVE_ARCS_MOST && decomposition_applies(list) {
        Method::Decomposition
    } else {
        Method::ExtensiveForm
    }
}

/// The most arcs, over all futures, for the extensive form to be chosen: the demo's 50 futures
/// have ~35,000, the national instance's 20 about 2.5 million.
const EXTENSIVE_ARCS_MOST: usize = 500_000;

/// Whether the decomposition's premise holds in every scenario: each design leaves feasible
/// flows whose cost is an LP (no single sourcing, no full coverage, no minimum utilization).
pub fn decomposition_applies(list: &[Future]) -> bool {
    list.iter().all(|f| {
        let s = &f.scenario;
        !s.policy.single_sourcing && !s.demand.full_coverage && s.policy.min_utilization == 0.0
    })
}

/// The design's plan in every scenario (each must have one: the design came from them).
fn plans_of(
    list: &[Future],
    design: &Design,
    options: &SolveOptions,
    jobs: usize,
) -> Result<Vec<Plan>, SolveError> {
    evaluate_all(list, design, options, jobs)?
        .into_iter()
        .zip(list)
        .map(|(e, f)| match e {
            Evaluation::Plan(p) => Ok(*p),
            Evaluation::Infeasible(why) => Err(SolveError::Solver(format!(
                "the design found cannot serve scenario {}: {}",
                crate::text::printable(&f.id),
                why.join("; ")
            ))),
        })
        .collect()
}

/// A two-stage model without a plan, and why.
fn infeasible(reasons: Vec<String>, started: std::time::Instant) -> Outcome {
    Outcome::Infeasible {
        reasons,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// What the plan of a two-stage solve is made from.
struct Assembly<'a> {
    futures: &'a Futures,
    base: &'a Scenario,
    /// Scenario 0's plan: the header fields of the plan come from it.
    template: Plan,
    rp: &'a rp::Recourse,
    relaxation: Option<crate::plan::RelaxationBound>,
    scenarios: Vec<ScenarioPlan>,
    ws: &'a regret::WaitAndSee,
    eev: Option<f64>,
    table: Vec<crate::plan::RegretRow>,
    provenance: Provenance<'a>,
    seconds: f64,
}

/// The plan: the design with expected cost lines and KPIs, the scenarios, the measures, and the
/// solver's figures for the objective actually minimised (its bound from the extensive form).
fn assemble(a: Assembly<'_>) -> Plan {
    let scenarios = a.scenarios;
    let cost = Cost::expected(scenarios.iter().map(|s| (s.probability, &s.cost)));
    let probabilities: Vec<f64> = scenarios.iter().map(|s| s.probability).collect();
    let costs: Vec<f64> = scenarios.iter().map(|s| s.cost.total).collect();
    let risk = a.futures.risk.filter(|r| r.weight > 0.0).map(|r| {
        let c = cvar(&costs, &probabilities, r.alpha);
        RiskMeasures {
            cvar_alpha: r.alpha,
            risk_weight: r.weight,
            cvar: crate::plan::round_cents(c),
            objective: crate::plan::round_cents((1.0 - r.weight) * cost.total + r.weight * c),
        }
    });
    let objective = risk.as_ref().map_or(cost.total, |r| r.objective);
    let mut plan = a.template;
    plan.instance.data = a.provenance.data.to_string();
    plan.instance.model = a.provenance.model.to_string();
    plan.scenario = a.base.to_json();
    plan.solver = solver_info(a.rp, objective, a.seconds);
    plan.kpis = expected_kpis(&scenarios, &cost);
    plan.sites = expected_sites(&scenarios);
    plan.cost = cost;
    plan.patient_flows.clear();
    plan.batch_flows.clear();
    plan.unserved.clear();
    plan.stochastic = Some(Stochastic {
        origin: a.futures.origin.clone(),
        scenarios: scenarios.len(),
        rp: plan.cost.total,
        ws: a.ws.expected,
        ws_proven: a.ws.proven,
        eev: a.eev,
        vss: a.eev.map(|e| crate::plan::round_cents(e - plan.cost.total)),
        evpi: crate::plan::round_cents(plan.cost.total - a.ws.expected),
        method: a.rp.method.as_str().to_string(),
        iterations: a.rp.iterations,
        relaxation: a.relaxation,
        risk,
        regret: a.table,
    });
    plan.scenarios = scenarios;
    plan
}

/// The solver's figures for the plan's objective (its design's value in the scenarios), against
/// the recourse problem's bound; optimal only within [`OPTIMAL_GAP`].
fn solver_info(rp: &rp::Recourse, objective: f64, seconds: f64) -> crate::plan::SolverInfo {
    let bound = rp.bound.map(|b| b.min(objective));
    let gap = bound.map(|b| solve::relative_gap(objective, b));
    let status = match gap {
        Some(g) if g <= OPTIMAL_GAP => Status::Optimal,
        _ => Status::Feasible,
    };
    crate::plan::SolverInfo::new(&solve::Solution {
        status,
        objective: Some(objective),
        best_bound: bound,
        gap,
        seconds,
        highs_seconds: 0.0,
        values: Vec::new(),
        lagrangian: None,
        tree_nodes: None,
        basis: None,
    })
}
