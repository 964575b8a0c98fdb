//! The cost lines of each year, their net present value and the solver's figures.

use super::Check;
use super::checker::{Checker, cost_differs, n};
use super::horizon::Horizon;
use super::params::SiteParams;
use super::year::YearOutcome;
use super::years::{FirstOpen, Years};
use crate::text::usd_cents;
use serde_json::Value;

/// plan.json's cost lines, in order.
const COST_KEYS: [&str; 7] = [
    "setup",
    "fixed",
    "platforms",
    "batches",
    "transport",
    "patient_travel",
    "unmet_penalty",
];

/// The gap at which a solver calls its solution optimal (plus float noise).
const OPTIMAL_GAP: f64 = 1e-6 + 1e-9;

/// The solver's objective and bound agree with the plan's total to this relative share, plus
/// a dollar for the plan's rounding of each line to the cent.
const SOLVER_REL_SLACK: f64 = 1e-6;
const SOLVER_ABS_SLACK: f64 = 1.0;

/// Each year's recomputed cost lines, the setup as `horizon.setup` asks: annualized, or the
/// whole setup in the year a site is decided (`horizon.lead_years` before it first produces).
pub(super) fn year_lines(
    outcomes: &[YearOutcome],
    horizon: &Horizon,
    first_open: &FirstOpen,
    sp: &[SiteParams],
) -> Vec<[f64; 7]> {
    let mut year_lines: Vec<[f64; 7]> = outcomes.iter().map(|o| o.lines).collect();
    if horizon.upfront {
        for l in &mut year_lines {
            l[0] = 0.0;
        }
        for (s, o) in first_open.iter().enumerate() {
            if let Some((opened, model)) = *o {
                // decided lead_years before it first produces (year 1 at the earliest)
                let decided = opened.saturating_sub(horizon.lead_years).max(1);
                year_lines[decided - 1][0] += sp[s].setup[model];
            }
        }
    }
    year_lines
}

/// Each year's cost lines and total against the recomputed ones.
pub(super) fn cost_lines(
    c: &mut Checker,
    plan: &Value,
    years: Years,
    horizon: &Horizon,
    (year_lines, rounding): (&[[f64; 7]], &[[f64; 7]]),
) {
    let setup_how = if horizon.upfront {
        format!(
            "the whole setup of the sites decided this year, horizon.lead_years = {} before \
             they first produce (horizon.setup = upfront)",
            horizon.lead_years
        )
    } else {
        "annualized setup of the open sites".to_string()
    };
    let how = [
        setup_how.as_str(),
        "fixed cost of the open sites",
        "platforms x cost per platform",
        "batches made x cost per batch",
        "batches x two shipment legs of each arc",
        "patients x travel cost of each arc",
        "unserved patients x demand.unserved_penalty",
    ];
    for t in 1..=years.count {
        let cost = &years.entry(plan, t)["cost"];
        let cost_path = years.path(t, "cost");
        let prefix = years.prefix(t);
        let mut total_expected = 0.0;
        let lines = year_lines[t - 1].iter().zip(&rounding[t - 1]);
        for ((key, (&value, &rounded)), how) in COST_KEYS.iter().zip(lines).zip(how) {
            total_expected += value;
            if let Some(got) = c.num(&cost[key], &format!("{cost_path}.{key}"))
                && cost_differs(got, value, rounded)
            {
                c.add(
                    Check::Cost,
                    format!(
                        "{prefix}{cost_path}.{key}: the plan says {}, recomputed {} ({how}); off by {}",
                        usd_cents(got),
                        usd_cents(value),
                        usd_cents(got - value)
                    ),
                );
            }
        }
        if let Some(total) = c.num(&cost["total"], &format!("{cost_path}.total"))
            && cost_differs(total, total_expected, rounding[t - 1].iter().sum())
        {
            c.add(
                Check::Cost,
                format!(
                    "{prefix}{cost_path}.total: the plan says {}, recomputed {} (the sum of the \
                     recomputed lines); off by {}",
                    usd_cents(total),
                    usd_cents(total_expected),
                    usd_cents(total - total_expected)
                ),
            );
        }
    }
}

/// A multi-year plan's top-level cost lines and total: the net present value of the years'.
/// Hands back the plan's total.
pub(super) fn npv(
    c: &mut Checker,
    plan: &Value,
    years: Years,
    horizon: &Horizon,
    (year_lines, rounding): (&[[f64; 7]], &[[f64; 7]]),
) -> Option<f64> {
    if !years.multi {
        return plan["cost"]["total"].as_f64().filter(|x| x.is_finite());
    }
    let t_max = years.count;
    let mut npv_total = 0.0;
    let mut npv_rounding = 0.0;
    for (i, key) in COST_KEYS.iter().enumerate() {
        let discounted = |lines: &[[f64; 7]]| -> f64 {
            (1..=t_max)
                .map(|t| horizon.discount(t) * lines[t - 1][i])
                .sum()
        };
        let (value, rounded) = (discounted(year_lines), discounted(rounding));
        npv_total += value;
        npv_rounding += rounded;
        if let Some(got) = c.num(&plan["cost"][key], &format!("cost.{key}"))
            && cost_differs(got, value, rounded)
        {
            c.add(
                Check::Npv,
                format!(
                    "cost.{key}: the plan says {}, but the net present value of the years' {key} \
                     lines is {} (year t weighs 1 / (1 + horizon.discount_rate {})^(t - 1)); off by {}",
                    usd_cents(got),
                    usd_cents(value),
                    n(horizon.discount_rate),
                    usd_cents(got - value)
                ),
            );
        }
    }
    let total = c.num(&plan["cost"]["total"], "cost.total");
    if let Some(got) = total
        && cost_differs(got, npv_total, npv_rounding)
    {
        c.add(
            Check::Npv,
            format!(
                "cost.total: the plan says {}, but the net present value of the {t_max} years' \
                 costs is {} (horizon.discount_rate = {}); off by {}",
                usd_cents(got),
                usd_cents(npv_total),
                n(horizon.discount_rate),
                usd_cents(got - npv_total)
            ),
        );
    }
    total
}

/// The solver's figures: the plan costs no more than the solution found, no less than the
/// proven bound; an optimal plan has a gap of at most 1e-6.
pub(super) fn solver_figures(c: &mut Checker, plan: &Value, status: &str, total: Option<f64>) {
    let objective = c.opt_num(&plan["solver"]["objective"], "solver.objective");
    let bound = c.opt_num(&plan["solver"]["best_bound"], "solver.best_bound");
    let gap = c.opt_num(&plan["solver"]["gap"], "solver.gap");
    let slack = |v: f64| SOLVER_REL_SLACK * v.abs() + SOLVER_ABS_SLACK;
    if let (Some(total), Some(Some(obj))) = (total, objective)
        && total > obj + slack(obj)
    {
        c.add(
            Check::Solver,
            format!(
                "cost.total {} is above the solver's objective {}",
                usd_cents(total),
                usd_cents(obj)
            ),
        );
    }
    if let (Some(total), Some(Some(b))) = (total, bound)
        && total < b - slack(b)
    {
        c.add(
            Check::Solver,
            format!(
                "cost.total {} is below the solver's proven bound {}: no plan can cost less",
                usd_cents(total),
                usd_cents(b)
            ),
        );
    }
    if status == "optimal"
        && let Some(Some(g)) = gap
        && g > OPTIMAL_GAP
    {
        c.add(
            Check::Solver,
            format!(
                "solver.status is optimal, but solver.gap is {} (optimal means a gap of at most 1e-6)",
                n(g)
            ),
        );
    }
}
