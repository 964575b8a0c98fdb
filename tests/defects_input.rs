//! Issue #15, input items: every test runs the real `cartnet` binary on a copy of the demo
//! instance (or from a folder that is not the repository) and checks the exact message, the exit
//! code and that nothing was written.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const MODEL: &str = "models/baseline.toml";

/// A copy of `data/demo` in `<tmp>/data` and of the baseline in `<tmp>/models/baseline.toml`.
struct Fixture {
    dir: TempDir,
}

/// What one run printed and returned.
struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Fixture {
    /// An empty folder outside the repository: no data/demo, no models/.
    fn empty() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        fs::create_dir_all(&data).unwrap();
        for f in ["demand.csv", "hospitals.csv", "sites.csv"] {
            fs::copy(Path::new(ROOT).join("data/demo").join(f), data.join(f)).unwrap();
        }
        fs::create_dir_all(dir.path().join("models")).unwrap();
        fs::copy(Path::new(ROOT).join(MODEL), dir.path().join(MODEL)).unwrap();
        Fixture { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, contents: &str) {
        fs::write(self.path(relative), contents).unwrap();
    }

    /// In `data/<file>`, replaces the unique text `from` by `to`.
    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.path(&format!("data/{file}"));
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
        fs::write(path, text.replacen(from, to, 1)).unwrap();
    }

    /// `cartnet <args>`, run in the fixture's folder.
    fn run(&self, args: &[&str]) -> Out {
        let o = Command::cargo_bin("cartnet")
            .unwrap()
            .current_dir(self.dir.path())
            .env_remove("RUST_BACKTRACE")
            .args(args)
            .output()
            .unwrap();
        Out {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// `cartnet solve --data data --model models/baseline.toml --out out <extra>`: must fail with
    /// exit 1, `expected` as its only error line, nothing on stdout and no `out` folder.
    #[track_caller]
    fn solve_fails_with(&self, extra: &[&str], expected: &str) {
        let mut args = vec!["solve", "--data", "data", "--model", MODEL, "--out", "out"];
        args.extend_from_slice(extra);
        self.fails_with(&args, expected);
    }

    /// `cartnet <args>` must fail as [`Fixture::solve_fails_with`] says.
    #[track_caller]
    fn fails_with(&self, args: &[&str], expected: &str) {
        self.fails_on(args, expected, "data");
    }

    /// As [`Fixture::fails_with`], with `data` the folder the closing line names.
    #[track_caller]
    fn fails_on(&self, args: &[&str], expected: &str, data: &str) {
        let o = self.run(args);
        assert_eq!(o.code, Some(1), "stderr:\n{}", o.stderr);
        assert!(o.stdout.is_empty(), "stdout:\n{}", o.stdout);
        assert!(!self.path("out").exists(), "out was created");
        let lines: Vec<&str> = o.stderr.lines().collect();
        assert_eq!(lines.len(), 2, "expected one error line:\n{}", o.stderr);
        assert_eq!(lines[0], expected);
        let closing = format!(
            "1 error in the input ({data}); nothing was written. Error codes are explained in \
             docs/errors.md."
        );
        assert_eq!(lines[1], closing);
    }
}

#[test]
fn e206_duplicate_lane_names_both_lines() {
    let f = Fixture::new();
    f.write(
        "data/lanes.csv",
        "from,to,hours\nH0117510021,S-NYP,0\nS-NYP,H0117510021,2\nH0117510021,S-NYP,5\n",
    );
    f.solve_fails_with(
        &[],
        "E206 lanes.csv:4: column to: the lane from \"H0117510021\" to \"S-NYP\" is given again; \
         it was first given on line 2 (give each lane once)",
    );
}

#[test]
fn e306_set_value_followed_by_another_key() {
    Fixture::new().solve_fails_with(
        &["--set", "site.setup_cost_owned=7\nfoo=1"],
        "E306 --set: \"site.setup_cost_owned=7\\nfoo=1\": the value \"7\\nfoo=1\" is not one TOML \
         value: write the value alone, without a comment, a line break or another key after it",
    );
}

#[test]
fn e306_set_value_followed_by_a_comment() {
    Fixture::new().solve_fails_with(
        &["--set", "site.setup_cost_owned = 3e6 # c"],
        "E306 --set: \"site.setup_cost_owned = 3e6 # c\": the value \"3e6 # c\" is not one TOML \
         value: write the value alone, without a comment, a line break or another key after it",
    );
}

#[test]
fn e306_vary_value_followed_by_a_comment() {
    Fixture::new().fails_with(
        &[
            "sweep", "--data", "data", "--model", MODEL, "--out", "out", "--vary",
            "site.setup_cost_owned=1e6 # c,2e6",
        ],
        "E306 --vary: \"site.setup_cost_owned=1e6 # c,2e6\": the value \"1e6 # c\" is not one \
         TOML value: write the value alone, without a comment, a line break or another key after it",
    );
}

/// The first line clap prints for a `--gap` it refuses.
fn gap_refused(value: &str) -> String {
    format!(
        "error: invalid value '{value}' for '--gap <G>': E401 \"{value}\" is not a relative gap \
         in [0, 1): write it as a fraction, e.g. 0.02 for 2 %"
    )
}

#[test]
fn e401_gap_of_one_or_more_is_refused_by_every_command() {
    let f = Fixture::new();
    for args in [
        &[
            "solve", "--data", "data", "--model", MODEL, "--out", "out", "--gap", "2",
        ][..],
        &[
            "solve", "--data", "data", "--model", MODEL, "--out", "out", "--gap", "1",
        ],
        &[
            "sweep",
            "--data",
            "data",
            "--out",
            "out",
            "--vary",
            "site.max_platforms=1,2",
            "--gap",
            "2",
        ],
        &[
            "bench",
            "--suite",
            "scale",
            "--out",
            "out/bench.csv",
            "--gap",
            "1.5",
        ],
    ] {
        let o = f.run(args);
        assert_eq!(o.code, Some(1), "{args:?}: {}", o.stderr);
        let value = args[args.len() - 1];
        assert_eq!(
            o.stderr.lines().next(),
            Some(gap_refused(value).as_str()),
            "{args:?}"
        );
        assert!(o.stdout.is_empty(), "{args:?}: {}", o.stdout);
        assert!(!f.path("out").exists(), "{args:?} wrote out");
    }
}

#[test]
fn e401_negative_gap_is_refused() {
    let f = Fixture::new();
    let o = f.run(&[
        "solve",
        "--data",
        "data",
        "--model",
        MODEL,
        "--out",
        "out",
        "--gap=-0.1",
    ]);
    assert_eq!(o.code, Some(1));
    assert_eq!(o.stderr.lines().next(), Some(gap_refused("-0.1").as_str()));
}

#[test]
fn e305_gap_of_a_sweep_file_must_be_below_one() {
    let f = Fixture::new();
    f.write(
        "gap.toml",
        "gap = 2\n\n[[vary]]\nkey = \"site.max_platforms\"\nvalues = [1, 2]\n",
    );
    f.fails_with(
        &[
            "sweep", "--sweep", "gap.toml", "--data", "data", "--out", "out",
        ],
        "E305 gap.toml:1: column gap: 2 is out of range: expected a relative gap in [0, 1), e.g. \
         0.02 for 2 %",
    );
}

/// The demo's folder, by its absolute path.
fn demo() -> String {
    format!("{ROOT}/data/demo")
}

/// plan.json of a successful run in `f`, from its `out` folder.
#[track_caller]
fn plan(f: &Fixture, out: &str) -> serde_json::Value {
    let text = fs::read_to_string(f.path(out).join("plan.json")).expect("plan.json written");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn solve_outside_the_repository_uses_the_built_in_baseline() {
    let f = Fixture::empty();
    let o = f.run(&["solve", "--data", &demo(), "--out", "out"]);
    assert_eq!(o.code, Some(0), "stderr:\n{}", o.stderr);
    let built_in = plan(&f, "out");
    assert_eq!(
        built_in["instance"]["model"],
        "built-in models/baseline.toml"
    );
    let model_file = format!("{ROOT}/{MODEL}");
    let o = f.run(&[
        "solve",
        "--data",
        &demo(),
        "--model",
        &model_file,
        "--out",
        "file",
    ]);
    assert_eq!(o.code, Some(0), "stderr:\n{}", o.stderr);
    let from_file = plan(&f, "file");
    assert_eq!(from_file["instance"]["model"], model_file.as_str());
    assert_eq!(built_in["scenario"], from_file["scenario"]);
    assert_eq!(built_in["cost"], from_file["cost"]);
}

#[test]
fn validate_and_sweep_outside_the_repository_use_the_built_in_baseline() {
    let f = Fixture::empty();
    let o = f.run(&["validate", "--data", &demo()]);
    assert_eq!(o.code, Some(0), "stderr:\n{}", o.stderr);
    let first = format!("input ok: {} (built-in models/baseline.toml)", demo());
    assert_eq!(o.stdout.lines().next(), Some(first.as_str()));
    let o = f.run(&[
        "sweep",
        "--data",
        &demo(),
        "--vary",
        "site.max_platforms=2,3",
        "--out",
        "sweep",
    ]);
    assert_eq!(o.code, Some(0), "stderr:\n{}", o.stderr);
    let plans = f.path("sweep/plans");
    let mut folders: Vec<_> = fs::read_dir(&plans)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 2);
    for folder in folders {
        let text = fs::read_to_string(folder.join("plan.json")).unwrap();
        let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(plan["instance"]["model"], "built-in models/baseline.toml");
    }
}

#[test]
fn bench_scale_outside_the_repository_uses_the_built_in_baseline() {
    let f = Fixture::empty();
    let o = f.run(&[
        "bench",
        "--suite",
        "scale",
        "--only",
        "scale-1x",
        "--time-limit",
        "30",
        "--gap",
        "0.01",
    ]);
    assert_eq!(o.code, Some(0), "stderr:\n{}", o.stderr);
    assert!(
        o.stdout
            .lines()
            .any(|l| l.split_whitespace().take(2).eq(["scale", "scale-1x"])),
        "{}",
        o.stdout
    );
}

#[test]
fn e001_default_data_outside_the_repository_names_the_folder_once() {
    Fixture::empty().fails_on(
        &["solve", "--out", "out"],
        "E001 data/demo: the folder does not exist; give --data the folder holding demand.csv, \
         hospitals.csv and sites.csv, or a workbook FILE.xlsx",
        "data/demo",
    );
}

#[test]
fn e001_data_folder_that_does_not_exist_is_one_error() {
    Fixture::new().fails_on(
        &[
            "solve",
            "--data",
            "nothing/here",
            "--model",
            MODEL,
            "--out",
            "out",
        ],
        "E001 nothing/here: the folder does not exist; give --data the folder holding \
         demand.csv, hospitals.csv and sites.csv, or a workbook FILE.xlsx",
        "nothing/here",
    );
}

#[test]
fn e001_data_that_is_a_file_says_so() {
    Fixture::new().fails_on(
        &["validate", "--data", "data/demand.csv", "--model", MODEL],
        "E001 data/demand.csv: this is a file, not a folder; give --data the folder holding \
         demand.csv, hospitals.csv and sites.csv, or a workbook FILE.xlsx",
        "data/demand.csv",
    );
}

#[test]
fn e510_bench_without_the_or_library_names_the_flag() {
    let f = Fixture::empty();
    let o = f.run(&["bench", "--out", "bench.csv"]);
    assert_eq!(o.code, Some(1), "stderr:\n{}", o.stderr);
    assert_eq!(
        o.stderr,
        "error: E510 --orlib: cannot read ../shared/bench/orlib-cap/capopt.txt: No such file or \
         directory (os error 2); give --orlib DIR, the folder of the OR-Library capacitated files \
         (cap41.txt ... capc.txt) and capopt.txt\n"
    );
    assert!(o.stdout.is_empty() && !f.path("bench.csv").exists());
    // a folder with capopt.txt but no instance file
    fs::write(f.path("capopt.txt"), "cap41 932615.750\n").unwrap();
    let o = f.run(&["bench", "--orlib", "."]);
    assert_eq!(o.code, Some(1));
    assert_eq!(
        o.stderr,
        "error: E510 --orlib: no instance file in . has a published optimum in its capopt.txt; \
         give --orlib DIR, the folder of the OR-Library capacitated files (cap41.txt ... \
         capc.txt) and capopt.txt\n"
    );
}

#[test]
fn e511_bench_without_the_national_instance_names_the_flag() {
    let f = Fixture::empty();
    let o = f.run(&["bench", "--suite", "us", "--out", "bench.csv"]);
    assert_eq!(o.code, Some(1), "stderr:\n{}", o.stderr);
    assert_eq!(
        o.stderr,
        "error: E511 --us: no national instance in data/us (no demand.csv there): build one with \
         `cartnet import us --out DIR` (README \"National instance\") and give --us DIR\n"
    );
    assert!(o.stdout.is_empty() && !f.path("bench.csv").exists());
}

/// `cartnet <sub> --help`.
fn help(sub: &str) -> String {
    let o = Fixture::empty().run(&[sub, "--help"]);
    assert_eq!(o.code, Some(0), "{sub}: {}", o.stderr);
    o.stdout
}

#[test]
fn verbose_is_offered_only_by_the_commands_it_changes() {
    for sub in ["generate", "import", "validate", "verify", "report"] {
        assert!(
            !help(sub).contains("--verbose"),
            "{sub} offers -v:\n{}",
            help(sub)
        );
    }
    for (sub, says) in [
        ("solve", "Write HiGHS's log to OUT/highs.log"),
        ("sweep", "Write each scenario's HiGHS log beside its plan"),
        (
            "bench",
            "Print each instance's row on stderr as soon as it finishes",
        ),
    ] {
        let text = help(sub);
        assert!(text.contains("-v, --verbose"), "{sub}:\n{text}");
        assert!(text.contains(says), "{sub}:\n{text}");
    }
    let o = Fixture::empty().run(&[
        "generate",
        "-v",
        "--demand",
        "1",
        "--hospitals",
        "1",
        "--sites",
        "1",
        "--out",
        "g",
    ]);
    assert_eq!(o.code, Some(1));
    assert!(
        o.stderr
            .starts_with("error: unexpected argument '-v' found"),
        "{}",
        o.stderr
    );
}

/// `cartnet validate` on the fixture with `--set KEY=VALUE`.
fn validate_with(f: &Fixture, set: &str) -> Out {
    f.run(&["validate", "--data", "data", "--model", MODEL, "--set", set])
}

#[test]
fn e305_every_scenario_number_has_a_range_and_its_ends_are_accepted() {
    // (key, the largest or smallest value accepted, a value beyond it, the range as shown)
    let cost = "a number in [0, 1e12]";
    let limit = "a number in [0, 1e9]";
    let speed = "a number in [1, 10000]";
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "site.max_platforms",
            "1000",
            "1001",
            "a number in [0, 1000]",
        ),
        ("site.setup_cost_owned", "1e12", "1.1e12", cost),
        ("site.setup_cost_franchise", "1e12", "1.1e12", cost),
        ("site.fixed_cost_owned", "1e12", "1.1e12", cost),
        ("site.fixed_cost_franchise", "1e12", "1.1e12", cost),
        (
            "site.amortization_years",
            "1",
            "0.5",
            "a number in [1, 100]",
        ),
        (
            "site.amortization_years",
            "100",
            "101",
            "a number in [1, 100]",
        ),
        (
            "site.amortization_years",
            "1",
            "1e-300",
            "a number in [1, 100]",
        ),
        ("site.discount_rate", "1", "1.5", "a number in [0, 1]"),
        (
            "platform.batches_per_year",
            "1e6",
            "2e6",
            "a number in (0, 1e6]",
        ),
        ("platform.cost_owned", "1e12", "1.1e12", cost),
        ("platform.cost_franchise", "1e12", "1.1e12", cost),
        ("batch.cost_owned", "1e12", "1.1e12", cost),
        ("batch.cost_franchise", "1e12", "1.1e12", cost),
        ("batch.failure_rate", "0.9", "0.95", "a number in [0, 0.9]"),
        ("kinds.central.batch.cost_owned", "1e12", "1.1e12", cost),
        ("time.manufacturing_days", "1e9", "2e9", limit),
        ("time.release_days", "1e9", "2e9", limit),
        ("time.max_vein_to_vein_days", "1e9", "2e9", limit),
        ("time.max_patient_travel_hours", "1e9", "2e9", limit),
        ("time.max_fresh_transit_hours", "1e9", "2e9", limit),
        ("transport.circuity", "1", "0.9", "a number in [1, 10]"),
        ("transport.circuity", "10", "11", "a number in [1, 10]"),
        ("transport.ground_kmh", "1e4", "20000", speed),
        ("transport.patient_kmh", "1", "0.5", speed),
        ("transport.air_kmh", "1e4", "20000", speed),
        ("transport.air_threshold_km", "1e9", "2e9", limit),
        ("transport.air_handling_hours", "1e9", "2e9", limit),
        ("transport.ground_cost_fixed", "1e12", "1.1e12", cost),
        (
            "transport.ground_cost_per_km",
            "1e7",
            "2e7",
            "a number in [0, 1e7]",
        ),
        ("transport.air_cost", "1e12", "1.1e12", cost),
        (
            "transport.patient_cost_per_km",
            "1e7",
            "2e7",
            "a number in [0, 1e7]",
        ),
        ("demand.unserved_penalty", "1e12", "1.1e12", cost),
        ("demand.in_vivo_growth", "-1", "-1.5", "a number in [-1, 1]"),
        ("demand.in_vivo_growth", "1", "1.5", "a number in [-1, 1]"),
        ("policy.min_utilization", "1", "1.5", "a number in [0, 1]"),
        (
            "policy.max_franchise_share",
            "1",
            "1.5",
            "a number in [0, 1]",
        ),
        ("horizon.discount_rate", "1", "1.5", "a number in [0, 1]"),
        (
            "horizon.growth",
            "1",
            "1.5",
            "a number in [-1, 1] (a yearly rate: 0.11 is 11 % a year)",
        ),
        (
            "horizon.lead_years",
            "50",
            "51",
            "a whole number from 0 to 50",
        ),
    ];
    let f = Fixture::new();
    for (key, ok, over, range) in cases {
        let o = validate_with(&f, &format!("{key}={ok}"));
        assert_eq!(o.code, Some(0), "{key}={ok}: {}", o.stderr);
        f.solve_fails_with(
            &["--set", &format!("{key}={over}")],
            &format!("E305 --set: column {key}: {over} is out of range: expected {range}"),
        );
    }
}

