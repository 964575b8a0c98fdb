//! A fixed design in one scenario: the flows alone (an LP once the design is fixed), and the
//! plan they make. Used for the recourse plan's scenarios, EEV, the regret table and
//! `cartnet evaluate`.

use super::Future;
use crate::model::{Design, Formulation};
use crate::plan::{Plan, Provenance};
use crate::solve::{self, SolveError, SolveOptions, Status};
use rayon::prelude::*;

/// What a design does in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluation {
    /// Its plan in the scenario (status optimal: the flow LP is solved exactly).
    Plan(Box<Plan>),
    /// It cannot serve the scenario; the reasons.
    Infeasible(Vec<String>),
}

impl Evaluation {
    /// The design's cost in the scenario, if it can serve it.
    pub fn cost(&self) -> Option<f64> {
        match self {
            Evaluation::Plan(p) => Some(p.cost.total),
            Evaluation::Infeasible(_) => None,
        }
    }
}

/// The design's plan in one scenario.
pub fn evaluate(
    future: &Future,
    design: &Design,
    options: &SolveOptions,
) -> Result<Evaluation, SolveError> {
    let conflicts = design.conflicts(&future.instance, &future.scenario, &future.network);
    if !conflicts.is_empty() {
        return Ok(Evaluation::Infeasible(conflicts));
    }
    let f = Formulation::build_fixed(&future.instance, &future.scenario, &future.network, design);
    let info = f.info;
    let solution = solve::solve(f.problem, options)?;
    Ok(match solution.status {
        Status::Optimal | Status::Feasible => Evaluation::Plan(Box::new(Plan::new(
            &future.instance,
            &future.scenario,
            &future.network,
            &info,
            &solution,
            Provenance {
                data: "",
                model: "",
            },
        ))),
        Status::Infeasible => Evaluation::Infeasible(vec![
            "with this design the scenario's constraints cannot all hold (e.g. \
             demand.full_coverage with too little capacity)"
                .to_string(),
        ]),
        Status::NoSolution => Evaluation::Infeasible(vec![
            "no flows were found within the time limit".to_string(),
        ]),
    })
}

/// The design in every scenario, `jobs` at a time (one solver thread each), in scenario order.
pub fn evaluate_all(
    futures: &[Future],
    design: &Design,
    options: &SolveOptions,
    jobs: usize,
) -> Result<Vec<Evaluation>, SolveError> {
    let one = SolveOptions {
        threads: Some(super::SCENARIO_SOLVER_THREADS),
        ..options.clone()
    };
    par_map(jobs, futures, |f| evaluate(f, design, &one))
        .into_iter()
        .collect()
}

/// Runs `work` on every item on `jobs` worker threads; results in the items' order.
pub(super) fn par_map<T: Sync, R: Send>(
    jobs: usize,
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = jobs.clamp(1, items.len().max(1));
    match rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("cartnet-scenario-{i}"))
        .build()
    {
        Ok(pool) => pool.install(|| items.par_iter().with_max_len(1).map(&work).collect()),
        // no threads to be had: one after the other on this thread
        Err(_) => items.iter().map(work).collect(),
    }
}
