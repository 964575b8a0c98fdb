//! The value check of every key (E305), made from the table of `keys.rs`.

use super::keys::{KEYS, Key, SHARE, Valid};
use super::kinds::KIND_GROUPS;
use super::tree::get_dotted;
use super::{MAX_YEARS, Scenario};
use crate::input::error::{Code, InputError, InputErrors};
use crate::input::ranges;

impl Scenario {
    /// Checks every value against what its key accepts (see [`KEYS`]): the base groups' values,
    /// then each kind's own overrides, then the keys no kind may override.
    pub(super) fn check_ranges(&self, file: &str) -> Result<(), InputErrors> {
        let all = self.groups_table();
        let per_kind = |k: &&Key| KIND_GROUPS.contains(&k.group());
        let mut errors = Vec::new();
        for k in KEYS.iter().filter(per_kind) {
            errors.extend(value_errors(k, k.key, &all, &all, file));
        }
        for (kind, params) in &self.kinds {
            let Some(own) = self.kind_overrides.get(kind).filter(|o| !o.is_empty()) else {
                continue;
            };
            let values = toml::Table::try_from(params).expect("plain values");
            // a kind's value inherited from the base group is checked (and reported) there
            for k in KEYS
                .iter()
                .filter(per_kind)
                .filter(|k| own.contains_key(k.key))
            {
                let column = format!("kinds.{}.{}", kind.as_str(), k.key);
                errors.extend(value_errors(k, &column, &values, &all, file));
            }
        }
        for k in KEYS.iter().filter(|k| !per_kind(k)) {
            errors.extend(value_errors(k, k.key, &all, &all, file));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(InputErrors(errors))
        }
    }
}

/// The problems with the value of `k` in `values`, reported in `column`; `all` is the whole
/// scenario, for the checks that compare keys.
fn value_errors(
    k: &Key,
    column: &str,
    values: &toml::Table,
    all: &toml::Table,
    file: &str,
) -> Vec<InputError> {
    let value = get_dotted(values, k.key).expect("every key has a value");
    let mut errors = Vec::new();
    let mut check = |v: f64, ok: bool, expected: &str| {
        if !ok || !v.is_finite() {
            let message = format!("{} is out of range: expected {expected}", ranges::show(v));
            errors.push(InputError::new(Code::BadValue, file, message).in_column(column));
        }
    };
    let v = number(value);
    match k.valid {
        Valid::In(range) | Valid::YearlyRate(range) => {
            check(v, range.contains(v), &k.valid.expected())
        }
        Valid::Years { min } => check(
            v,
            (f64::from(min)..=f64::from(MAX_YEARS)).contains(&v),
            &k.valid.expected(),
        ),
        Valid::NoLimitOrCount => check(v, v >= -1.0, &k.valid.expected()),
        Valid::ShareOrList => match value.as_array() {
            None => check(v, SHARE.contains(v), &k.valid.expected()),
            Some(list) => {
                for v in list.iter().map(number) {
                    check(v, SHARE.contains(v), "shares in [0, 1]");
                }
                errors.extend(share_list_length(list.len(), all, file));
            }
        },
        Valid::AtMostMaxSites => errors.extend(min_above_max_sites(all, file)),
        Valid::OneOf { words, what } => {
            let word = value.as_str().unwrap_or_default();
            if !words.contains(&word) {
                let message = format!("\"{word}\" is not {what}: expected {}", k.valid.expected());
                errors.push(InputError::new(Code::BadValue, file, message).in_column(column));
            }
        }
        Valid::Flag => {}
    }
    errors
}

/// A number as the checks compare it (a whole number as its f64).
fn number(value: &toml::Value) -> f64 {
    match value {
        toml::Value::Integer(i) => *i as f64,
        v => v.as_float().unwrap_or(f64::NAN),
    }
}

/// A whole number of the scenario, by key.
fn whole(all: &toml::Table, key: &str) -> i64 {
    get_dotted(all, key)
        .and_then(toml::Value::as_integer)
        .expect("a whole-number key")
}

/// E305 when a list of in vivo shares does not give one per horizon year.
fn share_list_length(len: usize, all: &toml::Table, file: &str) -> Option<InputError> {
    let years = whole(all, "horizon.years");
    (len as i64 != years).then(|| {
        InputError::new(
            Code::BadValue,
            file,
            format!(
                "a list of {len} shares for a horizon of {years} years: give one per year, \
                 or one number and demand.in_vivo_growth"
            ),
        )
        .in_column("demand.in_vivo_share")
    })
}

/// E305 when `policy.min_sites` is above a `policy.max_sites` that has a limit.
fn min_above_max_sites(all: &toml::Table, file: &str) -> Option<InputError> {
    let (min, max) = (
        whole(all, "policy.min_sites"),
        whole(all, "policy.max_sites"),
    );
    (max >= 0 && min > max).then(|| {
        InputError::new(
            Code::BadValue,
            file,
            format!("policy.min_sites ({min}) is greater than policy.max_sites ({max})"),
        )
    })
}
