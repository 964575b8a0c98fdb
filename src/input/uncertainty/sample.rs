//! Sampled scenarios: the model's `[uncertainty]` table.
//!
//! ```toml
//! [uncertainty]
//! samples = 100                 # scenarios drawn, equally likely, ids s001, s002, ...
//! seed = 7                      # default 0; the same seed gives the same scenarios
//! cvar_alpha = 0.9              # optional, with risk_weight: (1 - λ)·E + λ·CVaR_α
//! risk_weight = 0.5
//! "demand.scale" = { dist = "lognormal", median = 1.0, sigma = 0.25 }
//! "batch.cost_owned" = { dist = "triangular", low = 100000, mode = 120000, high = 180000 }
//! ```
//!
//! Each value is drawn from its own stream, a function of (seed, sample, key) alone (see
//! [`super::rng::stream`]), and rounded to 6 significant digits, so that the same seed gives the
//! same scenarios on any machine, in any order and with any number of threads, and plan files
//! stay stable. A whole-number key's draws are rounded to the nearest whole number.

use super::dist::{Dist, NAMES};
use super::keys::{self, DEMAND_SCALE, Kind};
use super::{BaseModel, Risk, ScenarioSet, ScenarioSpec, check, rng};
use crate::input::error::{Code, InputError, InputErrors};
use crate::input::ranges::{Range, show};
use crate::input::{Instance, Override};

/// The most samples: each is a copy of the second stage of the model.
pub const MAX_SAMPLES: i64 = 1_000_000;

/// The table's name in the model file.
const TABLE: &str = "uncertainty";

/// One key to sample.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: String,
    kind: Kind,
    dist: Dist,
}

/// The `[uncertainty]` table, checked.
#[derive(Debug, Clone, PartialEq)]
struct Uncertainty {
    samples: Option<i64>,
    seed: u64,
    risk: Option<Risk>,
    entries: Vec<Entry>,
}

/// The scenarios sampled from the model's `[uncertainty]` table (`text`, named `file` in
/// messages), each checked on the base model with the `--set` overrides `cli` (and its demand on
/// `instance` when given); `None` when the model has no `[uncertainty]` table, or one with only
/// the risk blend (for `--scenarios`). Call it once the base scenario parsed: a base model with
/// errors gives those errors.
pub fn from_model_toml(
    text: &str,
    file: &str,
    cli: &[Override],
    instance: Option<&Instance>,
) -> Result<Option<ScenarioSet>, InputErrors> {
    let Some(u) = read(text, file)? else {
        return Ok(None);
    };
    let at = |key: &str, code, message: String| {
        let column = format!("{TABLE}.{key}");
        locate(
            text,
            file,
            InputError::new(code, file, message).in_column(column),
        )
    };
    let n = match (u.samples, u.entries.is_empty()) {
        (None, true) => return Ok(None),
        (None, false) => {
            let why = "samples is missing: give samples = N, the number of scenarios to draw";
            return Err(at("samples", Code::BadSamples, why.into()).into());
        }
        (Some(n), true) => {
            let why = format!(
                "samples = {n} but no key to sample: add an entry such as \"demand.scale\" = \
                 {{ dist = \"lognormal\", median = 1.0, sigma = 0.25 }}"
            );
            return Err(at("samples", Code::BadSamples, why).into());
        }
        (Some(n), false) => n as u64,
    };
    let base = BaseModel { text, file, cli };
    base.scenario()?;
    let specs: Vec<ScenarioSpec> = (0..n).map(|i| draw(&u, i, n)).collect();
    check_samples(&base, &specs, &u, instance)?;
    Ok(Some(ScenarioSet {
        scenarios: specs,
        origin: format!("sampled: {n} samples, seed {}", u.seed),
        risk: u.risk,
    }))
}

/// The risk blend of the model's `[uncertainty]` table, if it gives one.
pub fn risk_from_model_toml(text: &str, file: &str) -> Result<Option<Risk>, InputErrors> {
    Ok(read(text, file)?.and_then(|u| u.risk))
}

/// Sample `i` (0-based) of `n`.
fn draw(u: &Uncertainty, i: u64, n: u64) -> ScenarioSpec {
    let width = n.to_string().len().max(3);
    let mut spec = ScenarioSpec::unchanged(format!("s{:0width$}", i + 1), 1.0 / n as f64);
    for e in &u.entries {
        let range = keys::range(&e.key).unwrap_or(Range::closed(f64::MIN, f64::MAX));
        let v = round_significant(e.dist.sample(&mut rng::stream(u.seed, i, &e.key), range));
        if e.key == DEMAND_SCALE {
            spec.demand_scale = v;
        } else {
            let value = match e.kind {
                Kind::Whole => toml::Value::Integer(v.round() as i64),
                Kind::Number => toml::Value::Float(v),
            };
            spec.overrides.push(Override {
                key: e.key.clone(),
                value,
            });
        }
    }
    spec
}

