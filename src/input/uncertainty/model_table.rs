//! The model's `[uncertainty]` table, read and checked (see [`super::sample`] for its form):
//! `samples`, `seed`, the risk blend, and one distribution per scenario key. Errors are located
//! at the entry's line, with the dotted key (`uncertainty.demand.scale`) as their column.

use super::Risk;
use super::dist::{Dist, NAMES};
use super::keys::{self, DEMAND_SCALE, Kind};
use crate::input::error::{Code, InputError, InputErrors};
use crate::input::ranges::show;

/// The most samples: each is a copy of the second stage of the model.
pub const MAX_SAMPLES: i64 = 1_000_000;

/// The table's name in the model file.
pub const TABLE: &str = "uncertainty";

/// One key to sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub kind: Kind,
    pub dist: Dist,
}

/// The `[uncertainty]` table, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    pub samples: Option<i64>,
    pub seed: u64,
    pub risk: Option<Risk>,
    pub entries: Vec<Entry>,
}

/// Reads and checks the `[uncertainty]` table; `None` when there is none. A model that is not
/// TOML gives the scenario parser's E302.
pub fn read(text: &str, file: &str) -> Result<Option<Uncertainty>, InputErrors> {
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
    let (samples, seed) = samples_and_seed(t, &mut error);
    let risk = risk(t, &mut error);
    let mut out = distributions(t, &mut error);
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

/// `samples` (1 to [`MAX_SAMPLES`]) and `seed` (>= 0, default 0).
fn samples_and_seed(
    t: &toml::Table,
    error: &mut impl FnMut(&str, Code, String),
) -> (Option<i64>, u64) {
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
                let why = format!("seed = {v}: expected a whole number >= 0");
                error("seed", Code::BadSamples, why);
                0
            }
        },
    };
    (samples, seed)
}

