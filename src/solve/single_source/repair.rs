//! A single-source plan from a multi-source one: each split hospital moved whole to the site
//! where it costs least (opening a site or adding a platform where that is cheapest), then a
//! local search (shift a hospital, swap two, close a site, a chain of two shifts, open a site)
//! until no move pays or time is up.

use super::assignment::{Arc, Assignment};
use std::collections::HashMap;
use std::time::Instant;

/// A move must save more than this share of the plan's cost (rounding noise below).
const SAVING: f64 = 1e-9;

/// Assigns each hospital of `open` (not yet assigned), largest first, where it adds the least
/// cost; false if one fits nowhere.
pub(super) fn repair(a: &mut Assignment<'_>, mut open: Vec<usize>) -> bool {
    open.sort_by(|&x, &y| a.load[y].total_cmp(&a.load[x]).then(x.cmp(&y)));
    for h in open {
        let Some(to) = best_move(a, h) else {
            return false;
        };
        a.set(h, Some(to.0));
    }
    a.complete()
}

/// The arc of hospital `h` with the least change of cost, and that change.
fn best_move(a: &Assignment<'_>, h: usize) -> Option<((usize, usize), f64)> {
    a.arcs_of[h]
        .iter()
        .filter(|&&to| a.chosen[h] != Some(to))
        .filter_map(|&to| a.move_change(h, to).map(|c| (to, c)))
        .min_by(|x, y| x.1.total_cmp(&y.1))
}

/// Local search from a complete assignment until no move saves or `deadline` passes.
pub(super) fn improve(a: &mut Assignment<'_>, deadline: Option<Instant>) {
    let arc_at: HashMap<(usize, usize), usize> = a
        .arcs_of
        .iter()
        .enumerate()
        .flat_map(|(h, arcs)| arcs.iter().map(move |&(s, i)| ((h, s), i)))
        .collect();
    let late = || deadline.is_some_and(|d| Instant::now() >= d);
    while !late() {
        let shifted = shift(a);
        let swapped = !late() && swap(a, &arc_at, &late);
        let closed = !late() && close(a);
        let chained = !(late() || shifted || swapped || closed) && chain(a, &late);
        let opened = !(late() || shifted || swapped || closed || chained) && open(a, &late);
        if !(shifted || swapped || closed || chained || opened) {
            break;
        }
    }
}

/// The least saving a move must make.
fn saving(a: &Assignment<'_>) -> f64 {
    SAVING * a.cost().abs().max(1.0)
}

/// Moves each hospital to its best arc where that saves; whether any moved.
fn shift(a: &mut Assignment<'_>) -> bool {
    let least = saving(a);
    let mut moved = false;
    for h in 0..a.chosen.len() {
        if a.chosen[h].is_none() {
            continue;
        }
        if let Some((to, change)) = best_move(a, h)
            && change < -least
        {
            a.set(h, Some(to));
            moved = true;
        }
    }
    moved
}

/// Per site, the hospitals on it.
fn members(a: &Assignment<'_>) -> Vec<Vec<usize>> {
    let mut members = vec![Vec::new(); a.batches.len()];
    for (h, c) in a.chosen.iter().enumerate() {
        if let Some((s, _)) = c {
            members[*s].push(h);
        }
    }
    members
}

/// Makes the first ejection chain that saves, if any: a hospital onto another open site, and one
/// of that site's hospitals onto a third open one, which makes the room the first needs (where
/// neither a shift nor a swap saves). Measured on Yang p7 (two threads, 60 s): the tree's plans
/// had stayed 3 to 11 above the optimum, so it settled too few nodes; with the chains it found
/// the optimum and proved it. Whether it made one.
fn chain(a: &mut Assignment<'_>, late: &dyn Fn() -> bool) -> bool {
    let least = saving(a);
    let members = members(a);
    for h1 in 0..a.chosen.len() {
        if late() {
            return false;
        }
        if let Some((to1, h2, to2)) = find_chain(a, h1, &members, least) {
            a.set(h1, Some(to1));
            a.set(h2, Some(to2));
            return true;
        }
    }
    false
}

