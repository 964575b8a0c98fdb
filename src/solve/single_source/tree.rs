//! Branch and bound over single-source plans (Holmberg, Rönnqvist and Yuan, EJOR 113 (1999)):
//! each node forces a site open or closed, or a hospital onto an arc or off it; its bound is
//! the relaxation of the assignment rows from its parent's prices ([`node`]), its relaxed
//! solution repaired and improved into a plan, and the sites whose other state the bound
//! rules out are fixed for its children, as are the arcs its prices ban or force
//! ([`fixing`]). Best bound first; a node is pruned when its bound
//! reaches the best plan within the gap. Where every cost of an assignment is a whole number
//! (the classic benchmarks) a bound is rounded up to one, which closes the last unit of gap.

use super::assignment::{Arc, Assignment};
use super::fixing;
use super::lagrange::{covering, dropped_arcs, evaluate};
use super::node::{self, Bounded};
use super::restriction::{Restriction, View};
use crate::model::relaxation::Structure;
use crate::solve::lagrangian::Fixed;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// At most this many open nodes (each holds its prices); beyond, the search stops with the
/// lowest bound of the open ones.
const MAX_OPEN_NODES: usize = 200_000;
/// Every this many nodes the search dives: it follows the preferred child of each node until
/// one is settled, which finds plans the best-first order reaches late.
const DIVE_EVERY: usize = 20;
/// The local search starts from a node's repaired plan when it opens sites no node opened
/// before, or when the plan is within this share of the best.
const IMPROVE_NEAR: f64 = 0.003;
/// Every this many nodes, if the best plan improved since, the root's prices drop the arcs
/// no plan cheaper than it uses (a knapsack per arc: too dear for every node).
const REFIX_EVERY: usize = 200;
/// Nodes are settled this far inside the asked gap: settled at the gap itself, the plan's gap
/// came out a rounding error above it and a proof at 1e-6 was reported as merely feasible
/// (OR-Library cap94, capa-10000 single-source) once the multi-source bound was no longer tighter.
const GAP_INSIDE: f64 = 0.99;
/// A cost within this of a whole number counts as one (rounding noise in the products).
const WHOLE_NOISE: f64 = 1e-7;
/// A bound this far below a whole number still rounds up to it (rounding noise).
const ROUND_NOISE: f64 = 1e-6;
/// A node fixes arcs again only once its gap to the limit is below this share of the gap at
/// the last fixing on its path: measured on the Yang set, fixing at every node cost a third
/// of the search time and mostly found what its parent had.
const REFIX_SHRINK: f64 = 0.8;
/// The knapsacks a node's fixing may solve, per knapsack its ascent solved: on the large
/// OR-Library instances (1,000 hospitals) a knapsack per arc cost the tree most of its time.
const FIX_KNAPSACKS_PER_ROUND: usize = 2;

/// What the search established about the assignment's cost.
pub(super) struct Outcome {
    /// A lower bound on every plan's assignment cost.
    pub bound: f64,
    /// The cheapest plan found, if cheaper than the one it started from.
    pub best: Option<Vec<Option<Arc>>>,
    /// Whether every node was settled (the bound then proves the best plan within the gap).
    pub exhausted: bool,
}

/// A node waiting in the tree.
struct Node {
    /// Its parent's bound.
    bound: f64,
    /// Made later ones first among equal bounds (the deeper child).
    seq: usize,
    restriction: Restriction,
    prices: Vec<f64>,
    /// The gap between the limit and the bound when the arcs were last fixed on its path.
    fix_gap: f64,
}

/// Where a node stands in the queue: lowest bound first, the latest made first among equal
/// bounds. The bound as an integer in the order of `f64::total_cmp`, so the key orders itself.
type Key = (i64, Reverse<usize>);

fn key(node: &Node) -> Key {
    let bits = node.bound.to_bits() as i64;
    (
        bits ^ ((((bits >> 63) as u64) >> 1) as i64),
        Reverse(node.seq),
    )
}

/// The open nodes.
#[derive(Default)]
struct Queue(BTreeMap<Key, Node>);

