//! Solving: hands the formulation to HiGHS, with the options set on the HiGHS model itself so the
//! true status, objective, best bound and gap can be read back (good_lp reports none of these).

use crate::model::Problem;
use good_lp::SolverModel;
use good_lp::solvers::highs::highs;
use highs::HighsModelStatus;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// A proven relative gap at or below this is reported as optimal.
pub const OPTIMAL_GAP: f64 = 1e-6;

/// Solver settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Seconds; `None` is no limit.
    pub time_limit: Option<f64>,
    /// Relative gap at which the search stops (HiGHS `mip_rel_gap`).
    pub gap: f64,
    /// Solver threads; `None` leaves HiGHS's default.
    pub threads: Option<u32>,
    /// Where HiGHS writes its log; `None` keeps it silent.
    pub log_file: Option<PathBuf>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: None,
            gap: OPTIMAL_GAP,
            threads: None,
            log_file: None,
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
    /// Column values (empty without a feasible plan).
    pub values: Vec<f64>,
}

/// A failure of the solver itself (not infeasibility, which is a [`Status`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolveError {
    #[error("HiGHS rejected option {0}")]
    Option(String),
    #[error("HiGHS failed: {0}")]
    Solver(String),
}

/// Solves the formulation with HiGHS.
pub fn solve(p: Problem, options: &SolveOptions) -> Result<Solution, SolveError> {
    let mut problem = p.variables.minimise(p.objective).using(highs);
    for c in p.constraints {
        problem.add_constraint(c);
    }
    let mut model = problem
        .try_into_inner()
        .map_err(|e| SolveError::Solver(e.to_string()))?;
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
    if let Some(t) = options.time_limit {
        set("time_limit", model.try_set_option("time_limit", t))?;
    }
    if let Some(n) = options.threads {
        set("threads", model.try_set_option("threads", n as i32))?;
    }
    let start = Instant::now();
    let solved = model
        .try_solve()
        .map_err(|e| SolveError::Solver(format!("{e:?}")))?;
    let seconds = start.elapsed().as_secs_f64();
    let has_plan = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .ok()
        .filter(|b| b.is_finite());
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
    if !has_plan {
        return Ok(Solution {
            status,
            objective: None,
            best_bound: bound,
            gap: None,
            seconds,
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
        status,
        objective: Some(objective),
        best_bound: best_bound.is_finite().then_some(best_bound),
        gap: gap.is_finite().then_some(gap),
        seconds,
        values,
    })
}

/// |objective - bound| / max(|objective|, tiny), as HiGHS defines the MIP gap; 0 when equal.
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    if objective == bound {
        return 0.0;
    }
    ((objective - bound).abs() / objective.abs().max(1e-9)).max(0.0)
}
