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
