//! Solving: hands the formulation to HiGHS, with the options set on the HiGHS model itself so the
//! true status, objective, best bound and gap can be read back (good_lp reports none of these).

pub mod budget;
mod highs;
pub mod horizon;
mod interrupt;
pub mod lagrangian;
mod options;
mod separation;

pub use highs::option as highs_option;
pub use interrupt::{clear_interrupt, interrupt, interrupted};
pub use options::{
    LAZY_ROWS_THRESHOLD, LAZY_ROWS_THRESHOLD_AFTER_FIXING, Lagrangian, OPTIMAL_GAP,
    RESTRICTED_ARCS, SolveOptions,
};

use crate::model::Problem;
use ::highs::HighsModelStatus;
use budget::TimeBudget;
use good_lp::SolverModel;
use good_lp::solvers::highs::highs as highs_solver;
use highs::{
    LpData, Stop, add_cover_row, add_rows, configure, relax_integrality, run_failed, set_bounds,
    set_time_limit, watch, write_model,
};
use lagrangian::Fixed;
use lagrangian::probe::{Relaxed, fix_sites, lagrangian};
use separation::{repair, separate};
use serde::Serialize;
use std::time::Instant;

/// The solver's real outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Proven optimal (gap <= [`OPTIMAL_GAP`]).
    Optimal,
    /// A feasible plan with a proven gap above [`OPTIMAL_GAP`] (time or gap limit reached).
    Feasible,
    /// No plan satisfies the constraints.
    Infeasible,
    /// The limit was reached before any feasible plan was found.
    NoSolution,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
            Status::Infeasible => "infeasible",
            Status::NoSolution => "no_solution",
        }
    }
}

/// What the solver returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    pub status: Status,
    pub objective: Option<f64>,
    pub best_bound: Option<f64>,
    pub gap: Option<f64>,
    pub seconds: f64,
    /// Of `seconds`, the time spent inside HiGHS's own runs (separation LPs and the MIP).
    pub highs_seconds: f64,
    /// Column values (empty without a feasible plan).
    pub values: Vec<f64>,
    /// What the Lagrangian relaxation did, when it ran.
    pub lagrangian: Option<LagrangianSummary>,
}

impl Solution {
    /// No plan and no bound, found before HiGHS ran (`start`: when the solve began).
    fn without_plan(status: Status, start: Instant) -> Solution {
        Solution {
            status,
            objective: None,
            best_bound: None,
            gap: None,
            seconds: start.elapsed().as_secs_f64(),
            highs_seconds: 0.0,
            values: Vec::new(),
            lagrangian: None,
        }
    }
}

/// What the Lagrangian relaxation ([`lagrangian`]) did before branch and bound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LagrangianSummary {
    /// Its lower bound (USD a year).
    pub bound: f64,
    /// Subgradient rounds.
    pub rounds: usize,
    /// Plans HiGHS evaluated for it, and the best one's objective.
    pub plans: usize,
    /// Sites the restricted search for a plan could open.
    pub restricted_sites: usize,
    pub best_plan: Option<f64>,
    /// Sites fixed closed, and open, in every better plan.
    pub sites_closed: usize,
    pub sites_open: usize,
    /// Nodes of the branch and bound over the sites left free (`None` if it did not run: the
    /// best plan more than [`lagrangian::BRANCH_MAX_GAP`] above the bound), and whether it
    /// finished (proving the best plan optimal within the gap).
    pub branch_nodes: Option<usize>,
    pub branch_finished: bool,
    pub seconds: f64,
}

/// A failure of the solver itself (not infeasibility, which is a [`Status`]); error codes in
/// docs/errors.md.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolveError {
    /// A `--highs-option` HiGHS does not take (a usage error; the CLI checks them up front).
    #[error(transparent)]
    UserOption(#[from] highs_option::OptionProblem),
    /// HiGHS refused an option cartnet itself sets.
    #[error("E701 HiGHS failed: it rejected option {0}")]
    Option(String),
    #[error("E701 HiGHS failed: {0}")]
    Solver(String),
}
/// Solves the formulation with HiGHS: the search, then the plan's flows derived again from its
/// rounded design ([`polish`]).
pub fn solve(p: Problem, options: &SolveOptions) -> Result<Solution, SolveError> {
    let budget = TimeBudget::new(
        options.started.unwrap_or_else(Instant::now),
        options.time_limit,
    );
    let mut plain = None;
    let solution = search(p, options, &budget, &mut plain)?;
    match plain {
        Some(data) if !solution.values.is_empty() => polish(&data, solution, options, &budget),
        _ => Ok(solution),
    }
}

