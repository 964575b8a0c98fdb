//! `cartnet verify` on multi-year plans (issue #8), end to end through the real binary: every
//! multi-year plan solved here holds, and each kind of multi-year violation is caught with its
//! message (a site closing in a later year, platforms removed, a site producing before its lead
//! time, a wrong net present value or year cost, demand not grown, the in vivo share ignored,
//! the years' bookkeeping).
//!
//! The demo's multi-year solves do not reach optimality quickly, so they stop at a 1 % gap (about
//! a second each); a feasible plan within its gap is what verify checks.

mod common;

use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

use common::{ROOT, Solved, assert_caught, cartnet, run, verify_plan};

/// Solves with `args` at a 1 % gap and `--verify` (so solve itself checks the plan), asserts
/// exit 0, then runs `cartnet verify` on the written plan and asserts it holds.
fn solve(args: &[&str]) -> Solved {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = run(cartnet()
        .args(["solve", "--gap", "0.01", "--time-limit", "30", "--verify"])
        .arg("--out")
        .arg(&out)
        .args(args));
    assert_eq!(
        r.code,
        Some(0),
        "cartnet solve {args:?}\nstdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    let path = out.join("plan.json");
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let v = run(cartnet().arg("verify").arg(&path));
    assert_eq!(v.code, Some(0), "{args:?}: {}{}", v.stdout, v.stderr);
    assert!(v.stdout.contains("the plan holds"), "{}", v.stdout);
    Solved {
        _dir: dir,
        out,
        plan,
    }
}

const THREE_YEARS: [&str; 4] = ["--set", "horizon.years=3", "--set", "horizon.growth=0.11"];

/// The demo over 3 years of 11 % growth, annualized setup, no lead time.
fn three_years() -> &'static Solved {
    static PLAN: OnceLock<Solved> = OnceLock::new();
    PLAN.get_or_init(|| solve(&THREE_YEARS))
}

/// The demo over 3 years with upfront setup and a lead time of one year.
fn upfront_lead() -> &'static Solved {
    static PLAN: OnceLock<Solved> = OnceLock::new();
    PLAN.get_or_init(|| {
        let mut a = THREE_YEARS.to_vec();
        a.extend([
            "--set",
            "horizon.setup=upfront",
            "--set",
            "horizon.lead_years=1",
        ]);
        solve(&a)
    })
}

/// The demo over 3 years of shrinking demand (-20 % a year) where platforms may be removed.
fn shrinking() -> &'static Solved {
    static PLAN: OnceLock<Solved> = OnceLock::new();
    PLAN.get_or_init(|| {
        solve(&[
            "--set",
            "horizon.years=3",
            "--set",
            "horizon.growth=-0.2",
            "--set",
            "horizon.platform_removal=true",
        ])
    })
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is a list"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is a number"))
}

/// Site `id`'s entry in `years[t - 1].sites`.
fn site_in_year<'a>(plan: &'a Value, t: usize, id: &str) -> &'a Value {
    arr(&plan["years"][t - 1], "sites")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

