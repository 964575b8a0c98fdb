//! Property test: on random tiny single-source instances where patients can move between
//! hospitals (each hospital has a capacity, every demand point reaches every hospital), the
//! single-source path for movable patients (`solve::single_source_moving`, through
//! `cartnet::solve_model`) reaches the optimum of a brute force over every assignment of
//! hospitals to sites (or to none).
//!
//! The brute force fixes each hospital's choice in the single-source model (its chosen arc's
//! choice to 1, every other to 0) and solves what is left, the patients' flows and the sites'
//! platforms, with HiGHS alone (`solve::solve`): it shares the model's rows, not the search.
//!
//! Environment: `PROPTEST_CASES` (default 24: each case is up to 64 solves) and
//! `BRUTE_FORCE_SEED` (default fixed) override the run's size and seed.

mod common;
use cartnet::input::{DemandPoint, Hospital, Instance, Override, Scenario, Site, SiteKind};
use cartnet::model::Formulation;
use cartnet::network::Network;
use cartnet::solve::{SolveOptions, Status, single_source_moving};
use good_lp::constraint;
use proptest::prelude::*;

/// Cases by default: each is up to 64 solves of the brute force.
const CASES: u32 = 24;

/// A generated site: kind, platforms, batches a platform.
type GenSite = (bool, u32, u32);

#[derive(Debug, Clone)]
struct Case {
    /// Patients a year at each demand point.
    demand: Vec<u32>,
    /// Each hospital's capacity.
    hospitals: Vec<u32>,
    sites: Vec<GenSite>,
}

fn gen_case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(1u32..=12, 1..=3),
        proptest::collection::vec(1u32..=10, 2..=3),
        proptest::collection::vec((any::<bool>(), 1u32..=2, 2u32..=6), 2..=3),
    )
        .prop_map(|(demand, hospitals, sites)| Case {
            demand,
            hospitals,
            sites,
        })
}

/// Everything within a few km of one place: every point reaches every hospital, every
/// hospital every site; central sites are large and dear to open, regional ones small.
fn instance(case: &Case) -> Instance {
    let near = |i: usize| 40.0 + 0.01 * i as f64;
    Instance {
        demand: (case.demand.iter().enumerate())
            .map(|(i, &p)| DemandPoint {
                id: format!("D{i}"),
                name: format!("D{i}"),
                lat: near(i),
                lon: -75.0,
                patients: f64::from(p),
                growth: None,
            })
            .collect(),
        hospitals: (case.hospitals.iter().enumerate())
            .map(|(i, &cap)| Hospital {
                id: format!("H{i}"),
                name: format!("H{i}"),
                lat: near(i),
                lon: -75.01,
                max_patients: Some(f64::from(cap)),
            })
            .collect(),
        sites: (case.sites.iter().enumerate())
            .map(|(i, &(central, platforms, per))| Site {
                id: format!("S{i}"),
                name: format!("S{i}"),
                lat: near(i),
                lon: -75.02,
                kind: if central {
                    SiteKind::Central
                } else {
                    SiteKind::Regional
                },
                hospital: None,
                max_platforms: Some(if central { 3 * platforms } else { platforms }),
                allow: [true, !central],
                setup_cost_owned: Some(if central { 3e6 } else { 1e6 }),
                setup_cost_franchise: None,
                batches_per_platform: Some(f64::from(per)),
                existing: false,
            })
            .collect(),
        lanes: Vec::new(),
    }
}

fn scenario() -> Scenario {
    let sets: Vec<Override> = [
        "policy.single_sourcing=true",
        "demand.unserved_penalty=400000",
    ]
    .iter()
    .map(|s| Override::parse(s).unwrap())
    .collect();
    Scenario::parse("", "scenario.toml", &sets).unwrap()
}

/// The cheapest plan over every choice of one site (or none) per hospital, each solved by
/// HiGHS with the choices fixed.
fn brute_force(inst: &Instance, scn: &Scenario, net: &Network) -> f64 {
    let choices: Vec<Vec<usize>> = (0..inst.hospitals.len())
        .map(|h| {
            (0..net.cell_arc_count())
                .filter(|&c| net.cell_arc(c).hospital == h)
                .collect()
        })
        .collect();
    let mut pick = vec![0usize; choices.len()];
    let mut best = f64::INFINITY;
    loop {
        let mut f = Formulation::build(inst, scn, net);
        for (h, arcs) in choices.iter().enumerate() {
            for (i, &c) in arcs.iter().enumerate() {
                if let Some(z) = f.info.years[0].sourcing[c] {
                    let on = f64::from(u8::from(pick[h] == i + 1));
                    f.problem.constraints.push(constraint!(z.var == on));
                }
            }
        }
        let s = cartnet::solve::solve(f.problem, &SolveOptions::default()).unwrap();
        if let (Status::Optimal, Some(z)) = (s.status, s.objective) {
            best = best.min(z);
        }
        // the next choice: 0 is none, i + 1 the hospital's i-th arc
        let Some(h) = (0..pick.len()).find(|&h| pick[h] < choices[h].len()) else {
            return best;
        };
        pick[h] += 1;
        pick[..h].iter_mut().for_each(|p| *p = 0);
    }
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let (inst, scn) = (instance(case), scenario());
    let net = Network::build(&inst, &scn);
    let f = Formulation::build(&inst, &scn, &net);
    prop_assert!(single_source_moving::applies(&inst, &scn, &f.info));
    let found = cartnet::solve_model(
        f.problem,
        &f.info,
        (&inst, &scn, &net),
        &SolveOptions::default(),
    )
    .map_err(|e| TestCaseError::fail(format!("solver error: {e}")))?;
    let best = brute_force(&inst, &scn, &net);
    prop_assert_eq!(found.status, Status::Optimal, "{:?}", found.objective);
    let z = found.objective.unwrap();
    prop_assert!(
        (z - best).abs() <= 1e-6 * best.abs().max(1.0),
        "{} vs brute force {}",
        z,
        best
    );
    Ok(())
}

proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: common::proptest_env::env_u64("PROPTEST_CASES").map_or(CASES, |c| c as u32),
        ..common::proptest_env::config("BRUTE_FORCE_SEED", 0x55_4D0F, 200)
    })]

    /// The single-source optimum with movable patients equals the brute force's.
    #[test]
    fn single_source_with_moving_patients_matches_brute_force(case in gen_case()) {
        check(&case)?;
    }
}
