//! Running a sweep: the points solved on a pool of workers, networks shared where the arcs agree.

use super::grid::Point;
use crate::input::{Instance, Scenario, SiteKind, SiteTerms};
use crate::network::Network;
use crate::plan::{Kpis, Plan, Provenance};
use crate::solve::{SolveOptions, Status};
use crate::{Outcome, optimize_with_values};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStatus {
    Optimal,
    Feasible,
    Infeasible,
    NoSolution,
    /// The solver itself failed (not infeasibility).
    Error,
    /// Not started: the sweep was interrupted (Ctrl-C) first.
    NotRun,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Optimal => "optimal",
            RowStatus::Feasible => "feasible",
            RowStatus::Infeasible => "infeasible",
            RowStatus::NoSolution => "no_solution",
            RowStatus::Error => "error",
            RowStatus::NotRun => "not_run",
        }
    }

    pub fn has_plan(self) -> bool {
        matches!(self, RowStatus::Optimal | RowStatus::Feasible)
    }
}

/// One scenario's result: what sweep.csv records.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub index: usize,
    pub levels: Vec<usize>,
    pub status: RowStatus,
    /// Wall time of this scenario (network share or copy, model build, solve, plan).
    pub seconds: f64,
    /// Total cost, USD a year (the solver's objective, to the cent).
    pub objective: Option<f64>,
    pub gap: Option<f64>,
    pub kpis: Option<Kpis>,
    /// Why there is no plan: the infeasibility reasons, or the solver's error.
    pub notes: Vec<String>,
}

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Scenarios solved at once (worker threads).
    pub jobs: usize,
    /// Per scenario; `threads` should stay the same for the whole run (HiGHS sizes its thread
    /// pool per OS thread at its first solve).
    pub solve: SolveOptions,
    /// The data folder, for each plan's provenance.
    pub data: String,
    /// The digest of its files ([`crate::input::digest`]), recorded in each plan.
    pub digest: Option<String>,
    /// Where each point (by index) has HiGHS write its log; the folder is created. `None`: silent.
    pub logs: Option<Vec<PathBuf>>,
}

/// What sharing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunStats {
    /// Networks built (one per distinct set of transport and time parameters).
    pub networks_built: usize,
    /// Scenarios that used a shared network as it was.
    pub shared: usize,
    /// Scenarios that used a copy of a shared network with their own cost terms.
    pub copied: usize,
}

/// The parameters the arcs of a network depend on: two scenarios with equal keys have the same
/// arcs (times, modes, leg costs), whatever their cost, demand and policy parameters.
#[derive(Debug, Clone, PartialEq)]
struct ArcKey {
    transport: crate::input::scenario::TransportParams,
    time: crate::input::scenario::TimeParams,
    kinds: Vec<crate::input::scenario::TimeParams>,
}

fn arc_key(s: &Scenario) -> ArcKey {
    ArcKey {
        transport: s.transport.clone(),
        time: s.time.clone(),
        kinds: SiteKind::ALL
            .iter()
            .map(|&k| s.kind(k).time.clone())
            .collect(),
    }
}

/// Solver threads per scenario unless the user asks otherwise. One, whatever `--jobs` is: HiGHS
/// may return a different one of several optimal plans at a different thread count (the cost is
/// the same, a zero-cost flow may not be), so a fixed count keeps the results independent of
/// `--jobs`, and the cores are used by solving scenarios side by side.
pub const SOLVER_THREADS: u32 = 1;

