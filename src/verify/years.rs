//! A plan's years: the years list, each year under the single-year checks, and the checks
//! across years (sites stay open, platforms kept, each year's `opened`, the top level as the
//! final year).

use super::Check;
use super::checker::{Checker, differs6, n, platforms_text};
use super::horizon::Horizon;
use super::params::MODELS;
use super::year::{Ctx, YearInput, YearOutcome};
use crate::input::Instance;
use serde_json::Value;
use std::collections::HashMap;

/// The year a site first produces (1-based) and under which operating model, by site.
pub(super) type FirstOpen = Vec<Option<(usize, usize)>>;

/// How many years the plan has and where each keeps its entries.
#[derive(Clone, Copy)]
pub(super) struct Years {
    pub(super) count: usize,
    /// More than one year: the plan lists them under `years`.
    pub(super) multi: bool,
}

impl Years {
    /// Where year `t` (1-based) keeps its sites, KPIs and cost: `years[t - 1]` of a multi-year
    /// plan, the plan itself for a single year.
    pub(super) fn entry(self, plan: &Value, t: usize) -> &Value {
        if self.multi {
            &plan["years"][t - 1]
        } else {
            plan
        }
    }

    /// The path of year `t`'s `key` in plan.json.
    pub(super) fn path(self, t: usize, key: &str) -> String {
        if self.multi {
            format!("years[{}].{key}", t - 1)
        } else {
            key.to_string()
        }
    }

    /// What a message about year `t` starts with.
    pub(super) fn prefix(self, t: usize) -> String {
        if self.multi {
            format!("year {t}: ")
        } else {
            String::new()
        }
    }
}

/// The plan's years list against `horizon.years`: one entry a year for a horizon, none for a
/// single year. `false` when the years cannot be checked.
pub(super) fn years_listed(c: &mut Checker, plan_years: Option<&Vec<Value>>, years: Years) -> bool {
    let count = years.count;
    match (years.multi, plan_years) {
        (false, Some(list)) if !list.is_empty() => c.add(
            Check::Years,
            format!(
                "the plan lists {} years, but the scenario plans one (horizon.years = 1)",
                list.len()
            ),
        ),
        (true, None) => {
            c.add(
                Check::Years,
                format!(
                    "the scenario plans {count} years (horizon.years), but the plan has no years \
                     list: its years cannot be checked"
                ),
            );
            return false;
        }
        (true, Some(list)) if list.len() != count => {
            c.add(
                Check::Years,
                format!(
                    "the plan lists {} years, but the scenario plans {count} (horizon.years): its \
                     years cannot be checked",
                    list.len()
                ),
            );
            return false;
        }
        _ => {}
    }
    true
}

/// Each year of a multi-year plan: numbered in order from 1, with its discount factor.
pub(super) fn year_numbers(c: &mut Checker, plan: &Value, years: Years, horizon: &Horizon) {
    if !years.multi {
        return;
    }
    for t in 1..=years.count {
        let e = years.entry(plan, t);
        match e["year"].as_u64() {
            Some(y) if y as usize == t => {}
            _ => c.add(
                Check::Years,
                format!(
                    "years[{}].year is {}: the years are listed in order, from 1",
                    t - 1,
                    e["year"]
                ),
            ),
        }
        let expected = horizon.discount(t);
        let path = years.path(t, "discount_factor");
        if let Some(df) = c.num(&e["discount_factor"], &path)
            && differs6(df, expected)
        {
            c.add(
                Check::Npv,
                format!(
                    "year {t}: {path} is {}, but year {t} weighs 1 / (1 + horizon.discount_rate \
                     {})^{} = {}",
                    n(df),
                    n(horizon.discount_rate),
                    t - 1,
                    n(expected)
                ),
            );
        }
    }
}

/// The entries of the plan's list `list`, with their index, by year (`year`, 1-based; a plan of
/// one year made before flows had a year has none).
fn by_year<'v>(
    c: &mut Checker,
    plan: &'v Value,
    list: &str,
    t_max: usize,
) -> Vec<Vec<(usize, &'v Value)>> {
    let mut out = vec![Vec::new(); t_max];
    for (i, e) in c.array(&plan[list], list).iter().enumerate() {
        let y = &e["year"];
        let t = match y.as_u64() {
            None if y.is_null() && t_max == 1 => 1,
            Some(t) if (1..=t_max as u64).contains(&t) => t as usize,
            _ => {
                c.add(
                    Check::Plan,
                    format!(
                        "{list}[{i}].year is {y}: expected a year from 1 to {t_max} (horizon.years)"
                    ),
                );
                continue;
            }
        };
        out[t - 1].push((i, e));
    }
    out
}

