//! Issue #15, the solver's items: plans that fail their own verification (item 0), `--threads`
//! out of range (item 8, E402), the whole time limit used (item 9), HiGHS options and failures
//! (item 11, E403 and E701 with exit 4). Every test runs the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXIT_INPUT: i32 = 1;
const EXIT_SOLVER: i32 = 4;

fn cartnet() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cartnet"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The first line of stderr, which names the error.
fn first_line(o: &Output) -> String {
    stderr(o).lines().next().unwrap_or("").to_string()
}

/// Runs `cartnet ARGS --out OUT` (OUT a fresh folder in `work`) and returns its output and OUT.
fn run_into(work: &Path, name: &str, args: &[&str]) -> (Output, PathBuf) {
    let out = work.join(name);
    let o = cartnet()
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    (o, out)
}

/// Item 8: every command that takes `--threads` checks it before doing anything (HiGHS starts
/// every thread it is given: 4096 took 17 s of a 3 s limit).
#[test]
fn threads_out_of_range_is_e402_before_anything_runs() {
    let work = tempfile::tempdir().unwrap();
    let commands: [&[&str]; 3] = [
        &["solve", "--time-limit", "3"],
        &[
            "sweep",
            "--vary",
            "site.setup_cost_owned=1e6,2e6",
            "--time-limit",
            "5",
        ],
        &["bench", "--suite", "scale", "--time-limit", "3"],
    ];
    for (i, command) in commands.iter().enumerate() {
        for n in ["0", "257", "4096", "100000"] {
            let mut args = command.to_vec();
            args.extend(["--threads", n]);
            let (o, out) = run_into(work.path(), &format!("{i}-{n}"), &args);
            assert_eq!(
                o.status.code(),
                Some(EXIT_INPUT),
                "{args:?}: {}",
                stderr(&o)
            );
            assert_eq!(
                first_line(&o),
                format!(
                    "E402 --threads: {n} is out of range: expected a whole number from 1 to 256"
                ),
                "{args:?}"
            );
            assert!(!out.exists(), "{args:?} wrote {}", out.display());
        }
    }
}

/// Item 11: an option HiGHS does not have, or a value it does not take, is a usage error found
/// before anything is loaded or solved (it was exit 3, "no solution", after the model build).
#[test]
fn a_highs_option_highs_does_not_take_is_e403_exit_1() {
    let work = tempfile::tempdir().unwrap();
    let cases = [
        (
            "foo=1",
            "E403 --highs-option: \"foo\" is not a HiGHS option (the options are listed at \
             https://ergo-code.github.io/HiGHS/stable/options/definitions/)",
        ),
        (
            "mip_rel_gap=abc",
            "E403 --highs-option: mip_rel_gap: \"abc\" is not a number",
        ),
        (
            "random_seed=1.5",
            "E403 --highs-option: random_seed: \"1.5\" is not a whole number",
        ),
        (
            "mip_rel_gap=-1",
            "E403 --highs-option: mip_rel_gap: HiGHS does not accept the value \"-1\" (out of \
             the option's range, or not one of its words)",
        ),
        (
            "presolve=sometimes",
            "E403 --highs-option: presolve: HiGHS does not accept the value \"sometimes\" (out \
             of the option's range, or not one of its words)",
        ),
    ];
    for (i, (option, message)) in cases.iter().enumerate() {
        let (o, out) = run_into(
            work.path(),
            &format!("o{i}"),
            &["solve", "--highs-option", option],
        );
        assert_eq!(
            o.status.code(),
            Some(EXIT_INPUT),
            "{option}: {}",
            stderr(&o)
        );
        assert_eq!(first_line(&o), *message, "{option}");
        assert!(!out.exists(), "{option} wrote {}", out.display());
    }
    // a value of the option's own type is taken as it is (an int for a double option too)
    let (o, out) = run_into(
        work.path(),
        "ok",
        &[
            "solve",
            "--highs-option",
            "mip_heuristic_effort=1",
            "--gap",
            "0.01",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.join("plan.json").is_file());
}

/// Item 11: HiGHS failing (here: told to read a start from a file that is not there) is a
/// solver failure, E701 and exit 4, not "no solution within the limit" (exit 3).
#[test]
fn a_highs_failure_is_e701_exit_4_and_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let missing = work.path().join("missing.sol");
    let option = format!("read_solution_file={}", missing.display());
    let (o, out) = run_into(work.path(), "out", &["solve", "--highs-option", &option]);
    assert_eq!(o.status.code(), Some(EXIT_SOLVER), "{}", stderr(&o));
    assert_eq!(
        first_line(&o),
        "E701 HiGHS failed: its run ended with status Error; run with -v to see why in its log \
         (highs.log); nothing was written."
    );
    assert!(!out.exists(), "wrote {}", out.display());
}

/// The tests that solve for seconds run one at a time, so that one's timing is not another's
/// load.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

