//! `cartnet sweep`: what-if scenario sweeps (see `cartnet::sweep` and the README's "What-if sweeps" section).
//!
//! Everything is checked before anything is solved or written: the sweep file, every `--set` and
//! `--vary`, every grid point's scenario (through the scenario parser, so the errors are those of
//! `--set`), and the instance. Then the scenarios run on `--jobs` workers with a progress bar on
//! stderr; each plan is written to `OUT/plans/NNN_key=value/` as it finishes; `OUT/sweep.csv`
//! (grid order) and `OUT/sweep.svg` follow, and a table is printed.

use super::{
    EXIT_INFEASIBLE, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_NO_SOLUTION, EXIT_OK, EXIT_SOLVER,
    positive_f64, relative_gap, report_input_errors,
};
use cartnet::export;
use cartnet::fs::folder;
use cartnet::input::error::{InputError, InputErrors};
use cartnet::input::{Instance, ModelSource, Override};
use cartnet::plan::Plan;
use cartnet::solve::SolveOptions;
use cartnet::sweep::{self, Axis, Point, Row, RowStatus, RunOptions, Source, SweepFile};
use cartnet::text::{printable, printable_path};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

mod merge;
mod refine;
mod shard;

pub use merge::MergeArgs;
pub use shard::parse_arg as parse_shard;

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// A key to vary: KEY=FROM..TO/STEPS (STEPS evenly spaced points, both ends included) or
    /// KEY=A,B,C. KEY is any key --set accepts, or `model` with a list of scenario files.
    /// Repeat for a grid (row-major: the first --vary outermost).
    #[arg(long = "vary", value_name = "KEY=VALUES")]
    pub vary: Vec<String>,
    /// A named sweep (TOML), e.g. models/sweeps/setup-cost.toml. Command-line options override
    /// its settings; --vary adds axes after its own.
    #[arg(long = "sweep", value_name = "FILE")]
    pub sweep: Option<PathBuf>,
    /// Folder with demand.csv, hospitals.csv, sites.csv and optional lanes.csv, or a workbook
    /// FILE.xlsx with those sheets [default: the sweep file's, else data/demo].
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Base scenario file [default: the sweep file's, else the baseline built into cartnet,
    /// the same as models/baseline.toml].
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Override a scenario key in every scenario, e.g. --set policy.max_sites=6 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Output folder for sweep.csv, sweep.svg and plans/ [default: the sweep file's, else
    /// out/sweep].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Scenarios solved at once [default: the number of cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
    /// Solver threads per scenario, 1 to 256 [default: 1, so that results do not depend on --jobs; HiGHS
    /// may pick a different one of equally cheap plans at another thread count].
    #[arg(long, value_name = "N")]
    pub threads: Option<u64>,
    /// Seconds per scenario; a scenario stopped by it keeps its best plan and proven gap. Its
    /// network, model build, solve and plan files all count.
    #[arg(long, value_name = "S", value_parser = positive_f64)]
    pub time_limit: Option<f64>,
    /// Relative gap at which each scenario's search stops, in [0, 1) [default: 1e-6].
    #[arg(long, value_name = "G", value_parser = relative_gap)]
    pub gap: Option<f64>,
    /// Write each scenario's HiGHS log beside its plan (OUT/plans/*/highs.log), and print one
    /// line per finished scenario on stderr.
    #[arg(short, long)]
    pub verbose: bool,
    /// Between neighbouring points whose open sites or operating models differ, bisect the
    /// varied key until the change is located; print the tipping points and write
    /// tipping_points.csv.
    #[arg(long)]
    pub refine: bool,
    /// How closely --refine locates a change: a share of the grid step (1%) or a width in the
    /// key's units (5000) [default: 1%].
    #[arg(long, value_name = "TOL", value_parser = cartnet::sweep::refine::Tolerance::parse)]
    pub refine_tol: Option<cartnet::sweep::refine::Tolerance>,
    /// Run only shard K of N (from 0): the grid points whose index i has i mod N = K, into
    /// OUT/shard-K-of-N.csv for `cartnet sweep merge` (README "Running on a cluster").
    #[arg(long, value_name = "K/N", value_parser = shard::parse_arg, conflicts_with = "refine")]
    pub shard: Option<cartnet::sweep::shard::Shard>,
    /// With --shard: write each point's plan too, into OUT/plans/ [default: only the shard file].
    #[arg(long, requires = "shard")]
    pub plans: bool,
    #[command(subcommand)]
    pub command: Option<SweepCommand>,
}

#[derive(Debug, clap::Subcommand)]
pub enum SweepCommand {
    /// Merge the shard files of a sweep into the files one run writes (sweep.csv, sweep.svg,
    /// sweep.html).
    Merge(merge::MergeArgs),
}

/// Everything the run needs, checked.
struct Study {
    title: String,
    data: PathBuf,
    model: ModelSource,
    out: PathBuf,
    sets: Vec<(Override, Source)>,
    axes: Vec<Axis>,
    points: Vec<Point>,
    instance: Instance,
    time_limit: Option<f64>,
    gap: f64,
}

/// Reads and checks the whole study, collecting every error.
fn load(args: &SweepArgs) -> Result<Study, (InputErrors, PathBuf)> {
    let mut errors = Vec::new();
    let file = match &args.sweep {
        Some(path) => match SweepFile::load(path) {
            Ok(f) => Some(f),
            Err(e) => {
                errors.extend(e.0);
                None
            }
        },
        None => None,
    };
    let file_ref = file.as_ref();
    let data = args
        .data
        .clone()
        .or_else(|| file_ref.and_then(|f| f.data.clone()))
        .unwrap_or_else(|| "data/demo".into());
    let model = ModelSource::from_option(
        args.model
            .clone()
            .or_else(|| file_ref.and_then(|f| f.model.clone())),
    );
    let out = args
        .out
        .clone()
        .or_else(|| file_ref.and_then(|f| f.out.clone()))
        .unwrap_or_else(|| "out/sweep".into());
    let (sets, axes) = sets_and_axes(args, file_ref, &mut errors);
    let (points, instance) = expand(&model, &sets, &axes, &data, &mut errors);
    let title = file_ref
        .and_then(|f| f.title.clone())
        .unwrap_or_else(|| default_title(&axes));
    match (points, instance) {
        (Some(points), Some(instance)) if errors.is_empty() => Ok(Study {
            title,
            data,
            model,
            out,
            sets,
            axes,
            points,
            instance,
            time_limit: args.time_limit.or(file_ref.and_then(|f| f.time_limit)),
            gap: args
                .gap
                .or(file_ref.and_then(|f| f.gap))
                .unwrap_or(cartnet::solve::OPTIMAL_GAP),
        }),
        _ => Err((InputErrors(errors), data)),
    }
}

/// The overrides and axes of the sweep file, then of `--set` and `--vary`; the errors of the
/// flags go to `errors`.
fn sets_and_axes(
    args: &SweepArgs,
    file: Option<&SweepFile>,
    errors: &mut Vec<InputError>,
) -> (Vec<(Override, Source)>, Vec<Axis>) {
    let mut sets: Vec<(Override, Source)> = file.map(|f| f.set.clone()).unwrap_or_default();
    for s in &args.set {
        match Override::parse(s) {
            Ok(o) => sets.push((o, Source::flag("--set"))),
            Err(e) => errors.push(e),
        }
    }
    let mut axes: Vec<Axis> = file.map(|f| f.axes.clone()).unwrap_or_default();
    for v in &args.vary {
        match Axis::parse(v) {
            Ok(a) => axes.push(a),
            Err(e) => errors.push(e),
        }
    }
    (sets, axes)
}

/// The grid's points (when nothing so far went wrong) and the instance, each checked; their
/// errors go to `errors`.
fn expand(
    model: &ModelSource,
    sets: &[(Override, Source)],
    axes: &[Axis],
    data: &Path,
    errors: &mut Vec<InputError>,
) -> (Option<Vec<Point>>, Option<Instance>) {
    // A broken sweep file or argument leaves nothing sensible to expand.
    let points = if errors.is_empty() {
        match sweep::prepare(model, sets, axes) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.extend(e.0);
                None
            }
        }
    } else {
        None
    };
    let instance = match Instance::load(data) {
        Ok(i) => Some(i),
        Err(e) => {
            errors.extend(e.0);
            None
        }
    };
    if let (Some(points), Some(instance)) = (&points, &instance) {
        // the first grid point whose horizon grows demand out of range, if any
        errors.extend(
            points
                .iter()
                .find_map(|p| instance.check_growth(&p.scenario).err())
                .map(|e| cartnet::input::workbook::locate_in(data, e)),
        );
    }
    (points, instance)
}

