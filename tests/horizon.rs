//! The multi-year horizon (issue #8) on instances whose optimum is derived by hand.
//!
//! The instance of [`growing`]: one demand point D1 at hospital H1, an existing site S1 co-located
//! with H1 and a candidate regional site S2 5.6 km away. Each site has one platform of 10
//! batches a year; batches, platforms and transport are free and nothing fails, so a year costs
//! only the sites' fixed cost (100 each while open), the setup of S2 (500 one-off; annualized
//! over 5 years at rate 0 it is 100 a year) and 1,000 per patient left unserved.
//!
//! Demand is 8 patients in year 1 and grows 25 % a year: 10 in year 2, 12.5 in year 3. S1 alone
//! carries years 1 and 2; in year 3 the 2.5 patients above its 10 batches cost 2,500 unserved,
//! against 100 + 100 for S2's fixed cost and annualized setup. So S2 opens in year 3 exactly:
//! sooner costs 200 more a year, never costs 2,300 more.

mod common;

use assert_cmd::Command;
use common::{Instance, assert_rel};
use serde_json::Value;

const SCENARIO: &str = r#"
[site]
max_platforms = 1
setup_cost_owned = 500
fixed_cost_owned = 100
discount_rate = 0
amortization_years = 5
[platform]
batches_per_year = 10
cost_owned = 0
[batch]
cost_owned = 0
failure_rate = 0
[transport]
circuity = 1
ground_kmh = 100
patient_kmh = 50
air_threshold_km = 100000
ground_cost_fixed = 0
ground_cost_per_km = 0
[demand]
unserved_penalty = 1000
[horizon]
years = 3
growth = 0.25
discount_rate = 0
"#;

fn growing(demand_growth: &str, scenario_extra: &str) -> Instance {
    let (header, cell) = if demand_growth.is_empty() {
        ("", String::new())
    } else {
        (",growth", format!(",{demand_growth}"))
    };
    Instance::new(
        &format!("id,lat,lon,patients{header}\nD1,0,0,8{cell}\n"),
        "id,lat,lon,max_patients\nH1,0,0,\n",
        "id,lat,lon,kind,hospital,allow,existing\n\
         S1,0,0,colocated,H1,owned,true\n\
         S2,0,0.05,regional,,owned,false\n",
        None,
        &format!("{SCENARIO}{scenario_extra}"),
    )
}

/// Solves, asserts exit 0 with an optimal plan that `cartnet verify` accepts, returns the plan.
fn solve(inst: &Instance, args: &[&str]) -> Value {
    let run = inst.solve(args);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let plan = run.plan.expect("plan.json");
    assert_eq!(plan["solver"]["status"], "optimal", "{}", run.stdout);
    let verify = Command::cargo_bin("cartnet")
        .unwrap()
        .arg("verify")
        .arg(run.out.join("plan.json"))
        .arg("--data")
        .arg(inst.data_dir())
        .output()
        .unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "cartnet verify rejects the plan:\n{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    plan
}

fn year(plan: &Value, t: usize) -> &Value {
    &plan["years"][t - 1]
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

fn site<'a>(sites: &'a Value, id: &str) -> &'a Value {
    sites
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

#[test]
fn growth_forces_the_second_site_open_in_year_3() {
    let inst = growing("", "");
    let plan = solve(&inst, &[]);
    assert_rel(num(&plan["cost"]["total"]), 500.0, 1e-9, "NPV");
    assert_eq!(plan["years"].as_array().unwrap().len(), 3);
    for (t, patients, cost, open) in [(1, 8.0, 100.0, 1), (2, 10.0, 100.0, 1), (3, 12.5, 300.0, 2)]
    {
        let y = year(&plan, t);
        assert_rel(num(&y["kpis"]["patients_demand"]), patients, 1e-9, "demand");
        assert_rel(num(&y["kpis"]["patients_served"]), patients, 1e-9, "served");
        assert_rel(num(&y["cost"]["total"]), cost, 1e-9, "year cost");
        assert_eq!(y["kpis"]["sites_open"], open, "year {t}");
    }
    assert_eq!(year(&plan, 1)["opened"], serde_json::json!(["S1"]));
    assert_eq!(year(&plan, 2)["opened"], serde_json::json!([]));
    assert_eq!(year(&plan, 3)["opened"], serde_json::json!(["S2"]));
    assert_eq!(site(&plan["sites"], "S2")["opened_year"], 3);
    assert_eq!(site(&plan["sites"], "S2")["status"], "owned");
    assert_eq!(site(&year(&plan, 2)["sites"], "S2")["status"], "closed");
    // year 3's setup line is S2's annualized setup; the others have none
    assert_rel(num(&year(&plan, 3)["cost"]["setup"]), 100.0, 1e-9, "setup");
    assert_eq!(num(&year(&plan, 2)["cost"]["setup"]), 0.0);

    // the CSVs carry the year, and years.csv one row per year
    let out = inst.data_dir().parent().unwrap().join("out0");
    let batches = std::fs::read_to_string(out.join("batch_flows.csv")).unwrap();
    assert!(
        batches.starts_with("year,hospital,site,batches,"),
        "{batches}"
    );
    assert!(batches.contains("\n3,H1,S2,2.5,"), "{batches}");
    let sites = std::fs::read_to_string(out.join("sites.csv")).unwrap();
    assert_eq!(sites.lines().count(), 1 + 3 * 2, "{sites}");
    assert!(sites.contains("\n2,S2,closed,0,0,0\n"), "{sites}");
    let years = std::fs::read_to_string(out.join("years.csv")).unwrap();
    assert_eq!(years.lines().count(), 4, "{years}");
    assert!(years.lines().nth(3).unwrap().ends_with(",S2"), "{years}");
}

