//! The plan's flows derived again from its rounded design, so they follow the design it reports.

use super::budget::TimeBudget;
use super::highs::{LpData, Stop, relax_integrality, run_failed, set_bounds};
use super::{OPTIMAL_GAP, Solution, SolveError, SolveOptions, Status, relative_gap};
use highs::HighsModelStatus;
use std::time::Instant;

/// Derives a plan's continuous columns again from its design. HiGHS accepts an integer column
/// within its feasibility tolerance, and a column bounded by it keeps what that allows: a flow
/// w <= W z with z = 1e-7 stays at W * 1e-7 while the plan reads z as 0, so a hospital was
/// "single-sourced" from two sites and a closed site received batches. Here every
/// integer column is rounded and fixed and the LP of the rest is solved on `data` (the model
/// before any phase changed it), so the flows follow the design the plan reports; the
/// objective, gap and status are those of the plan so derived. The LP may run to the end of the
/// whole limit and is not stopped by Ctrl-C: a plan written after an interrupt must hold too.
/// When it has no optimum (the rounded design leaves no flows within tolerance, or the limit
/// ends first) the search's values are kept as they are, and the check every plan passes before
/// it is written (`cartnet solve`, `cartnet sweep`) decides.
pub(super) fn polish(
    data: &LpData,
    solution: Solution,
    options: &SolveOptions,
    budget: &TimeBudget,
) -> Result<Solution, SolveError> {
    let n = data.cost.len();
    if solution.values.len() != n {
        return Ok(solution);
    }
    let began = Instant::now();
    let stop = Stop {
        deadline: budget.finish_end(),
        interrupts: false,
    };
    let mut m = data.quiet_copy(options, &stop)?;
    for col in data.integer_cols() {
        let v = solution.values[col].round();
        set_bounds(&mut m, col, v, v);
    }
    relax_integrality(&mut m);
    // The search's values as the start: where they are already right, the LP keeps them rather
    // than moving to another of equally cheap flows.
    let _ = m.try_set_solution(Some(&solution.values), None, None, None);
    let solved = m.try_solve().map_err(run_failed)?;
    let spent = began.elapsed().as_secs_f64();
    if solved.status() != HighsModelStatus::Optimal {
        return Ok(solution);
    }
    let values = solved.get_solution().columns().to_vec();
    let z = data.objective(&values);
    let best_bound = solution.best_bound.map(|b| b.min(z));
    let gap = best_bound.map(|b| relative_gap(z, b));
    let status = match (solution.status, gap) {
        (Status::Optimal, Some(g)) if g > OPTIMAL_GAP => Status::Feasible,
        (s, _) => s,
    };
    Ok(Solution {
        status,
        objective: Some(z),
        best_bound,
        gap,
        seconds: solution.seconds + spent,
        highs_seconds: solution.highs_seconds + spent,
        values,
        ..solution
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::solve::highs::configure;

    /// A hospital sending its 10 batches to site 1 (open: z1 = 1) or site 2 (z2), one at most:
    /// the search's values hold z2 = 1e-7 and w2 = 1e-6, within HiGHS's tolerances, as a time-
    /// limited run on capb left them. The plan derived from the rounded design
    /// sends all 10 to site 1 and nothing to site 2, at the design's own cost 5 + 10 = 15.
    #[test]
    fn polish_derives_the_flows_from_the_rounded_design() {
        let mut p = ::highs::RowProblem::default();
        let z1 = p.add_integer_column(5.0, 0.0..=1.0);
        let z2 = p.add_integer_column(1.0, 0.0..=1.0);
        let w1 = p.add_column(1.0, 0.0..);
        let w2 = p.add_column(2.0, 0.0..);
        p.add_row(10.0..=10.0, [(w1, 1.0), (w2, 1.0)]);
        p.add_row(..=0.0, [(w1, 1.0), (z1, -10.0)]);
        p.add_row(..=0.0, [(w2, 1.0), (z2, -10.0)]);
        p.add_row(..=1.0, [(z1, 1.0), (z2, 1.0)]);
        let mut model = p.optimise(::highs::Sense::Minimise);
        let options = SolveOptions::default();
        configure(&mut model, &options).unwrap();
        let data = LpData::read(&mut model).unwrap();
        let noisy = vec![1.0 - 1e-7, 1e-7, 10.0 - 1e-6, 1e-6];
        let searched = Solution {
            status: Status::Feasible,
            objective: Some(data.objective(&noisy)),
            best_bound: Some(14.0),
            gap: None,
            seconds: 0.0,
            highs_seconds: 0.0,
            values: noisy,
            lagrangian: None,
            tree_nodes: None,
            basis: None,
        };
        let budget = TimeBudget::new(Instant::now(), Some(60.0));
        let polished = polish(&data, searched, &options, &budget).unwrap();
        assert_eq!(polished.values, vec![1.0, 0.0, 10.0, 0.0]);
        assert_eq!(polished.objective, Some(15.0));
        assert_eq!(polished.best_bound, Some(14.0));
        assert_eq!(polished.gap, Some(relative_gap(15.0, 14.0)));
        assert_eq!(polished.status, Status::Feasible);
    }
}
