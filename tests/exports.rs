//! Exported plans, end to end through the real binary: plan.geojson, `cartnet verify` (every plan
//! holds; each kind of violation is caught with its message), `cartnet report` (rendered in
//! headless Chromium), `solve --write-model` (re-read and re-solved by HiGHS), CSV formula safety.
//!
//! The report test needs Debian's `chromium` (`apt-get install -y chromium`). Without it the test
//! fails, unless CARTNET_SKIP_BROWSER=1, when it checks the HTML only. CARTNET_CHROMIUM may name
//! the browser binary.

mod common;

use cartnet::text::usd;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use tempfile::TempDir;

use common::browser::{chromium_or_skip, png_info, screenshot};
use common::{ROOT, Solved, cartnet, run, verify_plan};

/// Solves the demo (data/demo, models/baseline.toml) with `args`, asserting exit 0.
fn solve_demo(args: &[&str]) -> Solved {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = run(cartnet().arg("solve").arg("--out").arg(&out).args(args));
    assert_eq!(
        r.code,
        Some(0),
        "cartnet solve {args:?}\nstdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    let plan = serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap())
        .expect("plan.json is JSON");
    Solved {
        _dir: dir,
        out,
        plan,
    }
}

/// The demo plan, solved once with `--verify` for all the tests of this file.
fn demo() -> &'static Solved {
    static DEMO: OnceLock<Solved> = OnceLock::new();
    DEMO.get_or_init(|| solve_demo(&["--verify"]))
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is a list"))
}

/// Reads a CSV of the demo as id -> (lon, lat).
fn coordinates(file: &str) -> HashMap<String, (f64, f64)> {
    let mut r = csv::Reader::from_path(Path::new(ROOT).join("data/demo").join(file)).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (id, lat, lon) = (col("id"), col("lat"), col("lon"));
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[id].to_string(),
                (x[lon].parse().unwrap(), x[lat].parse().unwrap()),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// plan.geojson

#[test]
fn geojson_is_an_rfc7946_feature_collection_beside_plan_json() {
    let d = demo();
    let text = std::fs::read_to_string(d.out.join("plan.geojson")).expect("plan.geojson written");
    let gj: geojson::GeoJson = text.parse().expect("valid GeoJSON");
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("plan.geojson is not a FeatureCollection")
    };
    let raw: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(raw["type"], "FeatureCollection");
    let demand_xy = coordinates("demand.csv");
    let hospital_xy = coordinates("hospitals.csv");
    let site_xy = coordinates("sites.csv");

    let mut by_layer: HashMap<String, Vec<&geojson::Feature>> = HashMap::new();
    for f in &fc.features {
        let layer = f.property("layer").and_then(Value::as_str).expect("layer");
        by_layer.entry(layer.to_string()).or_default().push(f);
    }
    let count = |l: &str| by_layer.get(l).map_or(0, Vec::len);
    assert_eq!(count("site"), site_xy.len());
    assert_eq!(count("hospital"), hospital_xy.len());
    assert_eq!(count("demand"), demand_xy.len());
    assert_eq!(count("patient_flow"), arr(&d.plan, "patient_flows").len());
    assert_eq!(count("batch_flow"), arr(&d.plan, "batch_flows").len());

    let point = |f: &geojson::Feature| match &f.geometry.as_ref().unwrap().value {
        geojson::Value::Point(p) => (p[0], p[1]),
        other => panic!("expected a Point, got {other:?}"),
    };
    let line = |f: &geojson::Feature| match &f.geometry.as_ref().unwrap().value {
        geojson::Value::LineString(l) => {
            assert_eq!(l.len(), 2);
            ((l[0][0], l[0][1]), (l[1][0], l[1][1]))
        }
        other => panic!("expected a LineString, got {other:?}"),
    };
    let id =
        |f: &geojson::Feature, k: &str| f.property(k).and_then(Value::as_str).unwrap().to_string();
    let number = |f: &geojson::Feature, k: &str| {
        f.property(k)
            .and_then(Value::as_f64)
            .unwrap_or_else(|| panic!("property {k} is a number: {:?}", f.property(k)))
    };
    // longitude first: every point sits where the CSV puts it
    for f in &by_layer["demand"] {
        assert_eq!(point(f), demand_xy[&id(f, "id")]);
        let (p, s, u) = (
            number(f, "patients"),
            number(f, "served"),
            number(f, "unserved"),
        );
        assert!(
            (s + u - p).abs() < 1e-5,
            "demand {}: {s} + {u} != {p}",
            id(f, "id")
        );
    }
    let mut treated = 0.0;
    for f in &by_layer["hospital"] {
        assert_eq!(point(f), hospital_xy[&id(f, "id")]);
        treated += number(f, "patients");
        number(f, "batches");
    }
    common::assert_rel(
        treated,
        d.plan["kpis"]["patients_served"].as_f64().unwrap(),
        1e-6,
        "hospital patients vs kpis.patients_served",
    );
    let sites_plan: HashMap<&str, &Value> = arr(&d.plan, "sites")
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s))
        .collect();
    for f in &by_layer["site"] {
        let sid = id(f, "id");
        assert_eq!(point(f), site_xy[&sid]);
        let p = sites_plan[sid.as_str()];
        assert_eq!(f.property("status").unwrap(), &p["status"]);
        assert_eq!(number(f, "platforms"), p["platforms"].as_f64().unwrap());
        assert_eq!(number(f, "batches"), p["batches"].as_f64().unwrap());
        number(f, "utilization");
    }
    for f in &by_layer["patient_flow"] {
        let (a, b) = line(f);
        assert_eq!(a, demand_xy[&id(f, "demand")]);
        assert_eq!(b, hospital_xy[&id(f, "hospital")]);
        assert!(number(f, "patients") > 0.0);
        number(f, "hours");
    }
    for f in &by_layer["batch_flow"] {
        let (a, b) = line(f);
        assert_eq!(a, hospital_xy[&id(f, "hospital")]);
        assert_eq!(b, site_xy[&id(f, "site")]);
        assert!(number(f, "batches") > 0.0);
        number(f, "transit_hours");
        number(f, "vein_to_vein_days");
    }
    // the bounding box holds every point, west-south-east-north
    let bbox = fc.bbox.expect("bbox");
    for (lon, lat) in demand_xy.values().chain(hospital_xy.values()) {
        assert!(bbox[0] <= *lon && *lon <= bbox[2] && bbox[1] <= *lat && *lat <= bbox[3]);
    }
}