impl Queue {
    fn push(&mut self, node: Node) {
        self.0.insert(key(&node), node);
    }
    fn pop(&mut self) -> Option<Node> {
        self.0.pop_first().map(|(_, n)| n)
    }
}

/// Where the search starts: the problem, the arcs dropped at the root, the best plan and the
/// root's prices.
pub(super) struct Start<'a> {
    pub structure: &'a Structure,
    pub load: &'a [f64],
    pub dropped: &'a [Arc],
    pub plan: Assignment<'a>,
    pub prices: Vec<f64>,
    pub root_bound: f64,
    /// The costs every plan has beyond its assignment (for the relative gap).
    pub fixed_part: f64,
}

/// The state of the search.
struct Tree<'a> {
    structure: &'a Structure,
    load: &'a [f64],
    dropped: Vec<Vec<bool>>,
    open: Queue,
    ub: f64,
    best: Option<Vec<Option<Arc>>>,
    /// An absolute gap: nodes bounded within it of the best plan are done.
    tolerance: f64,
    gap: f64,
    fixed_part: f64,
    whole: bool,
    /// The lowest bound of the nodes pruned by their bound.
    pruned: f64,
    nodes: usize,
    seq: usize,
    /// The sets of open sites the local search started from already.
    tried: BTreeSet<Vec<bool>>,
    deadline: Option<Instant>,
    /// The root's prices, and the best plan's cost when they last dropped arcs.
    root_prices: Vec<f64>,
    refixed: f64,
}

/// Searches from `start` until every node is settled within `gap` or `deadline`.
pub(super) fn search(start: Start<'_>, gap: f64, deadline: Option<Instant>) -> Outcome {
    let structure = start.structure;
    let mut dropped: Vec<Vec<bool>> = structure
        .sites
        .iter()
        .map(|s| vec![false; s.arcs.len()])
        .collect();
    start
        .dropped
        .iter()
        .for_each(|&(s, i)| dropped[s][i] = true);
    let mut tree = Tree {
        structure,
        load: start.load,
        dropped,
        open: Queue::default(),
        ub: start.plan.cost(),
        best: None,
        tolerance: 0.0,
        gap,
        fixed_part: start.fixed_part,
        whole: whole_costs(structure, start.load),
        pruned: f64::INFINITY,
        nodes: 0,
        seq: 0,
        tried: BTreeSet::new(),
        deadline,
        root_prices: start.prices.clone(),
        refixed: start.plan.cost(),
    };
    tree.set_tolerance();
    let root = tree.node(start.root_bound, Restriction::none(structure), start.prices);
    tree.open.push(root);
    tree.run();
    tree.outcome()
}

/// Whether every cost of an assignment is a whole number: fixed and platform costs, and each
/// hospital's cost on each arc.
fn whole_costs(structure: &Structure, load: &[f64]) -> bool {
    let whole = |x: f64| (x - x.round()).abs() <= WHOLE_NOISE * x.abs().max(1.0);
    structure.sites.iter().all(|site| {
        site.options.iter().all(|o| {
            whole(o.fixed)
                && whole(o.per_platform)
                && site.arcs.iter().all(|a| {
                    let b = load[a.hospital] / site.keep;
                    whole((a.cost + o.per_batch) * b)
                })
        })
    })
}

impl<'a> Tree<'a> {
    fn set_tolerance(&mut self) {
        self.tolerance = self.gap * (self.ub + self.fixed_part).abs() * GAP_INSIDE;
    }

    /// The least cost of a plan bounded by `b` (rounded up where costs are whole numbers).
    fn rounded(&self, b: f64) -> f64 {
        if self.whole && b.is_finite() {
            (b - ROUND_NOISE).ceil()
        } else {
            b
        }
    }

    /// Whether a node bounded by `b` holds no plan cheaper than the best by more than the gap.
    fn settled(&self, b: f64) -> bool {
        self.rounded(b) >= self.ub - self.tolerance
    }

