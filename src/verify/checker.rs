//! The collector of violations, the reading of plan.json's fields, the tolerances of each kind
//! of number and how numbers print in messages.

use super::COST_REL_TOL;
use super::{Check, Violation};
use serde_json::Value;
use std::collections::HashMap;

// Tolerances.

/// The plan rounds hours, days and utilization to 6 decimals.
const ROUNDING_6: f64 = 1e-6;
/// Relative float noise between two computations of the same number.
const FLOAT_NOISE: f64 = 1e-9;
/// A sum of values each rounded to 6 decimals drifts by up to this much.
const BALANCE_ABS: f64 = 1e-5;
/// The solver's relative feasibility tolerance.
const SOLVER_TOL: f64 = 1e-6;
/// The cent each cost line is rounded to, with room for float noise.
const CENT: f64 = 0.011;

/// `gap` beyond `tol`, or not a number at all (NaN from a missing parameter is a violation).
pub(super) fn beyond(gap: f64, tol: f64) -> bool {
    gap.is_nan() || gap > tol
}

/// Numbers the plan rounds to 6 decimals (hours, days, utilization): agree to 1e-6.
pub(super) fn differs6(plan: f64, expected: f64) -> bool {
    beyond(
        (plan - expected).abs(),
        ROUNDING_6 + FLOAT_NOISE * expected.abs(),
    )
}

/// Flow balances (sums of values each rounded to 6 decimals, within the solver's tolerance).
pub(super) fn unbalanced(a: f64, b: f64) -> bool {
    beyond(
        (a - b).abs(),
        BALANCE_ABS + SOLVER_TOL * a.abs().max(b.abs()),
    )
}

/// A quantity above its limit: beyond the drift of a sum of values each rounded to 6 decimals
/// (patients at a hospital, batches at a site) and the solver's relative feasibility tolerance.
pub(super) fn above(a: f64, limit: f64) -> bool {
    beyond(a - limit, BALANCE_ABS + SOLVER_TOL * limit.abs())
}

/// A time above its limit: both are computed from the same inputs, so only float noise is allowed.
pub(super) fn late(a: f64, limit: f64) -> bool {
    beyond(a - limit, FLOAT_NOISE * limit.abs().max(1.0))
}

/// Money: 1e-6 relative, plus the cent the plan rounds each line to, plus what the plan's
/// rounding of the quantities `expected` is recomputed from can move it (`rounding`).
pub(super) fn cost_differs(plan: f64, expected: f64, rounding: f64) -> bool {
    beyond(
        (plan - expected).abs(),
        COST_REL_TOL * plan.abs().max(expected.abs()) + CENT + rounding,
    )
}

/// A number for messages: up to 6 decimals, trailing zeros dropped.
pub(super) fn n(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// "1 platform", "3 platforms".
pub(super) fn platforms_text(v: f64) -> String {
    if v == 1.0 {
        "1 platform".into()
    } else {
        format!("{} platforms", n(v))
    }
}

// ---------------------------------------------------------------------------------------------
// The check.

pub(super) struct Checker {
    pub(super) violations: Vec<Violation>,
}

impl Checker {
    pub(super) fn add(&mut self, check: Check, message: String) {
        self.violations.push(Violation { check, message });
    }

    /// A required number of plan.json.
    pub(super) fn num(&mut self, v: &Value, path: &str) -> Option<f64> {
        match v.as_f64() {
            Some(x) if x.is_finite() => Some(x),
            _ => {
                let what = if v.is_null() {
                    "missing".to_string()
                } else {
                    format!("{v}, not a number")
                };
                self.add(Check::Plan, format!("{path} is {what}"));
                None
            }
        }
    }

    /// A number of plan.json that may be null.
    pub(super) fn opt_num(&mut self, v: &Value, path: &str) -> Option<Option<f64>> {
        if v.is_null() {
            Some(None)
        } else {
            self.num(v, path).map(Some)
        }
    }

    pub(super) fn text<'v>(&mut self, v: &'v Value, path: &str) -> Option<&'v str> {
        match v.as_str() {
            Some(s) => Some(s),
            None => {
                self.add(Check::Plan, format!("{path} is {v}, not text"));
                None
            }
        }
    }

    pub(super) fn array<'v>(&mut self, v: &'v Value, path: &str) -> &'v [Value] {
        match v.as_array() {
            Some(a) => a,
            None => {
                self.add(Check::Plan, format!("{path} is {v}, not a list"));
                &[]
            }
        }
    }

    /// A positive flow amount.
    pub(super) fn amount(&mut self, v: &Value, path: &str, what: &str) -> Option<f64> {
        let x = self.num(v, path)?;
        if x > 0.0 {
            Some(x)
        } else {
            self.add(
                Check::Plan,
                format!("{path} is {}: a listed {what} must be positive", n(x)),
            );
            None
        }
    }
}

/// Looks an id up, reporting an unknown one.
pub(super) fn lookup(
    c: &mut Checker,
    ids: &HashMap<&str, usize>,
    id: Option<&str>,
    path: &str,
    file: &str,
) -> Option<usize> {
    let id = id?;
    match ids.get(id) {
        Some(&i) => Some(i),
        None => {
            c.add(
                Check::Plan,
                format!("{path} names \"{id}\", which is not in {file}"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::usd_cents;

    #[test]
    fn numbers_print_without_noise() {
        assert_eq!(n(2.5), "2.5");
        assert_eq!(n(3.0), "3");
        assert_eq!(n(1.0 / 3.0), "0.333333");
        assert_eq!(n(-0.0), "0");
        assert_eq!(usd_cents(3_900_000.0), "$3,900,000.00");
        assert_eq!(usd_cents(-100.0), "-$100.00");
        assert_eq!(usd_cents(0.004), "$0.00");
    }

    #[test]
    fn tolerances() {
        assert!(!cost_differs(30_000_000.0, 30_000_010.0, 0.0));
        assert!(cost_differs(30_000_000.0, 30_000_100.0, 0.0));
        assert!(!cost_differs(0.0, 0.004, 0.0));
        // a $1M penalty on patients written to 6 decimals: half a dollar a row
        assert!(cost_differs(448_579.0, 448_578.52, 0.0));
        assert!(!cost_differs(448_579.0, 448_578.52, 0.5));
        assert!(late(14.000001, 14.0));
        // 107 patients' cap, met by flows each written to 6 decimals (a national plan's)
        assert!(!above(107.000001, 107.0));
        assert!(above(107.001, 107.0));
        assert!(above(0.0001, 0.0));
        assert!(!late(14.0 + 1e-12, 14.0));
    }
}
