//! Running the real `cartnet` binary: the command, its output, and the checks every test of a
//! written plan makes (`cartnet verify` accepts it).

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The project's root: the binary runs from here, so its defaults (data/demo) resolve.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `cartnet`, run from [`ROOT`], as a plain process: for a test that spawns it and signals it.
pub fn cartnet_process() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_cartnet"));
    c.current_dir(ROOT);
    c
}

/// `cartnet`, run from [`ROOT`].
pub fn cartnet() -> Command {
    Command::from_std(cartnet_process())
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

/// A plan.json (or any JSON file), parsed.
pub fn read_plan(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// `cartnet verify PLAN --data DATA` accepts the plan; `what` names it in the failure.
#[track_caller]
pub fn assert_verified(plan: &Path, data: &Path, what: &str) {
    let out = run(cartnet().arg("verify").arg(plan).arg("--data").arg(data));
    assert_eq!(
        out.code,
        Some(0),
        "cartnet verify rejects {what}:\n{}{}",
        out.stdout,
        out.stderr
    );
}

/// Writes `plan` into a fresh folder and runs `cartnet verify` on it with `args`.
pub fn verify_plan(plan: &Value, args: &[&str]) -> Out {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, serde_json::to_string_pretty(plan).unwrap()).unwrap();
    run(cartnet().arg("verify").arg(&path).args(args))
}

/// Tampers with a copy of `plan` and asserts `cartnet verify` fails with each of `expected` in its output.
#[track_caller]
pub fn assert_caught(
    plan: &Value,
    edit: impl FnOnce(&mut Value),
    args: &[&str],
    expected: &[&str],
) {
    let mut plan = plan.clone();
    edit(&mut plan);
    let r = verify_plan(&plan, args);
    assert_eq!(
        r.code,
        Some(1),
        "verify passed a broken plan:\n{}{}",
        r.stdout,
        r.stderr
    );
    for e in expected {
        assert!(
            r.stdout.contains(e),
            "expected {e:?} in the output of verify:\n{}{}",
            r.stdout,
            r.stderr
        );
    }
    assert!(r.stdout.contains("the plan does not hold"), "{}", r.stdout);
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

/// Solves the demo with `args` into `dir/name`, asserting exit 0; the plan's path.
pub fn solve_into(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let r = run(cartnet().arg("solve").arg("--out").arg(&out).args(args));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    out.join("plan.json")
}

/// The benchmark folder `name` beside the project (../shared/bench/NAME), if its `marker`
/// file is there.
fn bench_dir(name: &str, marker: &str) -> Option<PathBuf> {
    let dir = Path::new(ROOT).join("../shared/bench").join(name);
    dir.join(marker).exists().then_some(dir)
}

/// [`bench_dir`], saying on stderr that the test is skipped when it is not there.
fn bench_dir_or_skip(name: &str, marker: &str) -> Option<PathBuf> {
    let dir = bench_dir(name, marker);
    if dir.is_none() {
        eprintln!("skipped: ../shared/bench/{name} is not beside the project");
    }
    dir
}

/// The OR-Library capacitated files beside the project (../shared/bench/orlib-cap), if there.
pub fn orlib_dir() -> Option<PathBuf> {
    bench_dir("orlib-cap", "capopt.txt")
}

/// [`orlib_dir`], saying on stderr that the test is skipped when it is not there.
pub fn orlib_dir_or_skip() -> Option<PathBuf> {
    bench_dir_or_skip("orlib-cap", "capopt.txt")
}

/// The Yang single-source instances and their table (../shared/bench/sscflp-yang), saying on
/// stderr that the test is skipped when they are not there.
pub fn sscflp_dir_or_skip() -> Option<PathBuf> {
    bench_dir_or_skip("sscflp-yang", "README.md")
}

/// `cartnet bench --suite orlib --single-source --only ONLY --time-limit SECONDS --orlib DIR`.
pub fn single_source_bench(dir: &Path, only: &str, seconds: &str) -> Command {
    let mut cmd = cartnet();
    cmd.args([
        "bench",
        "--suite",
        "orlib",
        "--single-source",
        "--only",
        only,
    ])
    .args(["--time-limit", seconds, "--orlib"])
    .arg(dir);
    cmd
}

/// `cartnet import SOURCE FILE --out OUT` (orlib-cap, sscflp).
pub fn import(source: &str, file: &Path, out: &Path) -> Out {
    run(cartnet()
        .args(["import", source])
        .arg(file)
        .arg("--out")
        .arg(out))
}

/// `cartnet solve` of an imported instance under its own scenario.toml into `out`, with `extra`.
pub fn solve_imported(data: &Path, out: &Path, extra: &[&str]) -> Out {
    run(cartnet()
        .arg("solve")
        .arg("--data")
        .arg(data)
        .arg("--model")
        .arg(data.join("scenario.toml"))
        .arg("--out")
        .arg(out)
        .args(extra))
}

/// `cartnet compare A B --out OUT` with `extra` arguments.
pub fn compare_plans(a: &Path, b: &Path, out: &Path, extra: &[&str]) -> Out {
    run(cartnet()
        .arg("compare")
        .arg(a)
        .arg(b)
        .arg("--out")
        .arg(out)
        .args(extra))
}

/// A copy of the demo's CSV files (no basemap) in `dir/name`; its path.
pub fn demo_csv_copy(dir: &Path, name: &str) -> PathBuf {
    let data = dir.join(name);
    std::fs::create_dir(&data).unwrap();
    for f in ["demand.csv", "hospitals.csv", "sites.csv"] {
        std::fs::copy(Path::new(ROOT).join("data/demo").join(f), data.join(f)).unwrap();
    }
    data
}

/// A sweep.csv's header and rows without the `seconds` column: what a one-machine run and a
/// merge of its shards must agree on.
pub fn sweep_csv_without_seconds(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header = reader.headers().unwrap().clone();
    let seconds = header
        .iter()
        .position(|h| h == "seconds")
        .expect("a seconds column");
    std::iter::once(header)
        .chain(reader.records().map(Result::unwrap))
        .map(|r| {
            (r.iter().enumerate())
                .filter(|(i, _)| *i != seconds)
                .map(|(_, c)| c.to_string())
                .collect()
        })
        .collect()
}

/// A CSV file's header, and each row as column -> cell.
pub fn csv_table(path: &Path) -> (Vec<String>, Vec<std::collections::HashMap<String, String>>) {
    let mut r = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}
