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

use super::keys::{self, DEMAND_SCALE, Kind};
use super::model_table::{TABLE, Uncertainty, line_of, locate, read};
use super::{BaseModel, Risk, ScenarioSet, ScenarioSpec, check, rng};
use crate::input::error::{Code, InputError, InputErrors};
use crate::input::ranges::Range;
use crate::input::{Instance, Override};

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

#[cfg(test)]
mod tests {
    use super::super::dist::Dist;
    use super::super::fixture::{one, sampled, table};
    use super::*;
    use crate::input::Scenario;

    const MODEL: &str = "[site]\nmax_platforms = 3\n\n[uncertainty]\nsamples = 4\nseed = 7\n\
                         \"demand.scale\" = { dist = \"lognormal\", median = 1.0, sigma = 0.25 }\n\
                         batch.cost_owned = { dist = \"triangular\", low = 100000, mode = 120000, high = 180000 }\n\
                         \"site.max_platforms\" = { dist = \"discrete\", values = [2, 3, 4], weights = [1, 2, 1] }\n";

    #[test]
    fn the_scenario_parser_ignores_the_uncertainty_table() {
        let s = Scenario::parse(MODEL, "m.toml", &[]).unwrap();
        assert_eq!(s, Scenario::default());
    }

    #[test]
    fn no_table_or_a_risk_only_table_gives_no_samples() {
        assert_eq!(sampled("[site]\nmax_platforms = 2\n"), Ok(None));
        let risk = table("cvar_alpha = 0.95\nrisk_weight = 1");
        assert_eq!(sampled(&risk), Ok(None));
        assert_eq!(
            risk_from_model_toml(&risk, "m.toml"),
            Ok(Some(Risk {
                cvar_alpha: 0.95,
                risk_weight: 1.0
            }))
        );
    }

    #[test]
    fn samples_are_equally_likely_with_ids_and_the_origin() {
        let set = sampled(MODEL).unwrap().unwrap();
        let ids: Vec<&str> = set.scenarios.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s001", "s002", "s003", "s004"]);
        assert!(set.scenarios.iter().all(|s| s.probability == 0.25));
        assert_eq!(set.origin, "sampled: 4 samples, seed 7");
        assert_eq!(set.risk, None);
        let wide =
            table("samples = 1000\n\"demand.scale\" = { dist = \"uniform\", low = 0.5, high = 2 }");
        let set = from_model_toml(&wide, "m.toml", &[], None)
            .unwrap()
            .unwrap();
        assert_eq!(set.scenarios[999].id, "s1000");
        assert_eq!(set.scenarios[0].id, "s0001");
    }

    #[test]
    fn the_same_seed_gives_the_same_samples_and_a_fixed_seed_gives_these() {
        let a = sampled(MODEL).unwrap().unwrap();
        assert_eq!(a, sampled(MODEL).unwrap().unwrap());
        let b = sampled(&MODEL.replace("seed = 7", "seed = 8"))
            .unwrap()
            .unwrap();
        assert_ne!(a.scenarios, b.scenarios);
        // the keys are drawn from their own streams: their order in the file does not matter
        let reordered = "[uncertainty]\n\
             \"site.max_platforms\" = { dist = \"discrete\", values = [2, 3, 4], weights = [1, 2, 1] }\n\
             seed = 7\n\
             batch.cost_owned = { dist = \"triangular\", low = 100000, mode = 120000, high = 180000 }\n\
             samples = 4\n\
             \"demand.scale\" = { dist = \"lognormal\", median = 1.0, sigma = 0.25 }\n";
        assert_eq!(a, sampled(reordered).unwrap().unwrap());
        let first: Vec<(f64, String)> = a
            .scenarios
            .iter()
            .map(|s| {
                let o: Vec<String> = s
                    .overrides
                    .iter()
                    .map(|o| format!("{}={}", o.key, o.value))
                    .collect();
                (s.demand_scale, o.join(" "))
            })
            .collect();
        assert_eq!(first, PINNED.map(|(s, o)| (s, o.to_string())));
    }

    /// Seed 7's samples: a change here changes every sampled plan.
    const PINNED: [(f64, &str); 4] = [
        (1.3562, "batch.cost_owned=121204.0 site.max_platforms=3"),
        (1.03367, "batch.cost_owned=132487.0 site.max_platforms=3"),
        (1.32911, "batch.cost_owned=139690.0 site.max_platforms=4"),
        (0.71554, "batch.cost_owned=140319.0 site.max_platforms=2"),
    ];

