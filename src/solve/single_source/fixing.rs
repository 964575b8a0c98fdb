//! Lagrangian fixing of arcs at a node of the branch and bound: with the node's best prices,
//! an arc whose forcing raises the node's bound past the limit carries nothing in every
//! cheaper plan of the node's subtree (it is banned there), and an arc whose banning does so
//! carries its hospital in every such plan (the hospital is put on it). A hospital left with
//! one arc is put on it; one left with none (or put on two) shows the node holds no cheaper
//! plan.

use super::assignment::Arc;
use super::lagrange::{Evaluation, covering, site_term, site_term_without};
use super::restriction::{Restriction, View};
use crate::solve::lagrangian::Fixed;
use std::time::Instant;

/// A room this far below zero (a share of the weight) still fits (rounding noise), as in the
/// exact term.
const FIT_NOISE: f64 = 1e-9;

/// What the fixing established for a node's subtree.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Fixings {
    /// Arcs no plan cheaper than the limit uses.
    pub banned: Vec<Arc>,
    /// Hospitals on one arc in every plan cheaper than the limit.
    pub assigned: Vec<(usize, Arc)>,
}

/// The arcs of `view` that the relaxation at prices `mu` (its solution `ev`) bans or forces
/// against `limit`: a plan using a banned arc, or a forced hospital elsewhere, costs more than
/// `limit`. An LP bound settles most arcs; at most `knapsacks` of the others, those whose LP
/// bound comes nearest the limit first, get a knapsack of their own. Stops at `deadline` with
/// what it found so far (all of it valid).
pub(super) fn fix_arcs(
    view: &View<'_>,
    mu: &[f64],
    ev: &Evaluation,
    limit: f64,
    knapsacks: usize,
    deadline: Option<Instant>,
) -> Fixings {
    let prices: f64 = (0..mu.len()).filter(|&h| view.free[h]).map(|h| mu[h]).sum();
    let mut found = Fixings::default();
    // (LP bound, site, arc, whether taken, the bound with the site open less its term)
    let mut unsettled: Vec<(f64, usize, usize, bool, f64)> = Vec::new();
    for (s, site) in view.structure.sites.iter().enumerate() {
        if ev.terms[s] == f64::INFINITY || deadline.is_some_and(|d| Instant::now() >= d) {
            continue;
        }
        // the bound with s open, less its own term; and with s closed
        let open = prices + covering(view, &ev.terms, Some((s, Fixed::Open))).0 - ev.terms[s];
        let shut = match view.sites[s] {
            Some(Fixed::Open) => f64::INFINITY,
            _ => prices + covering(view, &ev.terms, Some((s, Fixed::Closed))).0,
        };
        let mut taken = vec![false; site.arcs.len()];
        ev.takes[s].iter().for_each(|&i| taken[i] = true);
        let (forced, without) = terms_below(view, s, mu, &taken);
        for i in (0..site.arcs.len()).filter(|&i| view.usable[s][i]) {
            let cheap = open + if taken[i] { without[i] } else { forced[i] };
            if taken[i] && shut <= limit {
                continue; // closing the site leaves room for a cheaper plan without the arc
            }
            if cheap > limit {
                settle(&mut found, view, s, i, taken[i]);
            } else {
                unsettled.push((cheap, s, i, taken[i], open));
            }
        }
    }
    unsettled.sort_by(|x, y| y.0.total_cmp(&x.0));
    for &(_, s, i, taken, open) in unsettled.iter().take(knapsacks) {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let term = if taken {
            site_term_without(view, s, mu, None, Some(i)).0
        } else {
            site_term(view, s, mu, Some(i)).0
        };
        if open + term > limit {
            settle(&mut found, view, s, i, taken);
        }
    }
    found
}

/// Records arc `i` of site `s` as banned (not `taken`) or its hospital as put on it.
fn settle(found: &mut Fixings, view: &View<'_>, s: usize, i: usize, taken: bool) {
    if taken {
        let h = view.structure.sites[s].arcs[i].hospital;
        found.assigned.push((h, (s, i)));
    } else {
        found.banned.push((s, i));
    }
}

