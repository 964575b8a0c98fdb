//! `cartnet solve` over scenarios (`--scenarios FILE.csv`, or a model whose `[uncertainty]`
//! table samples them): one design for every scenario, each scenario's flows, the measures of
//! the value of planning for uncertainty, and the regret table (DESIGN §10).

use super::super::{
    EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_SOLVER, report_input_errors, solver_args,
};
use super::{SolveArgs, infeasible_reasons, print_summary, report_no_solution, write};
use cartnet::Outcome;
use cartnet::input::error::InputErrors;
use cartnet::input::uncertainty::{BaseModel, ScenarioSet, from_model_toml};
use cartnet::input::{Instance, Override, Scenario};
use cartnet::plan::{Plan, Provenance};
use cartnet::solve::SolveOptions;
use cartnet::stochastic::{Futures, TwoStageOptions, futures, optimize_two_stage};
use cartnet::text::{printable, printable_path};
use std::time::Instant;

/// The line that closes a usage error: nothing was loaded, solved or written.
const NOTHING_WRITTEN: &str =
    "1 error in the usage; nothing was written. Error codes are explained in docs/errors.md.";

/// What `solve` loaded before it knew the plan is two-stage.
pub struct Loaded<'a> {
    pub instance: &'a Instance,
    /// The model with the `--set` overrides: the plan's `scenario`.
    pub base: &'a Scenario,
    pub digest: String,
}

/// The model file's text and name, and the `--set` overrides: what every scenario changes.
struct Base {
    text: String,
    file: String,
    cli: Vec<Override>,
}

impl Base {
    fn model(&self) -> BaseModel<'_> {
        BaseModel {
            text: &self.text,
            file: &self.file,
            cli: &self.cli,
        }
    }
}

/// The model as read (it parsed already, so it reads again), or the exit code.
fn base(args: &SolveArgs) -> Result<Base, u8> {
    let source = args.input.model_source();
    let bytes = source
        .read()
        .map_err(|e| report_input_errors(&InputErrors(vec![e]), &args.input.data))?;
    let cli = args
        .input
        .set
        .iter()
        .filter_map(|s| Override::parse(s).ok())
        .collect();
    Ok(Base {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        file: source.name(),
        cli,
    })
}

/// The scenarios of a two-stage plan, if the run makes one: the `--scenarios` file's, or those
/// the model's `[uncertainty]` table samples (both at once is a usage error, E404); `None` for
/// a plan of one scenario. Their errors are input errors (exit 1).
pub fn scenario_set(args: &SolveArgs, instance: &Instance) -> Result<Option<ScenarioSet>, u8> {
    let base = base(args)?;
    let model = base.model();
    let data = &args.input.data;
    let sampled = from_model_toml(model.text, model.file, model.cli, Some(instance));
    let set = match (&args.scenarios, sampled) {
        (Some(path), Ok(Some(_))) => {
            eprintln!(
                "E404 --scenarios: the model {} samples scenarios in its [uncertainty] table too; \
                 give one source of scenarios: leave out --scenarios {} or the model's samples",
                printable(model.file),
                printable_path(path)
            );
            eprintln!("{NOTHING_WRITTEN}");
            return Err(EXIT_INPUT);
        }
        (Some(path), Ok(None)) => ScenarioSet::load_csv(path, Some(data), instance, &model)
            .map(Some)
            .map_err(|e| report_input_errors(&e, data))?,
        (_, Err(e)) => return Err(report_input_errors(&e, data)),
        (None, Ok(sampled)) => sampled,
    };
    if set.is_some() && args.write_model.is_some() {
        eprintln!(
            "E404 --write-model: a two-stage plan is solved as many models; --write-model is for \
             a plan of one scenario"
        );
        eprintln!("{NOTHING_WRITTEN}");
        return Err(EXIT_INPUT);
    }
    Ok(set)
}

