//! Single sourcing where patients can move between hospitals (hospital capacities, or demand
//! reaching several hospitals, as on the national instance): each hospital's load is a choice
//! of the model, so the single-source search over fixed loads ([`super::single_source`]) does
//! not apply, and HiGHS alone finds good plans slowly: measured on the national instance, its
//! first plan stays 1 % above what its own branch and bound finds after ten minutes.
//!
//! The site-choice relaxation ([`relaxation`]: the choice among small sites made continuous,
//! the choice of a large site kept binary) has far fewer binaries, and HiGHS both bounds it
//! better and finds its plans sooner; its bound holds for the single-source model. A good
//! single-source plan uses few arcs: those the relaxation's plan uses, or a site that can take
//! the hospital whole ([`candidate_arcs`]). So the relaxation runs first (the bound and the
//! arcs), then the single-source model restricted to those arcs gives a plan in seconds, and,
//! unless that plan is within the asked gap of the bound, the full model starts from it for
//! the time left: any better plan or bound it finds is kept. Every plan is one of the full
//! model; the bound reported is the better of the two valid ones.

mod relaxation;

use super::budget::TimeBudget;
use super::single_source::{phase_options, same_columns};
use super::{OPTIMAL_GAP, Solution, SolveError, SolveOptions, Status, relative_gap};
use crate::input::{Instance, Scenario};
use crate::model::{Formulation, ModelInfo, Problem};
use crate::network::Network;
use good_lp::constraint;
use std::sync::Arc;
use std::time::Instant;

/// The share of the search time left the site-choice relaxation may use: its bound is the one
/// reported unless the full model proves a better one, and its plan picks the arcs. Its root
/// (cutting-plane rounds, then HiGHS's own cuts) needs most of a minute on the national
/// instance: at 0.6 of 60 s it was cut off before HiGHS's root bound once.
const CHOICE_SHARE: f64 = 0.7;
/// Its gap, as a share of the asked one: the restricted plan must come within the rest.
const CHOICE_GAP_SHARE: f64 = 0.4;
/// The share of the time then left the model restricted to the relaxation's arcs may use; the
/// full model's branch and bound gets the rest where the plan is not yet within the gap.
const RESTRICTED_SHARE: f64 = 0.5;
/// The restricted model's gap, as a share of the asked one: its bound holds only for it.
const RESTRICTED_GAP_SHARE: f64 = 0.25;
/// A flow below this many batches a year is rounding noise, not a used arc.
const FLOW_NOISE: f64 = 1e-6;

/// Whether this search applies: single sourcing in a single-year model without an upfront
/// setup, where the fixed-load search does not.
pub fn applies(instance: &Instance, scenario: &Scenario, info: &ModelInfo) -> bool {
    super::single_source::single_year_sourcing(scenario, info)
        && !super::single_source::applies(instance, scenario, info)
}

/// Solves the single-source model `p` (with `info`): the site-choice relaxation for the bound
/// and a guide, the model restricted to the guide's arcs for a plan, then, unless that plan is
/// within the gap, the full model from it for the time left.
pub fn solve(
    p: Problem,
    info: &ModelInfo,
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
    options: &SolveOptions,
) -> Result<Solution, SolveError> {
    let started = options.started.unwrap_or_else(Instant::now);
    let options = &SolveOptions {
        started: Some(started),
        ..options.clone()
    };
    let budget = TimeBudget::new(started, options.time_limit);
    let mut relaxed_scenario = scenario.clone();
    relaxed_scenario.policy.single_sourcing = false;
    let mut choice = Formulation::build(instance, &relaxed_scenario, network);
    if !same_columns(&choice.info, info) {
        return super::solve(p, options);
    }
    relaxation::add_choice_rows(&mut choice.problem, info, network);
    let gap = (options.gap * CHOICE_GAP_SHARE).max(OPTIMAL_GAP);
    let guide = super::solve(
        choice.problem,
        &phase_options(options, &budget, CHOICE_SHARE, gap),
    )?;
    match guide.status {
        // no plan of the relaxation: none of this model
        Status::Infeasible => {
            return Ok(Solution {
                values: Vec::new(),
                ..guide
            });
        }
        Status::NoSolution => return super::solve(p, options),
        Status::Optimal | Status::Feasible => {}
    }
    let bound = guide.best_bound.unwrap_or(f64::NEG_INFINITY);
    let keep = candidate_arcs(info, network, &guide.values);
    let mut restricted = Formulation::build(instance, scenario, network).problem;
    restrict(&mut restricted, info, &keep);
    let gap = (options.gap * RESTRICTED_GAP_SHARE).max(OPTIMAL_GAP);
    let first = super::solve(
        restricted,
        &phase_options(options, &budget, RESTRICTED_SHARE, gap),
    )?;
    let mut best = full_from(p, first, bound, options, &budget)?;
    best.seconds = started.elapsed().as_secs_f64();
    best.highs_seconds += guide.highs_seconds;
    Ok(best)
}

