//! The plan's tables as CSV, safe to open in a spreadsheet: a text cell that a spreadsheet would
//! read as a formula (starting with = + - @) is prefixed with a quote; numbers stay numbers.

use crate::model::CostLine;
use crate::plan::Plan;
use std::io;

/// A cell: text is neutralised against formula injection, numbers are written as they are.
enum Cell<'a> {
    Text(&'a str),
    Num(f64),
    Int(u64),
    Owned(String),
}

fn render<'a>(header: &[&str], rows: impl Iterator<Item = Vec<Cell<'a>>>) -> io::Result<Vec<u8>> {
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

/// One row per site and year (the year is 1 for a single-year plan).
pub fn sites(plan: &Plan) -> io::Result<Vec<u8>> {
    let years = plan.site_years();
    render(
        &[
            "year",
            "id",
            "status",
            "platforms",
            "batches",
            "utilization",
        ],
        years
            .iter()
            .flat_map(|(year, sites)| sites.iter().map(move |s| (*year, s)))
            .map(|(year, s)| {
                vec![
                    Cell::Int(year as u64),
                    Cell::Text(&s.id),
                    Cell::Text(s.status.as_str()),
                    Cell::Int(s.platforms as u64),
                    Cell::Num(s.batches),
                    Cell::Num(s.utilization),
                ]
            }),
    )
}

pub fn patient_flows(plan: &Plan) -> io::Result<Vec<u8>> {
    render(
        &["year", "demand", "hospital", "patients", "hours"],
        plan.patient_flows.iter().map(|f| {
            vec![
                Cell::Int(f.year as u64),
                Cell::Text(&f.demand),
                Cell::Text(&f.hospital),
                Cell::Num(f.patients),
                Cell::Num(f.hours),
            ]
        }),
    )
}

pub fn batch_flows(plan: &Plan) -> io::Result<Vec<u8>> {
    render(
        &[
            "year",
            "hospital",
            "site",
            "batches",
            "transit_hours",
            "vein_to_vein_days",
        ],
        plan.batch_flows.iter().map(|f| {
            vec![
                Cell::Int(f.year as u64),
                Cell::Text(&f.hospital),
                Cell::Text(&f.site),
                Cell::Num(f.batches),
                Cell::Num(f.transit_hours),
                Cell::Num(f.vein_to_vein_days),
            ]
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
