//! The short summary printed after a solve.

use crate::plan::{Plan, SiteStatus};
use std::fmt::Write;

/// Formats a number of dollars with thousands separators.
pub fn usd(v: f64) -> String {
    let whole = v.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if whole < 0 { "-" } else { "" })
}

/// Rows of each table printed; longer lists are summarised (the files hold them all).
const MAX_ROWS: usize = 30;

pub fn render(plan: &Plan) -> String {
    let mut s = String::new();
    let k = &plan.kpis;
    let c = &plan.cost;
    let solver = &plan.solver;
    let gap = solver
        .gap
        .map_or("n/a".to_string(), |g| format!("{:.4} %", g * 100.0));
    let _ = writeln!(
        s,
        "{:<22}{} (gap {gap}, {:.2} s)",
        "status",
        solver.status.as_str(),
        solver.seconds
    );
    let years = plan.years.len();
    let last_year = plan.year_count();
    // with a horizon, the cost is the net present value and the rest describes the final year
    let fin = if years > 1 {
        format!(" in year {last_year}")
    } else {
        String::new()
    };
    if years > 1 {
        let _ = writeln!(
            s,
            "{:<22}{} net present value of {years} years",
            "cost",
            usd(c.total)
        );
    } else {
        let _ = writeln!(s, "{:<22}{} a year", "cost", usd(c.total));
    }
    let per_patient = k.cost_per_patient.map_or("n/a".into(), usd);
    let _ = writeln!(s, "{:<22}{per_patient}{fin}", "cost per patient");
    let _ = writeln!(
        s,
        "{:<22}{} ({} owned, {} franchise){fin}",
        "sites open", k.sites_open, k.owned, k.franchise
    );
    let _ = writeln!(s, "{:<22}{}{fin}", "platforms", k.platforms);
    let _ = writeln!(
        s,
        "{:<22}{:.2} % ({:.1} of {:.1} patients a year){fin}",
        "coverage",
        k.coverage * 100.0,
        k.patients_served,
        k.patients_demand
    );
    if k.patients_in_vivo > 0.0 {
        let _ = writeln!(
            s,
            "{:<22}{:.1} patients a year treated without a batch{fin}",
            "in vivo", k.patients_in_vivo
        );
    }
    let days = |d: Option<f64>| d.map_or("n/a".to_string(), |d| format!("{d:.1}"));
    let _ = writeln!(
        s,
        "{:<22}mean {} days, max {} days",
        "vein-to-vein",
        days(k.mean_vein_to_vein_days),
        days(k.max_vein_to_vein_days)
    );
    let _ = writeln!(
        s,
        "cost lines            setup {}, fixed {}, platforms {}, batches {}, transport {}, patient travel {}, unmet penalty {}",
        usd(c.setup),
        usd(c.fixed),
        usd(c.platforms),
        usd(c.batches),
        usd(c.transport),
        usd(c.patient_travel),
        usd(c.unmet_penalty)
    );
    if years > 1 {
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
                "{:>4}{:>7}{:>8}{:>11}{:>10.1}{:>10.1}{:>10.1}{:>9.2} %{:>18}",
                y.year,
                k.sites_open,
                y.opened.len(),
                k.platforms,
                k.batches,
                k.patients_demand,
                k.patients_in_vivo,
                k.coverage * 100.0,
                usd(y.cost.total)
            );
        }
    }
    let open: Vec<_> = plan
        .sites
        .iter()
        .filter(|x| x.status != SiteStatus::Closed)
        .collect();
    if !open.is_empty() {
        let w = open.iter().map(|x| x.id.len()).max().unwrap_or(0).max(4) + 2;
        let opened_col = if years > 1 { "  opened" } else { "" };
        let _ = writeln!(
            s,
            "\n{:<w$}{:<11}{:>10}{:>10}{:>13}{opened_col}",
            "site", "status", "platforms", "batches", "utilization"
        );
        let shown = open.len().min(MAX_ROWS);
        for site in &open[..shown] {
            let opened = site
                .opened_year
                .map_or(String::new(), |y| format!("{y:>8}"));
            let _ = writeln!(
                s,
                "{:<w$}{:<11}{:>10}{:>10.1}{:>12.1} %{opened}",
                site.id,
                site.status.as_str(),
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
    let mut unserved: Vec<_> = plan
        .unserved
        .iter()
        .filter(|u| u.year == last_year)
        .collect();
    if !unserved.is_empty() {
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
                u.demand, u.patients, u.reason
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn usd_groups_thousands() {
        assert_eq!(super::usd(1234567.4), "$1,234,567");
        assert_eq!(super::usd(999.0), "$999");
        assert_eq!(super::usd(-1000.0), "-$1,000");
    }
}
