//! report.html: one self-contained page for a plan (inline SVG and CSS; no script, no network):
//! KPIs, the solver's status and gap, a map of the network, the cost breakdown as a chart, tables
//! of sites, hospitals and unserved demand, and the scenario's parameters.
//!
//! A multi-year plan (one with `years`) also gets the build-out year by year: a table
//! of each year's sites, openings, platforms, batches, ex vivo and in vivo patients, coverage,
//! cost and discount factor with the net present value, and a grid of each site's platforms by
//! year. The KPIs, the map and the site and hospital tables then show the final year (sites
//! with the year they open); the cost chart shows the net present value of each line.
//!
//! A two-stage plan (one with `stochastic`) gets a "Scenarios" section: what planning for the
//! scenarios is worth (RP, WS, EEV, VSS, EVPI), each scenario's cost under the design and the
//! regret table. Its KPIs, costs and sites are expectations over the scenarios; the map shows
//! the design alone (the flows differ by scenario).
//!
//! It reads plan.json as JSON (so any plan file can be rendered; the flows and unserved demand as
//! rows, see [`crate::export::report_plan`]) and the instance for names and coordinates. The map
//! projects longitude and latitude equirectangularly, with longitude scaled by the cosine of the
//! middle latitude so that shapes look right at the instance's latitude (see map_data.rs).
//!
//! This file writes the page's skeleton and holds the helpers every section uses; each section
//! is a file of its own.

mod borders;
mod costs;
mod kpis;
mod labels;
mod map;
mod map_data;
mod scenario;
mod stochastic;
mod style;
mod tables;
mod years;

use crate::export::report_plan::ReportPlan;
use crate::input::Instance;
use crate::input::basemap::Basemap;
use crate::text::{grouped, printable};
use serde_json::Value;
use std::fmt::Write;
use style::{CLOSED, CSS, FRANCHISE, OWNED, WARNING_STYLE};

/// Where the plan came from, for the page's header.
pub struct Source<'a> {
    /// The plan file as given on the command line.
    pub plan: &'a str,
    /// The data folder read for names and coordinates.
    pub data: &'a str,
    /// Shown in a banner at the top: the plan was not made from this data (`report --force`).
    pub warning: Option<&'a str>,
    /// The instance's outlines, drawn under the network (`basemap.geojson`), if it has them.
    pub basemap: Option<&'a Basemap>,
}

/// The map card of a plan (titled `title`, HTML) over the instance's `basemap`, as the report
/// draws it: for pages beside the report (compare.html).
pub(crate) fn map_card(
    rows: &ReportPlan<'_>,
    instance: &Instance,
    basemap: Option<&Basemap>,
    title: &str,
) -> String {
    let mut h = String::new();
    let data = map_data::MapData::gather(rows, instance);
    map::map_card(&mut h, &data, basemap, title);
    h
}

/// The report's style sheet and its warning banner's style, for pages drawn like it.
pub(crate) const PAGE_CSS: &str = CSS;
pub(crate) const PAGE_WARNING_STYLE: &str = WARNING_STYLE;

/// Patients fewer than this are none: the solver's rounding, not a shortfall or a full hospital.
const NEGLIGIBLE_PATIENTS: f64 = 1e-6;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text from the input or the plan in HTML content, isolated in `<bdi>`: a bidirectional
/// control in an id (U+202E) then reorders only the id, not the figures beside it.
fn bdi(text: &str) -> String {
    format!("<bdi>{}</bdi>", esc(text))
}

/// Text from the input or the plan where no markup can go (the page title, SVG tooltips and
/// labels) or inside a sentence cartnet wrote (the reason demand is unserved): controls and
/// bidirectional controls are shown escaped, as on a terminal.
fn plain(text: &str) -> String {
    esc(&printable(text))
}

/// A JSON number, `None` when it is missing or not finite.
fn finite_num(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite())
}

/// A JSON number, 0 when it is missing or not finite.
fn num_or_zero(v: &Value) -> f64 {
    finite_num(v).unwrap_or(0.0)
}

/// A JSON string, "" when it is missing or not a string.
fn str_or_empty(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// A site status's colour on the map and in the tables.
fn status_colour(status: &str) -> &'static str {
    match status {
        "owned" => OWNED,
        "franchise" => FRANCHISE,
        _ => CLOSED,
    }
}

