//! `cartnet solve`: load, build the network, optimize, write the plan, print the summary.

use super::{
    EXIT_INFEASIBLE, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_NO_SOLUTION, EXIT_OK, InputArgs,
    positive_f64, relative_gap, report_input_errors, solver_args,
};
use cartnet::export;
use cartnet::input::digest;
use cartnet::model::DemandGroups;
use cartnet::network::Network;
use cartnet::plan::Provenance;
use cartnet::solve::{Lagrangian, SolveOptions};
use cartnet::text::{printable, printable_path};
use cartnet::{Outcome, optimize};
use clap::Args;
use std::path::PathBuf;
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
    /// Solver threads, 1 to 256 (default: HiGHS's choice).
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
    let started = Instant::now();
    let verbose = args.verbose;
    let threads = match solver_args::threads(args.threads) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if let Err(code) = solver_args::highs_options(&args.highs_options) {
        return code;
    }
    if let Err(code) = super::check_out(export::folder::check_out(&args.out)) {
        return code;
    }
    // under the data folder's shared lock: no run replaces the instance while it is read
    let data_dir = &args.input.data;
    let read = || (args.input.load(), digest::of_folder(data_dir));
    let (loaded, digest) = match export::folder::read_locked(data_dir, read) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}; nothing was done");
            return EXIT_INPUT;
        }
    };
    let (instance, scenario) = match loaded {
        Ok(x) => x,
        Err(e) => return report_input_errors(&e, data_dir),
    };
    let digest = match digest {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read the instance's files: {e}");
            return EXIT_INPUT;
        }
    };
    if let Some(path) = &args.write_model {
        // fail early, before solving, if the model file cannot be written
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Err(e) = dir
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::File::create(path).map(drop))
        {
            eprintln!("error: cannot write the model to {}: {e}", path.display());
            return EXIT_INPUT;
        }
    }
    let network = Network::build(&instance, &scenario);
    let log_file = if verbose {
        if let Err(e) = std::fs::create_dir_all(&args.out) {
            eprintln!("cannot create {}: {e}", args.out.display());
            return EXIT_INPUT;
        }
        let path = args.out.join("highs.log");
        eprintln!("HiGHS log: {}", path.display());
        Some(path)
    } else {
        None
    };
    let options = SolveOptions {
        time_limit: args.time_limit,
        started: Some(started),
        gap: args.gap,
        threads,
        log_file,
        highs_options: args.highs_options,
        lazy_rows: !args.eager_rows,
        write_model: args.write_model.clone(),
        initial_solution: None,
        lagrangian: args.lagrangian.into(),
    };
    let size = network.size();
    if verbose {
        eprintln!(
            "network: {} demand points, {} hospitals, {} sites; {} patient arcs, {} cell arcs",
            size.demand_points, size.hospitals, size.sites, size.patient_arcs, size.cell_arcs
        );
        let groups = DemandGroups::build(&instance, &network);
        eprintln!(
            "model: {} demand points in {} groups of interchangeable points (same hospitals, \
             patient costs and growth), {} patient-flow columns a year",
            size.demand_points,
            groups.len(),
            groups.arcs.len()
        );
    }
    let data = args.input.data.display().to_string();
    let model = args.input.model_source().name();
    let provenance = Provenance {
        data: &data,
        model: &model,
    };
    let outcome = match optimize(&instance, &scenario, &network, &options, provenance) {
        Ok(o) => o,
        Err(e) => return solver_args::solve_failed(&e),
    };
    let interrupted = cartnet::solve::interrupted();
    match outcome {
        Outcome::Plan(mut plan) => {
            plan.instance.digest = Some(digest);
            if let (true, Some(l)) = (verbose, &plan.solver.lagrangian) {
                let money = cartnet::text::usd;
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
                        (None, _) => "not run (the best plan more than 1 % above the bound)".into(),
                        (Some(n), true) => format!("{n} nodes, finished"),
                        (Some(n), false) => format!("{n} nodes, stopped"),
                    },
                    l.seconds
                );
            }
            if let Err(code) = check_before_writing(&plan, &instance, verbose) {
                return code;
            }
            let written = match export::write_plan(&args.out, &plan, &instance) {
                Ok(w) => w,
                Err(e @ export::folder::FolderError::Io { .. }) => {
                    eprintln!(
                        "error: cannot write the plan to {}: {e}; the files there are as they were.",
                        args.out.display()
                    );
                    return EXIT_INPUT;
                }
                Err(e) => {
                    eprintln!("{e}; the plan was not written, the files there are as they were.");
                    return EXIT_INPUT;
                }
            };
            println!(
                "cartnet {} plan for {} ({} demand points, {} hospitals, {} candidate sites)\n",
                plan.solver.status.as_str(),
                printable(&data),
                size.demand_points,
                size.hospitals,
                size.sites
            );
            print!("{}", export::summary::render(&plan, &instance));
            let names: Vec<String> = written
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect();
            println!(
                "\nwritten to {}: {}",
                printable_path(&args.out),
                names.join(", ")
            );
            if let Some(path) = &args.write_model {
                if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
                    println!("model written to {}", printable_path(path));
                } else {
                    eprintln!(
                        "note: the model has nothing to decide, so HiGHS was not run and {} is empty",
                        path.display()
                    );
                }
            }
            if interrupted {
                let gap = plan
                    .solver
                    .gap
                    .map_or("unknown".to_string(), |g| format!("{:.4} %", g * 100.0));
                eprintln!(
                    "interrupted after {:.1} s: the plan written is the best found so far ({}, gap {gap}){}",
                    started.elapsed().as_secs_f64(),
                    plan.solver.status.as_str(),
                    if args.verify {
                        "; --verify skipped (run cartnet verify on it)"
                    } else {
                        ""
                    }
                );
                return EXIT_INTERRUPTED;
            }
            if args.verify {
                let plan_file = args.out.join("plan.json");
                return super::verify::check(&plan_file, Some(&args.input.data), None, false, true);
            }
            EXIT_OK
        }
        Outcome::Infeasible { reasons, seconds } => {
            eprintln!(
                "infeasible ({seconds:.2} s): no plan satisfies the constraints; nothing was written."
            );
            for r in reasons {
                eprintln!("  - {}", printable(&r));
            }
            if interrupted {
                EXIT_INTERRUPTED
            } else {
                EXIT_INFEASIBLE
            }
        }
        Outcome::NoSolution {
            seconds,
            best_bound,
        } => {
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
    }
}

/// Checks the plan as `cartnet verify` would before it is written; a plan that does not hold
/// is printed with its violations and not written (E702, exit code 4).
fn check_before_writing(
    plan: &cartnet::plan::Plan,
    instance: &cartnet::input::Instance,
    verbose: bool,
) -> Result<(), u8> {
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
