//! `cartnet sweep --refine` and sweep.html end to end on tiny instances whose tipping points are
//! known by hand, through the real binary.
//!
//! One demand point of 23 patients, one hospital and the sites, all at (0, 0), free transport and
//! no failed batches (as in tests/tiny.rs), so 23 batches on one platform. With the owned setup
//! cost X (annualized over 10 years at 0 %) and the franchise batch price F:
//!   owned     X/10 + 1,000,000 + 150,000 + 23 × 120,000 = X/10 + 3,910,000
//!   franchise 50,000 + 250,000 + 23 × F                  = 300,000 + 23 F
//! so at F = 160,000 owned is cheaper below X = 700,000, and at setup cost X franchise is cheaper
//! below F = (X/10 + 3,610,000) / 23.

mod common;

use common::{CLEAN, Instance, cartnet, run};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const X: &str = "site.setup_cost_owned";
const F: &str = "batch.cost_franchise";
/// Where owned and franchise cost the same at F = 160,000 (module comment).
const X_SWITCH: f64 = 700_000.0;

fn f_switch(x: f64) -> f64 {
    (x / 10.0 + 3_610_000.0) / 23.0
}

/// The tiny instance with these rows of sites.csv (id,lat,lon,kind,hospital,allow,...).
fn tiny(sites: &str) -> Instance {
    Instance::new(
        "id,lat,lon,patients\nD1,0,0,23\n",
        "id,lat,lon,max_patients\nH1,0,0,\n",
        &format!("id,lat,lon,kind,hospital,allow,setup_cost_owned,existing\n{sites}"),
        None,
        CLEAN,
    )
}

/// S1 may only be owned, S2 only franchised: past the tipping point S1 closes and S2 opens.
fn owned_or_franchised() -> Instance {
    tiny("S1,0,0,regional,,owned,,\nS2,0,0,regional,,franchise,,\n")
}

/// `cartnet sweep --data --model --out OUT args`; the exit code, stdout, stderr.
fn sweep(inst: &Instance, out: &Path, args: &[&str]) -> common::Out {
    let mut cmd = cartnet();
    cmd.arg("sweep")
        .arg("--data")
        .arg(inst.data_dir())
        .arg("--model")
        .arg(inst.model_file())
        .arg("--out")
        .arg(out)
        .args(["--jobs", "2"])
        .args(args);
    run(&mut cmd)
}

fn sweep_ok(inst: &Instance, out: &Path, args: &[&str]) -> String {
    let o = sweep(inst, out, args);
    assert_eq!(o.code, Some(0), "{args:?}\n{}\n{}", o.stdout, o.stderr);
    o.stdout
}

/// A CSV file's rows, column -> cell.
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    common::csv_table(path).1
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {:?}", row[col]))
}

/// Each open site of a plan and its status, read from the plan itself.
fn open_sites(out: &Path, folder: &str) -> Vec<(String, String, u64)> {
    let plan: Value =
        serde_json::from_slice(&std::fs::read(out.join(folder).join("plan.json")).unwrap())
            .unwrap();
    plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "closed")
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
                s["platforms"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn tmp_out() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    (dir, out)
}

#[test]
fn a_refined_tipping_point_holds_on_a_fine_grid_around_it() {
    let inst = owned_or_franchised();
    let (_dir, out) = tmp_out();
    let stdout = sweep_ok(
        &inst,
        &out,
        &["--vary", &format!("{X}=0..2e6/5"), "--refine"],
    );
    let points = read_csv(&out.join("tipping_points.csv"));
    assert_eq!(points.len(), 1, "{points:?}");
    let p = &points[0];
    let (from, to) = (num(p, "from"), num(p, "to"));
    // the grid step is 500,000; the default tolerance 1 % of it
    assert!(from < to && to - from <= 5_000.0, "{p:?}");
    assert!(from <= X_SWITCH && X_SWITCH <= to, "{p:?}");
    assert_eq!(p["located"], "true");
    assert_eq!(
        p["changes"],
        "S1 (owned) closes; S2 opens franchise with 1 platform"
    );
    assert!(
        stdout.contains("at site.setup_cost_owned ≈ $")
            && stdout.contains("S1 (owned) closes, S2 opens franchise with 1 platform"),
        "{stdout}"
    );
    // a fine grid across the reported bracket: owned up to its lower end, franchise from its upper
    let w = to - from;
    let values = [from - 2.0 * w, from - w, from, to, to + w, to + 2.0 * w];
    let list: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    let (_fine_dir, fine) = tmp_out();
    sweep_ok(
        &inst,
        &fine,
        &["--vary", &format!("{X}={}", list.join(","))],
    );
    let rows = read_csv(&fine.join("sweep.csv"));
    let models: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["owned"].as_str(), r["franchise"].as_str()))
        .collect();
    assert_eq!(
        models,
        [
            ("1", "0"),
            ("1", "0"),
            ("1", "0"),
            ("0", "1"),
            ("0", "1"),
            ("0", "1")
        ],
        "at {values:?}"
    );
}

