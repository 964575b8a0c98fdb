//! Interchangeable demand points solved as groups (one demand row each), reported per point.
//!
//! The instance, under the clean scenario of tests/tiny.rs (CRF 1/10, no failed batches, free
//! transport, patients at 50 km/h so the 2 h limit is 100 km; 1 degree of longitude on the
//! equator is 111.195 km):
//!
//! | point | patients | place     | reaches                       |
//! |-------|----------|-----------|-------------------------------|
//! | A     | 4        | (0, 0.25) | H1 (27.8 km), H2 (27.8 km)    |
//! | B     | 6        | (0, 0.25) | H1, H2                        |
//! | C     | 10       | (0, 0.25) | H1, H2                        |
//! | D     | 5        | (0, -0.5) | H1 (55.6 km); H2 is 111 km    |
//! | E     | 2        | (0, -0.5) | H1                            |
//! | F     | 3        | (0, 5)    | nothing (500 km)              |
//! | G     | 1        | (0, -5)   | nothing                       |
//!
//! so the groups are {A, B, C} (20 patients), {D, E} (7) and {F, G} (4, never served).
//! H1 at (0, 0) treats at most 12 patients a year, H2 at (0, 0.5) at most 8; one owned-only
//! regional site S1 at (0, 0) reaches both. At most 20 of the 31 patients can be treated, and
//! each treated patient saves the 1,000,000 penalty for at most 120,000 + a platform, so the
//! optimum treats 20 on one platform:
//!   225,000 + 1,000,000 + 150,000 + 20 × 120,000 = 3,775,000, plus 11 × 1,000,000 unserved,
//!   total 14,775,000.
//! H2's 8 come from {A, B, C}; H1's 12 from either group: which split is one of several optima,
//! but within a group every member is served in the same proportions.

mod common;

use common::{CLEAN, Instance, assert_rel};
use serde_json::Value;
use std::collections::HashMap;

const DEMAND: &str = "id,lat,lon,patients\n\
A,0,0.25,4\nB,0,0.25,6\nC,0,0.25,10\nD,0,-0.5,5\nE,0,-0.5,2\nF,0,5,3\nG,0,-5,1\n";
const HOSPITALS: &str = "id,lat,lon,max_patients\nH1,0,0,12\nH2,0,0.5,8\n";
const SITES: &str = "id,lat,lon,kind,allow\nS1,0,0,regional,owned\n";

fn patients() -> HashMap<&'static str, f64> {
    HashMap::from([
        ("A", 4.0),
        ("B", 6.0),
        ("C", 10.0),
        ("D", 5.0),
        ("E", 2.0),
        ("F", 3.0),
        ("G", 1.0),
    ])
}

/// Each point's flows by hospital and its unserved patients, from the plan.
fn per_point(plan: &Value) -> (HashMap<String, HashMap<String, f64>>, HashMap<String, f64>) {
    let mut flows: HashMap<String, HashMap<String, f64>> = HashMap::new();
    for f in plan["patient_flows"].as_array().unwrap() {
        *flows
            .entry(f["demand"].as_str().unwrap().into())
            .or_default()
            .entry(f["hospital"].as_str().unwrap().into())
            .or_default() += f["patients"].as_f64().unwrap();
    }
    let mut unserved = HashMap::new();
    for u in plan["unserved"].as_array().unwrap() {
        *unserved
            .entry(u["demand"].as_str().unwrap().into())
            .or_default() += u["patients"].as_f64().unwrap();
    }
    (flows, unserved)
}

/// Asserts the members of `group` are served in the same proportions: each flow and the
/// unserved patients are the same share of the member's patients; and that each member's flows
/// and unserved patients add up to its patients.
#[track_caller]
fn assert_proportional(plan: &Value, group: &[&str]) {
    let p = patients();
    let (flows, unserved) = per_point(plan);
    let share = |d: &str| -> (f64, f64, f64) {
        let f = flows.get(d);
        let at = |h: &str| f.and_then(|f| f.get(h)).copied().unwrap_or(0.0);
        let u = unserved.get(d).copied().unwrap_or(0.0);
        assert_rel(
            at("H1") + at("H2") + u,
            p[d],
            1e-9,
            &format!("{d}: balance"),
        );
        (at("H1") / p[d], at("H2") / p[d], u / p[d])
    };
    let first = share(group[0]);
    for d in &group[1..] {
        let s = share(d);
        for (a, b, what) in [
            (s.0, first.0, "H1"),
            (s.1, first.1, "H2"),
            (s.2, first.2, "u"),
        ] {
            assert!(
                (a - b).abs() <= 1e-9,
                "{d} and {}: {what} shares {a} and {b} differ",
                group[0]
            );
        }
    }
}

