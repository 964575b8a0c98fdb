//! The grid and its scenarios: every point's validated [`Scenario`], and its plan folder's name.

use super::axes::{Axis, Level, Source, bad_spec};
use super::{MAX_POINTS, MODEL_KEY};
use crate::input::error::{Code, InputError, InputErrors, utf8};
use crate::input::{ModelSource, Override, Scenario};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

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
    let sizes = check_axes(axes)?;
    // Where each key was given last (a varied key overrides a fixed one).
    let mut origin: HashMap<&str, (&Source, bool)> = HashMap::new();
    for (o, s) in sets {
        origin.insert(o.key.as_str(), (s, false));
    }
    for a in axes {
        origin.insert(a.key.as_str(), (&a.source, true));
    }
    let mut parser = Parser {
        origin,
        texts: HashMap::new(),
        reported: HashSet::new(),
        errors: Vec::new(),
    };
    let model_axis = axes.iter().position(|a| a.key == MODEL_KEY);
    let mut points = Vec::new();
    for (index, levels) in grid(&sizes).into_iter().enumerate() {
        let model = match model_axis.map(|a| &axes[a].levels[levels[a]]) {
            Some(Level::Model(p)) => ModelSource::File(p.clone()),
            _ => model.clone(),
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
        if let Some(scenario) = parser.scenario(&model, &overrides) {
            points.push(Point {
                index,
                levels,
                model,
                scenario,
            });
        }
    }
    if parser.errors.is_empty() {
        Ok(points)
    } else {
        Err(InputErrors(parser.errors))
    }
}

/// The axes' own problems (none, a key twice, too many points); the grid's sizes if there are none.
fn check_axes(axes: &[Axis]) -> Result<Vec<usize>, InputErrors> {
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
        let shape: Vec<String> = sizes.iter().map(|n| n.to_string()).collect();
        errors.push(bad_spec(
            &Source::flag("--vary"),
            format!(
                "the grid has {} points, more than {MAX_POINTS}",
                shape.join(" x ")
            ),
        ));
    }
    if errors.is_empty() {
        Ok(sizes)
    } else {
        Err(InputErrors(errors))
    }
}

/// Parses the points' scenarios, reading each model file once and reporting each problem once.
struct Parser<'a> {
    /// Where each key was given, and whether it was varied.
    origin: HashMap<&'a str, (&'a Source, bool)>,
    /// Each model file's text; `None` when it could not be read (reported once).
    texts: HashMap<ModelSource, Option<String>>,
    reported: HashSet<String>,
    errors: Vec<InputError>,
}

impl Parser<'_> {
    fn scenario(&mut self, model: &ModelSource, overrides: &[Override]) -> Option<Scenario> {
        let file = model.name();
        let errors = &mut self.errors;
        let text = self.texts.entry(model.clone()).or_insert_with(|| {
            let text = model
                .read()
                .and_then(|b| utf8(&file, &b, "UTF-8").map(str::to_string));
            text.map_err(|e| errors.push(e)).ok()
        });
        let text = text.as_deref()?;
        match Scenario::parse(text, &file, overrides) {
            Ok(scenario) => Some(scenario),
            Err(e) => {
                for err in e.0 {
                    let err = self.attribute(err);
                    if self.reported.insert(err.to_string()) {
                        self.errors.push(err);
                    }
                }
                None
            }
        }
    }

    /// An error the scenario parser put on `--set`, moved to where the key was given.
    fn attribute(&self, mut err: InputError) -> InputError {
        let given = err
            .column
            .as_deref()
            .and_then(|k| self.origin.get(k))
            .copied();
        if let (true, Some((source, varied))) = (err.file == "--set", given) {
            err.file = source.file.clone();
            err.line = source.line;
            if varied && err.code == Code::UnknownKey {
                err.message
                    .push_str("; --vary also takes model=FILE,FILE,... to compare scenario files");
            }
        }
        err
    }
}

/// The folder of a point's plan, under the output folder: `plans/003_site.setup_cost_owned=2e6`.
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
#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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
}
