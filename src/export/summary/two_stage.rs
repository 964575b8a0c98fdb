//! The summary of a two-stage plan: the status and method, the expected cost, the design, the
//! value of planning for uncertainty (RP, WS, EEV, VSS, EVPI), the risk, and the regret table.

use super::{LABEL_W, PENALTY_IN, PENALTY_OUT};
use crate::plan::{Plan, RegretRow, RelaxationBound, SolverInfo, Stochastic};
use crate::text::{percent, printable, usd};
use std::fmt::Write;

/// Scenarios up to which the regret table shows each scenario's cost in a column of its own;
/// beyond, the columns would not fit a terminal (regret.csv has them all).
pub const MAX_SCENARIO_COLUMNS: usize = 6;

/// Rows of the regret table printed (this plan and the expected-value plan come first).
const MAX_REGRET_ROWS: usize = 12;

/// Spaces between the regret table's columns.
const GAP: usize = 2;

/// The status with the method and the expected cost.
/// The lower bound the gap is measured from, and what the Lagrangian relaxation gave when it
/// was not that bound.
fn bound_line(solver: &SolverInfo, r: &RelaxationBound) -> String {
    let ran = format!("{} rounds, {:.2} s", r.rounds, r.seconds);
    match solver.best_bound {
        Some(b) if b > r.bound => format!(
            "{} (the Lagrangian relaxation's: {}, {ran})",
            usd(b),
            usd(r.bound)
        ),
        _ => format!("{} from the Lagrangian relaxation ({ran})", usd(r.bound)),
    }
}

pub fn status_and_cost(s: &mut String, plan: &Plan, st: &Stochastic) {
    let solver = &plan.solver;
    let gap = solver
        .gap
        .map_or("n/a".to_string(), |g| format!("{:.4} %", g * 100.0));
    let iterations = match st.iterations {
        1 => "1 iteration".to_string(),
        n => format!("{n} iterations"),
    };
    let _ = writeln!(
        s,
        "{:<LABEL_W$}{} (gap {gap}, {:.2} s; {}, {iterations})",
        "status",
        solver.status.as_str(),
        solver.seconds,
        st.method
    );
    if let Some(r) = &st.relaxation {
        let _ = writeln!(s, "{:<LABEL_W$}{}", "lower bound", bound_line(solver, r));
    }
    let _ = writeln!(
        s,
        "{:<LABEL_W$}{} a year over {} scenarios ({PENALTY_IN})",
        "expected cost",
        usd(plan.cost.total),
        st.scenarios
    );
    let per_patient = plan.kpis.cost_per_patient.map_or("n/a".into(), usd);
    let _ = writeln!(
        s,
        "{:<LABEL_W$}{per_patient} expected (per patient served, {PENALTY_OUT})",
        "cost per patient"
    );
}

/// The design: sites and platforms, the same in every scenario; expected coverage.
pub fn design_lines(s: &mut String, plan: &Plan) {
    let k = &plan.kpis;
    let _ = writeln!(
        s,
        "{:<LABEL_W$}{} ({} owned, {} franchise), in every scenario",
        "sites open", k.sites_open, k.owned, k.franchise
    );
    let _ = writeln!(s, "{:<LABEL_W$}{}", "platforms", k.platforms);
    let _ = writeln!(
        s,
        "{:<LABEL_W$}{} expected ({:.1} of {:.1} patients a year)",
        "coverage",
        percent(k.coverage),
        k.patients_served,
        k.patients_demand
    );
}