/// The patients each hospital treats in the plan.
fn treated(plan: &Value, h: &str) -> f64 {
    plan["patient_flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["hospital"] == h)
        .map(|f| f["patients"].as_f64().unwrap())
        .sum()
}

/// Runs `cartnet verify` on the plan in `plan_dir` (against the scenario it records).
fn verify(instance: &Instance, plan_dir: &std::path::Path) {
    let out = assert_cmd::Command::cargo_bin("cartnet")
        .unwrap()
        .arg("verify")
        .arg(plan_dir.join("plan.json"))
        .arg("--data")
        .arg(instance.data_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cartnet verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn groups_solve_to_the_hand_derived_optimum_and_split_in_proportion() {
    let instance = Instance::new(DEMAND, HOSPITALS, SITES, None, CLEAN);
    // the 1- and 2-year models, each re-checked by common::check_plan
    let plan = instance.solve_ok_horizons(&[]);
    assert_eq!(plan["solver"]["status"], "optimal");
    assert_rel(
        plan["cost"]["total"].as_f64().unwrap(),
        14_775_000.0,
        1e-9,
        "total",
    );
    assert_rel(
        plan["cost"]["unmet_penalty"].as_f64().unwrap(),
        11_000_000.0,
        1e-9,
        "penalty",
    );
    let counts = &plan["instance"]["counts"];
    assert_eq!(counts["demand_points"], 7);
    assert_eq!(counts["patient_arcs"], 8, "the network's arcs are reported");
    assert_eq!(counts["demand_groups"], 3);
    assert_rel(treated(&plan, "H1"), 12.0, 1e-9, "H1 treats its capacity");
    assert_rel(treated(&plan, "H2"), 8.0, 1e-9, "H2 treats its capacity");
    assert_proportional(&plan, &["A", "B", "C"]);
    assert_proportional(&plan, &["D", "E"]);
    let (flows, unserved) = per_point(&plan);
    assert!(!flows.contains_key("F") && !flows.contains_key("G"));
    assert_eq!((unserved["F"], unserved["G"]), (3.0, 1.0));
    // H2's 8 patients are 40 % of each of A, B and C
    assert_rel(flows["A"]["H2"], 4.0 * 0.4, 1e-9, "A -> H2");
    assert_rel(flows["C"]["H2"], 10.0 * 0.4, 1e-9, "C -> H2");

    let run = instance.solve(&["--set", "horizon.years=2", "--set", "horizon.growth=0.1"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let two = run.plan.expect("a plan");
    // the plan's own (2-year) scenario; verify checks every year's rows and the NPV
    verify(&instance, &run.out);
    // growth applies to every point alike, so they stay in the same groups in both years
    for year in [1, 2] {
        let mut one = two.clone();
        for key in ["patient_flows", "unserved"] {
            let kept: Vec<Value> = two[key]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["year"] == year)
                .cloned()
                .collect();
            one[key] = Value::Array(kept);
        }
        let p = patients();
        let (flows, unserved) = per_point(&one);
        for d in ["A", "B", "C", "D", "E"] {
            let total: f64 = flows.get(d).map_or(0.0, |f| f.values().sum())
                + unserved.get(d).copied().unwrap_or(0.0);
            let grown = p[d] * if year == 1 { 1.0 } else { 1.1 };
            assert_rel(total, grown, 1e-9, &format!("{d} in year {year}"));
        }
    }
}

#[test]
fn points_with_their_own_cost_or_growth_stay_apart_at_the_same_optimum() {
    // a lane gives C -> H2 a cost, E has its own growth: 5 groups, {A, B}, {C}, {D}, {E}, {F, G}
    let lanes = "from,to,hours,cost\nC,H2,0.6,500\n";
    let demand = "id,lat,lon,patients,growth\n\
A,0,0.25,4,\nB,0,0.25,6,\nC,0,0.25,10,\nD,0,-0.5,5,\nE,0,-0.5,2,0.2\nF,0,5,3,\nG,0,-5,1,\n";
    let instance = Instance::new(demand, HOSPITALS, SITES, Some(lanes), CLEAN);
    let run = instance.solve(&["-v"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("7 demand points in 5 groups of interchangeable points"),
        "-v names the groups: {}",
        run.stderr
    );
    let plan = run.plan.expect("a plan");
    common::check_plan(&plan, &instance.data_dir());
    verify(&instance, &run.out);
    assert_eq!(plan["instance"]["counts"]["demand_groups"], 5);
    // H2's 8 come from A and B (10 patients) at no cost; C's lane to H2 is not needed
    assert_rel(
        plan["cost"]["total"].as_f64().unwrap(),
        14_775_000.0,
        1e-9,
        "total",
    );
    assert_eq!(plan["cost"]["patient_travel"].as_f64(), Some(0.0));
    assert_proportional(&plan, &["A", "B"]);
}