    #[test]
    fn a_sample_is_drawn_alone_as_in_the_set_so_any_order_or_thread_gives_it() {
        let set = sampled(MODEL).unwrap().unwrap();
        let u = read(MODEL, "m.toml").unwrap().unwrap();
        for i in [3, 0, 2, 1] {
            assert_eq!(draw(&u, i, 4), set.scenarios[i as usize]);
        }
    }

    #[test]
    fn values_keep_6_significant_digits() {
        assert_eq!(round_significant(123_456_789.0), 123_457_000.0);
        assert_eq!(round_significant(0.123_456_789), 0.123_457);
        assert_eq!(round_significant(-2.5e-7), -2.5e-7);
        assert_eq!(round_significant(0.0), 0.0);
        let set = sampled(MODEL).unwrap().unwrap();
        for s in &set.scenarios {
            assert_eq!(s.demand_scale, round_significant(s.demand_scale));
        }
    }

    /// The mean of 10,000 draws of `dist` (as sample 0..10,000 of a key).
    fn mean_of(dist: &Dist, range: Range) -> f64 {
        let n = 10_000;
        (0..n)
            .map(|i| dist.sample(&mut rng::stream(11, i, "k"), range))
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn each_distribution_has_its_mean_over_10000_draws() {
        let wide = Range::closed(-1e12, 1e12);
        for (dist, sd) in [
            (
                Dist::Lognormal {
                    median: 1.0,
                    sigma: 0.25,
                },
                0.26,
            ),
            (
                Dist::Uniform {
                    low: 2.0,
                    high: 4.0,
                },
                0.58,
            ),
            (
                Dist::Triangular {
                    low: 1.0,
                    mode: 2.0,
                    high: 6.0,
                },
                1.08,
            ),
            (Dist::Normal { mean: 5.0, sd: 2.0 }, 2.0),
            (
                Dist::Discrete {
                    values: vec![1.0, 2.0, 10.0],
                    weights: vec![1.0, 2.0, 1.0],
                },
                3.4,
            ),
        ] {
            let m = mean_of(&dist, wide);
            // within 4 standard errors
            let tolerance = 4.0 * sd / 100.0;
            assert!(
                (m - dist.mean()).abs() < tolerance,
                "{dist:?}: {m} vs {}",
                dist.mean()
            );
        }
    }

    #[test]
    fn a_truncated_normal_stays_in_the_keys_range_with_the_truncated_mean() {
        let range = keys::range("batch.failure_rate").unwrap();
        let dist = Dist::Normal {
            mean: 0.85,
            sd: 0.2,
        };
        let draws: Vec<f64> = (0..10_000)
            .map(|i| dist.sample(&mut rng::stream(3, i, "batch.failure_rate"), range))
            .collect();
        assert!(draws.iter().all(|v| range.contains(*v)));
        // the mean of N(0.85, 0.2) truncated to [0, 0.9]: mu - sd (pdf(b) - pdf(a)) / (cdf(b) - cdf(a))
        let pdf = |z: f64| (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let (a, b) = ((0.0 - 0.85) / 0.2, (0.9 - 0.85) / 0.2);
        let exact = 0.85
            - 0.2 * (pdf(b) - pdf(a)) / (super::super::dist::phi(b) - super::super::dist::phi(a));
        let m = draws.iter().sum::<f64>() / 1e4;
        assert!((m - exact).abs() < 0.005, "{m} vs {exact}");
        // and through [uncertainty]: every sample builds
        let text = table(
            "samples = 200\nbatch.failure_rate = { dist = \"normal\", mean = 0.85, sd = 0.2 }",
        );
        assert!(sampled(&text).unwrap().is_some());
    }

    #[test]
    fn whole_number_keys_are_drawn_as_whole_numbers() {
        let text =
            table("samples = 50\n\"site.max_platforms\" = { dist = \"normal\", mean = 3, sd = 2 }");
        let set = sampled(&text).unwrap().unwrap();
        for s in &set.scenarios {
            let v = s.overrides[0].value.as_integer().unwrap();
            assert!((0..=1000).contains(&v));
        }
    }

    #[test]
    fn a_sample_outside_its_keys_range_is_located_at_its_entry() {
        let text = table(
            "samples = 20\nseed = 1\n\n\"batch.failure_rate\" = { dist = \"lognormal\", median = 0.5, sigma = 1 }",
        );
        let e = one(&text);
        assert!(
            e.starts_with("E305 m.toml:5: column uncertainty.batch.failure_rate: sample s0"),
            "{e}"
        );
        assert!(
            e.contains("is out of range: expected a number in [0, 0.9] ("),
            "{e}"
        );
        assert!(e.ends_with("of 20 samples fail a check)"), "{e}");
    }
}
