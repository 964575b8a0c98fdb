//! Shared helpers for integration tests: write a tiny instance into a temporary folder, run the
//! real `cartnet` binary on it, and check the plan it writes against the DESIGN independently.
//!
//! `check_plan` deliberately re-implements the travel-time model and the cost lines from
//! DESIGN §3–§5 with its own CSV parsing; it never calls the library, so a bug in the model or the
//! plan shows up as a disagreement here.
//!
//! API (kept small; other test files may `mod common;`):
//! - [`Instance::new`] writes demand.csv, hospitals.csv, sites.csv, optional lanes.csv and a
//!   scenario TOML (any subset of keys; the rest are the baseline defaults).
//! - [`Instance::solve`] runs `cartnet solve --data --model --out [args]` into a fresh folder;
//!   [`Instance::solve_ok`] also asserts exit 0 and runs [`check_plan`].
//! - [`check_plan`] checks a plan.json against the data it was made from.
//! - [`assert_rel`] compares two numbers to a relative tolerance.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The project's root: the binary runs from here, so its defaults (data/demo) resolve.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `cartnet`, run from [`ROOT`].
pub fn cartnet() -> Command {
    let mut c = Command::cargo_bin("cartnet").expect("the cartnet binary");
    c.current_dir(ROOT);
    c
}

/// The output of one run: exit code, stdout, stderr.
pub struct Out {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Out {
    let o = cmd.output().expect("cartnet runs");
    Out {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// A solved plan in a temporary folder (kept while this lives).
pub struct Solved {
    pub _dir: TempDir,
    pub out: PathBuf,
    pub plan: Value,
}

/// An instance written into a fresh temporary folder: `data/` with the CSVs, `scenario.toml`.
pub struct Instance {
    dir: TempDir,
    runs: Cell<usize>,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The `--out` folder given (fresh for each run; may not exist after a failed run).
    pub out: PathBuf,
    /// OUT/plan.json, parsed, if it was written.
    pub plan: Option<Value>,
}

impl Instance {
    /// Writes the instance. `lanes` is the optional lanes.csv; `scenario` is TOML text.
    pub fn new(
        demand: &str,
        hospitals: &str,
        sites: &str,
        lanes: Option<&str>,
        scenario: &str,
    ) -> Instance {
        let dir = tempfile::tempdir().expect("temporary folder");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("demand.csv"), demand).unwrap();
        std::fs::write(data.join("hospitals.csv"), hospitals).unwrap();
        std::fs::write(data.join("sites.csv"), sites).unwrap();
        if let Some(l) = lanes {
            std::fs::write(data.join("lanes.csv"), l).unwrap();
        }
        std::fs::write(dir.path().join("scenario.toml"), scenario).unwrap();
        Instance {
            dir,
            runs: Cell::new(0),
        }
    }

    /// The folder holding the CSVs (`--data`).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The scenario file (`--model`).
    pub fn model_file(&self) -> PathBuf {
        self.dir.path().join("scenario.toml")
    }

    /// Runs `cartnet solve --data DIR --model FILE --out OUT <args>` with a fresh OUT folder.
    pub fn solve(&self, args: &[&str]) -> Run {
        let n = self.runs.get();
        self.runs.set(n + 1);
        let out = self.dir.path().join(format!("out{n}"));
        let output = Command::cargo_bin("cartnet")
            .expect("the cartnet binary")
            .arg("solve")
            .arg("--data")
            .arg(self.data_dir())
            .arg("--model")
            .arg(self.model_file())
            .arg("--out")
            .arg(&out)
            .args(args)
            .output()
            .expect("cartnet runs");
        let plan_path = out.join("plan.json");
        let plan = plan_path.exists().then(|| {
            let text = std::fs::read_to_string(&plan_path).unwrap();
            serde_json::from_str(&text).expect("plan.json is JSON")
        });
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            out,
            plan,
        }
    }

