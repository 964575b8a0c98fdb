//! Benchmarks: the OR-Library capacitated facility location set against its published optima,
//! a synthetic scale suite (1x, 2x, 4x, 8x), and the national instance when it has been built.
//! Each instance goes through the real pipeline (CSV files on disk -> plan), timed by stage.
//! The two-stage solve and `evaluate` have their own suite ([`stochastic`]).

pub mod generate;
pub mod sscflp;
pub mod stochastic;

use crate::import::orlib;
use crate::input::{Instance, ModelSource, Scenario};
use crate::model::Formulation;
use crate::network::Network;
use crate::plan::{Plan, Provenance};
use crate::solve::{self, SolveOptions, Status};
use crate::text::printable;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One benchmark result.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchRow {
    pub suite: String,
    pub instance: String,
    pub variables: usize,
    pub constraints: usize,
    pub arcs: usize,
    /// Reading the files, building the network and the model.
    pub build_seconds: f64,
    /// Handing the model to HiGHS and solving it (separation rounds included).
    pub solve_seconds: f64,
    /// Time inside HiGHS's own runs.
    pub highs_seconds: f64,
    /// End to end: files read to plan built.
    pub total_seconds: f64,
    pub status: String,
    pub objective: Option<f64>,
    pub best_bound: Option<f64>,
    pub gap: Option<f64>,
    /// The nodes of the single-source branch and bound, when it ran.
    pub nodes: Option<usize>,
    pub published: Option<f64>,
    /// |objective - published| / published.
    pub rel_diff: Option<f64>,
    /// Why the instance is infeasible, when that was proven before solving.
    pub note: Option<String>,
}

impl BenchRow {
    /// A row that contradicts its published optimum by more than the gap it is solved to
    /// ([`crate::solve::OPTIMAL_GAP`], 1e-6 relative): proven optimal at another value, a plan
    /// below the optimum, a bound above it, or proven infeasible. A row not proven within the
    /// time limit contradicts nothing.
    pub fn misses_optimum(&self) -> bool {
        let Some(published) = self.published else {
            return false;
        };
        let tol = crate::solve::OPTIMAL_GAP * published.abs().max(1e-9);
        let proven_elsewhere = self.status == Status::Optimal.as_str()
            && self.rel_diff.is_none_or(|d| d > crate::solve::OPTIMAL_GAP);
        proven_elsewhere
            || self.status == Status::Infeasible.as_str()
            || self.objective.is_some_and(|o| o < published - tol)
            || self.best_bound.is_some_and(|b| b > published + tol)
    }

    /// A row with a published optimum that was not proven optimal within the time limit.
    pub fn unproven(&self) -> bool {
        self.published.is_some()
            && !self.misses_optimum()
            && self.status != Status::Optimal.as_str()
    }
}

/// Benchmark settings.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub orlib_dir: PathBuf,
    pub us_dir: PathBuf,
    pub time_limit: f64,
    /// Gap for the scale and national suites (OR-Library is solved to 1e-6).
    pub gap: f64,
    pub threads: Option<u32>,
    pub work_dir: PathBuf,
}

/// Solves the instance in `data` under `model` and times each stage.
pub fn run_instance(
    suite: &str,
    name: &str,
    data: &Path,
    model: &ModelSource,
    options: &SolveOptions,
) -> Result<BenchRow, String> {
    let t0 = Instant::now();
    let instance = Instance::load(data).map_err(|e| e.to_string())?;
    let scenario = Scenario::load_from(model, &[]).map_err(|e| e.to_string())?;
    let network = Network::build(&instance, &scenario);
    let misfits = solve::single_source_fit::misfits(&instance, &scenario, &network);
    if !misfits.is_empty() {
        let seconds = t0.elapsed().as_secs_f64();
        return Ok(BenchRow::infeasible(
            suite, name, &network, seconds, misfits,
        ));
    }
    let formulation = Formulation::build(&instance, &scenario, &network);
    let build_seconds = t0.elapsed().as_secs_f64();
    let info = formulation.info;
    let (variables, constraints) = (info.columns, info.rows + formulation.problem.lazy.len());
    let t1 = Instant::now();
    let data_of = (&instance, &scenario, &network);
    let solution = crate::solve_model(formulation.problem, &info, data_of, options)
        .map_err(|e| e.to_string())?;
    let solve_seconds = t1.elapsed().as_secs_f64();
    let (data_s, model_s) = (data.display().to_string(), model.name());
    let plan = matches!(solution.status, Status::Optimal | Status::Feasible).then(|| {
        let provenance = Provenance {
            data: &data_s,
            model: &model_s,
        };
        Plan::new(&instance, &scenario, &network, &info, &solution, provenance)
    });
    let total_seconds = t0.elapsed().as_secs_f64();
    Ok(BenchRow {
        suite: suite.into(),
        instance: name.into(),
        variables,
        constraints,
        arcs: network.graph.edge_count(),
        build_seconds,
        solve_seconds,
        highs_seconds: solution.highs_seconds,
        total_seconds,
        status: solution.status.as_str().into(),
        objective: plan.as_ref().map(|p| p.cost.total),
        best_bound: solution.best_bound,
        gap: solution.gap,
        nodes: solution.tree_nodes,
        published: None,
        rel_diff: None,
        note: None,
    })
}

