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
