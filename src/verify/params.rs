//! The scenario's parameters by their DESIGN §4 keys, the per-site parameters in force, and the
//! annuity that spreads a setup cost over its years.

use serde_json::Value;

/// The scenario's parameters, read by their DESIGN §4 keys.
pub(super) struct Params<'a> {
    pub(super) scenario: &'a Value,
    pub(super) missing: std::cell::RefCell<Vec<String>>,
}

impl<'a> Params<'a> {
    /// A base key such as `transport.circuity`; booleans read as 0/1.
    pub(super) fn get(&self, key: &str) -> f64 {
        let mut v = self.scenario;
        for part in key.split('.') {
            v = &v[part];
        }
        match v {
            Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
            Value::Bool(b) => f64::from(u8::from(*b)),
            _ => {
                self.missing.borrow_mut().push(key.to_string());
                f64::NAN
            }
        }
    }

    pub(super) fn flag(&self, key: &str) -> bool {
        self.get(key) != 0.0
    }

    /// The key's dotted name for sites of `kind`: `kinds.<kind>.<key>` where the kind overrides it.
    pub(super) fn name(&self, kind: &str, key: &str) -> String {
        if self.scenario["kinds"][kind].get(key).is_some() {
            format!("kinds.{kind}.{key}")
        } else {
            key.to_string()
        }
    }

    /// A site/platform/batch/time key as it applies to sites of `kind`.
    pub(super) fn kind(&self, kind: &str, key: &str) -> f64 {
        match self.scenario["kinds"][kind].get(key) {
            Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
            Some(_) => {
                self.missing
                    .borrow_mut()
                    .push(format!("kinds.{kind}.{key}"));
                f64::NAN
            }
            None => self.get(key),
        }
    }
}

/// Capital recovery factor r(1+r)^L / ((1+r)^L - 1); 1/L at r = 0.
pub(super) fn crf(rate: f64, years: f64) -> f64 {
    if rate == 0.0 {
        1.0 / years
    } else {
        let g = (1.0 + rate).powf(years);
        rate * g / (g - 1.0)
    }
}

/// Per-site parameters in force (the scenario for the site's kind, overridden by sites.csv).
pub(super) struct SiteParams {
    pub(super) kind: &'static str,
    pub(super) max_platforms: f64,
    pub(super) batches_per_platform: f64,
    /// One-off setup cost [owned, franchise] (0 for an existing site).
    pub(super) setup: [f64; 2],
    pub(super) crf: f64,
    pub(super) failure_rate: f64,
    pub(super) manufacturing_days: f64,
    pub(super) release_days: f64,
}

pub(super) const MODELS: [&str; 2] = ["owned", "franchise"];
