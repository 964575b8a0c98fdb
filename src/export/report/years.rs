//! The build-out of a multi-year plan: the table of each year and the grid of each site's
//! platforms by year.

use super::{bdi, discount_rate, esc, finite_num, num_or_zero, status_colour, str_or_empty};
use crate::export::summary::site_label;
use crate::input::{Instance, Site};
use crate::text::{grouped, percent, usd};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

/// A year's sites by id, as plan.json lists them under `years[].sites`.
type YearSites<'p> = HashMap<&'p str, &'p Value>;

/// The build-out of a multi-year plan: one row a year with the net present value, then each
/// site's status and platforms year by year. Nothing for a single-year plan.
pub(super) fn years_section(h: &mut String, plan: &Value, instance: &Instance) {
    let Some(years) = plan["years"].as_array().filter(|y| !y.is_empty()) else {
        return;
    };
    years_table(h, plan, years);
    sites_by_year(h, years, instance);
}

/// One row a year (sites, openings, volumes, coverage, cost and discount), then the net present value.
fn years_table(h: &mut String, plan: &Value, years: &[Value]) {
    let money = |v: &Value| finite_num(v).map_or("n/a".into(), usd);
    let _ = write!(
        h,
        "<section class=\"card\"><h2>Build-out year by year <span class=\"muted\">{} years · \
         net present value {} at a discount rate of {} a year</span></h2>\n\
         <table class=\"data years\"><thead><tr><th>Year</th><th class=\"n\">Sites open</th>\
         <th>Opened that year</th><th class=\"n\">Platforms</th><th class=\"n\">Batches</th>\
         <th class=\"n\">Ex vivo patients</th><th class=\"n\">In vivo patients</th>\
         <th class=\"n\">Coverage</th><th class=\"n\">Cost that year</th>\
         <th class=\"n\">Discount factor</th><th class=\"n\">Discounted cost</th></tr></thead><tbody>\n",
        years.len(),
        money(&plan["cost"]["total"]),
        discount_rate(plan)
    );
    for y in years {
        let k = &y["kpis"];
        let opened: Vec<String> = y["opened"]
            .as_array()
            .map(|list| list.iter().map(|id| bdi(str_or_empty(id))).collect())
            .unwrap_or_default();
        let discounted = match (
            finite_num(&y["cost"]["total"]),
            finite_num(&y["discount_factor"]),
        ) {
            (Some(c), Some(d)) => usd(c * d),
            _ => "n/a".into(),
        };
        let _ = writeln!(
            h,
            "<tr><td><b>{}</b></td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>",
            grouped(num_or_zero(&y["year"]), 0),
            grouped(num_or_zero(&k["sites_open"]), 0),
            if opened.is_empty() {
                "–".to_string()
            } else {
                opened.join(", ")
            },
            grouped(num_or_zero(&k["platforms"]), 0),
            grouped(num_or_zero(&k["batches"]), 1),
            grouped(num_or_zero(&k["patients_demand"]), 1),
            grouped(num_or_zero(&k["patients_in_vivo"]), 1),
            finite_num(&k["coverage"]).map_or("n/a".into(), percent),
            money(&y["cost"]["total"]),
            finite_num(&y["discount_factor"]).map_or("n/a".into(), |d| grouped(d, 4)),
            discounted
        );
    }
    let _ = writeln!(
        h,
        "<tr class=\"sum\"><th colspan=\"10\">Net present value: each year's cost × its discount \
         factor, summed</th><td class=\"n\"><b>{}</b></td></tr></tbody></table>",
        money(&plan["cost"]["total"])
    );
}

/// Each site that ever opens, in the order they open, with its status and platforms year by year.
fn sites_by_year(h: &mut String, years: &[Value], instance: &Instance) {
    let by_year: Vec<YearSites> = years
        .iter()
        .map(|y| {
            y["sites"]
                .as_array()
                .map(|list| list.iter().map(|x| (str_or_empty(&x["id"]), x)).collect())
                .unwrap_or_default()
        })
        .collect();
    let rows = in_opening_order(&by_year, instance);
    let never = instance.sites.len() - rows.len();
    let _ = write!(
        h,
        "<h3>Sites by year <span class=\"muted\">status and platforms; {never} candidate{} never \
         open</span></h3>\n<table class=\"data grid-years\"><thead><tr><th>Site</th><th>Kind</th>",
        if never == 1 { "" } else { "s" }
    );
    for y in years {
        let _ = write!(
            h,
            "<th class=\"n\">Year {}</th>",
            grouped(num_or_zero(&y["year"]), 0)
        );
    }
    h.push_str("</tr></thead><tbody>\n");
    for site in rows {
        let _ = write!(
            h,
            "<tr><td><b>{}</b>{}</td><td>{}</td>",
            bdi(&site.id),
            if site.existing {
                " <span class=\"tag\">existing</span>"
            } else {
                ""
            },
            esc(site.kind.as_str())
        );
        for m in &by_year {
            site_in_year(h, site, m.get(site.id.as_str()).copied());
        }
        h.push_str("</tr>\n");
    }
    h.push_str(
        "</tbody></table>\n<p class=\"note\">Each cell: platforms installed · batches made that \
         year (b); the dot's colour is the operating model. Closed: not producing yet.</p>\n\
         </section>\n",
    );
}

/// The instance's sites that open in some year, by the first year they are open (the instance's
/// order within a year).
fn in_opening_order<'i>(by_year: &[YearSites], instance: &'i Instance) -> Vec<&'i Site> {
    let first_open = |id: &str| {
        by_year.iter().position(|m| {
            m.get(id)
                .is_some_and(|x| str_or_empty(&x["status"]) != "closed")
        })
    };
    let mut rows: Vec<(usize, &Site)> = instance
        .sites
        .iter()
        .filter_map(|x| first_open(&x.id).map(|t| (t, x)))
        .collect();
    rows.sort_by_key(|(t, _)| *t);
    rows.into_iter().map(|(_, site)| site).collect()
}

/// A site's cell in one year: its status as a dot, its platforms and batches; a dash while closed
/// (or not listed that year).
fn site_in_year(h: &mut String, site: &Site, entry: Option<&Value>) {
    match entry {
        Some(x) if str_or_empty(&x["status"]) != "closed" => {
            let status = str_or_empty(&x["status"]);
            let _ = write!(
                h,
                "<td class=\"n\"><span class=\"dot\" style=\"background:{}\" \
                 title=\"{}\"></span>{}<span class=\"muted\"> · {} b</span></td>",
                status_colour(status),
                esc(site_label(
                    status,
                    site.existing,
                    num_or_zero(&x["platforms"])
                )),
                grouped(num_or_zero(&x["platforms"]), 0),
                grouped(num_or_zero(&x["batches"]), 1)
            );
        }
        _ => h.push_str("<td class=\"n closed\">–</td>"),
    }
}
