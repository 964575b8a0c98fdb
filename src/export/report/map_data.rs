//! What the map draws, gathered from the plan's rows and the instance before any drawing, and
//! the projection that places it.

use super::{final_year, num_or_zero, shown, str_or_empty, t};
use crate::export::report_plan::{BatchFlow, PatientFlow, ReportPlan};
use crate::ids::index_by_id;
use crate::input::Instance;
use serde_json::Value;
use std::collections::HashMap;

/// The map's size in pixels: the wider column of the page.
pub(super) const MAP_W: f64 = 760.0;
pub(super) const MAP_H: f64 = 560.0;
/// Room between the outermost points and the map's edge, for their symbols.
const MAP_PAD: f64 = 28.0;
/// The smallest cosine the longitudes are scaled by, so that a map near a pole stays finite.
const MIN_COS_LAT: f64 = 0.05;
/// Half the smallest span shown each way, in degrees, so that one point still gets a sensible map.
const MIN_HALF_SPAN: f64 = 0.25;

/// Equirectangular projection fitted to a box, north up.
pub(super) struct Projection {
    lon0: f64,
    lat0: f64,
    kx: f64,
    scale: f64,
    x0: f64,
    y0: f64,
}

impl Projection {
    pub(super) fn fit(points: &[(f64, f64)]) -> Projection {
        let (mut w, mut e, mut so, mut n) = (180.0f64, -180.0f64, 90.0f64, -90.0f64);
        for &(lon, lat) in points {
            w = w.min(lon);
            e = e.max(lon);
            so = so.min(lat);
            n = n.max(lat);
        }
        if points.is_empty() {
            // no points: a box around (0, 0)
            (w, e, so, n) = (-1.0, 1.0, -1.0, 1.0);
        }
        let mid = (so + n) / 2.0;
        let kx = mid.to_radians().cos().max(MIN_COS_LAT);
        let (cx, cy) = ((w + e) / 2.0, mid);
        let half_x = ((e - w) / 2.0 * kx).max(MIN_HALF_SPAN);
        let half_y = ((n - so) / 2.0).max(MIN_HALF_SPAN);
        let scale = ((MAP_W / 2.0 - MAP_PAD) / half_x).min((MAP_H / 2.0 - MAP_PAD) / half_y);
        Projection {
            lon0: cx,
            lat0: cy,
            kx,
            scale,
            x0: MAP_W / 2.0,
            y0: MAP_H / 2.0,
        }
    }

    pub(super) fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.x0 + (lon - self.lon0) * self.kx * self.scale,
            self.y0 - (lat - self.lat0) * self.scale,
        )
    }

    /// Pixels per degree of latitude (and of longitude at the map's middle latitude).
    pub(super) fn px_per_degree(&self) -> f64 {
        self.scale
    }

    pub(super) fn lon_at(&self, x: f64) -> f64 {
        self.lon0 + (x - self.x0) / (self.kx * self.scale)
    }

    pub(super) fn lat_at(&self, y: f64) -> f64 {
        self.lat0 - (y - self.y0) / self.scale
    }
}

/// A site as the map draws it: its status in the plan and its volumes.
pub(super) struct MapSite {
    pub(super) status: String,
    pub(super) batches: f64,
    pub(super) platforms: f64,
    pub(super) opened: Option<u64>,
}

/// The largest value of each drawn quantity, which sizes the symbols and line widths.
pub(super) struct MapMaxima {
    pub(super) patients: f64,
    pub(super) treated: f64,
    pub(super) batches: f64,
    pub(super) patient_flow: f64,
    pub(super) batch_flow: f64,
}

/// Everything the map draws, gathered from the plan's rows and the instance before any drawing.
pub(super) struct MapData<'r, 'a> {
    pub(super) instance: &'a Instance,
    pub(super) projection: Projection,
    /// The year drawn: the final year of a multi-year plan, `None` for a single-year plan.
    pub(super) year: Option<u64>,
    /// Index of each demand point, hospital and site in the instance, by id.
    pub(super) demand_index: HashMap<&'a str, usize>,
    pub(super) hospital_index: HashMap<&'a str, usize>,
    pub(super) site_index: HashMap<&'a str, usize>,
    pub(super) patient_flows: Vec<&'r PatientFlow<'r>>,
    pub(super) batch_flows: Vec<&'r BatchFlow<'r>>,
    /// Per demand point: patients a year in the year drawn, and those left unserved.
    pub(super) patients: Vec<f64>,
    pub(super) unserved: Vec<f64>,
    /// Per hospital: patients treated a year.
    pub(super) treated: Vec<f64>,
    /// Per instance site, in the instance's order.
    pub(super) sites: Vec<MapSite>,
    pub(super) max: MapMaxima,
}