    /// As [`Instance::solve_ok`], and checks the multi-year model against the single-year one
    /// on this instance: with `horizon.years = 1` the other horizon keys change nothing, and
    /// over two years of unchanged demand without discounting each year costs the single-year
    /// optimum (a year can do no better, and repeating the single-year plan is feasible).
    pub fn solve_ok_horizons(&self, args: &[&str]) -> Value {
        let plan = self.solve_ok(args);
        let mut one = args.to_vec();
        one.extend([
            "--set",
            "horizon.years=1",
            "--set",
            "horizon.growth=0.5",
            "--set",
            "horizon.discount_rate=0.3",
            "--set",
            "horizon.platform_removal=true",
        ]);
        let same = self.solve_ok(&one);
        let strip = |p: &Value| {
            let mut p = p.clone();
            p["solver"]["seconds"] = Value::Null;
            p["scenario"] = Value::Null;
            p
        };
        assert_eq!(
            strip(&plan),
            strip(&same),
            "horizon keys change a 1-year plan"
        );
        if plan["solver"]["status"] == "optimal" {
            let mut two = args.to_vec();
            two.extend([
                "--set",
                "horizon.years=2",
                "--set",
                "horizon.discount_rate=0",
            ]);
            let run = self.solve(&two);
            assert_eq!(run.code, Some(0), "2 years: {}{}", run.stdout, run.stderr);
            let p2 = run.plan.expect("a 2-year plan");
            assert_eq!(p2["solver"]["status"], "optimal");
            let single = plan["cost"]["total"].as_f64().unwrap();
            for year in p2["years"].as_array().unwrap() {
                assert_rel(
                    year["cost"]["total"].as_f64().unwrap(),
                    single,
                    1e-6,
                    "a year's cost over 2 unchanged years",
                );
            }
            assert_rel(
                p2["cost"]["total"].as_f64().unwrap(),
                2.0 * single,
                1e-6,
                "the NPV of 2 unchanged years at rate 0",
            );
        }
        plan
    }

    /// Solves, asserts exit 0 and a written plan, runs [`check_plan`] on it and returns it.
    pub fn solve_ok(&self, args: &[&str]) -> Value {
        let run = self.solve(args);
        assert_eq!(
            run.code,
            Some(0),
            "cartnet solve {args:?} failed\nstdout:\n{}\nstderr:\n{}",
            run.stdout,
            run.stderr
        );
        let plan = run.plan.expect("exit 0 writes plan.json");
        check_plan(&plan, &self.data_dir());
        // and `cartnet verify`, the product's own independent check, agrees
        let verify = Command::cargo_bin("cartnet")
            .expect("the cartnet binary")
            .arg("verify")
            .arg(run.out.join("plan.json"))
            .arg("--data")
            .arg(self.data_dir())
            .output()
            .expect("cartnet verify runs");
        assert_eq!(
            verify.status.code(),
            Some(0),
            "cartnet verify rejects the plan of solve {args:?}:\n{}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        );
        plan
    }
}

/// Asserts |actual - expected| <= rel * max(|expected|, 1).
#[track_caller]
pub fn assert_rel(actual: f64, expected: f64, rel: f64, what: &str) {
    let tol = rel * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: got {actual}, expected {expected} (tolerance {tol})"
    );
}

// ---------------------------------------------------------------------------------------------
// Independent re-reading of the instance (DESIGN §3).

/// One CSV row as column name -> trimmed cell; blank cells are absent.
type Row = HashMap<String, String>;

fn read_csv(path: &Path) -> Vec<Row> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect()
        })
        .filter(|row: &Row| !row.is_empty())
        .collect()
}

fn cell_f64(row: &Row, col: &str) -> Option<f64> {
    row.get(col)
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{col} = {v:?}")))
}

struct Place {
    lat: f64,
    lon: f64,
}

struct DemandRow {
    place: Place,
    patients: f64,
}

