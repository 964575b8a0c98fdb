//! Solving: hands the formulation to HiGHS, with the options set on the HiGHS model itself so the
//! true status, objective, best bound and gap can be read back (good_lp reports none of these).

use crate::lagrange::{self, Fixed, Probe, Probed, Search, Structure};
use crate::model::{LazyRow, Problem};
use crate::solve_budget::{Phase, TimeBudget, seconds_until};
use good_lp::SolverModel;
use good_lp::solvers::highs::highs;
use highs::HighsModelStatus;
use highs_sys::HighsInt;
use serde::Serialize;
use std::os::raw::{c_char, c_int, c_void};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Set by [`interrupt`] (the CLI calls it on Ctrl-C); read by every running solve.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Asks every solve in this process, running or yet to start, to stop as soon as it can and
/// return its best plan so far (status `feasible` with its proven gap), or no plan if it has
/// none yet. HiGHS is stopped through its interrupt callbacks; the cutting-plane rounds check
/// between rounds. Safe to call from any thread, e.g. a signal handler's.
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Whether [`interrupt`] was called (and not cleared since).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Withdraws an [`interrupt`] request, so that later solves run normally.
pub fn clear_interrupt() {
    INTERRUPTED.store(false, Ordering::SeqCst);
}

/// Below this many lazy rows, handing them all to HiGHS up front is faster than separating
/// them (measured on the OR-Library set: cap113 0.68 s eager vs 1.22 s lazy; capa's 100,000
/// rows need separation for its root LP to finish).
pub const LAZY_ROWS_THRESHOLD: usize = 10_000;

/// The same threshold once the Lagrangian relaxation has fixed sites (measured on capa at
/// capacity 8000, 15 sites left free, 15,000 rows: 8.9 s given up front, 14.5 s separated).
pub const LAZY_ROWS_THRESHOLD_AFTER_FIXING: usize = 50_000;

/// A proven relative gap at or below this is reported as optimal.
pub const OPTIMAL_GAP: f64 = 1e-6;

/// Solver settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Seconds, counted from `started`; `None` is no limit. Everything from `started` counts:
    /// with [`crate::optimize`], building the model, the search (cutting-plane rounds, HiGHS's
    /// repair of their LP point, its branch and bound) and the plan after it; the search gets
    /// all but [`crate::solve_budget::FINISH_SHARE`] of it ([`TimeBudget`]).
    pub time_limit: Option<f64>,
    /// When the clock of `time_limit` started; `None`: when [`crate::optimize`] (or [`solve`])
    /// was called. The CLI sets it when the command starts, so loading the data counts too.
    pub started: Option<Instant>,
    /// Relative gap at which the search stops (HiGHS `mip_rel_gap`).
    pub gap: f64,
    /// Solver threads; `None` leaves HiGHS's default.
    pub threads: Option<u32>,
    /// Where HiGHS writes its log; `None` keeps it silent.
    pub log_file: Option<PathBuf>,
    /// Further HiGHS options by name (e.g. `mip_heuristic_effort=0.2`), for tuning.
    pub highs_options: Vec<(String, String)>,
    /// Add the model's lazy rows only where the LP relaxation violates them (cutting-plane
    /// rounds before branch and bound) instead of all up front, when there are more than
    /// [`LAZY_ROWS_THRESHOLD`] of them.
    pub lazy_rows: bool,
    /// A plan to start from (column values of a model with the same columns, e.g. a
    /// neighbouring sweep scenario's solution); ignored when the column count differs.
    pub initial_solution: Option<std::sync::Arc<Vec<f64>>>,
    /// Write the model HiGHS is about to solve (after the cutting-plane rounds, with integrality
    /// restored) to this file; the extension (.mps or .lp) picks the format.
    pub write_model: Option<PathBuf>,
    /// When to run the Lagrangian relaxation ([`crate::lagrange`]) before branch and bound.
    pub lagrangian: Lagrangian,
}

/// When the solve starts with the Lagrangian relaxation (bound, a plan, site fixing, branch and
/// bound over the sites left) and adds the covering row. `Auto` by default: on the OR-Library
/// capa/capb/capc instances it turns 86-94 % gaps at 10 s into proven optima on all 12 (README
/// "Performance"); the national and generated instances have rows it does not cover (hospital
/// capacities), so it does not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lagrangian {
    /// On single-year models it covers with more than 10,000 strengthening rows (cell arcs)
    #[default]
    Auto,
    /// On every model it covers
    On,
    /// Never
    Off,
}

