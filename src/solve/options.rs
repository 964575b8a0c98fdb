//! What a solve may do: its limits, HiGHS settings and phases.

use std::path::PathBuf;
use std::time::Instant;

/// Below this many lazy rows, handing them all to HiGHS up front is faster than separating
/// them; far above it the root LP with every row does not finish (docs/solver-tuning.md).
pub const LAZY_ROWS_THRESHOLD: usize = 10_000;

/// The same threshold once the Lagrangian relaxation has fixed sites: the rows left belong to
/// the few free sites, and up front is faster there (docs/solver-tuning.md).
pub const LAZY_ROWS_THRESHOLD_AFTER_FIXING: usize = 50_000;

/// A proven relative gap at or below this is reported as optimal.
pub const OPTIMAL_GAP: f64 = 1e-6;

/// Solver settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Seconds, counted from `started`; `None` is no limit. Everything from `started` counts:
    /// with [`crate::optimize`], building the model, the search (cutting-plane rounds, HiGHS's
    /// repair of their LP point, its branch and bound) and the plan after it; the search gets
    /// all but [`super::budget::FINISH_SHARE`] of it ([`super::budget::TimeBudget`]).
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
    /// An LP's starting basis (a neighbouring LP's [`super::Solution::basis`], e.g. the same
    /// design's flows in the previous scenario); ignored for a MIP or when the sizes differ.
    pub start_basis: Option<std::sync::Arc<super::Basis>>,
    /// Write the model HiGHS is about to solve (after the cutting-plane rounds, with integrality
    /// restored) to this file; the extension (.mps or .lp) picks the format.
    pub write_model: Option<PathBuf>,
    /// When to run the Lagrangian relaxation ([`super::lagrangian`]) before branch and bound.
    pub lagrangian: Lagrangian,
}

/// When the solve starts with the Lagrangian relaxation (bound, a plan, site fixing, branch and
/// bound over the sites left) and adds the covering row. `Auto` by default: on the OR-Library
/// capa/capb/capc instances it turns 86-94 % gaps at 10 s into proven optima on all 12 (README
/// "Performance"); the national and generated instances have rows it does not cover (hospital
/// capacities), so it does not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lagrangian {
    /// On single-year models it covers with more than 10,000 strengthening rows (cell arcs)
    #[default]
    Auto,
    /// On every model it covers
    On,
    /// Never
    Off,
}

impl SolveOptions {
    /// The same options with `seconds` less in the time limit (never below 0), for a step
    /// that must leave time for what follows it.
    pub fn less(&self, seconds: f64) -> SolveOptions {
        SolveOptions {
            time_limit: self.time_limit.map(|l| (l - seconds).max(0.0)),
            ..self.clone()
        }
    }
}

/// In the restricted search for a plan, the free sites each hospital may ship to (its cheapest):
/// enough to keep the optimum, few enough to keep the search small (docs/solver-tuning.md).
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
            start_basis: None,
            write_model: None,
            lagrangian: Lagrangian::Auto,
        }
    }
}