// ---------------------------------------------------------------------------------------------
// verify: every plan holds

#[test]
fn demo_plan_holds_by_default_and_against_the_baseline_file() {
    let d = demo();
    let plan = d.out.join("plan.json");
    // data from the plan's instance.data, scenario from the plan
    let r = run(cartnet().arg("verify").arg(&plan));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("the plan holds"), "{}", r.stdout);
    // the same against the scenario file: no violations and no differences noted
    let r = run(cartnet().arg("verify").arg(&plan).args([
        "--data",
        "data/demo",
        "--model",
        "models/baseline.toml",
    ]));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("note:"), "{}", r.stderr);
}

#[test]
fn scenario_variants_of_the_demo_pass_verify() {
    let variants: [&[&str]; 4] = [
        &["--set", "time.max_vein_to_vein_days=15"],
        // franchising wins: franchise status and costs
        &[
            "--set",
            "site.setup_cost_owned=6e6",
            "--set",
            "batch.cost_franchise=125000",
        ],
        // patient travel costs, a longer travel limit, at most 6 sites
        &[
            "--set",
            "transport.patient_cost_per_km=0.5",
            "--set",
            "time.max_patient_travel_hours=3",
            "--set",
            "policy.max_sites=6",
        ],
        // single sourcing stopped at a 2 % gap: a "feasible" plan
        &["--set", "policy.single_sourcing=true", "--gap", "0.02"],
    ];
    let mut statuses = Vec::new();
    for args in variants {
        let mut a = vec!["--verify"];
        a.extend_from_slice(args);
        let s = solve_demo(&a);
        let r = run(cartnet().arg("verify").arg(s.out.join("plan.json")));
        assert_eq!(r.code, Some(0), "{args:?}: {}{}", r.stdout, r.stderr);
        common::check_plan(&s.plan, &Path::new(ROOT).join("data/demo"));
        statuses.push(s.plan["solver"]["status"].as_str().unwrap().to_string());
        if args.contains(&"batch.cost_franchise=125000") {
            assert!(s.plan["kpis"]["franchise"].as_u64().unwrap() > 0);
        }
    }
    assert!(statuses.iter().any(|s| s == "feasible"), "{statuses:?}");
}