struct HospitalRow {
    place: Place,
    max_patients: Option<f64>,
}

struct SiteRow {
    place: Place,
    kind: String,
    host: Option<String>,
    max_platforms: Option<f64>,
    allow: String,
    setup_owned: Option<f64>,
    setup_franchise: Option<f64>,
    batches_per_platform: Option<f64>,
    existing: bool,
}

fn place(row: &Row) -> Place {
    Place {
        lat: cell_f64(row, "lat").expect("lat"),
        lon: cell_f64(row, "lon").expect("lon"),
    }
}

/// Id -> row, keeping file order.
fn by_id<T>(rows: Vec<Row>, f: impl Fn(&Row) -> T) -> (Vec<String>, HashMap<String, T>) {
    let ids: Vec<String> = rows.iter().map(|r| r["id"].clone()).collect();
    let map = rows.iter().map(|r| (r["id"].clone(), f(r))).collect();
    (ids, map)
}

// ---------------------------------------------------------------------------------------------
// The scenario as recorded in plan.json (DESIGN §4, §7).

fn scenario_f64(scenario: &Value, key: &str) -> f64 {
    let mut v = scenario;
    for part in key.split('.') {
        v = &v[part];
    }
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => panic!("plan.json scenario lacks {key}: {v}"),
    }
}

/// A site/platform/batch/time key as it applies to sites of `kind`: the kind's override, if any.
fn kind_f64(scenario: &Value, kind: &str, key: &str) -> f64 {
    match scenario["kinds"][kind].get(key) {
        Some(v) => v
            .as_f64()
            .unwrap_or_else(|| panic!("kinds.{kind}.{key} = {v}")),
        None => scenario_f64(scenario, key),
    }
}

/// Capital recovery factor r(1+r)^L / ((1+r)^L - 1); 1/L at r = 0.
pub fn crf(rate: f64, years: f64) -> f64 {
    if rate == 0.0 {
        1.0 / years
    } else {
        let g = (1.0 + rate).powf(years);
        rate * g / (g - 1.0)
    }
}

/// Great-circle distance in km (haversine on a sphere of radius 6371.0088 km, as geo uses).
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const R: f64 = 6371.0088;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().min(1.0).asin()
}

fn gc(a: &Place, b: &Place) -> f64 {
    great_circle_km(a.lat, a.lon, b.lat, b.lon)
}

/// A shipment leg: (hours, USD).
#[derive(Clone, Copy)]
struct Leg {
    hours: f64,
    cost: f64,
}

