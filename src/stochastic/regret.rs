//! The measures around a two-stage plan: each scenario's own optimum (WS), the expected-value
//! design in every scenario (EEV), and the regret table of candidate designs.

use super::evaluate::{Evaluation, evaluate_all, par_map, solve_fixed};
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
    /// Σ π_ω · (a proven lower bound on scenario ω's optimum), when each has one: a lower bound
    /// on the recourse problem too (no design does better than perfect foresight).
    pub bound: Option<f64>,
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

/// WS: every scenario solved alone, `jobs` at a time, each within `seconds` (no limit: `None`)
/// and started from the design `start` (the expected-value design) where it serves the
/// scenario; the reasons, by scenario, when some scenario has no plan even alone.
pub fn wait_and_see(
    futures: &Futures,
    options: &SolveOptions,
    jobs: usize,
    start: Option<&Design>,
    seconds: Option<f64>,
) -> Result<Result<WaitAndSee, Vec<String>>, SolveError> {
    let one = SolveOptions {
        threads: Some(SCENARIO_SOLVER_THREADS),
        time_limit: seconds,
        started: None,
        ..options.clone()
    };
    let outcomes = par_map(jobs, &futures.list, |f| own_from(f, &one, start));
    let mut plans = Vec::with_capacity(outcomes.len());
    let mut proven = Vec::with_capacity(outcomes.len());
    let mut bound = Some(0.0);
    let mut reasons = Vec::new();
    for (f, outcome) in futures.list.iter().zip(outcomes) {
        match outcome? {
            Own::Plan(p, lower) => {
                proven.push(lower == Some(p.cost.total));
                bound = bound.zip(lower).map(|(sum, b)| sum + f.probability * b);
                plans.push(*p);
            }
            Own::Infeasible(why) => reasons.push(format!(
                "scenario {} has no plan even alone: {}",
                crate::text::printable(&f.id),
                why.join("; ")
            )),
            Own::Unknown => return Err(no_plan(f)),
        }
    }
    if !reasons.is_empty() {
        return Ok(Err(reasons));
    }
    let costs: Vec<f64> = plans.iter().map(|p| p.cost.total).collect();
    Ok(Ok(WaitAndSee {
        expected: expected_cost(&futures.list, &costs),
        proven: proven.iter().all(|&p| p),
        bound,
        costs,
        designs: plans.iter().map(|p| design_of(&p.sites)).collect(),
        plans,
    }))
}

impl WaitAndSee {
    /// Each scenario's own cost lowered to the least cost of a design met since in it
    /// (`known`'s, and the plan's own `plan_costs`): perfect foresight does at least as well as
    /// any design, so where a scenario's own MIP stopped at a worse plan the smaller figure is
    /// the truer one (and EVPI stays ≥ 0).
    pub fn tighten(&mut self, futures: &Futures, known: &Known, plan_costs: &[f64]) {
        for (s, own) in self.costs.iter_mut().enumerate() {
            let met = known
                .iter()
                .filter_map(|(_, c)| c.get(s).copied().flatten());
            let least = met.chain(plan_costs.get(s).copied()).fold(*own, f64::min);
            *own = least;
        }
        self.expected = expected_cost(&futures.list, &self.costs);
    }
}

/// A scenario's best plan of its own, and a proven lower bound on its optimum (the plan's own
/// cost when it is proven optimal).
enum Own {
    Plan(Box<Plan>, Option<f64>),
    Infeasible(Vec<String>),
    /// No plan within the time, and the start design cannot serve the scenario.
    Unknown,
}

/// One scenario alone, its MIP started from `start`'s flows in the scenario; when the MIP ends
/// without a plan, or with a worse one, the start's plan (feasible, not proven optimal).
fn own_from(
    future: &Future,
    options: &SolveOptions,
    start: Option<&Design>,
) -> Result<Own, SolveError> {
    // the start's flows are an LP outside the MIP's time: a fallback that never runs out
    let fixed = match start {
        Some(d) => Some(solve_fixed(future, d, options, None)?),
        None => None,
    };
    let initial = fixed
        .as_ref()
        .filter(|x| !x.values.is_empty())
        .map(|x| std::sync::Arc::new(x.values.clone()));
    let with_start = SolveOptions {
        initial_solution: initial,
        ..options.clone()
    };
    let fallback = fixed.and_then(|x| match x.evaluation {
        Evaluation::Plan(p) => Some(*p),
        Evaluation::Infeasible(_) => None,
    });
    Ok(match (own_outcome(future, &with_start)?, fallback) {
        (Outcome::Infeasible { reasons, .. }, _) => Own::Infeasible(reasons),
        (Outcome::Plan(p), _) if p.solver.status == Status::Optimal => {
            let cost = p.cost.total;
            Own::Plan(p, Some(cost))
        }
        (Outcome::Plan(p), Some(f)) if f.cost.total < p.cost.total => {
            let bound = p.solver.best_bound;
            Own::Plan(Box::new(f), bound)
        }
        (Outcome::Plan(p), _) => {
            let bound = p.solver.best_bound;
            Own::Plan(p, bound)
        }
        (Outcome::NoSolution { best_bound, .. }, Some(f)) => Own::Plan(Box::new(f), best_bound),
        (Outcome::NoSolution { .. }, None) => Own::Unknown,
    })
}

/// The expected-value future's own plan (its optimal design is the EV design).
pub fn expected_plan(futures: &Futures, options: &SolveOptions) -> Result<Plan, SolveError> {
    own_plan(&futures.expected, options)
}