/// A tiny instance with everything verify recomputes: a patient lane, a one-way shipment lane,
/// a co-located site, an air lane to a central site, an existing site and allow restrictions.
#[test]
fn tiny_instance_with_lanes_existing_sites_and_air_passes_verify() {
    let inst = common::Instance::new(
        "id,lat,lon,patients\nD1,40,-75,30\nD2,40.5,-75,20\nD3,44,-75,6\nD4,34,-118,12\n",
        "id,lat,lon,max_patients\nH1,40,-75,40\nH2,40.6,-75,\nH3,34.05,-118.2,\n",
        "id,lat,lon,kind,hospital,max_platforms,allow,existing\n\
         S1,40,-75,colocated,H1,2,owned,\n\
         S2,41,-76,regional,,,franchise,true\n\
         S3,34,-118,central,,,,\n",
        Some("from,to,hours,cost\nD3,H2,1.5,40\nH2,S2,3,900\n"),
        "[time]\nmax_vein_to_vein_days = 30\n",
    );
    let plan = inst.solve_ok(&["--verify"]);
    // the plan really uses the lanes and the existing site
    let flows = arr(&plan, "patient_flows");
    assert!(
        flows
            .iter()
            .any(|f| f["demand"] == "D3" && f["hospital"] == "H2")
    );
    let s2 = arr(&plan, "sites")
        .iter()
        .find(|s| s["id"] == "S2")
        .unwrap();
    assert_eq!(s2["status"], "franchise");
}

// ---------------------------------------------------------------------------------------------
// verify: each kind of violation

/// Tampers with a copy of the demo plan and asserts verify fails with `expected` in its output.
#[track_caller]
fn assert_caught(edit: impl FnOnce(&mut Value), args: &[&str], expected: &[&str]) {
    common::assert_caught(&demo().plan, edit, args, expected);
}

/// A scenario file with only these lines (the rest: the baseline defaults).
fn scenario_file(dir: &TempDir, toml: &str) -> String {
    let p = dir.path().join("scenario.toml");
    std::fs::write(&p, toml).unwrap();
    p.display().to_string()
}

/// A copy of data/demo with one file edited by `edit` (line by line).
fn demo_data_with(dir: &TempDir, file: &str, edit: impl Fn(&str) -> String) -> String {
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    for f in ["demand.csv", "hospitals.csv", "sites.csv"] {
        let text = std::fs::read_to_string(Path::new(ROOT).join("data/demo").join(f)).unwrap();
        let text = if f == file {
            text.lines().map(&edit).collect::<Vec<_>>().join("\n") + "\n"
        } else {
            text
        };
        std::fs::write(data.join(f), text).unwrap();
    }
    data.display().to_string()
}

fn max_of(plan: &Value, list: &str, key: &str) -> (usize, f64) {
    arr(plan, list)
        .iter()
        .enumerate()
        .map(|(i, f)| (i, f[key].as_f64().unwrap()))
        .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a })
}

#[test]
fn a_wrong_arc_time_is_caught() {
    let f = &arr(&demo().plan, "patient_flows")[0];
    let arc = format!(
        "[arc] patient flow {} -> {}: the plan says",
        f["demand"].as_str().unwrap(),
        f["hospital"].as_str().unwrap()
    );
    assert_caught(
        |p| {
            let h = &mut p["patient_flows"][0]["hours"];
            *h = Value::from(h.as_f64().unwrap() + 0.5);
        },
        &[],
        &[&arc, "recomputed"],
    );
    let (i, _) = max_of(&demo().plan, "batch_flows", "transit_hours");
    assert_caught(
        |p| p["batch_flows"][i]["vein_to_vein_days"] = Value::from(9.0),
        &[],
        &[
            "[arc] batch flow",
            "the plan says 9 vein-to-vein days, recomputed",
        ],
    );
}