/// Scenarios solved side by side when `--jobs` is not given: the cores.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// The two-stage solve: the futures, the plan, its check, its files and its summary; the exit
/// code.
pub fn solve(
    args: &SolveArgs,
    set: &ScenarioSet,
    loaded: Loaded<'_>,
    options: &SolveOptions,
) -> Result<u8, u8> {
    let base = base(args)?;
    let data_dir = &args.input.data;
    let futures = futures(set, loaded.instance, &base.model())
        .map_err(|e| report_input_errors(&e, data_dir))?;
    let two_stage = TwoStageOptions {
        jobs: args
            .jobs
            .map_or_else(default_jobs, |j| usize::try_from(j).unwrap_or(1)),
        method: args.method.method(),
    };
    let data = data_dir.display().to_string();
    let provenance = Provenance {
        data: &data,
        model: &base.file,
    };
    let outcome = optimize_two_stage(&futures, loaded.base, options, &two_stage, provenance)
        .map_err(|e| solver_args::solve_failed(&e))?;
    let interrupted = cartnet::solve::interrupted();
    Ok(match outcome {
        Outcome::Plan(mut plan) => {
            plan.instance.digest = Some(loaded.digest);
            deliver(args, &plan, &futures, loaded.instance, interrupted)?
        }
        Outcome::Infeasible { reasons, seconds } => {
            report_infeasible(&futures, &reasons, seconds, interrupted)
        }
        Outcome::NoSolution {
            seconds,
            best_bound,
        } => report_no_solution(seconds, best_bound, interrupted),
    })
}

/// A plan found: each scenario checked, the files written, the summary printed; the exit code.
fn deliver(
    args: &SolveArgs,
    plan: &Plan,
    futures: &Futures,
    instance: &Instance,
    interrupted: bool,
) -> Result<u8, u8> {
    check_plan(plan, instance, args.verbose)?;
    let written = write(&args.out, plan, instance)?;
    let n = futures.list.len();
    println!(
        "cartnet two-stage {} plan for {} ({n} scenario{}, {})\n",
        plan.solver.status.as_str(),
        printable(&args.input.data.display().to_string()),
        if n == 1 { "" } else { "s" },
        printable(&futures.origin)
    );
    print_summary(plan, instance, &args.out, &written);
    if interrupted {
        eprintln!("interrupted: the plan written is the best found so far");
        return Ok(EXIT_INTERRUPTED);
    }
    Ok(EXIT_OK)
}

/// Checks the two-stage plan before writing it, as `cartnet verify` does (one design, each
/// scenario's flows against that scenario's data, the expected cost and the measures): linear
/// in the plan's size, so it always runs. A plan that does not hold is a failure of the solver
/// (E702, exit 4): not written.
fn check_plan(plan: &Plan, instance: &Instance, verbose: bool) -> Result<(), u8> {
    let began = Instant::now();
    let check = cartnet::plan_check::check(plan, instance);
    if !check.holds() {
        eprintln!("{}", cartnet::plan_check::refusal(&check));
        for v in &check.violations {
            eprintln!("  {v}");
        }
        return Err(EXIT_SOLVER);
    }
    if verbose {
        eprintln!(
            "checked the plan and its {} scenarios before writing it in {:.3} s: it holds",
            plan.scenarios.len(),
            began.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Scenario ids named in the infeasible message; the reasons below it name the ones that fail.
const IDS_NAMED: usize = 10;

/// No design serves every scenario: why, scenario by scenario; the exit code.
fn report_infeasible(futures: &Futures, reasons: &[String], seconds: f64, interrupted: bool) -> u8 {
    let n = futures.list.len();
    let mut ids: Vec<String> = futures
        .list
        .iter()
        .take(IDS_NAMED)
        .map(|f| printable(&f.id).into_owned())
        .collect();
    if n > IDS_NAMED {
        ids.push(format!("and {} more", n - IDS_NAMED));
    }
    eprintln!(
        "infeasible ({seconds:.2} s): no one network serves the {n} scenarios ({}); nothing was \
         written.",
        ids.join(", ")
    );
    infeasible_reasons(reasons, interrupted)
}
