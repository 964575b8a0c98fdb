//! OR-Library capacitated facility location: the real binary imports cap41, cap71, cap101 and
//! cap131 from ../shared/bench and solves them to their published optima (capopt.txt).
//! The full 49-instance run is `cartnet bench --suite orlib`.

mod common;
use assert_cmd::Command;

#[test]
fn small_orlib_instances_reach_their_published_optima() {
    let Some(dir) = common::orlib_dir() else {
        eprintln!("skipped: ../shared/bench/orlib-cap is not beside the project");
        return;
    };
    let capopt = std::fs::read_to_string(dir.join("capopt.txt")).unwrap();
    for name in ["cap41", "cap71", "cap101", "cap131"] {
        let published = cartnet::import::orlib::published_optimum(&capopt, name, None)
            .unwrap_or_else(|| panic!("{name} not in capopt.txt"));
        let work = tempfile::tempdir().unwrap();
        let data = work.path().join(name);
        Command::cargo_bin("cartnet")
            .unwrap()
            .args(["import", "orlib-cap"])
            .arg(dir.join(format!("{name}.txt")))
            .arg("--out")
            .arg(&data)
            .assert()
            .success();
        // the plain solve, and one that starts with the Lagrangian relaxation, its site fixing,
        // its covering row and its branch and bound over sites (the same optimum, proven)
        for lagrangian in ["off", "on"] {
            let out = work.path().join(format!("out-{lagrangian}"));
            Command::cargo_bin("cartnet")
                .unwrap()
                .arg("solve")
                .arg("--data")
                .arg(&data)
                .arg("--model")
                .arg(data.join("scenario.toml"))
                .arg("--lagrangian")
                .arg(lagrangian)
                .arg("--verify")
                .arg("--out")
                .arg(&out)
                .assert()
                .success();
            let plan: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap())
                    .unwrap();
            assert_eq!(
                plan["solver"]["status"], "optimal",
                "{name} lagrangian {lagrangian}"
            );
            let total = plan["cost"]["total"].as_f64().unwrap();
            // costs are reported to the cent; the published values have three decimals
            let rel = (total - published).abs() / published;
            assert!(
                rel <= 1e-6,
                "{name}: {total} vs published {published} ({rel:e})"
            );
            assert_eq!(
                plan["kpis"]["coverage"], 1.0,
                "{name}: every customer is served"
            );
            if lagrangian == "on" {
                // the branch and bound over the sites left free is what proves it
                let l = &plan["solver"]["lagrangian"];
                assert!(l["branch_nodes"].as_u64().unwrap() >= 1, "{name}: {l}");
                assert_eq!(l["branch_finished"], true, "{name}: {l}");
            }
        }
    }
}

#[test]
fn capa_without_capacity_is_an_error_naming_the_flag() {
    let Some(dir) = common::orlib_dir() else {
        eprintln!("skipped: ../shared/bench/orlib-cap is not beside the project");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("capa");
    let assert = Command::cargo_bin("cartnet")
        .unwrap()
        .args(["import", "orlib-cap"])
        .arg(dir.join("capa.txt"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("E101") && stderr.contains("--capacity"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written on error");
}
