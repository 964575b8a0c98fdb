//! The covering knapsack over the sites: which sites to open so their capacity covers every
//! patient at the least cost, exactly by depth-first search (its LP bound where that runs out).

use super::Fixed;

/// Solves min sum v_i y_i s.t. sum c_i y_i >= need (if any), y binary, with `forced` sites
/// fixed; returns its value and the chosen items, or +inf if it cannot be covered. If the exact
/// search runs out of nodes, the value is its LP relaxation (still a lower bound).
pub(crate) fn cover(
    items: &[(f64, f64)],
    forced: &[Option<Fixed>],
    need: Option<f64>,
) -> (f64, Vec<bool>) {
    let Decided {
        mut chosen,
        value,
        covered,
        mut free,
    } = decided(items, forced);
    let Some(need) = need else {
        return (value, chosen);
    };
    let rest = need - covered;
    if rest <= super::noise(need) {
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
    if cs.iter().sum::<f64>() < rest - super::noise(need) {
        return (f64::INFINITY, chosen);
    }
    let (class, classes) = capacity_classes(&cs);
    let mut search = CoverSearch {
        v: &vs,
        c: &cs,
        class: &class,
        skipped: vec![false; classes],
        best: f64::INFINITY,
        best_take: Vec::new(),
        take: Vec::new(),
        nodes: 0,
        tol: super::noise(need),
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

/// A site's fractional knapsack for n = 0, ..., `most` platforms of `per_platform` batches:
/// the reduced cost of filling them from `sorted` (reduced cost per batch before `per_batch`,
/// most batches, hospital; cheapest first), taking only arcs whose reduced cost plus
/// `per_batch` is negative.
pub(crate) fn fillings(
    sorted: &[(f64, f64, usize)],
    per_batch: f64,
    per_platform: f64,
    most: u32,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(most as usize + 1);
    let (mut filled, mut placed) = (0.0, 0.0);
    // the first arc not fully used, and how much of it is
    let (mut next, mut used_of_next) = (0, 0.0);
    for n in 0..=most {
        let room = per_platform * f64::from(n);
        while placed < room && next < sorted.len() && sorted[next].0 + per_batch < 0.0 {
            let (r, upper, _) = sorted[next];
            let take = (upper - used_of_next).min(room - placed);
            filled += (r + per_batch) * take;
            placed += take;
            used_of_next += take;
            if used_of_next >= upper {
                next += 1;
                used_of_next = 0.0;
            }
        }
        out.push(filled);
    }
    out
}

/// The items [`cover`] decides before its search.
struct Decided {
    /// Forced open, or of no cost.
    chosen: Vec<bool>,
    /// Their value and capacity.
    value: f64,
    covered: f64,
    /// The items left to the search: free, of some cost and some capacity.
    free: Vec<usize>,
}

/// Takes the items forced open and the free ones of no cost; the free ones with capacity are
/// left to the search.
fn decided(items: &[(f64, f64)], forced: &[Option<Fixed>]) -> Decided {
    let mut d = Decided {
        chosen: vec![false; items.len()],
        value: 0.0,
        covered: 0.0,
        free: Vec::new(),
    };
    for (i, &(v, c)) in items.iter().enumerate() {
        match forced[i] {
            Some(Fixed::Open) => {
                d.chosen[i] = true;
                d.value += v;
                d.covered += c;
            }
            Some(Fixed::Closed) => {}
            None if v <= 0.0 => {
                d.chosen[i] = true;
                d.value += v;
                d.covered += c;
            }
            None if c > 0.0 => d.free.push(i),
            None => {}
        }
    }
    d
}

/// Each item's capacity class (items of one capacity share it) and the number of classes.
///
/// Items of equal capacity are interchangeable but for their value: some optimum takes the
/// cheapest ones of each capacity. Numbering the capacities lets the search take only such
/// prefixes, which keeps it small when many sites share a capacity (as sites of one kind do).
fn capacity_classes(cs: &[f64]) -> (Vec<usize>, usize) {
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
    (class, seen.len())
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
    /// The most nodes of the exact search; beyond them [`cover`] takes the LP bound.
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
}