    /// The bound at which a node's subgradient steps may stop.
    fn cutoff(&self) -> f64 {
        if self.whole {
            self.ub - self.tolerance.max(1.0 - 2.0 * ROUND_NOISE)
        } else {
            self.ub - self.tolerance
        }
    }

    fn node(&mut self, bound: f64, restriction: Restriction, prices: Vec<f64>) -> Node {
        self.seq += 1;
        Node {
            bound,
            seq: self.seq,
            restriction,
            prices,
            fix_gap: f64::INFINITY,
        }
    }

    fn late(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    fn run(&mut self) {
        let mut dive: Option<Node> = None;
        loop {
            let diving = dive.is_some();
            let Some(node) = dive.take().or_else(|| self.open.pop()) else {
                return;
            };
            if self.settled(node.bound) {
                self.pruned = self.pruned.min(node.bound);
                continue;
            }
            if self.late() || self.open.0.len() >= MAX_OPEN_NODES {
                self.open.push(node);
                return;
            }
            self.nodes += 1;
            if self.nodes.is_multiple_of(REFIX_EVERY) && self.ub < self.refixed {
                self.refix();
            }
            let mut children = match self.visit(node) {
                Ok(children) => children,
                Err(unsettled) => {
                    // the deadline passed within the node: it stays open
                    self.open.push(unsettled);
                    return;
                }
            };
            // every DIVE_EVERY nodes, follow the preferred child down to a plan
            if diving || self.nodes.is_multiple_of(DIVE_EVERY) {
                dive = children.pop();
            }
            children.into_iter().for_each(|c| self.open.push(c));
        }
    }

    /// Bounds `node`, improves the best plan from it and branches; the node itself where the
    /// deadline passed before its bound was known.
    fn visit(&mut self, node: Node) -> Result<Vec<Node>, Node> {
        let view = View::new(
            self.structure,
            self.load,
            &node.restriction,
            Some(&self.dropped),
        );
        if !view.reachable() {
            return Ok(Vec::new()); // a hospital with no arc left: no plan here
        }
        let Some(b) = node::bound(
            &view,
            node.prices.clone(),
            self.ub,
            self.cutoff(),
            self.deadline,
        ) else {
            return Err(node);
        };
        if self.late() && !self.settled(b.bound) {
            return Err(Node {
                bound: node.bound.max(b.bound),
                ..node
            });
        }
        let bound = node.bound.max(b.bound);
        self.heuristic(&node.restriction, &b);
        if b.feasible || self.settled(bound) {
            self.pruned = self.pruned.min(bound);
            return Ok(Vec::new());
        }
        let mut r = node.restriction;
        let flips = self.fix_sites(&view, &b, &mut r);
        let mut fix_gap = node.fix_gap;
        let gap = self.cutoff() - bound;
        if gap < REFIX_SHRINK * fix_gap {
            if !self.fix_arcs(&view, &b, &mut r) {
                return Ok(Vec::new()); // no plan cheaper than the best in the node
            }
            fix_gap = gap;
        }
        let mut children = self.branch(r, &b, &flips, bound);
        children.iter_mut().for_each(|c| c.fix_gap = fix_gap);
        Ok(children)
    }

    /// Bans for the node's subtree the arcs no plan cheaper than the best uses, and puts on
    /// their arc the hospitals every such plan puts there; false if the node holds no such
    /// plan.
    fn fix_arcs(&mut self, view: &View<'_>, b: &Bounded, r: &mut Restriction) -> bool {
        let limit = self.cutoff();
        let sites = b.best.terms.iter().filter(|t| t.is_finite()).count();
        let knapsacks = FIX_KNAPSACKS_PER_ROUND * b.rounds * sites;
        let found = fixing::fix_arcs(view, &b.prices, &b.best, limit, knapsacks, self.deadline);
        if !found.banned.is_empty() || !found.assigned.is_empty() {
            // the plans without them cost more than `limit`
            self.pruned = self.pruned.min(limit);
        }
        fixing::apply(view, &found, r)
    }

    /// Drops the arcs the root's prices show no plan cheaper than the best uses.
    fn refix(&mut self) {
        self.refixed = self.ub;
        let root = Restriction::none(self.structure);
        let view = View::new(self.structure, self.load, &root, Some(&self.dropped));
        let ev = evaluate(&view, &self.root_prices);
        let limit = self.cutoff();
        let dropped = dropped_arcs(&view, &self.root_prices, &ev.terms, limit, self.deadline);
        if !dropped.is_empty() {
            // the plans with them cost more than `limit`
            self.pruned = self.pruned.min(limit);
        }
        dropped
            .into_iter()
            .for_each(|(s, i)| self.dropped[s][i] = true);
    }

    /// Improves the best plan from the node's relaxed solution.
    fn heuristic(&mut self, r: &Restriction, b: &Bounded) {
        let below = if self.tried.insert(b.best.open.clone()) {
            f64::INFINITY
        } else {
            self.ub * (1.0 + IMPROVE_NEAR)
        };
        let plan = node::plan(self.structure, self.load, r, &b.best, below, self.deadline);
        if let Some(a) = plan
            && a.complete()
            && a.cost() < self.ub
        {
            self.ub = a.cost();
            self.best = Some(a.chosen.clone());
            self.set_tolerance();
        }
    }

    /// Fixes each free site whose other state the bound rules out: its state in the relaxed
    /// solution holds in every plan of the node cheaper than the best. The bound with each
    /// site left free in its other state (+inf for the others).
    fn fix_sites(&mut self, view: &View<'_>, b: &Bounded, r: &mut Restriction) -> Vec<f64> {
        let ev = &b.best;
        let prices = ev.value - ev.cover;
        let mut flips = vec![f64::INFINITY; r.sites.len()];
        for (s, flip) in flips.iter_mut().enumerate() {
            if view.sites[s].is_some() || ev.terms[s] == f64::INFINITY {
                continue;
            }
            let (now, other) = if ev.open[s] {
                (Fixed::Open, Fixed::Closed)
            } else {
                (Fixed::Closed, Fixed::Open)
            };
            let flipped = prices + covering(view, &ev.terms, Some((s, other))).0;
            if self.settled(flipped) {
                self.pruned = self.pruned.min(flipped);
                r.sites[s] = Some(now);
            } else {
                *flip = flipped;
            }
        }
        flips
    }

    /// Two children of a node bounded by `bound`, the preferred one last: a free site open and
    /// closed (its state in the relaxed solution last) while one is left, else a hospital's
    /// arcs in two halves (the one with its arc taken most often last).
    fn branch(&mut self, r: Restriction, b: &Bounded, flips: &[f64], bound: f64) -> Vec<Node> {
        let view = View::new(self.structure, self.load, &r, Some(&self.dropped));
        let mut children = Vec::with_capacity(2);
        if let Some(s) = branch_site(&view, flips) {
            let mut order = [Fixed::Closed, Fixed::Open];
            if !b.best.open[s] {
                order.reverse();
            }
            for f in order {
                let mut child = r.clone();
                child.sites[s] = Some(f);
                children.push(self.node(bound, child, b.prices.clone()));
            }
            return children;
        }
        let Some((h, top, rest)) = branch_hospital(&view, b) else {
            return children; // every hospital on a forced arc: the node held one plan
        };
        let mut without_top = r.clone();
        without_top.banned.extend(&top);
        children.push(self.node(bound, without_top, b.prices.clone()));
        let mut with_top = r;
        match top[..] {
            // one arc left to it: the hospital is on it, its row no longer priced
            [only] => with_top.assigned[h] = Some(only),
            _ => with_top.banned.extend(rest),
        }
        children.push(self.node(bound, with_top, b.prices.clone()));
        children
    }

    fn outcome(self) -> Outcome {
        let exhausted = self.open.0.is_empty();
        let first = self.open.0.first_key_value();
        let waiting = first.map_or(f64::INFINITY, |(_, n)| n.bound);
        let lowest = self.rounded(self.pruned.min(waiting));
        Outcome {
            bound: lowest.min(self.ub),
            best: self.best,
            exhausted,
        }
    }
}

/// The free site whose other state the bound rules out least (the most undecided one).
fn branch_site(view: &View<'_>, flips: &[f64]) -> Option<usize> {
    (0..flips.len())
        .filter(|&s| view.sites[s].is_none() && flips[s].is_finite())
        .min_by(|&x, &y| flips[x].total_cmp(&flips[y]).then(x.cmp(&y)))
}

/// The hospital the rounds left most undecided among those the relaxed solution leaves
/// unassigned or assigns twice (its arc taken most often taken least), and its usable arcs
/// in two halves of about equal share of the rounds, the one with the most taken arc first.
fn branch_hospital(view: &View<'_>, b: &Bounded) -> Option<(usize, Vec<Arc>, Vec<Arc>)> {
    let mut arcs: Vec<Vec<(f64, Arc)>> = vec![Vec::new(); view.structure.hospitals];
    for (s, site) in view.structure.sites.iter().enumerate() {
        for (i, a) in site.arcs.iter().enumerate() {
            if view.usable[s][i] && b.best.grad[a.hospital] != 0.0 {
                arcs[a.hospital].push((b.take_share[s][i], (s, i)));
            }
        }
    }
    let top = |x: &Vec<(f64, Arc)>| x.iter().map(|a| a.0).fold(0.0, f64::max);
    let h = (0..arcs.len())
        .filter(|&h| !arcs[h].is_empty())
        .min_by(|&x, &y| top(&arcs[x]).total_cmp(&top(&arcs[y])).then(x.cmp(&y)))?;
    let mut list = std::mem::take(&mut arcs[h]);
    list.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let (mut first, mut second) = ((0.0, Vec::new()), (0.0, Vec::new()));
    for (share, arc) in list {
        // the lighter half takes the next arc (the shorter one between equals)
        let side = if (first.0, first.1.len()) <= (second.0, second.1.len()) {
            &mut first
        } else {
            &mut second
        };
        side.0 += share;
        side.1.push(arc);
    }
    Some((h, first.1, second.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::single_source::fixing::tests::{plans, with_loads};
    use crate::solve::single_source::knapsack::tests::uniform;
    use crate::solve::single_source::repair::{self, tests::site};

    /// The cheapest complete assignment within the capacities, by trying every one.
    fn brute(structure: &Structure, load: &[f64]) -> f64 {
        let all = plans(structure, load);
        all.iter()
            .map(Assignment::cost)
            .fold(f64::INFINITY, f64::min)
    }

    /// Random instances with costs of fractions (so no rounding of bounds): the search from a
    /// poor plan and untuned prices ends with the brute force's optimum, proven.
    #[test]
    fn the_tree_proves_what_every_assignment_shows() {
        let mut next = uniform(99);
        let mut proven = 0;
        for _ in 0..40 {
            let (m, n) = (2 + (next() * 3.0) as usize, 3 + (next() * 4.0) as usize);
            let sites = (0..m)
                .map(|s| {
                    let costs: Vec<Option<f64>> = (0..n).map(|_| Some(next() * 9.3)).collect();
                    site(s, 4.0 + next() * 12.0, &costs)
                })
                .collect();
            let (structure, load) = with_loads(sites, n, &mut next);
            let optimum = brute(&structure, &load);
            let mut plan = Assignment::new(&structure, &load);
            if !optimum.is_finite() || !repair::repair(&mut plan, (0..n).collect()) {
                continue;
            }
            let mut best = plan.clone();
            let start = Start {
                structure: &structure,
                load: &load,
                dropped: &[],
                plan,
                prices: vec![0.0; n],
                root_bound: f64::NEG_INFINITY,
                fixed_part: 0.0,
            };
            let found = search(start, 1e-9, None);
            assert!(found.exhausted);
            for (h, &c) in found.best.iter().flatten().enumerate() {
                best.set(h, c);
            }
            assert!(
                (best.cost() - optimum).abs() < 1e-6,
                "{} {optimum}",
                best.cost()
            );
            assert!(found.bound <= optimum + 1e-6 && found.bound >= optimum - 1e-4);
            proven += 1;
        }
        assert!(proven >= 20, "{proven} instances with a plan");
    }
}
