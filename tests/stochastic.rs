//! The two-stage model against answers found without it.
//!
//! - A property test: on random tiny instances with 2-3 scenarios, a brute force over every
//!   design (each site closed, or open under an allowed operating model with 0..=max platforms;
//!   existing sites open), each scenario's flows by an exact min-cost flow, gives the
//!   probability-weighted optimum; `optimize_two_stage` must reach it by either method.
//! - A hand-derived two-scenario instance where the stochastic design hedges, with RP, WS, EEV,
//!   VSS and EVPI worked out in its comment.
//! - A one-scenario set reproduces `cartnet::optimize`, and `evaluate` of the plan's design in
//!   its own scenario gives its cost.
//!
//! Only `Network::build` (feasible arcs and their leg costs) is shared with the library; the
//! site cost terms are recomputed here and checked against `SiteTerms` so that a mismatch is
//! reported as such. Environment: `PROPTEST_CASES` (default 256), `STOCHASTIC_SEED`.

mod common;
use common::min_cost_flow::MinCostFlow;

use cartnet::input::scenario::{Override, Scenario};
use cartnet::input::uncertainty::{BaseModel, ScenarioSet};
use cartnet::input::{DemandPoint, Hospital, Instance, Site, SiteKind};
use cartnet::model::stochastic::{Block, BlockRelaxation, block_relaxation, keep_sites};
use cartnet::network::Network;
use cartnet::plan::scenarios::design_of;
use cartnet::plan::{Plan, Provenance, RegretRow};
use cartnet::solve::scenario_lagrangian::{Limits, TwoStage};
use cartnet::solve::{SolveOptions, Status};
use cartnet::stochastic::{
    Evaluation, Future, Futures, Method, TwoStageOptions, evaluate, evaluate_all, futures,
    optimize_two_stage,
};
use cartnet::{Outcome, optimize};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use std::fmt::Write as _;

const CENTER_LAT: f64 = 40.0;
const CENTER_LON: f64 = -90.0;
/// Setup costs are annualized over this many years at rate 0 (so the factor is exactly 1/10).
const AMORTIZATION_YEARS: f64 = 10.0;
const PROVENANCE: Provenance<'static> = Provenance {
    data: "stochastic-test",
    model: "stochastic-test.toml",
};

// ---------------------------------------------------------------------------------------------
// The generated case
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct GenSite {
    dlat: f64,
    dlon: f64,
    max_platforms: Option<u32>,
    allow: [bool; 2],
    existing: bool,
}

#[derive(Debug, Clone)]
struct GenScenario {
    /// Relative weight; the probability is the weight over the weights' sum.
    weight: u32,
    demand_scale: f64,
    failure_rate: f64,
}

#[derive(Debug, Clone)]
struct Case {
    /// (dlat, dlon, patients) per demand point.
    demand: Vec<(f64, f64, f64)>,
    /// (dlat, dlon, max_patients) per hospital.
    hospitals: Vec<(f64, f64, Option<f64>)>,
    sites: Vec<GenSite>,
    max_platforms: u32,
    setup_cost: [f64; 2],
    fixed_cost: [f64; 2],
    platform_cost: [f64; 2],
    batch_cost: [f64; 2],
    batches_per_year: f64,
    ground_cost: (f64, f64),
    unserved_penalty: f64,
    scenarios: Vec<GenScenario>,
}

/// An offset in degrees, in hundredths (so values print and round-trip exactly).
fn offset() -> impl Strategy<Value = f64> {
    (-60i32..=60).prop_map(|x| f64::from(x) / 100.0)
}

/// `lo..=hi` in steps of `step`.
fn stepped(lo: u32, hi: u32, step: f64) -> impl Strategy<Value = f64> {
    (lo..=hi).prop_map(move |x| f64::from(x) * step)
}

fn gen_site() -> impl Strategy<Value = GenSite> {
    let allow = prop_oneof![Just([true, true]), Just([true, false]), Just([false, true])];
    (
        offset(),
        offset(),
        proptest::option::weighted(0.4, 0u32..=2),
        allow,
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(dlat, dlon, max_platforms, allow, existing)| GenSite {
            dlat,
            dlon,
            max_platforms,
            allow,
            existing,
        })
}

fn gen_scenario() -> impl Strategy<Value = GenScenario> {
    (1u32..=4, stepped(5, 40, 0.05), stepped(0, 30, 0.01)).prop_map(|(weight, scale, rate)| {
        GenScenario {
            weight,
            demand_scale: scale,
            failure_rate: rate,
        }
    })
}