/// Every key's distribution, checked: a known scenario key, given once, a valid distribution.
fn distributions(t: &toml::Table, error: &mut impl FnMut(&str, Code, String)) -> Vec<Entry> {
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
    out
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

/// A code and the message of what is wrong with an entry.
type EntryError = (Code, String);

/// The distribution an entry gives `key`, checked; else the code and message of what is wrong.
fn distribution(key: &str, value: &toml::Value) -> Result<Dist, EntryError> {
    let (name, params, t) = named(value)?;
    let dist = parameters(name, params, t)?;
    within_range(key, &dist)?;
    Ok(dist)
}

/// The entry's table, its distribution's name and parameter names, with no unknown parameter.
fn named(
    value: &toml::Value,
) -> Result<(&'static str, &'static [&'static str], &toml::Table), EntryError> {
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
    Ok((name, params, t))
}

/// The distribution `name` with its parameters from `t`, each checked.
fn parameters(name: &str, params: &[&str], t: &toml::Table) -> Result<Dist, EntryError> {
    let bad = |why: String| (Code::BadDistribution, why);
    let list = params.join(", ");
    let number = |p: &str| -> Result<f64, EntryError> {
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
    let dist = match name {
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
pub fn locate(text: &str, file: &str, mut e: InputError) -> InputError {
    let column = e.column.clone().unwrap_or_else(|| TABLE.to_string());
    e.file = file.to_string();
    e.line = line_of(text, &column).or_else(|| line_of(text, TABLE));
    e
}

/// The line where the dotted `key` is set or its table begins (best effort, for messages):
/// quotes and spaces in keys and table headers are ignored, so `"demand.scale" = ...` in
/// `[uncertainty]` is `uncertainty.demand.scale`.
pub fn line_of(text: &str, key: &str) -> Option<u64> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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

#[cfg(test)]
mod tests {
    use super::super::fixture::{one, sampled, table};

    #[test]
    fn e808_samples_and_seed() {
        let scale = "\"demand.scale\" = { dist = \"uniform\", low = 0.5, high = 2 }";
        assert_eq!(
            one(&table(&format!("samples = 0\n{scale}"))),
            "E808 m.toml:2: column uncertainty.samples: samples = 0: expected a whole number from 1 to 1000000"
        );
        assert_eq!(
            one(&table(&format!("samples = 2.5\n{scale}"))),
            "E808 m.toml:2: column uncertainty.samples: samples = 2.5: expected a whole number from 1 to 1000000"
        );
        assert_eq!(
            one(&table(&format!("samples = 3\nseed = -1\n{scale}"))),
            "E808 m.toml:3: column uncertainty.seed: seed = -1: expected a whole number >= 0"
        );
        assert_eq!(
            one(&table(scale)),
            "E808 m.toml:1: column uncertainty.samples: samples is missing: give samples = N, the number of scenarios to draw"
        );
        assert_eq!(
            one(&table("samples = 3")),
            "E808 m.toml:2: column uncertainty.samples: samples = 3 but no key to sample: add an entry such as \"demand.scale\" = { dist = \"lognormal\", median = 1.0, sigma = 0.25 }"
        );
        assert_eq!(
            one("uncertainty = 3\n"),
            "E808 m.toml:1: column uncertainty: uncertainty is not a table: write [uncertainty] and its keys below it"
        );
    }

    #[test]
    fn e803_a_key_no_scenario_can_vary() {
        let e = one(&table(
            "samples = 2\n\"batch.cost_ownd\" = { dist = \"uniform\", low = 1, high = 2 }",
        ));
        assert!(
            e.starts_with("E803 m.toml:3: column uncertainty.batch.cost_ownd: unknown scenario key (did you mean batch.cost_owned?); valid keys are demand.scale, "),
            "{e}"
        );
        let e = one(&table(
            "samples = 2\npolicy.single_sourcing = { dist = \"discrete\", values = [0, 1] }",
        ));
        assert!(e.starts_with("E803 m.toml:3: column uncertainty.policy.single_sourcing: policy.single_sourcing takes true or false, not a number;"), "{e}");
    }

    #[test]
    fn e809_an_entry_that_is_no_distribution_cartnet_knows() {
        assert_eq!(
            one(&table(
                "samples = 2\n\"demand.scale\" = { dist = \"beta\", a = 1 }"
            )),
            "E809 m.toml:3: column uncertainty.demand.scale: unknown distribution \"beta\"; the distributions are lognormal (median, sigma), uniform (low, high), triangular (low, mode, high), normal (mean, sd), discrete (values, weights)"
        );
        assert_eq!(
            one(&table("samples = 2\n\"demand.scale\" = 1.2")),
            "E809 m.toml:3: column uncertainty.demand.scale: 1.2 is not a distribution: write e.g. { dist = \"lognormal\", median = 1.0, sigma = 0.25 }; the distributions are lognormal (median, sigma), uniform (low, high), triangular (low, mode, high), normal (mean, sd), discrete (values, weights)"
        );
    }

    #[test]
    fn e810_a_missing_or_invalid_parameter() {
        let entry = |e: &str| {
            one(&table(&format!(
                "samples = 2\n\"batch.cost_owned\" = {{ {e} }}"
            )))
        };
        let at = "E810 m.toml:3: column uncertainty.batch.cost_owned: ";
        for (e, why) in [
            (
                "median = 1",
                "dist is missing; the distributions are lognormal (median, sigma), uniform (low, high), triangular (low, mode, high), normal (mean, sd), discrete (values, weights)",
            ),
            (
                "dist = \"lognormal\", median = 1",
                "lognormal needs sigma: its parameters are median, sigma",
            ),
            (
                "dist = \"lognormal\", median = 1, sigma = 0",
                "sigma = 0: expected a number > 0",
            ),
            (
                "dist = \"lognormal\", median = -1, sigma = 1",
                "median = -1: expected a number > 0",
            ),
            (
                "dist = \"lognormal\", mu = 1, sigma = 1",
                "unknown parameter \"mu\" of lognormal: its parameters are median, sigma",
            ),
            (
                "dist = \"normal\", mean = 1, sd = -2",
                "sd = -2: expected a number > 0",
            ),
            (
                "dist = \"normal\", mean = \"x\", sd = 2",
                "mean = \"x\" is not a finite number",
            ),
            (
                "dist = \"normal\", mean = nan, sd = 2",
                "mean = nan is not a finite number",
            ),
            (
                "dist = \"uniform\", low = 5, high = 2",
                "low (5) is greater than high (2)",
            ),
            (
                "dist = \"triangular\", low = 1, mode = 7, high = 5",
                "expected low <= mode <= high, not 1, 7, 5",
            ),
            (
                "dist = \"discrete\", values = [1, 2], weights = [1]",
                "1 weights for 2 values: give one weight per value",
            ),
            (
                "dist = \"discrete\", values = [1, 2], weights = [1, -1]",
                "weight -1 is negative: expected numbers >= 0",
            ),
            (
                "dist = \"discrete\", values = [1, 2], weights = [0, 0]",
                "the weights are all 0: give at least one weight > 0",
            ),
            (
                "dist = \"discrete\", values = []",
                "values = []: expected a list of at least one finite number",
            ),
            (
                "dist = \"discrete\", weights = [1]",
                "discrete needs values: its parameters are values, weights",
            ),
            (
                "dist = \"uniform\", low = -5, high = 2",
                "low -5 is outside the values batch.cost_owned takes: expected a number in [0, 1e12]",
            ),
        ] {
            assert_eq!(entry(e), format!("{at}{why}"), "{e}");
        }
    }

    #[test]
    fn e807_a_demand_scale_distribution_that_reaches_0() {
        assert_eq!(
            one(&table(
                "samples = 2\n\"demand.scale\" = { dist = \"uniform\", low = 0, high = 2 }"
            )),
            "E807 m.toml:3: column uncertainty.demand.scale: low 0 is out of range: demand.scale multiplies every demand point's patients: expected a number > 0"
        );
    }

    #[test]
    fn e811_the_risk_blend() {
        let scale = "\"demand.scale\" = { dist = \"uniform\", low = 0.5, high = 2 }";
        assert_eq!(
            one(&table(&format!("samples = 2\ncvar_alpha = 0.9\n{scale}"))),
            "E811 m.toml:3: column uncertainty.cvar_alpha: cvar_alpha is given without risk_weight: give both (the objective is (1 - risk_weight)·E + risk_weight·CVaR at level cvar_alpha)"
        );
        assert_eq!(
            one(&table(&format!(
                "samples = 2\ncvar_alpha = 1\nrisk_weight = 0.5\n{scale}"
            ))),
            "E811 m.toml:3: column uncertainty.cvar_alpha: cvar_alpha = 1: expected a number in [0, 1)"
        );
        assert_eq!(
            one(&table(&format!(
                "samples = 2\ncvar_alpha = 0.5\nrisk_weight = 2\n{scale}"
            ))),
            "E811 m.toml:4: column uncertainty.risk_weight: risk_weight = 2: expected a number in [0, 1]"
        );
    }

    #[test]
    fn nested_tables_and_quoted_keys_are_the_same_key() {
        let quoted =
            table("samples = 3\n\"batch.cost_owned\" = { dist = \"uniform\", low = 1, high = 2 }");
        let nested = "[uncertainty]\nsamples = 3\n[uncertainty.batch]\ncost_owned = { dist = \"uniform\", low = 1, high = 2 }\n";
        assert_eq!(sampled(&quoted), sampled(nested));
        let twice = table(
            "samples = 3\n\"batch.cost_owned\" = { dist = \"uniform\", low = 1, high = 2 }\nbatch.cost_owned = { dist = \"uniform\", low = 1, high = 2 }",
        );
        assert!(one(&twice).starts_with("E810 m.toml:3: column uncertainty.batch.cost_owned: batch.cost_owned is given a distribution twice"));
    }
    #[test]
    fn a_byte_order_mark_does_not_move_the_lines() {
        let text = format!(
            "\u{feff}{}",
            table("samples = 0\n\"demand.scale\" = { dist = \"uniform\", low = 1, high = 2 }")
        );
        assert!(one(&text).starts_with("E808 m.toml:2: "));
    }
}
