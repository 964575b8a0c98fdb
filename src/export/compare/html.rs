//! compare.html: one self-contained page (inline SVG and CSS, no script) with the cost lines and
//! KPIs of both plans side by side, the two maps side by side, then the sites and hospitals that
//! changed; the maps are drawn as the report draws its map (over the instance's basemap, if any).

use super::text::{cost_change, kpi_change, kpi_value, or_dash, site_list, site_state};
use super::{Comparison, Pair};
use crate::export::report::{PAGE_CSS, PAGE_WARNING_STYLE, esc, map_card};
use crate::export::report_plan::ReportPlan;
use crate::ids::index_by_id;
use crate::input::Instance;
use crate::input::basemap::Basemap;
use crate::text::{printable, usd};
use std::collections::HashMap;
use std::fmt::Write;

/// The page's own additions to the report's style sheet: the two maps side by side, and the
/// colours of a change for the better and for the worse.
const COMPARE_CSS: &str = ".pair{display:grid;grid-template-columns:1fr 1fr;gap:16px;\
    margin-bottom:16px}table.data td.n,table.data th.n{text-align:right}.up{color:#b91c1c}.down{color:#15803d}\
    @media (max-width:1100px){.pair{grid-template-columns:1fr}}";

/// One of the plans compared: its file as given, and its rows.
pub struct Side<'a, 'r> {
    pub path: &'a str,
    pub rows: &'a ReportPlan<'r>,
}

/// What the page draws from besides the comparison.
pub struct Page<'a, 'r> {
    pub a: Side<'a, 'r>,
    pub b: Side<'a, 'r>,
    pub instance: &'a Instance,
    pub basemap: Option<&'a Basemap>,
    /// Shown in a banner at the top: the comparison was forced (`--force`).
    pub warning: Option<&'a str>,
}

/// Text from the input or the plans, escaped and with controls shown.
fn plain(t: &str) -> String {
    esc(&printable(t))
}

/// A change's class: red when it is worse (a cost or a vein-to-vein time up, coverage down),
/// green when better; other figures (sites, platforms) are neither.
fn trend(name: &str, cost: bool, d: Option<f64>) -> &'static str {
    let sign = match d {
        Some(d) if d > 0.0 => 1,
        Some(d) if d < 0.0 => -1,
        _ => 0,
    };
    let worse_up = cost || name.contains("cost") || name.contains("vein_to_vein");
    let better_up = matches!(name, "coverage" | "patients_served");
    match (sign, worse_up, better_up) {
        (1, true, _) | (-1, _, true) => "up",
        (-1, true, _) | (1, _, true) => "down",
        _ => "",
    }
}

/// A table of pairs: name, A, B, B - A.
fn pair_table(h: &mut String, title: &str, pairs: &[Pair], cost: bool) {
    let _ = write!(
        h,
        "<section class=\"card\"><h2>{title}</h2><table class=\"data\"><tr><th></th>\
         <th class=\"n\">A</th><th class=\"n\">B</th><th class=\"n\">B − A</th></tr>"
    );
    for p in pairs {
        let show = |v: f64| if cost { usd(v) } else { kpi_value(&p.name, v) };
        let change = |d: f64| {
            if cost {
                cost_change(d)
            } else {
                kpi_change(&p.name, d)
            }
        };
        let _ = write!(
            h,
            "<tr><td><b>{}</b></td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n {}\">{}</td></tr>",
            plain(&p.name),
            or_dash(p.a, show),
            or_dash(p.b, show),
            trend(&p.name, cost, p.change()),
            or_dash(p.change(), change)
        );
    }
    h.push_str("</table></section>\n");
}