/// In the restricted search for a plan, the free sites each hospital may ship to (its cheapest).
/// Measured with `cartnet bench --suite orlib --only cap --time-limit 10`: all arcs, 6 proven
/// optimal and capb-7000 without a plan from the search in 4 of 5 `cartnet solve` runs; 5 arcs,
/// 7 proven but capb-8000 0.065 % above its optimum; 12 arcs, 6 proven, every instance at its
/// optimum, the search 1.1-3 s faster.
pub const RESTRICTED_ARCS: usize = 12;

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: None,
            started: None,
            gap: OPTIMAL_GAP,
            threads: None,
            log_file: None,
            highs_options: Vec::new(),
            lazy_rows: true,
            initial_solution: None,
            write_model: None,
            lagrangian: Lagrangian::Auto,
        }
    }
}

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

/// What the Lagrangian relaxation ([`crate::lagrange`]) did before branch and bound.
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
    /// best plan more than [`lagrange::BRANCH_MAX_GAP`] above the bound), and whether it
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
    UserOption(#[from] crate::highs_option::OptionProblem),
    /// HiGHS refused an option cartnet itself sets.
    #[error("E701 HiGHS failed: it rejected option {0}")]
    Option(String),
    #[error("E701 HiGHS failed: {0}")]
    Solver(String),
}

/// A HiGHS run that ended in an error rather than a status (e.g. a `read_solution_file` option
/// naming a file that cannot be read).
fn run_failed(status: highs::HighsStatus) -> SolveError {
    SolveError::Solver(format!(
        "its run ended with status {status:?}; run with -v to see why in its log (highs.log)"
    ))
}

/// What the interrupt callback reads: the deadline of the time limit, and whether [`interrupt`]
/// stops the run too.
struct Stop {
    deadline: Option<Instant>,
    /// False only for the LP that derives a plan's flows from its design ([`polish`]): the
    /// plan written after Ctrl-C must hold too.
    interrupts: bool,
}

/// HiGHS's interrupt callback (simplex, IPM and MIP): asks HiGHS to stop when [`interrupt`] was
/// called or the deadline has passed. HiGHS checks its own `time_limit` only at some points (not
/// inside every presolve or sub-MIP), so the deadline is enforced here too.
unsafe extern "C" fn stop_callback(
    _kind: c_int,
    _message: *const c_char,
    _data_out: *const highs_sys::HighsCallbackDataOut,
    data_in: *mut highs_sys::HighsCallbackDataIn,
    user: *mut c_void,
) {
    if data_in.is_null() || user.is_null() {
        return;
    }
    // SAFETY: `user` is the `Stop` registered with this callback, which outlives every HiGHS
    // run of the model (see `watch`); it is only read.
    let stop = unsafe { &*(user as *const Stop) };
    if (stop.interrupts && interrupted()) || stop.deadline.is_some_and(|d| Instant::now() >= d) {
        // SAFETY: HiGHS hands a valid, writable input struct to interrupt callbacks.
        unsafe { (*data_in).user_interrupt = 1 };
    }
}