/// EEV: the expected-value future's optimal design (its `plan`), evaluated in every scenario.
pub fn expected_value(
    futures: &Futures,
    plan: Plan,
    options: &SolveOptions,
    jobs: usize,
) -> Result<ExpectedValue, SolveError> {
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
    all.map(|c| expected_cost(list, &c))
}

/// Σ π_ω · cost_ω, to the cent.
fn expected_cost(list: &[Future], costs: &[f64]) -> f64 {
    let e = list.iter().zip(costs).map(|(f, c)| f.probability * c).sum();
    crate::plan::round_cents(e)
}

/// Designs met so far, each with its cost in every scenario (`None` where it cannot serve one).
pub type Known = Vec<(Design, Vec<Option<f64>>)>;

/// A design's cost in every scenario (`None` where it cannot serve one).
pub type Measure<'m> = dyn FnMut(&Design) -> Result<Vec<Option<f64>>, SolveError> + 'm;

/// Measures a design by its plan in every scenario ([`evaluate_all`]).
pub fn by_plans<'m>(
    futures: &'m Futures,
    options: &'m SolveOptions,
    jobs: usize,
) -> impl FnMut(&Design) -> Result<Vec<Option<f64>>, SolveError> + 'm {
    move |d| {
        let e = evaluate_all(&futures.list, d, options, jobs)?;
        Ok(e.iter().map(Evaluation::cost).collect())
    }
}

/// The expected-value design, the first [`REGRET_SCENARIO_DESIGNS`] scenarios' own designs and
/// the hedging design made from them ([`super::hedge`]), each measured in every scenario once
/// (a design met before is not measured again).
pub fn candidates(
    futures: &Futures,
    ws: &WaitAndSee,
    ev: &ExpectedValue,
    measure: &mut Measure<'_>,
) -> Result<Known, SolveError> {
    let mut known: Known = vec![(ev.design.clone(), ev.costs.clone())];
    for d in ws.designs.iter().take(REGRET_SCENARIO_DESIGNS) {
        if known.iter().any(|(k, _)| k == d) {
            continue;
        }
        known.push((d.clone(), measure(d)?));
    }
    // the hedging design: a start for the recourse solve far better than the others
    if let Some(d) = super::hedge::design(&ws.designs, &futures.list)
        && !known.iter().any(|(k, _)| *k == d)
    {
        let costs = measure(&d)?;
        known.push((d, costs));
    }
    Ok(known)
}

/// The candidate with the least expected cost, among those that serve every scenario, with
/// that cost.
pub fn best<'a>(known: &'a Known, futures: &Futures) -> Option<(&'a Design, f64)> {
    known
        .iter()
        .filter_map(|(d, c)| Some((d, expectation(&futures.list, c)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Instance;
    use crate::input::uncertainty::{BaseModel, ScenarioSet};

    /// The demo in two futures (demand ×0.8 and ×1.2).
    fn demo_futures() -> Futures {
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
        let instance = Instance::load(&data).unwrap();
        let base = BaseModel {
            text: "",
            file: "scenario.toml",
            cli: &[],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scenarios.csv");
        std::fs::write(&path, "id,demand.scale\nlow,0.8\nhigh,1.2\n").unwrap();
        let set = ScenarioSet::load_csv(&path, Some(&data), &instance, &base).unwrap();
        super::super::futures(&set, &instance, &base).unwrap()
    }

    /// Scenarios whose own MIPs run out of time keep the best plan known (at worst the start
    /// design's), and WS says it is not proven, instead of failing the solve.
    #[test]
    fn wait_and_see_out_of_time_keeps_the_start_design_and_is_not_proven() {
        let fs = demo_futures();
        let options = SolveOptions::default();
        let ev = expected_plan(&fs, &options).unwrap();
        let start = design_of(&ev.sites);
        let proven = wait_and_see(&fs, &options, 2, Some(&start), None)
            .unwrap()
            .unwrap();
        assert!(proven.proven);
        let hurried = wait_and_see(&fs, &options, 2, Some(&start), Some(1e-3))
            .unwrap()
            .unwrap();
        assert!(!hurried.proven);
        let starts = evaluate_all(&fs.list, &start, &options, 1).unwrap();
        for ((best, quick), s) in proven.costs.iter().zip(&hurried.costs).zip(&starts) {
            let s = s.cost().unwrap();
            assert!(*quick <= s + 0.01, "{quick} is worse than the start's {s}");
            assert!(*quick >= best - 0.01, "{quick} is below the optimum {best}");
        }
    }

    /// WS lowered by the designs met later: scenario 0 keeps its own 10 (no design beats it),
    /// scenario 1 takes a known design's 15 over its own 20 and the plan's 18; equally likely,
    /// WS = (10 + 15) / 2 = 12.5.
    #[test]
    fn wait_and_see_takes_the_least_cost_met_in_each_scenario() {
        let fs = demo_futures();
        let mut ws = WaitAndSee {
            expected: 15.0,
            proven: false,
            bound: None,
            costs: vec![10.0, 20.0],
            designs: Vec::new(),
            plans: Vec::new(),
        };
        let some = Design { sites: Vec::new() };
        let known: Known = vec![
            (some.clone(), vec![Some(12.0), Some(15.0)]),
            (some, vec![Some(11.0), None]),
        ];
        ws.tighten(&fs, &known, &[11.0, 18.0]);
        assert_eq!(ws.costs, vec![10.0, 15.0]);
        assert_eq!(ws.expected, 12.5);
    }
}
