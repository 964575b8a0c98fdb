//! Hardening (issue #7): Ctrl-C, limits, nothing lost, determinism. Every test runs the real
//! binary; the interrupt tests send a real SIGINT with `kill -INT`.
//!
//! Nothing here asserts how fast anything is. The interrupt tests wait for an event instead of a
//! clock: HiGHS's log (`-v` writes it to the output folder) showing an incumbent, and only then
//! send the signal; the deadlines below are watchdogs that turn a hang into a failure.
//!
//! The long-running instance is generated: 1,000 demand points, 100 hospitals, 60 sites (seed 1)
//! has a plan within a second but takes minutes to prove optimal, so a signal sent after its
//! first incumbent always finds a solve with a plan in hand and a gap left.

mod common;

use common::{Out, ROOT, assert_verified, cartnet, cartnet_process, read_plan, run};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const EXIT_INTERRUPTED: i32 = 130;
/// Watchdog for "a plan in progress" and for the exit after the signal; never reached normally.
const WATCHDOG: Duration = Duration::from_secs(300);

/// `cartnet generate` into `dir`.
fn generate(dir: &Path, demand: u32, hospitals: u32, sites: u32, seed: u32) {
    let out = run(cartnet()
        .args(["generate", "--demand", &demand.to_string()])
        .args(["--hospitals", &hospitals.to_string()])
        .args(["--sites", &sites.to_string()])
        .args(["--seed", &seed.to_string()])
        .arg("--out")
        .arg(dir));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

/// The instance that has a plan at once and no proof of optimality for minutes.
fn slow_instance(work: &Path) -> PathBuf {
    let data = work.join("g1000");
    generate(&data, 1000, 100, 60, 1);
    data
}

/// Starts `cartnet ARGS` with stdout and stderr going to files in `work`.
fn spawn(work: &Path, name: &str, args: &[&std::ffi::OsStr]) -> Child {
    let stdout = std::fs::File::create(work.join(format!("{name}.stdout"))).unwrap();
    let stderr = std::fs::File::create(work.join(format!("{name}.stderr"))).unwrap();
    cartnet_process()
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap()
}

fn stderr_of(work: &Path, name: &str) -> String {
    std::fs::read_to_string(work.join(format!("{name}.stderr"))).unwrap_or_default()
}

/// Whether a HiGHS MIP log line reports an incumbent: a source letter, then the node counts,
/// the explored share, the best bound and a finite best solution
/// (` J       0       0         0   0.00%   -inf            1954000000   Large ...`).
fn is_incumbent_line(line: &str) -> bool {
    let t: Vec<&str> = line.split_whitespace().collect();
    t.len() > 7
        && t[0].len() == 1
        && t[0].chars().all(|c| c.is_ascii_uppercase())
        && t[4].ends_with('%')
        && t[6].parse::<f64>().is_ok_and(f64::is_finite)
}

/// Waits until `log` shows an incumbent; panics if the child ends first or the watchdog fires.
fn wait_for_incumbent(child: &mut Child, log: &Path, what: &str) {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(log)
            && text.lines().any(is_incumbent_line)
        {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what} ended ({status}) before its log showed a plan in progress");
        }
        if start.elapsed() > WATCHDOG {
            let _ = child.kill();
            panic!(
                "{what}: no incumbent in {} after {WATCHDOG:?}",
                log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sends SIGINT, as Ctrl-C does.
fn send_sigint(child: &Child) {
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success(), "kill -INT failed");
}

fn wait_exit(child: &mut Child, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > WATCHDOG {
            let _ = child.kill();
            panic!("{what} did not stop within {WATCHDOG:?} of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs `cartnet ARGS` (output in `work`, as `name`), sends SIGINT once `log` shows an
/// incumbent, asserts the exit code of an interrupted run and returns its stderr.
fn interrupt_at_first_incumbent(
    work: &Path,
    name: &str,
    args: &[&std::ffi::OsStr],
    log: &Path,
) -> String {
    let what = format!("cartnet {name}");
    let mut child = spawn(work, name, args);
    wait_for_incumbent(&mut child, log, &what);
    send_sigint(&child);
    let status = wait_exit(&mut child, &what);
    let stderr = stderr_of(work, name);
    assert_eq!(status.code(), Some(EXIT_INTERRUPTED), "{stderr}");
    stderr
}

/// Every file under `dir` whose name starts with a dot (temporaries, backups).
fn hidden_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            found.push(path);
        } else if path.is_dir() {
            found.extend(hidden_files(&path));
        }
    }
    found
}

/// Asserts the plan is a stopped-early one: status feasible with a proven gap above zero.
fn assert_feasible_with_gap(plan: &Value, what: &str) {
    assert_eq!(
        plan["solver"]["status"], "feasible",
        "{what}: {}",
        plan["solver"]
    );
    let gap = plan["solver"]["gap"].as_f64().expect("a gap");
    assert!(gap > 0.0, "{what}: gap {gap}");
    let objective = plan["solver"]["objective"].as_f64().unwrap();
    let bound = plan["solver"]["best_bound"].as_f64().unwrap();
    assert!(
        bound < objective,
        "{what}: bound {bound} objective {objective}"
    );
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C

#[test]
fn ctrl_c_during_a_solve_writes_the_best_plan_so_far() {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let data = slow_instance(work);
    let out = work.join("out");
    let args = [
        "solve".as_ref(),
        "-v".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    let stderr = interrupt_at_first_incumbent(work, "solve", &args, &out.join("highs.log"));
    assert!(
        stderr.contains("interrupted after") && stderr.contains("best found so far"),
        "{stderr}"
    );
    let plan = read_plan(&out.join("plan.json"));
    assert_feasible_with_gap(&plan, "interrupted solve");
    for f in [
        "sites.csv",
        "patient_flows.csv",
        "batch_flows.csv",
        "plan.geojson",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let stdout = std::fs::read_to_string(work.join("solve.stdout")).unwrap();
    assert!(stdout.starts_with("cartnet feasible plan"), "{stdout}");
    let plan_file = out.join("plan.json");
    assert_verified(&plan_file, &data, &plan_file.display().to_string());
    assert_eq!(hidden_files(&out), Vec::<PathBuf>::new());
}

#[test]
fn ctrl_c_during_a_sweep_keeps_finished_work_and_lists_every_scenario() {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let data = slow_instance(work);
    let out = work.join("sweep");
    let args = [
        "sweep".as_ref(),
        "-v".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        "--vary".as_ref(),
        "site.setup_cost_owned=1.5e6,2e6,3e6".as_ref(),
        "--jobs".as_ref(),
        "1".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    let first = out.join("plans/001_site.setup_cost_owned=1500000");
    let stderr = interrupt_at_first_incumbent(work, "sweep", &args, &first.join("highs.log"));
    assert!(stderr.contains("2 not run"), "{stderr}");

    // sweep.csv: every scenario, in grid order; the unstarted ones marked.
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cells = |c: &str| {
        rows.iter()
            .map(|r| r[col(c)].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(cells("scenario"), ["1", "2", "3"], "{csv}");
    assert_eq!(
        cells("site.setup_cost_owned"),
        ["1500000", "2000000", "3000000"]
    );
    assert_eq!(cells("status"), ["feasible", "not_run", "not_run"], "{csv}");
    assert_eq!(
        cells("folder"),
        ["plans/001_site.setup_cost_owned=1500000", "", ""]
    );
    let gap: f64 = rows[0][col("gap")].parse().unwrap();
    assert!(gap > 0.0, "{csv}");

    let plan = read_plan(&first.join("plan.json"));
    assert_feasible_with_gap(&plan, "interrupted sweep scenario");
    assert_eq!(plan["solver"]["gap"].as_f64().unwrap(), gap);
    let plan_file = first.join("plan.json");
    assert_verified(&plan_file, &data, &plan_file.display().to_string());
    let folders: Vec<String> = std::fs::read_dir(out.join("plans"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(folders, ["001_site.setup_cost_owned=1500000"]);
    assert_eq!(hidden_files(&out), Vec::<PathBuf>::new());
}

/// capa (100 sites x 1,000 customers) spends its first seconds in cutting-plane rounds on the LP
/// relaxation, before any plan exists: a signal then stops it with nothing to write, and the
/// folder keeps the plan an earlier run left there.
#[test]
fn ctrl_c_before_any_plan_writes_nothing_and_keeps_the_old_plan() {
    let capa = Path::new(ROOT).join("../shared/bench/orlib-cap/capa.txt");
    if !capa.exists() {
        eprintln!("skipped: ../shared/bench/orlib-cap/capa.txt is not beside the project");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let data = work.join("capa");
    let import = run(cartnet()
        .args(["import", "orlib-cap"])
        .arg(&capa)
        .args(["--capacity", "8000", "--out"])
        .arg(&data));
    assert_eq!(import.code, Some(0), "{}", import.stderr);
    let out = work.join("out");
    solve_demo_into(&out);
    let before = plan_files(&out);

    let model = data.join("scenario.toml");
    let mut child = spawn(
        work,
        "capa",
        &[
            "solve".as_ref(),
            "-v".as_ref(),
            // the plain solve: the Lagrangian relaxation finds a plan before these rounds
            "--lagrangian".as_ref(),
            "off".as_ref(),
            "--data".as_ref(),
            data.as_os_str(),
            "--model".as_ref(),
            model.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
    );
    // The first LP of the cutting-plane rounds has started.
    let log = out.join("highs.log");
    let start = Instant::now();
    while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains("Iteration")) {
        assert!(child.try_wait().unwrap().is_none(), "capa ended early");
        assert!(start.elapsed() < WATCHDOG, "capa never started its LP");
        std::thread::sleep(Duration::from_millis(50));
    }
    send_sigint(&child);
    let status = wait_exit(&mut child, "cartnet solve capa");
    let stderr = stderr_of(work, "capa");
    assert_eq!(status.code(), Some(EXIT_INTERRUPTED), "{stderr}");
    assert!(
        stderr.contains("before any feasible plan was found")
            && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(plan_files(&out), before, "the earlier plan changed");
    assert_eq!(hidden_files(&out), Vec::<PathBuf>::new());
}

// ---------------------------------------------------------------------------------------------
// Time limit

#[test]
fn a_time_limit_stops_with_a_feasible_plan_and_its_gap() {
    let work = tempfile::tempdir().unwrap();
    let data = slow_instance(work.path());
    let out = work.path().join("out");
    let solved = run(cartnet()
        .arg("solve")
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .args(["--time-limit", "3"]));
    assert_eq!(solved.code, Some(0), "{}", solved.stderr);
    let plan = read_plan(&out.join("plan.json"));
    assert_feasible_with_gap(&plan, "time-limited solve");
    let plan_file = out.join("plan.json");
    assert_verified(&plan_file, &data, &plan_file.display().to_string());
}

// ---------------------------------------------------------------------------------------------
// Nothing lost

const PLAN_FILES: [&str; 5] = [
    "plan.json",
    "sites.csv",
    "patient_flows.csv",
    "batch_flows.csv",
    "plan.geojson",
];

/// The plan files present in `dir`, by name, with their bytes.
fn plan_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    PLAN_FILES
        .iter()
        .filter_map(|f| {
            let p = dir.join(f);
            p.is_file()
                .then(|| (f.to_string(), std::fs::read(&p).unwrap()))
        })
        .collect()
}

fn demo() -> PathBuf {
    Path::new(ROOT).join("data/demo")
}

fn model(name: &str) -> PathBuf {
    Path::new(ROOT).join("models").join(name)
}

/// `cartnet solve --data DATA --model MODEL --out OUT ARGS`.
fn solve(data: &Path, model: &Path, out: &Path, args: &[&str]) -> Out {
    run(cartnet()
        .arg("solve")
        .arg("--data")
        .arg(data)
        .arg("--model")
        .arg(model)
        .arg("--out")
        .arg(out)
        .args(args))
}

/// Solves the demo into `out` (centralized, which solves in a fraction of a second).
fn solve_demo_into(out: &Path) {
    let solved = solve(&demo(), &model("centralized.toml"), out, &[]);
    assert_eq!(solved.code, Some(0), "{}", solved.stderr);
    assert_eq!(plan_files(out).len(), 5);
}

/// `cartnet solve` of the demo into `out` with extra arguments; returns the exit code and stderr.
fn solve_demo_again(out: &Path, args: &[&str]) -> (Option<i32>, String) {
    let solved = solve(&demo(), &model("baseline.toml"), out, args);
    (solved.code, solved.stderr)
}

#[test]
fn a_failed_run_leaves_the_previous_plan_intact() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    solve_demo_into(&out);
    let before = plan_files(&out);

    // (a) bad input
    let (code, stderr) = solve_demo_again(&out, &["--set", "site.setup_cost_owned=cheap"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(plan_files(&out), before, "bad input changed the plan");

    // (b) an infeasible scenario (every patient must be served, but the existing site is
    // barred by max_sites = 0)
    let (code, stderr) = solve_demo_again(
        &out,
        &[
            "--set",
            "demand.full_coverage=true",
            "--set",
            "policy.max_sites=0",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        plan_files(&out),
        before,
        "an infeasible run changed the plan"
    );

    // (c) the writing fails part-way: a folder is in the way of the last file, so four files
    // are renamed into place before the fifth fails; they must be put back.
    let geojson = out.join("plan.geojson");
    let old_geojson = std::fs::read(&geojson).unwrap();
    std::fs::remove_file(&geojson).unwrap();
    std::fs::create_dir(&geojson).unwrap();
    std::fs::write(geojson.join("keep"), b"x").unwrap();
    let (code, stderr) = solve_demo_again(&out, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the plan"), "{stderr}");
    let mut after = plan_files(&out);
    assert!(geojson.is_dir());
    after.insert("plan.geojson".into(), old_geojson);
    assert_eq!(after, before, "a failed write changed the plan");
    assert_eq!(hidden_files(&out), Vec::<PathBuf>::new());

    // and once the way is clear, the new plan replaces the old one whole
    std::fs::remove_dir_all(&geojson).unwrap();
    let (code, stderr) = solve_demo_again(&out, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let now = plan_files(&out);
    assert_eq!(now.len(), 5);
    assert_ne!(now["plan.json"], before["plan.json"]);
    assert_eq!(hidden_files(&out), Vec::<PathBuf>::new());
}

// ---------------------------------------------------------------------------------------------
// Determinism

/// plan.json with its one timing field (`solver.seconds`) masked, and every other plan file as is.
fn masked(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = plan_files(dir);
    let text = String::from_utf8(files["plan.json"].clone()).unwrap();
    let mut lines: Vec<String> = Vec::new();
    let mut masked = 0;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("\"seconds\":") {
            masked += 1;
            let indent = &line[..line.len() - t.len()];
            let comma = if t.ends_with(',') { "," } else { "" };
            lines.push(format!("{indent}\"seconds\": 0{comma}"));
        } else {
            lines.push(line.to_string());
        }
    }
    assert_eq!(masked, 1, "plan.json has one timing field");
    files.insert("plan.json".into(), lines.join("\n").into_bytes());
    files
}

/// Solves `data` three times into fresh folders and asserts byte-identical plans (timing masked).
/// (`scripts/determinism.sh` does the 10-run measurement.)
fn assert_reruns_identical(data: &Path, args: &[&str]) {
    let work = tempfile::tempdir().unwrap();
    let mut first: Option<BTreeMap<String, Vec<u8>>> = None;
    for i in 0..3 {
        let out = work.path().join(format!("run{i}"));
        let solved = solve(data, &model("baseline.toml"), &out, args);
        assert_eq!(solved.code, Some(0), "{}", solved.stderr);
        let files = masked(&out);
        assert_eq!(files.len(), 5);
        match &first {
            None => first = Some(files),
            Some(f) => {
                for (name, bytes) in f {
                    assert!(
                        files[name] == *bytes,
                        "{name} differs between run 0 and run {i} of {}",
                        data.display()
                    );
                }
            }
        }
    }
}

#[test]
fn reruns_of_the_demo_are_byte_identical() {
    assert_reruns_identical(&demo(), &[]);
}

#[test]
fn reruns_of_a_generated_1000_point_instance_are_byte_identical() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("g");
    generate(&data, 1000, 40, 20, 7);
    // a 1 % gap: proving optimality takes minutes; the stop at a gap is as deterministic
    assert_reruns_identical(&data, &["--gap", "0.01"]);
}