/// The title of a sweep file without one: the keys varied.
fn default_title(axes: &[Axis]) -> String {
    format!(
        "cartnet sweep: {}",
        axes.iter()
            .map(|a| a.key.as_str())
            .collect::<Vec<_>>()
            .join(" x ")
    )
}

/// The files a plan folder holds; a stale folder holding only these is removed.
const PLAN_FILES: [&str; 6] = [
    "plan.json",
    "sites.csv",
    "patient_flows.csv",
    "batch_flows.csv",
    "plan.geojson",
    "highs.log",
];

/// Removes the plan folders a previous sweep left in `plans`, so the folder matches the new
/// sweep.csv (a scenario now infeasible must not keep an old plan). Only folders named like ours
/// (`NNN_...`) holding nothing but plan files go.
fn remove_stale(plans: &Path) {
    let Ok(entries) = std::fs::read_dir(plans) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name
            .split_once('_')
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if !ours || !entry.path().is_dir() {
            continue;
        }
        let only_plan_files = std::fs::read_dir(entry.path()).is_ok_and(|files| {
            files
                .flatten()
                .all(|f| PLAN_FILES.contains(&f.file_name().to_string_lossy().as_ref()))
        });
        if only_plan_files {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn progress_bar(n: usize) -> ProgressBar {
    let pb = ProgressBar::new(n as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:32} {pos}/{len} scenarios (eta {eta}) {msg}",
    ) {
        pb.set_style(style);
    }
    pb
}

/// `cartnet sweep`: every scenario of the grid solved, each plan in its folder, then
/// sweep.csv and its chart.
pub fn run(args: SweepArgs) -> u8 {
    if let Some(SweepCommand::Merge(merge)) = &args.command {
        return merge::run(merge);
    }
    let started = Instant::now();
    let threads = match super::solver_args::threads(args.threads) {
        Ok(t) => t.unwrap_or(sweep::SOLVER_THREADS),
        Err(code) => return code,
    };
    let study = match load(&args) {
        Ok(s) => s,
        Err((errors, data)) => return report_input_errors(&errors, &data),
    };
    let refine_tol = match refine::check(args.refine, args.refine_tol, &study.axes) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if let Err(code) = super::check_out(folder::check_out(&study.out)) {
        return code;
    }
    // read again just after the instance: a change in between shows up as a digest mismatch
    let digest = match read_digest(&study.data) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if let Some(part) = args.shard {
        return shard::run(&args, &study, part, (digest, threads), started);
    }
    let workers = workers(args.jobs, study.points.len());
    let plans_dir = study.out.join("plans");
    let folders = plan_folders(&study);
    // held for the whole sweep: sweep.csv, the chart and plans/ are one run's
    let _lock = match claim_plans(&study.out, &plans_dir) {
        Ok(lock) => lock,
        Err(code) => return code,
    };
    if args.verbose {
        describe(&study, &plans_dir, workers, threads);
    }
    // -v: each scenario's HiGHS log beside its plan
    let logs = args.verbose.then(|| {
        folders
            .iter()
            .map(|f| plans_dir.join(f).join("highs.log"))
            .collect()
    });
    let options = run_options(&study, (workers, threads), digest, logs);
    let (rows, write_errors) = solve(
        &study,
        &study.points,
        &options,
        (&plans_dir, &folders),
        args.verbose,
        &|_| true,
    );
    let tipping = refine_tol
        .filter(|_| !cartnet::solve::interrupted())
        .and_then(|tol| tipping_points(&study, &options, &rows, tol, args.verbose));
    finish(
        &study,
        (&rows, tipping.as_deref()),
        &folders,
        write_errors.is_empty(),
        workers,
        started,
    )
}

/// Scenarios solved at once: `--jobs`, else the cores; never more than the `n` scenarios.
fn workers(jobs: Option<u32>, n: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    jobs.map_or(cores, |j| j as usize).min(n).max(1)
}

/// The run's settings: `workers` scenarios at once, each on `threads` solver threads.
fn run_options(
    study: &Study,
    (workers, threads): (usize, u32),
    digest: String,
    logs: Option<Vec<PathBuf>>,
) -> RunOptions {
    RunOptions {
        jobs: workers,
        solve: SolveOptions {
            time_limit: study.time_limit,
            gap: study.gap,
            threads: Some(threads),
            ..SolveOptions::default()
        },
        data: study.data.display().to_string(),
        digest: Some(digest),
        logs,
    }
}

/// `--refine`: the tipping points between the rows, solved as the grid was; `None` if the
/// refinement could not finish.
fn tipping_points(
    study: &Study,
    options: &RunOptions,
    rows: &[Row],
    tol: sweep::refine::Tolerance,
    verbose: bool,
) -> Option<Vec<sweep::refine::Bracket>> {
    let refiner = sweep::refine::Refiner {
        instance: &study.instance,
        model: &study.model,
        sets: &study.sets,
        axes: &study.axes,
        options,
    };
    refine::locate(&refiner, rows, tol, verbose)
}

/// Each point's plan folder under plans/, by its levels.
fn plan_folders(study: &Study) -> Vec<String> {
    let n = study.points.len();
    study
        .points
        .iter()
        .map(|p| sweep::folder_name(&study.axes, p.index, &p.levels, n))
        .collect()
}

/// After the scenarios: sweep.csv and the chart written, the results and failures printed;
/// the exit code.
fn finish(
    study: &Study,
    (rows, tipping): (&[Row], Option<&[sweep::refine::Bracket]>),
    folders: &[String],
    written_all: bool,
    workers: usize,
    started: Instant,
) -> u8 {
    let interrupted = cartnet::solve::interrupted();
    let Some(written) = write_outputs(study, rows, folders, tipping) else {
        return EXIT_INPUT;
    };
    print_results(study, rows, &written, workers, started);
    if let Some(points) = tipping {
        refine::print(&study.axes, points);
    }
    report_failures(rows, folders);
    if interrupted {
        report_interrupted(rows, started);
        EXIT_INTERRUPTED
    } else if !written_all {
        EXIT_INPUT
    } else {
        exit_code(rows)
    }
}

/// The digest of the instance's files; the exit code if they cannot be read.
fn read_digest(data: &Path) -> Result<String, u8> {
    cartnet::input::digest::of_folder(data).map_err(|e| {
        eprintln!("error: cannot read the instance's files: {e}");
        EXIT_INPUT
    })
}

/// Creates `out/plans`, takes the output folder's lock and removes the plans a previous sweep
/// left there.
fn claim_plans(out: &Path, plans_dir: &Path) -> Result<folder::FolderLock, u8> {
    if let Err(e) = std::fs::create_dir_all(plans_dir) {
        eprintln!("error: cannot create {}: {e}", plans_dir.display());
        return Err(EXIT_INPUT);
    }
    let lock = match folder::lock(out) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}; nothing was done");
            return Err(EXIT_INPUT);
        }
    };
    remove_stale(plans_dir);
    Ok(lock)
}