/// Digits kept of a sampled value.
const SIGNIFICANT_DIGITS: usize = 6;

/// `v` rounded to [`SIGNIFICANT_DIGITS`] significant digits (through its decimal form, so the
/// result is the double nearest the rounded decimal).
pub fn round_significant(v: f64) -> f64 {
    if !v.is_finite() || v == 0.0 {
        return v;
    }
    format!("{v:.prec$e}", prec = SIGNIFICANT_DIGITS - 1)
        .parse()
        .unwrap_or(v)
}

/// Checks every sample on the base model; reports the first sample that fails, located at the
/// entry of the key concerned, with how many fail.
fn check_samples(
    base: &BaseModel,
    specs: &[ScenarioSpec],
    u: &Uncertainty,
    instance: Option<&Instance>,
) -> Result<(), InputErrors> {
    let mut failing = specs
        .iter()
        .map(|s| (s, check::spec(base, s, instance)))
        .filter(|(_, e)| !e.is_empty());
    let Some((spec, errors)) = failing.next() else {
        return Ok(());
    };
    let more = failing.count();
    let count = if more == 0 {
        String::new()
    } else {
        format!(" ({} of {} samples fail a check)", more + 1, specs.len())
    };
    let sampled = |key: &str| u.entries.iter().any(|e| e.key == key);
    let errors = errors.into_iter().map(|mut e| {
        e.file = base.file.to_string();
        e.message = format!("sample {}: {}{count}", spec.id, e.message);
        if let Some(key) = e.column.clone().filter(|k| sampled(k)) {
            e.column = Some(format!("{TABLE}.{key}"));
        }
        let column = e.column.clone().unwrap_or_else(|| TABLE.to_string());
        e.line = line_of(base.text, &column).or_else(|| line_of(base.text, TABLE));
        e
    });
    Err(InputErrors(errors.collect()))
}