#[test]
fn demand_balance_is_caught() {
    let (i, x) = max_of(&demo().plan, "patient_flows", "patients");
    let d = arr(&demo().plan, "patient_flows")[i]["demand"]
        .as_str()
        .unwrap()
        .to_string();
    assert_caught(
        |p| p["patient_flows"][i]["patients"] = Value::from(x - 1.0),
        &[],
        &[&format!("[demand] demand point {d}:"), "but demand.csv has"],
    );
}

#[test]
fn full_coverage_is_caught() {
    assert!(
        !arr(&demo().plan, "unserved").is_empty(),
        "the demo leaves some demand unserved"
    );
    let dir = tempfile::tempdir().unwrap();
    let model = scenario_file(&dir, "[demand]\nfull_coverage = true\n");
    assert_caught(
        |_| {},
        &["--model", &model],
        &["[demand] demand point", "but demand.full_coverage is true"],
    );
}

#[test]
fn hospital_capacity_is_caught() {
    // the hospital treating the most patients, given a capacity of 10 in a copy of the data
    let mut treated: HashMap<String, f64> = HashMap::new();
    for f in arr(&demo().plan, "patient_flows") {
        *treated
            .entry(f["hospital"].as_str().unwrap().into())
            .or_default() += f["patients"].as_f64().unwrap();
    }
    let (h, _) = treated.iter().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data_with(&dir, "hospitals.csv", |line| {
        if line.starts_with(&format!("{h},")) {
            let mut cells: Vec<&str> = line.rsplitn(2, ',').collect();
            cells[0] = "10";
            format!("{},{}", cells[1], cells[0])
        } else {
            line.to_string()
        }
    });
    assert_caught(
        |_| {},
        // the data differs from the plan's on purpose: check it anyway
        &["--data", &data, "--force"],
        &[
            &format!("[hospital_capacity] hospital {h} treats"),
            "above its max_patients of 10 (hospitals.csv)",
        ],
    );
}

#[test]
fn batches_per_patient_is_caught() {
    let (i, w) = max_of(&demo().plan, "batch_flows", "batches");
    let h = arr(&demo().plan, "batch_flows")[i]["hospital"]
        .as_str()
        .unwrap()
        .to_string();
    assert_caught(
        |p| p["batch_flows"][i]["batches"] = Value::from(w / 2.0),
        &[],
        &[
            &format!("[batches_per_patient] hospital {h} treats"),
            "(patients / (1 - failure rate 0.07)), but the plan ships",
        ],
    );
}

/// The index of the demo plan's site `id`.
fn site_index(id: &str) -> usize {
    arr(&demo().plan, "sites")
        .iter()
        .position(|s| s["id"] == id)
        .unwrap()
}

#[test]
fn platform_capacity_and_counts_are_caught() {
    // S-MSK: 2 platforms (its limit) for 46.6 batches at 23.3 a platform
    let i = site_index("S-MSK");
    assert_eq!(demo().plan["sites"][i]["platforms"], 2);
    assert_caught(
        |p| p["sites"][i]["platforms"] = Value::from(1),
        &[],
        &[
            "[platforms] site S-MSK makes 46.6 batches a year on 1 platform of 23.3 batches each: above their capacity of 23.3",
        ],
    );
    assert_caught(
        |p| p["sites"][i]["platforms"] = Value::from(3),
        &[],
        &["[platforms] site S-MSK has 3 platforms, above its limit of 2 (sites.csv max_platforms)"],
    );
    // S-MORRIS: existing, open with no batches: a platform there is not the fewest
    let m = site_index("S-MORRIS");
    assert_caught(
        |p| p["sites"][m]["platforms"] = Value::from(1),
        &[],
        &["[platforms] site S-MORRIS reports 1 platform, but 0 carry its 0 batches"],
    );
}

#[test]
fn status_rules_are_caught() {
    // an existing site closed
    let m = site_index("S-MORRIS");
    assert_eq!(demo().plan["sites"][m]["status"], "owned");
    assert_caught(
        |p| p["sites"][m]["status"] = Value::from("closed"),
        &[],
        &[
            "[status] site S-MORRIS is existing (sites.csv) and must stay open, but the plan closes it",
        ],
    );
    // an owned site that sites.csv allows only as a franchise
    let dir = tempfile::tempdir().unwrap();
    let data = demo_data_with(&dir, "sites.csv", |line| {
        if line.starts_with("S-NYP,") {
            // id,name,lat,lon,kind,hospital,max_platforms,allow,...
            let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
            cells[7] = "franchise".into();
            cells.join(",")
        } else {
            line.to_string()
        }
    });
    assert_caught(
        |_| {},
        // the data differs from the plan's on purpose: check it anyway
        &["--data", &data, "--force"],
        &["[status] site S-NYP is owned, but sites.csv allows only franchise"],
    );
}

