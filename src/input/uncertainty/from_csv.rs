//! `--scenarios FILE.csv`: one row per scenario, `id,probability,<key>,...`. The probability
//! column is optional (without it the scenarios are equally likely); every other column is a
//! scenario key that takes a number (as `--set` takes it) or `demand.scale`; a blank cell is
//! the base value. With it, the data folder's optional `scenario_demand.csv`.

use super::keys::{self, DEMAND_SCALE, DEMAND_SCALE_RANGE, Kind};
use super::{BaseModel, ScenarioSet, ScenarioSpec, check, demand, sample, table};
use crate::input::error::{Code, InputError, InputErrors, quoted};
use crate::input::{Instance, Override};
use std::collections::HashMap;
use std::path::Path;

/// The probabilities must sum to 1 within this.
pub const PROBABILITY_TOLERANCE: f64 = 1e-9;

const EMPTY: &str = "the file is empty; expected a header row (id, probability, then one column \
                     per scenario key, e.g. demand.scale) and one row per scenario";
const NO_ROWS: &str = "the file has a header but no scenarios; add one row per scenario";

/// A column of the scenarios file.
#[derive(Debug, Clone, PartialEq)]
enum Col {
    Id,
    Probability,
    Key(String, Kind),
}

/// A scenario as its row gives it, before the checks that need the others.
struct Row {
    line: u64,
    spec: ScenarioSpec,
    /// Every cell read without error.
    ok: bool,
}

impl ScenarioSet {
    /// Reads `--scenarios FILE` and, when `data` is a folder holding one, its
    /// `scenario_demand.csv`; checks every scenario against the base model and the instance.
    /// The risk blend is the model's `[uncertainty]` one, if any.
    pub fn load_csv(
        path: &Path,
        data: Option<&Path>,
        instance: &Instance,
        base: &BaseModel,
    ) -> Result<ScenarioSet, InputErrors> {
        let file = path.display().to_string();
        let read = |p: &Path, name: &str| {
            std::fs::read(p).map_err(|e| {
                InputError::new(
                    Code::FileUnreadable,
                    name,
                    format!("cannot read {}: {e}", p.display()),
                )
            })
        };
        let bytes = read(path, &file)?;
        let demand_path = data.map(|d| d.join(demand::FILE)).filter(|p| p.is_file());
        let demand_bytes = match &demand_path {
            Some(p) => Some(read(p, demand::FILE)?),
            None => None,
        };
        ScenarioSet::from_csv(&file, &bytes, demand_bytes.as_deref(), instance, base)
    }

