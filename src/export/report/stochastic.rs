//! The "Scenarios" section of a two-stage plan: what planning for uncertainty is worth (RP, WS,
//! EEV, VSS, EVPI), the risk, each scenario's cost under the design, and the regret table.

use super::{bdi, esc, finite_num, num_or_zero, str_or_empty};
use crate::text::{percent, usd};
use serde_json::Value;
use std::fmt::Write;

/// Scenarios up to which the regret table has a column per scenario, as in the summary.
const MAX_SCENARIO_COLUMNS: usize = crate::export::summary::MAX_SCENARIO_COLUMNS;

/// Scenario rows listed; more are summarised (scenarios.csv has them all).
const MAX_SCENARIO_ROWS: usize = 50;

/// Money, or a dash when the figure is absent (a design that cannot serve a scenario).
fn money(v: &Value) -> String {
    finite_num(v).map_or("–".into(), usd)
}

/// The section, for a plan with `stochastic`; nothing otherwise.
pub(super) fn scenarios(h: &mut String, plan: &Value) {
    let st = &plan["stochastic"];
    if !st.is_object() {
        return;
    }
    let empty = Vec::new();
    let list = plan["scenarios"].as_array().unwrap_or(&empty);
    let _ = writeln!(
        h,
        "<section class=\"card\"><h2>Scenarios <span class=\"muted\">one network for {} \
         futures ({}); solved by {}, {} iteration(s)</span></h2>",
        list.len(),
        bdi(str_or_empty(&st["origin"])),
        esc(str_or_empty(&st["method"])),
        num_or_zero(&st["iterations"])
    );
    measures(h, st);
    scenario_rows(h, list);
    regret(h, st, list);
    h.push_str(
        "<p class=\"muted\">The design (the map and the sites) is the same in every scenario; \
         the figures above it are expectations over the scenarios. The flows, the hospitals' \
         volumes and the unserved demand differ by scenario: patient_flows.csv, \
         batch_flows.csv and the plan's <code>scenarios</code> list them by scenario.</p>\n",
    );
    h.push_str("</section>\n");
}

/// RP, WS, EEV, VSS and EVPI with what each means; the risk when the plan has one.
fn measures(h: &mut String, st: &Value) {
    let rows = [
        ("RP", &st["rp"], "this plan's expected cost"),
        ("WS", &st["ws"], "expected cost with perfect foresight"),
        (
            "EEV",
            &st["eev"],
            "the expected-value plan in every scenario",
        ),
        (
            "VSS = EEV − RP",
            &st["vss"],
            "what planning for the scenarios saves",
        ),
        (
            "EVPI = RP − WS",
            &st["evpi"],
            "what knowing the future would save",
        ),
    ];
    h.push_str("<table class=\"kv\"><caption>USD a year</caption>");
    for (label, v, what) in rows {
        let _ = write!(
            h,
            "<tr><th>{label}</th><td class=\"n\">{}</td><td class=\"muted\">&nbsp;{what}</td></tr>",
            money(v)
        );
    }
    h.push_str("</table>\n");
    if st["ws_proven"] == Value::Bool(false) {
        h.push_str(
            "<p class=\"muted\">Not every scenario's own optimum was proven: WS may be slightly \
             high and EVPI slightly low.</p>\n",
        );
    }
    let risk = &st["risk"];
    if risk.is_object() {
        let _ = writeln!(
            h,
            "<p>Risk: CVaR at {} of the scenario costs {}; the objective minimised, \
             (1 − λ)·E + λ·CVaR with λ = {}, is {}.</p>",
            percent(num_or_zero(&risk["cvar_alpha"])),
            money(&risk["cvar"]),
            num_or_zero(&risk["risk_weight"]),
            money(&risk["objective"])
        );
    }
}

/// Each scenario: its probability, its cost under the design, its coverage.
fn scenario_rows(h: &mut String, list: &[Value]) {
    h.push_str(
        "<table class=\"data\"><thead><tr><th>Scenario</th><th class=\"n\">Probability</th>\
         <th class=\"n\">Cost / year</th><th class=\"n\">Coverage</th></tr></thead><tbody>\n",
    );
    for s in list.iter().take(MAX_SCENARIO_ROWS) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            bdi(str_or_empty(&s["id"])),
            percent(num_or_zero(&s["probability"])),
            money(&s["cost"]["total"]),
            finite_num(&s["kpis"]["coverage"]).map_or("–".into(), percent)
        );
    }
    h.push_str("</tbody></table>\n");
    if list.len() > MAX_SCENARIO_ROWS {
        let _ = writeln!(
            h,
            "<p class=\"muted\">… and {} more scenarios (all in scenarios.csv).</p>",
            list.len() - MAX_SCENARIO_ROWS
        );
    }
}

/// The regret table: each candidate design's cost per scenario (up to
/// [`MAX_SCENARIO_COLUMNS`] scenarios), expected, worst and max regret.
fn regret(h: &mut String, st: &Value, list: &[Value]) {
    let empty = Vec::new();
    let rows = st["regret"].as_array().unwrap_or(&empty);
    if rows.is_empty() {
        return;
    }
    let per_scenario = list.len() <= MAX_SCENARIO_COLUMNS;
    h.push_str(
        "<h3>Regret <span class=\"muted\">each design's cost in the scenarios, USD a year; \
         regret is the cost above the scenario's own optimum</span></h3>\n\
         <table class=\"data\"><thead><tr><th>Design</th><th class=\"n\">Sites</th>\
         <th class=\"n\">Platforms</th>",
    );
    if per_scenario {
        for s in list {
            let _ = write!(h, "<th class=\"n\">{}</th>", bdi(str_or_empty(&s["id"])));
        }
    }
    h.push_str(
        "<th class=\"n\">Expected</th><th class=\"n\">Worst</th><th class=\"n\">Max regret</th>\
         </tr></thead><tbody>\n",
    );
    for r in rows {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            bdi(str_or_empty(&r["design"])),
            num_or_zero(&r["sites_open"]),
            num_or_zero(&r["platforms"])
        );
        if per_scenario {
            for c in r["costs"].as_array().unwrap_or(&empty) {
                let _ = write!(h, "<td class=\"n\">{}</td>", money(c));
            }
        }
        let _ = writeln!(
            h,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            money(&r["expected"]),
            money(&r["worst"]),
            money(&r["max_regret"])
        );
    }
    h.push_str("</tbody></table>\n");
}