/// The sites that changed, with their names.
fn sites_table(h: &mut String, c: &Comparison, instance: &Instance) {
    let index = index_by_id(instance.sites.iter().map(|s| s.id.as_str()));
    let _ = write!(
        h,
        "<section class=\"card\"><h2>Sites that changed <span class=\"muted\">{} of {} \
         candidates</span></h2>",
        c.sites.len(),
        instance.sites.len()
    );
    if c.sites.is_empty() {
        h.push_str("<p>None: both plans open the same sites, alike.</p></section>\n");
        return;
    }
    h.push_str(
        "<table class=\"data\"><tr><th>Site</th><th>Name</th><th>Change</th><th>A</th>\
         <th>B</th></tr>",
    );
    for s in &c.sites {
        let name = index
            .get(s.id.as_str())
            .map_or("", |&i| instance.sites[i].name.as_str());
        let _ = write!(
            h,
            "<tr><td><b>{}</b></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            plain(&s.id),
            plain(name),
            s.change.as_str(),
            site_state(&s.a),
            site_state(&s.b)
        );
    }
    h.push_str("</table></section>\n");
}

/// The hospitals served by other sites, with their names.
fn hospitals_table(h: &mut String, c: &Comparison, instance: &Instance) {
    let Some(list) = &c.hospitals else {
        h.push_str(
            "<section class=\"card\"><h2>Hospitals</h2><p>Not compared: a two-stage plan's \
             flows differ by scenario.</p></section>\n",
        );
        return;
    };
    let names: HashMap<&str, &str> = instance
        .hospitals
        .iter()
        .map(|x| (x.id.as_str(), x.name.as_str()))
        .collect();
    let _ = write!(
        h,
        "<section class=\"card\"><h2>Hospitals served by other sites <span class=\"muted\">{} \
         of {}</span></h2>",
        list.len(),
        instance.hospitals.len()
    );
    if list.is_empty() {
        h.push_str("<p>None.</p></section>\n");
        return;
    }
    h.push_str("<table class=\"data\"><tr><th>Hospital</th><th>Name</th><th>A</th><th>B</th></tr>");
    for x in list {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            plain(&x.id),
            plain(names.get(x.id.as_str()).copied().unwrap_or("")),
            plain(&site_list(&x.a)),
            plain(&site_list(&x.b))
        );
    }
    h.push_str("</table></section>\n");
}

/// A plan's data and scenario, as its header names them.
fn origin(rows: &ReportPlan<'_>) -> String {
    let i = &rows.rest["instance"];
    format!(
        "data <b>{}</b> · scenario <b>{}</b>",
        plain(i["data"].as_str().unwrap_or("")),
        plain(i["model"].as_str().unwrap_or(""))
    )
}

/// Renders compare.html.
pub fn render(c: &Comparison, p: &Page<'_, '_>) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>cartnet compare · {} · {}</title>\n<style>{PAGE_CSS}{COMPARE_CSS}</style>\n\
         </head>\n<body>\n",
        plain(p.a.path),
        plain(p.b.path)
    );
    if let Some(w) = p.warning {
        let _ = writeln!(
            h,
            "<div class=\"warning\" role=\"alert\" style=\"{PAGE_WARNING_STYLE}\">⚠ {}</div>",
            esc(w)
        );
    }
    let _ = writeln!(
        h,
        "<header><div><h1>Plan comparison</h1><p class=\"sub\">A <b>{}</b>: {}<br>B <b>{}</b>: \
         {}</p></div></header>",
        plain(p.a.path),
        origin(p.a.rows),
        plain(p.b.path),
        origin(p.b.rows)
    );
    h.push_str("<div class=\"pair\">\n");
    pair_table(
        &mut h,
        &format!(
            "Cost lines <span class=\"muted\">{}</span>",
            c.kind.cost_unit()
        ),
        &c.cost,
        true,
    );
    pair_table(&mut h, "KPIs", &c.kpis, false);
    h.push_str("</div>\n");
    h.push_str("<div class=\"pair\">\n");
    for (name, side) in [("A", &p.a), ("B", &p.b)] {
        let title = format!("{name} <span class=\"muted\">{}</span>", plain(side.path));
        h.push_str(&map_card(side.rows, p.instance, p.basemap, &title));
    }
    h.push_str("</div>\n");
    sites_table(&mut h, c, p.instance);
    hospitals_table(&mut h, c, p.instance);
    let _ = write!(
        h,
        "<footer>Made by cartnet {} with <code>cartnet compare</code>. B − A is plan B's figure \
         less plan A's; red is worse, green better.</footer>\n</body>\n</html>\n",
        esc(env!("CARGO_PKG_VERSION"))
    );
    h
}
