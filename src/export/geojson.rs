//! plan.geojson: the plan on a map, for QGIS, geojson.io or any GIS (RFC 7946).
//!
//! One FeatureCollection, positions as [longitude, latitude] (WGS84). Every feature has a
//! `layer` property saying what it is, so a GIS can style or filter by it:
//!
//! | layer          | geometry   | properties (numbers are JSON numbers)                                   |
//! |----------------|------------|-------------------------------------------------------------------------|
//! | `site`         | Point      | id, name, kind, status, existing, platforms, batches, utilization      |
//! | `hospital`     | Point      | id, name, patients, max_patients (null: unlimited), batches, site, served_by |
//! | `demand`       | Point      | id, name, patients, served, unserved                                    |
//! | `patient_flow` | LineString | demand, hospital, patients, hours                                       |
//! | `batch_flow`   | LineString | hospital, site, batches, transit_hours, vein_to_vein_days               |
//!
//! A hospital's `site` is the site that makes most of its batches; `served_by` lists every site
//! that makes some, most batches first. Flows go from origin to destination (demand point to
//! hospital; hospital to site, the direction of the fresh material).

use crate::ids::index_by_id;
use crate::input::Instance;
use crate::plan::Plan;
use geojson::{Feature, FeatureCollection, Geometry, JsonObject, JsonValue, Value, feature::Id};
use serde_json::json;
use std::collections::HashMap;
use std::io;

/// Renders the plan's FeatureCollection: one feature a line (readable, and diffs line by line),
/// with a final newline.
///
/// Ids the instance does not know (a plan read against other data) are left off the map.
pub fn render(plan: &Plan, instance: &Instance) -> io::Result<Vec<u8>> {
    let collection = collection(plan, instance);
    let mut out = String::from("{\"type\":\"FeatureCollection\"");
    if let Some(bbox) = &collection.bbox {
        out.push_str(",\"bbox\":");
        out.push_str(&serde_json::to_string(bbox).map_err(io::Error::other)?);
    }
    out.push_str(",\"features\":[");
    for (i, f) in collection.features.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&serde_json::to_string(f).map_err(io::Error::other)?);
    }
    out.push_str("\n]}\n");
    Ok(out.into_bytes())
}

/// The plan as a FeatureCollection (see the module documentation for the layers), layer by layer.
pub fn collection(plan: &Plan, instance: &Instance) -> FeatureCollection {
    let ids = Ids::of(instance);
    let mut features = sites(plan, instance, &ids);
    features.extend(hospitals(plan, instance, &ids));
    features.extend(demand(plan, instance, &ids));
    features.extend(patient_flows(plan, instance, &ids));
    features.extend(batch_flows(plan, instance, &ids));
    FeatureCollection {
        bbox: bbox(instance),
        features,
        foreign_members: None,
    }
}

/// Each instance node's index by its id, to find the plan's rows on the map.
struct Ids<'a> {
    demand: HashMap<&'a str, usize>,
    hospitals: HashMap<&'a str, usize>,
    sites: HashMap<&'a str, usize>,
}

impl<'a> Ids<'a> {
    fn of(instance: &'a Instance) -> Self {
        Ids {
            demand: index_by_id(instance.demand.iter().map(|d| d.id.as_str())),
            hospitals: index_by_id(instance.hospitals.iter().map(|h| h.id.as_str())),
            sites: index_by_id(instance.sites.iter().map(|s| s.id.as_str())),
        }
    }
}

/// Sites, in the order of sites.csv (the plan lists every candidate).
fn sites(plan: &Plan, instance: &Instance, ids: &Ids) -> Vec<Feature> {
    let mut features = Vec::new();
    for sp in &plan.sites {
        let Some(&s) = ids.sites.get(sp.id.as_str()) else {
            continue;
        };
        let site = &instance.sites[s];
        features.push(feature(
            format!("site:{}", site.id),
            point(site.lon, site.lat),
            [
                ("layer", json!("site")),
                ("id", json!(site.id)),
                ("name", json!(site.name)),
                ("kind", json!(site.kind.as_str())),
                ("status", json!(sp.status.as_str())),
                ("existing", json!(site.existing)),
                ("platforms", json!(sp.platforms)),
                ("batches", json!(sp.batches)),
                ("utilization", json!(sp.utilization)),
            ],
        ));
    }
    features
}

/// Hospitals: patients treated and the sites that make their batches, most batches first.
fn hospitals(plan: &Plan, instance: &Instance, ids: &Ids) -> Vec<Feature> {
    let mut treated = vec![0.0; instance.hospitals.len()];
    for f in &plan.patient_flows {
        if let Some(&h) = ids.hospitals.get(f.hospital.as_str()) {
            treated[h] += f.patients;
        }
    }
    let mut makers: Vec<Vec<(&str, f64)>> = vec![Vec::new(); instance.hospitals.len()];
    for f in &plan.batch_flows {
        if let Some(&h) = ids.hospitals.get(f.hospital.as_str()) {
            makers[h].push((f.site.as_str(), f.batches));
        }
    }
    let mut features = Vec::new();
    for (h, hospital) in instance.hospitals.iter().enumerate() {
        let mut by = makers[h].clone();
        by.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let batches: f64 = by.iter().map(|(_, b)| b).sum();
        let main = by.first().map_or(JsonValue::Null, |(s, _)| json!(s));
        let served_by: Vec<&str> = by.iter().map(|(s, _)| *s).collect();
        features.push(feature(
            format!("hospital:{}", hospital.id),
            point(hospital.lon, hospital.lat),
            [
                ("layer", json!("hospital")),
                ("id", json!(hospital.id)),
                ("name", json!(hospital.name)),
                ("patients", json!(crate::plan::clean(treated[h]))),
                (
                    "max_patients",
                    hospital.max_patients.map_or(JsonValue::Null, |c| json!(c)),
                ),
                ("batches", json!(crate::plan::clean(batches))),
                ("site", main),
                ("served_by", json!(served_by)),
            ],
        ));
    }
    features
}

