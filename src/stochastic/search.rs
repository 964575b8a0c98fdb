//! The search for the recourse problem's design after the scenarios' own optima: the candidate
//! designs measured in every scenario, the Lagrangian relaxation, then the recourse solve by the
//! method chosen, unless the best candidate is already within the gap of the bounds.
//!
//! By the decomposition, the relaxation does not run, and every measurement goes through the L-shaped method's scenario workers
//! ([`Pool`]): each candidate's costs are the scenarios' flow LPs at that design, whose slopes
//! are the master problem's first cuts, so nothing is solved twice; each LP re-solves from its
//! last basis, about twice as fast as building each plan anew (nationally, 20 futures: ~3 s a
//! design against ~6 s).

use super::regret::{self, ExpectedValue, Known, Measure, WaitAndSee};
use super::rp::{self, Recourse, design_of_values, fits, values_of};
use super::{Futures, Method, TwoStageOptions, blocks, lagrange};
use crate::model::Design;
use crate::model::stochastic::{design_space, keep_sites, recourse};
use crate::plan::RelaxationBound;
use crate::solve::benders::{self, Benders, Evaluated, Pool};
use crate::solve::{SolveError, SolveOptions};
use std::time::{Duration, Instant};

/// What the search found: the candidates with their costs, the relaxation's bound, and the
/// recourse problem's answer.
pub(super) struct Searched {
    pub known: Known,
    pub relaxed: Option<RelaxationBound>,
    pub rp: Recourse,
}

/// What the search starts from, besides the futures.
pub(super) struct Start<'a> {
    pub ws: &'a WaitAndSee,
    pub eev: &'a ExpectedValue,
    pub options: &'a SolveOptions,
    pub two_stage: &'a TwoStageOptions,
    /// The seconds the relaxation may take (none: no limit).
    pub relaxation: Option<f64>,
    /// Seconds kept for the design's plans in every scenario after the recourse solve.
    pub final_plans: f64,
}

/// The candidates, the relaxation and the extensive form, each design measured by its plans.
pub(super) fn by_extensive_form(futures: &Futures, s: &Start<'_>) -> Result<Searched, SolveError> {
    let mut measure = regret::by_plans(futures, s.options, s.two_stage.jobs);
    let m = candidates_and_bounds(futures, s, &mut measure, Relax::Yes)?;
    m.finish(futures, s, |best, options| {
        rp::by_extensive_form(&blocks(&futures.list), futures.risk, best, options)
    })
}

/// The candidates and the L-shaped method, every design measured by the method's scenario
/// workers.
pub(super) fn by_decomposition(futures: &Futures, s: &Start<'_>) -> Result<Searched, SolveError> {
    let blocks = blocks(&futures.list);
    let keep = keep_sites(&blocks);
    let space = design_space(&blocks, &keep);
    let probabilities: Vec<f64> = blocks.iter().map(|b| b.probability).collect();
    let build = |w: usize| recourse(&blocks[w], &keep);
    let problem = Benders {
        space: &space,
        probabilities: &probabilities,
        risk: futures.risk.map(|r| (r.alpha, r.weight)),
        build: &build,
        jobs: s.two_stage.jobs,
    };
    std::thread::scope(|scope| {
        let pool = Pool::start(scope, &problem);
        let mut evaluated = Vec::new();
        let mut by_plans = regret::by_plans(futures, s.options, s.two_stage.jobs);
        let mut measure = |d: &Design| -> Result<Vec<Option<f64>>, SolveError> {
            if !fits(d, &space.slots) {
                return by_plans(d);
            }
            let design = values_of(d, space.slots.len());
            let answers = pool.evaluate(&design)?;
            let costs = answers.iter().map(|a| Some(a.value)).collect();
            evaluated.push(Evaluated { design, answers });
            Ok(costs)
        };
        // the master's LP bound passes the relaxation's within a few rounds (nationally, 20
        // futures: $1,907.0M after 6 rounds, 11 s, against $1,903.3M after 64 s of ascent),
        // and its integer designs are better than the relaxation's: the time goes to it
        let m = candidates_and_bounds(futures, s, &mut measure, Relax::No)?;
        m.finish(futures, s, |_, options| {
            let found = benders::solve(&problem, &pool, evaluated, options)?;
            Ok(Recourse {
                design: found.design.as_ref().map(design_of_values),
                bound: found.bound,
                infeasible: false,
                method: Method::Decomposition,
                iterations: found.iterations,
            })
        })
    })
}

/// The candidates with their costs, the relaxation's bound, and the floor of the bounds.
struct Measured {
    known: Known,
    relaxed: Option<RelaxationBound>,
    floor: Option<f64>,
}

impl Measured {
    /// The recourse problem's answer without a solve, when the best candidate is within the
    /// gap of the floor.
    fn settled(&self, futures: &Futures, options: &SolveOptions) -> Option<Recourse> {
        rp::settled(
            regret::best(&self.known, futures),
            self.floor,
            futures,
            options,
        )
    }

    /// The search's result: settled by the candidates, or by `solve` (given the best candidate
    /// and the options with the final plans' time kept), falling back to the best candidate.
    fn finish(
        self,
        futures: &Futures,
        s: &Start<'_>,
        solve: impl FnOnce(Option<&Design>, &SolveOptions) -> Result<Recourse, SolveError>,
    ) -> Result<Searched, SolveError> {
        let rp = match self.settled(futures, s.options) {
            Some(rp) => rp,
            None => {
                let best = regret::best(&self.known, futures).map(|(d, _)| d);
                solve(best, &s.options.less(s.final_plans))?.or_best_known(best, self.floor)
            }
        };
        Ok(Searched {
            known: self.known,
            relaxed: self.relaxed,
            rp,
        })
    }
}

/// Whether the Lagrangian relaxation runs after the candidates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Relax {
    Yes,
    No,
}

/// The candidates measured, and the relaxation run if asked.
fn candidates_and_bounds(
    futures: &Futures,
    s: &Start<'_>,
    measure: &mut Measure<'_>,
    relax: Relax,
) -> Result<Measured, SolveError> {
    let jobs = s.two_stage.jobs;
    let mut known = regret::candidates(futures, s.ws, s.eev, measure)?;
    let relaxed = match relax {
        Relax::Yes => {
            let end = s
                .relaxation
                .map(|l| Instant::now() + Duration::from_secs_f64(l));
            lagrange::relax(futures, &mut known, s.options, jobs, end, measure)?
        }
        Relax::No => None,
    };
    let floor = [s.ws.bound, relaxed.map(|r| r.bound)]
        .into_iter()
        .flatten()
        .reduce(f64::max);
    Ok(Measured {
        known,
        relaxed,
        floor,
    })
}
