//! Single sourcing (`policy.single_sourcing = true`) on the real binary: a tiny instance where
//! the multi-source optimum splits a customer, so the single-source search must move it whole.

mod common;

use common::harness::{assert_rel, cartnet, read_plan, run};
use std::path::Path;

/// Two facilities of capacity 10 and fixed cost 100; customers A and B of demand 6 each. Serving
/// all of A costs 6 from F1 and 60 from F2; all of B, 6 from F1 and 12 from F2.
/// Multi-source: both open (12 > 10), F1 takes A and 4 of B (6 + 4/6 * 6 = 10), F2 the other
/// 2 of B (2/6 * 12 = 4): 200 + 14 = 214, B split.
/// Single-source: one facility cannot take both (12 > 10); A to F1 and B to F2 costs
/// 200 + 6 + 12 = 218, A to F2 and B to F1 costs 200 + 60 + 6 = 266: the optimum is 218.
const TINY: &str = "2 2\n10 100\n10 100\n6\n6 60\n6\n6 12\n";

/// Imports `text` (OR-Library format) into `dir` and solves it with `args` added; the plan.
fn solve_tiny(dir: &Path, name: &str, args: &[&str]) -> serde_json::Value {
    let file = dir.join("tiny.txt");
    std::fs::write(&file, TINY).unwrap();
    let data = dir.join("tiny");
    if !data.exists() {
        let r = run(cartnet()
            .args(["import", "orlib-cap"])
            .arg(&file)
            .arg("--out")
            .arg(&data));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
    }
    let out = dir.join(name);
    let r = run(cartnet()
        .arg("solve")
        .arg("--data")
        .arg(&data)
        .arg("--model")
        .arg(data.join("scenario.toml"))
        .args(args)
        .arg("--verify")
        .arg("--out")
        .arg(&out));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    read_plan(&out.join("plan.json"))
}

#[test]
fn the_split_customer_moves_whole_and_the_optimum_is_proven() {
    let work = tempfile::tempdir().unwrap();
    let multi = solve_tiny(work.path(), "multi", &[]);
    assert_rel(
        multi["cost"]["total"].as_f64().unwrap(),
        214.0,
        1e-9,
        "multi-source",
    );
    let single = solve_tiny(
        work.path(),
        "single",
        &["--set", "policy.single_sourcing=true"],
    );
    assert_eq!(single["solver"]["status"], "optimal");
    assert_rel(
        single["cost"]["total"].as_f64().unwrap(),
        218.0,
        1e-9,
        "single-source",
    );
    let flows = single["batch_flows"].as_array().unwrap();
    let to = |h: &str| -> Vec<&str> {
        flows
            .iter()
            .filter(|f| f["hospital"] == h && f["batches"].as_f64().unwrap() > 0.0)
            .map(|f| f["site"].as_str().unwrap())
            .collect()
    };
    assert_eq!(to("H1"), ["F1"]);
    assert_eq!(to("H2"), ["F2"]);
}