#[test]
fn e105_patients_beyond_the_solver_range_are_refused() {
    // 1e15 printed a saturated cost; 1e20 and 1e308 failed inside HiGHS
    for (value, expected) in [
        ("10000001", "expected a number in [0, 1e7]"),
        ("1e15", "expected a number in [0, 1e7]"),
        ("1e20", "expected a number in [0, 1e7]"),
        ("1e308", "expected a number in [0, 1e7]"),
    ] {
        let f = Fixture::new();
        f.edit(
            "demand.csv",
            "40.6517,-73.9550,41.0",
            &format!("40.6517,-73.9550,{value}"),
        );
        f.solve_fails_with(
            &[],
            &format!("E105 demand.csv:2: column patients: \"{value}\" is out of range: {expected}"),
        );
    }
    let f = Fixture::new();
    f.edit(
        "demand.csv",
        "40.6517,-73.9550,41.0",
        "40.6517,-73.9550,1e7",
    );
    let o = f.run(&["validate", "--data", "data", "--model", MODEL]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
}

#[test]
fn amortization_years_of_1e_300_is_refused_before_the_solver() {
    let f = Fixture::new();
    let text = fs::read_to_string(f.path(MODEL)).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("amortization_years"))
        .unwrap()
        + 1;
    let text = text.replacen("amortization_years = 10", "amortization_years = 1e-300", 1);
    fs::write(f.path(MODEL), text).unwrap();
    f.solve_fails_with(
        &[],
        &format!(
            "E305 models/baseline.toml:{line}: column site.amortization_years: 1e-300 is out of \
             range: expected a number in [1, 100]"
        ),
    );
}

