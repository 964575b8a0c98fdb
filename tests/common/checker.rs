//! The independent single-year plan checker: it stays, as a documented oracle for single-year
//! plans that shares no code with `src/verify` nor with the solver (its own CSV reading, travel
//! model and cost lines, from the DESIGN alone), so that a bug in the product's own check and the
//! same bug in the model cannot agree unseen; multi-year plans are left to `cartnet verify`.
//!
//! [`check_plan`] re-implements the travel-time model and the cost lines from DESIGN §3–§5; it
//! never calls the library, so a bug in the model or the plan shows up as a disagreement here.

mod reading;

use reading::{
    Data, HospitalRow, Leg, SiteRow, crf, gc, kind_f64, read_data, scenario_f64, shipment,
};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// The check.

/// Checks `plan` (a parsed plan.json) against the instance in `data_dir`, from the DESIGN alone:
/// demand balance, hospital capacities, batches per patient, site capacity and operating model,
/// the fewest platforms, travel and vein-to-vein limits of every used arc (times recomputed),
/// policy rows, KPIs, and every cost line recomputed from the decisions and summed to the total.
/// The parameters come from the plan's own `scenario`, so it works for any scenario.
pub fn check_plan(plan: &Value, data_dir: &Path) {
    let scn = &plan["scenario"];
    assert!(scn.is_object(), "plan.json has no scenario");
    let data = read_data(data_dir);
    let status = plan["solver"]["status"].as_str().unwrap_or("");
    assert!(
        status == "optimal" || status == "feasible",
        "a written plan must be optimal or feasible, not {status:?}"
    );
    let patients = check_patient_flows(plan, scn, &data);
    let unserved = check_unserved(plan, &data);
    check_demand_balance(scn, &data, &patients, &unserved);
    let batches = check_batch_flows(plan, scn, &data);
    check_batches_per_patient(scn, &data, &patients, &batches);
    let sites = check_sites(plan, scn, &data, &batches.received);
    check_site_policy(scn, &sites);
    check_cost_lines(plan, scn, &patients, &unserved, &batches, &sites);
    check_kpis(plan, &data, &patients, &batches, &sites);
}

fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

fn text(v: &Value, what: &str) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not text: {v}"))
        .to_string()
}

/// Plan values are rounded to 6 decimals; allow for that plus relative noise.
#[track_caller]
fn close(a: f64, b: f64, what: &str) {
    let tol = 1e-5 + 1e-6 * a.abs().max(b.abs());
    assert!((a - b).abs() <= tol, "{what}: plan says {a}, expected {b}");
}

#[track_caller]
fn at_most(a: f64, limit: f64, what: &str) {
    let tol = 1e-6 + 1e-9 * limit.abs();
    assert!(a <= limit + tol, "{what}: {a} exceeds {limit}");
}

/// What the patient flows add up to, by demand point and hospital id.
struct Patients {
    served: HashMap<String, f64>,
    treated: HashMap<String, f64>,
    /// The patient travel cost line.
    patient_travel: f64,
}

/// Patient flows: arcs within the travel limit, their hours recomputed.
fn check_patient_flows(plan: &Value, scn: &Value, data: &Data) -> Patients {
    let Data {
        demand,
        hospitals,
        lanes,
        ..
    } = data;
    let t = |k: &str| scenario_f64(scn, k);
    let pc = t("transport.patient_cost_per_km");
    let mut served: HashMap<String, f64> = HashMap::new();
    let mut treated: HashMap<String, f64> = HashMap::new();
    let mut patient_travel = 0.0;
    let max_patient_hours = t("time.max_patient_travel_hours");
    let flows = plan["patient_flows"].as_array().expect("patient_flows");
    for f in flows {
        let d = text(&f["demand"], "patient_flows[].demand");
        let h = text(&f["hospital"], "patient_flows[].hospital");
        let x = num(&f["patients"], "patient_flows[].patients");
        assert!(x > 0.0, "patient flow {d}->{h} listed with {x} patients");
        let dp = demand
            .get(&d)
            .unwrap_or_else(|| panic!("unknown demand {d}"));
        let hp = hospitals
            .get(&h)
            .unwrap_or_else(|| panic!("unknown hospital {h}"));
        let road_km = gc(&dp.place, &hp.place) * t("transport.circuity");
        let (hours, cost) = match lanes.get(&(d.clone(), h.clone())) {
            Some(&(hours, cost)) => (hours, cost.unwrap_or(2.0 * pc * road_km)),
            None => (road_km / t("transport.patient_kmh"), 2.0 * pc * road_km),
        };
        close(
            num(&f["hours"], "hours"),
            hours,
            &format!("hours of patient arc {d}->{h}"),
        );
        at_most(
            hours,
            max_patient_hours,
            &format!("patient arc {d}->{h} travel hours"),
        );
        patient_travel += x * cost;
        *served.entry(d.clone()).or_default() += x;
        *treated.entry(h.clone()).or_default() += x;
    }
    Patients {
        served,
        treated,
        patient_travel,
    }
}

