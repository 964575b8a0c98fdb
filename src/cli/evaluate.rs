//! `cartnet evaluate PLAN.json --scenarios FILE` (or `--model FILE` with an `[uncertainty]`
//! table): fixes the plan's design (its sites, operating models and platforms) and solves only
//! the flows of each scenario, an LP each, side by side (DESIGN §10). Writes evaluation.csv and
//! prints the estimate of the design's expected cost with its 95 % confidence interval.
//!
//! The data is read as `verify` and `report` read it (`--data`, else the plan's
//! `instance.data`; its digest checked, `--force` to go on against other data). The futures
//! change the plan's own scenario, or `--model` when given, with `--set` on top.

mod merge;
mod plan;
mod shard;

use super::{EXIT_INFEASIBLE, EXIT_INPUT, EXIT_OK, report_input_errors, solver_args};
use cartnet::fs::folder::{self, FolderError, folder_of};
use cartnet::input::error::InputErrors;
use cartnet::input::uncertainty::{BaseModel, ScenarioSet, from_model_toml};
use cartnet::input::{Instance, Override};
use cartnet::model::Design;
use cartnet::plan::{Cost, Kpis};
use cartnet::solve::SolveOptions;
use cartnet::stochastic::estimate::{self, Estimate};
use cartnet::stochastic::{Evaluation, evaluate_all, future_list};
use cartnet::text::{percent, printable, printable_path, usd};
use cartnet::verify::{VerifyError, check_data, load_instance, read_plan, resolve_data};
use clap::Args;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct EvaluateArgs {
    /// The plan whose design is evaluated: plan.json of `cartnet solve`, of one year or
    /// two-stage.
    #[arg(value_name = "PLAN.json", required = true)]
    pub plan: Option<PathBuf>,
    /// Scenarios CSV: id, probability (optional), then one column per scenario key (e.g.
    /// demand.scale), as `solve --scenarios` reads it.
    #[arg(long, value_name = "FILE")]
    pub scenarios: Option<PathBuf>,
    /// Scenario file (TOML) the futures change [default: the scenario recorded in the plan];
    /// without --scenarios, its [uncertainty] table gives the sampled futures.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Override a key of the scenario the futures change (repeatable), e.g.
    /// --set batch.cost_owned=130000.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Folder with the instance's CSV files, or a workbook FILE.xlsx (default: the plan's
    /// instance.data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Output folder for evaluation.csv [default: the plan's folder].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Scenarios solved side by side, each on one solver thread [default: the machine's cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_JOBS))]
    pub jobs: Option<u32>,
    /// Evaluate even against data the plan was not made from (its instance.digest does not
    /// match --data); the sites are matched by id, and a warning says so.
    #[arg(long)]
    pub force: bool,
    /// Evaluate only shard K of N (from 0): the scenarios whose index i (in file or sample
    /// order) has i mod N = K, into OUT/shard-K-of-N.csv for `cartnet evaluate merge`.
    #[arg(long, value_name = "K/N", value_parser = super::sweep::parse_shard)]
    pub shard: Option<cartnet::sweep::shard::Shard>,
    #[command(subcommand)]
    pub command: Option<EvaluateCommand>,
}

#[derive(Debug, clap::Subcommand)]
pub enum EvaluateCommand {
    /// Merge the shard files of an evaluation into evaluation.csv and the printed estimate, as
    /// one run gives them.
    Merge(merge::MergeArgs),
}

impl EvaluateArgs {
    /// PLAN.json (clap requires it unless `merge` is given).
    fn plan(&self) -> &Path {
        self.plan.as_deref().unwrap_or(Path::new("plan.json"))
    }
}

/// The most `--jobs`: each job holds one scenario's model, so more than the cores only costs
/// memory; this bounds a typo.
const MAX_JOBS: i64 = 1024;

/// The file written.
const EVALUATION_FILE: &str = "evaluation.csv";

/// Scenarios made real at a time, per job: a national instance's futures take tens of MB each,
/// so 1,000 of them are built and solved in slices, not all at once; two warm-start chains per
/// job keep the workers busy to the end of a slice, and a slice of whole chains keeps the chains
/// (and so the results) the same for any `--jobs`.
const SLICE_PER_JOB: usize = 2 * cartnet::stochastic::evaluate::WARM_CHAIN;

