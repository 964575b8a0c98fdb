//! A tiny instance written as CSV files into a temporary folder, and the runs of `cartnet solve`
//! on it, each plan checked by [`check_plan`] and by `cartnet verify`.

use super::checker::check_plan;
use super::harness::{assert_rel, assert_verified, cartnet, read_plan, run};
use serde_json::Value;
use std::cell::Cell;
use std::path::PathBuf;
use tempfile::TempDir;

/// The baseline with clean arithmetic for instances whose optimum is derived by hand: setup
/// annualized at 0 % over 10 years (CRF = 1/10), no failed batches, free transport at round
/// speeds, never by air (as tests/tiny.rs explains).
pub const CLEAN: &str = r#"
[site]
discount_rate = 0
amortization_years = 10
[batch]
failure_rate = 0
[transport]
circuity = 1
ground_kmh = 100
patient_kmh = 50
air_threshold_km = 100000
ground_cost_fixed = 0
ground_cost_per_km = 0
"#;

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
        let output = run(cartnet()
            .arg("solve")
            .arg("--data")
            .arg(self.data_dir())
            .arg("--model")
            .arg(self.model_file())
            .arg("--out")
            .arg(&out)
            .args(args));
        let plan_path = out.join("plan.json");
        let plan = plan_path.exists().then(|| read_plan(&plan_path));
        Run {
            code: output.code,
            stdout: output.stdout,
            stderr: output.stderr,
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
        assert_verified(
            &run.out.join("plan.json"),
            &self.data_dir(),
            &format!("the plan of solve {args:?}"),
        );
        plan
    }
}
