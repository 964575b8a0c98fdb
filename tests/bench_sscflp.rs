//! `cartnet bench --suite sscflp` on a hand-made folder (an instance and a README table of its
//! optimum) and `--single-source`'s checks: the real binary, seconds each.

mod common;
use common::{cartnet, run};
use std::path::Path;

/// Three facilities of capacity 10 (opening 1, 100, 100), three customers of demand 6: one
/// customer per facility, so all three open: 201 + 1 + 10 + 10 = 222 (tests/sscflp.rs).
const HAND: &str = "3 3\n10 10 10\n1 100 100\n6 6 6\n1 10 10\n1 10 10\n1 10 10\n";

fn folder(dir: &Path, optimum: &str) {
    std::fs::write(dir.join("h1"), HAND).unwrap();
    let table =
        format!("| instance | I x J | optimum |\n|---|---|---|\n| h1 | 3x3 | {optimum} |\n");
    std::fs::write(dir.join("README.md"), table).unwrap();
}

fn bench(dir: &Path) -> common::Out {
    run(cartnet()
        .args([
            "bench",
            "--suite",
            "sscflp",
            "--time-limit",
            "30",
            "--sscflp",
        ])
        .arg(dir))
}

#[test]
fn the_published_optimum_is_reached_and_a_wrong_one_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    folder(dir.path(), "222");
    let out = bench(dir.path());
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    let row = out
        .stdout
        .lines()
        .find(|l| l.starts_with("sscflp"))
        .unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[1], "h1");
    assert_eq!(cells[8], "optimal", "{row}");
    assert_eq!(cells[9], "222.000", "{row}");
    // settled by the relaxation before any branch and bound: no nodes
    assert_eq!(cells[12], "-", "{row}");
    assert_eq!(cells[13], "222.000", "{row}");
    // proven optimal at 222 against a published 200: a contradiction, exit 1
    folder(dir.path(), "200");
    let out = bench(dir.path());
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("the published optimum is contradicted"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.ends_with(": h1\n"), "{}", out.stderr);
}

/// OR-Library cap64 as a single-source problem needs the branch and bound over plans: its row
/// shows the nodes it visited, and so does the CSV's last column.
#[test]
fn the_single_source_tree_reports_its_nodes() {
    let Some(dir) = common::orlib_dir_or_skip() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let csv = work.path().join("bench.csv");
    let out = run(common::single_source_bench(&dir, "cap64", "30")
        .arg("--out")
        .arg(&csv));
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    let row = out.stdout.lines().find(|l| l.contains("cap64")).unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[8], "optimal", "{row}");
    let nodes: usize = cells[12].parse().unwrap_or_else(|_| panic!("{row}"));
    assert!(nodes > 0, "{row}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().ends_with(",rel_diff,nodes"), "{text}");
    assert!(
        lines.next().unwrap().ends_with(&format!(",{nodes}")),
        "{text}"
    );
}

#[test]
fn a_folder_without_the_table_is_e512() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# instances\n").unwrap();
    let out = bench(dir.path());
    assert_eq!(out.code, Some(1));
    let readme = dir.path().join("README.md");
    assert!(
        out.stderr.starts_with(&format!(
            "error: E512 --sscflp: {} has no table of optima",
            readme.display()
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn single_source_is_for_the_orlib_suite() {
    let out = run(cartnet().args(["bench", "--suite", "scale", "--single-source"]));
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.starts_with("E513 --single-source:"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}
