//! The futures of a scenario set: each scenario's data made real (instance, parameters,
//! network), and the expected-value future.

use super::{Future, Futures, unsupported};
use crate::input::Instance;
use crate::input::error::{Code, InputError, InputErrors};
use crate::input::uncertainty::{BaseModel, ScenarioSet, ScenarioSpec, expected, materialize};
use crate::model::stochastic::Risk;
use crate::network::Network;

/// Every scenario of `set` and the expected-value one, as futures; a scenario that a two-stage
/// plan cannot take (see [`unsupported`]) is an input error naming it.
pub fn futures(
    set: &ScenarioSet,
    instance: &Instance,
    base: &BaseModel<'_>,
) -> Result<Futures, InputErrors> {
    let list = list(set, instance, base, 1)?;
    let ev = expected(set, base, instance)?;
    Ok(Futures {
        list,
        expected: future(&ev, instance, base)?,
        origin: set.origin.clone(),
        risk: set.risk.map(|r| Risk {
            alpha: r.cvar_alpha,
            weight: r.risk_weight,
        }),
    })
}

/// The scenarios of `set` made real, `jobs` at a time (no expected-value future: for
/// evaluating a design, which needs only the scenarios).
pub fn list(
    set: &ScenarioSet,
    instance: &Instance,
    base: &BaseModel<'_>,
    jobs: usize,
) -> Result<Vec<Future>, InputErrors> {
    super::evaluate::par_map(jobs, &set.scenarios, |spec| future(spec, instance, base))
        .into_iter()
        .collect()
}

/// One scenario made real.
fn future(
    spec: &ScenarioSpec,
    instance: &Instance,
    base: &BaseModel<'_>,
) -> Result<Future, InputErrors> {
    let (instance, scenario) = materialize(instance, base, spec)?;
    if let Some(why) = unsupported(&scenario) {
        let message = format!(
            "scenario {}: a two-stage plan cannot take {why}",
            crate::text::printable(&spec.id)
        );
        return Err(InputErrors(vec![InputError::new(
            Code::ScenarioUnsupported,
            base.file,
            message,
        )]));
    }
    let network = Network::build(&instance, &scenario);
    Ok(Future {
        id: spec.id.clone(),
        probability: spec.probability,
        demand_scale: spec.demand_scale,
        demand_patients: spec.demand_patients.clone(),
        instance,
        scenario,
        network,
    })
}
