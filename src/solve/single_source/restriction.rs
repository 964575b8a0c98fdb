//! What a node of the branch and bound over assignments fixes (sites open or closed, hospitals
//! on one arc, arcs banned) and the relaxation's view of it: which arcs each site's knapsack
//! may take, which it must, and which sites the covering knapsack must open or leave out.

use super::assignment::Arc;
use crate::model::relaxation::Structure;
use crate::solve::lagrangian::Fixed;
use std::cell::OnceCell;

/// The decisions a node adds to the root's.
#[derive(Debug, Clone)]
pub(super) struct Restriction {
    /// Each site forced open or closed.
    pub sites: Vec<Option<Fixed>>,
    /// Each hospital's arc, where forced.
    pub assigned: Vec<Option<Arc>>,
    /// Arcs no plan of the node uses (besides the root's dropped ones).
    pub banned: Vec<Arc>,
}

impl Restriction {
    /// Nothing fixed.
    pub fn none(structure: &Structure) -> Self {
        Restriction {
            sites: vec![None; structure.sites.len()],
            assigned: vec![None; structure.hospitals],
            banned: Vec::new(),
        }
    }
}

/// The relaxation's view of a restriction.
pub(super) struct View<'a> {
    pub structure: &'a Structure,
    /// Patients a year at each hospital.
    pub load: &'a [f64],
    /// Each site as the covering knapsack takes it: forced open where it must be (existing, or
    /// with a hospital forced onto it), closed where the node closes it.
    pub sites: Vec<Option<Fixed>>,
    /// Per site, per arc: whether its knapsack may take the arc.
    pub usable: Vec<Vec<bool>>,
    /// Per site: the arcs it must take.
    pub forced: Vec<Vec<usize>>,
    /// Hospitals with patients and no forced arc: the rows still priced.
    pub free: Vec<bool>,
    /// Per site, its usable arcs' weights and costs, prepared at the first use.
    items: Vec<OnceCell<SiteItems>>,
}

/// A site's usable arcs under a view, with what each weighs and costs at each of the site's
/// options: the same for every round of a node's ascent, so computed once.
pub(super) struct SiteItems {
    /// The usable arcs, in order.
    pub arcs: Vec<usize>,
    /// Each one's hospital.
    pub hospitals: Vec<usize>,
    /// Each one's batches at the site (its weight in the knapsack).
    pub weights: Vec<f64>,
    /// Per option, each one's cost at the site (arc and batches).
    pub costs: Vec<Vec<f64>>,
    /// The weights' sum, in order.
    pub total: f64,
}

impl<'a> View<'a> {
    /// The view of `r` over `structure`, without the arcs `dropped` (per site, per arc).
    pub fn new(
        structure: &'a Structure,
        load: &'a [f64],
        r: &Restriction,
        dropped: Option<&[Vec<bool>]>,
    ) -> Self {
        let free: Vec<bool> = (0..structure.hospitals)
            .map(|h| load[h] > 0.0 && r.assigned[h].is_none())
            .collect();
        let mut sites = r.sites.clone();
        let mut forced = vec![Vec::new(); structure.sites.len()];
        for &(s, i) in r.assigned.iter().flatten() {
            forced[s].push(i);
            sites[s] = Some(Fixed::Open);
        }
        for (s, site) in structure.sites.iter().enumerate() {
            if site.existing {
                sites[s] = Some(Fixed::Open);
            }
        }
        let mut usable: Vec<Vec<bool>> = structure
            .sites
            .iter()
            .enumerate()
            .map(|(s, site)| {
                let closed = sites[s] == Some(Fixed::Closed);
                let gone = |i: usize| dropped.is_some_and(|d| d[s][i]);
                site.arcs
                    .iter()
                    .enumerate()
                    .map(|(i, a)| !closed && free[a.hospital] && !gone(i))
                    .collect()
            })
            .collect();
        for &(s, i) in &r.banned {
            usable[s][i] = false;
        }
        View {
            structure,
            load,
            items: (0..structure.sites.len())
                .map(|_| OnceCell::new())
                .collect(),
            sites,
            usable,
            forced,
            free,
        }
    }

    /// Site `s`'s usable arcs with their weights and costs.
    pub fn site_items(&self, s: usize) -> &SiteItems {
        self.items[s].get_or_init(|| {
            let site = &self.structure.sites[s];
            let arcs: Vec<usize> = (0..site.arcs.len())
                .filter(|&i| self.usable[s][i])
                .collect();
            let hospitals: Vec<usize> = arcs.iter().map(|&i| site.arcs[i].hospital).collect();
            let weights: Vec<f64> = hospitals
                .iter()
                .map(|&h| self.load[h] / site.keep)
                .collect();
            let costs = site
                .options
                .iter()
                .map(|o| {
                    let cost = |(&i, &b): (&usize, &f64)| (site.arcs[i].cost + o.per_batch) * b;
                    arcs.iter().zip(&weights).map(cost).collect()
                })
                .collect();
            let total = weights.iter().sum();
            SiteItems {
                arcs,
                hospitals,
                weights,
                costs,
                total,
            }
        })
    }

    /// The view with nothing fixed.
    pub fn root(structure: &'a Structure, load: &'a [f64]) -> Self {
        Self::new(structure, load, &Restriction::none(structure), None)
    }

    /// Whether every priced hospital still has an arc.
    pub fn reachable(&self) -> bool {
        let mut reached: Vec<bool> = self.free.iter().map(|f| !f).collect();
        for (s, site) in self.structure.sites.iter().enumerate() {
            for (i, a) in site.arcs.iter().enumerate() {
                reached[a.hospital] |= self.usable[s][i];
            }
        }
        reached.iter().all(|&r| r)
    }
}
