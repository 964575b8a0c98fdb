//! Property test: on random tiny single-source instances (2-4 facilities, 3-6 customers),
//! written by the `import sscflp` writer and solved by `cartnet::optimize`, the optimum equals a
//! brute force over every assignment of customers to facilities (and the solve is infeasible
//! exactly when no assignment fits the capacities). Whatever solver the single-source path
//! uses is checked here, on two threads (its branch and bound's workers then share the nodes;
//! the library's own tests check it on one against a brute force too).
//!
//! The brute force shares nothing with the model: a facility is open when a customer is
//! assigned to it (opening costs are >= 0, so opening one without customers never helps); an
//! assignment is feasible when each facility's customers' demand fits its capacity; its cost is
//! the opening costs of the facilities used plus each customer's assignment cost.
//!
//! Environment: `PROPTEST_CASES` (default 256) and `BRUTE_FORCE_SEED` (default fixed) override the
//! run's size and seed.

mod common;
use cartnet::import::facility_location::CapInstance;
use cartnet::import::sscflp;
use cartnet::input::{Instance, Scenario};
use cartnet::network::Network;
use cartnet::plan::Provenance;
use cartnet::solve::{SolveOptions, Status};
use cartnet::{Outcome, optimize};
use proptest::prelude::*;

/// Capacities from 0 (a facility that can serve nobody) to a few customers' demand, so that
/// some cases fit loosely, some tightly and some not at all.
fn gen_instance() -> impl Strategy<Value = CapInstance> {
    (2usize..=4, 3usize..=6).prop_flat_map(|(m, n)| {
        (
            proptest::collection::vec(0u32..=30, m),
            proptest::collection::vec(0u32..=60, m),
            proptest::collection::vec(1u32..=12, n),
            proptest::collection::vec(proptest::collection::vec(0u32..=40, m), n),
        )
            .prop_map(|(capacity, fixed, demand, cost)| CapInstance {
                capacity: capacity.into_iter().map(f64::from).collect(),
                fixed_cost: fixed.into_iter().map(f64::from).collect(),
                demand: demand.into_iter().map(f64::from).collect(),
                cost: cost
                    .into_iter()
                    .map(|row| row.into_iter().map(f64::from).collect())
                    .collect(),
            })
    })
}

/// The cheapest assignment of customers to facilities within the capacities, and its cost.
fn brute_force(inst: &CapInstance) -> Option<(f64, Vec<usize>)> {
    let (m, n) = (inst.capacity.len(), inst.demand.len());
    let mut best: Option<(f64, Vec<usize>)> = None;
    let mut assign = vec![0usize; n];
    loop {
        let mut load = vec![0.0; m];
        for (j, &i) in assign.iter().enumerate() {
            load[i] += inst.demand[j];
        }
        if (0..m).all(|i| load[i] <= inst.capacity[i]) {
            let opening: f64 = (0..m)
                .filter(|&i| assign.contains(&i))
                .map(|i| inst.fixed_cost[i])
                .sum();
            let serving: f64 = assign
                .iter()
                .enumerate()
                .map(|(j, &i)| inst.cost[j][i])
                .sum();
            let cost = opening + serving;
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, assign.clone()));
            }
        }
        // the next assignment, as a number in base m
        let Some(j) = (0..n).find(|&j| assign[j] + 1 < m) else {
            return best;
        };
        assign[j] += 1;
        assign[..j].iter_mut().for_each(|a| *a = 0);
    }
}

/// The solve's threads: one count for the whole process, since HiGHS keeps the thread count it
/// first started with and fails a run asking for another.
const THREADS: u32 = 2;

fn check(inst: &CapInstance) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    sscflp::write(inst, dir.path(), false).unwrap();
    let instance = Instance::load(dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
    let scenario = Scenario::parse(&text, "scenario.toml", &[]).unwrap();
    let network = Network::build(&instance, &scenario);
    let provenance = Provenance {
        data: "brute_force_single_source",
        model: "scenario.toml",
    };
    let options = SolveOptions {
        threads: Some(THREADS),
        ..SolveOptions::default()
    };
    let outcome = optimize(&instance, &scenario, &network, &options, provenance)
        .map_err(|e| TestCaseError::fail(format!("solver error: {e}")))?;
    match (outcome, brute_force(inst)) {
        (Outcome::Plan(plan), Some((best, assign))) => {
            let json = serde_json::to_value(&*plan).expect("a plan serializes");
            let v = cartnet::verify::verify(&json, &instance, &scenario.to_json());
            prop_assert!(v.holds(), "verify rejects the plan: {:#?}", v.violations);
            prop_assert_eq!(plan.solver.status, Status::Optimal, "{:?}", plan.solver);
            // lane costs are the assignment cost split per batch and per leg; plans are in cents
            let total = plan.cost.total;
            prop_assert!(
                (total - best).abs() <= 0.02 + 1e-6 * best,
                "plan total {} vs brute force {} (assignment {:?})",
                total,
                best,
                assign
            );
        }
        (Outcome::Infeasible { .. }, None) => {}
        (other, brute) => {
            return Err(TestCaseError::fail(format!(
                "the library returned {other:?} but the brute force found {brute:?}"
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::proptest_env::config("BRUTE_FORCE_SEED", 0x55CF_1F00, 2_000))]

    /// The single-source optimum equals the brute force's on random tiny instances.
    #[test]
    fn single_source_matches_brute_force(inst in gen_instance()) {
        check(&inst)?;
    }
}

/// The brute force itself on the hand-checked instance of tests/sscflp.rs (222: one customer
/// per facility) and on one that cannot fit (a customer above every capacity).
#[test]
fn brute_force_hand_examples() {
    let mut inst = CapInstance {
        capacity: vec![10.0; 3],
        fixed_cost: vec![1.0, 100.0, 100.0],
        demand: vec![6.0; 3],
        cost: vec![vec![1.0, 10.0, 10.0]; 3],
    };
    let (cost, assign) = brute_force(&inst).unwrap();
    assert_eq!(cost, 222.0);
    let mut used = assign.clone();
    used.sort();
    assert_eq!(used, vec![0, 1, 2]);
    inst.demand[1] = 11.0;
    assert_eq!(brute_force(&inst), None);
}