/// The restricted model's plan `first` as it is when within the gap of `bound` (or when the
/// time is up), else the better of it and the full model `p`'s search started from it.
fn full_from(
    p: Problem,
    first: Solution,
    bound: f64,
    options: &SolveOptions,
    budget: &TimeBudget,
) -> Result<Solution, SolveError> {
    let within = first
        .objective
        .is_some_and(|z| relative_gap(z, bound) <= options.gap);
    let full = if within || budget.search_over() {
        // no search of the full model: nothing proven about it beyond `bound`
        Solution {
            status: Status::NoSolution,
            objective: None,
            best_bound: None,
            values: Vec::new(),
            highs_seconds: 0.0,
            ..first.clone()
        }
    } else {
        let start = (!first.values.is_empty()).then(|| Arc::new(first.values.clone()));
        super::solve(
            p,
            &SolveOptions {
                initial_solution: start,
                ..options.clone()
            },
        )?
    };
    Ok(better(full, first, bound))
}

/// The cell arcs the restricted model keeps: every arc the multi-source plan `values` uses,
/// and for each hospital its cheapest arc and its cheapest arc to a site that can take all
/// its batches (the most any of its arcs can carry), so that every hospital keeps a choice
/// that serves it whole.
pub(crate) fn candidate_arcs(info: &ModelInfo, network: &Network, values: &[f64]) -> Vec<bool> {
    let vars = &info.years[0];
    let arcs = network.cell_arc_count();
    let mut keep: Vec<bool> = (0..arcs)
        .map(|c| {
            values
                .get(vars.shipments[c].col)
                .is_some_and(|&w| w > FLOW_NOISE)
        })
        .collect();
    let hospitals = (0..arcs)
        .map(|c| network.cell_arc(c).hospital)
        .max()
        .map_or(0, |h| h + 1);
    let mut most = vec![0.0_f64; hospitals];
    for c in 0..arcs {
        let h = network.cell_arc(c).hospital;
        most[h] = most[h].max(vars.shipment_caps[c]);
    }
    let mut cheapest: Vec<Option<usize>> = vec![None; hospitals];
    let mut cheapest_whole: Vec<Option<usize>> = vec![None; hospitals];
    let cost = |c: usize| network.cell_arc(c).cost_per_batch();
    let lower = |slot: &mut Option<usize>, c: usize| {
        if slot.is_none_or(|o| cost(c) < cost(o)) {
            *slot = Some(c);
        }
    };
    for c in (0..arcs).filter(|&c| vars.shipment_caps[c] > 0.0) {
        let h = network.cell_arc(c).hospital;
        lower(&mut cheapest[h], c);
        if vars.shipment_caps[c] >= most[h] {
            lower(&mut cheapest_whole[h], c);
        }
    }
    for c in cheapest.into_iter().chain(cheapest_whole).flatten() {
        keep[c] = true;
    }
    keep
}

/// Fixes to 0 the choice of each cell arc not in `keep`.
fn restrict(p: &mut Problem, info: &ModelInfo, keep: &[bool]) {
    for (c, z) in info.years[0].sourcing.iter().enumerate() {
        if let (Some(z), false) = (z, keep[c]) {
            p.constraints.push(constraint!(z.var == 0));
        }
    }
}