fn gen_case() -> impl Strategy<Value = Case> {
    let places = (
        proptest::collection::vec((offset(), offset(), stepped(0, 60, 0.5)), 2..=4),
        proptest::collection::vec(
            (
                offset(),
                offset(),
                proptest::option::weighted(0.3, stepped(0, 40, 1.0)),
            ),
            2..=3,
        ),
        proptest::collection::vec(gen_site(), 2..=3),
        proptest::collection::vec(gen_scenario(), 2..=3),
    );
    let costs = (
        1u32..=2,
        (stepped(0, 30, 100_000.0), stepped(0, 10, 100_000.0)),
        (stepped(0, 15, 100_000.0), stepped(0, 5, 100_000.0)),
        (stepped(0, 30, 10_000.0), stepped(0, 10, 10_000.0)),
        (stepped(1, 30, 10_000.0), stepped(1, 30, 10_000.0)),
        stepped(2, 40, 0.5),
        (stepped(0, 10, 100.0), stepped(0, 30, 0.1)),
        stepped(1, 100, 10_000.0),
    );
    (places, costs).prop_map(
        |((demand, hospitals, sites, scenarios), (mp, so, fo, po, bo, bpy, ground, penalty))| {
            Case {
                demand,
                hospitals,
                sites,
                max_platforms: mp,
                setup_cost: [so.0, so.1],
                fixed_cost: [fo.0, fo.1],
                platform_cost: [po.0, po.1],
                batch_cost: [bo.0, bo.1],
                batches_per_year: bpy,
                ground_cost: ground,
                unserved_penalty: penalty,
                scenarios,
            }
        },
    )
}

// ---------------------------------------------------------------------------------------------
// From the case to the library's inputs
// ---------------------------------------------------------------------------------------------

fn instance(case: &Case, scale: f64) -> Instance {
    let demand = case
        .demand
        .iter()
        .enumerate()
        .map(|(i, &(dlat, dlon, patients))| DemandPoint {
            id: format!("d{i}"),
            name: format!("d{i}"),
            lat: CENTER_LAT + dlat,
            lon: CENTER_LON + dlon,
            patients: patients * scale,
            growth: None,
        })
        .collect();
    let hospitals = case
        .hospitals
        .iter()
        .enumerate()
        .map(|(i, &(dlat, dlon, max_patients))| Hospital {
            id: format!("h{i}"),
            name: format!("h{i}"),
            lat: CENTER_LAT + dlat,
            lon: CENTER_LON + dlon,
            max_patients,
        })
        .collect();
    let sites = case
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| Site {
            id: format!("s{i}"),
            name: format!("s{i}"),
            lat: CENTER_LAT + s.dlat,
            lon: CENTER_LON + s.dlon,
            kind: SiteKind::Regional,
            hospital: None,
            max_platforms: s.max_platforms,
            allow: s.allow,
            setup_cost_owned: None,
            setup_cost_franchise: None,
            batches_per_platform: None,
            existing: s.existing,
        })
        .collect();
    Instance {
        demand,
        hospitals,
        sites,
        lanes: Vec::new(),
    }
}

/// The base model: the case's parameters (the scenarios change demand and the failure rate).
fn model_toml(c: &Case) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "[site]\nmax_platforms = {}", c.max_platforms);
    let _ = writeln!(t, "setup_cost_owned = {:?}", c.setup_cost[0]);
    let _ = writeln!(t, "setup_cost_franchise = {:?}", c.setup_cost[1]);
    let _ = writeln!(t, "fixed_cost_owned = {:?}", c.fixed_cost[0]);
    let _ = writeln!(t, "fixed_cost_franchise = {:?}", c.fixed_cost[1]);
    let _ = writeln!(t, "amortization_years = {AMORTIZATION_YEARS:?}");
    let _ = writeln!(t, "discount_rate = 0.0\n[platform]");
    let _ = writeln!(t, "batches_per_year = {:?}", c.batches_per_year);
    let _ = writeln!(t, "cost_owned = {:?}", c.platform_cost[0]);
    let _ = writeln!(t, "cost_franchise = {:?}\n[batch]", c.platform_cost[1]);
    let _ = writeln!(t, "cost_owned = {:?}", c.batch_cost[0]);
    let _ = writeln!(t, "cost_franchise = {:?}\n[transport]", c.batch_cost[1]);
    let _ = writeln!(t, "ground_cost_fixed = {:?}", c.ground_cost.0);
    let _ = writeln!(t, "ground_cost_per_km = {:?}\n[demand]", c.ground_cost.1);
    let _ = writeln!(t, "unserved_penalty = {:?}", c.unserved_penalty);
    t
}

fn scenario(c: &Case, failure_rate: f64) -> Scenario {
    let set = Override::parse(&format!("batch.failure_rate={failure_rate:?}")).unwrap();
    Scenario::parse(&model_toml(c), "stochastic-test.toml", &[set]).expect("a valid model")
}

