//! The Lagrangian relaxation run on a HiGHS model: its probes are HiGHS solves of copies of
//! the model with the sites restricted.

use super::{BRANCH_MAX_GAP, BranchLimits, Fixed, Limits, MAX_LEAF_PROBES, MAX_OPEN_NODES};
use super::{Outcome, Plan, Probe, Probed, Search};
use crate::model::LazyRow;
use crate::model::relaxation::Structure;
use crate::solve::budget::{Phase, TimeBudget, seconds_until};
use crate::solve::highs::{LpData, Stop, add_rows, run_failed, set_bounds, set_time_limit, watch};
use crate::solve::{RESTRICTED_ARCS, SolveError, SolveOptions, interrupted, relative_gap};
use highs::HighsModelStatus;
use std::time::Instant;

/// The most rounds of the subgradient search (its share of the time limit may end it sooner).
const MAX_ROUNDS: usize = 3000;

/// What the Lagrangian relaxation established before branch and bound.
#[derive(Debug, Clone)]
pub(in crate::solve) struct Relaxed {
    /// A lower bound on every plan the site fixing kept.
    pub(in crate::solve) bound: f64,
    /// The best plan found.
    pub(in crate::solve) incumbent: Option<Plan>,
}

/// The Lagrangian relaxation ([`super`]) on `model`'s structure, within its share of the
/// search ([`Phase::Lagrangian`]). Its plans are evaluated by HiGHS on a copy of
/// `model` with the sites' open columns fixed, so each is a plan of this very model with its
/// true cost; `model` itself is not changed (a HiGHS instance that has solved one MIP is not
/// reused for another: its later results were seen to mix in the earlier run's).
pub(in crate::solve) fn lagrangian(
    model: &mut highs::Model,
    structure: &Structure,
    lazy: &[LazyRow],
    options: &SolveOptions,
    budget: &TimeBudget,
    stop: &Stop,
    highs_seconds: &mut f64,
) -> Result<Outcome, SolveError> {
    let deadline = budget.phase_end(Phase::Lagrangian);
    let failure = std::cell::RefCell::new(None);
    // The model's data, copied once; each probe runs on a fresh instance made from it.
    let data = LpData::read(model)?;
    let probe_options = SolveOptions {
        log_file: None,
        ..options.clone()
    };
    // The best plan the probes found: the start of the next one.
    let mut best: Option<Plan> = None;
    let at = ProbeAt {
        data: &data,
        options: &probe_options,
        stop,
        structure,
        lazy,
        deadline: std::cell::Cell::new(deadline),
    };
    let mut probe = |plan: &[Probe], search: Search| -> Probed {
        at.probe(plan, search, &mut best, highs_seconds)
            .unwrap_or_else(|e| {
                *failure.borrow_mut() = Some(e);
                Probed::NOTHING
            })
    };
    let limits = Limits {
        deadline,
        stopped: &interrupted,
        max_iterations: MAX_ROUNDS,
        gap: options.gap,
    };
    let mut outcome = structure.run(limits, None, &mut probe);
    let full = budget.search_end();
    at.deadline.set(full);
    if failure.borrow().is_none() {
        prove_if_near(structure, &mut outcome, full, options.gap, &mut probe);
    }
    match failure.into_inner() {
        Some(e) => Err(e),
        None => Ok(outcome),
    }
}

/// The branch and bound over sites ([`Structure::prove`]), until `deadline`, when the
/// subgradient search left a plan within [`BRANCH_MAX_GAP`] of its bound.
fn prove_if_near(
    structure: &Structure,
    outcome: &mut Outcome,
    deadline: Option<Instant>,
    gap: f64,
    probe: &mut dyn FnMut(&[Probe], Search) -> Probed,
) {
    let near = outcome
        .incumbent
        .as_ref()
        .is_some_and(|(z, _)| relative_gap(*z, outcome.bound) <= BRANCH_MAX_GAP);
    if outcome.prices.is_empty() || !near {
        return;
    }
    let limits = BranchLimits {
        deadline,
        stopped: &interrupted,
        max_open: MAX_OPEN_NODES,
        max_probes: MAX_LEAF_PROBES,
        gap,
    };
    let proof = structure.prove(
        &outcome.prices,
        &outcome.fixed,
        &mut outcome.incumbent,
        limits,
        probe,
    );
    outcome.bound = outcome.bound.max(proof.bound);
    outcome.probes += proof.probes;
    outcome.proof = Some(proof);
}

/// What a probe of the Lagrangian relaxation runs on: a copy of the model's data, restricted
/// as the probe says.
struct ProbeAt<'a> {
    data: &'a LpData,
    options: &'a SolveOptions,
    stop: &'a Stop,
    structure: &'a Structure,
    lazy: &'a [LazyRow],
    /// When its search must stop: the relaxation's share of the time limit, then the limit.
    deadline: std::cell::Cell<Option<Instant>>,
}

