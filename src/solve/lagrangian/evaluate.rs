//! The relaxation's value at one set of prices: each demand group's cheapest way to a
//! hospital, each site's best filling, and the covering knapsack over the sites.

use super::knapsack::{cover, fillings};
use super::{Fixed, Site, SiteOption, Structure};

/// The relaxation at one set of prices.
#[derive(Debug, Clone)]
pub(super) struct Evaluation {
    pub(super) value: f64,
    /// The demand groups' part of `value`.
    pub(super) patients_part: f64,
    /// Per site: the best value when open, and the most patients it can treat.
    pub(super) items: Vec<(f64, f64)>,
    /// Per site: the option chosen when open, and its platforms.
    pub(super) choice: Vec<Option<(usize, u32)>>,
    /// Sites open in the relaxation's solution.
    pub(super) open: Vec<bool>,
    pub(super) subgradient: Vec<f64>,
}

impl Structure {
    /// Under full coverage, the patients the open sites must treat: every patient.
    pub(super) fn need(&self) -> Option<f64> {
        self.full_coverage
            .then(|| self.groups.iter().map(|g| g.patients).sum())
    }

    /// `forced` with the existing sites open (they are open in every plan).
    pub(super) fn with_existing(&self, forced: &[Option<Fixed>]) -> Vec<Option<Fixed>> {
        self.sites
            .iter()
            .zip(forced)
            .map(|(site, f)| if site.existing { Some(Fixed::Open) } else { *f })
            .collect()
    }

    /// The relaxation at prices `lambda`, with `forced` sites fixed.
    pub(super) fn evaluate(&self, lambda: &[f64], forced: &[Option<Fixed>]) -> Evaluation {
        let mut subgradient = vec![0.0; self.hospitals];
        let mut patients_part = 0.0;
        for g in &self.groups {
            let (best, at) = g.cheapest(|h| lambda[h]);
            patients_part += g.patients * best;
            if let Some(h) = at {
                subgradient[h] += g.patients;
            }
        }
        let mut items = Vec::with_capacity(self.sites.len());
        let mut choice = Vec::with_capacity(self.sites.len());
        let mut sorted = Vec::new();
        for (site, f) in self.sites.iter().zip(forced) {
            if *f == Some(Fixed::Closed) && !site.existing {
                // closed: its value is never read
                items.push((0.0, 0.0));
                choice.push(None);
                continue;
            }
            let (v, cap, ch) = self.site_value(site, lambda, &mut sorted);
            items.push((v, cap));
            choice.push(ch);
        }
        let (sites_part, open) = cover(&items, &self.with_existing(forced), self.need());
        // the batches of the open sites leave their hospitals' balance
        for (s, site) in self.sites.iter().enumerate() {
            if let (true, Some((k, n))) = (open[s], choice[s]) {
                let o = &site.options[k];
                let mut room = o.batches_per_platform * n as f64;
                self.fill(site, o, lambda, &mut sorted);
                for &(r, upper, h) in &sorted {
                    if room <= 0.0 || r >= 0.0 {
                        break;
                    }
                    let w = upper.min(room);
                    room -= w;
                    subgradient[h] -= site.keep * w;
                }
            }
        }
        Evaluation {
            value: patients_part + sites_part,
            patients_part,
            items,
            choice,
            open,
            subgradient,
        }
    }

    /// The site's arcs with a negative reduced cost under option `o`, cheapest first:
    /// (reduced cost per batch, most batches, hospital).
    pub(super) fn fill(
        &self,
        site: &Site,
        o: &SiteOption,
        lambda: &[f64],
        out: &mut Vec<(f64, f64, usize)>,
    ) {
        out.clear();
        for a in &site.arcs {
            let r = a.cost + o.per_batch - lambda[a.hospital] * site.keep;
            if r < 0.0 && a.upper > 0.0 {
                out.push((r, a.upper, a.hospital));
            }
        }
        out.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
    }

    /// A site's best value when open (over options and platform counts), the most patients it
    /// can treat under any option, and the option and platforms of the best value.
    pub(super) fn site_value(
        &self,
        site: &Site,
        lambda: &[f64],
        sorted: &mut Vec<(f64, f64, usize)>,
    ) -> (f64, f64, Option<(usize, u32)>) {
        let mut best = f64::INFINITY;
        let mut choice = None;
        let mut cap: f64 = 0.0;
        for (k, o) in site.options.iter().enumerate() {
            cap = cap.max(site.keep * o.batches_per_platform * o.max_platforms as f64);
            self.fill(site, o, lambda, sorted);
            // the arcs' reduced costs include the batch cost already, and are all negative
            let filled = fillings(sorted, 0.0, o.batches_per_platform, o.max_platforms);
            for (n, filled) in (0..=o.max_platforms).zip(filled) {
                let v = o.fixed + o.per_platform * n as f64 + filled;
                if v < best {
                    best = v;
                    choice = Some((k, n));
                }
            }
        }
        (best, cap, choice)
    }

    /// The relaxation's value with site `s` forced to `state` and everything else as in `e`.
    pub(super) fn forced_value(
        &self,
        e: &Evaluation,
        forced: &[Option<Fixed>],
        s: usize,
        state: Fixed,
    ) -> f64 {
        let mut f = self.with_existing(forced);
        f[s] = Some(state);
        e.patients_part + cover(&e.items, &f, self.need()).0
    }

    /// Fixes the sites whose forced bound exceeds `ub` (the cost of a known plan).
    pub(super) fn fix(&self, e: &Evaluation, ub: f64, fixed: &mut [Option<Fixed>]) {
        let margin = super::noise(ub);
        for s in 0..self.sites.len() {
            if fixed[s].is_some() || self.sites[s].existing {
                continue;
            }
            // the bound already holds for the relaxation's own choice; test the other one
            let other = if e.open[s] {
                Fixed::Closed
            } else {
                Fixed::Open
            };
            if self.forced_value(e, fixed, s, other) > ub + margin {
                fixed[s] = Some(if e.open[s] {
                    Fixed::Open
                } else {
                    Fixed::Closed
                });
            }
        }
    }
}
