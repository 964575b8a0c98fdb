//! A two-stage plan (DESIGN §10): each scenario under the single-year checks against its own
//! data and parameters, then the rules that tie the scenarios together: one design shared by
//! all, probabilities that sum to 1, the expected cost lines, RP, VSS, EVPI, CVaR and the
//! regret table. Every figure is recomputed here from the plan's scenario numbers.

use super::checker::{Checker, beyond, n, platforms_text};
use super::params::Params;
use super::year::Within;
use super::{Body, Check, body, missing_keys};
use crate::ids::index_by_id;
use crate::input::Instance;
use crate::text::usd_cents;
use serde_json::Value;
use std::collections::HashMap;

/// The probabilities sum to 1 within this, as the scenario input requires.
const PROBABILITY_TOL: f64 = 1e-9;
/// Every cost a two-stage plan records is rounded to the cent.
const CENT: f64 = 0.01;
/// Relative float noise between two computations of the same sum.
const FLOAT_NOISE: f64 = 1e-9;
/// A cumulative probability this close below α reaches it (sums of probabilities carry noise).
const QUANTILE_NOISE: f64 = 1e-12;

/// plan.json's cost keys: the total, then its lines.
const COST_KEYS: [&str; 8] = [
    "total",
    "setup",
    "fixed",
    "platforms",
    "batches",
    "transport",
    "patient_travel",
    "unmet_penalty",
];
/// The cost lines the total sums.
const LINES_IN_TOTAL: f64 = 7.0;

/// What the two-stage checks hand back: the counts, and the objective the solver minimised.
pub(super) struct TwoStage {
    pub(super) body: Body,
    pub(super) objective: Option<f64>,
}

/// One scenario as the plan records it.
struct Scn<'v> {
    id: String,
    probability: Option<f64>,
    cost: &'v Value,
}

impl Scn<'_> {
    /// The scenario's cost `key`, when it is a number (a missing one is reported by its check).
    fn cost(&self, key: &str) -> Option<f64> {
        self.cost[key].as_f64().filter(|x| x.is_finite())
    }
}

/// Whether `plan` is a two-stage plan: it has the measures or lists scenarios.
pub(super) fn is_two_stage(plan: &Value) -> bool {
    !plan["stochastic"].is_null() || plan["scenarios"].as_array().is_some_and(|s| !s.is_empty())
}

/// Every check of a two-stage plan.
pub(super) fn two_stage(c: &mut Checker, plan: &Value, instance: &Instance) -> TwoStage {
    no_flows_on_top(c, plan);
    let list = c.array(&plan["scenarios"], "scenarios");
    if list.is_empty() {
        c.add(
            Check::Plan,
            "a two-stage plan (it has stochastic) lists its scenarios under scenarios[]: none \
             are listed"
                .into(),
        );
    }
    let mut total = Body {
        years: 1,
        sites: plan["sites"].as_array().map_or(0, Vec::len),
        scenarios: list.len(),
        ..Body::default()
    };
    let mut read = Vec::with_capacity(list.len());
    let fixed = design_platforms(plan, instance);
    for (i, s) in list.iter().enumerate() {
        let (scn, b) = one_scenario(c, i, s, instance, &fixed);
        design(c, plan, s, &scn.id);
        total.patient_flows += b.patient_flows;
        total.batch_flows += b.batch_flows;
        read.push(scn);
    }
    probabilities(c, &read);
    expected_cost(c, plan, &read);
    let objective = measures(c, plan, &read);
    regret(c, plan, &read);
    total.total = plan["cost"]["total"].as_f64();
    TwoStage {
        body: total,
        objective,
    }
}

/// A two-stage plan lists its flows per scenario, none at the top.
fn no_flows_on_top(c: &mut Checker, plan: &Value) {
    for list in ["patient_flows", "batch_flows", "unserved"] {
        let rows = plan[list].as_array().map_or(0, Vec::len);
        if rows > 0 {
            c.add(
                Check::Plan,
                format!(
                    "{list} lists {rows} rows: a two-stage plan lists them per scenario \
                     (scenarios[].{list})"
                ),
            );
        }
    }
}

