//! The Lagrangian relaxation of the assignment rows (each hospital with patients on exactly one
//! arc, priced μ_h): what is left is one 0-1 knapsack per site and platform count, the
//! hospitals whose price exceeds their cost there packed into its capacity ([`knapsack`]).
//! L(μ) = Σ_h μ_h + the cheapest set of sites, at their terms, with the capacity for every
//! patient (existing sites always in) bounds every single-source plan; subgradient steps
//! improve μ (Holmberg, Rönnqvist and Yuan, EJOR 113 (1999)). With a plan of cost UB, an arc whose forced bound exceeds UB carries
//! nothing in every cheaper plan, and is dropped.

use super::assignment::Arc;
use super::knapsack::{Item, best_value};
use crate::model::relaxation::{Site, Structure};
use crate::solve::lagrangian::Fixed;
use crate::solve::lagrangian::knapsack::cover;
use std::time::Instant;

/// The first step factor, the rounds without a better bound before it halves, and the factor
/// at which the prices count as settled.
const START_THETA: f64 = 2.0;
const STALE_ROUNDS: usize = 30;
const MIN_THETA: f64 = 1e-5;
/// At most this many rounds.
const MAX_ROUNDS: usize = 3_000;
/// A forced bound must exceed the plan's cost by this share to drop an arc (rounding noise).
const FIX_MARGIN: f64 = 1e-9;

/// What the relaxation established against a plan of cost `ub`.
pub(super) struct Relaxed {
    /// Its best lower bound.
    pub bound: f64,
    /// Arcs (site, index) that carry nothing in every plan cheaper than `ub`.
    pub dropped: Vec<Arc>,
}

/// A site's best term at prices `mu` (its cost less the knapsack's value, over its options and
/// platform counts), with `forced` (an arc index) taken; and the arcs it takes.
fn site_term(site: &Site, load: &[f64], mu: &[f64], forced: Option<usize>) -> (f64, Vec<usize>) {
    let mut best = (f64::INFINITY, Vec::new());
    for o in &site.options {
        let items: Vec<(usize, Item)> = site
            .arcs
            .iter()
            .enumerate()
            .filter(|(i, a)| load[a.hospital] > 0.0 && Some(*i) != forced)
            .map(|(i, a)| {
                let b = load[a.hospital] / site.keep;
                (i, (mu[a.hospital] - (a.cost + o.per_batch) * b, b))
            })
            .collect();
        let (fv, fw) = forced.map_or((0.0, 0.0), |i| {
            let a = &site.arcs[i];
            let b = load[a.hospital] / site.keep;
            (mu[a.hospital] - (a.cost + o.per_batch) * b, b)
        });
        let just: Vec<Item> = items.iter().map(|x| x.1).collect();
        // no platform is a term too: an existing site open without making anything
        for n in 0..=o.max_platforms {
            let room = f64::from(n) * o.batches_per_platform - fw;
            if room < 0.0 {
                continue;
            }
            let packed = best_value(&just, room);
            let term = o.fixed + o.per_platform * f64::from(n) - packed.value - fv;
            if term < best.0 {
                let take = (0..items.len()).filter(|&k| packed.take[k]);
                best = (term, take.map(|k| items[k].0).collect());
            }
            if just.iter().map(|it| it.1).sum::<f64>() <= room {
                break; // more platforms take nothing more
            }
        }
    }
    best
}

/// L(μ), its subgradient (1 less the arcs each hospital takes, for hospitals with patients),
/// and each site's term. The sites open must have the capacity for every patient (the data fix
/// them all): a covering knapsack over the sites ([`cover`]), which makes the bound stronger
/// than the sites' terms alone (Holmberg, Rönnqvist and Yuan add the same row).
fn evaluate(structure: &Structure, load: &[f64], mu: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let mut value: f64 = (0..mu.len())
        .filter(|&h| load[h] > 0.0)
        .map(|h| mu[h])
        .sum();
    let mut grad: Vec<f64> = load
        .iter()
        .map(|&l| if l > 0.0 { 1.0 } else { 0.0 })
        .collect();
    let mut terms = Vec::with_capacity(structure.sites.len());
    let mut takes = Vec::with_capacity(structure.sites.len());
    for site in &structure.sites {
        let (term, take) = site_term(site, load, mu, None);
        terms.push(term);
        takes.push(take);
    }
    let (sites_part, open) = covering(structure, load, &terms, None);
    value += sites_part;
    for (s, site) in structure.sites.iter().enumerate() {
        if open[s] {
            takes[s]
                .iter()
                .for_each(|&i| grad[site.arcs[i].hospital] -= 1.0);
        }
    }
    (value, grad, terms)
}

/// The cheapest sites to open at their `terms` with the capacity for every patient, with
/// `forced` open; its value and the sites.
fn covering(
    structure: &Structure,
    load: &[f64],
    terms: &[f64],
    forced: Option<usize>,
) -> (f64, Vec<bool>) {
    let items: Vec<(f64, f64)> = structure
        .sites
        .iter()
        .zip(terms)
        .map(|(site, &t)| (t, capacity(site)))
        .collect();
    let fixed: Vec<Option<Fixed>> = (0..structure.sites.len())
        .map(|s| (structure.sites[s].existing || forced == Some(s)).then_some(Fixed::Open))
        .collect();
    cover(&items, &fixed, Some(load.iter().sum()))
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
    let mut mu = start_prices(structure, load);
    let (mut best, mut best_mu, mut best_terms) = (f64::NEG_INFINITY, mu.clone(), Vec::new());
    let (mut theta, mut stale) = (START_THETA, 0);
    for _ in 0..MAX_ROUNDS {
        if late() || theta < MIN_THETA {
            break;
        }
        let (value, grad, terms) = evaluate(structure, load, &mu);
        if value > best {
            (best, best_terms, stale) = (value, terms, 0);
            best_mu.clone_from(&mu);
        } else {
            stale += 1;
            if stale >= STALE_ROUNDS {
                (theta, stale) = (theta / 2.0, 0);
            }
        }
        let norm: f64 = grad.iter().map(|g| g * g).sum();
        if norm == 0.0 || ub - best <= FIX_MARGIN * ub.abs() {
            break; // the relaxation's solution is a plan, or the bound reached it
        }
        let step = theta * (ub - value).max(FIX_MARGIN * ub.abs()) / norm;
        mu.iter_mut().zip(&grad).for_each(|(m, g)| *m += step * g);
    }
    let dropped = if best_terms.is_empty() || late() {
        Vec::new()
    } else {
        dropped_arcs(structure, load, &best_mu, &best_terms, ub)
    };
    Relaxed {
        bound: best,
        dropped,
    }
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

/// The arcs whose bound with the arc forced exceeds `ub`: per site, the bound with it open,
/// its own term then replaced by the term with the arc taken.
fn dropped_arcs(
    structure: &Structure,
    load: &[f64],
    mu: &[f64],
    terms: &[f64],
    ub: f64,
) -> Vec<Arc> {
    let limit = ub + FIX_MARGIN * ub.abs().max(1.0);
    let prices: f64 = (0..mu.len())
        .filter(|&h| load[h] > 0.0)
        .map(|h| mu[h])
        .sum();
    let mut dropped = Vec::new();
    for (s, site) in structure.sites.iter().enumerate() {
        let open = prices + covering(structure, load, terms, Some(s)).0;
        for (i, a) in site.arcs.iter().enumerate() {
            if load[a.hospital] <= 0.0 {
                continue;
            }
            let (forced, _) = site_term(site, load, mu, Some(i));
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
}
