//! The stochastic suite: the two-stage solve and `evaluate` against their speed targets.
//!
//! - `demo`: the demo with 50 sampled scenarios, proven optimal (gap ≤ 1e-6) in ≤ 30 s;
//! - `us`: the national county instance (`cartnet import us`) with 20 sampled scenarios, a gap
//!   ≤ 0.5 % in ≤ 5 minutes within 8 GiB;
//! - `us-evaluate`: that plan's design in 1,000 sampled scenarios in ≤ 5 minutes.
//!
//! Every case samples `demand.scale` (lognormal, median 1, σ 0.25) and `demand.in_vivo_share`
//! (uniform 0-0.5) from the baseline model with a fixed seed, and runs within the time limit
//! given. Peak memory is the process's resident high-water mark (Linux `VmHWM`), reset before
//! each case where the kernel allows it.

use crate::Outcome;
use crate::input::scenario::BASELINE_TOML;
use crate::input::uncertainty::{BaseModel, ScenarioSet, from_model_toml};
use crate::input::{Instance, Scenario};
use crate::model::Design;
use crate::plan::Provenance;
use crate::plan::scenarios::design_of;
use crate::solve::{OPTIMAL_GAP, SolveOptions};
use crate::stochastic::{Evaluation, TwoStageOptions, evaluate_all, futures, optimize_two_stage};
use crate::text::printable;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The seed of every sampled case, fixed so that runs compare.
pub const SEED: u64 = 17;
/// Scenarios of the demo case, the national case, and the national evaluation (the targets').
pub const DEMO_SAMPLES: usize = 50;
pub const US_SAMPLES: usize = 20;
pub const EVALUATE_SAMPLES: usize = 1_000;
/// The targets: the demo proven optimal within this many seconds; the national solve within
/// [`US_GAP`] and the national evaluation, each within [`US_SECONDS`]; memory within [`US_MIB`].
pub const DEMO_SECONDS: f64 = 30.0;
pub const US_SECONDS: f64 = 300.0;
pub const US_GAP: f64 = 0.005;
pub const US_MIB: f64 = 8.0 * 1024.0;
/// Scenarios made real at a time in the evaluation: each holds its own instance and network,
/// so 1,000 national ones at once would not fit in memory.
const EVALUATE_CHUNK: usize = 50;
/// z of a two-sided 95 % confidence interval.
const Z95: f64 = 1.959_964;

/// The distributions sampled (the issue's), as `[uncertainty]` entries.
const DISTRIBUTIONS: &str =
    "\"demand.scale\" = { dist = \"lognormal\", median = 1.0, sigma = 0.25 }
\"demand.in_vivo_share\" = { dist = \"uniform\", low = 0.0, high = 0.5 }
";

/// How the suite runs.
#[derive(Debug, Clone)]
pub struct StochasticOptions {
    pub demo: PathBuf,
    pub us: PathBuf,
    /// Seconds per case, counted from the case's start (sampling included).
    pub time_limit: f64,
    /// The gap asked of the national case (the demo is solved to [`OPTIMAL_GAP`]).
    pub gap: f64,
    pub threads: Option<u32>,
    /// Scenarios solved side by side.
    pub jobs: usize,
    /// Scenarios per case instead of the targets' counts (a quick run).
    pub samples: Option<usize>,
    /// Only the cases whose name contains this.
    pub only: Option<String>,
}

/// One case's result.
#[derive(Debug, Clone, PartialEq)]
pub struct StochasticRow {
    pub case: String,
    pub scenarios: usize,
    pub seconds: f64,
    pub status: String,
    /// The plan's objective (RP), or the evaluation's mean cost.
    pub objective: Option<f64>,
    pub gap: Option<f64>,
    pub peak_mib: Option<f64>,
    pub target: String,
    /// Whether the target was met.
    pub met: bool,
    /// Method and iterations, or the evaluation's confidence interval.
    pub note: String,
}

/// Runs the cases; the national ones only when `options.us` holds an instance (a message on
/// stderr says when they are skipped). A case that fails is a row with status "error".
pub fn run(options: &StochasticOptions, push: &mut dyn FnMut(StochasticRow)) {
    let keep = |name: &str| options.only.as_deref().is_none_or(|o| name.contains(o));
    if keep("demo") {
        let n = options.samples.unwrap_or(DEMO_SAMPLES);
        let started = Instant::now();
        let row = solve_case("demo", &options.demo, n, OPTIMAL_GAP, options)
            .map_or_else(|e| failed("demo", n, started, e), |(row, _)| row);
        push(row);
    }
    if !keep("us") {
        return;
    }
    if !options.us.join("demand.csv").is_file() {
        eprintln!(
            "stochastic us, us-evaluate: skipped, no national instance in {} (build one with \
             `cartnet import us --out DIR` and give --us DIR)",
            options.us.display()
        );
        return;
    }
    let n = options.samples.unwrap_or(US_SAMPLES);
    let started = Instant::now();
    let (row, design) = solve_case("us", &options.us, n, options.gap, options)
        .unwrap_or_else(|e| (failed("us", n, started, e), None));
    push(row);
    match design {
        Some(design) if keep("us-evaluate") => {
            let n = options.samples.unwrap_or(EVALUATE_SAMPLES);
            let started = Instant::now();
            let row = evaluate_case(&design, options)
                .unwrap_or_else(|e| failed("us-evaluate", n, started, e));
            push(row);
        }
        Some(_) => {}
        None => eprintln!("stochastic us-evaluate: skipped, the national case found no plan"),
    }
}

