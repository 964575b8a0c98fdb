//! Subcommands, one file each. Each returns the process exit code.

mod bench;
mod compare;
mod evaluate;
mod generate;
mod import;
mod import_us;
mod report;
mod solve;
mod solver_args;
mod sweep;
mod template;
mod validate;
mod verify;

use cartnet::fs::folder::FolderError;
use cartnet::input::error::InputErrors;
use cartnet::input::{Instance, ModelSource, Override, Scenario};
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
            cartnet::fs::remove_temporaries();
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
    /// Evaluate a plan's design against many futures (its flows solved in each).
    Evaluate(evaluate::EvaluateArgs),
    /// Render a plan as a self-contained HTML report.
    Report(report::ReportArgs),
    /// Compare two plans: cost lines, KPIs, sites and hospitals that changed, both maps.
    Compare(compare::CompareArgs),
    /// Build an instance from an external data set.
    Import(import::ImportArgs),
    /// Generate a synthetic instance.
    Generate(generate::GenerateArgs),
    /// Write an instance workbook (.xlsx) to fill in: headers and a README of every column.
    Template(template::TemplateArgs),
    /// Run a benchmark suite.
    Bench(bench::BenchArgs),
}

/// Where the instance and the scenario come from.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Folder with demand.csv, hospitals.csv, sites.csv and optional lanes.csv, or a workbook
    /// FILE.xlsx with those sheets (`cartnet template` writes one).
    #[arg(long, default_value = "data/demo")]
    pub data: PathBuf,
    /// Scenario file (TOML) [default: the baseline built into cartnet, the same as
    /// models/baseline.toml].
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Override a scenario key, e.g. --set site.setup_cost_owned=3e6 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

impl InputArgs {
    /// Where the scenario comes from: `--model`, or the built-in baseline.
    pub fn model_source(&self) -> ModelSource {
        ModelSource::from_option(self.model.clone())
    }

    /// Loads and validates the scenario and the instance, collecting every error of both.
    pub fn load(&self) -> Result<(Instance, Scenario), InputErrors> {
        let mut errors = Vec::new();
        let overrides: Vec<Override> = self
            .set
            .iter()
            .filter_map(|s| Override::parse(s).map_err(|e| errors.push(e)).ok())
            .collect();
        let scenario = Scenario::load_from(&self.model_source(), &overrides)
            .map_err(|e| errors.extend(e.0))
            .ok();
        let instance = Instance::load(&self.data)
            .map_err(|e| errors.extend(e.0))
            .ok();
        if let (Some(i), Some(s)) = (&instance, &scenario) {
            let locate = |e| cartnet::input::workbook::locate_in(&self.data, e);
            errors.extend(i.check_growth(s).err().map(locate));
        }
        match (instance, scenario) {
            (Some(i), Some(s)) if errors.is_empty() => Ok((i, s)),
            _ => Err(InputErrors(errors)),
        }
    }
}

/// Checks an output folder before any work ([`cartnet::fs::folder`]): on an error, prints
/// it and returns the exit code.
pub fn check_out(checked: Result<(), FolderError>) -> Result<(), u8> {
    checked.map_err(|e| {
        eprintln!("{e}; nothing was done");
        EXIT_INPUT
    })
}

/// Reports an instance that could not be written into `out` (`generate`, `import`); returns
/// the exit code.
pub fn write_failed(e: FolderError, out: &Path) -> u8 {
    match e {
        FolderError::Io { .. } => eprintln!("error: cannot write {}: {e}", out.display()),
        coded => eprintln!("{coded}; nothing was written"),
    }
    EXIT_INPUT
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
        cartnet::text::printable_path(data)
    );
    EXIT_INPUT
}

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Solve(args) => {
            catch_interrupts();
            solve::run(args)
        }
        Command::Validate(args) => validate::run(args),
        Command::Import(args) => import::run(args),
        Command::Sweep(args) => {
            catch_interrupts();
            sweep::run(args)
        }
        Command::Verify(args) => verify::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Report(args) => report::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Template(args) => template::run(args),
        Command::Bench(args) => bench::run(args),
    }
}

/// Parses a finite number > 0 (for clap).
pub fn positive_f64(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("\"{s}\" is not a number > 0")),
    }
}

/// Parses `--gap`: a relative gap in [0, 1) (for clap). At 1 (100 %) or more any plan, even
/// serving no one, is within the gap of a bound >= 0, so the search would stop at once.
pub fn relative_gap(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..1.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "E401 \"{s}\" is not a relative gap in [0, 1): write it as a fraction, e.g. 0.02 for 2 %"
        )),
    }
}