/// -v: where the logs go and what is about to run.
fn describe(study: &Study, plans_dir: &Path, workers: usize, threads: u32) {
    eprintln!("HiGHS logs: {}/*/highs.log", plans_dir.display());
    eprintln!(
        "sweep: {} scenarios ({}), {workers} at once, {threads} solver thread{} each",
        study.points.len(),
        study
            .axes
            .iter()
            .map(|a| format!("{} x{}", a.key, a.levels.len()))
            .collect::<Vec<_>>()
            .join(", "),
        if threads == 1 { "" } else { "s" }
    );
}

/// Runs `points` (the study's, or a shard's) with a progress bar, writing each plan as it
/// comes when `keep` says so for its grid index; returns the rows and the plans that could not
/// be written.
fn solve(
    study: &Study,
    points: &[Point],
    options: &RunOptions,
    (plans_dir, folders): (&Path, &[String]),
    verbose: bool,
    keep: &(dyn Fn(usize) -> bool + Sync),
) -> (Vec<Row>, Vec<String>) {
    let n = points.len();
    let pb = progress_bar(n);
    let write_errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let on_done = |p: &Point, row: &Row, plan: Option<&Plan>| {
        let folder = &folders[p.index];
        if let Some(plan) = plan.filter(|_| keep(p.index))
            && let Err(e) = export::write_plan(&plans_dir.join(folder), plan, &study.instance)
        {
            write_errors
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(format!("cannot write the plan to {folder}: {e}"));
        }
        if verbose {
            let what = finished_line(row);
            pb.suspend(|| eprintln!("{folder}: {what} ({:.2} s)", row.seconds));
        }
        pb.inc(1);
    };
    let (rows, stats) = sweep::run(&study.instance, points, options, &on_done);
    pb.finish_and_clear();
    if verbose {
        eprintln!(
            "networks built: {} for {n} scenarios ({} used one as built, {} a copy with their own cost terms)",
            stats.networks_built, stats.shared, stats.copied
        );
    }
    let write_errors = write_errors.into_inner().unwrap_or_else(|e| e.into_inner());
    for e in &write_errors {
        eprintln!("error: {e}");
    }
    (rows, write_errors)
}

