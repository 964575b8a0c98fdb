//! Branch and bound over the sites left free (Görtz and Klose): each node forces one more site
//! open or closed, improves its parent's prices, and is pruned against the best plan.

use super::evaluate::Evaluation;
use super::{FLAT_NORM, Fixed, NOISE, Plan, Probe, Probed, Proof, Search, Structure};
use std::collections::BinaryHeap;
use std::ops::ControlFlow;
use std::time::Instant;

/// A node of the branch and bound over sites.
struct Node {
    /// Its parent's bound.
    bound: f64,
    forced: Vec<Option<Fixed>>,
    /// Its parent's best prices.
    prices: Vec<f64>,
}

// Ordered for a max-heap that pops the lowest bound first.
impl Ord for Node {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.bound.total_cmp(&self.bound)
    }
}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for Node {}

/// The state of [`Structure::prove`]: the open nodes, the best plan and what is proved.
struct Tree<'a> {
    /// The open nodes, lowest bound first.
    open: BinaryHeap<Node>,
    /// The best plan's cost.
    ub: f64,
    /// Nodes whose bound is within this relative gap of the best plan are done.
    tolerance: f64,
    /// The lowest bound of the nodes the probe settled.
    settled: f64,
    proof: Proof,
    incumbent: &'a mut Option<Plan>,
}

impl Tree<'_> {
    /// Nodes bounded at or above this are pruned.
    fn cutoff(&self) -> f64 {
        self.ub - self.tolerance * self.ub.abs().max(1.0)
    }
}

/// The free site the relaxation left most undecided (open closest to half the time), if any.
fn branch_site(forced: &[Option<Fixed>], ybar: &[f64]) -> Option<usize> {
    (0..forced.len())
        .filter(|&s| forced[s].is_none())
        .min_by(|&a, &b| {
            (ybar[a] - 0.5)
                .abs()
                .total_cmp(&(ybar[b] - 0.5).abs())
                .then(a.cmp(&b))
        })
}

/// [`Structure::prove`] is for models where the relaxation's bound is nearly tight, where the
/// tree stays small; elsewhere it stops at these limits and leaves the rest to HiGHS, which is
/// then faster (docs/solver-tuning.md).
pub const MAX_OPEN_NODES: usize = 256;
/// See [`MAX_OPEN_NODES`].
pub const MAX_LEAF_PROBES: usize = 16;
/// [`Structure::prove`] runs only when the best plan is within this relative gap of the
/// relaxation's bound: further off, it spends the limit without closing the gap
/// (docs/solver-tuning.md).
pub const BRANCH_MAX_GAP: f64 = 0.01;

/// The most memory the open nodes of [`Structure::prove`] may hold (512 MiB); beyond it the
/// branch and bound stops and leaves the rest to HiGHS.
const MAX_OPEN_BYTES: usize = 512 << 20;

/// The step factor of the subgradient steps at a node of [`Structure::prove`], and the most
/// steps there: the fastest pair measured (docs/solver-tuning.md).
const NODE_THETA: f64 = 2.0;
const NODE_ROUNDS: usize = 100;
/// Steps at a node without a better bound before the factor is halved.
const NODE_STALE_ROUNDS: usize = 5;

/// Limits of the branch and bound over sites.
#[derive(Clone, Copy)]
pub struct BranchLimits<'a> {
    pub deadline: Option<Instant>,
    /// Whether to stop now (asked from outside, e.g. by Ctrl-C).
    pub stopped: &'a dyn Fn() -> bool,
    /// Stop with more open nodes than this, or after this many nodes with every site decided
    /// (each a HiGHS solve).
    pub max_open: usize,
    pub max_probes: usize,
    /// Nodes whose bound is within half this relative gap of the best plan are pruned.
    pub gap: f64,
}