#[test]
fn travel_transit_and_vein_to_vein_limits_are_caught() {
    let plan = &demo().plan;
    let dir = tempfile::tempdir().unwrap();
    let (_, hours) = max_of(plan, "patient_flows", "hours");
    let model = scenario_file(
        &dir,
        &format!("[time]\nmax_patient_travel_hours = {}\n", hours - 0.01),
    );
    assert_caught(
        |_| {},
        &["--model", &model],
        &[
            "[travel_limit] patient flow",
            "hours of travel exceeds time.max_patient_travel_hours",
        ],
    );
    let (_, transit) = max_of(plan, "batch_flows", "transit_hours");
    assert!(transit > 0.0);
    let model = scenario_file(
        &dir,
        &format!("[time]\nmax_fresh_transit_hours = {}\n", transit - 0.01),
    );
    assert_caught(
        |_| {},
        &["--model", &model],
        &[
            "[transit_limit] batch flow",
            "hours of fresh transit exceeds time.max_fresh_transit_hours",
        ],
    );
    let (_, v2v) = max_of(plan, "batch_flows", "vein_to_vein_days");
    let model = scenario_file(
        &dir,
        &format!("[time]\nmax_vein_to_vein_days = {}\n", v2v - 0.01),
    );
    assert_caught(
        |_| {},
        &["--model", &model],
        &[
            "[vein_to_vein] batch flow",
            "vein-to-vein days exceeds time.max_vein_to_vein_days",
        ],
    );
}

#[test]
fn policy_rows_are_caught() {
    let open = demo().plan["kpis"]["sites_open"].as_u64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let model = scenario_file(&dir, &format!("[policy]\nmax_sites = {}\n", open - 1));
    assert_caught(
        |_| {},
        &["--model", &model],
        &[&format!(
            "[policy] {open} sites are open, more than policy.max_sites = {}",
            open - 1
        )],
    );
}

#[test]
fn cost_lines_and_total_are_caught() {
    assert_caught(
        |p| {
            let t = &mut p["cost"]["transport"];
            *t = Value::from(t.as_f64().unwrap() + 1000.0);
        },
        &[],
        &["[cost] cost.transport: the plan says", "off by $1,000.00"],
    );
    assert_caught(
        |p| {
            let t = &mut p["cost"]["total"];
            *t = Value::from(t.as_f64().unwrap() - 100.0);
        },
        &[],
        &["[cost] cost.total: the plan says", "off by -$100.00"],
    );
    // a penalty line that does not match the unserved patients
    assert_caught(
        |p| p["cost"]["unmet_penalty"] = Value::from(0.0),
        &[],
        &["[cost] cost.unmet_penalty: the plan says $0.00"],
    );
}

#[test]
fn kpis_plan_and_solver_fields_are_caught() {
    let platforms = demo().plan["kpis"]["platforms"].as_u64().unwrap();
    assert_caught(
        |p| p["kpis"]["platforms"] = Value::from(platforms + 1),
        &[],
        &[&format!(
            "[kpi] kpis.platforms: the plan says {}, recomputed {platforms}",
            platforms + 1
        )],
    );
    assert_caught(
        |p| p["patient_flows"][0]["demand"] = Value::from("NOPE"),
        &[],
        &["[plan] patient_flows[0].demand names \"NOPE\", which is not in demand.csv"],
    );
    assert_caught(
        |p| p["solver"]["status"] = Value::from("infeasible"),
        &[],
        &["[solver] solver.status is \"infeasible\""],
    );
}

