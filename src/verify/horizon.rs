//! The horizon as the scenario records it, and each year's demand under it.

use super::Check;
use super::checker::{Checker, n};
use super::params::Params;
use crate::input::Instance;
use serde_json::Value;

/// The horizon as the scenario records it. A scenario without a `[horizon]` group (a plan made
/// before there was one) is the single-year model without in vivo patients.
pub(super) struct Horizon {
    pub(super) years: usize,
    /// `horizon.growth`, for demand points without a growth column.
    pub(super) growth: f64,
    pub(super) discount_rate: f64,
    pub(super) lead_years: usize,
    /// `horizon.setup = "upfront"`: the whole setup in the year a site is decided.
    pub(super) upfront: bool,
    pub(super) platform_removal: bool,
    /// The in vivo share of each year (0-based), within [0, 1].
    pub(super) in_vivo: Vec<f64>,
}

/// One year's demand: demand.csv grown, less the in vivo share.
pub(super) struct YearDemand {
    /// Ex vivo patients at each demand point.
    pub(super) ex_vivo: Vec<f64>,
    /// In vivo patients, all demand points.
    pub(super) in_vivo: f64,
    /// How each point's year demand follows from demand.csv, for messages (`None`: as it is).
    pub(super) how: Vec<Option<String>>,
}

/// A missing key reads as NaN (reported with the other missing keys); here it counts as 0.
fn or0(v: f64) -> f64 {
    if v.is_nan() { 0.0 } else { v }
}

/// The scenario's `key` as a whole number from `min` to `max`; `None` (reported) otherwise.
fn whole(c: &mut Checker, p: &Params<'_>, key: &str, min: f64, max: f64) -> Option<usize> {
    let v = p.get(key);
    if v.is_nan() {
        return None; // reported with the other missing keys
    }
    if v.fract() != 0.0 || v < min || v > max {
        c.add(
            Check::Plan,
            format!(
                "the scenario's {key} is {}: expected a whole number from {} to {}",
                n(v),
                n(min),
                n(max)
            ),
        );
        return None;
    }
    Some(v as usize)
}

/// `horizon.setup`: whether the whole setup is paid upfront.
fn upfront(c: &mut Checker, p: &Params<'_>) -> bool {
    match p.scenario["horizon"]["setup"].as_str() {
        Some("annualized") => false,
        Some("upfront") => true,
        Some(other) => {
            c.add(
                Check::Plan,
                format!(
                    "the scenario's horizon.setup is \"{other}\": expected \"annualized\" \
                     or \"upfront\""
                ),
            );
            false
        }
        None => {
            p.missing.borrow_mut().push("horizon.setup".into());
            false
        }
    }
}

/// The in vivo share of each of `years` years: `demand.in_vivo_share` as a start and a yearly
/// step (`demand.in_vivo_growth`) or as a list of one share a year.
fn in_vivo_shares(c: &mut Checker, p: &Params<'_>, recorded: bool, years: usize) -> Vec<f64> {
    let share = &p.scenario["demand"]["in_vivo_share"];
    match share {
        Value::Null if !recorded => vec![0.0; years],
        Value::Number(x) => {
            let start = x.as_f64().unwrap_or(f64::NAN);
            let step = or0(p.get("demand.in_vivo_growth"));
            (0..years)
                .map(|t| (start + step * t as f64).clamp(0.0, 1.0))
                .collect()
        }
        Value::Array(list) => {
            let shares: Vec<f64> = list.iter().filter_map(Value::as_f64).collect();
            if shares.len() != list.len() || shares.is_empty() {
                c.add(
                    Check::Plan,
                    format!(
                        "the scenario's demand.in_vivo_share is {share}: expected a number or \
                         a list of numbers"
                    ),
                );
            } else if shares.len() != years {
                c.add(
                    Check::Plan,
                    format!(
                        "the scenario's demand.in_vivo_share lists {} shares for a horizon of \
                         {years} years (horizon.years): one a year",
                        shares.len()
                    ),
                );
            }
            (0..years)
                .map(|t| {
                    shares
                        .get(t)
                        .or(shares.last())
                        .copied()
                        .unwrap_or(0.0)
                        .clamp(0.0, 1.0)
                })
                .collect()
        }
        _ => {
            p.missing.borrow_mut().push("demand.in_vivo_share".into());
            vec![0.0; years]
        }
    }
}

impl Horizon {
    /// Reads `[horizon]` and the in vivo share; `plan_years` (the length of the plan's `years`)
    /// stands in for a `horizon.years` that is not a valid count.
    pub(super) fn read(c: &mut Checker, p: &Params<'_>, plan_years: Option<usize>) -> Horizon {
        let recorded = !p.scenario["horizon"].is_null();
        let max_years = f64::from(crate::input::scenario::MAX_YEARS);
        let (years, lead_years) = if recorded {
            (
                whole(c, p, "horizon.years", 1.0, max_years)
                    .unwrap_or_else(|| plan_years.unwrap_or(1).clamp(1, max_years as usize)),
                whole(c, p, "horizon.lead_years", 0.0, f64::from(u32::MAX)).unwrap_or(0),
            )
        } else {
            (1, 0)
        };
        let upfront = recorded && upfront(c, p);
        let (growth, discount_rate, platform_removal) = if recorded {
            (
                or0(p.get("horizon.growth")),
                or0(p.get("horizon.discount_rate")),
                p.flag("horizon.platform_removal"),
            )
        } else {
            (0.0, 0.0, false)
        };
        Horizon {
            years,
            growth,
            discount_rate,
            lead_years,
            upfront,
            platform_removal,
            in_vivo: in_vivo_shares(c, p, recorded, years),
        }
    }

    /// The weight of year `t` (1-based) in the net present value.
    pub(super) fn discount(&self, t: usize) -> f64 {
        1.0 / (1.0 + self.discount_rate).powi(t as i32 - 1)
    }

    /// The demand of year `t` (1-based): each point's demand.csv patients grown by its growth
    /// column or `horizon.growth`, split by the year's in vivo share.
    pub(super) fn demand(&self, instance: &Instance, t: usize) -> YearDemand {
        let share = self.in_vivo[t - 1];
        let mut ex_vivo = Vec::with_capacity(instance.demand.len());
        let mut how_all = Vec::with_capacity(instance.demand.len());
        let mut in_vivo = 0.0;
        for d in &instance.demand {
            let (g, source) = match d.growth {
                Some(g) => (g, "its growth column"),
                None => (self.growth, "horizon.growth"),
            };
            let grown = if t == 1 {
                d.patients
            } else {
                d.patients * (1.0 + g).powi(t as i32 - 1)
            };
            ex_vivo.push(grown * (1.0 - share));
            in_vivo += grown * share;
            let mut how = Vec::new();
            if t > 1 {
                how.push(format!("x (1 + {source} {})^{}", n(g), t - 1));
            }
            if share > 0.0 {
                how.push(format!("x (1 - in vivo share {})", n(share)));
            }
            how_all.push((!how.is_empty()).then(|| {
                format!(
                    "which make {} ex vivo patients in year {t} ({})",
                    n(grown * (1.0 - share)),
                    how.join(" ")
                )
            }));
        }
        YearDemand {
            ex_vivo,
            in_vivo,
            how: how_all,
        }
    }
}
