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
#[cfg(test)]
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
#[cfg(test)]
pub(super) fn best_value(items: &[Item], capacity: f64) -> Packed {
    let mut knapsack = Knapsack::default();
    let (value, exact) = knapsack.pack(items, capacity);
    let mut take = vec![false; items.len()];
    knapsack.taken.iter().for_each(|&i| take[i] = true);
    Packed { value, exact, take }
}

/// A knapsack solver that keeps its buffers from one call to the next: the relaxation solves
/// some thirty knapsacks per round and thousands of rounds a second, and building its vectors
/// afresh each time cost about a quarter of the search (a profile of Yang p7).
#[derive(Debug, Default)]
pub(super) struct Knapsack {
    keyed: Vec<(f64, usize)>,
    order: Vec<usize>,
    sorted: Vec<Item>,
    path: Vec<usize>,
    best_path: Vec<usize>,
    /// The items (by index in the input, ascending) the last packing takes.
    pub taken: Vec<usize>,
}

impl Knapsack {
    /// The most value of `items` (each taken at most once) within `capacity`, and whether it
    /// is exact (else an upper bound); the packing in [`Knapsack::taken`]. Items of no positive
    /// value are never worth taking.
    pub fn pack(&mut self, items: &[Item], capacity: f64) -> (f64, bool) {
        self.taken.clear();
        by_ratio(items, &mut self.keyed, &mut self.order);
        self.sorted.clear();
        self.sorted.extend(self.order.iter().map(|&i| items[i]));
        if self.sorted.iter().map(|it| it.1).sum::<f64>() <= capacity {
            self.taken.extend_from_slice(&self.order);
            self.taken.sort_unstable();
            return (self.sorted.iter().map(|it| it.0).sum(), true);
        }
        self.path.clear();
        self.best_path.clear();
        let mut search = Search {
            items: &self.sorted,
            best: 0.0,
            nodes: 0,
            path: &mut self.path,
            best_path: &mut self.best_path,
        };
        search.dfs(0, capacity, 0.0);
        let (best, nodes) = (search.best, search.nodes);
        let order = &self.order;
        self.taken.extend(self.best_path.iter().map(|&k| order[k]));
        self.taken.sort_unstable();
        if nodes > MAX_NODES {
            return (lp_bound(&self.sorted, 0, capacity), false);
        }
        (best, true)
    }
}

/// The items of positive value, best value per weight first, equal ratios in input order, into
/// `order` (`keyed` a buffer). An unstable sort on (ratio, index) gives the stable sort's order
/// without its scratch buffer or a division per comparison (a profile of Yang p7 had a fifth
/// of the time in sorting).
fn by_ratio(items: &[Item], keyed: &mut Vec<(f64, usize)>, order: &mut Vec<usize>) {
    keyed.clear();
    keyed.extend(
        (0..items.len())
            .filter(|&i| items[i].0 > 0.0)
            .map(|i| (items[i].0 / items[i].1, i)),
    );
    keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    order.clear();
    order.extend(keyed.iter().map(|k| k.1));
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
    path: &'a mut Vec<usize>,
    best_path: &'a mut Vec<usize>,
}

impl Search<'_> {
    fn dfs(&mut self, i: usize, room: f64, value: f64) {
        self.nodes += 1;
        if value > self.best {
            self.best = value;
            self.best_path.clone_from(self.path);
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

    /// One solver kept across instances of different sizes (the relaxation keeps one per
    /// thread) answers each as a fresh one does: its buffers carry nothing over.
    #[test]
    fn a_reused_solver_answers_as_a_fresh_one() {
        let mut next = uniform(4242);
        let mut reused = Knapsack::default();
        for _ in 0..200 {
            let n = (next() * 14.0) as usize;
            let items: Vec<Item> = (0..n)
                .map(|_| (next() * 20.0 - 5.0, 0.5 + next() * 10.0))
                .collect();
            let capacity = next() * 40.0;
            let answer = reused.pack(&items, capacity);
            let mut fresh = Knapsack::default();
            assert_eq!(answer, fresh.pack(&items, capacity));
            assert_eq!(reused.taken, fresh.taken);
            assert!((answer.0 - brute(&items, capacity)).abs() < 1e-9);
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
        let (mut keyed, mut order) = (Vec::new(), Vec::new());
        by_ratio(&items, &mut keyed, &mut order);
        assert_eq!(order, vec![2, 0, 3, 5]);
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