/// The design's platforms by site of sites.csv (0 where closed or not listed): a site keeps
/// them in every scenario, however few batches it makes there.
fn design_platforms(plan: &Value, instance: &Instance) -> Vec<f64> {
    let ids = index_by_id(instance.sites.iter().map(|s| s.id.as_str()));
    let mut platforms = vec![0.0; instance.sites.len()];
    for site in plan["sites"].as_array().map_or(&[][..], Vec::as_slice) {
        let (status, count) = site_design(site);
        if let (Some(&s), true) = (
            site["id"].as_str().and_then(|id| ids.get(id)),
            status != "closed",
        ) && count.is_finite()
        {
            platforms[s] = count;
        }
    }
    platforms
}

/// Scenario `i` under the single-year checks against its own data and parameters, its
/// violations prefixed by its id.
fn one_scenario<'v>(
    c: &mut Checker,
    i: usize,
    s: &'v Value,
    instance: &Instance,
    fixed: &[f64],
) -> (Scn<'v>, Body) {
    let id = match s["id"].as_str() {
        Some(id) => id.to_string(),
        None => {
            c.add(
                Check::Plan,
                format!("scenarios[{i}].id is {}, not text", s["id"]),
            );
            format!("#{}", i + 1)
        }
    };
    let probability = c.num(&s["probability"], &format!("scenarios[{i}].probability"));
    let mut sc = Checker {
        violations: Vec::new(),
    };
    let (data, demand_source) = scenario_instance(&mut sc, s, instance);
    let checked = if s["scenario"].is_object() {
        let p = Params {
            scenario: &s["scenario"],
            missing: std::cell::RefCell::new(Vec::new()),
        };
        let within = Within {
            fixed_platforms: fixed.to_vec(),
            demand_source,
        };
        let (b, p) = body(&mut sc, s, &data, p, within);
        missing_keys(&mut sc, p);
        b
    } else {
        sc.add(
            Check::Plan,
            format!(
                "scenarios[{i}].scenario is {}: a scenario records its parameters; its flows \
                 cannot be checked",
                s["scenario"]
            ),
        );
        Body::default()
    };
    for v in sc.violations {
        c.add(v.check, format!("scenario {id}: {}", v.message));
    }
    let scn = Scn {
        id,
        probability,
        cost: &s["cost"],
    };
    (scn, checked)
}

/// The scenario's data: demand.csv's patients times `demand.scale`, except the points in
/// `demand.patients`, which have those patients; and where each point's patients come from.
fn scenario_instance(c: &mut Checker, s: &Value, instance: &Instance) -> (Instance, Vec<String>) {
    let mut data = instance.clone();
    let scale = match s["demand"]["scale"].as_f64() {
        Some(x) if x.is_finite() && x > 0.0 => x,
        _ => {
            c.add(
                Check::Plan,
                format!(
                    "demand.scale is {}: expected a number > 0 (it multiplies every demand \
                     point's patients)",
                    s["demand"]["scale"]
                ),
            );
            1.0
        }
    };
    let set = demand_patients(c, &s["demand"]["patients"], instance);
    let scaled = format!("demand.csv x the scenario's demand.scale {}", n(scale));
    let mut source = Vec::with_capacity(set.len());
    for (d, point) in data.demand.iter_mut().enumerate() {
        point.patients = set[d].unwrap_or(point.patients * scale);
        source.push(match set[d] {
            Some(_) => "the scenario's demand.patients".to_string(),
            None => scaled.clone(),
        });
    }
    (data, source)
}

/// The patients `demand.patients` gives, by demand point (`None`: scaled).
fn demand_patients(c: &mut Checker, patients: &Value, instance: &Instance) -> Vec<Option<f64>> {
    let mut set = vec![None; instance.demand.len()];
    let map = match patients {
        Value::Null => return set,
        Value::Object(map) => map,
        other => {
            c.add(
                Check::Plan,
                format!("demand.patients is {other}: expected patients by demand id"),
            );
            return set;
        }
    };
    let ids = index_by_id(instance.demand.iter().map(|d| d.id.as_str()));
    for (id, v) in map {
        match (ids.get(id.as_str()), v.as_f64()) {
            (None, _) => c.add(
                Check::Plan,
                format!("demand.patients names \"{id}\", which is not in demand.csv"),
            ),
            (Some(&d), Some(x)) if x.is_finite() && x >= 0.0 => set[d] = Some(x),
            _ => c.add(
                Check::Plan,
                format!("demand.patients.{id} is {v}: expected a number of patients >= 0"),
            ),
        }
    }
    set
}

