//! The Summary sheet: one row per figure, by section: where the plan came from, the solver's
//! status and gap, the cost lines, the KPIs, a two-stage plan's measures, and every scenario
//! parameter under its key (DESIGN §4).

use super::sheet::{Col, Kind, Value, col};
use crate::model::CostLine;
use crate::plan::Plan;
use serde_json::Value as Json;

pub const COLUMNS: &[Col] = &[
    col("section", Kind::Text),
    col("item", Kind::Text),
    col("value", Kind::General),
];

type Row<'a> = Vec<Value<'a>>;

fn line<'a>(section: &'static str, item: impl Into<String>, value: Value<'a>) -> Row<'a> {
    vec![Value::Text(section), Value::Owned(item.into()), value]
}

fn money(v: Option<f64>) -> Value<'static> {
    v.map_or(Value::Blank, |v| Value::Typed(v, Kind::Usd))
}

pub fn rows(plan: &Plan) -> Vec<Row<'_>> {
    let i = &plan.instance;
    let s = &plan.solver;
    let mut rows = vec![
        line(
            "plan",
            "cartnet_version",
            Value::Text(&plan.cartnet_version),
        ),
        line("plan", "data", Value::Text(&i.data)),
        line("plan", "model", Value::Text(&i.model)),
        line(
            "plan",
            "digest",
            Value::Text(i.digest.as_deref().unwrap_or("")),
        ),
        line("solver", "status", Value::Text(s.status.as_str())),
        line("solver", "objective", money(s.objective)),
        line("solver", "best_bound", money(s.best_bound)),
        line(
            "solver",
            "gap",
            s.gap.map_or(Value::Blank, |g| Value::Typed(g, Kind::Share)),
        ),
        line("solver", "seconds", Value::Typed(s.seconds, Kind::Number)),
        line("cost", "total", money(Some(plan.cost.total))),
    ];
    for l in CostLine::ALL {
        rows.push(line("cost", l.key(), money(Some(plan.cost.get(l)))));
    }
    let kpis = serde_json::to_value(&plan.kpis).unwrap_or_default();
    rows.extend(figures("kpis", &kpis));
    if let Some(st) = &plan.stochastic {
        let mut measures = serde_json::to_value(st).unwrap_or_default();
        if let Some(m) = measures.as_object_mut() {
            m.remove("regret");
        }
        rows.extend(figures("stochastic", &measures));
    }
    let mut keys = Vec::new();
    flatten("", &plan.scenario, &mut keys);
    rows.extend(keys.into_iter().map(|(k, v)| line("scenario", k, v)));
    rows
}

/// The kind of a figure of the KPIs or the two-stage measures, by its name.
fn kind_of(key: &str) -> Kind {
    match key {
        "coverage" | "cvar_alpha" | "risk_weight" => Kind::Share,
        "rp" | "ws" | "eev" | "vss" | "evpi" | "cvar" | "objective" | "cost_per_patient" => {
            Kind::Usd
        }
        _ => Kind::Number,
    }
}

/// One row per figure of a JSON object (nested objects under their dotted key).
fn figures(section: &'static str, object: &Json) -> Vec<Row<'static>> {
    let mut flat = Vec::new();
    flatten("", object, &mut flat);
    flat.into_iter()
        .map(|(key, value)| {
            let last = key.rsplit('.').next().unwrap_or(&key).to_string();
            let value = match value {
                Value::Typed(v, _) => Value::Typed(v, kind_of(&last)),
                other => other,
            };
            line(section, key, value)
        })
        .collect()
}

/// Every leaf of `json` under its dotted key: numbers as numbers, lists as their JSON text.
fn flatten(prefix: &str, json: &Json, out: &mut Vec<(String, Value<'static>)>) {
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match json {
        Json::Object(map) => map.iter().for_each(|(k, v)| flatten(&key(k), v, out)),
        Json::Number(n) => out.push((
            prefix.to_string(),
            n.as_f64()
                .map_or(Value::Blank, |v| Value::Typed(v, Kind::General)),
        )),
        Json::String(s) => out.push((prefix.to_string(), Value::Owned(s.clone()))),
        Json::Bool(b) => out.push((prefix.to_string(), Value::Owned(b.to_string()))),
        Json::Null => out.push((prefix.to_string(), Value::Blank)),
        Json::Array(_) => out.push((prefix.to_string(), Value::Owned(json.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_are_dotted_and_lists_kept_as_text() {
        let json = serde_json::json!({"site": {"max_platforms": 3}, "kinds": {"central":
            {"batch": {"cost_owned": 250000}}}, "demand": {"in_vivo_share": [0.1, 0.2]}});
        let mut out = Vec::new();
        flatten("", &json, &mut out);
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "site.max_platforms",
                "kinds.central.batch.cost_owned",
                "demand.in_vivo_share"
            ]
        );
        assert!(matches!(&out[2].1, Value::Owned(t) if t == "[0.1,0.2]"));
    }
}
