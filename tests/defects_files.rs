//! Issue #15, output files and plans (items 4, 5, 6, 7, 13, 18): the real binary on real files.
//! Output paths are checked before any work, instance folders are never silently mixed, writers
//! of one folder take turns, `report` never overwrites what it did not write, a plan is checked
//! against the data it was made from, and a plan with repeated flows is refused early.

mod common;

use common::{ROOT, cartnet, run};
use std::fs;
use std::path::{Path, PathBuf};

/// The bundled demo's folder.
fn demo() -> PathBuf {
    Path::new(ROOT).join("data/demo")
}

/// The small OR-Library file of the fuzz corpus (2 facilities, 2 customers; needs --capacity).
fn tiny_orlib() -> PathBuf {
    Path::new(ROOT).join("fuzz/corpus/orlib/tiny.txt")
}

/// A file of `text` at `dir/name`.
fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// A copy of the demo in `dir`, with a lanes.csv (one lane of the demo's ids).
fn demo_copy(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    for name in ["demand.csv", "hospitals.csv", "sites.csv"] {
        fs::copy(demo().join(name), dir.join(name)).unwrap();
    }
    file(dir, "lanes.csv", "from,to,hours\nH0117510021,S-MSK,1\n");
}

/// `cartnet generate` (a small instance) into `out` with `extra` arguments.
fn generate(out: &Path, seed: u32, extra: &[&str]) -> common::Out {
    run(cartnet()
        .args([
            "generate",
            "--demand",
            "30",
            "--hospitals",
            "6",
            "--sites",
            "8",
        ])
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(out)
        .args(extra))
}

// ---- item 7: an output path that is a file is refused before any work

#[test]
fn e501_solve_into_a_file_is_refused_before_solving() {
    let dir = tempfile::tempdir().unwrap();
    let target = file(dir.path(), "plan.json", "mine");
    let o = run(cartnet().args(["solve", "--out"]).arg(&target));
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert_eq!(
        o.stderr,
        format!(
            "E501 --out: {} is a file, not a folder; nothing was done\n",
            target.display()
        )
    );
    assert_eq!(o.stdout, "", "no solve, no summary");
    assert_eq!(fs::read_to_string(&target).unwrap(), "mine");
}

#[test]
fn e501_sweep_generate_and_import_into_a_file_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let target = file(dir.path(), "x", "mine");
    let expected = format!(
        "E501 --out: {} is a file, not a folder; nothing was done\n",
        target.display()
    );
    let sweep = run(cartnet()
        .args(["sweep", "--vary", "site.setup_cost_owned=1e6,2e6", "--out"])
        .arg(&target));
    let generated = generate(&target, 1, &[]);
    let imported = run(cartnet()
        .args(["import", "orlib-cap"])
        .arg(tiny_orlib())
        .args(["--capacity", "8", "--out"])
        .arg(&target));
    for (what, o) in [
        ("sweep", sweep),
        ("generate", generated),
        ("import", imported),
    ] {
        assert_eq!(o.code, Some(1), "{what}: {}", o.stderr);
        assert_eq!(o.stderr, expected, "{what}");
        assert_eq!(o.stdout, "", "{what}");
    }
    assert_eq!(fs::read_to_string(&target).unwrap(), "mine");
}

#[test]
fn e506_bench_into_a_folder_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(cartnet()
        .args(["bench", "--suite", "scale", "--out"])
        .arg(dir.path()));
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert_eq!(
        o.stderr,
        format!(
            "E506 --out: {} is a folder, not a file; nothing was done\n",
            dir.path().display()
        )
    );
    assert_eq!(o.stdout, "");
}

// ---- item 5: generate and import never mix two instances in one folder