/// The row of a case that stopped with an error (e.g. a solver error once its time ran out).
fn failed(case: &str, scenarios: usize, started: Instant, error: String) -> StochasticRow {
    StochasticRow {
        case: case.to_string(),
        scenarios,
        seconds: started.elapsed().as_secs_f64(),
        status: "error".into(),
        objective: None,
        gap: None,
        peak_mib: peak_mib(),
        target: String::new(),
        met: false,
        note: error,
    }
}

/// The baseline model with `samples` scenarios to draw.
fn model_text(samples: usize) -> String {
    format!("{BASELINE_TOML}\n[uncertainty]\nsamples = {samples}\nseed = {SEED}\n{DISTRIBUTIONS}")
}

/// The sampled scenario set of `samples` scenarios on `instance`.
fn sampled(text: &str, instance: &Instance) -> Result<ScenarioSet, String> {
    from_model_toml(text, "bench.toml", &[], Some(instance))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the bench model has no [uncertainty] table".to_string())
}

fn base_model(text: &str) -> BaseModel<'_> {
    BaseModel {
        text,
        file: "bench.toml",
        cli: &[],
    }
}

fn solve_options(options: &StochasticOptions, gap: f64, started: Instant) -> SolveOptions {
    SolveOptions {
        time_limit: Some(options.time_limit),
        started: Some(started),
        gap,
        threads: options.threads,
        ..SolveOptions::default()
    }
}