/// The final year of a multi-year plan; `None` for a single-year plan.
fn final_year(plan: &Value) -> Option<u64> {
    let years = plan["years"].as_array().filter(|y| !y.is_empty())?;
    Some(
        years
            .last()
            .and_then(|y| y["year"].as_u64())
            .unwrap_or(years.len() as u64),
    )
}

/// Whether a flow or shortfall belongs to the year the map and tables show: the final year of a
/// multi-year plan, every entry of a single-year one.
fn shown(row_year: Option<u64>, year: Option<u64>) -> bool {
    year.is_none_or(|y| row_year == Some(y))
}

/// An id or a text of a row, "" when it is not a string.
fn t<'r>(text: &'r Option<std::borrow::Cow<'_, str>>) -> &'r str {
    text.as_deref().unwrap_or("")
}

/// The horizon's discount rate as a percentage, e.g. "3.5 %".
fn discount_rate(plan: &Value) -> String {
    finite_num(&plan["scenario"]["horizon"]["discount_rate"])
        .map_or("n/a".into(), |r| format!("{} %", grouped(r * 100.0, 1)))
}

/// Renders the report for `plan` (plan.json, parsed) with names and coordinates from `instance`.
pub fn render(rows: &ReportPlan<'_>, instance: &Instance, source: &Source<'_>) -> String {
    let plan = &rows.rest;
    let mut h = String::new();
    let solver = &plan["solver"];
    let status = str_or_empty(&solver["status"]);
    let title = format!("cartnet plan · {}", source.data);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        plain(&title)
    );
    if let Some(w) = source.warning {
        let _ = writeln!(
            h,
            "<div class=\"warning\" role=\"alert\" style=\"{WARNING_STYLE}\">⚠ {}</div>",
            esc(w)
        );
    }
    header(&mut h, plan);
    kpis::kpis(&mut h, plan);
    h.push_str("<div class=\"row\">\n");
    map::map(&mut h, rows, instance, source.basemap);
    h.push_str("<div class=\"col\">\n");
    costs::costs(&mut h, plan);
    kpis::solver_card(&mut h, plan, status);
    h.push_str("</div>\n</div>\n");
    years::years_section(&mut h, plan, instance);
    stochastic::scenarios(&mut h, plan);
    tables::sites_table(&mut h, plan, instance);
    // a two-stage plan's flows are per scenario: the hospitals' volumes and the unserved demand
    // of the top level would read as none
    if !plan["stochastic"].is_object() {
        tables::hospitals_table(&mut h, rows, instance);
        tables::unserved_table(&mut h, rows, instance);
    }
    scenario::scenario(&mut h, plan);
    footer(&mut h, plan, source);
    h
}

/// The closing line: what made the page, what its costs mean, and how to check the plan.
fn footer(h: &mut String, plan: &Value, source: &Source<'_>) {
    let costs_note = if final_year(plan).is_some() {
        "Each year's cost is in USD for that year, undiscounted; the cost breakdown and the total \
         are the net present value over the horizon; setup costs follow horizon.setup \
         (annualized with the capital recovery factor, or paid whole in the year a site is decided)."
    } else {
        "Every cost is in USD per year; setup costs are annualized with the capital recovery factor."
    };
    let _ = write!(
        h,
        "<footer>Made by cartnet {} from {} and the data in {}. {costs_note} Check the plan \
         independently with <code>cartnet verify {}</code>.</footer>\n</body>\n</html>\n",
        esc(str_or_empty(&plan["cartnet_version"])),
        bdi(source.plan),
        bdi(source.data),
        bdi(source.plan)
    );
}

/// The title, the data and scenario the plan was made from, and the solver's status.
fn header(h: &mut String, plan: &Value) {
    let solver = &plan["solver"];
    let status = str_or_empty(&solver["status"]);
    let counts = &plan["instance"]["counts"];
    let _ = writeln!(
        h,
        "<header><div><h1>CAR-T manufacturing network plan</h1>\
         <p class=\"sub\">data <b>{}</b> · scenario <b>{}</b> · {} demand points, {} hospitals, \
         {} candidate sites</p></div>\
         <div class=\"badge st-{}\">{}</div></header>",
        bdi(str_or_empty(&plan["instance"]["data"])),
        bdi(str_or_empty(&plan["instance"]["model"])),
        grouped(num_or_zero(&counts["demand_points"]), 0),
        grouped(num_or_zero(&counts["hospitals"]), 0),
        grouped(num_or_zero(&counts["sites"]), 0),
        esc(status),
        esc(&status.replace('_', " ")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