impl BenchRow {
    /// A row proven infeasible before the model was built, in `seconds`, with the reasons.
    fn infeasible(
        suite: &str,
        name: &str,
        network: &Network,
        seconds: f64,
        reasons: Vec<String>,
    ) -> BenchRow {
        BenchRow {
            suite: suite.into(),
            instance: name.into(),
            variables: 0,
            constraints: 0,
            arcs: network.graph.edge_count(),
            build_seconds: seconds,
            solve_seconds: 0.0,
            highs_seconds: 0.0,
            total_seconds: seconds,
            status: Status::Infeasible.as_str().into(),
            objective: None,
            best_bound: None,
            gap: None,
            nodes: None,
            published: None,
            rel_diff: None,
            note: Some(reasons.join("; ")),
        }
    }
}

/// An OR-Library instance to run: name, file, capacity (capa/b/c), published optimum.
pub type OrlibCase = (String, PathBuf, Option<f64>, f64);

/// The OR-Library instances present in `dir`, with the capacity for capa/b/c.
pub fn orlib_instances(dir: &Path) -> Result<Vec<OrlibCase>, String> {
    let capopt = std::fs::read_to_string(dir.join("capopt.txt"))
        .map_err(|e| format!("cannot read {}: {e}", dir.join("capopt.txt").display()))?;
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("cap") && n.ends_with(".txt") && n != "capopt.txt")
        .map(|n| n.trim_end_matches(".txt").to_string())
        .collect();
    // cap41 .. cap134 by number, then capa, capb, capc.
    names.sort_by_key(|n| (n[3..].parse::<u32>().unwrap_or(u32::MAX), n.clone()));
    let mut out = Vec::new();
    for name in names {
        let file = dir.join(format!("{name}.txt"));
        let capacities: &[f64] = match name.as_str() {
            "capa" => &[8000.0, 10000.0, 12000.0, 14000.0],
            "capb" => &[5000.0, 6000.0, 7000.0, 8000.0],
            "capc" => &[5000.0, 5750.0, 6500.0, 7250.0],
            _ => &[],
        };
        if capacities.is_empty() {
            if let Some(opt) = orlib::published_optimum(&capopt, &name, None) {
                out.push((name.clone(), file, None, opt));
            }
        } else {
            for &c in capacities {
                if let Some(opt) = orlib::published_optimum(&capopt, &name, Some(c)) {
                    out.push((format!("{name}-{c}"), file.clone(), Some(c), opt));
                }
            }
        }
    }
    Ok(out)
}

/// Imports and solves one OR-Library instance, comparing with its published optimum; with
/// `single_source`, solves it with single sourcing (suite `orlib-ss`), which has none.
pub fn run_orlib(
    case: &OrlibCase,
    single_source: bool,
    work: &Path,
    options: &SolveOptions,
) -> Result<BenchRow, String> {
    let (name, file, capacity, published) = case;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let inst =
        orlib::parse(&text, &file.display().to_string(), *capacity).map_err(|e| e.to_string())?;
    let dir = work.join(name);
    orlib::write(&inst, &dir, false, single_source).map_err(|e| e.to_string())?;
    let (suite, published) = match single_source {
        true => ("orlib-ss", None),
        false => ("orlib", Some(*published)),
    };
    run_written(suite, name, &dir, published, options)
}

/// Solves the instance an importer wrote into `dir` under its scenario.toml, and compares it
/// with `published`.
pub(crate) fn run_written(
    suite: &str,
    name: &str,
    dir: &Path,
    published: Option<f64>,
    options: &SolveOptions,
) -> Result<BenchRow, String> {
    let scenario = ModelSource::File(dir.join("scenario.toml"));
    let mut row = run_instance(suite, name, dir, &scenario, options)?;
    row.published = published;
    row.rel_diff = published.and_then(|p| row.objective.map(|o| (o - p).abs() / p.abs().max(1e-9)));
    Ok(row)
}

