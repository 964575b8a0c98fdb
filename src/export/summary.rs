//! The short summary printed after a solve.

mod two_stage;
pub use two_stage::MAX_SCENARIO_COLUMNS;

use crate::input::Instance;
use crate::model::CostLine;
use crate::plan::{Plan, SitePlan, SiteStatus};
use crate::text::{percent, printable, usd};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write;

/// What the cost includes and what the cost per patient leaves out, said where both are printed.
pub const PENALTY_IN: &str = "unmet-demand penalty included";
pub const PENALTY_OUT: &str = "unmet-demand penalty excluded";

/// How a site reads in the summary and the report: its status, except an existing site that
/// makes nothing ("owned, 0 platforms" would read as a plan to build it).
pub fn site_label(status: &str, existing: bool, platforms: f64) -> &str {
    if existing && status != SiteStatus::Closed.as_str() && platforms == 0.0 {
        "existing, idle"
    } else {
        status
    }
}

/// Rows of each table printed; longer lists are summarised (the files hold them all).
const MAX_ROWS: usize = 30;

/// Spaces after the site table's text columns, so that they never run into the next.
const COLUMN_GAP: usize = 2;

/// The labels' column: the longest label ("cost per patient") and room after it.
const LABEL_W: usize = 22;

/// The summary of `plan`; `instance` tells which sites already exist. Text from the input (ids,
/// and the reasons that quote them) is shown [`printable`].
pub fn render(plan: &Plan, instance: &Instance) -> String {
    let mut s = String::new();
    if let Some(st) = &plan.stochastic {
        two_stage::status_and_cost(&mut s, plan, st);
        two_stage::design_lines(&mut s, plan);
        sites_table(&mut s, plan, instance);
        two_stage::measures(&mut s, st);
        two_stage::regret_table(&mut s, plan, st);
        return s;
    }
    // with a horizon, the cost is the net present value and the rest describes the final year
    let fin = if plan.years.len() > 1 {
        format!(" in year {}", plan.year_count())
    } else {
        String::new()
    };
    status_and_cost(&mut s, plan, &fin);
    kpi_lines(&mut s, plan, &fin);
    if plan.years.len() > 1 {
        years_table(&mut s, plan);
    }
    sites_table(&mut s, plan, instance);
    unserved_lines(&mut s, plan, &fin);
    s
}

/// The solver's status, the cost and the cost per patient.
fn status_and_cost(s: &mut String, plan: &Plan, fin: &str) {
    let solver = &plan.solver;
    let c = &plan.cost;
    let gap = solver
        .gap
        .map_or("n/a".to_string(), |g| format!("{:.4} %", g * 100.0));
    let _ = writeln!(
        s,
        "{:<LABEL_W$}{} (gap {gap}, {:.2} s)",
        "status",
        solver.status.as_str(),
        solver.seconds
    );
    let years = plan.years.len();
    if years > 1 {
        let _ = writeln!(
            s,
            "{:<LABEL_W$}{} net present value of {years} years ({PENALTY_IN})",
            "cost",
            usd(c.total)
        );
    } else {
        let _ = writeln!(
            s,
            "{:<LABEL_W$}{} a year ({PENALTY_IN})",
            "cost",
            usd(c.total)
        );
    }
    let per_patient = plan.kpis.cost_per_patient.map_or("n/a".into(), usd);
    let _ = writeln!(
        s,
        "{:<LABEL_W$}{per_patient}{fin} (per patient served, {PENALTY_OUT})",
        "cost per patient"
    );
}

/// Sites, platforms, coverage, in vivo patients, vein-to-vein times and the cost lines.
fn kpi_lines(s: &mut String, plan: &Plan, fin: &str) {
    let k = &plan.kpis;
    let _ = writeln!(
        s,
        "{:<LABEL_W$}{} ({} owned, {} franchise){fin}",
        "sites open", k.sites_open, k.owned, k.franchise
    );
    let _ = writeln!(s, "{:<LABEL_W$}{}{fin}", "platforms", k.platforms);
    let _ = writeln!(
        s,
        "{:<LABEL_W$}{} ({:.1} of {:.1} patients a year){fin}",
        "coverage",
        percent(k.coverage),
        k.patients_served,
        k.patients_demand
    );
    if k.patients_in_vivo > 0.0 {
        let _ = writeln!(
            s,
            "{:<LABEL_W$}{:.1} patients a year treated without a batch{fin}",
            "in vivo", k.patients_in_vivo
        );
    }
    let days = |d: Option<f64>| d.map_or("n/a".to_string(), |d| format!("{d:.1}"));
    let _ = writeln!(
        s,
        "{:<LABEL_W$}mean {} days, max {} days",
        "vein-to-vein",
        days(k.mean_vein_to_vein_days),
        days(k.max_vein_to_vein_days)
    );
    let lines: Vec<String> = CostLine::ALL
        .iter()
        .map(|&line| {
            format!(
                "{} {}",
                line.key().replace('_', " "),
                usd(plan.cost.get(line))
            )
        })
        .collect();
    let _ = writeln!(s, "{:<LABEL_W$}{}", "cost lines", lines.join(", "));
}