/// How often a long evaluation says how far it is, on stderr.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// Unserved scenarios whose reasons are printed; the rest are in evaluation.csv.
const REASONS_SHOWN: usize = 10;

/// One scenario's outcome, kept without its flows.
struct Outcome {
    id: String,
    probability: f64,
    result: Result<(Cost, Kpis), String>,
}

pub fn run(args: EvaluateArgs) -> u8 {
    if let Some(EvaluateCommand::Merge(m)) = &args.command {
        return merge::run(m);
    }
    match evaluate(args) {
        Ok(code) | Err(code) => code,
    }
}

/// The steps of `cartnet evaluate`; `Err` is an early exit with its code.
fn evaluate(args: EvaluateArgs) -> Result<u8, u8> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| folder_of(args.plan()).to_path_buf());
    super::check_out(folder::check_out(&out))?;
    let plan = read(args.plan())?;
    let (data, instance) = load_data(&plan, &args)?;
    let design = design(&plan, args.plan(), &instance)?;
    let (text, file) = base_text(&args, &plan)?;
    let mut errors = Vec::new();
    let overrides: Vec<Override> = args
        .set
        .iter()
        .filter_map(|s| Override::parse(s).map_err(|e| errors.push(e)).ok())
        .collect();
    if !errors.is_empty() {
        return Err(report_input_errors(&InputErrors(errors), &data));
    }
    let base = BaseModel {
        text: &text,
        file: &file,
        cli: &overrides,
    };
    let set = scenario_set(&args, &base, &instance, &data)?;
    let jobs = args.jobs.map_or_else(cores, |j| j as usize);
    if let Some(part) = args.shard {
        let work = shard::Work {
            set: &set,
            instance: &instance,
            base: &base,
            design: &design,
            data: &data,
            jobs,
        };
        return shard::run(&args, part, &out, &work);
    }
    let outcomes = solve_all(&set, &instance, &base, &design, jobs, &data)?;
    let csv = table(&outcomes).map_err(|e| {
        eprintln!("error: cannot write {EVALUATION_FILE}: {e}");
        EXIT_INPUT
    })?;
    let written = write(&out, csv)?;
    let lines: Vec<Line> = outcomes.iter().map(Line::of).collect();
    Ok(summarize(
        args.plan(),
        &set.origin,
        design_size(&design),
        &lines,
        &written,
    ))
}

/// The machine's cores.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// plan.json, read as `verify` reads it, holding a design of one year.
fn read(path: &Path) -> Result<Value, u8> {
    let plan = read_plan(path).map_err(|e| plan_error(&e, path))?;
    plan::check_shape(&plan).map_err(|why| {
        eprintln!("error: {} {why}; nothing was written", printable_path(path));
        EXIT_INPUT
    })?;
    Ok(plan)
}

/// Says why plan.json (`path`) cannot be evaluated; the exit code.
fn plan_error(e: &VerifyError, path: &Path) -> u8 {
    if e.is_coded() {
        eprintln!("{e}; nothing was written");
    } else {
        eprintln!("error: {e}");
        eprintln!(
            "evaluate: {} cannot be evaluated; nothing was written",
            printable_path(path)
        );
    }
    EXIT_INPUT
}

/// The data folder and its instance, checked to be the plan's own (E601/E602) unless `--force`.
fn load_data(plan: &Value, args: &EvaluateArgs) -> Result<(PathBuf, Instance), u8> {
    let data = resolve_data(plan, args.data.as_deref()).map_err(|e| plan_error(&e, args.plan()))?;
    let (instance, digest) = match load_instance(&data) {
        Ok(loaded) => loaded,
        Err(VerifyError::Input(e)) => return Err(report_input_errors(&e, &data)),
        Err(e) => return Err(plan_error(&e, args.plan())),
    };
    match check_data(plan, args.plan(), &instance, &data, &digest) {
        Ok(()) => {}
        Err(m) if args.force => eprintln!(
            "warning: {} {}: {}; evaluated anyway, the sites matched by id (--force)",
            m.code(),
            printable_path(&m.plan),
            m.reason()
        ),
        Err(m) => {
            eprintln!("{m}; nothing was written");
            return Err(EXIT_INPUT);
        }
    }
    Ok((data, instance))
}

