//! Lagrangian relaxation of the single-year model: a strong lower bound, plans to start from,
//! and sites provably open or closed in every better plan, computed before branch and bound.
//!
//! Relaxing each hospital's batch balance, sum_s (1 - f_s) w[h,s] = sum_g x[g,h], with a price
//! λ_h per patient splits the model into (i) each demand group's cheapest way to a hospital,
//! c[g,h] + λ_h (or its unserved penalty), and (ii) one small problem per site: open it under an
//! operating model k with n platforms and fill its B_k·n batches with the hospitals whose
//! reduced cost c[h,s] + c_batch,k - λ_h (1 - f_s) is negative, best first (a fractional
//! knapsack). Under full coverage the sites opened must also be able to make every patient's
//! batch, sum_s cap_s y_s >= D, which is kept as an integer covering knapsack over the sites:
//! that is what makes this bound stronger than the LP relaxation (Görtz and Klose, "A simple but
//! usually fast branch-and-bound algorithm for the capacitated facility location problem",
//! INFORMS J. Computing 24 (2012)). The prices are improved by subgradient steps.
//!
//! Every value of the relaxation, for any prices, is a lower bound on every plan; with a site
//! forced open (or closed) it bounds every plan that opens (or closes) it. A site whose forced
//! bound exceeds the cost of a known plan is therefore closed (or open) in every better plan,
//! and fixing it keeps the optimum and keeps the reported bound true.

use std::time::Instant;

/// A demand group: its patients, its arcs to hospitals, and its penalty if it may go unserved.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub patients: f64,
    /// USD per unserved patient; `None` under full coverage.
    pub penalty: Option<f64>,
    /// (hospital, USD per patient).
    pub arcs: Vec<(usize, f64)>,
}

/// One way a site can be opened (an operating model).
#[derive(Debug, Clone, PartialEq)]
pub struct SiteOption {
    /// The column of its open variable y[s,k].
    pub open_col: usize,
    /// The column of its platforms n[s,k].
    pub platforms_col: usize,
    /// USD a year for being open (setup annuity and fixed cost).
    pub fixed: f64,
    pub per_platform: f64,
    pub per_batch: f64,
    pub batches_per_platform: f64,
    pub max_platforms: u32,
}

/// A cell arc into a site.
#[derive(Debug, Clone, PartialEq)]
pub struct CellArc {
    pub hospital: usize,
    /// Its shipment column.
    pub col: usize,
    /// USD per batch.
    pub cost: f64,
    /// Most batches a year on the arc.
    pub upper: f64,
}

/// A candidate site.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Open in every plan (under one of its options).
    pub existing: bool,
    /// 1 - failure rate: patients treated per batch.
    pub keep: f64,
    pub options: Vec<SiteOption>,
    pub arcs: Vec<CellArc>,
}

/// The single-year model as the relaxation sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    pub hospitals: usize,
    pub groups: Vec<Group>,
    pub sites: Vec<Site>,
    /// Under full coverage, every patient (the sum over groups).
    pub full_coverage: bool,
}

/// Rounds without a better bound before the step is halved.
const STALE_ROUNDS: usize = 20;
/// The step factor at which the prices count as settled.
const MIN_THETA: f64 = 1e-3;
/// The last rounds whose open sites the restricted search may open.
pub const RECENT: usize = 100;

/// A plan: its objective and column values.
pub type Plan = (f64, Vec<f64>);

/// How a probe treats a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Open under this option.
    Open(usize),
    Closed,
    /// Open or closed, as the solver finds best.
    Free,
}

/// How a site stands in a plan or a restriction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixed {
    Open,
    Closed,
}

/// The relaxation at one set of prices.
#[derive(Debug, Clone)]
struct Evaluation {
    value: f64,
    /// The demand groups' part of `value`.
    patients_part: f64,
    /// Per site: the best value when open, and the most patients it can treat.
    items: Vec<(f64, f64)>,
    /// Per site: the option chosen when open, and its platforms.
    choice: Vec<Option<(usize, u32)>>,
    /// Sites open in the relaxation's solution.
    open: Vec<bool>,
    subgradient: Vec<f64>,
}

/// What the relaxation established.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The best lower bound found (`-inf` if none).
    pub bound: f64,
    /// Sites open or closed in every plan cheaper than the best plan found.
    pub fixed: Vec<Option<Fixed>>,
    /// The best plan found: its objective and column values.
    pub incumbent: Option<(f64, Vec<f64>)>,
    pub iterations: usize,
    /// Plans evaluated by the caller.
    pub probes: usize,
    /// Sites the restricted search could open (0 if it did not run).
    pub restricted: usize,
}

