//! Tipping points: between neighbouring grid points whose designs differ (the open sites or their
//! operating models), the varied key is bisected until the change is located within a tolerance.
//!
//! Bisection assumes the design changes once between the two ends. A midpoint whose design
//! matches neither end means more than one change lies between them: both halves are bisected
//! on, so each change is located on its own. A midpoint without a plan counts as a design of its
//! own (the tipping point is then where the scenario stops having a plan).
//!
//! [`locate`] is the bisection alone, over any batch solver; [`Refiner`] solves a round's
//! midpoints through the sweep's own [`run`](super::run), in parallel.

use super::axes::{Axis, Level};
use super::design::{Design, sites_differ};
use super::grid::prepare;
use super::run::{Row, RunOptions, run};
use super::{MODEL_KEY, Source};
use crate::input::error::InputErrors;
use crate::input::scenario::valid_keys;
use crate::input::{Instance, ModelSource, Override};

/// The default tolerance: a tipping point is located within this share of its grid step.
pub const DEFAULT_SHARE: f64 = 0.01;
/// Rounds of bisection at most: 2^-40 of a step is below any meaningful value of a key, so a
/// tiny absolute `--refine-tol` stops here instead of at the float's last bit.
pub const MAX_ROUNDS: usize = 40;
/// Brackets bisected at most at once: a design that flips back and forth between every two
/// midpoints would otherwise double them every round.
pub const MAX_BRACKETS: usize = 256;

/// How closely a tipping point is located.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    /// This share of the grid step the change lies in (`1%`).
    Share(f64),
    /// This width, in the units of the key.
    Absolute(f64),
}

impl Default for Tolerance {
    fn default() -> Tolerance {
        Tolerance::Share(DEFAULT_SHARE)
    }
}

impl Tolerance {
    /// `--refine-tol`: `1%` (a share of the step, above 0 and below 100 %) or `5000` (in the
    /// key's units, above 0).
    pub fn parse(s: &str) -> Result<Tolerance, String> {
        let t = s.trim();
        let parsed = match t.strip_suffix('%') {
            Some(p) => p
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| *v > 0.0 && *v < 100.0)
                .map(|v| Tolerance::Share(v / 100.0)),
            None => t
                .parse::<f64>()
                .ok()
                .filter(|v| *v > 0.0 && v.is_finite())
                .map(Tolerance::Absolute),
        };
        parsed.ok_or_else(|| {
            format!(
                "E420 \"{s}\" is not a tolerance: write a share of the grid step above 0 and \
                 below 100 %, e.g. 1%, or a width in the key's units above 0, e.g. 5000"
            )
        })
    }

    /// The width to locate a change within, for a grid step of `step`.
    fn width(self, step: f64) -> f64 {
        match self {
            Tolerance::Share(s) => s * step.abs(),
            Tolerance::Absolute(w) => w,
        }
    }
}

/// One end of a bracket: a value of the refined key and what the scenario there gave.
#[derive(Debug, Clone, PartialEq)]
pub struct End {
    pub value: f64,
    pub design: Option<Design>,
    /// Total cost a year, if the scenario has a plan.
    pub objective: Option<f64>,
}

impl End {
    fn of(value: f64, row: &Row) -> End {
        End {
            value,
            design: row.design.clone(),
            objective: row.objective,
        }
    }
}

/// A stretch of one key, the other keys fixed, over which the design changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Bracket {
    /// The refined axis.
    pub axis: usize,
    /// The grid levels of the other axes (the refined axis's entry is the lower grid point's).
    pub levels: Vec<usize>,
    pub from: End,
    pub to: End,
    /// Located once the ends are this close.
    pub tol: f64,
    /// The key takes whole numbers only: located once the ends are neighbours.
    pub whole: bool,
    /// The grid step the bracket came from, in grid order (for the order of the report).
    pub step: usize,
}

/// A midpoint to solve: the refined axis, the other axes' levels, the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub axis: usize,
    pub levels: Vec<usize>,
    pub value: f64,
}

impl Bracket {
    /// Whether the change is located within the tolerance.
    pub fn located(&self) -> bool {
        self.inner(1).is_empty()
    }

