//! Sweep files (models/sweeps/*.toml): a named, reproducible sweep.

use super::axes::{Axis, Level, Source, bad_spec, range_levels};
use super::{MAX_POINTS, MODEL_KEY};
use crate::input::Override;
use crate::input::error::{Code, InputError, InputErrors, did_you_mean};
use crate::input::scenario::leaves;
use std::path::{Path, PathBuf};

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
        let fields = Fields { text, file };
        let mut errors = Vec::new();
        let mut sweep = SweepFile {
            path: PathBuf::from(file),
            ..SweepFile::default()
        };
        for (field, v) in &table {
            if let Err(e) = fields.read(&mut sweep, field, v) {
                errors.extend(e);
            }
        }
        if errors.is_empty() {
            Ok(sweep)
        } else {
            Err(InputErrors(errors))
        }
    }
}

/// The text of a sweep file, to place each field's problems on their line.
struct Fields<'a> {
    text: &'a str,
    file: &'a str,
}

impl Fields<'_> {
    /// Where `field` is set.
    fn at(&self, field: &str) -> Source {
        Source {
            file: self.file.to_string(),
            line: line_with(self.text, &format!("{field} ="))
                .or_else(|| line_with(self.text, &format!("{field}="))),
        }
    }

    fn err(&self, code: Code, field: &str, message: String) -> InputError {
        let e = InputError::new(code, self.file, message).in_column(field);
        match self.at(field).line {
            Some(l) => e.at_line(l),
            None => e,
        }
    }

    fn wrong(&self, field: &str, v: &toml::Value, expected: &str) -> Vec<InputError> {
        let message = format!("{v} is {}; expected {expected}", v.type_str());
        vec![self.err(Code::WrongType, field, message)]
    }

    /// Reads one top-level field into `sweep`.
    fn read(
        &self,
        sweep: &mut SweepFile,
        field: &str,
        v: &toml::Value,
    ) -> Result<(), Vec<InputError>> {
        match field {
            "title" | "data" | "model" | "out" => {
                let Some(s) = v.as_str() else {
                    return Err(self.wrong(field, v, "text in double quotes"));
                };
                let s = s.to_string();
                match field {
                    "title" => sweep.title = Some(s),
                    "data" => sweep.data = Some(s.into()),
                    "model" => sweep.model = Some(s.into()),
                    _ => sweep.out = Some(s.into()),
                }
            }
            "gap" => sweep.gap = Some(self.number(field, v)?),
            "time_limit" => sweep.time_limit = Some(self.number(field, v)?),
            "set" => match v.as_table() {
                Some(t) => sweep.set.extend(self.set(t)),
                None => {
                    let expected =
                        "a table of scenario keys ([set] with lines such as policy.max_sites = 6)";
                    return Err(self.wrong(field, v, expected));
                }
            },
            "vary" => match v.as_array() {
                Some(entries) => return self.vary(sweep, entries),
                None => {
                    let expected =
                        "[[vary]] tables (key = \"...\" with from, to and steps, or values)";
                    return Err(self.wrong(field, v, expected));
                }
            },
            other => return Err(vec![self.unknown(other)]),
        }
        Ok(())
    }

    /// `gap` in [0, 1) or `time_limit` > 0.
    fn number(&self, field: &str, v: &toml::Value) -> Result<f64, Vec<InputError>> {
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
            Some(n) if n.is_finite() && in_range(n) => Ok(n),
            Some(n) => {
                let expected = if positive {
                    "a number > 0"
                } else {
                    "a relative gap in [0, 1), e.g. 0.02 for 2 %"
                };
                let message = format!("{n} is out of range: expected {expected}");
                Err(vec![self.err(Code::BadValue, field, message)])
            }
            None => Err(self.wrong(field, v, "a number")),
        }
    }

    /// The `[set]` table's overrides, each placed on its line.
    fn set(&self, t: &toml::Table) -> Vec<(Override, Source)> {
        let mut given = Vec::new();
        leaves("", t, &mut given);
        let mut set = Vec::new();
        for (key, value) in given {
            let leaf = key.rsplit('.').next().unwrap_or(&key).to_string();
            let source = Source {
                file: self.file.to_string(),
                line: line_with(self.text, &key).or_else(|| self.at(&leaf).line),
            };
            set.push((Override { key, value }, source));
        }
        set
    }

    /// The `[[vary]]` entries' axes; every bad entry is reported.
    fn vary(&self, sweep: &mut SweepFile, entries: &[toml::Value]) -> Result<(), Vec<InputError>> {
        let mut errors = Vec::new();
        for entry in entries {
            match vary_entry(entry, self.text, self.file) {
                Ok(axis) => sweep.axes.push(axis),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn unknown(&self, other: &str) -> InputError {
        let hint = did_you_mean(other, SWEEP_FIELDS)
            .map(|k| format!(" (did you mean {k}?)"))
            .unwrap_or_default();
        let message = format!(
            "unknown field of a sweep file{hint}; the fields are {}",
            SWEEP_FIELDS.join(", ")
        );
        self.err(Code::UnknownKey, other, message)
    }
}

/// The fields of a `[[vary]]` table, as error messages list them.
const VARY_FIELDS: &str = "key, and either from, to and steps, or values";

/// One `[[vary]]` entry: a table, or a `--vary` string.
fn vary_entry(entry: &toml::Value, text: &str, file: &str) -> Result<Axis, InputError> {
    let source_at = |line: Option<u64>| Source {
        file: file.to_string(),
        line,
    };
    if let Some(s) = entry.as_str() {
        return vary_spec(s, source_at(line_with(text, s)));
    }
    let Some(t) = entry.as_table() else {
        return Err(bad_spec(
            &source_at(line_with(text, "vary")),
            format!(
                "a vary entry is {}; expected a table with {VARY_FIELDS}",
                entry
            ),
        ));
    };
    let key = t.get("key").and_then(|k| k.as_str());
    let source = source_at(
        key.and_then(|k| line_with(text, &format!("\"{k}\"")))
            .or_else(|| line_with(text, "[[vary]]")),
    );
    let Some(key) = key else {
        return Err(bad_spec(
            &source,
            format!("a [[vary]] entry has no key = \"...\"; it needs {VARY_FIELDS}"),
        ));
    };
    match vary_levels(t, key) {
        Ok(levels) => Ok(Axis {
            key: key.to_string(),
            levels,
            source,
        }),
        Err(m) => Err(bad_spec(&source, m)),
    }
}

/// A `--vary` string, KEY=FROM..TO/STEPS or KEY=A,B,C.
fn vary_spec(s: &str, source: Source) -> Result<Axis, InputError> {
    match s.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
        Some((k, v)) if !k.is_empty() && !v.is_empty() => Axis::from_spec(k, v, source),
        _ => Err(bad_spec(
            &source,
            format!("\"{s}\" is not of the form KEY=FROM..TO/STEPS or KEY=A,B,C"),
        )),
    }
}

/// The levels of the `[[vary]]` table `t` of key `key`: its list of values or its range; the
/// message of what is wrong otherwise.
fn vary_levels(t: &toml::Table, key: &str) -> Result<Vec<Level>, String> {
    if let Some(unknown) = t
        .keys()
        .find(|k| !["key", "from", "to", "steps", "values"].contains(&k.as_str()))
    {
        return Err(format!(
            "[[vary]] {key}: unknown field \"{unknown}\"; the fields are {VARY_FIELDS}"
        ));
    }
    match (t.get("values"), t.get("from"), t.get("to"), t.get("steps")) {
        (Some(values), None, None, None) => listed_levels(key, values),
        (None, Some(_), Some(_), Some(steps)) if key != MODEL_KEY => ranged_levels(t, key, steps),
        _ => Err(format!(
            "[[vary]] {key}: give either from, to and steps (a range of numbers) or values (a list){}",
            if key == MODEL_KEY {
                "; model takes values only"
            } else {
                ""
            }
        )),
    }
}

/// The levels of `values = [...]`: scenario file paths for the model key, values otherwise.
fn listed_levels(key: &str, values: &toml::Value) -> Result<Vec<Level>, String> {
    let Some(values) = values.as_array().filter(|a| !a.is_empty()) else {
        return Err(format!(
            "[[vary]] {key}: values must be a non-empty list, e.g. values = [1.5e6, 2e6]"
        ));
    };
    let mut levels = Vec::new();
    for v in values {
        if key == MODEL_KEY {
            match v.as_str() {
                Some(p) => levels.push(Level::Model(PathBuf::from(p))),
                None => {
                    return Err(format!(
                        "[[vary]] model: {v} is not a scenario file path in double quotes"
                    ));
                }
            }
        } else {
            levels.push(Level::Value(v.clone()));
        }
    }
    Ok(levels)
}

/// The levels of `from`, `to` and `steps`: `steps` numbers from `from` to `to`.
fn ranged_levels(t: &toml::Table, key: &str, steps: &toml::Value) -> Result<Vec<Level>, String> {
    let num = |name: &str| {
        t.get(name)
            .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
    };
    let (Some(from), Some(to)) = (num("from"), num("to")) else {
        return Err(format!("[[vary]] {key}: from and to must be numbers"));
    };
    match steps.as_integer() {
        Some(n) if (2..=MAX_POINTS as i64).contains(&n) => {
            Ok(range_levels(key, from, to, n as usize))
        }
        _ => Err(format!(
            "[[vary]] {key}: steps = {steps} is not a whole number from 2 to {MAX_POINTS} \
             (the number of points, both ends included)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
