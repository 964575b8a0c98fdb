//! The two-stage model of DESIGN §10 in its extensive form: one block of §5 rows per scenario,
//! each with its own flows, all sharing one design (the open and platform columns are linked
//! across blocks). The objective is the first-stage cost plus the probability-weighted
//! second-stage cost, or with a risk weight λ the blend (1-λ)·E + λ·CVaR_α
//! (Rockafellar and Uryasev 2000).

use super::relaxation::{Structure, no_site_policy_rows};
use super::{
    AdjacencyLists, Builder, DemandGroups, LazyRow, ModelInfo, Problem, Var, Vars, YearData, year,
};
use crate::input::{Instance, Scenario};
use crate::network::Network;
use good_lp::{Constraint, Expression, constraint, variable};

/// One scenario of the model: its data and its probability.
#[derive(Clone, Copy)]
pub struct Block<'a> {
    pub instance: &'a Instance,
    pub scenario: &'a Scenario,
    pub network: &'a Network,
    pub probability: f64,
}

/// Risk aversion: the weight λ of CVaR at level α in the objective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Risk {
    pub alpha: f64,
    pub weight: f64,
}

/// The extensive form, and where each scenario's columns sit.
pub struct Extensive {
    pub problem: Problem,
    /// Per scenario, its columns and cost terms (undiscounted, unweighted, year 0), as a
    /// single-year model over the whole column vector.
    pub blocks: Vec<ModelInfo>,
    /// The sites every block has columns for ([`keep_sites`]).
    pub keep: Vec<bool>,
}

/// Builds the extensive form of the scenarios' blocks (single-year models, as the solver
/// checks before: a horizon or an upfront setup is refused there).
pub fn build_extensive(blocks: &[Block<'_>], risk: Option<Risk>) -> Extensive {
    let expectation = risk.map_or(1.0, |r| 1.0 - r.weight);
    let mut b = Builder::new(blocks.iter().map(|k| expectation * k.probability).collect());
    let mut rows: Vec<Constraint> = Vec::new();
    let mut lazy: Vec<LazyRow> = Vec::new();
    let groups: Vec<DemandGroups> = blocks
        .iter()
        .map(|k| DemandGroups::build(k.instance, k.network))
        .collect();
    let lists: Vec<AdjacencyLists> = blocks
        .iter()
        .zip(&groups)
        .map(|(k, g)| {
            AdjacencyLists::new(
                g,
                k.network,
                k.instance.hospitals.len(),
                k.instance.sites.len(),
            )
        })
        .collect();
    let keep = reached_somewhere(&lists, blocks[0].instance.sites.len());
    let mut vars = Vec::with_capacity(blocks.len());
    for (slot, (k, (l, g))) in blocks.iter().zip(lists.iter().zip(&groups)).enumerate() {
        vars.push(year::build(
            &mut b,
            &mut rows,
            &mut lazy,
            YearData {
                year: 0,
                producing: k.scenario.horizon.lead_years == 0,
                upfront: false,
                slot,
                keep_sites: Some(&keep),
            },
            l.view(g),
            k.instance,
            k.scenario,
            k.network,
        ));
    }
    define_shared_design(&mut rows, &vars);
    if let Some(risk) = risk.filter(|r| r.weight > 0.0) {
        define_cvar(&mut b, &mut rows, blocks, risk);
    }
    let mut extensive = finish(b, rows, lazy, vars, groups);
    extensive.keep = keep;
    extensive
}

/// Sites some scenario's hospitals can reach: every block gets their columns, so the design
/// pays for a site in every scenario.
fn reached_somewhere(lists: &[AdjacencyLists], sites: usize) -> Vec<bool> {
    (0..sites)
        .map(|s| lists.iter().any(|l| !l.into_site[s].is_empty()))
        .collect()
}

/// One design for all scenarios: each block's open and platform columns equal the first
/// block's; a column some block lacks (the site cannot be run that way there) is 0 in all.
fn define_shared_design(rows: &mut Vec<Constraint>, vars: &[Vars]) {
    for s in 0..vars[0].open.len() {
        for k in 0..2 {
            link(rows, vars.iter().map(|v| v.open[s][k]).collect());
            link(rows, vars.iter().map(|v| v.platforms[s][k]).collect());
        }
    }
}

/// The same column of every block: all equal to the first, or all 0 when some block lacks it.
fn link(rows: &mut Vec<Constraint>, cols: Vec<Option<Var>>) {
    match cols.iter().copied().collect::<Option<Vec<Var>>>() {
        Some(all) => {
            for c in &all[1..] {
                rows.push(constraint!(c.var - all[0].var == 0));
            }
        }
        None => {
            for c in cols.iter().flatten() {
                rows.push(constraint!(c.var == 0));
            }
        }
    }
}

/// CVaR_α of the scenario costs, weighted λ: η + Σ π_ω s_ω / (1 - α), with
/// s_ω >= cost_ω - η, s_ω >= 0 (cost_ω: the block's whole cost, first stage included).
fn define_cvar(b: &mut Builder, rows: &mut Vec<Constraint>, blocks: &[Block<'_>], risk: Risk) {
    let eta = b.column(variable());
    b.objective.add_mul(risk.weight, eta.var);
    let mut cost: Vec<Expression> = vec![Expression::default(); blocks.len()];
    for t in &b.cost_terms {
        cost[t.year].add_mul(t.coef, b.variables[t.col]);
    }
    for (k, c) in blocks.iter().zip(cost) {
        let excess = b.column(variable().min(0));
        b.objective
            .add_mul(risk.weight * k.probability / (1.0 - risk.alpha), excess.var);
        rows.push(constraint!(excess.var + eta.var - c >= 0));
    }
}

/// The problem, and each block as a single-year model over the whole column vector.
fn finish(
    b: Builder,
    rows: Vec<Constraint>,
    lazy: Vec<LazyRow>,
    vars: Vec<Vars>,
    groups: Vec<DemandGroups>,
) -> Extensive {
    let row_count = rows.len();
    let columns = b.columns;
    let mut terms = vec![Vec::new(); vars.len()];
    for t in &b.cost_terms {
        terms[t.year].push(super::CostTerm { year: 0, ..*t });
    }
    let blocks = vars
        .into_iter()
        .zip(groups)
        .zip(terms)
        .map(|((v, g), cost_terms)| ModelInfo {
            years: vec![v],
            cost_terms,
            discount: vec![1.0],
            groups: g,
            columns,
            rows: row_count,
            design_fixed: false,
        })
        .collect();
    Extensive {
        problem: Problem {
            variables: b.problem,
            objective: b.objective,
            constraints: rows,
            lazy,
            count_rows: b.count_rows,
            relaxation: None,
            integers_fixed: false,
        },
        blocks,
        keep: Vec::new(),
    }
}

/// The first stage as a decomposition sees it: which open and platform columns exist (in every
/// scenario), their bounds, and the rows on the open columns alone.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignSpace {
    /// Per site and operating model: the most platforms it may have in every scenario, where
    /// every scenario has the columns.
    pub slots: Vec<[Option<f64>; 2]>,
    /// Existing sites: open (under one operating model) in every design.
    pub existing: Vec<bool>,
    /// The policy rows (franchise share, site counts) of every scenario, each once.
    pub rows: Vec<DesignRow>,
}

/// `lower <= Σ coef · y[s][k] <= upper`.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignRow {
    pub terms: Vec<(usize, usize, f64)>,
    pub lower: f64,
    pub upper: f64,
}

