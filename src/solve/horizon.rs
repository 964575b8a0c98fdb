//! A first plan for a multi-year solve: the forward heuristic.
//!
//! Branch and bound over several linked years finds good plans slowly (it cannot split the years
//! apart), so before the full model is solved each year is solved alone, in order, keeping what
//! the years before it built: the sites they opened stay open and their platforms stay installed.
//! The years' plans together satisfy every linking row, so they form a plan of the whole horizon,
//! which HiGHS takes as its first incumbent. It only starts the search: the plan returned, its
//! status and its gap are those of the full model.

use crate::input::{Instance, Scenario};
use crate::model::{Floors, Formulation, ModelInfo, Var, Vars};
use crate::network::Network;
use crate::solve::budget::{Phase, TimeBudget};
use crate::solve::{self, SolveError, SolveOptions, Status};
use std::time::Instant;
/// The gap each year's solve stops at (it only needs a good plan, not a proof).
const YEAR_GAP: f64 = 1e-3;

/// Column values of a plan of the whole horizon for `info` (the full model), or `None` when a
/// year finds no plan in its time (the full model then starts without one).
pub fn first_plan(
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
    info: &ModelInfo,
    options: &SolveOptions,
) -> Result<Option<Vec<f64>>, SolveError> {
    // the heuristic's share of the search, all years together (counted from the command's start)
    let budget = TimeBudget::new(
        options.started.unwrap_or_else(Instant::now),
        options.time_limit,
    );
    let end = budget.phase_end(Phase::Horizon);
    let years = info.years.len();
    let sites = instance.sites.len();
    let mut floors = Floors::none(sites);
    let mut values = vec![0.0; info.columns];
    for year in 0..years {
        // each year an equal part of what is left
        let time_limit = match end {
            Some(end) => match TimeBudget::sub_limit(end, years - year) {
                Some(t) => Some(t),
                None => return Ok(None),
            },
            None => None,
        };
        let year_options = SolveOptions {
            time_limit,
            gap: options.gap.max(YEAR_GAP),
            log_file: None,
            initial_solution: None,
            write_model: None,
            started: None,
            ..options.clone()
        };
        let f = Formulation::build_year(instance, scenario, network, year, &floors);
        let one = f.info;
        let solution = solve::solve(f.problem, &year_options)?;
        if solve::interrupted() || !matches!(solution.status, Status::Optimal | Status::Feasible) {
            return Ok(None);
        }
        let v = |col: usize| solution.values.get(col).copied().unwrap_or(0.0);
        let from = &one.years[0];
        copy_year(&mut values, from, &info.years[year], &v, sites);
        // what this year built, the next inherits
        inherit(&mut floors, from, &v, scenario.horizon.platform_removal);
    }
    // upfront setup: the opening columns follow the open decisions
    info.set_openings(&mut values);
    Ok(Some(values))
}

/// Copies one year's plan (`v` of its own model's columns `from`) into the full model's
/// columns `to` of that year.
fn copy_year(values: &mut [f64], from: &Vars, to: &Vars, v: &dyn Fn(usize) -> f64, sites: usize) {
    let mut copy = |a: Option<Var>, b: Option<Var>| {
        if let (Some(a), Some(b)) = (a, b) {
            values[b.col] = v(a.col);
        }
    };
    for s in 0..sites {
        for k in 0..2 {
            copy(from.open[s][k], to.open[s][k]);
            copy(from.platforms[s][k], to.platforms[s][k]);
            copy(from.batches[s][k], to.batches[s][k]);
        }
    }
    for (a, b) in from.patients.iter().zip(&to.patients) {
        copy(Some(*a), Some(*b));
    }
    for (a, b) in from.shipments.iter().zip(&to.shipments) {
        copy(Some(*a), Some(*b));
    }
    for (a, b) in from.unserved.iter().zip(&to.unserved) {
        copy(*a, *b);
    }
    for (a, b) in from.sourcing.iter().zip(&to.sourcing) {
        copy(*a, *b);
    }
}

/// The floors the next year inherits from this year's plan: the sites it opened stay open,
/// and its platforms stay installed unless platforms may be removed.
fn inherit(floors: &mut Floors, from: &Vars, v: &dyn Fn(usize) -> f64, platform_removal: bool) {
    for s in 0..floors.open.len() {
        for k in 0..2 {
            floors.open[s][k] = from.open[s][k].is_some_and(|y| v(y.col) > 0.5);
            floors.platforms[s][k] = if platform_removal {
                0.0
            } else {
                from.platforms[s][k].map_or(0.0, |n| v(n.col).round())
            };
        }
    }
}
