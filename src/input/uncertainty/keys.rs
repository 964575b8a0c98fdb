//! The keys a scenario may vary: every scenario key of DESIGN §4 that takes a number (as `--set`
//! would accept it), plus `demand.scale`; each key's valid range, for the truncated normal; and
//! a key's value in a scenario, for the expected-value scenario.

use crate::input::SiteKind;
use crate::input::error::did_you_mean;
use crate::input::ranges::{self, Range};
use crate::input::scenario::{MAX_YEARS, Scenario, valid_keys};

/// Multiplies every demand point's patients (demand points scenario_demand.csv gives patients
/// for excepted); not a parameter of [`Scenario`].
pub const DEMAND_SCALE: &str = "demand.scale";

/// demand.scale: any factor above 0.
pub const DEMAND_SCALE_RANGE: Range = Range::above(0.0, f64::INFINITY);

/// Whether a key takes a whole number (its value is written and sampled as one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Whole,
}

/// The keys a scenario may vary, with whether each is whole, in the order of [`valid_keys`]
/// and `demand.scale` first.
pub fn scenario_keys() -> Vec<(String, Kind)> {
    let mut keys = vec![(DEMAND_SCALE.to_string(), Kind::Number)];
    for (key, default) in valid_keys() {
        match default {
            toml::Value::Float(_) => keys.push((key, Kind::Number)),
            toml::Value::Integer(_) => keys.push((key, Kind::Whole)),
            _ => {}
        }
    }
    keys
}

/// The key's kind, or the message of E803 (the key is unknown, or takes no number).
pub fn lookup(keys: &[(String, Kind)], key: &str) -> Result<Kind, String> {
    if let Some((_, kind)) = keys.iter().find(|(k, _)| k == key) {
        return Ok(*kind);
    }
    if let Some((_, default)) = valid_keys().into_iter().find(|(k, _)| k == key) {
        let takes = if default.is_bool() {
            "true or false"
        } else {
            "a word"
        };
        return Err(format!(
            "{key} takes {takes}, not a number; a scenario varies keys that take a number: {}",
            key_list(keys)
        ));
    }
    let hint = did_you_mean(key, keys.iter().map(|(k, _)| k.as_str()))
        .map(|k| format!(" (did you mean {k}?)"))
        .unwrap_or_default();
    Err(format!(
        "unknown scenario key{hint}; valid keys are {}",
        key_list(keys)
    ))
}

/// The keys, compactly: every base key, then the pattern for per-kind keys (as E303 lists them).
fn key_list(keys: &[(String, Kind)]) -> String {
    let base: Vec<&str> = keys
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !k.starts_with("kinds."))
        .collect();
    format!(
        "{}, and kinds.<colocated|regional|central>.<key> for any site.*, platform.*, batch.* or \
         time.* key",
        base.join(", ")
    )
}

/// The values a key accepts (as the scenario's range checks have them); `None` for a key that
/// takes no number.
pub fn range(key: &str) -> Option<Range> {
    let base = key
        .strip_prefix("kinds.")
        .and_then(|k| k.split_once('.'))
        .map_or(key, |(_, k)| k);
    let share = Range::closed(0.0, 1.0);
    let years = |min: f64| Range::closed(min, f64::from(MAX_YEARS));
    let counts = f64::from(u32::MAX);
    let r = match base {
        DEMAND_SCALE => DEMAND_SCALE_RANGE,
        "site.max_platforms" => Range::closed(0.0, f64::from(ranges::MAX_PLATFORMS)),
        "site.amortization_years" => ranges::AMORTIZATION_YEARS,
        "site.discount_rate" | "horizon.discount_rate" => ranges::RATE,
        "platform.batches_per_year" => ranges::BATCHES_PER_PLATFORM,
        "batch.failure_rate" => ranges::FAILURE_RATE,
        "transport.circuity" => ranges::CIRCUITY,
        "transport.ground_kmh" | "transport.patient_kmh" | "transport.air_kmh" => ranges::SPEED_KMH,
        "transport.air_threshold_km" | "transport.air_handling_hours" => ranges::LIMIT,
        "transport.ground_cost_per_km" | "transport.patient_cost_per_km" => ranges::COST_PER_KM,
        "demand.in_vivo_growth" | "horizon.growth" => ranges::GROWTH,
        "demand.in_vivo_share" | "policy.min_utilization" | "policy.max_franchise_share" => share,
        "policy.min_sites" => Range::closed(0.0, counts),
        "policy.max_sites" => Range::closed(-1.0, counts),
        "horizon.years" => years(1.0),
        "horizon.lead_years" => years(0.0),
        k if k.starts_with("time.") => ranges::LIMIT,
        k if k.contains("cost") || k == "demand.unserved_penalty" => ranges::COST,
        _ => return None,
    };
    Some(r)
}

