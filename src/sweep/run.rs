//! Running a sweep: the points solved on a pool of workers, networks shared where the arcs agree.

use super::design::Design;
use super::grid::Point;
use crate::input::{Instance, Scenario, SiteKind, SiteTerms};
use crate::network::Network;
use crate::plan::{Kpis, Plan, Provenance};
use crate::solve::{SolveOptions, Status};
use crate::{Outcome, optimize_with_values};
use rayon::prelude::*;
use std::borrow::Cow;
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
    /// The plan's open sites, operating models and platforms (sweep.html and refinement compare
    /// them between points).
    pub design: Option<Design>,
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

/// The points grouped by the parameters their arcs depend on: one network per group.
struct Groups {
    /// Each point's group.
    group_of: Vec<usize>,
    /// Each group's first point, solved first and the one its network is built from.
    representative: Vec<usize>,
    networks: Vec<OnceLock<Network>>,
    /// Each group's warm start: its representative's solution, if it has a plan.
    starts: Vec<OnceLock<Option<Arc<Vec<f64>>>>>,
}

impl Groups {
    fn of(points: &[Point]) -> Groups {
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
        Groups {
            group_of,
            networks: keys.iter().map(|_| OnceLock::new()).collect(),
            starts: keys.iter().map(|_| OnceLock::new()).collect(),
            representative,
        }
    }

    fn is_representative(&self, i: usize) -> bool {
        self.representative[self.group_of[i]] == i
    }
}

/// For each point (by position in `points`), the point whose plan it starts from: its network
/// group's first (itself, for that one). A shard solves those of its points' too, so that its
/// points start where they would in one run.
pub fn warm_starts(points: &[Point]) -> Vec<usize> {
    let groups = Groups::of(points);
    (groups.group_of.iter())
        .map(|&g| groups.representative[g])
        .collect()
}

/// What the workers of a run share.
struct Runner<'a> {
    instance: &'a Instance,
    points: &'a [Point],
    options: &'a RunOptions,
    on_done: &'a (dyn Fn(&Point, &Row, Option<&Plan>) + Sync),
    groups: Groups,
    built: AtomicUsize,
    shared: AtomicUsize,
    copied: AtomicUsize,
}

/// Solves every point on `options.jobs` worker threads and returns the rows in grid order.
/// `on_done` is called in the worker as each scenario finishes (in finishing order) with its plan,
/// if it has one, so the caller can write it and report progress without keeping every plan.
pub fn run(
    instance: &Instance,
    points: &[Point],
    options: &RunOptions,
    on_done: &(dyn Fn(&Point, &Row, Option<&Plan>) + Sync),
) -> (Vec<Row>, RunStats) {
    let runner = Runner {
        instance,
        points,
        options,
        on_done,
        groups: Groups::of(points),
        built: AtomicUsize::new(0),
        shared: AtomicUsize::new(0),
        copied: AtomicUsize::new(0),
    };
    let rows = runner.solve_all();
    let stats = RunStats {
        networks_built: runner.built.into_inner(),
        shared: runner.shared.into_inner(),
        copied: runner.copied.into_inner(),
    };
    (rows, stats)
}