/// A site as a design lists it: its status and platforms.
fn site_design(site: &Value) -> (&str, f64) {
    (
        site["status"].as_str().unwrap_or("?"),
        site["platforms"].as_f64().unwrap_or(f64::NAN),
    )
}

/// The status and platforms of every site of scenario `id` against the design (the plan's
/// `sites`): one design is shared by every scenario.
fn design(c: &mut Checker, plan: &Value, s: &Value, id: &str) {
    let top = plan["sites"].as_array().map_or(&[][..], Vec::as_slice);
    let listed = s["sites"].as_array().map_or(&[][..], Vec::as_slice);
    let by_id: HashMap<&str, &Value> = listed
        .iter()
        .filter_map(|x| x["id"].as_str().map(|i| (i, x)))
        .collect();
    for site in top {
        let Some(sid) = site["id"].as_str() else {
            continue;
        };
        let (status, platforms) = site_design(site);
        let Some(here) = by_id.get(sid) else {
            c.add(
                Check::Design,
                format!("scenario {id}: lists no site {sid} of the design (the plan's sites)"),
            );
            continue;
        };
        let (s_status, s_platforms) = site_design(here);
        if s_status != status || s_platforms != platforms {
            c.add(
                Check::Design,
                format!(
                    "scenario {id}: site {sid} is {s_status} with {}, but the design (the \
                     plan's sites) has it {status} with {}: one design serves every scenario",
                    platforms_text(s_platforms),
                    platforms_text(platforms)
                ),
            );
        }
    }
    let design_ids: HashMap<&str, ()> = top
        .iter()
        .filter_map(|x| x["id"].as_str().map(|i| (i, ())))
        .collect();
    for sid in by_id.keys().filter(|k| !design_ids.contains_key(*k)) {
        c.add(
            Check::Design,
            format!("scenario {id}: site {sid} is not in the design (the plan's sites)"),
        );
    }
}