/// Solves every point on `options.jobs` worker threads and returns the rows in grid order.
/// `on_done` is called in the worker as each scenario finishes (in finishing order) with its plan,
/// if it has one, so the caller can write it and report progress without keeping every plan.
pub fn run(
    instance: &Instance,
    points: &[Point],
    options: &RunOptions,
    on_done: &(dyn Fn(&Point, &Row, Option<&Plan>) + Sync),
) -> (Vec<Row>, RunStats) {
    // Group the points by the parameters their arcs depend on; one network per group.
    let mut keys: Vec<ArcKey> = Vec::new();
    let mut group_of = Vec::with_capacity(points.len());
    let mut representative = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let key = arc_key(&p.scenario);
        let g = match keys.iter().position(|k| *k == key) {
            Some(g) => g,
            None => {
                keys.push(key);
                representative.push(i);
                keys.len() - 1
            }
        };
        group_of.push(g);
    }
    let networks: Vec<OnceLock<Network>> = keys.iter().map(|_| OnceLock::new()).collect();
    let built = AtomicUsize::new(0);
    let shared = AtomicUsize::new(0);
    let copied = AtomicUsize::new(0);

    // Warm start: the first point of each network group is solved first; every other point of
    // the group starts from its plan. Which start a point gets does not depend on --jobs, so
    // results stay the same whatever the parallelism.
    let starts: Vec<OnceLock<Option<Arc<Vec<f64>>>>> =
        keys.iter().map(|_| OnceLock::new()).collect();
    let solve_one = |i: usize| -> Row {
        let p = &points[i];
        let start = Instant::now();
        let g = group_of[i];
        let mut row = Row {
            index: p.index,
            levels: p.levels.clone(),
            status: RowStatus::Error,
            seconds: 0.0,
            objective: None,
            gap: None,
            kpis: None,
            notes: Vec::new(),
        };
        if crate::solve::interrupted() {
            // Ctrl-C: no new scenario starts (not even its network); the row says so in sweep.csv.
            row.status = RowStatus::NotRun;
            row.notes = vec!["the sweep was interrupted before it started".into()];
            on_done(p, &row, None);
            return row;
        }
        let net = networks[g].get_or_init(|| {
            built.fetch_add(1, Ordering::Relaxed);
            Network::build(instance, &points[representative[g]].scenario)
        });
        let terms: Vec<SiteTerms> = instance
            .sites
            .iter()
            .map(|s| SiteTerms::new(s, &p.scenario))
            .collect();
        let copy;
        let network = if terms == net.terms {
            shared.fetch_add(1, Ordering::Relaxed);
            net
        } else {
            copied.fetch_add(1, Ordering::Relaxed);
            let mut n = net.clone();
            n.terms = terms;
            copy = n;
            &copy
        };
        let model = p.model.name();
        let provenance = Provenance {
            data: &options.data,
            model: &model,
        };
        let mut plan = None;
        let log = options.logs.as_ref().and_then(|l| l.get(p.index));
        let is_representative = representative[g] == i;
        let solve_options = SolveOptions {
            // the scenario's time limit counts its share of the network too
            started: Some(start),
            log_file: log.cloned().or_else(|| options.solve.log_file.clone()),
            initial_solution: if is_representative {
                None
            } else {
                starts[g].get().cloned().flatten()
            },
            ..options.solve.clone()
        };
        if let Some(dir) = log.and_then(|path| path.parent()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let result =
            optimize_with_values(instance, &p.scenario, network, &solve_options, provenance);
        let result = result.map(|(outcome, values)| {
            if is_representative {
                let start = matches!(outcome, Outcome::Plan(_)).then(|| Arc::new(values));
                let _ = starts[g].set(start);
            }
            outcome
        });
        match result {
            Ok(Outcome::Plan(mut pl)) => {
                pl.instance.digest.clone_from(&options.digest);
                let check = crate::plan_check::check(&pl, instance);
                if check.holds() {
                    row.status = match pl.solver.status {
                        Status::Optimal => RowStatus::Optimal,
                        _ => RowStatus::Feasible,
                    };
                    row.objective = pl.solver.objective;
                    row.gap = pl.solver.gap;
                    row.kpis = Some(pl.kpis.clone());
                    plan = Some(pl);
                } else {
                    // a plan that does not hold is a failure of the solver, never a file
                    row.notes = std::iter::once(crate::plan_check::refusal(&check))
                        .chain(check.violations.iter().map(|v| v.to_string()))
                        .collect();
                }
            }
            Ok(Outcome::Infeasible { reasons, .. }) => {
                row.status = RowStatus::Infeasible;
                row.notes = reasons;
            }
            Ok(Outcome::NoSolution { .. }) => {
                row.status = RowStatus::NoSolution;
                row.notes = vec![if crate::solve::interrupted() {
                    "interrupted before any feasible plan was found".into()
                } else {
                    "the time limit came before any feasible plan; raise --time-limit".into()
                }];
            }
            Err(e) => row.notes = vec![e.to_string()],
        }
        row.seconds = (start.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
        on_done(p, &row, plan.as_deref());
        row
    };

    let workers = options.jobs.clamp(1, points.len().max(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("cartnet-sweep-{i}"))
        .build();
    let rows: Vec<Row> = match pool {
        Ok(pool) => pool.install(|| {
            // The groups' first points, then the others from their plans.
            let first: Vec<(usize, Row)> = representative
                .par_iter()
                .with_max_len(1)
                .map(|&i| (i, solve_one(i)))
                .collect();
            let rest: Vec<(usize, Row)> = (0..points.len())
                .filter(|i| !representative.contains(i))
                .collect::<Vec<_>>()
                .into_par_iter()
                .with_max_len(1)
                .map(|i| (i, solve_one(i)))
                .collect();
            in_grid_order(first, rest)
        }),
        // No threads to be had: solve one after the other on this thread.
        Err(_) => {
            let first: Vec<(usize, Row)> =
                representative.iter().map(|&i| (i, solve_one(i))).collect();
            let rest: Vec<(usize, Row)> = (0..points.len())
                .filter(|i| !representative.contains(i))
                .map(|i| (i, solve_one(i)))
                .collect();
            in_grid_order(first, rest)
        }
    };
    let stats = RunStats {
        networks_built: built.into_inner(),
        shared: shared.into_inner(),
        copied: copied.into_inner(),
    };
    (rows, stats)
}

/// Merges rows solved in two phases back into grid order.
fn in_grid_order(first: Vec<(usize, Row)>, rest: Vec<(usize, Row)>) -> Vec<Row> {
    let mut all: Vec<(usize, Row)> = first.into_iter().chain(rest).collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ModelSource;
    use crate::sweep::{Axis, prepare};
    use std::path::Path;

    fn baseline() -> ModelSource {
        ModelSource::File(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/baseline.toml"))
    }

    #[test]
    fn a_shared_network_with_new_terms_equals_a_rebuilt_one() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
        let instance = Instance::load(&data).unwrap();
        let axes = [Axis::parse("site.setup_cost_owned=1.5e6,3e6").unwrap()];
        let points = prepare(&baseline(), &[], &axes).unwrap();
        assert_eq!(arc_key(&points[0].scenario), arc_key(&points[1].scenario));
        let shared = Network::build(&instance, &points[0].scenario);
        let rebuilt = Network::build(&instance, &points[1].scenario);
        let mut copy = shared.clone();
        copy.terms = instance
            .sites
            .iter()
            .map(|s| SiteTerms::new(s, &points[1].scenario))
            .collect();
        assert_eq!(copy.terms, rebuilt.terms);
        assert_ne!(copy.terms, shared.terms);
        let arcs = |n: &Network| n.graph.edge_weights().cloned().collect::<Vec<_>>();
        assert_eq!(arcs(&copy), arcs(&rebuilt));
        // a time key changes the arcs, so it is not shared
        let axes = [Axis::parse("time.max_vein_to_vein_days=28,16").unwrap()];
        let points = prepare(&baseline(), &[], &axes).unwrap();
        assert_ne!(arc_key(&points[0].scenario), arc_key(&points[1].scenario));
    }
}
