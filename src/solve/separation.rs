//! Cutting-plane rounds on the LP relaxation, and the repair of their last LP point into a
//! first plan.

use super::budget::{Phase, TimeBudget, seconds_until};
use super::highs::{
    LpData, Stop, add_rows, integrality, relax_integrality, run_failed, set_bounds,
    set_integrality, set_time_limit,
};
use super::{SolveError, SolveOptions, interrupted};
use crate::model::LazyRow;
use highs::HighsModelStatus;
use std::time::Instant;

/// Cutting-plane rounds on the LP relaxation: adds the lazy rows the relaxation violates until
/// none is violated (or the time budget is spent), then restores integrality. The rows are valid
/// for every integer solution, so the optimum is unchanged and the root bound is that of the
/// model with every row.
pub(super) fn separate(
    mut model: highs::Model,
    lazy: &[LazyRow],
    budget: &TimeBudget,
    highs_seconds: &mut f64,
    lp_bound: &mut Option<f64>,
    point: &mut Option<Vec<f64>>,
) -> Result<highs::Model, SolveError> {
    // Rounds, each LP included, may use their share of the search.
    let rounds_end = budget.phase_end(Phase::Separation);
    if lazy.is_empty() {
        return Ok(model);
    }
    let integrality = integrality(&mut model);
    if integrality.iter().all(|&v| v == 0) {
        // A pure LP: rows added lazily would change nothing the LP does not already do.
        add_rows(&mut model, &lazy.iter().collect::<Vec<_>>())?;
        return Ok(model);
    }
    relax_integrality(&mut model);
    let mut added = vec![false; lazy.len()];
    for _round in 0..MAX_ROUNDS {
        if let Some(end) = rounds_end {
            set_time_limit(&mut model, seconds_until(end))?;
        }
        let violated;
        (model, violated) = lp_round(model, lazy, &added, highs_seconds, lp_bound, point)?;
        let out_of_time = rounds_end.is_some_and(|e| Instant::now() > e);
        if violated.is_empty() || out_of_time || interrupted() {
            break;
        }
        let rows: Vec<&LazyRow> = violated.iter().map(|&i| &lazy[i]).collect();
        add_rows(&mut model, &rows)?;
        for i in violated {
            added[i] = true;
        }
    }
    set_integrality(&mut model, &integrality);
    // The caller repairs the last optimal LP point into a first plan ([`repair`]), which finds
    // good plans on large instances.
    Ok(model)
}

/// One round: the LP relaxation solved; at an optimum its bound and point are kept, and the
/// rows not yet `added` that it violates are returned (none otherwise).
fn lp_round(
    model: highs::Model,
    lazy: &[LazyRow],
    added: &[bool],
    highs_seconds: &mut f64,
    lp_bound: &mut Option<f64>,
    point: &mut Option<Vec<f64>>,
) -> Result<(highs::Model, Vec<usize>), SolveError> {
    let run = Instant::now();
    let solved = model.try_solve().map_err(run_failed)?;
    *highs_seconds += run.elapsed().as_secs_f64();
    let optimal = solved.status() == HighsModelStatus::Optimal;
    if optimal {
        // The relaxation with some of the valid rows bounds every integer plan from below.
        let z = solved.objective_value();
        *lp_bound = Some(lp_bound.map_or(z, |b: f64| b.max(z)));
    }
    let violated: Vec<usize> = if optimal {
        let x = solved.get_solution();
        let x = x.columns();
        *point = Some(x.to_vec());
        (0..lazy.len())
            .filter(|&i| !added[i])
            .filter(|&i| {
                let r = &lazy[i];
                let lhs: f64 = r.terms.iter().map(|&(c, a)| a * x[c]).sum();
                lhs > r.upper + VIOLATION * (1.0 + r.terms[0].1.abs().max(r.upper.abs()))
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok((highs::Model::from(solved), violated))
}

/// The repair of the cutting-plane rounds' LP point `point` into a first plan, until the end of
/// [`Phase::Repair`], RENS-like: on a copy of the model, the discrete columns already integral
/// are fixed and the sub-MIP of the rest is solved. HiGHS does the same with an LP point left
/// as its MIP start, but inside the run of the branch and bound, under the same time_limit and
/// out of reach of the interrupt callback: the repair could take every second left (the branch
/// and bound's presolve then ran past the deadline), or end at once and leave the branch and
/// bound half the time, and Ctrl-C waited for it. The plan found, if any.
pub(super) fn repair(
    data: &LpData,
    point: &[f64],
    options: &SolveOptions,
    budget: &TimeBudget,
    highs_seconds: &mut f64,
) -> Result<Option<Vec<f64>>, SolveError> {
    let stop = Stop {
        deadline: budget.phase_end(Phase::Repair),
        interrupts: true,
    };
    let mut m = data.quiet_copy(options, &stop)?;
    for col in data.integer_cols() {
        let v = point[col];
        if (v - v.round()).abs() <= INTEGRAL {
            set_bounds(&mut m, col, v.round(), v.round());
        }
    }
    let run = Instant::now();
    let solved = m.try_solve().map_err(run_failed)?;
    *highs_seconds += run.elapsed().as_secs_f64();
    Ok(
        (solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible)
            .then(|| solved.get_solution().columns().to_vec()),
    )
}

/// The most cutting-plane rounds (their share of the time limit may end them sooner).
const MAX_ROUNDS: usize = 100;
/// A row counts as violated beyond this, relative to its coefficients (HiGHS's feasibility
/// tolerance: a smaller excess is within the LP's own noise).
const VIOLATION: f64 = 1e-6;

/// A column of an LP point within this of a whole number counts as integral (HiGHS's
/// mip_feasibility_tolerance).
const INTEGRAL: f64 = 1e-6;