/// Each probability at least 0, and their sum 1.
fn probabilities(c: &mut Checker, read: &[Scn<'_>]) {
    for s in read {
        if let Some(p) = s.probability.filter(|&p| p < 0.0) {
            c.add(
                Check::Probability,
                format!(
                    "scenario {}: its probability is {}: a probability is at least 0",
                    s.id,
                    n(p)
                ),
            );
        }
    }
    let all: Option<Vec<f64>> = read.iter().map(|s| s.probability).collect();
    let Some(all) = all.filter(|a| !a.is_empty()) else {
        return;
    };
    let sum: f64 = all.iter().sum();
    if (sum - 1.0).abs() > PROBABILITY_TOL {
        c.add(
            Check::Probability,
            format!(
                "the scenarios' probabilities sum to {sum}; they must sum to 1 (within \
                 {PROBABILITY_TOL:e})"
            ),
        );
    }
}

/// `a` and `b` differ by more than `cents` (plus float noise).
fn cents_differ(a: f64, b: f64, cents: f64) -> bool {
    beyond(
        (a - b).abs(),
        cents * CENT + FLOAT_NOISE * a.abs().max(b.abs()),
    )
}

/// Σ π · the scenarios' cost `key`, when every probability and cost is a number.
fn expectation(read: &[Scn<'_>], key: &str) -> Option<f64> {
    read.iter()
        .map(|s| Some(s.probability? * s.cost(key)?))
        .sum()
}

/// The plan's cost lines and total: the probability-weighted sums of the scenarios' (each
/// scenario's lines rounded to the cent, so a cent per line per scenario is rounding).
fn expected_cost(c: &mut Checker, plan: &Value, read: &[Scn<'_>]) {
    let scenarios = read.len() as f64;
    for key in COST_KEYS {
        let Some(got) = c.num(&plan["cost"][key], &format!("cost.{key}")) else {
            continue;
        };
        let Some(expected) = expectation(read, key) else {
            continue;
        };
        let lines = if key == "total" { LINES_IN_TOTAL } else { 1.0 };
        if cents_differ(got, expected, scenarios * lines) {
            c.add(
                Check::ExpectedCost,
                format!(
                    "cost.{key}: the plan says {}, but Σ π · the scenarios' cost.{key} is {} \
                     (a two-stage plan's cost is the expectation over its scenarios); off by {}",
                    usd_cents(got),
                    usd_cents(expected),
                    usd_cents(got - expected)
                ),
            );
        }
    }
}

/// RP, VSS, EVPI, the scenario count and the risk measures; hands back the objective the
/// solver minimised (the mean-CVaR blend with risk, else the expected cost).
fn measures(c: &mut Checker, plan: &Value, read: &[Scn<'_>]) -> Option<f64> {
    let st = &plan["stochastic"];
    if !st.is_object() {
        c.add(
            Check::Plan,
            format!("stochastic is {st}: a plan with scenarios records its measures there"),
        );
        return None;
    }
    scenario_count(c, st, read.len());
    let rp = c.num(&st["rp"], "stochastic.rp");
    let total = plan["cost"]["total"].as_f64();
    if let (Some(rp), Some(total)) = (rp, total)
        && cents_differ(rp, total, 1.0)
    {
        c.add(
            Check::Measures,
            format!(
                "stochastic.rp is {}, but the plan's expected cost (cost.total) is {}: RP is \
                 this plan's expected cost",
                usd_cents(rp),
                usd_cents(total)
            ),
        );
    }
    let rp = rp?;
    evpi(c, st, rp);
    vss(c, st, rp);
    risk(c, st, read, rp)
}

/// `stochastic.scenarios`: how many scenarios the plan lists.
fn scenario_count(c: &mut Checker, st: &Value, listed: usize) {
    match st["scenarios"].as_u64() {
        Some(k) if k as usize == listed => {}
        _ => c.add(
            Check::Measures,
            format!(
                "stochastic.scenarios is {}, but the plan lists {listed} scenarios",
                st["scenarios"]
            ),
        ),
    }
}

/// EVPI = RP - WS.
fn evpi(c: &mut Checker, st: &Value, rp: f64) {
    let ws = c.num(&st["ws"], "stochastic.ws");
    let evpi = c.num(&st["evpi"], "stochastic.evpi");
    if let (Some(ws), Some(evpi)) = (ws, evpi)
        && cents_differ(evpi, rp - ws, 1.0)
    {
        c.add(
            Check::Measures,
            format!(
                "stochastic.evpi is {}, but RP - WS = {} - {} = {}",
                usd_cents(evpi),
                usd_cents(rp),
                usd_cents(ws),
                usd_cents(rp - ws)
            ),
        );
    }
}

/// VSS = EEV - RP; both null when the expected-value design cannot serve every scenario.
fn vss(c: &mut Checker, st: &Value, rp: f64) {
    let (Some(eev), Some(vss)) = (
        c.opt_num(&st["eev"], "stochastic.eev"),
        c.opt_num(&st["vss"], "stochastic.vss"),
    ) else {
        return;
    };
    let message = match (eev, vss) {
        (Some(e), Some(v)) if cents_differ(v, e - rp, 1.0) => format!(
            "stochastic.vss is {}, but EEV - RP = {} - {} = {}",
            usd_cents(v),
            usd_cents(e),
            usd_cents(rp),
            usd_cents(e - rp)
        ),
        (Some(e), None) => format!(
            "stochastic.vss is null, but EEV is {}: VSS = EEV - RP = {}",
            usd_cents(e),
            usd_cents(e - rp)
        ),
        (None, Some(v)) => format!(
            "stochastic.vss is {}, but stochastic.eev is null (the expected-value design does \
             not serve every scenario): VSS is null then",
            usd_cents(v)
        ),
        _ => return,
    };
    c.add(Check::Measures, message);
}

/// CVaR at level `alpha` of `costs` with `probabilities` (Rockafellar–Uryasev): η the
/// α-quantile, CVaR = η + Σ π (c - η)⁺ / (1 - α). Hands back η and CVaR.
pub(super) fn cvar(costs: &[f64], probabilities: &[f64], alpha: f64) -> (f64, f64) {
    let mut order: Vec<(f64, f64)> = costs.iter().copied().zip(probabilities.to_vec()).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let worst = order.last().map_or(0.0, |w| w.0);
    let mut cumulative = 0.0;
    let eta = order
        .iter()
        .find(|(_, p)| {
            cumulative += p;
            cumulative >= alpha - QUANTILE_NOISE
        })
        .map_or(worst, |q| q.0);
    if alpha >= 1.0 {
        return (eta, worst);
    }
    let tail: f64 = order.iter().map(|(c, p)| p * (c - eta).max(0.0)).sum();
    (eta, eta + tail / (1.0 - alpha))
}

/// With risk aversion: CVaR from the scenarios' costs and probabilities, and the objective
/// (1 - λ)·RP + λ·CVaR. Hands back the objective minimised.
fn risk(c: &mut Checker, st: &Value, read: &[Scn<'_>], rp: f64) -> Option<f64> {
    let r = &st["risk"];
    if r.is_null() {
        return Some(rp);
    }
    let alpha = c.num(&r["cvar_alpha"], "stochastic.risk.cvar_alpha");
    let weight = c.num(&r["risk_weight"], "stochastic.risk.risk_weight");
    let plan_cvar = c.num(&r["cvar"], "stochastic.risk.cvar");
    let objective = c.num(&r["objective"], "stochastic.risk.objective");
    let costs: Option<Vec<f64>> = read.iter().map(|s| s.cost("total")).collect();
    let probabilities: Option<Vec<f64>> = read.iter().map(|s| s.probability).collect();
    if let (Some(a), Some(got), Some(costs), Some(ps)) = (alpha, plan_cvar, costs, probabilities) {
        let (eta, expected) = cvar(&costs, &ps, a);
        if cents_differ(got, expected, 1.0) {
            c.add(
                Check::Measures,
                format!(
                    "stochastic.risk.cvar is {}, but the scenarios' costs give CVaR_{} = η + Σ π \
                     (c - η)⁺ / (1 - α) = {} (η = {}, their {}-quantile)",
                    usd_cents(got),
                    n(a),
                    usd_cents(expected),
                    usd_cents(eta),
                    n(a)
                ),
            );
        }
    }
    let (Some(w), Some(cv), Some(obj)) = (weight, plan_cvar, objective) else {
        return objective;
    };
    let blend = (1.0 - w) * rp + w * cv;
    if cents_differ(obj, blend, 1.0) {
        c.add(
            Check::Measures,
            format!(
                "stochastic.risk.objective is {}, but (1 - λ)·RP + λ·CVaR = (1 - {})·{} + {}·{} \
                 = {}",
                usd_cents(obj),
                n(w),
                usd_cents(rp),
                n(w),
                usd_cents(cv),
                usd_cents(blend)
            ),
        );
    }
    Some(obj)
}

/// The regret table: each row's expected and worst cost from its scenario costs, and the row
/// "this plan" against the scenarios' own costs.
fn regret(c: &mut Checker, plan: &Value, read: &[Scn<'_>]) {
    let rows = c.array(&plan["stochastic"]["regret"], "stochastic.regret");
    let mut this_plan = false;
    for (r, row) in rows.iter().enumerate() {
        let name = row["design"].as_str().unwrap_or("?");
        let Some(costs) = row_costs(c, row, r, name, read.len()) else {
            continue;
        };
        row_summary(c, row, r, name, &costs, read);
        if name == "this plan" {
            this_plan = true;
            this_plan_row(c, r, &costs, read);
        } else if name == "expected value" {
            expected_value_row(c, plan, r, row);
        }
    }
    if !rows.is_empty() && !this_plan {
        c.add(
            Check::Regret,
            "stochastic.regret has no row \"this plan\"".into(),
        );
    }
}

/// A regret row's costs, one per scenario (null where the design cannot serve it).
fn row_costs(
    c: &mut Checker,
    row: &Value,
    r: usize,
    name: &str,
    scenarios: usize,
) -> Option<Vec<Option<f64>>> {
    let path = format!("stochastic.regret[{r}].costs");
    let list = c.array(&row["costs"], &path);
    if list.len() != scenarios {
        c.add(
            Check::Regret,
            format!(
                "{path} (\"{name}\") lists {} costs for {scenarios} scenarios: one a scenario",
                list.len()
            ),
        );
        return None;
    }
    let mut costs = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        costs.push(c.opt_num(v, &format!("{path}[{i}]"))?);
    }
    Some(costs)
}

/// A regret row's `expected` (Σ π · costs) and `worst` (their largest), both null when some
/// scenario has no cost.
fn row_summary(
    c: &mut Checker,
    row: &Value,
    r: usize,
    name: &str,
    costs: &[Option<f64>],
    read: &[Scn<'_>],
) {
    let Some(probabilities) = read
        .iter()
        .map(|s| s.probability)
        .collect::<Option<Vec<_>>>()
    else {
        return; // a missing probability is reported, and leaves nothing to compare
    };
    let all: Option<Vec<f64>> = costs.iter().copied().collect();
    let expected = all
        .as_ref()
        .map(|all| all.iter().zip(&probabilities).map(|(c, p)| c * p).sum());
    let worst = all.and_then(|all| all.into_iter().reduce(f64::max));
    for (key, value, how) in [
        ("expected", expected, "Σ π · its costs"),
        ("worst", worst, "its largest cost"),
    ] {
        let path = format!("stochastic.regret[{r}].{key}");
        let Some(got) = c.opt_num(&row[key], &path) else {
            continue;
        };
        let wrong = match (got, value) {
            (Some(g), Some(v)) => cents_differ(g, v, 1.0),
            (None, None) => false,
            _ => true,
        };
        if wrong {
            let show = |v: Option<f64>| v.map_or("null".to_string(), usd_cents);
            c.add(
                Check::Regret,
                format!(
                    "{path} (\"{name}\") is {}, but {how} is {}",
                    show(got),
                    show(value)
                ),
            );
        }
    }
}

/// The row "expected value": its expected cost is EEV.
fn expected_value_row(c: &mut Checker, plan: &Value, r: usize, row: &Value) {
    let (eev, expected) = (&plan["stochastic"]["eev"], &row["expected"]);
    let same = match (eev.as_f64(), expected.as_f64()) {
        (Some(a), Some(b)) => !cents_differ(a, b, 1.0),
        (None, None) => eev.is_null() && expected.is_null(),
        _ => false,
    };
    if !same {
        let show = |v: &Value| v.as_f64().map_or_else(|| v.to_string(), usd_cents);
        c.add(
            Check::Regret,
            format!(
                "stochastic.regret[{r}].expected (\"expected value\") is {}, but \
                 stochastic.eev is {}: EEV is the expected-value design's expected cost",
                show(expected),
                show(eev)
            ),
        );
    }
}

/// The row "this plan": its cost in each scenario is that scenario's cost.total.
fn this_plan_row(c: &mut Checker, r: usize, costs: &[Option<f64>], read: &[Scn<'_>]) {
    for (i, (cost, s)) in costs.iter().zip(read).enumerate() {
        let Some(total) = s.cost("total") else {
            continue;
        };
        let wrong = cost.is_none_or(|v| cents_differ(v, total, 1.0));
        if wrong {
            c.add(
                Check::Regret,
                format!(
                    "stochastic.regret[{r}].costs[{i}] (\"this plan\" in scenario {}) is {}, but \
                     that scenario's cost.total is {}",
                    s.id,
                    cost.map_or("null".to_string(), usd_cents),
                    usd_cents(total)
                ),
            );
        }
    }
}

#[cfg(test)]
#[path = "stochastic_tests.rs"]
mod tests;