/// Limits of the subgradient search.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub deadline: Option<Instant>,
    pub max_iterations: usize,
    /// Stop when (best plan - bound) / best plan is at most this.
    pub gap: f64,
}

/// Solves min sum v_i y_i s.t. sum c_i y_i >= need (if any), y binary, with `forced` sites
/// fixed; returns its value and the chosen items, or +inf if it cannot be covered. If the exact
/// search runs out of nodes, the value is its LP relaxation (still a lower bound).
fn cover(items: &[(f64, f64)], forced: &[Option<Fixed>], need: Option<f64>) -> (f64, Vec<bool>) {
    let mut chosen = vec![false; items.len()];
    let mut value = 0.0;
    let mut covered = 0.0;
    let mut free = Vec::new();
    for (i, &(v, c)) in items.iter().enumerate() {
        match forced[i] {
            Some(Fixed::Open) => {
                chosen[i] = true;
                value += v;
                covered += c;
            }
            Some(Fixed::Closed) => {}
            None if v <= 0.0 => {
                chosen[i] = true;
                value += v;
                covered += c;
            }
            None if c > 0.0 => free.push(i),
            None => {}
        }
    }
    let Some(need) = need else {
        return (value, chosen);
    };
    let rest = need - covered;
    if rest <= 1e-9 * need.abs().max(1.0) {
        return (value, chosen);
    }
    // The cheapest per patient first: the LP relaxation's order.
    free.sort_by(|&a, &b| {
        (items[a].0 / items[a].1)
            .total_cmp(&(items[b].0 / items[b].1))
            .then(a.cmp(&b))
    });
    let vs: Vec<f64> = free.iter().map(|&i| items[i].0).collect();
    let cs: Vec<f64> = free.iter().map(|&i| items[i].1).collect();
    if cs.iter().sum::<f64>() < rest - 1e-9 * need.abs().max(1.0) {
        return (f64::INFINITY, chosen);
    }
    // Items of equal capacity are interchangeable but for their value: some optimum takes the
    // cheapest ones of each capacity. Numbering the capacities lets the search take only such
    // prefixes, which keeps it small when many sites share a capacity (as sites of one kind do).
    let mut class = vec![0usize; cs.len()];
    let mut seen: Vec<f64> = Vec::new();
    for (k, &c) in cs.iter().enumerate() {
        class[k] = match seen.iter().position(|&x| x == c) {
            Some(q) => q,
            None => {
                seen.push(c);
                seen.len() - 1
            }
        };
    }
    let mut search = CoverSearch {
        v: &vs,
        c: &cs,
        class: &class,
        skipped: vec![false; seen.len()],
        best: f64::INFINITY,
        best_take: Vec::new(),
        take: Vec::new(),
        nodes: 0,
        tol: 1e-9 * need.abs().max(1.0),
    };
    search.dfs(0, rest, 0.0);
    let exact = search.nodes <= CoverSearch::MAX_NODES;
    let extra = if exact {
        search.best
    } else {
        search.skipped.fill(false);
        search.lp(0, rest)
    };
    for &k in &search.best_take {
        chosen[free[k]] = true;
    }
    (value + extra, chosen)
}

/// Depth-first branch and bound for the covering knapsack of [`cover`], over items sorted by
/// value per unit of capacity.
struct CoverSearch<'a> {
    v: &'a [f64],
    c: &'a [f64],
    /// Items of one class have the same capacity (and come in increasing value).
    class: &'a [usize],
    /// Classes with an item left out on the current path: their later items are left out too.
    skipped: Vec<bool>,
    best: f64,
    best_take: Vec<usize>,
    take: Vec<usize>,
    nodes: usize,
    tol: f64,
}

