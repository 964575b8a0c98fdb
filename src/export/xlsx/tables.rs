//! The plan's tables as sheets: sites, hospitals, patient and batch flows, unserved demand, and
//! the years of a horizon or the scenarios of a two-stage plan. Every row carries its year (1
//! for a single-year plan) and, in a two-stage plan, its scenario first, as the CSVs do.

use super::sheet::{Col, Kind, Value, col};
use crate::input::Instance;
use crate::model::CostLine;
use crate::plan::{BatchFlow, PatientFlow, Plan, SitePlan, SiteStatus, Unserved};
use std::collections::BTreeMap;

/// A plan, or one scenario of a two-stage plan: its sites by year, flows and unserved demand.
pub struct Part<'p> {
    pub scenario: Option<&'p str>,
    pub sites: Vec<(u32, &'p [SitePlan])>,
    pub patient_flows: &'p [PatientFlow],
    pub batch_flows: &'p [BatchFlow],
    pub unserved: &'p [Unserved],
}

/// The plan's parts: itself, or each of its scenarios.
pub fn parts(plan: &Plan) -> Vec<Part<'_>> {
    if plan.scenarios.is_empty() {
        return vec![Part {
            scenario: None,
            sites: plan.site_years(),
            patient_flows: &plan.patient_flows,
            batch_flows: &plan.batch_flows,
            unserved: &plan.unserved,
        }];
    }
    plan.scenarios
        .iter()
        .map(|s| Part {
            scenario: Some(&s.id),
            sites: vec![(1, &s.sites[..])],
            patient_flows: &s.patient_flows,
            batch_flows: &s.batch_flows,
            unserved: &s.unserved,
        })
        .collect()
}

/// The columns with `scenario` first for a two-stage plan.
pub fn columns(plan: &Plan, cols: &[Col]) -> Vec<Col> {
    let scenario = (!plan.scenarios.is_empty()).then_some(col("scenario", Kind::Text));
    scenario.into_iter().chain(cols.iter().copied()).collect()
}

/// The row with the part's scenario first, when it has one, and its year.
fn row<'a>(part: &Part<'a>, year: u32, cells: Vec<Value<'a>>) -> Vec<Value<'a>> {
    let scenario = part.scenario.map(Value::Text);
    scenario
        .into_iter()
        .chain(std::iter::once(Value::Num(f64::from(year))))
        .chain(cells)
        .collect()
}

pub const SITES: &[Col] = &[
    col("year", Kind::Whole),
    col("id", Kind::Text),
    col("name", Kind::Text),
    col("kind", Kind::Text),
    col("status", Kind::Text),
    col("platforms", Kind::Whole),
    col("batches", Kind::Number),
    col("utilization", Kind::Share),
];

pub fn sites<'a>(parts: &[Part<'a>], instance: &'a Instance) -> Vec<Vec<Value<'a>>> {
    let by_id: BTreeMap<&str, &crate::input::Site> =
        instance.sites.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut rows = Vec::new();
    for part in parts {
        for &(year, sites) in &part.sites {
            for s in sites {
                let site = by_id.get(s.id.as_str());
                let open = s.status != SiteStatus::Closed;
                rows.push(row(
                    part,
                    year,
                    vec![
                        Value::Text(&s.id),
                        site.map_or(Value::Blank, |x| Value::Text(&x.name)),
                        site.map_or(Value::Blank, |x| Value::Text(x.kind.as_str())),
                        Value::Text(s.status.as_str()),
                        Value::Num(f64::from(s.platforms)),
                        Value::Num(s.batches),
                        if open {
                            Value::Num(s.utilization)
                        } else {
                            Value::Blank
                        },
                    ],
                ));
            }
        }
    }
    rows
}

pub const HOSPITALS: &[Col] = &[
    col("year", Kind::Whole),
    col("id", Kind::Text),
    col("name", Kind::Text),
    col("max_patients", Kind::Number),
    col("patients", Kind::Number),
    col("batches", Kind::Number),
    col("served_by", Kind::Text),
];

/// Every hospital in every year (and scenario): patients treated, batches sent and the sites
/// making them, each with its batches.
pub fn hospitals<'a>(parts: &[Part<'a>], instance: &'a Instance) -> Vec<Vec<Value<'a>>> {
    let mut rows = Vec::new();
    for part in parts {
        for &(year, _) in &part.sites {
            let mut treated: BTreeMap<&str, f64> = BTreeMap::new();
            for f in part.patient_flows.iter().filter(|f| f.year == year) {
                *treated.entry(&f.hospital).or_default() += f.patients;
            }
            let mut makers: BTreeMap<&str, Vec<(&str, f64)>> = BTreeMap::new();
            for f in part.batch_flows.iter().filter(|f| f.year == year) {
                makers
                    .entry(&f.hospital)
                    .or_default()
                    .push((&f.site, f.batches));
            }
            for h in &instance.hospitals {
                let by = makers.get(h.id.as_str()).map_or(&[][..], Vec::as_slice);
                let served: Vec<String> = by.iter().map(|(s, b)| format!("{s} ({b})")).collect();
                rows.push(row(
                    part,
                    year,
                    vec![
                        Value::Text(&h.id),
                        Value::Text(&h.name),
                        Value::maybe(h.max_patients),
                        Value::Num(treated.get(h.id.as_str()).copied().unwrap_or(0.0)),
                        Value::Num(crate::plan::clean(by.iter().map(|x| x.1).sum())),
                        Value::Owned(served.join(", ")),
                    ],
                ));
            }
        }
    }
    rows
}