impl ProbeAt<'_> {
    /// A probe: [`ProbeAt::solve`] from `best` (the best plan so far) where it fits these
    /// restrictions, and again without it if HiGHS misjudged it (see the start check in
    /// `solve`); a plan found replaces `best` when cheaper. Misjudged twice, nothing is learnt.
    fn probe(
        &self,
        plan: &[Probe],
        search: Search,
        best: &mut Option<Plan>,
        highs_seconds: &mut f64,
    ) -> Result<Probed, SolveError> {
        let start = best.as_ref().map(|(_, v)| v.as_slice());
        let mut answer = self.solve(plan, search, start, highs_seconds);
        if matches!(answer, Ok(None)) && start.is_some() {
            answer = self.solve(plan, search, None, highs_seconds);
        }
        let Some(probed) = answer? else {
            return Ok(Probed::NOTHING);
        };
        if let Some((z, values)) = &probed.plan
            && best.as_ref().is_none_or(|(b, _)| z < b)
        {
            *best = Some((*z, values.clone()));
        }
        Ok(probed)
    }

    /// Solves a fresh copy of the model with the sites as `plan` says (under
    /// [`Search::Restricted`], each hospital shipping only to its [`RESTRICTED_ARCS`] cheapest
    /// free sites), from `start` if given. `None` if HiGHS's objective is not the plan's own
    /// cost (a misjudged start: the answer is discarded).
    fn solve(
        &self,
        plan: &[Probe],
        search: Search,
        start: Option<&[f64]>,
        highs_seconds: &mut f64,
    ) -> Result<Option<Probed>, SolveError> {
        let mut m = self.data.to_model(self.options)?;
        watch(&mut m, self.stop)?;
        self.restrict(&mut m, plan, search)?;
        if let Some(d) = self.deadline.get() {
            set_time_limit(&mut m, seconds_until(d))?;
        }
        if let Some(values) = start {
            // a start that does not fit these restrictions is only ignored
            let _ = m.try_set_solution(Some(values), None, None, None);
        }
        let run = Instant::now();
        let solved = m.try_solve();
        *highs_seconds += run.elapsed().as_secs_f64();
        let solved = solved.map_err(run_failed)?;
        let bound = match solved.status() {
            HighsModelStatus::Infeasible => f64::INFINITY,
            _ => solved
                .double_info_value(c"mip_dual_bound")
                .ok()
                .filter(|b| !b.is_nan())
                .unwrap_or(f64::NEG_INFINITY),
        };
        let finished = matches!(
            solved.status(),
            HighsModelStatus::Optimal | HighsModelStatus::Infeasible
        );
        // Any plan HiGHS found is a plan of the model (the best one with these sites only when
        // the search finished), once its objective is checked against its own cost.
        if solved.primal_solution_status() != highs::HighsSolutionStatus::Feasible {
            return Ok(Some(Probed {
                plan: None,
                bound,
                finished,
            }));
        }
        let values = solved.get_solution().columns().to_vec();
        if !self.data.agrees(&values, solved.objective_value()) {
            return Ok(None);
        }
        let z = self.data.objective(&values);
        Ok(Some(Probed {
            plan: Some((z, values)),
            bound,
            finished,
        }))
    }

    /// Bounds `m`'s open columns as `plan` says and, under [`Search::Restricted`], each
    /// hospital's cell arcs to its [`RESTRICTED_ARCS`] cheapest free sites (with their rows).
    fn restrict(
        &self,
        m: &mut highs::Model,
        plan: &[Probe],
        search: Search,
    ) -> Result<(), SolveError> {
        let structure = self.structure;
        for (site, choice) in structure.sites.iter().zip(plan) {
            for (k, o) in site.options.iter().enumerate() {
                let (lower, upper) = match *choice {
                    Probe::Open(j) if j == k => (1.0, 1.0),
                    Probe::Free => (0.0, 1.0),
                    _ => (0.0, 0.0),
                };
                set_bounds(m, o.open_col, lower, upper);
            }
        }
        // A search for a plan, not a proof: each hospital may ship only to its
        // RESTRICTED_ARCS cheapest free sites, which keeps the search small; any plan it finds
        // is a plan of the whole model.
        let mut by_hospital: Vec<Vec<(f64, usize)>> = vec![Vec::new(); structure.hospitals];
        for (site, choice) in structure.sites.iter().zip(plan) {
            if *choice != Probe::Free || search == Search::Exact {
                continue;
            }
            let per_batch = site
                .options
                .iter()
                .map(|o| o.per_batch)
                .fold(f64::INFINITY, f64::min);
            for a in &site.arcs {
                by_hospital[a.hospital].push((a.cost + per_batch, a.col));
            }
        }
        let mut kept = std::collections::HashSet::new();
        for list in &mut by_hospital {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (i, &(_, col)) in list.iter().enumerate() {
                if i < RESTRICTED_ARCS {
                    kept.insert(col);
                } else {
                    set_bounds(m, col, 0.0, 0.0);
                }
            }
        }
        // The strengthening rows of the arcs kept: without them the restricted search has the
        // weak relaxation (w <= W y is implied only at integer y).
        let rows: Vec<&LazyRow> = self
            .lazy
            .iter()
            .filter(|r| kept.contains(&r.terms[0].0))
            .collect();
        add_rows(m, &rows)?;
        Ok(())
    }
}

/// Fixes the open columns of the sites the relaxation found open or closed in every better
/// plan (a site open under one of several operating models is left free); returns which
/// columns are fixed.
pub(in crate::solve) fn fix_sites(
    model: &mut highs::Model,
    structure: &Structure,
    fixed: &[Option<Fixed>],
) -> Vec<bool> {
    let mut fixed_cols = vec![false; model.num_cols()];
    for (site, f) in structure.sites.iter().zip(fixed) {
        let value = match f {
            Some(Fixed::Closed) => 0.0,
            Some(Fixed::Open) if site.options.len() == 1 => 1.0,
            _ => continue,
        };
        for o in &site.options {
            set_bounds(model, o.open_col, value, value);
            fixed_cols[o.open_col] = true;
        }
    }
    fixed_cols
}
