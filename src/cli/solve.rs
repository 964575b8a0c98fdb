//! `cartnet solve`: load, build the network, optimize, write the plan, print the summary.

mod two_stage;

use super::{
    EXIT_INFEASIBLE, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_NO_SOLUTION, EXIT_OK, InputArgs,
    positive_f64, relative_gap, report_input_errors, solver_args,
};
use cartnet::export;
use cartnet::fs::folder;
use cartnet::input::digest;
use cartnet::input::{Instance, Scenario};
use cartnet::model::DemandGroups;
use cartnet::network::Network;
use cartnet::plan::Plan;
use cartnet::plan::Provenance;
use cartnet::solve::lagrangian::BRANCH_MAX_GAP;
use cartnet::solve::{Lagrangian, LagrangianSummary, SolveOptions};
use cartnet::stochastic::Method;
use cartnet::text::{printable, printable_path};
use cartnet::{Outcome, optimize};
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
pub struct SolveArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder for plan.json and the CSV tables.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Stop after this many seconds with the best plan found and its proven gap. The whole run
    /// counts: loading, building the model, solving and writing the plan.
    #[arg(long, value_name = "S", value_parser = positive_f64)]
    pub time_limit: Option<f64>,
    /// Stop when the proven relative gap is at most G, in [0, 1) (e.g. 0.005 for 0.5 %).
    #[arg(long, value_name = "G", default_value_t = cartnet::solve::OPTIMAL_GAP, value_parser = relative_gap)]
    pub gap: f64,
    /// Solver threads, 1 to 256 (default: HiGHS's choice; the single-source search's own branch
    /// and bound: every core).
    #[arg(long, value_name = "N")]
    pub threads: Option<u64>,
    /// A HiGHS option by name, for tuning (e.g. --highs-option mip_heuristic_effort=0.2).
    #[arg(long = "highs-option", value_name = "NAME=VALUE", value_parser = name_value)]
    pub highs_options: Vec<(String, String)>,
    /// Give HiGHS every strengthening row up front instead of adding violated ones in
    /// cutting-plane rounds (same optimum; for comparison).
    #[arg(long)]
    pub eager_rows: bool,
    /// Start with the Lagrangian relaxation (a strong bound, a plan, and sites proven open or
    /// closed in every better plan, plus a covering row): `auto` on large single-year models it
    /// covers (more than 10,000 cell arcs, no hospital capacities, site counts, single sourcing,
    /// franchise share or minimum utilization), `on` on every one it covers, `off` never
    #[arg(long, value_enum, default_value_t = LagrangianArg::Auto)]
    pub lagrangian: LagrangianArg,
    /// After writing the plan, check it independently (as `cartnet verify` does); a plan that
    /// does not hold exits with code 1 and lists its violations.
    #[arg(long)]
    pub verify: bool,
    /// Write the exact model HiGHS solves to FILE (.mps or .lp), to solve it elsewhere.
    #[arg(long, value_name = "FILE", value_parser = model_file)]
    pub write_model: Option<PathBuf>,
    /// Plan one network for the scenarios of FILE (`id,probability,<key>,...`; see README
    /// "Planning for uncertain futures"): a two-stage plan. A model with an `[uncertainty]`
    /// table of samples makes one too; giving both is a usage error.
    #[arg(long, value_name = "FILE.csv")]
    pub scenarios: Option<PathBuf>,
    /// Two-stage plans: scenarios solved side by side, each on one solver thread [default: the
    /// number of cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub jobs: Option<u64>,
    /// Two-stage plans: how the shared design is found: `auto` (the extensive form where it is
    /// small, the decomposition where it exceeds 500,000 arcs over the scenarios and the
    /// decomposition applies), `decomposition` (L-shaped) or `extensive` (all scenarios in one
    /// model).
    #[arg(long, value_enum, default_value_t = MethodArg::Auto)]
    pub method: MethodArg,
    /// Write HiGHS's log to OUT/highs.log, and print the network and model sizes and what the
    /// Lagrangian relaxation did on stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

