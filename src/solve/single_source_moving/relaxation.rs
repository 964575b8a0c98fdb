//! The site-choice relaxation of single sourcing: a hospital chooses between the large sites
//! (each able to take any hospital whole) with a binary as in the single-source model, but its
//! batches to the small sites only share one unit of choice, in proportion to each arc's most:
//! sum_small w[h,s] / W[h,s] + sum_large z[h,s] <= 1, w[h,s] <= W[h,s] z[h,s] on large arcs.
//!
//! Every single-source plan satisfies these rows (its one chosen arc carries at most its W),
//! so this model's bound holds for the single-source model. It is the single-source model with
//! the choices among small sites made continuous (the same rows after projecting them out),
//! which drops most of its binaries; measured on the national instance, HiGHS's bound on it
//! after its root is higher than on the single-source model, and its plans' arcs make a good
//! restricted single-source model.

use crate::model::{ModelInfo, Problem};
use crate::network::Network;
use good_lp::{Expression, constraint, variable};

/// Adds the site-choice rows to `p`, a multi-source model numbering its cell arcs' columns as
/// `info` does.
pub(crate) fn add_choice_rows(p: &mut Problem, info: &ModelInfo, network: &Network) {
    // the Lagrangian relaxation does not cover these rows
    p.relaxation = None;
    let vars = &info.years[0];
    let caps = &vars.shipment_caps;
    let largest = caps.iter().copied().fold(0.0, f64::max);
    let hospitals = (0..network.cell_arc_count())
        .map(|c| network.cell_arc(c).hospital + 1)
        .max()
        .unwrap_or(0);
    let mut choice = vec![Expression::default(); hospitals];
    let mut any = vec![false; hospitals];
    for (c, &cap) in caps.iter().enumerate() {
        let arc = network.cell_arc(c);
        let w = vars.shipments[c].var;
        if cap <= 0.0 {
            continue;
        }
        any[arc.hospital] = true;
        if network.terms[arc.site].capacity() >= largest {
            let z = p.variables.add(variable().binary());
            p.constraints.push(constraint!(w <= cap * z));
            choice[arc.hospital].add_mul(1.0, z);
        } else {
            choice[arc.hospital].add_mul(1.0 / cap, w);
        }
    }
    for (e, used) in choice.into_iter().zip(any) {
        if used {
            p.constraints.push(constraint!(e <= 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::scenario::Override;
    use crate::input::{DemandPoint, Hospital, Instance, Scenario, Site, SiteKind};
    use crate::model::Formulation;
    use crate::solve::{SolveOptions, Status, solve};

    /// Ten patients at one hospital (no capacity), two small regional sites of 6 batches a
    /// year each, free to open, and a large central one of 18 with a setup cost: the
    /// multi-source plan splits the hospital over the regional sites, a single-source plan
    /// must use (and pay for) the central site.
    fn instance() -> Instance {
        let site = |i: usize, kind, lat: f64, platforms: u32, setup: f64| Site {
            id: format!("S{i}"),
            name: format!("S{i}"),
            lat,
            lon: -75.0,
            kind,
            hospital: None,
            max_platforms: Some(platforms),
            allow: [true, false],
            setup_cost_owned: Some(setup),
            setup_cost_franchise: None,
            batches_per_platform: Some(6.0),
            existing: false,
        };
        Instance {
            demand: vec![DemandPoint {
                id: "D0".into(),
                name: "D0".into(),
                lat: 40.0,
                lon: -75.0,
                patients: 10.0,
                growth: None,
            }],
            hospitals: vec![Hospital {
                id: "H0".into(),
                name: "H0".into(),
                lat: 40.0,
                lon: -75.0,
                max_patients: None,
            }],
            sites: vec![
                site(0, SiteKind::Regional, 40.1, 1, 0.0),
                site(1, SiteKind::Regional, 39.9, 1, 0.0),
                site(2, SiteKind::Central, 40.2, 3, 1e6),
            ],
            lanes: Vec::new(),
        }
    }

    fn objective(instance: &Instance, single: bool, choice: bool) -> f64 {
        let sets: Vec<Override> = [
            "demand.full_coverage=true",
            "batch.failure_rate=0",
            "site.fixed_cost_owned=0",
        ]
        .iter()
        .map(|s| Override::parse(s).unwrap())
        .chain([Override::parse(&format!("policy.single_sourcing={single}")).unwrap()])
        .collect();
        let scenario = Scenario::parse("", "test.toml", &sets).unwrap();
        let network = crate::network::Network::build(instance, &scenario);
        let mut f = Formulation::build(instance, &scenario, &network);
        if choice {
            add_choice_rows(&mut f.problem, &f.info, &network);
        }
        let s = solve(f.problem, &SolveOptions::default()).unwrap();
        assert_eq!(s.status, Status::Optimal);
        s.objective.unwrap()
    }

    /// The relaxation is as strong as single sourcing here (the central site's choice is a
    /// binary, the regional sites share one unit of choice), and stronger than multi-source.
    #[test]
    fn the_choice_rows_force_the_large_site_where_no_small_one_fits() {
        let inst = instance();
        let multi = objective(&inst, false, false);
        let single = objective(&inst, true, false);
        let relaxed = objective(&inst, false, true);
        assert!(single > multi + 1.0, "single {single} vs multi {multi}");
        assert!(
            (relaxed - single).abs() <= 1e-6 * single,
            "{relaxed} vs {single}"
        );
    }

    /// With a hospital small enough for one regional site the relaxation is a relaxation: it
    /// never costs more than single sourcing (and here it costs the same).
    #[test]
    fn the_choice_rows_keep_every_single_source_plan() {
        let mut inst = instance();
        inst.demand[0].patients = 5.0;
        let single = objective(&inst, true, false);
        let relaxed = objective(&inst, false, true);
        assert!(relaxed <= single + 1e-6 * single, "{relaxed} vs {single}");
        assert!(
            (relaxed - single).abs() <= 1e-6 * single,
            "{relaxed} vs {single}"
        );
    }
}
