//! The two-stage relaxation's value at one set of prices: each scenario's demand groups at
//! their cheapest hospitals, each site's best design with its fillings in every scenario, and
//! the covering knapsack over the sites.

use super::{BlockRelaxation, Choice, TwoStage};
use crate::model::relaxation::{Site, SiteOption};
use crate::solve::lagrangian::Fixed;
use crate::solve::lagrangian::knapsack::{cover, fillings};
use rayon::prelude::*;

/// Per scenario and hospital: the balance prices λ and the capacity prices ν (>= 0; 0 where the
/// hospital has no capacity). The subgradient has the same shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    pub balance: Vec<Vec<f64>>,
    pub capacity: Vec<Vec<f64>>,
}

impl Prices {
    fn zeros(scenarios: usize, hospitals: usize) -> Prices {
        Prices {
            balance: vec![vec![0.0; hospitals]; scenarios],
            capacity: vec![vec![0.0; hospitals]; scenarios],
        }
    }
}

/// The relaxation at one set of prices.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub value: f64,
    /// Per site: the best value when open, and the patients it can treat in the covered
    /// scenario (0 without one).
    pub items: Vec<(f64, f64)>,
    /// Per site: its best design when open.
    pub choice: Vec<Option<Choice>>,
    /// Sites open in the relaxation's solution.
    pub open: Vec<bool>,
    pub subgradient: Prices,
}

/// Arcs selected before sorting, when more are there (see [`by_reduced_cost`]).
const SELECTED: usize = 48;

/// A site's best design when open.
struct SiteBest {
    value: f64,
    /// Its capacity for the cover.
    capacity: f64,
    choice: Option<Choice>,
    /// What it ships under that choice: (scenario, hospital, weighted patients).
    shipped: Vec<(usize, usize, f64)>,
}

impl TwoStage<'_> {
    /// The relaxation at `prices`, with `fixed` sites fixed.
    pub fn evaluate(&self, prices: &Prices, fixed: &[Option<Fixed>]) -> Evaluation {
        let mut grad = Prices::zeros(self.blocks.len(), self.hospitals);
        let mut groups_part = 0.0;
        for (w, b) in self.blocks.iter().enumerate() {
            groups_part += groups_value(b, prices, w, &mut grad.balance[w], &mut grad.capacity[w]);
        }
        let bests: Vec<SiteBest> = (0..self.sites())
            .into_par_iter()
            .map(|s| match fixed[s] {
                Some(Fixed::Closed) if !self.existing[s] => SiteBest {
                    value: 0.0,
                    capacity: 0.0,
                    choice: None,
                    shipped: Vec::new(),
                },
                _ => self.site_best(s, prices),
            })
            .collect();
        let items: Vec<(f64, f64)> = bests.iter().map(|b| (b.value, b.capacity)).collect();
        let choice: Vec<Option<Choice>> = bests.iter().map(|b| b.choice).collect();
        let (sites_part, open) = cover(&items, &self.with_existing(fixed), self.need());
        for (best, _) in bests.iter().zip(&open).filter(|(_, open)| **open) {
            for &(w, h, patients) in &best.shipped {
                grad.balance[w][h] -= patients;
            }
        }
        Evaluation {
            value: groups_part + sites_part,
            items,
            choice,
            open,
            subgradient: grad,
        }
    }

    /// Under full coverage (in some scenario), the patients of the scenario with the most.
    pub(super) fn need(&self) -> Option<f64> {
        self.cover_block.map(|w| super::patients(&self.blocks[w]))
    }

    /// Site `s`'s best design when open, over operating models and platforms; its capacity
    /// for the cover is its most under any model.
    fn site_best(&self, s: usize, prices: &Prices) -> SiteBest {
        let mut value: [Vec<f64>; 2] =
            [0, 1].map(|k| vec![0.0; self.slots[s][k].map_or(0, |m| m as usize + 1)]);
        let room = self.most_batches(s);
        let mut sorted: Vec<Vec<(f64, f64, usize)>> = vec![Vec::new(); self.blocks.len()];
        for ((w, b), sorted) in self.blocks.iter().enumerate().zip(&mut sorted) {
            let site = &b.structure.sites[s];
            by_reduced_cost(site, &prices.balance[w], room, sorted);
            for (k, value) in value.iter_mut().enumerate() {
                let Some(most) = self.slots[s][k] else {
                    continue;
                };
                let o = option(b, s, k);
                let filled = fillings(sorted, o.per_batch, o.batches_per_platform, most);
                for (n, v) in value.iter_mut().enumerate() {
                    *v += b.probability * (o.fixed + o.per_platform * n as f64 + filled[n]);
                }
            }
        }
        let mut best: SiteBest = SiteBest {
            value: f64::INFINITY,
            capacity: 0.0,
            choice: None,
            shipped: Vec::new(),
        };
        for (k, value) in value.iter().enumerate() {
            for (n, &v) in value.iter().enumerate() {
                if v < best.value {
                    (best.value, best.choice) = (v, Some((k, n as u32)));
                }
            }
            if let Some(most) = self.slots[s][k] {
                best.capacity = best.capacity.max(self.cover_capacity(s, k, most));
            }
        }
        if let Some(c) = best.choice {
            best.shipped = self.shipped(s, c, &sorted);
        }
        best
    }

    /// The most batches site `s` makes in any scenario under any option.
    fn most_batches(&self, s: usize) -> f64 {
        let mut most: f64 = 0.0;
        for b in self.blocks {
            for (k, slot) in self.slots[s].iter().enumerate() {
                if let Some(n) = slot {
                    most = most.max(option(b, s, k).batches_per_platform * f64::from(*n));
                }
            }
        }
        most
    }

    /// Patients site `s` treats under model `k` with `most` platforms in the covered scenario.
    fn cover_capacity(&self, s: usize, k: usize, most: u32) -> f64 {
        self.cover_block.map_or(0.0, |w| {
            let b = &self.blocks[w];
            b.structure.sites[s].keep * option(b, s, k).batches_per_platform * f64::from(most)
        })
    }

    /// The patients site `s` treats for each scenario's hospitals under `choice` (scenario,
    /// hospital, patients weighted by the scenario's probability), from each scenario's arcs
    /// `sorted` by [`by_reduced_cost`].
    fn shipped(
        &self,
        s: usize,
        (k, n): Choice,
        sorted: &[Vec<(f64, f64, usize)>],
    ) -> Vec<(usize, usize, f64)> {
        let mut out = Vec::new();
        for ((w, b), sorted) in self.blocks.iter().enumerate().zip(sorted) {
            let keep = b.structure.sites[s].keep;
            let o = option(b, s, k);
            let mut room = o.batches_per_platform * f64::from(n);
            for &(r, upper, h) in sorted {
                if room <= 0.0 || r + o.per_batch >= 0.0 {
                    break;
                }
                let taken = upper.min(room);
                room -= taken;
                out.push((w, h, b.probability * keep * taken));
            }
        }
        out
    }
}

