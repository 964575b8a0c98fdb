//! The row of key figures at the top of the page, and the solver's card beside the map.

use super::{discount_rate, esc, final_year, finite_num, num_or_zero};
use crate::text::{grouped, percent, usd};
use serde_json::Value;
use std::fmt::Write;

/// A key figure: its label, its value and the note under it.
type Card = (String, String, String);

/// The key figures, one card each.
pub(super) fn kpis(h: &mut String, plan: &Value) {
    h.push_str("<section class=\"kpis\">\n");
    for (label, value, note) in cards(plan) {
        let _ = writeln!(
            h,
            "<div class=\"kpi\"><div class=\"k-label\">{}</div><div class=\"k-value\">{}</div>\
             <div class=\"k-note\">{}</div></div>",
            esc(&label),
            esc(&value),
            esc(&note)
        );
    }
    h.push_str("</section>\n");
}

/// The cost card: the net present value of a multi-year plan, the annual cost of a single year.
fn cost_card(plan: &Value) -> Card {
    let total = finite_num(&plan["cost"]["total"]).map_or("n/a".into(), usd);
    match final_year(plan) {
        Some(y) => (
            "Net present value".to_string(),
            total,
            format!(
                "USD over {y} years at {} a year, the unmet-demand penalty included",
                discount_rate(plan)
            ),
        ),
        None => (
            "Annual cost".to_string(),
            total,
            "USD per year, all lines, the unmet-demand penalty included".to_string(),
        ),
    }
}

/// The cards in the order shown: cost, cost per patient, coverage, sites, platforms,
/// vein-to-vein (the figures after the cost are of the final year of a horizon).
fn cards(plan: &Value) -> [Card; 6] {
    let k = &plan["kpis"];
    let days = |v: &Value| finite_num(v).map_or("n/a".into(), |d| format!("{} d", grouped(d, 1)));
    let in_year = final_year(plan).map_or(String::new(), |y| format!(" in year {y}"));
    [
        cost_card(plan),
        (
            "Cost per patient".to_string(),
            finite_num(&k["cost_per_patient"]).map_or("n/a".into(), usd),
            "per patient served, the unmet-demand penalty excluded".to_string(),
        ),
        (
            "Coverage".to_string(),
            finite_num(&k["coverage"]).map_or("n/a".into(), percent),
            format!(
                "{} of {} patients a year{in_year}",
                grouped(num_or_zero(&k["patients_served"]), 1),
                grouped(num_or_zero(&k["patients_demand"]), 1)
            ),
        ),
        (
            format!("Sites open{in_year}"),
            grouped(num_or_zero(&k["sites_open"]), 0),
            format!(
                "{} owned · {} franchise",
                grouped(num_or_zero(&k["owned"]), 0),
                grouped(num_or_zero(&k["franchise"]), 0)
            ),
        ),
        (
            "Platforms".to_string(),
            grouped(num_or_zero(&k["platforms"]), 0),
            format!("{} batches a year", grouped(num_or_zero(&k["batches"]), 1)),
        ),
        (
            "Vein-to-vein".to_string(),
            days(&k["mean_vein_to_vein_days"]),
            format!("mean · max {}", days(&k["max_vein_to_vein_days"])),
        ),
    ]
}

/// The solver's status, objective, bound and gap, its time, and the size of the model.
pub(super) fn solver_card(h: &mut String, plan: &Value, status: &str) {
    let solver = &plan["solver"];
    let counts = &plan["instance"]["counts"];
    let money = |v: &Value| finite_num(v).map_or("n/a".into(), usd);
    let gap =
        finite_num(&solver["gap"]).map_or("n/a".into(), |g| format!("{} %", grouped(g * 100.0, 4)));
    let rows = [
        (
            "Status",
            format!(
                "<span class=\"pill st-{}\">{}</span>",
                esc(status),
                esc(&status.replace('_', " "))
            ),
        ),
        ("Objective", esc(&money(&solver["objective"]))),
        ("Best bound", esc(&money(&solver["best_bound"]))),
        ("Gap", esc(&gap)),
        (
            "Solve time",
            format!("{} s", grouped(num_or_zero(&solver["seconds"]), 2)),
        ),
        (
            "Arcs",
            format!(
                "{} patient · {} cell",
                grouped(num_or_zero(&counts["patient_arcs"]), 0),
                grouped(num_or_zero(&counts["cell_arcs"]), 0)
            ),
        ),
        (
            "Model",
            format!(
                "{} variables · {} constraints",
                grouped(num_or_zero(&counts["variables"]), 0),
                grouped(num_or_zero(&counts["constraints"]), 0)
            ),
        ),
    ];
    h.push_str("<div class=\"card\"><h2>Solver</h2><table class=\"kv\">");
    for (k, v) in rows {
        let _ = write!(h, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    h.push_str("</table></div>\n");
}
