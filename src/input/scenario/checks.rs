//! The key and type checks of a scenario file and of `--set`: every key exists and has the
//! type of its default; each problem located at its line.

use super::super::SiteKind;
use super::Override;
use super::keys::{self, Valid};
use super::kinds::{KIND_GROUPS, NOT_PER_KIND};
use super::params::*;
use super::tree::{empty_tables, leaves};
use crate::input::error::{self, Code, InputError, InputErrors, did_you_mean};

/// The base groups as a TOML table with every key at its default value.
fn default_groups() -> toml::Table {
    Groups {
        site: &SiteParams::default(),
        platform: &PlatformParams::default(),
        batch: &BatchParams::default(),
        time: &TimeParams::default(),
        transport: &TransportParams::default(),
        demand: &DemandParams::default(),
        policy: &PolicyParams::default(),
        horizon: &HorizonParams::default(),
    }
    .table()
}

/// Every valid key (`group.key`, and `kinds.<kind>.group.key`), with its default value.
pub fn valid_keys() -> Vec<(String, toml::Value)> {
    let groups = default_groups();
    let mut keys = Vec::new();
    for (g, table) in &groups {
        for (k, v) in table.as_table().unwrap() {
            keys.push((format!("{g}.{k}"), v.clone()));
        }
    }
    let base = keys.clone();
    for kind in SiteKind::ALL {
        for (key, v) in &base {
            let group = key.split('.').next().unwrap();
            if KIND_GROUPS.contains(&group) && !NOT_PER_KIND.contains(&key.as_str()) {
                keys.push((format!("kinds.{}.{key}", kind.as_str()), v.clone()));
            }
        }
    }
    keys
}

fn type_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::String(_) => "text",
        _ => "a table",
    }
}

/// Whether `given` may stand where the default is `expected`.
fn same_type(expected: &toml::Value, given: &toml::Value) -> bool {
    use toml::Value::*;
    matches!(
        (expected, given),
        (Float(_), Float(_) | Integer(_))
            | (Integer(_), Integer(_))
            | (Boolean(_), Boolean(_))
            | (String(_), String(_))
    )
}

/// Checks every key of a scenario file exists and has the right type; finds each key's line.
pub(super) fn check_keys(
    table: &toml::Table,
    file: &str,
    text: &str,
) -> Result<Vec<InputError>, InputErrors> {
    let valid = valid_keys();
    let mut given = Vec::new();
    leaves("", table, &mut given);
    let mut errors = Vec::new();
    let kinds = table.get("kinds").and_then(|k| k.as_table());
    for (kind, v) in kinds.into_iter().flatten() {
        if SiteKind::parse(kind).is_none() && v.as_table().is_some_and(|t| t.is_empty()) {
            let key = format!("kinds.{kind}");
            let e = InputError::new(
                Code::UnknownKey,
                file,
                format!(
                    "unknown site kind {}; the kinds are colocated, regional and central",
                    error::quoted(kind)
                ),
            )
            .in_column(&key);
            errors.push(match line_of(text, &key) {
                Some(line) => e.at_line(line),
                None => e,
            });
        }
    }
    // An empty table is a group or a kind with no keys, or else a key that does not exist (or a
    // key given a table).
    let mut empty = Vec::new();
    empty_tables("", table, &mut empty);
    for key in empty {
        let group = format!("{key}.");
        if valid.iter().any(|(k, _)| k.starts_with(&group))
            || errors
                .iter()
                .any(|e| e.column.as_deref() == Some(key.as_str()))
        {
            continue;
        }
        given.push((key, toml::Value::Table(toml::Table::new())));
    }
    for (key, value) in &given {
        if let Some(e) = check_one(&valid, key, value, file) {
            errors.push(match line_of(text, key) {
                Some(line) => e.at_line(line),
                None => e,
            });
        }
    }
    Ok(errors)
}

pub(super) fn check_overrides(overrides: &[Override]) -> Vec<InputError> {
    let valid = valid_keys();
    overrides
        .iter()
        .filter_map(|o| check_one(&valid, &o.key, &o.value, "--set"))
        .collect()
}