/// The values of `--lagrangian` (`cartnet solve`, `cartnet bench`), mapped to the library's
/// [`Lagrangian`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LagrangianArg {
    /// On single-year models it covers with more than 10,000 strengthening rows (cell arcs)
    Auto,
    /// On every model it covers
    On,
    /// Never
    Off,
}

impl From<LagrangianArg> for Lagrangian {
    fn from(arg: LagrangianArg) -> Lagrangian {
        match arg {
            LagrangianArg::Auto => Lagrangian::Auto,
            LagrangianArg::On => Lagrangian::On,
            LagrangianArg::Off => Lagrangian::Off,
        }
    }
}

/// The values of `--method` (two-stage plans), mapped to the library's [`Method`] (`None`:
/// the library chooses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// The extensive form where it is small (the demo), the decomposition where it is large
    Auto,
    /// The multi-cut L-shaped method
    Decomposition,
    /// All scenarios in one model
    Extensive,
}

impl MethodArg {
    fn method(self) -> Option<Method> {
        match self {
            MethodArg::Auto => None,
            MethodArg::Decomposition => Some(Method::Decomposition),
            MethodArg::Extensive => Some(Method::ExtensiveForm),
        }
    }
}

fn model_file(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    match p.extension().and_then(|e| e.to_str()) {
        Some("mps" | "lp") => Ok(p),
        _ => Err(format!("\"{s}\" must end in .mps or .lp")),
    }
}

fn name_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("\"{s}\" is not of the form NAME=VALUE")),
    }
}

pub fn run(args: SolveArgs) -> u8 {
    match solve(args) {
        Ok(code) | Err(code) => code,
    }
}

/// The steps of `cartnet solve`; `Err` is an early exit with its code.
fn solve(args: SolveArgs) -> Result<u8, u8> {
    let started = Instant::now();
    let threads = solver_args::threads(args.threads)?;
    solver_args::highs_options(&args.highs_options)?;
    super::check_out(folder::check_out(&args.out))?;
    let (instance, scenario, digest) = load(&args.input)?;
    if let Some(set) = two_stage::scenario_set(&args, &instance)? {
        let options = solve_options(&args, started, threads)?;
        let loaded = two_stage::Loaded {
            instance: &instance,
            base: &scenario,
            digest,
        };
        return two_stage::solve(&args, &set, loaded, &options);
    }
    if let Some(path) = &args.write_model {
        create_model_file(path)?;
    }
    let network = Network::build(&instance, &scenario);
    let options = solve_options(&args, started, threads)?;
    if args.verbose {
        print_sizes(&instance, &network);
    }
    let data = args.input.data.display().to_string();
    let model = args.input.model_source().name();
    let provenance = Provenance {
        data: &data,
        model: &model,
    };
    let outcome = optimize(&instance, &scenario, &network, &options, provenance)
        .map_err(|e| solver_args::solve_failed(&e))?;
    let interrupted = cartnet::solve::interrupted();
    Ok(match outcome {
        Outcome::Plan(mut plan) => {
            plan.instance.digest = Some(digest);
            let at = Finished {
                data: &data,
                network: &network,
                started,
                interrupted,
            };
            deliver(&args, &plan, &instance, at)?
        }
        Outcome::Infeasible { reasons, seconds } => {
            report_infeasible(&reasons, seconds, interrupted)
        }
        Outcome::NoSolution {
            seconds,
            best_bound,
        } => report_no_solution(seconds, best_bound, interrupted),
    })
}

/// The solver's options from the flags.
fn solve_options(
    args: &SolveArgs,
    started: Instant,
    threads: Option<u32>,
) -> Result<SolveOptions, u8> {
    Ok(SolveOptions {
        time_limit: args.time_limit,
        started: Some(started),
        gap: args.gap,
        threads,
        log_file: log_file(args)?,
        highs_options: args.highs_options.clone(),
        lazy_rows: !args.eager_rows,
        write_model: args.write_model.clone(),
        initial_solution: None,
        start_basis: None,
        lagrangian: args.lagrangian.into(),
    })
}

