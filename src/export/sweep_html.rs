//! sweep.html: a sweep on one self-contained page: the chart, where the design changes from one
//! grid point to the next (and what that step costs), the tipping points a refined sweep located,
//! and the table of every scenario with its design and a link to its plan.

use crate::export::report::esc;
use crate::export::sweep::{TABLE_COLUMNS, display_level, table_line};
use crate::export::tipping;
use crate::sweep::design::{Design, describe};
use crate::sweep::refine::Bracket;
use crate::sweep::{Axis, Row};
use crate::text::{printable, usd};
use std::fmt::Write as _;

/// What the page shows.
pub struct Page<'a> {
    pub title: &'a str,
    /// One line under the title: scenarios, data, model.
    pub subtitle: &'a str,
    pub axes: &'a [Axis],
    /// In grid order.
    pub rows: &'a [Row],
    /// Each row's plan folder relative to the page (empty without a plan).
    pub folders: &'a [String],
    /// sweep.svg, drawn inline; `None` if there is no chart.
    pub svg: Option<&'a str>,
    /// The located tipping points; `None` when the sweep was not refined.
    pub tipping: Option<&'a [Bracket]>,
}

/// One step between neighbouring grid points (the other keys fixed) over which the design
/// changes: its sites, their operating models or platforms, or whether there is a plan.
pub struct Step<'a> {
    pub axis: usize,
    pub from: &'a Row,
    pub to: &'a Row,
    pub changes: Vec<String>,
}

/// Every step along every axis over which the design changes, axis by axis in grid order.
pub fn steps<'a>(axes: &[Axis], rows: &'a [Row]) -> Vec<Step<'a>> {
    let sizes: Vec<usize> = axes.iter().map(|a| a.levels.len()).collect();
    let mut out = Vec::new();
    for a in 0..axes.len() {
        let stride: usize = sizes[a + 1..].iter().product();
        for (i, from) in rows.iter().enumerate() {
            let Some(to) = rows
                .get(i + stride)
                .filter(|_| from.levels[a] + 1 < sizes[a])
            else {
                continue;
            };
            let changes = describe(from.design.as_ref(), to.design.as_ref());
            if !changes.is_empty() {
                out.push(Step {
                    axis: a,
                    from,
                    to,
                    changes,
                });
            }
        }
    }
    out
}

/// Text from the input (keys, ids, file names) for the page: controls shown escaped, then
/// HTML-escaped.
fn text(s: &str) -> String {
    esc(&printable(s))
}

fn list(items: &[String]) -> String {
    let mut s = String::from("<ul>");
    for i in items {
        let _ = write!(s, "<li>{}</li>", text(i));
    }
    s.push_str("</ul>");
    s
}

/// A signed difference in dollars: `+$600,118`, `-$12`, `$0`.
fn signed_usd(d: f64) -> String {
    if d > 0.0 {
        format!("+{}", usd(d))
    } else if d < 0.0 {
        format!("-{}", usd(-d))
    } else {
        usd(0.0)
    }
}

fn level_of(axes: &[Axis], a: usize, r: &Row) -> String {
    display_level(&axes[a].key, &axes[a].levels[r.levels[a]])
}

/// The steps section: one table row per step, carrying its scenario numbers as data attributes.
fn changes_section(axes: &[Axis], rows: &[Row]) -> String {
    let steps = steps(axes, rows);
    let mut s = String::from("<section id=\"changes\"><h2>Where the design changes</h2>");
    if steps.is_empty() {
        s.push_str("<p>The design is the same at every point of the sweep.</p></section>");
        return s;
    }
    s.push_str(
        "<table class=\"changes\"><tr><th>step</th><th>key</th><th>from</th><th>to</th>\
         <th>other keys</th><th>what changed</th><th>cost a year</th></tr>",
    );
    for st in &steps {
        let others: Vec<String> = (0..axes.len())
            .filter(|&a| a != st.axis)
            .map(|a| format!("{} = {}", axes[a].key, level_of(axes, a, st.from)))
            .collect();
        let cost = match (st.from.objective, st.to.objective) {
            (Some(x), Some(y)) => signed_usd(y - x),
            _ => "-".into(),
        };
        let _ = write!(
            s,
            "<tr data-from=\"{}\" data-to=\"{}\"><td>#{} &rarr; #{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td class=\"what\">{}</td><td class=\"num\">{cost}</td></tr>",
            st.from.index + 1,
            st.to.index + 1,
            st.from.index + 1,
            st.to.index + 1,
            text(&axes[st.axis].key),
            text(&level_of(axes, st.axis, st.from)),
            text(&level_of(axes, st.axis, st.to)),
            text(&others.join(", ")),
            list(&st.changes),
        );
    }
    s.push_str("</table></section>");
    s
}

