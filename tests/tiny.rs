//! Tiny instances whose optimum is derived by hand, solved with the real binary.
//!
//! Every plan is also run through `common::check_plan`, an independent re-check of the plan
//! against the data (balances, capacities, limits, cost lines).
//!
//! Most tests use the scenario [`CLEAN`]: the baseline with discount_rate = 0 (so the capital
//! recovery factor is CRF(0, 10) = 1/10), no failed batches, and free transport at round speeds,
//! so that only the site economics matter. Under it, with the baseline's other values:
//!
//! | per year            | owned                         | franchise                  |
//! |---------------------|-------------------------------|----------------------------|
//! | setup × CRF         | 2,250,000 / 10 = 225,000      | 500,000 / 10 = 50,000      |
//! | fixed               | 1,000,000                     | 250,000                    |
//! | per platform        | 150,000 (23.3 batches each)   | 0                          |
//! | per batch           | 120,000                       | 160,000                    |
//!
//! so an owned site making B batches on n = ceil(B / 23.3) platforms costs
//! 1,225,000 + 150,000 n + 120,000 B, and a franchised one 300,000 + 160,000 B.
//! Distances: 1 degree of longitude on the equator is 6371.0088 × π/180 = 111.195 km; with
//! circuity 1, a courier at 100 km/h and a patient at 50 km/h.

mod common;

use common::{CLEAN, Instance, assert_rel, check_plan};
use serde_json::Value;

/// The baseline (CRF(0.08, 10), baseline transport) with no failed batches.
const BASELINE_NO_FAILURES: &str = "[batch]\nfailure_rate = 0\n";

const SITES_HEADER: &str = "id,lat,lon,kind,hospital,allow,setup_cost_owned,existing\n";

/// One demand point, one hospital and one regional site, all at (0, 0).
fn one_point(patients: f64, allow: &str, scenario: &str) -> Instance {
    Instance::new(
        &format!("id,lat,lon,patients\nD1,0,0,{patients}\n"),
        "id,lat,lon,max_patients\nH1,0,0,\n",
        &format!("{SITES_HEADER}S1,0,0,regional,,{allow},,\n"),
        None,
        scenario,
    )
}

fn site<'a>(plan: &'a Value, id: &str) -> &'a Value {
    plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("site {id} not in the plan"))
}

fn cost(plan: &Value, line: &str) -> f64 {
    plan["cost"][line].as_f64().unwrap()
}

/// Asserts an optimal plan with this total (1e-6 relative).
#[track_caller]
fn assert_optimum(plan: &Value, total: f64) {
    assert_eq!(plan["solver"]["status"], "optimal");
    assert_rel(cost(plan, "total"), total, 1e-6, "cost.total");
}

#[track_caller]
fn assert_site(plan: &Value, id: &str, status: &str, platforms: u64, batches: f64) {
    let s = site(plan, id);
    assert_eq!(s["status"], status, "status of {id}");
    assert_eq!(
        s["platforms"].as_u64(),
        Some(platforms),
        "platforms of {id}"
    );
    assert_rel(
        s["batches"].as_f64().unwrap(),
        batches,
        1e-6,
        &format!("batches of {id}"),
    );
}

