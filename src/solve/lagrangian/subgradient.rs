//! The subgradient search over the hospitals' prices, with the plans it asks the caller to
//! evaluate and the sites it fixes against the best of them.

use super::evaluate::Evaluation;
use super::{FLAT_NORM, Fixed, NOISE, Outcome, Probe, Probed, Search, Structure, noise};
use std::time::Instant;

/// Rounds without a better bound before the step is halved.
const STALE_ROUNDS: usize = 20;
/// The step factor at which the prices count as settled.
const MIN_THETA: f64 = 1e-3;
/// The first step factor.
const START_THETA: f64 = 2.0;
/// Without a plan, the steps aim this share above the bound.
const NO_PLAN_TARGET: f64 = 0.1;
/// The last rounds whose open sites the restricted search may open.
pub const RECENT: usize = 100;

/// The share β of the last direction `last` a deflected step adds to the subgradient `grad`
/// (Camerini, Fratta & Maffioli's modified rule): `gamma` · max(0, -grad·last / |last|²), so
/// only where the two point apart.
pub(crate) fn deflection(grad: &[f64], last: &[f64], gamma: f64) -> f64 {
    let against: f64 = grad.iter().zip(last).map(|(g, d)| g * d).sum();
    let length: f64 = last.iter().map(|d| d * d).sum();
    if against < 0.0 && length > 0.0 {
        -gamma * against / length
    } else {
        0.0
    }
}

/// Limits of the subgradient search.
#[derive(Clone, Copy)]
pub struct Limits<'a> {
    pub deadline: Option<Instant>,
    /// Whether to stop now (asked from outside, e.g. by Ctrl-C).
    pub stopped: &'a dyn Fn() -> bool,
    pub max_iterations: usize,
    /// Stop when (best plan - bound) / best plan is at most this.
    pub gap: f64,
}

impl Structure {
    /// Runs the subgradient search, then evaluates plans with `probe`: given how each site is
    /// to be treated (open under an option, closed, or left to the solver), it returns the best
    /// plan it found under those restrictions, its objective and column values, or `None`
    /// (infeasible, or out of time). `start` is a plan already known.
    ///
    /// Plans: the relaxation's own sites once (for a first target of the steps), then, once the
    /// prices have settled, a restricted search over the sites the relaxation opened in its
    /// last [`RECENT`] rounds; the best plan then fixes what the final prices allow.
    pub fn run(
        &self,
        limits: Limits<'_>,
        start: Option<(f64, Vec<f64>)>,
        probe: &mut dyn FnMut(&[Probe], Search) -> Probed,
    ) -> Outcome {
        let mut out = Outcome {
            bound: f64::NEG_INFINITY,
            fixed: vec![None; self.sites.len()],
            incumbent: start,
            iterations: 0,
            probes: 0,
            restricted: 0,
            prices: Vec::new(),
            proof: None,
        };
        let mut walk = Walk {
            lambda: self.start_prices(),
            theta: START_THETA,
            stale: 0,
            last_open: vec![None; self.sites.len()],
            best_eval: None,
        };
        let out_of_time = || limits.deadline.is_some_and(|d| Instant::now() >= d);
        let mut feasible = true;
        for it in 0..limits.max_iterations {
            if out_of_time() || (limits.stopped)() {
                break;
            }
            out.iterations = it + 1;
            match self.round(it, &mut walk, &mut out, limits.gap, probe) {
                Round::Next => {}
                Round::Settled => break,
                Round::Infeasible => {
                    feasible = false;
                    break;
                }
            }
        }
        if feasible && !out_of_time() && !(limits.stopped)() {
            let plan = self.restricted_plan(&out, &walk.last_open);
            out.restricted = plan.iter().filter(|p| **p == Probe::Free).count();
            keep_probe(&mut out, probe, &plan);
        }
        // the best prices fix the most, against the best plan
        if let (Some(e), Some((ub, _))) = (&walk.best_eval, &out.incumbent) {
            self.fix(e, *ub, &mut out.fixed);
        }
        out
    }

    /// Each hospital's price at its cheapest batch per treated patient.
    fn start_prices(&self) -> Vec<f64> {
        let mut lambda = vec![0.0; self.hospitals];
        let mut seen = vec![false; self.hospitals];
        for site in &self.sites {
            for o in &site.options {
                for a in &site.arcs {
                    let p = (a.cost + o.per_batch) / site.keep;
                    if !seen[a.hospital] || p < lambda[a.hospital] {
                        lambda[a.hospital] = p;
                        seen[a.hospital] = true;
                    }
                }
            }
        }
        lambda
    }

    /// Round `it` of the subgradient search: the relaxation at the current prices, its bound
    /// kept if better, the relaxation's sites probed while there is no plan, then one step of
    /// the prices towards the best plan's cost.
    fn round(
        &self,
        it: usize,
        walk: &mut Walk,
        out: &mut Outcome,
        gap: f64,
        probe: &mut dyn FnMut(&[Probe], Search) -> Probed,
    ) -> Round {
        let e = self.evaluate(&walk.lambda, &out.fixed);
        if !e.value.is_finite() {
            // No set of sites can treat every patient: the model is infeasible, which
            // branch and bound will report.
            return Round::Infeasible;
        }
        for (s, &open) in e.open.iter().enumerate() {
            if open {
                walk.last_open[s] = Some(it);
            }
        }
        walk.keep_bound(&e, out);
        if out.incumbent.is_none() {
            // the relaxation's sites, as a plan: a first target for the steps
            let plan: Vec<Probe> = (0..self.sites.len())
                .map(|s| match (e.open[s], e.choice[s]) {
                    (true, Some((k, _))) => Probe::Open(k),
                    _ => Probe::Closed,
                })
                .collect();
            keep_probe(out, probe, &plan);
        }
        let target = out.incumbent.as_ref().map_or(
            out.bound + NO_PLAN_TARGET * out.bound.abs().max(1.0),
            |(z, _)| *z,
        );
        if target - out.bound <= gap * target.abs().max(NOISE) || walk.theta < MIN_THETA {
            return Round::Settled;
        }
        let norm: f64 = e.subgradient.iter().map(|g| g * g).sum();
        if norm <= FLAT_NORM {
            return Round::Settled; // the relaxation's solution balances every hospital: optimal
        }
        let step = walk.theta * (target - e.value).max(NOISE * target.abs()) / norm;
        for (l, g) in walk.lambda.iter_mut().zip(&e.subgradient) {
            *l += step * g;
        }
        Round::Next
    }

