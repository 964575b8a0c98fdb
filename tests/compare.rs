//! `cartnet compare`, end to end through the real binary: the figures of compare.csv against the
//! two plan files read independently, what is refused (plans of two instances, E620; plans of
//! different kinds, E621) and what `--force` allows, two-stage plans, and a plan against itself.
//! The maps of compare.html are measured in the browser in tests/maps.rs.

mod common;

use common::{ROOT, compare_plans, read_plan, solve_into};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tempfile::TempDir;

/// The centralized scenario, which solves in a fraction of a second, as `--model=FILE`.
const CENTRAL: &str = "--model=models/centralized.toml";

/// The baseline and centralized plans of the demo, solved once for this file's tests.
fn plans() -> &'static (TempDir, PathBuf, PathBuf) {
    static PLANS: OnceLock<(TempDir, PathBuf, PathBuf)> = OnceLock::new();
    PLANS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let a = solve_into(dir.path(), "base", &["--model", "models/baseline.toml"]);
        let b = solve_into(dir.path(), "cent", &["--model", "models/centralized.toml"]);
        (dir, a, b)
    })
}

/// compare.csv as (section, id) -> (a, b, change).
fn read_csv(path: &Path) -> BTreeMap<(String, String), (String, String, String)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        r.headers().unwrap(),
        vec!["section", "id", "a", "b", "change"]
    );
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                (x[0].to_string(), x[1].to_string()),
                (x[2].to_string(), x[3].to_string(), x[4].to_string()),
            )
        })
        .collect()
}

/// The open sites of a plan.
fn open_sites(plan: &Value) -> BTreeSet<String> {
    plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "closed")
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// Each hospital's serving sites in a one-year plan.
fn serving(plan: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in plan["batch_flows"].as_array().unwrap() {
        if f["batches"].as_f64().unwrap() > 1e-6 {
            m.entry(f["hospital"].as_str().unwrap().into())
                .or_default()
                .insert(f["site"].as_str().unwrap().into());
        }
    }
    m
}

#[test]
fn baseline_against_centralized_matches_the_plans() {
    let (dir, a, b) = plans();
    let out = dir.path().join("cmp");
    let r = compare_plans(a, b, &out, &[]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let (pa, pb) = (read_plan(a), read_plan(b));
    let rows = read_csv(&out.join("compare.csv"));
    // every cost line and KPI, with B - A
    for (section, key) in [("cost", "cost"), ("kpi", "kpis")] {
        for (name, va) in pa[key].as_object().unwrap() {
            let (x, y, d) = &rows[&(section.to_string(), name.clone())];
            let (va, vb) = (va.as_f64().unwrap(), pb[key][name].as_f64().unwrap());
            let (x, y, d): (f64, f64, f64) =
                (x.parse().unwrap(), y.parse().unwrap(), d.parse().unwrap());
            assert!((x - va).abs() < 1e-6 && (y - vb).abs() < 1e-6, "{name}");
            assert!(
                (d - (vb - va)).abs() < 1e-6,
                "{name}: {d} is not {vb} - {va}"
            );
        }
    }
    // the sites closed and opened, as the plans have them
    let (oa, ob) = (open_sites(&pa), open_sites(&pb));
    let changed = |what: &str| -> BTreeSet<String> {
        rows.iter()
            .filter(|((s, _), (_, _, c))| s == "site" && c == what)
            .map(|((_, id), _)| id.clone())
            .collect()
    };
    assert_eq!(changed("closed"), oa.difference(&ob).cloned().collect());
    assert_eq!(changed("opened"), ob.difference(&oa).cloned().collect());
    assert!(!changed("closed").is_empty());
    // the hospitals whose serving sites differ
    let (sa, sb) = (serving(&pa), serving(&pb));
    let ids: BTreeSet<&String> = sa.keys().chain(sb.keys()).collect();
    let moved: BTreeSet<String> = ids
        .into_iter()
        .filter(|h| sa.get(*h) != sb.get(*h))
        .cloned()
        .collect();
    let listed: BTreeSet<String> = rows
        .keys()
        .filter(|(s, _)| s == "hospital")
        .map(|(_, id)| id.clone())
        .collect();
    assert_eq!(listed, moved);
    assert!(
        r.stdout
            .contains(&format!("sites closed in B ({})", changed("closed").len()))
    );
    // the page: both maps over the demo's borders, and no script
    let page = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert_eq!(page.matches("<svg class=\"mapsvg\"").count(), 2);
    assert_eq!(page.matches("<g class=\"basemap\"><path").count(), 2);
    assert!(!page.contains("<script") && !page.contains("role=\"alert\""));
}

#[test]
fn a_plan_against_itself_changes_nothing() {
    let (dir, a, _) = plans();
    let out = dir.path().join("same");
    let r = compare_plans(a, a, &out, &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for (k, (_, _, change)) in read_csv(&out.join("compare.csv")) {
        assert!(k.0 == "cost" || k.0 == "kpi", "{k:?} changed");
        assert_eq!(change, "0", "{k:?}");
    }
}

#[test]
fn plans_of_two_instances_are_refused_unless_forced() {
    let (dir, a, b) = plans();
    let mut other = read_plan(b);
    other["instance"]["digest"] = "fnv1a64:0000000000000000".into();
    let other_path = dir.path().join("other.json");
    std::fs::write(&other_path, other.to_string()).unwrap();
    let out = dir.path().join("refused");
    let r = compare_plans(a, &other_path, &out, &[]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.starts_with("E620 "), "{}", r.stderr);
    assert!(!out.exists(), "nothing is written");
    let r = compare_plans(a, &other_path, &out, &["--force"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let page = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(page.contains("role=\"alert\""), "a forced page says so");
}

#[test]
fn plans_of_different_kinds_are_refused() {
    let (dir, a, _) = plans();
    let years = solve_into(dir.path(), "years", &[CENTRAL, "--set", "horizon.years=2"]);
    let out = dir.path().join("kinds");
    let r = compare_plans(a, &years, &out, &[]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.starts_with("E621 "), "{}", r.stderr);
    assert!(r.stderr.contains("2-year plan"), "{}", r.stderr);
    assert!(!out.exists());
    // two multi-year plans of one length compare: net present values, the final year's sites
    let again = solve_into(
        dir.path(),
        "years2",
        &[
            CENTRAL,
            "--set",
            "horizon.years=2",
            "--set",
            "batch.cost_owned=130000",
        ],
    );
    let r = compare_plans(&years, &again, &out, &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("net present value"), "{}", r.stdout);
}

#[test]
fn two_stage_plans_compare_their_designs_and_expected_costs() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = Path::new(ROOT).join("examples/demo_scenarios.csv");
    let s = scenarios.to_str().unwrap();
    let args = ["--model", "models/centralized.toml", "--scenarios", s];
    let a = solve_into(dir.path(), "a", &args);
    let b = solve_into(
        dir.path(),
        "b",
        &[&args[..], &["--set", "site.max_platforms=25"]].concat(),
    );
    let out = dir.path().join("cmp");
    let r = compare_plans(&a, &b, &out, &[]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("USD a year, expected"), "{}", r.stdout);
    assert!(r.stdout.contains("hospitals: not compared"), "{}", r.stdout);
    let rows = read_csv(&out.join("compare.csv"));
    let (pa, pb) = (read_plan(&a), read_plan(&b));
    let total = &rows[&("cost".to_string(), "total".to_string())];
    let d: f64 = total.2.parse().unwrap();
    let want = pb["cost"]["total"].as_f64().unwrap() - pa["cost"]["total"].as_f64().unwrap();
    assert!((d - want).abs() < 1e-6);
}
