//! A sweep shard's contents: its rows as CSV, lossless (every number in its shortest form that
//! reads back to the same f64), and the axes as a header value, so a merge rebuilds the exact
//! rows and axes a one-machine run holds.

use super::axes::{Axis, Level, Source};
use super::design::{Design, OpenSite};
use super::run::{Row, RowStatus};
use crate::plan::{Kpis, SiteStatus};
use serde_json::{Value, json};
use std::io;
use std::path::PathBuf;

/// The columns of a sweep shard's rows.
const COLUMNS: [&str; 21] = [
    "index",
    "levels",
    "status",
    "seconds",
    "objective",
    "gap",
    "patients_demand",
    "patients_in_vivo",
    "patients_served",
    "coverage",
    "batches",
    "sites_open",
    "owned",
    "franchise",
    "platforms",
    "mean_vein_to_vein_days",
    "max_vein_to_vein_days",
    "cost_per_patient",
    "folder",
    "notes",
    "design",
];

/// The columns that are the KPIs (empty without a plan).
const KPI_COLUMNS: std::ops::Range<usize> = 6..18;

/// A row of a shard and the folder of its plan, relative to the shard's folder (empty: none
/// written).
pub struct ShardRow {
    pub row: Row,
    pub folder: String,
}

/// The rows' CSV, header row first.
pub fn render_rows(rows: &[ShardRow]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for ShardRow { row: r, folder } in rows {
        let levels: Vec<String> = r.levels.iter().map(usize::to_string).collect();
        let mut rec = vec![
            r.index.to_string(),
            levels.join(";"),
            r.status.as_str().to_string(),
            r.seconds.to_string(),
            opt(r.objective),
            opt(r.gap),
        ];
        match &r.kpis {
            Some(k) => rec.extend([
                k.patients_demand.to_string(),
                k.patients_in_vivo.to_string(),
                k.patients_served.to_string(),
                k.coverage.to_string(),
                k.batches.to_string(),
                k.sites_open.to_string(),
                k.owned.to_string(),
                k.franchise.to_string(),
                k.platforms.to_string(),
                opt(k.mean_vein_to_vein_days),
                opt(k.max_vein_to_vein_days),
                opt(k.cost_per_patient),
            ]),
            None => rec.extend(KPI_COLUMNS.map(|_| String::new())),
        }
        rec.push(folder.clone());
        rec.push(Value::from(r.notes.clone()).to_string());
        rec.push(r.design.as_ref().map_or(String::new(), design_json));
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// Reads the rows [`render_rows`] wrote; `Err` says what is wrong, and where.
pub fn parse_rows(body: &str) -> Result<Vec<ShardRow>, String> {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    if header.iter().ne(COLUMNS) {
        return Err(format!("its columns are not {}", COLUMNS.join(",")));
    }
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        rows.push(parse_row(&rec).map_err(|why| format!("row {}: {why}", i + 1))?);
    }
    Ok(rows)
}

fn parse_row(rec: &csv::StringRecord) -> Result<ShardRow, String> {
    let cell = |c: usize| rec.get(c).unwrap_or("");
    let number = |c: usize| -> Result<f64, String> {
        cell(c)
            .parse::<f64>()
            .map_err(|_| format!("{}: \"{}\" is not a number", COLUMNS[c], cell(c)))
    };
    let opt = |c: usize| -> Result<Option<f64>, String> {
        if cell(c).is_empty() {
            Ok(None)
        } else {
            number(c).map(Some)
        }
    };
    let whole = |c: usize| -> Result<usize, String> {
        cell(c)
            .parse::<usize>()
            .map_err(|_| format!("{}: \"{}\" is not a whole number", COLUMNS[c], cell(c)))
    };
    let levels = if cell(1).is_empty() {
        Vec::new()
    } else {
        cell(1)
            .split(';')
            .map(|l| l.parse::<usize>().map_err(|_| format!("levels: \"{l}\"")))
            .collect::<Result<Vec<_>, _>>()?
    };
    let kpis = if cell(KPI_COLUMNS.start).is_empty() {
        None
    } else {
        Some(Kpis {
            patients_demand: number(6)?,
            patients_in_vivo: number(7)?,
            patients_served: number(8)?,
            coverage: number(9)?,
            batches: number(10)?,
            sites_open: whole(11)?,
            owned: whole(12)?,
            franchise: whole(13)?,
            platforms: whole(14)?.try_into().map_err(|_| "platforms: too many")?,
            mean_vein_to_vein_days: opt(15)?,
            max_vein_to_vein_days: opt(16)?,
            cost_per_patient: opt(17)?,
        })
    };
    let notes: Vec<String> =
        serde_json::from_str(cell(19)).map_err(|_| "notes: not a JSON list of text")?;
    let design = match cell(20) {
        "" => None,
        text => Some(parse_design(text).ok_or("design: not a list of [site, status, platforms]")?),
    };
    let row = Row {
        index: whole(0)?,
        design,
        levels,
        status: status(cell(2))?,
        seconds: number(3)?,
        objective: opt(4)?,
        gap: opt(5)?,
        kpis,
        notes,
    };
    Ok(ShardRow {
        row,
        folder: cell(18).to_string(),
    })
}

fn status(s: &str) -> Result<RowStatus, String> {
    [
        RowStatus::Optimal,
        RowStatus::Feasible,
        RowStatus::Infeasible,
        RowStatus::NoSolution,
        RowStatus::Error,
        RowStatus::NotRun,
    ]
    .into_iter()
    .find(|st| st.as_str() == s)
    .ok_or_else(|| format!("status: \"{s}\" is not a status"))
}

/// A design as `[["S-1","owned",3],...]`.
fn design_json(d: &Design) -> String {
    let sites: Vec<Value> = (d.sites.iter())
        .map(|s| json!([s.id, s.status.as_str(), s.platforms]))
        .collect();
    Value::from(sites).to_string()
}

fn parse_design(text: &str) -> Option<Design> {
    let sites: Vec<(String, String, u32)> = serde_json::from_str(text).ok()?;
    let status = |s: &str| {
        [SiteStatus::Owned, SiteStatus::Franchise, SiteStatus::Closed]
            .into_iter()
            .find(|st| st.as_str() == s)
    };
    let sites = sites
        .into_iter()
        .map(|(id, st, platforms)| {
            Some(OpenSite {
                id,
                status: status(&st)?,
                platforms,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Design { sites })
}

/// The axes as a header value: each key and its levels, typed, numbers as their shortest text.
pub fn axes_json(axes: &[Axis]) -> Value {
    let level = |l: &Level| match l {
        Level::Value(toml::Value::Float(f)) => json!({ "float": f.to_string() }),
        Level::Value(toml::Value::Integer(i)) => json!({ "integer": i }),
        Level::Value(toml::Value::Boolean(b)) => json!({ "boolean": b }),
        Level::Value(toml::Value::String(s)) => json!({ "text": s }),
        Level::Value(other) => json!({ "toml": other.to_string() }),
        Level::Model(p) => json!({ "model": p.display().to_string() }),
    };
    axes.iter()
        .map(|a| json!({ "key": a.key, "levels": a.levels.iter().map(level).collect::<Vec<_>>() }))
        .collect()
}

/// The axes [`axes_json`] wrote.
pub fn parse_axes(v: &Value) -> Option<Vec<Axis>> {
    v.as_array()?
        .iter()
        .map(|a| {
            let levels = a["levels"].as_array()?.iter().map(parse_level);
            Some(Axis {
                key: a["key"].as_str()?.to_string(),
                levels: levels.collect::<Option<Vec<_>>>()?,
                source: Source::flag("--vary"),
            })
        })
        .collect()
}

fn parse_level(l: &Value) -> Option<Level> {
    let (kind, v) = l.as_object()?.iter().next()?;
    let value = match kind.as_str() {
        "float" => toml::Value::Float(v.as_str()?.parse().ok()?),
        "integer" => toml::Value::Integer(v.as_i64()?),
        "boolean" => toml::Value::Boolean(v.as_bool()?),
        "text" => toml::Value::String(v.as_str()?.to_string()),
        "toml" => {
            let table: toml::Table = format!("v = {}", v.as_str()?).parse().ok()?;
            table.get("v")?.clone()
        }
        "model" => return Some(Level::Model(PathBuf::from(v.as_str()?))),
        _ => return None,
    };
    Some(Level::Value(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: usize, kpis: Option<Kpis>) -> Row {
        Row {
            index,
            levels: vec![index, 1],
            status: if kpis.is_some() {
                RowStatus::Optimal
            } else {
                RowStatus::Infeasible
            },
            seconds: 0.123,
            objective: kpis.as_ref().map(|_| 12_345_678.91),
            gap: kpis.as_ref().map(|_| 1.0 / 3.0),
            design: kpis.as_ref().map(|_| Design {
                sites: vec![OpenSite {
                    id: "S-\"1\",x".into(),
                    status: SiteStatus::Franchise,
                    platforms: 4,
                }],
            }),
            kpis,
            notes: if index == 0 {
                vec!["a \"quoted\", note\nover lines".into()]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn rows_read_back_exactly() {
        let k = Kpis {
            patients_demand: 0.1 + 0.2,
            patients_in_vivo: 0.0,
            patients_served: 1e-7,
            coverage: 2.0 / 3.0,
            batches: 123.456,
            sites_open: 5,
            owned: 3,
            franchise: 2,
            platforms: 17,
            mean_vein_to_vein_days: Some(std::f64::consts::PI),
            max_vein_to_vein_days: None,
            cost_per_patient: Some(987_654.321),
        };
        let rows = vec![
            ShardRow {
                row: row(0, None),
                folder: String::new(),
            },
            ShardRow {
                row: row(3, Some(k)),
                folder: "plans/004_x=1".into(),
            },
        ];
        let csv = render_rows(&rows).unwrap();
        let back = parse_rows(std::str::from_utf8(&csv).unwrap()).unwrap();
        assert_eq!(back.len(), 2);
        for (a, b) in rows.iter().zip(&back) {
            assert_eq!(a.row, b.row);
            assert_eq!(a.folder, b.folder);
        }
    }

    #[test]
    fn axes_read_back_exactly() {
        let axes = vec![
            Axis::parse("site.setup_cost_owned=1.5e6..3e6/16").unwrap(),
            Axis::parse("policy.single_sourcing=true,false").unwrap(),
            Axis::parse("model=models/baseline.toml,models/centralized.toml").unwrap(),
            Axis::parse("horizon.setup=upfront,annualized").unwrap(),
        ];
        let text = axes_json(&axes).to_string();
        let back = parse_axes(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(back, axes);
    }
}