/// Reads and checks the `[uncertainty]` table; `None` when there is none. A model that is not
/// TOML gives the scenario parser's E302.
fn read(text: &str, file: &str) -> Result<Option<Uncertainty>, InputErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(_) => return Err(crate::input::Scenario::parse(text, file, &[]).unwrap_err()),
    };
    let Some(value) = table.get(TABLE) else {
        return Ok(None);
    };
    let mut errors = Vec::new();
    let mut error = |key: &str, code, message: String| {
        let column = if key.is_empty() {
            TABLE.to_string()
        } else {
            format!("{TABLE}.{key}")
        };
        let e = InputError::new(code, file, message).in_column(column);
        errors.push(locate(text, file, e));
    };
    let Some(t) = value.as_table() else {
        let why = "uncertainty is not a table: write [uncertainty] and its keys below it";
        error("", Code::BadSamples, why.into());
        return Err(InputErrors(errors));
    };
    let samples = t.get("samples").and_then(|v| {
        let count = v.as_integer().filter(|n| (1..=MAX_SAMPLES).contains(n));
        if count.is_none() {
            let why = format!("samples = {v}: expected a whole number from 1 to {MAX_SAMPLES}");
            error("samples", Code::BadSamples, why);
        }
        count
    });
    let seed = match t.get("seed") {
        None => 0,
        Some(v) => match v.as_integer().filter(|s| *s >= 0) {
            Some(s) => s as u64,
            None => {
                error(
                    "seed",
                    Code::BadSamples,
                    format!("seed = {v}: expected a whole number >= 0"),
                );
                0
            }
        },
    };
    let risk = risk(t, &mut error);
    let valid = keys::scenario_keys();
    let mut found = Vec::new();
    let reserved = ["samples", "seed", "cvar_alpha", "risk_weight"];
    entries("", t, &reserved, &mut found);
    let mut out: Vec<Entry> = Vec::new();
    for (key, value) in found {
        let kind = match keys::lookup(&valid, &key) {
            Ok(k) => k,
            Err(why) => {
                error(&key, Code::UnknownScenarioKey, why);
                continue;
            }
        };
        if out.iter().any(|e| e.key == key) {
            let why = format!("{key} is given a distribution twice: give it once");
            error(&key, Code::BadDistribution, why);
            continue;
        }
        match distribution(&key, value) {
            Ok(dist) => out.push(Entry { key, kind, dist }),
            Err((code, why)) => error(&key, code, why),
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    Ok(Some(Uncertainty {
        samples,
        seed,
        risk,
        entries: out,
    }))
}

/// cvar_alpha and risk_weight: both or neither.
fn risk(t: &toml::Table, error: &mut impl FnMut(&str, Code, String)) -> Option<Risk> {
    let mut read = |key: &str, ok: fn(f64) -> bool, range: &str| {
        let v = t.get(key)?;
        let x = v
            .as_float()
            .or_else(|| v.as_integer().map(|i| i as f64))
            .filter(|x| ok(*x));
        if x.is_none() {
            error(
                key,
                Code::BadRisk,
                format!("{key} = {v}: expected a number in {range}"),
            );
        }
        Some(x)
    };
    let alpha = read("cvar_alpha", |a| (0.0..1.0).contains(&a), "[0, 1)");
    let weight = read("risk_weight", |w| (0.0..=1.0).contains(&w), "[0, 1]");
    match (alpha, weight) {
        (Some(Some(cvar_alpha)), Some(Some(risk_weight))) => Some(Risk {
            cvar_alpha,
            risk_weight,
        }),
        (Some(_), None) | (None, Some(_)) => {
            let (given, missing) = if alpha.is_some() {
                ("cvar_alpha", "risk_weight")
            } else {
                ("risk_weight", "cvar_alpha")
            };
            let why = format!(
                "{given} is given without {missing}: give both (the objective is \
                 (1 - risk_weight)·E + risk_weight·CVaR at level cvar_alpha)"
            );
            error(given, Code::BadRisk, why);
            None
        }
        _ => None,
    }
}

/// The entries of the table: each key (dotted from nested tables, `"demand.scale" = {...}` or
/// `demand.scale = {...}` alike) with its value. A table holding only tables is a group of keys;
/// any other value is an entry.
fn entries<'a>(
    prefix: &str,
    t: &'a toml::Table,
    reserved: &[&str],
    out: &mut Vec<(String, &'a toml::Value)>,
) {
    for (k, v) in t {
        if prefix.is_empty() && reserved.contains(&k.as_str()) {
            continue;
        }
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v.as_table() {
            Some(inner) if !inner.is_empty() && inner.values().all(toml::Value::is_table) => {
                entries(&key, inner, &[], out);
            }
            _ => out.push((key, v)),
        }
    }
}

/// The distribution an entry gives `key`, checked; else the code and message of what is wrong.
fn distribution(key: &str, value: &toml::Value) -> Result<Dist, (Code, String)> {
    let known = NAMES
        .iter()
        .map(|(n, p)| format!("{n} ({})", p.join(", ")))
        .collect::<Vec<_>>()
        .join(", ");
    let Some(t) = value.as_table() else {
        return Err((
            Code::UnknownDistribution,
            format!(
                "{value} is not a distribution: write e.g. {{ dist = \"lognormal\", median = 1.0, \
                 sigma = 0.25 }}; the distributions are {known}"
            ),
        ));
    };
    let bad = |why: String| (Code::BadDistribution, why);
    let name = match t.get("dist") {
        None => {
            return Err(bad(format!(
                "dist is missing; the distributions are {known}"
            )));
        }
        Some(v) => v.as_str().unwrap_or_default(),
    };
    let Some((name, params)) = NAMES.iter().find(|(n, _)| *n == name) else {
        let shown = t.get("dist").map(ToString::to_string).unwrap_or_default();
        return Err((
            Code::UnknownDistribution,
            format!("unknown distribution {shown}; the distributions are {known}"),
        ));
    };
    let list = params.join(", ");
    if let Some(k) = t
        .keys()
        .find(|k| *k != "dist" && !params.contains(&k.as_str()))
    {
        return Err(bad(format!(
            "unknown parameter \"{k}\" of {name}: its parameters are {list}"
        )));
    }
    let number = |p: &str| -> Result<f64, (Code, String)> {
        let v = t
            .get(p)
            .ok_or_else(|| bad(format!("{name} needs {p}: its parameters are {list}")))?;
        as_number(v).ok_or_else(|| bad(format!("{p} = {v} is not a finite number")))
    };
    let positive = |p: &str| {
        let x = number(p)?;
        if x > 0.0 {
            Ok(x)
        } else {
            Err(bad(format!("{p} = {}: expected a number > 0", show(x))))
        }
    };
    let dist = match *name {
        "lognormal" => Dist::Lognormal {
            median: positive("median")?,
            sigma: positive("sigma")?,
        },
        "normal" => Dist::Normal {
            mean: number("mean")?,
            sd: positive("sd")?,
        },
        "uniform" => {
            let (low, high) = (number("low")?, number("high")?);
            if low > high {
                return Err(bad(format!(
                    "low ({}) is greater than high ({})",
                    show(low),
                    show(high)
                )));
            }
            Dist::Uniform { low, high }
        }
        "triangular" => {
            let (low, mode, high) = (number("low")?, number("mode")?, number("high")?);
            if !(low <= mode && mode <= high) {
                return Err(bad(format!(
                    "expected low <= mode <= high, not {}, {}, {}",
                    show(low),
                    show(mode),
                    show(high)
                )));
            }
            Dist::Triangular { low, mode, high }
        }
        _ => discrete(t, &bad)?,
    };
    within_range(key, &dist)?;
    Ok(dist)
}

/// `values` (at least one number) and optional `weights` (one per value, >= 0, not all 0).
fn discrete(
    t: &toml::Table,
    bad: &impl Fn(String) -> (Code, String),
) -> Result<Dist, (Code, String)> {
    let numbers = |p: &str| -> Option<Result<Vec<f64>, (Code, String)>> {
        let v = t.get(p)?;
        let list = v
            .as_array()
            .filter(|a| !a.is_empty())
            .and_then(|a| a.iter().map(as_number).collect::<Option<Vec<f64>>>());
        Some(list.ok_or_else(|| {
            bad(format!(
                "{p} = {v}: expected a list of at least one finite number"
            ))
        }))
    };
    let values = numbers("values").unwrap_or_else(|| {
        Err(bad(
            "discrete needs values: its parameters are values, weights".into(),
        ))
    })?;
    let weights = match numbers("weights") {
        None => vec![1.0; values.len()],
        Some(w) => w?,
    };
    if weights.len() != values.len() {
        return Err(bad(format!(
            "{} weights for {} values: give one weight per value",
            weights.len(),
            values.len()
        )));
    }
    if let Some(w) = weights.iter().find(|w| **w < 0.0) {
        return Err(bad(format!(
            "weight {} is negative: expected numbers >= 0",
            show(*w)
        )));
    }
    if weights.iter().sum::<f64>() <= 0.0 {
        return Err(bad(
            "the weights are all 0: give at least one weight > 0".into()
        ));
    }
    Ok(Dist::Discrete { values, weights })
}

/// A bounded distribution must keep within the key's range (a normal is truncated to it).
fn within_range(key: &str, dist: &Dist) -> Result<(), (Code, String)> {
    let Some(range) = keys::range(key) else {
        return Ok(());
    };
    let ends: Vec<(&str, f64)> = match dist {
        Dist::Uniform { low, high } | Dist::Triangular { low, high, .. } => {
            vec![("low", *low), ("high", *high)]
        }
        Dist::Discrete { values, .. } => values.iter().map(|v| ("value", *v)).collect(),
        Dist::Lognormal { .. } | Dist::Normal { .. } => vec![],
    };
    match ends.into_iter().find(|(_, v)| !range.contains(*v)) {
        None => Ok(()),
        Some((what, v)) if key == DEMAND_SCALE => Err((
            Code::BadDemandScale,
            super::from_csv::scale_out_of_range(&format!("{what} {}", show(v))),
        )),
        Some((what, v)) => Err((
            Code::BadDistribution,
            format!(
                "{what} {} is outside the values {key} takes: expected {}",
                show(v),
                range.expected()
            ),
        )),
    }
}

fn as_number(v: &toml::Value) -> Option<f64> {
    v.as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .filter(|x| x.is_finite())
}

/// `e` at the line of its column (a dotted key such as `uncertainty.demand.scale`), or of the
/// `[uncertainty]` header.
fn locate(text: &str, file: &str, mut e: InputError) -> InputError {
    let column = e.column.clone().unwrap_or_else(|| TABLE.to_string());
    e.file = file.to_string();
    e.line = line_of(text, &column).or_else(|| line_of(text, TABLE));
    e
}

/// The line where the dotted `key` is set or its table begins (best effort, for messages):
/// quotes and spaces in keys and table headers are ignored, so `"demand.scale" = ...` in
/// `[uncertainty]` is `uncertainty.demand.scale`.
pub fn line_of(text: &str, key: &str) -> Option<u64> {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !"\"' \t".contains(*c))
            .collect::<String>()
    };
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('#') {
            continue;
        }
        if let Some(h) = l.strip_prefix('[').and_then(|h| h.split(']').next()) {
            current = norm(h);
            if current == key {
                return Some(i as u64 + 1);
            }
            continue;
        }
        let Some((lhs, _)) = l.split_once('=') else {
            continue;
        };
        let full = match current.as_str() {
            "" => norm(lhs),
            c => format!("{c}.{}", norm(lhs)),
        };
        if full == key {
            return Some(i as u64 + 1);
        }
    }
    None
}
