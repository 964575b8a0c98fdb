//! The 0-1 knapsack of one site in the relaxation of the assignment rows: which hospitals to
//! take, each with a value (its price less its cost there) and a weight (its batches), within
//! the site's capacity. Weights are real numbers, so a depth-first branch and bound with the
//! LP (Dantzig) bound rather than a table.

/// Nodes the exact search may visit; beyond them its LP bound is returned (still an upper
/// bound, so the relaxation stays a lower bound).
const MAX_NODES: usize = 200_000;

/// An item: (value, weight), weight > 0.
pub(super) type Item = (f64, f64);

/// The best choice of items found.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Packed {
    /// The most value; an upper bound where the search ran out of nodes.
    pub value: f64,
    pub exact: bool,
    /// Which items (by index in the input) the best packing found takes.
    pub take: Vec<bool>,
}

/// The most value of items (each taken at most once) within `capacity`. Items of no positive
/// value are never worth taking.
pub(super) fn best_value(items: &[Item], capacity: f64) -> Packed {
    let order = by_ratio(items);
    let sorted: Vec<Item> = order.iter().map(|&i| items[i]).collect();
    let mut take = vec![false; items.len()];
    if sorted.iter().map(|it| it.1).sum::<f64>() <= capacity {
        order.iter().for_each(|&i| take[i] = true);
        let value = sorted.iter().map(|it| it.0).sum();
        return Packed {
            value,
            exact: true,
            take,
        };
    }
    let mut search = Search {
        items: &sorted,
        best: 0.0,
        nodes: 0,
        path: Vec::new(),
        best_path: Vec::new(),
    };
    search.dfs(0, capacity, 0.0);
    search.best_path.iter().for_each(|&k| take[order[k]] = true);
    if search.nodes > MAX_NODES {
        let value = lp_bound(&sorted, 0, capacity);
        return Packed {
            value,
            exact: false,
            take,
        };
    }
    Packed {
        value: search.best,
        exact: true,
        take,
    }
}

/// The items of positive value, best value per weight first, equal ratios in input order. An
/// unstable sort on (ratio, index) gives the stable sort's order without its scratch buffer
/// or a division per comparison (a profile of Yang p7 had a fifth of the time in sorting).
fn by_ratio(items: &[Item]) -> Vec<usize> {
    let mut keyed: Vec<(f64, usize)> = (0..items.len())
        .filter(|&i| items[i].0 > 0.0)
        .map(|i| (items[i].0 / items[i].1, i))
        .collect();
    keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|k| k.1).collect()
}

/// The LP bound of items `from..` within `room`: the best ratios first, the last one split.
fn lp_bound(items: &[Item], from: usize, mut room: f64) -> f64 {
    let mut value = 0.0;
    for &(v, w) in &items[from..] {
        if w <= room {
            value += v;
            room -= w;
        } else {
            return value + v * room / w;
        }
    }
    value
}

struct Search<'a> {
    /// Sorted by value per weight, best first.
    items: &'a [Item],
    best: f64,
    nodes: usize,
    /// The items taken on the way to this node, and in the best packing.
    path: Vec<usize>,
    best_path: Vec<usize>,
}

impl Search<'_> {
    fn dfs(&mut self, i: usize, room: f64, value: f64) {
        self.nodes += 1;
        if value > self.best {
            self.best = value;
            self.best_path.clone_from(&self.path);
        }
        if i == self.items.len() || self.nodes > MAX_NODES {
            return;
        }
        if value + lp_bound(self.items, i, room) <= self.best {
            return;
        }
        let (v, w) = self.items[i];
        if w <= room {
            self.path.push(i);
            self.dfs(i + 1, room - w, value + v);
            self.path.pop();
        }
        self.dfs(i + 1, room, value);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Numbers in [0, 1) from a small linear congruential generator: varied real-valued
    /// instances, repeatable.
    pub(in crate::solve::single_source) fn uniform(mut seed: u64) -> impl FnMut() -> f64 {
        move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64
        }
    }

    /// Every subset, for a check.
    fn brute(items: &[Item], capacity: f64) -> f64 {
        (0u32..1 << items.len())
            .filter_map(|mask| {
                let (v, w) = (0..items.len())
                    .filter(|i| mask >> i & 1 == 1)
                    .fold((0.0, 0.0), |(v, w), i| (v + items[i].0, w + items[i].1));
                (w <= capacity).then_some(v)
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn the_search_finds_what_every_subset_finds() {
        let mut next = uniform(12345);
        for _ in 0..300 {
            let n = 1 + (next() * 12.0) as usize;
            let items: Vec<Item> = (0..n)
                .map(|_| (next() * 20.0 - 5.0, 0.5 + next() * 10.0))
                .collect();
            let capacity = next() * 30.0;
            let packed = best_value(&items, capacity);
            assert!(packed.exact);
            let expected = brute(&items, capacity);
            let (v, w) = (0..n)
                .filter(|&i| packed.take[i])
                .fold((0.0, 0.0), |(v, w), i| (v + items[i].0, w + items[i].1));
            assert!(w <= capacity, "{items:?} {capacity}: weight {w}");
            assert!((v - packed.value).abs() < 1e-9);
            let value = packed.value;
            assert!(
                (value - expected).abs() < 1e-9,
                "{items:?} {capacity}: {value} {expected}"
            );
        }
    }

    /// Best ratio first; equal ratios keep their input order; no item of value 0 or less.
    #[test]
    fn items_go_by_ratio_and_ties_by_position() {
        let items = [
            (2.0, 1.0),
            (0.0, 1.0),
            (4.0, 1.0),
            (4.0, 2.0),
            (-1.0, 1.0),
            (6.0, 3.0),
        ];
        assert_eq!(by_ratio(&items), vec![2, 0, 3, 5]);
    }

    #[test]
    fn the_classic_example_takes_the_two_lighter_items() {
        // capacity 50: 60/10, 100/20, 120/30: 100 + 120 = 220 beats 60 + 100 = 160
        let items = [(60.0, 10.0), (100.0, 20.0), (120.0, 30.0)];
        let packed = best_value(&items, 50.0);
        assert_eq!(
            (packed.value, packed.take),
            (220.0, vec![false, true, true])
        );
    }
}