fn unserved(plan: &Value) -> Vec<(String, f64, String)> {
    plan["unserved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["demand"].as_str().unwrap().to_string(),
                u["patients"].as_f64().unwrap(),
                u["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// (i) At 60 patients (60 batches) owning is cheaper:
///   owned     225,000 + 1,000,000 + 3 × 150,000 (ceil(60/23.3) = 3) + 60 × 120,000 = 8,875,000
///   franchise  50,000 +   250,000 + 0                              + 60 × 160,000 = 9,900,000
/// Leaving anyone unserved costs 1,000,000 a patient, above any marginal cost of serving (160,000).
/// Optimum: S1 owned, 3 platforms, 60 batches, 8,875,000.
#[test]
fn owned_beats_franchise_at_high_volume() {
    let plan = one_point(60.0, "both", CLEAN).solve_ok_horizons(&[]);
    assert_optimum(&plan, 8_875_000.0);
    assert_site(&plan, "S1", "owned", 3, 60.0);
    assert_rel(cost(&plan, "setup"), 225_000.0, 1e-9, "setup");
    assert_rel(cost(&plan, "fixed"), 1_000_000.0, 1e-9, "fixed");
    assert_rel(cost(&plan, "platforms"), 450_000.0, 1e-9, "platforms");
    assert_rel(cost(&plan, "batches"), 7_200_000.0, 1e-9, "batches");
    assert_eq!(cost(&plan, "transport"), 0.0);
    assert_eq!(cost(&plan, "unmet_penalty"), 0.0);
    assert!(unserved(&plan).is_empty());
}

/// (ii) At 10 patients franchising is cheaper:
///   owned     225,000 + 1,000,000 + 1 × 150,000 + 10 × 120,000 = 2,575,000
///   franchise  50,000 +   250,000 + 0           + 10 × 160,000 = 1,900,000
/// Optimum: S1 franchise, 1,900,000; the plan reports the fewest platforms, ceil(10/23.3) = 1,
/// although a franchise platform costs nothing.
#[test]
fn franchise_beats_owned_at_low_volume() {
    let plan = one_point(10.0, "both", CLEAN).solve_ok_horizons(&[]);
    assert_optimum(&plan, 1_900_000.0);
    assert_site(&plan, "S1", "franchise", 1, 10.0);
    assert_rel(cost(&plan, "setup"), 50_000.0, 1e-9, "setup");
    assert_rel(cost(&plan, "fixed"), 250_000.0, 1e-9, "fixed");
    assert_eq!(cost(&plan, "platforms"), 0.0);
    assert_rel(cost(&plan, "batches"), 1_600_000.0, 1e-9, "batches");
}

/// (iii) Platforms step up exactly at multiples of platform capacity (23.3 batches). Owned only,
/// penalty 10,000,000 a patient (so 0.1 patient is worth a second platform):
///   23.3 batches: 225,000 + 1,000,000 + 1 × 150,000 + 23.3 × 120,000 (2,796,000) = 4,171,000
///   23.4 batches: 225,000 + 1,000,000 + 2 × 150,000 + 23.4 × 120,000 (2,808,000) = 4,333,000
///   (23.4 with one platform, 0.1 unserved: 1,375,000 + 2,796,000 + 0.1 × 1e7 = 5,171,000: worse)
/// At the baseline penalty of 1,000,000 the second platform is not worth 0.1 patient:
///   1,375,000 + 2,796,000 + 0.1 × 1,000,000 = 4,271,000 < 4,333,000, 0.1 unserved for cost.
#[test]
fn platforms_step_up_at_multiples_of_capacity() {
    let scenario = format!("{CLEAN}[demand]\nunserved_penalty = 10000000\n");
    let plan = one_point(23.3, "owned", &scenario).solve_ok_horizons(&[]);
    assert_optimum(&plan, 4_171_000.0);
    assert_site(&plan, "S1", "owned", 1, 23.3);
    assert_rel(
        site(&plan, "S1")["utilization"].as_f64().unwrap(),
        1.0,
        1e-6,
        "utilization",
    );

    let instance = one_point(23.4, "owned", &scenario);
    let plan = instance.solve_ok_horizons(&[]);
    assert_optimum(&plan, 4_333_000.0);
    assert_site(&plan, "S1", "owned", 2, 23.4);
    assert_rel(cost(&plan, "platforms"), 300_000.0, 1e-9, "platforms");

    let plan = instance.solve_ok_horizons(&["--set", "demand.unserved_penalty=1000000"]);
    assert_optimum(&plan, 4_271_000.0);
    assert_site(&plan, "S1", "owned", 1, 23.3);
    let u = unserved(&plan);
    assert_eq!(u.len(), 1);
    assert_rel(u[0].1, 0.1, 1e-6, "unserved patients");
    assert!(u[0].2.starts_with("cost"), "reason: {}", u[0].2);
}

/// H1 and D1 (10 patients) at (0, 0); N at (0, 0) at the baseline setup cost; F at (0, 20) with no
/// setup cost. Both regional, owned only. F is 20 × 111.195 = 2,223.9 km away: 22.24 h by road
/// at 100 km/h (under the 48 h fresh limit), so its vein-to-vein time is
/// 2 × 22.24 / 24 + 7 + 7 = 15.85 days; N's is 14 days.
fn v2v_instance(sites: &str) -> Instance {
    Instance::new(
        "id,lat,lon,patients\nD1,0,0,10\n",
        "id,lat,lon,max_patients\nH1,0,0,\n",
        &format!("{SITES_HEADER}{sites}"),
        None,
        &format!("{CLEAN}[time]\nmax_vein_to_vein_days = 15\n"),
    )
}

/// (iv) A site beyond the vein-to-vein limit (15 days) is never used, even if cheaper:
///   N: 225,000 + 1,000,000 + 150,000 + 10 × 120,000 = 2,575,000 (used, F closed)
///   F:       0 + 1,000,000 + 150,000 + 10 × 120,000 = 2,350,000 (cheaper, but 15.85 > 15 days)
/// With the limit raised to 16 days F is used: 2,350,000.
#[test]
fn site_beyond_vein_to_vein_limit_is_never_used() {
    let both = v2v_instance("N,0,0,regional,,owned,,\nF,0,20,regional,,owned,0,\n");
    let plan = both.solve_ok_horizons(&[]);
    assert_optimum(&plan, 2_575_000.0);
    assert_site(&plan, "N", "owned", 1, 10.0);
    assert_site(&plan, "F", "closed", 0, 0.0);
    assert_eq!(plan["instance"]["counts"]["cell_arcs"], 1, "only H1->N");

    let plan = both.solve_ok_horizons(&["--set", "time.max_vein_to_vein_days=16"]);
    assert_optimum(&plan, 2_350_000.0);
    assert_site(&plan, "F", "owned", 1, 10.0);
    assert_site(&plan, "N", "closed", 0, 0.0);
    let v2v = plan["batch_flows"][0]["vein_to_vein_days"]
        .as_f64()
        .unwrap();
    assert_rel(v2v, 2.0 * 2223.9016 / 100.0 / 24.0 + 14.0, 1e-6, "v2v to F");
}

/// (iv, continued) With F alone, the 10 patients go unserved for want of a site in reach:
///   10 × 1,000,000 = 10,000,000. No site is usable, so the model is a pure LP (no binaries).
#[test]
fn site_beyond_vein_to_vein_limit_alone_leaves_demand_unserved() {
    let far_only = v2v_instance("F,0,20,regional,,owned,0,\n");
    let plan = far_only.solve_ok_horizons(&[]);
    assert_optimum(&plan, 10_000_000.0);
    assert_eq!(plan["solver"]["gap"].as_f64(), Some(0.0));
    assert_site(&plan, "F", "closed", 0, 0.0);
    let u = unserved(&plan);
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].0, "D1");
    assert_rel(u[0].1, 10.0, 1e-9, "unserved");
    assert!(
        u[0].2.starts_with("no manufacturing site"),
        "reason: {}",
        u[0].2
    );
}

/// (v) A hospital beyond the patient travel limit (2 h) is never used. D1 (10 patients) and an
/// owned-only regional site S1 at (0, 0); H_NEAR at (0, 0.5): 55.6 km / 50 km/h = 1.11 h, but it
/// treats at most 4 patients; H_FAR at (0, 1): 111.2 km / 50 = 2.22 h, unlimited.
///   serve 4 at H_NEAR: 225,000 + 1,000,000 + 150,000 + 4 × 120,000 = 1,855,000
///   6 unserved:        6 × 1,000,000                               = 6,000,000
///   total 7,855,000 (serving nobody: 10,000,000), the 6 unserved for hospital capacity.
/// With the limit raised to 3 h, H_FAR takes the other 6 (at least): 2,575,000.
#[test]
fn hospital_beyond_patient_travel_limit_is_never_used() {
    let instance = Instance::new(
        "id,lat,lon,patients\nD1,0,0,10\n",
        "id,lat,lon,max_patients\nH_NEAR,0,0.5,4\nH_FAR,0,1,\n",
        &format!("{SITES_HEADER}S1,0,0,regional,,owned,,\n"),
        None,
        CLEAN,
    );
    let plan = instance.solve_ok_horizons(&[]);
    assert_optimum(&plan, 7_855_000.0);
    assert_site(&plan, "S1", "owned", 1, 4.0);
    let flows = plan["patient_flows"].as_array().unwrap();
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0]["hospital"], "H_NEAR");
    assert_rel(
        flows[0]["patients"].as_f64().unwrap(),
        4.0,
        1e-9,
        "to H_NEAR",
    );
    assert_rel(
        flows[0]["hours"].as_f64().unwrap(),
        55.59754 / 50.0,
        1e-5,
        "hours",
    );
    assert!(
        plan["batch_flows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["hospital"] != "H_FAR")
    );
    let u = unserved(&plan);
    assert_eq!(u.len(), 1);
    assert_rel(u[0].1, 6.0, 1e-9, "unserved");
    assert!(
        u[0].2.starts_with("hospital capacity"),
        "reason: {}",
        u[0].2
    );

    let plan = instance.solve_ok_horizons(&["--set", "time.max_patient_travel_hours=3"]);
    assert_optimum(&plan, 2_575_000.0);
    let to_far: f64 = plan["patient_flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["hospital"] == "H_FAR")
        .map(|f| f["patients"].as_f64().unwrap())
        .sum();
    assert!(to_far >= 6.0 - 1e-6, "H_FAR treats {to_far}");
}

/// (vi) The failure rate raises batches by exactly 1/(1 - rate). 16 patients, owned only:
///   rate 0.2:  16 / 0.8 = 20 batches: 1,375,000 + 20 × 120,000 = 3,775,000
///   rate 0:    16 batches:            1,375,000 + 16 × 120,000 = 3,295,000
///   rate 0.07: 16 / 0.93 = 17.204301 batches: 1,375,000 + 2,064,516.13 = 3,439,516.13
/// (all on one platform: every count is under 23.3).
#[test]
fn failure_rate_raises_batches_by_one_over_one_minus_rate() {
    let instance = one_point(16.0, "owned", CLEAN);
    let plan = instance.solve_ok_horizons(&["--set", "batch.failure_rate=0.2"]);
    assert_optimum(&plan, 3_775_000.0);
    assert_site(&plan, "S1", "owned", 1, 20.0);
    assert_rel(
        plan["kpis"]["batches"].as_f64().unwrap(),
        20.0,
        1e-9,
        "batches",
    );
    assert_rel(
        plan["kpis"]["patients_served"].as_f64().unwrap(),
        16.0,
        1e-9,
        "served",
    );

    let plan = instance.solve_ok_horizons(&[]);
    assert_optimum(&plan, 3_295_000.0);
    assert_site(&plan, "S1", "owned", 1, 16.0);

    let plan = instance.solve_ok_horizons(&["--set", "batch.failure_rate=0.07"]);
    assert_optimum(&plan, 1_375_000.0 + 120_000.0 * 16.0 / 0.93);
    assert_site(&plan, "S1", "owned", 1, 16.0 / 0.93);

    // The same rate given for the site's kind only.
    let plan = instance.solve_ok_horizons(&["--set", "kinds.regional.batch.failure_rate=0.2"]);
    assert_optimum(&plan, 3_775_000.0);
    assert_site(&plan, "S1", "owned", 1, 20.0);
}

/// (vii) A penalty below the cost of opening leaves demand unserved. 10 patients, owned only,
/// penalty 200,000 a patient:
///   serve all 10:  2,575,000 (257,500 a patient)
///   serve k of 10: 1,375,000 + 120,000 k + 200,000 (10 - k) = 3,375,000 - 80,000 k >= 2,575,000
///   serve none:    10 × 200,000 = 2,000,000  <- optimum; S1 closed, reason "cost: ..."
#[test]
fn penalty_below_opening_cost_leaves_demand_unserved() {
    let instance = one_point(
        10.0,
        "owned",
        &format!("{CLEAN}[demand]\nunserved_penalty = 200000\n"),
    );
    let plan = instance.solve_ok_horizons(&[]);
    assert_optimum(&plan, 2_000_000.0);
    assert_site(&plan, "S1", "closed", 0, 0.0);
    assert_rel(cost(&plan, "unmet_penalty"), 2_000_000.0, 1e-9, "penalty");
    let u = unserved(&plan);
    assert_eq!(u.len(), 1);
    assert_rel(u[0].1, 10.0, 1e-9, "unserved");
    assert!(u[0].2.starts_with("cost"), "reason: {}", u[0].2);
    assert_eq!(plan["kpis"]["coverage"].as_f64(), Some(0.0));

    // At 300,000 a patient, serving (2,575,000) beats 3,000,000.
    let plan = instance.solve_ok_horizons(&["--set", "demand.unserved_penalty=300000"]);
    assert_optimum(&plan, 2_575_000.0);
    assert_site(&plan, "S1", "owned", 1, 10.0);
}

/// (viii) An existing site stays open even when unused. As (iv), 15-day limit: N new at (0, 0),
/// E existing at (0, 20) (15.85 days away: no cell arc reaches it), both operating models allowed.
///   N franchise: 50,000 + 250,000 + 10 × 160,000 = 1,900,000
///   N owned:    225,000 + 1,000,000 + 150,000 + 1,200,000 = 2,575,000
///   E: no setup (sunk), cheaper of fixed owned 1,000,000 / franchise 250,000 = 250,000
///   total 1,900,000 + 250,000 = 2,150,000; E franchise with 0 platforms and 0 batches.
/// At a 16-day limit E is in reach and, its setup sunk, serves alone as a franchise:
///   250,000 + 10 × 160,000 = 1,850,000 (E owned: 1,000,000 + 150,000 + 1,200,000 = 2,350,000).
#[test]
fn existing_site_stays_open_when_unused() {
    let instance = v2v_instance("N,0,0,regional,,both,,\nE,0,20,regional,,both,,true\n");
    let plan = instance.solve_ok_horizons(&[]);
    assert_optimum(&plan, 2_150_000.0);
    assert_site(&plan, "E", "franchise", 0, 0.0);
    assert_site(&plan, "N", "franchise", 1, 10.0);
    assert_rel(cost(&plan, "setup"), 50_000.0, 1e-9, "setup: E's is sunk");
    assert_rel(cost(&plan, "fixed"), 500_000.0, 1e-9, "fixed");
    assert_eq!(plan["kpis"]["sites_open"], 2);

    let plan = instance.solve_ok_horizons(&["--set", "time.max_vein_to_vein_days=16"]);
    assert_optimum(&plan, 1_850_000.0);
    assert_site(&plan, "E", "franchise", 1, 10.0);
    assert_site(&plan, "N", "closed", 0, 0.0);
    assert_eq!(cost(&plan, "setup"), 0.0);
}

/// The capital recovery factor and shipment legs, under the baseline (8 %, 10 years, legs of
/// 300 + 1.5/road km) with no failures. D1/H1 at (0, 0) and D2/H2 at (0, 3), 5 patients each
/// (333.6 gc km apart: 433.7 road km, 6.2 h for a patient at 70 km/h, so each goes to its own).
/// One franchise-only regional site S1 at (0, 3). lanes.csv: H1 <-> S1 5 h at 400 USD a leg
/// (computed: 300 + 1.5 × 433.7 = 950.5).
///   CRF(0.08, 10) = 0.08 × 1.08^10 / (1.08^10 − 1) = 0.08 × 2.158925 / 1.158925 = 0.14902949
///   setup     500,000 × 0.14902949 =    74,514.74
///   fixed                              250,000
///   batches   10 × 160,000          = 1,600,000
///   transport 5 × (400 + 400) + 5 × (300 + 300 at 0 km) = 7,000
///   total                             1,931,514.74
#[test]
fn crf_lanes_and_ground_legs() {
    let instance = Instance::new(
        "id,lat,lon,patients\nD1,0,0,5\nD2,0,3,5\n",
        "id,lat,lon,max_patients\nH1,0,0,\nH2,0,3,\n",
        &format!("{SITES_HEADER}S1,0,3,regional,,franchise,,\n"),
        Some("from,to,hours,cost\nH1,S1,5,400\nS1,H1,5,400\n"),
        BASELINE_NO_FAILURES,
    );
    let plan = instance.solve_ok_horizons(&[]);
    let crf = 0.08 * 1.08f64.powi(10) / (1.08f64.powi(10) - 1.0);
    assert_rel(crf, 0.149_029_49, 1e-7, "CRF");
    assert_optimum(&plan, 1_931_514.74);
    assert_rel(cost(&plan, "setup"), 74_514.74, 1e-9, "setup");
    assert_rel(cost(&plan, "transport"), 7_000.0, 1e-9, "transport");
    assert_site(&plan, "S1", "franchise", 1, 10.0);
    let from_h1 = plan["batch_flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["hospital"] == "H1")
        .unwrap();
    assert_eq!(from_h1["transit_hours"].as_f64(), Some(5.0));
    assert_rel(
        from_h1["vein_to_vein_days"].as_f64().unwrap(),
        10.0 / 24.0 + 14.0,
        1e-6,
        "v2v",
    );
}

/// Air beyond the threshold, and a co-located site's zero time to its host, under the baseline
/// with no failures; franchise only, 10 patients at H1 (0, 0).
/// Air: S1 regional at (0, 20), 2,223.9 gc km: ground 2,891.1 road km / 80 = 36.1 h; air
/// 12 + 2,223.9 / 750 = 14.97 h wins, 2,500 a leg:
///   74,514.74 + 250,000 + 1,600,000 + 10 × 2 × 2,500 = 1,974,514.74
/// Co-located: S1 colocated in H1 but listed at (5, 5) (786 km away): 0 h and 0 USD to its host:
///   74,514.74 + 250,000 + 1,600,000 = 1,924,514.74, vein-to-vein 7 + 7 = 14 days.
#[test]
fn air_legs_and_colocated_host() {
    let demand = "id,lat,lon,patients\nD1,0,0,10\n";
    let hospitals = "id,lat,lon,max_patients\nH1,0,0,\n";
    let air = Instance::new(
        demand,
        hospitals,
        &format!("{SITES_HEADER}S1,0,20,regional,,franchise,,\n"),
        None,
        BASELINE_NO_FAILURES,
    );
    let plan = air.solve_ok_horizons(&[]);
    assert_optimum(&plan, 1_974_514.74);
    assert_rel(cost(&plan, "transport"), 50_000.0, 1e-9, "transport");
    let hours = plan["batch_flows"][0]["transit_hours"].as_f64().unwrap();
    assert_rel(hours, 12.0 + 2223.9016 / 750.0, 1e-6, "air hours");

    let colocated = Instance::new(
        demand,
        hospitals,
        &format!("{SITES_HEADER}S1,5,5,colocated,H1,franchise,,\n"),
        None,
        BASELINE_NO_FAILURES,
    );
    let plan = colocated.solve_ok_horizons(&[]);
    assert_optimum(&plan, 1_924_514.74);
    assert_eq!(cost(&plan, "transport"), 0.0);
    assert_eq!(plan["batch_flows"][0]["transit_hours"].as_f64(), Some(0.0));
    assert_eq!(
        plan["batch_flows"][0]["vein_to_vein_days"].as_f64(),
        Some(14.0)
    );
}

/// D1 (10 patients) next to H1 and S1 at (0, 0); D2 (5 patients) at (10, 10), 1,565 km from H1:
/// no hospital in reach.
fn unreachable_instance(scenario: &str) -> Instance {
    Instance::new(
        "id,lat,lon,patients\nD1,0,0,10\nD2,10,10,5\n",
        "id,lat,lon,max_patients\nH1,0,0,\n",
        &format!("{SITES_HEADER}S1,0,0,regional,,both,,\n"),
        None,
        scenario,
    )
}

/// full_coverage with a demand point no hospital reaches: exit 2, the reason on stderr, nothing
/// written. Without full coverage: D1 by franchise (1,900,000) + D2's 5 patients unserved
/// (5,000,000) = 6,900,000, D2's reason naming the travel limit.
#[test]
fn full_coverage_with_unreachable_demand_exits_2_and_writes_nothing() {
    let instance = unreachable_instance(&format!("{CLEAN}[demand]\nfull_coverage = true\n"));
    let run = instance.solve(&[]);
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    assert!(run.stderr.contains("infeasible"), "{}", run.stderr);
    assert!(run.stderr.contains("D2"), "{}", run.stderr);
    assert!(run.plan.is_none());
    assert!(!run.out.exists(), "nothing is written, not even the folder");

    let plan = instance.solve_ok_horizons(&["--set", "demand.full_coverage=false"]);
    assert_optimum(&plan, 6_900_000.0);
    let u = unserved(&plan);
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].0, "D2");
    assert!(
        u[0].2
            .starts_with("no hospital within the 2 h travel limit"),
        "reason: {}",
        u[0].2
    );
}