/// The instance, its scenario and the digest of its files, read under the data folder's shared
/// lock: no run replaces the instance while it is read.
fn load(input: &InputArgs) -> Result<(Instance, Scenario, String), u8> {
    let data_dir = &input.data;
    let read = || (input.load(), digest::of_folder(data_dir));
    let (loaded, digest) = folder::read_locked(data_dir, read).map_err(|e| {
        eprintln!("{e}; nothing was done");
        EXIT_INPUT
    })?;
    let (instance, scenario) = loaded.map_err(|e| report_input_errors(&e, data_dir))?;
    let digest = digest.map_err(|e| {
        eprintln!("error: cannot read the instance's files: {e}");
        EXIT_INPUT
    })?;
    Ok((instance, scenario, digest))
}

/// Creates the `--write-model` file early, before solving, so a path that cannot be written
/// fails at once.
fn create_model_file(path: &Path) -> Result<(), u8> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    dir.map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::File::create(path).map(drop))
        .map_err(|e| {
            eprintln!("error: cannot write the model to {}: {e}", path.display());
            EXIT_INPUT
        })
}

/// HiGHS's log file under `--verbose` (OUT/highs.log, its folder created), else none.
fn log_file(args: &SolveArgs) -> Result<Option<PathBuf>, u8> {
    if !args.verbose {
        return Ok(None);
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("cannot create {}: {e}", args.out.display());
        return Err(EXIT_INPUT);
    }
    let path = args.out.join("highs.log");
    eprintln!("HiGHS log: {}", path.display());
    Ok(Some(path))
}

/// The network's and the model's sizes, on stderr.
fn print_sizes(instance: &Instance, network: &Network) {
    let size = network.size();
    eprintln!(
        "network: {} demand points, {} hospitals, {} sites; {} patient arcs, {} cell arcs",
        size.demand_points, size.hospitals, size.sites, size.patient_arcs, size.cell_arcs
    );
    let groups = DemandGroups::build(instance, network);
    eprintln!(
        "model: {} demand points in {} groups of interchangeable points (same hospitals, \
         patient costs and growth), {} patient-flow columns a year",
        size.demand_points,
        groups.len(),
        groups.arcs.len()
    );
}

/// How the solve that found a plan went: for the messages after it.
struct Finished<'a> {
    data: &'a str,
    network: &'a Network,
    started: Instant,
    interrupted: bool,
}

/// A plan found: checked, written, summarized, then verified if asked; the exit code.
fn deliver(args: &SolveArgs, plan: &Plan, instance: &Instance, at: Finished<'_>) -> Result<u8, u8> {
    if let (true, Some(l)) = (args.verbose, &plan.solver.lagrangian) {
        print_lagrangian(l);
    }
    check_before_writing(plan, instance, args.verbose)?;
    let written = write(&args.out, plan, instance)?;
    let size = at.network.size();
    println!(
        "cartnet {} plan for {} ({} demand points, {} hospitals, {} candidate sites)\n",
        plan.solver.status.as_str(),
        printable(at.data),
        size.demand_points,
        size.hospitals,
        size.sites
    );
    print_summary(plan, instance, &args.out, &written);
    if let Some(path) = &args.write_model {
        report_model_file(path);
    }
    if at.interrupted {
        report_interrupted_plan(plan, at.started, args.verify);
        return Ok(EXIT_INTERRUPTED);
    }
    if args.verify {
        let plan_file = args.out.join("plan.json");
        return Ok(super::verify::check(
            &plan_file,
            Some(&args.input.data),
            None,
            false,
            true,
        ));
    }
    Ok(EXIT_OK)
}

/// What the Lagrangian relaxation did, on stderr.
/// The plan's summary and the files written, on stdout.
fn print_summary(plan: &Plan, instance: &Instance, out: &Path, written: &[PathBuf]) {
    print!("{}", export::summary::render(plan, instance));
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    println!("\nwritten to {}: {}", printable_path(out), names.join(", "));
}

fn print_lagrangian(l: &LagrangianSummary) {
    let money = cartnet::text::usd;
    let not_run = format!(
        "not run (the best plan more than {} % above the bound)",
        BRANCH_MAX_GAP * 100.0
    );
    eprintln!(
        "lagrangian relaxation: bound {} after {} rounds; best of {} plans {} (a search over {} \
         sites); \
         {} sites closed and {} open in every better plan; branch and bound over the \
         sites left: {}; {:.2} s",
        money(l.bound),
        l.rounds,
        l.plans,
        l.best_plan.map_or("none".to_string(), money),
        l.restricted_sites,
        l.sites_closed,
        l.sites_open,
        match (l.branch_nodes, l.branch_finished) {
            (None, _) => not_run,
            (Some(n), true) => format!("{n} nodes, finished"),
            (Some(n), false) => format!("{n} nodes, stopped"),
        },
        l.seconds
    );
}

