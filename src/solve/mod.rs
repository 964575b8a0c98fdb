//! Solving: hands the formulation to HiGHS, with the options set on the HiGHS model itself so the
//! true status, objective, best bound and gap can be read back (good_lp reports none of these).

pub mod benders;
pub mod budget;
mod highs;
pub mod horizon;
mod interrupt;
pub mod lagrangian;
mod options;
mod polish;
pub mod scenario_lagrangian;
mod search;
mod separation;
pub mod single_source;
pub mod single_source_fit;
pub mod single_source_moving;

pub use highs::Basis;
pub use highs::option as highs_option;
pub use interrupt::{clear_interrupt, interrupt, interrupted};
pub use options::{
    LAZY_ROWS_THRESHOLD, LAZY_ROWS_THRESHOLD_AFTER_FIXING, Lagrangian, OPTIMAL_GAP,
    RESTRICTED_ARCS, SolveOptions,
};

use crate::model::Problem;
use budget::TimeBudget;
use polish::polish;
use search::search;
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
    /// The nodes of the branch and bound over single-source plans, when it ran.
    pub tree_nodes: Option<usize>,
    /// The optimal basis of an LP (none for a MIP), to start a neighbouring LP from
    /// ([`SolveOptions::start_basis`]).
    pub basis: Option<std::sync::Arc<Basis>>,
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

/// |objective - bound| / max(|objective|, tiny), as HiGHS defines the MIP gap; 0 when equal.
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    if objective == bound {
        return 0.0;
    }
    ((objective - bound).abs() / objective.abs().max(1e-9)).max(0.0)
}