    /// Reads a scenarios file's bytes (`file` names it in messages) and, when given, those of
    /// `scenario_demand.csv` (see [`ScenarioSet::load_csv`]).
    pub fn from_csv(
        file: &str,
        bytes: &[u8],
        scenario_demand: Option<&[u8]>,
        instance: &Instance,
        base: &BaseModel,
    ) -> Result<ScenarioSet, InputErrors> {
        base.scenario()?;
        let mut errors = Vec::new();
        let risk = sample::risk_from_model_toml(base.text, base.file).unwrap_or_else(|e| {
            errors.extend(e.0);
            None
        });
        let Some(t) = table::read(file, bytes, EMPTY, &mut errors) else {
            return Err(InputErrors(errors));
        };
        let Some(cols) = header(file, &t.header, &mut errors) else {
            return Err(InputErrors(errors));
        };
        let mut rows: Vec<Row> = t
            .rows
            .iter()
            .map(|(line, cells)| row(file, *line, &cols, cells, &mut errors))
            .collect();
        if rows.is_empty() && errors.iter().all(|e| e.code != Code::MalformedRow) {
            errors.push(InputError::new(Code::NoScenarios, file, NO_ROWS));
        }
        unique_ids(file, &rows, &mut errors);
        if !cols.contains(&Col::Probability) {
            let n = rows.len() as f64;
            rows.iter_mut().for_each(|r| r.spec.probability = 1.0 / n);
        } else if rows.iter().all(|r| r.ok) {
            check_sum(file, &rows, &mut errors);
        }
        let demand_ok = match scenario_demand {
            Some(bytes) => {
                let mut specs: Vec<&mut ScenarioSpec> =
                    rows.iter_mut().map(|r| &mut r.spec).collect();
                demand::read(bytes, file, &mut specs, instance, &mut errors)
            }
            None => true,
        };
        for r in rows.iter().filter(|r| r.ok) {
            let instance = demand_ok.then_some(instance);
            for mut e in check::spec(base, &r.spec, instance) {
                e.file = file.to_string();
                e.line = Some(r.line);
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            return Err(InputErrors(errors));
        }
        Ok(ScenarioSet {
            scenarios: rows.into_iter().map(|r| r.spec).collect(),
            origin: file.to_string(),
            risk,
        })
    }
}

/// The columns; `None` (errors recorded) when the header is wrong.
fn header(file: &str, header: &[String], errors: &mut Vec<InputError>) -> Option<Vec<Col>> {
    let before = errors.len();
    let valid = keys::scenario_keys();
    let mut cols = Vec::new();
    let at_header = |code, message: String| InputError::new(code, file, message).at_line(1);
    for name in header {
        let lower = name.trim().to_ascii_lowercase();
        let col = match lower.as_str() {
            "id" => Col::Id,
            "probability" => Col::Probability,
            key => match keys::lookup(&valid, key) {
                Ok(kind) => Col::Key(key.to_string(), kind),
                Err(why) => {
                    errors.push(at_header(Code::UnknownScenarioKey, why).in_column(name));
                    continue;
                }
            },
        };
        if cols.contains(&col) {
            let message = format!("the header names column {} twice", quoted(name));
            errors.push(at_header(Code::DuplicateColumn, message));
        }
        cols.push(col);
    }
    if !cols.contains(&Col::Id) {
        let message = "required column \"id\" is missing; required columns are id".to_string();
        errors.push(at_header(Code::MissingColumn, message));
    }
    (errors.len() == before).then_some(cols)
}

/// One row's scenario; its cell errors recorded.
fn row(file: &str, line: u64, cols: &[Col], cells: &[String], errors: &mut Vec<InputError>) -> Row {
    let mut spec = ScenarioSpec::unchanged("", 0.0);
    let before = errors.len();
    let mut error = |code, column: &str, message: String| {
        errors.push(
            InputError::new(code, file, message)
                .at_line(line)
                .in_column(column),
        );
    };
    for (col, raw) in cols.iter().zip(cells) {
        match col {
            Col::Id if raw.is_empty() => {
                error(Code::ScenarioId, "id", "a scenario id is required".into());
            }
            Col::Id => spec.id = raw.clone(),
            Col::Probability => match raw.parse::<f64>() {
                Ok(p) if p.is_finite() && p >= 0.0 => spec.probability = p,
                _ if raw.is_empty() => error(
                    Code::BadProbability,
                    "probability",
                    "a probability is required (without the column the scenarios are equally \
                     likely)"
                        .into(),
                ),
                _ => error(
                    Code::BadProbability,
                    "probability",
                    format!(
                        "{} is not a probability: expected a number >= 0",
                        quoted(raw)
                    ),
                ),
            },
            Col::Key(_, _) if raw.is_empty() => {}
            Col::Key(key, kind) => match raw.parse::<f64>() {
                Ok(v) if !v.is_finite() => error(
                    Code::ScenarioNotANumber,
                    key,
                    format!(
                        "{} is not a finite number (NaN and infinity are not allowed)",
                        quoted(raw)
                    ),
                ),
                Ok(v) if key == DEMAND_SCALE && !DEMAND_SCALE_RANGE.contains(v) => {
                    error(Code::BadDemandScale, key, scale_out_of_range(&quoted(raw)));
                }
                Ok(v) if key == DEMAND_SCALE => spec.demand_scale = v,
                Ok(v) => spec.overrides.push(Override {
                    key: key.clone(),
                    value: number(v, *kind),
                }),
                Err(_) => error(
                    Code::ScenarioNotANumber,
                    key,
                    format!("{} is not a number", quoted(raw)),
                ),
            },
        }
    }
    let ok = errors.len() == before;
    Row { line, spec, ok }
}

/// E807's message for a demand.scale that is not above 0 (`shown`: the value as messages show it).
pub fn scale_out_of_range(shown: &str) -> String {
    format!(
        "{shown} is out of range: demand.scale multiplies every demand point's patients: \
         expected a number > 0"
    )
}

/// A number as the scenario takes it: a whole-number key's whole value as a TOML integer (any
/// other value is left for the scenario's type check, E304).
pub fn number(v: f64, kind: Kind) -> toml::Value {
    if kind == Kind::Whole && v.fract() == 0.0 && v.abs() < 9e15 {
        toml::Value::Integer(v as i64)
    } else {
        toml::Value::Float(v)
    }
}

/// E805 for an id given twice.
fn unique_ids(file: &str, rows: &[Row], errors: &mut Vec<InputError>) {
    let mut first: HashMap<&str, u64> = HashMap::new();
    for r in rows.iter().filter(|r| !r.spec.id.is_empty()) {
        match first.get(r.spec.id.as_str()) {
            Some(line) => errors.push(
                InputError::new(
                    Code::ScenarioId,
                    file,
                    format!(
                        "id {} is used again; it was first defined on line {line}",
                        quoted(&r.spec.id)
                    ),
                )
                .at_line(r.line)
                .in_column("id"),
            ),
            None => {
                first.insert(&r.spec.id, r.line);
            }
        }
    }
}

/// E802 when the probabilities do not sum to 1.
fn check_sum(file: &str, rows: &[Row], errors: &mut Vec<InputError>) {
    let sum: f64 = rows.iter().map(|r| r.spec.probability).sum();
    if rows.is_empty() || (sum - 1.0).abs() <= PROBABILITY_TOLERANCE {
        return;
    }
    errors.push(
        InputError::new(
            Code::ProbabilitySum,
            file,
            format!(
                "the probabilities sum to {}; they must sum to 1 (within 1e-9): correct them, \
                 or leave the column out for equally likely scenarios",
                crate::input::ranges::show(sum)
            ),
        )
        .in_column("probability"),
    );
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{base, instance, shown};
    use super::*;

    fn read(text: &str) -> Result<ScenarioSet, InputErrors> {
        ScenarioSet::from_csv("s.csv", text.as_bytes(), None, &instance(), &base())
    }

    fn errors(text: &str) -> Vec<String> {
        shown(&read(text).unwrap_err())
    }

    fn one(text: &str) -> String {
        let e = errors(text);
        assert_eq!(e.len(), 1, "{e:#?}");
        e[0].clone()
    }

    fn o(key: &str, value: toml::Value) -> Override {
        Override {
            key: key.to_string(),
            value,
        }
    }

    #[test]
    fn reads_a_small_file() {
        let set = read(
            "id,probability,demand.scale,batch.cost_owned,site.max_platforms,kinds.central.time.release_days\n\
             low,0.25,0.8,,2,\n\
             mid,0.5,,130000,,\n\
             high,0.25,1.3,1.5e5,4,12.5\n",
        )
        .unwrap();
        assert_eq!(set.origin, "s.csv");
        assert_eq!(set.risk, None);
        let [low, mid, high] = &set.scenarios[..] else {
            panic!("{set:?}")
        };
        assert_eq!(
            (low.id.as_str(), low.probability, low.demand_scale),
            ("low", 0.25, 0.8)
        );
        assert_eq!(
            low.overrides,
            [o("site.max_platforms", toml::Value::Integer(2))]
        );
        assert_eq!((mid.probability, mid.demand_scale), (0.5, 1.0));
        assert_eq!(
            mid.overrides,
            [o("batch.cost_owned", toml::Value::Float(130000.0))]
        );
        assert_eq!(
            high.overrides,
            [
                o("batch.cost_owned", toml::Value::Float(150000.0)),
                o("site.max_platforms", toml::Value::Integer(4)),
                o("kinds.central.time.release_days", toml::Value::Float(12.5)),
            ]
        );
        assert!(set.scenarios.iter().all(|s| s.demand_patients.is_empty()));
    }

    #[test]
    fn without_a_probability_column_the_scenarios_are_equally_likely() {
        let set = read("ID, Demand.Scale\na,1\nb,2\nc,3\n").unwrap();
        assert!(set.scenarios.iter().all(|s| s.probability == 1.0 / 3.0));
        assert_eq!(set.scenarios[2].demand_scale, 3.0);
    }

    #[test]
    fn scenario_demand_gives_absolute_patients() {
        let set = ScenarioSet::from_csv(
            "s.csv",
            b"id,demand.scale\na,2\nb,\n",
            Some(b"scenario,demand,patients\na,D1,15\nb,D2,0\n"),
            &instance(),
            &base(),
        )
        .unwrap();
        let a = &set.scenarios[0];
        assert_eq!(a.demand_patients.get("D1"), Some(&15.0));
        let i = instance();
        assert_eq!(a.patients(&i.demand[0]), 15.0); // not scaled
        assert_eq!(a.patients(&i.demand[1]), 40.0);
        assert_eq!(set.scenarios[1].patients(&i.demand[1]), 0.0);
    }

    #[test]
    fn the_risk_blend_comes_from_the_model() {
        let model = "[uncertainty]\ncvar_alpha = 0.9\nrisk_weight = 0.5\n";
        let base = BaseModel {
            text: model,
            file: "m.toml",
            cli: &[],
        };
        let set = ScenarioSet::from_csv("s.csv", b"id\na\n", None, &instance(), &base).unwrap();
        let risk = set.risk.unwrap();
        assert_eq!((risk.cvar_alpha, risk.risk_weight), (0.9, 0.5));
    }

    #[test]
    fn e801_a_probability_that_is_not_a_number_above_0() {
        assert_eq!(
            one("id,probability\na,-0.25\nb,1.25\n"),
            "E801 s.csv:2: column probability: \"-0.25\" is not a probability: expected a number >= 0"
        );
        assert_eq!(
            one("id,probability\na,half\nb,0.5\n"),
            "E801 s.csv:2: column probability: \"half\" is not a probability: expected a number >= 0"
        );
        assert_eq!(
            one("id,probability\na,NaN\nb,0.5\n"),
            "E801 s.csv:2: column probability: \"NaN\" is not a probability: expected a number >= 0"
        );
        assert_eq!(
            one("id,probability\na,\nb,1\n"),
            "E801 s.csv:2: column probability: a probability is required (without the column the \
             scenarios are equally likely)"
        );
    }

    #[test]
    fn e802_probabilities_that_do_not_sum_to_1() {
        assert_eq!(
            one("id,probability\na,0.5\nb,0.4\n"),
            "E802 s.csv: column probability: the probabilities sum to 0.9; they must sum to 1 \
             (within 1e-9): correct them, or leave the column out for equally likely scenarios"
        );
        // within the tolerance
        assert!(read("id,probability\na,0.3333333333\nb,0.3333333333\nc,0.3333333334\n").is_ok());
    }

    #[test]
    fn e803_a_column_that_is_no_scenario_key() {
        let e = one("id,demand.scal\na,1\n");
        assert!(
            e.starts_with(
                "E803 s.csv:1: column demand.scal: unknown scenario key (did you mean \
                 demand.scale?); valid keys are demand.scale, batch.cost_franchise, "
            ),
            "{e}"
        );
        assert!(e.ends_with(
            "and kinds.<colocated|regional|central>.<key> for any site.*, platform.*, batch.* \
             or time.* key"
        ));
        let e = one("id,policy.single_sourcing\na,true\n");
        assert!(
            e.starts_with(
                "E803 s.csv:1: column policy.single_sourcing: policy.single_sourcing takes true \
                 or false, not a number; a scenario varies keys that take a number: demand.scale, "
            ),
            "{e}"
        );
        assert!(
            one("id,horizon.setup\na,upfront\n")
                .contains("horizon.setup takes a word, not a number")
        );
    }

    #[test]
    fn e804_a_value_that_is_not_a_number() {
        assert_eq!(
            one("id,batch.cost_owned\na,12k\n"),
            "E804 s.csv:2: column batch.cost_owned: \"12k\" is not a number"
        );
        assert_eq!(
            one("id,batch.cost_owned\na,inf\n"),
            "E804 s.csv:2: column batch.cost_owned: \"inf\" is not a finite number (NaN and \
             infinity are not allowed)"
        );
    }

    #[test]
    fn e805_a_scenario_id_missing_or_used_twice() {
        assert_eq!(
            one("id,demand.scale\na,1\nb,2\na,3\n"),
            "E805 s.csv:4: column id: id \"a\" is used again; it was first defined on line 2"
        );
        assert_eq!(
            one("id,demand.scale\n,1\n"),
            "E805 s.csv:2: column id: a scenario id is required"
        );
    }

    #[test]
    fn e806_a_file_without_scenarios() {
        assert_eq!(
            one(""),
            "E806 s.csv: the file is empty; expected a header row (id, probability, then one \
             column per scenario key, e.g. demand.scale) and one row per scenario"
        );
        assert_eq!(
            one("id,probability,demand.scale\n\n"),
            "E806 s.csv: the file has a header but no scenarios; add one row per scenario"
        );
    }

    #[test]
    fn e807_a_demand_scale_not_above_0_or_too_large() {
        assert_eq!(
            one("id,demand.scale\na,0\n"),
            "E807 s.csv:2: column demand.scale: \"0\" is out of range: demand.scale multiplies \
             every demand point's patients: expected a number > 0"
        );
        assert_eq!(
            one("id,demand.scale\na,1\nb,2e4\n"),
            "E807 s.csv:3: column demand.scale: demand.scale 20000 gives demand point \"D3\" \
             2.000e7 patients a year (1000 times 20000): expected at most 1e7 a year"
        );
        // a point scenario_demand.csv gives is not scaled
        let ok = ScenarioSet::from_csv(
            "s.csv",
            b"id,demand.scale\nb,2e4\n",
            Some(b"scenario,demand,patients\nb,D3,1000\n"),
            &instance(),
            &base(),
        );
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn demand_that_grows_past_the_range_is_located_at_the_row() {
        assert_eq!(
            one("id,horizon.years,horizon.growth\na,,\nb,50,1\n"),
            "E105 s.csv:3: with this scenario's demand and horizon, demand point \"D1\" grows to \
             5.63e15 patients a year by year 50 (10 patients, growth 1 a year): expected at most \
             1e7 a year in every year; lower the growth or horizon.years (2 more demand points \
             grow past it too)"
        );
    }

    #[test]
    fn values_are_checked_as_the_scenario_checks_them_at_their_row_and_column() {
        assert_eq!(
            one("id,batch.failure_rate\na,0.5\nb,0.95\n"),
            "E305 s.csv:3: column batch.failure_rate: 0.95 is out of range: expected a number in \
             [0, 0.9]"
        );
        assert_eq!(
            one("id,site.max_platforms\na,2.5\n"),
            "E304 s.csv:2: column site.max_platforms: 2.5 is a number; expected a whole number"
        );
        assert_eq!(
            one("id,policy.min_sites,policy.max_sites\na,5,2\n"),
            "E305 s.csv:2: policy.min_sites (5) is greater than policy.max_sites (2)"
        );
        // the command line's --set is under the row's values: the row wins, and is checked
        let cli = [Override::parse("policy.max_sites=2").unwrap()];
        let base = BaseModel {
            cli: &cli,
            ..base()
        };
        let e = ScenarioSet::from_csv(
            "s.csv",
            b"id,policy.min_sites\na,1\nb,3\n",
            None,
            &instance(),
            &base,
        )
        .unwrap_err();
        assert_eq!(
            shown(&e),
            ["E305 s.csv:3: policy.min_sites (3) is greater than policy.max_sites (2)"]
        );
    }

    #[test]
    fn a_base_model_with_errors_gives_those_errors() {
        let cli = [Override::parse("batch.failure_rate=2").unwrap()];
        let base = BaseModel {
            cli: &cli,
            ..base()
        };
        let e = ScenarioSet::from_csv("s.csv", b"id\na\n", None, &instance(), &base).unwrap_err();
        assert_eq!(
            shown(&e),
            [
                "E305 --set: column batch.failure_rate: 2 is out of range: expected a number in [0, 0.9]"
            ]
        );
    }

    #[test]
    fn header_problems_are_those_of_the_instance_files() {
        assert_eq!(
            one("probability,demand.scale\n1,1\n"),
            "E004 s.csv:1: required column \"id\" is missing; required columns are id"
        );
        assert_eq!(
            one("id,demand.scale,Demand.Scale\na,1,1\n"),
            "E006 s.csv:1: the header names column \"Demand.Scale\" twice"
        );
    }

    #[test]
    fn load_csv_reads_the_file_and_the_data_folders_scenario_demand() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.csv");
        std::fs::write(&file, "id,demand.scale\na,2\n").unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let load = |data: &Path| ScenarioSet::load_csv(&file, Some(data), &instance(), &base());
        assert!(load(&data).unwrap().scenarios[0].demand_patients.is_empty());
        std::fs::write(
            data.join("scenario_demand.csv"),
            "scenario,demand,patients\na,D2,3\n",
        )
        .unwrap();
        let set = load(&data).unwrap();
        assert_eq!(set.scenarios[0].demand_patients.get("D2"), Some(&3.0));
        assert_eq!(set.origin, file.display().to_string());
        let missing = dir.path().join("none.csv");
        let e = ScenarioSet::load_csv(&missing, None, &instance(), &base()).unwrap_err();
        let shown = shown(&e);
        assert!(
            shown[0].starts_with(&format!("E001 {0}: cannot read {0}: ", missing.display())),
            "{shown:?}"
        );
    }

    #[test]
    fn every_error_is_collected_before_reporting() {
        let e = errors(
            "id,probability,demand.scale,batch.cost_owned\n\
             a,-1,0,x\n\
             a,0.5,2,\n",
        );
        let codes: Vec<&str> = e.iter().map(|e| &e[..4]).collect();
        assert_eq!(codes, ["E801", "E807", "E804", "E805"], "{e:#?}");
    }
}