/// The better plan of the full model's search `full` and the restricted one's `first` (a plan
/// of the full model too), with the best valid bound: the full model's or `bound`.
fn better(full: Solution, first: Solution, bound: f64) -> Solution {
    let bound = full.best_bound.unwrap_or(f64::NEG_INFINITY).max(bound);
    let highs_seconds = full.highs_seconds + first.highs_seconds;
    let mut best = match (full.objective, first.objective) {
        (Some(a), Some(b)) if b < a => first,
        (None, Some(_)) => first,
        _ => full,
    };
    best.highs_seconds = highs_seconds;
    let Some(z) = best.objective else {
        best.best_bound = bound.is_finite().then_some(bound);
        return best;
    };
    let bound = bound.min(z);
    let gap = relative_gap(z, bound);
    best.best_bound = bound.is_finite().then_some(bound);
    best.gap = gap.is_finite().then_some(gap);
    best.status = if gap <= OPTIMAL_GAP {
        Status::Optimal
    } else {
        Status::Feasible
    };
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Override;
    use std::path::Path;

    fn demo() -> (Instance, Scenario, Network) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let instance = Instance::load(&root.join("data/demo")).unwrap();
        let sets = [Override::parse("policy.single_sourcing=true").unwrap()];
        let scenario = Scenario::load(&root.join("models/baseline.toml"), &sets).unwrap();
        let network = Network::build(&instance, &scenario);
        (instance, scenario, network)
    }

    /// The candidates are the arcs a plan uses, and per hospital its cheapest arc and its
    /// cheapest arc that carries the most: nothing else.
    #[test]
    fn candidate_arcs_are_the_used_ones_and_each_hospitals_cheapest() {
        let (instance, scenario, network) = demo();
        let f = Formulation::build(&instance, &scenario, &network);
        let vars = &f.info.years[0];
        let arcs = network.cell_arc_count();
        let mut values = vec![0.0; f.info.columns];
        let none = candidate_arcs(&f.info, &network, &values);
        let cost = |c: usize| network.cell_arc(c).cost_per_batch();
        let open = |c: usize| vars.shipment_caps[c] > 0.0;
        for h in 0..instance.hospitals.len() {
            let own: Vec<usize> = (0..arcs)
                .filter(|&c| network.cell_arc(c).hospital == h && open(c))
                .collect();
            let kept: Vec<usize> = own.iter().copied().filter(|&c| none[c]).collect();
            let Some(&first) = own.first() else { continue };
            assert!((1..=2).contains(&kept.len()), "hospital {h}: {kept:?}");
            let least = own.iter().map(|&c| cost(c)).fold(cost(first), f64::min);
            assert!(kept.iter().any(|&c| cost(c) == least), "hospital {h}");
            let most = own
                .iter()
                .map(|&c| vars.shipment_caps[c])
                .fold(0.0, f64::max);
            assert!(
                kept.iter().any(|&c| vars.shipment_caps[c] == most),
                "hospital {h}"
            );
        }
        // an arc the plan uses is kept, however dear
        let dear = (0..arcs)
            .filter(|&c| open(c) && !none[c])
            .max_by(|&a, &b| cost(a).total_cmp(&cost(b)))
            .expect("the demo has arcs no hospital needs");
        values[vars.shipments[dear].col] = 1.0;
        let used = candidate_arcs(&f.info, &network, &values);
        assert!(used[dear]);
        assert_eq!(
            used.iter().filter(|k| **k).count(),
            none.iter().filter(|k| **k).count() + 1
        );
    }

    fn plan(status: Status, objective: Option<f64>, bound: Option<f64>) -> Solution {
        Solution {
            status,
            objective,
            best_bound: bound,
            gap: None,
            seconds: 1.0,
            highs_seconds: 1.0,
            values: objective.map(|z| vec![z]).unwrap_or_default(),
            lagrangian: None,
            tree_nodes: None,
            basis: None,
        }
    }

    /// The restricted model's own bound is never reported (it holds only for it): the bound
    /// is the relaxation's or the full model's, and the cheaper plan is kept.
    #[test]
    fn the_better_plan_takes_only_valid_bounds() {
        let restricted = plan(Status::Optimal, Some(100.0), Some(100.0));
        let none = plan(Status::NoSolution, None, None);
        let b = better(none, restricted.clone(), 90.0);
        assert_eq!(
            (b.status, b.objective, b.best_bound),
            (Status::Feasible, Some(100.0), Some(90.0))
        );
        assert!((b.gap.unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(b.highs_seconds, 2.0);
        // the full model: a better plan and a better bound
        let full = plan(Status::Feasible, Some(95.0), Some(94.0));
        let b = better(full, restricted.clone(), 90.0);
        assert_eq!((b.objective, b.best_bound), (Some(95.0), Some(94.0)));
        // a worse full plan, and the relaxation's bound above the plan: proven
        let full = plan(Status::Feasible, Some(120.0), Some(80.0));
        let b = better(full, restricted, 100.0);
        assert_eq!(
            (b.status, b.objective, b.best_bound),
            (Status::Optimal, Some(100.0), Some(100.0))
        );
        assert_eq!(b.values, vec![100.0]);
    }
}