#[test]
fn e105_every_csv_number_has_a_range_and_its_ends_are_accepted() {
    const MSK: &str = "H0117510021,2,,,,,";
    // (file, text, accepted, refused, the error)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "hospitals.csv",
            "-73.9407,200\n",
            "-73.9407,1e7\n",
            "-73.9407,10000001\n",
            "E105 hospitals.csv:3: column max_patients: \"10000001\" is out of range: expected a \
             number in [0, 1e7]",
        ),
        (
            "sites.csv",
            MSK,
            "H0117510021,1000,,1e12,1e12,1e6,",
            "H0117510021,1001,,,,,",
            "E105 sites.csv:2: column max_platforms: \"1001\" is out of range: expected a whole \
             number in [0, 1000]",
        ),
        (
            "sites.csv",
            MSK,
            "H0117510021,2,,1e12,,,",
            "H0117510021,2,,1.1e12,,,",
            "E105 sites.csv:2: column setup_cost_owned: \"1.1e12\" is out of range: expected a \
             number in [0, 1e12]",
        ),
        (
            "sites.csv",
            MSK,
            "H0117510021,2,,,1e12,,",
            "H0117510021,2,,,1.1e12,,",
            "E105 sites.csv:2: column setup_cost_franchise: \"1.1e12\" is out of range: expected \
             a number in [0, 1e12]",
        ),
        (
            "sites.csv",
            MSK,
            "H0117510021,2,,,,1e6,",
            "H0117510021,2,,,,1000001,",
            "E105 sites.csv:2: column batches_per_platform: \"1000001\" is out of range: expected \
             a number in (0, 1e6]",
        ),
    ];
    for (file, text, ok, bad, expected) in cases {
        let f = Fixture::new();
        f.edit(file, text, ok);
        let o = f.run(&["validate", "--data", "data", "--model", MODEL]);
        assert_eq!(o.code, Some(0), "{ok}: {}", o.stderr);
        let f = Fixture::new();
        f.edit(file, text, bad);
        f.solve_fails_with(&[], expected);
    }
}