/// The tipping points section: one sentence each, in the order of the grid steps.
fn tipping_section(axes: &[Axis], points: &[Bracket]) -> String {
    let mut s = String::from("<section id=\"tipping\"><h2>Tipping points</h2>");
    if points.is_empty() {
        s.push_str("<p>No step of the sweep changes the open sites or their operating models.</p>");
    } else {
        let lines: Vec<String> = points.iter().map(|b| tipping::sentence(axes, b)).collect();
        s.push_str(&list(&lines));
        s.push_str("<p class=\"muted\">Also in tipping_points.csv.</p>");
    }
    s.push_str("</section>");
    s
}

/// A design in one cell, each site unbroken: `S-MSK owned 2, S-URMC franchise 1`.
fn design_cell(d: Option<&Design>) -> String {
    d.map_or("-".into(), |d| {
        d.sites
            .iter()
            .map(|s| {
                let site = format!("{} {} {}", s.id, s.status.as_str(), s.platforms);
                format!("<span class=\"site\">{}</span>", text(&site))
            })
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// The table of every scenario, as printed, with its design and plan.
fn table_section(page: &Page) -> String {
    let mut s = String::from(
        "<section id=\"scenarios\"><h2>Every scenario</h2><table class=\"scenarios\"><tr><th>#</th>",
    );
    for a in page.axes {
        let _ = write!(s, "<th>{}</th>", text(&a.key));
    }
    for c in TABLE_COLUMNS {
        let _ = write!(s, "<th>{}</th>", esc(c));
    }
    s.push_str("<th>open sites (operating model, platforms)</th><th>plan</th></tr>");
    for (i, r) in page.rows.iter().enumerate() {
        s.push_str("<tr>");
        // `#`, then the figures after the keys and the status, read as numbers
        let figures = |c: usize| c == 0 || c > page.axes.len() + 1;
        for (c, cell) in table_line(page.axes, r).iter().enumerate() {
            let class = if figures(c) { " class=\"num\"" } else { "" };
            let _ = write!(s, "<td{class}>{}</td>", text(cell));
        }
        let folder = page.folders.get(i).map_or("", String::as_str);
        let link = if folder.is_empty() {
            "-".to_string()
        } else {
            let href = esc(&format!("{folder}/plan.json"));
            format!(
                "<a href=\"{href}\" title=\"{}\">plan.json</a>",
                text(folder)
            )
        };
        let _ = write!(
            s,
            "<td class=\"design\">{}</td><td>{link}</td></tr>",
            design_cell(r.design.as_ref())
        );
    }
    s.push_str("</table></section>");
    s
}

/// The page's style sheet, inline so that the page needs nothing beside it.
const CSS: &str = "body{margin:0;padding:24px 28px;font:14px/1.45 system-ui,sans-serif;\
color:#0f172a;background:#eef2f7}h1{font-size:22px;margin:0 0 4px}h2{font-size:16px}\
section,figure{background:#fff;border-radius:10px;padding:14px 18px;margin:0 0 16px;\
box-shadow:0 1px 2px rgba(15,23,42,.08)}table{border-collapse:collapse;font-size:13px}\
th,td{padding:4px 8px;border-bottom:1px solid #e2e8f0;text-align:left;vertical-align:top}\
td.num{text-align:right;white-space:nowrap}td ul{margin:0;padding-left:16px}\
td.design{font-size:12px;color:#334155;min-width:20em}.site{white-space:nowrap}\
td{white-space:nowrap}td.design,td.what{white-space:normal}.muted{color:#64748b}.sub{color:#475569;margin:0 0 16px}\
figure svg{max-width:100%;height:auto}section{overflow-x:auto}";

/// The whole page.
pub fn render(page: &Page) -> String {
    let mut s = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    let _ = write!(
        s,
        "<title>{}</title><style>{CSS}</style></head><body><h1>{}</h1><p class=\"sub\">{}</p>",
        text(page.title),
        text(page.title),
        text(page.subtitle)
    );
    match page.svg {
        Some(svg) => {
            let _ = write!(s, "<figure id=\"chart\">{svg}</figure>");
        }
        None => s.push_str("<p class=\"muted\">No chart: nothing to draw.</p>"),
    }
    s.push_str(&changes_section(page.axes, page.rows));
    if let Some(points) = page.tipping {
        s.push_str(&tipping_section(page.axes, points));
    }
    s.push_str(&table_section(page));
    s.push_str("</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_differences_carry_their_sign() {
        assert_eq!(signed_usd(600_118.4), "+$600,118");
        assert_eq!(signed_usd(-12.0), "-$12");
        assert_eq!(signed_usd(0.0), "$0");
    }
}