/// `cartnet import orlib-cap FILE --capacity C --out DIR` from ../shared/bench/orlib-cap.
fn import_orlib(work: &Path, name: &str, capacity: &str) -> PathBuf {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/bench/orlib-cap")
        .join(format!("{name}.txt"));
    let dir = work.join(format!("{name}-{capacity}"));
    let o = cartnet()
        .args(["import", "orlib-cap"])
        .arg(&file)
        .args(["--capacity", capacity, "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    dir
}

/// Each hospital's sites in the plan's batch flows, and the sites the plan lists as closed.
fn sources_and_closed(plan: &serde_json::Value) -> (Vec<(String, usize)>, Vec<String>) {
    let mut sites: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for f in plan["batch_flows"].as_array().unwrap() {
        sites
            .entry(f["hospital"].as_str().unwrap().to_string())
            .or_default()
            .insert(f["site"].as_str().unwrap().to_string());
    }
    let closed = plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "closed")
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    (
        sites.into_iter().map(|(h, s)| (h, s.len())).collect(),
        closed,
    )
}

/// Item 0: under a time limit with single sourcing, capb at capacity 8000 and capc at 5750 wrote
/// "feasible" plans their own `verify` rejected (batches of 2e-6 to 8e-6 to closed sites, so
/// hospitals split over two sites). Each run must now write a plan that holds, with each
/// hospital on one open site: a plan whose flows stayed wrong would be refused by the check
/// before writing (E702, exit 4), which fails this test too. Before this change capb found no
/// plan in 20 s (the branch and bound got half of what the cutting-plane rounds left, and
/// stopped at 17.0 s); now its first plan comes from the repair of the rounds' LP point, which
/// ends by 75 % of the search (a plan at a 15 s limit too, so 20 s leaves a margin for load).
#[test]
fn single_source_capb_and_capc_under_a_time_limit_write_plans_that_hold() {
    let _one = heavy();
    let work = tempfile::tempdir().unwrap();
    for (name, capacity) in [("capb", "8000"), ("capc", "5750")] {
        let data = import_orlib(work.path(), name, capacity);
        let out = work.path().join(format!("out-{name}"));
        let o = cartnet()
            .args(["solve", "--data"])
            .arg(&data)
            .arg("--model")
            .arg(data.join("scenario.toml"))
            .args(["--set", "policy.single_sourcing=true", "--time-limit", "20"])
            .arg("--verify")
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let what = format!("{name}-{capacity}: {}", stderr(&o));
        match o.status.code() {
            Some(0) => {
                let text = std::fs::read_to_string(out.join("plan.json")).unwrap();
                let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
                let (sources, closed) = sources_and_closed(&plan);
                assert!(sources.iter().all(|(_, n)| *n == 1), "{what}: {sources:?}");
                let into_closed: Vec<&serde_json::Value> = plan["batch_flows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| closed.iter().any(|c| f["site"] == c.as_str()))
                    .collect();
                assert!(into_closed.is_empty(), "{what}: {into_closed:?}");
                assert!(String::from_utf8_lossy(&o.stdout).contains("the plan holds"));
            }
            other => panic!("{what}: exit {other:?}"),
        }
    }
}

/// Item 9: a run that cannot reach its gap uses its whole time limit and ends within 2 % of it.
/// The instance (generated, seed 2, single sourcing) has 12,000 cell arcs, so the cutting-plane
/// rounds run first; its gap stays above 2 % for minutes. Before the fix HiGHS was given half of
/// what the rounds left, and the run ended after 10.8 s of 15.
///
/// The window is [0.98 L, 1.02 L + 0.5 s]. The lower end is exact: the search alone runs to 0.98 L
/// from the command's start. The upper end allows the 2 % kept for the plan (deriving its flows,
/// the check, the files: about 0.1 s here), and 0.5 s for what the limit's clock does not see or
/// cannot stop at once: the process start before the clock, HiGHS's reaction to the interrupt
/// (it checks between nodes), and a 2-core machine shared with other builds and tests.
#[test]
fn a_run_that_cannot_reach_its_gap_ends_within_2_percent_of_its_limit() {
    const LIMIT_SECONDS: f64 = 15.0;
    const SLACK_SECONDS: f64 = 0.5;
    let _one = heavy();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("g150");
    let g = cartnet()
        .args([
            "generate",
            "--demand",
            "1000",
            "--hospitals",
            "150",
            "--sites",
            "80",
        ])
        .args(["--seed", "2", "--out"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", stderr(&g));
    let began = std::time::Instant::now();
    let (o, out) = run_into(
        work.path(),
        "out",
        &[
            "solve",
            "--data",
            data.to_str().unwrap(),
            "--set",
            "policy.single_sourcing=true",
            "--time-limit",
            &LIMIT_SECONDS.to_string(),
        ],
    );
    let wall = began.elapsed().as_secs_f64();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("plan.json")).unwrap();
    let plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(plan["solver"]["status"], "feasible", "the gap was reached");
    assert!(
        (0.98 * LIMIT_SECONDS..=1.02 * LIMIT_SECONDS + SLACK_SECONDS).contains(&wall),
        "ended after {wall:.2} s of {LIMIT_SECONDS} s"
    );
}
