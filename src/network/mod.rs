//! The network: a petgraph of demand points, hospitals and candidate sites with only the feasible
//! arcs of DESIGN §5, each carrying distance, hours, mode and cost.
//!
//! Building is linear in the arcs kept: candidates for an arc are found by a latitude band around
//! each node (the reach of the travel limit), never by testing every demand × hospital × site.

pub mod travel;

use crate::input::{Instance, NodeRef, Scenario, SiteTerms};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use std::collections::HashMap;
use travel::{Leg, Mode, great_circle_km};

/// A node of the network: an index into the instance's demand, hospitals or sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Demand(usize),
    Hospital(usize),
    Site(usize),
}

/// Patients travelling from a demand point to a hospital.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientArc {
    pub demand: usize,
    pub hospital: usize,
    pub road_km: f64,
    /// One-way travel hours.
    pub hours: f64,
    pub mode: Mode,
    /// USD per patient (both ways).
    pub cost_per_patient: f64,
}

/// Cells shipped from a hospital to a site and the product shipped back.
#[derive(Debug, Clone, PartialEq)]
pub struct CellArc {
    pub hospital: usize,
    pub site: usize,
    pub great_circle_km: f64,
    /// Material out (hospital -> site).
    pub out: Leg,
    /// Product back (site -> hospital).
    pub back: Leg,
    pub vein_to_vein_days: f64,
}