/// The faster of ground and (beyond the threshold) air over `gc_km`.
fn shipment(gc_km: f64, scenario: &Value) -> Leg {
    let t = |k: &str| scenario_f64(scenario, &format!("transport.{k}"));
    let road = gc_km * t("circuity");
    let ground = Leg {
        hours: road / t("ground_kmh"),
        cost: t("ground_cost_fixed") + t("ground_cost_per_km") * road,
    };
    if gc_km > t("air_threshold_km") {
        let air = Leg {
            hours: t("air_handling_hours") + gc_km / t("air_kmh"),
            cost: t("air_cost"),
        };
        if air.hours < ground.hours {
            return air;
        }
    }
    ground
}

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
    let (demand_ids, demand) = by_id(read_csv(&data_dir.join("demand.csv")), |r| DemandRow {
        place: place(r),
        patients: cell_f64(r, "patients").expect("patients"),
    });
    let (hospital_ids, hospitals) =
        by_id(read_csv(&data_dir.join("hospitals.csv")), |r| HospitalRow {
            place: place(r),
            max_patients: cell_f64(r, "max_patients"),
        });
    let (site_ids, sites) = by_id(read_csv(&data_dir.join("sites.csv")), |r| SiteRow {
        place: place(r),
        kind: r["kind"].clone(),
        host: r.get("hospital").cloned(),
        max_platforms: cell_f64(r, "max_platforms"),
        allow: r.get("allow").cloned().unwrap_or_else(|| "both".into()),
        setup_owned: cell_f64(r, "setup_cost_owned"),
        setup_franchise: cell_f64(r, "setup_cost_franchise"),
        batches_per_platform: cell_f64(r, "batches_per_platform"),
        existing: r.get("existing").is_some_and(|v| v == "true"),
    });
    let lanes_path = data_dir.join("lanes.csv");
    // (from, to) -> (hours, cost)
    let lanes: HashMap<(String, String), (f64, Option<f64>)> = if lanes_path.exists() {
        read_csv(&lanes_path)
            .iter()
            .map(|r| {
                (
                    (r["from"].clone(), r["to"].clone()),
                    (cell_f64(r, "hours").unwrap(), cell_f64(r, "cost")),
                )
            })
            .collect()
    } else {
        HashMap::new()
    };

    let t = |k: &str| scenario_f64(scn, k);
    let kf = |kind: &str, k: &str| kind_f64(scn, kind, k);
    let num = |v: &Value, what: &str| -> f64 {
        v.as_f64()
            .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
    };
    let text = |v: &Value, what: &str| -> String {
        v.as_str()
            .unwrap_or_else(|| panic!("{what} is not text: {v}"))
            .to_string()
    };
    // Plan values are rounded to 6 decimals; allow for that plus relative noise.
    let close = |a: f64, b: f64, what: &str| {
        let tol = 1e-5 + 1e-6 * a.abs().max(b.abs());
        assert!((a - b).abs() <= tol, "{what}: plan says {a}, expected {b}");
    };
    let at_most = |a: f64, limit: f64, what: &str| {
        let tol = 1e-6 + 1e-9 * limit.abs();
        assert!(a <= limit + tol, "{what}: {a} exceeds {limit}");
    };

    let status = plan["solver"]["status"].as_str().unwrap_or("");
    assert!(
        status == "optimal" || status == "feasible",
        "a written plan must be optimal or feasible, not {status:?}"
    );

    // ---- patient flows: arcs within the travel limit, demand balance, hospital capacity
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
    let full_coverage = scn["demand"]["full_coverage"].as_bool() == Some(true);
    for id in &demand_ids {
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
    for id in &hospital_ids {
        if let Some(cap) = hospitals[id].max_patients {
            let x = treated.get(id).copied().unwrap_or(0.0);
            at_most(x, cap, &format!("patients treated at hospital {id}"));
        }
    }

    // ---- batch flows: arcs within the fresh-transit and vein-to-vein limits
    let mut shipped_patients: HashMap<String, f64> = HashMap::new(); // sum (1 - f_s) w[h,s]
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
        let computed = if sp.host.as_deref() == Some(h.as_str()) {
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
        let (lane_out, lane_back) = (lane(&h, &s), lane(&s, &h));
        let out = lane_out.or(lane_back).unwrap_or(computed);
        let back = lane_back.or(lane_out).unwrap_or(computed);
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
    // batches per hospital = patients / (1 - failure rate)
    for id in &hospital_ids {
        let x = treated.get(id).copied().unwrap_or(0.0);
        let y = shipped_patients.get(id).copied().unwrap_or(0.0);
        close(
            y,
            x,
            &format!("hospital {id}: batches x (1 - failure rate) vs patients treated"),
        );
    }
    if scn["policy"]["single_sourcing"].as_bool() == Some(true) {
        for (h, n) in &sources {
            assert!(*n <= 1, "single sourcing, yet hospital {h} uses {n} sites");
        }
    }

    // ---- sites: status, platforms, capacity, and the site cost lines
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

    // ---- cost lines: each recomputed, and together the total
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
    let mut sum = 0.0;
    for (k, v) in expected {
        let got = line(k);
        let tol = 0.02 + 1e-9 * v.abs();
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

    // ---- KPIs agree with the flows and decisions
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
