//! Sweeps and evaluations in shards (`--shard K/N`, `sweep merge`, `evaluate merge`) through
//! the real binary: the merged outputs equal one run's, and every bad shard or shard set is
//! refused with its code, writing nothing. The sweeps use models/centralized.toml, which
//! solves the demo in hundredths of a second.

mod common;

use common::harness::{Out, ROOT, cartnet, run, sweep_csv_without_seconds as without_seconds};
use std::fs;
use std::path::{Path, PathBuf};

const CENTRAL: [&str; 2] = ["--model", "models/centralized.toml"];

fn sweep(out: &Path, vary: &str, extra: &[&str]) -> Out {
    run(cartnet()
        .arg("sweep")
        .args(CENTRAL)
        .args(["--vary", vary, "--jobs", "1", "--out"])
        .arg(out)
        .args(extra))
}

fn merge(command: &str, dirs: &[&Path], out: &Path) -> Out {
    run(cartnet()
        .args([command, "merge"])
        .args(dirs)
        .arg("--out")
        .arg(out))
}

#[track_caller]
fn ok(out: &Out) {
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
}

/// A refusal: exit 1, `code` first on stderr (after clap's prefix, for a flag), nothing on
/// stdout.
#[track_caller]
fn refused(out: &Out, code: &str) -> String {
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains(code), "expected {code}: {}", out.stderr);
    out.stderr.clone()
}

#[test]
fn bad_shards_each_have_their_code_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (shard, code, says) in [
        ("4/4", "E903", "4/4 is out of range"),
        ("0/0", "E902", "splits into no shards"),
        ("a/b", "E901", "is not of the form K/N"),
        ("1/", "E901", "is not of the form K/N"),
    ] {
        let r = sweep(&out, "site.setup_cost_owned=1e6,2e6", &["--shard", shard]);
        assert!(refused(&r, code).contains(says), "{}", r.stderr);
        assert!(!out.exists(), "--shard {shard} wrote {}", out.display());
    }
    let r = run(cartnet()
        .args(["evaluate", "plan.json", "--shard", "2/2"])
        .arg("--out")
        .arg(&out));
    refused(&r, "E903");
    // --plans only with --shard
    let r = sweep(&out, "site.setup_cost_owned=1e6,2e6", &["--plans"]);
    refused(&r, "--shard <K/N>");
    assert!(!out.exists());
}

#[test]
fn shards_of_a_small_sweep_merge_into_one_runs_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let (one, shards) = (dir.path().join("one"), dir.path().join("shards"));
    let vary = "site.setup_cost_owned=1e6..3e6/3";
    ok(&sweep(&one, vary, &[]));
    // five shards of three points: shards 3 and 4 hold no point, and are a header alone
    for k in 0..5 {
        ok(&sweep(
            &shards,
            vary,
            &["--shard", &format!("{k}/5"), "--plans"],
        ));
    }
    let empty = fs::read_to_string(shards.join("shard-4-of-5.csv")).unwrap();
    let lines: Vec<&str> = empty.lines().filter(|l| !l.starts_with("# ")).collect();
    assert_eq!(lines.len(), 1, "an empty shard is its header: {empty}");
    assert!(empty.contains("# digest: \"fnv1a64:"), "{empty}");
    let merged = merge("sweep", &[&shards], &shards);
    ok(&merged);
    assert!(
        merged.stdout.contains("3 scenarios merged from 5 shards"),
        "{}",
        merged.stdout
    );
    assert_eq!(
        without_seconds(&shards.join("sweep.csv")),
        without_seconds(&one.join("sweep.csv"))
    );
    for file in ["sweep.svg", "sweep.html"] {
        assert_eq!(
            fs::read_to_string(shards.join(file)).unwrap(),
            fs::read_to_string(one.join(file)).unwrap(),
            "the merged {file} differs from one run's"
        );
    }
    // merged elsewhere, the plan folders are pointed at from there
    let elsewhere = dir.path().join("merged");
    ok(&merge("sweep", &[&shards], &elsewhere));
    let text = fs::read_to_string(elsewhere.join("sweep.csv")).unwrap();
    assert!(text.contains(",../shards/plans/001_"), "{text}");
}

/// Shards 0 and 1 of 2 of a two-point sweep, each in its own folder.
fn two_shards(dir: &Path, data: Option<&Path>) -> [PathBuf; 2] {
    let vary = "site.setup_cost_owned=1e6,2e6";
    let mut extra: Vec<String> = Vec::new();
    if let Some(d) = data {
        extra = vec!["--data".into(), d.display().to_string()];
    }
    let folders = [dir.join("a"), dir.join("b")];
    for (k, f) in folders.iter().enumerate() {
        let mut args: Vec<&str> = extra.iter().map(String::as_str).collect();
        let shard = format!("{k}/2");
        args.extend(["--shard", &shard]);
        ok(&sweep(f, vary, &args));
    }
    folders
}

