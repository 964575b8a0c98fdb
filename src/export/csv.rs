//! The plan's tables as CSV, safe to open in a spreadsheet: a text cell that a spreadsheet would
//! read as a formula (starting with = + - @) is prefixed with a quote; numbers stay numbers.

use crate::plan::Plan;
use std::io;

/// A cell: text is neutralised against formula injection, numbers are written as they are.
enum Cell<'a> {
    Text(&'a str),
    Num(f64),
    Int(u64),
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

pub fn sites(plan: &Plan) -> io::Result<Vec<u8>> {
    render(
        &["id", "status", "platforms", "batches", "utilization"],
        plan.sites.iter().map(|s| {
            vec![
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
        &["demand", "hospital", "patients", "hours"],
        plan.patient_flows.iter().map(|f| {
            vec![
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
            "hospital",
            "site",
            "batches",
            "transit_hours",
            "vein_to_vein_days",
        ],
        plan.batch_flows.iter().map(|f| {
            vec![
                Cell::Text(&f.hospital),
                Cell::Text(&f.site),
                Cell::Num(f.batches),
                Cell::Num(f.transit_hours),
                Cell::Num(f.vein_to_vein_days),
            ]
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
