//! The Lagrangian relaxation (`--lagrangian on`) may only change how fast a plan is proven: on
//! models it covers, with several operating models, several platforms per site, failure rates,
//! an existing plant, unserved penalties or full coverage, the optimum must be the plain
//! solve's, and the plan must pass `--verify`.
//!
//! The relaxation does not cover hospital capacities, so the instances here are the demo and a
//! generated instance with the `max_patients` column removed.

mod common;

use common::{ROOT, assert_rel, cartnet, run};
use serde_json::Value;
use std::path::Path;

/// Copies the CSVs of `from` into `to`, without hospitals.csv's `max_patients` column.
fn without_hospital_capacities(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for name in ["demand.csv", "sites.csv", "lanes.csv"] {
        if from.join(name).exists() {
            std::fs::copy(from.join(name), to.join(name)).unwrap();
        }
    }
    let mut reader = csv::Reader::from_path(from.join("hospitals.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let drop = header.iter().position(|h| h == "max_patients");
    let mut writer = csv::Writer::from_path(to.join("hospitals.csv")).unwrap();
    let keep = |r: &csv::StringRecord| -> Vec<String> {
        r.iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != drop)
            .map(|(_, v)| v.to_string())
            .collect()
    };
    writer.write_record(keep(&header)).unwrap();
    for r in reader.records() {
        writer.write_record(keep(&r.unwrap())).unwrap();
    }
    writer.flush().unwrap();
}

/// Solves `data` with `--lagrangian off` and `on` (and `extra`), both verified; returns the
/// two plans.
fn both(data: &Path, extra: &[&str]) -> [Value; 2] {
    ["off", "on"].map(|lagrangian| {
        let out = data.with_file_name(format!(
            "{}-out-{lagrangian}",
            data.file_name().unwrap().to_string_lossy()
        ));
        let o = run(cartnet()
            .arg("solve")
            .arg("--data")
            .arg(data)
            .args(["--lagrangian", lagrangian, "--verify", "--out"])
            .arg(&out)
            .args(extra));
        assert_eq!(o.code, Some(0), "lagrangian {lagrangian}: {}", o.stderr);
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap()
    })
}

fn assert_same_optimum(plans: &[Value; 2], what: &str) {
    for p in plans {
        assert_eq!(p["solver"]["status"], "optimal", "{what}");
    }
    // it ran (and said what it did) only when asked to
    assert!(plans[0]["solver"].get("lagrangian").is_none(), "{what}");
    let l = &plans[1]["solver"]["lagrangian"];
    assert!(l["rounds"].as_u64().unwrap() > 0, "{what}: {l}");
    let bound = l["bound"].as_f64().unwrap();
    assert!(
        bound <= plans[1]["cost"]["total"].as_f64().unwrap() + 0.01,
        "{what}: the relaxation's bound {bound} is above the optimum"
    );
    let off = plans[0]["cost"]["total"].as_f64().unwrap();
    let on = plans[1]["cost"]["total"].as_f64().unwrap();
    assert_rel(on, off, 1e-6, what);
}

#[test]
fn the_demo_has_the_same_optimum_with_and_without_the_relaxation() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("demo");
    without_hospital_capacities(&Path::new(ROOT).join("data/demo"), &data);
    // unserved patients pay the penalty
    assert_same_optimum(&both(&data, &[]), "demo");
    // every patient served: the covering knapsack and the covering row apply
    assert_same_optimum(
        &both(
            &data,
            &[
                "--set",
                "demand.full_coverage=true",
                "--set",
                "time.max_patient_travel_hours=5",
            ],
        ),
        "demo, full coverage",
    );
}

#[test]
fn a_generated_instance_has_the_same_optimum_with_and_without_the_relaxation() {
    let work = tempfile::tempdir().unwrap();
    let generated = work.path().join("generated");
    let o = run(cartnet()
        .args([
            "generate",
            "--demand",
            "80",
            "--hospitals",
            "15",
            "--sites",
            "15",
            "--seed",
            "3",
            "--out",
        ])
        .arg(&generated));
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let data = work.path().join("uncapped");
    without_hospital_capacities(&generated, &data);
    assert_same_optimum(&both(&data, &[]), "generated");
}