fn future(c: &Case, id: String, probability: f64, scale: f64, rate: f64) -> Future {
    let instance = instance(c, scale);
    let scenario = scenario(c, rate);
    let network = Network::build(&instance, &scenario);
    Future {
        id,
        probability,
        demand_scale: scale,
        demand_patients: Default::default(),
        instance,
        scenario,
        network,
    }
}

/// The case's futures; the expected-value one at the mean scale and failure rate.
fn futures_of(c: &Case) -> Futures {
    let total: u32 = c.scenarios.iter().map(|s| s.weight).sum();
    let p = |s: &GenScenario| f64::from(s.weight) / f64::from(total);
    let list = c
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| future(c, format!("w{i}"), p(s), s.demand_scale, s.failure_rate))
        .collect();
    let mean = |f: fn(&GenScenario) -> f64| c.scenarios.iter().map(|s| p(s) * f(s)).sum();
    Futures {
        list,
        expected: future(
            c,
            "expected".into(),
            1.0,
            mean(|s| s.demand_scale),
            mean(|s| s.failure_rate),
        ),
        origin: "proptest".into(),
        risk: None,
    }
}

// ---------------------------------------------------------------------------------------------
// The brute force
// ---------------------------------------------------------------------------------------------

/// What a site costs and can make, recomputed from the case (not `SiteTerms`).
#[derive(Debug, Clone)]
struct Terms {
    max_platforms: u32,
    allowed: [bool; 2],
    existing: bool,
    /// Setup (annualized) + fixed, USD per year, per operating model.
    open_per_year: [f64; 2],
}