impl CoverSearch<'_> {
    const MAX_NODES: usize = 200_000;

    /// The LP relaxation of covering `rest` with the items `from..` still allowed.
    fn lp(&self, from: usize, rest: f64) -> f64 {
        let mut rest = rest;
        let mut z = 0.0;
        for k in from..self.v.len() {
            if rest <= self.tol {
                break;
            }
            if self.skipped[self.class[k]] {
                continue;
            }
            if self.c[k] >= rest {
                return z + self.v[k] * rest / self.c[k];
            }
            z += self.v[k];
            rest -= self.c[k];
        }
        if rest <= self.tol { z } else { f64::INFINITY }
    }

    fn dfs(&mut self, from: usize, rest: f64, value: f64) {
        self.nodes += 1;
        if self.nodes > Self::MAX_NODES {
            return;
        }
        if rest <= self.tol {
            if value < self.best {
                self.best = value;
                self.best_take = self.take.clone();
            }
            return;
        }
        // the next item still allowed
        let Some(k) = (from..self.v.len()).find(|&k| !self.skipped[self.class[k]]) else {
            return;
        };
        if value + self.lp(k, rest) >= self.best - self.tol {
            return;
        }
        self.take.push(k);
        self.dfs(k + 1, rest - self.c[k], value + self.v[k]);
        self.take.pop();
        // leaving k out leaves out its class's dearer items too
        let q = self.class[k];
        self.skipped[q] = true;
        self.dfs(k + 1, rest, value);
        self.skipped[q] = false;
    }
}

impl Structure {
    fn total_patients(&self) -> f64 {
        self.groups.iter().map(|g| g.patients).sum()
    }

    /// The relaxation at prices `lambda`, with `forced` sites fixed.
    fn evaluate(&self, lambda: &[f64], forced: &[Option<Fixed>]) -> Evaluation {
        let mut subgradient = vec![0.0; self.hospitals];
        let mut patients_part = 0.0;
        for g in &self.groups {
            let mut best = g.penalty.unwrap_or(f64::INFINITY);
            let mut at = None;
            for &(h, c) in &g.arcs {
                let r = c + lambda[h];
                if r < best {
                    best = r;
                    at = Some(h);
                }
            }
            patients_part += g.patients * best;
            if let Some(h) = at {
                subgradient[h] += g.patients;
            }
        }
        let mut items = Vec::with_capacity(self.sites.len());
        let mut choice = Vec::with_capacity(self.sites.len());
        let mut sorted = Vec::new();
        for site in &self.sites {
            let (v, cap, ch) = self.site_value(site, lambda, &mut sorted);
            items.push((v, cap));
            choice.push(ch);
        }
        let forced: Vec<Option<Fixed>> = self
            .sites
            .iter()
            .zip(forced)
            .map(|(s, f)| if s.existing { Some(Fixed::Open) } else { *f })
            .collect();
        let need = self.full_coverage.then(|| self.total_patients());
        let (sites_part, open) = cover(&items, &forced, need);
        // the batches of the open sites leave their hospitals' balance
        for (s, site) in self.sites.iter().enumerate() {
            if let (true, Some((k, n))) = (open[s], choice[s]) {
                let o = &site.options[k];
                let mut room = o.batches_per_platform * n as f64;
                self.fill(site, o, lambda, &mut sorted);
                for &(r, upper, h) in &sorted {
                    if room <= 0.0 || r >= 0.0 {
                        break;
                    }
                    let w = upper.min(room);
                    room -= w;
                    subgradient[h] -= site.keep * w;
                }
            }
        }
        Evaluation {
            value: patients_part + sites_part,
            patients_part,
            items,
            choice,
            open,
            subgradient,
        }
    }

    /// The site's arcs with a negative reduced cost under option `o`, cheapest first:
    /// (reduced cost per batch, most batches, hospital).
    fn fill(&self, site: &Site, o: &SiteOption, lambda: &[f64], out: &mut Vec<(f64, f64, usize)>) {
        out.clear();
        for a in &site.arcs {
            let r = a.cost + o.per_batch - lambda[a.hospital] * site.keep;
            if r < 0.0 && a.upper > 0.0 {
                out.push((r, a.upper, a.hospital));
            }
        }
        out.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
    }

    /// A site's best value when open (over options and platform counts), the most patients it
    /// can treat under any option, and the option and platforms of the best value.
    fn site_value(
        &self,
        site: &Site,
        lambda: &[f64],
        sorted: &mut Vec<(f64, f64, usize)>,
    ) -> (f64, f64, Option<(usize, u32)>) {
        let mut best = f64::INFINITY;
        let mut choice = None;
        let mut cap: f64 = 0.0;
        for (k, o) in site.options.iter().enumerate() {
            cap = cap.max(site.keep * o.batches_per_platform * o.max_platforms as f64);
            self.fill(site, o, lambda, sorted);
            // value of filling n platforms' batches, n = 0, 1, ..., N
            let mut filled = 0.0; // reduced cost of the batches placed so far
            let mut placed = 0.0;
            let mut next = 0; // first arc not fully used
            let mut used_of_next = 0.0;
            for n in 0..=o.max_platforms {
                let room = o.batches_per_platform * n as f64;
                while placed < room && next < sorted.len() {
                    let (r, upper, _) = sorted[next];
                    let take = (upper - used_of_next).min(room - placed);
                    filled += r * take;
                    placed += take;
                    used_of_next += take;
                    if used_of_next >= upper {
                        next += 1;
                        used_of_next = 0.0;
                    }
                }
                let v = o.fixed + o.per_platform * n as f64 + filled;
                if v < best {
                    best = v;
                    choice = Some((k, n));
                }
            }
        }
        (best, cap, choice)
    }

