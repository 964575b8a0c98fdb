//! Lagrangian relaxation of the single-year model: a strong lower bound, plans to start from,
//! sites provably open or closed in every better plan, and a branch and bound over the sites
//! left that proves the best plan optimal, all before HiGHS's own branch and bound.
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
//!
//! The same argument at every node of a tree over the sites still free is the branch and bound
//! of Görtz and Klose ([`Structure::prove`]): each node forces one more site open or closed,
//! improves its parent's prices, and is pruned when its bound reaches the best plan's cost.

mod branch;
mod evaluate;
pub(crate) mod knapsack;
pub(crate) mod probe;
mod subgradient;

pub use crate::model::relaxation::{CellArc, Group, Site, SiteOption, Structure};
pub use branch::{BRANCH_MAX_GAP, BranchLimits, MAX_LEAF_PROBES, MAX_OPEN_NODES};
pub(crate) use subgradient::deflection;
pub use subgradient::{Limits, RECENT};

/// Relative differences below this are rounding noise.
const NOISE: f64 = 1e-9;
/// A subgradient whose squared norm is at most this balances every hospital: no step left.
const FLAT_NORM: f64 = 1e-12;

/// The rounding noise around `x`: [`NOISE`] relative, absolute below 1.
fn noise(x: f64) -> f64 {
    NOISE * x.abs().max(1.0)
}

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

/// How a probe searches for a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// A quick search among the free sites' cheapest arcs: its plans are plans of the model,
    /// its bound is not a bound of the restriction.
    Restricted,
    /// The model under the site restrictions as it stands: its bound bounds every plan that
    /// keeps them.
    Exact,
}

/// What a probe found.
#[derive(Debug, Clone)]
pub struct Probed {
    /// The best plan found, with its objective.
    pub plan: Option<Plan>,
    /// Under [`Search::Exact`], a lower bound on every plan that keeps the restrictions
    /// (`+inf` if there is none, `-inf` if nothing is proven).
    pub bound: f64,
    /// The search finished (the plan optimal within the gap, or none exists), rather than
    /// stopping at the time limit.
    pub finished: bool,
}

impl Probed {
    /// Nothing found and nothing proven.
    pub const NOTHING: Probed = Probed {
        plan: None,
        bound: f64::NEG_INFINITY,
        finished: false,
    };
}

/// How a site stands in a plan or a restriction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixed {
    Open,
    Closed,
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
    /// The prices of the best bound (one per hospital).
    pub prices: Vec<f64>,
    /// What the branch and bound over sites did, when it ran.
    pub proof: Option<Proof>,
}

/// What the branch and bound over sites of [`Structure::prove`] established.
#[derive(Debug, Clone, Default)]
pub struct Proof {
    /// A lower bound on every plan.
    pub bound: f64,
    pub nodes: usize,
    /// Nodes with every site decided, handed to the probe.
    pub probes: usize,
    /// Every node was pruned: the best plan is optimal within the gap.
    pub complete: bool,
    pub seconds: f64,
}
