//! The search for a plan, in its phases: the model handed to HiGHS, the Lagrangian relaxation,
//! the strengthening rows (up front or in cutting-plane rounds), the repair of the rounds' LP
//! point, and HiGHS's branch and bound, whose result is read back with its proven gap.

use super::budget::TimeBudget;
use super::highs::{
    Basis, LpData, Stop, add_cover_row, add_rows, configure, relax_integrality, run_failed,
    set_time_limit, watch, write_model,
};
use super::lagrangian::probe::{Relaxed, fix_sites, lagrangian};
use super::lagrangian::{Fixed, Outcome, Plan, Structure};
use super::separation::{repair, separate};
use super::{
    LAZY_ROWS_THRESHOLD, LAZY_ROWS_THRESHOLD_AFTER_FIXING, Lagrangian, LagrangianSummary,
    OPTIMAL_GAP, Solution, SolveError, SolveOptions, Status, interrupted, relative_gap,
};
use crate::model::{LazyRow, Problem};
use good_lp::solvers::highs::highs as highs_solver;
use good_lp::{Constraint, Expression, ProblemVariables, SolverModel};
use highs::{HighsModelStatus, HighsSolutionStatus, Model, SolvedModel};
use std::time::Instant;

/// A row of constants holds when it is violated by at most this (the model's own tolerance).
const CONSTANT_ROW_TOLERANCE: f64 = 1e-9;

/// What every [`Solution`] of one search shares: when it began, the time inside HiGHS, and what
/// the Lagrangian relaxation did.
struct Tally {
    start: Instant,
    highs_seconds: f64,
    lagrangian: Option<LagrangianSummary>,
}

impl Tally {
    /// A solution with this search's time and relaxation summary.
    fn solution(
        &self,
        status: Status,
        objective: Option<f64>,
        best_bound: Option<f64>,
        gap: Option<f64>,
        values: Vec<f64>,
    ) -> Solution {
        Solution {
            status,
            objective,
            best_bound,
            gap,
            seconds: self.start.elapsed().as_secs_f64(),
            highs_seconds: self.highs_seconds,
            values,
            lagrangian: self.lagrangian.clone(),
            tree_nodes: None,
            basis: None,
        }
    }

    /// No plan and no bound.
    fn without_plan(&self, status: Status) -> Solution {
        self.solution(status, None, None, None, Vec::new())
    }

    /// The plan `values` of objective `z`, with `bound` (`-inf`: none) as its lower bound: optimal
    /// when their gap is at most [`OPTIMAL_GAP`].
    fn plan(&self, z: f64, bound: f64, values: Vec<f64>) -> Solution {
        let gap = relative_gap(z, bound);
        let status = if gap <= OPTIMAL_GAP {
            Status::Optimal
        } else {
            Status::Feasible
        };
        let best_bound = bound.is_finite().then_some(bound);
        self.solution(
            status,
            Some(z),
            best_bound,
            gap.is_finite().then_some(gap),
            values,
        )
    }
}

/// A phase either hands on what the next needs or ends the search with a solution.
enum Next<T> {
    Go(T),
    Done(Box<Solution>),
}

/// The search: HiGHS (after the Lagrangian relaxation or cutting-plane rounds where they run)
/// until the gap, the end of `budget`'s search or an interrupt. `plain` receives the model's
/// data before any phase changes it, for a MIP.
pub(super) fn search(
    p: Problem,
    options: &SolveOptions,
    budget: &TimeBudget,
    plain: &mut Option<LpData>,
) -> Result<Solution, SolveError> {
    let tally = Tally {
        start: Instant::now(),
        highs_seconds: 0.0,
        lagrangian: None,
    };
    // Declared before the model, so it is dropped after it: HiGHS holds a pointer to it.
    let stop = Stop {
        deadline: budget.search_end(),
        interrupts: true,
    };
    // HiGHS fills mip_dual_bound only for a MIP; for a pure LP it reads 0, not the LP's bound.
    let is_mip = has_integers(&p) && !p.integers_fixed;
    let rows_hold = !p.variables.is_empty() || constant_rows_hold(&p);
    // Ctrl-C before HiGHS has the model: handing it over is not interruptible and finds nothing.
    if interrupted() {
        return Ok(tally.without_plan(Status::NoSolution));
    }
    let Problem {
        variables,
        objective,
        constraints,
        lazy,
        count_rows,
        relaxation,
        integers_fixed,
    } = p;
    let mut model = into_highs(variables, objective, constraints)?;
    if integers_fixed {
        relax_integrality(&mut model);
    }
    if model.num_cols() == 0 {
        return Ok(empty_model(&tally, rows_hold));
    }
    configure(&mut model, options)?;
    if is_mip {
        *plain = Some(LpData::read(&mut model)?);
    }
    watch(&mut model, &stop)?;
    let phases = Phases {
        options,
        budget,
        stop: &stop,
        is_mip,
        tally,
    };
    phases.run(model, lazy, &count_rows, relaxation.as_ref())
}