fn terms(c: &Case) -> Vec<Terms> {
    c.sites
        .iter()
        .map(|s| {
            let setup = |k: usize| match s.existing {
                true => 0.0,
                false => c.setup_cost[k] / AMORTIZATION_YEARS,
            };
            Terms {
                max_platforms: s.max_platforms.unwrap_or(c.max_platforms),
                allowed: s.allow,
                existing: s.existing,
                open_per_year: [setup(0) + c.fixed_cost[0], setup(1) + c.fixed_cost[1]],
            }
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// `SiteTerms` (the library's) against the terms recomputed here.
fn check_terms(c: &Case, ours: &[Terms], f: &Future) -> Result<(), String> {
    for (s, (o, t)) in ours.iter().zip(&f.network.terms).enumerate() {
        let ok = o.max_platforms == t.max_platforms
            && o.allowed == t.allowed
            && o.existing == t.existing
            && close(t.batches_per_platform, c.batches_per_year)
            && close(t.failure_rate, f.scenario.batch.failure_rate)
            && (0..2).all(|k| {
                close(
                    o.open_per_year[k],
                    t.setup_per_year[k] + t.fixed_per_year[k],
                ) && close(c.platform_cost[k], t.platform_per_year[k])
                    && close(c.batch_cost[k], t.batch_cost[k])
            });
        if !ok {
            return Err(format!("site s{s}: SiteTerms {t:?} differ from {o:?}"));
        }
    }
    Ok(())
}

/// One site's first-stage choice: closed, or open under `model` (0 owned, 1 franchise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Closed,
    Open { model: usize, platforms: u32 },
}

fn choices(t: &Terms) -> Vec<Choice> {
    let mut out = Vec::new();
    if !t.existing {
        out.push(Choice::Closed);
    }
    for model in 0..2 {
        if t.allowed[model] {
            out.extend((0..=t.max_platforms).map(|platforms| Choice::Open { model, platforms }));
        }
    }
    out
}

/// Every design: the product of every site's choices.
fn designs(terms: &[Terms]) -> Vec<Vec<Choice>> {
    terms.iter().fold(vec![Vec::new()], |acc, t| {
        acc.iter()
            .flat_map(|d| {
                choices(t).into_iter().map(move |c| {
                    let mut d = d.clone();
                    d.push(c);
                    d
                })
            })
            .collect()
    })
}

fn first_stage(c: &Case, terms: &[Terms], design: &[Choice]) -> f64 {
    design
        .iter()
        .zip(terms)
        .map(|(choice, t)| match *choice {
            Choice::Closed => 0.0,
            Choice::Open { model, platforms } => {
                t.open_per_year[model] + c.platform_cost[model] * f64::from(platforms)
            }
        })
        .sum()
}

/// The probability-weighted cost of `design`: first stage plus each scenario's flow cost.
fn expected_cost(c: &Case, terms: &[Terms], fs: &Futures, design: &[Choice]) -> f64 {
    let second: f64 = fs
        .list
        .iter()
        .map(|f| f.probability * flow_cost(c, f, design))
        .sum();
    first_stage(c, terms, design) + second
}

/// The optimum over every design, and a design reaching it.
fn brute_force(c: &Case, terms: &[Terms], fs: &Futures) -> (f64, Vec<Choice>) {
    designs(terms)
        .into_iter()
        .map(|d| (expected_cost(c, terms, fs, &d), d))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .expect("at least one design")
}

// ---------------------------------------------------------------------------------------------
// A scenario's flows with the design fixed: min-cost flow by successive shortest paths
// ---------------------------------------------------------------------------------------------

/// The flow cost of one scenario under a fixed design (DESIGN §5): patients to hospitals,
/// batches at the leg and batch costs over (1 - failure rate), capacity n·B·(1 - failure rate)
/// patients, the rest unserved at the penalty.
///
/// ```text
/// source -> demand d            cap patients[d]
/// demand d -> sink              cost penalty            (unserved)
/// demand d -> hospital-in h     cost patient arc cost
/// hospital-in h -> hospital-out h   cap max_patients[h]
/// hospital-out h -> site s      cost (legs + batch cost[model]) / (1 - f)
/// site s -> sink                cap n · B · (1 - f)
/// ```
fn flow_cost(c: &Case, f: &Future, design: &[Choice]) -> f64 {
    let (nd, nh, ns) = (c.demand.len(), c.hospitals.len(), c.sites.len());
    let (src, sink) = (0, 1);
    let (dem, hin) = (|d: usize| 2 + d, |h: usize| 2 + nd + h);
    let (hout, site) = (|h: usize| 2 + nd + nh + h, |s: usize| 2 + nd + 2 * nh + s);
    let mut g = MinCostFlow::new(2 + nd + 2 * nh + ns);
    let rate = f.scenario.batch.failure_rate;
    let total: f64 = f.instance.demand.iter().map(|d| d.patients).sum();
    for (d, dp) in f.instance.demand.iter().enumerate() {
        g.add(src, dem(d), dp.patients, 0.0);
        g.add(dem(d), sink, f64::INFINITY, c.unserved_penalty);
    }
    for arc in f.network.patient_arcs() {
        let (d, h) = (dem(arc.demand), hin(arc.hospital));
        g.add(d, h, f64::INFINITY, arc.cost_per_patient);
    }
    for (h, &(_, _, max)) in c.hospitals.iter().enumerate() {
        g.add(hin(h), hout(h), max.unwrap_or(f64::INFINITY), 0.0);
    }
    for arc in f.network.cell_arcs() {
        if let Choice::Open { model, .. } = design[arc.site] {
            let per_batch = arc.out.cost + arc.back.cost + c.batch_cost[model];
            let cost = per_batch / (1.0 - rate);
            g.add(hout(arc.hospital), site(arc.site), f64::INFINITY, cost);
        }
    }
    for (s, choice) in design.iter().enumerate() {
        if let Choice::Open { platforms, .. } = *choice {
            let patients = f64::from(platforms) * c.batches_per_year * (1.0 - rate);
            g.add(site(s), sink, patients, 0.0);
        }
    }
    let (flow, cost) = g.run(src, sink, total);
    assert!(
        flow >= total - 1e-9,
        "unserved demand has an arc to the sink"
    );
    cost
}

/// A bound on Σ|objective coefficient| over the flow columns: the plan rounds each column to
/// 1e-6 and HiGHS keeps rows to ~1e-7, so a scenario's total may move by about 1e-6 of this.
fn rounding_scale(c: &Case, fs: &Futures) -> f64 {
    let f = &fs.list[0];
    let patients: f64 = f.network.patient_arcs().map(|a| a.cost_per_patient).sum();
    let legs: f64 = f
        .network
        .cell_arcs()
        .map(|a| a.out.cost + a.back.cost)
        .sum();
    let batches = (c.batch_cost[0] + c.batch_cost[1]) * c.sites.len() as f64;
    c.unserved_penalty * c.demand.len() as f64 + patients + legs + batches
}

/// The brute force's design as the library's site decisions, to compare with a plan's.
fn as_choices(plan: &Plan) -> Vec<Choice> {
    design_of(&plan.sites)
        .sites
        .iter()
        .map(|s| match s {
            None => Choice::Closed,
            Some((m, n)) => Choice::Open {
                model: *m as usize,
                platforms: *n,
            },
        })
        .collect()
}

fn two_stage(fs: &Futures, method: Method) -> Outcome {
    let base = &fs.expected.scenario;
    let options = TwoStageOptions {
        jobs: 1,
        method: Some(method),
    };
    optimize_two_stage(fs, base, &SolveOptions::default(), &options, PROVENANCE)
        .unwrap_or_else(|e| panic!("{} failed: {e}", method.as_str()))
}

/// Solves `case` by `method` and by brute force, and compares.
fn check(c: &Case, method: Method) -> Result<(), TestCaseError> {
    let fs = futures_of(c);
    let terms = terms(c);
    for f in &fs.list {
        check_terms(c, &terms, f).map_err(TestCaseError::fail)?;
    }
    let (best, decisions) = brute_force(c, &terms, &fs);
    let Outcome::Plan(plan) = two_stage(&fs, method) else {
        return Err(TestCaseError::fail("no plan (every design is feasible)"));
    };
    let s = plan.stochastic.as_ref().expect("a two-stage plan");
    // 1e-6 relative, plus what rounding the flows to 1e-6 and the lines to cents can move
    let tol = 1e-6 * best.abs().max(s.rp.abs()) + 1e-6 * rounding_scale(c, &fs) + 0.02;
    check_status(&plan, method, best + tol)?;
    prop_assert!(
        (s.rp - best).abs() <= tol,
        "{}: RP {} vs brute force {} (diff {}, tol {tol}); brute design {:?}, plan's {:?}",
        method.as_str(),
        s.rp,
        best,
        s.rp - best,
        decisions,
        as_choices(&plan)
    );
    let objective = plan.solver.objective.expect("a plan's objective");
    prop_assert!(
        (objective - s.rp).abs() <= 0.01,
        "objective {} != RP {}",
        objective,
        s.rp
    );
    // the plan's own design is worth what the plan says, by the brute force's flows
    let own = expected_cost(c, &terms, &fs, &as_choices(&plan));
    prop_assert!(
        (own - s.rp).abs() <= tol,
        "the plan's design {:?} costs {own} by min-cost flow, the plan says {}",
        as_choices(&plan),
        s.rp
    );
    prop_assert!(
        s.ws <= s.rp + tol && s.evpi >= -0.01,
        "WS {} > RP {}",
        s.ws,
        s.rp
    );
    Ok(())
}

/// Both methods prove their optimum (the default gap), with a bound below the true optimum
/// `ceiling`.
fn check_status(plan: &Plan, method: Method, ceiling: f64) -> Result<(), TestCaseError> {
    let info = &plan.solver;
    prop_assert_eq!(info.status, Status::Optimal, "{:?} ({:?})", info, method);
    if info.status == Status::Optimal {
        let proven = info.gap.is_some_and(|g| g <= cartnet::solve::OPTIMAL_GAP);
        prop_assert!(proven, "optimal without a proven gap: {:?}", info);
    }
    let bound = info.best_bound.expect("a bound");
    prop_assert!(
        bound <= ceiling,
        "bound {} above the optimum {}",
        bound,
        ceiling
    );
    Ok(())
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: env_u64("PROPTEST_CASES").map_or(256, |c| c as u32),
        rng_seed: RngSeed::Fixed(env_u64("STOCHASTIC_SEED").unwrap_or(0x570C)),
        failure_persistence: None,
        max_shrink_iters: 1_000,
        ..ProptestConfig::default()
    })]

    /// The extensive form's optimum equals the brute force's on random tiny instances.
    #[test]
    fn extensive_form_matches_brute_force(case in gen_case()) {
        check(&case, Method::ExtensiveForm)?;
    }

    /// The L-shaped method's optimum equals the brute force's on random tiny instances.
    #[test]
    fn decomposition_matches_brute_force(case in gen_case()) {
        check(&case, Method::Decomposition)?;
    }

    /// The decomposition measures each candidate design by its scenarios' flow LPs, the
    /// extensive form by their plans: the regret table's costs agree.
    #[test]
    fn both_methods_measure_candidates_alike(case in gen_case()) {
        check_candidate_costs(&case)?;
    }

    /// The two-stage Lagrangian relaxation never bounds above the brute force's optimum.
    #[test]
    fn relaxation_bounds_the_brute_force_optimum(case in gen_case()) {
        check_relaxation(&case)?;
    }
}