/// -v: one finished scenario, as its line on stderr says it.
fn finished_line(row: &Row) -> String {
    match (row.objective, &row.kpis) {
        (Some(obj), Some(k)) => format!(
            "{} {} a year, {} site{} ({} owned, {} franchise), {} platforms",
            row.status.as_str(),
            cartnet::text::usd(obj),
            k.sites_open,
            if k.sites_open == 1 { "" } else { "s" },
            k.owned,
            k.franchise,
            k.platforms
        ),
        _ => format!(
            "{}{}",
            row.status.as_str(),
            row.notes
                .first()
                .map_or(String::new(), |r| format!(": {}", printable(r)))
        ),
    }
}

/// Writes the sweep's summary set ([`export::sweep_set`]); `None` if sweep.csv cannot be
/// written. Returns what was written.
fn write_outputs(
    study: &Study,
    rows: &[Row],
    folders: &[String],
    tipping: Option<&[sweep::refine::Bracket]>,
) -> Option<Vec<&'static str>> {
    let csv_folders: Vec<String> = rows
        .iter()
        .map(|r| {
            if r.status.has_plan() {
                format!("plans/{}", folders[r.index])
            } else {
                String::new()
            }
        })
        .collect();
    let summary = export::sweep_html::Page {
        title: &study.title,
        subtitle: &subtitle(study),
        axes: &study.axes,
        rows,
        folders: &csv_folders,
        svg: None,
        tipping,
    };
    written_or_report(export::sweep_set::write(&study.out, &summary))
}