/// The phases once HiGHS has the model, and what they share.
struct Phases<'a> {
    options: &'a SolveOptions,
    budget: &'a TimeBudget,
    stop: &'a Stop,
    is_mip: bool,
    tally: Tally,
}

impl Phases<'_> {
    /// The Lagrangian relaxation (where it runs; elsewhere the site count rows), the
    /// strengthening rows, the repair of the rounds' LP point (without a start), then HiGHS's
    /// branch and bound.
    fn run(
        mut self,
        mut model: Model,
        mut lazy: Vec<LazyRow>,
        count_rows: &[LazyRow],
        relaxation: Option<&Structure>,
    ) -> Result<Solution, SolveError> {
        let (options, budget, stop, is_mip) = (self.options, self.budget, self.stop, self.is_mip);
        let tally = &mut self.tally;
        let runs = is_mip && runs_lagrangian(options, &lazy);
        let relaxed = match relaxation.filter(|_| runs) {
            Some(structure) => {
                match relax(
                    &mut model, structure, &mut lazy, options, budget, stop, tally,
                )? {
                    Next::Go(relaxed) => Some(relaxed),
                    Next::Done(solution) => return Ok(*solution),
                }
            }
            None => None,
        };
        if is_mip && relaxed.is_none() && lazy.len() <= LAZY_ROWS_THRESHOLD {
            add_rows(&mut model, &count_rows.iter().collect::<Vec<_>>())?;
        }
        let (mut model, rounds) =
            match strengthen(model, &lazy, relaxed.is_some(), options, budget, tally)? {
                Next::Go(next) => next,
                Next::Done(solution) => return Ok(*solution),
            };
        let mut start_values = match relaxed.as_ref().and_then(|r| r.incumbent.as_ref()) {
            Some((_, values)) => Some(values.as_slice()),
            None => options.initial_solution.as_deref().map(Vec::as_slice),
        };
        let repaired;
        if rounds.separated && start_values.is_none() {
            let next = restart_repaired(model, &rounds, options, budget, stop, tally)?;
            (model, repaired) = match next {
                Next::Go(next) => next,
                Next::Done(solution) => return Ok(*solution),
            };
            start_values = repaired.as_deref();
        }
        let solved = branch_and_bound(model, is_mip, start_values, options, budget, stop, tally)?;
        read_result(&solved, is_mip, rounds.lp_bound, relaxed, tally)
    }
}

/// Whether the model has integer columns (a MIP).
fn has_integers(p: &Problem) -> bool {
    p.variables
        .iter_variables_with_def()
        .any(|(_, def)| def.is_integer())
}

/// The model handed over to HiGHS.
pub(super) fn into_highs(
    variables: ProblemVariables,
    objective: Expression,
    constraints: Vec<Constraint>,
) -> Result<Model, SolveError> {
    let mut problem = variables.minimise(objective).using(highs_solver);
    for c in constraints {
        problem.add_constraint(c);
    }
    problem
        .try_into_inner()
        .map_err(|e| SolveError::Solver(e.to_string()))
}

/// Whether a model without columns is feasible: each of its rows is a constant, which HiGHS
/// does not check (it answers ModelEmpty).
fn constant_rows_hold(p: &Problem) -> bool {
    p.constraints.iter().all(|c| {
        let k = c
            .expression()
            .eval_with(&std::collections::HashMap::<good_lp::Variable, f64>::new());
        if c.is_equality() {
            k.abs() <= CONSTANT_ROW_TOLERANCE
        } else {
            k <= CONSTANT_ROW_TOLERANCE
        }
    })
}

