//! What the independent checker reads, from the DESIGN alone: the instance's CSV files, the
//! scenario as recorded in plan.json, and the travel model (DESIGN §3–§4).

use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// Independent re-reading of the instance (DESIGN §3).

/// One CSV row as column name -> trimmed cell; blank cells are absent.
type Row = HashMap<String, String>;

fn read_csv(path: &Path) -> Vec<Row> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect()
        })
        .filter(|row: &Row| !row.is_empty())
        .collect()
}

fn cell_f64(row: &Row, col: &str) -> Option<f64> {
    row.get(col)
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{col} = {v:?}")))
}

pub struct Place {
    pub lat: f64,
    pub lon: f64,
}

pub struct DemandRow {
    pub place: Place,
    pub patients: f64,
}

pub struct HospitalRow {
    pub place: Place,
    pub max_patients: Option<f64>,
}

pub struct SiteRow {
    pub place: Place,
    pub kind: String,
    pub host: Option<String>,
    pub max_platforms: Option<f64>,
    pub allow: String,
    pub setup_owned: Option<f64>,
    pub setup_franchise: Option<f64>,
    pub batches_per_platform: Option<f64>,
    pub existing: bool,
}

fn place(row: &Row) -> Place {
    Place {
        lat: cell_f64(row, "lat").expect("lat"),
        lon: cell_f64(row, "lon").expect("lon"),
    }
}

/// Id -> row, keeping file order.
fn by_id<T>(rows: Vec<Row>, f: impl Fn(&Row) -> T) -> (Vec<String>, HashMap<String, T>) {
    let ids: Vec<String> = rows.iter().map(|r| r["id"].clone()).collect();
    let map = rows.iter().map(|r| (r["id"].clone(), f(r))).collect();
    (ids, map)
}

// ---------------------------------------------------------------------------------------------
// The scenario as recorded in plan.json (DESIGN §4, §7).

pub fn scenario_f64(scenario: &Value, key: &str) -> f64 {
    let mut v = scenario;
    for part in key.split('.') {
        v = &v[part];
    }
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => panic!("plan.json scenario lacks {key}: {v}"),
    }
}

/// A site/platform/batch/time key as it applies to sites of `kind`: the kind's override, if any.
pub fn kind_f64(scenario: &Value, kind: &str, key: &str) -> f64 {
    match scenario["kinds"][kind].get(key) {
        Some(v) => v
            .as_f64()
            .unwrap_or_else(|| panic!("kinds.{kind}.{key} = {v}")),
        None => scenario_f64(scenario, key),
    }
}

/// Capital recovery factor r(1+r)^L / ((1+r)^L - 1); 1/L at r = 0.
pub fn crf(rate: f64, years: f64) -> f64 {
    if rate == 0.0 {
        1.0 / years
    } else {
        let g = (1.0 + rate).powf(years);
        rate * g / (g - 1.0)
    }
}

/// Great-circle distance in km (haversine on a sphere of radius 6371.0088 km, as geo uses).
fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const R: f64 = 6371.0088;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().min(1.0).asin()
}

pub fn gc(a: &Place, b: &Place) -> f64 {
    great_circle_km(a.lat, a.lon, b.lat, b.lon)
}

/// A shipment leg: (hours, USD).
#[derive(Clone, Copy)]
pub struct Leg {
    pub hours: f64,
    pub cost: f64,
}

/// The faster of ground and (beyond the threshold) air over `gc_km`.
pub fn shipment(gc_km: f64, scenario: &Value) -> Leg {
    let t = |k: &str| scenario_f64(scenario, &format!("transport.{k}"));
    let road = gc_km * t("circuity");
    let ground = Leg {
        hours: road / t("ground_kmh"),
        cost: t("ground_cost_fixed") + t("ground_cost_per_km") * road,
    };
    if gc_km > t("air_threshold_km") {
        let air = Leg {
            hours: t("air_handling_hours") + gc_km / t("air_kmh"),
            cost: t("air_cost"),
        };
        if air.hours < ground.hours {
            return air;
        }
    }
    ground
}

/// The instance as the check reads it: each file's ids in file order, and its rows by id.
pub struct Data {
    pub demand_ids: Vec<String>,
    pub demand: HashMap<String, DemandRow>,
    pub hospital_ids: Vec<String>,
    pub hospitals: HashMap<String, HospitalRow>,
    pub site_ids: Vec<String>,
    pub sites: HashMap<String, SiteRow>,
    /// (from, to) -> (hours, cost)
    pub lanes: HashMap<(String, String), (f64, Option<f64>)>,
}

pub fn read_data(data_dir: &Path) -> Data {
    let (demand_ids, demand) = by_id(read_csv(&data_dir.join("demand.csv")), |r| DemandRow {
        place: place(r),
        patients: cell_f64(r, "patients").expect("patients"),
    });
    let (hospital_ids, hospitals) =
        by_id(read_csv(&data_dir.join("hospitals.csv")), |r| HospitalRow {
            place: place(r),
            max_patients: cell_f64(r, "max_patients"),
        });
    let (site_ids, sites) = by_id(read_csv(&data_dir.join("sites.csv")), |r| SiteRow {
        place: place(r),
        kind: r["kind"].clone(),
        host: r.get("hospital").cloned(),
        max_platforms: cell_f64(r, "max_platforms"),
        allow: r.get("allow").cloned().unwrap_or_else(|| "both".into()),
        setup_owned: cell_f64(r, "setup_cost_owned"),
        setup_franchise: cell_f64(r, "setup_cost_franchise"),
        batches_per_platform: cell_f64(r, "batches_per_platform"),
        existing: r.get("existing").is_some_and(|v| v == "true"),
    });
    let lanes_path = data_dir.join("lanes.csv");
    let lanes: HashMap<(String, String), (f64, Option<f64>)> = if lanes_path.exists() {
        read_csv(&lanes_path)
            .iter()
            .map(|r| {
                (
                    (r["from"].clone(), r["to"].clone()),
                    (cell_f64(r, "hours").unwrap(), cell_f64(r, "cost")),
                )
            })
            .collect()
    } else {
        HashMap::new()
    };

    Data {
        demand_ids,
        demand,
        hospital_ids,
        hospitals,
        site_ids,
        sites,
        lanes,
    }
}