pub const PATIENT_FLOWS: &[Col] = &[
    col("year", Kind::Whole),
    col("demand", Kind::Text),
    col("hospital", Kind::Text),
    col("patients", Kind::Number),
    col("hours", Kind::Number),
];

/// One row per item of each part's `list`, after the part's scenario and the item's year.
fn per_part<'a, T: 'a>(
    parts: &[Part<'a>],
    list: impl Fn(&Part<'a>) -> &'a [T],
    cells: impl Fn(&'a T) -> (u32, Vec<Value<'a>>),
) -> Vec<Vec<Value<'a>>> {
    let mut rows = Vec::new();
    for part in parts {
        for item in list(part) {
            let (year, values) = cells(item);
            rows.push(row(part, year, values));
        }
    }
    rows
}

pub fn patient_flows<'a>(parts: &[Part<'a>]) -> Vec<Vec<Value<'a>>> {
    per_part(
        parts,
        |p| p.patient_flows,
        |f| {
            let cells = vec![
                Value::Text(&f.demand),
                Value::Text(&f.hospital),
                Value::Num(f.patients),
                Value::Num(f.hours),
            ];
            (f.year, cells)
        },
    )
}

pub const BATCH_FLOWS: &[Col] = &[
    col("year", Kind::Whole),
    col("hospital", Kind::Text),
    col("site", Kind::Text),
    col("batches", Kind::Number),
    col("transit_hours", Kind::Number),
    col("vein_to_vein_days", Kind::Number),
];

pub fn batch_flows<'a>(parts: &[Part<'a>]) -> Vec<Vec<Value<'a>>> {
    per_part(
        parts,
        |p| p.batch_flows,
        |f| {
            let cells = vec![
                Value::Text(&f.hospital),
                Value::Text(&f.site),
                Value::Num(f.batches),
                Value::Num(f.transit_hours),
                Value::Num(f.vein_to_vein_days),
            ];
            (f.year, cells)
        },
    )
}

pub const UNSERVED: &[Col] = &[
    col("year", Kind::Whole),
    col("demand", Kind::Text),
    col("patients", Kind::Number),
    col("reason", Kind::Text),
];

pub fn unserved<'a>(parts: &[Part<'a>]) -> Vec<Vec<Value<'a>>> {
    per_part(
        parts,
        |p| p.unserved,
        |u| {
            let cells = vec![
                Value::Text(&u.demand),
                Value::Num(u.patients),
                Value::Text(&u.reason),
            ];
            (u.year, cells)
        },
    )
}

/// The columns of the cost lines, total first.
fn cost_columns() -> impl Iterator<Item = Col> {
    std::iter::once(col("cost_total", Kind::Usd))
        .chain(CostLine::ALL.map(|l| col(l.column(), Kind::Usd)))
}

/// Years: each year's undiscounted cost lines, its discount factor and KPIs.
pub fn years(plan: &Plan) -> (Vec<Col>, Vec<Vec<Value<'_>>>) {
    let mut cols = vec![
        col("year", Kind::Whole),
        col("discount_factor", Kind::Number),
    ];
    cols.extend(cost_columns());
    cols.extend([
        col("patients_demand", Kind::Number),
        col("patients_in_vivo", Kind::Number),
        col("patients_served", Kind::Number),
        col("coverage", Kind::Share),
        col("batches", Kind::Number),
        col("sites_open", Kind::Whole),
        col("platforms", Kind::Whole),
        col("opened", Kind::Text),
    ]);
    let rows = plan
        .years
        .iter()
        .map(|y| {
            let (c, k) = (&y.cost, &y.kpis);
            let mut cells = vec![Value::Num(f64::from(y.year)), Value::Num(y.discount_factor)];
            cells.push(Value::Num(c.total));
            cells.extend(CostLine::ALL.map(|l| Value::Num(c.get(l))));
            cells.extend([
                Value::Num(k.patients_demand),
                Value::Num(k.patients_in_vivo),
                Value::Num(k.patients_served),
                Value::Num(k.coverage),
                Value::Num(k.batches),
                Value::Num(k.sites_open as f64),
                Value::Num(f64::from(k.platforms)),
                Value::Owned(y.opened.join(" ")),
            ]);
            cells
        })
        .collect();
    (cols, rows)
}

/// Scenarios: each scenario's probability, cost lines and KPIs under the plan's design.
pub fn scenarios(plan: &Plan) -> (Vec<Col>, Vec<Vec<Value<'_>>>) {
    let mut cols = vec![col("scenario", Kind::Text), col("probability", Kind::Share)];
    cols.extend(cost_columns());
    cols.extend([
        col("patients_demand", Kind::Number),
        col("patients_served", Kind::Number),
        col("coverage", Kind::Share),
        col("sites_open", Kind::Whole),
        col("max_vein_to_vein_days", Kind::Number),
    ]);
    let rows = plan
        .scenarios
        .iter()
        .map(|s| {
            let (c, k) = (&s.cost, &s.kpis);
            let mut cells = vec![Value::Text(&s.id), Value::Num(s.probability)];
            cells.push(Value::Num(c.total));
            cells.extend(CostLine::ALL.map(|l| Value::Num(c.get(l))));
            cells.extend([
                Value::Num(k.patients_demand),
                Value::Num(k.patients_served),
                Value::Num(k.coverage),
                Value::Num(k.sites_open as f64),
                Value::maybe(k.max_vein_to_vein_days),
            ]);
            cells
        })
        .collect();
    (cols, rows)
}