    /// Up to `k` values that cut the bracket into equal parts, in order from `from` to `to`
    /// (whole numbers for a whole-number key); none once it is within the tolerance.
    fn inner(&self, k: usize) -> Vec<f64> {
        let (a, b) = (self.from.value, self.to.value);
        if (b - a).abs() <= self.tol {
            return Vec::new();
        }
        let mut out: Vec<f64> = Vec::with_capacity(k);
        for i in 1..=k {
            let v = a + (b - a) * i as f64 / (k + 1) as f64;
            let v = if self.whole { v.floor() } else { v };
            let inside = (v - a) * (b - v) > 0.0;
            if inside && out.last() != Some(&v) {
                out.push(v);
            }
        }
        out
    }

    /// The brackets left once the inner values' scenarios gave `inner` (in order): every two
    /// neighbours whose designs still differ. One change leaves one bracket; a value whose design
    /// matches neither of its neighbours leaves one on each side, each bisected on.
    fn split(self, inner: Vec<End>) -> Vec<Bracket> {
        let ends: Vec<End> = std::iter::once(self.from.clone())
            .chain(inner)
            .chain(std::iter::once(self.to.clone()))
            .collect();
        ends.windows(2)
            .filter(|w| sites_differ(w[0].design.as_ref(), w[1].design.as_ref()))
            .map(|w| Bracket {
                from: w[0].clone(),
                to: w[1].clone(),
                ..self.clone()
            })
            .collect()
    }

    /// Where the change lies, best guess: the middle of the bracket.
    pub fn estimate(&self) -> f64 {
        (self.from.value + self.to.value) / 2.0
    }
}

/// Whether `key` takes whole numbers only (`kinds.<kind>.<key>` as its key).
fn whole_key(key: &str) -> bool {
    let base = key
        .strip_prefix("kinds.")
        .and_then(|rest| rest.split_once('.'))
        .map_or(key, |(_, k)| k);
    valid_keys()
        .iter()
        .any(|(k, v)| k == base && v.is_integer())
}

/// The axes that can be bisected: those whose every value is a number.
pub fn numeric_axes(axes: &[Axis]) -> Vec<usize> {
    (0..axes.len())
        .filter(|&a| {
            axes[a].key != MODEL_KEY && axes[a].levels.iter().all(|l| l.number().is_some())
        })
        .collect()
}

/// Every pair of neighbouring grid points along a numeric axis (the other axes fixed) whose
/// designs differ in their sites or operating models. `rows` are the sweep's, in grid order.
pub fn brackets(axes: &[Axis], rows: &[Row], tol: Tolerance) -> Vec<Bracket> {
    let sizes: Vec<usize> = axes.iter().map(|a| a.levels.len()).collect();
    let mut out = Vec::new();
    for a in numeric_axes(axes) {
        // grid order is row-major: the next level of axis a is this many rows on
        let stride: usize = sizes[a + 1..].iter().product();
        let value = |r: &Row| axes[a].levels[r.levels[a]].number().unwrap_or(0.0);
        for (i, r) in rows.iter().enumerate() {
            let Some(next) = rows.get(i + stride).filter(|_| r.levels[a] + 1 < sizes[a]) else {
                continue;
            };
            if !sites_differ(r.design.as_ref(), next.design.as_ref()) {
                continue;
            }
            let (from, to) = (End::of(value(r), r), End::of(value(next), next));
            out.push(Bracket {
                axis: a,
                levels: r.levels.clone(),
                tol: tol.width(to.value - from.value),
                whole: whole_key(&axes[a].key),
                step: out.len(),
                from,
                to,
            });
        }
    }
    out
}

/// Solves a round's values at once and returns what each gave, in order.
pub type BatchSolve<'a, E> = dyn FnMut(&[Probe]) -> Result<Vec<End>, E> + 'a;

