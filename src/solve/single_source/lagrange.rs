//! The Lagrangian relaxation of the assignment rows (each hospital with patients on exactly one
//! arc, priced μ_h): what is left is one 0-1 knapsack per site and platform count, the
//! hospitals whose price exceeds their cost there packed into its capacity ([`knapsack`]).
//! L(μ) = Σ_h μ_h + the cheapest set of sites, at their terms, with the capacity for every
//! patient (existing sites always in) bounds every single-source plan; subgradient steps
//! improve μ (Holmberg, Rönnqvist and Yuan, EJOR 113 (1999)). With a plan of cost UB, an arc whose forced bound exceeds UB carries
//! nothing in every cheaper plan, and is dropped. The same relaxation bounds each node of the
//! branch and bound ([`super::tree`]) over the node's [`View`].

use super::assignment::Arc;
use super::knapsack::{Item, Knapsack};
use super::restriction::{SiteItems, View};
use crate::model::relaxation::{Site, Structure};
use crate::solve::lagrangian::knapsack::cover;
use crate::solve::lagrangian::{Fixed, deflection};
use std::cell::RefCell;
use std::time::Instant;

/// The root's ascent: from far-off start prices, so a large first step and many rounds.
const ROOT_STEPS: Steps = Steps {
    theta: 2.0,
    stale_rounds: 30,
    max_rounds: 3_000,
    min_theta: 1e-5,
    deflection: DEFLECTION,
};
/// How much of the last direction a step keeps where the new subgradient turns back against it
/// (Camerini, Fratta & Maffioli's modified rule, with their 1.5): the steps zigzag less, and on
/// the Yang set the nodes' bounds rose enough to prove 19 instances in 60 s where 16 were.
pub(super) const DEFLECTION: f64 = 1.5;
/// A forced bound must exceed the plan's cost by this share to drop an arc (rounding noise).
const FIX_MARGIN: f64 = 1e-9;

/// What the relaxation established against a plan of cost `ub`.
pub(super) struct Relaxed {
    /// Its best lower bound.
    pub bound: f64,
    /// Arcs (site, index) that carry nothing in every plan cheaper than `ub`.
    pub dropped: Vec<Arc>,
    /// The prices of the best bound.
    pub prices: Vec<f64>,
}

/// The relaxation at some prices.
pub(super) struct Evaluation {
    /// L(μ).
    pub value: f64,
    /// 1 less the arcs each priced hospital takes (0 for the others).
    pub grad: Vec<f64>,
    /// Each site's term (+inf where closed or unable to take its forced arcs).
    pub terms: Vec<f64>,
    /// Each site's knapsack: the arcs it takes (forced ones included).
    pub takes: Vec<Vec<usize>>,
    /// The sites the covering knapsack opens.
    pub open: Vec<bool>,
    /// The covering knapsack's value.
    pub cover: f64,
}

/// Site `s`'s best term at prices `mu` (its cost less the knapsack's value, over its options
/// and platform counts) with the view's forced arcs and `extra` taken; and the arcs it takes.
pub(super) fn site_term(
    view: &View<'_>,
    s: usize,
    mu: &[f64],
    extra: Option<usize>,
) -> (f64, Vec<usize>) {
    site_term_without(view, s, mu, extra, None)
}

/// [`site_term`] with the arc `without` (if any) left out of the knapsack.
pub(super) fn site_term_without(
    view: &View<'_>,
    s: usize,
    mu: &[f64],
    extra: Option<usize>,
    without: Option<usize>,
) -> (f64, Vec<usize>) {
    let site = &view.structure.sites[s];
    let prepared = view.site_items(s);
    let mut must = view.forced[s].clone();
    must.extend(extra);
    let left_out = |i: usize| Some(i) == extra || Some(i) == without;
    // the weights' sum without the arcs left out, in the same order as `total`
    let total = if extra.is_some() || without.is_some() {
        let kept = prepared.arcs.iter().zip(&prepared.weights);
        kept.filter(|(i, _)| !left_out(**i)).map(|(_, w)| w).sum()
    } else {
        prepared.total
    };
    let mut best = (f64::INFINITY, Vec::new());
    SCRATCH.with_borrow_mut(|scratch| {
        for (o, costs) in site.options.iter().zip(&prepared.costs) {
            // forced arcs: their hospitals are not priced (but `extra`'s is)
            let (fv, fw) = must.iter().fold((0.0, 0.0), |(v, w), &i| {
                let a = &site.arcs[i];
                let b = view.load[a.hospital] / site.keep;
                let iv = mu[a.hospital] - (a.cost + o.per_batch) * b;
                let iv = if view.free[a.hospital] {
                    iv
                } else {
                    iv - mu[a.hospital]
                };
                (v + iv, w + b)
            });
            scratch.positive(prepared, costs, mu, &left_out);
            // no platform is a term too: an existing site open without making anything
            for n in 0..=o.max_platforms {
                let room = f64::from(n) * o.batches_per_platform - fw;
                if room < -FIX_MARGIN * fw.max(1.0) {
                    continue;
                }
                let value = scratch.pack(room);
                let term = o.fixed + o.per_platform * f64::from(n) - value - fv;
                if term < best.0 {
                    best = (
                        term,
                        must.iter()
                            .copied()
                            .chain(scratch.taken(prepared))
                            .collect(),
                    );
                }
                if total <= room {
                    break; // more platforms take nothing more
                }
            }
        }
    });
    best
}