/// Registers [`stop_callback`] on `model` for the simplex, IPM and MIP interrupt points.
/// `stop` must outlive every run of the model.
fn watch(model: &mut highs::Model, stop: &Stop) -> Result<(), SolveError> {
    let ptr = model.as_mut_ptr();
    // SAFETY: `ptr` is the live HiGHS instance owned by `model`; the user pointer is `stop`,
    // which the caller keeps alive for as long as the model runs.
    let ok = unsafe {
        highs_sys::Highs_setCallback(ptr, Some(stop_callback), stop as *const Stop as *mut c_void)
            != highs_sys::kHighsStatusError
            && [
                highs_sys::kHighsCallbackSimplexInterrupt,
                highs_sys::kHighsCallbackIpmInterrupt,
                highs_sys::kHighsCallbackMipInterrupt,
            ]
            .iter()
            .all(|&kind| highs_sys::Highs_startCallback(ptr, kind) != highs_sys::kHighsStatusError)
    };
    if ok {
        Ok(())
    } else {
        Err(SolveError::Solver(
            "HiGHS did not accept the interrupt callback".into(),
        ))
    }
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
    let mut problem = p.variables.minimise(p.objective).using(highs);
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
        && solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible
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
    let has_plan = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
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
        !(solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible
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
    let continuous = vec![0 as HighsInt; n];
    // SAFETY: the pointer is the live HiGHS instance owned by `m`; the array has its n entries.
    unsafe {
        highs_sys::Highs_changeColsIntegralityByRange(
            m.as_mut_ptr(),
            0,
            n as HighsInt - 1,
            continuous.as_ptr(),
        )
    };
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

/// Gives `model`'s next run `seconds`. HiGHS 1.16 compares its time_limit with the run time
/// of every run of the instance so far (ERGO-Code/HiGHS#1477): without zeroing its clocks a
/// model solved again after the cutting-plane rounds stopped as soon as the rounds' time and its
/// own together reached what was left, long before the limit (issue #15).
fn set_time_limit(model: &mut highs::Model, seconds: f64) -> Result<(), SolveError> {
    // SAFETY: the pointer is the live HiGHS instance owned by `model`.
    unsafe { highs_sys::Highs_zeroAllClocks(model.as_mut_ptr()) };
    model
        .try_set_option("time_limit", seconds)
        .map_err(|_| SolveError::Option("time_limit".into()))
}

/// Sets `options`' output, gap, threads and HiGHS options on `model`.
fn configure(model: &mut highs::Model, options: &SolveOptions) -> Result<(), SolveError> {
    let set = |name: &str, r: Result<(), highs::TrySetOptionError>| {
        r.map_err(|_| SolveError::Option(name.to_string()))
    };
    match &options.log_file {
        Some(path) => {
            set("output_flag", model.try_set_option("output_flag", true))?;
            set(
                "log_to_console",
                model.try_set_option("log_to_console", false),
            )?;
            let p = path.to_string_lossy().into_owned();
            set("log_file", model.try_set_option("log_file", p.as_str()))?;
        }
        None => set("output_flag", model.try_set_option("output_flag", false))?,
    }
    set(
        "mip_rel_gap",
        model.try_set_option("mip_rel_gap", options.gap),
    )?;
    set("mip_abs_gap", model.try_set_option("mip_abs_gap", 1e-9))?;
    if let Some(n) = options.threads {
        set("threads", model.try_set_option("threads", n as i32))?;
    }
    for (name, value) in &options.highs_options {
        crate::highs_option::set(model, name, value)?;
    }
    Ok(())
}

/// Writes the HiGHS model to `path` (format by extension: .mps or .lp).
fn write_model(model: &mut highs::Model, path: &std::path::Path) -> Result<(), SolveError> {
    let fail = |why: &str| {
        SolveError::Solver(format!(
            "cannot write the model to {}: {why}",
            path.display()
        ))
    };
    let name = std::ffi::CString::new(path.to_string_lossy().as_bytes())
        .map_err(|_| fail("the path contains a NUL byte"))?;
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; `name` outlives the call.
    let status = unsafe { highs_sys::Highs_writeModel(model.as_mut_ptr(), name.as_ptr()) };
    if status == highs_sys::kHighsStatusError {
        return Err(fail("HiGHS reported an error"));
    }
    Ok(())
}

/// Adds rows to the HiGHS model in one call.
fn add_rows(model: &mut highs::Model, rows: &[&LazyRow]) -> Result<(), SolveError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut starts = Vec::with_capacity(rows.len());
    let mut index = Vec::new();
    let mut value = Vec::new();
    for r in rows {
        starts.push(index.len() as HighsInt);
        for &(col, coef) in &r.terms {
            index.push(col as HighsInt);
            value.push(coef);
        }
    }
    let lower = vec![f64::NEG_INFINITY; rows.len()];
    let upper: Vec<f64> = rows.iter().map(|r| r.upper).collect();
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; the arrays have the
    // lengths the call is given and outlive it.
    let status = unsafe {
        highs_sys::Highs_addRows(
            model.as_mut_ptr(),
            rows.len() as HighsInt,
            lower.as_ptr(),
            upper.as_ptr(),
            index.len() as HighsInt,
            starts.as_ptr(),
            index.as_ptr(),
            value.as_ptr(),
        )
    };
    if status == highs_sys::kHighsStatusError {
        return Err(SolveError::Solver(
            "HiGHS rejected the strengthening rows".into(),
        ));
    }
    Ok(())
}

/// Cutting-plane rounds on the LP relaxation: adds the lazy rows the relaxation violates until
/// none is violated (or the time budget is spent), then restores integrality. The rows are valid
/// for every integer solution, so the optimum is unchanged and the root bound is that of the
/// model with every row.
fn separate(
    mut model: highs::Model,
    lazy: &[LazyRow],
    budget: &TimeBudget,
    highs_seconds: &mut f64,
    lp_bound: &mut Option<f64>,
    point: &mut Option<Vec<f64>>,
) -> Result<highs::Model, SolveError> {
    // Rounds, each LP included, may use their share of the search.
    let rounds_end = budget.phase_end(Phase::Separation);
    if lazy.is_empty() {
        return Ok(model);
    }
    let ptr = model.as_mut_ptr();
    // SAFETY: `ptr` is the live HiGHS instance owned by `model` for the whole block.
    let n = unsafe { highs_sys::Highs_getNumCol(ptr) };
    let mut integrality = vec![0 as HighsInt; n as usize];
    for (col, v) in integrality.iter_mut().enumerate() {
        // SAFETY: as above; `v` is a valid out-pointer.
        unsafe { highs_sys::Highs_getColIntegrality(ptr, col as HighsInt, v) };
    }
    if integrality.iter().all(|&v| v == 0) {
        // A pure LP: rows added lazily would change nothing the LP does not already do.
        add_rows(&mut model, &lazy.iter().collect::<Vec<_>>())?;
        return Ok(model);
    }
    let relaxed = vec![0 as HighsInt; n as usize];
    // SAFETY: as above; the array has n entries.
    unsafe { highs_sys::Highs_changeColsIntegralityByRange(ptr, 0, n - 1, relaxed.as_ptr()) };
    let mut added = vec![false; lazy.len()];
    for _round in 0..100 {
        if let Some(end) = rounds_end {
            set_time_limit(&mut model, seconds_until(end))?;
        }
        let run = Instant::now();
        let solved = model.try_solve().map_err(run_failed)?;
        *highs_seconds += run.elapsed().as_secs_f64();
        let optimal = solved.status() == HighsModelStatus::Optimal;
        if optimal {
            // The relaxation with some of the valid rows bounds every integer plan from below.
            let z = solved.objective_value();
            *lp_bound = Some(lp_bound.map_or(z, |b: f64| b.max(z)));
        }
        let violated: Vec<usize> = if optimal {
            let x = solved.get_solution();
            let x = x.columns();
            *point = Some(x.to_vec());
            (0..lazy.len())
                .filter(|&i| !added[i])
                .filter(|&i| {
                    let r = &lazy[i];
                    let lhs: f64 = r.terms.iter().map(|&(c, a)| a * x[c]).sum();
                    lhs > r.upper + 1e-6 * (1.0 + r.terms[0].1.abs().max(r.upper.abs()))
                })
                .collect()
        } else {
            Vec::new()
        };
        model = highs::Model::from(solved);
        let out_of_time = rounds_end.is_some_and(|e| Instant::now() > e);
        if violated.is_empty() || out_of_time || interrupted() {
            break;
        }
        let rows: Vec<&LazyRow> = violated.iter().map(|&i| &lazy[i]).collect();
        add_rows(&mut model, &rows)?;
        for i in violated {
            added[i] = true;
        }
    }
    let ptr = model.as_mut_ptr();
    // SAFETY: as above, on the (same) live instance; the array has n entries.
    unsafe { highs_sys::Highs_changeColsIntegralityByRange(ptr, 0, n - 1, integrality.as_ptr()) };
    // The caller repairs the last optimal LP point into a first plan ([`repair`]), which finds
    // good plans on large instances.
    Ok(model)
}

/// The repair of the cutting-plane rounds' LP point `point` into a first plan, until the end of
/// [`Phase::Repair`], RENS-like: on a copy of the model, the discrete columns already integral
/// are fixed and the sub-MIP of the rest is solved. HiGHS does the same with an LP point left
/// as its MIP start, but inside the run of the branch and bound, under the same time_limit and
/// out of reach of the interrupt callback: the repair could take every second left (the branch
/// and bound's presolve then ran past the deadline), or end at once and leave the branch and
/// bound half the time, and Ctrl-C waited for it (issue #15). The plan found, if any.
fn repair(
    data: &LpData,
    point: &[f64],
    options: &SolveOptions,
    budget: &TimeBudget,
    highs_seconds: &mut f64,
) -> Result<Option<Vec<f64>>, SolveError> {
    let stop = Stop {
        deadline: budget.phase_end(Phase::Repair),
        interrupts: true,
    };
    let mut m = data.quiet_copy(options, &stop)?;
    for col in data.integer_cols() {
        let v = point[col];
        if (v - v.round()).abs() <= INTEGRAL {
            set_bounds(&mut m, col, v.round(), v.round());
        }
    }
    let run = Instant::now();
    let solved = m.try_solve().map_err(run_failed)?;
    *highs_seconds += run.elapsed().as_secs_f64();
    Ok(
        (solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible)
            .then(|| solved.get_solution().columns().to_vec()),
    )
}

/// A column of an LP point within this of a whole number counts as integral (HiGHS's
/// mip_feasibility_tolerance).
const INTEGRAL: f64 = 1e-6;

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

/// What the Lagrangian relaxation established before branch and bound.
#[derive(Debug, Clone)]
struct Relaxed {
    /// A lower bound on every plan the site fixing kept.
    bound: f64,
    /// The best plan found.
    incumbent: Option<lagrange::Plan>,
}

/// Sets the bounds of column `col` in HiGHS.
fn set_bounds(model: &mut highs::Model, col: usize, lower: f64, upper: f64) {
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; `col` is one of its
    // columns (the structure was built from the same model).
    unsafe { highs_sys::Highs_changeColBounds(model.as_mut_ptr(), col as HighsInt, lower, upper) };
}

/// A HiGHS model's data: columns, rows, matrix (by column) and integrality.
struct LpData {
    sense: HighsInt,
    offset: f64,
    cost: Vec<f64>,
    col_lower: Vec<f64>,
    col_upper: Vec<f64>,
    row_lower: Vec<f64>,
    row_upper: Vec<f64>,
    start: Vec<HighsInt>,
    index: Vec<HighsInt>,
    value: Vec<f64>,
    integrality: Vec<HighsInt>,
}

impl LpData {
    fn read(model: &mut highs::Model) -> Result<LpData, SolveError> {
        let ptr = model.as_mut_ptr();
        // SAFETY: `ptr` is the live HiGHS instance owned by `model`.
        let (nc, nr, nz) = unsafe {
            (
                highs_sys::Highs_getNumCol(ptr),
                highs_sys::Highs_getNumRow(ptr),
                highs_sys::Highs_getNumNz(ptr),
            )
        };
        let (c, r, z) = (nc as usize, nr as usize, nz as usize);
        let mut d = LpData {
            sense: 0,
            offset: 0.0,
            cost: vec![0.0; c],
            col_lower: vec![0.0; c],
            col_upper: vec![0.0; c],
            row_lower: vec![0.0; r],
            row_upper: vec![0.0; r],
            start: vec![0; c + 1],
            index: vec![0; z],
            value: vec![0.0; z],
            integrality: vec![0; c],
        };
        let (mut num_col, mut num_row, mut num_nz) = (0, 0, 0);
        // SAFETY: every array has the length HiGHS writes for this model (columns, rows,
        // nonzeros; a start per column), and all outlive the call.
        let status = unsafe {
            highs_sys::Highs_getLp(
                ptr,
                highs_sys::kHighsMatrixFormatColwise,
                &mut num_col,
                &mut num_row,
                &mut num_nz,
                &mut d.sense,
                &mut d.offset,
                d.cost.as_mut_ptr(),
                d.col_lower.as_mut_ptr(),
                d.col_upper.as_mut_ptr(),
                d.row_lower.as_mut_ptr(),
                d.row_upper.as_mut_ptr(),
                d.start.as_mut_ptr(),
                d.index.as_mut_ptr(),
                d.value.as_mut_ptr(),
                d.integrality.as_mut_ptr(),
            )
        };
        if status == highs_sys::kHighsStatusError || (num_col, num_row, num_nz) != (nc, nr, nz) {
            return Err(SolveError::Solver("HiGHS could not copy the model".into()));
        }
        Ok(d)
    }

    /// A new HiGHS instance holding this model, configured as `options` say.
    fn to_model(&self, options: &SolveOptions) -> Result<highs::Model, SolveError> {
        let mut copy = highs::ColProblem::new().optimise(highs::Sense::Minimise);
        // SAFETY: the new instance is live and owned by `copy`; the arrays have the lengths
        // HiGHS gave them.
        let status = unsafe {
            highs_sys::Highs_passMip(
                copy.as_mut_ptr(),
                self.cost.len() as HighsInt,
                self.row_lower.len() as HighsInt,
                self.value.len() as HighsInt,
                highs_sys::kHighsMatrixFormatColwise,
                self.sense,
                self.offset,
                self.cost.as_ptr(),
                self.col_lower.as_ptr(),
                self.col_upper.as_ptr(),
                self.row_lower.as_ptr(),
                self.row_upper.as_ptr(),
                self.start.as_ptr(),
                self.index.as_ptr(),
                self.value.as_ptr(),
                self.integrality.as_ptr(),
            )
        };
        if status == highs_sys::kHighsStatusError {
            return Err(SolveError::Solver("HiGHS could not copy the model".into()));
        }
        configure(&mut copy, options)?;
        Ok(copy)
    }

    /// A new HiGHS instance holding this model, configured as `options` say but without a log,
    /// stopped by `stop` (which must outlive its runs) and limited to `stop`'s deadline.
    fn quiet_copy(&self, options: &SolveOptions, stop: &Stop) -> Result<highs::Model, SolveError> {
        let mut m = self.to_model(&SolveOptions {
            log_file: None,
            ..options.clone()
        })?;
        watch(&mut m, stop)?;
        if let Some(end) = stop.deadline {
            set_time_limit(&mut m, seconds_until(end))?;
        }
        Ok(m)
    }

    /// The integer columns.
    fn integer_cols(&self) -> impl Iterator<Item = usize> + '_ {
        self.integrality
            .iter()
            .enumerate()
            .filter(|(_, k)| **k != 0)
            .map(|(col, _)| col)
    }

    /// The objective of the column values `x`.
    fn objective(&self, x: &[f64]) -> f64 {
        self.offset + self.cost.iter().zip(x).map(|(c, v)| c * v).sum::<f64>()
    }

    /// Whether `reported`, HiGHS's objective for the column values `x`, is their own cost (to
    /// 1e-6 relative): HiGHS 1.16 can misjudge a start after presolve (see `solve`).
    fn agrees(&self, x: &[f64], reported: f64) -> bool {
        let z = self.objective(x);
        (z - reported).abs() <= 1e-6 * z.abs().max(1.0)
    }
}