/// The unserved list, patients by demand point id.
fn check_unserved(plan: &Value, data: &Data) -> HashMap<String, f64> {
    let demand = &data.demand;
    let mut unserved: HashMap<String, f64> = HashMap::new();
    for u in plan["unserved"].as_array().expect("unserved") {
        let d = text(&u["demand"], "unserved[].demand");
        let p = num(&u["patients"], "unserved[].patients");
        assert!(p > 0.0, "unserved {d} listed with {p} patients");
        let reason = text(&u["reason"], "unserved[].reason");
        assert!(!reason.is_empty(), "unserved {d} has no reason");
        assert!(demand.contains_key(&d), "unserved names unknown demand {d}");
        *unserved.entry(d.clone()).or_default() += p;
    }
    unserved
}

/// Demand balance (served + unserved = patients), full coverage and hospital capacities.
fn check_demand_balance(
    scn: &Value,
    data: &Data,
    patients: &Patients,
    unserved: &HashMap<String, f64>,
) {
    let Data {
        demand_ids,
        demand,
        hospital_ids,
        hospitals,
        ..
    } = data;
    let Patients {
        served, treated, ..
    } = patients;
    let full_coverage = scn["demand"]["full_coverage"].as_bool() == Some(true);
    for id in demand_ids {
        let p = demand[id].patients;
        let s = served.get(id).copied().unwrap_or(0.0);
        let u = unserved.get(id).copied().unwrap_or(0.0);
        let tol = 1e-6 * p.max(1.0);
        assert!(
            (s + u - p).abs() <= tol,
            "demand {id}: served {s} + unserved {u} != {p} patients"
        );
        if full_coverage {
            assert!(u <= tol, "full coverage, yet {u} patients of {id} unserved");
        }
    }
    for id in hospital_ids {
        if let Some(cap) = hospitals[id].max_patients {
            let x = treated.get(id).copied().unwrap_or(0.0);
            at_most(x, cap, &format!("patients treated at hospital {id}"));
        }
    }
}

/// What the batch flows add up to.
struct Batches {
    /// By hospital: sum (1 - f_s) w[h,s].
    shipped_patients: HashMap<String, f64>,
    /// By site.
    received: HashMap<String, f64>,
    /// By hospital: how many sites send it batches.
    sources: HashMap<String, usize>,
    /// The transport cost line.
    transport: f64,
    max_v2v: Option<f64>,
    /// Sum of batches x vein-to-vein days, for the mean.
    v2v_weight: f64,
    total_batches: f64,
}

