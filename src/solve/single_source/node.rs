//! One node of the branch and bound over single-source plans: its bound by subgradient steps
//! on the relaxation of the assignment rows from its parent's prices, how often each site and
//! arc was taken along the way (which the branching reads), and a plan built from the
//! relaxation's solution by repair and local search (the primal heuristic).

use super::assignment::Assignment;
use super::lagrange::{Aim, DEFLECTION, Evaluation, Steps, ascend};
use super::repair;
use super::restriction::{Restriction, View};
use crate::model::relaxation::Structure;
use std::time::Instant;

/// A node's ascent: from its parent's prices, near the best already, so a smaller first step.
/// Rounds and patience measured on the Yang set (one thread, 60 s): at 20 rounds halving after
/// 5 stale ones p10, p11 and p20 stayed unproven; at 100 and 8 each was proven, the nodes'
/// higher bounds saving more nodes than the rounds cost. With the steps aimed above the best
/// plan ([`super::tree`]) 200 rounds did better still (one thread, nodes to the proof, with
/// the aim 3 gaps above: p7 21,097 at 200 rounds, 37,461 at 100; the eight slowest others
/// 8,672 in all, 9,401 at 100), and halving the step after 12 stale rounds better again (p7
/// 10,101; after 5, 57,601 unproven).
const NODE_STEPS: Steps = Steps {
    theta: 1.0,
    stale_rounds: 12,
    max_rounds: 200,
    min_theta: 1e-3,
    deflection: DEFLECTION,
};
/// The least step gap, as a share of the target (rounding noise below).
const NODE_LEAST_GAP: f64 = 1e-9;

/// What bounding a node found.
pub(super) struct Bounded {
    pub bound: f64,
    pub prices: Vec<f64>,
    /// The relaxation's solution at the best prices.
    pub best: Evaluation,
    /// Per site, per arc: the share of the rounds in which an open site took it.
    pub take_share: Vec<Vec<f64>>,
    /// Whether the solution at the best prices is a plan (each priced hospital taken once).
    pub feasible: bool,
    /// The subgradient rounds it took.
    pub rounds: usize,
}

/// The node's bound from `prices` by subgradient steps towards `target` (at or above the
/// cheapest plan known), stopping once it reaches `cutoff` or at `deadline`; `None` if no round ran.
pub(super) fn bound(
    view: &View<'_>,
    mu: Vec<f64>,
    target: f64,
    cutoff: f64,
    deadline: Option<Instant>,
) -> Option<Bounded> {
    let mut take_share: Vec<Vec<f64>> = view.usable.iter().map(|u| vec![0.0; u.len()]).collect();
    let aim = Aim {
        target,
        least: NODE_LEAST_GAP * target.abs().max(1.0),
        cutoff,
        deadline,
    };
    let a = ascend(view, mu, &NODE_STEPS, &aim, &mut |ev| {
        tally(ev, &mut take_share)
    })?;
    let scale = 1.0 / a.rounds as f64;
    take_share.iter_mut().flatten().for_each(|x| *x *= scale);
    let feasible = a.best.grad.iter().all(|&g| g == 0.0);
    Some(Bounded {
        bound: a.best.value,
        prices: a.prices,
        best: a.best,
        take_share,
        feasible,
        rounds: a.rounds,
    })
}

/// Counts the arcs the open sites' knapsacks take in one round.
fn tally(ev: &Evaluation, take_share: &mut [Vec<f64>]) {
    for (s, takes) in ev.takes.iter().enumerate() {
        if ev.open[s] {
            takes.iter().for_each(|&i| take_share[s][i] += 1.0);
        }
    }
}

/// A plan from the relaxation's solution `ev` under `r`: the forced arcs, each hospital taken
/// by exactly one open site there, the rest repaired where they cost least; then the local
/// search until `deadline` when the repaired plan costs less than `improve_below`. `None` if
/// a hospital fits nowhere.
pub(super) fn plan<'a>(
    structure: &'a Structure,
    load: &'a [f64],
    r: &Restriction,
    ev: &Evaluation,
    improve_below: f64,
    deadline: Option<Instant>,
) -> Option<Assignment<'a>> {
    let mut a = Assignment::new(structure, load);
    let mut count = vec![0usize; structure.hospitals];
    let mut arc = vec![None; structure.hospitals];
    for (s, takes) in ev.takes.iter().enumerate() {
        if !ev.open[s] {
            continue;
        }
        for &i in takes {
            let h = structure.sites[s].arcs[i].hospital;
            count[h] += 1;
            arc[h] = Some((s, i));
        }
    }
    for h in 0..structure.hospitals {
        let forced = r.assigned[h];
        let only = (count[h] == 1).then_some(arc[h]).flatten();
        if let Some(to) = forced.or(only) {
            a.set(h, Some(to));
        }
    }
    let rest: Vec<usize> = (0..structure.hospitals)
        .filter(|&h| load[h] > 0.0 && a.chosen[h].is_none())
        .collect();
    if !repair::repair(&mut a, rest) {
        return None;
    }
    if a.cost() < improve_below {
        repair::improve(&mut a, deadline);
    }
    Some(a)
}