/// See `both_methods_measure_candidates_alike`: the rows of the designs both methods measured
/// (the expected-value design and the scenarios' own) carry the same costs.
fn check_candidate_costs(c: &Case) -> Result<(), TestCaseError> {
    let fs = futures_of(c);
    let rows = |m: Method| -> Vec<RegretRow> {
        match two_stage(&fs, m) {
            Outcome::Plan(p) => p.stochastic.expect("a two-stage plan").regret,
            _ => Vec::new(),
        }
    };
    let (extensive, decomposed) = (rows(Method::ExtensiveForm), rows(Method::Decomposition));
    let tol = |a: f64| 1e-6 * a.abs() + 1e-6 * rounding_scale(c, &fs) + 0.02;
    let candidates = extensive.iter().filter(|r| r.design != "this plan");
    for row in candidates {
        let other = decomposed.iter().find(|o| o.design == row.design);
        let other = other.ok_or_else(|| TestCaseError::fail(format!("no row {}", row.design)))?;
        for (a, b) in row.costs.iter().zip(&other.costs) {
            let agree = match (a, b) {
                (Some(a), Some(b)) => (a - b).abs() <= tol(*a),
                (a, b) => a.is_none() && b.is_none(),
            };
            prop_assert!(agree, "{}: {a:?} (plans) vs {b:?} (flow LPs)", row.design);
        }
    }
    Ok(())
}

