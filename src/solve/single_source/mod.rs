//! The single-source search (`policy.single_sourcing`): each hospital sends all its batches to
//! one site, which makes the model a generalized assignment over the sites HiGHS alone proves
//! slowly and finds plans for poorly.
//!
//! Every single-source plan is a plan of the multi-source model (the same columns, fewer plans),
//! so the multi-source search, with its Lagrangian relaxation and branch and bound over sites,
//! gives a lower bound first. Its plan, with the patients' flows held, is repaired into a
//! single-source one (each split hospital moved whole where it costs least) and improved by a
//! local search ([`repair`]). The relaxation of the assignment rows ([`lagrange`], a knapsack
//! per site and a covering knapsack over the sites) then gives a second bound and drops the
//! arcs no cheaper plan uses. When the plan is within the asked gap of the better bound the
//! search ends there; otherwise a branch and bound over sites and assignments ([`tree`]) with
//! that relaxation at each node, warm-started from its parent's prices, and the repair and
//! local search as its primal heuristic, runs until it settles every node or the time is up
//! (measured on the Yang set it closes more than HiGHS's branch and bound did in the same time).
//! Whatever time it leaves goes to HiGHS on the single-source model, without the dropped arcs,
//! from the best plan, and the best of the bounds is reported.

mod assignment;
mod fixing;
mod frontier;
mod knapsack;
mod lagrange;
mod node;
mod repair;
mod restriction;
mod tree;

use super::budget::TimeBudget;
use super::highs::{LpData, configure};
use super::polish::polish;
use super::{OPTIMAL_GAP, Solution, SolveError, SolveOptions, Status, relative_gap};
use crate::input::{Instance, Scenario};
use crate::model::relaxation::{Structure, no_site_policy_rows};
use crate::model::{Formulation, ModelInfo, Problem};
use crate::network::Network;
use assignment::{Arc as ArcOf, Assignment, site_cost};
use good_lp::constraint;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The share of the time left that the multi-source search (the bound and first plan) may use.
/// Its proof adds little: the tree's bound passes its bound, and the tree and the arc fixing
/// make up for a rougher first plan. Measured on the Yang set with 60 s: where 0.4 proved p17
/// in 30.8 s (24 s of it in this search), 0.1 took 13.8 s and 0.05 9.7 s, with p1, p9, p15
/// unchanged; 0.1 keeps room for the large OR-Library instances' multi-source plan.
const RELAXED_SHARE: f64 = 0.1;
/// Its gap, as a share of the asked gap: its bound must leave room for the repair's loss.
const RELAXED_GAP_SHARE: f64 = 0.2;
/// The share of the time left the relaxation of the assignment rows may use.
const LAGRANGE_SHARE: f64 = 0.2;
/// The share of the time left the branch and bound over assignments may use.
const TREE_SHARE: f64 = 1.0;
/// The share of the time left the local search may use.
const LOCAL_SEARCH_SHARE: f64 = 0.1;
/// A flow below this share of its hospital's batches is rounding noise, not a second source.
const FLOW_NOISE: f64 = 1e-6;

/// Whether the single-source search applies: single sourcing in a single-year model without
/// an upfront setup (the columns the multi-source model shares with it then come first), where
/// every hospital's patients are fixed by the data. Where patients can move between hospitals
/// (the national instance) the multi-source plan's flows are a poor guess and its bound weak:
/// measured there, this search ended at a 1.78 % gap where HiGHS alone reaches 1.67 %; those
/// models go to [`super::single_source_moving`].
pub fn applies(instance: &Instance, scenario: &Scenario, info: &ModelInfo) -> bool {
    single_year_sourcing(scenario, info) && patients_fixed(instance, scenario, info)
}

/// Single sourcing in a single-year model without an upfront setup: where a single-source
/// search (this one or [`super::single_source_moving`]) may lead.
pub(super) fn single_year_sourcing(scenario: &Scenario, info: &ModelInfo) -> bool {
    scenario.policy.single_sourcing
        && info.years.len() == 1
        && info.years[0].opening.iter().flatten().all(Option::is_none)
}

