//! `cartnet verify` on a two-stage plan (DESIGN §10), through the real binary: a plan made on
//! the demo with two scenarios (one scaled down, one scaled up with a demand point's patients
//! set and an in vivo share of its own) holds; each kind of tampering is caught with its message
//! and exit code 1 (a scenario's site platforms, a scenario's flow, a probability, EVPI, the
//! regret table's expected cost, the risk measures).

mod common;

use cartnet::Outcome;
use cartnet::input::Instance;
use cartnet::input::scenario::{Override, Scenario};
use cartnet::network::Network;
use cartnet::plan::Provenance;
use cartnet::solve::SolveOptions;
use cartnet::stochastic::{Future, Futures, Method, TwoStageOptions, optimize_two_stage};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::OnceLock;

use common::{ROOT, assert_caught, verify_plan};

/// The demand point whose patients the "high" scenario sets, and to how many.
const SET_POINT: &str = "D36047";
const SET_PATIENTS: f64 = 60.0;

/// A future of the demo: patients times `scale` (and `set` patients at points), `sets` on the
/// baseline model.
fn future(id: &str, p: f64, scale: f64, set: &[(&str, f64)], sets: &[&str]) -> Future {
    let root = Path::new(ROOT);
    let mut instance = Instance::load(&root.join("data/demo")).unwrap();
    for d in &mut instance.demand {
        d.patients = match set.iter().find(|(id, _)| *id == d.id) {
            Some(&(_, v)) => v,
            None => d.patients * scale,
        };
    }
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let scenario = Scenario::load(&root.join("models/baseline.toml"), &overrides).unwrap();
    let network = Network::build(&instance, &scenario);
    Future {
        id: id.into(),
        probability: p,
        demand_scale: scale,
        demand_patients: set.iter().map(|&(k, v)| (k.to_string(), v)).collect(),
        instance,
        scenario,
        network,
    }
}

/// The two-stage plan of the demo over "low" (0.4, 0.7 x demand) and "high" (0.6, 1.3 x demand,
/// 60 patients at D36047, in vivo share 0.1), as plan.json holds it.
fn plan() -> &'static Value {
    static PLAN: OnceLock<Value> = OnceLock::new();
    PLAN.get_or_init(|| {
        let high_set = [(SET_POINT, SET_PATIENTS)];
        let futures = Futures {
            list: vec![
                future("low", 0.4, 0.7, &[], &[]),
                future("high", 0.6, 1.3, &high_set, &["demand.in_vivo_share=0.1"]),
            ],
            expected: future("expected", 1.0, 1.0, &[], &["demand.in_vivo_share=0.06"]),
            origin: "test".into(),
            risk: None,
        };
        let base = Scenario::load(&Path::new(ROOT).join("models/baseline.toml"), &[]).unwrap();
        let options = SolveOptions {
            gap: 1e-4,
            ..SolveOptions::default()
        };
        let two_stage = TwoStageOptions {
            jobs: 2,
            method: Some(Method::ExtensiveForm),
        };
        let provenance = Provenance {
            data: "data/demo",
            model: "models/baseline.toml",
        };
        let out = optimize_two_stage(&futures, &base, &options, &two_stage, provenance).unwrap();
        let Outcome::Plan(plan) = out else {
            panic!("the demo has a two-stage plan: {out:?}")
        };
        let dir = tempfile::tempdir().unwrap();
        let instance = Instance::load(&Path::new(ROOT).join("data/demo")).unwrap();
        cartnet::export::write_plan(dir.path(), &plan, &instance).unwrap();
        let text = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    })
}