#[test]
fn e105_lane_hours_and_cost_have_ranges() {
    let f = Fixture::new();
    f.write(
        "data/lanes.csv",
        "from,to,hours,cost\nH0117510021,S-NYP,1e9,1e12\n",
    );
    let o = f.run(&["validate", "--data", "data", "--model", MODEL]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    f.write(
        "data/lanes.csv",
        "from,to,hours,cost\nH0117510021,S-NYP,2e9,1\n",
    );
    f.solve_fails_with(
        &[],
        "E105 lanes.csv:2: column hours: \"2e9\" is out of range: expected a number in [0, 1e9]",
    );
    f.write(
        "data/lanes.csv",
        "from,to,hours,cost\nH0117510021,S-NYP,1,1.1e12\n",
    );
    f.solve_fails_with(
        &[],
        "E105 lanes.csv:2: column cost: \"1.1e12\" is out of range: expected a number in [0, 1e12]",
    );
}

#[test]
fn e105_growth_column_has_a_range() {
    let f = Fixture::new();
    let demand = "id,lat,lon,patients,growth\nD1,40.6517,-73.9550,41,GROWTH\n";
    f.write("data/demand.csv", &demand.replace("GROWTH", "1"));
    let o = f.run(&["validate", "--data", "data", "--model", MODEL]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    f.write("data/demand.csv", &demand.replace("GROWTH", "1.5"));
    f.solve_fails_with(
        &[],
        "E105 demand.csv:2: column growth: \"1.5\" is out of range: expected a number in [-1, 1]",
    );
}

#[test]
fn e105_demand_that_grows_past_the_range_over_the_horizon() {
    let f = Fixture::new();
    // 41 patients doubling for 49 years: 2.3e16 a year, past HiGHS's range
    f.solve_fails_with(
        &["--set", "horizon.years=50", "--set", "horizon.growth=1"],
        "E105 demand.csv: column patients: demand point \"D36047\" grows to 2.31e16 patients a \
         year by year 50 (41 patients, growth 1 a year): expected at most 1e7 a year in every \
         year; lower the growth or horizon.years (41 more demand points grow past it too)",
    );
    let demand = "id,lat,lon,patients,growth\nD1,40.6517,-73.9550,41,0.1\nD2,40.7,-73.9,5e6,0.5\n";
    f.write("data/demand.csv", demand);
    f.solve_fails_with(
        &["--set", "horizon.years=3"],
        "E105 demand.csv: column growth: demand point \"D2\" grows to 1.12e7 patients a year by \
         year 3 (5000000 patients, growth 0.5 a year): expected at most 1e7 a year in every year; \
         lower the growth or horizon.years",
    );
    let o = f.run(&[
        "validate",
        "--data",
        "data",
        "--model",
        MODEL,
        "--set",
        "horizon.years=2",
    ]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
}

#[test]
fn e105_sweep_point_whose_demand_grows_past_the_range() {
    Fixture::new().fails_with(
        &[
            "sweep",
            "--data",
            "data",
            "--model",
            MODEL,
            "--out",
            "out",
            "--set",
            "horizon.years=50",
            "--vary",
            "horizon.growth=0,1",
        ],
        "E105 demand.csv: column patients: demand point \"D36047\" grows to 2.31e16 patients a \
         year by year 50 (41 patients, growth 1 a year): expected at most 1e7 a year in every \
         year; lower the growth or horizon.years (41 more demand points grow past it too)",
    );
}