/// See `relaxation_bounds_the_brute_force_optimum`.
fn check_relaxation(c: &Case) -> Result<(), TestCaseError> {
    let fs = futures_of(c);
    let (best, decisions) = brute_force(c, &terms(c), &fs);
    let blocks: Vec<Block<'_>> = fs
        .list
        .iter()
        .map(|f| Block {
            instance: &f.instance,
            scenario: &f.scenario,
            network: &f.network,
            probability: f.probability,
        })
        .collect();
    let keep = keep_sites(&blocks);
    let relaxations: Vec<BlockRelaxation> = blocks
        .iter()
        .map(|b| block_relaxation(b, &keep).expect("the relaxation covers these models"))
        .collect();
    let two_stage = TwoStage::new(&relaxations).expect("one instance's scenarios");
    let ub = best + 1e-6 * best.abs() + 1.0;
    let limits = Limits {
        deadline: None,
        max_rounds: 3_000,
        gap: 0.0,
    };
    let ascent = two_stage.ascend(ub, limits);
    let tol = 1e-6 * best.abs() + 1e-6 * rounding_scale(c, &fs) + 0.02;
    prop_assert!(ascent.bound.is_finite(), "no bound");
    prop_assert!(
        ascent.bound <= best + tol,
        "bound {} above the optimum {best} ({:?})",
        ascent.bound,
        decisions
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Hand-derived instances, through the scenario file and `futures`
// ---------------------------------------------------------------------------------------------

/// One owned regional site beside one hospital and one demand point of 10 patients: no transport
/// or travel cost, no failed batches, 10 batches a platform, up to 3 platforms.
const HEDGE_MODEL: &str = "[site]
max_platforms = 3
setup_cost_owned = 0
fixed_cost_owned = 10000
[platform]
batches_per_year = 10
cost_owned = 18000
[batch]
cost_owned = 1000
failure_rate = 0
[transport]
ground_cost_fixed = 0
ground_cost_per_km = 0
patient_cost_per_km = 0
[demand]
unserved_penalty = 10000
";

fn hedge_instance() -> common::Instance {
    common::Instance::new(
        "id,lat,lon,patients\nD1,40,-90,10\n",
        "id,lat,lon\nH1,40,-90\n",
        "id,lat,lon,kind,allow\nS1,40,-90,regional,owned\n",
        None,
        HEDGE_MODEL,
    )
}

/// The futures of `scenarios_csv` on `inst`, through the scenario file reader, with the base
/// scenario.
fn load_futures(inst: &common::Instance, scenarios_csv: &str) -> (Futures, Scenario) {
    let data = inst.data_dir();
    let instance = Instance::load(&data).unwrap();
    let text = std::fs::read_to_string(inst.model_file()).unwrap();
    let base = BaseModel {
        text: &text,
        file: "scenario.toml",
        cli: &[],
    };
    let path = data.join("../scenarios.csv");
    std::fs::write(&path, scenarios_csv).unwrap();
    let set = ScenarioSet::load_csv(&path, Some(&data), &instance, &base).unwrap();
    (
        futures(&set, &instance, &base).unwrap(),
        base.scenario().unwrap(),
    )
}

fn plan_of(fs: &Futures, base: &Scenario, method: Method) -> Plan {
    let options = TwoStageOptions {
        jobs: 2,
        method: Some(method),
    };
    match optimize_two_stage(fs, base, &SolveOptions::default(), &options, PROVENANCE).unwrap() {
        Outcome::Plan(plan) => *plan,
        other => panic!("{}: {other:?}", method.as_str()),
    }
}

fn assert_cents(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < 0.005, "{what}: {got} != {want}");
}

/// Low demand (6 patients, p = 0.75) or high (25, p = 0.25). With n platforms (n ≥ 1) the first
/// stage costs 10,000 + 18,000 n; n platforms serve up to 10 n patients at 1,000 each, the rest
/// are unserved at 10,000 each. Closed, everyone is unserved.
///
/// ```text
///  n | first stage | low: flows  total | high: flows   total | expected  | mean (10.75): total
///  0 |           0 |  60,000   60,000  | 250,000   250,000   | 107,500   | 107,500
///  1 |      28,000 |   6,000   34,000* | 160,000   188,000   |  72,500   |  45,500*
///  2 |      46,000 |   6,000   52,000  |  70,000   116,000   |  68,000*  |  56,750
///  3 |      64,000 |   6,000   70,000  |  25,000    89,000*  |  74,750   |  74,750
/// ```
///
/// Low alone opens 1 platform, high alone 3, the mean demand 1: the stochastic design's 2 is
/// none of them (the second platform pays in expectation, 0.25 · 10 · 9,000 = 22,500 > 18,000;
/// the third does not, 0.25 · 5 · 9,000 = 11,250).
/// RP = 68,000. WS = 0.75 · 34,000 + 0.25 · 89,000 = 47,750. EEV = the cost of 1 platform in
/// expectation = 72,500. VSS = EEV − RP = 4,500. EVPI = RP − WS = 20,250.
#[test]
fn the_stochastic_design_hedges() {
    let inst = hedge_instance();
    let csv = "id,probability,demand.scale\nlow,0.75,0.6\nhigh,0.25,2.5\n";
    let (fs, base) = load_futures(&inst, csv);
    for method in [Method::ExtensiveForm, Method::Decomposition] {
        let plan = plan_of(&fs, &base, method);
        let s = plan.stochastic.as_ref().unwrap();
        assert_eq!(plan.solver.status, Status::Optimal, "{:?}", plan.solver);
        assert_eq!(
            as_choices(&plan),
            [Choice::Open {
                model: 0,
                platforms: 2
            }]
        );
        assert_cents(s.rp, 68_000.0, "RP");
        assert_cents(plan.cost.total, 68_000.0, "the plan's expected cost");
        assert_cents(s.ws, 47_750.0, "WS");
        assert!(s.ws_proven);
        assert_cents(s.eev.unwrap(), 72_500.0, "EEV");
        assert_cents(s.vss.unwrap(), 4_500.0, "VSS");
        assert_cents(s.evpi, 20_250.0, "EVPI");
        let costs: Vec<f64> = plan.scenarios.iter().map(|p| p.cost.total).collect();
        assert_eq!(costs, [52_000.0, 116_000.0]);
        // the regret table: each design's platforms and its cost in each scenario
        let rows: Vec<(&str, u32, Vec<Option<f64>>)> = s
            .regret
            .iter()
            .map(|r| (r.design.as_str(), r.platforms, r.costs.clone()))
            .collect();
        let row = |design: &'static str, n: u32, low: f64, high: f64| {
            (design, n, vec![Some(low), Some(high)])
        };
        for want in [
            row("this plan", 2, 52_000.0, 116_000.0),
            row("expected value", 1, 34_000.0, 188_000.0),
            row("scenario low", 1, 34_000.0, 188_000.0),
            row("scenario high", 3, 70_000.0, 89_000.0),
        ] {
            assert!(rows.contains(&want), "{want:?} not in {rows:?}");
        }
    }
}

