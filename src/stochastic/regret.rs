//! The measures around a two-stage plan: each scenario's own optimum (WS), the expected-value
//! design in every scenario (EEV), and the regret table of candidate designs.

use super::evaluate::{Evaluation, evaluate_all, par_map};
use super::{Future, Futures, SCENARIO_SOLVER_THREADS};
use crate::Outcome;
use crate::model::Design;
use crate::plan::scenarios::design_of;
use crate::plan::{Plan, Provenance, RegretRow, ScenarioPlan, SitePlan};
use crate::solve::{SolveError, SolveOptions, Status};

/// Scenarios whose own optimal design gets a row in the regret table, at most.
pub const REGRET_SCENARIO_DESIGNS: usize = 50;

/// Perfect foresight: each scenario's own optimum.
pub struct WaitAndSee {
    /// Σ π_ω · (scenario ω's optimal cost).
    pub expected: f64,
    /// Whether every scenario's optimum was proven.
    pub proven: bool,
    pub costs: Vec<f64>,
    pub designs: Vec<Design>,
    pub plans: Vec<Plan>,
}

/// The expected-value design and its cost in every scenario.
pub struct ExpectedValue {
    /// EEV: its expected cost, when it serves every scenario.
    pub expected: Option<f64>,
    pub design: Design,
    pub sites: Vec<SitePlan>,
    pub costs: Vec<Option<f64>>,
}

/// One scenario solved alone.
fn own_outcome(future: &Future, options: &SolveOptions) -> Result<Outcome, SolveError> {
    let none = Provenance {
        data: "",
        model: "",
    };
    crate::optimize(
        &future.instance,
        &future.scenario,
        &future.network,
        options,
        none,
    )
}

/// The error of a scenario without a plan of its own within the limits.
fn no_plan(future: &Future) -> SolveError {
    SolveError::Solver(format!(
        "scenario {} has no plan of its own within the time limit",
        crate::text::printable(&future.id)
    ))
}

/// One scenario's own plan, or an error naming it.
fn own_plan(future: &Future, options: &SolveOptions) -> Result<Plan, SolveError> {
    match own_outcome(future, options)? {
        Outcome::Plan(p) => Ok(*p),
        _ => Err(no_plan(future)),
    }
}

/// WS: every scenario solved alone, `jobs` at a time; the reasons, by scenario, when some
/// scenario has no plan even alone.
pub fn wait_and_see(
    futures: &Futures,
    options: &SolveOptions,
    jobs: usize,
) -> Result<Result<WaitAndSee, Vec<String>>, SolveError> {
    let one = SolveOptions {
        threads: Some(SCENARIO_SOLVER_THREADS),
        ..options.clone()
    };
    let outcomes = par_map(jobs, &futures.list, |f| own_outcome(f, &one));
    let mut plans = Vec::with_capacity(outcomes.len());
    let mut reasons = Vec::new();
    for (f, outcome) in futures.list.iter().zip(outcomes) {
        match outcome? {
            Outcome::Plan(p) => plans.push(*p),
            Outcome::Infeasible { reasons: why, .. } => reasons.push(format!(
                "scenario {} has no plan even alone: {}",
                crate::text::printable(&f.id),
                why.join("; ")
            )),
            Outcome::NoSolution { .. } => return Err(no_plan(f)),
        }
    }
    if !reasons.is_empty() {
        return Ok(Err(reasons));
    }
    let costs: Vec<f64> = plans.iter().map(|p| p.cost.total).collect();
    let expected = futures
        .list
        .iter()
        .zip(&costs)
        .map(|(f, c)| f.probability * c)
        .sum();
    Ok(Ok(WaitAndSee {
        expected: crate::plan::round_cents(expected),
        proven: plans.iter().all(|p| p.solver.status == Status::Optimal),
        costs,
        designs: plans.iter().map(|p| design_of(&p.sites)).collect(),
        plans,
    }))
}

/// EEV: the expected-value future's optimal design, evaluated in every scenario.
pub fn expected_value(
    futures: &Futures,
    options: &SolveOptions,
    jobs: usize,
) -> Result<ExpectedValue, SolveError> {
    let plan = own_plan(&futures.expected, options)?;
    let design = design_of(&plan.sites);
    let evaluations = evaluate_all(&futures.list, &design, options, jobs)?;
    let costs: Vec<Option<f64>> = evaluations.iter().map(Evaluation::cost).collect();
    Ok(ExpectedValue {
        expected: expectation(&futures.list, &costs),
        design,
        sites: plan.sites,
        costs,
    })
}

/// Σ π_ω · cost_ω, when every scenario has a cost.
fn expectation(list: &[Future], costs: &[Option<f64>]) -> Option<f64> {
    let all: Option<Vec<f64>> = costs.iter().copied().collect();
    all.map(|c| {
        let e = list.iter().zip(c).map(|(f, c)| f.probability * c).sum();
        crate::plan::round_cents(e)
    })
}

/// Designs met so far, each with its cost in every scenario (`None` where it cannot serve one).
pub type Known = Vec<(Design, Vec<Option<f64>>)>;

/// The expected-value design and the first [`REGRET_SCENARIO_DESIGNS`] scenarios' own designs,
/// each evaluated in every scenario once (a design met before is not evaluated again).
pub fn candidates(
    futures: &Futures,
    ws: &WaitAndSee,
    ev: &ExpectedValue,
    options: &SolveOptions,
    jobs: usize,
) -> Result<Known, SolveError> {
    let mut known: Known = vec![(ev.design.clone(), ev.costs.clone())];
    for d in ws.designs.iter().take(REGRET_SCENARIO_DESIGNS) {
        if known.iter().any(|(k, _)| k == d) {
            continue;
        }
        let e = evaluate_all(&futures.list, d, options, jobs)?;
        known.push((d.clone(), e.iter().map(Evaluation::cost).collect()));
    }
    Ok(known)
}

/// The candidate with the least expected cost, among those that serve every scenario.
pub fn best<'a>(known: &'a Known, futures: &Futures) -> Option<&'a Design> {
    known
        .iter()
        .filter_map(|(d, c)| Some((d, expectation(&futures.list, c)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(d, _)| d)
}

/// The regret table: this plan, the expected-value design, and the first
/// [`REGRET_SCENARIO_DESIGNS`] scenarios' own designs, with their costs in every scenario
/// (from `known`, see [`candidates`]).
pub fn table(
    futures: &Futures,
    scenarios: &[ScenarioPlan],
    ws: &WaitAndSee,
    ev: &ExpectedValue,
    known: &Known,
) -> Vec<RegretRow> {
    let probabilities: Vec<f64> = futures.list.iter().map(|f| f.probability).collect();
    let own: Vec<Option<f64>> = scenarios.iter().map(|s| Some(s.cost.total)).collect();
    let row = |name: String, sites: &[SitePlan], costs: Vec<Option<f64>>| {
        RegretRow::new(name, sites, costs, &probabilities, &ws.costs)
    };
    let mut rows = vec![
        row("this plan".into(), &scenarios[0].sites, own),
        row("expected value".into(), &ev.sites, ev.costs.clone()),
    ];
    let candidates = futures.list.iter().zip(&ws.plans).zip(&ws.designs);
    for ((f, plan), d) in candidates.take(REGRET_SCENARIO_DESIGNS) {
        let costs = known
            .iter()
            .find(|(k, _)| k == d)
            .map(|(_, c)| c.clone())
            .expect("every scenario's design is a candidate");
        rows.push(row(format!("scenario {}", f.id), &plan.sites, costs));
    }
    rows
}