impl Structure {
    /// Branch and bound over the sites still free in `fixed`, with this relaxation's bound at
    /// each node (its prices improved from the parent's by subgradient steps towards the best
    /// plan's cost), until every node is pruned against the best plan or `limits` end it.
    /// A node with every site decided is handed to `probe` ([`Search::Exact`]). Plans the
    /// probes find replace `incumbent` when cheaper.
    pub fn prove(
        &self,
        prices: &[f64],
        fixed: &[Option<Fixed>],
        incumbent: &mut Option<Plan>,
        limits: BranchLimits<'_>,
        probe: &mut dyn FnMut(&[Probe], Search) -> Probed,
    ) -> Proof {
        let started = Instant::now();
        let proof = Proof {
            bound: f64::NEG_INFINITY,
            nodes: 0,
            probes: 0,
            complete: false,
            seconds: 0.0,
        };
        let Some(ub) = incumbent.as_ref().map(|(z, _)| *z) else {
            return proof;
        };
        let mut tree = Tree {
            open: BinaryHeap::from([Node {
                bound: f64::NEG_INFINITY,
                forced: self.with_existing(fixed),
                prices: prices.to_vec(),
            }]),
            ub,
            // Nodes whose bound is within half the gap of the best plan are done.
            tolerance: 0.5 * limits.gap.max(NOISE),
            settled: f64::INFINITY,
            proof,
            incumbent,
        };
        // the open nodes' memory is bounded: each holds its prices and its sites
        let node_bytes = 8 * self.hospitals + 2 * self.sites.len() + 64;
        let max_open = (MAX_OPEN_BYTES / node_bytes).max(2);
        let out_of_time = || limits.deadline.is_some_and(|d| Instant::now() >= d);
        loop {
            if out_of_time()
                || (limits.stopped)()
                || tree.open.len() > max_open.min(limits.max_open)
                || tree.proof.probes >= limits.max_probes
            {
                break;
            }
            let Some(node) = tree.open.pop() else {
                break;
            };
            if self.expand(node, &mut tree, probe).is_break() {
                break;
            }
        }
        let lowest = tree.open.peek().map_or(f64::INFINITY, |n| n.bound);
        let bound = lowest.min(tree.settled).min(tree.cutoff()).min(tree.ub);
        let mut proof = tree.proof;
        proof.complete = tree.open.is_empty();
        proof.bound = bound;
        proof.seconds = started.elapsed().as_secs_f64();
        proof
    }

    /// One node of [`Structure::prove`]: its bound, the sites its bound decides, then two
    /// children on the most undecided site, or, with every site decided, the probe.
    /// Breaks when the probe was stopped.
    fn expand(
        &self,
        node: Node,
        tree: &mut Tree<'_>,
        probe: &mut dyn FnMut(&[Probe], Search) -> Probed,
    ) -> ControlFlow<()> {
        if node.bound >= tree.cutoff() {
            return ControlFlow::Continue(());
        }
        tree.proof.nodes += 1;
        let mut forced = node.forced;
        let Some((bound, lambda, e, ybar)) = self.node_bound(&node.prices, &forced, tree.cutoff())
        else {
            return ControlFlow::Continue(()); // no plan keeps these sites
        };
        if bound >= tree.cutoff() {
            return ControlFlow::Continue(());
        }
        self.fix_by_bound(&e, &mut forced, tree.cutoff());
        let Some(s) = branch_site(&forced, &ybar) else {
            return self.settle(forced, bound, lambda, tree, probe);
        };
        for state in [Fixed::Open, Fixed::Closed] {
            let mut child = forced.clone();
            child[s] = Some(state);
            tree.open.push(Node {
                bound,
                forced: child,
                prices: lambda.clone(),
            });
        }
        ControlFlow::Continue(())
    }

    /// Sites whose other state is bounded at or above `cutoff` keep the relaxation's state.
    fn fix_by_bound(&self, e: &Evaluation, forced: &mut [Option<Fixed>], cutoff: f64) {
        for s in 0..self.sites.len() {
            if forced[s].is_some() {
                continue;
            }
            let (own, other) = if e.open[s] {
                (Fixed::Open, Fixed::Closed)
            } else {
                (Fixed::Closed, Fixed::Open)
            };
            if self.forced_value(e, forced, s, other) >= cutoff {
                forced[s] = Some(own);
            }
        }
    }

