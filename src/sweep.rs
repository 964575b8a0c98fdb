//! What-if sweeps (DESIGN §6): a grid of scenarios, each the base scenario with some keys set to
//! one of several values, solved in parallel and compared.
//!
//! - [`Axis`]: one varied key and its values, from `--vary KEY=FROM..TO/STEPS`, `--vary KEY=A,B,C`
//!   ([`Axis::parse`]) or a sweep file ([`SweepFile::load`]). The pseudo-key `model` varies the
//!   scenario file itself (`model=models/baseline.toml,models/centralized.toml`).
//! - [`prepare`]: every grid point's [`Scenario`], parsed by the scenario parser itself with the
//!   varied values as overrides, so a varied key or value gets exactly the error `--set` would
//!   give (E303 with did-you-mean and the valid keys, E304, E305), all before anything is solved.
//! - [`run`]: solves the points on a pool of `jobs` worker threads. Each HiGHS model is built and
//!   solved inside its worker (the model is not `Send`). Points whose arcs would be the same (same
//!   transport and time parameters) share one [`Network`], built once; a point whose cost terms
//!   differ gets a copy with its own per-site terms, so no arc is recomputed.
//! - [`render_csv`], [`render_svg`], [`render_table`]: the outputs, in grid order whatever the
//!   finishing order.
//!
//! Grid order is row-major: the first axis is the outermost loop, the last varies fastest.

use crate::export::csv::safe_text;
use crate::export::summary::{PENALTY_IN, PENALTY_OUT};
use crate::input::error::{Code, InputError, InputErrors, did_you_mean, utf8};
use crate::input::scenario::valid_keys;
use crate::input::scenario::{leaves, parse_value};
use crate::input::{Instance, ModelSource, Override, Scenario, SiteKind, SiteTerms};
use crate::network::Network;
use crate::plan::{Kpis, Plan, Provenance};
use crate::solve::{SolveOptions, Status};
use crate::text::{percent, printable, usd};
use crate::{Outcome, optimize_with_values};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// The pseudo-key that varies the scenario file.
pub const MODEL_KEY: &str = "model";
/// The largest grid accepted (a typo such as `/1000` for `/10` on three axes is caught).
pub const MAX_POINTS: usize = 100_000;

// ---------------------------------------------------------------------------------------------
// Axes

/// One value of a varied key.
#[derive(Debug, Clone, PartialEq)]
pub enum Level {
    /// A value for a scenario key, as `--set` would read it.
    Value(toml::Value),
    /// A scenario file (the `model` pseudo-key).
    Model(PathBuf),
}

impl Level {
    /// The value as written in sweep.csv: numbers in their shortest form, paths as given.
    pub fn label(&self) -> String {
        match self {
            Level::Value(toml::Value::Float(f)) => f.to_string(),
            Level::Value(toml::Value::String(s)) => s.clone(),
            Level::Value(v) => v.to_string(),
            Level::Model(p) => p.display().to_string(),
        }
    }

    /// A short label for charts and folder names: a scenario file's stem.
    pub fn short(&self) -> String {
        match self {
            Level::Model(p) => p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| self.label()),
            _ => self.label(),
        }
    }

    /// The value as a number, if it is one.
    pub fn number(&self) -> Option<f64> {
        match self {
            Level::Value(toml::Value::Integer(i)) => Some(*i as f64),
            Level::Value(toml::Value::Float(f)) => Some(*f),
            _ => None,
        }
    }
}

/// Where an axis or a fixed override was given, for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// `--vary`, `--set` or the sweep file's path.
    pub file: String,
    pub line: Option<u64>,
}

impl Source {
    pub fn flag(name: &str) -> Source {
        Source {
            file: name.to_string(),
            line: None,
        }
    }
}

/// A varied key and its values, in the order they are swept.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub key: String,
    pub levels: Vec<Level>,
    pub source: Source,
}

fn bad_spec(source: &Source, message: String) -> InputError {
    let e = InputError::new(Code::BadOverride, &source.file, message);
    match source.line {
        Some(l) => e.at_line(l),
        None => e,
    }
}