    /// The relaxation's value with site `s` forced to `state` and everything else as in `e`.
    fn forced_value(
        &self,
        e: &Evaluation,
        forced: &[Option<Fixed>],
        s: usize,
        state: Fixed,
    ) -> f64 {
        let mut f: Vec<Option<Fixed>> = self
            .sites
            .iter()
            .zip(forced)
            .map(|(site, f)| if site.existing { Some(Fixed::Open) } else { *f })
            .collect();
        f[s] = Some(state);
        let need = self.full_coverage.then(|| self.total_patients());
        e.patients_part + cover(&e.items, &f, need).0
    }

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
        limits: Limits,
        start: Option<(f64, Vec<f64>)>,
        probe: &mut dyn FnMut(&[Probe]) -> Option<Plan>,
    ) -> Outcome {
        let h = self.hospitals;
        let mut out = Outcome {
            bound: f64::NEG_INFINITY,
            fixed: vec![None; self.sites.len()],
            incumbent: start,
            iterations: 0,
            probes: 0,
            restricted: 0,
        };
        // Start each hospital's price at its cheapest batch per treated patient.
        let mut lambda = vec![0.0; h];
        let mut seen = vec![false; h];
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
        let mut theta = 2.0;
        let mut stale = 0;
        // the last round each site was open in the relaxation
        let mut last_open: Vec<Option<usize>> = vec![None; self.sites.len()];
        let mut best_eval: Option<Evaluation> = None;
        let mut keep_probe = |out: &mut Outcome, plan: &[Probe]| {
            out.probes += 1;
            if let Some((z, values)) = probe(plan)
                && out.incumbent.as_ref().is_none_or(|(best, _)| z < *best)
            {
                out.incumbent = Some((z, values));
            }
        };
        let out_of_time = || limits.deadline.is_some_and(|d| Instant::now() >= d);
        let mut feasible = true;
        for it in 0..limits.max_iterations {
            if out_of_time() || crate::solve::interrupted() {
                break;
            }
            out.iterations = it + 1;
            let e = self.evaluate(&lambda, &out.fixed);
            if !e.value.is_finite() {
                // No set of sites can treat every patient: the model is infeasible, which
                // branch and bound will report.
                feasible = false;
                break;
            }
            for (s, &open) in e.open.iter().enumerate() {
                if open {
                    last_open[s] = Some(it);
                }
            }
            if e.value > out.bound + 1e-9 * e.value.abs().max(1.0) {
                out.bound = e.value;
                stale = 0;
                best_eval = Some(e.clone());
            } else {
                stale += 1;
                if stale >= STALE_ROUNDS {
                    theta /= 2.0;
                    stale = 0;
                }
            }
            if out.incumbent.is_none() {
                // the relaxation's sites, as a plan: a first target for the steps
                let plan: Vec<Probe> = (0..self.sites.len())
                    .map(|s| match (e.open[s], e.choice[s]) {
                        (true, Some((k, _))) => Probe::Open(k),
                        _ => Probe::Closed,
                    })
                    .collect();
                keep_probe(&mut out, &plan);
            }
            // Without a plan, aim 10 % above the bound.
            let target = out
                .incumbent
                .as_ref()
                .map_or(out.bound + 0.1 * out.bound.abs().max(1.0), |(z, _)| *z);
            if target - out.bound <= limits.gap * target.abs().max(1e-9) || theta < MIN_THETA {
                break;
            }
            let norm: f64 = e.subgradient.iter().map(|g| g * g).sum();
            if norm <= 1e-12 {
                break; // the relaxation's solution balances every hospital: it is optimal
            }
            let step = theta * (target - e.value).max(1e-9 * target.abs()) / norm;
            for (l, g) in lambda.iter_mut().zip(&e.subgradient) {
                *l += step * g;
            }
        }
        if feasible && !out_of_time() && !crate::solve::interrupted() {
            // the sites the settled prices keep opening, left to the solver; the others closed
            let last = out.iterations.saturating_sub(1);
            let plan: Vec<Probe> = (0..self.sites.len())
                .map(|s| match (out.fixed[s], last_open[s]) {
                    (Some(Fixed::Closed), _) => Probe::Closed,
                    (_, Some(t)) if last - t < RECENT => Probe::Free,
                    _ => Probe::Closed,
                })
                .collect();
            out.restricted = plan.iter().filter(|p| **p == Probe::Free).count();
            keep_probe(&mut out, &plan);
        }
        // the best prices fix the most, against the best plan
        if let (Some(e), Some((ub, _))) = (&best_eval, &out.incumbent) {
            self.fix(e, *ub, &mut out.fixed);
        }
        out
    }

    /// Fixes the sites whose forced bound exceeds `ub` (the cost of a known plan).
    fn fix(&self, e: &Evaluation, ub: f64, fixed: &mut [Option<Fixed>]) {
        let margin = 1e-9 * ub.abs().max(1.0);
        for s in 0..self.sites.len() {
            if fixed[s].is_some() || self.sites[s].existing {
                continue;
            }
            // the bound already holds for the relaxation's own choice; test the other one
            let other = if e.open[s] {
                Fixed::Closed
            } else {
                Fixed::Open
            };
            if self.forced_value(e, fixed, s, other) > ub + margin {
                fixed[s] = Some(if e.open[s] {
                    Fixed::Open
                } else {
                    Fixed::Closed
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The covering knapsack's optimum over every subset of `items` (+inf if none covers).
    fn brute_force_cover(items: &[(f64, f64)], need: f64) -> f64 {
        let mut best = f64::INFINITY;
        for mask in 0u32..(1 << items.len()) {
            let (mut v, mut c) = (0.0, 0.0);
            for (i, it) in items.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    v += it.0;
                    c += it.1;
                }
            }
            if c >= need && v < best {
                best = v;
            }
        }
        best
    }

    #[test]
    fn cover_is_exact_on_small_knapsacks() {
        // brute force over every subset
        let items = [
            (5.0, 4.0),
            (3.0, 3.0),
            (4.0, 2.0),
            (-1.0, 1.0),
            (6.0, 5.0),
            (2.5, 2.0),
        ];
        let free = vec![None; items.len()];
        for need in [0.0, 3.0, 6.0, 9.0, 12.0, 17.0, 18.0] {
            let best = brute_force_cover(&items, need);
            let (value, chosen) = cover(&items, &free, Some(need));
            assert!(
                value == best || (value - best).abs() < 1e-9,
                "need {need}: {value} vs {best}"
            );
            if value.is_finite() {
                let c: f64 = (0..items.len())
                    .filter(|&i| chosen[i])
                    .map(|i| items[i].1)
                    .sum();
                assert!(c >= need, "need {need}: covered {c}");
            }
        }
        // forcing an item open or closed
        let mut f = free.clone();
        f[2] = Some(Fixed::Closed);
        assert_eq!(cover(&items, &f, Some(3.0)).0, 1.5); // (-1,1) + (2.5,2)
        f[2] = Some(Fixed::Open);
        f[4] = Some(Fixed::Open);
        assert_eq!(cover(&items, &f, Some(3.0)).0, 9.0);
    }

    /// Many items share a capacity (as sites of one kind do), where the search takes only the
    /// cheapest of each capacity: still exact, against brute force on 300 generated knapsacks.
    #[test]
    fn cover_is_exact_when_capacities_repeat() {
        let mut seed: u64 = 7;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..300 {
            let n = 1 + next(10) as usize;
            let items: Vec<(f64, f64)> = (0..n)
                .map(|_| (next(14) as f64 - 3.0, 1.0 + next(3) as f64))
                .collect();
            let need = next(2 * n as u64 + 2) as f64;
            let best = brute_force_cover(&items, need);
            let (value, chosen) = cover(&items, &vec![None; n], Some(need));
            assert!(
                value == best || (value - best).abs() < 1e-9,
                "{items:?} need {need}: {value} vs {best}"
            );
            if value.is_finite() {
                let (v, c) = (0..n)
                    .filter(|&i| chosen[i])
                    .fold((0.0, 0.0), |(v, c), i| (v + items[i].0, c + items[i].1));
                assert!(
                    c >= need && (v - value).abs() < 1e-9,
                    "{items:?} need {need}"
                );
            }
        }
    }

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
        let mut probe = |plan: &[Probe]| {
            let both = plan.iter().all(|p| *p != Probe::Closed);
            both.then(|| (232.0, vec![]))
        };
        let limits = Limits {
            deadline: None,
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