#[test]
fn lead_time_and_upfront_setup_are_discounted_from_the_decision_year() {
    // S2 must produce in year 3, so with a 1-year lead it is decided, and its whole setup paid,
    // in year 2: NPV = 100 + (100 + 500) / 1.1 + (100 + 100) / 1.1^2.
    // (the keys land in [horizon], the last table of SCENARIO)
    let inst = growing("", "lead_years = 1\nsetup = \"upfront\"\n");
    let plan = solve(&inst, &["--set", "horizon.discount_rate=0.1"]);
    let npv = 100.0 + 600.0 / 1.1 + 200.0 / 1.21;
    // (each cost line is rounded to the cent, and the total is their sum)
    assert!((num(&plan["cost"]["total"]) - npv).abs() <= 0.02, "NPV");
    assert_eq!(site(&plan["sites"], "S2")["opened_year"], 3);
    assert_rel(num(&year(&plan, 2)["cost"]["setup"]), 500.0, 1e-9, "setup");
    assert_eq!(num(&year(&plan, 3)["cost"]["setup"]), 0.0);
    assert_rel(
        num(&year(&plan, 2)["discount_factor"]),
        1.0 / 1.1,
        1e-6,
        "discount",
    );
}

#[test]
fn in_vivo_share_takes_patients_out_of_manufacturing() {
    // all patients in vivo: no batch is made and no site is opened (S1 exists and stays open)
    let inst = growing("", "");
    let plan = solve(&inst, &["--set", "demand.in_vivo_share=1"]);
    for t in 1..=3 {
        let y = year(&plan, t);
        assert_eq!(num(&y["kpis"]["batches"]), 0.0);
        assert_eq!(num(&y["kpis"]["patients_demand"]), 0.0);
        assert_eq!(y["kpis"]["sites_open"], 1);
    }
    assert_rel(
        num(&year(&plan, 3)["kpis"]["patients_in_vivo"]),
        12.5,
        1e-9,
        "in vivo",
    );
    assert_eq!(site(&plan["sites"], "S2")["status"], "closed");
    assert_rel(
        num(&plan["cost"]["total"]),
        300.0,
        1e-9,
        "S1's fixed cost only",
    );

    // one share per year: 20 % in vivo from year 2 leaves 10 ex vivo patients in year 3,
    // which S1 carries alone
    let plan = solve(&inst, &["--set", "demand.in_vivo_share=[0, 0.2, 0.2]"]);
    assert_rel(
        num(&year(&plan, 3)["kpis"]["patients_demand"]),
        10.0,
        1e-9,
        "ex vivo",
    );
    assert_rel(
        num(&year(&plan, 3)["kpis"]["patients_in_vivo"]),
        2.5,
        1e-9,
        "in vivo",
    );
    assert_eq!(site(&plan["sites"], "S2")["status"], "closed");
    assert_rel(num(&plan["cost"]["total"]), 300.0, 1e-9, "NPV");

    // a start value and yearly growth: 0 %, 10 %, 20 %
    let plan = solve(
        &inst,
        &[
            "--set",
            "demand.in_vivo_share=0",
            "--set",
            "demand.in_vivo_growth=0.1",
        ],
    );
    assert_rel(
        num(&year(&plan, 3)["kpis"]["patients_in_vivo"]),
        2.5,
        1e-9,
        "in vivo",
    );
}

#[test]
fn in_vivo_share_1_opens_no_site_on_the_demo() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::cargo_bin("cartnet")
        .unwrap()
        .args(["solve", "--set", "demand.in_vivo_share=1", "--out"])
        .arg(out.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let plan: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("plan.json")).unwrap()).unwrap();
    assert_eq!(plan["solver"]["status"], "optimal");
    assert_eq!(num(&plan["kpis"]["batches"]), 0.0);
    assert_rel(
        num(&plan["kpis"]["patients_in_vivo"]),
        559.3,
        1e-9,
        "in vivo",
    );
    // only the existing central plant, which is sunk and stays open, is open
    let open: Vec<&str> = plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "closed")
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["S-MORRIS"]);
}

