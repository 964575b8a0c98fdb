//! The comparison as text: the figures' formats shared by the printout, the CSV's notes and the
//! page, and the printout itself.

use super::{Change, Comparison, Pair, SiteState};
use crate::text::{grouped, percent, printable, usd};
use std::fmt::Write;

/// A KPI's value as people read it: coverage as a percentage, costs in dollars, counts whole.
pub fn kpi_value(name: &str, v: f64) -> String {
    if name == "coverage" {
        percent(v)
    } else if name.contains("cost") {
        usd(v)
    } else if v.fract() == 0.0 {
        grouped(v, 0)
    } else {
        grouped(v, 2)
    }
}

/// A KPI's change B - A: percentage points for coverage, signed otherwise.
pub fn kpi_change(name: &str, d: f64) -> String {
    let sign = if d > 0.0 { "+" } else { "" };
    if name == "coverage" {
        format!("{sign}{} pts", grouped(d * 100.0, 2))
    } else {
        format!("{sign}{}", kpi_value(name, d))
    }
}

/// A cost line's change B - A, signed: `+$1,234`, `-$50`.
pub fn cost_change(d: f64) -> String {
    format!("{}{}", if d > 0.0 { "+" } else { "" }, usd(d))
}

/// A figure a plan may lack: "–" when it does.
pub fn or_dash(v: Option<f64>, show: impl Fn(f64) -> String) -> String {
    v.map_or("–".into(), show)
}

/// A site's state in words: `owned, 3 platforms` or `closed`.
pub fn site_state(s: &SiteState) -> String {
    if s.is_open() {
        let plural = if s.platforms == 1.0 { "" } else { "s" };
        format!("{}, {} platform{plural}", s.status, grouped(s.platforms, 0))
    } else {
        "closed".into()
    }
}

/// A list of sites, or "none".
pub fn site_list(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".into()
    } else {
        ids.join(", ")
    }
}

/// Rows of a table of pairs: name, A, B, B - A.
fn pair_rows(
    s: &mut String,
    title: &str,
    pairs: &[Pair],
    show: &dyn Fn(&str, f64) -> String,
    change: &dyn Fn(&str, f64) -> String,
) {
    let _ = writeln!(s, "{title:<28} {:>16} {:>16} {:>16}", "A", "B", "B - A");
    for p in pairs {
        let _ = writeln!(
            s,
            "  {:<26} {:>16} {:>16} {:>16}",
            p.name,
            or_dash(p.a, |v| show(&p.name, v)),
            or_dash(p.b, |v| show(&p.name, v)),
            or_dash(p.change(), |d| change(&p.name, d))
        );
    }
}

/// The comparison as printed: the cost lines and KPIs side by side, then what changed;
/// `hospital_name` gives a hospital's name by id, when the instance has it.
pub fn render(c: &Comparison, hospital_name: &dyn Fn(&str) -> Option<String>) -> String {
    let mut s = String::new();
    pair_rows(
        &mut s,
        &format!("cost, {}", c.kind.cost_unit()),
        &c.cost,
        &|_, v| usd(v),
        &|_, d| cost_change(d),
    );
    s.push('\n');
    pair_rows(&mut s, "KPIs", &c.kpis, &kpi_value, &kpi_change);
    s.push('\n');
    for change in [
        Change::Opened,
        Change::Closed,
        Change::Model,
        Change::Platforms,
    ] {
        let list: Vec<String> = c
            .sites
            .iter()
            .filter(|x| x.change == change)
            .map(|x| match change {
                Change::Opened | Change::Closed => x.id.clone(),
                _ => format!("{} ({} → {})", x.id, site_state(&x.a), site_state(&x.b)),
            })
            .collect();
        let label = match change {
            Change::Opened => "sites opened in B",
            Change::Closed => "sites closed in B",
            Change::Model => "operating model changed",
            Change::Platforms => "platforms changed",
        };
        let _ = writeln!(
            s,
            "{label} ({}): {}",
            list.len(),
            printable(&site_list(&list))
        );
    }
    match &c.hospitals {
        None => {
            s.push_str("hospitals: not compared (a two-stage plan's flows differ by scenario)\n")
        }
        Some(list) => {
            let _ = writeln!(s, "hospitals served by other sites in B ({}):", list.len());
            for h in list {
                let name = hospital_name(&h.id).map_or(String::new(), |n| format!(" {n}"));
                let _ = writeln!(
                    s,
                    "  {}{}: {} → {}",
                    printable(&h.id),
                    printable(&name),
                    printable(&site_list(&h.a)),
                    printable(&site_list(&h.b))
                );
            }
        }
    }
    s
}