/// Prints the problems of a summary set written; `None` (said on stderr) if it was not.
fn written_or_report(
    written: std::io::Result<export::sweep_set::Written>,
) -> Option<Vec<&'static str>> {
    match written {
        Ok(w) => {
            for p in &w.problems {
                eprintln!("{p}");
            }
            Some(w.files)
        }
        Err(e) => {
            eprintln!("error: cannot write sweep.csv: {e}");
            None
        }
    }
}

/// What was swept on what: `7 scenarios; data data/demo, model models/baseline.toml`.
fn subtitle(study: &Study) -> String {
    let model = if study.axes.iter().any(|a| a.key == sweep::MODEL_KEY) {
        "varied".to_string()
    } else {
        printable(&study.model.name()).into_owned()
    };
    format!(
        "{} scenarios; data {}, model {model}",
        study.points.len(),
        printable_path(&study.data)
    )
}

/// The title line, the table and what was written, on stdout.
fn print_results(study: &Study, rows: &[Row], written: &[&str], workers: usize, started: Instant) {
    println!(
        "{} ({}; {workers} at once, {:.1} s)\n",
        printable(&study.title),
        subtitle(study),
        started.elapsed().as_secs_f64()
    );
    print!("{}", export::sweep::render_table(&study.axes, rows));
    let planned = rows.iter().filter(|r| r.status.has_plan()).count();
    println!(
        "\nwritten to {}: {}, {planned} plan folder{} in plans/",
        printable_path(&study.out),
        written.join(", "),
        if planned == 1 { "" } else { "s" }
    );
}