impl<'r, 'a> MapData<'r, 'a> {
    pub(super) fn gather(rows: &'r ReportPlan<'r>, instance: &'a Instance) -> Self {
        let plan = &rows.rest;
        let points = crate::input::basemap::places(instance);
        // a multi-year plan is drawn as it stands in its final year
        let year = final_year(plan);
        let mut data = MapData {
            instance,
            projection: Projection::fit(&points),
            year,
            demand_index: index_by_id(instance.demand.iter().map(|d| d.id.as_str())),
            hospital_index: index_by_id(instance.hospitals.iter().map(|x| x.id.as_str())),
            site_index: index_by_id(instance.sites.iter().map(|x| x.id.as_str())),
            patient_flows: rows
                .patient_flows
                .iter()
                .filter(|x| shown(x.year, year))
                .collect(),
            batch_flows: rows
                .batch_flows
                .iter()
                .filter(|x| shown(x.year, year))
                .collect(),
            patients: Vec::new(),
            unserved: vec![0.0; instance.demand.len()],
            treated: vec![0.0; instance.hospitals.len()],
            sites: Vec::new(),
            max: MapMaxima {
                patients: 0.0,
                treated: 0.0,
                batches: 0.0,
                patient_flow: 0.0,
                batch_flow: 0.0,
            },
        };
        data.add_patients(rows);
        data.add_sites(plan);
        data.max = data.maxima();
        data
    }

    /// Patients per demand point and hospital in the year drawn, and the unserved demand.
    fn add_patients(&mut self, rows: &'r ReportPlan<'r>) {
        // a horizon's demand grows: the final year's is what its flows and shortfalls add up to
        let mut year_demand = vec![0.0; self.instance.demand.len()];
        for u in rows.unserved.iter().filter(|x| shown(x.year, self.year)) {
            if let Some(&d) = self.demand_index.get(t(&u.demand)) {
                self.unserved[d] += u.patients;
                year_demand[d] += u.patients;
            }
        }
        for fl in &self.patient_flows {
            if let Some(&x) = self.hospital_index.get(t(&fl.hospital)) {
                self.treated[x] += fl.patients;
            }
            if let Some(&d) = self.demand_index.get(t(&fl.demand)) {
                year_demand[d] += fl.patients;
            }
        }
        self.patients = if self.year.is_some() {
            year_demand
        } else {
            self.instance.demand.iter().map(|d| d.patients).collect()
        };
    }

    /// Each instance site's status and volumes in the plan; closed when the plan omits it.
    fn add_sites(&mut self, plan: &Value) {
        self.sites = (0..self.instance.sites.len())
            .map(|_| MapSite {
                status: "closed".into(),
                batches: 0.0,
                platforms: 0.0,
                opened: None,
            })
            .collect();
        for ps in plan["sites"].as_array().into_iter().flatten() {
            if let Some(&x) = self.site_index.get(str_or_empty(&ps["id"])) {
                self.sites[x] = MapSite {
                    status: str_or_empty(&ps["status"]).to_string(),
                    batches: num_or_zero(&ps["batches"]),
                    platforms: num_or_zero(&ps["platforms"]),
                    opened: ps["opened_year"].as_u64(),
                };
            }
        }
    }

    /// The largest of each drawn quantity; 0 when there is none.
    fn maxima(&self) -> MapMaxima {
        let max = |values: &mut dyn Iterator<Item = f64>| values.fold(0.0, f64::max);
        MapMaxima {
            patients: max(&mut self.patients.iter().copied()),
            treated: max(&mut self.treated.iter().copied()),
            batches: max(&mut self.sites.iter().map(|x| x.batches)),
            patient_flow: max(&mut self.patient_flows.iter().map(|x| x.patients)),
            batch_flow: max(&mut self.batch_flows.iter().map(|x| x.batches)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_keeps_points_inside_the_map() {
        let pts = [(-75.2, 39.9), (-73.9, 40.8), (-74.5, 40.2)];
        let p = Projection::fit(&pts);
        for (lon, lat) in pts {
            let (x, y) = p.xy(lon, lat);
            assert!((0.0..=MAP_W).contains(&x) && (0.0..=MAP_H).contains(&y));
        }
        // north is up
        assert!(p.xy(-74.0, 40.8).1 < p.xy(-74.0, 39.9).1);
    }
}