/// The Lagrangian relaxation ([`lagrange`]) on `model`'s structure, within its share of the
/// search ([`Phase::Lagrangian`]). Its plans are evaluated by HiGHS on a copy of
/// `model` with the sites' open columns fixed, so each is a plan of this very model with its
/// true cost; `model` itself is not changed (a HiGHS instance that has solved one MIP is not
/// reused for another: its later results were seen to mix in the earlier run's).
fn lagrangian(
    model: &mut highs::Model,
    structure: &Structure,
    lazy: &[LazyRow],
    options: &SolveOptions,
    budget: &TimeBudget,
    stop: &Stop,
    highs_seconds: &mut f64,
) -> Result<lagrange::Outcome, SolveError> {
    let deadline = budget.phase_end(Phase::Lagrangian);
    let failure = std::cell::RefCell::new(None);
    // The model's data, copied once; each probe runs on a fresh instance made from it.
    let data = LpData::read(model)?;
    let probe_options = SolveOptions {
        log_file: None,
        ..options.clone()
    };
    // The best plan the probes found: the start of the next one.
    let mut best: Option<lagrange::Plan> = None;
    let at = ProbeAt {
        data: &data,
        options: &probe_options,
        stop,
        structure,
        lazy,
        deadline: std::cell::Cell::new(deadline),
    };
    let mut probe = |plan: &[Probe], search: Search| -> Probed {
        // the best plan so far, where it fits these restrictions, as the start; HiGHS may
        // misjudge it (see the start check in `solve`), and then the search runs again without
        let start = best.as_ref().map(|(_, v)| v.as_slice());
        let mut answer = at.solve(plan, search, start, highs_seconds);
        if matches!(answer, Ok(None)) && start.is_some() {
            answer = at.solve(plan, search, None, highs_seconds);
        }
        match answer {
            Ok(Some(probed)) => {
                if let Some((z, values)) = &probed.plan
                    && best.as_ref().is_none_or(|(b, _)| z < b)
                {
                    best = Some((*z, values.clone()));
                }
                probed
            }
            // misjudged twice: nothing is learnt
            Ok(None) => Probed::NOTHING,
            Err(e) => {
                *failure.borrow_mut() = Some(e);
                Probed::NOTHING
            }
        }
    };
    let limits = lagrange::Limits {
        deadline,
        max_iterations: 3000,
        gap: options.gap,
    };
    let mut outcome = structure.run(limits, None, &mut probe);
    let full = budget.search_end();
    at.deadline.set(full);
    let near = outcome
        .incumbent
        .as_ref()
        .is_some_and(|(z, _)| relative_gap(*z, outcome.bound) <= lagrange::BRANCH_MAX_GAP);
    if failure.borrow().is_none() && !outcome.prices.is_empty() && near {
        let limits = lagrange::BranchLimits {
            deadline: full,
            max_open: lagrange::MAX_OPEN_NODES,
            max_probes: lagrange::MAX_LEAF_PROBES,
            gap: options.gap,
        };
        let proof = structure.prove(
            &outcome.prices,
            &outcome.fixed,
            &mut outcome.incumbent,
            limits,
            &mut probe,
        );
        outcome.bound = outcome.bound.max(proof.bound);
        outcome.probes += proof.probes;
        outcome.proof = Some(proof);
    }
    match failure.into_inner() {
        Some(e) => Err(e),
        None => Ok(outcome),
    }
}

