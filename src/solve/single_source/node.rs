//! One node of the branch and bound over single-source plans: its bound by subgradient steps
//! on the relaxation of the assignment rows from its parent's prices, how often each site and
//! arc was taken along the way (which the branching reads), and a plan built from the
//! relaxation's solution by repair and local search (the primal heuristic).

use super::assignment::Assignment;
use super::lagrange::{Evaluation, evaluate};
use super::repair;
use super::restriction::{Restriction, View};
use crate::model::relaxation::Structure;
use std::time::Instant;

/// The first step factor at a node: its parent's prices are near the best already.
const NODE_THETA: f64 = 1.0;
/// Rounds without a better bound before the step factor halves, and at most this many rounds.
const NODE_STALE_ROUNDS: usize = 5;
const NODE_MAX_ROUNDS: usize = 20;
/// Below this step factor the prices count as settled.
const NODE_MIN_THETA: f64 = 1e-3;

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
}

/// The node's bound from `prices` by subgradient steps towards `target` (the cheapest plan
/// known), stopping once it reaches `cutoff` or at `deadline`; `None` if no round ran.
pub(super) fn bound(
    view: &View<'_>,
    mut mu: Vec<f64>,
    target: f64,
    cutoff: f64,
    deadline: Option<Instant>,
) -> Option<Bounded> {
    let mut take_share: Vec<Vec<f64>> = view.usable.iter().map(|u| vec![0.0; u.len()]).collect();
    let (mut best, mut best_mu): (Option<Evaluation>, Vec<f64>) = (None, mu.clone());
    let (mut theta, mut stale, mut rounds) = (NODE_THETA, 0, 0usize);
    while rounds < NODE_MAX_ROUNDS && theta >= NODE_MIN_THETA {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let ev = evaluate(view, &mu);
        rounds += 1;
        tally(&ev, &mut take_share);
        let norm: f64 = ev.grad.iter().map(|g| g * g).sum();
        let step = theta * (target - ev.value).max(1e-9 * target.abs().max(1.0)) / norm;
        let next: Vec<f64> = mu.iter().zip(&ev.grad).map(|(m, g)| m + step * g).collect();
        if best.as_ref().is_none_or(|b| ev.value > b.value) {
            (best_mu, best, stale) = (mu, Some(ev), 0);
        } else {
            stale += 1;
            if stale >= NODE_STALE_ROUNDS {
                (theta, stale) = (theta / 2.0, 0);
            }
        }
        let top = best.as_ref().map_or(f64::NEG_INFINITY, |b| b.value);
        if norm == 0.0 || top >= cutoff || !top.is_finite() {
            break;
        }
        mu = next;
    }
    let best = best?;
    let scale = 1.0 / rounds as f64;
    take_share.iter_mut().flatten().for_each(|x| *x *= scale);
    let feasible = best.grad.iter().all(|&g| g == 0.0);
    Some(Bounded {
        bound: best.value,
        prices: best_mu,
        best,
        take_share,
        feasible,
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