/// The `<li>` items of each `<tr data-from="i" data-to="j">` of the page's changes table.
fn listed_changes(html: &str) -> Vec<(usize, usize, Vec<String>)> {
    let section = html
        .split("<section id=\"changes\">")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("a changes section");
    section
        .split("<tr data-from=\"")
        .skip(1)
        .map(|tr| {
            let (from, rest) = tr.split_once("\" data-to=\"").unwrap();
            let (to, rest) = rest.split_once('"').unwrap();
            let row = rest.split("</tr>").next().unwrap();
            let items = row
                .split("<li>")
                .skip(1)
                .map(|li| li.split("</li>").next().unwrap().to_string())
                .collect();
            (from.parse().unwrap(), to.parse().unwrap(), items)
        })
        .collect()
}

/// What changes between two plans' open sites, as the page words it, derived from the plans.
fn expected_changes(a: &[(String, String, u64)], b: &[(String, String, u64)]) -> Vec<String> {
    let mut out = Vec::new();
    for (id, st, n) in a {
        match b.iter().find(|(i, _, _)| i == id) {
            None => out.push(format!("{id} ({st}) closes")),
            Some((_, st2, _)) if st2 != st => {
                out.push(format!("{id} switches from {st} to {st2}"));
            }
            Some((_, _, n2)) if n2 != n => {
                out.push(format!("{id} goes from {n} to {n2} platforms"))
            }
            Some(_) => {}
        }
    }
    for (id, st, n) in b
        .iter()
        .filter(|(i, _, _)| !a.iter().any(|(j, _, _)| j == i))
    {
        let s = if *n == 1 { "" } else { "s" };
        out.push(format!("{id} opens {st} with {n} platform{s}"));
    }
    out
}

#[test]
fn sweep_html_lists_each_design_change_as_the_plans_show_it() {
    // one site that may be owned or franchised: a 3 x 2 grid where each X switches along F
    let inst = tiny("S1,0,0,regional,,both,,\n");
    let (_dir, out) = tmp_out();
    let args = [
        "--vary",
        &format!("{X}=0,1e6,2e6"),
        "--vary",
        &format!("{F}=150000,170000"),
        "--refine",
    ];
    let stdout = sweep_ok(&inst, &out, &args);
    let html = std::fs::read_to_string(out.join("sweep.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
    let rows = read_csv(&out.join("sweep.csv"));
    let designs: Vec<_> = rows
        .iter()
        .map(|r| open_sites(&out, &r["folder"]))
        .collect();
    // every pair of grid neighbours whose plans differ, and no other, with the plans' changes
    let mut expected = Vec::new();
    for (stride, size, axis) in [(2, 3, 0), (1, 2, 1)] {
        for i in 0..rows.len() {
            let level = if axis == 0 { i / 2 } else { i % 2 };
            if level + 1 < size {
                let changes = expected_changes(&designs[i], &designs[i + stride]);
                if !changes.is_empty() {
                    expected.push((i + 1, i + stride + 1, changes));
                }
            }
        }
    }
    assert_eq!(expected.len(), 3, "each X switches from franchise to owned");
    assert_eq!(listed_changes(&html), expected);
    // each X's tipping point along F, within 1 % of the 20,000 step of where the costs cross
    let points = read_csv(&out.join("tipping_points.csv"));
    assert_eq!(points.len(), 3, "{points:?}");
    for (p, x) in points.iter().zip([0.0, 1e6, 2e6]) {
        assert_eq!(p["key"], F);
        assert_eq!(num(p, X), x);
        assert!((num(p, "estimate") - f_switch(x)).abs() <= 200.0, "{p:?}");
        assert_eq!(p["changes"], "S1 switches from franchise to owned");
        let line = format!("with {X} = ${}, at {F}", common_usd(x));
        assert!(stdout.contains(&line), "{line}\n{stdout}");
        assert!(html.contains(&line), "{line}");
    }
}

/// Whole dollars with thousands separators, as cartnet prints them.
fn common_usd(v: f64) -> String {
    let digits = format!("{}", v.round() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn refine_flags_that_cannot_work_are_refused_before_anything_is_written() {
    let inst = owned_or_franchised();
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--vary",
                "site.setup_cost_owned=0,1e6",
                "--refine",
                "--refine-tol",
                "0",
            ],
            "E420 \"0\" is not a tolerance",
        ),
        (
            &[
                "--vary",
                "site.setup_cost_owned=0,1e6",
                "--refine",
                "--refine-tol",
                "150%",
            ],
            "E420 \"150%\" is not a tolerance",
        ),
        (
            &[
                "--vary",
                "site.setup_cost_owned=0,1e6",
                "--refine-tol",
                "1%",
            ],
            "E421 --refine-tol: it sets how closely --refine locates a tipping point",
        ),
        (
            &["--vary", "policy.single_sourcing=true,false", "--refine"],
            "E422 --refine: no varied key takes numbers (policy.single_sourcing)",
        ),
        (
            &[
                "--vary",
                "site.setup_cost_owned=0,1e6",
                "--vary",
                "batch.cost_franchise=150000,170000",
                "--refine",
                "--refine-tol",
                "5000",
            ],
            "E423 --refine-tol: a width is in one key's units, and site.setup_cost_owned and \
             batch.cost_franchise are refined",
        ),
    ];
    for (args, message) in cases {
        let (_dir, out) = tmp_out();
        let o = sweep(&inst, &out, args);
        assert_eq!(o.code, Some(1), "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains(message), "{args:?}: {}", o.stderr);
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}
