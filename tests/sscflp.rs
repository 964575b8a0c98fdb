//! `cartnet import sscflp`: the real binary imports a small hand-made single-source instance,
//! solves it to the single-source optimum (which is not the multi-source one), and refuses a
//! malformed file with its line, writing nothing; and it proves Yang p1 (../shared/bench) at
//! its published optimum. The whole set is `cartnet bench --suite sscflp`.

mod common;
use common::{import, read_plan, solve_imported};
use std::collections::HashSet;

/// Three facilities of capacity 10 (opening costs 1, 100, 100) and three customers of demand 6.
/// Facility 1 serves any customer for 1, the others for 10. A facility holds one customer
/// (12 > 10), so single sourcing opens all three: 1 + 100 + 100 + 1 + 10 + 10 = 222. Split
/// demand would open two for 116 (facility 1 takes customer 1 and 4/6 of customer 2).
const HAND: &str = "3 3\n10 10 10\n1 100 100\n6 6 6\n1 10 10\n1 10 10\n1 10 10\n";
const SINGLE_SOURCE_OPTIMUM: f64 = 222.0;

#[test]
fn a_hand_made_instance_solves_to_its_single_source_optimum() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hand");
    std::fs::write(&file, HAND).unwrap();
    let data = dir.path().join("data");
    let out = import("sscflp", &file, &data);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.contains("3 facilities, 3 customers"),
        "{}",
        out.stdout
    );
    let scenario = std::fs::read_to_string(data.join("scenario.toml")).unwrap();
    assert!(scenario.contains("single_sourcing = true"), "{scenario}");

    let plan_dir = dir.path().join("out");
    let out = solve_imported(&data, &plan_dir, &["--verify"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    proven_single_sourced(&plan_dir, SINGLE_SOURCE_OPTIMUM, 3);
}

/// The plan in `plan_dir` is proven optimal at `optimum`, each of its `customers` served by
/// one site.
fn proven_single_sourced(plan_dir: &std::path::Path, optimum: f64, customers: usize) {
    let plan = read_plan(&plan_dir.join("plan.json"));
    assert_eq!(plan["solver"]["status"], "optimal");
    let total = plan["cost"]["total"].as_f64().unwrap();
    assert!(
        (total - optimum).abs() < 0.01,
        "total {total}, expected {optimum}"
    );
    let flows = plan["batch_flows"].as_array().unwrap();
    let hospitals: HashSet<&str> = flows
        .iter()
        .map(|f| f["hospital"].as_str().unwrap())
        .collect();
    assert_eq!(hospitals.len(), customers);
    assert_eq!(
        flows.len(),
        customers,
        "a customer is served by two sites: {flows:?}"
    );
}

/// Yang p1 (30 facilities, 200 customers): proven at the optimum the folder's README
/// publishes, each customer served by one site, the plan checked by `--verify`. A few
/// seconds on two cores; the limit is far above that so a loaded machine still proves it.
#[test]
fn yang_p1_is_proven_at_its_published_optimum() {
    let Some(dir) = common::sscflp_dir_or_skip() else {
        return;
    };
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let published = cartnet::import::sscflp::published_optima(&readme);
    let (_, optimum) = published
        .iter()
        .find(|(name, _)| name == "p1")
        .expect("p1 in the table");
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("p1");
    let out = import("sscflp", &dir.join("p1"), &data);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let plan_dir = work.path().join("out");
    let out = solve_imported(&data, &plan_dir, &["--verify", "--time-limit", "600"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    proven_single_sourced(&plan_dir, *optimum, 200);
}

#[test]
fn a_malformed_file_is_refused_with_its_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad");
    // a stray number after the last row of costs
    std::fs::write(&file, format!("{HAND}7\n")).unwrap();
    let data = dir.path().join("data");
    let out = import("sscflp", &file, &data);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "E007 {}:8: unexpected \"7\" after the last customer's costs",
            file.display()
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("nothing was written"), "{}", out.stderr);
    assert!(!data.join("demand.csv").exists());
}