/// A number as a user writes it: `1.5e6`, `2250000`, `2_250_000`.
fn parse_number(s: &str) -> Option<f64> {
    s.trim()
        .replace('_', "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// Rounds away binary noise (0.1 + 0.2) to 12 significant digits.
fn tidy(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { 0.0 } else { v };
    }
    format!("{v:.11e}").parse().unwrap_or(v)
}

/// `steps` evenly spaced values from `from` to `to`, both included. A whole-number key gets whole
/// numbers where the values are whole; any other value is left for the scenario's type check to
/// reject with its usual message (E304).
pub fn range_levels(key: &str, from: f64, to: f64, steps: usize) -> Vec<Level> {
    let whole = valid_keys().iter().any(|(k, v)| k == key && v.is_integer());
    (0..steps)
        .map(|i| {
            let v = if i + 1 == steps {
                to
            } else {
                tidy(from + (to - from) * i as f64 / (steps - 1) as f64)
            };
            let value = if whole && v.fract() == 0.0 && v.abs() < 9e15 {
                toml::Value::Integer(v as i64)
            } else {
                toml::Value::Float(v)
            };
            Level::Value(value)
        })
        .collect()
}

impl Axis {
    /// Parses a `--vary` argument: `KEY=FROM..TO/STEPS` (STEPS evenly spaced points, both ends
    /// included) or `KEY=A,B,C`. The key and the values are checked later, by [`prepare`].
    pub fn parse(arg: &str) -> Result<Axis, InputError> {
        let source = Source::flag("--vary");
        match arg
            .split_once('=')
            .map(|(k, v)| (k.trim(), v.trim()))
            .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        {
            Some((key, spec)) => Axis::from_spec(key, spec, source),
            None => Err(bad_spec(
                &source,
                format!(
                    "\"{arg}\" is not of the form KEY=FROM..TO/STEPS or KEY=A,B,C \
                     (e.g. site.setup_cost_owned=1.5e6..3e6/7, or model=models/baseline.toml,models/centralized.toml)"
                ),
            )),
        }
    }

    /// Parses the part after `KEY=`.
    pub fn from_spec(key: &str, spec: &str, source: Source) -> Result<Axis, InputError> {
        let levels = if key != MODEL_KEY && spec.contains("..") {
            let (from, rest) = spec.split_once("..").expect("contains ..");
            let Some((to, steps)) = rest.split_once('/') else {
                return Err(bad_spec(
                    &source,
                    format!(
                        "\"{key}={spec}\": a range needs its number of points, FROM..TO/STEPS \
                         (e.g. {key}={spec}/7 for 7 points, both ends included)"
                    ),
                ));
            };
            let num = |s: &str, what: &str| {
                parse_number(s).ok_or_else(|| {
                    bad_spec(
                        &source,
                        format!("\"{key}={spec}\": {what} \"{}\" is not a number", s.trim()),
                    )
                })
            };
            let (from, to) = (num(from, "FROM")?, num(to, "TO")?);
            let steps = steps
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 2)
                .ok_or_else(|| {
                    bad_spec(
                        &source,
                        format!(
                            "\"{key}={spec}\": STEPS \"{}\" is not a whole number >= 2 \
                             (the number of points, both ends included)",
                            steps.trim()
                        ),
                    )
                })?;
            if steps > MAX_POINTS {
                return Err(bad_spec(
                    &source,
                    format!("\"{key}={spec}\": {steps} points is more than {MAX_POINTS}"),
                ));
            }
            range_levels(key, from, to, steps)
        } else {
            let items: Vec<&str> = spec.split(',').map(str::trim).collect();
            if items.iter().any(|i| i.is_empty()) {
                return Err(bad_spec(
                    &source,
                    format!("\"{key}={spec}\": the list has an empty value"),
                ));
            }
            items
                .into_iter()
                .map(|i| {
                    if key == MODEL_KEY {
                        Ok(Level::Model(PathBuf::from(i)))
                    } else {
                        parse_value(i)
                            .map(Level::Value)
                            .map_err(|why| bad_spec(&source, format!("\"{key}={spec}\": {why}")))
                    }
                })
                .collect::<Result<_, _>>()?
        };
        Ok(Axis {
            key: key.to_string(),
            levels,
            source,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Sweep files (models/sweeps/*.toml)

/// The fields a sweep file may have.
pub const SWEEP_FIELDS: [&str; 8] = [
    "title",
    "data",
    "model",
    "out",
    "gap",
    "time_limit",
    "set",
    "vary",
];

/// A named, reproducible sweep:
///
/// ```toml
/// title = "Owned-site setup cost, $1.5M to $3M"
/// data = "data/demo"                 # optional; paths are relative to the current folder
/// model = "models/baseline.toml"     # optional
/// out = "out/sweep-setup-cost"       # optional
/// gap = 1e-6                         # optional, per scenario
/// time_limit = 60                    # optional, seconds per scenario
///
/// [set]                              # optional fixed overrides, as --set
/// policy.max_sites = 12
///
/// [[vary]]                           # one table per axis, outermost first
/// key = "site.setup_cost_owned"
/// from = 1.5e6
/// to = 3e6
/// steps = 7                          # points, both ends included
///
/// [[vary]]
/// key = "model"
/// values = ["models/baseline.toml", "models/centralized.toml"]
/// ```
///
/// `vary` may also be a list of `--vary` strings: `vary = ["site.setup_cost_owned=1.5e6..3e6/7"]`.
/// Command-line options override the file's; `--vary` axes come after the file's, `--set` after
/// its `[set]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepFile {
    pub path: PathBuf,
    pub title: Option<String>,
    pub data: Option<PathBuf>,
    pub model: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub gap: Option<f64>,
    pub time_limit: Option<f64>,
    pub set: Vec<(Override, Source)>,
    pub axes: Vec<Axis>,
}

/// The first line (1-based) of `text` that contains `needle`.
fn line_with(text: &str, needle: &str) -> Option<u64> {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
}

impl SweepFile {
    /// Reads a sweep file, collecting every problem.
    pub fn load(path: &Path) -> Result<SweepFile, InputErrors> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            InputError::new(
                Code::ScenarioUnreadable,
                &file,
                format!("cannot read the sweep file: {e}"),
            )
        })?;
        let mut sweep = SweepFile::parse(&text, &file)?;
        sweep.path = path.to_path_buf();
        Ok(sweep)
    }

    /// Parses sweep-file text (see [`SweepFile`]); `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<SweepFile, InputErrors> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let mut err = InputError::new(Code::ScenarioSyntax, file, e.message().to_string());
            if let Some(span) = e.span() {
                err = err.at_line(1 + text[..span.start].matches('\n').count() as u64);
            }
            err
        })?;
        let mut errors = Vec::new();
        let mut sweep = SweepFile {
            path: PathBuf::from(file),
            ..SweepFile::default()
        };
        let at = |field: &str| Source {
            file: file.to_string(),
            line: line_with(text, &format!("{field} ="))
                .or_else(|| line_with(text, &format!("{field}="))),
        };
        let err = |code: Code, field: &str, message: String| {
            let s = at(field);
            let e = InputError::new(code, file, message).in_column(field);
            match s.line {
                Some(l) => e.at_line(l),
                None => e,
            }
        };
        let wrong = |field: &str, v: &toml::Value, expected: &str| {
            err(
                Code::WrongType,
                field,
                format!("{v} is {}; expected {expected}", v.type_str()),
            )
        };
        for (field, v) in &table {
            match field.as_str() {
                "title" | "data" | "model" | "out" => match v.as_str() {
                    Some(s) => {
                        let s = s.to_string();
                        match field.as_str() {
                            "title" => sweep.title = Some(s),
                            "data" => sweep.data = Some(s.into()),
                            "model" => sweep.model = Some(s.into()),
                            _ => sweep.out = Some(s.into()),
                        }
                    }
                    None => errors.push(wrong(field, v, "text in double quotes")),
                },
                "gap" | "time_limit" => {
                    let n = v.as_float().or(v.as_integer().map(|i| i as f64));
                    let positive = field == "time_limit";
                    // a gap of 1 (100 %) or more accepts any plan: see `cartnet solve --gap`
                    let in_range = |n: f64| {
                        if positive {
                            n > 0.0
                        } else {
                            (0.0..1.0).contains(&n)
                        }
                    };
                    match n {
                        Some(n) if n.is_finite() && in_range(n) => {
                            if positive {
                                sweep.time_limit = Some(n);
                            } else {
                                sweep.gap = Some(n);
                            }
                        }
                        Some(n) => errors.push(err(
                            Code::BadValue,
                            field,
                            format!(
                                "{n} is out of range: expected {}",
                                if positive {
                                    "a number > 0"
                                } else {
                                    "a relative gap in [0, 1), e.g. 0.02 for 2 %"
                                }
                            ),
                        )),
                        None => errors.push(wrong(field, v, "a number")),
                    }
                }
                "set" => match v.as_table() {
                    Some(t) => {
                        let mut given = Vec::new();
                        leaves("", t, &mut given);
                        for (key, value) in given {
                            let leaf = key.rsplit('.').next().unwrap_or(&key).to_string();
                            let source = Source {
                                file: file.to_string(),
                                line: line_with(text, &key).or_else(|| at(&leaf).line),
                            };
                            sweep.set.push((Override { key, value }, source));
                        }
                    }
                    None => errors.push(wrong(
                        field,
                        v,
                        "a table of scenario keys ([set] with lines such as policy.max_sites = 6)",
                    )),
                },
                "vary" => match v.as_array() {
                    Some(entries) => {
                        for entry in entries {
                            match vary_entry(entry, text, file) {
                                Ok(axis) => sweep.axes.push(axis),
                                Err(e) => errors.push(e),
                            }
                        }
                    }
                    None => errors.push(wrong(
                        field,
                        v,
                        "[[vary]] tables (key = \"...\" with from, to and steps, or values)",
                    )),
                },
                other => {
                    let hint = did_you_mean(other, SWEEP_FIELDS)
                        .map(|k| format!(" (did you mean {k}?)"))
                        .unwrap_or_default();
                    errors.push(err(
                        Code::UnknownKey,
                        other,
                        format!(
                            "unknown field of a sweep file{hint}; the fields are {}",
                            SWEEP_FIELDS.join(", ")
                        ),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(sweep)
        } else {
            Err(InputErrors(errors))
        }
    }
}

/// One `[[vary]]` entry: a table, or a `--vary` string.
fn vary_entry(entry: &toml::Value, text: &str, file: &str) -> Result<Axis, InputError> {
    const FIELDS: &str = "key, and either from, to and steps, or values";
    let source_at = |line: Option<u64>| Source {
        file: file.to_string(),
        line,
    };
    if let Some(s) = entry.as_str() {
        let source = source_at(line_with(text, s));
        return match s.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
            Some((k, v)) if !k.is_empty() && !v.is_empty() => Axis::from_spec(k, v, source),
            _ => Err(bad_spec(
                &source,
                format!("\"{s}\" is not of the form KEY=FROM..TO/STEPS or KEY=A,B,C"),
            )),
        };
    }
    let Some(t) = entry.as_table() else {
        return Err(bad_spec(
            &source_at(line_with(text, "vary")),
            format!("a vary entry is {}; expected a table with {FIELDS}", entry),
        ));
    };
    let key = t.get("key").and_then(|k| k.as_str());
    let source = source_at(
        key.and_then(|k| line_with(text, &format!("\"{k}\"")))
            .or_else(|| line_with(text, "[[vary]]")),
    );
    let fail = |m: String| Err(bad_spec(&source, m));
    let Some(key) = key else {
        return fail(format!(
            "a [[vary]] entry has no key = \"...\"; it needs {FIELDS}"
        ));
    };
    if let Some(unknown) = t
        .keys()
        .find(|k| !["key", "from", "to", "steps", "values"].contains(&k.as_str()))
    {
        return fail(format!(
            "[[vary]] {key}: unknown field \"{unknown}\"; the fields are {FIELDS}"
        ));
    }
    let num = |name: &str| {
        t.get(name)
            .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
    };
    match (t.get("values"), t.get("from"), t.get("to"), t.get("steps")) {
        (Some(values), None, None, None) => {
            let Some(values) = values.as_array().filter(|a| !a.is_empty()) else {
                return fail(format!(
                    "[[vary]] {key}: values must be a non-empty list, e.g. values = [1.5e6, 2e6]"
                ));
            };
            let mut levels = Vec::new();
            for v in values {
                if key == MODEL_KEY {
                    match v.as_str() {
                        Some(p) => levels.push(Level::Model(PathBuf::from(p))),
                        None => {
                            return fail(format!(
                                "[[vary]] model: {v} is not a scenario file path in double quotes"
                            ));
                        }
                    }
                } else {
                    levels.push(Level::Value(v.clone()));
                }
            }
            Ok(Axis {
                key: key.to_string(),
                levels,
                source,
            })
        }
        (None, Some(_), Some(_), Some(steps)) if key != MODEL_KEY => {
            let (Some(from), Some(to)) = (num("from"), num("to")) else {
                return fail(format!("[[vary]] {key}: from and to must be numbers"));
            };
            match steps.as_integer() {
                Some(n) if (2..=MAX_POINTS as i64).contains(&n) => Ok(Axis {
                    key: key.to_string(),
                    levels: range_levels(key, from, to, n as usize),
                    source,
                }),
                _ => fail(format!(
                    "[[vary]] {key}: steps = {steps} is not a whole number from 2 to {MAX_POINTS} \
                     (the number of points, both ends included)"
                )),
            }
        }
        _ => fail(format!(
            "[[vary]] {key}: give either from, to and steps (a range of numbers) or values (a list){}",
            if key == MODEL_KEY {
                "; model takes values only"
            } else {
                ""
            }
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// The grid and its scenarios

/// The level indices of every grid point, row-major: the first axis outermost, the last fastest.
pub fn grid(sizes: &[usize]) -> Vec<Vec<usize>> {
    let total: usize = sizes.iter().product();
    (0..total)
        .map(|mut i| {
            let mut levels = vec![0; sizes.len()];
            for a in (0..sizes.len()).rev() {
                levels[a] = i % sizes[a];
                i /= sizes[a];
            }
            levels
        })
        .collect()
}

/// One scenario of the sweep, validated.
#[derive(Debug, Clone)]
pub struct Point {
    /// Position in grid order (0-based).
    pub index: usize,
    /// The level of each axis.
    pub levels: Vec<usize>,
    /// The scenario it starts from.
    pub model: ModelSource,
    pub scenario: Scenario,
}

/// Builds and validates every point's scenario: the model file (or the `model` axis's), then the
/// fixed overrides, then the point's varied values, through [`Scenario::parse`]. Every distinct
/// problem is reported once, attributed to where the key was given (`--vary`, `--set`, the
/// sweep file).
pub fn prepare(
    model: &ModelSource,
    sets: &[(Override, Source)],
    axes: &[Axis],
) -> Result<Vec<Point>, InputErrors> {
    let mut errors: Vec<InputError> = Vec::new();
    if axes.is_empty() {
        errors.push(bad_spec(
            &Source::flag("--vary"),
            "nothing to sweep: give --vary KEY=FROM..TO/STEPS or KEY=A,B,C (repeatable), \
             or --sweep FILE (e.g. models/sweeps/setup-cost.toml)"
                .to_string(),
        ));
    }
    let mut seen = HashSet::new();
    for a in axes {
        if !seen.insert(a.key.as_str()) {
            errors.push(bad_spec(
                &a.source,
                format!(
                    "{} is varied twice; give each key once (list every value in one --vary)",
                    a.key
                ),
            ));
        }
    }
    let sizes: Vec<usize> = axes.iter().map(|a| a.levels.len()).collect();
    let total = sizes
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .filter(|&n| n <= MAX_POINTS);
    if total.is_none() {
        errors.push(bad_spec(
            &Source::flag("--vary"),
            format!(
                "the grid has {} points, more than {MAX_POINTS}",
                sizes
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" x ")
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }

    // Where each key was given last (a varied key overrides a fixed one).
    let mut origin: HashMap<&str, (&Source, bool)> = HashMap::new();
    for (o, s) in sets {
        origin.insert(o.key.as_str(), (s, false));
    }
    for a in axes {
        origin.insert(a.key.as_str(), (&a.source, true));
    }
    let model_axis = axes.iter().position(|a| a.key == MODEL_KEY);
    let mut texts: HashMap<ModelSource, Option<String>> = HashMap::new();
    let mut reported = HashSet::new();
    let mut push = |e: InputError, errors: &mut Vec<InputError>| {
        if reported.insert(e.to_string()) {
            errors.push(e);
        }
    };
    let mut points = Vec::new();
    for (index, levels) in grid(&sizes).into_iter().enumerate() {
        let model = match model_axis {
            Some(a) => match &axes[a].levels[levels[a]] {
                Level::Model(p) => ModelSource::File(p.clone()),
                Level::Value(_) => model.clone(),
            },
            None => model.clone(),
        };
        let file = model.name();
        let text = texts.entry(model.clone()).or_insert_with(|| {
            let text = model
                .read()
                .and_then(|b| utf8(&file, &b, "UTF-8").map(str::to_string));
            text.map_err(|e| errors.push(e)).ok()
        });
        let Some(text) = text.as_deref() else {
            continue;
        };
        let mut overrides: Vec<Override> = sets.iter().map(|(o, _)| o.clone()).collect();
        for (a, axis) in axes.iter().enumerate() {
            if let Level::Value(v) = &axis.levels[levels[a]] {
                overrides.push(Override {
                    key: axis.key.clone(),
                    value: v.clone(),
                });
            }
        }
        match Scenario::parse(text, &file, &overrides) {
            Ok(scenario) => points.push(Point {
                index,
                levels,
                model,
                scenario,
            }),
            Err(e) => {
                for mut err in e.0 {
                    let given = err.column.as_deref().and_then(|k| origin.get(k)).copied();
                    if let (true, Some((source, varied))) = (err.file == "--set", given) {
                        err.file = source.file.clone();
                        err.line = source.line;
                        if varied && err.code == Code::UnknownKey {
                            err.message.push_str(
                                "; --vary also takes model=FILE,FILE,... to compare scenario files",
                            );
                        }
                    }
                    push(err, &mut errors);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(points)
    } else {
        Err(InputErrors(errors))
    }
}

// ---------------------------------------------------------------------------------------------
// Running

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStatus {
    Optimal,
    Feasible,
    Infeasible,
    NoSolution,
    /// The solver itself failed (not infeasibility).
    Error,
    /// Not started: the sweep was interrupted (Ctrl-C) first.
    NotRun,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Optimal => "optimal",
            RowStatus::Feasible => "feasible",
            RowStatus::Infeasible => "infeasible",
            RowStatus::NoSolution => "no_solution",
            RowStatus::Error => "error",
            RowStatus::NotRun => "not_run",
        }
    }

    pub fn has_plan(self) -> bool {
        matches!(self, RowStatus::Optimal | RowStatus::Feasible)
    }
}

/// One scenario's result: what sweep.csv records.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub index: usize,
    pub levels: Vec<usize>,
    pub status: RowStatus,
    /// Wall time of this scenario (network share or copy, model build, solve, plan).
    pub seconds: f64,
    /// Total cost, USD a year (the solver's objective, to the cent).
    pub objective: Option<f64>,
    pub gap: Option<f64>,
    pub kpis: Option<Kpis>,
    /// Why there is no plan: the infeasibility reasons, or the solver's error.
    pub notes: Vec<String>,
}

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Scenarios solved at once (worker threads).
    pub jobs: usize,
    /// Per scenario; `threads` should stay the same for the whole run (HiGHS sizes its thread
    /// pool per OS thread at its first solve).
    pub solve: SolveOptions,
    /// The data folder, for each plan's provenance.
    pub data: String,
    /// The digest of its files ([`crate::input::digest`]), recorded in each plan.
    pub digest: Option<String>,
    /// Where each point (by index) has HiGHS write its log; the folder is created. `None`: silent.
    pub logs: Option<Vec<PathBuf>>,
}

/// What sharing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunStats {
    /// Networks built (one per distinct set of transport and time parameters).
    pub networks_built: usize,
    /// Scenarios that used a shared network as it was.
    pub shared: usize,
    /// Scenarios that used a copy of a shared network with their own cost terms.
    pub copied: usize,
}

/// The parameters the arcs of a network depend on: two scenarios with equal keys have the same
/// arcs (times, modes, leg costs), whatever their cost, demand and policy parameters.
#[derive(Debug, Clone, PartialEq)]
struct ArcKey {
    transport: crate::input::scenario::TransportParams,
    time: crate::input::scenario::TimeParams,
    kinds: Vec<crate::input::scenario::TimeParams>,
}

fn arc_key(s: &Scenario) -> ArcKey {
    ArcKey {
        transport: s.transport.clone(),
        time: s.time.clone(),
        kinds: SiteKind::ALL
            .iter()
            .map(|&k| s.kind(k).time.clone())
            .collect(),
    }
}

/// Solver threads per scenario unless the user asks otherwise. One, whatever `--jobs` is: HiGHS
/// may return a different one of several optimal plans at a different thread count (the cost is
/// the same, a zero-cost flow may not be), so a fixed count keeps the results independent of
/// `--jobs`, and the cores are used by solving scenarios side by side.
pub const SOLVER_THREADS: u32 = 1;

/// Solves every point on `options.jobs` worker threads and returns the rows in grid order.
/// `on_done` is called in the worker as each scenario finishes (in finishing order) with its plan,
/// if it has one, so the caller can write it and report progress without keeping every plan.
pub fn run(
    instance: &Instance,
    points: &[Point],
    options: &RunOptions,
    on_done: &(dyn Fn(&Point, &Row, Option<&Plan>) + Sync),
) -> (Vec<Row>, RunStats) {
    // Group the points by the parameters their arcs depend on; one network per group.
    let mut keys: Vec<ArcKey> = Vec::new();
    let mut group_of = Vec::with_capacity(points.len());
    let mut representative = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let key = arc_key(&p.scenario);
        let g = match keys.iter().position(|k| *k == key) {
            Some(g) => g,
            None => {
                keys.push(key);
                representative.push(i);
                keys.len() - 1
            }
        };
        group_of.push(g);
    }
    let networks: Vec<OnceLock<Network>> = keys.iter().map(|_| OnceLock::new()).collect();
    let built = AtomicUsize::new(0);
    let shared = AtomicUsize::new(0);
    let copied = AtomicUsize::new(0);

    // Warm start: the first point of each network group is solved first; every other point of
    // the group starts from its plan. Which start a point gets does not depend on --jobs, so
    // results stay the same whatever the parallelism.
    let starts: Vec<OnceLock<Option<Arc<Vec<f64>>>>> =
        keys.iter().map(|_| OnceLock::new()).collect();
    let solve_one = |i: usize| -> Row {
        let p = &points[i];
        let start = Instant::now();
        let g = group_of[i];
        let mut row = Row {
            index: p.index,
            levels: p.levels.clone(),
            status: RowStatus::Error,
            seconds: 0.0,
            objective: None,
            gap: None,
            kpis: None,
            notes: Vec::new(),
        };
        if crate::solve::interrupted() {
            // Ctrl-C: no new scenario starts (not even its network); the row says so in sweep.csv.
            row.status = RowStatus::NotRun;
            row.notes = vec!["the sweep was interrupted before it started".into()];
            on_done(p, &row, None);
            return row;
        }
        let net = networks[g].get_or_init(|| {
            built.fetch_add(1, Ordering::Relaxed);
            Network::build(instance, &points[representative[g]].scenario)
        });
        let terms: Vec<SiteTerms> = instance
            .sites
            .iter()
            .map(|s| SiteTerms::new(s, &p.scenario))
            .collect();
        let copy;
        let network = if terms == net.terms {
            shared.fetch_add(1, Ordering::Relaxed);
            net
        } else {
            copied.fetch_add(1, Ordering::Relaxed);
            let mut n = net.clone();
            n.terms = terms;
            copy = n;
            &copy
        };
        let model = p.model.name();
        let provenance = Provenance {
            data: &options.data,
            model: &model,
        };
        let mut plan = None;
        let log = options.logs.as_ref().and_then(|l| l.get(p.index));
        let is_representative = representative[g] == i;
        let solve_options = SolveOptions {
            // the scenario's time limit counts its share of the network too
            started: Some(start),
            log_file: log.cloned().or_else(|| options.solve.log_file.clone()),
            initial_solution: if is_representative {
                None
            } else {
                starts[g].get().cloned().flatten()
            },
            ..options.solve.clone()
        };
        if let Some(dir) = log.and_then(|path| path.parent()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let result =
            optimize_with_values(instance, &p.scenario, network, &solve_options, provenance);
        let result = result.map(|(outcome, values)| {
            if is_representative {
                let start = matches!(outcome, Outcome::Plan(_)).then(|| Arc::new(values));
                let _ = starts[g].set(start);
            }
            outcome
        });
        match result {
            Ok(Outcome::Plan(mut pl)) => {
                pl.instance.digest.clone_from(&options.digest);
                let check = crate::plan_check::check(&pl, instance);
                if check.holds() {
                    row.status = match pl.solver.status {
                        Status::Optimal => RowStatus::Optimal,
                        _ => RowStatus::Feasible,
                    };
                    row.objective = pl.solver.objective;
                    row.gap = pl.solver.gap;
                    row.kpis = Some(pl.kpis.clone());
                    plan = Some(pl);
                } else {
                    // a plan that does not hold is a failure of the solver, never a file
                    row.notes = std::iter::once(crate::plan_check::refusal(&check))
                        .chain(check.violations.iter().map(|v| v.to_string()))
                        .collect();
                }
            }
            Ok(Outcome::Infeasible { reasons, .. }) => {
                row.status = RowStatus::Infeasible;
                row.notes = reasons;
            }
            Ok(Outcome::NoSolution { .. }) => {
                row.status = RowStatus::NoSolution;
                row.notes = vec![if crate::solve::interrupted() {
                    "interrupted before any feasible plan was found".into()
                } else {
                    "the time limit came before any feasible plan; raise --time-limit".into()
                }];
            }
            Err(e) => row.notes = vec![e.to_string()],
        }
        row.seconds = (start.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
        on_done(p, &row, plan.as_deref());
        row
    };

    let workers = options.jobs.clamp(1, points.len().max(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("cartnet-sweep-{i}"))
        .build();
    let rows: Vec<Row> = match pool {
        Ok(pool) => pool.install(|| {
            // The groups' first points, then the others from their plans.
            let first: Vec<(usize, Row)> = representative
                .par_iter()
                .with_max_len(1)
                .map(|&i| (i, solve_one(i)))
                .collect();
            let rest: Vec<(usize, Row)> = (0..points.len())
                .filter(|i| !representative.contains(i))
                .collect::<Vec<_>>()
                .into_par_iter()
                .with_max_len(1)
                .map(|i| (i, solve_one(i)))
                .collect();
            in_grid_order(first, rest)
        }),
        // No threads to be had: solve one after the other on this thread.
        Err(_) => {
            let first: Vec<(usize, Row)> =
                representative.iter().map(|&i| (i, solve_one(i))).collect();
            let rest: Vec<(usize, Row)> = (0..points.len())
                .filter(|i| !representative.contains(i))
                .map(|i| (i, solve_one(i)))
                .collect();
            in_grid_order(first, rest)
        }
    };
    let stats = RunStats {
        networks_built: built.into_inner(),
        shared: shared.into_inner(),
        copied: copied.into_inner(),
    };
    (rows, stats)
}

// ---------------------------------------------------------------------------------------------
// Outputs

/// The folder of a point's plan, under the output folder: `plans/003_site.setup_cost_owned=2e6`.
/// Merges rows solved in two phases back into grid order.
fn in_grid_order(first: Vec<(usize, Row)>, rest: Vec<(usize, Row)>) -> Vec<Row> {
    let mut all: Vec<(usize, Row)> = first.into_iter().chain(rest).collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

pub fn folder_name(axes: &[Axis], point_index: usize, levels: &[usize], total: usize) -> String {
    let width = total.to_string().len().max(3);
    let mut name = format!("{:0width$}", point_index + 1);
    for (a, axis) in axes.iter().enumerate() {
        let _ = write!(name, "_{}={}", axis.key, axis.levels[levels[a]].short());
    }
    let mut clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-=+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.len() > 150 {
        clean.truncate(150);
    }
    clean
}

/// The columns of sweep.csv after `scenario` and the varied keys.
pub const CSV_COLUMNS: [&str; 13] = [
    "status",
    "objective",
    "gap",
    "seconds",
    "sites_open",
    "owned",
    "franchise",
    "platforms",
    "coverage",
    "mean_vein_to_vein_days",
    "max_vein_to_vein_days",
    "cost_per_patient",
    "folder",
];

/// sweep.csv: one row per scenario in grid order. `folders[i]` is row i's plan folder (relative
/// to the output folder), empty when it has no plan.
pub fn render_csv(axes: &[Axis], rows: &[Row], folders: &[String]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["scenario".to_string()];
    header.extend(axes.iter().map(|a| a.key.clone()));
    header.extend(CSV_COLUMNS.iter().map(|c| c.to_string()));
    w.write_record(&header)?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for (i, r) in rows.iter().enumerate() {
        let mut rec = vec![(r.index + 1).to_string()];
        for (a, axis) in axes.iter().enumerate() {
            let level = &axis.levels[r.levels[a]];
            rec.push(match level.number() {
                Some(_) => level.label(),
                None => safe_text(&level.label()),
            });
        }
        rec.push(r.status.as_str().to_string());
        rec.push(opt(r.objective));
        rec.push(opt(r.gap));
        rec.push(format!("{:.3}", r.seconds));
        match &r.kpis {
            Some(k) => {
                rec.push(k.sites_open.to_string());
                rec.push(k.owned.to_string());
                rec.push(k.franchise.to_string());
                rec.push(k.platforms.to_string());
                rec.push(k.coverage.to_string());
                rec.push(opt(k.mean_vein_to_vein_days));
                rec.push(opt(k.max_vein_to_vein_days));
                rec.push(opt(k.cost_per_patient));
            }
            None => rec.extend(std::iter::repeat_n(String::new(), 8)),
        }
        rec.push(safe_text(folders.get(i).map_or("", String::as_str)));
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// A level for people: money keys in dollars, other numbers as they are.
fn display_level(key: &str, level: &Level) -> String {
    match level.number() {
        Some(v) if key.contains("cost") || key.contains("penalty") => usd(v),
        _ => level.short(),
    }
}

/// The printed table: one line per scenario in grid order.
pub fn render_table(axes: &[Axis], rows: &[Row]) -> String {
    let mut header: Vec<String> = vec!["#".into()];
    header.extend(axes.iter().map(|a| a.key.clone()));
    for h in [
        "status",
        "cost a year",
        "sites",
        "owned",
        "franchise",
        "platforms",
        "coverage",
        "v2v mean",
        "cost/patient",
    ] {
        header.push(h.into());
    }
    let n_axes = axes.len();
    let mut lines: Vec<Vec<String>> = Vec::new();
    for r in rows {
        let mut l = vec![(r.index + 1).to_string()];
        for (a, axis) in axes.iter().enumerate() {
            l.push(printable(&display_level(&axis.key, &axis.levels[r.levels[a]])).into_owned());
        }
        l.push(r.status.as_str().into());
        match (&r.kpis, r.objective) {
            (Some(k), Some(obj)) => {
                l.push(usd(obj));
                l.push(k.sites_open.to_string());
                l.push(k.owned.to_string());
                l.push(k.franchise.to_string());
                l.push(k.platforms.to_string());
                l.push(percent(k.coverage));
                l.push(
                    k.mean_vein_to_vein_days
                        .map_or("n/a".into(), |d| format!("{d:.1} d")),
                );
                l.push(k.cost_per_patient.map_or("n/a".into(), usd));
            }
            _ => l.extend(std::iter::repeat_n("-".to_string(), 8)),
        }
        lines.push(l);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    // The key columns and status read left-aligned; the numbers right-aligned.
    let left = |c: usize| c >= 1 && c <= n_axes + 1;
    let mut out = String::new();
    for l in std::iter::once(&header).chain(lines.iter()) {
        let cells: Vec<String> = l
            .iter()
            .enumerate()
            .map(|(c, s)| {
                if left(c) {
                    format!("{s:<w$}", w = widths[c])
                } else {
                    format!("{s:>w$}", w = widths[c])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    let _ = writeln!(
        out,
        "cost a year: {PENALTY_IN}; cost/patient: per patient served, {PENALTY_OUT}"
    );
    out
}

/// A number on an axis, compactly: 1.5M, 250k, 0.08.
fn compact(v: f64) -> String {
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else {
        trim(format!("{v:.3}"))
    }
}

const COLORS: [(u8, u8, u8); 8] = [
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (255, 127, 14),
    (140, 86, 75),
    (227, 119, 194),
    (23, 190, 207),
];

/// sweep.svg: total cost (top) and sites open, owned and franchise (bottom), against the first
/// varied key; one line per combination of the other keys' values. Points without a plan are
/// marked with a cross on the axis. Text is SVG `<text>`: no font files are read.
pub fn render_svg(axes: &[Axis], rows: &[Row], title: &str) -> Result<String, String> {
    use plotters::element::DashedPathElement;
    use plotters::prelude::*;

    let Some(first) = axes.first() else {
        return Err("nothing was varied".into());
    };
    let numeric = first.levels.iter().all(|l| l.number().is_some());
    let x_of = |level: usize| -> f64 {
        if numeric {
            first.levels[level].number().unwrap_or(0.0)
        } else {
            level as f64
        }
    };
    let xs: Vec<f64> = (0..first.levels.len()).map(x_of).collect();
    let (mut x0, mut x1) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if numeric {
        let pad = if x1 > x0 {
            (x1 - x0) * 0.04
        } else {
            x0.abs().max(1.0) * 0.1
        };
        x0 -= pad;
        x1 += pad;
    } else {
        x0 = -0.5;
        x1 = first.levels.len() as f64 - 0.5;
    }

    // Series: one per combination of the other axes' levels, in grid order.
    let mut series: Vec<(Vec<usize>, Vec<&Row>)> = Vec::new();
    for r in rows {
        let rest = r.levels[1..].to_vec();
        match series.iter_mut().find(|(k, _)| *k == rest) {
            Some((_, v)) => v.push(r),
            None => series.push((rest, vec![r])),
        }
    }
    let series_label = |rest: &[usize]| -> String {
        axes[1..]
            .iter()
            .zip(rest)
            .map(|(a, &l)| format!("{} = {}", a.key, display_level(&a.key, &a.levels[l])))
            .collect::<Vec<_>>()
            .join(", ")
    };

    let costs: Vec<f64> = rows.iter().filter_map(|r| r.objective).collect();
    let (c0, c1) = costs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &c| {
            (a.min(c), b.max(c))
        });
    let (c0, c1) = if costs.is_empty() {
        (0.0, 1.0)
    } else {
        // room above the lines for the legend
        let span = (c1 - c0).max(c1.abs() * 0.02).max(1.0);
        (
            (c0 - span * 0.1).max(0.0) / 1e6,
            (c1 + span * (0.15 + 0.08 * series.len() as f64)) / 1e6,
        )
    };
    let max_sites = rows
        .iter()
        .filter_map(|r| r.kpis.as_ref().map(|k| k.sites_open))
        .max()
        .unwrap_or(1);
    // room above the lines for the legend (two entries a series)
    let s1 = (max_sites as f64 * (1.25 + 0.15 * series.len() as f64) + 1.0).ceil();
    // Scenarios that were not run (an interrupted sweep) are not marked: nothing is known of them.
    let missing: Vec<&Row> = rows
        .iter()
        .filter(|r| !r.status.has_plan() && r.status != RowStatus::NotRun)
        .collect();

    let x_label = |x: &f64| -> String {
        if numeric {
            let raw = compact(*x);
            if first.key.contains("cost") || first.key.contains("penalty") {
                format!("${raw}")
            } else {
                raw
            }
        } else {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < first.levels.len() {
                first.levels[i as usize].short()
            } else {
                String::new()
            }
        }
    };
    let n_labels = if numeric {
        first.levels.len().clamp(2, 10)
    } else {
        first.levels.len()
    };

    // Lines join the points of a numeric key; categories (scenario files, true/false) get
    // markers only.
    let line =
        |pts: &[(f64, f64)]| -> Vec<(f64, f64)> { if numeric { pts.to_vec() } else { Vec::new() } };
    let marker = if numeric { 3 } else { 5 };

    let mut buf = String::new();
    {
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        let root = SVGBackend::with_string(&mut buf, (960, 720)).into_drawing_area();
        root.fill(&WHITE).map_err(e)?;
        let root = root
            .titled(title, ("sans-serif", 22).into_font())
            .map_err(e)?;
        let (top, bottom) = root.split_vertically(360);
        let color = |i: usize| {
            let (r, g, b) = COLORS[i % COLORS.len()];
            RGBColor(r, g, b)
        };

        // Total cost.
        let mut chart = ChartBuilder::on(&top)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(78)
            .caption("Total cost", ("sans-serif", 17))
            .build_cartesian_2d(x0..x1, c0..c1)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_labels(n_labels)
            .x_label_formatter(&x_label)
            .y_label_formatter(&|v| {
                if c1 - c0 >= 20.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.1}")
                }
            })
            .y_desc("USD million a year")
            .x_desc(first.key.as_str())
            .max_light_lines(1)
            .light_line_style(RGBColor(242, 242, 242))
            .draw()
            .map_err(e)?;
        for (i, (rest, pts)) in series.iter().enumerate() {
            let c = color(i);
            let data: Vec<(f64, f64)> = pts
                .iter()
                .filter_map(|r| r.objective.map(|o| (x_of(r.levels[0]), o / 1e6)))
                .collect();
            let label = if axes.len() > 1 {
                series_label(rest)
            } else {
                "total cost".to_string()
            };
            chart
                .draw_series(LineSeries::new(line(&data), c.stroke_width(2)))
                .map_err(e)?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                });
            chart
                .draw_series(data.iter().map(|&p| Circle::new(p, marker, c.filled())))
                .map_err(e)?;
        }
        if !missing.is_empty() {
            chart
                .draw_series(
                    missing
                        .iter()
                        .map(|r| Cross::new((x_of(r.levels[0]), c0), 6, RED.stroke_width(2))),
                )
                .map_err(e)?
                .label("no plan (infeasible or no solution)")
                .legend(|(x, y)| Cross::new((x + 10, y), 5, RED.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(e)?;

        // Sites open: owned (solid, circles) and franchise (dashed, triangles).
        let mut chart = ChartBuilder::on(&bottom)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(78)
            .caption("Sites open", ("sans-serif", 17))
            .build_cartesian_2d(x0..x1, 0.0..s1)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_labels(n_labels)
            .x_label_formatter(&x_label)
            .y_labels((s1 as usize + 1).min(12))
            .y_label_formatter(&|v| {
                if (v - v.round()).abs() < 1e-6 {
                    format!("{}", v.round() as i64)
                } else {
                    String::new()
                }
            })
            .y_desc("sites")
            .x_desc(first.key.as_str())
            .max_light_lines(1)
            .light_line_style(RGBColor(242, 242, 242))
            .draw()
            .map_err(e)?;
        for (i, (rest, pts)) in series.iter().enumerate() {
            let c = color(i);
            let suffix = if axes.len() > 1 {
                format!(" ({})", series_label(rest))
            } else {
                String::new()
            };
            let owned: Vec<(f64, f64)> = pts
                .iter()
                .filter_map(|r| r.kpis.as_ref().map(|k| (x_of(r.levels[0]), k.owned as f64)))
                .collect();
            let franchise: Vec<(f64, f64)> = pts
                .iter()
                .filter_map(|r| {
                    r.kpis
                        .as_ref()
                        .map(|k| (x_of(r.levels[0]), k.franchise as f64))
                })
                .collect();
            chart
                .draw_series(LineSeries::new(line(&owned), c.stroke_width(2)))
                .map_err(e)?
                .label(format!("owned{suffix}"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                });
            chart
                .draw_series(owned.iter().map(|&p| Circle::new(p, marker, c.filled())))
                .map_err(e)?;
            chart
                .draw_series(DashedLineSeries::new(
                    line(&franchise),
                    6,
                    4,
                    c.stroke_width(2),
                ))
                .map_err(e)?
                .label(format!("franchise{suffix}"))
                .legend(move |(x, y)| {
                    DashedPathElement::new(vec![(x, y), (x + 20, y)], 4, 3, c.stroke_width(2))
                });
            chart
                .draw_series(
                    franchise
                        .iter()
                        .map(|&p| TriangleMarker::new(p, marker + 1, c.filled())),
                )
                .map_err(e)?;
        }
        if !missing.is_empty() {
            chart
                .draw_series(
                    missing
                        .iter()
                        .map(|r| Cross::new((x_of(r.levels[0]), 0.0), 6, RED.stroke_width(2))),
                )
                .map_err(e)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(e)?;
        root.present().map_err(e)?;
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(a: &Axis) -> Vec<String> {
        a.levels.iter().map(Level::label).collect()
    }

    #[test]
    fn range_includes_both_ends_without_binary_noise() {
        let a = Axis::parse("site.setup_cost_owned=1.5e6..3e6/7").unwrap();
        assert_eq!(a.key, "site.setup_cost_owned");
        assert_eq!(
            values(&a),
            [
                "1500000", "1750000", "2000000", "2250000", "2500000", "2750000", "3000000"
            ]
        );
        let a = Axis::parse("batch.failure_rate=0..0.3/4").unwrap();
        assert_eq!(values(&a), ["0", "0.1", "0.2", "0.3"]);
        // a whole-number key gets whole numbers
        let a = Axis::parse("site.max_platforms=1..5/5").unwrap();
        assert!(
            a.levels
                .iter()
                .all(|l| matches!(l, Level::Value(toml::Value::Integer(_))))
        );
    }

    #[test]
    fn lists_read_values_as_toml_and_models_as_paths() {
        let a = Axis::parse("policy.single_sourcing=true,false").unwrap();
        assert_eq!(
            a.levels,
            [
                Level::Value(toml::Value::Boolean(true)),
                Level::Value(toml::Value::Boolean(false))
            ]
        );
        let a = Axis::parse("model=models/baseline.toml,../x/centralized.toml").unwrap();
        assert_eq!(a.levels[1], Level::Model("../x/centralized.toml".into()));
        assert_eq!(a.levels[1].short(), "centralized");
    }

    #[test]
    fn malformed_vary_is_e306() {
        for bad in [
            "site.setup_cost_owned",
            "site.setup_cost_owned=",
            "site.setup_cost_owned=1..2",
            "site.setup_cost_owned=1..2/1",
            "site.setup_cost_owned=a..2/3",
            "site.setup_cost_owned=1,,2",
        ] {
            let e = Axis::parse(bad).unwrap_err();
            assert_eq!(e.code, Code::BadOverride, "{bad}: {e}");
            assert_eq!(e.file, "--vary");
        }
    }

    #[test]
    fn grid_is_row_major() {
        assert_eq!(
            grid(&[2, 3]),
            [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
        );
        assert_eq!(grid(&[3]).len(), 3);
    }

    fn baseline() -> ModelSource {
        ModelSource::File(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/baseline.toml"))
    }

    #[test]
    fn unknown_varied_key_is_reported_once_against_vary() {
        let axes = [Axis::parse("site.setup_cost_ownd=1..3/3").unwrap()];
        let e = prepare(&baseline(), &[], &axes).unwrap_err();
        assert_eq!(e.0.len(), 1, "{e}");
        let shown = e.0[0].to_string();
        assert!(
            shown.starts_with("E303 --vary: column site.setup_cost_ownd: unknown key (did you mean site.setup_cost_owned?)"),
            "{shown}"
        );
        assert!(shown.contains("policy.min_utilization"), "{shown}");
    }

    #[test]
    fn wrong_type_and_range_are_reported_per_value() {
        let axes = [Axis::parse("batch.failure_rate=0.1,1.5").unwrap()];
        let e = prepare(&baseline(), &[], &axes).unwrap_err();
        assert_eq!(e.0.len(), 1, "{e}");
        assert_eq!(e.0[0].code, Code::BadValue);
        let axes = [Axis::parse("site.max_platforms=1..2/3").unwrap()];
        let e = prepare(&baseline(), &[], &axes).unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "E304 --vary: column site.max_platforms: 1.5 is a number; expected a whole number"
        );
    }

    #[test]
    fn sweep_file_reads_ranges_lists_and_sets() {
        let text = r#"
title = "t"
[set]
policy.max_sites = 6
[[vary]]
key = "site.setup_cost_owned"
from = 1.5e6
to = 3e6
steps = 4
[[vary]]
key = "model"
values = ["models/baseline.toml", "models/centralized.toml"]
"#;
        let s = SweepFile::parse(text, "s.toml").unwrap();
        assert_eq!(s.axes.len(), 2);
        assert_eq!(s.axes[0].levels.len(), 4);
        assert_eq!(s.axes[0].source.line, Some(6));
        assert_eq!(s.set[0].0.key, "policy.max_sites");
        let e = SweepFile::parse("titel = \"x\"\n", "s.toml").unwrap_err();
        assert!(e.0[0].to_string().contains("did you mean title?"), "{e}");
        let e = SweepFile::parse("[[vary]]\nkey = \"x\"\nfrom = 1\n", "s.toml").unwrap_err();
        assert_eq!(e.0[0].code, Code::BadOverride);
    }

    #[test]
    fn a_shared_network_with_new_terms_equals_a_rebuilt_one() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
        let instance = Instance::load(&data).unwrap();
        let axes = [Axis::parse("site.setup_cost_owned=1.5e6,3e6").unwrap()];
        let points = prepare(&baseline(), &[], &axes).unwrap();
        assert_eq!(arc_key(&points[0].scenario), arc_key(&points[1].scenario));
        let shared = Network::build(&instance, &points[0].scenario);
        let rebuilt = Network::build(&instance, &points[1].scenario);
        let mut copy = shared.clone();
        copy.terms = instance
            .sites
            .iter()
            .map(|s| SiteTerms::new(s, &points[1].scenario))
            .collect();
        assert_eq!(copy.terms, rebuilt.terms);
        assert_ne!(copy.terms, shared.terms);
        let arcs = |n: &Network| n.graph.edge_weights().cloned().collect::<Vec<_>>();
        assert_eq!(arcs(&copy), arcs(&rebuilt));
        // a time key changes the arcs, so it is not shared
        let axes = [Axis::parse("time.max_vein_to_vein_days=28,16").unwrap()];
        let points = prepare(&baseline(), &[], &axes).unwrap();
        assert_ne!(arc_key(&points[0].scenario), arc_key(&points[1].scenario));
    }
}
