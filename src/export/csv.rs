//! The plan's tables as CSV, safe to open in a spreadsheet: a text cell that a spreadsheet would
//! read as a formula (starting with = + - @) is prefixed with a quote; numbers stay numbers.

use crate::model::CostLine;
use crate::plan::Plan;
use std::io;

/// A cell: text is neutralised against formula injection, numbers are written as they are.
pub(crate) enum Cell<'a> {
    Text(&'a str),
    Num(f64),
    Int(u64),
    Owned(String),
}

pub(crate) fn render<'a>(
    header: &[&str],
    rows: impl Iterator<Item = Vec<Cell<'a>>>,
) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        let fields: Vec<String> = row
            .into_iter()
            .map(|c| match c {
                Cell::Text(t) => safe_text(t),
                Cell::Num(v) => v.to_string(),
                Cell::Int(v) => v.to_string(),
                Cell::Owned(t) => safe_text(&t),
            })
            .collect();
        w.write_record(&fields)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// Prefixes text that a spreadsheet would take for a formula.
pub fn safe_text(t: &str) -> String {
    if t.starts_with(['=', '+', '-', '@']) {
        format!("'{t}")
    } else {
        t.to_string()
    }
}

/// The scenario column of a two-stage plan's tables: the header gains `scenario` first and each
/// scenario's rows carry its id; a single-scenario plan's tables stay as they are.
fn with_scenario<'a>(plan: &Plan, header: &[&'a str]) -> Vec<&'a str> {
    let mut h = Vec::with_capacity(header.len() + 1);
    if !plan.scenarios.is_empty() {
        h.push("scenario");
    }
    h.extend_from_slice(header);
    h
}

/// Each part of a plan with its scenario id: the plan itself (no id), or every scenario.
fn parts(plan: &Plan) -> Vec<(Option<&str>, Part<'_>)> {
    if plan.scenarios.is_empty() {
        return vec![(
            None,
            Part {
                patient_flows: &plan.patient_flows,
                batch_flows: &plan.batch_flows,
            },
        )];
    }
    plan.scenarios
        .iter()
        .map(|s| {
            let part = Part {
                patient_flows: &s.patient_flows,
                batch_flows: &s.batch_flows,
            };
            (Some(s.id.as_str()), part)
        })
        .collect()
}

/// The flows of a plan or of one of its scenarios.
struct Part<'a> {
    patient_flows: &'a [crate::plan::PatientFlow],
    batch_flows: &'a [crate::plan::BatchFlow],
}

/// The row with the scenario id first, when there is one.
fn row<'a>(scenario: Option<&'a str>, cells: Vec<Cell<'a>>) -> Vec<Cell<'a>> {
    match scenario {
        Some(id) => std::iter::once(Cell::Text(id)).chain(cells).collect(),
        None => cells,
    }
}

/// One row per site and year (the year is 1 for a single-year plan); a two-stage plan has one
/// row per scenario and site, with that scenario's batches.
pub fn sites(plan: &Plan) -> io::Result<Vec<u8>> {
    let header = with_scenario(
        plan,
        &[
            "year",
            "id",
            "status",
            "platforms",
            "batches",
            "utilization",
        ],
    );
    let years: Vec<(Option<&str>, u32, &[crate::plan::SitePlan])> = if plan.scenarios.is_empty() {
        plan.site_years()
            .into_iter()
            .map(|(y, s)| (None, y, s))
            .collect()
    } else {
        let each = plan.scenarios.iter();
        each.map(|s| (Some(s.id.as_str()), 1, &s.sites[..]))
            .collect()
    };
    render(
        &header,
        years
            .into_iter()
            .flat_map(|(id, year, sites)| sites.iter().map(move |s| (id, year, s)))
            .map(|(id, year, s)| {
                let cells = vec![
                    Cell::Int(year as u64),
                    Cell::Text(&s.id),
                    Cell::Text(s.status.as_str()),
                    Cell::Int(s.platforms as u64),
                    Cell::Num(s.batches),
                    Cell::Num(s.utilization),
                ];
                row(id, cells)
            }),
    )
}

pub fn patient_flows(plan: &Plan) -> io::Result<Vec<u8>> {
    let header = with_scenario(plan, &["year", "demand", "hospital", "patients", "hours"]);
    render(
        &header,
        parts(plan).into_iter().flat_map(|(id, part)| {
            part.patient_flows.iter().map(move |f| {
                let cells = vec![
                    Cell::Int(f.year as u64),
                    Cell::Text(&f.demand),
                    Cell::Text(&f.hospital),
                    Cell::Num(f.patients),
                    Cell::Num(f.hours),
                ];
                row(id, cells)
            })
        }),
    )
}

pub fn batch_flows(plan: &Plan) -> io::Result<Vec<u8>> {
    let header = with_scenario(
        plan,
        &[
            "year",
            "hospital",
            "site",
            "batches",
            "transit_hours",
            "vein_to_vein_days",
        ],
    );
    render(
        &header,
        parts(plan).into_iter().flat_map(|(id, part)| {
            part.batch_flows.iter().map(move |f| {
                let cells = vec![
                    Cell::Int(f.year as u64),
                    Cell::Text(&f.hospital),
                    Cell::Text(&f.site),
                    Cell::Num(f.batches),
                    Cell::Num(f.transit_hours),
                    Cell::Num(f.vein_to_vein_days),
                ];
                row(id, cells)
            })
        }),
    )
}

/// One row per horizon year: cost lines (undiscounted), the discount factor and the KPIs.
pub fn years(plan: &Plan) -> io::Result<Vec<u8>> {
    let mut header = vec!["year", "discount_factor", "cost_total"];
    header.extend(CostLine::ALL.map(CostLine::column));
    header.extend([
        "patients_demand",
        "patients_in_vivo",
        "patients_served",
        "coverage",
        "batches",
        "sites_open",
        "owned",
        "franchise",
        "platforms",
        "opened",
    ]);
    render(
        &header,
        plan.years.iter().map(|y| {
            let c = &y.cost;
            let k = &y.kpis;
            let mut row = vec![
                Cell::Int(y.year as u64),
                Cell::Num(y.discount_factor),
                Cell::Num(c.total),
            ];
            row.extend(CostLine::ALL.map(|line| Cell::Num(c.get(line))));
            row.extend([
                Cell::Num(k.patients_demand),
                Cell::Num(k.patients_in_vivo),
                Cell::Num(k.patients_served),
                Cell::Num(k.coverage),
                Cell::Num(k.batches),
                Cell::Int(k.sites_open as u64),
                Cell::Int(k.owned as u64),
                Cell::Int(k.franchise as u64),
                Cell::Int(k.platforms as u64),
                Cell::Owned(y.opened.join(" ")),
            ]);
            row
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_quoted() {
        assert_eq!(safe_text("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(safe_text("-1"), "'-1");
        assert_eq!(safe_text("@x"), "'@x");
        assert_eq!(safe_text("S-MSK"), "S-MSK");
    }
}