    /// The sites the settled prices keep opening (in the last [`RECENT`] rounds), left to the
    /// solver; the others closed.
    fn restricted_plan(&self, out: &Outcome, last_open: &[Option<usize>]) -> Vec<Probe> {
        let last = out.iterations.saturating_sub(1);
        (0..self.sites.len())
            .map(|s| match (out.fixed[s], last_open[s]) {
                (Some(Fixed::Closed), _) => Probe::Closed,
                (_, Some(t)) if last - t < RECENT => Probe::Free,
                _ => Probe::Closed,
            })
            .collect()
    }
}

/// The state of the subgradient search between rounds.
struct Walk {
    /// The prices, one per hospital.
    lambda: Vec<f64>,
    /// The step factor.
    theta: f64,
    /// Rounds since the bound last improved.
    stale: usize,
    /// The last round each site was open in the relaxation.
    last_open: Vec<Option<usize>>,
    /// The relaxation at the best prices.
    best_eval: Option<Evaluation>,
}

impl Walk {
    /// Keeps `e` and its prices if its bound is better; halves the step factor after
    /// [`STALE_ROUNDS`] rounds without.
    fn keep_bound(&mut self, e: &Evaluation, out: &mut Outcome) {
        if e.value > out.bound + noise(e.value) {
            out.bound = e.value;
            self.stale = 0;
            self.best_eval = Some(e.clone());
            out.prices.clone_from(&self.lambda);
        } else {
            self.stale += 1;
            if self.stale >= STALE_ROUNDS {
                self.theta /= 2.0;
                self.stale = 0;
            }
        }
    }
}

/// How a round of the subgradient search ended.
enum Round {
    Next,
    /// The prices settled, or the bound reached the best plan within the gap.
    Settled,
    /// No set of sites can treat every patient.
    Infeasible,
}

/// Evaluates `plan` with a restricted search; its plan replaces the best when cheaper.
fn keep_probe(
    out: &mut Outcome,
    probe: &mut dyn FnMut(&[Probe], Search) -> Probed,
    plan: &[Probe],
) {
    out.probes += 1;
    if let Some((z, values)) = probe(plan, Search::Restricted).plan
        && out.incumbent.as_ref().is_none_or(|(best, _)| z < *best)
    {
        out.incumbent = Some((z, values));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::relaxation::{CellArc, Group, Site, SiteOption};

    /// A facility of capacity 10 serving hospitals 0 and 1 (6 patients each) at `costs` per
    /// batch; its open column is `col`, its platforms column `col + 2`.
    fn site(col: usize, fixed: f64, costs: [f64; 2]) -> Site {
        Site {
            existing: false,
            keep: 1.0,
            options: vec![SiteOption {
                open_col: col,
                platforms_col: col + 2,
                fixed,
                per_platform: 0.0,
                per_batch: 0.0,
                batches_per_platform: 10.0,
                max_platforms: 1,
            }],
            arcs: (0..2)
                .map(|h| CellArc {
                    hospital: h,
                    col: 4 + 2 * col + h,
                    cost: costs[h],
                    upper: 6.0,
                })
                .collect(),
        }
    }

    /// Two customers, two facilities: the relaxation's bound never exceeds the optimum, and it
    /// reaches it here, where the covering knapsack is what closes the LP gap.
    #[test]
    fn bound_reaches_the_optimum_of_a_tiny_cflp() {
        // facility capacities 10, fixed 100 and 120; demands 6 and 6; costs per batch
        let structure = Structure {
            hospitals: 2,
            groups: vec![
                Group {
                    patients: 6.0,
                    penalty: None,
                    arcs: vec![(0, 0.0)],
                },
                Group {
                    patients: 6.0,
                    penalty: None,
                    arcs: vec![(1, 0.0)],
                },
            ],
            sites: vec![site(0, 100.0, [1.0, 3.0]), site(1, 120.0, [2.0, 1.0])],
            full_coverage: true,
        };
        // Both sites must open (12 patients, 10 each): 220 + 6*1 + 6*1 = 232.
        // the only feasible plans open both sites
        let mut probe = |plan: &[Probe], _: Search| {
            let both = plan.iter().all(|p| *p != Probe::Closed);
            Probed {
                plan: both.then(|| (232.0, vec![])),
                bound: if both { 232.0 } else { f64::INFINITY },
                finished: true,
            }
        };
        let limits = Limits {
            deadline: None,
            stopped: &|| false,
            max_iterations: 500,
            gap: 1e-9,
        };
        let out = structure.run(limits, None, &mut probe);
        assert!(out.bound <= 232.0 + 1e-6, "bound {}", out.bound);
        assert!(out.bound >= 232.0 - 1e-3, "bound {}", out.bound);
        assert_eq!(out.incumbent.map(|x| x.0), Some(232.0));
        assert_eq!(out.fixed, vec![Some(Fixed::Open), Some(Fixed::Open)]);
    }
}
