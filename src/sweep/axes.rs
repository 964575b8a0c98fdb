//! The axes of a sweep: a varied key and its values, from `--vary` or a sweep file.

use super::{MAX_POINTS, MODEL_KEY};
use crate::input::error::{Code, InputError};
use crate::input::scenario::{parse_value, valid_keys};
use std::path::PathBuf;

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

pub(super) fn bad_spec(source: &Source, message: String) -> InputError {
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
            range_spec(key, spec, &source)?
        } else {
            list_spec(key, spec, &source)?
        };
        Ok(Axis {
            key: key.to_string(),
            levels,
            source,
        })
    }
}

/// The levels of a range spec, FROM..TO/STEPS.
fn range_spec(key: &str, spec: &str, source: &Source) -> Result<Vec<Level>, InputError> {
    let (from, rest) = spec.split_once("..").expect("contains ..");
    let Some((to, steps)) = rest.split_once('/') else {
        return Err(bad_spec(
            source,
            format!(
                "\"{key}={spec}\": a range needs its number of points, FROM..TO/STEPS \
                 (e.g. {key}={spec}/7 for 7 points, both ends included)"
            ),
        ));
    };
    let num = |s: &str, what: &str| {
        parse_number(s).ok_or_else(|| {
            bad_spec(
                source,
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
                source,
                format!(
                    "\"{key}={spec}\": STEPS \"{}\" is not a whole number >= 2 \
                     (the number of points, both ends included)",
                    steps.trim()
                ),
            )
        })?;
    if steps > MAX_POINTS {
        return Err(bad_spec(
            source,
            format!("\"{key}={spec}\": {steps} points is more than {MAX_POINTS}"),
        ));
    }
    Ok(range_levels(key, from, to, steps))
}

/// The levels of a list spec, A,B,C.
fn list_spec(key: &str, spec: &str, source: &Source) -> Result<Vec<Level>, InputError> {
    let items: Vec<&str> = spec.split(',').map(str::trim).collect();
    if items.iter().any(|i| i.is_empty()) {
        return Err(bad_spec(
            source,
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
                    .map_err(|why| bad_spec(source, format!("\"{key}={spec}\": {why}")))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::error::Code;

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
}
