//! The single-source plan as an assignment: with each hospital's patients fixed, a plan is one
//! site per hospital, and its cost is each used site's cheapest way to make its batches (an
//! operating model, its fixed cost, whole platforms, the batch cost) plus each hospital's arc
//! cost for its batches. This is the single-source model's own objective with the patient flows
//! held, so a cheaper assignment is a cheaper plan.

use crate::model::relaxation::{Site, Structure};

/// Batches within this of a whole number of platforms need no further platform.
const PLATFORM_TOLERANCE: f64 = 1e-9;

/// A site's cheapest way to make `batches`: its cost, the option (index in `site.options`)
/// and the platforms; `None` if no option has the capacity. An unused site costs nothing,
/// unless it is existing (open in every plan, under its cheapest option with no platform).
pub(super) fn site_cost(site: &Site, batches: f64) -> Option<(f64, usize, u32)> {
    if batches <= 0.0 && !site.existing {
        return Some((0.0, usize::MAX, 0));
    }
    site.options
        .iter()
        .enumerate()
        .filter_map(|(k, o)| {
            let need = (batches / o.batches_per_platform - PLATFORM_TOLERANCE).ceil();
            let n = need.max(0.0);
            (n <= o.max_platforms as f64).then(|| {
                let cost = o.fixed + o.per_platform * n + o.per_batch * batches.max(0.0);
                (cost, k, n as u32)
            })
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
}

/// A cell arc: (site, index in the site's `arcs`).
pub(super) type Arc = (usize, usize);

/// An assignment of hospitals to sites and what it costs.
#[derive(Debug, Clone)]
pub(super) struct Assignment<'a> {
    pub structure: &'a Structure,
    /// Patients a year at each hospital.
    pub load: &'a [f64],
    /// Each hospital's arcs: (site, index in the site's `arcs`).
    pub arcs_of: Vec<Vec<(usize, usize)>>,
    /// Each hospital's arc, if assigned.
    pub chosen: Vec<Option<(usize, usize)>>,
    /// Batches a year at each site.
    pub batches: Vec<f64>,
    /// Each site's cost for its batches (`site_cost`), arcs excluded.
    pub site_costs: Vec<f64>,
}

impl<'a> Assignment<'a> {
    /// Nothing assigned yet.
    pub fn new(structure: &'a Structure, load: &'a [f64]) -> Self {
        let mut arcs_of = vec![Vec::new(); structure.hospitals];
        for (s, site) in structure.sites.iter().enumerate() {
            for (i, a) in site.arcs.iter().enumerate() {
                arcs_of[a.hospital].push((s, i));
            }
        }
        let site_costs = structure
            .sites
            .iter()
            .map(|site| site_cost(site, 0.0).map_or(f64::INFINITY, |c| c.0))
            .collect();
        Assignment {
            structure,
            load,
            arcs_of,
            chosen: vec![None; structure.hospitals],
            batches: vec![0.0; structure.sites.len()],
            site_costs,
        }
    }

    /// The batches hospital `h` sends on arc (s, _).
    pub fn batches_of(&self, h: usize, s: usize) -> f64 {
        self.load[h] / self.structure.sites[s].keep
    }

    /// The arc cost of hospital `h` on arc (s, i).
    pub fn arc_cost(&self, h: usize, (s, i): (usize, usize)) -> f64 {
        self.structure.sites[s].arcs[i].cost * self.batches_of(h, s)
    }

    /// The change of site `s`'s cost when its batches change by `delta`; `None` if it cannot.
    pub fn site_change(&self, s: usize, delta: f64) -> Option<f64> {
        let after = (self.batches[s] + delta).max(0.0);
        let after = if after <= PLATFORM_TOLERANCE {
            0.0
        } else {
            after
        };
        site_cost(&self.structure.sites[s], after).map(|c| c.0 - self.site_costs[s])
    }

    /// The change of the total cost when hospital `h` moves to `to` (from its arc, if any).
    pub fn move_change(&self, h: usize, to: (usize, usize)) -> Option<f64> {
        let mut change = self.arc_cost(h, to);
        match self.chosen[h] {
            Some(from) if from.0 == to.0 => return Some(change - self.arc_cost(h, from)),
            Some(from) => {
                change -= self.arc_cost(h, from);
                change += self.site_change(from.0, -self.batches_of(h, from.0))?;
            }
            None => {}
        }
        Some(change + self.site_change(to.0, self.batches_of(h, to.0))?)
    }

    /// Moves hospital `h` to `to` (or unassigns it), keeping the site costs.
    pub fn set(&mut self, h: usize, to: Option<(usize, usize)>) {
        if let Some((s, _)) = self.chosen[h] {
            self.add_batches(s, -self.batches_of(h, s));
        }
        if let Some((s, _)) = to {
            self.add_batches(s, self.batches_of(h, s));
        }
        self.chosen[h] = to;
    }

    fn add_batches(&mut self, s: usize, delta: f64) {
        let after = self.batches[s] + delta;
        self.batches[s] = if after <= PLATFORM_TOLERANCE {
            0.0
        } else {
            after
        };
        self.site_costs[s] =
            site_cost(&self.structure.sites[s], self.batches[s]).map_or(f64::INFINITY, |c| c.0);
    }

    /// The cost of the assignment: sites and arcs (the patients' own costs excluded).
    pub fn cost(&self) -> f64 {
        let arcs: f64 = (0..self.chosen.len())
            .filter_map(|h| self.chosen[h].map(|a| self.arc_cost(h, a)))
            .sum();
        self.site_costs.iter().sum::<f64>() + arcs
    }

    /// Whether every hospital with patients has a site.
    pub fn complete(&self) -> bool {
        (0..self.chosen.len()).all(|h| self.load[h] <= 0.0 || self.chosen[h].is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::relaxation::SiteOption;

    /// Fixed 100, 5 a platform of 10 batches (3 at most), 1 a batch.
    fn site(existing: bool) -> Site {
        Site {
            existing,
            keep: 0.8,
            options: vec![SiteOption {
                open_col: 0,
                platforms_col: 1,
                fixed: 100.0,
                per_platform: 5.0,
                per_batch: 1.0,
                batches_per_platform: 10.0,
                max_platforms: 3,
            }],
            arcs: Vec::new(),
        }
    }

    #[test]
    fn a_site_pays_whole_platforms_within_its_capacity() {
        let s = site(false);
        assert_eq!(site_cost(&s, 25.0), Some((100.0 + 15.0 + 25.0, 0, 3)));
        assert_eq!(site_cost(&s, 20.0), Some((100.0 + 10.0 + 20.0, 0, 2)));
        assert_eq!(site_cost(&s, 31.0), None);
        assert_eq!(site_cost(&s, 0.0), Some((0.0, usize::MAX, 0)));
        // an existing site is open in every plan
        assert_eq!(site_cost(&site(true), 0.0), Some((100.0, 0, 0)));
    }
}