/// Per arc of site `s`, lower bounds on the site's term with the arc forced (for the arcs not
/// `taken`) and with it left out (for the `taken` ones); +inf for the others. For each option
/// and platform count: the knapsack with an arc forced is worth at most the arc's value plus
/// the LP bound of the room left, at most the LP bound of the whole room less the critical
/// ratio times the arc's weight (the LP bound is concave in the room); without an arc, at most
/// the LP bound of the other items. A sort per option instead of a knapsack per arc.
fn terms_below(view: &View<'_>, s: usize, mu: &[f64], taken: &[bool]) -> (Vec<f64>, Vec<f64>) {
    let site = &view.structure.sites[s];
    let load = view.load;
    let mut forced = vec![f64::INFINITY; site.arcs.len()];
    let mut without = forced.clone();
    let usable: Vec<usize> = (0..site.arcs.len())
        .filter(|&i| view.usable[s][i])
        .collect();
    for o in &site.options {
        let value_of = |i: usize| {
            let a = &site.arcs[i];
            let b = load[a.hospital] / site.keep;
            (mu[a.hospital] - (a.cost + o.per_batch) * b, b)
        };
        let (fv, fw) = view.forced[s].iter().fold((0.0, 0.0), |(v, w), &i| {
            let (iv, iw) = value_of(i);
            let h = site.arcs[i].hospital;
            let iv = if view.free[h] { iv } else { iv - mu[h] };
            (v + iv, w + iw)
        });
        // (value, weight, arc), the positive ones by value per weight, best first
        let mut good: Vec<(f64, f64, usize)> = usable
            .iter()
            .map(|&i| (value_of(i), i))
            .filter(|x| x.0.0 > 0.0)
            .map(|((v, w), i)| (v, w, i))
            .collect();
        good.sort_by(|x, y| (y.0 / y.1).total_cmp(&(x.0 / x.1)));
        let total: f64 = usable.iter().map(|&i| value_of(i).1).sum();
        for n in 0..=o.max_platforms {
            let room = f64::from(n) * o.batches_per_platform - fw;
            let (lp, ratio) = lp_and_ratio(&good, room.max(0.0), None);
            let base = o.fixed + o.per_platform * f64::from(n) - fv;
            for &i in &usable {
                let (v, w) = value_of(i);
                if taken[i] {
                    let rest = lp_and_ratio(&good, room.max(0.0), Some(i)).0;
                    without[i] = without[i].min(base - rest);
                } else if room - w >= -FIT_NOISE * (fw + w).max(1.0) {
                    let rest = (lp - ratio * w).max(0.0);
                    forced[i] = forced[i].min(base - v - rest);
                }
            }
            if total <= room {
                break; // the exact terms stop here or sooner: more platforms take no more
            }
        }
    }
    (forced, without)
}

/// The LP bound of `items` (value, weight, arc; sorted by value per weight, best first) but
/// arc `skip` within `room`, and the value per weight of the first item that does not fit
/// whole (0 if all fit): the bound's slope just past `room`, so the bound with `w` less room
/// is at most `lp - ratio * w`.
fn lp_and_ratio(items: &[(f64, f64, usize)], mut room: f64, skip: Option<usize>) -> (f64, f64) {
    let mut value = 0.0;
    for &(v, w, i) in items {
        if Some(i) == skip {
            continue;
        }
        if w <= room {
            value += v;
            room -= w;
        } else {
            return (value + v * room / w, v / w);
        }
    }
    (value, 0.0)
}

