//! `cartnet sweep` end to end on the bundled demo (data/demo with models/baseline.toml and
//! models/centralized.toml), through the real binary, run from the repository root so the
//! relative paths of the named sweeps resolve. Each output goes to a fresh temporary folder.
//!
//! Kept small: a baseline demo solve takes a few seconds, a centralized one a few hundredths, so
//! the grids use few baseline points.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `cartnet sweep --out OUT <args>` in the repository root.
fn sweep(out: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("cartnet")
        .expect("the cartnet binary")
        .current_dir(ROOT)
        .arg("sweep")
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .expect("cartnet runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs a sweep that must succeed with exit `code` and returns sweep.csv.
fn sweep_ok(out: &Path, args: &[&str], code: i32) -> Csv {
    let run = sweep(out, args);
    assert_eq!(
        run.code,
        Some(code),
        "cartnet sweep {args:?}\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    Csv::read(&out.join("sweep.csv"))
}

/// sweep.csv: the header and each row as column -> cell.
struct Csv {
    header: Vec<String>,
    rows: Vec<HashMap<String, String>>,
}

impl Csv {
    fn read(path: &Path) -> Csv {
        let (header, rows) = common::csv_table(path);
        Csv { header, rows }
    }

    fn column(&self, name: &str) -> Vec<&str> {
        self.rows.iter().map(|r| r[name].as_str()).collect()
    }

    fn numbers(&self, name: &str) -> Vec<f64> {
        self.column(name)
            .iter()
            .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} = {v:?}")))
            .collect()
    }
}

/// The plan.json of a row, through its `folder` column.
fn plan_of(out: &Path, row: &HashMap<String, String>) -> Value {
    let folder = &row["folder"];
    assert!(
        !folder.is_empty(),
        "row {} has no plan folder",
        row["scenario"]
    );
    let text = std::fs::read_to_string(out.join(folder).join("plan.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn tmp() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    (dir, out)
}

/// The columns of DESIGN/issue: varied keys, then these.
const COLUMNS: [&str; 13] = [
    "status",
    "objective",
    "gap",
    "seconds",
    "sites_open",
    "owned",
    "franchise",
    "platforms",
    "coverage",
    "mean_vein_to_vein_days",
    "max_vein_to_vein_days",
    "cost_per_patient",
    "folder",
];

#[test]
fn total_cost_never_decreases_as_setup_cost_increases() {
    let (_dir, out) = tmp();
    let csv = sweep_ok(
        &out,
        &[
            "--vary",
            "site.setup_cost_owned=1.5e6..3e6/3",
            "--jobs",
            "2",
        ],
        0,
    );
    assert_eq!(
        csv.column("site.setup_cost_owned"),
        ["1500000", "2250000", "3000000"]
    );
    assert!(csv.column("status").iter().all(|s| *s == "optimal"));
    let cost = csv.numbers("objective");
    for w in cost.windows(2) {
        assert!(
            w[1] >= w[0] - 1e-6 * w[0].abs(),
            "total cost fell from {} to {} as setup cost rose: {cost:?}",
            w[0],
            w[1]
        );
    }
    // Each row's plan is the scenario of that row.
    for row in &csv.rows {
        let plan = plan_of(&out, row);
        assert_eq!(
            plan["scenario"]["site"]["setup_cost_owned"].as_f64(),
            Some(row["site.setup_cost_owned"].parse().unwrap())
        );
        assert_eq!(
            plan["solver"]["objective"].as_f64(),
            Some(row["objective"].parse().unwrap())
        );
    }
}

#[test]
fn one_d_grid_rows_follow_the_listed_order() {
    let (_dir, out) = tmp();
    // the order given, not sorted
    let run = sweep(
        &out,
        &[
            "--model",
            "models/centralized.toml",
            "--vary",
            "kinds.central.batch.cost_owned=300000,200000,250000",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let csv = Csv::read(&out.join("sweep.csv"));
    let mut expected = vec!["scenario", "kinds.central.batch.cost_owned"];
    expected.extend(COLUMNS);
    assert_eq!(csv.header, expected);
    assert_eq!(csv.rows.len(), 3);
    assert_eq!(csv.column("scenario"), ["1", "2", "3"]);
    assert_eq!(
        csv.column("kinds.central.batch.cost_owned"),
        ["300000", "200000", "250000"]
    );
    for row in &csv.rows {
        let plan = plan_of(&out, row);
        assert_eq!(
            plan["scenario"]["kinds"]["central"]["batch.cost_owned"].as_f64(),
            Some(row["kinds.central.batch.cost_owned"].parse().unwrap()),
            "{}",
            row["folder"]
        );
    }
    // cheaper central batches, cheaper network
    let cost = csv.numbers("objective");
    assert!(cost[1] < cost[2] && cost[2] < cost[0], "{cost:?}");
    // the printed table lists the scenarios in grid order
    let lines: Vec<&str> = run.stdout.lines().collect();
    let pos = |s: &str| lines.iter().position(|l| l.contains(s)).unwrap();
    assert!(pos("$300,000") < pos("$200,000") && pos("$200,000") < pos("$250,000"));
}

#[test]
fn two_d_grid_from_a_named_sweep_is_row_major() {
    let (_dir, out) = tmp();
    // models/sweeps/centralized-vs-baseline.toml varies the model; --vary adds a second axis
    let csv = sweep_ok(
        &out,
        &[
            "--sweep",
            "models/sweeps/centralized-vs-baseline.toml",
            "--vary",
            "time.max_vein_to_vein_days=28,16",
        ],
        0,
    );
    let mut expected = vec!["scenario", "model", "time.max_vein_to_vein_days"];
    expected.extend(COLUMNS);
    assert_eq!(csv.header, expected);
    assert_eq!(csv.column("scenario"), ["1", "2", "3", "4"]);
    assert_eq!(
        csv.column("model"),
        [
            "models/baseline.toml",
            "models/baseline.toml",
            "models/centralized.toml",
            "models/centralized.toml"
        ]
    );
    assert_eq!(
        csv.column("time.max_vein_to_vein_days"),
        ["28", "16", "28", "16"]
    );
    for row in &csv.rows {
        let plan = plan_of(&out, row);
        assert_eq!(
            plan["instance"]["model"].as_str(),
            Some(row["model"].as_str())
        );
        assert_eq!(
            plan["scenario"]["time"]["max_vein_to_vein_days"].as_f64(),
            Some(row["time.max_vein_to_vein_days"].parse().unwrap())
        );
    }
    // centralized: only the central plant opens
    let sites = csv.numbers("sites_open");
    assert_eq!(sites[2], 1.0);
    assert!(sites[0] > 1.0);
    // the chart: an SVG with its text as <text>, no font files needed
    let svg = std::fs::read_to_string(out.join("sweep.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<text"));
    assert!(svg.contains("time.max_vein_to_vein_days = 28"));
}

#[test]
fn unknown_key_fails_listing_the_valid_keys_and_writes_nothing() {
    let (_dir, out) = tmp();
    let run = sweep(&out, &["--vary", "site.setup_cost_ownd=1.5e6..3e6/4"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "E303 --vary: column site.setup_cost_ownd: unknown key (did you mean site.setup_cost_owned?); valid keys are batch.cost_franchise,"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("policy.min_utilization"));
    assert!(run.stderr.contains("1 error in the input"));
    assert!(run.stdout.is_empty());
    assert!(!out.exists(), "an input error must write nothing");

    // a value of the wrong type, and a malformed --vary, are reported together
    let run = sweep(
        &out,
        &[
            "--vary",
            "policy.single_sourcing=true,maybe",
            "--vary",
            "site.max_platforms=1..3",
        ],
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("E306 --vary: \"site.max_platforms=1..3\""),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
    let run = sweep(&out, &["--vary", "policy.single_sourcing=true,maybe"]);
    assert!(
        run.stderr.contains(
            "E304 --vary: column policy.single_sourcing: \"maybe\" is text; expected true or false"
        ),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}

/// The file's text without the seconds the solve took.
fn without_seconds(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("seconds");
            m.values_mut().for_each(without_seconds);
        }
        Value::Array(a) => a.iter_mut().for_each(without_seconds),
        _ => {}
    }
}

#[test]
fn jobs_1_and_jobs_2_give_identical_results() {
    let (_dir, one) = tmp();
    let (_dir2, two) = tmp();
    let args = |jobs: &'static str| {
        vec![
            "--vary",
            "site.setup_cost_owned=1.5e6,3e6",
            "--vary",
            "model=models/baseline.toml,models/centralized.toml",
            "--jobs",
            jobs,
        ]
    };
    let a = sweep_ok(&one, &args("1"), 0);
    let b = sweep_ok(&two, &args("2"), 0);
    assert_eq!(a.header, b.header);
    assert_eq!(a.rows.len(), 4);
    for (ra, rb) in a.rows.iter().zip(&b.rows) {
        for col in a.header.iter().filter(|c| *c != "seconds") {
            assert_eq!(
                ra[col], rb[col],
                "column {col} of scenario {}",
                ra["scenario"]
            );
        }
        let (mut pa, mut pb) = (plan_of(&one, ra), plan_of(&two, rb));
        without_seconds(&mut pa);
        without_seconds(&mut pb);
        assert_eq!(pa, pb, "plan of scenario {}", ra["scenario"]);
    }
}

#[test]
fn an_infeasible_scenario_exits_2_and_the_csv_still_has_every_row() {
    let (_dir, out) = tmp();
    // two demo counties have no hospital within the 2 h travel limit, so full coverage is
    // infeasible (centralized: its solves are quick)
    let run = sweep(
        &out,
        &[
            "--model",
            "models/centralized.toml",
            "--vary",
            "demand.full_coverage=false,true",
        ],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 of 2 scenarios have no plan (1 infeasible")
    );
    let csv = Csv::read(&out.join("sweep.csv"));
    assert_eq!(csv.column("status"), ["optimal", "infeasible"]);
    assert_eq!(csv.column("demand.full_coverage"), ["false", "true"]);
    assert_eq!(csv.rows[1]["objective"], "");
    assert_eq!(csv.rows[1]["folder"], "");
    plan_of(&out, &csv.rows[0]);
    assert_eq!(std::fs::read_dir(out.join("plans")).unwrap().count(), 1);
}