#[test]
fn growth_column_overrides_the_scenario_rate() {
    // D1 does not grow: S1 carries every year and S2 never opens
    let inst = growing("0", "");
    let plan = solve(&inst, &[]);
    assert_rel(num(&plan["cost"]["total"]), 300.0, 1e-9, "NPV");
    assert_eq!(site(&plan["sites"], "S2")["status"], "closed");
    assert_rel(
        num(&year(&plan, 3)["kpis"]["patients_demand"]),
        8.0,
        1e-9,
        "demand",
    );
}

#[test]
fn platforms_are_only_added_unless_removal_is_allowed() {
    // Demand falls (growth -50 %: 8, 4, 2) at a site with 3 platforms of 3 batches that cost
    // 10 each a year: kept, the 3 platforms of year 1 cost 30 every year; with removal allowed
    // they follow demand (3, 2, 1 platforms).
    let inst = Instance::new(
        "id,lat,lon,patients\nD1,0,0,8\n",
        "id,lat,lon,max_patients\nH1,0,0,\n",
        "id,lat,lon,kind,hospital,allow,existing\nS1,0,0,colocated,H1,owned,true\n",
        None,
        &format!(
            "{}\n[kinds.colocated]\nplatform.cost_owned = 10\nplatform.batches_per_year = 3\nsite.max_platforms = 3\n",
            SCENARIO.replace("growth = 0.25", "growth = -0.5")
        ),
    );
    let kept = solve(&inst, &[]);
    let platforms = |p: &Value| -> Vec<u64> {
        (1..=3)
            .map(|t| year(p, t)["kpis"]["platforms"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(platforms(&kept), [3, 3, 3]);
    let removed = solve(&inst, &["--set", "horizon.platform_removal=true"]);
    assert_eq!(platforms(&removed), [3, 2, 1]);
    assert_rel(
        num(&kept["cost"]["total"]) - num(&removed["cost"]["total"]),
        30.0,
        1e-9,
        "two platform-years saved",
    );
}

#[test]
fn horizon_keys_are_checked() {
    let inst = growing("", "");
    for (set, expected) in [
        (
            "demand.in_vivo_share=[0.1, 0.2]",
            "E305 --set: column demand.in_vivo_share: a list of 2 shares for a horizon of 3 years",
        ),
        (
            "horizon.setup=yearly",
            "E305 --set: column horizon.setup: \"yearly\" is not a setup charge: expected \"annualized\" or \"upfront\"",
        ),
        (
            "horizon.years=0",
            "E305 --set: column horizon.years: 0 is out of range: expected a whole number from 1 to 50",
        ),
        (
            "horizon.growth=-2",
            "E305 --set: column horizon.growth: -2 is out of range",
        ),
        (
            "demand.in_vivo_share=1.5",
            "E305 --set: column demand.in_vivo_share: 1.5 is out of range",
        ),
        (
            "horizon.year=3",
            "E303 --set: column horizon.year: unknown key (did you mean horizon.years?)",
        ),
    ] {
        let run = inst.solve(&["--set", set]);
        assert_eq!(run.code, Some(1), "{set}");
        assert!(run.stderr.contains(expected), "{set}: {}", run.stderr);
        assert!(run.plan.is_none());
    }
    let bad = growing("-1.5", "");
    let run = bad.solve(&[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("demand.csv:2: column growth: \"-1.5\" is out of range"),
        "{}",
        run.stderr
    );
}

#[test]
fn sweep_varies_the_horizon_keys() {
    let inst = growing("", "");
    let out = tempfile::tempdir().unwrap();
    let run = Command::cargo_bin("cartnet")
        .unwrap()
        .arg("sweep")
        .arg("--data")
        .arg(inst.data_dir())
        .arg("--model")
        .arg(inst.model_file())
        .args([
            "--vary",
            "horizon.growth=0,0.25",
            "--vary",
            "demand.in_vivo_share=0,1",
            "--jobs",
            "1",
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let csv = std::fs::read_to_string(out.path().join("sweep.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 4, "{csv}");
    // columns: scenario, horizon.growth, demand.in_vivo_share, status, objective, ...
    let objective: Vec<f64> = rows.iter().map(|r| r[4].parse().unwrap()).collect();
    assert_eq!(objective, [300.0, 300.0, 500.0, 300.0], "{csv}");
}

#[test]
fn a_single_year_plan_replaces_a_multi_year_one_whole() {
    // years.csv belongs to the multi-year plan: a single-year plan written over it removes it
    let inst = growing("", "");
    let out = tempfile::tempdir().unwrap();
    let solve = |years: &str| {
        let run = Command::cargo_bin("cartnet")
            .unwrap()
            .arg("solve")
            .arg("--data")
            .arg(inst.data_dir())
            .arg("--model")
            .arg(inst.model_file())
            .args(["--set", &format!("horizon.years={years}"), "--out"])
            .arg(out.path())
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0));
    };
    solve("3");
    assert!(out.path().join("years.csv").is_file());
    solve("1");
    assert!(!out.path().join("years.csv").exists());
    let plan: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("plan.json")).unwrap()).unwrap();
    assert!(plan.get("years").is_none());
}