/// The key's value in `scenario` (a per-kind key: the value in force for that kind); `None` for
/// `demand.scale` and keys that take no number. A list of in vivo shares counts its first year.
pub fn value(scenario: &Scenario, key: &str) -> Option<f64> {
    let (json, path) = match key.strip_prefix("kinds.") {
        Some(rest) => {
            let (kind, path) = rest.split_once('.')?;
            let params = scenario.kind(SiteKind::parse(kind)?);
            (serde_json::to_value(params).ok()?, path)
        }
        None if key == "demand.in_vivo_share" => return Some(scenario.demand.in_vivo(0)),
        None => (scenario.to_json(), key),
    };
    let (group, leaf) = path.split_once('.')?;
    json.get(group)?.get(leaf)?.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Override;

    fn accepts(key: &str, v: f64, whole: bool) -> bool {
        let value = if whole {
            toml::Value::Integer(v as i64)
        } else {
            toml::Value::Float(v)
        };
        let o = Override {
            key: key.to_string(),
            value,
        };
        Scenario::parse("", "m.toml", &[o]).is_ok()
    }

    #[test]
    fn every_numeric_key_has_the_range_the_scenario_checks() {
        for (key, kind) in scenario_keys().into_iter().skip(1) {
            let r = range(&key).unwrap_or_else(|| panic!("{key} has no range"));
            let whole = kind == Kind::Whole;
            let step = if whole {
                1.0
            } else {
                1e-9_f64.max(r.min.abs() * 1e-9)
            };
            assert_eq!(
                accepts(&key, r.min, whole),
                !r.min_open,
                "{key} at {}",
                r.min
            );
            assert!(!accepts(&key, r.min - step, whole), "{key} below {}", r.min);
            if r.max < 1e9 {
                assert!(accepts(&key, r.max, whole), "{key} at {}", r.max);
                let above = if whole {
                    r.max + 1.0
                } else {
                    r.max * (1.0 + 1e-9)
                };
                assert!(!accepts(&key, above, whole), "{key} above {}", r.max);
            }
        }
    }

    #[test]
    fn keys_that_take_no_number_are_refused_with_a_reason() {
        let keys = scenario_keys();
        assert_eq!(lookup(&keys, "site.max_platforms"), Ok(Kind::Whole));
        assert_eq!(lookup(&keys, "demand.scale"), Ok(Kind::Number));
        let e = lookup(&keys, "policy.single_sourcing").unwrap_err();
        assert!(e.starts_with("policy.single_sourcing takes true or false, not a number; "));
        let e = lookup(&keys, "demand.scal").unwrap_err();
        assert!(
            e.starts_with(
                "unknown scenario key (did you mean demand.scale?); valid keys are demand.scale, "
            ),
            "{e}"
        );
    }

    #[test]
    fn values_are_read_from_the_scenario() {
        let s = Scenario::default();
        assert_eq!(value(&s, "batch.cost_owned"), Some(120_000.0));
        assert_eq!(value(&s, "kinds.central.batch.cost_owned"), Some(250_000.0));
        assert_eq!(
            value(&s, "kinds.regional.batch.cost_owned"),
            Some(120_000.0)
        );
        assert_eq!(value(&s, "site.max_platforms"), Some(3.0));
        assert_eq!(value(&s, "demand.in_vivo_share"), Some(0.0));
        assert_eq!(value(&s, "policy.single_sourcing"), None);
        for (key, _) in scenario_keys().into_iter().skip(1) {
            assert!(value(&s, &key).is_some(), "{key}");
        }
    }
}
