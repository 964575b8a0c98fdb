//! Subcommands, one file each. Each returns the process exit code.

mod bench;
mod generate;
mod import;
mod import_us;
mod report;
mod solve;
mod solver_args;
mod sweep;
mod validate;
mod verify;

use cartnet::input::error::InputErrors;
use cartnet::input::{Instance, Override, Scenario};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

/// Success: optimal, or feasible within the limit (DESIGN §6; README "Limits, interrupts and
/// reproducibility" for 130).
pub const EXIT_OK: u8 = 0;
/// An error in the input or the usage.
pub const EXIT_INPUT: u8 = 1;
/// The model is infeasible.
pub const EXIT_INFEASIBLE: u8 = 2;
/// No solution within the limit.
pub const EXIT_NO_SOLUTION: u8 = 3;
/// A failure of the solver or the system (E7xx in docs/errors.md): HiGHS failed, or a plan
/// did not hold under its own verification and was not written.
pub const EXIT_SOLVER: u8 = 4;
/// Stopped by Ctrl-C (SIGINT), the shell's 128 + 2. The best plan found so far was written, if
/// there was one (stderr says which); `solve` and `sweep` alike.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Makes Ctrl-C stop the solves cleanly instead of killing the process: the first one asks every
/// running solve to stop and keep its best plan so far ([`cartnet::solve::interrupt`]); the
/// command then writes what it has, as usual (each file atomically) and exits with
/// [`EXIT_INTERRUPTED`]. A second Ctrl-C exits at once, removing the temporary file being
/// written, if any: every file in place is then either the old one or the new one, whole.
pub fn catch_interrupts() {
    let installed = ctrlc::set_handler(|| {
        if cartnet::solve::interrupted() {
            cartnet::export::remove_temporaries();
            eprintln!("\ninterrupted again: stopped at once");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        eprintln!(
            "\ninterrupted: stopping the solver; the best plan found so far will be written \
             (Ctrl-C again to quit at once)"
        );
        cartnet::solve::interrupt();
    });
    if let Err(e) = installed {
        eprintln!("warning: Ctrl-C will end the run without saving its best plan: {e}");
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "cartnet",
    version,
    about = "Designs decentralized CAR-T manufacturing networks (MILP over HiGHS)"
)]
pub struct Cli {
    /// Show the solver's log (written to highs.log in the output folder) and progress.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Optimize the network and write the plan.
    Solve(solve::SolveArgs),
    /// Check the input and print network diagnostics, without solving.
    Validate(validate::ValidateArgs),
    /// Sweep scenario parameters (what-if) and compare the plans.
    Sweep(sweep::SweepArgs),
    /// Check a plan independently against its data.
    Verify(verify::VerifyArgs),
    /// Render a plan as a self-contained HTML report.
    Report(report::ReportArgs),
    /// Build an instance from an external data set.
    Import(import::ImportArgs),
    /// Generate a synthetic instance.
    Generate(generate::GenerateArgs),
    /// Run a benchmark suite.
    Bench(bench::BenchArgs),
}

/// Where the instance and the scenario come from.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Folder with demand.csv, hospitals.csv, sites.csv and optional lanes.csv.
    #[arg(long, default_value = "data/demo")]
    pub data: PathBuf,
    /// Scenario file (TOML).
    #[arg(long, default_value = "models/baseline.toml")]
    pub model: PathBuf,
    /// Override a scenario key, e.g. --set site.setup_cost_owned=3e6 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

impl InputArgs {
    /// Loads and validates the scenario and the instance, collecting every error of both.
    pub fn load(&self) -> Result<(Instance, Scenario), InputErrors> {
        let mut errors = Vec::new();
        let overrides: Vec<Override> = self
            .set
            .iter()
            .filter_map(|s| Override::parse(s).map_err(|e| errors.push(e)).ok())
            .collect();
        let scenario = Scenario::load(&self.model, &overrides)
            .map_err(|e| errors.extend(e.0))
            .ok();
        let instance = Instance::load(&self.data)
            .map_err(|e| errors.extend(e.0))
            .ok();
        match (instance, scenario) {
            (Some(i), Some(s)) if errors.is_empty() => Ok((i, s)),
            _ => Err(InputErrors(errors)),
        }
    }
}

/// Prints input errors to stderr with a closing count; returns the exit code.
pub fn report_input_errors(errors: &InputErrors, data: &Path) -> u8 {
    for e in &errors.0 {
        eprintln!("{e}");
    }
    let n = errors.0.len();
    eprintln!(
        "{n} error{} in the input ({}); nothing was written. Error codes are explained in docs/errors.md.",
        if n == 1 { "" } else { "s" },
        data.display()
    );
    EXIT_INPUT
}

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Solve(args) => {
            catch_interrupts();
            solve::run(args, cli.verbose)
        }
        Command::Validate(args) => validate::run(args),
        Command::Import(args) => import::run(args),
        Command::Sweep(args) => {
            catch_interrupts();
            sweep::run(args, cli.verbose)
        }
        Command::Verify(args) => verify::run(args, cli.verbose),
        Command::Report(args) => report::run(args, cli.verbose),
        Command::Generate(args) => generate::run(args, cli.verbose),
        Command::Bench(args) => bench::run(args, cli.verbose),
    }
}

/// Parses a finite number > 0 (for clap).
pub fn positive_f64(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("\"{s}\" is not a number > 0")),
    }
}

/// Parses a finite number >= 0 (for clap).
pub fn nonneg_f64(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v >= 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("\"{s}\" is not a number >= 0")),
    }
}