/// One line a year of a horizon: sites, openings, volumes, coverage and that year's cost.
fn years_table(s: &mut String, plan: &Plan) {
    let _ = writeln!(
        s,
        "\n{:>4}{:>7}{:>8}{:>11}{:>10}{:>10}{:>10}{:>11}{:>18}",
        "year",
        "sites",
        "opened",
        "platforms",
        "batches",
        "ex vivo",
        "in vivo",
        "coverage",
        "cost that year"
    );
    for y in &plan.years {
        let k = &y.kpis;
        let _ = writeln!(
            s,
            "{:>4}{:>7}{:>8}{:>11}{:>10.1}{:>10.1}{:>10.1}{:>11}{:>18}",
            y.year,
            k.sites_open,
            y.opened.len(),
            k.platforms,
            k.batches,
            k.patients_demand,
            k.patients_in_vivo,
            percent(k.coverage),
            usd(y.cost.total)
        );
    }
}

/// The open sites: status, platforms, batches, utilization (and the year opened, over a horizon).
fn sites_table(s: &mut String, plan: &Plan, instance: &Instance) {
    let open = open_sites(plan, instance);
    if open.is_empty() {
        return;
    }
    let w = open
        .iter()
        .map(|x| x.0.chars().count())
        .max()
        .unwrap_or(0)
        .max("site".len())
        + COLUMN_GAP;
    // as wide as the longest status, so the columns stand where they always did
    let sw = open
        .iter()
        .map(|x| x.1.len())
        .chain([SiteStatus::Franchise.as_str().len()])
        .max()
        .unwrap_or(0)
        + COLUMN_GAP;
    let opened_col = if plan.years.len() > 1 { "  opened" } else { "" };
    let _ = writeln!(
        s,
        "\n{:<w$}{:<sw$}{:>10}{:>10}{:>13}{opened_col}",
        "site", "status", "platforms", "batches", "utilization"
    );
    let shown = open.len().min(MAX_ROWS);
    for (id, label, site) in &open[..shown] {
        let opened = site
            .opened_year
            .map_or(String::new(), |y| format!("{y:>8}"));
        let _ = writeln!(
            s,
            "{id:<w$}{label:<sw$}{:>10}{:>10.1}{:>12.1} %{opened}",
            site.platforms,
            site.batches,
            site.utilization * 100.0
        );
    }
    if open.len() > shown {
        let _ = writeln!(
            s,
            "... and {} more open sites (all in sites.csv)",
            open.len() - shown
        );
    }
}

/// The plan's open sites, in its order: the id as printed, the status as read, the site.
fn open_sites<'p>(
    plan: &'p Plan,
    instance: &Instance,
) -> Vec<(Cow<'p, str>, &'p str, &'p SitePlan)> {
    let existing: HashSet<&str> = instance
        .sites
        .iter()
        .filter(|x| x.existing)
        .map(|x| x.id.as_str())
        .collect();
    plan.sites
        .iter()
        .filter(|x| x.status != SiteStatus::Closed)
        .map(|x| {
            let label = site_label(
                x.status.as_str(),
                existing.contains(x.id.as_str()),
                f64::from(x.platforms),
            );
            (printable(&x.id), label, x)
        })
        .collect()
}

/// The demand left unserved in the final year, the largest first, with the reasons.
fn unserved_lines(s: &mut String, plan: &Plan, fin: &str) {
    let mut unserved: Vec<_> = plan
        .unserved
        .iter()
        .filter(|u| u.year == plan.year_count())
        .collect();
    if unserved.is_empty() {
        return;
    }
    // The largest first; the full list with reasons is in plan.json.
    unserved.sort_by(|a, b| {
        b.patients
            .total_cmp(&a.patients)
            .then(a.demand.cmp(&b.demand))
    });
    let total: f64 = unserved.iter().map(|u| u.patients).sum();
    let _ = writeln!(
        s,
        "\nunserved demand{fin}: {:.1} patients a year at {} demand points{}",
        total,
        unserved.len(),
        if unserved.len() > MAX_ROWS {
            " (largest shown; all in plan.json)"
        } else {
            ""
        }
    );
    for u in unserved.into_iter().take(MAX_ROWS) {
        let _ = writeln!(
            s,
            "  {} ({:.1} patients a year): {}",
            printable(&u.demand),
            u.patients,
            printable(&u.reason)
        );
    }
}