/// The search: HiGHS (after the Lagrangian relaxation or cutting-plane rounds where they run)
/// until the gap, the end of `budget`'s search or an interrupt. `plain` receives the model's
/// data before any phase changes it, for a MIP.
fn search(
    p: Problem,
    options: &SolveOptions,
    budget: &TimeBudget,
    plain: &mut Option<LpData>,
) -> Result<Solution, SolveError> {
    let start = Instant::now();
    let mut summary: Option<LagrangianSummary> = None;
    // Declared before the model, so it is dropped after it: HiGHS holds a pointer to it.
    let stop = Stop {
        deadline: budget.search_end(),
        interrupts: true,
    };
    // HiGHS fills mip_dual_bound only for a MIP; for a pure LP it reads 0, not the LP's bound.
    let is_mip = p
        .variables
        .iter_variables_with_def()
        .any(|(_, def)| def.is_integer());
    // Without columns every row is a constant, which HiGHS does not check (it answers
    // ModelEmpty): such a model is feasible exactly when each row holds as it stands.
    let rows_hold = !p.variables.is_empty()
        || p.constraints.iter().all(|c| {
            let k = c
                .expression()
                .eval_with(&std::collections::HashMap::<good_lp::Variable, f64>::new());
            if c.is_equality() {
                k.abs() <= 1e-9
            } else {
                k <= 1e-9
            }
        });
    // Ctrl-C before HiGHS has the model: handing it over is not interruptible and finds nothing.
    if interrupted() {
        return Ok(Solution::without_plan(Status::NoSolution, start));
    }
    let mut problem = p.variables.minimise(p.objective).using(highs_solver);
    for c in p.constraints {
        problem.add_constraint(c);
    }
    let mut model = problem
        .try_into_inner()
        .map_err(|e| SolveError::Solver(e.to_string()))?;
    let mut lazy = p.lazy;
    let relaxation = p.relaxation;
    if model.num_cols() == 0 {
        if !rows_hold {
            return Ok(Solution::without_plan(Status::Infeasible, start));
        }
        // Nothing to decide (no demand can move, no site can open): the empty plan is optimal.
        return Ok(Solution {
            lagrangian: summary.clone(),
            status: Status::Optimal,
            objective: Some(0.0),
            best_bound: Some(0.0),
            gap: Some(0.0),
            seconds: start.elapsed().as_secs_f64(),
            highs_seconds: 0.0,
            values: Vec::new(),
        });
    }
    configure(&mut model, options)?;
    if is_mip {
        *plain = Some(LpData::read(&mut model)?);
    }
    watch(&mut model, &stop)?;
    let mut highs_seconds = 0.0;
    let mut lp_bound: Option<f64> = None;
    // The cutting-plane rounds' last optimal LP point, to repair into a first plan.
    let mut lp_point: Option<Vec<f64>> = None;
    // What the Lagrangian relaxation established, when it ran.
    let mut relaxed: Option<Relaxed> = None;
    let run_lagrangian = is_mip
        && match options.lagrangian {
            Lagrangian::Auto => lazy.len() > LAZY_ROWS_THRESHOLD,
            Lagrangian::On => true,
            Lagrangian::Off => false,
        };
    if let (true, Some(structure)) = (run_lagrangian, &relaxation) {
        if structure.full_coverage {
            add_cover_row(&mut model, structure)?;
        }
        let began = Instant::now();
        let outcome = lagrangian(
            &mut model,
            structure,
            &lazy,
            options,
            budget,
            &stop,
            &mut highs_seconds,
        )?;
        let count = |state| outcome.fixed.iter().filter(|f| **f == Some(state)).count();
        summary = Some(LagrangianSummary {
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
        });
        let fixed_cols = fix_sites(&mut model, structure, &outcome.fixed);
        // a row whose sites are all fixed is implied by the columns' bounds
        lazy.retain(|r| r.terms[1..].iter().any(|(c, _)| !fixed_cols[*c]));
        if let Some((z, values)) = &outcome.incumbent {
            let bound = outcome.bound.min(*z);
            let gap = relative_gap(*z, bound);
            if gap <= options.gap || interrupted() || budget.search_over() {
                let optimal = gap <= OPTIMAL_GAP;
                return Ok(Solution {
                    lagrangian: summary.clone(),
                    status: if optimal {
                        Status::Optimal
                    } else {
                        Status::Feasible
                    },
                    objective: Some(*z),
                    best_bound: bound.is_finite().then_some(bound),
                    gap: Some(gap),
                    seconds: start.elapsed().as_secs_f64(),
                    highs_seconds,
                    values: values.clone(),
                });
            }
        }
        relaxed = Some(Relaxed {
            bound: outcome.bound,
            incumbent: outcome.incumbent,
        });
    }
    // After site fixing the rows left belong to the few sites still free, most of which the
    // relaxation needs: giving them up front is faster there.
    let threshold = if relaxed.is_some() {
        LAZY_ROWS_THRESHOLD_AFTER_FIXING
    } else {
        LAZY_ROWS_THRESHOLD
    };
    let separated = options.lazy_rows && lazy.len() > threshold;
    if separated {
        model = separate(
            model,
            &lazy,
            budget,
            &mut highs_seconds,
            &mut lp_bound,
            &mut lp_point,
        )?;
    } else {
        add_rows(&mut model, &lazy.iter().collect::<Vec<_>>())?;
    }
    if interrupted() {
        // Stopped during the cutting-plane rounds: their LP point is no plan, and the user
        // asked to stop, so the search is not started.
        return Ok(Solution {
            lagrangian: summary.clone(),
            status: Status::NoSolution,
            objective: None,
            best_bound: lp_bound,
            gap: None,
            seconds: start.elapsed().as_secs_f64(),
            highs_seconds,
            values: Vec::new(),
        });
    }
    let mut start_values = match relaxed.as_ref().and_then(|r| r.incumbent.as_ref()) {
        Some((_, values)) => Some(values.as_slice()),
        None => options.initial_solution.as_deref().map(Vec::as_slice),
    };
    // Without a start, the rounds' LP point is repaired into one in a phase of its own, and the
    // branch and bound runs on a copy without the LP point (which HiGHS would repair again).
    let repaired;
    if separated && start_values.is_none() {
        let data = LpData::read(&mut model)?;
        repaired = match &lp_point {
            Some(point) => repair(&data, point, options, budget, &mut highs_seconds)?,
            None => None,
        };
        if interrupted() {
            // Stopped during the repair: its plan, if any, is the best there is.
            let seconds = start.elapsed().as_secs_f64();
            return Ok(stopped_with(
                &data,
                repaired,
                lp_bound,
                summary,
                seconds,
                highs_seconds,
            ));
        }
        model = data.to_model(options)?;
        watch(&mut model, &stop)?;
        start_values = repaired.as_deref();
    }
    // Everything left of the search.
    if let Some(left) = budget.search_left() {
        set_time_limit(&mut model, left)?;
    }
    if let Some(path) = &options.write_model {
        write_model(&mut model, path)?;
    }
    // With a start, a spare copy of the model without it (see below).
    let mut spare = None;
    if let Some(start) = start_values
        && start.len() == model.num_cols()
    {
        let data = LpData::read(&mut model)?;
        let mut copy = data.to_model(options)?;
        watch(&mut copy, &stop)?;
        spare = Some((data, copy));
        // A start HiGHS cannot use (e.g. infeasible under this scenario) is only ignored.
        let _ = model.try_set_solution(Some(start), None, None, None);
    }
    let run = Instant::now();
    let mut solved = model.try_solve().map_err(run_failed)?;
    highs_seconds += run.elapsed().as_secs_f64();
    if let Some((data, mut copy)) = spare
        && solved.primal_solution_status() == ::highs::HighsSolutionStatus::Feasible
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
            highs_seconds += run.elapsed().as_secs_f64();
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let has_plan = solved.primal_solution_status() == ::highs::HighsSolutionStatus::Feasible;
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
    let incumbent = relaxed.and_then(|r| r.incumbent).filter(|(z, _)| {
        !(solved.primal_solution_status() == ::highs::HighsSolutionStatus::Feasible
            && solved.objective_value() <= *z)
    });
    let status = match solved.status() {
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            Status::Infeasible
        }
        HighsModelStatus::Optimal
        | HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedMemoryLimit
        | HighsModelStatus::ObjectiveBound
        | HighsModelStatus::ObjectiveTarget => {
            if has_plan {
                Status::Feasible // refined below from the proven gap
            } else {
                Status::NoSolution
            }
        }
        other => {
            return Err(SolveError::Solver(format!(
                "HiGHS ended with status {other:?}"
            )));
        }
    };
    if let Some((z, values)) = incumbent {
        let best_bound = bound.map_or(f64::NEG_INFINITY, |b| b.min(z));
        let gap = relative_gap(z, best_bound);
        return Ok(Solution {
            lagrangian: summary.clone(),
            status: if gap <= OPTIMAL_GAP {
                Status::Optimal
            } else {
                Status::Feasible
            },
            objective: Some(z),
            best_bound: best_bound.is_finite().then_some(best_bound),
            gap: gap.is_finite().then_some(gap),
            seconds,
            highs_seconds,
            values,
        });
    }
    if !has_plan {
        return Ok(Solution {
            lagrangian: summary.clone(),
            status,
            objective: None,
            best_bound: bound,
            gap: None,
            seconds,
            highs_seconds,
            values: Vec::new(),
        });
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
    Ok(Solution {
        lagrangian: summary.clone(),
        status,
        objective: Some(objective),
        best_bound: best_bound.is_finite().then_some(best_bound),
        gap: gap.is_finite().then_some(gap),
        seconds,
        highs_seconds,
        values,
    })
}
/// Derives a plan's continuous columns again from its design. HiGHS accepts an integer column
/// within its feasibility tolerance, and a column bounded by it keeps what that allows: a flow
/// w <= W z with z = 1e-7 stays at W * 1e-7 while the plan reads z as 0, so a hospital was
/// "single-sourced" from two sites and a closed site received batches (issue #15). Here every
/// integer column is rounded and fixed and the LP of the rest is solved on `data` (the model
/// before any phase changed it), so the flows follow the design the plan reports; the
/// objective, gap and status are those of the plan so derived. The LP may run to the end of the
/// whole limit and is not stopped by Ctrl-C: a plan written after an interrupt must hold too.
/// When it has no optimum (the rounded design leaves no flows within tolerance, or the limit
/// ends first) the search's values are kept as they are, and the check every plan passes before
/// it is written (`cartnet solve`, `cartnet sweep`) decides.
fn polish(
    data: &LpData,
    solution: Solution,
    options: &SolveOptions,
    budget: &TimeBudget,
) -> Result<Solution, SolveError> {
    let n = data.cost.len();
    if solution.values.len() != n {
        return Ok(solution);
    }
    let began = Instant::now();
    let stop = Stop {
        deadline: budget.finish_end(),
        interrupts: false,
    };
    let mut m = data.quiet_copy(options, &stop)?;
    for col in data.integer_cols() {
        let v = solution.values[col].round();
        set_bounds(&mut m, col, v, v);
    }
    relax_integrality(&mut m);
    // The search's values as the start: where they are already right, the LP keeps them rather
    // than moving to another of equally cheap flows.
    let _ = m.try_set_solution(Some(&solution.values), None, None, None);
    let solved = m.try_solve().map_err(run_failed)?;
    let spent = began.elapsed().as_secs_f64();
    if solved.status() != HighsModelStatus::Optimal {
        return Ok(solution);
    }
    let values = solved.get_solution().columns().to_vec();
    let z = data.objective(&values);
    let best_bound = solution.best_bound.map(|b| b.min(z));
    let gap = best_bound.map(|b| relative_gap(z, b));
    let status = match (solution.status, gap) {
        (Status::Optimal, Some(g)) if g > OPTIMAL_GAP => Status::Feasible,
        (s, _) => s,
    };
    Ok(Solution {
        status,
        objective: Some(z),
        best_bound,
        gap,
        seconds: solution.seconds + spent,
        highs_seconds: solution.highs_seconds + spent,
        values,
        ..solution
    })
}
/// The solution of a search stopped (Ctrl-C) with `plan`, if any, and the LP bound.
fn stopped_with(
    data: &LpData,
    plan: Option<Vec<f64>>,
    lp_bound: Option<f64>,
    lagrangian: Option<LagrangianSummary>,
    seconds: f64,
    highs_seconds: f64,
) -> Solution {
    let objective = plan.as_ref().map(|v| data.objective(v));
    let best_bound = match (objective, lp_bound) {
        (Some(z), Some(b)) => Some(b.min(z)),
        (_, b) => b,
    };
    Solution {
        status: if plan.is_some() {
            Status::Feasible
        } else {
            Status::NoSolution
        },
        objective,
        best_bound,
        gap: objective.zip(best_bound).map(|(z, b)| relative_gap(z, b)),
        seconds,
        highs_seconds,
        values: plan.unwrap_or_default(),
        lagrangian,
    }
}