/// The plan's design on the instance; errors name the plan's sites the data does not have.
fn design(plan: &Value, path: &Path, instance: &Instance) -> Result<Design, u8> {
    match plan::design(plan, instance) {
        Ok((design, 0)) => Ok(design),
        Ok((design, unlisted)) => {
            eprintln!(
                "note: {unlisted} site{} of the data {} not in the plan: taken as closed",
                if unlisted == 1 { "" } else { "s" },
                if unlisted == 1 { "is" } else { "are" }
            );
            Ok(design)
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {}: {e}", printable_path(path));
            }
            eprintln!(
                "evaluate: the plan's design does not fit the data; nothing was written (pass the \
                 --data it was made from)"
            );
            Err(EXIT_INPUT)
        }
    }
}

/// The scenario the futures change, as TOML text and the name messages give it: `--model`, or
/// the scenario the plan records.
fn base_text(args: &EvaluateArgs, plan: &Value) -> Result<(String, String), u8> {
    if let Some(path) = &args.model {
        let file = path.display().to_string();
        let text = std::fs::read(path)
            .map_err(|e| format!("cannot read {file}: {e}"))
            .and_then(|b| String::from_utf8(b).map_err(|_| format!("{file} is not UTF-8")));
        return text.map(|t| (t, file)).map_err(|why| {
            eprintln!("error: {why}; nothing was written");
            EXIT_INPUT
        });
    }
    let file = format!("{} (its scenario)", args.plan().display());
    plan::scenario_toml(&plan["scenario"])
        .map(|t| (t, file))
        .map_err(|why| {
            eprintln!(
                "error: {} {why}; pass --model FILE; nothing was written",
                printable_path(args.plan())
            );
            EXIT_INPUT
        })
}

/// The futures to evaluate: `--scenarios`, else the samples of the model's `[uncertainty]`.
fn scenario_set(
    args: &EvaluateArgs,
    base: &BaseModel<'_>,
    instance: &Instance,
    data: &Path,
) -> Result<ScenarioSet, u8> {
    let fail = |e: InputErrors| report_input_errors(&e, data);
    base.scenario().map_err(fail)?;
    if let Some(path) = &args.scenarios {
        return ScenarioSet::load_csv(path, Some(data), instance, base).map_err(fail);
    }
    match from_model_toml(base.text, base.file, base.cli, Some(instance)).map_err(fail)? {
        Some(set) => Ok(set),
        None => {
            eprintln!(
                "error: nothing to evaluate: give --scenarios FILE, or --model FILE with an \
                 [uncertainty] table (samples and a distribution per key); nothing was written"
            );
            Err(EXIT_INPUT)
        }
    }
}

/// The design in every scenario, a slice of scenarios made real and solved at a time.
fn solve_all(
    set: &ScenarioSet,
    instance: &Instance,
    base: &BaseModel<'_>,
    design: &Design,
    jobs: usize,
    data: &Path,
) -> Result<Vec<Outcome>, u8> {
    let options = SolveOptions::default();
    let total = set.scenarios.len();
    let mut outcomes = Vec::with_capacity(total);
    let mut last_shown = Instant::now();
    for slice in set.scenarios.chunks(jobs.max(1) * SLICE_PER_JOB) {
        let part = ScenarioSet {
            scenarios: slice.to_vec(),
            origin: set.origin.clone(),
            risk: None,
        };
        let made =
            future_list(&part, instance, base, jobs).map_err(|e| report_input_errors(&e, data))?;
        let evaluations = evaluate_all(&made, design, &options, jobs)
            .map_err(|e| solver_args::solve_failed(&e))?;
        for (future, e) in made.iter().zip(evaluations) {
            outcomes.push(Outcome {
                id: future.id.clone(),
                probability: future.probability,
                result: match e {
                    Evaluation::Plan(p) => Ok((p.cost, p.kpis)),
                    Evaluation::Infeasible(why) => Err(why.join("; ")),
                },
            });
        }
        if total > slice.len() && last_shown.elapsed() >= PROGRESS_EVERY {
            eprintln!("evaluated {} of {total} scenarios", outcomes.len());
            last_shown = Instant::now();
        }
    }
    Ok(outcomes)
}

/// evaluation.csv's bytes.
fn table(outcomes: &[Outcome]) -> std::io::Result<Vec<u8>> {
    use cartnet::export::stochastic::{ScenarioRow, scenario_table};
    let rows: Vec<ScenarioRow<'_>> = outcomes
        .iter()
        .map(|o| ScenarioRow {
            id: &o.id,
            probability: o.probability,
            outcome: o.result.as_ref().ok().map(|(c, k)| (c, k)),
            note: o.result.as_ref().err().cloned().unwrap_or_default(),
        })
        .collect();
    scenario_table(&rows)
}

