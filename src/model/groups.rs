//! Interchangeable demand points, merged into groups the model treats as one (exact).
//!
//! Two demand points are interchangeable when they reach the same hospitals at the same cost per
//! patient on each arc and grow at the same rate: every other term of the model (the unserved
//! penalty, the in vivo share, full coverage) is the same for all points. The model then has one
//! demand row, one unserved column and one flow column per hospital for the whole group, with the
//! group's patients summed. This keeps the optimum:
//! - a plan of the per-point model gives a group plan of the same cost by summing its flows;
//! - a group plan gives a per-point plan of the same cost by splitting every group flow and the
//!   group's unserved patients in proportion to the members' patients ([`ModelInfo::point_values`]):
//!   each point's demand row holds, each hospital receives the same total (so its capacity and
//!   batches-per-patient rows hold), and each arc of the group costs the same per patient.
//!
//! Growth is keyed by the point's own `growth` column (blank or a value), not by the effective
//! rate: a point whose column equals `horizon.growth` stays apart from the points without one, so
//! that the groups, and with them the model's columns, do not change when a sweep varies
//! `horizon.growth` over one network (its warm starts hand column vectors between such scenarios).
//! Policy rows (single sourcing, site counts, franchise share, utilization) are on site and cell
//! arc columns only, so no configuration needs the merging turned off.

use super::{ModelInfo, Vars};
use crate::input::Instance;
use crate::network::Network;
use std::collections::HashMap;

/// One flow column of a group: its patients to one hospital.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupArc {
    pub group: usize,
    pub hospital: usize,
    /// USD per patient (both ways), the same for every member.
    pub cost_per_patient: f64,
}

/// The demand points in groups of interchangeable points, numbered by their first member; the
/// group arcs of each group are those of its first member, in the network's order. When no two
/// points merge, groups and group arcs are exactly the network's demand points and patient arcs.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandGroups {
    /// The group of each demand point.
    pub of_point: Vec<usize>,
    /// The members of each group, in index order.
    pub members: Vec<Vec<usize>>,
    /// The flow columns: each group's arcs, group by group.
    pub arcs: Vec<GroupArc>,
    /// The group arc of each patient arc of the network.
    pub arc_of: Vec<usize>,
    /// The demand point of each patient arc of the network.
    pub arc_point: Vec<usize>,
}

/// What makes two points interchangeable: (hospital, cost bits) of each arc, sorted by hospital,
/// and the growth column's bits.
type Key = (Vec<(usize, u64)>, Option<u64>);

/// The bits of `v`, with -0 read as 0.
fn bits(v: f64) -> u64 {
    if v == 0.0 { 0 } else { v.to_bits() }
}

