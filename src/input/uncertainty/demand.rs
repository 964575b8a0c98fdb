//! Each scenario's demand: `scenario_demand.csv` in the data folder (`scenario,demand,patients`:
//! a scenario's patients a year at a demand point, absolute: `demand.scale` does not apply to
//! them), and [`materialize`], the instance and scenario one scenario stands for.

use super::{BaseModel, ScenarioSpec, check};
use crate::input::error::{Code, InputError, InputErrors, quoted};
use crate::input::ranges::{self, show};
use crate::input::table::{self, Column, required};
use crate::input::{Instance, Scenario};
use std::collections::{HashMap, HashSet};

/// The file's name in the data folder.
pub const FILE: &str = "scenario_demand.csv";

const COLUMNS: &[Column] = &[
    required("scenario"),
    required("demand"),
    required("patients"),
];

/// Reads `scenario_demand.csv` into the scenarios' `demand_patients`; `scenarios_file` names
/// the scenarios file in messages. Whether it was read without error.
pub fn read(
    bytes: &[u8],
    scenarios_file: &str,
    specs: &mut [&mut ScenarioSpec],
    instance: &Instance,
    errors: &mut Vec<InputError>,
) -> bool {
    let before = errors.len();
    let Some(t) = table::parse(FILE, bytes, COLUMNS, errors) else {
        return false;
    };
    let scenario: HashMap<String, usize> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let points: HashSet<&str> = instance.demand.iter().map(|d| d.id.as_str()).collect();
    let mut first: HashMap<(usize, String), u64> = HashMap::new();
    t.for_each_row(errors, |row| {
        let s = row.required_text("scenario");
        let d = row.required_text("demand");
        let p = patients(row);
        let s = s.and_then(|s| match scenario.get(&s) {
            Some(&i) => Some(i),
            None => {
                let message = format!("{} is not a scenario id in {scenarios_file}", quoted(&s));
                row.row_error(Code::UnknownScenarioDemand, "scenario", message);
                None
            }
        });
        let d = d.filter(|d| {
            let known = points.contains(d.as_str());
            if !known {
                let message = format!("{} is not a demand id in demand.csv", quoted(d));
                row.row_error(Code::UnknownScenarioDemand, "demand", message);
            }
            known
        });
        let (Some(s), Some(d), Some(p)) = (s, d, p) else {
            return;
        };
        if let Some(line) = first.get(&(s, d.clone())) {
            let message = format!(
                "scenario {} gives demand point {} again; it was first given on line {line}",
                quoted(&specs[s].id),
                quoted(&d)
            );
            row.row_error(Code::DuplicateScenarioDemand, "demand", message);
            return;
        }
        first.insert((s, d.clone()), row.line);
        specs[s].demand_patients.insert(d, p);
    });
    errors.len() == before
}

/// The patients cell: E101 when blank, E813 when not a number in range.
fn patients(row: &mut table::Row<'_>) -> Option<f64> {
    let Some(raw) = row.text("patients").map(str::to_string) else {
        row.row_error(
            Code::MissingValue,
            "patients",
            "a number is required".into(),
        );
        return None;
    };
    match raw.parse::<f64>() {
        Ok(p) if ranges::PATIENTS.contains(p) => Some(p),
        _ => {
            let message = format!(
                "{} is not a number of patients: expected a number in [0, {}]",
                quoted(&raw),
                show(ranges::MAX_PATIENTS)
            );
            row.row_error(Code::BadScenarioPatients, "patients", message);
            None
        }
    }
}

