//! The check every plan passes before it is written (issue #15): the independent checks of
//! [`crate::verify`], on the plan as plan.json would hold it, against the data it was made from
//! and its own scenario. They are linear in the plan's size. A plan that does not hold is a
//! failure of the solver (E702, exit code 4), never a file.

use crate::input::Instance;
use crate::plan::Plan;
use crate::verify::{self, Verification};

/// `plan` checked as `cartnet verify` checks its plan.json.
pub fn check(plan: &Plan, instance: &Instance) -> Verification {
    match serde_json::to_value(plan) {
        Ok(json) => verify::verify(&json, instance, &json["scenario"]),
        Err(e) => Verification {
            violations: vec![verify::Violation {
                check: verify::Check::Plan,
                message: format!("the plan cannot be rendered as JSON: {e}"),
            }],
            ..Verification::default()
        },
    }
}

/// The one-line message for a plan that does not hold (its violations follow it).
pub fn refusal(v: &Verification) -> String {
    let n = v.violations.len();
    format!(
        "E702 the plan does not hold under its own check ({n} violation{}); it was not written",
        if n == 1 { "" } else { "s" }
    )
}