thread_local! {
    /// Each thread's knapsack buffers.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A site's knapsack items at some prices (the arcs of positive value), kept between calls.
#[derive(Default)]
struct Scratch {
    items: Vec<Item>,
    /// Each item's place among the site's usable arcs.
    place: Vec<usize>,
    knapsack: Knapsack,
    /// Whether the last packing took anything (an empty room takes nothing).
    packed: bool,
}

impl Scratch {
    /// The usable arcs of positive value at prices `mu` (an arc's price less its `costs`
    /// entry), but those `left_out`.
    fn positive(
        &mut self,
        prepared: &SiteItems,
        costs: &[f64],
        mu: &[f64],
        left_out: &dyn Fn(usize) -> bool,
    ) {
        self.items.clear();
        self.place.clear();
        for (k, &i) in prepared.arcs.iter().enumerate() {
            let v = mu[prepared.hospitals[k]] - costs[k];
            if v > 0.0 && !left_out(i) {
                self.items.push((v, prepared.weights[k]));
                self.place.push(k);
            }
        }
    }

    /// The most value of the items within `room`: every item weighs something, so no room
    /// takes nothing (and needs no search).
    fn pack(&mut self, room: f64) -> f64 {
        self.packed = room > 0.0;
        if self.packed {
            self.knapsack.pack(&self.items, room).0
        } else {
            0.0
        }
    }

    /// The arcs the last packing took, in order.
    fn taken<'a>(&'a self, prepared: &'a SiteItems) -> impl Iterator<Item = usize> + 'a {
        let taken = if self.packed {
            &self.knapsack.taken[..]
        } else {
            &[]
        };
        taken.iter().map(|&k| prepared.arcs[self.place[k]])
    }
}

/// L(μ) over `view`: the priced hospitals' prices, each site's term, and the covering knapsack
/// over the sites (the capacity for every patient, which makes the bound stronger than the
/// sites' terms alone; Holmberg, Rönnqvist and Yuan add the same row).
pub(super) fn evaluate(view: &View<'_>, mu: &[f64]) -> Evaluation {
    let n = view.structure.sites.len();
    let prices: f64 = (0..mu.len()).filter(|&h| view.free[h]).map(|h| mu[h]).sum();
    let mut grad: Vec<f64> = view
        .free
        .iter()
        .map(|&f| if f { 1.0 } else { 0.0 })
        .collect();
    let (mut terms, mut takes) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for s in 0..n {
        let (term, take) = if view.sites[s] == Some(Fixed::Closed) {
            (f64::INFINITY, Vec::new())
        } else {
            site_term(view, s, mu, None)
        };
        terms.push(term);
        takes.push(take);
    }
    let (cover, open) = covering(view, &terms, None);
    for (s, site) in view.structure.sites.iter().enumerate() {
        if open[s] {
            for &i in &takes[s] {
                let h = site.arcs[i].hospital;
                if view.free[h] {
                    grad[h] -= 1.0;
                }
            }
        }
    }
    Evaluation {
        value: prices + cover,
        grad,
        terms,
        takes,
        open,
        cover,
    }
}

/// The cheapest sites to open at their `terms` with the capacity for every patient, as the
/// view fixes them and with `flip` (a site and how) fixed too; its value and the sites.
pub(super) fn covering(
    view: &View<'_>,
    terms: &[f64],
    flip: Option<(usize, Fixed)>,
) -> (f64, Vec<bool>) {
    let structure = view.structure;
    let items: Vec<(f64, f64)> = structure
        .sites
        .iter()
        .zip(terms)
        .map(|(site, &t)| (t, capacity(site)))
        .collect();
    let mut fixed = view.sites.clone();
    for (s, f) in fixed.iter_mut().enumerate() {
        if f.is_none() && terms[s] == f64::INFINITY {
            *f = Some(Fixed::Closed);
        }
    }
    if let Some((s, f)) = flip {
        fixed[s] = Some(f);
    }
    cover(&items, &fixed, Some(view.load.iter().sum()))
}

/// The most patients a site can treat a year.
fn capacity(site: &Site) -> f64 {
    let most = site
        .options
        .iter()
        .map(|o| o.batches_per_platform * f64::from(o.max_platforms));
    site.keep * most.fold(0.0, f64::max)
}

/// The relaxation's bound by subgradient steps towards `ub` until `deadline`, and the arcs its
/// best prices drop against `ub`.
pub(super) fn relax(
    structure: &Structure,
    load: &[f64],
    ub: f64,
    deadline: Option<Instant>,
) -> Relaxed {
    let late = || deadline.is_some_and(|d| Instant::now() >= d);
    let view = View::root(structure, load);
    let mu = start_prices(structure, load);
    let aim = Aim {
        target: ub,
        least: FIX_MARGIN * ub.abs(),
        cutoff: ub - FIX_MARGIN * ub.abs(),
        deadline,
    };
    let Some(a) = ascend(&view, mu.clone(), &ROOT_STEPS, &aim, &mut |_| {}) else {
        return Relaxed {
            bound: f64::NEG_INFINITY,
            dropped: Vec::new(),
            prices: mu,
        };
    };
    let dropped = if late() {
        Vec::new()
    } else {
        dropped_arcs(&view, &a.prices, &a.best.terms, ub, deadline)
    };
    Relaxed {
        bound: a.best.value,
        dropped,
        prices: a.prices,
    }
}

/// How a subgradient ascent steps: its first step factor, the rounds without a better bound
/// before the factor halves, the most rounds, the factor below which the prices count as
/// settled, and the deflection of each step by the last (0: along the subgradient).
pub(super) struct Steps {
    pub theta: f64,
    pub stale_rounds: usize,
    pub max_rounds: usize,
    pub min_theta: f64,
    pub deflection: f64,
}

/// Where an ascent heads: steps sized towards `target` (by at least `least`), ending once the
/// best bound reaches `cutoff`, or at `deadline`.
pub(super) struct Aim {
    pub target: f64,
    pub least: f64,
    pub cutoff: f64,
    pub deadline: Option<Instant>,
}

/// What an ascent found: the relaxation at its best prices, those prices, and its rounds.
pub(super) struct Ascent {
    pub best: Evaluation,
    pub prices: Vec<f64>,
    pub rounds: usize,
}

/// Deflected subgradient steps on the relaxation over `view` from prices `mu` (Polyak steps
/// towards the aim's target); `on_round` sees every round's relaxation. `None` if no round
/// ran. It ends early when the relaxation's solution is a plan (no subgradient) or the bound
/// reaches the cutoff.
pub(super) fn ascend(
    view: &View<'_>,
    mut mu: Vec<f64>,
    steps: &Steps,
    aim: &Aim,
    on_round: &mut dyn FnMut(&Evaluation),
) -> Option<Ascent> {
    let (mut best, mut best_mu): (Option<Evaluation>, Vec<f64>) = (None, mu.clone());
    let (mut theta, mut stale, mut rounds) = (steps.theta, 0, 0usize);
    let mut direction = vec![0.0; mu.len()];
    while rounds < steps.max_rounds && theta >= steps.min_theta {
        if aim.deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let ev = evaluate(view, &mu);
        rounds += 1;
        on_round(&ev);
        let norm: f64 = ev.grad.iter().map(|g| g * g).sum();
        direction = deflected(&ev.grad, direction, steps.deflection);
        let length: f64 = direction.iter().map(|d| d * d).sum();
        let step = theta * (aim.target - ev.value).max(aim.least) / length;
        let next: Vec<f64> = mu
            .iter()
            .zip(&direction)
            .map(|(m, d)| m + step * d)
            .collect();
        if best.as_ref().is_none_or(|b| ev.value > b.value) {
            (best_mu, best, stale) = (mu, Some(ev), 0);
        } else {
            stale += 1;
            if stale >= steps.stale_rounds {
                (theta, stale) = (theta / 2.0, 0);
            }
        }
        let top = best.as_ref().map_or(f64::NEG_INFINITY, |b| b.value);
        if norm == 0.0 || top >= aim.cutoff || !top.is_finite() {
            break;
        }
        mu = next;
    }
    Some(Ascent {
        best: best?,
        prices: best_mu,
        rounds,
    })
}

/// The subgradient `grad` plus `gamma` times the part of the last direction it turns back
/// against (Camerini, Fratta & Maffioli): none where they do not oppose.
fn deflected(grad: &[f64], mut last: Vec<f64>, gamma: f64) -> Vec<f64> {
    let beta = deflection(grad, &last, gamma);
    last.iter_mut()
        .zip(grad)
        .for_each(|(d, g)| *d = g + beta * *d);
    last
}

/// Each hospital's price at its cheapest arc.
fn start_prices(structure: &Structure, load: &[f64]) -> Vec<f64> {
    let mut mu = vec![f64::INFINITY; structure.hospitals];
    for site in &structure.sites {
        let per = site
            .options
            .iter()
            .map(|o| o.per_batch)
            .fold(f64::INFINITY, f64::min);
        for a in &site.arcs {
            let c = (a.cost + per) * load[a.hospital] / site.keep;
            mu[a.hospital] = mu[a.hospital].min(c);
        }
    }
    mu.iter()
        .map(|&m| if m.is_finite() { m } else { 0.0 })
        .collect()
}

/// The usable arcs whose bound with the arc forced exceeds `ub`: per site, the bound with it
/// open, its own term then replaced by the term with the arc taken.
pub(super) fn dropped_arcs(
    view: &View<'_>,
    mu: &[f64],
    terms: &[f64],
    ub: f64,
    deadline: Option<Instant>,
) -> Vec<Arc> {
    let limit = ub + FIX_MARGIN * ub.abs().max(1.0);
    let prices: f64 = (0..mu.len()).filter(|&h| view.free[h]).map(|h| mu[h]).sum();
    let mut dropped = Vec::new();
    for (s, site) in view.structure.sites.iter().enumerate() {
        if terms[s] == f64::INFINITY {
            continue;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break; // the arcs dropped so far are dropped rightly
        }
        let open = prices + covering(view, terms, Some((s, Fixed::Open))).0;
        for i in 0..site.arcs.len() {
            if !view.usable[s][i] {
                continue;
            }
            let (forced, _) = site_term(view, s, mu, Some(i));
            if open - terms[s] + forced > limit {
                dropped.push((s, i));
            }
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::single_source::repair::tests::two_sites;

    /// The instance of `two_sites` (optimum 218: A at F1, B at F2). At the start prices (each
    /// hospital's cheapest arc, 6 and 6) both sites must open (12 patients, 10 each): 212. A at
    /// F2 costs 60: its forced bound is at least 212 - 100 + (100 + 60 - 6) = 266 > 218.
    #[test]
    fn the_bound_holds_and_drops_the_arc_no_cheaper_plan_uses() {
        let structure = two_sites();
        let load = [6.0, 6.0];
        let relaxed = relax(&structure, &load, 218.0, None);
        assert!(relaxed.bound >= 212.0 - 1e-9, "{}", relaxed.bound);
        assert!(relaxed.bound <= 218.0 + 1e-9, "{}", relaxed.bound);
        assert!(relaxed.dropped.contains(&(1, 0)), "{:?}", relaxed.dropped);
        assert!(!relaxed.dropped.contains(&(0, 0)) && !relaxed.dropped.contains(&(1, 1)));
    }

    /// A subgradient that turns back against the last direction keeps gamma times the opposed
    /// share of it; one that does not is taken as it is.
    #[test]
    fn a_step_keeps_part_of_the_direction_it_turns_back_against() {
        // g·d = -1, |d|² = 2: beta = 1.5 / 2
        let d = deflected(&[1.0, 0.0], vec![-1.0, 1.0], 1.5);
        assert!(
            (d[0] - 0.25).abs() < 1e-12 && (d[1] - 0.75).abs() < 1e-12,
            "{d:?}"
        );
        assert_eq!(deflected(&[1.0, 0.0], vec![1.0, 1.0], 1.5), vec![1.0, 0.0]);
        assert_eq!(
            deflected(&[1.0, -1.0], vec![0.0, 0.0], 1.5),
            vec![1.0, -1.0]
        );
        assert_eq!(deflected(&[1.0, 0.0], vec![-1.0, 1.0], 0.0), vec![1.0, 0.0]);
    }
}