fn site_pos(plan: &Value, t: usize, id: &str) -> usize {
    arr(&plan["years"][t - 1], "sites")
        .iter()
        .position(|s| s["id"] == id)
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// plans that hold

#[test]
fn three_year_plan_holds_and_has_the_shape_verify_checks() {
    let s = three_years();
    let plan = &s.plan;
    let years = arr(plan, "years");
    assert_eq!(years.len(), 3);
    // demand grows 11 % a year: the years' ex vivo demand is the demand.csv total x 1.11^(t-1)
    let d1 = f(&years[0]["kpis"]["patients_demand"]);
    for (t, y) in years.iter().enumerate() {
        let expected = d1 * 1.11f64.powi(t as i32);
        assert!((f(&y["kpis"]["patients_demand"]) - expected).abs() < 1e-4 * expected);
        assert_eq!(y["year"], t + 1);
    }
    // the report of the run that holds names the years
    let r = run(cartnet().arg("verify").arg(s.out.join("plan.json")));
    assert!(
        r.stdout.contains("15 sites in each of 3 years"),
        "{}",
        r.stdout
    );
}

#[test]
fn upfront_setup_with_a_lead_time_holds() {
    let plan = &upfront_lead().plan;
    // with a lead time of one year, only existing sites produce in year 1
    for s in arr(&plan["years"][0], "sites") {
        if s["status"] != "closed" {
            assert_eq!(
                s["id"], "S-MORRIS",
                "only the existing site produces in year 1"
            );
        }
    }
    // the setup of the sites opened in year 2 is paid whole in year 1, their decision year;
    // a site decided in year 3 would produce only in year 4, beyond the horizon
    assert!(!arr(&plan["years"][1], "opened").is_empty());
    assert!(f(&plan["years"][0]["cost"]["setup"]) > 0.0);
    assert_eq!(f(&plan["years"][2]["cost"]["setup"]), 0.0);
}

#[test]
fn in_vivo_shares_platform_removal_and_a_long_lead_time_hold() {
    // a share growing 10 points a year on growing demand
    let iv = solve(&[
        "--set",
        "horizon.years=3",
        "--set",
        "horizon.growth=0.11",
        "--set",
        "demand.in_vivo_share=0.2",
        "--set",
        "demand.in_vivo_growth=0.1",
    ]);
    let k = &iv.plan["years"][2]["kpis"];
    let total = f(&k["patients_demand"]) + f(&k["patients_in_vivo"]);
    assert!((f(&k["patients_in_vivo"]) - 0.4 * total).abs() < 1e-4 * total);
    // shrinking demand where platforms may be removed
    let rm = shrinking();
    let platforms: Vec<u64> = arr(&rm.plan, "years")
        .iter()
        .map(|y| y["kpis"]["platforms"].as_u64().unwrap())
        .collect();
    assert!(
        platforms[2] < platforms[0],
        "platforms are removed: {platforms:?}"
    );
    // four years, a list of shares, upfront setup two years ahead, a site count floor
    solve(&[
        "--set",
        "horizon.years=4",
        "--set",
        "horizon.growth=0.2",
        "--set",
        "horizon.lead_years=2",
        "--set",
        "horizon.setup=upfront",
        "--set",
        "demand.in_vivo_share=[0.1, 0.2, 0.3, 0.5]",
        "--set",
        "policy.min_sites=3",
    ]);
    // one year with an in vivo share, and one with upfront setup
    let one = solve(&["--set", "demand.in_vivo_share=0.2"]);
    assert!(one.plan.get("years").is_none());
    assert!(f(&one.plan["kpis"]["patients_in_vivo"]) > 0.0);
    solve(&["--set", "horizon.setup=upfront"]);
}

#[test]
fn platforms_removed_are_caught_where_the_scenario_keeps_them() {
    let rm = shrinking();
    // a site that has fewer platforms in a later year
    let plan = &rm.plan;
    let (t, id, before, after) = (2..=3)
        .flat_map(|t| {
            arr(&plan["years"][t - 1], "sites")
                .iter()
                .filter_map(move |s| {
                    let prev = site_in_year(plan, t - 1, s["id"].as_str().unwrap());
                    let (a, b) = (f(&prev["platforms"]), f(&s["platforms"]));
                    (s["status"] != "closed" && b < a)
                        .then(|| (t, s["id"].as_str().unwrap().to_string(), a, b))
                })
        })
        .next()
        .expect("shrinking demand removes platforms somewhere");
    let plural = |x: f64| {
        if x == 1.0 {
            "1 platform".to_string()
        } else {
            format!("{x} platforms")
        }
    };
    assert_caught(
        plan,
        |p| p["scenario"]["horizon"]["platform_removal"] = Value::from(false),
        &[],
        &[&format!(
            "[platforms_kept] year {t}: site {id} has {} in year {} but {} in year {t}: platforms \
             are only added (horizon.platform_removal is false)",
            plural(before),
            t - 1,
            plural(after)
        )],
    );
}

// ---------------------------------------------------------------------------------------------
// each kind of violation

#[test]
fn a_site_closing_or_changing_model_in_a_later_year_is_caught() {
    let plan = &three_years().plan;
    // a new site open from year 1 on
    let id = arr(&plan["years"][0], "sites")
        .iter()
        .find(|s| s["status"] == "owned" && s["id"] != "S-MORRIS")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let i = site_pos(plan, 3, &id);
    assert_caught(
        plan,
        |p| p["years"][2]["sites"][i]["status"] = Value::from("closed"),
        &[],
        &[&format!(
            "[stays_open] year 3: site {id} is owned in year 2 but closed in year 3: once open, a \
             site stays open under the same operating model"
        )],
    );
    assert_caught(
        plan,
        |p| p["years"][2]["sites"][i]["status"] = Value::from("franchise"),
        &[],
        &[&format!(
            "[stays_open] year 3: site {id} is owned in year 2 but franchise in year 3"
        )],
    );
    // an existing site closed in a later year breaks the status rule of that year
    let m = site_pos(plan, 2, "S-MORRIS");
    assert_caught(
        plan,
        |p| p["years"][1]["sites"][m]["status"] = Value::from("closed"),
        &[],
        &["[status] year 2: site S-MORRIS is existing (sites.csv) and must stay open"],
    );
}

#[test]
fn a_site_producing_before_its_lead_time_is_caught() {
    let plan = &upfront_lead().plan;
    // the sites that first produce in year 2 were decided in year 1; with two years of lead
    // time they could not produce before year 3
    let opened: Vec<String> = arr(&plan["years"][1], "opened")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(!opened.is_empty(), "the plan opens sites in year 2");
    assert_caught(
        plan,
        |p| p["scenario"]["horizon"]["lead_years"] = Value::from(2),
        &[],
        &[&format!(
            "[lead_time] year 2: site {} is new (not existing in sites.csv) and produces in year \
             2, but horizon.lead_years = 2: a new site produces from year 3 on",
            opened[0]
        )],
    );
    // a plan that moves a site's opening into year 1, before the lead time has passed
    let id = opened[0].clone();
    let i = site_pos(plan, 1, &id);
    let year2 = site_in_year(plan, 2, &id).clone();
    assert_caught(
        plan,
        |p| {
            let s = &mut p["years"][0]["sites"][i];
            s["status"] = year2["status"].clone();
            s["platforms"] = year2["platforms"].clone();
        },
        &[],
        &[&format!(
            "[lead_time] year 1: site {id} is new (not existing in sites.csv) and produces in \
             year 1, but horizon.lead_years = 1: a new site produces from year 2 on"
        )],
    );
}

#[test]
fn a_wrong_net_present_value_year_cost_or_discount_factor_is_caught() {
    let plan = &three_years().plan;
    assert_caught(
        plan,
        |p| {
            let t = &mut p["cost"]["total"];
            *t = Value::from(f(t) + 1000.0);
        },
        &[],
        &[
            "[npv] cost.total: the plan says",
            "but the net present value of the 3 years' costs is",
            "(horizon.discount_rate = 0.08); off by $1,000.0",
        ],
    );
    // the undiscounted sum of the years is not the net present value
    assert_caught(
        plan,
        |p| {
            let sum: f64 = arr(p, "years").iter().map(|y| f(&y["cost"]["fixed"])).sum();
            p["cost"]["fixed"] = Value::from(sum);
        },
        &[],
        &[
            "[npv] cost.fixed: the plan says",
            "but the net present value of the years' fixed lines is",
        ],
    );
    assert_caught(
        plan,
        |p| {
            let t = &mut p["years"][2]["cost"]["batches"];
            *t = Value::from(f(t) - 120_000.0);
        },
        &[],
        &[
            "[cost] year 3: years[2].cost.batches: the plan says",
            "(batches made x cost per batch); off by -$120,000.00",
        ],
    );
    assert_caught(
        plan,
        |p| p["years"][1]["discount_factor"] = Value::from(1.0),
        &[],
        &[
            "[npv] year 2: years[1].discount_factor is 1, but year 2 weighs 1 / (1 + horizon.discount_rate 0.08)^1 = 0.925926",
        ],
    );
    // upfront setup charged in the opening year instead of the decision year
    let up = &upfront_lead().plan;
    assert_caught(
        up,
        |p| {
            let s1 = f(&p["years"][0]["cost"]["setup"]);
            let s2 = f(&p["years"][1]["cost"]["setup"]);
            p["years"][0]["cost"]["setup"] = Value::from(0.0);
            p["years"][1]["cost"]["setup"] = Value::from(s1 + s2);
        },
        &[],
        &[
            "[cost] year 1: years[0].cost.setup: the plan says $0.00",
            "(the whole setup of the sites decided this year, horizon.lead_years = 1 before they first produce (horizon.setup = upfront))",
        ],
    );
}

#[test]
fn demand_that_does_not_grow_is_caught() {
    let plan = &three_years().plan;
    // year 2 served and unserved as if demand had not grown
    // a demand point served in full in year 2
    let d = arr(plan, "patient_flows")
        .iter()
        .filter(|x| x["year"] == 2)
        .map(|x| x["demand"].as_str().unwrap().to_string())
        .find(|d| {
            !arr(plan, "unserved")
                .iter()
                .any(|u| u["year"] == 2 && u["demand"] == d.as_str())
        })
        .unwrap();
    let patients = std::fs::read_to_string(Path::new(ROOT).join("data/demo/demand.csv"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with(&format!("{d},")))
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .unwrap();
    assert_caught(
        plan,
        |p| {
            for list in ["patient_flows", "unserved"] {
                for e in p[list].as_array_mut().unwrap() {
                    if e["year"] == 2 {
                        e["patients"] = Value::from(f(&e["patients"]) / 1.11);
                    }
                }
            }
        },
        &[],
        &[&format!(
            "[demand] year 2: demand point {d}: {patients_s} patients served + 0 unserved = \
             {patients_s}, but demand.csv has {patients_s} patients, which make {grown} ex vivo \
             patients in year 2 (x (1 + horizon.growth 0.11)^1)",
            patients_s = patients,
            grown = (patients * 1.11 * 1e6).round() / 1e6
        )],
    );
}

#[test]
fn a_growth_column_is_read_from_demand_csv() {
    // demand.csv with a growth column: every other point grows 30 % a year, the rest 11 %
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for file in ["hospitals.csv", "sites.csv"] {
        std::fs::copy(
            Path::new(ROOT).join("data/demo").join(file),
            data.join(file),
        )
        .unwrap();
    }
    let demand = std::fs::read_to_string(Path::new(ROOT).join("data/demo/demand.csv")).unwrap();
    let mut lines = demand.lines();
    let mut text = format!("{},growth\n", lines.next().unwrap());
    let mut grown_id = None;
    for (i, l) in lines.enumerate() {
        if i % 2 == 0 {
            text.push_str(&format!("{l},0.3\n"));
            grown_id.get_or_insert_with(|| l.split(',').next().unwrap().to_string());
        } else {
            text.push_str(&format!("{l},\n"));
        }
    }
    std::fs::write(data.join("demand.csv"), text).unwrap();
    let data_s = data.display().to_string();
    let mut args = vec!["--data", data_s.as_str()];
    args.extend(THREE_YEARS);
    let s = solve(&args);
    // against the demo's demand.csv, without the column, the fast-growing points do not balance
    // (other data than the plan's on purpose: --force checks it anyway)
    let id = grown_id.unwrap();
    assert_caught(
        &s.plan,
        |_| {},
        &["--data", "data/demo", "--force"],
        &[&format!("[demand] year 2: demand point {id}: ")],
    );
    // and the column's growth is named where it applies
    assert_caught(
        &s.plan,
        |p| p["scenario"]["horizon"]["growth"] = Value::from(0.0),
        &[],
        &["ex vivo patients in year 2 (x (1 + horizon.growth 0)^1)"],
    );
    let r = verify_plan(&s.plan, &[]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
}

#[test]
fn an_ignored_in_vivo_share_is_caught() {
    let plan = &three_years().plan;
    assert_caught(
        plan,
        |p| p["scenario"]["demand"]["in_vivo_share"] = Value::from(0.2),
        &[],
        &[
            "[demand] year 1: demand point",
            "ex vivo patients in year 1 (x (1 - in vivo share 0.2))",
            "ex vivo patients in year 3 (x (1 + horizon.growth 0.11)^2 x (1 - in vivo share 0.2))",
            "[kpi] year 1: years[0].kpis.patients_in_vivo: the plan says 0, recomputed",
        ],
    );
    // a list of shares, one a year
    assert_caught(
        plan,
        |p| p["scenario"]["demand"]["in_vivo_share"] = serde_json::json!([0.0, 0.0, 0.5]),
        &[],
        &["ex vivo patients in year 3 (x (1 + horizon.growth 0.11)^2 x (1 - in vivo share 0.5))"],
    );
}

#[test]
fn the_years_bookkeeping_is_caught() {
    let plan = &three_years().plan;
    // a site that first produces in a later year
    let (t, id) = (2..=3)
        .find_map(|t| {
            arr(&plan["years"][t - 1], "opened")
                .first()
                .map(|v| (t, v.as_str().unwrap().to_string()))
        })
        .expect("the plan opens a site after year 1");
    assert_caught(
        plan,
        |p| p["years"][t - 1]["opened"] = Value::Array(Vec::new()),
        &[],
        &[&format!(
            "[years] year {t}: site {id} first produces in year {t}, but years[{}].opened does not \
             list it",
            t - 1
        )],
    );
    let i = arr(plan, "sites")
        .iter()
        .position(|s| s["id"] == id.as_str())
        .unwrap();
    assert_eq!(plan["sites"][i]["opened_year"], t);
    assert_caught(
        plan,
        |p| p["sites"][i]["opened_year"] = Value::from(1),
        &[],
        &[&format!(
            "[years] site {id} first produces in year {t}, but sites[{i}].opened_year is 1"
        )],
    );
    // the top-level KPIs are the final year's, not the first's
    let first = plan["years"][0]["kpis"]["patients_demand"].clone();
    let last = plan["years"][2]["kpis"]["patients_demand"].clone();
    assert_caught(
        plan,
        |p| p["kpis"] = p["years"][0]["kpis"].clone(),
        &[],
        &[&format!(
            "[years] kpis.patients_demand is {first}, but the final year's \
             (years[2].kpis.patients_demand) is {last}"
        )],
    );
    // a years list of the wrong length, and a flow in a year the horizon does not have
    assert_caught(
        plan,
        |p| {
            p["years"].as_array_mut().unwrap().pop();
        },
        &[],
        &["[years] the plan lists 2 years, but the scenario plans 3 (horizon.years)"],
    );
    assert_caught(
        plan,
        |p| p["batch_flows"][0]["year"] = Value::from(4),
        &[],
        &["[plan] batch_flows[0].year is 4: expected a year from 1 to 3 (horizon.years)"],
    );
}
