//! `cartnet bench`: run a benchmark suite and print (and optionally save) the table.

use super::solve::LagrangianArg;
use super::{EXIT_INPUT, EXIT_OK};
use cartnet::bench::generate::{GenerateOptions, generate, write};
use cartnet::bench::stochastic::{self, StochasticOptions};
use cartnet::bench::{self, BenchRow};
use cartnet::input::ModelSource;
use cartnet::solve::SolveOptions;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Suite {
    /// The 49 OR-Library capacitated instances against their published optima (with
    /// --single-source: solved as single-source problems, which have no published optima).
    Orlib,
    /// The 20 single-source instances of Yang et al. (see --sscflp) against their optima.
    Sscflp,
    /// Generated instances at 1x, 2x, 4x and 8x a 400-point base.
    Scale,
    /// The national instance built by `cartnet import us` (see --us).
    Us,
    /// Two-stage plans: the demo with 50 sampled scenarios, the national instance with 20
    /// (when --us holds it) and its design evaluated in 1,000.
    Stochastic,
    /// OR-Library, scale and national (not stochastic: its national cases take minutes).
    All,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[arg(long, value_enum, default_value = "orlib")]
    pub suite: Suite,
    /// Write the table as CSV too.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Folder of the OR-Library files and capopt.txt.
    #[arg(long, default_value = "../shared/bench/orlib-cap")]
    pub orlib: PathBuf,
    /// Solve the OR-Library instances with policy.single_sourcing = true (--suite orlib).
    #[arg(long)]
    pub single_source: bool,
    /// Folder of the single-source instances p1..p20 and the README.md table of their optima.
    #[arg(long, default_value = "../shared/bench/sscflp-yang")]
    pub sscflp: PathBuf,
    /// Folder of the national instance.
    #[arg(long, default_value = "data/us")]
    pub us: PathBuf,
    /// Seconds per instance (default 60).
    #[arg(long, default_value_t = 60.0)]
    pub time_limit: f64,
    /// Relative gap for the scale and national suites, in [0, 1) (OR-Library is solved to 1e-6).
    #[arg(long, value_name = "G", default_value_t = 0.005, value_parser = super::relative_gap)]
    pub gap: f64,
    /// Solver threads, 1 to 256.
    #[arg(long)]
    pub threads: Option<u64>,
    /// Only instances whose name contains this.
    #[arg(long)]
    pub only: Option<String>,
    /// When to start with the Lagrangian relaxation (as `cartnet solve --lagrangian`).
    #[arg(long, value_enum, default_value_t = LagrangianArg::Auto)]
    pub lagrangian: LagrangianArg,
    /// Folder of the demo instance (the stochastic suite).
    #[arg(long, default_value = "data/demo")]
    pub demo: PathBuf,
    /// Scenarios per stochastic case instead of 50, 20 and 1,000 (a quick run).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub samples: Option<u64>,
    /// Scenarios solved side by side in the stochastic suite (default: the cores).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub jobs: Option<u64>,
    /// Print each instance's row on stderr as soon as it finishes.
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(args: BenchArgs) -> u8 {
    if let Err(code) = super::solver_args::threads(args.threads) {
        return code;
    }
    if let Some(out) = &args.out
        && let Err(code) = super::check_out(cartnet::fs::folder::check_out_file(out))
    {
        return code;
    }
    if args.single_source && !matches!(args.suite, Suite::Orlib | Suite::All) {
        eprintln!(
            "E513 --single-source: it solves the OR-Library instances single-source; use it with \
             --suite orlib (or all); nothing was run"
        );
        return EXIT_INPUT;
    }
    if args.suite == Suite::Stochastic {
        return run_stochastic(&args);
    }
    let work = std::env::temp_dir().join(format!("cartnet-bench-{}", std::process::id()));
    let result = run_suites(&args, &work);
    let _ = std::fs::remove_dir_all(&work);
    let rows = match result {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    print!("{}", bench::table(&rows));
    if let Some(out) = &args.out
        && let Err(e) = cartnet::fs::write_atomic(out, bench::csv(&rows).as_bytes())
    {
        eprintln!("error: cannot write {}: {e}", out.display());
        return EXIT_INPUT;
    }
    report_rows(&rows)
}

/// The notes of rows proven infeasible, the rows not proven optimal, and the exit code: 1 when
/// a row contradicts its published optimum.
fn report_rows(rows: &[BenchRow]) -> u8 {
    for r in rows {
        if let Some(note) = &r.note {
            println!("{}: {}: {}", r.instance, r.status, note);
        }
    }
    let names = |keep: fn(&BenchRow) -> bool| -> Vec<&str> {
        rows.iter()
            .filter(|r| keep(r))
            .map(|r| r.instance.as_str())
            .collect()
    };
    let unproven = names(BenchRow::unproven);
    if !unproven.is_empty() {
        eprintln!(
            "not proven optimal within the time limit (no contradiction of the published optimum): {}",
            unproven.join(", ")
        );
    }
    let missed = names(BenchRow::misses_optimum);
    if missed.is_empty() {
        EXIT_OK
    } else {
        eprintln!(
            "the published optimum is contradicted (proven optimal elsewhere, a cheaper plan, a \
             higher bound, or infeasible) beyond 1e-6 relative: {}",
            missed.join(", ")
        );
        1
    }
}

fn options(args: &BenchArgs, gap: f64) -> SolveOptions {
    SolveOptions {
        time_limit: Some(args.time_limit),
        gap,
        // checked in `run`: 1 to MAX_THREADS
        threads: args.threads.and_then(|t| u32::try_from(t).ok()),
        lagrangian: args.lagrangian.into(),
        ..SolveOptions::default()
    }
}

fn keep(args: &BenchArgs, name: &str) -> bool {
    args.only.as_deref().is_none_or(|o| name.contains(o))
}

/// The scale suite's sizes: a 400-point base, the demo's shape, then twice, four and eight
/// times as many points, hospitals and sites.
const SCALE_FACTORS: [usize; 4] = [1, 2, 4, 8];
const SCALE_DEMAND: usize = 400;
const SCALE_HOSPITALS: usize = 40;
const SCALE_SITES: usize = 50;

/// Runs the suites `args` asks for, in order: OR-Library, scale, national.
fn run_suites(args: &BenchArgs, work: &Path) -> Result<Vec<BenchRow>, String> {
    let mut rows = Vec::new();
    let mut push = |row: BenchRow| {
        if args.verbose {
            eprint!(
                "{}",
                bench::table(std::slice::from_ref(&row))
                    .lines()
                    .nth(1)
                    .unwrap_or("")
            );
            eprintln!();
        }
        rows.push(row);
    };
    let all = args.suite == Suite::All;
    if all || args.suite == Suite::Orlib {
        run_orlib(args, work, &mut push)?;
    }
    if args.suite == Suite::Sscflp {
        run_sscflp(args, work, &mut push)?;
    }
    if all || args.suite == Suite::Scale {
        run_scale(args, work, &mut push)?;
    }
    if all || args.suite == Suite::Us {
        run_us(args, &mut push)?;
    }
    Ok(rows)
}

/// The OR-Library suite (single-source with --single-source), solved to
/// [`cartnet::solve::OPTIMAL_GAP`].
fn run_orlib(args: &BenchArgs, work: &Path, push: &mut dyn FnMut(BenchRow)) -> Result<(), String> {
    let opts = options(args, cartnet::solve::OPTIMAL_GAP);
    for case in orlib_cases(&args.orlib)? {
        if keep(args, &case.0) {
            push(bench::run_orlib(&case, args.single_source, work, &opts)?);
        }
    }
    Ok(())
}

/// The single-source suite, solved to [`cartnet::solve::OPTIMAL_GAP`]; E512, naming `--sscflp`,
/// when its folder or table is not there.
fn run_sscflp(args: &BenchArgs, work: &Path, push: &mut dyn FnMut(BenchRow)) -> Result<(), String> {
    let opts = options(args, cartnet::solve::OPTIMAL_GAP);
    let cases = bench::sscflp::instances(&args.sscflp).map_err(|why| {
        format!(
            "E512 --sscflp: {why}; give --sscflp DIR, the folder of the single-source instances \
             (p1 ... p20) and the README.md whose table lists their optima"
        )
    })?;
    for case in cases {
        if keep(args, &case.0) {
            push(bench::sscflp::run(&case, work, &opts)?);
        }
    }
    Ok(())
}

/// The scale suite: generated instances at each of [`SCALE_FACTORS`].
fn run_scale(args: &BenchArgs, work: &Path, push: &mut dyn FnMut(BenchRow)) -> Result<(), String> {
    let opts = options(args, args.gap);
    for k in SCALE_FACTORS {
        let name = format!("scale-{k}x");
        if !keep(args, &name) {
            continue;
        }
        let g = generate(&GenerateOptions {
            demand: SCALE_DEMAND * k,
            hospitals: SCALE_HOSPITALS * k,
            sites: SCALE_SITES * k,
            seed: 1,
        });
        let dir = work.join(&name);
        write(&g, &dir, false).map_err(|e| e.to_string())?;
        push(bench::run_instance(
            "scale",
            &name,
            &dir,
            &ModelSource::BuiltIn,
            &opts,
        )?);
    }
    Ok(())
}

/// The national instance, if `--us` holds one (an error when it was the suite asked for).
fn run_us(args: &BenchArgs, push: &mut dyn FnMut(BenchRow)) -> Result<(), String> {
    if args.us.join("demand.csv").exists() {
        let opts = options(args, args.gap);
        push(bench::run_instance(
            "us",
            "us",
            &args.us,
            &ModelSource::BuiltIn,
            &opts,
        )?);
    } else if args.suite == Suite::Us {
        return Err(format!(
            "E511 --us: no national instance in {} (no demand.csv there): build one with \
             `cartnet import us --out DIR` (README \"National instance\") and give --us DIR",
            args.us.display()
        ));
    } else {
        eprintln!("us: skipped, no national instance in {}", args.us.display());
    }
    Ok(())
}

/// The OR-Library cases in `dir`; E510, naming `--orlib`, when there are none (its default is a
/// folder beside the repository, so elsewhere the flag is needed).
fn orlib_cases(dir: &Path) -> Result<Vec<bench::OrlibCase>, String> {
    let why = match bench::orlib_instances(dir) {
        Ok(cases) if !cases.is_empty() => return Ok(cases),
        Ok(_) => format!(
            "no instance file in {} has a published optimum in its capopt.txt",
            dir.display()
        ),
        Err(e) => e,
    };
    Err(format!(
        "E510 --orlib: {why}; give --orlib DIR, the folder of the OR-Library capacitated \
         files (cap41.txt ... capc.txt) and capopt.txt"
    ))
}

/// The stochastic suite: its own table (targets, peak memory), and CSV with --out.
fn run_stochastic(args: &BenchArgs) -> u8 {
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let options = StochasticOptions {
        demo: args.demo.clone(),
        us: args.us.clone(),
        time_limit: args.time_limit,
        gap: args.gap,
        threads: args.threads.and_then(|t| u32::try_from(t).ok()),
        jobs: args.jobs.map_or(cores, |j| j as usize),
        samples: args.samples.map(|n| n as usize),
        only: args.only.clone(),
    };
    let mut rows = Vec::new();
    stochastic::run(&options, &mut |row| {
        if args.verbose {
            eprint!("{}", stochastic::table(std::slice::from_ref(&row)));
        }
        rows.push(row);
    });
    print!("{}", stochastic::table(&rows));
    if let Some(out) = &args.out
        && let Err(e) = cartnet::fs::write_atomic(out, stochastic::csv(&rows).as_bytes())
    {
        eprintln!("error: cannot write {}: {e}", out.display());
        return EXIT_INPUT;
    }
    // as the OR-Library suite's missed optimum: a case that failed is the run's failure
    match rows.iter().any(|r| r.status == "error") {
        true => 1,
        false => EXIT_OK,
    }
}
