//! The check every plan passes before it is written: the independent checks of
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Scenario;
    use crate::network::Network;
    use crate::plan::Provenance;
    use crate::solve::SolveOptions;
    use crate::{Outcome, optimize};
    use std::path::Path;

    /// The demo's plan holds; the same plan with one batch flow changed does not, and the
    /// refusal names the count.
    #[test]
    fn a_plan_holds_and_a_changed_flow_is_caught() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let instance = Instance::load(&root.join("data/demo")).unwrap();
        let scenario = Scenario::load(&root.join("models/baseline.toml"), &[]).unwrap();
        let network = Network::build(&instance, &scenario);
        let options = SolveOptions {
            gap: 0.01,
            ..SolveOptions::default()
        };
        let provenance = Provenance {
            data: "data/demo",
            model: "models/baseline.toml",
        };
        let Ok(Outcome::Plan(mut plan)) =
            optimize(&instance, &scenario, &network, &options, provenance)
        else {
            panic!("the demo has a plan");
        };
        let v = check(&plan, &instance);
        assert!(v.holds(), "{:?}", v.violations);
        plan.batch_flows[0].batches += 1.0;
        let v = check(&plan, &instance);
        assert!(!v.holds());
        let n = v.violations.len();
        assert_eq!(
            refusal(&v),
            format!(
                "E702 the plan does not hold under its own check ({n} violation{}); it was not written",
                if n == 1 { "" } else { "s" }
            )
        );
    }
}
