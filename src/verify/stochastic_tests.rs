//! The rules that tie a two-stage plan's scenarios together, on a plan made by hand: two
//! scenarios, "low" (π 0.25, cost 100) and "high" (π 0.75, cost 200), whose expected lines are
//! worked out below; RP 175, WS 165, EEV 180.

use super::*;
use serde_json::json;

fn cost(lines: [f64; 7]) -> Value {
    let keys = &COST_KEYS[1..];
    let mut v = json!({ "total": lines.iter().sum::<f64>() });
    for (k, x) in keys.iter().zip(lines) {
        v[*k] = json!(x);
    }
    v
}

fn sites(platforms: f64, status: &str) -> Value {
    json!([
        { "id": "S1", "status": status, "platforms": platforms },
        { "id": "S2", "status": "closed", "platforms": 0 },
    ])
}

/// The hand-made plan: each expected line is 0.25 · low + 0.75 · high (batches 0.25 · 10 +
/// 0.75 · 70 = 55, transport 2.5 + 22.5 = 25, travel and penalty 1.25 + 11.25 = 12.5).
fn plan() -> Value {
    json!({
        "cost": cost([40.0, 20.0, 10.0, 55.0, 25.0, 12.5, 12.5]),
        "sites": sites(2.0, "owned"),
        "scenarios": [
            { "id": "low", "probability": 0.25, "sites": sites(2.0, "owned"),
              "cost": cost([40.0, 20.0, 10.0, 10.0, 10.0, 5.0, 5.0]) },
            { "id": "high", "probability": 0.75, "sites": sites(2.0, "owned"),
              "cost": cost([40.0, 20.0, 10.0, 70.0, 30.0, 15.0, 15.0]) },
        ],
        "stochastic": {
            "scenarios": 2, "rp": 175.0, "ws": 165.0, "eev": 180.0, "vss": 5.0, "evpi": 10.0,
            "regret": [
                { "design": "this plan", "costs": [100.0, 200.0], "expected": 175.0, "worst": 200.0 },
                { "design": "expected value", "costs": [120.0, 200.0], "expected": 180.0, "worst": 200.0 },
                { "design": "scenario low", "costs": [90.0, null], "expected": null, "worst": null },
            ],
        },
    })
}

fn read(plan: &Value) -> Vec<Scn<'_>> {
    plan["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Scn {
            id: s["id"].as_str().unwrap().to_string(),
            probability: s["probability"].as_f64(),
            cost: &s["cost"],
        })
        .collect()
}

/// The violations of the rules across scenarios (not the scenarios' own checks).
fn rules(plan: &Value) -> Vec<String> {
    let mut c = Checker {
        violations: Vec::new(),
    };
    let r = read(plan);
    for s in plan["scenarios"].as_array().unwrap() {
        design(&mut c, plan, s, s["id"].as_str().unwrap());
    }
    probabilities(&mut c, &r);
    expected_cost(&mut c, plan, &r);
    measures(&mut c, plan, &r);
    regret(&mut c, plan, &r);
    c.violations.iter().map(ToString::to_string).collect()
}

fn edited(edit: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut p = plan();
    edit(&mut p);
    rules(&p)
}

#[test]
fn the_hand_made_plan_holds() {
    assert_eq!(rules(&plan()), Vec::<String>::new());
}

#[test]
fn cvar_is_the_quantile_plus_the_mean_excess() {
    let p = [0.25; 4];
    assert_eq!(cvar(&[10.0, 40.0, 20.0, 30.0], &p, 0.5), (20.0, 35.0));
    assert_eq!(cvar(&[10.0, 40.0, 20.0, 30.0], &p, 0.0).1, 25.0);
    // 0.95 / 0.05 at α 0.9: η is the low cost, half the tail is the bad one
    let (eta, c) = cvar(&[100.0, 1000.0], &[0.95, 0.05], 0.9);
    assert_eq!(eta, 100.0);
    assert!((c - 550.0).abs() < 1e-9, "{c}");
    assert_eq!(cvar(&[100.0, 1000.0], &[0.95, 0.05], 1.0).1, 1000.0);
}

#[test]
fn a_scenario_off_the_design_is_caught() {
    let v = edited(|p| p["scenarios"][1]["sites"][0]["platforms"] = json!(3));
    assert_eq!(
        v,
        [
            "[design] scenario high: site S1 is owned with 3 platforms, but the design (the plan's \
          sites) has it owned with 2 platforms: one design serves every scenario"
        ]
    );
    let v = edited(|p| p["scenarios"][0]["sites"][1]["status"] = json!("franchise"));
    assert!(
        v[0].starts_with("[design] scenario low: site S2 is franchise"),
        "{v:?}"
    );
    let v = edited(|p| p["scenarios"][0]["sites"][1]["id"] = json!("S9"));
    assert_eq!(
        v,
        [
            "[design] scenario low: lists no site S2 of the design (the plan's sites)",
            "[design] scenario low: site S9 is not in the design (the plan's sites)",
        ]
    );
}

#[test]
fn probabilities_are_at_least_0_and_sum_to_1() {
    let v = edited(|p| {
        p["scenarios"][0]["probability"] = json!(-0.25);
        p["scenarios"][1]["probability"] = json!(1.25);
    });
    assert!(
        v.contains(
            &"[probability] scenario low: its probability is -0.25: a probability is at least 0"
                .to_string()
        ),
        "{v:?}"
    );
    let v = edited(|p| p["scenarios"][0]["probability"] = json!(0.2500000001));
    assert_eq!(v.len(), 0, "{v:?}");
    let v = edited(|p| p["scenarios"][0]["probability"] = json!(0.26));
    assert!(
        v[0].starts_with("[probability] the scenarios' probabilities sum to 1.01;"),
        "{v:?}"
    );
}

