//! cartnet: designs decentralized CAR-T manufacturing networks.
//!
//! The pipeline (DESIGN §1): [`input`] (parse + validate) → [`network`] (petgraph of feasible
//! arcs) → [`model`] (the good_lp MILP) → [`solve`] (HiGHS, honest status) → [`plan`] →
//! [`export`]. Each step is a function that can be called and tested alone; [`optimize`] runs
//! the middle of it.

pub mod bench;
pub mod explain;
pub mod export;
pub mod fs;
pub mod ids;
pub mod import;
pub mod input;
pub mod model;
pub mod network;
pub mod plan;
pub mod plan_check;
pub mod solve;
pub mod stochastic;
pub mod sweep;
pub mod text;
pub mod verify;

/// The HiGHS options given by name, at their former path.
pub use solve::highs_option;

use input::{Instance, Scenario};
use network::Network;
use plan::{Plan, Provenance};
use solve::{SolveError, SolveOptions, Status};

/// The result of optimizing one scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A plan: optimal, or feasible with its proven gap (see `plan.solver`).
    Plan(Box<Plan>),
    /// No plan satisfies the constraints; the reasons found.
    Infeasible { reasons: Vec<String>, seconds: f64 },
    /// The time limit (or an [`solve::interrupt`]) came before any feasible plan.
    NoSolution {
        seconds: f64,
        best_bound: Option<f64>,
    },
}

/// Builds the model for `network`, solves it and turns the solution into a plan.
pub fn optimize(
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
    options: &SolveOptions,
    provenance: Provenance<'_>,
) -> Result<Outcome, SolveError> {
    optimize_with_values(instance, scenario, network, options, provenance).map(|(o, _)| o)
}

/// Solves the model of `data` by the path that fits it: the single-source search where it
/// applies ([`solve::single_source`]), else [`solve::solve`]. The benchmarks call it too.
pub fn solve_model(
    problem: model::Problem,
    info: &model::ModelInfo,
    (instance, scenario, network): (&Instance, &Scenario, &Network),
    options: &SolveOptions,
) -> Result<solve::Solution, SolveError> {
    if solve::single_source::applies(instance, scenario, info) {
        solve::single_source::solve(problem, info, instance, scenario, network, options)
    } else if solve::single_source_moving::applies(instance, scenario, info) {
        solve::single_source_moving::solve(problem, info, instance, scenario, network, options)
    } else {
        solve::solve(problem, options)
    }
}

/// As [`optimize`], also returning the solution's column values (empty without a plan), which
/// can start the solve of a neighbouring scenario (`SolveOptions::initial_solution`).
pub fn optimize_with_values(
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
    options: &SolveOptions,
    provenance: Provenance<'_>,
) -> Result<(Outcome, Vec<f64>), SolveError> {
    // The time limit counts the model build too.
    let options = &SolveOptions {
        started: Some(options.started.unwrap_or_else(std::time::Instant::now)),
        ..options.clone()
    };
    // Ctrl-C before the model is built: nothing to search (the build is not interruptible).
    if solve::interrupted() {
        return Ok((
            Outcome::NoSolution {
                seconds: options.started.map_or(0.0, |s| s.elapsed().as_secs_f64()),
                best_bound: None,
            },
            Vec::new(),
        ));
    }
    // A hospital no single site can hold: infeasible, and why, before any model is built.
    let reasons = solve::single_source_fit::misfits(instance, scenario, network);
    if !reasons.is_empty() {
        let seconds = options.started.map_or(0.0, |s| s.elapsed().as_secs_f64());
        return Ok((Outcome::Infeasible { reasons, seconds }, Vec::new()));
    }
    let formulation = model::Formulation::build(instance, scenario, network);
    let info = formulation.info;
    // A multi-year model starts from the forward heuristic's plan, unless given one.
    let with_start;
    let mut spent = 0.0;
    let options = if info.years.len() > 1 && options.initial_solution.is_none() {
        let begin = std::time::Instant::now();
        let first = solve::horizon::first_plan(instance, scenario, network, &info, options)?;
        spent = begin.elapsed().as_secs_f64();
        with_start = SolveOptions {
            initial_solution: first.map(std::sync::Arc::new),
            ..options.clone()
        };
        &with_start
    } else {
        options
    };
    let mut solution = solve_model(
        formulation.problem,
        &info,
        (instance, scenario, network),
        options,
    )?;
    solution.seconds += spent;
    let outcome = match solution.status {
        Status::Optimal | Status::Feasible => Outcome::Plan(Box::new(Plan::new(
            instance, scenario, network, &info, &solution, provenance,
        ))),
        Status::Infeasible => Outcome::Infeasible {
            reasons: explain::infeasible(instance, scenario, network),
            seconds: solution.seconds,
        },
        Status::NoSolution => Outcome::NoSolution {
            seconds: solution.seconds,
            best_bound: solution.best_bound,
        },
    };
    Ok((outcome, solution.values))
}