/// The problem with one key and its value, if any: an unknown key (E303), a value of the wrong
/// type (E304), or a count below 0 or above u32 (E305).
fn check_one(
    valid: &[(String, toml::Value)],
    key: &str,
    value: &toml::Value,
    file: &str,
) -> Option<InputError> {
    let list_ok = |v: &toml::Value| {
        keys::find(key).is_some_and(|k| k.valid == Valid::ShareOrList)
            && v.as_array()
                .is_some_and(|a| !a.is_empty() && a.iter().all(|x| x.is_float() || x.is_integer()))
    };
    match valid.iter().find(|(k, _)| k == key) {
        Some(_) if list_ok(value) => None,
        Some((_, default)) if same_type(default, value) => {
            count_out_of_range(default, key, value, file)
        }
        Some((_, default)) => Some(
            InputError::new(
                Code::WrongType,
                file,
                format!(
                    "{} is {}; expected {}",
                    shown(value),
                    type_name(value),
                    type_name(default)
                ),
            )
            .in_column(key),
        ),
        None => Some(unknown_key(valid, key, file)),
    }
}

/// E305 for a whole number outside a count (u32): every whole-number key is a count except
/// policy.max_sites (-1: no limit).
fn count_out_of_range(
    default: &toml::Value,
    key: &str,
    value: &toml::Value,
    file: &str,
) -> Option<InputError> {
    let no_limit = keys::find(key).is_some_and(|k| k.valid == Valid::NoLimitOrCount);
    let count = matches!(default, toml::Value::Integer(_)) && !no_limit;
    let i = value.as_integer()?;
    (count && !(0..=i64::from(u32::MAX)).contains(&i)).then(|| {
        InputError::new(
            Code::BadValue,
            file,
            format!(
                "{} is out of range: expected a whole number >= 0",
                shown(value)
            ),
        )
        .in_column(key)
    })
}

/// E303 for a key that does not exist, with the nearest valid key and the list of them.
fn unknown_key(valid: &[(String, toml::Value)], key: &str, file: &str) -> InputError {
    let why = if NOT_PER_KIND.iter().any(|k| key.ends_with(k)) && key.starts_with("kinds.") {
        " it applies to patients, not to a site kind, so it cannot be set per kind;"
    } else {
        ""
    };
    let hint = did_you_mean(key, valid.iter().map(|(k, _)| k.as_str()))
        .filter(|_| why.is_empty())
        .map(|k| format!(" (did you mean {k}?)"))
        .unwrap_or_default();
    InputError::new(
        Code::UnknownKey,
        file,
        format!("unknown key{hint};{why} valid keys are {}", key_list(valid)),
    )
    .in_column(key)
}

/// A TOML value as messages show it (`2.5`, `"yes"`), a long one cut short.
fn shown(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => error::quoted(s),
        toml::Value::Table(t) if t.is_empty() => "{}".to_string(),
        v => error::shorten(&v.to_string()).into_owned(),
    }
}

/// The valid keys, compactly: every base key, then the pattern for per-kind keys.
fn key_list(valid: &[(String, toml::Value)]) -> String {
    let base: Vec<&str> = valid
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !k.starts_with("kinds."))
        .collect();
    format!(
        "{}, and kinds.<colocated|regional|central>.<key> for any site.*, platform.*, batch.* or time.* key",
        base.join(", ")
    )
}

/// The line where a dotted key is set in the TOML text (best effort, for messages).
pub(super) fn line_of(text: &str, key: &str) -> Option<u64> {
    let (section, leaf) = key.rsplit_once('.')?;
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if let Some(h) = l.strip_prefix('[').and_then(|l| l.split(']').next()) {
            current = h.trim().to_string();
            if current == key {
                return Some(i as u64 + 1);
            }
            continue;
        }
        let Some((lhs, _)) = l.split_once('=') else {
            continue;
        };
        let full = if current.is_empty() {
            lhs.trim().to_string()
        } else {
            format!("{current}.{}", lhs.trim())
        };
        if full == key || (current == section && lhs.trim() == leaf) {
            return Some(i as u64 + 1);
        }
    }
    None
}