/// Writes evaluation.csv into `out` (whole or not at all, under the folder's lock); its path.
fn write(out: &Path, csv: Vec<u8>) -> Result<PathBuf, u8> {
    match folder::write_set(out, &[(EVALUATION_FILE, csv)], &[]) {
        Ok(_) => Ok(out.join(EVALUATION_FILE)),
        Err(e @ FolderError::Io { .. }) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            Err(EXIT_INPUT)
        }
        Err(e) => {
            eprintln!("{e}; nothing was written");
            Err(EXIT_INPUT)
        }
    }
}

/// What the printed summary needs of one scenario: its total cost and coverage, or why the
/// design cannot serve it.
pub struct Line {
    pub id: String,
    pub probability: f64,
    pub result: Result<(f64, f64), String>,
}

impl Line {
    fn of(o: &Outcome) -> Line {
        Line {
            id: o.id.clone(),
            probability: o.probability,
            result: match &o.result {
                Ok((cost, kpis)) => Ok((cost.total, kpis.coverage)),
                Err(why) => Err(why.clone()),
            },
        }
    }
}

/// A design's open sites and platforms.
fn design_size(design: &Design) -> (usize, u32) {
    let open = design.sites.iter().flatten().count();
    (open, design.sites.iter().flatten().map(|s| s.1).sum())
}

/// Prints what the evaluation found; the exit code: 2 when the design serves no scenario.
fn summarize(
    plan: &Path,
    origin: &str,
    (open, platforms): (usize, u32),
    lines: &[Line],
    written: &Path,
) -> u8 {
    println!(
        "evaluated the design of {} ({open} sites open, {platforms} platforms) in {} ({})",
        printable_path(plan),
        scenarios(lines.len()),
        printable(origin)
    );
    let unserved: Vec<&Line> = lines.iter().filter(|o| o.result.is_err()).collect();
    for o in unserved.iter().take(REASONS_SHOWN) {
        if let Err(why) = &o.result {
            eprintln!("  scenario {}: {}", printable(&o.id), printable(why));
        }
    }
    println!(
        "  the design cannot serve {} of them{}",
        unserved.len(),
        if unserved.is_empty() {
            ""
        } else {
            " (their rows in evaluation.csv are empty, with the reason in note)"
        }
    );
    let served = |f: fn(&(f64, f64)) -> f64| -> Vec<(f64, f64)> {
        lines
            .iter()
            .filter_map(|o| o.result.as_ref().ok().map(|r| (o.probability, f(r))))
            .collect()
    };
    let code = match estimate::estimate(&served(|r| r.0)) {
        Some(e) => {
            print_estimate(&e, !unserved.is_empty());
            let coverage = estimate::mean(&served(|r| r.1)).unwrap_or(f64::NAN);
            println!("  mean coverage: {}", percent(coverage));
            EXIT_OK
        }
        None => {
            println!("  no cost to estimate: the design serves none of the scenarios");
            EXIT_INFEASIBLE
        }
    };
    println!("\nwritten to {}", printable_path(written));
    code
}

/// The estimate of the expected cost, and which mean and interval it is.
fn print_estimate(e: &Estimate, some_unserved: bool) {
    let interval = e
        .half_width
        .map_or(" (one scenario: no interval)".to_string(), |h| {
            format!(" ± {} (95 % confidence interval)", usd(h))
        });
    println!("  expected cost: {}{interval}", usd(e.mean));
    let over = if some_unserved {
        format!("{} it serves", scenarios(e.n))
    } else {
        scenarios(e.n)
    };
    let which = if e.weighted {
        format!(
            "probability-weighted mean over the {over}; interval t · s/√n with the weighted \
             standard deviation and the effective sample size n = {:.1}",
            e.effective_n
        )
    } else {
        format!("sample mean over the {over}, equally likely; interval t(0.975, n - 1) · s/√n")
    };
    println!("  ({which})");
    println!("  cost min / max: {} / {}", usd(e.min), usd(e.max));
}

/// "1 scenario", "3 scenarios".
fn scenarios(n: usize) -> String {
    format!("{n} scenario{}", if n == 1 { "" } else { "s" })
}
