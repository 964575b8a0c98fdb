//! The tables of a two-stage plan (DESIGN §10): regret.csv (each candidate design's cost in
//! every scenario) and scenarios.csv (each scenario's cost lines and KPIs under the design; the
//! same table `cartnet evaluate` writes as evaluation.csv).

use super::csv::{Cell, render};
use crate::model::CostLine;
use crate::plan::{Cost, Kpis, Plan, RegretRow, ScenarioPlan};
use std::io;

/// regret.csv: one row per candidate design, one cost column per scenario (empty where the
/// design cannot serve it), then its expected and worst cost and its largest regret.
pub fn regret(plan: &Plan) -> io::Result<Vec<u8>> {
    let Some(stochastic) = &plan.stochastic else {
        return render(&["design"], std::iter::empty());
    };
    let mut header = vec!["design", "sites_open", "platforms"];
    header.extend(plan.scenarios.iter().map(|s| s.id.as_str()));
    header.extend(["expected", "worst", "max_regret"]);
    render(&header, stochastic.regret.iter().map(regret_row))
}

fn regret_row(r: &RegretRow) -> Vec<Cell<'_>> {
    let maybe = |v: Option<f64>| v.map_or(Cell::Text(""), Cell::Num);
    let mut cells = vec![
        Cell::Text(&r.design),
        Cell::Int(r.sites_open as u64),
        Cell::Int(u64::from(r.platforms)),
    ];
    cells.extend(r.costs.iter().map(|&c| maybe(c)));
    cells.extend([maybe(r.expected), maybe(r.worst), maybe(r.max_regret)]);
    cells
}

/// One scenario's outcome under a design, as scenarios.csv and evaluation.csv hold it.
pub struct ScenarioRow<'a> {
    pub id: &'a str,
    pub probability: f64,
    /// `None`: the design cannot serve the scenario (the reason in `note`).
    pub outcome: Option<(&'a Cost, &'a Kpis)>,
    pub note: String,
}

impl<'a> ScenarioRow<'a> {
    pub fn of(s: &'a ScenarioPlan) -> ScenarioRow<'a> {
        ScenarioRow {
            id: &s.id,
            probability: s.probability,
            outcome: Some((&s.cost, &s.kpis)),
            note: String::new(),
        }
    }
}

/// scenarios.csv / evaluation.csv: per scenario its probability, cost lines, coverage, unserved
/// patients and longest vein-to-vein time.
pub fn scenario_table(rows: &[ScenarioRow<'_>]) -> io::Result<Vec<u8>> {
    let mut header = vec!["scenario", "probability", "cost_total"];
    header.extend(CostLine::ALL.iter().map(|l| l.key()));
    header.extend([
        "patients_demand",
        "patients_served",
        "unserved",
        "coverage",
        "max_vein_to_vein_days",
        "note",
    ]);
    render(&header, rows.iter().map(scenario_cells))
}

fn scenario_cells<'a>(r: &'a ScenarioRow<'a>) -> Vec<Cell<'a>> {
    let mut cells = vec![Cell::Text(r.id), Cell::Num(r.probability)];
    match r.outcome {
        Some((cost, kpis)) => {
            cells.push(Cell::Num(cost.total));
            cells.extend(CostLine::ALL.iter().map(|&l| Cell::Num(cost.get(l))));
            cells.extend([
                Cell::Num(kpis.patients_demand),
                Cell::Num(kpis.patients_served),
                Cell::Num(crate::plan::clean(
                    kpis.patients_demand - kpis.patients_served,
                )),
                Cell::Num(kpis.coverage),
                kpis.max_vein_to_vein_days.map_or(Cell::Text(""), Cell::Num),
            ]);
        }
        None => cells.extend((0..CostLine::ALL.len() + 6).map(|_| Cell::Text(""))),
    }
    cells.push(Cell::Text(&r.note));
    cells
}