/// Batch flows: arcs within the fresh-transit and vein-to-vein limits, their times recomputed.
fn check_batch_flows(plan: &Value, scn: &Value, data: &Data) -> Batches {
    let Data {
        hospitals,
        sites,
        lanes,
        ..
    } = data;
    let kf = |kind: &str, k: &str| kind_f64(scn, kind, k);
    let mut shipped_patients: HashMap<String, f64> = HashMap::new();
    let mut received: HashMap<String, f64> = HashMap::new();
    let mut sources: HashMap<String, usize> = HashMap::new();
    let mut transport = 0.0;
    let mut max_v2v: Option<f64> = None;
    let mut v2v_weight = 0.0;
    let mut total_batches = 0.0;
    for f in plan["batch_flows"].as_array().expect("batch_flows") {
        let h = text(&f["hospital"], "batch_flows[].hospital");
        let s = text(&f["site"], "batch_flows[].site");
        let w = num(&f["batches"], "batch_flows[].batches");
        assert!(w > 0.0, "batch flow {h}->{s} listed with {w} batches");
        let hp = hospitals
            .get(&h)
            .unwrap_or_else(|| panic!("unknown hospital {h}"));
        let sp = sites.get(&s).unwrap_or_else(|| panic!("unknown site {s}"));
        let (out, back) = legs(scn, lanes, (&h, hp), (&s, sp));
        let kind = sp.kind.as_str();
        let v2v = (out.hours + back.hours) / 24.0
            + kf(kind, "time.manufacturing_days")
            + kf(kind, "time.release_days");
        close(
            num(&f["transit_hours"], "transit_hours"),
            out.hours,
            &format!("transit hours of {h}->{s}"),
        );
        close(
            num(&f["vein_to_vein_days"], "vein_to_vein_days"),
            v2v,
            &format!("vein-to-vein days of {h}->{s}"),
        );
        at_most(
            out.hours,
            kf(kind, "time.max_fresh_transit_hours"),
            &format!("fresh transit hours of {h}->{s}"),
        );
        at_most(
            v2v,
            kf(kind, "time.max_vein_to_vein_days"),
            &format!("vein-to-vein days of {h}->{s}"),
        );
        transport += w * (out.cost + back.cost);
        let f_s = kf(kind, "batch.failure_rate");
        *shipped_patients.entry(h.clone()).or_default() += (1.0 - f_s) * w;
        *received.entry(s.clone()).or_default() += w;
        *sources.entry(h.clone()).or_default() += 1;
        max_v2v = Some(max_v2v.map_or(v2v, |m: f64| m.max(v2v)));
        v2v_weight += w * v2v;
        total_batches += w;
    }
    Batches {
        shipped_patients,
        received,
        sources,
        transport,
        max_v2v,
        v2v_weight,
        total_batches,
    }
}

/// The out and back legs between hospital `h` and site `s`: none for a site on the hospital's
/// grounds, else the shipment computed over the distance.
fn legs(
    scn: &Value,
    lanes: &HashMap<(String, String), (f64, Option<f64>)>,
    (h, hp): (&str, &HospitalRow),
    (s, sp): (&str, &SiteRow),
) -> (Leg, Leg) {
    let computed = if sp.host.as_deref() == Some(h) {
        Leg {
            hours: 0.0,
            cost: 0.0,
        }
    } else {
        shipment(gc(&hp.place, &sp.place), scn)
    };
    // A measured lane overrides the computed leg; a lane given one way serves both ways.
    let lane = |from: &str, to: &str| {
        lanes
            .get(&(from.to_string(), to.to_string()))
            .map(|&(hours, cost)| Leg {
                hours,
                cost: cost.unwrap_or(computed.cost),
            })
    };
    let (lane_out, lane_back) = (lane(h, s), lane(s, h));
    let out = lane_out.or(lane_back).unwrap_or(computed);
    let back = lane_back.or(lane_out).unwrap_or(computed);
    (out, back)
}

/// Batches per hospital = patients / (1 - failure rate), and single sourcing.
fn check_batches_per_patient(scn: &Value, data: &Data, patients: &Patients, batches: &Batches) {
    let hospital_ids = &data.hospital_ids;
    let treated = &patients.treated;
    let Batches {
        shipped_patients,
        sources,
        ..
    } = batches;
    for id in hospital_ids {
        let x = treated.get(id).copied().unwrap_or(0.0);
        let y = shipped_patients.get(id).copied().unwrap_or(0.0);
        close(
            y,
            x,
            &format!("hospital {id}: batches x (1 - failure rate) vs patients treated"),
        );
    }
    if scn["policy"]["single_sourcing"].as_bool() == Some(true) {
        for (h, n) in sources {
            assert!(*n <= 1, "single sourcing, yet hospital {h} uses {n} sites");
        }
    }
}

/// What the open sites add up to: the site cost lines and the counts.
struct Sites {
    /// Setup (annualized), fixed, platforms and batches cost lines.
    setup: f64,
    fixed: f64,
    platform_cost: f64,
    batch_cost: f64,
    open: usize,
    owned: usize,
    franchise: usize,
    platforms_total: f64,
}

