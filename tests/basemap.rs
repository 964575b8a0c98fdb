//! `cartnet import us --states FILE`: the basemap of the national instance (small enough to
//! embed in every report), the one added beside an existing instance (the demo's, reproduced
//! byte for byte by the command data/demo/README.md gives), and the errors.

mod common;

use common::{ROOT, cartnet, demo_csv_copy, run};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The most the national basemap may weigh: it is embedded in every report and comparison.
const NATIONAL_MAX_BYTES: usize = 150 * 1024;

fn geo(file: &str) -> PathBuf {
    Path::new(ROOT).join("../shared/geo").join(file)
}

fn states() -> PathBuf {
    geo("cb_2018_us_state_500k_simplified.geojson")
}

/// The state codes of a basemap file, and its largest number of decimals in a coordinate.
fn codes_and_decimals(path: &Path) -> (Vec<String>, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let v: Value = serde_json::from_str(&text).expect("basemap.geojson is JSON");
    let codes = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["STUSPS"].as_str().unwrap().to_string())
        .collect();
    let decimals = text
        .split(['[', ']', ','])
        .filter_map(|n| n.split_once('.').map(|(_, d)| d.len()))
        .max()
        .unwrap_or(0);
    (codes, decimals)
}

#[test]
fn the_national_basemap_is_small_and_has_the_states_and_dc() {
    if !states().exists() {
        eprintln!("{} is not here: skipped", states().display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("us");
    let r = run(cartnet()
        .args(["import", "us", "--counties"])
        .arg(geo("CenPop2020_Mean_CO.txt"))
        .arg("--hospitals")
        .arg(geo("hifld_Hospitals.csv"))
        .arg("--states")
        .arg(states())
        .arg("--out")
        .arg(&out));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let file = out.join("basemap.geojson");
    let size = std::fs::metadata(&file).unwrap().len() as usize;
    assert!(size <= NATIONAL_MAX_BYTES, "{size} bytes");
    let (codes, decimals) = codes_and_decimals(&file);
    assert_eq!(codes.len(), 51, "{codes:?}");
    for c in ["NY", "AK", "HI", "DC"] {
        assert!(codes.contains(&c.to_string()), "{c} missing");
    }
    assert!(!codes.contains(&"PR".to_string()) && !codes.contains(&"GU".to_string()));
    assert!(decimals <= 3, "{decimals} decimals");
    // the instance solves with the file beside it
    let r = run(cartnet().arg("validate").arg("--data").arg(&out));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
}

#[test]
fn the_demo_basemap_is_what_the_documented_command_writes() {
    if !states().exists() {
        eprintln!("{} is not here: skipped", states().display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = demo_csv_copy(dir.path(), "demo");
    let r = run(cartnet()
        .args(["import", "us", "--states"])
        .arg(states())
        .arg("--out")
        .arg(&data));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("state outlines"), "{}", r.stdout);
    let written = std::fs::read(data.join("basemap.geojson")).unwrap();
    let shipped = std::fs::read(Path::new(ROOT).join("data/demo/basemap.geojson")).unwrap();
    assert!(
        written == shipped,
        "data/demo/basemap.geojson is not what the command writes"
    );
    let (codes, _) = codes_and_decimals(&data.join("basemap.geojson"));
    for c in ["NY", "NJ", "PA", "MA", "MD", "CT"] {
        assert!(codes.contains(&c.to_string()), "{c} missing from {codes:?}");
    }
    assert!(!codes.contains(&"CA".to_string()), "{codes:?}");
}

#[test]
fn a_bad_states_file_or_no_instance_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_csv_copy(dir.path(), "demo");
    let bad = dir.path().join("states.geojson");
    std::fs::write(&bad, "{\"type\": \"FeatureCollection\", \"features\": [").unwrap();
    let r = run(cartnet()
        .args(["import", "us", "--states"])
        .arg(&bad)
        .arg("--out")
        .arg(&data));
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.starts_with("E250 "), "{}", r.stderr);
    assert!(!data.join("basemap.geojson").exists());
    // a folder without an instance gets no basemap
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let r = run(cartnet()
        .args(["import", "us", "--states"])
        .arg(states())
        .arg("--out")
        .arg(&empty));
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("E001"), "{}", r.stderr);
    assert!(!empty.join("basemap.geojson").exists());
}