/// Writes the plan's files to `out`; the files written.
fn write(out: &Path, plan: &Plan, instance: &Instance) -> Result<Vec<PathBuf>, u8> {
    match export::write_plan(out, plan, instance) {
        Ok(w) => Ok(w),
        Err(e @ folder::FolderError::Io { .. }) => {
            eprintln!(
                "error: cannot write the plan to {}: {e}; the files there are as they were.",
                out.display()
            );
            Err(EXIT_INPUT)
        }
        Err(e) => {
            eprintln!("{e}; the plan was not written, the files there are as they were.");
            Err(EXIT_INPUT)
        }
    }
}

/// Where `--write-model` wrote the model, or why it is empty.
fn report_model_file(path: &Path) {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        println!("model written to {}", printable_path(path));
    } else {
        eprintln!(
            "note: the model has nothing to decide, so HiGHS was not run and {} is empty",
            path.display()
        );
    }
}

/// The note after a plan written on Ctrl-C.
fn report_interrupted_plan(plan: &Plan, started: Instant, verify: bool) {
    let gap = plan
        .solver
        .gap
        .map_or("unknown".to_string(), |g| format!("{:.4} %", g * 100.0));
    eprintln!(
        "interrupted after {:.1} s: the plan written is the best found so far ({}, gap {gap}){}",
        started.elapsed().as_secs_f64(),
        plan.solver.status.as_str(),
        if verify {
            "; --verify skipped (run cartnet verify on it)"
        } else {
            ""
        }
    );
}

/// No plan satisfies the constraints: the reasons found; the exit code.
fn report_infeasible(reasons: &[String], seconds: f64, interrupted: bool) -> u8 {
    eprintln!(
        "infeasible ({seconds:.2} s): no plan satisfies the constraints; nothing was written."
    );
    infeasible_reasons(reasons, interrupted)
}

/// The reasons of an infeasible model, one a line under its message; the exit code.
fn infeasible_reasons(reasons: &[String], interrupted: bool) -> u8 {
    for r in reasons {
        eprintln!("  - {}", printable(r));
    }
    if interrupted {
        EXIT_INTERRUPTED
    } else {
        EXIT_INFEASIBLE
    }
}

/// No plan before the limit or the interrupt; the exit code.
fn report_no_solution(seconds: f64, best_bound: Option<f64>, interrupted: bool) -> u8 {
    let bound = best_bound.map_or(String::new(), |b| {
        format!(" (best bound {})", cartnet::text::usd(b))
    });
    if interrupted {
        eprintln!(
            "interrupted after {seconds:.1} s, before any feasible plan was found{bound}; \
             nothing was written."
        );
        return EXIT_INTERRUPTED;
    }
    eprintln!(
        "no solution: the limit was reached after {seconds:.1} s before any feasible plan was found{bound}; \
         nothing was written. Raise --time-limit."
    );
    EXIT_NO_SOLUTION
}

/// Checks the plan as `cartnet verify` would before it is written; a plan that does not hold
/// is printed with its violations and not written (E702, exit code 4).
fn check_before_writing(plan: &Plan, instance: &Instance, verbose: bool) -> Result<(), u8> {
    let began = Instant::now();
    let check = cartnet::plan_check::check(plan, instance);
    if verbose {
        eprintln!(
            "checked the plan before writing it in {:.3} s: {}",
            began.elapsed().as_secs_f64(),
            if check.holds() {
                "it holds"
            } else {
                "it does not hold"
            }
        );
    }
    if check.holds() {
        return Ok(());
    }
    eprintln!("{}", cartnet::plan_check::refusal(&check));
    for v in &check.violations {
        eprintln!("  {v}");
    }
    Err(super::EXIT_SOLVER)
}
