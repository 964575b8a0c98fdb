//! A warm start (a neighbouring scenario's plan handed to HiGHS as its first incumbent) may
//! only speed a solve up: the optimum must be the one a cold solve finds.

use cartnet::input::{Instance, Override, Scenario};
use cartnet::network::Network;
use cartnet::plan::Provenance;
use cartnet::solve::SolveOptions;
use cartnet::{Outcome, optimize_with_values};
use std::path::Path;
use std::sync::Arc;

fn total(outcome: &Outcome) -> f64 {
    match outcome {
        Outcome::Plan(p) => {
            assert_eq!(p.solver.status, cartnet::solve::Status::Optimal);
            p.cost.total
        }
        other => panic!("expected a plan, got {other:?}"),
    }
}

#[test]
fn a_neighbours_plan_as_start_keeps_the_optimum() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let instance = Instance::load(&root.join("data/demo")).unwrap();
    let provenance = || Provenance {
        data: "data/demo",
        model: "baseline",
    };
    let scenario = |setup: &str| {
        let o = [Override::parse(&format!("site.setup_cost_owned={setup}")).unwrap()];
        Scenario::load(&root.join("models/baseline.toml"), &o).unwrap()
    };
    let options = SolveOptions {
        threads: Some(1),
        ..SolveOptions::default()
    };

    let base = scenario("1.5e6");
    let network = Network::build(&instance, &base);
    let (first, values) =
        optimize_with_values(&instance, &base, &network, &options, provenance()).unwrap();
    assert!(!values.is_empty());

    // The neighbour: setup cost doubled (same arcs, same columns).
    let next = scenario("3e6");
    let next_network = Network::build(&instance, &next);
    let (cold, _) =
        optimize_with_values(&instance, &next, &next_network, &options, provenance()).unwrap();
    let warm_options = SolveOptions {
        initial_solution: Some(Arc::new(values)),
        ..options.clone()
    };
    let (warm, _) =
        optimize_with_values(&instance, &next, &next_network, &warm_options, provenance()).unwrap();
    assert_eq!(total(&warm), total(&cold));
    assert!(total(&cold) > total(&first));

    // A start of the wrong length is ignored, not an error.
    let bad = SolveOptions {
        initial_solution: Some(Arc::new(vec![0.0; 3])),
        ..options
    };
    let (again, _) =
        optimize_with_values(&instance, &next, &next_network, &bad, provenance()).unwrap();
    assert_eq!(total(&again), total(&cold));
}