/// The solution of a model without columns.
fn empty_model(tally: &Tally, rows_hold: bool) -> Solution {
    if !rows_hold {
        return tally.without_plan(Status::Infeasible);
    }
    // Nothing to decide (no demand can move, no site can open): the empty plan is optimal.
    tally.solution(Status::Optimal, Some(0.0), Some(0.0), Some(0.0), Vec::new())
}

/// Whether `options` run the Lagrangian relaxation on a MIP with these strengthening rows.
fn runs_lagrangian(options: &SolveOptions, lazy: &[LazyRow]) -> bool {
    match options.lagrangian {
        Lagrangian::Auto => lazy.len() > LAZY_ROWS_THRESHOLD,
        Lagrangian::On => true,
        Lagrangian::Off => false,
    }
}

/// The Lagrangian relaxation phase: the covering row, the relaxation, its summary, and the
/// sites it fixed (with the rows they make redundant dropped from `lazy`). Done when its plan
/// is within the gap, or the search must stop.
fn relax(
    model: &mut Model,
    structure: &Structure,
    lazy: &mut Vec<LazyRow>,
    options: &SolveOptions,
    budget: &TimeBudget,
    stop: &Stop,
    tally: &mut Tally,
) -> Result<Next<Relaxed>, SolveError> {
    if structure.full_coverage {
        add_cover_row(model, structure)?;
    }
    let began = Instant::now();
    let outcome = lagrangian(
        model,
        structure,
        lazy,
        options,
        budget,
        stop,
        &mut tally.highs_seconds,
    )?;
    tally.lagrangian = Some(summary(&outcome, began));
    let fixed_cols = fix_sites(model, structure, &outcome.fixed);
    // a row whose sites are all fixed is implied by the columns' bounds
    lazy.retain(|r| r.terms[1..].iter().any(|(c, _)| !fixed_cols[*c]));
    if let Some((z, values)) = &outcome.incumbent {
        let bound = outcome.bound.min(*z);
        let gap = relative_gap(*z, bound);
        if gap <= options.gap || interrupted() || budget.search_over() {
            return Ok(Next::Done(Box::new(tally.plan(*z, bound, values.clone()))));
        }
    }
    Ok(Next::Go(Relaxed {
        bound: outcome.bound,
        incumbent: outcome.incumbent,
    }))
}

/// What the Lagrangian relaxation did, for the plan and the log.
fn summary(outcome: &Outcome, began: Instant) -> LagrangianSummary {
    let count = |state| outcome.fixed.iter().filter(|f| **f == Some(state)).count();
    LagrangianSummary {
        bound: outcome.bound,
        rounds: outcome.iterations,
        plans: outcome.probes,
        restricted_sites: outcome.restricted,
        best_plan: outcome.incumbent.as_ref().map(|(z, _)| *z),
        sites_closed: count(Fixed::Closed),
        sites_open: count(Fixed::Open),
        branch_nodes: outcome.proof.as_ref().map(|p| p.nodes),
        branch_finished: outcome.proof.as_ref().is_some_and(|p| p.complete),
        seconds: began.elapsed().as_secs_f64(),
    }
}

/// What the cutting-plane rounds left.
struct Rounds {
    /// Whether the rows were separated in rounds (rather than all given up front).
    separated: bool,
    /// The best LP bound of the rounds.
    lp_bound: Option<f64>,
    /// The rounds' last optimal LP point, to repair into a first plan.
    lp_point: Option<Vec<f64>>,
}

