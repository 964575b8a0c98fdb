//! The two-stage Lagrangian relaxation ([`crate::solve::scenario_lagrangian`]) in a two-stage
//! solve: a lower bound on the recourse problem that needs no scenario's MIP, and the
//! relaxation's designs as candidates.

use super::evaluate::par_map;
use super::regret::{Known, Measure, best};
use super::{Futures, blocks};
use crate::input::OpModel;
use crate::model::Design;
use crate::model::stochastic::{BlockRelaxation, block_relaxation, keep_sites};
use crate::plan::RelaxationBound;
use crate::solve::scenario_lagrangian::{Choice, Limits, TwoStage};
use crate::solve::{SolveError, SolveOptions};
use std::time::Instant;

/// Subgradient rounds at most (each evaluates every scenario's relaxation once): the time share
/// is the usual limit; nationally 5,000 rounds took 63 s and the bound was still rising.
const MAX_ROUNDS: usize = 20_000;
/// The relaxation's designs evaluated in every scenario: the ones at its best bounds.
const DESIGNS_TRIED: usize = 1;

/// The relaxation's bound, with its designs added to `known`; `None` where it does not cover
/// the model (see [`block_relaxation`]) or no known design serves every scenario (its steps
/// aim at one).
pub fn relax(
    futures: &Futures,
    known: &mut Known,
    options: &SolveOptions,
    jobs: usize,
    deadline: Option<Instant>,
    measure: &mut Measure<'_>,
) -> Result<Option<RelaxationBound>, SolveError> {
    let started = Instant::now();
    let list = &futures.list;
    let Some((_, ub)) = best(known, futures) else {
        return Ok(None);
    };
    let blocks = blocks(list);
    let keep = keep_sites(&blocks);
    let relaxations: Option<Vec<BlockRelaxation>> =
        par_map(jobs, &blocks, |b| block_relaxation(b, &keep))
            .into_iter()
            .collect();
    let Some(two_stage) = relaxations.as_deref().and_then(TwoStage::new) else {
        return Ok(None);
    };
    let limits = Limits {
        deadline,
        max_rounds: MAX_ROUNDS,
        gap: options.gap,
    };
    let ascent = two_stage.ascend(ub, limits);
    for d in ascent.designs.iter().take(DESIGNS_TRIED) {
        let design = design_of(d);
        if !known.iter().any(|(k, _)| *k == design) {
            let costs = measure(&design)?;
            known.push((design, costs));
        }
    }
    Ok(ascent.bound.is_finite().then(|| RelaxationBound {
        bound: ascent.bound,
        rounds: ascent.rounds,
        seconds: started.elapsed().as_secs_f64(),
    }))
}

/// The relaxation's design as a first stage.
fn design_of(choices: &[Option<Choice>]) -> Design {
    Design {
        sites: choices
            .iter()
            .map(|c| c.map(|(k, n)| (OpModel::ALL[k], n)))
            .collect(),
    }
}
