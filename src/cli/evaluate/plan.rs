//! What `cartnet evaluate` takes from plan.json: the design (the plan's sites, by id, mapped onto
//! the instance) and the scenario the plan was made under (the base its futures change).

use cartnet::input::{Instance, OpModel};
use cartnet::model::Design;
use cartnet::text::printable;
use serde_json::Value;
use std::collections::HashMap;

/// Why plan.json holds no design of one year that evaluate can fix: not a plan, or a plan of
/// several years (a build schedule, not one network).
pub fn check_shape(plan: &Value) -> Result<(), String> {
    if !plan["sites"].is_array() || !plan["scenario"].is_object() {
        return Err("is not a cartnet plan: it has no sites list or no scenario".into());
    }
    let years = plan["scenario"]["horizon"]["years"].as_u64().unwrap_or(1);
    let yearly = plan["years"].as_array().is_some_and(|y| !y.is_empty());
    if years > 1 || yearly {
        return Err(format!(
            "is a plan of {years} years: evaluate fixes the design of a single-year or two-stage \
             plan (a horizon's build schedule is not one network); evaluate the plan of one year"
        ));
    }
    Ok(())
}

/// The design the plan's `sites` give, in the instance's order: each id must be a site of the
/// instance, listed once, with a status and, when open, its platforms. A site of the instance
/// the plan does not list is closed; the second value counts those.
pub fn design(plan: &Value, instance: &Instance) -> Result<(Design, usize), Vec<String>> {
    let index: HashMap<&str, usize> = instance
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut sites: Vec<Option<Option<(OpModel, u32)>>> = vec![None; instance.sites.len()];
    let mut errors = Vec::new();
    let listed = plan["sites"].as_array().map_or(&[][..], Vec::as_slice);
    for (i, entry) in listed.iter().enumerate() {
        let Some(id) = entry["id"].as_str() else {
            errors.push(format!("sites[{i}] has no id"));
            continue;
        };
        let shown = printable(id);
        let Some(&at) = index.get(id) else {
            errors.push(format!(
                "site {shown} (sites[{i}]) is not a site of the data"
            ));
            continue;
        };
        if sites[at].is_some() {
            errors.push(format!("site {shown} is listed twice (sites[{i}])"));
            continue;
        }
        match decision(entry) {
            Ok(d) => sites[at] = Some(d),
            Err(why) => errors.push(format!("site {shown} (sites[{i}]): {why}")),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let unlisted = sites.iter().filter(|s| s.is_none()).count();
    let sites = sites.into_iter().map(Option::flatten).collect();
    Ok((Design { sites }, unlisted))
}

/// One site's status and platforms.
fn decision(entry: &Value) -> Result<Option<(OpModel, u32)>, String> {
    let model = match entry["status"].as_str() {
        Some("closed") => return Ok(None),
        Some("owned") => OpModel::Owned,
        Some("franchise") => OpModel::Franchise,
        _ => {
            return Err(format!(
                "status {} is not owned, franchise or closed",
                entry["status"]
            ));
        }
    };
    let platforms = entry["platforms"]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| {
            format!(
                "platforms {} is not a whole number of platforms",
                entry["platforms"]
            )
        })?;
    Ok(Some((model, platforms)))
}

/// The plan's recorded scenario (its effective parameters, as `Scenario::to_json` writes them)
/// as scenario TOML, so that the futures change it as they would change a model file. The
/// per-kind overrides, recorded by dotted key, become nested tables (`[kinds.central.batch]`).
pub fn scenario_toml(recorded: &Value) -> Result<String, String> {
    let Some(groups) = recorded.as_object() else {
        return Err("records no scenario".into());
    };
    let mut table = toml::Table::new();
    for (group, value) in groups {
        if group == "kinds" {
            table.insert(group.clone(), toml::Value::Table(kinds(value)?));
            continue;
        }
        let v = toml::Value::try_from(value)
            .map_err(|e| format!("scenario.{group} cannot be read as scenario keys: {e}"))?;
        table.insert(group.clone(), v);
    }
    toml::to_string(&table).map_err(|e| format!("its scenario cannot be written as TOML: {e}"))
}

/// `kinds` of a recorded scenario: per kind, its overrides by dotted key, nested.
fn kinds(recorded: &Value) -> Result<toml::Table, String> {
    let mut out = toml::Table::new();
    let Some(kinds) = recorded.as_object() else {
        return Ok(out);
    };
    for (kind, overrides) in kinds {
        let mut nested = toml::Table::new();
        for (key, value) in overrides.as_object().into_iter().flatten() {
            let v = toml::Value::try_from(value)
                .map_err(|e| format!("scenario.kinds.{kind}.{key} is not a scenario value: {e}"))?;
            insert_dotted(&mut nested, key, v);
        }
        if !nested.is_empty() {
            out.insert(kind.clone(), toml::Value::Table(nested));
        }
    }
    Ok(out)
}

/// Puts `value` at the dotted `key` of `table`, making the tables on the way.
fn insert_dotted(table: &mut toml::Table, key: &str, value: toml::Value) {
    match key.split_once('.') {
        None => {
            table.insert(key.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = table
                .entry(head.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(t) = entry {
                insert_dotted(t, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartnet::input::Scenario;

    /// The baseline as plan.json records it comes back as the same scenario, per-kind
    /// overrides included.
    #[test]
    fn a_recorded_scenario_reads_back_as_itself() {
        let base = Scenario::default();
        let mut recorded = base.to_json();
        recorded["kinds"]["central"]["batch.cost_owned"] = serde_json::json!(777000);
        let text = scenario_toml(&recorded).unwrap();
        let back = Scenario::parse(&text, "plan.json", &[]).unwrap();
        assert_eq!(back.to_json(), recorded);
    }

    #[test]
    fn a_scenario_with_a_null_is_refused() {
        let mut recorded = Scenario::default().to_json();
        recorded["site"]["max_platforms"] = Value::Null;
        assert!(scenario_toml(&recorded).is_err());
    }
}