/// Each year under the single-year checks, against its demand, its lead time and (where
/// platforms are only added) the platforms of the year before.
pub(super) fn each_year(
    c: &mut Checker,
    plan: &Value,
    ctx: &Ctx<'_>,
    horizon: &Horizon,
    years: Years,
) -> Vec<YearOutcome> {
    let instance = ctx.instance;
    let mut patient_flows = by_year(c, plan, "patient_flows", years.count).into_iter();
    let mut batch_flows = by_year(c, plan, "batch_flows", years.count).into_iter();
    let mut unserved = by_year(c, plan, "unserved", years.count).into_iter();
    let mut outcomes: Vec<YearOutcome> = Vec::with_capacity(years.count);
    for t in 1..=years.count {
        let floor = match outcomes.last() {
            Some(prev) if !horizon.platform_removal => prev
                .sites
                .iter()
                .map(|s| s.filter(|s| s.model.is_some()).map_or(0.0, |s| s.platforms))
                .collect(),
            _ if ctx.within.fixed_platforms.len() == instance.sites.len() => {
                ctx.within.fixed_platforms.clone()
            }
            _ => vec![0.0; instance.sites.len()],
        };
        let entry = years.entry(plan, t);
        let input = YearInput {
            year: t,
            patient_flows: patient_flows.next().unwrap_or_default(),
            batch_flows: batch_flows.next().unwrap_or_default(),
            unserved: unserved.next().unwrap_or_default(),
            sites: &entry["sites"],
            sites_path: years.path(t, "sites"),
            kpis: &entry["kpis"],
            kpis_path: years.path(t, "kpis"),
            cost: &entry["cost"],
            demand: horizon.demand(instance, t),
            producing: t > horizon.lead_years,
            floor,
        };
        let mut yc = Checker {
            violations: Vec::new(),
        };
        outcomes.push(ctx.year(&mut yc, &input));
        let prefix = years.prefix(t);
        for v in yc.violations {
            c.add(v.check, format!("{prefix}{}", v.message));
        }
    }
    outcomes
}

/// From one year to the next, a site stays open under the same operating model, and its
/// platforms are only added unless `horizon.platform_removal`.
pub(super) fn stays_open(
    c: &mut Checker,
    instance: &Instance,
    outcomes: &[YearOutcome],
    platform_removal: bool,
) {
    let site_name = |s: usize| instance.sites[s].id.as_str();
    let model_name = |m: Option<usize>| m.map_or("closed", |m| MODELS[m]);
    for t in 2..=outcomes.len() {
        let (before, now) = (&outcomes[t - 2].sites, &outcomes[t - 1].sites);
        for s in 0..instance.sites.len() {
            let (Some(a), Some(b)) = (before[s], now[s]) else {
                continue;
            };
            let Some(model) = a.model else { continue };
            if b.model != Some(model) {
                c.add(
                    Check::StaysOpen,
                    format!(
                        "year {t}: site {} is {} in year {} but {} in year {t}: once open, a site \
                         stays open under the same operating model",
                        site_name(s),
                        MODELS[model],
                        t - 1,
                        model_name(b.model)
                    ),
                );
            } else if !platform_removal && b.platforms < a.platforms {
                c.add(
                    Check::PlatformsKept,
                    format!(
                        "year {t}: site {} has {} in year {} but {} in year {t}: platforms are \
                         only added (horizon.platform_removal is false)",
                        site_name(s),
                        platforms_text(a.platforms),
                        t - 1,
                        platforms_text(b.platforms)
                    ),
                );
            }
        }
    }
}

/// The year each site first produces, and under which operating model.
pub(super) fn first_open(sites: usize, outcomes: &[YearOutcome]) -> FirstOpen {
    (0..sites)
        .map(|s| {
            outcomes
                .iter()
                .enumerate()
                .find_map(|(t, o)| o.sites[s].and_then(|x| x.model).map(|m| (t + 1, m)))
        })
        .collect()
}