/// RP, WS, EEV, VSS and EVPI, one a line, the figures aligned; the risk if the plan has one.
pub fn measures(s: &mut String, st: &Stochastic) {
    let na = "n/a (the expected-value plan cannot serve every scenario)".to_string();
    let rows: [(&str, String, &str); 5] = [
        ("RP", usd(st.rp), "this plan's expected cost"),
        ("WS", usd(st.ws), "expected cost with perfect foresight"),
        (
            "EEV",
            st.eev.map_or(na.clone(), usd),
            "the expected-value plan's expected cost",
        ),
        (
            "VSS = EEV - RP",
            st.vss.map_or(na, usd),
            "what planning for the scenarios saves",
        ),
        (
            "EVPI = RP - WS",
            usd(st.evpi),
            "what knowing the future would save",
        ),
    ];
    let w = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let _ = writeln!(s, "\nvalue of planning for uncertainty (USD a year)");
    for (label, value, what) in &rows {
        let _ = writeln!(s, "  {label:<16}{value:>w$}  {what}");
    }
    if !st.ws_proven {
        let _ = writeln!(
            s,
            "  note: not every scenario's own optimum was proven, so WS may be slightly high and \
             EVPI slightly low"
        );
    }
    if let Some(r) = &st.risk {
        let _ = writeln!(
            s,
            "\n{:<LABEL_W$}CVaR at {} {}; objective (1 - {l})·E + {l}·CVaR = {}",
            "risk",
            percent(r.cvar_alpha),
            usd(r.cvar),
            usd(r.objective),
            l = r.risk_weight
        );
    }
}

/// The regret table: each candidate design, its sites and platforms, its cost per scenario
/// (with at most [`MAX_SCENARIO_COLUMNS`] scenarios), expected, worst and max regret.
pub fn regret_table(s: &mut String, plan: &Plan, st: &Stochastic) {
    if st.regret.is_empty() {
        return;
    }
    let per_scenario = plan.scenarios.len() <= MAX_SCENARIO_COLUMNS;
    let mut header = vec!["design".to_string(), "sites".into(), "platforms".into()];
    if per_scenario {
        header.extend(plan.scenarios.iter().map(|x| printable(&x.id).into_owned()));
    }
    header.extend(["expected".into(), "worst".into(), "max regret".into()]);
    let shown = st.regret.len().min(MAX_REGRET_ROWS);
    let rows: Vec<Vec<String>> = st.regret[..shown]
        .iter()
        .map(|r| regret_cells(r, per_scenario))
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let _ = writeln!(
        s,
        "\nregret (USD a year; each design's cost in the scenarios)"
    );
    for row in std::iter::once(&header).chain(&rows) {
        let _ = writeln!(s, "{}", aligned(row, &widths));
    }
    if st.regret.len() > shown {
        let _ = writeln!(
            s,
            "... and {} more designs (all in regret.csv)",
            st.regret.len() - shown
        );
    }
    let _ = writeln!(
        s,
        "max regret: the most the design costs above a scenario's own optimum{}",
        if st.regret.iter().any(|r| r.expected.is_none()) {
            "; a blank cost: the design cannot serve that scenario"
        } else {
            ""
        }
    );
}

/// A row's cells as printed.
fn regret_cells(r: &RegretRow, per_scenario: bool) -> Vec<String> {
    let money = |v: Option<f64>| v.map_or(String::new(), usd);
    let mut cells = vec![
        printable(&r.design).into_owned(),
        r.sites_open.to_string(),
        r.platforms.to_string(),
    ];
    if per_scenario {
        cells.extend(r.costs.iter().map(|&c| money(c)));
    }
    cells.extend([money(r.expected), money(r.worst), money(r.max_regret)]);
    cells
}

/// The first cell left-aligned, the others right-aligned, [`GAP`] spaces apart.
fn aligned(cells: &[String], widths: &[usize]) -> String {
    let mut line = String::new();
    for (i, (c, &w)) in cells.iter().zip(widths).enumerate() {
        let pad = w.saturating_sub(c.chars().count());
        if i == 0 {
            line.push_str(c);
            line.push_str(&" ".repeat(pad));
        } else {
            line.push_str(&" ".repeat(GAP + pad));
            line.push_str(c);
        }
    }
    line.trim_end().to_string()
}