/// Narrows every bracket until each change is located (or [`MAX_ROUNDS`] have run). Each round
/// hands all its values to `solve` at once, which returns what each gave, in order; with fewer
/// brackets than `jobs` each bracket is cut at several values a round (so `jobs` scenarios run
/// side by side), else bisected. Returns the tipping points in the order of the grid steps they
/// lie in, along the key.
pub fn locate<E>(
    brackets: Vec<Bracket>,
    jobs: usize,
    solve: &mut BatchSolve<'_, E>,
) -> Result<Vec<Bracket>, E> {
    let mut done = Vec::new();
    let mut open = brackets;
    for _ in 0..MAX_ROUNDS {
        let (ready, wide): (Vec<Bracket>, Vec<Bracket>) =
            open.into_iter().partition(Bracket::located);
        done.extend(ready);
        // beyond the cap the rest stay as wide as they are
        let (mut now, later) = (wide, Vec::new());
        let later = if now.len() > MAX_BRACKETS {
            now.split_off(MAX_BRACKETS)
        } else {
            later
        };
        done.extend(later);
        if now.is_empty() {
            open = now;
            break;
        }
        let k = (jobs / now.len()).max(1);
        let cuts: Vec<Vec<f64>> = now.iter().map(|b| b.inner(k)).collect();
        let probes: Vec<Probe> = now
            .iter()
            .zip(&cuts)
            .flat_map(|(b, values)| {
                values.iter().map(|&value| Probe {
                    axis: b.axis,
                    levels: b.levels.clone(),
                    value,
                })
            })
            .collect();
        let mut ends = solve(&probes)?.into_iter();
        open = now
            .into_iter()
            .zip(&cuts)
            .flat_map(|(b, values)| b.split(ends.by_ref().take(values.len()).collect()))
            .collect();
    }
    done.extend(open);
    // along the key within each grid step, whichever way the key runs
    done.sort_by(|x, y| {
        let along = |b: &Bracket| (b.from.value - b.to.value).signum() * -b.from.value;
        x.step.cmp(&y.step).then(along(x).total_cmp(&along(y)))
    });
    Ok(done)
}

/// Why refinement stopped before it located every change.
#[derive(Debug)]
pub enum RefineError {
    /// A midpoint's scenario could not be built.
    Input(InputErrors),
    /// Ctrl-C: the sweep's own points are kept, the refinement is dropped.
    Interrupted,
}

/// Solves midpoints as the sweep solved its grid: the same model, fixed overrides, data and
/// solver options, on the same pool of workers.
pub struct Refiner<'a> {
    pub instance: &'a Instance,
    pub model: &'a ModelSource,
    pub sets: &'a [(Override, Source)],
    pub axes: &'a [Axis],
    pub options: &'a RunOptions,
}