/// The instance and the scenario `spec` stands for: the instance with the scenario's patients
/// (`demand_patients` where given, else the base patients times `demand_scale`), and the base
/// model with the `--set` overrides and then the spec's (its own win). Errors name the scenario
/// (`scenario "high"`) as their file: a spec read by this module's readers has none.
pub fn materialize(
    instance: &Instance,
    base: &BaseModel,
    spec: &ScenarioSpec,
) -> Result<(Instance, Scenario), InputErrors> {
    let place = format!("scenario {}", quoted(&spec.id));
    let locate = |mut e: InputError| {
        e.file = place.clone();
        e.line = None;
        e
    };
    let mut errors = Vec::new();
    if !super::keys::DEMAND_SCALE_RANGE.contains(spec.demand_scale) {
        let message = super::from_csv::scale_out_of_range(&show(spec.demand_scale));
        let e = InputError::new(Code::BadDemandScale, "", message);
        errors.push(locate(e.in_column(super::keys::DEMAND_SCALE)));
    }
    for (id, &p) in &spec.demand_patients {
        if !instance.demand.iter().any(|d| &d.id == id) {
            let message = format!("{} is not a demand id in demand.csv", quoted(id));
            errors.push(locate(InputError::new(
                Code::UnknownScenarioDemand,
                "",
                message,
            )));
        } else if !ranges::PATIENTS.contains(p) {
            let message = format!(
                "{} patients at {} is not a number of patients: expected a number in [0, {}]",
                show(p),
                quoted(id),
                show(ranges::MAX_PATIENTS)
            );
            errors.push(locate(InputError::new(
                Code::BadScenarioPatients,
                "",
                message,
            )));
        }
    }
    let scenario = match base.scenario_of(spec) {
        Ok(s) => Some(s),
        Err(e) => {
            errors.extend(e.0.into_iter().map(locate));
            None
        }
    };
    if let (Some(s), true) = (&scenario, errors.is_empty()) {
        errors.extend(check::demand(instance, s, spec).map(locate));
    }
    match scenario {
        Some(s) if errors.is_empty() => Ok((check::with_patients(instance, spec), s)),
        _ => Err(InputErrors(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{base, instance, shown};
    use super::super::{ScenarioSet, keys};
    use super::*;
    use crate::input::Override;

    fn with_demand(demand: &str) -> Result<ScenarioSet, InputErrors> {
        ScenarioSet::from_csv(
            "s.csv",
            b"id,demand.scale\nlow,0.5\nhigh,2\n",
            Some(demand.as_bytes()),
            &instance(),
            &base(),
        )
    }

    fn errors(demand: &str) -> Vec<String> {
        shown(&with_demand(demand).unwrap_err())
    }

    #[test]
    fn e812_a_scenario_or_demand_point_that_does_not_exist() {
        assert_eq!(
            errors("scenario,demand,patients\nmid,D1,5\nhigh,D9,5\n"),
            [
                "E812 scenario_demand.csv:2: column scenario: \"mid\" is not a scenario id in s.csv",
                "E812 scenario_demand.csv:3: column demand: \"D9\" is not a demand id in demand.csv",
            ]
        );
    }

    #[test]
    fn e813_patients_that_are_not_a_number_in_range() {
        assert_eq!(
            errors("scenario,demand,patients\nlow,D1,-3\nlow,D2,many\nhigh,D1,2e7\n"),
            [
                "E813 scenario_demand.csv:2: column patients: \"-3\" is not a number of patients: expected a number in [0, 1e7]",
                "E813 scenario_demand.csv:3: column patients: \"many\" is not a number of patients: expected a number in [0, 1e7]",
                "E813 scenario_demand.csv:4: column patients: \"2e7\" is not a number of patients: expected a number in [0, 1e7]",
            ]
        );
        assert_eq!(
            errors("scenario,demand,patients\nlow,D1,\n"),
            ["E101 scenario_demand.csv:2: column patients: a number is required"]
        );
    }

    #[test]
    fn e814_a_pair_given_twice() {
        assert_eq!(
            errors("scenario,demand,patients\nlow,D1,3\nhigh,D1,4\nlow,D1,5\n"),
            [
                "E814 scenario_demand.csv:4: column demand: scenario \"low\" gives demand point \"D1\" again; it was first given on line 2"
            ]
        );
    }

    #[test]
    fn the_file_is_checked_as_the_instance_files_are() {
        assert_eq!(
            errors(""),
            [
                "E003 scenario_demand.csv: the file is empty; expected a header row with columns scenario, demand, patients"
            ]
        );
        // a header alone changes nothing
        assert!(with_demand("scenario,demand,patients\n").is_ok());
    }

    #[test]
    fn materialize_scales_overrides_and_lets_the_scenario_win() {
        let cli = [Override::parse("batch.cost_owned=1").unwrap()];
        let base = BaseModel {
            cli: &cli,
            ..base()
        };
        let mut spec = ScenarioSpec::unchanged("high", 0.5);
        spec.demand_scale = 1.5;
        spec.demand_patients.insert("D2".into(), 7.0);
        spec.overrides
            .push(Override::parse("batch.cost_owned=2").unwrap());
        let (i, s) = materialize(&instance(), &base, &spec).unwrap();
        let patients: Vec<f64> = i.demand.iter().map(|d| d.patients).collect();
        assert_eq!(patients, [15.0, 7.0, 1500.0]);
        assert_eq!(s.batch.cost_owned, 2.0);
        assert_eq!(s.batch.failure_rate, 0.07);
        // the rest of the instance is the base's
        let base_instance = instance();
        assert_eq!(i.hospitals, base_instance.hospitals);
        assert_eq!(i.sites, base_instance.sites);
        assert_eq!(keys::value(&s, "batch.cost_owned"), Some(2.0));
    }

    #[test]
    fn materialize_refuses_a_spec_made_by_hand_that_does_not_hold() {
        let mut spec = ScenarioSpec::unchanged("x", 1.0);
        spec.demand_scale = -1.0;
        spec.demand_patients.insert("D9".into(), 1.0);
        spec.overrides
            .push(Override::parse("batch.failure_rate=3").unwrap());
        let e = materialize(&instance(), &base(), &spec).unwrap_err();
        assert_eq!(
            shown(&e),
            [
                "E807 scenario \"x\": column demand.scale: -1 is out of range: demand.scale multiplies every demand point's patients: expected a number > 0",
                "E812 scenario \"x\": \"D9\" is not a demand id in demand.csv",
                "E305 scenario \"x\": column batch.failure_rate: 3 is out of range: expected a number in [0, 0.9]",
            ]
        );
    }
}