/// A copy of the demo's data with one byte more in demand.csv (another digest).
fn changed_data(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    fs::create_dir_all(&data).unwrap();
    for f in ["demand.csv", "hospitals.csv", "sites.csv"] {
        fs::copy(Path::new(ROOT).join("data/demo").join(f), data.join(f)).unwrap();
    }
    let mut demand = fs::read_to_string(data.join("demand.csv")).unwrap();
    demand.push('\n');
    fs::write(data.join("demand.csv"), demand).unwrap();
    data
}

#[test]
fn merge_names_the_missing_the_duplicate_and_the_mismatching_shard() {
    let dir = tempfile::tempdir().unwrap();
    let [a, b] = two_shards(dir.path(), None);
    let out = dir.path().join("out");
    let e = refused(&merge("sweep", &[&a], &out), "E905");
    assert!(e.contains("1 of 2 is missing: shard-1-of-2.csv"), "{e}");
    let copy = dir.path().join("copy");
    fs::create_dir_all(&copy).unwrap();
    fs::copy(b.join("shard-1-of-2.csv"), copy.join("shard-1-of-2.csv")).unwrap();
    let e = refused(&merge("sweep", &[&a, &b, &copy], &out), "E906");
    assert!(e.contains("shard 1 of 2 is given twice"), "{e}");
    assert!(
        e.contains(&copy.join("shard-1-of-2.csv").display().to_string()),
        "{e}"
    );
    let other = dir.path().join("other");
    let [_, b2] = two_shards(&other, Some(&changed_data(dir.path())));
    let e = refused(&merge("sweep", &[&a, &b2], &out), "E907");
    assert!(
        e.contains(&format!(
            "{} is not of the same run as {}: its digest differs",
            b2.join("shard-1-of-2.csv").display(),
            a.join("shard-0-of-2.csv").display()
        )),
        "{e}"
    );
    let e = refused(&merge("sweep", &[dir.path()], &out), "E905");
    assert!(e.contains("no shard files"), "{e}");
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
    // a shard of these into b2's folder, of another digest
    let r = sweep(&b2, "site.setup_cost_owned=1e6,2e6", &["--shard", "0/2"]);
    let e = refused(&r, "E904");
    assert!(
        e.contains("is a shard of another run (digest differs)"),
        "{e}"
    );
    assert!(!b2.join("shard-0-of-2.csv").exists());
}

#[test]
fn an_evaluation_in_shards_equals_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let solved = dir.path().join("plan");
    ok(&run(cartnet()
        .arg("solve")
        .args(CENTRAL)
        .arg("--out")
        .arg(&solved)));
    let plan = solved.join("plan.json");
    // 20 sampled futures: shard 0 of 2 gets the warm-start chains 1-8 and 17-20, shard 1 9-16
    let base = fs::read_to_string(Path::new(ROOT).join("models/centralized.toml")).unwrap();
    let sampled = dir.path().join("sampled.toml");
    fs::write(
        &sampled,
        format!(
            "{base}\n[uncertainty]\nsamples = 20\nseed = 3\n\
             \"demand.scale\" = {{ dist = \"lognormal\", median = 1.0, sigma = 0.3 }}\n"
        ),
    )
    .unwrap();
    let evaluate = |out: &Path, extra: &[&str]| {
        run(cartnet()
            .arg("evaluate")
            .arg(&plan)
            .arg("--model")
            .arg(&sampled)
            .args(["--jobs", "1", "--out"])
            .arg(out)
            .args(extra))
    };
    let one = dir.path().join("one");
    let alone = evaluate(&one, &[]);
    ok(&alone);
    let shards = dir.path().join("shards");
    for k in 0..2 {
        ok(&evaluate(&shards, &["--shard", &format!("{k}/2")]));
    }
    let merged_out = dir.path().join("merged");
    let merged = merge("evaluate", &[&shards], &merged_out);
    ok(&merged);
    assert_eq!(
        fs::read_to_string(merged_out.join("evaluation.csv")).unwrap(),
        fs::read_to_string(one.join("evaluation.csv")).unwrap()
    );
    let printed = |o: &Out, out: &Path| o.stdout.replace(&out.display().to_string(), "OUT");
    assert_eq!(printed(&merged, &merged_out), printed(&alone, &one));
    assert!(
        alone.stdout.contains("expected cost: $"),
        "{}",
        alone.stdout
    );
    // sweep shards are no evaluation's
    let sweep_shards = two_shards(dir.path(), None);
    let e = refused(
        &merge(
            "evaluate",
            &[&sweep_shards[0], &sweep_shards[1]],
            &merged_out,
        ),
        "E908",
    );
    assert!(e.contains("is not an evaluation's shard"), "{e}");
}