/// Sites some scenario's hospitals can reach: each scenario's model has their columns, so the
/// design pays for a site in every scenario.
pub fn keep_sites(blocks: &[Block<'_>]) -> Vec<bool> {
    let lists: Vec<AdjacencyLists> = blocks
        .iter()
        .map(|k| {
            let g = DemandGroups::build(k.instance, k.network);
            AdjacencyLists::new(
                &g,
                k.network,
                k.instance.hospitals.len(),
                k.instance.sites.len(),
            )
        })
        .collect();
    reached_somewhere(&lists, blocks[0].instance.sites.len())
}

/// The design space of the scenarios, for sites `keep` (see [`keep_sites`]).
pub fn design_space(blocks: &[Block<'_>], keep: &[bool]) -> DesignSpace {
    let terms = |s: usize| blocks.iter().map(move |b| &b.network.terms[s]);
    let slots = (0..keep.len())
        .map(|s| {
            let existing = blocks[0].network.terms[s].existing;
            let producing = blocks.iter().all(|b| b.scenario.horizon.lead_years == 0);
            let usable = existing || (producing && keep[s]);
            [
                crate::input::OpModel::Owned,
                crate::input::OpModel::Franchise,
            ]
            .map(|m| {
                (usable && terms(s).all(|t| t.allows(m))).then(|| {
                    terms(s)
                        .map(|t| f64::from(t.max_platforms))
                        .fold(f64::MAX, f64::min)
                })
            })
        })
        .collect::<Vec<_>>();
    let existing = blocks[0].network.terms.iter().map(|t| t.existing).collect();
    let mut rows: Vec<DesignRow> = Vec::new();
    for b in blocks {
        for row in policy_rows(b.scenario, &slots) {
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
    }
    DesignSpace {
        slots,
        existing,
        rows,
    }
}

/// One scenario's policy rows on the open columns (DESIGN §5).
fn policy_rows(scenario: &Scenario, slots: &[[Option<f64>; 2]]) -> Vec<DesignRow> {
    let policy = &scenario.policy;
    let each = |coef: &dyn Fn(usize) -> f64| -> Vec<(usize, usize, f64)> {
        let present = slots
            .iter()
            .enumerate()
            .flat_map(|(s, o)| (0..2).filter(move |&k| o[k].is_some()).map(move |k| (s, k)));
        present
            .map(|(s, k)| (s, k, coef(k)))
            .filter(|t| t.2 != 0.0)
            .collect()
    };
    let mut rows = Vec::new();
    if policy.max_franchise_share < 1.0 {
        let share = policy.max_franchise_share;
        let terms = each(&|k| if k == 1 { 1.0 - share } else { -share });
        rows.push(DesignRow {
            terms,
            lower: f64::NEG_INFINITY,
            upper: 0.0,
        });
    }
    if policy.min_sites > 0 && scenario.horizon.lead_years == 0 {
        let terms = each(&|_| 1.0);
        rows.push(DesignRow {
            terms,
            lower: policy.min_sites as f64,
            upper: f64::INFINITY,
        });
    }
    if policy.max_sites >= 0 {
        let terms = each(&|_| 1.0);
        rows.push(DesignRow {
            terms,
            lower: f64::NEG_INFINITY,
            upper: policy.max_sites as f64,
        });
    }
    rows
}

/// Per site and operating model, the open and platform columns of a model.
pub type SiteColumns = Vec<[Option<(usize, usize)>; 2]>;

/// One scenario's second stage: its model with columns for the sites `keep`, without the
/// strengthening rows (the design is fixed when it is solved), and the open and platform
/// columns of each site and operating model.
pub fn recourse(block: &Block<'_>, keep: &[bool]) -> (Problem, SiteColumns) {
    let mut f = super::Formulation::build_keeping(
        block.instance,
        block.scenario,
        block.network,
        Some(keep),
    );
    f.problem.lazy.clear();
    f.problem.relaxation = None;
    let vars = &f.info.years[0];
    let cols = vars
        .open
        .iter()
        .zip(&vars.platforms)
        .map(|(o, n)| [0, 1].map(|k| Some((o[k]?.col, n[k]?.col))))
        .collect();
    (f.problem, cols)
}

/// One scenario's model as the two-stage Lagrangian relaxation
/// ([`crate::solve::scenario_lagrangian`]) sees it.
pub struct BlockRelaxation {
    pub probability: f64,
    /// Its groups, sites and arcs, with the sites of `keep` (every block has their columns).
    pub structure: Structure,
    /// Per hospital, the most patients it takes (`None`: no limit).
    pub hospital_caps: Vec<Option<f64>>,
    /// Per site and operating model (owned, franchise), its option in `structure`.
    pub options: Vec<[Option<usize>; 2]>,
}

/// The block's model as [`BlockRelaxation`], or `None` where the relaxation does not cover
/// every row: single sourcing or a site policy row (minimum utilization, franchise share, site
/// counts); or a group that can go nowhere under full coverage.
pub fn block_relaxation(block: &Block<'_>, keep: &[bool]) -> Option<BlockRelaxation> {
    let scenario = block.scenario;
    if scenario.policy.single_sourcing || !no_site_policy_rows(scenario) {
        return None;
    }
    let f = super::Formulation::build_keeping(block.instance, scenario, block.network, Some(keep));
    let structure = f.structure(block.instance, scenario, block.network)?;
    let vars = &f.info.years[0];
    let options = structure
        .sites
        .iter()
        .zip(&vars.open)
        .map(|(site, open)| {
            [0, 1].map(|k| {
                let col = open[k]?.col;
                site.options.iter().position(|o| o.open_col == col)
            })
        })
        .collect();
    Some(BlockRelaxation {
        probability: block.probability,
        structure,
        hospital_caps: block
            .instance
            .hospitals
            .iter()
            .map(|h| h.max_patients)
            .collect(),
        options,
    })
}

/// CVaR_α of costs with probabilities: the expected cost in the worst 1 - α of the
/// probability, η + Σ π (c - η)⁺ / (1 - α) with η the α-quantile (Rockafellar and Uryasev).
pub fn cvar(costs: &[f64], probabilities: &[f64], alpha: f64) -> f64 {
    let eta = value_at_risk(costs, probabilities, alpha);
    let tail: f64 = costs
        .iter()
        .zip(probabilities)
        .map(|(c, p)| p * (c - eta).max(0.0))
        .sum();
    eta + tail / (1.0 - alpha)
}

/// VaR_α: the least cost whose cumulative probability reaches α (the η of CVaR).
pub fn value_at_risk(costs: &[f64], probabilities: &[f64], alpha: f64) -> f64 {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[a].total_cmp(&costs[b]));
    let mut cumulative = 0.0;
    for &i in &order {
        cumulative += probabilities[i];
        if cumulative >= alpha - 1e-12 {
            return costs[i];
        }
    }
    costs[order[order.len() - 1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvar_is_the_mean_of_the_worst_tail() {
        // four equally likely costs; the worst half is {30, 40}: CVaR_0.5 = 35
        let p = [0.25; 4];
        assert_eq!(cvar(&[10.0, 40.0, 20.0, 30.0], &p, 0.5), 35.0);
        // α = 0 is the expectation
        assert_eq!(cvar(&[10.0, 40.0, 20.0, 30.0], &p, 0.0), 25.0);
        // the worst 10 % of two scenarios 0.95/0.05 at α 0.9: half of it is the bad one
        let c = cvar(&[100.0, 1000.0], &[0.95, 0.05], 0.9);
        assert!((c - 550.0).abs() < 1e-9, "{c}");
    }
}