/// Solves the single-source model `p` (with `info`): bound and plan from the multi-source
/// model, then HiGHS from that plan unless it is within the gap already. Models whose other
/// rows the multi-source relaxation does not cover go to HiGHS directly.
pub fn solve(
    p: Problem,
    info: &ModelInfo,
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
    options: &SolveOptions,
) -> Result<Solution, SolveError> {
    let started = Instant::now();
    // every phase counts from one start, HiGHS's own search included
    let options = &SolveOptions {
        started: Some(options.started.unwrap_or(started)),
        ..options.clone()
    };
    let budget = TimeBudget::new(options.started.unwrap_or(started), options.time_limit);
    let relaxed = multi_source(instance, scenario, network);
    let structure = relaxed.structure(instance, scenario, network);
    // an assignment with the patients held is a plan only without policy rows over the sites,
    // and a plan of one model is a plan of the other only where their columns agree
    let usable = no_site_policy_rows(scenario) && same_columns(&relaxed.info, info);
    let Some(structure) = structure.filter(|_| usable) else {
        return super::solve(p, options);
    };
    let found = super::solve(relaxed.problem, &relaxed_options(options, &budget))?;
    match found.status {
        // no plan of the larger model: none of this one
        Status::Infeasible => {
            return Ok(Solution {
                values: Vec::new(),
                ..found
            });
        }
        Status::NoSolution => return super::solve(p, options),
        Status::Optimal | Status::Feasible => {}
    }
    let bound = found.best_bound.unwrap_or(f64::NEG_INFINITY);
    let deadline = share_of_left(&budget, LOCAL_SEARCH_SHARE);
    let load = hospital_loads(&structure, &relaxed.info, &found.values);
    let Some(first) = first_plan(&structure, &load, &found.values, deadline) else {
        return super::solve(p, options);
    };
    let plan = |a: &Assignment<'_>| {
        let values = plan_values(a, &relaxed.info, info, &found.values);
        (objective(info, &values), values)
    };
    let (z, values) = plan(&first);
    // the patients' own costs, the same in every assignment
    let fixed_part = z - first.cost();
    let deadline = share_of_left(&budget, LAGRANGE_SHARE);
    let lagrange = lagrange::relax(&structure, &load, first.cost(), deadline);
    let mut best = Best {
        z,
        values,
        bound: bound.max(lagrange.bound + fixed_part),
        proven: false,
        nodes: None,
    };
    if relative_gap(z, best.bound) > options.gap {
        let start = tree::Start {
            structure: &structure,
            load: &load,
            dropped: &lagrange.dropped,
            plan: first.clone(),
            prices: lagrange.prices.clone(),
            root_bound: lagrange.bound,
            fixed_part,
        };
        let deadline = share_of_left(&budget, TREE_SHARE);
        let threads = tree_threads(options);
        search_tree(&mut best, start, (options.gap, threads), deadline, &plan);
    }
    let mut p = p;
    drop_arcs(&mut p, &structure, info, &lagrange.dropped);
    let spent = started.elapsed().as_secs_f64();
    let mut solution = hand_over(p, best, options, &budget)?;
    solution.seconds = started.elapsed().as_secs_f64().max(spent);
    solution.highs_seconds += found.highs_seconds;
    Ok(solution)
}

/// The model of `scenario` without single sourcing: its optimum bounds every single-source
/// plan, and its plan is where the single-source search starts.
fn multi_source(instance: &Instance, scenario: &Scenario, network: &Network) -> Formulation {
    let mut relaxed = scenario.clone();
    relaxed.policy.single_sourcing = false;
    Formulation::build(instance, &relaxed, network)
}