#[test]
fn e502_generate_into_an_instance_folder_is_refused_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    demo_copy(&data);
    let before: Vec<Vec<u8>> = ["demand.csv", "hospitals.csv", "sites.csv", "lanes.csv"]
        .iter()
        .map(|n| fs::read(data.join(n)).unwrap())
        .collect();
    let o = generate(&data, 1, &[]);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert_eq!(
        o.stderr,
        format!(
            "E502 --out: {} is not empty (it holds demand.csv, hospitals.csv, lanes.csv, \
             sites.csv); give a new or empty folder, or --force to replace the instance there; \
             nothing was done\n",
            data.display()
        )
    );
    for (name, bytes) in ["demand.csv", "hospitals.csv", "sites.csv", "lanes.csv"]
        .iter()
        .zip(&before)
    {
        assert_eq!(
            &fs::read(data.join(name)).unwrap(),
            bytes,
            "{name} is untouched"
        );
    }
}

#[test]
fn e502_import_into_a_folder_with_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cap");
    fs::create_dir(&out).unwrap();
    file(&out, "notes.txt", "mine");
    let o = run(cartnet()
        .args(["import", "orlib-cap"])
        .arg(tiny_orlib())
        .args(["--capacity", "8", "--out"])
        .arg(&out));
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert!(o.stderr.starts_with("E502 --out: "), "{}", o.stderr);
    assert!(o.stderr.contains("(it holds notes.txt)"), "{}", o.stderr);
    assert_eq!(
        fs::read_dir(&out).unwrap().count(),
        1,
        "nothing was written"
    );
}