/// A small instance with a choice to make: two sites (one franchise-only), two hospitals, three
/// demand points, the baseline's costs and times otherwise.
fn small_instance() -> common::Instance {
    common::Instance::new(
        "id,lat,lon,patients\nD1,40,-90,30\nD2,40.5,-90.4,12.5\nD3,39.6,-89.7,21\n",
        "id,lat,lon,max_patients\nH1,40,-90,\nH2,40.4,-90.3,25\n",
        "id,lat,lon,kind,allow\nS1,40.1,-90.1,regional,both\nS2,40.4,-90.3,regional,franchise\n",
        None,
        "[batch]\nfailure_rate = 0.05\n",
    )
}

/// One scenario: the two-stage plan is `optimize`'s plan (objective and sites), by either
/// method, and `evaluate` of its design in its own scenario gives its cost.
#[test]
fn one_scenario_reproduces_optimize() {
    for inst in [small_instance(), hedge_instance()] {
        let (fs, base) = load_futures(&inst, "id,probability\nonly,1\n");
        let f = &fs.list[0];
        let options = SolveOptions::default();
        let Outcome::Plan(single) =
            optimize(&f.instance, &f.scenario, &f.network, &options, PROVENANCE).unwrap()
        else {
            panic!("the single scenario has a plan")
        };
        assert_eq!(single.solver.status, Status::Optimal);
        for method in [Method::ExtensiveForm, Method::Decomposition] {
            let plan = plan_of(&fs, &base, method);
            let s = plan.stochastic.as_ref().unwrap();
            assert_eq!(plan.solver.status, Status::Optimal, "{:?}", plan.solver);
            assert_eq!(plan.cost.total, single.cost.total, "{}", method.as_str());
            assert_eq!(s.rp, single.cost.total);
            assert_eq!(plan.sites, single.sites, "{}", method.as_str());
            assert_eq!(plan.cost, single.cost);
            assert_eq!(s.evpi, 0.0);
            let evaluation = evaluate(f, &design_of(&plan.sites), &options).unwrap();
            let Evaluation::Plan(own) = evaluation else {
                panic!("the plan's design serves its own scenario: {evaluation:?}")
            };
            assert_eq!(own.cost.total, plan.cost.total);
            assert_eq!(own.cost, single.cost);
        }
    }
}