/// The two-stage solve of `samples` scenarios on the instance in `data`, and its design.
fn solve_case(
    name: &str,
    data: &Path,
    samples: usize,
    gap: f64,
    options: &StochasticOptions,
) -> Result<(StochasticRow, Option<Design>), String> {
    reset_peak();
    let started = Instant::now();
    let instance = Instance::load(data).map_err(|e| format!("{}: {e}", data.display()))?;
    let text = model_text(samples);
    let base = base_model(&text);
    let scenario = Scenario::parse(&text, base.file, &[]).map_err(|e| e.to_string())?;
    let set = sampled(&text, &instance)?;
    let fs = futures(&set, &instance, &base).map_err(|e| e.to_string())?;
    let two_stage = TwoStageOptions {
        jobs: options.jobs,
        method: None,
    };
    let data_s = data.display().to_string();
    let provenance = Provenance {
        data: &data_s,
        model: base.file,
    };
    let solve = solve_options(options, gap, started);
    let outcome = optimize_two_stage(&fs, &scenario, &solve, &two_stage, provenance)
        .map_err(|e| format!("{name}: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let peak_mib = peak_mib();
    let (target, limit) = match name {
        "demo" => ("optimal in <= 30 s", DEMO_SECONDS),
        _ => ("<= 0.5 % in <= 5 min, <= 8 GiB", US_SECONDS),
    };
    let mut row = StochasticRow {
        case: name.to_string(),
        scenarios: samples,
        seconds,
        status: outcome_status(&outcome).to_string(),
        objective: None,
        gap: None,
        peak_mib,
        target: target.to_string(),
        met: false,
        note: String::new(),
    };
    let Outcome::Plan(plan) = outcome else {
        return Ok((row, None));
    };
    let want_gap = if name == "demo" { OPTIMAL_GAP } else { US_GAP };
    row.objective = plan.solver.objective;
    row.gap = plan.solver.gap;
    row.met = row.gap.is_some_and(|g| g <= want_gap)
        && seconds <= limit
        && peak_mib.is_none_or(|m| m <= US_MIB);
    if let Some(s) = &plan.stochastic {
        row.note = format!("{}, {} iterations", s.method, s.iterations);
    }
    Ok((row, Some(design_of(&plan.sites))))
}

fn outcome_status(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Plan(plan) => plan.solver.status.as_str(),
        Outcome::Infeasible { .. } => "infeasible",
        Outcome::NoSolution { .. } => "no solution",
    }
}

/// `design` on the national instance in [`EVALUATE_SAMPLES`] sampled scenarios, made real
/// [`EVALUATE_CHUNK`] at a time.
fn evaluate_case(design: &Design, options: &StochasticOptions) -> Result<StochasticRow, String> {
    reset_peak();
    let started = Instant::now();
    let samples = options.samples.unwrap_or(EVALUATE_SAMPLES);
    let instance = Instance::load(&options.us).map_err(|e| e.to_string())?;
    let text = model_text(samples);
    let base = base_model(&text);
    let set = sampled(&text, &instance)?;
    let solve = solve_options(options, OPTIMAL_GAP, started);
    let (mut costs, mut infeasible, mut timed_out) = (Vec::new(), 0usize, false);
    for chunk in set.scenarios.chunks(EVALUATE_CHUNK) {
        if started.elapsed().as_secs_f64() >= options.time_limit {
            timed_out = true;
            break;
        }
        let part = ScenarioSet {
            scenarios: chunk.to_vec(),
            ..set.clone()
        };
        let fs = futures(&part, &instance, &base).map_err(|e| e.to_string())?;
        for e in evaluate_all(&fs.list, design, &solve, options.jobs).map_err(|e| e.to_string())? {
            match e {
                Evaluation::Plan(p) => costs.push(p.cost.total),
                Evaluation::Infeasible(_) => infeasible += 1,
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let done = costs.len() + infeasible;
    let (mean, half) = mean_ci(&costs);
    Ok(StochasticRow {
        case: "us-evaluate".into(),
        scenarios: samples,
        seconds,
        status: match (timed_out, infeasible) {
            (true, _) => format!("time limit ({done} of {samples} done)"),
            (false, 0) => "evaluated".into(),
            (false, n) => format!("{n} infeasible"),
        },
        objective: mean,
        gap: None,
        peak_mib: peak_mib(),
        target: "1,000 scenarios in <= 5 min".into(),
        met: !timed_out && done == samples && seconds <= US_SECONDS,
        note: half.map_or(String::new(), |h| format!("mean ± {h:.2} (95 % CI)")),
    })
}

/// The mean of `costs` and the half-width of its 95 % confidence interval.
fn mean_ci(costs: &[f64]) -> (Option<f64>, Option<f64>) {
    let n = costs.len() as f64;
    if costs.is_empty() {
        return (None, None);
    }
    let mean = costs.iter().sum::<f64>() / n;
    if costs.len() < 2 {
        return (Some(mean), None);
    }
    let var = costs.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (Some(mean), Some(Z95 * (var / n).sqrt()))
}

/// Resets the resident high-water mark, so each case's peak is its own (Linux; ignored
/// elsewhere, where the peak then covers the earlier cases too).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's resident high-water mark in MiB (Linux `VmHWM`), if it can be read.
pub fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Renders rows as an aligned table.
pub fn table(rows: &[StochasticRow]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<12} {:>9} {:>9} {:<24} {:>18} {:>9} {:>9} {:<32} {:<4} note",
        "case", "scenarios", "seconds", "status", "objective", "gap", "peak MiB", "target", "met"
    );
    let num = |v: Option<f64>, d: usize| v.map_or("-".to_string(), |v| format!("{v:.d$}"));
    for r in rows {
        let _ = writeln!(
            s,
            "{:<12} {:>9} {:>9.2} {:<24} {:>18} {:>9} {:>9} {:<32} {:<4} {}",
            printable(&r.case),
            r.scenarios,
            r.seconds,
            r.status,
            num(r.objective, 2),
            r.gap.map_or("-".into(), |g| format!("{:.4}%", g * 100.0)),
            num(r.peak_mib, 0),
            r.target,
            if r.met { "yes" } else { "no" },
            r.note
        );
    }
    s
}

/// Renders rows as CSV.
pub fn csv(rows: &[StochasticRow]) -> String {
    let mut s =
        String::from("case,scenarios,seconds,status,objective,gap,peak_mib,target,met,note\n");
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{:.3},{},{},{},{},\"{}\",{},\"{}\"",
            r.case,
            r.scenarios,
            r.seconds,
            r.status,
            opt(r.objective),
            opt(r.gap),
            opt(r.peak_mib),
            r.target,
            r.met,
            r.note.replace('"', "\"\"")
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confidence_interval_of_known_costs() {
        // mean 2, sample variance 1 over 3 values: half-width 1.96 / sqrt(3)
        let (mean, half) = mean_ci(&[1.0, 2.0, 3.0]);
        assert_eq!(mean, Some(2.0));
        assert!((half.unwrap() - Z95 / 3f64.sqrt()).abs() < 1e-12);
        assert_eq!(mean_ci(&[]), (None, None));
        assert_eq!(mean_ci(&[5.0]), (Some(5.0), None));
    }

    #[test]
    fn the_model_samples_the_issues_distributions() {
        let text = model_text(3);
        let instance = Instance::load(Path::new("data/demo")).unwrap();
        let set = sampled(&text, &instance).unwrap();
        assert_eq!(set.scenarios.len(), 3);
        assert!(set.scenarios.iter().all(|s| s.demand_scale > 0.0));
        let again = sampled(&text, &instance).unwrap();
        assert_eq!(set, again, "the fixed seed gives the same scenarios");
    }
}
