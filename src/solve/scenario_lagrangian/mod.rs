//! The Lagrangian relaxation of the two-stage model (DESIGN §10): a lower bound on the expected
//! cost of every design, and designs to try, without solving the scenarios' flows together.
//!
//! Relaxing each scenario ω's hospital balance, sum_s (1 - f_s) w[ω,h,s] = sum_g x[ω,g,h], with
//! a price λ[ω,h] per patient, and each hospital capacity, sum_g x[ω,g,h] <= cap_h, with a price
//! ν[ω,h] >= 0, splits the model into (i) each scenario's demand groups, each at its cheapest
//! hospital c[g,h] + λ + ν (or its unserved penalty), and (ii) one small problem per site: open
//! it under an operating model with n platforms, the same in every scenario, and in each
//! scenario fill its B·n batches with the hospitals whose reduced cost is negative, cheapest
//! first (a fractional knapsack per scenario). Each part is weighted by its scenario's
//! probability. Under full coverage the sites opened must also treat every patient of the
//! scenario with the most, a covering knapsack over the sites.
//!
//! Its value at any prices bounds the expected cost of every design from below (the design,
//! its platforms and every scenario's flows are a solution of the relaxed problem whose cost is
//! at least the relaxation's value), so it bounds the recourse problem too, whose objective is
//! the expectation or a blend with CVaR, which is never below the expectation. Keeping the
//! sites' open and platform decisions whole makes it at least as strong as the extensive form's
//! LP relaxation with its strengthening rows; subgradient steps improve the prices.
//!
//! It covers the models the single-scenario relaxation ([`crate::solve::lagrangian`]) covers,
//! hospital capacities included.

mod ascent;
mod evaluate;

pub use crate::model::stochastic::BlockRelaxation;
pub use ascent::{Ascent, Limits};
pub use evaluate::{Evaluation, Prices};

use crate::solve::lagrangian::Fixed;

/// A site's decision in the relaxation: the operating model's index (owned 0, franchise 1) and
/// its platforms.
pub type Choice = (usize, u32);

/// The scenarios' relaxations, which share their sites and hospitals.
pub struct TwoStage<'a> {
    blocks: &'a [BlockRelaxation],
    hospitals: usize,
    /// Per site and operating model: the most platforms every scenario allows it, where every
    /// scenario can run it that way (the design space's slots).
    slots: Vec<[Option<u32>; 2]>,
    existing: Vec<bool>,
    /// The scenario whose patients the covering knapsack covers (the most, under full
    /// coverage), if any.
    cover_block: Option<usize>,
}