/// The first chain from hospital `h1` that saves more than `least`: h1 onto an open site, and a
/// hospital of that site (by `members`) onto an open site other than the two; the arcs and h2.
fn find_chain(
    a: &Assignment<'_>,
    h1: usize,
    members: &[Vec<usize>],
    least: f64,
) -> Option<(Arc, usize, Arc)> {
    let from1 = a.chosen[h1]?;
    let s1 = from1.0;
    let open = |s: usize| a.batches[s] > 0.0;
    let leave = a.site_change(s1, -a.batches_of(h1, s1))?;
    for &to1 in a.arcs_of[h1].iter().filter(|t| t.0 != s1 && open(t.0)) {
        let s2 = to1.0;
        let first = a.arc_cost(h1, to1) - a.arc_cost(h1, from1) + leave;
        for &h2 in members[s2].iter().filter(|&&h2| h2 != h1) {
            let Some(from2) = a.chosen[h2].filter(|f| f.0 == s2) else {
                continue; // moved since the lists were made
            };
            let Some(middle) = a.site_change(s2, a.batches_of(h1, s2) - a.batches_of(h2, s2))
            else {
                continue;
            };
            let base = first + middle - a.arc_cost(h2, from2);
            let third = a.arcs_of[h2]
                .iter()
                .filter(|t| t.0 != s1 && t.0 != s2 && open(t.0));
            for &to2 in third {
                let enter = a.site_change(to2.0, a.batches_of(h2, to2.0));
                if enter.is_some_and(|e| base + a.arc_cost(h2, to2) + e < -least) {
                    return Some((to1, h2, to2));
                }
            }
        }
    }
    None
}

/// Swaps pairs of hospitals between their sites where that saves; whether any swapped.
fn swap(
    a: &mut Assignment<'_>,
    arc_at: &HashMap<(usize, usize), usize>,
    late: &dyn Fn() -> bool,
) -> bool {
    let least = saving(a);
    let members = members(a);
    let mut swapped = false;
    for h1 in 0..a.chosen.len() {
        if late() {
            break;
        }
        if let Some((h2, to1, to2)) = find_swap(a, h1, &members, arc_at, least) {
            a.set(h1, Some(to1));
            a.set(h2, Some(to2));
            swapped = true;
        }
    }
    swapped
}

/// A hospital to trade sites with `h1` that saves more than `least`: it and both new arcs.
fn find_swap(
    a: &Assignment<'_>,
    h1: usize,
    members: &[Vec<usize>],
    arc_at: &HashMap<(usize, usize), usize>,
    least: f64,
) -> Option<(usize, Arc, Arc)> {
    let from1 = a.chosen[h1]?;
    for &(s2, i2) in &a.arcs_of[h1] {
        if s2 == from1.0 {
            continue;
        }
        for &h2 in &members[s2] {
            let (Some(from2), Some(&i1)) = (a.chosen[h2], arc_at.get(&(h2, from1.0))) else {
                continue;
            };
            if from2.0 != s2 {
                continue; // moved since the lists were made
            }
            let (to1, to2) = ((s2, i2), (from1.0, i1));
            if swap_change(a, (h1, from1, to1), (h2, from2, to2)).is_some_and(|c| c < -least) {
                return Some((h2, to1, to2));
            }
        }
    }
    None
}

/// A hospital's move: (hospital, from arc, to arc).
type Move = (usize, Arc, Arc);

/// The change of cost when `m1`'s hospital and `m2`'s trade sites.
fn swap_change(a: &Assignment<'_>, m1: Move, m2: Move) -> Option<f64> {
    let (h1, from1, to1) = m1;
    let (h2, from2, to2) = m2;
    let (s1, s2) = (from1.0, from2.0);
    let d1 = a.batches_of(h2, s1) - a.batches_of(h1, s1);
    let d2 = a.batches_of(h1, s2) - a.batches_of(h2, s2);
    let arcs =
        a.arc_cost(h1, to1) + a.arc_cost(h2, to2) - a.arc_cost(h1, from1) - a.arc_cost(h2, from2);
    Some(arcs + a.site_change(s1, d1)? + a.site_change(s2, d2)?)
}

/// Closes each used site whose hospitals cost less elsewhere (each moved to its best other
/// site in turn); whether any closed.
fn close(a: &mut Assignment<'_>) -> bool {
    let mut closed = false;
    for s in 0..a.batches.len() {
        if a.batches[s] <= 0.0 || a.structure.sites[s].existing {
            continue;
        }
        let before = a.cost();
        let mut trial = a.clone();
        let members: Vec<usize> = (0..a.chosen.len())
            .filter(|&h| a.chosen[h].is_some_and(|c| c.0 == s))
            .collect();
        let moved = members.iter().all(|&h| {
            let best = trial.arcs_of[h]
                .iter()
                .filter(|to| to.0 != s)
                .filter_map(|&to| trial.move_change(h, to).map(|c| (to, c)))
                .min_by(|x, y| x.1.total_cmp(&y.1));
            best.map(|(to, _)| trial.set(h, Some(to))).is_some()
        });
        if moved && trial.cost() < before - saving(a) {
            *a = trial;
            closed = true;
        }
    }
    closed
}

