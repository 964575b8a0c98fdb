//! The scenario's parameters, every value in force, grouped by the keys of models/*.toml.

use super::{bdi, esc};
use crate::input::scenario::keys;
use crate::text::grouped;
use serde_json::Value;
use std::fmt::Write;

/// Whole numbers from this size on get thousands separators (costs); smaller ones, such as a
/// year count or a platform limit, read better as they are.
const GROUPED_FROM: f64 = 10_000.0;

/// A parameter's value as text; null as a dash.
fn show(v: &Value) -> String {
    match v {
        Value::Number(x) => x.as_f64().map_or_else(|| x.to_string(), num_plain),
        Value::Bool(b) => b.to_string(),
        Value::String(t) => t.clone(),
        Value::Null => "–".into(),
        other => other.to_string(),
    }
}

/// A parameter value: thousands separators for large numbers, as written otherwise.
fn num_plain(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() >= GROUPED_FROM {
        grouped(v, 0)
    } else {
        let t = format!("{v}");
        t.strip_suffix(".0").map_or(t.clone(), str::to_string)
    }
}

/// The unit of `group.key` as the key table gives it, set small after the value; nothing for a
/// key without one (a flag, a word) or that cartnet does not know.
fn unit(key: &str) -> String {
    match keys::find(key) {
        Some(k) if !k.unit.is_empty() => format!(" <span class=\"muted\">{}</span>", esc(k.unit)),
        _ => String::new(),
    }
}

/// Each group of parameters as a table, each value with its unit; the site kinds with their
/// overrides.
pub(super) fn scenario(h: &mut String, plan: &Value) {
    let scn = &plan["scenario"];
    h.push_str(
        "<section class=\"card\"><h2>Scenario parameters <span class=\"muted\">every value in \
         force, by the keys of models/*.toml</span></h2>\n<div class=\"params\">\n",
    );
    let Some(groups) = scn.as_object() else {
        h.push_str("<p>The plan records no scenario.</p></div></section>\n");
        return;
    };
    for (group, values) in groups {
        let Some(values) = values.as_object() else {
            continue;
        };
        let _ = write!(h, "<table class=\"kv\"><caption>[{}]</caption>", bdi(group));
        if group == "kinds" {
            for (kind, o) in values {
                let overrides = o.as_object().map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{} = {}{}", bdi(k), bdi(&show(v)), unit(k)))
                        .collect::<Vec<_>>()
                });
                let text = match overrides {
                    Some(list) if !list.is_empty() => list.join("<br>"),
                    _ => "<span class=\"muted\">no overrides</span>".into(),
                };
                let _ = write!(h, "<tr><th>{}</th><td>{text}</td></tr>", bdi(kind));
            }
        } else {
            for (k, v) in values {
                let _ = write!(
                    h,
                    "<tr><th>{}</th><td>{}{}</td></tr>",
                    bdi(k),
                    bdi(&show(v)),
                    unit(&format!("{group}.{k}"))
                );
            }
        }
        h.push_str("</table>\n");
    }
    h.push_str("</div></section>\n");
}