/// The smallest case where the decomposition once stopped at a gap of ~1.9e-4 (status
/// "feasible") with the optimal design: a master solved to a loose gap that adds no cut must
/// lead to a tighter master, not to the end of the search.
#[test]
fn decomposition_proves_optimality_on_a_tiny_instance() {
    let site = |allow| GenSite {
        dlat: 0.0,
        dlon: 0.0,
        max_platforms: None,
        allow,
        existing: false,
    };
    let scenario = |weight, demand_scale, failure_rate| GenScenario {
        weight,
        demand_scale,
        failure_rate,
    };
    let c = Case {
        demand: [10.0, 28.0, 8.0, 5.5].map(|p| (0.0, 0.0, p)).to_vec(),
        hospitals: vec![(0.0, 0.0, None); 2],
        sites: vec![site([true, true]), site([false, true])],
        max_platforms: 2,
        setup_cost: [0.0, 100_000.0],
        fixed_cost: [0.0, 0.0],
        platform_cost: [0.0, 10_000.0],
        batch_cost: [210_000.0, 50_000.0],
        batches_per_year: 17.0,
        ground_cost: (0.0, 0.0),
        unserved_penalty: 70_000.0,
        scenarios: vec![scenario(3, 0.85, 0.13), scenario(1, 0.25, 0.0)],
    };
    check(&c, Method::ExtensiveForm).unwrap();
    let Outcome::Plan(plan) = two_stage(&futures_of(&c), Method::Decomposition) else {
        panic!("a plan")
    };
    assert_eq!(plan.solver.status, Status::Optimal, "{:?}", plan.solver);
}

/// `cartnet bench --suite stochastic` without a national instance skips the national cases
/// with a message naming the flag, and exits 0 (the demo case is left out here: it takes
/// minutes on a busy machine).
#[test]
fn the_stochastic_bench_skips_a_missing_national_instance() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::run(
        common::cartnet()
            .args(["bench", "--suite", "stochastic"])
            .args([
                "--only".as_ref(),
                "us".as_ref(),
                "--us".as_ref(),
                dir.path().join("none").as_os_str(),
            ]),
    );
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("skipped, no national instance"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--us DIR"), "{}", out.stderr);
    assert_eq!(
        out.stdout.lines().count(),
        1,
        "only the header: {}",
        out.stdout
    );
}

/// The demo's fixed-design flows in many scenarios: each LP started from the previous
/// scenario's basis (`evaluate_all`'s chains) gives the same cost, to the cent, as solved alone
/// from scratch.
#[test]
fn warm_started_evaluations_match_cold_ones() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let instance = Instance::load(&data).unwrap();
    let base = BaseModel {
        text: "",
        file: "scenario.toml",
        cli: &[],
    };
    let mut csv = String::from("id,demand.scale,demand.in_vivo_share\n");
    for i in 0..10 {
        let _ = writeln!(
            csv,
            "s{i},{},{}",
            0.6 + 0.09 * f64::from(i),
            0.03 * f64::from(i)
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenarios.csv");
    std::fs::write(&path, csv).unwrap();
    let set = ScenarioSet::load_csv(&path, Some(&data), &instance, &base).unwrap();
    let fs = futures(&set, &instance, &base).unwrap();
    let options = SolveOptions::default();
    let Outcome::Plan(plan) = optimize(
        &fs.expected.instance,
        &fs.expected.scenario,
        &fs.expected.network,
        &options,
        PROVENANCE,
    )
    .unwrap() else {
        panic!("the demo has a plan")
    };
    let design = design_of(&plan.sites);
    let warm = evaluate_all(&fs.list, &design, &options, 2).unwrap();
    for (f, w) in fs.list.iter().zip(&warm) {
        let cold = evaluate(f, &design, &options).unwrap();
        let (Some(a), Some(b)) = (w.cost(), cold.cost()) else {
            panic!("{}: the design serves every scenario", f.id)
        };
        assert!((a - b).abs() <= 0.01, "{}: warm {a} != cold {b}", f.id);
    }
}
