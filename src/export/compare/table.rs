//! compare.csv: one row per figure or change, `section,id,a,b,change`, for a spreadsheet. The
//! numbers are plain (no separators, full precision); the site and hospital rows name states.

use super::Comparison;
use super::text::{site_list, site_state};
use crate::export::csv::safe_text;
use std::io;

const HEADER: [&str; 5] = ["section", "id", "a", "b", "change"];

/// Decimals of the numbers written: a plan's figures have at most six, and a difference of
/// two of them is written as exactly (without the binary rounding's tail, 0.2237089999...).
const DECIMALS: usize = 6;

/// A number as written in the CSV: at most [`DECIMALS`] decimals, no trailing zeros; blank
/// when a plan lacks it.
fn num(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| {
        let t = format!("{x:.DECIMALS$}");
        let t = t.trim_end_matches('0').trim_end_matches('.');
        if t == "-0" { "0".into() } else { t.to_string() }
    })
}

/// compare.csv's bytes: the cost lines (section `cost`), the KPIs (`kpi`), the sites that
/// changed (`site`, the change named) and the hospitals served by other sites (`hospital`).
pub fn csv(c: &Comparison) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for (section, pairs) in [("cost", &c.cost), ("kpi", &c.kpis)] {
        for p in pairs {
            w.write_record([
                section,
                &safe_text(&p.name),
                &num(p.a),
                &num(p.b),
                &num(p.change()),
            ])?;
        }
    }
    for s in &c.sites {
        w.write_record([
            "site",
            &safe_text(&s.id),
            &site_state(&s.a),
            &site_state(&s.b),
            s.change.as_str(),
        ])?;
    }
    for h in c.hospitals.iter().flatten() {
        w.write_record([
            "hospital",
            &safe_text(&h.id),
            &safe_text(&site_list(&h.a)),
            &safe_text(&site_list(&h.b)),
            "serving sites",
        ])?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}