/// What a probe of the Lagrangian relaxation runs on: a copy of the model's data, restricted
/// as the probe says.
struct ProbeAt<'a> {
    data: &'a LpData,
    options: &'a SolveOptions,
    stop: &'a Stop,
    structure: &'a Structure,
    lazy: &'a [LazyRow],
    /// When its search must stop: the relaxation's share of the time limit, then the limit.
    deadline: std::cell::Cell<Option<Instant>>,
}

impl ProbeAt<'_> {
    /// Solves a fresh copy of the model with the sites as `plan` says (under
    /// [`Search::Restricted`], each hospital shipping only to its [`RESTRICTED_ARCS`] cheapest
    /// free sites), from `start` if given. `None` if HiGHS's objective is not the plan's own
    /// cost (a misjudged start: the answer is discarded).
    fn solve(
        &self,
        plan: &[Probe],
        search: Search,
        start: Option<&[f64]>,
        highs_seconds: &mut f64,
    ) -> Result<Option<Probed>, SolveError> {
        let structure = self.structure;
        let mut m = self.data.to_model(self.options)?;
        watch(&mut m, self.stop)?;
        for (site, choice) in structure.sites.iter().zip(plan) {
            for (k, o) in site.options.iter().enumerate() {
                let (lower, upper) = match *choice {
                    Probe::Open(j) if j == k => (1.0, 1.0),
                    Probe::Free => (0.0, 1.0),
                    _ => (0.0, 0.0),
                };
                set_bounds(&mut m, o.open_col, lower, upper);
            }
        }
        // A search for a plan, not a proof: each hospital may ship only to its
        // RESTRICTED_ARCS cheapest free sites, which keeps the search small; any plan it finds
        // is a plan of the whole model.
        let mut by_hospital: Vec<Vec<(f64, usize)>> = vec![Vec::new(); structure.hospitals];
        for (site, choice) in structure.sites.iter().zip(plan) {
            if *choice != Probe::Free || search == Search::Exact {
                continue;
            }
            let per_batch = site
                .options
                .iter()
                .map(|o| o.per_batch)
                .fold(f64::INFINITY, f64::min);
            for a in &site.arcs {
                by_hospital[a.hospital].push((a.cost + per_batch, a.col));
            }
        }
        let mut kept = std::collections::HashSet::new();
        for list in &mut by_hospital {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (i, &(_, col)) in list.iter().enumerate() {
                if i < RESTRICTED_ARCS {
                    kept.insert(col);
                } else {
                    set_bounds(&mut m, col, 0.0, 0.0);
                }
            }
        }
        // The strengthening rows of the arcs kept: without them the restricted search has the
        // weak relaxation (w <= W y is implied only at integer y).
        let rows: Vec<&LazyRow> = self
            .lazy
            .iter()
            .filter(|r| kept.contains(&r.terms[0].0))
            .collect();
        add_rows(&mut m, &rows)?;
        if let Some(d) = self.deadline.get() {
            set_time_limit(&mut m, seconds_until(d))?;
        }
        if let Some(values) = start {
            // a start that does not fit these restrictions is only ignored
            let _ = m.try_set_solution(Some(values), None, None, None);
        }
        let run = Instant::now();
        let solved = m.try_solve();
        *highs_seconds += run.elapsed().as_secs_f64();
        let solved = solved.map_err(run_failed)?;
        let bound = match solved.status() {
            HighsModelStatus::Infeasible => f64::INFINITY,
            _ => solved
                .double_info_value(c"mip_dual_bound")
                .ok()
                .filter(|b| !b.is_nan())
                .unwrap_or(f64::NEG_INFINITY),
        };
        let finished = matches!(
            solved.status(),
            HighsModelStatus::Optimal | HighsModelStatus::Infeasible
        );
        // Any plan HiGHS found is a plan of the model (the best one with these sites only when
        // the search finished), once its objective is checked against its own cost.
        if solved.primal_solution_status() != highs::HighsSolutionStatus::Feasible {
            return Ok(Some(Probed {
                plan: None,
                bound,
                finished,
            }));
        }
        let values = solved.get_solution().columns().to_vec();
        if !self.data.agrees(&values, solved.objective_value()) {
            return Ok(None);
        }
        let z = self.data.objective(&values);
        Ok(Some(Probed {
            plan: Some((z, values)),
            bound,
            finished,
        }))
    }
}