/// Demand points: patients, served and unserved.
fn demand(plan: &Plan, instance: &Instance, ids: &Ids) -> Vec<Feature> {
    let mut served = vec![0.0; instance.demand.len()];
    for f in &plan.patient_flows {
        if let Some(&d) = ids.demand.get(f.demand.as_str()) {
            served[d] += f.patients;
        }
    }
    let mut unserved = vec![0.0; instance.demand.len()];
    for u in &plan.unserved {
        if let Some(&d) = ids.demand.get(u.demand.as_str()) {
            unserved[d] += u.patients;
        }
    }
    let features = instance.demand.iter().enumerate().map(|(d, dp)| {
        feature(
            format!("demand:{}", dp.id),
            point(dp.lon, dp.lat),
            [
                ("layer", json!("demand")),
                ("id", json!(dp.id)),
                ("name", json!(dp.name)),
                ("patients", json!(dp.patients)),
                ("served", json!(crate::plan::clean(served[d]))),
                ("unserved", json!(crate::plan::clean(unserved[d]))),
            ],
        )
    });
    features.collect()
}

/// Patient flows as lines from the demand point to the hospital.
fn patient_flows(plan: &Plan, instance: &Instance, ids: &Ids) -> Vec<Feature> {
    let mut features = Vec::new();
    for f in &plan.patient_flows {
        let (Some(&d), Some(&h)) = (
            ids.demand.get(f.demand.as_str()),
            ids.hospitals.get(f.hospital.as_str()),
        ) else {
            continue;
        };
        let (dp, hp) = (&instance.demand[d], &instance.hospitals[h]);
        features.push(feature(
            format!("patient_flow:{}:{}", dp.id, hp.id),
            line(dp.lon, dp.lat, hp.lon, hp.lat),
            [
                ("layer", json!("patient_flow")),
                ("demand", json!(dp.id)),
                ("hospital", json!(hp.id)),
                ("patients", json!(f.patients)),
                ("hours", json!(f.hours)),
            ],
        ));
    }
    features
}

/// Batch flows as lines from the hospital to the site, the way the fresh material goes.
fn batch_flows(plan: &Plan, instance: &Instance, ids: &Ids) -> Vec<Feature> {
    let mut features = Vec::new();
    for f in &plan.batch_flows {
        let (Some(&h), Some(&s)) = (
            ids.hospitals.get(f.hospital.as_str()),
            ids.sites.get(f.site.as_str()),
        ) else {
            continue;
        };
        let (hp, sp) = (&instance.hospitals[h], &instance.sites[s]);
        features.push(feature(
            format!("batch_flow:{}:{}", hp.id, sp.id),
            line(hp.lon, hp.lat, sp.lon, sp.lat),
            [
                ("layer", json!("batch_flow")),
                ("hospital", json!(hp.id)),
                ("site", json!(sp.id)),
                ("batches", json!(f.batches)),
                ("transit_hours", json!(f.transit_hours)),
                ("vein_to_vein_days", json!(f.vein_to_vein_days)),
            ],
        ));
    }
    features
}

fn point(lon: f64, lat: f64) -> Geometry {
    Geometry::new(Value::Point(vec![lon, lat]))
}

fn line(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> Geometry {
    Geometry::new(Value::LineString(vec![vec![lon1, lat1], vec![lon2, lat2]]))
}

fn feature<const N: usize>(
    id: String,
    geometry: Geometry,
    properties: [(&str, JsonValue); N],
) -> Feature {
    let properties: JsonObject = properties
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Feature {
        bbox: None,
        geometry: Some(geometry),
        id: Some(Id::String(id)),
        properties: Some(properties),
        foreign_members: None,
    }
}

/// [west, south, east, north] over every node of the instance (RFC 7946 §5); none when empty.
fn bbox(instance: &Instance) -> Option<Vec<f64>> {
    let points = instance
        .demand
        .iter()
        .map(|d| (d.lon, d.lat))
        .chain(instance.hospitals.iter().map(|h| (h.lon, h.lat)))
        .chain(instance.sites.iter().map(|s| (s.lon, s.lat)));
    let mut b: Option<[f64; 4]> = None;
    for (lon, lat) in points {
        b = Some(match b {
            None => [lon, lat, lon, lat],
            Some([w, s, e, n]) => [w.min(lon), s.min(lat), e.max(lon), n.max(lat)],
        });
    }
    b.map(|b| b.to_vec())
}