impl<'a> TwoStage<'a> {
    /// The two-stage relaxation of `blocks`, or `None` if they differ in their sites or
    /// hospitals (they are one instance's scenarios, so this means a programming error
    /// upstream, and the caller goes without the bound).
    pub fn new(blocks: &'a [BlockRelaxation]) -> Option<TwoStage<'a>> {
        let first = &blocks.first()?.structure;
        let sites = first.sites.len();
        let aligned = blocks.iter().all(|b| {
            b.structure.sites.len() == sites
                && b.structure.hospitals == first.hospitals
                && b.options.len() == sites
                && b.hospital_caps.len() == first.hospitals
        });
        if !aligned {
            return None;
        }
        let existing: Vec<bool> = first.sites.iter().map(|s| s.existing).collect();
        if blocks.iter().any(|b| {
            b.structure
                .sites
                .iter()
                .zip(&existing)
                .any(|(s, &e)| s.existing != e)
        }) {
            return None;
        }
        Some(TwoStage {
            blocks,
            hospitals: first.hospitals,
            slots: (0..sites).map(|s| slots_of(blocks, s)).collect(),
            existing,
            cover_block: cover_block(blocks),
        })
    }

    pub fn sites(&self) -> usize {
        self.existing.len()
    }

    /// The sites forced by nothing: existing ones open, the others free.
    fn with_existing(&self, fixed: &[Option<Fixed>]) -> Vec<Option<Fixed>> {
        self.existing
            .iter()
            .zip(fixed)
            .map(|(&e, f)| if e { Some(Fixed::Open) } else { *f })
            .collect()
    }
}

/// Site `s`'s slots: per operating model, the fewest of the scenarios' most platforms, where
/// every scenario has the option.
fn slots_of(blocks: &[BlockRelaxation], s: usize) -> [Option<u32>; 2] {
    [0, 1].map(|k| {
        blocks
            .iter()
            .map(|b| {
                let o = b.options[s][k]?;
                Some(b.structure.sites[s].options[o].max_platforms)
            })
            .collect::<Option<Vec<u32>>>()
            .and_then(|most| most.into_iter().min())
    })
}

/// The scenario with the most patients among those under full coverage.
fn cover_block(blocks: &[BlockRelaxation]) -> Option<usize> {
    blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.structure.full_coverage)
        .map(|(i, b)| (i, patients(b)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// The block's patients, every group's.
fn patients(b: &BlockRelaxation) -> f64 {
    b.structure.groups.iter().map(|g| g.patients).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::relaxation::{CellArc, Group, Site, SiteOption, Structure};

    /// One scenario of a site (fixed 50, 10 a platform of 10 batches, 1 a batch, at most 2
    /// platforms) beside one hospital whose group has `patients`, unserved at 20 each, the
    /// hospital taking at most `cap`.
    fn block(probability: f64, patients: f64, cap: Option<f64>) -> BlockRelaxation {
        let option = SiteOption {
            open_col: 0,
            platforms_col: 1,
            fixed: 50.0,
            per_platform: 10.0,
            per_batch: 1.0,
            batches_per_platform: 10.0,
            max_platforms: 2,
        };
        BlockRelaxation {
            probability,
            structure: Structure {
                hospitals: 1,
                groups: vec![Group {
                    patients,
                    penalty: Some(20.0),
                    arcs: vec![(0, 0.0)],
                }],
                sites: vec![Site {
                    existing: false,
                    keep: 1.0,
                    options: vec![option],
                    arcs: vec![CellArc {
                        hospital: 0,
                        col: 2,
                        cost: 0.0,
                        // the model's cap: the patients that can reach the hospital
                        upper: cap.map_or(patients, |c| c.min(patients)),
                    }],
                }],
                full_coverage: false,
            },
            hospital_caps: vec![cap],
            options: vec![[Some(0), None]],
        }
    }

    fn limits() -> Limits {
        Limits {
            deadline: None,
            max_rounds: 5_000,
            gap: 0.0,
        }
    }

    /// Two equally likely scenarios of 6 and 14 patients. Closed: 0.5·20·(6 + 14) = 200; one
    /// platform: 60 + 0.5·6 + 0.5·(10 + 4·20) = 108; two: 70 + 0.5·6 + 0.5·14 = 80, the
    /// optimum. At λ = 8 in both scenarios the groups give 0.5·8·20 = 80 and the site
    /// 70 + 0.5·(1 - 8)·20 = 0, so the relaxation reaches 80, with the site open on 2 platforms.
    #[test]
    fn the_bound_reaches_a_hand_derived_optimum_and_its_design() {
        let blocks = [block(0.5, 6.0, None), block(0.5, 14.0, None)];
        let two_stage = TwoStage::new(&blocks).unwrap();
        let a = two_stage.ascend(81.0, limits());
        assert!(a.bound <= 80.0 + 1e-6, "bound {}", a.bound);
        assert!(a.bound >= 80.0 - 0.05, "bound {}", a.bound);
        assert_eq!(a.designs[0], vec![Some((0, 2))]);
    }

    /// The same with the hospital taking 10 patients at most: the second platform is useless,
    /// and the optimum is one platform, 60 + 0.5·6 + 0.5·(10 + 4·20) = 108, which the bound
    /// reaches.
    #[test]
    fn a_capped_hospital_bound_reaches_its_optimum() {
        let blocks = [block(0.5, 6.0, Some(10.0)), block(0.5, 14.0, Some(10.0))];
        let two_stage = TwoStage::new(&blocks).unwrap();
        let a = two_stage.ascend(120.0, limits());
        assert!(a.bound <= 108.0 + 1e-6, "bound {}", a.bound);
        assert!(a.bound >= 108.0 - 0.1, "bound {}", a.bound);
    }

    /// Scenarios of different instances (another site count) are refused.
    #[test]
    fn scenarios_that_differ_in_their_sites_are_refused() {
        let mut other = block(0.5, 14.0, None);
        other.structure.sites.push(other.structure.sites[0].clone());
        other.options.push([Some(0), None]);
        assert!(TwoStage::new(&[block(0.5, 6.0, None), other]).is_none());
    }
}
