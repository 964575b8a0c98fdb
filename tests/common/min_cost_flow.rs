//! A small exact min-cost flow (successive shortest paths with Bellman-Ford, real capacities):
//! the brute-force oracles' own flow solver, independent of HiGHS and the model.

/// Below this a capacity or a remaining amount is taken as zero.
pub const FLOW_EPS: f64 = 1e-10;

pub struct MinCostFlow {
    adj: Vec<Vec<usize>>,
    to: Vec<usize>,
    cap: Vec<f64>,
    cost: Vec<f64>,
}

impl MinCostFlow {
    pub fn new(nodes: usize) -> Self {
        MinCostFlow {
            adj: vec![Vec::new(); nodes],
            to: Vec::new(),
            cap: Vec::new(),
            cost: Vec::new(),
        }
    }

    /// An arc a -> b; its residual twin is the next index (`e ^ 1`).
    pub fn add(&mut self, a: usize, b: usize, cap: f64, cost: f64) {
        if cap <= FLOW_EPS {
            return;
        }
        for (from, to, cap, cost) in [(a, b, cap, cost), (b, a, 0.0, -cost)] {
            self.adj[from].push(self.to.len());
            self.to.push(to);
            self.cap.push(cap);
            self.cost.push(cost);
        }
    }

    /// The shortest residual path from `s` (Bellman-Ford): each node's incoming arc.
    fn shortest(&self, s: usize) -> (Vec<f64>, Vec<usize>) {
        let n = self.adj.len();
        let mut dist = vec![f64::INFINITY; n];
        let mut prev = vec![usize::MAX; n];
        dist[s] = 0.0;
        for _ in 0..n {
            let mut changed = false;
            for u in 0..n {
                if !dist[u].is_finite() {
                    continue;
                }
                for &e in &self.adj[u] {
                    let d = dist[u] + self.cost[e];
                    if self.cap[e] > FLOW_EPS && d < dist[self.to[e]] - 1e-9 {
                        dist[self.to[e]] = d;
                        prev[self.to[e]] = e;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        (dist, prev)
    }

    /// Sends up to `amount` from `s` to `t` at least cost; returns (flow, cost).
    pub fn run(&mut self, s: usize, t: usize, amount: f64) -> (f64, f64) {
        let (mut flow, mut total) = (0.0, 0.0);
        while amount - flow > FLOW_EPS {
            let (dist, prev) = self.shortest(s);
            if dist[t] == f64::INFINITY {
                break;
            }
            let mut push = amount - flow;
            let mut v = t;
            while v != s {
                push = push.min(self.cap[prev[v]]);
                v = self.to[prev[v] ^ 1];
            }
            let mut v = t;
            while v != s {
                let e = prev[v];
                self.cap[e] -= push;
                self.cap[e ^ 1] += push;
                total += push * self.cost[e];
                v = self.to[e ^ 1];
            }
            flow += push;
        }
        (flow, total)
    }
}