/// |objective - bound| / max(|objective|, tiny), as HiGHS defines the MIP gap; 0 when equal.
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    if objective == bound {
        return 0.0;
    }
    ((objective - bound).abs() / objective.abs().max(1e-9)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hospital sending its 10 batches to site 1 (open: z1 = 1) or site 2 (z2), one at most:
    /// the search's values hold z2 = 1e-7 and w2 = 1e-6, within HiGHS's tolerances, as a time-
    /// limited run on capb left them (issue #15). The plan derived from the rounded design
    /// sends all 10 to site 1 and nothing to site 2, at the design's own cost 5 + 10 = 15.
    #[test]
    fn polish_derives_the_flows_from_the_rounded_design() {
        let mut p = ::highs::RowProblem::default();
        let z1 = p.add_integer_column(5.0, 0.0..=1.0);
        let z2 = p.add_integer_column(1.0, 0.0..=1.0);
        let w1 = p.add_column(1.0, 0.0..);
        let w2 = p.add_column(2.0, 0.0..);
        p.add_row(10.0..=10.0, [(w1, 1.0), (w2, 1.0)]);
        p.add_row(..=0.0, [(w1, 1.0), (z1, -10.0)]);
        p.add_row(..=0.0, [(w2, 1.0), (z2, -10.0)]);
        p.add_row(..=1.0, [(z1, 1.0), (z2, 1.0)]);
        let mut model = p.optimise(::highs::Sense::Minimise);
        let options = SolveOptions::default();
        configure(&mut model, &options).unwrap();
        let data = LpData::read(&mut model).unwrap();
        let noisy = vec![1.0 - 1e-7, 1e-7, 10.0 - 1e-6, 1e-6];
        let searched = Solution {
            status: Status::Feasible,
            objective: Some(data.objective(&noisy)),
            best_bound: Some(14.0),
            gap: None,
            seconds: 0.0,
            highs_seconds: 0.0,
            values: noisy,
            lagrangian: None,
        };
        let budget = TimeBudget::new(Instant::now(), Some(60.0));
        let polished = polish(&data, searched, &options, &budget).unwrap();
        assert_eq!(polished.values, vec![1.0, 0.0, 10.0, 0.0]);
        assert_eq!(polished.objective, Some(15.0));
        assert_eq!(polished.best_bound, Some(14.0));
        assert_eq!(polished.gap, Some(relative_gap(15.0, 14.0)));
        assert_eq!(polished.status, Status::Feasible);
    }
}