/// Sites: status, platforms, capacity, and the site cost lines.
fn check_sites(plan: &Value, scn: &Value, data: &Data, received: &HashMap<String, f64>) -> Sites {
    let Data {
        site_ids, sites, ..
    } = data;
    let kf = |kind: &str, k: &str| kind_f64(scn, kind, k);
    let plan_sites = plan["sites"].as_array().expect("sites");
    assert_eq!(
        plan_sites.len(),
        site_ids.len(),
        "plan lists every candidate site"
    );
    let (mut setup, mut fixed, mut platform_cost, mut batch_cost) = (0.0, 0.0, 0.0, 0.0);
    let (mut open, mut owned, mut franchise, mut platforms_total) = (0usize, 0usize, 0usize, 0.0);
    for ps in plan_sites {
        let id = text(&ps["id"], "sites[].id");
        let sp = sites
            .get(&id)
            .unwrap_or_else(|| panic!("unknown site {id}"));
        let kind = sp.kind.as_str();
        let status = text(&ps["status"], "sites[].status");
        let n = num(&ps["platforms"], "sites[].platforms");
        let b = num(&ps["batches"], "sites[].batches");
        let inflow = received.get(&id).copied().unwrap_or(0.0);
        close(
            b,
            inflow,
            &format!("site {id}: batches vs batches shipped in"),
        );
        if status == "closed" {
            assert!(!sp.existing, "existing site {id} must stay open");
            assert_eq!(n, 0.0, "closed site {id} has platforms");
            assert!(b.abs() <= 1e-6, "closed site {id} makes {b} batches");
            continue;
        }
        let model = match status.as_str() {
            "owned" | "franchise" => status.as_str(),
            other => panic!("site {id} has status {other:?}"),
        };
        assert!(
            sp.allow == model || sp.allow == "both",
            "site {id} is {model} but allows only {}",
            sp.allow
        );
        check_platforms(scn, &id, sp, n, b);
        let setup_one_off = if sp.existing {
            0.0
        } else if model == "owned" {
            sp.setup_owned
                .unwrap_or_else(|| kf(kind, "site.setup_cost_owned"))
        } else {
            sp.setup_franchise
                .unwrap_or_else(|| kf(kind, "site.setup_cost_franchise"))
        };
        setup += setup_one_off
            * crf(
                kf(kind, "site.discount_rate"),
                kf(kind, "site.amortization_years"),
            );
        fixed += kf(kind, &format!("site.fixed_cost_{model}"));
        platform_cost += n * kf(kind, &format!("platform.cost_{model}"));
        batch_cost += b * kf(kind, &format!("batch.cost_{model}"));
        open += 1;
        platforms_total += n;
        if model == "owned" {
            owned += 1;
        } else {
            franchise += 1;
        }
    }
    Sites {
        setup,
        fixed,
        platform_cost,
        batch_cost,
        open,
        owned,
        franchise,
        platforms_total,
    }
}

/// An open site's platforms: whole, within its maximum, enough for its batches and no more than
/// needed, and used at least at `policy.min_utilization`.
fn check_platforms(scn: &Value, id: &str, sp: &SiteRow, n: f64, b: f64) {
    let t = |k: &str| scenario_f64(scn, k);
    let kf = |kind: &str, k: &str| kind_f64(scn, kind, k);
    let kind = sp.kind.as_str();
    let bpp = sp
        .batches_per_platform
        .unwrap_or_else(|| kf(kind, "platform.batches_per_year"));
    let max_n = sp
        .max_platforms
        .unwrap_or_else(|| kf(kind, "site.max_platforms"));
    assert_eq!(n, n.round(), "site {id}: platforms {n} not whole");
    at_most(n, max_n, &format!("site {id}: platforms"));
    at_most(
        b,
        n * bpp,
        &format!("site {id}: batches vs platforms x capacity"),
    );
    // the fewest platforms that carry the batches
    assert!(
        n == 0.0 || (n - 1.0) * bpp < b - 1e-9,
        "site {id}: {n} platforms for {b} batches at {bpp} a platform is not the fewest"
    );
    let min_u = t("policy.min_utilization");
    assert!(
        b + 1e-6 >= min_u * bpp * n,
        "site {id}: utilization below policy.min_utilization"
    );
}

/// The policy rows on the open sites: their number and the franchise share.
fn check_site_policy(scn: &Value, sites: &Sites) {
    let (open, franchise) = (sites.open, sites.franchise);
    let t = |k: &str| scenario_f64(scn, k);
    let min_sites = t("policy.min_sites");
    let max_sites = t("policy.max_sites");
    assert!(
        open as f64 >= min_sites,
        "fewer open sites than policy.min_sites"
    );
    assert!(
        max_sites < 0.0 || open as f64 <= max_sites,
        "more open sites than policy.max_sites"
    );
    assert!(
        franchise as f64 <= t("policy.max_franchise_share") * open as f64 + 1e-9,
        "franchise share above policy.max_franchise_share"
    );
}