#[test]
fn the_cost_lines_are_the_expectation_to_a_cent_per_scenario() {
    // two scenarios: 2 cents a line of rounding
    assert_eq!(edited(|p| p["cost"]["batches"] = json!(55.015)).len(), 0);
    let v = edited(|p| p["cost"]["batches"] = json!(55.03));
    assert_eq!(
        v,
        [
            "[expected_cost] cost.batches: the plan says $55.03, but Σ π · the scenarios' \
          cost.batches is $55.00 (a two-stage plan's cost is the expectation over its \
          scenarios); off by $0.03"
        ]
    );
    let v = edited(|p| p["scenarios"][1]["cost"]["total"] = json!(201.0));
    assert!(
        v[0].starts_with("[expected_cost] cost.total: the plan says $175.00, but Σ π"),
        "{v:?}"
    );
}

#[test]
fn rp_vss_evpi_and_the_count_are_recomputed() {
    let v = edited(|p| p["stochastic"]["evpi"] = json!(11.0));
    assert_eq!(
        v,
        ["[measures] stochastic.evpi is $11.00, but RP - WS = $175.00 - $165.00 = $10.00"]
    );
    let v = edited(|p| p["stochastic"]["vss"] = json!(4.0));
    assert_eq!(
        v,
        ["[measures] stochastic.vss is $4.00, but EEV - RP = $180.00 - $175.00 = $5.00"]
    );
    let v = edited(|p| p["stochastic"]["rp"] = json!(176.0));
    assert!(
        v[0].starts_with("[measures] stochastic.rp is $176.00, but the plan's expected cost"),
        "{v:?}"
    );
    let v = edited(|p| p["stochastic"]["scenarios"] = json!(3));
    assert_eq!(
        v,
        ["[measures] stochastic.scenarios is 3, but the plan lists 2 scenarios"]
    );
    // no EEV (the expected-value design cannot serve a scenario): no VSS either
    let v = edited(|p| {
        p["stochastic"]["eev"] = Value::Null;
        p["stochastic"]["regret"][1]["expected"] = Value::Null;
        p["stochastic"]["regret"][1]["worst"] = Value::Null;
        p["stochastic"]["regret"][1]["costs"][1] = Value::Null;
    });
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].starts_with("[measures] stochastic.vss is $5.00, but stochastic.eev is null"),
        "{v:?}"
    );
}

#[test]
fn the_risk_measures_are_recomputed() {
    // α 0.5: low holds 0.25, so η is high's 200 and the tail is empty: CVaR 200;
    // objective 0.5 · 175 + 0.5 · 200 = 187.5
    let risk = |cvar: f64, objective: f64| {
        edited(|p| {
            p["stochastic"]["risk"] = json!({ "cvar_alpha": 0.5, "risk_weight": 0.5,
                                              "cvar": cvar, "objective": objective });
        })
    };
    assert_eq!(risk(200.0, 187.5).len(), 0);
    let v = risk(190.0, 182.5);
    assert_eq!(
        v,
        [
            "[measures] stochastic.risk.cvar is $190.00, but the scenarios' costs give CVaR_0.5 = η \
          + Σ π (c - η)⁺ / (1 - α) = $200.00 (η = $200.00, their 0.5-quantile)"
        ]
    );
    let v = risk(200.0, 190.0);
    assert_eq!(
        v,
        [
            "[measures] stochastic.risk.objective is $190.00, but (1 - λ)·RP + λ·CVaR = (1 - \
          0.5)·$175.00 + 0.5·$200.00 = $187.50"
        ]
    );
}

#[test]
fn the_regret_rows_are_recomputed() {
    let v = edited(|p| p["stochastic"]["regret"][0]["expected"] = json!(176.0));
    assert_eq!(
        v,
        [
            "[regret] stochastic.regret[0].expected (\"this plan\") is $176.00, but Σ π · its costs is $175.00"
        ]
    );
    let v = edited(|p| p["stochastic"]["regret"][1]["worst"] = json!(120.0));
    assert_eq!(
        v,
        [
            "[regret] stochastic.regret[1].worst (\"expected value\") is $120.00, but its largest cost is $200.00"
        ]
    );
    let v = edited(|p| p["stochastic"]["regret"][2]["expected"] = json!(90.0));
    assert!(
        v[0].contains("(\"scenario low\") is $90.00, but Σ π · its costs is null"),
        "{v:?}"
    );
    let v = edited(|p| {
        p["stochastic"]["regret"][0]["costs"][1] = json!(210.0);
        p["stochastic"]["regret"][0]["expected"] = json!(182.5);
        p["stochastic"]["regret"][0]["worst"] = json!(210.0);
    });
    assert_eq!(
        v,
        [
            "[regret] stochastic.regret[0].costs[1] (\"this plan\" in scenario high) is $210.00, but \
          that scenario's cost.total is $200.00"
        ]
    );
    let v = edited(|p| p["stochastic"]["regret"][1]["costs"] = json!([120.0]));
    assert!(v[0].contains("lists 1 costs for 2 scenarios"), "{v:?}");
    let v = edited(|p| p["stochastic"]["regret"][0]["design"] = json!("mine"));
    assert_eq!(v, ["[regret] stochastic.regret has no row \"this plan\""]);
}

#[test]
fn the_expected_value_row_is_eev() {
    let v = edited(|p| p["stochastic"]["eev"] = json!(181.0));
    assert!(v.iter().any(|x| x.starts_with("[regret] stochastic.regret[1].expected (\"expected value\") is $180.00, but stochastic.eev is $181.00")), "{v:?}");
}
