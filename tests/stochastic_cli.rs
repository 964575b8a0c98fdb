//! `cartnet solve` over scenarios, end to end with the real binary: the files of a two-stage
//! plan, its summary and report, sampled scenarios, one scenario against `cartnet solve`, and
//! every bad scenario input with its code and nothing written.

mod common;

use common::{Instance, cartnet, read_plan, run};
use serde_json::Value;
use std::path::Path;

/// A tiny instance: two demand points, two hospitals and two candidate sites, 200 km apart.
fn tiny() -> Instance {
    Instance::new(
        "id,lat,lon,patients\nD1,0,0,10\nD2,0,2,20\n",
        "id,lat,lon\nH1,0,0\nH2,0,2\n",
        "id,lat,lon,kind\nS1,0,0,regional\nS2,0,2,regional\n",
        None,
        "",
    )
}

/// Writes `text` as FILE in a fresh temporary folder; the folder and the file's path.
fn file(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// The first line of a CSV file of the plan.
fn header(out: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(out.join(name)).unwrap();
    text.lines().next().unwrap_or("").to_string()
}

/// The gap of the demo's solves: the pipeline's many solves in seconds on a shared machine.
const GAP: &str = "0.005";

/// Two scenarios on the demo: the files, plan.json's fields, the scenario column, the summary,
/// then `cartnet report` on the plan.
#[test]
fn two_scenarios_on_the_demo() {
    let (dir, csv) = file(
        "s.csv",
        "id,probability,demand.scale,demand.in_vivo_share\nlow,0.5,0.8,0.2\nhigh,0.5,1.2,0\n",
    );
    let out = dir.path().join("out");
    let o = run(cartnet()
        .args([
            "solve",
            "--method",
            "extensive",
            "--jobs",
            "2",
            "--gap",
            GAP,
            "--scenarios",
        ])
        .arg(&csv)
        .arg("--out")
        .arg(&out));
    assert_eq!(o.code, Some(0), "{}\n{}", o.stdout, o.stderr);
    for f in [
        "plan.json",
        "sites.csv",
        "patient_flows.csv",
        "batch_flows.csv",
        "scenarios.csv",
        "regret.csv",
        "plan.geojson",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let plan = read_plan(&out.join("plan.json"));
    let st = &plan["stochastic"];
    let (rp, ws, eev) = (num(&st["rp"]), num(&st["ws"]), num(&st["eev"]));
    assert_eq!(st["scenarios"], 2);
    assert_eq!(st["method"], "extensive form");
    assert!((num(&st["vss"]) - (eev - rp)).abs() < 0.02, "{st}");
    assert!((num(&st["evpi"]) - (rp - ws)).abs() < 0.02, "{st}");
    // each figure is within the gap of its optimum
    let slack = rp * GAP.parse::<f64>().unwrap() * 2.0;
    assert!(ws <= rp + slack && rp <= eev + slack, "{st}");
    assert_eq!(num(&plan["cost"]["total"]), rp);
    let ids: Vec<&str> = plan["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["low", "high"]);
    assert_eq!(st["regret"][0]["design"], "this plan");
    assert_eq!(
        header(&out, "regret.csv"),
        "design,sites_open,platforms,low,high,expected,worst,max_regret"
    );
    for f in ["sites.csv", "patient_flows.csv", "batch_flows.csv"] {
        assert!(header(&out, f).starts_with("scenario,"), "{f}");
    }
    assert!(header(&out, "scenarios.csv").starts_with("scenario,probability,"));
    let geojson = read_plan(&out.join("plan.geojson"));
    assert!(!geojson["features"].as_array().unwrap().is_empty());
    for line in [
        "status                ",
        "extensive form, 1 iteration",
        "expected cost",
        "VSS = EEV - RP",
        "EVPI = RP - WS",
        "this plan",
        "expected value",
        "scenario low",
        "max regret",
    ] {
        assert!(o.stdout.contains(line), "no {line:?} in\n{}", o.stdout);
    }
    let report = dir.path().join("r.html");
    let r = run(cartnet()
        .arg("report")
        .arg(out.join("plan.json"))
        .arg("--out")
        .arg(&report));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    for part in [
        "<h2>Scenarios",
        "VSS = EEV − RP",
        "EVPI",
        "<h3>Regret",
        "this plan",
    ] {
        assert!(html.contains(part), "no {part:?} in the report");
    }
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

/// Three scenarios sampled from the model's `[uncertainty]` table make a two-stage plan.
#[test]
fn sampled_scenarios_from_the_model() {
    let i = tiny();
    std::fs::write(
        i.model_file(),
        "[uncertainty]\nsamples = 3\nseed = 7\n\"demand.scale\" = { dist = \"uniform\", low = 0.5, high = 1.5 }\n",
    )
    .unwrap();
    let r = i.solve(&["--jobs", "1"]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    let plan = r.plan.unwrap();
    assert_eq!(plan["stochastic"]["scenarios"], 3);
    assert_eq!(plan["stochastic"]["origin"], "sampled: 3 samples, seed 7");
    assert_eq!(plan["scenarios"][2]["id"], "s003");
    assert!(r.stdout.contains("3 scenarios"), "{}", r.stdout);
    // the regret table has a column per scenario
    assert!(r.stdout.contains("s001"), "{}", r.stdout);
}

/// One scenario that changes nothing gives `cartnet solve`'s plan: the same cost and sites.
#[test]
fn one_scenario_is_the_plain_solve() {
    let i = tiny();
    let plain = i.solve(&[]);
    assert_eq!(plain.code, Some(0), "{}", plain.stderr);
    let (_d, csv) = file("one.csv", "id\nonly\n");
    let two = i.solve(&["--scenarios", csv.to_str().unwrap()]);
    assert_eq!(two.code, Some(0), "{}\n{}", two.stdout, two.stderr);
    let (a, b) = (plain.plan.unwrap(), two.plan.unwrap());
    assert_eq!(a["cost"], b["cost"]);
    assert_eq!(a["sites"], b["sites"]);
    assert_eq!(a["cost"]["total"], b["stochastic"]["rp"]);
    assert_eq!(b["stochastic"]["evpi"], 0.0);
}

/// A run that must fail on its input: exit 1, `code` in stderr (with `also`), no folder written.
#[track_caller]
fn refused(args: &[&str], data: Option<&Path>, code: &str, also: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = cartnet();
    cmd.arg("solve").args(args).arg("--out").arg(&out);
    if let Some(d) = data {
        cmd.arg("--data").arg(d);
    }
    let o = run(&mut cmd);
    assert_eq!(o.code, Some(1), "{args:?}: {}\n{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains(code) && o.stderr.contains(also),
        "{args:?}: no {code} {also:?} in\n{}",
        o.stderr
    );
    assert!(o.stderr.contains("nothing was written"), "{}", o.stderr);
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
}

/// Every bad scenarios file, each with its code at its place, nothing written.
#[test]
fn bad_scenario_files() {
    let cases = [
        (
            "id,probability\na,-0.25\nb,1.25\n",
            "E801",
            ":2: column probability",
        ),
        ("id,probability\na,0.5\nb,0.4\n", "E802", "sum to 0.9"),
        ("id,demand.scal\na,1\n", "E803", ":1: column demand.scal"),
        (
            "id,batch.cost_owned\na,12k\n",
            "E804",
            ":2: column batch.cost_owned",
        ),
        ("id\na\na\n", "E805", ":3: column id"),
        ("id,demand.scale\na,0\n", "E807", ":2: column demand.scale"),
        ("id,demand.scale\na,-1\n", "E807", ":2: column demand.scale"),
        ("", "E806", "the file is empty"),
        ("id,probability\n", "E806", "no scenarios"),
    ];
    for (text, code, place) in cases {
        let (_d, csv) = file("s.csv", text);
        refused(&["--scenarios", csv.to_str().unwrap()], None, code, place);
    }
}

/// Errors are collected: two bad rows give both, and the count.
#[test]
fn every_error_is_reported() {
    let (_d, csv) = file("s.csv", "id,demand.scale,batch.cost_owned\na,0,1\nb,1,x\n");
    refused(
        &["--scenarios", csv.to_str().unwrap()],
        None,
        "E807",
        "2 errors in the input",
    );
}

/// scenario_demand.csv in the data folder naming a demand point or a scenario that does not
/// exist: E812.
#[test]
fn unknown_ids_in_scenario_demand() {
    let data = tempfile::tempdir().unwrap();
    for f in ["demand.csv", "hospitals.csv", "sites.csv"] {
        std::fs::copy(Path::new("data/demo").join(f), data.path().join(f)).unwrap();
    }
    let (_d, csv) = file("s.csv", "id\nlow\nhigh\n");
    let cases = [
        (
            "scenario,demand,patients\nlow,D9,3\n",
            "\"D9\" is not a demand id",
        ),
        (
            "scenario,demand,patients\nmid,D36047,3\n",
            "\"mid\" is not a scenario id",
        ),
    ];
    for (text, why) in cases {
        std::fs::write(data.path().join("scenario_demand.csv"), text).unwrap();
        let args = ["--scenarios", csv.to_str().unwrap()];
        refused(&args, Some(data.path()), "E812", why);
    }
}

/// `samples = 0` in the model: E808 at its entry.
#[test]
fn zero_samples() {
    let (_d, model) = file(
        "m.toml",
        "[uncertainty]\nsamples = 0\n\"demand.scale\" = { dist = \"uniform\", low = 0.5, high = 1.5 }\n",
    );
    let args = ["--model", model.to_str().unwrap()];
    refused(&args, None, "E808", "column uncertainty.samples");
}

/// A horizon with scenarios is refused (E815); so are two sources of scenarios at once (E404).
#[test]
fn horizon_and_two_sources_are_refused() {
    let (_d, csv) = file("s.csv", "id,demand.scale\nlow,0.8\nhigh,1.2\n");
    let path = csv.to_str().unwrap();
    let args = ["--scenarios", path, "--set", "horizon.years=2"];
    refused(&args, None, "E815", "horizon.years > 1");
    let (_m, model) = file(
        "m.toml",
        "[uncertainty]\nsamples = 2\n\"demand.scale\" = { dist = \"uniform\", low = 0.5, high = 1.5 }\n",
    );
    let args = ["--scenarios", path, "--model", model.to_str().unwrap()];
    refused(&args, None, "E404", "one source of scenarios");
}

/// A scenario without any plan (no platforms while every patient must be served): exit 2, the
/// scenarios named, nothing written.
#[test]
fn an_infeasible_scenario_is_named() {
    let i = tiny();
    std::fs::write(i.model_file(), "[demand]\nfull_coverage = true\n").unwrap();
    let (_d, csv) = file("s.csv", "id,site.max_platforms\nfine,\nnone,0\n");
    let r = i.solve(&["--scenarios", csv.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("no one network serves the 2 scenarios (fine, none)")
            && r.stderr.contains("scenario none has no plan even alone"),
        "{}",
        r.stderr
    );
    assert!(!r.out.exists());
}

/// With more than 6 scenarios the printed regret table drops the per-scenario columns
/// (regret.csv keeps them).
#[test]
fn many_scenarios_print_no_scenario_columns() {
    let i = tiny();
    std::fs::write(
        i.model_file(),
        "[uncertainty]\nsamples = 7\n\"demand.scale\" = { dist = \"uniform\", low = 0.5, high = 1.5 }\n",
    )
    .unwrap();
    let r = i.solve(&[]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    let head = r
        .stdout
        .lines()
        .find(|l| l.starts_with("design "))
        .unwrap_or_else(|| panic!("no regret table in\n{}", r.stdout));
    let words: Vec<&str> = head.split_whitespace().collect();
    assert_eq!(
        words,
        [
            "design",
            "sites",
            "platforms",
            "expected",
            "worst",
            "max",
            "regret"
        ]
    );
    assert!(header(&r.out, "regret.csv").contains(",s007,expected,"));
}
