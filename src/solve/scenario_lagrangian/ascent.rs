//! The subgradient search over the two-stage relaxation's prices, and the designs it passes
//! through.

use super::evaluate::{Evaluation, Prices};
use super::{Choice, TwoStage};
use crate::solve::lagrangian::deflection;
use std::time::Instant;

/// Rounds without a better bound before the step is halved.
/// Rounds without a better bound before the step is halved: with thousands of prices the bound
/// rises slowly but long (20, as for one scenario, stopped 1 % short on the national instance).
const STALE_ROUNDS: usize = 100;
/// How much of the last direction is added to the subgradient where the two point apart
/// (Camerini, Fratta and Maffioli 1975, their γ): it damps the zigzag between rounds.
const DEFLECTION: f64 = 1.5;
/// The step factor at which the prices count as settled.
const MIN_THETA: f64 = 1e-5;
/// The first step factor.
const START_THETA: f64 = 2.0;
/// The relaxation's designs kept for the caller to try: the last ones at a better bound.
const DESIGNS_KEPT: usize = 4;
/// The steps aim at most this share above the best bound: the known design's cost can be far
/// above the optimum (a quarter, nationally, when the scenarios' own MIPs end far from theirs),
/// and steps aimed at it overshoot.
const TARGET_ABOVE: f64 = 0.01;
/// Relative differences below this are rounding noise.
const NOISE: f64 = 1e-9;

/// Limits of the search.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub deadline: Option<Instant>,
    pub max_rounds: usize,
    /// Stop when (ub - bound) / ub is at most this.
    pub gap: f64,
}

/// What the search found.
#[derive(Debug, Clone)]
pub struct Ascent {
    /// The best lower bound on the expected cost of every design (`-inf` if none).
    pub bound: f64,
    pub rounds: usize,
    /// The relaxation's own designs at its last better bounds, the latest first, distinct:
    /// per site its operating model's index and platforms, `None` where closed.
    pub designs: Vec<Vec<Option<Choice>>>,
}

impl TwoStage<'_> {
    /// Each scenario's hospital prices at their cheapest batch per treated patient; capacity
    /// prices 0.
    pub fn start_prices(&self) -> Prices {
        let balance = self
            .blocks
            .iter()
            .map(|b| {
                let mut lambda = vec![f64::INFINITY; self.hospitals];
                for site in &b.structure.sites {
                    for o in &site.options {
                        for a in &site.arcs {
                            let p = (a.cost + o.per_batch) / site.keep;
                            lambda[a.hospital] = lambda[a.hospital].min(p);
                        }
                    }
                }
                lambda
                    .iter()
                    .map(|&l| if l.is_finite() { l } else { 0.0 })
                    .collect()
            })
            .collect();
        Prices {
            balance,
            capacity: vec![vec![0.0; self.hospitals]; self.blocks.len()],
        }
    }

    /// Subgradient steps from the start prices towards `ub`, the expected cost of a known
    /// design, until the step has shrunk to nothing, the gap to `ub` is closed or the limits
    /// are reached.
    pub fn ascend(&self, ub: f64, limits: Limits) -> Ascent {
        let fixed = vec![None; self.sites()];
        let mut prices = self.start_prices();
        let mut out = Ascent {
            bound: f64::NEG_INFINITY,
            rounds: 0,
            designs: Vec::new(),
        };
        let (mut theta, mut stale) = (START_THETA, 0);
        let mut direction: Option<Prices> = None;
        while out.rounds < limits.max_rounds && theta >= MIN_THETA {
            if limits.deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            out.rounds += 1;
            let e = self.evaluate(&prices, &fixed);
            if !e.value.is_finite() {
                break; // no set of sites covers the patients: the solve reports it
            }
            if e.value > out.bound + NOISE * e.value.abs().max(1.0) {
                out.keep(&e);
                stale = 0;
            } else {
                stale += 1;
                if stale >= STALE_ROUNDS {
                    theta /= 2.0;
                    stale = 0;
                }
            }
            // no subgradient: the relaxation's solution keeps every relaxed row, no step left
            let settled = norm(&prices, &e.subgradient) <= f64::MIN_POSITIVE;
            if settled || ub - out.bound <= limits.gap * ub.abs().max(NOISE) {
                break;
            }
            let d = deflected(&e.subgradient, direction.take());
            let target = ub.min(out.bound + TARGET_ABOVE * out.bound.abs());
            if !step(&mut prices, &d, e.value, theta, target) {
                break;
            }
            direction = Some(d);
        }
        out
    }
}

impl Ascent {
    /// Keeps `e` as the best, and its design among the latest.
    fn keep(&mut self, e: &Evaluation) {
        self.bound = e.value;
        let design: Vec<Option<Choice>> = e
            .open
            .iter()
            .zip(&e.choice)
            .map(|(&open, c)| if open { *c } else { None })
            .collect();
        self.designs.retain(|d| *d != design);
        self.designs.insert(0, design);
        self.designs.truncate(DESIGNS_KEPT);
    }
}

/// The subgradient `g`, deflected where it points away from the last direction `d`:
/// g + β d with β = [`DEFLECTION`] · max(0, -g·d / |d|²).
fn deflected(g: &Prices, last: Option<Prices>) -> Prices {
    let Some(mut d) = last else {
        return g.clone();
    };
    let flat = |p: &Prices| -> Vec<f64> {
        p.balance
            .iter()
            .chain(&p.capacity)
            .flatten()
            .copied()
            .collect()
    };
    let (gv, dv) = (flat(g), flat(&d));
    let beta = deflection(&gv, &dv, DEFLECTION);
    let parts = d.balance.iter_mut().chain(d.capacity.iter_mut());
    for (dw, gw) in parts.zip(g.balance.iter().chain(&g.capacity)) {
        for (x, gx) in dw.iter_mut().zip(gw) {
            *x = gx + beta * *x;
        }
    }
    d
}

/// One Polyak step of the prices along direction `d` from the relaxation's `value` towards
/// `target` (capacity prices kept >= 0); false when there is no direction left (the
/// relaxation's solution is feasible).
fn step(prices: &mut Prices, d: &Prices, value: f64, theta: f64, target: f64) -> bool {
    let norm = norm(prices, d);
    if norm <= f64::MIN_POSITIVE {
        return false;
    }
    let t = theta * (target - value).max(NOISE * target.abs()) / norm;
    for (l, dl) in prices.balance.iter_mut().zip(&d.balance) {
        for (x, dx) in l.iter_mut().zip(dl) {
            *x += t * dx;
        }
    }
    for (l, dl) in prices.capacity.iter_mut().zip(&d.capacity) {
        for (x, dx) in l.iter_mut().zip(dl) {
            *x = (*x + t * dx).max(0.0);
        }
    }
    true
}

/// The squared length of direction `d` at `prices`, but for the capacity prices at 0 it would
/// push below 0 (they stay at 0: their part of the step is none).
fn norm(prices: &Prices, d: &Prices) -> f64 {
    let moving = |(x, dx): (&f64, &f64)| if *x > 0.0 || *dx > 0.0 { dx * dx } else { 0.0 };
    d.balance.iter().flatten().map(|x| x * x).sum::<f64>()
        + prices
            .capacity
            .iter()
            .flatten()
            .zip(d.capacity.iter().flatten())
            .map(moving)
            .sum::<f64>()
}
