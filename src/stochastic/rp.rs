//! The recourse problem (RP): the one design that minimises the objective over all scenarios,
//! by the extensive form here, by the L-shaped decomposition in [`super::search`].

use super::{Futures, Method};
use crate::input::OpModel;
use crate::model::stochastic::{Block, Extensive, Risk, build_extensive, value_at_risk};
use crate::model::{Design, Formulation};
use crate::solve::benders::DesignValues;
use crate::solve::{self, SolveError, SolveOptions, Status, relative_gap};

/// What the recourse problem's solve found.
#[derive(Debug, Clone, PartialEq)]
pub struct Recourse {
    /// The best design found (`None`: none within the limit, or none at all).
    pub design: Option<Design>,
    /// A proven lower bound on the objective.
    pub bound: Option<f64>,
    /// No design serves every scenario.
    pub infeasible: bool,
    pub method: Method,
    /// Master problems solved (1 for the extensive form).
    pub iterations: usize,
}

impl Recourse {
    /// With the best design known before the solve when the solve found none in its time
    /// (every scenario serves as a check of it), and the larger of the two lower bounds: the
    /// solve's and perfect foresight's (`ws_bound`; no design does better, and CVaR only adds).
    pub fn or_best_known(self, best: Option<&Design>, ws_bound: Option<f64>) -> Recourse {
        let bound = match (self.bound, ws_bound) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let design = match (&self.design, self.infeasible) {
            (None, false) => best.cloned(),
            _ => self.design.clone(),
        };
        Recourse {
            design,
            bound,
            ..self
        }
    }
}

/// The best known design (with its expected cost) as the answer, without a solve, when that cost is already
/// within the asked gap of `floor` (the larger of the lower bounds known). Not under risk
/// aversion, where the objective is not the expected cost the candidates were measured by.
pub fn settled(
    best: Option<(&Design, f64)>,
    floor: Option<f64>,
    futures: &Futures,
    options: &SolveOptions,
) -> Option<Recourse> {
    if futures.risk.is_some_and(|r| r.weight > 0.0) {
        return None;
    }
    let (best, cost) = best?;
    let floor = floor?;
    (relative_gap(cost, floor) <= options.gap).then(|| Recourse {
        design: Some(best.clone()),
        bound: Some(floor),
        infeasible: false,
        method: Method::Relaxation,
        iterations: 0,
    })
}

/// By the extensive form: every scenario's rows in one MIP, the design shared.
pub fn by_extensive_form(
    blocks: &[Block<'_>],
    risk: Option<Risk>,
    start: Option<&Design>,
    options: &SolveOptions,
) -> Result<Recourse, SolveError> {
    let extensive = build_extensive(blocks, risk);
    let initial = match start {
        Some(d) => start_values(blocks, &extensive, risk, d, options)?,
        None => None,
    };
    let options = &SolveOptions {
        initial_solution: initial
            .map(std::sync::Arc::new)
            .or(options.initial_solution.clone()),
        ..options.clone()
    };
    let solution = solve::solve(extensive.problem, options)?;
    let networks: Vec<_> = blocks.iter().map(|b| b.network).collect();
    let design = matches!(solution.status, Status::Optimal | Status::Feasible)
        .then(|| Design::from_blocks(&extensive.blocks, &networks, &solution.values));
    Ok(Recourse {
        design,
        bound: solution.best_bound,
        infeasible: solution.status == Status::Infeasible,
        method: Method::ExtensiveForm,
        iterations: 1,
    })
}

/// Whether a design uses only the slots of the design space.
pub(super) fn fits(d: &Design, slots: &[[Option<f64>; 2]]) -> bool {
    d.sites.iter().zip(slots).all(|(site, slot)| match site {
        Some((m, n)) => slot[*m as usize].is_some_and(|most| f64::from(*n) <= most),
        None => true,
    })
}

/// A design as column values.
pub(super) fn values_of(d: &Design, sites: usize) -> DesignValues {
    (0..sites)
        .map(|s| {
            let mut v = [(0.0, 0.0); 2];
            if let Some((m, n)) = d.sites[s] {
                v[m as usize] = (1.0, f64::from(n));
            }
            v
        })
        .collect()
}

/// Column values as a design (they are whole numbers: the master's integer solution).
pub(super) fn design_of_values(v: &DesignValues) -> Design {
    Design {
        sites: v
            .iter()
            .map(|site| {
                OpModel::ALL
                    .into_iter()
                    .find(|&m| site[m as usize].0 > 0.5)
                    .map(|m| (m, site[m as usize].1.round().max(0.0) as u32))
            })
            .collect(),
    }
}

/// The extensive form's columns for `design`: each block's flows with the design fixed (built
/// with the extensive form's sites, so the columns line up), then the CVaR columns.
fn start_values(
    blocks: &[Block<'_>],
    extensive: &Extensive,
    risk: Option<Risk>,
    design: &Design,
    options: &SolveOptions,
) -> Result<Option<Vec<f64>>, SolveError> {
    let (keep, columns) = (&extensive.keep, extensive.blocks[0].columns);
    let mut values = Vec::with_capacity(columns);
    let mut costs = Vec::with_capacity(blocks.len());
    for b in blocks {
        if !design
            .conflicts(b.instance, b.scenario, b.network)
            .is_empty()
        {
            return Ok(None);
        }
        let f = Formulation::build_fixed_keeping(b.instance, b.scenario, b.network, design, keep);
        let solution = solve::solve(f.problem, options)?;
        if solution.values.is_empty() {
            return Ok(None);
        }
        costs.push(solution.objective.unwrap_or(0.0));
        values.extend(solution.values);
    }
    if let Some(r) = risk.filter(|r| r.weight > 0.0) {
        let probabilities: Vec<f64> = blocks.iter().map(|b| b.probability).collect();
        let eta = value_at_risk(&costs, &probabilities, r.alpha);
        values.push(eta);
        values.extend(costs.iter().map(|c| (c - eta).max(0.0)));
    }
    Ok((values.len() == columns).then_some(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recourse(design: Option<Design>, bound: Option<f64>, infeasible: bool) -> Recourse {
        Recourse {
            design,
            bound,
            infeasible,
            method: Method::ExtensiveForm,
            iterations: 1,
        }
    }

    #[test]
    fn a_solve_without_a_design_falls_back_to_the_best_known_with_the_larger_bound() {
        let known = Design {
            sites: vec![Some((OpModel::Owned, 2)), None],
        };
        let found = Design {
            sites: vec![None, Some((OpModel::Franchise, 1))],
        };
        let timed_out = recourse(None, Some(90.0), false).or_best_known(Some(&known), Some(95.0));
        assert_eq!(timed_out.design, Some(known.clone()));
        assert_eq!(timed_out.bound, Some(95.0));
        let solved = recourse(Some(found.clone()), Some(99.0), false)
            .or_best_known(Some(&known), Some(95.0));
        assert_eq!(solved.design, Some(found));
        assert_eq!(solved.bound, Some(99.0));
        let no_bound = recourse(None, None, false).or_best_known(Some(&known), None);
        assert_eq!(no_bound.bound, None);
        let infeasible = recourse(None, None, true).or_best_known(Some(&known), Some(1.0));
        assert_eq!(infeasible.design, None);
    }
}
