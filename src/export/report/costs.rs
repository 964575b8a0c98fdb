//! The cost breakdown: one bar a cost line, with its amount and its share of the total.

use super::{esc, final_year, num_or_zero};
use crate::model::CostLine;
use crate::text::{grouped, usd};
use serde_json::Value;
use std::fmt::Write;

/// The chart's width in pixels: the column beside the map.
const CHART_W: f64 = 460.0;
/// Height of one cost line's row.
const ROW_H: f64 = 30.0;
/// Room left of the bars for the line's name.
const LABEL_W: f64 = 140.0;
/// Room right of the bars for the amount and its share.
const VALUE_W: f64 = 150.0;
/// Space above the first row and below the last.
const MARGIN: f64 = 5.0;
/// The bar's top below its row's top.
const BAR_TOP: f64 = 4.0;
/// How much shorter a bar is than its row, so that bars do not touch.
const BAR_GAP: f64 = 10.0;
/// A line that is not zero gets at least this long a bar, so it shows.
const MIN_BAR: f64 = 1.5;
/// The text's baseline, as a share of the row's height down from its top.
const TEXT_BASELINE: f64 = 0.55;

/// Each cost line's colour in the chart.
fn cost_colour(line: CostLine) -> &'static str {
    match line {
        CostLine::Setup => "#1d4ed8",
        CostLine::Fixed => "#3b82f6",
        CostLine::Platforms => "#60a5fa",
        CostLine::Batches => "#0d9488",
        CostLine::Transport => "#f59e0b",
        CostLine::PatientTravel => "#a855f7",
        CostLine::UnmetPenalty => "#dc2626",
    }
}

/// The card with the chart and the total: USD a year, or the net present value over a horizon.
pub(super) fn costs(h: &mut String, plan: &Value) {
    let c = &plan["cost"];
    let total = num_or_zero(&c["total"]);
    let max = CostLine::ALL
        .iter()
        .map(|line| num_or_zero(&c[line.key()]).abs())
        .fold(0.0, f64::max);
    let height = ROW_H * CostLine::ALL.len() as f64 + 2.0 * MARGIN;
    let fy = final_year(plan);
    let unit = fy.map_or("USD per year".to_string(), |y| {
        format!("net present value over {y} years, USD")
    });
    let _ = write!(
        h,
        "<div class=\"card\"><h2>Cost breakdown <span class=\"muted\">{unit}</span></h2>\n\
         <svg class=\"chart\" viewBox=\"0 0 {CHART_W} {height}\" width=\"{CHART_W}\" height=\"{height}\" \
         role=\"img\" aria-label=\"cost breakdown\" xmlns=\"http://www.w3.org/2000/svg\">\n"
    );
    let upfront = plan["scenario"]["horizon"]["setup"] == "upfront";
    for (i, line) in CostLine::ALL.into_iter().enumerate() {
        // horizon.setup = "upfront" charges the whole setup in the year a site is decided
        let label = if line == CostLine::Setup && upfront {
            "Setup (upfront)"
        } else {
            line.label()
        };
        cost_bar(h, i, line, label, num_or_zero(&c[line.key()]), (max, total));
    }
    let _ = write!(
        h,
        "</svg>\n<div class=\"total\">Total <b>{}</b> {}</div>\n</div>\n",
        usd(total),
        fy.map_or("a year".to_string(), |y| format!(
            "over {y} years (net present value)"
        ))
    );
}

/// Row `i` of the chart: the line's name, its bar (length by `v` against the largest line,
/// `max`) and its amount with its share of `total`.
fn cost_bar(
    h: &mut String,
    i: usize,
    line: CostLine,
    label: &str,
    v: f64,
    (max, total): (f64, f64),
) {
    let colour = cost_colour(line);
    let bar_w = CHART_W - LABEL_W - VALUE_W;
    let y = MARGIN + ROW_H * i as f64;
    let len = if max > 0.0 {
        (v.abs() / max * bar_w).max(if v != 0.0 { MIN_BAR } else { 0.0 })
    } else {
        0.0
    };
    let share = if total != 0.0 {
        format!("{} %", grouped(v / total * 100.0, 1))
    } else {
        "–".into()
    };
    let _ = writeln!(
        h,
        "<text x=\"0\" y=\"{:.1}\" class=\"lbl\">{}</text>\
         <rect x=\"{LABEL_W}\" y=\"{:.1}\" width=\"{len:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"{colour}\">\
         <title>{}: {} ({share})</title></rect>\
         <text x=\"{CHART_W}\" y=\"{:.1}\" class=\"val\" text-anchor=\"end\">{} · {share}</text>",
        y + ROW_H * TEXT_BASELINE,
        esc(label),
        y + BAR_TOP,
        ROW_H - BAR_GAP,
        esc(label),
        usd(v),
        y + ROW_H * TEXT_BASELINE,
        usd(v)
    );
}