/// Renders rows as an aligned table.
pub fn table(rows: &[BenchRow]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<8} {:<14} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:<11} {:>15} {:>15} {:>9} {:>8} {:>15} {:>9}",
        "suite",
        "instance",
        "vars",
        "rows",
        "arcs",
        "build s",
        "solve s",
        "e2e/H",
        "status",
        "objective",
        "best bound",
        "gap",
        "nodes",
        "published",
        "rel diff"
    );
    let num = |v: Option<f64>, d: usize| v.map_or("-".to_string(), |v| format!("{v:.d$}"));
    for r in rows {
        // no HiGHS run (a model proven infeasible before it was built): no ratio
        let ratio = if r.highs_seconds > 0.0 {
            format!("{:.3}", r.total_seconds / r.highs_seconds)
        } else {
            "-".to_string()
        };
        let _ = writeln!(
            s,
            "{:<8} {:<14} {:>8} {:>8} {:>8} {:>8.3} {:>8.3} {:>7} {:<11} {:>15} {:>15} {:>9} {:>8} {:>15} {:>9}",
            r.suite,
            printable(&r.instance),
            r.variables,
            r.constraints,
            r.arcs,
            r.build_seconds,
            r.solve_seconds,
            ratio,
            r.status,
            num(r.objective, 3),
            num(r.best_bound, 3),
            r.gap.map_or("-".into(), |g| format!("{:.4}%", g * 100.0)),
            r.nodes.map_or("-".into(), |n| n.to_string()),
            num(r.published, 3),
            r.rel_diff.map_or("-".into(), |d| format!("{d:.1e}")),
        );
    }
    s
}

/// Renders rows as CSV.
pub fn csv(rows: &[BenchRow]) -> String {
    let mut s = String::from(
        "suite,instance,variables,constraints,arcs,build_seconds,solve_seconds,highs_seconds,total_seconds,status,objective,best_bound,gap,published,rel_diff,nodes\n",
    );
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{:.4},{:.4},{:.4},{:.4},{},{},{},{},{},{},{}",
            r.suite,
            r.instance,
            r.variables,
            r.constraints,
            r.arcs,
            r.build_seconds,
            r.solve_seconds,
            r.highs_seconds,
            r.total_seconds,
            r.status,
            opt(r.objective),
            opt(r.best_bound),
            opt(r.gap),
            opt(r.published),
            opt(r.rel_diff),
            r.nodes.map_or(String::new(), |n| n.to_string())
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: Status, objective: Option<f64>, bound: Option<f64>) -> BenchRow {
        let published = 100.0;
        BenchRow {
            suite: "t".into(),
            instance: "t".into(),
            variables: 0,
            constraints: 0,
            arcs: 0,
            build_seconds: 0.0,
            solve_seconds: 0.0,
            highs_seconds: 0.0,
            total_seconds: 0.0,
            status: status.as_str().into(),
            objective,
            best_bound: bound,
            gap: None,
            nodes: None,
            published: Some(published),
            rel_diff: objective.map(|o| (o - published).abs() / published),
            note: None,
        }
    }

    #[test]
    fn only_a_contradiction_misses_the_optimum() {
        use Status::*;
        let misses = |r: BenchRow| (r.misses_optimum(), r.unproven());
        assert_eq!(
            misses(row(Optimal, Some(100.0), Some(100.0))),
            (false, false)
        );
        assert_eq!(
            misses(row(Optimal, Some(101.0), Some(101.0))),
            (true, false)
        );
        // not proven: above the optimum with a bound below it is no contradiction
        assert_eq!(
            misses(row(Feasible, Some(130.0), Some(90.0))),
            (false, true)
        );
        assert_eq!(misses(row(NoSolution, None, Some(90.0))), (false, true));
        // a plan below the optimum, a bound above it, or infeasible: contradictions
        assert_eq!(misses(row(Feasible, Some(99.0), Some(90.0))), (true, false));
        assert_eq!(
            misses(row(Feasible, Some(130.0), Some(101.0))),
            (true, false)
        );
        assert_eq!(misses(row(Infeasible, None, None)), (true, false));
        let mut none = row(Feasible, Some(130.0), Some(90.0));
        none.published = None;
        assert_eq!(misses(none), (false, false));
    }
}
