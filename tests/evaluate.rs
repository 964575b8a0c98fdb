//! `cartnet evaluate` through the real binary on the demo: a plan's design fixed, its flows
//! solved in each scenario of a file or of a sampling, evaluation.csv and the estimate printed.
//! Scenario counts stay at 1 to 3, so each test takes a second or two (the two-stage one ~10 s).

mod common;

use common::{ROOT, assert_rel, cartnet, run};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The demo's baseline plan, solved once for every test (kept for the whole run).
fn demo_plan() -> &'static Path {
    static PLAN: OnceLock<PathBuf> = OnceLock::new();
    PLAN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = run(cartnet().arg("solve").arg("--out").arg(&dir));
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        dir.join("plan.json")
    })
}

/// A file of `text` in a fresh folder (kept for the run).
fn file(name: &str, text: &str) -> PathBuf {
    let path = tempfile::tempdir().unwrap().keep().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn fresh_out() -> PathBuf {
    tempfile::tempdir().unwrap().keep().join("eval")
}

fn plan_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// evaluation.csv as rows of named cells.
fn rows(out: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(out.join("evaluation.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(row: &std::collections::HashMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key} = {:?}", row[key]))
}

/// `cartnet evaluate PLAN --out OUT <args>`.
fn evaluate(plan: &Path, out: &Path, args: &[&str]) -> common::Out {
    run(cartnet()
        .arg("evaluate")
        .arg(plan)
        .arg("--out")
        .arg(out)
        .args(args))
}

/// The baseline model with an `[uncertainty]` table of `samples` draws.
fn sampled_model(samples: u32) -> PathBuf {
    let base = std::fs::read_to_string(Path::new(ROOT).join("models/baseline.toml")).unwrap();
    file(
        "sampled.toml",
        &format!(
            "{base}\n[uncertainty]\nsamples = {samples}\nseed = 7\n\
             \"demand.scale\" = {{ dist = \"lognormal\", median = 1.0, sigma = 0.25 }}\n\
             \"demand.in_vivo_share\" = {{ dist = \"uniform\", low = 0.0, high = 0.5 }}\n"
        ),
    )
}

/// Dollars as the summary prints them: whole, grouped by thousands.
fn usd(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("${grouped}")
}

#[test]
fn a_plan_on_its_own_scenario_costs_what_the_plan_says() {
    let plan = demo_plan();
    let out = fresh_out();
    let r = evaluate(
        plan,
        &out,
        &[
            "--scenarios",
            file("one.csv", "id\nsame\n").to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let rows = rows(&out);
    assert_eq!(rows.len(), 1);
    let total = plan_json(plan)["cost"]["total"].as_f64().unwrap();
    assert_rel(num(&rows[0], "cost_total"), total, 1e-6, "cost_total");
    assert_eq!(rows[0]["note"], "");
    assert!(r.stdout.contains("in 1 scenario ("), "{}", r.stdout);
    assert!(
        r.stdout.contains("one scenario: no interval"),
        "{}",
        r.stdout
    );
}

#[test]
fn three_scenarios_with_probabilities_give_the_weighted_mean() {
    let out = fresh_out();
    let scenarios = file(
        "three.csv",
        "id,probability,demand.scale,batch.cost_owned\nlow,0.25,0.7,\nmid,0.5,1.0,130000\n\
         high,0.25,1.2,\n",
    );
    let r = evaluate(
        demo_plan(),
        &out,
        &["--scenarios", scenarios.to_str().unwrap()],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let rows = rows(&out);
    let ids: Vec<&str> = rows.iter().map(|r| r["scenario"].as_str()).collect();
    assert_eq!(ids, ["low", "mid", "high"]);
    let costs: Vec<f64> = rows.iter().map(|r| num(r, "cost_total")).collect();
    assert!(costs[0] < costs[1] && costs[1] < costs[2], "{costs:?}");
    // the same design: its fixed lines are the same in every scenario
    assert!(rows.iter().all(|r| r["setup"] == rows[0]["setup"]));
    let mean = 0.25 * costs[0] + 0.5 * costs[1] + 0.25 * costs[2];
    assert!(
        r.stdout
            .contains(&format!("expected cost: {} ±", usd(mean))),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("probability-weighted mean"),
        "{}",
        r.stdout
    );
}

/// Sampled futures from the model's `[uncertainty]`: the same draws whatever `--jobs`, and the
/// interval is the sample mean ± t(0.975, 2) · s / √3 of the costs written.
#[test]
fn sampled_futures_and_their_confidence_interval() {
    let model = sampled_model(3);
    let (one, two) = (fresh_out(), fresh_out());
    let args =
        |jobs: &'static str| ["--model", model.to_str().unwrap(), "--jobs", jobs].map(String::from);
    let a = run(cartnet()
        .arg("evaluate")
        .arg(demo_plan())
        .arg("--out")
        .arg(&one)
        .args(args("1")));
    let b = run(cartnet()
        .arg("evaluate")
        .arg(demo_plan())
        .arg("--out")
        .arg(&two)
        .args(args("2")));
    assert_eq!(a.code, Some(0), "{}{}", a.stdout, a.stderr);
    assert_eq!(b.code, Some(0), "{}{}", b.stdout, b.stderr);
    let text = std::fs::read_to_string(one.join("evaluation.csv")).unwrap();
    assert_eq!(
        text,
        std::fs::read_to_string(two.join("evaluation.csv")).unwrap()
    );
    let rows = rows(&one);
    let ids: Vec<&str> = rows.iter().map(|r| r["scenario"].as_str()).collect();
    assert_eq!(ids, ["s001", "s002", "s003"]);
    let c: Vec<f64> = rows.iter().map(|r| num(r, "cost_total")).collect();
    let mean = c.iter().sum::<f64>() / 3.0;
    let s = (c.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
    let half = 4.303 * s / 3f64.sqrt();
    let expected = format!(
        "expected cost: {} ± {} (95 % confidence interval)",
        usd(mean),
        usd(half)
    );
    assert!(a.stdout.contains(&expected), "{expected}\n{}", a.stdout);
    assert!(
        a.stdout.contains("sample mean over the 3 scenarios"),
        "{}",
        a.stdout
    );
    assert!(
        a.stdout.contains("sampled: 3 samples, seed 7"),
        "{}",
        a.stdout
    );
}

/// A scenario the design cannot serve (fewer platforms allowed than it has) gets an empty row
/// with the reason; when it serves none, exit code 2, the rows still written.
#[test]
fn scenarios_the_design_cannot_serve() {
    let out = fresh_out();
    let two = file("two.csv", "id,site.max_platforms\nok,\ntight,1\n");
    let r = evaluate(demo_plan(), &out, &["--scenarios", two.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let got = rows(&out);
    assert!(got[0]["note"].is_empty() && !got[0]["cost_total"].is_empty());
    assert!(got[1]["cost_total"].is_empty(), "{:?}", got[1]);
    assert!(
        got[1]["note"].contains("more than its 1 here"),
        "{:?}",
        got[1]
    );
    assert!(r.stdout.contains("cannot serve 1 of them"), "{}", r.stdout);
    assert!(
        r.stdout.contains("over the 1 scenario it serves"),
        "{}",
        r.stdout
    );

    let none = fresh_out();
    let tight = file("tight.csv", "id,site.max_platforms\ntight,1\n");
    let r = evaluate(
        demo_plan(),
        &none,
        &["--scenarios", tight.to_str().unwrap()],
    );
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert_eq!(rows(&none).len(), 1);
}

/// Each bad input: exit code 1, its message, and no evaluation.csv.
#[test]
fn bad_input_writes_nothing() {
    let one = file("one.csv", "id\nsame\n");
    let one = one.to_str().unwrap();
    let mut plan = plan_json(demo_plan());
    plan["sites"][0]["id"] = "S-NOWHERE".into();
    let unknown = file("plan.json", &plan.to_string());
    let mut plan = plan_json(demo_plan());
    plan["scenario"]["horizon"]["years"] = 3.into();
    let years = file("plan.json", &plan.to_string());
    let cases: Vec<(PathBuf, Vec<&str>, &str)> = vec![
        (
            unknown,
            vec!["--scenarios", one],
            "site S-NOWHERE (sites[0]) is not a site of the data",
        ),
        (
            PathBuf::from("/nonexistent/plan.json"),
            vec!["--scenarios", one],
            "cannot read",
        ),
        (
            file("plan.json", "{\"a\": 1}"),
            vec!["--scenarios", one],
            "is not a cartnet plan",
        ),
        (
            file("plan.json", "{ not json"),
            vec!["--scenarios", one],
            "is not valid JSON",
        ),
        (years, vec!["--scenarios", one], "is a plan of 3 years"),
        (demo_plan().to_path_buf(), vec![], "nothing to evaluate"),
    ];
    let bad_csv = [
        ("id,probability\na,0.5\nb,0.6\n", "E80"),
        ("id,demand.scale\na,0\n", "E80"),
        ("id,no.such_key\na,1\n", "E80"),
        ("", "E80"),
    ];
    let mut all: Vec<(PathBuf, Vec<String>, String)> = cases
        .into_iter()
        .map(|(p, a, e)| (p, a.into_iter().map(String::from).collect(), e.to_string()))
        .collect();
    for (text, code) in bad_csv {
        let f = file("bad.csv", text);
        let args = vec!["--scenarios".to_string(), f.display().to_string()];
        all.push((demo_plan().to_path_buf(), args, code.to_string()));
    }
    let missing = vec!["--scenarios".to_string(), "/nonexistent/s.csv".to_string()];
    all.push((demo_plan().to_path_buf(), missing, "cannot read".into()));
    for (plan, args, expected) in all {
        let out = fresh_out();
        let r = run(cartnet()
            .arg("evaluate")
            .arg(&plan)
            .arg("--out")
            .arg(&out)
            .args(&args));
        assert_eq!(r.code, Some(1), "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(&expected),
            "{args:?}: expected {expected:?} in\n{}",
            r.stderr
        );
        assert!(
            !out.join("evaluation.csv").exists(),
            "{args:?} wrote evaluation.csv"
        );
    }
}

/// A two-stage plan's design, evaluated in its own two scenarios, costs its expected cost.
#[test]
fn a_two_stage_plan_in_its_own_scenarios_costs_its_expected_cost() {
    use cartnet::input::uncertainty::{BaseModel, ScenarioSet};
    use cartnet::input::{Instance, Scenario};
    let data = Path::new(ROOT).join("data/demo");
    let instance = Instance::load(&data).unwrap();
    let csv = "id,demand.scale\nlow,0.6\nhigh,1.4\n";
    let base = BaseModel {
        text: cartnet::input::scenario::BASELINE_TOML,
        file: "baseline",
        cli: &[],
    };
    let set = ScenarioSet::from_csv("s.csv", csv.as_bytes(), None, &instance, &base).unwrap();
    let futures = cartnet::stochastic::futures(&set, &instance, &base).unwrap();
    let scenario = Scenario::default();
    let outcome = cartnet::stochastic::optimize_two_stage(
        &futures,
        &scenario,
        &cartnet::solve::SolveOptions::default(),
        &cartnet::stochastic::TwoStageOptions {
            jobs: 2,
            // the extensive form: some 8 s on these two scenarios
            method: Some(cartnet::stochastic::Method::ExtensiveForm),
        },
        cartnet::plan::Provenance {
            data: "data/demo",
            model: "baseline",
        },
    )
    .unwrap();
    let cartnet::Outcome::Plan(mut plan) = outcome else {
        panic!("{outcome:?}")
    };
    plan.instance.digest = Some(cartnet::input::digest::of_folder(&data).unwrap());
    let dir = tempfile::tempdir().unwrap().keep();
    cartnet::export::write_plan(&dir, &plan, &instance).unwrap();
    let out = fresh_out();
    let r = evaluate(
        &dir.join("plan.json"),
        &out,
        &["--scenarios", file("s.csv", csv).to_str().unwrap()],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let costs: Vec<f64> = rows(&out).iter().map(|r| num(r, "cost_total")).collect();
    assert_rel(
        (costs[0] + costs[1]) / 2.0,
        plan.cost.total,
        1e-6,
        "expected cost",
    );
    for (c, s) in costs.iter().zip(&plan.scenarios) {
        assert_rel(*c, s.cost.total, 1e-6, &s.id);
    }
}