    /// A node with every site decided: the model itself, with these sites, solved by `probe`.
    /// Its plan replaces the best when cheaper; a probe stopped (out of time) leaves the node
    /// open and breaks.
    fn settle(
        &self,
        forced: Vec<Option<Fixed>>,
        bound: f64,
        lambda: Vec<f64>,
        tree: &mut Tree<'_>,
        probe: &mut dyn FnMut(&[Probe], Search) -> Probed,
    ) -> ControlFlow<()> {
        let plan: Vec<Probe> = forced
            .iter()
            .zip(&self.sites)
            .map(|(f, site)| match f {
                Some(Fixed::Open) if site.options.len() == 1 => Probe::Open(0),
                Some(Fixed::Open) => Probe::Free,
                _ => Probe::Closed,
            })
            .collect();
        tree.proof.probes += 1;
        let got = probe(&plan, Search::Exact);
        if let Some((z, values)) = got.plan
            && z < tree.ub
        {
            tree.ub = z;
            *tree.incumbent = Some((z, values));
        }
        let leaf = got.bound.max(bound);
        if !got.finished {
            tree.open.push(Node {
                bound: leaf,
                forced,
                prices: lambda,
            });
            return ControlFlow::Break(());
        }
        // settled, at the probe's own bound (within its gap of its plan)
        tree.settled = tree.settled.min(leaf);
        ControlFlow::Continue(())
    }

