//! A fixed design in one scenario: the flows alone (an LP once the design is fixed), and the
//! plan they make. Used for the recourse plan's scenarios, EEV, the regret table and
//! `cartnet evaluate`.

use super::Future;
use crate::model::{Design, Formulation};
use crate::plan::{Plan, Provenance};
use crate::solve::{self, Basis, SolveError, SolveOptions, Status};
use rayon::prelude::*;
use std::sync::Arc;

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

/// Scenarios evaluated one after the other, each LP started from the previous one's basis: a
/// fixed length, so the chains (and the results, to the last cent) do not depend on `jobs`.
pub const WARM_CHAIN: usize = 8;

/// The design's plan in one scenario.
pub fn evaluate(
    future: &Future,
    design: &Design,
    options: &SolveOptions,
) -> Result<Evaluation, SolveError> {
    solve_fixed(future, design, options, None).map(|f| f.evaluation)
}

/// A design's flows solved in one scenario.
pub(super) struct Fixed {
    pub evaluation: Evaluation,
    /// The LP's column values (empty without flows): a start for the scenario's own model,
    /// whose columns they match when every open site is in the scenario's network.
    pub values: Vec<f64>,
    pub basis: Option<Arc<Basis>>,
}

/// The design's flow LP in `future`, from `start`'s basis (a neighbouring scenario's, used when
/// its model has the same columns and rows). The LP finishes a plan or measures a design, so it
/// runs to its end even when the run's time limit has passed, as a plan's own flows do.
pub(super) fn solve_fixed(
    future: &Future,
    design: &Design,
    options: &SolveOptions,
    start: Option<Arc<Basis>>,
) -> Result<Fixed, SolveError> {
    let conflicts = design.conflicts(&future.instance, &future.scenario, &future.network);
    if !conflicts.is_empty() {
        return Ok(Fixed {
            evaluation: Evaluation::Infeasible(conflicts),
            values: Vec::new(),
            basis: None,
        });
    }
    let f = Formulation::build_fixed(&future.instance, &future.scenario, &future.network, design);
    let info = f.info;
    let options = SolveOptions {
        start_basis: start,
        time_limit: None,
        ..options.clone()
    };
    let mut solution = solve::solve(f.problem, &options)?;
    let basis = solution.basis.take();
    let evaluation = match solution.status {
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
    };
    Ok(Fixed {
        evaluation,
        values: solution.values,
        basis,
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
    let chains: Vec<&[Future]> = futures.chunks(WARM_CHAIN).collect();
    let evaluated = par_map(
        jobs,
        &chains,
        |chain| -> Result<Vec<Evaluation>, SolveError> {
            let mut basis = None;
            let mut out = Vec::with_capacity(chain.len());
            for f in *chain {
                let fixed = solve_fixed(f, design, &one, basis.clone())?;
                basis = fixed.basis.or(basis);
                out.push(fixed.evaluation);
            }
            Ok(out)
        },
    );
    let mut all = Vec::with_capacity(futures.len());
    for chain in evaluated {
        all.extend(chain?);
    }
    Ok(all)
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