/// The branch and bound from `start` to `gap` on `threads` threads until `deadline`: `best`
/// takes its bound, whether it settled every node, and its plan (made into column values by
/// `plan`) where it found one.
fn search_tree(
    best: &mut Best,
    start: tree::Start<'_>,
    (gap, threads): (f64, usize),
    deadline: Option<Instant>,
    plan: &dyn Fn(&Assignment<'_>) -> (f64, Vec<f64>),
) {
    let (fixed_part, mut a) = (start.fixed_part, start.plan.clone());
    let searched = tree::search(start, gap, deadline, threads);
    best.bound = best.bound.max(searched.bound + fixed_part);
    best.proven = searched.exhausted;
    best.nodes = Some(searched.nodes);
    if let Some(chosen) = searched.best {
        chosen.iter().enumerate().for_each(|(h, &c)| a.set(h, c));
        (best.z, best.values) = plan(&a);
    }
}

/// The branch and bound's worker threads: the solve's threads, else every core (HiGHS's own
/// default takes the physical cores, and the tree runs while HiGHS does not).
fn tree_threads(options: &SolveOptions) -> usize {
    match options.threads {
        Some(n) => n.max(1) as usize,
        None => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
    }
}

/// The single-source search's best plan before HiGHS: its objective and values, the bound, and
/// whether the tree settled every node.
struct Best {
    z: f64,
    values: Vec<f64>,
    bound: f64,
    proven: bool,
    /// The nodes the branch and bound visited, when it ran.
    nodes: Option<usize>,
}

/// The solution from `best`: as it is when proven or within the gap, else HiGHS's branch and
/// bound on `p` started from it, the better of the two kept; with the tree's node count.
fn hand_over(
    p: Problem,
    best: Best,
    options: &SolveOptions,
    budget: &TimeBudget,
) -> Result<Solution, SolveError> {
    let Best {
        z,
        values,
        bound,
        proven,
        nodes,
    } = best;
    let solution = if proven || relative_gap(z, bound) <= options.gap {
        finish(p, values, z, bound, options, budget)?
    } else {
        let with_start = SolveOptions {
            initial_solution: Some(Arc::new(values.clone())),
            ..options.clone()
        };
        let data = plan_data(&p, options)?;
        let solved = super::solve(p, &with_start)?;
        combine(solved, (z, values), bound, &data, options, budget)?
    };
    Ok(Solution {
        tree_nodes: nodes,
        ..solution
    })
}

/// Whether each hospital's patients are fixed by the data: full coverage, no hospital
/// capacities, and each demand group reaching one hospital only.
fn patients_fixed(instance: &Instance, scenario: &Scenario, info: &ModelInfo) -> bool {
    let groups = &info.groups;
    let mut arcs = vec![0usize; groups.members.len()];
    for arc in &groups.arcs {
        arcs[arc.group] += 1;
    }
    scenario.demand.full_coverage
        && instance.hospitals.iter().all(|h| h.max_patients.is_none())
        && arcs.iter().all(|&n| n <= 1)
}

/// The multi-source search's options: its share of the time left and a tighter gap.
fn relaxed_options(options: &SolveOptions, budget: &TimeBudget) -> SolveOptions {
    let gap = (options.gap * RELAXED_GAP_SHARE).max(OPTIMAL_GAP);
    phase_options(options, budget, RELAXED_SHARE, gap)
}

/// The options of a phase that may use `share` of the search time left, with gap `gap`, from
/// no start and writing no model.
pub(super) fn phase_options(
    options: &SolveOptions,
    budget: &TimeBudget,
    share: f64,
    gap: f64,
) -> SolveOptions {
    let limit = share_of_left(budget, share)
        .zip(options.started)
        .map(|(end, start)| end.saturating_duration_since(start).as_secs_f64());
    SolveOptions {
        time_limit: limit,
        gap,
        initial_solution: None,
        write_model: None,
        ..options.clone()
    }
}

/// When `share` of the search time left from now has passed.
fn share_of_left(budget: &TimeBudget, share: f64) -> Option<Instant> {
    budget.search_end().map(|end| {
        let now = Instant::now();
        now + Duration::from_secs_f64(end.saturating_duration_since(now).as_secs_f64() * share)
    })
}

/// Whether the two models number their shared columns alike (cell arcs checked).
pub(super) fn same_columns(relaxed: &ModelInfo, info: &ModelInfo) -> bool {
    let (a, b) = (&relaxed.years[0], &info.years[0]);
    a.shipments.len() == b.shipments.len()
        && a.shipments
            .iter()
            .zip(&b.shipments)
            .all(|(x, y)| x.col == y.col)
        && a.patients
            .iter()
            .zip(&b.patients)
            .all(|(x, y)| x.col == y.col)
}

/// Patients a year at each hospital in the multi-source plan `values`.
fn hospital_loads(structure: &Structure, relaxed: &ModelInfo, values: &[f64]) -> Vec<f64> {
    let mut load = vec![0.0; structure.hospitals];
    let vars = &relaxed.years[0];
    for (a, arc) in relaxed.groups.arcs.iter().enumerate() {
        load[arc.hospital] += values[vars.patients[a].col].max(0.0);
    }
    load
}

/// The cell arc of each shipment column.
fn arcs_by_column(info: &ModelInfo) -> HashMap<usize, usize> {
    let shipments = &info.years[0].shipments;
    shipments
        .iter()
        .enumerate()
        .map(|(c, w)| (w.col, c))
        .collect()
}

/// Fixes to 0 the choice of each arc in `dropped`: no plan cheaper than the first uses it.
fn drop_arcs(p: &mut Problem, structure: &Structure, info: &ModelInfo, dropped: &[ArcOf]) {
    let vars = &info.years[0];
    let arc_of_col = arcs_by_column(info);
    for &(s, i) in dropped {
        if let Some(z) = vars.sourcing[arc_of_col[&structure.sites[s].arcs[i].col]] {
            p.constraints.push(constraint!(z.var == 0));
        }
    }
}

/// The single-source assignment repaired from the multi-source plan `values` (hospitals with
/// `load` patients) and improved until `deadline`, or `None` if a split hospital fits nowhere.
fn first_plan<'a>(
    structure: &'a Structure,
    load: &'a [f64],
    values: &[f64],
    deadline: Option<Instant>,
) -> Option<Assignment<'a>> {
    let mut a = Assignment::new(structure, load);
    let mut split = Vec::new();
    for (h, &patients) in load.iter().enumerate() {
        if patients <= 0.0 {
            continue;
        }
        let used: Vec<(usize, usize)> = a.arcs_of[h]
            .iter()
            .copied()
            .filter(|&(s, i)| {
                values[structure.sites[s].arcs[i].col] > FLOW_NOISE * a.batches_of(h, s)
            })
            .collect();
        match used[..] {
            [one] => a.set(h, Some(one)),
            _ => split.push(h),
        }
    }
    if !repair::repair(&mut a, split) {
        return None;
    }
    repair::improve(&mut a, deadline);
    Some(a)
}

