//! The two-stage pipeline on the demo, futures made by hand (the scenario files come later).

use cartnet::Outcome;
use cartnet::input::Instance;
use cartnet::input::scenario::{Override, Scenario};
use cartnet::network::Network;
use cartnet::plan::Provenance;
use cartnet::solve::SolveOptions;
use cartnet::stochastic::{Future, Futures, optimize_two_stage};
use std::path::Path;

fn future(id: &str, p: f64, scale: f64, sets: &[&str]) -> Future {
    let mut instance = Instance::load(Path::new("data/demo")).unwrap();
    for d in &mut instance.demand {
        d.patients *= scale;
    }
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let scenario = Scenario::load(Path::new("models/baseline.toml"), &overrides).unwrap();
    let network = Network::build(&instance, &scenario);
    Future {
        id: id.into(),
        probability: p,
        demand_scale: scale,
        demand_patients: Default::default(),
        instance,
        scenario,
        network,
    }
}

#[test]
fn two_scenarios_on_the_demo() {
    let futures = Futures {
        list: vec![future("low", 0.5, 0.6, &[]), future("high", 0.5, 1.4, &[])],
        expected: future("expected", 1.0, 1.0, &[]),
        origin: "test".into(),
        risk: None,
    };
    let base = Scenario::load(Path::new("models/baseline.toml"), &[]).unwrap();
    let t = std::time::Instant::now();
    let out = optimize_two_stage(
        &futures,
        &base,
        &SolveOptions::default(),
        &cartnet::stochastic::TwoStageOptions {
            jobs: 2,
            method: std::env::var("METHOD").ok().map(|m| {
                if m == "ext" {
                    cartnet::stochastic::Method::ExtensiveForm
                } else {
                    cartnet::stochastic::Method::Decomposition
                }
            }),
        },
        Provenance {
            data: "data/demo",
            model: "baseline",
        },
    )
    .unwrap();
    let Outcome::Plan(plan) = out else {
        panic!("{out:?}")
    };
    let s = plan.stochastic.as_ref().unwrap();
    eprintln!("{:.1}s solver {:?}", t.elapsed().as_secs_f64(), plan.solver);
    eprintln!(
        "rp {} ws {} eev {:?} vss {:?} evpi {}",
        s.rp, s.ws, s.eev, s.vss, s.evpi
    );
    for r in &s.regret {
        eprintln!("{:?}", r);
    }
    assert!(s.ws <= s.rp + 1.0);
    assert!(s.eev.unwrap() >= s.rp - 1.0);
}

#[test]
#[ignore]
fn many_scenarios_on_the_demo() {
    let n: usize = std::env::var("N").map_or(10, |v| v.parse().unwrap());
    let list = (0..n)
        .map(|i| {
            let z = (i as f64 + 0.5) / n as f64; // spread 0.6..1.4 and in vivo share 0..0.5
            let share = format!("demand.in_vivo_share={}", (z * 0.5 * 100.0).round() / 100.0);
            future(
                &format!("s{i}"),
                1.0 / n as f64,
                0.6 + 0.8 * ((i * 7) % n) as f64 / n as f64,
                &[&share],
            )
        })
        .collect();
    let futures = Futures {
        list,
        expected: future("expected", 1.0, 1.0, &["demand.in_vivo_share=0.25"]),
        origin: "test".into(),
        risk: None,
    };
    let base = Scenario::load(Path::new("models/baseline.toml"), &[]).unwrap();
    let t = std::time::Instant::now();
    let out = optimize_two_stage(
        &futures,
        &base,
        &SolveOptions::default(),
        &cartnet::stochastic::TwoStageOptions {
            jobs: 2,
            method: std::env::var("METHOD").ok().map(|m| {
                if m == "ext" {
                    cartnet::stochastic::Method::ExtensiveForm
                } else {
                    cartnet::stochastic::Method::Decomposition
                }
            }),
        },
        Provenance {
            data: "data/demo",
            model: "baseline",
        },
    )
    .unwrap();
    let Outcome::Plan(plan) = out else {
        panic!("{out:?}")
    };
    let s = plan.stochastic.as_ref().unwrap();
    eprintln!("{:.1}s solver {:?}", t.elapsed().as_secs_f64(), plan.solver);
    eprintln!(
        "rp {} ws {} eev {:?} vss {:?} evpi {}",
        s.rp, s.ws, s.eev, s.vss, s.evpi
    );
}