/// Solver options: --time-limit, --threads and --gap solve the same tiny instance (optimum
/// 1,900,000 as in (ii)); bad values are usage errors (exit 1) that write nothing.
#[test]
fn solver_options_and_usage_errors() {
    let instance = one_point(10.0, "both", CLEAN);
    for args in [
        &["--time-limit", "30"][..],
        &["--threads", "1"],
        &["--gap", "0"],
        &["--time-limit", "30", "--threads", "2", "--gap", "1e-4"],
    ] {
        let plan = instance.solve_ok_horizons(args);
        assert_optimum(&plan, 1_900_000.0);
    }
    // A loose gap may stop early, but never above 1/(1 - 0.5) = 2 × the optimum.
    let plan = instance.solve_ok_horizons(&["--gap", "0.5"]);
    let total = cost(&plan, "total");
    assert!(
        (1_900_000.0 - 0.01..=3_800_000.0).contains(&total),
        "{total}"
    );
    assert!(matches!(
        plan["solver"]["status"].as_str(),
        Some("optimal" | "feasible")
    ));

    for args in [
        &["--time-limit", "0"][..],
        &["--time-limit", "abc"],
        &["--gap=-1"],
        &["--threads", "0"],
        &["--set", "site.no_such_key=1"],
        &["--set", "site.max_platforms=2.5"],
        &["--set", "no_equals_sign"],
    ] {
        let run = instance.solve(args);
        assert_eq!(run.code, Some(1), "{args:?}: stderr {}", run.stderr);
        assert!(run.plan.is_none(), "{args:?} wrote a plan");
    }
    let run = instance.solve(&["--set", "site.setup_cost_ownd=1"]);
    assert!(
        run.stderr.contains("did you mean site.setup_cost_owned"),
        "{}",
        run.stderr
    );
}