/// The index of scenario `id` in `scenarios[]`.
fn scenario(plan: &Value, id: &str) -> usize {
    plan["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["id"] == id)
        .unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is a number"))
}

#[test]
fn a_two_stage_plan_holds() {
    let plan = plan();
    assert_eq!(plan["scenarios"].as_array().unwrap().len(), 2);
    let high = &plan["scenarios"][scenario(plan, "high")];
    assert_eq!(high["demand"]["patients"][SET_POINT], SET_PATIENTS);
    let r = verify_plan(plan, &[]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("the plan holds"), "{}", r.stdout);
    assert!(r.stdout.contains("shared by 2 scenarios"), "{}", r.stdout);
}

#[test]
fn a_scenarios_platforms_off_the_design_are_caught() {
    let plan = plan();
    let h = scenario(plan, "high");
    let s = plan["scenarios"][h]["sites"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["status"] != "closed")
        .expect("the design opens a site");
    let id = plan["scenarios"][h]["sites"][s]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let platforms = f(&plan["scenarios"][h]["sites"][s]["platforms"]);
    let expected = format!("[design] scenario high: site {id} is ");
    assert_caught(
        plan,
        |p| p["scenarios"][h]["sites"][s]["platforms"] = json!(platforms + 1.0),
        &[],
        &[&expected, "one design serves every scenario"],
    );
}

#[test]
fn a_changed_scenario_flow_is_caught_against_that_scenarios_data() {
    let plan = plan();
    let h = scenario(plan, "high");
    // the set point's flows carry its 60 patients (less the in vivo share), not 1.3 x demand.csv
    let flows = plan["scenarios"][h]["patient_flows"].as_array().unwrap();
    let i = flows.iter().position(|x| x["demand"] == SET_POINT).unwrap();
    let patients = f(&flows[i]["patients"]);
    assert_caught(
        plan,
        |p| p["scenarios"][h]["patient_flows"][i]["patients"] = json!(patients + 3.0),
        &[],
        &[
            "[demand] scenario high: demand point D36047: ",
            "but the scenario's demand.patients has 60 patients",
        ],
    );
    // the scenario's data is rebuilt from what it records: another scale, or the set point
    // scaled like the rest, leaves its flows short of (or above) its demand
    assert_caught(
        plan,
        |p| p["scenarios"][h]["demand"]["scale"] = json!(1.2),
        &[],
        &[
            "[demand] scenario high: demand point",
            "but demand.csv x the scenario's demand.scale 1.2 has",
        ],
    );
    let set_point = format!("[demand] scenario high: demand point {SET_POINT}: ");
    assert_caught(
        plan,
        |p| p["scenarios"][h]["demand"]["patients"] = json!({}),
        &[],
        &[&set_point],
    );
}

#[test]
fn a_changed_probability_is_caught() {
    let plan = plan();
    let l = scenario(plan, "low");
    assert_caught(
        plan,
        |p| p["scenarios"][l]["probability"] = json!(0.5),
        &[],
        &[
            "[probability] the scenarios' probabilities sum to 1.1",
            "[expected_cost] cost.total: the plan says",
        ],
    );
    assert_caught(
        plan,
        |p| p["scenarios"][l]["probability"] = json!(-0.4),
        &[],
        &["[probability] scenario low: its probability is -0.4"],
    );
}

#[test]
fn a_changed_evpi_is_caught() {
    let plan = plan();
    let evpi = f(&plan["stochastic"]["evpi"]);
    assert_caught(
        plan,
        |p| p["stochastic"]["evpi"] = json!(evpi + 100.0),
        &[],
        &["[measures] stochastic.evpi is", "but RP - WS ="],
    );
    let vss = plan["stochastic"]["vss"].as_f64();
    if let Some(vss) = vss {
        assert_caught(
            plan,
            |p| p["stochastic"]["vss"] = json!(vss - 1.0),
            &[],
            &["[measures] stochastic.vss is", "but EEV - RP ="],
        );
    }
}

#[test]
fn a_changed_regret_expectation_is_caught() {
    let plan = plan();
    let rows = plan["stochastic"]["regret"].as_array().unwrap();
    let r = rows
        .iter()
        .position(|x| x["design"] == "this plan")
        .unwrap();
    let expected = f(&rows[r]["expected"]);
    let message = format!("[regret] stochastic.regret[{r}].expected (\"this plan\") is");
    assert_caught(
        plan,
        |p| p["stochastic"]["regret"][r]["expected"] = json!(expected + 50.0),
        &[],
        &[&message, "but Σ π · its costs is"],
    );
    let cost = f(&rows[r]["costs"][0]);
    let message = format!("[regret] stochastic.regret[{r}].costs[0] (\"this plan\" in scenario");
    assert_caught(
        plan,
        |p| p["stochastic"]["regret"][r]["costs"][0] = json!(cost + 50.0),
        &[],
        &[&message],
    );
}

/// CVaR of two scenarios worked by hand, with the solver's objective set to the blend.
fn with_risk(plan: &Value, cvar: f64, objective: f64) -> Value {
    let mut p = plan.clone();
    p["stochastic"]["risk"] = json!({
        "cvar_alpha": 0.5, "risk_weight": 0.25, "cvar": cvar, "objective": objective,
    });
    p["solver"]["objective"] = json!(objective);
    p["solver"]["best_bound"] = json!(objective);
    p["solver"]["gap"] = json!(0.0);
    p
}

#[test]
fn the_risk_measures_are_recomputed() {
    let plan = plan();
    let cost = |id: &str| f(&plan["scenarios"][scenario(plan, id)]["cost"]["total"]);
    let (low, high) = (cost("low"), cost("high"));
    assert!(high > low);
    // α = 0.5: low has 0.4, so the 0.5-quantile is high's cost and the tail is high alone
    let cvar = (high * 100.0).round() / 100.0;
    let rp = f(&plan["stochastic"]["rp"]);
    let objective = ((0.75 * rp + 0.25 * cvar) * 100.0).round() / 100.0;
    let good = with_risk(plan, cvar, objective);
    let r = verify_plan(&good, &[]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert_caught(
        &with_risk(plan, cvar - 1000.0, objective),
        |_| {},
        &[],
        &["[measures] stochastic.risk.cvar is", "CVaR_0.5"],
    );
    assert_caught(
        &with_risk(plan, cvar, objective + 1000.0),
        |_| {},
        &[],
        &["[measures] stochastic.risk.objective is"],
    );
}

#[test]
fn flows_on_top_and_a_wrong_scenario_count_are_caught() {
    let plan = plan();
    let h = scenario(plan, "high");
    let flow = plan["scenarios"][h]["batch_flows"][0].clone();
    assert_caught(
        plan,
        |p| {
            p["batch_flows"] = json!([flow]);
            p["stochastic"]["scenarios"] = json!(3);
        },
        &[],
        &[
            "[plan] batch_flows lists 1 rows: a two-stage plan lists them per scenario",
            "[measures] stochastic.scenarios is 3, but the plan lists 2 scenarios",
        ],
    );
}

#[test]
fn a_repeated_scenario_flow_is_e603() {
    let mut plan = plan().clone();
    let h = scenario(&plan, "high");
    let flow = plan["scenarios"][h]["batch_flows"][0].clone();
    plan["scenarios"][h]["batch_flows"]
        .as_array_mut()
        .unwrap()
        .push(flow);
    let r = verify_plan(&plan, &[]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    let first =
        format!("1 flow row repeats an earlier one; the first is scenarios[{h}].batch_flows[");
    assert!(
        r.stderr.contains("E603 ") && r.stderr.contains(&first),
        "{}",
        r.stderr
    );
}