/// The strengthening rows: all up front, or, when there are many, only those the LP relaxation
/// violates in cutting-plane rounds: the model with its rows. Done (without a plan) when interrupted during the rounds.
fn strengthen(
    mut model: Model,
    lazy: &[LazyRow],
    relaxed: bool,
    options: &SolveOptions,
    budget: &TimeBudget,
    tally: &mut Tally,
) -> Result<Next<(Model, Rounds)>, SolveError> {
    // After site fixing the rows left belong to the few sites still free, most of which the
    // relaxation needs: giving them up front is faster there.
    let threshold = if relaxed {
        LAZY_ROWS_THRESHOLD_AFTER_FIXING
    } else {
        LAZY_ROWS_THRESHOLD
    };
    let separated = options.lazy_rows && lazy.len() > threshold;
    let (mut lp_bound, mut lp_point) = (None, None);
    if separated {
        let (seconds, bound, point) = (&mut tally.highs_seconds, &mut lp_bound, &mut lp_point);
        model = separate(model, lazy, budget, seconds, bound, point)?;
    } else {
        add_rows(&mut model, &lazy.iter().collect::<Vec<_>>())?;
    }
    if interrupted() {
        // Stopped during the cutting-plane rounds: their LP point is no plan, and the user
        // asked to stop, so the search is not started.
        let solution = tally.solution(Status::NoSolution, None, lp_bound, None, Vec::new());
        return Ok(Next::Done(Box::new(solution)));
    }
    let rounds = Rounds {
        separated,
        lp_bound,
        lp_point,
    };
    Ok(Next::Go((model, rounds)))
}

/// The model the branch and bound runs on, and the plan it starts from.
type Restart = (Model, Option<Vec<f64>>);

/// Without a start, the rounds' LP point is repaired into one in a phase of its own, and the
/// branch and bound runs on a copy without the LP point (which HiGHS would repair again): that
/// copy and the repaired plan, if any. Done when interrupted during the repair.
fn restart_repaired(
    mut model: Model,
    rounds: &Rounds,
    options: &SolveOptions,
    budget: &TimeBudget,
    stop: &Stop,
    tally: &mut Tally,
) -> Result<Next<Restart>, SolveError> {
    let data = LpData::read(&mut model)?;
    let repaired = match &rounds.lp_point {
        Some(point) => repair(&data, point, options, budget, &mut tally.highs_seconds)?,
        None => None,
    };
    if interrupted() {
        // Stopped during the repair: its plan, if any, is the best there is.
        return Ok(Next::Done(Box::new(stopped_with(
            &data,
            repaired,
            rounds.lp_bound,
            tally,
        ))));
    }
    let mut copy = data.to_model(options)?;
    watch(&mut copy, stop)?;
    Ok(Next::Go((copy, repaired)))
}

/// The solution of a search stopped (Ctrl-C) with `plan`, if any, and the LP bound.
fn stopped_with(
    data: &LpData,
    plan: Option<Vec<f64>>,
    lp_bound: Option<f64>,
    tally: &Tally,
) -> Solution {
    let objective = plan.as_ref().map(|v| data.objective(v));
    let best_bound = match (objective, lp_bound) {
        (Some(z), Some(b)) => Some(b.min(z)),
        (_, b) => b,
    };
    let status = if plan.is_some() {
        Status::Feasible
    } else {
        Status::NoSolution
    };
    let gap = objective.zip(best_bound).map(|(z, b)| relative_gap(z, b));
    tally.solution(status, objective, best_bound, gap, plan.unwrap_or_default())
}