/// Applies `found` to `r` (the restriction of the node whose `view` it was computed over),
/// and puts each priced hospital left with one arc on it. False if some hospital is left with
/// no arc or put on two: no plan cheaper than the limit is in the node.
pub(super) fn apply(view: &View<'_>, found: &Fixings, r: &mut Restriction) -> bool {
    let structure = view.structure;
    let shut: Vec<bool> = r.sites.iter().map(|&f| f == Some(Fixed::Closed)).collect();
    let closed = |s: usize| shut[s];
    let mut usable = view.usable.clone();
    found.banned.iter().for_each(|&(s, i)| usable[s][i] = false);
    r.banned.extend(&found.banned);
    for &(h, arc) in &found.assigned {
        match r.assigned[h] {
            _ if closed(arc.0) => return false,
            Some(other) if other != arc => return false,
            _ => r.assigned[h] = Some(arc),
        }
    }
    let mut left: Vec<Vec<Arc>> = vec![Vec::new(); structure.hospitals];
    for (s, site) in structure.sites.iter().enumerate() {
        for (i, a) in site.arcs.iter().enumerate() {
            if usable[s][i] && !closed(s) {
                left[a.hospital].push((s, i));
            }
        }
    }
    for h in (0..structure.hospitals).filter(|&h| view.free[h]) {
        if r.assigned[h].is_some() {
            continue;
        }
        match left[h][..] {
            [] => return false,
            [only] => r.assigned[h] = Some(only),
            _ => {}
        }
    }
    true
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::relaxation::{Site, Structure};
    use crate::solve::single_source::assignment::Assignment;
    use crate::solve::single_source::knapsack::tests::uniform;
    use crate::solve::single_source::lagrange::evaluate;
    use crate::solve::single_source::repair::tests::site;

    /// A small random instance (some sites with two platforms, some arcs missing), its loads,
    /// and prices near each hospital's cheapest arc.
    fn instance(next: &mut impl FnMut() -> f64) -> (Structure, Vec<f64>, Vec<f64>) {
        let (m, n) = (2 + (next() * 3.0) as usize, 3 + (next() * 3.0) as usize);
        let sites = (0..m)
            .map(|s| {
                let costs: Vec<Option<f64>> = (0..n)
                    .map(|_| (next() < 0.85).then(|| next() * 9.3))
                    .collect();
                let mut site = site(s, 4.0 + next() * 12.0, &costs);
                if next() < 0.5 {
                    let o = &mut site.options[0];
                    (o.max_platforms, o.per_platform) = (2, next() * 30.0);
                    o.batches_per_platform /= 2.0;
                }
                site
            })
            .collect();
        let (structure, load) = with_loads(sites, n, next);
        let mu = (0..n).map(|_| 5.0 + next() * 60.0).collect();
        (structure, load, mu)
    }

    /// The structure of `sites` over `n` hospitals, and a random whole load of 1-5 at each.
    pub(in crate::solve::single_source) fn with_loads(
        sites: Vec<Site>,
        n: usize,
        next: &mut impl FnMut() -> f64,
    ) -> (Structure, Vec<f64>) {
        let structure = Structure {
            hospitals: n,
            groups: Vec::new(),
            sites,
            full_coverage: true,
        };
        let load = (0..n).map(|_| 1.0 + (next() * 5.0).floor()).collect();
        (structure, load)
    }

    /// Every complete assignment within the capacities.
    pub(in crate::solve::single_source) fn plans<'a>(
        structure: &'a Structure,
        load: &'a [f64],
    ) -> Vec<Assignment<'a>> {
        let (m, n) = (structure.sites.len(), structure.hospitals);
        let mut all = Vec::new();
        for code in 0..m.pow(n as u32) {
            let mut a = Assignment::new(structure, load);
            let mut c = code;
            for h in 0..n {
                a.set(h, a.arcs_of[h].iter().copied().find(|x| x.0 == c % m));
                c /= m;
            }
            if a.complete() && a.cost().is_finite() {
                all.push(a);
            }
        }
        all
    }

    /// The LP screens are lower bounds on the exact terms they stand in for.
    #[test]
    fn the_cheap_bounds_stay_below_the_knapsacks() {
        let mut next = uniform(7);
        let mut checked = 0;
        for _ in 0..200 {
            let (structure, load, mu) = instance(&mut next);
            let view = View::root(&structure, &load);
            let ev = evaluate(&view, &mu);
            for s in 0..structure.sites.len() {
                let mut taken = vec![false; structure.sites[s].arcs.len()];
                ev.takes[s].iter().for_each(|&i| taken[i] = true);
                let (forced, without) = terms_below(&view, s, &mu, &taken);
                for (i, &t) in taken.iter().enumerate() {
                    let (cheap, exact) = if t {
                        (
                            without[i],
                            site_term_without(&view, s, &mu, None, Some(i)).0,
                        )
                    } else {
                        (forced[i], site_term(&view, s, &mu, Some(i)).0)
                    };
                    assert!(cheap <= exact + 1e-9, "site {s} arc {i}: {cheap} > {exact}");
                    checked += usize::from(exact.is_finite());
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// Against every assignment: none costing at most the limit uses a banned arc or puts a
    /// forced hospital elsewhere; and the rules fix something often enough to be tested.
    #[test]
    fn no_plan_within_the_limit_uses_a_banned_arc_or_moves_a_forced_hospital() {
        let mut next = uniform(31);
        let (mut banned, mut assigned) = (0, 0);
        for _ in 0..300 {
            let (structure, load, mu) = instance(&mut next);
            let all = plans(&structure, &load);
            let Some(optimum) = all.iter().map(Assignment::cost).min_by(f64::total_cmp) else {
                continue;
            };
            let limit = optimum + next() * 40.0;
            let view = View::root(&structure, &load);
            let found = fix_arcs(&view, &mu, &evaluate(&view, &mu), limit, usize::MAX, None);
            for a in all.iter().filter(|a| a.cost() <= limit) {
                for arc in &found.banned {
                    assert!(!a.chosen.contains(&Some(*arc)), "{arc:?} in {a:?}");
                }
                for &(h, arc) in &found.assigned {
                    assert_eq!(a.chosen[h], Some(arc), "{a:?}");
                }
            }
            (banned, assigned) = (banned + found.banned.len(), assigned + found.assigned.len());
        }
        assert!(
            banned > 50 && assigned > 20,
            "{banned} banned, {assigned} assigned"
        );
    }

    /// A hospital left with one arc goes on it; one left with none shows the node empty.
    #[test]
    fn a_hospital_left_with_one_arc_goes_on_it() {
        let structure = crate::solve::single_source::repair::tests::two_sites();
        let load = [6.0, 6.0];
        let view = View::root(&structure, &load);
        let mut r = Restriction::none(&structure);
        let one = Fixings {
            banned: vec![(1, 0)],
            assigned: Vec::new(),
        };
        assert!(apply(&view, &one, &mut r));
        assert_eq!(r.assigned, vec![Some((0, 0)), None]);
        let mut r = Restriction::none(&structure);
        let none = Fixings {
            banned: vec![(0, 0), (1, 0)],
            assigned: Vec::new(),
        };
        assert!(!apply(&view, &none, &mut r));
    }
}