/// The column values of assignment `a`: the multi-source plan's patient flows, the assigned
/// arcs' batches and choices, and each site's cheapest way to make its batches.
fn plan_values(a: &Assignment<'_>, relaxed: &ModelInfo, info: &ModelInfo, ms: &[f64]) -> Vec<f64> {
    let (ms_vars, vars) = (&relaxed.years[0], &info.years[0]);
    let mut v = ms.to_vec();
    v.resize(info.columns, 0.0);
    let arc_of_col = arcs_by_column(info);
    for w in &vars.shipments {
        v[w.col] = 0.0;
    }
    for (h, chosen) in a.chosen.iter().enumerate() {
        let Some((s, i)) = *chosen else { continue };
        let col = a.structure.sites[s].arcs[i].col;
        v[col] = a.batches_of(h, s);
        if let Some(z) = vars.sourcing[arc_of_col[&col]] {
            v[z.col] = 1.0;
        }
    }
    for (s, site) in a.structure.sites.iter().enumerate() {
        let cols = (0..2).map(|k| {
            (
                ms_vars.open[s][k],
                ms_vars.platforms[s][k],
                ms_vars.batches[s][k],
            )
        });
        for (y, n, b) in cols {
            let (Some(y), Some(n), Some(b)) = (y, n, b) else {
                continue;
            };
            let (open, platforms, made) = match site_cost(site, a.batches[s]) {
                Some((_, o, n)) if o != usize::MAX && site.options[o].open_col == y.col => {
                    (1.0, f64::from(n), a.batches[s])
                }
                _ => (0.0, 0.0, 0.0),
            };
            (v[y.col], v[n.col], v[b.col]) = (open, platforms, made);
        }
    }
    v
}

/// The objective of `values` (every cost term, discounted).
fn objective(info: &ModelInfo, values: &[f64]) -> f64 {
    info.cost_terms
        .iter()
        .map(|t| t.coef * info.discount[t.year] * values[t.col])
        .sum()
}

/// The single-source model's data as HiGHS holds it, to derive a plan's flows from its design.
fn plan_data(p: &Problem, options: &SolveOptions) -> Result<LpData, SolveError> {
    let mut model = super::search::into_highs(
        p.variables.clone(),
        p.objective.clone(),
        p.constraints.clone(),
    )?;
    configure(&mut model, options)?;
    LpData::read(&mut model)
}

/// The plan `values` of objective `z` as the solution, with `bound`, its flows derived again
/// from its design.
fn finish(
    p: Problem,
    values: Vec<f64>,
    z: f64,
    bound: f64,
    options: &SolveOptions,
    budget: &TimeBudget,
) -> Result<Solution, SolveError> {
    let data = plan_data(&p, options)?;
    polish(&data, own_plan(z, bound, values), options, budget)
}

/// A solution holding plan `values` of objective `z`, with `bound` as its lower bound.
fn own_plan(z: f64, bound: f64, values: Vec<f64>) -> Solution {
    let bound = bound.min(z);
    let gap = relative_gap(z, bound);
    Solution {
        status: if gap <= OPTIMAL_GAP {
            Status::Optimal
        } else {
            Status::Feasible
        },
        objective: Some(z),
        best_bound: bound.is_finite().then_some(bound),
        gap: gap.is_finite().then_some(gap),
        seconds: 0.0,
        highs_seconds: 0.0,
        values,
        lagrangian: None,
        tree_nodes: None,
        basis: None,
    }
}

/// HiGHS's result with the multi-source bound where better, or the repaired plan where HiGHS
/// ended without a better one.
fn combine(
    solved: Solution,
    own: (f64, Vec<f64>),
    bound: f64,
    data: &LpData,
    options: &SolveOptions,
    budget: &TimeBudget,
) -> Result<Solution, SolveError> {
    let best = solved.best_bound.unwrap_or(f64::NEG_INFINITY).max(bound);
    match solved.objective {
        Some(z) if z <= own.0 => {
            let plan = own_plan(z, best, Vec::new());
            Ok(Solution {
                status: plan.status,
                best_bound: plan.best_bound,
                gap: plan.gap,
                ..solved
            })
        }
        _ => {
            let seconds = (solved.seconds, solved.highs_seconds);
            let mut s = polish(data, own_plan(own.0, best, own.1), options, budget)?;
            (s.seconds, s.highs_seconds) = (s.seconds + seconds.0, s.highs_seconds + seconds.1);
            Ok(s)
        }
    }
}