impl Refiner<'_> {
    /// The axes of one probe: every axis at its level, the refined one at the probe's value.
    fn probe_axes(&self, p: &Probe) -> Vec<Axis> {
        let axes = self.axes.iter().enumerate();
        axes.map(|(a, axis)| {
            let level = if a == p.axis {
                let v = p.value;
                Level::Value(if whole_key(&axis.key) && v.abs() < 9e15 {
                    toml::Value::Integer(v as i64)
                } else {
                    toml::Value::Float(v)
                })
            } else {
                axis.levels[p.levels[a]].clone()
            };
            Axis {
                levels: vec![level],
                ..axis.clone()
            }
        })
        .collect()
    }

    /// Each probe's scenario solved, in parallel; what each gave, in order.
    pub fn solve(&self, probes: &[Probe]) -> Result<Vec<End>, RefineError> {
        let mut points = Vec::with_capacity(probes.len());
        for (i, p) in probes.iter().enumerate() {
            let prepared = prepare(self.model, self.sets, &self.probe_axes(p));
            let mut point = prepared
                .map_err(RefineError::Input)?
                .pop()
                .ok_or(RefineError::Input(InputErrors(Vec::new())))?;
            point.index = i;
            point.levels.clone_from(&p.levels);
            points.push(point);
        }
        let options = RunOptions {
            logs: None,
            ..self.options.clone()
        };
        let (rows, _) = run(self.instance, &points, &options, &|_, _, _| {});
        if crate::solve::interrupted() {
            return Err(RefineError::Interrupted);
        }
        Ok(probes
            .iter()
            .zip(&rows)
            .map(|(p, r)| End::of(p.value, r))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::SiteStatus;
    use crate::sweep::design::OpenSite;

    /// The design at `x` of a key with changes at `cuts`: site "A" owned below the first cut,
    /// then franchise, then closed with "B" open, and so on, one design per stretch.
    fn design_at(x: f64, cuts: &[f64]) -> End {
        let k = cuts.iter().filter(|&&c| x >= c).count();
        let status = if k % 2 == 0 {
            SiteStatus::Owned
        } else {
            SiteStatus::Franchise
        };
        let site = OpenSite {
            id: format!("S{}", k / 2),
            status,
            platforms: 1,
        };
        End {
            value: x,
            design: Some(Design { sites: vec![site] }),
            objective: Some(x),
        }
    }

    fn bracket(from: f64, to: f64, cuts: &[f64], tol: f64) -> Bracket {
        Bracket {
            axis: 0,
            levels: vec![0],
            from: design_at(from, cuts),
            to: design_at(to, cuts),
            tol,
            whole: false,
            step: 0,
        }
    }

    fn run_on(b: Bracket, cuts: &[f64]) -> (Vec<Bracket>, usize) {
        let mut solved = 0;
        let mut solve = |probes: &[Probe]| -> Result<Vec<End>, ()> {
            solved += probes.len();
            Ok(probes.iter().map(|p| design_at(p.value, cuts)).collect())
        };
        (locate(vec![b], 1, &mut solve).unwrap(), solved)
    }

    #[test]
    fn one_change_is_located_within_the_tolerance_in_log2_rounds() {
        let cuts = [2.737];
        let (found, solved) = run_on(bracket(2.5, 3.0, &cuts, 0.005), &cuts);
        assert_eq!(found.len(), 1);
        let b = &found[0];
        assert!(b.located() && (b.to.value - b.from.value).abs() <= 0.005);
        assert!(b.from.value < 2.737 && 2.737 <= b.to.value, "{b:?}");
        assert_eq!(solved, 7, "0.5 halved to 0.005 takes 7 midpoints");
    }

    #[test]
    fn with_three_jobs_each_round_cuts_a_bracket_in_four() {
        let cuts = [2.737];
        let mut rounds = 0;
        let mut solve = |probes: &[Probe]| -> Result<Vec<End>, ()> {
            rounds += 1;
            assert_eq!(probes.len(), 3);
            Ok(probes.iter().map(|p| design_at(p.value, &cuts)).collect())
        };
        let found = locate(vec![bracket(2.5, 3.0, &cuts, 0.005)], 3, &mut solve).unwrap();
        assert_eq!(found.len(), 1);
        assert!(found[0].from.value < 2.737 && 2.737 <= found[0].to.value);
        assert_eq!(rounds, 4, "0.5 / 4^4 < 0.005 < 0.5 / 4^3");
    }

    #[test]
    fn a_midpoint_unlike_both_ends_splits_and_each_change_is_found_in_order() {
        let cuts = [1.3, 1.9, 2.6];
        // running down the key: the changes come out in the order the key runs
        let (found, _) = run_on(bracket(3.0, 1.0, &cuts, 0.01), &cuts);
        let at: Vec<f64> = found.iter().map(Bracket::estimate).collect();
        assert_eq!(at.len(), 3, "{at:?}");
        for (x, cut) in at.iter().zip([2.6, 1.9, 1.3]) {
            assert!((x - cut).abs() <= 0.01, "{at:?}");
        }
    }

    #[test]
    fn a_whole_number_key_stops_at_neighbouring_values() {
        let cuts = [6.0];
        let mut b = bracket(2.0, 12.0, &cuts, 0.1);
        b.whole = true;
        let (found, _) = run_on(b, &cuts);
        assert_eq!((found[0].from.value, found[0].to.value), (5.0, 6.0));
    }

    #[test]
    fn tolerances_parse_as_a_share_or_a_width_and_refuse_the_rest() {
        assert_eq!(Tolerance::parse("1%"), Ok(Tolerance::Share(0.01)));
        assert_eq!(Tolerance::parse("5000"), Ok(Tolerance::Absolute(5000.0)));
        for bad in ["0", "-1", "100%", "0%", "x", "inf", "NaN", ""] {
            let e = Tolerance::parse(bad).unwrap_err();
            assert!(e.starts_with("E420"), "{bad}: {e}");
        }
    }
}