impl CellArc {
    /// USD per batch: the two shipment legs.
    pub fn cost_per_batch(&self) -> f64 {
        self.out.cost + self.back.cost
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Arc {
    Patient(PatientArc),
    Cell(CellArc),
}

/// The network with the per-site effective parameters it was built with.
#[derive(Debug, Clone)]
pub struct Network {
    pub graph: DiGraph<Node, Arc>,
    pub demand_nodes: Vec<NodeIndex>,
    pub hospital_nodes: Vec<NodeIndex>,
    pub site_nodes: Vec<NodeIndex>,
    /// Edges `0..patient_arc_count` are patient arcs, the rest cell arcs.
    patient_arc_count: usize,
    pub terms: Vec<SiteTerms>,
}

impl Network {
    /// Builds the graph of feasible arcs for `instance` under `scenario`.
    pub fn build(instance: &Instance, scenario: &Scenario) -> Network {
        let terms: Vec<SiteTerms> = instance
            .sites
            .iter()
            .map(|s| SiteTerms::new(s, scenario))
            .collect();
        let mut graph = DiGraph::new();
        let demand_nodes = (0..instance.demand.len())
            .map(|i| graph.add_node(Node::Demand(i)))
            .collect();
        let hospital_nodes: Vec<NodeIndex> = (0..instance.hospitals.len())
            .map(|i| graph.add_node(Node::Hospital(i)))
            .collect();
        let site_nodes: Vec<NodeIndex> = (0..instance.sites.len())
            .map(|i| graph.add_node(Node::Site(i)))
            .collect();
        let mut network = Network {
            graph,
            demand_nodes,
            hospital_nodes,
            site_nodes,
            patient_arc_count: 0,
            terms,
        };
        for arc in patient_arcs(instance, scenario) {
            let (a, b) = (
                network.demand_nodes[arc.demand],
                network.hospital_nodes[arc.hospital],
            );
            network.graph.add_edge(a, b, Arc::Patient(arc));
        }
        network.patient_arc_count = network.graph.edge_count();
        for arc in cell_arcs(instance, scenario, &network.terms) {
            let (a, b) = (
                network.hospital_nodes[arc.hospital],
                network.site_nodes[arc.site],
            );
            network.graph.add_edge(a, b, Arc::Cell(arc));
        }
        network
    }

    /// Patient arcs in edge order (dense indices 0..).
    pub fn patient_arcs(&self) -> impl Iterator<Item = &PatientArc> {
        self.graph
            .edge_weights()
            .take(self.patient_arc_count)
            .map(|a| match a {
                Arc::Patient(p) => p,
                Arc::Cell(_) => unreachable!("patient arcs come first"),
            })
    }

    /// Cell arcs in edge order (dense indices 0..).
    pub fn cell_arcs(&self) -> impl Iterator<Item = &CellArc> {
        self.graph
            .edge_weights()
            .skip(self.patient_arc_count)
            .map(|a| match a {
                Arc::Cell(c) => c,
                Arc::Patient(_) => unreachable!("cell arcs come last"),
            })
    }

    pub fn patient_arc_count(&self) -> usize {
        self.patient_arc_count
    }

    pub fn cell_arc_count(&self) -> usize {
        self.graph.edge_count() - self.patient_arc_count
    }

    /// The cell arc with dense index `i`.
    pub fn cell_arc(&self, i: usize) -> &CellArc {
        match &self.graph[EdgeIndex::new(self.patient_arc_count + i)] {
            Arc::Cell(c) => c,
            Arc::Patient(_) => unreachable!(),
        }
    }

    /// The patient arc with dense index `i`.
    pub fn patient_arc(&self, i: usize) -> &PatientArc {
        match &self.graph[EdgeIndex::new(i)] {
            Arc::Patient(p) => p,
            Arc::Cell(_) => unreachable!(),
        }
    }
}

/// Indices of points sorted by latitude, for band queries.
struct LatitudeIndex {
    order: Vec<(f64, usize)>,
}

impl LatitudeIndex {
    fn new(lats: impl Iterator<Item = f64>) -> Self {
        let mut order: Vec<(f64, usize)> = lats.enumerate().map(|(i, l)| (l, i)).collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        LatitudeIndex { order }
    }

    /// Points whose latitude is within `reach_km` of `lat` (a superset of those within reach_km),
    /// in index order so the result does not depend on the sort.
    fn band(&self, lat: f64, reach_km: f64) -> Vec<usize> {
        // 1 degree of latitude is at least 110.5 km on the WGS84 ellipsoid; haversine uses a
        // 6371 km sphere (111.19 km a degree). Dividing by 110 keeps the band a superset.
        let dlat = reach_km / 110.0;
        let lo = self.order.partition_point(|(l, _)| *l < lat - dlat);
        let hi = self.order.partition_point(|(l, _)| *l <= lat + dlat);
        let mut out: Vec<usize> = self.order[lo..hi].iter().map(|(_, i)| *i).collect();
        out.sort_unstable();
        out
    }
}

fn patient_arcs(instance: &Instance, scenario: &Scenario) -> Vec<PatientArc> {
    let t = &scenario.transport;
    let max_hours = scenario.time.max_patient_travel_hours;
    let reach_km = max_hours * t.patient_kmh / t.circuity;
    let lanes: HashMap<(usize, usize), (f64, Option<f64>)> = instance
        .lanes
        .iter()
        .filter_map(|l| match (l.from, l.to) {
            (NodeRef::Demand(d), NodeRef::Hospital(h)) => Some(((d, h), (l.hours, l.cost))),
            _ => None,
        })
        .collect();
    let mut lane_targets: HashMap<usize, Vec<usize>> = HashMap::new();
    for &(d, h) in lanes.keys() {
        lane_targets.entry(d).or_default().push(h);
    }
    let index = LatitudeIndex::new(instance.hospitals.iter().map(|h| h.lat));
    let mut arcs = Vec::new();
    for (d, dp) in instance.demand.iter().enumerate() {
        let mut candidates = index.band(dp.lat, reach_km);
        candidates.extend(lane_targets.get(&d).into_iter().flatten());
        candidates.sort_unstable();
        candidates.dedup();
        for h in candidates {
            let hp = &instance.hospitals[h];
            let gc = great_circle_km(dp.lat, dp.lon, hp.lat, hp.lon);
            let road_km = gc * t.circuity;
            let (hours, mode, cost) = match lanes.get(&(d, h)) {
                Some(&(hours, cost)) => (
                    hours,
                    Mode::Lane,
                    cost.unwrap_or(2.0 * t.patient_cost_per_km * road_km),
                ),
                None => (
                    travel::patient_hours(gc, t),
                    Mode::Ground,
                    2.0 * t.patient_cost_per_km * road_km,
                ),
            };
            if hours <= max_hours {
                arcs.push(PatientArc {
                    demand: d,
                    hospital: h,
                    road_km,
                    hours,
                    mode,
                    cost_per_patient: cost,
                });
            }
        }
    }
    arcs
}

/// The legs between hospital `h` and site `s` in both directions, with lanes and hosting applied.
pub fn legs(
    instance: &Instance,
    scenario: &Scenario,
    lanes: &LaneMap,
    h: usize,
    s: usize,
) -> (f64, Leg, Leg) {
    let hp = &instance.hospitals[h];
    let sp = &instance.sites[s];
    let gc = great_circle_km(hp.lat, hp.lon, sp.lat, sp.lon);
    let computed = if sp.hospital == Some(h) {
        Leg {
            hours: 0.0,
            mode: Mode::Onsite,
            cost: 0.0,
        }
    } else {
        travel::shipment(gc, &scenario.transport)
    };
    let lane = |key: (NodeRef, NodeRef)| {
        lanes.get(&key).map(|&(hours, cost)| Leg {
            hours,
            mode: Mode::Lane,
            cost: cost.unwrap_or(computed.cost),
        })
    };
    let out_lane = lane((NodeRef::Hospital(h), NodeRef::Site(s)));
    let back_lane = lane((NodeRef::Site(s), NodeRef::Hospital(h)));
    // A lane given in one direction only applies to both.
    let out = out_lane.or(back_lane).unwrap_or(computed);
    let back = back_lane.or(out_lane).unwrap_or(computed);
    (gc, out, back)
}

/// Cell-shipment lanes by (from, to): hours and optional cost.
pub type LaneMap = HashMap<(NodeRef, NodeRef), (f64, Option<f64>)>;

pub fn lane_map(instance: &Instance) -> LaneMap {
    instance
        .lanes
        .iter()
        .filter(|l| !matches!(l.from, NodeRef::Demand(_)))
        .map(|l| ((l.from, l.to), (l.hours, l.cost)))
        .collect()
}

fn cell_arcs(instance: &Instance, scenario: &Scenario, terms: &[SiteTerms]) -> Vec<CellArc> {
    let lanes = lane_map(instance);
    let mut lane_pairs: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut hosted: HashMap<usize, Vec<usize>> = HashMap::new();
    for key in lanes.keys() {
        if let (NodeRef::Hospital(h), NodeRef::Site(s)) | (NodeRef::Site(s), NodeRef::Hospital(h)) =
            *key
        {
            lane_pairs.entry(h).or_default().push(s);
        }
    }
    for (s, site) in instance.sites.iter().enumerate() {
        if let Some(h) = site.hospital {
            hosted.entry(h).or_default().push(s);
        }
    }
    // The farthest any site can be and still be reached within both its limits.
    let reach_km = terms
        .iter()
        .map(|t| {
            let v2v_hours =
                (t.max_vein_to_vein_days - t.manufacturing_days - t.release_days) * 12.0;
            travel::shipment_reach_km(
                t.max_fresh_transit_hours.min(v2v_hours.max(0.0)),
                &scenario.transport,
            )
        })
        .fold(0.0, f64::max);
    let index = LatitudeIndex::new(instance.sites.iter().map(|s| s.lat));
    let mut arcs = Vec::new();
    for h in 0..instance.hospitals.len() {
        let mut candidates = index.band(instance.hospitals[h].lat, reach_km);
        candidates.extend(lane_pairs.get(&h).into_iter().flatten());
        candidates.extend(hosted.get(&h).into_iter().flatten());
        candidates.sort_unstable();
        candidates.dedup();
        for s in candidates {
            let (gc, out, back) = legs(instance, scenario, &lanes, h, s);
            let t = &terms[s];
            let v2v = (out.hours + back.hours) / 24.0 + t.manufacturing_days + t.release_days;
            if out.hours <= t.max_fresh_transit_hours && v2v <= t.max_vein_to_vein_days {
                arcs.push(CellArc {
                    hospital: h,
                    site: s,
                    great_circle_km: gc,
                    out,
                    back,
                    vein_to_vein_days: v2v,
                });
            }
        }
    }
    arcs
}

/// Sizes for `cartnet validate` and the plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NetworkSize {
    pub demand_points: usize,
    pub hospitals: usize,
    pub sites: usize,
    pub patient_arcs: usize,
    pub cell_arcs: usize,
    pub cell_arcs_by_mode: std::collections::BTreeMap<&'static str, usize>,
}

impl Network {
    pub fn size(&self) -> NetworkSize {
        let mut by_mode = std::collections::BTreeMap::new();
        for a in self.cell_arcs() {
            *by_mode.entry(a.out.mode.as_str()).or_insert(0) += 1;
        }
        NetworkSize {
            demand_points: self.demand_nodes.len(),
            hospitals: self.hospital_nodes.len(),
            sites: self.site_nodes.len(),
            patient_arcs: self.patient_arc_count(),
            cell_arcs: self.cell_arc_count(),
            cell_arcs_by_mode: by_mode,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{DemandPoint, Hospital, Lane, Site, SiteKind};

    fn place(lat: f64, lon: f64) -> (f64, f64) {
        (lat, lon)
    }

    /// Demand and hospitals along a meridian, a site co-located at hospital 0 and one far away.
    fn instance() -> Instance {
        let demand = [place(40.0, -75.0), place(40.5, -75.0), place(45.0, -75.0)]
            .iter()
            .enumerate()
            .map(|(i, &(lat, lon))| DemandPoint {
                id: format!("D{i}"),
                name: format!("D{i}"),
                lat,
                lon,
                patients: 10.0,
                growth: None,
            })
            .collect();
        let hospitals = [place(40.0, -75.0), place(41.0, -75.0)]
            .iter()
            .enumerate()
            .map(|(i, &(lat, lon))| Hospital {
                id: format!("H{i}"),
                name: format!("H{i}"),
                lat,
                lon,
                max_patients: None,
            })
            .collect();
        let site = |id: &str, lat: f64, lon: f64, kind, hospital| Site {
            id: id.into(),
            name: id.into(),
            lat,
            lon,
            kind,
            hospital,
            max_platforms: None,
            allow: [true, true],
            setup_cost_owned: None,
            setup_cost_franchise: None,
            batches_per_platform: None,
            existing: false,
        };
        Instance {
            demand,
            hospitals,
            sites: vec![
                site("S0", 40.0, -75.0, SiteKind::Colocated, Some(0)),
                site("S1", 34.0, -118.0, SiteKind::Regional, None),
            ],
            lanes: Vec::new(),
        }
    }

    #[test]
    fn patient_arcs_are_exactly_the_pairs_within_the_travel_limit() {
        let inst = instance();
        let scenario = Scenario::default();
        let net = Network::build(&inst, &scenario);
        // brute force over every pair
        let mut expected = Vec::new();
        for (d, dp) in inst.demand.iter().enumerate() {
            for (h, hp) in inst.hospitals.iter().enumerate() {
                let km = great_circle_km(dp.lat, dp.lon, hp.lat, hp.lon);
                if travel::patient_hours(km, &scenario.transport) <= 2.0 {
                    expected.push((d, h));
                }
            }
        }
        let got: Vec<(usize, usize)> = net.patient_arcs().map(|a| (a.demand, a.hospital)).collect();
        assert_eq!(got, expected);
        // D0 -> H1 is 111 km great-circle, 144.6 road km: 2.07 h, just beyond the limit
        assert_eq!(got, vec![(0, 0), (1, 0), (1, 1)]);
    }

    #[test]
    fn colocated_site_has_zero_transit_and_far_site_flies() {
        let inst = instance();
        let net = Network::build(&inst, &Scenario::default());
        let onsite = net
            .cell_arcs()
            .find(|a| a.hospital == 0 && a.site == 0)
            .unwrap();
        assert_eq!(onsite.out.mode, Mode::Onsite);
        assert_eq!(onsite.cost_per_batch(), 0.0);
        assert_eq!(onsite.vein_to_vein_days, 14.0);
        // Philadelphia area to Los Angeles: ~3,900 km, air 12 h + 5.2 h each way
        let far = net
            .cell_arcs()
            .find(|a| a.hospital == 0 && a.site == 1)
            .unwrap();
        assert_eq!(far.out.mode, Mode::Air);
        assert!((far.vein_to_vein_days - (14.0 + 2.0 * far.out.hours / 24.0)).abs() < 1e-12);
    }

    #[test]
    fn vein_to_vein_limit_removes_arcs() {
        let inst = instance();
        let o = [crate::input::Override::parse("time.max_vein_to_vein_days=15").unwrap()];
        let scenario = Scenario::parse("", "t", &o).unwrap();
        let net = Network::build(&inst, &scenario);
        // only the on-site pair (14 days) and the short ground hop H1 -> S0 (111 km) remain
        let pairs: Vec<(usize, usize)> = net.cell_arcs().map(|a| (a.hospital, a.site)).collect();
        assert_eq!(pairs, vec![(0, 0), (1, 0)]);
    }

    #[test]
    fn lanes_override_times_and_costs() {
        let mut inst = instance();
        inst.lanes.push(Lane {
            from: NodeRef::Hospital(1),
            to: NodeRef::Site(1),
            hours: 30.0,
            cost: Some(999.0),
        });
        inst.lanes.push(Lane {
            from: NodeRef::Demand(2),
            to: NodeRef::Hospital(1),
            hours: 1.5,
            cost: None,
        });
        let net = Network::build(&inst, &Scenario::default());
        let lane = net
            .cell_arcs()
            .find(|a| a.hospital == 1 && a.site == 1)
            .unwrap();
        assert_eq!(
            (lane.out.hours, lane.back.hours, lane.cost_per_batch()),
            (30.0, 30.0, 1998.0)
        );
        // demand 2 is 445 km from H1 but a measured lane of 1.5 h makes it reachable
        let trip = net.patient_arcs().find(|a| a.demand == 2).unwrap();
        assert_eq!((trip.hospital, trip.hours, trip.mode), (1, 1.5, Mode::Lane));
    }
}