    /// The relaxation's best bound at a node, from `prices` by subgradient steps towards
    /// `target`: the bound, its prices, its evaluation, and how often each site was open.
    /// `None` if no choice of the free sites can treat every patient.
    pub(super) fn node_bound(
        &self,
        prices: &[f64],
        forced: &[Option<Fixed>],
        target: f64,
    ) -> Option<(f64, Vec<f64>, Evaluation, Vec<f64>)> {
        let mut lambda = prices.to_vec();
        let mut best: Option<(f64, Vec<f64>, Evaluation)> = None;
        let mut ybar = vec![0.0; self.sites.len()];
        let mut theta = NODE_THETA;
        let mut stale = 0;
        for r in 0..NODE_ROUNDS {
            let e = self.evaluate(&lambda, forced);
            if !e.value.is_finite() {
                return None;
            }
            for (y, &o) in ybar.iter_mut().zip(&e.open) {
                *y += (f64::from(u8::from(o)) - *y) / (r as f64 + 1.0);
            }
            let norm: f64 = e.subgradient.iter().map(|g| g * g).sum();
            let value = e.value;
            let better = best.as_ref().is_none_or(|b| value > b.0);
            let g = e.subgradient.clone();
            if better {
                best = Some((value, lambda.clone(), e));
                stale = 0;
            } else {
                stale += 1;
                if stale >= NODE_STALE_ROUNDS {
                    theta /= 2.0;
                    stale = 0;
                }
            }
            if value >= target || norm <= FLAT_NORM {
                break;
            }
            let step = theta * (target - value).max(NOISE * target.abs()) / norm;
            for (l, g) in lambda.iter_mut().zip(&g) {
                *l += step * g;
            }
        }
        best.map(|(v, l, e)| (v, l, e, ybar))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::relaxation::{CellArc, Group, Site, SiteOption};

    /// A small capacitated facility location problem: `sites` facilities (fixed cost,
    /// capacity) and `demand` customers, `cost[h][s]` per unit, every customer served.
    fn cflp(sites: &[(f64, f64)], demand: &[f64], cost: &[Vec<f64>]) -> Structure {
        Structure {
            hospitals: demand.len(),
            groups: demand
                .iter()
                .enumerate()
                .map(|(h, &d)| Group {
                    patients: d,
                    penalty: None,
                    arcs: vec![(h, 0.0)],
                })
                .collect(),
            sites: sites
                .iter()
                .enumerate()
                .map(|(s, &(fixed, capacity))| Site {
                    existing: false,
                    keep: 1.0,
                    options: vec![SiteOption {
                        open_col: s,
                        platforms_col: s,
                        fixed,
                        per_platform: 0.0,
                        per_batch: 0.0,
                        batches_per_platform: capacity,
                        max_platforms: 1,
                    }],
                    arcs: demand
                        .iter()
                        .enumerate()
                        .map(|(h, &d)| CellArc {
                            hospital: h,
                            col: 0,
                            cost: cost[h][s],
                            upper: d,
                        })
                        .collect(),
                })
                .collect(),
            full_coverage: true,
        }
    }

    /// The cheapest plan opening exactly the sites `open` (their fixed costs and the
    /// transportation LP, solved by HiGHS), or `None` if they cannot serve every customer.
    fn plan_cost(structure: &Structure, open: &[bool]) -> Option<f64> {
        use good_lp::{Expression, ProblemVariables, Solution, SolverModel, variable};
        let mut vars = ProblemVariables::new();
        let mut x = Vec::new(); // (hospital, site, variable, cost)
        for (s, site) in structure.sites.iter().enumerate() {
            if open[s] {
                for a in &site.arcs {
                    x.push((a.hospital, s, vars.add(variable().min(0.0)), a.cost));
                }
            }
        }
        let fixed: f64 = (0..open.len())
            .filter(|&s| open[s])
            .map(|s| structure.sites[s].options[0].fixed)
            .sum();
        let objective: Expression = x.iter().map(|&(_, _, v, c)| c * v).sum();
        let mut problem = vars.minimise(objective.clone()).using(good_lp::highs);
        for (h, g) in structure.groups.iter().enumerate() {
            let served: Expression = x.iter().filter(|t| t.0 == h).map(|t| t.2).sum();
            problem.add_constraint(served.eq(g.patients));
        }
        for (s, site) in structure.sites.iter().enumerate() {
            if open[s] {
                let made: Expression = x.iter().filter(|t| t.1 == s).map(|t| t.2).sum();
                let capacity = site.options[0].batches_per_platform;
                problem.add_constraint(made.leq(capacity));
            }
        }
        let solved = problem.solve().ok()?;
        Some(fixed + solved.eval(&objective))
    }

    /// The branch and bound over sites, started from the worst plan and from prices of 0, ends
    /// at the optimum that brute force over every set of sites finds, with a bound that holds:
    /// on 300 generated problems, where it must reach nodes with every site decided. (Its
    /// pruning and fixing were checked to matter: a node pruned 3 % below the best plan, or a
    /// site fixed at 90 % of it, makes this test fail.)
    #[test]
    fn branch_and_bound_over_sites_finds_and_proves_the_brute_force_optimum() {
        let mut seed: u64 = 11;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let mut probes = 0;
        for case in 0..300 {
            let n_sites = 3 + next(4) as usize;
            let n_hospitals = 3 + next(5) as usize;
            let demand: Vec<f64> = (0..n_hospitals).map(|_| 1.0 + next(10) as f64).collect();
            let sites: Vec<(f64, f64)> = (0..n_sites)
                .map(|_| (20.0 + next(60) as f64, 5.0 + next(21) as f64))
                .collect();
            let cost: Vec<Vec<f64>> = (0..n_hospitals)
                .map(|_| (0..n_sites).map(|_| 1.0 + next(20) as f64).collect())
                .collect();
            let structure = cflp(&sites, &demand, &cost);
            let (mut best, mut worst) = (f64::INFINITY, f64::NEG_INFINITY);
            for mask in 0u32..(1 << n_sites) {
                let open: Vec<bool> = (0..n_sites).map(|s| mask & (1 << s) != 0).collect();
                if let Some(z) = plan_cost(&structure, &open) {
                    best = best.min(z);
                    worst = worst.max(z);
                }
            }
            if !best.is_finite() {
                continue; // no set of sites serves every customer
            }
            let mut probe = |plan: &[Probe], search: Search| {
                assert_eq!(search, Search::Exact);
                let open: Vec<bool> = plan.iter().map(|p| *p != Probe::Closed).collect();
                let z = plan_cost(&structure, &open);
                probes += 1;
                Probed {
                    plan: z.map(|z| (z, Vec::new())),
                    bound: z.unwrap_or(f64::INFINITY),
                    finished: true,
                }
            };
            let mut incumbent = Some((worst, Vec::new()));
            let limits = BranchLimits {
                deadline: None,
                stopped: &|| false,
                max_open: usize::MAX,
                max_probes: usize::MAX,
                gap: 1e-9,
            };
            let proof = structure.prove(
                &vec![0.0; n_hospitals],
                &vec![None; n_sites],
                &mut incumbent,
                limits,
                &mut probe,
            );
            let found = incumbent.map(|(z, _)| z).unwrap();
            let tol = 1e-6 * best.abs();
            assert!(proof.complete, "case {case}");
            assert!(
                (found - best).abs() <= tol,
                "case {case}: {found} vs {best}"
            );
            assert!(
                proof.bound <= best + tol,
                "case {case}: bound {} vs {best}",
                proof.bound
            );
            assert!(
                proof.bound >= best - tol,
                "case {case}: bound {} vs {best}",
                proof.bound
            );
        }
        // the nodes with every site decided were reached (the worst plan is no help)
        assert!(probes > 300, "{probes} probes");
    }
}