#[test]
fn verify_reports_a_plan_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, "{ not json").unwrap();
    let r = run(cartnet().arg("verify").arg(&path));
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("is not valid JSON"), "{}", r.stderr);
    let mut plan = demo().plan.clone();
    plan["instance"]["data"] = Value::from("no/such/folder");
    let r = verify_plan(&plan, &[]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("pass --data DIR"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// report

#[test]
fn report_is_self_contained_and_renders_in_chromium() {
    let d = demo();
    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("report.html");
    let r = run(cartnet()
        .arg("report")
        .arg(d.out.join("plan.json"))
        .arg("--out")
        .arg(&html_path));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let html = std::fs::read_to_string(&html_path).unwrap();
    // self-contained: no script, no external stylesheet, image or font, no URL but SVG's namespace
    for banned in [
        "<script", "<link", "<img", "<iframe", "src=", "url(", "@import",
    ] {
        assert!(!html.contains(banned), "report.html contains {banned}");
    }
    let urls = html.matches("http").count();
    let ns = html.matches("http://www.w3.org/2000/svg").count();
    assert_eq!(
        urls, ns,
        "report.html names a URL other than the SVG namespace"
    );
    // the parts: map, chart, tables, KPIs, solver, scenario
    for part in [
        "<svg class=\"mapsvg\"",
        "Cost breakdown",
        "<h2>Sites",
        "<h2>Hospitals",
        "Unserved demand",
        "Scenario parameters",
        "max_vein_to_vein_days",
        "Best bound",
        "S-MSK",
        "MEMORIAL HOSPITAL FOR CANCER AND ALLIED DISEASES",
        "$89,919,772",
    ] {
        assert!(html.contains(part), "report.html lacks {part}");
    }
    // report.html beside the plan by default
    let r = run(cartnet().arg("report").arg(d.out.join("plan.json")));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(d.out.join("report.html").exists());

    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let blank_html = dir.path().join("blank.html");
    std::fs::write(&blank_html, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let blank = screenshot(&browser, &blank_html, &dir.path().join("blank.png"));
    let shot = screenshot(&browser, &html_path, &dir.path().join("report.png"));
    assert_eq!(png_info(&blank), (1280, 1600));
    assert_eq!(
        png_info(&shot),
        (1280, 1600),
        "the screenshot has the window's size"
    );
    // A blank page compresses to a few kB; the report's text, map and chart do not.
    assert!(
        shot.len() > 50_000 && shot.len() > 5 * blank.len(),
        "the screenshot looks blank: {} bytes (a blank page: {} bytes)",
        shot.len(),
        blank.len()
    );
    let mut seen = [false; 256];
    for &b in &shot[33..] {
        seen[b as usize] = true;
    }
    assert!(
        seen.iter().filter(|&&x| x).count() > 200,
        "the screenshot's data has little variety"
    );
    if let Ok(dest) = std::env::var("CARTNET_SAVE_SCREENSHOT") {
        std::fs::write(dest, &shot).unwrap();
    }
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("report.html lacks {start}"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[test]
fn multi_year_report_shows_the_build_out_year_by_year() {
    let s = solve_demo(&[
        "--gap",
        "0.01",
        "--time-limit",
        "30",
        "--set",
        "horizon.years=3",
        "--set",
        "horizon.growth=0.11",
        "--set",
        "demand.in_vivo_share=0.1",
    ]);
    let plan = &s.plan;
    let html_path = s.out.join("report.html");
    let r = run(cartnet().arg("report").arg(s.out.join("plan.json")));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let html = std::fs::read_to_string(&html_path).unwrap();
    for banned in ["<script", "<link", "<img", "src=", "url(", "@import"] {
        assert!(!html.contains(banned), "report.html contains {banned}");
    }
    let npv = plan["cost"]["total"].as_f64().unwrap();
    assert!(
        html.contains(&format!(
            "Build-out year by year <span class=\"muted\">3 years · net present value {} at a \
             discount rate of 8.0 % a year",
            usd(npv)
        )),
        "the build-out heading names the years and the NPV"
    );
    assert!(html.contains("Net present value</div><div class=\"k-value\">"));
    // one row a year with the plan's figures, then the NPV
    let table = between(&html, "Build-out year by year", "</table>");
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    let years = arr(plan, "years");
    assert_eq!(rows.len(), 3, "one row a year:\n{table}");
    for (row, y) in rows.iter().zip(years) {
        let k = &y["kpis"];
        let opened: Vec<&str> = arr(y, "opened")
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let cost = y["cost"]["total"].as_f64().unwrap();
        let df = y["discount_factor"].as_f64().unwrap();
        let cells = [
            format!("<td><b>{}</b></td>", y["year"]),
            format!("<td class=\"n\">{}</td>", k["sites_open"]),
            format!(
                "<td>{}</td>",
                if opened.is_empty() {
                    "–".to_string()
                } else {
                    opened
                        .iter()
                        .map(|id| format!("<bdi>{id}</bdi>"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            format!("<td class=\"n\">{}</td>", k["platforms"]),
            format!("<td class=\"n\">{:.1}</td>", k["batches"].as_f64().unwrap()),
            format!(
                "<td class=\"n\">{:.1}</td>",
                k["patients_demand"].as_f64().unwrap()
            ),
            format!(
                "<td class=\"n\">{:.1}</td>",
                k["patients_in_vivo"].as_f64().unwrap()
            ),
            format!(
                "<td class=\"n\">{:.2} %</td>",
                k["coverage"].as_f64().unwrap() * 100.0
            ),
            format!("<td class=\"n\">{}</td>", usd(cost)),
            format!("<td class=\"n\">{df:.4}</td>"),
            format!("<td class=\"n\">{}</td>", usd(cost * df)),
        ]
        .concat();
        assert!(
            row.starts_with(&cells),
            "year {}: expected\n{cells}\nin\n{row}",
            y["year"]
        );
    }
    assert!(table.contains(&format!("<td class=\"n\"><b>{}</b></td>", usd(npv))));
    // in vivo patients: 10 % of the grown demand
    let k3 = &years[2]["kpis"];
    let in_vivo = k3["patients_in_vivo"].as_f64().unwrap();
    let ex_vivo = k3["patients_demand"].as_f64().unwrap();
    assert!((in_vivo / (in_vivo + ex_vivo) - 0.1).abs() < 1e-6);

    // the map and the tables show the final year: its patient flows only
    let year3 = arr(plan, "patient_flows")
        .iter()
        .filter(|f| f["year"] == 3)
        .count();
    assert!(year3 < arr(plan, "patient_flows").len());
    let pflows = between(&html, "<g class=\"pflows\">", "</g>");
    assert_eq!(pflows.matches("<line ").count(), year3);
    assert!(html.contains("Network <span class=\"muted\">in year 3, the final year"));
    // each site with the year it opens: in the site table, and year by year in the grid
    let sites_table = between(&html, "<h2>Sites ", "</table>");
    assert!(sites_table.contains("<th class=\"n\">Opened</th>"));
    let grid = between(&html, "Sites by year", "</table>");
    for site in arr(plan, "sites") {
        let id = site["id"].as_str().unwrap();
        let row = format!("<td><b><bdi>{id}</bdi></b>");
        match site["opened_year"].as_u64() {
            Some(y) => {
                let line = between(sites_table, &row, "</tr>");
                assert!(
                    line.contains(&format!("<td class=\"n\">year {y}</td>")),
                    "{line}"
                );
                // closed before the opening year, open from it on
                let cells: Vec<&str> = between(grid, &row, "</tr>")
                    .split("<td class=\"n")
                    .skip(1)
                    .collect();
                assert_eq!(cells.len(), 3, "{id}: one cell a year");
                for (t, cell) in cells.iter().enumerate() {
                    assert_eq!(
                        cell.starts_with(" closed\">–"),
                        (t as u64) + 1 < y,
                        "{id} in year {}: {cell}",
                        t + 1
                    );
                }
            }
            None => assert!(!grid.contains(&row), "{id} never opens"),
        }
    }
    // a single-year plan has no build-out section, and its costs are a year's
    let dir = tempfile::tempdir().unwrap();
    let single_path = dir.path().join("single.html");
    let r = run(cartnet()
        .arg("report")
        .arg(demo().out.join("plan.json"))
        .arg("--out")
        .arg(&single_path));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let single = std::fs::read_to_string(&single_path).unwrap();
    assert!(!single.contains("Build-out") && !single.contains("Sites by year"));
    assert!(single.contains("Annual cost") && !single.contains("Net present value"));

    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let shot = screenshot(&browser, &html_path, &dir.path().join("years.png"));
    assert_eq!(png_info(&shot), (1280, 1600));
    assert!(
        shot.len() > 50_000,
        "the screenshot looks blank: {} bytes",
        shot.len()
    );
}

// ---------------------------------------------------------------------------------------------
// solve --write-model

/// Reads a model file into a fresh HiGHS and solves it to the gap cartnet uses; returns
/// (columns, rows, optimal?, objective).
fn resolve_with_highs(path: &Path) -> (i64, i64, bool, f64) {
    use std::ffi::CString;
    let name = CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a fresh HiGHS instance, used and destroyed in this block; C strings outlive calls.
    unsafe {
        let h = highs_sys::Highs_create();
        highs_sys::Highs_setBoolOptionValue(h, c"output_flag".as_ptr(), 0);
        highs_sys::Highs_setDoubleOptionValue(h, c"mip_rel_gap".as_ptr(), 1e-6);
        highs_sys::Highs_setDoubleOptionValue(h, c"mip_abs_gap".as_ptr(), 1e-9);
        let read = highs_sys::Highs_readModel(h, name.as_ptr());
        assert_ne!(
            read,
            highs_sys::kHighsStatusError,
            "HiGHS cannot read {}",
            path.display()
        );
        let cols = highs_sys::Highs_getNumCol(h) as i64;
        let rows = highs_sys::Highs_getNumRow(h) as i64;
        let ran = highs_sys::Highs_run(h);
        assert_ne!(ran, highs_sys::kHighsStatusError);
        let optimal = highs_sys::Highs_getModelStatus(h) == highs_sys::MODEL_STATUS_OPTIMAL;
        let objective = highs_sys::Highs_getObjectiveValue(h);
        highs_sys::Highs_destroy(h);
        (cols, rows, optimal, objective)
    }
}

#[test]
fn write_model_mps_and_lp_resolve_to_the_same_optimum() {
    for ext in ["mps", "lp"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("demo.{ext}"));
        let s = solve_demo(&["--write-model", file.to_str().unwrap()]);
        assert!(file.exists(), "--write-model wrote {}", file.display());
        let (cols, rows, optimal, objective) = resolve_with_highs(&file);
        let counts = &s.plan["instance"]["counts"];
        assert_eq!(
            cols,
            counts["variables"].as_i64().unwrap(),
            "{ext}: columns"
        );
        // the model rows, plus the strengthening rows the cutting-plane rounds added
        assert!(
            rows >= counts["constraints"].as_i64().unwrap(),
            "{ext}: rows"
        );
        assert!(
            optimal,
            "{ext}: HiGHS solves the written model to optimality"
        );
        common::assert_rel(
            objective,
            s.plan["solver"]["objective"].as_f64().unwrap(),
            1e-6,
            &format!("{ext}: re-solved objective vs the plan's"),
        );
    }
}

#[test]
fn write_model_needs_an_mps_or_lp_name() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(cartnet()
        .arg("solve")
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--write-model")
        .arg(dir.path().join("model.txt")));
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("must end in .mps or .lp"), "{}", r.stderr);
    assert!(!dir.path().join("out").exists());
}

// ---------------------------------------------------------------------------------------------
// CSV formula safety

#[test]
fn csv_text_cells_are_formula_safe_and_numbers_stay_numbers() {
    let inst = common::Instance::new(
        "id,lat,lon,patients\n=HYPERLINK(\"x\"),0,0,10\n",
        "id,lat,lon,max_patients\n+H1,0,0,\n",
        "id,lat,lon,kind\n@S1,0,0,regional\n",
        None,
        "[batch]\nfailure_rate = 0\n",
    );
    let run = inst.solve(&["--verify"]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let plan = run.plan.expect("plan.json");
    common::check_plan(&plan, &inst.data_dir());
    let out = run.out;
    let flows = std::fs::read_to_string(out.join("patient_flows.csv")).unwrap();
    assert!(
        flows.contains("\"'=HYPERLINK(\"\"x\"\")\",'+H1,10,0"),
        "{flows}"
    );
    let batches = std::fs::read_to_string(out.join("batch_flows.csv")).unwrap();
    assert!(batches.contains("'+H1,'@S1,10,0,14"), "{batches}");
    assert_eq!(plan["kpis"]["patients_served"], 10.0);
}