/// Opens the first unused site where that saves: the hospitals that gain most from it moved
/// in while each move saves (the first pays the opening); whether one opened.
fn open(a: &mut Assignment<'_>, late: &dyn Fn() -> bool) -> bool {
    let least = saving(a);
    let mut arcs_into = vec![Vec::new(); a.batches.len()];
    for (h, arcs) in a.arcs_of.iter().enumerate() {
        for &(s, i) in arcs {
            if a.chosen[h].is_some() {
                arcs_into[s].push((h, i));
            }
        }
    }
    for (s, into) in arcs_into.iter_mut().enumerate() {
        if late() {
            break;
        }
        if a.batches[s] > 0.0 || a.structure.sites[s].existing {
            continue;
        }
        let gain = |a: &Assignment<'_>, (h, i): (usize, usize)| {
            a.chosen[h].map_or(0.0, |from| a.arc_cost(h, from) - a.arc_cost(h, (s, i)))
        };
        into.sort_by(|&x, &y| gain(a, y).total_cmp(&gain(a, x)));
        let mut trial = a.clone();
        for &(h, i) in into.iter() {
            let first = trial.batches[s] <= 0.0;
            if let Some(change) = trial.move_change(h, (s, i))
                && (first || change < 0.0)
            {
                trial.set(h, Some((s, i)));
            }
        }
        if trial.cost() < a.cost() - least {
            *a = trial;
            return true;
        }
    }
    false
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::relaxation::{CellArc, Site, SiteOption, Structure};

    /// A site of `capacity` batches on one platform, fixed cost 100, with an arc from each
    /// hospital at `costs[h]` per batch (`None`: no arc).
    pub(in crate::solve::single_source) fn site(
        s: usize,
        capacity: f64,
        costs: &[Option<f64>],
    ) -> Site {
        Site {
            existing: false,
            keep: 1.0,
            options: vec![SiteOption {
                open_col: 2 * s,
                platforms_col: 2 * s + 1,
                fixed: 100.0,
                per_platform: 0.0,
                per_batch: 0.0,
                batches_per_platform: capacity,
                max_platforms: 1,
            }],
            arcs: costs
                .iter()
                .enumerate()
                .filter_map(|(h, c)| {
                    c.map(|cost| CellArc {
                        hospital: h,
                        col: 100 + 10 * s + h,
                        cost,
                        upper: capacity,
                    })
                })
                .collect(),
        }
    }

    /// Two sites of capacity 10; hospitals A and B of 6 batches: A costs 1 a batch at F1 and 10
    /// at F2, B 1 at F1 and 2 at F2. One site cannot take both, so both open (200); A at F1 and
    /// B at F2 costs 200 + 6 + 12 = 218, the other way 200 + 60 + 6 = 266.
    pub(in crate::solve::single_source) fn two_sites() -> Structure {
        Structure {
            hospitals: 2,
            groups: Vec::new(),
            sites: vec![
                site(0, 10.0, &[Some(1.0), Some(1.0)]),
                site(1, 10.0, &[Some(10.0), Some(2.0)]),
            ],
            full_coverage: true,
        }
    }

    /// The arc of hospital `h` into site `s`.
    fn arc(a: &Assignment<'_>, h: usize, s: usize) -> (usize, usize) {
        *a.arcs_of[h].iter().find(|x| x.0 == s).unwrap()
    }

    #[test]
    fn a_split_hospital_goes_whole_to_the_site_with_room() {
        let structure = two_sites();
        let load = [6.0, 6.0];
        let mut a = Assignment::new(&structure, &load);
        a.set(0, Some(arc(&a, 0, 0)));
        // B was split between F1 (4) and F2 (2): F1 has room for 4 only, so F2
        assert!(repair(&mut a, vec![1]));
        assert_eq!(a.chosen[1].map(|c| c.0), Some(1));
        assert_eq!(a.cost(), 218.0);
    }

    #[test]
    fn repair_fails_where_a_hospital_fits_nowhere() {
        let structure = two_sites();
        let load = [6.0, 11.0];
        let mut a = Assignment::new(&structure, &load);
        assert!(!repair(&mut a, vec![0, 1]));
    }

    #[test]
    fn a_chain_moves_two_hospitals_where_no_shift_swap_or_closing_saves() {
        // sites A, B, C of 10 batches at no fixed cost; H0 (6 batches) on A wants B, full with
        // H1 (6), which can go to C (4 there already) for 3 more: 40 -> 19
        let mut sites = vec![
            site(0, 10.0, &[Some(5.0), Some(9.0), Some(9.0)]),
            site(1, 10.0, &[Some(1.0), Some(1.0), Some(9.0)]),
            site(2, 10.0, &[Some(9.0), Some(1.5), Some(1.0)]),
        ];
        sites.iter_mut().for_each(|s| s.options[0].fixed = 0.0);
        let structure = Structure {
            hospitals: 3,
            groups: Vec::new(),
            sites,
            full_coverage: true,
        };
        let load = [6.0, 6.0, 4.0];
        let mut a = Assignment::new(&structure, &load);
        for (h, s) in [(0, 0), (1, 1), (2, 2)] {
            a.set(h, Some(arc(&a, h, s)));
        }
        assert_eq!(a.cost(), 40.0);
        let mut b = a.clone();
        let arc_at: HashMap<(usize, usize), usize> = (0..3)
            .flat_map(|h| (0..3).map(move |s| ((h, s), h)))
            .collect();
        assert!(!shift(&mut b) && !swap(&mut b, &arc_at, &|| false) && !close(&mut b));
        assert!(chain(&mut a, &|| false));
        assert_eq!(
            (a.chosen[0], a.chosen[1]),
            (Some(arc(&a, 0, 1)), Some(arc(&a, 1, 2)))
        );
        improve(&mut a, None);
        assert_eq!(a.cost(), 19.0);
    }

    #[test]
    fn the_local_search_swaps_two_hospitals_no_shift_can_move() {
        let structure = two_sites();
        let load = [6.0, 6.0];
        let mut a = Assignment::new(&structure, &load);
        a.set(0, Some(arc(&a, 0, 1)));
        a.set(1, Some(arc(&a, 1, 0)));
        assert_eq!(a.cost(), 266.0);
        improve(&mut a, None);
        assert_eq!(a.cost(), 218.0);
    }

    /// F3 holds C and D (2 batches each, 1 a batch there, 3 at F1, where A leaves room for 4):
    /// moving either alone costs 4 more, moving both saves F3's 100 for 8 more.
    #[test]
    fn the_local_search_closes_a_site_whose_hospitals_fit_elsewhere() {
        let structure = Structure {
            hospitals: 3,
            groups: Vec::new(),
            sites: vec![
                site(0, 10.0, &[Some(1.0), Some(3.0), Some(3.0)]),
                site(1, 10.0, &[None, Some(1.0), Some(1.0)]),
            ],
            full_coverage: true,
        };
        let load = [6.0, 2.0, 2.0];
        let mut a = Assignment::new(&structure, &load);
        a.set(0, Some(arc(&a, 0, 0)));
        a.set(1, Some(arc(&a, 1, 1)));
        a.set(2, Some(arc(&a, 2, 1)));
        assert_eq!(a.cost(), 200.0 + 6.0 + 4.0);
        improve(&mut a, None);
        assert_eq!(a.cost(), 100.0 + 6.0 + 12.0);
        assert_eq!(a.batches, vec![10.0, 0.0]);
    }

    /// A, B and C (6 batches each) at F1 (10 a batch); A and B cost 1 a batch at F2 (fixed 100),
    /// C has no arc there, so F1 stays. Moving A or B alone costs 100 - 54 more; opening F2
    /// for both saves 108 - 100: 280 becomes 200 + 6 + 6 + 60 = 272.
    #[test]
    fn the_local_search_opens_a_site_only_several_hospitals_pay_for() {
        let structure = Structure {
            hospitals: 3,
            groups: Vec::new(),
            sites: vec![
                site(0, 20.0, &[Some(10.0), Some(10.0), Some(10.0)]),
                site(1, 20.0, &[Some(1.0), Some(1.0), None]),
            ],
            full_coverage: true,
        };
        let load = [6.0, 6.0, 6.0];
        let mut a = Assignment::new(&structure, &load);
        for h in 0..3 {
            a.set(h, Some(arc(&a, h, 0)));
        }
        assert_eq!(a.cost(), 280.0);
        improve(&mut a, None);
        assert_eq!(a.cost(), 272.0);
    }
}