impl Runner<'_> {
    /// Warm start: the first point of each network group is solved first; every other point of
    /// the group starts from its plan. Which start a point gets does not depend on --jobs, so
    /// results stay the same whatever the parallelism.
    fn solve_all(&self) -> Vec<Row> {
        let representative = &self.groups.representative;
        let others: Vec<usize> = (0..self.points.len())
            .filter(|i| !representative.contains(i))
            .collect();
        let workers = self.options.jobs.clamp(1, self.points.len().max(1));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|i| format!("cartnet-sweep-{i}"))
            .build();
        let solve = |&i: &usize| (i, self.solve_one(i));
        match pool {
            Ok(pool) => pool.install(|| {
                // The groups' first points, then the others from their plans.
                let first = representative.par_iter().with_max_len(1).map(solve);
                let first: Vec<(usize, Row)> = first.collect();
                let rest = others.par_iter().with_max_len(1).map(solve).collect();
                in_grid_order(first, rest)
            }),
            // No threads to be had: solve one after the other on this thread.
            Err(_) => {
                let first = representative.iter().map(solve).collect();
                in_grid_order(first, others.iter().map(solve).collect())
            }
        }
    }

    /// Solves point `i` and reports it to `on_done`.
    fn solve_one(&self, i: usize) -> Row {
        let p = &self.points[i];
        let start = Instant::now();
        let mut row = Row {
            index: p.index,
            levels: p.levels.clone(),
            status: RowStatus::Error,
            seconds: 0.0,
            objective: None,
            gap: None,
            kpis: None,
            design: None,
            notes: Vec::new(),
        };
        if crate::solve::interrupted() {
            // Ctrl-C: no new scenario starts (not even its network); the row says so in sweep.csv.
            row.status = RowStatus::NotRun;
            row.notes = vec!["the sweep was interrupted before it started".into()];
            (self.on_done)(p, &row, None);
            return row;
        }
        let network = self.network(i);
        let model = p.model.name();
        let provenance = Provenance {
            data: &self.options.data,
            model: &model,
        };
        let solve_options = self.solve_options(i, start);
        let result = optimize_with_values(
            self.instance,
            &p.scenario,
            &network,
            &solve_options,
            provenance,
        );
        let result = result.map(|(outcome, values)| {
            if self.groups.is_representative(i) {
                let start = matches!(outcome, Outcome::Plan(_)).then(|| Arc::new(values));
                let _ = self.groups.starts[self.groups.group_of[i]].set(start);
            }
            outcome
        });
        let plan = self.record(&mut row, result);
        row.seconds = crate::plan::millis(start.elapsed().as_secs_f64());
        (self.on_done)(p, &row, plan.as_deref());
        row
    }

    /// Point `i`'s network: its group's, shared as it is when the cost terms agree, else a copy
    /// with the point's own terms.
    fn network(&self, i: usize) -> Cow<'_, Network> {
        let g = self.groups.group_of[i];
        let net = self.groups.networks[g].get_or_init(|| {
            self.built.fetch_add(1, Ordering::Relaxed);
            let first = &self.points[self.groups.representative[g]];
            Network::build(self.instance, &first.scenario)
        });
        let terms: Vec<SiteTerms> = (self.instance.sites.iter())
            .map(|s| SiteTerms::new(s, &self.points[i].scenario))
            .collect();
        if terms == net.terms {
            self.shared.fetch_add(1, Ordering::Relaxed);
            Cow::Borrowed(net)
        } else {
            self.copied.fetch_add(1, Ordering::Relaxed);
            let mut copy = net.clone();
            copy.terms = terms;
            Cow::Owned(copy)
        }
    }

    /// The run's solver options for point `i`: its log, its warm start, its clock.
    fn solve_options(&self, i: usize, start: Instant) -> SolveOptions {
        let options = self.options;
        let log = options
            .logs
            .as_ref()
            .and_then(|l| l.get(self.points[i].index));
        if let Some(dir) = log.and_then(|path| path.parent()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let g = self.groups.group_of[i];
        SolveOptions {
            // the scenario's time limit counts its share of the network too
            started: Some(start),
            log_file: log.cloned().or_else(|| options.solve.log_file.clone()),
            initial_solution: if self.groups.is_representative(i) {
                None
            } else {
                self.groups.starts[g].get().cloned().flatten()
            },
            ..options.solve.clone()
        }
    }

    /// Fills `row` from the solver's result; returns the plan if it holds.
    fn record(
        &self,
        row: &mut Row,
        result: Result<Outcome, crate::solve::SolveError>,
    ) -> Option<Box<Plan>> {
        match result {
            Ok(Outcome::Plan(mut pl)) => {
                pl.instance.digest.clone_from(&self.options.digest);
                let check = crate::plan_check::check(&pl, self.instance);
                if check.holds() {
                    row.status = match pl.solver.status {
                        Status::Optimal => RowStatus::Optimal,
                        _ => RowStatus::Feasible,
                    };
                    row.objective = pl.solver.objective;
                    row.gap = pl.solver.gap;
                    row.kpis = Some(pl.kpis.clone());
                    row.design = Some(Design::of(&pl));
                    return Some(pl);
                }
                // a plan that does not hold is a failure of the solver, never a file
                row.notes = std::iter::once(crate::plan_check::refusal(&check))
                    .chain(check.violations.iter().map(|v| v.to_string()))
                    .collect();
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
        None
    }
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