impl DemandGroups {
    /// Groups the demand points of `instance` by their arcs in `network`, in linear time.
    pub fn build(instance: &Instance, network: &Network) -> DemandGroups {
        let n = instance.demand.len();
        let mut arcs_of_point: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (a, arc) in network.patient_arcs().enumerate() {
            arcs_of_point[arc.demand].push(a);
        }
        let mut index: HashMap<Key, usize> = HashMap::new();
        let mut of_point = Vec::with_capacity(n);
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (d, arcs) in arcs_of_point.iter_mut().enumerate() {
            arcs.sort_by_key(|&a| network.patient_arc(a).hospital);
            let key: Key = (
                arcs.iter()
                    .map(|&a| {
                        let arc = network.patient_arc(a);
                        (arc.hospital, bits(arc.cost_per_patient))
                    })
                    .collect(),
                instance.demand[d].growth.map(bits),
            );
            let g = *index.entry(key).or_insert_with(|| {
                members.push(Vec::new());
                members.len() - 1
            });
            members[g].push(d);
            of_point.push(g);
        }
        // A group's arcs are its first member's; another member's arc to the same hospital maps
        // onto the same column.
        let mut arcs = Vec::new();
        let mut first_arc = Vec::with_capacity(members.len());
        for (g, m) in members.iter().enumerate() {
            first_arc.push(arcs.len());
            arcs.extend(arcs_of_point[m[0]].iter().map(|&a| {
                let arc = network.patient_arc(a);
                GroupArc {
                    group: g,
                    hospital: arc.hospital,
                    cost_per_patient: arc.cost_per_patient,
                }
            }));
        }
        let arc_point = network.patient_arcs().map(|a| a.demand).collect();
        let mut arc_of = vec![0; network.patient_arc_count()];
        for (d, point_arcs) in arcs_of_point.iter().enumerate() {
            let start = first_arc[of_point[d]];
            for (i, &a) in point_arcs.iter().enumerate() {
                arc_of[a] = start + i;
            }
        }
        DemandGroups {
            of_point,
            members,
            arcs,
            arc_of,
            arc_point,
        }
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

/// One year's per-point values, split from the group columns.
#[derive(Debug, Clone, PartialEq)]
pub struct PointValues {
    /// Patients on each patient arc of the network.
    pub patients: Vec<f64>,
    /// Unserved patients at each demand point (`None` under full coverage).
    pub unserved: Vec<Option<f64>>,
}

impl ModelInfo {
    /// The per-point flows and unserved patients of year `year` for column values `value`.
    ///
    /// A point alone in its group reads its columns as they are. A member of a larger group gets
    /// the share p_d / T_g of each of the group's values, with T_g the group's flows and unserved
    /// together (its patients, up to the solver's tolerance): every point's flows and unserved
    /// patients add up to its patients, and each hospital's members add up to the group's flow.
    /// Where the group is served by one hospital alone, the ratio is exactly 1 and each member's
    /// flow is exactly its patients.
    pub fn point_values(&self, year: usize, value: &[f64]) -> PointValues {
        let vars: &Vars = &self.years[year];
        let g = &self.groups;
        let mut total = vec![0.0; g.len()];
        for (ga, arc) in g.arcs.iter().enumerate() {
            total[arc.group] += value[vars.patients[ga].col];
        }
        for (group, u) in vars.unserved.iter().enumerate() {
            if let Some(u) = u {
                total[group] += value[u.col];
            }
        }
        let split = |d: usize, v: f64| {
            let group = g.of_point[d];
            if g.members[group].len() == 1 {
                v
            } else if total[group] > 0.0 {
                vars.patients_demand[d] * (v / total[group])
            } else {
                0.0
            }
        };
        let patients = g
            .arc_of
            .iter()
            .zip(&g.arc_point)
            .map(|(&ga, &d)| split(d, value[vars.patients[ga].col]))
            .collect();
        let unserved = g
            .of_point
            .iter()
            .enumerate()
            .map(|(d, &group)| vars.unserved[group].map(|u| split(d, value[u.col])))
            .collect();
        PointValues { patients, unserved }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{DemandPoint, Hospital, Lane, NodeRef, Scenario, Site, SiteKind};

    /// Six points: D0, D1, D2 at one place (they reach H0 and H1), D3 nearby reaching only H0,
    /// D4 far from every hospital, D5 far too.
    fn instance() -> Instance {
        let point = |i: usize, lat: f64, growth: Option<f64>| DemandPoint {
            id: format!("D{i}"),
            name: format!("D{i}"),
            lat,
            lon: -75.0,
            patients: 1.0 + i as f64,
            growth,
        };
        let hospital = |i: usize, lat: f64| Hospital {
            id: format!("H{i}"),
            name: format!("H{i}"),
            lat,
            lon: -75.0,
            max_patients: None,
        };
        Instance {
            demand: vec![
                point(0, 40.5, None),
                point(1, 40.5, None),
                point(2, 40.5, None),
                point(3, 40.0, None),
                point(4, 30.0, None),
                point(5, 31.0, None),
            ],
            // D at 40.5 reaches both (55.6 km); D at 40.0 reaches H0 only (H1 is 111 km away)
            hospitals: vec![hospital(0, 40.0), hospital(1, 41.0)],
            sites: vec![Site {
                id: "S0".into(),
                name: "S0".into(),
                lat: 40.0,
                lon: -75.0,
                kind: SiteKind::Colocated,
                hospital: Some(0),
                max_platforms: None,
                allow: [true, true],
                setup_cost_owned: None,
                setup_cost_franchise: None,
                batches_per_platform: None,
                existing: false,
            }],
            lanes: Vec::new(),
        }
    }

    fn groups(inst: &Instance) -> DemandGroups {
        DemandGroups::build(inst, &Network::build(inst, &Scenario::default()))
    }

    #[test]
    fn same_hospitals_at_the_same_cost_merge() {
        let g = groups(&instance());
        // D0-D2 alike; D3 reaches H0 only; D4 and D5 reach nothing (all unserved) and merge
        assert_eq!(g.members, vec![vec![0, 1, 2], vec![3], vec![4, 5]]);
        assert_eq!(g.of_point, vec![0, 0, 0, 1, 2, 2]);
        let arcs: Vec<(usize, usize)> = g.arcs.iter().map(|a| (a.group, a.hospital)).collect();
        assert_eq!(arcs, vec![(0, 0), (0, 1), (1, 0)]);
        // network arcs: D0->H0, D0->H1, D1->H0, D1->H1, D2->H0, D2->H1, D3->H0
        assert_eq!(g.arc_of, vec![0, 1, 0, 1, 0, 1, 2]);
    }

    #[test]
    fn a_different_cost_growth_or_hospital_set_keeps_points_apart() {
        // a lane gives D1 -> H1 its own cost; D2 grows at its own rate; D5 reaches H1 by a lane
        // (a hospital set no other point has)
        let mut inst = instance();
        inst.lanes.push(Lane {
            from: NodeRef::Demand(1),
            to: NodeRef::Hospital(1),
            hours: 0.5,
            cost: Some(40.0),
        });
        inst.demand[2].growth = Some(0.03);
        inst.lanes.push(Lane {
            from: NodeRef::Demand(5),
            to: NodeRef::Hospital(1),
            hours: 1.0,
            cost: None,
        });
        let g = groups(&inst);
        assert_eq!(
            g.members,
            vec![vec![0], vec![1], vec![2], vec![3], vec![4], vec![5]]
        );
        // reaching H0 alone by a lane at the computed cost, D5 is interchangeable with D3
        let mut inst = instance();
        inst.lanes.push(Lane {
            from: NodeRef::Demand(5),
            to: NodeRef::Hospital(0),
            hours: 1.0,
            cost: None,
        });
        assert_eq!(
            groups(&inst).members,
            vec![vec![0, 1, 2], vec![3, 5], vec![4]]
        );
        // a lane with the computed cost (0 by default) and its own hours changes nothing
        let mut inst = instance();
        inst.lanes.push(Lane {
            from: NodeRef::Demand(1),
            to: NodeRef::Hospital(1),
            hours: 0.5,
            cost: None,
        });
        assert_eq!(
            groups(&inst).members,
            vec![vec![0, 1, 2], vec![3], vec![4, 5]]
        );
        // a growth column equal to the default still keeps the point apart (see the module doc)
        let mut inst = instance();
        inst.demand[1].growth = Some(Scenario::default().horizon.growth);
        assert_eq!(
            groups(&inst).members,
            vec![vec![0, 2], vec![1], vec![3], vec![4, 5]]
        );
    }

    #[test]
    fn patient_cost_per_km_splits_points_at_different_distances() {
        // with a travel cost, D0-D2 (same place) still merge; nothing else changes
        let inst = instance();
        let o = [crate::input::Override::parse("transport.patient_cost_per_km=0.5").unwrap()];
        let scenario = Scenario::parse("", "t", &o).unwrap();
        let g = DemandGroups::build(&inst, &Network::build(&inst, &scenario));
        assert_eq!(g.members, vec![vec![0, 1, 2], vec![3], vec![4, 5]]);
        // moved a little, D1 has other distances, so other costs
        let mut inst = instance();
        inst.demand[1].lat = 40.51;
        let g = DemandGroups::build(&inst, &Network::build(&inst, &scenario));
        assert_eq!(g.members, vec![vec![0, 2], vec![1], vec![3], vec![4, 5]]);
        // without the cost the same move merges them again
        assert_eq!(
            groups(&inst).members,
            vec![vec![0, 1, 2], vec![3], vec![4, 5]]
        );
    }
}