fn count(rows: &[Row], status: RowStatus) -> usize {
    rows.iter().filter(|r| r.status == status).count()
}

/// Each scenario without a plan (and not merely unstarted) and why, then the tally, on stderr.
fn report_failures(rows: &[Row], folders: &[String]) {
    for r in rows
        .iter()
        .filter(|r| !r.status.has_plan() && r.status != RowStatus::NotRun)
    {
        eprintln!(
            "scenario {} ({}): {}",
            r.index + 1,
            folders[r.index],
            r.status.as_str()
        );
        for note in r.notes.iter().take(3) {
            eprintln!("  - {}", printable(note));
        }
    }
    let (infeasible, no_solution, failed) = (
        count(rows, RowStatus::Infeasible),
        count(rows, RowStatus::NoSolution),
        count(rows, RowStatus::Error),
    );
    if infeasible + no_solution + failed > 0 {
        eprintln!(
            "{} of {} scenarios have no plan ({infeasible} infeasible, {no_solution} no solution within the limit, \
             {failed} solver errors); sweep.csv lists every status.",
            infeasible + no_solution + failed,
            rows.len()
        );
    }
}

fn report_interrupted(rows: &[Row], started: Instant) {
    let planned = rows.iter().filter(|r| r.status.has_plan()).count();
    let stopped = count(rows, RowStatus::Feasible);
    eprintln!(
        "interrupted after {:.1} s: {} of {} scenarios have a plan ({stopped} of them \
         feasible, with their gap), {} not run; sweep.csv lists every scenario, the \
         unstarted ones as not_run.",
        started.elapsed().as_secs_f64(),
        planned,
        rows.len(),
        count(rows, RowStatus::NotRun)
    );
}

/// The exit code of a finished (not interrupted) sweep whose plans were all written: the worst
/// scenario's.
fn exit_code(rows: &[Row]) -> u8 {
    if count(rows, RowStatus::Error) > 0 {
        EXIT_SOLVER
    } else if count(rows, RowStatus::NoSolution) > 0 {
        EXIT_NO_SOLUTION
    } else if count(rows, RowStatus::Infeasible) > 0 {
        EXIT_INFEASIBLE
    } else {
        EXIT_OK
    }
}