/// Cost lines: each recomputed, and together the total.
fn check_cost_lines(
    plan: &Value,
    scn: &Value,
    patients: &Patients,
    unserved: &HashMap<String, f64>,
    batches: &Batches,
    sites: &Sites,
) {
    let Sites {
        setup,
        fixed,
        platform_cost,
        batch_cost,
        ..
    } = *sites;
    let (transport, patient_travel) = (batches.transport, patients.patient_travel);
    let t = |k: &str| scenario_f64(scn, k);
    let cost = &plan["cost"];
    let line = |k: &str| num(&cost[k], &format!("cost.{k}"));
    let unserved_total: f64 = unserved.values().sum();
    let expected = [
        ("setup", setup),
        ("fixed", fixed),
        ("platforms", platform_cost),
        ("batches", batch_cost),
        ("transport", transport),
        ("patient_travel", patient_travel),
        (
            "unmet_penalty",
            unserved_total * t("demand.unserved_penalty"),
        ),
    ];
    // the plan rounds its unserved columns to 6 decimals before it makes its cost lines: at the
    // penalty, up to half a millionth of it a row
    let unmet_rounding = unserved.len() as f64 * 0.5e-6 * t("demand.unserved_penalty");
    let mut sum = 0.0;
    for (k, v) in expected {
        let got = line(k);
        let rounding = if k == "unmet_penalty" {
            unmet_rounding
        } else {
            0.0
        };
        let tol = 0.02 + 1e-9 * v.abs() + rounding;
        assert!(
            (got - v).abs() <= tol,
            "cost.{k}: plan says {got}, recomputed {v}"
        );
        sum += got;
    }
    let total = line("total");
    assert!(
        (sum - total).abs() <= 0.011,
        "cost lines sum to {sum}, cost.total is {total}"
    );
    if let Some(obj) = plan["solver"]["objective"].as_f64() {
        assert!(
            (obj - total).abs() <= 1.0 + 1e-6 * obj.abs(),
            "cost.total {total} vs solver objective {obj}"
        );
    }
}

/// KPIs agree with the flows and decisions.
fn check_kpis(plan: &Value, data: &Data, patients: &Patients, batches: &Batches, sites: &Sites) {
    let demand = &data.demand;
    let served = &patients.served;
    let Batches {
        max_v2v,
        v2v_weight,
        total_batches,
        ..
    } = *batches;
    let Sites {
        open,
        owned,
        franchise,
        platforms_total,
        ..
    } = *sites;
    let k = &plan["kpis"];
    let patients_demand: f64 = demand.values().map(|d| d.patients).sum();
    let patients_served: f64 = served.values().sum();
    close(
        num(&k["patients_demand"], "kpis.patients_demand"),
        patients_demand,
        "kpis.patients_demand",
    );
    close(
        num(&k["patients_served"], "kpis.patients_served"),
        patients_served,
        "kpis.patients_served",
    );
    close(
        num(&k["batches"], "kpis.batches"),
        total_batches,
        "kpis.batches",
    );
    assert_eq!(
        k["sites_open"].as_u64(),
        Some(open as u64),
        "kpis.sites_open"
    );
    assert_eq!(k["owned"].as_u64(), Some(owned as u64), "kpis.owned");
    assert_eq!(
        k["franchise"].as_u64(),
        Some(franchise as u64),
        "kpis.franchise"
    );
    assert_eq!(
        k["platforms"].as_f64(),
        Some(platforms_total),
        "kpis.platforms"
    );
    match max_v2v {
        Some(m) => {
            close(
                num(&k["max_vein_to_vein_days"], "kpis.max_vein_to_vein_days"),
                m,
                "kpis.max_vein_to_vein_days",
            );
            close(
                num(&k["mean_vein_to_vein_days"], "kpis.mean_vein_to_vein_days"),
                v2v_weight / total_batches,
                "kpis.mean_vein_to_vein_days",
            );
        }
        None => assert!(k["max_vein_to_vein_days"].is_null()),
    }
}