/// A time limit reached before any feasible plan: exit 3, nothing written. HiGHS checks the limit
/// before presolve, so 1e-9 s stops even a tiny instance.
#[test]
fn time_limit_before_any_plan_exits_3_and_writes_nothing() {
    let run = one_point(10.0, "both", CLEAN).solve(&["--time-limit", "1e-9"]);
    assert_eq!(run.code, Some(3), "stderr: {}", run.stderr);
    assert!(run.stderr.contains("no solution"), "{}", run.stderr);
    assert!(run.plan.is_none());
    assert!(!run.out.exists(), "nothing is written, not even the folder");
}

/// Bad input names the file and writes nothing (exit 1).
#[test]
fn bad_input_exits_1_and_writes_nothing() {
    let instance = Instance::new(
        "id,lat,lon,patients\nD1,0,0,10\n",
        "id,lat,lon,max_patients\nH1,0,0,\n",
        &format!("{SITES_HEADER}S1,0,0,colocated,NOPE,both,,\n"),
        None,
        CLEAN,
    );
    let run = instance.solve(&[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("sites.csv"), "{}", run.stderr);
    assert!(run.stderr.contains("NOPE"), "{}", run.stderr);
    assert!(run.plan.is_none());
}

/// The same input gives the same plan, byte for byte, apart from the solver's wall time.
#[test]
fn same_input_same_plan() {
    let instance = one_point(60.0, "both", CLEAN);
    let strip = |mut v: Value| {
        v["solver"]["seconds"] = Value::Null;
        v
    };
    let a = strip(instance.solve_ok_horizons(&[]));
    let b = strip(instance.solve_ok_horizons(&[]));
    assert_eq!(a, b);
}

/// check_plan catches a tampered plan (a guard that the checker is not vacuous).
#[test]
#[should_panic(expected = "cost lines sum to")]
fn check_plan_rejects_a_wrong_total() {
    let instance = one_point(10.0, "both", CLEAN);
    let mut plan = instance.solve_ok_horizons(&[]);
    plan["cost"]["total"] = serde_json::json!(1.0);
    check_plan(&plan, &instance.data_dir());
}

/// check_plan catches a demand imbalance.
#[test]
#[should_panic(expected = "demand D1: served 9")]
fn check_plan_rejects_a_demand_imbalance() {
    let instance = one_point(10.0, "both", CLEAN);
    let mut plan = instance.solve_ok_horizons(&[]);
    plan["patient_flows"][0]["patients"] = serde_json::json!(9.0);
    check_plan(&plan, &instance.data_dir());
}

/// Demand left unserved at points no hospital reaches, in patients with more than 6 decimals.
/// A plan's columns are rounded to 6 decimals before its cost lines are made, so at the $1M
/// penalty the line may be up to half a dollar a row from the rows' patients times the penalty:
/// here 0.1234567 + 0.2345678 patients are $358,024.50, and the two points' shared unserved
/// column, 0.3580245, is written as 0.358024: $358,024.00. The plan's own check once refused
/// such a plan (E702, nothing written). The served point: 10 patients on one owned platform of
/// the clean economics, 1,225,000 + 150,000 + 10 × 120,000 = 2,575,000.
#[test]
fn unserved_patients_with_many_decimals_keep_the_plan() {
    let inst = Instance::new(
        "id,lat,lon,patients\nD1,0,0,10\nD2,20,0,0.1234567\nD3,-20,0,0.2345678\n",
        "id,lat,lon,max_patients\nH1,0,0,\n",
        &format!("{SITES_HEADER}S1,0,0,regional,,owned,,\n"),
        None,
        &format!("{CLEAN}\n[demand]\nunserved_penalty = 1000000\n"),
    );
    let plan = inst.solve_ok(&[]);
    assert_optimum(&plan, 2_575_000.0 + 358_024.5);
    let unmet = cost(&plan, "unmet_penalty");
    assert!((unmet - 358_024.5).abs() <= 1.0, "unmet_penalty {unmet}");
}