/// HiGHS's branch and bound over everything left of the search, from `start` if it fits.
fn branch_and_bound(
    mut model: Model,
    is_mip: bool,
    start: Option<&[f64]>,
    options: &SolveOptions,
    budget: &TimeBudget,
    stop: &Stop,
    tally: &mut Tally,
) -> Result<SolvedModel, SolveError> {
    if let Some(left) = budget.search_left() {
        set_time_limit(&mut model, left)?;
    }
    if let Some(path) = &options.write_model {
        write_model(&mut model, path)?;
    }
    if let Some(basis) = options.start_basis.as_ref().filter(|_| !is_mip) {
        basis.apply(&mut model);
    }
    // With a start, a spare copy of the model without it (see below).
    let mut spare = None;
    if let Some(start) = start
        && start.len() == model.num_cols()
    {
        let data = LpData::read(&mut model)?;
        let mut copy = data.to_model(options)?;
        watch(&mut copy, stop)?;
        spare = Some((data, copy));
        // A start HiGHS cannot use (e.g. infeasible under this scenario) is only ignored.
        let _ = model.try_set_solution(Some(start), None, None, None);
    }
    let run = Instant::now();
    let mut solved = model.try_solve().map_err(run_failed)?;
    tally.highs_seconds += run.elapsed().as_secs_f64();
    if let Some((data, mut copy)) = spare
        && solved.primal_solution_status() == HighsSolutionStatus::Feasible
    {
        // HiGHS 1.16 can misjudge a start after presolve (seen on cap71 with sites fixed: "MIP
        // start solution is feasible in the reduced space: objective value is 631874.275" for a
        // plan costing 1,248,142.9, then "optimal" at that value). Its answer is then checked
        // against the plan's own cost, and on a mismatch the search runs again without the start.
        if !data.agrees(solved.get_solution().columns(), solved.objective_value()) {
            if let Some(left) = budget.search_left() {
                set_time_limit(&mut copy, left)?;
            }
            let run = Instant::now();
            solved = copy.try_solve().map_err(run_failed)?;
            tally.highs_seconds += run.elapsed().as_secs_f64();
        }
    }
    Ok(solved)
}

/// The solution of the branch and bound: its plan (or the relaxation's, if better) with the
/// best of the valid bounds.
fn read_result(
    solved: &SolvedModel,
    is_mip: bool,
    lp_bound: Option<f64>,
    relaxed: Option<Relaxed>,
    tally: &Tally,
) -> Result<Solution, SolveError> {
    let has_plan = solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    let bound = if is_mip {
        let mip = solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite());
        // Both are valid lower bounds; when the search stops before its root LP is solved, the
        // cutting-plane rounds' LP is the better one.
        // The relaxation's bound holds too: it bounds the plans its site fixing kept, and
        // every plan it excluded costs more than the plan it found.
        [mip, lp_bound, relaxed.as_ref().map(|r| r.bound)]
            .into_iter()
            .flatten()
            .filter(|b| b.is_finite())
            .reduce(f64::max)
    } else {
        None
    };
    // The relaxation's plan, if branch and bound did not better it.
    let incumbent: Option<Plan> = relaxed
        .and_then(|r| r.incumbent)
        .filter(|(z, _)| !(has_plan && solved.objective_value() <= *z));
    let status = status_of(solved.status(), has_plan)?;
    if let Some((z, values)) = incumbent {
        return Ok(tally.plan(z, bound.map_or(f64::NEG_INFINITY, |b| b.min(z)), values));
    }
    if !has_plan {
        return Ok(tally.solution(status, None, bound, None, Vec::new()));
    }
    let objective = solved.objective_value();
    let values = solved.get_solution().columns().to_vec();
    // An LP (no integer columns) has no MIP bound: its optimum is its own bound.
    let best_bound = match (solved.status(), bound) {
        (_, Some(b)) => b,
        (HighsModelStatus::Optimal, None) => objective,
        (_, None) => f64::NEG_INFINITY,
    };
    let gap = relative_gap(objective, best_bound);
    let status = if solved.status() == HighsModelStatus::Optimal && gap <= OPTIMAL_GAP {
        Status::Optimal
    } else {
        status
    };
    let (best_bound, gap) = (
        best_bound.is_finite().then_some(best_bound),
        gap.is_finite().then_some(gap),
    );
    let mut solution = tally.solution(status, Some(objective), best_bound, gap, values);
    if !is_mip {
        solution.basis = Basis::read(solved).map(std::sync::Arc::new);
    }
    Ok(solution)
}

/// The status of a HiGHS run that ended as `model_status`, before its gap is read.
fn status_of(model_status: HighsModelStatus, has_plan: bool) -> Result<Status, SolveError> {
    match model_status {
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            Ok(Status::Infeasible)
        }
        HighsModelStatus::Optimal
        | HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedMemoryLimit
        | HighsModelStatus::ObjectiveBound
        | HighsModelStatus::ObjectiveTarget => Ok(if has_plan {
            Status::Feasible // refined from the proven gap
        } else {
            Status::NoSolution
        }),
        other => Err(SolveError::Solver(format!(
            "HiGHS ended with status {other:?}"
        ))),
    }
}