/// Site `s` under operating model `k` in block `b` (the slot exists in every block).
fn option(b: &BlockRelaxation, s: usize, k: usize) -> &SiteOption {
    let site = &b.structure.sites[s];
    &site.options[b.options[s][k].expect("a slot is an option of every scenario")]
}

/// The scenario's demand groups at their cheapest hospitals at prices λ + ν, less the
/// capacities' worth ν·cap, weighted by the scenario's probability, as is their part of the
/// subgradient.
fn groups_value(
    b: &BlockRelaxation,
    prices: &Prices,
    w: usize,
    balance: &mut [f64],
    capacity: &mut [f64],
) -> f64 {
    let (lambda, nu) = (&prices.balance[w], &prices.capacity[w]);
    let mut value = 0.0;
    for g in b.structure.groups.iter().filter(|g| g.patients > 0.0) {
        let (best, at) = g.cheapest(|h| lambda[h] + nu[h]);
        value += g.patients * best;
        if let Some(h) = at {
            balance[h] += g.patients;
            capacity[h] += g.patients;
        }
    }
    for (h, cap) in b.hospital_caps.iter().enumerate() {
        if let Some(cap) = cap {
            value -= nu[h] * cap;
            capacity[h] -= cap;
        } else {
            capacity[h] = 0.0;
        }
    }
    for g in balance.iter_mut().chain(capacity.iter_mut()) {
        *g *= b.probability;
    }
    b.probability * value
}

/// The site's cheapest arcs by their reduced cost before the batch cost, c - λ·(1 - f),
/// cheapest first (every option's order: the batch cost is the same on every arc): (that cost
/// per batch, most batches, hospital). Enough to fill `room` batches, or all that any option
/// could take at a negative reduced cost; the rest are left out.
fn by_reduced_cost(site: &Site, lambda: &[f64], room: f64, out: &mut Vec<(f64, f64, usize)>) {
    let cheapest = site
        .options
        .iter()
        .map(|o| o.per_batch)
        .fold(f64::INFINITY, f64::min);
    out.clear();
    for a in &site.arcs {
        let r = a.cost - lambda[a.hospital] * site.keep;
        if r + cheapest < 0.0 && a.upper > 0.0 {
            out.push((r, a.upper, a.hospital));
        }
    }
    let order =
        |a: &(f64, f64, usize), b: &(f64, f64, usize)| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2));
    if out.len() > SELECTED {
        // the cheapest few usually fill the site: sort only them when they do
        out.select_nth_unstable_by(SELECTED - 1, order);
        let head: f64 = out[..SELECTED].iter().map(|a| a.1).sum();
        if head >= room {
            out.truncate(SELECTED);
        }
    }
    out.sort_unstable_by(order);
}