/// Fixes the open columns of the sites the relaxation found open or closed in every better
/// plan (a site open under one of several operating models is left free); returns which
/// columns are fixed.
fn fix_sites(
    model: &mut highs::Model,
    structure: &Structure,
    fixed: &[Option<Fixed>],
) -> Vec<bool> {
    let mut fixed_cols = vec![false; model.num_cols()];
    for (site, f) in structure.sites.iter().zip(fixed) {
        let value = match f {
            Some(Fixed::Closed) => 0.0,
            Some(Fixed::Open) if site.options.len() == 1 => 1.0,
            _ => continue,
        };
        for o in &site.options {
            set_bounds(model, o.open_col, value, value);
            fixed_cols[o.open_col] = true;
        }
    }
    fixed_cols
}

/// Adds the covering row sum_{s,k} (1 - f_s) B_k n[s,k] >= every patient, valid under full
/// coverage (the platforms installed must make a batch for each patient); it lets HiGHS derive
/// the same covering-knapsack strength the relaxation has.
fn add_cover_row(model: &mut highs::Model, structure: &Structure) -> Result<(), SolveError> {
    let mut index = Vec::new();
    let mut value = Vec::new();
    for site in &structure.sites {
        for o in &site.options {
            index.push(o.platforms_col as HighsInt);
            value.push(site.keep * o.batches_per_platform);
        }
    }
    let need: f64 = structure.groups.iter().map(|g| g.patients).sum();
    // SAFETY: the pointer is the live HiGHS instance owned by `model`; the arrays have the
    // length the call is given and outlive it.
    let status = unsafe {
        highs_sys::Highs_addRow(
            model.as_mut_ptr(),
            need,
            f64::INFINITY,
            index.len() as HighsInt,
            index.as_ptr(),
            value.as_ptr(),
        )
    };
    if status == highs_sys::kHighsStatusError {
        return Err(SolveError::Solver("HiGHS rejected the covering row".into()));
    }
    Ok(())
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
        let mut p = highs::RowProblem::default();
        let z1 = p.add_integer_column(5.0, 0.0..=1.0);
        let z2 = p.add_integer_column(1.0, 0.0..=1.0);
        let w1 = p.add_column(1.0, 0.0..);
        let w2 = p.add_column(2.0, 0.0..);
        p.add_row(10.0..=10.0, [(w1, 1.0), (w2, 1.0)]);
        p.add_row(..=0.0, [(w1, 1.0), (z1, -10.0)]);
        p.add_row(..=0.0, [(w2, 1.0), (z2, -10.0)]);
        p.add_row(..=1.0, [(z1, 1.0), (z2, 1.0)]);
        let mut model = p.optimise(highs::Sense::Minimise);
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

    /// The spare copy used when a start is misjudged: same model, same optimum, and the cost of
    /// a plan recomputed from the model's own costs. min 3x + 2y, x + y >= 5, y <= 2.5, x
    /// integer: x = 3, y = 2 costs 13 (x = 2 would need y = 3; x = 4 costs 14).
    #[test]
    fn a_copied_model_has_the_same_optimum_and_recomputes_a_plans_cost() {
        let mut p = highs::RowProblem::default();
        let x = p.add_integer_column(3.0, 0.0..=4.0);
        let y = p.add_column(2.0, 0.0..);
        p.add_row(5.0.., [(x, 1.0), (y, 1.0)]);
        p.add_row(..=2.5, [(y, 1.0)]);
        let mut model = p.optimise(highs::Sense::Minimise);
        let options = SolveOptions::default();
        configure(&mut model, &options).unwrap();
        let data = LpData::read(&mut model).unwrap();
        let copy = data.to_model(&options).unwrap();
        for m in [model, copy] {
            let solved = m.try_solve().unwrap();
            assert_eq!(solved.status(), HighsModelStatus::Optimal);
            assert!((solved.objective_value() - 13.0).abs() < 1e-9);
            let values = solved.get_solution().columns().to_vec();
            assert!((data.objective(&values) - 13.0).abs() < 1e-9, "{values:?}");
        }
    }
}