#[test]
fn generate_with_force_replaces_the_instance_and_removes_a_stale_lanes_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g");
    demo_copy(&out);
    file(&out, "notes.txt", "mine");
    let o = generate(&out, 1, &["--force"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(
        !out.join("lanes.csv").exists(),
        "the stale lanes.csv is gone"
    );
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    // the folder is exactly the generated instance: the same bytes as a fresh folder gets
    let fresh = dir.path().join("fresh");
    assert_eq!(generate(&fresh, 1, &[]).code, Some(0));
    for name in ["demand.csv", "hospitals.csv", "sites.csv"] {
        assert_eq!(
            fs::read(out.join(name)).unwrap(),
            fs::read(fresh.join(name)).unwrap(),
            "{name}"
        );
    }
    let v = run(cartnet().args(["validate", "--data"]).arg(&out));
    assert_eq!(v.code, Some(0), "{}", v.stderr);
}

// ---- item 6: writers of one folder take turns

/// A generated instance small enough to solve in a fraction of a second, in `dir/data`.
fn small_instance(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let o = generate(&data, 1, &[]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    data
}

/// `cartnet solve` of `data` into `out` with at most `max_sites` sites (each limit gives this
/// instance another plan: 1 to 4 sites open), as a child process.
fn spawn_solve(data: &Path, out: &Path, max_sites: usize) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_cartnet"))
        .current_dir(ROOT)
        .args(["solve", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(["--set", &format!("policy.max_sites={max_sites}")])
        .args(["--set", "demand.full_coverage=false"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// A CSV file's data rows, split on commas (the plan CSVs of these ids have no quoted cells).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Asserts that the CSVs in `out` describe the plan in `out/plan.json`: the same sites with the
/// same status and platforms, and as many flows.
fn assert_one_run(out: &Path, round: usize) {
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    let sites: Vec<Vec<String>> = plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            vec![
                s["id"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
                s["platforms"].to_string(),
            ]
        })
        .collect();
    let csv_sites: Vec<Vec<String>> = csv_rows(&out.join("sites.csv"))
        .into_iter()
        .map(|r| r[1..4].to_vec())
        .collect();
    assert_eq!(
        csv_sites, sites,
        "round {round}: sites.csv is another run's"
    );
    for (csv, key) in [
        ("patient_flows.csv", "patient_flows"),
        ("batch_flows.csv", "batch_flows"),
    ] {
        assert_eq!(
            csv_rows(&out.join(csv)).len(),
            plan[key].as_array().unwrap().len(),
            "round {round}: {csv} is another run's"
        );
    }
}

/// Rounds of four concurrent solves: enough to have seen mixed sets before the lock (3 in 150
/// trials of four writers), short in wall time (a round solves four small models).
const ROUNDS: usize = 12;

#[test]
fn concurrent_solves_into_one_folder_leave_one_runs_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_instance(dir.path());
    let out = dir.path().join("out");
    for round in 0..ROUNDS {
        let children: Vec<_> = (1..=4).map(|k| spawn_solve(&data, &out, k)).collect();
        for child in children {
            let o = child.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        assert_one_run(&out, round);
        let v = run(cartnet()
            .arg("verify")
            .arg(out.join("plan.json"))
            .arg("--data")
            .arg(&data));
        assert_eq!(v.code, Some(0), "round {round}: {}{}", v.stdout, v.stderr);
    }
}

#[test]
fn e503_a_solve_into_a_folder_another_run_holds_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_instance(dir.path());
    let out = dir.path().join("out");
    let first = spawn_solve(&data, &out, 1).wait_with_output().unwrap();
    assert!(first.status.success());
    let before = fs::read(out.join("plan.json")).unwrap();
    // this test plays the other run: it holds the folder's lock throughout
    let held = fs::File::open(&out).unwrap();
    held.lock().unwrap();
    let second = spawn_solve(&data, &out, 2).wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.lines().last().unwrap(),
        format!(
            "E503 {}: another cartnet run is writing this folder; gave up after waiting 10 s \
             for it; nothing was done",
            out.display()
        )
    );
    assert_eq!(fs::read(out.join("plan.json")).unwrap(), before);
    held.unlock().unwrap();
}

#[test]
fn e503_a_sweep_and_a_verify_wait_for_the_folders_writer_then_give_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_instance(dir.path());
    let out = dir.path().join("out");
    let first = spawn_solve(&data, &out, 1).wait_with_output().unwrap();
    assert!(first.status.success());
    let held = fs::File::open(&out).unwrap();
    held.lock().unwrap();
    let spawn = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_cartnet"))
            .current_dir(ROOT)
            .args(args)
            .output()
    };
    let (sweep, verify) = std::thread::scope(|scope| {
        let sweep = scope.spawn(|| {
            spawn(&[
                "sweep",
                "--vary",
                "policy.max_sites=1,2",
                "--data",
                data.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
        });
        let plan = out.join("plan.json");
        let verify = scope.spawn(move || spawn(&["verify", plan.to_str().unwrap()]));
        (
            sweep.join().unwrap().unwrap(),
            verify.join().unwrap().unwrap(),
        )
    });
    held.unlock().unwrap();
    let busy = format!(
        "E503 {}: another cartnet run is writing this folder; gave up after waiting 10 s for it",
        out.display()
    );
    let sweep_err = String::from_utf8_lossy(&sweep.stderr);
    assert_eq!(sweep.status.code(), Some(1), "{sweep_err}");
    assert_eq!(sweep_err, format!("{busy}; nothing was done\n"));
    assert!(!out.join("sweep.csv").exists(), "the sweep wrote nothing");
    let verify_err = String::from_utf8_lossy(&verify.stderr);
    assert_eq!(verify.status.code(), Some(1), "{verify_err}");
    assert!(verify_err.starts_with(&busy), "{verify_err}");
}

// ---- item 4: report never overwrites what it did not write

/// A small instance solved into `dir/out`; returns (data, out).
fn solved(dir: &Path) -> (PathBuf, PathBuf) {
    let data = small_instance(dir);
    let out = dir.join("out");
    let o = spawn_solve(&data, &out, 2).wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (data, out)
}

/// `cartnet report PLAN <args>`.
fn report(plan: &Path, args: &[&str]) -> common::Out {
    run(cartnet().arg("report").arg(plan).args(args))
}

#[test]
fn e505_report_over_the_plan_it_renders_is_refused_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = solved(dir.path());
    let plan = out.join("plan.json");
    let before = fs::read(&plan).unwrap();
    for extra in [&[][..], &["--force"][..]] {
        let o = run(cartnet()
            .arg("report")
            .arg(&plan)
            .arg("--out")
            .arg(&plan)
            .args(extra));
        assert_eq!(o.code, Some(1), "{}", o.stderr);
        assert_eq!(
            o.stderr,
            format!(
                "E505 --out: {} is the plan being rendered; give another file (default: \
                 report.html beside the plan); nothing was done\n",
                plan.display()
            )
        );
        assert_eq!(fs::read(&plan).unwrap(), before, "the plan is intact");
    }
}

#[test]
fn e504_report_over_a_file_cartnet_did_not_write_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = solved(dir.path());
    let plan = out.join("plan.json");
    let notes = file(dir.path(), "notes.html", "<p>mine</p>");
    let o = report(&plan, &["--out", notes.to_str().unwrap()]);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    assert_eq!(
        o.stderr,
        format!(
            "E504 --out: {} exists and is not a report cartnet wrote; give another file, or \
             --force to overwrite it; nothing was done\n",
            notes.display()
        )
    );
    assert_eq!(fs::read_to_string(&notes).unwrap(), "<p>mine</p>");
    let forced = report(&plan, &["--out", notes.to_str().unwrap(), "--force"]);
    assert_eq!(forced.code, Some(0), "{}", forced.stderr);
    assert!(
        fs::read_to_string(&notes)
            .unwrap()
            .contains("<title>cartnet plan")
    );
}

#[test]
fn report_replaces_its_own_report_and_writes_into_an_out_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = solved(dir.path());
    let plan = out.join("plan.json");
    for _ in 0..2 {
        let o = report(&plan, &[]);
        assert_eq!(o.code, Some(0), "{}", o.stderr);
    }
    let folder = dir.path().join("pages");
    fs::create_dir(&folder).unwrap();
    let o = report(&plan, &["--out", folder.to_str().unwrap()]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(
        o.stdout,
        format!(
            "report written to {}\n",
            folder.join("report.html").display()
        )
    );
    assert_eq!(
        fs::read(folder.join("report.html")).unwrap(),
        fs::read(out.join("report.html")).unwrap()
    );
}

// ---- item 13: a plan is checked against the data it was made from

/// The plan.json at `path`, parsed.
fn plan_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// A second, different instance in `dir/other`.
fn other_instance(dir: &Path) -> PathBuf {
    let other = dir.join("other");
    assert_eq!(generate(&other, 2, &[]).code, Some(0));
    other
}

#[test]
fn plans_of_solve_and_sweep_record_the_digest_of_their_data() {
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = solved(dir.path());
    let digest = cartnet::input::digest::of_folder(&data).unwrap();
    assert!(digest.starts_with("fnv1a64:"), "{digest}");
    assert_eq!(
        plan_json(&out.join("plan.json"))["instance"]["digest"],
        digest.as_str()
    );
    let sweep = dir.path().join("sweep");
    let o = run(cartnet()
        .args(["sweep", "--vary", "policy.max_sites=1,2", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&sweep));
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    for folder in fs::read_dir(sweep.join("plans")).unwrap() {
        let plan = plan_json(&folder.unwrap().path().join("plan.json"));
        assert_eq!(plan["instance"]["digest"], digest.as_str());
    }
}

#[test]
fn e601_report_and_verify_against_other_data_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = solved(dir.path());
    let other = other_instance(dir.path());
    let plan = out.join("plan.json");
    let recorded = plan_json(&plan)["instance"]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let actual = cartnet::input::digest::of_folder(&other).unwrap();
    let message = format!(
        "E601 {}: the plan was made from other data: its instance.digest is {recorded}, the \
         files in {} give {actual}; pass the --data it was made from, or --force",
        plan.display(),
        other.display()
    );
    let r = report(&plan, &["--data", other.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr, format!("{message}; nothing was done\n"));
    assert!(!out.join("report.html").exists(), "no report");
    let v = run(cartnet().arg("verify").arg(&plan).arg("--data").arg(&other));
    assert_eq!(v.code, Some(1));
    assert_eq!(
        v.stderr,
        format!("{message}\nverify: {} cannot be checked\n", plan.display())
    );
    assert_eq!(v.stdout, "");
}

#[test]
fn e601_the_data_changed_since_the_solve() {
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = solved(dir.path());
    // one patient more at the first demand point
    let demand = fs::read_to_string(data.join("demand.csv")).unwrap();
    let mut lines: Vec<String> = demand.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    let last = cells.len() - 1;
    cells[last] = format!("{}", cells[last].parse::<f64>().unwrap() + 1.0);
    lines[1] = cells.join(",");
    fs::write(data.join("demand.csv"), lines.join("\n") + "\n").unwrap();
    let v = run(cartnet().arg("verify").arg(out.join("plan.json")));
    assert_eq!(v.code, Some(1));
    assert!(v.stderr.starts_with("E601 "), "{}", v.stderr);
}

#[test]
fn report_with_force_against_other_data_is_marked() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = solved(dir.path());
    let other = other_instance(dir.path());
    let plan = out.join("plan.json");
    let r = report(&plan, &["--data", other.to_str().unwrap(), "--force"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with(&format!("warning: E601 {}: ", plan.display())),
        "{}",
        r.stderr
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let body = &html[html.find("<body>").unwrap()..];
    assert!(
        body.starts_with("<body>\n<div class=\"warning\" role=\"alert\""),
        "the banner opens the page: {}",
        &body[..200]
    );
    assert!(body.contains("⚠ The plan was made from other data: its instance.digest is"));
    // verify --force checks it anyway, with a note
    let v = run(cartnet()
        .arg("verify")
        .arg(&plan)
        .arg("--data")
        .arg(&other)
        .arg("--force"));
    assert!(
        v.stderr
            .starts_with("note: the plan was made from other data: its instance.digest is "),
        "{}",
        v.stderr
    );
    assert_eq!(v.code, Some(1), "the plan does not hold against other data");
    assert!(v.stdout.contains(" violations\n"), "{}", v.stdout);
}

#[test]
fn e602_names_a_plans_ids_escaped() {
    // ids come from the plan file, which anyone can write: they must not drive the terminal
    let dir = tempfile::tempdir().unwrap();
    let (_, out) = solved(dir.path());
    let mut old = plan_json(&out.join("plan.json"));
    old["instance"].as_object_mut().unwrap().remove("digest");
    old["sites"][0]["id"] = serde_json::Value::from("S\u{1b}[2J\u{202e}X");
    let plan = file(dir.path(), "spoof.json", &old.to_string());
    let r = report(&plan, &["--data", demo().to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.starts_with("E602 "), "{}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}') && !r.stderr.contains('\u{202e}'),
        "{:?}",
        r.stderr
    );
    assert!(r.stderr.contains("S\\u{1b}[2J\\u{202e}X"), "{}", r.stderr);
}

#[test]
fn e602_a_plan_without_a_digest_is_checked_by_its_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = solved(dir.path());
    // (a generated instance of another seed has the same ids)
    let other = demo();
    // a plan from before plans carried a digest
    let mut old = plan_json(&out.join("plan.json"));
    old["instance"]
        .as_object_mut()
        .unwrap()
        .remove("digest")
        .unwrap();
    let plan = file(dir.path(), "old.json", &old.to_string());
    let html = dir.path().join("old.html");
    let r = report(
        &plan,
        &[
            "--data",
            other.to_str().unwrap(),
            "--out",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&format!(
            "E602 {}: the plan names ids that {} does not have: site ",
            plan.display(),
            other.display()
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .ends_with("; pass the --data it was made from, or --force; nothing was done\n"),
        "{}",
        r.stderr
    );
    assert!(!html.exists());
    // against its own data the ids match: rendered, unmarked
    let ok = report(
        &plan,
        &[
            "--data",
            data.to_str().unwrap(),
            "--out",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
    assert!(
        !fs::read_to_string(&html)
            .unwrap()
            .contains("role=\"alert\"")
    );
}

// ---- item 18: repeated flow rows are refused early, and violations printed are capped

#[test]
fn e603_verify_and_report_refuse_a_plan_with_repeated_flows() {
    let dir = tempfile::tempdir().unwrap();
    let (data, out) = solved(dir.path());
    let mut plan = plan_json(&out.join("plan.json"));
    let flows = plan["patient_flows"].as_array().unwrap().clone();
    let n = flows.len();
    let first = flows[0].clone();
    // every flow three times, as a plan concatenated with copies of itself
    let tripled: Vec<serde_json::Value> = (0..3).flat_map(|_| flows.iter().cloned()).collect();
    plan["patient_flows"] = serde_json::Value::Array(tripled);
    let path = file(dir.path(), "repeated.json", &plan.to_string());
    let message = format!(
        "E603 {}: {} flow rows repeat an earlier one; the first is patient_flows[{n}] (year 1, {} \
         -> {}), as patient_flows[0]; a plan lists each flow once",
        path.display(),
        2 * n,
        first["demand"].as_str().unwrap(),
        first["hospital"].as_str().unwrap()
    );
    let v = run(cartnet().arg("verify").arg(&path).arg("--data").arg(&data));
    assert_eq!(v.code, Some(1));
    assert_eq!(
        v.stderr,
        format!("{message}\nverify: {} cannot be checked\n", path.display())
    );
    assert_eq!(v.stdout, "", "no violation listed per row");
    let html = dir.path().join("repeated.html");
    let r = report(
        &path,
        &[
            "--data",
            data.to_str().unwrap(),
            "--out",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, Some(1));
    assert_eq!(r.stderr, format!("{message}; nothing was done\n"));
    assert!(!html.exists());
}

#[test]
fn verify_prints_the_first_100_violations_and_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let g = run(cartnet()
        .args([
            "generate",
            "--demand",
            "150",
            "--hospitals",
            "10",
            "--sites",
            "10",
            "--out",
        ])
        .arg(&data));
    assert_eq!(g.code, Some(0), "{}", g.stderr);
    let out = dir.path().join("out");
    let s = run(cartnet()
        .args(["solve", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out));
    assert_eq!(s.code, Some(0), "{}", s.stderr);
    // every patient flow an hour longer than its arc: one violation each at least
    let mut plan = plan_json(&out.join("plan.json"));
    for f in plan["patient_flows"].as_array_mut().unwrap() {
        f["hours"] = serde_json::Value::from(f["hours"].as_f64().unwrap() + 1.0);
    }
    let flows = plan["patient_flows"].as_array().unwrap().len();
    assert!(flows > 100, "{flows} flows");
    let path = file(dir.path(), "tampered.json", &plan.to_string());
    let v = run(cartnet().arg("verify").arg(&path).arg("--data").arg(&data));
    assert_eq!(v.code, Some(1));
    let lines: Vec<&str> = v.stdout.lines().collect();
    let total: usize = lines[0]
        .rsplit(": ")
        .next()
        .and_then(|t| t.strip_suffix(" violations"))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{}", lines[0]));
    assert!(
        total >= flows,
        "{total} violations for {flows} longer flows"
    );
    assert_eq!(lines.len(), 1 + 100 + 2, "{}", v.stdout);
    assert!(lines[1..=100].iter().all(|l| l.starts_with("  [")));
    assert_eq!(
        lines[101],
        format!(
            "  ... and {} more violations (the first 100 are shown)",
            total - 100
        )
    );
    assert_eq!(lines[102], "the plan does not hold");
}