/// Each year's `opened`: the sites that start producing that year.
pub(super) fn opened_lists(
    c: &mut Checker,
    plan: &Value,
    ctx: &Ctx<'_>,
    years: Years,
    first_open: &FirstOpen,
) {
    let site_name = |s: usize| ctx.instance.sites[s].id.as_str();
    for t in 1..=years.count {
        let path = years.path(t, "opened");
        let listed: Vec<&str> = c
            .array(&years.entry(plan, t)["opened"], &path)
            .iter()
            .filter_map(|v| {
                let id = v.as_str();
                if id.is_none() {
                    c.add(Check::Plan, format!("{path} lists {v}, not a site id"));
                }
                id
            })
            .collect();
        let expected: Vec<&str> = (0..ctx.instance.sites.len())
            .filter(|&s| first_open[s].is_some_and(|(o, _)| o == t))
            .map(site_name)
            .collect();
        for id in &listed {
            if !expected.contains(id) {
                let when = match ctx.site_ids.get(id).and_then(|&s| first_open[s]) {
                    Some((o, _)) => format!("it first produces in year {o}"),
                    None if ctx.site_ids.contains_key(id) => {
                        "it never produces in the plan".to_string()
                    }
                    None => "it is not in sites.csv".to_string(),
                };
                c.add(
                    Check::Years,
                    format!("year {t}: {path} lists site {id}, but {when}"),
                );
            }
        }
        for id in expected {
            if !listed.contains(&id) {
                c.add(
                    Check::Years,
                    format!(
                        "year {t}: site {id} first produces in year {t}, but {path} does not \
                         list it"
                    ),
                );
            }
        }
    }
}

/// Two figures of plan.json the same: numbers to 1e-6, anything else exactly.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => !differs6(x, y),
        _ => a == b,
    }
}

/// A multi-year plan's top-level `kpis` are the final year's.
pub(super) fn final_kpis_on_top(c: &mut Checker, plan: &Value, t_max: usize) {
    let last = &plan["years"][t_max - 1];
    let last_path = format!("years[{}]", t_max - 1);
    let mut keys: Vec<&String> = Vec::new();
    for kpis in [&last["kpis"], &plan["kpis"]] {
        for key in kpis.as_object().into_iter().flat_map(|o| o.keys()) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    for key in keys {
        let (top, fin) = (&plan["kpis"][key], &last["kpis"][key]);
        if !same(top, fin) {
            c.add(
                Check::Years,
                format!(
                    "kpis.{key} is {top}, but the final year's ({last_path}.kpis.{key}) is {fin}: \
                     the top-level KPIs are the final year's"
                ),
            );
        }
    }
}

/// A multi-year plan's top-level `sites` are the final year's; each carries the year it first
/// produces (`opened_year`).
pub(super) fn final_sites_on_top(
    c: &mut Checker,
    plan: &Value,
    ctx: &Ctx<'_>,
    first_open: &FirstOpen,
    t_max: usize,
) {
    let last = &plan["years"][t_max - 1];
    let last_path = format!("years[{}]", t_max - 1);
    let empty = Vec::new();
    let top = plan["sites"].as_array().unwrap_or(&empty);
    let fin = last["sites"].as_array().unwrap_or(&empty);
    let fin_by_id: HashMap<&str, &Value> = fin
        .iter()
        .filter_map(|s| s["id"].as_str().map(|id| (id, s)))
        .collect();
    let mut seen = Vec::new();
    for (i, s) in top.iter().enumerate() {
        let Some(id) = s["id"].as_str() else {
            c.add(
                Check::Plan,
                format!("sites[{i}].id is {}, not text", s["id"]),
            );
            continue;
        };
        seen.push(id);
        match fin_by_id.get(id) {
            None => c.add(
                Check::Years,
                format!(
                    "sites[{i}] is site {id}, which the final year ({last_path}.sites) does not \
                     list: the top-level sites are the final year's"
                ),
            ),
            Some(f) => {
                for key in ["status", "platforms", "batches", "utilization"] {
                    if !same(&s[key], &f[key]) {
                        c.add(
                            Check::Years,
                            format!(
                                "site {id}: sites[{i}].{key} is {}, but the final year's is {}: \
                                 the top-level sites are the final year's",
                                s[key], f[key]
                            ),
                        );
                    }
                }
            }
        }
        opened_year(c, ctx, first_open, i, s, id);
    }
    for id in fin.iter().filter_map(|s| s["id"].as_str()) {
        if !seen.contains(&id) {
            c.add(
                Check::Years,
                format!(
                    "site {id} of the final year ({last_path}.sites) is missing from the \
                     top-level sites"
                ),
            );
        }
    }
}

/// Top-level `sites[i]` (site `id`) carries the year it first produces, or null.
fn opened_year(
    c: &mut Checker,
    ctx: &Ctx<'_>,
    first_open: &FirstOpen,
    i: usize,
    s: &Value,
    id: &str,
) {
    let expected = ctx
        .site_ids
        .get(id)
        .and_then(|&x| first_open[x])
        .map(|(o, _)| o);
    let got = &s["opened_year"];
    let ok = match expected {
        Some(o) => got.as_u64() == Some(o as u64),
        None => got.is_null(),
    };
    if !ok {
        let when = expected.map_or("never produces".to_string(), |o| {
            format!("first produces in year {o}")
        });
        c.add(
            Check::Years,
            format!("site {id} {when}, but sites[{i}].opened_year is {got}"),
        );
    }
}
